// app: the station dashboard — status bar, production view, and the glue between
// the HTTP API, the SSE stream and the views (verdict, kiosk, wiring, detail, history).

import { UNAUTHORIZED, getJSON, getSession, logIn, logOut, sendJSON } from './api.js';
import { ContactBook, Profiles } from './model.js';
import { explainFault, verdictSentence } from './faults.js';
import { COMPACT_BELOW, renderLegend, renderWiring } from './wiring.js';
import { Meters, renderChannels, renderMatrix } from './detail.js';
import { History, localTime } from './history.js';
import { initOperator, postTest, showOperator, showTrace } from './operator.js';
import { Learn } from './learn.js';
import { Flex } from './flex.js';
import { Kiosk } from './kiosk.js';
import { Scans } from './scans.js';
import { Shift } from './shift.js';
import { Sound } from './sound.js';

const $ = (id) => document.getElementById(id);

const store = {
  get(key, fallback) {
    try {
      const v = localStorage.getItem(`tonewire.${key}`);
      return v == null ? fallback : JSON.parse(v);
    } catch {
      return fallback;
    }
  },
  set(key, value) {
    try { localStorage.setItem(`tonewire.${key}`, JSON.stringify(value)); } catch { /* private mode: forget */ }
  },
};

const ICONS = {
  pass: '<svg viewBox="0 0 48 48"><circle cx="24" cy="24" r="22" fill="currentColor" opacity=".18"/><path d="M13 25l7 7 15-16" fill="none" stroke="currentColor" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  fail: '<svg viewBox="0 0 48 48"><circle cx="24" cy="24" r="22" fill="currentColor" opacity=".18"/><path d="M15 15l18 18M33 15L15 33" fill="none" stroke="currentColor" stroke-width="5" stroke-linecap="round"/></svg>',
  error: '<svg viewBox="0 0 48 48"><path d="M24 4L45 42H3z" fill="currentColor" opacity=".18" stroke="currentColor" stroke-width="3" stroke-linejoin="round"/><path d="M24 17v13" stroke="currentColor" stroke-width="5" stroke-linecap="round"/><circle cx="24" cy="36.5" r="3" fill="currentColor"/></svg>',
  busy: '<svg viewBox="0 0 48 48" class="spin"><circle cx="24" cy="24" r="19" fill="none" stroke="currentColor" stroke-width="5" opacity=".25"/><path d="M24 5a19 19 0 0 1 19 19" fill="none" stroke="currentColor" stroke-width="5" stroke-linecap="round"/></svg>',
  idle: '<svg viewBox="0 0 48 48"><path d="M6 10v28M11 10v28M15 10v28M21 10v28M24 10v28M29 10v28M35 10v28M38 10v28M42 10v28" stroke="currentColor" stroke-width="2.5"/></svg>',
  off: '<svg viewBox="0 0 48 48"><path d="M17 6v10M31 6v10M12 16h24v8a12 12 0 0 1-24 0zM24 36v8" fill="none" stroke="currentColor" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/><path d="M6 42L42 6" stroke="currentColor" stroke-width="4" stroke-linecap="round"/></svg>',
};

const WORDS = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' };

const app = {
  status: null,
  profiles: new Profiles(null),
  shown: null,          // the result on screen
  viewingHistory: false,
  connected: null,
  device: null,         // the device string last heard of
  reopening: false,     // the device is being reopened on another simulated cable
  switching: false,     // the simulated cable is being changed
  flexStarting: false,
  compact: null,        // the wiring drawn in its narrow layout
  statusWake: new Set(),
};

// Anything of this page's holding the jig: scans in flight, a flex session, a demo switch.
function busy() {
  return app.scans.inFlight || app.switching || app.flexStarting || app.flex.running;
}

/* ---------- station bar and banners ---------- */

let bannerTimer = 0;
function banner(kind, text) {
  const b = $('banner');
  clearTimeout(bannerTimer);
  delete b.dataset.refused;
  if (!kind) {
    b.hidden = true;
    b.className = 'banner';
    return;
  }
  b.className = `banner banner-${kind}`;
  b.textContent = text;
  b.hidden = false;
  if (kind === 'ok') bannerTimer = setTimeout(() => banner(null), 8000);
}

