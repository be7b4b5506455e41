// UpstreamDialog and the page's Add / Edit flow over an admin channel answered by the test: a
// preset fills the fields, the pasted key goes only into the body sent (and is cleared after),
// an edit without a key keeps the current one, and a 400 or 409 is shown under the fields with
// the field it names focused. The gateway's routes are stood in for here; tst_UpstreamsActions
// runs the same against the real ones.
#include "UpstreamSamples.h"
#include "admin/AdminCall.h"
#include "admin/AdminChannel.h"
#include "upstreams/UpstreamDialog.h"
#include "upstreams/UpstreamsPage.h"

#include <QApplication>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QtTest>

using namespace UpstreamSamples;

namespace {
const char *const PresetsJson =
    "{\"presets\":["
    "{\"id\":\"deepseek\",\"label\":\"DeepSeek\",\"base_url\":\"https://api.deepseek.com/v1\",\"dialect\":\"openai\","
    "\"api_key_env\":\"DEEPSEEK_API_KEY\",\"models\":[\"deepseek-*\"],\"needs_key\":true,\"note\":\"Cheap and capable.\"},"
    "{\"id\":\"anthropic\",\"label\":\"Anthropic\",\"base_url\":\"https://api.anthropic.com\",\"dialect\":\"anthropic\","
    "\"api_key_env\":\"ANTHROPIC_API_KEY\",\"models\":[\"claude-*\"],\"needs_key\":true,\"note\":\"\"},"
    "{\"id\":\"ollama\",\"label\":\"Ollama (local)\",\"base_url\":\"http://127.0.0.1:11434/v1\",\"dialect\":\"openai\","
    "\"api_key_env\":\"\",\"models\":[\"llama*\",\"qwen*\"],\"needs_key\":false,\"note\":\"No key needed.\"}]}";

AdminAnswer answer(int status, const QByteArray &json)
{
    return AdminAnswer{status, QJsonDocument::fromJson(json).object()};
}

// Answers the channel's calls as the test says, recording them.
struct FakeAdmin
{
    AdminChannel channel;
    QList<std::pair<quint64, AdminCall>> calls;
    FakeAdmin()
    {
        QObject::connect(&channel, &AdminChannel::callRequested, &channel,
                         [this](quint64 ticket, const AdminCall &call) { calls.append({ticket, call}); });
    }
    void answerLast(int status, const QByteArray &json) { channel.deliver(calls.last().first, answer(status, json)); }
};

QJsonObject bodyOf(const AdminCall &call)
{
    return QJsonDocument::fromJson(call.body).object();
}
} // namespace

class tst_UpstreamDialog : public QObject
{
    Q_OBJECT
private slots:
    void presetsParse();
    void aPresetFillsTheFields();
    void theKeyGoesOnlyIntoTheBody();
    void addSendsAPostAndARefusalShowsInline();
    void anEditKeepsTheKeyWhenNoneIsTyped();
    void presetsThatCannotBeReadLeaveTheFormUsable();
    void enableDisableRemoveAndTestCallTheirRoutes();
};

void tst_UpstreamDialog::presetsParse()
{
    const QList<UpstreamDialog::Preset> presets = UpstreamDialog::parsePresets(answer(200, PresetsJson).body);
    QCOMPARE(presets.size(), 3);
    QCOMPARE(presets.at(0).id, QStringLiteral("deepseek"));
    QCOMPARE(presets.at(0).models, QStringList{QStringLiteral("deepseek-*")});
    QVERIFY(presets.at(0).needsKey);
    QCOMPARE(presets.at(1).dialect, QStringLiteral("anthropic"));
    QVERIFY(!presets.at(2).needsKey);
}

