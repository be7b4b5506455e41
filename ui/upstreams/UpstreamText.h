#pragma once

#include "upstream/UpstreamView.h"

#include <QColor>
#include <QList>
#include <QString>
#include <QStringList>

// The words and colours the console uses for an upstream's breaker and its Test result, and who
// takes an upstream's traffic when it is down: shared by the Upstreams page, the window's
// notifications and the Overview, so they all say it the same way.
namespace UpstreamText {
// "Closed", "Open", "Half-open" for "closed", "open", "half_open"; the raw text otherwise.
QString breakerLabel(const QString &state);
// Closed: success; open: failure; half-open (probing): pending.
QColor breakerColour(const QString &state);
// "200 in 184 ms", or what went wrong ("503: upstream overloaded", "connection refused").
QString testResult(bool ok, int status, qint64 latencyMs, const QString &message);
// The other upstreams, in routing order, that serve a model of `name` now: enabled, the same
// dialect, breaker not open, a models glob in common (no globs: every model).
QStringList takers(const QList<UpstreamView> &views, const QString &name);
// "Upstream deepseek is down: 5 failures in a row (last: 503). Traffic goes to openai." in two
// parts, a title and a text, for a desktop notification.
QString downTitle(const QString &name);
QString downText(const QString &reason, const QStringList &takers);
}
