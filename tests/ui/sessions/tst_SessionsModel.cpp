// SessionsModel through sequences of snapshots, watched by QAbstractItemModelTester.
#include "SessionSamples.h"
#include "sessions/SessionFilter.h"
#include "sessions/SessionsModel.h"
#include "session/SessionCommand.h"

#include "ConsolePalette.h"
#include "../support/WcagContrast.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QPalette>
#include <QColor>
#include <QSignalSpy>
#include <QTest>


using namespace SessionSamples;
using S = SessionView::State;

class tst_SessionsModel : public QObject
{
    Q_OBJECT
private slots:
    void sequenceOfSnapshots();
    void unchangedRowsKeepTheirIndexes();
    void changesOnlyTheColumnsThatChanged();
    void displayTexts();
    void sortRoleIsNumeric();
    void actionFollowsState();
    void stateColours();
    void stateColoursReadOnLightAndDark();
    void toolTipsCarryReasonAndModels();

private:
    static QStringList ids(const SessionsModel &model);
};

QStringList tst_SessionsModel::ids(const SessionsModel &model)
{
    QStringList list;
    for (int row = 0; row < model.rowCount(); ++row)
        list << model.index(row, SessionsModel::Session).data().toString();
    return list;
}

void tst_SessionsModel::sequenceOfSnapshots()
{
    SessionsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy layouts(&model, &QAbstractItemModel::layoutChanged);

    model.setSessions({session("a"), session("b"), session("c")});
    QCOMPARE(ids(model), (QStringList{"a", "b", "c"}));

    // Update one, add two at once, in a new order.
    QList<SessionView> next{session("d"), session("b"), session("e"), session("c"), session("a")};
    next[1].inFlight = 3;
    model.setSessions(next);
    QCOMPARE(ids(model), (QStringList{"a", "b", "c", "d", "e"}));
    QCOMPARE(model.index(model.rowOf("b"), SessionsModel::InFlight).data().toString(), QStringLiteral("3"));

    // Remove from the middle and both ends in one snapshot, with one newcomer.
    model.setSessions({session("c"), session("f"), session("d")});
    QCOMPARE(ids(model), (QStringList{"c", "d", "f"}));
    QCOMPARE(model.rowOf("a"), -1);
    QCOMPARE(model.rowOf("f"), 2);

    // Reordered only: nothing moves.
    model.setSessions({session("f"), session("d"), session("c")});
    QCOMPARE(ids(model), (QStringList{"c", "d", "f"}));

    // Every state change, then all gone, then back.
    model.setSessions({session("c", S::Tripped), session("d", S::Killed), session("f", S::Throttled)});
    QCOMPARE(model.index(0, SessionsModel::State).data().toString(), QStringLiteral("Tripped"));
    model.setSessions({});
    QCOMPARE(model.rowCount(), 0);
    model.setSessions({session("x"), session("y")});
    QCOMPARE(ids(model), (QStringList{"x", "y"}));
    for (int tick = 0; tick < 5; ++tick)
        model.setSessions(crowd(60 - tick * 7, tick));
    QCOMPARE(model.rowCount(), 60 - 4 * 7);
    // A snapshot that names a session twice still gives it one row.
    model.setSessions({session("x"), session("y"), session("y")});
    QCOMPARE(ids(model), (QStringList{"x", "y"}));

    QCOMPARE(resets.count(), 0);
    QCOMPARE(layouts.count(), 0);
}

void tst_SessionsModel::unchangedRowsKeepTheirIndexes()
{
    SessionsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setSessions({session("a"), session("b"), session("c"), session("d")});
    const QPersistentModelIndex c(model.index(2, SessionsModel::Cost));
    const QPersistentModelIndex d(model.index(3, SessionsModel::LastPrompt));

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setSessions({session("d"), session("c"), session("b")});
    QCOMPARE(changed.count(), 0); // nothing about b, c or d changed
    QVERIFY(c.isValid());
    QVERIFY(d.isValid());
    QCOMPARE(c.data(SessionsModel::SessionIdRole).toString(), QStringLiteral("c"));
    QCOMPARE(c.column(), int(SessionsModel::Cost));
    QCOMPARE(d.data(SessionsModel::SessionIdRole).toString(), QStringLiteral("d"));
    QCOMPARE(c.row(), 1);
    QCOMPARE(d.row(), 2);
}

