#!/usr/bin/env python3
"""End to end: `tonewire devices` on every shipped interface, as the simulator plays it.

For each profiles/interfaces/*.conf a scenario puts that interface behind the simulated
PCM; `tonewire devices --device tonewire_sim:…` must report what the profile file says
(formats per direction, rates, fixed channel counts, card name, USB id, the profile's
name) and exactly the shipped jigs whose channels the device has: every key of a jig's
[outputs] within the playback channels and of its [inputs] within the capture channels,
read here from the jig files themselves. The text listing says the same. A device that
cannot be opened is listed without directions; bad arguments are usage errors (exit 2).
Catches a direction swapped, a jig fit by its channel count instead of its highest
channel, formats or rates of one direction shown for the other, and a listing that drops
the card or the profile.
"""
import configparser
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("TONEWIRE_BUILD_DIR", os.path.join(SOURCE, "build"))
TONEWIRE = os.path.join(BUILD, "cli", "tonewire")
ENV = dict(os.environ, ALSA_CONFIG_PATH=f"/usr/share/alsa/alsa.conf:{BUILD}/sim/tonewire_sim.conf")


def ini(path):
    cp = configparser.ConfigParser(inline_comment_prefixes=(";", "#"), strict=False, interpolation=None)
    cp.optionxform = str
    cp.read(path)
    return cp


def interface(path):
    i = ini(path)["interface"]
    formats = i.get("formats", "").split()
    return {
        "name": i["name"],
        "card": i.get("card_name"),
        "usb": i.get("usb_id"),
        "play_formats": i.get("playback_formats", "").split() or formats,
        "cap_formats": i.get("capture_formats", "").split() or formats,
        "rates": [int(r) for r in i["rates"].split()],
        "out": int(i["playback_channels"]),
        "in": int(i["capture_channels"]),
    }


def mixer_lines(path):
    """The settings of a profile's [mixer] section, one per line (a key may repeat)."""
    n, inside = 0, False
    with open(path) as f:
        for ln in f:
            ln = ln.split(";")[0].strip()
            if ln.startswith("["):
                inside = ln == "[mixer]"
            elif inside and "=" in ln:
                n += 1
    return n


def jigs_that_fit(n_out, n_in):
    """The shipped jigs whose highest output and input channel the device has."""
    fit = []
    for path in glob.glob(os.path.join(SOURCE, "profiles", "jigs", "*.conf")):
        cp = ini(path)
        outs = [int(k) for k in cp["outputs"]]
        ins = [int(k) for k in cp["inputs"]]
        if max(outs) <= n_out and max(ins) <= n_in:
            fit.append(cp["jig"]["name"])
    return sorted(fit)


