// The dashboard against the real station on the simulator, with the repository's demo
// cables, seen at once on a desktop (1280×800) and on a phone (360×740): a scan → PASS;
// every demo cable's verdict, fault sentence, channel table and wiring diagram agree with
// the stored result on both screens; the kiosk view is readable from 3 m and clears for
// the next cable; a flex session on the intermittent cable; the history with its kind
// column and the station's CSV (the same bytes as the CLI's, formulas neutralised); the
// shift counters from the station on every screen; unplug → banner; replug → back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildDir, docShot, launch, screenshot } from './lib.mjs';
import { startDaemon } from './daemon.mjs';
import { checkAgreement } from './agree.mjs';

const VERDICT = '.verdict.v-pass, .verdict.v-fail, .verdict.v-error';
const CLI = path.join(buildDir, 'cli', 'tonewire');

// Legibility at 3 m: eyes with 20/20 acuity resolve letters that subtend 5 arcmin,
// 3000 mm × tan(5′) = 4.4 mm of cap height; a system sans's capitals are about 0.7 of
// its font size, and CSS has 96 px to the inch (25.4 mm).
const CAP_MM = 3000 * Math.tan((5 / 60) * (Math.PI / 180));
const LEGIBLE_PX = ((CAP_MM / 0.7) / 25.4) * 96;

// A CSV's rows as arrays of cells (RFC 4180: quoted cells, "" inside them).
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += ch;
  }
  return rows;
}

