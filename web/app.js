// The bubblesim playground: sliders for key assumptions, live Monte Carlo fan charts over the
// server's jobs API, a pinned run and a second scenario (B) for comparison, and one run's
// network, losses and legacy.
import { parse as parseToml } from './vendor/smol-toml/index.js';
import { api, ApiError } from './api.js';
import { BustChart, FanChart, FAN_COLUMNS, chartMarkers, cumulativeBusts } from './fan.js';
import { escapeHtml, monthRange, percent, usdBn } from './format.js';
import { networkLegend, networkNotes, networkSvg } from './network.js';
import { bustLine, capitalWaterfallSvg, legacyTable, lossTable } from './panels.js';
import {
  SHOCK_ID, SHOCK_LOG_MAX, SHOCK_LOG_STEP, SLIDERS, SLIDER_BY_KEY, baseValue, circularityOverlay,
  docValues, exportToml, keyApplies, keySpec, overlayApplies, requestScenario, requestSet, schemaKeys, shockMultiplier,
  toJsonDoc,
} from './scenario.js';
import {
  DEFAULT_PATHS, PATH_CHOICES, decodeHash, encodeHash, initialState, packTomlText, unpackTomlText,
} from './state.js';

const DEBOUNCE_MS = 150;
const GROUPS = [
  ['technology', 'Technology'],
  ['demand', 'Demand'],
  ['build', 'Build-out and finance'],
  ['bust', 'Bust rule'],
];
const TERMINAL = new Set(['done', 'cancelled', 'timed_out', 'failed']);

const $ = (id) => document.getElementById(id);

const page = {
  state: initialState(),
  source: null, // {kind: 'builtin', name} or {kind: 'upload', fileName, doc}
  base: { values: {}, uncertain: new Map(), months: [], description: '' },
  overlay: null, // the [[contract]] rewiring of `no-circularity`
  keys: new Map(), // the schema's keys by pattern (GET /api/schema): units and explanations
  compare: { name: null, request: null, result: null, generation: 0, source: null, jobId: null },
  limits: { max_paths: 5000 },
  scenarios: [],
  generation: 0,
  job: null,
  debounce: null,
  pendingChange: null,
  result: null,
  run: null,
  pinned: null,
  charts: [],
  bustChart: null,
  finished: false,
};

/** Slider-change timings, for the page's display and for measurement from outside. */
const timings = [];
window.bsimTimings = timings;
/** Read-only access for tests and the console: the charts and the last result. */
window.bsimPage = {
  get result() { return page.result; },
  get run() { return page.run; },
  get pinned() { return page.pinned; },
  /** Scenario B: {name, result} (result null until its job reports). */
  get compare() { return { name: page.compare.name, result: page.compare.result }; },
  /** Counts the refreshes started (one per settled change); `finished` says the latest job ended. */
  get generation() { return page.generation; },
  get finished() { return page.finished; },
  chartData(column) {
    const chart = column === 'bust_timing' ? page.bustChart : page.charts.find((c) => c.spec.column === column);
    return chart && chart.data ? chart.data.map((a) => Array.from(a)) : null;
  },
};

// ------------------------------------------------------------------ errors and notices

function showError(html) {
  const box = $('error');
  box.innerHTML = html;
  box.hidden = false;
}

function clearError() {
  const box = $('error');
  box.hidden = true;
  box.textContent = '';
}

/** Shows a server's 4xx answer (its `error` and each `errors[].message`) or a network failure. */
function showApiError(error, context) {
  if (error instanceof ApiError) {
    const problems = error.problems
      .map((p) => {
        const where = p.pointer ? `<code>${escapeHtml(p.pointer)}</code> ` : p.file ? `<code>${escapeHtml(`${p.file}:${p.line}:${p.col}`)}</code> ` : '';
        return `<li>${where}${escapeHtml(p.message || p.text || '')}</li>`;
      })
      .join('');
    showError(
      `<p><strong>${escapeHtml(context)}: the server answered ${error.status}.</strong> ${escapeHtml(error.message)}</p>${problems ? `<ul>${problems}</ul>` : ''}`,
    );
  } else {
    showError(`<p><strong>${escapeHtml(context)}:</strong> ${escapeHtml(error && error.message ? error.message : String(error))}</p>`);
  }
}

let noticeTimer = null;
function notice(text) {
  const p = $('notice');
  p.textContent = text;
  p.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (p.hidden = true), 6000);
}

// ------------------------------------------------------------------ controls

function controlId(i) {
  return `c${i}`;
}

function sliderText(slider, value) {
  return value === null || value === undefined ? '–' : slider.text(value);
}

/** Builds the sliders, shock controls and circular-deals switch for the current scenario. */
function renderControls() {
  const form = $('controls');
  form.textContent = '';
  const values = page.base.values;
  for (const [group, title] of GROUPS) {
    const fieldset = document.createElement('fieldset');
    fieldset.className = `group group-${group}`;
    fieldset.innerHTML = `<legend>${title}</legend>`;
    SLIDERS.forEach((slider, i) => {
      if (slider.group !== group) return;
      fieldset.append(sliderControl(slider, controlId(i), values));
      if (slider.key === 'technology.efficiency.trend_per_year') fieldset.append(...shockControls());
    });
    if (group === 'build') fieldset.append(circularControl());
    form.append(fieldset);
  }
  updateTags();
}

