// ToolCallTrail: a call counts once however often its history is re-sent; the same call counts
// only with the same arguments and the same result; a session's first request stamps only its
// latest turn; a cycle needs two or three different calls going round; old calls fall out.
#include "session/ToolCallTrail.h"

#include <QtTest>

namespace {
ToolCallSeen call(const QString &key, const QString &name, quint64 args, const QString &result, bool latest = true)
{
    return ToolCallSeen{key, name, args, result, latest};
}
} // namespace

class tst_ToolCallTrail : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void aResentCallCountsOnce()
    {
        ToolCallTrail trail;
        const QList<ToolCallSeen> history{call("call_1", "read_file", 7, "same")};
        for (int i = 0; i < 10; ++i)
            trail.add(history, 1000 + i, false);
        QVERIFY(!trail.repeated(0, 2000, 2));
    }

    void theSameCallNeedsTheSameArgumentsAndResult()
    {
        ToolCallTrail trail;
        for (int i = 0; i < 5; ++i) {
            trail.add({call(QStringLiteral("a%1").arg(i), "bash", 1, "ok")}, i * 1000, false);
            trail.add({call(QStringLiteral("b%1").arg(i), "bash", 100 + quint64(i), "ok")}, i * 1000, false);       // other arguments
            trail.add({call(QStringLiteral("c%1").arg(i), "test", 2, QStringLiteral("%1 failed").arg(i))}, i * 1000, false); // other results
        }
        QVERIFY(!trail.repeated(0, 5000, 6));
        trail.add({call("a5", "bash", 1, "OK  ")}, 5000, false); // the same result, normalised
        const auto f = trail.repeated(0, 5000, 6);
        QVERIFY(f);
        QCOMPARE(f->signal, QStringLiteral("tool_repeat"));
        QCOMPARE(f->evidence, QStringLiteral("tool bash called 6 times with the same arguments and the same result in 5.0 s"));
        // Outside the window they do not count.
        QVERIFY(!trail.repeated(1, 5000, 6));
    }

    void aFirstRequestStampsOnlyItsLatestTurn()
    {
        ToolCallTrail trail;
        QList<ToolCallSeen> history;
        for (int i = 0; i < 8; ++i)
            history.append(call(QStringLiteral("h%1").arg(i), "bash", 1, "waiting", i == 7));
        trail.add(history, 0, true);
        QVERIFY(!trail.repeated(0, 0, 2));
        // Re-sent, the old calls are known and stay uncounted.
        trail.add(history, 10, false);
        QVERIFY(!trail.repeated(0, 10, 2));
        trail.add({call("new", "bash", 1, "waiting")}, 20, false);
        QVERIFY(trail.repeated(0, 20, 2));
    }

    void aCycleGoesRoundDifferentCalls()
    {
        ToolCallTrail trail;
        for (int i = 0; i < 8; ++i)
            trail.add({call(QStringLiteral("k%1").arg(i), i % 2 ? "bash" : "edit_file", quint64(i % 2), "same")}, i * 1000, false);
        const auto f = trail.cycle(0, 7000, 4);
        QVERIFY(f);
        QCOMPARE(f->evidence, QStringLiteral("tool calls edit_file → bash went round the same cycle 4 times in 7.0 s"));
        QVERIFY(!trail.cycle(0, 7000, 5));

        ToolCallTrail same;
        for (int i = 0; i < 8; ++i)
            same.add({call(QStringLiteral("s%1").arg(i), "bash", 1, "same")}, i, false);
        QVERIFY(!same.cycle(0, 10, 4)); // one call over and over is a repeat, not a cycle
        QVERIFY(same.repeated(0, 10, 8));

        trail.clear();
        QVERIFY(!trail.cycle(0, 7000, 2));
    }
};

QTEST_GUILESS_MAIN(tst_ToolCallTrail)
#include "tst_ToolCallTrail.moc"
