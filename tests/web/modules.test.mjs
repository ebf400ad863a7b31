// Unit tests of the page's plain modules (no browser): the shareable link (with an uploaded file
// packed into it), the scenario document sent to the server, the exported TOML (checked with
// `BSIM_BIN validate` when set), numbers with units read with the server's schema (`BSIM_BIN
// schema --json`), the chart's event markers and the glossary's rendering of docs/glossary.md.
//
//   node --test tests/web/modules.test.mjs          (BSIM_BIN=build/dev/bubblesim to validate the export)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '../../web/vendor/smol-toml/index.js';
import {
  circularityOverlay, docValues, exportToml, keyApplies, keySpec, mergeDoc, overlayApplies, pathToDoc,
  requestScenario, schemaKeys, shockMultiplier, toJsonDoc,
} from '../../web/scenario.js';
import { decodeHash, encodeHash, initialState, packTomlText, unpackTomlText } from '../../web/state.js';
import { compact, monthRange, usdBn } from '../../web/format.js';
import { chartMarkers } from '../../web/fan.js';
import { renderMarkdown } from '../../web/glossary.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const readScenario = (name) => toJsonDoc(parse(fs.readFileSync(path.join(ROOT, 'scenarios', `${name}.toml`), 'utf8')));
// The key reference the server serves at GET /api/schema, from the binary (null without BSIM_BIN).
const SCHEMA = process.env.BSIM_BIN ? JSON.parse(execFileSync(process.env.BSIM_BIN, ['schema', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 })) : null;
const KEYS = schemaKeys(SCHEMA);

function playgroundState() {
  const state = initialState('default');
  state.set = { 'technology.efficiency.trend_per_year': 3.5, 'segment.consumer.elasticity_long_run': 0.9, 'verdict.bust_capex_drop': 1 };
  state.shock = { multiplier: 100, month: '2027-06' };
  state.circular = false;
  state.paths = 200;
  state.seed = 7;
  return state;
}

test('a state survives the URL hash', () => {
  const state = playgroundState();
  const hash = encodeHash(state);
  assert.equal(
    hash,
    'scenario=default&paths=200&seed=7&shock=100%402027-06&circular=off&technology.efficiency.trend_per_year=3.5&segment.consumer.elasticity_long_run=0.9&verdict.bust_capex_drop=1',
  );
  const { state: back, ignored } = decodeHash(`#${hash}`);
  assert.deepEqual(back, state);
  assert.deepEqual(ignored, []);
});

test('a second scenario and an uploaded file survive the URL hash', async () => {
  const text = fs.readFileSync(path.join(ROOT, 'scenarios', 'sudden-100x.toml'), 'utf8');
  const state = initialState('default');
  state.compare = 'credit-crunch';
  state.upload = { file: 'my scenario.toml', packed: await packTomlText(text) };
  const hash = encodeHash(state);
  assert.ok(!hash.includes('scenario=default'), 'an upload replaces the built-in name');
  assert.match(hash, /(^|&)compare=credit-crunch(&|$)/);
  const { state: back, ignored } = decodeHash(`#${hash}`);
  assert.deepEqual(ignored, []);
  assert.equal(back.compare, 'credit-crunch');
  assert.equal(back.upload.file, 'my scenario.toml');
  assert.equal(await unpackTomlText(back.upload.packed), text, 'the file comes back byte for byte');
  assert.ok(state.upload.packed.length < text.length, `packed ${state.upload.packed.length} chars for ${text.length}`);
  await assert.rejects(unpackTomlText(state.upload.packed.slice(0, 40)), 'a link cut short is refused');
  assert.deepEqual(decodeHash('#toml=not%20base64!').ignored, ['toml']);
});

test('a hand-edited hash keeps what it can and lists the rest', () => {
  const { state, ignored } = decodeHash('#paths=abc&seed=-1&shock=x&no.such.key=1&build.optimism=0.5');
  assert.deepEqual(state.set, { 'build.optimism': 0.5 });
  assert.equal(state.paths, 1000);
  assert.equal(state.seed, 1);
  assert.deepEqual(ignored.sort(), ['no.such.key', 'paths', 'seed', 'shock']);
  assert.equal(decodeHash('').state.scenario, 'default');
});

