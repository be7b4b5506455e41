// EventLoopStallProbe: a thread that blocks its event loop for 120 ms is reported as a stall of
// at least 100 ms (and less than a second), and the report file says so, with when it happened.
#include "EventLoopStallProbe.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

class tst_EventLoopStallProbe : public QObject
{
    Q_OBJECT
private slots:
    void aBlockedLoopIsOneLongStall()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("stalls.json"));
        {
            EventLoopStallProbe probe(path);
            // Let it tick freely first, so the stall is measured against a running loop.
            // (A real event loop: QTest::qWait sleeps between its rounds, which would read as stalls.)
            QEventLoop loop;
            QTimer::singleShot(50, &loop, &QEventLoop::quit);
            loop.exec();
            QElapsedTimer blocked;
            blocked.start();
            while (blocked.elapsed() < 120) {
                // The loop is blocked here on purpose: this is the stall under measurement.
            }
            QTimer::singleShot(20, &loop, &QEventLoop::quit);
            loop.exec();
            QVERIFY(probe.longestStallMs() >= 100);
            QVERIFY(probe.longestStallMs() < 1000);
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject report = QJsonDocument::fromJson(f.readAll()).object();
        QVERIFY(report.value("longest_stall_ms").toDouble() >= 100);
        QVERIFY(report.value("stalls_over_100ms").toInt() >= 1); // a loaded machine may add its own
        QVERIFY(report.value("stalls_over_50ms").toInt() >= 1);
        QVERIFY2(report.value("ticks").toInt() > 5, QJsonDocument(report).toJson().constData());
        // The worst stalls, longest first: the blocked one heads the list, ending after the
        // 50 ms of free ticking and the 120 ms block.
        const QJsonArray worst = report.value("worst").toArray();
        QVERIFY2(!worst.isEmpty() && worst.size() <= 5, QJsonDocument(report).toJson().constData());
        QCOMPARE(worst.first().toObject().value("ms").toDouble(), report.value("longest_stall_ms").toDouble());
        QVERIFY(worst.first().toObject().value("at_s").toDouble() >= 0.15);
        for (qsizetype i = 1; i < worst.size(); ++i)
            QVERIFY(worst.at(i).toObject().value("ms").toDouble() <= worst.at(i - 1).toObject().value("ms").toDouble());
    }
};

QTEST_GUILESS_MAIN(tst_EventLoopStallProbe)
#include "tst_EventLoopStallProbe.moc"
