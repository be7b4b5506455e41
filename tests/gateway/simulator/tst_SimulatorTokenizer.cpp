#include "simulator/SimulatorText.h"
#include "simulator/SimulatorTokenizer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

// The tokenizer rule and the answer text are part of the documented contract: tests pin them.
class tst_SimulatorTokenizer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void countText_data();
    void countText();
    void countPrompt();
    void textIsDeterministic();
    void cutAnswerIsAPrefix();
    void oneTokenPerWord();
};

void tst_SimulatorTokenizer::countText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("tokens");

    QTest::newRow("empty") << "" << 0;
    QTest::newRow("spaces only") << " \t\n " << 0;
    QTest::newRow("one word") << "hello" << 1;
    QTest::newRow("words") << "the quick brown fox" << 4;
    QTest::newRow("punctuation") << "Hello, world!" << 4;
    QTest::newRow("letters and digits run together") << "GPT4o 2024" << 2;
    QTest::newRow("symbols each") << "{\"a\": 1}" << 7;
    QTest::newRow("accented letters") << "café naïve" << 2;
    QTest::newRow("cjk each") << QString::fromUtf8("你好世界") << 4;
    QTest::newRow("cjk splits a word") << QString::fromUtf8("abc你def") << 3;
    QTest::newRow("kana and hangul") << QString::fromUtf8("こんにちは 안녕") << 7;
    QTest::newRow("cjk extension b (surrogates)") << QString::fromUtf8("\xF0\xA0\x80\x80x") << 2;
    QTest::newRow("emoji is a symbol") << QString::fromUtf8("ok \xF0\x9F\x98\x80") << 2;
}

void tst_SimulatorTokenizer::countText()
{
    QFETCH(QString, text);
    QFETCH(int, tokens);
    QCOMPARE(SimulatorTokenizer::countText(text), tokens);
}

void tst_SimulatorTokenizer::countPrompt()
{
    const QJsonArray messages{
        QJsonObject{{"role", "user"}, {"content", "Hello, world!"}},                      // 4
        QJsonObject{{"role", "assistant"}, {"content", QJsonArray{QJsonObject{{"type", "text"}, {"text", "Hi"}}}}}, // 1
    };
    // 3 + (4 + 4) + (4 + 1)
    QCOMPARE(SimulatorTokenizer::countPrompt(messages, QJsonValue::Null, QJsonValue::Undefined), 16);
    // A system prompt is one more message.
    QCOMPARE(SimulatorTokenizer::countPrompt(messages, QJsonValue("Be brief."), QJsonValue::Undefined), 16 + 4 + 3);
    // Tools: the tokens of their compact JSON text: [{"name":"f"}] = [ { " name " : " f " } ] -> 11 tokens
    QCOMPARE(SimulatorTokenizer::countPrompt(messages, QJsonValue::Null, QJsonArray{QJsonObject{{"name", "f"}}}), 16 + 11);
}

void tst_SimulatorTokenizer::textIsDeterministic()
{
    const auto a = SimulatorText::tokens(42, 30, false);
    const auto b = SimulatorText::tokens(42, 30, false);
    QCOMPARE(a, b);
    QVERIFY(SimulatorText::tokens(43, 30, false) != a);
    // Pinned: the same seed gives the same words on every platform and in every release.
    QCOMPARE(SimulatorText::hash("tokenfuse"), Q_UINT64_C(0xcad972fc35c17c37));
    QVERIFY(a.first().at(0) >= 'A' && a.first().at(0) <= 'Z');
    QVERIFY(a.last().endsWith('.'));
}

void tst_SimulatorTokenizer::cutAnswerIsAPrefix()
{
    const auto whole = SimulatorText::tokens(7, 40, false);
    for (int n = 0; n < 40; ++n)
        QCOMPARE(SimulatorText::tokens(7, n, true), whole.mid(0, n));
}

void tst_SimulatorTokenizer::oneTokenPerWord()
{
    const auto tokens = SimulatorText::tokens(99, 25, false);
    QCOMPARE(tokens.size(), 25);
    QVERIFY(!tokens.first().startsWith(' '));
    for (qsizetype i = 1; i < tokens.size(); ++i) {
        QVERIFY(tokens.at(i).startsWith(' '));
        QVERIFY(!tokens.at(i).mid(1).contains(' '));
    }
    QCOMPARE(tokens.join().split(' ').size(), 25);
}

QTEST_GUILESS_MAIN(tst_SimulatorTokenizer)
#include "tst_SimulatorTokenizer.moc"
