#pragma once

#include <cstdint>
#include <ctime>

// One monotonic clock for every timestamp in the load generator, shared by all its threads (and
// comparable with other processes on the same machine: CLOCK_MONOTONIC is system-wide).
inline std::int64_t benchNowNs()
{
    timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
