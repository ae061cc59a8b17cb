#!/usr/bin/env python3
"""End to end: the simulated interface is held like a real one. While arecord has its capture
side, `tonewire run` is refused as busy (exit 3) with the holder's process id in the
simulator's words; once that holder is killed with SIGKILL (it never closed the device), its
claim is void and the next run measures the cable. Catches a claim that outlives a dead
holder, a second opener let in beside the first, and a busy device reported as anything else.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("TONEWIRE_BUILD_DIR", os.path.join(SOURCE, "build"))
TONEWIRE = os.path.join(BUILD, "cli", "tonewire")
ENV = dict(os.environ, ALSA_CONFIG_PATH=f"/usr/share/alsa/alsa.conf:{BUILD}/sim/tonewire_sim.conf")


class Claims(unittest.TestCase):
    def test_busy_then_freed_by_a_dead_holder(self):
        if not shutil.which("arecord"):
            self.skipTest("arecord (alsa-utils) is not installed")
        tmp = tempfile.mkdtemp(prefix="tw-claims-")
        self.addCleanup(shutil.rmtree, tmp, True)
        scen = os.path.join(tmp, "held.conf")
        with open(scen, "w") as f:
            f.write("[scenario]\njig = stereo-trs\n[interface]\npace = realtime\n[cable]\n"
                    "wire = A.T B.T\nwire = A.R B.R\nwire = A.S B.S\n")
        pcm = "tonewire_sim:" + scen
        rec = subprocess.Popen(["arecord", "-q", "-D", pcm, "-f", "FLOAT_LE", "-c", "2", "-r", "48000", "-d", "60",
                                "/dev/null"], env=ENV, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: rec.poll() is None and rec.kill())
        run = [TONEWIRE, "run", "--device", pcm, "--cable", "trs-3.5-extension"]
        # Busy as soon as arecord has the device: polled, not slept on.
        deadline, p = time.time() + 10, None
        while time.time() < deadline:
            self.assertIsNone(rec.poll(), rec.stderr.read() if rec.poll() is not None else "")
            p = subprocess.run(run, capture_output=True, text=True, env=ENV, timeout=60)
            if p.returncode == 3:
                break
            time.sleep(0.05)
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertIn(f"the capture side of this scenario is open in process {rec.pid}", p.stderr)
        self.assertIn("is busy (capture)", p.stderr)
        rec.kill()   # SIGKILL: the claim is left in the shared segment
        rec.wait()
        p = subprocess.run(run, capture_output=True, text=True, env=ENV, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertTrue(p.stdout.startswith("PASS"), p.stdout)


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    import twtest  # noqa: E402
    twtest.main()