/** The ⓘ button (an “i” in a circle) that shows or hides a control's explanation (`<id>-help`) in place. */
function infoButton(id, label) {
  return `<button type="button" class="info" id="${id}-info" aria-expanded="false" aria-controls="${id}-help" aria-label="Explain ${escapeHtml(label.toLowerCase())}" title="Explain">i</button>`;
}

/** A key's range in words (", 1 to 240"); the schema gives null for an open end. */
function rangeText(spec) {
  const [lo, hi] = [spec.min, spec.max];
  if (lo === null && hi === null) return '';
  if (hi === null) return `, at least ${lo}`;
  if (lo === null) return `, at most ${hi}`;
  return `, ${lo} to ${hi}`;
}

/**
 * A control's explanation, hidden until its ⓘ is pressed (screen readers get it at once through
 * aria-describedby): the page's text, and the key reference's own text, unit and range when the
 * schema lists the key.
 */
function helpBox(id, help, spec, glossary = null) {
  const reference = spec
    ? `<p class="help-ref"><strong>Key reference</strong> (${escapeHtml(spec.unit)}${escapeHtml(rangeText(spec))}): ${escapeHtml(spec.doc)}</p>`
    : '';
  const more = glossary ? ` <a href="glossary.html#${glossary}" target="_blank" rel="noopener">Glossary</a>` : '';
  return `<div class="help" id="${id}" hidden><p>${escapeHtml(help)}${more}</p>${reference}</div>`;
}

function wireInfo(div, id) {
  const button = div.querySelector(`#${id}-info`);
  const box = div.querySelector(`#${id}-help`);
  button.addEventListener('click', () => {
    const open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(open));
    box.hidden = !open;
  });
}

function sliderControl(slider, id, values) {
  const applies = keyApplies(slider.key, values);
  const base = applies ? baseValue(slider, values) : null;
  const value = Object.hasOwn(page.state.set, slider.key) ? page.state.set[slider.key] : base;
  const min = Math.min(slider.min, base ?? slider.min, value ?? slider.min);
  const max = Math.max(slider.max, base ?? slider.max, value ?? slider.max);
  const div = document.createElement('div');
  div.className = 'control';
  div.dataset.key = slider.key;
  div.innerHTML = `
    <div class="control-head">
      <label for="${id}">${escapeHtml(slider.label)}</label>
      ${infoButton(id, slider.label)}
      <span class="tag" id="${id}-tag"></span>
      <output id="${id}-out" for="${id}">${escapeHtml(sliderText(slider, value))}</output>
    </div>
    <div class="control-row">
      <input type="range" id="${id}" min="${min}" max="${max}" step="${slider.step}" aria-describedby="${id}-key ${id}-tag ${id}-help">
      <input type="number" id="${id}-num" class="num" min="${min}" max="${max}" step="any" aria-label="${escapeHtml(slider.label)}, exact value">
      <button type="button" class="reset-one" id="${id}-reset" hidden aria-label="Reset ${escapeHtml(slider.label.toLowerCase())} to the scenario’s value" title="Back to the scenario’s value">↺</button>
    </div>
    <p class="key"><code id="${id}-key">${escapeHtml(slider.key)}</code></p>
    ${helpBox(`${id}-help`, slider.help, keySpec(page.keys, slider.key), slider.glossary)}`;
  wireInfo(div, id);
  const range = div.querySelector('input[type=range]');
  const num = div.querySelector('input[type=number]');
  const reset = div.querySelector('button.reset-one');
  if (!applies) {
    range.disabled = true;
    num.disabled = true;
    div.classList.add('disabled');
    div.querySelector('output').textContent = 'not in this scenario';
    return div;
  }
  const show = (v) => {
    range.value = String(v);
    range.setAttribute('aria-valuetext', sliderText(slider, v));
    num.value = String(Number(Number(v).toPrecision(6)));
    div.querySelector('output').textContent = sliderText(slider, v);
  };
  if (value !== null) show(value);
  const apply = (v) => {
    page.state.set[slider.key] = v;
    div.querySelector('output').textContent = sliderText(slider, v);
    range.setAttribute('aria-valuetext', sliderText(slider, v));
    updateTags();
    schedule(slider.key);
  };
  range.addEventListener('input', () => {
    const v = Number(range.value);
    num.value = String(v);
    apply(v);
  });
  num.addEventListener('change', () => {
    const v = Number(num.value);
    if (num.value.trim() === '' || !Number.isFinite(v)) return;
    range.value = String(v);
    apply(v);
  });
  reset.addEventListener('click', () => {
    delete page.state.set[slider.key];
    show(base);
    updateTags();
    schedule(slider.key);
    range.focus();
  });
  return div;
}

