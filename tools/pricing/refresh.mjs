// Regenerates resources/pricing.json from the @pydantic/genai-prices catalog (the version pinned
// in this folder's package-lock.json), plus TokenFuse's own entries from own-entries.json: the
// fallback, the simulator, and providers or models the catalog does not list yet.
//
//   cd tools/pricing && npm ci && node refresh.mjs            # writes ../../resources/pricing.json
//   node refresh.mjs --check                                   # writes nothing; exit 1 if it would change
//
// It prints every price that moved against the current file, and refuses to write when one moved
// by 10x or more (pass --accept-big-moves after checking the provider's own price page).
import { findProvider } from '@pydantic/genai-prices';
import { readFileSync, writeFileSync } from 'node:fs';

const here = new URL('.', import.meta.url);
const target = new URL('../../resources/pricing.json', here);
const own = JSON.parse(readFileSync(new URL('own-entries.json', here), 'utf8'));
const catalogVersion = JSON.parse(readFileSync(new URL('node_modules/@pydantic/genai-prices/package.json', here), 'utf8')).version;
const args = new Set(process.argv.slice(2));
const today = new Date();

// Providers taken from the catalog, in this order (an earlier provider's pattern wins a tie).
const providers = [
  ['anthropic', 'anthropic'], ['openai', 'openai'], ['deepseek', 'deepseek'],
  ['moonshotai', 'moonshot'], ['zai', 'zhipu'],
];

// Exact names and prefix globs: the catalog's equals and starts_with. Regexes, contains and
// ends_with have no glob of the same meaning and are left out (their model id is kept as a name).
function patternsOf(match) {
  if (!match) return [];
  if (match.or) return match.or.flatMap(patternsOf);
  if (match.equals !== undefined) return [match.equals];
  if (match.starts_with !== undefined) return [`${match.starts_with}*`];
  return [];
}

// The price in force today: a list of conditional prices takes the latest start date passed.
function currentPrices(prices) {
  if (!Array.isArray(prices)) return prices;
  let best = null;
  for (const p of prices) {
    const start = p.constraint?.start_date ? new Date(p.constraint.start_date) : null;
    if (p.constraint && !start) continue; // time-of-day discounts: the list price is the other entry
    if (start && start > today) continue;
    if (!best || (start && (!best.start || start > best.start))) best = { start, prices: p.prices };
  }
  return best?.prices;
}

const base = (v) => (typeof v === 'number' ? v : v?.base);
// Prices in whole micro-units, rounded up (TokenFuse never under-charges).
const micro = (v) => {
  const scaled = v * 1e6;
  const near = Math.round(scaled);
  return (Math.abs(scaled - near) < 1e-6 ? near : Math.ceil(scaled)) / 1e6;
};

function tierNote(prices) {
  const parts = [];
  for (const [key, label] of [['input_mtok', 'input'], ['output_mtok', 'output']]) {
    const v = prices[key];
    if (v && typeof v === 'object' && v.tiers?.length)
      parts.push(`${label} ${v.tiers.map((t) => `${t.price} above ${t.start} prompt tokens`).join(', ')}`);
  }
  return parts.length ? `tiered: listed at the first tier; ${parts.join('; ')}` : '';
}

const models = [];
const seen = new Set();
function add(entry) {
  const key = entry.match.toLowerCase();
  if (seen.has(key)) return;
  seen.add(key);
  models.push(entry);
}

for (const [id, provider] of providers) {
  const p = findProvider({ providerId: id });
  if (!p) throw new Error(`the catalog has no provider ${id}`);
  for (const m of p.models) {
    const prices = currentPrices(m.prices);
    const input = base(prices?.input_mtok);
    // Embeddings have no output tokens, so the catalog gives them no output price.
    const output = base(prices?.output_mtok) ?? (/embed/.test(m.id) && input !== undefined ? 0 : undefined);
    if (input === undefined || output === undefined) continue; // priced per image, per second, ...
    const cached = base(prices.cache_read_mtok) ?? input;
    const notes = [m.name && m.name !== m.id ? m.name : '', tierNote(prices), m.deprecated ? 'deprecated' : '']
      .filter(Boolean).join('; ');
    const patterns = patternsOf(m.match);
    for (const match of patterns.length ? patterns : [m.id]) {
      const entry = { match, provider, input: micro(input), cached_input: micro(Math.min(cached, input)), output: micro(output), currency: 'USD' };
      if (notes) entry.note = notes;
      add(entry);
    }
  }
}
for (const entry of own.models) add(entry);

// What moved against the current file, by the names its own entries spell.
const current = JSON.parse(readFileSync(target, 'utf8'));
const byMatch = new Map(models.map((m) => [m.match.toLowerCase(), m]));
let bigMoves = 0;
for (const old of current.models) {
  const now = byMatch.get(old.match.toLowerCase());
  if (!now) { console.error(`gone:  ${old.match}`); continue; }
  for (const k of ['input', 'output']) {
    if (Number(old[k]) === now[k]) continue;
    const ratio = Number(old[k]) && now[k] ? Math.max(now[k] / old[k], old[k] / now[k]) : Infinity;
    const big = ratio >= 10;
    bigMoves += big;
    console.error(`${big ? 'BIG:  ' : 'moved:'} ${old.match} ${k} ${old[k]} -> ${now[k]}`);
  }
}
for (const m of models) if (!current.models.some((o) => o.match.toLowerCase() === m.match.toLowerCase())) console.error(`new:   ${m.match}`);

const stamp = today.toISOString().slice(0, 10);
const header = {
  version: `${stamp.replaceAll('-', '.')}`,
  as_of: stamp,
  source: `@pydantic/genai-prices ${catalogVersion} (providers ${providers.map(([id]) => id).join(', ')}) and tools/pricing/own-entries.json`,
  about: own.about,
  currency_note: own.currency_note,
};
const line = (o) => JSON.stringify(o).replaceAll('","', '", "').replaceAll(',"', ', "').replaceAll('":', '": ');
const text = `{\n${Object.entries(header).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`).join('\n')}\n`
  + `  "models": [\n${models.map((m) => `    ${line(m)}`).join(',\n')}\n  ],\n  "fallback": ${line(own.fallback)}\n}\n`;
JSON.parse(text); // never write what does not parse

const old = readFileSync(target, 'utf8');
// The date alone is no change.
const comparable = (t) => t.replace(/"(version|as_of)": "[^"]*"/g, '');
if (args.has('--check')) {
  const same = comparable(old) === comparable(text);
  console.error(same ? 'resources/pricing.json is up to date' : 'resources/pricing.json differs from the catalog');
  process.exit(same ? 0 : 1);
}
if (bigMoves && !args.has('--accept-big-moves')) {
  console.error(`${bigMoves} price(s) moved by 10x or more: check them, then run again with --accept-big-moves`);
  process.exit(1);
}
writeFileSync(target, text);
console.error(`wrote ${models.length} entries to resources/pricing.json`);
