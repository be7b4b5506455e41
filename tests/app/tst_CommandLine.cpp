// The command line: every option, the config file under it, and a clear error for each mistake.
#include "CommandLine.h"

#include <QTemporaryDir>
#include <QtTest>

class tst_CommandLine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // Keep the user's own config out of it.
        qputenv("XDG_CONFIG_HOME", QByteArray(m_home.path().toUtf8()));
    }

    void defaults()
    {
        const Invocation inv = parseCommandLine({"tokenfuse"});
        QCOMPARE(int(inv.mode), int(Invocation::Mode::Gateway));
        QVERIFY(!inv.headless);
        QCOMPARE(inv.config.listenHost, QStringLiteral("127.0.0.1"));
        QCOMPARE(inv.config.listenPort, 8400);
        QVERIFY(inv.config.simulatorServesAll());
    }

    void options()
    {
        const Invocation inv = parseCommandLine({"tokenfuse", "--headless", "--listen", "127.0.0.1:9100", "--data-dir=/tmp/x",
                                                 "--upstream", "https://api.deepseek.com/v1", "--upstream-key-env", "DS_KEY"});
        QVERIFY(inv.headless);
        QCOMPARE(inv.config.listenPort, 9100);
        QCOMPARE(inv.config.dataDir, QStringLiteral("/tmp/x"));
        QCOMPARE(inv.config.upstreams.size(), 1);
        QCOMPARE(inv.config.upstreams.at(0).baseUrl.host(), QStringLiteral("api.deepseek.com"));
        QCOMPARE(inv.config.upstreams.at(0).apiKeyEnv, QStringLiteral("DS_KEY"));
        QVERIFY(!inv.config.simulatorServesAll());
    }

    void simulateCommand()
    {
        const Invocation inv = parseCommandLine({"tokenfuse", "simulate", "--ttft-ms", "5", "--fault", "status:429"});
        QCOMPARE(int(inv.mode), int(Invocation::Mode::Simulate));
        QCOMPARE(inv.config.listenPort, 9400);
        QCOMPARE(inv.config.simulator.ttftMs, 5);
        QCOMPARE(inv.config.simulator.faultStatus, 429);
    }

    void simulateToolScript()
    {
        const Invocation inv = parseCommandLine({"tokenfuse", "simulate", "--tool-call", "read_file", "--tool-args", R"({"path":"a"})"});
        QCOMPARE(int(inv.mode), int(Invocation::Mode::Simulate));
        QCOMPARE(inv.config.simulator.toolCallName, QString("read_file"));
        QCOMPARE(inv.config.simulator.toolCallArguments, QByteArray(R"({"path":"a"})"));
        const Invocation bad = parseCommandLine({"tokenfuse", "simulate", "--tool-args", "nope"});
        QCOMPARE(int(bad.mode), int(Invocation::Mode::Error));
        QVERIFY2(bad.error.contains("--tool-args"), qPrintable(bad.error));
    }

    void configFileUnderCommandLine()
    {
        QTemporaryDir dir;
        QFile f(dir.filePath("c.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"listen\": \"127.0.0.1:9200\", \"upstreams\": [{\"name\": \"u\", \"base_url\": \"http://127.0.0.1:1/v1\"}]}");
        f.close();
        Invocation inv = parseCommandLine({"tokenfuse", "--config", f.fileName()});
        QCOMPARE(inv.config.listenPort, 9200);
        QCOMPARE(inv.config.upstreams.at(0).name, QStringLiteral("u"));
        inv = parseCommandLine({"tokenfuse", "--config", f.fileName(), "--listen", "127.0.0.1:9300", "--simulate"});
        QCOMPARE(inv.config.listenPort, 9300);
        QVERIFY(inv.config.simulatorServesAll());
    }

    void errors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown option") << QStringList{"tokenfuse", "--frobnicate"} << "unknown option '--frobnicate'";
        QTest::newRow("missing value") << QStringList{"tokenfuse", "--listen"} << "--listen needs a value";
        QTest::newRow("bad listen") << QStringList{"tokenfuse", "--listen", "nope"} << "--listen";
        QTest::newRow("missing config") << QStringList{"tokenfuse", "--config", "/nonexistent/c.json"} << "/nonexistent/c.json";
        QTest::newRow("bad upstream") << QStringList{"tokenfuse", "--upstream", "not a url"} << "--upstream";
        QTest::newRow("bad simulator knob") << QStringList{"tokenfuse", "simulate", "--ttft-ms", "soon"} << "--ttft-ms";
    }

    void errors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const Invocation inv = parseCommandLine(args);
        QCOMPARE(int(inv.mode), int(Invocation::Mode::Error));
        QVERIFY2(inv.error.contains(mentions), qPrintable(inv.error));
    }

    void badConfigFileNamesTheKey()
    {
        QTemporaryDir dir;
        QFile f(dir.filePath("c.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"upstreams\": [{\"name\": \"u\", \"base_url\": \"http://x/v1\", \"dialect\": \"cobol\"}]}");
        f.close();
        const Invocation inv = parseCommandLine({"tokenfuse", "--config", f.fileName()});
        QCOMPARE(int(inv.mode), int(Invocation::Mode::Error));
        QVERIFY(inv.error.contains(f.fileName()));
        QVERIFY(inv.error.contains("upstreams[0].dialect"));
    }

private:
    QTemporaryDir m_home;
};

QTEST_GUILESS_MAIN(tst_CommandLine)
#include "tst_CommandLine.moc"