/** The controls of the efficiency shock: its size (log scale, ×1 = off) and its month. */
function shockControls() {
  const months = page.base.months;
  const shock = page.state.shock;
  if (!shock.month) shock.month = months[Math.min(17, months.length - 1)] || null;
  const monthIndex = Math.max(0, months.indexOf(shock.month));
  const size = document.createElement('div');
  size.className = 'control';
  size.dataset.key = 'shock';
  const log = Math.log10(shock.multiplier);
  const sizeText = (m) => (m === 1 ? 'off' : `×${m}`);
  size.innerHTML = `
    <div class="control-head">
      <label for="shock-size">Efficiency shock size</label>
      ${infoButton('shock', 'efficiency shock')}
      <span class="tag" id="shock-tag"></span>
      <output id="shock-size-out" for="shock-size">${sizeText(shock.multiplier)}</output>
    </div>
    <div class="control-row">
      <input type="range" id="shock-size" min="0" max="${SHOCK_LOG_MAX}" step="${SHOCK_LOG_STEP}" value="${log}" aria-valuetext="${sizeText(shock.multiplier)}" aria-describedby="shock-key shock-help">
    </div>
    <p class="key"><code id="shock-key">[[shock]] id = "${SHOCK_ID}", kind = "efficiency"</code></p>
    ${helpBox('shock-help', 'A one-off efficiency shock added to the scenario: from the chosen month the same service needs one over the multiplier of the compute (×100: a hundredth). Off at ×1. It is marked on the charts.', keySpec(page.keys, 'shock.x.multiplier'))}`;
  wireInfo(size, 'shock');
  const when = document.createElement('div');
  when.className = 'control';
  when.dataset.key = 'shock-month';
  when.innerHTML = `
    <div class="control-head">
      <label for="shock-month">Efficiency shock month</label>
      <output id="shock-month-out" for="shock-month">${escapeHtml(shock.month || '–')}</output>
    </div>
    <div class="control-row">
      <input type="range" id="shock-month" min="0" max="${Math.max(0, months.length - 1)}" step="1" value="${monthIndex}" aria-valuetext="${escapeHtml(shock.month || '')}">
    </div>`;
  const sizeInput = size.querySelector('input');
  const monthInput = when.querySelector('input');
  const syncDisabled = () => when.classList.toggle('inactive', shock.multiplier === 1);
  sizeInput.addEventListener('input', () => {
    shock.multiplier = shockMultiplier(Number(sizeInput.value));
    const t = sizeText(shock.multiplier);
    size.querySelector('output').textContent = t;
    sizeInput.setAttribute('aria-valuetext', t);
    syncDisabled();
    updateTags();
    schedule('shock');
  });
  monthInput.addEventListener('input', () => {
    shock.month = months[Number(monthInput.value)];
    when.querySelector('output').textContent = shock.month;
    monthInput.setAttribute('aria-valuetext', shock.month);
    if (shock.multiplier !== 1) schedule('shock');
  });
  syncDisabled();
  return [size, when];
}

function circularControl() {
  const div = document.createElement('div');
  div.className = 'control check';
  const applies = overlayApplies(page.overlay, page.base.values);
  div.innerHTML = `
    <div class="control-head">
      <input type="checkbox" id="circular" ${page.state.circular ? 'checked' : ''} ${applies ? '' : 'disabled'} aria-describedby="circular-help">
      <label for="circular">Circular deals</label>
      <span class="tag" id="circular-tag"></span>
    </div>
    <p class="key" id="circular-help">${
      applies
        ? 'Off: the contracts of <code>no-circularity</code> replace the circular links (suppliers’ equity and vendor loans to their customers) by outside financing of the same size.'
        : 'Not available: this scenario lacks the contracts <code>no-circularity</code> rewires.'
    }</p>`;
  const box = div.querySelector('input');
  box.addEventListener('change', () => {
    page.state.circular = box.checked;
    updateTags();
    schedule('circular');
  });
  return div;
}

/** Marks each slider "fixed" (moved: the value is set), "drawn" (uncertain in Monte Carlo) or nothing. */
function updateTags() {
  SLIDERS.forEach((slider, i) => {
    const id = controlId(i);
    const tag = $(`${id}-tag`);
    const reset = $(`${id}-reset`);
    if (!tag) return;
    const set = Object.hasOwn(page.state.set, slider.key);
    const distribution = page.base.uncertain.get(slider.key);
    tag.textContent = set ? 'fixed' : distribution !== undefined ? 'drawn' : '';
    tag.className = `tag ${set ? 'fixed' : distribution !== undefined ? 'drawn' : ''}`;
    tag.title = set ? 'Set by this slider: the same value in every path' : distribution ? `Drawn in each path: ${distribution}` : '';
    if (reset) reset.hidden = !set;
  });
  const shockTag = $('shock-tag');
  if (shockTag) {
    const on = page.state.shock.multiplier !== 1;
    shockTag.textContent = on ? 'added' : '';
    shockTag.className = `tag ${on ? 'fixed' : ''}`;
  }
  const circularTag = $('circular-tag');
  if (circularTag) {
    circularTag.textContent = page.state.circular ? '' : 'rewired';
    circularTag.className = `tag ${page.state.circular ? '' : 'fixed'}`;
  }
}

// ------------------------------------------------------------------ scenario loading

function monthsOf(validation) {
  if (validation && validation.start && validation.end) return monthRange(validation.start, validation.end);
  return [];
}

/**
 * The keys Monte Carlo draws, with their distributions where known: the server's list from
 * validation (a key the scenario itself writes over a base's distribution is not drawn), else
 * the base's `[uncertain]` entries.
 */
function drawnKeys(validation, distributions) {
  if (!validation || !Array.isArray(validation.uncertain_keys)) return distributions;
  return new Map(validation.uncertain_keys.map((key) => [key, distributions.get(key) || 'from the scenario’s [uncertain] table']));
}

async function loadOverlay() {
  try {
    const noCirc = await api.scenario('no-circularity');
    page.overlay = circularityOverlay(toJsonDoc(parseToml(noCirc.toml)));
  } catch {
    page.overlay = null; // the switch is then disabled
  }
}

