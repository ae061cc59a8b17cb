// detail: the engineer's view of one measurement — channel table, transfer-matrix
// heat map (values on hover), and live input level meters.

function h(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

const num = (x, d = 1) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '—');

export function renderChannels(table, result) {
  const tbody = table.tBodies[0];
  tbody.textContent = '';
  const channels = result?.channels || [];
  if (!channels.length) {
    tbody.append(h('tr', {}, h('td', { colspan: 7, class: 'empty', text: result ? 'No channel view for this result.' : 'No measurement yet.' })));
    return;
  }
  for (const c of channels) {
    const inv = c.polarity === 'inverted';
    tbody.append(h('tr', {},
      // found_at: where the named wiring puts this channel ("L at R" on a swap).
      h('th', { scope: 'row', text: c.found_at ? `${c.name} at ${c.found_at}` : c.name }),
      h('td', { text: num(c.level_db, 2) }),
      h('td', { text: num(c.phase_deg, 1) }),
      h('td', { class: inv ? 'bad' : '', text: inv ? '⚠ inverted' : 'normal' }),
      h('td', { text: num(c.crosstalk_db, 1) }),
      h('td', { text: num(c.snr_db, 1) }),
      h('td', { class: c.mono_ratio_db < -12 ? 'bad' : '', text: num(c.mono_ratio_db, 1) })));
  }
}

// Gain in dB → background colour: dark blue for unity gain, fading to white below −100 dB.
function cellColour(db) {
  const t = Math.max(0, Math.min(1, (db + 100) / 100));
  const light = 97 - t * 67;
  return `hsl(214 ${40 + t * 45}% ${light}%)`;
}

export function renderMatrix(container, result) {
  container.textContent = '';
  const m = result?.matrix;
  if (!m || !m.inputs?.length || !m.outputs?.length || !m.gain_db?.length) {
    container.append(h('p', { class: 'empty', text: result ? 'No transfer matrix (no measurement).' : 'No measurement yet.' }));
    return;
  }
  const table = h('table', { class: 'heatmap' });
  table.append(h('caption', { class: 'sr-only', text: 'Transfer matrix: gain in dB from each driven near-end contact (columns) to each measured far-end contact (rows)' }));
  const head = h('tr', {}, h('th', { scope: 'col', class: 'corner', text: 'in \\ out' }));
  for (const o of m.outputs) head.append(h('th', { scope: 'col', text: o }));
  table.append(h('thead', {}, head));
  const body = h('tbody');
  m.inputs.forEach((inp, i) => {
    const tr = h('tr', {}, h('th', { scope: 'row', text: inp }));
    m.outputs.forEach((out, k) => {
      const g = m.gain_db[i]?.[k];
      const ph = m.phase_deg?.[i]?.[k];
      const snr = m.snr_db?.[i]?.[k];
      const audible = typeof g === 'number' && g > -60;
      const inverted = audible && typeof ph === 'number' && Math.abs(ph) > 90;
      const tip = `${out} → ${inp}: ${num(g, 2)} dB` + (audible ? `, phase ${num(ph, 1)}°` : '') + (typeof snr === 'number' ? `, SNR ${num(snr, 1)} dB` : '');
      const cell = h('td', { title: tip, tabindex: 0, 'aria-label': tip, class: inverted ? 'inv' : '' },
        typeof g === 'number' ? (g <= -120 ? '−∞' : (inverted ? '−' : '') + Math.round(g)) : '—');
      if (typeof g === 'number') {
        cell.style.background = cellColour(g);
        cell.style.color = g > -50 ? '#fff' : '#334';
      }
      tr.append(cell);
    });
    body.append(tr);
  });
  table.append(body);
  container.append(table);
}

// Live meters: created on the first levels event for a set of inputs, then only updated.
export class Meters {
  constructor(container, status) {
    this.container = container;
    this.status = status;
    this.key = '';
    this.bars = [];
    this.pending = null;
    this.idleTimer = 0;
  }

  update(levels) {
    this.pending = levels;
    if (!this.frame) this.frame = requestAnimationFrame(() => this.draw());
  }

  // The test is over: what the meters show now is its last reading.
  settle() {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.container.classList.add('stale');
      this.status.textContent = 'last test';
      this.status.classList.remove('live');
    }, 150);
  }

  draw() {
    this.frame = 0;
    const lv = this.pending;
    if (!lv) return;
    const names = lv.inputs || lv.dbfs.map((_, i) => `in ${i + 1}`);
    const key = names.join('|');
    if (key !== this.key) {
      this.key = key;
      this.container.textContent = '';
      this.bars = names.map((n) => {
        const fill = h('div', { class: 'meter-fill' });
        const val = h('span', { class: 'meter-val', text: '' });
        const bar = h('div', { class: 'meter-bar', role: 'meter', 'aria-label': `Level at ${n}`, 'aria-valuemin': -100, 'aria-valuemax': 0 }, fill);
        this.container.append(h('div', { class: 'meter' }, h('span', { class: 'meter-name', text: n }), bar, val));
        return { fill, val, bar };
      });
    }
    lv.dbfs.forEach((db, i) => {
      const b = this.bars[i];
      if (!b) return;
      const v = Number.isFinite(db) ? Math.max(-100, Math.min(0, db)) : -100;
      b.fill.style.width = `${v + 100}%`;
      b.fill.classList.toggle('hot', v > -3);
      b.val.textContent = Number.isFinite(db) ? `${db.toFixed(0)} dBFS` : '—';
      b.bar.setAttribute('aria-valuenow', v.toFixed(0));
    });
    this.container.classList.remove('stale');
    this.status.textContent = 'live';
    this.status.classList.add('live');
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.container.classList.add('stale');
      this.status.textContent = 'last test';
      this.status.classList.remove('live');
    }, 1000);
  }
}
