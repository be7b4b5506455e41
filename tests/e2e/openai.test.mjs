// The official openai SDK against TokenFuse with the built-in simulator as upstream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startGateway, waitForRow } from './harness.mjs';

let gw;
let client;
before(async () => {
  gw = await startGateway(['--simulate']);
  client = new OpenAI({ apiKey: 'sk-test-not-a-real-key', baseURL: gw.baseURL, maxRetries: 0 });
});
after(async () => { await gw.stop(); gw.cleanup(); });

const messages = [{ role: 'user', content: 'Say something deterministic.' }];

test('non-streamed completion: text, usage, and one stored row with the same counts and a cost', async () => {
  const { data, response } = await client.chat.completions
    .create({ model: 'gpt-4o-mini', messages }, { headers: { 'X-Tenant-ID': 'acme', 'X-Session-ID': 'agent-1' } })
    .withResponse();
  assert.ok(data.choices[0].message.content.length > 0);
  assert.ok(data.usage.prompt_tokens > 0 && data.usage.completion_tokens > 0);
  const id = response.headers.get('x-tokenfuse-request-id');
  assert.match(id, /^tfr_/);
  assert.equal(response.headers.get('x-tokenfuse-session'), 'agent-1');
  const rows = gw.query(`select * from requests where id = '${id}'`);
  assert.equal(rows.length, 1, 'the row is stored before the response ends');
  const row = rows[0];
  assert.equal(row.tenant, 'acme');
  assert.equal(row.session, 'agent-1');
  assert.equal(row.model, 'gpt-4o-mini');
  assert.equal(row.status, 200);
  assert.equal(row.prompt_tokens, data.usage.prompt_tokens);
  assert.equal(row.completion_tokens, data.usage.completion_tokens);
  assert.equal(row.estimated, 0);
  assert.equal(row.error, '');
  assert.ok(row.cost_micros > 0, 'gpt-4o-mini has a price');
  assert.equal(row.currency, 'USD');
});

test('stream without include_usage: chunks arrive, the usage chunk TokenFuse asked for is removed, the row has the usage', async () => {
  const { data: stream, response } = await client.chat.completions
    .create({ model: 'gpt-4o-mini', messages, stream: true })
    .withResponse();
  let text = '';
  let contentChunks = 0;
  let sawUsage = false;
  for await (const chunk of stream) {
    if (chunk.usage) sawUsage = true;
    assert.ok(chunk.choices.length > 0, 'no choices-less usage chunk reaches a client that did not ask for it');
    const delta = chunk.choices[0]?.delta?.content;
    if (delta) { text += delta; contentChunks++; }
  }
  assert.equal(sawUsage, false);
  assert.ok(text.length > 0);
  const id = response.headers.get('x-tokenfuse-request-id');
  const [row] = gw.query(`select * from requests where id = '${id}'`);
  assert.equal(row.stream, 1);
  assert.equal(row.estimated, 0, 'usage came from the upstream, not an estimate');
  assert.equal(row.completion_tokens, contentChunks, 'the simulator sends one token per chunk');
  assert.ok(row.ttft_ms >= 0);
});

test('stream with include_usage: the client gets the usage chunk and the row matches it', async () => {
  const stream = await client.chat.completions.create({
    model: 'deepseek-chat', messages, stream: true, stream_options: { include_usage: true },
  });
  let usage = null;
  for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
  assert.ok(usage && usage.completion_tokens > 0);
  const [row] = gw.query(`select * from requests where model = 'deepseek-chat' order by started_at desc limit 1`);
  assert.equal(row.prompt_tokens, usage.prompt_tokens);
  assert.equal(row.completion_tokens, usage.completion_tokens);
});

test('a stream whose upstream reports no usage is counted by estimate and marked so', async () => {
  const stream = await client.chat.completions.create(
    { model: 'gpt-4o', messages, stream: true }, { headers: { 'x-sim-fault': 'no-usage' } });
  let chunks = 0;
  for await (const chunk of stream) if (chunk.choices[0]?.delta?.content) chunks++;
  const [row] = gw.query(`select * from requests where model = 'gpt-4o' order by started_at desc limit 1`);
  assert.equal(row.estimated, 1);
  assert.ok(row.completion_tokens >= chunks, 'the estimate never counts fewer tokens than chunks');
  assert.ok(row.prompt_tokens > 0);
});

test('missing model: 400 in the OpenAI error shape, raised by the SDK', async () => {
  await assert.rejects(client.chat.completions.create({ messages }), (err) => {
    assert.equal(err.status, 400);
    assert.equal(err.error.type, 'invalid_request_error');
    assert.match(err.message, /model/);
    return true;
  });
});

test('malformed JSON: 400 with a message naming the problem', async () => {
  const res = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model": "gpt-4o",',
  });
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(body.error.type, 'invalid_request_error');
  assert.match(body.error.message, /not valid JSON/);
});

test('an upstream 429 with Retry-After reaches the SDK as a RateLimitError with the header', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'gpt-4o-mini', messages }, { headers: { 'x-sim-fault': 'status:429', 'x-sim-retry-after': '7' } }),
    (err) => {
      assert.equal(err.status, 429);
      assert.equal(err.headers.get('retry-after'), '7');
      return true;
    });
});

test('an upstream that vanishes mid-stream: the SDK raises in the caller\'s loop, the row records it', async () => {
  const { data: stream, response } = await client.chat.completions
    .create({ model: 'gpt-4o-mini', messages, stream: true }, { headers: { 'x-sim-fault': 'disconnect:5' } })
    .withResponse();
  let chunks = 0;
  await assert.rejects(async () => {
    for await (const chunk of stream) if (chunk.choices[0]?.delta?.content) chunks++;
  }, /closed the connection|upstream/i);
  assert.ok(chunks >= 1 && chunks <= 5);
  const [row] = gw.query(`select * from requests where id = '${response.headers.get('x-tokenfuse-request-id')}'`);
  assert.equal(row.error, 'upstream_disconnected');
  assert.ok(row.completion_tokens >= chunks, 'what streamed before the cut is billed');
});

test('models.list goes through', async () => {
  const page = await client.models.list();
  assert.ok(page.data.length > 0);
});

test('an unknown tf- key: AuthenticationError at once, not retried, x-should-retry false, a request id and one row', async () => {
  const session = `unknown-key-${Date.now()}`;
  let lastId;
  const keyed = new OpenAI({ apiKey: 'tf-no-such-key', baseURL: gw.baseURL, maxRetries: 3 });
  await assert.rejects(
    keyed.chat.completions.create({ model: 'gpt-4o', messages }, { headers: { 'X-Session-ID': session } }),
    (err) => {
      assert.ok(err instanceof OpenAI.AuthenticationError, `got ${err?.constructor?.name}`);
      assert.equal(err.status, 401);
      assert.equal(err.headers.get('x-should-retry'), 'false');
      assert.match(err.headers.get('x-tokenfuse-request-id') ?? '', /^tfr_/);
      lastId = err.headers.get('x-tokenfuse-request-id');
      return true;
    });
  // The SDK rejects after its last attempt, and rows are committed in order: once that attempt's
  // row is there, any earlier attempt's would be too.
  await waitForRow(gw, lastId);
  const rows = gw.query(`select status, error, model, endpoint, session from requests where session = '${session}'`);
  assert.deepEqual(rows, [{ status: 401, error: 'invalid_api_key', model: 'gpt-4o', endpoint: '/v1/chat/completions', session }]);
});
