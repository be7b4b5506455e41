#pragma once

#include <optional>

#include "budget/CounterKey.h"
#include "session/SessionBlock.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

// A budget reservation as stored before its request is forwarded: the worst case held against
// each counter. Settled (deleted) in the same transaction that stores the request's row; one
// still open at start-up belongs to a request cut short by a crash and is settled at its worst.
struct ReservationRecord
{
    QString requestId;            // == UsageRecord::id
    qint64 createdAt = 0;         // ms since epoch
    QString tenant;
    QString session;
    QString model;
    QString endpoint;
    qint64 worstPromptTokens = 0;
    qint64 worstCompletionTokens = 0;
    qint64 worstCostMicros = 0;
    QString currency = QStringLiteral("USD");
    QList<CounterDelta> holds;    // per counter: the worst case (tokens, cost, 1 request)
};

// One change made through the admin API (or by loading the config file), for the audit table.
struct AuditEntry
{
    qint64 id = 0;                // the row's id once stored (read back); ignored when writing
    qint64 at = 0;                // ms since epoch
    QString actor;                // "admin-api (sha256:...)", "config", "console"
    QString action;               // "budgets.put", "keys.create", "keys.revoke", ...
    QString target;               // what it acted on (a key id, "budgets")
    QJsonValue before;
    QJsonValue after;
};

// A virtual key as stored: never the key itself, only its SHA-256.
struct VirtualKeyRecord
{
    QString id;                   // "vk_..." public identifier
    QString hash;                 // hex SHA-256 of the whole key
    QString prefix;               // the first characters of the key, to recognise it ("tf-ab12")
    QString tenant;
    QString name;
    qint64 createdAt = 0;
    qint64 revokedAt = 0;         // 0 = active
    int priority = 0;             // its requests' tier in the upstreams' wait queues; 0: its tenant's ("tenants")
};

// What the gateway needs from the store before it serves: spend so far, and the live settings.
struct StoreStartupState
{
    QList<CounterTotals> counters;          // every stored counter (the ledger keeps the current windows)
    int reservationsSettledAtWorst = 0;     // open reservations found and settled at their worst case
    bool hasBudgetRules = false;            // rules were saved through the admin API
    QJsonArray budgetRules;
    bool hasRateLimits = false;             // rate limits were saved through the admin API
    QJsonArray rateLimits;
    QList<VirtualKeyRecord> keys;
    QList<SessionBlock> blocks;             // every open session, tenant and stop-all breaker, oldest first
};
