#pragma once

#include "BudgetSubject.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

enum class BudgetScope { Global, Tenant, Session, Model };
enum class BudgetWindow { Request, Minute, Hour, Day, Month, Total };
// What a rule does with a request whose worst case does not fit what is left: shrink its output
// limit to what is left (spend down), or refuse it (402) as a whole.
enum class BudgetOverCap { Clamp, Refuse };

// One budget as configured: what it limits (scope + match), over which window, and by how much.
// A plain value; the ledger does the counting. Money in micro-units of `currency`.
struct BudgetRule
{
    QString name;                 // empty: displayName() derives one, e.g. "tenant * per day"
    BudgetScope scope = BudgetScope::Global;
    QString match = QStringLiteral("*"); // glob (* and ?), case-insensitive; ignored for global
    BudgetWindow window = BudgetWindow::Day;
    std::optional<qint64> maxTokens;
    std::optional<qint64> maxCostMicros;
    std::optional<qint64> maxRequests;
    QString currency = QStringLiteral("USD");
    double alertAt = 0.8;         // fraction of a cap that raises an alert, 0 < alertAt <= 1
    BudgetOverCap overCap = BudgetOverCap::Clamp;
    // Clamp only: when fewer output tokens than this are left for a request, it is refused instead.
    qint64 minOutputTokens = DefaultMinOutputTokens;

    bool operator==(const BudgetRule &) const = default;

    // max_cost above this is refused: larger amounts would lose micro-units in a JSON number.
    static constexpr qint64 MaxCostMicros = 1'000'000'000'000'000;
    static constexpr qint64 MaxCount = 1LL << 53;
    static constexpr qint64 DefaultMinOutputTokens = 16;
    // The largest output limit TokenFuse forwards or accepts from a client: 2^31 - 1.
    static constexpr qint64 MaxOutputTokens = 2147483647;

    QString displayName() const;

    // The identity of this rule's counters, "scope|match|window" (match lower-cased, "*" for
    // global). Rules that differ only in caps, name or alert share counters, so editing a cap
    // never resets what was spent.
    QString counterRule() const;

    bool appliesTo(const BudgetSubject &subject) const;
    // The subject this rule counts for: the field its scope names; empty for global.
    const QString &subjectOf(const BudgetSubject &subject) const;
    // The cap of a dimension ("tokens", "cost", "requests"), if the rule sets one.
    std::optional<qint64> capOf(const QString &dimension) const;

    // The "budgets" array of the config file (and of PUT /admin/v1/budgets). All or nothing: on
    // error returns nothing and sets *error to a message naming index and key, e.g.
    // `budgets[1].window: must be one of request, minute, hour, day, month, total`. The read-only
    // keys that usageJson() adds (display_name, window_start, resets_at, usage) are ignored, so
    // what GET returns can be edited and PUT back.
    static std::optional<QList<BudgetRule>> listFromJson(const QJsonValue &array, QString *error = nullptr);
    static std::optional<BudgetRule> fromJson(const QJsonValue &value, const QString &where, QString *error = nullptr);
    // Parses back to an equal rule; max_cost is a JSON number that reads back to the same micros.
    QJsonObject toJson() const;
    static QJsonValue listToJson(const QList<BudgetRule> &rules);

    static QString scopeName(BudgetScope scope);
    static QString windowName(BudgetWindow window);
    static std::optional<BudgetScope> scopeFromName(const QString &name);
    static std::optional<BudgetWindow> windowFromName(const QString &name);
    static QString overCapName(BudgetOverCap overCap);
    // "per day", "per request", "in total": for names and messages.
    static QString windowPhrase(BudgetWindow window);
};
