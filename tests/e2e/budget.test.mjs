// The token circuit breaker seen from the official SDKs: 402 before the call, a stream cut the
// moment a budget runs out, 429 rate limits, virtual keys, and the admin API that sets them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway } from './harness.mjs';

let gw;
before(async () => {
  gw = await startGateway(['--simulate'], {
    config: {
      default_max_tokens: 20,
      budgets: [
        { scope: 'session', match: 'cut-*', window: 'total', max_tokens: 120 },
        // "refuse" never lowers max_tokens, so this stream runs into the cap and is cut there.
        { scope: 'session', match: 'cutreq-*', window: 'request', max_tokens: 60, over_cap: 'refuse' },
        { scope: 'session', match: 'spend-*', window: 'total', max_tokens: 2000, name: 'agent session cap' },
      ],
      rate_limits: [
        { scope: 'session', match: 'rpm-*', rpm: 3 },
        { scope: 'session', match: 'conc-*', concurrency: 1 },
      ],
    },
  });
});
after(async () => { await gw.stop(); gw.cleanup(); });

const messages = [{ role: 'user', content: 'Tell me a long story.' }];
const openai = (session, extra = {}) => new OpenAI({
  apiKey: 'sk-test', baseURL: gw.baseURL, maxRetries: 0, defaultHeaders: { 'X-Session-ID': session }, ...extra,
});
const anthropic = (session) => new Anthropic({
  apiKey: 'sk-ant-test', baseURL: gw.anthropicBaseURL, maxRetries: 0, defaultHeaders: { 'X-Session-ID': session },
});

test('admin API: 401 without or with a wrong token, 200 with the one in admin.token', async () => {
  assert.equal((await gw.admin('GET', 'budgets', undefined, null)).status, 401);
  const wrong = await gw.admin('GET', 'budgets', undefined, 'tfadm_wrong');
  assert.equal(wrong.status, 401);
  assert.match(wrong.body.error.message, /admin\.token/);
  assert.equal(statSync(join(gw.dataDir, 'admin.token')).mode & 0o777, 0o600, 'admin.token is readable by its owner only');
  const ok = await gw.admin('GET', 'budgets');
  assert.equal(ok.status, 200);
  assert.equal(ok.body.budgets.length, 3);
  assert.equal(ok.body.budgets[2].over_cap, 'clamp');
  assert.equal(ok.body.budgets[2].min_output_tokens, 16);
});

test('admin API: an invalid rule is refused with a precise message and nothing changes', async () => {
  const before = await gw.admin('GET', 'budgets');
  const bad = await gw.admin('PUT', 'budgets', [
    { scope: 'tenant', match: '*', window: 'day', max_tokens: 10 },
    { scope: 'tenant', window: 'fortnight', max_tokens: 10 },
  ]);
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /budgets\[1\]\.window/);
  const malformed = await gw.admin('PUT', 'budgets', '[{"scope": ');
  assert.equal(malformed.status, 400);
  assert.deepEqual((await gw.admin('GET', 'budgets')).body, before.body);
});

test('a stream that runs past its budget is cut within one chunk, and the SDK raises in the loop', async () => {
  const { data: stream, response } = await openai('cut-openai').chat.completions
    // No max_tokens: TokenFuse holds the request to default_max_tokens (20 here); an upstream that
    // ignores that limit (the simulator's ignore-max-tokens fault) meets the cut, the second line.
    .create({ model: 'gpt-4o-mini', messages, stream: true },
      { headers: { 'x-sim-completion-tokens': '400', 'x-sim-tokens-per-second': '0', 'x-sim-fault': 'ignore-max-tokens' } })
    .withResponse();
  let chunks = 0;
  const err = await (async () => {
    try { for await (const c of stream) if (c.choices[0]?.delta?.content) chunks++; } catch (e) { return e; }
    return null;
  })();
  assert.ok(err, 'the stream must not end quietly');
  assert.match(err.message, /budget/i);
  const [row] = gw.query(`select * from requests where id = '${response.headers.get('x-tokenfuse-request-id')}'`);
  assert.equal(row.error, 'budget_exceeded');
  const used = row.prompt_tokens + row.completion_tokens;
  // One simulated chunk is one word, which TokenFuse's conservative count puts at 1 to 4 tokens.
  assert.ok(used <= 120 + 4, `spent ${used} of a 120-token cap: at most one chunk past it`);
  assert.ok(used >= 120 - 2, `and it ran up to the cap (${used})`);
  assert.ok(chunks > 0 && chunks <= row.completion_tokens, `the client saw ${chunks} chunks, no more than were counted`);
  assert.equal(row.estimated, 1, "cut before the usage chunk: counted by TokenFuse");
});

