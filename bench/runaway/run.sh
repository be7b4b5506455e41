#!/usr/bin/env bash
# TokenFuse runaway-agent benchmark: time-to-trip, calls-before-trip and spend-at-trip of the
# loop detector's defaults on the incident's loops (ping-pong at 50 calls/s, a tool loop, a slow
# loop), where velocity starts for varied work, and kill-to-SDK-raise latency over 50 kills.
# About 80 s; one `tokenfuse --headless --simulate` on a free 127.0.0.1 port with a throw-away
# data directory, stopped on exit.
#
#   bash bench/runaway/run.sh        # uses build/ (BUILD_DIR=... for another build directory)
#
# Knobs (environment): RUNS (5), KILLS (50), SLOW_LOOPS (3), PING_PONG_RATE (50),
# TOOL_EVERY_MS (50), SLOW_EVERY_MS (2000), PARTS (ping-pong,tool,slow,fast,phase,kill;
# add restart for a service carried through a gateway restart), BENCH_RAW=1
# for one RESULT line per tripped session.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
export TOKENFUSE_BINARY="${TOKENFUSE:-$BUILD_DIR/app/tokenfuse}"
die() { printf 'runaway: %s\n' "$*" >&2; exit 1; }
[[ -x "$TOKENFUSE_BINARY" ]] || die "$TOKENFUSE_BINARY not found: cmake --build build --target tokenfuse"
command -v node >/dev/null || die "node not found (Debian: apt-get install nodejs npm)"
command -v sqlite3 >/dev/null || die "sqlite3 not found (Debian: apt-get install sqlite3)"
[[ -d "$ROOT/tests/e2e/node_modules/openai" ]] || die "the openai SDK is missing: (cd tests/e2e && npm ci --no-audit --no-fund)"
exec timeout "${TIME_LIMIT:-240}" node "$ROOT/bench/runaway/runaway.mjs"
