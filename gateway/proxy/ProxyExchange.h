#pragma once

#include "CallerIdentity.h"
#include "ProxyServices.h"
#include "accounting/Price.h"
#include "accounting/UsageRecord.h"
#include "budget/BudgetDemand.h"
#include "budget/BudgetDenial.h"
#include "budget/BudgetSubject.h"
#include "config/UpstreamConfig.h"
#include "dialect/ChatRequest.h"
#include "dialect/Dialect.h"
#include "http/HttpRequest.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

#include <memory>
#include <optional>

class HttpResponder;
class StreamMeter;
class UpstreamCall;

// One client request on its way through the gateway. Admission first: rate limits, then its
// worst case reserved against every budget, and that reservation stored, before anything goes
// upstream. Then it forwards the request, relays the answer (stream events as they arrive, each
// counted against the budgets, the stream cut the moment one runs out), settles the reservation
// to the real usage in the same transaction as the request's row, and only then lets the client
// see the end of the response, so a completed response is never missing from the store.
// Where it is in that path is one Phase, changed only by enter(), which checks the step is allowed.
class ProxyExchange : public QObject
{
    Q_OBJECT
public:
    // Admitting → [Reserving →] Forwarding → Streaming [→ Cut] | Buffering → Settling → Done.
    // Any phase before Settling may go straight to Settling (refused, failed, cancelled, client gone).
    enum class Phase {
        Admitting,  // rate limits and budgets being checked (synchronous, in start())
        Reserving,  // the budget reservation being written to the store; nothing sent yet
        Forwarding, // the request sent upstream, no answer yet
        Streaming,  // a 200 event stream being relayed to the client, each event gated by the budgets
        Buffering,  // a whole (non-streamed, or error) answer arriving, held until it is complete
        Cut,        // a budget ran out mid-stream: upstream dropped, the client told in its dialect
        Settling,   // the row (and the settled reservation) being committed; then the client sees the end
        Done,       // answered and recorded; done() emitted
    };
    Q_ENUM(Phase)

    ProxyExchange(const ProxyServices &services, const HttpRequest &request, HttpResponder *responder,
                  const Dialect &dialect, std::optional<ChatRequest> chat, const UpstreamConfig &upstream,
                  const CallerIdentity &caller, QObject *parent = nullptr);
    ~ProxyExchange() override;

    void start();
    // The client asked for `model`, every upstream of which is down; this exchange serves the
    // fallback model it was made with instead (said in x-tokenfuse-fallback and on the row).
    void setFallbackFrom(const QString &model) { m_row.fallbackFrom = model; }
    // Ends the exchange from the gateway's side (shutdown now; session kills later): from any phase
    // before Settling, the upstream dropped and the client answered `error` in its dialect (an error
    // event when it already has a stream); later, nothing to do.
    // `kind` is the row's error kind ("cancelled" at shutdown, "session_blocked" for a kill).
    void cancel(Dialect::Error error, const QString &message, const QString &kind = QStringLiteral("cancelled"));
    // Still on its way: cancel() would end it (it is not settling or done).
    bool isOpen() const { return m_phase != Phase::Settling && m_phase != Phase::Done; }

    Phase phase() const { return m_phase; }
    static const char *phaseName(Phase phase);
    const char *phaseName() const { return phaseName(m_phase); }

