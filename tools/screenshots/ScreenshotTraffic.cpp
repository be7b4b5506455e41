#include "ScreenshotTraffic.h"

#include "upstream/UpstreamCall.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace {
QByteArray chat(const char *model, const QString &prompt, bool stream)
{
    return QJsonDocument(QJsonObject{{"model", model}, {"stream", stream}, {"max_tokens", 400},
                                     {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", prompt}}}}})
        .toJson(QJsonDocument::Compact);
}
} // namespace

ScreenshotTraffic::ScreenshotTraffic(quint16 gatewayPort, QObject *parent) : QObject(parent), m_port(gatewayPort)
{
    connect(&m_timer, &QTimer::timeout, this, &ScreenshotTraffic::tick);
}

void ScreenshotTraffic::start(int seconds)
{
    m_seconds = seconds;
    m_clock.start();
    m_timer.start(100);
}

void ScreenshotTraffic::send(const QByteArray &path, const QByteArray &body, const QByteArray &session, const QByteArray &tenant, bool slow)
{
    UpstreamRequest r;
    r.url = QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(QString::fromLatin1(path)));
    r.headers.add("content-type", "application/json");
    r.headers.add("x-session-id", session);
    r.headers.add("x-tenant-id", tenant);
    r.headers.add("authorization", "Bearer sk-screenshot-not-a-real-key-0000000000");
    r.headers.add("x-sim-ttft-ms", slow ? "400" : "60");
    r.headers.add("x-sim-tokens-per-second", slow ? "40" : "400");
    r.body = body;
    UpstreamCall *call = m_client.start(r);
    ++m_sent;
    ++m_open;
    const auto done = [this, call] {
        --m_open;
        call->deleteLater();
    };
    connect(call, &UpstreamCall::finished, this, done);
    connect(call, &UpstreamCall::failed, this, done);
}

void ScreenshotTraffic::tick()
{
    const int t = m_tick++;
    const qint64 elapsed = m_clock.elapsed();
    if (elapsed > m_seconds * 1000) {
        m_timer.stop();
        m_done = true;
        return;
    }
    static const char *tasks[] = {"Plan the migration of the billing service", "Write tests for the invoice parser",
                                  "Summarise yesterday's incident report", "Refactor the retry loop in the sync job",
                                  "Explain the flaky CI failure in payments", "Draft release notes for 2.4"};
    static const char *tickets[] = {"refund not received after 14 days", "cannot log in with SSO since Monday",
                                    "invoice shows the wrong VAT number", "export to CSV times out on large projects",
                                    "dark mode makes the charts unreadable", "webhook retries flood our endpoint",
                                    "mobile app crashes when uploading photos", "please add a Spanish translation",
                                    "API returns 500 for empty filters", "billing page asks for a card twice",
                                    "search ignores accented characters", "team invite e-mails land in spam"};
    const QString task = QString::fromLatin1(tasks[t % 6]) + QStringLiteral(" (step %1)").arg(t);
    // The steady agents: a planner and a coder at acme, a researcher at globex.
    if (t % 4 == 0)
        send("/v1/chat/completions", chat("gpt-4o-mini", task, true), "planner-7f3a", "acme", t % 8 == 0);
    if (t % 6 == 1)
        send("/v1/messages", chat("claude-sonnet-4", task, true), "coder-2b91", "acme", true);
    if (t % 5 == 2)
        send("/v1/chat/completions", chat("deepseek-chat", task, false), "research-91c4", "globex", false);
    if (t % 9 == 3)
        send("/v1/chat/completions", chat("qwen-plus", task, false), "nightly-eval", "initech", false);
    // A batch job over its rate limit in bursts, and a scraper that runs into its hourly budget.
    if (t % 50 < 8)
        send("/v1/chat/completions", chat("gpt-4o-mini", QStringLiteral("Classify ticket #%1: %2").arg(4000 + t).arg(QLatin1String(tickets[t % 12])), false),
             "batch-04", "globex", false);
    if (t % 7 == 0)
        send("/v1/chat/completions", chat("deepseek-chat", QStringLiteral("Extract the prices from page %1").arg(t), false),
             "scraper-5d", "initech", false);
    // From 20 s on, an agent asks the same thing again and again until the loop detector trips it.
    if (elapsed > 20'000 && elapsed < 26'000 && t % 2 == 0)
        send("/v1/chat/completions",
             chat("gpt-4o-mini", QStringLiteral("The build failed again. Please fix the failing test in test_invoice.py and run it."), false),
             "agent-loop-3", "acme", false);
}
