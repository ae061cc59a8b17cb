#!/usr/bin/env python3
"""One result object: the same cable measured by `tonewire run --json` and by
`POST /api/v1/tests?wait=1` gives objects with the same keys, nested keys and
value types; the same for a flex session (`tonewire flex --json` and
`POST /api/v1/flex`). Both go through station/'s sessions: this test catches a
key, a type or a nesting that one side adds, drops or spells differently.
"""
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from test_daemon import CABLE, STRAIGHT, SWAPPED, TONEWIRE, Daemon, write_scenario  # noqa: E402

# Keys only one side can have, by design: where a daemon's capture is served
# (a local run names the file only with --save-capture).
DAEMON_ONLY = {"capture", "capture_plan"}


def shape(v):
    """The structure of a JSON value: dict keys and the shape of each, a list's first element,
    and the type of a scalar (an integer and a float are both a number; null stays null)."""
    if isinstance(v, dict):
        return {k: shape(x) for k, x in v.items() if k not in DAEMON_ONLY}
    if isinstance(v, list):
        return [shape(v[0])] if v else []
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if v is None:
        return "null"
    return type(v).__name__


class SameResult(unittest.TestCase):
    def setUp(self):
        self.d = Daemon().start()
        self.addCleanup(self.d.stop)

    def use(self, name, lines):
        """The same simulated cable for both: a scenario file the CLI opens and the daemon switches to."""
        path = os.path.join(self.d.scen_dir, name + ".conf")
        write_scenario(path, lines)
        self.d.use_scenario(name)
        return path

    def local(self, scenario, *args):
        p = subprocess.run([TONEWIRE, *args, "--device", "tonewire_sim:" + scenario, "--cable", CABLE,
                            "--serial", "SN-1", "--json"], capture_output=True, text=True, timeout=120)
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return json.loads(p.stdout)

    def compare(self, local, remote):
        # Values that must agree exactly, not only in type.
        for k in ("cable", "jig", "serial", "verdict", "kind"):
            self.assertEqual(local.get(k), remote.get(k), k)
        self.assertEqual([f["code"] for f in local["faults"]], [f["code"] for f in remote["faults"]])
        self.assertIsNone(local["id"])
        self.assertIsInstance(remote["id"], int)
        loc, rem = shape(local), shape(remote)
        loc["id"] = rem["id"] = "id"
        self.assertEqual(loc, rem)

    def test_a_test(self):
        for name, lines in (("straight", STRAIGHT), ("swapped", SWAPPED)):
            with self.subTest(cable=name):
                local = self.local(self.use(name, lines), "run")
                st, remote = self.d.request("POST", "/api/v1/tests?wait=1", {"cable": CABLE, "serial": "SN-1"})
                self.assertEqual(st, 200, remote)
                self.compare(local, remote)

    def test_a_flex_session(self):
        # The dropout is on the simulated device's timeline, from its open: the local run starts
        # there, the daemon's session after the round trip it measured on the switch (a few hundred
        # ms of fast-pace audio), so it comes late enough for both sessions to track it.
        path = self.use("dropout", STRAIGHT + ["dropout = A.T B.T 700 2"])
        local = self.local(path, "flex", "--seconds", "1")
        st, r = self.d.request("POST", "/api/v1/flex", {"cable": CABLE, "serial": "SN-1", "seconds": 1})
        self.assertEqual(st, 202, r)
        deadline, remote = time.time() + 60, None
        while time.time() < deadline:
            st, remote = self.d.get(f"/api/v1/tests/{r['id']}")
            if st == 200 and remote.get("flex", {}).get("ended_by"):
                break
            time.sleep(0.1)
        self.assertEqual(remote["kind"], "flex")
        self.assertEqual(local["flex"]["count"], 1)
        self.compare(local, remote)
        # The event objects themselves: the daemon's schema on both sides.
        self.assertEqual(shape(local["flex"]["events"][0]), shape(remote["flex"]["events"][0]))
        self.assertEqual(set(local["flex"]["events"][0]), {"time_ms", "duration_ms", "input", "contacts",
                                                           "depth", "peak_db"})


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main()
