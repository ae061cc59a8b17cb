// line: the production line from the line database — yield by station, cable and shift, the
// fault Pareto, retests, control charts per cable and station, calibrations, a serial's tests.

import { getJSON } from './api.js';
import { faultShort } from './faults.js';
import { localTime, verdictBadge } from './history.js';

const $ = (id) => document.getElementById(id);
const NS = 'http://www.w3.org/2000/svg';
const METRICS = [['level_db', 'Level deviation', 'dB'], ['crosstalk_db', 'Crosstalk', 'dB'], ['series_ohms', 'Series resistance', 'Ω']];
const OUTCOME = { passed_on_retest: 'passed on retest', still_failing: 'still failing', retested_after_pass: 'retested after a pass' };
const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function h(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k === 'width') e.style.width = v;   // through the CSSOM: the CSP allows no style attributes
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

function s(name, attrs = {}, parent = null) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.append(e);
  return e;
}

const pct = (x) => (typeof x === 'number' ? `${(100 * x).toFixed(1)} %` : '—');
const num = (x, d = 2) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '—');

// The filters as query parameters: local days → UTC instants.
function query(extra = {}) {
  const f = new FormData($('ln-filters'));
  const day = (v, add = 0) => {
    const [y, m, d] = String(v).split('-').map(Number);
    return new Date(y, m - 1, d + add).toISOString().replace(/\.\d+Z$/, 'Z');
  };
  const q = new URLSearchParams({ since: day(f.get('since')), until: day(f.get('until'), 1), ...extra });
  for (const k of ['station', 'cable']) if (f.get(k)) q.set(k, f.get(k));
  return q;
}

function banner(text) {
  $('ln-banner').hidden = !text;
  $('ln-banner').textContent = text || '';
}

function fill(tbody, rows, empty, cols) {
  tbody.textContent = '';
  if (!rows.length) tbody.append(h('tr', {}, h('td', { colspan: cols, class: 'empty', text: empty })));
  for (const r of rows) tbody.append(r);
}

function yieldTable(box, body) {
  const rows = (body.groups || []).map((g) => h('tr', {},
    h('th', { scope: 'row', text: g.group }), h('td', { text: g.units }),
    h('td', {}, h('span', { class: 'ybar', width: `${Math.round(60 * g.first_pass_yield)}px` }), pct(g.first_pass_yield)),
    h('td', {}, h('span', { class: 'ybar final', width: `${Math.round(60 * g.final_yield)}px` }), pct(g.final_yield))));
  const t = body.total || {};
  if (rows.length > 1) rows.push(h('tr', { class: 'total' }, h('th', { scope: 'row', text: 'all' }), h('td', { text: t.units }),
    h('td', { text: pct(t.first_pass_yield) }), h('td', { text: pct(t.final_yield) })));
  const table = h('table', { class: 'data' }, h('thead', {}, h('tr', {}, ...['', 'units', 'first pass', 'final'].map((x) => h('th', { scope: 'col', text: x })))), h('tbody'));
  fill(table.tBodies[0], rows, 'No tests in this period.', 4);
  box.textContent = '';
  box.append(table);
}

function pareto(box, body) {
  const codes = body.codes || [];
  box.textContent = '';
  $('pareto-note').textContent = `${body.failed_tests} of ${body.tests} tests failed or erred`;
  if (!codes.length) {
    box.append(h('p', { class: 'empty', text: 'No faults in this period.' }));
    return;
  }
  const W = 640, H = 260, L = 40, R = 40, B = 76, T = 12;
  const bw = (W - L - R) / codes.length;
  const max = Math.max(...codes.map((c) => c.count));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `Pareto of fault codes: ${codes.map((c) => `${c.code} ${c.count}`).join(', ')}` });
  s('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis' }, svg);
  const pts = [];
  codes.forEach((c, i) => {
    const x = L + i * bw, bh = ((H - B - T) * c.count) / max;
    const r = s('rect', { x: x + bw * 0.12, y: H - B - bh, width: bw * 0.76, height: bh, class: 'bar', 'data-code': c.code }, svg);
    s('title', {}, r).textContent = `${c.code}: ${c.count} (${c.percent.toFixed(1)} %)`;
    const t = s('text', { x: x + bw / 2, y: H - B + 10, 'text-anchor': 'end', transform: `rotate(-35 ${x + bw / 2} ${H - B + 10})` }, svg);
    t.textContent = faultShort(c.code) || c.code;
    const n = s('text', { x: x + bw / 2, y: H - B - bh - 3, 'text-anchor': 'middle' }, svg);
    n.textContent = c.count;
    pts.push(`${x + bw / 2},${H - B - ((H - B - T) * c.cumulative_percent) / 100}`);
  });
  s('polyline', { points: pts.join(' '), class: 'cum' }, svg);
  const lab = s('text', { x: W - R + 4, y: T + 8 }, svg);
  lab.textContent = '100 %';
  box.append(svg);
}

