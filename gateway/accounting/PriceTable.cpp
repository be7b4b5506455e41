#include "PriceTable.h"

#include "core/Glob.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

constexpr qint64 MicrosPerUnit = 1'000'000;
constexpr qint64 TokensPerPrice = 1'000'000; // prices are per million tokens
constexpr qint64 Int64Max = std::numeric_limits<qint64>::max();

// Used when the bundled table cannot be read (a broken build) and by a default-constructed table:
// the same deliberately high price as the bundled fallback.
Price builtInFallback()
{
    Price price;
    price.input = 15 * MicrosPerUnit;
    price.cachedInput = 15 * MicrosPerUnit;
    price.output = 75 * MicrosPerUnit;
    price.isFallback = true;
    return price;
}

bool isAsciiDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

// "digits[.digits]" to micro-units without going through binary floating point.
std::optional<qint64> decimalTextToMicros(QStringView text)
{
    const qsizetype dot = text.indexOf(u'.');
    const QStringView whole = dot < 0 ? text : text.left(dot);
    const QStringView fraction = dot < 0 ? QStringView() : text.mid(dot + 1);
    if (whole.isEmpty() || (dot >= 0 && fraction.isEmpty()))
        return std::nullopt;

    qint64 units = 0;
    for (const QChar c : whole) {
        if (!isAsciiDigit(c))
            return std::nullopt;
        const int digit = c.unicode() - u'0';
        if (units > (Int64Max - digit) / 10)
            return std::nullopt;
        units = units * 10 + digit;
    }
    qint64 micros = 0;
    bool beyondMicro = false;
    for (qsizetype i = 0; i < fraction.size(); ++i) {
        if (!isAsciiDigit(fraction[i]))
            return std::nullopt;
        const int digit = fraction[i].unicode() - u'0';
        if (i < 6)
            micros = micros * 10 + digit;
        else if (digit != 0)
            beyondMicro = true;
    }
    for (qsizetype i = fraction.size(); i < 6; ++i)
        micros *= 10;
    if (beyondMicro)
        ++micros; // never under-charge: sub-micro fractions round up
    if (units > (Int64Max - micros) / MicrosPerUnit)
        return std::nullopt;
    return units * MicrosPerUnit + micros;
}

QString describe(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Double: return QString::number(value.toDouble(), 'g', 17);
    case QJsonValue::String: return u'"' + value.toString() + u'"';
    case QJsonValue::Bool: return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    case QJsonValue::Undefined: break;
    }
    return QStringLiteral("nothing");
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

std::optional<qint64> parseAmount(const QJsonObject &object, const QString &key, const QString &where,
                                  QString *error)
{
    const QJsonValue value = object.value(key);
    const std::optional<qint64> micros = PriceTable::microsFromJson(value);
    if (!micros) {
        setError(error, QStringLiteral("%1.%2: must be a non-negative number (or a decimal string), got %3")
                            .arg(where, key, describe(value)));
        return std::nullopt;
    }
    if (*micros > PriceTable::MaxPriceMicros) {
        setError(error, QStringLiteral("%1.%2: %3 is above the largest accepted price (1000000 per million tokens)")
                            .arg(where, key, describe(value)));
        return std::nullopt;
    }
    return micros;
}

// The price fields shared by table entries, the fallback and config overrides. `extraKeys` are the
// other keys the caller accepts; anything else is a typo worth rejecting ("ouput").
std::optional<Price> parsePrice(const QJsonObject &object, const QString &where,
                                const QStringList &extraKeys, QString *error)
{
    static const QStringList priceKeys = {QStringLiteral("input"), QStringLiteral("cached_input"),
                                          QStringLiteral("output"), QStringLiteral("currency"),
                                          QStringLiteral("note")};
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!priceKeys.contains(it.key()) && !extraKeys.contains(it.key())) {
            setError(error, QStringLiteral("%1.%2: unknown key (expected input, cached_input, output, currency)")
                                .arg(where, it.key()));
            return std::nullopt;
        }
    }
    for (const QString &key : {QStringLiteral("input"), QStringLiteral("output")}) {
        if (!object.contains(key)) {
            setError(error, QStringLiteral("%1.%2: missing").arg(where, key));
            return std::nullopt;
        }
    }
    Price price;
    const auto input = parseAmount(object, QStringLiteral("input"), where, error);
    if (!input)
        return std::nullopt;
    const auto output = parseAmount(object, QStringLiteral("output"), where, error);
    if (!output)
        return std::nullopt;
    price.input = *input;
    price.output = *output;
    // Without a cache price we cannot assume a discount: charge cache reads as plain input.
    price.cachedInput = price.input;
    if (object.contains(QStringLiteral("cached_input"))) {
        const auto cached = parseAmount(object, QStringLiteral("cached_input"), where, error);
        if (!cached)
            return std::nullopt;
        price.cachedInput = *cached;
    }
    if (object.contains(QStringLiteral("currency"))) {
        const QJsonValue value = object.value(QStringLiteral("currency"));
        const QString currency = value.toString();
        const bool isCode = currency.size() == 3
                            && std::all_of(currency.begin(), currency.end(), [](QChar c) {
                                   return (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z');
                               });
        if (!value.isString() || !isCode) {
            setError(error, QStringLiteral("%1.currency: must be a three-letter ISO 4217 code such as \"USD\", got %2")
                                .arg(where, describe(value)));
            return std::nullopt;
        }
        price.currency = currency.toUpper();
    }
    if (object.contains(QStringLiteral("note")) && !object.value(QStringLiteral("note")).isString()) {
        setError(error, QStringLiteral("%1.note: must be a string").arg(where));
        return std::nullopt;
    }
    return price;
}

