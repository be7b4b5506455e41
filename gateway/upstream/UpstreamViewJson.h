#pragma once

#include "UpstreamView.h"

#include <QJsonObject>

// The admin API's JSON of the upstream values (GET /admin/v1/upstreams, the Test answer, breaker
// transitions): snake_case keys, times as ISO 8601 UTC strings (empty when there is none). Only
// what UpstreamView carries, so never a key: a hint of its last characters and where it comes from.
namespace UpstreamViewJson {
QJsonObject toJson(const UpstreamView &view);
QJsonObject toJson(const UpstreamModelBreakerView &breaker);
QJsonObject toJson(const UpstreamTransitionView &transition);
QJsonObject toJson(const UpstreamTestResult &result);
} // namespace UpstreamViewJson
