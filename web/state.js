// The page's state and its shareable form in the URL hash:
//   #scenario=default&paths=1000&seed=1&shock=100@2027-06&circular=off&<key>=<value>...
// where each <key> is the parameter path of a slider the user moved. A pinned run is not shared.
import { SLIDER_BY_KEY } from './scenario.js';

export const PATH_CHOICES = [100, 200, 500, 1000, 2000, 5000];
export const DEFAULT_PATHS = 1000;

/** A fresh state: the built-in scenario `name`, nothing moved. */
export function initialState(name = 'default') {
  return {
    scenario: name,
    set: {},
    shock: { multiplier: 1, month: null },
    circular: true,
    paths: DEFAULT_PATHS,
    seed: 1,
  };
}

/** The URL hash of a state (without the leading '#'). */
export function encodeHash(state, { uploaded = false } = {}) {
  const params = new URLSearchParams();
  if (!uploaded) params.set('scenario', state.scenario);
  params.set('paths', String(state.paths));
  params.set('seed', String(state.seed));
  if (state.shock.multiplier !== 1 && state.shock.month) params.set('shock', `${state.shock.multiplier}@${state.shock.month}`);
  if (!state.circular) params.set('circular', 'off');
  for (const [key, value] of Object.entries(state.set)) params.set(key, String(value));
  return params.toString();
}

/**
 * The state a URL hash describes. Unknown or malformed entries are left out and listed in
 * `ignored`, so a hand-edited link still opens.
 */
export function decodeHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const state = initialState(params.get('scenario') || 'default');
  const ignored = [];
  for (const [name, raw] of params) {
    if (name === 'scenario') continue;
    if (name === 'paths') {
      const n = Number(raw);
      if (Number.isInteger(n) && n >= 1) state.paths = n;
      else ignored.push(name);
    } else if (name === 'seed') {
      const n = Number(raw);
      if (Number.isInteger(n) && n >= 0) state.seed = n;
      else ignored.push(name);
    } else if (name === 'shock') {
      const m = raw.match(/^([0-9.]+)@(\d{4}-\d{2})$/);
      if (m && Number(m[1]) > 0) state.shock = { multiplier: Number(m[1]), month: m[2] };
      else ignored.push(name);
    } else if (name === 'circular') {
      state.circular = raw !== 'off';
    } else if (SLIDER_BY_KEY.has(name) && raw.trim() !== '' && Number.isFinite(Number(raw))) {
      state.set[name] = Number(raw);
    } else {
      ignored.push(name);
    }
  }
  return { state, ignored };
}
