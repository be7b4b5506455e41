#include "UpstreamNetwork.h"

#include <QHostAddress>
#include <QRegularExpression>

namespace {
// curl's precedence: the lower-case spelling wins when both are set. curl reads http_proxy in
// lower case only (HTTP_PROXY can be set by a web server from a request's "Proxy:" header when a
// program runs as CGI); TokenFuse never runs as CGI, so it takes HTTP_PROXY too, after http_proxy,
// as most developer tools do.
QString environment(const char *lower, const char *upper)
{
    const QString value = qEnvironmentVariable(lower).trimmed();
    return value.isEmpty() ? qEnvironmentVariable(upper).trimmed() : value;
}

// A host name or address as it is compared: lower case, no brackets round an IPv6 address, no
// trailing dot of a fully qualified name.
QString normalisedHost(QString host)
{
    host = host.trimmed().toLower();
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    while (host.endsWith(QLatin1Char('.')))
        host.chop(1);
    return host;
}

// A NO_PROXY entry without its port ("host:8080", "[::1]:8080"); ports are ignored, as curl did
// for years and as most tools still do. A bare IPv6 address (more than one colon) has none.
QString withoutPort(const QString &entry)
{
    if (entry.startsWith(QLatin1Char('['))) {
        const qsizetype close = entry.indexOf(QLatin1Char(']'));
        return close < 0 ? entry : entry.mid(1, close - 1);
    }
    if (entry.count(QLatin1Char(':')) == 1 && !entry.contains(QLatin1Char('/')))
        return entry.section(QLatin1Char(':'), 0, 0);
    return entry;
}

bool isLoopback(const QString &host)
{
    if (host == QLatin1String("localhost") || host.endsWith(QLatin1String(".localhost")))
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

bool entryMatches(QString entry, const QString &host, const QHostAddress &hostAddress)
{
    entry = entry.trimmed().toLower();
    if (entry.isEmpty())
        return false;
    if (entry == QLatin1String("*"))
        return true;
    entry = withoutPort(entry);
    if (entry.contains(QLatin1Char('/'))) {
        const auto subnet = QHostAddress::parseSubnet(entry);
        return !hostAddress.isNull() && subnet.second >= 0 && !subnet.first.isNull()
            && hostAddress.isInSubnet(subnet);
    }
    const QHostAddress entryAddress(entry);
    if (!entryAddress.isNull())
        return !hostAddress.isNull() && entryAddress.isEqual(hostAddress);
    if (entry.startsWith(QLatin1String("*.")))
        entry = entry.mid(2);
    else if (entry.startsWith(QLatin1Char('.')))
        entry = entry.mid(1);
    entry = normalisedHost(entry);
    if (entry.isEmpty())
        return false;
    // The domain itself and every name under it, never a name that merely ends the same way
    // ("example.com" does not cover "badexample.com").
    return host == entry || host.endsWith(QLatin1Char('.') + entry);
}
} // namespace

UpstreamNetwork UpstreamNetwork::fromEnvironment()
{
    UpstreamNetwork n;
    n.httpsProxy = environment("https_proxy", "HTTPS_PROXY");
    n.httpProxy = environment("http_proxy", "HTTP_PROXY");
    static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
    n.noProxy = environment("no_proxy", "NO_PROXY").split(separators, Qt::SkipEmptyParts);
    return n;
}

bool UpstreamNetwork::bypassesProxy(const QString &rawHost) const
{
    const QString host = normalisedHost(rawHost);
    const QHostAddress hostAddress(host);
    bool loopbackDirect = true;
    for (const QString &entry : noProxy) {
        if (entry.trimmed().compare(QLatin1String("<-loopback>"), Qt::CaseInsensitive) == 0)
            loopbackDirect = false;
        else if (entryMatches(entry, host, hostAddress))
            return true;
    }
    return loopbackDirect && isLoopback(host);
}