test('parameter paths become nested documents, arrays addressed by id', () => {
  assert.deepEqual(pathToDoc('technology.efficiency.trend_per_year', 3), { technology: { efficiency: { trend_per_year: 3 } } });
  assert.deepEqual(pathToDoc('segment.consumer.markup', 2), { segment: [{ id: 'consumer', markup: 2 }] });
  assert.deepEqual(pathToDoc('firm.openai.training_budget_usd_bn_per_year.2027', 40), {
    firm: [{ id: 'openai', training_budget_usd_bn_per_year: { 2027: 40 } }],
  });
});

test('documents merge like extends: tables by key, arrays by id', () => {
  const base = { time: { start: '2026-01', end: '2036-12' }, firm: [{ id: 'a', cash_usd_bn: 1, name: 'A' }] };
  const merged = mergeDoc(base, { time: { end: '2030-12' }, firm: [{ id: 'a', cash_usd_bn: 2 }, { id: 'b', cash_usd_bn: 3 }] });
  assert.deepEqual(merged, { time: { start: '2026-01', end: '2030-12' }, firm: [{ id: 'a', cash_usd_bn: 2, name: 'A' }, { id: 'b', cash_usd_bn: 3 }] });
  assert.deepEqual(base.firm[0].cash_usd_bn, 1, 'the base is not changed');
});

test('the request names a built-in scenario unless a shock or the rewiring is added', () => {
  const overlay = circularityOverlay(readScenario('no-circularity'));
  const source = { kind: 'builtin', name: 'default' };
  assert.equal(requestScenario(source, initialState(), overlay), 'default');
  const doc = requestScenario(source, playgroundState(), overlay);
  assert.equal(doc.extends, 'default');
  assert.deepEqual(doc.shock, [{ id: 'playground', kind: 'efficiency', month: '2027-06', multiplier: 100 }]);
  assert.ok(doc.contract.some((c) => c.id === 'coreweave-oem' && c.type === 'loan' && c.lender === 'banks'));
  assert.ok(doc.contract.every((c) => typeof c.id === 'string'));
});

test('the circular-deals switch applies only where the rewired contracts exist', () => {
  const overlay = circularityOverlay(readScenario('no-circularity'));
  const values = docValues(readScenario('default'), KEYS);
  assert.ok(overlayApplies(overlay, values));
  assert.ok(!overlayApplies(overlay, { 'technology.efficiency.trend_per_year': 2 }));
  assert.ok(keyApplies('firm.oracle.credit_limit_usd_bn', values));
  assert.ok(!keyApplies('firm.nobody.credit_limit_usd_bn', values));
  assert.ok(keyApplies('build.optimism', {}));
});

test('numbers with units are read in canonical units, with the units of the server’s schema', { skip: !SCHEMA && 'needs BSIM_BIN' }, () => {
  const values = docValues(
    {
      supply: { power: { lead_time_months: '5 years' } },
      firm: [{ id: 'm', initial_h100e: '4.2 MH100e', initial_power_gw: '3700 kW', cash_usd_bn: '2000000000 USD', training_budget_usd_bn_per_year: { 2027: '0.5 USDtn' } }],
      // The same words mean other amounts for these keys: kW per H100e, USD per H100e.
      generation: [{ id: 'g', kw_per_h100e: '1.4 kW', usd_per_h100e: '25 kUSD' }],
      technology: { efficiency: { trend_per_year: '3 furlongs' } },
    },
    KEYS,
  );
  assert.equal(values['supply.power.lead_time_months'], 60);
  assert.ok(Math.abs(values['firm.m.initial_h100e'] - 4.2e6) < 1e-6);
  assert.ok(Math.abs(values['firm.m.initial_power_gw'] - 3.7e-3) < 1e-15);
  assert.ok(Math.abs(values['firm.m.cash_usd_bn'] - 2) < 1e-12);
  assert.equal(values['firm.m.training_budget_usd_bn_per_year.2027'], 500);
  assert.equal(values['generation.g.kw_per_h100e'], 1.4);
  assert.equal(values['generation.g.usd_per_h100e'], 25000);
  assert.ok(!('technology.efficiency.trend_per_year' in values), 'a unit the schema does not give is left out');
  assert.equal(keySpec(KEYS, 'firm.oracle.credit_limit_usd_bn').unit, 'USD bn');
  assert.equal(keySpec(KEYS, 'no.such.key'), null);
});