class Devices(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tw-devices-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def scenario(self, name, iface):
        path = os.path.join(self.tmp, name + ".conf")
        with open(path, "w") as f:
            f.write(f"[scenario]\njig = stereo-trs\n\n[interface]\npace = fast\ninterface = {iface}\n\n"
                    "[cable]\nwire = A.T B.T\nwire = A.R B.R\nwire = A.S B.S\n")
        return "tonewire_sim:" + path

    def devices(self, *args):
        return subprocess.run([TONEWIRE, "devices", *args], capture_output=True, text=True, env=ENV, timeout=60)

    def test_every_interface_as_its_profile_says(self):
        profiles = sorted(glob.glob(os.path.join(SOURCE, "profiles", "interfaces", "*.conf")))
        self.assertGreaterEqual(len(profiles), 9)
        for path in profiles:
            want = interface(path)
            with self.subTest(interface=want["name"]):
                pcm = self.scenario(want["name"], want["name"])
                p = self.devices("--device", pcm, "--json")
                self.assertEqual(p.returncode, 0, p.stderr)
                mine = [d for d in json.loads(p.stdout)["devices"] if d["pcm"] == pcm]
                self.assertEqual(len(mine), 1, p.stdout)
                d = mine[0]
                self.assertEqual((d["interface"], d["card"], d["usb_id"]), (want["name"], want["card"], want["usb"]))
                for direction, formats, channels in (("playback", want["play_formats"], want["out"]),
                                                     ("capture", want["cap_formats"], want["in"])):
                    got = d[direction]
                    self.assertIsNotNone(got, f"{direction}: {p.stderr}")
                    self.assertFalse(got.get("busy"), got)
                    self.assertEqual(sorted(got["formats"]), sorted(formats), direction)
                    self.assertEqual(sorted(got["rates"]), sorted(want["rates"]), direction)
                    self.assertEqual((got["channels"]["min"], got["channels"]["max"]), (channels, channels), direction)
                self.assertEqual(sorted(d["jigs"]), jigs_that_fit(want["out"], want["in"]))

                # The listing for people says the same.
                p = self.devices("--device", pcm)
                self.assertEqual(p.returncode, 0, p.stderr)
                lines = p.stdout.splitlines()
                head = next(i for i, l in enumerate(lines) if l.startswith(pcm))
                self.assertIn(want["card"], lines[head])
                self.assertIn(f"profile {want['name']}", lines[head])
                play, cap, jigs = lines[head + 1], lines[head + 2], lines[head + 3]
                self.assertTrue(play.split()[0] == "playback" and cap.split()[0] == "capture", lines[head:head + 4])
                self.assertIn(f"{want['out']} channels", play)
                self.assertIn(f"{want['in']} channels", cap)
                self.assertIn(" ".join(str(r) for r in want["rates"]) + " Hz", play)
                self.assertEqual(jigs.split()[1:], jigs_that_fit(want["out"], want["in"]) or ["none", "fit"])

    def test_profiles_show_every_interface(self):
        """`tonewire profiles show NAME` of an interface says what its file says."""
        for path in sorted(glob.glob(os.path.join(SOURCE, "profiles", "interfaces", "*.conf"))):
            want = interface(path)
            with self.subTest(interface=want["name"]):
                p = subprocess.run([TONEWIRE, "profiles", "show", want["name"]], capture_output=True, text=True,
                                   timeout=30)
                self.assertEqual(p.returncode, 0, p.stderr)
                lines = p.stdout.splitlines()
                self.assertTrue(lines[0].startswith(f"interface {want['name']} — "), lines[0])
                recognised = next(ln for ln in lines if ln.strip().startswith("recognised by"))
                for what in (want["usb"], want["card"]):
                    if what:
                        self.assertIn(what, recognised)
                play = next(ln for ln in lines if ln.split()[0] == "playback")
                cap = next(ln for ln in lines if ln.split()[0] == "capture")
                self.assertEqual(play.split()[1:], [*want["play_formats"][:-1], want["play_formats"][-1] + ",",
                                                    str(want["out"]), "channels"])
                self.assertEqual(cap.split()[1:], [*want["cap_formats"][:-1], want["cap_formats"][-1] + ",",
                                                   str(want["in"]), "channels"])
                rates = next(ln for ln in lines if ln.split()[0] == "rates")
                self.assertEqual([int(r) for r in rates.split()[1:]], want["rates"])
                self.assertEqual(sum(ln.strip().startswith("mixer:") for ln in lines), mixer_lines(path))

    def test_a_device_that_does_not_open(self):
        pcm = self.scenario("unknown", "no-such-interface")
        p = self.devices("--device", pcm, "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        d = [d for d in json.loads(p.stdout)["devices"] if d["pcm"] == pcm][0]
        self.assertEqual((d["playback"], d["capture"], d["jigs"]), (None, None, []), d)
        self.assertIn("no-such-interface", p.stderr)   # ALSA's reason reaches the user
        p = self.devices("--device", pcm)
        lines = p.stdout.splitlines()
        head = next(i for i, l in enumerate(lines) if l.startswith(pcm))
        self.assertEqual([l.split() for l in lines[head + 1:head + 4]],
                         [["playback", "-"], ["capture", "-"], ["jigs", "none", "fit"]])

    def test_usage(self):
        p = self.devices("extra")
        self.assertEqual(p.returncode, 2)
        self.assertIn("unexpected argument 'extra'", p.stderr)
        p = self.devices(*sum((["--device", f"x{i}"] for i in range(17)), []))
        self.assertEqual(p.returncode, 2)
        self.assertIn("at most 16", p.stderr)
        p = self.devices("--no-such-option")
        self.assertEqual(p.returncode, 2)
        self.assertIn("usage: tonewire devices", p.stderr)
        p = self.devices("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("usage: tonewire devices", p.stdout)


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    import twtest  # noqa: E402
    twtest.main()
