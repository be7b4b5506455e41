#include "ToolCallTrail.h"

#include "LoopEvidence.h"
#include "Shingles.h"

#include <QHash>

namespace {
constexpr std::size_t kMaxEntries = 64;
constexpr std::size_t kMaxKeys = 128; // a request carries at most PromptDigest::MaxToolCalls (24)

quint64 combine(quint64 a, quint64 b)
{
    return (a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2))) * 0xff51afd7ed558ccdULL;
}
} // namespace

void ToolCallTrail::remember(const QString &key)
{
    m_keys.insert(key);
    m_keyOrder.push_back(key);
    if (m_keyOrder.size() > kMaxKeys) {
        m_keys.remove(m_keyOrder.front());
        m_keyOrder.pop_front();
    }
}

void ToolCallTrail::add(const QList<ToolCallSeen> &calls, qint64 atMs, bool firstRequest)
{
    for (const ToolCallSeen &call : calls) {
        if (m_keys.contains(call.key))
            continue;
        remember(call.key);
        if (firstRequest && !call.latest)
            continue;
        // Results are hashed here, once per call, not for every call of every request's history.
        const quint64 result = call.result.isNull() ? 0 : Shingles::digest(call.result, PromptDigest::MaxTextChars) | 1;
        const quint64 signature = combine(combine(qHash(call.name), call.arguments), result);
        m_entries.push_back({call.name, signature, result != 0, atMs});
        if (m_entries.size() > kMaxEntries)
            m_entries.pop_front();
    }
}

void ToolCallTrail::prune(qint64 beforeMs)
{
    while (!m_entries.empty() && m_entries.front().atMs < beforeMs)
        m_entries.pop_front();
}

void ToolCallTrail::clear()
{
    m_entries.clear();
    m_keyOrder.clear();
    m_keys.clear();
}

std::optional<ToolCallTrail::Finding> ToolCallTrail::repeated(qint64 sinceMs, qint64 nowMs, int count) const
{
    QHash<quint64, int> counts;
    const Entry *worst = nullptr;
    int worstCount = 0;
    for (const Entry &e : m_entries) {
        if (e.atMs < sinceMs)
            continue;
        const int n = ++counts[e.signature];
        if (n > worstCount) {
            worstCount = n;
            worst = &e;
        }
    }
    if (!worst || worstCount < count)
        return std::nullopt;
    qint64 first = nowMs;
    for (const Entry &e : m_entries) {
        if (e.atMs >= sinceMs && e.signature == worst->signature) {
            first = e.atMs;
            break;
        }
    }
    return Finding{QStringLiteral("tool_repeat"),
                   QStringLiteral("tool %1 called %2 times with the same arguments%3 in %4 s")
                       .arg(worst->name).arg(worstCount)
                       .arg(worst->hasResult ? QStringLiteral(" and the same result") : QString())
                       .arg(LoopEvidence::seconds(nowMs - first))};
}

std::optional<ToolCallTrail::Finding> ToolCallTrail::cycle(qint64 sinceMs, qint64 nowMs, int repeats) const
{
    std::vector<const Entry *> recent;
    for (const Entry &e : m_entries) {
        if (e.atMs >= sinceMs)
            recent.push_back(&e);
    }
    const std::size_t n = recent.size();
    for (std::size_t period = 2; period <= 3; ++period) {
        const std::size_t span = period * std::size_t(repeats);
        if (n < span)
            continue;
        bool cycles = true;
        for (std::size_t j = n - span; j + period < n && cycles; ++j)
            cycles = recent[j]->signature == recent[j + period]->signature;
        // A "cycle" of one call over and over is a repeat, not a cycle.
        bool varied = false;
        for (std::size_t j = n - period + 1; j < n; ++j)
            varied = varied || recent[j]->signature != recent[n - period]->signature;
        if (!cycles || !varied)
            continue;
        QStringList names;
        for (std::size_t j = n - period; j < n; ++j)
            names.append(recent[j]->name);
        return Finding{QStringLiteral("tool_cycle"),
                       QStringLiteral("tool calls %1 went round the same cycle %2 times in %3 s")
                           .arg(names.join(QStringLiteral(" → "))).arg(repeats)
                           .arg(LoopEvidence::seconds(nowMs - recent[n - span]->atMs))};
    }
    return std::nullopt;
}
