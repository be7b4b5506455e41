#pragma once

#include "accounting/UsageRecord.h"
#include "budget/CounterKey.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QString>
#include <QVariant>
#include <QHash>
#include <QSet>
#include <QtTest>

#include <optional>

// A plain connection of the test's own, deliberately not built on the store's classes, for
// preparing files and checking what really is on disk.
class TestDatabase
{
public:
    explicit TestDatabase(const QString &path)
        : m_name(QStringLiteral("test-db-%1").arg(++counter()))
    {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        m_db.setDatabaseName(path);
        m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (!m_db.open())
            qWarning("TestDatabase: cannot open %s: %s", qPrintable(path), qPrintable(m_db.lastError().text()));
    }
    ~TestDatabase()
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }
    TestDatabase(const TestDatabase &) = delete;
    TestDatabase &operator=(const TestDatabase &) = delete;

    QSqlDatabase &db() { return m_db; }
    bool isOpen() const { return m_db.isOpen(); }

    bool exec(const QString &sql)
    {
        QSqlQuery query(m_db);
        if (query.exec(sql))
            return true;
        qWarning("TestDatabase: %s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        return false;
    }

    // First column of the first row, or an invalid QVariant.
    QVariant scalar(const QString &sql, const QVariantList &binds = {})
    {
        QSqlQuery query(m_db);
        query.prepare(sql);
        for (const QVariant &value : binds)
            query.addBindValue(value);
        if (!query.exec()) {
            qWarning("TestDatabase: %s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
            return {};
        }
        return query.next() ? query.value(0) : QVariant();
    }

    qint64 requestCount() { return scalar(QStringLiteral("SELECT COUNT(*) FROM requests")).toLongLong(); }

    // Every spend counter as stored.
    QHash<CounterKey, CounterTotals> counters()
    {
        QHash<CounterKey, CounterTotals> totals;
        QSqlQuery query(m_db);
        if (!query.exec(QStringLiteral("SELECT rule, subject, window_start, tokens, cost_micros, requests FROM budget_counters")))
            qWarning("TestDatabase: reading counters: %s", qPrintable(query.lastError().text()));
        while (query.next()) {
            CounterTotals t;
            t.key = {query.value(0).toString(), query.value(1).toString(), query.value(2).toLongLong()};
            t.tokens = query.value(3).toLongLong();
            t.costMicros = query.value(4).toLongLong();
            t.requests = query.value(5).toLongLong();
            totals.insert(t.key, t);
        }
        return totals;
    }

    // The first column of every row of `sql`, as strings.
    QSet<QString> strings(const QString &sql)
    {
        QSet<QString> values;
        QSqlQuery query(m_db);
        if (!query.exec(sql))
            qWarning("TestDatabase: %s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        while (query.next())
            values.insert(query.value(0).toString());
        return values;
    }

    // A stored row read back by column name.
    std::optional<UsageRecord> request(const QString &id)
    {
        QSqlQuery query(m_db);
        query.prepare(QStringLiteral("SELECT * FROM requests WHERE id = ?"));
        query.addBindValue(id);
        if (!query.exec() || !query.next())
            return std::nullopt;
        const QSqlRecord r = query.record();
        UsageRecord row;
        row.id = r.value(QStringLiteral("id")).toString();
        row.startedAt = r.value(QStringLiteral("started_at")).toLongLong();
        row.endedAt = r.value(QStringLiteral("ended_at")).toLongLong();
        row.tenant = r.value(QStringLiteral("tenant")).toString();
        row.session = r.value(QStringLiteral("session")).toString();
        row.model = r.value(QStringLiteral("model")).toString();
        row.upstream = r.value(QStringLiteral("upstream")).toString();
        row.endpoint = r.value(QStringLiteral("endpoint")).toString();
        row.stream = r.value(QStringLiteral("stream")).toLongLong() != 0;
        row.status = r.value(QStringLiteral("status")).toInt();
        row.promptTokens = r.value(QStringLiteral("prompt_tokens")).toLongLong();
        row.completionTokens = r.value(QStringLiteral("completion_tokens")).toLongLong();
        row.cachedTokens = r.value(QStringLiteral("cached_tokens")).toLongLong();
        row.costMicros = r.value(QStringLiteral("cost_micros")).toLongLong();
        row.currency = r.value(QStringLiteral("currency")).toString();
        row.latencyMs = r.value(QStringLiteral("latency_ms")).toLongLong();
        row.ttftMs = r.value(QStringLiteral("ttft_ms")).toLongLong();
        row.error = r.value(QStringLiteral("error")).toString();
        row.estimated = r.value(QStringLiteral("estimated")).toLongLong() != 0;
        row.priceKnown = r.value(QStringLiteral("price_known")).toLongLong() != 0;
        row.keyFingerprint = r.value(QStringLiteral("key_fingerprint")).toString();
        return row;
    }

private:
    static int &counter()
    {
        static int value = 0;
        return value;
    }

    QString m_name;
    QSqlDatabase m_db;
};

// Counter by counter, so a failure names the counter.
inline void compareCounters(const QHash<CounterKey, CounterTotals> &actual, const QHash<CounterKey, CounterTotals> &expected)
{
    QCOMPARE(actual.size(), expected.size());
    for (auto it = expected.cbegin(); it != expected.cend(); ++it) {
        const QString name = QStringLiteral("%1 / %2 / %3").arg(it.key().rule, it.key().subject).arg(it.key().windowStart);
        QVERIFY2(actual.contains(it.key()), qPrintable(name));
        const CounterTotals &a = actual.value(it.key());
        QVERIFY2(a.tokens == it->tokens, qPrintable(QStringLiteral("%1: tokens %2, expected %3").arg(name).arg(a.tokens).arg(it->tokens)));
        QVERIFY2(a.costMicros == it->costMicros, qPrintable(QStringLiteral("%1: cost %2, expected %3").arg(name).arg(a.costMicros).arg(it->costMicros)));
        QVERIFY2(a.requests == it->requests, qPrintable(QStringLiteral("%1: requests %2, expected %3").arg(name).arg(a.requests).arg(it->requests)));
    }
}

// Field by field, so a failure names the field.
inline void compareRecords(const UsageRecord &actual, const UsageRecord &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.startedAt, expected.startedAt);
    QCOMPARE(actual.endedAt, expected.endedAt);
    QCOMPARE(actual.tenant, expected.tenant);
    QCOMPARE(actual.session, expected.session);
    QCOMPARE(actual.model, expected.model);
    QCOMPARE(actual.upstream, expected.upstream);
    QCOMPARE(actual.endpoint, expected.endpoint);
    QCOMPARE(actual.stream, expected.stream);
    QCOMPARE(actual.status, expected.status);
    QCOMPARE(actual.promptTokens, expected.promptTokens);
    QCOMPARE(actual.completionTokens, expected.completionTokens);
    QCOMPARE(actual.cachedTokens, expected.cachedTokens);
    QCOMPARE(actual.costMicros, expected.costMicros);
    QCOMPARE(actual.currency, expected.currency);
    QCOMPARE(actual.latencyMs, expected.latencyMs);
    QCOMPARE(actual.ttftMs, expected.ttftMs);
    QCOMPARE(actual.error, expected.error);
    QCOMPARE(actual.estimated, expected.estimated);
    QCOMPARE(actual.priceKnown, expected.priceKnown);
    QCOMPARE(actual.keyFingerprint, expected.keyFingerprint);
}
