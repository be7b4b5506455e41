#pragma once

#include <QString>

// Names one request: the x-tokenfuse-request-id its client sees and the id of its row, whether an
// exchange answered it or the gateway refused it before one existed.
class RequestId
{
public:
    static QString next();
};