function setConnected(connected, why, device) {
  const was = app.connected;
  app.connected = connected;
  const conn = $('st-conn');
  conn.className = connected ? 'ok' : 'bad';
  conn.lastChild.textContent = connected ? 'connected' : 'UNPLUGGED';
  // Another simulated cable (from this page or elsewhere) reopens the device under a
  // new name: no alarm for that, nor for its coming back.
  if (device && app.device && device !== app.device && !connected) app.reopening = true;
  if (device) app.device = device;
  if (app.switching && !connected) app.reopening = true;
  if (connected && app.reopening) {
    app.reopening = false;
    return;
  }
  // Status arrives every few seconds: act on changes only, so a result on
  // screen is not wiped and a dismissed banner does not come back.
  if (connected === was || app.reopening) return;
  if (!connected) {
    banner('bad', `⚠ The audio interface is unplugged — plug it back in. Tests are paused.${why ? ` (${why})` : ''}`);
    if (!busy() && !app.viewingHistory) showIdle();
  } else if (was === false) {
    banner('ok', '✔ The audio interface is back. Ready to test.');
    if (/unplugged/.test($('run-msg').textContent)) message('');
    if (!busy() && !app.viewingHistory && !app.shown) showIdle();
  }
}

function renderStatus(s) {
  app.status = s;
  // The simulator's device string is a long path: its scenario says more.
  const sim = /^tonewire_sim:/.test(s.device || '');
  $('st-device').textContent = sim ? `simulator · ${s.scenario || (s.device.split('/').pop() || '').replace(/\.conf$/, '')}` : (s.device || '—');
  $('st-device').title = s.device || '';
  $('st-jig').textContent = s.jig || '—';
  $('st-rate').textContent = s.rate ? `${(s.rate / 1000).toFixed(s.rate % 1000 ? 1 : 0)} kHz` : '—';
  const lat = s.latency_frames;
  $('st-latency').textContent = typeof lat === 'number' && lat > 0
    ? `${Math.round(lat)} frames${s.rate ? ` (${((lat / s.rate) * 1000).toFixed(1)} ms)` : ''}` : '—';
  $('st-xruns').textContent = s.xruns ?? '—';
  $('st-xruns').className = s.xruns > 0 ? 'warn' : '';
  setState(s.state, s.trigger_state);
  $('version').textContent = `tonewire ${s.version || ''}${s.uptime_s != null ? ` · up ${fmtUptime(s.uptime_s)}` : ''}`;
  const connected = s.connected !== false && s.state !== 'disconnected';
  setConnected(connected, s.device_error || s.error || s.message, s.device);
  // Demo mode: the daemon says so, or its device is the simulator.
  const demo = s.demo ?? /^tonewire_sim:/.test(s.device || '');
  if (demo && !app.demoLoaded) loadDemo();
  if (!demo) $('demo').hidden = true;
  if (s.scenario) markScenario(s.scenario);
  showOperator(s);
  renderNext();
  for (const wake of app.statusWake) wake();
  app.statusWake.clear();
}

function setState(state, trigger) {
  const words = { idle: 'idle', measuring: 'measuring…', analysing: 'analysing…', analyzing: 'analysing…', done: 'done', flexing: 'flex test…', disconnected: 'no interface',
    armed: 'Plug a cable', insert_fully: 'Insert the cable fully', waiting_removal: 'unplug the cable' };
  const shown = state === 'idle' && trigger && trigger !== 'testing' ? trigger : state;
  $('st-state').textContent = words[shown] || shown || '—';
}

function fmtUptime(s) {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

// Until the status satisfies want (it is asked for, and every status or device
// event wakes the wait); the status, or an error after ms.
async function waitStatus(want, ms, what) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const s = await getJSON('/api/v1/status');
      renderStatus(s);
      if (want(s)) return s;
    } catch { /* the station is busy reopening: ask again */ }
    if (Date.now() > until) throw new Error(`${what} within ${ms / 1000} s`);
    await new Promise((wake) => {
      app.statusWake.add(wake);
      setTimeout(wake, 250);
    });
  }
}

