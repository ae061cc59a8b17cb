// The dashboard's "Learn a cable" card on the real station (per-contact TRRS jig): a first good
// sample kept and its conductors listed; a different second sample refused, its differences named
// and nothing saved; one that measures the same saves the profile, which is then in the cable list,
// chosen. Learn steps are not counted as tested cables.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, screenshot } from './lib.mjs';
import { startDaemon } from './daemon.mjs';

describe('learning a cable on the dashboard', { timeout: 180000 }, () => {
  let station;
  let browser;
  let page;
  let profiles;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tonewire-learn-home-'));

  before(async () => {
    // The station's user has a profile folder of their own: that is where it learns into.
    profiles = path.join(home, '.config', 'tonewire', 'profiles');
    fs.mkdirSync(profiles, { recursive: true });
    process.env.HOME = home;
    delete process.env.XDG_CONFIG_HOME;
    delete process.env.TONEWIRE_PROFILES;
    station = await startDaemon();
    browser = await launch({ width: 1280, height: 900 });
    page = browser.page;
    await page.goto(station.url);
    await page.waitForSelector('body[data-ready]');
  });

  after(async () => {
    if (browser) await browser.close();
    if (station) await station.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('keeps a first sample and lists its conductors', async () => {
    await station.select('straight');
    assert.equal(await page.inputValue('#learn-a'), 'trrs-3.5-ctia', 'the near end is the jig socket');
    assert.equal(await page.inputValue('#learn-b'), 'trrs-3.5-ctia');
    await page.fill('#learn-name', 'bench-trrs');
    await page.click('#learn button[type=submit]');
    await page.waitForFunction(() => /Sample 1 of bench-trrs kept/.test(document.getElementById('learn-msg').textContent));
    const rows = await page.locator('#learn table.learn-wires tbody tr td:first-child').allTextContents();
    assert.deepEqual(rows.sort(), ['A.R1 → B.R1', 'A.R2 → B.R2', 'A.S → B.S', 'A.T → B.T']);
    assert.equal(await page.textContent('#learn button[type=submit]'), 'Verify with a second sample');
    assert.equal(fs.existsSync(path.join(profiles, 'cables', 'bench-trrs.conf')), false, 'nothing saved yet');
    await screenshot(page, 'learn-01-first-sample');
  });

  it('refuses a second sample that differs, saying how, and saves nothing', async () => {
    await station.select('lr-swap');
    await page.click('#learn button[type=submit]');
    await page.waitForFunction(() => /Refused: the second sample differs/.test(document.getElementById('learn-msg').textContent));
    const items = await page.locator('#learn .faults li').allTextContents();
    assert.ok(items.some((t) => /A\.T reaches B\.R1 in sample 2, not in sample 1/.test(t)), items.join('\n'));
    assert.ok(await page.locator('#learn-msg.bad').count(), 'said as a refusal');
    assert.equal(fs.existsSync(path.join(profiles, 'cables', 'bench-trrs.conf')), false);
    await screenshot(page, 'learn-02-refused');
  });

  it('saves the profile once a second sample agrees, and offers it for testing', async () => {
    await station.select('straight');
    await page.click('#learn button[type=submit]');
    await page.waitForFunction(() => /Saved: bench-trrs measured the same twice/.test(document.getElementById('learn-msg').textContent));
    assert.ok(fs.existsSync(path.join(profiles, 'cables', 'bench-trrs.conf')));
    await page.waitForFunction(() => document.getElementById('cable').value === 'bench-trrs');
    assert.match(await page.textContent('#cable-desc'), /Learned from two samples on jig trrs-4ch/);
    for (const id of ['n-pass', 'n-fail', 'n-error']) assert.equal(await page.textContent(`#${id}`), '0', `${id}: learn steps are no tests`);
    await page.waitForFunction(() => /READY/.test(document.querySelector('.verdict .v-word').textContent));
    await screenshot(page, 'learn-03-saved');
  });
});
