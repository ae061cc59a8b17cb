// history: recent results with filters, open-as-it-looked, capture download, and the
// station's CSV of the same filters (the one `tonewire history --csv` prints).

import { ApiError, getJSON } from './api.js';
import { faultShort } from './faults.js';

const VERDICT = { pass: ['✔', 'PASS'], fail: ['✖', 'FAIL'], error: ['!', 'ERROR'] };

export function verdictBadge(v) {
  const [icon, word] = VERDICT[v] || ['?', String(v || '').toUpperCase()];
  const s = document.createElement('span');
  s.className = `badge badge-${v}`;
  const i = document.createElement('span');
  i.setAttribute('aria-hidden', 'true');
  i.textContent = icon;
  s.append(i, ` ${word}`);
  return s;
}

export function localTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso || '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export class History {
  constructor(root, { onOpen, onError }) {
    this.root = root;
    this.form = root.querySelector('#history-filters');
    this.tbody = root.querySelector('#history-table tbody');
    this.count = root.querySelector('#history-count');
    this.onOpen = onOpen;
    this.onError = onError;
    this.results = [];
    this.seq = 0;
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.load(); });
    this.form.addEventListener('change', () => this.load());
    this.form.addEventListener('reset', () => setTimeout(() => this.load(), 0));
    root.querySelector('#history-csv').addEventListener('click', () => this.exportCSV());
  }

  query() {
    const f = new FormData(this.form);
    const q = new URLSearchParams();
    for (const k of ['serial', 'verdict', 'cable', 'kind']) {
      const v = String(f.get(k) || '').trim();
      if (v) q.set(k, v);
    }
    const day = String(f.get('since') || '');
    if (day) {
      // The day as the operator means it: from local midnight.
      const d = new Date(`${day}T00:00:00`);
      if (!Number.isNaN(d.getTime())) q.set('since', d.toISOString().replace(/\.\d+Z$/, 'Z'));
    }
    q.set('limit', '100');
    return q;
  }

  async load() {
    const seq = ++this.seq;
    try {
      const list = await getJSON(`/api/v1/tests?${this.query()}`);
      if (seq !== this.seq) return;
      this.results = Array.isArray(list) ? list : (list.tests || list.results || []);
      this.render();
    } catch (err) {
      if (seq === this.seq) this.onError(`History could not be loaded: ${err.message}`);
    }
  }

  render() {
    this.tbody.textContent = '';
    this.count.textContent = `${this.results.length} result${this.results.length === 1 ? '' : 's'}`;
    if (!this.results.length) {
      const tr = document.createElement('tr');
      const td = document.createElement('td');
      td.colSpan = 7;
      td.className = 'empty';
      td.textContent = 'No results match these filters.';
      tr.append(td);
      this.tbody.append(tr);
      return;
    }
    for (const r of this.results) {
      const tr = document.createElement('tr');
      tr.dataset.id = r.id;
      tr.className = `row-${r.verdict}`;
      // The day is left out on a phone: the time and the verdict must fit.
      const when = localTime(r.started_at);
      const tt = document.createElement('td');
      const day = document.createElement('span');
      day.className = 'day';
      day.textContent = `${when.slice(0, 10)} `;
      tt.append(day, when.slice(11));
      const tv = document.createElement('td');
      tv.append(verdictBadge(r.verdict));
      const kind = r.kind || 'test';
      const tk = document.createElement('td');
      tk.className = `kind kind-${kind}`;
      tk.textContent = kind;
      tr.append(tt, tv, tk);
      for (const c of [r.serial || '—', r.cable || '']) {
        const td = document.createElement('td');
        td.textContent = c;
        tr.append(td);
      }
      const tf = document.createElement('td');
      tf.textContent = (r.faults || []).map((f) => faultShort(f.code)).join(', ') || '—';
      tr.append(tf);
      const ta = document.createElement('td');
      ta.className = 'actions';
      const open = document.createElement('button');
      open.type = 'button';
      open.className = 'btn small';
      open.textContent = 'Open';
      open.setAttribute('aria-label', `Open result ${r.id}${r.serial ? ' of ' + r.serial : ''}`);
      open.addEventListener('click', () => this.open(r));
      ta.append(open);
      if (r.verdict === 'fail' && r.id != null) {
        const a = document.createElement('a');
        a.className = 'btn small ghost';
        a.href = `/api/v1/tests/${encodeURIComponent(r.id)}/capture.wav`;
        a.download = `tonewire-${r.id}${r.serial ? '-' + r.serial.replace(/[^\w.-]/g, '_') : ''}.wav`;
        a.textContent = 'WAV';
        a.title = 'Download the raw capture of this failed test';
        ta.append(a);
      }
      tr.append(ta);
      // A click anywhere on the row opens it too (the button is the keyboard path).
      tr.addEventListener('click', (e) => { if (!e.target.closest('a,button')) this.open(r); });
      this.tbody.append(tr);
    }
  }

  async open(r) {
    try {
      const full = r.matrix ? r : await getJSON(`/api/v1/tests/${encodeURIComponent(r.id)}`);
      this.onOpen(full);
    } catch (err) {
      this.onError(`Result ${r.id} could not be opened: ${err.message}`);
    }
  }

  // The station writes the CSV (header row, formula cells neutralised); the page only saves it.
  async exportCSV() {
    const q = this.query();
    q.set('limit', '1000');
    q.set('format', 'csv');
    let blob;
    try {
      const res = await fetch(`/api/v1/tests?${q}`, { headers: { Accept: 'text/csv' }, cache: 'no-store' });
      if (!res.ok) {
        const body = await res.json().catch(() => null);
        throw new ApiError(res.status, body?.error || `${res.status} ${res.statusText}`, body);
      }
      blob = await res.blob();
    } catch (err) {
      this.onError(`The CSV could not be exported: ${err.message}`);
      return;
    }
    const a = document.createElement('a');
    const d = new Date();
    const p = (n) => String(n).padStart(2, '0');
    a.href = URL.createObjectURL(blob);
    a.download = `tonewire-history-${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }
}
