#pragma once

#include "BudgetRule.h"

#include <QString>

#include <optional>

// Why a budget refuses a request (before forwarding) or cuts it (mid-stream): the rule, the
// dimension that ran out, the figures, and a message for the user that says what to do.
struct BudgetDenial
{
    BudgetRule rule;
    QString subject;           // the tenant, session or model counted; empty for global
    QString dimension;         // "tokens", "cost" or "requests"
    qint64 spent = 0;          // in the window so far (at a cut: spent + in flight)
    qint64 reserved = 0;       // held by other requests in flight
    qint64 cap = 0;
    qint64 requested = 0;      // this request's worst case (at a cut: its actual usage so far)
    qint64 windowResetMs = 0;  // when the window ends, ms since the epoch; 0: it never does
    QString message;
};

// The answer to BudgetLedger::reserve() and reserveOutput(): admitted with a reservation, or a
// denial.
struct BudgetAdmission
{
    QString reservationId;     // the request id, to pass to progress() and settle(); empty on denial
    std::optional<BudgetDenial> denial;
    // reserveOutput() only: the output limit held, and when a rule lowered it below what the
    // request asked for (or the default), that rule's display name.
    qint64 outputTokens = -1;
    QString clampedBy;
    // reserveOutput() only: a rule capping tokens or cost applies, so the output limit held is a
    // promise the upstream must be held to (the exchange injects it where the client sent none).
    bool spendCapped = false;

    bool admitted() const { return !denial.has_value(); }
    bool clamped() const { return !clampedBy.isEmpty(); }
};
