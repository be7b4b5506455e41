#pragma once

#include "dialect/ApiDialect.h"
#include "upstream/UpstreamRequest.h"

#include <QStringList>
#include <QUrl>

// One provider endpoint from the config file. The key itself is resolved at load time from the
// environment (api_key_env) and is never logged, stored or shown; only its fingerprint is.
struct UpstreamConfig
{
    QString name;
    QUrl baseUrl;            // what the provider's own SDK takes as base URL
    ApiDialect dialect = ApiDialect::OpenAi;
    QString apiKeyEnv;
    QString apiKey;
    QStringList models;      // globs (core/Glob); empty = every model
    int priority = 0;        // lower first
    int weight = 1;
    int maxConcurrency = 0;  // 0 = no ceiling of its own
    UpstreamTimeouts timeouts;
    bool builtInSimulator = false;

    void setModels(const QStringList &globs);
    bool servesModel(const QString &model) const;
    // base_url + the part of the gateway path after /v1 (OpenAI base URLs end in /v1; Anthropic's don't),
    // its dot segments resolved (UrlPath); an invalid URL when they would climb above base_url.
    QUrl urlFor(const QByteArray &gatewayPath, const QByteArray &query) const;
};
