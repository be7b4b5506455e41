// RouteTable: the most specific pattern owns a path (exact over prefix, longer prefix over
// shorter), its method-named route before its any-method one, 405 with `allow` when neither takes
// the method, the fallback when no pattern matches, and the first of two equal routes kept.
#include "http/HttpRequest.h"
#include "http/RouteTable.h"

#include <QtTest>

namespace {

struct Answer
{
    QByteArray route; // the route's name, "405" or "fallback"
    QByteArray allow;
};

HttpRequest requestFor(const QByteArray &method, const QByteArray &path)
{
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.target = path;
    return r;
}

} // namespace

class tst_RouteTable : public QObject
{
    Q_OBJECT
private:
    // Named handlers that write down who answered. Registered less specific first, so order
    // cannot be what makes the specific ones win.
    void fill(RouteTable *table, Answer *answer)
    {
        const auto named = [answer](const char *name) {
            return [answer, name](const HttpRequest &, HttpResponder *) { answer->route = name; };
        };
        table->addPrefix(RouteTable::AnyMethod, "/v1/", named("passthrough"));
        table->addPrefix(RouteTable::AnyMethod, "/admin/", named("admin"));
        table->addPrefix("GET", "/v1/files/", named("files"));
        table->addExact(RouteTable::AnyMethod, "/healthz", named("health"));
        table->addExact("POST", "/v1/chat/completions", named("chat"));
        table->addExact("PUT", "/v1/chat/completions", named("chat put"));
        table->addExact("POST", "/v1/chat/completions", named("chat again")); // ignored: the first stays
        table->addExact(RouteTable::AnyMethod, "/v1/models", named("models other"));
        table->addExact("GET", "/v1/models", named("models"));
        table->setMethodNotAllowed([answer](const HttpRequest &, HttpResponder *, const QByteArray &allow) {
            answer->route = "405";
            answer->allow = allow;
        });
        table->setFallback(named("fallback"));
    }

private Q_SLOTS:
    void dispatch_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("route");
        QTest::addColumn<QByteArray>("allow");
        QTest::newRow("exact, any method") << QByteArray("GET") << QByteArray("/healthz") << QByteArray("health") << QByteArray();
        QTest::newRow("exact, any method, POST") << QByteArray("POST") << QByteArray("/healthz") << QByteArray("health") << QByteArray();
        QTest::newRow("exact beats prefix") << QByteArray("POST") << QByteArray("/v1/chat/completions") << QByteArray("chat") << QByteArray();
        QTest::newRow("first of equal routes kept") << QByteArray("POST") << QByteArray("/v1/chat/completions") << QByteArray("chat") << QByteArray();
        QTest::newRow("second method on a path") << QByteArray("PUT") << QByteArray("/v1/chat/completions") << QByteArray("chat put") << QByteArray();
        QTest::newRow("wrong method: 405, no prefix") << QByteArray("GET") << QByteArray("/v1/chat/completions") << QByteArray("405") << QByteArray("POST, PUT");
        QTest::newRow("method is case sensitive") << QByteArray("post") << QByteArray("/v1/chat/completions") << QByteArray("405") << QByteArray("POST, PUT");
        QTest::newRow("named method before any") << QByteArray("GET") << QByteArray("/v1/models") << QByteArray("models") << QByteArray();
        QTest::newRow("any method after named") << QByteArray("POST") << QByteArray("/v1/models") << QByteArray("models other") << QByteArray();
        QTest::newRow("exact is exact") << QByteArray("POST") << QByteArray("/v1/chat/completions/") << QByteArray("passthrough") << QByteArray();
        QTest::newRow("prefix") << QByteArray("DELETE") << QByteArray("/v1/threads/t1") << QByteArray("passthrough") << QByteArray();
        QTest::newRow("longer prefix beats shorter") << QByteArray("GET") << QByteArray("/v1/files/f1") << QByteArray("files") << QByteArray();
        QTest::newRow("longer prefix, wrong method: 405") << QByteArray("POST") << QByteArray("/v1/files/f1") << QByteArray("405") << QByteArray("GET");
        QTest::newRow("prefix itself") << QByteArray("GET") << QByteArray("/v1/") << QByteArray("passthrough") << QByteArray();
        QTest::newRow("prefix needs its slash") << QByteArray("GET") << QByteArray("/v1") << QByteArray("fallback") << QByteArray();
        QTest::newRow("other prefix") << QByteArray("POST") << QByteArray("/admin/v1/keys") << QByteArray("admin") << QByteArray();
        QTest::newRow("nothing matches") << QByteArray("GET") << QByteArray("/") << QByteArray("fallback") << QByteArray();
        QTest::newRow("no partial segment magic") << QByteArray("GET") << QByteArray("/healthzz") << QByteArray("fallback") << QByteArray();
    }

    void dispatch()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, route);
        QFETCH(QByteArray, allow);
        RouteTable table;
        Answer answer;
        fill(&table, &answer);
        table.dispatch(requestFor(method, path), nullptr);
        QCOMPARE(answer.route, route);
        QCOMPARE(answer.allow, allow);
    }

    // A table without a fallback or a 405 handler answers nothing rather than crash.
    void missingHandlersDoNothing()
    {
        RouteTable table;
        bool ran = false;
        table.addExact("POST", "/x", [&](const HttpRequest &, HttpResponder *) { ran = true; });
        table.dispatch(requestFor("GET", "/x"), nullptr);
        table.dispatch(requestFor("GET", "/y"), nullptr);
        QVERIFY(!ran);
        table.dispatch(requestFor("POST", "/x"), nullptr);
        QVERIFY(ran);
    }
};

QTEST_GUILESS_MAIN(tst_RouteTable)
#include "tst_RouteTable.moc"
