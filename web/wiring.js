// wiring: the SVG diagram of a cable — both ends' connectors drawn from their
// profile, and a line from each near-end contact to every far-end contact it
// reaches, styled by what the line means (correct, crossed, open, short, high R).

import { expectedPairs, partWord, roleWord } from './model.js';
import { fmtOhms } from './faults.js';

const NS = 'http://www.w3.org/2000/svg';
const ROW = 46;
const TOP = 58;
const PLUG_GAP = 64; // room for a plug's body and cable stub before the next plug

// The drawing's width in user units, where each end's plug and labels sit, and
// where the wires start. A phone gets the compact one: fewer units across, so
// once scaled to its width the type stays readable and the far end stays in view.
const GEOMETRY = {
  wide: { w: 760, plugX: 52, labelOff: 34, pad: 214, titleX: 16 },
  compact: { w: 480, plugX: 36, labelOff: 26, pad: 156, titleX: 8 },
};
// Below this many CSS pixels of room the compact drawing is used.
export const COMPACT_BELOW = 560;

export const LINE_KINDS = {
  ok: { label: 'correct', legend: 'Correct' },
  swapped: { label: 'crossed', legend: 'Crossed (swapped)' },
  miswire: { label: 'wrong pin', legend: 'Wrong pin' },
  open: { label: 'open', legend: 'Open (no connection)' },
  short: { label: 'short', legend: 'Short (two contacts touch)' },
  highres: { label: 'high R', legend: 'High resistance' },
  expected: { label: '', legend: 'Expected (not measured yet)' },
};

function el(name, attrs = {}, parent = null) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

function text(parent, x, y, s, attrs = {}) {
  const t = el('text', { x, y, ...attrs }, parent);
  t.textContent = s;
  return t;
}

// Lays out one end: rows (y per contact id) and plug blocks.
function layoutEnd(plugs, extra) {
  const blocks = [];
  let y = TOP;
  const all = extra.length ? [...plugs, { label: 'jig', connector: { name: '' }, kind: 'pins', contacts: extra }] : plugs;
  all.forEach((plug, i) => {
    if (plug.label || all.length > 1) y += 20; // room for the plug's caption
    const rows = plug.contacts.map((c, k) => ({ ...c, y: y + ROW / 2 + k * ROW }));
    blocks.push({ plug, rows, top: y, bottom: y + ROW * plug.contacts.length });
    y += ROW * plug.contacts.length + (i < all.length - 1 ? PLUG_GAP : 0);
  });
  return { blocks, height: y };
}

// A jack plug (tip, rings, sleeve), axis vertical, tip at the top.
function drawJack(g, block, cx) {
  const { rows, top, bottom } = block;
  const w = 28;
  rows.forEach((r, k) => {
    const y0 = top + k * ROW + (k === 0 ? 6 : 3);
    const y1 = top + (k + 1) * ROW - 3;
    if (k === 0) {
      const d = `M${cx - w / 2},${y1} L${cx - w / 2},${y0 + 12} Q${cx - w / 2},${y0} ${cx},${y0 - 2} Q${cx + w / 2},${y0} ${cx + w / 2},${y0 + 12} L${cx + w / 2},${y1} Z`;
      el('path', { d, class: 'metal' }, g);
    } else {
      el('rect', { x: cx - w / 2, y: y0, width: w, height: y1 - y0, class: 'metal' }, g);
    }
    if (k > 0) el('rect', { x: cx - w / 2, y: y0 - 3, width: w, height: 3, class: 'insulator' }, g);
  });
  el('rect', { x: cx - 24, y: bottom, width: 48, height: 36, rx: 8, class: 'body' }, g);
  el('rect', { x: cx - 7, y: bottom + 36, width: 14, height: 14, class: 'cable' }, g);
}

