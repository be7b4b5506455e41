#include "ConsoleFormat.h"

#include <QDateTime>
#include <QtGlobal>

#include <cmath>
#include <limits>

namespace {

QString groupedDigits(quint64 value)
{
    QString digits = QString::number(value);
    for (qsizetype i = digits.size() - 3; i > 0; i -= 3)
        digits.insert(i, QLatin1Char(','));
    return digits;
}

quint64 magnitude(qint64 value)
{
    // Written this way so that the most negative qint64 does not overflow.
    return value < 0 ? quint64(-(value + 1)) + 1 : quint64(value);
}

QString currencySymbol(const QString &code)
{
    const QString upper = code.toUpper();
    if (upper == QLatin1String("USD"))
        return QStringLiteral("$");
    if (upper == QLatin1String("EUR"))
        return QStringLiteral("€");
    if (upper == QLatin1String("GBP"))
        return QStringLiteral("£");
    if (upper == QLatin1String("JPY"))
        return QStringLiteral("¥");
    if (upper == QLatin1String("CNY"))
        return QStringLiteral("CN¥");
    if (upper == QLatin1String("INR"))
        return QStringLiteral("₹");
    return {};
}

// "12.0" -> "12", "12.5" -> "12.5": a whole number needs no decimal point.
QString withoutTrailingPointZero(QString text)
{
    if (text.endsWith(QLatin1String(".0")))
        text.chop(2);
    return text;
}

} // namespace

namespace ConsoleFormat {

QString money(qint64 micros, const QString &currencyCode)
{
    const quint64 amount = magnitude(micros);

    int decimals = 2;
    if (amount > 0 && amount < 1'000'000) {
        // Two significant digits below one unit: 0.5 -> 2 decimals, 0.0123 -> 3, 0.001234 -> 4.
        decimals = amount >= 100'000 ? 2 : amount >= 10'000 ? 3 : amount >= 1'000 ? 4 : amount >= 100 ? 5 : 6;
    }
    quint64 step = 1;
    for (int i = decimals; i < 6; ++i)
        step *= 10;
    quint64 scale = 1;
    for (int i = 0; i < decimals; ++i)
        scale *= 10;

    const quint64 rounded = amount / step + (amount % step >= step / 2 && step > 1 ? 1 : 0);
    QString fraction = QString::number(rounded % scale).rightJustified(decimals, QLatin1Char('0'));
    while (fraction.size() > 2 && fraction.endsWith(QLatin1Char('0')))
        fraction.chop(1);
    const QString number = groupedDigits(rounded / scale) + QLatin1Char('.') + fraction;

    const QString sign = micros < 0 && rounded > 0 ? QStringLiteral("-") : QString();
    const QString symbol = currencySymbol(currencyCode);
    if (!symbol.isEmpty())
        return sign + symbol + number;
    if (currencyCode.trimmed().isEmpty())
        return sign + number;
    return sign + number + QLatin1Char(' ') + currencyCode.trimmed().toUpper();
}

QString count(qint64 value)
{
    const QString digits = groupedDigits(magnitude(value));
    return value < 0 ? QLatin1Char('-') + digits : digits;
}

QString tokens(qint64 value)
{
    const quint64 amount = magnitude(value);
    const QString sign = value < 0 ? QStringLiteral("-") : QString();
    if (amount < 1000)
        return sign + QString::number(amount);

    static const char suffixes[] = {'k', 'M', 'B', 'T'};
    quint64 unit = 1000;
    for (const char suffix : suffixes) {
        const quint64 tenths = (amount + unit / 20) / (unit / 10);
        if (tenths < 1000) {
            const QString text = QString::number(tenths / 10) + QLatin1Char('.') + QString::number(tenths % 10);
            return sign + withoutTrailingPointZero(text) + QLatin1Char(suffix);
        }
        const quint64 whole = (amount + unit / 2) / unit;
        if (whole < 1000 || suffix == 'T')
            return sign + QString::number(whole) + QLatin1Char(suffix);
        unit *= 1000;
    }
    return {}; // not reached: the last suffix always returns
}

QString rate(double perSecond, const QString &unit)
{
    const QString suffix = QLatin1Char(' ') + unit;
    if (!std::isfinite(perSecond) || perSecond <= 0.0)
        return QLatin1Char('0') + suffix;
    if (perSecond < 0.05)
        return QStringLiteral("<0.1") + suffix;
    if (perSecond < 9.95)
        return QString::number(perSecond, 'f', 1) + suffix;
    if (perSecond < 999.5)
        return QString::number(perSecond, 'f', 0) + suffix;
    const double capped = std::min(perSecond, double(std::numeric_limits<qint64>::max() / 16));
    return tokens(qint64(std::llround(capped))) + suffix;
}

QString duration(qint64 milliseconds)
{
    if (milliseconds < 0)
        return QStringLiteral("—");
    if (milliseconds < 1000)
        return QString::number(milliseconds) + QStringLiteral(" ms");
    if (milliseconds < 9995)
        return QString::number(milliseconds / 1000.0, 'f', 2) + QStringLiteral(" s");
    if (milliseconds < 59'950)
        return QString::number(milliseconds / 1000.0, 'f', 1) + QStringLiteral(" s");

    const qint64 seconds = (milliseconds + 500) / 1000;
    const auto twoDigits = [](qint64 v) { return QString::number(v).rightJustified(2, QLatin1Char('0')); };
    if (seconds < 3600)
        return QStringLiteral("%1m %2s").arg(seconds / 60).arg(twoDigits(seconds % 60));
    const qint64 minutes = seconds / 60;
    if (minutes < 24 * 60)
        return QStringLiteral("%1h %2m").arg(minutes / 60).arg(twoDigits(minutes % 60));
    const qint64 hours = minutes / 60;
    return QStringLiteral("%1d %2h").arg(hours / 24).arg(twoDigits(hours % 24));
}

QString percent(qint64 part, qint64 whole)
{
    if (whole <= 0 || part <= 0)
        return QStringLiteral("0 %");
    const double value = 100.0 * double(part) / double(whole);
    if (value < 0.05)
        return QStringLiteral("<0.1 %");
    return withoutTrailingPointZero(QString::number(value, 'f', 1)) + QStringLiteral(" %");
}

QString baseUrl(const QString &listenAddress)
{
    const QString address = listenAddress.trimmed();
    const qsizetype colon = address.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0 || colon == address.size() - 1)
        return {};
    QString host = address.left(colon);
    const QString port = address.mid(colon + 1);

    if (host == QLatin1String("0.0.0.0") || host == QLatin1String("*"))
        host = QStringLiteral("127.0.0.1");
    else if (host == QLatin1String("[::]") || host == QLatin1String("::"))
        host = QStringLiteral("[::1]");
    else if (host.contains(QLatin1Char(':')) && !host.startsWith(QLatin1Char('[')))
        host = QLatin1Char('[') + host + QLatin1Char(']');
    return QStringLiteral("http://%1:%2/v1").arg(host, port);
}

QString clockTime(qint64 ms, qint64 nowMs)
{
    if (ms <= 0)
        return QStringLiteral("—");
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(ms);
    const bool today = at.date() == QDateTime::fromMSecsSinceEpoch(nowMs).date();
    return at.toString(today ? QStringLiteral("HH:mm:ss") : QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

} // namespace ConsoleFormat
