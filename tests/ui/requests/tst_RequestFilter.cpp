// RequestFilter, table-driven: each combination of status class, model, session, endpoint,
// "refused only" and text keeps exactly the rows it names.
#include "RequestSamples.h"
#include "requests/RequestFilter.h"
#include "requests/RequestLogModel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QtTest>

namespace {

struct Settings
{
    RequestFilter::Status status = RequestFilter::Status::All;
    QString model;
    QString session;
    QString endpoint;
    bool refusedOnly = false;
    QString text;
};

Settings make(RequestFilter::Status status = RequestFilter::Status::All, const QString &model = {}, const QString &session = {},
              const QString &endpoint = {}, bool refusedOnly = false, const QString &text = {})
{
    return Settings{status, model, session, endpoint, refusedOnly, text};
}

} // namespace
Q_DECLARE_METATYPE(Settings)

class tst_RequestFilter : public QObject
{
    Q_OBJECT
private slots:
    void keepsWhatItNames_data()
    {
        QTest::addColumn<Settings>("settings");
        QTest::addColumn<QStringList>("ids");
        using S = RequestFilter::Status;
        QTest::newRow("everything") << make() << QStringList{"r7", "r6", "r5", "r4", "r3", "r2", "r1", "r0"};
        QTest::newRow("ok") << make(S::Ok) << QStringList{"r5", "r1", "r0"};
        QTest::newRow("errors") << make(S::Errors) << QStringList{"r7", "r6", "r4", "r3", "r2"};
        QTest::newRow("refused") << make(S::Refused) << QStringList{"r6", "r4", "r3", "r2"};
        QTest::newRow("5xx") << make(S::UpstreamErrors) << QStringList{"r7"};
        QTest::newRow("refused only box") << make(S::All, QString(), QString(), QString(), true) << QStringList{"r6", "r4", "r3", "r2"};
        QTest::newRow("refused only and ok") << make(S::Ok, QString(), QString(), QString(), true) << QStringList{};
        QTest::newRow("model") << make(S::All, "claude-sonnet-4") << QStringList{"r5", "r4"};
        QTest::newRow("session") << make(S::All, QString(), "agent-2") << QStringList{"r7", "r6", "r3"};
        QTest::newRow("session refused") << make(S::Refused, QString(), "agent-2") << QStringList{"r6", "r3"};
        QTest::newRow("endpoint") << make(S::All, QString(), QString(), "/v1/messages") << QStringList{"r5", "r4"};
        QTest::newRow("text: error kind") << make(S::All, QString(), QString(), QString(), false, "RATE_lim") << QStringList{"r3"};
        QTest::newRow("text: status") << make(S::All, QString(), QString(), QString(), false, "402") << QStringList{"r4", "r2"};
        QTest::newRow("text: id") << make(S::All, QString(), QString(), QString(), false, " r6 ") << QStringList{"r6"};
        QTest::newRow("text: upstream") << make(S::Ok, QString(), QString(), QString(), false, "simulator") << QStringList{"r5", "r1", "r0"};
        QTest::newRow("nothing matches") << make(S::All, "gpt-4o-mini", QString(), "/v1/messages") << QStringList{};
    }

    void keepsWhatItNames()
    {
        QFETCH(Settings, settings);
        QFETCH(QStringList, ids);
        RequestLogModel model;
        model.append({
            RequestSamples::row("r0", 200, "gpt-4o-mini", "agent-1"),
            RequestSamples::row("r1", 200, "gpt-4o-mini", "agent-1"),
            RequestSamples::row("r2", 402, "gpt-4o-mini", "agent-1", "/v1/chat/completions", "budget_exceeded"),
            RequestSamples::row("r3", 429, "gpt-4o-mini", "agent-2", "/v1/chat/completions", "rate_limited"),
            RequestSamples::row("r4", 402, "claude-sonnet-4", "agent-3", "/v1/messages", "budget_exceeded"),
            RequestSamples::row("r5", 200, "claude-sonnet-4", "agent-3", "/v1/messages"),
            RequestSamples::row("r6", 403, "gpt-4o-mini", "agent-2", "/v1/chat/completions", "session_blocked"),
            RequestSamples::row("r7", 502, "gpt-4o-mini", "agent-2", "/v1/chat/completions", "upstream_error"),
        });
        RequestFilter filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.setStatus(settings.status);
        filter.setModelName(settings.model);
        filter.setSession(settings.session);
        filter.setEndpoint(settings.endpoint);
        filter.setRefusedOnly(settings.refusedOnly);
        filter.setText(settings.text);
        QStringList shown;
        for (int row = 0; row < filter.rowCount(); ++row)
            shown << filter.index(row, 0).data(RequestLogModel::IdRole).toString();
        QCOMPARE(shown, ids);
    }

    void newRowsAreFilteredAsTheyCome()
    {
        RequestLogModel model;
        RequestFilter filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.setRefusedOnly(true);
        model.append({RequestSamples::row("r0"), RequestSamples::row("r1", 402, "m", "s", "/v1/chat/completions", "budget_exceeded")});
        QCOMPARE(filter.rowCount(), 1);
        model.append({RequestSamples::row("r2", 429), RequestSamples::row("r3")});
        QCOMPARE(filter.rowCount(), 2);
    }

    // A full ring refilters in a few milliseconds: typing in the box stays smooth.
    void aFullRingFiltersQuickly()
    {
        RequestLogModel model;
        model.append(RequestSamples::rows(0, RequestLogModel::DefaultCapacity));
        RequestFilter filter;
        filter.setSourceModel(&model);
        QCOMPARE(filter.rowCount(), RequestLogModel::DefaultCapacity); // the proxy maps its rows on first use
        QElapsedTimer timer;
        timer.start();
        filter.setText(QStringLiteral("model-2"));
        const int byText = filter.rowCount();
        filter.setSession(QStringLiteral("s1"));
        const int bySession = filter.rowCount();
        const qint64 ms = timer.elapsed();
        QVERIFY(byText > bySession && bySession > 0);
        qInfo("two refilters of %d rows: %lld ms", model.rowCount(), ms);
        QVERIFY2(ms < 250, qPrintable(QString::number(ms)));
    }
};

QTEST_MAIN(tst_RequestFilter)
#include "tst_RequestFilter.moc"
