#include "ConnectSnippets.h"

#include <QCoreApplication>

namespace ConnectSnippets {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ConnectSnippets", text);
}

// Single quotes for the shell, with any single quote in the value closed, escaped and reopened.
QString shellQuoted(const QString &value)
{
    QString out = value;
    out.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + out + QLatin1Char('\'');
}

// A double-quoted string for Python, JavaScript and TOML alike (backslash and quote escaped).
QString quoted(const QString &value)
{
    QString out = value;
    out.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    out.replace(QLatin1Char('"'), QLatin1String("\\\""));
    return QLatin1Char('"') + out + QLatin1Char('"');
}

} // namespace

QList<Snippet> all(const Inputs &in)
{
    const QString base = in.baseUrl;
    const QString v1 = base + QStringLiteral("/v1");
    const QString key = in.key.isEmpty() ? QString::fromLatin1(PlaceholderKey) : in.key;
    const bool session = !in.session.isEmpty();
    const QString header = QString::fromLatin1(SessionHeader);
    const QString curlSession = session ? QStringLiteral("  -H %1 \\\n").arg(shellQuoted(header + QStringLiteral(": ") + in.session)) : QString();
    const QString pySession = session ? QStringLiteral(",\n    default_headers={%1: %2}").arg(quoted(header), quoted(in.session)) : QString();
    const QString jsSession = session ? QStringLiteral(",\n  defaultHeaders: { %1: %2 }").arg(quoted(header), quoted(in.session)) : QString();
    const QString sessionNote = session ? tr(" Requests are grouped under session \"%1\" (header %2).").arg(in.session, header) : QString();

    QList<Snippet> out;
    out.append({QStringLiteral("curl-openai"), tr("curl"), tr("OpenAI chat completions"), QStringLiteral("sh"),
                QStringLiteral("curl -s %1/chat/completions \\\n"
                               "  -H %2 \\\n"
                               "  -H 'Content-Type: application/json' \\\n"
                               "%3"
                               "  -d '{\"model\": \"gpt-4o-mini\", \"messages\": [{\"role\": \"user\", \"content\": \"Say hello\"}]}'\n")
                    .arg(v1, shellQuoted(QStringLiteral("Authorization: Bearer ") + key), curlSession),
                tr("Paste into a terminal.") + sessionNote});
    out.append({QStringLiteral("curl-anthropic"), tr("curl"), tr("Anthropic messages"), QStringLiteral("sh"),
                QStringLiteral("curl -s %1/messages \\\n"
                               "  -H %2 \\\n"
                               "  -H 'anthropic-version: 2023-06-01' \\\n"
                               "  -H 'Content-Type: application/json' \\\n"
                               "%3"
                               "  -d '{\"model\": \"claude-sonnet-4\", \"max_tokens\": 256, \"messages\": [{\"role\": \"user\", \"content\": \"Say hello\"}]}'\n")
                    .arg(v1, shellQuoted(QStringLiteral("x-api-key: ") + key), curlSession),
                tr("Paste into a terminal.") + sessionNote});
    out.append({QStringLiteral("python-openai"), tr("Python"), tr("openai"), QStringLiteral("python"),
                QStringLiteral("from openai import OpenAI\n\n"
                               "client = OpenAI(\n"
                               "    base_url=%1,\n"
                               "    api_key=%2%3,\n"
                               ")\n"
                               "reply = client.chat.completions.create(\n"
                               "    model=\"gpt-4o-mini\",\n"
                               "    messages=[{\"role\": \"user\", \"content\": \"Say hello\"}],\n"
                               ")\n"
                               "print(reply.choices[0].message.content)\n")
                    .arg(quoted(v1), quoted(key), pySession),
                tr("pip install openai, then run it with python3. The base URL ends in /v1.") + sessionNote});
    out.append({QStringLiteral("python-anthropic"), tr("Python"), tr("anthropic"), QStringLiteral("python"),
                QStringLiteral("from anthropic import Anthropic\n\n"
                               "client = Anthropic(\n"
                               "    base_url=%1,\n"
                               "    api_key=%2%3,\n"
                               ")\n"
                               "reply = client.messages.create(\n"
                               "    model=\"claude-sonnet-4\",\n"
                               "    max_tokens=256,\n"
                               "    messages=[{\"role\": \"user\", \"content\": \"Say hello\"}],\n"
                               ")\n"
                               "print(reply.content[0].text)\n")
                    .arg(quoted(base), quoted(key), pySession),
                tr("pip install anthropic, then run it with python3. No /v1 in the base URL: the SDK adds it.") + sessionNote});
    out.append({QStringLiteral("node-openai"), tr("Node"), tr("openai"), QStringLiteral("js"),
                QStringLiteral("import OpenAI from 'openai';\n\n"
                               "const client = new OpenAI({\n"
                               "  baseURL: %1,\n"
                               "  apiKey: %2%3,\n"
                               "});\n"
                               "const reply = await client.chat.completions.create({\n"
                               "  model: 'gpt-4o-mini',\n"
                               "  messages: [{ role: 'user', content: 'Say hello' }],\n"
                               "});\n"
                               "console.log(reply.choices[0].message.content);\n")
                    .arg(quoted(v1), quoted(key), jsSession),
                tr("npm install openai, save as hello.mjs, run node hello.mjs.") + sessionNote});
    out.append({QStringLiteral("node-anthropic"), tr("Node"), tr("@anthropic-ai/sdk"), QStringLiteral("js"),
                QStringLiteral("import Anthropic from '@anthropic-ai/sdk';\n\n"
                               "const client = new Anthropic({\n"
                               "  baseURL: %1,\n"
                               "  apiKey: %2%3,\n"
                               "});\n"
                               "const reply = await client.messages.create({\n"
                               "  model: 'claude-sonnet-4',\n"
                               "  max_tokens: 256,\n"
                               "  messages: [{ role: 'user', content: 'Say hello' }],\n"
                               "});\n"
                               "console.log(reply.content[0].text);\n")
                    .arg(quoted(base), quoted(key), jsSession),
                tr("npm install @anthropic-ai/sdk, save as hello.mjs, run node hello.mjs. No /v1 in the base URL.") + sessionNote});
    out.append({QStringLiteral("claude-code"), tr("Claude Code"), tr("Claude Code"), QStringLiteral("sh"),
                QStringLiteral("export ANTHROPIC_BASE_URL=%1\n"
                               "export ANTHROPIC_API_KEY=%2\n"
                               "claude            # or: claude -p \"fix the failing test\"\n")
                    .arg(base, shellQuoted(key)),
                tr("In the shell you start Claude Code from. No /v1: Claude Code adds it. Each Claude Code session is "
                   "one TokenFuse session (it sends x-claude-code-session-id), so no session header is needed.")});
    out.append({QStringLiteral("codex"), tr("Codex CLI"), tr("Codex CLI: ~/.codex/config.toml"), QStringLiteral("toml"),
                QStringLiteral("model_provider = \"tokenfuse\"\n\n"
                               "[model_providers.tokenfuse]\n"
                               "name = \"TokenFuse\"\n"
                               "base_url = %1\n"
                               "wire_api = \"responses\"\n"
                               "env_key = \"TOKENFUSE_KEY\"\n\n"
                               "# then, in the shell:\n"
                               "#   export TOKENFUSE_KEY=%2\n"
                               "#   codex exec \"...\"\n")
                    .arg(quoted(v1), shellQuoted(key)),
                tr("Add to ~/.codex/config.toml (or $CODEX_HOME/config.toml). Codex speaks only the Responses API, "
                   "hence wire_api = \"responses\"; its session-id header names the TokenFuse session.")});
    out.append({QStringLiteral("env"), tr("Other agents"), tr("Environment variables"), QStringLiteral("sh"),
                QStringLiteral("export OPENAI_BASE_URL=%1\n"
                               "export OPENAI_API_KEY=%2\n"
                               "export ANTHROPIC_BASE_URL=%3\n"
                               "export ANTHROPIC_API_KEY=%2\n")
                    .arg(v1, shellQuoted(key), base),
                tr("Most tools built on the official SDKs read these. OpenAI-style base URLs end in /v1, Anthropic's do not. "
                   "Tools that can add headers may send %1 to name their session.").arg(header)});
    // No final newline: pasted into a terminal, the command waits for Enter instead of running.
    for (Snippet &s : out)
        if (s.text.endsWith(QLatin1Char('\n')))
            s.text.chop(1);
    return out;
}

} // namespace ConnectSnippets
