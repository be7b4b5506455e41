#include "MemoryRelease.h"

#include <QTimer>

#include <atomic>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {
constexpr int kTrimDelayMs = 1000;
std::atomic<bool> g_trimPending{false};
} // namespace

void MemoryRelease::releaseFreedMemory()
{
#if defined(__GLIBC__)
    if (g_trimPending.exchange(true))
        return;
    QTimer::singleShot(kTrimDelayMs, [] {
        g_trimPending = false;
        ::malloc_trim(0);
    });
#endif
}