function retests(body) {
  const o = body.outcomes || {};
  $('retest-note').textContent = `${body.serials} serials tested more than once: ${o.passed_on_retest} passed on retest, `
    + `${o.still_failing} still failing, ${o.retested_after_pass} retested after a pass`;
  fill($('retests').tBodies[0], (body.items || []).slice(0, 50).map((it) => h('tr', {},
    h('th', { scope: 'row', text: it.serial }), h('td', { text: OUTCOME[it.outcome] || it.outcome }),
    h('td', { text: it.verdicts.join(' → ') }), h('td', { text: [...new Set(it.stations)].join(', ') }),
    h('td', { text: localTime(it.last_at) }))), 'No serial was tested twice in this period.', 5);
}

// One control chart: points in order, mean and ±3σ lines, points outside in red.
function chart(series, label, unit) {
  const W = 320, H = 150, L = 46, R = 6, T = 10, B = 8;
  const pts = series.points || [];
  const vals = pts.map((p) => p.v);
  const ys = [...vals, series.ucl, series.lcl, series.mean].filter((v) => typeof v === 'number' && Number.isFinite(v));
  let lo = Math.min(...ys), hi = Math.max(...ys);
  if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
  const pad = (hi - lo) * 0.08;
  lo -= pad; hi += pad;
  const X = (i) => L + (pts.length > 1 ? (i * (W - L - R)) / (pts.length - 1) : (W - L - R) / 2);
  const Y = (v) => T + ((hi - v) * (H - T - B)) / (hi - lo);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'spc',
    'aria-label': `${label} at ${series.station}: ${pts.length} points, ${series.out_of_control} out of control` });
  for (const [v, cls, name] of [[series.ucl, 'limit', 'UCL'], [series.mean, 'mean', 'mean'], [series.lcl, 'limit', 'LCL']]) {
    if (typeof v !== 'number') continue;
    s('line', { x1: L, x2: W - R, y1: Y(v), y2: Y(v), class: cls }, svg);
    const t = s('text', { x: L - 3, y: Y(v) + 3, 'text-anchor': 'end' }, svg);
    t.textContent = num(v, unit === 'Ω' ? 3 : 2);
    const n = s('text', { x: W - R - 2, y: Y(v) - 2, 'text-anchor': 'end', class: 'lim-name' }, svg);
    n.textContent = name;
  }
  s('polyline', { points: pts.map((p, i) => `${X(i)},${Y(p.v)}`).join(' '), class: 'series' }, svg);
  pts.forEach((p, i) => {
    const c = s('circle', { cx: X(i), cy: Y(p.v), r: p.ooc ? 3.2 : 1.8, class: p.ooc ? 'pt ooc' : 'pt' }, svg);
    s('title', {}, c).textContent = `${localTime(p.t)} · test ${p.id}${p.serial ? ` · ${p.serial}` : ''}: ${num(p.v, 3)} ${unit}${p.ooc ? ' — out of control' : ''}`;
  });
  return svg;
}

function spc(body) {
  const box = $('spc');
  box.textContent = '';
  const stations = [...new Set(METRICS.flatMap(([m]) => (body[m] || []).map((x) => x.station)))].sort();
  if (!stations.length) {
    box.append(h('p', { class: 'empty', text: 'No measurements of this cable in this period.' }));
    return;
  }
  for (const st of stations) {
    const row = h('div', { class: 'spc-row', 'data-station': st });
    for (const [m, label, unit] of METRICS) {
      const series = (body[m] || []).find((x) => x.station === st);
      const cell = h('div', {}, h('h3', { text: `${label} · ${st}` }));
      if (!series) {
        cell.append(h('p', { class: 'empty', text: m === 'series_ohms' ? 'Not resolvable on this jig.' : 'No data.' }));
      } else {
        cell.append(chart(series, label, unit), h('p', { class: 'spc-stats' },
          `mean ${num(series.mean, 3)} ${unit}, σ ${num(series.sigma, 3)} · `,
          h('b', { class: series.out_of_control ? 'bad' : '', text: `${series.out_of_control} out of control` })));
      }
      row.append(cell);
    }
    box.append(row);
  }
}

function calibrations(list) {
  fill($('calibrations').tBodies[0], list.map((c) => h('tr', {},
    h('th', { scope: 'row', text: c.jig }), h('td', { text: localTime(c.created_at) }), h('td', { text: c.station }),
    h('td', { text: c.cable }), h('td', { text: c.paths }), h('td', { text: num(c.mean_gain_db, 3) }),
    h('td', { text: num(c.max_abs_gain_db, 3) }))), 'No calibration in the last 365 days.', 7);
}

function stations(list, self) {
  fill($('stations').tBodies[0], list.map((st) => h('tr', {},
    h('th', { scope: 'row', text: st.station === self ? `${st.station} (this one)` : st.station }), h('td', { text: st.line || '—' }),
    h('td', { text: st.software_version || '—' }), h('td', { text: localTime(st.last_seen) }), h('td', { text: st.results }),
    h('td', { text: st.last_result_at ? localTime(st.last_result_at) : '—' }))), 'No station has forwarded yet.', 6);
  const sel = document.querySelector('#ln-filters select[name=station]');
  const keep = sel.value;
  sel.length = 1;
  for (const st of list) sel.append(new Option(st.station, st.station));
  sel.value = keep;
}

