#include "simulator/SimulatorProfile.h"

#include <QTest>

class tst_SimulatorProfile : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void applyOption_data();
    void applyOption();
    void rejectsBadValues_data();
    void rejectsBadValues();
    void faultsAccumulateUntilNone();
    void freeFunctionMatchesMember();
    void toolCallScript();
};

void tst_SimulatorProfile::applyOption_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("field");
    QTest::addColumn<double>("expected");

    QTest::newRow("ttft, command line") << "--ttft-ms" << "250" << "ttft" << 250.0;
    QTest::newRow("ttft, header") << "x-sim-ttft-ms" << "0" << "ttft" << 0.0;
    QTest::newRow("ttft, bare") << "ttft-ms" << " 40 " << "ttft" << 40.0;
    QTest::newRow("tokens per second") << "--tokens-per-second" << "12.5" << "tps" << 12.5;
    QTest::newRow("tokens per second zero") << "x-sim-tokens-per-second" << "0" << "tps" << 0.0;
    QTest::newRow("completion tokens") << "--completion-tokens" << "7" << "completion" << 7.0;
    QTest::newRow("retry after") << "--retry-after" << "2" << "retryAfter" << 2.0;
    QTest::newRow("fault status") << "--fault" << "status:429" << "status" << 429.0;
    QTest::newRow("fault hang") << "x-sim-fault" << "hang" << "hang" << 1.0;
    QTest::newRow("fault disconnect") << "--fault" << "disconnect:3" << "disconnect" << 3.0;
    QTest::newRow("fault stall") << "--fault" << "stall:4" << "stall" << 4.0;
    QTest::newRow("fault malformed") << "--fault" << "malformed:0" << "malformed" << 0.0;
    QTest::newRow("fault no-usage") << "--fault" << "no-usage" << "noUsage" << 1.0;
    QTest::newRow("fault list") << "x-sim-fault" << "malformed:2, no-usage" << "noUsage" << 1.0;
    QTest::newRow("name case") << "X-Sim-TTFT-Ms" << "9" << "ttft" << 9.0;
}

void tst_SimulatorProfile::applyOption()
{
    QFETCH(QString, name);
    QFETCH(QString, value);
    QFETCH(QString, field);
    QFETCH(double, expected);

    SimulatorProfile p;
    QString error;
    QVERIFY2(p.applyOption(name, value, &error), qPrintable(error));
    QVERIFY(error.isEmpty());
    const QHash<QString, double> actual{
        {"ttft", p.ttftMs}, {"tps", p.tokensPerSecond}, {"completion", p.completionTokens},
        {"retryAfter", p.retryAfterSeconds}, {"status", p.faultStatus}, {"hang", p.hang ? 1 : 0},
        {"disconnect", p.disconnectAfterTokens}, {"stall", p.stallAfterTokens}, {"malformed", p.malformedAfterTokens}, {"noUsage", p.omitUsage ? 1 : 0}};
    QCOMPARE(actual.value(field), expected);
}

void tst_SimulatorProfile::rejectsBadValues_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("mentions");

    QTest::newRow("unknown option") << "--tffs" << "1" << "unknown simulator option";
    QTest::newRow("ttft not a number") << "--ttft-ms" << "fast" << "ttft-ms";
    QTest::newRow("ttft negative") << "--ttft-ms" << "-1" << "ttft-ms";
    QTest::newRow("tps negative") << "--tokens-per-second" << "-3" << "tokens-per-second";
    QTest::newRow("tps nan") << "--tokens-per-second" << "nan" << "tokens-per-second";
    QTest::newRow("completion not whole") << "--completion-tokens" << "2.5" << "completion-tokens";
    QTest::newRow("retry after text") << "--retry-after" << "soon" << "retry-after";
    QTest::newRow("fault unknown") << "--fault" << "explode" << "unknown fault";
    QTest::newRow("fault status not error") << "--fault" << "status:200" << "400 to 599";
    QTest::newRow("fault status missing") << "--fault" << "status" << "400 to 599";
    QTest::newRow("fault disconnect missing count") << "--fault" << "disconnect" << "token count";
    QTest::newRow("fault stall missing count") << "--fault" << "stall" << "token count";
    QTest::newRow("fault hang with argument") << "--fault" << "hang:3" << "unknown fault";
    QTest::newRow("fault empty") << "--fault" << "" << "empty";
    QTest::newRow("fault list with a bad item") << "--fault" << "no-usage,nope" << "nope";
    QTest::newRow("tool args not JSON") << "--tool-args" << "{path: x}" << "tool-args";
    QTest::newRow("tool args an array") << "x-sim-tool-args" << "[1]" << "JSON object";
}

void tst_SimulatorProfile::rejectsBadValues()
{
    QFETCH(QString, name);
    QFETCH(QString, value);
    QFETCH(QString, mentions);

    SimulatorProfile p;
    const SimulatorProfile before = p;
    QString error;
    QVERIFY(!p.applyOption(name, value, &error));
    QVERIFY2(error.contains(mentions), qPrintable(error));
    // Nothing half-applied.
    QCOMPARE(p.ttftMs, before.ttftMs);
    QCOMPARE(p.completionTokens, before.completionTokens);
    QCOMPARE(p.omitUsage, before.omitUsage);
    QCOMPARE(p.hasFault(), false);
}

void tst_SimulatorProfile::faultsAccumulateUntilNone()
{
    SimulatorProfile p;
    QVERIFY(p.applyOption("--fault", "status:503", nullptr));
    QVERIFY(p.applyOption("--fault", "no-usage", nullptr));
    QVERIFY(p.applyOption("--retry-after", "4", nullptr));
    QCOMPARE(p.faultStatus, 503);
    QVERIFY(p.omitUsage);
    QVERIFY(p.hasFault());
    QVERIFY(p.applyOption("--fault", "none", nullptr));
    QVERIFY(!p.hasFault());
    // Retry-After is a knob of its own, not a fault.
    QCOMPARE(p.retryAfterSeconds, 4);
}

void tst_SimulatorProfile::freeFunctionMatchesMember()
{
    SimulatorProfile p;
    QString error;
    QVERIFY(applySimulatorOption(p, "--completion-tokens", "3", &error));
    QCOMPARE(p.completionTokens, 3);
    QVERIFY(!applySimulatorOption(p, "--completion-tokens", "x", &error));
    QVERIFY(!error.isEmpty());
    QCOMPARE(SimulatorProfile::optionNames().size(), 7);
}

void tst_SimulatorProfile::toolCallScript()
{
    SimulatorProfile p;
    QString error;
    QVERIFY2(p.applyOption("--tool-call", " read_file ", &error), qPrintable(error));
    QVERIFY2(p.applyOption("x-sim-tool-args", R"( {"path":"README.md"} )", &error), qPrintable(error));
    QCOMPARE(p.toolCallName, QString("read_file"));
    QCOMPARE(p.toolCallArguments, QByteArray(R"({"path":"README.md"})"));
    // A script is not a fault: clearing the faults keeps it.
    QVERIFY(p.applyOption("--fault", "none", nullptr));
    QCOMPARE(p.toolCallName, QString("read_file"));
    QVERIFY(!p.hasFault());
    QVERIFY(p.applyOption("--tool-call", "none", nullptr));
    QVERIFY(p.toolCallName.isEmpty());
    QVERIFY(p.applyOption("--tool-args", "", nullptr));
    QVERIFY(p.toolCallArguments.isEmpty());
}

QTEST_GUILESS_MAIN(tst_SimulatorProfile)
#include "tst_SimulatorProfile.moc"