    const QString &id() const { return m_row.id; }
    const QString &session() const { return m_row.session; }
    const QString &tenant() const { return m_row.tenant; }
    const QString &process() const { return m_caller.process; }
    const QString &model() const { return m_row.model; }
    // The start of the request's latest user turn, for the console; empty when it has none.
    QString promptPreview() const;
    // Relaying an event stream to the client right now (cut or not, not yet settling).
    bool isStreaming() const { return m_phase == Phase::Streaming || m_phase == Phase::Cut; }

Q_SIGNALS:
    void phaseChanged(ProxyExchange::Phase phase);
    void done();
    // A failed attempt moved the request to another upstream (its concurrency slot goes with it).
    void failedOver(const QString &from, const QString &to);

private:
    static bool allowed(Phase from, Phase to);
    // The one way the phase changes; runs the entry work of phases that have one (Reserving,
    // Forwarding, Streaming, Cut, Done). A step not allowed is a bug: asserts in debug builds, warns otherwise.
    void enter(Phase next);
    bool needsAdmission() const;
    bool mayCost() const;
    // Rate limits and budgets; false when the request was refused (and answered).
    bool admit();
    void refuse(Dialect::Error error, const QString &kind, const QString &message, const HttpHeaders &extra);
    void reserve();
    void forward();
    void beginStream();
    bool allowProgress(const StreamMeter &meter);
    void cutStream();
    void dropUpstream();
    void onResponseStarted(int status, const HttpHeaders &headers);
    void onData(const QByteArray &data);
    void onFinished();
    void onFailed(int failure, const QString &message);
    // After a failed attempt, before anything reached the client: true when another attempt
    // follows (now or after a wait), on this upstream or the next healthy one (RetryPolicy).
    bool retryOrFailOver(const RetryPolicy::Attempt &attempt);
    // Tells the router how the attempt in flight ended.
    void endAttempt();
    void onClientGone();
    void fail(Dialect::Error error, const QString &kind, const QString &message);
    // Stores the row; `then` runs once it is committed (or at once when there is no store).
    void record(int status, const QString &error, TokenUsage usage, std::function<void()> then);
    void finishUp();
    HttpHeaders clientHeaders(const HttpHeaders &upstreamHeaders) const;
    UpstreamRequest upstreamRequest() const;
    TokenUsage usageSoFar() const;
    // The dialect's error event, fitted into the stream being relayed.
    QByteArray streamError(Dialect::Error error, const QString &message) const;

    ProxyServices m_services;
    HttpRequest m_request;
    QPointer<HttpResponder> m_responder;
    const Dialect &m_dialect;
    std::optional<ChatRequest> m_chat;
    UpstreamConfig m_upstream;
    CallerIdentity m_caller;
    UsageRecord m_row;
    QElapsedTimer m_clock;
    UpstreamCall *m_call = nullptr;
    std::unique_ptr<StreamMeter> m_meter;
    int m_upstreamStatus = 0;
    HttpHeaders m_upstreamHeaders;
    QByteArray m_body;
    qint64 m_relayedBytes = 0; // body bytes from the upstream, streamed or not
    Phase m_phase = Phase::Admitting;
    qint64 m_relayedTokens = 0; // estimated from a stream no dialect meters
    // Admission.
    BudgetSubject m_subject;
    Price m_price;
    BudgetDemand m_worst;
    qint64 m_requestedOutput = -1; // the client's output limit, -1: none sent
    QString m_clampedBy;           // the budget that clamped the output limit; empty: not clamped
    QByteArray m_passthroughLimitKey; // a passthrough body's output-limit key, empty: none sent
    // What the exchange holds, not where it is: a request with no budget (or no rate rule) goes
    // through every phase holding none, and settling gives both back, so they stay facts of their own.
    bool m_reserved = false;       // the ledger holds a reservation under m_row.id
    quint64 m_rateTicket = 0;      // 0: none held
    qint64 m_lastProgressTokens = -1;
    int m_attempts = 0;            // attempts made (forward() calls)
    QStringList m_tried;           // upstreams that failed this request, in order, with why
    QStringList m_triedNames;
    bool m_reachedUpstream = false; // some attempt's request may have been taken in (not refused at connect or TLS)
    bool m_attemptOpen = false;    // forwarded, and the upstream's outcome not yet told (upstreamEnded)
    QString m_upstreamFailure;     // what the upstream did wrong, for its breaker; empty: nothing
    std::optional<BudgetDenial> m_cut; // why the gate stopped the stream; the cut follows once the meter has stopped
};
