#include "SimulatorTestClient.h"
#include "simulator/SimulatorServer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <memory>

namespace {
using Reply = SimulatorTestClient::Reply;
using Event = SimulatorTestClient::Event;
const QByteArray kPath = "/v1/completions";
const char *kPrompt = "Once upon a time"; // 4 tokens

QByteArray body(bool stream, bool includeUsage = false, int maxTokens = -1, const QJsonValue &prompt = kPrompt)
{
    QJsonObject o{{"model", "gpt-3.5-turbo-instruct"}, {"prompt", prompt}};
    if (stream)
        o["stream"] = true;
    if (includeUsage)
        o["stream_options"] = QJsonObject{{"include_usage", true}};
    if (maxTokens > 0)
        o["max_tokens"] = maxTokens;
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

int wordCount(const QString &text)
{
    return text.isEmpty() ? 0 : int(text.split(QLatin1Char(' ')).size());
}
} // namespace

// POST /v1/completions (OpenAI's legacy text completions) as SimulatorCompletionsWire writes it.
class tst_SimulatorCompletionsWire : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void whole_data();
    void whole();
    void stream_data();
    void stream();
    void promptForms_data();
    void promptForms();
    void badRequests();
    void faults();

private:
    std::unique_ptr<SimulatorServer> m_sim;
    std::unique_ptr<SimulatorTestClient> m_client;
};

void tst_SimulatorCompletionsWire::init()
{
    QString error;
    m_sim = SimulatorTestClient::startSimulator(&error);
    QVERIFY2(m_sim, qPrintable(error));
    m_client = std::make_unique<SimulatorTestClient>(m_sim->port());
}

void tst_SimulatorCompletionsWire::cleanup()
{
    m_client.reset();
    m_sim.reset();
}

void tst_SimulatorCompletionsWire::whole_data()
{
    QTest::addColumn<int>("completionTokens");
    QTest::addColumn<int>("maxTokens");
    QTest::addColumn<int>("expected");
    QTest::addColumn<QString>("finish");

    QTest::newRow("fits the default limit") << 12 << -1 << 12 << "stop";
    // OpenAI's default max_tokens here is 16.
    QTest::newRow("cut at the default 16") << 40 << -1 << 16 << "length";
    QTest::newRow("cut at max_tokens") << 40 << 5 << 5 << "length";
    QTest::newRow("max_tokens above the answer") << 40 << 100 << 40 << "stop";
}

void tst_SimulatorCompletionsWire::whole()
{
    QFETCH(int, completionTokens);
    QFETCH(int, maxTokens);
    QFETCH(int, expected);
    QFETCH(QString, finish);

    const Reply r = m_client->request(kPath, body(false, false, maxTokens),
                                      SimulatorTestClient::headers({{"x-sim-completion-tokens", QByteArray::number(completionTokens)}}));
    QCOMPARE(r.status, 200);
    bool ok = false;
    const QJsonObject o = SimulatorTestClient::json(r.body, &ok);
    QVERIFY2(ok, r.body.constData());
    QVERIFY(o.value("id").toString().startsWith("cmpl-"));
    QCOMPARE(o.value("object").toString(), QString("text_completion"));
    QCOMPARE(o.value("model").toString(), QString("gpt-3.5-turbo-instruct"));
    const QJsonArray choices = o.value("choices").toArray();
    QCOMPARE(choices.size(), 1);
    const QJsonObject choice = choices.first().toObject();
    QCOMPARE(choice.value("index").toInt(-1), 0);
    QVERIFY(choice.value("logprobs").isNull());
    QCOMPARE(wordCount(choice.value("text").toString()), expected);
    QCOMPARE(choice.value("finish_reason").toString(), finish);
    QCOMPARE(o.value("usage").toObject(),
             (QJsonObject{{"prompt_tokens", 4}, {"completion_tokens", expected}, {"total_tokens", 4 + expected}}));
}

void tst_SimulatorCompletionsWire::stream_data()
{
    QTest::addColumn<bool>("includeUsage");
    QTest::newRow("without usage") << false;
    QTest::newRow("include_usage") << true;
}

