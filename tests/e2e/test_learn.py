#!/usr/bin/env python3
"""End to end: `tonewire learn` against the simulated jig.

A cable is learned from a first sample, kept until a second sample measures the same, then
written as a profile that tests cables like a shipped one. The samples are scenarios whose
wires are the truth: the learned wire list must be those wires, and a conductor's resistance
the scenario's, within what the result says the jig resolves (its closed form for one conductor
into a single-ended input: R = Rin/g - Rs - Rin). Refusals (a second sample that differs, a jig
that cannot see every conductor) save nothing and say why.

The same steps through tonewired: POST /api/v1/learn on the daemon's jig, one sample per request
(DaemonLearn; ctest e2e.daemon_learn), the learned profile then tested with POST /api/v1/tests.

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
import test_daemon as td  # noqa: E402

BUILD = os.environ.get("TONEWIRE_BUILD_DIR", os.path.join(HERE, "../../build"))
TONEWIRE = os.path.join(BUILD, "cli", "tonewire")
RS, RIN = 100.0, 10000.0    # the shipped octo-* jigs' source_ohms and input_ohms


class Learn(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tw-learn-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.dir = os.path.join(self.tmp, "profiles")
        self.env = {k: v for k, v in os.environ.items() if k not in ("TONEWIRE_PROFILES", "XDG_CONFIG_HOME")}
        self.env["HOME"] = os.path.join(self.tmp, "home")

    def scenario(self, name, jig, wires, extra=()):
        """wires: [(A contact, B contact, ohms or None)]"""
        path = os.path.join(self.tmp, name + ".conf")
        with open(path, "w") as f:
            f.write(f"[scenario]\njig = {jig}\n[interface]\npace = fast\nnoise_dbfs = -70\n[cable]\n")
            for a, b, ohms in wires:
                f.write(f"wire = A.{a} B.{b}" + (f" {ohms}" if ohms is not None else "") + "\n")
            f.write("".join(x + "\n" for x in extra))
        return "tonewire_sim:" + path

    def tw(self, *args):
        p = subprocess.run([TONEWIRE, *args], capture_output=True, text=True, timeout=90, env=self.env)
        r = json.loads(p.stdout) if "--json" in args and p.stdout.strip().startswith("{") else None
        return p, r

    def learn(self, device, end_a, end_b, name, *extra):
        return self.tw("learn", "--device", device, "--end-a", end_a, "--end-b", end_b, "--name", name,
                       "--profiles", self.dir, "--json", *extra)

    def path(self, name, suffix=".conf"):
        return os.path.join(self.dir, "cables", name + suffix)

    def wires_of(self, r):
        return sorted((w["from"], w["to"]) for w in r["learn"]["wires"])

    def test_learn_verify_then_test(self):
        truth = [("T", "T", None), ("R", "R", None), ("S", "S", 0.3)]
        p, r = self.learn(self.scenario("s1", "octo-trs-3.5", truth), "trs-3.5", "trs-3.5", "my-lead")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual((r["kind"], r["verdict"], r["learn"]["step"]), ("learn", "pass", "first_sample"))
        self.assertEqual(self.wires_of(r), sorted((f"A.{a}", f"B.{b}") for a, b, _ in truth))
        self.assertFalse(os.path.exists(self.path("my-lead")), "saved before a second sample agreed")
        self.assertTrue(os.path.exists(self.path("my-lead", ".learn.json")))
        # Not a profile yet: nothing can test with it.
        p, _ = self.tw("run", "--device", self.scenario("g", "octo-trs-3.5", truth), "--cable", "my-lead",
                       "--profiles", self.dir)
        self.assertEqual(p.returncode, 2, p.stderr)

        second = [("T", "T", 0.2), ("R", "R", None), ("S", "S", None)]
        p, r = self.learn(self.scenario("s2", "octo-trs-3.5", second), "trs-3.5", "trs-3.5", "my-lead")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual((r["verdict"], r["learn"]["step"]), ("pass", "saved"))
        self.assertEqual(r["learn"]["profile"], self.path("my-lead"))
        self.assertFalse(os.path.exists(self.path("my-lead", ".learn.json")))
        with open(self.path("my-lead")) as f:
            text = f.read()
        self.assertTrue(text.startswith("; Learned by tonewire learn on "), text)
        self.assertIn("jig octo-trs-3.5", text)
        self.assertIn("s1.conf", text)
        self.assertIn("s2.conf", text)
        # The profile as the catalogue reads profiles: the wires learned, nothing by role.
        ini = cat.read_ini(self.path("my-lead"))
        self.assertEqual(sorted(v for k, v in ini["cable"] if k == "wire"), ["R R", "S S", "T T"])

        # It tests cables like a shipped profile: the faults named from trs-3.5's roles.
        good = self.scenario("good", "octo-trs-3.5", truth)
        p, r = self.tw("run", "--device", good, "--cable", "my-lead", "--profiles", self.dir, "--json")
        self.assertEqual((p.returncode, r["verdict"]), (0, "pass"), p.stderr + str(r and r["faults"]))
        swap = self.scenario("swap", "octo-trs-3.5", [("T", "R", None), ("R", "T", None), ("S", "S", None)])
        p, r = self.tw("run", "--device", swap, "--cable", "my-lead", "--profiles", self.dir, "--json")
        self.assertEqual((p.returncode, [f["code"] for f in r["faults"]]), (1, ["lr_swap"]))
        opened = self.scenario("open", "octo-trs-3.5", truth[:2])
        p, r = self.tw("run", "--device", opened, "--cable", "my-lead", "--profiles", self.dir, "--json")
        self.assertEqual((p.returncode, [f["code"] for f in r["faults"]]), (1, ["open"]))
        self.assertEqual(sorted(r["faults"][0]["contacts"]), ["A.S", "B.S"])
        # Learning again under that name would overwrite it: refused.
        p, _ = self.learn(good, "trs-3.5", "trs-3.5", "my-lead")
        self.assertEqual(p.returncode, 2)
        self.assertIn("already exists", p.stderr)

    def test_second_sample_differs_saves_nothing(self):
        straight = [("T", "T", None), ("R", "R", None), ("S", "S", None)]
        crossed = [("T", "R", None), ("R", "T", None), ("S", "S", None)]
        p, r = self.learn(self.scenario("a", "octo-trs-3.5", straight), "trs-3.5", "trs-3.5", "lead")
        self.assertEqual(p.returncode, 0, p.stderr)
        p, r = self.learn(self.scenario("b", "octo-trs-3.5", crossed), "trs-3.5", "trs-3.5", "lead")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual((r["verdict"], r["learn"]["step"]), ("fail", "differs"))
        only = sorted(tuple(f["contacts"]) for f in r["faults"])
        self.assertEqual(only, [("A.R", "B.R"), ("A.R", "B.T"), ("A.T", "B.R"), ("A.T", "B.T")])
        self.assertEqual({f["code"] for f in r["faults"]}, {"miswire"})
        self.assertFalse(os.path.exists(self.path("lead")))
        # The readable report says so too.
        p, _ = self.tw("learn", "--device", self.scenario("b2", "octo-trs-3.5", crossed), "--end-a", "trs-3.5",
                       "--end-b", "trs-3.5", "--name", "lead", "--profiles", self.dir)
        self.assertEqual(p.returncode, 1)
        self.assertIn("REFUSED", p.stdout)
        self.assertIn("nothing was saved", p.stdout)
        # --restart takes the sample in hand as a new first one.
        p, r = self.learn(self.scenario("c", "octo-trs-3.5", crossed), "trs-3.5", "trs-3.5", "lead", "--restart")
        self.assertEqual((p.returncode, r["learn"]["step"]), (0, "first_sample"), p.stderr)
        # A second sample on other ends than the first: refused before measuring.
        p, _ = self.learn(self.scenario("d", "octo-trs-3.5", crossed), "trs-3.5", "trs-6.35", "lead")
        self.assertEqual(p.returncode, 2)
        self.assertIn("learned on jig 'octo-trs-3.5' with ends 'trs-3.5' and 'trs-3.5'", p.stderr)

    def test_resistance_measured_and_compared(self):
        # One conductor of 2 kOhm: resolved, and the closed form of the reported gain agrees.
        wires = [("T", "T", 2000), ("R", "R", None), ("S", "S", None)]
        p, r = self.learn(self.scenario("r1", "octo-trs-3.5", wires), "trs-3.5", "trs-3.5", "thin")
        self.assertEqual(p.returncode, 0, p.stderr)
        tip = next(w for w in r["learn"]["wires"] if w["from"] == "A.T")
        closed = RIN / tip["gain"] - RS - RIN
        self.assertLess(abs(tip["ohms"] - closed), 0.01 * closed + 4 * tip["sigma_ohms"], tip)
        self.assertLess(abs(tip["ohms"] - 2000), 4 * tip["sigma_ohms"] + 5, tip)
        for w in r["learn"]["wires"]:
            if w["from"] != "A.T":
                self.assertLess(w["ohms"], 4 * w["sigma_ohms"] + 0.1, w)
        # The same wire at 2.6 kOhm in the second sample is another cable: refused, the tip named.
        p, r = self.learn(self.scenario("r2", "octo-trs-3.5", [("T", "T", 2600)] + wires[1:]), "trs-3.5",
                          "trs-3.5", "thin")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual([(f["code"], f["contacts"]) for f in r["faults"]], [("high_resistance", ["A.T", "B.T"])])
        self.assertIn("may differ by", r["faults"][0]["summary"])
        # At 2.05 kOhm it is the same design: saved, the limit made from what was measured.
        p, r = self.learn(self.scenario("r3", "octo-trs-3.5", [("T", "T", 2050)] + wires[1:]), "trs-3.5",
                          "trs-3.5", "thin")
        self.assertEqual((p.returncode, r["learn"]["step"]), (0, "saved"), p.stderr)
        limit = float(dict(cat.read_ini(self.path("thin"))["limits"])["max_series_ohms"])
        self.assertGreater(limit, 2050)
        self.assertLess(limit, 2 * 2050)
        # The shipped profile fails such a cable; the learned one passes it.
        sample = self.scenario("r4", "octo-trs-3.5", wires)
        p, r = self.tw("run", "--device", sample, "--cable", "trs-3.5-extension", "--json")
        self.assertEqual([f["code"] for f in r["faults"]], ["high_resistance"])
        p, r = self.tw("run", "--device", sample, "--cable", "thin", "--profiles", self.dir, "--json")
        self.assertEqual((p.returncode, r["verdict"]), (0, "pass"), r and r["faults"])

    def test_joined_conductors_and_labelled_plugs(self):
        # A sleeve split to both earpieces (one near contact, two far ones) ...
        iem = [("T", "left.+", None), ("R", "right.+", None), ("S", "left.-", None), ("S", "right.-", None)]
        dev = self.scenario("iem", "octo-trs-2pin", iem)
        ends = ("trs-3.5", "left:2pin-0.78 right:2pin-0.78", "iem")
        for _ in range(2):
            p, r = self.learn(dev, *ends)
            self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(r["learn"]["step"], "saved")
        self.assertEqual(self.wires_of(r), sorted((f"A.{a}", f"B.{b}") for a, b, _ in iem))
        p, r = self.tw("run", "--device", dev, "--cable", "iem", "--profiles", self.dir, "--json")
        self.assertEqual(p.returncode, 0, r and r["faults"])
        p, r = self.tw("run", "--device", self.scenario("iem-open", "octo-trs-2pin", iem[:3]), "--cable", "iem",
                       "--profiles", self.dir, "--json")
        self.assertEqual([(f["code"], sorted(f["contacts"]), f.get("channel")) for f in r["faults"]],
                         [("open", ["A.S", "B.right.-"], "R")])
        # ... and two drivers' returns joined on one sleeve (two near contacts, one far).
        hd = [("left.SMALL", "T", None), ("right.SMALL", "R", None), ("left.LARGE", "S", None),
              ("right.LARGE", "S", None)]
        dev = self.scenario("hd", "octo-hd-6.35", hd)
        ends = ("left:sennheiser-hd right:sennheiser-hd", "trs-6.35", "hd")
        for _ in range(2):
            p, r = self.learn(dev, *ends)
            self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.wires_of(r), sorted((f"A.{a}", f"B.{b}") for a, b, _ in hd))
        pol = [("left.SMALL", "S", None), ("left.LARGE", "T", None)] + hd[1:2] + hd[3:]
        p, r = self.tw("run", "--device", self.scenario("hd-pol", "octo-hd-6.35", pol), "--cable", "hd",
                       "--profiles", self.dir, "--json")
        self.assertEqual([(f["code"], f.get("channel")) for f in r["faults"]], [("polarity_inverted", "L")])
        self.assertIn("left earpiece", r["faults"][0]["summary"].lower())

    def test_refusals(self):
        straight = [("T", "T", None), ("R", "R", None), ("S", "S", None)]
        # A jig with loads and a tie cannot see every conductor: refused, with the reason.
        p, _ = self.learn(self.scenario("st", "stereo-trs", straight), "trs-3.5", "trs-3.5", "x")
        self.assertEqual(p.returncode, 2)
        for words in ("cannot learn", "A.S is tied to ground", "a load joins B.T and B.S", "per-contact jig"):
            self.assertIn(words, p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "cables")))
        # Ends that do not fit the jig.
        p, _ = self.learn(self.scenario("fit", "octo-trs-3.5", straight), "xlr3", "trs-3.5", "x")
        self.assertEqual(p.returncode, 2)
        self.assertIn("does not fit", p.stderr)
        # A name that is no profile name.
        p, _ = self.learn(self.scenario("nm", "octo-trs-3.5", straight), "trs-3.5", "trs-3.5", "../evil")
        self.assertEqual(p.returncode, 2)
        self.assertIn("is not a profile name", p.stderr)
        # Nothing in the jig: a station error, no sample kept.
        p, r = self.learn(self.scenario("empty", "octo-trs-3.5", []), "trs-3.5", "trs-3.5", "x")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertEqual(r["verdict"], "error")
        self.assertFalse(os.path.exists(self.path("x", ".learn.json")))

    def test_files_that_cannot_be_used(self):
        """A first sample that is not one, or names contacts the jig does not have, a profiles
        folder that is a file, one that cannot be written, a name with a blank: the learn stops,
        names the file or the name, and saves nothing."""
        straight = [("T", "T", None), ("R", "R", None), ("S", "S", None)]
        dev = self.scenario("f", "octo-trs-3.5", straight)
        os.makedirs(os.path.dirname(self.path("x")))
        # Not JSON at all.
        with open(self.path("x", ".learn.json"), "w") as f:
            f.write("half a sample")
        p, _ = self.learn(dev, "trs-3.5", "trs-3.5", "x")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(f"{self.path('x', '.learn.json')}: not a first sample kept by tonewire learn", p.stderr)
        self.assertFalse(os.path.exists(self.path("x")))
        # A real first sample, edited to name a contact the jig does not have.
        p, r = self.learn(dev, "trs-3.5", "trs-3.5", "y")
        self.assertEqual((p.returncode, r["learn"]["step"]), (0, "first_sample"), p.stderr)
        with open(self.path("y", ".learn.json")) as f:
            draft = json.load(f)
        draft["wires"][0]["from"] = "A.NOWHERE"
        with open(self.path("y", ".learn.json"), "w") as f:
            json.dump(draft, f)
        p, r = self.learn(dev, "trs-3.5", "trs-3.5", "y")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertEqual((r["verdict"], r["learn"]["step"]), ("error", "not_saved"), r)
        self.assertIn("names contacts jig 'octo-trs-3.5' does not have", r["learn"]["error"])
        self.assertFalse(os.path.exists(self.path("y")))
        # A profiles folder that is a file, then one whose cables folder is a file.
        in_the_way = os.path.join(self.tmp, "a-file")
        with open(in_the_way, "w") as f:
            f.write("in the way\n")
        p, r = self.tw("learn", "--device", dev, "--end-a", "trs-3.5", "--end-b", "trs-3.5", "--name", "z",
                       "--profiles", in_the_way, "--json")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(f"--profiles: {in_the_way}: not a folder", p.stderr)
        other = os.path.join(self.tmp, "other")
        os.mkdir(other)
        with open(os.path.join(other, "cables"), "w") as f:
            f.write("in the way\n")
        p, r = self.tw("learn", "--device", dev, "--end-a", "trs-3.5", "--end-b", "trs-3.5", "--name", "z",
                       "--profiles", other, "--json")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertEqual((r["verdict"], r["learn"]["step"]), ("error", "not_saved"), r)
        self.assertIn(f"{other}/cables/z.learn.json: cannot write the first sample: Not a directory", p.stderr)
        # A name with a blank in it.
        p, _ = self.learn(dev, "trs-3.5", "trs-3.5", "my lead")
        self.assertEqual(p.returncode, 2)
        self.assertIn("'my lead' is not a profile name", p.stderr)

    def test_default_folder_and_name(self):
        dev = self.scenario("d", "octo-xlr3", [("1", "1", None), ("2", "2", None), ("3", "3", None)])
        for _ in range(2):
            p = subprocess.run([TONEWIRE, "learn", "--device", dev, "--end-a", "xlr3", "--end-b", "xlr3"],
                               capture_output=True, text=True, timeout=90, env=self.env)
            self.assertEqual(p.returncode, 0, p.stderr)
        saved = os.path.join(self.env["HOME"], ".config", "tonewire", "profiles", "cables",
                             "learned-xlr3-to-xlr3.conf")
        self.assertIn(f"written to {saved}", p.stdout)
        p = subprocess.run([TONEWIRE, "profiles", "show", "learned-xlr3-to-xlr3"], capture_output=True, text=True,
                           timeout=30, env=self.env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(f"file: {saved}", p.stdout)

    def test_learned_profile_overrides_the_shipped_one(self):
        # A user's profile of a shipped name wins in a run, not only in `profiles show`: learned
        # into ~/.config from a cable with a 2 kOhm tip, trs-3.5-extension passes that cable there,
        # while the shipped file (as another user sees it) fails it.
        wires = [("T", "T", 2000), ("R", "R", None), ("S", "S", None)]
        dev = self.scenario("thin", "octo-trs-3.5", wires)
        shipped = os.path.join(cat.PROFILES, "cables", "trs-3.5-extension.conf")
        p, r = self.tw("run", "--device", dev, "--cable", "trs-3.5-extension", "--json")
        self.assertEqual((p.returncode, [f["code"] for f in r["faults"]]), (1, ["high_resistance"]))
        for _ in range(2):
            p = subprocess.run([TONEWIRE, "learn", "--device", dev, "--end-a", "trs-3.5", "--end-b", "trs-3.5",
                                "--name", "trs-3.5-extension"], capture_output=True, text=True, timeout=90,
                               env=self.env)
            self.assertEqual(p.returncode, 0, p.stderr)
        mine = os.path.join(self.env["HOME"], ".config", "tonewire", "profiles", "cables", "trs-3.5-extension.conf")
        p = subprocess.run([TONEWIRE, "profiles", "show", "trs-3.5-extension"], capture_output=True, text=True,
                           timeout=30, env=self.env)
        self.assertIn(f"file: {mine}\nshadows: {shipped}\n", p.stdout)
        p, r = self.tw("run", "--device", dev, "--cable", "trs-3.5-extension", "--json")
        self.assertEqual((p.returncode, r["verdict"]), (0, "pass"), r and r["faults"])
        other = dict(self.env, HOME=os.path.join(self.tmp, "someone-else"))
        p = subprocess.run([TONEWIRE, "run", "--device", dev, "--cable", "trs-3.5-extension"], capture_output=True,
                           text=True, timeout=60, env=other)
        self.assertEqual(p.returncode, 1, p.stdout)


class DaemonLearn(unittest.TestCase):
    """POST /api/v1/learn: 200 a first sample kept, 201 saved, 422 refused; the profile then tests."""

    STRAIGHT = ["wire = A.T B.T", "wire = A.R B.R", "wire = A.S B.S"]

    def write(self, name, lines, jig="octo-trs-3.5"):
        with open(os.path.join(self.d.scen_dir, name + ".conf"), "w") as f:
            f.write(f"; title: {name}\n[scenario]\njig = {jig}\n[interface]\npace = fast\nnoise_dbfs = -90\n"
                    "[cable]\n" + "".join(x + "\n" for x in lines))

    def setUp(self):
        self.d = td.Daemon()
        self.addCleanup(self.d.stop)
        self.prof = os.path.join(self.d.dir, "profiles")
        os.makedirs(self.prof)
        for f in os.listdir(self.d.scen_dir):
            os.unlink(os.path.join(self.d.scen_dir, f))
        self.write("straight", self.STRAIGHT)
        self.write("second", ["wire = A.T B.T", "wire = A.R B.R", "wire = A.S B.S 0.2"])
        self.write("swapped", ["wire = A.T B.R", "wire = A.R B.T", "wire = A.S B.S"])
        with open(self.d.config) as f:
            conf = f.read()
        with open(self.d.config, "w") as f:
            f.write(conf + f"[profiles]\npath = {self.prof}\n")
        self.d.start(timeout=30)

    def learn(self, **body):
        return self.d.request("POST", "/api/v1/learn", dict({"end_a": "trs-3.5", "end_b": "trs-3.5"}, **body),
                              timeout=150)

    def test_learn_verify_then_test(self):
        st, r = self.learn(name="bench-lead", serial="GOLD-1")
        self.assertEqual(st, 200, r)
        self.assertEqual((r["kind"], r["verdict"], r["learn"]["step"], r["serial"]),
                         ("learn", "pass", "first_sample", "GOLD-1"))
        self.assertEqual(sorted((w["from"], w["to"]) for w in r["learn"]["wires"]),
                         [("A.R", "B.R"), ("A.S", "B.S"), ("A.T", "B.T")])
        self.assertFalse(os.path.exists(os.path.join(self.prof, "cables", "bench-lead.conf")))
        # A different second sample is refused, nothing saved, the first kept.
        self.d.use_scenario("swapped")
        st, r = self.learn(name="bench-lead")
        self.assertEqual(st, 422, r)
        self.assertEqual((r["verdict"], r["learn"]["step"]), ("fail", "differs"))
        self.assertEqual({f["code"] for f in r["faults"]}, {"miswire"})
        self.assertFalse(os.path.exists(os.path.join(self.prof, "cables", "bench-lead.conf")))
        # One that measures the same: saved.
        self.d.use_scenario("second")
        st, r = self.learn(name="bench-lead")
        self.assertEqual(st, 201, r)
        self.assertEqual(r["learn"]["profile"], os.path.join(self.prof, "cables", "bench-lead.conf"))
        # Stored like any result, found by kind.
        st, hist = self.d.get("/api/v1/tests?kind=learn")
        self.assertEqual(st, 200)
        self.assertEqual([h["verdict"] for h in hist], ["pass", "fail", "pass"])
        # The daemon tests cables with it at once, and lists it.
        st, profs = self.d.get("/api/v1/profiles")
        self.assertIn("bench-lead", json.dumps(profs))
        st, r = self.d.post_test(cable="bench-lead")
        self.assertEqual((st, r["verdict"]), (200, "pass"), r)
        self.d.use_scenario("swapped")
        st, r = self.d.post_test(cable="bench-lead")
        self.assertEqual((st, [f["code"] for f in r["faults"]]), (200, ["lr_swap"]), r)
        # Learning it again would overwrite it.
        st, r = self.learn(name="bench-lead")
        self.assertEqual(st, 409, r)
        self.assertIn("already exists", r["error"])

    def test_bad_requests(self):
        cases = [
            ({"end_a": "trs-3.5"}, "end_b: required"),
            ({"end_a": "/etc/passwd", "end_b": "trs-3.5"}, "end_a: must be connector names, not paths"),
            ({"end_a": "trs-3.5", "end_b": "trs-3.5", "name": "../x"}, "is not a profile name"),
            ({"end_a": "trs-3.5", "end_b": "trs-3.5", "restart": "yes"}, "restart: expected true or false"),
            ({"end_a": "xlr3", "end_b": "trs-3.5"}, "does not fit"),
            ({"end_a": "trs-3.5", "end_b": "trs-3.5", "colour": "red"}, "colour"),
        ]
        for body, words in cases:
            st, r = self.d.request("POST", "/api/v1/learn", body)
            self.assertEqual(st, 400, (body, r))
            self.assertIn(words, r["error"], body)
        # Nothing was recorded for any of them.
        st, hist = self.d.get("/api/v1/tests?kind=learn")
        self.assertEqual(hist, [])


class DaemonLearnStereo(unittest.TestCase):
    """On a station whose jig is the loaded stereo one, learning is refused with the reason."""

    def test_stereo_jig_refused(self):
        d = td.Daemon()
        self.addCleanup(d.stop)
        d.start(timeout=30)
        st, r = d.request("POST", "/api/v1/learn", {"end_a": "trs-3.5", "end_b": "trs-3.5"})
        self.assertEqual(st, 400, r)
        self.assertIn("jig 'stereo-trs' cannot learn a cable", r["error"])
        self.assertIn("A.S is tied to ground", r["error"])


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main()