qint64 saturatingAdd(qint64 a, qint64 b)
{
    return a > Int64Max - b ? Int64Max : a + b;
}

qint64 saturatingMultiply(qint64 a, qint64 b)
{
    return (a != 0 && b > Int64Max / a) ? Int64Max : a * b;
}

} // namespace

PriceTable::PriceTable()
    : m_fallback(builtInFallback())
{
}

PriceTable PriceTable::bundled()
{
    static const PriceTable table = [] {
        const QString path = QStringLiteral(":/tokenfuse/pricing.json");
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            qCritical("TokenFuse: bundled price table %s is missing; every model gets the fallback price",
                      qPrintable(path));
            return PriceTable();
        }
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
        QString error = parseError.error == QJsonParseError::NoError
                            ? QStringLiteral("not a JSON object")
                            : parseError.errorString();
        std::optional<PriceTable> parsed;
        if (document.isObject())
            parsed = fromJson(document.object(), &error);
        if (!parsed) {
            qCritical("TokenFuse: bundled price table %s is invalid (%s); every model gets the fallback price",
                      qPrintable(path), qPrintable(error));
            return PriceTable();
        }
        return *parsed;
    }();
    return table;
}

std::optional<PriceTable> PriceTable::fromJson(const QJsonObject &table, QString *error)
{
    PriceTable result;
    result.m_version = table.value(QStringLiteral("version")).toString();
    result.m_asOf = table.value(QStringLiteral("as_of")).toString();

    const QJsonValue models = table.value(QStringLiteral("models"));
    if (!models.isArray()) {
        setError(error, QStringLiteral("models: must be an array, got %1").arg(describe(models)));
        return std::nullopt;
    }
    QSet<QString> seen;
    const QJsonArray modelArray = models.toArray();
    for (qsizetype i = 0; i < modelArray.size(); ++i) {
        const QJsonValue value = modelArray.at(i);
        QString where = QStringLiteral("models[%1]").arg(i);
        if (!value.isObject()) {
            setError(error, QStringLiteral("%1: must be an object, got %2").arg(where, describe(value)));
            return std::nullopt;
        }
        const QJsonObject object = value.toObject();
        const QString pattern = object.value(QStringLiteral("match")).toString().trimmed();
        if (pattern.isEmpty()) {
            setError(error, QStringLiteral("%1.match: must be a model name or glob, got %2")
                                .arg(where, describe(object.value(QStringLiteral("match")))));
            return std::nullopt;
        }
        where += QStringLiteral(" \"%1\"").arg(pattern);
        if (seen.contains(pattern.toLower())) {
            setError(error, QStringLiteral("%1.match: listed twice (names ignore case)").arg(where));
            return std::nullopt;
        }
        seen.insert(pattern.toLower());
        const auto price = parsePrice(object, where, {QStringLiteral("match"), QStringLiteral("provider")}, error);
        if (!price)
            return std::nullopt;
        Entry entry;
        entry.pattern = pattern;
        entry.provider = object.value(QStringLiteral("provider")).toString();
        entry.note = object.value(QStringLiteral("note")).toString();
        entry.price = *price;
        entry.price.matchedPattern = pattern;
        result.m_entries.append(entry);
    }

    const QJsonValue fallback = table.value(QStringLiteral("fallback"));
    if (!fallback.isObject()) {
        setError(error, QStringLiteral("fallback: must be an object, got %1").arg(describe(fallback)));
        return std::nullopt;
    }
    const auto fallbackPrice = parsePrice(fallback.toObject(), QStringLiteral("fallback"), {}, error);
    if (!fallbackPrice)
        return std::nullopt;
    result.m_fallback = *fallbackPrice;
    result.m_fallback.isFallback = true;
    result.m_entryMatchers = matchersFor(result.m_entries);
    return result;
}

