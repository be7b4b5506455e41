// TokenFuse runaway-agent benchmark: how fast the loop detector (defaults of
// docs/loop-detection.md) trips the loops of the incident, what they had spent by then, and how
// soon after a kill an SDK's stream loop raises. Agents are the official openai SDK
// (tests/e2e/node_modules) against `tokenfuse --headless --simulate` on 127.0.0.1.
//
//   node bench/runaway/runaway.mjs      (bench/runaway/run.sh checks the prerequisites first)
//
// Knobs (environment): RUNS (5) ping-pong and tool-loop runs, KILLS (50), SLOW_LOOPS (3) slow
// loops at once, PING_PONG_RATE (50) calls/s, TOOL_EVERY_MS (50), SLOW_EVERY_MS (2000), PARTS
// (ping-pong,tool,slow,fast,phase,kill: the parts to run; add restart for part 6, about 50 s more).
import { startGateway } from '../../tests/e2e/harness.mjs';
import { pingPong, toolLoop, slowLoop, tripFigures, killOnce, fastVariedAgent, steadyService, sessionState } from '../../tests/e2e/runaway.mjs';
import { cpus } from 'node:os';

const env = (k, d) => Number(process.env[k] ?? d);
const RUNS = env('RUNS', 5);
const KILLS = env('KILLS', 50);
const SLOW_LOOPS = env('SLOW_LOOPS', 3);
const RATE = env('PING_PONG_RATE', 50);
const TOOL_EVERY_MS = env('TOOL_EVERY_MS', 50);
const SLOW_EVERY_MS = env('SLOW_EVERY_MS', 2000);
const PARTS = new Set((process.env.PARTS ?? 'ping-pong,tool,slow,fast,phase,kill').split(','));

const say = (s) => process.stderr.write(`runaway: ${s}\n`);
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const stats = (xs) => ({ n: xs.length, min: Math.min(...xs), median: quantile(xs, 0.5), p95: quantile(xs, 0.95), max: Math.max(...xs) });
const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const usd = (micros) => (Number.isFinite(micros) ? `$${(micros / 1e6).toFixed(6)}` : '-');
const row = (cells) => console.log(`  ${cells.map((c, i) => String(c).padStart(i ? (i === 5 ? 26 : 18) : 30)).join('')}`);

