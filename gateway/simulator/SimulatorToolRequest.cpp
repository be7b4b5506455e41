#include "SimulatorToolRequest.h"

namespace {
struct Turn
{
    bool call; // a tool call; otherwise a tool result
    QString id;
};

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

// The tool calls and results of a conversation, in order.
QList<Turn> toolTurns(SimulatorToolRequest::Wire wire, const QJsonArray &conversation)
{
    QList<Turn> turns;
    for (const QJsonValue &v : conversation) {
        const QJsonObject m = v.toObject();
        switch (wire) {
        case SimulatorToolRequest::Wire::Chat:
            for (const QJsonValue &c : m.value(QLatin1String("tool_calls")).toArray())
                turns.append({true, str(c.toObject(), "id")});
            if (str(m, "role") == QLatin1String("tool"))
                turns.append({false, str(m, "tool_call_id")});
            break;
        case SimulatorToolRequest::Wire::Messages:
            for (const QJsonValue &b : m.value(QLatin1String("content")).toArray()) {
                const QJsonObject block = b.toObject();
                if (str(block, "type") == QLatin1String("tool_use"))
                    turns.append({true, str(block, "id")});
                else if (str(block, "type") == QLatin1String("tool_result"))
                    turns.append({false, str(block, "tool_use_id")});
            }
            break;
        case SimulatorToolRequest::Wire::Responses: {
            // function_call / function_call_output, and their custom_ and local_shell_ kin.
            const QString type = str(m, "type");
            if (type.endsWith(QLatin1String("_call_output")))
                turns.append({false, str(m, "call_id")});
            else if (type.endsWith(QLatin1String("_call")))
                turns.append({true, str(m, "call_id")});
            break;
        }
        }
    }
    return turns;
}

bool resultFollowsLastCall(const QList<Turn> &turns)
{
    qsizetype last = -1;
    for (qsizetype i = 0; i < turns.size(); ++i) {
        if (turns.at(i).call)
            last = i;
    }
    const QString id = last >= 0 ? turns.at(last).id : QString();
    for (qsizetype i = last + 1; i < turns.size(); ++i) {
        const QString &result = turns.at(i).id;
        if (!turns.at(i).call && (id.isEmpty() || result.isEmpty() || result == id))
            return true;
    }
    return false;
}

QList<SimulatorTool> functionTools(SimulatorToolRequest::Wire wire, const QJsonArray &tools)
{
    QList<SimulatorTool> out;
    for (const QJsonValue &v : tools) {
        const QJsonObject t = v.toObject();
        const QString type = str(t, "type");
        QJsonObject fn;
        const char *schemaKey = "parameters";
        switch (wire) {
        case SimulatorToolRequest::Wire::Chat:
            if (type != QLatin1String("function"))
                continue;
            fn = t.value(QLatin1String("function")).toObject();
            break;
        case SimulatorToolRequest::Wire::Messages:
            // Client tools have no type or "custom"; server tools (web_search_...) have their own.
            if (!type.isEmpty() && type != QLatin1String("custom"))
                continue;
            fn = t;
            schemaKey = "input_schema";
            break;
        case SimulatorToolRequest::Wire::Responses:
            if (type != QLatin1String("function"))
                continue;
            fn = t;
            break;
        }
        const QString name = str(fn, "name");
        if (!name.isEmpty())
            out.append({name.toUtf8(), fn.value(QLatin1String(schemaKey)).toObject()});
    }
    return out;
}
} // namespace

const SimulatorTool *SimulatorToolRequest::find(const QByteArray &name) const
{
    for (const SimulatorTool &t : tools) {
        if (t.name == name)
            return &t;
    }
    return nullptr;
}

bool SimulatorToolRequest::read(Wire wire, const QJsonObject &body, const QJsonArray &conversation,
                                const SimulatorRequestCheck &check, SimulatorToolRequest *out)
{
    SimulatorToolRequest r;
    const QJsonValue toolsValue = body.value(QLatin1String("tools"));
    if (!SimulatorRequestCheck::isAbsent(toolsValue) && !toolsValue.isArray())
        return check.wrongType("tools", wire == Wire::Messages ? "a valid list" : "an array", toolsValue);
    r.tools = functionTools(wire, toolsValue.toArray());
    r.lastCallAnswered = resultFollowsLastCall(toolTurns(wire, conversation));

    const QJsonValue choice = body.value(QLatin1String("tool_choice"));
    const QJsonObject choiceObject = choice.toObject();
    const QString choiceType = choice.isString() ? choice.toString() : str(choiceObject, "type");
    if (wire == Wire::Messages) {
        r.callRequired = choiceType == QLatin1String("any") || choiceType == QLatin1String("tool");
        if (choiceType == QLatin1String("tool"))
            r.forcedName = str(choiceObject, "name").toUtf8();
    } else {
        r.callRequired = choiceType == QLatin1String("required") || choiceType == QLatin1String("function");
        if (choiceType == QLatin1String("function"))
            r.forcedName = (wire == Wire::Chat ? str(choiceObject.value(QLatin1String("function")).toObject(), "name")
                                               : str(choiceObject, "name")).toUtf8();
    }
    if (r.callRequired && r.tools.isEmpty()) {
        if (wire == Wire::Messages)
            return check.fail(QStringLiteral("tool_choice: a tool_choice of type '%1' needs at least one tool in 'tools'").arg(choiceType),
                              "tool_choice", {});
        return check.fail(QStringLiteral("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified."),
                          "tool_choice", {});
    }
    if (!r.forcedName.isEmpty() && !r.find(r.forcedName)) {
        const QString name = QString::fromUtf8(r.forcedName);
        if (wire == Wire::Messages)
            return check.fail(QStringLiteral("tool_choice: tool '%1' is not among the tools in 'tools'").arg(name), "tool_choice", {});
        return check.fail(QStringLiteral("Invalid value for 'tool_choice': function '%1' is not one of the function tools in 'tools'.").arg(name),
                          "tool_choice", "invalid_value");
    }
    *out = r;
    return true;
}
