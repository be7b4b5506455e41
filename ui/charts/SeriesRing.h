#pragma once

#include <QList>
#include <QtGlobal>

// One-second buckets of a fixed number of numeric channels over a fixed window (an hour by
// default): the one store behind every live chart. Bucket `s` lives in slot s % capacity and
// remembers which second it holds, so a write to a new second recycles its slot and a read of a
// second that was never written, or that was overwritten since, reads as empty. Memory and cost
// stay bounded however long the console runs.
//
// A channel is summed within a second (deltas: requests, tokens, cost, weighted percentiles) or
// takes the largest value written (a peak). Reading aggregates whole seconds into points.
class SeriesRing
{
public:
    enum class Mode { Sum, Max };

    SeriesRing(int channels, int capacitySeconds = 3600);

    int channels() const { return m_channels; }
    int capacity() const { return m_capacity; }
    void setMode(int channel, Mode mode);

    // Adds (Sum) or folds in (Max) `value` at `second` (seconds since the Unix epoch). Seconds
    // older than the window are ignored.
    void add(qint64 second, int channel, double value);
    // Empties a channel in every bucket (a series key whose channel is given to another).
    void clearChannel(int channel);

    // The newest second written to, or 0 before the first write.
    qint64 latestSecond() const { return m_latest; }
    bool holds(qint64 second) const;
    // The bucket's value; 0 for a Sum channel and -1 for a Max channel when the bucket is empty.
    double value(qint64 second, int channel) const;

    // The seconds from..to (inclusive) in `points` groups of equal length (the last may be
    // shorter): for a Sum channel each group's mean per second (empty seconds count as 0), for a
    // Max channel its largest value (-1 when no second of the group was written).
    QList<double> aggregate(qint64 fromSecond, qint64 toSecond, int points, int channel) const;
    // Per group, the sum of `numerator` over the sum of `denominator` (a weighted mean, such as
    // request-weighted percentiles), or -1 when the group's denominator is 0.
    QList<double> aggregateRatio(qint64 fromSecond, qint64 toSecond, int points, int numerator, int denominator) const;
    // Seconds per group for aggregate(): ceil(span / points), at least 1.
    static int secondsPerPoint(qint64 fromSecond, qint64 toSecond, int points);
    // The sum of a channel over from..to (inclusive).
    double total(qint64 fromSecond, qint64 toSecond, int channel) const;

private:
    int slotOf(qint64 second) const;

    int m_channels;
    int m_capacity;
    QList<Mode> m_modes;
    QList<qint64> m_seconds; // per slot: the second it holds, or -1
    QList<double> m_values;  // slot-major: m_values[slot * m_channels + channel]
    qint64 m_latest = 0;
};
