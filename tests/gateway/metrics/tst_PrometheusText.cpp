// PrometheusText and Histogram: the exposition format as Prometheus parses it (escaping, numbers,
// HELP/TYPE, cumulative buckets ending in +Inf = count), checked by promtool as well as by eye.
#include "MetricsText.h"
#include "Promtool.h"
#include "metrics/Histogram.h"
#include "metrics/PrometheusText.h"

#include <QtTest>

#include <limits>

namespace {
constexpr double Bounds[] = {0.1, 1, 10};
}

class tst_PrometheusText : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void escapeLabelValue_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QByteArray>("escaped");
        QTest::newRow("plain") << "gpt-4o" << QByteArray("gpt-4o");
        QTest::newRow("empty") << "" << QByteArray("");
        QTest::newRow("backslash") << "a\\b" << QByteArray("a\\\\b");
        QTest::newRow("quote") << "say \"hi\"" << QByteArray("say \\\"hi\\\"");
        QTest::newRow("newline") << "a\nb" << QByteArray("a\\nb");
        QTest::newRow("all three") << "\\\"\n" << QByteArray("\\\\\\\"\\n");
        QTest::newRow("tab and braces stay") << "a\t{b}=c," << QByteArray("a\t{b}=c,");
        QTest::newRow("utf-8") << QString::fromUtf8("tenant-é✓") << QByteArray("tenant-\xc3\xa9\xe2\x9c\x93");
    }
    void escapeLabelValue()
    {
        QFETCH(QString, value);
        QFETCH(QByteArray, escaped);
        QCOMPARE(PrometheusText::escapeLabelValue(value), escaped);
    }

    void number_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("zero") << 0.0 << QByteArray("0");
        QTest::newRow("one") << 1.0 << QByteArray("1");
        QTest::newRow("bucket 0.05") << 0.05 << QByteArray("0.05");
        QTest::newRow("bucket 2.5") << 2.5 << QByteArray("2.5");
        QTest::newRow("large integer") << 123456789012.0 << QByteArray("123456789012");
        QTest::newRow("sum of ms") << 12.345 << QByteArray("12.345");
        QTest::newRow("negative") << -3.0 << QByteArray("-3");
        QTest::newRow("+Inf") << std::numeric_limits<double>::infinity() << QByteArray("+Inf");
        QTest::newRow("-Inf") << -std::numeric_limits<double>::infinity() << QByteArray("-Inf");
        QTest::newRow("NaN") << std::numeric_limits<double>::quiet_NaN() << QByteArray("NaN");
    }
    void number()
    {
        QFETCH(double, value);
        QFETCH(QByteArray, text);
        QCOMPARE(PrometheusText::number(value), text);
    }

    void labelsRenderInOrderEscaped()
    {
        QCOMPARE(PrometheusText::labels({}), QByteArray());
        QCOMPARE(PrometheusText::labels({{"model", QStringLiteral("m")}, {"tenant", QStringLiteral("a\"b")}}),
                 QByteArray("{model=\"m\",tenant=\"a\\\"b\"}"));
        QCOMPARE(PrometheusText::labels({"a", "b"}, {QStringLiteral("1"), QStringLiteral("x\ny")}), QByteArray("{a=\"1\",b=\"x\\ny\"}"));
    }

    void familyHeaderAndSamples()
    {
        PrometheusText out;
        out.family("tf_things_total", "counter", "Things, with a \\ backslash\nand a newline.");
        out.sample("tf_things_total", PrometheusText::labels({{"kind", QStringLiteral("a")}}), qint64(3));
        out.sample("tf_things_total", QByteArray(), qint64(9007199254740993)); // above 2^53: exact
        out.family("tf_level", "gauge", "A level.");
        out.sample("tf_level", QByteArray(), 0.5);
        QCOMPARE(out.take(), QByteArray("# HELP tf_things_total Things, with a \\\\ backslash\\nand a newline.\n"
                                        "# TYPE tf_things_total counter\n"
                                        "tf_things_total{kind=\"a\"} 3\n"
                                        "tf_things_total 9007199254740993\n"
                                        "# HELP tf_level A level.\n"
                                        "# TYPE tf_level gauge\n"
                                        "tf_level 0.5\n"));
    }

    void histogramCountsOnAndBelowEachBound()
    {
        Histogram h(Bounds);
        for (double v : {0.05, 0.1, 0.5, 1.0, 1.5, 10.0, 11.0, 1000.0})
            h.observe(v);
        QCOMPARE(h.count(), 8);
        QCOMPARE(h.sum(), 0.05 + 0.1 + 0.5 + 1.0 + 1.5 + 10.0 + 11.0 + 1000.0);
        QCOMPARE(h.cumulativeCount(0), 2); // 0.05 and 0.1: le is "less or equal"
        QCOMPARE(h.cumulativeCount(1), 4);
        QCOMPARE(h.cumulativeCount(2), 6);
        QCOMPARE(h.cumulativeCount(3), 8); // +Inf
    }

    void histogramRendersCumulativeBucketsInfSumCount()
    {
        Histogram h(Bounds);
        for (double v : {0.2, 0.3, 5.0, 50.0})
            h.observe(v);
        PrometheusText out;
        out.family("tf_seconds", "histogram", "Time.");
        out.histogram("tf_seconds", PrometheusText::labels({{"endpoint", QStringLiteral("/v1/x")}}), h);
        out.histogram("tf_seconds", QByteArray(), Histogram(Bounds));
        const QByteArray text = out.take();
        QCOMPARE(text, QByteArray("# HELP tf_seconds Time.\n"
                                  "# TYPE tf_seconds histogram\n"
                                  "tf_seconds_bucket{endpoint=\"/v1/x\",le=\"0.1\"} 0\n"
                                  "tf_seconds_bucket{endpoint=\"/v1/x\",le=\"1\"} 2\n"
                                  "tf_seconds_bucket{endpoint=\"/v1/x\",le=\"10\"} 3\n"
                                  "tf_seconds_bucket{endpoint=\"/v1/x\",le=\"+Inf\"} 4\n"
                                  "tf_seconds_sum{endpoint=\"/v1/x\"} 55.5\n"
                                  "tf_seconds_count{endpoint=\"/v1/x\"} 4\n"
                                  "tf_seconds_bucket{le=\"0.1\"} 0\n"
                                  "tf_seconds_bucket{le=\"1\"} 0\n"
                                  "tf_seconds_bucket{le=\"10\"} 0\n"
                                  "tf_seconds_bucket{le=\"+Inf\"} 0\n"
                                  "tf_seconds_sum 0\n"
                                  "tf_seconds_count 0\n"));
        // Read back as numbers: never decreasing, +Inf equal to _count.
        const MetricsText parsed(text);
        QVERIFY2(parsed.isValid(), qPrintable(parsed.error()));
        double previous = 0;
        for (const MetricsText::Sample &s : parsed.samples()) {
            if (s.name == QLatin1String("tf_seconds_bucket") && s.labels.value("endpoint") == QLatin1String("/v1/x")) {
                QVERIFY(s.value >= previous);
                previous = s.value;
            }
        }
        QCOMPARE(parsed.sum("tf_seconds_bucket", {{"endpoint", "/v1/x"}, {"le", "+Inf"}}),
                 parsed.sum("tf_seconds_count", {{"endpoint", "/v1/x"}}));
    }

    void promtoolAcceptsEscapedLabels()
    {
        PrometheusText out;
        out.family("tf_escaped_total", "counter", "Label values with every character that needs escaping.");
        out.sample("tf_escaped_total", PrometheusText::labels({{"tenant", QStringLiteral("back\\slash")}}), qint64(1));
        out.sample("tf_escaped_total", PrometheusText::labels({{"tenant", QStringLiteral("a \"quoted\" one")}}), qint64(2));
        out.sample("tf_escaped_total", PrometheusText::labels({{"tenant", QStringLiteral("two\nlines")}}), qint64(3));
        out.sample("tf_escaped_total", PrometheusText::labels({{"tenant", QString::fromUtf8("ünïcødé")}}), qint64(4));
        out.family("tf_wait_seconds", "histogram", "A histogram.");
        Histogram h(Bounds);
        h.observe(0.5);
        out.histogram("tf_wait_seconds", PrometheusText::labels({{"endpoint", QStringLiteral("e\"\\\n")}}), h);
        const QByteArray text = out.take();
        const Promtool::Result r = Promtool::checkMetrics(text);
        QVERIFY2(r.ran, r.output.constData());
        QVERIFY2(r.exitCode == 0 && r.output.trimmed().isEmpty(), (r.output + "\n" + text).constData());
        // And the values come back as they went in.
        const MetricsText parsed(text);
        QVERIFY2(parsed.isValid(), qPrintable(parsed.error()));
        QCOMPARE(parsed.sum("tf_escaped_total", {{"tenant", "back\\slash"}}), 1.0);
        QCOMPARE(parsed.sum("tf_escaped_total", {{"tenant", "a \"quoted\" one"}}), 2.0);
        QCOMPARE(parsed.sum("tf_escaped_total", {{"tenant", "two\nlines"}}), 3.0);
        QCOMPARE(parsed.sum("tf_escaped_total", {{"tenant", QString::fromUtf8("ünïcødé")}}), 4.0);
    }
};

QTEST_GUILESS_MAIN(tst_PrometheusText)
#include "tst_PrometheusText.moc"
