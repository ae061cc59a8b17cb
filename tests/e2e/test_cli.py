#!/usr/bin/env python3
"""End to end: the tonewire CLI against the simulated jig, through ALSA.

Each case writes a scenario (docs/formats.md) with the cable as built, runs
`tonewire run`, and checks the exit status (docs/result.md, contract), the result
object and the named faults. Latency is left random, so every open has its own.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

BUILD = os.environ.get("TONEWIRE_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
TONEWIRE = os.path.join(BUILD, "cli", "tonewire")
NOISE = "noise_dbfs = -70\n"   # tones sit ~40 dB above it at the far end of a jig

RESULT_KEYS = {
    "id": (int, type(None)), "serial": (str, type(None)), "cable": str, "jig": str,
    "started_at": str, "verdict": str, "faults": list, "wiring": list, "channels": list,
    "matrix": dict, "timing_ms": dict,
}
FAULT_CODES = {"lr_swap", "polarity_inverted", "ctia_omtp_mismatch", "trrs_in_trs", "open", "short",
               "miswire", "high_resistance", "crosstalk", "intermittent", "unrecognized_wiring",
               "no_signal", "clipping", "low_snr", "device_busy", "device_lost", "xrun", "jig_mismatch",
               "device_setup"}


def scenario(tmp, name, jig, cable_lines, interface=""):
    path = os.path.join(tmp, name + ".conf")
    with open(path, "w") as f:
        f.write(f"[scenario]\njig = {jig}\n\n[interface]\npace = fast\n{NOISE}{interface}\n[cable]\n")
        for line in cable_lines:
            f.write(line + "\n")
    return path


def run(*args, check_json=True):
    p = subprocess.run([TONEWIRE, *args], capture_output=True, text=True, timeout=60)
    result = None
    if check_json and "--json" in args and p.stdout.strip():
        result = json.loads(p.stdout)
    return p, result


class ResultShape:
    def check_shape(self, r):
        for key, types in RESULT_KEYS.items():
            self.assertIn(key, r)
            self.assertIsInstance(r[key], types, key)
        self.assertIn(r["verdict"], ("pass", "fail", "error"))
        for f in r["faults"]:
            self.assertIn(f["code"], FAULT_CODES)
            self.assertIsInstance(f["contacts"], list)
            self.assertIsInstance(f["summary"], str)
            self.assertTrue(0.0 <= f["confidence"] <= 1.0)
        for w in r["wiring"]:
            self.assertIsInstance(w["from"], str)
            self.assertIsInstance(w["to"], list)
            self.assertIsInstance(w["gain"], (int, float))
        for c in r["channels"]:
            for k in ("name", "level_db", "phase_deg", "polarity", "crosstalk_db", "snr_db"):
                self.assertIn(k, c)
            self.assertIn(c["polarity"], ("normal", "inverted"))
        m = r["matrix"]
        self.assertEqual(len(m["gain_db"]), len(m["inputs"]))
        for row in m["gain_db"]:
            self.assertEqual(len(row), len(m["outputs"]))
        for k in ("total", "acquire", "analyze"):
            self.assertIn(k, r["timing_ms"])

    def codes(self, r):
        return sorted(f["code"] for f in r["faults"])


class TestHeadlineCases(unittest.TestCase, ResultShape):
    """The three faults a user meets first, on a 2-in/2-out interface."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tw-cli-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_trs_straight_passes(self):
        sc = scenario(self.tmp, "trs-ok", "stereo-trs", ["wire = A.T B.T", "wire = A.R B.R", "wire = A.S B.S"])
        p, r = run("run", "--device", "tonewire_sim:" + sc, "--cable", "trs-3.5-extension", "--json")
        self.assertEqual(p.returncode, 0, p.stderr + p.stdout)
        self.check_shape(r)
        self.assertEqual(r["verdict"], "pass")
        self.assertEqual(r["faults"], [])
        levels = {c["name"]: c for c in r["channels"]}
        self.assertLess(abs(levels["L"]["level_db"]), 0.5)
        self.assertEqual(levels["L"]["polarity"], "normal")

    def test_trs_lr_swap(self):
        sc = scenario(self.tmp, "trs-swap", "stereo-trs", ["wire = A.T B.R", "wire = A.R B.T", "wire = A.S B.S"])
        p, r = run("run", "--device", "tonewire_sim:" + sc, "--cable", "trs-3.5-extension", "--json")
        self.assertEqual(p.returncode, 1, p.stderr + p.stdout)
        self.check_shape(r)
        self.assertEqual(self.codes(r), ["lr_swap"])
        self.assertEqual(sorted(r["faults"][0]["contacts"])[:1], ["A.R"])
        # The channels follow the named wiring: L is found on R's load at
        # a good cable's level (issue 16), not as a −100 dB "normal" row.
        chans = {c["name"]: c for c in r["channels"]}
        self.assertEqual(chans["L"].get("found_at"), "R")
        self.assertLess(abs(chans["L"]["level_db"]), 0.5)
        self.assertEqual(chans["L"]["polarity"], "normal")

    def test_iem_earpiece_reversed_is_polarity(self):
        sc = scenario(self.tmp, "iem-rev", "stereo-iem-2pin",
                      ["wire = A.T B.left.-", "wire = A.S B.left.+", "wire = A.R B.right.+", "wire = A.S B.right.-"])
        p, r = run("run", "--device", "tonewire_sim:" + sc, "--cable", "trs-3.5-to-2pin-iem", "--json")
        self.assertEqual(p.returncode, 1, p.stderr + p.stdout)
        self.check_shape(r)
        self.assertEqual(self.codes(r), ["polarity_inverted"])
        chans = {c["name"]: c for c in r["channels"]}
        self.assertEqual(chans["L"]["polarity"], "inverted")
        self.assertEqual(chans["R"]["polarity"], "normal")

    def test_ctia_on_omtp_is_karaoke(self):
        sc = scenario(self.tmp, "karaoke", "stereo-trrs-ctia",
                      ["wire = A.T B.T", "wire = A.R1 B.R1", "wire = A.R2 B.S", "wire = A.S B.R2"])
        p, r = run("run", "--device", "tonewire_sim:" + sc, "--cable", "trrs-ctia-extension", "--json")
        self.assertEqual(p.returncode, 1, p.stderr + p.stdout)
        self.check_shape(r)
        self.assertEqual(self.codes(r), ["ctia_omtp_mismatch"])
        self.assertIn("karaoke", r["faults"][0]["summary"].lower())
        # On this jig an open ground reads the same: the result says so
        # (alternatives, docs/result.md).
        self.assertEqual(r["faults"][0].get("alternatives"), ["open"])
        self.assertLess(r["faults"][0]["confidence"], 1.0)
        self.assertIn("cannot tell", r["faults"][0]["summary"])

    def test_wrong_jig_is_station_error(self):
        # A per-contact fixture measured as the loaded stereo jig: levels
        # no cable through that jig can give. Station error, exit 3.
        sc = scenario(self.tmp, "wrong-jig", "octo-trs-3.5", ["wire = A.T B.T", "wire = A.R B.R", "wire = A.S B.S"])
        p, r = run("run", "--device", "tonewire_sim:" + sc, "--jig", "stereo-trs", "--cable", "trs-3.5-extension",
                   "--json")
        self.assertEqual(p.returncode, 3, p.stderr + p.stdout)
        self.check_shape(r)
        self.assertEqual(r["verdict"], "error")
        self.assertEqual(self.codes(r), ["jig_mismatch"])
        self.assertIn("is the jig file right for this fixture?", r["faults"][0]["summary"])

    def test_wrong_jig_told_from_the_arguments(self):
        # --jig octo-trs-3.5 drives device output 3 and senses input 3; the
        # scenario's simulated interface has two of each (its stereo jig
        # reaches no further): the CLI can tell before opening it. Exit 2.
        sc = scenario(self.tmp, "wrong-count", "stereo-trs", ["wire = A.T B.T", "wire = A.R B.R", "wire = A.S B.S"])
        p, r = run("run", "--device", "tonewire_sim:" + sc, "--jig", "octo-trs-3.5", "--cable", "trs-3.5-extension",
                   "--json")
        self.assertEqual(p.returncode, 2, p.stderr + p.stdout)
        self.assertIsNone(r)
        self.assertIn("jig 'octo-trs-3.5' uses output channel 3, but the simulated interface", p.stderr)
        self.assertIn("has 2 (its scenario is built on jig 'stereo-trs')", p.stderr)
        # Fixed device counts ([interface] playback_channels) give the room: then the arguments say
        # nothing against it, and it is measured (the usage error is only for what cannot be opened).
        sc = scenario(self.tmp, "wide", "stereo-trs", ["wire = A.T B.T", "wire = A.R B.R", "wire = A.S B.S"],
                      interface="playback_channels = 4\ncapture_channels = 4\n")
        p, r = run("run", "--device", "tonewire_sim:" + sc, "--jig", "octo-trs-3.5", "--cable", "trs-3.5-extension",
                   "--json")
        self.assertNotEqual(p.returncode, 2, p.stderr + p.stdout)

    def test_readable_report(self):
        sc = scenario(self.tmp, "trs-swap2", "stereo-trs", ["wire = A.T B.R", "wire = A.R B.T", "wire = A.S B.S"])
        p, _ = run("run", "--device", "tonewire_sim:" + sc, "--cable", "trs-3.5-extension")
        self.assertEqual(p.returncode, 1)
        self.assertIn("FAIL", p.stdout)
        self.assertIn("swapped", p.stdout.lower())


