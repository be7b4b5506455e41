#!/usr/bin/env bash
# The usage store under sustained load: REQUESTS requests (default 100,000) through
# `tokenfuse --headless --simulate` at RATE requests per second (open loop, bench/loadgen), then
# the size of the WAL (largest seen, sampled every 0.2 s, and at the end), the database's size,
# and the bytes tokenfuse wrote to storage per request (/proc/PID/io write_bytes). Bounded in time
# by TIME_LIMIT. docs/benchmarks.md ("The WAL under sustained load") has the figures.
#
#   bash bench/store_wal.sh          # uses build/ (BUILD_DIR=... to use another build directory)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
TOKENFUSE="${TOKENFUSE:-$BUILD_DIR/app/tokenfuse}"
LOADGEN="$BUILD_DIR/bench/loadgen/loadgen"
REQUESTS="${REQUESTS:-100000}"
RATE="${RATE:-2500}"
CONNECTIONS="${CONNECTIONS:-64}"
TIME_LIMIT="${TIME_LIMIT:-240}"

die() { printf 'store_wal: %s\n' "$*" >&2; exit 1; }
[[ -x "$TOKENFUSE" ]] || die "$TOKENFUSE not found; build the tokenfuse target first"
if [[ ! -x "$LOADGEN" ]]; then
    cmake --build "$BUILD_DIR" --target bench_loadgen >&2 || die "could not build bench_loadgen"
fi

# On a disk-backed file system: /proc/PID/io counts no writes to a tmpfs.
WORK="$(mktemp -d "${BENCH_DIR:-$BUILD_DIR}/tokenfuse-walbench.XXXXXX")"
GW=""
SAMPLER=""
cleanup() {
    [[ -n "$SAMPLER" ]] && kill "$SAMPLER" 2>/dev/null
    [[ -n "$GW" ]] && kill "$GW" 2>/dev/null && wait "$GW" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$TOKENFUSE" --headless --simulate --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" 2>"$WORK/gateway.log" &
GW=$!
for _ in $(seq 100); do
    grep -q "listening on" "$WORK/gateway.log" 2>/dev/null && break
    sleep 0.1
done
grep -q "listening on" "$WORK/gateway.log" || die "tokenfuse did not start: $(cat "$WORK/gateway.log")"

WAL="$WORK/data/tokenfuse.db-wal"
# The largest WAL seen while the load runs.
(
    largest=0
    while :; do
        size=$(stat -c %s "$WAL" 2>/dev/null || echo 0)
        (( size > largest )) && largest=$size && echo "$largest" > "$WORK/largest"
        sleep 0.2
    done
) &
SAMPLER=$!

written_before=$(awk '/^write_bytes/ {print $2}' "/proc/$GW/io")
DURATION=$(( (REQUESTS + RATE - 1) / RATE ))
started=$(date +%s.%N)
timeout "$TIME_LIMIT" "$LOADGEN" rate --url "http://127.0.0.1:$PORT/v1/chat/completions" --rate "$RATE" \
    --warmup 0 --duration "$DURATION" --connections "$CONNECTIONS" > "$WORK/loadgen.out" 2>"$WORK/loadgen.err"
ended=$(date +%s.%N)
sleep 1.5 # the last rows' commits and the checkpointer's next tick
written_after=$(awk '/^write_bytes/ {print $2}' "/proc/$GW/io")
kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null; SAMPLER=""

result=$(grep '^RESULT' "$WORK/loadgen.out")
[[ -n "$result" ]] || die "loadgen printed no result: $(cat "$WORK/loadgen.err")"
ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$result")
rps=$(sed -n 's/.* achieved_rps=\([0-9.]*\).*/\1/p' <<<"$result")
largest=$(cat "$WORK/largest" 2>/dev/null || echo 0)
wal_end=$(stat -c %s "$WAL" 2>/dev/null || echo 0)
db=$(stat -c %s "$WORK/data/tokenfuse.db")
written=$((written_after - written_before))
printf 'requests answered 200: %s (target %s at %s/s; achieved %s/s over %.1f s)\n' "$ok" "$REQUESTS" "$RATE" "$rps" \
    "$(echo "$ended - $started" | bc)"
printf 'WAL largest seen:       %d bytes (%.1f MiB)\n' "$largest" "$(echo "$largest / 1048576" | bc -l)"
printf 'WAL at the end:         %d bytes (%.1f MiB)\n' "$wal_end" "$(echo "$wal_end / 1048576" | bc -l)"
printf 'database:               %d bytes (%.1f MiB)\n' "$db" "$(echo "$db / 1048576" | bc -l)"
printf 'written by tokenfuse:   %d bytes, %d bytes per request\n' "$written" "$(( ok > 0 ? written / ok : 0 ))"
