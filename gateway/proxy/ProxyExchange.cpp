#include "ProxyExchange.h"

#include "RequestId.h"
#include "accounting/PriceTable.h"
#include "accounting/TokenEstimator.h"
#include "budget/BudgetLedger.h"
#include "budget/RateLimiter.h"
#include "dialect/StreamMeter.h"
#include "http/HttpResponder.h"
#include "store/StoreRecords.h"
#include "store/UsageStore.h"
#include "upstream/UpstreamCall.h"
#include "upstream/UpstreamClient.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace {
constexpr qint64 kMaxBufferedResponse = 64 * 1024 * 1024;

// Usage from a JSON body of any OpenAI- or Anthropic-style endpoint (embeddings, responses, ...).
TokenUsage genericUsage(const QByteArray &body)
{
    TokenUsage u;
    const QJsonObject usage = QJsonDocument::fromJson(body).object().value(QLatin1String("usage")).toObject();
    if (usage.isEmpty())
        return u;
    u.promptTokens = qMax<qint64>(0, usage.value(QLatin1String("prompt_tokens")).toInteger(usage.value(QLatin1String("input_tokens")).toInteger()));
    u.completionTokens = qMax<qint64>(0, usage.value(QLatin1String("completion_tokens")).toInteger(usage.value(QLatin1String("output_tokens")).toInteger()));
    u.reported = true;
    return u;
}
} // namespace

ProxyExchange::ProxyExchange(const ProxyServices &services, const HttpRequest &request, HttpResponder *responder,
                             const Dialect &dialect, std::optional<ChatRequest> chat, const UpstreamConfig &upstream,
                             const CallerIdentity &caller, QObject *parent)
    : QObject(parent), m_services(services), m_request(request), m_responder(responder), m_dialect(dialect),
      m_chat(std::move(chat)), m_upstream(upstream), m_caller(caller)
{
    m_clock.start();
    m_row.id = RequestId::next();
    m_row.startedAt = QDateTime::currentMSecsSinceEpoch();
    m_row.tenant = caller.tenant;
    m_row.session = caller.session;
    m_row.keyFingerprint = caller.keyFingerprint;
    m_row.upstream = upstream.name;
    m_row.endpoint = QString::fromUtf8(request.path);
    if (m_chat) {
        m_row.model = m_chat->model;
        m_row.stream = m_chat->stream;
    } else {
        m_row.model = QJsonDocument::fromJson(request.body).object().value(QLatin1String("model")).toString();
    }
}

ProxyExchange::~ProxyExchange()
{
    delete m_call;
}

UpstreamRequest ProxyExchange::upstreamRequest() const
{
    UpstreamRequest r;
    r.url = m_upstream.urlFor(m_request.path, m_request.query);
    r.method = m_request.method;
    r.timeouts = m_upstream.timeouts;
    const QByteArray changed = m_chat ? m_dialect.upstreamBody(*m_chat) : QByteArray();
    r.body = changed.isEmpty() ? m_request.body : changed;
    for (const auto &f : m_request.headers.fields()) {
        const QByteArray &n = f.first;
        // Hop-by-hop fields, framing, and what identifies the caller to TokenFuse stay here.
        if (n == "host" || n == "connection" || n == "keep-alive" || n == "content-length" || n == "transfer-encoding"
            || n == "te" || n == "upgrade" || n == "expect" || n == "accept-encoding" || n == "proxy-authorization"
            || n == "x-tenant-id" || n == "x-session-id")
            continue;
        if ((n == "authorization" || n == "x-api-key") && !m_upstream.apiKey.isEmpty())
            continue;
        r.headers.add(n, f.second);
    }
    if (!m_upstream.apiKey.isEmpty()) {
        if (m_upstream.dialect == ApiDialect::Anthropic)
            r.headers.add("x-api-key", m_upstream.apiKey.toUtf8());
        else
            r.headers.add("authorization", "Bearer " + m_upstream.apiKey.toUtf8());
    }
    if (m_upstream.dialect == ApiDialect::Anthropic && !r.headers.contains("anthropic-version"))
        r.headers.add("anthropic-version", "2023-06-01");
    return r;
}

