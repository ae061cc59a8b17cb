// learn: the dashboard's "Learn a cable" flow — a first good sample kept, a second one verifying it,
// then the new cable profile in the cable list (POST /api/v1/learn, one sample per request).

import { ApiError, sendJSON } from './api.js';

const el = (tag, props = {}, ...kids) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...kids);
  return e;
};

// The conductors of a sample as a table: near → far, resistance and what the jig resolves.
function wiresTable(wires) {
  const body = el('tbody');
  for (const w of wires || []) {
    const noise = w.sigma_ohms == null ? '' : `± ${Number(w.sigma_ohms).toPrecision(2)}`;
    body.append(el('tr', {},
      el('td', { textContent: `${w.from} → ${w.to}` }),
      el('td', { textContent: Number(w.ohms).toPrecision(3) }),
      el('td', { textContent: noise })));
  }
  const head = el('thead', {}, el('tr', {},
    el('th', { scope: 'col', textContent: 'Conductor' }),
    el('th', { scope: 'col', textContent: 'Ω' }),
    el('th', { scope: 'col', textContent: 'noise Ω' })));
  return el('div', { className: 'scroll-x' }, el('table', { className: 'data learn-wires' }, head, body));
}

export class Learn {
  // card: the <section> to fill; opts.jigSockets() gives {a, b} of the station's jig;
  // opts.onSaved(name) runs once a profile is written (reload the cable list, select it).
  constructor(card, opts) {
    this.card = card;
    this.opts = opts;
    this.step = 'first';   // first → second → (saved | differs)
    this.build();
  }

  build() {
    const id = (s) => `learn-${s}`;
    this.endA = el('input', { id: id('a'), type: 'text', spellcheck: false, required: true });
    this.endB = el('input', { id: id('b'), type: 'text', spellcheck: false, required: true });
    this.name = el('input', { id: id('name'), type: 'text', spellcheck: false, placeholder: 'learned-A-to-B' });
    this.go = el('button', { className: 'btn primary', type: 'submit', textContent: 'Learn first sample' });
    this.restart = el('button', { className: 'btn small ghost', type: 'button', textContent: 'Start over', hidden: true });
    this.msg = el('p', { className: 'hint', id: id('msg') });
    this.msg.setAttribute('aria-live', 'polite');
    this.out = el('div', { className: 'learn-out' });
    const field = (label, input, hint) => el('div', { className: 'field' },
      el('label', { htmlFor: input.id, textContent: label }), input,
      hint ? el('p', { className: 'hint', textContent: hint }) : '');
    this.form = el('form', { autocomplete: 'off' },
      field('Near end (driven)', this.endA, 'A connector, or labelled plugs: left:ts-2.5 right:ts-2.5'),
      field('Far end (sensed)', this.endB),
      field('Profile name', this.name, 'Leave empty for learned-<near>-to-<far>.'),
      el('div', { className: 'flex-row' }, this.go, this.restart), this.msg);
    this.card.append(
      el('div', { className: 'card-head' }, el('h2', { id: 'learn-h', textContent: 'Learn a cable' })),
      el('p', { className: 'hint', textContent: 'Put a known-good sample in the jig (a per-contact jig: every contact ' +
        'driven and sensed on its own). Its wire list and the resistance of each conductor are measured and kept; ' +
        'a second sample must measure the same before the cable profile is saved.' }),
      this.form, this.out);
    this.card.setAttribute('aria-labelledby', 'learn-h');
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.sample(false); });
    this.restart.addEventListener('click', () => this.sample(true));
    this.fill();
  }

  // The jig's sockets are the usual ends; the user may name others that fit them.
  fill() {
    const s = this.opts.jigSockets();
    if (s?.a && !this.endA.value) this.endA.value = s.a;
    if (s?.b && !this.endB.value) this.endB.value = s.b;
  }

  say(text, bad = false) {
    this.msg.textContent = text;
    this.msg.classList.toggle('bad', bad);
  }

  async sample(restart) {
    const body = { end_a: this.endA.value.trim(), end_b: this.endB.value.trim() };
    if (this.name.value.trim()) body.name = this.name.value.trim();
    if (restart) body.restart = true;
    this.go.disabled = true;
    this.restart.disabled = true;
    this.say('Measuring the sample…');
    try {
      const { body: r, status } = await sendJSON('POST', '/api/v1/learn', body);
      this.shown(r, status);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && err.body?.learn) this.refused(err.body);
      else this.say(err.message, true);
    } finally {
      this.go.disabled = false;
      this.restart.disabled = false;
    }
  }

  shown(r, status) {
    const l = r.learn || {};
    this.out.textContent = '';
    if (status === 201) {
      this.step = 'first';
      this.say(`Saved: ${l.name} measured the same twice. It is in the cable list now.`);
      this.out.append(el('p', { className: 'hint', textContent: `Written to ${l.profile}` }), wiresTable(l.wires));
      this.go.textContent = 'Learn first sample';
      this.restart.hidden = true;
      this.opts.onSaved(l.name);
      return;
    }
    this.step = 'second';
    this.name.value = l.name || this.name.value;
    this.say(`Sample 1 of ${l.name} kept (${(l.wires || []).length} conductors). Put a second good sample in the jig ` +
      'and verify it: nothing is saved until it measures the same.');
    this.out.append(wiresTable(l.wires));
    this.go.textContent = 'Verify with a second sample';
    this.restart.hidden = false;
  }

  refused(r) {
    const l = r.learn || {};
    this.out.textContent = '';
    this.say(l.step === 'differs'
      ? 'Refused: the second sample differs from the first, so nothing was saved. Try another sample, or start over.'
      : 'Refused: this sample cannot be learned.', true);
    const list = el('ul', { className: 'faults' });
    for (const f of r.faults || []) list.append(el('li', { textContent: f.summary }));
    this.out.append(list);
  }
}