void tst_SessionsModel::changesOnlyTheColumnsThatChanged()
{
    SessionsModel model;
    QList<SessionView> list{session("a"), session("b"), session("c"), session("d")};
    model.setSessions(list);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    list[1].inFlight = 1;
    list[2].inFlight = 4;
    model.setSessions(list);
    QCOMPARE(changed.count(), 1); // adjacent rows: one signal
    QCOMPARE(changed.at(0).at(0).toModelIndex(), model.index(1, SessionsModel::InFlight));
    QCOMPARE(changed.at(0).at(1).toModelIndex(), model.index(2, SessionsModel::InFlight));

    changed.clear();
    list[0].costMicros = 5;
    list[3].lastSeenMs += 1000;
    model.setSessions(list);
    QCOMPARE(changed.count(), 2); // rows apart: one each
    QCOMPARE(changed.at(0).at(0).toModelIndex(), model.index(0, SessionsModel::Cost));
    QCOMPARE(changed.at(1).at(0).toModelIndex(), model.index(3, SessionsModel::LastSeen));

    // A state change repaints the whole row: its tint, its button, its tooltips.
    changed.clear();
    list[2].state = S::Killed;
    model.setSessions(list);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex(), model.index(2, 0));
    QCOMPARE(changed.at(0).at(1).toModelIndex(), model.index(2, SessionsModel::ColumnCount - 1));
}

void tst_SessionsModel::displayTexts()
{
    SessionsModel model;
    SessionView s = session("agent-7", S::Active, 1'234'560);
    s.lastPrompt = QStringLiteral("line one\nline two");
    model.setSessions({s});
    const auto text = [&](int column) { return model.index(0, column).data().toString(); };
    QCOMPARE(text(SessionsModel::Session), QStringLiteral("agent-7"));
    QCOMPARE(text(SessionsModel::Tenant), QStringLiteral("acme"));
    QCOMPARE(text(SessionsModel::State), QStringLiteral("Active"));
    QCOMPARE(text(SessionsModel::Cost), QStringLiteral("$1.23"));
    QCOMPARE(text(SessionsModel::TokensPerMinute), QStringLiteral("12.4k"));
    QCOMPARE(text(SessionsModel::Requests), QStringLiteral("12"));
    QCOMPARE(text(SessionsModel::LastPrompt), QStringLiteral("line one line two"));
    QCOMPARE(text(SessionsModel::Action), QStringLiteral("Kill"));

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setCurrency(QStringLiteral("EUR"));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(text(SessionsModel::Cost), QStringLiteral("€1.23"));
}

