// Fast checks of the dashboard's behaviour against the mock station, whose every answer,
// event and request is held to docs/openapi.json: every fault has plain words,
// keyboard-only use, a phone-sized window, scans queued while the jig is busy and refused
// out loud when the station does not queue, a flex session with its progress, the CSV as
// the station wrote it, a new shift, every simulated cable drawn and explained.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { launch, screenshot, startMock } from './lib.mjs';
import { FAULTS, explainFault, fmtOhms } from '../../web/faults.js';

const CODES = ['lr_swap', 'polarity_inverted', 'ctia_omtp_mismatch', 'trrs_in_trs', 'open', 'short', 'miswire',
  'high_resistance', 'crosstalk', 'intermittent', 'unrecognized_wiring', 'no_signal', 'clipping', 'low_snr'];
const VERDICT = '.verdict.v-pass, .verdict.v-fail, .verdict.v-error';

describe('fault explanations', () => {
  it('every fault code of docs/result.md has a title and an effect in plain words', () => {
    const book = { words: (c) => ({ 'A.T': 'left (tip)', 'A.S': 'ground (sleeve)' }[c] || c) };
    for (const code of CODES) {
      assert.ok(FAULTS[code], code);
      const e = explainFault({ code, contacts: ['A.T', 'A.S'], confidence: 0.9, ohms: 12, channel: 'L' }, book);
      assert.ok(e.title.length > 8 && !e.title.includes('_'), `${code}: ${e.title}`);
      assert.ok(e.effect.length > 20, code);
    }
    assert.equal(explainFault({ code: 'lr_swap' }, book).title, 'Left and right are swapped');
    assert.match(explainFault({ code: 'open', contacts: ['A.S', 'B.S'] }, book).title, /^Ground \(sleeve\) is open \(broken conductor\)$/);
    assert.match(explainFault({ code: 'polarity_inverted', channel: 'L' }, book).title, /Left channel polarity inverted: out of phase/);
    // The station rounds resistances this way in its own sentences ("3.0 kΩ in series").
    assert.match(explainFault({ code: 'high_resistance', contacts: ['A.S'], ohms: 2999.785 }, book).title, /\(3\.0 kΩ\)$/);
    // Below 10 Ω two significant digits, as C's %.2g writes them (a short measured at 0.506 Ω is
    // "0.51 Ω" in the station's sentence: the page must not say 0.5), and no trailing zero.
    assert.match(explainFault({ code: 'short', contacts: ['A.T', 'A.R'], ohms: 0.506 }, book).title, /\(0\.51 Ω\)$/);
    assert.match(explainFault({ code: 'short', contacts: ['A.T', 'A.R'], ohms: 5.0 }, book).title, /\(5 Ω\)$/);
    assert.match(explainFault({ code: 'high_resistance', contacts: ['A.S'], ohms: 47.2 }, book).title, /\(47 Ω\)$/);
  });

  it('rounds a resistance to the digits the station writes, exact ties included', () => {
    // Exact ties (0.125, 1.25, 12.5, 1250) go to even in printf and up in toPrecision; the others
    // sit a hair off a digit (0.495 is 0.49499…). The oracle is Python's % formatting, which
    // rounds the exact double as glibc's printf does: written apart from web/faults.js.
    const xs = [0.125, 0.375, 0.625, 0.875, 1.25, 2.75, 0.495, 0.505, 0.506, 0.0995, 0.995, 9.96, 5, 3.0,
      12.5, 13.5, 47.2, 999.5, 1250, 2999.785, 1234567, 2.25e6];
    const program = ['import sys', 'for x in map(float, sys.argv[1:]):',
      "    print('%.1f MΩ' % (x / 1e6) if x >= 1e6 else '%.1f kΩ' % (x / 1e3) if x >= 1e3 else"
      + " '%.0f Ω' % x if x >= 10 else '%.2g Ω' % x)"].join('\n');
    const want = execFileSync('python3', ['-c', program, ...xs.map(String)]).toString().trim().split('\n');
    assert.deepEqual(xs.map(fmtOhms), want);
  });
});

