// The Budgets page against a real gateway (simulator answering), wired as tokenfuse-console wires
// it: a cap set through the page's dialog (fields filled, OK clicked) refuses the next request
// over it with 402; a rate limit set in the page gets the next request over it a 429; a key
// created in the page is shown once, works for a request, and after Revoke is refused (401);
// Delete asks first; a session's "Set cap" opens the dialog prefilled. And PNGs of the page with
// realistic rules in a light and a dark palette.
#include "ConsoleWiring.h"
#include "GatewayClient.h"
#include "GatewayUnderTest.h"
#include "RunningGateway.h"
#include "admin/AdminChannel.h"
#include "budgets/BudgetRuleDialog.h"
#include "budgets/BudgetRulesModel.h"
#include "budgets/BudgetsPage.h"
#include "budgets/KeyRevealDialog.h"
#include "budgets/NewKeyDialog.h"
#include "budgets/RateLimitDialog.h"
#include "budgets/RateLimitsModel.h"
#include "budgets/VirtualKeysModel.h"
#include "config/GatewayConfig.h"
#include "core/GatewayHost.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeWidget>
#include <QSpinBox>
#include <QtTest>

class tst_BudgetsPage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();
    void aCapSetInTheDialogRefusesTheNextRequestOverIt();
    void deleteAsksFirstThenRemovesTheRule();
    void setCapForASessionOpensTheDialogPrefilled();
    void aRateLimitSetInThePageGetsTheNextRequestOverIta429();
    void aKeyIsShownOnceWorksAndIsRefusedOnceRevoked();
    void showingThePageReadsWhatChangedElsewhere();
    void screenshots();
    void rulesFromTheConfigFileAreWrittenBackOrTheRefusalShown();

private:
    int request(const QByteArray &tenant, const QByteArray &session, const QByteArray &authorization = {});
    QPushButton *button(const QString &name) const;
    template<typename Dialog>
    Dialog *waitForDialog();
    static void type(QWidget *dialog, const QString &field, const QString &text);
    static void choose(QWidget *dialog, const QString &field, const QString &data);
    static void clickOk(QWidget *dialog);
    void selectRow(const QString &table, int row);

    RunningGateway m_gateway;
    AdminChannel m_channel;
    std::unique_ptr<BudgetsPage> m_page;
};

void tst_BudgetsPage::initTestCase()
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    qRegisterMetaType<GatewaySnapshot>();
    QVERIFY2(m_gateway.create(), qPrintable(m_gateway.error()));
    ConsoleWiring::connectAdmin(*m_gateway.host(), m_channel);
    m_page = std::make_unique<BudgetsPage>(&m_channel);
    connect(m_gateway.host(), &GatewayHost::snapshotReady, m_page.get(), &BudgetsPage::applySnapshot);
    m_page->resize(1100, 720);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
    QVERIFY2(m_gateway.start(), qPrintable(m_gateway.error()));
    m_page->refresh();
}

void tst_BudgetsPage::cleanupTestCase()
{
    m_page.reset();
    m_gateway.stop();
}

void tst_BudgetsPage::cleanup()
{
    for (QWidget *w : QApplication::topLevelWidgets()) {
        if (qobject_cast<QDialog *>(w) && w->isVisible())
            w->close();
    }
    QCOMPARE(m_gateway.client().admin("PUT", "budgets", QJsonArray()).status, 200);
    QCOMPARE(m_gateway.client().admin("PUT", "rate_limits", QJsonArray()).status, 200);
    m_page->refresh();
    QTRY_COMPARE(m_page->budgetsModel()->rowCount(), 0);
    QTRY_COMPARE(m_page->rateLimitsModel()->rowCount(), 0);
}

int tst_BudgetsPage::request(const QByteArray &tenant, const QByteArray &session, const QByteArray &authorization)
{
    HttpHeaders h;
    h.add("content-type", "application/json");
    if (!tenant.isEmpty())
        h.add("x-tenant-id", tenant);
    h.add("x-session-id", session);
    if (!authorization.isEmpty())
        h.add("authorization", authorization);
    const QByteArray body = R"({"model":"gpt-4o-mini","max_tokens":32,"messages":[{"role":"user","content":"hello"}]})";
    return m_gateway.client().call("/v1/chat/completions", body, h).status;
}

