// kill -9 of the gateway loses no request whose response had completed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from './harness.mjs';

test('every completed response has its row after kill -9', async () => {
  const gw = await startGateway(['--simulate', '--ttft-ms', '0', '--tokens-per-second', '0']);
  const completed = [];
  let stop = false;
  let n = 0;
  const worker = async () => {
    while (!stop) {
      const stream = n++ % 2 === 0;
      try {
        const res = await fetch(`${gw.baseURL}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
          body: JSON.stringify({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: `n${n}` }] }),
        });
        const body = await res.text(); // a response is complete when its body has ended
        const whole = stream ? body.includes('data: [DONE]') : JSON.parse(body).usage !== undefined;
        if (res.status === 200 && whole) completed.push(res.headers.get('x-tokenfuse-request-id'));
      } catch { /* the kill cuts requests in flight: those are not completed */ }
    }
  };
  const workers = [worker(), worker(), worker(), worker()];
  await new Promise((r) => setTimeout(r, 1500));
  await gw.stop('SIGKILL');
  stop = true;
  await Promise.all(workers);
  assert.ok(completed.length > 20, `enough requests completed before the kill (${completed.length})`);
  const ids = new Set(gw.query('select id from requests').map((r) => r.id));
  const missing = completed.filter((id) => !ids.has(id));
  assert.deepEqual(missing, [], 'no completed request is missing from the store');
  const [{ integrity_check }] = gw.query('pragma integrity_check');
  assert.equal(integrity_check, 'ok');
  gw.cleanup();
});

test('kill -9 during load loses no spend and hands back no reservation', async () => {
  const config = { budgets: [{ scope: 'tenant', match: '*', window: 'total', max_tokens: 100000000 }] };
  const gw = await startGateway(['--simulate', '--ttft-ms', '20', '--tokens-per-second', '400'], { config });
  let stop = false;
  const worker = async () => {
    while (!stop) {
      try {
        const res = await fetch(`${gw.baseURL}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-tenant-id': 'crash' },
          body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, max_tokens: 40, messages: [{ role: 'user', content: 'go' }] }),
        });
        await res.text();
      } catch { /* cut by the kill */ }
    }
  };
  const workers = Array.from({ length: 8 }, worker);
  await new Promise((r) => setTimeout(r, 1500));
  await gw.stop('SIGKILL');
  stop = true;
  await Promise.all(workers);

  const open = gw.query('select count(*) as n from reservations')[0].n;
  const stored = gw.query(`select coalesce(sum(tokens), 0) as t from budget_counters where subject = 'crash'`)[0].t;
  const rows = gw.query(`select coalesce(sum(prompt_tokens + completion_tokens), 0) as t from requests where tenant = 'crash'`)[0].t;
  assert.ok(rows > 0);
  assert.equal(stored, rows, 'every settled row is in the counters, in the same transaction');

  const again = await startGateway(['--simulate'], { config, reuse: gw });
  const after = again.query(`select coalesce(sum(tokens), 0) as t from budget_counters where subject = 'crash'`)[0].t;
  const interrupted = again.query(`select count(*) as n, coalesce(sum(prompt_tokens + completion_tokens), 0) as t from requests where error = 'interrupted'`)[0];
  assert.equal(again.query('select count(*) as n from reservations')[0].n, 0, 'no reservation is left open');
  assert.equal(interrupted.n, open, 'each open reservation became a row marked interrupted');
  assert.ok(after >= stored, 'recorded spend never goes backwards');
  assert.equal(after, stored + interrupted.t, 'open reservations are settled at their worst case');
  const budgets = await again.admin('GET', 'budgets');
  assert.equal(budgets.status, 200);
  assert.ok(JSON.stringify(budgets.body).includes('crash'));
  await again.stop();
  again.cleanup();
});
