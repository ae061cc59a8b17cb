#!/usr/bin/env python3
"""A missing device does not flood the log: tonewired retries it twice a
second, forever, and alsa-lib complains on every try. The same message is
printed once and then counted. Catches an error handler that prints every
repeat (about 2 lines a second) or a retry loop that logs each attempt.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from test_daemon import TONEWIRED  # noqa: E402

WATCH_S = 4.0


class LogFlood(unittest.TestCase):
    def test_missing_device_logs_once(self):
        tmp = tempfile.mkdtemp(prefix="tw-log-")
        self.addCleanup(shutil.rmtree, tmp, True)
        conf = os.path.join(tmp, "tonewired.conf")
        with open(conf, "w") as f:
            f.write("[station]\ndevice = hw:NoSuchTonewireCard\njig = stereo-trs\ncable = trs-3.5-extension\n"
                    f"[http]\naddress = 127.0.0.1\nport = 0\n[store]\npath = {tmp}/r.db\n"
                    f"capture_dir = {tmp}/cap\n")
        p = subprocess.Popen([TONEWIRED, "--config", conf], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True)
        time.sleep(WATCH_S)
        p.terminate()
        _, err = p.communicate(timeout=20)
        lines = err.splitlines()
        alsa = [l for l in lines if "NoSuchTonewireCard" in l and "listening on" not in l]
        # ~8 retries happened; one line for alsa-lib's complaint, one for ours.
        self.assertGreaterEqual(len(alsa), 1, err)
        self.assertLessEqual(len(alsa), 2, err)
        self.assertTrue(all(l.startswith("tonewired: ") for l in lines), err)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main(require=[TONEWIRED])