const gw = await startGateway(['--simulate']);
say(`gateway on :${gw.port}, ${cpus().length} cores (${cpus()[0].model})`);
const results = { loops: [], kills: [] };
try {
  // 1. The incident: ping-pong at RATE calls/s.
  if (PARTS.has('ping-pong')) say(`1/5 ping-pong at ${RATE} calls/s, ${RUNS} runs`);
  for (let i = 1; PARTS.has('ping-pong') && i <= RUNS; i++) {
    const t0 = Date.now();
    const agents = await pingPong(gw, { sessions: [`pp-a-${i}`, `pp-b-${i}`], rate: RATE, maxMs: 20000 });
    for (const a of agents) results.loops.push({ loop: 'ping-pong', ...(await tripFigures(gw, a, t0)) });
  }
  // The same, B half a period after A: strictly alternating calls.
  for (let i = 1; PARTS.has('ping-pong') && i <= RUNS; i++) {
    const t0 = Date.now();
    const agents = await pingPong(gw, { sessions: [`ppalt-a-${i}`, `ppalt-b-${i}`], rate: RATE, maxMs: 20000, offset: 0.5 });
    for (const a of agents) results.loops.push({ loop: 'ping-pong, alternating', ...(await tripFigures(gw, a, t0)) });
  }
  // 2. The tool loop.
  if (PARTS.has('tool')) say(`2/5 tool loop, one call every ${TOOL_EVERY_MS} ms, ${RUNS} runs`);
  for (let i = 1; PARTS.has('tool') && i <= RUNS; i++) {
    const t0 = Date.now();
    const a = await toolLoop(gw, { session: `tool-loop-${i}`, every: TOOL_EVERY_MS, maxMs: 60000 });
    results.loops.push({ loop: 'tool loop', ...(await tripFigures(gw, a, t0)) });
  }
  // 3. Slow loops, all at once (each alone on its session).
  if (PARTS.has('slow')) say(`3/5 ${SLOW_LOOPS} slow loops at once, one identical call every ${SLOW_EVERY_MS} ms`);
  const t0 = Date.now();
  const slow = await Promise.all(Array.from({ length: PARTS.has('slow') ? SLOW_LOOPS : 0 }, (_, i) =>
    slowLoop(gw, { session: `slow-loop-${i + 1}`, every: SLOW_EVERY_MS, maxCalls: 40, maxMs: 90000 })));
  for (const a of slow) results.loops.push({ loop: 'slow loop', ...(await tripFigures(gw, a, t0)) });
  // 4. Where velocity starts: a varied agent with no history, as fast as it can go.
  if (PARTS.has('fast')) {
    say('4/5 a varied agent, closed loop, no history');
    const fast = await fastVariedAgent(gw, { session: 'fast-varied', maxCalls: 400 });
    const fastView = await sessionState(gw, 'fast-varied');
    results.fast = { calls: fast.ok, refused: Boolean(fast.refusal), seconds: ((fast.refusedAt || performance.now()) - fast.start) / 1000, state: fastView.state, reason: fastView.reason ?? '' };
    say('4/5 a varied agent at 1 call/s for 15 s, then flat out');
    const burst = await fastVariedAgent(gw, { session: 'burst-varied', maxCalls: 400, warmupSeconds: 15 });
    const burstView = await sessionState(gw, 'burst-varied');
    results.burst = { calls: burst.ok, refused: Boolean(burst.refusal), seconds: ((burst.refusedAt || performance.now()) - burst.start) / 1000, state: burstView.state, reason: burstView.reason ?? '' };
    say('4/5 steady services at 2, 3, 4 and 5 requests/s from their first request, 14 s');
    const steady = await Promise.all([2, 3, 4, 5].map((rate) => steadyService(gw, { session: `steady-${rate}`, rate })));
    results.steady = await Promise.all(steady.map(async (a, i) => ({ rate: [2, 3, 4, 5][i], ok: a.ok, seconds: ((a.refusedAt || performance.now()) - a.start) / 1000, refused: Boolean(a.refusal), reason: (await sessionState(gw, a.name)).reason ?? '' })));
  }
  // 4b. A steady 5/s service whose first request comes 5.0 s and 9.2 s into one of the velocity
  // baseline's 10 s buckets (they are aligned to the clock): the second reads a sliver of itself
  // as its baseline 10 s later.
  if (PARTS.has('phase')) {
    say('4b/5 steady services at 5 requests/s starting 5.0 s and 9.2 s into a 10 s bucket');
    const at = async (phaseMs) => {
      const wait = (phaseMs - (Date.now() % 10000) + 10000) % 10000;
      await new Promise((r) => setTimeout(r, wait));
      return steadyService(gw, { session: `phase-${phaseMs}`, rate: 5, seconds: 14 });
    };
    const first = at(5000);
    await new Promise((r) => setTimeout(r, 1000));
    const runs = await Promise.all([first, at(9200)]);
    results.phase = runs.map((a, i) => ({ phaseMs: [5000, 9200][i], ok: a.ok, refused: Boolean(a.refusal), seconds: ((a.refusedAt || performance.now()) - a.start) / 1000, reason: a.refusal?.message ?? '' }));
  }
  // 5. Kill to SDK raise.
  if (PARTS.has('kill')) say(`5/5 ${KILLS} kills of a stream in flight`);
  for (let i = 1; PARTS.has('kill') && i <= KILLS; i++) results.kills.push(await killOnce(gw, `kill-${i}`));
} finally {
  await gw.stop();
  gw.cleanup();
}
// 6. (PARTS=restart only, about 50 s) A service that ramped up slowly, then the gateway restarts.
if (PARTS.has('restart')) {
  say('6 a service at 3/s for 20 s, then 5/s for 15 s, then a restart and 5/s again');
  let g = await startGateway(['--simulate']);
  try {
    const phases = [];
    const phase = async (label, rate, seconds, from) => {
      const a = await steadyService(g, { session: 'batch', rate, seconds, from });
      phases.push({ label, rate, ok: a.ok, refused: Boolean(a.refusal), seconds: ((a.refusedAt || performance.now()) - a.start) / 1000, reason: a.refusal?.message ?? '' });
      return a.refusal;
    };
    if (!(await phase('3 requests/s, 20 s', 3, 20, 0)) && !(await phase('then 5 requests/s, 15 s', 5, 15, 1000))) {
      await g.stop();
      g = await startGateway(['--simulate'], { reuse: g });
      await phase('after a restart, 5 requests/s', 5, 15, 2000);
    }
    results.restart = phases;
  } finally {
    await g.stop();
    g.cleanup();
  }
}

