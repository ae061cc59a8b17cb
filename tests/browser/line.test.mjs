// A station on a line (issue 17) in the browser: a real PostgreSQL (tests/e2e/pglib.py) with a
// week of generated results from three stations (tests/e2e/line_data.py), and a real tonewired as
// a fourth station on the simulator. The operator logs in at the dashboard, a test's result
// carries the traceability and links its certificate; the certificate is printed to PDF on A4 and
// on Letter and the PDF's text is checked (pdftotext); a retest asks first; the Line page shows
// every view. Screenshots go to build/browser-screenshots (the README's come from here).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launch, screenshot, shotDir, sourceDir } from './lib.mjs';
import { startDaemon } from './daemon.mjs';

const PGLIB = path.join(sourceDir, 'tests', 'e2e', 'pglib.py');
const SEED = path.join(sourceDir, 'tests', 'e2e', 'line_data.py');

// The database lives as long as pglib.py's stdin stays open.
function startPostgres() {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [PGLIB, 'serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^(postgresql:\/\/\S+)\n/.exec(out);
      if (m) resolve({ url: m[1], stop: () => new Promise((r) => { child.once('exit', r); child.stdin.end(); }) });
    });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => reject(new Error(`pglib.py serve exited with ${code}: ${err}`)));
  });
}

