// Rules that come from the config file are written back to it by a PUT (a real gateway started
// from a real file): the file keeps its other keys and the next start reads the new rules; a
// file that can't be written refuses the change and leaves everything as it was.
#include "GatewayClient.h"
#include "config/GatewayConfig.h"
#include "core/GatewayHost.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

class tst_AdminConfigWriteBack : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_configPath = m_dir->filePath("config.json");
        const QJsonObject config{{"default_max_tokens", 64},
                                 {"pricing", QJsonObject{{"gpt-4o-mini", QJsonObject{{"input", 0.15}, {"output", 0.6}}}}},
                                 {"budgets", QJsonArray{QJsonObject{{"name", "roomy"}, {"scope", "global"}, {"window", "day"},
                                                                    {"max_requests", 1000}}}},
                                 {"rate_limits", QJsonArray{QJsonObject{{"scope", "tenant"}, {"rpm", 1000}}}}};
        QFile f(m_configPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(config).toJson());
        f.close();
        start();
    }

    void cleanup()
    {
        stop();
        QFile::setPermissions(m_configPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }

    void aBudgetsPutRewritesTheFileAndTheNextStartReadsIt()
    {
        QCOMPARE(body(m_client->admin("GET", "budgets")).value("stored_in").toString(), "config file " + m_configPath);
        const QJsonArray rules{QJsonObject{{"name", "tight"}, {"scope", "global"}, {"window", "day"}, {"max_requests", 1}}};
        const GatewayClient::Reply put = m_client->admin("PUT", "budgets", rules);
        QCOMPARE(put.status, 200);
        QCOMPARE(body(put).value("stored_in").toString(), "config file " + m_configPath);

        const QJsonObject file = readConfig();
        // The rules as the gateway holds them, every default spelled out.
        const QJsonArray written = file.value("budgets").toArray();
        QCOMPARE(written.size(), 1);
        QCOMPARE(written.first().toObject().value("name").toString(), QStringLiteral("tight"));
        QCOMPARE(written.first().toObject().value("max_requests").toInt(), 1);
        QCOMPARE(written.first().toObject().value("over_cap").toString(), QStringLiteral("clamp"));
        // Every other key as it was.
        QCOMPARE(file.value("default_max_tokens").toInt(), 64);
        QCOMPARE(file.value("rate_limits").toArray().size(), 1);
        QVERIFY(file.value("pricing").toObject().contains("gpt-4o-mini"));

        stop();
        start();
        const QJsonArray inForce = body(m_client->admin("GET", "budgets")).value("budgets").toArray();
        QCOMPARE(inForce.size(), 1);
        QCOMPARE(inForce.first().toObject().value("name").toString(), QStringLiteral("tight"));
        QCOMPARE(request(), 200);
        QCOMPARE(request(), 402);
    }

    void aRateLimitsPutRewritesTheFileAndTheNextStartReadsIt()
    {
        const QJsonArray rules{QJsonObject{{"scope", "tenant"}, {"match", "*"}, {"rpm", 1}}};
        const GatewayClient::Reply put = m_client->admin("PUT", "rate_limits", rules);
        QCOMPARE(put.status, 200);
        QCOMPARE(body(put).value("stored_in").toString(), "config file " + m_configPath);
        QCOMPARE(readConfig().value("rate_limits").toArray(), rules);
        QCOMPARE(readConfig().value("budgets").toArray().first().toObject().value("name").toString(), QStringLiteral("roomy"));

        stop();
        start();
        QCOMPARE(body(m_client->admin("GET", "rate_limits")).value("rate_limits").toArray(), rules);
        QCOMPARE(request(), 200);
        QCOMPARE(request(), 429);
    }

    void theFilesRateLimitsWinAtStartOverTheStores()
    {
        // Saved to the store too (with its audit entry); the file, edited by hand meanwhile, wins.
        QCOMPARE(m_client->admin("PUT", "rate_limits", QJsonArray{QJsonObject{{"scope", "tenant"}, {"rpm", 1}}}).status, 200);
        stop();
        QJsonObject file = readConfig();
        const QJsonArray byHand{QJsonObject{{"scope", "session"}, {"match", "*"}, {"concurrency", 3}}};
        file.insert("rate_limits", byHand);
        QFile f(m_configPath);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(QJsonDocument(file).toJson());
        f.close();
        start();
        QCOMPARE(body(m_client->admin("GET", "rate_limits")).value("rate_limits").toArray(), byHand);
        QCOMPARE(request(), 200);
        QCOMPARE(request(), 200);
    }

    void anUnwritableFileRefusesTheChangeAndChangesNothing_data()
    {
        QTest::addColumn<QByteArray>("route");
        QTest::addColumn<QJsonArray>("rules");
        QTest::newRow("budgets") << QByteArray("budgets")
                                 << QJsonArray{QJsonObject{{"scope", "global"}, {"window", "day"}, {"max_requests", 1}}};
        QTest::newRow("rate_limits") << QByteArray("rate_limits") << QJsonArray{QJsonObject{{"scope", "tenant"}, {"rpm", 1}}};
    }

    void anUnwritableFileRefusesTheChangeAndChangesNothing()
    {
        QFETCH(QByteArray, route);
        QFETCH(QJsonArray, rules);
        QFile f(m_configPath);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray before = f.readAll();
        f.close();
        const QJsonValue inForce = body(m_client->admin("GET", route)).value(QString::fromLatin1(route));
        QVERIFY(QFile::setPermissions(m_configPath, QFileDevice::ReadOwner | QFileDevice::ReadGroup));

        const GatewayClient::Reply put = m_client->admin("PUT", route, rules);
        QCOMPARE(put.status, 500);
        const QJsonObject error = body(put).value("error").toObject();
        QCOMPARE(error.value("type").toString(), QStringLiteral("config_write_failed"));
        const QString message = error.value("message").toString();
        QVERIFY2(message.contains(m_configPath) && message.contains(QLatin1String("read-only")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("were not changed")), qPrintable(message));

        QCOMPARE(body(m_client->admin("GET", route)).value(QString::fromLatin1(route)), inForce);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), before);
        QCOMPARE(request(), 200);
        QCOMPARE(request(), 200);
        const QJsonArray audit = body(m_client->admin("GET", "audit")).value("audit").toArray();
        for (const QJsonValue &e : audit)
            QVERIFY(!e.toObject().value("action").toString().endsWith(QLatin1String(".put")));
    }