/* ---------- production view ---------- */

function verdictPanel(kind, word, sub, say = '') {
  const v = $('verdict');
  v.className = `verdict v-${kind}`;
  v.querySelector('.v-icon').innerHTML = ICONS[kind] || '';
  v.querySelector('.v-word').textContent = word;
  v.querySelector('.v-say').textContent = say;
  v.querySelector('.v-sub').textContent = sub;
}

// Under the verdict: the scans waiting their turn (this page's, and those the station lists).
function renderNext() {
  if (!app.scans) return;
  const mine = app.scans.pending();
  const ids = new Set(mine.map((t) => t.id));
  if (app.scans.panel) ids.add(app.scans.panel);
  const theirs = (app.status?.queue || []).filter((q) => !ids.has(String(q.id)))
    .map((q) => ({ id: String(q.id), serial: q.serial, state: 'queued' }));
  const all = [...mine, ...theirs].sort((a, b) => Number(a.id) - Number(b.id));
  const p = $('v-next');
  p.hidden = !all.length;
  p.textContent = all.length
    ? `Next: ${all.map((t) => `${t.serial || `test #${t.id}`}${t.state === 'measuring' ? ' (testing now)' : ''}`).join(', ')}`
    : '';
}

/* A hands-free station ([station] trigger = auto) says what the plug needs;
 * a verdict stays up until the cable comes out (the state becomes armed). */
function showTrigger(d) {
  if (app.status) Object.assign(app.status, { trigger_state: d.state, missing: d.missing, present: d.present });
  setState('idle', d.state);
  if (!busy() && !app.viewingHistory && (d.state === 'armed' || d.state === 'insert_fully')) showIdle();
}

function selectedCable() {
  return $('cable').value || app.status?.cable || '';
}

function showIdle() {
  app.shown = null;
  const trig = app.status?.trigger_state;
  if (app.connected === false) verdictPanel('off', 'NO INTERFACE', 'The audio interface is unplugged. Plug it in to test.');
  else if (trig === 'insert_fully') verdictPanel('idle', 'INSERT FULLY', `Insert the cable fully${app.status.missing?.length ? ` — no contact on ${app.status.missing.join(', ')}` : ''}.`);
  else if (trig === 'armed') verdictPanel('idle', 'PLUG A CABLE', 'Plug a cable into the jig: the test starts by itself.');
  else verdictPanel('idle', 'READY', 'Plug the cable into the jig, then scan its serial number.');
  $('faults').textContent = '';
  drawResult(null);
  showTrace(null);
}

