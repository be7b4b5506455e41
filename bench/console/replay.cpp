// bench_console_replay: what the console costs its GUI thread, without a gateway beside it to
// compete for the processor. The real window (offscreen: real painting into memory) on one page
// takes snapshots four times a second as a busy gateway publishes them: RATE requests a second
// over 4 models, 3 tenants and 50 sessions, with their usage rows, budgets and sessions. After a
// warm-up it prints one JSON line: the GUI thread's CPU time per second of wall time, the longest
// event-loop stall and the slowest deliveries (ConsoleApplication + EventLoopStallProbe).
//
//   bench_console_replay [PAGE [SECONDS [RATE [PNG]]]]     # overview 20 2000
//
// PNG, when given, is where the window is saved as it looks at the end (to see what was drawn).
// PAGE is a page key (overview, sessions, budgets, history, requests, connect). bench/console/run.sh
// measures the console beside a loaded gateway; this measures the console alone, so a change to
// a page's drawing shows as a number the machine's load does not blur.
#include "ConsoleApplication.h"
#include "EventLoopStallProbe.h"
#include "MainWindow.h"
#include "core/GatewaySnapshot.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <utility>
#include <cstdio>

namespace {
void run(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

const QStringList Models{QStringLiteral("gpt-4o-mini"), QStringLiteral("claude-sonnet-4"), QStringLiteral("deepseek-chat"), QStringLiteral("qwen-plus")};

// A gateway answering `rate` requests a second: what it would publish at `nowMs`, the n-th time.
class Traffic
{
public:
    explicit Traffic(int rate) : m_rate(rate) {}

    // The last quarter of an hour, a snapshot a second with only what the charts plot: the
    // Overview's rings full, as after a while of use.
    GatewaySnapshot history(qint64 atMs)
    {
        GatewaySnapshot s = next(atMs);
        s.sessions.clear();
        s.budgets.clear();
        s.recorded.clear();
        s.recordedSkipped = 0;
        for (SpendSlice &slice : s.byModelDelta)
            slice = SpendSlice{slice.key, slice.requests * 4, slice.tokens * 4, slice.costMicros * 4};
        for (SpendSlice &slice : s.byTenantDelta)
            slice = SpendSlice{slice.key, slice.requests * 4, slice.tokens * 4, slice.costMicros * 4};
        s.requestsDelta *= 4;
        s.tokensDelta *= 4;
        s.costMicrosDelta *= 4;
        s.outcomesDelta.ok *= 4;
        s.outcomesDelta.rateLimited *= 4;
        s.outcomesDelta.budgetRefused *= 4;
        return s;
    }

    GatewaySnapshot next(qint64 nowMs)
    {
        ++m_n;
        GatewaySnapshot s;
        s.state = GatewaySnapshot::State::Running;
        s.listenAddress = QStringLiteral("127.0.0.1:8400");
        s.upstreams = {QStringLiteral("openai")};
        s.takenAtMs = nowMs;
        // A quarter of a second's requests, a little uneven.
        const qint64 requests = std::max<qint64>(1, m_rate / 4 + ((m_n * 37) % 11) - 5);
        s.requestsDelta = requests;
        s.outcomesDelta.ok = requests - requests / 50;
        s.outcomesDelta.rateLimited = requests / 100;
        s.outcomesDelta.budgetRefused = requests / 50 - requests / 100;
        for (int m = 0; m < Models.size(); ++m) {
            // Each model's share rises and falls over a few minutes, out of step with the others.
            const double wave = 1.0 + 0.6 * std::sin(double(nowMs) / 40'000.0 + m * 1.7) + 0.15 * std::sin(double(nowMs) / 3'100.0 * (m + 1));
            const qint64 share = qint64(double(requests * (4 - m)) / 10.0 * wave);
            s.byModelDelta.append(SpendSlice{Models.at(m), share, share * 900, share * 1'200 * (m + 1)});
            s.tokensDelta += share * 900;
            s.costMicrosDelta += share * 1'200 * (m + 1);
        }
        for (int t = 0; t < 3; ++t)
            s.byTenantDelta.append(SpendSlice{QStringLiteral("tenant-%1").arg(t), requests / 3, s.tokensDelta / 3, s.costMicrosDelta / 3});
        m_requests += requests;
        m_tokens += s.tokensDelta;
        m_cost += s.costMicrosDelta;
        s.requestsTotal = m_requests;
        s.requestsFailed = m_requests / 50;
        s.promptTokens = m_tokens * 3 / 4;
        s.completionTokens = m_tokens / 4;
        s.costMicros = m_cost;
        s.latencyP50Ms = 20 + m_n % 7;
        s.latencyP95Ms = 120 + m_n % 31;
        s.latencyP99Ms = 190 + m_n % 53;
        s.ttftP50Ms = 8 + m_n % 3;
        s.ttftP95Ms = 40 + m_n % 9;
        s.inFlight = 64;
        s.openConnections = 1064;
        s.dayStartMs = QDateTime(QDate::currentDate(), QTime(0, 0)).toMSecsSinceEpoch();
        s.spentTodayMicros = m_cost;
        s.dayCapMicros = 500'000'000;
        s.dayCapRule = QStringLiteral("global per day");
        s.budgets = budgets(nowMs);
        s.sessions = sessions(nowMs);
        s.sessionsKnown = int(s.sessions.size());
        s.sessionsActive = s.sessionsKnown;
        const qint64 rows = std::min<qint64>(requests, GatewaySnapshot::MaxRecorded);
        s.recordedSkipped = requests - rows;
        for (qint64 i = 0; i < rows; ++i)
            s.recorded.append(row(nowMs, i));
        return s;
    }

private:
    UsageRecord row(qint64 nowMs, qint64 i)
    {
        UsageRecord r;
        ++m_rows;
        r.id = QStringLiteral("req-%1").arg(m_rows);
        r.status = m_rows % 50 == 0 ? 402 : 200;
        r.model = Models.at(m_rows % Models.size());
        r.session = QStringLiteral("bench-%1").arg(m_rows % 50);
        r.tenant = QStringLiteral("tenant-%1").arg(m_rows % 3);
        r.endpoint = QStringLiteral("/v1/chat/completions");
        r.upstream = QStringLiteral("openai");
        r.endedAt = nowMs - 250 + i * 250 / GatewaySnapshot::MaxRecorded;
        r.startedAt = r.endedAt - 20;
        r.latencyMs = 20;
        r.ttftMs = 8;
        r.promptTokens = 700;
        r.completionTokens = 200;
        r.costMicros = 1'200;
        r.requestHeaders = QStringLiteral("content-type: application/json\nauthorization: (hidden, 51 characters)\nx-session-id: ") + r.session;
        return r;
    }

    QList<SessionView> sessions(qint64 nowMs) const
    {
        QList<SessionView> out;
        for (int i = 0; i < 51; ++i) {
            SessionView v;
            v.id = i == 50 ? QStringLiteral("bench-streams") : QStringLiteral("bench-%1").arg(i);
            v.tenant = QStringLiteral("tenant-%1").arg(i % 3);
            v.models = {Models.at(i % Models.size())};
            v.requests = m_requests / 51 + i;
            v.promptTokens = m_tokens * 3 / 4 / 51;
            v.completionTokens = m_tokens / 4 / 51;
            v.costMicros = m_cost / 51 + i * 100;
            v.requestsPerMinute = m_rate * 60 / 51 + (m_n + i) % 13;
            v.tokensPerMinute = v.requestsPerMinute * 900;
            v.costMicrosPerMinute = v.requestsPerMinute * 2'400;
            v.inFlight = i == 50 ? 1000 : 1;
            v.firstSeenMs = nowMs - 600'000;
            v.lastSeenMs = nowMs - (i * 7) % 250;
            v.lastPrompt = QStringLiteral("Summarise ticket %1").arg(m_rows - i);
            out.append(v);
        }
        return out;
    }

    QList<BudgetUsage> budgets(qint64 nowMs) const
    {
        BudgetUsage day;
        day.rule.scope = BudgetScope::Global;
        day.rule.window = BudgetWindow::Day;
        day.rule.maxCostMicros = 500'000'000;
        day.windowStart = nowMs - nowMs % 86'400'000;
        day.windowEnd = day.windowStart + 86'400'000;
        BudgetCounterUsage global;
        global.spent.costMicros = m_cost;
        global.fraction = double(m_cost) / 500'000'000.0;
        day.counters = {global};
        BudgetUsage perSession = day;
        perSession.rule.scope = BudgetScope::Session;
        perSession.rule.match = QStringLiteral("*");
        perSession.rule.maxCostMicros = 20'000'000;
        perSession.counters.clear();
        for (int i = 0; i < 50; ++i) {
            BudgetCounterUsage c;
            c.subject = QStringLiteral("bench-%1").arg(i);
            c.spent.costMicros = m_cost / 51;
            c.fraction = double(c.spent.costMicros) / 20'000'000.0;
            perSession.counters.append(c);
        }
        return {day, perSession};
    }

    int m_rate;
    qint64 m_n = 0;
    qint64 m_rows = 0;
    qint64 m_requests = 0;
    qint64 m_tokens = 0;
    qint64 m_cost = 0;
};
} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", QByteArrayLiteral("offscreen"));
    ConsoleApplication app(argc, argv);
    ConsoleApplication::setStyle(QStringLiteral("Fusion"));
    const QStringList args = ConsoleApplication::arguments();
    const QString pageKey = args.value(1, QStringLiteral("overview"));
    const int seconds = std::max(2, args.value(2, QStringLiteral("20")).toInt());
    const int rate = std::max(1, args.value(3, QStringLiteral("2000")).toInt());
    const std::optional<MainWindow::Page> page = MainWindow::pageFromKey(pageKey);
    if (!page) {
        std::fprintf(stderr, "bench_console_replay: no page called %s\n", qPrintable(pageKey));
        return 2;
    }

    MainWindow window;
    window.resize(1280, 820);
    window.showPage(*page);
    window.show();
    // Made before they are needed, so making them is not counted as the console's work.
    constexpr int WarmUpMs = 3000;
    Traffic traffic(rate);
    QList<GatewaySnapshot> snapshots;
    const qint64 startMs = QDateTime::currentMSecsSinceEpoch();
    for (qint64 at = startMs - 15 * 60'000; at < startMs; at += 1000)
        window.applySnapshot(traffic.history(at));
    for (qint64 at = 0; at <= WarmUpMs + seconds * 1000 + 1000; at += 250)
        snapshots.append(traffic.next(startMs + at));
    qsizetype next = 0;
    QTimer publish;
    QObject::connect(&publish, &QTimer::timeout, &window, [&] {
        if (next < snapshots.size())
            window.applySnapshot(std::exchange(snapshots[next++], GatewaySnapshot{}));
    });
    publish.start(250); // as the gateway publishes
    // Warm-up: fonts, first layouts, rings filling.
    run(WarmUpMs);

    QTemporaryDir dir;
    EventLoopStallProbe probe(dir.filePath(QStringLiteral("stalls.json")));
    app.setStallProbe(&probe);
    QElapsedTimer wall;
    wall.start();
    const qint64 cpu0 = EventLoopStallProbe::threadCpuUs();
    run(seconds * 1000);
    const double cpuMs = double(EventLoopStallProbe::threadCpuUs() - cpu0) / 1000.0;
    const double wallS = double(wall.elapsed()) / 1000.0;
    app.setStallProbe(nullptr);
    if (const QString png = args.value(4); !png.isEmpty() && !window.grab().save(png))
        std::fprintf(stderr, "bench_console_replay: could not write %s\n", qPrintable(png));

    QJsonObject report = QJsonDocument::fromJson(probe.reportJson()).object();
    QJsonObject out{{"page", pageKey},
                    {"rate", rate},
                    {"seconds", wallS},
                    {"gui_cpu_ms_per_s", qRound(cpuMs / wallS * 10.0) / 10.0},
                    {"longest_stall_ms", report.value("longest_stall_ms")},
                    {"worst_stalls", report.value("worst")},
                    {"slowest_deliveries", report.value("slowest_deliveries")}};
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    return 0;
}
