#include "Dialect.h"

#include "AnthropicDialect.h"
#include "CompletionsDialect.h"
#include "EmbeddingsDialect.h"
#include "OpenAiDialect.h"
#include "ResponsesDialect.h"

int Dialect::statusOf(Error error)
{
    switch (error) {
    case Error::InvalidRequest: return 400;
    case Error::RequestTooLarge: return 413;
    case Error::HeadersTooLarge: return 431;
    case Error::RequestTimeout: return 408;
    case Error::NotFound: return 404;
    case Error::Unauthorized: return 401;
    case Error::BudgetExceeded: return 402;
    case Error::RateLimited: return 429;
    case Error::SessionBlocked: return 403;
    case Error::UpstreamUnavailable: return 503;
    case Error::StoreUnavailable: return 503;
    case Error::UpstreamError: return 502;
    case Error::UpstreamTimeout: return 504;
    case Error::Internal: return 500;
    case Error::ForbiddenOrigin: return 403;
    case Error::UnsupportedMediaType: return 415;
    case Error::MethodNotAllowed: return 405;
    }
    return 500;
}

Dialect::Error Dialect::errorForStatus(int status)
{
    switch (status) {
    case 400: return Error::InvalidRequest;
    case 401: return Error::Unauthorized;
    case 402: return Error::BudgetExceeded;
    case 403: return Error::SessionBlocked;
    case 404: return Error::NotFound;
    case 405: return Error::MethodNotAllowed;
    case 408: return Error::RequestTimeout;
    case 413: return Error::RequestTooLarge;
    case 415: return Error::UnsupportedMediaType;
    case 429: return Error::RateLimited;
    case 431: return Error::HeadersTooLarge;
    case 502: return Error::UpstreamError;
    case 503: return Error::UpstreamUnavailable;
    case 504: return Error::UpstreamTimeout;
    default: return status >= 500 ? Error::Internal : Error::InvalidRequest;
    }
}

const Dialect &Dialect::forApi(ApiDialect api)
{
    static const OpenAiDialect openAi;
    static const AnthropicDialect anthropic;
    if (api == ApiDialect::Anthropic)
        return anthropic;
    return openAi;
}

const Dialect &Dialect::forPath(const QByteArray &path)
{
    return forApi(path.startsWith("/v1/messages") ? ApiDialect::Anthropic : ApiDialect::OpenAi);
}

const Dialect *Dialect::forEndpoint(const QByteArray &path)
{
    static const ResponsesDialect responses;
    static const EmbeddingsDialect embeddings;
    static const CompletionsDialect completions;
    if (path == "/v1/chat/completions")
        return &forApi(ApiDialect::OpenAi);
    if (path == "/v1/messages")
        return &forApi(ApiDialect::Anthropic);
    if (path == "/v1/responses")
        return &responses;
    if (path == "/v1/embeddings")
        return &embeddings;
    if (path == "/v1/completions")
        return &completions;
    return nullptr;
}
