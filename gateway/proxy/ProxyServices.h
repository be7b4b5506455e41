#pragma once

#include <functional>

class PriceTable;
class UpstreamClient;
class UsageStore;
struct UsageRecord;

// What every exchange needs from the gateway, owned by the gateway and outliving the exchanges.
struct ProxyServices
{
    UpstreamClient *client = nullptr;
    UsageStore *store = nullptr;          // null: rows are not stored (tests of the proxy alone)
    const PriceTable *prices = nullptr;
    std::function<void(const UsageRecord &)> recorded; // every finished request, for live counters
};
