#pragma once

#include <QString>

struct Invocation;

// The two headless ways to run, shared by both executables.
int runGatewayHeadless(const Invocation &invocation);
int runSimulatorServer(const Invocation &invocation);
// Prints one line to stderr, prefixed with the time.
void logLine(const char *what, const QString &line);
