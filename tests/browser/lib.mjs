// Shared by the browser tests: Debian's Chromium through playwright-core, a
// station to talk to (the real tonewired on the simulator, or the mock), and
// screenshots under the build directory.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceDir = path.resolve(here, '../..');
export const buildDir = path.resolve(process.env.TONEWIRE_BUILD_DIR || path.join(sourceDir, 'build'));
export const shotDir = path.join(buildDir, 'browser-screenshots');

// Sound without a click first: the tests check that the page plays its tones.
const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--autoplay-policy=no-user-gesture-required'];

// A fresh profile every time: nothing remembered from an earlier run (localStorage, cache).
export async function launch({ width = 1280, height = 800 } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tonewire-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width, height },
    acceptDownloads: true,
  });
  // A Content-Security-Policy violation is a script error too (the station's policy is strict).
  await context.addInitScript(() => document.addEventListener('securitypolicyviolation',
    (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)));
  const page = context.pages()[0] || await context.newPage();
  const problems = [];
  const offsite = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (!['127.0.0.1', 'localhost'].includes(u.hostname) && !['data:', 'blob:'].includes(u.protocol)) offsite.push(r.url());
  });
  return {
    context, page, problems, offsite,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page, name, opts = {}) {
  fs.mkdirSync(shotDir, { recursive: true });
  const file = path.join(shotDir, `${name}.png`);
  await page.screenshot({ path: file, ...opts });
  return file;
}

// The README's screenshots: taken on every run (under the build directory), and written
// over docs/NAME.png when TONEWIRE_DOCS_SCREENSHOTS=1 (then committed).
export async function docShot(page, name, opts = {}) {
  const file = process.env.TONEWIRE_DOCS_SCREENSHOTS === '1'
    ? path.join(sourceDir, 'docs', `${name}.png`) : path.join(shotDir, `docs-${name}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, ...opts });
  return file;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url, child, log, ms = 20000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the station exited with ${child.exitCode}:\n${log()}`);
    try {
      const r = await fetch(`${url}api/v1/status`);
      if (r.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the station did not answer within ${ms} ms:\n${log()}`);
}

function spawnLogged(cmd, args, opts) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  return { child, log: () => out.slice(-4000) };
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(t);
}

// The mock daemon (tests/browser/mock-server.mjs): fast, canned answers.
export async function startMock() {
  const port = await freePort();
  const { child, log } = spawnLogged(process.execPath, [path.join(here, 'mock-server.mjs'), String(port)], {});
  const url = `http://127.0.0.1:${port}/`;
  await waitReady(url, child, log);
  return {
    url, kind: 'mock', log,
    async unplug() { await fetch(`${url}mock/unplug`); },
    async replug() { await fetch(`${url}mock/replug`); },
    async queueScans(on) { await fetch(`${url}mock/queue?on=${on ? 1 : 0}`); },
    // Held, the test on the jig does not finish until released: what happens meanwhile does
    // not depend on how fast this machine is.
    async hold(on) { await fetch(`${url}mock/hold?on=${on ? 1 : 0}`); },
    async trigger(state) { await fetch(`${url}mock/trigger?state=${state}`); },
    // What the mock answered, sent or was sent that docs/openapi.json does not allow.
    async violations() { return (await fetch(`${url}mock/violations`)).json(); },
    stop: () => stop(child),
  };
}

export const daemonBinary = path.join(buildDir, 'daemon', 'tonewired');
