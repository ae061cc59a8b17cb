#!/usr/bin/env python3
"""End to end: hands-free testing ([station] trigger = auto) on the real
tonewired against the simulated jig, with plugs scripted by the scenario's
connect/disconnect lines (sim/README.md).

The scenario's times run from when the daemon opens the device, in real
time: each case lasts a few seconds. The daemon, SSE client and scenario
writer are those of test_daemon.py.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_daemon import STRAIGHT, SSE, Daemon, write_scenario  # noqa: E402

DEBOUNCE_S = 0.3     # [station] debounce_ms, the default


class Trigger(unittest.TestCase):

    def start(self, cable_lines):
        """A daemon with trigger = auto whose jig holds the scripted cable.
        Returns the time just before it started: the device opens after it."""
        d = Daemon(fast=False, station_extra="trigger = auto\n")
        self.d = d
        self.addCleanup(d.stop)
        write_scenario(d.scenario, cable_lines, fast=False, title="scripted plug")
        # Not Daemon.start: it waits for a round trip, and an empty jig has none.
        t0 = time.time()
        d.launch(10)
        self.sse = SSE(d.port)
        self.addCleanup(self.sse.close)
        return t0

    def status(self):
        st, s = self.d.get("/api/v1/status")
        self.assertEqual(st, 200)
        return s

    def events(self, name):
        with self.sse.lock:
            return [e for e in self.sse.events if e[1] == name]

    def wait_trigger_state(self, state, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            s = self.status()
            if s.get("trigger_state") == state:
                return s
            time.sleep(0.05)
        self.fail(f"trigger state never became {state}: {s}\n" + "".join(self.d.log))

    def test_insert_remove_insert(self):
        """Two insertions, two tests, each passing; removal re-arms."""
        t0 = self.start([line + "" for line in STRAIGHT] +
                        ["connect = * 1500", "disconnect = * 4000", "connect = * 6000"])
        s = self.wait_trigger_state("armed")
        self.assertEqual(s["trigger"], "auto")
        self.assertEqual(s["state"], "idle")
        st, r = self.d.request("POST", "/api/v1/trigger/serial", {"serial": "SN-0001"})
        self.assertEqual((st, r), (200, {"serial": "SN-0001"}))
        self.assertEqual(self.status()["trigger_serial"], "SN-0001")

        first = self.sse.wait_for(lambda e: e[1] == "result", timeout=10)
        self.assertGreater(first[0] - t0, 1.5 + DEBOUNCE_S)
        self.assertLess(first[0] - t0, 4.0, "the first test came after the cable was out again")
        self.assertEqual(first[2]["verdict"], "pass", first[2])
        self.assertEqual(first[2]["serial"], "SN-0001")
        # The verdict stays until the cable comes out.
        self.wait_trigger_state("waiting_removal", timeout=3)
        self.assertLess(time.time() - t0, 4.0)
        self.sse.wait_for(lambda e: e[1] == "state" and e[2].get("state") == "armed" and e[0] > first[0],
                          timeout=8)
        second = self.sse.wait_for(lambda e: e[1] == "result" and e[0] > first[0], timeout=10)
        self.assertGreater(second[0] - t0, 6.0 + DEBOUNCE_S)
        self.assertEqual(second[2]["verdict"], "pass", second[2])
        self.assertIsNone(second[2]["serial"], "a serial labels one cable only")
        self.assertNotEqual(second[2]["id"], first[2]["id"])
        time.sleep(1.5)
        self.assertEqual(len(self.events("result")), 2)
        self.assertEqual(self.status()["trigger_state"], "waiting_removal")
        # Stored like any other test.
        st, h = self.d.get("/api/v1/tests")
        self.assertEqual(st, 200)
        rows = h["tests"] if isinstance(h, dict) else h
        self.assertEqual({r["id"] for r in rows} >= {first[2]["id"], second[2]["id"]}, True)

    def test_partial_insertion_asks_to_insert_fully(self):
        """Tip and sleeve make contact, the ring never does: no test, a request to push."""
        t0 = self.start(STRAIGHT + ["connect = A.T B.T 1000", "connect = A.S B.S 1000",
                                    "connect = A.R B.R 600000"])
        ev = self.sse.wait_for(lambda e: e[1] == "state" and e[2].get("state") == "insert_fully", timeout=8)
        self.assertGreater(ev[0] - t0, 1.0 + DEBOUNCE_S)
        self.assertIn("A.T", ev[2]["present"])
        self.assertIn("B.T", ev[2]["present"])
        self.assertEqual(sorted(ev[2]["missing"]), ["A.R", "B.R"])
        s = self.status()
        self.assertEqual(s["trigger_state"], "insert_fully")
        self.assertEqual(sorted(s["missing"]), ["A.R", "B.R"])
        time.sleep(2.0)
        self.assertEqual(self.events("result"), [])
        self.assertEqual(self.status()["tests_run"], 0)

    def test_bouncing_insertion_tests_once_when_settled(self):
        """Contacts that come and go every 50 ms for 500 ms, then stay: one test, after."""
        lines = list(STRAIGHT)
        for t in range(1000, 1500, 100):
            lines += [f"connect = * {t}", f"disconnect = * {t + 50}"]
        lines.append("connect = * 1500")
        t0 = self.start(lines)
        started = self.sse.wait_for(lambda e: e[1] == "state" and e[2].get("state") == "measuring", timeout=10)
        self.assertGreater(started[0] - t0, 1.5 + DEBOUNCE_S - 0.05, "a test started while the plug bounced")
        res = self.sse.wait_for(lambda e: e[1] == "result", timeout=10)
        self.assertEqual(res[2]["verdict"], "pass", res[2])
        time.sleep(2.0)
        self.assertEqual(len(self.events("result")), 1)
        self.assertEqual(len([e for e in self.events("state") if e[2].get("state") == "measuring"]), 1)

    def test_manual_test_while_armed(self):
        """POST /api/v1/tests works while the pilot plays; the trigger then waits for an empty jig."""
        self.start(STRAIGHT + ["connect = * 600000"])
        self.wait_trigger_state("armed")
        st, r = self.d.post_test()
        self.assertEqual(st, 200, r)
        self.assertIn(r["verdict"], ("fail", "error"))
        self.wait_trigger_state("armed", timeout=5)
        st, r = self.d.request("POST", "/api/v1/trigger/serial", {"serial": 5})
        self.assertEqual(st, 400)
        st, r = self.d.request("POST", "/api/v1/trigger/serial", {"serial": None})
        self.assertEqual((st, r), (200, {"serial": None}))

    def test_miswired_cable_is_tested_and_device_switch_stops_the_pilot(self):
        """A swapped cable is a cable that is in: it is tested (and fails); switching the
        scenario takes the device from the pilot."""
        self.start(STRAIGHT + ["connect = * 600000"])
        self.wait_trigger_state("armed")
        deadline = time.time() + 5
        while True:   # 409 only while the first round trip is being looked for
            st, r = self.d.request("PUT", "/api/v1/demo", {"scenario": "swap"})
            if st != 409 or time.time() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(st, 200, r)
        res = self.sse.wait_for(lambda e: e[1] == "result", timeout=10)
        self.assertEqual(res[2]["verdict"], "fail")
        self.assertIn("lr_swap", [f["code"] for f in res[2]["faults"]])
        self.wait_trigger_state("waiting_removal", timeout=3)



class Manual(unittest.TestCase):

    def test_manual_is_the_default(self):
        d = Daemon(fast=True)
        self.addCleanup(d.stop)
        d.start()
        st, s = d.get("/api/v1/status")
        self.assertEqual(s["trigger"], "manual")
        self.assertNotIn("trigger_state", s)
        st, r = d.request("POST", "/api/v1/trigger/serial", {"serial": "X"})
        self.assertEqual(st, 409)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main()
