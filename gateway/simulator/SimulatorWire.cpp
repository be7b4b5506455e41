#include "SimulatorWire.h"

#include "SimulatorAnthropicWire.h"
#include "SimulatorOpenAiWire.h"

std::unique_ptr<SimulatorWire> SimulatorWire::create(ApiDialect dialect, const SimulatorAnswer &answer)
{
    if (dialect == ApiDialect::Anthropic)
        return std::make_unique<SimulatorAnthropicWire>(answer);
    return std::make_unique<SimulatorOpenAiWire>(answer);
}

HttpHeaders SimulatorWire::contentHeaders(bool stream)
{
    HttpHeaders h;
    if (stream) {
        h.add("content-type", "text/event-stream; charset=utf-8");
        h.add("cache-control", "no-cache");
    } else {
        h.add("content-type", "application/json");
    }
    return h;
}
