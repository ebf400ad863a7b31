// Unit tests of the page's plain modules (no browser): the shareable link, the scenario
// document sent to the server and the exported TOML (checked with `BSIM_BIN validate` when set).
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
  circularityOverlay, docValues, exportToml, keyApplies, mergeDoc, overlayApplies, pathToDoc,
  requestScenario, shockMultiplier, toJsonDoc,
} from '../../web/scenario.js';
import { decodeHash, encodeHash, initialState } from '../../web/state.js';
import { compact, monthRange, usdBn } from '../../web/format.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const readScenario = (name) => toJsonDoc(parse(fs.readFileSync(path.join(ROOT, 'scenarios', `${name}.toml`), 'utf8')));

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
  const values = docValues(readScenario('default'));
  assert.ok(overlayApplies(overlay, values));
  assert.ok(!overlayApplies(overlay, { 'technology.efficiency.trend_per_year': 2 }));
  assert.ok(keyApplies('firm.oracle.credit_limit_usd_bn', values));
  assert.ok(!keyApplies('firm.nobody.credit_limit_usd_bn', values));
  assert.ok(keyApplies('build.optimism', {}));
});

test('numbers with units are read in canonical units', () => {
  const values = docValues({ supply: { power: { lead_time_months: '5 years' } }, firm: [{ id: 'm', initial_h100e: '4.2 MH100e', initial_power_gw: '3700 MW' }] });
  assert.equal(values['supply.power.lead_time_months'], 60);
  assert.ok(Math.abs(values['firm.m.initial_h100e'] - 4.2e6) < 1e-6);
  assert.ok(Math.abs(values['firm.m.initial_power_gw'] - 3.7) < 1e-12);
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
  assert.equal(usdBn(1234), '$1.23tn');
  assert.equal(usdBn(5.98e-15), '$0bn');
  assert.equal(shockMultiplier(0), 1);
  assert.equal(shockMultiplier(2), 100);
  assert.deepEqual(monthRange('2026-11', '2027-02'), ['2026-11', '2026-12', '2027-01', '2027-02']);
});
