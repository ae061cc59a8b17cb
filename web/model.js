// model: turns /api/v1/profiles into cable ends with named, role-tagged contacts,
// and says in words what a contact is ("ground (ring 2)").

const ROLE_WORDS = {
  L: 'left', R: 'right', G: 'ground', MIC: 'microphone',
  'L+': 'left +', 'L-': 'left −', 'R+': 'right +', 'R-': 'right −',
  '+': '+', '-': '−', SIG: 'signal', GND: 'ground', SHIELD: 'shield', DATA: 'data', NC: 'unused',
};

const JACK_CONTACTS = new Set(['T', 'R', 'R1', 'R2', 'R3', 'S']);

export function roleWord(role) {
  return ROLE_WORDS[role] || role || '';
}

// The drawing style of a connector: a jack plug with rings, XLR pins, RCA, or generic pins.
export function connectorKind(conn) {
  const name = (conn.name || '').toLowerCase();
  if (name.includes('xlr')) return 'xlr';
  if (name.includes('rca') || name.includes('phono')) return 'rca';
  if (name.includes('mmcx')) return 'mmcx';
  if (conn.contacts.length && conn.contacts.every((c) => JACK_CONTACTS.has(c))) return 'jack';
  return 'pins';
}

// "T" → "tip", "R2" → "ring 2", "2" → "pin 2".
export function partWord(contact, kind) {
  if (kind === 'jack' || kind === 'rca') {
    if (contact === 'T') return 'tip';
    if (contact === 'R') return 'ring';
    if (/^R\d$/.test(contact)) return `ring ${contact.slice(1)}`;
    if (contact === 'S') return kind === 'rca' ? 'shell' : 'sleeve';
  }
  if (/^\d+$/.test(contact)) return `pin ${contact}`;
  if (contact === '+') return '+ pin';
  if (contact === '-') return '− pin';
  const named = { C: 'centre pin', S: 'shell', SH: 'shell', BODY: 'body', SMALL: 'small pin', LARGE: 'large pin' };
  if (named[contact]) return named[contact];
  return contact;
}

// An end spec is "trs-3.5" or "left:2pin-0.78 right:2pin-0.78"; the API may also
// give an array of {label, connector}. Unknown connectors yield an empty plug.
export function parseEnd(spec, connectors) {
  let parts;
  if (Array.isArray(spec)) {
    parts = spec.map((p) => (typeof p === 'string' ? p : `${p.label ? p.label + ':' : ''}${p.connector || p.name}`));
  } else {
    parts = String(spec || '').trim().split(/\s+/).filter(Boolean);
  }
  return parts.map((p) => {
    const i = p.indexOf(':');
    const label = i > 0 ? p.slice(0, i) : '';
    const name = i > 0 ? p.slice(i + 1) : p;
    const conn = connectors.get(name) || { name, description: '', contacts: [], roles: [] };
    const kind = connectorKind(conn);
    return {
      label, connector: conn, kind,
      contacts: conn.contacts.map((c, k) => ({
        contact: c, id: label ? `${label}.${c}` : c, role: conn.roles[k] || '', plug: label, kind,
      })),
    };
  });
}

// Contacts come as [{name, role}] from tonewired, or as parallel contacts/roles
// arrays (the profile files' own shape): keep one shape here.
function normalConnector(c) {
  const list = c.contacts || [];
  if (list.length && typeof list[0] === 'object') {
    return { ...c, contacts: list.map((x) => x.name), roles: list.map((x) => x.role || '') };
  }
  return { ...c, contacts: list, roles: c.roles || [] };
}

export class Profiles {
  constructor(data) {
    this.connectors = new Map((data?.connectors || []).map((c) => [c.name, normalConnector(c)]));
    this.cables = new Map((data?.cables || []).map((c) => [c.name, c]));
    this.jigs = new Map((data?.jigs || []).map((j) => [j.name, {
      ...j, socket_a: j.socket_a ?? j.sockets?.a, socket_b: j.socket_b ?? j.sockets?.b,
    }]));
    this.stationJig = data?.jig || [...this.jigs.values()].find((j) => j.station)?.name || null;
  }

  // Cables this station's jig can test (all of them when the API does not say).
  fitting() {
    const all = [...this.cables.values()];
    const fit = all.filter((c) => c.fits_jig !== false);
    return fit.length ? fit : all;
  }