QPushButton *tst_BudgetsPage::button(const QString &name) const
{
    return m_page->findChild<QPushButton *>(name);
}

template<typename Dialog>
Dialog *tst_BudgetsPage::waitForDialog()
{
    Dialog *found = nullptr;
    const bool shown = QTest::qWaitFor([&] {
        found = m_page->findChild<Dialog *>();
        return found && found->isVisible();
    });
    return shown ? found : nullptr;
}

void tst_BudgetsPage::type(QWidget *dialog, const QString &field, const QString &text)
{
    auto *edit = dialog->findChild<QLineEdit *>(field);
    QVERIFY2(edit, qPrintable(field));
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

void tst_BudgetsPage::choose(QWidget *dialog, const QString &field, const QString &data)
{
    auto *box = dialog->findChild<QComboBox *>(field);
    QVERIFY2(box, qPrintable(field));
    box->setFocus();
    // By keyboard, as a person would: Home, then Down until the item.
    QTest::keyClick(box, Qt::Key_Home);
    for (int i = 0; i < box->count() && box->currentData().toString() != data; ++i)
        QTest::keyClick(box, Qt::Key_Down);
    QCOMPARE(box->currentData().toString(), data);
}

void tst_BudgetsPage::clickOk(QWidget *dialog)
{
    QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);
}

void tst_BudgetsPage::selectRow(const QString &table, int row)
{
    auto *view = m_page->findChild<QTableView *>(table);
    QVERIFY(view);
    const QRect cell = view->visualRect(view->model()->index(row, 0));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(view->selectionModel()->selectedRows().value(0).row(), row);
}

void tst_BudgetsPage::aCapSetInTheDialogRefusesTheNextRequestOverIt()
{
    m_page->findChild<QTabWidget *>(QStringLiteral("budgetsTabs"))->setCurrentIndex(0);
    QTest::mouseClick(button(QStringLiteral("addBudget")), Qt::LeftButton);
    auto *dialog = waitForDialog<BudgetRuleDialog>();
    QVERIFY(dialog);
    type(dialog, QStringLiteral("name"), QStringLiteral("two per tenant"));
    choose(dialog, QStringLiteral("scope"), QStringLiteral("tenant"));
    type(dialog, QStringLiteral("match"), QStringLiteral("capped-*"));
    choose(dialog, QStringLiteral("window"), QStringLiteral("day"));
    type(dialog, QStringLiteral("maxRequests"), QStringLiteral("2"));
    choose(dialog, QStringLiteral("overCap"), QStringLiteral("refuse"));
    clickOk(dialog);
    QTRY_VERIFY(!m_page->findChild<BudgetRuleDialog *>());   // closed (and deleted) once the gateway took it
    QVERIFY(m_page->findChild<QLabel *>(QStringLiteral("budgetsStatus"))->text().contains(QLatin1String("store")));

    QCOMPARE(request("capped-1", "s1"), 200);
    QCOMPARE(request("capped-1", "s1"), 200);
    QCOMPARE(request("capped-1", "s1"), 402);
    QCOMPARE(request("free", "s1"), 200);
    // The page shows the rule from the next snapshot, with its fullest tenant at its cap.
    QTRY_COMPARE(m_page->budgetsModel()->rowCount(), 1);
    QTRY_COMPARE(m_page->budgetsModel()->index(0, BudgetRulesModel::Usage).data(BudgetRulesModel::FractionRole).toDouble(), 1.0);
    QCOMPARE(m_page->budgetsModel()->index(0, BudgetRulesModel::Name).data().toString(), QStringLiteral("two per tenant"));
    QVERIFY(m_page->findChild<QLabel *>(QStringLiteral("budgetsSource"))->text().contains(QLatin1String("store")));
}

