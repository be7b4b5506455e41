// Runaway agents stopped, as the official SDKs see it: a kill ends a session's stream in flight
// and refuses its next request for good (403 session_blocked, not retried), stop-all ends every
// stream, and the loop detector trips the loops of the $28,000 incident (two agents handing each
// other's answers back at 50 calls/s, a tool called again and again, one identical call every
// 2 s) while normal agent work (a steady service carried through a restart too) goes on untouched.
// The gateway is a real `tokenfuse --simulate`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startGateway, waitForRow } from './harness.mjs';
import { killDuringStream, poll, countingFetch, sentinel, sessionState, pingPong, toolLoop, slowLoop, steadyService, tripFigures } from './runaway.mjs';

let gw;
before(async () => {
  gw = await startGateway(['--simulate']);
});
after(async () => { await gw.stop(); gw.cleanup(); });

const slowStream = { 'x-sim-tokens-per-second': '20', 'x-sim-completion-tokens': '2000', 'x-sim-ttft-ms': '0' };
const story = [{ role: 'user', content: 'Tell me a very long story about a lighthouse.' }];

// Each SDK counts the HTTP attempts it makes, so "not retried" is checked on the wire.
function openai(session, attempts = { n: 0 }) {
  return new OpenAI({
    apiKey: 'sk-test', baseURL: gw.baseURL, maxRetries: 3, fetch: countingFetch(attempts),
    defaultHeaders: { 'X-Session-ID': session },
  });
}
function anthropic(session, attempts = { n: 0 }) {
  return new Anthropic({
    apiKey: 'sk-ant-test', baseURL: gw.anthropicBaseURL, maxRetries: 3, fetch: countingFetch(attempts),
    defaultHeaders: { 'X-Session-ID': session },
  });
}

// The rows TokenFuse stored for a session's refused requests, once the store has caught up.
async function refusedRows(session) {
  await sentinel(gw);
  return gw.query(`select * from requests where session = '${session}' and error = 'session_blocked' and completion_tokens = 0`);
}

test('openai: a kill ends the stream in flight at once, bills what streamed, and the next request is refused without retry', { timeout: 20000 }, async () => {
  const { data: stream, response } = await openai('s1').chat.completions
    .create({ model: 'gpt-4o-mini', messages: story, stream: true }, { headers: slowStream })
    .withResponse();
  const r = await killDuringStream(stream, (c) => c.choices[0]?.delta?.content, () => gw.admin('POST', 'sessions/s1/kill', { reason: 'runaway loop' }));
  assert.equal(r.kill.status, 200);
  assert.equal(r.kill.body.cancelled, 1, 'the kill ended the one stream in flight');
  assert.ok(r.error, 'the for-await loop raises');
  assert.equal(r.error.code, 'session_blocked', 'the error event in the stream carries the code');
  assert.match(r.error.message, /Session s1 is blocked: killed by admin-api/);
  assert.match(r.error.message, /runaway loop/, 'the message carries the reason given with the kill');
  console.log(`openai: kill answered in ${r.killMs.toFixed(1)} ms; for-await raised ${r.raiseAfterAnswerMs.toFixed(1)} ms after the answer (${r.raiseAfterSendMs.toFixed(1)} ms after the kill was sent), ${r.chunks} chunks before`);
  assert.ok(r.raiseAfterAnswerMs < 1000, `raised ${r.raiseAfterAnswerMs} ms after the kill answer`);

  const row = await waitForRow(gw, response.headers.get('x-tokenfuse-request-id'));
  assert.equal(row.error, 'session_blocked');
  assert.ok(row.completion_tokens >= r.chunks, `billed ${row.completion_tokens} tokens for ${r.chunks} chunks streamed`);
  assert.ok(row.completion_tokens > 0 && row.completion_tokens < 2000);
  assert.ok(row.cost_micros > 0, 'and priced');

  const attempts = { n: 0 };
  await assert.rejects(openai('s1', attempts).chat.completions.create({ model: 'gpt-4o-mini', messages: story }), (err) => {
    assert.equal(err.status, 403);
    assert.equal(err.code, 'session_blocked');
    assert.equal(err.error.type, 'session_blocked');
    assert.equal(err.headers.get('x-should-retry'), 'false');
    assert.match(err.message, /Session s1 is blocked: killed by admin-api.*runaway loop.*\/admin\/v1\/sessions\/s1\/resume/);
    return true;
  });
  assert.equal(attempts.n, 1, 'the SDK (maxRetries 3) sent it once');
  assert.equal((await refusedRows('s1')).length, 1, 'and TokenFuse saw it once');
  const view = await gw.admin('GET', 'sessions/s1');
  assert.equal(view.body.state, 'killed');
  assert.equal(view.body.reason, 'runaway loop');
});

