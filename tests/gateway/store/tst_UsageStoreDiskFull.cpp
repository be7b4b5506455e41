#include "TestDatabase.h"
#include "TestSupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

// A full disk under a running tokenfuse: its data directory is a tmpfs of a few hundred KB,
// mounted in a mount namespace of its own (unshare -m, as root), which the test reaches through
// /proc/PID/root. Requests must be refused fast in the caller's dialect, /healthz and the admin
// API must say so, and once space returns the gateway must resume by itself, keep what was
// committed before, write the rows it held, and still stop quickly.
class tst_UsageStoreDiskFull : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fullDiskIsRefusedFastAndRecoversByItself();
    void stopsQuicklyWhileTheDiskIsFull();

private:
    struct Reply
    {
        int status = 0;
        QJsonObject json;
        QByteArray retryAfter;
        QByteArray requestId;
        qint64 elapsedMs = 0;
    };
    Reply call(const QByteArray &method, const QString &path, const QByteArray &body, const QByteArray &token = {});
    // Starts tokenfuse on a fresh tmpfs at `dir`; returns why it cannot run here (skip), empty
    // when it listens, or "failed: ..." (fail).
    QString startOnTmpfs(QProcess &gateway, const QString &dir, QByteArray *log);
    // Fills the tmpfs to its last page with a file the test can delete again.
    bool fillTheDisk();
    // Requests until one is refused (the WAL may still have room from before); fails the test if
    // any of them waits.
    Reply requestUntilRefused();
    // The tmpfs as this process sees it: the gateway's root.
    QString inGateway(const QString &name) const
    {
        return QStringLiteral("/proc/%1/root%2/%3").arg(m_pid).arg(m_dataDir, name);
    }

    QNetworkAccessManager m_network;
    quint16 m_port = 0;
    qint64 m_pid = 0;
    QString m_dataDir;
};

tst_UsageStoreDiskFull::Reply tst_UsageStoreDiskFull::call(const QByteArray &method, const QString &path,
                                                            const QByteArray &body, const QByteArray &token)
{
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(10000);
    if (!token.isEmpty())
        request.setRawHeader("authorization", "Bearer " + token);
    // A session of its own for each of these identical requests: from one session they are what
    // the loop detector trips on (403), and this test is about the disk.
    static int calls = 0;
    request.setRawHeader("x-session-id", "disk-" + QByteArray::number(++calls));
    QElapsedTimer clock;
    clock.start();
    QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
    Reply r;
    if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 12000)) {
        reply->abort();
        qWarning("%s %s: no answer in 12 s", method.constData(), qPrintable(path));
    }
    r.elapsedMs = clock.elapsed();
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.json = QJsonDocument::fromJson(reply->readAll()).object();
    r.retryAfter = reply->rawHeader("retry-after");
    r.requestId = reply->rawHeader("x-tokenfuse-request-id");
    reply->deleteLater();
    return r;
}

QString tst_UsageStoreDiskFull::startOnTmpfs(QProcess &gateway, const QString &dir, QByteArray *log)
{
    const QString binary = qEnvironmentVariable("TOKENFUSE_BINARY");
    if (!QFile::exists(binary))
        return QStringLiteral("failed: TOKENFUSE_BINARY=%1 does not exist").arg(binary);
    const QString unshare = QStandardPaths::findExecutable(QStringLiteral("unshare"));
    if (::geteuid() != 0 || unshare.isEmpty())
        return QStringLiteral("needs root and unshare(1) to mount a small tmpfs in a mount namespace of its own");
    m_dataDir = dir;
    m_port = TestSupport::freePort();
    gateway.setProcessChannelMode(QProcess::MergedChannels);
    // unshare and sh exec in place, so the process QProcess started ends up as tokenfuse itself.
    gateway.start(unshare, {QStringLiteral("-m"), QStringLiteral("sh"), QStringLiteral("-c"),
                            QStringLiteral("mount -t tmpfs -o size=640k tmpfs \"$1\" && exec \"$2\" --headless --simulate "
                                           "--data-dir \"$1\" --listen 127.0.0.1:$3"),
                            QStringLiteral("sh"), m_dataDir, binary, QString::number(m_port)});
    if (!gateway.waitForStarted(5000))
        return QStringLiteral("failed: cannot start %1: %2").arg(unshare, gateway.errorString());
    const bool ended = QTest::qWaitFor([&] { return (*log += gateway.readAll()).contains("listening on") || gateway.state() == QProcess::NotRunning; }, 15000);
    Q_UNUSED(ended) // the log says which
    if (!log->contains("listening on")) {
        if (log->contains("mount"))
            return QStringLiteral("cannot mount a tmpfs here: %1").arg(QString::fromUtf8(log->trimmed()));
        return QStringLiteral("failed: ") + QString::fromUtf8(*log);
    }
    m_pid = gateway.processId();
    return {};
}

