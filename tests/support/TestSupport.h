#pragma once

#include <QByteArray>
#include <QString>

// Small shared helpers for tests.
namespace TestSupport {
// A TCP port on 127.0.0.1 that was free a moment ago.
quint16 freePort();
}
