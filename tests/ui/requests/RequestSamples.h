#pragma once

#include "accounting/UsageRecord.h"

#include <QList>
#include <QString>

// Usage rows for the Requests page's tests, as the gateway would record them.
namespace RequestSamples {

inline UsageRecord row(const QString &id, int status = 200, const QString &model = QStringLiteral("gpt-4o-mini"),
                       const QString &session = QStringLiteral("s1"), const QString &endpoint = QStringLiteral("/v1/chat/completions"),
                       const QString &error = {})
{
    UsageRecord r;
    r.id = id;
    r.status = status;
    r.model = model;
    r.session = session;
    r.tenant = QStringLiteral("default");
    r.endpoint = endpoint;
    r.error = error;
    r.upstream = status == 402 || status == 429 || status == 403 ? QString() : QStringLiteral("simulator");
    r.startedAt = 1'764'600'000'000 + id.mid(1).toLongLong() * 1000;
    r.endedAt = r.startedAt + 420;
    r.latencyMs = 420;
    r.ttftMs = 120;
    r.promptTokens = 1200;
    r.completionTokens = 300;
    r.costMicros = 2'500;
    return r;
}

// Rows "r<first>" .. "r<first + n - 1>", oldest first, as a snapshot's `recorded`.
inline QList<UsageRecord> rows(int first, int n)
{
    QList<UsageRecord> out;
    for (int i = first; i < first + n; ++i)
        out.append(row(QStringLiteral("r%1").arg(i), 200, QStringLiteral("model-%1").arg(i % 3), QStringLiteral("s%1").arg(i % 4)));
    return out;
}

} // namespace RequestSamples
