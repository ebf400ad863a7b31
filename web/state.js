// The page's state and its shareable form in the URL hash:
//   #scenario=default&compare=sudden-100x&paths=1000&seed=1&shock=100@2027-06&circular=off&<key>=<value>...
// where each <key> is the parameter path of a slider the user moved. An uploaded file travels in
// the hash itself (`file=<name>&toml=<packed text>`, packTomlText); a pinned run is not shared.
import { SLIDER_BY_KEY } from './scenario.js';

export const PATH_CHOICES = [100, 200, 500, 1000, 2000, 5000];
export const DEFAULT_PATHS = 1000;

/** A fresh state: the built-in scenario `name`, nothing moved. */
export function initialState(name = 'default') {
  return {
    scenario: name,
    compare: null, // a second built-in scenario drawn beside this one, or null
    upload: null, // {file, packed}: an uploaded file, packed for the link
    set: {},
    shock: { multiplier: 1, month: null },
    circular: true,
    paths: DEFAULT_PATHS,
    seed: 1,
  };
}

/** The URL hash of a state (without the leading '#'). */
export function encodeHash(state) {
  const params = new URLSearchParams();
  if (state.upload) {
    params.set('file', state.upload.file);
    params.set('toml', state.upload.packed);
  } else {
    params.set('scenario', state.scenario);
  }
  if (state.compare) params.set('compare', state.compare);
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
  if (params.has('toml')) {
    const packed = params.get('toml');
    if (/^[A-Za-z0-9_-]+$/.test(packed)) state.upload = { file: params.get('file') || 'shared.toml', packed };
    else ignored.push('toml');
  }
  for (const [name, raw] of params) {
    if (name === 'scenario' || name === 'toml' || name === 'file') continue;
    if (name === 'compare') {
      if (/^[A-Za-z0-9_./-]+$/.test(raw)) state.compare = raw;
      else ignored.push(name);
      continue;
    }
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

/** Bytes as base64url (RFC 4648 §5, no padding): safe in a URL hash without escaping. */
function base64url(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function pipeThrough(bytes, stream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/**
 * An uploaded file's text, compressed (raw DEFLATE) and base64url-encoded for the `toml` entry of
 * a link; unpackTomlText reverses it. The 46 kB scenarios/default.toml becomes 15 kB of link.
 */
export async function packTomlText(text) {
  return base64url(await pipeThrough(new TextEncoder().encode(text), new CompressionStream('deflate-raw')));
}

/** The text packTomlText packed. Throws on a damaged link. */
export async function unpackTomlText(packed) {
  return new TextDecoder('utf-8', { fatal: true }).decode(await pipeThrough(fromBase64url(packed), new DecompressionStream('deflate-raw')));
}
