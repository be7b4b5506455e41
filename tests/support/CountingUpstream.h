#pragma once

#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

// A raw test upstream that counts every POST it receives. It answers the first `answered` of them
// (200 "ok", kept alive), then reads each later one and closes without a word: an upstream that
// took a POST in and went away, so its client cannot know whether it was processed. Lives in the
// thread that creates it.
class CountingUpstream : public QObject
{
public:
    explicit CountingUpstream(QObject *parent = nullptr);

    QUrl url(const QString &path = QStringLiteral("/v1/chat/completions")) const;

    int answered = 1;
    int posts = 0;
    int connections = 0;
    QList<QPointer<QTcpSocket>> sockets; // the server's end of each connection, in order

private:
    QTcpServer m_server;
};
