// UsageStore's settings side: budget rules, virtual keys and the audit log, what recoverAndLoad()
// hands the gateway at start, UsageQuery's reads of them, and callback order across job kinds.
#include "StoreCallbacks.h"
#include "BudgetSamples.h"
#include "TestDatabase.h"
#include "UsageSamples.h"
#include "store/UsageQuery.h"
#include "store/UsageStore.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

class tst_UsageStoreAdmin : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void freshStoreLoadsNothing();
    void rulesAreLoadedOnlyOnceSaved();
    void savingRulesReplacesThem();
    void rulesAndTheirAuditAreOneTransaction();
    void virtualKeyInsertThenRevoke();
    void duplicateKeyHashIsRefused();
    void auditRoundTrip_data();
    void auditRoundTrip();
    void recentAuditIsNewestFirst();
    void callbacksRunInOrderAcrossKinds();

private:
    static AuditEntry entry(const QString &action, const QString &target, const QJsonValue &before = {},
                            const QJsonValue &after = {});
    static QJsonArray rules(std::initializer_list<qint64> caps);
    static VirtualKeyRecord key(int n);
    static StoreStartupState reopenAndLoad(const QTemporaryDir &dir);
};

AuditEntry tst_UsageStoreAdmin::entry(const QString &action, const QString &target, const QJsonValue &before,
                                      const QJsonValue &after)
{
    AuditEntry e;
    e.at = 1'741'600'000'000;
    e.actor = QStringLiteral("admin-api (sha256:1f2e3d)");
    e.action = action;
    e.target = target;
    e.before = before;
    e.after = after;
    return e;
}

QJsonArray tst_UsageStoreAdmin::rules(std::initializer_list<qint64> caps)
{
    QJsonArray array;
    for (qint64 cap : caps)
        array.append(QJsonObject{{QStringLiteral("scope"), QStringLiteral("tenant")},
                                 {QStringLiteral("window"), QStringLiteral("day")},
                                 {QStringLiteral("max_cost_micros"), cap}});
    return array;
}

VirtualKeyRecord tst_UsageStoreAdmin::key(int n)
{
    VirtualKeyRecord k;
    k.id = QStringLiteral("vk_%1").arg(n);
    k.hash = QStringLiteral("%1").arg(n, 64, 16, QLatin1Char('0'));
    k.prefix = QStringLiteral("tf-%1").arg(n, 4, 10, QLatin1Char('0'));
    k.tenant = QStringLiteral("tenant-%1").arg(n);
    k.name = QStringLiteral("agent key «%1»").arg(n);
    k.createdAt = 1'741'600'000'000 + n;
    return k;
}

StoreStartupState tst_UsageStoreAdmin::reopenAndLoad(const QTemporaryDir &dir)
{
    UsageStore store;
    QString error;
    if (!store.open(dir.path(), &error))
        qWarning("%s", qPrintable(error));
    const StoreStartupState state = store.recoverAndLoad(1'741'700'000'000, &error);
    if (!error.isEmpty())
        qWarning("%s", qPrintable(error));
    return state;
}

void tst_UsageStoreAdmin::freshStoreLoadsNothing()
{
    QTemporaryDir dir;
    const StoreStartupState state = reopenAndLoad(dir);
    QVERIFY(state.counters.isEmpty());
    QCOMPARE(state.reservationsSettledAtWorst, 0);
    QVERIFY(!state.hasBudgetRules);
    QVERIFY(state.budgetRules.isEmpty());
    QVERIFY(state.keys.isEmpty());
}

void tst_UsageStoreAdmin::rulesAreLoadedOnlyOnceSaved()
{
    QTemporaryDir dir;
    {
        UsageStore store;
        QString error;
        QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
        store.audit(entry(QStringLiteral("sessions.kill"), QStringLiteral("session-1")));
        QVERIFY(store.flush());
    }
    QVERIFY(!reopenAndLoad(dir).hasBudgetRules);
    {
        // An empty list saved on purpose ("no caps") must win over the config file's rules.
        UsageStore store;
        QString error;
        QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
        store.saveBudgetRules(QJsonArray(), entry(QStringLiteral("budgets.put"), QStringLiteral("budgets")));
        QVERIFY(store.flush());
    }
    const StoreStartupState state = reopenAndLoad(dir);
    QVERIFY(state.hasBudgetRules);
    QVERIFY(state.budgetRules.isEmpty());
}

