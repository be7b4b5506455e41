// ConsoleApplication with a stall probe attached: a slot that holds the GUI thread for 80 ms is
// named in the report as the slowest delivery, with its wall and CPU time; without a probe the
// application delivers events as QApplication does and records nothing.
#include "ConsoleApplication.h"
#include "EventLoopStallProbe.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

namespace {
void busyFor(int ms)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms) {
        // Holding the thread is the behaviour under test.
    }
}

void runLoopFor(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}
} // namespace

class tst_ConsoleApplication : public QObject
{
    Q_OBJECT
private slots:
    void theSlowestDeliveryIsNamed()
    {
        QTemporaryDir dir;
        EventLoopStallProbe probe(dir.filePath(QStringLiteral("stalls.json")));
        auto *app = qobject_cast<ConsoleApplication *>(QCoreApplication::instance());
        QVERIFY(app);
        app->setStallProbe(&probe);
        QObject owner;
        owner.setObjectName(QStringLiteral("chartOwner"));
        QTimer slow(&owner);
        slow.setObjectName(QStringLiteral("redrawTimer"));
        slow.setSingleShot(true);
        connect(&slow, &QTimer::timeout, this, [] { busyFor(80); });
        slow.start(10);
        runLoopFor(150);
        app->setStallProbe(nullptr);

        const QJsonObject report = QJsonDocument::fromJson(probe.reportJson()).object();
        QVERIFY2(report.value("deliveries").toInt() > 1, probe.reportJson().constData());
        const QJsonArray slowest = report.value("slowest_deliveries").toArray();
        QVERIFY2(!slowest.isEmpty(), probe.reportJson().constData());
        const QJsonObject first = slowest.first().toObject();
        QCOMPARE(first.value("what").toString(), QStringLiteral("QTimer(redrawTimer) in QObject(chartOwner): Timer"));
        QVERIFY(first.value("ms").toDouble() >= 80);
        // Busy on this thread: its CPU time is nearly all of it (a loaded machine may take some).
        QVERIFY2(first.value("cpu_ms").toDouble() >= 20, probe.reportJson().constData());
        QVERIFY(first.value("cpu_ms").toDouble() <= first.value("ms").toDouble() + 1);
    }

    void withoutAProbeNothingIsRecorded()
    {
        QTemporaryDir dir;
        EventLoopStallProbe probe(dir.filePath(QStringLiteral("stalls.json")));
        int fired = 0;
        QTimer::singleShot(5, this, [&fired] { ++fired; });
        runLoopFor(30);
        QCOMPARE(fired, 1);
        const QJsonObject report = QJsonDocument::fromJson(probe.reportJson()).object();
        QVERIFY(!report.contains("deliveries"));
        QVERIFY(!report.contains("slowest_deliveries"));
    }
};

int main(int argc, char **argv)
{
    ConsoleApplication app(argc, argv);
    tst_ConsoleApplication test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_ConsoleApplication.moc"
