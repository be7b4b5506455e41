#pragma once

#include "ApiDialect.h"
#include "ChatRequest.h"
#include "StreamMeter.h"
#include "TokenUsage.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <optional>

// Everything that differs between API families, behind one interface: reading a request, asking
// the upstream for usage, reading usage from a response or a stream, and shaping errors so each
// client's SDK understands them. Stateless; one instance per dialect.
class Dialect
{
public:
    // Gateway-made errors, named by what happened; each dialect maps them to its own type/code.
    enum class Error {
        InvalidRequest,      // 400
        RequestTooLarge,     // 413
        HeadersTooLarge,     // 431
        RequestTimeout,      // 408
        NotFound,            // 404
        Unauthorized,        // 401
        BudgetExceeded,      // 402
        RateLimited,         // 429
        SessionBlocked,      // 403
        UpstreamUnavailable, // 503
        StoreUnavailable,    // 503: the usage store cannot write, so nothing that spends is forwarded
        UpstreamError,       // 502
        UpstreamTimeout,     // 504
        Internal,            // 500
        ForbiddenOrigin,     // 403: a foreign Origin or Host (a web page)
        UnsupportedMediaType, // 415
        MethodNotAllowed,    // 405
    };

    virtual ~Dialect() = default;
    virtual ApiDialect id() const = 0;

    // Reads the client's JSON body; on failure returns nothing and says why (for a 400).
    virtual std::optional<ChatRequest> parseRequest(const QByteArray &body, QString *error) const = 0;
    // The body to send upstream when TokenFuse must change it to count the stream; empty means
    // "forward the client's bytes unchanged" (re-encoding JSON could alter numbers it need not touch).
    virtual QByteArray upstreamBody(const ChatRequest &request) const = 0;
    // Usage from a complete (non-streamed) response body.
    virtual TokenUsage usageFromResponse(const QByteArray &body) const = 0;
    virtual std::unique_ptr<StreamMeter> newStreamMeter(const ChatRequest &request) const = 0;
    // The start of the answer's text in a complete (non-streamed) response body, at most
    // StreamMeter::OutputTextChars, as StreamMeter::outputText() has it for a stream; empty where
    // a dialect has no text answer (embeddings).
    virtual QString outputText(const QByteArray &responseBody) const
    {
        Q_UNUSED(responseBody);
        return {};
    }

    virtual QByteArray errorBody(Error error, const QString &message) const = 0;
    // One event that ends a stream with an error the client's SDK raises.
    virtual QByteArray streamErrorEvent(Error error, const QString &message) const = 0;

    static int statusOf(Error error);
    static const Dialect &forApi(ApiDialect api);
    // The dialect whose clients call this path (errors on /v1/messages* are Anthropic-shaped).
    static const Dialect &forPath(const QByteArray &path);
    // The dialect that meters a POST to this path (chat, messages, responses, embeddings, legacy
    // completions), or null for a path TokenFuse forwards without knowing its shape.
    static const Dialect *forEndpoint(const QByteArray &path);
    static Error errorForStatus(int status);
};
