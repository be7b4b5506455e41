#pragma once

#include "http/HttpRequest.h"

// The status a final refusal (a budget spent, a session blocked) is sent with, so the calling
// agent stops instead of retrying. The official SDKs honour `x-should-retry: false`; Codex CLI
// does not: it retries every status but 400 (and a few 429 types of OpenAI's own) five times
// (measured with Codex 0.171.0: a 402 or 403 was sent six times). So a final refusal to Codex,
// known by its `originator` header, goes out as 400 with the same error body, which Codex prints
// and stops on. See docs/agents.md.
namespace AgentRefusal {
// `status` as the contract says; the status to send this caller.
int statusFor(const HttpRequest &request, int status);
}
