// UrlPath: dot segments resolved the RFC 3986 way, encoded ones too, and the paths that cannot be
// made safe refused.
#include "http/UrlPath.h"

#include <QtTest>

class tst_UrlPath : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void normalise_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("expected"); // empty: refused
        QTest::newRow("plain") << QByteArray("/v1/chat/completions") << QByteArray("/v1/chat/completions");
        QTest::newRow("root") << QByteArray("/") << QByteArray("/");
        QTest::newRow("single dot") << QByteArray("/v1/./models") << QByteArray("/v1/models");
        QTest::newRow("double dot inside") << QByteArray("/v1/chat/../models") << QByteArray("/v1/models");
        QTest::newRow("encoded lower") << QByteArray("/v1/x/%2e%2e/models") << QByteArray("/v1/models");
        QTest::newRow("encoded upper") << QByteArray("/v1/x/%2E%2E/models") << QByteArray("/v1/models");
        QTest::newRow("encoded mixed") << QByteArray("/v1/x/.%2E/models") << QByteArray("/v1/models");
        QTest::newRow("encoded single") << QByteArray("/v1/%2e/models") << QByteArray("/v1/models");
        QTest::newRow("trailing dot-dot") << QByteArray("/v1/models/..") << QByteArray("/v1/");
        QTest::newRow("trailing dot") << QByteArray("/v1/models/.") << QByteArray("/v1/models/");
        QTest::newRow("out of v1 but not root") << QByteArray("/v1/%2e%2e/admin/v1/keys") << QByteArray("/admin/v1/keys");
        QTest::newRow("above root") << QByteArray("/v1/%2e%2e/%2e%2e/admin/keys") << QByteArray();
        QTest::newRow("above root plain") << QByteArray("/../etc/passwd") << QByteArray();
        QTest::newRow("dots in a name stay") << QByteArray("/v1/files/a..b.txt") << QByteArray("/v1/files/a..b.txt");
        QTest::newRow("three dots stay") << QByteArray("/v1/files/...") << QByteArray("/v1/files/...");
        QTest::newRow("double encoding is not a dot") << QByteArray("/v1/%252e%252e/x") << QByteArray("/v1/%252e%252e/x");
        QTest::newRow("encoded slash in last segment") << QByteArray("/v1/models/meta-llama%2FLlama-3") << QByteArray("/v1/models/meta-llama%2FLlama-3");
        QTest::newRow("encoded slash routes") << QByteArray("/v1/chat%2fcompletions/x") << QByteArray();
        QTest::newRow("encoded slash hides dots") << QByteArray("/v1/..%2f..%2fadmin") << QByteArray();
        QTest::newRow("encoded backslash hides dots") << QByteArray("/v1/..%5c..%5cadmin") << QByteArray();
        QTest::newRow("raw backslash hides dots") << QByteArray("/v1/..\\..\\admin") << QByteArray();
        QTest::newRow("empty segments kept") << QByteArray("/v1//models") << QByteArray("/v1//models");
    }

    void normalise()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, expected);
        QString why;
        const std::optional<QByteArray> got = UrlPath::normalise(path, &why);
        if (expected.isEmpty()) {
            QVERIFY2(!got, got ? got->constData() : "");
            QVERIFY(why.contains(QString::fromUtf8(path)));
        } else {
            QVERIFY2(got, qPrintable(why));
            QCOMPARE(*got, expected);
        }
    }

    void firstSegment()
    {
        QCOMPARE(UrlPath::firstSegment("/v1/chat/completions"), QByteArray("v1"));
        QCOMPARE(UrlPath::firstSegment("/healthz"), QByteArray("healthz"));
        QCOMPARE(UrlPath::firstSegment("/"), QByteArray());
    }
};

QTEST_GUILESS_MAIN(tst_UrlPath)
#include "tst_UrlPath.moc"
