#pragma once

// Request bodies as agents send them, for the loop detector's tests: a conversation that grows by
// a turn each time and is re-sent whole with every request, in OpenAI chat, Anthropic messages or
// Responses shape, with fresh tool-call ids as real providers hand out.
#include "session/LoopDetector.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QString>

enum class Wire { OpenAiChat, Anthropic, Responses };

class AgentConversation
{
public:
    explicit AgentConversation(Wire wire, QString system = defaultSystem()) : m_wire(wire), m_system(std::move(system)) {}

    Wire wire() const { return m_wire; }

    void user(const QString &text)
    {
        switch (m_wire) {
        case Wire::OpenAiChat: m_items.append(QJsonObject{{"role", "user"}, {"content", text}}); break;
        case Wire::Anthropic:
            m_items.append(QJsonObject{{"role", "user"}, {"content", QJsonArray{QJsonObject{{"type", "text"}, {"text", text}}}}});
            break;
        case Wire::Responses:
            m_items.append(QJsonObject{{"type", "message"}, {"role", "user"},
                                       {"content", QJsonArray{QJsonObject{{"type", "input_text"}, {"text", text}}}}});
            break;
        }
    }

    void assistant(const QString &text)
    {
        switch (m_wire) {
        case Wire::OpenAiChat: m_items.append(QJsonObject{{"role", "assistant"}, {"content", text}}); break;
        case Wire::Anthropic:
            m_items.append(QJsonObject{{"role", "assistant"}, {"content", QJsonArray{QJsonObject{{"type", "text"}, {"text", text}}}}});
            break;
        case Wire::Responses:
            m_items.append(QJsonObject{{"type", "message"}, {"role", "assistant"},
                                       {"content", QJsonArray{QJsonObject{{"type", "output_text"}, {"text", text}}}}});
            break;
        }
    }

    // The assistant calls `name` with `args` (after saying `preamble`), and the client sends back `result`.
    void toolCall(const QString &name, const QJsonObject &args, const QString &result, const QString &preamble = QString())
    {
        const QString argsText = QString::fromUtf8(QJsonDocument(args).toJson(QJsonDocument::Compact));
        switch (m_wire) {
        case Wire::OpenAiChat: {
            const QString id = QStringLiteral("call_") + randomId(24);
            QJsonObject message{{"role", "assistant"},
                                {"content", preamble.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(preamble)},
                                {"tool_calls", QJsonArray{QJsonObject{{"id", id}, {"type", "function"},
                                                                      {"function", QJsonObject{{"name", name}, {"arguments", argsText}}}}}}};
            m_items.append(message);
            m_items.append(QJsonObject{{"role", "tool"}, {"tool_call_id", id}, {"content", result}});
            break;
        }
        case Wire::Anthropic: {
            const QString id = QStringLiteral("toolu_01") + randomId(22);
            QJsonArray content;
            if (!preamble.isEmpty())
                content.append(QJsonObject{{"type", "text"}, {"text", preamble}});
            content.append(QJsonObject{{"type", "tool_use"}, {"id", id}, {"name", name}, {"input", args}});
            m_items.append(QJsonObject{{"role", "assistant"}, {"content", content}});
            m_items.append(QJsonObject{{"role", "user"},
                                       {"content", QJsonArray{QJsonObject{{"type", "tool_result"}, {"tool_use_id", id},
                                                                          {"content", result}}}}});
            break;
        }
        case Wire::Responses: {
            const QString id = QStringLiteral("call_") + randomId(24);
            if (!preamble.isEmpty())
                assistant(preamble);
            m_items.append(QJsonObject{{"type", "function_call"}, {"id", QStringLiteral("fc_") + randomId(40)},
                                       {"call_id", id}, {"name", name}, {"arguments", argsText}});
            m_items.append(QJsonObject{{"type", "function_call_output"}, {"call_id", id}, {"output", result}});
            break;
        }
        }
    }

    QByteArray endpoint() const
    {
        switch (m_wire) {
        case Wire::OpenAiChat: return "/v1/chat/completions";
        case Wire::Anthropic: return "/v1/messages";
        case Wire::Responses: return "/v1/responses";
        }
        return {};
    }

    QJsonObject body() const
    {
        switch (m_wire) {
        case Wire::OpenAiChat: {
            QJsonArray messages{QJsonObject{{"role", "system"}, {"content", m_system}}};
            for (const QJsonValue &v : m_items)
                messages.append(v);
            return QJsonObject{{"model", "gpt-4.1"}, {"stream", true}, {"messages", messages}, {"tools", tools()},
                               {"stream_options", QJsonObject{{"include_usage", true}}}};
        }
        case Wire::Anthropic:
            return QJsonObject{{"model", "claude-sonnet-4-5"}, {"max_tokens", 32000}, {"stream", true},
                               {"system", QJsonArray{QJsonObject{{"type", "text"}, {"text", m_system},
                                                                 {"cache_control", QJsonObject{{"type", "ephemeral"}}}}}},
                               {"messages", m_items}, {"tools", tools()},
                               {"metadata", QJsonObject{{"user_id", QStringLiteral("user_") + randomId(64)}}}};
        case Wire::Responses:
            return QJsonObject{{"model", "gpt-5-codex"}, {"instructions", m_system}, {"input", m_items}, {"stream", true},
                               {"store", false}, {"tools", tools()}, {"prompt_cache_key", randomId(36)}};
        }
        return {};
    }

    LoopRequest request(const QString &session, qint64 atMs, const QString &tenant = QStringLiteral("team")) const
    {
        return LoopRequest{session, tenant, atMs, endpoint(), body()};
    }

    static QString randomId(int length)
    {
        static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        QString id;
        for (int i = 0; i < length; ++i)
            id += QLatin1Char(alphabet[QRandomGenerator::global()->bounded(62)]);
        return id;
    }

    static QString defaultSystem()
    {
        return QStringLiteral("You are an interactive CLI tool that helps users with software engineering tasks. "
                              "Use the instructions below and the tools available to you to assist the user. "
                              "IMPORTANT: Assist with defensive security tasks only. Keep your responses short. "
                              "When you run a non-trivial bash command, explain what it does and why.");
    }

private:
    QJsonArray tools() const
    {
        QJsonArray out;
        for (const char *name : {"read_file", "write_file", "edit_file", "grep", "glob", "bash", "run_tests"}) {
            const QJsonObject schema{{"type", "object"},
                                     {"properties", QJsonObject{{"path", QJsonObject{{"type", "string"}}},
                                                                {"command", QJsonObject{{"type", "string"}}}}}};
            const QString description = QStringLiteral("Runs %1 in the user's workspace.").arg(QLatin1String(name));
            if (m_wire == Wire::Anthropic)
                out.append(QJsonObject{{"name", name}, {"description", description}, {"input_schema", schema}});
            else if (m_wire == Wire::OpenAiChat)
                out.append(QJsonObject{{"type", "function"},
                                       {"function", QJsonObject{{"name", name}, {"description", description}, {"parameters", schema}}}});
            else
                out.append(QJsonObject{{"type", "function"}, {"name", name}, {"description", description}, {"parameters", schema}});
        }
        return out;
    }

    Wire m_wire;
    QString m_system;
    QJsonArray m_items;
};
