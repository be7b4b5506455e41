#include "SimulatorTestClient.h"
#include "simulator/SimulatorEmbeddingsWire.h"
#include "simulator/SimulatorServer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QtEndian>

#include <cmath>
#include <memory>

namespace {
using Reply = SimulatorTestClient::Reply;
const QByteArray kPath = "/v1/embeddings";

QByteArray body(const QJsonValue &input, QJsonObject extra = {})
{
    QJsonObject o{{"model", "text-embedding-3-small"}, {"input", input}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        o[it.key()] = it.value();
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QList<double> floats(const QJsonValue &embedding)
{
    QList<double> out;
    if (embedding.isString()) {
        const QByteArray raw = QByteArray::fromBase64(embedding.toString().toLatin1());
        for (qsizetype i = 0; i + 4 <= raw.size(); i += 4)
            out.append(double(qFromLittleEndian<float>(raw.constData() + i)));
        return out;
    }
    for (const QJsonValue &v : embedding.toArray())
        out.append(v.toDouble());
    return out;
}

double norm(const QList<double> &v)
{
    double sum = 0;
    for (double x : v)
        sum += x * x;
    return std::sqrt(sum);
}
} // namespace

// POST /v1/embeddings as SimulatorEmbeddingsWire writes it.
class tst_SimulatorEmbeddingsWire : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void inputs_data();
    void inputs();
    void sameTextSameVector();
    void base64MatchesFloats();
    void badRequests_data();
    void badRequests();
    void faults();

private:
    Reply post(const QByteArray &requestBody, const HttpHeaders &headers = {}) { return m_client->request(kPath, requestBody, headers); }

    std::unique_ptr<SimulatorServer> m_sim;
    std::unique_ptr<SimulatorTestClient> m_client;
};

void tst_SimulatorEmbeddingsWire::init()
{
    m_sim = std::make_unique<SimulatorServer>();
    SimulatorProfile p;
    p.ttftMs = 0;
    m_sim->setProfile(p);
    QString error;
    QVERIFY2(m_sim->listen(QHostAddress::LocalHost, 0, &error), qPrintable(error));
    m_client = std::make_unique<SimulatorTestClient>(m_sim->port());
}

void tst_SimulatorEmbeddingsWire::cleanup()
{
    m_client.reset();
    m_sim.reset();
}

void tst_SimulatorEmbeddingsWire::inputs_data()
{
    QTest::addColumn<QJsonValue>("input");
    QTest::addColumn<int>("dimensions"); // -1: the default
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("tokens");

    QTest::newRow("one string") << QJsonValue("hello simulator world") << -1 << 1 << 3;
    QTest::newRow("strings, 256 dimensions") << QJsonValue(QJsonArray{"one two", "three, four!"}) << 256 << 2 << 2 + 4;
    QTest::newRow("token ids") << QJsonValue(QJsonArray{101, 202, 303}) << 8 << 1 << 3;
    QTest::newRow("lists of token ids") << QJsonValue(QJsonArray{QJsonArray{1, 2}, QJsonArray{3}}) << 8 << 2 << 3;
}

void tst_SimulatorEmbeddingsWire::inputs()
{
    QFETCH(QJsonValue, input);
    QFETCH(int, dimensions);
    QFETCH(int, count);
    QFETCH(int, tokens);

    QJsonObject extra{{"encoding_format", "float"}};
    if (dimensions > 0)
        extra["dimensions"] = dimensions;
    const Reply r = post(body(input, extra));
    QVERIFY(r.finished);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
    bool ok = false;
    const QJsonObject o = SimulatorTestClient::json(r.body, &ok);
    QVERIFY2(ok, r.body.left(300).constData());
    QCOMPARE(o.value("object").toString(), QString("list"));
    QCOMPARE(o.value("model").toString(), QString("text-embedding-3-small"));
    QCOMPARE(o.value("usage").toObject(), (QJsonObject{{"prompt_tokens", tokens}, {"total_tokens", tokens}}));
    const QJsonArray data = o.value("data").toArray();
    QCOMPARE(data.size(), count);
    for (int i = 0; i < count; ++i) {
        const QJsonObject e = data.at(i).toObject();
        QCOMPARE(e.value("object").toString(), QString("embedding"));
        QCOMPARE(e.value("index").toInt(-1), i);
        const QList<double> v = floats(e.value("embedding"));
        QCOMPARE(v.size(), dimensions > 0 ? dimensions : 1536);
        QVERIFY2(std::abs(norm(v) - 1.0) < 1e-5, "unit length");
    }
    if (count == 2)
        QVERIFY(floats(data.at(0).toObject().value("embedding")) != floats(data.at(1).toObject().value("embedding")));
}

void tst_SimulatorEmbeddingsWire::sameTextSameVector()
{
    const QJsonObject a = SimulatorTestClient::json(post(body("stable text", {{"dimensions", 64}})).body);
    const QJsonObject b = SimulatorTestClient::json(post(body(QJsonArray{"other", "stable text"}, {{"dimensions", 64}})).body);
    QCOMPARE(a.value("data").toArray().first().toObject().value("embedding"),
             b.value("data").toArray().at(1).toObject().value("embedding"));
}

void tst_SimulatorEmbeddingsWire::base64MatchesFloats()
{
    // The openai SDK asks for base64 unless told otherwise and decodes it to float32s.
    const QJsonObject asFloat = SimulatorTestClient::json(post(body("hello", {{"dimensions", 32}, {"encoding_format", "float"}})).body);
    const QJsonObject asBase64 = SimulatorTestClient::json(post(body("hello", {{"dimensions", 32}, {"encoding_format", "base64"}})).body);
    const QJsonValue encoded = asBase64.value("data").toArray().first().toObject().value("embedding");
    QVERIFY(encoded.isString());
    const QList<double> fromFloat = floats(asFloat.value("data").toArray().first().toObject().value("embedding"));
    const QList<double> fromBase64 = floats(encoded);
    QCOMPARE(fromBase64.size(), 32);
    for (int i = 0; i < 32; ++i)
        QCOMPARE(float(fromBase64.at(i)), float(fromFloat.at(i)));
}

void tst_SimulatorEmbeddingsWire::badRequests_data()
{
    QTest::addColumn<QByteArray>("requestBody");
    QTest::addColumn<QByteArray>("param");

    QTest::newRow("no input") << QByteArray(R"({"model":"m"})") << QByteArray("input");
    QTest::newRow("empty string") << QByteArray(R"({"model":"m","input":""})") << QByteArray("input");
    QTest::newRow("empty list") << QByteArray(R"({"model":"m","input":[]})") << QByteArray("input");
    QTest::newRow("object input") << QByteArray(R"({"model":"m","input":{"a":1}})") << QByteArray("input");
    QTest::newRow("dimensions zero") << QByteArray(R"({"model":"m","input":"x","dimensions":0})") << QByteArray("dimensions");
    QTest::newRow("bad encoding") << QByteArray(R"({"model":"m","input":"x","encoding_format":"hex"})") << QByteArray("encoding_format");
    QTest::newRow("no model") << QByteArray(R"({"input":"x"})") << QByteArray();
}

void tst_SimulatorEmbeddingsWire::badRequests()
{
    QFETCH(QByteArray, requestBody);
    QFETCH(QByteArray, param);
    const Reply r = post(requestBody);
    QCOMPARE(r.status, 400);
    const QJsonObject e = SimulatorTestClient::json(r.body).value("error").toObject();
    QCOMPARE(e.value("type").toString(), QString("invalid_request_error"));
    QVERIFY(!e.value("message").toString().isEmpty());
    QCOMPARE(e.value("param").toString().toUtf8(), param);
}

void tst_SimulatorEmbeddingsWire::faults()
{
    const Reply limited = post(body("x"), SimulatorTestClient::headers({{"x-sim-fault", "status:429"}, {"x-sim-retry-after", "2"}}));
    QCOMPARE(limited.status, 429);
    QCOMPARE(limited.headers.value("retry-after"), QByteArray("2"));

    const Reply noUsage = post(body("x", {{"dimensions", 4}}), SimulatorTestClient::headers({{"x-sim-fault", "no-usage"}}));
    QCOMPARE(noUsage.status, 200);
    QVERIFY(!noUsage.body.contains("usage"));
    QCOMPARE(SimulatorTestClient::json(noUsage.body).value("data").toArray().size(), 1);

    const Reply broken = post(body("x"), SimulatorTestClient::headers({{"x-sim-fault", "malformed:0"}}));
    QCOMPARE(broken.status, 200);
    bool ok = true;
    SimulatorTestClient::json(broken.body, &ok);
    QVERIFY(!ok);

    const Reply dropped = post(body("x"), SimulatorTestClient::headers({{"x-sim-fault", "disconnect:0"}}));
    QVERIFY(dropped.failed);

    const auto hanging = m_client->start(kPath, body("x"), SimulatorTestClient::headers({{"x-sim-fault", "hang"}}));
    QTRY_COMPARE(m_sim->exchangesPending(), 1);
    QVERIFY(!hanging->done());
}

QTEST_GUILESS_MAIN(tst_SimulatorEmbeddingsWire)
#include "tst_SimulatorEmbeddingsWire.moc"
