// A small OpenAI-style provider for the endpoints the built-in simulator does not speak:
// /v1/responses (the Responses API's real event sequence, streamed or whole), /v1/embeddings and
// /v1/completions. Request headers steer it: x-up-output-tokens (one-token "abc" deltas, default
// 20), x-up-interval-ms (between stream events), x-up-input-tokens, x-up-cached-tokens,
// x-up-reasoning-tokens. It counts the streams its client (the gateway) closed early.
import http from 'node:http';

export async function startEndpointUpstream() {
  const stats = { requests: 0, aborts: 0, finished: 0, lastBody: null };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => { raw += d; });
    req.on('end', () => {
      stats.requests++;
      const body = raw ? JSON.parse(raw) : {};
      stats.lastBody = body;
      const n = (name, fallback) => (req.headers[name] !== undefined ? Number(req.headers[name]) : fallback);
      const s = {
        output: n('x-up-output-tokens', 20), interval: n('x-up-interval-ms', 0), input: n('x-up-input-tokens', 12),
        cached: n('x-up-cached-tokens', 0), reasoning: n('x-up-reasoning-tokens', 0),
      };
      const text = Array(s.output).fill('abc').join(' ');
      const path = req.url.split('?')[0];
      if (path === '/v1/responses') return responses(res, body, s, text, stats);
      if (path === '/v1/embeddings') {
        return json(res, { object: 'list', model: body.model, data: [{ object: 'embedding', index: 0, embedding: [0.0023, -0.0093, 0.0158] }],
          usage: { prompt_tokens: s.input, total_tokens: s.input } });
      }
      if (path === '/v1/completions') return completions(res, body, s, text, stats);
      json(res, { error: { message: `no ${path} here`, type: 'invalid_request_error' } }, 404);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, stats, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

function json(res, body, status = 200) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function stream(res, events, interval, stats) {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  let i = 0;
  let closed = false;
  res.on('close', () => { if (i < events.length) { closed = true; stats.aborts++; } });
  const next = () => {
    if (closed) return;
    if (i === events.length) { stats.finished++; res.end(); return; }
    res.write(events[i++]);
    if (interval > 0) setTimeout(next, interval); else next();
  };
  next();
}

function responses(res, body, s, text, stats) {
  const usage = { input_tokens: s.input, input_tokens_details: { cached_tokens: s.cached },
    output_tokens: s.output + s.reasoning, output_tokens_details: { reasoning_tokens: s.reasoning },
    total_tokens: s.input + s.output + s.reasoning };
  const message = (status) => ({ id: 'msg_0123456789abcdef', type: 'message', status, role: 'assistant',
    content: status === 'in_progress' ? [] : [{ type: 'output_text', text, annotations: [] }] });
  const response = (status, output, u) => ({ id: 'resp_0123456789abcdef', object: 'response', created_at: 1741290958, status,
    error: null, incomplete_details: null, model: body.model, output, parallel_tool_calls: true, usage: u,
    instructions: body.instructions ?? null, tools: [], metadata: {} });
  if (!body.stream) return json(res, response('completed', [message('completed')], usage));
  let seq = 0;
  const ev = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
  const ids = { item_id: 'msg_0123456789abcdef', output_index: 0, content_index: 0 };
  const events = [
    ev('response.created', { response: response('in_progress', [], null) }),
    ev('response.in_progress', { response: response('in_progress', [], null) }),
    ev('response.output_item.added', { output_index: 0, item: message('in_progress') }),
    ev('response.content_part.added', { ...ids, part: { type: 'output_text', text: '', annotations: [] } }),
  ];
  for (let i = 0; i < s.output; i++) events.push(ev('response.output_text.delta', { ...ids, delta: i ? ' abc' : 'abc', logprobs: [] }));
  events.push(ev('response.output_text.done', { ...ids, text, logprobs: [] }));
  events.push(ev('response.content_part.done', { ...ids, part: { type: 'output_text', text, annotations: [] } }));
  events.push(ev('response.output_item.done', { output_index: 0, item: message('completed') }));
  events.push(ev('response.completed', { response: response('completed', [message('completed')], usage) }));
  stream(res, events, s.interval, stats);
}

function completions(res, body, s, text, stats) {
  const usage = { prompt_tokens: s.input, completion_tokens: s.output, total_tokens: s.input + s.output };
  const base = { id: 'cmpl-0123', object: 'text_completion', created: 1741290958, model: body.model };
  if (!body.stream) return json(res, { ...base, choices: [{ text, index: 0, logprobs: null, finish_reason: 'length' }], usage });
  const events = [];
  for (let i = 0; i < s.output; i++) {
    events.push(`data: ${JSON.stringify({ ...base, choices: [{ text: i ? ' abc' : 'abc', index: 0, logprobs: null, finish_reason: null }] })}\n\n`);
  }
  if (body.stream_options?.include_usage) events.push(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
  events.push('data: [DONE]\n\n');
  stream(res, events, s.interval, stats);
}
