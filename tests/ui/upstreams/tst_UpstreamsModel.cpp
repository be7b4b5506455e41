// UpstreamsModel through sequences of snapshots, watched by QAbstractItemModelTester: rows from
// the views, in-place updates that keep a view's selection, the texts and tooltips.
#include "UpstreamSamples.h"
#include "upstreams/UpstreamText.h"
#include "upstreams/UpstreamsModel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QItemSelectionModel>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace UpstreamSamples;

class tst_UpstreamsModel : public QObject
{
    Q_OBJECT
private slots:
    void rowsFromViews();
    void updatesInPlaceKeepTheSelection();
    void changesOnlyTheColumnsThatChanged();
    void removedAndAddedRows();
    void displayTexts_data();
    void displayTexts();
    void breakerToolTipCarriesTheReason();
    void takersShareDialectAndModels();

private:
    static QStringList names(const UpstreamsModel &model);
};

QStringList tst_UpstreamsModel::names(const UpstreamsModel &model)
{
    QStringList list;
    for (int row = 0; row < model.rowCount(); ++row)
        list << model.index(row, UpstreamsModel::Name).data(UpstreamsModel::NameRole).toString();
    return list;
}

void tst_UpstreamsModel::rowsFromViews()
{
    UpstreamsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setUpstreams({upstream("deepseek", "open"), upstream("openai")});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), int(UpstreamsModel::ColumnCount));
    QCOMPARE(names(model), (QStringList{"deepseek", "openai"}));
    QCOMPARE(model.index(0, UpstreamsModel::Breaker).data(UpstreamsModel::BreakerStateRole).toString(), QStringLiteral("open"));
    QCOMPARE(model.index(1, UpstreamsModel::Breaker).data().toString(), QStringLiteral("Closed"));
    QCOMPARE(model.rowOf(QStringLiteral("openai")), 1);
    QCOMPARE(model.rowOf(QStringLiteral("nobody")), -1);
}

void tst_UpstreamsModel::updatesInPlaceKeepTheSelection()
{
    UpstreamsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QTableView view;
    view.setModel(&model);
    view.setSelectionBehavior(QAbstractItemView::SelectRows);
    QList<UpstreamView> views;
    for (int i = 0; i < 40; ++i)
        views << upstream(QStringLiteral("u%1").arg(i, 2, 10, QLatin1Char('0')));
    model.setUpstreams(views);
    view.resize(500, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.selectRow(30);
    view.scrollTo(model.index(30, 0));
    const int scroll = view.verticalScrollBar()->value();
    QVERIFY(scroll > 0);

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy layouts(&model, &QAbstractItemModel::layoutChanged);
    QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removes(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
    for (int round = 0; round < 10; ++round) {
        for (UpstreamView &v : views) {
            v.inFlight = round;
            v.latencyP50Ms += 10;
        }
        views[30].breaker = round % 2 ? QStringLiteral("open") : QStringLiteral("closed");
        model.setUpstreams(views);
    }
    QCOMPARE(resets.count(), 0);
    QCOMPARE(layouts.count(), 0);
    QCOMPARE(inserts.count(), 0);
    QCOMPARE(removes.count(), 0);
    QVERIFY(changes.count() >= 10);
    const QModelIndexList selected = view.selectionModel()->selectedRows();
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.first().data(UpstreamsModel::NameRole).toString(), QStringLiteral("u30"));
    QCOMPARE(view.verticalScrollBar()->value(), scroll);
    QCOMPARE(model.index(30, UpstreamsModel::Breaker).data(UpstreamsModel::BreakerStateRole).toString(), QStringLiteral("open"));
}

void tst_UpstreamsModel::changesOnlyTheColumnsThatChanged()
{
    UpstreamsModel model;
    QList<UpstreamView> views{upstream("a"), upstream("b"), upstream("c")};
    model.setUpstreams(views);
    QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
    model.setUpstreams(views);
    QCOMPARE(changes.count(), 0); // nothing differs, nothing said

    views[1].queued = 7;
    model.setUpstreams(views);
    QCOMPARE(changes.count(), 1);
    QCOMPARE(changes.at(0).at(0).toModelIndex(), model.index(1, UpstreamsModel::Queue));
    QCOMPARE(changes.at(0).at(1).toModelIndex(), model.index(1, UpstreamsModel::Queue));

    changes.clear();
    views[0].enabled = false;
    views[1].enabled = false;
    model.setUpstreams(views);
    QCOMPARE(changes.count(), 1); // one run of adjacent rows
    QCOMPARE(changes.at(0).at(0).toModelIndex(), model.index(0, UpstreamsModel::Enabled));
    QCOMPARE(changes.at(0).at(1).toModelIndex(), model.index(1, UpstreamsModel::Enabled));
    QCOMPARE(model.index(1, UpstreamsModel::Enabled).data().toString(), QStringLiteral("Disabled"));
}

void tst_UpstreamsModel::removedAndAddedRows()
{
    UpstreamsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.setUpstreams({upstream("a"), upstream("b"), upstream("c"), upstream("d")});
    model.setUpstreams({upstream("a"), upstream("d"), upstream("e")});
    QCOMPARE(names(model), (QStringList{"a", "d", "e"}));
    QCOMPARE(model.rowOf(QStringLiteral("d")), 1);
    model.setUpstreams({});
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(resets.count(), 0);
}

void tst_UpstreamsModel::displayTexts_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("text");
    QTest::newRow("name with preset") << int(UpstreamsModel::Name) << QStringLiteral("work (deepseek)");
    QTest::newRow("breaker") << int(UpstreamsModel::Breaker) << QStringLiteral("Half-open");
    QTest::newRow("error rate") << int(UpstreamsModel::ErrorRate) << QStringLiteral("5.0%");
    QTest::newRow("latency") << int(UpstreamsModel::Latency) << QStringLiteral("420 ms / 2.30 s");
    QTest::newRow("ttft") << int(UpstreamsModel::Ttft) << QStringLiteral("180 ms");
    QTest::newRow("load") << int(UpstreamsModel::Load) << QStringLiteral("2 / 8");
    QTest::newRow("queue") << int(UpstreamsModel::Queue) << QStringLiteral("1 / 32");
    QTest::newRow("key") << int(UpstreamsModel::Key) << QStringLiteral("sk-…a1b2 · from $DEEPSEEK_API_KEY");
    QTest::newRow("enabled") << int(UpstreamsModel::Enabled) << QStringLiteral("Enabled");
}

