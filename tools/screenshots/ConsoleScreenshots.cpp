// console_screenshots OUT_DIR light|dark: every page of the console as PNG in one palette (see
// render.sh, which runs it once for each: the palette is set before the window is made, as
// tokenfuse-console does).
#include "ConsolePalette.h"
#include "ConsoleWiring.h"
#include "GatewayUnderTest.h"
#include "HistorySamples.h"
#include "MainWindow.h"
#include "ScreenshotTraffic.h"
#include "SimulatorThread.h"
#include "overview/OverviewPage.h"
#include "upstreams/UpstreamsPage.h"
#include "admin/AdminChannel.h"
#include "core/GatewayHost.h"

#include <QApplication>
#include <QDate>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStyleFactory>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

namespace {
// Runs the event loop (the window paints, the gateway answers) for `ms`.
void run(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

// Providers as a user would configure them, each played by a simulator of its own: DeepSeek (with
// OpenRouter behind it), OpenAI with a concurrency limit, Qwen and Anthropic.
QJsonArray upstreams(quint16 openai, quint16 deepseek, quint16 spare, quint16 anthropic)
{
    const auto up = [](const char *name, const char *preset, quint16 port, const QStringList &models, int priority = 0) {
        return QJsonObject{{"name", name}, {"preset", preset}, {"base_url", QStringLiteral("http://127.0.0.1:%1/v1").arg(port)},
                           {"models", QJsonArray::fromStringList(models)}, {"priority", priority}};
    };
    QJsonObject openAi = up("openai", "openai", openai, {"gpt-*"});
    openAi.insert("max_concurrency", 4);
    QJsonObject claude = up("anthropic", "anthropic", anthropic, {"claude-*"});
    claude.insert("base_url", QStringLiteral("http://127.0.0.1:%1").arg(anthropic));
    return {openAi, up("deepseek", "deepseek", deepseek, {"deepseek-*"}), up("openrouter", "openrouter", spare, {"deepseek-*"}, 1),
            up("qwen", "qwen", spare, {"qwen-*"}), claude};
}

QJsonObject config(const QJsonArray &upstreams)
{
    const auto parse = [](const char *json) { return QJsonDocument::fromJson(json).array(); };
    return QJsonObject{
        {"upstreams", upstreams},
        {"budgets", parse(R"([
            {"name": "Daily spend", "scope": "global", "window": "day", "max_cost": 0.40, "alert_at": 0.8},
            {"scope": "tenant", "match": "acme", "window": "day", "max_cost": 0.25, "max_tokens": 400000},
            {"scope": "tenant", "match": "*", "window": "month", "max_tokens": 80000000},
            {"name": "Scrapers per hour", "scope": "session", "match": "scraper-*", "window": "hour", "max_tokens": 9000, "over_cap": "refuse"}
        ])")},
        {"rate_limits", parse(R"([{"scope": "session", "match": "batch-*", "rpm": 40, "concurrency": 4}])")}};
}
} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    const QString out = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("docs/screenshots");
    const bool dark = argc > 2 && qstrcmp(argv[2], "dark") == 0;
    QDir().mkpath(out);
    if (dark)
        QApplication::setPalette(ConsolePalette::darkPalette());

    QTemporaryDir dataDir;
    // A month of stored requests for the History page (and today's spend), then the live gateway.
    // Days before today only: today's spend is the live traffic's, so the budgets' counters and the
    // Overview's "spend today" tell the same figure.
    const qint64 midnight = QDate::currentDate().startOfDay().toMSecsSinceEpoch();
    QList<UsageRecord> past = HistorySamples::month(30);
    past.removeIf([midnight](const UsageRecord &r) { return r.startedAt >= midnight; });
    HistorySamples::write(dataDir.path(), past);
    // Keys as a user's environment would hold them: the pages show a hint of each, never more.
    qputenv("OPENAI_API_KEY", "sk-proj-demo-7Hq2x9LmP4c1");
    qputenv("DEEPSEEK_API_KEY", "sk-demo-4f1c88e0b2a94c7d");
    qputenv("OPENROUTER_API_KEY", "sk-or-v1-demo-93ab10c2");
    qputenv("DASHSCOPE_API_KEY", "sk-demo-qw-5d7e21f0aa");
    qputenv("ANTHROPIC_API_KEY", "sk-ant-demo-01x9QpLm2Z");
    SimulatorThread openai, deepseek, spare, anthropic;
    QString error;
    GatewayHost *host = GatewayUnderTest::create(config(upstreams(openai.port(), deepseek.port(), spare.port(), anthropic.port())),
                                                 dataDir.path(), &app, &error);
    if (!host) {
        std::fprintf(stderr, "console_screenshots: %s\n", qPrintable(error));
        return 1;
    }
    MainWindow window;
    ConsoleWiring::connect(*host, window);
    window.setConfirmBulkActions(false);
    window.overviewPage()->setRange(OverviewPage::Range::FiveMinutes);
    window.resize(1280, 860);
    window.show();
    const quint16 port = GatewayUnderTest::start(host);
    if (port == 0) {
        std::fprintf(stderr, "console_screenshots: the gateway did not start\n");
        return 1;
    }
    std::printf("gateway on 127.0.0.1:%u, sending a minute of traffic\n", port);
    std::fflush(stdout);

    ScreenshotTraffic traffic(port);
    traffic.start(60);
    // DeepSeek gets busy a third of the way in: its breaker opens and OpenRouter takes its traffic.
    QTimer::singleShot(20'000, &window, [&deepseek] {
        deepseek.run([](SimulatorServer *s) {
            SimulatorProfile p = s->profile();
            p.faultStatus = 503;
            s->setProfile(p);
        });
    });
    // Someone stops the nightly evaluation by hand halfway through.
    QTimer::singleShot(40'000, &window, [&window] {
        window.adminChannel()->call(AdminCall::post("/admin/v1/sessions/nightly-eval/kill", R"({"reason":"eval ran past its slot"})"),
                                    &window, [](const AdminAnswer &) {});
    });
    while (!traffic.isDone())
        run(200);
    run(3000); // the last answers, and a snapshot or two after them
    std::printf("%d requests sent\n", traffic.sent());

    for (int p = 0; p < MainWindow::PageCount; ++p) {
        const auto page = MainWindow::Page(p);
        window.showPage(page);
        if (page == MainWindow::Page::Upstreams)
            window.upstreamsPage()->selectUpstream(QStringLiteral("deepseek")); // its breaker and last probe in the details
        run(1500); // the charts redraw on their own timers
        const QString file = QDir(out).filePath(QStringLiteral("%1-%2.png").arg(MainWindow::pageKey(page), dark ? "dark" : "light"));
        if (!window.grab().save(file)) {
            std::fprintf(stderr, "console_screenshots: cannot write %s\n", qPrintable(file));
            return 1;
        }
        std::printf("%s\n", qPrintable(file));
    }
    host->stop();
    return 0;
}
