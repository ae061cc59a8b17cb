// The dashboard on a station with a token: it asks for the token first (and
// never puts it in a URL), keeps the session as an HttpOnly, SameSite=Strict
// cookie, and then works as without a token — a test runs and the event
// stream delivers — under the strict Content-Security-Policy, with no
// violation. Logging out ends the session.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launch, screenshot } from './lib.mjs';
import { startDaemon } from './daemon.mjs';

const TOKEN = 'bench-token-0123456789abcdef';
// The same length, one character off: a comparison of lengths only would let it in.
const WRONG = `${TOKEN.slice(0, -1)}e`;

describe('dashboard on a station with a token', { timeout: 180000 }, () => {
  let station;
  let browser;
  let page;
  const urls = [];

  before(async () => {
    station = await startDaemon({ token: TOKEN });
    browser = await launch({ width: 1280, height: 800 });
    page = browser.page;
    page.on('request', (r) => urls.push(r.url()));
    await page.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation',
        (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(station.url);
  });

  after(async () => {
    if (browser) await browser.close();
    if (station) await station.stop();
  });

  it('asks for the token before anything else', async () => {
    await page.waitForSelector('#login:not([hidden])');
    assert.ok(await page.isHidden('main'), 'nothing of the station shows before the login');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'login-token');
    assert.equal(await page.getAttribute('#login-token', 'type'), 'password');
    await screenshot(page, 'login-01-asked');
  });

  it('refuses a wrong token of the right length', async () => {
    assert.equal(WRONG.length, TOKEN.length);
    assert.notEqual(WRONG, TOKEN);
    await page.fill('#login-token', WRONG);
    await page.press('#login-token', 'Enter');
    await page.waitForFunction(() => /not this station/.test(document.getElementById('login-msg').textContent));
    assert.ok(await page.isHidden('main'));
    assert.equal((await browser.context.cookies()).length, 0, 'no session for a wrong token');
  });

  it('logs in with the token: an HttpOnly, SameSite=Strict session cookie, the token in no URL', async () => {
    await page.fill('#login-token', TOKEN);
    await Promise.all([page.waitForNavigation(), page.press('#login-token', 'Enter')]);
    await page.waitForSelector('body[data-ready]');
    await page.waitForSelector('#st-conn.ok');
    const session = (await browser.context.cookies()).find((c) => c.name === 'tonewire_session');
    assert.ok(session, 'a session cookie');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(session.path, '/');
    assert.ok(!session.value.includes(TOKEN), 'the cookie is not the token');
    assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read the session');
    assert.ok(urls.length > 5 && urls.every((u) => !u.includes(TOKEN)), 'the token is in no URL');
    assert.ok(await page.isVisible('#logout'));
    await screenshot(page, 'login-02-in');
  });

  it('a test runs, and its events arrive over the stream', async () => {
    // A second stream, opened by the page like the dashboard's own: the
    // browser sends the cookie, EventSource cannot send a header.
    const events = page.evaluate(() => new Promise((resolve, reject) => {
      const es = new EventSource('/api/v1/events');
      const seen = [];
      for (const type of ['status', 'state', 'result']) {
        es.addEventListener(type, () => {
          seen.push(type);
          if (type === 'result') {
            es.close();
            resolve(seen);
          }
        });
      }
      es.onerror = () => { if (es.readyState === EventSource.CLOSED) reject(new Error(`stream refused after ${seen}`)); };
      setTimeout(() => reject(new Error(`no result event, only ${seen}`)), 60000);
    }));
    await page.waitForFunction(() => document.querySelectorAll('#cable option').length > 0);
    await page.selectOption('#cable', 'trrs-ctia-extension');
    await page.fill('#serial', 'SN-LOGIN-0001');
    await page.press('#serial', 'Enter');
    await page.waitForSelector('.verdict.v-pass', { timeout: 60000 });
    assert.match(await page.textContent('.verdict .v-sub'), /SN-LOGIN-0001/);
    const seen = await events;
    assert.ok(seen.includes('status') && seen.includes('state') && seen.includes('result'), seen.join(', '));
    await page.waitForFunction(() => [...document.querySelectorAll('#history-table tbody tr')]
      .some((tr) => tr.textContent.includes('SN-LOGIN-0001')));
  });

  it('runs under the strict Content-Security-Policy without a violation', async () => {
    const res = await page.request.get(station.url);
    const h = res.headers();
    assert.match(h['content-security-policy'], /default-src 'none'/);
    assert.match(h['content-security-policy'], /script-src 'self'/);
    assert.match(h['content-security-policy'], /style-src 'self'/);
    assert.match(h['content-security-policy'], /frame-ancestors 'none'/);
    assert.equal(h['x-content-type-options'], 'nosniff');
    assert.equal(h['x-frame-options'], 'DENY');
    assert.equal(h['referrer-policy'], 'no-referrer');
    assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
    // The refused wrong token is the only error the console may show.
    assert.deepEqual(browser.problems.filter((p) => !/status of 401/.test(p)), []);
    assert.deepEqual(browser.offsite, []);
  });

  it('logs out: the session ends and the token is asked for again', async () => {
    await Promise.all([page.waitForNavigation(), page.click('#logout')]);
    await page.waitForSelector('#login:not([hidden])');
    assert.equal(await page.evaluate(async () => (await fetch('/api/v1/status')).status), 401);
    await screenshot(page, 'login-03-out');
  });
});
