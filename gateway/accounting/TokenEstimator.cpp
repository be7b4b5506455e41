#include "TokenEstimator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QString>

namespace {

bool isAsciiLetter(char32_t c)
{
    return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z');
}

bool isAsciiDigit(char32_t c)
{
    return c >= U'0' && c <= U'9';
}

char32_t codePointAt(QStringView text, qsizetype i, qsizetype *length)
{
    const QChar c = text[i];
    if (c.isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate()) {
        *length = 2;
        return QChar::surrogateToUcs4(c, text[i + 1]);
    }
    *length = 1;
    return c.unicode();
}

QString stringField(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1String(key)).toString();
}

} // namespace

qint64 TokenEstimator::estimateText(QStringView text)
{
    qint64 tokens = 0;
    qint64 asciiLetters = 0; // in the current word
    qint64 digits = 0;       // in the current number
    const auto endWord = [&] {
        tokens += (asciiLetters + 2) / 3;
        asciiLetters = 0;
    };
    const auto endNumber = [&] {
        tokens += (digits + 1) / 2;
        digits = 0;
    };

    const qsizetype size = text.size();
    qsizetype i = 0;
    while (i < size) {
        if (text[i].isSpace()) {
            endWord();
            endNumber();
            qint64 lineBreaks = 0;
            qint64 blanks = 0;
            qsizetype j = i;
            for (; j < size && text[j].isSpace(); ++j) {
                if (text[j] == u'\n' || (text[j] == u'\r' && (j + 1 >= size || text[j + 1] != u'\n')))
                    ++lineBreaks;
                else if (text[j] != u'\r')
                    ++blanks;
            }
            // BPE tokenizers glue one leading space onto the word or punctuation after it, but not
            // onto a number (cl100k: "2 + 2" is "2", " +", " ", "2").
            bool glued = false;
            if (j < size && blanks > 0 && text[j - 1] != u'\n' && text[j - 1] != u'\r') {
                qsizetype length = 0;
                const char32_t next = codePointAt(text, j, &length);
                glued = QChar::category(next) != QChar::Number_DecimalDigit;
            }
            tokens += lineBreaks + (blanks - (glued ? 1 : 0) + 3) / 4;
            i = j;
            continue;
        }

        qsizetype length = 0;
        const char32_t c = codePointAt(text, i, &length);
        i += length;
        if (c < 0x80) {
            if (isAsciiLetter(c)) {
                endNumber();
                ++asciiLetters;
            } else if (isAsciiDigit(c)) {
                endWord();
                ++digits;
            } else {
                endWord();
                endNumber();
                ++tokens;
            }
            continue;
        }
        if (c >= 0x10000) {
            // Four UTF-8 bytes: most emoji, rare Han. Byte-level tokenizers need two or more.
            endWord();
            endNumber();
            tokens += 2;
            continue;
        }
        if (QChar::isLetter(c) || QChar::isMark(c)) {
            // Multi-byte letters rarely merge; they count alone but do not end the ASCII word.
            endNumber();
            ++tokens;
            continue;
        }
        endWord();
        endNumber();
        tokens += QChar::category(c) == QChar::Symbol_Other ? 2 : 1;
    }
    endWord();
    endNumber();
    return tokens;
}

qint64 TokenEstimator::estimateJson(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Undefined:
    case QJsonValue::Null:
        return 0;
    case QJsonValue::String:
        return estimateText(value.toString());
    case QJsonValue::Bool:
        return 1;
    case QJsonValue::Double:
        return estimateText(QString::number(value.toDouble(), 'g', QLocale::FloatingPointShortest));
    case QJsonValue::Array:
        return estimateText(QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)));
    case QJsonValue::Object:
        return estimateText(QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact)));
    }
    return 0;
}

qint64 TokenEstimator::estimateOpenAiRequest(const QJsonObject &body)
{
    qint64 tokens = PerRequestTokens;
    tokens += openAiItem(body.value(QLatin1String("messages")));
    tokens += openAiItem(body.value(QLatin1String("prompt"))); // legacy completions
    tokens += openAiItem(body.value(QLatin1String("input")));  // embeddings and Responses
    tokens += estimateJson(body.value(QLatin1String("instructions")));
    tokens += estimateJson(body.value(QLatin1String("tools")));
    tokens += estimateJson(body.value(QLatin1String("functions")));
    // A JSON schema for structured output is shown to the model too.
    tokens += estimateJson(body.value(QLatin1String("response_format")).toObject().value(QLatin1String("json_schema")));
    const QJsonObject textFormat = body.value(QLatin1String("text")).toObject().value(QLatin1String("format")).toObject();
    if (stringField(textFormat, "type") == QLatin1String("json_schema"))
        tokens += estimateJson(textFormat);
    return tokens;
}

