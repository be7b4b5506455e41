// The loop detector, driven through simulated time: each signal trips on the loop it is for
// (two sessions ping-ponging at 50 calls/s, a tool call coming back with the same result, a slow
// identical call every 2 s, a burst from a new session, spend over the ceiling), and stays quiet
// on normal work (a varied agent run whose history grows every turn, a tool-using agent with
// different arguments, a question re-asked after an error, embeddings batches). Warn mode,
// forget(), cooldown, rules and the memory bound; and what observeRequest costs on a 12k-token body.
#include "AgentConversation.h"
#include "WorkspaceText.h"
#include "session/LoopDetector.h"

#include <QElapsedTimer>
#include <QtTest>

Q_DECLARE_METATYPE(Wire)

namespace {
constexpr qint64 kStart = 1764626626000; // 2025-12-01, an arbitrary epoch ms

// A varied step of normal agent work: a different tool, arguments and result each time.
void workStep(AgentConversation &c, int step)
{
    const QString path = QStringLiteral("gateway/module%1/File%2.cpp").arg(step % 7).arg(step);
    switch (step % 5) {
    case 0: c.toolCall(QStringLiteral("read_file"), {{"path", path}}, WorkspaceText::file(path), WorkspaceText::thought(step)); break;
    case 1: c.toolCall(QStringLiteral("grep"), {{"pattern", QStringLiteral("symbol%1").arg(step)}, {"path", "gateway"}},
                       WorkspaceText::grep(QString::number(step))); break;
    case 2: c.toolCall(QStringLiteral("edit_file"), {{"path", path}, {"old", WorkspaceText::words(path, 8)}, {"new", WorkspaceText::words(path + u'x', 9)}},
                       QStringLiteral("The file %1 has been updated.").arg(path)); break;
    case 3: c.toolCall(QStringLiteral("run_tests"), {{"command", QStringLiteral("ctest -R tst_Module%1").arg(step)}}, WorkspaceText::testRun(step)); break;
    default: c.assistant(WorkspaceText::thought(step)); c.user(WorkspaceText::words(QStringLiteral("user %1").arg(step), 25)); break;
    }
}

void addWires()
{
    QTest::addColumn<Wire>("wire");
    QTest::newRow("openai chat") << Wire::OpenAiChat;
    QTest::newRow("anthropic") << Wire::Anthropic;
    QTest::newRow("responses") << Wire::Responses;
}

// What one agent of a ping-pong pair says back: the other's text "fixed", a little different each round.
QString fixedUp(const QString &who, const QString &theirs, int round)
{
    return QStringLiteral("%1 here. I reviewed your change and fixed the remaining issue (round %2): ").arg(who).arg(round)
        + WorkspaceText::words(who + QString::number(round % 3), 30) + u'\n' + theirs.left(600);
}
} // namespace

