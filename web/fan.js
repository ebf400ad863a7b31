// Monte Carlo fan charts (uPlot): bands p05–p95 and p25–p75 around the median, with a pinned
// run's median and 90% band drawn dashed and grey over them and a second scenario's (B) in
// orange; and the chart of bust timing. Hovering a chart shows the month's values with their
// unit; dated events (scripted shocks, defaults in the one run) are marked on every chart.
import uPlot from './vendor/uplot/uPlot.esm.js';
import { compact, escapeHtml, monthToSeconds, percent } from './format.js';

/**
 * The ten fan columns of a Monte Carlo result, in display order, with titles and units
 * (`unitShort`: the unit after a value in the hover read-out, where it differs).
 */
export const FAN_COLUMNS = [
  { column: 'capex_usd_bn', title: 'Capex', unit: 'USD bn a month', log: true },
  { column: 'ai_revenue_usd_bn', title: 'AI revenue', unit: 'USD bn a month', log: true },
  { column: 'revenue_gap_usd_bn', title: 'Revenue gap', unit: 'USD bn a month (needed − earned)', unitShort: 'USD bn a month' },
  { column: 'ai_equity_value_usd_bn', title: 'AI equity value', unit: 'USD bn', log: true },
  { column: 'sentiment_index', title: 'Sentiment index', unit: '×' },
  { column: 'spot_price_usd_per_h100e_hour', title: 'Spot compute price', unit: 'USD per H100e-hour', log: true },
  { column: 'utilization', title: 'Utilisation', unit: 'share of operable compute', unitShort: 'of operable compute', share: true },
  { column: 'demand_h100e', title: 'Compute demand', unit: 'H100e', log: true },
  { column: 'operable_h100e', title: 'Operable compute', unit: 'H100e', log: true },
  { column: 'stranded_h100e', title: 'Stranded compute', unit: 'H100e', log: true },
];

