// BudgetRulesModel: the rules in the gateway's order with their fullest subject, updated in place
// from snapshots (one dataChanged over the rows that changed, none when nothing did), reset when
// the rules themselves change; and the texts its columns show.
#include "budgets/BudgetRulesModel.h"
#include "budgets/BudgetText.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QSignalSpy>
#include <QtTest>

namespace {
BudgetRule rule(BudgetScope scope, const QString &match, BudgetWindow window)
{
    BudgetRule r;
    r.scope = scope;
    r.match = match;
    r.window = window;
    return r;
}

BudgetUsage usage(const BudgetRule &r, QList<BudgetCounterUsage> counters, qint64 windowEnd = 0)
{
    BudgetUsage u;
    u.rule = r;
    u.windowEnd = windowEnd;
    u.counters = std::move(counters);
    return u;
}

BudgetCounterUsage counter(const QString &subject, qint64 tokens, qint64 costMicros, qint64 requests, double fraction)
{
    BudgetCounterUsage c;
    c.subject = subject;
    c.spent = BudgetAmounts{tokens, costMicros, requests};
    c.fraction = fraction;
    return c;
}
} // namespace

class tst_BudgetRulesModel : public QObject
{
    Q_OBJECT
private slots:
    void passesTheModelTesterAcrossUpdates()
    {
        BudgetRulesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        BudgetRule day = rule(BudgetScope::Global, QStringLiteral("*"), BudgetWindow::Day);
        day.maxCostMicros = 25'000'000;
        BudgetRule sessions = rule(BudgetScope::Session, QStringLiteral("*"), BudgetWindow::Day);
        sessions.maxTokens = 2'000'000;
        model.setUsage({usage(day, {counter({}, 0, 1'000'000, 3, 0.04)}), usage(sessions, {})}, 1000);
        QCOMPARE(model.rowCount(), 2);
        model.setUsage({usage(day, {counter({}, 0, 2'000'000, 4, 0.08)})}, 2000);
        QCOMPARE(model.rowCount(), 1);
        model.setUsage({}, 3000);
        QCOMPARE(model.rowCount(), 0);
    }

    void updatesChangedRowsInPlaceWithOneSignal()
    {
        BudgetRulesModel model;
        QList<BudgetUsage> rows;
        for (int i = 0; i < 5; ++i) {
            BudgetRule r = rule(BudgetScope::Tenant, QStringLiteral("t%1").arg(i), BudgetWindow::Day);
            r.maxRequests = 100;
            rows.append(usage(r, {counter(QStringLiteral("t%1").arg(i), 0, 0, 1, 0.01)}));
        }
        const qint64 now = 60'000 * 100;
        model.setUsage(rows, now);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        model.setUsage(rows, now + 250); // the same figures: nothing to repaint
        QCOMPARE(changed.count(), 0);

        rows[1].counters[0] = counter(QStringLiteral("t1"), 0, 0, 50, 0.5);
        rows[3].counters[0] = counter(QStringLiteral("t3"), 0, 0, 90, 0.9);
        model.setUsage(rows, now + 500);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1);
        QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 3);
        QCOMPARE(model.index(3, BudgetRulesModel::Usage).data(BudgetRulesModel::FractionRole).toDouble(), 0.9);
        QCOMPARE(model.index(3, BudgetRulesModel::Usage).data().toString(), QStringLiteral("t3: 90 / 100 req"));

        rows[2].rule.maxRequests = 200; // an edited cap is another rule list
        model.setUsage(rows, now + 750);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rules().at(2).maxRequests, std::optional<qint64>(200));
    }

    void columnsReadWell()
    {
        BudgetRulesModel model;
        BudgetRule r = rule(BudgetScope::Session, QStringLiteral("agent-*"), BudgetWindow::Day);
        r.name = QStringLiteral("agents per day");
        r.maxTokens = 2'000'000;
        r.maxCostMicros = 5'000'000;
        r.overCap = BudgetOverCap::Refuse;
        r.alertAt = 0.75;
        const QDateTime now(QDate(2026, 12, 1), QTime(19, 48));
        const QDateTime midnight(QDate(2026, 12, 2), QTime(0, 0));
        model.setUsage({usage(r, {counter(QStringLiteral("agent-7"), 640'000, 2'100'000, 12, 0.42)}, midnight.toMSecsSinceEpoch())},
                       now.toMSecsSinceEpoch());
        const auto text = [&](int column) { return model.index(0, column).data().toString(); };
        QCOMPARE(text(BudgetRulesModel::Name), QStringLiteral("agents per day"));
        QCOMPARE(text(BudgetRulesModel::AppliesTo), QStringLiteral("session agent-*"));
        QCOMPARE(text(BudgetRulesModel::Window), QStringLiteral("day"));
        QCOMPARE(text(BudgetRulesModel::Caps), QStringLiteral("2M tok · $5.00"));
        QCOMPARE(text(BudgetRulesModel::Usage), QStringLiteral("agent-7: 640k / 2M tok · $2.10 / $5.00"));
        QCOMPARE(text(BudgetRulesModel::Resets), QStringLiteral("00:00, in 4 h 12 min"));
        QCOMPARE(text(BudgetRulesModel::OverCap), QStringLiteral("refuse (402)"));
        QCOMPARE(text(BudgetRulesModel::Alert), QStringLiteral("75 %"));
        QCOMPARE(model.index(0, 0).data(BudgetRulesModel::AlertRole).toDouble(), 0.75);
    }

    void resetTexts_data()
    {
        QTest::addColumn<int>("window");
        QTest::addColumn<qint64>("endInMs");
        QTest::addColumn<QString>("expected");
        QTest::newRow("request") << int(BudgetWindow::Request) << qint64(0) << QStringLiteral("per request");
        QTest::newRow("total") << int(BudgetWindow::Total) << qint64(0) << QStringLiteral("never");
        QTest::newRow("minutes") << int(BudgetWindow::Hour) << qint64(35 * 60'000) << QStringLiteral("in 35 min");
        QTest::newRow("under a minute") << int(BudgetWindow::Minute) << qint64(20'000) << QStringLiteral("in 1 min");
        QTest::newRow("whole hours") << int(BudgetWindow::Day) << qint64(3 * 3600'000) << QStringLiteral("in 3 h");
        QTest::newRow("days") << int(BudgetWindow::Month) << qint64((3 * 24 + 2) * 3600'000LL) << QStringLiteral("in 3 d 2 h");
    }

    void resetTexts()
    {
        QFETCH(int, window);
        QFETCH(qint64, endInMs);
        QFETCH(QString, expected);
        const qint64 now = QDateTime(QDate(2026, 12, 1), QTime(10, 0)).toMSecsSinceEpoch();
        const QString text = BudgetText::resets(endInMs ? now + endInMs : 0, BudgetWindow(window), now);
        QVERIFY2(text.endsWith(expected), qPrintable(text));
    }

    void globalRulesApplyToEveryRequest()
    {
        BudgetRule r = rule(BudgetScope::Global, QStringLiteral("*"), BudgetWindow::Day);
        r.maxRequests = 1000;
        QCOMPARE(BudgetText::appliesTo(r), QStringLiteral("every request"));
        QCOMPARE(BudgetText::caps(r), QStringLiteral("1,000 req"));
    }
};

QTEST_MAIN(tst_BudgetRulesModel)
#include "tst_BudgetRulesModel.moc"
