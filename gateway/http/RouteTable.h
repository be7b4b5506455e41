#pragma once

#include <QByteArray>
#include <QList>

#include <functional>

class HttpResponder;
struct HttpRequest;

// Which handler answers a request, by method and path. A route's pattern is an exact path
// ("/healthz") or a prefix ("/v1/"); its method is one ("GET") or any (AnyMethod).
//
// The rule: the most specific pattern that matches the path owns the request. An exact path beats
// every prefix, a longer prefix beats a shorter one. Among that pattern's routes, the one naming
// the request's method wins, then its any-method route; if neither exists, the method-not-allowed
// handler answers with the pattern's methods for `allow` (a less specific pattern is never tried).
// When no pattern matches, the fallback answers. Registering the same pattern and method twice
// keeps the first.
class RouteTable
{
public:
    using Handler = std::function<void(const HttpRequest &, HttpResponder *)>;
    // `allow`: the methods the path takes, comma separated, in the order they were registered.
    using MethodNotAllowed = std::function<void(const HttpRequest &, HttpResponder *, const QByteArray &allow)>;
    static inline const QByteArray AnyMethod = QByteArrayLiteral("*");

    void addExact(const QByteArray &method, const QByteArray &path, Handler handler);
    void addPrefix(const QByteArray &method, const QByteArray &prefix, Handler handler);
    void setMethodNotAllowed(MethodNotAllowed handler) { m_methodNotAllowed = std::move(handler); }
    void setFallback(Handler handler) { m_fallback = std::move(handler); }

    void dispatch(const HttpRequest &request, HttpResponder *responder) const;

private:
    struct Route
    {
        bool exact = true;
        QByteArray pattern;
        QByteArray method;
        Handler handler;
    };
    void add(Route route);
    bool matches(const Route &route, const QByteArray &path) const;
    // Higher is more specific: an exact path above every prefix, longer prefixes above shorter.
    static qsizetype specificity(const Route &route);

    QList<Route> m_routes;
    MethodNotAllowed m_methodNotAllowed;
    Handler m_fallback;
};
