// HandoffLedger: a prompt carrying another session's latest output is a hand-off, counted once per
// output; a pair trips only when it hands off both ways; old hand-offs, short outputs and a
// session's own output do not count; forget() clears a session's both ways.
#include "WorkspaceText.h"
#include "session/HandoffLedger.h"

#include <QtTest>

namespace {
QString out(const QString &who, int i)
{
    return WorkspaceText::words(QStringLiteral("%1 %2").arg(who).arg(i), 60);
}

// a and b hand each other their outputs `rounds` times each, one hand-off every `stepMs`.
std::optional<HandoffLedger::Finding> exchange(HandoffLedger &l, int rounds, qint64 stepMs, qint64 windowMs = 30000)
{
    std::optional<HandoffLedger::Finding> f;
    qint64 t = 0;
    for (int i = 0; i < rounds && !f; ++i) {
        l.output(QStringLiteral("a"), out(QStringLiteral("a"), i), t);
        f = l.input(QStringLiteral("b"), QStringLiteral("Please check:\n") + out(QStringLiteral("a"), i), t += stepMs, windowMs, 3, 0.6);
        if (f)
            break;
        l.output(QStringLiteral("b"), out(QStringLiteral("b"), i), t);
        f = l.input(QStringLiteral("a"), QStringLiteral("Fixed:\n") + out(QStringLiteral("b"), i), t += stepMs, windowMs, 3, 0.6);
    }
    return f;
}
} // namespace

class tst_HandoffLedger : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void bothWaysTrips()
    {
        HandoffLedger l;
        const auto f = exchange(l, 10, 100);
        QVERIFY(f);
        QCOMPARE(f->partner, QStringLiteral("b")); // a's third hand-in completes it
        QCOMPARE(f->evidence, QStringLiteral("sessions a and b handed each other's output back 6 times in 0.5 s"));
    }

    void tooSlowForTheWindowDoesNotTrip()
    {
        HandoffLedger l;
        QVERIFY(!exchange(l, 10, 7000, 30000)); // two a direction in any 30 s
    }

    void anOutputResentCountsOnceAndOwnOutputNever()
    {
        HandoffLedger l;
        l.output(QStringLiteral("a"), out(QStringLiteral("a"), 0), 0);
        l.output(QStringLiteral("b"), out(QStringLiteral("b"), 0), 0);
        std::optional<HandoffLedger::Finding> f;
        for (int i = 0; i < 10 && !f; ++i) {
            f = l.input(QStringLiteral("b"), out(QStringLiteral("a"), 0), i * 10, 30000, 3, 0.6);
            if (!f)
                f = l.input(QStringLiteral("a"), out(QStringLiteral("b"), 0) + out(QStringLiteral("a"), 0), i * 10 + 5, 30000, 3, 0.6);
        }
        QVERIFY(!f);
    }

    void shortOutputsAndUnrelatedPromptsAreNoHandoff()
    {
        HandoffLedger l;
        std::optional<HandoffLedger::Finding> f;
        for (int i = 0; i < 10 && !f; ++i) {
            l.output(QStringLiteral("a"), QStringLiteral("Done."), i * 10);
            f = l.input(QStringLiteral("b"), QStringLiteral("Done. Next task please."), i * 10 + 1, 30000, 1, 0.6);
            l.output(QStringLiteral("b"), out(QStringLiteral("b"), i), i * 10 + 2);
            if (!f)
                f = l.input(QStringLiteral("a"), out(QStringLiteral("unrelated"), i), i * 10 + 3, 30000, 1, 0.6);
        }
        QVERIFY(!f);
    }

    void forgetClearsBothWays()
    {
        // Two hand-offs each way, then a third: trips, unless a was forgotten in between.
        HandoffLedger kept, forgotten;
        QVERIFY(!exchange(kept, 2, 100));
        QVERIFY(!exchange(forgotten, 2, 100));
        forgotten.forget(QStringLiteral("a"));
        QVERIFY(exchange(kept, 1, 100));
        QVERIFY(!exchange(forgotten, 1, 100));
    }
};

QTEST_GUILESS_MAIN(tst_HandoffLedger)
#include "tst_HandoffLedger.moc"
