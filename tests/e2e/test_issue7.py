#!/usr/bin/env python3
"""End to end: flex sessions, verified golden calibration and per-cable limits,
on the real tonewired against the simulated jig (issue 7).

The daemon, SSE client and scenario writer are those of test_daemon.py.
Run one group: test_issue7.py Flex  (the CTest names are e2e.flex, e2e.calibrate, e2e.limits).
"""
import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_daemon import (CABLE, JIG, STRAIGHT, SWAPPED, SSE, TONEWIRE, TONEWIRED,  # noqa: E402
                         Daemon, write_scenario)

# `tonewire flex` reaches the daemon when no --device is given; a build may
# point this at another binary of the CLI.
CLI = os.environ.get("TONEWIRE_CLI", TONEWIRE)
RATE = 48000
BLOCK_MS = 0.5          # the flex tracker's block (dsp/flex.c: 0.5 ms)


def wait_state(d, states, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        st, s = d.get("/api/v1/status")
        if s["state"] in states:
            return s
        time.sleep(0.05)
    raise AssertionError(f"state never became {states}: {s}")


class Flex(unittest.TestCase):
    """Scripted dropouts are found with their times and contacts; a clean cable gives none."""

    def setUp(self):
        # Real-time pace: a session streams for seconds, as on a bench.
        self.d = Daemon(fast=False)
        self.addCleanup(self.d.stop)

    def scenario(self, name, lines):
        write_scenario(os.path.join(self.d.scen_dir, name + ".conf"), lines, fast=False, title=name)

    def test_dropouts_live_and_in_the_result(self):
        d = self.d
        # Times are from the start of the stream; the session's first
        # measurement takes ~120 ms, so the dropouts come after it.
        drops = [("A.T", "B.T", 600, 2), ("A.R", "B.R", 1100, 1), ("A.T", "B.T", 1700, 5),
                 ("A.R", "B.R", 2300, 3)]
        self.scenario("flexy", STRAIGHT + [f"dropout = {a} {b} {t} {n}" for a, b, t, n in drops])
        d.start()
        d.use_scenario("flexy")
        sse = SSE(d.port)
        self.addCleanup(sse.close)
        sse.wait_for(lambda e: e[1] == "status", timeout=5)

        st, r = d.request("POST", "/api/v1/flex", {"seconds": 3, "serial": "FLEX-1"})
        self.assertEqual(st, 202, r)
        sid = r["id"]
        self.assertEqual(r["location"], "/api/v1/flex")
        s = wait_state(d, ("flexing",))
        self.assertEqual(s["flex"], sid)
        # The jig is taken: neither a test nor a second session.
        st, b = d.post_test()
        self.assertEqual((st, b["test"]), (409, sid), b)
        st, b = d.request("POST", "/api/v1/flex", {})
        self.assertEqual(st, 409, b)

        # Each dropout is on the stream as soon as it has ended, long before
        # the session does.
        first = sse.wait_for(lambda e: e[1] == "flex", timeout=5)
        st, live = d.get("/api/v1/flex")
        self.assertEqual((st, live["id"], live["state"]), (200, sid, "flexing"), live)
        self.assertGreaterEqual(live["flex"]["count"], 1)
        res = None
        deadline = time.time() + 15
        while time.time() < deadline:
            st, res = d.get("/api/v1/flex")
            if res.get("state") == "done":
                break
            time.sleep(0.1)
        self.assertEqual(res["state"], "done", res)
        result_seen = sse.wait_for(lambda e: e[1] == "result" and e[2]["id"] == sid, timeout=5)
        self.assertLess(first[0], result_seen[0] - 1.0)   # live: a second or more before the end

        flex_events = [e[2] for e in sse.events if e[1] == "flex"]
        self.assertEqual(len(flex_events), len(drops), flex_events)
        for ev, (a, b, t, n) in zip(flex_events, drops):
            self.assertEqual(ev["session"], sid)
            self.assertEqual(ev["contacts"], [a, b], ev)
            self.assertEqual(ev["input"], f"+{b} -B.S")
            self.assertLessEqual(abs(ev["time_ms"] - t), BLOCK_MS + 0.05, ev)
            self.assertLessEqual(abs(ev["duration_ms"] - n), 2 * BLOCK_MS + 0.05, ev)
            self.assertGreater(ev["depth"], 0.9, ev)
        self.assertEqual([e["count"] for e in flex_events], list(range(1, len(drops) + 1)))

        # The result object of the session: stored, in the history as kind flex.
        self.assertEqual(res["verdict"], "fail", res)
        self.assertEqual(res["kind"], "flex")
        self.assertEqual(res["serial"], "FLEX-1")
        inter = [f for f in res["faults"] if f["code"] == "intermittent"]
        self.assertEqual(len(inter), 1, res["faults"])
        self.assertEqual(inter[0]["count"], len(drops))
        self.assertAlmostEqual(inter[0]["worst_ms"], 5.0, delta=2 * BLOCK_MS + 0.05)
        self.assertEqual(inter[0]["contacts"], ["A.T", "B.T", "A.R", "B.R"])
        self.assertEqual(res["flex"]["ended_by"], "time limit")
        self.assertAlmostEqual(res["flex"]["seconds"], 3.0, delta=0.01)
        self.assertEqual(res["flex"]["events"], [{k: v for k, v in e.items() if k not in ("session", "count")}
                                                 for e in flex_events])
        st, stored = d.get(f"/api/v1/tests/{sid}")
        self.assertEqual((st, stored["kind"], stored["verdict"]), (200, "flex", "fail"), stored)
        st, hist = d.get("/api/v1/tests?kind=flex")
        self.assertEqual([h["id"] for h in hist], [sid])
        st, hist = d.get("/api/v1/tests?kind=test")
        self.assertNotIn(sid, [h["id"] for h in hist])
        st, b = d.get("/api/v1/tests?kind=bogus")
        self.assertEqual(st, 400, b)

        st, text = d.get("/metrics")
        text = text.decode()
        self.assertIn('tonewire_flex_sessions_total{verdict="fail"} 1', text)
        self.assertIn(f"tonewire_flex_events_total {len(drops)}", text)
        # Nothing is running now: DELETE says so.
        wait_state(d, ("idle", "done"))
        st, b = d.request("DELETE", "/api/v1/flex")
        self.assertEqual(st, 409, b)

    def test_clean_cable_stopped_early_and_cli(self):
        d = self.d
        d.start()
        st, b = d.get("/api/v1/flex")
        self.assertEqual(st, 404, b)
        for body, what in (({"seconds": 0}, "seconds"), ({"seconds": 3601}, "seconds"),
                           ({"seconds": 1.5}, "seconds"), ({"seconds": "5"}, "seconds"),
                           ({"cable": "../x"}, "cable"), ({"cable": "no-such-cable"}, "cable"),
                           ({"minutes": 1}, "minutes")):
            st, b = d.request("POST", "/api/v1/flex", body)
            self.assertEqual(st, 400, (body, b))
            self.assertIn(what, b["error"])

        # A clean cable for a while, stopped by DELETE: no events, pass.
        st, r = d.request("POST", "/api/v1/flex", {"seconds": 60})
        self.assertEqual(st, 202, r)
        wait_state(d, ("flexing",))
        time.sleep(2.0)
        t0 = time.time()
        st, res = d.request("DELETE", "/api/v1/flex")
        self.assertEqual(st, 200, res)
        self.assertLess(time.time() - t0, 2.0)
        self.assertEqual((res["id"], res["verdict"], res["faults"]), (r["id"], "pass", []), res)
        self.assertEqual(res["flex"]["count"], 0)
        self.assertEqual(res["flex"]["ended_by"], "stopped")
        self.assertGreater(res["flex"]["seconds"], 1.5)
        self.assertLess(res["flex"]["seconds"], 10)
        self.assertEqual(d.get("/api/v1/flex")[1]["id"], r["id"])

        # Through the CLI: the events as they happen, exit 1 on intermittent.
        if not self.cli_reaches_daemon():
            self.skipTest("`tonewire flex` without --device does not reach the daemon in this build")
        write_scenario(d.scenario, STRAIGHT + ["dropout = A.R B.R 900 2"], fast=False)
        d.use_scenario("straight")
        p = subprocess.run([CLI, "flex", "--server", d.url, "--seconds", "2", "--serial", "CLI-1"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"(899|900)\.\d ms\s+dropout\s+\d\.\d ms\s+A\.R -> B\.R")
        self.assertIn("1 dropout in 2.0 s", p.stdout)
        self.assertIn("FAIL", p.stdout)
        p = subprocess.run([CLI, "flex", "--server", d.url, "--seconds", "1", "--json"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        res = json.loads(p.stdout)
        self.assertEqual((res["kind"], res["verdict"], res["flex"]["count"]), ("flex", "fail", 1), res)
        # Ctrl-C ends the session with its result instead of abandoning it.
        write_scenario(d.scenario, STRAIGHT, fast=False)
        d.use_scenario("straight")
        proc = subprocess.Popen([CLI, "flex", "--server", d.url, "--seconds", "60", "--json"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_state(d, ("flexing",))
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, errs = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0, out + errs)
        res = json.loads(out)
        self.assertEqual((res["verdict"], res["flex"]["ended_by"]), ("pass", "stopped"), res)
        # A busy station is a station error.
        d.request("POST", "/api/v1/flex", {"seconds": 5})
        p = subprocess.run([CLI, "flex", "--server", d.url, "--seconds", "1"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        d.request("DELETE", "/api/v1/flex")

    def cli_reaches_daemon(self):
        p = subprocess.run([CLI, "flex", "--help"], capture_output=True, text=True, timeout=10)
        return "--server" in p.stdout and "--device" not in p.stdout.split("\n")[0]


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
        self.assertAlmostEqual(r["matrix"]["gain_db"][0][0], -12.337, delta=0.05)

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


LOOSE = """[cable]
name = {name}
description = TRS extension judged on series resistance rather than level (issue 7 tests)
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
    if not os.access(TONEWIRED, os.X_OK):
        print(f"SKIP: {TONEWIRED} not built")
        sys.exit(0)
    unittest.main(verbosity=2)
