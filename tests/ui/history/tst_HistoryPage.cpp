// The History page end to end: a real gateway on its own thread (the simulator answering), real
// requests over a socket, the page pointed at the gateway's database and fed its snapshots. The
// spend shows up without a click, equal to what GET /admin/v1/usage adds up; the CSV export
// holds exactly the rows shown; the chart gets every bucket and key. Then a realistic month
// written through UsageStore, grabbed in a light and a dark palette.
#include "ConsoleWiring.h"
#include "GatewayClient.h"
#include "GatewayUnderTest.h"
#include "HistorySamples.h"
#include "charts/HistoryChart.h"
#include "core/GatewayHost.h"
#include "history/HistoryModel.h"
#include "history/HistoryPage.h"

#include <QApplication>
#include <QComboBox>
#include <QDateEdit>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPushButton>
#include <QStyleFactory>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <memory>

namespace {

QByteArray chat(const QString &model)
{
    return QJsonDocument(QJsonObject{{"model", model},
                                     {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", "write a haiku about ledgers"}}}}})
        .toJson(QJsonDocument::Compact);
}

// RFC 4180 records: quoted fields with doubled quotes, CRLF line ends.
QList<QStringList> parseCsv(const QString &text)
{
    QList<QStringList> records;
    QStringList record;
    QString field;
    bool quoted = false;
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('"')) {
                field += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            record.append(field);
            field.clear();
        } else if (c == QLatin1Char('\r') && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('\n')) {
            record.append(field);
            records.append(record);
            record.clear();
            field.clear();
            ++i;
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !record.isEmpty()) {
        record.append(field);
        records.append(record);
    }
    return records;
}

} // namespace

class tst_HistoryPage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void requestsJustMadeShowUpWithTheirSpend();
    void splitByModelMatchesTheAdminApi();
    void csvExportWritesTheRowsShown();
    void theChartGetsEveryBucketAndKey();
    void theNewestChoiceWins();
    void anEmptyRangeSaysSo();
    void aMonthLooksRight_data();
    void aMonthLooksRight();

private:
    QJsonObject adminUsage(const QString &groupBy);
    qint64 todayStart() const { return QDate::currentDate().startOfDay().toMSecsSinceEpoch(); }

    QTemporaryDir m_dataDir;
    GatewayHost *m_host = nullptr;
    std::unique_ptr<HistoryPage> m_page;
    QString m_databasePath;
    quint16 m_port = 0;
    int m_made = 0;
};

void tst_HistoryPage::initTestCase()
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QString error;
    m_host = GatewayUnderTest::create(QJsonObject{}, m_dataDir.path(), this, &error);
    QVERIFY2(m_host, qPrintable(error));
    m_page = std::make_unique<HistoryPage>();
    m_page->resize(1100, 720);
    connect(m_host, &GatewayHost::started, this, [this](const QString &, const QString &databasePath, quint16) {
        m_databasePath = databasePath;
        m_page->setDatabasePath(databasePath);
    });
    connect(m_host, &GatewayHost::snapshotReady, m_page.get(), &HistoryPage::applySnapshot);
    m_port = GatewayUnderTest::start(m_host);
    QVERIFY(m_port != 0);
    QTRY_VERIFY(!m_databasePath.isEmpty());
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
    QTRY_COMPARE(m_page->stateText(), QStringLiteral("No requests in this range"));
}

void tst_HistoryPage::cleanupTestCase()
{
    m_page.reset();
    if (m_host)
        m_host->stop();
}

QJsonObject tst_HistoryPage::adminUsage(const QString &groupBy)
{
    GatewayClient http(m_port, m_dataDir.path());
    const QByteArray route = QStringLiteral("usage?from=%1&to=%2&group_by=%3")
                                 .arg(todayStart() - 6 * 24 * 3600000LL)
                                 .arg(QDate::currentDate().addDays(1).startOfDay().toMSecsSinceEpoch())
                                 .arg(groupBy)
                                 .toUtf8();
    const GatewayClient::Reply reply = http.admin("GET", route);
    if (reply.status != 200)
        qWarning("GET /admin/v1/%s: %d %s", route.constData(), reply.status, reply.body.constData());
    return QJsonDocument::fromJson(reply.body).object();
}