async function lookup(serial, self) {
  const note = $('serial-note');
  try {
    const b = await getJSON(`/api/v1/serials/${encodeURIComponent(serial)}`);
    const sum = b.summary;
    note.textContent = `${serial}: ${sum.tests} tests (${sum.passes} pass, ${sum.fails} fail, ${sum.errors} error) on `
      + `${sum.stations.join(', ') || '—'}${b.policy?.locked ? ' · LOCKED at this station' : ''}`
      + `${b.source === 'station' ? ' · from this station only' : ''}${b.line_error ? ` (${b.line_error})` : ''}`;
    fill($('serial-tests').tBodies[0], b.tests.map((t) => h('tr', {},
      h('td', { text: localTime(t.started_at) }), h('td', { text: t.station || '—' }), h('td', { text: `#${t.id}` }),
      h('td', {}, verdictBadge(t.verdict)), h('td', { text: (t.faults || []).map((f) => f.code).join(', ') }),
      h('td', { text: t.operator || '—' }), h('td', { text: t.software_version || '—' }),
      h('td', {}, !t.station || t.station === self ? h('a', { href: `/api/v1/tests/${t.id}/certificate`, text: 'certificate' }) : ''))),
    'No test of this serial.', 8);
  } catch (err) {
    note.textContent = `Cannot look it up: ${err.message}`;
  }
}

async function load(self) {
  const q = query();
  const shifts = new FormData($('ln-filters')).get('shifts') || '06:00,14:00,22:00';
  const cable = $('spc-cable').value;
  try {
    const [byStation, byCable, byShift, par, ret] = await Promise.all([
      getJSON(`/api/v1/line/yield?${query({ by: 'station' })}`),
      getJSON(`/api/v1/line/yield?${query({ by: 'cable' })}`),
      getJSON(`/api/v1/line/yield?${query({ by: 'shift', shifts, tz })}`),
      getJSON(`/api/v1/line/pareto?${q}`),
      getJSON(`/api/v1/line/retests?${q}`),
    ]);
    yieldTable($('yield-station'), byStation);
    yieldTable($('yield-cable'), byCable);
    yieldTable($('yield-shift'), byShift);
    $('yield-tz').textContent = `(${tz})`;
    pareto($('pareto'), par);
    retests(ret);
    const cables = (byCable.groups || []).map((g) => g.group);
    const sel = $('spc-cable');
    sel.textContent = '';
    for (const c of cables) sel.append(new Option(c, c));
    if (cables.includes(cable)) sel.value = cable;
    const fc = document.querySelector('#ln-filters select[name=cable]');
    const keep = fc.value;
    fc.length = 1;
    for (const c of cables) fc.append(new Option(c, c));
    fc.value = keep;
    await loadSpc();
    const since = new Date(Date.now() - 365 * 864e5).toISOString().replace(/\.\d+Z$/, 'Z');
    calibrations(await getJSON(`/api/v1/line/calibrations?since=${since}`));
    stations(await getJSON('/api/v1/line/stations'), self);
    banner('');
  } catch (err) {
    banner(`⚠ The line view cannot be shown: ${err.message}`);
  }
  document.body.dataset.ready = '1';
}

async function loadSpc() {
  const cable = $('spc-cable').value;
  if (!cable) {
    spc({});
    return;
  }
  const q = query({ cable });
  spc(await getJSON(`/api/v1/line/spc?${q}`));
}

async function init() {
  const today = new Date();
  const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  const params = new URLSearchParams(location.search);
  const form = $('ln-filters');
  form.since.value = params.get('since') || iso(new Date(today.getTime() - 6 * 864e5));
  form.until.value = params.get('until') || iso(today);
  let self = null;
  try {
    const st = await getJSON('/api/v1/status');
    self = st.line?.station || null;
    $('ln-line').textContent = st.line?.line || '—';
    $('ln-station').textContent = self || '—';
    const f = st.fleet;
    $('ln-forward').textContent = f ? `${f.connected ? 'connected' : 'NOT connected'} · backlog ${f.backlog}` : 'no line database';
    $('ln-forward').className = f && (!f.connected || f.backlog > 100) ? 'warn' : '';
    if (!st.line?.database) {
      banner('This station has no line database: set [fleet] postgres in its tonewired.conf (see the README, "A production line").');
      document.body.dataset.ready = '1';
      return;
    }
  } catch (err) {
    banner(`⚠ No connection to the station: ${err.message}`);
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); load(self); });
  $('spc-cable').addEventListener('change', () => loadSpc().catch((err) => banner(err.message)));
  $('serial-form').addEventListener('submit', (e) => { e.preventDefault(); lookup($('serial-q').value.trim(), self); });
  await load(self);
  if (params.get('serial')) {
    $('serial-q').value = params.get('serial');
    await lookup(params.get('serial'), self);
  }
}

init();