std::optional<PriceTable> PriceTable::withOverrides(const QJsonObject &pricing, QString *error) const
{
    PriceTable result = *this;
    result.m_overrides.clear();
    QHash<QString, QString> seen; // lower-cased -> as written, to name both in the error
    for (auto it = pricing.begin(); it != pricing.end(); ++it) {
        const QString pattern = it.key().trimmed();
        const QString where = QStringLiteral("pricing.%1").arg(it.key());
        if (pattern.isEmpty()) {
            setError(error, QStringLiteral("pricing: an empty key is not a model name"));
            return std::nullopt;
        }
        if (seen.contains(pattern.toLower())) {
            setError(error, QStringLiteral("%1: same model as pricing.%2 (names ignore case)")
                                .arg(where, seen.value(pattern.toLower())));
            return std::nullopt;
        }
        seen.insert(pattern.toLower(), it.key());
        if (!it.value().isObject()) {
            setError(error, QStringLiteral("%1: must be an object such as {\"input\": 0.27, \"output\": 1.10}, got %2")
                                .arg(where, describe(it.value())));
            return std::nullopt;
        }
        const QJsonObject object = it.value().toObject();
        const auto price = parsePrice(object, where, {QStringLiteral("provider")}, error);
        if (!price)
            return std::nullopt;
        Entry entry;
        entry.pattern = pattern;
        entry.provider = object.value(QStringLiteral("provider")).toString();
        entry.note = object.value(QStringLiteral("note")).toString();
        entry.price = *price;
        entry.price.matchedPattern = pattern;
        result.m_overrides.append(entry);
    }
    result.m_overrideMatchers = matchersFor(result.m_overrides);
    return result;
}

Price PriceTable::priceFor(const QString &model) const
{
    const QString name = model.trimmed().toLower();
    QStringList names = {name};
    // Routers and some SDKs say "openai/gpt-4o" or "openrouter/anthropic/claude-3-5-sonnet".
    const qsizetype slash = name.lastIndexOf(u'/');
    if (slash >= 0 && slash + 1 < name.size())
        names.append(name.mid(slash + 1));

    for (const auto &[entries, matchers] : {std::pair{&m_overrides, &m_overrideMatchers},
                                            std::pair{&m_entries, &m_entryMatchers}}) {
        for (const QString &candidate : names) {
            if (const Entry *entry = bestMatch(*entries, *matchers, candidate))
                return entry->price;
        }
    }
    return m_fallback;
}

qint64 PriceTable::costMicros(const Price &price, qint64 promptTokens, qint64 cachedTokens,
                              qint64 completionTokens)
{
    promptTokens = std::max<qint64>(promptTokens, 0);
    completionTokens = std::max<qint64>(completionTokens, 0);
    cachedTokens = std::clamp<qint64>(cachedTokens, 0, promptTokens);

    // tokens * price / 1e6 is split as (tokens / 1e6) * price + (tokens % 1e6) * price / 1e6: the
    // whole millions saturate on overflow, and each remainder product stays below 1e6 * MaxPriceMicros
    // = 1e18, so three of them sum below 2^63 and the one rounding at the end is exact.
    const std::pair<qint64, qint64> parts[] = {
        {promptTokens - cachedTokens, price.input},
        {cachedTokens, price.cachedInput},
        {completionTokens, price.output},
    };
    qint64 whole = 0;
    qint64 remainder = 0;
    for (const auto &[tokens, perMillion] : parts) {
        const qint64 unitPrice = std::clamp<qint64>(perMillion, 0, MaxPriceMicros);
        whole = saturatingAdd(whole, saturatingMultiply(tokens / TokensPerPrice, unitPrice));
        remainder += (tokens % TokensPerPrice) * unitPrice;
    }
    return saturatingAdd(whole, (remainder + TokensPerPrice - 1) / TokensPerPrice);
}

std::optional<qint64> PriceTable::microsFromJson(const QJsonValue &value)
{
    if (value.isString())
        return decimalTextToMicros(QStringView(value.toString()).trimmed());
    if (!value.isDouble())
        return std::nullopt;
    const double number = value.toDouble();
    if (!std::isfinite(number) || number < 0)
        return std::nullopt;
    if (number == 0)
        return 0;
    // The JSON parser already turned "0.27" into the nearest double; its shortest round-trip text
    // is "0.27" again, which we then read digit by digit. Multiplying the double by 1e6 instead
    // would give 269999.99999999997 for some inputs and lose a micro-unit.
    return decimalTextToMicros(QString::number(number, 'f', QLocale::FloatingPointShortest));
}

QList<PriceTable::Matcher> PriceTable::matchersFor(const QList<Entry> &entries)
{
    QList<Matcher> matchers;
    matchers.reserve(entries.size());
    for (qsizetype i = 0; i < entries.size(); ++i) {
        Matcher matcher;
        matcher.pattern = entries.at(i).pattern.toLower();
        matcher.literalPrefix = Glob::literalPrefix(matcher.pattern);
        matcher.isGlob = matcher.literalPrefix < matcher.pattern.size();
        matcher.entry = i;
        matchers.append(matcher);
    }
    return matchers;
}

const PriceTable::Entry *PriceTable::bestMatch(const QList<Entry> &entries, const QList<Matcher> &matchers,
                                               const QString &name)
{
    const Matcher *best = nullptr;
    for (const Matcher &matcher : matchers) {
        if (!matcher.isGlob) {
            if (matcher.pattern == name)
                return &entries.at(matcher.entry);
            continue;
        }
        if (!Glob::matches(matcher.pattern, name))
            continue;
        // Longest literal prefix first; then the longer (more specific) pattern; then the first listed.
        if (!best || matcher.literalPrefix > best->literalPrefix
            || (matcher.literalPrefix == best->literalPrefix && matcher.pattern.size() > best->pattern.size()))
            best = &matcher;
    }
    return best ? &entries.at(best->entry) : nullptr;
}
