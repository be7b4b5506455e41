#pragma once

#include <QList>
#include <QString>

#include <array>
#include <utility>

// The circuit breaker of one upstream (or one upstream and model): whether a request may go to it
// now. Closed, it lets everything through and watches the outcomes; it opens on `consecutive`
// failures in a row, or when over the last `windowMs` at least `minRequests` ended and the share
// of failures reached `errorRate` (a response slower than `slowMs` counts as a failure). Open, it
// refuses until its cooldown has passed, then lets `halfOpenProbes` requests through at once
// (half-open): one success closes it, one failure opens it again with the cooldown doubled, up to
// `maxCooldownMs`. Every change of state is kept as a Transition for the console, the admin API,
// /metrics and the log. Pure logic on a clock the caller passes in: gateway thread only.
class UpstreamBreaker
{
public:
    enum class State { Closed, Open, HalfOpen };

    struct Policy
    {
        int consecutive = 5;
        double errorRate = 0.5;
        int minRequests = 10;
        qint64 windowMs = 30'000;
        qint64 slowMs = 0; // 0: latency never counts as a failure
        qint64 cooldownMs = 15'000;
        qint64 maxCooldownMs = 300'000;
        int halfOpenProbes = 1;
    };

    struct Transition
    {
        State from = State::Closed;
        State to = State::Closed;
        qint64 atMs = 0;
        QString reason; // for people: "5 failures in a row (last: 503)"
    };

    // How an active health check of an open breaker went (UpstreamProbe's verdicts).
    enum class Check { Healthy, Unhealthy, Unsupported };

    UpstreamBreaker() = default;
    explicit UpstreamBreaker(const Policy &policy) : m_policy(policy) {}
    // A reloaded config's policy; the state and the window stay.
    void setPolicy(const Policy &policy) { m_policy = policy; }

    // With active checks, an open breaker whose cooldown is over lets no request probe: it waits
    // for a health check (checkDue, checkStarted, checkEnded), and only a healthy one turns it
    // half-open, so recovery is noticed without sacrificing a user's request. A check the
    // upstream can't answer (Unsupported) falls back to probing with requests.
    void setActiveChecks(bool on) { m_activeChecks = on; }
    bool checkDue(qint64 nowMs) const;
    void checkStarted() { m_checkOut = true; }
    void checkEnded(qint64 nowMs, Check result, const QString &what);

    // May a request go through at `nowMs`? Past the cooldown this is the moment it turns
    // half-open; a true answer there takes one of the probes, which record() gives back.
    bool allow(qint64 nowMs);
    // What allow() would answer, without taking a probe.
    bool wouldAllow(qint64 nowMs) const;
    // How a request that allow() let through ended. `failure` is what went wrong, for the reason
    // ("503", "connect refused"); empty for a success. A success slower than slowMs counts as
    // a failure ("slow: 4.2 s").
    void record(qint64 nowMs, qint64 latencyMs, const QString &failure = QString());

    State state() const { return m_state; }
    // When an open breaker will let a probe through (0 unless open).
    qint64 retryAtMs() const { return m_state == State::Open ? m_openedAtMs + m_cooldownMs : 0; }
    QString reason() const { return m_reason; }
    // The changes of state since the last call, oldest first (at most MaxTransitionsKept: a
    // breaker nobody asks keeps only its latest).
    QList<Transition> takeTransitions() { return std::exchange(m_transitions, {}); }

    static QString stateName(State state);
    static constexpr int MaxTransitionsKept = 64;

private:
    void open(qint64 nowMs, const QString &reason);
    void close(qint64 nowMs);
    void moveTo(State to, qint64 nowMs, const QString &reason);
    qint64 sliceMs() const;
    void clearWindow() { m_window.fill(Slot{}); }

    Policy m_policy;
    State m_state = State::Closed;
    QString m_reason;
    int m_failuresInRow = 0;
    // Closed only: the outcomes of the last windowMs, counted in WindowSlots slices of it, so the
    // memory is the same at 3,000 requests a second as at one.
    static constexpr int WindowSlots = 20;
    struct Slot
    {
        qint64 index = -1; // atMs / slice width
        int ended = 0;
        int failed = 0;
    };
    std::array<Slot, WindowSlots> m_window{};
    qint64 m_openedAtMs = 0;
    qint64 m_cooldownMs = 0;
    int m_probesOut = 0;
    bool m_activeChecks = false;
    bool m_checkOut = false;
    bool m_checkUnsupported = false;
    QList<Transition> m_transitions;
};
