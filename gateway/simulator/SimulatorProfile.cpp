#include "SimulatorProfile.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace {
// Generous ceilings: they only stop a typo from asking for a day-long first token or a gigabyte answer.
constexpr int kMaxDelayMs = 3'600'000;
constexpr int kMaxTokens = 1'000'000;
constexpr double kMaxTokensPerSecond = 1'000'000;

bool parseInt(const QString &text, int min, int max, int *out)
{
    bool ok = false;
    const int v = text.trimmed().toInt(&ok);
    if (!ok || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

bool applyFault(SimulatorProfile &p, const QString &value, QString *error)
{
    const QStringList items = value.split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (items.isEmpty())
        return setError(error, QStringLiteral("fault: empty value; expected status:NNN, hang, disconnect:N, malformed:N, stall:N, no-usage, ignore-max-tokens or none"));
    for (const QString &raw : items) {
        const QString item = raw.trimmed();
        const QString kind = item.section(QLatin1Char(':'), 0, 0);
        const QString arg = item.section(QLatin1Char(':'), 1);
        const bool hasArg = item.contains(QLatin1Char(':'));
        if (kind == QLatin1String("none") && !hasArg) {
            p.clearFaults();
        } else if (kind == QLatin1String("hang") && !hasArg) {
            p.hang = true;
        } else if (kind == QLatin1String("no-usage") && !hasArg) {
            p.omitUsage = true;
        } else if (kind == QLatin1String("ignore-max-tokens") && !hasArg) {
            p.ignoreMaxTokens = true;
        } else if (kind == QLatin1String("status")) {
            if (!parseInt(arg, 400, 599, &p.faultStatus))
                return setError(error, QStringLiteral("fault: '%1' needs an HTTP error status from 400 to 599, as in status:429").arg(item));
        } else if (kind == QLatin1String("disconnect")) {
            if (!parseInt(arg, 0, kMaxTokens, &p.disconnectAfterTokens))
                return setError(error, QStringLiteral("fault: '%1' needs a token count, as in disconnect:5").arg(item));
        } else if (kind == QLatin1String("stall")) {
            if (!parseInt(arg, 0, kMaxTokens, &p.stallAfterTokens))
                return setError(error, QStringLiteral("fault: '%1' needs a token count, as in stall:5").arg(item));
        } else if (kind == QLatin1String("malformed")) {
            if (!parseInt(arg, 0, kMaxTokens, &p.malformedAfterTokens))
                return setError(error, QStringLiteral("fault: '%1' needs a token count, as in malformed:5").arg(item));
        } else {
            return setError(error, QStringLiteral("fault: unknown fault '%1'; expected status:NNN, hang, disconnect:N, malformed:N, stall:N, no-usage, ignore-max-tokens or none").arg(item));
        }
    }
    return true;
}
} // namespace

QStringList SimulatorProfile::optionNames()
{
    return {QStringLiteral("ttft-ms"), QStringLiteral("tokens-per-second"), QStringLiteral("completion-tokens"),
            QStringLiteral("fault"), QStringLiteral("retry-after"), QStringLiteral("tool-call"), QStringLiteral("tool-args")};
}

void SimulatorProfile::clearFaults()
{
    faultStatus = 0;
    hang = false;
    disconnectAfterTokens = -1;
    stallAfterTokens = -1;
    malformedAfterTokens = -1;
    omitUsage = false;
    ignoreMaxTokens = false;
}

bool SimulatorProfile::hasFault() const
{
    return faultStatus != 0 || hang || disconnectAfterTokens >= 0 || stallAfterTokens >= 0 || malformedAfterTokens >= 0 || omitUsage || ignoreMaxTokens;
}

bool SimulatorProfile::applyOption(const QString &rawName, const QString &value, QString *error)
{
    QString name = rawName.trimmed().toLower();
    if (name.startsWith(QLatin1String("--")))
        name = name.mid(2);
    else if (name.startsWith(QLatin1String("x-sim-")))
        name = name.mid(6);

    // Work on a copy so a half-applied fault list never leaks into the profile.
    SimulatorProfile next = *this;
    if (name == QLatin1String("ttft-ms")) {
        if (!parseInt(value, 0, kMaxDelayMs, &next.ttftMs))
            return setError(error, QStringLiteral("ttft-ms: '%1' is not a number of milliseconds from 0 to %2").arg(value).arg(kMaxDelayMs));
    } else if (name == QLatin1String("tokens-per-second")) {
        bool ok = false;
        const double v = value.trimmed().toDouble(&ok);
        if (!ok || !(v >= 0) || v > kMaxTokensPerSecond)
            return setError(error, QStringLiteral("tokens-per-second: '%1' is not a rate from 0 (as fast as possible) to %2").arg(value).arg(kMaxTokensPerSecond));
        next.tokensPerSecond = v;
    } else if (name == QLatin1String("completion-tokens")) {
        if (!parseInt(value, 0, kMaxTokens, &next.completionTokens))
            return setError(error, QStringLiteral("completion-tokens: '%1' is not a token count from 0 to %2").arg(value).arg(kMaxTokens));
    } else if (name == QLatin1String("retry-after")) {
        if (!parseInt(value, 0, 86'400, &next.retryAfterSeconds))
            return setError(error, QStringLiteral("retry-after: '%1' is not a number of seconds from 0 to 86400").arg(value));
    } else if (name == QLatin1String("tool-call")) {
        const QString tool = value.trimmed();
        next.toolCallName = tool == QLatin1String("none") ? QString() : tool;
    } else if (name == QLatin1String("tool-args")) {
        const QByteArray text = value.trimmed().toUtf8();
        QJsonParseError parseError;
        if (!text.isEmpty() && !QJsonDocument::fromJson(text, &parseError).isObject())
            return setError(error, QStringLiteral("tool-args: '%1' is not a JSON object, as in {\"path\":\"README.md\"}").arg(value));
        next.toolCallArguments = text;
    } else if (name == QLatin1String("fault")) {
        if (!applyFault(next, value, error))
            return false;
    } else {
        return setError(error, QStringLiteral("unknown simulator option '%1'; known: %2").arg(rawName, optionNames().join(QStringLiteral(", "))));
    }
    *this = next;
    return true;
}

bool applySimulatorOption(SimulatorProfile &profile, const QString &name, const QString &value, QString *error)
{
    return profile.applyOption(name, value, error);
}
