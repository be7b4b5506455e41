#include "TestDatabase.h"
#include "store/SqliteConnection.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

class tst_SqliteConnection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readWriteAppliesPragmas_data();
    void readWriteAppliesPragmas();
    void namesAreUniquePerInstance();
    void closingRemovesTheName();
    void readOnlyRefusesWrites();
    void readOnlyNeedsAnExistingFile();
    void notADatabaseIsRefused();
};

void tst_SqliteConnection::readWriteAppliesPragmas_data()
{
    QTest::addColumn<StoreOptions::Durability>("durability");
    QTest::addColumn<int>("synchronous");
    QTest::newRow("process") << StoreOptions::Durability::Process << 1; // NORMAL
    QTest::newRow("power") << StoreOptions::Durability::Power << 2;     // FULL
}

void tst_SqliteConnection::readWriteAppliesPragmas()
{
    QFETCH(StoreOptions::Durability, durability);
    QFETCH(int, synchronous);
    QTemporaryDir dir;
    StoreOptions options;
    options.durability = durability;
    options.busyTimeoutMs = 1234;
    SqliteConnection connection(QStringLiteral("test"));
    QString error;
    QVERIFY2(connection.open(dir.filePath(QStringLiteral("a.db")), SqliteConnection::Mode::ReadWrite, options, &error),
             qPrintable(error));
    QVariant value;
    QVERIFY(connection.exec(QStringLiteral("PRAGMA journal_mode"), &error, &value));
    QCOMPARE(value.toString(), QStringLiteral("wal"));
    QVERIFY(connection.exec(QStringLiteral("PRAGMA synchronous"), &error, &value));
    QCOMPARE(value.toInt(), synchronous);
    QVERIFY(connection.exec(QStringLiteral("PRAGMA foreign_keys"), &error, &value));
    QCOMPARE(value.toInt(), 1);
    QVERIFY(connection.exec(QStringLiteral("PRAGMA busy_timeout"), &error, &value));
    QCOMPARE(value.toInt(), 1234);
}

void tst_SqliteConnection::namesAreUniquePerInstance()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("a.db"));
    SqliteConnection first(QStringLiteral("same"));
    SqliteConnection second(QStringLiteral("same"));
    QVERIFY(first.name() != second.name());
    QString error;
    QVERIFY2(first.open(path, SqliteConnection::Mode::ReadWrite, StoreOptions(), &error), qPrintable(error));
    QVERIFY2(second.open(path, SqliteConnection::Mode::ReadWrite, StoreOptions(), &error), qPrintable(error));
    QVERIFY(first.exec(QStringLiteral("CREATE TABLE t (x)"), &error));
    QVERIFY(first.exec(QStringLiteral("INSERT INTO t VALUES (42)"), &error));
    QVariant value;
    QVERIFY(second.exec(QStringLiteral("SELECT x FROM t"), &error, &value));
    QCOMPARE(value.toInt(), 42);
}

void tst_SqliteConnection::closingRemovesTheName()
{
    QTemporaryDir dir;
    QString name;
    {
        SqliteConnection connection(QStringLiteral("gone"));
        name = connection.name();
        QString error;
        QVERIFY(connection.open(dir.filePath(QStringLiteral("a.db")), SqliteConnection::Mode::ReadWrite, StoreOptions(), &error));
        QVERIFY(QSqlDatabase::contains(name));
    }
    QVERIFY(!QSqlDatabase::contains(name));
}

void tst_SqliteConnection::readOnlyRefusesWrites()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("a.db"));
    QString error;
    {
        SqliteConnection writer(QStringLiteral("writer"));
        QVERIFY(writer.open(path, SqliteConnection::Mode::ReadWrite, StoreOptions(), &error));
        QVERIFY(writer.exec(QStringLiteral("CREATE TABLE t (x)"), &error));
    }
    SqliteConnection reader(QStringLiteral("reader"));
    QVERIFY2(reader.open(path, SqliteConnection::Mode::ReadOnly, StoreOptions(), &error), qPrintable(error));
    QVERIFY(reader.exec(QStringLiteral("SELECT COUNT(*) FROM t"), &error));
    QVERIFY(!reader.exec(QStringLiteral("INSERT INTO t VALUES (1)"), &error));
    QVERIFY2(error.contains(path), qPrintable(error));
}

void tst_SqliteConnection::readOnlyNeedsAnExistingFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("missing.db"));
    SqliteConnection reader(QStringLiteral("reader"));
    QString error;
    QVERIFY(!reader.open(path, SqliteConnection::Mode::ReadOnly, StoreOptions(), &error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY(!QFile::exists(path));
    QVERIFY(!reader.isOpen());
}

void tst_SqliteConnection::notADatabaseIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("garbage.db"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray("this is a text file, not a database\n").repeated(200));
    }
    SqliteConnection connection(QStringLiteral("garbage"));
    QString error;
    QVERIFY(!connection.open(path, SqliteConnection::Mode::ReadWrite, StoreOptions(), &error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("not a database")), qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_SqliteConnection)
#include "tst_SqliteConnection.moc"