/** Loads a built-in scenario: its values (slider starts), uncertain keys and horizon. */
async function loadBuiltin(name) {
  const scenario = await api.scenario(name);
  const validation = await api.validate({ scenario: name });
  page.source = { kind: 'builtin', name };
  page.base = {
    values: scenario.values || {},
    uncertain: drawnKeys(validation, new Map((scenario.uncertain || []).map((u) => [u.key, u.distribution]))),
    months: monthsOf(validation),
    description: scenario.description || '',
  };
}

/**
 * Reads an uploaded TOML file's text in the page and has the server validate it (the server never
 * sees TOML). `packed` is the text as a link carries it (packTomlText), when already known.
 */
async function loadUpload(fileName, text, packed = null) {
  let doc;
  try {
    doc = toJsonDoc(parseToml(text));
  } catch (e) {
    showError(`<p><strong>${escapeHtml(fileName)} is not valid TOML:</strong></p><pre>${escapeHtml(e.message)}</pre>`);
    return false;
  }
  let validation;
  try {
    validation = await api.validate({ scenario: doc });
  } catch (e) {
    showApiError(e, `${fileName} was not accepted`);
    return false;
  }
  let values = {};
  let uncertain = new Map();
  if (typeof doc.extends === 'string') {
    try {
      const base = await api.scenario(doc.extends);
      values = base.values || {};
      uncertain = new Map((base.uncertain || []).map((u) => [u.key, u.distribution]));
    } catch {
      // validation passed, so the base exists; without its values the sliders use defaults
    }
  }
  page.source = { kind: 'upload', fileName, doc, packed: packed || (await packTomlText(text)) };
  page.base = {
    values: { ...values, ...docValues(doc, page.keys) },
    uncertain: drawnKeys(validation, uncertain),
    months: monthsOf(validation),
    description: `${fileName}: ${doc.description || doc.name || ''}`,
  };
  return true;
}

/** The uploaded file of a link (`toml=`): unpacked and loaded; false when it cannot be. */
async function loadSharedUpload(upload) {
  let text;
  try {
    text = await unpackTomlText(upload.packed);
  } catch {
    return false;
  }
  return loadUpload(upload.file, text, upload.packed);
}

/** Adds one option per built-in scenario to a select. */
function appendScenarioOptions(select) {
  for (const s of page.scenarios) {
    const option = document.createElement('option');
    option.value = s.name;
    option.textContent = s.name;
    option.title = s.description || '';
    select.append(option);
  }
}

function renderScenarioPicker() {
  const select = $('scenario');
  select.textContent = '';
  appendScenarioOptions(select);
  if (page.source && page.source.kind === 'upload') {
    const option = document.createElement('option');
    option.value = '';
    option.textContent = `uploaded: ${page.source.fileName}`;
    select.append(option);
    select.value = '';
  } else if (page.source) {
    select.value = page.source.name;
  }
  $('scenario-description').textContent = page.base.description;
  $('scenario-description').title = page.base.description;
  const compare = $('compare-scenario');
  compare.textContent = '';
  const none = document.createElement('option');
  none.value = '';
  none.textContent = 'nothing';
  compare.append(none);
  appendScenarioOptions(compare);
  compare.value = page.state.compare || '';
}

function renderPathChoices() {
  const select = $('paths');
  select.textContent = '';
  const choices = new Set(PATH_CHOICES.filter((n) => n <= page.limits.max_paths));
  choices.add(page.state.paths);
  for (const n of [...choices].sort((a, b) => a - b)) {
    const option = document.createElement('option');
    option.value = String(n);
    option.textContent = n.toLocaleString('en-US');
    select.append(option);
  }
  select.value = String(page.state.paths);
  $('seed').value = String(page.state.seed);
}

/** Applies a state (from the URL or a reset): loads its scenario when needed and starts a run. */
async function applyState(state, { trigger = null } = {}) {
  if (state.upload) {
    const same = page.source && page.source.kind === 'upload' && page.source.packed === state.upload.packed;
    if (same || (await loadSharedUpload(state.upload))) {
      page.state = state;
      renderScenarioPicker();
      renderPathChoices();
      renderControls();
      schedule(trigger || 'link', { immediate: true });
      return;
    }
    // A notice rather than an error: the refresh below clears errors.
    notice(`The link’s file ${state.upload.file} could not be loaded (cut short when it was copied, or not a valid scenario); showing ${state.scenario} instead.`);
    state = { ...state, upload: null, set: {} };
  }
  const needLoad = !page.source || page.source.kind !== 'builtin' || page.source.name !== state.scenario;
  if (needLoad) {
    try {
      await loadBuiltin(state.scenario);
    } catch (e) {
      if (state.scenario === 'default') {
        showApiError(e, 'Scenario “default”');
        return;
      }
      // A notice rather than an error: the refresh below clears errors, and the page goes on.
      notice(`Scenario “${state.scenario}”: ${e.message}. Showing default instead.`);
      state = { ...state, scenario: 'default', set: {} };
      await loadBuiltin('default');
    }
  }
  page.state = state;
  renderScenarioPicker();
  renderPathChoices();
  renderControls();
  schedule(trigger, { immediate: true });
}

// ------------------------------------------------------------------ URL

