#include "ProxyExchange.h"

#include "KeyRedactor.h"
#include "RequestId.h"
#include "accounting/PriceTable.h"
#include "accounting/TokenEstimator.h"
#include "budget/BudgetLedger.h"
#include "budget/RateLimiter.h"
#include "dialect/JsonBody.h"
#include "session/PromptDigest.h"
#include "dialect/OpenAiDialect.h"
#include "dialect/ResponsesDialect.h"
#include "AgentRefusal.h"
#include "core/MemoryRelease.h"
#include "dialect/StreamMeter.h"
#include "http/HttpResponder.h"
#include "keys/VirtualKeyRegistry.h"
#include "store/StoreRecords.h"
#include "store/UsageStore.h"
#include "upstream/UpstreamCall.h"
#include "upstream/UpstreamClient.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace {
constexpr qint64 kMaxBufferedResponse = 64 * 1024 * 1024;
// An exchange that held more than this (request and answer together) asks for the freed heap to be
// given back once it is gone.
constexpr qint64 kLargeExchangeBytes = 1024 * 1024;

// Usage from a JSON body of an endpoint TokenFuse forwards without knowing it: whichever of the
// two OpenAI usage shapes it carries (Responses-style input/output tokens, or prompt/completion).
TokenUsage genericUsage(const QByteArray &body)
{
    const QJsonObject usage = QJsonDocument::fromJson(body).object().value(QLatin1String("usage")).toObject();
    if (usage.contains(QLatin1String("input_tokens")) || usage.contains(QLatin1String("output_tokens")))
        return ResponsesDialect::usageFromJson(usage);
    if (usage.contains(QLatin1String("prompt_tokens")) || usage.contains(QLatin1String("completion_tokens")))
        return OpenAiDialect::usageFromJson(usage);
    return {};
}

// Output-limit keys of the OpenAI- and Anthropic-style endpoints TokenFuse passes through.
constexpr std::initializer_list<const char *> kPassthroughLimitKeys = {"max_output_tokens", "max_completion_tokens", "max_tokens"};

// A budget's name as a header's quoted-string: quotes and backslashes escaped, control
// characters (which a header cannot carry) as spaces.
QByteArray quoted(const QString &text)
{
    QByteArray out = "\"";
    for (const char c : text.toUtf8()) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += (uchar(c) < 0x20 || c == 0x7f) ? ' ' : c;
    }
    return out + '"';
}

// A TokenFuse secret (virtual key, admin token) in a key header: it never leaves TokenFuse.
bool carriesOwnSecret(const QByteArray &name, const QByteArray &value)
{
    QByteArray key = value.trimmed();
    if (name == "authorization" && key.toLower().startsWith("bearer "))
        key = key.mid(7).trimmed();
    return VirtualKeyRegistry::isVirtualKey(key) || key.startsWith("tfadm_");
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
    m_row.requestHeaders = KeyRedactor::headersForDisplay(request.headers);
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
    if (m_request.body.size() + m_relayedBytes > kLargeExchangeBytes)
        MemoryRelease::releaseFreedMemory();
}

