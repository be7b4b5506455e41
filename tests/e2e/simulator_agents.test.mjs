// Today's agent-facing APIs against `tokenfuse simulate`, driven by the official SDKs: the
// Responses API (what Codex CLI and the AI SDK speak), embeddings, legacy completions, and tool
// calls in every dialect, including a scripted tool loop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startSimulator } from './harness.mjs';

let sim;
let openai;
let anthropic;
before(async () => {
  sim = await startSimulator(['--ttft-ms', '0', '--tokens-per-second', '0', '--completion-tokens', '24']);
  openai = new OpenAI({ apiKey: 'sk-test-not-a-real-key', baseURL: sim.baseURL, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: 'sk-ant-test-not-real', baseURL: sim.anthropicBaseURL, maxRetries: 0 });
});
after(async () => { await sim.stop(); });

const weatherSchema = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    days: { type: 'integer', minimum: 1, maximum: 7 },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
  },
  required: ['city', 'days', 'unit'],
  additionalProperties: false,
};

function checkWeatherArgs(args) {
  assert.deepEqual(Object.keys(args), ['city', 'days', 'unit']);
  assert.equal(typeof args.city, 'string');
  assert.ok(Number.isInteger(args.days) && args.days >= 1 && args.days <= 7);
  assert.ok(['celsius', 'fahrenheit'].includes(args.unit));
}

test('responses.create: a completed response with output_text and Responses usage', async () => {
  const response = await openai.responses.create({ model: 'gpt-5-codex', instructions: 'Be brief.', input: 'Say hello.' });
  assert.equal(response.object, 'response');
  assert.equal(response.status, 'completed');
  assert.equal(response.output.length, 1);
  assert.equal(response.output[0].type, 'message');
  assert.equal(response.output[0].role, 'assistant');
  assert.equal(response.output[0].content[0].type, 'output_text');
  assert.equal(response.output_text.split(' ').length, 24);
  assert.ok(response.usage.input_tokens > 0);
  assert.equal(response.usage.output_tokens, 24);
  assert.equal(response.usage.input_tokens_details.cached_tokens, 0);
  assert.equal(response.usage.output_tokens_details.reasoning_tokens, 0);
  assert.equal(response.usage.total_tokens, response.usage.input_tokens + 24);
});

test('responses.stream: events in order with sequence numbers, finalResponse matches the deltas', async () => {
  const stream = openai.responses.stream({ model: 'gpt-5-codex', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }] });
  const types = [];
  let text = '';
  let lastSequence = -1;
  for await (const event of stream) {
    types.push(event.type);
    assert.equal(event.sequence_number, lastSequence + 1);
    lastSequence = event.sequence_number;
    if (event.type === 'response.output_text.delta') text += event.delta;
  }
  const final = await stream.finalResponse();
  assert.deepEqual(types.slice(0, 4), ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
  assert.deepEqual(types.slice(-4), ['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
  assert.equal(types.filter((t) => t === 'response.output_text.delta').length, 24);
  assert.equal(final.output_text, text);
  assert.equal(final.usage.output_tokens, 24);
});

test('responses.create with max_output_tokens: the answer stops there, status incomplete', async () => {
  const response = await openai.responses.create({ model: 'gpt-5-codex', input: 'Go on.', max_output_tokens: 16 });
  assert.equal(response.status, 'incomplete');
  assert.equal(response.incomplete_details.reason, 'max_output_tokens');
  assert.equal(response.usage.output_tokens, 16);
  assert.equal(response.output_text.split(' ').length, 16);
});

test('responses with a required function tool, streamed: a function_call with schema-valid arguments', async () => {
  const stream = openai.responses.stream({
    model: 'gpt-5-codex',
    input: 'Weather in Paris?',
    tools: [{ type: 'function', name: 'get_weather', parameters: weatherSchema, strict: true }],
    tool_choice: 'required',
  });
  let deltas = '';
  stream.on('response.function_call_arguments.delta', (e) => { deltas += e.delta; });
  const final = await stream.finalResponse();
  const call = final.output[0];
  assert.equal(call.type, 'function_call');
  assert.equal(call.name, 'get_weather');
  assert.match(call.call_id, /^call_/);
  assert.equal(call.arguments, deltas);
  checkWeatherArgs(JSON.parse(call.arguments));
  assert.ok(final.usage.output_tokens > 0);
});

test('a scripted tool loop over the Responses API: the call, then text once its output comes back', async () => {
  const headers = { 'x-sim-tool-call': 'shell', 'x-sim-tool-args': '{"command":["ls","-la"]}' };
  const tools = [{ type: 'function', name: 'shell', parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } }, required: ['command'] } }];
  const input = [{ role: 'user', content: 'List the files.' }];
  const first = await openai.responses.create({ model: 'gpt-5-codex', input, tools }, { headers });
  const call = first.output[0];
  assert.equal(call.type, 'function_call');
  assert.equal(call.name, 'shell');
  assert.deepEqual(JSON.parse(call.arguments), { command: ['ls', '-la'] });
  input.push({ type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments });
  input.push({ type: 'function_call_output', call_id: call.call_id, output: 'README.md' });
  const second = await openai.responses.create({ model: 'gpt-5-codex', input, tools }, { headers });
  assert.equal(second.output[0].type, 'message');
  assert.ok(second.output_text.length > 0);
});