function writeHash() {
  const hash = encodeHash(page.state);
  if (location.hash.slice(1) !== hash) history.replaceState(null, '', `#${hash}`);
}

// ------------------------------------------------------------------ jobs and runs

function requestBody() {
  return {
    scenario: requestScenario(page.source, page.state, page.overlay),
    set: requestSet(page.state),
    seed: page.state.seed,
  };
}

/** Starts a new Monte Carlo job and run after the controls settle (DEBOUNCE_MS). */
function schedule(trigger, { immediate = false } = {}) {
  if (trigger) page.pendingChange = { trigger, at: performance.now() };
  writeHash();
  clearTimeout(page.debounce);
  page.debounce = setTimeout(refresh, immediate ? 0 : DEBOUNCE_MS);
}

async function refresh() {
  const generation = ++page.generation;
  page.finished = false;
  const change = page.pendingChange;
  page.pendingChange = null;
  const timing = change
    ? { trigger: change.trigger, paths: page.state.paths, started: change.at, first_redraw_ms: null, final_redraw_ms: null }
    : null;
  const body = requestBody();
  clearError();
  $('run-seed').textContent = String(page.state.seed);
  runOnce(generation, body);
  await stopJob();
  if (generation !== page.generation) return;
  setProgress({ done: 0, total: page.state.paths, paths_per_second: 0 }, 'starting…');
  document.querySelector('.fans').setAttribute('aria-busy', 'true');
  let job;
  try {
    job = await startJob({ ...body, paths: page.state.paths });
  } catch (e) {
    if (generation === page.generation) {
      refreshCompare();
      showApiError(e, 'Monte Carlo');
      setProgress(null, 'not started');
      page.finished = true;
      document.querySelector('.fans').setAttribute('aria-busy', 'false');
    }
    return;
  }
  if (generation !== page.generation) {
    api.cancelJob(job.id).catch(() => {});
    return;
  }
  follow(job, generation, timing);
  // Scenario B's job (when it must run again) is queued after this one: the server runs one job
  // at a time by default, and the current scenario's charts come first.
  refreshCompare();
}

/** POST /api/jobs, retrying a few times while the server is still at its job limit (429). */
async function startJob(body) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await api.startJob(body);
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 429 || attempt >= 15) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function stopJob() {
  const job = page.job;
  page.job = null;
  if (!job) return;
  job.source.close();
  if (job.ended) return;
  job.ended = true;
  try {
    await api.cancelJob(job.id);
  } catch {
    // 404 or 409: it finished or was dropped meanwhile
  }
}

/** Follows a job's events: progress, partial results (each redrawn) and the end. */
function follow(job, generation, timing) {
  const source = new EventSource(job.events || `/api/jobs/${job.id}/events`);
  const current = { id: job.id, source, ended: false };
  page.job = current;
  const live = () => generation === page.generation && !current.ended;
  source.addEventListener('progress', (ev) => {
    if (live()) setProgress(JSON.parse(ev.data));
  });
  source.addEventListener('result', (ev) => {
    if (live()) draw(JSON.parse(ev.data), timing);
  });
  source.addEventListener('end', async (ev) => {
    source.close();
    if (!live()) return;
    current.ended = true;
    let job = JSON.parse(ev.data);
    // The end event carries the job without its result: fetch the final one unless the last
    // result event already covered every path done.
    const done = job.progress ? job.progress.done : null;
    if (!job.result && (!page.result || page.result.paths !== done)) {
      try {
        job = await api.job(job.id);
      } catch (e) {
        if (generation === page.generation) showApiError(e, 'Monte Carlo');
      }
    }
    if (generation === page.generation) finishJob(job, timing);
  });
  source.onerror = () => {
    if (!live()) return;
    // The stream broke before its end event: stop the browser's reconnects and poll instead.
    source.close();
    poll(current, generation, timing);
  };
}

async function poll(current, generation, timing) {
  while (generation === page.generation && !current.ended) {
    let job;
    try {
      job = await api.job(current.id);
    } catch (e) {
      if (generation === page.generation) showApiError(e, 'Monte Carlo');
      return;
    }
    if (generation !== page.generation) return;
    if (job.progress) setProgress(job.progress);
    if (TERMINAL.has(job.status)) {
      current.ended = true;
      finishJob(job, timing);
      return;
    }
    if (job.result) draw(job.result, timing);
    await new Promise((r) => setTimeout(r, 400));
  }
}

function finishJob(job, timing) {
  page.finished = true;
  document.querySelector('.fans').setAttribute('aria-busy', 'false');
  if (job.progress) setProgress(job.progress, job.status === 'done' ? 'done' : job.status.replace('_', ' '));
  if (job.result) draw(job.result, timing, true);
  else if (page.result && timing && timing.final_redraw_ms === null) draw(page.result, timing, true);
  if (job.status === 'timed_out') notice(`The job reached the server’s time limit after ${job.progress ? job.progress.done : '?'} paths; the charts show those.`);
  if (job.status === 'failed') showError(`<p><strong>Monte Carlo failed:</strong> ${escapeHtml(job.error || 'no reason given')}</p>`);
}

function setProgress(progress, word) {
  const bar = $('progress');
  const text = $('progress-text');
  if (!progress) {
    bar.value = 0;
    text.textContent = word || '';
    return;
  }
  bar.max = Math.max(1, progress.total || 1);
  bar.value = progress.done || 0;
  const rate = progress.paths_per_second ? `, ${Math.round(progress.paths_per_second)} paths/s` : '';
  text.textContent = `${(progress.done || 0).toLocaleString('en-US')} / ${(progress.total || 0).toLocaleString('en-US')} paths${rate}${word ? ` — ${word}` : ''}`;
}

