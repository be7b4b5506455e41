#include "SimulatorError.h"

#include "SimulatorJson.h"

QByteArray SimulatorError::typeFor(ApiDialect dialect, int status)
{
    if (dialect == ApiDialect::Anthropic) {
        switch (status) {
        case 401: return "authentication_error";
        case 402: return "billing_error";
        case 403: return "permission_error";
        case 404: return "not_found_error";
        case 413: return "request_too_large";
        case 429: return "rate_limit_error";
        case 529: return "overloaded_error";
        default: return status >= 500 ? "api_error" : "invalid_request_error";
        }
    }
    switch (status) {
    case 401: return "authentication_error";
    case 402: return "insufficient_quota";
    case 403: return "permission_error";
    case 429: return "rate_limit_exceeded";
    case 529: return "overloaded_error";
    default: return status >= 500 ? "api_error" : "invalid_request_error";
    }
}

QByteArray SimulatorError::body(ApiDialect dialect) const
{
    const QByteArray t = type.isEmpty() ? typeFor(dialect, status) : type;
    const QByteArray m = SimulatorJson::string(message.toUtf8());
    if (dialect == ApiDialect::Anthropic)
        return R"({"type":"error","error":{"type":")" + t + R"(","message":)" + m + "}}";
    return R"({"error":{"message":)" + m + R"(,"type":")" + t + R"(","param":)"
        + (param.isEmpty() ? QByteArray("null") : SimulatorJson::string(param)) + R"(,"code":)"
        + (code.isEmpty() ? QByteArray("null") : SimulatorJson::string(code)) + "}}";
}
