// The Connect page end to end: a real gateway on its own thread (the built-in simulator
// answering) and the page fed its snapshots and wired to the admin channel as the console wires
// it. The snippets carry the real port, and they work: the curl ones run in bash, the Node ones
// with node and the official SDKs, each answered through the gateway and counted in its store.
// A key created on the page goes into the snippets, and a request with it counts for its tenant.
#include "ConsoleWiring.h"
#include "GatewayClient.h"
#include "RunningGateway.h"
#include "admin/AdminChannel.h"
#include "connect/ConnectPage.h"
#include "connect/ConnectSnippets.h"
#include "core/GatewayHost.h"

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

class tst_ConnectPage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void theSnippetsCarryTheRealPort();
    void theCurlSnippetsGetAnAnswer();
    void theNodeSnippetsGetAnAnswer();
    void aCreatedKeyGoesIntoTheSnippetsAndCountsForItsTenant();
    void aKeyNeedsATenant();
    void copyPutsTheSnippetOnTheClipboard();
    void pictures();

private:
    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };
    Run run(const QString &program, const QStringList &arguments, const QString &workingDir = {});
    qint64 usageRequests(const QByteArray &groupBy, const QString &key);
    void setSession(const QString &session);

    RunningGateway m_gateway;
    AdminChannel m_channel;
    std::unique_ptr<ConnectPage> m_page;
};

void tst_ConnectPage::initTestCase()
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QVERIFY2(m_gateway.create(), qPrintable(m_gateway.error()));
    ConsoleWiring::connectAdmin(*m_gateway.host(), m_channel);
    m_page = std::make_unique<ConnectPage>(&m_channel);
    connect(m_gateway.host(), &GatewayHost::snapshotReady, m_page.get(), &ConnectPage::applySnapshot);
    m_page->resize(1100, 720);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
    QVERIFY2(m_gateway.start(), qPrintable(m_gateway.error()));
    QTRY_VERIFY(m_page->findChild<QLabel *>("connectAddress")->text().contains(QStringLiteral(":%1").arg(m_gateway.port())));
}

void tst_ConnectPage::cleanupTestCase()
{
    m_gateway.stop();
    m_page.reset();
}