test('the same budget, spent, answers 402 before anything reaches the upstream', async () => {
  await assert.rejects(openai('cut-openai').chat.completions.create({ model: 'gpt-4o-mini', messages }), (err) => {
    assert.equal(err.status, 402);
    assert.equal(err.error.type, 'budget_exceeded');
    assert.equal(err.headers.get('x-should-retry'), 'false');
    assert.match(err.message, /cut-openai/);
    return true;
  });
});

// Claude Code asks for max_tokens 64000 (or 128000) whatever its session has left; a session cap
// below that spends down instead of refusing the first request.
for (const sdk of ['anthropic', 'openai']) {
  test(`${sdk}: a session cap under max_tokens 64000 is spent down across requests, then 402 naming the budget`, async () => {
    const session = `spend-${sdk}`;
    const headers = { 'x-sim-completion-tokens': '600', 'x-sim-tokens-per-second': '0' };
    const ask = () => (sdk === 'anthropic'
      // An explicit timeout: the SDK otherwise insists on streaming for max_tokens this large.
      ? anthropic(session).messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64000, messages }, { headers, timeout: 60000 }).withResponse()
      : openai(session).chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 64000, messages }, { headers }).withResponse());
    const outputs = [];
    let refusal = null;
    for (let i = 0; i < 10 && !refusal; i++) {
      try {
        const { data, response } = await ask();
        const clamp = response.headers.get('x-tokenfuse-max-tokens-clamped');
        assert.match(clamp, /^\d+; requested=64000; rule="agent session cap"$/, 'each request asked for more than was left');
        const forwarded = Number(clamp.split(';')[0]);
        const output = sdk === 'anthropic' ? data.usage.output_tokens : data.usage.completion_tokens;
        assert.ok(output <= forwarded, `answered ${output} tokens, at most the ${forwarded} forwarded`);
        const [row] = gw.query(`select clamped_max_tokens from requests where id = '${response.headers.get('x-tokenfuse-request-id')}'`);
        assert.equal(row.clamped_max_tokens, forwarded);
        outputs.push(output);
      } catch (err) {
        refusal = err;
      }
    }
    assert.ok(outputs.length >= 3, `served ${outputs.length} requests before the cap`);
    assert.ok(outputs.at(-1) < 600, 'the last answer was cut short by what was left');
    assert.ok(refusal, 'the spent budget refuses');
    assert.equal(refusal.status, 402);
    assert.equal(sdk === 'anthropic' ? refusal.error.error.type : refusal.error.type, sdk === 'anthropic' ? 'billing_error' : 'budget_exceeded');
    assert.match(refusal.message, /agent session cap/);
    assert.match(refusal.message, new RegExp(session));
    const [spent] = gw.query(`select sum(prompt_tokens + completion_tokens) as tokens from requests where session = '${session}'`);
    assert.ok(spent.tokens <= 2000, `spent ${spent.tokens} of a 2,000-token cap`);
    assert.ok(spent.tokens >= 2000 - 16 - 40, `and spent it down (${spent.tokens})`);
  });
}

test('max_tokens that is not a whole number from 1 to 2147483647 is a 400 naming the field', async () => {
  for (const max_tokens of [1e22, 1e19, -5, 0, 1.5, '20000']) {
    await assert.rejects(anthropic('bad-max').messages.create({ model: 'claude-sonnet-4-5', max_tokens, messages }, { timeout: 60000 }), (err) => {
      assert.equal(err.status, 400);
      assert.equal(err.error.error.type, 'invalid_request_error');
      assert.match(err.message, /'max_tokens' must be a whole number from 1 to 2147483647/);
      return true;
    });
    await assert.rejects(openai('bad-max').chat.completions.create({ model: 'gpt-4o-mini', max_completion_tokens: max_tokens, messages }), (err) => {
      assert.equal(err.status, 400);
      assert.equal(err.error.type, 'invalid_request_error');
      assert.match(err.message, /'max_completion_tokens'/);
      return true;
    });
  }
});

