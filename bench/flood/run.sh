#!/usr/bin/env bash
# TokenFuse idle-connection flood: 10,000 silent connections held against `tokenfuse --headless
# --simulate` while normal traffic runs, on 127.0.0.1 only, in about a minute.
#
#   bash bench/flood/run.sh        # uses build/ (BUILD_DIR=... for another build directory)
#
# Measures (docs/benchmarks.md, "Idle-connection flood"): the gateway's open file descriptors,
# the success rate and latency of normal requests during the flood (loadgen rate, once with
# keep-alive connections and once with a new connection per request), and /healthz latency.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
TOKENFUSE="${TOKENFUSE:-$BUILD_DIR/app/tokenfuse}" # TOKENFUSE=... to measure another binary
LOADGEN="$BUILD_DIR/bench/loadgen/loadgen"
IDLE="${IDLE:-10000}"          # silent connections held
RATE="${RATE:-50}"             # normal requests per second
LOAD_SECONDS="${LOAD_SECONDS:-15}"
TIME_LIMIT="${TIME_LIMIT:-120}"

say() { printf 'flood: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
[[ -x "$TOKENFUSE" ]] || die "$TOKENFUSE not found: build the tokenfuse target first"
if [[ ! -x "$LOADGEN" ]]; then
    cmake --build "$BUILD_DIR" --target bench_loadgen >&2 || die "could not build bench_loadgen"
fi
command -v python3 >/dev/null || die "python3 not found"
ulimit -n "$(ulimit -Hn)" 2>/dev/null
(( $(ulimit -n) >= IDLE + 200 )) || die "open-file limit $(ulimit -n) is below $IDLE connections (raise the hard limit)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tokenfuse-flood.XXXXXX")"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT
( sleep "$TIME_LIMIT"; say "time limit of ${TIME_LIMIT}s reached"; kill -TERM $$ ) >/dev/null 2>&1 &
PIDS+=($!)

PORT=$(( 20000 + RANDOM % 5000 ))
mkdir -p "$WORK/config"
env -u OPENAI_API_KEY XDG_CONFIG_HOME="$WORK/config" QT_NO_GLIB=1 "$TOKENFUSE" --headless --simulate \
    --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" >"$WORK/gateway.log" 2>&1 &
GW=$!
PIDS+=("$GW")
for _ in $(seq 100); do grep -q "listening on" "$WORK/gateway.log" 2>/dev/null && break; sleep 0.1; done
grep -q "listening on" "$WORK/gateway.log" || die "gateway did not start: $(tail -3 "$WORK/gateway.log")"
URL="http://127.0.0.1:$PORT/v1/chat/completions"
say "gateway pid $GW on port $PORT, fds at rest: $(ls /proc/$GW/fd | wc -l)"

say "baseline: $RATE req/s for ${LOAD_SECONDS}s, no flood"
"$LOADGEN" rate --url "$URL" --name baseline --rate "$RATE" --warmup 1 --duration "$LOAD_SECONDS"

FLOOD_SECONDS=$(( 2 * LOAD_SECONDS + 8 ))
say "flood: $IDLE idle connections for ${FLOOD_SECONDS}s"
python3 "$ROOT/bench/flood/flood.py" --port "$PORT" --idle "$IDLE" --probe-ms 0 --duration "$FLOOD_SECONDS" &
FLOOD=$!
PIDS+=("$FLOOD")
sleep 3 # the flood is open by now
python3 "$ROOT/bench/flood/flood.py" --port "$PORT" --pid "$GW" --idle 0 --duration $(( FLOOD_SECONDS - 5 )) &
PROBE=$!
PIDS+=("$PROBE")
say "during the flood: keep-alive clients, $RATE req/s"
"$LOADGEN" rate --url "$URL" --name flood-keepalive --rate "$RATE" --warmup 1 --duration "$LOAD_SECONDS"
say "during the flood: a new connection per request, $RATE req/s"
"$LOADGEN" rate --url "$URL" --name flood-fresh --fresh-connections 1 --rate "$RATE" --warmup 1 --duration "$LOAD_SECONDS"
wait "$PROBE"
wait "$FLOOD"
say "gateway fds after the flood: $(ls /proc/$GW/fd | wc -l); RSS $(awk '/VmRSS/ {print $2, $3}' /proc/$GW/status)"
