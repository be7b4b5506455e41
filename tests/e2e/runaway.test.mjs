// Runaway agents stopped, as the official SDKs see it: a kill ends a session's stream in flight
// and refuses its next request for good (403 session_blocked, not retried), stop-all ends every
// stream, and the loop detector trips the loops of the $28,000 incident (two agents handing each
// other's answers back at 50 calls/s, a tool called again and again, one identical call every
// 2 s) while normal agent work goes on untouched. The gateway is a real `tokenfuse --simulate`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startGateway, waitForRow } from './harness.mjs';
import { killDuringStream, poll, countingFetch, sentinel } from './runaway.mjs';

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

