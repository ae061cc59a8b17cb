"""Faults for tonewired: the pieces shared by the hot-plug, kill -9 and disk-full tests and bench/faults.

The daemon, its temporary folder, the SSE client and the scenario writer come from test_daemon.py;
what is here is what those tests need on top: starting a daemon that may have no device, waiting on
the status, checking a store with the sqlite3 program, the kill -9 loop and the re-plug timing.
"""
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_daemon as td  # noqa: E402  (the folder above is not a package)

Daemon, SSE, write_scenario = td.Daemon, td.SSE, td.write_scenario
STRAIGHT, SWAPPED, CABLE, TONEWIRED = td.STRAIGHT, td.SWAPPED, td.CABLE, td.TONEWIRED


def spawn(d):
    """Start d's daemon; returns an Event set once it listens (or dies). d.port_found then holds the port."""
    return d.spawn()


def start_listening(d, timeout=30):
    """Start d's daemon and return once it listens, connected to its device or not."""
    return d.launch(timeout, sig=signal.SIGKILL)


def ready(s):
    """The status of a station that can take a test now."""
    return bool(s.get("connected")) and s.get("latency_frames") is not None and s.get("state") in ("idle", "done")


def wait_status(d, pred, timeout=20, step=0.01):
    """Poll GET /api/v1/status until pred(status); return (seconds waited, status). Raises on timeout."""
    t0 = time.monotonic()
    s = None
    while time.monotonic() - t0 < timeout:
        try:
            st, s = d.get("/api/v1/status", timeout=10)
            if st == 200 and pred(s):
                return time.monotonic() - t0, s
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(step)
    raise AssertionError(f"status never matched in {timeout} s: {s}\n" + "".join(d.log[-20:]))


