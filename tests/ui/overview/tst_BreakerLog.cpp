// BreakerLog: the Overview timeline's upstream lanes from snapshots' breaker transitions and the
// upstreams' current states.
#include "overview/BreakerLog.h"
#include "upstream/UpstreamView.h"

#include <QtTest>

#include <algorithm>

namespace {
constexpr qint64 T0 = 1'700'000'000'000;

UpstreamTransitionView t(const QString &upstream, const QString &from, const QString &to, qint64 atMs, const QString &model = {})
{
    return {upstream, model, from, to, atMs, QStringLiteral("5 failures in a row (last: 503)")};
}

UpstreamView view(const QString &name, const QString &breaker, qint64 sinceMs)
{
    UpstreamView v;
    v.name = name;
    v.breaker = breaker;
    v.breakerSinceMs = sinceMs;
    return v;
}
} // namespace

class tst_BreakerLog : public QObject
{
    Q_OBJECT
private slots:
    void anOutageIsOneSpanUntilClosed()
    {
        BreakerLog log;
        log.apply({t("deepseek", "closed", "open", T0 + 1000)}, {}, T0 + 1000);
        log.apply({t("deepseek", "open", "half_open", T0 + 16000)}, {}, T0 + 16000);
        log.apply({t("deepseek", "half_open", "open", T0 + 16500)}, {}, T0 + 16500);
        QList<StateTimeline::Lane> lanes = log.lanes(T0, T0 + 60000);
        QCOMPARE(lanes.size(), 1);
        QCOMPARE(lanes.at(0).label, QStringLiteral("deepseek"));
        QCOMPARE(lanes.at(0).kind, QStringLiteral("upstream"));
        QCOMPARE(lanes.at(0).spans.size(), 1);
        QCOMPARE(lanes.at(0).spans.at(0).state, StateTimeline::State::BreakerOpen);
        QCOMPARE(lanes.at(0).spans.at(0).fromMs, T0 + 1000);
        QCOMPARE(lanes.at(0).spans.at(0).toMs, -1);
        log.apply({t("deepseek", "half_open", "closed", T0 + 32000)}, {}, T0 + 32000);
        lanes = log.lanes(T0, T0 + 60000);
        QCOMPARE(lanes.at(0).spans.at(0).toMs, T0 + 32000);
        // Out of the range: no lane.
        QVERIFY(log.lanes(T0 + 40000, T0 + 60000).isEmpty());
    }

    void theCurrentStatesWin()
    {
        BreakerLog log;
        // Open before the console saw any transition; a model's own breaker in its own lane.
        UpstreamView ds = view("deepseek", "open", T0 + 5000);
        ds.modelBreakers = {{QStringLiteral("deepseek-reasoner"), QStringLiteral("open"), QStringLiteral("3 timeouts"), 0}};
        log.apply({}, {ds, view("openai", "closed", T0)}, T0 + 6000);
        QList<StateTimeline::Lane> lanes = log.lanes(T0, T0 + 60000);
        QCOMPARE(lanes.size(), 2);
        QStringList labels{lanes.at(0).label, lanes.at(1).label};
        labels.sort();
        QCOMPARE(labels, (QStringList{"deepseek", "deepseek · deepseek-reasoner"}));
        // A missed closing: the view says closed since when.
        log.apply({}, {view("deepseek", "closed", T0 + 20000), view("openai", "closed", T0)}, T0 + 21000);
        lanes = log.lanes(T0, T0 + 60000);
        for (const StateTimeline::Lane &lane : lanes)
            QVERIFY2(lane.spans.last().toMs >= 0, qPrintable(lane.label));
        const auto deepseek = std::find_if(lanes.cbegin(), lanes.cend(), [](const auto &l) { return l.label == QLatin1String("deepseek"); });
        QCOMPARE(deepseek->spans.last().toMs, T0 + 20000);
    }

    void theLatestOpeningComesFirst()
    {
        BreakerLog log;
        log.apply({t("a", "closed", "open", T0 + 1000), t("b", "closed", "open", T0 + 3000), t("c", "closed", "open", T0 + 2000)}, {}, T0 + 3000);
        const QList<StateTimeline::Lane> lanes = log.lanes(T0, T0 + 60000);
        QCOMPARE(lanes.size(), 3);
        QCOMPARE(lanes.at(0).label, QStringLiteral("b"));
        QCOMPARE(lanes.at(1).label, QStringLiteral("c"));
        QCOMPARE(lanes.at(2).label, QStringLiteral("a"));
    }
};

QTEST_GUILESS_MAIN(tst_BreakerLog)
#include "tst_BreakerLog.moc"
