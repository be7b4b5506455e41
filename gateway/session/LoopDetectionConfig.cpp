#include "LoopDetectionConfig.h"

#include "accounting/PriceTable.h"
#include "budget/RuleJson.h"
#include "core/Glob.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace {
const QString kRoot = QStringLiteral("loop_detection");
constexpr int kMaxWindow = 86400;

// The keys a rule shares with the top level.
QStringList settingKeys()
{
    return {QStringLiteral("enabled"), QStringLiteral("mode"), QStringLiteral("cooldown"), QStringLiteral("velocity"),
            QStringLiteral("repetition"), QStringLiteral("tool_calls"), QStringLiteral("ping_pong"), QStringLiteral("spend")};
}

// Each read leaves *out alone when the key is absent.
bool readBool(const QJsonObject &o, const char *key, const QString &where, bool *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined())
        return true;
    if (!v.isBool()) {
        RuleJson::setError(error, QStringLiteral("%1.%2: must be true or false, got %3").arg(where, QLatin1String(key), RuleJson::describe(v)));
        return false;
    }
    *out = v.toBool();
    return true;
}

template <typename Int>
bool readWhole(const QJsonObject &o, const char *key, const QString &where, qint64 min, qint64 max, Int *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined())
        return true;
    const std::optional<qint64> n = RuleJson::wholeNumber(v, where + u'.' + QLatin1String(key), min, max, error);
    if (!n)
        return false;
    *out = Int(*n);
    return true;
}

bool readNumber(const QJsonObject &o, const char *key, const QString &where, double min, double max, double *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined())
        return true;
    if (!v.isDouble() || !std::isfinite(v.toDouble()) || v.toDouble() < min || v.toDouble() > max) {
        RuleJson::setError(error, QStringLiteral("%1.%2: must be a number from %3 to %4, got %5")
                                      .arg(where, QLatin1String(key)).arg(min).arg(max).arg(RuleJson::describe(v)));
        return false;
    }
    *out = v.toDouble();
    return true;
}

// The object under `key`, checked for unknown keys; an absent key reads as an empty object.
std::optional<QJsonObject> section(const QJsonObject &o, const char *key, const QString &where, const QStringList &known, QString *error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined())
        return QJsonObject();
    const QString here = where + u'.' + QLatin1String(key);
    if (!v.isObject()) {
        RuleJson::setError(error, QStringLiteral("%1: must be an object, got %2").arg(here, RuleJson::describe(v)));
        return std::nullopt;
    }
    if (!RuleJson::checkKeys(v.toObject(), here, known, {}, error))
        return std::nullopt;
    return v.toObject();
}

