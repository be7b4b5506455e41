#!/usr/bin/env bash
# The usage store under sustained load: REQUESTS requests (default 100,000) through
# `tokenfuse --headless --simulate` at full speed (wrk, closed loop, CONNECTIONS at once), then
# the size of the WAL (largest seen, sampled every 0.2 s, and at the end), the database's size,
# and the bytes tokenfuse wrote to storage per request (/proc/PID/io write_bytes). Bounded in time
# by TIME_LIMIT. docs/benchmarks.md ("The WAL under sustained load") has the figures.
#
#   bash bench/store_wal.sh          # uses build/ (BUILD_DIR=... to use another build directory)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
TOKENFUSE="${TOKENFUSE:-$BUILD_DIR/app/tokenfuse}"
REQUESTS="${REQUESTS:-100000}"
THREADS=2
CONNECTIONS="${CONNECTIONS:-400}"   # the simulator answers after 150 ms: 400 at once allow ~2,700/s
TIME_LIMIT="${TIME_LIMIT:-240}"     # seconds wrk may run at most

die() { printf 'store_wal: %s\n' "$*" >&2; exit 1; }
[[ -x "$TOKENFUSE" ]] || die "$TOKENFUSE not found; build the tokenfuse target first"
command -v wrk >/dev/null || die "wrk not found (Debian: apt-get install wrk)"

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
# A config of our own (none), so nothing of the user's is read.
mkdir -p "$WORK/config"
env -u OPENAI_API_KEY -u ANTHROPIC_API_KEY XDG_CONFIG_HOME="$WORK/config" "$TOKENFUSE" --headless --simulate --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" >"$WORK/gateway.log" 2>&1 &
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
started=$(date +%s.%N)
WAL_BENCH_PER_THREAD=$((REQUESTS / THREADS)) WAL_BENCH_STAMP="$WORK/stamp" wrk -t"$THREADS" -c"$CONNECTIONS" \
    -d"${TIME_LIMIT}s" --timeout 10s -s "$ROOT/bench/store_wal.lua" "http://127.0.0.1:$PORT/v1/chat/completions" \
    > "$WORK/wrk.out" 2>&1 &
WRK=$!
# wrk sleeps out its whole -d even when every thread has stopped: end it (SIGINT prints its
# summary) once each thread has written its stamp.
while kill -0 "$WRK" 2>/dev/null; do
    (( $(ls "$WORK"/stamp.* 2>/dev/null | wc -l) >= THREADS )) && kill -INT "$WRK"
    sleep 0.2
done
wait "$WRK"
ended=$(cat "$WORK"/stamp.* 2>/dev/null | sort -n | tail -1)
[[ -n "$ended" ]] || ended=$(date +%s.%N)
sleep 1.5 # the last rows' commits and the checkpointer's next tick
written_after=$(awk '/^write_bytes/ {print $2}' "/proc/$GW/io")
kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null; SAMPLER=""

total=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$WORK/wrk.out")
[[ -n "$total" ]] || die "wrk printed no result: $(cat "$WORK/wrk.out")"
failed=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$WORK/wrk.out")
ok=$((total - ${failed:-0}))
seconds=$(echo "$ended - $started" | bc)
largest=$(cat "$WORK/largest" 2>/dev/null || echo 0)
wal_end=$(stat -c %s "$WAL" 2>/dev/null || echo 0)
db=$(stat -c %s "$WORK/data/tokenfuse.db")
written=$((written_after - written_before))
printf 'requests answered 200:  %s of %s (%.0f/s over %.1f s, %s connections)\n' "$ok" "$total" \
    "$(echo "$total / $seconds" | bc -l)" "$seconds" "$CONNECTIONS"
printf 'WAL largest seen:       %d bytes (%.1f MiB)\n' "$largest" "$(echo "$largest / 1048576" | bc -l)"
printf 'WAL at the end:         %d bytes (%.1f MiB)\n' "$wal_end" "$(echo "$wal_end / 1048576" | bc -l)"
printf 'database:               %d bytes (%.1f MiB)\n' "$db" "$(echo "$db / 1048576" | bc -l)"
printf 'written by tokenfuse:   %d bytes, %d bytes per request\n' "$written" "$(( ok > 0 ? written / ok : 0 ))"