test('embeddings.create: deterministic unit vectors of the asked size (the SDK decodes base64)', async () => {
  const one = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world' });
  assert.equal(one.object, 'list');
  assert.equal(one.data.length, 1);
  assert.equal(one.data[0].embedding.length, 1536);
  assert.deepEqual(one.usage, { prompt_tokens: 2, total_tokens: 2 });
  const norm = Math.sqrt(one.data[0].embedding.reduce((s, x) => s + x * x, 0));
  assert.ok(Math.abs(norm - 1) < 1e-5);
  const two = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['other', 'hello world'], dimensions: 1536, encoding_format: 'float' });
  assert.equal(two.data.length, 2);
  for (let i = 0; i < 1536; i++) assert.equal(Math.fround(two.data[1].embedding[i]), one.data[0].embedding[i]);
  const small = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'x', dimensions: 64 });
  assert.equal(small.data[0].embedding.length, 64);
});

test('completions.create: legacy text completions, whole and streamed with include_usage', async () => {
  const whole = await openai.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Once upon a time', max_tokens: 50 });
  assert.equal(whole.object, 'text_completion');
  assert.equal(whole.choices[0].finish_reason, 'stop');
  assert.equal(whole.choices[0].text.split(' ').length, 24);
  assert.deepEqual(whole.usage, { prompt_tokens: 4, completion_tokens: 24, total_tokens: 28 });
  const stream = await openai.completions.create({
    model: 'gpt-3.5-turbo-instruct', prompt: 'Once upon a time', max_tokens: 50, stream: true, stream_options: { include_usage: true },
  });
  let text = '';
  let usage = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    text += chunk.choices[0]?.text ?? '';
  }
  assert.equal(text, whole.choices[0].text);
  assert.deepEqual(usage, whole.usage);
});

test('chat with tool_choice "required": a parsed tool call, whole and streamed', async () => {
  const tools = [{ type: 'function', function: { name: 'get_weather', parameters: weatherSchema } }];
  const messages = [{ role: 'user', content: 'Weather in Paris?' }];
  const whole = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools, tool_choice: 'required' });
  const choice = whole.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.content, null);
  const call = choice.message.tool_calls[0];
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'get_weather');
  checkWeatherArgs(JSON.parse(call.function.arguments));
  assert.ok(whole.usage.completion_tokens > 0);

  const stream = openai.chat.completions.stream({ model: 'gpt-4o-mini', messages, tools, tool_choice: 'required' });
  const final = await stream.finalChatCompletion();
  const streamed = final.choices[0].message.tool_calls[0];
  assert.equal(final.choices[0].finish_reason, 'tool_calls');
  assert.equal(streamed.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(streamed.function.arguments), JSON.parse(call.function.arguments));
});

test('anthropic messages.stream with tool_choice any: finalMessage has a tool_use block with parsed input', async () => {
  const stream = anthropic.messages.stream({
    model: 'claude-sonnet-4-5',
    max_tokens: 512,
    messages: [{ role: 'user', content: 'Weather in Paris?' }],
    tools: [{ name: 'get_weather', description: 'Current weather', input_schema: weatherSchema }],
    tool_choice: { type: 'any' },
  });
  let partial = '';
  stream.on('inputJson', (delta) => { partial += delta; });
  const final = await stream.finalMessage();
  assert.equal(final.stop_reason, 'tool_use');
  assert.equal(final.content.length, 1);
  const block = final.content[0];
  assert.equal(block.type, 'tool_use');
  assert.equal(block.name, 'get_weather');
  assert.match(block.id, /^toolu_/);
  checkWeatherArgs(block.input);
  assert.deepEqual(JSON.parse(partial), block.input);
  assert.ok(final.usage.output_tokens > 0);
});

test('tokenfuse simulate --tool-call: every dialect answers with the scripted call', async () => {
  const scripted = await startSimulator(['--ttft-ms', '0', '--tool-call', 'read_file', '--tool-args', '{"path":"README.md"}']);
  try {
    const oa = new OpenAI({ apiKey: 'sk-test', baseURL: scripted.baseURL, maxRetries: 0 });
    const an = new Anthropic({ apiKey: 'sk-ant-test', baseURL: scripted.anthropicBaseURL, maxRetries: 0 });
    const chat = await oa.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Read it.' }] });
    assert.equal(chat.choices[0].message.tool_calls[0].function.arguments, '{"path":"README.md"}');
    const msg = await an.messages.create({ model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'Read it.' }] });
    assert.deepEqual(msg.content[0], { type: 'tool_use', id: msg.content[0].id, name: 'read_file', input: { path: 'README.md' } });
    const done = await an.messages.create({
      model: 'm', max_tokens: 100,
      messages: [
        { role: 'user', content: 'Read it.' },
        { role: 'assistant', content: msg.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: msg.content[0].id, content: '# TokenFuse' }] },
      ],
    });
    assert.equal(done.stop_reason, 'end_turn');
    assert.equal(done.content[0].type, 'text');
  } finally {
    await scripted.stop();
  }
});
