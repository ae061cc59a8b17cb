#!/usr/bin/env python3
"""Disk full and a read-only state directory: tests are refused with a clear error, never run and lost.

The store lives on a small tmpfs of its own, filled by the test (root is not stopped by a full
disk's reserve on tmpfs, nor by permissions, but it is by ENOSPC and by a read-only mount). Where
mounting is not allowed the cases are skipped with a message; a non-root user gets the read-only
case from chmod 0555 instead.

What must hold: every 200 is a result that is stored (GET /api/v1/tests/{id} returns the same
object); every refusal is 503 with a JSON {"error"} that says why; when space returns, tests run
and are stored again without a restart.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twfaults_lib as L  # noqa: E402

FS_KB = 4096


def try_mount(path, opts=f"size={FS_KB}k"):
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tonewire-test", path], capture_output=True, text=True)
    return p.returncode == 0, p.stderr.strip()


def fill(folder, keep_blocks):
    """Fill the filesystem of folder, keeping `keep_blocks` 4 KiB files that can be deleted one by one."""
    keep = []
    for k in range(keep_blocks):
        p = os.path.join(folder, f"reserve-{k}")
        with open(p, "wb") as f:
            f.write(b"\0" * 4096)
        keep.append(p)
    try:
        with open(os.path.join(folder, "filler"), "wb", buffering=0) as f:
            while True:
                f.write(b"\0" * 4096)
    except OSError:
        pass
    return keep


class DiskFull(unittest.TestCase):
    def setUp(self):
        self.d = L.Daemon()
        self.state = os.path.join(self.d.dir, "state")
        os.mkdir(self.state)
        if os.geteuid() != 0:
            self.mounted = False
            return
        ok, err = try_mount(self.state)
        if not ok:
            self.skipTest(f"cannot mount a tmpfs for the store here ({err}); a root-owned store ignores "
                          "permissions, so disk full and read-only cannot be made honestly")
        self.mounted = True
        self.addCleanup(self.unmount)
        self.addCleanup(self.d.stop)

    def unmount(self):
        self.d.stop()
        subprocess.run(["umount", "-l", self.state], capture_output=True)
        shutil.rmtree(self.d.dir, ignore_errors=True)

    def require_mount(self):
        if not self.mounted:
            self.skipTest("disk full needs a small filesystem of its own (a tmpfs mounted as root)")

    def check_refusal(self, st, r):
        self.assertEqual(st, 503, r)
        self.assertIsInstance(r, dict)
        self.assertRegex(r["error"].lower(), "full|space|read-only|store")

    def step_through_full_disk(self, blocks=40):
        """Free the disk 4 KiB at a time, one test after each step: (status, answer) of each."""
        d = self.d
        d.start()
        for i in range(3):
            st, r = d.post_test(serial=f"BEFORE-{i}")
            self.assertEqual((st, r["verdict"]), (200, "pass"), r)
        reserve = fill(self.state, blocks)
        answers = []
        for k in range(blocks):
            os.unlink(reserve.pop())
            st, r = d.post_test(serial=f"FULL-{k}")
            stored = None
            if st == 200:
                gst, stored = d.get(f"/api/v1/tests/{r['id']}")
                stored = stored if gst == 200 else (gst, stored)
            answers.append((k, st, r, stored))
        return answers

    def test_disk_full_never_acknowledges_an_unstored_result(self):
        self.require_mount()
        answers = self.step_through_full_disk()
        lost = [(k, r["id"], r["verdict"], stored) for k, st, r, stored in answers if st == 200 and stored != r]
        print(f"{sum(1 for a in answers if a[1] == 200)} of {len(answers)} tests acknowledged on a full disk; "
              f"not stored: {lost}", flush=True)
        self.assertEqual(lost, [])

    def test_disk_full_refused_with_503_and_the_cause(self):
        self.require_mount()
        d = self.d
        d.start()
        st, r = d.post_test(serial="BEFORE")
        self.assertEqual(st, 200, r)
        fill(self.state, 0)
        st, r = d.post_test(serial="FULL")
        print(f"on a full disk: {st} {r}", flush=True)
        self.check_refusal(st, r)
        self.assertRegex(r["error"].lower(), "full|space")

    def test_disk_full_refuses_then_recovers_without_restart(self):
        self.require_mount()
        d = self.d
        d.start()
        pid = d.proc.pid
        st, r = d.post_test(serial="BEFORE")
        self.assertEqual((st, r["verdict"]), (200, "pass"), r)
        fill(self.state, 0)
        for i in range(3):
            st, r = d.post_test(serial=f"FULL-{i}")
            self.assertNotEqual(st, 200, r)             # never "run" on a store that cannot keep it
            self.assertGreaterEqual(st, 500, r)
            self.assertIn("error", r)
            self.assertIn("store", r["error"])
        st, s = d.get("/api/v1/status")
        self.assertEqual(st, 200)                       # still answering
        # Space returns: tests run and are stored again, the same process throughout.
        os.unlink(os.path.join(self.state, "filler"))
        st, r = d.post_test(serial="AFTER")
        self.assertEqual((st, r["verdict"]), (200, "pass"), r)
        st, got = d.get(f"/api/v1/tests/{r['id']}")
        self.assertEqual((st, got), (200, r))
        st, hist = d.get("/api/v1/tests")
        self.assertEqual([h["serial"] for h in hist], ["AFTER", "BEFORE"])   # nothing half-recorded
        self.assertEqual(d.proc.pid, pid)
        self.assertIsNone(d.proc.poll())
        self.assertEqual(d.stop(), 0, "".join(d.log))
        self.assertEqual(L.sql(os.path.join(self.state, "results.db"), "PRAGMA integrity_check"), [["ok"]])

    def read_only(self):
        """Make the state directory read-only (and return how to undo it)."""
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,ro", self.state], check=True)
            return lambda: subprocess.run(["mount", "-o", "remount,rw", self.state], check=True)
        os.chmod(self.state, 0o555)
        for name in os.listdir(self.state):
            p = os.path.join(self.state, name)
            if os.path.isfile(p):
                os.chmod(p, 0o444)

        def undo():
            os.chmod(self.state, 0o755)
            for name in os.listdir(self.state):
                p = os.path.join(self.state, name)
                if os.path.isfile(p):
                    os.chmod(p, 0o644)
        return undo

    def start_on_read_only(self):
        """Start on a read-only store: (listening?, first log line). Listening means it must refuse tests."""
        d = self.d
        d.start()
        st, r = d.post_test(serial="BEFORE")
        self.assertEqual(st, 200, r)
        self.assertEqual(d.stop(), 0)
        undo = self.read_only()
        started = L.spawn(d)
        started.wait(20)
        listening = bool(d.port_found)
        if listening:
            d.port = d.port_found[0]
            st, r = d.post_test(serial="READ-ONLY")
            self.check_refusal(st, r)
            st, hist = d.get("/api/v1/tests")
            self.assertEqual([h["serial"] for h in hist], ["BEFORE"])
            d.stop()
        else:
            try:
                d.proc.wait(20)
            except Exception:
                pass
            rc = d.stop()
            self.assertNotEqual(rc, 0)      # exits with a message rather than serving a store it cannot write
        undo()
        return listening, "".join(d.log)

    def test_read_only_state_directory_refused_then_recovers(self):
        listening, log = self.start_on_read_only()
        print(f"on a read-only state directory tonewired {'serves and refuses tests' if listening else 'exits'}: "
              f"{log.strip()}", flush=True)
        self.assertIn("results.db", log)          # names the store
        # Writable again: it starts (or was serving) and stores tests, the earlier result intact.
        d = self.d
        d.start()
        st, r = d.post_test(serial="WRITABLE")
        self.assertEqual((st, r["verdict"]), (200, "pass"), r)
        st, hist = d.get("/api/v1/tests")
        self.assertEqual([h["serial"] for h in hist], ["WRITABLE", "BEFORE"])

    def test_read_only_state_directory_message_says_read_only(self):
        listening, log = self.start_on_read_only()
        self.assertRegex(log.lower(), "read-only|permission denied")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main(require=[L.TONEWIRED])
