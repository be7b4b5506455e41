#pragma once

#include "config/GatewayConfig.h"

#include <QString>
#include <QStringList>

// What the user asked for on the command line, with the config file already merged in.
struct Invocation
{
    enum class Mode { Gateway, Simulate, Help, Version, Error };
    Mode mode = Mode::Gateway;
    bool headless = false;
    GatewayConfig config;
    QString error;   // Mode::Error: one line saying what and where
    QString helpText;
};

// Parses `tokenfuse [options]` and `tokenfuse simulate [options]` as docs/usage.md describes.
Invocation parseCommandLine(const QStringList &arguments);

// Binds the secret store over the config's data dir (the desktop's keychain, else
// DATA_DIR/secrets.json: KeychainSecretStore) and reads the upstreams' api_key_secret keys from it.
// Called once the application object exists: the keychain is asked through an event loop.
void resolveUpstreamSecrets(GatewayConfig &config);
