#!/usr/bin/env python3
"""Power loss: tonewired killed with SIGKILL at random moments while a client streams tests.

After every kill the store passes sqlite3's integrity_check (on a copy, as the crash left it) and the
daemon restarts on it; every result acknowledged with a 200 is there, equal to what the client got;
no serial is stored twice; no row is left 'running'. bench/faults does the same 100 times.
TONEWIRE_KILL9_RUNS and TONEWIRE_KILL9_SEED change the count and the random moments.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twfaults_lib as L  # noqa: E402


class Kill9(unittest.TestCase):
    def test_kill9_while_streaming(self):
        runs = int(os.environ.get("TONEWIRE_KILL9_RUNS", "10"))
        seed = int(os.environ.get("TONEWIRE_KILL9_SEED", str(int(time.time()))))
        print(f"kill -9 runs: {runs}, seed {seed} (TONEWIRE_KILL9_SEED={seed} repeats them)", flush=True)
        r = L.kill9_cycles(runs, seed, say=lambda m: print(m, flush=True))
        print({k: v for k, v in r.items() if k != "problems"}, flush=True)
        self.assertEqual(r["problems"], [])
        self.assertEqual(r["acknowledged_lost"], 0)
        self.assertEqual(r["duplicates"], 0)
        # The loop did what it says: tests were acknowledged and some kills cut a test.
        self.assertGreater(r["acknowledged"], runs)
        self.assertGreater(r["rows"], r["acknowledged"])


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main(require=[L.TONEWIRED])
