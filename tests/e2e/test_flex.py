#!/usr/bin/env python3
"""End to end: flex sessions on the real tonewired against the simulated jig — scripted
dropouts found live and in the result with their times and contacts, a clean cable passes,
and `tonewire flex --server` reports, exits and stops as documented (CTest: e2e.flex).
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_daemon import SSE, STRAIGHT, TONEWIRE, TONEWIRED, Daemon, write_scenario  # noqa: E402

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
        # Real-time pace: a session streams for seconds, as on a bench. Periods of 1024 frames,
        # 8 of them (170 ms of buffer), so another program's load on a shared machine does not
        # make the stream run dry; an xrun would cost the session a new measurement, blind
        # for its ~120 ms.
        self.d = Daemon(fast=False, station_extra="period = 1024\nperiods = 8\n")
        self.addCleanup(self.d.stop)

    def scenario(self, name, lines):
        write_scenario(os.path.join(self.d.scen_dir, name + ".conf"), lines, fast=False, title=name)

    def test_dropouts_live_and_in_the_result(self):
        d = self.d
        # Dropout times are on the simulated device's timeline, from when the daemon opened it
        # (the scenario switch below); the session starts some hundreds of ms later and measures
        # for ~120 ms before it tracks, so the first dropout comes 2.5 s after the open.
        drops = [("A.T", "B.T", 2500, 2), ("A.R", "B.R", 3000, 1), ("A.T", "B.T", 3600, 5),
                 ("A.R", "B.R", 4200, 3)]
        self.scenario("flexy", STRAIGHT + [f"dropout = {a} {b} {t} {n}" for a, b, t, n in drops])
        d.start()
        t_switch = time.time()
        d.use_scenario("flexy")
        t_switched = time.time()
        sse = SSE(d.port)
        self.addCleanup(sse.close)
        sse.wait_for(lambda e: e[1] == "status", timeout=5)

        t_post = time.time()
        st, r = d.request("POST", "/api/v1/flex", {"seconds": 5, "serial": "FLEX-1"})
        self.assertEqual(st, 202, r)
        sid = r["id"]
        self.assertEqual(r["location"], "/api/v1/flex")
        s = wait_state(d, ("flexing",))
        t_flexing = time.time()
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
        self.assertEqual(len(flex_events), len(drops), (flex_events, res.get("xruns"), "".join(d.log)))
        # Where the session's stream started on the device's timeline: from the first event,
        # and within what the test's own clock allows (the open happened during the switch, the
        # stream started after the POST and before the session was seen tracking).
        start_ms = drops[0][2] - flex_events[0]["time_ms"]
        self.assertGreaterEqual(start_ms, (t_post - t_switched) * 1000 - 50, flex_events[0])
        self.assertLessEqual(start_ms, (t_flexing - t_switch) * 1000 + 50, flex_events[0])
        for ev, (a, b, t, n) in zip(flex_events, drops):
            self.assertEqual(ev["session"], sid)
            self.assertEqual(ev["contacts"], [a, b], ev)
            self.assertEqual(ev["input"], f"+{b} -B.S")
            # Each time to a block, so one event against another to two blocks.
            self.assertLessEqual(abs(ev["time_ms"] - (t - start_ms)), 2 * BLOCK_MS + 0.05,
                                 (ev, start_ms, res.get("xruns")))
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
        self.assertAlmostEqual(res["flex"]["seconds"], 5.0, delta=0.01)
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

        # Through the CLI: the events as they happen, exit 1 on intermittent (a CLI whose
        # exit status ignored the verdict would exit 0 here).
        # The dropout is 1.5 s after the device opens on the switch; the session starts within
        # the time the switch and the CLI's start took.
        write_scenario(d.scenario, STRAIGHT + ["dropout = A.R B.R 1500 2"], fast=False)
        t_switch = time.time()
        d.use_scenario("straight")
        p = subprocess.run([CLI, "flex", "--server", d.url, "--seconds", "3", "--serial", "CLI-1"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        m = re.search(r"(\d+\.\d) ms\s+dropout\s+(\d\.\d) ms\s+A\.R -> B\.R", p.stdout)
        self.assertIsNotNone(m, p.stdout)
        self.assertGreater(float(m.group(1)), 1500 - (time.time() - t_switch) * 1000, p.stdout)
        self.assertLessEqual(float(m.group(1)), 1500, p.stdout)
        self.assertAlmostEqual(float(m.group(2)), 2.0, delta=2 * BLOCK_MS + 0.05)
        self.assertIn("1 dropout in 3.0 s", p.stdout)
        self.assertIn("FAIL", p.stdout)
        d.use_scenario("straight")   # opened again: its timeline, and the dropout, start anew
        p = subprocess.run([CLI, "flex", "--server", d.url, "--seconds", "2", "--json"],
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


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main(require=[TONEWIRED, CLI])
