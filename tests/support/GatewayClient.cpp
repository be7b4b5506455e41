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

UpstreamCall *GatewayClient::start(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers, Reply *out,
                                  const QByteArray &method)
{
    UpstreamRequest r;
    r.url = QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(QString::fromUtf8(path)));
    r.method = method;
    r.body = body;
    r.headers = headers;
    r.headers.add("content-type", "application/json");
    r.timeouts.totalMs = 60000;
    UpstreamCall *c = m_client.start(r);
    connect(c, &UpstreamCall::responseStarted, this, [out](int s, const HttpHeaders &h) { out->status = s; out->headers = h; });
    connect(c, &UpstreamCall::dataReceived, this, [out](const QByteArray &d) { out->body += d; });
    connect(c, &UpstreamCall::finished, this, [out] { out->done = true; });
    connect(c, &UpstreamCall::failed, this, [out](UpstreamCall::Failure, const QString &) { out->done = true; });
    return c;
}

GatewayClient::Reply GatewayClient::call(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers,
                                         const QByteArray &method)
{
    Reply reply;
    std::unique_ptr<UpstreamCall> c(start(path, body, headers, &reply, method));
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
