// shift: the counts since the start of this shift — pass, fail, error and first-pass
// yield — as the station keeps them (GET /api/v1/stats), the same on every screen.

import { getJSON, sendJSON } from './api.js';
import { localTime } from './history.js';

export class Shift {
  constructor(root, { onError }) {
    this.root = root;
    this.onError = onError;
    this.seq = 0;
    this.timer = 0;
    root.querySelector('#shift-reset').addEventListener('click', () => this.startNew());
  }

  // Results arrive in bursts (a queue of scans): one request for a burst.
  refresh() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.load(), 150);
  }

  async load() {
    const seq = ++this.seq;
    try {
      const s = await getJSON('/api/v1/stats');
      if (seq === this.seq) this.render(s);
    } catch (err) {
      if (seq === this.seq) this.render(null);
    }
  }

  render(s) {
    const $ = (id) => this.root.querySelector(`#${id}`);
    $('n-pass').textContent = s ? s.pass : '—';
    $('n-fail').textContent = s ? s.fail : '—';
    $('n-error').textContent = s ? s.error : '—';
    $('n-yield').textContent = s && typeof s.first_pass_yield === 'number' ? `${(s.first_pass_yield * 100).toFixed(1)} %` : '—';
    const since = $('shift-since');
    if (!s) {
      since.textContent = 'counts unavailable';
      since.title = '';
      return;
    }
    const when = localTime(s.shift_start);
    const today = when.slice(0, 10) === localTime(new Date().toISOString()).slice(0, 10);
    since.textContent = `since ${today ? when.slice(11, 16) : when.slice(0, 16)}`;
    since.title = `Counted by the station since ${when}: ${s.tests} test${s.tests === 1 ? '' : 's'} of ${s.units} serial${s.units === 1 ? '' : 's'}`;
    this.root.dataset.since = s.shift_start;
  }

  async startNew() {
    if (!window.confirm('Start a new shift? The station counts from zero again, on every screen.')) return;
    try {
      await sendJSON('POST', '/api/v1/shift', {});
      await this.load();
    } catch (err) {
      this.onError(`A new shift could not be started: ${err.message}`);
    }
  }
}
