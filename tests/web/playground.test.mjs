// Browser test of the playground page: starts `bubblesim serve`, drives Debian's chromium with
// playwright-core and checks that sliders drive the Monte Carlo charts, that a shared link
// restores the page's state, that the server's error for a bad upload is shown, and that the
// page explains itself: hover read-outs with units, chart units shown whole at 1366×768, each
// control's explanation on demand, event markers, scenario B drawn over A, an uploaded file
// shared through the link, and the glossary.
//
//   BSIM_BIN=build/dev/bubblesim node --test tests/web/playground.test.mjs
//
// BSIM_BIN (required): the bubblesim binary. BSIM_ARTIFACTS: where the screenshot goes (default
// tests/web/artifacts beside the binary, i.e. under the build folder). BSIM_CHROMIUM: the browser
// (default /usr/bin/chromium). BSIM_WEB_PATHS: paths per Monte Carlo job (default 20).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { FAN_COLUMNS } from '../../web/fan.js';
import { compact } from '../../web/format.js';

const BIN = process.env.BSIM_BIN;
const ARTIFACTS = process.env.BSIM_ARTIFACTS || (BIN ? path.join(path.dirname(path.resolve(BIN)), 'tests', 'web', 'artifacts') : 'artifacts');
const CHROMIUM = process.env.BSIM_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
// Paths per Monte Carlo job. The sanitizer build (`dev`) runs only about 2–5 paths a second on
// two busy cores, so the test keeps jobs small: P(bust) falls from ≈100% to ≈35% in its check,
// which 20 paths show beyond doubt (all 20 busting at 35% has odds below 1e-8).
const PATHS = Number(process.env.BSIM_WEB_PATHS || 20);
const JOB_TIMEOUT_MS = 60_000;

let server = null;
let baseUrl = null;
let browser = null;

/** Starts `bubblesim serve --port 0` and reads the address from its `serving on URL` line. */
function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`no "serving on" line from ${BIN} serve within 20 s; stdout: ${stdout} stderr: ${stderr}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const m = stdout.match(/serving on (http:\/\/\S+?)\/?(?:\s|$)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${BIN} serve exited with ${code} before serving; stderr: ${stderr}`));
    });
  });
}

/** Stops the server: SIGTERM (it cancels its jobs and exits), SIGKILL if it has not exited in 10 s. */
async function stopServer() {
  const child = server;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
// Whatever happens to the tests, the server does not outlive them.
process.on('exit', () => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
});