describe('dashboard behaviour (mock station)', { timeout: 150000 }, () => {
  let station;
  let browser;
  let page;
  const verdictOf = (serial) => page.waitForFunction((s) => new RegExp(`Serial ${s}\\b`).test(document.querySelector('.verdict .v-sub').textContent)
    && /PASS|FAIL|ERROR/.test(document.querySelector('.verdict .v-word').textContent), serial);

  before(async () => {
    station = await startMock();
    browser = await launch({ width: 1280, height: 800 });
    page = browser.page;
    await page.goto(station.url);
    await page.waitForSelector('body[data-ready]');
    await page.waitForSelector('#demo-choices button');
  });

  after(async () => {
    if (browser) await browser.close();
    if (station) await station.stop();
  });

  it('every simulated cable is diagnosed, explained and drawn distinctly', async () => {
    const expect = {
      straight: ['PASS', null, 'ok'],
      'lr-swap': ['FAIL', /Left and right are swapped/, 'swapped'],
      polarity: ['FAIL', /polarity inverted: out of phase/, null],
      'ctia-omtp': ['FAIL', /karaoke effect/, 'swapped'],
      'open-ground': ['FAIL', /is open \(broken conductor\)/, 'open'],
      short: ['FAIL', /shorted together \(0\.5 Ω\)/, null],
      'high-resistance': ['FAIL', /high resistance \(12 Ω\)/, 'highres'],
      intermittent: ['PASS', null, 'ok'],
    };
    for (const [name, [word, text, kind]] of Object.entries(expect)) {
      await page.click(`#demo-choices button[data-scenario="${name}"]`);
      await page.waitForFunction((w) => document.querySelector('.verdict .v-word')?.textContent === w
        && document.body.dataset.busy === '', word);
      if (text) assert.match(await page.textContent('#faults'), text, name);
      if (kind) assert.ok(await page.locator(`#wiring-diagram path.w-${kind}`).count() >= 1, `${name}: a ${kind} line`);
      assert.equal(await page.locator('#wiring-diagram path.w-short').count(), 0, `${name}: no short drawn as a line`);
      await screenshot(page, `ui-scenario-${name}`);
    }
    // The short: a bridge between the two far-end contacts, labelled as the fault says.
    await page.click('#demo-choices button[data-scenario="short"]');
    await page.waitForSelector('#wiring-diagram path.short-bridge[data-a="B.T"][data-b="B.R1"]');
    assert.match(await page.textContent('#wiring-diagram .l-short'), /short 0\.5 Ω/);
    // L/R swap: the channel table says where each channel was found.
    await page.click('#demo-choices button[data-scenario="lr-swap"]');
    await page.waitForFunction(() => document.querySelector('#channels tbody th')?.textContent === 'L at R');
  });

  it('works from the keyboard alone, with a visible focus', async () => {
    await page.focus('#serial');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'start');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused control shows it');
    // The first demo button, reached by Tab and pressed with Space, runs a test.
    const demo = page.locator('#demo-choices button').first();
    await demo.focus();
    await station.hold(true);
    await page.keyboard.press('Space');
    await page.waitForSelector('.verdict.v-busy');
    await station.hold(false);
    await page.waitForSelector(VERDICT);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'serial');
    // A history row opens with Enter on its button.
    await page.locator('#history-table tbody tr[data-id] button').first().focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#viewing:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'back-live');
    await page.keyboard.press('Enter');
    assert.ok(await page.isHidden('#viewing'));
  });

  it('a scan while another test runs waits its turn, shows as next, and its result arrives', async () => {
    await station.hold(true);
    await fetch(`${station.url}api/v1/tests`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ serial: 'OTHER' }) });
    await page.waitForSelector('.verdict.v-busy');
    await page.fill('#serial', 'SN-QUEUED');
    await page.press('#serial', 'Enter');
    await page.waitForFunction(() => /Next: .*SN-QUEUED|SN-QUEUED.*waits its turn/.test(document.getElementById('verdict').textContent));
    assert.equal(await page.inputValue('#serial'), '', 'ready for the next scan at once');
    await station.hold(false);
    await verdictOf('SN-QUEUED');
    assert.ok(await page.isHidden('#v-next'));
  });

  it('a station that does not queue refuses a scan out loud: red banner and a sound', async () => {
    await station.queueScans(false);
    await station.hold(true);
    await fetch(`${station.url}api/v1/tests`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ serial: 'OTHER-2' }) });
    await page.waitForSelector('.verdict.v-busy');
    await page.fill('#serial', 'SN-REFUSED');
    await page.press('#serial', 'Enter');
    await page.waitForSelector('#banner.banner-bad:not([hidden])');
    assert.match(await page.textContent('#banner'), /SN-REFUSED was NOT tested/);
    await page.waitForFunction(() => document.body.dataset.sound === 'refused');
    await station.hold(false);
    await station.queueScans(true);
    await page.waitForSelector(VERDICT);   // the other test's result still arrives over SSE
  });

  it('kiosk on a hands-free station: the verdict stays while the cable is in, and clears when it comes out', async () => {
    await page.click('#kiosk-toggle');
    await page.fill('#serial', 'SN-HANDS-FREE');
    await page.press('#serial', 'Enter');
    await verdictOf('SN-HANDS-FREE');
    const word = await page.textContent('.verdict .v-word');
    await station.trigger('waiting_removal');
    await page.waitForFunction(() => /unplug the cable/.test(document.getElementById('st-state').textContent));
    assert.equal(await page.textContent('.verdict .v-word'), word, 'the verdict stays up while the cable is in');
    await station.trigger('armed');
    await page.waitForFunction(() => document.querySelector('.verdict .v-word').textContent === 'PLUG A CABLE');
    assert.ok(await page.evaluate(() => document.body.classList.contains('kiosk')), 'still full screen');
    assert.equal(await page.textContent('.verdict .v-say'), '', 'no fault sentence left over');
    await station.trigger('off');
    await page.keyboard.press('Escape');
  });

  it('asks for a serial instead of testing an unnamed cable', async () => {
    await page.fill('#serial', '');
    await page.press('#serial', 'Enter');
    assert.match(await page.textContent('#run-msg'), /serial number first/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'serial');
  });

  it('flex: Stop only while a session runs, a progress bar, the dropouts, a flex row in the history', async () => {
    assert.equal(await page.isVisible('#flex-stop'), false, 'no Stop while idle');
    await page.click('#demo-choices button[data-scenario="intermittent"]');
    await page.waitForFunction(() => document.body.dataset.busy === '' && /PASS/.test(document.querySelector('.verdict .v-word').textContent));
    await page.selectOption('#flex-seconds', '10');
    await page.click('#flex-start');
    await page.waitForSelector('#flex-stop', { state: 'visible' });
    assert.equal(await page.isVisible('#flex-start'), false);
    await page.waitForFunction(() => document.querySelectorAll('#flex-events li').length >= 2);
    assert.ok(Number(await page.getAttribute('#flex-progress .progress', 'aria-valuenow')) > 0);
    assert.match(await page.textContent('#flex-progress'), /\d:\d\d elapsed · \d:\d\d left/);
    await page.click('#flex-stop');
    await page.waitForSelector('.verdict.v-fail');
    assert.equal(await page.isVisible('#flex-stop'), false, 'Stop goes with the session');
    assert.notEqual(await page.textContent('#flex-note'), 'stopping…');
    await page.waitForFunction(() => document.querySelector('#history-table tbody tr[data-id] td:nth-child(3)')?.textContent === 'flex');
  });

  it('exports the history as the station wrote it', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#history-csv')]);
    assert.match(download.suggestedFilename(), /^tonewire-history-\d{8}-\d{4}\.csv$/);
    const saved = fs.readFileSync(await download.path(), 'utf8');
    const served = await (await fetch(`${station.url}api/v1/tests?limit=1000&format=csv`)).text();
    assert.equal(saved, served, 'the page saves the station\'s bytes');
    assert.ok(saved.split('\r\n').length >= 10);
  });

  it('starts a new shift on the station: the counts go back to zero', async () => {
    await page.waitForFunction(() => Number(document.getElementById('n-fail').textContent) >= 6);
    page.once('dialog', (d) => d.accept());
    await page.click('#shift-reset');
    await page.waitForFunction(() => document.getElementById('n-fail').textContent === '0' && document.getElementById('n-pass').textContent === '0');
    assert.equal((await (await fetch(`${station.url}api/v1/stats`)).json()).tests, 0);
  });

  it('fits a phone without sideways scrolling, the far end drawn in view', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.click('#demo-choices button[data-scenario="ctia-omtp"]');
    await page.waitForFunction(() => document.body.dataset.busy === '' && /FAIL/.test(document.querySelector('.verdict .v-word').textContent));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px too wide`);
    assert.ok(await page.locator('#wiring-diagram svg.compact').count(), 'the narrow drawing');
    const right = await page.$eval('#wiring-diagram .end-B', (g) => g.getBoundingClientRect().right);
    assert.ok(right <= 360, `the far end ends at x = ${right}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'ui-narrow', { fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.waitForFunction(() => !document.querySelector('#wiring-diagram svg.compact'));
  });

  it('made no request off the machine and raised no script error', () => {
    assert.deepEqual(browser.offsite, []);
    assert.deepEqual(browser.problems.filter((p) => !/Failed to load resource/.test(p)), []);
  });

  it('the mock answered only what the API allows, and the page sent only what it accepts', async () => {
    assert.deepEqual(await station.violations(), []);
  });
});
