#pragma once

#include "accounting/Price.h"

#include <QtGlobal>

// A request as spend-down admission sees it (BudgetLedger::reserveOutput): the prompt, which
// cannot shrink, and the output limit, which a clamping rule may lower to what it has left.
struct BudgetOutputDemand
{
    qint64 promptTokens = 0;      // TokenFuse's estimate
    qint64 requestedOutput = -1;  // the client's output limit; -1: it sent none
    qint64 defaultOutput = 4096;  // assumed when it sent none (default_max_tokens)
    Price price;                  // what the prompt and each output token cost
    // Whether TokenFuse can lower (or inject) the limit it forwards; false holds the request to
    // its whole worst case, as a "refuse" rule does.
    bool clampable = true;
};
