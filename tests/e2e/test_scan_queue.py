#!/usr/bin/env python3
"""A barcode scan during a running test is never lost: SCAN-A and SCAN-B
posted 40 ms apart (as a scanner types them) both run and are stored, in
the order they came; with `[station] queue_scans = no` the second is
refused out loud (409, the jig is busy) instead of being dropped. Catches a
runner that refuses or forgets the second scan, runs them out of order, or
queues when told not to. Three scans: the two that wait run first come,
first served (with one waiting, any order is that order). A full queue (16
waiting) refuses the next scan and says so; every scan taken is stored. A
stop with scans waiting leaves each an aborted record, none lost.
"""
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from test_daemon import CABLE, SSE, Daemon  # noqa: E402
from twfaults_lib import wait_status  # noqa: E402


def scan(d, serials):
    """POST scans 40 ms apart (as a scanner types them), each from its own thread; their
    (status, body) in order."""
    answers = [None] * len(serials)

    def post(i, serial):
        answers[i] = d.request("POST", "/api/v1/tests", {"cable": CABLE, "serial": serial, "queue": True})

    threads = [threading.Thread(target=post, args=(i, serial)) for i, serial in enumerate(serials)]
    for t in threads:
        t.start()
        time.sleep(0.040)
    for t in threads:
        t.join(30)
    return answers


def idle(s):
    return s["state"] in ("idle", "done") and not s["queue"]


def while_busy(test, d, post, landed, tries=3):
    """post(attempt) until landed(answers): scans that reached the station while its first test
    ran. On a loaded machine a scan 40 ms later may still come after a 0.4 s test; such a try
    proves nothing, so it is made again, with new serials, up to `tries` times."""
    for attempt in range(tries):
        answers = post(attempt)
        if landed(answers):
            return attempt, answers
        wait_status(d, idle, timeout=30)
    test.fail(f"in {tries} tries the scans never came while a test ran: {answers}")


