#pragma once

class GatewayHost;
class MainWindow;

// How the console window and the gateway host talk, in one place so the app and the console's
// integration tests wire them the same way: snapshots, budget alerts and trips to the window, the
// window's kill switches to the host and their answers back. Every connection is queued across
// the two threads by Qt, since the host's signals come from the gateway thread.
namespace ConsoleWiring {
void connect(GatewayHost &host, MainWindow &window);
}