// An RCA plug: the centre pin on the first row, the shell on the second.
function drawRca(g, block, cx) {
  const { rows, top, bottom } = block;
  rows.forEach((r, k) => {
    const y0 = top + k * ROW + 4;
    const y1 = top + (k + 1) * ROW - 2;
    if (k === 0) el('rect', { x: cx - 5, y: y0, width: 10, height: y1 - y0, rx: 4, class: 'metal' }, g);
    else el('rect', { x: cx - 20, y: y0, width: 40, height: y1 - y0, rx: 3, class: 'metal' }, g);
  });
  el('rect', { x: cx - 24, y: bottom, width: 48, height: 36, rx: 8, class: 'body' }, g);
  el('rect', { x: cx - 7, y: bottom + 36, width: 14, height: 14, class: 'cable' }, g);
}

// XLR, 2-pin, MMCX and anything else: a housing with a numbered pin per contact.
function drawPins(g, block, cx, kind) {
  const { rows, top, bottom } = block;
  el('rect', { x: cx - 24, y: top + 2, width: 48, height: bottom - top - 4, rx: kind === 'xlr' ? 22 : 8, class: 'body' }, g);
  rows.forEach((r) => {
    el('circle', { cx, cy: r.y, r: 13, class: 'pin' }, g);
    text(g, cx, r.y + 4, r.contact.length <= 3 ? r.contact.replace('-', '−') : r.contact.slice(0, 2), { class: 'pin-label', 'text-anchor': 'middle' });
  });
}

// The role under a contact's name: "left −" on a plug labelled left, nothing when
// the role only repeats the name ("+ pin", "+").
function roleText(r, part) {
  const side = /^(left|l)$/i.test(r.plug) ? 'left' : /^(right|r)$/i.test(r.plug) ? 'right' : '';
  const word = roleWord(r.role);
  if (side && ['+', '−', 'signal'].includes(word)) return `${side} ${word === 'signal' ? '' : word}`.trim();
  return part.startsWith(word) ? '' : word;
}

function drawEnd(svg, layout, side, caption, geo) {
  const g = el('g', { class: `end end-${side}` }, svg);
  const W = geo.w;
  const cx = side === 'A' ? geo.plugX : W - geo.plugX;
  const labelX = side === 'A' ? cx + geo.labelOff : cx - geo.labelOff;
  const anchor = side === 'A' ? 'start' : 'end';
  const pad = side === 'A' ? geo.pad : W - geo.pad;
  text(g, side === 'A' ? geo.titleX : W - geo.titleX, 22, caption.title, { class: 'end-title', 'text-anchor': anchor });
  text(g, side === 'A' ? geo.titleX : W - geo.titleX, 40, caption.sub, { class: 'end-sub', 'text-anchor': anchor });
  const pads = new Map();
  for (const block of layout.blocks) {
    const kind = block.plug.kind;
    if (block.plug.label || layout.blocks.length > 1) {
      text(g, cx, block.top - 6, `${block.plug.label || 'plug'} plug`, { class: 'plug-caption', 'text-anchor': 'middle' });
    }
    if (kind === 'jack') drawJack(g, block, cx);
    else if (kind === 'rca' && block.rows.length === 2) drawRca(g, block, cx);
    else drawPins(g, block, cx, kind);
    for (const r of block.rows) {
      const name = `${side}.${r.id}`;
      el('line', { x1: side === 'A' ? cx + 16 : cx - 16, y1: r.y, x2: pad, y2: r.y, class: 'leader' }, g);
      const part = partWord(r.contact, kind);
      const t = text(g, labelX, r.y - 5, part, { class: 'contact-part', 'text-anchor': anchor });
      t.setAttribute('data-contact', name);
      text(g, labelX, r.y + 11, roleText(r, part), { class: 'contact-role', 'text-anchor': anchor });
      el('circle', { cx: pad, cy: r.y, r: 6, class: 'pad', 'data-contact': name }, g);
      pads.set(name, { x: pad, y: r.y });
    }
  }
  return pads;
}

// The shorts of a result: the contacts each short fault joins, and its resistance.
function shortsOf(faults) {
  return faults.filter((f) => f.code === 'short' && (f.contacts || []).length >= 2)
    .map((f) => ({ contacts: f.contacts, ohms: f.ohms }));
}

