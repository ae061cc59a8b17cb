#!/usr/bin/env python3
"""Durability shown, not assumed: every acknowledged result reached stable
storage before its 2xx left the daemon.

tonewired runs with sync_shim preloaded, which records (CLOCK_MONOTONIC, the
clock time.monotonic_ns() reads) every fsync/fdatasync it completes and every
HTTP reply it starts to send. For each `POST /api/v1/tests?wait=1` the test
finds the daemon's reply and requires two completed syncs of the results
database between the request and that reply: the test's record when it was
accepted, and its result when it finished. A kill -9 cannot show this (the
page cache survives it); a store opened with synchronous=OFF, or a result
committed after the reply, fails here.
"""
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from test_daemon import BUILD, Daemon  # noqa: E402

SHIM = os.path.join(BUILD, "tests", "libtw_sync_shim.so")
TESTS = 12


def read_log(path):
    syncs, replies = [], []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts[1] in ("fsync", "fdatasync"):
                syncs.append((int(parts[0]), parts[2] if len(parts) > 2 else ""))
            elif parts[1] == "reply":
                replies.append((int(parts[0]), parts[2]))
    return syncs, replies


class Durability(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(SHIM):
            self.fail(f"the sync shim was not built: {SHIM}")
        self.log = tempfile.mktemp(prefix="tw-sync-", suffix=".log")
        self.addCleanup(lambda: os.path.exists(self.log) and os.unlink(self.log))
        os.environ["TW_SYNC_LOG"] = self.log
        os.environ["LD_PRELOAD"] = SHIM
        try:
            self.d = Daemon().start()
        finally:
            del os.environ["LD_PRELOAD"]
        self.addCleanup(self.d.stop)

    def test_synced_before_acknowledged(self):
        sent = []
        for i in range(TESTS):
            sent.append(time.monotonic_ns())
            st, r = self.d.post_test(serial=f"DUR-{i}")
            self.assertEqual(st, 200, r)
        syncs, replies = read_log(self.log)
        db = os.path.join(self.d.dir, "state", "results.db")
        db_syncs = [t for t, path in syncs if path.startswith(db)]
        self.assertTrue(db_syncs, f"no sync of {db} at all: {syncs[:5]}")
        for i, t0 in enumerate(sent):
            reply = next((t for t, status in replies if t > t0 and status.startswith("2")), None)
            self.assertIsNotNone(reply, f"test {i}: no 2xx reply logged")
            window = [t for t in db_syncs if t0 < t < reply]
            self.assertGreaterEqual(len(window), 2, f"test {i}: {len(window)} sync(s) of the store between "
                                                    f"request and reply; the record and the result need two")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main()
