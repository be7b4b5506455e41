// Scripted runaway agents and the measurements around them, shared by runaway.test.mjs and the
// benchmark bench/runaway/runaway.mjs: each agent is the official openai SDK against a TokenFuse
// gateway whose upstream is the built-in simulator, and stops at its first 403 session_blocked.
import OpenAI from 'openai';
import { performance } from 'node:perf_hooks';

// A fetch that counts the HTTP attempts an SDK makes (its own retries included).
export function countingFetch(attempts) {
  return (url, init) => { attempts.n++; return fetch(url, init); };
}

// Polls `check` every `everyMs` until it returns something truthy; throws naming `what` after `timeoutMs`.
export async function poll(check, what, timeoutMs = 5000, everyMs = 20) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// GET /admin/v1/sessions/{id}: the session's view, or null when the gateway does not know it.
export async function sessionState(gw, id) {
  const r = await gw.admin('GET', `sessions/${encodeURIComponent(id)}`);
  return r.status === 200 ? r.body : null;
}

// Refusals are stored after they are answered, in the order they happened: once a later request's
// row is there, so is every earlier one's.
export async function sentinel(gw) {
  const res = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-session-id': 'store-sentinel', 'x-sim-ttft-ms': '0', 'x-sim-completion-tokens': '1' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'sentinel' }] }),
  });
  await res.text();
  const id = res.headers.get('x-tokenfuse-request-id');
  await poll(() => gw.query(`select id from requests where id = '${id}'`).length > 0, `the row of ${id}`);
}

// Reads an SDK stream; after `afterChunks` chunks for which `isChunk` is truthy it calls `kill`
// (an admin request) and keeps reading until the loop raises. Times are performance.now() ms.
export async function killDuringStream(stream, isChunk, kill, afterChunks = 3) {
  let chunks = 0;
  let killing = null;
  let sentAt = 0;
  let answeredAt = 0;
  let error = null;
  let raisedAt = 0;
  try {
    for await (const chunk of stream) {
      if (!isChunk(chunk)) continue;
      chunks++;
      if (chunks === afterChunks && !killing) {
        sentAt = performance.now();
        killing = kill().then((answer) => { answeredAt = performance.now(); return answer; });
      }
    }
  } catch (e) {
    error = e;
    raisedAt = performance.now();
  }
  const answer = await killing;
  return {
    chunks, error, kill: answer,
    killMs: answeredAt - sentAt,
    // Negative when the stream's error event was read before the admin answer.
    raiseAfterAnswerMs: raisedAt - answeredAt,
    raiseAfterSendMs: raisedAt - sentAt,
  };
}

function client(gw, session, headers = {}) {
  return new OpenAI({
    apiKey: 'sk-test', baseURL: gw.baseURL, maxRetries: 3,
    defaultHeaders: { 'X-Session-ID': session, 'x-sim-ttft-ms': '0', 'x-sim-tokens-per-second': '0', ...headers },
  });
}

const isBlocked = (e) => e?.status === 403 && e?.code === 'session_blocked';

// One agent's run: `step(i)` makes call i; it is paced to start no earlier than start + i * every
// (a workload, not a wait for anything). Stops at the first 403 session_blocked (kept in
// `refusal`), at `maxCalls`, or after `maxMs`; any other error is thrown.
async function run(name, step, { every, maxCalls, maxMs, start = performance.now() }) {
  const out = { name, ok: 0, refusal: null, refusedAt: 0, start };
  for (let i = 0; i < maxCalls && performance.now() - start < maxMs; i++) {
    const due = start + i * every;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    try {
      await step(i);
      out.ok++;
    } catch (e) {
      if (!isBlocked(e)) throw e;
      out.refusal = e;
      out.refusedAt = performance.now();
      break;
    }
  }
  return out;
}

// The incident: agents A and B, each sending the other's latest answer as its next prompt,
// together at `rate` calls/s (each at half of it), non-streamed, short answers. B's calls start
// `offset` (0 to 1) of a period after A's: 0 is both on one schedule, 0.5 strictly alternating.
export async function pingPong(gw, { sessions = ['pp-a', 'pp-b'], rate = 50, completionTokens = 12, maxMs = 10000, offset = 0 } = {}) {
  const latest = { [sessions[0]]: 'Please review my change and hand it back with your notes.', [sessions[1]]: 'Here is my change, please review it.' };
  const start = performance.now();
  const every = 2000 / rate;
  const agent = (me, other, role, delay) => {
    const sdk = client(gw, me, { 'x-sim-completion-tokens': String(completionTokens) });
    return run(me, async () => {
      const r = await sdk.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'system', content: `You are the ${role}. Answer the other agent.` }, { role: 'user', content: latest[other] }],
      });
      latest[me] = r.choices[0].message.content;
    }, { every, maxCalls: Infinity, maxMs, start: start + delay });
  };
  return Promise.all([agent(sessions[0], sessions[1], 'reviewer', 0), agent(sessions[1], sessions[0], 'author', offset * every)]);
}

const readFile = {
  type: 'function',
  function: {
    name: 'read_file', description: 'Read a file of the workspace.',
    parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  },
};

