#!/usr/bin/env bash
# Installs what is missing, builds TokenFuse and starts it. Arguments go to tokenfuse
# (e.g. --headless, --simulate, --listen 127.0.0.1:8400). The console opens when there is a
# display; without one, TokenFuse runs headless and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
bash installer/debian-deps.sh
# The same flags as tests/run.sh, so running and testing share one build without rebuilding.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" >/dev/null
cmake --build build --target tokenfuse tokenfuse-console
exec ./build/app/tokenfuse "$@"
