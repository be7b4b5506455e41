#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

// Where one series of requests goes and the exact bytes of the request: built once, sent many times.
struct BenchTarget
{
    QString name;     // label in the report: "direct", "gateway", "nginx"
    QString host;
    quint16 port = 0;
    QByteArray request;

    // url: http://HOST:PORT/PATH; headers: "name: value" lines; body: JSON sent with POST.
    static std::optional<BenchTarget> fromUrl(const QString &name, const QString &url, const QList<QByteArray> &headers,
                                              const QByteArray &body, QString *error);
};
