#!/usr/bin/env python3
"""End to end: verified golden calibration on the real tonewired against the simulated jig —
a faulty golden cable is refused with its faults, a good one becomes the reference, is applied
to every later test and survives a restart (CTest: e2e.calibrate).
"""
import json
import math
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_daemon import CABLE, JIG, SWAPPED, TONEWIRE, TONEWIRED, Daemon, write_scenario  # noqa: E402


class Calibrate(unittest.TestCase):
    """A faulty golden cable is refused with its faults; a good one becomes the reference."""

    # An interface whose gain is 1.5 dB low (an input gain knob a little off):
    # raw levels read -1.5 dB, which an uncalibrated station cannot tell from
    # resistance in the cable; a calibrated one reads 0 dB.
    LOSS_DB = 1.5
    GAIN = "gain_db = -1.5\n"

    def test_refuse_accept_apply(self):
        d = Daemon(scenario_extra=self.GAIN)
        self.addCleanup(d.stop)
        write_scenario(os.path.join(d.scen_dir, "swap.conf"), SWAPPED, extra=self.GAIN, title="swap")
        d.start()
        st, s = d.get("/api/v1/status")
        self.assertIsNone(s["calibration"], s)
        st, r = d.post_test()
        self.assertIsNone(r["calibration"], r)
        self.assertNotEqual(r["verdict"], "pass", r)   # never vouched for while the gain is unexplained
        for ch in r["channels"]:
            self.assertAlmostEqual(ch["level_db"], -self.LOSS_DB, delta=0.05)

        # An L/R swapped golden cable: refused with its faults, nothing stored.
        d.use_scenario("swap")
        st, b = d.request("POST", "/api/v1/calibrate", {"cable": CABLE})
        self.assertEqual(st, 422, b)
        self.assertTrue(b["error"].startswith("golden sample is not good: "), b)
        self.assertIn("lr_swap", [f["code"] for f in b["faults"]])
        self.assertEqual(d.get("/api/v1/calibrations")[1], [])
        self.assertIsNone(d.get("/api/v1/status")[1]["calibration"])
        st, hist = d.get("/api/v1/tests?kind=calibration")
        self.assertEqual([(h["id"], h["verdict"]) for h in hist], [(b["test"], "fail")])
        p = subprocess.run([TONEWIRE, "calibrate", "--server", d.url, "--cable", CABLE], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("REFUSED", p.stdout)
        self.assertIn("[lr_swap]", p.stdout)

        # A good one: stored, active, and applied to every test after it.
        d.use_scenario("straight")
        st, b = d.request("POST", "/api/v1/calibrate", {"cable": CABLE, "serial": "GOLDEN-1"})
        self.assertEqual(st, 201, b)
        cal = b["calibration"]
        self.assertEqual((cal["cable"], cal["jig"], cal["active"], cal["test"]), (CABLE, JIG, True, b["test"]))
        g = cal["corrections"]["gain_db"]
        self.assertAlmostEqual(g[0][0], -self.LOSS_DB, delta=0.02)
        self.assertAlmostEqual(g[1][1], -self.LOSS_DB, delta=0.02)
        self.assertEqual((g[0][1], g[1][0]), (None, None))   # crosstalk paths carry no reference
        self.assertEqual(b["result"]["kind"], "calibration")
        self.assertEqual(b["result"]["calibration_created"], cal["id"])
        st, s = d.get("/api/v1/status")
        self.assertEqual((s["calibration"]["id"], s["calibration"]["cable"]), (cal["id"], CABLE), s)
        self.assertRegex(s["calibration"]["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        st, r = d.post_test()
        self.assertEqual((r["verdict"], r["calibration"]), ("pass", cal["id"]), r)
        for ch in r["channels"]:
            self.assertAlmostEqual(ch["level_db"], 0.0, delta=0.05)
        # The matrix keeps the jig's own divider: 100 ohm source, 0.05 ohm wire, the 32 ohm load
        # in parallel with the 10 kohm input leg, and the return through the sleeve wire (0.05 ohm)
        # and the tie to ground (0.01 ohm) in series with it; the calibration removed the 1.5 dB.
        load = 32.0 * 10000.0 / (32.0 + 10000.0)
        divider_db = 20 * math.log10(load / (100.0 + 0.05 + load + 0.05 + 0.01))
        self.assertAlmostEqual(r["matrix"]["gain_db"][0][0], divider_db, delta=0.01)

        # Through the CLI: a second calibration replaces the first as active.
        p = subprocess.run([TONEWIRE, "calibrate", "--server", d.url, "--cable", CABLE, "--json"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        second = json.loads(p.stdout)["calibration"]["id"]
        self.assertGreater(second, cal["id"])
        cals = d.get("/api/v1/calibrations")[1]
        self.assertEqual([(c["id"], c["active"]) for c in cals], [(second, True), (cal["id"], False)])
        st, one = d.get(f"/api/v1/calibrations/{cal['id']}")
        self.assertEqual((st, one["active"]), (200, False))
        self.assertEqual(d.get("/api/v1/calibrations/999")[0], 404)
        # The CLI's words: the new calibration, active, and its correction per measured path
        # (the two signal paths; crosstalk paths carry none).
        p = subprocess.run([TONEWIRE, "calibrate", "--server", d.url, "--cable", CABLE], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        m = re.match(r"CALIBRATED  calibration (\d+) from (\S+) \(test \d+\), active from now on", p.stdout)
        self.assertIsNotNone(m, p.stdout)
        self.assertEqual(m.group(2), CABLE)
        third = int(m.group(1))
        self.assertGreater(third, second)
        self.assertEqual(d.get("/api/v1/status")[1]["calibration"]["id"], third)
        table = p.stdout.split("\n\n", 1)[1].splitlines()
        self.assertEqual(table[0].split(), ["output", "input", "gain", "dB", "phase"])
        rows = [ln.split() for ln in table[1:] if ln.strip()]
        self.assertEqual(len(rows), 2, p.stdout)
        for r in rows:
            self.assertAlmostEqual(float(r[-2]), -self.LOSS_DB, delta=0.02)   # input names hold a blank
        second = third

        # It outlives a restart, and flex sessions record it too.
        d.stop()
        d.start()
        self.assertEqual(d.get("/api/v1/status")[1]["calibration"]["id"], second)
        st, r = d.post_test()
        self.assertEqual(r["calibration"], second, r)
        st, f = d.request("POST", "/api/v1/flex", {"seconds": 1})
        self.assertEqual(st, 202, f)
        deadline = time.time() + 20
        while time.time() < deadline:
            st, res = d.get("/api/v1/flex")
            if res.get("state") == "done":
                break
            time.sleep(0.05)
        self.assertEqual((res["id"], res["calibration"]), (f["id"], second), res)

        # Bad requests.
        for body in ({"cable": 5}, {"cable": "no-such-cable"}, {"golden": True}):
            st, b = d.request("POST", "/api/v1/calibrate", body)
            self.assertEqual(st, 400, (body, b))
        p = subprocess.run([TONEWIRE, "calibrate", "--server", d.url], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 2, p.stderr)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main(require=[TONEWIRED, TONEWIRE])
