// SseParser: events come out whole, with their exact bytes, however the input is split.
#include "dialect/SseParser.h"

#include <QtTest>

class tst_SseParser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<QStringList>("data");
        QTest::addColumn<QStringList>("names");
        QTest::newRow("openai lf") << QByteArray("data: {\"a\":1}\n\ndata: [DONE]\n\n") << QStringList{"{\"a\":1}", "[DONE]"} << QStringList{"", ""};
        QTest::newRow("crlf") << QByteArray("data: x\r\n\r\ndata: y\r\n\r\n") << QStringList{"x", "y"} << QStringList{"", ""};
        // A lone CR at the very end could still be the first half of a CRLF: that event waits for more.
        QTest::newRow("cr only") << QByteArray("data: x\r\rdata: y\r\r") << QStringList{"x"} << QStringList{""};
        QTest::newRow("named anthropic") << QByteArray("event: message_start\ndata: {}\n\nevent: ping\ndata: {\"type\":\"ping\"}\n\n")
                                         << QStringList{"{}", "{\"type\":\"ping\"}"} << QStringList{"message_start", "ping"};
        QTest::newRow("multi-line data") << QByteArray("data: a\ndata: b\n\n") << QStringList{"a\nb"} << QStringList{""};
        QTest::newRow("comment and no space") << QByteArray(": keep-alive\ndata:tight\n\n") << QStringList{"tight"} << QStringList{""};
        QTest::newRow("unfinished last event stays") << QByteArray("data: one\n\ndata: two") << QStringList{"one"} << QStringList{""};
        QTest::newRow("utf-8") << QByteArray("data: {\"t\":\"你好\"}\n\n") << QStringList{QString::fromUtf8("{\"t\":\"你好\"}")} << QStringList{""};
    }

    void parse()
    {
        QFETCH(QByteArray, stream);
        QFETCH(QStringList, data);
        QFETCH(QStringList, names);
        // Whole, and fed one byte at a time: the same events, the same raw bytes.
        for (int step : {int(stream.size()), 1, 3, 7}) {
            SseParser p;
            QList<SseEvent> events;
            for (qsizetype i = 0; i < stream.size(); i += step)
                events += p.feed(stream.mid(i, step));
            QCOMPARE(events.size(), data.size());
            QByteArray rejoined;
            for (int i = 0; i < events.size(); ++i) {
                QCOMPARE(QString::fromUtf8(events.at(i).data), data.at(i));
                QCOMPARE(QString::fromUtf8(events.at(i).event), names.at(i));
                rejoined += events.at(i).raw;
            }
            QCOMPARE(rejoined + p.takeRemainder(), stream);
        }
    }
};

QTEST_GUILESS_MAIN(tst_SseParser)
#include "tst_SseParser.moc"
