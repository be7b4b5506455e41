#pragma once

#include <QList>
#include <QString>
#include <QtGlobal>

// The ticks of the live charts' axes: value axes from zero to a round top in 1-2-5 steps, with
// labels that carry their unit ("1.2k tok/s", "$0.40/min", "3 req/s", "350 ms"), and time axes
// at round clock minutes. Pure functions, pinned down by tst_AxisScale.
namespace AxisScale {

enum class Unit { TokensPerSecond, MoneyPerMinute, RequestsPerSecond, Milliseconds };

struct Ticks
{
    double step = 1.0;
    double top = 4.0;
    int count() const { return qRound(top / step); } // intervals from 0 to top
};

// The smallest of 1, 2, 5 times a power of ten that is at least `value` (> 0).
double niceStep(double value);
// Zero to a round top above dataMax (with a little headroom, never below floorMax), in about
// `intervals` steps; the top only moves when the data crosses a step, so the axis does not twitch.
Ticks valueTicks(double dataMax, double floorMax, int intervals = 4);
// A tick's label; `step` decides the decimals. Money values are micro-units of `currency` per minute.
QString label(double value, double step, Unit unit, const QString &currency = QStringLiteral("USD"));
// The unit alone, for the axis title: "tok/s", "/min", "req/s", "ms".
QString unitName(Unit unit);
// The least value the axis shows when the data is idle, so an empty chart still reads sensibly.
double floorFor(Unit unit);

// Seconds between time labels for a span of `spanSeconds`: 30 s, 1, 2, 5, 10, 15 or 30 min,
// the smallest that gives at most six labels.
int timeStepSeconds(qint64 spanSeconds);
// The label seconds (multiples of the step) from fromSecond to toSecond inclusive.
QList<qint64> timeTicks(qint64 fromSecond, qint64 toSecond);

} // namespace AxisScale
