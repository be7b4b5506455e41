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
// The output limit under the first of `keys` present (null counts as absent): a whole number from
// 1 to 2^31 - 1, or -1 when none is sent. Every key present is checked; a value out of range,
// fractional or not a number returns nothing with *error naming the key and the range (for a 400).
// *usedKey gets the key read (empty when none was sent).
std::optional<qint64> readOutputLimit(const QJsonObject &body, std::initializer_list<const char *> keys,
                                      QByteArray *usedKey, QString *error);
// `body` with `limit` under `key` and none of the other `keys`.
QJsonObject withOutputLimit(QJsonObject body, const QByteArray &key, qint64 limit,
                            std::initializer_list<const char *> keys);
}
