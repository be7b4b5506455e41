#include "AgentRefusal.h"

int AgentRefusal::statusFor(const HttpRequest &request, int status)
{
    const bool final = status == 402 || status == 403;
    if (final && request.headers.value("originator").startsWith("codex"))
        return 400;
    return status;
}
