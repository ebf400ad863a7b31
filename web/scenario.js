// The playground's controls and how they turn into the scenario document and `set` sent to the
// server, and into an exported TOML file.
import { stringify } from './vendor/smol-toml/index.js';
import { fixed, usdBn } from './format.js';

/** The scenario's arrays of tables, whose elements are addressed by `id` (docs/scenario.md). */
export const ARRAY_TABLES = ['generation', 'shock', 'segment', 'firm', 'contract'];

/** Id of the efficiency shock the page adds to the scenario. */
export const SHOCK_ID = 'playground';

const pct = (v) => `${Math.round(100 * v)}%`;

/**
 * The sliders. Each sets one scenario key (its parameter path, as `--set` names it). `fallback` is
 * the key's documented default, used when the server's `values` do not list the key; `help` is
 * shown under the slider on demand, with a link to `glossary` (a heading of docs/glossary.md).
 */
export const SLIDERS = [
  {
    group: 'technology', key: 'technology.efficiency.trend_per_year', label: 'Efficiency trend',
    min: 1, max: 10, step: 0.1, fallback: 1, text: (v) => `×${fixed(v, 1)} a year`,
    help: 'How fast algorithmic efficiency grows: the compute needed for the same service falls by this factor each year.',
    glossary: 'h100e',
  },
  {
    group: 'demand', key: 'segment.consumer.elasticity_long_run', label: 'Consumer long-run elasticity',
    min: 0, max: 2.5, step: 0.05, text: (v) => fixed(v, 2),
    help: 'Long-run price elasticity of consumer demand; above 1, cheaper service raises the compute consumers use (Jevons).',
  },
  {
    group: 'demand', key: 'segment.enterprise.elasticity_long_run', label: 'Enterprise long-run elasticity',
    min: 0, max: 2.5, step: 0.05, text: (v) => fixed(v, 2),
    help: 'Long-run price elasticity of enterprise demand.',
  },
  {
    group: 'demand', key: 'segment.consumer.elasticity_short_run', label: 'Consumer short-run elasticity',
    min: 0, max: 1, step: 0.01, text: (v) => fixed(v, 2),
    help: 'Short-run price elasticity of consumer demand: the response within a month, before habits adjust.',
  },
  {
    group: 'build', key: 'build.optimism', label: 'Builders’ optimism',
    min: 0, max: 2, step: 0.05, fallback: 0, text: (v) => fixed(v, 2),
    help: 'Optimism θ: capacity owners plan for faster growth than they have seen, and slower declines (0 = unbiased).',
  },
  {
    group: 'build', key: 'firm.oracle.credit_limit_usd_bn', label: 'Leverage: Oracle’s credit limit',
    min: 0, max: 500, step: 5, text: (v) => usdBn(v),
    help: 'The most Oracle (the most indebted builder, ≈$101bn of debt at the start) may owe on its credit line; a shortfall beyond it goes unpaid. Higher = more borrowed build-out, and more for banks to lose.',
  },
  {
    group: 'build', key: 'supply.power.lead_time_months', label: 'Power lead time',
    min: 6, max: 120, step: 1, fallback: 48, text: (v) => `${Math.round(v)} months`,
    help: 'Months to connect a GW of power to the grid or build generation for it.',
  },
  {
    group: 'build', key: 'supply.datacenter.lead_time_months', label: 'Data-centre lead time',
    min: 3, max: 60, step: 1, fallback: 24, text: (v) => `${Math.round(v)} months`,
    help: 'Months to build a data-centre shell.',
  },
  {
    group: 'bust', key: 'verdict.bust_capex_drop', label: 'Bust: capex drop',
    min: 0, max: 1, step: 0.01, fallback: 0.4, text: (v) => (v === 0 ? 'off' : `≥ ${pct(v)} below peak`),
    help: 'A path busts when trailing-12-month capex falls at least this far below its peak (0 switches the condition off).',
    glossary: 'bust-rule',
  },
  {
    group: 'bust', key: 'verdict.bust_equity_drawdown', label: 'Bust: AI equity drawdown',
    min: 0, max: 1, step: 0.01, fallback: 0.5, text: (v) => (v === 0 ? 'off' : `≥ ${pct(v)} below peak`),
    help: 'A path busts when AI equity value falls at least this far below its peak (0 switches the condition off).',
    glossary: 'bust-rule',
  },
  {
    group: 'bust', key: 'verdict.bust_writeoffs_usd_bn', label: 'Bust: claims written off',
    min: 0, max: 2000, step: 10, fallback: 100, text: (v) => (v === 0 ? 'off' : `≥ ${usdBn(v)}`),
    help: 'A path busts when claims written off in defaults reach this much in all (0 switches the condition off).',
    glossary: 'bust-rule',
  },
];

