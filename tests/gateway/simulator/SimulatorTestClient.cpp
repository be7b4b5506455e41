#include "SimulatorTestClient.h"

#include "simulator/SimulatorServer.h"
#include "upstream/UpstreamClient.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTest>
#include <QUrl>

SimulatorTestClient::SimulatorTestClient(quint16 port) : m_port(port)
{
}

SimulatorTestClient::~SimulatorTestClient()
{
    m_calls.clear();
    m_clients.clear();
}

std::shared_ptr<SimulatorTestClient::Reply> SimulatorTestClient::start(const QByteArray &path, const QByteArray &body,
                                                                       const HttpHeaders &headers, const QByteArray &method,
                                                                       UpstreamCall **callOut)
{
    UpstreamRequest req;
    req.url = QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(QString::fromUtf8(path)));
    req.method = method;
    req.headers = headers;
    if (!body.isEmpty())
        req.headers.set("content-type", "application/json");
    req.body = body;
    auto reply = std::make_shared<Reply>();
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    UpstreamCall *call = client(path)->start(req);
    connect(call, &UpstreamCall::responseStarted, this, [reply, clock](int status, const HttpHeaders &h) {
        reply->status = status;
        reply->headers = h;
        reply->headMs = clock->elapsed();
    });
    connect(call, &UpstreamCall::dataReceived, this, [reply, clock](const QByteArray &data) {
        if (reply->firstDataMs < 0)
            reply->firstDataMs = clock->elapsed();
        reply->body += data;
    });
    connect(call, &UpstreamCall::finished, this, [reply, clock] {
        reply->finished = true;
        reply->endMs = clock->elapsed();
    });
    connect(call, &UpstreamCall::failed, this, [reply, clock](UpstreamCall::Failure f, const QString &) {
        reply->failed = true;
        reply->failure = f;
        reply->endMs = clock->elapsed();
    });
    m_calls.emplace_back(call);
    if (callOut)
        *callOut = call;
    return reply;
}

UpstreamClient *SimulatorTestClient::client(const QByteArray &path)
{
    auto &client = m_clients[path];
    if (!client)
        client = std::make_unique<UpstreamClient>();
    return client.get();
}

SimulatorTestClient::Reply SimulatorTestClient::request(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers,
                                                        const QByteArray &method, int timeoutMs)
{
    const auto reply = start(path, body, headers, method);
    (void)QTest::qWaitFor([&] { return reply->done(); }, timeoutMs);
    return *reply;
}

QList<SimulatorTestClient::Event> SimulatorTestClient::events(const QByteArray &body, bool *clean)
{
    QList<Event> out;
    qsizetype pos = 0;
    *clean = true;
    while (pos < body.size()) {
        const qsizetype end = body.indexOf("\n\n", pos);
        if (end < 0) {
            *clean = false;
            break;
        }
        Event e;
        for (const QByteArray &line : body.mid(pos, end - pos).split('\n')) {
            if (line.startsWith("event: "))
                e.name = line.mid(7);
            else if (line.startsWith("data: "))
                e.data = line.mid(6);
            else
                *clean = false;
        }
        out.append(e);
        pos = end + 2;
    }
    return out;
}

QJsonObject SimulatorTestClient::json(const QByteArray &bytes, bool *ok)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (ok)
        *ok = error.error == QJsonParseError::NoError && doc.isObject();
    return doc.object();
}

HttpHeaders SimulatorTestClient::headers(std::initializer_list<std::pair<QByteArray, QByteArray>> fields)
{
    HttpHeaders h;
    for (const auto &f : fields)
        h.add(f.first, f.second);
    return h;
}

std::unique_ptr<SimulatorServer> SimulatorTestClient::startSimulator(QString *error)
{
    auto sim = std::make_unique<SimulatorServer>();
    SimulatorProfile p;
    p.ttftMs = 0;
    p.tokensPerSecond = 0;
    p.completionTokens = 12;
    sim->setProfile(p);
    if (!sim->listen(QHostAddress::LocalHost, 0, error))
        return nullptr;
    return sim;
}