test('a stream cut on /v1/messages ends with event: error, and the Anthropic SDK raises', async () => {
  // A per-request cap of 60 tokens that refuses rather than clamps: the request is admitted (its
  // prompt fits) and cut at the cap, the second line of defence behind clamping.
  const stream = anthropic('cutreq-anthropic').messages.stream(
    { model: 'claude-sonnet-4-5', max_tokens: 300, messages },
    { headers: { 'x-sim-completion-tokens': '300', 'x-sim-tokens-per-second': '0' } });
  let deltas = 0;
  stream.on('text', () => { deltas++; });
  await assert.rejects(stream.finalMessage(), /budget/i);
  // The SDK raises on the error event, which comes before the cut stream's row is committed.
  let row;
  for (const deadline = Date.now() + 5000; !row && Date.now() < deadline; await new Promise((r) => setTimeout(r, 50)))
    [row] = gw.query(`select * from requests where session = 'cutreq-anthropic'`);
  assert.ok(row, 'the cut stream has its row');
  assert.equal(row.error, 'budget_exceeded');
  assert.ok(row.completion_tokens <= 61, `cut at the 60-token cap, within one chunk (${row.completion_tokens})`);
  assert.ok(deltas <= row.completion_tokens);
});

test('402 on /v1/messages is a billing_error', async () => {
  const client = anthropic('cut-anthropic-402');
  await gw.admin('PUT', 'budgets', [{ scope: 'session', match: 'cut-anthropic-402', window: 'day', max_tokens: 5 }]);
  await assert.rejects(client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, messages }), (err) => {
    assert.equal(err.status, 402);
    assert.equal(err.error.error.type, 'billing_error');
    return true;
  });
});

test('rate limit: the fourth request in a minute gets 429 with retry-after, retry-after-ms, x-should-retry', async () => {
  const client = openai('rpm-1');
  for (let i = 0; i < 3; i++) {
    const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 5 }).withResponse();
    assert.equal(response.headers.get('x-ratelimit-remaining-requests'), String(2 - i));
  }
  await assert.rejects(client.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 5 }), (err) => {
    assert.equal(err.status, 429);
    assert.equal(err.error.type, 'rate_limit_exceeded');
    assert.equal(err.headers.get('x-should-retry'), 'true');
    const after = Number(err.headers.get('retry-after'));
    const afterMs = Number(err.headers.get('retry-after-ms'));
    assert.ok(after >= 1 && after <= 60);
    assert.ok(afterMs > 0 && afterMs <= 60000);
    assert.match(err.message, /requests per minute.*retry in \d+ (s|min)/);
    return true;
  });
});

test('rate limit on /v1/messages: concurrency, as rate_limit_error', async () => {
  const client = anthropic('conc-1');
  const slow = client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages },
    { headers: { 'x-sim-ttft-ms': '600' } });
  await new Promise((r) => setTimeout(r, 150));
  await assert.rejects(client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages }), (err) => {
    assert.equal(err.status, 429);
    assert.equal(err.error.error.type, 'rate_limit_error');
    assert.match(err.message, /concurrent/);
    return true;
  });
  await slow;
});

test('virtual keys: a tf- key names its tenant, an unknown one gets 401, a revoked one stops at once', async () => {
  const created = await gw.admin('POST', 'keys', { tenant: 'acme', name: 'ci-bot' });
  assert.equal(created.status, 201);
  assert.match(created.body.key, /^tf-/);
  const key = created.body.key;
  const listed = await gw.admin('GET', 'keys');
  assert.ok(!JSON.stringify(listed.body).includes(key), 'the key is shown once, never listed');
  const client = new OpenAI({ apiKey: key, baseURL: gw.baseURL, maxRetries: 0 });
  const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 5 }).withResponse();
  const [row] = gw.query(`select tenant, key_fingerprint from requests where id = '${response.headers.get('x-tokenfuse-request-id')}'`);
  assert.equal(row.tenant, 'acme');
  const unknown = new OpenAI({ apiKey: 'tf-unknownunknownunknown', baseURL: gw.baseURL, maxRetries: 0 });
  await assert.rejects(unknown.chat.completions.create({ model: 'gpt-4o-mini', messages }), (err) => err.status === 401);
  assert.equal((await gw.admin('DELETE', `keys/${created.body.id}`)).status, 200);
  await assert.rejects(client.chat.completions.create({ model: 'gpt-4o-mini', messages }), (err) => err.status === 401);
  const claude = new Anthropic({ apiKey: key, baseURL: gw.anthropicBaseURL, maxRetries: 0 });
  await assert.rejects(claude.messages.create({ model: 'claude-x', max_tokens: 5, messages }), (err) => {
    assert.equal(err.status, 401);
    assert.equal(err.error.error.type, 'authentication_error');
    return true;
  });
  const audit = await gw.admin('GET', 'audit');
  const actions = audit.body.audit.map((e) => e.action);
  assert.ok(actions.includes('keys.create') && actions.includes('keys.revoke') && actions.includes('budgets.put'));
});
