#!/usr/bin/env bash
# TokenFuse console responsiveness benchmark: the gateway under load with and without the console
# open. For each of two runs, one `tokenfuse simulate` upstream and a fresh gateway:
#   headless  tokenfuse --headless
#   console   tokenfuse-console, offscreen (QT_QPA_PLATFORM=offscreen: real painting into memory),
#             with TOKENFUSE_STALL_PROBE recording the GUI thread's longest event-loop stall,
#             showing the page TOKENFUSE_CONSOLE_PAGE names (default: overview)
# and the same load on each: STREAMS slow streams held open (2 tokens/s) while wrk runs at its
# maximum rate (non-streamed, 4 models, 50 sessions), then an open-loop RATE req/s run for
# latency. Prints one RESULT line per run and a comparison table. About 2 x 45 s.
#
#   bash bench/console/run.sh         # uses build/ (BUILD_DIR=... for another build directory)
#
# Knobs: STREAMS (1000), WRK_SECONDS (15), WRK_ARGS (-t2 -c64), RATE (200), RATE_SECONDS (10),
# PAGES ("overview"; e.g. "overview sessions requests" for one console run per page).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
TOKENFUSE="$BUILD_DIR/app/tokenfuse"
CONSOLE="$BUILD_DIR/app/tokenfuse-console"
LOADGEN="$BUILD_DIR/bench/loadgen/loadgen"
STREAMS="${STREAMS:-1000}"
WRK_SECONDS="${WRK_SECONDS:-15}"
WRK_ARGS="${WRK_ARGS:--t2 -c64}"
RATE="${RATE:-200}"
RATE_SECONDS="${RATE_SECONDS:-10}"
PAGES="${PAGES:-overview}"

say() { printf '%s\n' "$*" >&2; }
die() { say "console-bench: $*"; exit 1; }
[[ -x "$TOKENFUSE" && -x "$CONSOLE" ]] || die "build first: cmake --build build --target tokenfuse tokenfuse-console bench_loadgen"
[[ -x "$LOADGEN" ]] || cmake --build "$BUILD_DIR" --target bench_loadgen >&2 || die "could not build bench_loadgen"
command -v wrk >/dev/null || die "wrk not found (Debian: apt-get install wrk)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tokenfuse-console-bench.XXXXXX")"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null

free_port() {
    local p
    for _ in $(seq 200); do
        p=$((10000 + RANDOM % 20000))
        ss -Htan 2>/dev/null | awk '{print $4}' | grep -q ":$p\$" || { echo "$p"; return; }
    done
    die "no free port"
}
wait_ready() {
    for _ in $(seq 200); do
        grep -q "listening on" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    die "not ready: $(tail -3 "$1")"
}

cat >"$WORK/post.lua" <<'LUA'
-- Non-streamed chat completions over four models and fifty sessions, answered at once.
local models = {"gpt-4o-mini", "claude-sonnet-4", "deepseek-chat", "qwen-plus"}
local n = 0
request = function()
    n = n + 1
    local body = string.format('{"model":"%s","messages":[{"role":"user","content":"Summarise ticket %d"}]}', models[n % 4 + 1], n)
    return wrk.format("POST", "/v1/chat/completions", {
        ["Content-Type"] = "application/json", ["x-sim-ttft-ms"] = "0", ["x-sim-tokens-per-second"] = "0",
        ["x-session-id"] = "bench-" .. (n % 50), ["x-tenant-id"] = "tenant-" .. (n % 3)}, body)
end
LUA

# The loop detector would rightly trip these sessions (thousands of near-identical requests a
# second); this benchmark measures the console beside the gateway, so it is off.
echo '{"loop_detection": {"enabled": false}}' >"$WORK/config.json"

SIM_PORT=$(free_port)
QT_NO_GLIB=1 "$TOKENFUSE" simulate --listen "127.0.0.1:$SIM_PORT" >"$WORK/sim.log" 2>&1 &
SIM_PID=$!
PIDS+=("$SIM_PID")
wait_ready "$WORK/sim.log"

