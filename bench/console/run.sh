#!/usr/bin/env bash
# TokenFuse console responsiveness benchmark: the gateway under load with and without the console
# open. For each of two runs, one `tokenfuse simulate` upstream and a fresh gateway:
#   headless  tokenfuse --headless
#   console   tokenfuse-console, offscreen (QT_QPA_PLATFORM=offscreen: real painting into memory),
#             with TOKENFUSE_STALL_PROBE recording the GUI thread's longest event-loop stall,
#             showing the page TOKENFUSE_CONSOLE_PAGE names (default: overview)
# and the same load on each: STREAMS slow streams held open (2 tokens/s) while wrk runs at its
# maximum rate (non-streamed, 4 models, 50 sessions), then an open-loop RATE req/s run for
# latency. ROUNDS rounds alternate the cases (headless, then each page), so each console run has a
# headless run just before it to be compared with: the machine's speed drifts more between minutes
# than the console costs. Prints one RESULT line per run, then medians over the rounds (with the
# range) and, per page, the ratio console/headless pair by pair. About 45 s per case and round.
#
#   bash bench/console/run.sh         # uses build/ (BUILD_DIR=... for another build directory)
#
# Knobs: STREAMS (1000), WRK_SECONDS (15), WRK_ARGS (-t2 -c64), RATE (200), RATE_SECONDS (10),
# PAGES ("overview"; e.g. "overview sessions requests" for one console run per page), ROUNDS (5).
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
ROUNDS="${ROUNDS:-5}"

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

