#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

// Whether a failed attempt at an upstream may be made again, and after how long: the one place
// that decides it (the resilience work's retries and failover both ask it). Retried: connection
// failures, time-outs before the first byte, and 429, 500, 502, 503 and 529 answers. Never: once
// a byte of the answer has reached the client, a TLS failure (it does not fix itself), a
// connection closed after the request was written (the upstream may be working on it, and
// billing it), or any other status (a 4xx is the client's to fix). The wait is exponential with
// full jitter (a random share of base * 2^(attempt - 1), capped), or what the upstream's
// retry-after asks for; and never past the deadline of the whole request. Pure: the caller gives
// the time and the random number.
class RetryPolicy
{
public:
    struct Settings
    {
        int maxAttempts = 3;        // attempts in all, the first one included
        qint64 baseDelayMs = 250;
        qint64 maxDelayMs = 8'000;  // the most one wait can be, jitter or retry-after
        qint64 deadlineMs = 30'000; // from the first attempt's start to the last wait's end
    };

    enum class Failure { Connect, Tls, Timeout, ClosedAfterWrite, Status };

    struct Attempt
    {
        Failure failure = Failure::Status;
        int status = 0;                  // the upstream's HTTP status, for Failure::Status
        QByteArray retryAfter;           // its retry-after header, if any
        bool answerStarted = false;      // a byte of the answer reached the client
    };

    struct Decision
    {
        bool retry = false;
        qint64 delayMs = 0;
        QString why; // for the log and the row: "503, attempt 2 of 3 in 180 ms", "429 is not retried after 3 attempts"
    };

    RetryPolicy() = default;
    explicit RetryPolicy(const Settings &settings) : m_settings(settings) {}

    // After `attemptsMade` attempts (this failure's included), `elapsedMs` since the first began,
    // at `nowMs` (for a retry-after that names a date), with `random01` in [0, 1).
    Decision next(const Attempt &attempt, int attemptsMade, qint64 elapsedMs, qint64 nowMs, double random01) const;

    static bool retryableStatus(int status);
    // A retry-after header in milliseconds from `nowMs`: delay-seconds or an HTTP date (RFC 9110);
    // nothing when it is neither.
    static std::optional<qint64> retryAfterMs(const QByteArray &header, qint64 nowMs);

    const Settings &settings() const { return m_settings; }

private:
    Settings m_settings;
};
