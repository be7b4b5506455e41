// ConnectSnippets: the snippets' text for a given address, key and session, quoted for their
// language, with the placeholder key where none is chosen.
#include "connect/ConnectSnippets.h"

#include <QtTest>

namespace {

QString textOf(const QList<ConnectSnippets::Snippet> &snippets, const QString &id)
{
    for (const ConnectSnippets::Snippet &s : snippets)
        if (s.id == id)
            return s.text;
    return {};
}

} // namespace

class tst_ConnectSnippets : public QObject
{
    Q_OBJECT
private slots:
    void everyClientIsCovered()
    {
        QStringList ids;
        for (const ConnectSnippets::Snippet &s : ConnectSnippets::all({"http://127.0.0.1:8400", {}, {}}))
            ids << s.id;
        QCOMPARE(ids, (QStringList{"curl-openai", "curl-anthropic", "python-openai", "python-anthropic", "node-openai",
                                   "node-anthropic", "claude-code", "codex", "env"}));
    }

    void baseUrlsAsEachClientTakesThem()
    {
        const auto s = ConnectSnippets::all({"http://127.0.0.1:9123", {}, {}});
        QVERIFY(textOf(s, "curl-openai").startsWith("curl -s http://127.0.0.1:9123/v1/chat/completions"));
        QVERIFY(textOf(s, "curl-anthropic").startsWith("curl -s http://127.0.0.1:9123/v1/messages"));
        QVERIFY(textOf(s, "python-openai").contains("base_url=\"http://127.0.0.1:9123/v1\""));
        QVERIFY(textOf(s, "python-anthropic").contains("base_url=\"http://127.0.0.1:9123\","));
        QVERIFY(textOf(s, "node-openai").contains("baseURL: \"http://127.0.0.1:9123/v1\""));
        QVERIFY(textOf(s, "node-anthropic").contains("baseURL: \"http://127.0.0.1:9123\","));
        QVERIFY(textOf(s, "claude-code").startsWith("export ANTHROPIC_BASE_URL=http://127.0.0.1:9123\n"));
        QVERIFY(textOf(s, "codex").contains("base_url = \"http://127.0.0.1:9123/v1\"\nwire_api = \"responses\""));
        QVERIFY(textOf(s, "env").contains("export OPENAI_BASE_URL=http://127.0.0.1:9123/v1\n"));
        QVERIFY(textOf(s, "env").contains("export ANTHROPIC_BASE_URL=http://127.0.0.1:9123\n"));
    }

    void thePlaceholderOrTheKey()
    {
        for (const ConnectSnippets::Snippet &s : ConnectSnippets::all({"http://127.0.0.1:8400", {}, {}}))
            QVERIFY2(s.text.contains(QLatin1String(ConnectSnippets::PlaceholderKey)), qPrintable(s.id));
        for (const ConnectSnippets::Snippet &s : ConnectSnippets::all({"http://127.0.0.1:8400", "tf-abc123", {}})) {
            QVERIFY2(s.text.contains("tf-abc123"), qPrintable(s.id));
            QVERIFY2(!s.text.contains(QLatin1String(ConnectSnippets::PlaceholderKey)), qPrintable(s.id));
        }
    }

    void theSessionHeaderOnlyWhenNamed()
    {
        const auto named = ConnectSnippets::all({"http://127.0.0.1:8400", {}, "my-app"});
        QVERIFY(textOf(named, "curl-openai").contains("-H 'X-Session-ID: my-app'"));
        QVERIFY(textOf(named, "python-openai").contains("default_headers={\"X-Session-ID\": \"my-app\"}"));
        QVERIFY(textOf(named, "node-anthropic").contains("defaultHeaders: { \"X-Session-ID\": \"my-app\" }"));
        for (const ConnectSnippets::Snippet &s : ConnectSnippets::all({"http://127.0.0.1:8400", {}, {}}))
            QVERIFY2(!s.text.contains("X-Session-ID"), qPrintable(s.id));
    }

    void oddCharactersStayQuoted()
    {
        const auto s = ConnectSnippets::all({"http://127.0.0.1:8400", "k'ey\"x", "it's \"mine\""});
        QVERIFY(textOf(s, "curl-openai").contains("'Authorization: Bearer k'\\''ey\"x'"));
        QVERIFY(textOf(s, "curl-openai").contains("'X-Session-ID: it'\\''s \"mine\"'"));
        QVERIFY(textOf(s, "node-openai").contains("apiKey: \"k'ey\\\"x\""));
    }

    void noFinalNewline()
    {
        // Pasted into a terminal, a command waits for Enter.
        for (const ConnectSnippets::Snippet &s : ConnectSnippets::all({"http://127.0.0.1:8400", {}, "s"}))
            QVERIFY2(!s.text.endsWith('\n'), qPrintable(s.id));
    }
};

QTEST_MAIN(tst_ConnectSnippets)
#include "tst_ConnectSnippets.moc"