void ProxyExchange::start()
{
    if (m_responder)
        connect(m_responder, &HttpResponder::clientGone, this, &ProxyExchange::onClientGone);
    if (needsAdmission() && !admit())
        return;
    if (!m_reserved || !m_services.store) {
        forward();
        return;
    }
    // The reservation is on disk before the request leaves: a crash from here on can only ever
    // settle it at its worst case, never hand the budget back.
    ReservationRecord r;
    r.requestId = m_row.id;
    r.createdAt = m_row.startedAt;
    r.tenant = m_row.tenant;
    r.session = m_row.session;
    r.model = m_row.model;
    r.endpoint = m_row.endpoint;
    r.worstPromptTokens = m_worst.promptTokens;
    r.worstCompletionTokens = m_worst.tokens - m_worst.promptTokens;
    r.worstCostMicros = m_worst.costMicros;
    r.currency = m_price.currency;
    r.holds = m_services.ledger->holdsOf(m_row.id);
    QPointer<ProxyExchange> self(this);
    m_services.store->reserve(r, [self] {
        if (self && !self->m_recorded)
            self->forward();
    });
}

bool ProxyExchange::needsAdmission() const
{
    if (!m_services.ledger && !m_services.rates)
        return false;
    if (m_chat)
        return true;
    // Listing models and counting tokens cost nothing; any other POST may.
    return m_request.method == "POST" && !m_request.path.endsWith("/count_tokens");
}

bool ProxyExchange::admit()
{
    m_subject = BudgetSubject{m_row.tenant, m_row.session, m_row.model};
    if (m_services.prices)
        m_price = m_services.prices->priceFor(m_row.model);
    qint64 prompt = 0;
    qint64 maxOutput = -1;
    if (m_chat) {
        prompt = m_chat->promptEstimate;
        maxOutput = m_chat->maxTokens;
    } else {
        const QJsonObject body = QJsonDocument::fromJson(m_request.body).object();
        prompt = TokenEstimator::estimateOpenAiRequest(body);
        for (const char *key : {"max_output_tokens", "max_completion_tokens", "max_tokens"}) {
            if (body.value(QLatin1String(key)).isDouble()) {
                maxOutput = body.value(QLatin1String(key)).toInteger();
                break;
            }
        }
        if (m_request.path.endsWith("/embeddings"))
            maxOutput = 0;
    }
    if (maxOutput < 0)
        maxOutput = m_services.defaultMaxTokens;
    m_worst.promptTokens = prompt;
    m_worst.tokens = prompt + maxOutput;
    m_worst.promptCostMicros = PriceTable::costMicros(m_price, prompt, 0, 0);
    m_worst.costMicros = PriceTable::costMicros(m_price, prompt, 0, maxOutput);

    if (m_services.rates) {
        const RateAdmission rate = m_services.rates->admit(m_subject, m_worst.tokens);
        if (!rate.admitted()) {
            const RateDenial &d = *rate.denial;
            HttpHeaders h;
            h.add("retry-after", QByteArray::number(qMax<qint64>(1, (d.retryAfterMs + 999) / 1000)));
            h.add("retry-after-ms", QByteArray::number(qMax<qint64>(1, d.retryAfterMs)));
            h.add("x-should-retry", "true");
            refuse(Dialect::Error::RateLimited, QStringLiteral("rate_limited"), d.message, h);
            return false;
        }
        m_rateTicket = rate.ticket;
    }
    if (m_services.ledger) {
        const BudgetAdmission budget = m_services.ledger->reserve(m_subject, m_worst, m_row.id);
        if (!budget.admitted()) {
            HttpHeaders h;
            h.add("x-should-retry", "false");
            refuse(Dialect::Error::BudgetExceeded, QStringLiteral("budget_exceeded"), budget.denial->message, h);
            return false;
        }
        m_reserved = true;
    }
    return true;
}