void tst_UpstreamDialog::aPresetFillsTheFields()
{
    FakeAdmin admin;
    UpstreamDialog dialog(&admin.channel, nullptr);
    QCOMPARE(admin.calls.size(), 1);
    QCOMPARE(admin.calls.at(0).second.path, QByteArray("/admin/v1/upstream-presets"));
    admin.answerLast(200, PresetsJson);
    auto *combo = dialog.findChild<QComboBox *>(QStringLiteral("upstreamPresetCombo"));
    QCOMPARE(combo->count(), 4); // custom + three
    QVERIFY(dialog.choosePreset(QStringLiteral("anthropic")));
    QCOMPARE(dialog.findChild<QLineEdit *>(QStringLiteral("upstreamBaseUrlEdit"))->text(), QStringLiteral("https://api.anthropic.com"));
    QCOMPARE(dialog.findChild<QComboBox *>(QStringLiteral("upstreamDialectCombo"))->currentData().toString(), QStringLiteral("anthropic"));
    QCOMPARE(dialog.findChild<QLineEdit *>(QStringLiteral("upstreamModelsEdit"))->text(), QStringLiteral("claude-*"));
    QCOMPARE(dialog.findChild<QLineEdit *>(QStringLiteral("upstreamKeyEnvEdit"))->text(), QStringLiteral("ANTHROPIC_API_KEY"));
    QCOMPARE(dialog.upstreamName(), QStringLiteral("anthropic"));
    // Another preset replaces the name a preset gave, not one the user typed.
    QVERIFY(dialog.choosePreset(QStringLiteral("ollama")));
    QCOMPARE(dialog.upstreamName(), QStringLiteral("ollama"));
    QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("upstreamPresetNote"))->text().contains(QLatin1String("No key needed")));
    dialog.findChild<QLineEdit *>(QStringLiteral("upstreamNameEdit"))->setText(QStringLiteral("home"));
    QVERIFY(dialog.choosePreset(QStringLiteral("deepseek")));
    QCOMPARE(dialog.upstreamName(), QStringLiteral("home"));
    const QJsonObject body = dialog.body();
    QCOMPARE(body.value("preset").toString(), QStringLiteral("deepseek"));
    QCOMPARE(body.value("models").toArray(), QJsonArray{QStringLiteral("deepseek-*")});
    QCOMPARE(body.value("api_key_env").toString(), QStringLiteral("DEEPSEEK_API_KEY"));
    QVERIFY(!body.contains("api_key"));
}

void tst_UpstreamDialog::theKeyGoesOnlyIntoTheBody()
{
    UpstreamDialog dialog(nullptr, nullptr);
    auto *key = dialog.findChild<QLineEdit *>(QStringLiteral("upstreamKeyEdit"));
    QCOMPARE(key->echoMode(), QLineEdit::Password);
    dialog.findChild<QLineEdit *>(QStringLiteral("upstreamNameEdit"))->setText(QStringLiteral("deepseek"));
    dialog.findChild<QLineEdit *>(QStringLiteral("upstreamBaseUrlEdit"))->setText(QStringLiteral("https://api.deepseek.com/v1"));
    key->setText(QStringLiteral("sk-secret-0123456789"));
    QSignalSpy submitted(&dialog, &UpstreamDialog::submitted);
    dialog.findChild<QPushButton *>(QStringLiteral("upstreamDialogOk"))->click();
    QCOMPARE(submitted.count(), 1);
    QCOMPARE(submitted.at(0).at(0).toJsonObject().value("api_key").toString(), QStringLiteral("sk-secret-0123456789"));
    // Nowhere else in the dialog's texts; gone once it closes.
    for (const QLabel *label : dialog.findChildren<QLabel *>())
        QVERIFY(!label->text().contains(QLatin1String("0123456789")));
    dialog.accept();
    QVERIFY(key->text().isEmpty());
}

