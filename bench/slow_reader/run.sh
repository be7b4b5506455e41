#!/usr/bin/env bash
# TokenFuse slow-reader benchmark: what the gateway's memory does when clients stop reading a long
# stream, and whether the memory a large answer grew is given back. About half a minute; everything
# on 127.0.0.1, on free ports, with throw-away data directories, stopped on exit.
#
#   bash bench/slow_reader/run.sh     # uses build/ (BUILD_DIR=... to use another build directory)
#
#   A. CLIENTS (4) clients each ask for a stream of TOKENS (400,000: about 77 MB of events) from
#      the simulator through the gateway, then read nothing. Gateway VmRSS before, while they are
#      held (once it stops growing), and after they have gone.
#   B. One non-streamed answer of ANSWER_MB (50) MB from a small upstream of this script's own
#      (python3), read by curl. Gateway VmRSS right after the answer, and again after the trim
#      that follows large exchanges (MemoryRelease, one second later).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
TOKENFUSE="$BUILD_DIR/app/tokenfuse"
CLIENTS="${CLIENTS:-4}"
TOKENS="${TOKENS:-400000}"
ANSWER_MB="${ANSWER_MB:-50}"
TIME_LIMIT="${TIME_LIMIT:-120}"

say() { printf '%s\n' "$*" >&2; }
die() { say "slow_reader: $*"; exit 1; }
[[ -x "$TOKENFUSE" ]] || die "$TOKENFUSE not found; build first: cmake --build build --target tokenfuse"
command -v python3 >/dev/null || die "python3 not found (part B's upstream is a python3 one-liner)"
command -v curl >/dev/null || die "curl not found"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tokenfuse-slow.XXXXXX")"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    [[ -n "${WATCHDOG:-}" ]] && kill "$WATCHDOG" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'say "slow_reader: interrupted"; exit 130' INT TERM
( trap 'kill "$s" 2>/dev/null; exit 0' TERM; sleep "$TIME_LIMIT" & s=$!; wait "$s"; say "slow_reader: time limit"; kill -TERM $$ ) &
WATCHDOG=$!

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; die "nothing listens on $1"; }
rss() { awk '$1 == "VmRSS:" {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
hwm() { awk '$1 == "VmHWM:" {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
# Waits until RSS has changed by less than 1 MB over a second (at most 20 s).
rss_steady() {
    local last now
    last=$(rss "$1")
    for _ in $(seq 20); do
        sleep 1
        now=$(rss "$1")
        awk -v a="$last" -v b="$now" 'BEGIN {exit !(a - b < 1 && b - a < 1)}' && break
        last=$now
    done
    rss "$1"
}
start_gateway() { # NAME UPSTREAM_URL -> GW_PORT, GW_PID
    GW_PORT=$(free_port)
    mkdir -p "$WORK/$1/config"
    env -u OPENAI_API_KEY XDG_CONFIG_HOME="$WORK/$1/config" "$TOKENFUSE" --headless --listen "127.0.0.1:$GW_PORT" \
        --data-dir "$WORK/$1/data" --upstream "$2" >"$WORK/$1.log" 2>&1 &
    GW_PID=$!
    PIDS+=("$GW_PID")
    wait_port "$GW_PORT"
    sleep 1
}

# --- A. clients that stop reading ----------------------------------------------------------------
SIM_PORT=$(free_port)
QT_NO_GLIB=1 "$TOKENFUSE" simulate --listen "127.0.0.1:$SIM_PORT" >"$WORK/sim.log" 2>&1 &
SIM_PID=$!
PIDS+=("$SIM_PID")
wait_port "$SIM_PORT"
start_gateway a "http://127.0.0.1:$SIM_PORT/v1"
A_IDLE=$(rss "$GW_PID")
BODY="{\"model\":\"bench\",\"stream\":true,\"max_tokens\":$TOKENS,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}"
REQ="POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nx-session-id: slow\r\nx-sim-ttft-ms: 0\r\nx-sim-tokens-per-second: 0\r\nx-sim-completion-tokens: $TOKENS\r\nContent-Length: ${#BODY}\r\n\r\n$BODY"
FDS=()
for _ in $(seq "$CLIENTS"); do
    exec {fd}<>"/dev/tcp/127.0.0.1/$GW_PORT"
    printf "$REQ" >&"$fd" # and never read from it
    FDS+=("$fd")
done
A_HELD=$(rss_steady "$GW_PID")
SIM_HELD=$(rss "$SIM_PID")
OPEN=$(curl -s "http://127.0.0.1:$SIM_PORT/healthz" | sed 's/.*"streams_open":\([0-9]*\).*/\1/')
for fd in "${FDS[@]}"; do exec {fd}>&-; done
sleep 3
A_AFTER=$(rss "$GW_PID"); A_HWM=$(hwm "$GW_PID")
kill "$GW_PID" "$SIM_PID" 2>/dev/null

# --- B. one large answer -------------------------------------------------------------------------
UP_PORT=$(free_port)
python3 - "$UP_PORT" "$ANSWER_MB" <<'PY' >"$WORK/upstream.log" 2>&1 &
import http.server, json, sys
port, mb = int(sys.argv[1]), int(sys.argv[2])
text = "word " * (mb * 1024 * 1024 // 5)
body = json.dumps({"id": "big", "object": "chat.completion", "model": "bench",
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                   "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
PIDS+=("$!")
wait_port "$UP_PORT"
start_gateway b "http://127.0.0.1:$UP_PORT/v1"
B_IDLE=$(rss "$GW_PID")
B_BYTES=$(curl -s -o /dev/null -w '%{size_download}' -H 'content-type: application/json' -H 'x-session-id: big' \
    -d '{"model":"bench","messages":[{"role":"user","content":"go"}]}' "http://127.0.0.1:$GW_PORT/v1/chat/completions")
B_RIGHT_AFTER=$(rss "$GW_PID")
sleep 3
B_TRIMMED=$(rss "$GW_PID"); B_HWM=$(hwm "$GW_PID")

echo "TokenFuse slow-reader benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r)"
echo "A. $CLIENTS clients that read nothing of a $TOKENS-token stream each (simulator, as fast as it can)"
echo "   gateway RSS idle ${A_IDLE} MB, held ${A_HELD} MB (streams open at the simulator: ${OPEN}), after they left ${A_AFTER} MB, VmHWM ${A_HWM} MB"
echo "   simulator RSS while held ${SIM_HELD} MB (it buffers what the gateway doesn't take)"
echo "B. one non-streamed answer of $B_BYTES bytes"
echo "   gateway RSS idle ${B_IDLE} MB, right after the answer ${B_RIGHT_AFTER} MB, 3 s later (after the trim) ${B_TRIMMED} MB, VmHWM ${B_HWM} MB"
