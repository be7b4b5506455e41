#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite through ctest:
# QtTest unit and integration tests, the offscreen console tests, and the end-to-end tests with
# the official openai and @anthropic-ai/sdk packages.
set -euo pipefail
cd "$(dirname "$0")/.."
bash installer/debian-deps.sh
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
# -g1: line tables for backtraces, without the full debug info that doubles link times.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
    -DTOKENFUSE_WERROR=ON >/dev/null
cmake --build build
export QT_QPA_PLATFORM=offscreen
# Two at a time: most tests wait on sockets and child processes; the SERIAL ones run alone.
ctest --test-dir build --output-on-failure --timeout 600 -j2 "$@"