function showMeasuring(serial, id) {
  app.shown = null;
  verdictPanel('busy', 'TESTING…', `${serial ? `Serial ${serial}` : 'No serial'}${id ? ` · test #${id}` : ''} — keep the cable still.`);
  $('faults').textContent = '';
  drawResult(null);
  showTrace(null);
}

function drawResult(r) {
  const cable = r?.cable || selectedCable();
  const ends = app.profiles.ends(cable, r?.jig || app.status?.jig);
  renderWiring($('wiring-diagram'), ends, r);
  app.compact = $('wiring-diagram').clientWidth < COMPACT_BELOW;
  $('wiring-note').textContent = r
    ? `${cable}${ends.cable?.description ? ' — ' + ends.cable.description : ''}`
    : `Expected wiring of ${cable || 'the selected cable'}`;
  renderChannels($('channels'), r);
  renderMatrix($('matrix'), r);
  const t = r?.timing_ms;
  const ms = (x) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`);
  $('detail-note').textContent = t ? `measured in ${ms(t.total)} (acquire ${ms(t.acquire)}, analyse ${t.analyze.toFixed(1)} ms)` : '';
}

function showResult(r, fromHistory = false) {
  app.shown = r;
  app.viewingHistory = fromHistory;
  const v = WORDS[r.verdict] ? r.verdict : 'error';
  const when = localTime(r.started_at);
  const today = when.slice(0, 10) === localTime(new Date().toISOString()).slice(0, 10);
  const bits = [r.cable, today ? when.slice(11) : when];
  if (r.id != null) bits.push(`${r.kind === 'flex' ? 'flex session' : 'test'} #${r.id}`);
  const book = new ContactBook(app.profiles.ends(r.cable, r.jig));
  verdictPanel(v, WORDS[v], `${r.serial ? `Serial ${r.serial}` : 'No serial'}\n${bits.filter(Boolean).join(' · ')}`,
    verdictSentence(r, book));
  const ul = $('faults');
  ul.textContent = '';
  const faults = r.faults || [];
  if (!faults.length) {
    const li = document.createElement('li');
    li.className = v === 'pass' ? 'ok' : '';
    li.textContent = v === 'pass' ? 'Every conductor arrives where it should. The cable is good.' : (r.error || 'The station could not decide.');
    ul.append(li);
  }
  for (const f of faults) {
    const e = explainFault(f, book);
    const li = document.createElement('li');
    li.dataset.code = f.code;
    const strong = document.createElement('strong');
    strong.textContent = e.title;
    li.append(strong);
    if (e.effect) {
      const p = document.createElement('span');
      p.className = 'effect';
      p.textContent = e.effect;
      li.append(p);
    }
    if (e.detail) {
      const small = document.createElement('span');
      small.className = 'detail';
      small.textContent = e.detail;
      li.append(small);
    }
    ul.append(li);
  }
  if (r.error && faults.length) {
    const li = document.createElement('li');
    li.textContent = r.error;
    ul.append(li);
  }
  $('viewing').hidden = !fromHistory;
  if (fromHistory) $('viewing-text').textContent = `Showing result #${r.id} from history (${localTime(r.started_at)}).`;
  drawResult(r);
  showTrace(r);
}

function message(text, kind = '') {
  const m = $('run-msg');
  m.textContent = text;
  m.className = `hint ${kind}`;
}

// The serial field is never locked: a scan while a test runs waits its turn.
function updateControls() {
  const b = busy();
  $('flex-start').disabled = b;
  for (const btn of document.querySelectorAll('#demo-choices button')) btn.disabled = b;
  document.body.dataset.busy = b ? '1' : '';
  renderNext();
}

function focusSerial() {
  const s = $('serial');
  s.focus();
  s.select();
}

/* ---------- scans ---------- */

function startScans() {
  app.scans = new Scans({
    post: postTest,
    testing: (id, serial) => {
      if (app.shown) return false;
      showMeasuring(serial, id);
      return true;
    },
    queued: (id, serial, position) => verdictPanel('busy', 'NEXT', `Serial ${serial || '—'} · test #${id} waits its turn${position > 1 ? ` (${position - 1} before it)` : ''}: the jig is busy.`),
    result: (r) => {
      showResult(r);
      app.sound.verdict(r.verdict);
      app.shift.refresh();
    },
    refused: (serial, err, first) => {
      // [station] queue_scans = no (or a full queue): never silently dropped.
      const who = serial ? `Serial ${serial}` : 'That scan';
      banner('bad', `✖ ${who} was NOT tested — the station refused it: ${err.message}. Scan it again when the jig is free.`);
      $('banner').dataset.refused = serial || '';
      app.sound.refused();
      message(`${who} was not tested: the station refused it while busy.`, 'bad');
      if (first) verdictPanel('busy', 'BUSY', `${who} was not tested: another test is running on this station.`);
    },
    failed: (serial, err, first) => {
      message(`${serial ? `Serial ${serial}: ` : ''}the test could not run: ${err.message}`, 'bad');
      if (first) verdictPanel('error', 'ERROR', `The test could not run: ${err.message}`);
    },
    changed: updateControls,
  });
}

function scan(serial, { fromScan = false } = {}) {
  if (app.connected === false) {
    message('The audio interface is unplugged: plug it back in, then scan again.', 'bad');
    focusSerial();
    return;
  }
  if (fromScan && !serial) {
    message('Scan or type the serial number first.', 'bad');
    focusSerial();
    return;
  }
  if (app.flex.running || app.flexStarting || app.switching) {
    message(app.switching ? 'The simulated cable is being changed: scan again in a moment.'
      : 'A flex test is running: stop it first, then scan again.', 'bad');
    focusSerial();
    return;
  }
  const cable = selectedCable();
  if (!cable) {
    message('Choose the cable type first.', 'bad');
    $('cable').focus();
    return;
  }
  message('');
  if ($('banner').dataset.refused !== undefined) banner(null);
  app.viewingHistory = false;
  $('viewing').hidden = true;
  // Empty at once: the barcode reader may send the next serial right away.
  $('serial').value = '';
  if (!app.scans.inFlight) showMeasuring(serial);
  app.scans.scan(serial, cable);
  focusSerial();
}

/* ---------- flex test ---------- */

function startFlex() {
  app.flex = new Flex({
    cable: selectedCable,
    serial: () => $('serial').value.trim(),
    busy: (on) => {
      app.flexStarting = on;
      updateControls();
    },
    started: (id, serial) => {
      app.flexStarting = false;
      app.viewingHistory = false;
      $('viewing').hidden = true;
      app.shown = null;
      verdictPanel('busy', 'FLEX TEST', `${serial ? `Serial ${serial} · ` : ''}session #${id} — bend the cable along its length and at both plugs, then press Stop.`);
      $('faults').textContent = '';
      updateControls();
    },
    finished: (r) => {
      app.flexStarting = false;
      showResult(r);
      app.sound.verdict(r.verdict);
      $('serial').value = '';
      updateControls();
      focusSerial();
    },
    message,
  });
}

/* ---------- demo mode ---------- */

async function loadDemo() {
  app.demoLoaded = true;
  try {
    const d = await getJSON('/api/v1/demo');
    const box = $('demo-choices');
    box.textContent = '';
    // A good cable first: it is what a newcomer compares every fault with.
    const list = [...(d.scenarios || [])].sort((x, y) => /straight|good/i.test(y.name) - /straight|good/i.test(x.name));
    for (const sc of list) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'btn demo-btn';
      b.dataset.scenario = sc.name;
      if (sc.cable) b.dataset.cable = sc.cable;
      b.textContent = sc.title || sc.name;
      if (sc.description) b.title = sc.description;
      b.setAttribute('aria-pressed', sc.current || d.current === sc.name ? 'true' : 'false');
      b.addEventListener('click', () => pickDemo(sc.name));
      box.append(b);
    }
    $('demo').hidden = !(d.scenarios || []).length;
    updateControls();
  } catch {
    // Not the simulator after all (404): no demo panel.
    $('demo').hidden = true;
  }
}

