// VirtualKeysModel: the keys as GET /admin/v1/keys lists them, revoked ones marked.
#include "budgets/VirtualKeysModel.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QJsonObject>
#include <QtTest>

class tst_VirtualKeysModel : public QObject
{
    Q_OBJECT
private slots:
    void listsTheKeysAndPassesTheModelTester()
    {
        VirtualKeysModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QDateTime created(QDate(2026, 12, 1), QTime(9, 5, 7));
        const QJsonArray keys{
            QJsonObject{{"id", "vk_1"}, {"prefix", "tf-ab12"}, {"tenant", "acme"}, {"name", "ci-bot"},
                        {"created_at", created.toString(Qt::ISODateWithMs)}, {"revoked", false}},
            QJsonObject{{"id", "vk_2"}, {"prefix", "tf-cd34"}, {"tenant", "beta"}, {"name", ""},
                        {"created_at", created.toString(Qt::ISODateWithMs)}, {"revoked", true}}};
        model.setKeys(keys, created.addSecs(60).toMSecsSinceEpoch());
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, VirtualKeysModel::Prefix).data().toString(), QStringLiteral("tf-ab12…"));
        QCOMPARE(model.index(0, VirtualKeysModel::Tenant).data().toString(), QStringLiteral("acme"));
        QCOMPARE(model.index(0, VirtualKeysModel::Created).data().toString(), QStringLiteral("09:05:07"));
        QCOMPARE(model.index(0, VirtualKeysModel::State).data().toString(), QStringLiteral("active"));
        QCOMPARE(model.index(1, VirtualKeysModel::State).data().toString(), QStringLiteral("revoked"));
        QVERIFY(model.index(1, VirtualKeysModel::Tenant).data(Qt::ForegroundRole).isValid());
        QCOMPARE(model.keyAt(1).id, QStringLiteral("vk_2"));
        model.setKeys({}, 0);
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(tst_VirtualKeysModel)
#include "tst_VirtualKeysModel.moc"
