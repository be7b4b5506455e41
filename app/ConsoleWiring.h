#pragma once

class AdminChannel;
class GatewayHost;
class MainWindow;

// How the console window and the gateway host talk, in one place so the app and the console's
// integration tests wire them the same way: snapshots, budget alerts, trips and upstream breakers to the window, the
// window's kill switches to the host and their answers back. Every connection is queued across
// the two threads by Qt, since the host's signals come from the gateway thread.
namespace ConsoleWiring {
void connect(GatewayHost &host, MainWindow &window);
// The console's admin calls (budgets, keys, rate limits, ...) to the host and the answers back;
// connect() does this for the window's own channel.
void connectAdmin(GatewayHost &host, AdminChannel &channel);
}
