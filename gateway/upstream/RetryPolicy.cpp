#include "RetryPolicy.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>
#include <cmath>

bool RetryPolicy::retryableStatus(int status)
{
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 529;
}

std::optional<qint64> RetryPolicy::retryAfterMs(const QByteArray &header, qint64 nowMs)
{
    const QByteArray value = header.trimmed();
    if (value.isEmpty())
        return std::nullopt;
    bool isNumber = false;
    const qint64 seconds = value.toLongLong(&isNumber);
    if (isNumber)
        return seconds >= 0 ? std::optional<qint64>(seconds * 1000) : std::nullopt;
    // IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT"; the obsolete forms are not worth the code.
    const QDateTime at = QLocale::c().toDateTime(QString::fromLatin1(value), QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"));
    if (!at.isValid())
        return std::nullopt;
    const QDateTime utc(at.date(), at.time(), Qt::UTC);
    return std::max<qint64>(0, utc.toMSecsSinceEpoch() - nowMs);
}

RetryPolicy::Decision RetryPolicy::next(const Attempt &attempt, int attemptsMade, qint64 elapsedMs, qint64 nowMs, double random01) const
{
    const QString what = attempt.failure == Failure::Status ? QString::number(attempt.status)
                       : attempt.failure == Failure::Connect ? QStringLiteral("connection failed")
                       : attempt.failure == Failure::Timeout ? QStringLiteral("timed out")
                       : attempt.failure == Failure::Tls ? QStringLiteral("TLS failed")
                                                         : QStringLiteral("closed after the request was sent");
    const auto no = [&](const QString &because) { return Decision{false, 0, QStringLiteral("%1: %2").arg(what, because)}; };
    if (attempt.answerStarted)
        return no(QStringLiteral("not retried, the answer had begun"));
    switch (attempt.failure) {
    case Failure::Tls: return no(QStringLiteral("not retried, it would fail the same way"));
    case Failure::ClosedAfterWrite: return no(QStringLiteral("not retried, the upstream may have run it"));
    case Failure::Status:
        if (!retryableStatus(attempt.status))
            return no(QStringLiteral("not retried"));
        break;
    case Failure::Connect:
    case Failure::Timeout: break;
    }
    if (attemptsMade >= m_settings.maxAttempts)
        return no(QStringLiteral("not retried after %1 attempts").arg(attemptsMade));

    qint64 delay = 0;
    const std::optional<qint64> asked = retryAfterMs(attempt.retryAfter, nowMs);
    if (asked) {
        if (*asked > m_settings.maxDelayMs)
            return no(QStringLiteral("the upstream asks to wait %1 s, longer than TokenFuse waits").arg(double(*asked) / 1000.0, 0, 'f', 1));
        delay = *asked;
    } else {
        const double ceiling = std::min(double(m_settings.maxDelayMs), double(m_settings.baseDelayMs) * std::pow(2.0, attemptsMade - 1));
        delay = qint64(std::clamp(random01, 0.0, 1.0) * ceiling);
    }
    if (elapsedMs + delay >= m_settings.deadlineMs)
        return no(QStringLiteral("not retried, the request's %1 s would run out").arg(m_settings.deadlineMs / 1000));
    return Decision{true, delay, QStringLiteral("%1, attempt %2 of %3 in %4 ms").arg(what).arg(attemptsMade + 1).arg(m_settings.maxAttempts).arg(delay)};
}