// ------------------------------------------------------------------ scenario B

/**
 * Runs scenario B (the "Compare with" menu) as written, with the page's paths and seed, unless
 * that job is already under way or done; its result is drawn in orange over the charts.
 */
async function refreshCompare() {
  const c = page.compare;
  const name = page.state.compare;
  const request = name ? { scenario: name, set: {}, seed: page.state.seed, paths: page.state.paths } : null;
  const key = request ? JSON.stringify(request) : null;
  if (key === c.request) return;
  const generation = ++c.generation;
  c.request = key;
  c.name = name;
  c.result = null;
  if (c.source) c.source.close();
  c.source = null;
  if (c.jobId) api.cancelJob(c.jobId).catch(() => {});
  c.jobId = null;
  drawCharts();
  renderCompare();
  if (!request) return;
  let job;
  try {
    job = await startJob(request);
  } catch (e) {
    if (generation === c.generation) {
      c.request = null;
      showApiError(e, `Scenario B (${name})`);
    }
    return;
  }
  if (generation !== c.generation) {
    api.cancelJob(job.id).catch(() => {});
    return;
  }
  c.jobId = job.id;
  const source = new EventSource(job.events || `/api/jobs/${job.id}/events`);
  c.source = source;
  const take = (result) => {
    if (generation !== c.generation || !result) return;
    c.result = result;
    drawCharts();
    renderCompare();
  };
  source.addEventListener('result', (ev) => take(JSON.parse(ev.data)));
  source.addEventListener('end', async (ev) => {
    source.close();
    if (generation !== c.generation) return;
    c.jobId = null;
    const ended = JSON.parse(ev.data);
    if (ended.result) take(ended.result);
    else take((await api.job(ended.id).catch(() => ({}))).result);
  });
  source.onerror = () => source.close();
}

async function runOnce(generation, body) {
  try {
    const run = await api.run({ ...body, path: 0 });
    if (generation !== page.generation) return;
    page.run = run;
    renderRun();
  } catch (e) {
    if (generation === page.generation) showApiError(e, 'Run');
  }
}

// ------------------------------------------------------------------ drawing

function chartHeight() {
  return window.innerHeight >= 1000 ? 170 : 138;
}

function ensureCharts() {
  if (page.charts.length) return;
  const box = $('charts');
  page.bustChart = new BustChart(box);
  for (const spec of FAN_COLUMNS) page.charts.push(new FanChart(box, spec));
}

function drawCharts() {
  const result = page.result;
  if (!result || !result.fan) return;
  ensureCharts();
  const pinned = page.pinned ? page.pinned.result : null;
  const other = page.compare.result;
  const otherName = page.compare.name ? `B: ${page.compare.name}` : '';
  const markers = chartMarkers(page.run && page.run.summary && page.run.summary.events);
  const h = chartHeight();
  for (const chart of page.charts) {
    const column = chart.spec.column;
    chart.markers = markers;
    chart.setData(
      result.fan[column], pinned && pinned.fan ? pinned.fan[column] : null, chart.plotBox.clientWidth, h,
      $('log-scale').checked, other && other.fan ? other.fan[column] : null, otherName,
    );
  }
  const anyFan = Object.values(result.fan)[0];
  page.bustChart.markers = markers;
  page.bustChart.setData(result, pinned, anyFan ? anyFan.months : page.base.months, page.bustChart.plotBox.clientWidth, h, other, otherName);
  $('pinned-legend').hidden = !pinned;
  $('compare-legend').hidden = !page.compare.name;
  $('compare-legend-name').textContent = otherName + (page.compare.name && !other ? ' (running…)' : '');
  $('marker-legend').hidden = markers.length === 0;
}

/** Draws a (partial or final) Monte Carlo result and records the slider-to-redraw times. */
function draw(result, timing, final = false) {
  page.result = result;
  drawCharts();
  renderBust();
  renderCompare();
  if (page.run) $('losses').innerHTML = lossTable(page.run.summary, page.result, page.pinned && page.pinned.result);
  if (timing) {
    const elapsed = Math.round(performance.now() - timing.started);
    if (timing.first_redraw_ms === null) timing.first_redraw_ms = elapsed;
    if (timing.final_redraw_ms === null && (result.paths >= timing.paths || final)) {
      timing.final_redraw_ms = elapsed;
      timing.final_paths = result.paths;
      timings.push({ trigger: timing.trigger, paths: timing.paths, first_redraw_ms: timing.first_redraw_ms, final_redraw_ms: timing.final_redraw_ms });
    }
    $('timing').textContent = `change → first redraw ${timing.first_redraw_ms} ms${
      timing.final_redraw_ms !== null ? `, → ${timing.final_paths.toLocaleString('en-US')} paths ${(timing.final_redraw_ms / 1000).toFixed(1)} s` : ''
    }`;
  }
}

function meanCapitalDestroyed(result) {
  const pp = result && result.per_path && result.per_path.capital_destroyed_usd_bn;
  return pp ? pp.mean : null;
}

function meanLosses(result) {
  const l = result && result.losses_by_holder_usd_bn;
  if (!l) return null;
  return Object.values(l).reduce((s, v) => s + (v.mean || 0), 0);
}

