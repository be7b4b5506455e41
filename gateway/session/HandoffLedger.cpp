#include "HandoffLedger.h"

#include "LoopEvidence.h"
#include "PromptDigest.h"

#include <algorithm>

namespace {
constexpr std::size_t kOutputs = 32;
constexpr std::size_t kDirections = 256;
constexpr std::size_t kTimes = 32;
constexpr qsizetype kOutputChars = 8192;
constexpr std::size_t kMinShingles = 3; // "OK" and "Done." are in every prompt
} // namespace

void HandoffLedger::output(const QString &session, const QString &text, qint64 atMs)
{
    m_outputs.erase(std::remove_if(m_outputs.begin(), m_outputs.end(), [&](const Output &o) { return o.session == session; }),
                    m_outputs.end());
    Shingles::Set shingles = Shingles::of(text, kOutputChars);
    if (shingles.size() < kMinShingles)
        return;
    m_outputs.push_back({session, m_nextId++, atMs, std::move(shingles)});
    if (m_outputs.size() > kOutputs)
        m_outputs.pop_front();
}

HandoffLedger::Direction *HandoffLedger::direction(const QString &from, const QString &to, bool make)
{
    for (Direction &d : m_directions) {
        if (d.from == from && d.to == to)
            return &d;
    }
    if (!make)
        return nullptr;
    if (m_directions.size() >= kDirections)
        m_directions.pop_front();
    m_directions.push_back({from, to, 0, {}});
    return &m_directions.back();
}

int HandoffLedger::countSince(const Direction *d, qint64 since, qint64 *first)
{
    int n = 0;
    for (qint64 t : d->times) {
        if (t >= since) {
            ++n;
            *first = qMin(*first, t);
        }
    }
    return n;
}

std::optional<HandoffLedger::Finding> HandoffLedger::input(const QString &session, const QString &latestInput, qint64 atMs,
                                                           qint64 windowMs, int handoffs, double containment)
{
    const qint64 since = atMs - windowMs;
    const Output *carried = nullptr;
    Shingles::Set input;
    double best = 0;
    for (const Output &o : m_outputs) {
        if (o.session == session || o.atMs < since)
            continue;
        if (input.empty())
            input = Shingles::of(latestInput, PromptDigest::MaxTextChars);
        const double share = Shingles::containment(o.shingles, input);
        if (share >= containment && share > best) {
            best = share;
            carried = &o;
        }
    }
    if (!carried)
        return std::nullopt;
    const QString partner = carried->session;
    Direction *in = direction(partner, session, true);
    if (in->lastOutput != carried->id) {
        in->lastOutput = carried->id;
        in->times.push_back(atMs);
        if (in->times.size() > kTimes)
            in->times.pop_front();
    }
    const Direction *out = direction(session, partner, false);
    if (!out)
        return std::nullopt;
    qint64 first = atMs;
    const int received = countSince(in, since, &first);
    const int sent = countSince(out, since, &first);
    if (received < handoffs || sent < handoffs)
        return std::nullopt;
    return Finding{partner, QStringLiteral("sessions %1 and %2 handed each other's output back %3 times in %4 s")
                                .arg(session, partner).arg(received + sent).arg(LoopEvidence::seconds(atMs - first))};
}

void HandoffLedger::forget(const QString &session)
{
    m_outputs.erase(std::remove_if(m_outputs.begin(), m_outputs.end(), [&](const Output &o) { return o.session == session; }),
                    m_outputs.end());
    m_directions.erase(std::remove_if(m_directions.begin(), m_directions.end(),
                                      [&](const Direction &d) { return d.from == session || d.to == session; }),
                       m_directions.end());
}