before(async () => {
  assert.ok(BIN, 'set BSIM_BIN to the bubblesim binary');
  assert.ok(fs.existsSync(BIN), `BSIM_BIN=${BIN} does not exist`);
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM} (apt-get install chromium)`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const started = await startServer();
  server = started.child;
  baseUrl = started.url;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  try {
    if (browser) await browser.close();
  } finally {
    await stopServer();
  }
});

/**
 * Opens a page and records every problem: console errors, page errors, failed requests and HTTP
 * errors other than those `allow(method, path, status)` accepts. Chromium also logs each HTTP error
 * as a console error ("Failed to load resource: …"); those are judged by their response instead.
 */
async function openPage({ width = 1366, height = 768, allow = () => false } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (m.text().startsWith('Failed to load resource: the server responded with a status of')) return;
    problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    const url = new URL(r.url());
    const error = r.failure() ? r.failure().errorText : '';
    // The page closes a job's event stream when a newer change replaces the job.
    if (error === 'net::ERR_ABORTED' && /^\/api\/jobs\/[^/]+\/events$/.test(url.pathname)) return;
    problems.push(`request failed: ${r.method()} ${r.url()} ${error}`);
  });
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const url = new URL(r.url());
    const method = r.request().method();
    // A job can end just as the page cancels it: the server then answers 409 (or 404).
    if (method === 'DELETE' && /^\/api\/jobs\/[^/]+$/.test(url.pathname) && [404, 409].includes(r.status())) return;
    if (allow(method, url.pathname, r.status())) return;
    problems.push(`HTTP ${r.status()} for ${method} ${url.pathname}`);
  });
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (!['blob:', 'data:'].includes(url.protocol) && url.origin !== new URL(baseUrl).origin) {
      problems.push(`request to another origin: ${r.url()}`);
    }
  });
  return { context, page, problems };
}

/** Waits until a refresh after `generation` has started and its job has ended. */
async function waitForJob(page, generation) {
  await page.waitForFunction(
    (g) => window.bsimPage && window.bsimPage.generation > g && window.bsimPage.finished && window.bsimPage.result,
    generation,
    { timeout: JOB_TIMEOUT_MS, polling: 100 },
  );
  return page.evaluate(() => ({
    generation: window.bsimPage.generation,
    paths: window.bsimPage.result.paths,
    probability: window.bsimPage.result.bust.probability,
  }));
}

/** Cancels every job still queued or running, so that the next test's job does not wait behind it. */
async function cancelJobs() {
  const { jobs } = await (await fetch(`${baseUrl}/api/jobs`)).json();
  for (const job of jobs) {
    if (job.status === 'queued' || job.status === 'running') await fetch(`${baseUrl}/api/jobs/${job.id}`, { method: 'DELETE' });
  }
}

/** Waits until the page has loaded its scenario and drawn its controls. */
async function waitForControls(page) {
  await page.waitForFunction(() => window.bsimPage && window.bsimPage.generation >= 1 && document.querySelector('#controls input[type=range]'), null, { timeout: 20_000 });
}

const pbustText = (page) => page.locator('#pbust').textContent();
const chartData = (page, column) => page.evaluate((c) => window.bsimPage.chartData(c), column);

test('moving a bust-rule slider with the keyboard changes P(bust) and the charts', async () => {
  const { context, page, problems } = await openPage();
  try {
    // The bust rule is "any of" its conditions: with the equity condition out of reach (100%),
    // raising the capex condition to 100% too leaves only write-offs, and P(bust) must fall.
    await page.goto(`${baseUrl}/#scenario=default&paths=${PATHS}&seed=1&verdict.bust_equity_drawdown=1`);
    const first = await waitForJob(page, 0);
    assert.equal(first.paths, PATHS);
    const p1 = await pbustText(page);
    const bust1 = await chartData(page, 'bust_timing');
    const capex1 = await chartData(page, 'capex_usd_bn');
    assert.ok(bust1 && capex1, 'the charts were drawn');

    const capexDrop = page.getByLabel('Bust: capex drop', { exact: true });
    await capexDrop.focus();
    await capexDrop.press('End');
    assert.equal(await capexDrop.inputValue(), '1');
    const second = await waitForJob(page, first.generation);
    assert.equal(second.paths, PATHS);
    const p2 = await pbustText(page);
    assert.notEqual(p2, p1, `P(bust) still reads ${p1}`);
    assert.ok(second.probability < first.probability, `P(bust) ${second.probability} is not below ${first.probability}`);
    assert.notDeepEqual(await chartData(page, 'bust_timing'), bust1, 'the bust-timing chart did not change');
    assert.match(await page.evaluate(() => location.hash), /verdict\.bust_capex_drop=1(&|$)/);

    const trend = page.getByLabel('Efficiency trend', { exact: true });
    await trend.focus();
    for (let i = 0; i < 5; i++) await trend.press('ArrowRight');
    const third = await waitForJob(page, second.generation);
    assert.notDeepEqual(await chartData(page, 'capex_usd_bn'), capex1, 'the capex fan did not change');
    assert.equal(third.paths, PATHS);

    const timings = await page.evaluate(() => window.bsimTimings);
    assert.ok(timings.length >= 2, 'slider timings are recorded');
    for (const t of timings) assert.ok(t.first_redraw_ms > 0 && t.final_redraw_ms >= t.first_redraw_ms, JSON.stringify(t));
    console.log(`slider → redraw timings (${PATHS} paths): ${JSON.stringify(timings)}`);

    await page.screenshot({ path: path.join(ARTIFACTS, 'playground.png'), fullPage: false });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await cancelJobs();
  }
});

