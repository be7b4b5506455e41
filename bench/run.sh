#!/usr/bin/env bash
# TokenFuse benchmark: the gateway against its upstream reached directly (and against nginx as a
# plain reverse proxy, when installed), on this machine, in one run of about three minutes and ten
# seconds. Everything runs on 127.0.0.1, on free ports, with throw-away data directories.
#
#   bash bench/run.sh            # uses build/ (BUILD_DIR=... to use another build directory)
#
# What it measures (docs/benchmarks.md explains the method and the figures):
#   1. added latency at a fixed request rate (open loop), non-streamed
#   2. maximum request rate (closed loop, wrk), non-streamed
#   3. concurrent slow streams held at once: memory and CPU of the gateway and of the simulator
#   4. per-chunk relay delay of streamed chunks
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
TOKENFUSE="$BUILD_DIR/app/tokenfuse"
LOADGEN="$BUILD_DIR/bench/loadgen/loadgen"

# Knobs (environment), with the defaults the documented figures use.
RATE="${RATE:-200}"                    # 1: requests per second
RATE_SECONDS="${RATE_SECONDS:-10}"     # 1: measured seconds (after 1 s of warm-up)
WRK_SECONDS="${WRK_SECONDS:-10}"       # 2
WRK_ARGS="${WRK_ARGS:--t2 -c64}"       # 2
STREAMS_SMALL="${STREAMS_SMALL:-1000}" # 3
STREAMS_LARGE="${STREAMS_LARGE:-2000}" # 3
RELAY_STREAMS="${RELAY_STREAMS:-10}"   # 4: streams at once
RELAY_CHUNKS="${RELAY_CHUNKS:-100}"    # 4: chunks per stream
RELAY_INTERVAL_MS="${RELAY_INTERVAL_MS:-20}" # 4: 50 chunks per second
TIME_LIMIT="${TIME_LIMIT:-290}"        # the whole run is stopped after this many seconds

say() { printf '%s\n' "$*" >&2; }
progress() { say "bench: [${SECONDS}s] $*"; }
die() { say "bench: $*"; exit 1; }

# --- binaries -----------------------------------------------------------------------------------
[[ -x "$TOKENFUSE" ]] || die "$TOKENFUSE not found; build first: cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2"
if [[ ! -x "$LOADGEN" ]]; then
    say "bench: building the load generator (target bench_loadgen)"
    cmake --build "$BUILD_DIR" --target bench_loadgen >&2 || die "could not build bench_loadgen"
fi
command -v wrk >/dev/null || die "wrk not found (Debian: apt-get install wrk)"
HAVE_NGINX=0
command -v nginx >/dev/null && HAVE_NGINX=1

# --- processes, ports, clean-up -----------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tokenfuse-bench.XXXXXX")"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    [[ -n "${WATCHDOG:-}" ]] && kill "$WATCHDOG" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'say "bench: interrupted"; exit 130' INT TERM
# The watchdog's sleep is killed with it, so it holds no pipe open after the run.
(
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$TIME_LIMIT" >/dev/null 2>&1 &
    sleeper=$!
    wait "$sleeper"
    say "bench: time limit of ${TIME_LIMIT}s reached, stopping"
    kill -TERM $$
) &
WATCHDOG=$!

ulimit -n "$(ulimit -Hn)" 2>/dev/null # 2,000 streams need 2,000 client sockets here

# Ports are taken below the kernel's ephemeral range: thousands of client connections are made
# during the run, and one of them could otherwise take a port chosen minutes before it is bound.
USED_PORTS=" "
read -r EPHEMERAL_LOW _ </proc/sys/net/ipv4/ip_local_port_range
PORT_LOW=10000
(( EPHEMERAL_LOW - PORT_LOW < 2000 )) && PORT_LOW=1024
free_port() {
    local p
    for _ in $(seq 200); do
        p=$((PORT_LOW + RANDOM % (EPHEMERAL_LOW - PORT_LOW)))
        [[ "$USED_PORTS" == *" $p "* ]] && continue
        if ! ss -Htan 2>/dev/null | awk '{print $4}' | grep -q ":$p\$"; then
            USED_PORTS+="$p "
            echo "$p"
            return
        fi
    done
    die "no free port found"
}

