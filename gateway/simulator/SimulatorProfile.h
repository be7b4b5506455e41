#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

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
    int stallAfterTokens = -1;        // a stream goes silent after this many tokens, its connection kept open
    bool omitUsage = false;        // never report usage (streams end without a usage chunk)
    bool ignoreMaxTokens = false;  // answer completionTokens whatever the request's output limit (a lying upstream)
    // A scripted tool call: answer with a call of this tool (in whichever dialect was asked)
    // until the conversation holds its result, then with text. Empty: no script.
    QString toolCallName;
    QByteArray toolCallArguments;  // its arguments, a JSON object's text; empty: from the tool's schema

    // Sets one knob from its command-line or header spelling, so `--ttft-ms 200` and
    // `x-sim-ttft-ms: 200` can never drift apart. A leading "--" or "x-sim-" on the name is ignored.
    // Names: ttft-ms, tokens-per-second, completion-tokens, fault, retry-after, tool-call (a tool
    // name, `none` to clear), tool-args (a JSON object). A fault value is a
    // comma-separated list of `status:NNN`, `hang`, `disconnect:N`, `malformed:N`, `stall:N`, `no-usage` and
    // `none`; it adds to the faults already set (`none` clears them), so `--fault` may be repeated.
    // On a bad name or value the profile is left unchanged and *error says what was wrong.
    bool applyOption(const QString &name, const QString &value, QString *error);
    // The knob names applyOption() takes, without prefix (for --help and error messages).
    static QStringList optionNames();

    void clearFaults();
    bool hasFault() const;
};

// The command-line form of SimulatorProfile::applyOption(), for the integrator's argument loop.
bool applySimulatorOption(SimulatorProfile &profile, const QString &name, const QString &value, QString *error);
