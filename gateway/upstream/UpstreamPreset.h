#pragma once

#include "config/UpstreamConfig.h"
#include "dialect/ApiDialect.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

// A known provider's settings, so a config entry can say "preset": "deepseek" instead of its base
// URL, dialect, key variable and model globs ("upstreams[].preset"). The entry's own keys win.
struct UpstreamPreset
{
    QString id;          // "deepseek": what "preset" names
    QString label;       // "DeepSeek": for the console
    QUrl baseUrl;        // the provider's documented base URL for OpenAI-style SDKs (Anthropic's own for anthropic)
    ApiDialect dialect = ApiDialect::OpenAi;
    QString apiKeyEnv;   // the variable its own SDK reads; empty for local servers without keys
    QStringList models;  // globs (core/Glob); empty: every model
    bool needsKey = true;
    QString note;        // one line for the console and the docs
    std::optional<UpstreamHealthCheck> healthCheck; // set where it does better than the default

    // nullptr when there is no preset of that id (ids are lower case; case is ignored).
    static const UpstreamPreset *find(const QString &id);
    static const QList<UpstreamPreset> &all();
    static QStringList ids();
    // {"presets": [{"id", "label", "base_url", "dialect", "api_key_env", "models", "needs_key", "note"}]}:
    // what GET /admin/v1/upstream-presets answers.
    static QJsonObject catalogJson();
};