test('events are marked by month: scripted shocks, and the one run’s defaults together', () => {
  const markers = chartMarkers([
    { month: '2027-06', kind: 'efficiency_shock', subject: 'algorithmic-100x', value: 100, counterparty: '' },
    { month: '2028-05', kind: 'missed_payment', subject: 'openai', value: 8.6, counterparty: 'microsoft' },
    { month: '2028-05', kind: 'payment_default', subject: 'openai', value: 6.4, counterparty: '' },
    { month: '2028-05', kind: 'covenant_default', subject: 'xai', value: 1, counterparty: '' },
    { month: '2030-12', kind: 'efficiency_jump', subject: 'random', value: 2.9, counterparty: '' },
  ]);
  assert.deepEqual(markers, [
    { month: '2027-06', kind: 'shock', text: 'efficiency shock ×100 (algorithmic-100x)' },
    { month: '2028-05', kind: 'default', text: 'default in the one run: openai, xai' },
  ]);
  assert.deepEqual(chartMarkers(undefined), []);
});

test('the glossary page renders docs/glossary.md with an anchor for each term', () => {
  const html = renderMarkdown(fs.readFileSync(path.join(ROOT, 'docs', 'glossary.md'), 'utf8'));
  for (const id of ['h100e', 'flows-and-stocks', 'bust-rule', 'sentiment', 'capital-destroyed', 'stranded', 'legacy']) {
    assert.match(html, new RegExp(`<h2 id="${id}">`), `no heading #${id}`);
  }
  assert.match(html, /<li><strong>equity drawdown<\/strong>: AI equity value/);
  assert.ok(!html.includes('](') && !html.includes('**'), 'no Markdown left unrendered');
});

test('the exported TOML holds the moved keys, the shock and the rewiring', () => {
  const overlay = circularityOverlay(readScenario('no-circularity'));
  const text = exportToml({ kind: 'builtin', name: 'default' }, playgroundState(), overlay);
  const doc = parse(text);
  assert.equal(doc.extends, 'default');
  assert.equal(doc.technology.efficiency.trend_per_year, 3.5);
  assert.deepEqual({ ...doc.segment[0] }, { id: 'consumer', elasticity_long_run: 0.9 });
  assert.equal(doc.verdict.bust_capex_drop, 1);
  assert.equal(doc.shock[0].multiplier, 100);
  assert.equal(doc.contract.length, overlay.contract.length);
  if (process.env.BSIM_BIN) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsim-export-'));
    try {
      const file = path.join(dir, 'exported.toml');
      fs.writeFileSync(file, text);
      execFileSync(process.env.BSIM_BIN, ['validate', file], { stdio: 'pipe' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('formatting', () => {
  assert.equal(compact(200000), '200k');
  assert.equal(compact(2.5e9), '2.5bn');
  assert.equal(compact(0.0123), '0.0123');
  assert.equal(compact(0.0000299), '0.0000299');  // no exponent notation
  assert.equal(compact(-0.000123), '-0.000123');
  assert.equal(compact(5.983e-15), '0');  // float residue
  assert.equal(usdBn(1234), '$1.23tn');
  assert.equal(usdBn(5.98e-15), '$0bn');
  assert.equal(shockMultiplier(0), 1);
  assert.equal(shockMultiplier(2), 100);
  assert.deepEqual(monthRange('2026-11', '2027-02'), ['2026-11', '2026-12', '2027-01', '2027-02']);
});