class TestPerContactJig(unittest.TestCase, ResultShape):
    """A representative subset of every fault class, end to end on the 4x4 TRRS jig."""

    STRAIGHT = ["wire = A.T B.T", "wire = A.R1 B.R1", "wire = A.R2 B.R2", "wire = A.S B.S"]

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tw-cli-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def verdict_of(self, name, lines, cable="trrs-ctia-extension"):
        sc = scenario(self.tmp, name, "trrs-4ch", lines)
        p, r = run("run", "--device", "tonewire_sim:" + sc, "--cable", cable, "--json", "--serial", name)
        self.check_shape(r)
        self.assertEqual(r["serial"], name)
        return p, r

    def test_straight(self):
        p, r = self.verdict_of("straight", self.STRAIGHT)
        self.assertEqual(p.returncode, 0, p.stdout)
        wiring = {w["from"]: w["to"] for w in r["wiring"]}
        self.assertEqual(wiring["A.T"], ["B.T"])

    def test_open(self):
        p, r = self.verdict_of("open", self.STRAIGHT[:3])
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertEqual(self.codes(r), ["open"])
        self.assertIn("A.S", r["faults"][0]["contacts"])

    def test_short(self):
        p, r = self.verdict_of("short", self.STRAIGHT + ["short = B.T B.R1 0.5"])
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("short", self.codes(r))

    def test_lr_swap(self):
        p, r = self.verdict_of("swap", ["wire = A.T B.R1", "wire = A.R1 B.T"] + self.STRAIGHT[2:])
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertEqual(self.codes(r), ["lr_swap"])

    def test_ctia_omtp(self):
        p, r = self.verdict_of("gmic", self.STRAIGHT[:2] + ["wire = A.R2 B.S", "wire = A.S B.R2"])
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertEqual(self.codes(r), ["ctia_omtp_mismatch"])

    def test_ctia_omtp_adapter_passes(self):
        # The same crossing is what an adapter is for: its profile expects it.
        p, r = self.verdict_of("adapter", self.STRAIGHT[:2] + ["wire = A.R2 B.S", "wire = A.S B.R2"],
                               cable="ctia-to-omtp-adapter")
        self.assertEqual(p.returncode, 0, p.stdout)

    def test_nothing_connected_is_error(self):
        p, r = self.verdict_of("empty", [])
        self.assertEqual(p.returncode, 3, p.stdout)
        self.assertEqual(r["verdict"], "error")
        self.assertIn("no_signal", self.codes(r))