function markScenario(name) {
  for (const b of document.querySelectorAll('#demo-choices button')) {
    b.setAttribute('aria-pressed', b.dataset.scenario === name ? 'true' : 'false');
  }
}

// Put another simulated cable in the jig, then test it — only once the station has
// reopened its device on it and measured the round trip again: a test started in
// between finds no signal.
async function pickDemo(name) {
  if (busy()) return;
  const button = document.querySelector(`#demo-choices button[data-scenario="${CSS.escape(name)}"]`);
  let cable = button?.dataset.cable;
  app.switching = true;
  app.viewingHistory = false;
  $('viewing').hidden = true;
  updateControls();
  verdictPanel('busy', 'SWITCHING…', `Putting the simulated cable “${button?.textContent || name}” in the jig…`);
  try {
    const { body } = await sendJSON('PUT', '/api/v1/demo', { scenario: name });
    cable = body?.cable || cable;
    await waitStatus((s) => s.scenario === name && s.connected !== false && typeof s.latency_frames === 'number' && s.latency_frames > 0,
      20000, 'the simulated interface did not come back');
  } catch (err) {
    message(`Could not switch the simulated cable: ${err.message}`, 'bad');
    showIdle();
    return;
  } finally {
    app.switching = false;
    updateControls();
  }
  // A scenario simulates one cable profile: test it as that cable.
  if (cable && app.profiles.cables.has(cable) && $('cable').value !== cable) {
    $('cable').value = cable;
    store.set('cable', cable);
    describeCable();
  }
  markScenario(name);
  const typed = $('serial').value.trim();
  scan(typed || `DEMO-${String(Date.now()).slice(-5)}`);
}