def integrity_check(db):
    """PRAGMA integrity_check by the sqlite3 program on a copy of db and its WAL, as a crash left them.

    The copy keeps the daemon's own files untouched, so the daemon's restart is what recovers them."""
    tmp = tempfile.mkdtemp(prefix="tw-icheck-")
    try:
        for suffix in ("", "-wal"):
            if os.path.exists(db + suffix):
                shutil.copy2(db + suffix, os.path.join(tmp, "copy.db" + suffix))
        p = subprocess.run(["sqlite3", os.path.join(tmp, "copy.db"), "PRAGMA integrity_check"],
                           capture_output=True, text=True, timeout=60)
        return (p.stdout + p.stderr).strip()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def sql(db, query):
    """Rows of one query by the sqlite3 program (on the live files: only once the daemon is stopped)."""
    p = subprocess.run(["sqlite3", "-separator", "\t", db, query], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(f"sqlite3 {db}: {p.stderr}")
    return [line.split("\t") for line in p.stdout.splitlines()]


class Client(threading.Thread):
    """Streams POST /api/v1/tests?wait=1, one new serial each, until stopped or the daemon dies.

    acked: serial → the result object of every 200 whose whole body arrived. Anything else
    (a reset connection, a cut body) is not acknowledged; the serial is never sent again."""

    def __init__(self, port, prefix, acked):
        super().__init__(daemon=True)
        self.port, self.prefix, self.acked = port, prefix, acked
        self.halt = threading.Event()
        self.sent = 0
        self.refused = []      # (status, body) of answers other than 200

    def run(self):
        while not self.halt.is_set():
            serial = f"{self.prefix}-{self.sent}"
            self.sent += 1
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                c.request("POST", "/api/v1/tests?wait=1", body=json.dumps({"cable": CABLE, "serial": serial}),
                          headers={"Content-Type": "application/json"})
                r = c.getresponse()
                body = r.read()
                c.close()
            except (OSError, http.client.HTTPException):
                return          # the daemon is gone: this request was never acknowledged
            if r.status == 200:
                self.acked[serial] = json.loads(body)
            else:
                self.refused.append((r.status, body[:200]))
                time.sleep(0.01)


def kill9_cycles(runs, seed, max_delay=0.4, say=None):
    """Kill tonewired with SIGKILL at a random moment `runs` times while a client streams tests,
    restarting it on the same store each time. Returns the figures and every problem found."""
    rng = random.Random(seed)
    d = Daemon()
    db = os.path.join(d.dir, "state", "results.db")
    acked, fresh, problems = {}, {}, []
    kills_in = {"start-up": 0, "idle": 0, "streaming": 0}
    try:
        for run in range(runs):
            t_start = time.monotonic()
            if rng.random() < 0.15:
                # Some kills land in start-up: the store being opened and recovered.
                spawn(d)
                delay = rng.uniform(0, 0.15)
                time.sleep(delay)
                kills_in["start-up"] += 1
                d.proc.send_signal(signal.SIGKILL)
                d.proc.wait(30)
                d.stop()
                verdict = integrity_check(db)
                if verdict != "ok" and os.path.exists(db):
                    problems.append(f"run {run}: integrity_check after kill -9 in start-up: {verdict}")
                if say:
                    say(f"run {run + 1}/{runs}: killed {delay * 1000:.0f} ms into start-up")
                continue
            start_listening(d)
            try:
                wait_status(d, ready, timeout=30)
            except AssertionError as e:
                problems.append(f"run {run}: the device did not come up after a restart: {e}")
                break
            # Every result acknowledged before this restart is there, whole.
            # Every result acknowledged before the last kill is there, whole.
            problems += check_acked(d, fresh, f"run {run}")
            fresh = {}
            client = Client(d.port, f"K{run}", fresh)
            client.start()
            # Kill at a random moment: sometimes before the first test, mostly mid-stream.
            delay = rng.uniform(0, max_delay)
            time.sleep(delay)
            kills_in["streaming" if client.sent else "idle"] += 1
            d.proc.send_signal(signal.SIGKILL)
            d.proc.wait(30)
            d.stop()
            client.join(60)
            client.halt.set()
            acked.update(fresh)
            for status, body in client.refused:
                problems.append(f"run {run}: a test was refused with {status}: {body!r}")
            verdict = integrity_check(db)
            if verdict != "ok":
                problems.append(f"run {run}: integrity_check after kill -9: {verdict}")
            if say:
                say(f"run {run + 1}/{runs}: killed after {delay * 1000:.0f} ms, {client.sent} sent, "
                    f"{len(acked)} acknowledged in all, {time.monotonic() - t_start:.2f} s")
        # A last clean start: everything acknowledged is there; then the store as a whole.
        start_listening(d)
        wait_status(d, ready, timeout=30)
        problems += check_acked(d, fresh, "final")
        problems += check_acked(d, acked, "final, all")
        st, last = d.post_test(serial="AFTER-ALL")
        if st != 200 or last.get("verdict") != "pass":
            problems.append(f"final: a test after {runs} kills: {st} {last}")
        rc = d.stop()
        if rc != 0:
            problems.append(f"final: SIGTERM exit status {rc}")
        verdict = sql(db, "PRAGMA integrity_check")
        if verdict != [["ok"]]:
            problems.append(f"final: integrity_check: {verdict}")
        running = sql(db, "SELECT count(*) FROM tests WHERE state = 'running'")
        if running != [["0"]]:
            problems.append(f"final: rows left running: {running}")
        dup = sql(db, "SELECT serial, count(*) FROM tests GROUP BY serial HAVING count(*) > 1")
        rows = sql(db, "SELECT count(*), count(DISTINCT id) FROM tests")[0]
        lost = sum(1 for p in problems if "missing" in p or "differs" in p)
        return {"kill9_runs": runs, "acknowledged": len(acked), "acknowledged_lost": lost,
                "duplicates": len(dup), "rows": int(rows[0]), "kills_in": kills_in,
                "problems": problems + [f"duplicated serial {s} ({n} rows)" for s, n in dup]}
    finally:
        d.stop(signal.SIGKILL)
        shutil.rmtree(d.dir, ignore_errors=True)


def check_acked(d, acked, where):
    """Every acknowledged result, fetched by id and by serial, equals what the client was given."""
    problems = []
    for serial, res in list(acked.items()):
        st, got = d.get(f"/api/v1/tests/{res['id']}")
        if st != 200:
            problems.append(f"{where}: acknowledged test {res['id']} ({serial}) missing: {st} {got}")
        elif got != res:
            problems.append(f"{where}: acknowledged test {res['id']} ({serial}) differs: {got} != {res}")
    st, hist = d.get("/api/v1/tests?limit=1000")   # the newest; the store's own check covers all
    ids = [h["id"] for h in hist]
    if len(ids) != len(set(ids)):
        problems.append(f"{where}: an id is listed twice")
    serials = [h["serial"] for h in hist]
    twice = {s for s in serials if serials.count(s) > 1}
    if twice:
        problems.append(f"{where}: serials listed twice: {sorted(twice)}")
    return problems


def replug_recovery(runs=5, say=None):
    """Seconds from rewriting an unplugged scenario back to a plugged one until the status says
    connected (and until ready: round trip measured, idle), `runs` times on one daemon."""
    d = Daemon()
    connected, ready_s = [], []
    try:
        d.start()
        for i in range(runs):
            write_scenario(d.scenario, STRAIGHT, extra="unplugged = true\n")
            # The daemon reopens on its own only after a loss; the demo switch makes it look now.
            st, r = d.request("PUT", "/api/v1/demo", {"scenario": "straight"})
            assert st == 200, (st, r)
            wait_status(d, lambda s: not s["connected"] and s.get("device_error"), timeout=20)
            time.sleep(0.2 + 0.3 * i / max(runs - 1, 1))   # land at different points of the retry period
            write_scenario(d.scenario, STRAIGHT)
            t_conn, _ = wait_status(d, lambda s: s["connected"], timeout=20, step=0.005)
            t_ready, _ = wait_status(d, ready, timeout=20, step=0.005)
            connected.append(t_conn)
            ready_s.append(t_conn + t_ready)
            if say:
                say(f"re-plug {i + 1}/{runs}: connected after {t_conn * 1000:.0f} ms, "
                    f"ready after {(t_conn + t_ready) * 1000:.0f} ms")
        return connected, ready_s
    finally:
        d.stop()
        shutil.rmtree(d.dir, ignore_errors=True)
