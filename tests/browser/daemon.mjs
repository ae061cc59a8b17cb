// The real tonewired on the simulated jig, for the browser tests: a free port,
// a temporary state folder, and a folder of scenarios for the per-contact TRRS
// jig (trrs-4ch), so every conductor has its own tone and a crossed pair shows
// as crossed lines: a few of its own (fast pace), or the repository's demo cables
// (sim/scenarios/demo/, as `make demo` offers them).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDir, daemonBinary, freePort, sourceDir } from './lib.mjs';

export const demoDir = path.join(sourceDir, 'sim', 'scenarios', 'demo');

const INTERFACE = `[interface]
latency_frames = 173
noise_dbfs = -100
hum_hz = 50
hum_dbfs = -110
pace = fast
`;

function scenario(title, wires, extra = '') {
  return `; title: ${title}
; cable: trrs-ctia-extension
[scenario]
jig = trrs-4ch
rate = 48000

${INTERFACE}${extra}
[cable]
${wires.map((w) => `wire = ${w}`).join('\n')}
`;
}

const STRAIGHT = ['A.T B.T', 'A.R1 B.R1', 'A.R2 B.R2', 'A.S B.S'];
export const SCENARIOS = {
  straight: scenario('Good cable (straight)', STRAIGHT),
  'ctia-omtp': scenario('CTIA ↔ OMTP (ground and mic swapped)', ['A.T B.T', 'A.R1 B.R1', 'A.R2 B.S', 'A.S B.R2']),
  'lr-swap': scenario('Left/right swapped', ['A.T B.R1', 'A.R1 B.T', 'A.R2 B.R2', 'A.S B.S']),
  'open-ground': scenario('Open ground', ['A.T B.T', 'A.R1 B.R1', 'A.S B.S']),
};

async function waitFor(fn, what, ms, log, every = 100) {
  const until = Date.now() + ms;
  let last;
  while (Date.now() < until) {
    try {
      if (await fn()) return;
    } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`${what} within ${ms} ms${last ? ` (${last.message})` : ''}\n${log()}`);
}

// token: the station's [http] token (its own requests here then carry it).
// station: more [station] keys (a station on a line: id, line…); extra: more sections ([fleet]).
// demos: 'repo' for the repository's demo cables instead of this file's scenarios.
export async function startDaemon({ token = '', station = '', extra = '', demos = 'test' } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tonewire-browser-'));
  const scen = path.join(dir, 'scenarios');
  fs.mkdirSync(scen);
  fs.mkdirSync(path.join(dir, 'state'));
  const texts = demos === 'repo'
    ? Object.fromEntries(fs.readdirSync(demoDir).filter((f) => f.endsWith('.conf'))
      .map((f) => [f.slice(0, -5), fs.readFileSync(path.join(demoDir, f), 'utf8')]))
    : SCENARIOS;
  const first = demos === 'repo' ? Object.keys(texts).sort()[0] : 'straight';
  for (const [name, text] of Object.entries(texts)) fs.writeFileSync(path.join(scen, `${name}.conf`), text);
  const port = await freePort();
  const config = path.join(dir, 'tonewired.conf');
  fs.writeFileSync(config, `[station]
device = tonewire_sim:${path.join(scen, `${first}.conf`)}
cable = trrs-ctia-extension
demo_dir = ${scen}
${station}
[http]
address = 127.0.0.1
port = ${port}
${token ? `token = ${token}` : ''}

[store]
path = ${path.join(dir, 'state', 'results.db')}
capture_dir = ${path.join(dir, 'state', 'captures')}
${extra}`);
  const env = { ...process.env, STATE_DIRECTORY: path.join(dir, 'state') };
  const simConf = path.join(buildDir, 'sim', 'tonewire_sim.conf');
  if (!env.ALSA_CONFIG_PATH && fs.existsSync(simConf)) env.ALSA_CONFIG_PATH = `/usr/share/alsa/alsa.conf:${simConf}`;
  const child = spawn(daemonBinary, ['--config', config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const log = () => `--- tonewired log ---\n${out.slice(-4000)}`;
  const url = `http://127.0.0.1:${port}/`;
  const auth = token ? { Authorization: `Bearer ${token}` } : {};
  const status = async () => (await fetch(`${url}api/v1/status`, { headers: auth })).json();
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`tonewired exited with ${child.exitCode}`);
    return (await status()).connected === true;
  }, 'tonewired did not come up with its device', 20000, log);

  // Another simulated cable in the jig, and only then back to the test: the station
  // reopens its device on it and measures the round trip before it is ready (a test
  // asked for in between finds no signal).
  const put = async (name) => {
    const r = await fetch(`${url}api/v1/demo`, { method: 'PUT', headers: { 'Content-Type': 'application/json', ...auth }, body: JSON.stringify({ scenario: name }) });
    if (!r.ok) throw new Error(`PUT /api/v1/demo ${name}: ${r.status} ${await r.text()}`);
  };
  const ready = (name) => waitFor(async () => {
    const s = await status();
    return s.scenario === name && s.connected === true && typeof s.latency_frames === 'number';
  }, `the station was not ready on scenario ${name}`, 20000, log);
  // Unplugging: the scenario the station is using now says the interface is
  // gone (written whole, then renamed into place, as an editor would), and the
  // station is pointed at it again so it reopens the device.
  const current = path.join(scen, `${first}.conf`);
  const rewrite = (text) => {
    fs.writeFileSync(`${current}.tmp`, text);
    fs.renameSync(`${current}.tmp`, current);
  };
  return {
    url, kind: 'daemon', log, dir, auth, first,
    async select(name) {
      await put(name);
      await ready(name);
    },
    async unplug() {
      // Back on the first cable, and ready (the round trip measured: a switch refused
      // while the station measures it would be a 409), then that cable's interface goes.
      await put(first);
      await ready(first);
      rewrite(texts[first].replace('[interface]\n', '[interface]\nunplugged = true\n'));
      await put(first);
      await waitFor(async () => (await status()).connected === false, 'the station did not notice the unplugged interface', 20000, log);
    },
    // The status, asked every `every` ms until ready(status) holds; that status.
    async statusUntil(ready, what, every = 100) {
      let last;
      await waitFor(async () => ready(last = await status()), `the station did not reach ${what}`, 30000, log, every);
      return last;
    },
    async replug() {
      rewrite(texts[first]);
      await waitFor(async () => (await status()).connected === true, 'the station did not find the interface again', 20000, log);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(t);
      }
      if (!process.env.TONEWIRE_KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