/* ---------- login ---------- */

function showLogin(why) {
  if (!$('login').hidden) return;
  document.querySelector('main').hidden = true;
  $('login').hidden = false;
  $('login-msg').textContent = why || '';
  $('login-token').focus();
}

function setupLogin() {
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const field = $('login-token');
    try {
      await logIn(field.value);
      field.value = '';
      window.location.reload();   // start over, now with the session
    } catch (err) {
      $('login-msg').textContent = err.status === 401 ? 'That is not this station\'s token.' : `Could not log in: ${err.message}`;
      field.select();
    }
  });
  $('logout').addEventListener('click', async () => {
    try { await logOut(); } finally { window.location.reload(); }
  });
  window.addEventListener(UNAUTHORIZED, () => showLogin('The session has ended: log in again.'));
}

// A station with a token asks for it before anything else; one without (or
// an older station that has no /api/v1/session) goes straight on.
async function sessionReady() {
  let s;
  try {
    s = await getSession();
  } catch {
    return true;
  }
  $('logout').hidden = !(s.token_required && s.authenticated);
  if (!s.token_required || s.authenticated) return true;
  showLogin();
  return false;
}

/* ---------- events ---------- */

function connectEvents() {
  const es = new EventSource('/api/v1/events');
  let lostTimer = 0;
  const on = (type, fn) => es.addEventListener(type, (e) => {
    let data;
    try { data = JSON.parse(e.data); } catch { return; }
    fn(data);
  });
  es.onopen = () => {
    clearTimeout(lostTimer);
    if ($('banner').dataset.lost) {
      delete $('banner').dataset.lost;
      banner(null);
    }
    refreshStatus();
  };
  es.onerror = () => {
    clearTimeout(lostTimer);
    // EventSource does not retry a refused stream (401, 503): ask for the
    // token again if that was it, else reconnect in a moment.
    if (es.readyState === EventSource.CLOSED) {
      sessionReady().then((ok) => { if (ok) setTimeout(connectEvents, 2000); });
    }
    lostTimer = setTimeout(() => {
      if (es.readyState !== EventSource.OPEN && $('login').hidden) {
        banner('warn', '⚠ No connection to the station service (tonewired). Retrying…');
        $('banner').dataset.lost = '1';
        $('st-conn').className = 'bad';
        $('st-conn').lastChild.textContent = 'service down';
      }
    }, 1500);
  };
  on('status', renderStatus);
  on('heartbeat', (d) => { if (d && d.state) renderStatus(d); });
  on('device', (d) => {
    setConnected(d.connected !== false, d.error || d.message, d.device);
    if (d.connected !== false) refreshStatus(); // the new round-trip latency, device name
  });
  on('state', (d) => {
    if (d.trigger === 'auto') { showTrigger(d); return; }
    setState(d.state);
    const id = d.test_id ?? d.test;
    if (d.state === 'flexing' && !(app.flex.running && app.flex.session.id === id)) app.flex.resume();
    if (app.scans.state(d)) return;
    // A test started elsewhere (the CLI, another screen) while this page is idle.
    if ((d.state === 'measuring' || d.state === 'analysing') && !busy() && id != null) showMeasuring(null, id);
  });
  on('levels', (lv) => app.meters.update(lv));
  on('flex', (ev) => app.flex.live(ev));
  on('shift', () => app.shift.load());
  on('result', (r) => {
    app.meters.settle();
    app.history.load();
    if (r.kind === 'learn' || r.kind === 'calibration') {
      // Not a cable test: its own card shows it, the shift does not count it, and
      // the verdict panel goes back to what it showed before the step measured.
      if (!busy()) (app.shown ? showResult(app.shown, app.viewingHistory) : showIdle());
      return;
    }
    if (r.kind === 'flex') {
      app.flex.finish(r);
      return;
    }
    app.shift.refresh();
    if (app.scans.result(r)) return;
    // A test started elsewhere (the CLI, another screen): shown too, when this page is idle.
    if (!busy()) {
      showResult(r);
      app.sound.verdict(r.verdict);
    }
  });
}

