#include "budget/BudgetLedger.h"
#include "budget/ManualBudgetClock.h"

#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

#include <ctime>

namespace {

constexpr qint64 MaxStepTokens = 120;
constexpr qint64 MaxStepCost = 90'000;

struct Stream
{
    QString id;
    BudgetSubject subject;
    BudgetDemand actual;
    bool cut = false;
};

QList<BudgetRule> propertyRules()
{
    const QByteArray json = R"([
        {"scope": "tenant", "window": "day", "max_tokens": 40000, "max_cost": 12},
        {"scope": "tenant", "match": "t1", "window": "hour", "max_tokens": 6000},
        {"scope": "session", "window": "total", "max_tokens": 9000, "max_requests": 60},
        {"scope": "global", "window": "minute", "max_cost": 2.5, "max_requests": 30},
        {"scope": "model", "window": "request", "max_tokens": 900}
    ])";
    return *BudgetRule::listFromJson(QJsonDocument::fromJson(json).array());
}

// Everything the ledger shows about its counters, to compare before and after a denial.
QList<std::pair<CounterKey, BudgetCounterUsage>> snapshot(const BudgetLedger &ledger)
{
    QList<std::pair<CounterKey, BudgetCounterUsage>> all;
    for (const CounterKey &key : ledger.counterKeys())
        all.append({key, ledger.counter(key)});
    std::sort(all.begin(), all.end(), [](const auto &a, const auto &b) {
        return std::tie(a.first.rule, a.first.subject, a.first.windowStart)
               < std::tie(b.first.rule, b.first.subject, b.first.windowStart);
    });
    return all;
}

bool sameState(const QList<std::pair<CounterKey, BudgetCounterUsage>> &a,
               const QList<std::pair<CounterKey, BudgetCounterUsage>> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (!(a[i].first == b[i].first) || !(a[i].second.spent == b[i].second.spent)
            || !(a[i].second.reserved == b[i].second.reserved) || !(a[i].second.inFlight == b[i].second.inFlight))
            return false;
    }
    return true;
}

} // namespace

// Random reserve / progress / settle sequences against a few overlapping rules, by a caller that
// honours every denial. Whatever happens, no counter overspends by more than one chunk per
// request that was in flight, the counters agree with what settle() reported, and a refused
// reservation leaves no trace.
class tst_BudgetLedgerProperty : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void randomSequences_data();
    void randomSequences();
};

void tst_BudgetLedgerProperty::initTestCase()
{
    qputenv("TZ", "Europe/Berlin");
    tzset();
}

void tst_BudgetLedgerProperty::randomSequences_data()
{
    QTest::addColumn<quint32>("seed");
    for (quint32 seed = 1; seed <= 24; ++seed)
        QTest::newRow(qPrintable(QStringLiteral("seed %1").arg(seed))) << seed;
}

