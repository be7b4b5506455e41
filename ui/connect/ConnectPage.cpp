#include "ConnectPage.h"

#include "ConsoleFormat.h"
#include "ConsolePalette.h"
#include "admin/AdminChannel.h"
#include "widgets/CardFrame.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

ConnectPage::ConnectPage(AdminChannel *admin, QWidget *parent)
    : QWidget(parent)
    , m_admin(admin)
    , m_tabs(new QTabWidget(this))
{
    setObjectName(QStringLiteral("connectPage"));
    m_tabs->setObjectName(QStringLiteral("connectTabs"));
    m_tabs->setDocumentMode(true);

    // One tab per kind of client, its snippets one under the other.
    QHash<QString, QVBoxLayout *> tabs;
    for (const ConnectSnippets::Snippet &s : ConnectSnippets::all({QStringLiteral("http://127.0.0.1:8400"), {}, {}})) {
        QVBoxLayout *column = tabs.value(s.group);
        if (!column) {
            auto *scroll = new QScrollArea(m_tabs);
            scroll->setFrameShape(QFrame::NoFrame);
            scroll->setWidgetResizable(true);
            auto *inner = new QWidget(scroll);
            column = new QVBoxLayout(inner);
            column->setContentsMargins(0, 8, 0, 0);
            column->setSpacing(12);
            column->addStretch(1);
            scroll->setWidget(inner);
            m_tabs->addTab(scroll, s.group);
            tabs.insert(s.group, column);
        }
        column->insertWidget(column->count() - 1, buildSnippet(s));
    }

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(10);
    layout->addWidget(buildKeyPanel());
    layout->addWidget(m_tabs, 1);
    refresh();
}

// On the window itself, not a card: input fields on a card's base colour lose their outline in a
// dark palette.
QWidget *ConnectPage::buildKeyPanel()
{
    auto *card = new QWidget(this);
    m_address = new QLabel(card);
    m_address->setObjectName(QStringLiteral("connectAddress"));
    m_address->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ConsolePalette::scaleFont(m_address, 1.1, QFont::DemiBold);

    m_key = new QLineEdit(card);
    m_key->setObjectName(QStringLiteral("connectKey"));
    m_key->setPlaceholderText(tr("%1 (paste a tf- virtual key, or create one)").arg(QLatin1String(ConnectSnippets::PlaceholderKey)));
    m_key->setClearButtonEnabled(true);
    m_key->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    connect(m_key, &QLineEdit::textChanged, this, &ConnectPage::refresh);

    m_tenant = new QLineEdit(card);
    m_tenant->setObjectName(QStringLiteral("connectTenant"));
    m_tenant->setPlaceholderText(tr("tenant, e.g. my-team"));
    m_create = new QPushButton(tr("Create a key for these snippets"), card);
    m_create->setObjectName(QStringLiteral("connectCreateKey"));
    m_create->setEnabled(m_admin);
    connect(m_create, &QPushButton::clicked, this, &ConnectPage::createKey);
    connect(m_tenant, &QLineEdit::returnPressed, this, &ConnectPage::createKey);

    m_keyStatus = new QLabel(card);
    m_keyStatus->setObjectName(QStringLiteral("connectKeyStatus"));
    m_keyStatus->setWordWrap(true);
    m_keyStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ConsolePalette::makeMuted(m_keyStatus);

    m_session = new QLineEdit(QStringLiteral("my-app"), card);
    m_session->setObjectName(QStringLiteral("connectSession"));
    m_session->setPlaceholderText(tr("none: TokenFuse names the session after the calling process"));
    m_session->setToolTip(tr("Sent as %1 by the curl and SDK snippets: it names the session on the Sessions page")
                              .arg(QLatin1String(ConnectSnippets::SessionHeader)));
    connect(m_session, &QLineEdit::textChanged, this, &ConnectPage::refresh);

    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(6);
    auto caption = [card](const QString &text) {
        auto *label = new QLabel(text, card);
        ConsolePalette::makeMuted(label);
        return label;
    };
    grid->addWidget(caption(tr("Key")), 0, 0);
    grid->addWidget(m_key, 0, 1);
    grid->addWidget(m_tenant, 0, 2);
    grid->addWidget(m_create, 0, 3);
    grid->addWidget(caption(tr("Session")), 1, 0);
    grid->addWidget(m_session, 1, 1);
    grid->setColumnStretch(1, 3);
    grid->setColumnStretch(2, 1);

    auto *layout = new QVBoxLayout(card);
    layout->setContentsMargins(0, 0, 0, 4);
    layout->setSpacing(8);
    layout->addWidget(m_address);
    layout->addLayout(grid);
    layout->addWidget(m_keyStatus);
    return card;
}

