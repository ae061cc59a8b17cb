// app: the station dashboard — status bar, production view, and the glue between
// the HTTP API, the SSE stream and the views (wiring, detail, history).

import { ApiError, UNAUTHORIZED, getJSON, getSession, logIn, logOut, sendJSON } from './api.js';
import { ContactBook, Profiles } from './model.js';
import { explainFault } from './faults.js';
import { renderLegend, renderWiring } from './wiring.js';
import { Meters, renderChannels, renderMatrix } from './detail.js';
import { History, localTime } from './history.js';
import { initOperator, postTest, showOperator, showTrace } from './operator.js';
import { Learn } from './learn.js';

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
  busy: false,
  waiters: new Map(),   // test id → resolve, for results arriving over SSE
  connected: null,
  demoCount: 0,
  flex: null,           // the flex session on screen: { id, running, shown }
};

/* ---------- station bar and banners ---------- */

let bannerTimer = 0;
function banner(kind, text) {
  const b = $('banner');
  clearTimeout(bannerTimer);
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

function setConnected(connected, why) {
  const was = app.connected;
  app.connected = connected;
  const conn = $('st-conn');
  conn.className = connected ? 'ok' : 'bad';
  conn.lastChild.textContent = connected ? 'connected' : 'UNPLUGGED';
  // Status arrives every few seconds: act on changes only, so a result on
  // screen is not wiped and a dismissed banner does not come back.
  if (connected === was) return;
  if (!connected) {
    banner('bad', `⚠ The audio interface is unplugged — plug it back in. Tests are paused.${why ? ` (${why})` : ''}`);
    if (!app.busy && !app.viewingHistory) showIdle();
  } else if (was === false) {
    banner('ok', '✔ The audio interface is back. Ready to test.');
    if (/unplugged/.test($('run-msg').textContent)) message('');
    if (!app.busy && !app.viewingHistory && !app.shown) showIdle();
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
  setConnected(connected, s.device_error || s.error || s.message);
  // Demo mode: the daemon says so, or its device is the simulator.
  const demo = s.demo ?? /^tonewire_sim:/.test(s.device || '');
  if (demo && !app.demoLoaded) loadDemo();
  if (!demo) $('demo').hidden = true;
  if (s.scenario) markScenario(s.scenario);
  showOperator(s);
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

/* ---------- production view ---------- */

function verdictPanel(kind, word, sub) {
  const v = $('verdict');
  v.className = `verdict v-${kind}`;
  v.querySelector('.v-icon').innerHTML = ICONS[kind] || '';
  v.querySelector('.v-word').textContent = word;
  v.querySelector('.v-sub').textContent = sub;
}

/* A hands-free station ([station] trigger = auto) says what the plug needs;
 * a verdict stays up until the cable comes out (the state becomes armed). */
function showTrigger(d) {
  if (app.status) Object.assign(app.status, { trigger_state: d.state, missing: d.missing, present: d.present });
  setState('idle', d.state);
  if (!app.busy && !app.viewingHistory && (d.state === 'armed' || d.state === 'insert_fully')) showIdle();
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
  verdictPanel('busy', 'TESTING…', `${serial ? `Serial ${serial}` : 'No serial'}${id ? ` · test #${id}` : ''} — keep the cable still.`);
  $('faults').textContent = '';
}

function drawResult(r) {
  const cable = r?.cable || selectedCable();
  const ends = app.profiles.ends(cable, r?.jig || app.status?.jig);
  renderWiring($('wiring-diagram'), ends, r);
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
  if (r.id != null) bits.push(`test #${r.id}`);
  verdictPanel(v, WORDS[v], `${r.serial ? `Serial ${r.serial}` : 'No serial'}\n${bits.filter(Boolean).join(' · ')}`);
  const book = new ContactBook(app.profiles.ends(r.cable, r.jig));
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

function setBusy(busy) {
  app.busy = busy;
  $('start').disabled = busy;
  $('flex-start').disabled = busy;
  $('serial').readOnly = busy;
  for (const b of document.querySelectorAll('#demo-choices button')) b.disabled = busy;
}

function focusSerial() {
  const s = $('serial');
  s.focus();
  s.select();
}

function waitForResult(id) {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (r, err) => {
      if (done) return;
      done = true;
      app.waiters.delete(String(id));
      clearInterval(poll);
      clearTimeout(limit);
      if (err) reject(err); else resolve(r);
    };
    app.waiters.set(String(id), (r) => finish(r));
    // SSE brings the result; polling covers a stream that is down or late.
    const poll = setInterval(async () => {
      try {
        const r = await getJSON(`/api/v1/tests/${encodeURIComponent(id)}`);
        if (r && r.verdict) finish(r);
      } catch { /* not stored yet */ }
    }, 1500);
    const limit = setTimeout(() => finish(null, new Error('no result after 120 s')), 120000);
  });
}

async function startTest(serial, { fromScan = false } = {}) {
  if (app.busy) return;
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
  const cable = selectedCable();
  if (!cable) {
    message('Choose the cable type first.', 'bad');
    $('cable').focus();
    return;
  }
  message('');
  setBusy(true);
  app.viewingHistory = false;
  $('viewing').hidden = true;
  showMeasuring(serial);
  drawResult(null);
  try {
    const { body, location } = await postTest({ cable, serial: serial || null });
    let result;
    if (body && body.verdict) {
      result = body;
    } else {
      const id = body?.id ?? (location ? location.split('/').pop() : null);
      if (id == null) throw new Error('the station did not say which test it started');
      showMeasuring(serial, id);
      result = app.results?.get(String(id)) || await waitForResult(id);
    }
    countResult(result);
    showResult(result);
    $('serial').value = '';
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      const running = err.body?.running_test ?? err.body?.test;
      message(`The station is busy${running ? ` with test #${running}` : ''}. Wait for it to finish, then scan again.`, 'bad');
      verdictPanel('busy', 'BUSY', 'Another test is running on this station.');
    } else {
      message(`The test could not run: ${err.message}`, 'bad');
      verdictPanel('error', 'ERROR', `The test could not run: ${err.message}`);
    }
  } finally {
    setBusy(false);
    focusSerial();
  }
}

/* ---------- flex test ---------- */

// Seconds a dashboard session may run at most; the operator stops it sooner.
const FLEX_SECONDS = 600;

function fmtMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

function addFlexEvent(ev) {
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

function flexNote(text) {
  $('flex-note').textContent = text;
}

function showFlexing(id, serial) {
  app.flex = { id, running: true, shown: app.flex?.id === id ? app.flex.shown : 0 };
  $('flex-start').hidden = true;
  $('flex-stop').hidden = false;
  $('flex-stop').disabled = false;
  verdictPanel('busy', 'FLEX TEST', `${serial ? `Serial ${serial} · ` : ''}session #${id} — bend the cable along its length and at both plugs, then press Stop.`);
  $('faults').textContent = '';
  flexNote('listening…');
}

function flexEnded(r) {
  if (app.flex && app.flex.id !== r.id) return;
  app.flex = { id: r.id, running: false, shown: app.flex?.shown || 0 };
  $('flex-start').hidden = false;
  $('flex-stop').hidden = true;
  const n = r.flex?.count ?? 0;
  flexNote(`${n} dropout${n === 1 ? '' : 's'} in ${(r.flex?.seconds ?? 0).toFixed(1)} s`);
}

async function startFlex() {
  if (app.busy) return;
  const cable = selectedCable();
  if (!cable) {
    message('Choose the cable type first.', 'bad');
    $('cable').focus();
    return;
  }
  const serial = $('serial').value.trim();
  message('');
  setBusy(true);
  app.viewingHistory = false;
  $('viewing').hidden = true;
  $('flex-events').textContent = '';
  try {
    const { body } = await sendJSON('POST', '/api/v1/flex', { cable, serial: serial || null, seconds: FLEX_SECONDS });
    showFlexing(body.id, serial);
    $('flex-stop').focus();
  } catch (err) {
    setBusy(false);
    if (err instanceof ApiError && err.status === 409) message('The station is busy. Wait for the test to finish, then try again.', 'bad');
    else message(`The flex test could not start: ${err.message}`, 'bad');
  }
}

async function stopFlex() {
  $('flex-stop').disabled = true;
  flexNote('stopping…');
  try {
    const { body } = await sendJSON('DELETE', '/api/v1/flex');
    if (body && body.verdict) finishFlex(body);
  } catch (err) {
    // 409: it ended meanwhile; its result arrives over SSE.
    if (!(err instanceof ApiError && err.status === 409)) message(`Could not stop the flex test: ${err.message}`, 'bad');
  }
}

function finishFlex(r) {
  if (app.flex && !app.flex.running && app.flex.id === r.id) return;   // shown already
  // Events that ended just before the session did may not have been streamed yet.
  const events = r.flex?.events || [];
  for (let i = app.flex?.id === r.id ? app.flex.shown : 0; i < events.length; i++) addFlexEvent(events[i]);
  flexEnded(r);
  countResult(r);
  showResult(r);
  setBusy(false);
  $('serial').value = '';
  focusSerial();
}

// A session that was running before this page loaded (or started elsewhere).
async function resumeFlex() {
  try {
    const s = await getJSON('/api/v1/flex');
    if (s.state === 'done') return;
    $('flex-events').textContent = '';
    setBusy(true);
    showFlexing(s.id, null);
    for (const ev of s.flex?.events || []) addFlexEvent(ev);
    app.flex.shown = (s.flex?.events || []).length;
  } catch { /* none */ }
}

/* ---------- shift count ---------- */

function loadShift() {
  const s = store.get('shift', null);
  return s && typeof s === 'object' ? s : { pass: 0, fail: 0, error: 0, since: new Date().toISOString(), lastId: null };
}

function renderShift() {
  const s = loadShift();
  $('n-pass').textContent = s.pass;
  $('n-fail').textContent = s.fail;
  $('n-error').textContent = s.error;
  $('shift-since').textContent = `since ${localTime(s.since).slice(11, 16)}`;
  $('shift-since').title = `Counting since ${localTime(s.since)}`;
}

// Each result counts once, even with several dashboards open on the same station.
function countResult(r) {
  const s = loadShift();
  const seen = new Set(s.seen || []);
  const key = r.id != null ? String(r.id) : null;
  if (key && seen.has(key)) return;
  const v = WORDS[r.verdict] ? r.verdict : 'error';
  s[v] = (s[v] || 0) + 1;
  if (key) s.seen = [...seen, key].slice(-50);
  store.set('shift', s);
  renderShift();
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
      b.setAttribute('aria-pressed', sc.current || d.current === sc.name ? 'true' : 'false');
      b.addEventListener('click', () => pickDemo(sc.name));
      box.append(b);
    }
    $('demo').hidden = !(d.scenarios || []).length;
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

async function pickDemo(name) {
  if (app.busy) return;
  let cable = document.querySelector(`#demo-choices button[data-scenario="${CSS.escape(name)}"]`)?.dataset.cable;
  try {
    const { body } = await sendJSON('PUT', '/api/v1/demo', { scenario: name });
    cable = body?.cable || cable;
  } catch (err) {
    message(`Could not switch the simulated cable: ${err.message}`, 'bad');
    return;
  }
  // A scenario simulates one cable profile: test it as that cable.
  if (cable && app.profiles.cables.has(cable) && $('cable').value !== cable) {
    $('cable').value = cable;
    store.set('cable', cable);
    describeCable();
  }
  markScenario(name);
  const typed = $('serial').value.trim();
  app.demoCount += 1;
  startTest(typed || `DEMO-${String(Date.now()).slice(-5)}`);
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
    setConnected(d.connected !== false, d.error || d.message);
    if (d.connected !== false) refreshStatus(); // the new round-trip latency, device name
  });
  on('state', (d) => {
    if (d.trigger === 'auto') { showTrigger(d); return; }
    setState(d.state);
    const id = d.test_id ?? d.test;
    if (d.state === 'flexing' && !(app.flex?.running && app.flex.id === id)) resumeFlex();
    if ((d.state === 'measuring' || d.state === 'analysing') && !app.busy) showMeasuring(null, id);
  });
  on('levels', (lv) => app.meters.update(lv));
  on('flex', (ev) => {
    if (!app.flex?.running || app.flex.id !== ev.session) return;
    addFlexEvent(ev);
    app.flex.shown += 1;
    flexNote(`${ev.count} dropout${ev.count === 1 ? '' : 's'} so far`);
  });
  on('result', (r) => {
    if (r.kind === 'learn') {
      // A learn step is no cable test: the learn card shows it, the shift does not count it,
      // and the verdict panel goes back to what it showed before the step measured.
      app.meters.settle();
      if (!app.busy) (app.shown ? showResult(app.shown, app.viewingHistory) : showIdle());
      app.history.load();
      return;
    }
    if (r.kind === 'flex') {
      app.meters.settle();
      finishFlex(r);
      app.history.load();
      return;
    }
    const key = String(r.id);
    app.meters.settle();
    app.results.set(key, r);
    if (app.results.size > 20) app.results.delete(app.results.keys().next().value);
    const waiter = app.waiters.get(key);
    if (waiter) {
      waiter(r);
    } else if (!app.busy) {
      // A test started elsewhere (CLI, another screen): show and count it too.
      countResult(r);
      showResult(r);
    }
    app.history.load();
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
  app.results = new Map();
  app.meters = new Meters($('meters'), $('meter-status'));
  renderLegend($('legend'));
  renderShift();
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
    startTest($('serial').value.trim(), { fromScan: true });
  });
  $('cable').addEventListener('change', () => {
    store.set('cable', $('cable').value);
    describeCable();
    if (!app.shown) drawResult(null);
    focusSerial();
  });
  $('flex-start').addEventListener('click', startFlex);
  $('flex-stop').addEventListener('click', stopFlex);
  $('shift-reset').addEventListener('click', () => {
    if (!window.confirm('Reset the pass/fail count for this shift?')) return;
    store.set('shift', { pass: 0, fail: 0, error: 0, since: new Date().toISOString(), seen: loadShift().seen || [] });
    renderShift();
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
  if (!app.shown && !app.busy) showIdle();
  if (app.status?.state === 'flexing') await resumeFlex();
  connectEvents();
  app.history.load();
  focusSerial();
  document.body.dataset.ready = '1';
}

init();
