// The loss panel (capital destroyed as a waterfall, losses by holder) and the legacy ledger.
import { compact, escapeHtml, usdBn } from './format.js';

const HOLDER_NAMES = {
  'public-equity': 'public equity',
  venture: 'venture investors',
  banks: 'banks',
  'private-credit': 'private credit',
  bondholders: 'bondholders',
  'abs-holders': 'ABS holders',
  suppliers: 'suppliers',
  firms: 'firms (inter-firm claims)',
};

/** `summary.legacy.capital_destroyed_usd_bn`: write-down, debts, equity and their total. */
function capitalDestroyed(summary) {
  return (summary.legacy && summary.legacy.capital_destroyed_usd_bn) || {};
}

/** SVG waterfall of one run's capital destroyed: write-down + debts + equity = total. */
export function capitalWaterfallSvg(summary, width = 420, height = 190) {
  const cd = capitalDestroyed(summary);
  const steps = [
    ['Accelerator write-down', cd.accelerator_writedown || 0],
    ['Debts written off', cd.debts_written_off || 0],
    ['Equity wiped out', cd.equity_wiped_out || 0],
  ];
  const total = cd.total ?? steps.reduce((s, [, v]) => s + v, 0);
  const top = Math.max(total, 1e-9);
  const left = 150;
  const right = 70;
  const barH = 26;
  const gap = 14;
  const scale = (v) => ((width - left - right) * v) / top;
  let x = 0;
  const rows = steps.map(([label, v], i) => {
    const y = 10 + i * (barH + gap);
    const bar = `<rect x="${(left + scale(x)).toFixed(1)}" y="${y}" width="${Math.max(scale(v), v > 0 ? 1 : 0).toFixed(1)}" height="${barH}" class="wf-step"/>`;
    const text = `<text x="${left - 8}" y="${y + barH / 2 + 4}" text-anchor="end">${label}</text><text x="${(left + scale(x + v) + 6).toFixed(1)}" y="${y + barH / 2 + 4}">${usdBn(v)}</text>`;
    x += v;
    return bar + text;
  });
  const y = 10 + steps.length * (barH + gap);
  rows.push(
    `<rect x="${left}" y="${y}" width="${scale(total).toFixed(1)}" height="${barH}" class="wf-total"/><text x="${left - 8}" y="${y + barH / 2 + 4}" text-anchor="end" font-weight="600">Capital destroyed</text><text x="${(left + scale(total) + 6).toFixed(1)}" y="${y + barH / 2 + 4}" font-weight="600">${usdBn(total)}</text>`,
  );
  const label = `Capital destroyed in this run: ${steps.map(([l, v]) => `${l.toLowerCase()} ${usdBn(v)}`).join(', ')}; total ${usdBn(total)}.`;
  return `<svg class="waterfall" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(label)}" xmlns="http://www.w3.org/2000/svg">${rows.join('')}</svg>`;
}

/**
 * An HTML table of losses by holder: this run, the Monte Carlo mean and 95th percentile, and the
 * pinned Monte Carlo mean; each number with a bar scaled to the table's largest.
 */
export function lossTable(summary, result, pinned) {
  const run = (summary && summary.losses && summary.losses.by_holder_usd_bn) || {};
  const mc = (result && result.losses_by_holder_usd_bn) || {};
  const pin = (pinned && pinned.losses_by_holder_usd_bn) || null;
  const holders = [...new Set([...Object.keys(run), ...Object.keys(mc), ...Object.keys(pin || {})])];
  const value = (o, h, q) => (o[h] === undefined ? null : typeof o[h] === 'number' ? o[h] : o[h][q]);
  const columns = [
    ['this run', (h) => value(run, h)],
    ['MC mean', (h) => value(mc, h, 'mean')],
    ['MC p95', (h) => value(mc, h, 'p95')],
  ];
  if (pin) columns.push(['pinned mean', (h) => value(pin, h, 'mean')]);
  const max = Math.max(1e-9, ...holders.flatMap((h) => columns.map(([, f]) => f(h) || 0)));
  holders.sort((a, b) => (columns[1][1](b) || columns[0][1](b) || 0) - (columns[1][1](a) || columns[0][1](a) || 0));
  const head = `<tr><th scope="col">holder</th>${columns.map(([c]) => `<th scope="col">${c}</th>`).join('')}</tr>`;
  const body = holders
    .map((h) => {
      const cells = columns
        .map(([c, f], i) => {
          const v = f(h);
          const pct = v === null ? 0 : (100 * v) / max;
          return `<td class="bar-cell${i === 3 ? ' pinned' : ''}"><span class="bar" style="width:${pct.toFixed(1)}%"></span><span class="num">${v === null ? '–' : usdBn(v)}</span></td>`;
        })
        .join('');
      return `<tr><th scope="row">${escapeHtml(HOLDER_NAMES[h] || h)}</th>${cells}</tr>`;
    })
    .join('');
  return `<table class="loss-table"><caption>Losses by holder, USD bn (claims written off and equity wiped out)</caption><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

/** The legacy ledger of one run (`summary.legacy`) as a table. */
export function legacyTable(summary) {
  const l = summary.legacy || {};
  const cd = capitalDestroyed(summary);
  const gw = (v) => (v === undefined ? '–' : `${compact(v)} GW`);
  const price = (v) => (v === undefined || v === null ? '–' : `$${Number(v).toFixed(2)} per H100e-hour`);
  const rows = [
    ['Grid power added', gw(l.power_gw_added), 'completed after the start and not retired'],
    ['Data-centre shells added', gw(l.datacenter_gw_added), 'owners’ own and leased campuses'],
    ['Fab capacity added', l.production_h100e_per_month_added === undefined ? '–' : `${compact(l.production_h100e_per_month_added)} H100e a month`, ''],
    ['Replacement value of the above', usdBn(l.replacement_value_usd_bn), 'at the scenario’s unit costs'],
    ['Accelerators installed at the end', l.accelerators_h100e === undefined ? '–' : `${compact(l.accelerators_h100e)} H100e`, ''],
    ['… at book value', usdBn(l.accelerators_book_usd_bn), ''],
    ['… at economic value', usdBn(l.accelerators_value_usd_bn), 'what the capacity earns'],
    ['Compute price after the bust', price(l.post_bust_price_usd_per_h100e_hour), summary.bust && summary.bust.occurred ? `mean over the months after ${summary.bust.month}` : 'no bust in this run'],
    ['Compute price at the end', price(l.end_price_usd_per_h100e_hour), summary.end || ''],
    ['Capital destroyed', usdBn(cd.total), cd.accelerator_writedown_month ? `largest write-down in ${cd.accelerator_writedown_month}` : ''],
  ];
  return `<table class="legacy-table"><caption>What is left at the end of this run</caption><tbody>${rows
    .map(([k, v, note]) => `<tr><th scope="row">${k}</th><td>${escapeHtml(v)}</td><td class="note">${escapeHtml(note)}</td></tr>`)
    .join('')}</tbody></table>`;
}

/** One line describing a run's bust verdict. */
export function bustLine(summary) {
  const b = summary.bust || {};
  if (!b.occurred) return 'This run does not bust under the rule.';
  return `This run busts in ${b.month}: ${b.trigger}.`;
}
