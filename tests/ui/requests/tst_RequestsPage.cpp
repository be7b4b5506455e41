// The Requests page end to end: a real gateway on its own thread (the built-in simulator
// answering) feeds the page its snapshots; a client makes real requests over a socket. They show
// up as rows, a budget refusal shows as refused and is what "Refused only" keeps, showSession()
// selects a session's latest request, and the details show its headers with the key redacted.
#include "ConsoleWiring.h"
#include "GatewayClient.h"
#include "GatewayUnderTest.h"
#include "ConsoleFormat.h"
#include "RequestSamples.h"
#include "admin/AdminChannel.h"
#include "core/GatewayHost.h"
#include "requests/RequestFilter.h"
#include "requests/RequestLogModel.h"
#include "requests/RequestsPage.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonObject>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QStyleFactory>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

namespace {

const QByteArray Chat = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello there"}]})";
// Long enough to be a key by any measure; it must never be shown.
const QByteArray SecretKey = "sk-proj-Zx81kQ2mW9vT4rLp0aBcDeFgHiJkLmNoPqRsTuVw";

} // namespace

class tst_RequestsPage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void requestsMadeShowUpAsRows();
    void aBudgetRefusalShowsAsRefused();
    void showSessionSelectsItsLatestRequest();
    void theDetailsShowTheHeadersRedacted();
    void followLatestOffHoldsTheTableStill();
    void skippedRowsAreSaidSo();
    void rowsWaitWhileThePageIsOutOfSight();
    void aFullRingTakesASnapshotQuickly();
    void pictures();

private:
    QString send(const QString &session, int expectedStatus);
    int rowsOf(const QString &session) const;

    QTemporaryDir m_dataDir;
    GatewayHost *m_host = nullptr;
    std::unique_ptr<RequestsPage> m_page;
    std::unique_ptr<GatewayClient> m_client;
    QString m_latestOfPage;
};

void tst_RequestsPage::initTestCase()
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QString error;
    m_host = GatewayUnderTest::create(QJsonObject{}, m_dataDir.path(), this, &error);
    QVERIFY2(m_host, qPrintable(error));
    m_page = std::make_unique<RequestsPage>();
    connect(m_host, &GatewayHost::snapshotReady, m_page.get(), &RequestsPage::applySnapshot);
    m_page->resize(1100, 720);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
    const quint16 port = GatewayUnderTest::start(m_host);
    QVERIFY(port);
    m_client = std::make_unique<GatewayClient>(port, m_dataDir.path());
}

void tst_RequestsPage::cleanupTestCase()
{
    m_host->stop();
    m_page.reset();
}

QString tst_RequestsPage::send(const QString &session, int expectedStatus)
{
    HttpHeaders headers;
    headers.add("content-type", "application/json");
    headers.add("authorization", "Bearer " + SecretKey);
    headers.add("x-session-id", session.toUtf8());
    const GatewayClient::Reply reply = m_client->call("/v1/chat/completions", Chat, headers);
    if (reply.status != expectedStatus)
        qWarning("expected %d, got %d: %s", expectedStatus, reply.status, reply.body.constData());
    return reply.status == expectedStatus ? QString::fromLatin1(reply.headers.value("x-tokenfuse-request-id")) : QString();
}

int tst_RequestsPage::rowsOf(const QString &session) const
{
    const RequestLogModel *model = m_page->model();
    int n = 0;
    for (int row = 0; row < model->rowCount(); ++row)
        n += model->recordAt(row).session == session;
    return n;
}

void tst_RequestsPage::requestsMadeShowUpAsRows()
{
    for (int i = 0; i < 3; ++i) {
        m_latestOfPage = send(QStringLiteral("s-page"), 200);
        QVERIFY(!m_latestOfPage.isEmpty());
    }
    QTRY_COMPARE(rowsOf(QStringLiteral("s-page")), 3);
    const RequestLogModel *model = m_page->model();
    const int row = model->rowOf(m_latestOfPage);
    QCOMPARE(row, 0); // the newest on top
    QCOMPARE(model->index(row, RequestLogModel::Status).data().toString(), QStringLiteral("200"));
    QCOMPARE(model->index(row, RequestLogModel::Model).data().toString(), QStringLiteral("gpt-4o-mini"));
    QCOMPARE(model->index(row, RequestLogModel::Endpoint).data().toString(), QStringLiteral("/v1/chat/completions"));
    QVERIFY(model->recordAt(row).completionTokens > 0);
    QVERIFY(m_page->findChild<QLabel *>("requestCount")->text().contains(QString::number(model->rowCount())));
}