private:
    void start()
    {
        QString error;
        std::optional<GatewayConfig> config = GatewayConfig::fromFile(m_configPath, &error);
        QVERIFY2(config, qPrintable(error));
        config->listenPort = 0;
        config->dataDir = m_dir->filePath("data");
        m_host = new GatewayHost(*config, this);
        QSignalSpy started(m_host, &GatewayHost::started);
        m_host->start();
        QVERIFY(started.wait(5000));
        m_port = quint16(started.at(0).at(0).toString().section(QLatin1Char(':'), -1).toUInt());
        m_client = std::make_unique<GatewayClient>(m_port, config->dataDir);
    }

    void stop()
    {
        m_client.reset();
        if (m_host) {
            m_host->stop();
            delete m_host;
            m_host = nullptr;
        }
    }

    QJsonObject readConfig() const
    {
        QFile f(m_configPath);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return QJsonDocument::fromJson(f.readAll()).object();
    }

    static QJsonObject body(const GatewayClient::Reply &r) { return QJsonDocument::fromJson(r.body).object(); }

    int request()
    {
        HttpHeaders h;
        h.add("content-type", "application/json");
        const QByteArray body = R"({"model":"gpt-4o-mini","max_tokens":16,"messages":[{"role":"user","content":"hi"}]})";
        return m_client->call("/v1/chat/completions", body, h).status;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_configPath;
    GatewayHost *m_host = nullptr;
    quint16 m_port = 0;
    std::unique_ptr<GatewayClient> m_client;
};

QTEST_GUILESS_MAIN(tst_AdminConfigWriteBack)
#include "tst_AdminConfigWriteBack.moc"
