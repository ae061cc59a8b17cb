#!/usr/bin/env python3
"""make demo's script: with its port taken it says so and names a free one
before printing anything else; with a free port the banner's address answers.
  test_demo.py SOURCE_DIR BUILD_DIR
The daemon runs from a scratch folder that links the built tonewired, so the
demo's state (results.db) never lands in the developer's build/demo-state.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

SRC, BUILD = (os.path.abspath(p) for p in sys.argv[1:3])
DEMO = os.path.join(SRC, "scripts/demo")


def listener():
    """A socket listening on a free loopback port, as another program would."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s


def free(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


class Demo(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        os.makedirs(os.path.join(self.tmp.name, "daemon"))
        os.symlink(os.path.join(BUILD, "daemon/tonewired"), os.path.join(self.tmp.name, "daemon/tonewired"))

    def demo(self, port, timeout=20):
        return subprocess.run([DEMO, self.tmp.name, str(port)], capture_output=True, text=True, timeout=timeout)

    def test_port_in_use_names_a_free_one_and_prints_no_banner(self):
        taken = listener()
        self.addCleanup(taken.close)
        port = taken.getsockname()[1]
        p = self.demo(port)
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(p.stdout, "", "the banner was printed for a port it cannot have")
        m = re.search(rf"the port {port} is in use: make demo PORT=(\d+)", p.stderr)
        self.assertIsNotNone(m, p.stderr)
        suggested = int(m.group(1))
        self.assertNotEqual(suggested, port)
        self.assertTrue(free(suggested), f"the suggested port {suggested} is not free")

    def test_port_in_use_on_every_address_counts_too(self):
        taken = socket.socket()
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        self.addCleanup(taken.close)
        p = self.demo(taken.getsockname()[1])
        self.assertIn("is in use: make demo PORT=", p.stderr)

    def test_bad_port_is_refused(self):
        for bad in ("http", "0", "70000"):
            p = self.demo(bad)
            self.assertEqual(p.returncode, 2, bad)
            self.assertIn("make demo PORT=", p.stderr)

    def test_free_port_serves_what_the_banner_says(self):
        s = listener()
        port = s.getsockname()[1]
        s.close()
        proc = subprocess.Popen([DEMO, self.tmp.name, str(port)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            status, deadline = None, time.time() + 30
            while time.time() < deadline and proc.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/status", timeout=2) as r:
                        status = json.load(r)
                        break
                except OSError:
                    time.sleep(0.2)
            self.assertIsNotNone(status, f"nothing answered on port {port} (exit {proc.poll()})")
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            out, err = proc.communicate(timeout=20)
        self.assertIn(f"tonewire demo: http://127.0.0.1:{port}/", out)
        self.assertTrue(os.path.exists(os.path.join(self.tmp.name, "demo-state/results.db")))


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main(argv=[sys.argv[0]])