function renderBust() {
  const bust = page.result && page.result.bust;
  if (!bust) return;
  $('pbust').textContent = percent(bust.probability);
  $('pbust-ci').textContent = bust.ci95 ? `95% CI ${percent(bust.ci95[0])}–${percent(bust.ci95[1])} · ${page.result.paths.toLocaleString('en-US')} paths` : '';
}

function describeState(state, source) {
  const parts = [source && source.kind === 'upload' ? source.fileName : state.scenario];
  for (const [key, value] of Object.entries(state.set)) {
    const slider = SLIDER_BY_KEY.get(key);
    parts.push(`${slider ? slider.label.toLowerCase() : key} ${slider ? slider.text(value) : value}`);
  }
  if (state.shock.multiplier !== 1) parts.push(`shock ×${state.shock.multiplier} in ${state.shock.month}`);
  if (!state.circular) parts.push('circular deals off');
  return parts.join('; ');
}

/** A table of the current result against another (`b`, called `what`), with both settings. */
function compareTable(a, b, what, caption, settings) {
  const pts = (x, y) => (x === null || y === null ? '' : `${x - y >= 0 ? '+' : '−'}${Math.abs(100 * (x - y)).toFixed(1)} pts`);
  const money = (x, y) => (x === null || y === null ? '' : `${x - y >= 0 ? '+' : '−'}${usdBn(Math.abs(x - y))}`);
  const p = (r) => `${percent(r.bust.probability)} <span class="ci">[${percent(r.bust.ci95[0])}–${percent(r.bust.ci95[1])}]</span>`;
  const rows = [
    ['P(bust), 95% CI', p(a), p(b), pts(a.bust.probability, b.bust.probability)],
    ['Mean capital destroyed', usdBn(meanCapitalDestroyed(a)), usdBn(meanCapitalDestroyed(b)), money(meanCapitalDestroyed(a), meanCapitalDestroyed(b))],
    ['Mean losses, all holders', usdBn(meanLosses(a)), usdBn(meanLosses(b)), money(meanLosses(a), meanLosses(b))],
    ['Median bust month', a.bust.median_month || '–', b.bust.median_month || '–', ''],
    ['Paths', a.paths.toLocaleString('en-US'), b.paths.toLocaleString('en-US'), ''],
  ];
  return `<table class="compare-table"><caption>${escapeHtml(caption)}</caption>
<thead><tr><th scope="col"></th><th scope="col">current</th><th scope="col">${escapeHtml(what)}</th><th scope="col">difference</th></tr></thead>
<tbody>${rows.map(([k, x, y, d]) => `<tr><th scope="row">${k}</th><td>${x}</td><td>${y}</td><td>${d}</td></tr>`).join('')}
<tr><th scope="row">Settings</th><td>${escapeHtml(describeState(page.state, page.source))}</td><td>${escapeHtml(settings)}</td><td></td></tr></tbody></table>`;
}

function renderCompare() {
  const box = $('compare');
  const tables = [];
  if (page.result && page.pinned) {
    tables.push(compareTable(page.result, page.pinned.result, 'pinned', 'Current run against the pinned run', page.pinned.label));
  }
  if (page.result && page.compare.result) {
    const name = page.compare.name;
    tables.push(compareTable(page.result, page.compare.result, `B: ${name}`, `Current run against scenario B, ${name}`, `${name} as written`));
  }
  box.innerHTML = tables.join('');
  box.hidden = tables.length === 0;
}

function renderRun() {
  const run = page.run;
  if (!run) return;
  const summary = run.summary;
  $('run-bust').textContent = bustLine(summary);
  if (run.network) {
    $('network').innerHTML = networkSvg(run.network);
    $('network-legend').innerHTML = networkLegend(run.network);
    $('network-notes').innerHTML = networkNotes(run.network);
  }
  $('waterfall').innerHTML = capitalWaterfallSvg(summary);
  $('losses').innerHTML = lossTable(summary, page.result, page.pinned && page.pinned.result);
  $('legacy').innerHTML = legacyTable(summary);
  // The run's shocks and defaults are marked on the charts.
  drawCharts();
}

// ------------------------------------------------------------------ pin, export, share

function togglePin() {
  const button = $('pin');
  if (page.pinned) {
    page.pinned = null;
  } else {
    if (!page.result) return;
    page.pinned = { result: page.result, label: describeState(page.state, page.source) };
  }
  button.setAttribute('aria-pressed', String(Boolean(page.pinned)));
  button.textContent = page.pinned ? 'Unpin' : 'Pin this run';
  drawCharts();
  renderCompare();
  if (page.run) $('losses').innerHTML = lossTable(page.run.summary, page.result, page.pinned && page.pinned.result);
}

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function baseName() {
  return page.source.kind === 'upload' ? page.source.fileName.replace(/\.toml$/i, '') : page.source.name;
}

function exportTomlFile() {
  download(`${baseName()}-playground.toml`, 'application/toml', exportToml(page.source, page.state, page.overlay));
}

