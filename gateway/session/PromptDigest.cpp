#include "PromptDigest.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

namespace {
// The history's tail that is read: enough for the latest turns and the recent tool calls.
constexpr qsizetype kTailItems = 48;

quint64 fnv(const QByteArray &bytes)
{
    quint64 h = 14695981039346656037ULL;
    for (char c : bytes)
        h = (h ^ quint8(c)) * 1099511628211ULL;
    return h;
}

// A hash as a word of letters: normalisation folds words with digits, and this one must survive.
QString letters(quint64 h)
{
    QString word;
    for (int i = 0; i < 16; ++i, h >>= 4)
        word += QChar(u'a' + char16_t(h & 0xf));
    return word;
}

// Pictures and files carry no words; a word of their hash tells two apart. Only the ends of the
// data are hashed.
QString attachmentWord(const QJsonObject &part)
{
    const QByteArray json = QJsonDocument(part).toJson(QJsonDocument::Compact);
    const QByteArray sample = json.size() > 512 ? json.left(256) + QByteArray::number(json.size()) + json.right(256) : json;
    return QStringLiteral(" attachment ") + letters(fnv(sample)) + u' ';
}

void append(QString *out, const QString &text)
{
    if (out->size() >= PromptDigest::MaxTextChars || text.isEmpty())
        return;
    out->append(text.left(PromptDigest::MaxTextChars - out->size()));
    out->append(u'\n');
}

// A turn as every dialect has it: who spoke, what they said, the calls made and results returned.
struct Turn
{
    bool assistant = false;
    QString text;
    struct Call { QString id; QString name; quint64 arguments = 0; qsizetype at = 0; };
    struct Result { QString id; QString text; };
    QList<Call> calls;
    QList<Result> results;
    qsizetype at = 0; // its place in the whole history (calls without an id are told apart by it)
};

// Text of a content value: a string, or an array of parts/blocks, of any dialect.
void readContent(const QJsonValue &content, Turn *turn)
{
    if (content.isString()) {
        append(&turn->text, content.toString());
        return;
    }
    const QJsonArray parts = content.toArray();
    for (const QJsonValue &p : parts) {
        if (p.isString()) {
            append(&turn->text, p.toString());
            continue;
        }
        const QJsonObject part = p.toObject();
        const QString type = part.value(QLatin1String("type")).toString();
        if (type == QLatin1String("text") || type == QLatin1String("input_text") || type == QLatin1String("output_text"))
            append(&turn->text, part.value(QLatin1String("text")).toString());
        else if (type == QLatin1String("refusal"))
            append(&turn->text, part.value(QLatin1String("refusal")).toString());
        else if (type == QLatin1String("tool_use"))
            turn->calls.append({part.value(QLatin1String("id")).toString(), part.value(QLatin1String("name")).toString(),
                                fnv(PromptDigest::canonicalJson(part.value(QLatin1String("input"))))});
        else if (type == QLatin1String("tool_result")) {
            Turn inner;
            readContent(part.value(QLatin1String("content")), &inner);
            const QString prefix = part.value(QLatin1String("is_error")).toBool() ? QStringLiteral("error ") : QString();
            turn->results.append({part.value(QLatin1String("tool_use_id")).toString(), prefix + inner.text});
        } else if (type == QLatin1String("thinking") || type == QLatin1String("redacted_thinking") || type == QLatin1String("reasoning"))
            continue; // signed and re-sent as is; says nothing the text does not
        else if (!type.isEmpty())
            append(&turn->text, attachmentWord(part));
    }
}

void addTurn(QList<Turn> *turns, Turn turn)
{
    for (Turn::Call &call : turn.calls)
        call.at = turn.at;
    // Consecutive items of one side (Responses' function_call items, OpenAI's tool messages) are one turn.
    if (!turns->isEmpty() && turns->last().assistant == turn.assistant) {
        Turn &last = turns->last();
        append(&last.text, turn.text);
        last.calls += turn.calls;
        last.results += turn.results;
        return;
    }
    turns->append(std::move(turn));
}

// OpenAI chat and Anthropic messages: {role, content, tool_calls, tool_call_id}.
QList<Turn> readMessages(const QJsonArray &messages)
{
    QList<Turn> turns;
    for (qsizetype i = qMax<qsizetype>(0, messages.size() - kTailItems); i < messages.size(); ++i) {
        const QJsonObject m = messages.at(i).toObject();
        const QString role = m.value(QLatin1String("role")).toString();
        if (role == QLatin1String("system") || role == QLatin1String("developer"))
            continue;
        Turn turn;
        turn.at = i;
        turn.assistant = role == QLatin1String("assistant");
        if (role == QLatin1String("tool") || role == QLatin1String("function")) {
            Turn inner;
            readContent(m.value(QLatin1String("content")), &inner);
            const QString id = m.value(QLatin1String(role == QLatin1String("tool") ? "tool_call_id" : "name")).toString();
            turn.results.append({id, inner.text});
        } else {
            readContent(m.value(QLatin1String("content")), &turn);
        }
        for (const QJsonValue &c : m.value(QLatin1String("tool_calls")).toArray()) {
            const QJsonObject call = c.toObject();
            const QJsonObject fn = call.value(QLatin1String("function")).toObject();
            turn.calls.append({call.value(QLatin1String("id")).toString(), fn.value(QLatin1String("name")).toString(),
                               fnv(PromptDigest::canonicalJson(fn.value(QLatin1String("arguments"))))});
        }
        const QJsonObject legacy = m.value(QLatin1String("function_call")).toObject();
        if (!legacy.isEmpty()) {
            const QString name = legacy.value(QLatin1String("name")).toString();
            turn.calls.append({QString(), name, fnv(PromptDigest::canonicalJson(legacy.value(QLatin1String("arguments"))))});
        }
        addTurn(&turns, std::move(turn));
    }
    return turns;
}

// Responses `input`: a string, or items (messages, function calls and their outputs, ...).
QList<Turn> readInput(const QJsonValue &input)
{
    QList<Turn> turns;
    if (input.isString()) {
        Turn turn;
        append(&turn.text, input.toString());
        turns.append(turn);
        return turns;
    }
    const QJsonArray items = input.toArray();
    for (qsizetype i = qMax<qsizetype>(0, items.size() - kTailItems); i < items.size(); ++i) {
        const QJsonObject item = items.at(i).toObject();
        const QString type = item.value(QLatin1String("type")).toString();
        Turn turn;
        turn.at = i;
        if (type == QLatin1String("function_call") || type == QLatin1String("custom_tool_call")) {
            turn.assistant = true;
            const QJsonValue args = item.value(QLatin1String(type == QLatin1String("function_call") ? "arguments" : "input"));
            turn.calls.append({item.value(QLatin1String("call_id")).toString(), item.value(QLatin1String("name")).toString(),
                               fnv(PromptDigest::canonicalJson(args))});
        } else if (type == QLatin1String("function_call_output") || type == QLatin1String("custom_tool_call_output")) {
            Turn inner;
            readContent(item.value(QLatin1String("output")), &inner);
            turn.results.append({item.value(QLatin1String("call_id")).toString(), inner.text});
        } else if (type == QLatin1String("message") || (type.isEmpty() && item.contains(QLatin1String("role")))) {
            const QString role = item.value(QLatin1String("role")).toString();
            if (role == QLatin1String("system") || role == QLatin1String("developer"))
                continue;
            turn.assistant = role == QLatin1String("assistant");
            readContent(item.value(QLatin1String("content")), &turn);
        } else {
            continue; // reasoning, web_search_call, ...: the model's own bookkeeping
        }
        addTurn(&turns, std::move(turn));
    }
    return turns;
}
} // namespace

