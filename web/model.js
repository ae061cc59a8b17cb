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
  if (contact === 'C') return 'centre pin';
  if (contact === 'S') return 'shell';
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

export class Profiles {
  constructor(data) {
    this.connectors = new Map((data?.connectors || []).map((c) => [c.name, c]));
    this.cables = new Map((data?.cables || []).map((c) => [c.name, c]));
    this.jigs = new Map((data?.jigs || []).map((j) => [j.name, j]));
  }

  // Both ends of a cable (falling back to the jig's sockets when the cable is unknown).
  ends(cableName, jigName) {
    const cable = this.cables.get(cableName);
    const jig = this.jigs.get(jigName);
    const a = cable ? cable.end_a : jig?.socket_a;
    const b = cable ? cable.end_b : jig?.socket_b;
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

// The conductors a good cable has, as [near id, far id] pairs: the cable's explicit
// wiring when the API gives one, else contacts of equal role connect (same plug
// label first when both ends have several plugs).
export function expectedPairs(ends) {
  const cable = ends.cable;
  const explicit = cable && (cable.wiring || cable.wires || cable.wire);
  if (Array.isArray(explicit) && explicit.length) {
    return explicit.map((w) => (Array.isArray(w) ? w : String(w).split(/\s+/)))
      .filter((w) => w.length >= 2).map(([x, y]) => [`A.${x.replace(/^A\./, '')}`, `B.${y.replace(/^B\./, '')}`]);
  }
  const far = ends.b.flatMap((p) => p.contacts);
  const pairs = [];
  for (const plug of ends.a) {
    for (const c of plug.contacts) {
      if (!c.role || c.role === 'NC') continue;
      const same = far.filter((f) => f.role === c.role);
      const pick = same.filter((f) => !c.plug || f.plug === c.plug);
      for (const f of (pick.length ? pick : same)) pairs.push([`A.${c.id}`, `B.${f.id}`]);
    }
  }
  return pairs;
}
