wrk.method = "POST"
wrk.body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Is the deploy finished yet?"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Session-ID"] = "wrk-loop"
wrk.headers["x-sim-completion-tokens"] = "8"
wrk.headers["x-sim-tokens-per-second"] = "0"
