#include "budget/ManualBudgetClock.h"
#include "budget/RateLimiter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

namespace {

QList<RateLimitRule> rules(const QByteArray &json)
{
    QString error;
    const auto parsed = RateLimitRule::listFromJson(QJsonDocument::fromJson(json).array(), &error);
    if (!parsed)
        qFatal("test rules do not parse: %s", qPrintable(error));
    return *parsed;
}

BudgetSubject session(const QString &name, const QString &tenant = QStringLiteral("acme"))
{
    return {tenant, name, QStringLiteral("gpt-4o")};
}

} // namespace

// Requests per minute, tokens per minute and concurrency over a sliding window, with the retry
// hints computed from a hand-moved clock.
class tst_RateLimiter : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void parses();
    void invalid_data();
    void invalid();
    void roundTrip();
    void requestsPerMinute();
    void tokensPerMinute();
    void releaseAdjustsTokens();
    void requestLargerThanTheLimit();
    void concurrency();
    void atomicAcrossRules();
    void longestWaitIsReported();
    void subjectsAreSeparate();
    void remaining();
    void idleSubjectsAreForgotten();
    void queuesStayShort();
    void unknownAndRepeatedReleases();

private:
    ManualBudgetClock m_clock;
};

void tst_RateLimiter::init()
{
    m_clock.setNowMs(1'800'000'000'000);
}

void tst_RateLimiter::parses()
{
    const auto list = rules(R"([{"scope": "session", "match": "*", "rpm": 120, "tpm": 200000, "concurrency": 8},
                                {"scope": "tenant", "match": "acme", "rpm": 10}])");
    QCOMPARE(list.size(), 2);
    QCOMPARE(list[0].scope, BudgetScope::Session);
    QCOMPARE(list[0].rpm, std::optional<qint64>(120));
    QCOMPARE(list[0].tpm, std::optional<qint64>(200000));
    QCOMPARE(list[0].concurrency, std::optional<qint64>(8));
    QCOMPARE(list[1].scope, BudgetScope::Tenant);
    QCOMPARE(list[1].match, QStringLiteral("acme"));
    QCOMPARE(list[1].tpm, std::nullopt);
    QCOMPARE(rules(R"([{"scope": "tenant", "concurrency": 1}])").first().match, QStringLiteral("*"));
}

void tst_RateLimiter::invalid_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("not an array") << QByteArray(R"({"rpm": 1})") << "rate_limits: must be an array of rate limit rules, got an object";
    QTest::newRow("not an object") << QByteArray(R"([{"scope": "session", "rpm": 1}, "fast"])")
                                   << "rate_limits[1]: must be an object, got \"fast\"";
    QTest::newRow("unknown key") << QByteArray(R"([{"scope": "session", "rps": 1}])")
                                 << "rate_limits[0].rps: unknown key (expected scope, match, rpm, tpm, concurrency)";
    QTest::newRow("scope missing") << QByteArray(R"([{"rpm": 1}])") << "rate_limits[0].scope: must be one of tenant, session, got nothing";
    QTest::newRow("scope global") << QByteArray(R"([{"scope": "global", "rpm": 1}])")
                                  << "rate_limits[0].scope: must be one of tenant, session, got \"global\"";
    QTest::newRow("rpm zero") << QByteArray(R"([{"scope": "session", "rpm": 0}])")
                              << "rate_limits[0].rpm: must be a whole number from 1 to 9007199254740992, got 0";
    QTest::newRow("tpm negative") << QByteArray(R"([{"scope": "session", "tpm": -5}])")
                                  << "rate_limits[0].tpm: must be a whole number from 1 to 9007199254740992, got -5";
    QTest::newRow("concurrency fraction") << QByteArray(R"([{"scope": "tenant", "concurrency": 1.5}])")
                                          << "rate_limits[0].concurrency: must be a whole number from 1 to 9007199254740992, got 1.5";
    QTest::newRow("rpm text") << QByteArray(R"([{"scope": "tenant", "rpm": "120"}])")
                              << "rate_limits[0].rpm: must be a whole number from 1 to 9007199254740992, got \"120\"";
    QTest::newRow("no limit") << QByteArray(R"([{"scope": "tenant", "match": "a*"}])")
                              << "rate_limits[0]: needs at least one of rpm, tpm, concurrency";
    QTest::newRow("match empty") << QByteArray(R"([{"scope": "tenant", "match": "", "rpm": 1}])")
                                 << "rate_limits[0].match: must be a non-empty name or glob (* and ?), got \"\"";
}