void ProxyExchange::refuse(Dialect::Error error, const QString &kind, const QString &message, const HttpHeaders &extra)
{
    const int status = Dialect::statusOf(error);
    if (m_responder) {
        HttpHeaders h = extra;
        h.add("content-type", "application/json");
        h.add("x-tokenfuse-request-id", m_row.id.toUtf8());
        h.add("x-tokenfuse-session", m_row.session.toUtf8());
        m_responder->respond(status, h, m_dialect.errorBody(error, message));
    }
    // Nothing reached the upstream and nothing was spent: the row is for the history only, so the
    // answer need not wait for it.
    record(status, kind, TokenUsage(), {});
    finishUp();
}

void ProxyExchange::forward()
{
    m_forwarded = true;
    m_call = m_services.client->start(upstreamRequest());
    connect(m_call, &UpstreamCall::responseStarted, this, &ProxyExchange::onResponseStarted);
    connect(m_call, &UpstreamCall::dataReceived, this, &ProxyExchange::onData);
    connect(m_call, &UpstreamCall::finished, this, &ProxyExchange::onFinished);
    connect(m_call, &UpstreamCall::failed, this, [this](UpstreamCall::Failure f, const QString &m) { onFailed(int(f), m); });
}

bool ProxyExchange::allowProgress(const StreamMeter &meter)
{
    if (!m_reserved)
        return true;
    const qint64 prompt = meter.reportedPromptTokens() > 0 ? meter.reportedPromptTokens() : m_worst.promptTokens;
    const qint64 completion = meter.countedCompletionTokens();
    if (prompt + completion == m_lastProgressTokens)
        return true;
    m_lastProgressTokens = prompt + completion;
    BudgetDemand actual;
    actual.tokens = prompt + completion;
    actual.promptTokens = prompt;
    actual.costMicros = PriceTable::costMicros(m_price, prompt, 0, completion);
    actual.promptCostMicros = PriceTable::costMicros(m_price, prompt, 0, 0);
    m_cut = m_services.ledger->progress(m_row.id, actual);
    return !m_cut.has_value();
}

void ProxyExchange::cutStream(const BudgetDenial &denial)
{
    // Stop the provider generating (and billing) at once, then tell the client why in its own
    // dialect: an error event its SDK raises in the caller's loop, and no normal end.
    dropUpstream();
    if (m_responder)
        m_responder->writeChunk(m_dialect.streamErrorEvent(Dialect::Error::BudgetExceeded, denial.message));
    record(200, QStringLiteral("budget_exceeded"), usageSoFar(), [this] {
        if (m_responder)
            m_responder->endStream();
        finishUp();
    });
}

void ProxyExchange::dropUpstream()
{
    if (!m_call)
        return;
    m_call->abort();
    m_call->deleteLater();
    m_call = nullptr;
}

HttpHeaders ProxyExchange::clientHeaders(const HttpHeaders &upstreamHeaders) const
{
    HttpHeaders h;
    for (const auto &f : upstreamHeaders.fields()) {
        const QByteArray &n = f.first;
        if (n == "connection" || n == "keep-alive" || n == "transfer-encoding" || n == "content-length"
            || n == "content-encoding" || n == "date" || n == "server")
            continue;
        h.add(n, f.second);
    }
    h.set("x-tokenfuse-request-id", m_row.id.toUtf8());
    h.set("x-tokenfuse-session", m_row.session.toUtf8());
    // The tightest rules' remaining figures, as TokenFuse sees them (the upstream's own
    // x-ratelimit-* headers are replaced when a TokenFuse rule applies).
    if (m_services.rates) {
        const RateRemaining left = m_services.rates->remaining(m_subject);
        if (left.requests >= 0)
            h.set("x-ratelimit-remaining-requests", QByteArray::number(left.requests));
        if (left.tokens >= 0)
            h.set("x-ratelimit-remaining-tokens", QByteArray::number(left.tokens));
    }
    if (m_services.ledger) {
        const BudgetRemaining left = m_services.ledger->tightest(m_subject);
        if (!left.isEmpty())
            h.set("x-tokenfuse-budget-remaining", left.headerValue().toUtf8());
    }
    return h;
}