test('openai: a kill ends a whole (non-streamed) answer in flight with a 403 session_blocked the SDK does not retry', { timeout: 20000 }, async () => {
  const attempts = { n: 0 };
  const asking = openai('w1', attempts).chat.completions
    .create({ model: 'gpt-4o-mini', messages: story }, { headers: { 'x-sim-tokens-per-second': '20', 'x-sim-completion-tokens': '400' } });
  const settled = asking.then(() => null, (e) => e);
  await poll(async () => (await gw.admin('GET', 'sessions/w1')).body?.in_flight === 1, 'the request of w1 in flight');
  const kill = await gw.admin('POST', 'sessions/w1/kill');
  assert.equal(kill.body.cancelled, 1);
  const err = await settled;
  assert.ok(err, 'the request raises');
  assert.equal(err.status, 403);
  assert.equal(err.code, 'session_blocked');
  assert.equal(err.headers.get('x-should-retry'), 'false', 'a final refusal, as for a request refused at the door');
  assert.match(err.message, /Session w1 is blocked: killed by/);
  assert.equal(attempts.n, 1, 'the SDK (maxRetries 3) sent it once');
  const [row] = gw.query(`select * from requests where session = 'w1'`);
  assert.equal(row.status, 403);
  assert.equal(row.error, 'session_blocked');
});

