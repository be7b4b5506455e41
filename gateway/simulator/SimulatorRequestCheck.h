#pragma once

#include "SimulatorError.h"
#include "dialect/ApiDialect.h"

#include <QJsonObject>
#include <QJsonValue>

// Checks request bodies the way the real providers do and words the complaints as they word them,
// so every simulated endpoint rejects the same mistakes with familiar text. Each method fills the
// error and returns false, so a parser can `return complain.missing("model")`-style bail out.
struct SimulatorRequestCheck
{
    ApiDialect dialect;
    SimulatorError *out;

    static bool isAbsent(const QJsonValue &v) { return v.isUndefined() || v.isNull(); }

    bool missing(const char *field) const;
    bool wrongType(const char *field, const char *expected, const QJsonValue &got) const;
    bool fail(const QString &message, const QByteArray &param, const QByteArray &code) const;
    // The body as a JSON object, or a complaint that it is not one.
    bool parseObject(const QByteArray &body, QJsonObject *object) const;
    // A non-empty string `model`.
    bool readModel(const QJsonObject &o, QByteArray *model) const;
    // An optional boolean.
    bool readBool(const QJsonObject &o, const char *field, bool *out) const;
    // An optional whole number of at least `min`, as both providers require for token limits;
    // untouched when absent.
    bool readTokenLimit(const QJsonObject &o, const char *field, int *out, int min = 1) const;
    // OpenAI's stream_options.include_usage, which is only allowed on a stream.
    bool readIncludeUsage(const QJsonObject &o, bool stream, bool *includeUsage) const;
};
