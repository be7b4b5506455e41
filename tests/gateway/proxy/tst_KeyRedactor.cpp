// KeyRedactor: a provider key, or a long run of its leading characters, never survives in relayed text.
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
};

QTEST_GUILESS_MAIN(tst_KeyRedactor)
#include "tst_KeyRedactor.moc"