describe('dashboard on the simulated station, desktop and phone', { timeout: 280000 }, () => {
  let station;
  let desk;
  let phone;
  let page;
  const api = async (p, opts = {}) => {
    const r = await fetch(`${station.url}${p.replace(/^\//, '')}`, opts);
    return r.headers.get('content-type')?.includes('json') ? r.json() : r.text();
  };
  const post = (serial) => api('/api/v1/tests?wait=1', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ cable: 'trrs-ctia-extension', serial }),
  });
  const newest = async () => (await api('/api/v1/tests?kind=test&limit=1'))[0];

  before(async () => {
    station = await startDaemon({ demos: 'repo' });
    desk = await launch({ width: 1280, height: 800 });
    phone = await launch({ width: 360, height: 740 });
    page = desk.page;
    for (const p of [desk.page, phone.page]) {
      await p.goto(station.url);
      await p.waitForSelector('body[data-ready]');
    }
  });

  after(async () => {
    if (desk) await desk.close();
    if (phone) await phone.close();
    if (station) await station.stop();
  });

  it('shows a connected station, ready for a scan, with nothing hidden showing', async () => {
    await page.waitForSelector('#st-conn.ok');
    assert.match(await page.textContent('#st-conn'), /connected/);
    assert.match(await page.textContent('#st-rate'), /kHz/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'serial', 'the serial field has the focus for the scanner');
    await page.waitForSelector('#demo:not([hidden]) #demo-choices button');
    const demos = (await api('/api/v1/demo')).scenarios.map((s) => s.name);
    assert.ok(demos.length >= 8 && demos.some((n) => /intermittent/.test(n)), demos.join(', '));
    assert.equal(await page.locator('#demo-choices button').count(), demos.length);
    assert.match(await page.textContent('.verdict .v-word'), /READY/);
    // Idle: no Stop button (a 409 and a stuck "stopping…" once), and every element the
    // page hides is really out of sight, whatever its class says.
    assert.equal(await page.isVisible('#flex-stop'), false, 'Stop is hidden while no flex test runs');
    const shown = await page.$$eval('[hidden]', (els) => els.filter((e) => getComputedStyle(e).display !== 'none').map((e) => e.id || e.className));
    assert.deepEqual(shown, [], 'hidden elements that still display');
    await screenshot(page, 'dashboard-01-ready');
  });

  it('scan a serial (type, Enter) → PASS, with its sound, counted by the station', async () => {
    await page.selectOption('#cable', 'trrs-ctia-extension');
    assert.equal(await page.evaluate(() => localStorage.getItem('tonewire.cable')), '"trrs-ctia-extension"', 'the choice is remembered');
    await page.click('#sound-toggle');
    assert.equal(await page.getAttribute('#sound-toggle', 'aria-pressed'), 'true');
    assert.equal(await page.evaluate(() => localStorage.getItem('tonewire.sound')), 'on', 'the sound choice is remembered by this browser');
    await page.focus('#serial');
    await page.keyboard.type('SN-PASS-0001');
    await page.keyboard.press('Enter');
    await page.waitForSelector(VERDICT, { timeout: 60000 });
    assert.equal(await page.textContent('.verdict .v-word'), 'PASS');
    assert.ok(await page.isVisible('.verdict .v-icon svg'), 'the verdict has an icon, not only a colour');
    assert.match(await page.textContent('.verdict .v-sub'), /SN-PASS-0001/);
    await page.waitForFunction(() => document.body.dataset.sound === 'pass');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'serial', 'focus returns to the serial field');
    assert.equal(await page.inputValue('#serial'), '', 'the field is empty for the next scan');
    await page.waitForFunction(() => document.getElementById('n-pass').textContent === '1');
    const stats = await api('/api/v1/stats');
    assert.equal(stats.pass, 1);
    await checkAgreement(page, await newest(), 'straight, desktop');
  });

  it('every demo cable: verdict, faults, channels and diagram agree with the result, on desktop and phone', async () => {
    const { scenarios } = await api('/api/v1/demo');
    // What the page asked, in order: the switch, the status it read, the test it started.
    const asked = [];
    page.on('request', (q) => {
      const u = new URL(q.url());
      if (q.method() === 'PUT' && u.pathname === '/api/v1/demo') asked.push({ kind: 'switch' });
      if (q.method() === 'POST' && u.pathname === '/api/v1/tests') asked.push({ kind: 'test' });
    });
    page.on('response', (a) => {
      if (a.request().method() === 'GET' && new URL(a.url()).pathname === '/api/v1/status') asked.push({ kind: 'status', body: a.json().catch(() => null) });
    });
    for (const sc of scenarios) {
      const before = (await newest())?.id ?? 0;
      asked.length = 0;
      await page.click(`#demo-choices button[data-scenario="${sc.name}"]`);
      await page.waitForFunction((id) => {
        const s = document.querySelector('.verdict .v-sub')?.textContent || '';
        const m = /test #(\d+)/.exec(s);
        return m && Number(m[1]) > id && /PASS|FAIL|ERROR/.test(document.querySelector('.verdict .v-word').textContent);
      }, before, { timeout: 60000 });
      const r = await newest();
      assert.ok(r.id > before, `${sc.name}: a new result`);
      // The test was started only once the station said it was ready on the new cable:
      // that scenario, the device open, its round trip measured.
      const order = asked.map((x) => x.kind);
      const sw = order.indexOf('switch');
      const test = order.indexOf('test', sw);
      assert.ok(sw >= 0 && test > sw, `${sc.name}: switched, then tested (${order.join(' ')})`);
      const seen = await Promise.all(asked.slice(sw, test).filter((x) => x.kind === 'status').map((x) => x.body));
      const last = seen[seen.length - 1];
      assert.ok(last && last.scenario === sc.name && last.connected === true && last.latency_frames > 0,
        `${sc.name}: the last status before the test was ${JSON.stringify(last && { scenario: last.scenario, connected: last.connected, latency: last.latency_frames })}`);
      // A switch the page waited for: the cable in the jig is measured, never "no signal".
      assert.notEqual(r.verdict, 'error', `${sc.name}: ${JSON.stringify(r.faults)}`);
      assert.equal(await page.getAttribute(`#demo-choices button[data-scenario="${sc.name}"]`, 'aria-pressed'), 'true');
      await checkAgreement(page, r, `${sc.name}, desktop`);
      // The phone was idle: the result of a test started elsewhere shows there too.
      await phone.page.waitForFunction((id) => new RegExp(`test #${id}\\b`).test(document.querySelector('.verdict .v-sub').textContent)
        && /PASS|FAIL|ERROR/.test(document.querySelector('.verdict .v-word').textContent), r.id);
      await checkAgreement(phone.page, r, `${sc.name}, phone`);
      await screenshot(page, `dashboard-cable-${sc.name}`);
      if (/ctia/.test(sc.name)) {
        await page.evaluate(() => window.scrollTo(0, 0));
        await docShot(page, 'dashboard');
      }
      if (/short/.test(sc.name)) {
        await phone.page.locator('#wiring-diagram').scrollIntoViewIfNeeded();
        await docShot(phone.page, 'dashboard-phone');
      }
    }
  });

  it('fits a phone: no sideways scrolling, the far end of the wiring and the verdict column in view', async () => {
    const p = phone.page;
    assert.equal(await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0, 'the page is no wider than the phone');
    await p.locator('#wiring-diagram').scrollIntoViewIfNeeded();
    const pads = await p.$$eval('#wiring-diagram .end-B .pad', (cs) => cs.map((c) => c.getBoundingClientRect().right));
    assert.ok(pads.length >= 4, 'the far end is drawn');
    for (const right of pads) assert.ok(right <= 360, `a far-end contact at x = ${right}`);
    const plug = await p.$eval('#wiring-diagram .end-B', (g) => g.getBoundingClientRect().right);
    assert.ok(plug <= 360, `the far-end plug ends at x = ${plug}`);
    const size = await p.$eval('#wiring-diagram .contact-part', (t) => t.getBoundingClientRect().height);
    assert.ok(size >= 9, `contact names ${size.toFixed(1)} px high: readable`);
    await p.locator('#history').scrollIntoViewIfNeeded();
    const cell = await p.$eval('#history-table tbody tr[data-id] td:nth-child(2)', (td) => {
      const b = td.getBoundingClientRect();
      return { left: b.left, right: b.right, text: td.textContent };
    });
    assert.match(cell.text, /PASS|FAIL|ERROR/);
    assert.ok(cell.left >= 0 && cell.right <= 360, `the verdict column at x = ${cell.left}…${cell.right}`);
    await screenshot(p, 'dashboard-phone-history');
  });

  it('kiosk view: the verdict fills the screen, readable at 3 m, and clears for the next cable', async () => {
    await page.click('#kiosk-toggle');
    assert.match(page.url(), /[?&]kiosk=1/, 'the address keeps the view for a reload');
    const box = await page.$eval('#verdict', (v) => v.getBoundingClientRect().toJSON());
    assert.ok(box.width >= 1280 && box.height >= 800, `the verdict covers the screen (${box.width}×${box.height})`);
    const px = async (sel) => parseFloat(await page.$eval(sel, (e) => getComputedStyle(e).fontSize));
    const word = await px('.verdict .v-word');
    const sentence = await px('.verdict .v-say');
    assert.ok(word >= 8 * LEGIBLE_PX, `PASS/FAIL at ${word} px (legible at 3 m from ${LEGIBLE_PX.toFixed(0)} px)`);
    assert.ok(sentence >= 2.4 * LEGIBLE_PX, `the fault sentence at ${sentence} px`);
    const say = await page.$eval('.verdict .v-say', (e) => ({ text: e.textContent, bottom: e.getBoundingClientRect().bottom }));
    assert.ok(say.text.length > 3 && say.bottom <= 800, `the sentence is on the screen: ${say.text}`);
    // The scanner still types into the serial field behind the big verdict: the first
    // character of a new serial clears the old verdict, Enter tests it.
    await page.fill('#serial', '');
    await page.keyboard.type('SN-KIOSK-');
    assert.match(await page.textContent('.verdict .v-word'), /READY/, 'a new serial clears the last verdict');
    await page.keyboard.type('0001');
    await station.select('4-ctia-omtp');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /SN-KIOSK-0001/.test(document.querySelector('.verdict .v-sub').textContent)
      && /FAIL/.test(document.querySelector('.verdict .v-word').textContent), null, { timeout: 60000 });
    await page.waitForFunction(() => document.body.dataset.sound === 'fail');
    const r = await newest();
    assert.equal(r.serial, 'SN-KIOSK-0001');
    await checkAgreement(page, r, 'kiosk');
    await docShot(page, 'dashboard-kiosk');
    await page.reload();
    await page.waitForSelector('body.kiosk[data-ready]');
    await page.keyboard.press('Escape');
    assert.equal(await page.evaluate(() => document.body.classList.contains('kiosk')), false);
    assert.doesNotMatch(page.url(), /kiosk=1/);
  });

  it('flex test on the intermittent cable: progress, dropouts as they come, Stop only while it runs', async () => {
    await station.select('8-intermittent');
    await page.selectOption('#flex-seconds', '10');
    await page.click('#flex-start');
    await page.waitForSelector('#flex-stop', { state: 'visible' });
    await page.waitForSelector('#flex-progress', { state: 'visible' });
    await page.waitForFunction(() => document.querySelectorAll('#flex-events li').length >= 2, null, { timeout: 30000 });
    const now = await page.getAttribute('#flex-progress .progress', 'aria-valuenow');
    assert.ok(Number(now) > 0 && Number(now) < 100, `progress ${now} %`);
    assert.notEqual(await page.textContent('#flex-elapsed'), '0:00');
    await screenshot(page, 'dashboard-flex-running');
    await page.click('#flex-stop');
    await page.waitForSelector('.verdict.v-fail', { timeout: 30000 });
    assert.equal(await page.isVisible('#flex-stop'), false, 'Stop goes away with the session');
    assert.equal(await page.isVisible('#flex-progress'), false);
    const [r] = await api('/api/v1/tests?kind=flex&limit=1');
    assert.equal(r.kind, 'flex');
    assert.ok(r.flex.count >= 2, `${r.flex.count} dropouts`);
    assert.equal(await page.locator('#flex-events li').count(), r.flex.count, 'every dropout is listed');
    assert.deepEqual(r.faults.map((f) => f.code), ['intermittent']);
    await page.waitForFunction((id) => document.querySelector(`#history-table tr[data-id="${id}"] td:nth-child(3)`)?.textContent === 'flex', r.id);
  });

  it('history: kind column and filters; the CSV is the station\'s, the same bytes as the CLI\'s, formulas neutralised', async () => {
    const evil = ['=HYPERLINK("http://example.invalid/","click")', '@SUM(1+1)', '+1-2', '-3'];
    await station.select('1-straight');
    for (const s of evil) assert.equal((await post(s)).verdict, 'pass');
    await page.selectOption('#history-filters select[name=kind]', 'test');
    await page.waitForFunction(() => [...document.querySelectorAll('#history-table tbody tr[data-id] td:nth-child(3)')].every((td) => td.textContent === 'test'));
    await page.selectOption('#history-filters select[name=kind]', '');
    await page.locator('#history').scrollIntoViewIfNeeded();
    await screenshot(page, 'dashboard-history');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#history-csv')]);
    assert.match(download.suggestedFilename(), /^tonewire-history-\d{8}-\d{4}\.csv$/);
    const fromPage = fs.readFileSync(await download.path());
    const cli = spawnSync(CLI, ['history', '--server', station.url, '--csv', '--limit', '1000'], { encoding: 'buffer' });
    assert.equal(cli.status, 0, String(cli.stderr));
    assert.ok(fromPage.equals(cli.stdout), `the page's CSV and the CLI's differ:\n${fromPage}\n---\n${cli.stdout}`);
    const rows = parseCsv(fromPage.toString('utf8'));
    const head = rows[0];
    assert.deepEqual(head.slice(0, 7), ['id', 'started_at', 'serial', 'cable', 'jig', 'verdict', 'faults']);
    const all = await api('/api/v1/tests?limit=1000');
    assert.equal(rows.length - 1, all.length, 'one row per stored result');
    const serials = rows.slice(1).map((row) => row[head.indexOf('serial')]);
    const kinds = rows.slice(1).map((row) => row[head.indexOf('kind')]);
    assert.ok(kinds.includes('flex') && kinds.includes('test'));
    for (const s of evil) {
      assert.ok(serials.includes(`'${s}`), `${s} comes out as text, with a leading quote`);
      assert.ok(!serials.includes(s), `${s} never comes out as a formula`);
    }
    // In the raw bytes too: a neutralised cell is quoted.
    assert.ok(fromPage.toString('utf8').includes('"\'=HYPERLINK(""http://example.invalid/"",""click"")"'));
  });

  it('the shift counts come from the station: the same on every screen, a new shift for all', async () => {
    const tests = (await api('/api/v1/tests?kind=test&limit=1000')).reverse();
    // The yield as the line view defines it: a serial's first decided test; errors left out.
    const first = new Map();
    for (const r of tests) if (r.verdict !== 'error' && !first.has(r.serial ?? `#${r.id}`)) first.set(r.serial ?? `#${r.id}`, r.verdict);
    const fpy = [...first.values()].filter((v) => v === 'pass').length / first.size;
    const count = (v) => String(tests.filter((r) => r.verdict === v).length);
    for (const p of [page, phone.page]) {
      await p.waitForFunction(([pass, fail, err]) => document.getElementById('n-pass').textContent === pass
        && document.getElementById('n-fail').textContent === fail && document.getElementById('n-error').textContent === err,
      [count('pass'), count('fail'), count('error')]);
      assert.equal(await p.textContent('#n-yield'), `${(fpy * 100).toFixed(1)} %`);
    }
    page.once('dialog', (d) => d.accept());
    await page.click('#shift-reset');
    for (const p of [page, phone.page]) {
      await p.waitForFunction(() => ['n-pass', 'n-fail', 'n-error'].every((id) => document.getElementById(id).textContent === '0'));
      assert.equal(await p.textContent('#n-yield'), '—');
    }
    await post('SN-NEW-SHIFT');
    for (const p of [page, phone.page]) await p.waitForFunction(() => document.getElementById('n-pass').textContent === '1');
    assert.equal(await page.evaluate(() => localStorage.getItem('tonewire.shift')), null, 'nothing counted in the browser');
  });

  it('unplugging the interface shows a banner; plugging it back clears it', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await station.unplug();
    await page.waitForSelector('#banner.banner-bad:not([hidden])', { timeout: 30000 });
    assert.match(await page.textContent('#banner'), /unplugged/i);
    assert.match(await page.textContent('#st-conn'), /UNPLUGGED/);
    assert.match(await page.textContent('.verdict .v-word'), /NO INTERFACE/);
    await page.fill('#serial', 'SN-WHILE-UNPLUGGED');
    await page.press('#serial', 'Enter');
    assert.match(await page.textContent('#run-msg'), /unplugged/);
    await screenshot(page, 'dashboard-unplugged');
    await station.replug();
    await page.waitForSelector('#banner.banner-ok:not([hidden])', { timeout: 30000 });
    assert.match(await page.textContent('#banner'), /back/i);
    await page.waitForSelector('#st-conn.ok');
  });

  it('made no request off the machine and raised no script error or policy violation', () => {
    for (const b of [desk, phone]) {
      assert.deepEqual(b.offsite, []);
      assert.deepEqual(b.problems.filter((p) => !/Failed to load resource/.test(p)), []);
    }
  });
});