void tst_SimulatorCompletionsWire::stream()
{
    QFETCH(bool, includeUsage);
    const Reply r = m_client->request(kPath, body(true, includeUsage));
    QVERIFY(r.finished);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.headers.value("content-type"), QByteArray("text/event-stream; charset=utf-8"));
    bool clean = false;
    const QList<Event> events = SimulatorTestClient::events(r.body, &clean);
    QVERIFY(clean);
    QCOMPARE(events.last().data, QByteArray("[DONE]"));
    QString text;
    int textEvents = 0;
    QString finish;
    QJsonObject usage;
    for (const Event &e : events.mid(0, events.size() - 1)) {
        bool ok = false;
        const QJsonObject o = SimulatorTestClient::json(e.data, &ok);
        QVERIFY2(ok, e.data.constData());
        QCOMPARE(o.value("object").toString(), QString("text_completion"));
        QCOMPARE(o.contains("usage"), includeUsage);
        if (o.value("usage").isObject()) {
            QCOMPARE(o.value("choices").toArray(), QJsonArray());
            usage = o.value("usage").toObject();
            continue;
        }
        const QJsonObject choice = o.value("choices").toArray().first().toObject();
        const QString piece = choice.value("text").toString();
        textEvents += !piece.isEmpty();
        text += piece;
        if (choice.value("finish_reason").isString())
            finish = choice.value("finish_reason").toString();
    }
    QCOMPARE(textEvents, 12);
    QCOMPARE(wordCount(text), 12);
    QCOMPARE(finish, QString("stop"));
    if (includeUsage)
        QCOMPARE(usage, (QJsonObject{{"prompt_tokens", 4}, {"completion_tokens", 12}, {"total_tokens", 16}}));
    // The same text as the whole answer.
    const Reply whole = m_client->request(kPath, body(false));
    QCOMPARE(SimulatorTestClient::json(whole.body).value("choices").toArray().first().toObject().value("text").toString(), text);
}

void tst_SimulatorCompletionsWire::promptForms_data()
{
    QTest::addColumn<QJsonValue>("prompt");
    QTest::addColumn<int>("tokens");
    QTest::newRow("string") << QJsonValue(kPrompt) << 4;
    QTest::newRow("strings") << QJsonValue(QJsonArray{"a b", "c"}) << 3;
    QTest::newRow("token ids") << QJsonValue(QJsonArray{1, 2, 3, 4, 5}) << 5;
    QTest::newRow("lists of token ids") << QJsonValue(QJsonArray{QJsonArray{1, 2}, QJsonArray{3}}) << 3;
}

void tst_SimulatorCompletionsWire::promptForms()
{
    QFETCH(QJsonValue, prompt);
    QFETCH(int, tokens);
    const Reply r = m_client->request(kPath, body(false, false, -1, prompt));
    QCOMPARE(r.status, 200);
    QCOMPARE(SimulatorTestClient::json(r.body).value("usage").toObject().value("prompt_tokens").toInt(), tokens);
}

void tst_SimulatorCompletionsWire::badRequests()
{
    const std::pair<QByteArray, QByteArray> cases[] = {
        {R"({"model":"m"})", "prompt"},
        {R"({"model":"m","prompt":{"a":1}})", "prompt"},
        {R"({"model":"m","prompt":"x","max_tokens":0})", "max_tokens"},
        {R"({"model":"m","prompt":"x","stream_options":{"include_usage":true}})", "stream_options"},
    };
    for (const auto &[requestBody, param] : cases) {
        const Reply r = m_client->request(kPath, requestBody);
        QCOMPARE(r.status, 400);
        const QJsonObject e = SimulatorTestClient::json(r.body).value("error").toObject();
        QCOMPARE(e.value("type").toString(), QString("invalid_request_error"));
        QCOMPARE(e.value("param").toString().toUtf8(), param);
    }
}

void tst_SimulatorCompletionsWire::faults()
{
    const Reply limited = m_client->request(kPath, body(true), SimulatorTestClient::headers({{"x-sim-fault", "status:503"}}));
    QCOMPARE(limited.status, 503);
    QCOMPARE(SimulatorTestClient::json(limited.body).value("error").toObject().value("type").toString(), QString("api_error"));

    const Reply dropped = m_client->request(kPath, body(true), SimulatorTestClient::headers({{"x-sim-fault", "disconnect:3"}}));
    QVERIFY(dropped.failed);
    bool clean = false;
    const QList<Event> events = SimulatorTestClient::events(dropped.body, &clean);
    QCOMPARE(events.size(), 3);
    QVERIFY(!dropped.body.contains("[DONE]"));

    const Reply noUsage = m_client->request(kPath, body(true, true), SimulatorTestClient::headers({{"x-sim-fault", "no-usage"}}));
    QVERIFY(noUsage.finished);
    QVERIFY(!noUsage.body.contains("usage"));
    QVERIFY(noUsage.body.endsWith("data: [DONE]\n\n"));

    const Reply broken = m_client->request(kPath, body(true), SimulatorTestClient::headers({{"x-sim-fault", "malformed:2"}}));
    const QList<Event> withBroken = SimulatorTestClient::events(broken.body, &clean);
    QCOMPARE(withBroken.at(2).data, QByteArray("{not json"));
    QCOMPARE(withBroken.last().data, QByteArray("[DONE]"));
}

QTEST_GUILESS_MAIN(tst_SimulatorCompletionsWire)
#include "tst_SimulatorCompletionsWire.moc"
