#!/usr/bin/env python3
"""End to end: tonewired on a simulated real interface.

The daemon recognises the interface from its card, applies its profile's
mixer settings when it opens the device and before every test, reports the
format in its status and its results, and measures a jig sitting on device
channels that are not 1..N on an interface with fixed channel counts.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_daemon import BUILD, Daemon  # noqa: E402

ALSA_CONF = f"/usr/share/alsa/alsa.conf:{BUILD}/sim/tonewire_sim.conf"
DM = "Direct Monitor Playback Enum"


def control(scenario, name):
    p = subprocess.run(["amixer", "-D", "tonewire_sim:" + scenario, "cget", f"name={name}"],
                       capture_output=True, text=True, env=dict(os.environ, ALSA_CONFIG_PATH=ALSA_CONF))
    return p.stdout.strip().splitlines()[-1]


def set_control(scenario, name, value):
    """amixer's exit status: 0 when the control took the value."""
    return subprocess.run(["amixer", "-q", "-D", "tonewire_sim:" + scenario, "cset", f"name={name}", value],
                          capture_output=True, env=dict(os.environ, ALSA_CONFIG_PATH=ALSA_CONF)).returncode


class TestInterfaceUnderDaemon(unittest.TestCase):
    def tearDown(self):
        self.d.stop()

    def test_scarlett_with_direct_monitor_on(self):
        self.d = Daemon(scenario_extra=f"interface = scarlett-2i2-3rd\nmixer = \"{DM}\" Mono\n")
        self.d.start()
        st, s = self.d.get("/api/v1/status")
        self.assertEqual(s["format"], "S32_LE")
        self.assertIn("values=0", control(self.d.scenario, DM))   # turned off at open
        st, r = self.d.post_test()
        self.assertEqual(r["verdict"], "pass", r)
        self.assertEqual(r["format"], "S32_LE")
        # someone presses the button between two cables: set again before the next test
        self.assertEqual(set_control(self.d.scenario, DM, "Mono"), 0)
        self.assertIn("values=1", control(self.d.scenario, DM))
        st, r = self.d.post_test()
        self.assertEqual(r["verdict"], "pass", r)
        self.assertIn("values=0", control(self.d.scenario, DM))

    def test_control_held_by_a_switch(self):
        self.d = Daemon(scenario_extra=f"interface = scarlett-2i2-3rd\nmixer = \"{DM}\" Mono\n")
        self.d.start()
        # the scenario rewritten with the monitor stuck on: a re-plugged interface
        with open(self.d.scenario) as f:
            text = f.read()
        with open(self.d.scenario + ".tmp", "w") as f:
            f.write(text.replace(f"\"{DM}\" Mono", f"\"{DM}\" Mono fixed"))
        os.replace(self.d.scenario + ".tmp", self.d.scenario)
        self.assertNotEqual(set_control(self.d.scenario, DM, "Off"), 0)   # refused: it stays on
        self.assertIn("values=1", control(self.d.scenario, DM))
        st, r = self.d.post_test()
        self.assertEqual(r["verdict"], "error", r)
        self.assertEqual(r["faults"][0]["code"], "device_setup")

    def test_jig_on_the_last_channels_of_a_umc404hd(self):
        # the jig's channels come from the jig file once the loader keeps them; here the
        # stereo jig sits on channels 1-2 of the 4 the UMC404HD insists on
        self.d = Daemon(scenario_extra="interface = umc404hd\n")
        self.d.start()
        st, r = self.d.post_test()
        self.assertEqual(r["verdict"], "pass", r)
        self.assertEqual(r["format"], "S32_LE")


    def test_jig_file_on_channels_3_and_4(self):
        # The jig file names device channels 3 and 4 of a UMC404HD (4 in, 4 out): the
        # daemon opens all four and measures on 3-4; the simulator, reading the same
        # jig, wires the cable there. Opening 1-2 instead would read silence.
        jig_dir = tempfile.mkdtemp(prefix="tw-jig34-")
        self.addCleanup(shutil.rmtree, jig_dir, True)
        jig = os.path.join(jig_dir, "stereo-trs-34.conf")
        with open(jig, "w") as f:
            f.write("[jig]\nname = stereo-trs-34\nsocket_a = trs-3.5\nsocket_b = trs-3.5\n"
                    "source_ohms = 100\ninput_ohms = 10000\n[outputs]\n4 = A.R\n3 = A.T\n"
                    "[inputs]\n3 = +B.T -B.S\n4 = +B.R -B.S\n[ground]\ntie = A.S\n"
                    "[loads]\nload = B.T B.S 32\nload = B.R B.S 32\n")
        self.d = Daemon(scenario_extra="interface = umc404hd\n", station_extra=f"jig = {jig}\n")
        with open(self.d.scenario) as f:
            text = f.read().replace("jig = stereo-trs\n", f"jig = {jig}\n")
        with open(self.d.scenario, "w") as f:
            f.write(text)
        self.d.start()
        st, r = self.d.post_test()
        self.assertEqual((r["verdict"], r["jig"]), ("pass", "stereo-trs-34"), r)
        st, dev = self.d.get("/api/v1/devices")
        self.assertEqual(st, 200, dev)
        self.assertEqual(dev["station"]["device"], "tonewire_sim:" + self.d.scenario)
        self.assertEqual(dev["station"]["format"], "S32_LE")
        self.assertIsInstance(dev["devices"], list)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main()