const BLUE = '37, 99, 171';
const ORANGE = '217, 95, 2';
const UTC = (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');

function axisValues(share) {
  return (u, splits) => splits.map((v) => (v === null ? '' : share ? percent(v, 0) : compact(v, 2)));
}

function decades(u, splits) {
  return splits.map((v) => (v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9 ? v : null));
}

function baseOptions(width, height, share, series, bands, log = false, hooks = {}) {
  return {
    width,
    height,
    tzDate: UTC,
    // Values are read out in the chart's own box (ChartBase), not in uPlot's legend table.
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    hooks,
    scales: log ? { x: { time: true }, y: { distr: 3, log: 10 } } : { x: { time: true } },
    axes: [
      { stroke: '#444', grid: { stroke: '#eee' }, ticks: { stroke: '#ccc' }, font: '11px system-ui, sans-serif' },
      log
        ? {
            stroke: '#444', size: 48, font: '11px system-ui, sans-serif', values: axisValues(share),
            // Decades only: labels, ticks and grid lines at 1, 10, 100, …
            filter: decades, grid: { stroke: '#eee', filter: decades }, ticks: { stroke: '#ccc', filter: decades },
          }
        : { stroke: '#444', grid: { stroke: '#eee' }, ticks: { stroke: '#ccc' }, values: axisValues(share), size: 48, font: '11px system-ui, sans-serif' },
    ],
    series,
    bands,
  };
}

/**
 * A chart's figure: a caption with its title and readout on one line and its unit on the next
 * (wrapping, never cut off), and the box the plot goes in (an image for screen readers, labelled
 * with its summary). Returns {figure, readout, plotBox}.
 */
function chartFigure(column, title, unit) {
  const figure = document.createElement('figure');
  figure.className = 'chart';
  figure.dataset.column = column;
  const caption = document.createElement('figcaption');
  const head = document.createElement('span');
  head.className = 'chart-head';
  const titleSpan = document.createElement('span');
  titleSpan.className = 'chart-title';
  titleSpan.textContent = title;
  const readout = document.createElement('span');
  readout.className = 'chart-readout';
  head.append(titleSpan, readout);
  const unitSpan = document.createElement('span');
  unitSpan.className = 'chart-unit';
  unitSpan.textContent = unit;
  caption.append(head, unitSpan);
  const plotBox = document.createElement('div');
  plotBox.className = 'plot';
  plotBox.setAttribute('role', 'img');
  plotBox.setAttribute('aria-label', `${title}: no result yet`);
  figure.append(caption, plotBox);
  return { figure, readout, plotBox };
}

/**
 * Events to mark on the charts, by month: scripted shocks (the same in every path) and the
 * defaults of the one run below the charts. `events` is a run's `summary.events`.
 * Returns [{month, kind: 'shock'|'default', text}], one entry per month and kind.
 */
export function chartMarkers(events) {
  const byKey = new Map();
  for (const e of events || []) {
    let kind = null;
    let text = null;
    if (e.kind === 'efficiency_shock' || e.kind === 'training_efficiency_shock') {
      kind = 'shock';
      text = `${e.kind === 'efficiency_shock' ? 'efficiency' : 'training-efficiency'} shock ×${compact(e.value)} (${e.subject})`;
    } else if (e.kind === 'forced_default' || e.kind === 'covenant_default' || e.kind === 'payment_default') {
      kind = 'default';
      text = e.subject;
    } else {
      continue;
    }
    const key = `${e.month} ${kind}`;
    if (!byKey.has(key)) byKey.set(key, { month: e.month, kind, items: [] });
    byKey.get(key).items.push(text);
  }
  return [...byKey.values()].map(({ month, kind, items }) => ({
    month,
    kind,
    text: kind === 'shock' ? items.join('; ') : `default in the one run: ${items.join(', ')}`,
  }));
}

/**
 * What the fan charts and the bust chart share: the hover read-out (a box over the plot with the
 * month's values and their unit) and the event markers (vertical lines over the plot).
 */
class ChartBase {
  constructor() {
    this.markers = [];
    this.tip = document.createElement('div');
    this.tip.className = 'chart-tip';
    this.tip.hidden = true;
    this.markerLayer = document.createElement('div');
    this.markerLayer.className = 'chart-markers';
  }

  hooks() {
    return {
      setCursor: [(u) => this.showTip(u)],
      draw: [(u) => this.placeMarkers(u)],
      ready: [(u) => u.over.append(this.markerLayer, this.tip)],
    };
  }

  /**
   * The read-out from the keyboard: the plot takes the focus (Tab), the arrow keys move a month,
   * Page Up/Down a year, Home/End to the ends, Escape hides it.
   */
  wireKeys() {
    this.plotBox.tabIndex = 0;
    this.plotBox.addEventListener('keydown', (e) => {
      const u = this.plot;
      if (!u || !this.months) return;
      const last = this.months.length - 1;
      const at = u.cursor.idx ?? null;
      const step = { ArrowRight: 1, ArrowLeft: -1, PageUp: 12, PageDown: -12 }[e.key];
      let i;
      if (step !== undefined) i = at === null ? (step > 0 ? 0 : last) : at + step;
      else if (e.key === 'Home') i = 0;
      else if (e.key === 'End') i = last;
      else if (e.key === 'Escape') {
        u.setCursor({ left: -10, top: -10 });
        e.preventDefault();
        return;
      } else return;
      e.preventDefault();
      i = Math.max(0, Math.min(last, i));
      u.setCursor({ left: u.valToPos(u.data[0][i], 'x'), top: u.over.clientHeight / 2 });
    });
    this.plotBox.addEventListener('blur', () => this.plot && this.plot.setCursor({ left: -10, top: -10 }));
  }

  /** Sets the events to mark: [{month, kind, text}] (chartMarkers). */
  setMarkers(markers) {
    this.markers = markers || [];
    if (this.plot) this.placeMarkers(this.plot);
  }

  placeMarkers(u) {
    this.markerLayer.textContent = '';
    const [x0, x1] = [u.scales.x.min, u.scales.x.max];
    for (const m of this.markers) {
      const t = monthToSeconds(m.month);
      if (!(t >= x0 && t <= x1)) continue;
      const line = document.createElement('div');
      line.className = `chart-marker ${m.kind}`;
      line.style.left = `${u.valToPos(t, 'x')}px`;
      line.dataset.month = m.month;
      line.title = `${m.month}: ${m.text}`;
      this.markerLayer.append(line);
    }
  }

  /** Lines of the read-out for data index `i` (HTML, escaped); subclasses say what to show. */
  tipLines() {
    return [];
  }

  showTip(u) {
    const i = u.cursor.idx;
    if (i === null || i === undefined || !this.months || !this.months[i]) {
      this.tip.hidden = true;
      return;
    }
    const month = this.months[i];
    const events = this.markers.filter((m) => m.month === month).map((m) => `<div class="tip-event ${m.kind}">${escapeHtml(m.text)}</div>`);
    this.tip.innerHTML = `<div class="tip-month">${escapeHtml(month)}</div>${this.tipLines(i).join('')}${events.join('')}`;
    this.tip.dataset.index = String(i);
    this.tip.dataset.month = month;
    this.tip.hidden = false;
    // Beside the cursor where it fits, else as near as the chart allows (over the y axis too):
    // never over the next chart.
    const left = u.cursor.left;
    const width = u.over.clientWidth;
    const axis = u.over.offsetLeft;
    const tipWidth = this.tip.offsetWidth;
    let x = left + 10;
    if (x + tipWidth > width) x = left - 10 - tipWidth;
    this.tip.style.left = `${Math.max(-axis, Math.min(x, width - tipWidth))}px`;
  }
}

/** One fan chart: a figure with a title, the uPlot canvas and a text summary for screen readers. */
export class FanChart extends ChartBase {
  constructor(container, spec) {
    super();
    this.spec = spec;
    Object.assign(this, chartFigure(spec.column, spec.title, spec.unit));
    this.figure.querySelector('figcaption').title = `${spec.title}, ${spec.unit} (column ${spec.column})`;
    this.wireKeys();
    this.logScale = false;
    container.append(this.figure);
    this.plot = null;
    this.data = null;
  }

  series() {
    const c = `rgb(${BLUE})`;
    return [
      {},
      { label: 'p05', stroke: `rgba(${BLUE}, 0.35)`, width: 1 },
      { label: 'p25', stroke: `rgba(${BLUE}, 0)`, width: 0 },
      { label: 'median', stroke: c, width: 2 },
      { label: 'p75', stroke: `rgba(${BLUE}, 0)`, width: 0 },
      { label: 'p95', stroke: `rgba(${BLUE}, 0.35)`, width: 1 },
      { label: 'pinned p05', stroke: '#777', width: 1, dash: [3, 3] },
      { label: 'pinned median', stroke: '#444', width: 1.5, dash: [6, 4] },
      { label: 'pinned p95', stroke: '#777', width: 1, dash: [3, 3] },
      { label: 'B p05', stroke: `rgba(${ORANGE}, 0.6)`, width: 1 },
      { label: 'B median', stroke: `rgb(${ORANGE})`, width: 2 },
      { label: 'B p95', stroke: `rgba(${ORANGE}, 0.6)`, width: 1 },
    ];
  }

  /** A value of this chart with its unit ("12.3 USD bn a month", "85% of operable compute"). */
  withUnit(v) {
    if (v === null || v === undefined || !Number.isFinite(v)) return '–';
    return `${this.spec.share ? percent(v, 1) : compact(v)} ${this.spec.unitShort || this.spec.unit}`;
  }

  tipLines(i) {
    const f = this.raw;
    const fmt = (v) => (this.spec.share ? percent(v, 1) : compact(v));
    const lines = [
      `<div class="tip-median">median <strong>${escapeHtml(this.withUnit(f.p50[i]))}</strong></div>`,
      `<div>25–75%: ${escapeHtml(fmt(f.p25[i]))} – ${escapeHtml(fmt(f.p75[i]))}</div>`,
      `<div>5–95%: ${escapeHtml(fmt(f.p05[i]))} – ${escapeHtml(fmt(f.p95[i]))}</div>`,
    ];
    if (f.pinned[i] !== null) lines.push(`<div class="tip-pinned">pinned median ${escapeHtml(this.withUnit(f.pinned[i]))}</div>`);
    if (f.compare[i] !== null) lines.push(`<div class="tip-compare">${escapeHtml(this.compareName || 'B')} median ${escapeHtml(this.withUnit(f.compare[i]))}</div>`);
    return lines;
  }

  /**
   * Draws a fan (`result.fan[column]`) and, when given, a pinned fan and a second scenario's fan
   * (`compare`, named `compareName`) of the same column. With `log` (for columns that allow it)
   * the y axis is logarithmic and values at or below zero are drawn at a floor 10^-4 below the
   * largest value.
   */
  setData(fan, pinned, width, height, log = false, compare = null, compareName = '') {
    if (!fan) return;
    const useLog = Boolean(log && this.spec.log);
    if (this.plot && this.logScale !== useLog) {
      this.plot.destroy();
      this.plot = null;
    }
    this.logScale = useLog;
    const x = fan.months.map(monthToSeconds);
    const alignedAt = (other, q) => {
      if (!other) return x.map(() => null);
      const byMonth = new Map(other.months.map((m, i) => [m, other[q][i]]));
      return fan.months.map((m) => byMonth.get(m) ?? null);
    };
    this.months = fan.months;
    this.compareName = compareName;
    this.raw = { ...fan, pinned: alignedAt(pinned, 'p50'), compare: alignedAt(compare, 'p50') };
    let data = [
      x, fan.p05, fan.p25, fan.p50, fan.p75, fan.p95,
      alignedAt(pinned, 'p05'), alignedAt(pinned, 'p50'), alignedAt(pinned, 'p95'),
      alignedAt(compare, 'p05'), alignedAt(compare, 'p50'), alignedAt(compare, 'p95'),
    ];
    if (useLog) {
      const top = Math.max(...data.slice(1).flatMap((a) => a.filter((v) => v !== null && Number.isFinite(v))));
      const floor = top > 0 ? top * 1e-4 : 1;
      data = [x, ...data.slice(1).map((a) => a.map((v) => (v === null ? null : Math.max(v, floor))))];
    }
    this.data = data;
    const bands = [
      { series: [5, 1], fill: `rgba(${BLUE}, 0.14)` },
      { series: [4, 2], fill: `rgba(${BLUE}, 0.26)` },
      { series: [8, 6], fill: 'rgba(110, 110, 110, 0.10)' },
      { series: [11, 9], fill: `rgba(${ORANGE}, 0.10)` },
    ];
    if (!this.plot) {
      this.plot = new uPlot(baseOptions(width, height, this.spec.share, this.series(), bands, useLog, this.hooks()), this.data, this.plotBox);
    } else {
      this.plot.setData(this.data);
    }
    const last = fan.p50.length - 1;
    const fmt = (v) => (this.spec.share ? percent(v, 0) : compact(v));
    this.readout.textContent = `median ${fmt(fan.p50[last])} in ${fan.months[last]}`;
    const peak = Math.max(...fan.p50);
    this.plotBox.setAttribute(
      'aria-label',
      `${this.spec.title} (${this.spec.unit}${useLog ? ', log scale' : ''}), ${fan.months[0]} to ${fan.months[last]}: median from ${fmt(fan.p50[0])} to ${fmt(fan.p50[last])}, peak median ${fmt(peak)}; 90% of paths end between ${fmt(fan.p05[last])} and ${fmt(fan.p95[last])}.${pinned ? ' The pinned run is drawn dashed.' : ''}${compare ? ` ${compareName} is drawn in orange, its median ending at ${fmt(compare.p50[compare.p50.length - 1])}.` : ''}${markerSummary(this.markers)}`,
    );
  }

  resize(width, height) {
    if (this.plot) this.plot.setSize({ width, height });
  }
}

/** Cumulative share of paths busted by month, from `result.bust.by_month` and `result.paths`. */
export function cumulativeBusts(result, months) {
  const byMonth = (result && result.bust && result.bust.by_month) || {};
  const paths = result ? result.paths : 0;
  let total = 0;
  return months.map((m) => {
    total += byMonth[m] || 0;
    return paths > 0 ? total / paths : null;
  });
}

/** The markers in words, for a chart's text summary. */
function markerSummary(markers) {
  if (!markers || markers.length === 0) return '';
  return ` Marked: ${markers.map((m) => `${m.month} ${m.text}`).join('; ')}.`;
}

/** The chart of bust timing: the share of paths busted by each month, current, pinned and B. */
export class BustChart extends ChartBase {
  constructor(container) {
    super();
    Object.assign(this, chartFigure('bust_timing', 'Bust timing', 'share of paths busted by then'));
    this.wireKeys();
    container.append(this.figure);
    this.plot = null;
    this.data = null;
  }

  tipLines(i) {
    const [, current, pin, other] = this.data;
    const lines = [`<div class="tip-median">busted by then <strong>${percent(current[i], 1)}</strong> of paths</div>`];
    if (pin[i] !== null) lines.push(`<div class="tip-pinned">pinned ${percent(pin[i], 1)}</div>`);
    if (other[i] !== null) lines.push(`<div class="tip-compare">${escapeHtml(this.compareName || 'B')} ${percent(other[i], 1)}</div>`);
    return lines;
  }

  setData(result, pinned, months, width, height, compare = null, compareName = '') {
    if (!result || !months) return;
    const x = months.map(monthToSeconds);
    const current = cumulativeBusts(result, months);
    const pin = pinned ? cumulativeBusts(pinned, months) : months.map(() => null);
    const other = compare ? cumulativeBusts(compare, months) : months.map(() => null);
    this.months = months;
    this.compareName = compareName;
    this.data = [x, current, pin, other];
    if (!this.plot) {
      const series = [
        {},
        { label: 'busted', stroke: 'rgb(180, 40, 40)', width: 2, fill: 'rgba(180, 40, 40, 0.08)' },
        { label: 'pinned', stroke: '#444', width: 1.5, dash: [6, 4] },
        { label: 'B busted', stroke: `rgb(${ORANGE})`, width: 2 },
      ];
      const opts = baseOptions(width, height, true, series, [], false, this.hooks());
      opts.scales.y = { range: [0, 1] };
      this.plot = new uPlot(opts, this.data, this.plotBox);
    } else {
      this.plot.setData(this.data);
    }
    const median = result.bust && result.bust.median_month;
    this.readout.textContent = median ? `median bust ${median}` : 'no bust';
    const at = (i) => percent(current[i], 0);
    this.plotBox.setAttribute(
      'aria-label',
      `Bust timing: ${at(current.length - 1)} of paths busted by ${months[months.length - 1]}${median ? `, half of the busts by ${median}` : ''}.${compare ? ` ${compareName}: ${percent(other[other.length - 1], 0)} busted by then.` : ''}${markerSummary(this.markers)}`,
    );
  }

  resize(width, height) {
    if (this.plot) this.plot.setSize({ width, height });
  }
}