class TestCliContract(unittest.TestCase, ResultShape):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tw-cli-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.ok = scenario(self.tmp, "ok", "stereo-trs", ["wire = A.T B.T", "wire = A.R B.R", "wire = A.S B.S"])

    def test_junit_pass_and_fail(self):
        junit = os.path.join(self.tmp, "pass.xml")
        p, _ = run("run", "--device", "tonewire_sim:" + self.ok, "--cable", "trs-3.5-extension",
                   "--junit", junit, "--serial", "SN-1")
        self.assertEqual(p.returncode, 0)
        suite = ET.parse(junit).getroot()
        self.assertEqual(suite.get("failures"), "0")
        self.assertEqual(suite.find(".//testcase").get("name"), "SN-1")

        bad = scenario(self.tmp, "bad", "stereo-trs", ["wire = A.T B.R", "wire = A.R B.T", "wire = A.S B.S"])
        junit2 = os.path.join(self.tmp, "fail.xml")
        p, _ = run("run", "--device", "tonewire_sim:" + bad, "--cable", "trs-3.5-extension", "--junit", junit2)
        self.assertEqual(p.returncode, 1)
        root = ET.parse(junit2).getroot()
        self.assertEqual(root.get("failures"), "1")
        self.assertEqual(root.find(".//failure").get("type"), "lr_swap")

    def test_unplugged_device_is_station_error(self):
        sc = scenario(self.tmp, "gone", "stereo-trs", ["wire = A.T B.T"], interface="unplugged = true\n")
        p, r = run("run", "--device", "tonewire_sim:" + sc, "--cable", "trs-3.5-extension", "--json")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertEqual(r["verdict"], "error")
        self.assertIn("cannot open", p.stderr)

    def test_missing_device_is_station_error(self):
        p, _ = run("run", "--device", "hw:NoSuchCard", "--jig", "stereo-trs", "--cable", "trs-3.5-extension")
        self.assertEqual(p.returncode, 3)
        self.assertIn("NoSuchCard", p.stderr)

    def test_unknown_cable_suggests(self):
        p, _ = run("run", "--device", "tonewire_sim:" + self.ok, "--cable", "trs-3.5-extensoin")
        self.assertEqual(p.returncode, 2)
        self.assertIn("trs-3.5-extension", p.stderr)

    def test_cable_that_does_not_fit(self):
        p, _ = run("run", "--device", "tonewire_sim:" + self.ok, "--cable", "xlr3-interconnect")
        self.assertEqual(p.returncode, 2)
        self.assertIn("fit", p.stderr)

    def test_usage_errors(self):
        for args in (["run"], ["run", "--rate", "12x"], ["frobnicate"], ["run", "--bogus"]):
            p, _ = run(*args, check_json=False)
            self.assertEqual(p.returncode, 2, args)
            self.assertTrue(p.stderr.strip(), args)

    def test_malformed_scenario(self):
        sc = os.path.join(self.tmp, "broken.conf")
        with open(sc, "w") as f:
            f.write("[scenario]\njig = stereo-trs\n[cable]\nwire = A.T\n")
        p, _ = run("run", "--device", "tonewire_sim:" + sc, "--cable", "trs-3.5-extension")
        self.assertEqual(p.returncode, 3)
        self.assertIn("cannot open", p.stderr)

    def test_profiles(self):
        p, _ = run("profiles", "list", check_json=False)
        self.assertEqual(p.returncode, 0)
        for name in ("trrs-3.5-ctia", "trrs-ctia-extension", "trrs-4ch"):
            self.assertIn(name, p.stdout)
        p, _ = run("profiles", "show", "trrs-3.5-omtp", check_json=False)
        self.assertEqual(p.returncode, 0)
        self.assertIn("MIC", p.stdout)
        p, _ = run("profiles", "show", "no-such-thing", check_json=False)
        self.assertEqual(p.returncode, 2)


