#!/usr/bin/env python3
"""End to end: the real tonewired against the simulated jig, over real sockets.

Every daemon gets its own temporary folder (configuration, scenarios, store)
and port 0, so the kernel picks a free port and the tests can run in
parallel; the port is read from the daemon's "listening on" line. Every
daemon is stopped (SIGTERM, then SIGKILL) in tearDown, also after a failure.

Run one group: test_daemon.py Results  (the CTest names are e2e.daemon_*).
"""
import glob
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import weakref

BUILD = os.environ.get("TONEWIRE_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
TONEWIRED = os.path.join(BUILD, "daemon", "tonewired")
TONEWIRE = os.path.join(BUILD, "cli", "tonewire")

JIG = "stereo-trs"
CABLE = "trs-3.5-extension"
STRAIGHT = ["wire = A.T B.T", "wire = A.R B.R", "wire = A.S B.S"]
SWAPPED = ["wire = A.T B.R", "wire = A.R B.T", "wire = A.S B.S"]
RESULT_KEYS = {"id", "serial", "cable", "jig", "started_at", "verdict", "faults", "wiring", "channels",
               "matrix", "timing_ms"}


def write_scenario(path, cable_lines, fast=True, extra="", title=None):
    with open(path + ".tmp", "w") as f:
        if title:
            f.write(f"; title: {title}\n")
        f.write(f"[scenario]\njig = {JIG}\n\n[interface]\n")
        f.write("pace = fast\n" if fast else "pace = realtime\n")
        f.write("noise_dbfs = -90\nlatency_frames = 150\n" + extra + "\n[cable]\n")
        for line in cable_lines:
            f.write(line + "\n")
    os.replace(path + ".tmp", path)   # the simulator reads it on open: never half a file


class Daemon:
    """One tonewired in a temporary folder. Use start(), stop(), restart()."""

    def __init__(self, fast=True, windows=1, http_extra="", station_extra="", scenario_extra=""):
        self.dir = tempfile.mkdtemp(prefix="tw-daemon-")
        # Gone with the object (or at exit): stop() is also a restart's first half.
        weakref.finalize(self, shutil.rmtree, self.dir, True)
        self.scen_dir = os.path.join(self.dir, "scenarios")
        os.mkdir(self.scen_dir)
        self.scenario = os.path.join(self.scen_dir, "straight.conf")
        write_scenario(self.scenario, STRAIGHT, fast, scenario_extra, title="Straight cable")
        write_scenario(os.path.join(self.scen_dir, "swap.conf"), SWAPPED, fast, title="Left/right swapped")
        # A scenario of another jig: GET /api/v1/demo must leave it out.
        with open(os.path.join(self.scen_dir, "other-jig.conf"), "w") as f:
            f.write("[scenario]\njig = trrs-4ch\n[interface]\npace = fast\n[cable]\nwire = A.T B.T\n")
        self.config = os.path.join(self.dir, "tonewired.conf")
        with open(self.config, "w") as f:
            f.write(f"[station]\ndevice = tonewire_sim:{self.scenario}\ncable = {CABLE}\n"
                    f"windows = {windows}\ndemo_dir = {self.scen_dir}\n{station_extra}\n"
                    f"[http]\naddress = 127.0.0.1\nport = 0\n{http_extra}\n"
                    f"[store]\npath = {self.dir}/state/results.db\ncapture_dir = {self.dir}/state/captures\n"
                    f"retention = 50\n")
        self.proc = None
        self.port = None
        self.token = None
        self.log = []
        self.nofile = None   # RLIMIT_NOFILE to start it with (None: this process's)

    def spawn(self):
        """Start the process. Returns an Event set once it listens (self.port_found then holds
        the port) or dies; does not wait, so a test can also stop it while it starts."""
        self.log = []
        nofile = self.nofile
        limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))) if nofile else None
        self.proc = subprocess.Popen([TONEWIRED, "--config", self.config], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, preexec_fn=limit)
        self.port_found = []
        ready = threading.Event()

        def reader(proc=self.proc, log=self.log, port=self.port_found):
            for line in proc.stderr:
                log.append(line)
                m = re.search(r"listening on http://[^ ]*:(\d+)/", line)
                if m:
                    port.append(int(m.group(1)))
                    ready.set()
            ready.set()

        threading.Thread(target=reader, daemon=True).start()
        return ready

    def launch(self, timeout=15, sig=signal.SIGTERM):
        """Start it and return once it listens, whether or not its device is up."""
        if not self.spawn().wait(timeout) or not self.port_found:
            self.stop(sig)
            raise AssertionError("tonewired did not start:\n" + "".join(self.log))
        self.port = self.port_found[0]
        return self

    def start(self, timeout=15):
        self.launch(timeout)
        # Ready for tests once the device is open and its round trip measured.
        deadline = time.time() + timeout
        while time.time() < deadline:
            st, s = self.get("/api/v1/status")
            if st == 200 and s.get("connected") and s.get("latency_frames") is not None and s["state"] == "idle":
                return self
            time.sleep(0.05)
        raise AssertionError(f"device never came up: {s}\n" + "".join(self.log))

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode
        self.proc.stderr.close()
        self.proc = None
        return rc

    def db_path(self):
        return f"{self.dir}/state/results.db"

    def edit_config(self, old, new):
        """Replace text of the configuration written for it (old must be there)."""
        with open(self.config) as f:
            text = f.read()
        if old not in text:
            raise AssertionError(f"{old!r} is not in {self.config}:\n{text}")
        with open(self.config, "w") as f:
            f.write(text.replace(old, new))
        return self

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def request(self, method, path, body=None, headers=None, timeout=60, raw=False):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = {}
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        if raw:
            return r.status, data, r
        ctype = r.getheader("Content-Type") or ""
        return r.status, (json.loads(data) if ctype.startswith("application/json") and data else data)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post_test(self, cable=CABLE, serial=None, wait=True):
        body = {"cable": cable}
        if serial is not None:
            body["serial"] = serial
        return self.request("POST", "/api/v1/tests" + ("?wait=1" if wait else ""), body)

    def use_scenario(self, name):
        st, r = self.request("PUT", "/api/v1/demo", {"scenario": name})
        assert st == 200, (st, r)
        deadline = time.time() + 10
        while time.time() < deadline:
            st, s = self.get("/api/v1/status")
            if s.get("connected") and s.get("scenario") == name and s["state"] in ("idle", "done") \
                    and s.get("latency_frames") is not None:
                return
            time.sleep(0.05)
        raise AssertionError(f"scenario {name} never came up: {s}")


