#include "BudgetRule.h"

#include "RuleJson.h"
#include "core/Glob.h"
#include "accounting/PriceTable.h"

#include <QJsonArray>

#include <array>

namespace {

const std::array<QString, 4> &scopeNames()
{
    static const std::array<QString, 4> names = {QStringLiteral("global"), QStringLiteral("tenant"),
                                                 QStringLiteral("session"), QStringLiteral("model")};
    return names;
}

const std::array<QString, 6> &windowNames()
{
    static const std::array<QString, 6> names = {QStringLiteral("request"), QStringLiteral("minute"),
                                                 QStringLiteral("hour"), QStringLiteral("day"),
                                                 QStringLiteral("month"), QStringLiteral("total")};
    return names;
}

QString joined(const auto &names)
{
    QStringList list(names.begin(), names.end());
    return list.join(QLatin1String(", "));
}

const QStringList &knownKeys()
{
    static const QStringList keys = {QStringLiteral("scope"), QStringLiteral("match"), QStringLiteral("window"),
                                     QStringLiteral("max_tokens"), QStringLiteral("max_cost"),
                                     QStringLiteral("max_requests"), QStringLiteral("currency"),
                                     QStringLiteral("alert_at"), QStringLiteral("name"), QStringLiteral("over_cap"),
                                     QStringLiteral("min_output_tokens")};
    return keys;
}

// Written by BudgetLedger::usageJson(); accepted back so GET -> edit -> PUT works.
const QStringList &readOnlyKeys()
{
    static const QStringList keys = {QStringLiteral("display_name"), QStringLiteral("window_start"),
                                     QStringLiteral("resets_at"), QStringLiteral("usage")};
    return keys;
}

bool isCurrencyCode(const QString &code)
{
    if (code.size() != 3)
        return false;
    for (QChar c : code) {
        if (!((c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z')))
            return false;
    }
    return true;
}

} // namespace

QString BudgetRule::displayName() const
{
    if (!name.isEmpty())
        return name;
    if (scope == BudgetScope::Global)
        return QStringLiteral("global %1").arg(windowPhrase(window));
    return QStringLiteral("%1 %2 %3").arg(scopeName(scope), match, windowPhrase(window));
}

QString BudgetRule::counterRule() const
{
    const QString matchKey = scope == BudgetScope::Global ? QStringLiteral("*") : match.toLower();
    return scopeName(scope) + u'|' + matchKey + u'|' + windowName(window);
}

bool BudgetRule::appliesTo(const BudgetSubject &subject) const
{
    return scope == BudgetScope::Global || Glob::matches(match, subjectOf(subject));
}

const QString &BudgetRule::subjectOf(const BudgetSubject &subject) const
{
    static const QString none;
    switch (scope) {
    case BudgetScope::Global: return none;
    case BudgetScope::Tenant: return subject.tenant;
    case BudgetScope::Session: return subject.session;
    case BudgetScope::Model: return subject.model;
    }
    return none;
}

std::optional<qint64> BudgetRule::capOf(const QString &dimension) const
{
    if (dimension == QLatin1String("tokens"))
        return maxTokens;
    if (dimension == QLatin1String("cost"))
        return maxCostMicros;
    return maxRequests;
}

std::optional<QList<BudgetRule>> BudgetRule::listFromJson(const QJsonValue &array, QString *error)
{
    return RuleJson::list<BudgetRule>(array, QStringLiteral("budgets"), QStringLiteral("budget rules"), &BudgetRule::fromJson,
                                      error);
}

std::optional<BudgetRule> BudgetRule::fromJson(const QJsonValue &value, const QString &where, QString *error)
{
    if (!value.isObject()) {
        RuleJson::setError(error, QStringLiteral("%1: must be an object, got %2").arg(where, RuleJson::describe(value)));
        return std::nullopt;
    }
    const QJsonObject o = value.toObject();
    if (!RuleJson::checkKeys(o, where, knownKeys(), readOnlyKeys(), error))
        return std::nullopt;

    BudgetRule rule;
    const QJsonValue scope = o.value(QLatin1String("scope"));
    const auto scopeValue = scopeFromName(scope.toString());
    if (!scope.isString() || !scopeValue) {
        RuleJson::setError(error, QStringLiteral("%1.scope: must be one of %2, got %3")
                                      .arg(where, joined(scopeNames()), RuleJson::describe(scope)));
        return std::nullopt;
    }
    rule.scope = *scopeValue;

    const QJsonValue window = o.value(QLatin1String("window"));
    const auto windowValue = windowFromName(window.toString());
    if (!window.isString() || !windowValue) {
        RuleJson::setError(error, QStringLiteral("%1.window: must be one of %2, got %3")
                                      .arg(where, joined(windowNames()), RuleJson::describe(window)));
        return std::nullopt;
    }
    rule.window = *windowValue;

    if (o.contains(QLatin1String("match"))) {
        const auto match = RuleJson::text(o.value(QLatin1String("match")), where + QStringLiteral(".match"),
                                          QStringLiteral("a non-empty name or glob (* and ?)"), error);
        if (!match)
            return std::nullopt;
        rule.match = *match;
    }
    if (o.contains(QLatin1String("name"))) {
        const auto name = RuleJson::text(o.value(QLatin1String("name")), where + QStringLiteral(".name"),
                                         QStringLiteral("a non-empty string"), error);
        if (!name)
            return std::nullopt;
        rule.name = *name;
    }

    for (const auto &[key, field] : {std::pair{QStringLiteral("max_tokens"), &BudgetRule::maxTokens},
                                     std::pair{QStringLiteral("max_requests"), &BudgetRule::maxRequests}}) {
        if (!o.contains(key))
            continue;
        const auto number = RuleJson::wholeNumber(o.value(key), where + u'.' + key, 0, MaxCount, error);
        if (!number)
            return std::nullopt;
        rule.*field = *number;
    }
    if (o.contains(QLatin1String("max_cost"))) {
        const QJsonValue cost = o.value(QLatin1String("max_cost"));
        const auto micros = PriceTable::microsFromJson(cost);
        if (!micros || *micros > MaxCostMicros) {
            RuleJson::setError(error, QStringLiteral("%1.max_cost: must be an amount from 0 to 1000000000 "
                                                     "such as 5 or 0.25, got %2")
                                          .arg(where, RuleJson::describe(cost)));
            return std::nullopt;
        }
        rule.maxCostMicros = *micros;
    }
    if (!rule.maxTokens && !rule.maxCostMicros && !rule.maxRequests) {
        RuleJson::setError(error, QStringLiteral("%1: needs at least one of max_tokens, max_cost, max_requests").arg(where));
        return std::nullopt;
    }

    if (o.contains(QLatin1String("currency"))) {
        const QJsonValue currency = o.value(QLatin1String("currency"));
        if (!currency.isString() || !isCurrencyCode(currency.toString())) {
            RuleJson::setError(error, QStringLiteral("%1.currency: must be a three-letter code such as \"USD\", got %2")
                                          .arg(where, RuleJson::describe(currency)));
            return std::nullopt;
        }
        rule.currency = currency.toString().toUpper();
    }
    if (o.contains(QLatin1String("alert_at"))) {
        const QJsonValue alert = o.value(QLatin1String("alert_at"));
        const double fraction = alert.toDouble();
        if (!alert.isDouble() || !(fraction > 0 && fraction <= 1)) {
            RuleJson::setError(error, QStringLiteral("%1.alert_at: must be a fraction above 0 and at most 1, "
                                                     "such as 0.8, got %2")
                                          .arg(where, RuleJson::describe(alert)));
            return std::nullopt;
        }
        rule.alertAt = fraction;
    }
    if (o.contains(QLatin1String("over_cap"))) {
        const QJsonValue overCap = o.value(QLatin1String("over_cap"));
        if (overCap == QJsonValue(QStringLiteral("clamp"))) {
            rule.overCap = BudgetOverCap::Clamp;
        } else if (overCap == QJsonValue(QStringLiteral("refuse"))) {
            rule.overCap = BudgetOverCap::Refuse;
        } else {
            RuleJson::setError(error, QStringLiteral("%1.over_cap: must be \"clamp\" (shrink max_tokens to what is left) "
                                                     "or \"refuse\" (answer 402), got %2")
                                          .arg(where, RuleJson::describe(overCap)));
            return std::nullopt;
        }
    }
    if (o.contains(QLatin1String("min_output_tokens"))) {
        const auto floor = RuleJson::wholeNumber(o.value(QLatin1String("min_output_tokens")),
                                                 where + QStringLiteral(".min_output_tokens"), 1, MaxOutputTokens, error);
        if (!floor)
            return std::nullopt;
        rule.minOutputTokens = *floor;
    }
    return rule;
}

QJsonObject BudgetRule::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("scope"), scopeName(scope));
    o.insert(QLatin1String("match"), match);
    o.insert(QLatin1String("window"), windowName(window));
    if (maxTokens)
        o.insert(QLatin1String("max_tokens"), double(*maxTokens));
    // micros / 1e6 is the double nearest the exact decimal (both operands are exact and IEEE
    // division rounds once); with at most 15 significant digits its shortest text is that decimal
    // again, which is what microsFromJson reads back.
    if (maxCostMicros)
        o.insert(QLatin1String("max_cost"), double(*maxCostMicros) / 1e6);
    if (maxRequests)
        o.insert(QLatin1String("max_requests"), double(*maxRequests));
    o.insert(QLatin1String("currency"), currency);
    o.insert(QLatin1String("alert_at"), alertAt);
    if (!name.isEmpty())
        o.insert(QLatin1String("name"), name);
    o.insert(QLatin1String("over_cap"), overCapName(overCap));
    o.insert(QLatin1String("min_output_tokens"), double(minOutputTokens));
    return o;
}

QJsonValue BudgetRule::listToJson(const QList<BudgetRule> &rules)
{
    QJsonArray array;
    for (const BudgetRule &rule : rules)
        array.append(rule.toJson());
    return array;
}

QString BudgetRule::scopeName(BudgetScope scope)
{
    return scopeNames().at(size_t(scope));
}

QString BudgetRule::windowName(BudgetWindow window)
{
    return windowNames().at(size_t(window));
}

std::optional<BudgetScope> BudgetRule::scopeFromName(const QString &name)
{
    for (size_t i = 0; i < scopeNames().size(); ++i) {
        if (scopeNames()[i] == name)
            return BudgetScope(i);
    }
    return std::nullopt;
}

std::optional<BudgetWindow> BudgetRule::windowFromName(const QString &name)
{
    for (size_t i = 0; i < windowNames().size(); ++i) {
        if (windowNames()[i] == name)
            return BudgetWindow(i);
    }
    return std::nullopt;
}

QString BudgetRule::overCapName(BudgetOverCap overCap)
{
    return overCap == BudgetOverCap::Refuse ? QStringLiteral("refuse") : QStringLiteral("clamp");
}

QString BudgetRule::windowPhrase(BudgetWindow window)
{
    switch (window) {
    case BudgetWindow::Request: return QStringLiteral("per request");
    case BudgetWindow::Minute: return QStringLiteral("per minute");
    case BudgetWindow::Hour: return QStringLiteral("per hour");
    case BudgetWindow::Day: return QStringLiteral("per day");
    case BudgetWindow::Month: return QStringLiteral("per month");
    case BudgetWindow::Total: return QStringLiteral("in total");
    }
    return QString();
}