void tst_UpstreamDialog::addSendsAPostAndARefusalShowsInline()
{
    FakeAdmin admin;
    UpstreamsPage page(&admin.channel);
    page.show();
    page.addUpstream();
    UpstreamDialog *dialog = page.dialog();
    QVERIFY(dialog);
    admin.answerLast(200, PresetsJson);
    QVERIFY(dialog->choosePreset(QStringLiteral("deepseek")));
    auto *ok = dialog->findChild<QPushButton *>(QStringLiteral("upstreamDialogOk"));

    // Checked here first: a base URL that is no URL never leaves.
    auto *url = dialog->findChild<QLineEdit *>(QStringLiteral("upstreamBaseUrlEdit"));
    url->setText(QStringLiteral("api.deepseek.com"));
    ok->click();
    QCOMPARE(admin.calls.size(), 1);
    QVERIFY2(dialog->error().startsWith(QLatin1String("base_url")), qPrintable(dialog->error()));
    url->setText(QStringLiteral("https://api.deepseek.com/v1"));

    // The gateway's 400 under the fields, its field focused, the dialog still open.
    dialog->findChild<QLineEdit *>(QStringLiteral("upstreamKeyEnvEdit"))->setText(QStringLiteral("1BAD"));
    ok->click();
    QCOMPARE(admin.calls.size(), 2);
    QCOMPARE(admin.calls.last().second.method, QByteArray("POST"));
    QCOMPARE(admin.calls.last().second.path, QByteArray("/admin/v1/upstreams"));
    QCOMPARE(bodyOf(admin.calls.last().second).value("name").toString(), QStringLiteral("deepseek"));
    admin.answerLast(400, "{\"error\":{\"message\":\"upstreams[0].api_key_env: not a variable name\",\"type\":\"invalid_request_error\"}}");
    QCOMPARE(dialog->error(), QStringLiteral("upstreams[0].api_key_env: not a variable name"));
    QVERIFY(dialog->isVisible());
    QCOMPARE(dialog->focusWidget(), static_cast<QWidget *>(dialog->findChild<QLineEdit *>(QStringLiteral("upstreamKeyEnvEdit"))));

    // 409: the name is taken.
    ok->click();
    admin.answerLast(409, "{\"error\":{\"message\":\"exists\"}}");
    QVERIFY2(dialog->error().contains(QLatin1String("already exists")), qPrintable(dialog->error()));

    // 201: closed, and the status says so.
    ok->click();
    admin.answerLast(201, "{\"name\":\"deepseek\"}");
    QTRY_VERIFY(!page.dialog());
    QVERIFY(page.findChild<QLabel *>(QStringLiteral("upstreamStatus"))->text().contains(QLatin1String("deepseek added")));
}

void tst_UpstreamDialog::anEditKeepsTheKeyWhenNoneIsTyped()
{
    FakeAdmin admin;
    UpstreamsPage page(&admin.channel);
    page.show();
    GatewaySnapshot s;
    s.state = GatewaySnapshot::State::Running;
    s.upstreamViews = {upstream("deepseek"), upstream("openai")};
    page.applySnapshot(s);
    QVERIFY(page.selectUpstream(QStringLiteral("openai")));
    page.editUpstream();
    UpstreamDialog *dialog = page.dialog();
    QVERIFY(dialog && dialog->isEdit());
    admin.answerLast(200, PresetsJson);
    auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("upstreamNameEdit"));
    QCOMPARE(name->text(), QStringLiteral("openai"));
    QVERIFY(name->isReadOnly());
    QVERIFY(dialog->findChild<QLineEdit *>(QStringLiteral("upstreamKeyEdit"))->placeholderText().contains(QStringLiteral("sk-…a1b2")));
    QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("upstreamKeyEnvEdit"))->text(), QStringLiteral("OPENAI_API_KEY"));
    dialog->findChild<QPushButton *>(QStringLiteral("upstreamDialogOk"))->click();
    QCOMPARE(admin.calls.last().second.method, QByteArray("PUT"));
    QCOMPARE(admin.calls.last().second.path, QByteArray("/admin/v1/upstreams/openai"));
    const QJsonObject body = bodyOf(admin.calls.last().second);
    QVERIFY(!body.contains("api_key"));
    QCOMPARE(body.value("max_concurrency").toInt(), 8);
    QCOMPARE(body.value("base_url").toString(), QStringLiteral("https://api.openai.example/v1"));
    admin.answerLast(200, "{\"name\":\"openai\"}");
    QTRY_VERIFY(!page.dialog());
    // Still the selected row.
    page.applySnapshot(s);
    QCOMPARE(page.selectedUpstream(), QStringLiteral("openai"));
}

