// FileSecretStore: keys kept in DATA_DIR/secrets.json, for its owner's eyes only.
#include "config/FileSecretStore.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

namespace {
int modeOf(const QString &path)
{
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 0777);
}
} // namespace

class tst_FileSecretStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTrip()
    {
        QTemporaryDir tmp;
        FileSecretStore store(tmp.path() + "/data");
        QCOMPARE(store.kind(), QStringLiteral("file"));
        QString error;
        QVERIFY(!store.read("deepseek", &error));
        QVERIFY(error.isEmpty()); // absent, not broken
        QVERIFY(!QFileInfo::exists(store.path())); // nothing written until the first secret
        QVERIFY(store.remove("deepseek", &error));
        QVERIFY2(store.write("deepseek", "sk-one", &error), qPrintable(error));
        QVERIFY2(store.write("openai", "sk-two", &error), qPrintable(error));
        QCOMPARE(store.read("deepseek"), std::optional<QString>("sk-one"));
        QVERIFY2(store.write("deepseek", "sk-three", &error), qPrintable(error));
        QCOMPARE(store.read("deepseek"), std::optional<QString>("sk-three"));
        QVERIFY(store.remove("deepseek", &error));
        QVERIFY(!store.read("deepseek"));
        QCOMPARE(store.read("openai"), std::optional<QString>("sk-two"));
        QVERIFY(!store.write("  ", "x", &error));
    }

    void fileAndFolderAreTheOwners()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.path() + "/data";
        FileSecretStore store(dir);
        QString error;
        const mode_t old = ::umask(0);
        const bool written = store.write("deepseek", "sk-one", &error);
        ::umask(old);
        QVERIFY2(written, qPrintable(error));
        QCOMPARE(modeOf(store.path()), 0600);
        QCOMPARE(modeOf(dir), 0700);
        QVERIFY(store.write("deepseek", "sk-two", &error)); // replaced, still 0600
        QCOMPARE(modeOf(store.path()), 0600);
    }

    void secondInstanceReadsTheFirstsWrite()
    {
        QTemporaryDir tmp;
        FileSecretStore first(tmp.path());
        FileSecretStore second(tmp.path());
        QString error;
        QVERIFY(second.read("k") == std::nullopt);
        QVERIFY(first.write("k", "sk-shared", &error));
        QCOMPARE(second.read("k"), std::optional<QString>("sk-shared"));
        QVERIFY(second.remove("k"));
        QVERIFY(!first.read("k"));
    }

    void corruptFileIsReportedNotOverwritten()
    {
        QTemporaryDir tmp;
        FileSecretStore store(tmp.path());
        QFile f(store.path());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"version\": 1, \"secrets\": {\"a\": \"sk-leak");
        f.close();
        QString error;
        QVERIFY(!store.read("a", &error));
        QVERIFY2(error.contains("secrets.json is damaged"), qPrintable(error));
        QVERIFY2(!error.contains("sk-leak"), qPrintable(error)); // the bytes may be a key
        QVERIFY(!store.write("b", "sk-b", &error));
        QVERIFY2(error.contains("damaged"), qPrintable(error));
        QVERIFY(!store.remove("a", &error));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("sk-leak")); // left as it was for the user to mend
    }

    void wrongShapeIsReported()
    {
        QTemporaryDir tmp;
        FileSecretStore store(tmp.path());
        QFile f(store.path());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"secrets\": [1, 2]}");
        f.close();
        QString error;
        QVERIFY(!store.read("a", &error));
        QVERIFY2(error.contains("not a secrets object"), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(tst_FileSecretStore)
#include "tst_FileSecretStore.moc"