void ProxyExchange::onResponseStarted(int status, const HttpHeaders &headers)
{
    m_upstreamStatus = status;
    m_upstreamHeaders = headers;
    const bool sse = headers.value("content-type").startsWith("text/event-stream");
    if (status != 200 || !sse || !m_responder)
        return; // answered whole in onFinished
    m_streaming = true;
    if (m_chat) {
        m_meter = m_dialect.newStreamMeter(*m_chat);
        m_meter->setGate([this](const StreamMeter &meter) { return allowProgress(meter); });
    }
    HttpHeaders h = clientHeaders(headers);
    h.set("cache-control", "no-cache");
    m_responder->beginStream(200, h);
}

void ProxyExchange::onData(const QByteArray &data)
{
    if (!m_streaming) {
        m_body += data;
        if (m_body.size() > kMaxBufferedResponse)
            fail(Dialect::Error::UpstreamError, QStringLiteral("upstream_error"),
                 QStringLiteral("Upstream '%1' sent a response larger than %2 bytes.").arg(m_upstream.name).arg(kMaxBufferedResponse));
        return;
    }
    const bool hadContent = m_meter && m_meter->sawFirstContent();
    const QByteArray out = m_meter ? m_meter->feed(data) : data;
    if (m_row.ttftMs < 0 && (m_meter ? (!hadContent && m_meter->sawFirstContent()) : !out.isEmpty()))
        m_row.ttftMs = m_clock.elapsed();
    if (!out.isEmpty() && m_responder)
        m_responder->writeChunk(out);
    if (m_meter && m_meter->wasStopped() && m_cut)
        cutStream(*m_cut);
}

TokenUsage ProxyExchange::usageSoFar() const
{
    const qint64 estimate = m_chat ? m_chat->promptEstimate : 0;
    if (m_meter)
        return m_meter->usage(estimate);
    TokenUsage u;
    u.promptTokens = estimate;
    return u;
}

void ProxyExchange::onFinished()
{
    if (m_streaming) {
        QString error;
        if (m_meter && m_meter->sawError())
            error = QStringLiteral("upstream_stream_error");
        else if (m_meter && m_meter->sawMalformed())
            error = QStringLiteral("upstream_malformed");
        else if (m_meter && !m_meter->sawTerminal())
            error = QStringLiteral("upstream_incomplete");
        record(200, error, usageSoFar(), [this] {
            if (m_responder) {
                if (m_meter)
                    m_responder->writeChunk(m_meter->takeTerminal());
                m_responder->endStream();
            }
            finishUp();
        });
        return;
    }
    if (m_row.ttftMs < 0)
        m_row.ttftMs = m_clock.elapsed();
    TokenUsage usage;
    QString error;
    if (m_upstreamStatus >= 200 && m_upstreamStatus < 300) {
        usage = m_chat ? m_dialect.usageFromResponse(m_body) : genericUsage(m_body);
        if (!usage.reported && m_chat) {
            // No usage from the upstream: count the prompt as estimated and the whole answer as output.
            usage.promptTokens = m_chat->promptEstimate;
            usage.completionTokens = TokenEstimator::estimateText(QString::fromUtf8(m_body));
        }
    } else {
        error = QStringLiteral("upstream_status_%1").arg(m_upstreamStatus);
    }
    const int status = m_upstreamStatus;
    record(status, error, usage, [this, status] {
        if (m_responder)
            m_responder->respond(status, clientHeaders(m_upstreamHeaders), m_body);
        finishUp();
    });
}