void tst_UpstreamDialog::presetsThatCannotBeReadLeaveTheFormUsable()
{
    FakeAdmin admin;
    UpstreamDialog dialog(&admin.channel, nullptr);
    admin.answerLast(404, "{\"error\":{\"message\":\"No admin route GET /admin/v1/upstream-presets.\"}}");
    auto *combo = dialog.findChild<QComboBox *>(QStringLiteral("upstreamPresetCombo"));
    QVERIFY(combo->isEnabled());
    QCOMPARE(combo->count(), 1);
    QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("upstreamPresetNote"))->text().contains(QLatin1String("fill in the fields by hand")));
}

void tst_UpstreamDialog::enableDisableRemoveAndTestCallTheirRoutes()
{
    FakeAdmin admin;
    UpstreamsPage page(&admin.channel);
    page.setConfirmDeletes(false);
    page.show();
    GatewaySnapshot s;
    s.state = GatewaySnapshot::State::Running;
    UpstreamView off = upstream("deepseek");
    off.enabled = false;
    s.upstreamViews = {off, upstream("open ai")};
    page.applySnapshot(s);
    auto *enable = page.findChild<QPushButton *>(QStringLiteral("upstreamEnableButton"));
    QVERIFY(page.selectUpstream(QStringLiteral("deepseek")));
    QCOMPARE(enable->text(), QStringLiteral("Enable"));
    enable->click();
    QCOMPARE(admin.calls.last().second.path, QByteArray("/admin/v1/upstreams/deepseek/enable"));
    admin.answerLast(200, "{}");

    QVERIFY(page.selectUpstream(QStringLiteral("open ai")));
    QCOMPARE(enable->text(), QStringLiteral("Disable"));
    enable->click();
    QCOMPARE(admin.calls.last().second.path, QByteArray("/admin/v1/upstreams/open%20ai/disable"));
    admin.answerLast(200, "{}");

    auto *test = page.findChild<QPushButton *>(QStringLiteral("upstreamTestButton"));
    test->click();
    QCOMPARE(admin.calls.last().second.path, QByteArray("/admin/v1/upstreams/open%20ai/test"));
    QVERIFY(!test->isEnabled()); // one test at a time
    QCOMPARE(page.findChild<QLabel *>(QStringLiteral("upstreamDetail_test"))->text(), QStringLiteral("testing…"));
    admin.answerLast(200, "{\"upstream\":\"open ai\",\"ok\":true,\"status\":200,\"latency_ms\":184,\"model\":\"gpt-4o-mini\",\"message\":\"\"}");
    QCOMPARE(page.testResult(QStringLiteral("open ai")), QStringLiteral("200 in 184 ms"));
    QCOMPARE(page.findChild<QLabel *>(QStringLiteral("upstreamDetail_test"))->text(), QStringLiteral("200 in 184 ms"));
    test->click();
    admin.answerLast(200, "{\"upstream\":\"open ai\",\"ok\":false,\"status\":401,\"latency_ms\":90,\"message\":\"invalid api key\"}");
    QCOMPARE(page.testResult(QStringLiteral("open ai")), QStringLiteral("failed: 401: invalid api key"));

    page.findChild<QPushButton *>(QStringLiteral("upstreamRemoveButton"))->click();
    QCOMPARE(admin.calls.last().second.method, QByteArray("DELETE"));
    QCOMPARE(admin.calls.last().second.path, QByteArray("/admin/v1/upstreams/open%20ai"));
    admin.answerLast(404, "{\"error\":{\"message\":\"No upstream named 'open ai' in the config.\"}}");
    QVERIFY(page.findChild<QLabel *>(QStringLiteral("upstreamStatus"))->text().contains(QLatin1String("was not removed")));
}

QTEST_MAIN(tst_UpstreamDialog)
#include "tst_UpstreamDialog.moc"
