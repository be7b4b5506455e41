#pragma once

#include <QJsonObject>
#include <QString>

class GatewayHost;
class QObject;

// A real gateway for tests: built from config JSON as the config file would give it, listening on
// a free port of 127.0.0.1 with its store in `dataDir`. Two steps, so a test can connect to the
// host's signals before it starts.
namespace GatewayUnderTest {
// The host, not started; nothing, with *error saying why, for config JSON TokenFuse refuses.
GatewayHost *create(const QJsonObject &config, const QString &dataDir, QObject *parent, QString *error);
// The same from a config file, which it then watches and writes as the app's does.
GatewayHost *createFromFile(const QString &path, const QString &dataDir, QObject *parent, QString *error);
// Starts it and waits until it listens; its port, or 0 (with a warning saying why) when it
// failed or did not start within 30 s.
quint16 start(GatewayHost *host);
}