class ScanQueue(unittest.TestCase):
    def start(self, station_extra=""):
        # Real-time pace and 64 windows of 256 frames: a test takes ~0.4 s, so the
        # scans 40 ms apart all land while the first one runs.
        d = Daemon(fast=False, windows=64, station_extra=station_extra)
        self.addCleanup(d.stop)
        return d.start()

    def test_two_scans_40ms_apart_both_stored_in_order(self):
        d = self.start()
        n, ((sa, ra), (sb, rb)) = while_busy(self, d, lambda i: scan(d, [f"SCAN-A{i}", f"SCAN-B{i}"]),
                                             lambda ans: ans[1][0] != 202 or ans[1][1].get("state") == "queued")
        self.assertEqual((sa, sb), (202, 202), (ra, rb))
        self.assertEqual(rb["state"], "queued", rb)
        self.assertEqual(rb["position"], 1)
        self.assertLess(ra["id"], rb["id"])
        results = {}
        deadline = time.time() + 30
        while time.time() < deadline and len(results) < 2:
            for r in (ra, rb):
                st, res = d.get(f"/api/v1/tests/{r['id']}")
                if st == 200 and res.get("verdict") in ("pass", "fail"):
                    results[r["id"]] = res
            time.sleep(0.05)
        self.assertEqual(len(results), 2, results)
        first, second = results[ra["id"]], results[rb["id"]]
        self.assertEqual((first["serial"], second["serial"]), (f"SCAN-A{n}", f"SCAN-B{n}"))
        self.assertEqual((first["verdict"], second["verdict"]), ("pass", "pass"))
        self.assertLessEqual(first["started_at"], second["started_at"])
        st, hist = d.get("/api/v1/tests?limit=10")
        self.assertEqual([r["serial"] for r in hist if r["serial"] in (f"SCAN-A{n}", f"SCAN-B{n}")],
                         [f"SCAN-B{n}", f"SCAN-A{n}"])

    def test_three_scans_run_in_the_order_they_came(self):
        d = self.start()
        sse = SSE(d.port)
        self.addCleanup(sse.close)
        sse.wait_for(lambda e: e[1] == "status", timeout=5)

        n, answers = while_busy(self, d, lambda i: scan(d, [f"SCAN-{c}{i}" for c in "ABC"]),
                                lambda ans: all(a[0] != 202 or a[1].get("state") == "queued" for a in ans[1:]))
        self.assertEqual([a[0] for a in answers], [202, 202, 202], answers)
        self.assertEqual([a[1].get("position") for a in answers[1:]], [1, 2], answers)
        mine = [f"SCAN-{c}{n}" for c in "ABC"]
        sse.wait_for(lambda e: len([x for x in sse.events if x[1] == "result" and x[2]["serial"] in mine]) >= 3,
                     timeout=30)
        ran = [e[2]["serial"] for e in sse.events if e[1] == "result" and e[2]["serial"] in mine]
        self.assertEqual(ran, mine)

    def test_refused_out_loud_when_not_queuing(self):
        d = self.start("queue_scans = no")
        _, ((sa, ra), (sb, rb)) = while_busy(self, d, lambda i: scan(d, [f"SCAN-A{i}", f"SCAN-B{i}"]),
                                             lambda ans: ans[1][0] != 202)
        self.assertEqual(sa, 202, ra)
        self.assertEqual(sb, 409, rb)
        self.assertIn("busy", rb["error"])

    def test_full_queue_refused_and_nothing_lost(self):
        """Scans posted as fast as they come: once 16 wait, the next is refused out loud (409, how
        many wait), and every scan that was taken (202) ends as a stored result."""
        d = self.start()
        taken, refused = [], []
        for i in range(40):
            st, r = d.request("POST", "/api/v1/tests", {"cable": CABLE, "serial": f"Q-{i:02d}", "queue": True})
            (taken if st == 202 else refused).append((st, r))
        self.assertTrue(refused, "the queue never filled")
        for st, r in refused:
            self.assertEqual(st, 409, r)
            self.assertRegex(r["error"], r"^the jig is busy and 16 scans are already waiting \(test \d+ is on the jig\)$")
        self.assertGreaterEqual(len(taken), 17)   # one on the jig, sixteen waiting
        self.assertLessEqual(max(a[1].get("position", 0) for a in taken), 16)
        ids = [r["id"] for _, r in taken]
        deadline = time.time() + 60
        done = {}
        while time.time() < deadline and len(done) < len(ids):
            for i in ids:
                if i not in done:
                    st, res = d.get(f"/api/v1/tests/{i}")
                    if st == 200 and res.get("verdict"):
                        done[i] = res
            time.sleep(0.1)
        self.assertEqual(sorted(done), sorted(ids))
        self.assertEqual({r["verdict"] for r in done.values()}, {"pass"})
        st, hist = d.get("/api/v1/tests?limit=100")
        self.assertEqual(sorted(h["id"] for h in hist), sorted(ids), "only the scans taken were stored")

    def test_stop_with_scans_waiting(self):
        """tonewired stopped while scans wait: the one on the jig is finished and stored, those
        waiting keep their aborted record (verdict error), so none is lost across the restart."""
        d = self.start()
        serials = [f"W-{i}" for i in range(8)]
        answers = [d.request("POST", "/api/v1/tests", {"cable": CABLE, "serial": s, "queue": True}) for s in serials]
        self.assertEqual([a[0] for a in answers], [202] * len(serials), answers)
        self.assertEqual(d.stop(), 0)
        d.start()
        st, hist = d.get("/api/v1/tests?limit=20")
        by_serial = {h["serial"]: h for h in hist}
        self.assertEqual(sorted(by_serial), serials, hist)
        # Those tested before the stop (at least the first, finished during it) passed; all the
        # others, in the order they came, are the aborted records written when they were taken.
        verdicts = [by_serial[s]["verdict"] for s in serials]
        tested = verdicts.index("error") if "error" in verdicts else len(verdicts)
        self.assertGreaterEqual(tested, 1, verdicts)
        self.assertLess(tested, len(serials), f"every scan had run before the stop: {verdicts}")
        self.assertEqual(verdicts, ["pass"] * tested + ["error"] * (len(serials) - tested))
        for s in serials[tested:]:
            self.assertEqual(by_serial[s]["error"], "aborted: the station stopped before the test finished")

    def test_queue_must_be_boolean(self):
        d = self.start()
        st, r = d.request("POST", "/api/v1/tests", {"cable": CABLE, "serial": "X", "queue": "yes"})
        self.assertEqual(st, 400, r)
        self.assertIn("queue", r["error"])


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main()