// The printed text in content-stream order: a value wrapped over two lines stays in one piece.
function pdfText(file) {
  const r = spawnSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function pdfInfo(file) {
  const r = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Object.fromEntries(r.stdout.split('\n').filter(Boolean).map((l) => [l.split(':')[0], l.slice(l.indexOf(':') + 1).trim()]));
}

describe('a station on a line', () => {
  let pg, station, browser, page, testId;

  before(async () => {
    pg = await startPostgres();
    station = await startDaemon({
      station: 'id = S4\nline = L1\nmax_fails_per_serial = 3\n',
      extra: `\n[fleet]\npostgres = ${pg.url}\n`,
    });
    // The station made the schema when it connected; the other three stations' week goes in next.
    // Waited for (asked again every 100 ms), and a station that never connects fails here, not later.
    let connected = false;
    for (let i = 0; i < 100 && !connected; i++) {
      connected = Boolean((await (await fetch(`${station.url}api/v1/status`)).json()).fleet?.connected);
      if (!connected) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(connected, `the station did not connect to the line database:\n${station.log()}`);
    const seed = spawnSync('python3', [SEED, pg.url, '--results', '3000', '--days', '7'], { encoding: 'utf8' });
    assert.equal(seed.status, 0, seed.stderr);
    browser = await launch({ width: 1360, height: 900 });
    page = browser.page;
  });

  after(async () => {
    if (browser) await browser.close();
    if (station) await station.stop();
    if (pg) await pg.stop();
  });

  it('logs the operator in at the dashboard, and the result carries who, where and with what', async () => {
    await page.goto(station.url);
    await page.waitForSelector('#operator-box:not([hidden]) #op-form');
    await page.fill('#op-name', 'Ann Example');
    await page.press('#op-name', 'Enter');
    await page.waitForSelector('#op-who:not([hidden])');
    assert.match(await page.textContent('#op-who'), /Ann Example/);
    assert.ok(await page.isVisible('#line-link'), 'a station with a line database links the Line page');
    await page.selectOption('#cable', 'trrs-ctia-extension');
    await page.fill('#serial', 'CERT-0001');
    await page.press('#serial', 'Enter');
    await page.waitForSelector('.verdict.v-pass', { timeout: 60000 });
    const trace = await page.textContent('#trace');
    assert.match(trace, /station S4 \(line L1\)/);
    assert.match(trace, /operator Ann Example/);
    assert.match(trace, /tonewire \d+\.\d+\.\d+/);
    const href = await page.getAttribute('#trace a', 'href');
    testId = Number(/\/api\/v1\/tests\/(\d+)\/certificate/.exec(href)[1]);
    assert.ok(testId > 0);
    await screenshot(page, 'line-01-dashboard-operator');
  });

  it('asks before testing a serial that already passed, and tests it once confirmed', async () => {
    let asked = '';
    page.once('dialog', async (d) => { asked = d.message(); await d.accept(); });
    await page.fill('#serial', 'CERT-0001');
    await page.press('#serial', 'Enter');
    await page.waitForFunction(() => !document.querySelector('#start').disabled && /PASS/.test(document.querySelector('.verdict .v-word').textContent), null, { timeout: 60000 });
    assert.match(asked, /CERT-0001 already passed \(test #\d+/);
    const hist = await (await fetch(`${station.url}api/v1/tests?serial=CERT-0001`)).json();
    assert.equal(hist.length, 2, 'tested again once confirmed');
    // Declined: nothing runs.
    page.once('dialog', (d) => d.dismiss());
    await page.fill('#serial', 'CERT-0001');
    await page.press('#serial', 'Enter');
    await page.waitForFunction(() => /not tested again/.test(document.querySelector('#run-msg').textContent));
    assert.equal((await (await fetch(`${station.url}api/v1/tests?serial=CERT-0001`)).json()).length, 2);
    // Chromium logs each refused POST (428) as a failed load: those two, and nothing else.
    assert.deepEqual(browser.problems, Array(2).fill('console: Failed to load resource: the server responded with a status of 428 (Precondition Required)'));
    browser.problems.length = 0;
  });

  it('prints the certificate on A4 and on Letter with everything a customer needs on it', async () => {
    const result = await (await fetch(`${station.url}api/v1/tests/${testId}`)).json();
    assert.match(result.profile_sha256, /^[0-9a-f]{64}$/);
    await page.goto(`${station.url}api/v1/tests/${testId}/certificate?paper=A4`);
    await page.waitForSelector('body[data-ready="1"] #cert-verdict');
    assert.equal(await page.textContent('#cert-verdict'), 'PASS');
    assert.ok(await page.locator('.cert-pinout svg path.wire').count() >= 4, 'the pinout is drawn');
    await screenshot(page, 'line-02-certificate', { fullPage: true });
    for (const [paper, size] of [['A4', /^59\d(\.\d+)? x 84\d(\.\d+)? pts \(A4\)/], ['letter', /^612 x 792 pts \(letter\)/]]) {
      await page.selectOption('#paper', paper);
      await page.emulateMedia({ media: 'print' });
      const file = path.join(shotDir, `certificate-${paper}.pdf`);
      fs.mkdirSync(shotDir, { recursive: true });
      await page.pdf({ path: file, preferCSSPageSize: true, printBackground: true });
      await page.emulateMedia({ media: 'screen' });
      const info = pdfInfo(file);
      assert.equal(info.Pages, '1', `${paper}: one page`);
      assert.match(info['Page size'], size, `${paper}: ${info['Page size']}`);
      const text = pdfText(file).replace(/\s+/g, ' ');
      for (const want of [/Cable test certificate/, /PASS/, /Serial number CERT-0001/, /trrs-ctia-extension/,
        /Station S4, line L1/, /Operator Ann Example/, /tonewire \d+\.\d+\.\d+/, /Calibration none/,
        /Measured values against the limits/, /Level deviation/, /Crosstalk/, /Signal-to-noise ratio/,
        /Definitions \(SHA-256\)/, /unchanged since the test/, /Tested by: Ann Example/,
        /Near end \(A\)/, new RegExp(`Certificate S4-${testId}`)]) {
        assert.match(text, want, `${paper}: ${want} on the printed page`);
      }
      assert.ok(text.replace(/ /g, '').includes(result.profile_sha256), `${paper}: the whole fingerprint is printed`);
      assert.doesNotMatch(text, /Print|Dashboard/, 'the toolbar is not printed');
    }
  });

  it('shows the line: yield, Pareto, retests, control charts, calibrations, stations, a serial', async () => {
    await page.goto(`${station.url}line.html?serial=CERT-0001`);
    await page.waitForSelector('body[data-ready="1"]');
    await page.waitForSelector('#serial-tests tbody tr td a');
    assert.equal(await page.isVisible('#ln-banner'), false, await page.textContent('#ln-banner'));
    const stationRows = await page.locator('#yield-station tbody tr').allTextContents();
    for (const s of ['S1', 'S2', 'S3', 'S4']) assert.ok(stationRows.some((r) => r.startsWith(s)), `${s} in the yield table`);
    assert.ok(stationRows.every((r) => /\d+\.\d %.*\d+\.\d %/.test(r)), 'first-pass and final yield');
    assert.ok(await page.locator('#yield-shift tbody tr').count() >= 3, 'three shifts');
    assert.ok(await page.locator('#pareto rect.bar').count() >= 5, 'the Pareto has its bars');
    assert.equal(await page.getAttribute('#pareto rect.bar >> nth=0', 'data-code'), 'lr_swap', 'most frequent first');
    assert.match(await page.textContent('#retest-note'), /\d+ serials tested more than once/);
    assert.ok(await page.locator('#retests tbody tr').count() > 5);
    await page.selectOption('#spc-cable', 'trs-3.5-extension');
    await page.waitForSelector('#spc .spc-row[data-station="S2"] svg');
    assert.ok(await page.locator('#spc .spc-row[data-station="S2"] circle.ooc').count() > 0, 'the worn socket of S2 is out of control');
    assert.equal(await page.locator('#spc .spc-row').count(), 2, 'S1 and S2 test that cable');
    assert.ok(await page.locator('#calibrations tbody tr').count() >= 6);
    assert.match(await page.textContent('#stations'), /S4 \(this one\)/);
    assert.match(await page.textContent('#serial-note'), /CERT-0001: 2 tests \(2 pass/);
    const shot = await screenshot(page, 'line-03-line-view', { fullPage: true });
    assert.ok(fs.statSync(shot).size > 50000);
    assert.deepEqual(browser.problems, []);
    assert.deepEqual(browser.offsite, []);
  });
});
