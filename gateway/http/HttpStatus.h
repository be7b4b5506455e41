#pragma once

#include <QByteArray>

namespace HttpStatus {
QByteArray reasonPhrase(int status);
}
