// An OpenAI-style chat provider that fails on request, in a process of its own (the test's, not
// TokenFuse's), for the fault matrix. The header x-up-fault steers each request:
//   status:NNN         answers NNN with an OpenAI error body (x-up-retry-after: its retry-after)
//   status-then-ok:N   503 for the first N requests of its key, then a normal answer
//   malformed          a stream whose third event is `data: {broken json`
//   huge               a whole (non-streamed) answer of 70 MiB
//   huge-stream        a valid stream of ~20 MB of content deltas, usage at the end
//   slow:MS            a stream of 10 content chunks, one every MS milliseconds
//   garbage            writes bytes that are not HTTP, then closes
//   close-early        sends the headers (of a stream, or of a JSON answer), then closes
//   hang               takes the request in and never answers (until its client goes)
// and no header (or `ok`) is a normal answer: a chat.completion with usage 10/5, or a stream of
// five chunks, a usage chunk and [DONE]. Requests are counted per key: x-up-fault-key if sent (so
// tests sharing this upstream do not share counters), else the fault itself.
import http from 'node:http';

export const HUGE_BYTES = 70 * 1024 * 1024;
export const HUGE_STREAM_CHUNKS = 20000;
export const HUGE_STREAM_DELTA = 'x'.repeat(1000);
export const NORMAL_TEXT = 'one two three four five';

export async function startFaultUpstream() {
  const stats = { requests: 0, counts: new Map(), aborts: 0, lastHeaders: null, lastBody: null };
  const count = (key) => stats.counts.get(key) ?? 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => { raw += d; });
    req.on('end', () => {
      stats.requests++;
      const body = raw ? JSON.parse(raw) : {};
      stats.lastHeaders = req.headers;
      stats.lastBody = body;
      const fault = req.headers['x-up-fault'] ?? 'ok';
      const key = req.headers['x-up-fault-key'] ?? fault;
      stats.counts.set(key, count(key) + 1);
      const [kind, arg] = splitFault(fault);
      res.on('close', () => { if (!res.writableFinished) stats.aborts++; });
      switch (kind) {
      case 'status': return error(res, Number(arg), req.headers['x-up-retry-after']);
      case 'status-then-ok':
        if (count(key) <= Number(arg)) return error(res, 503);
        return normal(res, body);
      case 'malformed': return malformed(res, body);
      case 'huge': return huge(res, body);
      case 'huge-stream': return hugeStream(res, body);
      case 'slow': return slow(res, body, Number(arg));
      case 'garbage':
        req.socket.end('\x00\x01garbage, not HTTP at all\r\n\r\n\xff\xfe');
        return undefined;
      case 'close-early':
        res.writeHead(200, { 'content-type': body.stream ? 'text/event-stream' : 'application/json' });
        res.flushHeaders();
        setImmediate(() => req.socket.destroy());
        return undefined;
      case 'hang': return undefined; // the connection stays open, silent
      default: return normal(res, body);
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    baseURL: `http://127.0.0.1:${server.address().port}/v1`,
    stats,
    count,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

function splitFault(fault) {
  const i = fault.indexOf(':');
  return i < 0 ? [fault, ''] : [fault.slice(0, i), fault.slice(i + 1)];
}

const base = (body) => ({ id: 'chatcmpl-fault', created: 1741290958, model: body.model ?? 'unknown' });
const usage = (completion = 5) => ({ prompt_tokens: 10, completion_tokens: completion, total_tokens: 10 + completion });
const chunk = (body, delta, finish = null) => `data: ${JSON.stringify({
  ...base(body), object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const usageChunk = (body, completion) => `data: ${JSON.stringify({
  ...base(body), object: 'chat.completion.chunk', choices: [], usage: usage(completion) })}\n\n`;

function error(res, status, retryAfter) {
  const headers = { 'content-type': 'application/json' };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  res.writeHead(status, headers);
  res.end(JSON.stringify({ error: { message: `fault upstream: status ${status}`, type: 'server_error', code: String(status) } }));
}

function whole(body, content, completion = 5) {
  return { ...base(body), object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: usage(completion) };
}

function sseHead(res) {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
}

// Writes the events in order, waiting for 'drain' when the socket's buffer is full and
// `intervalMs` between two; stops when the gateway closes the connection.
function send(res, events, intervalMs = 0) {
  let i = 0;
  const next = () => {
    if (res.destroyed) return;
    while (i < events.length) {
      const ok = res.write(events[i++]);
      if (intervalMs > 0 && i < events.length) { setTimeout(next, intervalMs); return; }
      if (!ok) { res.once('drain', next); return; }
    }
    res.end();
  };
  next();
}

function normalEvents(body) {
  const words = NORMAL_TEXT.split(' ');
  return [chunk(body, { role: 'assistant', content: '' }),
    ...words.map((w, i) => chunk(body, { content: i ? ` ${w}` : w })),
    chunk(body, {}, 'stop'), usageChunk(body, words.length), 'data: [DONE]\n\n'];
}

function normal(res, body) {
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(whole(body, NORMAL_TEXT)));
    return;
  }
  sseHead(res);
  send(res, normalEvents(body));
}

function malformed(res, body) {
  sseHead(res);
  const events = normalEvents(body);
  events.splice(2, 0, 'data: {broken json\n\n');
  send(res, events);
}

// 70 MiB of content in a well-formed JSON body, written in 1 MiB pieces.
function huge(res, body) {
  const [head, tail] = JSON.stringify(whole(body, '@@')).split('@@');
  const piece = 'y'.repeat(1024 * 1024);
  const pieces = Math.ceil((HUGE_BYTES - head.length - tail.length) / piece.length);
  res.writeHead(200, { 'content-type': 'application/json' });
  send(res, [head, ...Array(pieces).fill(piece), tail]);
}

function hugeStream(res, body) {
  sseHead(res);
  const events = [chunk(body, { role: 'assistant', content: '' })];
  for (let i = 0; i < HUGE_STREAM_CHUNKS; i++) events.push(chunk(body, { content: HUGE_STREAM_DELTA }));
  events.push(chunk(body, {}, 'stop'), usageChunk(body, HUGE_STREAM_CHUNKS), 'data: [DONE]\n\n');
  send(res, events);
}

function slow(res, body, intervalMs) {
  sseHead(res);
  const events = [];
  for (let i = 0; i < 10; i++) events.push(chunk(body, { content: `c${i} ` }));
  events.push(chunk(body, {}, 'stop'), usageChunk(body, 10), 'data: [DONE]\n\n');
  // The ten content chunks come MS apart; the closing events follow the last one at once.
  let i = 0;
  const next = () => {
    if (res.destroyed) return;
    res.write(events[i++]);
    if (i >= events.length) { res.end(); return; }
    if (i < 10) setTimeout(next, intervalMs); else next();
  };
  next();
}
