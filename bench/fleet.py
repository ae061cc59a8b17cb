#!/usr/bin/env python3
"""bench/fleet: the line database on a real PostgreSQL (started here, tests/e2e/pglib.py).

1. Forwarding: a station's store holds a backlog of real result objects (cloned from tests it ran);
   tonewired starts with [fleet] postgres and its forwarder drains the backlog. Printed: the time to
   drain it, results per second, and the same for a second station that forwards while it tests.
2. The line view with 1,000,000 generated results (tests/e2e/line_data.py: 90 days, three
   stations): each view through the station's HTTP API, repeated; p50 and p95 per query.

Prints figures; never passes or fails on time. With --json the last line is one JSON object.
"""
import argparse
import http.client
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import pglib  # noqa: E402

JIG, CABLE = "stereo-trs", "trs-3.5-extension"
WIRES = "wire = A.T B.T\nwire = A.R B.R\nwire = A.S B.S\n"


class Station:
    def __init__(self, build, tmp, name, pg=None):
        self.build, self.dir, self.name = build, os.path.join(tmp, name), name
        os.makedirs(self.dir)
        scen = os.path.join(self.dir, "straight.conf")
        with open(scen, "w") as f:
            f.write(f"[scenario]\njig = {JIG}\n[interface]\npace = fast\nnoise_dbfs = -90\n[cable]\n{WIRES}")
        self.db = os.path.join(self.dir, "results.db")
        self.conf = os.path.join(self.dir, "tonewired.conf")
        with open(self.conf, "w") as f:
            f.write(f"[station]\nid = {name}\nline = L1\ndevice = tonewire_sim:{scen}\ncable = {CABLE}\n"
                    f"[http]\naddress = 127.0.0.1\nport = 0\n"
                    f"[store]\npath = {self.db}\ncapture_dir = {self.dir}/captures\nretention = 0\n"
                    + (f"[fleet]\npostgres = {pg.url}\n" if pg else ""))
        self.proc = None

    def start(self):
        self.t_start = time.time()
        self.proc = subprocess.Popen([os.path.join(self.build, "daemon", "tonewired"), "--config", self.conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for line in self.proc.stderr:
            m = re.search(r"listening on http://[^ ]*:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
                return self
        raise RuntimeError(f"{self.name}: tonewired did not start")

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(30)
            self.proc = None

    def get(self, path, timeout=120):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        c.request("GET", path)
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, body

    def status(self):
        st, body = self.get("/api/v1/status")
        return json.loads(body) if st == 200 else {}

    def test(self, serial):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        c.request("POST", "/api/v1/tests?wait=1", body=json.dumps({"cable": CABLE, "serial": serial}),
                  headers={"Content-Type": "application/json"})
        r = c.getresponse()
        body = r.read()
        c.close()
        return json.loads(body)


def wait_ready(s):
    while True:
        st = s.status()
        if st.get("connected") and st.get("latency_frames") is not None:
            return
        time.sleep(0.05)


def backlog_store(build, tmp, n):
    """A station store with n stored, unforwarded results: real ones, cloned with new ids."""
    s = Station(build, tmp, "B1").start()
    wait_ready(s)
    seeds = [s.test(f"SEED-{i}") for i in range(5)]
    s.stop()
    con = sqlite3.connect(s.db)
    first = con.execute("SELECT max(id) FROM tests").fetchone()[0] + 1
    rows = []
    for k in range(n - 5):
        r = dict(seeds[k % 5], id=first + k, serial=f"BL-{k:06d}")
        rows.append((first + k, 1700000000 + k, r["serial"], CABLE, JIG, r["verdict"], "done", json.dumps(r), "",
                     5.0, "test", "B1", "L1", r.get("software_version"), r.get("profile_sha256")))
    con.executemany("INSERT INTO tests (id, started_at, serial, cable, jig, verdict, state, result, faults, duration_ms,"
                    " kind, station, line, software_version, profile_sha256) VALUES"
                    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.commit()
    size = len(rows[0][7])
    con.close()
    return s, size


def drain(s, n):
    """Start s on the line database; seconds from the start to an empty outbox, and from the first
    row forwarded to the last."""
    s.start()
    first_move, t_end = None, None
    while True:
        f = s.status().get("fleet") or {}
        now = time.time()
        if first_move is None and f.get("backlog") is not None and f["backlog"] < n:
            first_move = now
        if f.get("backlog") == 0:
            t_end = now
            break
        time.sleep(0.02)
    return t_end - s.t_start, t_end - (first_move or s.t_start)


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--backlog", type=int, default=10000)
    ap.add_argument("--results", type=int, default=1000000)
    ap.add_argument("--repeat", type=int, default=20)
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    if not pglib.bin_dir():
        print("bench/fleet: no PostgreSQL server (scripts/deps installs it)", file=sys.stderr)
        sys.exit(1)
    out = {}
    tmp = tempfile.mkdtemp(prefix="tw-bench-fleet-")
    pg = pglib.Postgres()
    stations = []
    try:
        # 1. A backlog of real results drains into the database.
        s, size = backlog_store(build, tmp, a.backlog)
        with open(s.conf, "a") as f:
            f.write(f"[fleet]\npostgres = {pg.url}\n")
        stations.append(s)
        total, moving = drain(s, a.backlog)
        rows = int(pg.psql("SELECT count(*) FROM results"))
        print(f"forwarding: {a.backlog} results of {size} bytes each drained in {total:.2f} s from the start "
              f"({moving:.2f} s from the first batch): {a.backlog / moving:.0f} results/s; {rows} rows in the database")
        out.update(backlog=a.backlog, result_bytes=size, drain_s=round(total, 3), drain_forwarding_s=round(moving, 3),
                   forward_rps=round(a.backlog / moving, 1))
        # …and while a station tests back to back: every result is in the database how soon after it was stored?
        lag = []
        for i in range(50):
            r = s.test(f"LIVE-{i}")
            t0 = time.time()
            while pg.psql(f"SELECT count(*) FROM results WHERE station = 'B1' AND local_id = {r['id']}") != "1":
                time.sleep(0.005)
            lag.append((time.time() - t0) * 1000)
        print(f"forwarding while testing: a result is in the database {statistics.median(lag):.0f} ms after it is "
              f"stored (p50), {percentile(lag, 95):.0f} ms (p95), over 50 tests")
        out.update(live_lag_p50_ms=round(statistics.median(lag), 1), live_lag_p95_ms=round(percentile(lag, 95), 1))

        # 2. A million results, then every view of the line.
        t0 = time.time()
        subprocess.run([sys.executable, os.path.join(HERE, "..", "tests", "e2e", "line_data.py"), pg.url,
                        "--results", str(a.results), "--days", "90", "--seed", "5"], check=True)
        load = time.time() - t0
        n = int(pg.psql("SELECT count(*) FROM results"))
        size_mb = int(pg.psql("SELECT pg_database_size('tonewire')")) / 1e6
        print(f"line view: {n} results in the database ({size_mb:.0f} MB), generated and loaded in {load:.0f} s")
        out.update(results_in_db=n, db_mb=round(size_mb), load_s=round(load, 1))
        serials = pg.psql("SELECT serial FROM results WHERE station = 'S1' ORDER BY local_id DESC LIMIT 200").split()
        week, quarter = "since=" + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 7 * 86400)), \
            "since=" + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 91 * 86400))
        queries = [
            ("yield by station, 7 days", f"/api/v1/line/yield?by=station&{week}"),
            ("yield by shift, 7 days", f"/api/v1/line/yield?by=shift&tz=Europe/Berlin&{week}"),
            ("yield by cable, 90 days", f"/api/v1/line/yield?by=cable&{quarter}"),
            ("pareto, 7 days", f"/api/v1/line/pareto?{week}"),
            ("pareto, 90 days", f"/api/v1/line/pareto?{quarter}"),
            ("retests, 7 days", f"/api/v1/line/retests?{week}"),
            ("spc (3 metrics), one cable, 7 days", f"/api/v1/line/spc?cable={CABLE}&{week}"),
            ("spc, one cable and station, 90 days", f"/api/v1/line/spc?cable={CABLE}&station=S2&metric=series_ohms&{quarter}"),
            ("calibrations", "/api/v1/line/calibrations"),
            ("stations", "/api/v1/line/stations"),
            ("serial lookup", None),
        ]
        out["queries"] = {}
        print(f"\n{'query':42} {'p50 ms':>9} {'p95 ms':>9}   ({a.repeat} runs each, through HTTP)")
        for name, path in queries:
            times = []
            for i in range(a.repeat):
                p = path or f"/api/v1/serials/{random.Random(i).choice(serials)}"
                t = time.perf_counter()
                st, body = s.get(p)
                times.append((time.perf_counter() - t) * 1000)
                if st != 200:
                    raise RuntimeError(f"{p}: {st} {body[:200]}")
            p50, p95 = statistics.median(times), percentile(times, 95)
            print(f"{name:42} {p50:9.1f} {p95:9.1f}")
            out["queries"][name] = {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1)}
    finally:
        for st in stations:
            st.stop()
        pg.destroy()
        subprocess.run(["rm", "-rf", tmp])
    if a.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
