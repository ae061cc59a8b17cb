// flex: the dashboard's flex (intermittent) session — start, a progress bar with the time
// elapsed and left, each dropout listed as it comes, and Stop only while one runs.

import { ApiError, getJSON, sendJSON } from './api.js';

const $ = (id) => document.getElementById(id);

function fmtMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

function clock(s) {
  const t = Math.max(0, Math.round(s));
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
}

export class Flex {
  // hooks: cable() and serial() to test; busy(on) while a session holds the jig;
  // started(id, serial) and finished(result) for the verdict panel; message(text, kind).
  constructor(hooks) {
    this.hooks = hooks;
    this.session = null;   // { id, running, shown, seconds, t0 (ms, performance clock) }
    this.ticker = 0;
    try {
      const remembered = localStorage.getItem('tonewire.flexSeconds');
      if (remembered && [...$('flex-seconds').options].some((o) => o.value === remembered)) $('flex-seconds').value = remembered;
    } catch { /* private mode */ }
    $('flex-seconds').addEventListener('change', () => {
      try { localStorage.setItem('tonewire.flexSeconds', $('flex-seconds').value); } catch { /* private mode */ }
    });
    $('flex-start').addEventListener('click', () => this.start());
    $('flex-stop').addEventListener('click', () => this.stop());
  }

  get running() {
    return Boolean(this.session?.running);
  }

  note(text) {
    $('flex-note').textContent = text;
  }

  addEvent(ev) {
    const li = document.createElement('li');
    const c = ev.contacts || [];
    const path = c.length === 2 ? `${c[0]} → ${c[1]}` : (c[0] ? `at ${c[0]}` : 'path unclear');
    const t = document.createElement('span');
    t.className = 't';
    t.textContent = `${fmtMs(ev.time_ms)} `;
    const what = document.createElement('b');
    what.textContent = ev.depth < 0 ? 'level jump' : 'dropout';
    li.append(t, what, ` ${ev.duration_ms.toFixed(1)} ms · ${path}`);
    if (ev.depth > 0 && ev.depth < 0.95) li.append(` · ${Math.round(ev.depth * 100)} % lost`);
    $('flex-events').append(li);
    li.scrollIntoView({ block: 'nearest' });
  }

  // The bar and the two times, from the session's own clock.
  tick() {
    const s = this.session;
    if (!s?.running) return;
    const elapsed = Math.min(s.seconds, (performance.now() - s.t0) / 1000);
    const pct = s.seconds ? (100 * elapsed) / s.seconds : 0;
    $('flex-progress').querySelector('.progress-bar').style.width = `${pct.toFixed(1)}%`;
    $('flex-progress').querySelector('.progress').setAttribute('aria-valuenow', pct.toFixed(0));
    $('flex-elapsed').textContent = clock(elapsed);
    $('flex-left').textContent = clock(s.seconds - elapsed);
  }

  // A session is on: from this page's start, or found running (elapsed_s from the station).
  showRunning(id, serial, seconds, elapsed = 0) {
    const same = this.session?.id === id;
    this.session = { id, running: true, shown: same ? this.session.shown : 0, seconds, t0: performance.now() - elapsed * 1000 };
    $('flex-start').hidden = true;
    $('flex-seconds').disabled = true;
    $('flex-stop').hidden = false;
    $('flex-stop').disabled = false;
    $('flex-progress').hidden = false;
    clearInterval(this.ticker);
    this.ticker = setInterval(() => this.tick(), 250);
    this.tick();
    this.note('listening…');
    this.hooks.started(id, serial);
  }

  ended(r) {
    clearInterval(this.ticker);
    this.session = { ...(this.session || {}), id: r.id, running: false };
    $('flex-start').hidden = false;
    $('flex-seconds').disabled = false;
    $('flex-stop').hidden = true;
    $('flex-progress').hidden = true;
    const n = r.flex?.count ?? 0;
    this.note(`${n} dropout${n === 1 ? '' : 's'} in ${(r.flex?.seconds ?? 0).toFixed(1)} s`);
  }

  async start() {
    const cable = this.hooks.cable();
    if (!cable) {
      this.hooks.message('Choose the cable type first.', 'bad');
      return;
    }
    const serial = this.hooks.serial();
    const seconds = Number($('flex-seconds').value) || 30;
    this.hooks.message('');
    this.hooks.busy(true);
    $('flex-events').textContent = '';
    try {
      const { body } = await sendJSON('POST', '/api/v1/flex', { cable, serial: serial || null, seconds });
      this.showRunning(body.id, serial, body.seconds ?? seconds);
      $('flex-stop').focus();
    } catch (err) {
      this.hooks.busy(false);
      if (err instanceof ApiError && err.status === 409) this.hooks.message('The station is busy. Wait for the test to finish, then try again.', 'bad');
      else this.hooks.message(`The flex test could not start: ${err.message}`, 'bad');
    }
  }

  async stop() {
    $('flex-stop').disabled = true;
    this.note('stopping…');
    try {
      const { body } = await sendJSON('DELETE', '/api/v1/flex');
      if (body && body.verdict) this.finish(body);
    } catch (err) {
      // 409: it ended meanwhile (time limit): show how it ended instead of waiting.
      if (err instanceof ApiError && err.status === 409) await this.resume();
      else {
        this.hooks.message(`Could not stop the flex test: ${err.message}`, 'bad');
        $('flex-stop').disabled = false;
      }
    }
  }

  // A live dropout from the event stream.
  live(ev) {
    if (!this.session?.running || this.session.id !== ev.session) return;
    this.addEvent(ev);
    this.session.shown += 1;
    this.note(`${ev.count} dropout${ev.count === 1 ? '' : 's'} so far`);
  }

  finish(r) {
    if (this.session && !this.session.running && this.session.id === r.id) return;   // shown already
    // Events that ended just before the session did may not have been streamed yet.
    const events = r.flex?.events || [];
    for (let i = this.session?.id === r.id ? this.session.shown : 0; i < events.length; i++) this.addEvent(events[i]);
    this.ended(r);
    this.hooks.finished(r);
  }

  // A session that was running before this page loaded (or started elsewhere), or
  // one that has just ended.
  async resume() {
    let s;
    try { s = await getJSON('/api/v1/flex'); } catch { s = null; }
    if (!s || s.state === 'done') {
      if (s && this.session?.running) this.finish(s);
      else if (!this.session?.running) this.note('');   // nothing was running: nothing to stop
      return;
    }
    if (this.session?.running && this.session.id === s.id) return;
    $('flex-events').textContent = '';
    this.hooks.busy(true);
    this.showRunning(s.id, s.serial || null, s.seconds || 0, s.elapsed_s || 0);
    for (const ev of s.flex?.events || []) this.addEvent(ev);
    this.session.shown = (s.flex?.events || []).length;
  }
}
