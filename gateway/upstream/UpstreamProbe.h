#pragma once

#include "UpstreamView.h"
#include "config/UpstreamConfig.h"

#include <QObject>

#include <functional>

class UpstreamClient;

// One cheap request to an upstream, by its health_check (GET /v1/models unless configured):
// the console's Test button, GET /admin/v1/upstreams/{name}/test, and the active health checks
// of an open breaker. Carries the upstream's own key as a real request would; reads at most a
// little of the answer and drops the rest. `done` runs once, on the caller's thread, unless
// `context` is gone by then.
namespace UpstreamProbe {
enum class Verdict { Healthy, Unhealthy, Unsupported };

struct Outcome
{
    UpstreamTestResult result;
    Verdict verdict = Verdict::Unhealthy;
};

// 2xx: healthy. 400, 404, 405: the upstream has no such endpoint, so the check can't tell
// (unsupported: an open breaker falls back to probing with requests). Anything else, a failed
// connection or a time-out: unhealthy.
Verdict verdictFor(int status);

void run(UpstreamClient *client, const UpstreamConfig &upstream, QObject *context, std::function<void(const Outcome &)> done);
} // namespace UpstreamProbe
