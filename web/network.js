// The financing network of one run (`network` of POST /api/run) as an SVG: firms on a circle
// grouped by type, contracts as curved arrows whose width grows with their size, circular links
// highlighted, defaulted firms marked.
import { escapeHtml, usdBn } from './format.js';

const TYPE_ORDER = ['lab', 'hyperscaler', 'neocloud', 'chipmaker', 'developer', 'utility', 'investor', 'households', 'other', 'investor-class'];
const TYPE_COLOUR = {
  lab: '#7b3fa0',
  hyperscaler: '#2563ab',
  neocloud: '#1f8a8a',
  chipmaker: '#b8860b',
  developer: '#6b7280',
  utility: '#4d7c0f',
  investor: '#8b5e3c',
  households: '#a16207',
  other: '#6b7280',
  'investor-class': '#9ca3af',
};
const TYPE_NAMES = { 'investor-class': 'outside investors', households: 'households', other: 'other' };
const OUTSIDE = new Set(['public-equity', 'venture', 'banks', 'private-credit', 'bondholders', 'abs-holders', 'suppliers']);

function typeRank(type) {
  const i = TYPE_ORDER.indexOf(type);
  return i < 0 ? TYPE_ORDER.indexOf('other') : i;
}

/** Nodes of the network plus a node for each outside-investor class an edge names. */
function allNodes(network) {
  const nodes = network.nodes.map((n) => ({ ...n }));
  const known = new Set(nodes.map((n) => n.id));
  for (const e of network.edges) {
    for (const id of [e.from, e.to]) {
      if (id && !known.has(id)) {
        known.add(id);
        nodes.push({ id, name: id, type: OUTSIDE.has(id) ? 'investor-class' : 'other', defaulted: false, default_month: null });
      }
    }
  }
  nodes.sort((a, b) => typeRank(a.type) - typeRank(b.type) || a.id.localeCompare(b.id));
  return nodes;
}