export const SLIDER_BY_KEY = new Map(SLIDERS.map((s) => [s.key, s]));

/** The efficiency-shock multiplier slider works on log10 of the multiplier: 0 (×1, off) to 3 (×1000). */
export const SHOCK_LOG_MAX = 3;
export const SHOCK_LOG_STEP = 0.05;

/** Multiplier shown and sent for a log10 slider position: two significant digits. */
export function shockMultiplier(log10) {
  const m = 10 ** log10;
  return m < 1.005 ? 1 : Number(m.toPrecision(2));
}

/** The first element id of a parameter path's array table (`firm.oracle.x` → ['firm', 'oracle']). */
function arrayElement(key) {
  const [table, id] = key.split('.');
  return ARRAY_TABLES.includes(table) ? [table, id] : null;
}

/**
 * Whether the scenario has what a key needs: an array element must exist (its id appears in
 * `values`); a key of a plain table always can be set.
 */
export function keyApplies(key, values) {
  const element = arrayElement(key);
  if (!element) return true;
  const prefix = `${element[0]}.${element[1]}.`;
  return Object.keys(values).some((k) => k.startsWith(prefix));
}

/** A slider's starting value: the scenario's value, else the key's documented default. */
export function baseValue(slider, values) {
  if (Object.hasOwn(values, slider.key)) return values[slider.key];
  return slider.fallback ?? null;
}

/** Turns a parameter path and value into a nested document (`segment.consumer.x` → `{segment: [{id, x}]}`). */
export function pathToDoc(key, value) {
  const parts = key.split('.');
  const element = arrayElement(key);
  if (element) {
    const leaf = nest(parts.slice(2), value);
    return { [element[0]]: [{ id: element[1], ...leaf }] };
  }
  return nest(parts, value);
}

function nest(parts, value) {
  const out = {};
  let node = out;
  parts.forEach((part, i) => {
    node[part] = i === parts.length - 1 ? value : {};
    node = node[part];
  });
  return out;
}

function isTable(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

/**
 * Merges `over` into a copy of `base` the way `extends` does: tables key by key, arrays of tables
 * element by element matched by `id` (a new id is appended), anything else replaced.
 */
export function mergeDoc(base, over) {
  const out = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    if (ARRAY_TABLES.includes(k) && Array.isArray(v)) {
      const list = Array.isArray(out[k]) ? out[k] : [];
      for (const element of v) {
        const i = list.findIndex((e) => e.id === element.id);
        if (i >= 0) list[i] = mergeDoc(list[i], element);
        else list.push(structuredClone(element));
      }
      out[k] = list;
    } else if (isTable(v) && isTable(out[k])) {
      out[k] = mergeDoc(out[k], v);
    } else {
      out[k] = structuredClone(v);
    }
  }
  return out;
}

/** The `[[contract]]` entries of the built-in `no-circularity` (its rewiring of circular links). */
export function circularityOverlay(noCircularityDoc) {
  return { contract: structuredClone(noCircularityDoc.contract || []) };
}

/** Whether every contract the overlay rewires exists in the scenario (else the toggle cannot apply). */
export function overlayApplies(overlay, values) {
  if (!overlay || overlay.contract.length === 0) return false;
  return overlay.contract.every((c) => keyApplies(`contract.${c.id}.x`, values));
}

/**
 * The structural part of the playground's changes: the efficiency shock and the contract
 * rewiring, as a document to merge over the scenario. Null when there is none.
 */
export function structuralOverlay(state, overlay) {
  let doc = {};
  if (state.shock.multiplier !== 1 && state.shock.month) {
    doc.shock = [{ id: SHOCK_ID, kind: 'efficiency', month: state.shock.month, multiplier: state.shock.multiplier }];
  }
  if (!state.circular && overlay) doc = mergeDoc(doc, overlay);
  return Object.keys(doc).length ? doc : null;
}

/**
 * The `scenario` of a request body: the built-in name when nothing structural changed, else a
 * JSON document (the uploaded file, or `extends` of the built-in) with the overlay merged in.
 */
