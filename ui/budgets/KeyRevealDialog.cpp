#include "KeyRevealDialog.h"

#include "ConsolePalette.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

KeyRevealDialog::KeyRevealDialog(const QString &key, const QString &tenant, QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("keyRevealDialog"));
    setWindowTitle(tr("New virtual key"));
    auto *intro = new QLabel(tr("The key for tenant <b>%1</b>. Send it as <code>Authorization: Bearer &lt;key&gt;</code>.")
                                 .arg(tenant.toHtmlEscaped()), this);
    intro->setWordWrap(true);
    auto *field = new QLineEdit(key, this);
    field->setObjectName(QStringLiteral("key"));
    field->setReadOnly(true);
    field->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    field->setMinimumWidth(field->fontMetrics().horizontalAdvance(key) + 24);
    auto *copy = new QPushButton(tr("&Copy"), this);
    copy->setObjectName(QStringLiteral("copy"));
    connect(copy, &QPushButton::clicked, this, [key, copy] {
        QApplication::clipboard()->setText(key);
        copy->setText(tr("Copied"));
    });
    auto *warning = new QLabel(tr("Copy it now: it won't be shown again. TokenFuse keeps only its hash."), this);
    warning->setObjectName(QStringLiteral("warning"));
    warning->setWordWrap(true);
    QPalette p = warning->palette();
    p.setColor(QPalette::WindowText, ConsolePalette::readableOn(ConsolePalette::pending(), palette().color(QPalette::Window)));
    warning->setPalette(p);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::accept);

    auto *row = new QHBoxLayout;
    row->addWidget(field, 1);
    row->addWidget(copy);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(row);
    layout->addWidget(warning);
    layout->addWidget(buttons);
    field->selectAll();
    field->setFocus();
}
