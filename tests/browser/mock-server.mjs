// A stand-in for tonewired: serves web/ and canned API answers (including SSE),
// so the dashboard can be developed and smoke-tested without audio hardware.
// Usage: node mock-server.mjs [port]   (prints "listening on http://127.0.0.1:PORT/")
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const webRoot = path.resolve(here, '../../web');

// The repository's own profiles when present (so every connector can be drawn),
// else a few built-in ones.
function readProfiles(kind) {
  const dir = path.resolve(here, '../../profiles', kind);
  if (!fs.existsSync(dir)) return null;
  return fs.readdirSync(dir).filter((f) => f.endsWith('.conf')).sort().map((f) => {
    const o = {};
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      const m = line.replace(/\s[;#].*$/, '').match(/^\s*([\w]+)\s*=\s*(.*?)\s*$/);
      if (m && !(m[1] in o) && !/^\d+$/.test(m[1])) o[m[1]] = m[2];
    }
    for (const k of ['contacts', 'roles']) if (o[k]) o[k] = o[k].split(/\s+/);
    return o;
  });
}

const builtinConnectors = [
  { name: 'trrs-3.5-ctia', description: '3.5 mm TRRS headset plug, CTIA', contacts: ['T', 'R1', 'R2', 'S'], roles: ['L', 'R', 'G', 'MIC'] },
  { name: 'trrs-3.5-omtp', description: '3.5 mm TRRS headset plug, OMTP', contacts: ['T', 'R1', 'R2', 'S'], roles: ['L', 'R', 'MIC', 'G'] },
  { name: 'trs-3.5', description: '3.5 mm TRS stereo plug', contacts: ['T', 'R', 'S'], roles: ['L', 'R', 'G'] },
  { name: 'xlr3', description: 'XLR 3-pin', contacts: ['1', '2', '3'], roles: ['SHIELD', '+', '-'] },
  { name: '2pin-0.78', description: '0.78 mm 2-pin IEM', contacts: ['+', '-'], roles: ['+', '-'] },
  { name: 'rca', description: 'RCA phono', contacts: ['T', 'S'], roles: ['SIG', 'GND'] },
];
const builtinCables = [
  { name: 'trrs-ctia-extension', description: 'TRRS CTIA headset extension, 1 m', end_a: 'trrs-3.5-ctia', end_b: 'trrs-3.5-ctia' },
  { name: 'trs-stereo', description: '3.5 mm stereo cable', end_a: 'trs-3.5', end_b: 'trs-3.5' },
  { name: 'xlr-mic', description: 'XLR microphone cable', end_a: 'xlr3', end_b: 'xlr3' },
  { name: 'iem-2pin', description: 'IEM cable, TRS to two 2-pin plugs', end_a: 'trs-3.5', end_b: 'left:2pin-0.78 right:2pin-0.78' },
];
const connectors = readProfiles('connectors') || builtinConnectors;
const cables = readProfiles('cables') || builtinCables;
const builtinJigs = [{ name: 'trrs-4ch', description: 'TRRS socket A driven per contact, TRRS socket B sensed per contact', socket_a: 'trrs-3.5-ctia', socket_b: 'trrs-3.5-ctia' }];
const jigs = (readProfiles('jigs') || builtinJigs).map(({ name, description, socket_a, socket_b }) => ({ name, description, socket_a, socket_b }));

const scenarios = [
  ['straight', 'Good cable (straight)'], ['lr-swap', 'Left/right swapped'], ['polarity', 'Polarity inverted'],
  ['ctia-omtp', 'CTIA ↔ OMTP'], ['open-ground', 'Open ground'], ['short', 'Short L–R'], ['high-resistance', 'High resistance'],
];
let scenario = 'straight';
let connected = true;
let state = 'idle';
let running = null;
let xruns = 0;
const results = [];
const clients = new Set();
const started = Date.now();

// The shapes tonewired answers with: contacts as [{name, role}], cable ends
// also as plugs, jig sockets as {a, b}.
function apiProfiles() {
  const plugs = (end) => end.split(/\s+/).map((p) => (p.includes(':') ? { label: p.split(':')[0], connector: p.split(':')[1] } : { label: '', connector: p }));
  const jig = jigs.find((j) => j.name === 'trrs-4ch') || jigs[0];
  return {
    jig: jig.name,
    connectors: connectors.map(({ name, description, contacts, roles }) => ({ name, description, contacts: contacts.map((c, i) => ({ name: c, role: roles[i] })) })),
    cables: cables.map(({ name, description, end_a, end_b }) => ({
      name, description, end_a, end_b, plugs_a: plugs(end_a), plugs_b: plugs(end_b),
      fits_jig: end_a === jig.socket_a && end_b === jig.socket_b,
    })),
    jigs: jigs.map(({ name, description, socket_a, socket_b }) => ({ name, description, sockets: { a: socket_a, b: socket_b }, station: name === jig.name })),
  };
}

function status() {
  return {
    state, test: running, device: `tonewire_sim:/mock/scenarios/${scenario}.conf`, connected,
    ...(connected ? {} : { device_error: 'No such device' }), jig: 'trrs-4ch',
    rate: 48000, latency_frames: 173.25, latency_ms: 3.61, xruns, uptime_s: Math.round((Date.now() - started) / 1000), version: '0.1.0-mock',
  };
}

function send(event, data) {
  const msg = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  for (const res of clients) res.write(msg);
}

const contacts = ['T', 'R1', 'R2', 'S'];
function makeResult(id, serial, cable) {
  const straight = { T: ['T'], R1: ['R1'], R2: ['R2'], S: ['S'] };
  let reach = straight, faults = [], pol = { L: 'normal', R: 'normal' }, hr = null;
  switch (scenario) {
    case 'lr-swap': reach = { T: ['R1'], R1: ['T'], R2: ['R2'], S: ['S'] };
      faults = [{ code: 'lr_swap', contacts: ['A.T', 'A.R1'], summary: 'Left and right are swapped (A.T, A.R1)', confidence: 0.99 }]; break;
    case 'polarity': pol.L = 'inverted';
      faults = [{ code: 'polarity_inverted', contacts: ['A.T'], channel: 'L', summary: 'Left polarity inverted', confidence: 0.97 }]; break;
    case 'ctia-omtp': reach = { T: ['T'], R1: ['R1'], R2: ['S'], S: ['R2'] };
      faults = [{ code: 'ctia_omtp_mismatch', contacts: ['A.R2', 'A.S'], summary: 'Ground and microphone are swapped (CTIA/OMTP)', confidence: 0.98 }]; break;
    case 'open-ground': reach = { T: ['T'], R1: ['R1'], R2: [], S: ['S'] };
      faults = [{ code: 'open', contacts: ['A.R2', 'B.R2'], summary: 'A.R2 is open', confidence: 0.99 }]; break;
    case 'short': reach = { T: ['T', 'R1'], R1: ['R1', 'T'], R2: ['R2'], S: ['S'] };
      faults = [{ code: 'short', contacts: ['B.T', 'B.R1'], summary: 'B.T shorted to B.R1', confidence: 0.95, ohms: 0.5 }]; break;
    case 'high-resistance': hr = 'R2';
      faults = [{ code: 'high_resistance', contacts: ['A.R2', 'B.R2'], summary: 'A.R2 high resistance', confidence: 0.9, ohms: 12.4 }]; break;
  }
  const gain = (a, b) => (reach[a].includes(b) ? (reach[a].length > 1 ? 0.5 : (hr === a ? 0.89 : 0.998)) : 0);
  const db = (g) => (g > 0 ? 20 * Math.log10(g) : -110 - Math.random() * 10);
  const r3 = (x) => Math.round(x * 1000) / 1000;
  return {
    id, serial, cable, jig: 'trrs-4ch', started_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    verdict: faults.length ? 'fail' : 'pass', faults,
    wiring: contacts.map((a) => ({ from: `A.${a}`, to: reach[a].map((b) => `B.${b}`), gain: reach[a].length ? gain(a, reach[a][0]) : 0, gains: reach[a].map((b) => gain(a, b)) })),
    channels: ['L', 'R'].map((n) => ({ name: n, level_db: r3(scenario === 'short' ? -6.02 : -0.02), phase_deg: pol[n] === 'inverted' ? 179.8 : 0.1, polarity: pol[n], crosstalk_db: scenario === 'short' ? -0.1 : -96, snr_db: 88, mono_ratio_db: scenario === 'ctia-omtp' ? -42 : 0 })),
    matrix: {
      inputs: contacts.map((c) => `B.${c}`), outputs: contacts.map((c) => `A.${c}`),
      gain_db: contacts.map((b) => contacts.map((a) => r3(db(gain(a, b))))),
      phase_deg: contacts.map((b) => contacts.map((a) => (scenario === 'polarity' && a === 'T' && b === 'T' ? 179.8 : 0.1))),
      snr_db: contacts.map((b) => contacts.map((a) => (gain(a, b) > 0 ? 88 : 0))),
    },
    timing_ms: { total: 1210, acquire: 1100, analyze: 3.1 }, latency_frames: 173,
  };
}

function runTest(serial, cable) {
  const id = results.length ? results[0].id + 1 : 1;
  running = id; state = 'measuring';
  send('state', { state, test: id }); send('status', status());
  let t = 0;
  const timer = setInterval(() => {
    t++;
    send('levels', { inputs: contacts.map((c) => `B.${c}`), dbfs: contacts.map((_, i) => -12 - i * 3 + Math.random() * 2) });
    if (t === 8) { state = 'analysing'; send('state', { state, test: id }); }
    if (t >= 10) {
      clearInterval(timer);
      const r = makeResult(id, serial, cable);
      results.unshift(r);
      running = null; state = 'done';
      send('state', { state, test: id }); send('result', r); send('status', status());
    }
  }, 100);
  return id;
}

function json(res, code, body, headers = {}) {
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req) {
  return new Promise((resolve) => { let s = ''; req.on('data', (d) => (s += d)); req.on('end', () => resolve(s)); });
}

const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  if (p === '/api/v1/status') return json(res, 200, status());
  if (p === '/api/v1/profiles') return json(res, 200, apiProfiles());
  if (p === '/api/v1/demo' && req.method === 'GET') return json(res, 200, { jig: 'trrs-4ch', current: scenario, scenarios: scenarios.map(([name, title]) => ({ name, title, cable: 'trrs-ctia-extension', current: name === scenario })) });
  if (p === '/api/v1/demo' && req.method === 'PUT') {
    const b = JSON.parse((await readBody(req)) || '{}');
    if (!scenarios.some(([n]) => n === b.scenario)) return json(res, 400, { error: `unknown scenario "${b.scenario}"` });
    scenario = b.scenario;
    return json(res, 200, { scenario, title: scenarios.find(([n]) => n === scenario)[1], cable: 'trrs-ctia-extension', device: status().device });
  }
  if (p === '/mock/unplug' || p === '/mock/replug') {
    connected = p === '/mock/replug';
    send('device', connected ? { connected, device: status().device } : { connected, device: status().device, error: 'No such device' });
    send('status', status());
    return json(res, 200, { connected });
  }
  if (p === '/api/v1/events') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(`event: status\ndata: ${JSON.stringify(status())}\n\n`);
    clients.add(res); req.on('close', () => clients.delete(res));
    return;
  }
  if (p === '/api/v1/tests' && req.method === 'POST') {
    if (running) return json(res, 409, { error: `the jig is busy with test ${running}`, test: running });
    if (!connected) return json(res, 503, { error: 'no audio interface' });
    const b = JSON.parse((await readBody(req)) || '{}');
    const id = runTest(b.serial || null, b.cable || 'trrs-ctia-extension');
    return json(res, 202, { id, state: 'measuring' }, { Location: `/api/v1/tests/${id}` });
  }
  if (p === '/api/v1/tests') {
    const q = url.searchParams;
    let list = results.filter((r) => (!q.get('serial') || (r.serial || '').includes(q.get('serial')))
      && (!q.get('verdict') || r.verdict === q.get('verdict')) && (!q.get('cable') || r.cable === q.get('cable'))
      && (!q.get('since') || r.started_at >= q.get('since')));
    return json(res, 200, list.slice(0, Number(q.get('limit') || 100)));
  }
  let m = p.match(/^\/api\/v1\/tests\/(\d+)(\/capture\.wav)?$/);
  if (m) {
    const r = results.find((x) => x.id === Number(m[1]));
    if (!r) return json(res, 404, { error: 'no such test' });
    if (!m[2]) return json(res, 200, r);
    if (r.verdict !== 'fail') return json(res, 404, { error: 'no capture for a passed test' });
    res.writeHead(200, { 'Content-Type': 'audio/wav' }); return res.end(Buffer.alloc(44));
  }
  if (p.startsWith('/api/')) return json(res, 404, { error: 'not found' });
  const file = path.join(webRoot, p === '/' ? 'index.html' : path.normalize(p).replace(/^([/\\])+/, ''));
  if (!file.startsWith(webRoot) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return json(res, 404, { error: 'not found' });
  res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/`);
});
