// A gateway started from a real config file with one upstream at a simulator; Add from a preset puts a second one in force
// (the page lists it), Edit changes its weight, Disable and Enable flip its state, Test shows
// "200 in N ms", a bad base URL is refused inline, and Remove takes it away again.
#include "ConsoleWiring.h"
#include "MainWindow.h"
#include "RunningGateway.h"
#include "SimulatorThread.h"
#include "admin/AdminChannel.h"
#include "core/GatewayHost.h"
#include "upstreams/UpstreamDialog.h"
#include "upstreams/UpstreamsModel.h"
#include "upstreams/UpstreamsPage.h"

#include <QApplication>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QFile>
#include <QJsonDocument>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

namespace {
QJsonObject upstream(const QString &name, quint16 port)
{
    return {{"name", name}, {"base_url", QStringLiteral("http://127.0.0.1:%1/v1").arg(port)}, {"dialect", "openai"}};
}
} // namespace

class tst_UpstreamsActions : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void presetsFillTheDialog();
    void addPutsAnUpstreamInForce();
    void aRefusalShowsInline();
    void editChangesIt();
    void disableAndEnable();
    void testShowsStatusAndLatency();
    void removeTakesItAway();

private:
    int rowOf(const QString &name) const { return m_model->rowOf(name); }
    UpstreamDialog *openAdd();

    SimulatorThread m_first;
    SimulatorThread m_second;
    QTemporaryDir m_dir;
    RunningGateway m_gateway;
    std::unique_ptr<MainWindow> m_window;
    UpstreamsPage *m_page = nullptr;
    UpstreamsModel *m_model = nullptr;
};

void tst_UpstreamsActions::initTestCase()
{
    QFile config(m_dir.filePath(QStringLiteral("config.json")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(QJsonDocument(QJsonObject{{"upstreams", QJsonArray{upstream(QStringLiteral("first"), m_first.port())}}}).toJson());
    config.close();
    QVERIFY2(m_gateway.createFromFile(config.fileName()), qPrintable(m_gateway.error()));
    m_window = std::make_unique<MainWindow>();
    m_window->setConfirmBulkActions(false);
    ConsoleWiring::connect(*m_gateway.host(), *m_window);
    m_window->showPage(MainWindow::Page::Upstreams);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QVERIFY2(m_gateway.start(), qPrintable(m_gateway.error()));
    m_page = m_window->upstreamsPage();
    m_model = qobject_cast<UpstreamsModel *>(m_page->findChild<QTableView *>(QStringLiteral("upstreamsTable"))->model());
    QTRY_COMPARE(m_model->rowCount(), 1);
}

UpstreamDialog *tst_UpstreamsActions::openAdd()
{
    m_page->findChild<QPushButton *>(QStringLiteral("upstreamAddButton"))->click();
    UpstreamDialog *dialog = m_page->dialog();
    if (!dialog)
        return nullptr;
    auto *combo = dialog->findChild<QComboBox *>(QStringLiteral("upstreamPresetCombo"));
    // The presets come from GET /admin/v1/upstream-presets; the callers check the dialog is there.
    if (!QTest::qWaitFor([combo] { return combo->count() > 1; }, 5000))
        return nullptr;
    return dialog;
}

void tst_UpstreamsActions::presetsFillTheDialog()
{
    UpstreamDialog *dialog = openAdd();
    QVERIFY(dialog);
    QVERIFY(dialog->choosePreset(QStringLiteral("deepseek")));
    QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("upstreamBaseUrlEdit"))->text(), QStringLiteral("https://api.deepseek.com/v1"));
    QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("upstreamKeyEnvEdit"))->text(), QStringLiteral("DEEPSEEK_API_KEY"));
    dialog->reject();
    QTRY_VERIFY(!m_page->dialog());
}

