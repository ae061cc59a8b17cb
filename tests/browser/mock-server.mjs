// A stand-in for tonewired: serves web/ and canned API answers (including SSE),
// so the dashboard can be developed and smoke-tested without audio hardware.
// It is held to the API: every answer, every event and every request body the page
// sends is checked against docs/openapi.json (openapi.mjs); what the API does not allow
// is kept in a list (GET /mock/violations) that the UI tests require to be empty.
// Usage: node mock-server.mjs [port]   (prints "listening on http://127.0.0.1:PORT/")
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Api } from './openapi.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const webRoot = path.resolve(here, '../../web');
const api = new Api();
const violations = [];

// The browser security headers tonewired sends with every answer (daemon/reply.c),
// so the page meets the same Content-Security-Policy here.
const SECURITY = (() => {
  const src = fs.readFileSync(path.resolve(here, '../../daemon/reply.c'), 'utf8');
  const csp = /"Content-Security-Policy",\s*((?:"[^"]*"\s*)+),/.exec(src);
  if (!csp) throw new Error('daemon/reply.c: no Content-Security-Policy found');
  return { 'Content-Security-Policy': [...csp[1].matchAll(/"([^"]*)"/g)].map((m) => m[1]).join(''), 'X-Content-Type-Options': 'nosniff' };
})();

// The repository's own profiles when present (so every connector can be drawn),
// else a few built-in ones. Numbered keys are the jig's [outputs] and [inputs].
function readProfiles(kind) {
  const dir = path.resolve(here, '../../profiles', kind);
  if (!fs.existsSync(dir)) return null;
  return fs.readdirSync(dir).filter((f) => f.endsWith('.conf')).sort().map((f) => {
    const o = { outputs: [], inputs: [] };
    let section = '';
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      const sec = /^\s*\[(\w+)\]/.exec(line);
      if (sec) section = sec[1];
      const m = line.replace(/\s[;#].*$/, '').match(/^\s*([\w]+)\s*=\s*(.*?)\s*$/);
      if (!m) continue;
      if (/^\d+$/.test(m[1])) {
        if (section === 'outputs' || section === 'inputs') o[section].push(m[2]);
      } else if (!(m[1] in o)) {
        o[m[1]] = m[2];
      }
    }
    for (const k of ['contacts', 'roles']) if (o[k]) o[k] = o[k].split(/\s+/);
    return o;
  });
}

const builtinConnectors = [
  { name: 'trrs-3.5-ctia', description: '3.5 mm TRRS headset plug, CTIA', contacts: ['T', 'R1', 'R2', 'S'], roles: ['L', 'R', 'G', 'MIC'] },
  { name: 'trs-3.5', description: '3.5 mm TRS stereo plug', contacts: ['T', 'R', 'S'], roles: ['L', 'R', 'G'] },
];
const builtinCables = [
  { name: 'trrs-ctia-extension', description: 'TRRS CTIA headset extension, 1 m', end_a: 'trrs-3.5-ctia', end_b: 'trrs-3.5-ctia' },
];
const connectors = readProfiles('connectors') || builtinConnectors;
const cables = readProfiles('cables') || builtinCables;
const builtinJigs = [{ name: 'trrs-4ch', description: 'TRRS socket A driven per contact, TRRS socket B sensed per contact',
  socket_a: 'trrs-3.5-ctia', socket_b: 'trrs-3.5-ctia', outputs: ['A.T', 'A.R1', 'A.R2', 'A.S'], inputs: ['B.T', 'B.R1', 'B.R2', 'B.S'] }];
const jigs = readProfiles('jigs') || builtinJigs;

const scenarios = [
  ['straight', 'Good cable (straight)'], ['lr-swap', 'Left/right swapped'], ['polarity', 'Polarity inverted'],
  ['ctia-omtp', 'CTIA ↔ OMTP'], ['open-ground', 'Open ground'], ['short', 'Short L–R'], ['high-resistance', 'High resistance'],
  ['intermittent', 'Intermittent (flex it)'],
];
let scenario = 'straight';
let connected = true;
let state = 'idle';
let running = null;
let queueScans = true;
let held = false;            // /mock/hold?on=1: the test on the jig does not finish until released
let trigger = null;         // a hands-free station's trigger state (armed, waiting_removal …), or null: manual
const queue = [];           // [{id, serial, cable}] waiting their turn
let flex = null;            // the flex session running
let lastId = 0;
let xruns = 0;
let shiftStart = Math.floor(Date.now() / 1000);
let shiftAfter = 0;
const results = [];
const clients = new Set();
const started = Date.now();

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function violation(what) {
  violations.push(what);
  console.error(`API violation: ${what}`);
}

// The shapes tonewired answers with: contacts as [{name, role}], cable ends
// also as plugs, jig sockets as {a, b}.
function apiProfiles() {
  const plugs = (end) => end.split(/\s+/).map((p) => (p.includes(':') ? { label: p.split(':')[0], connector: p.split(':')[1] } : { label: '', connector: p }));
  const jig = jigs.find((j) => j.name === 'trrs-4ch') || jigs[0];
  return {
    jig: jig.name,
    connectors: connectors.map(({ name, description, contacts, roles }) => ({ name, description: description || '', contacts: contacts.map((c, i) => ({ name: c, role: roles[i] })) })),
    cables: cables.map(({ name, description, end_a, end_b }) => ({
      name, description: description || '', end_a, end_b, plugs_a: plugs(end_a), plugs_b: plugs(end_b),
      fits_jig: end_a === jig.socket_a && end_b === jig.socket_b,
    })),
    jigs: jigs.map(({ name, description, socket_a, socket_b, outputs, inputs }) => ({
      name, description: description || '', sockets: { a: socket_a, b: socket_b }, outputs, inputs, station: name === jig.name,
    })),
  };
}

function status() {
  return {
    state, test: running, last_test: results[0]?.id ?? null, queue: queue.map(({ id, serial }) => ({ id, serial })),
    ...(flex ? { flex: flex.id } : {}),
    device: `tonewire_sim:/mock/scenarios/${scenario}.conf`, connected,
    ...(connected ? {} : { device_error: 'No such device' }), jig: 'trrs-4ch',
    rate: 48000, latency_frames: 173.25, latency_ms: 3.61, xruns, device_losses: 0, tests_run: results.length,
    uptime_s: Math.round((Date.now() - started) / 1000), calibration: null, trigger: trigger ? 'auto' : 'manual',
    ...(trigger ? { trigger_state: trigger, trigger_serial: null } : {}), version: '0.1.0-mock',
    scenario,
  };
}

function send(event, data) {
  const schema = api.eventSchema(event);
  if (!schema) violation(`SSE event "${event}" is not one the API describes`);
  else for (const e of api.validate(schema, data, `event ${event}`)) violation(e);
  const msg = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  for (const res of clients) res.write(msg);
}

const contacts = ['T', 'R1', 'R2', 'S'];
function makeResult(id, serial, cable) {
  const straight = { T: ['T'], R1: ['R1'], R2: ['R2'], S: ['S'] };
  let reach = straight, faults = [], pol = { L: 'normal', R: 'normal' }, hr = null, found = {};
  switch (scenario) {
    case 'lr-swap': reach = { T: ['R1'], R1: ['T'], R2: ['R2'], S: ['S'] }; found = { L: 'R', R: 'L' };
      faults = [{ code: 'lr_swap', contacts: ['A.T', 'A.R1'], summary: 'Left and right are swapped (A.T, A.R1)', confidence: 0.99, channel: 'L' }]; break;
    case 'polarity': pol.L = 'inverted';
      faults = [{ code: 'polarity_inverted', contacts: ['A.T'], channel: 'L', summary: 'Left polarity inverted', confidence: 0.97 }]; break;
    case 'ctia-omtp': reach = { T: ['T'], R1: ['R1'], R2: ['S'], S: ['R2'] };
      faults = [{ code: 'ctia_omtp_mismatch', contacts: ['A.R2', 'A.S'], summary: 'Ground and microphone are swapped (CTIA/OMTP)', confidence: 0.98 }]; break;
    case 'open-ground': reach = { T: ['T'], R1: ['R1'], R2: [], S: ['S'] };
      faults = [{ code: 'open', contacts: ['A.R2', 'B.R2'], summary: 'A.R2 is open', confidence: 0.99 }]; break;
    case 'short': reach = { T: ['T', 'R1'], R1: ['R1', 'T'], R2: ['R2'], S: ['S'] };
      faults = [{ code: 'short', contacts: ['B.T', 'B.R1'], summary: 'B.T shorted to B.R1 (0.5 Ω)', confidence: 0.95, ohms: 0.5 }]; break;
    case 'high-resistance': hr = 'R2';
      faults = [{ code: 'high_resistance', contacts: ['A.R2', 'B.R2'], summary: 'A.R2 high resistance: 12 Ω in series', confidence: 0.9, ohms: 12.4 }]; break;
    default: break;
  }
  const gain = (a, b) => (reach[a].includes(b) ? (reach[a].length > 1 ? 0.5 : (hr === a ? 0.89 : 0.998)) : 0);
  const db = (g) => (g > 0 ? 20 * Math.log10(g) : -110 - Math.random() * 10);
  const r3 = (x) => Math.round(x * 1000) / 1000;
  return {
    id, serial, cable, jig: 'trrs-4ch', started_at: iso(Date.now()),
    verdict: faults.length ? 'fail' : 'pass', faults,
    wiring: contacts.map((a) => ({ from: `A.${a}`, to: reach[a].map((b) => `B.${b}`), gain: reach[a].length ? gain(a, reach[a][0]) : 0, gains: reach[a].map((b) => gain(a, b)) })),
    channels: ['L', 'R'].map((n) => ({
      name: n, level_db: r3(scenario === 'short' ? -6.02 : -0.02), phase_deg: pol[n] === 'inverted' ? 179.8 : 0.1, polarity: pol[n],
      crosstalk_db: scenario === 'short' ? -0.1 : -96, snr_db: 88, mono_ratio_db: scenario === 'ctia-omtp' ? -42 : 0,
      ...(found[n] ? { found_at: found[n] } : {}),
    })),
    matrix: {
      inputs: contacts.map((c) => `B.${c}`), outputs: contacts.map((c) => `A.${c}`),
      gain_db: contacts.map((b) => contacts.map((a) => r3(db(gain(a, b))))),
      phase_deg: contacts.map((b) => contacts.map((a) => (scenario === 'polarity' && a === 'T' && b === 'T' ? 179.8 : 0.1))),
      snr_db: contacts.map((b) => contacts.map((a) => (gain(a, b) > 0 ? 88 : 0))),
    },
    timing_ms: { total: 1210, acquire: 1100, analyze: 3.1 }, latency_frames: 173, calibration: null,
  };
}

// One test on the jig: levels for a second, then its result; the next scan's turn.
function runTest(id, serial, cable) {
  running = id; state = 'measuring';
  send('state', { state, test: id }); send('status', status());
  let t = 0;
  const timer = setInterval(() => {
    t++;
    send('levels', { test: id, t_ms: t * 100, inputs: contacts.map((c) => `B.${c}`), dbfs: contacts.map((_, i) => -12 - i * 3 + Math.random() * 2) });
    if (t === 8) { state = 'analysing'; send('state', { state, test: id }); }
    if (t >= 10 && !held) {
      clearInterval(timer);
      const r = makeResult(id, serial, cable);
      results.unshift(r);
      running = null; state = 'done';
      send('state', { state, test: id }); send('result', r);
      const next = queue.shift();
      if (next) runTest(next.id, next.serial, next.cable);
      else send('status', status());
    }
  }, 100);
}

// A flex session: a dropout every 0.7 s on the intermittent cable, until its time is up or it is stopped.
function runFlex(id, serial, cable, seconds) {
  running = id; state = 'flexing';
  flex = { id, serial, cable, seconds, t0: Date.now(), events: [] };
  send('state', { state, test: id }); send('status', status());
  flex.timer = setInterval(() => {
    const ms = Date.now() - flex.t0;
    if (scenario === 'intermittent') {
      const ev = { time_ms: ms, duration_ms: 3.5, input: 'B.T', contacts: ['A.T', 'B.T'], depth: 1, peak_db: -3 };
      flex.events.push(ev);
      send('flex', { ...ev, session: id, count: flex.events.length });
    }
    if (ms >= seconds * 1000) endFlex('time limit');
  }, 700);
}

function flexSummary(f, extra = {}) {
  return { count: f.events.length, worst_ms: f.events.length ? 3.5 : 0, events: f.events, events_dropped: 0, ...extra };
}

function endFlex(why) {
  const f = flex;
  clearInterval(f.timer);
  flex = null; running = null; state = 'done';
  const r = makeResult(f.id, f.serial, f.cable);
  r.kind = 'flex';
  r.flex = flexSummary(f, { seconds: (Date.now() - f.t0) / 1000, ended_by: why });
  if (f.events.length) {
    r.verdict = 'fail';
    r.faults = [{ code: 'intermittent', contacts: ['A.T', 'B.T'], summary: `Intermittent: ${f.events.length} dropouts while flexed`, confidence: 1, count: f.events.length, worst_ms: 3.5 }];
  }
  results.unshift(r);
  send('state', { state, test: f.id }); send('result', r); send('status', status());
  return r;
}

// Counts since the shift began, as GET /api/v1/stats gives them (units: serials; errors out of the yield).
function stats(since, after) {
  const count = (list) => {
    const tests = list.filter((r) => r.verdict);
    const decided = tests.filter((r) => r.verdict !== 'error').sort((a, b) => a.id - b.id);
    const units = new Map();
    for (const r of decided) {
      const u = r.serial ?? `#${r.id}`;
      units.set(u, { first: units.get(u)?.first ?? r.verdict, last: r.verdict });
    }
    const n = units.size;
    const fp = [...units.values()].filter((u) => u.first === 'pass').length;
    const fin = [...units.values()].filter((u) => u.last === 'pass').length;
    return {
      tests: tests.length, pass: tests.filter((r) => r.verdict === 'pass').length, fail: tests.filter((r) => r.verdict === 'fail').length,
      error: tests.filter((r) => r.verdict === 'error').length, units: n, first_pass: fp, final_pass: fin,
      first_pass_yield: n ? fp / n : null, final_yield: n ? fin / n : null,
    };
  };
  const mine = results.filter((r) => !r.kind && r.id > after && Date.parse(r.started_at) / 1000 >= since);
  const names = [...new Set(mine.map((r) => r.cable))].sort();
  return { ...count(mine), cables: names.map((c) => ({ cable: c, ...count(mine.filter((r) => r.cable === c)) })), since: iso(since * 1000), shift_start: iso(shiftStart * 1000) };
}

function readBody(req) {
  return new Promise((resolve) => { let s = ''; req.on('data', (d) => (s += d)); req.on('end', () => resolve(s)); });
}

const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

async function handle(req, res, url) {
  const p = url.pathname;
  const q = url.searchParams;
  const reply = (code, body, headers = {}) => {
    const { schema, error } = api.responseSchema(req.method, p, code);
    if (error) violation(error);
    else if (schema) for (const e of api.validate(schema, body, `${req.method} ${p} ${code}`)) violation(e);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...SECURITY, ...headers });
    res.end(JSON.stringify(body));
  };
  const text = (code, body, type) => {
    const { error } = api.responseSchema(req.method, p, code, type.split(';')[0]);
    if (error) violation(error);
    res.writeHead(code, { 'Content-Type': type, 'Cache-Control': 'no-store', ...SECURITY });
    res.end(body);
  };
  // The request body the page sends, held to the operation's request schema.
  const body = async () => {
    const raw = await readBody(req);
    const b = raw ? JSON.parse(raw) : {};
    const schema = api.operation(req.method, p)?.op.requestBody?.content?.['application/json']?.schema;
    if (raw && schema) for (const e of api.validate(schema, b, `request ${req.method} ${p}`)) violation(e);
    return b;
  };

  if (p === '/mock/violations') return res.end(JSON.stringify(violations));
  if (p === '/mock/unplug' || p === '/mock/replug') {
    connected = p === '/mock/replug';
    send('device', connected ? { connected, device: status().device } : { connected, device: status().device, error: 'No such device' });
    send('status', status());
    return res.end(JSON.stringify({ connected }));
  }
  if (p === '/mock/trigger') {
    // A hands-free station: the plug's state as the trigger announces it.
    trigger = q.get('state') === 'off' ? null : q.get('state');
    if (trigger) send('state', { state: trigger, trigger: 'auto' });
    return res.end(JSON.stringify({ trigger }));
  }
  if (p === '/mock/hold') {
    held = q.get('on') !== '0';
    return res.end(JSON.stringify({ held }));
  }
  if (p === '/mock/queue') {
    queueScans = q.get('on') !== '0';
    return res.end(JSON.stringify({ queue_scans: queueScans }));
  }
  if (p === '/api/v1/status') return reply(200, status());
  if (p === '/api/v1/session') return reply(200, { token_required: false, authenticated: true });
  if (p === '/api/v1/profiles') return reply(200, apiProfiles());
  if (p === '/api/v1/demo' && req.method === 'GET') {
    return reply(200, { jig: 'trrs-4ch', current: scenario, scenarios: scenarios.map(([name, title]) => ({ name, title, description: `${title}, simulated`, cable: 'trrs-ctia-extension', current: name === scenario })) });
  }
  if (p === '/api/v1/demo' && req.method === 'PUT') {
    const b = await body();
    if (!scenarios.some(([n]) => n === b.scenario)) return reply(400, { error: `scenario: no scenario '${b.scenario}'` });
    if (running) return reply(409, { error: `the jig is busy with test ${running}`, test: running });
    scenario = b.scenario;
    return reply(200, { scenario, title: scenarios.find(([n]) => n === scenario)[1], cable: 'trrs-ctia-extension', device: status().device });
  }
  if (p === '/api/v1/events') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', ...SECURITY });
    res.write(`retry: 2000\nevent: status\ndata: ${JSON.stringify(status())}\n\n`);
    clients.add(res); req.on('close', () => clients.delete(res));
    return undefined;
  }
  if (p === '/api/v1/tests' && req.method === 'POST') {
    const b = await body();
    if (!connected) return reply(503, { error: 'no audio interface' });
    if (running && !(b.queue && queueScans)) return reply(409, { error: `the jig is busy with test ${running}`, test: running });
    const id = ++lastId;
    const cable = b.cable || 'trrs-ctia-extension';
    if (running) {
      queue.push({ id, serial: b.serial || null, cable });
      send('status', status());
      return reply(202, { id, state: 'queued', position: queue.length, location: `/api/v1/tests/${id}` }, { Location: `/api/v1/tests/${id}` });
    }
    runTest(id, b.serial || null, cable);
    return reply(202, { id, state: 'measuring', location: `/api/v1/tests/${id}` }, { Location: `/api/v1/tests/${id}` });
  }
  if (p === '/api/v1/tests') {
    const list = results.filter((r) => (!q.get('serial') || r.serial === q.get('serial'))
      && (!q.get('verdict') || r.verdict === q.get('verdict')) && (!q.get('cable') || r.cable === q.get('cable'))
      && (!q.get('kind') || (r.kind || 'test') === q.get('kind'))
      && (!q.get('since') || r.started_at >= q.get('since'))).slice(0, Number(q.get('limit') || 100));
    if (q.get('format') === 'csv' || (!q.get('format') && /text\/csv/.test(req.headers.accept || ''))) {
      const rows = list.map((r) => [r.id, r.started_at, r.serial ?? '', r.verdict, r.kind || 'test'].join(','));
      return text(200, ['id,started_at,serial,verdict,kind', ...rows].join('\r\n') + '\r\n', 'text/csv; charset=utf-8');
    }
    return reply(200, list);
  }
  if (p === '/api/v1/stats') {
    const since = q.get('since') ? Math.floor(Date.parse(q.get('since')) / 1000) : shiftStart;
    return reply(200, stats(since, q.get('since') ? 0 : shiftAfter));
  }
  if (p === '/api/v1/shift' && req.method === 'POST') {
    await body();
    shiftStart = Math.floor(Date.now() / 1000);
    shiftAfter = lastId;
    send('shift', { shift_start: iso(shiftStart * 1000) });
    return reply(200, { shift_start: iso(shiftStart * 1000) });
  }
  if (p === '/api/v1/flex' && req.method === 'POST') {
    const b = await body();
    if (running) return reply(409, { error: `the jig is busy with test ${running}`, test: running });
    const id = ++lastId;
    const seconds = b.seconds ?? 60;
    runFlex(id, b.serial ?? null, b.cable || 'trrs-ctia-extension', seconds);
    return reply(202, { id, state: 'measuring', seconds, location: '/api/v1/flex' });
  }
  if (p === '/api/v1/flex' && req.method === 'GET') {
    if (flex) return reply(200, { id: flex.id, kind: 'flex', state: 'flexing', seconds: flex.seconds, elapsed_s: (Date.now() - flex.t0) / 1000, flex: flexSummary(flex) });
    const last = results.find((r) => r.kind === 'flex');
    return last ? reply(200, { ...last, state: 'done' }) : reply(404, { error: 'no flex session yet' });
  }
  if (p === '/api/v1/flex' && req.method === 'DELETE') {
    if (!flex) return reply(409, { error: 'no flex session is running' });
    return reply(200, endFlex('stopped'));
  }
  const m = p.match(/^\/api\/v1\/tests\/(\d+)(\/capture\.wav)?$/);
  if (m) {
    const id = Number(m[1]);
    const r = results.find((x) => x.id === id);
    if (!r && (running === id || queue.some((x) => x.id === id))) return reply(202, { id, state: running === id ? state : 'measuring' });
    if (!r) return reply(404, { error: 'no such test' });
    if (!m[2]) return reply(200, r);
    if (r.verdict !== 'fail') return reply(404, { error: 'no capture for a passed test' });
    return text(200, Buffer.alloc(44), 'audio/wav');
  }
  if (p.startsWith('/api/')) return reply(404, { error: 'no such API route' });
  const file = path.join(webRoot, p === '/' ? 'index.html' : path.normalize(p).replace(/^([/\\])+/, ''));
  if (!file.startsWith(webRoot) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    return res.end('{"error":"not found"}');
  }
  res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream', ...SECURITY });
  fs.createReadStream(file).pipe(res);
  return undefined;
}

const server = http.createServer((req, res) => {
  handle(req, res, new URL(req.url, 'http://x')).catch((err) => {
    violation(`${req.method} ${req.url}: the mock failed: ${err.message}`);
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: err.message }));
  });
});

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/`);
});