/** The SVG markup of the network, `width` × `height` user units (it scales with its box). */
export function networkSvg(network, width = 760, height = 520) {
  const nodes = allNodes(network);
  const cx = width / 2;
  const cy = height / 2;
  const radius = Math.min(width / 2 - 150, height / 2 - 40);
  const position = new Map();
  nodes.forEach((n, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / nodes.length;
    position.set(n.id, { x: cx + radius * Math.cos(angle), y: cy + radius * Math.sin(angle), angle });
  });
  const maxUsd = Math.max(1, ...network.edges.map((e) => Math.abs(e.usd_bn || 0)));
  const edges = [...network.edges].sort((a, b) => Number(a.circular) - Number(b.circular));
  const edgeMarkup = edges
    .map((e) => {
      const a = position.get(e.from);
      const b = position.get(e.to);
      if (!a || !b) return '';
      // Pull the control point towards the centre so that chords do not overlap the circle.
      const mx = (a.x + b.x) / 2;
      const my = (a.y + b.y) / 2;
      const qx = mx + (cx - mx) * 0.45;
      const qy = my + (cy - my) * 0.45;
      const w = 0.8 + 5 * Math.sqrt(Math.abs(e.usd_bn || 0) / maxUsd);
      const cls = e.circular ? 'edge circular' : 'edge';
      const title = `${e.id}: ${e.type.replaceAll('_', ' ')}, ${e.from} → ${e.to}${e.usd_bn ? `, ${usdBn(e.usd_bn)}` : ''}${e.circular ? ' (circular)' : ''}`;
      return `<path class="${cls}" d="M${a.x.toFixed(1)},${a.y.toFixed(1)} Q${qx.toFixed(1)},${qy.toFixed(1)} ${b.x.toFixed(1)},${b.y.toFixed(1)}" stroke-width="${w.toFixed(2)}" marker-end="url(#${e.circular ? 'arrow-circular' : 'arrow'})"><title>${escapeHtml(title)}</title></path>`;
    })
    .join('');
  const nodeMarkup = nodes
    .map((n) => {
      const p = position.get(n.id);
      const colour = TYPE_COLOUR[n.type] || TYPE_COLOUR.other;
      const r = n.type === 'investor-class' ? 6 : 8;
      const cos = Math.cos(p.angle);
      const anchor = Math.abs(cos) < 0.2 ? 'middle' : cos > 0 ? 'start' : 'end';
      const lx = p.x + 14 * Math.cos(p.angle);
      const ly = p.y + 14 * Math.sin(p.angle) + 4;
      const mark = n.defaulted
        ? `<path class="default-mark" d="M${p.x - 6},${p.y - 6} L${p.x + 6},${p.y + 6} M${p.x + 6},${p.y - 6} L${p.x - 6},${p.y + 6}"/>`
        : '';
      const label = n.name.length > 22 ? `${n.name.slice(0, 20).trimEnd()}…` : n.name;
      const title = `${n.name} (${n.type})${n.defaulted ? `, defaulted ${n.default_month || ''}` : ''}`;
      return `<g class="node${n.defaulted ? ' defaulted' : ''}"><title>${escapeHtml(title)}</title><circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${r}" fill="${colour}"/>${mark}<text x="${lx.toFixed(1)}" y="${ly.toFixed(1)}" text-anchor="${anchor}">${escapeHtml(label)}</text></g>`;
    })
    .join('');
  const defaulted = nodes.filter((n) => n.defaulted).length;
  const circular = network.edges.filter((e) => e.circular).length;
  const summary = `Financing network: ${nodes.length} parties, ${network.edges.length} contracts, ${circular} of them circular, ${defaulted} ${defaulted === 1 ? 'firm' : 'firms'} defaulted.`;
  return `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(summary)}" xmlns="http://www.w3.org/2000/svg">
<defs>
<marker id="arrow" viewBox="0 0 10 10" refX="16" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#9aa3ad"/></marker>
<marker id="arrow-circular" viewBox="0 0 10 10" refX="16" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#d9480f"/></marker>
</defs>
<g class="edges">${edgeMarkup}</g><g class="nodes">${nodeMarkup}</g></svg>`;
}

/** The legend of node types that occur, plus the edge and default marks. */
export function networkLegend(network) {
  const types = [...new Set(allNodes(network).map((n) => n.type))];
  const items = types.map(
    (t) => `<li><svg width="12" height="12" aria-hidden="true"><circle cx="6" cy="6" r="5" fill="${TYPE_COLOUR[t] || TYPE_COLOUR.other}"/></svg> ${escapeHtml(TYPE_NAMES[t] || t)}</li>`,
  );
  items.push('<li><span class="swatch-line circular" aria-hidden="true"></span> circular link</li>');
  items.push('<li><span class="swatch-line" aria-hidden="true"></span> other contract (width ∝ √size)</li>');
  items.push('<li><span class="default-x" aria-hidden="true">✕</span> defaulted in this run</li>');
  return `<ul class="legend">${items.join('')}</ul>`;
}

/** The loops (`network.loops`) written out, and the defaulted firms, as HTML. */
export function networkNotes(network) {
  const names = new Map(network.nodes.map((n) => [n.id, n.name]));
  const name = (id) => escapeHtml(names.get(id) || id);
  const loops = (network.loops || []).map((loop) => `<li>${loop.map(name).join(' → ')} → ${name(loop[0])}</li>`);
  const defaulted = network.nodes.filter((n) => n.defaulted).map((n) => `${name(n.id)} (${escapeHtml(n.default_month || '?')})`);
  return `<p><strong>Circular loops:</strong> ${loops.length ? '' : 'none'}</p>${loops.length ? `<ul class="loops">${loops.join('')}</ul>` : ''}
<p><strong>Defaulted in this run:</strong> ${defaulted.length ? defaulted.join(', ') : 'none'}</p>`;
}
