// Number and text formatting shared by the playground's panels.

/** A compact number: 1.2k, 34M, 5.6bn, 7.8tn, or plain with up to `digits` significant digits. */
export function compact(value, digits = 3) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  const scales = [
    [1e12, 'tn'],
    [1e9, 'bn'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, suffix] of scales) {
    if (abs >= scale) return significant(value / scale, digits) + suffix;
  }
  // As the reports' numbers (src/io/svg_chart.cpp, format_number): 0 for float residue below
  // 1e-6, and no exponent notation — 0.0000299, not 3.0e-5.
  if (abs < 1e-6) return '0';
  if (abs < 1e-3) return trim(value.toFixed(Math.min(20, digits - 1 - Math.floor(Math.log10(abs)))));
  return significant(value, digits);
}

/** `digits` significant digits, but never exponent notation for numbers below 1e6. */
function significant(value, digits) {
  if (Math.abs(value) >= 10 ** digits) return String(Math.round(value));
  return trim(value.toPrecision(digits));
}

/** Strips trailing zeros of a fixed or precision-formatted number. */
function trim(text) {
  if (!text.includes('.') || text.includes('e')) return text;
  return text.replace(/0+$/, '').replace(/\.$/, '');
}

/** USD bn as "$1.2tn", "$340bn", "$0.5bn". */
export function usdBn(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs < 0.005) return '$0bn';
  if (abs >= 1000) return `$${trim((value / 1000).toPrecision(3))}tn`;
  if (abs >= 10) return `$${Math.round(value).toLocaleString('en-US')}bn`;
  return `$${trim(value.toPrecision(2))}bn`;
}

/** A probability as a percentage with one decimal. */
export function percent(p, decimals = 1) {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–';
  return `${(100 * p).toFixed(decimals)}%`;
}

/** A number with a fixed count of decimals, without trailing zeros. */
export function fixed(value, decimals) {
  return trim(Number(value).toFixed(decimals));
}

/** "2027-06" → seconds since the epoch at the start of that month (UTC), for uPlot's time axis. */
export function monthToSeconds(month) {
  const [year, mon] = month.split('-').map(Number);
  return Date.UTC(year, mon - 1, 1) / 1000;
}

/** Months between two "YYYY-MM" strings (inclusive of both ends), as a list. */
export function monthRange(start, end) {
  const [y0, m0] = start.split('-').map(Number);
  const [y1, m1] = end.split('-').map(Number);
  const months = [];
  for (let y = y0, m = m0; y < y1 || (y === y1 && m <= m1); m === 12 ? ((m = 1), y++) : m++) {
    months.push(`${y}-${String(m).padStart(2, '0')}`);
  }
  return months;
}

/** Escapes text for use inside HTML or SVG markup. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
