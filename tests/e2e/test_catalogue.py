#!/usr/bin/env python3
"""End to end: every connector of the shipped catalogue is tested out of the box.

Walks profiles/connectors/ and fails when a connector has no shipped cable with a per-contact jig
its plugs go into. Then every shipped cable, in every shipped jig its plugs go into, is built on
the simulator (tonewire_sim:, a scenario per case) and tested with `tonewire run`:
- the good cable passes (exit 0, no fault);
- its swap, polarity inversion (of each side), open and short (catalogue_lib.faults: from the roles and
  plug labels of the profiles, never from tonewire's output) fail (exit 1) with one fault.
  On a per-contact jig that fault is exactly the one put in: its code, the contacts it names, no
  alternatives, and the channel it belongs to. On a jig with loads or ties, which cannot see every
  conductor on its own, the result may name another fault only if it says so: the truth's code is
  the code or one of its alternatives, the confidence is below 1 and the summary says the jig
  cannot tell them apart.

Standard library only. TONEWIRE_BUILD_DIR points at the build tree.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import catalogue_lib as cat  # noqa: E402

BUILD = os.environ.get("TONEWIRE_BUILD_DIR", os.path.join(HERE, "../../build"))
TONEWIRE = os.path.join(BUILD, "cli", "tonewire")
NOISE = "noise_dbfs = -70\n"   # the e2e.cli level: tones ~40 dB above it at the far end


def env():
    """Only the shipped profiles: a user's own files must not change what is tested."""
    e = {k: v for k, v in os.environ.items() if k not in ("TONEWIRE_PROFILES", "XDG_CONFIG_HOME")}
    e["HOME"] = tempfile.gettempdir() + "/tw-catalogue-nohome"
    return e


class Catalogue(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tw-catalogue-")
        cls.cables = {n: cat.cable(n) for n in cat.names("cable")}
        cls.jigs = {n: cat.jig(n) for n in cat.names("jig")}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_case(self, jig, cable, lines, name):
        path = os.path.join(self.tmp, f"{cable}@{jig}-{name}.conf")
        with open(path, "w") as f:
            f.write(f"[scenario]\njig = {jig}\n\n[interface]\npace = fast\n{NOISE}\n[cable]\n")
            f.write("".join(ln + "\n" for ln in lines))
        p = subprocess.run([TONEWIRE, "run", "--device", "tonewire_sim:" + path, "--cable", cable, "--json"],
                           capture_output=True, text=True, timeout=60, env=env())
        try:
            return p, json.loads(p.stdout)
        except ValueError:
            self.fail(f"{cable} on {jig} ({name}): no result (exit {p.returncode}): {p.stderr}")

    def test_every_connector_has_a_cable_and_a_per_contact_jig(self):
        missing = []
        for conn in cat.names("connector"):
            found = [(c, j) for c, cab in self.cables.items()
                     if conn in cat.plugs(cab["spec_a"]).values() or conn in cat.plugs(cab["spec_b"]).values()
                     for j in cat.jigs_for(cab) if cat.per_contact(self.jigs[j])]
            if not found:
                missing.append(conn)
        self.assertEqual(missing, [], "connectors without a shipped cable in a per-contact jig")

    def test_every_cable_good_and_four_faults(self):
        tested = 0
        for name, c in self.cables.items():
            jigs = cat.jigs_for(c)
            self.assertTrue(jigs, f"cable {name}: no shipped jig takes its plugs")
            self.assertTrue(any(cat.per_contact(self.jigs[j]) for j in jigs), f"cable {name}: no per-contact jig")
            faults = cat.faults(c)
            self.assertEqual([f[0] for f in faults if f[0] != "polarity-right"], ["swap", "polarity", "open", "short"],
                             name)
            for j in jigs:
                with self.subTest(cable=name, jig=j):
                    self.check_good(j, c)
                    for fault in faults:
                        self.check_fault(j, c, *fault)
                    tested += 1
        self.assertGreaterEqual(tested, len(self.cables))

    def check_good(self, jig, c):
        p, r = self.run_case(jig, c["name"], [f"wire = A.{x} B.{y}" for x, y in c["wires"]], "good")
        self.assertEqual((p.returncode, r["verdict"], r["faults"]), (0, "pass", []), p.stderr)
        chans, _ = cat.channels(c)
        if "L" in chans and "R" in chans:
            self.assertEqual({"L", "R"} <= {ch["name"] for ch in r["channels"]}, True, r["channels"])

    def check_fault(self, jig, c, what, lines, code, contacts, channel):
        p, r = self.run_case(jig, c["name"], lines, what)
        where = f"{c['name']} on {jig}, {what}"
        self.assertEqual(p.returncode, 1, f"{where}: {p.stderr} {r['faults']}")
        self.assertEqual(r["verdict"], "fail", where)
        self.assertEqual(len(r["faults"]), 1, f"{where}: one physical cause, one fault: {r['faults']}")
        f = r["faults"][0]
        if cat.per_contact(self.jigs[jig]):
            self.assertEqual(f["code"], code, f"{where}: {f}")
            self.assertEqual(sorted(f["contacts"]), sorted(set(contacts)), f"{where}: {f}")
            self.assertNotIn("alternatives", f, f"{where}: a per-contact jig sees every conductor: {f}")
            self.assertEqual(f["confidence"], 1.0, where)
            if channel in ("L", "R"):
                self.assertEqual(f.get("channel"), channel, f"{where}: {f}")
                # In words too, where an operator looks for it: a polarity always, any fault on a
                # cable whose plug labels are its channels ("left earpiece: …").
                labelled = any(lab for spec in (c["spec_a"], c["spec_b"]) for lab in cat.plugs(spec))
                if labelled or code == "polarity_inverted":
                    side = "left" if channel == "L" else "right"
                    self.assertIn(side, f["summary"].lower(), where)
            if code == "polarity_inverted":
                pol = {ch["name"]: ch["polarity"] for ch in r["channels"]}
                inverted = sorted(n for n, v in pol.items() if v == "inverted")
                self.assertEqual(inverted, [channel] if channel in ("L", "R") else inverted[:1], f"{where}: {pol}")
                self.assertEqual(len(inverted), 1, f"{where}: {pol}")
            return
        # A jig with loads or ties: the truth named, or disclosed as an alternative.
        alts = f.get("alternatives", [])
        self.assertIn(code, [f["code"]] + alts, f"{where}: the truth is neither the code nor disclosed: {f}")
        if alts:
            self.assertLess(f["confidence"], 1.0, where)
            # in words: the jig cannot tell them apart, or cannot at this noise
            self.assertRegex(f["summary"], r"cannot (tell|be told)", where)
        if f["code"] == code:
            self.assertEqual(sorted(f["contacts"]), sorted(set(contacts)), f"{where}: {f}")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main()
