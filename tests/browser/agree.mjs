// What the dashboard shows of a result must agree with the result itself and with its
// diagnosis: the verdict, the fault list and its numbers, the channel table and the
// wiring diagram. Every expected value here comes from the result object the station
// stored (or from the cable's own definition), never from the page's code.
import assert from 'node:assert/strict';

// "3.0 kΩ", "0.5 Ω": the resistance the station's own sentence gives.
export function ohmsIn(summary) {
  const m = /(\d+(?:\.\d+)?\s?k?Ω)/.exec(summary || '');
  return m ? m[1] : null;
}

// A per-contact jig with the same connector at both ends, as trrs-ctia-extension
// is built: each near-end contact belongs to the far-end contact of the same name.
const twin = (a) => `B.${a.slice(2)}`;

export async function checkAgreement(page, r, where) {
  const say = (what) => `${where}: ${what}`;
  const word = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' }[r.verdict];
  assert.equal(await page.textContent('.verdict .v-word'), word, say('the verdict'));
  if (r.serial) assert.match(await page.textContent('.verdict .v-sub'), new RegExp(r.serial.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), say('the serial'));

  // The fault list: one entry per fault, in the station's order, with the station's numbers.
  const items = await page.$$eval('#faults li[data-code]', (lis) => lis.map((li) => ({ code: li.dataset.code, text: li.textContent })));
  assert.deepEqual(items.map((i) => i.code), r.faults.map((f) => f.code), say('the fault list'));
  r.faults.forEach((f, k) => {
    const ohms = ohmsIn(f.summary);
    if (ohms) assert.ok(items[k].text.includes(ohms), say(`the ${f.code} sentence says ${ohms} as the station does (${items[k].text})`));
  });
  if (r.faults.length) {
    // The kiosk's one sentence is the first fault's.
    const first = await page.textContent('#faults li[data-code] strong');
    assert.ok((await page.textContent('.verdict .v-say')).startsWith(first), say('the verdict sentence is the first fault'));
  }

  // The channel table: the station's channels, its numbers, read where the wiring puts them.
  const rows = await page.$$eval('#channels tbody tr', (trs) => trs.map((tr) => ({
    name: tr.querySelector('th')?.textContent,
    cells: [...tr.querySelectorAll('td')].map((td) => ({ text: td.textContent, bad: td.classList.contains('bad') })),
  })));
  assert.equal(rows.length, r.channels.length, say('one row per channel'));
  const codes = new Set(r.faults.map((f) => f.code));
  r.channels.forEach((c, k) => {
    const row = rows[k];
    assert.equal(row.name, c.found_at ? `${c.name} at ${c.found_at}` : c.name, say(`channel ${c.name}'s name`));
    assert.equal(row.cells[0].text, c.level_db.toFixed(2), say(`channel ${c.name}'s level`));
    assert.equal(row.cells[2].text.includes('inverted'), c.polarity === 'inverted', say(`channel ${c.name}'s polarity`));
    assert.equal(row.cells[5].text, c.mono_ratio_db.toFixed(1), say(`channel ${c.name}'s mono sum`));
    // …and what the diagnosis says of it.
    if (codes.has('lr_swap') || r.verdict === 'pass') {
      assert.ok(Math.abs(c.level_db) < 1, say(`channel ${c.name} arrives at full level (${c.level_db} dB)`));
      assert.equal(c.polarity, 'normal', say(`channel ${c.name} in phase`));
    }
    if (codes.has('lr_swap')) assert.ok(c.found_at && c.found_at !== c.name, say(`a swapped ${c.name} is found at the other side`));
    if (r.verdict === 'pass') assert.equal(c.found_at, undefined, say(`a good cable's ${c.name} is where it belongs`));
    if (codes.has('ctia_omtp_mismatch')) {
      assert.ok(c.mono_ratio_db < -12 && row.cells[5].bad, say(`the mono sum of ${c.name} cancels, and is marked (${c.mono_ratio_db})`));
    }
  });
  for (const f of r.faults.filter((x) => x.code === 'polarity_inverted' && x.channel)) {
    const k = r.channels.findIndex((c) => c.name === f.channel);
    assert.ok(k >= 0 && rows[k].cells[2].text.includes('inverted'), say(`channel ${f.channel} shows inverted`));
  }

  // The diagram: each measured path drawn as what it is.
  const wires = await page.$$eval('#wiring-diagram path.wire', (ps) => ps.map((p) => ({ from: p.dataset.from, to: p.dataset.to, kind: p.dataset.kind })));
  const bridges = await page.$$eval('#wiring-diagram path.short-bridge', (ps) => ps.map((p) => [p.dataset.a, p.dataset.b].sort().join('|')));
  const shorts = r.faults.filter((f) => f.code === 'short');
  const shorted = new Set(shorts.flatMap((f) => f.contacts));
  const inShort = (c) => shorted.has(c) || shorted.has(twin(c)) || shorted.has(`A.${c.slice(2)}`);
  const kindOf = (from, to) => wires.filter((w) => w.from === from && w.to === to).map((w) => w.kind);
  for (const w of r.wiring) {
    if (!w.to.length) {
      assert.deepEqual(kindOf(w.from, twin(w.from)), ['open'], say(`${w.from} drawn open`));
      continue;
    }
    for (const to of w.to) {
      if (to === twin(w.from)) {
        const hr = codes.has('high_resistance') && r.faults.some((f) => f.code === 'high_resistance' && f.contacts.includes(w.from));
        assert.deepEqual(kindOf(w.from, to), [hr ? 'highres' : 'ok'], say(`${w.from} → ${to}`));
      } else if (shorts.length && inShort(w.from) && inShort(to)) {
        assert.deepEqual(kindOf(w.from, to), [], say(`${w.from} → ${to} comes through the short: no line of its own`));
      } else {
        assert.deepEqual(kindOf(w.from, to), ['swapped'], say(`${w.from} → ${to} drawn crossed`));
      }
    }
  }
  assert.ok(!wires.some((w) => w.kind === 'short'), say('a short is never drawn as a crossing line'));
  assert.deepEqual(bridges.sort(), shorts.map((f) => [...f.contacts].sort().join('|')).sort(), say('one bridge per short, between its contacts'));
  const labels = await page.$$eval('#wiring-diagram .line-label', (ts) => ts.map((t) => t.textContent));
  for (const f of r.faults.filter((x) => x.code === 'short' || x.code === 'high_resistance')) {
    const ohms = ohmsIn(f.summary);
    assert.ok(ohms, say(`the station's ${f.code} sentence gives a resistance (${f.summary})`));
    assert.ok(labels.some((l) => l.includes(ohms)), say(`the diagram labels ${ohms} as the station's sentence does (${labels.join(', ')})`));
  }
}