void tst_BudgetsPage::deleteAsksFirstThenRemovesTheRule()
{
    const QJsonArray rules{QJsonObject{{"name", "a"}, {"scope", "global"}, {"window", "day"}, {"max_requests", 1000}},
                           QJsonObject{{"name", "b"}, {"scope", "tenant"}, {"window", "hour"}, {"max_tokens", 5000}}};
    QCOMPARE(m_gateway.client().admin("PUT", "budgets", rules).status, 200);
    QTRY_COMPARE(m_page->budgetsModel()->rowCount(), 2);
    selectRow(QStringLiteral("budgetsTable"), 0);
    // Cancel first: nothing changes.
    QTimer::singleShot(0, this, [] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        QVERIFY(box);
        box->button(QMessageBox::Cancel)->click();
    });
    QTest::mouseClick(button(QStringLiteral("deleteBudget")), Qt::LeftButton);
    QCOMPARE(m_page->budgetsModel()->rowCount(), 2);
    // Then the Delete key, and Yes.
    QTimer::singleShot(0, this, [] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        QVERIFY(box);
        QVERIFY(box->text().contains(QLatin1String("\"a\"")));
        box->button(QMessageBox::Yes)->click();
    });
    auto *table = m_page->findChild<QTableView *>(QStringLiteral("budgetsTable"));
    table->setFocus();
    QTest::keyClick(table, Qt::Key_Delete);
    QTRY_COMPARE(m_page->budgetsModel()->rowCount(), 1);
    QCOMPARE(m_page->budgetsModel()->rules().first().name, QStringLiteral("b"));
    const QJsonArray inForce = QJsonDocument::fromJson(m_gateway.client().admin("GET", "budgets").body).object().value("budgets").toArray();
    QCOMPARE(inForce.size(), 1);
}

void tst_BudgetsPage::setCapForASessionOpensTheDialogPrefilled()
{
    m_page->addRuleFor(BudgetScope::Session, QStringLiteral("agent-7"));
    auto *dialog = waitForDialog<BudgetRuleDialog>();
    QVERIFY(dialog);
    QCOMPARE(dialog->findChild<QComboBox *>(QStringLiteral("scope"))->currentData().toString(), QStringLiteral("session"));
    QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("match"))->text(), QStringLiteral("agent-7"));
    QCOMPARE(dialog->findChild<QComboBox *>(QStringLiteral("window"))->currentData().toString(), QStringLiteral("day"));
    // A cap is what is left to say; until then OK waits, with the admin API's reason.
    QVERIFY(dialog->error().contains(QLatin1String("needs at least one of max_tokens, max_cost, max_requests")));
    type(dialog, QStringLiteral("maxCost"), QStringLiteral("0.000001"));
    choose(dialog, QStringLiteral("overCap"), QStringLiteral("refuse"));
    clickOk(dialog);
    QTRY_VERIFY(!m_page->findChild<BudgetRuleDialog *>());
    QCOMPARE(request({}, "agent-7"), 402);
    QCOMPARE(request({}, "agent-8"), 200);
}

void tst_BudgetsPage::aRateLimitSetInThePageGetsTheNextRequestOverIta429()
{
    m_page->findChild<QTabWidget *>(QStringLiteral("budgetsTabs"))->setCurrentIndex(1);
    QTest::mouseClick(button(QStringLiteral("addRateLimit")), Qt::LeftButton);
    auto *dialog = waitForDialog<RateLimitDialog>();
    QVERIFY(dialog);
    choose(dialog, QStringLiteral("scope"), QStringLiteral("session"));
    type(dialog, QStringLiteral("match"), QStringLiteral("limited-*"));
    type(dialog, QStringLiteral("rpm"), QStringLiteral("1"));
    clickOk(dialog);
    QTRY_VERIFY(!m_page->findChild<RateLimitDialog *>());
    QCOMPARE(m_page->rateLimitsModel()->rowCount(), 1);
    QVERIFY(m_page->findChild<QLabel *>(QStringLiteral("rateLimitsSource"))->text().contains(QLatin1String("store")));
    QCOMPARE(request("t", "limited-1"), 200);
    QCOMPARE(request("t", "limited-1"), 429);
    QCOMPARE(request("t", "other"), 200);

    // Edit by double-click: raise it, and the next request fits again.
    auto *table = m_page->findChild<QTableView *>(QStringLiteral("rateLimitsTable"));
    const QRect cell = table->visualRect(m_page->rateLimitsModel()->index(0, 0));
    // A press first: the view opens what was pressed, as a real double-click's first click does.
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, cell.center());
    auto *edit = waitForDialog<RateLimitDialog>();
    QVERIFY(edit);
    QCOMPARE(edit->findChild<QLineEdit *>(QStringLiteral("rpm"))->text(), QStringLiteral("1"));
    type(edit, QStringLiteral("rpm"), QStringLiteral("10"));
    clickOk(edit);
    QTRY_VERIFY(!m_page->findChild<RateLimitDialog *>());
    QCOMPARE(m_page->rateLimitsModel()->rules().first().rpm, std::optional<qint64>(10));
    QCOMPARE(request("t", "limited-1"), 200);
}