bool tst_UsageStoreDiskFull::fillTheDisk()
{
    QFile filler(inGateway(QStringLiteral("filler")));
    if (!filler.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return false;
    const QByteArray page(4096, 'x');
    while (filler.write(page) == page.size()) {
    }
    return true;
}

tst_UsageStoreDiskFull::Reply tst_UsageStoreDiskFull::requestUntilRefused()
{
    const QByteArray openAi = R"({"model":"gpt-4o-mini","max_tokens":16,"messages":[{"role":"user","content":"hello"}]})";
    Reply refused;
    for (int i = 0; i < 3000 && refused.status != 503; ++i) {
        refused = call("POST", QStringLiteral("/v1/chat/completions"), openAi);
        if (refused.elapsedMs >= 2000 || (refused.status != 200 && refused.status != 503)) {
            qWarning("request %d: %d after %lld ms", i, refused.status, refused.elapsedMs);
            break;
        }
    }
    return refused;
}

void tst_UsageStoreDiskFull::fullDiskIsRefusedFastAndRecoversByItself()
{
    QTemporaryDir dir;
    QProcess gateway;
    QByteArray log;
    const QString why = startOnTmpfs(gateway, dir.path(), &log);
    if (why.startsWith(QLatin1String("failed: ")))
        QFAIL(qPrintable(why));
    if (!why.isEmpty())
        QSKIP(qPrintable(why));
    QVERIFY2(QFile::exists(inGateway(QStringLiteral("tokenfuse.db"))), qPrintable(inGateway(QStringLiteral("tokenfuse.db"))));

    const QByteArray openAi = R"({"model":"gpt-4o-mini","max_tokens":16,"messages":[{"role":"user","content":"hello"}]})";
    const QByteArray anthropic = R"({"model":"claude-sonnet-4","max_tokens":16,"messages":[{"role":"user","content":"hello"}]})";
    // Answered only once their rows are committed.
    QList<QByteArray> before;
    for (int i = 0; i < 5; ++i) {
        const Reply r = call("POST", QStringLiteral("/v1/chat/completions"), openAi);
        QCOMPARE(r.status, 200);
        before << r.requestId;
    }
    QCOMPARE(call("GET", QStringLiteral("/healthz"), {}).status, 200);

    QVERIFY(fillTheDisk());
    // The WAL may still have room from before; requests go on until it is used up, then every
    // one is refused: none waits, whatever it gets.
    const Reply refused = requestUntilRefused();
    QCOMPARE(refused.status, 503);
    QCOMPARE(refused.json.value("error").toObject().value("type").toString(), QStringLiteral("store_unavailable"));
    QVERIFY2(refused.json.value("error").toObject().value("message").toString().contains(QLatin1String("full")),
             qPrintable(refused.json.value("error").toObject().value("message").toString()));
    QVERIFY(refused.retryAfter.toInt() > 0);

    const Reply again = call("POST", QStringLiteral("/v1/chat/completions"), openAi);
    QCOMPARE(again.status, 503);
    QVERIFY2(again.elapsedMs < 1000, qPrintable(QString::number(again.elapsedMs)));
    const Reply messages = call("POST", QStringLiteral("/v1/messages"), anthropic);
    QCOMPARE(messages.status, 503);
    QVERIFY2(messages.elapsedMs < 1000, qPrintable(QString::number(messages.elapsedMs)));
    QCOMPARE(messages.json.value("type").toString(), QStringLiteral("error"));
    QCOMPARE(messages.json.value("error").toObject().value("type").toString(), QStringLiteral("api_error"));
    QVERIFY(messages.json.value("error").toObject().value("message").toString().contains(QLatin1String("usage store cannot write")));
    QVERIFY(messages.retryAfter.toInt() > 0);

    const Reply health = call("GET", QStringLiteral("/healthz"), {});
    QCOMPARE(health.status, 503);
    QCOMPARE(health.json.value("status").toString(), QStringLiteral("degraded"));
    QVERIFY2(health.json.value("store").toString().contains(QLatin1String("full")), qPrintable(health.json.value("store").toString()));

    QFile tokenFile(inGateway(QStringLiteral("admin.token")));
    QVERIFY2(tokenFile.open(QIODevice::ReadOnly), qPrintable(tokenFile.errorString()));
    const QByteArray token = tokenFile.readAll().trimmed();
    const Reply put = call("PUT", QStringLiteral("/admin/v1/budgets"),
                           R"([{"scope":"global","window":"day","max_tokens":1000000}])", token);
    QCOMPARE(put.status, 503);
    QVERIFY2(put.elapsedMs < 1000, qPrintable(QString::number(put.elapsedMs)));
    QCOMPARE(put.json.value("error").toObject().value("type").toString(), QStringLiteral("store_unavailable"));
    const Reply budgets = call("GET", QStringLiteral("/admin/v1/budgets"), {}, token);
    QCOMPARE(budgets.json.value("budgets").toArray().size(), 0); // the refused PUT changed nothing
    const Reply limits = call("PUT", QStringLiteral("/admin/v1/rate_limits"), R"([{"scope":"tenant","rpm":1}])", token);
    QCOMPARE(limits.status, 503);
    QCOMPARE(limits.json.value("error").toObject().value("type").toString(), QStringLiteral("store_unavailable"));
    QVERIFY(limits.json.value("error").toObject().value("message").toString().startsWith(QLatin1String("The rate limits were not changed")));
    QCOMPARE(call("GET", QStringLiteral("/admin/v1/rate_limits"), {}, token).json.value("rate_limits").toArray().size(), 0);

    // Space returns: the gateway notices by itself and says so.
    log += gateway.readAll();
    QVERIFY2(log.contains("the usage store cannot write"), log.constData());
    QVERIFY(!log.contains("works again"));
    QVERIFY(QFile::remove(inGateway(QStringLiteral("filler"))));
    QTRY_VERIFY_WITH_TIMEOUT((log += gateway.readAll()).contains("works again"), 10000);
    QCOMPARE(call("GET", QStringLiteral("/healthz"), {}).status, 200);
    QCOMPARE(call("POST", QStringLiteral("/v1/chat/completions"), openAi).status, 200);
    QCOMPARE(call("POST", QStringLiteral("/v1/messages"), anthropic).status, 200);
    QCOMPARE(call("PUT", QStringLiteral("/admin/v1/budgets"), R"([{"scope":"global","window":"day","max_tokens":1000000}])", token).status, 200);
    QCOMPARE(call("PUT", QStringLiteral("/admin/v1/rate_limits"), R"([{"scope":"tenant","rpm":1000}])", token).status, 200);

    // What is on the tmpfs now. SQLite resolves /proc/PID/root as a plain symlink to this
    // process's own root, so it reads a copy of the files (the gateway is idle by now).
    QTemporaryDir copy;
    const auto rowsOnDisk = [&](const QString &where, const QVariantList &binds = {}) {
        for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
            QFile::remove(copy.filePath(QStringLiteral("tokenfuse.db") + suffix));
            QFile::copy(inGateway(QStringLiteral("tokenfuse.db") + suffix), copy.filePath(QStringLiteral("tokenfuse.db") + suffix));
        }
        TestDatabase check(copy.filePath(QStringLiteral("tokenfuse.db")));
        return check.scalar(QStringLiteral("SELECT COUNT(*) FROM requests WHERE ") + where, binds).toInt();
    };
    for (const QByteArray &id : std::as_const(before))
        QCOMPARE(rowsOnDisk(QStringLiteral("id = ?"), {QString::fromLatin1(id)}), 1);
    // The rows of the refused requests were held in memory and written once space returned.
    QTRY_VERIFY(rowsOnDisk(QStringLiteral("status = 503 AND error = 'store_unavailable'")) >= 3);

    QElapsedTimer stopping;
    stopping.start();
    gateway.terminate();
    QVERIFY(gateway.waitForFinished(10000));
    QVERIFY2(stopping.elapsed() < 5000, qPrintable(QString::number(stopping.elapsed())));
    QCOMPARE(gateway.exitCode(), 0);
}

void tst_UsageStoreDiskFull::stopsQuicklyWhileTheDiskIsFull()
{
    QTemporaryDir dir;
    QProcess gateway;
    QByteArray log;
    const QString why = startOnTmpfs(gateway, dir.path(), &log);
    if (why.startsWith(QLatin1String("failed: ")))
        QFAIL(qPrintable(why));
    if (!why.isEmpty())
        QSKIP(qPrintable(why));
    QVERIFY(fillTheDisk());
    QCOMPARE(requestUntilRefused().status, 503);

    // The held rows cannot be written: the stop gives up on them after a bounded wait and says so.
    QElapsedTimer stopping;
    stopping.start();
    gateway.terminate();
    QVERIFY(gateway.waitForFinished(15000));
    QVERIFY2(stopping.elapsed() < 6000, qPrintable(QString::number(stopping.elapsed())));
    log += gateway.readAll();
    QVERIFY2(log.contains("could not be written"), log.constData());
}

QTEST_GUILESS_MAIN(tst_UsageStoreDiskFull)
#include "tst_UsageStoreDiskFull.moc"
