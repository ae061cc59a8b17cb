#!/usr/bin/env python3
"""End to end: every shipped interface profile, through `tonewire run`.

For each profiles/interfaces/*.conf the simulator plays that interface (its
formats, rates, fixed channel counts, mixer), with the largest shipped
per-contact jig its channels take; where the device has channels to spare
the jig sits on the last ones (the scenario's jig_outputs/jig_inputs and the
CLI's --outputs/--inputs). A straight cable must pass and a faulty one fail
as itself, and the result must name the format the profile offers.
"""
import configparser
import glob
import json
import os
import shutil
import sys
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("TONEWIRE_BUILD_DIR", os.path.join(SOURCE, "build"))
TONEWIRE = os.path.join(BUILD, "cli", "tonewire")

# Jigs by size, with a cable that fits them, the straight wiring and a fault.
JIGS = [
    ("trrrs-5ch", 5, 5, "trrrs-4.4-extension", ["T", "R1", "R2", "R3", "S"], "short = A.T A.R1 0.5", "short"),
    ("trrs-4ch", 4, 4, "trrs-ctia-extension", ["T", "R1", "R2", "S"], "short = A.T A.R1 0.5", "short"),
    ("stereo-trs", 2, 2, "trs-3.5-extension", ["T", "R", "S"], None, "lr_swap"),
]


def profile(path):
    cp = configparser.ConfigParser(inline_comment_prefixes=(";", "#"), strict=False)
    cp.read(path)
    i = cp["interface"]
    formats = i.get("formats", "").split()
    play = i.get("playback_formats", "").split() or formats
    cap = i.get("capture_formats", "").split() or formats
    return {
        "name": i["name"],
        "out": int(i["playback_channels"]),
        "in": int(i["capture_channels"]),
        "rates": [int(r) for r in i["rates"].split()],
        "format": play[0] if play[0] == cap[0] else f"{play[0]}/{cap[0]}",
    }


def cable_lines(contacts, fault):
    if fault == "lr_swap":
        return [f"wire = A.{contacts[0]} B.{contacts[1]}", f"wire = A.{contacts[1]} B.{contacts[0]}"] + \
               [f"wire = A.{c} B.{c}" for c in contacts[2:]]
    lines = [f"wire = A.{c} B.{c}" for c in contacts]
    return lines + ([fault] if fault else [])


class TestEveryInterface(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tw-iface-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def run_one(self, prof, jig, lines, name):
        jname, n_out, n_in, cable = jig[:4]
        # the last channels of the device: anything else on it is left alone
        outs = list(range(prof["out"] - n_out + 1, prof["out"] + 1))
        ins = list(range(prof["in"] - n_in + 1, prof["in"] + 1))
        rate = 48000 if 48000 in prof["rates"] else prof["rates"][0]
        path = os.path.join(self.tmp, f"{prof['name']}-{name}.conf")
        with open(path, "w") as f:
            f.write(f"[scenario]\njig = {jname}\nrate = {rate}\n\n[interface]\npace = fast\nnoise_dbfs = -100\n"
                    f"interface = {prof['name']}\n"
                    f"jig_outputs = {' '.join(map(str, outs))}\njig_inputs = {' '.join(map(str, ins))}\n\n"
                    "[cable]\n" + "\n".join(lines) + "\n")
        p = subprocess.run([TONEWIRE, "run", "--device", "tonewire_sim:" + path, "--cable", cable,
                            "--rate", str(rate), "--outputs", ",".join(map(str, outs)),
                            "--inputs", ",".join(map(str, ins)), "--json"],
                           capture_output=True, text=True, timeout=120)
        self.assertTrue(p.stdout.strip(), p.stderr)
        return p.returncode, json.loads(p.stdout), p.stderr

    def test_every_profile(self):
        paths = sorted(glob.glob(os.path.join(SOURCE, "profiles", "interfaces", "*.conf")))
        self.assertGreaterEqual(len(paths), 9)
        for path in paths:
            prof = profile(path)
            jig = next(j for j in JIGS if j[1] <= prof["out"] and j[2] <= prof["in"])
            contacts, fault_line, code = jig[4], jig[5], jig[6]
            with self.subTest(interface=prof["name"], jig=jig[0]):
                rc, r, err = self.run_one(prof, jig, cable_lines(contacts, None), "straight")
                self.assertEqual(rc, 0, err + json.dumps(r["faults"]))
                self.assertEqual(r["verdict"], "pass")
                self.assertEqual(r["format"], prof["format"])
                rc, r, err = self.run_one(prof, jig, cable_lines(contacts, fault_line or code), "faulty")
                self.assertEqual(rc, 1, err + json.dumps(r["faults"]))
                self.assertEqual([f["code"] for f in r["faults"]][:1], [code])


class TestNamedScenarios(unittest.TestCase):
    """The issue's scenarios, through tonewire run."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tw-iface-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def run_scenario(self, name, iface, lines, *args, jig="stereo-trs", cable="trs-3.5-extension"):
        path = os.path.join(self.tmp, name + ".conf")
        with open(path, "w") as f:
            f.write(f"[scenario]\njig = {jig}\n\n[interface]\npace = fast\nnoise_dbfs = -100\n{iface}\n[cable]\n"
                    + "\n".join(lines) + "\n")
        p = subprocess.run([TONEWIRE, "run", "--device", "tonewire_sim:" + path, "--cable", cable, "--json", *args],
                           capture_output=True, text=True, timeout=120)
        return p.returncode, json.loads(p.stdout) if p.stdout.strip() else None, p.stderr

    def test_s24_3le_only(self):
        straight = cable_lines(["T", "R", "S"], None)
        rc, r, err = self.run_scenario("s24", "formats = S24_3LE\n", straight)
        self.assertEqual(rc, 0, err)
        self.assertEqual(r["format"], "S24_3LE")
        rc, r, err = self.run_scenario("s24-swap", "formats = S24_3LE\n", cable_lines(["T", "R", "S"], "lr_swap"))
        self.assertEqual((rc, r["faults"][0]["code"]), (1, "lr_swap"), err)

    def test_jig_on_3_4_of_4(self):
        hw = "playback_channels = 4\ncapture_channels = 4\njig_outputs = 3 4\njig_inputs = 3 4\n"
        straight = cable_lines(["T", "R", "S"], None)
        rc, r, err = self.run_scenario("ch34", hw, straight, "--outputs", "3,4", "--inputs", "3,4")
        self.assertEqual(rc, 0, err)
        # the jig is not on 1-2: read there, nothing of it is heard
        rc, r, err = self.run_scenario("ch34-wrong", hw, straight)
        self.assertEqual(rc, 3, err)
        # a list that does not match the jig is a usage error
        rc, r, err = self.run_scenario("ch34-bad", hw, straight, "--outputs", "3")
        self.assertEqual(rc, 2)
        self.assertIn("--outputs/--inputs must list as many channels", err)

    def test_s16_at_one_rate(self):
        hw = "formats = S16_LE\nrates = 44100\n"
        straight = cable_lines(["T", "R", "S"], None)
        rc, r, err = self.run_scenario("s16", hw, straight, "--rate", "44100")
        self.assertEqual(rc, 0, err)
        self.assertEqual(r["format"], "S16_LE")
        rc, r, err = self.run_scenario("s16-48k", hw, straight)
        self.assertEqual(rc, 3)
        self.assertIn("rate 48000 Hz not offered", err)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main()
