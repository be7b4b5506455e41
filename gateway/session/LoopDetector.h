#pragma once

#include "LoopDetectionConfig.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

// What the loop detector reads of one request, as the gateway is about to admit it.
struct LoopRequest
{
    QString session;
    QString tenant;
    qint64 atMs = 0;          // ms since the Unix epoch (the gateway's clock; tests pass their own)
    QByteArray endpoint;      // "/v1/chat/completions", "/v1/messages", "/v1/responses", "/v1/completions", "/v1/embeddings"
    QJsonObject body;         // the client's JSON body as sent (messages / input / prompt, tools, ...)
};

// Why the detector thinks a session is stuck.
struct LoopTrip
{
    QString signal;           // "velocity", "repetition", "tool_repeat", "tool_cycle", "ping_pong", "spend_velocity"
    QString evidence;         // for people, e.g. "14 near-identical requests in 6 s; last two prompts 97 % similar"
    QStringList sessions;     // the sessions it covers: the one observed, and for ping_pong its partner too
    bool warnOnly = false;    // the matching rule's mode is "warn": raise the alert, block nothing
    int cooldownSeconds = 0;  // the matching rule's cooldown: the trip ends by itself after it; 0: only by hand
};

// Watches every session's requests over sliding windows and says when one looks like a runaway
// loop. Each signal stands on its own (see docs/loop-detection.md). Lives on the gateway thread;
// memory is bounded (sessions idle past the longest window are forgotten, and at most
// LoopDetectionConfig::maxSessions are tracked). Time is the caller's `atMs`, never a clock of its
// own, so tests drive it.
class LoopDetector
{
public:
    LoopDetector();
    ~LoopDetector();

    void setConfig(const LoopDetectionConfig &config);
    const LoopDetectionConfig &config() const;

    // A request about to be admitted: remembered, then every request signal checked. A trip when
    // this request shows the session (or a pair of sessions) is looping; nothing otherwise, and
    // nothing when detection is disabled or no rule matches. Embeddings and other endpoints are
    // not observed. Once tripped, a session gets no second trip (one alert, not one per request)
    // until its cooldown has passed or it is forgotten; either way it then starts clean.
    std::optional<LoopTrip> observeRequest(const LoopRequest &request);
    // The text a session's request got back (the assistant's answer, possibly cut short:
    // StreamMeter::outputText() or Dialect::outputText()), for the ping-pong signal: another
    // session's next prompt carrying it is a hand-off.
    void observeOutput(const QString &session, const QString &tenant, const QString &text, qint64 atMs);
    // Tokens (prompt and completion) and cost a finished request spent, for the spend-velocity
    // signal; embeddings included.
    std::optional<LoopTrip> observeSpend(const QString &session, const QString &tenant, qint64 tokens, qint64 costMicros, qint64 atMs);
    // At start: a session's request count over [fromMs, toMs) as the store has it, so the velocity
    // signal measures a session carried through a restart against its real rate, not against
    // nothing. Ignored for a session the detector already tracks.
    void seedHistory(const QString &session, const QString &tenant, qint64 requests, qint64 fromMs, qint64 toMs);
    // After a resume: the session's history is dropped so it starts clean.
    void forget(const QString &session);
    int trackedSessions() const;

private:
    struct State;
    std::unique_ptr<State> d;
};