void tst_BudgetsPage::aKeyIsShownOnceWorksAndIsRefusedOnceRevoked()
{
    m_page->findChild<QTabWidget *>(QStringLiteral("budgetsTabs"))->setCurrentIndex(2);
    const int before = m_page->keysModel()->rowCount();
    QTest::mouseClick(button(QStringLiteral("createKey")), Qt::LeftButton);
    auto *create = waitForDialog<NewKeyDialog>();
    QVERIFY(create);
    type(create, QStringLiteral("tenant"), QStringLiteral("acme"));
    type(create, QStringLiteral("name"), QStringLiteral("ci-bot"));
    create->findChild<QSpinBox *>(QStringLiteral("priority"))->setValue(7);
    clickOk(create);
    auto *reveal = waitForDialog<KeyRevealDialog>();
    QVERIFY(reveal);
    const QString key = reveal->findChild<QLineEdit *>(QStringLiteral("key"))->text();
    QVERIFY2(key.startsWith(QLatin1String("tf-")), qPrintable(key));
    QVERIFY(reveal->findChild<QLabel *>(QStringLiteral("warning"))->text().contains(QLatin1String("won't be shown again")));
    QTest::mouseClick(reveal->findChild<QPushButton *>(QStringLiteral("copy")), Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text(), key);
    reveal->close();
    QTRY_COMPARE(m_page->keysModel()->rowCount(), before + 1);
    // Listed without the key itself.
    const int row = m_page->keysModel()->rowCount() - 1;
    QCOMPARE(m_page->keysModel()->keyAt(row).tenant, QStringLiteral("acme"));
    // Its queue priority went with it, and shows.
    QCOMPARE(m_page->keysModel()->keyAt(row).priority, 7);
    QCOMPARE(m_page->keysModel()->index(row, VirtualKeysModel::Priority).data().toString(), QStringLiteral("7"));
    QVERIFY(key.startsWith(m_page->keysModel()->keyAt(row).prefix));
    for (int c = 0; c < VirtualKeysModel::ColumnCount; ++c)
        QVERIFY(!m_page->keysModel()->index(row, c).data().toString().contains(key));

    QCOMPARE(request({}, "k1", "Bearer " + key.toUtf8()), 200);

    m_page->setConfirmDeletes(false);
    selectRow(QStringLiteral("keysTable"), row);
    QTest::mouseClick(button(QStringLiteral("revokeKey")), Qt::LeftButton);
    QTRY_VERIFY(m_page->keysModel()->keyAt(row).revoked);
    m_page->setConfirmDeletes(true);
    QCOMPARE(request({}, "k1", "Bearer " + key.toUtf8()), 401);
}

void tst_BudgetsPage::showingThePageReadsWhatChangedElsewhere()
{
    m_page->hide();
    const int keys = m_page->keysModel()->rowCount();
    QCOMPARE(m_gateway.client().admin("POST", "keys", QJsonObject{{"tenant", "elsewhere"}}).status, 201);
    const QJsonArray limits{QJsonObject{{"scope", "tenant"}, {"match", "curl-*"}, {"tpm", 5000}}};
    QCOMPARE(m_gateway.client().admin("PUT", "rate_limits", limits).status, 200);
    m_page->show();
    QTRY_COMPARE(m_page->keysModel()->rowCount(), keys + 1);
    QTRY_COMPARE(m_page->rateLimitsModel()->rowCount(), 1);
    QCOMPARE(m_page->rateLimitsModel()->rules().first().match, QStringLiteral("curl-*"));
}

