#include "SimulatorWire.h"

#include "SimulatorAnthropicWire.h"
#include "SimulatorOpenAiWire.h"

std::unique_ptr<SimulatorWire> SimulatorWire::create(ApiDialect dialect, const SimulatorAnswer &answer)
{
    if (dialect == ApiDialect::Anthropic)
        return std::make_unique<SimulatorAnthropicWire>(answer);
    return std::make_unique<SimulatorOpenAiWire>(answer);
}