async function refreshStatus() {
  try {
    renderStatus(await getJSON('/api/v1/status'));
  } catch (err) {
    banner('warn', `⚠ No connection to the station service (tonewired): ${err.message}`);
  }
}

async function loadProfiles() {
  try {
    app.profiles = new Profiles(await getJSON('/api/v1/profiles'));
  } catch (err) {
    message(`Cable profiles could not be loaded: ${err.message}`, 'bad');
  }
  const sel = $('cable');
  const filter = $('history-cable');
  sel.textContent = '';
  filter.length = 1;   // keep "any": a reload (a cable just learned) must not list the others twice
  for (const c of app.profiles.fitting()) sel.append(new Option(c.name, c.name));
  for (const c of app.profiles.cables.values()) filter.append(new Option(c.name, c.name));
  const remembered = store.get('cable', null);
  const fits = new Set(app.profiles.fitting().map((c) => c.name));
  const pick = [remembered, app.status?.cable].find((n) => n && fits.has(n));
  if (pick) sel.value = pick;
  describeCable();
}

function describeCable() {
  const c = app.profiles.cables.get($('cable').value);
  $('cable-desc').textContent = c ? `${c.description || ''} (${c.end_a} → ${c.end_b})`.trim() : '';
}

async function init() {
  setupLogin();
  if (!(await sessionReady())) return;
  app.meters = new Meters($('meters'), $('meter-status'));
  app.sound = new Sound($('sound-toggle'));
  app.kiosk = new Kiosk({ toggle: $('kiosk-toggle'), exit: $('kiosk-exit'), panel: $('verdict'), refocus: focusSerial });
  app.shift = new Shift(document.querySelector('.shift'), { onError: (m) => message(m, 'bad') });
  startScans();
  startFlex();
  renderLegend($('legend'));
  app.history = new History($('history'), {
    onOpen: (r) => {
      showResult(r, true);
      $('verdict').scrollIntoView({ behavior: 'smooth', block: 'center' });
      $('back-live').focus();
    },
    onError: (m) => message(m, 'bad'),
  });

  $('run-form').addEventListener('submit', (e) => {
    e.preventDefault();
    scan($('serial').value.trim(), { fromScan: true });
  });
  // A new serial being scanned: the last verdict is not this cable's, clear it.
  $('serial').addEventListener('input', () => {
    if ($('serial').value && app.shown && !busy()) {
      app.viewingHistory = false;
      $('viewing').hidden = true;
      showIdle();
    }
  });
  // The wiring has a narrow layout for phones: redrawn when the room changes across it.
  new ResizeObserver(() => {
    const compact = $('wiring-diagram').clientWidth < COMPACT_BELOW;
    if (app.compact !== null && compact !== app.compact) drawResult(app.shown);
  }).observe($('wiring-diagram'));
  $('cable').addEventListener('change', () => {
    store.set('cable', $('cable').value);
    describeCable();
    if (!app.shown) drawResult(null);
    focusSerial();
  });
  $('back-live').addEventListener('click', () => {
    app.viewingHistory = false;
    $('viewing').hidden = true;
    showIdle();
    focusSerial();
  });

  initOperator(refreshStatus);
  await refreshStatus();
  await loadProfiles();
  app.learn = new Learn($('learn'), {
    jigSockets: () => {
      const j = app.profiles.jigs.get(app.status?.jig);
      return j && { a: j.socket_a, b: j.socket_b };
    },
    onSaved: async (name) => {
      await loadProfiles();
      if ([...$('cable').options].some((o) => o.value === name)) $('cable').value = name;
      describeCable();
    },
  });
  if (!app.shown && !busy()) showIdle();
  if (app.status?.state === 'flexing') await app.flex.resume();
  connectEvents();
  app.history.load();
  app.shift.load();
  updateControls();
  focusSerial();
  document.body.dataset.ready = '1';
}

init();