class SSE:
    """A Server-Sent Events client on a raw socket, collecting (time, event, data)."""

    def __init__(self, port, path="/api/v1/events", headers=""):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n"
                          f"{headers}\r\n".encode())
        self.events = []
        self.status = None
        self.lock = threading.Lock()
        self.got = threading.Condition(self.lock)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        buf = b""
        head_done = False
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                buf += chunk
                if not head_done:
                    if b"\r\n\r\n" not in buf:
                        continue
                    head, buf = buf.split(b"\r\n\r\n", 1)
                    self.status = int(head.split()[1])
                    head_done = True
                # Chunked transfer: strip the chunk size lines by scanning for SSE blocks.
                text = buf.decode("utf-8", "replace")
                while "\n\n" in text:
                    block, text = text.split("\n\n", 1)
                    ev, data = None, None
                    for line in block.splitlines():
                        if line.startswith("event: "):
                            ev = line[7:]
                        elif line.startswith("data: "):
                            data = json.loads(line[6:])
                    if ev:
                        with self.got:
                            self.events.append((time.time(), ev, data))
                            self.got.notify_all()
                buf = text.encode()
        except (OSError, ValueError):
            pass

    def wait_for(self, pred, timeout=30):
        deadline = time.time() + timeout
        with self.got:
            while True:
                for e in self.events:
                    if pred(e):
                        return e
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError("event not seen; got " + ", ".join(e[1] for e in self.events))
                self.got.wait(left)

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def wav_info(data):
    """(channels, rate, format tag, frames) of a RIFF/WAVE file; the stdlib wave module reads no float."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", data[:16]
    pos, fmt, frames = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            tag, ch, rate, _, align, bits = struct.unpack("<HHIIHH", body[:16])
            if tag == 0xFFFE:
                tag = struct.unpack("<H", body[24:26])[0]
            fmt = (ch, rate, tag, bits, align)
        elif cid == b"data":
            frames = size // fmt[4]
        pos += 8 + size + (size & 1)
    return fmt[0], fmt[1], fmt[2], frames


class DaemonCase(unittest.TestCase):
    daemon_args = {}

    def setUp(self):
        self.d = Daemon(**self.daemon_args)
        self.addCleanup(self.d.stop)
        self.d.start()

    def check_result(self, r):
        self.assertTrue(RESULT_KEYS <= set(r), r)
        self.assertIsInstance(r["id"], int)
        self.assertIn(r["verdict"], ("pass", "fail", "error"))
        self.assertEqual(r["jig"], JIG)


class Results(DaemonCase):
    """Pass and fail through HTTP and the CLI, history, captures, restart."""

    def test_capture_retention(self):
        # retention = 3: the captures of the three newest failures stay, older ones go
        d = self.d
        d.stop()
        with open(d.config) as f:
            conf = f.read().replace("retention = 50", "retention = 3")
        with open(d.config, "w") as f:
            f.write(conf)
        d.start()
        d.use_scenario("swap")
        ids = []
        for i in range(6):
            st, r = d.post_test(serial=f"RET-{i}")
            self.assertEqual((st, r["verdict"]), (200, "fail"), r)
            self.assertIn("capture", r)
            ids.append(r["id"])
        cap = os.path.join(d.dir, "state", "captures")
        self.assertEqual(sorted(os.listdir(cap)),
                         sorted(f"test-{i}.{ext}" for i in ids[-3:] for ext in ("wav", "json")))
        for i in ids[:3]:
            st, _ = d.get(f"/api/v1/tests/{i}/capture.wav")
            self.assertEqual(st, 404, i)
            st, r = d.get(f"/api/v1/tests/{i}")
            self.assertNotIn("capture", r)
        st, data = d.get(f"/api/v1/tests/{ids[-1]}/capture.wav")
        self.assertEqual(st, 200)
        self.assertEqual(data[:4], b"RIFF")

    def test_unfinished_captures_removed_at_start(self):
        # What a kill -9 in the middle of writing a capture leaves behind.
        d = self.d
        d.stop()
        cap = os.path.join(d.dir, "state", "captures")
        left = [os.path.join(cap, n) for n in ("test-7.wav.tmp", "test-7.json.tmp")]
        keep = os.path.join(cap, "notes.txt")
        for p in left + [keep]:
            with open(p, "w") as f:
                f.write("x")
        d.start()
        self.assertEqual([p for p in left if os.path.exists(p)], [])
        self.assertTrue(os.path.exists(keep))   # only the capture's own temporary files
        self.assertTrue(any("removed 2 unfinished capture files" in l for l in d.log), d.log)

    def test_pass_fail_history_capture_restart(self):
        d = self.d
        st, r = d.post_test(serial="SN-1")
        self.assertEqual(st, 200, r)
        self.check_result(r)
        self.assertEqual(r["verdict"], "pass", r)
        self.assertEqual(r["serial"], "SN-1")
        self.assertEqual(r["faults"], [])
        self.assertNotIn("capture", r)
        first = r["id"]

        # The same object again from GET, and no capture for a pass.
        st, again = d.get(f"/api/v1/tests/{first}")
        self.assertEqual((st, again["id"], again["verdict"]), (200, first, "pass"))
        st, _ = d.get(f"/api/v1/tests/{first}/capture.wav")
        self.assertEqual(st, 404)

        # Without ?wait: 202 + Location, then the result there.
        st, r = d.post_test(serial="SN-2", wait=False)
        self.assertEqual(st, 202, r)
        loc = r["location"]
        self.assertEqual(loc, f"/api/v1/tests/{r['id']}")
        deadline = time.time() + 20
        while True:
            st, r2 = d.get(loc)
            if st == 200:
                break
            self.assertEqual(st, 202, r2)
            self.assertLess(time.time(), deadline)
            time.sleep(0.02)
        self.assertEqual(r2["verdict"], "pass")

        # A bad cable: switch the simulated jig to the swapped scenario.
        st, demo = d.get("/api/v1/demo")
        self.assertEqual(st, 200, demo)
        names = {s["name"]: s for s in demo["scenarios"]}
        self.assertEqual(set(names), {"straight", "swap"})       # other-jig.conf is left out
        self.assertEqual(names["swap"]["title"], "Left/right swapped")
        self.assertEqual(demo["current"], "straight")
        d.use_scenario("swap")
        st, r = d.post_test(serial="SN-3")
        self.assertEqual(st, 200, r)
        self.check_result(r)
        self.assertEqual(r["verdict"], "fail", r)
        self.assertIn("lr_swap", [f["code"] for f in r["faults"]], r)
        failed = r["id"]

        # Its raw capture as a real WAV, with the stimulus plan beside it.
        self.assertEqual(r["capture"], f"/api/v1/tests/{failed}/capture.wav")
        st, wav, resp = d.request("GET", r["capture"], raw=True)
        self.assertEqual(st, 200)
        self.assertEqual(resp.getheader("Content-Type"), "audio/wav")
        ch, rate, tag, frames = wav_info(wav)
        self.assertEqual((ch, rate, tag), (len(r["matrix"]["inputs"]), 48000, 3))   # 3: IEEE float
        st, plan = d.get(f"/api/v1/tests/{failed}/capture.json")
        self.assertEqual(st, 200, plan)
        # the probe and every analysed window are in it
        tl = plan["timeline"]
        self.assertGreater(frames, tl["probe"] + tl["window"] * tl["windows"])
        self.assertEqual(plan["rate"], 48000)
        self.assertEqual(len(plan["tones"]), len(r["matrix"]["outputs"]))
        for key in ("bin", "freq_hz", "amplitude", "phase_rad"):
            self.assertIn(key, plan["tones"][0])
        for key in ("window", "probe_frames", "seed", "timeline", "jig", "cable", "latency_frames"):
            self.assertIn(key, plan)

        # Through the CLI: same verdicts and exit codes as `tonewire run`.
        p = subprocess.run([TONEWIRE, "test", "--server", d.url, "--cable", CABLE, "--serial", "SN-4", "--json"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stderr + p.stdout)
        self.assertEqual(json.loads(p.stdout)["verdict"], "fail")
        d.use_scenario("straight")
        p = subprocess.run([TONEWIRE, "test", "--server", d.url, "--cable", CABLE, "--serial", "SN-5"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr + p.stdout)
        self.assertIn("PASS", p.stdout)
        p = subprocess.run([TONEWIRE, "status", "--server", d.url], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("connected", p.stdout)

        # History: newest first, filters.
        st, hist = d.get("/api/v1/tests")
        self.assertEqual(st, 200)
        ids = [h["id"] for h in hist]
        self.assertEqual(ids, sorted(ids, reverse=True))
        self.assertEqual(len(ids), 5)
        st, hist = d.get("/api/v1/tests?verdict=fail")
        self.assertEqual(sorted(h["serial"] for h in hist), ["SN-3", "SN-4"])
        st, hist = d.get("/api/v1/tests?serial=SN-2")
        self.assertEqual([h["serial"] for h in hist], ["SN-2"])
        st, hist = d.get(f"/api/v1/tests?cable={CABLE}&limit=2")
        self.assertEqual(len(hist), 2)
        st, hist = d.get("/api/v1/tests?since=2000-01-01")
        self.assertEqual(len(hist), 5)
        st, hist = d.get("/api/v1/tests?since=2999-01-01T00:00:00Z")
        self.assertEqual(hist, [])
        p = subprocess.run([TONEWIRE, "history", "--server", d.url, "--serial", "SN-3", "--json"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([h["serial"] for h in json.loads(p.stdout)], ["SN-3"])

        # Metrics count what happened.
        st, text = d.get("/metrics")
        self.assertEqual(st, 200)
        text = text.decode()
        self.assertIn('tonewire_tests_total{verdict="pass"} 3', text)
        self.assertIn('tonewire_tests_total{verdict="fail"} 2', text)
        self.assertIn('tonewire_faults_total{code="lr_swap"} 2', text)
        self.assertIn("tonewire_test_duration_seconds_count 5", text)
        self.assertIn("tonewire_device_connected 1", text)
        self.assertIn("tonewire_xruns_total 0", text)

        # Restart: every result is still there, byte for byte the same object.
        st, before = d.get("/api/v1/tests")
        self.assertEqual(d.stop(), 0, "".join(d.log))
        d.start()
        st, after = d.get("/api/v1/tests")
        self.assertEqual(after, before)
        st, r = d.get(f"/api/v1/tests/{failed}/capture.wav", raw=False)
        self.assertEqual(st, 200)
        st, r = d.post_test(serial="SN-6")
        self.assertEqual((st, r["verdict"]), (200, "pass"))
        self.assertGreater(r["id"], max(h["id"] for h in before))

    def test_profiles_and_static(self):
        st, p = self.d.get("/api/v1/profiles")
        self.assertEqual(st, 200)
        self.assertEqual(p["jig"], JIG)
        con = {c["name"]: c for c in p["connectors"]}
        self.assertIn("trs-3.5", con)
        self.assertEqual({c["role"] for c in con["trs-3.5"]["contacts"]} >= {"L", "R"}, True)
        cab = {c["name"]: c for c in p["cables"]}
        self.assertTrue(cab[CABLE]["fits_jig"])
        self.assertIn("end_a", cab[CABLE])
        jig = {j["name"]: j for j in p["jigs"]}
        self.assertIn("sockets", jig[JIG])
        # The dashboard from web/ (or a JSON 404 naming the missing file).
        st, body, resp = self.d.request("GET", "/", raw=True)
        if st == 200:
            self.assertTrue(resp.getheader("Content-Type").startswith("text/html"))
            self.assertEqual(resp.getheader("Cache-Control"), "no-cache")
            etag = resp.getheader("ETag")
            st, _, _ = self.d.request("GET", "/", headers={"If-None-Match": etag}, raw=True)
            self.assertEqual(st, 304)
        else:
            self.assertEqual(st, 404)
        for path in ("/../etc/passwd", "/%2e%2e/etc/passwd", "/a/../../etc/passwd"):
            st, _, _ = self.d.request("GET", path, raw=True)
            self.assertEqual(st, 404, path)
        # calibrate and flex are routes of their own (tests/e2e/test_flex.py, test_calibration.py);
        # here only: a body they do not understand is refused, naming the field
        for st_path in ("/api/v1/calibrate", "/api/v1/flex"):
            st, r = self.d.request("POST", st_path, {"bogus": 1})
            self.assertEqual(st, 400, (st_path, r))
            self.assertIn("bogus", r["error"])


class BusyAndEvents(DaemonCase):
    """A real-time jig: 409 while busy, levels at ≥ 10 Hz, state changes and the result on SSE."""
    # 64 windows of the 5.3 ms plan: a test of ~0.35 s, long enough to collide with
    daemon_args = {"fast": False, "windows": 64}

    def test_busy_and_sse(self):
        d = self.d
        sse = SSE(d.port)
        self.addCleanup(sse.close)
        sse.wait_for(lambda e: e[1] == "status")
        st, r = d.post_test(serial="RT-1", wait=False)
        self.assertEqual(st, 202, r)
        tid = r["id"]
        st, busy = d.post_test(serial="RT-2")
        self.assertEqual(st, 409, busy)
        self.assertEqual(busy["test"], tid)
        self.assertIn(str(tid), busy["error"])
        st, s = d.get("/api/v1/status")
        self.assertIn(s["state"], ("measuring", "analysing"))
        self.assertEqual(s["test"], tid)
        p = subprocess.run([TONEWIRE, "test", "--server", d.url, "--cable", CABLE], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 3, p.stderr)   # busy is a station error for CI
        res = sse.wait_for(lambda e: e[1] == "result" and e[2]["id"] == tid)
        self.assertEqual(res[2]["verdict"], "pass")
        # "done" and the result are published back to back, in no promised order
        sse.wait_for(lambda e: e[1] == "state" and e[2].get("test") == tid and e[2].get("state") == "done")
        states = [e[2]["state"] for e in sse.events if e[1] == "state" and e[2].get("test") == tid]
        self.assertEqual(states[:3], ["measuring", "analysing", "done"])
        levels = [e for e in sse.events if e[1] == "levels" and e[2]["test"] == tid]
        self.assertGreaterEqual(len(levels), 5)
        self.assertEqual(len(levels[0][2]["dbfs"]), len(res[2]["matrix"]["inputs"]))
        span = levels[-1][0] - levels[0][0]
        rate = (len(levels) - 1) / span
        self.assertGreaterEqual(rate, 10.0, f"{len(levels)} levels in {span:.3f} s")
        # Tones are playing: the inputs hear them well above the noise.
        self.assertGreater(max(levels[-1][2]["dbfs"]), -40)
        # And the client is counted.
        st, text = d.get("/metrics")
        self.assertIn("tonewire_sse_clients 1", text.decode())

    def test_vanished_and_slow_clients_block_nothing(self):
        d = self.d
        # Clients that connect and never read, and clients that vanish.
        stalled = []
        for _ in range(4):
            s = socket.create_connection(("127.0.0.1", d.port))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.sendall(f"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:{d.port}\r\n\r\n".encode())
            stalled.append(s)
        for _ in range(4):
            s = socket.create_connection(("127.0.0.1", d.port))
            s.sendall(f"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:{d.port}\r\n\r\n".encode())
            s.close()
        for i in range(3):
            t0 = time.time()
            st, r = d.post_test(serial=f"SLOW-{i}")
            self.assertEqual((st, r["verdict"]), (200, "pass"))
            self.assertLess(time.time() - t0, 10)
            t0 = time.time()
            st, _ = d.get("/api/v1/status")
            self.assertEqual(st, 200)
            self.assertLess(time.time() - t0, 1.0)
        for s in stalled:
            s.close()
        # Vanished clients leave within a few heartbeats.
        deadline = time.time() + 15
        while time.time() < deadline:
            st, text = d.get("/metrics")
            if "tonewire_sse_clients 0" in text.decode():
                break
            time.sleep(0.2)
        self.assertIn("tonewire_sse_clients 0", text.decode())

    def test_sigterm_mid_test_never_half_written(self):
        d = self.d
        st, r = d.post_test(serial="TERM-1", wait=False)
        self.assertEqual(st, 202)
        time.sleep(0.1)
        self.assertEqual(d.stop(), 0, "".join(d.log))
        d.start()
        st, r = d.get(f"/api/v1/tests/{r['id']}")
        self.assertEqual(st, 200, r)
        # Finished before the stop, or recorded as aborted: never missing or half.
        self.check_result(r)
        self.assertIn(r["verdict"], ("pass", "error"))


class Malformed(DaemonCase):
    """A table of bad requests: each gets a 4xx with a JSON message, and the daemon carries on."""

    def test_table(self):
        d = self.d
        J = {"Content-Type": "application/json"}
        big = json.dumps({"cable": CABLE, "serial": "x" * (70 * 1024)})
        cases = [
            # method, path, body, headers, status, word the message must contain
            ("POST", "/api/v1/tests", "not json", J, 400, "body"),
            ("POST", "/api/v1/tests", "[1, 2]", J, 400, "object"),
            ("POST", "/api/v1/tests", '{"cable": "trs-3.5-extension"', J, 400, "body"),
            ("POST", "/api/v1/tests", '{"cable": 5}', J, 400, "cable"),
            ("POST", "/api/v1/tests", '{"cable": null}', J, 400, "cable"),
            ("POST", "/api/v1/tests", '{"cable": {"name": "x"}}', J, 400, "cable"),
            ("POST", "/api/v1/tests", '{"cable": ""}', J, 400, "cable"),
            ("POST", "/api/v1/tests", '{"cable": "../../../etc/passwd"}', J, 400, "cable"),
            ("POST", "/api/v1/tests", '{"cable": "no-such-cable"}', J, 400, "cable"),
            ("POST", "/api/v1/tests", '{"cable": "xlr3-interconnect"}', J, 400, "cable"),
            ("POST", "/api/v1/tests", '{"cable": "trs-3.5-extension", "serial": 12}', J, 400, "serial"),
            ("POST", "/api/v1/tests", json.dumps({"cable": CABLE, "serial": "s" * 65}), J, 400, "serial"),
            ("POST", "/api/v1/tests", '{"cable": "trs-3.5-extension", "serial": "a\\u0001b"}', J, 400, "serial"),
            ("POST", "/api/v1/tests", '{"cable": "trs-3.5-extension", "colour": "red"}', J, 400, "colour"),
            ("POST", "/api/v1/tests", '{"cable": "a", "cable": "b"}', J, 400, "body"),
            ("POST", "/api/v1/tests", b'{"cable": "\xff\xfe"}', J, 400, "body"),
            ("POST", "/api/v1/tests", '{"cable": "trs-3.5-extension"}', {"Content-Type": "text/plain"}, 415,
             "Content-Type"),
            ("POST", "/api/v1/tests", big, J, 413, "body"),
            ("POST", "/api/v1/tests?wait=banana", '{"cable": "trs-3.5-extension"}', J, 400, "wait"),
            ("POST", "/api/v1/tests?colour=red", '{"cable": "trs-3.5-extension"}', J, 400, "colour"),
            ("GET", "/api/v1/tests?limit=0", None, {}, 400, "limit"),
            ("GET", "/api/v1/tests?limit=abc", None, {}, 400, "limit"),
            ("GET", "/api/v1/tests?limit=100000", None, {}, 400, "limit"),
            ("GET", "/api/v1/tests?verdict=maybe", None, {}, 400, "verdict"),
            ("GET", "/api/v1/tests?since=yesterday", None, {}, 400, "since"),
            ("GET", "/api/v1/tests?since=2026-13-45", None, {}, 400, "since"),
            ("GET", "/api/v1/tests?colour=red", None, {}, 400, "colour"),
            ("GET", "/api/v1/tests/abc", None, {}, 400, "id"),
            ("GET", "/api/v1/tests/0", None, {}, 400, "id"),
            ("GET", "/api/v1/tests/-1", None, {}, 400, "id"),
            ("GET", "/api/v1/tests/99999", None, {}, 404, "99999"),
            ("GET", "/api/v1/tests/99999/capture.wav", None, {}, 404, "capture"),
            ("DELETE", "/api/v1/tests", None, {}, 405, "DELETE"),
            ("PATCH", "/api/v1/status", "{}", J, 405, "PATCH"),
            ("GET", "/api/v1/nope", None, {}, 404, "nope"),
            ("PUT", "/api/v1/demo", '{"scenario": "../straight"}', J, 400, "scenario"),
            ("PUT", "/api/v1/demo", '{"scenario": "other-jig"}', J, 400, "scenario"),
            ("PUT", "/api/v1/demo", '{}', J, 400, "scenario"),
            ("PUT", "/api/v1/demo", '', J, 400, "body"),
            ("GET", "/api/v1/events?colour=red", None, {}, 400, "colour"),
        ]
        self.assertGreaterEqual(len(cases), 20)
        for method, path, body, headers, want, word in cases:
            with self.subTest(method=method, path=path, body=str(body)[:60]):
                st, data, resp = d.request(method, path, body=body, headers=headers, raw=True)
                self.assertEqual(st, want, data[:300])
                self.assertTrue(resp.getheader("Content-Type", "").startswith("application/json"))
                msg = json.loads(data)["error"]
                self.assertIsInstance(msg, str)
                self.assertIn(word.lower(), msg.lower())
        # A chunked body over the limit (no Content-Length to refuse up front).
        c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=30)
        c.putrequest("POST", "/api/v1/tests")
        c.putheader("Content-Type", "application/json")
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()
        for _ in range(20):
            chunk = b" " * 8192
            c.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        c.send(b"0\r\n\r\n")
        r = c.getresponse()
        self.assertEqual(r.status, 413)
        c.close()
        # Garbage that is not HTTP at all.
        s = socket.create_connection(("127.0.0.1", d.port))
        s.sendall(b"\x00\x01\x02 nonsense\r\n\r\n")
        s.settimeout(2)
        try:
            s.recv(1024)
        except OSError:
            pass
        s.close()
        # Still healthy: status answers and a test still passes.
        st, s2 = d.get("/api/v1/status")
        self.assertEqual(st, 200)
        self.assertTrue(s2["connected"])
        st, r = d.post_test(serial="AFTER")
        self.assertEqual((st, r["verdict"]), (200, "pass"))
        st, hist = d.get("/api/v1/tests")
        self.assertEqual([h["serial"] for h in hist], ["AFTER"])   # nothing bad was stored


class Security(unittest.TestCase):
    """Host (DNS rebinding), Origin (cross-site writes), token, and refusing to start unsafely."""

    def start(self, **kw):
        d = Daemon(**kw)
        self.addCleanup(d.stop)
        return d

    def test_host_and_origin(self):
        d = self.start().start()
        p = d.port
        for host, want in ((f"127.0.0.1:{p}", 200), (f"localhost:{p}", 200), (f"LOCALHOST:{p}", 200),
                           (f"[::1]:{p}", 200), ("127.0.0.1", 403), (f"evil.example:{p}", 403),
                           (f"127.0.0.1:{p + 1}", 403), (f"localhost.evil.example:{p}", 403),
                           (f"127.0.0.1:{p}@evil", 403), ("", 403)):
            with self.subTest(host=host):
                s = socket.create_connection(("127.0.0.1", p))
                s.sendall(f"GET /api/v1/status HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
                data = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                s.close()
                status = int(data.split()[1])
                self.assertEqual(status, want if host else 400 if status == 400 else want, data[:200])
        body = {"cable": CABLE}
        for origin, want in ((f"http://127.0.0.1:{p}", 200), (f"http://localhost:{p}", 200),
                             ("http://evil.example", 403), (f"http://evil.example:{p}", 403),
                             ("null", 403), (f"https://127.0.0.1:{p}.evil.example", 403)):
            with self.subTest(origin=origin):
                st, r = d.request("POST", "/api/v1/tests?wait=1", body, headers={"Origin": origin})
                self.assertEqual(st, want, r)
                if want == 403:
                    self.assertIn("cross-origin", r["error"])
        st, r = d.request("POST", "/api/v1/tests?wait=1", body, headers={"Sec-Fetch-Site": "cross-site"})
        self.assertEqual(st, 403, r)
        # Reads from another origin are not writes; the browser's CORS keeps them unreadable.
        st, _ = d.request("GET", "/api/v1/status", headers={"Origin": "http://evil.example"})
        self.assertEqual(st, 200)
        st, hist = d.get("/api/v1/tests")
        self.assertEqual(len(hist), 2)   # only the two same-origin tests ran

    def test_token(self):
        tok = "s3cret-token-0123456789"
        d = self.start(http_extra=f"token = {tok}")
        d.token = tok
        d.start()
        d.token = None
        for path in ("/api/v1/status", "/api/v1/tests", "/metrics", "/api/v1/events"):
            st, r = d.get(path)
            self.assertEqual(st, 401, path)
            self.assertIn("token", r["error"])
        st, r = d.request("GET", "/api/v1/status", headers={"Authorization": "Bearer wrong-token-0123456789"})
        self.assertEqual(st, 401)
        st, r = d.request("POST", "/api/v1/tests?wait=1", {"cable": CABLE})
        self.assertEqual(st, 401)
        d.token = tok
        st, r = d.post_test()
        self.assertEqual((st, r["verdict"]), (200, "pass"))
        sse = SSE(d.port, f"/api/v1/events?token={tok}")
        self.addCleanup(sse.close)
        sse.wait_for(lambda e: e[1] == "status", timeout=10)
        self.assertEqual(sse.status, 200)
        p = subprocess.run([TONEWIRE, "test", "--server", d.url, "--token", tok, "--cable", CABLE],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr + p.stdout)
        p = subprocess.run([TONEWIRE, "status", "--server", d.url], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)

    def test_refuses_to_start_unsafely_or_with_bad_config(self):
        d = Daemon()
        cases = [
            ("[http]\naddress = 0.0.0.0\nport = 0\n", "token"),
            ("[http]\naddress = 0.0.0.0\nport = 0\ntoken = short\n", "token"),
            ("[http]\nport = 99999\n", "port"),
            ("[http]\naddress = example.com\n", "address"),
            ("[station]\nrate = fast\n", "rate"),
            ("[station]\ncolour = red\n", "colour"),
            ("[nonsense]\nx = 1\n", "nonsense"),
            ("[station\n", ""),
            (f"[station]\ndevice = tonewire_sim:{d.scenario}\ncable = no-such-cable\n", "cable"),
            ("[station]\ndevice = hw:NoSuchCard\n", "jig"),
        ]
        for text, word in cases:
            with self.subTest(config=text):
                cfg = os.path.join(d.dir, "bad.conf")
                with open(cfg, "w") as f:
                    f.write("; a configuration with one mistake\n" + text)
                p = subprocess.run([TONEWIRED, "--config", cfg], capture_output=True, text=True, timeout=20)
                self.assertNotEqual(p.returncode, 0)
                lines = [l for l in p.stderr.splitlines() if l.strip()]
                self.assertEqual(len(lines), 1, p.stderr)      # one clear message
                self.assertIn(word, lines[0])
                if word not in ("cable", "jig"):
                    self.assertRegex(lines[0], r"bad\.conf:\d+")   # naming the line
                self.assertNotIn("listening", p.stderr)         # nothing half-started
        self.assertFalse(os.path.exists(os.path.join(d.dir, "state", "results.db")))
        p = subprocess.run([TONEWIRED, "--config", os.path.join(d.dir, "missing.conf")], capture_output=True,
                           text=True, timeout=20)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("missing.conf", p.stderr)

    def test_non_loopback_with_token(self):
        tok = "another-token-0123456789"
        d = self.start(http_extra=f"token = {tok}")
        with open(d.config) as f:
            text = f.read().replace("address = 127.0.0.1", "address = 0.0.0.0")
        with open(d.config, "w") as f:
            f.write(text)
        d.token = tok
        d.start()
        st, s = d.get("/api/v1/status")
        self.assertEqual(st, 200)
        d.token = None
        st, _ = d.get("/api/v1/status")
        self.assertEqual(st, 401)


class CommandLine(unittest.TestCase):
    """tonewired's own options: its version is the project's (CMakeLists.txt), help goes to
    stdout with exit 0, anything it does not know is a usage error (exit 2) on stderr."""

    def run_daemon(self, *args):
        return subprocess.run([TONEWIRED, *args], capture_output=True, text=True, timeout=30)

    def test_options(self):
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "CMakeLists.txt")) as f:
            version = re.search(r"project\(tonewire VERSION ([0-9.]+)", f.read()).group(1)
        p = self.run_daemon("--version")
        self.assertEqual((p.returncode, p.stdout), (0, f"tonewired {version}\n"))
        p = self.run_daemon("--help")
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith("usage: tonewired"), p.stdout)
        p = self.run_daemon("--frobnicate")
        self.assertEqual(p.returncode, 2)
        self.assertIn("usage: tonewired", p.stderr)
        p = self.run_daemon("--check-config", "extra")
        self.assertEqual(p.returncode, 2)
        self.assertIn("unexpected argument 'extra'", p.stderr)


class DemoDefaultCable(unittest.TestCase):
    """With no device and no cable configured, the demo's scenario names its jig but not its
    cable: the station takes the first cable, in name order, that fits that jig. Every cable
    before it is one `tonewire run` refuses on that jig (exit 2, does not fit); the one taken
    is measured (exit 0 or 1, a verdict)."""

    def test_first_cable_that_fits(self):
        tmp = tempfile.mkdtemp(prefix="tw-daemon-")
        self.addCleanup(shutil.rmtree, tmp, True)
        os.mkdir(os.path.join(tmp, "demo"))
        scen = os.path.join(tmp, "demo", "1-straight.conf")
        with open(scen, "w") as f:
            f.write(f"[scenario]\njig = {JIG}\n[interface]\npace = fast\n[cable]\n" + "\n".join(STRAIGHT) + "\n")
        conf = os.path.join(tmp, "tonewired.conf")
        with open(conf, "w") as f:
            f.write(f"[station]\ndemo_dir = {tmp}/demo\n[http]\nport = 0\n[store]\npath = {tmp}/r.db\n")
        p = subprocess.run([TONEWIRED, "--config", conf, "--check-config"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        m = re.search(rf"device tonewire_sim:{re.escape(scen)}, jig {JIG}, cable ([\w.-]+)\)", p.stdout)
        self.assertIsNotNone(m, p.stdout)
        chosen = m.group(1)
        names = sorted(os.path.basename(c)[:-5] for c in glob.glob(os.path.join(
            os.path.dirname(__file__), "..", "..", "profiles", "cables", "*.conf")))
        self.assertIn(chosen, names)
        env = dict(os.environ, ALSA_CONFIG_PATH=f"/usr/share/alsa/alsa.conf:{BUILD}/sim/tonewire_sim.conf")
        for name in names[:names.index(chosen) + 1]:
            r = subprocess.run([TONEWIRE, "run", "--device", "tonewire_sim:" + scen, "--cable", name],
                               capture_output=True, text=True, timeout=60, env=env)
            if name == chosen:
                self.assertIn(r.returncode, (0, 1), r.stderr)
            else:
                self.assertEqual(r.returncode, 2, (name, r.stdout, r.stderr))
                self.assertIn("does not fit", r.stderr)


class Groups(unittest.TestCase):
    """CTest runs this file one group of classes at a time (tests/e2e/daemon.cmake): a class
    that no group names would never run, and nothing would say so."""

    def test_every_class_is_run(self):
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "daemon.cmake")) as f:
            cmake = f.read()
        named = set(re.findall(r"\b[A-Z][A-Za-z]+\b", " ".join(re.findall(r"foreach\(group ([^)]*)\)", cmake) +
                                                                  re.findall(r"test_daemon\.py ARGS ([^)]*)\)", cmake))))
        mine = {n for n, c in globals().items() if isinstance(c, type) and issubclass(c, unittest.TestCase)
                and c.__module__ == __name__ and any(k.startswith("test") for k in vars(c))}
        self.assertEqual(mine - named, set(), "test classes that no CTest entry runs")


class StoreThatCannotOpen(unittest.TestCase):
    """A results database that is not one, or is newer than this tonewired, or a folder for it or
    for the captures that cannot be made: it does not start, exits 1 and names the file and why;
    the file is left as it was."""

    def start_on(self, content):
        d = Daemon()
        os.makedirs(os.path.dirname(d.db_path()), exist_ok=True)
        with open(d.db_path(), "wb") as f:
            f.write(content)
        ready = d.spawn()
        rc = d.proc.wait(20)
        ready.wait(5)
        log = "".join(d.log)
        d.stop()
        with open(d.db_path(), "rb") as f:
            self.assertEqual(f.read(), content, "the file is left alone")
        return rc, log

    def test_not_a_database(self):
        rc, log = self.start_on(b"these are not the results you are looking for\n" * 100)
        self.assertEqual(rc, 1, log)
        self.assertIn("results.db: not a readable SQLite database: file is not a database", log)

    def test_newer_schema(self):
        import sqlite3
        tmp = tempfile.mkdtemp(prefix="tw-daemon-")
        self.addCleanup(shutil.rmtree, tmp, True)
        path = os.path.join(tmp, "newer.db")
        db = sqlite3.connect(path)
        db.execute("PRAGMA user_version = 999")
        db.execute("CREATE TABLE future (x)")
        db.commit()
        db.close()
        with open(path, "rb") as f:
            content = f.read()
        rc, log = self.start_on(content)
        self.assertEqual(rc, 1, log)
        self.assertRegex(log, r"results\.db: schema version 999 is newer than this tonewired knows \(\d+\)")

    def start_with(self, old, new):
        d = Daemon().edit_config(old, new)
        with open(os.path.join(d.dir, "a-file"), "w") as f:
            f.write("in the way\n")
        ready = d.spawn()
        rc = d.proc.wait(20)
        ready.wait(5)
        log = "".join(d.log)
        d.stop()
        return d, rc, log

    def test_folder_under_a_file(self):
        d, rc, log = self.start_with("/state/results.db", "/a-file/state/results.db")
        self.assertEqual(rc, 1, log)
        self.assertIn(f"cannot create {d.dir}/a-file/state: Not a directory", log)
        d, rc, log = self.start_with("/state/captures", "/a-file/captures")
        self.assertEqual(rc, 1, log)
        self.assertIn(f"cannot create {d.dir}/a-file/captures: Not a directory", log)
        self.assertFalse(os.path.exists(d.db_path()), "no database is made for a station that cannot start")


class Listening(unittest.TestCase):
    """Where tonewired listens and what it tells systemd: the IPv6 loopback; a port already
    taken (a start-up error naming the address, exit 1); SIGHUP (no reload: it keeps serving);
    READY=1 once the device is open, then WATCHDOG=1 at half of $WATCHDOG_USEC."""

    def test_ipv6_loopback(self):
        try:
            with socket.socket(socket.AF_INET6) as probe:
                probe.bind(("::1", 0))
        except OSError as e:
            raise unittest.SkipTest(f"this machine has no IPv6 loopback: {e}")
        d = Daemon().edit_config("address = 127.0.0.1", "address = ::1")
        self.addCleanup(d.stop)
        d.launch()
        self.assertTrue(any(f"listening on http://[::1]:{d.port}/" in line for line in d.log), d.log)
        c = http.client.HTTPConnection("::1", d.port, timeout=10)
        c.request("GET", "/api/v1/status")
        r = c.getresponse()
        self.assertEqual(r.status, 200)
        self.assertIn("state", json.loads(r.read()))
        c.close()
        # Nothing on the IPv4 side: the socket is IPv6 only.
        with socket.socket() as v4:
            self.assertNotEqual(v4.connect_ex(("127.0.0.1", d.port)), 0)

    def test_port_taken(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            d = Daemon().edit_config("port = 0", f"port = {port}")
            p = subprocess.run([TONEWIRED, "--config", d.config], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn(f"cannot listen on 127.0.0.1 port {port} (Address already in use)", p.stderr)
        self.assertNotIn("listening on", p.stderr)

    def test_sighup_keeps_serving(self):
        d = Daemon()
        self.addCleanup(d.stop)
        d.start()
        st, r = d.post_test(serial="BEFORE-HUP")
        self.assertEqual(st, 200, r)
        d.proc.send_signal(signal.SIGHUP)
        time.sleep(0.3)   # a stop would have begun by now; the process must still be serving
        self.assertIsNone(d.proc.poll(), "".join(d.log))
        st, r = d.post_test(serial="AFTER-HUP")
        self.assertEqual((st, r["verdict"]), (200, "pass"), r)
        self.assertFalse(any("stopping" in line for line in d.log), d.log)

    def test_notify_ready_and_watchdog(self):
        d = Daemon()
        sock_path = os.path.join(d.dir, "notify")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(listener.close)
        listener.bind(sock_path)
        env = dict(os.environ, NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="2000000")
        env.pop("WATCHDOG_PID", None)   # unset: the watchdog is this process's (sd_watchdog_enabled)
        proc = subprocess.Popen([TONEWIRED, "--config", d.config], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, env=env)

        def stop():
            proc.terminate()
            proc.wait(20)
            proc.stderr.close()
        self.addCleanup(stop)
        messages, pings = [], []
        listener.settimeout(1.0)
        deadline = time.time() + 20
        while time.time() < deadline and len(pings) < 3:
            try:
                msg = listener.recv(4096).decode()
            except socket.timeout:
                continue
            messages.append(msg)
            if "WATCHDOG=1" in msg.split("\n"):
                pings.append(time.monotonic())
        ready = [m for m in messages if "READY=1" in m.split("\n")]
        self.assertEqual(len(ready), 1, messages)
        self.assertRegex(ready[0], rf"STATUS=testing on {JIG}, http port \d+")
        self.assertGreaterEqual(len(pings), 3, messages)
        # About a second between pings (half of the 2 s): more than the main loop's 0.25 s turn, and
        # less than the 2 s after which systemd would restart it.
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        self.assertLess(max(gaps), 2.0, gaps)
        self.assertGreater(min(gaps), 0.5, gaps)
        proc.terminate()
        self.assertEqual(proc.wait(20), 0)
        listener.settimeout(2.0)
        rest = []
        try:
            while True:
                rest.append(listener.recv(4096).decode())
        except socket.timeout:
            pass
        self.assertIn("STOPPING=1", "\n".join(rest), rest)


class Unplug(unittest.TestCase):
    """The device goes away mid-test: verdict error, status disconnected, recovery without a restart."""

    def test_unplug_mid_test_and_recover(self):
        # Real-time pace with 170 ms of buffer (1024-frame periods, 8 of them): on a machine other
        # programs keep busy, the default 20 ms let xruns end the tests this one expects to end by
        # the unplug, or to pass once the device is back. ~0.35 s of windows: the unplug lands mid-test.
        d = Daemon(fast=False, windows=64, station_extra="period = 1024\nperiods = 8\n")
        self.addCleanup(d.stop)
        d.start()
        sse = SSE(d.port)
        self.addCleanup(sse.close)
        # The stream dies 100 ms into the next open's streams.
        write_scenario(d.scenario, STRAIGHT, fast=False, extra="unplug_after_ms = 100\n")
        st, r = d.request("PUT", "/api/v1/demo", {"scenario": "straight"})   # reopen with the new file
        self.assertEqual(st, 200, r)
        deadline = time.time() + 10
        verdict = None
        while time.time() < deadline:
            st, r = d.post_test(serial="UNPLUG")
            if st == 200:
                verdict = r
                break
            self.assertEqual(st, 409, r)   # the engine's own latency check may be running
            time.sleep(0.05)
        self.assertIsNotNone(verdict)
        self.assertEqual(verdict["verdict"], "error", verdict)
        self.assertRegex(verdict["error"], "went away|no audio device")
        sse.wait_for(lambda e: e[1] == "device" and e[2]["connected"] is False, timeout=10)
        # Now the device vanishes for good: the daemon says so and keeps trying.
        write_scenario(d.scenario, STRAIGHT, fast=False, extra="unplugged = true\n")
        deadline, gone = time.time() + 10, 0
        while time.time() < deadline and gone < 3:   # disconnected across several reopen attempts
            st, s = d.get("/api/v1/status")
            gone = gone + 1 if not s["connected"] else 0
            time.sleep(0.3)
        self.assertFalse(s["connected"], s)
        self.assertIn("device_error", s)
        st, r = d.post_test(serial="ABSENT")
        self.assertEqual((st, r["verdict"]), (200, "error"), r)
        st, text = d.get("/metrics")
        self.assertIn("tonewire_device_connected 0", text.decode())
        # Plugged back in: the engine reopens it by itself.
        write_scenario(d.scenario, STRAIGHT, fast=False)
        deadline = time.time() + 10
        while time.time() < deadline:
            st, s = d.get("/api/v1/status")
            if s["connected"] and s["latency_frames"] is not None and s["state"] in ("idle", "done"):
                break
            time.sleep(0.1)
        self.assertTrue(s["connected"], s)
        self.assertGreaterEqual(s["device_losses"], 1)
        st, r = d.post_test(serial="BACK")
        self.assertEqual((st, r["verdict"]), (200, "pass"), r)
        sse.wait_for(lambda e: e[1] == "device" and e[2]["connected"] is True and e[0] > 0, timeout=5)
        st, hist = d.get("/api/v1/tests?verdict=error")
        self.assertEqual(sorted(h["serial"] for h in hist), ["ABSENT", "UNPLUG"])


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main(require=[TONEWIRED, TONEWIRE])