void tst_HistoryPage::requestsJustMadeShowUpWithTheirSpend()
{
    GatewayClient client(m_port, m_dataDir.path());
    const QStringList models{"gpt-4o-mini", "claude-sonnet-4", "gpt-4o-mini", "deepseek-chat", "gpt-4o-mini"};
    for (int i = 0; i < models.size(); ++i) {
        HttpHeaders headers;
        headers.add("content-type", "application/json");
        headers.add("x-tenant-id", i % 2 ? QByteArray("acme, \"west\"") : QByteArray("globex"));
        const GatewayClient::Reply reply = client.call("/v1/chat/completions", chat(models[i]), headers);
        QCOMPARE(reply.status, 200);
        ++m_made;
    }
    // No refresh by hand: the snapshots say requests ended, the page reads the store again.
    QTRY_COMPARE_WITH_TIMEOUT(m_page->model()->total().requests, qint64(m_made), 10000);
    const QJsonObject total = adminUsage(QStringLiteral("day")).value("total").toObject();
    QCOMPARE(total.value("requests").toInteger(), qint64(m_made));
    QVERIFY(total.value("cost_micros").toInteger() > 0);
    QCOMPARE(m_page->model()->total().costMicros, total.value("cost_micros").toInteger());
    QCOMPARE(m_page->model()->total().promptTokens, total.value("prompt_tokens").toInteger());
    QCOMPARE(m_page->model()->total().completionTokens, total.value("completion_tokens").toInteger());
    QCOMPARE(m_page->stateText(), QString());
    QVERIFY2(m_page->totalsText().endsWith(QStringLiteral("· %1 requests in the last 7 days").arg(m_made)),
             qPrintable(m_page->totalsText()));
    QVERIFY(m_page->findChild<QPushButton *>(QStringLiteral("historyExport"))->isEnabled());
}

void tst_HistoryPage::splitByModelMatchesTheAdminApi()
{
    auto *split = m_page->findChild<QComboBox *>(QStringLiteral("historySplit"));
    split->setCurrentIndex(1); // by model (already, by default): ask again anyway
    m_page->refresh();
    QTRY_COMPARE(m_page->model()->split(), UsageQuery::Split::Model);
    QTRY_COMPARE(m_page->model()->total().requests, qint64(m_made));
    QHash<QString, qint64> pageCost;
    for (const UsageSeriesRow &row : m_page->model()->rows())
        pageCost[row.key] += row.costMicros;
    const QJsonArray groups = adminUsage(QStringLiteral("model")).value("groups").toArray();
    QCOMPARE(pageCost.size(), groups.size());
    for (const QJsonValue &group : groups) {
        const QString key = group.toObject().value("key").toString();
        QCOMPARE(pageCost.value(key), group.toObject().value("cost_micros").toInteger());
    }
}