class tst_LoopDetector : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void pingPongAt50PerSecondTripsBothWithin3s_data() { addWires(); }
    void pingPongAt50PerSecondTripsBothWithin3s()
    {
        QFETCH(Wire, wire);
        LoopDetector detector;
        AgentConversation a(wire, QStringLiteral("You are the author agent.")), b(wire, QStringLiteral("You are the reviewer agent."));
        QString aOut = QStringLiteral("Here is my first draft of the parser: ") + WorkspaceText::file(QStringLiteral("Parser.cpp")).left(500);
        QString bOut;
        a.user(QStringLiteral("Write the parser."));
        qint64 t = kStart;
        std::optional<LoopTrip> trip;
        int requests = 0;
        for (int round = 0; round < 200 && !trip; ++round) {
            // a asked, a answered; b's prompt carries a's answer; b answered; a's next prompt carries b's.
            const bool aTurn = round % 2 == 0;
            AgentConversation &c = aTurn ? a : b;
            const QString session = aTurn ? QStringLiteral("author") : QStringLiteral("reviewer");
            if (round > 0)
                c.user(QStringLiteral("The other agent replied:\n\n") + (aTurn ? bOut : aOut));
            trip = detector.observeRequest(c.request(session, t));
            ++requests;
            const QString out = aTurn ? fixedUp(QStringLiteral("Author"), bOut, round) : fixedUp(QStringLiteral("Reviewer"), aOut, round);
            c.assistant(out);
            detector.observeOutput(session, QStringLiteral("team"), out, t + 15);
            (aTurn ? aOut : bOut) = out;
            t += 20; // 50 calls a second between the two
        }
        QVERIFY(trip);
        QCOMPARE(trip->signal, QStringLiteral("ping_pong"));
        QCOMPARE(QSet<QString>(trip->sessions.begin(), trip->sessions.end()), (QSet<QString>{"author", "reviewer"}));
        QVERIFY2(t - kStart <= 3000, qPrintable(QString::number(t - kStart)));
        QVERIFY2(trip->evidence.contains(QStringLiteral("handed each other's output back")), qPrintable(trip->evidence));
        QVERIFY(!trip->warnOnly);
        qInfo("ping-pong tripped after %d requests, %lld ms of simulated time: %s", requests, t - 20 - kStart, qPrintable(trip->evidence));
    }

    void toolCallLoopTrips_data() { addWires(); }
    void toolCallLoopTrips()
    {
        QFETCH(Wire, wire);
        LoopDetector detector;
        AgentConversation c(wire);
        c.user(QStringLiteral("The build is failing, please fix it."));
        const QString config = WorkspaceText::file(QStringLiteral("CMakeLists.txt"));
        qint64 t = kStart;
        std::optional<LoopTrip> trip;
        int calls = 0;
        while (!trip && calls < 30) {
            // Each turn: the same file read, the same content back (fresh call ids, history growing).
            trip = detector.observeRequest(c.request(QStringLiteral("stuck"), t));
            c.toolCall(QStringLiteral("read_file"), {{"path", "CMakeLists.txt"}}, config, QStringLiteral("Let me look at the build file again."));
            ++calls;
            t += 1500;
        }
        QVERIFY(trip);
        QCOMPARE(trip->signal, QStringLiteral("tool_repeat"));
        QVERIFY2(trip->evidence.contains(QStringLiteral("tool read_file called 6 times with the same arguments")), qPrintable(trip->evidence));
        QCOMPARE(trip->sessions, QStringList{QStringLiteral("stuck")});
        QVERIFY2(calls <= 8, qPrintable(QString::number(calls)));
    }

    void theSameToolCallAndResultResentTrips()
    {
        // A client that re-sends the very same request (same ids) keeps the trail at one call, but
        // the latest turns are identical every time: repetition.
        LoopDetector detector;
        AgentConversation c(Wire::Anthropic);
        c.user(QStringLiteral("Why does the test fail?"));
        c.toolCall(QStringLiteral("bash"), {{"command", "ctest -R tst_Parser"}}, WorkspaceText::testRun(3));
        const LoopRequest same = c.request(QStringLiteral("resender"), kStart);
        std::optional<LoopTrip> trip;
        int sent = 0;
        for (; sent < 20 && !trip; ++sent) {
            LoopRequest r = same;
            r.atMs = kStart + sent * 700;
            trip = detector.observeRequest(r);
        }
        QVERIFY(trip);
        QCOMPARE(trip->signal, QStringLiteral("repetition"));
        QCOMPARE(sent, 10);
    }

    void toolCycleTrips()
    {
        LoopDetector detector;
        AgentConversation c(Wire::OpenAiChat);
        c.user(QStringLiteral("Make the linter pass."));
        std::optional<LoopTrip> trip;
        qint64 t = kStart;
        for (int i = 0; i < 20 && !trip; ++i) {
            trip = detector.observeRequest(c.request(QStringLiteral("cycler"), t));
            if (i % 2 == 0)
                c.toolCall(QStringLiteral("edit_file"), {{"path", "a.py"}, {"old", "x = 1"}, {"new", "x = 2"}}, QStringLiteral("Edited a.py"));
            else
                c.toolCall(QStringLiteral("bash"), {{"command", "ruff check a.py"}}, QStringLiteral("a.py:1:1: E999 invalid syntax"));
            t += 3000;
        }
        QVERIFY(trip);
        QCOMPARE(trip->signal, QStringLiteral("tool_cycle"));
        QVERIFY2(trip->evidence.contains(QStringLiteral("went round the same cycle 4 times")), qPrintable(trip->evidence));
    }

    void slowLoopTripsByRepetitionNotVelocity_data() { addWires(); }
    void slowLoopTripsByRepetitionNotVelocity()
    {
        QFETCH(Wire, wire);
        LoopDetector detector;
        std::optional<LoopTrip> trip;
        int sent = 0;
        for (; sent < 12 && !trip; ++sent) {
            // A script resending one call every 2 s; only its timestamp and request id change.
            AgentConversation c(wire);
            const qint64 t = kStart + sent * 2000;
            c.user(QStringLiteral("[%1] request %2: summarise the error log and propose a fix.\n%3")
                       .arg(QDateTime::fromMSecsSinceEpoch(t, Qt::UTC).toString(Qt::ISODateWithMs))
                       .arg(QUuid::createUuid().toString(QUuid::WithoutBraces), WorkspaceText::words(QStringLiteral("log"), 80)));
            trip = detector.observeRequest(c.request(QStringLiteral("slow"), t));
        }
        QVERIFY(trip);
        QCOMPARE(trip->signal, QStringLiteral("repetition"));
        QCOMPARE(sent, 10);
        QVERIFY2(trip->evidence.startsWith(QStringLiteral("10 near-identical requests in 18 s; last two prompts 100 % similar")),
                 qPrintable(trip->evidence));
    }

    void variedAgentRunDoesNotTrip_data() { addWires(); }
    void variedAgentRunDoesNotTrip()
    {
        QFETCH(Wire, wire);
        LoopDetector detector;
        // Two agents at once, 30 calls each in a minute, bursts of parallel calls included; every
        // request re-sends the whole growing history, with output and spend reported as the gateway does.
        AgentConversation first(wire), second(wire);
        first.user(QStringLiteral("Add a --verbose flag to the CLI and document it."));
        second.user(QStringLiteral("Find why tst_Store is flaky."));
        for (int step = 0; step < 30; ++step) {
            const qint64 t = kStart + step * 2000 - (step % 4 == 3 ? 1700 : 0);
            for (auto [c, session] : {std::pair{&first, QStringLiteral("one")}, std::pair{&second, QStringLiteral("two")}}) {
                const std::optional<LoopTrip> trip = detector.observeRequest(c->request(session, t));
                QVERIFY2(!trip, qPrintable(QStringLiteral("step %1: %2: %3").arg(step).arg(trip ? trip->signal : QString(), trip ? trip->evidence : QString())));
                const QString out = WorkspaceText::thought(step * 7 + int(session.size()));
                detector.observeOutput(session, QStringLiteral("team"), out, t + 900);
                QVERIFY(!detector.observeSpend(session, QStringLiteral("team"), 18000 + step * 400, 54000, t + 1000));
                workStep(*c, step + (session == QLatin1String("two") ? 100 : 0));
            }
        }
        QCOMPARE(detector.trackedSessions(), 2);
    }

    void toolAgentWithDifferentArgumentsDoesNotTrip_data() { addWires(); }
    void toolAgentWithDifferentArgumentsDoesNotTrip()
    {
        QFETCH(Wire, wire);
        LoopDetector detector;
        AgentConversation c(wire);
        c.user(QStringLiteral("Read every source file under gateway/ and list the classes."));
        for (int i = 0; i < 40; ++i) {
            const std::optional<LoopTrip> trip = detector.observeRequest(c.request(QStringLiteral("reader"), kStart + i * 1500));
            QVERIFY2(!trip, qPrintable(trip ? trip->evidence : QString()));
            // The same tool and the same preamble each time; only the path (and so the content) differs.
            const QString path = QStringLiteral("gateway/src/Unit%1.cpp").arg(i);
            c.toolCall(QStringLiteral("read_file"), {{"path", path}}, WorkspaceText::file(path), QStringLiteral("Reading the next file."));
        }
    }

    void differentArgumentsWithTheSameResultDoNotTrip()
    {
        // Writing one file after another: the tool answers the same words every time.
        LoopDetector detector;
        AgentConversation c(Wire::Anthropic);
        c.user(QStringLiteral("Create a test file for every class."));
        for (int i = 0; i < 30; ++i) {
            const std::optional<LoopTrip> trip = detector.observeRequest(c.request(QStringLiteral("writer"), kStart + i * 2000));
            QVERIFY2(!trip, qPrintable(trip ? trip->evidence : QString()));
            const QString path = QStringLiteral("tests/tst_Class%1.cpp").arg(i);
            c.toolCall(QStringLiteral("write_file"), {{"path", path}, {"content", WorkspaceText::file(path)}}, QStringLiteral("File written successfully."),
                       QStringLiteral("Next test file."));
        }
    }

    void aReminderInEveryToolResultDoesNotLookRepeated()
    {
        // Claude Code appends the same <system-reminder> to tool results; with short results (one
        // file written after another) it is most of the latest input. The assistant side differs.
        const QString reminder = QStringLiteral("<system-reminder>\nThe TodoWrite tool hasn't been used recently. If you're working on "
                                                "tasks that would benefit from tracking progress, consider using the TodoWrite tool to "
                                                "track progress. Also consider cleaning up the todo list if has become stale and no longer "
                                                "matches what you are working on. Only use it if it's relevant to the current work. This is "
                                                "just a gentle reminder - ignore if not applicable. Make sure that you NEVER mention this "
                                                "reminder to the user\n</system-reminder>");
        LoopDetector detector;
        AgentConversation c(Wire::Anthropic);
        c.user(QStringLiteral("Create the migration files."));
        for (int i = 0; i < 30; ++i) {
            const std::optional<LoopTrip> trip = detector.observeRequest(c.request(QStringLiteral("writer"), kStart + i * 2500));
            QVERIFY2(!trip, qPrintable(QStringLiteral("%1: %2").arg(i).arg(trip ? trip->evidence : QString())));
            const QString path = QStringLiteral("db/migrations/%1_step.sql").arg(i);
            c.toolCall(QStringLiteral("write_file"), {{"path", path}, {"content", WorkspaceText::file(path)}},
                       QStringLiteral("File created successfully at: %1\n\n").arg(path) + reminder);
        }
    }

    void aOneWayPipelineIsNotPingPong()
    {
        // A drafter whose every output a summariser reads: hand-offs one way only.
        LoopDetector detector;
        AgentConversation drafter(Wire::OpenAiChat), summariser(Wire::OpenAiChat);
        for (int i = 0; i < 40; ++i) {
            const qint64 t = kStart + i * 1000;
            drafter.user(QStringLiteral("Draft section %1 of the report.").arg(i));
            const std::optional<LoopTrip> trip = detector.observeRequest(drafter.request(QStringLiteral("drafter"), t));
            QVERIFY2(!trip, qPrintable(trip ? trip->evidence : QString()));
            const QString draft = WorkspaceText::words(QStringLiteral("draft %1").arg(i), 120);
            drafter.assistant(draft);
            detector.observeOutput(QStringLiteral("drafter"), QStringLiteral("team"), draft, t + 50);
            summariser.user(QStringLiteral("Summarise this section:\n") + draft);
            const std::optional<LoopTrip> back = detector.observeRequest(summariser.request(QStringLiteral("summariser"), t + 500));
            QVERIFY2(!back, qPrintable(back ? back->evidence : QString()));
            const QString summary = WorkspaceText::words(QStringLiteral("summary %1").arg(i), 30);
            summariser.assistant(summary);
            detector.observeOutput(QStringLiteral("summariser"), QStringLiteral("team"), summary, t + 900);
        }
    }

    void aHistorySeenForTheFirstTimeIsNotCountedAsNew()
    {
        // The gateway restarted mid-conversation: the calls in the history happened at unknown
        // times, so only the latest turn's are stamped now.
        LoopDetector detector;
        AgentConversation c(Wire::OpenAiChat);
        c.user(QStringLiteral("Keep an eye on the deploy."));
        for (int i = 0; i < 10; ++i)
            c.toolCall(QStringLiteral("bash"), {{"command", "kubectl rollout status deploy/web"}}, QStringLiteral("Waiting for rollout to finish"));
        QVERIFY(!detector.observeRequest(c.request(QStringLiteral("watcher"), kStart)));
    }

    void questionReaskedTwiceAfterAnErrorDoesNotTrip_data() { addWires(); }
    void questionReaskedTwiceAfterAnErrorDoesNotTrip()
    {
        QFETCH(Wire, wire);
        LoopDetector detector;
        AgentConversation c(wire);
        c.user(QStringLiteral("What does the error 'database is locked' mean in our store, and how do we avoid it?"));
        // Asked, the upstream failed; asked again twice, the last one answered.
        for (int attempt = 0; attempt < 3; ++attempt)
            QVERIFY(!detector.observeRequest(c.request(QStringLiteral("asker"), kStart + attempt * 1200)));
        c.assistant(WorkspaceText::thought(1));
        c.user(QStringLiteral("Thanks. Now add a busy timeout."));
        QVERIFY(!detector.observeRequest(c.request(QStringLiteral("asker"), kStart + 9000)));
    }

    void velocityTripsANewSessionAt50PerSecond()
    {
        LoopDetector detector;
        std::optional<LoopTrip> trip;
        int sent = 0;
        for (; sent < 200 && !trip; ++sent) {
            AgentConversation c(Wire::OpenAiChat);
            c.user(WorkspaceText::words(QStringLiteral("q%1").arg(sent), 40)); // all different: not repetition
            trip = detector.observeRequest(c.request(QStringLiteral("burst"), kStart + sent * 20));
        }
        QVERIFY(trip);
        QCOMPARE(trip->signal, QStringLiteral("velocity"));
        // With no history of its own, only the higher floor trips it: 200 in 10 s.
        QCOMPARE(sent, 200);
        QVERIFY2(trip->evidence.startsWith(QStringLiteral("200 requests in 4.0 s, against none in the previous 5 minutes")), qPrintable(trip->evidence));
    }

    void aNewSteadyServiceIsNotTrippedByVelocity()
    {
        // Five varied requests a second from its first second on, for two minutes: a batch job.
        LoopDetector detector;
        for (int i = 0; i < 600; ++i) {
            AgentConversation c(Wire::OpenAiChat);
            c.user(WorkspaceText::words(QStringLiteral("item %1").arg(i), 40));
            QVERIFY2(!detector.observeRequest(c.request(QStringLiteral("batch"), kStart + i * 200)), qPrintable(QString::number(i)));
        }
    }

    void aFewSecondsOfHistoryIsNoHistory()
    {
        // A steady service at 5 a second whose first request lands anywhere in a bucket: its
        // first second is not the baseline it is measured against.
        for (const qint64 phase : {0, 3100, 9200, 9900}) {
            LoopDetector detector;
            for (int i = 0; i < 300; ++i) {
                AgentConversation c(Wire::OpenAiChat);
                c.user(WorkspaceText::words(QStringLiteral("row %1").arg(i), 40));
                const std::optional<LoopTrip> trip = detector.observeRequest(c.request(QStringLiteral("steady"), kStart + phase + i * 200));
                QVERIFY2(!trip, qPrintable(QStringLiteral("phase %1, request %2: %3").arg(phase).arg(i).arg(trip ? trip->evidence : QString())));
            }
        }
    }

    void aSessionSeededFromTheStoreKeepsItsRate()
    {
        // A service that sent 20 a second for the five minutes before a restart...
        LoopDetector detector;
        LoopDetectionConfig config;
        config.defaults.velocityMinRequestsWithoutHistory = 40; // as strict as the history floor
        detector.setConfig(config);
        detector.seedHistory(QStringLiteral("svc"), QStringLiteral("t"), 6000, kStart - 300000, kStart);
        // ...goes on at 20 a second after it: its own rate, not a burst.
        for (int i = 0; i < 400; ++i) {
            AgentConversation c(Wire::OpenAiChat);
            c.user(WorkspaceText::words(QStringLiteral("job %1").arg(i), 40));
            QVERIFY2(!detector.observeRequest(c.request(QStringLiteral("svc"), kStart + i * 50)), qPrintable(QString::number(i)));
        }
        // The same rate from a session with no history trips at the floor.
        std::optional<LoopTrip> trip;
        for (int i = 0; i < 400 && !trip; ++i) {
            AgentConversation c(Wire::OpenAiChat);
            c.user(WorkspaceText::words(QStringLiteral("job %1").arg(i), 40));
            trip = detector.observeRequest(c.request(QStringLiteral("fresh"), kStart + i * 50));
        }
        QVERIFY(trip);
        QCOMPARE(trip->signal, QStringLiteral("velocity"));
    }

    void velocityIsMeasuredAgainstTheSessionsOwnHistory()
    {
        LoopDetector detector;
        qint64 t = kStart;
        int n = 0;
        auto send = [&](qint64 gapMs) {
            AgentConversation c(Wire::OpenAiChat);
            c.user(WorkspaceText::words(QStringLiteral("batch %1").arg(n++), 40));
            t += gapMs;
            return detector.observeRequest(c.request(QStringLiteral("batch"), t));
        };
        // A batch job that has done 2 requests a second for five minutes, under a floor of 2.5 a
        // second (25 in the 10 s window)...
        LoopDetectionConfig config;
        config.defaults.velocityMinRequests = 25;
        detector.setConfig(config);
        for (int i = 0; i < 600; ++i)
            QVERIFY2(!send(500), qPrintable(QString::number(i)));
        // ...may go to 10 a second (5 times its own rate, 4 times the floor): not a runaway...
        for (int i = 0; i < 100; ++i)
            QVERIFY2(!send(100), qPrintable(QString::number(i)));
        // ...but 50 a second (many times it) is.
        std::optional<LoopTrip> trip;
        for (int i = 0; i < 500 && !trip; ++i)
            trip = send(20);
        QVERIFY(trip);
        QCOMPARE(trip->signal, QStringLiteral("velocity"));
        QVERIFY2(trip->evidence.contains(QStringLiteral("a second over the previous 5 minutes")), qPrintable(trip->evidence));
    }

    void spendVelocityTripsOverTheCeiling()
    {
        LoopDetector detector;
        LoopDetectionConfig config;
        config.defaults.spendTokensPerMinute = 1000000;
        config.defaults.spendCostMicrosPerMinute = 0;
        detector.setConfig(config);
        // 100k tokens every 10 s is 600k a minute: under.
        for (int i = 0; i < 12; ++i)
            QVERIFY(!detector.observeSpend(QStringLiteral("s"), QStringLiteral("t"), 100000, 300000, kStart + i * 10000));
        std::optional<LoopTrip> trip;
        int i = 0;
        for (; i < 30 && !trip; ++i)
            trip = detector.observeSpend(QStringLiteral("s"), QStringLiteral("t"), 100000, 300000, kStart + 120000 + i * 2000);
        QVERIFY(trip);
        QCOMPARE(trip->signal, QStringLiteral("spend_velocity"));
        QVERIFY2(trip->evidence.contains(QStringLiteral("over the ceiling of 1,000,000 a minute")), qPrintable(trip->evidence));

        config.defaults.spendTokensPerMinute = 0;
        config.defaults.spendCostMicrosPerMinute = 5000000;
        detector.setConfig(config);
        trip.reset();
        for (i = 0; i < 30 && !trip; ++i)
            trip = detector.observeSpend(QStringLiteral("rich"), QStringLiteral("t"), 1000, 1000000, kStart + i * 5000);
        QVERIFY(trip);
        QCOMPARE(i, 6); // $6 within a minute
        QVERIFY2(trip->evidence.startsWith(QStringLiteral("$6.00 in 60 s, over the ceiling of $5.00 a minute")), qPrintable(trip->evidence));
    }

    void warnModeSetsWarnOnly()
    {
        std::optional<LoopDetectionConfig> config = LoopDetectionConfig::fromJson(
            QJsonObject{{"mode", "block"}, {"rules", QJsonArray{QJsonObject{{"scope", "session"}, {"match", "ci-*"}, {"mode", "warn"}}}}}, nullptr);
        QVERIFY(config);
        LoopDetector detector;
        detector.setConfig(*config);
        auto loop = [&](const QString &session) {
            AgentConversation c(Wire::Anthropic);
            c.user(QStringLiteral("Try again."));
            std::optional<LoopTrip> trip;
            for (int i = 0; i < 20 && !trip; ++i)
                trip = detector.observeRequest(c.request(session, kStart + i * 1000));
            return trip;
        };
        const std::optional<LoopTrip> warned = loop(QStringLiteral("ci-nightly"));
        QVERIFY(warned);
        QVERIFY(warned->warnOnly);
        const std::optional<LoopTrip> blocked = loop(QStringLiteral("dev"));
        QVERIFY(blocked);
        QVERIFY(!blocked->warnOnly);
        QCOMPARE(blocked->cooldownSeconds, 300);
    }

    void aTrippedSessionStaysQuietUntilForgotten()
    {
        LoopDetector detector;
        AgentConversation c(Wire::OpenAiChat);
        c.user(QStringLiteral("Try again."));
        int i = 0;
        std::optional<LoopTrip> trip;
        for (; i < 20 && !trip; ++i)
            trip = detector.observeRequest(c.request(QStringLiteral("s"), kStart + i * 1000));
        QVERIFY(trip);
        // Tripped: one alert, not one per request.
        QVERIFY(!detector.observeRequest(c.request(QStringLiteral("s"), kStart + i * 1000)));
        detector.forget(QStringLiteral("s"));
        QCOMPARE(detector.trackedSessions(), 0);
        // Clean again: the same request needs the whole count before it trips once more.
        int again = 0;
        trip.reset();
        for (; again < 20 && !trip; ++again)
            trip = detector.observeRequest(c.request(QStringLiteral("s"), kStart + 60000 + again * 1000));
        QVERIFY(trip);
        QCOMPARE(again, 10);
    }

    void cooldownEndsATripByItself()
    {
        LoopDetectionConfig config;
        config.defaults.cooldownSeconds = 30;
        LoopDetector detector;
        detector.setConfig(config);
        AgentConversation c(Wire::Responses);
        c.user(QStringLiteral("Try again."));
        std::optional<LoopTrip> trip;
        int i = 0;
        for (; i < 20 && !trip; ++i)
            trip = detector.observeRequest(c.request(QStringLiteral("s"), kStart + i * 1000));
        QVERIFY(trip);
        QCOMPARE(trip->cooldownSeconds, 30);
        const qint64 trippedAt = kStart + (i - 1) * 1000;
        QVERIFY(!detector.observeRequest(c.request(QStringLiteral("s"), trippedAt + 29000)));
        // After the cooldown it starts clean: 9 more of the same pass, the 10th trips again.
        for (int k = 0; k < 9; ++k)
            QVERIFY2(!detector.observeRequest(c.request(QStringLiteral("s"), trippedAt + 30000 + k * 1000)), qPrintable(QString::number(k)));
        QVERIFY(detector.observeRequest(c.request(QStringLiteral("s"), trippedAt + 39000)));
    }

    void disabledOrOtherEndpointsObserveNothing()
    {
        LoopDetector detector;
        LoopDetectionConfig config;
        config.defaults.enabled = false;
        detector.setConfig(config);
        AgentConversation c(Wire::OpenAiChat);
        c.user(QStringLiteral("Try again."));
        for (int i = 0; i < 50; ++i)
            QVERIFY(!detector.observeRequest(c.request(QStringLiteral("s"), kStart + i * 10)));
        QCOMPARE(detector.trackedSessions(), 0);

        // Embeddings: batches of the same kind of input are normal, so they are not observed.
        detector.setConfig(LoopDetectionConfig());
        const QJsonObject embedding{{"model", "text-embedding-3-small"}, {"input", QJsonArray{"chunk one", "chunk two"}}};
        for (int i = 0; i < 200; ++i)
            QVERIFY(!detector.observeRequest(LoopRequest{QStringLiteral("indexer"), QStringLiteral("t"), kStart + i * 10, "/v1/embeddings", embedding}));
        QCOMPARE(detector.trackedSessions(), 0);
    }

    void rulesOverrideThresholdsFirstMatchWins()
    {
        QString error;
        std::optional<LoopDetectionConfig> config = LoopDetectionConfig::fromJson(
            QJsonObject{{"rules", QJsonArray{QJsonObject{{"scope", "tenant"}, {"match", "poller*"}, {"repetition", QJsonObject{{"count", 30}}}},
                                             QJsonObject{{"scope", "tenant"}, {"match", "*"}, {"enabled", false}}}}},
            &error);
        QVERIFY2(config, qPrintable(error));
        LoopDetector detector;
        detector.setConfig(*config);
        AgentConversation c(Wire::OpenAiChat);
        c.user(QStringLiteral("Is the deployment done yet?"));
        std::optional<LoopTrip> trip;
        int i = 0;
        for (; i < 40 && !trip; ++i)
            trip = detector.observeRequest(c.request(QStringLiteral("watch"), kStart + i * 3000, QStringLiteral("poller-ci")));
        QVERIFY(trip);
        QCOMPARE(i, 30);
        for (int k = 0; k < 40; ++k)
            QVERIFY(!detector.observeRequest(c.request(QStringLiteral("other"), kStart + k * 100, QStringLiteral("dev"))));
    }

    void memoryStaysBounded()
    {
        LoopDetectionConfig config;
        config.maxSessions = 1000;
        LoopDetector detector;
        detector.setConfig(config);
        AgentConversation c(Wire::Anthropic);
        c.user(QStringLiteral("Hello"));
        const LoopRequest base = c.request(QString(), kStart);
        int most = 0;
        for (int i = 0; i < 10000; ++i) {
            LoopRequest r = base;
            r.session = QStringLiteral("session-%1").arg(i);
            r.atMs = kStart + i; // all within every window: only the bound makes room
            detector.observeRequest(r);
            detector.observeOutput(r.session, r.tenant, QStringLiteral("Hi! How can I help you today with your code?"), r.atMs);
            detector.observeSpend(r.session, r.tenant, 100, 10, r.atMs);
            most = qMax(most, detector.trackedSessions());
        }
        QVERIFY2(most <= 1000, qPrintable(QString::number(most)));
        QVERIFY(detector.trackedSessions() > 500);
        // Idle past every window: swept.
        LoopRequest late = base;
        late.session = QStringLiteral("late");
        late.atMs = kStart + 3600 * 1000;
        for (int i = 0; i < 1100; ++i) {
            late.session = QStringLiteral("late-%1").arg(i);
            detector.observeRequest(late);
        }
        QVERIFY2(detector.trackedSessions() <= 1000, qPrintable(QString::number(detector.trackedSessions())));
        // A smaller bound applies at once.
        config.maxSessions = 100;
        detector.setConfig(config);
        QVERIFY2(detector.trackedSessions() <= 100, qPrintable(QString::number(detector.trackedSessions())));
        QVERIFY(detector.trackedSessions() > 50);
    }

    void costOfObserveRequest()
    {
        // A Claude Code-sized request: ~48 KB of system prompt, tools and history (about 12k tokens),
        // and one carrying a 200 KB file in its latest tool result.
        QString system;
        for (int i = 0; i < 40; ++i)
            system += WorkspaceText::words(QStringLiteral("system %1").arg(i), 150) + u'\n';
        AgentConversation c(Wire::Anthropic, system);
        c.user(QStringLiteral("Refactor the store layer."));
        std::vector<LoopRequest> requests;
        for (int step = 0; step < 64; ++step) {
            workStep(c, step);
            requests.push_back(c.request(QStringLiteral("claude"), kStart + step * 2000));
        }
        const qsizetype bytes = QJsonDocument(requests.back().body).toJson(QJsonDocument::Compact).size();
        QVERIFY2(bytes > 40000, qPrintable(QString::number(bytes)));
        LoopDetector detector;
        QElapsedTimer timer;
        timer.start();
        for (const LoopRequest &r : requests)
            QVERIFY(!detector.observeRequest(r));
        const double perRequestUs = double(timer.nsecsElapsed()) / 1000.0 / double(requests.size());

        AgentConversation big(Wire::Anthropic, system);
        big.user(QStringLiteral("Review this file."));
        big.toolCall(QStringLiteral("read_file"), {{"path", "huge.cpp"}}, WorkspaceText::words(QStringLiteral("huge"), 36000));
        const LoopRequest huge = big.request(QStringLiteral("big"), kStart);
        const qsizetype hugeBytes = QJsonDocument(huge.body).toJson(QJsonDocument::Compact).size();
        QVERIFY(hugeBytes > 200000);
        timer.restart();
        constexpr int kRuns = 50;
        for (int i = 0; i < kRuns; ++i) {
            LoopRequest r = huge;
            r.session = QStringLiteral("big-%1").arg(i % 5);
            r.atMs = kStart + i * 60000;
            detector.observeRequest(r);
        }
        const double hugeUs = double(timer.nsecsElapsed()) / 1000.0 / kRuns;
        qInfo("observeRequest: %.0f us for a %lld-byte Claude Code-sized body (64 turns), %.0f us for a %lld-byte one",
              perRequestUs, qlonglong(bytes), hugeUs, qlonglong(hugeBytes));
        QVERIFY2(perRequestUs < 2000, qPrintable(QString::number(perRequestUs)));
        QVERIFY2(hugeUs < 2000, qPrintable(QString::number(hugeUs)));
    }
};

QTEST_GUILESS_MAIN(tst_LoopDetector)
#include "tst_LoopDetector.moc"
