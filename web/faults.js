// faults: every fault code of docs/result.md in plain words for the person at the bench:
// what is wrong (title) and what it does to the sound or what to check (effect).

const list = (book, contacts, end) => {
  const names = (contacts || []).filter((c) => !end || c.startsWith(end + '.'));
  const use = names.length ? names : contacts || [];
  const words = [...new Set(use.map((c) => book.words(c)))];
  if (words.length <= 1) return words[0] || 'a conductor';
  return words.slice(0, -1).join(', ') + ' and ' + words[words.length - 1];
};

const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);

const channelWord = (f) => {
  const m = { L: 'Left channel', R: 'Right channel', 'L+': 'Left channel', 'R+': 'Right channel', SIG: 'Signal', '+': 'Signal' };
  return m[f.channel] || (f.channel ? `Channel ${f.channel}` : 'A channel');
};

// Resistances rounded as the station's own fault sentences round them (dsp/classify_describe.c,
// format_ohms): "1.2 MΩ", "3.0 kΩ", "47 Ω", and two significant digits below 10 Ω ("0.51 Ω", "2 Ω"),
// so the diagram's labels and the sentences beside them say the same number. Both read the same
// double (the result's "ohms"); printf rounds its exact value and an exact tie to even, where
// toFixed and toPrecision round a tie up — 0.125 is "0.12" to printf — so the digits are taken
// far enough to see a tie and rounded here.
const printfFixed = (x, decimals) => {
  const [whole, frac = ''] = x.toFixed(Math.min(100, decimals + 30)).split('.');
  let n = BigInt(whole + frac.slice(0, decimals));
  const rest = frac.slice(decimals);
  if (rest[0] > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || n % 2n === 1n))) n += 1n;
  const digits = n.toString().padStart(decimals + 1, '0');
  return decimals ? `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}` : digits;
};
const printfTwoSignificant = (x) => {   // %.2g for 0 <= x < 10: no trailing zeros
  if (x === 0) return '0';
  const s = printfFixed(x, Math.max(0, 1 - Math.floor(Math.log10(x))));
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
};
export const fmtOhms = (x) => {
  if (typeof x !== 'number') return '';
  if (x >= 1e6) return `${printfFixed(x / 1e6, 1)} MΩ`;
  if (x >= 1e3) return `${printfFixed(x / 1e3, 1)} kΩ`;
  if (x >= 10) return `${printfFixed(x, 0)} Ω`;
  return `${printfTwoSignificant(x)} Ω`;
};