declare -A R
run_case() { # NAME PAGE(or "")
    local name="$1" page="$2" port pid out streams_pid
    port=$(free_port)
    mkdir -p "$WORK/$name/config"
    if [[ -z "$page" ]]; then
        env -u OPENAI_API_KEY XDG_CONFIG_HOME="$WORK/$name/config" "$TOKENFUSE" --headless --config "$WORK/config.json" --listen "127.0.0.1:$port" \
            --data-dir "$WORK/$name/data" --upstream "http://127.0.0.1:$SIM_PORT/v1" >"$WORK/$name.log" 2>&1 &
    else
        env -u OPENAI_API_KEY XDG_CONFIG_HOME="$WORK/$name/config" QT_QPA_PLATFORM=offscreen \
            TOKENFUSE_STALL_PROBE="$WORK/$name.stalls.json" TOKENFUSE_CONSOLE_PAGE="$page" \
            "$CONSOLE" --config "$WORK/config.json" --listen "127.0.0.1:$port" --data-dir "$WORK/$name/data" \
            --upstream "http://127.0.0.1:$SIM_PORT/v1" >"$WORK/$name.log" 2>&1 &
    fi
    pid=$!
    PIDS+=("$pid")
    wait_ready "$WORK/$name.log"
    say "console-bench: $name: $STREAMS streams held, wrk $WRK_ARGS -d${WRK_SECONDS}s, then $RATE req/s for ${RATE_SECONDS}s"
    timeout 120 "$LOADGEN" streams --name "$name" --url "http://127.0.0.1:$port/v1/chat/completions" \
        --header 'x-session-id: bench-streams' --header 'x-sim-ttft-ms: 0' --header 'x-sim-tokens-per-second: 2' \
        --streams "$STREAMS" --watch "gw=$pid" --settle-ms 1000 --window-ms 5000 --timeout-s 100 >"$WORK/$name.streams" &
    streams_pid=$!
    # shellcheck disable=SC2086
    for _ in $(seq 100); do [[ $(ss -Htn state established "( dport = :$port )" | wc -l) -ge $STREAMS ]] && break; sleep 0.1; done
    out=$(timeout $((WRK_SECONDS + 20)) wrk $WRK_ARGS -d"${WRK_SECONDS}s" --latency -s "$WORK/post.lua" "http://127.0.0.1:$port")
    R[$name.rps]=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    R[$name.p50]=$(awk '$1 == "50%" {print $2}' <<<"$out")
    R[$name.p99]=$(awk '$1 == "99%" {print $2}' <<<"$out")
    R[$name.non2xx]=$(( $(awk '/Non-2xx/ {print $NF}' <<<"$out" | head -1 || true) + 0 ))
    out=$(timeout $((RATE_SECONDS + 30)) "$LOADGEN" rate --name "$name" --url "http://127.0.0.1:$port/v1/chat/completions" \
        --header 'x-sim-ttft-ms: 0' --header 'x-sim-tokens-per-second: 0' --header 'x-session-id: bench-rate' \
        --rate "$RATE" --duration "$RATE_SECONDS" --warmup 1 | grep '^RESULT')
    R[$name.rate_p50]=$(sed -n 's/.* p50_ms=\([^ ]*\).*/\1/p' <<<"$out")
    R[$name.rate_p99]=$(sed -n 's/.* p99_ms=\([^ ]*\).*/\1/p' <<<"$out")
    wait "$streams_pid"
    R[$name.streams_open]=$(sed -n 's/.* max_open=\([^ ]*\).*/\1/p' "$WORK/$name.streams")
    R[$name.cpu]=$(sed -n 's/.* gw_cpu_pct=\([^ ]*\).*/\1/p' "$WORK/$name.streams")
    R[$name.rss]=$(sed -n 's/.* gw_rss_kb=\([^ ]*\).*/\1/p' "$WORK/$name.streams")
    kill "$pid"; wait "$pid" 2>/dev/null
    local stall="-" over50="-"
    if [[ -f "$WORK/$name.stalls.json" ]]; then
        stall=$(sed -n 's/.*"longest_stall_ms":\([0-9.]*\).*/\1/p' "$WORK/$name.stalls.json")
        over50=$(sed -n 's/.*"stalls_over_50ms":\([0-9]*\).*/\1/p' "$WORK/$name.stalls.json")
    fi
    R[$name.stall]=$stall
    R[$name.over50]=$over50
    echo "RESULT console-bench case=$name streams_open=${R[$name.streams_open]} wrk_rps=${R[$name.rps]} wrk_p50=${R[$name.p50]} wrk_p99=${R[$name.p99]} wrk_non2xx=${R[$name.non2xx]} rate_p50_ms=${R[$name.rate_p50]} rate_p99_ms=${R[$name.rate_p99]} gw_cpu_pct=${R[$name.cpu]} gw_rss_kb=${R[$name.rss]} longest_stall_ms=$stall stalls_over_50ms=$over50"
}

CASES=(headless)
run_case headless ""
for page in $PAGES; do
    run_case "console-$page" "$page"
    CASES+=("console-$page")
done

printf '\n%-28s' "" ; for c in "${CASES[@]}"; do printf '%18s' "$c"; done; printf '\n'
row() { printf '%-28s' "$1"; shift; for c in "${CASES[@]}"; do printf '%18s' "${R[$c.$1]:--}"; done; printf '\n'; }
row "streams held" streams_open
row "wrk req/s" rps
row "wrk p50" p50
row "wrk p99" p99
row "wrk non-2xx" non2xx
row "${RATE} req/s p50 (ms)" rate_p50
row "${RATE} req/s p99 (ms)" rate_p99
row "process CPU % (streams)" cpu
row "process RSS kB" rss
row "GUI longest stall (ms)" stall
row "GUI stalls > 50 ms" over50