QWidget *ConnectPage::buildSnippet(const ConnectSnippets::Snippet &s)
{
    auto *card = new CardFrame(this);
    auto *title = new QLabel(s.title, card);
    ConsolePalette::scaleFont(title, 1.0, QFont::DemiBold);
    auto *copy = new QPushButton(tr("Copy"), card);
    copy->setObjectName(QStringLiteral("copy_") + s.id);
    copy->setToolTip(tr("Copy this snippet to the clipboard"));

    auto *text = new QPlainTextEdit(card);
    text->setObjectName(QStringLiteral("snippet_") + s.id);
    text->setReadOnly(true);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    text->setLineWrapMode(QPlainTextEdit::NoWrap);
    text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    text->setTabChangesFocus(true);
    // A code block: set off from the card it sits on, in light and dark alike.
    QPalette block = text->palette();
    block.setColor(QPalette::Base, block.color(QPalette::AlternateBase));
    text->setPalette(block);
    auto *note = new QLabel(card);
    note->setWordWrap(true);
    ConsolePalette::makeMuted(note);

    connect(copy, &QPushButton::clicked, this, [copy, text] {
        QApplication::clipboard()->setText(text->toPlainText());
        copy->setText(tr("Copied"));
        QTimer::singleShot(1500, copy, [copy] { copy->setText(tr("Copy")); });
    });

    auto *top = new QHBoxLayout;
    top->addWidget(title, 1);
    top->addWidget(copy);
    auto *layout = new QVBoxLayout(card);
    layout->setContentsMargins(CardFrame::padding());
    layout->setSpacing(6);
    layout->addLayout(top);
    layout->addWidget(text);
    layout->addWidget(note);
    m_texts.insert(s.id, text);
    m_notes.insert(s.id, note);
    return card;
}

QString ConnectPage::snippetText(const QString &id) const
{
    const QPlainTextEdit *text = m_texts.value(id);
    return text ? text->toPlainText() : QString();
}

void ConnectPage::applySnapshot(const GatewaySnapshot &snapshot)
{
    if (snapshot.listenAddress == m_listenAddress)
        return; // the usual case, four times a second
    m_listenAddress = snapshot.listenAddress;
    refresh();
}

void ConnectPage::createKey()
{
    const QString tenant = m_tenant->text().trimmed();
    if (tenant.isEmpty()) {
        m_keyStatus->setText(tr("Name the tenant first: the key's requests are counted (and budgeted) for it."));
        m_tenant->setFocus();
        return;
    }
    if (!m_admin)
        return;
    m_create->setEnabled(false);
    const QByteArray body = QJsonDocument(QJsonObject{{"tenant", tenant}, {"name", QStringLiteral("console snippets")}})
                                .toJson(QJsonDocument::Compact);
    m_admin->call(AdminCall::post("/admin/v1/keys", body), this, [this, tenant](const AdminAnswer &answer) {
        m_create->setEnabled(true);
        if (!answer.ok()) {
            m_keyStatus->setText(tr("No key was created: %1").arg(answer.errorMessage()));
            return;
        }
        const QJsonObject key = answer.body.toObject();
        m_createdKey = key.value(QLatin1String("key")).toString();
        m_createdNote = tr("Key %1 created for tenant \"%2\". TokenFuse keeps only its hash: this page holds the key in memory "
                                "while the console runs and forgets it when it closes, so copy it now if you need it elsewhere. "
                                "Revoke it with DELETE /admin/v1/keys/%1.")
                                 .arg(key.value(QLatin1String("id")).toString(), tenant);
        m_key->setText(m_createdKey);
        updateKeyStatus();
    });
}

void ConnectPage::refresh()
{
    // The snippets want the root: OpenAI-style clients add /v1 to it, Anthropic's do not.
    QString base = ConsoleFormat::baseUrl(m_listenAddress);
    if (base.endsWith(QLatin1String("/v1")))
        base.chop(3);
    m_address->setText(base.isEmpty() ? tr("The gateway is not listening yet: the snippets show the default address.")
                                      : tr("Gateway at %1").arg(base));
    const ConnectSnippets::Inputs inputs{base.isEmpty() ? QStringLiteral("http://127.0.0.1:8400") : base, m_key->text().trimmed(),
                                         m_session->text().trimmed()};
    for (const ConnectSnippets::Snippet &s : ConnectSnippets::all(inputs)) {
        QPlainTextEdit *text = m_texts.value(s.id);
        if (text->toPlainText() != s.text) {
            text->setPlainText(s.text);
            const int lines = int(s.text.count(QLatin1Char('\n'))) + 1;
            text->setFixedHeight(lines * text->fontMetrics().lineSpacing() + 2 * int(text->document()->documentMargin()) + 2 * text->frameWidth() + 4);
        }
        m_notes.value(s.id)->setText(s.note);
    }
    updateKeyStatus();
}

void ConnectPage::updateKeyStatus()
{
    const QString key = m_key->text().trimmed();
    if (!m_createdKey.isEmpty() && key == m_createdKey)
        m_keyStatus->setText(m_createdNote);
    else if (key.isEmpty())
        m_keyStatus->setText(tr("Without a key the snippets send %1: TokenFuse uses the upstream's own key (the simulator needs none) "
                                "and counts the requests for tenant \"default\". An upstream configured without a key gets the "
                                "client's key passed through, so put your provider key there instead.")
                                 .arg(QLatin1String(ConnectSnippets::PlaceholderKey)));
    else if (key.startsWith(QLatin1String("tf-")))
        m_keyStatus->setText(tr("The snippets carry the virtual key you pasted: requests with it count for its tenant. "
                                "The page keeps it in memory only."));
    else
        m_keyStatus->setText(tr("The snippets carry this key as it is. It is not a tf- virtual key, so TokenFuse passes it to an "
                                "upstream configured without a key of its own (storing only its fingerprint) and counts the "
                                "requests for tenant \"default\"."));
}