void tst_HistoryPage::csvExportWritesTheRowsShown()
{
    auto *split = m_page->findChild<QComboBox *>(QStringLiteral("historySplit"));
    split->setCurrentIndex(2); // by tenant: one of them has a comma and quotes in its name
    QTRY_COMPARE(m_page->model()->split(), UsageQuery::Split::Tenant);
    QTRY_COMPARE(m_page->model()->total().requests, qint64(m_made));
    m_page->setCurrency(QStringLiteral("USD"));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.csv"));
    QString error;
    QVERIFY2(m_page->exportCsv(path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(bytes.contains("\"acme, \"\"west\"\"\""));
    const QList<QStringList> records = parseCsv(QString::fromUtf8(bytes));
    const HistoryModel *model = m_page->model();
    QCOMPARE(records.size(), model->rowCount() + 1);
    QCOMPARE(records.first(), (QStringList{"bucket_start", "tenant", "requests", "prompt_tokens", "completion_tokens", "cost", "currency"}));
    for (int r = 0; r < model->rowCount(); ++r) {
        const QStringList &cells = records.at(r + 1);
        QCOMPARE(cells.size(), 7);
        const auto raw = [&](int column) { return model->index(r, column).data(HistoryModel::RawRole); };
        const QDateTime bucket = QDateTime::fromString(cells[0], Qt::ISODate);
        QVERIFY2(bucket.isValid(), qPrintable(cells[0]));
        QCOMPARE(bucket.toMSecsSinceEpoch(), raw(HistoryModel::BucketColumn).toLongLong());
        QCOMPARE(bucket.offsetFromUtc(), QDateTime::fromMSecsSinceEpoch(bucket.toMSecsSinceEpoch()).offsetFromUtc());
        QCOMPARE(cells[1], raw(HistoryModel::KeyColumn).toString());
        QCOMPARE(cells[2].toLongLong(), raw(HistoryModel::RequestsColumn).toLongLong());
        QCOMPARE(cells[3].toLongLong(), raw(HistoryModel::PromptColumn).toLongLong());
        QCOMPARE(cells[4].toLongLong(), raw(HistoryModel::CompletionColumn).toLongLong());
        QVERIFY2(QRegularExpression(QStringLiteral("^\\d+\\.\\d{6}$")).match(cells[5]).hasMatch(), qPrintable(cells[5]));
        QCOMPARE(std::llround(cells[5].toDouble() * 1e6), raw(HistoryModel::CostColumn).toLongLong());
        QCOMPARE(cells[6], QStringLiteral("USD"));
    }
}

void tst_HistoryPage::theChartGetsEveryBucketAndKey()
{
    auto *split = m_page->findChild<QComboBox *>(QStringLiteral("historySplit"));
    split->setCurrentIndex(1);
    QTRY_COMPARE(m_page->model()->split(), UsageQuery::Split::Model);
    QTRY_COMPARE(m_page->model()->total().requests, qint64(m_made));
    const HistoryChart *chart = m_page->chart();
    const UsageSeriesRow total = m_page->model()->total();
    QCOMPARE(chart->bucketCount(), 7);  // every day of the range, empty ones too
    QCOMPARE(chart->keyCount(), 3);     // three models asked for
    QCOMPARE(chart->barCount(), 3 * 7);
    QCOMPARE(chart->pointCount(), 0);
    QCOMPARE(chart->title(), QStringLiteral("Cost per day"));
    QVERIFY2(chart->axisLabels().contains(QStringLiteral("$0.00")), qPrintable(chart->axisLabels().join(u'|')));
    QVERIFY(std::abs(chart->plottedTotal() - double(total.costMicros) / 1e6) < 1e-9);

    m_page->findChild<QComboBox *>(QStringLiteral("historyChartStyle"))->setCurrentIndex(1);
    QCOMPARE(chart->style(), HistoryChart::Style::Lines);
    QCOMPARE(chart->barCount(), 0);
    QCOMPARE(chart->pointCount(), 3 * 7);
    m_page->findChild<QComboBox *>(QStringLiteral("historyMetric"))->setCurrentIndex(1);
    QCOMPARE(chart->plottedTotal(), double(total.promptTokens + total.completionTokens));
    QCOMPARE(chart->title(), QStringLiteral("Tokens per day"));

    // Today by hour: 24 buckets (23 or 25 on a daylight-saving day).
    m_page->findChild<QComboBox *>(QStringLiteral("historyRange"))->setCurrentIndex(int(HistoryPage::Range::Today));
    QTRY_COMPARE(m_page->model()->bucket(), UsageQuery::Bucket::Hour);
    const qint64 dayLength = QDate::currentDate().addDays(1).startOfDay().toMSecsSinceEpoch() - todayStart();
    QTRY_COMPARE(chart->bucketCount(), int(dayLength / 3600000));
    QCOMPARE(chart->pointCount(), 3 * chart->bucketCount());
    m_page->findChild<QComboBox *>(QStringLiteral("historyChartStyle"))->setCurrentIndex(0);
    m_page->findChild<QComboBox *>(QStringLiteral("historyMetric"))->setCurrentIndex(0);
    m_page->findChild<QComboBox *>(QStringLiteral("historyRange"))->setCurrentIndex(int(HistoryPage::Range::Last7Days));
    QTRY_COMPARE(m_page->model()->bucket(), UsageQuery::Bucket::Day);
}

void tst_HistoryPage::theNewestChoiceWins()
{
    auto *split = m_page->findChild<QComboBox *>(QStringLiteral("historySplit"));
    const int shownBefore = m_page->shownAnswers();
    // Clicking through faster than the reader answers: only the last choice ends up shown.
    for (int round = 0; round < 5; ++round)
        for (int i = 0; i < 4; ++i)
            split->setCurrentIndex(i);
    split->setCurrentIndex(3);
    QTRY_COMPARE(m_page->model()->split(), UsageQuery::Split::Session);
    QTRY_COMPARE(m_page->model()->total().requests, qint64(m_made));
    QVERIFY2(m_page->shownAnswers() - shownBefore < 20, qPrintable(QString::number(m_page->shownAnswers() - shownBefore)));
    split->setCurrentIndex(1);
    QTRY_COMPARE(m_page->model()->split(), UsageQuery::Split::Model);
}

void tst_HistoryPage::anEmptyRangeSaysSo()
{
    auto *range = m_page->findChild<QComboBox *>(QStringLiteral("historyRange"));
    range->setCurrentIndex(int(HistoryPage::Range::Custom));
    auto *from = m_page->findChild<QDateEdit *>(QStringLiteral("historyFrom"));
    auto *to = m_page->findChild<QDateEdit *>(QStringLiteral("historyTo"));
    QVERIFY(from->isVisible() && to->isVisible());
    from->setDate(QDate(2024, 1, 1));
    to->setDate(QDate(2024, 1, 31));
    QTRY_COMPARE(m_page->stateText(), QStringLiteral("No requests in this range"));
    QCOMPARE(m_page->model()->rowCount(), 0);
    QVERIFY(!m_page->findChild<QPushButton *>(QStringLiteral("historyExport"))->isEnabled());
    QVERIFY2(m_page->totalsText().endsWith(QStringLiteral("0 requests from 1 Jan to 31 Jan 2024")), qPrintable(m_page->totalsText()));
    range->setCurrentIndex(int(HistoryPage::Range::Last7Days));
    QVERIFY(!from->isVisible());
    QTRY_COMPARE(m_page->model()->total().requests, qint64(m_made));
}

void tst_HistoryPage::aMonthLooksRight_data()
{
    QTest::addColumn<bool>("dark");
    QTest::addColumn<int>("range");
    QTest::addColumn<int>("style");
    QTest::newRow("light-7days-bars") << false << int(HistoryPage::Range::Last7Days) << 0;
    QTest::newRow("dark-7days-bars") << true << int(HistoryPage::Range::Last7Days) << 0;
    QTest::newRow("light-30days-lines") << false << int(HistoryPage::Range::Last30Days) << 1;
    QTest::newRow("dark-today-bars") << true << int(HistoryPage::Range::Today) << 0;
}

void tst_HistoryPage::aMonthLooksRight()
{
    QFETCH(bool, dark);
    QFETCH(int, range);
    QFETCH(int, style);
    QTemporaryDir dataDir;
    const QList<UsageRecord> rows = HistorySamples::month(30);
    const QString path = HistorySamples::write(dataDir.path(), rows);
    QVERIFY(!path.isEmpty());

    QPalette palette = QApplication::style()->standardPalette();
    if (dark) {
        palette.setColor(QPalette::Window, QColor(0x20, 0x22, 0x26));
        palette.setColor(QPalette::Base, QColor(0x18, 0x1a, 0x1d));
        palette.setColor(QPalette::AlternateBase, QColor(0x24, 0x26, 0x2b));
        palette.setColor(QPalette::Button, QColor(0x2c, 0x2f, 0x34));
        for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
            palette.setColor(role, QColor(0xe6, 0xe6, 0xe6));
    }
    QApplication::setPalette(palette);
    HistoryPage page;
    page.setPalette(palette);
    page.resize(1100, 720);
    page.findChild<QComboBox *>(QStringLiteral("historyRange"))->setCurrentIndex(range);
    page.findChild<QComboBox *>(QStringLiteral("historyChartStyle"))->setCurrentIndex(style);
    page.setDatabasePath(path);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QTRY_VERIFY(page.model()->rowCount() > 0);
    QCOMPARE(page.stateText(), QString());
    qint64 expected = 0;
    qint64 from = 0;
    qint64 to = QDate::currentDate().addDays(1).startOfDay().toMSecsSinceEpoch();
    const int days = range == int(HistoryPage::Range::Today) ? 1 : range == int(HistoryPage::Range::Last7Days) ? 7 : 30;
    from = QDate::currentDate().addDays(1 - days).startOfDay().toMSecsSinceEpoch();
    for (const UsageRecord &r : rows)
        if (r.startedAt >= from && r.startedAt < to)
            expected += r.costMicros;
    QCOMPARE(page.model()->total().costMicros, expected);
    const QString dir = qEnvironmentVariable("TOKENFUSE_SCREENSHOTS", QDir::tempPath());
    const QString file = QDir(dir).filePath(QStringLiteral("history-%1.png").arg(QString::fromLatin1(QTest::currentDataTag())));
    QVERIFY(page.grab().save(file));
    qInfo("saved %s", qPrintable(file));
    QApplication::setPalette(QApplication::style()->standardPalette());
}

QTEST_MAIN(tst_HistoryPage)
#include "tst_HistoryPage.moc"
