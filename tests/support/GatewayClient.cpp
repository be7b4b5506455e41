#include "GatewayClient.h"

#include "upstream/UpstreamCall.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <memory>

GatewayClient::GatewayClient(quint16 port, const QString &dataDir, QObject *parent)
    : QObject(parent), m_port(port), m_dataDir(dataDir)
{
}

GatewayClient::Reply GatewayClient::call(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers,
                                         const QByteArray &method)
{
    UpstreamRequest r;
    r.url = QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(QString::fromUtf8(path)));
    r.method = method;
    r.body = body;
    r.headers = headers;
    r.headers.add("content-type", "application/json");
    r.timeouts.totalMs = 60000;
    Reply reply;
    std::unique_ptr<UpstreamCall> c(m_client.start(r));
    connect(c.get(), &UpstreamCall::responseStarted, this, [&](int s, const HttpHeaders &h) { reply.status = s; reply.headers = h; });
    connect(c.get(), &UpstreamCall::dataReceived, this, [&](const QByteArray &d) { reply.body += d; });
    connect(c.get(), &UpstreamCall::finished, this, [&] { reply.done = true; });
    connect(c.get(), &UpstreamCall::failed, this, [&](UpstreamCall::Failure, const QString &) { reply.done = true; });
    [&] { QTRY_VERIFY_WITH_TIMEOUT(reply.done, 30000); }();
    return reply;
}

GatewayClient::Reply GatewayClient::admin(const QByteArray &method, const QByteArray &route, const QJsonValue &body)
{
    QFile f(QDir(m_dataDir).filePath(QStringLiteral("admin.token")));
    if (!f.open(QIODevice::ReadOnly))
        qWarning("no admin.token in %s", qPrintable(m_dataDir));
    HttpHeaders h;
    h.add("authorization", "Bearer " + f.readAll().trimmed());
    QByteArray bytes;
    if (body.isArray())
        bytes = QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact);
    else if (body.isObject())
        bytes = QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    return call("/admin/v1/" + route, bytes, h, method);
}
