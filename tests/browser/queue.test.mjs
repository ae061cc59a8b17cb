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
      // The refusal needs the second scan to reach the station while the first is on the jig. A
      // reader's 40 ms makes that so on a bench, but a loaded test machine can hold the page up
      // for longer than a 0.4 s test: the second scan is sent once the station says the first is
      // measuring, and a pair whose second scan still came too late (and so was tested, not
      // refused) is tried again with new serials.
      let first = null;
      let second = null;
      for (let attempt = 1; attempt <= 3 && !second; attempt++) {
        const [c, d] = [`SCAN-C${attempt}`, `SCAN-D${attempt}`];
        const before = (await quiet.statusUntil((st) => st.state === 'idle', 'idle', 5)).last_test ?? 0;
        await page.focus('#serial');
        await page.keyboard.insertText(c);
        await page.keyboard.press('Enter');
        // On the jig, or (too slow to see it there) already done.
        await quiet.statusUntil((st) => st.state !== 'idle' || (st.last_test ?? 0) > before, 'a test', 5);
        await page.keyboard.insertText(d);
        await page.keyboard.press('Enter');
        const outcome = await page.waitForFunction((serial) => {
          const banner = document.getElementById('banner');
          if (banner.classList.contains('banner-bad') && !banner.hidden) return 'refused';
          return window.seen.verdicts.some((v) => v.serial === serial) ? 'tested' : null;
        }, d, { timeout: 60000 });
        if ((await outcome.jsonValue()) === 'refused') [first, second] = [c, d];
      }
      assert.ok(second, 'in three tries a second scan reached the station while the first was measuring');
      const text = await page.textContent('#banner');
      assert.match(text, new RegExp(`${second} was NOT tested`));
      assert.ok(await page.$eval('#banner', (e) => getComputedStyle(e).backgroundColor === 'rgb(192, 38, 45)'), 'the banner is red');
      await page.waitForFunction(() => document.body.dataset.sound === 'refused');
      await page.waitForFunction((serial) => window.seen.verdicts.some((v) => v.serial === serial), first, { timeout: 60000 });
      await screenshot(page, 'queue-refused');
      const list = await (await fetch(`${quiet.url}api/v1/tests?limit=10`)).json();
      assert.equal(list[0].serial, first, 'the first of the pair was tested');
      assert.ok(!list.some((r) => r.serial === second), 'the second was not; the page said so');
      // The banner stays until the operator scans again.
      await page.keyboard.insertText(second);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#banner', { state: 'hidden' });
      await page.waitForFunction((serial) => window.seen.verdicts.some((v) => v.serial === serial), second, { timeout: 60000 });
    } finally {
      await b.close();
      await quiet.stop();
    }
  });

  it('raised no script error', () => {
    assert.deepEqual(browser.problems.filter((p) => !/Failed to load resource/.test(p)), []);
  });
});
