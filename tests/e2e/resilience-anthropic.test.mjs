// The fault matrix in the Anthropic dialect: the official @anthropic-ai/sdk against a real tokenfuse
// whose upstream is `tokenfuse simulate`, a separate process, failing as each request's x-sim-fault
// header asks. Each row: what the SDK gets (the error types of Anthropic's API), the attempts, the
// breaker before and after, and the stored row.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startGateway, startSimulator } from './harness.mjs';

let sim;
before(async () => { sim = await startSimulator(['--ttft-ms', '0']); });
after(async () => { await sim.stop(); });

const MODEL = 'claude-haiku-4-5';
const messages = [{ role: 'user', content: 'Say five words.' }];
let asked = 0;

async function withGateway(body) {
  const gw = await startGateway([], {
    config: {
      upstreams: [{ name: 'up', base_url: sim.anthropicBaseURL, dialect: 'anthropic', models: ['claude-*'],
        breaker: { consecutive: 3, cooldown_ms: 60000 }, timeouts_ms: { first_byte: 1000, idle: 1000 } }],
      retries: { max_attempts: 3, base_delay_ms: 20, max_delay_ms: 100 },
    },
  });
  const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: gw.anthropicBaseURL, maxRetries: 0, timeout: 20000 });
  try {
    await body(gw, client);
  } catch (e) {
    e.message += `\n--- gateway log ---\n${gw.output()}`;
    throw e;
  } finally {
    await gw.stop();
    gw.cleanup();
  }
}

async function breaker(gw) {
  const { status, body } = await gw.admin('GET', 'upstreams/up');
  assert.equal(status, 200);
  return body.breaker.state;
}

// One request; its outcome as the SDK saw it, and the headers TokenFuse added.
async function ask(client, fault, stream = false) {
  const out = { text: '', error: null };
  const headers = { 'x-sim-fault': fault, 'x-sim-ttft-ms': '0' };
  const params = { model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: `${messages[0].content} #${++asked}` }] };
  try {
    if (stream) {
      const s = client.messages.stream(params, { headers });
      s.on('text', (t) => { out.text += t; });
      const response = await s.withResponse();
      out.status = response.response.status;
      out.headers = response.response.headers;
      try { await s.finalMessage(); } catch (e) { out.error = e; }
    } else {
      const { response } = await client.messages.create(params, { headers }).withResponse();
      out.status = response.status;
      out.headers = response.headers;
    }
  } catch (e) {
    out.error = e;
    out.status = e.status;
    out.headers = e.headers;
  }
  const h = (name) => (out.headers?.get ? out.headers.get(name) : out.headers?.[name]);
  out.attempts = Number(h('x-tokenfuse-attempts'));
  out.id = h('x-tokenfuse-request-id');
  out.retryAfter = h('retry-after');
  return out;
}

const rowOf = (gw, id) => gw.query(`select status, error, attempts, upstream from requests where id = '${id}'`)[0];

for (const status of [500, 529]) {
  test(`status:${status}: retried, passed on as Anthropic's error, the breaker opens`, async () => {
    await withGateway(async (gw, client) => {
      assert.equal(await breaker(gw), 'closed');
      const r = await ask(client, `status:${status}`);
      assert.ok(r.error instanceof Anthropic.APIError, String(r.error));
      assert.equal(r.status, status);
      if (status === 529) assert.equal(r.error.error?.error?.type, 'overloaded_error');
      assert.equal(r.attempts, 3);
      assert.equal(await breaker(gw), 'open');
      assert.deepEqual(Object.values(rowOf(gw, r.id)), [status, `upstream_status_${status}`, 3, 'up']);
      // Then every request is refused at the door, in Anthropic's shape, with retry-after.
      const refused = await ask(client, 'none');
      assert.equal(refused.status, 503);
      assert.equal(refused.error.error?.error?.type, 'overloaded_error');
      assert.match(refused.error.message, /up: breaker open/);
      assert.ok(Number(refused.retryAfter) > 0);
      assert.equal(refused.attempts, 0);
      assert.deepEqual(Object.values(rowOf(gw, refused.id)).slice(0, 3), [503, 'upstream_unavailable', 0]);
    });
  });
}

test('hanging mid-stream: an `event: error` the SDK raises, one attempt, the breaker still closed', async () => {
  await withGateway(async (gw, client) => {
    const r = await ask(client, 'stall:2', true);
    assert.equal(r.status, 200);
    assert.ok(r.error, 'the stream ended with an error');
    assert.match(String(r.error.message ?? r.error), /stalled|timed out|time-out/i);
    assert.equal(r.attempts, 1);
    assert.equal(await breaker(gw), 'closed');
    assert.deepEqual(Object.values(rowOf(gw, r.id)), [200, 'upstream_timeout', 1, 'up']);
  });
});

test('closing mid-stream: an error event, never retried', async () => {
  await withGateway(async (gw, client) => {
    const r = await ask(client, 'disconnect:2', true);
    assert.equal(r.status, 200);
    assert.ok(r.error, 'the stream ended with an error');
    assert.equal(r.attempts, 1);
    assert.equal(await breaker(gw), 'closed');
    const row = rowOf(gw, r.id);
    assert.equal(row.status, 200);
    assert.match(row.error, /^upstream_/);
  });
});

test('a malformed event mid-stream: not relayed, an error event in its place', async () => {
  await withGateway(async (gw, client) => {
    const r = await ask(client, 'malformed:2', true);
    assert.equal(r.status, 200);
    assert.ok(r.error instanceof Anthropic.APIError, `an error event the SDK raises (got ${r.error?.constructor?.name}: ${r.error?.message})`);
    assert.match(r.error.message, /malformed stream event/);
    assert.equal(r.attempts, 1);
    assert.deepEqual(Object.values(rowOf(gw, r.id)), [200, 'upstream_malformed', 1, 'up']);
  });
});