QByteArray PromptDigest::canonicalJson(const QJsonValue &value)
{
    // QJsonObject keeps its keys sorted, and Compact has no whitespace: re-encoding is canonical.
    switch (value.type()) {
    case QJsonValue::Object: return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    case QJsonValue::Array: return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    case QJsonValue::String: {
        const QByteArray text = value.toString().toUtf8();
        const QJsonDocument doc = QJsonDocument::fromJson(text);
        if (doc.isObject() || doc.isArray())
            return doc.toJson(QJsonDocument::Compact);
        return text.trimmed();
    }
    default: return QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    }
}

PromptDigest PromptDigest::read(const QByteArray &endpoint, const QJsonObject &body)
{
    PromptDigest d;
    QList<Turn> turns;
    if (endpoint.startsWith("/v1/chat/completions") || endpoint == "/v1/messages") {
        turns = readMessages(body.value(QLatin1String("messages")).toArray());
    } else if (endpoint.startsWith("/v1/responses")) {
        turns = readInput(body.value(QLatin1String("input")));
    } else if (endpoint.startsWith("/v1/completions")) {
        // A legacy prompt holds its history too; its end is the latest turn.
        const QJsonValue prompt = body.value(QLatin1String("prompt"));
        const QJsonArray prompts = prompt.toArray();
        const QString text = prompts.isEmpty() ? prompt.toString() : prompts.last().toString();
        Turn turn;
        append(&turn.text, text.right(MaxTextChars));
        turns.append(turn);
    } else {
        return d;
    }
    d.counted = true;

    // The latest turns: the input side after the last assistant turn, and that assistant turn.
    qsizetype i = turns.size() - 1;
    if (i >= 0 && !turns.at(i).assistant) {
        const Turn &input = turns.at(i);
        append(&d.latestInput, input.text);
        for (const Turn::Result &r : input.results)
            append(&d.latestInput, r.text);
        --i;
    }
    if (i >= 0) {
        const Turn &assistant = turns.at(i);
        append(&d.latestAssistant, assistant.text);
        for (const Turn::Call &c : assistant.calls)
            append(&d.latestAssistant, c.name + QStringLiteral(" call ") + letters(c.arguments));
    }

    // Tool calls of the tail, oldest first, each with the result that came back for it.
    QHash<QString, QString> results;
    for (const Turn &t : std::as_const(turns)) {
        for (const Turn::Result &r : t.results)
            results.insert(r.id, r.text.isNull() ? QStringLiteral("") : r.text);
    }
    for (qsizetype t = 0; t < turns.size(); ++t) {
        const QList<Turn::Call> &calls = turns.at(t).calls;
        for (qsizetype c = 0; c < calls.size(); ++c) {
            const Turn::Call &call = calls.at(c);
            const QString key = call.id.isEmpty() ? QStringLiteral("#%1.%2.%3").arg(call.at).arg(c).arg(call.name) : call.id;
            d.toolCalls.append({key, call.name, call.arguments, results.value(call.id), t == i});
        }
    }
    if (d.toolCalls.size() > MaxToolCalls)
        d.toolCalls = d.toolCalls.mid(d.toolCalls.size() - MaxToolCalls);
    return d;
}