UpstreamRequest ProxyExchange::upstreamRequest() const
{
    UpstreamRequest r;
    r.url = m_upstream.urlFor(m_request.path, m_request.query);
    r.method = m_request.method;
    r.timeouts = m_upstream.timeouts;
    QByteArray changed;
    if (m_chat) {
        changed = m_dialect.upstreamBody(*m_chat);
    } else if (m_row.clampedMaxTokens > 0) {
        const QJsonObject body = JsonBody::withOutputLimit(QJsonDocument::fromJson(m_request.body).object(), m_passthroughLimitKey,
                                                           m_row.clampedMaxTokens, kPassthroughLimitKeys);
        changed = QJsonDocument(body).toJson(QJsonDocument::Compact);
    }
    r.body = changed.isEmpty() ? m_request.body : changed;
    // The provider's name for the model: its alias on this upstream, or a fallback model.
    const QString send = m_upstream.providerModel(m_row.model);
    if (!m_row.model.isEmpty() && (send != m_row.model || !m_row.fallbackFrom.isEmpty())) {
        QJsonObject body = QJsonDocument::fromJson(r.body).object();
        if (body.value(QLatin1String("model")).toString() != send) {
            body.insert(QLatin1String("model"), send);
            r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
        }
    }
    for (const auto &f : m_request.headers.fields()) {
        const QByteArray &n = f.first;
        // Hop-by-hop fields, framing, and what identifies the caller to TokenFuse stay here.
        if (n == "host" || n == "connection" || n == "keep-alive" || n == "content-length" || n == "transfer-encoding"
            || n == "te" || n == "upgrade" || n == "expect" || n == "accept-encoding" || n == "proxy-authorization"
            || n == "x-tenant-id" || n == "x-session-id")
            continue;
        // What a browser adds about the page and its user is nobody's business upstream.
        if (n == "cookie" || n == "origin" || n == "referer" || n.startsWith("sec-fetch-"))
            continue;
        if ((n == "authorization" || n == "x-api-key") && (!m_upstream.apiKey.isEmpty() || carriesOwnSecret(n, f.second)))
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
    // The reservation is on disk before the request leaves: a crash from here on can only ever
    // settle it at its worst case, never hand the budget back.
    enter(m_reserved && m_services.store ? Phase::Reserving : Phase::Forwarding);
}

const char *ProxyExchange::phaseName(Phase phase)
{
    switch (phase) {
    case Phase::Admitting: return "admitting";
    case Phase::Reserving: return "reserving";
    case Phase::Forwarding: return "forwarding";
    case Phase::Streaming: return "streaming";
    case Phase::Buffering: return "buffering";
    case Phase::Cut: return "cut";
    case Phase::Settling: return "settling";
    case Phase::Done: return "done";
    }
    return "?";
}

bool ProxyExchange::allowed(Phase from, Phase to)
{
    switch (to) {
    case Phase::Admitting: return false;
    case Phase::Reserving: return from == Phase::Admitting;
    // From Forwarding or Buffering again: another attempt, nothing of the answer having reached the client.
    case Phase::Forwarding: return from == Phase::Admitting || from == Phase::Reserving || from == Phase::Forwarding || from == Phase::Buffering;
    case Phase::Streaming:
    case Phase::Buffering: return from == Phase::Forwarding;
    case Phase::Cut: return from == Phase::Streaming;
    // Refused, failed, cancelled, the client gone, or simply complete: from anywhere before it.
    case Phase::Settling: return from != Phase::Settling && from != Phase::Done;
    case Phase::Done: return from == Phase::Settling;
    }
    return false;
}

void ProxyExchange::enter(Phase next)
{
    if (!allowed(m_phase, next)) {
        qWarning("ProxyExchange %s: %s -> %s is not a step of its path", qPrintable(m_row.id), phaseName(m_phase), phaseName(next));
        Q_ASSERT_X(false, "ProxyExchange::enter", "phase step not allowed");
    }
    m_phase = next;
    Q_EMIT phaseChanged(next);
    switch (next) {
    case Phase::Reserving: return reserve();
    case Phase::Forwarding: return forward();
    case Phase::Streaming: return beginStream();
    case Phase::Cut:
        // Stop the provider generating (and billing) at once, then tell the client why in its own
        // dialect: an error event its SDK raises in the caller's loop, and no normal end.
        dropUpstream();
        if (m_responder && m_cut)
            m_responder->writeChunk(streamError(Dialect::Error::BudgetExceeded, m_cut->message));
        return;
    case Phase::Done:
        if (m_call) {
            m_call->deleteLater();
            m_call = nullptr;
        }
        Q_EMIT done();
        return;
    case Phase::Admitting:
    case Phase::Buffering:
    case Phase::Settling: // record() does the settling: it knows the usage
        return;
    }
}

void ProxyExchange::reserve()
{
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
    m_services.store->reserve(r, [self](const StoreOutcome &outcome) {
        if (!self || self->m_phase != Phase::Reserving)
            return; // cancelled, or the client went, while it was being written
        if (outcome.committed())
            return self->enter(Phase::Forwarding);
        // Spend that could not be recorded is not allowed: the request goes no further.
        HttpHeaders h;
        h.add("retry-after", "5");
        self->refuse(Dialect::Error::StoreUnavailable, QStringLiteral("store_unavailable"),
                     QStringLiteral("TokenFuse cannot record spend, so the request was not forwarded: its usage store "
                                    "cannot write (%1). Free disk space or fix the data directory; TokenFuse resumes by "
                                    "itself, so retry shortly.").arg(outcome.error), h);
    });
}

bool ProxyExchange::needsAdmission() const
{
    if (!m_services.ledger && !m_services.rates)
        return false;
    return mayCost();
}

bool ProxyExchange::mayCost() const
{
    if (m_chat)
        return true;
    // Listing models and counting tokens (Anthropic's count_tokens, Responses' input_tokens) cost
    // nothing; any other POST may.
    return m_request.method == "POST" && !m_request.path.endsWith("/count_tokens") && !m_request.path.endsWith("/input_tokens");
}

bool ProxyExchange::admit()
{
    m_subject = BudgetSubject{m_row.tenant, m_row.session, m_row.model};
    if (m_services.prices)
        m_price = m_services.prices->priceFor(m_row.model);
    BudgetOutputDemand demand;
    demand.defaultOutput = m_services.defaultMaxTokens;
    demand.price = m_price;
    if (m_chat) {
        demand.promptTokens = m_chat->promptEstimate;
        demand.requestedOutput = m_chat->maxTokens;
    } else {
        const QJsonObject body = QJsonDocument::fromJson(m_request.body).object();
        demand.promptTokens = TokenEstimator::estimateOpenAiRequest(body);
        QString why;
        const std::optional<qint64> limit = JsonBody::readOutputLimit(body, kPassthroughLimitKeys, &m_passthroughLimitKey, &why);
        if (!limit) {
            refuse(Dialect::Error::InvalidRequest, QStringLiteral("invalid_request"), why, {});
            return false;
        }
        demand.requestedOutput = *limit;
        // Only a limit the client sent can be lowered: what an unknown endpoint would make of an
        // injected one is not TokenFuse's to guess.
        demand.clampable = !m_passthroughLimitKey.isEmpty();
        if (m_request.path.endsWith("/embeddings")) {
            demand.requestedOutput = 0;
            demand.clampable = false;
        }
    }
    m_requestedOutput = demand.requestedOutput;

    // Budgets first, so rate limits see the output limit that will be forwarded. Both run on the
    // gateway thread: no other admission interleaves; a 429 below settles the reservation unspent.
    qint64 maxOutput = demand.requestedOutput >= 0 ? demand.requestedOutput : demand.defaultOutput;
    if (m_services.ledger) {
        const BudgetAdmission budget = m_services.ledger->reserveOutput(m_subject, demand, m_row.id);
        if (!budget.admitted()) {
            HttpHeaders h;
            h.add("x-should-retry", "false");
            refuse(Dialect::Error::BudgetExceeded, QStringLiteral("budget_exceeded"), budget.denial->message, h);
            return false;
        }
        m_reserved = true;
        maxOutput = budget.outputTokens;
        if (budget.clamped()) {
            m_clampedBy = budget.clampedBy;
            m_row.clampedMaxTokens = maxOutput;
            if (m_chat)
                m_chat->forwardMaxTokens = maxOutput;
        } else if (budget.spendCapped && m_chat && m_chat->maxTokens < 0) {
            // No limit sent, and the default fits: the reservation assumed the default, so the
            // upstream is held to it too, or a whole (non-streamed) answer could pass the cap.
            m_clampedBy = QStringLiteral("default_max_tokens");
            m_row.clampedMaxTokens = maxOutput;
            m_chat->forwardMaxTokens = maxOutput;
        }
    }
    m_worst.promptTokens = demand.promptTokens;
    m_worst.tokens = demand.promptTokens + maxOutput;
    m_worst.promptCostMicros = PriceTable::costMicros(m_price, demand.promptTokens, 0, 0);
    m_worst.costMicros = PriceTable::costMicros(m_price, demand.promptTokens, 0, maxOutput);

    if (m_services.rates) {
        const RateAdmission rate = m_services.rates->admit(m_subject, m_worst.tokens);
        if (!rate.admitted()) {
            const RateDenial &d = *rate.denial;
            HttpHeaders h;
            h.add("retry-after", QByteArray::number(qMax<qint64>(1, (d.retryAfterMs + 999) / 1000)));
            h.add("retry-after-ms", QByteArray::number(qMax<qint64>(1, d.retryAfterMs)));
            h.add("x-should-retry", "true");
            m_row.clampedMaxTokens = 0; // nothing was forwarded
            m_clampedBy.clear();
            refuse(Dialect::Error::RateLimited, QStringLiteral("rate_limited"), d.message, h);
            return false;
        }
        m_rateTicket = rate.ticket;
    }
    return true;
}

void ProxyExchange::refuse(Dialect::Error error, const QString &kind, const QString &message, const HttpHeaders &extra)
{
    const int status = AgentRefusal::statusFor(m_request, Dialect::statusOf(error));
    if (m_responder) {
        HttpHeaders h = extra;
        if (status != Dialect::statusOf(error))
            h.add("x-tokenfuse-status", QByteArray::number(Dialect::statusOf(error)));
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
    m_call = m_services.client->start(upstreamRequest());
    ++m_attempts;
    m_row.upstream = m_upstream.name;
    m_attemptOpen = true;
    if (m_services.upstreamStarted)
        m_services.upstreamStarted(m_upstream.name);
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

void ProxyExchange::cutStream()
{
    if (m_phase != Phase::Streaming || !m_cut)
        return;
    enter(Phase::Cut);
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
    h.set("x-tokenfuse-upstream", m_upstream.name.toUtf8());
    h.set("x-tokenfuse-attempts", QByteArray::number(std::max(1, m_attempts)));
    if (!m_row.fallbackFrom.isEmpty())
        h.set("x-tokenfuse-fallback", m_row.fallbackFrom.toUtf8() + " -> " + m_row.model.toUtf8());
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
    // "184; requested=64000; rule="session * in total"": what went upstream instead of what was asked.
    if (!m_clampedBy.isEmpty())
        h.set("x-tokenfuse-max-tokens-clamped", QByteArray::number(m_row.clampedMaxTokens) + "; requested="
                  + (m_requestedOutput >= 0 ? QByteArray::number(m_requestedOutput) : QByteArray("none"))
                  + "; rule=" + quoted(m_clampedBy));
    return h;
}

void ProxyExchange::onResponseStarted(int status, const HttpHeaders &headers)
{
    m_reachedUpstream = true;
    m_upstreamStatus = status;
    m_upstreamHeaders = headers;
    if (m_phase != Phase::Forwarding)
        return;
    const bool sse = headers.value("content-type").startsWith("text/event-stream");
    // Anything but a 200 event stream to a client still there is answered whole in onFinished.
    enter(status == 200 && sse && m_responder ? Phase::Streaming : Phase::Buffering);
}

void ProxyExchange::beginStream()
{
    m_row.stream = true;
    if (m_chat) {
        m_meter = m_dialect.newStreamMeter(*m_chat);
        m_meter->setGate([this](const StreamMeter &meter) { return allowProgress(meter); });
    }
    HttpHeaders h = clientHeaders(m_upstreamHeaders);
    h.set("cache-control", "no-cache");
    // A client that reads slowly holds the upstream back (onData pauses it) instead of the stream
    // piling up in the gateway's memory; it goes on once the client has taken most of it.
    connect(m_responder, &HttpResponder::drained, this, [this] {
        if (m_call)
            m_call->setReadPaused(false);
    });
    m_responder->beginStream(200, h);
}

void ProxyExchange::onData(const QByteArray &data)
{
    m_relayedBytes += data.size();
    if (m_phase == Phase::Buffering) {
        m_body += data;
        if (m_body.size() > kMaxBufferedResponse) {
            m_upstreamFailure = QStringLiteral("response over %1 bytes").arg(kMaxBufferedResponse);
            fail(Dialect::Error::UpstreamError, QStringLiteral("upstream_error"),
                 QStringLiteral("Upstream '%1' sent a response larger than %2 bytes.").arg(m_upstream.name).arg(kMaxBufferedResponse));
        }
        return;
    }
    if (m_phase != Phase::Streaming)
        return;
    const bool hadContent = m_meter && m_meter->sawFirstContent();
    const QByteArray out = m_meter ? m_meter->feed(data) : data;
    // A stream of unknown shape is billed by what it relayed (split words and characters only
    // ever count more).
    if (!m_meter)
        m_relayedTokens += TokenEstimator::estimateText(QString::fromUtf8(data));
    if (m_row.ttftMs < 0 && (m_meter ? (!hadContent && m_meter->sawFirstContent()) : !out.isEmpty()))
        m_row.ttftMs = m_clock.elapsed();
    if (!out.isEmpty() && m_responder) {
        m_responder->writeChunk(out);
        if (m_call && m_responder->isCongested())
            m_call->setReadPaused(true);
    }
    if (m_meter && m_meter->wasStopped() && m_cut)
        cutStream();
    else if (m_meter && m_meter->sawMalformed() && m_phase == Phase::Streaming) {
        m_upstreamFailure = QStringLiteral("malformed stream event");
        fail(Dialect::Error::UpstreamError, QStringLiteral("upstream_malformed"),
             QStringLiteral("Upstream '%1' sent a malformed stream event (not JSON); TokenFuse ended the stream there rather than pass it on.")
                 .arg(m_upstream.name));
    }
}

TokenUsage ProxyExchange::usageSoFar() const
{
    // A request TokenFuse forwarded without knowing its shape was estimated at admission.
    const qint64 estimate = m_chat ? m_chat->promptEstimate : m_worst.promptTokens;
    if (m_meter)
        return m_meter->usage(estimate);
    TokenUsage u;
    u.promptTokens = estimate;
    u.completionTokens = m_relayedTokens;
    return u;
}

QByteArray ProxyExchange::streamError(Dialect::Error error, const QString &message) const
{
    const QByteArray event = m_dialect.streamErrorEvent(error, message);
    return m_meter ? m_meter->inSequence(event) : event;
}

void ProxyExchange::onFinished()
{
    if (m_phase != Phase::Streaming && m_phase != Phase::Buffering && m_phase != Phase::Forwarding)
        return;
    if (m_phase == Phase::Streaming) {
        QString error;
        if (m_meter && m_meter->sawError())
            error = QStringLiteral("upstream_stream_error");
        else if (m_meter && m_meter->sawMalformed())
            error = QStringLiteral("upstream_malformed");
        else if (m_meter && !m_meter->sawTerminal())
            error = QStringLiteral("upstream_incomplete");
        if (!error.isEmpty())
            m_upstreamFailure = error;
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
        if (!usage.reported && mayCost()) {
            // No usage from the upstream: count the prompt as estimated and the whole answer as
            // output, so the reservation is never handed back for tokens nobody reported.
            usage = usageSoFar();
            usage.completionTokens = TokenEstimator::estimateText(QString::fromUtf8(m_body));
        }
    } else {
        if (RetryPolicy::retryableStatus(m_upstreamStatus)) {
            RetryPolicy::Attempt attempt;
            attempt.failure = RetryPolicy::Failure::Status;
            attempt.status = m_upstreamStatus;
            attempt.retryAfter = m_upstreamHeaders.value("retry-after");
            m_upstreamFailure = QString::number(m_upstreamStatus);
            if (retryOrFailOver(attempt))
                return;
        }
        error = QStringLiteral("upstream_status_%1").arg(m_upstreamStatus);
        // The upstream's fault: busy, rate-limited, broken. A 4xx the client caused is not.
        if (m_upstreamStatus == 429 || m_upstreamStatus >= 500)
            m_upstreamFailure = QString::number(m_upstreamStatus);
        // An error body may echo the key it was sent (a 401 quoting it): the client never sees it.
        m_body = KeyRedactor::redact(m_body, m_upstream.apiKey.toUtf8());
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
    // Refused at the door (no connection, no TLS): the provider never saw the prompt.
    if (f != UpstreamCall::Failure::Connect && f != UpstreamCall::Failure::Tls && f != UpstreamCall::Failure::ConnectTimeout)
        m_reachedUpstream = true;
    const bool timeout = f == UpstreamCall::Failure::ConnectTimeout || f == UpstreamCall::Failure::FirstByteTimeout
        || f == UpstreamCall::Failure::IdleTimeout || f == UpstreamCall::Failure::TotalTimeout;
    QString kind = timeout ? QStringLiteral("upstream_timeout") : QStringLiteral("upstream_error");
    m_upstreamFailure = message.isEmpty() ? kind : message;
    if (m_phase == Phase::Forwarding) {
        RetryPolicy::Attempt attempt;
        attempt.failure = f == UpstreamCall::Failure::Tls ? RetryPolicy::Failure::Tls
            : timeout                                     ? RetryPolicy::Failure::Timeout
            : f == UpstreamCall::Failure::Connect         ? RetryPolicy::Failure::Connect
                                                          : RetryPolicy::Failure::ClosedAfterWrite;
        // A total time-out is the client's whole budget of time: not worth another go.
        if (f != UpstreamCall::Failure::TotalTimeout && f != UpstreamCall::Failure::IdleTimeout && retryOrFailOver(attempt))
            return;
    }
    if (f == UpstreamCall::Failure::ClosedEarly && m_phase == Phase::Streaming)
        kind = QStringLiteral("upstream_disconnected");
    const QString text = m_attempts > 1
        ? QStringLiteral("%1 (after %2 attempts: %3)").arg(message).arg(m_attempts).arg(m_tried.join(QLatin1String("; ")))
        : message;
    fail(timeout ? Dialect::Error::UpstreamTimeout : Dialect::Error::UpstreamError, kind, text);
}

void ProxyExchange::endAttempt()
{
    if (!m_attemptOpen)
        return;
    m_attemptOpen = false;
    if (m_services.upstreamEnded)
        m_services.upstreamEnded(m_upstream.name, m_row.model, m_clock.elapsed(), m_row.ttftMs, m_upstreamFailure);
}

bool ProxyExchange::retryOrFailOver(const RetryPolicy::Attempt &attempt)
{
    if (!m_services.retry || !m_responder)
        return false;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const RetryPolicy::Decision d = m_services.retry->next(attempt, m_attempts, m_clock.elapsed(), now, QRandomGenerator::global()->generateDouble());
    m_tried << QStringLiteral("%1: %2").arg(m_upstream.name, m_upstreamFailure);
    if (!m_triedNames.contains(m_upstream.name))
        m_triedNames << m_upstream.name;
    endAttempt();
    if (!d.retry)
        return false;
    // Another healthy upstream goes at once; the same one again after the policy's wait.
    std::optional<UpstreamConfig> next = m_services.reroute ? m_services.reroute(m_row.model, m_dialect.id(), m_triedNames) : m_upstream;
    if (!next)
        return false;
    const bool other = next->name != m_upstream.name;
    const QString from = m_upstream.name;
    m_upstream = *next;
    if (other)
        Q_EMIT failedOver(from, m_upstream.name);
    dropUpstream();
    m_upstreamStatus = 0;
    m_upstreamHeaders = HttpHeaders();
    m_body.clear();
    m_upstreamFailure.clear();
    m_row.ttftMs = -1;
    const auto again = [this] {
        if ((m_phase == Phase::Forwarding || m_phase == Phase::Buffering) && !m_call)
            enter(Phase::Forwarding);
    };
    if (other)
        again();
    else
        QTimer::singleShot(int(d.delayMs), this, again);
    return true;
}

void ProxyExchange::fail(Dialect::Error error, const QString &kind, const QString &message)
{
    if (m_phase == Phase::Settling || m_phase == Phase::Done)
        return;
    dropUpstream();
    if (isStreaming()) {
        // The client already has a 200: end the stream with an error event its SDK raises.
        if (m_responder)
            m_responder->writeChunk(streamError(error, message));
        record(200, kind, usageSoFar(), [this] {
            if (m_responder)
                m_responder->endStream();
            finishUp();
        });
        return;
    }
    // A session blocked while its answer was on the way is as final as one refused at the door
    // (Gateway::respondError): said so, and sent to Codex as 400 so it does not retry.
    const bool blocked = error == Dialect::Error::SessionBlocked;
    const int status = blocked ? AgentRefusal::statusFor(m_request, Dialect::statusOf(error)) : Dialect::statusOf(error);
    // Forwarded, and every attempt refused before the request went in: nothing to bill.
    TokenUsage usage = usageSoFar();
    if (m_attempts > 0 && !m_reachedUpstream) {
        usage = TokenUsage();
        usage.reported = true;
    }
    record(status, kind, usage, [this, error, status, message, blocked] {
        if (m_responder) {
            HttpHeaders h;
            h.add("content-type", "application/json");
            if (blocked)
                h.add("x-should-retry", "false");
            if (status != Dialect::statusOf(error))
                h.add("x-tokenfuse-status", QByteArray::number(Dialect::statusOf(error)));
            if (m_attempts > 0) {
                h.add("x-tokenfuse-upstream", m_upstream.name.toUtf8());
                h.add("x-tokenfuse-attempts", QByteArray::number(m_attempts));
            }
            h.add("x-tokenfuse-request-id", m_row.id.toUtf8());
            h.add("x-tokenfuse-session", m_row.session.toUtf8());
            m_responder->respond(status, h, m_dialect.errorBody(error, message));
        }
        finishUp();
    });
}

void ProxyExchange::cancel(Dialect::Error error, const QString &message, const QString &kind)
{
    // The gateway's one way to end an exchange early: through fail() and record() into Settling,
    // whatever phase it is in (a reservation still being written is then never forwarded).
    fail(error, kind, message);
}

void ProxyExchange::onClientGone()
{
    if (m_phase == Phase::Settling || m_phase == Phase::Done)
        return;
    // Stop the upstream at once so the provider stops generating; what arrived so far is billed.
    dropUpstream();
    record(isStreaming() ? 200 : 499, QStringLiteral("client_closed"), usageSoFar(), [this] { finishUp(); });
}

void ProxyExchange::record(int status, const QString &error, TokenUsage usage, std::function<void()> then)
{
    if (m_phase == Phase::Settling || m_phase == Phase::Done)
        return;
    // The reservation is settled as forwarded once the request may have reached the upstream.
    const bool forwarded = m_phase != Phase::Admitting && m_phase != Phase::Reserving;
    enter(Phase::Settling);
    m_row.endedAt = QDateTime::currentMSecsSinceEpoch();
    m_row.latencyMs = m_clock.elapsed();
    endAttempt();
    m_row.attempts = m_attempts; // 0: refused before any attempt
    m_row.status = status;
    m_row.error = error;
    m_row.promptTokens = usage.promptTokens;
    m_row.cachedTokens = usage.cachedTokens;
    m_row.completionTokens = usage.completionTokens;
    m_row.reasoningTokens = usage.reasoningTokens;
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
        spend = m_services.ledger->settle(m_row.id, real, forwarded);
        m_reserved = false;
    }
    if (m_rateTicket) {
        m_services.rates->release(m_rateTicket, usage.promptTokens + usage.completionTokens);
        m_rateTicket = 0;
    }
    if (m_services.answered && m_upstreamStatus == 200) {
        // What the upstream answered, for the loop detector's ping-pong signal (cut short or not).
        const QString text = m_meter ? m_meter->outputText() : (m_chat ? m_dialect.outputText(m_body) : QString());
        if (!text.isEmpty())
            m_services.answered(m_row, text);
    }
    if (m_services.recorded)
        m_services.recorded(m_row);
    if (!m_services.store) {
        if (then)
            then();
        return;
    }
    QPointer<ProxyExchange> self(this);
    // Held (the disk fails, the row waits in memory) or not, the request has happened: answer it.
    m_services.store->record(m_row, spend, [self, then = std::move(then)](const StoreOutcome &) {
        if (self && then)
            then();
    });
}

void ProxyExchange::finishUp()
{
    if (m_phase != Phase::Done)
        enter(Phase::Done);
}

QString ProxyExchange::promptPreview() const
{
    if (!m_chat)
        return {};
    // The same reading of the latest turns the loop detector makes; a key in it is not for display.
    const QString latest = PromptDigest::read(m_request.path, m_chat->body).latestInput.simplified();
    constexpr qsizetype PreviewChars = 200; // what SessionView::lastPrompt promises
    return KeyRedactor::scrubLikelyKeys(latest.left(PreviewChars * 2)).left(PreviewChars);
}