// Decides the kind of every line from the measured reach, the expected pairs and the
// faults. A short is no line of its own: the reach it adds (both tones on both
// contacts) is left out, and the short is drawn where it is, as a bridge between
// the contacts it joins (lines.shorts).
export function classifyLines(result, ends) {
  const expected = expectedPairs(ends);
  const exp = new Set(expected.map(([a, b]) => `${a}|${b}`));
  const expFrom = new Map();
  const expTo = new Map();
  for (const [a, b] of expected) {
    (expFrom.get(a) || expFrom.set(a, []).get(a)).push(b);
    (expTo.get(b) || expTo.set(b, []).get(b)).push(a);
  }
  const faults = result?.faults || [];
  const touched = (code) => new Set(faults.filter((f) => f.code === code).flatMap((f) => f.contacts || []));
  const highres = touched('high_resistance');
  const shorts = shortsOf(faults);
  // A line a → b that a short explains: a is (or is wired to) one side of the
  // short and b is (or is wired to) the other, so a tone crosses through the bridge.
  const viaShort = (a, b) => shorts.some(({ contacts }) => {
    const g = new Set(contacts);
    const nearA = g.has(a) || (expFrom.get(a) || []).some((x) => g.has(x));
    const nearB = g.has(b) || (expTo.get(b) || []).some((x) => g.has(x));
    return nearA && nearB;
  });
  const wiring = result?.wiring || [];
  let lines;
  if (!wiring.length) {
    lines = expected.map(([a, b]) => ({ from: a, to: b, kind: 'expected', gain: null }));
    lines.shorts = [];
    return lines;
  }
  const reach = new Map(wiring.map((w) => [w.from, w.to || []]));
  const hrOhms = new Map();
  for (const f of faults) if (f.code === 'high_resistance') for (const c of f.contacts || []) hrOhms.set(c, f.ohms);
  lines = [];
  for (const w of wiring) {
    const a = w.from;
    const to = w.to || [];
    if (!to.length) {
      for (const b of expFrom.get(a) || []) lines.push({ from: a, to: b, kind: 'open', gain: 0 });
      continue;
    }
    to.forEach((b, k) => {
      const gain = Array.isArray(w.gains) ? w.gains[k] : w.gain;
      let kind;
      if (exp.has(`${a}|${b}`)) {
        kind = highres.has(a) || highres.has(b) ? 'highres' : 'ok';
      } else if (viaShort(a, b)) {
        return;
      } else {
        const mine = expFrom.get(a) || [];
        if (mine.some((x) => to.includes(x))) {
          kind = 'short';   // reaches its own contact and another: a short no fault names
        } else {
          const owners = expTo.get(b) || [];
          const crossed = owners.some((a2) => (reach.get(a2) || []).some((b2) => mine.includes(b2)));
          kind = crossed ? 'swapped' : 'miswire';
        }
      }
      const line = { from: a, to: b, kind, gain };
      if (kind === 'highres') line.ohms = hrOhms.get(a) ?? hrOhms.get(b);
      lines.push(line);
    });
  }
  lines.shorts = shorts;
  return lines;
}

function lineLabel(line) {
  const base = LINE_KINDS[line.kind].label;
  // The fault sentence's rounding: "high R 3.0 kΩ" beside "… (3.0 kΩ)".
  if (line.kind === 'highres' && typeof line.ohms === 'number') return `${base} ${fmtOhms(line.ohms)}`;
  return base;
}