void tst_UsageStoreAdmin::savingRulesReplacesThem()
{
    QTemporaryDir dir;
    {
        UsageStore store;
        QString error;
        QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
        store.saveBudgetRules(rules({1, 2, 3}), entry(QStringLiteral("budgets.put"), QStringLiteral("budgets"),
                                                      QJsonArray(), rules({1, 2, 3})));
        QVERIFY(store.flush());
        QCOMPARE(reopenAndLoad(dir).budgetRules, rules({1, 2, 3}));
        store.saveBudgetRules(rules({9'007'199'254'740'993}),
                              entry(QStringLiteral("budgets.put"), QStringLiteral("budgets"), rules({1, 2, 3}),
                                    rules({9'007'199'254'740'993})));
        QVERIFY(store.flush());
    }
    const StoreStartupState state = reopenAndLoad(dir);
    QVERIFY(state.hasBudgetRules);
    QCOMPARE(state.budgetRules, rules({9'007'199'254'740'993}));
    TestDatabase check(UsageStore::databasePathIn(dir.path()));
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM budget_rules")).toInt(), 1);
    QCOMPARE(check.scalar(QStringLiteral("SELECT json_extract(rule, '$.max_cost_micros') FROM budget_rules")).toLongLong(),
             9'007'199'254'740'993);
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM audit WHERE action = 'budgets.put'")).toInt(), 2);
    QCOMPARE(check.scalar(QStringLiteral("SELECT json_array_length(\"before\") FROM audit ORDER BY id DESC LIMIT 1")).toInt(), 3);
}

void tst_UsageStoreAdmin::rulesAndTheirAuditAreOneTransaction()
{
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    store.saveBudgetRules(rules({1}), entry(QStringLiteral("budgets.put"), QStringLiteral("budgets")));
    QVERIFY(store.flush());
    {
        TestDatabase prepare(store.databasePath());
        QVERIFY(prepare.exec(QStringLiteral("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit "
                                            "WHEN NEW.target = 'poison' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")));
    }
    QSignalSpy failed(&store, &UsageStore::jobDropped);
    bool committed = false;
    store.saveBudgetRules(rules({2, 3}), entry(QStringLiteral("budgets.put"), QStringLiteral("poison")),
                          whenCommitted([&] { committed = true; }));
    store.saveVirtualKey(key(1), entry(QStringLiteral("keys.create"), QStringLiteral("poison")), whenCommitted([&] { committed = true; }));
    QVERIFY(store.flush());
    QVERIFY(!committed);
    QTRY_COMPARE(failed.count(), 2);
    QVERIFY2(failed.at(0).first().toString().contains(QLatin1String("budget rules")), qPrintable(failed.at(0).first().toString()));
    QVERIFY2(failed.at(1).first().toString().contains(QLatin1String("virtual key vk_1")), qPrintable(failed.at(1).first().toString()));
    TestDatabase check(store.databasePath());
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM budget_rules")).toInt(), 1);
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM virtual_keys")).toInt(), 0);
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM audit")).toInt(), 1);
}

void tst_UsageStoreAdmin::virtualKeyInsertThenRevoke()
{
    QTemporaryDir dir;
    const VirtualKeyRecord created = key(1);
    VirtualKeyRecord revoked = created;
    revoked.revokedAt = created.createdAt + 60'000;
    {
        UsageStore store;
        QString error;
        QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
        const QJsonObject shown{{QStringLiteral("id"), created.id}, {QStringLiteral("prefix"), created.prefix}};
        store.saveVirtualKey(created, entry(QStringLiteral("keys.create"), created.id, QJsonValue(), shown));
        store.saveVirtualKey(key(2), entry(QStringLiteral("keys.create"), key(2).id));
        QVERIFY(store.flush());
        QCOMPARE(reopenAndLoad(dir).keys.size(), 2);
        store.saveVirtualKey(revoked, entry(QStringLiteral("keys.revoke"), created.id, shown, QJsonValue()));
        QVERIFY(store.flush());
    }
    const StoreStartupState state = reopenAndLoad(dir);
    QCOMPARE(state.keys.size(), 2);
    const VirtualKeyRecord &k = state.keys.first();
    QCOMPARE(k.id, revoked.id);
    QCOMPARE(k.hash, revoked.hash);
    QCOMPARE(k.prefix, revoked.prefix);
    QCOMPARE(k.tenant, revoked.tenant);
    QCOMPARE(k.name, revoked.name);
    QCOMPARE(k.createdAt, revoked.createdAt);
    QCOMPARE(k.revokedAt, revoked.revokedAt);
    QCOMPARE(state.keys.last().revokedAt, 0);

    UsageQuery query;
    QString error;
    QVERIFY2(query.open(UsageStore::databasePathIn(dir.path()), &error), qPrintable(error));
    const QList<VirtualKeyRecord> keys = query.virtualKeys();
    QVERIFY2(query.lastError().isEmpty(), qPrintable(query.lastError()));
    QCOMPARE(keys.size(), 2);
    QCOMPARE(keys.first().revokedAt, revoked.revokedAt);
    const QList<AuditEntry> audit = query.recentAudit(10);
    QCOMPARE(audit.size(), 3);
    QCOMPARE(audit.first().action, QStringLiteral("keys.revoke"));
    QCOMPARE(audit.first().before.toObject().value(QLatin1String("prefix")).toString(), created.prefix);
    QVERIFY(audit.first().after.isNull());
}

void tst_UsageStoreAdmin::duplicateKeyHashIsRefused()
{
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    QSignalSpy failed(&store, &UsageStore::jobDropped);
    VirtualKeyRecord twin = key(2);
    twin.hash = key(1).hash;
    QStringList committed;
    store.saveVirtualKey(key(1), entry(QStringLiteral("keys.create"), key(1).id), whenCommitted([&] { committed << key(1).id; }));
    store.saveVirtualKey(twin, entry(QStringLiteral("keys.create"), twin.id), whenCommitted([&] { committed << twin.id; }));
    QVERIFY(store.flush());
    QCOMPARE(committed, QStringList{key(1).id});
    QTRY_COMPARE(failed.count(), 1);
    QVERIFY2(failed.first().first().toString().contains(twin.id), qPrintable(failed.first().first().toString()));
    TestDatabase check(store.databasePath());
    QCOMPARE(check.strings(QStringLiteral("SELECT id FROM virtual_keys")), QSet<QString>{key(1).id});
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM audit")).toInt(), 1); // the twin's entry went with it
}

void tst_UsageStoreAdmin::auditRoundTrip_data()
{
    QTest::addColumn<QJsonValue>("before");
    QTest::addColumn<QJsonValue>("after");
    QTest::addColumn<QString>("afterText");

    const QJsonObject object{{QStringLiteral("max_cost_micros"), qint64(9'007'199'254'740'993)},
                             {QStringLiteral("name"), QStringLiteral("Zürich \"team\" 🚀")}};
    QTest::newRow("nothing before, object after") << QJsonValue() << QJsonValue(object)
        << QStringLiteral(R"({"max_cost_micros":9007199254740993,"name":"Zürich \"team\" 🚀"})");
    QTest::newRow("array to empty array") << QJsonValue(QJsonArray{1, 2}) << QJsonValue(QJsonArray()) << QStringLiteral("[]");
    QTest::newRow("string to string") << QJsonValue(QStringLiteral("active")) << QJsonValue(QStringLiteral("revoked"))
                                      << QStringLiteral(R"("revoked")");
    QTest::newRow("number to bool") << QJsonValue(qint64(42)) << QJsonValue(true) << QStringLiteral("true");
    QTest::newRow("object to nothing") << QJsonValue(object) << QJsonValue(QJsonValue::Undefined) << QStringLiteral("null");
}

void tst_UsageStoreAdmin::auditRoundTrip()
{
    QFETCH(QJsonValue, before);
    QFETCH(QJsonValue, after);
    QFETCH(QString, afterText);
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    const AuditEntry written = entry(QStringLiteral("budgets.put"), QStringLiteral("budgets"), before, after);
    bool committed = false;
    store.audit(written, whenCommitted([&] { committed = true; }));
    QVERIFY(store.flush());
    QVERIFY(committed);

    TestDatabase check(store.databasePath());
    QCOMPARE(check.scalar(QStringLiteral("SELECT \"after\" FROM audit")).toString(), afterText);
    QCOMPARE(check.scalar(QStringLiteral("SELECT json_valid(\"before\") AND json_valid(\"after\") FROM audit")).toInt(), 1);

    UsageQuery query;
    QVERIFY2(query.open(store.databasePath(), &error), qPrintable(error));
    const QList<AuditEntry> read = query.recentAudit(5);
    QCOMPARE(read.size(), 1);
    const AuditEntry &e = read.first();
    QVERIFY(e.id > 0);
    QCOMPARE(e.at, written.at);
    QCOMPARE(e.actor, written.actor);
    QCOMPARE(e.action, written.action);
    QCOMPARE(e.target, written.target);
    QCOMPARE(e.before, before.isUndefined() ? QJsonValue() : before);
    QCOMPARE(e.after, after.isUndefined() ? QJsonValue() : after);
}

void tst_UsageStoreAdmin::recentAuditIsNewestFirst()
{
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    for (int i = 0; i < 30; ++i)
        store.audit(entry(QStringLiteral("sessions.kill"), QStringLiteral("session-%1").arg(i)));
    QVERIFY(store.flush());
    UsageQuery query;
    QVERIFY2(query.open(store.databasePath(), &error), qPrintable(error));
    const QList<AuditEntry> recent = query.recentAudit(5);
    QCOMPARE(recent.size(), 5);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(recent.at(i).target, QStringLiteral("session-%1").arg(29 - i));
    QCOMPARE(recent.first().id, recent.last().id + 4);
}

void tst_UsageStoreAdmin::callbacksRunInOrderAcrossKinds()
{
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    QStringList order;
    QStringList expected;
    for (int n = 0; n < 200; ++n) {
        const QString tag = QString::number(n);
        switch (n % 6) {
        case 0: store.reserve(BudgetSamples::reservation(n), whenCommitted([&order, tag] { order << tag; })); break;
        case 1: store.record(UsageSamples::sample(n - 1), BudgetSamples::spend(n - 1), whenCommitted([&order, tag] { order << tag; })); break;
        case 2: store.audit(entry(QStringLiteral("sessions.kill"), tag), whenCommitted([&order, tag] { order << tag; })); break;
        case 3: store.saveBudgetRules(rules({n}), entry(QStringLiteral("budgets.put"), tag), whenCommitted([&order, tag] { order << tag; })); break;
        case 4: store.saveVirtualKey(key(n), entry(QStringLiteral("keys.create"), tag), whenCommitted([&order, tag] { order << tag; })); break;
        case 5: store.record(UsageSamples::sample(n), whenCommitted([&order, tag] { order << tag; })); break;
        }
        expected << tag;
        if (n % 50 == 49)
            QTest::qWait(1); // let some commits land in between, so the order spans transactions
    }
    QTRY_COMPARE(order.size(), expected.size());
    QCOMPARE(order, expected);
    QCOMPARE(store.pending(), 0);
    TestDatabase check(store.databasePath());
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM reservations")).toInt(), 0);
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM audit")).toInt(), 99); // audit, rules and key jobs each wrote one
}

QTEST_GUILESS_MAIN(tst_UsageStoreAdmin)
#include "tst_UsageStoreAdmin.moc"