// code → {short: a few words for tables, title(fault, book), effect}
export const FAULTS = {
  lr_swap: {
    short: 'L/R swapped',
    title: () => 'Left and right are swapped',
    effect: 'The left earpiece plays the right channel and vice versa: the stereo image is mirrored.',
  },
  polarity_inverted: {
    short: 'Polarity inverted',
    title: (f) => `${channelWord(f)} polarity inverted: out of phase`,
    effect: 'Its two conductors are swapped. It still plays, but cancels against the other side: thin bass, hollow sound.',
  },
  ctia_omtp_mismatch: {
    short: 'CTIA/OMTP mismatch',
    title: () => 'Ground and microphone are swapped: CTIA plug on an OMTP device — voices will vanish (karaoke effect)',
    effect: 'The two rings next to the sleeve are crossed. Music plays without its centre (vocals) and the microphone does not work.',
  },
  trrs_in_trs: {
    short: 'TRRS in TRS',
    title: () => 'Microphone ring is shorted to ground: a TRRS plug fitted where a TRS one belongs',
    effect: 'The microphone is dead; use the right plug type for this cable.',
  },
  open: {
    short: 'Open',
    title: (f, book) => `${cap(list(book, f.contacts, 'A'))} is open (broken conductor)`,
    effect: 'No signal gets through this wire: look for a cut conductor or a missing solder joint.',
  },
  short: {
    short: 'Short',
    title: (f, book) => `${cap(list(book, f.contacts))} are shorted together${f.ohms != null ? ` (${fmtOhms(f.ohms)})` : ''}`,
    effect: 'Two conductors touch: look for a solder bridge or stray strands at the plug.',
  },
  miswire: {
    short: 'Miswired',
    title: (f, book) => `${cap(list(book, f.contacts, 'A'))} wired to the wrong contact`,
    effect: 'A conductor lands on the wrong pin at the far end: compare with the wiring diagram.',
  },
  high_resistance: {
    short: 'High resistance',
    title: (f, book) => `${cap(list(book, f.contacts, 'A'))} has high resistance${f.ohms != null ? ` (${fmtOhms(f.ohms)})` : ''}`,
    effect: 'A poor (cold) solder joint or a partly broken conductor: the sound is quieter and may crackle.',
  },
  crosstalk: {
    short: 'Crosstalk',
    title: (f) => `Signal leaks between channels${f.crosstalk_db != null ? ` (crosstalk ${f.crosstalk_db.toFixed(0)} dB)` : ''}`,
    effect: 'Usually a shared ground with too much resistance, or a partial short.',
  },
  intermittent: {
    short: 'Intermittent',
    title: (f, book) => `${cap(list(book, f.contacts, 'A'))} drops out when the cable moves${f.count ? ` (${f.count}×)` : ''}`,
    effect: 'A conductor breaks contact for a moment: typical of a cracked joint or strain-relief damage.',
  },
  unrecognized_wiring: {
    short: 'Unknown wiring',
    title: () => 'The wiring matches no known fault pattern',
    effect: 'See the wiring diagram for where each conductor actually goes.',
  },
  no_signal: {
    short: 'No signal',
    title: () => 'No test signal arrived at all',
    effect: 'Check that both plugs are pushed fully into the jig and the interface is connected, then test again.',
  },
  device_busy: {
    short: 'Device busy',
    title: () => 'The audio interface is in use by another program',
    effect: 'The station could not test: close the other program (or stop the other tonewire) that holds the interface, then test again.',
  },
  device_lost: {
    short: 'No device',
    title: () => 'The audio interface is missing or went away',
    effect: 'The station could not test: check the interface\'s USB cable and power, then test again.',
  },
  xrun: {
    short: 'Audio dropout',
    title: () => 'The station\'s audio stream kept breaking up',
    effect: 'The station could not test: the PC was too busy. Test again; if it persists, call the line engineer.',
  },
  device_setup: {
    short: 'Interface settings',
    title: () => 'The audio interface could not be set up for measuring',
    effect: 'The station could not test: a control of the interface (direct monitor, phantom power, a level) is not as the station needs it. See the station panel, fix it on the interface, then test again.',
  },
  clipping: {
    short: 'Clipping',
    title: () => 'The input is overloaded (clipping)',
    effect: 'The station cannot measure reliably: the jig or its levels need attention (call the line engineer).',
  },
  low_snr: {
    short: 'Too noisy',
    title: () => 'Too much noise to decide',
    effect: 'Reseat both plugs and keep the cable still during the test; if it persists, check the jig ground.',
  },
};

export function faultShort(code) {
  return FAULTS[code]?.short || code;
}

// {title, effect, detail}: detail is the station's own sentence and the evidence.
// A fault with alternatives (docs/result.md) says in its title that this jig cannot
// tell it from them; the station's summary says which jig could.
export function explainFault(f, book) {
  const entry = FAULTS[f.code];
  const alts = (f.alternatives || []).map((c) => faultShort(c).toLowerCase());
  const base = entry ? entry.title(f, book) : (f.summary || f.code);
  const title = alts.length ? `${base} — or ${alts.join(' or ')}: this jig cannot tell them apart` : base;
  const detail = [];
  if (f.summary && entry) detail.push(`Station: ${f.summary}`);
  if (f.contacts?.length) detail.push(`contacts ${f.contacts.join(', ')}`);
  if (typeof f.confidence === 'number') detail.push(`confidence ${Math.round(f.confidence * 100)} %`);
  return { title, effect: entry?.effect || '', detail: detail.join(' · ') };
}

// The verdict in one sentence, for the kiosk view: what is wrong with the cable
// (its first fault, and how many more), or that it is good.
export function verdictSentence(r, book) {
  const faults = r?.faults || [];
  if (!faults.length) return r?.verdict === 'pass' ? 'The cable is good.' : (r?.error || 'The station could not decide.');
  const first = explainFault(faults[0], book).title;
  const more = faults.length - 1;
  return `${first}${more ? ` (and ${more} more fault${more === 1 ? '' : 's'})` : ''}.`.replace(/\.\.$/, '.');
}