qint64 TokenEstimator::estimateAnthropicRequest(const QJsonObject &body)
{
    qint64 tokens = PerRequestTokens;
    const QJsonValue system = body.value(QLatin1String("system"));
    if (!system.isUndefined() && !system.isNull())
        tokens += PerMessageTokens + anthropicContent(system);
    const QJsonArray messages = body.value(QLatin1String("messages")).toArray();
    for (const QJsonValue &message : messages) {
        tokens += PerMessageTokens;
        tokens += message.isObject() ? anthropicContent(message.toObject().value(QLatin1String("content")))
                                     : estimateJson(message);
    }
    const QJsonValue tools = body.value(QLatin1String("tools"));
    if (!tools.toArray().isEmpty())
        tokens += AnthropicToolPromptTokens + estimateJson(tools);
    return tokens;
}

// A chat message, a Responses input item, or the bare strings and token ids of "prompt" and
// embeddings "input".
qint64 TokenEstimator::openAiItem(const QJsonValue &item)
{
    if (item.isString())
        return estimateText(item.toString());
    if (item.isDouble())
        return 1; // a token id
    if (item.isArray()) {
        qint64 tokens = 0;
        const QJsonArray items = item.toArray();
        for (const QJsonValue &element : items)
            tokens += openAiItem(element);
        return tokens;
    }
    if (!item.isObject())
        return 0;

    const QJsonObject object = item.toObject();
    const QString type = stringField(object, "type");
    qint64 tokens = PerMessageTokens;
    if (object.contains(QLatin1String("role")) || object.contains(QLatin1String("content"))
        || type == QLatin1String("message")) {
        tokens += openAiContent(object.value(QLatin1String("content")));
        const QJsonValue name = object.value(QLatin1String("name"));
        if (name.isString())
            tokens += estimateText(name.toString()) + 1;
        tokens += estimateJson(object.value(QLatin1String("tool_calls")));
        tokens += estimateJson(object.value(QLatin1String("function_call")));
        tokens += estimateJson(object.value(QLatin1String("tool_call_id")));
        tokens += estimateJson(object.value(QLatin1String("refusal")));
        return tokens;
    }
    if (type == QLatin1String("function_call") || type == QLatin1String("custom_tool_call")) {
        tokens += estimateText(stringField(object, "name"));
        tokens += estimateJson(object.value(QLatin1String("arguments")));
        tokens += estimateJson(object.value(QLatin1String("input")));
        return tokens;
    }
    if (type == QLatin1String("function_call_output") || type == QLatin1String("custom_tool_call_output"))
        return tokens + openAiContent(object.value(QLatin1String("output")));
    return tokens + estimateJson(object);
}

qint64 TokenEstimator::openAiContent(const QJsonValue &content)
{
    if (content.isArray()) {
        qint64 tokens = 0;
        const QJsonArray parts = content.toArray();
        for (const QJsonValue &part : parts)
            tokens += openAiContent(part);
        return tokens;
    }
    if (!content.isObject())
        return estimateJson(content);

    const QJsonObject part = content.toObject();
    const QString type = stringField(part, "type");
    if (type == QLatin1String("text") || type == QLatin1String("input_text") || type == QLatin1String("output_text"))
        return estimateText(stringField(part, "text"));
    if (type == QLatin1String("refusal"))
        return estimateText(stringField(part, "refusal"));
    if (type == QLatin1String("image_url") || type == QLatin1String("input_image") || type == QLatin1String("image"))
        return OpenAiImageTokens;
    if (type == QLatin1String("input_audio") || type == QLatin1String("audio") || type == QLatin1String("file")
        || type == QLatin1String("input_file"))
        return OtherMediaTokens;
    return estimateJson(part);
}

qint64 TokenEstimator::anthropicContent(const QJsonValue &content)
{
    if (content.isArray()) {
        qint64 tokens = 0;
        const QJsonArray blocks = content.toArray();
        for (const QJsonValue &block : blocks)
            tokens += block.isObject() ? anthropicBlock(block.toObject()) : estimateJson(block);
        return tokens;
    }
    if (content.isObject())
        return anthropicBlock(content.toObject());
    return estimateJson(content);
}

qint64 TokenEstimator::anthropicBlock(const QJsonObject &block)
{
    const QString type = stringField(block, "type");
    if (type == QLatin1String("text"))
        return estimateText(stringField(block, "text"));
    if (type == QLatin1String("thinking"))
        return estimateText(stringField(block, "thinking"));
    if (type == QLatin1String("redacted_thinking"))
        return estimateText(stringField(block, "data"));
    if (type == QLatin1String("image"))
        return AnthropicImageTokens;
    if (type == QLatin1String("document")) {
        const QJsonObject source = block.value(QLatin1String("source")).toObject();
        const QString sourceType = stringField(source, "type");
        const qint64 framing = estimateJson(block.value(QLatin1String("title")))
                               + estimateJson(block.value(QLatin1String("context")));
        if (sourceType == QLatin1String("text"))
            return framing + estimateText(stringField(source, "data"));
        if (sourceType == QLatin1String("content"))
            return framing + anthropicContent(source.value(QLatin1String("content")));
        return framing + AnthropicDocumentTokens;
    }
    if (type == QLatin1String("tool_use") || type == QLatin1String("server_tool_use"))
        return estimateText(stringField(block, "name")) + estimateJson(block.value(QLatin1String("input")));
    if (type == QLatin1String("tool_result"))
        return anthropicContent(block.value(QLatin1String("content")));
    return estimateJson(block);
}