export function requestScenario(source, state, overlay) {
  const extra = structuralOverlay(state, overlay);
  if (source.kind === 'builtin') {
    if (!extra) return source.name;
    return mergeDoc({ extends: source.name, name: `${source.name}-playground` }, extra);
  }
  return extra ? mergeDoc(source.doc, extra) : source.doc;
}

/** The request body's `set`: the keys the user moved, with their values. */
export function requestSet(state) {
  return { ...state.set };
}

/**
 * The current scenario as a TOML file that `bubblesim run FILE` loads: a built-in scenario
 * becomes `extends = "<name>"` plus the set keys, shock and rewiring; an uploaded file gets them
 * merged in. Keys set in the file are fixed (not drawn) in Monte Carlo, as in the page.
 */
export function exportToml(source, state, overlay) {
  let doc;
  if (source.kind === 'builtin') {
    doc = {
      extends: source.name,
      name: `${source.name}-playground`,
      description: `${source.name} with the changes made in the bubblesim playground.`,
    };
  } else {
    doc = structuredClone(source.doc);
  }
  for (const [key, value] of Object.entries(state.set)) doc = mergeDoc(doc, pathToDoc(key, value));
  const extra = structuralOverlay(state, overlay);
  if (extra) doc = mergeDoc(doc, extra);
  const lines = [
    `# Exported from the bubblesim playground (${new Date().toISOString().slice(0, 10)}).`,
    `# Run it with: bubblesim run FILE   or   bubblesim mc FILE -n ${state.paths} --seed ${state.seed}`,
  ];
  return `${lines.join('\n')}\n${stringify(doc)}\n`;
}

/**
 * The schema's keys by pattern (`GET /api/schema`): each {path, unit, unit_factors, doc, min,
 * max, …}. The page reads units only from here, so that it agrees with the scenario parser.
 */
export function schemaKeys(schema) {
  return new Map(((schema && schema.keys) || []).map((k) => [k.path, k]));
}

/**
 * The schema entry of a concrete parameter path: an array element's id becomes `*`
 * (`firm.oracle.cash_usd_bn` → `firm.*.cash_usd_bn`) and a series' year is dropped
 * (`firm.openai.training_budget_usd_bn_per_year.2027`). Null when the schema lacks it.
 */
export function keySpec(keys, path) {
  const parts = path.split('.');
  if (ARRAY_TABLES.includes(parts[0]) && parts.length > 2) parts[1] = '*';
  const pattern = parts.join('.');
  if (keys.has(pattern)) return keys.get(pattern);
  if (/^\d+$/.test(parts[parts.length - 1])) return keys.get(parts.slice(0, -1).join('.')) || null;
  return null;
}

/**
 * A number of a document: plain, or a string with one of the key's unit words (`unit_factors`
 * of its schema entry; else null).
 */
function numberOf(value, spec) {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'string') return null;
  const m = value.match(/^\s*([-+]?[0-9.]+(?:[eE][-+]?\d+)?)\s*(\S.*?)?\s*$/);
  if (!m) return null;
  if (m[2] === undefined) return Number(m[1]);
  const factors = spec && spec.unit_factors;
  const factor = factors && Object.hasOwn(factors, m[2]) ? factors[m[2]] : undefined;
  return factor === undefined ? null : Number(m[1]) * factor;
}

/**
 * The numbers an uploaded document writes, by parameter path (for the sliders' starting values),
 * in canonical units; `keys` is schemaKeys of the server's schema. Values with units the schema
 * does not give for their key are left out; the server checks them all.
 */
export function docValues(doc, keys, prefix = '', out = {}) {
  for (const [k, v] of Object.entries(doc)) {
    if (!prefix && (k === 'uncertain' || k === 'uncertain_correlation' || k === 'schema_version')) continue;
    if (!prefix && ARRAY_TABLES.includes(k) && Array.isArray(v)) {
      for (const element of v) if (isTable(element) && element.id) docValues(element, keys, `${k}.${element.id}`, out);
      continue;
    }
    const path = prefix ? `${prefix}.${k}` : k;
    if (isTable(v)) docValues(v, keys, path, out);
    else {
      const n = numberOf(v, keySpec(keys, path));
      if (n !== null) out[path] = n;
    }
  }
  return out;
}

/** Converts TOML values that JSON cannot carry (dates, big integers) into plain JSON values. */
export function toJsonDoc(value) {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (Array.isArray(value)) return value.map(toJsonDoc);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonDoc(v)]));
  }
  return value;
}
