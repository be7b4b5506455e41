// Real agent CLIs through TokenFuse: Claude Code (`claude -p`) and Codex CLI (`codex exec`, which
// speaks only the Responses API), both installed from the committed package-lock.json and run
// against the built-in simulator. Each must get its answer with every call counted (endpoint,
// stream flag, tokens, the agent's own session id), and under a small session cap each must be
// served until the cap is spent, then stopped with a message naming the budget, without retrying.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startGateway } from './harness.mjs';

const bin = (name) => new URL(`./node_modules/.bin/${name}`, import.meta.url).pathname;

// Runs a CLI to completion with an isolated HOME; resolves with its exit code and output.
function run(command, args, env, timeoutMs = 120000) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${command} timed out:\n${stdout}\n${stderr}`)); }, timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

const homes = [];
function isolatedHome() {
  const home = mkdtempSync(join(tmpdir(), 'tokenfuse-agent-home-'));
  homes.push(home);
  return home;
}

// Only what the CLIs need: no inherited keys or proxies, nothing sent anywhere but TokenFuse.
function baseEnv(home) {
  return {
    PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', TERM: 'dumb',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1',
  };
}

function claude(gw, args, home = isolatedHome()) {
  const env = { ...baseEnv(home), ANTHROPIC_BASE_URL: gw.anthropicBaseURL, ANTHROPIC_API_KEY: 'sk-ant-agent-test' };
  return run(bin('claude'), ['-p', ...args, '--output-format', 'json'], env);
}

function codex(gw, args, home = isolatedHome()) {
  const codexHome = join(home, '.codex');
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(join(codexHome, 'config.toml'), [
    'model_provider = "tokenfuse"',
    'model = "gpt-5.1-codex"',
    '[model_providers.tokenfuse]',
    'name = "TokenFuse"',
    `base_url = "${gw.baseURL}"`,
    'wire_api = "responses"',
    'env_key = "TOKENFUSE_TEST_KEY"',
    'request_max_retries = 4',
    'stream_max_retries = 4',
    '',
  ].join('\n'));
  const env = { ...baseEnv(home), CODEX_HOME: codexHome, TOKENFUSE_TEST_KEY: 'sk-agent-test' };
  return run(bin('codex'), ['exec', '--skip-git-repo-check', '-C', home, ...args], env);
}

// The session id Codex prints in its banner ("session id: ...").
function codexSession(output) {
  const m = output.match(/session id: ([0-9a-f-]{36})/);
  return m ? m[1] : null;
}

const parseJson = (text) => JSON.parse(text.trim().split('\n').filter((l) => l.startsWith('{')).pop());

let gw;
let capped;
before(async () => {
  gw = await startGateway(['--simulate']);
  capped = await startGateway(['--simulate'], {
    config: { budgets: [{ scope: 'session', match: '*', window: 'total', max_tokens: 40000 }] },
  });
});
after(async () => {
  await gw?.stop(); gw?.cleanup();
  await capped?.stop(); capped?.cleanup();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

test('Claude Code gets its answer; every call is counted under its own session id', async () => {
  const session = randomUUID();
  const r = await claude(gw, ['Say hello.', '--session-id', session]);
  const out = parseJson(r.stdout);
  assert.equal(out.is_error, false, r.stdout + r.stderr);
  assert.ok(out.result.length > 0);
  const rows = gw.query(`select * from requests where session = '${session}'`);
  assert.ok(rows.length >= 1, `rows under the agent's session: ${JSON.stringify(gw.query('select session, endpoint from requests'))}`);
  for (const row of rows) {
    assert.equal(row.endpoint, '/v1/messages');
    assert.equal(row.status, 200);
    assert.equal(row.error, '');
    assert.equal(row.estimated, 0);
  }
  // What TokenFuse counted is what the agent was told it spent.
  const streamed = rows.filter((row) => row.stream === 1);
  assert.ok(streamed.length >= 1);
  assert.equal(rows.reduce((s, row) => s + row.prompt_tokens, 0), out.usage.input_tokens);
  assert.equal(rows.reduce((s, row) => s + row.completion_tokens, 0), out.usage.output_tokens);
});