void tst_UpstreamsActions::addPutsAnUpstreamInForce()
{
    UpstreamDialog *dialog = openAdd();
    QVERIFY(dialog);
    dialog->findChild<QLineEdit *>(QStringLiteral("upstreamNameEdit"))->setText(QStringLiteral("second"));
    dialog->findChild<QLineEdit *>(QStringLiteral("upstreamBaseUrlEdit"))->setText(QStringLiteral("http://127.0.0.1:%1/v1").arg(m_second.port()));
    dialog->findChild<QLineEdit *>(QStringLiteral("upstreamKeyEdit"))->setText(QStringLiteral("sk-pasted-0123456789-wxyz"));
    dialog->findChild<QPushButton *>(QStringLiteral("upstreamDialogOk"))->click();
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->dialog(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(rowOf(QStringLiteral("second")) >= 0, 5000);
    const QString key = m_model->index(rowOf(QStringLiteral("second")), UpstreamsModel::Key).data().toString();
    QVERIFY2(key.startsWith(QStringLiteral("sk-…wxyz")) && !key.contains(QLatin1String("0123456789")), qPrintable(key));
    QTRY_COMPARE(m_page->selectedUpstream(), QStringLiteral("second"));
    // In the file, by the name of its secret-store entry; the key itself nowhere in it.
    QFile file(m_dir.filePath(QStringLiteral("config.json")));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(!bytes.contains("0123456789"));
    const QJsonArray ups = QJsonDocument::fromJson(bytes).object().value(QStringLiteral("upstreams")).toArray();
    QCOMPARE(ups.size(), 2);
    QCOMPARE(ups.at(1).toObject().value(QStringLiteral("api_key_secret")).toString(), QStringLiteral("upstream/second"));
}

void tst_UpstreamsActions::aRefusalShowsInline()
{
    UpstreamDialog *dialog = openAdd();
    QVERIFY(dialog);
    dialog->findChild<QLineEdit *>(QStringLiteral("upstreamNameEdit"))->setText(QStringLiteral("second"));
    dialog->findChild<QLineEdit *>(QStringLiteral("upstreamBaseUrlEdit"))->setText(QStringLiteral("http://127.0.0.1:1/v1"));
    dialog->findChild<QPushButton *>(QStringLiteral("upstreamDialogOk"))->click();
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->error().isEmpty(), 5000); // 409: the name exists
    QVERIFY2(dialog->error().contains(QLatin1String("already exists")), qPrintable(dialog->error()));
    dialog->findChild<QLineEdit *>(QStringLiteral("upstreamNameEdit"))->setText(QStringLiteral("third"));
    dialog->findChild<QSpinBox *>(QStringLiteral("upstreamWeightSpin"))->setValue(1);
    dialog->findChild<QLineEdit *>(QStringLiteral("upstreamKeyEnvEdit"))->setText(QStringLiteral("not a variable"));
    dialog->findChild<QPushButton *>(QStringLiteral("upstreamDialogOk"))->click();
    QTRY_VERIFY_WITH_TIMEOUT(dialog->error().contains(QLatin1String("api_key_env")), 5000); // 400 naming the key
    dialog->reject();
    QTRY_VERIFY(!m_page->dialog());
}

void tst_UpstreamsActions::editChangesIt()
{
    QVERIFY(m_page->selectUpstream(QStringLiteral("second")));
    m_page->findChild<QPushButton *>(QStringLiteral("upstreamEditButton"))->click();
    UpstreamDialog *dialog = m_page->dialog();
    QVERIFY(dialog);
    dialog->findChild<QSpinBox *>(QStringLiteral("upstreamWeightSpin"))->setValue(5);
    dialog->findChild<QPushButton *>(QStringLiteral("upstreamDialogOk"))->click();
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->dialog(), 5000);
    QTRY_COMPARE(m_model->upstreamAt(rowOf(QStringLiteral("second"))).weight, 5);
    // No key typed: the pasted one is kept.
    QVERIFY(m_model->upstreamAt(rowOf(QStringLiteral("second"))).keyHint.endsWith(QLatin1String("wxyz")));
}

void tst_UpstreamsActions::disableAndEnable()
{
    QVERIFY(m_page->selectUpstream(QStringLiteral("second")));
    auto *button = m_page->findChild<QPushButton *>(QStringLiteral("upstreamEnableButton"));
    QCOMPARE(button->text(), QStringLiteral("Disable"));
    button->click();
    QTRY_VERIFY_WITH_TIMEOUT(!m_model->upstreamAt(rowOf(QStringLiteral("second"))).enabled, 5000);
    QTRY_COMPARE(button->text(), QStringLiteral("Enable"));
    button->click();
    QTRY_VERIFY_WITH_TIMEOUT(m_model->upstreamAt(rowOf(QStringLiteral("second"))).enabled, 5000);
}

void tst_UpstreamsActions::testShowsStatusAndLatency()
{
    QVERIFY(m_page->selectUpstream(QStringLiteral("second")));
    m_page->findChild<QPushButton *>(QStringLiteral("upstreamTestButton"))->click();
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->testResult(QStringLiteral("second")).isEmpty(), 10000);
    const QString result = m_page->testResult(QStringLiteral("second"));
    QVERIFY2(QRegularExpression(QStringLiteral("^200 in \\d+ ms$")).match(result).hasMatch(), qPrintable(result));
    QCOMPARE(m_page->findChild<QLabel *>(QStringLiteral("upstreamDetail_test"))->text(), result);
}

void tst_UpstreamsActions::removeTakesItAway()
{
    QVERIFY(m_page->selectUpstream(QStringLiteral("second")));
    m_page->findChild<QPushButton *>(QStringLiteral("upstreamRemoveButton"))->click();
    QTRY_COMPARE_WITH_TIMEOUT(rowOf(QStringLiteral("second")), -1, 5000);
    QCOMPARE(m_model->rowCount(), 1);
    // The selection does not linger on the removed one (the table moves it to a neighbour).
    QVERIFY(m_page->selectedUpstream() != QLatin1String("second"));
}

QTEST_MAIN(tst_UpstreamsActions)
#include "tst_UpstreamsActions.moc"
