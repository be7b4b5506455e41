#pragma once

#include <QString>

// What /proc says about one process at one moment: resident memory now and at its peak, and the
// CPU time it has used so far.
struct ProcessSample
{
    qint64 rssKb = -1;
    qint64 hwmKb = -1;
    qint64 cpuTicks = -1;  // utime + stime, in clock ticks
    qint64 atNs = 0;

    static ProcessSample of(qint64 pid);
    // Percent of one core used between two samples.
    static double cpuPercent(const ProcessSample &from, const ProcessSample &to);
};
