// The dashboard against a station on the simulator (issue 6): scan a serial →
// PASS; switch the simulated cable to CTIA↔OMTP → FAIL with that explanation
// and the crossed G/MIC lines; history lists both; unplug → banner; replug → back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launch, screenshot, startStation } from './stations.mjs';

const VERDICT = '.verdict.v-pass, .verdict.v-fail, .verdict.v-error';

describe('dashboard on the simulated station', { timeout: 180000 }, () => {
  let station;
  let browser;
  let page;

  before(async () => {
    station = await startStation();
    browser = await launch({ width: 1280, height: 800 });
    page = browser.page;
    await page.goto(station.url);
    await page.waitForSelector('body[data-ready]');
  });

  after(async () => {
    if (browser) await browser.close();
    if (station) await station.stop();
  });

  it('shows a connected station and is ready for a scan', async () => {
    await page.waitForSelector('#st-conn.ok');
    assert.match(await page.textContent('#st-conn'), /connected/);
    assert.match(await page.textContent('#st-rate'), /kHz/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'serial', 'the serial field has the focus for the scanner');
    await page.waitForSelector('#demo:not([hidden]) #demo-choices button');
    assert.match(await page.textContent('.verdict .v-word'), /READY/);
    await screenshot(page, 'dashboard-01-ready');
  });

  it('scan a serial (type, Enter) → PASS', async () => {
    await station.select('straight');
    await page.selectOption('#cable', 'trrs-ctia-extension');
    assert.equal(await page.evaluate(() => localStorage.getItem('tonewire.cable')), '"trrs-ctia-extension"', 'the choice is remembered');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'serial', 'choosing the cable hands the focus back to the scanner');
    await page.keyboard.type('SN-PASS-0001');
    await page.keyboard.press('Enter');
    await page.waitForSelector(VERDICT, { timeout: 60000 });
    assert.equal(await page.textContent('.verdict .v-word'), 'PASS');
    assert.ok(await page.isVisible('.verdict .v-icon svg'), 'the verdict has an icon, not only a colour');
    assert.match(await page.textContent('.verdict .v-sub'), /SN-PASS-0001/);
    assert.equal(await page.textContent('#n-pass'), '1');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'serial', 'focus returns to the serial field');
    assert.equal(await page.inputValue('#serial'), '', 'the field is empty for the next scan');
    const kinds = await page.locator('#wiring-diagram path.wire').evaluateAll((ps) => ps.map((p) => p.dataset.kind));
    assert.deepEqual(kinds, ['ok', 'ok', 'ok', 'ok']);
    await screenshot(page, 'dashboard-02-pass');
  });

  it('CTIA↔OMTP cable → FAIL, explained, with crossed ground/microphone lines', async () => {
    const button = page.locator('#demo-choices button').filter({ hasText: /CTIA|OMTP/i }).first();
    await button.click();
    await page.waitForSelector('.verdict.v-fail', { timeout: 60000 });
    assert.equal(await page.textContent('.verdict .v-word'), 'FAIL');
    assert.equal(await button.getAttribute('aria-pressed'), 'true');
    const faults = await page.textContent('#faults');
    assert.match(faults, /Ground and microphone are swapped: CTIA plug on an OMTP device — voices will vanish \(karaoke effect\)/);
    // trrs-3.5-ctia: R2 is ground, S is microphone; the two lines cross.
    for (const [from, to] of [['A.R2', 'B.S'], ['A.S', 'B.R2']]) {
      const line = page.locator(`#wiring-diagram path.wire[data-from="${from}"][data-to="${to}"]`);
      assert.equal(await line.count(), 1, `a line ${from} → ${to}`);
      assert.equal(await line.getAttribute('data-kind'), 'swapped');
    }
    assert.equal(await page.locator('#wiring-diagram path.w-swapped').count(), 2);
    assert.equal(await page.locator('#wiring-diagram path.w-ok').count(), 2, 'tip and ring 1 still correct');
    assert.ok(await page.locator('#wiring-diagram .line-label', { hasText: 'crossed' }).count() >= 1, 'the crossing is labelled');
    assert.equal(await page.textContent('#n-fail'), '1');
    assert.ok(await page.locator('#matrix td[title]').count() >= 4, 'the heat map has values on hover');
    await screenshot(page, 'dashboard-03-fail-ctia-omtp');
  });

  it('history lists both, opens one as it looked, filters by verdict', async () => {
    await page.waitForFunction(() => document.querySelectorAll('#history-table tbody tr[data-id]').length >= 2);
    const rows = page.locator('#history-table tbody tr[data-id]');
    const first = await rows.nth(0).textContent();
    const second = await rows.nth(1).textContent();
    assert.match(first, /FAIL/);
    assert.match(first, /CTIA\/OMTP mismatch/);
    assert.match(second, /SN-PASS-0001/);
    assert.match(second, /PASS/);
    assert.equal(await rows.nth(0).locator('a', { hasText: 'WAV' }).count(), 1, 'a failed test offers its capture');
    assert.equal(await rows.nth(1).locator('a', { hasText: 'WAV' }).count(), 0, 'a passed one does not');
    await rows.nth(1).getByRole('button', { name: /Open/ }).click();
    await page.waitForSelector('.verdict.v-pass');
    assert.match(await page.textContent('#viewing'), /from history/);
    await page.selectOption('#history-filters select[name=verdict]', 'fail');
    await page.waitForFunction(() => [...document.querySelectorAll('#history-table tbody tr')].every((r) => r.className === 'row-fail'));
    await page.locator('#history').scrollIntoViewIfNeeded();
    await screenshot(page, 'dashboard-04-history');
    await page.click('#history-filters button[type=reset]');
    await page.click('#back-live');
  });

  it('unplugging the interface shows a banner; plugging it back clears it', async () => {
    await station.unplug();
    await page.waitForSelector('#banner.banner-bad:not([hidden])', { timeout: 30000 });
    assert.match(await page.textContent('#banner'), /unplugged/i);
    assert.match(await page.textContent('#st-conn'), /UNPLUGGED/);
    assert.match(await page.textContent('.verdict .v-word'), /NO INTERFACE/);
    await page.fill('#serial', 'SN-WHILE-UNPLUGGED');
    await page.press('#serial', 'Enter');
    assert.match(await page.textContent('#run-msg'), /unplugged/);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'dashboard-05-unplugged');
    await station.replug();
    await page.waitForSelector('#banner.banner-ok:not([hidden])', { timeout: 30000 });
    assert.match(await page.textContent('#banner'), /back/i);
    await page.waitForSelector('#st-conn.ok');
    await screenshot(page, 'dashboard-06-replugged');
  });

  it('made no request off the machine and raised no script error', () => {
    assert.deepEqual(browser.offsite, []);
    assert.deepEqual(browser.problems.filter((p) => !/Failed to load resource/.test(p)), []);
  });
});
