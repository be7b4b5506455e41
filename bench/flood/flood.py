#!/usr/bin/env python3
"""Idle-connection flood against a TokenFuse gateway, on loopback, bounded in time.

Opens --idle connections that never send a byte and keeps them open (reopening those the server
closes, at most --reopen-rate per second, as a flooder would), probes /healthz on a fresh
connection every --probe-ms, and samples the gateway's open file descriptors (/proc/PID/fd) once
a second. Prints one line: RESULT flood key=value ...

Run the flood (--probe-ms 0) and the probe (--idle 0) as two processes, so the probe's latency
is the gateway's and not this event loop's, busy with thousands of sockets.
"""
import argparse
import asyncio
import os
import resource
import statistics
import time


def fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


class Flood:
    def __init__(self, args):
        self.a = args
        self.open = 0
        self.opened = 0
        self.closed_by_server = 0
        self.connect_errors = 0
        self.reopen_tokens = 0.0
        self.probe_ms = []
        self.probe_fail = 0
        self.fds = []

    async def idle_one(self, deadline):
        while time.monotonic() < deadline:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.a.port)
            except OSError:
                self.connect_errors += 1
                await asyncio.sleep(0.5)
                continue
            self.open += 1
            self.opened += 1
            try:
                # Silent: wait for the server to give up on us, or for the end of the run.
                await asyncio.wait_for(reader.read(1), timeout=max(0.0, deadline - time.monotonic()))
                self.closed_by_server += 1
            except (asyncio.TimeoutError, OSError):
                pass
            finally:
                self.open -= 1
                writer.transport.abort()
            while self.reopen_tokens < 1 and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            self.reopen_tokens -= 1

    async def refill(self, deadline):
        while time.monotonic() < deadline:
            self.reopen_tokens = min(self.a.reopen_rate, self.reopen_tokens + self.a.reopen_rate / 10)
            await asyncio.sleep(0.1)

    async def probe(self, deadline):
        while time.monotonic() < deadline:
            t0 = time.monotonic()
            try:
                async def one():
                    reader, writer = await asyncio.open_connection("127.0.0.1", self.a.port)
                    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    data = await reader.read()
                    writer.close()
                    return data
                data = await asyncio.wait_for(one(), timeout=self.a.probe_timeout)
                if data.startswith(b"HTTP/1.1 200"):
                    self.probe_ms.append((time.monotonic() - t0) * 1000)
                else:
                    self.probe_fail += 1
            except (asyncio.TimeoutError, OSError):
                self.probe_fail += 1
            await asyncio.sleep(max(0.0, self.a.probe_ms / 1000 - (time.monotonic() - t0)))

    async def sample(self, deadline):
        while time.monotonic() < deadline:
            if self.a.pid:
                self.fds.append(fd_count(self.a.pid))
            await asyncio.sleep(1)

    async def run(self):
        start = time.monotonic()
        deadline = start + self.a.duration
        tasks = [asyncio.create_task(self.refill(deadline)), asyncio.create_task(self.sample(deadline))]
        # Open the flood in bursts of 500, as fast as the loop allows.
        for i in range(self.a.idle):
            tasks.append(asyncio.create_task(self.idle_one(deadline)))
            if i % 500 == 499:
                await asyncio.sleep(0.01)
        if self.a.probe_ms > 0:
            await asyncio.sleep(self.a.probe_delay)
            tasks.append(asyncio.create_task(self.probe(deadline)))
        await asyncio.gather(*tasks)
        fds = [f for f in self.fds if f >= 0]
        print("RESULT flood idle=%d duration_s=%d opened=%d closed_by_server=%d connect_errors=%d "
              "gateway_fds_max=%s gateway_fds_median=%s healthz_ok=%d healthz_failed=%d "
              "healthz_p50_ms=%.1f healthz_p99_ms=%.1f healthz_max_ms=%.1f" % (
                  self.a.idle, self.a.duration, self.opened, self.closed_by_server, self.connect_errors,
                  max(fds) if fds else "-", int(statistics.median(fds)) if fds else "-",
                  len(self.probe_ms), self.probe_fail, pct(self.probe_ms, 50), pct(self.probe_ms, 99),
                  max(self.probe_ms) if self.probe_ms else float("nan")), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, default=0, help="gateway process, for its fd count")
    p.add_argument("--idle", type=int, default=10000)
    p.add_argument("--duration", type=int, default=30)
    p.add_argument("--reopen-rate", type=float, default=500, help="reopened connections per second, at most")
    p.add_argument("--probe-ms", type=int, default=200)
    p.add_argument("--probe-delay", type=float, default=0, help="seconds before the first probe")
    p.add_argument("--probe-timeout", type=float, default=5)
    args = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < args.idle + 100:
        raise SystemExit(f"flood: the open-file limit ({hard}) is below {args.idle} connections")
    asyncio.run(Flood(args).run())


if __name__ == "__main__":
    main()
