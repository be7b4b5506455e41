#include "AxisScale.h"

#include "ConsoleFormat.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>

namespace AxisScale {

double niceStep(double value)
{
    if (!(value > 0.0))
        return 1.0;
    const double power = std::pow(10.0, std::floor(std::log10(value)));
    for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
        if (factor * power >= value * (1.0 - 1e-9))
            return factor * power;
    }
    return 10.0 * power;
}

Ticks valueTicks(double dataMax, double floorMax, int intervals)
{
    const double target = std::max(dataMax * 1.08, floorMax);
    Ticks ticks;
    ticks.step = niceStep(target / std::max(1, intervals));
    ticks.top = std::max(1.0, std::ceil(target / ticks.step - 1e-9)) * ticks.step;
    return ticks;
}

namespace {

// A plain number at the precision its step needs, with k / M for thousands and millions.
QString compact(double value, double step)
{
    const double magnitude = std::max(std::fabs(value), step);
    double divisor = 1.0;
    QString suffix;
    if (magnitude >= 1e6) {
        divisor = 1e6;
        suffix = QStringLiteral("M");
    } else if (magnitude >= 1e3) {
        divisor = 1e3;
        suffix = QStringLiteral("k");
    }
    const double scaledStep = step / divisor;
    const int decimals = scaledStep >= 1.0 ? 0 : scaledStep >= 0.1 - 1e-12 ? 1 : scaledStep >= 0.01 - 1e-12 ? 2 : 3;
    if (value == 0.0)
        return QStringLiteral("0");
    return QString::number(value / divisor, 'f', decimals) + suffix;
}

} // namespace

QString label(double value, double step, Unit unit, const QString &currency)
{
    switch (unit) {
    case Unit::TokensPerSecond:
        return QCoreApplication::translate("AxisScale", "%1 tok/s").arg(compact(value, step));
    case Unit::RequestsPerSecond:
        return QCoreApplication::translate("AxisScale", "%1 req/s").arg(compact(value, step));
    case Unit::MoneyPerMinute:
        return QCoreApplication::translate("AxisScale", "%1/min").arg(ConsoleFormat::money(qRound64(value), currency));
    case Unit::Milliseconds:
        // A second or more reads as seconds: "500 ms", "1.0 s", "1.5 s".
        if (value >= 1000.0)
            return QCoreApplication::translate("AxisScale", "%1 s").arg(compact(value / 1000.0, step / 1000.0));
        return QCoreApplication::translate("AxisScale", "%1 ms").arg(compact(value, step));
    }
    return QString::number(value);
}

QString unitName(Unit unit)
{
    switch (unit) {
    case Unit::TokensPerSecond: return QCoreApplication::translate("AxisScale", "tok/s");
    case Unit::RequestsPerSecond: return QCoreApplication::translate("AxisScale", "req/s");
    case Unit::MoneyPerMinute: return QCoreApplication::translate("AxisScale", "/min");
    case Unit::Milliseconds: return QCoreApplication::translate("AxisScale", "ms");
    }
    return QString();
}

double floorFor(Unit unit)
{
    switch (unit) {
    case Unit::TokensPerSecond: return 10.0;
    case Unit::RequestsPerSecond: return 1.0;
    case Unit::MoneyPerMinute: return 10000.0; // one cent a minute, in micro-units
    case Unit::Milliseconds: return 100.0;
    }
    return 1.0;
}

int timeStepSeconds(qint64 spanSeconds)
{
    for (const int step : {30, 60, 120, 300, 600, 900, 1800}) {
        if (spanSeconds / step <= 6)
            return step;
    }
    return 3600;
}

QList<qint64> timeTicks(qint64 fromSecond, qint64 toSecond)
{
    QList<qint64> ticks;
    if (toSecond < fromSecond)
        return ticks;
    const int step = timeStepSeconds(toSecond - fromSecond);
    for (qint64 t = (fromSecond + step - 1) / step * step; t <= toSecond; t += step)
        ticks.append(t);
    return ticks;
}

} // namespace AxisScale
