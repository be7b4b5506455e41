#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

// The thresholds of every loop signal, with defaults that stay quiet on normal agent work
// (docs/loop-detection.md says why each is what it is). Windows are in seconds.
struct LoopSettings
{
    bool enabled = true;
    bool warnOnly = false;      // mode "warn": the alert is raised, nothing is blocked
    int cooldownSeconds = 300;  // a tripped session starts clean after this; 0: only by hand

    // velocity: requests in the last `velocityWindow` s against the session's own rate over the
    // `velocityBaseline` s before them.
    bool velocityEnabled = true;
    int velocityWindow = 10;
    int velocityBaseline = 300;
    int velocityMinRequests = 40; // the absolute floor: fewer never trip, whatever the history
    // The floor for a session with no requests before the window (new, or idle for the whole
    // baseline): with no history of its own to compare against, only a rate no agent sends trips.
    int velocityMinRequestsWithoutHistory = 200;
    double velocityFactor = 10.0; // and at least this many times the baseline rate

    // repetition: near-identical latest turns.
    bool repetitionEnabled = true;
    int repetitionWindow = 120;
    int repetitionCount = 10;     // this request and 9 earlier ones alike
    double repetitionSimilarity = 0.9;

    // tool_repeat / tool_cycle: the same call (tool, canonical arguments, result) again.
    bool toolEnabled = true;
    int toolWindow = 120;
    int toolRepeatCount = 6;
    int toolCycleRepeats = 4;     // a cycle of 2 or 3 calls gone round this many times

    // ping_pong: one session's prompt carries another's latest output, both ways.
    bool pingPongEnabled = true;
    int pingPongWindow = 30;
    int pingPongHandoffs = 5;     // each way
    double pingPongContainment = 0.6; // share of the output's shingles found in the prompt

    // spend_velocity: what finished requests spent, per minute. 0: no ceiling.
    bool spendEnabled = true;
    int spendWindow = 60;
    qint64 spendTokensPerMinute = 5000000;
    qint64 spendCostMicrosPerMinute = 10000000; // $10 a minute

    // The longest stretch any signal looks back: idle sessions are forgotten after it.
    qint64 longestWindowMs() const;
};

// One override: sessions (or tenants) whose name matches `match` (a Glob) get `settings`, which
// start from the top-level settings with the rule's keys applied.
struct LoopRule
{
    enum class Scope { Session, Tenant };
    Scope scope = Scope::Session;
    QString match;
    LoopSettings settings;
};

// `loop_detection` in the config file: the detector's settings, per-session/tenant overrides
// (first match wins), and how many sessions it tracks at most.
struct LoopDetectionConfig
{
    LoopSettings defaults;
    QList<LoopRule> rules;
    int maxSessions = 1024;

    // The settings a session runs under: the first rule that matches, else the defaults.
    const LoopSettings &settingsFor(QStringView session, QStringView tenant) const;
    qint64 longestWindowMs() const;

    // Unknown keys and bad values are refused with a message naming the key
    // ("loop_detection.repetition.count: must be a whole number from 2 to 1000, got 1").
    static std::optional<LoopDetectionConfig> fromJson(const QJsonValue &value, QString *error);
    QJsonObject toJson() const;
};