void tst_BudgetLedgerProperty::randomSequences()
{
    QFETCH(quint32, seed);
    QRandomGenerator random(seed);
    // Start close to a local midnight so windows roll over during the run.
    ManualBudgetClock clock(QDateTime(QDate(2026, 10, 24), QTime(23, 40)));
    BudgetLedger ledger;
    ledger.setClock(&clock);
    const QList<BudgetRule> rules = propertyRules();
    ledger.setRules(rules);

    QHash<QString, const BudgetRule *> ruleOf;
    for (const BudgetRule &rule : rules)
        ruleOf.insert(rule.counterRule(), &rule);
    QHash<CounterKey, BudgetAmounts> settled; // the sum of what settle() returned, per counter
    QList<Stream> streams;
    qsizetype maxInFlight = 0;
    int nextId = 0, admitted = 0, refused = 0, cuts = 0;

    const QStringList tenants = {QStringLiteral("t1"), QStringLiteral("t2"), QStringLiteral("t3")};
    const QStringList models = {QStringLiteral("m-a"), QStringLiteral("m-b")};

    for (int step = 0; step < 4000; ++step) {
        const int op = random.bounded(100);
        if (op >= 25 && op < 92 && streams.isEmpty())
            continue;
        if (op < 25) {
            const QString tenant = tenants[random.bounded(tenants.size())];
            const BudgetSubject who{tenant, tenant + u'/' + QString::number(random.bounded(6)),
                                    models[random.bounded(models.size())]};
            const qint64 prompt = random.bounded(700);
            const BudgetDemand worst{prompt + random.bounded(800), random.bounded(300'000), prompt, 0};
            const auto before = snapshot(ledger);
            const QString id = QString::number(++nextId);
            const BudgetAdmission admission = ledger.reserve(who, worst, id);
            if (admission.admitted()) {
                ++admitted;
                streams.append({id, who, {}, false});
                maxInFlight = qMax(maxInFlight, streams.size());
            } else {
                ++refused;
                QVERIFY2(sameState(before, snapshot(ledger)), "a refused reservation changed the counters");
                QVERIFY(!ledger.isInFlight(id));
            }
        } else if (op < 75) {
            Stream &s = streams[random.bounded(streams.size())];
            if (s.cut)
                continue;
            s.actual.tokens += 1 + random.bounded(MaxStepTokens);
            s.actual.costMicros += random.bounded(MaxStepCost + 1);
            const bool cut = ledger.progress(s.id, s.actual).has_value();
            // A cut exactly when some cap is passed: a counter this stream counts in, or the
            // per-request cap.
            bool over = s.actual.tokens > 900;
            for (const CounterDelta &hold : ledger.holdsOf(s.id)) {
                const BudgetCounterUsage c = ledger.counter(hold.key);
                const BudgetRule *rule = ruleOf.value(hold.key.rule);
                over = over || (rule->maxTokens && c.spent.tokens + c.inFlight.tokens > *rule->maxTokens)
                       || (rule->maxCostMicros && c.spent.costMicros + c.inFlight.costMicros > *rule->maxCostMicros);
            }
            QCOMPARE(cut, over);
            if (cut) {
                s.cut = true; // the caller stops forwarding; settles below
                ++cuts;
            }
        } else if (op < 92) {
            const qsizetype i = random.bounded(streams.size());
            const Stream s = streams.takeAt(i);
            // The provider's final figure: what was seen, or less (estimates corrected down).
            BudgetDemand real = s.actual;
            if (random.bounded(4) == 0) {
                real.tokens = real.tokens * random.bounded(100) / 100;
                real.costMicros = real.costMicros * random.bounded(100) / 100;
            }
            const bool counted = random.bounded(10) != 0;
            const auto holds = ledger.holdsOf(s.id);
            const auto deltas = ledger.settle(s.id, real, counted);
            QCOMPARE(deltas.size(), holds.size());
            for (const CounterDelta &d : deltas) {
                QVERIFY(d.tokens >= 0 && d.costMicros >= 0 && d.requests >= 0);
                BudgetAmounts &sum = settled[d.key];
                sum.tokens += d.tokens;
                sum.costMicros += d.costMicros;
                sum.requests += d.requests;
            }
        } else if (op < 98) {
            clock.advance(random.bounded(random.bounded(10) == 0 ? 15 * 60'000 : 20'000));
        } else {
            ledger.setRules(rules); // a reload mid-flight rebinds every request; nothing changes
        }

        // Invariants that hold at every step.
        for (const CounterKey &key : ledger.counterKeys()) {
            const BudgetCounterUsage c = ledger.counter(key);
            QVERIFY(c.reserved.tokens >= c.inFlight.tokens && c.reserved.costMicros >= c.inFlight.costMicros);
            QVERIFY(c.inFlight.tokens >= 0 && c.inFlight.costMicros >= 0 && c.inFlight.requests >= 0);
            QCOMPARE(c.reserved.requests, c.inFlight.requests);
            QCOMPARE(c.spent, settled.value(key));
        }
    }
    for (const Stream &s : std::as_const(streams))
        ledger.settle(s.id, s.actual);
    QCOMPARE(ledger.inFlightCount(), 0);

    // The guarantee: past a cap by at most one chunk per request that was in flight.
    const qint64 slackTokens = MaxStepTokens * maxInFlight;
    const qint64 slackCost = MaxStepCost * maxInFlight;
    for (const CounterKey &key : ledger.counterKeys()) {
        const BudgetCounterUsage c = ledger.counter(key);
        QCOMPARE(c.reserved, BudgetAmounts());
        QCOMPARE(c.inFlight, BudgetAmounts());
        const BudgetRule *rule = ruleOf.value(key.rule);
        QVERIFY(rule);
        if (rule->maxTokens)
            QVERIFY2(c.spent.tokens <= *rule->maxTokens + slackTokens, qPrintable(key.rule));
        if (rule->maxCostMicros)
            QVERIFY2(c.spent.costMicros <= *rule->maxCostMicros + slackCost, qPrintable(key.rule));
        if (rule->maxRequests)
            QVERIFY2(c.spent.requests <= *rule->maxRequests, qPrintable(key.rule)); // requests never overshoot
    }
    // The run must have exercised all paths to mean anything.
    QVERIFY(admitted > 100);
    QVERIFY(refused > 10);
    QVERIFY(cuts > 10);
}

QTEST_GUILESS_MAIN(tst_BudgetLedgerProperty)
#include "tst_BudgetLedgerProperty.moc"
