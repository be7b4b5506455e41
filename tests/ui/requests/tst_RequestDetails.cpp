// RequestDetails: every figure of the selected request, whether its counts are estimated, its
// output limit clamped, its price the fallback, and what its error means, in words.
#include "RequestSamples.h"
#include "requests/RequestDetails.h"

#include <QLabel>
#include <QPlainTextEdit>
#include <QtTest>

class tst_RequestDetails : public QObject
{
    Q_OBJECT
private slots:
    void showsEveryFigure()
    {
        RequestDetails details;
        UsageRecord r = RequestSamples::row("req-42", 200);
        r.cachedTokens = 800;
        r.reasoningTokens = 90;
        r.stream = true;
        r.requestHeaders = QStringLiteral("authorization: (hidden, 58 characters)\nx-session-id: s1\n");
        details.showRecord(&r);
        QVERIFY(details.findChild<QLabel *>("requestDetailsTitle")->text().contains("req-42"));
        QCOMPARE(field(details, "status"), QStringLiteral("200, streamed"));
        QCOMPARE(field(details, "tokens"), QStringLiteral("1,200 prompt (800 cached) · 300 completion (90 reasoning)"));
        QCOMPARE(field(details, "cost"), QStringLiteral("$0.0025 (USD)"));
        QCOMPARE(field(details, "latency"), QStringLiteral("420 ms · 120 ms"));
        QCOMPARE(field(details, "who"), QStringLiteral("default · s1 · simulator"));
        QCOMPARE(field(details, "limits"), QStringLiteral("as the client sent it"));
        QVERIFY(field(details, "accuracy").startsWith("Tokens as the upstream reported them"));
        QVERIFY(field(details, "error").isEmpty());
        QCOMPARE(details.findChild<QPlainTextEdit *>("requestHeaders")->toPlainText(),
                 QStringLiteral("authorization: (hidden, 58 characters)\nx-session-id: s1"));
    }

    void saysWhatIsApproximate()
    {
        RequestDetails details;
        UsageRecord r = RequestSamples::row("req-43", 200);
        r.estimated = true;
        r.priceKnown = false;
        r.clampedMaxTokens = 1500;
        details.showRecord(&r);
        QCOMPARE(field(details, "limits"), QStringLiteral("clamped to 1,500 tokens by a budget"));
        QVERIFY(field(details, "cost").endsWith("fallback price"));
        QVERIFY(field(details, "accuracy").contains("estimated by TokenFuse"));
        QVERIFY(field(details, "accuracy").contains("fallback price was used"));
    }

    void explainsTheError_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("words");
        QTest::newRow("budget") << 402 << QStringLiteral("budget_exceeded") << QStringLiteral("Budgets page");
        QTest::newRow("rate") << 429 << QStringLiteral("rate_limited") << QStringLiteral("Retry-After");
        QTest::newRow("blocked") << 403 << QStringLiteral("session_blocked") << QStringLiteral("Sessions page");
        QTest::newRow("timeout") << 504 << QStringLiteral("upstream_timeout") << QStringLiteral("timeout");
        QTest::newRow("unknown kind") << 500 << QStringLiteral("brand_new_kind") << QStringLiteral("brand_new_kind");
        QTest::newRow("plain upstream status") << 418 << QString() << QStringLiteral("answered 418");
    }

    void explainsTheError()
    {
        QFETCH(int, status);
        QFETCH(QString, kind);
        QFETCH(QString, words);
        RequestDetails details;
        const UsageRecord r = RequestSamples::row("req-44", status, "m", "s", "/v1/chat/completions", kind);
        details.showRecord(&r);
        QVERIFY2(field(details, "error").contains(words), qPrintable(field(details, "error")));
        QVERIFY(field(details, "error").startsWith(kind));
    }

    void nothingSelectedShowsTheHint()
    {
        RequestDetails details;
        const UsageRecord r = RequestSamples::row("req-45");
        details.showRecord(&r);
        details.showRecord(nullptr);
        QCOMPARE(details.shownId(), QString());
        QVERIFY(details.findChild<QPlainTextEdit *>("requestHeaders")->toPlainText().isEmpty());
    }

private:
    static QString field(const RequestDetails &details, const char *key)
    {
        const auto *label = details.findChild<QLabel *>(QStringLiteral("requestDetail_") + QLatin1String(key));
        return label && !label->isHidden() ? label->text() : QString();
    }
};

QTEST_MAIN(tst_RequestDetails)
#include "tst_RequestDetails.moc"