void tst_SessionsModel::sortRoleIsNumeric()
{
    SessionsModel model;
    model.setSessions({session("a", S::Active, 9'000'000), session("b", S::Active, 10'000'000), session("c", S::Active, 950'000)});
    QCOMPARE(model.index(1, SessionsModel::Cost).data(SessionsModel::SortRole).toLongLong(), 10'000'000);

    // As text "$10.00" sorts before "$9.00"; by the sort role it does not.
    SessionFilter proxy;
    proxy.setSourceModel(&model);
    proxy.sort(SessionsModel::Cost, Qt::AscendingOrder);
    QStringList order;
    for (int row = 0; row < proxy.rowCount(); ++row)
        order << proxy.index(row, SessionsModel::Session).data().toString();
    QCOMPARE(order, (QStringList{"c", "a", "b"}));

    // And it keeps sorting as figures change.
    model.setSessions({session("a", S::Active, 9'000'000), session("b", S::Active, 10'000'000), session("c", S::Active, 20'000'000)});
    QCOMPARE(proxy.index(2, SessionsModel::Session).data().toString(), QStringLiteral("c"));
}

void tst_SessionsModel::actionFollowsState()
{
    SessionsModel model;
    model.setSessions({session("a", S::Active), session("t", S::Throttled), session("p", S::Tripped), session("k", S::Killed)});
    const auto action = [&](int row) { return SessionCommand::Action(model.index(row, SessionsModel::Action).data(SessionsModel::ActionRole).toInt()); };
    QCOMPARE(action(0), SessionCommand::Action::KillSession);
    QCOMPARE(action(1), SessionCommand::Action::KillSession);
    QCOMPARE(action(2), SessionCommand::Action::ResumeSession);
    QCOMPARE(action(3), SessionCommand::Action::ResumeSession);
    QCOMPARE(model.index(2, SessionsModel::Action).data().toString(), QStringLiteral("Resume"));

    // A row blocked through its tenant, or by stop-all, resumes what blocks it.
    SessionView byTenant = session("bt", S::Killed);
    byTenant.blockedBy = SessionView::BlockedBy::Tenant;
    SessionView byAll = session("ba", S::Killed);
    byAll.blockedBy = SessionView::BlockedBy::All;
    SessionView own = session("bo", S::Tripped);
    own.blockedBy = SessionView::BlockedBy::Session;
    model.setSessions({byTenant, byAll, own});
    QCOMPARE(action(0), SessionCommand::Action::ResumeTenant);
    QCOMPARE(action(1), SessionCommand::Action::ResumeAll);
    QCOMPARE(action(2), SessionCommand::Action::ResumeSession);
}

void tst_SessionsModel::stateColours()
{
    SessionsModel model;
    model.setSessions({session("a", S::Active), session("t", S::Throttled), session("p", S::Tripped), session("k", S::Killed)});
    QSet<QRgb> colours;
    for (int row = 0; row < 4; ++row) {
        const auto state = S(model.index(row, 0).data(SessionsModel::StateRole).toInt());
        const QColor fg = model.index(row, SessionsModel::State).data(Qt::ForegroundRole).value<QColor>();
        QCOMPARE(fg, ConsolePalette::readableOn(SessionsModel::stateColor(state), QGuiApplication::palette().color(QPalette::Base)));
        colours.insert(fg.rgb());
        const QVariant bg = model.index(row, SessionsModel::Cost).data(Qt::BackgroundRole);
        const bool blocked = state == S::Tripped || state == S::Killed;
        QCOMPARE(bg.isValid(), blocked);
        if (blocked) {
            // A tint, so the palette's base shows through on light and dark alike.
            QVERIFY(bg.value<QColor>().alphaF() < 0.3);
            QCOMPARE(bg.value<QColor>().rgb(), SessionsModel::stateColor(state).rgb());
        }
    }
    QCOMPARE(colours.size(), 4);
}

void tst_SessionsModel::stateColoursReadOnLightAndDark()
{
    // The State column's text as the model gives it under Fusion's light palette and under a dark
    // one (the dark palette the screenshots use): at least WCAG's 3:1 for UI text.
    SessionsModel model;
    model.setSessions({session("a", S::Active), session("t", S::Throttled), session("p", S::Tripped), session("k", S::Killed)});
    const QPalette original = QGuiApplication::palette();
    QPalette dark = original;
    dark.setColor(QPalette::Base, QColor(0x2a, 0x2a, 0x2a));
    QPalette light = original;
    light.setColor(QPalette::Base, Qt::white);
    for (const QPalette &palette : {light, dark}) {
        QGuiApplication::setPalette(palette);
        for (int row = 0; row < model.rowCount(); ++row) {
            const QColor fg = model.index(row, SessionsModel::State).data(Qt::ForegroundRole).value<QColor>();
            const QString name = model.index(row, SessionsModel::State).data().toString();
            QVERIFY2(WcagContrast::ratio(fg, palette.color(QPalette::Base)) >= 3.0,
                     qPrintable(QStringLiteral("%1 on %2: %3").arg(name, palette.color(QPalette::Base).name())
                                    .arg(WcagContrast::ratio(fg, palette.color(QPalette::Base)))));
        }
    }
    QGuiApplication::setPalette(original);
}

void tst_SessionsModel::toolTipsCarryReasonAndModels()
{
    SessionsModel model;
    model.setSessions({session("p", S::Tripped, 2'500'000)});
    const QString state = model.index(0, SessionsModel::State).data(Qt::ToolTipRole).toString();
    QVERIFY2(state.contains(QStringLiteral("the same tool call 14 times")), qPrintable(state));
    QVERIFY2(state.contains(QStringLiteral("$2.50")), qPrintable(state));
    const QString id = model.index(0, SessionsModel::Session).data(Qt::ToolTipRole).toString();
    QVERIFY2(id.contains(QStringLiteral("claude-sonnet-4, claude-haiku-4")), qPrintable(id));
    QVERIFY2(id.contains(QStringLiteral("claude:4242")), qPrintable(id));
}

QTEST_MAIN(tst_SessionsModel)
#include "tst_SessionsModel.moc"
