"""The shipped catalogue read apart from tonewire: connectors, cables and jigs from their files, the
wiring a good cable has from the role rules of profiles/README.md, and the four faults every cable
is tested with (swap, polarity, open, short), each with the answer the result must give.

Nothing here asks tonewire what a profile means: the rules are written again from the README, so
a loader that paired the wrong contacts, or a classifier that named a fault from anything but the
profiles' roles and plug labels, disagrees with this file.
"""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.realpath(os.path.join(HERE, "../.."))
PROFILES = os.path.join(SOURCE, "profiles")

PHONE_TYPES = ("ts", "trs", "trrs", "trrrs")


def read_ini(path):
    """{section: [(key, value), …]}: the INI of docs/formats.md (`;`/`#` comments, also after a blank)."""
    out, section = {}, None
    with open(path) as f:
        for raw in f:
            line = re.split(r"(?:^|\s)[;#]", raw.rstrip("\n"), maxsplit=1)[0].strip()
            if not line:
                continue
            if line.startswith("["):
                section = line.strip("[]")
                out.setdefault(section, [])
                continue
            key, value = (s.strip() for s in line.split("=", 1))
            out[section].append((key, value))
    return out


def first(ini, section, key, default=None):
    return next((v for k, v in ini.get(section, []) if k == key), default)


def names(kind):
    folder = os.path.join(PROFILES, kind + "s")
    return sorted(f[:-5] for f in os.listdir(folder) if f.endswith(".conf"))


def connector(name):
    ini = read_ini(os.path.join(PROFILES, "connectors", name + ".conf"))
    return list(zip(first(ini, "connector", "contacts").split(), first(ini, "connector", "roles").split()))


def end(spec):
    """An end ("trs-3.5" or "left:ts-2.5 right:ts-2.5") as [(contact, role, label, connector)]."""
    out = []
    for plug in spec.split():
        label, conn = plug.split(":") if ":" in plug else ("", plug)
        for contact, role in connector(conn):
            out.append((f"{label}.{contact}" if label else contact, role.replace("\u2212", "-"), label, conn))
    return out


def plugs(spec):
    """{label: connector} of an end."""
    return {(p.split(":")[0] if ":" in p else ""): p.split(":")[-1] for p in spec.split()}


def side_of(label):
    return {"left": "L", "l": "L", "right": "R", "r": "R"}.get(label.lower())


def key_of(role, label):
    """The matching key of profiles/README.md, "How the expected wiring follows from the roles"."""
    if role in ("L", "L+"):
        return "L+"
    if role in ("R", "R+"):
        return "R+"
    if role in ("L-", "R-", "MIC", "DATA"):
        return role
    if role in ("G", "GND", "SHIELD"):
        return "G"
    if role in ("+", "SIG", "-"):
        base = "-" if role == "-" else ("+" if role == "+" else "SIG")
        side = side_of(label) if label else None
        if side:
            return side + ("-" if role == "-" else "+")
        return f"{label}:{base}" if label else base
    return None   # NC


def cable(name):
    """{name, a, b: ends, spec_a, spec_b, wires: [(A contact, B contact)]} with the good wiring."""
    ini = read_ini(os.path.join(PROFILES, "cables", name + ".conf"))
    spec_a, spec_b = first(ini, "cable", "end_a"), first(ini, "cable", "end_b")
    a, b = end(spec_a), end(spec_b)
    explicit = [v.split() for k, v in ini.get("cable", []) if k == "wire"]
    if explicit:
        wires = [(x[2:] if x.startswith("A.") else x, y[2:] if y.startswith("B.") else y) for x, y in explicit]
    else:
        ka = {c: key_of(r, lab) for c, r, lab, _ in a}
        kb = {c: key_of(r, lab) for c, r, lab, _ in b}
        wires = [(x, y) for x, kx in ka.items() for y, ky in kb.items() if kx and kx == ky]
        matched_a, matched_b = {x for x, _ in wires}, {y for _, y in wires}
        # A ground with no partner joins every return of the other end left unmatched (a shield never).
        for ends, keys, other_keys, matched, other_matched, a_side in (
                (a, ka, kb, matched_a, matched_b, True), (b, kb, ka, matched_b, matched_a, False)):
            for c, r, _, _ in ends:
                if keys[c] != "G" or c in matched or r == "SHIELD":
                    continue
                for o, ko in other_keys.items():
                    if ko and ko.endswith("-") and o not in other_matched:
                        wires.append((c, o) if a_side else (o, c))
    return {"name": name, "a": a, "b": b, "spec_a": spec_a, "spec_b": spec_b, "wires": wires}


def jig(name):
    ini = read_ini(os.path.join(PROFILES, "jigs", name + ".conf"))
    inputs = {}
    for ch, v in ini.get("inputs", []):
        legs = v.split()
        inputs[int(ch)] = (legs[0].lstrip("+"), legs[1].lstrip("-")) if len(legs) == 2 else (legs[0], None)
    return {"name": name, "spec_a": first(ini, "jig", "socket_a"), "spec_b": first(ini, "jig", "socket_b"),
            "outputs": {int(ch): v for ch, v in ini.get("outputs", [])}, "inputs": inputs,
            "ties": [v for k, v in ini.get("ground", []) if k == "tie"],
            "loads": [v.split() for k, v in ini.get("loads", []) if k == "load"]}


def shell(conn):
    """What a socket physically takes: a phone socket any plug of its type and size ("trrs-3.5": CTIA,
    OMTP, JH3A and balanced 3.5 mm TRRS plugs differ only in wiring); any other connector itself."""
    parts = conn.split("-")
    if parts[0] in PHONE_TYPES and len(parts) > 1:
        return parts[0] + "-" + parts[1]
    return conn


