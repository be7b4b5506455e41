// A real tokenfuse process between the official openai SDK and what a web page could send: the SDK
// (no Origin, application/json) is served; a page's cross-origin or text/plain request is not, and
// leaves no row behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startGateway } from './harness.mjs';

let gw;
before(async () => { gw = await startGateway(['--simulate']); });
after(async () => { await gw.stop(); gw.cleanup(); });

const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
const rows = () => gw.query('select count(*) as n from requests')[0].n;

test('the openai SDK is still served', async () => {
  const client = new OpenAI({ apiKey: 'sk-test-not-a-real-key', baseURL: gw.baseURL, maxRetries: 0 });
  const done = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  assert.ok(done.choices[0].message.content.length > 0);
});

test('a web page\'s cross-origin text/plain request is refused with 403 and costs nothing', async () => {
  const before = rows();
  const res = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'text/plain', origin: 'http://evil.example' }, body,
  });
  assert.equal(res.status, 403);
  assert.equal(res.headers.get('x-should-retry'), 'false');
  assert.equal(res.headers.get('access-control-allow-origin'), null);
  const err = await res.json();
  assert.equal(err.error.code, 'forbidden_origin');
  assert.equal(rows(), before);
});

test('a JSON body sent as text/plain gets 415 in the caller\'s dialect', async () => {
  const res = await fetch(`${gw.anthropicBaseURL}/v1/messages`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
  assert.equal(res.status, 415);
  const err = await res.json();
  assert.equal(err.type, 'error');
  assert.equal(err.error.type, 'invalid_request_error');
});
