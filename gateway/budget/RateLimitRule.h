#pragma once

#include "BudgetRule.h"
#include "BudgetSubject.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

// One rate limit as configured: for each tenant or session matching `match`, at most `rpm`
// requests and `tpm` tokens in any 60 seconds, and `concurrency` requests at once.
struct RateLimitRule
{
    BudgetScope scope = BudgetScope::Session;  // Tenant or Session
    QString match = QStringLiteral("*");       // glob (* and ?), case-insensitive
    std::optional<qint64> rpm;
    std::optional<qint64> tpm;
    std::optional<qint64> concurrency;

    bool operator==(const RateLimitRule &) const = default;

    bool appliesTo(const BudgetSubject &subject) const;
    const QString &subjectOf(const BudgetSubject &subject) const;
    // "session * rate limit"
    QString displayName() const;

    // The "rate_limits" array of the config file. All or nothing; errors name index and key, e.g.
    // `rate_limits[0].rpm: must be a whole number from 1 to 9007199254740992, got 0`.
    static std::optional<QList<RateLimitRule>> listFromJson(const QJsonValue &array, QString *error = nullptr);
    QJsonObject toJson() const;
    static QJsonValue listToJson(const QList<RateLimitRule> &rules);
};
