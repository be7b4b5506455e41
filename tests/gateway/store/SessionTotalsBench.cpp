// Measures UsageQuery::sessionTotals(), sessionTotal() and series() on a large store; not a test.
//   session_totals_bench DATA_DIR [ROWS=1000000] [SESSIONS=2000] [DAYS=30]
// Fills DATA_DIR/tokenfuse.db (made by UsageStore, so the schema is the real one) with ROWS
// requests spread evenly over the last DAYS days, in time order as the gateway writes them, each
// in one of SESSIONS sessions at random; then prints each query's plan and its time (median of
// several runs), with and without the statistics `PRAGMA optimize` may leave behind. Check a
// query's plan with sqlite3's EXPLAIN QUERY PLAN on the same file.
#include "TestDatabase.h"
#include "store/UsageQuery.h"
#include "store/UsageStore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QRandomGenerator>

#include <algorithm>
#include <cstdio>
#include <functional>

#include <time.h>

namespace {

double cpuMs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) * 1e3 + double(now.tv_nsec) / 1e6;
}

// Median wall-clock and CPU time of `runs` calls: on a shared machine the wall clock includes
// waiting for a core, the CPU time does not.
QString median(int runs, const std::function<void()> &f)
{
    QList<double> wall;
    QList<double> cpu;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer clock;
        clock.start();
        const double cpuStart = cpuMs();
        f();
        cpu.append(cpuMs() - cpuStart);
        wall.append(double(clock.nsecsElapsed()) / 1e6);
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    return QStringLiteral("median %1 ms (CPU %2 ms)").arg(wall.at(runs / 2), 0, 'f', 2).arg(cpu.at(runs / 2), 0, 'f', 2);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: session_totals_bench DATA_DIR [ROWS] [SESSIONS] [DAYS]\n");
        return 2;
    }
    const qint64 rows = args.size() > 2 ? args.at(2).toLongLong() : 1'000'000;
    const int sessions = args.size() > 3 ? args.at(3).toInt() : 2000;
    const int days = args.size() > 4 ? args.at(4).toInt() : 30;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 span = qint64(days) * 86'400'000;

    QString error;
    {
        UsageStore store;
        if (!store.open(args.at(1), &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
    }
    const QString path = UsageStore::databasePathIn(args.at(1));
    TestDatabase db(path);
    if (db.requestCount() == 0) {
        QElapsedTimer clock;
        clock.start();
        QRandomGenerator random(42);
        db.exec(QStringLiteral("BEGIN"));
        QSqlQuery insert(db.db());
        insert.prepare(QStringLiteral("INSERT INTO requests (id, started_at, ended_at, tenant, session, model, "
                                      "prompt_tokens, completion_tokens, cost_micros) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        for (qint64 i = 0; i < rows; ++i) {
            const int s = int(random.bounded(sessions));
            const qint64 started = now - span + span * i / rows;
            insert.bindValue(0, QStringLiteral("tfr_%1").arg(i));
            insert.bindValue(1, started);
            insert.bindValue(2, started + 800);
            insert.bindValue(3, QStringLiteral("tenant-%1").arg(s % 20));
            insert.bindValue(4, QStringLiteral("session-%1").arg(s));
            insert.bindValue(5, i % 3 ? QStringLiteral("claude-sonnet") : QStringLiteral("deepseek-chat"));
            insert.bindValue(6, 1000 + i % 500);
            insert.bindValue(7, 100 + i % 50);
            insert.bindValue(8, 2000 + i % 700);
            if (!insert.exec()) {
                std::fprintf(stderr, "insert: %s\n", qPrintable(insert.lastError().text()));
                return 1;
            }
        }
        db.exec(QStringLiteral("COMMIT"));
        std::printf("filled %s: %lld rows, %d sessions, %d days, in %.1f s\n", qPrintable(path), rows, sessions, days,
                    double(clock.elapsed()) / 1000);
    }
    // Statistics left by an earlier run (its ANALYZE below) would change the first plans.
    db.exec(QStringLiteral("DROP TABLE IF EXISTS sqlite_stat1"));
    db.exec(QStringLiteral("DROP TABLE IF EXISTS sqlite_stat4"));
    const qint64 since = now - 86'400'000;
    std::printf("rows in the last 24 h: %lld\n",
                db.scalar(QStringLiteral("SELECT COUNT(*) FROM requests WHERE started_at >= ?"), {since}).toLongLong());

    for (bool analysed : {false, true}) {
        if (analysed)
            db.exec(QStringLiteral("ANALYZE"));
        UsageQuery query;
        if (!query.open(path, &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        std::printf("%s\n", analysed ? "after ANALYZE:" : "without statistics:");
        QList<SessionTotalsRecord> totals;
        const QString listTime = median(11, [&] { totals = query.sessionTotals(since, 200); });
        if (!query.lastError().isEmpty())
            std::fprintf(stderr, "%s\n", qPrintable(query.lastError()));
        qint64 requests = 0;
        for (const SessionTotalsRecord &t : std::as_const(totals))
            requests += t.requests;
        std::printf("  sessionTotals(now - 24 h, 200): %lld sessions, %lld requests, %s\n", qlonglong(totals.size()),
                    requests, qPrintable(listTime));
        std::optional<SessionTotalsRecord> one;
        const QString oneTime = median(21, [&] { one = query.sessionTotal(QStringLiteral("session-7")); });
        std::printf("  sessionTotal(\"session-7\"): %lld requests, %s\n", one ? qlonglong(one->requests) : -1LL,
                    qPrintable(oneTime));
        // The History page's series (docs/storage.md, Usage series).
        struct Series { const char *name; qint64 span; UsageQuery::Bucket bucket; UsageQuery::Split split; };
        const Series cases[] = {{"24 h by hour, by tenant", 86'400'000, UsageQuery::Bucket::Hour, UsageQuery::Split::Tenant},
                                {"7 days by day, by model", 7 * 86'400'000LL, UsageQuery::Bucket::Day, UsageQuery::Split::Model},
                                {"30 days by day, by session", 30 * 86'400'000LL, UsageQuery::Bucket::Day, UsageQuery::Split::Session}};
        for (const Series &c : cases) {
            QList<UsageSeriesRow> cells;
            const QString seriesTime = median(5, [&] { cells = query.series(now - c.span, now + 1, c.bucket, c.split, 8); });
            if (!query.lastError().isEmpty())
                std::fprintf(stderr, "%s\n", qPrintable(query.lastError()));
            std::printf("  series(%s, top 8): %lld rows, %s\n", c.name, qlonglong(cells.size()), qPrintable(seriesTime));
        }
    }
    return 0;
}
