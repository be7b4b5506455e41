#include "SimulatorTokenizer.h"

#include <QChar>
#include <QJsonDocument>
#include <QJsonObject>

bool SimulatorTokenizer::isCjk(char32_t c)
{
    return (c >= 0x3040 && c <= 0x30FF)      // Hiragana, Katakana
        || (c >= 0x3400 && c <= 0x4DBF)      // CJK Extension A
        || (c >= 0x4E00 && c <= 0x9FFF)      // CJK Unified Ideographs
        || (c >= 0xAC00 && c <= 0xD7AF)      // Hangul syllables
        || (c >= 0xF900 && c <= 0xFAFF)      // CJK Compatibility Ideographs
        || (c >= 0x20000 && c <= 0x3FFFF);   // CJK Extensions B and later
}

int SimulatorTokenizer::countText(QStringView text)
{
    int tokens = 0;
    bool inWord = false;
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        char32_t c = text[i].unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < n && text[i + 1].isLowSurrogate()) {
            c = QChar::surrogateToUcs4(text[i], text[i + 1]);
            ++i;
        }
        if (isCjk(c)) {
            ++tokens;
            inWord = false;
        } else if (QChar::isLetterOrNumber(c)) {
            if (!inWord)
                ++tokens;
            inWord = true;
        } else {
            inWord = false;
            if (!QChar::isSpace(c))
                ++tokens;
        }
    }
    return tokens;
}

int SimulatorTokenizer::countValue(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return countText(value.toString());
    case QJsonValue::Array: {
        int tokens = 0;
        for (const QJsonValue &v : value.toArray())
            tokens += countValue(v);
        return tokens;
    }
    case QJsonValue::Object: {
        int tokens = 0;
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            // Structural words the real tokenizers don't bill as text either.
            if (it.key() == QLatin1String("role") || it.key() == QLatin1String("type"))
                continue;
            tokens += countValue(it.value());
        }
        return tokens;
    }
    default:
        return 0;
    }
}

int SimulatorTokenizer::countPrompt(const QJsonArray &messages, const QJsonValue &system, const QJsonValue &tools)
{
    int tokens = kPromptOverhead;
    for (const QJsonValue &m : messages)
        tokens += kMessageOverhead + countValue(m);
    if (!system.isNull() && !system.isUndefined())
        tokens += kMessageOverhead + countValue(system);
    if (tools.isArray() && !tools.toArray().isEmpty())
        tokens += countText(QString::fromUtf8(QJsonDocument(tools.toArray()).toJson(QJsonDocument::Compact)));
    return tokens;
}