void tst_RequestsPage::aBudgetRefusalShowsAsRefused()
{
    const QJsonArray tiny{QJsonObject{{"scope", "session"}, {"match", "s-refused"}, {"window", "day"}, {"max_requests", 1},
                                      {"over_cap", "refuse"}}};
    QCOMPARE(m_client->admin("PUT", "budgets", tiny).status, 200);
    QVERIFY(!send(QStringLiteral("s-refused"), 200).isEmpty());
    const QString refused = send(QStringLiteral("s-refused"), 402);
    QVERIFY(!refused.isEmpty());
    QTRY_VERIFY(m_page->model()->rowOf(refused) >= 0);
    const RequestLogModel *model = m_page->model();
    const QModelIndex status = model->index(model->rowOf(refused), RequestLogModel::Status);
    QCOMPARE(status.data().toString(), QStringLiteral("402"));
    QCOMPARE(status.data(RequestLogModel::StatusClassRole).toInt(), int(RequestLogModel::StatusClass::Refused));
    QVERIFY(status.data(Qt::ForegroundRole).isValid());

    auto *refusedOnly = m_page->findChild<QCheckBox *>("requestRefusedOnly");
    auto *table = m_page->findChild<QTableView *>("requestsTable");
    QTest::mouseClick(refusedOnly, Qt::LeftButton, {}, refusedOnly->rect().center());
    QVERIFY(refusedOnly->isChecked());
    QCOMPARE(table->model()->rowCount(), 1);
    QCOMPARE(table->model()->index(0, 0).data(RequestLogModel::IdRole).toString(), refused);
    QTest::mouseClick(refusedOnly, Qt::LeftButton, {}, refusedOnly->rect().center());
    QCOMPARE(table->model()->rowCount(), model->rowCount());
    QCOMPARE(m_client->admin("PUT", "budgets", QJsonArray{}).status, 200);
}

void tst_RequestsPage::showSessionSelectsItsLatestRequest()
{
    m_page->showSession(QStringLiteral("s-page"));
    auto *table = m_page->findChild<QTableView *>("requestsTable");
    QCOMPARE(table->model()->rowCount(), 3);
    QCOMPARE(m_page->findChild<QComboBox *>("requestSessionFilter")->currentData().toString(), QStringLiteral("s-page"));
    QCOMPARE(m_page->selectedId(), m_latestOfPage);
    QVERIFY(m_page->findChild<QLabel *>("requestDetailsTitle")->text().contains(m_latestOfPage));
    // A session with no request held yet: filtered to it, nothing selected.
    m_page->showSession(QStringLiteral("s-never-seen"));
    QCOMPARE(table->model()->rowCount(), 0);
    QCOMPARE(m_page->selectedId(), QString());
    m_page->showSession(QStringLiteral("s-page"));
}

void tst_RequestsPage::theDetailsShowTheHeadersRedacted()
{
    QCOMPARE(m_page->selectedId(), m_latestOfPage);
    const QString headers = m_page->findChild<QPlainTextEdit *>("requestHeaders")->toPlainText();
    QVERIFY2(headers.contains(QLatin1String("x-session-id: s-page")), qPrintable(headers));
    QVERIFY2(headers.contains(QLatin1String("authorization: (hidden, ")), qPrintable(headers));
    QVERIFY2(!headers.contains(QLatin1String("sk-proj")), qPrintable(headers));
    QVERIFY2(!headers.contains(QLatin1String(SecretKey.mid(8, 12))), qPrintable(headers));
}

