#pragma once

#include <QString>

#include <vector>

// A bag of samples in milliseconds and the percentiles the report prints.
class LatencyStats
{
public:
    void add(double ms) { m_samples.push_back(ms); }
    std::size_t count() const { return m_samples.size(); }
    // Nearest-rank percentile, p in [0, 100]; 0 when empty.
    double percentile(double p);
    double mean() const;
    double max();
    // "p50_ms=... p90_ms=... p99_ms=... p999_ms=... max_ms=... mean_ms=..." with `prefix` before each key.
    QString summary(const QString &prefix = QString());

private:
    void sort();
    std::vector<double> m_samples;
    bool m_sorted = false;
};
