#pragma once

#include <QString>

// How the built-in simulated provider behaves. Server-wide defaults come from the command line
// (`tokenfuse simulate --ttft-ms 200 ...`); a request can override each knob with an
// `x-sim-...` header (see docs/simulator.md), which the gateway passes through untouched.
struct SimulatorProfile
{
    int ttftMs = 150;              // time to first token
    double tokensPerSecond = 80;   // streaming pace after the first token; 0 = as fast as possible
    int completionTokens = 48;     // length of every answer, capped by the request's max_tokens
    // Injected faults.
    int faultStatus = 0;           // answer with this HTTP status instead (429, 500, 503, 529 ...)
    int retryAfterSeconds = 0;     // Retry-After sent with faultStatus
    bool hang = false;             // accept the request and never answer
    int disconnectAfterTokens = -1;   // close the connection mid-stream after this many tokens
    int malformedAfterTokens = -1;    // send one chunk of broken JSON after this many tokens
    bool omitUsage = false;        // never report usage (streams end without a usage chunk)
};
