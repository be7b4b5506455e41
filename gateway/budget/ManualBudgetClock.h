#pragma once

#include "BudgetClock.h"

// A clock that stands still until told otherwise: for tests and benchmarks that cross midnight,
// month ends and DST changes on purpose.
class ManualBudgetClock final : public BudgetClock
{
public:
    explicit ManualBudgetClock(qint64 nowMs = 0) : m_nowMs(nowMs) {}
    explicit ManualBudgetClock(const QDateTime &now) : m_nowMs(now.toMSecsSinceEpoch()) {}

    QDateTime now() const override { return QDateTime::fromMSecsSinceEpoch(m_nowMs); }
    qint64 nowMs() const override { return m_nowMs; }

    void setNow(const QDateTime &now) { m_nowMs = now.toMSecsSinceEpoch(); }
    void setNowMs(qint64 nowMs) { m_nowMs = nowMs; }
    void advance(qint64 ms) { m_nowMs += ms; }

private:
    qint64 m_nowMs = 0;
};