void ProxyExchange::onFailed(int failure, const QString &message)
{
    const auto f = UpstreamCall::Failure(failure);
    if (f == UpstreamCall::Failure::Aborted)
        return;
    const bool timeout = f == UpstreamCall::Failure::ConnectTimeout || f == UpstreamCall::Failure::FirstByteTimeout
        || f == UpstreamCall::Failure::IdleTimeout || f == UpstreamCall::Failure::TotalTimeout;
    QString kind = timeout ? QStringLiteral("upstream_timeout") : QStringLiteral("upstream_error");
    if (f == UpstreamCall::Failure::ClosedEarly && m_streaming)
        kind = QStringLiteral("upstream_disconnected");
    fail(timeout ? Dialect::Error::UpstreamTimeout : Dialect::Error::UpstreamError, kind, message);
}

void ProxyExchange::fail(Dialect::Error error, const QString &kind, const QString &message)
{
    if (m_recorded)
        return;
    dropUpstream();
    if (m_streaming) {
        // The client already has a 200: end the stream with an error event its SDK raises.
        if (m_responder)
            m_responder->writeChunk(m_dialect.streamErrorEvent(error, message));
        record(200, kind, usageSoFar(), [this] {
            if (m_responder)
                m_responder->endStream();
            finishUp();
        });
        return;
    }
    const int status = Dialect::statusOf(error);
    record(status, kind, usageSoFar(), [this, error, status, message] {
        if (m_responder) {
            HttpHeaders h;
            h.add("content-type", "application/json");
            h.add("x-tokenfuse-request-id", m_row.id.toUtf8());
            h.add("x-tokenfuse-session", m_row.session.toUtf8());
            m_responder->respond(status, h, m_dialect.errorBody(error, message));
        }
        finishUp();
    });
}

void ProxyExchange::cancel(Dialect::Error error, const QString &message)
{
    fail(error, QStringLiteral("cancelled"), message);
}

void ProxyExchange::onClientGone()
{
    if (m_recorded)
        return;
    // Stop the upstream at once so the provider stops generating; what arrived so far is billed.
    dropUpstream();
    record(m_streaming ? 200 : 499, QStringLiteral("client_closed"), usageSoFar(), [this] { finishUp(); });
}

void ProxyExchange::record(int status, const QString &error, TokenUsage usage, std::function<void()> then)
{
    if (m_recorded)
        return;
    m_recorded = true;
    m_row.endedAt = QDateTime::currentMSecsSinceEpoch();
    m_row.latencyMs = m_clock.elapsed();
    m_row.status = status;
    m_row.error = error;
    m_row.promptTokens = usage.promptTokens;
    m_row.cachedTokens = usage.cachedTokens;
    m_row.completionTokens = usage.completionTokens;
    m_row.estimated = !usage.reported && (usage.promptTokens > 0 || usage.completionTokens > 0);
    if (m_services.prices) {
        const Price price = m_services.prices->priceFor(m_row.model);
        m_row.costMicros = m_services.prices->costMicros(price, usage.promptTokens, usage.cachedTokens, usage.completionTokens);
        m_row.currency = price.currency;
        m_row.priceKnown = !price.isFallback;
    }
    // Settle: the reservation becomes the real usage, in the counters and on disk together.
    QList<CounterDelta> spend;
    if (m_reserved) {
        BudgetDemand real;
        real.tokens = usage.promptTokens + usage.completionTokens;
        real.promptTokens = usage.promptTokens;
        real.costMicros = m_row.costMicros;
        spend = m_services.ledger->settle(m_row.id, real, m_forwarded);
        m_reserved = false;
    }
    if (m_rateTicket) {
        m_services.rates->release(m_rateTicket, usage.promptTokens + usage.completionTokens);
        m_rateTicket = 0;
    }
    if (m_services.recorded)
        m_services.recorded(m_row);
    if (!m_services.store) {
        if (then)
            then();
        return;
    }
    QPointer<ProxyExchange> self(this);
    m_services.store->record(m_row, spend, [self, then = std::move(then)] {
        if (self && then)
            then();
    });
}

void ProxyExchange::finishUp()
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_call) {
        m_call->deleteLater();
        m_call = nullptr;
    }
    Q_EMIT done();
}