tst_ConnectPage::Run tst_ConnectPage::run(const QString &program, const QStringList &arguments, const QString &workingDir)
{
    QProcess process;
    if (!workingDir.isEmpty())
        process.setWorkingDirectory(workingDir);
    process.start(program, arguments);
    Run result;
    if (!process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

// Requests the store holds for one group (a session or a tenant), as GET /admin/v1/usage says.
qint64 tst_ConnectPage::usageRequests(const QByteArray &groupBy, const QString &key)
{
    const GatewayClient::Reply reply = m_gateway.client().admin("GET", "usage?group_by=" + groupBy);
    if (reply.status != 200)
        return -1;
    const QJsonArray groups = QJsonDocument::fromJson(reply.body).object().value("groups").toArray();
    for (const QJsonValue &g : groups)
        if (g.toObject().value("key").toString() == key)
            return g.toObject().value("requests").toInteger();
    return 0;
}

void tst_ConnectPage::setSession(const QString &session)
{
    auto *field = m_page->findChild<QLineEdit *>("connectSession");
    field->clear();
    QTest::keyClicks(field, session);
    QCOMPARE(field->text(), session);
}

void tst_ConnectPage::theSnippetsCarryTheRealPort()
{
    const QString base = QStringLiteral("http://127.0.0.1:%1").arg(m_gateway.port());
    for (const ConnectSnippets::Snippet &s : ConnectSnippets::all({base, {}, {}})) {
        const QString shown = m_page->snippetText(s.id);
        QVERIFY2(shown.contains(base), qPrintable(s.id + ": " + shown));
        QVERIFY2(!shown.contains(QLatin1String(":8400")), qPrintable(s.id));
    }
    QVERIFY(m_page->snippetText("codex").contains(QStringLiteral("base_url = \"%1/v1\"").arg(base)));
    QVERIFY(m_page->snippetText("claude-code").startsWith(QStringLiteral("export ANTHROPIC_BASE_URL=%1\n").arg(base)));
}

void tst_ConnectPage::theCurlSnippetsGetAnAnswer()
{
    setSession(QStringLiteral("curl-run"));
    const Run openai = run(QStringLiteral("bash"), {QStringLiteral("-c"), m_page->snippetText("curl-openai")});
    QCOMPARE(openai.exitCode, 0);
    const QJsonObject chat = QJsonDocument::fromJson(openai.out).object();
    QVERIFY2(!chat.value("choices").toArray().first().toObject().value("message").toObject().value("content").toString().isEmpty(),
             openai.out.constData());

    const Run anthropic = run(QStringLiteral("bash"), {QStringLiteral("-c"), m_page->snippetText("curl-anthropic")});
    QCOMPARE(anthropic.exitCode, 0);
    const QJsonObject message = QJsonDocument::fromJson(anthropic.out).object();
    QCOMPARE(message.value("type").toString(), QStringLiteral("message"));
    QVERIFY2(!message.value("content").toArray().first().toObject().value("text").toString().isEmpty(), anthropic.out.constData());

    // Both went through the gateway, under the session the page named.
    QTRY_COMPARE(usageRequests("session", QStringLiteral("curl-run")), 2);
}

void tst_ConnectPage::theNodeSnippetsGetAnAnswer()
{
    const QString e2e = QStringLiteral(TOKENFUSE_E2E_DIR);
    QVERIFY2(QFile::exists(e2e + "/node_modules/openai") && QFile::exists(e2e + "/node_modules/@anthropic-ai/sdk"),
             "the SDKs are missing: run (cd tests/e2e && npm ci --no-audit --no-fund) first");
    setSession(QStringLiteral("node-run"));
    // The snippet as a user saves it, next to a node_modules of its own: ES imports resolve from the file's folder.
    QTemporaryDir dir;
    QVERIFY(QFile::link(e2e + "/node_modules", dir.filePath("node_modules")));
    for (const char *id : {"node-openai", "node-anthropic"}) {
        QFile file(dir.filePath(QStringLiteral("%1.mjs").arg(QLatin1String(id))));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(m_page->snippetText(QLatin1String(id)).toUtf8());
        file.close();
        const Run node = run(QStringLiteral("node"), {file.fileName()}, dir.path());
        QVERIFY2(node.exitCode == 0, node.err.constData());
        QVERIFY2(!node.out.trimmed().isEmpty(), id);
    }
    QTRY_COMPARE(usageRequests("session", QStringLiteral("node-run")), 2);
}

void tst_ConnectPage::aCreatedKeyGoesIntoTheSnippetsAndCountsForItsTenant()
{
    auto *tenant = m_page->findChild<QLineEdit *>("connectTenant");
    auto *key = m_page->findChild<QLineEdit *>("connectKey");
    auto *status = m_page->findChild<QLabel *>("connectKeyStatus");
    tenant->clear();
    QTest::keyClicks(tenant, QStringLiteral("snippet-team"));
    QTest::mouseClick(m_page->findChild<QPushButton *>("connectCreateKey"), Qt::LeftButton);
    QTRY_VERIFY(key->text().startsWith(QLatin1String("tf-")));
    QVERIFY2(status->text().contains(QLatin1String("snippet-team")) && status->text().contains(QLatin1String("memory")),
             qPrintable(status->text()));
    for (const char *id : {"curl-openai", "curl-anthropic", "python-openai", "node-anthropic", "claude-code", "codex", "env"}) {
        QVERIFY2(m_page->snippetText(QLatin1String(id)).contains(key->text()), id);
        QVERIFY2(!m_page->snippetText(QLatin1String(id)).contains(QLatin1String(ConnectSnippets::PlaceholderKey)), id);
    }
    const Run curl = run(QStringLiteral("bash"), {QStringLiteral("-c"), m_page->snippetText("curl-openai")});
    QCOMPARE(curl.exitCode, 0);
    QVERIFY2(QJsonDocument::fromJson(curl.out).object().contains("choices"), curl.out.constData());
    QTRY_COMPARE(usageRequests("tenant", QStringLiteral("snippet-team")), 1);
    // A key the gateway does not know is refused, so a typo in a pasted key shows at once.
    key->setText(key->text() + QStringLiteral("x"));
    const Run wrong = run(QStringLiteral("bash"), {QStringLiteral("-c"), m_page->snippetText("curl-openai")});
    QCOMPARE(QJsonDocument::fromJson(wrong.out).object().value("error").toObject().value("type").toString(),
             QStringLiteral("authentication_error"));
    QVERIFY(status->text().startsWith(QLatin1String("The snippets carry the virtual key you pasted")));
    key->clear();
    QVERIFY(m_page->snippetText("curl-openai").contains(QLatin1String(ConnectSnippets::PlaceholderKey)));
    QVERIFY(status->text().startsWith(QLatin1String("Without a key the snippets send sk-anything")));
}

void tst_ConnectPage::aKeyNeedsATenant()
{
    auto *tenant = m_page->findChild<QLineEdit *>("connectTenant");
    tenant->clear();
    const int pending = m_channel.pending();
    QTest::mouseClick(m_page->findChild<QPushButton *>("connectCreateKey"), Qt::LeftButton);
    QCOMPARE(m_channel.pending(), pending); // nothing asked of the gateway
    QVERIFY(m_page->findChild<QLabel *>("connectKeyStatus")->text().startsWith(QLatin1String("Name the tenant first")));
}

void tst_ConnectPage::copyPutsTheSnippetOnTheClipboard()
{
    auto *copy = m_page->findChild<QPushButton *>("copy_codex");
    m_page->findChild<QTabWidget *>("connectTabs")->setCurrentIndex(4);
    QTest::mouseClick(copy, Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text(), m_page->snippetText("codex"));
    QCOMPARE(copy->text(), QStringLiteral("Copied"));
}

// With TOKENFUSE_SHOTS=DIR, the page as it looks now, light and dark, for a person to check.
void tst_ConnectPage::pictures()
{
    const QString dir = qEnvironmentVariable("TOKENFUSE_SHOTS");
    if (dir.isEmpty())
        return;
    auto *tabs = m_page->findChild<QTabWidget *>("connectTabs");
    setSession(QStringLiteral("my-app"));
    m_page->findChild<QLineEdit *>("connectKey")->setText(QStringLiteral("tf-3kQ9vX2mB7nL0pR5sT8wY1zA4cD6eF"));
    for (int i = 0; i < tabs->count(); ++i) {
        tabs->setCurrentIndex(i);
        QCoreApplication::processEvents();
        QVERIFY(m_page->grab().save(QStringLiteral("%1/connect-light-%2.png").arg(dir).arg(i)));
    }
    QPalette dark(QColor(0x2b, 0x2d, 0x31), QColor(0x1f, 0x21, 0x24)); // derives the frame and shadow roles
    dark.setColor(QPalette::Window, QColor(0x1f, 0x21, 0x24));
    dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Base, QColor(0x17, 0x18, 0x1a));
    dark.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2c));
    dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Button, QColor(0x2b, 0x2d, 0x31));
    dark.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xd0));
    dark.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x8d, 0x91));
    const QPalette light = QApplication::palette();
    QApplication::setPalette(dark);
    ConnectPage darkPage(&m_channel);
    GatewaySnapshot snapshot;
    snapshot.listenAddress = QStringLiteral("127.0.0.1:%1").arg(m_gateway.port());
    darkPage.applySnapshot(snapshot);
    darkPage.resize(1100, 720);
    darkPage.show();
    QVERIFY(QTest::qWaitForWindowExposed(&darkPage));
    for (int i : {0, 3}) {
        darkPage.findChild<QTabWidget *>("connectTabs")->setCurrentIndex(i);
        QCoreApplication::processEvents();
        QVERIFY(darkPage.grab().save(QStringLiteral("%1/connect-dark-%2.png").arg(dir).arg(i)));
    }
    QApplication::setPalette(light);
}

QTEST_MAIN(tst_ConnectPage)
#include "tst_ConnectPage.moc"
