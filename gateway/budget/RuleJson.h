#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <optional>

// Reading the fields that budget and rate-limit rules share, with error messages that name the
// exact key and show the offending value: `budgets[0].max_tokens: must be a whole number ...`.
class RuleJson
{
public:
    static QString describe(const QJsonValue &value);
    static void setError(QString *error, const QString &message);
    // The first key not in `known` (nor in `ignored`), reported with the list of known keys.
    static bool checkKeys(const QJsonObject &object, const QString &where, const QStringList &known,
                          const QStringList &ignored, QString *error);
    // A JSON number that is a whole number in [min, max].
    static std::optional<qint64> wholeNumber(const QJsonValue &value, const QString &where, qint64 min,
                                             qint64 max, QString *error);
    // A non-empty string; for names and globs.
    static std::optional<QString> text(const QJsonValue &value, const QString &where, const QString &what,
                                       QString *error);
};
