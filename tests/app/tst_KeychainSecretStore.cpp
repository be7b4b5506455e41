// KeychainSecretStore where no keychain answers (no D-Bus secret service, as on a server): every
// call falls back to DATA_DIR/secrets.json, within its time bound.
#include "KeychainSecretStore.h"
#include "config/GatewayConfig.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

class tst_KeychainSecretStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // No session bus at all: the keychain can only fail (or stay silent).
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/tokenfuse-test-bus");
    }

    void fallsBackToTheFileWithinTheBound()
    {
        QTemporaryDir tmp;
        KeychainSecretStore store(tmp.path());
        QString error;
        QElapsedTimer clock;
        clock.start();
        QVERIFY2(store.write("deepseek", "sk-fallback", &error), qPrintable(error));
        QVERIFY2(clock.elapsed() < 2'500, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(store.kind(), QStringLiteral("file"));
        clock.restart();
        QCOMPARE(store.read("deepseek", &error), std::optional<QString>("sk-fallback"));
        QVERIFY(!store.read("absent", &error));
        QVERIFY(error.isEmpty());
        QVERIFY(store.remove("deepseek", &error));
        QVERIFY(!store.read("deepseek"));
        QVERIFY(clock.elapsed() < 500); // once down, the keychain is not waited for again
    }

    void theFileIsTheOneAFileStoreReads()
    {
        QTemporaryDir tmp;
        QString error;
        {
            KeychainSecretStore store(tmp.path());
            QVERIFY(store.write("openai", "sk-in-the-file", &error));
        }
        FileSecretStore file(tmp.path());
        QCOMPARE(file.read("openai"), std::optional<QString>("sk-in-the-file"));
        QVERIFY(file.write("qwen", "sk-second", &error));
        KeychainSecretStore again(tmp.path());
        QCOMPARE(again.read("qwen"), std::optional<QString>("sk-second"));
    }

    void silentKeychainCostsOneBoundedWait()
    {
        // A bound far below the keychain's own D-Bus time-out: the call returns at the bound.
        QTemporaryDir tmp;
        KeychainSecretStore store(tmp.path(), 50);
        QString error;
        QElapsedTimer clock;
        clock.start();
        QVERIFY(!store.read("anything", &error));
        QVERIFY2(clock.elapsed() < 1'000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(store.kind(), QStringLiteral("file"));
    }

    void resolvesUpstreamKeys()
    {
        QTemporaryDir tmp;
        QString error;
        FileSecretStore(tmp.path()).write("glm", "sk-glm", &error);
        auto config = GatewayConfig::fromJson(QJsonObject{{"data_dir", tmp.path()},
                                                          {"upstreams", QJsonArray{QJsonObject{{"preset", "zhipu"}, {"api_key_secret", "glm"}}}}},
                                              &error);
        QVERIFY2(config, qPrintable(error));
        config->resolveKeys(std::make_shared<KeychainSecretStore>(tmp.path()));
        QCOMPARE(config->upstreams.first().apiKey, QStringLiteral("sk-glm"));
        QCOMPARE(config->upstreams.first().keySourceText(), QStringLiteral("secret-store:glm"));
        QVERIFY(config->warnings.isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_KeychainSecretStore)
#include "tst_KeychainSecretStore.moc"
