#pragma once

#include <QString>

// How the loop detector's evidence reads: spans of simulated or real time short enough to need a
// decimal ("0.8 s", "18 s") and look-back periods ("5 minutes"). Counts and money use BudgetFormat.
class LoopEvidence
{
public:
    // One decimal under 10 s, whole seconds above.
    static QString seconds(qint64 ms);
    // "minute", "5 minutes", "90 s".
    static QString period(int seconds);
};