void tst_BudgetsPage::screenshots()
{
    const QJsonArray budgets{
        QJsonObject{{"name", "team per day"}, {"scope", "global"}, {"window", "day"}, {"max_cost", 25}},
        QJsonObject{{"name", "acme per month"}, {"scope", "tenant"}, {"match", "acme*"}, {"window", "month"}, {"max_cost", 200},
                    {"max_requests", 20000}},
        QJsonObject{{"name", "agents per day"}, {"scope", "session"}, {"match", "agent-*"}, {"window", "day"},
                    {"max_tokens", 3000}, {"over_cap", "refuse"}, {"alert_at", 0.7}},
        QJsonObject{{"scope", "model"}, {"match", "gpt-4o*"}, {"window", "hour"}, {"max_requests", 12}},
        QJsonObject{{"name", "one request"}, {"scope", "global"}, {"window", "request"}, {"max_tokens", 32000}}};
    QCOMPARE(m_gateway.client().admin("PUT", "budgets", budgets).status, 200);
    const QJsonArray limits{QJsonObject{{"scope", "session"}, {"match", "*"}, {"rpm", 60}, {"tpm", 200000}, {"concurrency", 4}},
                            QJsonObject{{"scope", "tenant"}, {"match", "ci-*"}, {"rpm", 600}}};
    QCOMPARE(m_gateway.client().admin("PUT", "rate_limits", limits).status, 200);
    for (int i = 0; i < 9; ++i)
        request(i % 3 ? "acme-prod" : "acme-dev", "agent-" + QByteArray::number(i % 4));
    QCOMPARE(m_gateway.client().admin("POST", "keys", QJsonObject{{"tenant", "acme-prod"}, {"name", "deploy bot"}}).status, 201);
    const int keys = m_page->keysModel()->rowCount();
    m_page->refresh();
    QTRY_COMPARE(m_page->keysModel()->rowCount(), keys + 1);
    QTRY_COMPARE(m_page->rateLimitsModel()->rowCount(), 2);
    QTRY_COMPARE(m_page->budgetsModel()->rowCount(), 5);
    QTRY_VERIFY(m_page->budgetsModel()->index(2, BudgetRulesModel::Usage).data(BudgetRulesModel::FractionRole).toDouble() > 0);
    auto *tabs = m_page->findChild<QTabWidget *>(QStringLiteral("budgetsTabs"));
    tabs->setCurrentIndex(0);
    selectRow(QStringLiteral("budgetsTable"), 2);
    QTRY_VERIFY(m_page->findChild<QTreeWidget *>(QStringLiteral("budgetSubjects"))->topLevelItemCount() >= 3);

    const QPalette light = QApplication::style()->standardPalette();
    QPalette dark = light;
    dark.setColor(QPalette::Window, QColor(0x25, 0x25, 0x26));
    dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::AlternateBase, QColor(0x2a, 0x2a, 0x2a));
    dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Button, QColor(0x33, 0x33, 0x33));
    dark.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Highlight, QColor(0x2f, 0x65, 0xca));
    dark.setColor(QPalette::HighlightedText, Qt::white);
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        dark.setColor(QPalette::Disabled, role, QColor(0x80, 0x80, 0x80));
    const QString dir = QDir::tempPath();
    for (const auto &[name, palette] : {std::pair{QStringLiteral("light"), light}, std::pair{QStringLiteral("dark"), dark}}) {
        QApplication::setPalette(palette);
        for (int tab = 0; tab < 3; ++tab) {
            tabs->setCurrentIndex(tab);
            // The palette change and the layout of what was shown are posted events: let them run.
            QCoreApplication::processEvents();
            const QImage image = m_page->grab().toImage();
            QCOMPARE(image.size(), QSize(1100, 720));
            const QString path = QStringLiteral("%1/tokenfuse-budgets-%2-%3.png").arg(dir, name).arg(tab);
            QVERIFY2(image.save(path), qPrintable(path));
        }
        // The dialog with an error under its fields, as it reads while someone types.
        m_page->addRuleFor(BudgetScope::Session, QStringLiteral("agent-7"));
        auto *dialog = waitForDialog<BudgetRuleDialog>();
        QVERIFY(dialog);
        type(dialog, QStringLiteral("maxCost"), QStringLiteral("five"));
        QCoreApplication::processEvents();
        const QString path = QStringLiteral("%1/tokenfuse-budgets-%2-dialog.png").arg(dir, name);
        QVERIFY2(dialog->grab().save(path), qPrintable(path));
        dialog->reject();
        QTRY_VERIFY(!m_page->findChild<BudgetRuleDialog *>());
    }
    QApplication::setPalette(light);
}