test('Codex CLI gets its answer over the Responses API; every call is counted', async () => {
  const r = await codex(gw, ['Say hello.']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const rows = gw.query(`select * from requests where endpoint = '/v1/responses'`);
  assert.ok(rows.length >= 1, JSON.stringify(gw.query('select endpoint, status, error from requests')));
  for (const row of rows) {
    assert.equal(row.status, 200);
    assert.equal(row.error, '');
    assert.equal(row.stream, 1);
    assert.equal(row.estimated, 0, 'usage read from response.completed');
    assert.ok(row.prompt_tokens > 0 && row.completion_tokens > 0);
  }
  // Codex names its session in a header of its own; the rows carry it.
  const sessions = new Set(rows.map((row) => row.session));
  assert.equal(sessions.size, 1);
  assert.match([...sessions][0], /^[0-9a-f-]{36}$/);
  const answer = r.stdout.trim();
  assert.ok(answer.length > 0, 'Codex printed the answer');
});

test('Claude Code under a small session cap is served until it is spent, then stopped without retrying', async () => {
  const session = randomUUID();
  const home = isolatedHome();
  // Claude Code asks for max_tokens 128000; its prompt is ~12k tokens. The cap (40k) is far below
  // what it asks for, so TokenFuse spends it down: the first turns are served with a clamped limit.
  let served = 0;
  let last;
  for (let i = 0; i < 6; i++) {
    const args = i === 0 ? ['Say hello.', '--session-id', session] : ['Say hello again.', '--resume', session];
    last = await claude(capped, args, home);
    const out = parseJson(last.stdout);
    if (out.is_error) break;
    served++;
  }
  assert.ok(served >= 1, 'served before the cap was spent');
  const out = parseJson(last.stdout);
  assert.equal(out.is_error, true, 'stopped once the cap is spent');
  assert.match(out.result, /budget/i, out.result);
  const rows = capped.query(`select status, error, completion_tokens, clamped_max_tokens from requests where session = '${session}' order by started_at`);
  const refused = rows.filter((row) => row.status === 402);
  assert.equal(refused.length, 1, `one refusal, not retried: ${JSON.stringify(rows)}`);
  assert.ok(rows.filter((row) => row.status === 200).every((row) => row.clamped_max_tokens > 0 && row.clamped_max_tokens < 128000));
  const spent = capped.query(`select sum(prompt_tokens + completion_tokens) as t from requests where session = '${session}'`)[0].t;
  assert.ok(spent <= 40000, `spent ${spent} within the 40000-token cap`);
});

test('Codex CLI under a small session cap is served until it is spent, then stopped without retrying', async () => {
  const home = isolatedHome();
  let served = 0;
  let last;
  let session = null;
  for (let i = 0; i < 8; i++) {
    const args = i === 0 ? ['Say hello.'] : ['resume', '--last', `Say hello again, turn ${i}.`];
    last = await codex(capped, args, home);
    session ??= codexSession(last.stdout + last.stderr);
    if (last.code !== 0) break;
    served++;
  }
  assert.ok(session, 'Codex named its session');
  assert.ok(served >= 1, 'served before the cap was spent');
  assert.notEqual(last.code, 0, 'stopped once the cap is spent');
  assert.match(last.stdout + last.stderr, /budget/i);
  const rows = capped.query(`select status, error, stream, completion_tokens, clamped_max_tokens from requests where session = '${session}' order by started_at`);
  // Codex retries a 402 five times whatever x-should-retry says, so its refusal is a 400 with the
  // same budget_exceeded body (docs/agents.md): one refusal, no retries.
  const refused = rows.filter((row) => row.error === 'budget_exceeded');
  assert.ok(refused.every((row) => row.status === 400));
  assert.equal(refused.length, 1, `one refusal, not retried: ${JSON.stringify(rows)}`);
  // Codex sends no max_output_tokens: under a token cap TokenFuse injects one (the default, or
  // what is left), so no answer can run past the cap.
  assert.ok(rows.filter((row) => row.status === 200).every((row) => row.stream === 1 && row.clamped_max_tokens > 0), JSON.stringify(rows));
  const spent = capped.query(`select sum(prompt_tokens + completion_tokens) as t from requests where session = '${session}'`)[0].t;
  assert.ok(spent <= 40000, `spent ${spent} within the 40000-token cap`);
});
