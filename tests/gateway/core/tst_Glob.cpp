// Glob: the one name matcher behind upstream "models", price entries and budget/rate-limit "match".
#include "core/Glob.h"

#include <QtTest>

class tst_Glob : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void matches_data();
    void matches();
    void literalPrefix_data();
    void literalPrefix();
};

void tst_Glob::matches_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("matches");
    QTest::newRow("star, empty text") << "*" << "" << true;
    QTest::newRow("star, anything") << "*" << "gpt-4o" << true;
    QTest::newRow("empty pattern") << "" << "" << true;
    QTest::newRow("empty pattern, text") << "" << "a" << false;
    QTest::newRow("exact") << "abc" << "abc" << true;
    QTest::newRow("case") << "AbC" << "aBc" << true;
    QTest::newRow("non-ascii case") << "ÄRGER" << "ärger" << true;
    QTest::newRow("question") << "a?c" << "abc" << true;
    QTest::newRow("question needs one") << "a?c" << "ac" << false;
    QTest::newRow("question is one, not two") << "a?c" << "abbc" << false;
    QTest::newRow("middle star") << "a*c" << "abbbbc" << true;
    QTest::newRow("backtrack") << "a*bc" << "abcbcbd" << false;
    QTest::newRow("backtrack ok") << "a*bc" << "abcbcbc" << true;
    QTest::newRow("trailing stars") << "ab**" << "ab" << true;
    QTest::newRow("literal star in text") << "a*" << "a*b" << true;
    QTest::newRow("prefix only") << "abc" << "abcd" << false;
    // Model ids with a slash: Hugging Face style, OpenRouter's provider prefix.
    QTest::newRow("star crosses slash") << "*" << "meta-llama/Llama-3.3-70B-Instruct" << true;
    QTest::newRow("prefix star crosses slash") << "meta-llama/*" << "meta-llama/Llama-3.3-70B-Instruct" << true;
    QTest::newRow("star before slash") << "*/claude-*" << "anthropic/claude-sonnet-4-6" << true;
    QTest::newRow("star spans segments") << "anthropic*6" << "anthropic/claude-sonnet-4-6" << true;
    QTest::newRow("question matches slash") << "a?b" << "a/b" << true;
    QTest::newRow("case across slash") << "llama-*" << "Llama-3.3-70B" << true;
    QTest::newRow("no prefix match") << "claude-*" << "anthropic/claude-sonnet-4-6" << false;
}

void tst_Glob::matches()
{
    QFETCH(QString, pattern);
    QFETCH(QString, text);
    QFETCH(bool, matches);
    QCOMPARE(Glob::matches(pattern, text), matches);
}

void tst_Glob::literalPrefix_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<int>("prefix");
    QTest::addColumn<bool>("isGlob");
    QTest::newRow("exact") << "deepseek-chat" << 13 << false;
    QTest::newRow("star") << "*" << 0 << true;
    QTest::newRow("trailing") << "gpt-4o-mini*" << 11 << true;
    QTest::newRow("question") << "o?-mini" << 1 << true;
    QTest::newRow("empty") << "" << 0 << false;
}

void tst_Glob::literalPrefix()
{
    QFETCH(QString, pattern);
    QFETCH(int, prefix);
    QFETCH(bool, isGlob);
    QCOMPARE(Glob::literalPrefix(pattern), qsizetype(prefix));
    QCOMPARE(Glob::isGlob(pattern), isGlob);
}

QTEST_GUILESS_MAIN(tst_Glob)
#include "tst_Glob.moc"
