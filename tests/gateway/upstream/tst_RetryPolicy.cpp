// RetryPolicy: which failures are tried again (connection failures, time-outs, 429/500/502/503/529)
// and which never are (an answer already begun, TLS, a request the upstream may have run, other
// statuses), how long it waits (full jitter under a doubling ceiling, or retry-after in seconds
// or as a date), and that it stops at its attempts and at the request's deadline.
#include "upstream/RetryPolicy.h"

#include <QDateTime>
#include <QtTest>

using Failure = RetryPolicy::Failure;

namespace {
RetryPolicy::Attempt status(int code, const QByteArray &retryAfter = {})
{
    return RetryPolicy::Attempt{Failure::Status, code, retryAfter, false};
}
RetryPolicy::Attempt failure(Failure kind)
{
    return RetryPolicy::Attempt{kind, 0, {}, false};
}
constexpr qint64 Now = 1'800'000'000'000;
} // namespace

class tst_RetryPolicy : public QObject
{
    Q_OBJECT
private slots:
    void whatIsRetried_data()
    {
        QTest::addColumn<int>("failure");
        QTest::addColumn<int>("code");
        QTest::addColumn<bool>("retried");
        QTest::newRow("connection refused") << int(Failure::Connect) << 0 << true;
        QTest::newRow("timed out") << int(Failure::Timeout) << 0 << true;
        QTest::newRow("TLS") << int(Failure::Tls) << 0 << false;
        QTest::newRow("closed after the request was written") << int(Failure::ClosedAfterWrite) << 0 << false;
        for (const int code : {429, 500, 502, 503, 529})
            QTest::newRow(qPrintable(QString::number(code))) << int(Failure::Status) << code << true;
        for (const int code : {400, 401, 403, 404, 413, 422, 501, 504})
            QTest::newRow(qPrintable(QString::number(code))) << int(Failure::Status) << code << false;
    }
    void whatIsRetried()
    {
        QFETCH(int, failure);
        QFETCH(int, code);
        QFETCH(bool, retried);
        const RetryPolicy policy;
        const RetryPolicy::Decision d = policy.next(RetryPolicy::Attempt{Failure(failure), code, {}, false}, 1, 0, Now, 0.5);
        QVERIFY2(d.retry == retried, qPrintable(d.why));
        QVERIFY(!d.why.isEmpty());
    }

    void neverOnceTheAnswerHasBegun()
    {
        RetryPolicy::Attempt cut = status(503);
        cut.answerStarted = true;
        const RetryPolicy::Decision d = RetryPolicy().next(cut, 1, 0, Now, 0.5);
        QVERIFY(!d.retry);
        QCOMPARE(d.why, QStringLiteral("503: not retried, the answer had begun"));
    }

    void fullJitterUnderADoublingCeiling()
    {
        RetryPolicy::Settings s;
        s.maxAttempts = 10;
        s.baseDelayMs = 100;
        s.maxDelayMs = 1'000;
        s.deadlineMs = 60'000;
        const RetryPolicy policy(s);
        // The ceiling after attempt n is 100 * 2^(n-1), at most 1,000; the wait a random share of it.
        QCOMPARE(policy.next(status(503), 1, 0, Now, 0.999).delayMs, 99);
        QCOMPARE(policy.next(status(503), 2, 0, Now, 0.5).delayMs, 100);
        QCOMPARE(policy.next(status(503), 3, 0, Now, 0.5).delayMs, 200);
        QCOMPARE(policy.next(status(503), 5, 0, Now, 0.999).delayMs, 999);
        QCOMPARE(policy.next(status(503), 9, 0, Now, 0.5).delayMs, 500);
        QCOMPARE(policy.next(status(503), 2, 0, Now, 0.0).delayMs, 0);
        const RetryPolicy::Decision d = policy.next(failure(Failure::Connect), 2, 0, Now, 0.25);
        QVERIFY(d.retry);
        QCOMPARE(d.why, QStringLiteral("connection failed, attempt 3 of 10 in 50 ms"));
    }

    void retryAfterIsHonoured()
    {
        RetryPolicy::Settings s;
        s.maxDelayMs = 5'000;
        const RetryPolicy policy(s);
        RetryPolicy::Decision d = policy.next(status(429, "2"), 1, 0, Now, 0.1);
        QVERIFY(d.retry);
        QCOMPARE(d.delayMs, 2'000);
        const QByteArray date = QDateTime::fromMSecsSinceEpoch(Now + 3'000, Qt::UTC).toString(QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'")).toLatin1();
        d = policy.next(status(503, date), 1, 0, Now, 0.1);
        QVERIFY2(d.retry, qPrintable(d.why + QStringLiteral(" / ") + QString::fromLatin1(date)));
        QCOMPARE(d.delayMs, 3'000);
        // Longer than TokenFuse waits: failed at once, so the client sees the upstream's retry-after.
        d = policy.next(status(429, "60"), 1, 0, Now, 0.1);
        QVERIFY(!d.retry);
        QCOMPARE(d.why, QStringLiteral("429: the upstream asks to wait 60.0 s, longer than TokenFuse waits"));
    }

    void retryAfterParsing()
    {
        QCOMPARE(RetryPolicy::retryAfterMs(" 7 ", Now), std::optional<qint64>(7'000));
        QCOMPARE(RetryPolicy::retryAfterMs("0", Now), std::optional<qint64>(0));
        QCOMPARE(RetryPolicy::retryAfterMs("-3", Now), std::optional<qint64>());
        QCOMPARE(RetryPolicy::retryAfterMs("", Now), std::optional<qint64>());
        QCOMPARE(RetryPolicy::retryAfterMs("soon", Now), std::optional<qint64>());
        QCOMPARE(RetryPolicy::retryAfterMs("Sun, 06 Nov 1994 08:49:37 GMT", Now), std::optional<qint64>(0)); // in the past
        const qint64 at = QDateTime(QDate(2030, 1, 1), QTime(0, 0, 10), Qt::UTC).toMSecsSinceEpoch();
        QCOMPARE(RetryPolicy::retryAfterMs("Tue, 01 Jan 2030 00:00:10 GMT", at - 10'000), std::optional<qint64>(10'000));
    }

    void stopsAtItsAttemptsAndTheDeadline()
    {
        RetryPolicy::Settings s;
        s.maxAttempts = 3;
        s.deadlineMs = 1'000;
        s.maxDelayMs = 5'000;
        const RetryPolicy policy(s);
        QVERIFY(policy.next(status(502), 2, 0, Now, 0.1).retry);
        RetryPolicy::Decision d = policy.next(status(502), 3, 0, Now, 0.1);
        QVERIFY(!d.retry);
        QCOMPARE(d.why, QStringLiteral("502: not retried after 3 attempts"));
        d = policy.next(status(503, "1"), 1, 200, Now, 0.1); // 200 ms in, a second's wait: past the deadline
        QVERIFY(!d.retry);
        QCOMPARE(d.why, QStringLiteral("503: not retried, the request's 1 s would run out"));
        QVERIFY(policy.next(status(503, "0"), 1, 200, Now, 0.1).retry);
    }
};

QTEST_GUILESS_MAIN(tst_RetryPolicy)
#include "tst_RetryPolicy.moc"
