// KeyRedactor: a provider key, or a long run of its leading characters, never survives in relayed text.
#include "http/HttpHeaders.h"
#include "proxy/KeyRedactor.h"

#include <QtTest>

class tst_KeyRedactor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void redact_data()
    {
        const QByteArray key = "sk-live-0123456789abcdefghijKLMNOP";
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("whole key") << key << QByteArray("{\"message\":\"bad key Bearer " + key + "\"}")
                                   << QByteArray("{\"message\":\"bad key Bearer sk-\xe2\x80\xa6REDACTED\"}");
        QTest::newRow("twice") << key << QByteArray(key + " and " + key) << QByteArray("sk-\xe2\x80\xa6REDACTED and sk-\xe2\x80\xa6REDACTED");
        QTest::newRow("long prefix") << key << QByteArray("key " + key.left(20) + "... is wrong") << QByteArray("key sk-\xe2\x80\xa6REDACTED... is wrong");
        QTest::newRow("short prefix stays") << key << QByteArray("keys look like sk-live-0123") << QByteArray("keys look like sk-live-0123");
        QTest::newRow("no key") << key << QByteArray("{\"error\":\"nope\"}") << QByteArray("{\"error\":\"nope\"}");
        QTest::newRow("empty key") << QByteArray() << QByteArray("anything") << QByteArray("anything");
    }

    void redact()
    {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, text);
        QFETCH(QByteArray, expected);
        QCOMPARE(KeyRedactor::redact(text, key), expected);
        if (!key.isEmpty())
            QVERIFY(!KeyRedactor::redact(text, key).contains(key.left(16)));
    }

    void scrubLikelyKeys_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("openai key") << "use sk-proj-AbCdEf0123456789xyzXYZ to call" << "use [key hidden] to call";
        QTest::newRow("anthropic key") << "key=sk-ant-api03-Zx9_8y-7w" << "key=[key hidden]";
        QTest::newRow("tokenfuse key") << "tf-0123456789abcdefABCD" << "[key hidden]";
        QTest::newRow("aws") << "AKIAIOSFODNN7EXAMPLE is mine" << "[key hidden] is mine";
        QTest::newRow("github") << "token ghp_0123456789abcdefghijABCDEFGHIJ" << "token [key hidden]";
        QTest::newRow("bearer") << "Authorization: Bearer abc.def.ghi-123" << "Authorization: Bearer [hidden]";
        QTest::newRow("password") << "password: hunter2hunter2" << "password: [hidden]";
        QTest::newRow("long mixed run") << "secretish 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 here"
                                        << "secretish [key hidden] here";
        QTest::newRow("prose stays") << "Fix the failing test in src/session/LoopDetector.cpp, then run 500 tokens."
                                     << "Fix the failing test in src/session/LoopDetector.cpp, then run 500 tokens.";
        QTest::newRow("long word without digits stays") << "pneumonoultramicroscopicsilicovolcanoconiosis"
                                                         << "pneumonoultramicroscopicsilicovolcanoconiosis";
        QTest::newRow("short sk word stays") << "ask-me sk-1" << "ask-me sk-1";
    }

    void scrubLikelyKeys()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QCOMPARE(KeyRedactor::scrubLikelyKeys(text), expected);
    }

    void headersForDisplayHideCredentials()
    {
        HttpHeaders h;
        h.add("Authorization", "Bearer sk-proj-0123456789abcdefghijklmnopqrstuvwxyz");
        h.add("x-api-key", "sk-ant-api03-abcdefghijklmnop");
        h.add("cookie", "session=abc");
        h.add("x-session-id", "planner-1");
        const QString text = KeyRedactor::headersForDisplay(h);
        QCOMPARE(text, QStringLiteral("Authorization: (hidden, 51 characters)\nx-api-key: (hidden, 29 characters)\n"
                                      "cookie: (hidden, 11 characters)\nx-session-id: planner-1\n"));
        // And the scrub that follows leaves the masks as they are.
        QCOMPARE(KeyRedactor::scrubLikelyKeys(text), text);
    }
};

QTEST_GUILESS_MAIN(tst_KeyRedactor)
#include "tst_KeyRedactor.moc"
