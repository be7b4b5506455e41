// The tokenfuse executable as a user runs it: exit codes, one-line errors, headless with no GUI
// library loaded, the fall-back when no display can be opened, the console when one can, and a
// clean stop on SIGTERM.
#include "TestSupport.h"

#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

class tst_TokenfuseProcess : public QObject
{
    Q_OBJECT
private:
    QString m_binary = qEnvironmentVariable("TOKENFUSE_BINARY");
    QTemporaryDir m_home;

    QProcessEnvironment environment(bool display) const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("DISPLAY");
        env.remove("WAYLAND_DISPLAY");
        env.remove("QT_QPA_PLATFORM");
        if (display)
            env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("XDG_CONFIG_HOME", m_home.path());
        return env;
    }

    // Starts tokenfuse and waits for its "listening on" line; returns the port.
    quint16 startListening(QProcess &p, const QStringList &args, bool display = false)
    {
        p.setProcessEnvironment(environment(display));
        p.start(m_binary, args);
        if (!p.waitForStarted(5000))
            return 0;
        QByteArray out;
        QElapsedTimer t;
        t.start();
        while (!out.contains("listening on") && t.elapsed() < 15000) {
            p.waitForReadyRead(500);
            out += p.readAllStandardOutput();
        }
        const qsizetype at = out.indexOf("http://127.0.0.1:");
        return at < 0 ? 0 : quint16(out.mid(at + 17).split('/').value(0).toUInt());
    }

    QByteArray maps(qint64 pid)
    {
        QFile f(QStringLiteral("/proc/%1/maps").arg(pid));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(m_binary), qPrintable(m_binary));
    }

    void version()
    {
        QProcess p;
        p.start(m_binary, {"--version"});
        QVERIFY(p.waitForFinished(5000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardOutput().startsWith("tokenfuse " TOKENFUSE_VERSION));
    }

    void badInputExitsWithTwoAndOneLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("mentions");
        QTest::newRow("option") << QStringList{"--nope"} << QByteArray("--nope");
        QTest::newRow("config") << QStringList{"--config", "/nonexistent.json"} << QByteArray("/nonexistent.json");
    }

    void badInputExitsWithTwoAndOneLine()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, mentions);
        QProcess p;
        p.setProcessEnvironment(environment(false));
        p.start(m_binary, args);
        QVERIFY(p.waitForFinished(5000));
        QCOMPARE(p.exitCode(), 2);
        const QByteArray err = p.readAllStandardError();
        QCOMPARE(err.count('\n'), 1);
        QVERIFY2(err.contains(mentions), err.constData());
    }

    void portInUseExitsWithOne()
    {
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        QTemporaryDir data;
        QProcess p;
        p.setProcessEnvironment(environment(false));
        p.start(m_binary, {"--headless", "--simulate", "--data-dir", data.path(), "--listen",
                           QStringLiteral("127.0.0.1:%1").arg(taken.serverPort())});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(p.readAllStandardError().contains("cannot listen on 127.0.0.1:"));
    }

    void headlessLoadsNoGuiLibraryAndStopsCleanly()
    {
        QTemporaryDir data;
        QProcess p;
        const quint16 port = startListening(p, {"--headless", "--simulate", "--listen", "127.0.0.1:0", "--data-dir", data.path()});
        QVERIFY(port);
        const QByteArray m = maps(p.processId());
        QVERIFY(m.contains("libQt6Core"));
        QVERIFY(m.contains("libQt6Network"));
        QVERIFY2(!m.contains("libQt6Gui") && !m.contains("libQt6Widgets") && !m.contains("libQt6Charts"),
                 "a headless gateway has no GUI library in its process");
        ::kill(pid_t(p.processId()), SIGTERM);
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(QFile::exists(data.filePath("tokenfuse.db")));
    }

    void noDisplayFallsBackToHeadlessAndSaysSo()
    {
        QTemporaryDir data;
        QProcess p;
        const quint16 port = startListening(p, {"--simulate", "--listen", "127.0.0.1:0", "--data-dir", data.path()});
        QVERIFY(port);
        QVERIFY(p.readAllStandardError().contains("no display found"));
        QVERIFY(!maps(p.processId()).contains("libQt6Widgets"));
        p.terminate();
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
    }

    void withADisplayTheConsoleRunsTheGateway()
    {
        QTemporaryDir data;
        QProcess p;
        const quint16 port = startListening(p, {"--simulate", "--listen", "127.0.0.1:0", "--data-dir", data.path()}, true);
        QVERIFY(port);
        QVERIFY2(maps(p.processId()).contains("libQt6Widgets"), "the console window is up");
        RawClient c(port);
        c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QTRY_VERIFY(c.received.contains("\"status\":\"ok\""));
        p.terminate();
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_TokenfuseProcess)
#include "tst_TokenfuseProcess.moc"
