// Shingles: normalising folds timestamps, ids, long numbers, case and spacing while keeping the
// words that matter; similarity is robust to small edits and low for unrelated texts; the bottom-k
// sketch estimates Jaccard closely; containment finds an output quoted in a longer prompt.
#include "WorkspaceText.h"
#include "session/Shingles.h"

#include <QtTest>

namespace {
double similarity(const QString &a, const QString &b)
{
    return Shingles::resemblance(Shingles::sketch(Shingles::of(a, 1 << 20), 128), Shingles::sketch(Shingles::of(b, 1 << 20), 128), 128);
}
} // namespace

class tst_Shingles : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void normalisationFoldsIdsTimesAndSpacing()
    {
        const QString a = QStringLiteral("[2026-12-01T22:03:46.123Z] Request req_011CUbX3kQ8Jd2 for session 550e8400-e29b-41d4-a716-446655440000:\n"
                                         "  build   FAILED after 183452 ms, commit 3f9a2c1d7e.  Please FIX it");
        const QString b = QStringLiteral("[2026-12-01T22:05:01.987Z] request req_022XyZw9pLm4Qr for session 6ba7b810-9dad-11d1-80b4-00c04fd430c8: "
                                         "build failed after 190007 ms, commit 77aa01bc99. please fix it");
        QCOMPARE(Shingles::digest(a, 10000), Shingles::digest(b, 10000));
        QCOMPARE(Shingles::of(a, 10000), Shingles::of(b, 10000));
        // Words that matter still differ.
        QVERIFY(Shingles::digest(a, 10000) != Shingles::digest(QString(b).replace(QStringLiteral("failed"), QStringLiteral("passed")), 10000));
        QCOMPARE(Shingles::words(QStringLiteral("a b"), 10000).size(), std::size_t(2));
        QVERIFY(Shingles::of(QString(), 100).empty());
        QCOMPARE(similarity(QString(), QString()), 1.0);
    }

    void similarityIsRobustToSmallEdits()
    {
        const QString text = WorkspaceText::words(QStringLiteral("base"), 300);
        QString edited = text;
        edited.replace(edited.indexOf(u' ', 500), 1, QStringLiteral(" extra "));
        QVERIFY2(similarity(text, edited) >= 0.9, qPrintable(QString::number(similarity(text, edited))));
        QVERIFY2(similarity(text, WorkspaceText::words(QStringLiteral("other"), 300)) < 0.2, "unrelated texts");
        // Containment: an output quoted inside a longer prompt is found whole.
        const QString output = WorkspaceText::words(QStringLiteral("output"), 80);
        const QString prompt = QStringLiteral("The reviewer said:\n") + output + u'\n' + WorkspaceText::words(QStringLiteral("more"), 200);
        QVERIFY(Shingles::containment(Shingles::of(output, 10000), Shingles::of(prompt, 10000)) > 0.95);
        QVERIFY(Shingles::containment(Shingles::of(output, 10000), Shingles::of(WorkspaceText::words(QStringLiteral("more"), 200), 10000)) < 0.1);
    }

    void sketchEstimatesJaccard()
    {
        // Two long texts sharing about half their words in order: the estimate from 128 hashes is
        // within a few points of the exact figure.
        const QString common = WorkspaceText::words(QStringLiteral("common"), 1500);
        const QString a = common + u' ' + WorkspaceText::words(QStringLiteral("only a"), 1500);
        const QString b = common + u' ' + WorkspaceText::words(QStringLiteral("only b"), 1500);
        const Shingles::Set sa = Shingles::of(a, 1 << 20), sb = Shingles::of(b, 1 << 20);
        std::vector<quint64> both, all;
        std::set_intersection(sa.begin(), sa.end(), sb.begin(), sb.end(), std::back_inserter(both));
        std::set_union(sa.begin(), sa.end(), sb.begin(), sb.end(), std::back_inserter(all));
        const double exact = double(both.size()) / double(all.size());
        const double estimate = Shingles::resemblance(Shingles::sketch(sa, 128), Shingles::sketch(sb, 128), 128);
        QVERIFY2(exact > 0.2 && exact < 0.5, qPrintable(QString::number(exact)));
        QVERIFY2(qAbs(estimate - exact) < 0.1, qPrintable(QStringLiteral("%1 vs %2").arg(estimate).arg(exact)));
        QCOMPARE(Shingles::sketch(sa, 128).size(), std::size_t(128));
    }

    void maxCharsBoundsTheReading()
    {
        const QString text = WorkspaceText::words(QStringLiteral("long"), 5000);
        QVERIFY(Shingles::of(text, 1000).size() < 250);
        QVERIFY(Shingles::of(text, 1 << 20).size() > 3000);
    }
};

QTEST_GUILESS_MAIN(tst_Shingles)
#include "tst_Shingles.moc"
