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
