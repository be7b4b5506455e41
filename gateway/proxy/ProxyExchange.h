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
class ProxyExchange : public QObject
{
    Q_OBJECT
public:
    ProxyExchange(const ProxyServices &services, const HttpRequest &request, HttpResponder *responder,
                  const Dialect &dialect, std::optional<ChatRequest> chat, const UpstreamConfig &upstream,
                  const CallerIdentity &caller, QObject *parent = nullptr);
    ~ProxyExchange() override;

    void start();
    // Ends the exchange from the gateway's side (shutdown now; session kills later).
    void cancel(Dialect::Error error, const QString &message);

    const QString &id() const { return m_row.id; }
    const QString &session() const { return m_row.session; }
    const QString &tenant() const { return m_row.tenant; }
    bool isStreaming() const { return m_streaming; }

Q_SIGNALS:
    void done();

private:
    bool needsAdmission() const;
    bool mayCost() const;
    // Rate limits and budgets; false when the request was refused (and answered).
    bool admit();
    void refuse(Dialect::Error error, const QString &kind, const QString &message, const HttpHeaders &extra);
    void forward();
    bool allowProgress(const StreamMeter &meter);
    void cutStream(const BudgetDenial &denial);
    void dropUpstream();
    void onResponseStarted(int status, const HttpHeaders &headers);
    void onData(const QByteArray &data);
    void onFinished();
    void onFailed(int failure, const QString &message);
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
    bool m_streaming = false;
    qint64 m_relayedTokens = 0; // estimated from a stream no dialect meters
    // Admission.
    BudgetSubject m_subject;
    Price m_price;
    BudgetDemand m_worst;
    qint64 m_requestedOutput = -1; // the client's output limit, -1: none sent
    QString m_clampedBy;           // the budget that clamped the output limit; empty: not clamped
    QByteArray m_passthroughLimitKey; // a passthrough body's output-limit key, empty: none sent
    bool m_reserved = false;       // the ledger holds a reservation under m_row.id
    quint64 m_rateTicket = 0;      // 0: none held
    bool m_forwarded = false;      // the request went (or is going) upstream
    qint64 m_lastProgressTokens = -1;
    std::optional<BudgetDenial> m_cut;
    bool m_recorded = false;
    bool m_finished = false;
};
