#pragma once

// Text an agent's tools return (file contents, grep hits, test runs) and an assistant writes,
// made up but varied the way real work is: each path, pattern or step reads differently.
#include <QString>
#include <QStringList>

namespace WorkspaceText {
inline quint64 seedOf(const QString &s)
{
    quint64 h = 1469598103934665603ULL;
    for (QChar c : s)
        h = (h ^ c.unicode()) * 1099511628211ULL;
    return h;
}

inline QString words(const QString &seed, int count)
{
    static const QStringList vocabulary = QStringLiteral(
        "return const auto value index buffer request session tenant budget limit token stream event parser "
        "header body reply error retry config rule match window count total price model upstream dialect "
        "socket timer thread queue store record usage cost meter sample chart table column row filter sort "
        "begin end first last next previous open close read write flush commit rollback prepare bind query "
        "string list map set hash vector pointer reference owner parent child node tree graph edge path file "
        "folder name size offset length width height colour font label button dialog window menu action signal "
        "slot connect emit update render paint layout widget model view proxy delegate item role data flag")
                                                 .split(u' ');
    quint64 x = seedOf(seed) | 1;
    QStringList out;
    for (int i = 0; i < count; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out << vocabulary.at(qsizetype(x % quint64(vocabulary.size())));
        if (i % 11 == 10)
            out.last() += QStringLiteral(";\n");
    }
    return out.join(u' ');
}

inline QString file(const QString &path) { return QStringLiteral("// %1\n").arg(path) + words(path, 220); }
inline QString grep(const QString &pattern) { return words(QStringLiteral("grep ") + pattern, 60); }
inline QString testRun(int step)
{
    return QStringLiteral("Running 148 tests\n") + words(QStringLiteral("tests %1").arg(step), 50)
        + QStringLiteral("\n%1 passed, %2 failed").arg(140 + step % 8).arg(8 - step % 8);
}
inline QString thought(int step) { return words(QStringLiteral("thought %1").arg(step), 40); }
}
