#pragma once

#include "store/UsageStore.h"

#include <utility>

// A store callback that runs `f` only once its job is committed: what most store tests count.
template <typename F>
UsageStore::Callback whenCommitted(F f)
{
    return [f = std::move(f)](const StoreOutcome &outcome) mutable {
        if (outcome.committed())
            f();
    };
}