bool readSettings(const QJsonObject &o, const QString &where, LoopSettings *s, QString *error)
{
    if (!readBool(o, "enabled", where, &s->enabled, error) || !readWhole(o, "cooldown", where, 0, kMaxWindow * 7, &s->cooldownSeconds, error))
        return false;
    const QJsonValue mode = o.value(QLatin1String("mode"));
    if (!mode.isUndefined()) {
        if (mode != QJsonValue(QStringLiteral("block")) && mode != QJsonValue(QStringLiteral("warn"))) {
            RuleJson::setError(error, QStringLiteral("%1.mode: must be \"block\" or \"warn\", got %2").arg(where, RuleJson::describe(mode)));
            return false;
        }
        s->warnOnly = mode.toString() == QLatin1String("warn");
    }

    const auto velocity = section(o, "velocity", where, {"enabled", "window", "baseline", "min_requests", "min_requests_without_history", "factor"}, error);
    if (!velocity)
        return false;
    const QString vw = where + QStringLiteral(".velocity");
    if (!readBool(*velocity, "enabled", vw, &s->velocityEnabled, error) || !readWhole(*velocity, "window", vw, 1, 3600, &s->velocityWindow, error)
        || !readWhole(*velocity, "baseline", vw, 0, kMaxWindow, &s->velocityBaseline, error)
        || !readWhole(*velocity, "min_requests", vw, 2, 1000000, &s->velocityMinRequests, error)
        || !readWhole(*velocity, "min_requests_without_history", vw, 2, 1000000, &s->velocityMinRequestsWithoutHistory, error)
        || !readNumber(*velocity, "factor", vw, 1.0, 1000000.0, &s->velocityFactor, error))
        return false;

    const auto repetition = section(o, "repetition", where, {"enabled", "window", "count", "similarity"}, error);
    if (!repetition)
        return false;
    const QString rw = where + QStringLiteral(".repetition");
    if (!readBool(*repetition, "enabled", rw, &s->repetitionEnabled, error) || !readWhole(*repetition, "window", rw, 1, kMaxWindow, &s->repetitionWindow, error)
        || !readWhole(*repetition, "count", rw, 2, 32, &s->repetitionCount, error)
        || !readNumber(*repetition, "similarity", rw, 0.5, 1.0, &s->repetitionSimilarity, error))
        return false;

    const auto tools = section(o, "tool_calls", where, {"enabled", "window", "repeat", "cycle"}, error);
    if (!tools)
        return false;
    const QString tw = where + QStringLiteral(".tool_calls");
    if (!readBool(*tools, "enabled", tw, &s->toolEnabled, error) || !readWhole(*tools, "window", tw, 1, kMaxWindow, &s->toolWindow, error)
        || !readWhole(*tools, "repeat", tw, 2, 64, &s->toolRepeatCount, error)
        || !readWhole(*tools, "cycle", tw, 2, 20, &s->toolCycleRepeats, error))
        return false;

    const auto pingPong = section(o, "ping_pong", where, {"enabled", "window", "handoffs", "containment"}, error);
    if (!pingPong)
        return false;
    const QString pw = where + QStringLiteral(".ping_pong");
    if (!readBool(*pingPong, "enabled", pw, &s->pingPongEnabled, error) || !readWhole(*pingPong, "window", pw, 1, kMaxWindow, &s->pingPongWindow, error)
        || !readWhole(*pingPong, "handoffs", pw, 1, 32, &s->pingPongHandoffs, error)
        || !readNumber(*pingPong, "containment", pw, 0.1, 1.0, &s->pingPongContainment, error))
        return false;

    const auto spend = section(o, "spend", where, {"enabled", "window", "tokens_per_minute", "cost_per_minute"}, error);
    if (!spend)
        return false;
    const QString sw = where + QStringLiteral(".spend");
    if (!readBool(*spend, "enabled", sw, &s->spendEnabled, error) || !readWhole(*spend, "window", sw, 1, 3600, &s->spendWindow, error)
        || !readWhole(*spend, "tokens_per_minute", sw, 0, qint64(1) << 50, &s->spendTokensPerMinute, error))
        return false;
    const QJsonValue cost = spend->value(QLatin1String("cost_per_minute"));
    if (!cost.isUndefined()) {
        const std::optional<qint64> micros = PriceTable::microsFromJson(cost);
        if (!micros || *micros < 0) {
            RuleJson::setError(error, QStringLiteral("%1.cost_per_minute: must be an amount of at least 0 (0: no ceiling), got %2")
                                          .arg(sw, RuleJson::describe(cost)));
            return false;
        }
        s->spendCostMicrosPerMinute = *micros;
    }
    return true;
}

std::optional<LoopRule> readRule(const QJsonValue &value, const QString &where, const LoopSettings &base, QString *error)
{
    if (!value.isObject()) {
        RuleJson::setError(error, QStringLiteral("%1: must be an object, got %2").arg(where, RuleJson::describe(value)));
        return std::nullopt;
    }
    const QJsonObject o = value.toObject();
    if (!RuleJson::checkKeys(o, where, QStringList{QStringLiteral("scope"), QStringLiteral("match")} + settingKeys(), {}, error))
        return std::nullopt;
    LoopRule rule;
    const QJsonValue scope = o.value(QLatin1String("scope"));
    if (scope == QJsonValue(QStringLiteral("tenant")))
        rule.scope = LoopRule::Scope::Tenant;
    else if (scope != QJsonValue(QStringLiteral("session"))) {
        RuleJson::setError(error, QStringLiteral("%1.scope: must be \"session\" or \"tenant\", got %2").arg(where, RuleJson::describe(scope)));
        return std::nullopt;
    }
    const std::optional<QString> match = RuleJson::text(o.value(QLatin1String("match")), where + QStringLiteral(".match"),
                                                        QStringLiteral("a name or glob"), error);
    if (!match)
        return std::nullopt;
    rule.match = *match;
    rule.settings = base;
    if (!readSettings(o, where, &rule.settings, error))
        return std::nullopt;
    return rule;
}

