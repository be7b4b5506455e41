#pragma once

#include "BudgetClock.h"

// The real time, from the operating system.
class SystemBudgetClock final : public BudgetClock
{
public:
    QDateTime now() const override { return QDateTime::currentDateTime(); }
    qint64 nowMs() const override { return QDateTime::currentMSecsSinceEpoch(); }
};