# Waits until a log file says "listening on" (TokenFuse) or the port accepts (others).
wait_ready() {
    local log="$1" port="$2"
    for _ in $(seq 100); do
        if [[ -n "$log" ]] && grep -q "listening on" "$log" 2>/dev/null; then return 0; fi
        if [[ -z "$log" ]] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    die "process on port $port did not start; log: $(tail -3 "$log" 2>/dev/null)"
}

# start_simulator NAME PORT -> sets LAST_PID. The simulator runs with Qt's plain poll() dispatcher
# (QT_NO_GLIB=1): it is the upstream here, not the subject, and that is its cheaper setting.
start_simulator() {
    QT_NO_GLIB=1 "$TOKENFUSE" simulate --listen "127.0.0.1:$2" >"$WORK/$1.log" 2>&1 &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
    wait_ready "$WORK/$1.log" "$2"
}

# start_gateway NAME PORT UPSTREAM_PORT GLIB(1|0) -> sets LAST_PID
start_gateway() {
    local name="$1" port="$2" upstream="$3" glib="$4"
    mkdir -p "$WORK/$name/config"
    # The load generators send one request again and again, which the loop detector rightly takes
    # for a runaway agent (403 after ten): it is off here, as the proxy path is what is measured.
    printf '{"loop_detection": {"enabled": false}}\n' >"$WORK/$name/config/bench.json"
    (
        [[ "$glib" == 0 ]] && export QT_NO_GLIB=1
        # A config of our own, no provider key of ours: only the simulator is reached.
        exec env -u OPENAI_API_KEY XDG_CONFIG_HOME="$WORK/$name/config" "$TOKENFUSE" --headless \
            --listen "127.0.0.1:$port" --data-dir "$WORK/$name/data" --config "$WORK/$name/config/bench.json" \
            --upstream "http://127.0.0.1:$upstream/v1"
    ) >"$WORK/$name.log" 2>&1 &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
    wait_ready "$WORK/$name.log" "$port"
}

stop_pid() {
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

mem_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null; }
cpu_ticks() { awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$1/stat" 2>/dev/null; }

# kv "RESULT line" key -> value
kv() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1" | head -1; }
mb() { [[ -n "$1" && "$1" != "-1" ]] && awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}' || echo "-"; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN {d = a - b; printf "%s%.3f", (d >= 0 ? "+" : ""), d}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}'; }

# --- the cast -----------------------------------------------------------------------------------
SIM_PORT=$(free_port); GW_PORT=$(free_port); GWN_PORT=$(free_port)
STAMP_PORT=$(free_port); GWS_PORT=$(free_port); GWSN_PORT=$(free_port)
NGX_PORT=$(free_port); NGXS_PORT=$(free_port)

start_simulator sim "$SIM_PORT"
start_gateway gw "$GW_PORT" "$SIM_PORT" 1
start_gateway gw-noglib "$GWN_PORT" "$SIM_PORT" 0
# Gateways in front of loadgen's timestamping upstream (part 4); it listens only during part 4.
start_gateway gw-stamp "$GWS_PORT" "$STAMP_PORT" 1
start_gateway gw-stamp-noglib "$GWSN_PORT" "$STAMP_PORT" 0

if [[ $HAVE_NGINX == 1 ]]; then
    mkdir -p "$WORK/nginx"
    cat >"$WORK/nginx/nginx.conf" <<EOF