QJsonObject settingsJson(const LoopSettings &s)
{
    return QJsonObject{
        {"enabled", s.enabled},
        {"mode", s.warnOnly ? "warn" : "block"},
        {"cooldown", s.cooldownSeconds},
        {"velocity", QJsonObject{{"enabled", s.velocityEnabled}, {"window", s.velocityWindow}, {"baseline", s.velocityBaseline},
                                 {"min_requests", s.velocityMinRequests},
                                 {"min_requests_without_history", s.velocityMinRequestsWithoutHistory}, {"factor", s.velocityFactor}}},
        {"repetition", QJsonObject{{"enabled", s.repetitionEnabled}, {"window", s.repetitionWindow}, {"count", s.repetitionCount},
                                   {"similarity", s.repetitionSimilarity}}},
        {"tool_calls", QJsonObject{{"enabled", s.toolEnabled}, {"window", s.toolWindow}, {"repeat", s.toolRepeatCount},
                                   {"cycle", s.toolCycleRepeats}}},
        {"ping_pong", QJsonObject{{"enabled", s.pingPongEnabled}, {"window", s.pingPongWindow}, {"handoffs", s.pingPongHandoffs},
                                  {"containment", s.pingPongContainment}}},
        {"spend", QJsonObject{{"enabled", s.spendEnabled}, {"window", s.spendWindow}, {"tokens_per_minute", s.spendTokensPerMinute},
                              {"cost_per_minute", double(s.spendCostMicrosPerMinute) / 1e6}}},
    };
}
} // namespace

qint64 LoopSettings::longestWindowMs() const
{
    const int seconds = std::max({velocityWindow + velocityBaseline, repetitionWindow, toolWindow, pingPongWindow, spendWindow});
    return qint64(seconds) * 1000;
}

const LoopSettings &LoopDetectionConfig::settingsFor(QStringView session, QStringView tenant) const
{
    for (const LoopRule &rule : rules) {
        if (Glob::matches(rule.match, rule.scope == LoopRule::Scope::Session ? session : tenant))
            return rule.settings;
    }
    return defaults;
}

qint64 LoopDetectionConfig::longestWindowMs() const
{
    qint64 longest = defaults.longestWindowMs();
    for (const LoopRule &rule : rules)
        longest = std::max(longest, rule.settings.longestWindowMs());
    return longest;
}

std::optional<LoopDetectionConfig> LoopDetectionConfig::fromJson(const QJsonValue &value, QString *error)
{
    if (!value.isObject()) {
        RuleJson::setError(error, QStringLiteral("%1: must be an object, got %2").arg(kRoot, RuleJson::describe(value)));
        return std::nullopt;
    }
    const QJsonObject o = value.toObject();
    if (!RuleJson::checkKeys(o, kRoot, settingKeys() + QStringList{QStringLiteral("max_sessions"), QStringLiteral("rules")}, {}, error))
        return std::nullopt;
    LoopDetectionConfig c;
    if (!readSettings(o, kRoot, &c.defaults, error) || !readWhole(o, "max_sessions", kRoot, 1, 1000000, &c.maxSessions, error))
        return std::nullopt;
    // Rules start from the top-level settings, whatever order the keys came in.
    const QJsonValue rules = o.value(QLatin1String("rules"));
    if (!rules.isUndefined()) {
        const auto list = RuleJson::list<LoopRule>(
            rules, kRoot + QStringLiteral(".rules"), QStringLiteral("rule objects"),
            [&c](const QJsonValue &item, const QString &where, QString *err) { return readRule(item, where, c.defaults, err); }, error);
        if (!list)
            return std::nullopt;
        c.rules = *list;
    }
    return c;
}

QJsonObject LoopDetectionConfig::toJson() const
{
    QJsonObject o = settingsJson(defaults);
    o.insert(QLatin1String("max_sessions"), maxSessions);
    QJsonArray list;
    for (const LoopRule &rule : rules) {
        QJsonObject r = settingsJson(rule.settings);
        r.insert(QLatin1String("scope"), rule.scope == LoopRule::Scope::Session ? "session" : "tenant");
        r.insert(QLatin1String("match"), rule.match);
        list.append(r);
    }
    o.insert(QLatin1String("rules"), list);
    return o;
}
