// UpstreamNetwork: the proxy environment as curl reads it (lower case wins, upper case as a
// fallback) and NO_PROXY's rules: "*", a name and everything under it with or without a leading
// "." or "*.", exact IP addresses, CIDR ranges, ports ignored; loopback goes direct unless the list
// says "<-loopback>" (curl would proxy it; see UpstreamNetwork::bypassesProxy for why we don't).
#include "upstream/UpstreamNetwork.h"

#include <QtTest>

namespace {
// Sets or clears the proxy variables for one test and puts them back afterwards.
class ProxyEnvironment
{
public:
    ProxyEnvironment()
    {
        for (const char *name : kNames) {
            m_saved.append(qgetenv(name));
            m_had.append(qEnvironmentVariableIsSet(name));
            qunsetenv(name);
        }
    }
    ~ProxyEnvironment()
    {
        for (int i = 0; i < int(std::size(kNames)); ++i) {
            if (m_had.at(i))
                qputenv(kNames[i], m_saved.at(i));
            else
                qunsetenv(kNames[i]);
        }
    }
    static constexpr const char *kNames[] = {"https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY"};

private:
    QList<QByteArray> m_saved;
    QList<bool> m_had;
};
} // namespace

class tst_UpstreamNetwork : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void readsTheProxyVariables()
    {
        ProxyEnvironment env;
        qputenv("HTTPS_PROXY", "http://secure.proxy:3128");
        qputenv("HTTP_PROXY", "http://plain.proxy:8080");
        qputenv("NO_PROXY", "internal.corp, .lan,10.0.0.0/8");
        const UpstreamNetwork n = UpstreamNetwork::fromEnvironment();
        QCOMPARE(n.httpsProxy, QStringLiteral("http://secure.proxy:3128"));
        QCOMPARE(n.httpProxy, QStringLiteral("http://plain.proxy:8080"));
        QCOMPARE(n.noProxy, QStringList({QStringLiteral("internal.corp"), QStringLiteral(".lan"), QStringLiteral("10.0.0.0/8")}));
        QVERIFY(n.caBundle.isEmpty());
    }

    void lowerCaseWinsOverUpperCase()
    {
        ProxyEnvironment env;
        qputenv("https_proxy", "http://lower:1");
        qputenv("HTTPS_PROXY", "http://upper:1");
        qputenv("http_proxy", "http://lower:2");
        qputenv("HTTP_PROXY", "http://upper:2");
        qputenv("no_proxy", "lower.example");
        qputenv("NO_PROXY", "upper.example");
        const UpstreamNetwork n = UpstreamNetwork::fromEnvironment();
        QCOMPARE(n.httpsProxy, QStringLiteral("http://lower:1"));
        QCOMPARE(n.httpProxy, QStringLiteral("http://lower:2"));
        QCOMPARE(n.noProxy, QStringList{QStringLiteral("lower.example")});
    }

    void anEmptyEnvironmentMeansNoProxy()
    {
        ProxyEnvironment env;
        const UpstreamNetwork n = UpstreamNetwork::fromEnvironment();
        QVERIFY(n.httpsProxy.isEmpty());
        QVERIFY(n.httpProxy.isEmpty());
        QVERIFY(n.noProxy.isEmpty());
    }

    void noProxyRules_data()
    {
        QTest::addColumn<QString>("noProxy");
        QTest::addColumn<QString>("host");
        QTest::addColumn<bool>("bypasses");

        QTest::newRow("empty list: proxied") << "" << "api.openai.com" << false;
        QTest::newRow("star: everything") << "*" << "api.openai.com" << true;
        QTest::newRow("star among others") << "a.example,*" << "api.openai.com" << true;
        QTest::newRow("name itself") << "example.com" << "example.com" << true;
        QTest::newRow("name covers subdomain") << "example.com" << "api.example.com" << true;
        QTest::newRow("name covers deep subdomain") << "example.com" << "a.b.example.com" << true;
        QTest::newRow("name is not a suffix match") << "example.com" << "badexample.com" << false;
        QTest::newRow("dot form covers subdomain") << ".example.com" << "api.example.com" << true;
        QTest::newRow("dot form covers the domain") << ".example.com" << "example.com" << true;
        QTest::newRow("star-dot form covers subdomain") << "*.example.com" << "api.example.com" << true;
        QTest::newRow("star-dot form covers the domain") << "*.example.com" << "example.com" << true;
        QTest::newRow("other domain") << "example.com" << "example.org" << false;
        QTest::newRow("case-insensitive") << "Example.COM" << "API.example.com" << true;
        QTest::newRow("trailing dot of the host") << "example.com" << "api.example.com." << true;
        QTest::newRow("spaces round entries") << " a.example , example.com " << "x.example.com" << true;
        QTest::newRow("port in entry ignored") << "example.com:8443" << "example.com" << true;
        QTest::newRow("IPv4 exact") << "192.168.1.10" << "192.168.1.10" << true;
        QTest::newRow("IPv4 other address") << "192.168.1.10" << "192.168.1.11" << false;
        QTest::newRow("IPv4 is not a domain suffix") << "1.10" << "192.168.1.10" << false;
        QTest::newRow("IPv4 with port") << "192.168.1.10:80" << "192.168.1.10" << true;
        QTest::newRow("IPv6 exact") << "fd00::1" << "fd00::1" << true;
        QTest::newRow("IPv6 bracketed host") << "fd00::1" << "[fd00::1]" << true;
        QTest::newRow("IPv6 bracketed entry with port") << "[fd00::1]:443" << "fd00::1" << true;
        QTest::newRow("IPv6 other address") << "fd00::1" << "fd00::2" << false;
        QTest::newRow("CIDR v4 inside") << "10.0.0.0/8" << "10.20.30.40" << true;
        QTest::newRow("CIDR v4 outside") << "10.0.0.0/8" << "11.0.0.1" << false;
        QTest::newRow("CIDR v6 inside") << "fd00::/8" << "fd12::5" << true;
        QTest::newRow("CIDR never matches a name") << "10.0.0.0/8" << "ten.example" << false;
        QTest::newRow("loopback name") << "" << "localhost" << true;
        QTest::newRow("loopback subdomain") << "" << "api.localhost" << true;
        QTest::newRow("loopback 127.0.0.1") << "" << "127.0.0.1" << true;
        QTest::newRow("loopback 127.5.6.7") << "" << "127.5.6.7" << true;
        QTest::newRow("loopback ::1") << "" << "::1" << true;
        QTest::newRow("loopback [::1]") << "" << "[::1]" << true;
        QTest::newRow("not loopback 128.0.0.1") << "" << "128.0.0.1" << false;
        QTest::newRow("name looking like localhost") << "" << "localhost.example.com" << false;
        QTest::newRow("<-loopback>: localhost proxied") << "<-loopback>" << "localhost" << false;
        QTest::newRow("<-loopback>: 127.0.0.1 proxied") << "<-loopback>" << "127.0.0.1" << false;
        QTest::newRow("<-loopback>: ::1 proxied") << "<-loopback>" << "[::1]" << false;
        QTest::newRow("<-loopback> any case") << "<-Loopback>" << "localhost" << false;
        QTest::newRow("<-loopback> but named") << "<-loopback>,localhost" << "localhost" << true;
        QTest::newRow("<-loopback> matches no name") << "<-loopback>" << "api.openai.com" << false;
        QTest::newRow("<-loopback> with star") << "<-loopback>,*" << "localhost" << true;
    }

    void noProxyRules()
    {
        QFETCH(QString, noProxy);
        QFETCH(QString, host);
        QFETCH(bool, bypasses);
        UpstreamNetwork n;
        n.httpsProxy = QStringLiteral("http://proxy:3128");
        n.noProxy = noProxy.split(QLatin1Char(','), Qt::SkipEmptyParts);
        QCOMPARE(n.bypassesProxy(host), bypasses);
    }

    void noProxyFromTheEnvironmentTakesSpacesAndCommas()
    {
        ProxyEnvironment env;
        qputenv("no_proxy", "a.example  b.example,,c.example");
        const UpstreamNetwork n = UpstreamNetwork::fromEnvironment();
        QVERIFY(n.bypassesProxy(QStringLiteral("x.b.example")));
        QVERIFY(n.bypassesProxy(QStringLiteral("c.example")));
        QVERIFY(!n.bypassesProxy(QStringLiteral("d.example")));
    }
};

QTEST_GUILESS_MAIN(tst_UpstreamNetwork)
#include "tst_UpstreamNetwork.moc"
