#pragma once

#include "Price.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

// Knows what each model costs and what a request costs. Holds the bundled list prices
// (resources/pricing.json) and the user's overrides (config key "pricing"). Immutable once built:
// a reloaded config builds a new table, which replaces the old one whole, so a table handed to the
// gateway thread is never seen half-updated.
//
// Lookup (priceFor): overrides are searched before the bundled entries, so anything the user set
// wins. Within each, the model name is tried as given and then without a "provider/" prefix; for
// each name an exact entry wins over a glob, and among globs (* and ?) the one with the longest
// literal prefix wins. Case is ignored. No match gives the fallback price, flagged isFallback.
class PriceTable
{
public:
    struct Entry
    {
        QString pattern;   // as written, e.g. "gpt-4o-mini*"
        QString provider;  // informational; empty for config overrides that do not name one
        QString note;
        Price price;
    };

    // One million currency units per million tokens: far above any real price, and low enough that
    // costMicros() never overflows an intermediate (see there).
    static constexpr qint64 MaxPriceMicros = 1'000'000'000'000;

    // A table without entries: every model gets the built-in fallback (the same high price as the
    // bundled table's). Useful as a default member; real code uses bundled().
    PriceTable();

    // The table compiled into the program. Parsed once, then copied (the copy shares its data).
    static PriceTable bundled();

    // A table in the format of resources/pricing.json (see docs/pricing.md). On error returns
    // nothing and sets *error to a message naming the bad key, e.g. `models[3] "o1*": output: ...`.
    static std::optional<PriceTable> fromJson(const QJsonObject &table, QString *error = nullptr);

    // This table plus the overrides of the config's "pricing" object, which replace any overrides
    // this table already had: {"deepseek-chat": {"input": 0.27, "cached_input": 0.07,
    // "output": 1.10, "currency": "USD"}}. Keys are exact model names or globs; input and output
    // are required, cached_input defaults to input (no discount assumed), currency to USD.
    // On error returns nothing and sets *error, e.g. `pricing.deepseek-chat.input: ...`.
    std::optional<PriceTable> withOverrides(const QJsonObject &pricing, QString *error = nullptr) const;

    Price priceFor(const QString &model) const;

    // What a request costs, in micro-units: cachedTokens is the part of promptTokens billed at the
    // cached price (clamped to promptTokens); negative counts count as zero. The exact sum is rounded
    // up once to the next micro-unit, so a budget is never under-charged; a result beyond qint64
    // saturates at its maximum.
    static qint64 costMicros(const Price &price, qint64 promptTokens, qint64 cachedTokens,
                             qint64 completionTokens);

    // A non-negative decimal amount (JSON number or decimal string such as "0.27") as micro-units,
    // exact: 0.27 becomes 270000, digits past the sixth decimal round up. Nothing for negative,
    // non-numeric or out-of-range values. Also meant for budget amounts such as "max_cost".
    static std::optional<qint64> microsFromJson(const QJsonValue &value);

    const QList<Entry> &entries() const { return m_entries; }
    const QList<Entry> &overrides() const { return m_overrides; }
    Price fallback() const { return m_fallback; }
    QString version() const { return m_version; }
    QString asOf() const { return m_asOf; }

private:
    // An entry ready for matching: lower-cased pattern and its literal prefix length.
    struct Matcher
    {
        QString pattern;
        qsizetype literalPrefix = 0;
        bool isGlob = false;
        qsizetype entry = 0; // index into the list it was built from
    };
    static QList<Matcher> matchersFor(const QList<Entry> &entries);
    static const Entry *bestMatch(const QList<Entry> &entries, const QList<Matcher> &matchers,
                                  const QString &name);

    QList<Entry> m_entries;
    QList<Matcher> m_entryMatchers;
    QList<Entry> m_overrides;
    QList<Matcher> m_overrideMatchers;
    Price m_fallback;
    QString m_version;
    QString m_asOf;
};