/** The fan quantiles per month as CSV: one row a month, columns <column>_<p05|p25|p50|p75|p95|mean>. */
function fansCsv(result) {
  const columns = FAN_COLUMNS.map((c) => c.column).filter((c) => result.fan[c]);
  const quantiles = ['p05', 'p25', 'p50', 'p75', 'p95', 'mean'];
  const months = result.fan[columns[0]].months;
  const busted = cumulativeBusts(result, months);
  const header = ['month', ...columns.flatMap((c) => quantiles.map((q) => `${c}_${q}`)), 'share_busted'];
  const lines = [header.join(',')];
  months.forEach((m, i) => {
    const cells = columns.flatMap((c) => quantiles.map((q) => (result.fan[c][q] ? result.fan[c][q][i] : '')));
    lines.push([m, ...cells, busted[i]].join(','));
  });
  return `${lines.join('\n')}\n`;
}

function exportCsv() {
  if (!page.result) return notice('No result yet.');
  download(`${baseName()}-fans.csv`, 'text/csv', fansCsv(page.result));
}

function exportJson() {
  if (!page.result) return notice('No result yet.');
  const doc = { request: { ...requestBody(), paths: page.state.paths }, result: page.result };
  download(`${baseName()}-mc.json`, 'application/json', `${JSON.stringify(doc, null, 1)}\n`);
}

async function share() {
  writeHash();
  const url = location.href;
  const box = $('share-box');
  const input = $('share-url');
  input.value = url;
  try {
    await navigator.clipboard.writeText(url);
    notice(page.source.kind === 'upload' ? `Link copied. It carries ${page.source.fileName} itself (${Math.round(url.length / 1000)} kB of link); nothing is stored on the server.` : 'Link copied.');
    box.hidden = true;
  } catch {
    box.hidden = false;
    input.focus();
    input.select();
  }
}

// ------------------------------------------------------------------ start

function resizeCharts() {
  const h = chartHeight();
  for (const chart of [...page.charts, page.bustChart]) if (chart) chart.resize(chart.plotBox.clientWidth, h);
}

function wire() {
  $('controls').addEventListener('submit', (e) => e.preventDefault());
  $('scenario').addEventListener('change', () => {
    const name = $('scenario').value;
    if (!name) return;
    const state = initialState(name);
    state.paths = page.state.paths;
    state.seed = page.state.seed;
    state.compare = page.state.compare;
    applyState(state, { trigger: 'scenario' });
  });
  $('compare-scenario').addEventListener('change', () => {
    page.state.compare = $('compare-scenario').value || null;
    writeHash();
    refreshCompare();
  });
  $('upload').addEventListener('change', async () => {
    const file = $('upload').files[0];
    if (!file) return;
    clearError();
    const ok = await loadUpload(file.name, await file.text());
    $('upload').value = '';
    if (!ok) return;
    const state = initialState(page.state.scenario);
    state.paths = page.state.paths;
    state.seed = page.state.seed;
    state.compare = page.state.compare;
    state.upload = { file: page.source.fileName, packed: page.source.packed };
    page.state = state;
    renderScenarioPicker();
    renderControls();
    schedule('upload', { immediate: true });
  });
  $('paths').addEventListener('change', () => {
    page.state.paths = Number($('paths').value);
    schedule('paths');
  });
  $('seed').addEventListener('change', () => {
    const seed = Number($('seed').value);
    if (!Number.isInteger(seed) || seed < 0) return notice('The seed is a whole number, 0 or more.');
    page.state.seed = seed;
    schedule('seed');
  });
  $('reset').addEventListener('click', () => {
    const state = initialState(page.state.scenario);
    state.paths = page.state.paths;
    state.seed = page.state.seed;
    state.compare = page.state.compare;
    state.upload = page.state.upload;
    page.state = state;
    renderControls();
    schedule('reset');
  });
  $('pin').addEventListener('click', togglePin);
  $('log-scale').addEventListener('change', drawCharts);
  $('export-toml').addEventListener('click', exportTomlFile);
  $('export-csv').addEventListener('click', exportCsv);
  $('export-json').addEventListener('click', exportJson);
  $('share').addEventListener('click', share);
  window.addEventListener('hashchange', () => {
    const { state } = decodeHash(location.hash);
    applyState(state);
  });
  new ResizeObserver(() => resizeCharts()).observe($('charts'));
  const header = document.querySelector('.top');
  new ResizeObserver(() => document.documentElement.style.setProperty('--header-h', `${header.offsetHeight}px`)).observe(header);
  // Leaving the page cancels its running job, so that it does not hold one of the server's slots.
  window.addEventListener('pagehide', () => {
    const cancel = (id) => fetch(`/api/jobs/${encodeURIComponent(id)}`, { method: 'DELETE', keepalive: true }).catch(() => {});
    if (page.compare.jobId) {
      page.compare.source.close();
      cancel(page.compare.jobId);
    }
    const job = page.job;
    if (!job || job.ended) return;
    job.source.close();
    cancel(job.id);
  });
}

async function start() {
  wire();
  const { state, ignored } = decodeHash(location.hash);
  try {
    const [health, list, schema] = await Promise.all([api.health(), api.scenarios(), api.schema()]);
    if (health && health.limits) page.limits = health.limits;
    page.scenarios = list.scenarios || [];
    page.keys = schemaKeys(schema);
  } catch (e) {
    showApiError(e, 'The server');
    return;
  }
  if (state.paths > page.limits.max_paths) state.paths = Math.min(DEFAULT_PATHS, page.limits.max_paths);
  await loadOverlay();
  if (ignored.length) notice(`Ignored in the link: ${ignored.join(', ')}.`);
  await applyState(state);
}

start();