// A tool loop: the model asks for the same tool call every time (the simulator's scripted
// read_file of src/main.cpp), the agent runs it and sends back the same result, gets an answer
// that does not fix anything, and starts the step over.
export async function toolLoop(gw, { session = 'tool-loop', every = 50, maxCalls = 200, maxMs = 10000 } = {}) {
  const sdk = client(gw, session, { 'x-sim-tool-call': 'read_file', 'x-sim-tool-args': '{"path":"src/main.cpp"}', 'x-sim-completion-tokens': '16' });
  const task = [{ role: 'user', content: 'The build fails. Find out why and fix it.' }];
  let pending = null;
  return run(session, async () => {
    if (!pending) {
      const r = await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: task, tools: [readFile] });
      const call = r.choices[0].message.tool_calls?.[0];
      if (!call) throw new Error('the simulator did not call the tool');
      pending = [...task, r.choices[0].message, { role: 'tool', tool_call_id: call.id, content: "src/main.cpp:12: error: expected ';' before '}'" }];
    } else {
      await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: pending, tools: [readFile] });
      pending = null;
    }
  }, { every, maxCalls, maxMs });
}

// A slow loop: the same question every `every` ms, well below any rate a velocity signal sees.
export async function slowLoop(gw, { session = 'slow-loop', every = 2000, maxCalls = 30, maxMs = 60000 } = {}) {
  const sdk = client(gw, session, { 'x-sim-completion-tokens': '8' });
  const messages = [{ role: 'user', content: 'Is the deployment of build 4711 finished yet? Answer yes or no.' }];
  return run(session, () => sdk.chat.completions.create({ model: 'gpt-4o-mini', messages }), { every, maxCalls, maxMs });
}

// What the gateway says about a tripped session: time to trip (from the agent's start, by the
// gateway's state_since), calls that went through, spend at the trip.
export async function tripFigures(gw, agent, startedAtEpochMs) {
  const view = await sessionState(gw, agent.name);
  return {
    session: agent.name,
    state: view?.state,
    reason: view?.reason ?? '',
    timeToTripMs: view?.state_since ? Date.parse(view.state_since) - startedAtEpochMs : NaN,
    callsBeforeTrip: agent.ok,
    costAtTripMicros: view?.cost_at_trip_micros ?? NaN,
    tokens: view ? view.prompt_tokens + view.completion_tokens : NaN,
    refusal: agent.refusal?.message ?? '',
  };
}

// Opens a slow stream for `session` (openai SDK), kills the session after three chunks, and says
// how long after the kill the SDK's for-await loop raised.
export async function killOnce(gw, session) {
  const sdk = client(gw, session, { 'x-sim-tokens-per-second': '20', 'x-sim-completion-tokens': '2000' });
  const stream = await sdk.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Tell me a long story.' }] });
  const r = await killDuringStream(stream, (c) => c.choices[0]?.delta?.content, () => gw.admin('POST', `sessions/${encodeURIComponent(session)}/kill`));
  if (!r.error || r.kill.status !== 200) throw new Error(`the kill of ${session} did not end its stream`);
  return r;
}

// A varied agent calling as fast as it can (closed loop, growing history): the call at which the
// velocity signal trips a session with no history, if any.
// With `warmupSeconds`, it first works at one call a second for that long, then goes flat out.
export async function fastVariedAgent(gw, { session = 'fast-varied', maxCalls = 80, warmupSeconds = 0 } = {}) {
  const sdk = client(gw, session, { 'x-sim-completion-tokens': '20' });
  const messages = [];
  const step = async (i) => {
    // Only the latest turns are kept, so a long run stays a small request.
    messages.splice(0, Math.max(0, messages.length - 8));
    messages.push({ role: 'user', content: `Task ${i}: look at src/file_${i}.c and report what function ${i * 7} does.` });
    const r = await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages });
    messages.push(r.choices[0].message);
  };
  if (warmupSeconds > 0) {
    const warm = await run(session, step, { every: 1000, maxCalls: warmupSeconds, maxMs: warmupSeconds * 1000 + 5000 });
    if (warm.refusal) return warm;
  }
  const out = await run(session, (i) => step(warmupSeconds + i), { every: 0, maxCalls, maxMs: 30000 });
  out.warmup = warmupSeconds;
  return out;
}

// A service at a steady `rate` requests/s from its first request on (a ticket classifier: a
// different ticket each call, no history): whether velocity trips it, since a new session, or
// every session after a gateway restart, has no baseline.
export async function steadyService(gw, { session, rate, seconds = 14, from = 0 }) {
  const sdk = client(gw, session, { 'x-sim-completion-tokens': '20' });
  const issues = ['jams', 'is offline', 'prints blank pages', 'beeps'];
  return run(session, (i) => sdk.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: `Classify ticket ${(from + i) * 7919 + 13}: "the printer on floor ${(from + i) % 9} ${issues[(from + i) % 4]}"` }],
  }), { every: 1000 / rate, maxCalls: rate * seconds, maxMs: seconds * 1000 + 5000 });
}
