#pragma once

#include "BudgetRule.h"

#include <QString>

// How budget and rate-limit figures read in messages for people: money from micro-units with its
// currency ("$4.98", "0.0012 EUR"), counts with thousands separators, durations ("3 h 12 min"),
// reset times ("00:00 (in 3 h 12 min)"). Fixed English formatting, independent of the system
// locale, because these messages travel to clients in HTTP bodies.
class BudgetFormat
{
public:
    // At least two decimals, more only when the micro-units need them; exact, never rounded.
    static QString money(qint64 micros, const QString &currency);
    // The decimal alone, no currency ("4.98"), for headers and JSON-adjacent text.
    static QString decimal(qint64 micros);
    static QString count(qint64 value);
    // A dimension's amount: "1,200 tokens", "$0.12", "3 requests".
    static QString amount(const QString &dimension, qint64 value, const QString &currency);
    // "45 s", "3 min 20 s", "3 h 12 min", "2 d 4 h"; rounded up to the second.
    static QString duration(qint64 ms);
    // "00:00 (in 3 h 12 min)" when within a day, else "1 Dec 00:00 (in 5 d 3 h)".
    static QString resetTime(qint64 resetMs, qint64 nowMs);
    // "tenant 'acme'", "session 'agent-1'", "all traffic".
    static QString subject(BudgetScope scope, const QString &subject);
    // "Budget 'tenant acme per day'" for an unnamed rule, "Budget 'daily cap' (tenant 'acme', per
    // day)" for a named one.
    static QString ruleTitle(const BudgetRule &rule, const QString &subject);
};