test('a shared link restores the sliders, shock, paths and seed', async () => {
  const { context, page, problems } = await openPage({ width: 1920, height: 1080 });
  try {
    const jobRequest = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/jobs');
    await page.goto(`${baseUrl}/#scenario=default&paths=200&seed=7&shock=100@2027-06&technology.efficiency.trend_per_year=4.5`);
    const body = (await jobRequest).postDataJSON();
    const trend = page.getByLabel('Efficiency trend', { exact: true });
    assert.equal(await trend.inputValue(), '4.5');
    assert.equal(await page.locator('#paths').inputValue(), '200');
    assert.equal(await page.locator('#seed').inputValue(), '7');
    assert.equal(await page.locator('#shock-size-out').textContent(), '×100');
    assert.equal(await page.locator('#shock-month-out').textContent(), '2027-06');
    assert.equal(body.paths, 200);
    assert.equal(body.seed, 7);
    assert.deepEqual(body.set, { 'technology.efficiency.trend_per_year': 4.5 });
    assert.equal(body.scenario.extends, 'default');
    assert.deepEqual(body.scenario.shock, [{ id: 'playground', kind: 'efficiency', month: '2027-06', multiplier: 100 }]);
    assert.match(await page.evaluate(() => location.hash), /technology\.efficiency\.trend_per_year=4\.5/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await cancelJobs();
  }
});

test('an invalid upload shows the server’s error', async () => {
  const { context, page, problems } = await openPage({
    allow: (method, pathname, status) => method === 'POST' && pathname === '/api/validate' && status === 422,
  });
  try {
    await page.goto(`${baseUrl}/#scenario=default&paths=${PATHS}`);
    await waitForControls(page);

    // Not TOML at all: the page says so without asking the server.
    await page.setInputFiles('#upload', { name: 'broken.toml', mimeType: 'text/plain', buffer: Buffer.from('name = "unterminated\n') });
    await page.locator('#error').waitFor({ state: 'visible' });
    assert.match(await page.locator('#error').textContent(), /broken\.toml is not valid TOML/);

    // Valid TOML, invalid scenario: the server's 422 and its messages are shown.
    const scenario = { extends: 'default', name: 'bad', shock: [{ id: 'bad-shock', kind: 'efficiency', month: '2027-06', multiplier: -5 }] };
    const toml = 'extends = "default"\nname = "bad"\n\n[[shock]]\nid = "bad-shock"\nkind = "efficiency"\nmonth = "2027-06"\nmultiplier = -5\n';
    const expected = await (await fetch(`${baseUrl}/api/validate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario }) })).json();
    assert.ok(expected.error && expected.errors.length > 0, `the server accepts ${JSON.stringify(scenario)}`);
    await page.setInputFiles('#upload', { name: 'bad.toml', mimeType: 'text/plain', buffer: Buffer.from(toml) });
    await page.waitForFunction(() => /422/.test(document.getElementById('error').textContent));
    const shown = await page.locator('#error').textContent();
    assert.ok(shown.includes('bad.toml'), shown);
    assert.ok(shown.includes(expected.error), `"${expected.error}" not in: ${shown}`);
    for (const e of expected.errors) assert.ok(shown.includes(e.message), `"${e.message}" not in: ${shown}`);
    // The page keeps the scenario it had.
    assert.equal(await page.locator('#scenario').inputValue(), 'default');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await cancelJobs();
  }
});

/** Waits until the one run (the lower panels, and the charts' markers) has arrived. */
async function waitForRun(page) {
  await page.waitForFunction(() => window.bsimPage && window.bsimPage.run, null, { timeout: JOB_TIMEOUT_MS });
}

test('chart units are shown whole at 1366×768, and hovering or the keyboard reads out the month’s values with their unit', async () => {
  const { context, page, problems } = await openPage({ width: 1366, height: 768 });
  try {
    await page.goto(`${baseUrl}/#scenario=default&paths=${PATHS}&seed=1`);
    await waitForJob(page, 0);

    // Every unit is in full and inside its chart: neither cut off nor running out of the box.
    for (const spec of FAN_COLUMNS) {
      const unit = page.locator(`figure[data-column="${spec.column}"] .chart-unit`);
      assert.equal(await unit.textContent(), spec.unit);
      const fits = await unit.evaluate((el) => {
        const box = el.getBoundingClientRect();
        const figure = el.closest('figure').getBoundingClientRect();
        return el.scrollWidth <= el.clientWidth + 1 && box.right <= figure.right + 0.5 && box.left >= figure.left - 0.5;
      });
      assert.ok(fits, `the unit of ${spec.column} (“${spec.unit}”) is cut off or overflows its chart`);
    }

    // Hover 60% across the capex chart: the read-out names the month and the median and bands there.
    const over = page.locator('figure[data-column="capex_usd_bn"] .u-over');
    const box = await over.boundingBox();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    const tip = page.locator('figure[data-column="capex_usd_bn"] .chart-tip');
    await tip.waitFor({ state: 'visible' });
    const index = Number(await tip.getAttribute('data-index'));
    const fan = await page.evaluate(() => window.bsimPage.result.fan.capex_usd_bn);
    assert.ok(index > 0 && index < fan.months.length - 1, `index ${index}`);
    const text = await tip.textContent();
    assert.ok(text.includes(fan.months[index]), `no month ${fan.months[index]} in: ${text}`);
    assert.ok(text.includes(`median ${compact(fan.p50[index])} USD bn a month`), `no median with its unit in: ${text}`);
    assert.ok(text.includes(`25–75%: ${compact(fan.p25[index])} – ${compact(fan.p75[index])}`), `no 50% band in: ${text}`);
    assert.ok(text.includes(`5–95%: ${compact(fan.p05[index])} – ${compact(fan.p95[index])}`), `no 90% band in: ${text}`);
    const tipBox = await tip.boundingBox();
    const chartBox = await page.locator('figure[data-column="capex_usd_bn"]').boundingBox();
    assert.ok(tipBox.x >= chartBox.x && tipBox.x + tipBox.width <= chartBox.x + chartBox.width + 1, 'the read-out leaves its chart');

    // A share: utilisation reads out in percent of operable compute.
    const util = page.locator('figure[data-column="utilization"] .u-over');
    const ubox = await util.boundingBox();
    await page.mouse.move(ubox.x + ubox.width * 0.3, ubox.y + ubox.height / 2);
    const utip = page.locator('figure[data-column="utilization"] .chart-tip');
    await utip.waitFor({ state: 'visible' });
    assert.match(await utip.textContent(), /median \d+(\.\d)?% of operable compute/);
    const utipBox = await utip.boundingBox();
    const uchartBox = await page.locator('figure[data-column="utilization"]').boundingBox();
    assert.ok(utipBox.x >= uchartBox.x && utipBox.x + utipBox.width <= uchartBox.x + uchartBox.width + 1, 'the utilisation read-out leaves its chart');
    await page.screenshot({ path: path.join(ARTIFACTS, 'playground-hover.png'), fullPage: false });
    assert.ok(await tip.isHidden(), 'the capex read-out stays after the mouse left');

    // From the keyboard: Tab to a chart, then End, ←, Page Down move the read-out; Escape hides it.
    await page.mouse.move(0, 0);
    const plot = page.locator('figure[data-column="capex_usd_bn"] .plot');
    await plot.focus();
    const last = fan.months.length - 1;
    await page.keyboard.press('End');
    assert.equal(await tip.getAttribute('data-month'), fan.months[last]);
    assert.ok(await tip.isVisible());
    await page.keyboard.press('ArrowLeft');
    assert.equal(await tip.getAttribute('data-month'), fan.months[last - 1]);
    await page.keyboard.press('PageDown');
    assert.equal(await tip.getAttribute('data-month'), fan.months[last - 13]);
    assert.ok((await tip.textContent()).includes(`median ${compact(fan.p50[last - 13])} USD bn a month`));
    await page.keyboard.press('Escape');
    assert.ok(await tip.isHidden(), 'Escape does not hide the read-out');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await cancelJobs();
  }
});

test('each control’s explanation opens in place from the keyboard, and the glossary is linked', async () => {
  const { context, page, problems } = await openPage();
  try {
    await page.goto(`${baseUrl}/#scenario=default&paths=${PATHS}`);
    await waitForControls(page);
    const info = page.getByRole('button', { name: 'Explain bust: capex drop' });
    const help = page.locator(`#${await info.getAttribute('aria-controls')}`);
    assert.ok(await help.isHidden());
    assert.equal(await info.getAttribute('aria-expanded'), 'false');
    // Reached with Tab from the control before it, opened with Enter, closed with Space.
    await page.getByLabel('Data-centre lead time, exact value').focus();
    for (let i = 0; i < 6 && !(await info.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    assert.ok(await info.evaluate((el) => el === document.activeElement), 'Tab does not reach the ⓘ button');
    await page.keyboard.press('Enter');
    await help.waitFor({ state: 'visible' });
    assert.equal(await info.getAttribute('aria-expanded'), 'true');
    const text = await help.textContent();
    assert.ok(text.includes('trailing-12-month capex falls at least this far below its peak'), text);
    const schema = await (await fetch(`${baseUrl}/api/schema`)).json();
    const key = schema.keys.find((k) => k.path === 'verdict.bust_capex_drop');
    assert.ok(text.includes(key.doc), `the key reference “${key.doc}” is not shown: ${text}`);
    assert.ok(text.includes(key.unit), text);
    assert.equal(await help.locator('a').getAttribute('href'), 'glossary.html#bust-rule');
    await page.keyboard.press('Space');
    assert.ok(await help.isHidden(), 'Space does not close the explanation');
    // Reading an explanation changes nothing: no new run, focus stays on the button.
    const generation = await page.evaluate(() => window.bsimPage.generation);
    await page.waitForTimeout(400);
    assert.equal(await page.evaluate(() => window.bsimPage.generation), generation, 'opening an explanation started a new run');
    assert.ok(await info.evaluate((el) => el === document.activeElement), 'the ⓘ button lost the focus');
    // Every slider and the shock have one.
    const buttons = await page.locator('#controls button.info').count();
    assert.equal(buttons, (await page.locator('#controls input[type=range]').count()) - 1, 'a control without ⓘ (the shock month shares the shock’s)');

    // The glossary opens at a term, rendered from docs/glossary.md (once the page's requests are
    // over: leaving it aborts them).
    assert.equal(await page.locator('header a.glossary-link').getAttribute('href'), 'glossary.html');
    await waitForJob(page, 0);
    await waitForRun(page);
    await page.goto(`${baseUrl}/glossary.html#bust-rule`);
    await page.locator('h2#bust-rule.current').waitFor();
    for (const id of ['h100e', 'flows-and-stocks', 'bust-rule', 'sentiment', 'capital-destroyed', 'stranded', 'legacy']) {
      assert.equal(await page.locator(`h2#${id}`).count(), 1, `no term #${id}`);
    }
    assert.match(await page.locator('#glossary-text').textContent(), /A threshold of 0 switches its condition off/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await cancelJobs();
  }
});

test('a scenario’s shock and the one run’s defaults are marked on every chart', async () => {
  const { context, page, problems } = await openPage();
  try {
    await page.goto(`${baseUrl}/#scenario=sudden-100x&paths=${PATHS}&seed=1`);
    await waitForJob(page, 0);
    await waitForRun(page);
    const charts = FAN_COLUMNS.length + 1;
    await page.waitForFunction((n) => document.querySelectorAll('.chart-marker.shock[data-month="2027-06"]').length === n, charts, { timeout: 10_000 });
    const defaults = await page.evaluate(() => [...new Set(window.bsimPage.run.summary.events
      .filter((e) => ['forced_default', 'covenant_default', 'payment_default'].includes(e.kind)).map((e) => e.month))]);
    assert.ok(defaults.length > 0, 'the one run of sudden-100x has no default to mark');
    assert.equal(await page.locator('figure[data-column="capex_usd_bn"] .chart-marker.default').count(), defaults.length);

    // Hovering at the marker reads out its month and names the shock: the line is where it says.
    const marker = page.locator('figure[data-column="ai_revenue_usd_bn"] .chart-marker.shock');
    const mbox = await marker.boundingBox();
    await page.mouse.move(mbox.x + mbox.width / 2, mbox.y + mbox.height / 2);
    const tip = page.locator('figure[data-column="ai_revenue_usd_bn"] .chart-tip');
    await tip.waitFor({ state: 'visible' });
    assert.equal(await tip.getAttribute('data-month'), '2027-06');
    assert.match(await tip.textContent(), /efficiency shock ×100 \(algorithmic-100x\)/);
    assert.match(await page.locator('figure[data-column="capex_usd_bn"] .plot').getAttribute('aria-label'), /Marked: 2027-06 efficiency shock ×100/);

    // default has no scripted shock; the page's own shock is marked where the slider puts it.
    await page.goto(`${baseUrl}/#scenario=default&paths=${PATHS}&shock=10@2028-03`);
    await page.waitForFunction(() => document.querySelectorAll('.chart-marker.shock[data-month="2028-03"]').length > 0, null, { timeout: JOB_TIMEOUT_MS });
    assert.deepEqual(await page.locator('figure[data-column="capex_usd_bn"] .chart-marker.shock').evaluateAll((els) => els.map((e) => e.dataset.month)), ['2028-03']);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await cancelJobs();
  }
});

test('scenario B is run as written and drawn over A, compared in a table, and kept in the link', async () => {
  const { context, page, problems } = await openPage();
  try {
    const jobs = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/jobs') jobs.push(r.postDataJSON().scenario);
    });
    const bRequest = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/jobs' && r.postDataJSON().scenario === 'sudden-100x');
    await page.goto(`${baseUrl}/#scenario=default&compare=sudden-100x&paths=${PATHS}&seed=3&build.optimism=0.5`);
    const body = (await bRequest).postDataJSON();
    assert.deepEqual(body, { scenario: 'sudden-100x', set: {}, seed: 3, paths: PATHS });
    // The current scenario's job is queued first, B's after it.
    assert.deepEqual(jobs, ['default', 'sudden-100x']);
    assert.equal(await page.locator('#compare-scenario').inputValue(), 'sudden-100x');
    await page.waitForFunction(() => window.bsimPage.compare.result && window.bsimPage.compare.result.paths > 0 && window.bsimPage.result, null, { timeout: JOB_TIMEOUT_MS });
    await page.waitForFunction((n) => window.bsimPage.compare.result.paths === n, PATHS, { timeout: JOB_TIMEOUT_MS });
    const b = await page.evaluate(() => window.bsimPage.compare.result);
    const data = await chartData(page, 'ai_revenue_usd_bn');
    assert.deepEqual(data[10].slice(0, 12), b.fan.ai_revenue_usd_bn.p50.slice(0, 12), 'B’s median is not the orange line');
    // After the shock B's revenue differs from A's: the two fans are not the same drawing.
    assert.notDeepEqual(data[10], data[3]);
    assert.ok(await page.locator('#compare-legend').isVisible());
    assert.match(await page.locator('#compare-legend').textContent(), /B: sudden-100x/);
    await page.locator('#compare table').filter({ hasText: 'scenario B' }).waitFor();
    const table = await page.locator('#compare').textContent();
    assert.ok(table.includes('Current run against scenario B, sudden-100x'), table);
    assert.ok(table.includes((100 * b.bust.probability).toFixed(1)), `B's P(bust) is not in: ${table}`);

    // Hovering reads out B's median too.
    const over = page.locator('figure[data-column="ai_revenue_usd_bn"] .u-over');
    const box = await over.boundingBox();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
    assert.match(await page.locator('figure[data-column="ai_revenue_usd_bn"] .chart-tip').textContent(), /B: sudden-100x median/);

    // Choosing another B from the menu runs it and puts it in the link; "nothing" removes it.
    const cRequest = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/jobs' && r.postDataJSON().scenario === 'credit-crunch');
    await page.selectOption('#compare-scenario', 'credit-crunch');
    await cRequest;
    assert.match(await page.evaluate(() => location.hash), /(^#|&)compare=credit-crunch(&|$)/);
    await page.selectOption('#compare-scenario', '');
    assert.ok(await page.locator('#compare-legend').isHidden());
    assert.doesNotMatch(await page.evaluate(() => location.hash), /compare=/);
    assert.ok((await chartData(page, 'ai_revenue_usd_bn'))[10].every((v) => v === null), 'B is still drawn');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await cancelJobs();
  }
});

test('an uploaded file travels in the link and reopens from it, its units read as the server reads them', async () => {
  const { context, page, problems } = await openPage();
  try {
    await page.goto(`${baseUrl}/#scenario=default&paths=${PATHS}`);
    await waitForControls(page);
    // USD is 1e-9 USD bn for money and a year is 12 months (docs/scenario.md); a page with its own
    // table of units read "150000000000 USD" as 150000000000 USD bn.
    const toml = 'extends = "default"\nname = "shared-upload"\n\n[supply.power]\nlead_time_months = "5 years"\n\n[[firm]]\nid = "oracle"\ncredit_limit_usd_bn = "150000000000 USD"\n';
    const generation = await page.evaluate(() => window.bsimPage.generation);
    await page.setInputFiles('#upload', { name: 'my-upload.toml', mimeType: 'text/plain', buffer: Buffer.from(toml) });
    await waitForJob(page, generation);
    const lever = page.locator('.control[data-key="firm.oracle.credit_limit_usd_bn"] output');
    assert.equal(await lever.textContent(), '$150bn');
    assert.equal(await page.locator('.control[data-key="supply.power.lead_time_months"] output').textContent(), '60 months');
    const link = await page.evaluate(() => location.href);
    assert.match(link, /#file=my-upload\.toml&toml=[A-Za-z0-9_-]+&/);

    // A new browser context (no shared state) opens the link: the file, its values and its run.
    const other = await openPage();
    try {
      const jobRequest = other.page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/jobs');
      await other.page.goto(link);
      const body = (await jobRequest).postDataJSON();
      assert.equal(body.scenario.name, 'shared-upload');
      assert.equal(body.scenario.firm[0].credit_limit_usd_bn, '150000000000 USD');
      await waitForControls(other.page);
      assert.equal(await other.page.locator('#scenario option:checked').textContent(), 'uploaded: my-upload.toml');
      assert.equal(await other.page.locator('.control[data-key="firm.oracle.credit_limit_usd_bn"] output').textContent(), '$150bn');
      assert.deepEqual(other.problems, []);
    } finally {
      await other.context.close();
    }

    // A link cut short opens on the built-in scenario, with a notice.
    const cut = await openPage();
    try {
      await cut.page.goto(link.replace(/toml=([A-Za-z0-9_-]{30})[A-Za-z0-9_-]+/, 'toml=$1'));
      await cut.page.locator('#notice').waitFor({ state: 'visible' });
      assert.match(await cut.page.locator('#notice').textContent(), /my-upload\.toml could not be loaded/);
      await waitForControls(cut.page);
      assert.equal(await cut.page.locator('#scenario').inputValue(), 'default');
      assert.deepEqual(cut.problems, []);
    } finally {
      await cut.context.close();
    }
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await cancelJobs();
  }
});
