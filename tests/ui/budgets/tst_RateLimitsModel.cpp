// RateLimitsModel: the rules as GET /admin/v1/rate_limits answers them, one row each.
#include "budgets/RateLimitsModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

class tst_RateLimitsModel : public QObject
{
    Q_OBJECT
private slots:
    void showsEachRuleAndPassesTheModelTester()
    {
        RateLimitsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        RateLimitRule sessions;
        sessions.rpm = 60;
        sessions.tpm = 200'000;
        RateLimitRule ci;
        ci.scope = BudgetScope::Tenant;
        ci.match = QStringLiteral("ci-*");
        ci.concurrency = 4;
        model.setRules({sessions, ci});
        QCOMPARE(model.rowCount(), 2);
        const auto text = [&](int row, int column) { return model.index(row, column).data().toString(); };
        QCOMPARE(text(0, RateLimitsModel::AppliesTo), QStringLiteral("session *"));
        QCOMPARE(text(0, RateLimitsModel::RequestsPerMinute), QStringLiteral("60"));
        QCOMPARE(text(0, RateLimitsModel::TokensPerMinute), QStringLiteral("200,000"));
        QCOMPARE(text(0, RateLimitsModel::Concurrency), QStringLiteral("no limit"));
        QCOMPARE(text(1, RateLimitsModel::AppliesTo), QStringLiteral("tenant ci-*"));
        QCOMPARE(text(1, RateLimitsModel::Concurrency), QStringLiteral("4"));

        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setRules({sessions, ci});
        QCOMPARE(reset.count(), 0); // the same rules: nothing to redraw
        model.setRules({ci});
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 1);
        model.setRules({});
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(tst_RateLimitsModel)
#include "tst_RateLimitsModel.moc"
