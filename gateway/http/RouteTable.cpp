#include "RouteTable.h"

#include "HttpRequest.h"

#include <limits>

void RouteTable::addExact(const QByteArray &method, const QByteArray &path, Handler handler)
{
    add({true, path, method, std::move(handler)});
}

void RouteTable::addPrefix(const QByteArray &method, const QByteArray &prefix, Handler handler)
{
    add({false, prefix, method, std::move(handler)});
}

void RouteTable::add(Route route)
{
    for (const Route &r : std::as_const(m_routes)) {
        if (r.exact == route.exact && r.pattern == route.pattern && r.method == route.method)
            return;
    }
    m_routes.append(std::move(route));
}

bool RouteTable::matches(const Route &route, const QByteArray &path) const
{
    return route.exact ? path == route.pattern : path.startsWith(route.pattern);
}

qsizetype RouteTable::specificity(const Route &route)
{
    return route.exact ? std::numeric_limits<qsizetype>::max() : route.pattern.size();
}

void RouteTable::dispatch(const HttpRequest &request, HttpResponder *responder) const
{
    const Route *owner = nullptr;
    for (const Route &r : m_routes) {
        if (matches(r, request.path) && (!owner || specificity(r) > specificity(*owner)))
            owner = &r;
    }
    if (!owner) {
        if (m_fallback)
            m_fallback(request, responder);
        return;
    }
    const Route *any = nullptr;
    QList<QByteArray> allow;
    for (const Route &r : m_routes) {
        if (r.exact != owner->exact || r.pattern != owner->pattern)
            continue;
        if (r.method == request.method)
            return r.handler(request, responder);
        if (r.method == AnyMethod)
            any = &r; // one at most: add() keeps the first
        else
            allow << r.method;
    }
    if (any)
        return any->handler(request, responder);
    if (m_methodNotAllowed)
        m_methodNotAllowed(request, responder, allow.join(", "));
}
