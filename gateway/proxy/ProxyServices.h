#pragma once

#include "config/UpstreamConfig.h"
#include "upstream/RetryPolicy.h"

#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <functional>
#include <memory>
#include <optional>

class BudgetLedger;
class PriceTable;
class RateLimiter;
class UpstreamClient;
class UsageStore;
struct UsageRecord;

// What every exchange needs from the gateway, owned by the gateway and outliving the exchanges.
struct ProxyServices
{
    UpstreamClient *client = nullptr;
    UsageStore *store = nullptr;          // null: rows are not stored (tests of the proxy alone)
    // Shared: an exchange keeps the table it started with when a config reload brings another.
    std::shared_ptr<const PriceTable> prices;
    BudgetLedger *ledger = nullptr;       // null: no budgets
    RateLimiter *rates = nullptr;         // null: no rate limits
    qint64 defaultMaxTokens = 4096;       // the worst case reserved when a request names none
    std::function<void(const UsageRecord &)> recorded; // every finished request, for live counters
    // Retries and failover (RetryPolicy): none when unset, one attempt per request.
    std::optional<RetryPolicy> retry;
    // The upstream for the next attempt at a model, preferring one not in `tried`; none when
    // every breaker is open.
    std::function<std::optional<UpstreamConfig>(const QString &model, ApiDialect api, const QStringList &tried)> reroute;
    // An attempt at an upstream began, and how it ended (`failure` empty: the upstream did its
    // part, whatever the client made of it; else "503", "connect failed: ...", "timeout: ..."):
    // what the upstream's breaker and figures are made of.
    std::function<void(const QString &upstream)> upstreamStarted;
    std::function<void(const QString &upstream, const QString &model, qint64 latencyMs, qint64 ttftMs, const QString &failure)> upstreamEnded;
    // The answer text of a request the upstream answered 200 (the start of it), with its row.
    std::function<void(const UsageRecord &, const QString &text)> answered;
};