# A plain reverse proxy for reference: one process (like TokenFuse's one gateway thread),
# kept-alive upstream connections, no buffering of streamed answers, no access log.
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 20000;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    keepalive_requests 1000000;
    upstream sim { server 127.0.0.1:$SIM_PORT; keepalive 256; }
    upstream stamp { server 127.0.0.1:$STAMP_PORT; keepalive 64; }
    server {
        listen 127.0.0.1:$NGX_PORT;
        location / { proxy_pass http://sim; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
    }
    server {
        listen 127.0.0.1:$NGXS_PORT;
        location / { proxy_pass http://stamp; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
    }
}
EOF
    nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" >"$WORK/nginx.log" 2>&1 &
    PIDS+=("$!")
    wait_ready "" "$NGX_PORT"
fi

CHAT=/v1/chat/completions
NOW_HEADERS=(--header 'x-sim-ttft-ms: 0' --header 'x-sim-tokens-per-second: 0')
RATE_TARGETS=("direct:$SIM_PORT" "gateway:$GW_PORT" "gateway-noglib:$GWN_PORT")
[[ $HAVE_NGINX == 1 ]] && RATE_TARGETS+=("nginx:$NGX_PORT")

CPU_MODEL="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
say "bench: $(nproc) cores ($CPU_MODEL), $(uname -r); simulator :$SIM_PORT, gateway :$GW_PORT (GLib) :$GWN_PORT (QT_NO_GLIB=1)$([[ $HAVE_NGINX == 1 ]] && echo ", nginx :$NGX_PORT")"

declare -A R # results: R[part.target.key]

# --- 1. added latency at a fixed rate ------------------------------------------------------------
progress "1/4 fixed rate, ${RATE} req/s for ${RATE_SECONDS}s per target"
for t in "${RATE_TARGETS[@]}"; do
    name=${t%%:*}; port=${t##*:}
    line=$(timeout $((RATE_SECONDS + 30)) "$LOADGEN" rate --name "$name" --url "http://127.0.0.1:$port$CHAT" "${NOW_HEADERS[@]}" \
        --rate "$RATE" --warmup 1 --duration "$RATE_SECONDS" --connections 16 | grep '^RESULT')
    R[1.$name]="$line"
done
# 1b. The same request on a new connection each time: what a client without keep-alive pays.
progress "1b/4 a new connection per request, 50 req/s for 3 s per target"
for t in "${RATE_TARGETS[@]}"; do
    name=${t%%:*}; port=${t##*:}
    line=$(timeout 30 "$LOADGEN" rate --name "$name" --url "http://127.0.0.1:$port$CHAT" "${NOW_HEADERS[@]}" \
        --rate 50 --warmup 1 --duration 3 --fresh-connections 1 | grep '^RESULT')
    R[1b.$name]="$line"
done

# --- 2. maximum rate, closed loop ----------------------------------------------------------------
progress "2/4 maximum rate, wrk $WRK_ARGS -d${WRK_SECONDS}s per target"
cat >"$WORK/post.lua" <<'EOF'
wrk.method = "POST"
wrk.body = '{"model":"bench-model","messages":[{"role":"user","content":"Hello, world!"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-sim-ttft-ms"] = "0"
wrk.headers["x-sim-tokens-per-second"] = "0"
EOF
for t in "${RATE_TARGETS[@]}"; do
    name=${t%%:*}; port=${t##*:}
    # shellcheck disable=SC2086
    out=$(timeout $((WRK_SECONDS + 20)) wrk $WRK_ARGS -d"${WRK_SECONDS}s" --latency -s "$WORK/post.lua" "http://127.0.0.1:$port$CHAT")
    R[2.$name.rps]=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    R[2.$name.p50]=$(awk '$1 == "50%" {print $2}' <<<"$out")
    R[2.$name.p99]=$(awk '$1 == "99%" {print $2}' <<<"$out")
    R[2.$name.max]=$(awk '$1 == "Latency" {print $4}' <<<"$out")
    R[2.$name.bad]=$(( $(awk '/Non-2xx/ {print $NF}' <<<"$out" | head -1 || true) + 0 ))
    R[2.$name.err]=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' <<<"$out")
done
# The gateway once more with X-Session-ID: then it skips looking up each new connection's process.
sed 's/^wrk.headers\["x-sim-ttft-ms"\].*/&\nwrk.headers["x-session-id"] = "bench"/' "$WORK/post.lua" >"$WORK/post-session.lua"
# shellcheck disable=SC2086
out=$(timeout $((WRK_SECONDS + 20)) wrk $WRK_ARGS -d"${WRK_SECONDS}s" --latency -s "$WORK/post-session.lua" "http://127.0.0.1:$GW_PORT$CHAT")
R[2.sid.rps]=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
R[2.sid.p50]=$(awk '$1 == "50%" {print $2}' <<<"$out")
R[2.sid.p99]=$(awk '$1 == "99%" {print $2}' <<<"$out")
R[2.sid.max]=$(awk '$1 == "Latency" {print $4}' <<<"$out")

# --- 3. concurrent streams held ------------------------------------------------------------------
# Each case gets a fresh simulator and a fresh gateway, so "idle" means idle. The streams send
# X-Session-ID: without it the gateway looks up the calling process of every new connection in
# /proc, which is measured separately below (the "new connection while held" probe).
progress "3/4 concurrent streams (2 tokens/s, 40 tokens: about 20 s each)"
STREAM_HEADERS=(--header 'x-session-id: bench-streams' --header 'x-sim-ttft-ms: 0' --header 'x-sim-tokens-per-second: 2'
    --header 'x-sim-completion-tokens: 40')
STREAM_CASES=("gw-$STREAMS_SMALL:1:$STREAMS_SMALL" "gw-$STREAMS_LARGE:1:$STREAMS_LARGE" "gwnoglib-$STREAMS_LARGE:0:$STREAMS_LARGE")
for c in "${STREAM_CASES[@]}"; do
    IFS=: read -r name glib n <<<"$c"
    sport=$(free_port); gport=$(free_port)
    start_simulator "s3-$name-sim" "$sport"; spid=$LAST_PID
    start_gateway "s3-$name" "$gport" "$sport" "$glib"; gpid=$LAST_PID
    sleep 1
    R[3.$name.idle_rss]=$(mem_kb "$gpid" VmRSS); R[3.$name.sim_idle_rss]=$(mem_kb "$spid" VmRSS)
    out="$WORK/s3-$name.out"
    timeout 90 "$LOADGEN" streams --name gateway --url "http://127.0.0.1:$gport$CHAT" "${STREAM_HEADERS[@]}" \
        --streams "$n" --watch "gw=$gpid" --watch "sim=$spid" --settle-ms 1000 --window-ms 5000 --timeout-s 75 >"$out" &
    lg=$!
    PIDS+=("$lg")
    if [[ "$name" == "gw-$STREAMS_LARGE" ]]; then
        # While all streams are held: how long does the first request on a new connection take,
        # to the gateway (no X-Session-ID, as an SDK sends it) and to the simulator directly?
        for _ in $(seq 300); do grep -q '^HOLD sampled' "$out" && break; sleep 0.1; done
        for p in "direct:$sport" "gateway:$gport"; do
            R[3.probe.${p%%:*}]=$(timeout 20 "$LOADGEN" rate --name "${p%%:*}" --url "http://127.0.0.1:${p##*:}$CHAT" "${NOW_HEADERS[@]}" \
                --rate 5 --warmup 0 --duration 2 --fresh-connections 1 | grep '^RESULT')
        done
    fi
    wait "$lg"
    R[3.$name]=$(grep '^RESULT' "$out")
    sleep 2
    R[3.$name.after_rss]=$(mem_kb "$gpid" VmRSS); R[3.$name.after_hwm]=$(mem_kb "$gpid" VmHWM)
    R[3.$name.sim_hwm]=$(mem_kb "$spid" VmHWM)
    stop_pid "$gpid"; stop_pid "$spid"
done

# --- 4. chunk relay delay ------------------------------------------------------------------------
progress "4/4 chunk relay delay, $RELAY_STREAMS streams x $RELAY_CHUNKS chunks every ${RELAY_INTERVAL_MS} ms per target"
RELAY_TARGETS=(--target "direct=http://127.0.0.1:$STAMP_PORT$CHAT" --target "gateway=http://127.0.0.1:$GWS_PORT$CHAT"
    --target "gateway-noglib=http://127.0.0.1:$GWSN_PORT$CHAT")
[[ $HAVE_NGINX == 1 ]] && RELAY_TARGETS+=(--target "nginx=http://127.0.0.1:$NGXS_PORT$CHAT")
relay=$(timeout 60 "$LOADGEN" relay --serve-port "$STAMP_PORT" "${RELAY_TARGETS[@]}" --streams "$RELAY_STREAMS" \
    --chunks "$RELAY_CHUNKS" --interval-ms "$RELAY_INTERVAL_MS" | grep '^RESULT')
while read -r line; do
    [[ -n "$line" ]] && R[4.$(kv "$line" target)]="$line"
done <<<"$relay"

# --- the table ---------------------------------------------------------------------------------
COLS=(direct gateway gateway-noglib)
[[ $HAVE_NGINX == 1 ]] && COLS+=(nginx)
row() { # label, then one value per column
    local label="$1"; shift
    printf '  %-34s' "$label"
    printf ' %15s' "$@"
    printf '\n'
}
header() { row "" "${COLS[@]}"; }
percol() { # part key [transform]
    local part="$1" key="$2" c v out=()
    for c in "${COLS[@]}"; do
        v=$(kv "${R[$part.$c]:-}" "$key"); out+=("${v:--}")
    done
    row "$3" "${out[@]}"
}
added() { # part key label: difference to direct
    local part="$1" key="$2" c d v out=()
    d=$(kv "${R[$part.direct]:-}" "$key")
    for c in "${COLS[@]}"; do
        if [[ "$c" == direct ]]; then out+=("-"); continue; fi
        v=$(kv "${R[$part.$c]:-}" "$key")
        [[ -n "$v" && -n "$d" ]] && out+=("$(sub "$v" "$d")") || out+=("-")
    done
    row "$3" "${out[@]}"
}

echo
echo "TokenFuse benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($CPU_MODEL), $(uname -r)"
echo "direct = the simulator itself; gateway = TokenFuse --headless (Qt's GLib event loop);"
echo "gateway-noglib = the same with QT_NO_GLIB=1; nginx = nginx $([[ $HAVE_NGINX == 1 ]] && nginx -v 2>&1 | sed 's/.*\///') as a plain reverse proxy"
echo
echo "1. Latency at a fixed rate: $RATE req/s for ${RATE_SECONDS}s, open loop, non-streamed, upstream answers at once (ms)"
header
percol 1 p50_ms "p50"
percol 1 p90_ms "p90"
percol 1 p99_ms "p99"
percol 1 p999_ms "p99.9"
percol 1 max_ms "max"
added 1 p50_ms "added p50"
added 1 p99_ms "added p99"
percol 1 measured "requests measured"
percol 1 errors "errors"
percol 1 lag_p99_ms "loadgen send lag p99"
echo "  1b. a new connection for every request (50 req/s, 3 s):"
percol 1b p50_ms "p50"
percol 1b max_ms "max"
added 1b p50_ms "added p50"
echo
echo "2. Maximum rate, closed loop: wrk $WRK_ARGS -d${WRK_SECONDS}s, non-streamed"
header
vals=(); for c in "${COLS[@]}"; do vals+=("${R[2.$c.rps]:--}"); done; row "requests/s" "${vals[@]}"
vals=(); for c in "${COLS[@]}"; do vals+=("$(ratio "${R[2.$c.rps]:-0}" "${R[2.direct.rps]:-0}")"); done; row "ratio to direct" "${vals[@]}"
vals=(); for c in "${COLS[@]}"; do vals+=("${R[2.$c.p50]:--}"); done; row "wrk latency p50" "${vals[@]}"
vals=(); for c in "${COLS[@]}"; do vals+=("${R[2.$c.p99]:--}"); done; row "wrk latency p99" "${vals[@]}"
vals=(); for c in "${COLS[@]}"; do vals+=("${R[2.$c.max]:--}"); done; row "wrk latency max" "${vals[@]}"
vals=(); for c in "${COLS[@]}"; do vals+=("${R[2.$c.bad]:-0}/${R[2.$c.err]:-0}"); done; row "non-2xx / socket errors" "${vals[@]}"
echo "  2b. gateway (GLib) again, the client sending X-Session-ID (no per-connection process lookup):"
row "requests/s, ratio to direct" "${R[2.sid.rps]:--}" "$(ratio "${R[2.sid.rps]:-0}" "${R[2.direct.rps]:-0}")"
row "wrk latency p50 / p99 / max" "${R[2.sid.p50]:--}" "${R[2.sid.p99]:--}" "${R[2.sid.max]:--}"
echo
echo "3. Concurrent streams through the gateway (2 tokens/s, 40 tokens, ~20 s each; fresh processes per column)"
SCOLS=(); for c in "${STREAM_CASES[@]}"; do SCOLS+=("${c%%:*}"); done
s3() { kv "${R[3.$1]:-}" "$2"; }
per_stream() { # held-RSS key, idle-RSS key
    awk -v h="$(s3 "$1" "$2")" -v i="${R[3.$1.$3]:-}" -v n="$(s3 "$1" streams)" \
        'BEGIN {if (n > 0 && h > 0 && i > 0) printf "%.1f", (h - i) / n; else print "-"}'
}
srow() { # label, command run with each column's name as its first argument
    local label="$1" c out=(); shift
    for c in "${SCOLS[@]}"; do out+=("$("$1" "$c" "${@:2}")"); done
    row "$label" "${out[@]}"
}
mb_of() { mb "${R[3.$1.$2]:-}"; }
mb_s3() { mb "$(s3 "$1" "$2")"; }
row "" "${SCOLS[@]}"
srow "streams" s3 streams
srow "max open at once" s3 max_open
srow "all open at once (1 = yes)" s3 all_open
srow "ms until all were open" s3 all_open_after_ms
srow "still open after the CPU window" s3 open_at_sample2
srow "completed with [DONE]" s3 completed_with_done
tokens() { echo "$(s3 "$1" content_events_min)-$(s3 "$1" content_events_max)"; }
srow "content events per stream (min-max)" tokens
srow "gateway RSS idle (MB)" mb_of idle_rss
srow "gateway RSS holding (MB)" mb_s3 gw_rss_kb
srow "gateway RSS after (MB)" mb_of after_rss
srow "gateway VmHWM after (MB)" mb_of after_hwm
srow "gateway KB per stream" per_stream gw_rss_kb idle_rss
srow "gateway CPU while held (% core)" s3 gw_cpu_pct
srow "simulator RSS idle (MB)" mb_of sim_idle_rss
srow "simulator RSS holding (MB)" mb_s3 sim_rss_kb
srow "simulator KB per stream" per_stream sim_rss_kb sim_idle_rss
srow "simulator CPU while held (% core)" s3 sim_cpu_pct
echo "  3b. while $STREAMS_LARGE streams are held: first request on a new connection, no X-Session-ID (ms)"
row "" direct gateway
row "p50" "$(kv "${R[3.probe.direct]:-}" p50_ms)" "$(kv "${R[3.probe.gateway]:-}" p50_ms)"
row "max" "$(kv "${R[3.probe.direct]:-}" max_ms)" "$(kv "${R[3.probe.gateway]:-}" max_ms)"
echo
echo "4. Chunk relay delay: $RELAY_STREAMS streams at once, $RELAY_CHUNKS chunks each, one every ${RELAY_INTERVAL_MS} ms;"
echo "   upstream write -> client read, per chunk, one clock (ms)"
header
percol 4 samples "chunks measured"
percol 4 p50_ms "p50"
percol 4 p90_ms "p90"
percol 4 p99_ms "p99"
percol 4 max_ms "max"
added 4 p50_ms "added p50"
added 4 p99_ms "added p99"
percol 4 completed_with_done "streams with [DONE]"

echo
echo "(run took ${SECONDS}s)"
# Raw lines, for the record and for scripts.
if [[ -n "${BENCH_RAW:-}" ]]; then
    echo
    for k in "${!R[@]}"; do [[ "${R[$k]}" == RESULT* ]] && echo "$k ${R[$k]}"; done | sort
fi