# CPU time (clock ticks) of one thread of a process: utime + stime, fields 14 and 15 of its stat.
thread_ticks() { awk '{print $14 + $15}' "/proc/$1/task/$2/stat" 2>/dev/null || echo 0; }
# The gateway's thread: the busiest thread named tokenfuse-gateway (the name is cut to 15 characters).
gateway_tid() {
    local t best="" most=-1 ticks
    for t in /proc/"$1"/task/*; do
        [[ $(cat "$t/comm" 2>/dev/null) == tokenfuse-gatew* ]] || continue
        ticks=$(thread_ticks "$1" "${t##*/}")
        ((ticks > most)) && { most=$ticks; best=${t##*/}; }
    done
    echo "$best"
}
HZ=$(getconf CLK_TCK)
# Until a process is quiet: under 5 % of a core over a quarter of a second (20 s at most). The
# console's start (every page built, fonts, the first paint) would otherwise fall into the first
# seconds of wrk's run; a 2-second run came out 17 % slower for it.
wait_quiet() {
    local before after
    for _ in $(seq 80); do
        before=$(awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null) || return
        sleep 0.25
        after=$(awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null) || return
        (( (after - before) * 100 < HZ * 5 / 4 )) && return
    done
}

declare -A R
run_case() { # NAME PAGE(or "") ROUND
    local round="$3" page="$2" port pid out streams_pid gw_tid main0 main1 gw0 gw1 t0 t1
    local name="$1"
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
    wait_quiet "$pid"
    say "console-bench: $name: $STREAMS streams held, wrk $WRK_ARGS -d${WRK_SECONDS}s, then $RATE req/s for ${RATE_SECONDS}s"
    timeout 120 "$LOADGEN" streams --name "$name" --url "http://127.0.0.1:$port/v1/chat/completions" \
        --header 'x-session-id: bench-streams' --header 'x-sim-ttft-ms: 0' --header 'x-sim-tokens-per-second: 2' \
        --streams "$STREAMS" --watch "gw=$pid" --settle-ms 1000 --window-ms 5000 --timeout-s 100 >"$WORK/$name.streams" &
    streams_pid=$!
    # shellcheck disable=SC2086
    for _ in $(seq 100); do [[ $(ss -Htn state established "( dport = :$port )" | wc -l) -ge $STREAMS ]] && break; sleep 0.1; done
    gw_tid=$(gateway_tid "$pid")
    main0=$(thread_ticks "$pid" "$pid"); gw0=$(thread_ticks "$pid" "$gw_tid"); t0=$(date +%s.%N)
    say "console-bench: $name: wrk starts at $(date +%s%3N) ms"
    out=$(timeout $((WRK_SECONDS + 20)) wrk $WRK_ARGS -d"${WRK_SECONDS}s" --latency -s "$WORK/post.lua" "http://127.0.0.1:$port")
    main1=$(thread_ticks "$pid" "$pid"); gw1=$(thread_ticks "$pid" "$gw_tid"); t1=$(date +%s.%N)
    # Share of one core each thread used while wrk ran: the main thread is the GUI's in the console.
    R[$name.main_cpu]=$(awk -v a="$main0" -v b="$main1" -v t0="$t0" -v t1="$t1" -v hz="$HZ" 'BEGIN {printf "%.1f", 100 * (b - a) / hz / (t1 - t0)}')
    R[$name.gw_thread_cpu]=$(awk -v a="$gw0" -v b="$gw1" -v t0="$t0" -v t1="$t1" -v hz="$HZ" 'BEGIN {printf "%.1f", 100 * (b - a) / hz / (t1 - t0)}')
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
        say "console-bench: $name: stalls $(cat "$WORK/$name.stalls.json")"
    fi
    R[$name.stall]=$stall
    R[$name.over50]=$over50
    echo "RESULT console-bench case=$name round=$round streams_open=${R[$name.streams_open]} wrk_rps=${R[$name.rps]} wrk_p50=${R[$name.p50]} wrk_p99=${R[$name.p99]} wrk_non2xx=${R[$name.non2xx]} rate_p50_ms=${R[$name.rate_p50]} rate_p99_ms=${R[$name.rate_p99]} gw_cpu_pct=${R[$name.cpu]} gw_rss_kb=${R[$name.rss]} longest_stall_ms=$stall stalls_over_50ms=$over50 main_thread_cpu_pct=${R[$name.main_cpu]} gateway_thread_cpu_pct=${R[$name.gw_thread_cpu]}"
    local key
    for key in streams_open rps p50 p99 non2xx rate_p50 rate_p99 cpu rss stall over50 main_cpu gw_thread_cpu; do
        R[$name.$key.all]+="${R[$name.$key]} "
    done
}

CASES=(headless)
for page in $PAGES; do CASES+=("console-$page"); done
# Odd rounds run headless first, even rounds last: a machine that speeds up or slows down within a
# round then favours neither side (in a first try with headless always first, every page came out
# 7-19 % faster than headless).
for round in $(seq "$ROUNDS"); do
    ((round % 2 == 1)) && run_case headless "" "$round"
    for page in $PAGES; do run_case "console-$page" "$page" "$round"; done
    ((round % 2 == 0)) && run_case headless "" "$round"
    for page in $PAGES; do
        # This round's ratio to its headless run.
        R[console-$page.ratio.all]+="$(awk -v a="${R[console-$page.rps]}" -v b="${R[headless.rps]}" 'BEGIN {if (b > 0) printf "%.3f", a / b}') "
    done
done

# Median of a list of numbers with their unit (ms, s, us), then the range: "21.0ms (18.9-24.8)".
summary() {
    [[ -n "$(tr -d ' -' <<<"$1")" ]] || { echo "-"; return; }
    tr ' ' '\n' <<<"$1" | grep -v -e '^$' -e '^-$' | awk '
        { unit = $0; sub(/^[-0-9.]+/, "", unit); v = $0 + 0
          if (unit == "s") v *= 1000; else if (unit == "us") v /= 1000
          if (unit != "") u = "ms"; print v }
        END { print "unit", u }' | sort -g | awk '
        $1 == "unit" { u = $2; next } { x[++n] = $1 }
        END { m = (n % 2) ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
              if (n == 1) printf "%g%s", m, u; else printf "%g%s (%g-%g)", m, u, x[1], x[n] }'
}
printf '\nMedians over %s rounds, with the range:\n%-28s' "$ROUNDS" ""; for c in "${CASES[@]}"; do printf '%26s' "$c"; done; printf '\n'
row() { printf '%-28s' "$1"; shift; for c in "${CASES[@]}"; do printf '%26s' "$(summary "${R[$c.$1.all]:-}")"; done; printf '\n'; }
row "streams held" streams_open
row "wrk req/s" rps
row "wrk req/s / headless" ratio
row "wrk p50" p50
row "wrk p99" p99
row "wrk non-2xx" non2xx
row "${RATE} req/s p50 (ms)" rate_p50
row "${RATE} req/s p99 (ms)" rate_p99
row "process CPU % (streams)" cpu
row "gateway thread CPU % (wrk)" gw_thread_cpu
row "main thread CPU % (wrk)" main_cpu
row "process RSS kB" rss
row "GUI longest stall (ms)" stall
row "GUI stalls > 50 ms" over50
