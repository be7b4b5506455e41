// The fault matrix end to end: the official openai SDK against a real tokenfuse process whose one
// upstream is fault-upstream.mjs, a provider in this test's process that fails as each request's
// x-up-fault header asks. Each row starts its own gateway, so its breakers start closed, and checks
// what the client gets, how many attempts reached the upstream (its own count and
// x-tokenfuse-attempts), the breaker before and after (GET /admin/v1/upstreams/up), the stored row,
// and that nothing is left in flight (/metrics). docs/resilience.md has the table these rows fill.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startGateway, freePort } from './harness.mjs';
import { startFaultUpstream, HUGE_STREAM_CHUNKS, HUGE_STREAM_DELTA, NORMAL_TEXT } from './fault-upstream.mjs';

let up;
before(async () => { up = await startFaultUpstream(); });
after(async () => { await up.close(); });

const MODEL = 'gpt-4o-mini'; // priced, so a row's cost says whether it was billed
const messages = [{ role: 'user', content: 'Say five words.' }];

const upstream = (overrides = {}) => ({
  name: 'up', base_url: up.baseURL, models: ['*'],
  breaker: { consecutive: 3, cooldown_ms: 60000 }, timeouts_ms: { first_byte: 1000, idle: 1000 }, ...overrides,
});
const retries = { max_attempts: 3, base_delay_ms: 20, max_delay_ms: 100 };

// Runs `body` against a gateway of its own, then checks that no request is left in flight before
// stopping it. The gateway's log is added to a failure's message.
async function withGateway(config, body) {
  const gw = await startGateway([], { config: { upstreams: [upstream()], retries, ...config } });
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: gw.baseURL, maxRetries: 0, timeout: 20000 });
  try {
    await body(gw, client);
    await assertNothingInFlight(gw);
  } catch (e) {
    e.message += `\n--- gateway log ---\n${gw.output()}`;
    throw e;
  } finally {
    await gw.stop();
    gw.cleanup();
  }
}

async function breaker(gw, name = 'up') {
  const { status, body } = await gw.admin('GET', `upstreams/${name}`);
  assert.equal(status, 200);
  return body;
}

async function metrics(gw) {
  return (await fetch(`http://127.0.0.1:${gw.port}/metrics`)).text();
}

