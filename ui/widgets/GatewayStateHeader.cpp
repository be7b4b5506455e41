#include "GatewayStateHeader.h"

#include "ConsoleFormat.h"
#include "ConsolePalette.h"
#include "ElidedLabel.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTimer>

namespace {
const auto CopyText = QT_TRANSLATE_NOOP("GatewayStateHeader", "Copy base URL");
constexpr int DotSize = 10;
constexpr int CopiedFeedbackMs = 1500;
}

GatewayStateHeader::GatewayStateHeader(QWidget *parent)
    : QWidget(parent)
    , m_dot(new QLabel(this))
    , m_state(new ElidedLabel(this))
    , m_copy(new QPushButton(tr(CopyText), this))
{
    auto *wordmark = new QLabel(QStringLiteral("TokenFuse"), this);
    wordmark->setObjectName(QStringLiteral("wordmark"));
    ConsolePalette::scaleFont(wordmark, 1.5, QFont::Bold);

    m_dot->setObjectName(QStringLiteral("gatewayStateDot"));
    m_dot->setFixedSize(DotSize, DotSize);
    m_state->setObjectName(QStringLiteral("gatewayStateLabel"));
    m_state->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    ConsolePalette::scaleFont(m_state, 1.1, QFont::DemiBold);

    m_copy->setObjectName(QStringLiteral("copyBaseUrlButton"));
    m_copy->setEnabled(false);
    m_copy->setCursor(Qt::PointingHandCursor);
    m_copy->setMinimumSize(m_copy->sizeHint().width() + 24, 32); // roomy, and "Copied" does not shrink it
    connect(m_copy, &QPushButton::clicked, this, &GatewayStateHeader::copyBaseUrl);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(2, 0, 0, 0);
    layout->setSpacing(10);
    layout->addWidget(wordmark);
    layout->addSpacing(14);
    layout->addWidget(m_dot);
    layout->addWidget(m_state, 1);
    layout->addWidget(m_copy);

    m_state->setText(tr("Waiting for the gateway…"));
    setDotColor(ConsolePalette::mutedText(palette()));
}

void GatewayStateHeader::setState(GatewaySnapshot::State state, const QString &listenAddress, const QString &error)
{
    m_baseUrl = ConsoleFormat::baseUrl(listenAddress);

    QString text;
    QColor dot;
    switch (state) {
    case GatewaySnapshot::State::Stopped:
        text = tr("Stopped");
        dot = ConsolePalette::mutedText(palette());
        break;
    case GatewaySnapshot::State::Starting:
        text = tr("Starting…");
        dot = ConsolePalette::pending();
        break;
    case GatewaySnapshot::State::Running:
        text = m_baseUrl.isEmpty() ? tr("Running") : tr("Running on %1").arg(m_baseUrl);
        dot = ConsolePalette::success();
        break;
    case GatewaySnapshot::State::Failed:
        text = error.isEmpty() ? tr("Failed") : tr("Failed: %1").arg(error);
        dot = ConsolePalette::failure();
        break;
    }

    // Snapshots arrive several times a second; only touch the widgets when something changed.
    if (text != m_shownText) {
        m_shownText = text;
        m_state->setText(text);
        m_state->setToolTip(text);
        setDotColor(dot);
        QPalette palette = m_state->palette();
        palette.setColor(QPalette::WindowText,
                         state == GatewaySnapshot::State::Failed ? ConsolePalette::failure() : this->palette().color(QPalette::WindowText));
        m_state->setPalette(palette);
    }
    m_copy->setEnabled(!m_baseUrl.isEmpty());
    m_copy->setToolTip(m_baseUrl.isEmpty() ? QString() : tr("Copies %1: give it to your SDK as its base URL").arg(m_baseUrl));
}

void GatewayStateHeader::copyBaseUrl()
{
    if (m_baseUrl.isEmpty())
        return;
    QGuiApplication::clipboard()->setText(m_baseUrl);
    m_copy->setText(tr("Copied"));
    QTimer::singleShot(CopiedFeedbackMs, m_copy, [button = m_copy] { button->setText(tr(CopyText)); });
    emit baseUrlCopied(m_baseUrl);
}

void GatewayStateHeader::setDotColor(const QColor &color)
{
    m_dot->setStyleSheet(QStringLiteral("background-color: %1; border-radius: %2px;").arg(color.name()).arg(DotSize / 2));
}
