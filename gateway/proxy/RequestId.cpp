#include "RequestId.h"

#include <QUuid>

QString RequestId::next()
{
    return QStringLiteral("tfr_") + QUuid::createUuid().toString(QUuid::Id128).left(24);
}
