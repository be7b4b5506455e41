#pragma once

#include "dialect/ApiDialect.h"

#include <QByteArray>
#include <QString>

// One error the simulator answers with, rendered in the dialect of the endpoint that was called,
// exactly as that provider shapes it. The type follows the status unless set: Anthropic's table
// (invalid_request_error, authentication_error, billing_error, permission_error, not_found_error,
// request_too_large, rate_limit_error, api_error, overloaded_error) and its OpenAI counterparts.
struct SimulatorError
{
    int status = 400;
    QString message;
    QByteArray param;  // OpenAI only: the offending parameter, null when empty
    QByteArray code;   // OpenAI only: a machine-readable code, null when empty
    QByteArray type;   // empty: derived from the status and dialect

    QByteArray body(ApiDialect dialect) const;
    static QByteArray typeFor(ApiDialect dialect, int status);
};
