-- wrk script for bench/store_wal.sh: chat completions, each thread stopping after its share of
-- responses, so the run is a fixed number of requests at full speed (closed loop). A stopped
-- thread writes the time into WAL_BENCH_STAMP.<n>; the script then ends wrk.
local share = tonumber(os.getenv("WAL_BENCH_PER_THREAD") or "50000")
local stamp = os.getenv("WAL_BENCH_STAMP") or "/tmp/wal_bench_stamp"
local threads = 0
local answered = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"bench-model","max_tokens":16,"messages":[{"role":"user","content":"Hello, world!"}]}'

function setup(thread)
    threads = threads + 1
    thread:set("number", threads)
end

function response(status, headers, body)
    answered = answered + 1
    if answered == share then
        local now = io.popen("date +%s.%N"):read("*l") -- os.time() has whole seconds only
        local f = io.open(stamp .. "." .. number, "w")
        f:write(now .. "\n")
        f:close()
        wrk.thread:stop()
    end
end