async function waitFor(what, condition, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Every request has settled on both sides: the gateway counts none in flight, to the client or
// to any upstream. Polled, since a relay may finish its bookkeeping just after the client's end.
async function assertNothingInFlight(gw) {
  let lines = [];
  await waitFor(() => `nothing in flight, still: ${lines.join('; ')}`, async () => {
    lines = (await metrics(gw)).split('\n').filter((l) => /^tokenfuse_(in_flight_requests|upstream_in_flight)\b/.test(l));
    return lines.length > 0 && lines.every((l) => / 0$/.test(l));
  });
}

let keys = 0;
// One request steered by `fault`, counted under a key of its own. Resolves to what the client saw:
// { status, attempts, upstream, id, error (the SDK's, thrown before or during the answer), text,
//   chunks, ms, count (requests that reached the fault upstream) }.
async function ask(client, fault, { stream = false, headers = {} } = {}) {
  const key = `${fault}#${++keys}`;
  const out = { text: '', chunks: 0, error: null };
  const started = Date.now();
  const seen = (h) => {
    out.attempts = Number(h.get('x-tokenfuse-attempts'));
    out.upstream = h.get('x-tokenfuse-upstream');
    out.id = h.get('x-tokenfuse-request-id');
    out.retryAfter = h.get('retry-after');
  };
  try {
    const { data, response } = await client.chat.completions
      .create({ model: MODEL, messages, stream }, { headers: { 'x-up-fault': fault, 'x-up-fault-key': key, ...headers } })
      .withResponse();
    out.status = response.status;
    seen(response.headers);
    if (stream) {
      try {
        for await (const chunk of data) {
          out.chunks++;
          out.text += chunk.choices[0]?.delta?.content ?? '';
          if (chunk.usage) out.usage = chunk.usage;
        }
      } catch (e) { out.error = e; }
    } else {
      out.text = data.choices[0].message.content;
      out.usage = data.usage;
    }
  } catch (e) {
    out.error = e;
    out.status = e.status;
    if (e.headers) seen(e.headers);
  }
  out.ms = Date.now() - started;
  out.count = up.count(key);
  return out;
}

const rowOf = (gw, id) => {
  const rows = gw.query(`select * from requests where id = '${id}'`);
  assert.equal(rows.length, 1, `one row for ${id}`);
  return rows[0];
};

test('connection refused: 502 naming each of the 3 attempts; the breaker opens; nothing billed', async () => {
  const closed = `http://127.0.0.1:${await freePort()}/v1`;
  await withGateway({ upstreams: [upstream({ base_url: closed })] }, async (gw, client) => {
    assert.equal((await breaker(gw)).breaker.state, 'closed');
    const r = await ask(client, 'ok');
    assert.ok(r.error instanceof OpenAI.InternalServerError, String(r.error));
    assert.equal(r.status, 502);
    assert.match(r.error.message, /Connection refused \(after 3 attempts: up: .*; up: .*; up: .*\)/);
    assert.equal(r.attempts, 3);
    const b = await breaker(gw);
    assert.equal(b.breaker.state, 'open');
    assert.match(b.breaker.reason, /3 failures in a row/);
    const row = rowOf(gw, r.id);
    assert.deepEqual([row.status, row.error, row.attempts, row.upstream], [502, 'upstream_error', 3, 'up']);
    // No connection was ever made, so no provider can have billed this request: no estimate of the
    // prompt, no cost (as for a 500, which did reach the provider and reported nothing).
    assert.equal(row.cost_micros, 0, `a request that never reached an upstream costs nothing (row: ${JSON.stringify(row)})`);
    assert.equal(row.prompt_tokens, 0);
  });
});

for (const [status, SdkError] of [[500, OpenAI.InternalServerError], [502, OpenAI.InternalServerError],
  [503, OpenAI.InternalServerError], [529, OpenAI.InternalServerError]]) {
  test(`status ${status}: retried to 3 attempts, then passed on as it came; the breaker opens`, async () => {
    await withGateway({}, async (gw, client) => {
      assert.equal((await breaker(gw)).breaker.state, 'closed');
      const r = await ask(client, `status:${status}`);
      assert.ok(r.error instanceof SdkError, String(r.error));
      assert.equal(r.status, status);
      assert.equal(r.error.message, `${status} fault upstream: status ${status}`, 'the upstream\'s own body');
      assert.equal(r.count, 3);
      assert.equal(r.attempts, 3);
      assert.equal((await breaker(gw)).breaker.state, 'open');
      const row = rowOf(gw, r.id);
      assert.deepEqual([row.status, row.error, row.attempts, row.upstream, row.cost_micros],
        [status, `upstream_status_${status}`, 3, 'up', 0]);
    });
  });
}

test('breaker open: the next request gets 503 at once, with retry-after and the reason, and no attempt', async () => {
  await withGateway({}, async (gw, client) => {
    await ask(client, 'status:500');
    assert.equal((await breaker(gw)).breaker.state, 'open');
    const r = await ask(client, 'ok');
    assert.ok(r.error instanceof OpenAI.InternalServerError, String(r.error));
    assert.equal(r.status, 503);
    assert.match(r.error.message, /No healthy upstream for model 'gpt-4o-mini': up: breaker open \(3 failures in a row \(last: 500\)\)/);
    assert.ok(Number(r.retryAfter) > 55 && Number(r.retryAfter) <= 60, `retry-after ${r.retryAfter}`);
    assert.equal(r.count, 0);
    assert.equal(r.attempts, 0);
    const row = rowOf(gw, r.id);
    assert.deepEqual([row.status, row.error, row.upstream, row.cost_micros], [503, 'upstream_unavailable', '', 0]);
    // The row agrees with x-tokenfuse-attempts: nothing was tried, so sum(attempts) counts upstream
    // traffic and nothing else.
    assert.equal(row.attempts, 0, 'the row agrees with x-tokenfuse-attempts: no attempt');
  });
});

test('429 with retry-after: 1 under a max_delay_ms of 1.5 s: each retry waits the second asked for', async () => {
  await withGateway({ retries: { ...retries, max_delay_ms: 1500 } }, async (gw, client) => {
    assert.equal((await breaker(gw)).breaker.state, 'closed');
    const r = await ask(client, 'status:429', { headers: { 'x-up-retry-after': '1' } });
    assert.ok(r.error instanceof OpenAI.RateLimitError, String(r.error));
    assert.equal(r.retryAfter, '1', 'the last answer\'s retry-after reaches the client');
    assert.equal(r.count, 3);
    assert.equal(r.attempts, 3);
    assert.ok(r.ms >= 2000, `two waits of 1 s between three attempts, took ${r.ms} ms`);
    assert.equal((await breaker(gw)).breaker.state, 'open');
    const row = rowOf(gw, r.id);
    assert.deepEqual([row.status, row.error, row.attempts], [429, 'upstream_status_429', 3]);
  });
});

test('429 with retry-after: 1 over the max_delay_ms of 100 ms: passed on at once, retry-after kept, one attempt', async () => {
  await withGateway({}, async (gw, client) => {
    const r = await ask(client, 'status:429', { headers: { 'x-up-retry-after': '1' } });
    assert.ok(r.error instanceof OpenAI.RateLimitError, String(r.error));
    assert.equal(r.retryAfter, '1');
    assert.equal(r.count, 1);
    assert.equal(r.attempts, 1);
    assert.ok(r.ms < 1000, `not waited for, took ${r.ms} ms`);
    const b = await breaker(gw);
    assert.equal(b.breaker.state, 'closed');
    assert.equal(b.failures, 1, 'the 429 counts against the breaker');
    const row = rowOf(gw, r.id);
    assert.deepEqual([row.status, row.error, row.attempts], [429, 'upstream_status_429', 1]);
  });
});

test('status-then-ok:2: the client sees 200 after 3 attempts, billed once; the breaker stays closed', async () => {
  await withGateway({}, async (gw, client) => {
    const r = await ask(client, 'status-then-ok:2');
    assert.equal(r.error, null);
    assert.equal(r.status, 200);
    assert.equal(r.text, NORMAL_TEXT);
    assert.equal(r.count, 3);
    assert.equal(r.attempts, 3);
    assert.equal((await breaker(gw)).breaker.state, 'closed');
    const row = rowOf(gw, r.id);
    assert.deepEqual([row.status, row.error, row.attempts, row.prompt_tokens, row.completion_tokens, row.estimated],
      [200, '', 3, 10, 5, 0]);
  });
});

test('malformed SSE mid-stream: one attempt, the stream ends with an error event in place of the broken event', async () => {
  await withGateway({}, async (gw, client) => {
    const r = await ask(client, 'malformed', { stream: true });
    assert.equal(r.status, 200);
    assert.equal(r.attempts, 1);
    assert.equal(r.count, 1, 'never retried once the answer has begun');
    assert.equal(r.text, 'one', 'the two events before the broken one arrive');
    const row = rowOf(gw, r.id);
    assert.deepEqual([row.status, row.error, row.attempts], [200, 'upstream_malformed', 1]);
    const b = await breaker(gw);
    assert.equal(b.breaker.state, 'closed');
    assert.equal(b.failures, 1);
    // The broken event is not relayed (the SDK would die on it with a SyntaxError): the stream ends
    // there with an error event, which the SDK raises as an APIError, as for every other failure
    // once the answer has begun.
    assert.ok(r.error instanceof OpenAI.APIError,
      `an error event, not the broken JSON itself (the SDK threw ${r.error?.constructor.name}: ${r.error?.message})`);
  });
});

test('huge: a whole answer over 64 MiB is refused with 502 naming the size, not a crash; the next request is served', async () => {
  await withGateway({}, async (gw, client) => {
    const aborts = up.stats.aborts;
    const r = await ask(client, 'huge');
    assert.ok(r.error instanceof OpenAI.InternalServerError, String(r.error));
    assert.equal(r.status, 502);
    assert.match(r.error.message, /larger than 67108864 bytes/);
    // Node hears of the close once its 70 MiB write gives up, which takes a while on a busy machine.
    await waitFor('the gateway to close the upstream connection', () => up.stats.aborts === aborts + 1, 15000);
    assert.equal(r.count, 1);
    assert.equal(r.attempts, 1, 'not retried: the upstream ran it');
    const b = await breaker(gw);
    assert.equal(b.breaker.state, 'closed');
    assert.equal(b.failures, 1);
    const row = rowOf(gw, r.id);
    assert.deepEqual([row.status, row.error, row.attempts], [502, 'upstream_error', 1]);
    assert.equal(gw.child.exitCode, null);
    const next = await ask(client, 'ok');
    assert.equal(next.status, 200);
    assert.equal(next.text, NORMAL_TEXT);
  });
});

test('huge-stream: all ~20 MB of deltas arrive and the row is billed with the upstream\'s usage', async () => {
  await withGateway({}, async (gw, client) => {
    const r = await ask(client, 'huge-stream', { stream: true });
    assert.equal(r.error, null);
    assert.equal(r.text.length, HUGE_STREAM_CHUNKS * HUGE_STREAM_DELTA.length);
    assert.equal(r.attempts, 1);
    assert.equal(r.count, 1);
    assert.equal((await breaker(gw)).breaker.state, 'closed');
    const row = rowOf(gw, r.id);
    assert.deepEqual([row.status, row.error, row.attempts, row.prompt_tokens, row.completion_tokens, row.estimated],
      [200, '', 1, 10, HUGE_STREAM_CHUNKS, 0]);
    assert.ok(row.cost_micros > 0);
  });
});

test('slow:150, under the 1 s idle time-out: the stream completes', async () => {
  await withGateway({}, async (gw, client) => {
    const r = await ask(client, 'slow:150', { stream: true });
    assert.equal(r.error, null);
    assert.equal(r.text, Array.from({ length: 10 }, (_, i) => `c${i} `).join(''));
    assert.equal(r.attempts, 1);
    assert.equal((await breaker(gw)).breaker.state, 'closed');
    const row = rowOf(gw, r.id);
    assert.deepEqual([row.status, row.error, row.attempts, row.completion_tokens, row.estimated], [200, '', 1, 10, 0]);
  });
});

test('slow:1500, over the 1 s idle time-out: one chunk, then an error event naming the stall; one attempt', async () => {
  await withGateway({}, async (gw, client) => {
    const aborts = up.stats.aborts;
    const r = await ask(client, 'slow:1500', { stream: true });
    assert.equal(r.status, 200);
    assert.equal(r.text, 'c0 ');
    assert.ok(r.error instanceof OpenAI.APIError, String(r.error));
    assert.match(r.error.message, /stalled for more than 1000 ms/);
    await waitFor('the gateway to close the stalled upstream connection', () => up.stats.aborts === aborts + 1);
    assert.equal(r.attempts, 1);
    assert.equal(r.count, 1);
    const b = await breaker(gw);
    assert.equal(b.breaker.state, 'closed');
    assert.equal(b.failures, 1);
    const row = rowOf(gw, r.id);
    assert.deepEqual([row.status, row.error, row.attempts, row.estimated], [200, 'upstream_timeout', 1, 1]);
  });
});

test('hang before headers: retried, then 504 naming the attempts; three time-outs open the breaker', async () => {
  await withGateway({}, async (gw, client) => {
    assert.equal((await breaker(gw)).breaker.state, 'closed');
    const aborts = up.stats.aborts;
    const started = Date.now();
    const r = await ask(client, 'hang');
    assert.ok(r.error instanceof OpenAI.APIError, String(r.error));
    assert.equal(r.status, 504);
    assert.match(r.error.message, /after 3 attempts/);
    // Each attempt waited its 1 s for a first byte (Qt's coarse timers may fire up to 5 % early).
    assert.ok(Date.now() - started >= 2850, `waited ${Date.now() - started} ms for three attempts`);
    assert.equal(r.count, 3);
    assert.equal(r.attempts, 3);
    await waitFor('the gateway to close the three silent connections', () => up.stats.aborts >= aborts + 3, 5000);
    const b = await breaker(gw);
    assert.equal(b.breaker.state, 'open');
    assert.match(b.breaker.reason, /3 failures in a row/);
    const row = rowOf(gw, r.id);
    assert.deepEqual([row.status, row.error, row.attempts, row.upstream], [504, 'upstream_timeout', 3, 'up']);
  });
});

// A whole answer the upstream breaks: a 502 naming what it did; not retried (it may have run it).
for (const { title, fault, message } of [
  { title: 'garbage: bytes that are not HTTP give 502 naming the malformed response; not retried', fault: 'garbage', message: /malformed HTTP response/ },
  { title: 'close-early, whole answer: headers then a closed connection give 502; not retried', fault: 'close-early',
    message: /closed the connection in the middle of the response/ },
]) {
  test(title, async () => {
    await withGateway({}, async (gw, client) => {
      const r = await ask(client, fault);
      assert.ok(r.error instanceof OpenAI.InternalServerError, String(r.error));
      assert.equal(r.status, 502);
      assert.match(r.error.message, message);
      assert.equal(r.count, 1);
      assert.equal(r.attempts, 1);
      const b = await breaker(gw);
      assert.equal(b.breaker.state, 'closed');
      assert.equal(b.failures, 1);
      const row = rowOf(gw, r.id);
      assert.deepEqual([row.status, row.error, row.attempts], [502, 'upstream_error', 1]);
    });
  });
}

test('close-early, stream: 200, no chunk, an error event naming the closed connection; not retried', async () => {
  await withGateway({}, async (gw, client) => {
    const r = await ask(client, 'close-early', { stream: true });
    assert.equal(r.status, 200);
    assert.equal(r.chunks, 0);
    assert.ok(r.error instanceof OpenAI.APIError, String(r.error));
    assert.match(r.error.message, /closed the connection in the middle of the response/);
    assert.equal(r.count, 1);
    assert.equal(r.attempts, 1);
    const b = await breaker(gw);
    assert.equal(b.breaker.state, 'closed');
    assert.equal(b.failures, 1);
    const row = rowOf(gw, r.id);
    assert.deepEqual([row.status, row.error, row.attempts], [200, 'upstream_disconnected', 1]);
  });
});

test('failover: a dead first upstream costs one attempt per request until its breaker opens, then none', async () => {
  const dead = { name: 'dead', base_url: `http://127.0.0.1:${await freePort()}/v1`, models: ['*'], priority: 0,
    breaker: { consecutive: 3, cooldown_ms: 60000 } };
  await withGateway({ upstreams: [dead, upstream({ priority: 1 })] }, async (gw, client) => {
    assert.equal((await breaker(gw, 'dead')).breaker.state, 'closed');
    const before = [];
    // Each failed try of `dead` is one failure; it opens after three, whichever requests made them.
    while ((await breaker(gw, 'dead')).breaker.state !== 'open') {
      assert.ok(before.length < 3, 'open after three failed attempts at most');
      before.push(await ask(client, 'ok'));
    }
    assert.equal(before.length, 3, 'one failed try of dead per request');
    for (const r of before) {
      assert.deepEqual([r.status, r.upstream, r.attempts, r.count, r.text], [200, 'up', 2, 1, NORMAL_TEXT]);
      const row = rowOf(gw, r.id);
      assert.deepEqual([row.status, row.error, row.attempts, row.upstream], [200, '', 2, 'up']);
    }
    for (let i = 0; i < 3; i++) {
      const r = await ask(client, 'ok');
      assert.deepEqual([r.status, r.upstream, r.attempts, r.count], [200, 'up', 1, 1], 'dead is no longer tried');
      assert.equal(rowOf(gw, r.id).attempts, 1);
    }
    assert.equal((await breaker(gw, 'up')).breaker.state, 'closed');
    assert.match(await metrics(gw), /tokenfuse_upstream_breaker_state\{[^}]*upstream="dead"[^}]*state="open"[^}]*\} 1/);
  });
});