void tst_UpstreamsModel::displayTexts()
{
    QFETCH(int, column);
    QFETCH(QString, text);
    UpstreamView v = upstream("deepseek", "half_open");
    v.name = QStringLiteral("work");
    v.keySource = QStringLiteral("env:DEEPSEEK_API_KEY");
    UpstreamsModel model;
    model.setUpstreams({v});
    QCOMPARE(model.index(0, column).data().toString(), text);
}

void tst_UpstreamsModel::breakerToolTipCarriesTheReason()
{
    UpstreamView v = upstream("deepseek", "open");
    v.modelBreakers = {{QStringLiteral("deepseek-reasoner"), QStringLiteral("open"), QStringLiteral("3 timeouts"), 0}};
    UpstreamView missing = upstream("openai");
    missing.keyHint.clear();
    missing.keyMissing = true;
    UpstreamsModel model;
    model.setUpstreams({v, missing});
    const QString tip = model.index(0, UpstreamsModel::Breaker).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QLatin1String("5 failures in a row (last: 503)")), qPrintable(tip));
    QVERIFY2(tip.contains(QLatin1String("deepseek-reasoner: Open (3 timeouts)")), qPrintable(tip));
    QCOMPARE(model.index(1, UpstreamsModel::Key).data().toString(), QStringLiteral("missing (from $OPENAI_API_KEY)"));
    // No figures yet: dashes, not zeros.
    UpstreamView idle = upstream("idle");
    idle.requests = 0;
    idle.latencyP50Ms = idle.latencyP99Ms = idle.ttftP50Ms = -1;
    model.setUpstreams({idle});
    QCOMPARE(model.index(0, UpstreamsModel::ErrorRate).data().toString(), QStringLiteral("—"));
    QCOMPARE(model.index(0, UpstreamsModel::Latency).data().toString(), QStringLiteral("—"));
}

void tst_UpstreamsModel::takersShareDialectAndModels()
{
    UpstreamView down = upstream("deepseek", "open");
    down.models = {QStringLiteral("deepseek-chat")};
    UpstreamView router = upstream("openrouter");
    router.models = {QStringLiteral("*")};
    UpstreamView other = upstream("openai"); // openai-* only: not a taker
    UpstreamView alsoDown = upstream("backup", "open");
    alsoDown.models = {};
    UpstreamView claude = upstream("claude");
    claude.dialect = QStringLiteral("anthropic");
    claude.models = {};
    const QList<UpstreamView> views{down, router, other, alsoDown, claude};
    QCOMPARE(UpstreamText::takers(views, QStringLiteral("deepseek")), QStringList{QStringLiteral("openrouter")});
    QCOMPARE(UpstreamText::downText(QStringLiteral("5 failures in a row (last: 503)"), {QStringLiteral("openrouter")}),
             QStringLiteral("5 failures in a row (last: 503). Traffic goes to openrouter."));
    QCOMPARE(UpstreamText::downText(QString(), {}), QStringLiteral("Its breaker is open. No other upstream serves its models."));
    QCOMPARE(UpstreamText::testResult(true, 200, 184, QString()), QStringLiteral("200 in 184 ms"));
    QCOMPARE(UpstreamText::testResult(false, 401, 90, QStringLiteral("invalid api key")), QStringLiteral("401: invalid api key"));
}

QTEST_MAIN(tst_UpstreamsModel)
#include "tst_UpstreamsModel.moc"
