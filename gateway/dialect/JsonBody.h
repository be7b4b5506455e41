#pragma once

#include <QJsonObject>
#include <QString>

#include <initializer_list>
#include <optional>

// Reading the common parts of a JSON request body, with error messages a user can act on.
namespace JsonBody {
std::optional<QJsonObject> parseObject(const QByteArray &body, QString *error);
bool readModel(const QJsonObject &body, QString *model, QString *error);
// The first of these keys holding a non-negative integer, or -1.
qint64 readMaxTokens(const QJsonObject &body, std::initializer_list<const char *> keys);
}