class TestOfflineAnalysis(unittest.TestCase, ResultShape):
    """A saved capture gives the verdict the live test gave; bad files get clear errors."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tw-cli-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_capture_reproduces_live_verdict(self):
        sc = scenario(self.tmp, "karaoke", "stereo-trrs-ctia",
                      ["wire = A.T B.T", "wire = A.R1 B.R1", "wire = A.R2 B.S", "wire = A.S B.R2"])
        wav = os.path.join(self.tmp, "cap.wav")
        p, live = run("run", "--device", "tonewire_sim:" + sc, "--cable", "trrs-ctia-extension",
                      "--json", "--save-capture", wav)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertTrue(os.path.exists(wav) and os.path.exists(wav[:-4] + ".json"))
        p, offline = run("analyze", wav, "--json")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.check_shape(offline)
        self.assertEqual(self.codes(offline), self.codes(live))
        self.assertAlmostEqual(offline["latency_frames"], live["latency_frames"], places=3)
        for a, b in zip(offline["matrix"]["gain_db"], live["matrix"]["gain_db"]):
            for x, y in zip(a, b):
                self.assertAlmostEqual(x, y, places=2)

    def test_bad_files(self):
        sc = scenario(self.tmp, "ok", "stereo-trs", ["wire = A.T B.T", "wire = A.R B.R", "wire = A.S B.S"])
        wav = os.path.join(self.tmp, "good.wav")
        p, _ = run("run", "--device", "tonewire_sim:" + sc, "--cable", "trs-3.5-extension",
                   "--save-capture", wav)
        self.assertEqual(p.returncode, 0, p.stderr)
        notwav = os.path.join(self.tmp, "text.wav")
        with open(notwav, "w") as f:
            f.write("this is not audio")
        cases = [
            (["analyze", notwav, "--plan", wav[:-4] + ".json"], "not a readable WAV"),
            (["analyze", wav, "--plan", notwav], "not a stimulus plan"),
            (["analyze", os.path.join(self.tmp, "missing.wav")], "cannot read the plan"),
            (["analyze"], "expected one capture"),
        ]
        for args, msg in cases:
            p, _ = run(*args, check_json=False)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(msg, p.stderr, args)
        # sizes from the plan are bounded before anything is allocated from them
        # (an unchecked "windows": 1e9 asked for ~46 GB and ended in exit 1)
        for key, value in (("windows", 1e9), ("windows", 10 ** 9), ("max_latency", 2 ** 40), ("windows", 0)):
            plan = json.load(open(wav[:-4] + ".json"))
            plan["timeline"][key] = value
            huge = os.path.join(self.tmp, "huge.json")
            json.dump(plan, open(huge, "w"))
            p, _ = run("analyze", wav, "--plan", huge, check_json=False)
            self.assertEqual(p.returncode, 2, (key, value, p.stderr))
            self.assertIn(f'"{key}" must be an integer from', p.stderr)
        # a plan that does not match the WAV: another channel count
        plan = json.load(open(wav[:-4] + ".json"))
        plan["inputs"] = plan["inputs"] * 2
        other = os.path.join(self.tmp, "other.json")
        json.dump(plan, open(other, "w"))
        p, _ = run("analyze", wav, "--plan", other, "--jig", "trrs-4ch", "--cable", "trrs-ctia-extension",
                   check_json=False)
        self.assertEqual(p.returncode, 2)


class TestFlex(unittest.TestCase):
    """Scripted dropouts are found with their time, length and contacts; a clean cable stays quiet."""

    STRAIGHT = ["wire = A.T B.T", "wire = A.R1 B.R1", "wire = A.R2 B.R2", "wire = A.S B.S"]

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tw-cli-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def flex(self, lines, seconds, interface=""):
        sc = scenario(self.tmp, "flex", "trrs-4ch", lines, interface)
        p = subprocess.run([TONEWIRE, "flex", "--device", "tonewire_sim:" + sc, "--cable",
                            "trrs-ctia-extension", "--seconds", str(seconds), "--json"],
                           capture_output=True, text=True, timeout=120)
        return p, json.loads(p.stdout)

    def test_scripted_dropouts(self):
        drops = [("A.T", "B.T", 400.0, 1.0), ("A.S", "B.S", 900.0, 2.0), ("A.R1", "B.R1", 1500.0, 10.0)]
        lines = self.STRAIGHT + [f"dropout = {a} {b} {t} {d}" for a, b, t, d in drops]
        p, r = self.flex(lines, 2)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(r["verdict"], "fail")
        self.assertEqual(r["kind"], "flex")
        events = r["flex"]["events"]
        self.assertEqual(len(events), len(drops), events)
        for ev, (a, b, t, d) in zip(events, drops):
            self.assertEqual(ev["contacts"], [a, b])
            self.assertLessEqual(abs(ev["time_ms"] - t), 0.6)        # one 0.5 ms block
            self.assertLessEqual(abs(ev["duration_ms"] - d), 1.1)
        fault = r["faults"][0]
        self.assertEqual(fault["code"], "intermittent")
        self.assertEqual(fault["count"], 3)
        self.assertGreaterEqual(fault["worst_ms"], 10.0)

    def test_clean_cable_has_no_event(self):
        p, r = self.flex(self.STRAIGHT, 20)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(r["flex"]["events"], [])
        self.assertEqual(r["flex"]["count"], 0)
        self.assertEqual(r["verdict"], "pass")

    def test_device_lost_while_flexing(self):
        """The interface unplugged 1.5 s into a 20 s session: what was tracked is kept, the verdict
        is error (never pass), the message says the device went away, exit 3."""
        p, r = self.flex(self.STRAIGHT, 20, "unplug_after_ms = 1500\n")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertEqual((r["kind"], r["verdict"]), ("flex", "error"), r)
        self.assertIn("went away during the flex session", r["error"])
        self.assertEqual(r["flex"]["ended_by"], "error", r["flex"])
        self.assertLess(r["flex"]["seconds"], 2.0, r["flex"])
        self.assertGreater(r["flex"]["seconds"], 0.5, r["flex"])

    def test_nothing_in_the_jig(self):
        """No cable at all: the first measurement has no signal, so there is nothing to track; the
        session ends at once with that error, exit 3."""
        p, r = self.flex([], 20)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertEqual(r["verdict"], "error", r)
        self.assertIn("no_signal", [f["code"] for f in r["faults"]], r)
        self.assertEqual(r["flex"]["ended_by"], "measurement", r["flex"])

    def test_usage(self):
        p = subprocess.run([TONEWIRE, "flex", "--device", "x", "--cable", "y", "--seconds", "-1"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--seconds", p.stderr)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main()
