#pragma once

#include "ChatRequest.h"

#include <QJsonObject>
#include <QString>

#include <initializer_list>
#include <optional>

// Reading the common parts of a JSON request body, with error messages a user can act on.
namespace JsonBody {
std::optional<QJsonObject> parseObject(const QByteArray &body, QString *error);
bool readModel(const QJsonObject &body, QString *model, QString *error);
// What every dialect reads alike: a JSON object with a "model" string, and the "stream" flag.
std::optional<ChatRequest> readRequest(const QByteArray &body, QString *error);
// What every chat dialect reads alike: a JSON object with a "model" string and a "messages" array,
// and the "stream" flag. `messagesError` is the dialect's own wording for a missing "messages".
std::optional<ChatRequest> readChat(const QByteArray &body, const QString &messagesError, QString *error);
// The first of these keys holding a non-negative integer, or -1.
qint64 readMaxTokens(const QJsonObject &body, std::initializer_list<const char *> keys);
}
