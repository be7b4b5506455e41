#pragma once

#include "accounting/UsageRecord.h"
#include "store/UsageStore.h"

#include <QDateTime>
#include <QList>
#include <QtTest>

// Usage rows for the History tests, written through a real UsageStore into a data dir.
namespace HistorySamples {

inline UsageRecord row(qint64 startedAt, const QString &model, const QString &tenant, const QString &session,
                       qint64 prompt, qint64 completion, qint64 costMicros)
{
    static int n = 0;
    UsageRecord r;
    r.id = QStringLiteral("hist-%1").arg(++n);
    r.startedAt = startedAt;
    r.endedAt = startedAt + 800;
    r.model = model;
    r.tenant = tenant;
    r.session = session;
    r.upstream = QStringLiteral("simulator");
    r.endpoint = QStringLiteral("/v1/chat/completions");
    r.status = 200;
    r.promptTokens = prompt;
    r.completionTokens = completion;
    r.costMicros = costMicros;
    r.latencyMs = 800;
    return r;
}

// Writes the rows and waits for their commit; the database path, or empty on failure.
inline QString write(const QString &dataDir, const QList<UsageRecord> &rows)
{
    UsageStore store;
    QString error;
    if (!store.open(dataDir, &error)) {
        qWarning("%s", qPrintable(error));
        return {};
    }
    for (const UsageRecord &r : rows)
        store.record(r);
    if (!store.flush())
        return {};
    return store.databasePath();
}

// A realistic month: four models over the last `days` days (today included), busier on weekdays
// and in working hours, three tenants, sessions per tenant and day.
inline QList<UsageRecord> month(int days = 30)
{
    struct Model { const char *name; qint64 inMicrosPerK; qint64 outMicrosPerK; int weight; };
    const Model models[] = {{"claude-sonnet-4", 3000, 15000, 5}, {"gpt-4o-mini", 150, 600, 8},
                            {"deepseek-chat", 270, 1100, 4}, {"gpt-4.1", 2000, 8000, 2}};
    const char *tenants[] = {"acme", "globex", "initech"};
    QList<UsageRecord> rows;
    const QDate today = QDate::currentDate();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    quint32 seed = 7;
    const auto next = [&seed](int bound) {
        seed = seed * 1103515245u + 12345u;
        return int((seed >> 16) % quint32(bound));
    };
    for (int d = days - 1; d >= 0; --d) {
        const QDate date = today.addDays(-d);
        const bool weekend = date.dayOfWeek() >= 6;
        const int requests = (weekend ? 6 : 18) + next(10);
        for (int i = 0; i < requests; ++i) {
            // Today only up to now, so "Today" has rows at whatever hour the test runs.
            const int hour = d == 0 ? next(QTime::currentTime().hour() + 1) : weekend ? 10 + next(8) : 8 + next(11);
            const qint64 at = QDateTime(date, QTime(hour, next(60), next(60))).toMSecsSinceEpoch();
            if (at > now)
                continue;
            int pick = next(19);
            int m = 0;
            while (pick >= models[m].weight) {
                pick -= models[m].weight;
                ++m;
            }
            const qint64 prompt = 800 + next(6000);
            const qint64 completion = 100 + next(1500);
            const qint64 cost = prompt * models[m].inMicrosPerK / 1000 + completion * models[m].outMicrosPerK / 1000;
            const char *tenant = tenants[next(3)];
            rows.append(row(at, QString::fromLatin1(models[m].name), QString::fromLatin1(tenant),
                            QStringLiteral("%1-%2").arg(QLatin1String(tenant)).arg(date.day()), prompt, completion, cost));
        }
    }
    return rows;
}

} // namespace HistorySamples