  // Both ends of a cable (falling back to the jig's sockets when the cable is unknown).
  ends(cableName, jigName) {
    const cable = this.cables.get(cableName);
    const jig = this.jigs.get(jigName);
    const a = cable ? (cable.plugs_a || cable.end_a) : jig?.socket_a;
    const b = cable ? (cable.plugs_b || cable.end_b) : jig?.socket_b;
    return { a: parseEnd(a, this.connectors), b: parseEnd(b, this.connectors), cable };
  }
}

// Context to describe contacts of one result: "A.R2" → {end, id, role, part}.
export class ContactBook {
  constructor(ends) {
    this.map = new Map();
    for (const [end, plugs] of [['A', ends.a], ['B', ends.b]]) {
      for (const plug of plugs) {
        for (const c of plug.contacts) this.map.set(`${end}.${c.id}`, { ...c, end });
      }
    }
  }

  get(name) {
    const c = this.map.get(name);
    if (c) return c;
    const m = /^([AB])\.(.*)$/.exec(name || '');
    return { end: m ? m[1] : '', id: m ? m[2] : name, contact: m ? m[2] : name, role: '', plug: '', kind: 'pins' };
  }

  // "ground (ring 2)", "left (tip, left plug)"; the role leads because that is what
  // an operator understands; the part says where to look.
  words(name) {
    const c = this.get(name);
    const part = partWord(c.contact, c.kind);
    const where = c.plug ? `${part}, ${c.plug} plug` : part;
    const role = roleWord(c.role);
    if (!role || role === part) return where;
    return `${role} (${where})`;
  }
}

// The key a contact is matched by: equal keys on the two ends of a good cable
// are connected (the rules of profiles/README.md). L and L+ are one signal; a
// plug labelled left/right makes its + / SIG that side's hot and its - that
// side's return; G and GND are one ground; NC connects to nothing.
function roleKey(role, label) {
  const side = /^(left|l)$/i.test(label || '') ? 'L' : /^(right|r)$/i.test(label || '') ? 'R' : '';
  switch (role) {
    case 'L': case 'L+': return 'L+';
    case 'R': case 'R+': return 'R+';
    case 'L-': case 'R-': case 'MIC': case 'DATA': case 'SHIELD': return role;
    case 'G': case 'GND': return 'G';
    case '+': case 'SIG': case '-': {
      const base = role === 'SIG' ? 'SIG' : role;
      if (side) return `${side}${role === '-' ? '-' : '+'}`;
      return label ? `${label}:${base}` : base;
    }
    default: return '';
  }
}

// The conductors a good cable has, as [near name, far name] pairs: the cable's
// explicit wiring when the API gives one, else the role rules above, with a
// ground that finds no partner split to the other end's unmatched returns
// (a TRS sleeve to both IEM plugs' - pins).
export function expectedPairs(ends) {
  const cable = ends.cable;
  const explicit = cable && (cable.wiring || cable.wires || cable.wire);
  if (Array.isArray(explicit) && explicit.length) {
    return explicit.map((w) => (Array.isArray(w) ? w : String(w).split(/\s+/)))
      .filter((w) => w.length >= 2).map(([x, y]) => [`A.${x.replace(/^A\./, '')}`, `B.${y.replace(/^B\./, '')}`]);
  }
  const side = (plugs, end) => plugs.flatMap((p) => p.contacts).map((c) => ({ name: `${end}.${c.id}`, key: roleKey(c.role, c.plug), matched: false }));
  const a = side(ends.a, 'A');
  const b = side(ends.b, 'B');
  const pairs = [];
  const seen = new Set();
  const add = (x, y) => {
    if (!seen.has(`${x}|${y}`)) { seen.add(`${x}|${y}`); pairs.push([x, y]); }
  };
  for (const x of a) {
    for (const y of b) {
      if (x.key && x.key === y.key) { add(x.name, y.name); x.matched = y.matched = true; }
    }
  }
  const fallback = (grounds, others, gIsA) => {
    for (const g of grounds) {
      if (g.matched || g.key !== 'G') continue;
      for (const m of others) {
        if (!m.matched && m.key.endsWith('-')) (gIsA ? add(g.name, m.name) : add(m.name, g.name));
      }
    }
  };
  fallback(a, b, true);
  fallback(b, a, false);
  return pairs;
}