console.log(`\nTokenFuse runaway agents: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} cores (${cpus()[0].model}), loop_detection defaults`);
if (results.loops.length) console.log(`\nLoops tripped (time from the agents' start to the trip, by the gateway's clock; calls that went through before it):`);
if (results.loops.length) row(['loop', 'runs tripped', 'time to trip ms', 'calls before', 'tokens at trip', 'spend at trip']);
for (const loop of ['ping-pong', 'ping-pong, alternating', 'tool loop', 'slow loop']) {
  const rs = results.loops.filter((r) => r.loop === loop);
  if (!rs.length) continue;
  const tripped = rs.filter((r) => r.state === 'tripped');
  const med = (k) => quantile(tripped.map((r) => r[k]), 0.5);
  const span = (k, d = 0) => `${fmt(Math.min(...tripped.map((r) => r[k])), d)}-${fmt(Math.max(...tripped.map((r) => r[k])), d)}`;
  row([`${loop} (median)`, `${tripped.length}/${rs.length}`, fmt(med('timeToTripMs')), fmt(med('callsBeforeTrip')), fmt(med('tokens')), usd(med('costAtTripMicros'))]);
  row([`${loop} (range)`, '', span('timeToTripMs'), span('callsBeforeTrip'), span('tokens'), `${usd(Math.min(...tripped.map((r) => r.costAtTripMicros)))} - ${usd(Math.max(...tripped.map((r) => r.costAtTripMicros)))}`]);
  const signals = [...new Set(tripped.map((r) => (r.refusal.match(/tripped it at [0-9:]+ \(([a-z_]+)\)/) ?? [])[1] ?? '?'))];
  console.log(`    signal: ${signals.join(', ')}; e.g. "${tripped[0]?.reason ?? ''}"`);
}
const f = results.fast;
if (f) console.log(`\nA varied agent with no history, as fast as it can: ${f.refused ? `tripped at call ${f.calls + 1}` : `not tripped in ${f.calls} calls`} after ${f.seconds.toFixed(1)} s (${(f.calls / f.seconds).toFixed(1)} calls/s); ${f.reason}`);
const b = results.burst;
if (b) console.log(`A varied agent at 1 call/s for 15 s, then flat out: ${b.refused ? `tripped at burst call ${b.calls + 1} after ${b.seconds.toFixed(1)} s (${(b.calls / b.seconds).toFixed(1)} calls/s)` : `not tripped in ${b.calls} burst calls (${b.seconds.toFixed(1)} s)`}; ${b.reason}`);
for (const st of results.steady ?? [])
  console.log(`A steady service at ${st.rate} requests/s, varied requests, no history: ${st.refused ? `tripped at request ${st.ok + 1} after ${st.seconds.toFixed(1)} s (${st.reason})` : `not tripped in ${st.ok} requests (${st.seconds.toFixed(1)} s)`}`);
for (const p of results.phase ?? [])
  console.log(`A steady service at 5 requests/s, first request ${(p.phaseMs / 1000).toFixed(1)} s into a 10 s bucket: ${p.refused ? `tripped at request ${p.ok + 1} after ${p.seconds.toFixed(1)} s (${(p.reason.match(/\((velocity)\): (.*?)\. It resets/) ?? ['', '', p.reason]).slice(1).join(': ')})` : `not tripped (${p.ok} requests)`}`);
if (results.restart) console.log('\nOne session, varied requests, through a gateway restart:');
for (const p of results.restart ?? [])
  console.log(`  ${p.label}: ${p.refused ? `tripped at request ${p.ok + 1} after ${p.seconds.toFixed(1)} s (${p.reason.replace(/^403 /, '').slice(0, 140)})` : `not tripped (${p.ok} requests)`}`);
const k = results.kills;
if (k.length) {
const after = stats(k.map((r) => r.raiseAfterAnswerMs));
const sent = stats(k.map((r) => r.raiseAfterSendMs));
const answer = stats(k.map((r) => r.killMs));
console.log(`\nKill to SDK raise, ${k.length} kills of a stream in flight (openai SDK, for await; ms):`);
row(['', 'median', 'p95', 'max', 'min']);
row(['kill sent -> loop raised', fmt(sent.median, 1), fmt(sent.p95, 1), fmt(sent.max, 1), fmt(sent.min, 1)]);
row(['kill answered -> raised', fmt(after.median, 1), fmt(after.p95, 1), fmt(after.max, 1), fmt(after.min, 1)]);
row(['kill sent -> kill answered', fmt(answer.median, 1), fmt(answer.p95, 1), fmt(answer.max, 1), fmt(answer.min, 1)]);
}
if (process.env.BENCH_RAW) {
  console.log('');
  for (const r of results.loops) console.log(`RESULT ${JSON.stringify({ ...r, refusal: undefined })}`);
}
