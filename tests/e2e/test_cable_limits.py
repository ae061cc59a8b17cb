#!/usr/bin/env python3
"""End to end: a cable profile's [limits] decide the verdict, and every limit a result was
judged against is reported with its margin, by the daemon and by a local CLI run
(CTest: e2e.limits).
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_daemon import TONEWIRE, TONEWIRED, Daemon, write_scenario  # noqa: E402


LOOSE = """[cable]
name = {name}
description = TRS extension judged on series resistance rather than level (e2e.limits)
end_a = trs-3.5
end_b = trs-3.5

[limits]
max_level_dev_db = {level}
max_crosstalk_db = -40
max_series_ohms = {ohms}
min_snr_db = 30
max_phase_deg = 10
"""


class Limits(unittest.TestCase):
    """Every limit a result was judged against is reported with its margin; the profile's limits decide."""

    def check_rows(self, r, limits=None):
        rows = r["limits"]
        names = {(x["name"], x["channel"]) for x in rows}
        for ch in ("L", "R"):
            for n in ("level_db", "crosstalk_db", "snr_db", "phase_deg"):
                self.assertIn((n, ch), names, rows)
        chans = {c["name"]: c for c in r["channels"]}
        for x in rows:
            if limits:
                self.assertEqual(x["limit"], limits[x["name"]], x)
            self.assertEqual(x["ok"], x["margin"] >= 0, x)
            if x["name"] == "series_ohms":
                self.assertAlmostEqual(x["margin"], x["limit"] - x["measured"], delta=0.002)
                continue
            c = chans[x["channel"]]
            self.assertEqual(x["measured"], c[x["name"]], x)
            want = {"level_db": x["limit"] - abs(x["measured"]),
                    "crosstalk_db": x["limit"] - x["measured"],
                    "snr_db": x["measured"] - x["limit"],
                    "phase_deg": x["limit"] - abs(x["measured"])}[x["name"]]
            self.assertAlmostEqual(x["margin"], want, delta=0.002, msg=x)
        return {(x["name"], x["channel"]): x for x in rows}

    def test_limits_reported_and_deciding(self):
        d = Daemon()
        self.addCleanup(d.stop)
        prof = os.path.join(d.dir, "profiles", "cables")
        os.makedirs(prof)
        for name, level, ohms in (("trs-series-5", 3, 5), ("trs-series-40", 3, 40), ("trs-level-1", 1, 40)):
            with open(os.path.join(prof, name + ".conf"), "w") as f:
                f.write(LOOSE.format(name=name, level=level, ohms=ohms))
        with open(d.config, "a") as f:
            f.write(f"\n[profiles]\npath = {os.path.join(d.dir, 'profiles')}\n")
        corroded = ["wire = A.T B.T 25", "wire = A.R B.R", "wire = A.S B.S"]
        write_scenario(os.path.join(d.scen_dir, "corroded.conf"), corroded, title="corroded")
        d.start()

        # A good cable against the default limits: every row inside, no series fit.
        st, r = d.post_test()
        self.assertEqual(r["verdict"], "pass", r)
        rows = self.check_rows(r)
        self.assertTrue(all(x["ok"] for x in rows.values()), rows)
        self.assertNotIn("series_ohms", {n for n, _ in rows})
        self.assertGreater(rows[("snr_db", "L")]["margin"], 30)

        # 25 ohm in the tip conductor (-1.5 dB into 32 ohm): beyond a 1 dB
        # level limit, and beyond a 5 ohm series limit even when the level
        # limit is loose; inside a 40 ohm one.
        explicit = {"level_db": 1.0, "crosstalk_db": -40.0, "snr_db": 30.0, "phase_deg": 10.0,
                    "series_ohms": 40.0}
        d.use_scenario("corroded")
        st, r = d.post_test(cable="trs-level-1")
        self.assertEqual(r["verdict"], "fail", r)
        rows = self.check_rows(r, explicit)
        self.assertFalse(rows[("level_db", "L")]["ok"])
        self.assertTrue(rows[("level_db", "R")]["ok"])
        defaults = dict(explicit, level_db=3.0)

        st, r = d.post_test(cable="trs-series-5")
        self.assertEqual(r["verdict"], "fail", r)
        self.assertIn("high_resistance", [f["code"] for f in r["faults"]])
        rows = self.check_rows(r, dict(defaults, level_db=3.0, series_ohms=5.0))
        series = rows[("series_ohms", "L")]
        self.assertAlmostEqual(series["measured"], 25, delta=3)
        self.assertFalse(series["ok"])
        self.assertTrue(rows[("level_db", "L")]["ok"])   # the level alone would have passed

        st, r = d.post_test(cable="trs-series-40")
        self.assertEqual(r["verdict"], "pass", r)
        rows = self.check_rows(r, dict(defaults, level_db=3.0, series_ohms=40.0))
        self.assertTrue(all(x["ok"] for x in rows.values()), rows)

        # The same rows from a local run of the CLI.
        p = subprocess.run([TONEWIRE, "run", "--device", f"tonewire_sim:{d.scen_dir}/corroded.conf",
                            "--cable", "trs-series-5", "--profiles", os.path.join(d.dir, "profiles"), "--json"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        r = json.loads(p.stdout)
        self.assertFalse(self.check_rows(r, dict(defaults, level_db=3.0, series_ohms=5.0))[("series_ohms", "L")]["ok"])


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main(require=[TONEWIRED, TONEWIRE])