void tst_RateLimiter::invalid()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const QJsonDocument document = QJsonDocument::fromJson(json);
    const QJsonValue value = document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    QString message;
    QVERIFY(!RateLimitRule::listFromJson(value, &message));
    QCOMPARE(message, error);
}

void tst_RateLimiter::roundTrip()
{
    const auto list = rules(R"([{"scope": "session", "match": "agent-*", "rpm": 120, "tpm": 200000, "concurrency": 8},
                                {"scope": "tenant", "tpm": 5}])");
    const QByteArray text = QJsonDocument(RateLimitRule::listToJson(list).toArray()).toJson();
    QCOMPARE(rules(text), list);
}

void tst_RateLimiter::requestsPerMinute()
{
    RateLimiter limiter;
    limiter.setClock(&m_clock);
    limiter.setRules(rules(R"([{"scope": "session", "rpm": 3}])"));
    const qint64 t0 = m_clock.nowMs();
    for (int i = 0; i < 3; ++i) {
        QVERIFY(limiter.admit(session(QStringLiteral("agent-1")), 10).admitted());
        m_clock.advance(10'000);
    }
    m_clock.setNowMs(t0 + 30'000);
    const RateAdmission refused = limiter.admit(session(QStringLiteral("agent-1")), 10);
    QVERIFY(!refused.admitted());
    QCOMPARE(refused.ticket, 0u);
    QCOMPARE(refused.denial->limitName, QStringLiteral("requests per minute"));
    QCOMPARE(refused.denial->limit, 3);
    QCOMPARE(refused.denial->current, 3);
    QCOMPARE(refused.denial->subject, QStringLiteral("agent-1"));
    QCOMPARE(refused.denial->retryAfterMs, 30'000); // when the first request leaves the window
    QCOMPARE(refused.denial->message, QStringLiteral("Rate limit for session 'agent-1': 3 requests per minute reached; retry in 30 s."));
    m_clock.setNowMs(t0 + 59'999);
    QCOMPARE(limiter.admit(session(QStringLiteral("agent-1")), 10).denial->retryAfterMs, 1);
    m_clock.setNowMs(t0 + 60'000);
    QVERIFY(limiter.admit(session(QStringLiteral("agent-1")), 10).admitted());
    QCOMPARE(limiter.admit(session(QStringLiteral("agent-1")), 10).denial->retryAfterMs, 10'000);

    // Lowering the limit: several entries must leave before there is room again.
    limiter.setRules(rules(R"([{"scope": "session", "rpm": 1}])"));
    QCOMPARE(limiter.admit(session(QStringLiteral("agent-1")), 10).denial->retryAfterMs, 60'000);
}

void tst_RateLimiter::tokensPerMinute()
{
    RateLimiter limiter;
    limiter.setClock(&m_clock);
    limiter.setRules(rules(R"([{"scope": "tenant", "tpm": 1000}])"));
    const qint64 t0 = m_clock.nowMs();
    QVERIFY(limiter.admit(session(QStringLiteral("a")), 600).admitted());
    m_clock.setNowMs(t0 + 5'000);
    QVERIFY(limiter.admit(session(QStringLiteral("b")), 300).admitted());
    m_clock.setNowMs(t0 + 10'000);
    QVERIFY(limiter.admit(session(QStringLiteral("c")), 100).admitted()); // exactly 1000
    const RateAdmission refused = limiter.admit(session(QStringLiteral("c")), 200);
    QVERIFY(!refused.admitted());
    QCOMPARE(refused.denial->limitName, QStringLiteral("tokens per minute"));
    QCOMPARE(refused.denial->current, 1000);
    QCOMPARE(refused.denial->retryAfterMs, 50'000); // the 600 leaves first and makes room
    QCOMPARE(refused.denial->message,
             QStringLiteral("Rate limit for tenant 'acme': 1,000 tokens per minute reached (1,000 counted, this request "
                            "may use up to 200); retry in 50 s."));
    // 700 must leave: the first two entries.
    QCOMPARE(limiter.admit(session(QStringLiteral("c")), 700).denial->retryAfterMs, 55'000);
    m_clock.setNowMs(t0 + 60'000);
    QVERIFY(limiter.admit(session(QStringLiteral("c")), 600).admitted());
}

void tst_RateLimiter::releaseAdjustsTokens()
{
    RateLimiter limiter;
    limiter.setClock(&m_clock);
    limiter.setRules(rules(R"([{"scope": "session", "tpm": 1000}])"));
    const RateAdmission big = limiter.admit(session(QStringLiteral("s")), 900);
    QVERIFY(big.admitted());
    QCOMPARE(limiter.remaining(session(QStringLiteral("s"))).tokens, 100);
    QVERIFY(!limiter.admit(session(QStringLiteral("s")), 200).admitted());
    // The request used far less than its worst case: the window counts what it really used.
    limiter.release(big.ticket, 150);
    QCOMPARE(limiter.remaining(session(QStringLiteral("s"))).tokens, 850);
    const RateAdmission next = limiter.admit(session(QStringLiteral("s")), 800);
    QVERIFY(next.admitted());
    // And more than its worst case: counted too.
    limiter.release(next.ticket, 1200);
    QCOMPARE(limiter.remaining(session(QStringLiteral("s"))).tokens, 0);
    // Released after its entry left the window: nothing to adjust, nothing goes negative.
    const RateAdmission late = limiter.admit(session(QStringLiteral("t")), 500);
    m_clock.advance(61'000);
    QVERIFY(limiter.admit(session(QStringLiteral("t")), 10).admitted());
    limiter.release(late.ticket, 0);
    QCOMPARE(limiter.remaining(session(QStringLiteral("t"))).tokens, 990);
}

void tst_RateLimiter::requestLargerThanTheLimit()
{
    RateLimiter limiter;
    limiter.setClock(&m_clock);
    limiter.setRules(rules(R"([{"scope": "session", "tpm": 1000}])"));
    const RateAdmission refused = limiter.admit(session(QStringLiteral("agent-1")), 4096);
    QVERIFY(!refused.admitted());
    QCOMPARE(refused.denial->retryAfterMs, RateLimiter::WindowMs);
    QCOMPARE(refused.denial->message,
             QStringLiteral("Rate limit for session 'agent-1': this request may use up to 4,096 tokens, more than the 1,000 "
                            "tokens per minute allowed; lower max_tokens or shorten the prompt."));
}

void tst_RateLimiter::concurrency()
{
    RateLimiter limiter;
    limiter.setClock(&m_clock);
    limiter.setRules(rules(R"([{"scope": "session", "concurrency": 2}])"));
    const RateAdmission a = limiter.admit(session(QStringLiteral("s")), 1);
    const RateAdmission b = limiter.admit(session(QStringLiteral("s")), 1);
    QVERIFY(a.admitted() && b.admitted());
    QVERIFY(a.ticket != b.ticket);
    const RateAdmission refused = limiter.admit(session(QStringLiteral("s")), 1);
    QVERIFY(!refused.admitted());
    QCOMPARE(refused.denial->limitName, QStringLiteral("concurrent requests"));
    QCOMPARE(refused.denial->current, 2);
    QCOMPARE(refused.denial->retryAfterMs, RateLimiter::ConcurrencyRetryMs);
    QCOMPARE(refused.denial->message, QStringLiteral("Rate limit for session 's': 2 concurrent requests reached; retry when one "
                                                     "has finished (in about 1 s)."));
    limiter.release(a.ticket, 1);
    QVERIFY(limiter.admit(session(QStringLiteral("s")), 1).admitted());
}

void tst_RateLimiter::atomicAcrossRules()
{
    RateLimiter limiter;
    limiter.setClock(&m_clock);
    limiter.setRules(rules(R"([{"scope": "tenant", "rpm": 100, "tpm": 10000},
                               {"scope": "session", "concurrency": 1}])"));
    QVERIFY(limiter.admit(session(QStringLiteral("s1")), 100).admitted());
    QCOMPARE(limiter.remaining(session(QStringLiteral("s1"))).requests, 99);
    // Refused by the session rule after the tenant rule was fine: the tenant counts nothing.
    QVERIFY(!limiter.admit(session(QStringLiteral("s1")), 100).admitted());
    QCOMPARE(limiter.remaining(session(QStringLiteral("s1"))).requests, 99);
    QCOMPARE(limiter.remaining(session(QStringLiteral("s1"))).tokens, 9900);
    // Another session of the same tenant is fine, and counts for the tenant.
    QVERIFY(limiter.admit(session(QStringLiteral("s2")), 100).admitted());
    QCOMPARE(limiter.remaining(session(QStringLiteral("s1"))).requests, 98);
}

void tst_RateLimiter::longestWaitIsReported()
{
    RateLimiter limiter;
    limiter.setClock(&m_clock);
    limiter.setRules(rules(R"([{"scope": "session", "concurrency": 1},
                               {"scope": "tenant", "rpm": 1}])"));
    QVERIFY(limiter.admit(session(QStringLiteral("s")), 1).admitted());
    m_clock.advance(20'000);
    const RateAdmission refused = limiter.admit(session(QStringLiteral("s")), 1);
    QVERIFY(!refused.admitted());
    // Both limits are hit; retrying after the concurrency hint alone would fail again.
    QCOMPARE(refused.denial->limitName, QStringLiteral("requests per minute"));
    QCOMPARE(refused.denial->retryAfterMs, 40'000);
    QCOMPARE(refused.denial->rule.scope, BudgetScope::Tenant);
}

void tst_RateLimiter::subjectsAreSeparate()
{
    RateLimiter limiter;
    limiter.setClock(&m_clock);
    limiter.setRules(rules(R"([{"scope": "session", "match": "agent-*", "rpm": 1}])"));
    QVERIFY(limiter.admit(session(QStringLiteral("agent-1")), 1).admitted());
    // The glob ignores case; the names themselves are distinct sessions.
    QVERIFY(limiter.admit(session(QStringLiteral("AGENT-1")), 1).admitted());
    QVERIFY(limiter.admit(session(QStringLiteral("agent-2")), 1).admitted());
    QVERIFY(!limiter.admit(session(QStringLiteral("agent-1")), 1).admitted());
    // Not matched: never limited, never tracked.
    const qsizetype tracked = limiter.trackedSubjects();
    for (int i = 0; i < 10; ++i)
        QVERIFY(limiter.admit(session(QStringLiteral("human")), 1).admitted());
    QCOMPARE(limiter.trackedSubjects(), tracked);
}

void tst_RateLimiter::remaining()
{
    RateLimiter limiter;
    limiter.setClock(&m_clock);
    QCOMPARE(limiter.remaining(session(QStringLiteral("s"))).requests, -1);
    QCOMPARE(limiter.remaining(session(QStringLiteral("s"))).tokens, -1);
    limiter.setRules(rules(R"([{"scope": "session", "rpm": 10, "concurrency": 3},
                               {"scope": "tenant", "rpm": 50, "tpm": 1000}])"));
    QCOMPARE(limiter.remaining(session(QStringLiteral("s"))).requests, 10);
    QCOMPARE(limiter.remaining(session(QStringLiteral("s"))).tokens, 1000);
    for (int i = 0; i < 3; ++i)
        limiter.release(limiter.admit(session(QStringLiteral("s")), 100).ticket, 100);
    QCOMPARE(limiter.remaining(session(QStringLiteral("s"))).requests, 7);
    QCOMPARE(limiter.remaining(session(QStringLiteral("s"))).tokens, 700);
    QCOMPARE(limiter.remaining(session(QStringLiteral("other"))).requests, 10);
    QCOMPARE(limiter.remaining(session(QStringLiteral("other"))).tokens, 700);
    // The window slides without any admit() to prune it.
    m_clock.advance(60'000);
    QCOMPARE(limiter.remaining(session(QStringLiteral("s"))).requests, 10);
    QCOMPARE(limiter.remaining(session(QStringLiteral("s"))).tokens, 1000);
    limiter.setRules(rules(R"([{"scope": "session", "concurrency": 3}])"));
    QCOMPARE(limiter.remaining(session(QStringLiteral("s"))).requests, -1);
}

void tst_RateLimiter::idleSubjectsAreForgotten()
{
    RateLimiter limiter;
    limiter.setClock(&m_clock);
    limiter.setRules(rules(R"([{"scope": "session", "rpm": 100, "tpm": 100000, "concurrency": 4}])"));
    RateAdmission running;
    for (int i = 0; i < 5000; ++i) {
        const RateAdmission a = limiter.admit(session(QStringLiteral("session-%1").arg(i)), 50);
        QVERIFY(a.admitted());
        if (i == 0)
            running = a;
        else
            limiter.release(a.ticket, 40);
    }
    QCOMPARE(limiter.trackedSubjects(), 5000);
    QCOMPARE(limiter.trackedEntries(), 5000);
    m_clock.advance(2 * 60'000);
    QVERIFY(limiter.admit(session(QStringLiteral("new")), 50).admitted());
    // Only the subject with a request still running, and the new one, are left.
    QCOMPARE(limiter.trackedSubjects(), 2);
    QCOMPARE(limiter.trackedEntries(), 1);
    limiter.release(running.ticket, 10);
    m_clock.advance(2 * 60'000);
    QVERIFY(limiter.admit(session(QStringLiteral("newer")), 50).admitted());
    QCOMPARE(limiter.trackedSubjects(), 2);
}

void tst_RateLimiter::queuesStayShort()
{
    RateLimiter limiter;
    limiter.setClock(&m_clock);
    limiter.setRules(rules(R"([{"scope": "session", "rpm": 1000}])"));
    for (int i = 0; i < 600; ++i) {
        limiter.release(limiter.admit(session(QStringLiteral("busy")), 1).ticket, 1);
        m_clock.advance(1'000);
        QVERIFY(limiter.trackedEntries() <= 60);
    }
    // The requests of the last 59 s (the one of 60 s ago has just left).
    QCOMPARE(limiter.remaining(session(QStringLiteral("busy"))).requests, 1000 - 59);
}

void tst_RateLimiter::unknownAndRepeatedReleases()
{
    RateLimiter limiter;
    limiter.setClock(&m_clock);
    limiter.setRules(rules(R"([{"scope": "session", "concurrency": 1, "tpm": 100}])"));
    limiter.release(0, 5);
    limiter.release(12345, 5);
    const RateAdmission a = limiter.admit(session(QStringLiteral("s")), 50);
    limiter.release(a.ticket, 20);
    limiter.release(a.ticket, 90); // a second release changes nothing
    QCOMPARE(limiter.remaining(session(QStringLiteral("s"))).tokens, 80);
    QVERIFY(limiter.admit(session(QStringLiteral("s")), 10).admitted());
    QVERIFY(!limiter.admit(session(QStringLiteral("s")), 10).admitted());
}

QTEST_GUILESS_MAIN(tst_RateLimiter)
#include "tst_RateLimiter.moc"