test('codex: a whole answer in flight when its session is killed ends as 400 session_blocked, which Codex does not retry', { timeout: 20000 }, async () => {
  // Codex CLI retries every status but 400 (docs/agents.md); its requests carry `originator`.
  const answer = fetch(`${gw.baseURL}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', originator: 'codex_exec', 'x-session-id': 'cx1', 'x-sim-tokens-per-second': '20', 'x-sim-completion-tokens': '400' },
    body: JSON.stringify({ model: 'gpt-5-codex', input: 'Fix the failing test.' }),
  });
  await poll(async () => (await gw.admin('GET', 'sessions/cx1')).body?.in_flight === 1, 'the request of cx1 in flight');
  assert.equal((await gw.admin('POST', 'sessions/cx1/kill')).body.cancelled, 1);
  const res = await answer;
  assert.equal(res.status, 400);
  assert.equal(res.headers.get('x-should-retry'), 'false');
  assert.equal(res.headers.get('x-tokenfuse-status'), '403', 'as docs/sessions.md says');
  const body = await res.json();
  assert.equal(body.error.code, 'session_blocked');
  assert.match(body.error.message, /Session cx1 is blocked/);
});

test('anthropic: a kill ends the stream in flight, and the next request is a 403 permission_error sent once', { timeout: 20000 }, async () => {
  const { data: stream, response } = await anthropic('a1').messages
    .create({ model: 'claude-opus-5', max_tokens: 4000, messages: story, stream: true }, { headers: slowStream })
    .withResponse();
  const r = await killDuringStream(stream, (e) => e.type === 'content_block_delta' && e.delta.text, () => gw.admin('POST', 'sessions/a1/kill'));
  assert.equal(r.kill.status, 200);
  assert.ok(r.error, 'the for-await loop raises');
  assert.equal(r.error.error.error.type, 'permission_error', "an Anthropic error event");
  assert.match(r.error.message, /Session a1 is blocked/);
  console.log(`anthropic: kill answered in ${r.killMs.toFixed(1)} ms; for-await raised ${r.raiseAfterAnswerMs.toFixed(1)} ms after the answer, ${r.chunks} chunks before`);
  assert.ok(r.raiseAfterAnswerMs < 1000, `raised ${r.raiseAfterAnswerMs} ms after the kill answer`);
  const row = await waitForRow(gw, response.headers.get('x-tokenfuse-request-id'));
  assert.equal(row.error, 'session_blocked');
  assert.ok(row.completion_tokens > 0 && row.completion_tokens >= r.chunks);

  const attempts = { n: 0 };
  await assert.rejects(anthropic('a1', attempts).messages.create({ model: 'claude-opus-5', max_tokens: 100, messages: story }), (err) => {
    assert.equal(err.status, 403);
    assert.equal(err.error.error.type, 'permission_error');
    assert.equal(err.headers.get('x-should-retry'), 'false');
    assert.match(err.message, /Session a1 is blocked: killed by/);
    return true;
  });
  assert.equal(attempts.n, 1, 'the SDK (maxRetries 3) sent it once');
  assert.equal((await refusedRows('a1')).length, 1);

  assert.equal((await gw.admin('POST', 'sessions/a1/resume')).status, 200);
  const ok = await anthropic('a1').messages.create({ model: 'claude-opus-5', max_tokens: 20, messages: story }, { headers: { 'x-sim-ttft-ms': '0' } });
  assert.ok(ok.content[0].text.length > 0, 'resumed, the session works again');
});

test('stop-all ends both streams in flight, refuses new requests from anyone, and resume-all lets them through', { timeout: 20000 }, async () => {
  const open = async (session) => openai(session).chat.completions
    .create({ model: 'gpt-4o-mini', messages: story, stream: true }, { headers: slowStream }).withResponse();
  const streams = await Promise.all([open('all-1'), open('all-2')]);
  const seen = [0, 0];
  const ends = streams.map(({ data }, i) => (async () => {
    try {
      for await (const c of data) if (c.choices[0]?.delta?.content) seen[i]++;
    } catch (e) { return { error: e, at: performance.now() }; }
    return { error: null, at: performance.now() };
  })());
  await poll(() => seen[0] >= 2 && seen[1] >= 2, 'both streams flowing');
  const stop = await gw.admin('POST', 'stop-all', { reason: 'incident' });
  const answered = performance.now();
  assert.equal(stop.status, 200);
  assert.equal(stop.body.cancelled, 2);
  assert.equal(stop.body.stopped_all, true);
  const results = await Promise.all(ends);
  for (const [i, r] of results.entries()) {
    assert.ok(r.error, `stream ${i + 1} raises`);
    assert.match(r.error.message, /TokenFuse is stopped/);
    console.log(`stop-all: stream ${i + 1} raised ${(r.at - answered).toFixed(1)} ms after the answer`);
  }
  for (const { response } of streams)
    assert.equal((await waitForRow(gw, response.headers.get('x-tokenfuse-request-id'))).error, 'session_blocked');

  for (const session of ['all-1', 'someone-new']) {
    const attempts = { n: 0 };
    await assert.rejects(openai(session, attempts).chat.completions.create({ model: 'gpt-4o-mini', messages: story }), (err) => {
      assert.equal(err.status, 403);
      assert.equal(err.code, 'session_blocked');
      assert.match(err.message, /TokenFuse is stopped.*incident.*resume-all/);
      return true;
    });
    assert.equal(attempts.n, 1);
  }
  assert.equal((await gw.admin('GET', 'sessions?limit=1')).body.stopped_all, true);

  assert.equal((await gw.admin('POST', 'resume-all')).status, 200);
  for (const session of ['all-1', 'all-2', 'someone-new']) {
    const done = await openai(session).chat.completions.create({ model: 'gpt-4o-mini', messages: story }, { headers: { 'x-sim-ttft-ms': '0' } });
    assert.ok(done.choices[0].message.content.length > 0, `${session} goes through again`);
  }
  assert.equal((await gw.admin('GET', 'sessions?limit=1')).body.stopped_all, false);
});

// --- the loop detector -------------------------------------------------------------------------
// A gateway of its own with the defaults of docs/loop-detection.md, except for sessions named
// slow-*, whose repetition signal counts 5 near-identical requests instead of 10, so the slow loop
// trips in about 8 s rather than 18 (bench/runaway measures the defaults).
let loops;
before(async () => {
  loops = await startGateway(['--simulate'], {
    config: { loop_detection: { rules: [{ scope: 'session', match: 'slow-*', repetition: { count: 5 } }] } },
  });
});
after(async () => { await loops.stop(); loops.cleanup(); });

const sdk = (session, extra = {}) => new OpenAI({
  apiKey: 'sk-test', baseURL: loops.baseURL, maxRetries: 0, defaultHeaders: { 'X-Session-ID': session, 'x-sim-ttft-ms': '0', 'x-sim-tokens-per-second': '0' }, ...extra,
});

async function assertRefused(session) {
  await assert.rejects(sdk(session).chat.completions.create({ model: 'gpt-4o-mini', messages: story }), (err) => {
    assert.equal(err.status, 403);
    assert.equal(err.code, 'session_blocked');
    assert.equal(err.headers.get('x-should-retry'), 'false');
    assert.match(err.message, new RegExp(`Session ${session} is blocked: the loop detector tripped it`));
    return true;
  });
}

const figures = (f) => `${f.session}: tripped ${f.timeToTripMs} ms after the start, after ${f.callsBeforeTrip} calls, `
  + `spend at trip ${f.costAtTripMicros} micro-USD / ${f.tokens} tokens (${f.reason})`;

test('the incident: two agents handing each other their answers at 50 calls/s are both tripped within 3 s', { timeout: 30000 }, async () => {
  const startedAt = Date.now();
  const agents = await pingPong(loops, { sessions: ['pp-a', 'pp-b'], rate: 50, maxMs: 10000 });
  for (const agent of agents) {
    assert.ok(agent.refusal, `${agent.name} was stopped by a 403 session_blocked`);
    assert.match(agent.refusal.message, /ping_pong|velocity/);
    const f = await tripFigures(loops, agent, startedAt);
    console.log(`ping-pong ${figures(f)}`);
    assert.equal(f.state, 'tripped');
    assert.ok(f.timeToTripMs <= 3000, `${agent.name} tripped after ${f.timeToTripMs} ms`);
    assert.ok(f.costAtTripMicros >= 0, 'the spend at the trip is kept');
    await assertRefused(agent.name);
  }
});

test('a tool loop (the same call, the same result, again and again) is tripped by tool repetition', { timeout: 30000 }, async () => {
  const startedAt = Date.now();
  const agent = await toolLoop(loops, { session: 'tool-loop', every: 50, maxMs: 15000 });
  assert.ok(agent.refusal, 'the loop was stopped by a 403 session_blocked');
  assert.match(agent.refusal.message, /\(tool_repeat\)/);
  const f = await tripFigures(loops, agent, startedAt);
  console.log(`tool loop ${figures(f)}`);
  assert.equal(f.state, 'tripped');
  await assertRefused('tool-loop');

  // Resumed, it starts clean: the same loop runs again until it has repeated itself once more.
  assert.equal((await loops.admin('POST', 'sessions/tool-loop/resume')).status, 200);
  assert.equal((await sessionState(loops, 'tool-loop')).state, 'active');
  const again = await toolLoop(loops, { session: 'tool-loop', every: 50, maxMs: 15000 });
  assert.ok(again.refusal, 'and is tripped again');
  assert.equal(again.ok, agent.ok, `after as many calls as the first time (${again.ok})`);
});

test('a trip cuts the session\'s stream in flight with the trip in the error event', { timeout: 30000 }, async () => {
  const { data: stream, response } = await sdk('trip-stream').chat.completions
    .create({ model: 'gpt-4o-mini', messages: story, stream: true }, { headers: slowStream }).withResponse();
  let chunks = 0;
  const ended = (async () => {
    try { for await (const c of stream) if (c.choices[0]?.delta?.content) chunks++; } catch (e) { return e; }
    return null;
  })();
  await poll(() => chunks >= 2, 'the stream flowing');
  const agent = await toolLoop(loops, { session: 'trip-stream', every: 50, maxMs: 15000 });
  assert.ok(agent.refusal, 'the loop was tripped');
  const err = await ended;
  assert.ok(err, 'the stream raised');
  assert.equal(err.code, 'session_blocked');
  assert.match(err.message, /Session trip-stream is blocked: the loop detector tripped it at .* \(tool_repeat\)/);
  const row = await waitForRow(loops, response.headers.get('x-tokenfuse-request-id'));
  assert.equal(row.error, 'session_blocked');
  assert.ok(row.completion_tokens >= chunks && row.completion_tokens < 2000, `billed ${row.completion_tokens} tokens`);
});

test('anthropic: the same tool loop over /v1/messages is tripped, and the SDK gets a permission_error naming the evidence', { timeout: 30000 }, async () => {
  const claude = new Anthropic({
    apiKey: 'sk-ant-test', baseURL: loops.anthropicBaseURL, maxRetries: 3,
    defaultHeaders: { 'X-Session-ID': 'claude-tool-loop', 'x-sim-ttft-ms': '0', 'x-sim-tokens-per-second': '0', 'x-sim-completion-tokens': '16',
      'x-sim-tool-call': 'read_file', 'x-sim-tool-args': '{"path":"src/main.cpp"}' },
  });
  const tools = [{ name: 'read_file', description: 'Read a file.', input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }];
  const task = [{ role: 'user', content: 'The build fails. Find out why and fix it.' }];
  let calls = 0;
  let refusal = null;
  for (let round = 0; round < 20 && !refusal; round++) {
    try {
      const r = await claude.messages.create({ model: 'claude-opus-5', max_tokens: 200, tools, messages: task });
      calls++;
      const use = r.content.find((b) => b.type === 'tool_use');
      assert.ok(use, 'the simulator calls the tool');
      await claude.messages.create({ model: 'claude-opus-5', max_tokens: 200, tools, messages: [...task, { role: 'assistant', content: r.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: "src/main.cpp:12: error: expected ';' before '}'" }] }] });
      calls++;
    } catch (err) {
      refusal = err;
    }
  }
  assert.ok(refusal, 'the loop was stopped');
  assert.equal(refusal.status, 403);
  assert.equal(refusal.error.error.type, 'permission_error');
  assert.match(refusal.message, /Session claude-tool-loop is blocked: the loop detector tripped it at .* \(tool_repeat\): tool read_file called 6 times/);
  assert.equal((await sessionState(loops, 'claude-tool-loop')).state, 'tripped');
  console.log(`anthropic tool loop: tripped after ${calls} calls`);
});

// Normal agent work, paced like agents work; each asserts its session is still active at the end.
async function variedAgent(session, calls, everyMs) {
  const client = sdk(session, { defaultHeaders: { 'X-Session-ID': session, 'x-sim-ttft-ms': '0', 'x-sim-tokens-per-second': '0', 'x-sim-completion-tokens': '40' } });
  const tasks = ['list the failing tests', 'open the parser module', 'explain the tokenizer bug', 'write a test for empty input',
    'rename the helper to readHeader', 'check the CI log for warnings', 'summarise the diff so far', 'update the changelog entry',
    'look for other callers of parseDate', 'draft the commit message'];
  const messages = [{ role: 'system', content: 'You are a careful coding agent working in the repository of a small HTTP library.' }];
  const start = performance.now();
  for (let i = 0; i < calls; i++) {
    const wait = start + i * everyMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    messages.push({ role: 'user', content: `Step ${i + 1}: ${tasks[i % tasks.length]}${i >= tasks.length ? ` (pass ${Math.floor(i / tasks.length) + 1}, file src/module_${i}.c)` : ''}.` });
    const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    messages.push(r.choices[0].message);
  }
  return (performance.now() - start) / 1000;
}

async function toolAgent(session, calls, everyMs) {
  const client = sdk(session, { defaultHeaders: { 'X-Session-ID': session, 'x-sim-ttft-ms': '0', 'x-sim-tokens-per-second': '0', 'x-sim-completion-tokens': '30' } });
  const readFile = { type: 'function', function: { name: 'read_file', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } } };
  const messages = [{ role: 'user', content: 'Read through the source files and tell me where the config is parsed.' }];
  const paths = new Set();
  const start = performance.now();
  for (let i = 0; i < calls; i++) {
    const wait = start + i * everyMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // The simulator makes the call up from the schema and the conversation: different arguments each time.
    const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: [readFile], tool_choice: { type: 'function', function: { name: 'read_file' } } });
    const call = r.choices[0].message.tool_calls[0];
    paths.add(call.function.arguments);
    messages.push(r.choices[0].message, { role: 'tool', tool_call_id: call.id, content: `contents of ${call.function.arguments}: ${i * 37} lines` });
  }
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: [readFile] });
  return paths.size;
}

test('paced loops and normal work side by side', { timeout: 40000, concurrency: true }, async (t) => {
  await Promise.all([
    t.test('a slow loop, one identical call every 2 s, is tripped by repetition, not velocity', async () => {
      const startedAt = Date.now();
      const agent = await slowLoop(loops, { session: 'slow-loop', every: 2000, maxCalls: 12, maxMs: 30000 });
      assert.ok(agent.refusal, 'the loop was stopped by a 403 session_blocked');
      assert.match(agent.refusal.message, /\(repetition\)/);
      assert.doesNotMatch(agent.refusal.message, /velocity/);
      const f = await tripFigures(loops, agent, startedAt);
      console.log(`slow loop (repetition count 5) ${figures(f)}`);
      assert.equal(f.state, 'tripped');
      assert.match(f.reason, /near-identical/);
      assert.equal(agent.ok, 4, 'the fifth identical call is the one refused');
    }),
    t.test('30 varied calls with a growing history are not tripped', async () => {
      const seconds = await variedAgent('work-varied', 30, 330);
      const view = await sessionState(loops, 'work-varied');
      console.log(`varied agent: 30 calls in ${seconds.toFixed(1)} s, state ${view.state}`);
      assert.equal(view.state, 'active');
      assert.equal(view.requests, 30);
    }),
    t.test('a tool-using agent with different arguments each call is not tripped', async () => {
      const distinct = await toolAgent('work-tools', 15, 300);
      const view = await sessionState(loops, 'work-tools');
      console.log(`tool agent: 16 calls, ${distinct} distinct tool arguments, state ${view.state}`);
      assert.ok(distinct >= 12, `${distinct} distinct arguments`);
      assert.equal(view.state, 'active');
    }),
    t.test('a service at a steady 5 requests/s since shortly before a restart is not tripped after it', async () => {
      // Its own gateway, restarted in between; the detector's baseline comes back from the store.
      let g = await startGateway(['--simulate']);
      try {
        const before = await steadyService(g, { session: 'batch', rate: 5, seconds: 12 });
        assert.equal(before.refusal, null);
        await g.stop();
        g = await startGateway(['--simulate'], { reuse: g });
        const afterRestart = await steadyService(g, { session: 'batch', rate: 5, seconds: 12, from: 1000 });
        console.log(`steady service: ${before.ok} requests before the restart, ${afterRestart.ok} after${afterRestart.refusal ? `, then refused: ${afterRestart.refusal.message}` : ''}`);
        assert.equal(afterRestart.refusal, null, 'the restart does not make its steady rate look like a burst');
        assert.equal((await sessionState(g, 'batch')).state, 'active');
      } finally {
        await g.stop();
        g.cleanup();
      }
    }),
    t.test('an agent re-asking the same question after an error, twice, with the SDK retrying too, is not tripped', async () => {
      const attempts = { n: 0 };
      // The SDK's default of 2 retries: each failed ask is sent 3 times.
      const client = sdk('work-reask', { maxRetries: 2, fetch: countingFetch(attempts) });
      const question = [{ role: 'user', content: 'What does the function parseHeader in src/http.c return on malformed input?' }];
      for (const fault of ['status:500', 'status:500']) {
        await assert.rejects(client.chat.completions.create({ model: 'gpt-4o-mini', messages: question }, { headers: { 'x-sim-fault': fault } }),
          (err) => err.status === 500 || err.status === 502);
      }
      const ok = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: question });
      assert.ok(ok.choices[0].message.content.length > 0);
      const view = await sessionState(loops, 'work-reask');
      console.log(`re-asking agent: ${attempts.n} identical requests sent, state ${view.state}`);
      assert.equal(view.state, 'active');
    }),
  ]);
});
