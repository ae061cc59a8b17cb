// scans: every serial scanned is posted at once, even while a test runs ({"queue": true}):
// the station tests them in the order they came, and each result shows as it arrives.
// A station that does not queue ([station] queue_scans = no) refuses with 409, out loud.

import { ApiError, getJSON } from './api.js';

// How long a scan may wait for its result (a full queue of 16 tests, each a few seconds).
const RESULT_LIMIT_MS = 180000;

export class Scans {
  // hooks: post(body) → {body, location}; testing(id, serial) → true when the verdict panel
  // took it (false: it shows a result the operator still needs); queued(id, serial, position)
  // when the panel is free to say so; result(r) for each of ours; refused(serial, err, first)
  // and failed(serial, err, first) when one was not tested; changed() when the list of pending ones changed.
  constructor(hooks) {
    this.hooks = hooks;
    this.tests = new Map();   // id → { serial, state: 'queued' | 'measuring', since }
    this.sending = 0;         // posted, not answered yet
    this.panel = null;        // the id the verdict panel shows as testing or waiting
    this.early = new Map();   // results that came over the stream before their POST was answered
    this.poller = 0;
  }

  get inFlight() {
    return this.tests.size > 0 || this.sending > 0;
  }

  // Pending scans in the order they will run, except the one the panel shows.
  pending() {
    return [...this.tests.entries()].filter(([id]) => id !== this.panel)
      .sort((a, b) => Number(a[0]) - Number(b[0]))
      .map(([id, t]) => ({ id, serial: t.serial, state: t.state }));
  }

  async scan(serial, cable) {
    const first = !this.inFlight;   // nothing of this page's is on the jig: the panel is free
    this.sending += 1;
    this.hooks.changed();
    try {
      const { body, location } = await this.hooks.post({ cable, serial: serial || null, queue: true });
      if (body && body.verdict) {
        this.hooks.result(body);
        return;
      }
      const id = String(body?.id ?? (location ? location.split('/').pop() : ''));
      if (!id) throw new Error('the station did not say which test it started');
      const queued = body?.state === 'queued';
      this.tests.set(id, { serial, state: queued ? 'queued' : 'measuring', since: Date.now() });
      if (first) {
        if (queued) {
          this.panel = id;
          this.hooks.queued(id, serial, body.position);
        } else if (this.hooks.testing(id, serial)) {
          this.panel = id;
        }
      }
      const early = this.early.get(id);
      if (early) this.settle(early);
      this.watch();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) this.hooks.refused(serial, err, first);
      else this.hooks.failed(serial, err, first);
    } finally {
      this.sending -= 1;
      this.hooks.changed();
    }
  }

  // A state event: one of ours moved from the queue onto the jig.
  state(d) {
    const id = d.test != null ? String(d.test) : null;
    const t = id && this.tests.get(id);
    if (!t || d.state !== 'measuring') return false;
    t.state = 'measuring';
    // The scan the panel showed as waiting, or a free panel: it says "testing" now. A
    // result still on the panel stays; the "next" line says this one is being tested.
    if ((this.panel === id || this.panel == null) && this.hooks.testing(id, t.serial)) this.panel = id;
    this.hooks.changed();
    return true;
  }

  // A result event (or a poll's answer): true when it was one of ours.
  result(r) {
    const id = String(r.id);
    if (!this.tests.has(id)) {
      if (this.sending) {
        this.early.set(id, r);   // maybe ours, its POST not answered yet
        if (this.early.size > 20) this.early.delete(this.early.keys().next().value);
        return true;
      }
      return false;
    }
    this.settle(r);
    return true;
  }

  settle(r) {
    const id = String(r.id);
    if (!this.tests.delete(id)) return;
    this.early.delete(id);
    if (this.panel === id) this.panel = null;
    this.hooks.result(r);
    this.hooks.changed();
  }

  // The stream brings results; a poll covers a stream that is down or late.
  watch() {
    if (this.poller) return;
    this.poller = setInterval(async () => {
      if (!this.tests.size) {
        clearInterval(this.poller);
        this.poller = 0;
        return;
      }
      for (const [id, t] of [...this.tests]) {
        try {
          const r = await getJSON(`/api/v1/tests/${encodeURIComponent(id)}`);
          if (r && r.verdict) this.settle(r);
        } catch { /* not stored yet */ }
        if (this.tests.has(id) && Date.now() - t.since > RESULT_LIMIT_MS) {
          this.tests.delete(id);
          if (this.panel === id) this.panel = null;
          this.hooks.failed(t.serial, new Error(`no result for test #${id} after ${RESULT_LIMIT_MS / 1000} s`), true);
          this.hooks.changed();
        }
      }
    }, 1500);
  }
}
