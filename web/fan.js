// Monte Carlo fan charts (uPlot): bands p05–p95 and p25–p75 around the median, with a pinned
// run's median and 90% band drawn dashed and grey over them; and the chart of bust timing.
import uPlot from './vendor/uplot/uPlot.esm.js';
import { compact, monthToSeconds, percent } from './format.js';

/** The ten fan columns of a Monte Carlo result, in display order, with titles and units. */
export const FAN_COLUMNS = [
  { column: 'capex_usd_bn', title: 'Capex', unit: 'USD bn a month', log: true },
  { column: 'ai_revenue_usd_bn', title: 'AI revenue', unit: 'USD bn a month', log: true },
  { column: 'revenue_gap_usd_bn', title: 'Revenue gap', unit: 'USD bn a month (needed − earned)' },
  { column: 'ai_equity_value_usd_bn', title: 'AI equity value', unit: 'USD bn', log: true },
  { column: 'sentiment_index', title: 'Sentiment index', unit: '×' },
  { column: 'spot_price_usd_per_h100e_hour', title: 'Spot compute price', unit: 'USD per H100e-hour', log: true },
  { column: 'utilization', title: 'Utilisation', unit: 'share of operable compute', share: true },
  { column: 'demand_h100e', title: 'Compute demand', unit: 'H100e', log: true },
  { column: 'operable_h100e', title: 'Operable compute', unit: 'H100e', log: true },
  { column: 'stranded_h100e', title: 'Stranded compute', unit: 'H100e', log: true },
];

const BLUE = '37, 99, 171';
const UTC = (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');

function axisValues(share) {
  return (u, splits) => splits.map((v) => (v === null ? '' : share ? percent(v, 0) : compact(v, 2)));
}

function decades(u, splits) {
  return splits.map((v) => (v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9 ? v : null));
}

function baseOptions(width, height, share, series, bands, log = false) {
  return {
    width,
    height,
    tzDate: UTC,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
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
 * A chart's figure: a caption with its title, unit and a readout, and the box the plot goes in
 * (an image for screen readers, labelled with its summary). Returns {figure, readout, plotBox}.
 */
function chartFigure(column, title, unit) {
  const figure = document.createElement('figure');
  figure.className = 'chart';
  figure.dataset.column = column;
  const caption = document.createElement('figcaption');
  const titleSpan = document.createElement('span');
  titleSpan.className = 'chart-title';
  titleSpan.textContent = title;
  const unitSpan = document.createElement('span');
  unitSpan.className = 'chart-unit';
  unitSpan.textContent = unit;
  const readout = document.createElement('span');
  readout.className = 'chart-readout';
  caption.append(titleSpan, ' ', unitSpan, readout);
  const plotBox = document.createElement('div');
  plotBox.className = 'plot';
  plotBox.setAttribute('role', 'img');
  plotBox.setAttribute('aria-label', `${title}: no result yet`);
  figure.append(caption, plotBox);
  return { figure, readout, plotBox };
}

/** One fan chart: a figure with a title, the uPlot canvas and a text summary for screen readers. */
export class FanChart {
  constructor(container, spec) {
    this.spec = spec;
    Object.assign(this, chartFigure(spec.column, spec.title, spec.unit));
    this.figure.querySelector('figcaption').title = `${spec.title}, ${spec.unit} (column ${spec.column})`;
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
    ];
  }

  /**
   * Draws a fan (`result.fan[column]`) and, when given, a pinned fan of the same column. With
   * `log` (for columns that allow it) the y axis is logarithmic and values at or below zero are
   * drawn at a floor 10^-4 below the largest value.
   */
  setData(fan, pinned, width, height, log = false) {
    if (!fan) return;
    const useLog = Boolean(log && this.spec.log);
    if (this.plot && this.logScale !== useLog) {
      this.plot.destroy();
      this.plot = null;
    }
    this.logScale = useLog;
    const x = fan.months.map(monthToSeconds);
    const pinnedAt = (q) => {
      if (!pinned) return x.map(() => null);
      const byMonth = new Map(pinned.months.map((m, i) => [m, pinned[q][i]]));
      return fan.months.map((m) => byMonth.get(m) ?? null);
    };
    let data = [x, fan.p05, fan.p25, fan.p50, fan.p75, fan.p95, pinnedAt('p05'), pinnedAt('p50'), pinnedAt('p95')];
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
    ];
    if (!this.plot) {
      this.plot = new uPlot(baseOptions(width, height, this.spec.share, this.series(), bands, useLog), this.data, this.plotBox);
    } else {
      this.plot.setData(this.data);
    }
    const last = fan.p50.length - 1;
    const fmt = (v) => (this.spec.share ? percent(v, 0) : compact(v));
    this.readout.textContent = `median ${fmt(fan.p50[last])} in ${fan.months[last]}`;
    const peak = Math.max(...fan.p50);
    this.plotBox.setAttribute(
      'aria-label',
      `${this.spec.title} (${this.spec.unit}${useLog ? ', log scale' : ''}), ${fan.months[0]} to ${fan.months[last]}: median from ${fmt(fan.p50[0])} to ${fmt(fan.p50[last])}, peak median ${fmt(peak)}; 90% of paths end between ${fmt(fan.p05[last])} and ${fmt(fan.p95[last])}.${pinned ? ' The pinned run is drawn dashed.' : ''}`,
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

/** The chart of bust timing: the share of paths busted by each month, current and pinned. */
export class BustChart {
  constructor(container) {
    Object.assign(this, chartFigure('bust_timing', 'Bust timing', 'share of paths busted by then'));
    container.append(this.figure);
    this.plot = null;
    this.data = null;
  }

  setData(result, pinned, months, width, height) {
    if (!result || !months) return;
    const x = months.map(monthToSeconds);
    const current = cumulativeBusts(result, months);
    const pin = pinned ? cumulativeBusts(pinned, months) : months.map(() => null);
    this.data = [x, current, pin];
    if (!this.plot) {
      const series = [
        {},
        { label: 'busted', stroke: 'rgb(180, 40, 40)', width: 2, fill: 'rgba(180, 40, 40, 0.08)' },
        { label: 'pinned', stroke: '#444', width: 1.5, dash: [6, 4] },
      ];
      const opts = baseOptions(width, height, true, series, []);
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
      `Bust timing: ${at(current.length - 1)} of paths busted by ${months[months.length - 1]}${median ? `, half of the busts by ${median}` : ''}.`,
    );
  }

  resize(width, height) {
    if (this.plot) this.plot.setSize({ width, height });
  }
}