// A short between contacts of one end: a bracket from pad to pad on the outer side of
// the pads with a zigzag across it, and its resistance beside it.
function drawShort(gl, labels, short, pads, geo) {
  const pts = short.contacts.map((c) => ({ c, p: pads.get(c) })).filter((x) => x.p);
  if (pts.length < 2) return;
  pts.sort((x, y) => x.p.y - y.p.y);
  const top = pts[0].p;
  const bottom = pts[pts.length - 1].p;
  const side = top.x < geo.w / 2 ? -1 : 1;      // outwards: left of the near end's pads, right of the far end's
  const x = top.x + side * 16;
  const mid = (top.y + bottom.y) / 2;
  const zig = [];
  for (let i = 0; i <= 6; i++) zig.push(`L${x + (i === 0 || i === 6 ? 0 : (i % 2 ? -6 : 6))},${mid - 12 + i * 4}`);
  const d = `M${top.x},${top.y} H${x} V${mid - 12} ${zig.join(' ')} V${bottom.y} H${bottom.x}`;
  const path = el('path', { d, class: 'short-bridge', 'data-a': pts[0].c, 'data-b': pts[pts.length - 1].c }, gl);
  const ohms = typeof short.ohms === 'number' ? fmtOhms(short.ohms) : '';
  el('title', {}, path).textContent = `${pts.map((q) => q.c).join(' and ')}: ${LINE_KINDS.short.legend}${ohms ? `, ${ohms}` : ''}`;
  for (const q of pts) el('circle', { cx: q.p.x, cy: q.p.y, r: 4, class: 'short-dot' }, gl);
  const label = `${LINE_KINDS.short.label}${ohms ? ` ${ohms}` : ''}`;
  text(labels, x - side * 26, mid + 4, label, { class: 'line-label l-short', 'text-anchor': side < 0 ? 'start' : 'end' });
}

