// Browser test of the playground page: starts `bubblesim serve`, drives Debian's chromium with
// playwright-core and checks that sliders drive the Monte Carlo charts, that a shared link
// restores the page's state and that the server's error for a bad upload is shown.
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
