#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
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

    // A JSON array of rules under config key `key` ("budgets"), each read by `item(value, where,
    // error)` with `where` = "key[i]"; nothing is returned unless every rule reads.
    template <typename Rule, typename ItemReader>
    static std::optional<QList<Rule>> list(const QJsonValue &array, const QString &key, const QString &noun,
                                           ItemReader item, QString *error)
    {
        if (!array.isArray()) {
            setError(error, QStringLiteral("%1: must be an array of %2, got %3").arg(key, noun, describe(array)));
            return std::nullopt;
        }
        QList<Rule> rules;
        const QJsonArray items = array.toArray();
        for (qsizetype i = 0; i < items.size(); ++i) {
            std::optional<Rule> rule = item(items.at(i), QStringLiteral("%1[%2]").arg(key).arg(i), error);
            if (!rule)
                return std::nullopt;
            rules.append(*rule);
        }
        return rules;
    }
};
