// CallerResolver: tenant and session as PRODUCT.md orders them, the calling process found from
// /proc for a loopback peer, and keys kept only as fingerprints.
#include "proxy/CallerIdentity.h"
#include "proxy/PeerProcessFinder.h"

#include <QCoreApplication>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <unistd.h>

class tst_CallerIdentity : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void headersComeFirst()
    {
        HttpRequest r;
        r.headers.add("x-tenant-id", "acme");
        r.headers.add("x-session-id", "agent-7");
        r.headers.add("authorization", "Bearer sk-live-123");
        CallerResolver resolver;
        const CallerIdentity id = resolver.resolve(r);
        QCOMPARE(id.tenant, QStringLiteral("acme"));
        QCOMPARE(id.session, QStringLiteral("agent-7"));
        QCOMPARE(id.clientKey, QByteArray("sk-live-123"));
        QVERIFY(id.keyFingerprint.startsWith("sha256:"));
        QVERIFY(!id.keyFingerprint.contains("sk-live"));
        QCOMPARE(id.keyFingerprint, CallerResolver::fingerprint("sk-live-123"));
        QVERIFY(CallerResolver::fingerprint("sk-live-124") != id.keyFingerprint);
    }

    void anthropicKeyHeaderIsFingerprintedToo()
    {
        HttpRequest r;
        r.headers.add("x-api-key", "sk-ant-1");
        CallerResolver resolver;
        QCOMPARE(resolver.resolve(r).keyFingerprint, CallerResolver::fingerprint("sk-ant-1"));
    }

    void withoutHeadersTheTenantIsDefaultAndTheSessionFallsBackToIt()
    {
        HttpRequest r; // no peer address: not loopback
        CallerResolver resolver;
        CallerIdentity id = resolver.resolve(r);
        QVERIFY(!id.needsPeerLookup);
        CallerResolver::settle(&id);
        QCOMPARE(id.tenant, QStringLiteral("default"));
        QCOMPARE(id.session, QStringLiteral("default"));
    }

    // PRODUCT.md's order: X-Session-ID, then the session id the agent already sends (Claude Code's
    // x-claude-code-session-id, Codex's session-id, older Codex's session_id), then the calling
    // process (a loopback peer), then the tenant.
    void sessionPrecedence_data()
    {
        QTest::addColumn<QList<QByteArrayList>>("headers");
        QTest::addColumn<bool>("loopback");
        QTest::addColumn<QString>("session");
        QTest::addColumn<bool>("lookup");
        using H = QList<QByteArrayList>;
        QTest::newRow("x-session-id alone") << H{{"x-session-id", "mine"}} << true << "mine" << false;
        QTest::newRow("x-session-id beats claude code")
            << H{{"x-claude-code-session-id", "cc-1"}, {"x-session-id", "mine"}} << true << "mine" << false;
        QTest::newRow("x-session-id beats codex") << H{{"session-id", "cx-1"}, {"x-session-id", "mine"}} << true << "mine" << false;
        QTest::newRow("claude code") << H{{"x-claude-code-session-id", "0b7c9e1a-cc"}} << true << "0b7c9e1a-cc" << false;
        QTest::newRow("codex") << H{{"session-id", "01a23341-2175-7241"}, {"thread-id", "01a23341-2175-7241"}} << true
                               << "01a23341-2175-7241" << false;
        QTest::newRow("older codex") << H{{"session_id", "cx-old"}, {"conversation_id", "cx-old"}} << true << "cx-old" << false;
        QTest::newRow("claude code beats codex names") << H{{"session-id", "cx"}, {"x-claude-code-session-id", "cc"}} << true << "cc" << false;
        QTest::newRow("agent header without loopback") << H{{"x-claude-code-session-id", "cc-2"}} << false << "cc-2" << false;
        QTest::newRow("blank agent header falls through to the process") << H{{"x-claude-code-session-id", "  "}} << true << "" << true;
        QTest::newRow("nothing, loopback: the process") << H{} << true << "" << true;
        QTest::newRow("nothing, remote: the tenant") << H{{"x-tenant-id", "acme"}} << false << "acme" << false;
        QTest::newRow("as sent, trimmed") << H{{"session-id", " cx-3 "}} << false << "cx-3" << false;
    }

    void sessionPrecedence()
    {
        QFETCH(QList<QByteArrayList>, headers);
        QFETCH(bool, loopback);
        QFETCH(QString, session);
        QFETCH(bool, lookup);
        HttpRequest r;
        for (const QByteArrayList &h : headers)
            r.headers.add(h.at(0), h.at(1));
        if (loopback)
            r.peerAddress = QHostAddress::LocalHost;
        r.connectionId = 7;
        CallerResolver resolver;
        CallerIdentity id = resolver.resolve(r);
        QCOMPARE(id.needsPeerLookup, lookup);
        if (!lookup) {
            CallerResolver::settle(&id);
            QCOMPARE(id.session, session);
        }
    }

    void loopbackPeerIsNamedByItsProcess()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(client.waitForConnected(3000));
        QVERIFY(server.waitForNewConnection(3000));
        QTcpSocket *accepted = server.nextPendingConnection();
        const QString expected = QStringLiteral("%1:%2")
                                     .arg(QCoreApplication::applicationName().left(15)) // comm is cut at 15 characters
                                     .arg(::getpid());
        QCOMPARE(CallerResolver::peerProcess(accepted->peerPort(), accepted->localPort()), expected);

        HttpRequest r;
        r.peerAddress = accepted->peerAddress();
        r.peerPort = accepted->peerPort();
        r.localPort = accepted->localPort();
        r.connectionId = 42;
        r.headers.add("x-tenant-id", "t");
        CallerResolver resolver;
        CallerIdentity first = resolver.resolve(r);
        QVERIFY2(first.needsPeerLookup, "the process is looked up off the gateway thread, not in resolve()");
        QVERIFY(first.session.isEmpty());
        // Off the calling thread, answered back on it.
        PeerProcessFinder finder;
        QString found;
        bool done = false;
        finder.find(r.peerPort, r.localPort, [&](const QString &peer) { found = peer; done = true; });
        QVERIFY(!done);
        QTRY_VERIFY(done);
        QCOMPARE(found, expected);
        resolver.rememberPeer(r.connectionId, found);
        // Remembered per connection: the same answer without asking /proc again, even once it is gone.
        accepted->abort();
        client.abort();
        const CallerIdentity again = resolver.resolve(r);
        QVERIFY(!again.needsPeerLookup);
        QCOMPARE(again.session, expected);
    }

    void oneScanAnswersEveryWaitingLookup()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QList<QTcpSocket *> clients;
        QList<QTcpSocket *> accepted;
        for (int i = 0; i < 20; ++i) {
            auto *c = new QTcpSocket(this);
            c->connectToHost(QHostAddress::LocalHost, server.serverPort());
            QVERIFY(c->waitForConnected(3000));
            QVERIFY(server.waitForNewConnection(3000));
            clients << c;
            accepted << server.nextPendingConnection();
        }
        PeerProcessFinder finder;
        int answered = 0;
        const QString expected = QStringLiteral(":%1").arg(::getpid());
        for (QTcpSocket *a : accepted)
            finder.find(a->peerPort(), a->localPort(), [&](const QString &peer) { answered += peer.endsWith(expected); });
        QTRY_COMPARE(answered, 20);
        qDeleteAll(clients);
    }
};

QTEST_GUILESS_MAIN(tst_CallerIdentity)
#include "tst_CallerIdentity.moc"