void tst_RequestsPage::followLatestOffHoldsTheTableStill()
{
    auto *follow = m_page->findChild<QCheckBox *>("requestFollow");
    auto *count = m_page->findChild<QLabel *>("requestCount");
    QTest::mouseClick(follow, Qt::LeftButton, {}, follow->rect().center());
    QVERIFY(!follow->isChecked());
    const int held = m_page->model()->rowCount();
    const QString later = send(QStringLiteral("s-page"), 200);
    QTRY_VERIFY2(count->text().contains(QLatin1String("1 new waiting")), qPrintable(count->text()));
    QCOMPARE(m_page->model()->rowCount(), held);
    QCOMPARE(m_page->selectedId(), m_latestOfPage); // what is being read stays selected
    QTest::mouseClick(follow, Qt::LeftButton, {}, follow->rect().center());
    QCOMPARE(m_page->model()->rowCount(), held + 1);
    QCOMPARE(m_page->model()->rowOf(later), 0);
    QVERIFY(!count->text().contains(QLatin1String("waiting")));
}

void tst_RequestsPage::skippedRowsAreSaidSo()
{
    RequestsPage page;
    page.show();
    GatewaySnapshot snapshot;
    snapshot.recorded = RequestSamples::rows(0, 3);
    snapshot.recordedSkipped = 42;
    page.applySnapshot(snapshot);
    auto *skipped = page.findChild<QLabel *>("requestsSkipped");
    auto *count = page.findChild<QLabel *>("requestCount");
    QVERIFY(!skipped->isHidden());
    QVERIFY2(skipped->text().contains(QLatin1String("more than 250 requests end within one update")), qPrintable(skipped->text()));
    QVERIFY2(count->text().endsWith(QStringLiteral("3 requests · 42 not shown")), qPrintable(count->text()));
    snapshot.recorded = RequestSamples::rows(3, 3);
    snapshot.recordedSkipped = 8;
    page.applySnapshot(snapshot);
    QVERIFY2(count->text().endsWith(QStringLiteral("6 requests · 50 not shown")), qPrintable(count->text()));
    QCOMPARE(page.model()->rowCount(), 6);
}

// Out of sight (another page in front, or the window in the tray) the page takes no rows in: they
// wait, at most a ring's worth, and go in, newest first, the moment it is shown.
void tst_RequestsPage::rowsWaitWhileThePageIsOutOfSight()
{
    RequestsPage page;
    page.resize(1100, 720);
    GatewaySnapshot snapshot;
    snapshot.recorded = RequestSamples::rows(0, 3);
    page.applySnapshot(snapshot);
    QCOMPARE(page.model()->rowCount(), 0);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QCOMPARE(page.model()->rowCount(), 3);
    QCOMPARE(page.model()->recordAt(0).id, snapshot.recorded.last().id);

    page.hide();
    const int capacity = page.model()->capacity();
    QList<UsageRecord> sent;
    for (int first = 3; first < 3 + capacity + 2 * GatewaySnapshot::MaxRecorded; first += GatewaySnapshot::MaxRecorded) {
        snapshot.recorded = RequestSamples::rows(first, GatewaySnapshot::MaxRecorded);
        sent.append(snapshot.recorded);
        page.applySnapshot(snapshot);
    }
    QCOMPARE(page.model()->rowCount(), 3);
    page.show();
    QCOMPARE(page.model()->rowCount(), capacity);
    QCOMPARE(page.model()->recordAt(0).id, sent.last().id);
    QCOMPARE(page.model()->recordAt(capacity - 1).id, sent.at(sent.size() - capacity).id);
    const QString count = page.findChild<QLabel *>("requestCount")->text();
    QVERIFY2(!count.contains(QLatin1String("waiting")), qPrintable(count));
    QVERIFY2(count.startsWith(ConsoleFormat::count(capacity) + QStringLiteral(" requests")), qPrintable(count)); // "5,000 requests"
}