void tst_BudgetsPage::rulesFromTheConfigFileAreWrittenBackOrTheRefusalShown()
{
    // A gateway of its own, started from a config file that has budgets.
    QTemporaryDir dir;
    const QString configPath = dir.filePath(QStringLiteral("config.json"));
    {
        QFile f(configPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(QJsonObject{{"budgets", QJsonArray{QJsonObject{{"name", "from the file"}, {"scope", "global"},
                                                                             {"window", "day"}, {"max_requests", 1000}}}}})
                    .toJson());
    }
    QString error;
    std::optional<GatewayConfig> config = GatewayConfig::fromFile(configPath, &error);
    QVERIFY2(config, qPrintable(error));
    config->listenPort = 0;
    config->dataDir = dir.filePath(QStringLiteral("data"));
    GatewayHost host(*config);
    AdminChannel channel;
    ConsoleWiring::connectAdmin(host, channel);
    BudgetsPage page(&channel);
    connect(&host, &GatewayHost::snapshotReady, &page, &BudgetsPage::applySnapshot);
    page.show();
    QVERIFY(GatewayUnderTest::start(&host));
    auto *source = page.findChild<QLabel *>(QStringLiteral("budgetsSource"));
    QTRY_VERIFY2(source->text().contains(configPath), qPrintable(source->text()));
    QTRY_COMPARE(page.budgetsModel()->rowCount(), 1);

    const auto edit = [&](const QString &requests) -> BudgetRuleDialog * {
        auto *view = page.findChild<QTableView *>(QStringLiteral("budgetsTable"));
        const QRect cell = view->visualRect(page.budgetsModel()->index(0, 0));
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, cell.center());
        QTest::mouseClick(page.findChild<QPushButton *>(QStringLiteral("editBudget")), Qt::LeftButton);
        BudgetRuleDialog *dialog = nullptr;
        if (!QTest::qWaitFor([&] { return (dialog = page.findChild<BudgetRuleDialog *>()) && dialog->isVisible(); }))
            return nullptr;
        type(dialog, QStringLiteral("maxRequests"), requests);
        clickOk(dialog);
        return dialog;
    };

    // Written back: the file holds the new cap.
    QVERIFY(edit(QStringLiteral("500")));
    QTRY_VERIFY(!page.findChild<BudgetRuleDialog *>());
    QVERIFY(page.findChild<QLabel *>(QStringLiteral("budgetsStatus"))->text().contains(configPath));
    const auto fileRules = [&] {
        QFile f(configPath);
        return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object().value("budgets").toArray() : QJsonArray();
    };
    QCOMPARE(fileRules().first().toObject().value("max_requests").toInt(), 500);
    QTRY_COMPARE(page.budgetsModel()->rules().first().maxRequests, std::optional<qint64>(500));

    // A file that can't be written: the dialog stays open with the gateway's reason, nothing changes.
    QVERIFY(QFile::setPermissions(configPath, QFileDevice::ReadOwner));
    BudgetRuleDialog *refused = edit(QStringLiteral("7"));
    QVERIFY(refused);
    QTRY_VERIFY2(refused->error().contains(QLatin1String("read-only")), qPrintable(refused->error()));
    QVERIFY(refused->error().contains(configPath));
    QVERIFY(refused->isVisible());
    QCOMPARE(fileRules().first().toObject().value("max_requests").toInt(), 500);
    QCOMPARE(page.budgetsModel()->rules().first().maxRequests, std::optional<qint64>(500));
    refused->reject();
    QFile::setPermissions(configPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    host.stop();
}

QTEST_MAIN(tst_BudgetsPage)
#include "tst_BudgetsPage.moc"