def mates(socket_spec, end_spec):
    """The end's plugs go into the socket's, label by label, physically and by contact names."""
    s, e = plugs(socket_spec), plugs(end_spec)
    if set(s) != set(e):
        return False
    return all(shell(s[k]) == shell(e[k]) and sorted(c for c, _ in connector(s[k])) ==
               sorted(c for c, _ in connector(e[k])) for k in s)


def per_contact(j):
    """Every socket A contact driven, every socket B contact sensed on its own, nothing tied or loaded."""
    driven = set(j["outputs"].values())
    sensed = {pos for pos, neg in j["inputs"].values() if neg is None}
    return (not j["ties"] and not j["loads"] and all(f"A.{c}" in driven for c, *_ in end(j["spec_a"])) and
            all(f"B.{c}" in sensed for c, *_ in end(j["spec_b"])))


def jigs_for(c):
    return [n for n in names("jig") if mates(jig(n)["spec_a"], c["spec_a"]) and mates(jig(n)["spec_b"], c["spec_b"])]


# ---- what each conductor carries, and the four faults ----

def channel_of(c, wire):
    """(channel, part) of a good conductor: channel "L", "R", a plug label, "" for an unlabelled
    single signal, or None for ground/MIC/DATA; part "hot", "ret" (the channel's own return) or
    "gnd" (the shared ground). Read from the end that is not ground."""
    roles = {x: (r, lab) for x, r, lab, _ in c["a"]}
    roles_b = {y: (r, lab) for y, r, lab, _ in c["b"]}
    ka, kb = key_of(*roles[wire[0]]), key_of(*roles_b[wire[1]])
    k = ka if ka != "G" else kb
    if k == "G":
        return None, "gnd"
    if k in ("MIC", "DATA"):
        return None, k
    m = re.fullmatch(r"(?:(.+):)?(L|R)?([+-]|SIG)", k)
    label, side, sign = m.group(1), m.group(2), m.group(3)
    return (side or label or ""), ("ret" if sign == "-" else "hot")


def channels(c):
    """{channel: {"hot": [wires], "ret": [wires]}} and the shared ground wires."""
    out, ground = {}, []
    for w in c["wires"]:
        ch, part = channel_of(c, w)
        if part == "gnd":
            ground.append(w)
        elif ch is not None:
            out.setdefault(ch, {"hot": [], "ret": []})[part].append(w)
    return out, ground


def faults(c):
    """The four faults of cable c as [(name, cable lines of the scenario, expected code, contacts the
    fault must name, channel it belongs to or None)], from the good wiring and the roles only:
    - swap: a stereo cable's left and right conductors exchanged (hot with hot, a return of its own
      with the other's): lr_swap, one fault naming every near contact whose far end moved. A cable
      with one channel has no left and right: its hot exchanged with the ground is a miswire;
    - polarity: a channel's hot exchanged with its return (its own, else the ground on its plug,
      else the common ground): polarity_inverted of that channel; on a stereo cable the left's
      and, as "polarity-right", the right's;
    - open: the first channel's hot left out; short: its far contact shorted (0.5 ohm) to another
      channel's hot, else to its own return."""
    wires = list(c["wires"])
    chans, ground = channels(c)
    line = lambda ws: [f"wire = A.{x} B.{y}" for x, y in ws]   # noqa: E731
    plug_of = lambda contact: contact.split(".")[0] if "." in contact else ""   # noqa: E731

    def exchanged(pairs):
        new = list(wires)
        for p, q in pairs:
            i, j = new.index(p), new.index(q)
            new[i], new[j] = (p[0], q[1]), (q[0], p[1])
        return new

    def moved(pairs):
        return [f"A.{w[0]}" for p, q in pairs if p[0] != q[0] and p[1] != q[1] for w in (p, q)]

    def ground_for(hot):
        same = [g for g in ground if plug_of(g[1]) == plug_of(hot[1]) or plug_of(g[0]) == plug_of(hot[0])]
        return (same or ground or [None])[0]

    ordered = sorted(chans.items())
    name, ch = next((n, v) for n, v in ordered if v["hot"])
    hot = ch["hot"][0]
    ret = ch["ret"][0] if ch["ret"] else ground_for(hot)
    out = []
    if "L" in chans and "R" in chans:
        l, r = chans["L"], chans["R"]
        pairs = list(zip(l["hot"], r["hot"])) + list(zip(l["ret"], r["ret"]))
        out.append(("swap", line(exchanged(pairs)), "lr_swap", moved(pairs), None))
    elif ch["ret"] and ground_for(hot):
        pair = [(hot, ground_for(hot))]
        out.append(("swap", line(exchanged(pair)), "miswire", moved(pair), name))
    out.append(("polarity", line(exchanged([(hot, ret)])), "polarity_inverted", moved([(hot, ret)]), name))
    if name == "L" and chans.get("R", {}).get("hot"):
        # ...and the right side's, so each side of labelled plugs is named as itself.
        rh = chans["R"]["hot"][0]
        rr = chans["R"]["ret"][0] if chans["R"]["ret"] else ground_for(rh)
        out.append(("polarity-right", line(exchanged([(rh, rr)])), "polarity_inverted", moved([(rh, rr)]), "R"))
    out.append(("open", line([w for w in wires if w != hot]), "open", [f"A.{hot[0]}", f"B.{hot[1]}"], name))
    partner = next((v["hot"][0] for n, v in ordered if n != name and v["hot"]), ch["ret"][0] if ch["ret"] else ret)
    out.append(("short", line(wires) + [f"short = B.{hot[1]} B.{partner[1]} 0.5"], "short",
                [f"B.{hot[1]}", f"B.{partner[1]}"], None))
    return out
