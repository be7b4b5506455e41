#include "AdminCall.h"

#include <QJsonObject>

QString AdminAnswer::errorMessage() const
{
    return body.toObject().value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString();
}

QString AdminAnswer::errorType() const
{
    return body.toObject().value(QLatin1String("error")).toObject().value(QLatin1String("type")).toString();
}
