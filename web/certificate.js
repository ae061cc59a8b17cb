// certificate: one test's certificate from /api/v1/tests/{id}/certificate.json — who, where,
// with what, the cable's pinout as measured, the values against their limits, the verdict.

import { getJSON } from './api.js';
import { ContactBook, Profiles } from './model.js';
import { explainFault } from './faults.js';
import { renderWiring } from './wiring.js';

const VERDICT = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' };
const QUANTITY = {
  level_db: ['Level deviation', 'dB'],
  crosstalk_db: ['Crosstalk', 'dB'],
  snr_db: ['Signal-to-noise ratio', 'dB'],
  phase_deg: ['Phase', '°'],
  series_ohms: ['Series resistance', 'Ω'],
};

function h(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

const num = (x, d) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '—');

function when(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso || '—';
  const local = d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  return `${local} (${iso})`;
}

// The paper the page is laid out for: ?paper=, else what the browser's locale uses.
function setPaper(paper) {
  // The page size from a stylesheet of our own: the CSP allows no inline styles.
  document.getElementById('page-size').href = paper === 'letter' ? '/certificate-letter.css' : '/certificate-a4.css';
  document.getElementById('paper').value = paper;
  document.body.dataset.paper = paper;
}

function facts(r, data, cable) {
  const dl = h('dl', { class: 'cert-facts' });
  const add = (term, value, cls) => dl.append(h('dt', { text: term }), h('dd', { class: cls, text: value ?? '—' }));
  const cal = data.calibration;
  add('Serial number', r.serial || 'none');
  add('Cable', cable ? `${r.cable} — ${cable.description || ''}`.replace(/ — $/, '') : r.cable);
  add('Ends', cable ? `${cable.end_a} → ${cable.end_b}` : '—');
  add('Jig', r.jig);
  add('Station', [r.station, r.line && `line ${r.line}`].filter(Boolean).join(', ') || '—');
  add('Operator', r.operator || '—');
  add('Tested', when(r.started_at));
  add('Software', r.software_version ? `tonewire ${r.software_version}` : '—');
  add('Calibration', cal ? `#${cal.id} of ${when(cal.created_at)}, golden cable ${cal.cable}`
    : (r.calibration ? `#${r.calibration}` : 'none: levels read on the uncalibrated jig'));
  add('Test record', `#${r.id}${r.device ? ` on ${r.device.replace(/^tonewire_sim:.*\//, 'simulator ')}` : ''}`);
  add('Definitions (SHA-256)', r.profile_sha256 || '—', 'mono');
  const p = data.profile;
  add('Definitions now', p ? (p.unchanged ? 'unchanged since the test' : `changed since the test (${p.sha256_now})`) : '—',
    p && !p.unchanged ? 'cert-warn' : null);
  return dl;
}

// One row per channel, one column per quantity (its limit in the heading), so a stereo cable's
// eight values fit a few lines; series resistance, known per conductor, follows below.
function limitsTable(r) {
  const rows = (r.limits || []).filter((x) => x.name !== 'series_ohms');
  const box = h('div');
  if (!rows.length && typeof r.series_ohms !== 'number') {
    box.append(h('p', { class: 'empty', text: 'No measured values: the station could not measure this cable.' }));
    return box;
  }
  const names = [...new Set(rows.map((x) => x.name))];
  const channels = [...new Set(rows.map((x) => x.channel))];
  if (rows.length) {
    const head = h('tr', {}, h('th', { scope: 'col', text: 'Channel' }));
    for (const n of names) {
      const [word, unit] = QUANTITY[n] || [n, ''];
      const lim = rows.find((x) => x.name === n).limit;
      head.append(h('th', { scope: 'col', text: `${word} (${n === 'snr_db' ? '≥' : '≤'} ${num(lim, 2)} ${unit})` }));
    }
    const body = h('tbody');
    for (const ch of channels) {
      const tr = h('tr', {}, h('th', { scope: 'row', text: ch }));
      for (const n of names) {
        const x = rows.find((y) => y.name === n && y.channel === ch);
        const unit = (QUANTITY[n] || ['', ''])[1];
        tr.append(x ? h('td', { class: x.ok ? 'ok' : 'bad', text: `${num(x.measured, 2)} ${unit} ${x.ok ? '✓' : '✗ outside'}` })
          : h('td', { text: '—' }));
      }
      body.append(tr);
    }
    box.append(h('table', { class: 'cert-limits' }, h('thead', {}, head), body));
  }
  const series = (r.limits || []).filter((x) => x.name === 'series_ohms');
  const parts = [];
  if (typeof r.series_ohms === 'number') parts.push(`largest conductor resistance ${num(r.series_ohms, 3)} Ω`);
  for (const x of series) parts.push(`${x.channel}: ${num(x.measured, 2)} Ω, limit ≤ ${num(x.limit, 2)} Ω ${x.ok ? '✓' : '✗ outside'}`);
  if (parts.length) box.append(h('p', { class: 'cert-series', text: `Series resistance: ${parts.join('; ')}.` }));
  return box;
}

function faultList(r, book) {
  const faults = r.faults || [];
  if (!faults.length) return h('p', { text: 'None: every conductor arrives where it should.' });
  const ul = h('ul', { class: 'cert-faults' });
  for (const f of faults) {
    const e = explainFault(f, book);
    ul.append(h('li', {}, h('strong', { text: e.title }), e.effect ? ` — ${e.effect}` : ''));
  }
  return ul;
}

function render(root, data, profiles) {
  const r = data.result;
  const v = VERDICT[r.verdict] ? r.verdict : 'error';
  const ends = profiles.ends(r.cable, r.jig);
  const pinout = h('div', { class: 'cert-pinout' });
  root.textContent = '';
  root.append(
    h('div', { class: 'cert-head' },
      h('div', {}, h('div', { class: 'brand', text: 'tonewire' }), h('h1', { text: 'Cable test certificate' }),
        h('div', { class: 'cert-no', text: `Certificate ${r.station ? `${r.station}-` : ''}${r.id}` })),
      h('div', { class: `cert-verdict ${v}`, id: 'cert-verdict', text: VERDICT[v] })),
    facts(r, data, ends.cable),
    h('section', {}, h('h2', { text: 'Pinout as measured' }), pinout),
    h('section', {}, h('h2', { text: 'Measured values against the limits' }), limitsTable(r)),
    h('section', {}, h('h2', { text: 'Faults' }), faultList(r, new ContactBook(ends))),
    h('div', { class: 'cert-sign' }, h('span', { text: `Tested by: ${r.operator || ''}` }), h('span', { text: 'Checked by:' })),
    h('p', { class: 'cert-foot', text: `Issued ${when(data.issued_at)} from the record stored by the station when the test ended. `
      + 'The definitions fingerprint identifies the jig, cable and connector profiles the cable was judged by.' }));
  if (ends.a.length && ends.b.length) renderWiring(pinout, ends, r);
  else pinout.append(h('p', { class: 'empty', text: `The profile of ${r.cable} is not on this station: no drawing.` }));
  document.title = `Certificate ${r.serial || r.id} — ${VERDICT[v]}`;
}

async function main() {
  const root = document.getElementById('cert');
  const params = new URLSearchParams(location.search);
  const lang = navigator.language || '';
  setPaper(params.get('paper') === 'letter' || (!params.get('paper') && /^en-(US|CA)|^es-MX/.test(lang)) ? 'letter' : 'A4');
  document.getElementById('paper').addEventListener('change', (e) => setPaper(e.target.value));
  document.getElementById('print').addEventListener('click', () => window.print());
  const id = (/\/api\/v1\/tests\/(\d+)\/certificate/.exec(location.pathname) || [])[1] || params.get('test');
  try {
    if (!id) throw new Error('which test? (open /api/v1/tests/ID/certificate)');
    const [data, profiles] = await Promise.all([
      getJSON(`/api/v1/tests/${id}/certificate.json`),
      getJSON('/api/v1/profiles').catch(() => null),
    ]);
    render(root, data, new Profiles(profiles));
  } catch (err) {
    root.textContent = '';
    root.append(h('p', { class: 'error', text: `No certificate: ${err.message}` }));
  }
  document.body.dataset.ready = '1';
}

main();
