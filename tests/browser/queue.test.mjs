// Scans are never lost (a barcode reader sends a serial and Enter; the next one may come
// 40 ms later, while the first is being tested): the second waits its turn, shows as
// "next", and both are tested and stored in order, each result shown as it arrives. A
// station set not to queue ([station] queue_scans = no) refuses the second out loud: a
// red banner naming it, and a sound.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launch, screenshot } from './lib.mjs';
import { startDaemon } from './daemon.mjs';

const SLOW = 'windows = 64';

// What the page showed over time, kept by the page itself: the "next" line and every
// verdict with its serial, in the order they appeared.
function recorder() {
  window.seen = { next: [], verdicts: [] };
  const watch = () => {
    const v = document.getElementById('verdict');
    if (!v) return setTimeout(watch, 20);
    new MutationObserver(() => {
      const next = document.getElementById('v-next');
      if (next && !next.hidden && next.textContent) window.seen.next.push(next.textContent);
      const word = v.querySelector('.v-word').textContent;
      const serial = /Serial (\S+)/.exec(v.querySelector('.v-sub').textContent)?.[1];
      const last = window.seen.verdicts[window.seen.verdicts.length - 1];
      if (/^(PASS|FAIL|ERROR)$/.test(word) && serial && !(last && last.serial === serial && last.word === word)) {
        window.seen.verdicts.push({ word, serial });
      }
    }).observe(v, { subtree: true, childList: true, characterData: true, attributes: true });
    return undefined;
  };
  watch();
}

// Two scans as a reader sends them: the characters at once, Enter, 40 ms, the next
// characters, Enter (a reader types far faster than one key event per round trip).
async function twoScans(page, a, b) {
  await page.focus('#serial');
  await page.keyboard.insertText(a);
  await page.keyboard.press('Enter');
  await new Promise((r) => setTimeout(r, 40));   // the reader's pace, not a wait for the page
  await page.keyboard.insertText(b);
  await page.keyboard.press('Enter');
}

async function open(station) {
  const b = await launch({ width: 1280, height: 800 });
  await b.page.addInitScript(recorder);
  await b.page.goto(station.url);
  await b.page.waitForSelector('body[data-ready]');
  await b.page.selectOption('#cable', 'trrs-ctia-extension');
  return b;
}

describe('scans that come while a test runs', { timeout: 240000 }, () => {
  let station;
  let browser;

  before(async () => {
    // The demo cables at the jig's own pace, 64 analysis windows of 256 frames a test (about 0.4 s):
    // the second scan comes while the first is measured, as on a bench.
    station = await startDaemon({ demos: 'repo', station: SLOW });
    browser = await open(station);
  });

  after(async () => {
    if (browser) await browser.close();
    if (station) await station.stop();
  });

  it('SCAN-A, then SCAN-B 40 ms later: SCAN-B shows as next, both are tested and stored in order', async () => {
    const page = browser.page;
    await twoScans(page, 'SCAN-A', 'SCAN-B');
    assert.equal(await page.evaluate(() => document.getElementById('serial').readOnly), false, 'the field stays writable');
    await page.waitForFunction(() => window.seen.verdicts.some((v) => v.serial === 'SCAN-B'), null, { timeout: 60000 });
    const seen = await page.evaluate(() => window.seen);
    assert.ok(seen.next.some((t) => /SCAN-B/.test(t)), `SCAN-B was shown as next: ${JSON.stringify(seen.next)}`);
    assert.deepEqual(seen.verdicts.map((v) => v.serial), ['SCAN-A', 'SCAN-B'], 'each result showed as it arrived, in order');
    const list = await (await fetch(`${station.url}api/v1/tests?limit=10`)).json();
    const mine = list.filter((r) => /^SCAN-/.test(r.serial)).reverse();
    assert.deepEqual(mine.map((r) => r.serial), ['SCAN-A', 'SCAN-B'], 'two stored results');
    assert.ok(mine[0].id < mine[1].id && mine[0].started_at <= mine[1].started_at, 'in the order they were scanned');
    for (const r of mine) assert.equal(r.verdict, 'pass', `${r.serial}: ${JSON.stringify(r.faults)}`);
    assert.ok(await page.isHidden('#v-next'), 'nothing left waiting');
    assert.ok(await page.isHidden('#banner'), 'nothing refused');
  });

  it('a station that does not queue refuses the second scan out loud: banner and sound', async () => {
    const quiet = await startDaemon({ demos: 'repo', station: `${SLOW}\nqueue_scans = no` });
    const b = await open(quiet);
    try {
      const page = b.page;
      await twoScans(page, 'SCAN-C', 'SCAN-D');
      await page.waitForSelector('#banner.banner-bad:not([hidden])', { timeout: 30000 });
      const text = await page.textContent('#banner');
      assert.match(text, /SCAN-D was NOT tested/);
      assert.ok(await page.$eval('#banner', (e) => getComputedStyle(e).backgroundColor === 'rgb(192, 38, 45)'), 'the banner is red');
      await page.waitForFunction(() => document.body.dataset.sound === 'refused');
      await page.waitForFunction(() => window.seen.verdicts.some((v) => v.serial === 'SCAN-C'), null, { timeout: 60000 });
      await screenshot(page, 'queue-refused');
      const list = await (await fetch(`${quiet.url}api/v1/tests?limit=10`)).json();
      assert.deepEqual(list.map((r) => r.serial), ['SCAN-C'], 'only the first was tested; the page said so of the second');
      // The banner stays until the operator scans again.
      await page.keyboard.insertText('SCAN-D');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#banner', { state: 'hidden' });
      await page.waitForFunction(() => window.seen.verdicts.some((v) => v.serial === 'SCAN-D'), null, { timeout: 60000 });
    } finally {
      await b.close();
      await quiet.stop();
    }
  });

  it('raised no script error', () => {
    assert.deepEqual(browser.problems.filter((p) => !/Failed to load resource/.test(p)), []);
  });
});
