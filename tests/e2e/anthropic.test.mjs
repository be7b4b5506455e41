// The official @anthropic-ai/sdk against TokenFuse's /v1/messages with the built-in simulator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startGateway, waitForRow } from './harness.mjs';

let gw;
let client;
before(async () => {
  gw = await startGateway(['--simulate']);
  client = new Anthropic({ apiKey: 'sk-ant-test-not-real', baseURL: gw.anthropicBaseURL, maxRetries: 0 });
});
after(async () => { await gw.stop(); gw.cleanup(); });

const messages = [{ role: 'user', content: 'Write three words.' }];

test('non-streamed message: text, usage, one stored row', async () => {
  const { data, response } = await client.messages
    .create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages }, { headers: { 'X-Session-ID': 'claude-agent' } })
    .withResponse();
  assert.equal(data.type, 'message');
  assert.ok(data.content[0].text.length > 0);
  const id = response.headers.get('x-tokenfuse-request-id');
  const [row] = gw.query(`select * from requests where id = '${id}'`);
  assert.equal(row.endpoint, '/v1/messages');
  assert.equal(row.session, 'claude-agent');
  assert.equal(row.prompt_tokens, data.usage.input_tokens);
  assert.equal(row.completion_tokens, data.usage.output_tokens);
  assert.equal(row.estimated, 0);
  assert.ok(row.cost_micros > 0);
});

test('streamed message: input tokens from message_start, output from the last message_delta', async () => {
  const stream = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 40, messages });
  let deltas = 0;
  stream.on('text', () => { deltas++; });
  const final = await stream.finalMessage();
  assert.ok(deltas > 0);
  assert.equal(final.usage.output_tokens, deltas, 'cumulative, not summed');
  const [row] = gw.query(`select * from requests where model = 'claude-haiku-4-5' order by started_at desc limit 1`);
  assert.equal(row.stream, 1);
  assert.equal(row.prompt_tokens, final.usage.input_tokens);
  assert.equal(row.completion_tokens, final.usage.output_tokens);
});

test('invalid request: 400 in the Anthropic error shape', async () => {
  await assert.rejects(client.messages.create({ max_tokens: 10, messages }), (err) => {
    assert.equal(err.status, 400);
    assert.equal(err.error.type, 'error');
    assert.equal(err.error.error.type, 'invalid_request_error');
    return true;
  });
});

test('an overloaded upstream (529) reaches the SDK as such', async () => {
  await assert.rejects(
    client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages }, { headers: { 'x-sim-fault': 'status:529' } }),
    (err) => { assert.equal(err.status, 529); return true; });
});

test('an upstream that vanishes mid-stream ends with an error event the SDK raises', async () => {
  const stream = client.messages.stream({ model: 'claude-opus-4-1', max_tokens: 64, messages }, { headers: { 'x-sim-fault': 'disconnect:3' } });
  await assert.rejects(stream.finalMessage());
  const [row] = gw.query(`select * from requests where model = 'claude-opus-4-1' order by started_at desc limit 1`);
  assert.equal(row.error, 'upstream_disconnected');
});

test('an unknown tf- key: AuthenticationError at once, not retried, x-should-retry false, a request id and one row', async () => {
  const session = `unknown-key-${Date.now()}`;
  let lastId;
  const keyed = new Anthropic({ apiKey: 'tf-no-such-key', baseURL: gw.anthropicBaseURL, maxRetries: 3 });
  await assert.rejects(
    keyed.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages }, { headers: { 'X-Session-ID': session } }),
    (err) => {
      assert.ok(err instanceof Anthropic.AuthenticationError, `got ${err?.constructor?.name}`);
      assert.equal(err.status, 401);
      assert.equal(err.error.error.type, 'authentication_error');
      assert.equal(err.headers.get('x-should-retry'), 'false');
      assert.match(err.headers.get('x-tokenfuse-request-id') ?? '', /^tfr_/);
      lastId = err.headers.get('x-tokenfuse-request-id');
      return true;
    });
  // The SDK rejects after its last attempt, and rows are committed in order: once that attempt's
  // row is there, any earlier attempt's would be too.
  await waitForRow(gw, lastId);
  const rows = gw.query(`select status, error, model, endpoint, session from requests where session = '${session}'`);
  assert.deepEqual(rows, [{ status: 401, error: 'invalid_api_key', model: 'claude-sonnet-4-5', endpoint: '/v1/messages', session }]);
});
