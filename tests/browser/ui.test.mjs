// Fast checks of the dashboard's behaviour against the mock station: every fault
// has plain words, keyboard-only use, a narrow window, busy station, CSV export,
// shift count reset, every simulated cable drawn and explained.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { launch, screenshot, startMock } from './lib.mjs';
import { FAULTS, explainFault } from '../../web/faults.js';

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
  });
});

describe('dashboard behaviour (mock station)', { timeout: 120000 }, () => {
  let station;
  let browser;
  let page;

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
      short: ['FAIL', /shorted together/, 'short'],
      'high-resistance': ['FAIL', /high resistance \(12 Ω\)/, 'highres'],
    };
    for (const [name, [word, text, kind]] of Object.entries(expect)) {
      await page.click(`#demo-choices button[data-scenario="${name}"]`);
      await page.waitForSelector('.verdict.v-busy');
      await page.waitForFunction((w) => document.querySelector('.verdict .v-word')?.textContent === w
        && !document.querySelector('#serial').readOnly, word);
      if (text) assert.match(await page.textContent('#faults'), text, name);
      if (kind) assert.ok(await page.locator(`#wiring-diagram path.w-${kind}`).count() >= 1, `${name}: a ${kind} line`);
      await screenshot(page, `ui-scenario-${name}`);
    }
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
    await page.keyboard.press('Space');
    await page.waitForSelector('.verdict.v-busy');
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

  it('says when the station is busy instead of failing silently', async () => {
    await fetch(`${station.url}api/v1/tests`, { method: 'POST', body: JSON.stringify({ serial: 'OTHER' }) });
    await page.fill('#serial', 'SN-BUSY');
    await page.press('#serial', 'Enter');
    await page.waitForFunction(() => /busy/.test(document.querySelector('#run-msg').textContent));
    await page.waitForSelector(VERDICT); // the other test's result still arrives over SSE
  });

  it('asks for a serial instead of testing an unnamed cable', async () => {
    await page.fill('#serial', '');
    await page.press('#serial', 'Enter');
    assert.match(await page.textContent('#run-msg'), /serial number first/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'serial');
  });

  it('exports the history as CSV', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#history-csv')]);
    assert.match(download.suggestedFilename(), /^tonewire-history-\d{8}-\d{4}\.csv$/);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split(/\r\n/);
    assert.equal(lines[0], 'id,started_at,serial,cable,jig,verdict,fault_codes,fault_summaries,total_ms,'
      + 'station,line,operator,software_version,profile_sha256,calibration');
    assert.ok(lines.length >= 8, `${lines.length} lines`);
    assert.ok(lines.some((l) => l.includes('ctia_omtp_mismatch')));
  });

  it('counts the shift and resets the count on request', async () => {
    const fail = Number(await page.textContent('#n-fail'));
    assert.ok(fail >= 6, `fail count ${fail}`);
    page.once('dialog', (d) => d.accept());
    await page.click('#shift-reset');
    assert.equal(await page.textContent('#n-fail'), '0');
    assert.equal(await page.textContent('#n-pass'), '0');
  });

  it('fits a narrow window without sideways scrolling', async () => {
    await page.setViewportSize({ width: 420, height: 900 });
    await page.click('#demo-choices button[data-scenario="ctia-omtp"]');
    await page.waitForSelector('.verdict.v-fail');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px too wide`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'ui-narrow', { fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('made no request off the machine and raised no script error', () => {
    assert.deepEqual(browser.offsite, []);
    assert.deepEqual(browser.problems.filter((p) => !/Failed to load resource/.test(p)), []);
  });
});
