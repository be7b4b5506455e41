// Every endpoint metered, seen from the official openai SDK: /v1/responses whole and streamed
// (responses.create and responses.stream), a Responses stream cut at its budget raising in the
// caller's loop, embeddings and legacy completions; the rows checked in the SQLite file. The
// upstream is a small provider speaking the Responses API's real event sequence.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startGateway } from './harness.mjs';
import { startEndpointUpstream } from './endpoint-upstream.mjs';

let gw;
let up;
before(async () => {
  up = await startEndpointUpstream();
  gw = await startGateway([], {
    config: {
      upstreams: [{ name: 'provider', base_url: `http://127.0.0.1:${up.port}/v1`, models: ['*'] }],
      default_max_tokens: 20,
      budgets: [{ scope: 'session', match: 'cut-*', window: 'total', max_tokens: 100 }],
    },
  });
});
after(async () => { await gw.stop(); gw.cleanup(); await up.close(); });

const client = (session, headers = {}) => new OpenAI({
  apiKey: 'sk-test', baseURL: gw.baseURL, maxRetries: 0, defaultHeaders: { 'X-Session-ID': session, ...headers },
});
const rowOf = (id) => gw.query(`select * from requests where id = '${id}'`)[0];

test('responses.create: the usage, cached tokens included, is stored', async () => {
  const { data, response } = await client('whole', { 'x-up-input-tokens': '2048', 'x-up-cached-tokens': '1536', 'x-up-output-tokens': '5' })
    .responses.create({ model: 'gpt-4.1', input: 'Say hello.', instructions: 'Be brief.' }).withResponse();
  assert.equal(data.output_text, 'abc abc abc abc abc');
  const row = rowOf(response.headers.get('x-tokenfuse-request-id'));
  assert.equal(row.endpoint, '/v1/responses');
  assert.equal(row.stream, 0);
  assert.equal(row.prompt_tokens, 2048);
  assert.equal(row.cached_tokens, 1536);
  assert.equal(row.completion_tokens, 5);
  assert.equal(row.estimated, 0);
});

test('responses.stream: every event arrives, and the row holds the reported usage with stream=1', async () => {
  const stream = client('streamed', { 'x-up-input-tokens': '900', 'x-up-cached-tokens': '512', 'x-up-output-tokens': '40', 'x-up-reasoning-tokens': '16' })
    .responses.stream({ model: 'gpt-5', input: [{ role: 'user', content: 'Count.' }] });
  let deltas = 0;
  for await (const event of stream) if (event.type === 'response.output_text.delta') deltas++;
  const final = await stream.finalResponse();
  assert.equal(deltas, 40);
  assert.equal(final.status, 'completed');
  assert.equal(final.usage.output_tokens, 56);
  const [row] = gw.query(`select * from requests where session = 'streamed'`);
  assert.equal(row.stream, 1);
  assert.equal(row.prompt_tokens, 900);
  assert.equal(row.cached_tokens, 512);
  assert.equal(row.completion_tokens, 56);
  assert.equal(row.estimated, 0);
  assert.equal(row.error, '');
});

async function drain(iterable, onEvent) {
  try {
    for await (const event of iterable) onEvent(event);
  } catch (e) {
    return e;
  }
  return null;
}

test('a streamed response that runs past its budget is cut, and the SDK raises in the loop', async () => {
  const abortsBefore = up.stats.aborts;
  const { data: stream, response } = await client('cut-create', { 'x-up-output-tokens': '500', 'x-up-interval-ms': '2' })
    .responses.create({ model: 'gpt-4.1', input: 'Tell me a long story.', stream: true }).withResponse();
  let deltas = 0;
  const err = await drain(stream, (e) => { if (e.type === 'response.output_text.delta') deltas++; });
  assert.ok(err, 'the stream must not end quietly');
  assert.match(err.message, /budget/i);
  assert.match(err.message, /100/);
  const row = rowOf(response.headers.get('x-tokenfuse-request-id'));
  assert.equal(row.error, 'budget_exceeded');
  assert.equal(row.stream, 1);
  assert.equal(row.estimated, 1);
  const used = row.prompt_tokens + row.completion_tokens;
  assert.ok(used > 100 && used <= 101, `spent ${used} of a 100-token cap: one delta past it at most`);
  assert.equal(deltas, row.completion_tokens - 1, 'the client saw every counted delta but the one that crossed');
  // The provider was told to stop.
  for (let i = 0; i < 100 && up.stats.aborts === abortsBefore; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(up.stats.aborts, abortsBefore + 1);

  // The session is spent: the next call is refused before it goes upstream.
  const refused = await client('cut-create').responses.create({ model: 'gpt-4.1', input: 'More.', stream: true }).catch((e) => e);
  assert.equal(refused.status, 402);
  assert.equal(refused.code, 'budget_exceeded');
});

test('responses.stream raises the budget error too', async () => {
  const stream = client('cut-helper', { 'x-up-output-tokens': '500', 'x-up-interval-ms': '2' })
    .responses.stream({ model: 'gpt-4.1', input: 'Tell me a long story.' });
  const err = await drain(stream, () => {});
  assert.ok(err, 'the helper must raise');
  assert.match(err.message, /budget/i);
  await assert.rejects(stream.finalResponse());
  const [row] = gw.query(`select * from requests where session = 'cut-helper'`);
  assert.equal(row.error, 'budget_exceeded');
  assert.ok(row.prompt_tokens + row.completion_tokens <= 101);
});

test('embeddings are metered', async () => {
  const { data, response } = await client('embed', { 'x-up-input-tokens': '6' })
    .embeddings.create({ model: 'text-embedding-3-small', input: ['one', 'two'], encoding_format: 'float' }).withResponse();
  assert.equal(data.data[0].embedding.length, 3);
  const row = rowOf(response.headers.get('x-tokenfuse-request-id'));
  assert.equal(row.endpoint, '/v1/embeddings');
  assert.equal(row.prompt_tokens, 6);
  assert.equal(row.completion_tokens, 0);
  assert.equal(row.estimated, 0);
});

test('legacy completions are metered, streamed and not', async () => {
  const whole = await client('legacy', { 'x-up-input-tokens': '4', 'x-up-output-tokens': '3' })
    .completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7 }).withResponse();
  assert.equal(whole.data.choices[0].text, 'abc abc abc');
  const wholeRow = rowOf(whole.response.headers.get('x-tokenfuse-request-id'));
  assert.equal(wholeRow.prompt_tokens, 4);
  assert.equal(wholeRow.completion_tokens, 3);
  assert.equal(wholeRow.endpoint, '/v1/completions');

  const { data: stream, response } = await client('legacy', { 'x-up-input-tokens': '4', 'x-up-output-tokens': '9' })
    .completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', stream: true }).withResponse();
  let text = '';
  let sawUsage = false;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.text ?? '';
    if (chunk.usage) sawUsage = true;
  }
  assert.equal(text, Array(9).fill('abc').join(' '));
  assert.equal(sawUsage, false, 'the usage chunk TokenFuse asked for is not shown to a client that did not');
  const row = rowOf(response.headers.get('x-tokenfuse-request-id'));
  assert.equal(row.stream, 1);
  assert.equal(row.prompt_tokens, 4);
  assert.equal(row.completion_tokens, 9);
  assert.equal(row.estimated, 0);
});