// A snapshot of 500 rows into a full ring of 5,000, shown, sorted and filtered: what a busy gateway
// costs the GUI thread four times a second.
void tst_RequestsPage::aFullRingTakesASnapshotQuickly()
{
    RequestsPage page;
    page.resize(1100, 720);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    GatewaySnapshot snapshot;
    for (int first = 0; first < RequestLogModel::DefaultCapacity; first += GatewaySnapshot::MaxRecorded) {
        snapshot.recorded = RequestSamples::rows(first, GatewaySnapshot::MaxRecorded);
        page.applySnapshot(snapshot);
    }
    QCOMPARE(page.model()->rowCount(), RequestLogModel::DefaultCapacity);
    page.findChild<QLineEdit *>("requestFilterText")->setText(QStringLiteral("model-1"));
    QElapsedTimer timer;
    qint64 worst = 0;
    const int rounds = 10;
    timer.start();
    for (int i = 0; i < rounds; ++i) {
        QElapsedTimer one;
        one.start();
        snapshot.recorded = RequestSamples::rows(100'000 + i * GatewaySnapshot::MaxRecorded, GatewaySnapshot::MaxRecorded);
        page.applySnapshot(snapshot);
        QCoreApplication::processEvents(); // the repaint it causes
        worst = qMax(worst, one.elapsed());
    }
    const qint64 total = timer.elapsed();
    qInfo("500 rows into a full ring of %d, filtered and sorted: %.1f ms on average, %lld ms at worst",
          RequestLogModel::DefaultCapacity, double(total) / rounds, worst);
    QCOMPARE(page.model()->rowCount(), RequestLogModel::DefaultCapacity);
    QVERIFY2(total / rounds < 100, qPrintable(QString::number(total / rounds)));
}

// Lets pending layout requests run, so a picture shows the layout a person would see.
static void settle()
{
    for (int i = 0; i < 3; ++i)
        QCoreApplication::processEvents();
}

// With TOKENFUSE_SHOTS=DIR, the page as it looks now, light and dark, for a person to check.
void tst_RequestsPage::pictures()
{
    const QString dir = qEnvironmentVariable("TOKENFUSE_SHOTS");
    if (dir.isEmpty())
        return;
    m_page->showSession(QString());
    m_page->findChild<QComboBox *>("requestSessionFilter")->setCurrentIndex(0);
    auto *table = m_page->findChild<QTableView *>("requestsTable");
    for (int row = 0; row < table->model()->rowCount(); ++row)
        if (table->model()->index(row, 0).data(RequestLogModel::StatusRole).toInt() == 402)
            table->selectRow(row);
    settle();
    QVERIFY(m_page->grab().save(dir + "/requests-light.png"));
    table->selectRow(0);
    settle();
    QVERIFY(m_page->grab().save(dir + "/requests-light-ok.png"));
    QPalette dark(QColor(0x2b, 0x2d, 0x31), QColor(0x1f, 0x21, 0x24)); // derives the frame and shadow roles
    dark.setColor(QPalette::Window, QColor(0x1f, 0x21, 0x24));
    dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Base, QColor(0x17, 0x18, 0x1a));
    dark.setColor(QPalette::AlternateBase, QColor(0x22, 0x24, 0x27));
    dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Button, QColor(0x2b, 0x2d, 0x31));
    dark.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xd0));
    dark.setColor(QPalette::HighlightedText, Qt::white);
    dark.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x8d, 0x91));
    const QPalette light = QApplication::palette();
    QApplication::setPalette(dark);
    RequestsPage darkPage;
    darkPage.resize(1100, 720);
    GatewaySnapshot snapshot;
    for (int row = m_page->model()->rowCount() - 1; row >= 0; --row)
        snapshot.recorded.append(m_page->model()->recordAt(row));
    darkPage.applySnapshot(snapshot);
    darkPage.show();
    QVERIFY(QTest::qWaitForWindowExposed(&darkPage));
    auto *darkTable = darkPage.findChild<QTableView *>("requestsTable");
    for (int row = 0; row < darkTable->model()->rowCount(); ++row)
        if (darkTable->model()->index(row, 0).data(RequestLogModel::StatusRole).toInt() == 402)
            darkTable->selectRow(row);
    settle();
    QVERIFY(darkPage.grab().save(dir + "/requests-dark.png"));
    darkTable->selectRow(0);
    settle();
    QVERIFY(darkPage.grab().save(dir + "/requests-dark-ok.png"));
    QApplication::setPalette(light);
}

QTEST_MAIN(tst_RequestsPage)
#include "tst_RequestsPage.moc"
