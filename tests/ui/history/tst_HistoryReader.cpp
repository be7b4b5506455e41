// HistoryReader: answers on its own thread through its own connection, and a query superseded
// before it started is never answered.
#include "HistorySamples.h"
#include "history/HistoryReader.h"

#include <QMutex>
#include <QSemaphore>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

class tst_HistoryReader : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void answersOnItsOwnThread();
    void aSupersededQueryIsNotAnswered();
    void aMissingDatabaseIsAnError();
    void noPathYetIsAnError();
    void stoppingEndsTheThread();

private:
    HistoryQuery query(quint64 serial) const;

    QTemporaryDir m_dir;
    QString m_path;
    qint64 m_day = 0;
};

void tst_HistoryReader::initTestCase()
{
    m_day = QDate(2026, 11, 20).startOfDay().toMSecsSinceEpoch();
    m_path = HistorySamples::write(m_dir.path(), {HistorySamples::row(m_day + 3600000, "a", "t", "s", 10, 5, 700),
                                                  HistorySamples::row(m_day + 7200000, "b", "t", "s", 20, 5, 300)});
    QVERIFY(!m_path.isEmpty());
}

HistoryQuery tst_HistoryReader::query(quint64 serial) const
{
    HistoryQuery q;
    q.serial = serial;
    q.fromMs = m_day;
    q.toMs = m_day + 24 * 3600000;
    q.bucket = UsageQuery::Bucket::Hour;
    q.split = UsageQuery::Split::Model;
    return q;
}

void tst_HistoryReader::answersOnItsOwnThread()
{
    HistoryReader::Owner reader = HistoryReader::start(m_path);
    QThread *readerThread = reader->thread();
    QVERIFY(readerThread != QThread::currentThread());
    QMutex mutex;
    QThread *answeredOn = nullptr;
    QList<HistoryResult> results;
    connect(reader.get(), &HistoryReader::answered, this, [&](const HistoryResult &r) {
        QMutexLocker lock(&mutex);
        answeredOn = QThread::currentThread();
        results.append(r);
    }, Qt::DirectConnection);
    reader->submit(query(1));
    QTRY_COMPARE([&] { QMutexLocker lock(&mutex); return results.size(); }(), 1);
    QMutexLocker lock(&mutex);
    QCOMPARE(answeredOn, readerThread);
    const HistoryResult &r = results.first();
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.query.serial, 1u);
    QCOMPARE(r.rows.size(), 2);
    QCOMPARE(r.rows[0].key, QStringLiteral("a"));
    QCOMPARE(r.rows[0].costMicros, 700);
    QCOMPARE(r.rows[1].costMicros, 300);
}

void tst_HistoryReader::aSupersededQueryIsNotAnswered()
{
    HistoryReader::Owner reader = HistoryReader::start(m_path);
    QList<quint64> answered;
    connect(reader.get(), &HistoryReader::answered, this, [&](const HistoryResult &r) { answered.append(r.query.serial); });
    // Hold the reader's thread while three queries come in, as fast clicks would while it reads.
    QSemaphore entered;
    QSemaphore gate;
    QMetaObject::invokeMethod(reader.get(), [&] {
        entered.release();
        gate.acquire();
    });
    entered.acquire();
    reader->submit(query(1));
    reader->submit(query(2));
    reader->submit(query(3));
    gate.release();
    QTRY_COMPARE(answered.size(), 1);
    QCOMPARE(answered.first(), 3u);
    // The reader is not left with anything queued: the next query is the next answer.
    reader->submit(query(4));
    QTRY_COMPARE(answered.size(), 2);
    QCOMPARE(answered, (QList<quint64>{3, 4}));
    QCOMPARE(reader->queriesRun(), 2);
}

void tst_HistoryReader::aMissingDatabaseIsAnError()
{
    const QString missing = m_dir.filePath(QStringLiteral("nowhere/tokenfuse.db"));
    HistoryReader::Owner reader = HistoryReader::start(missing);
    QList<HistoryResult> results;
    connect(reader.get(), &HistoryReader::answered, this, [&](const HistoryResult &r) { results.append(r); });
    reader->submit(query(1));
    QTRY_COMPARE(results.size(), 1);
    QVERIFY2(results.first().error.contains(missing), qPrintable(results.first().error));
    QVERIFY(results.first().rows.isEmpty());
    // Pointed at the real file, it opens it at the next query.
    reader->setDatabasePath(m_path);
    reader->submit(query(2));
    QTRY_COMPARE(results.size(), 2);
    QVERIFY2(results.last().error.isEmpty(), qPrintable(results.last().error));
    QCOMPARE(results.last().rows.size(), 2);
}

void tst_HistoryReader::noPathYetIsAnError()
{
    HistoryReader::Owner reader = HistoryReader::start();
    QList<HistoryResult> results;
    connect(reader.get(), &HistoryReader::answered, this, [&](const HistoryResult &r) { results.append(r); });
    reader->submit(query(1));
    QTRY_COMPARE(results.size(), 1);
    QVERIFY(!results.first().error.isEmpty());
}

void tst_HistoryReader::stoppingEndsTheThread()
{
    HistoryReader::Owner reader = HistoryReader::start(m_path);
    QPointer<QThread> thread = reader->thread();
    QList<HistoryResult> results;
    connect(reader.get(), &HistoryReader::answered, this, [&](const HistoryResult &r) { results.append(r); });
    reader->submit(query(1));
    QTRY_COMPARE(results.size(), 1);
    QVERIFY(thread->isRunning());
    reader.reset();
    QVERIFY(thread.isNull());
}

QTEST_GUILESS_MAIN(tst_HistoryReader)
#include "tst_HistoryReader.moc"
