// HttpConnection over real sockets: its phases' timeouts, the lingering close after an error
// answer, and the body's progress window. (Framing and limits are in tst_HttpServer.)
#include "HttpServerFixture.h"

#include <QtTest>

class tst_HttpConnection : public HttpServerFixture
{
    Q_OBJECT
private Q_SLOTS:
    void silentConnectionGetsTheHeaderTimeout()
    {
        HttpLimits l;
        l.headerTimeoutMs = 200;
        l.keepAliveTimeoutMs = 60'000;
        RawClient c(start(l));
        QElapsedTimer t;
        t.start();
        QTRY_VERIFY_WITH_TIMEOUT(c.closed, 3000);
        QVERIFY2(t.elapsed() < 2000, "a connection that never sent a byte must not get the keep-alive timeout");
        QVERIFY2(c.received.isEmpty(), "nothing was asked, so nothing is answered");
    }

    void keepAliveWaitKeepsItsTimeoutUntilTheNextRequestBegins()
    {
        HttpLimits l;
        l.headerTimeoutMs = 200;
        l.keepAliveTimeoutMs = 60'000;
        RawClient c(start(l));
        c.send("GET /a HTTP/1.1\r\n\r\n");
        QTRY_VERIFY(c.received.contains("echo:GET /a"));
        QTest::qWait(600); // three header timeouts: an idle keep-alive connection must outlive them
        QVERIFY(!c.closed);
        c.received.clear();
        c.send("GET /b HTTP/1.1\r\nX-Slow: ");
        QElapsedTimer t;
        t.start();
        QTRY_VERIFY_WITH_TIMEOUT(c.closed, 3000);
        QVERIFY2(c.received.startsWith("HTTP/1.1 408"), c.received.left(80).constData());
        QVERIFY(t.elapsed() < 2000);
    }

    void earlyErrorAnswerReachesAClientStillSending()
    {
        const quint16 port = start(); // the default 32 MiB body limit
        for (int round = 0; round < 4; ++round) {
            UploadClient c(port, "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 67108864\r\n\r\n", 64 * 1024 * 1024);
            QTRY_VERIFY_WITH_TIMEOUT(c.done, 10'000);
            QVERIFY2(c.received.startsWith("HTTP/1.1 413"), qPrintable(QStringLiteral("round %1: %2 / %3").arg(round).arg(QString::fromLatin1(c.received.left(60)), c.error)));
            const QJsonObject o = QJsonDocument::fromJson(c.received.mid(c.received.indexOf("\r\n\r\n") + 4)).object();
            QCOMPARE(o.value("status").toInt(), 413);
        }
        QVERIFY(m_seen.isEmpty());
    }

    void headersTooLargeReachAClientStillSending()
    {
        HttpLimits l;
        l.maxHeaderBytes = 4096;
        const quint16 port = start(l);
        for (int round = 0; round < 3; ++round) {
            // Header bytes that never end: the answer must still arrive before the close.
            UploadClient c(port, "GET /v1/messages HTTP/1.1\r\nX-Big: ", 16 * 1024 * 1024);
            QTRY_VERIFY_WITH_TIMEOUT(c.done, 10'000);
            QVERIFY2(c.received.startsWith("HTTP/1.1 431"), qPrintable(QStringLiteral("round %1: %2 / %3").arg(round).arg(QString::fromLatin1(c.received.left(60)), c.error)));
            QCOMPARE(QJsonDocument::fromJson(c.received.mid(c.received.indexOf("\r\n\r\n") + 4)).object().value("shape").toString(), QStringLiteral("anthropic"));
        }
    }

    void lingeringEndsForAClientThatNeverCloses()
    {
        HttpLimits l;
        l.maxBodyBytes = 1024;
        l.lingerMs = 300;
        const quint16 port = start(l);
        StubbornClient c(port, "POST / HTTP/1.1\r\nContent-Length: 5000\r\n\r\n", 0);
        QTRY_COMPARE(m_server->connectionCount(), 1);
        QElapsedTimer t;
        t.start();
        // The client neither sends more nor closes: the server closes when the lingering time is up.
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, 3000);
        QVERIFY(t.elapsed() >= 200);
        QVERIFY(!c.release);
    }

    void lingeringEndsAfterItsByteBound()
    {
        HttpLimits l;
        l.maxBodyBytes = 1024;
        l.lingerMs = 60'000;
        l.lingerMaxBytes = 256 * 1024;
        const quint16 port = start(l);
        // Far more than the bound, from a client that never reads or closes: the server stops
        // dropping input and closes long before the 60 s lingering time, and the writes fail.
        StubbornClient c(port, "POST / HTTP/1.1\r\nContent-Length: 67108864\r\n\r\n", 64 * 1024 * 1024);
        QTRY_VERIFY_WITH_TIMEOUT(c.finished, 10'000);
        QVERIFY(c.writeFailed);
        QVERIFY2(c.sent < 32 * 1024 * 1024, qPrintable(QString::number(c.sent)));
        QTRY_COMPARE(m_server->connectionCount(), 0);
    }

    void steadySlowBodyIsNotTimedOut()
    {
        HttpLimits l;
        l.bodyTimeoutMs = 300;
        l.minBodyBytesPerSecond = 50; // at least 15 bytes in each 300 ms window
        RawClient c(start(l));
        c.send("POST /trickle HTTP/1.1\r\nContent-Length: 200\r\n\r\n");
        int sent = 0;
        QTimer trickle;
        connect(&trickle, &QTimer::timeout, this, [&] {
            if (sent < 200) {
                c.send(QByteArray(20, 't'));
                sent += 20;
            }
        });
        trickle.start(100); // 200 bytes/s for a second: over three windows
        QTRY_VERIFY_WITH_TIMEOUT(c.received.contains("echo:POST /trickle"), 5000);
        QVERIFY(!c.received.contains("408"));
    }

    void stalledBodyIsTimedOutByTheProgressWindow()
    {
        HttpLimits l;
        l.bodyTimeoutMs = 300;
        l.minBodyBytesPerSecond = 1000; // at least 300 bytes in each window
        RawClient c(start(l));
        c.send("POST / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + QByteArray(100, 's'));
        QTRY_VERIFY(c.closed);
        QVERIFY(c.received.startsWith("HTTP/1.1 408"));
        QVERIFY(c.received.contains("bytes per second"));
        QCOMPARE(m_server->heldBodyBytes(), qint64(0));
    }
};

QTEST_GUILESS_MAIN(tst_HttpConnection)
#include "tst_HttpConnection.moc"
