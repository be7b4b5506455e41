#pragma once

#include <QList>
#include <QString>

// The ready-to-paste ways of pointing a client at the gateway: curl, the official Python and Node
// SDKs, Claude Code, Codex CLI and any agent that reads the usual environment variables. Pure
// text built from the gateway's real address, the key and the session name, so what the Connect
// page shows is exactly what its tests run.
namespace ConnectSnippets {

struct Snippet
{
    QString id;       // "curl-openai", "node-openai", ...: the page's object names derive from it
    QString group;    // the tab it is shown on
    QString title;
    QString language; // "sh", "python", "js", "toml"
    QString text;
    QString note;     // how to run it, what TokenFuse does with it
};

struct Inputs
{
    QString baseUrl;  // "http://127.0.0.1:8400": the root, without /v1
    QString key;      // a tf- virtual key, or empty for the placeholder
    QString session;  // sent as X-Session-ID; empty: none sent
};

// What the snippets send as the key when no virtual key is chosen: the SDKs refuse an empty one,
// and TokenFuse replaces it with the upstream's own key (or the simulator needs none).
inline constexpr char PlaceholderKey[] = "sk-anything";
// TokenFuse's own session header (docs/usage.md: the first source of a request's session).
inline constexpr char SessionHeader[] = "X-Session-ID";

QList<Snippet> all(const Inputs &inputs);

} // namespace ConnectSnippets
