#include "RateLimitRule.h"

#include "RuleJson.h"
#include "core/Glob.h"

#include <QJsonArray>

namespace {

std::optional<RateLimitRule> ruleFromJson(const QJsonValue &value, const QString &where, QString *error)
{
    if (!value.isObject()) {
        RuleJson::setError(error, QStringLiteral("%1: must be an object, got %2").arg(where, RuleJson::describe(value)));
        return std::nullopt;
    }
    const QJsonObject o = value.toObject();
    static const QStringList known = {QStringLiteral("scope"), QStringLiteral("match"), QStringLiteral("rpm"),
                                      QStringLiteral("tpm"), QStringLiteral("concurrency")};
    if (!RuleJson::checkKeys(o, where, known, {}, error))
        return std::nullopt;

    RateLimitRule rule;
    const QJsonValue scope = o.value(QLatin1String("scope"));
    if (scope == QJsonValue(QStringLiteral("tenant"))) {
        rule.scope = BudgetScope::Tenant;
    } else if (scope == QJsonValue(QStringLiteral("session"))) {
        rule.scope = BudgetScope::Session;
    } else {
        RuleJson::setError(error, QStringLiteral("%1.scope: must be one of tenant, session, got %2")
                                      .arg(where, RuleJson::describe(scope)));
        return std::nullopt;
    }
    if (o.contains(QLatin1String("match"))) {
        const auto match = RuleJson::text(o.value(QLatin1String("match")), where + QStringLiteral(".match"),
                                          QStringLiteral("a non-empty name or glob (* and ?)"), error);
        if (!match)
            return std::nullopt;
        rule.match = *match;
    }
    for (const auto &[key, field] : {std::pair{QStringLiteral("rpm"), &RateLimitRule::rpm},
                                     std::pair{QStringLiteral("tpm"), &RateLimitRule::tpm},
                                     std::pair{QStringLiteral("concurrency"), &RateLimitRule::concurrency}}) {
        if (!o.contains(key))
            continue;
        // Zero would refuse everything for ever; a budget with a cap of 0 is the way to say that.
        const auto number = RuleJson::wholeNumber(o.value(key), where + u'.' + key, 1, BudgetRule::MaxCount, error);
        if (!number)
            return std::nullopt;
        rule.*field = *number;
    }
    if (!rule.rpm && !rule.tpm && !rule.concurrency) {
        RuleJson::setError(error, QStringLiteral("%1: needs at least one of rpm, tpm, concurrency").arg(where));
        return std::nullopt;
    }
    return rule;
}

} // namespace

bool RateLimitRule::appliesTo(const BudgetSubject &subject) const
{
    return Glob::matches(match, subjectOf(subject));
}

const QString &RateLimitRule::subjectOf(const BudgetSubject &subject) const
{
    return scope == BudgetScope::Tenant ? subject.tenant : subject.session;
}

QString RateLimitRule::displayName() const
{
    return QStringLiteral("%1 %2 rate limit").arg(BudgetRule::scopeName(scope), match);
}

std::optional<QList<RateLimitRule>> RateLimitRule::listFromJson(const QJsonValue &array, QString *error)
{
    return RuleJson::list<RateLimitRule>(array, QStringLiteral("rate_limits"), QStringLiteral("rate limit rules"), &ruleFromJson,
                                         error);
}

QJsonObject RateLimitRule::toJson() const
{
    QJsonObject o{{QLatin1String("scope"), BudgetRule::scopeName(scope)}, {QLatin1String("match"), match}};
    if (rpm)
        o.insert(QLatin1String("rpm"), *rpm);
    if (tpm)
        o.insert(QLatin1String("tpm"), *tpm);
    if (concurrency)
        o.insert(QLatin1String("concurrency"), *concurrency);
    return o;
}

QJsonValue RateLimitRule::listToJson(const QList<RateLimitRule> &rules)
{
    QJsonArray array;
    for (const RateLimitRule &rule : rules)
        array.append(rule.toJson());
    return array;
}
