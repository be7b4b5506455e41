// PromptDigest: the latest turns and the tail's tool calls, read alike from OpenAI chat, Anthropic
// messages, Responses input and completions prompts; canonical tool arguments; capped reading;
// and, with Shingles, that a growing history does not make consecutive requests of normal work
// look alike.
#include "AgentConversation.h"
#include "WorkspaceText.h"
#include "session/PromptDigest.h"
#include "session/Shingles.h"

#include <QtTest>

Q_DECLARE_METATYPE(Wire)

namespace {
double similarity(const QString &a, const QString &b)
{
    return Shingles::resemblance(Shingles::sketch(Shingles::of(a, 1 << 20), 128), Shingles::sketch(Shingles::of(b, 1 << 20), 128), 128);
}
} // namespace

class tst_PromptDigest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void latestTurnsAndToolCalls_data()
    {
        QTest::addColumn<Wire>("wire");
        QTest::newRow("openai chat") << Wire::OpenAiChat;
        QTest::newRow("anthropic") << Wire::Anthropic;
        QTest::newRow("responses") << Wire::Responses;
    }
    void latestTurnsAndToolCalls()
    {
        QFETCH(Wire, wire);
        AgentConversation c(wire, QStringLiteral("SYSTEM PROMPT TEXT"));
        c.user(QStringLiteral("first question about the parser"));
        c.toolCall(QStringLiteral("grep"), {{"pattern", "parse"}, {"path", "src"}}, QStringLiteral("src/a.cpp: parse()"), QStringLiteral("searching"));
        c.toolCall(QStringLiteral("read_file"), {{"path", "src/a.cpp"}}, QStringLiteral("int parse() { return 0; }"), QStringLiteral("reading it now"));
        const PromptDigest d = PromptDigest::read(c.endpoint(), c.body());
        QVERIFY(d.counted);
        QVERIFY2(d.latestInput.contains(QStringLiteral("int parse() { return 0; }")), qPrintable(d.latestInput));
        QVERIFY(!d.latestInput.contains(QStringLiteral("first question")));
        QVERIFY2(d.latestAssistant.contains(QStringLiteral("reading it now")), qPrintable(d.latestAssistant));
        QVERIFY(d.latestAssistant.contains(QStringLiteral("read_file call ")));
        QVERIFY(!d.latestAssistant.contains(QStringLiteral("searching")));
        QVERIFY(!d.latestTurns().contains(QStringLiteral("SYSTEM PROMPT")));
        QCOMPARE(d.toolCalls.size(), 2);
        QCOMPARE(d.toolCalls.at(0).name, QStringLiteral("grep"));
        QCOMPARE(d.toolCalls.at(1).name, QStringLiteral("read_file"));
        QVERIFY(!d.toolCalls.at(0).latest);
        QVERIFY(d.toolCalls.at(1).latest);
        QCOMPARE(d.toolCalls.at(0).result, QStringLiteral("src/a.cpp: parse()\n"));
        QCOMPARE(d.toolCalls.at(1).result, QStringLiteral("int parse() { return 0; }\n"));
        QVERIFY(d.toolCalls.at(0).key != d.toolCalls.at(1).key);
        QVERIFY(!d.toolCalls.at(0).key.isEmpty());
        QCOMPARE(d.toolCalls.at(1).arguments, PromptDigest::read(c.endpoint(), c.body()).toolCalls.at(1).arguments);
    }

    void canonicalArguments()
    {
        QCOMPARE(PromptDigest::canonicalJson(QJsonValue(QStringLiteral("{ \"b\": 1,\n \"a\": [1, 2] }"))), QByteArray(R"({"a":[1,2],"b":1})"));
        QCOMPARE(PromptDigest::canonicalJson(QJsonObject{{"b", 1}, {"a", QJsonArray{1, 2}}}), QByteArray(R"({"a":[1,2],"b":1})"));
        QCOMPARE(PromptDigest::canonicalJson(QJsonValue(QStringLiteral("  not json "))), QByteArray("not json"));
        // The same arguments in another key order and spacing are the same call, in both shapes.
        auto argsOf = [](const QJsonObject &body, const QByteArray &endpoint) { return PromptDigest::read(endpoint, body).toolCalls.value(0).arguments; };
        const QJsonObject openAi{{"messages", QJsonArray{QJsonObject{{"role", "assistant"}, {"tool_calls", QJsonArray{QJsonObject{
                                     {"id", "call_1"}, {"function", QJsonObject{{"name", "f"}, {"arguments", "{\"x\": 1, \"a\": \"b\"}"}}}}}}}}}};
        const QJsonObject anthropic{{"messages", QJsonArray{QJsonObject{{"role", "assistant"}, {"content", QJsonArray{QJsonObject{
                                        {"type", "tool_use"}, {"id", "toolu_1"}, {"name", "f"}, {"input", QJsonObject{{"a", "b"}, {"x", 1}}}}}}}}}};
        QCOMPARE(argsOf(openAi, "/v1/chat/completions"), argsOf(anthropic, "/v1/messages"));
        QVERIFY(argsOf(openAi, "/v1/chat/completions") != 0);
    }

    void otherShapes()
    {
        const PromptDigest completions = PromptDigest::read("/v1/completions", QJsonObject{{"prompt", "Once upon a time"}});
        QVERIFY(completions.counted);
        QVERIFY(completions.latestInput.contains(QStringLiteral("Once upon a time")));
        QVERIFY(PromptDigest::read("/v1/completions", QJsonObject{{"prompt", QJsonArray{"one", "two"}}}).latestInput.contains(QStringLiteral("two")));
        QVERIFY(PromptDigest::read("/v1/completions", QJsonObject{{"prompt", QJsonArray{}}}).latestInput.isEmpty());
        const PromptDigest responses = PromptDigest::read("/v1/responses", QJsonObject{{"input", "Just a string"}});
        QVERIFY(responses.latestInput.contains(QStringLiteral("Just a string")));
        // OpenAI content parts; an image is a word of its own, so two pictures differ.
        auto withImage = [](const char *url) {
            return PromptDigest::read("/v1/chat/completions", QJsonObject{{"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", QJsonArray{
                QJsonObject{{"type", "text"}, {"text", "what is in this picture"}},
                QJsonObject{{"type", "image_url"}, {"image_url", QJsonObject{{"url", url}}}}}}}}}});
        };
        const PromptDigest one = withImage("data:image/png;base64,AAAA"), two = withImage("data:image/png;base64,BBBB");
        QVERIFY(one.latestInput.contains(QStringLiteral("what is in this picture")));
        QVERIFY(one.latestInput != two.latestInput);
        QVERIFY(!PromptDigest::read("/v1/embeddings", QJsonObject{{"input", "x"}}).counted);
        QVERIFY(!PromptDigest::read("/v1/messages/count_tokens", QJsonObject{{"messages", QJsonArray{}}}).counted);
    }

    void aGrowingHistoryDoesNotLookRepeated()
    {
        // Normal work: every request re-sends the whole history, so whole bodies are nearly the
        // same from one request to the next (a coding agent's system prompt alone is ~10k tokens);
        // their latest turns are not.
        QString system;
        for (int i = 0; i < 30; ++i)
            system += WorkspaceText::words(QStringLiteral("system %1").arg(i), 150) + u'\n';
        AgentConversation c(Wire::Anthropic, system);
        c.user(QStringLiteral("Port the store to WAL mode."));
        double worstLatest = 0, leastWhole = 1;
        QString previousLatest, previousWhole;
        for (int step = 0; step < 20; ++step) {
            const QString path = QStringLiteral("store/File%1.cpp").arg(step);
            c.toolCall(step % 2 ? QStringLiteral("read_file") : QStringLiteral("edit_file"), {{"path", path}}, WorkspaceText::file(path),
                       QStringLiteral("Next I look at %1.").arg(path));
            const QJsonObject body = c.body();
            const QString latest = PromptDigest::read("/v1/messages", body).latestTurns();
            const QString whole = QString::fromUtf8(QJsonDocument(body).toJson());
            if (step > 0) {
                worstLatest = qMax(worstLatest, similarity(latest, previousLatest));
                leastWhole = qMin(leastWhole, similarity(whole, previousWhole));
            }
            previousLatest = latest;
            previousWhole = whole;
        }
        QVERIFY2(leastWhole > 0.85, qPrintable(QString::number(leastWhole)));
        QVERIFY2(worstLatest < 0.5, qPrintable(QString::number(worstLatest)));
    }

    void aHugeBodyIsReadCapped()
    {
        AgentConversation c(Wire::OpenAiChat);
        c.user(QStringLiteral("read it"));
        c.toolCall(QStringLiteral("read_file"), {{"path", "big.txt"}}, QString(300000, u'x'));
        const PromptDigest d = PromptDigest::read(c.endpoint(), c.body());
        QVERIFY(d.latestInput.size() <= PromptDigest::MaxTextChars + 1);
        QVERIFY(d.latestAssistant.size() <= PromptDigest::MaxTextChars + 1);
    }
};

QTEST_GUILESS_MAIN(tst_PromptDigest)
#include "tst_PromptDigest.moc"
