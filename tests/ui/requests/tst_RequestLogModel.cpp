// RequestLogModel: a bounded ring, newest first, fed one snapshot at a time with one insertion
// (and at most one removal) per snapshot, checked by QAbstractItemModelTester throughout.
#include "RequestSamples.h"
#include "requests/RequestLogModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

class tst_RequestLogModel : public QObject
{
    Q_OBJECT
private slots:
    void newestFirst()
    {
        RequestLogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.append(RequestSamples::rows(0, 3));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, 0).data(RequestLogModel::IdRole).toString(), QStringLiteral("r2"));
        QCOMPARE(model.index(2, 0).data(RequestLogModel::IdRole).toString(), QStringLiteral("r0"));
        model.append(RequestSamples::rows(3, 2));
        QCOMPARE(model.index(0, 0).data(RequestLogModel::IdRole).toString(), QStringLiteral("r4"));
        QCOMPARE(model.rowOf(QStringLiteral("r4")), 0);
        QCOMPARE(model.rowOf(QStringLiteral("r0")), 4);
    }

    void theRingWrapsKeepingTheLatest()
    {
        RequestLogModel model(nullptr, 10);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.append(RequestSamples::rows(0, 6));
        model.append(RequestSamples::rows(6, 6));
        QCOMPARE(model.rowCount(), 10);
        QCOMPARE(model.recordAt(0).id, QStringLiteral("r11"));
        QCOMPARE(model.recordAt(9).id, QStringLiteral("r2"));
        QCOMPARE(model.rowOf(QStringLiteral("r1")), -1);
        QCOMPARE(model.rowOf(QStringLiteral("r2")), 9);
        QCOMPARE(model.rowOf(QStringLiteral("r11")), 0);
        // A batch bigger than the ring keeps its latest rows only.
        model.append(RequestSamples::rows(100, 25));
        QCOMPARE(model.rowCount(), 10);
        QCOMPARE(model.recordAt(0).id, QStringLiteral("r124"));
        QCOMPARE(model.recordAt(9).id, QStringLiteral("r115"));
        QCOMPARE(model.rowOf(QStringLiteral("r115")), 9);
    }

    void oneInsertionAndOneRemovalPerSnapshot()
    {
        RequestLogModel model(nullptr, 1200);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        model.append(RequestSamples::rows(0, 500));
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.first().at(1).toInt(), 0);
        QCOMPARE(inserted.first().at(2).toInt(), 499);
        model.append(RequestSamples::rows(500, 500));
        QCOMPARE(inserted.size(), 2);
        QCOMPARE(removed.size(), 0);
        // The third snapshot overflows the ring: 300 of the oldest leave in one batch, at the bottom.
        model.append(RequestSamples::rows(1000, 500));
        QCOMPARE(inserted.size(), 3);
        QCOMPARE(removed.size(), 1);
        QCOMPARE(removed.first().at(1).toInt(), 700);
        QCOMPARE(removed.first().at(2).toInt(), 999);
        QCOMPARE(model.rowCount(), 1200);
        QCOMPARE(model.recordAt(1199).id, QStringLiteral("r300"));
    }

    void rowsAlreadyHeldAreNotAddedTwice()
    {
        RequestLogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.append(RequestSamples::rows(0, 5));
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.append(RequestSamples::rows(0, 5));
        QCOMPARE(inserted.size(), 0);
        model.append(RequestSamples::rows(3, 4)); // r3, r4 held; r5, r6 new
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(model.rowCount(), 7);
    }

    void filterListsFollowTheRowsHeld()
    {
        RequestLogModel model(nullptr, 3);
        model.append({RequestSamples::row("r0", 200, "gpt-a", "alpha"), RequestSamples::row("r1", 200, "gpt-b", "beta")});
        QCOMPARE(model.models(), (QStringList{"gpt-a", "gpt-b"}));
        QCOMPARE(model.sessions(), (QStringList{"alpha", "beta"}));
        model.append({RequestSamples::row("r2", 200, "gpt-b", "beta"), RequestSamples::row("r3", 200, "gpt-c", "gamma")});
        // r0 left the ring, and with it the only gpt-a and alpha.
        QCOMPARE(model.models(), (QStringList{"gpt-b", "gpt-c"}));
        QCOMPARE(model.sessions(), (QStringList{"beta", "gamma"}));
        QCOMPARE(model.endpoints(), QStringList{"/v1/chat/completions"});
    }

    void statusClasses_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");
        QTest::addColumn<int>("expected");
        using C = RequestLogModel::StatusClass;
        QTest::newRow("200") << 200 << QString() << int(C::Ok);
        QTest::newRow("402 budget") << 402 << QStringLiteral("budget_exceeded") << int(C::Refused);
        QTest::newRow("429 rate") << 429 << QStringLiteral("rate_limited") << int(C::Refused);
        QTest::newRow("403 blocked") << 403 << QStringLiteral("session_blocked") << int(C::Refused);
        QTest::newRow("400 budget to Codex") << 400 << QStringLiteral("budget_exceeded") << int(C::Refused);
        QTest::newRow("502 upstream") << 502 << QStringLiteral("upstream_error") << int(C::UpstreamError);
        QTest::newRow("200 then timeout") << 200 << QStringLiteral("upstream_timeout") << int(C::UpstreamError);
        QTest::newRow("404") << 404 << QStringLiteral("not_found") << int(C::OtherError);
        QTest::newRow("client gone") << 200 << QStringLiteral("client_closed") << int(C::OtherError);
    }

    void statusClasses()
    {
        QFETCH(int, status);
        QFETCH(QString, error);
        QFETCH(int, expected);
        RequestLogModel model;
        model.append({RequestSamples::row("r1", status, "m", "s", "/v1/chat/completions", error)});
        QCOMPARE(model.index(0, 0).data(RequestLogModel::StatusClassRole).toInt(), expected);
        const QVariant colour = model.index(0, RequestLogModel::Status).data(Qt::ForegroundRole);
        QCOMPARE(colour.isValid(), expected != int(RequestLogModel::StatusClass::Ok));
    }

    void cellsReadAsPeopleRead()
    {
        RequestLogModel model;
        UsageRecord r = RequestSamples::row("r1");
        r.promptTokens = 12'345;
        r.costMicros = 1'250'000;
        r.estimated = true;
        model.append({r});
        QCOMPARE(model.index(0, RequestLogModel::Status).data().toString(), QStringLiteral("200"));
        QCOMPARE(model.index(0, RequestLogModel::TokensIn).data().toString(), QStringLiteral("12.3k"));
        QCOMPARE(model.index(0, RequestLogModel::Cost).data().toString(), QStringLiteral("$1.25 ~"));
        QCOMPARE(model.index(0, RequestLogModel::Latency).data().toString(), QStringLiteral("420 ms"));
        QCOMPARE(model.index(0, RequestLogModel::Ttft).data().toString(), QStringLiteral("120 ms"));
        QCOMPARE(model.index(0, RequestLogModel::Cost).data(RequestLogModel::SortRole).toLongLong(), 1'250'000);
    }
};

QTEST_MAIN(tst_RequestLogModel)
#include "tst_RequestLogModel.moc"