// Renders into container; returns the lines drawn (for tests and the text summary).
// opts.compact: the narrow layout; by default it follows the container's width.
export function renderWiring(container, ends, result, opts = {}) {
  const compact = opts.compact ?? (container.clientWidth > 0 && container.clientWidth < COMPACT_BELOW);
  const geo = compact ? GEOMETRY.compact : GEOMETRY.wide;
  const W = geo.w;
  container.textContent = '';
  const known = (side, plugs) => new Set(plugs.flatMap((p) => p.contacts.map((c) => `${side}.${c.id}`)));
  const lines = classifyLines(result, ends);
  const extras = { A: [], B: [] };
  for (const side of ['A', 'B']) {
    const have = known(side, side === 'A' ? ends.a : ends.b);
    const named = [...lines.flatMap((l) => [l.from, l.to]), ...lines.shorts.flatMap((x) => x.contacts)];
    const names = new Set(named.filter((n) => n.startsWith(side + '.') && !have.has(n)));
    for (const n of names) {
      const id = n.slice(2);
      extras[side].push({ contact: id, id, role: '', plug: '', kind: 'pins' });
    }
  }
  const la = layoutEnd(ends.a, extras.A);
  const lb = layoutEnd(ends.b, extras.B);
  const height = Math.max(la.height, lb.height) + 62;
  const svg = el('svg', { viewBox: `0 0 ${W} ${height}`, class: `wiring-svg${compact ? ' compact' : ''}`, role: 'img' });
  const title = el('title', {}, svg);
  const caption = (plugs, which) => ({
    title: which,
    sub: plugs.map((p) => p.connector.name).filter((v, i, s) => s.indexOf(v) === i).join(' + ') || 'unknown connector',
  });
  const padsA = drawEnd(svg, la, 'A', caption(ends.a, compact ? 'Near end (A)' : 'Near end (A) · driven'), geo);
  const padsB = drawEnd(svg, lb, 'B', caption(ends.b, compact ? 'Far end (B)' : 'Far end (B) · measured'), geo);

  const gl = el('g', { class: 'lines' }, svg);
  const labels = el('g', { class: 'line-labels' }, svg);
  const order = { expected: 0, ok: 1, highres: 2, short: 3, miswire: 4, swapped: 5, open: 6 };
  const sorted = [...lines].sort((x, y) => order[x.kind] - order[y.kind]);
  const labelSpots = [];
  for (const line of sorted) {
    const p = padsA.get(line.from);
    const q = padsB.get(line.to);
    if (!p || !q) continue;
    const dx = (q.x - p.x) * 0.45;
    const d = `M${p.x + 6},${p.y} C${p.x + dx},${p.y} ${q.x - dx},${q.y} ${q.x - 6},${q.y}`;
    const path = el('path', { d, class: `wire w-${line.kind}`, 'data-from': line.from, 'data-to': line.to, 'data-kind': line.kind }, gl);
    const gainText = typeof line.gain === 'number' ? `, gain ${line.gain.toFixed(3)}` : '';
    el('title', {}, path).textContent = `${line.from} → ${line.to}: ${LINE_KINDS[line.kind].legend}${gainText}`;
    const label = lineLabel(line);
    if (!label || line.kind === 'ok') continue;
    // Labels sit a third of the way along so crossing lines do not stack theirs.
    let t = 0.2;
    let pt;
    const at = (s) => {
      const u = 1 - s;
      return {
        x: u * u * u * (p.x + 6) + 3 * u * u * s * (p.x + dx) + 3 * u * s * s * (q.x - dx) + s * s * s * (q.x - 6),
        y: u * u * u * p.y + 3 * u * u * s * p.y + 3 * u * s * s * q.y + s * s * s * q.y,
      };
    };
    for (;;) {
      pt = at(t);
      if (!labelSpots.some((s) => Math.abs(s.x - pt.x) < 60 && Math.abs(s.y - pt.y) < 16) || t > 0.7) break;
      t += 0.15;
    }
    labelSpots.push(pt);
    if (line.kind === 'open') {
      const mid = at(0.5);
      const gx = el('g', { class: 'open-mark' }, labels);
      el('circle', { cx: mid.x, cy: mid.y, r: 9 }, gx);
      el('path', { d: `M${mid.x - 4},${mid.y - 4} L${mid.x + 4},${mid.y + 4} M${mid.x + 4},${mid.y - 4} L${mid.x - 4},${mid.y + 4}` }, gx);
    }
    if (line.kind === 'highres') {
      const mid = at(0.62);
      const zig = [];
      for (let i = 0; i <= 6; i++) zig.push(`${mid.x - 15 + i * 5},${mid.y + (i === 0 || i === 6 ? 0 : i % 2 ? -6 : 6)}`);
      el('polyline', { points: zig.join(' '), class: 'resistor' }, labels);
    }
    text(labels, pt.x, pt.y - 7, label, { class: `line-label l-${line.kind}`, 'text-anchor': 'middle' });
  }
  const allPads = new Map([...padsA, ...padsB]);
  for (const sh of lines.shorts) drawShort(gl, labels, sh, allPads, geo);
  const summary = lines.filter((l) => l.kind !== 'ok').map((l) => `${l.from} to ${l.to} ${LINE_KINDS[l.kind].legend.toLowerCase()}`);
  for (const sh of lines.shorts) summary.push(`${sh.contacts.join(' and ')} shorted${typeof sh.ohms === 'number' ? ` (${fmtOhms(sh.ohms)})` : ''}`);
  const okCount = lines.filter((l) => l.kind === 'ok').length;
  title.textContent = `Wiring diagram. ${okCount} correct connection${okCount === 1 ? '' : 's'}${summary.length ? '; ' + summary.join('; ') : ''}.`;
  svg.setAttribute('aria-label', title.textContent);
  container.appendChild(svg);
  return lines;
}

// The legend: one sample of each line style with its meaning.
export function renderLegend(container) {
  container.textContent = '';
  for (const kind of ['ok', 'swapped', 'miswire', 'open', 'short', 'highres']) {
    const li = document.createElement('li');
    const svg = el('svg', { viewBox: '0 0 44 12', width: 44, height: 12, 'aria-hidden': 'true' });
    if (kind === 'short') {
      // The bridge between two contacts' pads, as the diagram draws it.
      el('path', { d: 'M10,2 H24 V3 L28,5 L20,7 L28,9 L24,10 V10 H10', class: 'short-bridge' }, svg);
      for (const y of [2, 10]) el('circle', { cx: 10, cy: y, r: 2, class: 'short-dot' }, svg);
    } else {
      el('line', { x1: 2, y1: 6, x2: 42, y2: 6, class: `wire w-${kind}` }, svg);
    }
    li.appendChild(svg);
    li.appendChild(document.createTextNode(LINE_KINDS[kind].legend));
    container.appendChild(li);
  }
}
