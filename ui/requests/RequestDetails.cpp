#include "RequestDetails.h"

#include "widgets/FieldGrid.h"

#include "ConsoleFormat.h"
#include "ConsolePalette.h"

#include <QDateTime>
#include <QEvent>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QVBoxLayout>

RequestDetails::RequestDetails(QWidget *parent)
    : CardFrame(parent)
    , m_title(new QLabel(this))
    , m_hint(new QLabel(tr("Select a request to see its details."), this))
    , m_body(new QWidget(this))
    , m_fields(new FieldGrid(QStringLiteral("requestDetail_")))
    , m_headers(new QPlainTextEdit(m_body))
{
    setObjectName(QStringLiteral("requestDetails"));
    m_title->setObjectName(QStringLiteral("requestDetailsTitle"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ConsolePalette::scaleFont(m_title, 1.05, QFont::DemiBold);
    m_hint->setWordWrap(true);
    ConsolePalette::makeMuted(m_hint);

    QGridLayout *grid = m_fields->grid();
    // Why it failed first: when there is an error, it is what the reader came for.
    m_fields->addField(QStringLiteral("error"), tr("Error"), 0, 0, 3);
    m_fields->addField(QStringLiteral("status"), tr("Status"), 2, 0);
    m_fields->addField(QStringLiteral("times"), tr("Started – ended"), 2, 1);
    m_fields->addField(QStringLiteral("latency"), tr("Latency · time to first token"), 2, 2);
    m_fields->addField(QStringLiteral("tokens"), tr("Tokens"), 4, 0, 2);
    m_fields->addField(QStringLiteral("cost"), tr("Cost"), 4, 2);
    m_fields->addField(QStringLiteral("who"), tr("Tenant · session · upstream"), 6, 0, 2);
    m_fields->addField(QStringLiteral("limits"), tr("Output limit"), 6, 2);
    m_fields->addField(QStringLiteral("accuracy"), tr("Counting"), 8, 0, 3);
    for (int column = 0; column < 3; ++column)
        grid->setColumnStretch(column, 1);
    grid->setRowStretch(10, 1);

    // No scroll area: the fields fit the strip, and a QScrollArea would clip a wrapped line.
    m_fields->setParent(m_body);

    // The headers as text to select and copy, in a fixed font so values line up.
    m_headers->setObjectName(QStringLiteral("requestHeaders"));
    m_headers->setReadOnly(true);
    m_headers->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_headers->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_headers->setToolTip(tr("The request's headers as the gateway saw them, keys and tokens redacted"));
    auto *headersCaption = new QLabel(tr("Request headers (secrets redacted)"), m_body);
    ConsolePalette::makeMuted(headersCaption);
    ConsolePalette::scaleFont(headersCaption, 0.9, QFont::Normal);
    auto *headersColumn = new QVBoxLayout;
    headersColumn->setSpacing(2);
    headersColumn->addWidget(headersCaption);
    headersColumn->addWidget(m_headers, 1);

    auto *body = new QHBoxLayout(m_body);
    body->setContentsMargins(0, 0, 0, 0);
    body->setSpacing(18);
    body->addWidget(m_fields, 3);
    body->addLayout(headersColumn, 2);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(padding());
    layout->setSpacing(8);
    layout->addWidget(m_title);
    layout->addWidget(m_hint);
    layout->addWidget(m_body, 1);
    layout->addStretch(0); // with nothing selected, the title and the hint stay at the top
    showRecord(nullptr);
}

QString RequestDetails::explainError(const QString &kind, int status)
{
    if (kind.isEmpty())
        return status >= 400 ? tr("The upstream answered %1.").arg(status) : QString();
    static const QHash<QString, const char *> plain{
        {QStringLiteral("budget_exceeded"), QT_TR_NOOP("A budget cap was reached: TokenFuse refused the request (or stopped the stream) before more was spent. Raise or reset the budget on the Budgets page.")},
        {QStringLiteral("rate_limited"), QT_TR_NOOP("A rate limit (requests, tokens per minute or concurrency) refused it; the client may retry after the Retry-After time.")},
        {QStringLiteral("session_blocked"), QT_TR_NOOP("The session, its tenant or everything was stopped (by hand or by the loop detector): refused until resumed on the Sessions page.")},
        {QStringLiteral("upstream_error"), QT_TR_NOOP("The provider answered with an error; its status and message went to the client unchanged.")},
        {QStringLiteral("upstream_timeout"), QT_TR_NOOP("The provider took longer than the upstream's timeout (connect, first byte, idle or total), so TokenFuse gave up.")},
        {QStringLiteral("upstream_disconnected"), QT_TR_NOOP("The provider closed the connection before the answer was complete.")},
        {QStringLiteral("upstream_incomplete"), QT_TR_NOOP("The provider's stream ended without its final event, so the answer may be cut short.")},
        {QStringLiteral("upstream_malformed"), QT_TR_NOOP("The provider's answer could not be read as its dialect's JSON or events.")},
        {QStringLiteral("upstream_stream_error"), QT_TR_NOOP("The provider sent an error event in the middle of the stream.")},
        {QStringLiteral("client_closed"), QT_TR_NOOP("The client went away before the answer ended; what was streamed until then is counted.")},
        {QStringLiteral("cancelled"), QT_TR_NOOP("TokenFuse ended the request (a kill, stop-all or shutdown) while it ran.")},
        {QStringLiteral("invalid_api_key"), QT_TR_NOOP("An unknown or revoked tf- virtual key: TokenFuse answered 401 without forwarding.")},
        {QStringLiteral("invalid_request"), QT_TR_NOOP("The request was malformed (a missing field or a bad value): TokenFuse answered 400 naming it.")},
        {QStringLiteral("not_found"), QT_TR_NOOP("No route or no upstream serves this path or model: TokenFuse answered 404.")},
        {QStringLiteral("method_not_allowed"), QT_TR_NOOP("The endpoint takes POST only.")},
        {QStringLiteral("store_unavailable"), QT_TR_NOOP("The usage store could not write, and TokenFuse refuses what it cannot count.")},
    };
    const auto it = plain.constFind(kind);
    return it == plain.cend() ? kind : QStringLiteral("%1: %2").arg(kind, tr(it.value()));
}

void RequestDetails::showRecord(const UsageRecord *r)
{
    m_hint->setVisible(!r);
    m_body->setVisible(r);
    if (!r) {
        m_shownId.clear();
        m_title->setText(tr("Request details"));
        m_headers->clear();
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QString currency = r->currency.isEmpty() ? m_currency : r->currency;
    m_title->setText(tr("%1  %2 %3").arg(r->id, r->endpoint, r->model));
    m_fields->setField(QStringLiteral("status"), r->status > 0 ? QString::number(r->status) + (r->stream ? tr(", streamed") : QString()) : tr("none sent"));
    m_fields->setField(QStringLiteral("times"), tr("%1 – %2").arg(ConsoleFormat::clockTime(r->startedAt, now), ConsoleFormat::clockTime(r->endedAt, now)));
    m_fields->setField(QStringLiteral("latency"), tr("%1 · %2").arg(ConsoleFormat::duration(r->latencyMs), ConsoleFormat::duration(r->ttftMs)));
    m_fields->setField(QStringLiteral("tokens"), tr("%1 prompt (%2 cached) · %3 completion (%4 reasoning)")
                                           .arg(ConsoleFormat::count(r->promptTokens), ConsoleFormat::count(r->cachedTokens),
                                                ConsoleFormat::count(r->completionTokens), ConsoleFormat::count(r->reasoningTokens)));
    m_fields->setField(QStringLiteral("cost"), tr("%1 (%2)%3").arg(ConsoleFormat::money(r->costMicros, currency), currency,
                                                         r->priceKnown ? QString() : tr(", fallback price")));
    m_fields->setField(QStringLiteral("who"), QStringLiteral("%1 · %2 · %3").arg(r->tenant.isEmpty() ? tr("no tenant") : r->tenant,
                                                                       r->session.isEmpty() ? tr("no session") : r->session,
                                                                       r->upstream.isEmpty() ? tr("not forwarded") : r->upstream));
    m_fields->setField(QStringLiteral("limits"), r->clampedMaxTokens > 0
                                           ? tr("clamped to %1 tokens by a budget").arg(ConsoleFormat::count(r->clampedMaxTokens))
                                           : tr("as the client sent it"));
    QStringList accuracy;
    accuracy << (r->estimated ? tr("Tokens estimated by TokenFuse: the upstream reported no usage, so the figures (and the cost) are an approximation.")
                              : tr("Tokens as the upstream reported them."));
    if (!r->priceKnown)
        accuracy << tr("No price is configured for this model: the fallback price was used; add it under \"pricing\" for exact costs.");
    m_fields->setField(QStringLiteral("accuracy"), accuracy.join(QLatin1Char(' ')));
    m_fields->setField(QStringLiteral("error"), explainError(r->error, r->status));
    if (m_shownId != r->id) {
        m_headers->setPlainText(r->requestHeaders.isEmpty() ? tr("(not kept: only requests seen since the console started show their headers)")
                                                            : r->requestHeaders.trimmed());
        m_shownId = r->id;
    }
    m_fields->fitHeights();
}
