#!/usr/bin/env python3
"""A station on a line (issue 17), end to end: the real tonewired on the simulated jig and, where a
line database is part of it, a real PostgreSQL server started for the test (tests/e2e/pglib.py).

Groups (CTest e2e.line_<group>):
  Trace        traceability keys in every result, the profile fingerprint recomputed with hashlib,
               the operator kept across a restart, CSV and JUnit through the CLI
  Policy       a serial that passed is refused until the retest is confirmed; a serial that failed
               max_fails_per_serial times is locked until a supervisor releases it (API and CLI)
  Certificate  the certificate's page and data, and whether the definitions changed since the test
  Forward      results and calibrations reach PostgreSQL with their columns; with the database
               stopped tests go on, the backlog and the error show in status and /metrics, and the
               backlog drains once it is back
  LineView     every view of the line against generated results whose expected figures are
               computed here, independently: yield by station, cable and shift (with a time
               zone), the Pareto, retests, SPC limits and out-of-control points, calibrations,
               the serial lookup, the CLI's tables
  Schema       a line database newer than the station is left alone, and status says why
"""
import datetime as dt
import hashlib
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
import unittest
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pglib  # noqa: E402
from test_daemon import CABLE, STRAIGHT, SWAPPED, TONEWIRE, TONEWIRED, Daemon, write_scenario  # noqa: E402

SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TRACE_KEYS = {"station", "line", "operator", "software_version", "profile_sha256", "calibration"}


def station(pg=None, sid="S1", line="L1", max_fails=None, extra=""):
    """A daemon configured as a station of a line (with the line database when pg is given)."""
    cfg = f"id = {sid}\nline = {line}\n" + (f"max_fails_per_serial = {max_fails}\n" if max_fails else "")
    if pg:
        cfg += f"\n[fleet]\npostgres = {pg.url}\n"
    return Daemon(station_extra=cfg + extra)


def cli(*args, d=None):
    full = [TONEWIRE, *args] + (["--server", d.url] if d else [])
    return subprocess.run(full, capture_output=True, text=True, timeout=120)


def profile_sha256(jig_path, cable_path, connector_paths):
    """The documented fingerprint: jig, cable, then connectors, each "<kind> <size>\\n" + bytes."""
    h = hashlib.sha256()
    for kind, path in [("jig", jig_path), ("cable", cable_path)] + [("connector", p) for p in connector_paths]:
        with open(path, "rb") as f:
            data = f.read()
        h.update(f"{kind} {len(data)}\n".encode() + data)
    return h.hexdigest()


def wait(pred, timeout=60, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError(f"{what} not reached in {timeout} s")


class Trace(unittest.TestCase):
    def setUp(self):
        self.d = station()
        self.addCleanup(self.d.stop)
        self.d.start()

    def test_keys_fingerprint_operator(self):
        d = self.d
        st, r = d.post_test(serial="TR-1")
        self.assertEqual(st, 200, r)
        self.assertEqual((r["station"], r["line"]), ("S1", "L1"))
        self.assertNotIn("operator", r, "nobody logged in: the key is left out")
        self.assertEqual(r["software_version"], subprocess.run([TONEWIRED, "--version"], capture_output=True,
                                                               text=True).stdout.split()[-1])
        trs = os.path.join(SOURCE, "profiles", "connectors", "trs-3.5.conf")
        want = profile_sha256(os.path.join(SOURCE, "profiles", "jigs", "stereo-trs.conf"),
                              os.path.join(SOURCE, "profiles", "cables", "trs-3.5-extension.conf"), [trs] * 4)
        self.assertEqual(r["profile_sha256"], want)
        self.assertIsNone(r["calibration"])
        # A straight cable on the 32 Ω jig: every conductor is the simulator's 0.05 Ω.
        self.assertAlmostEqual(r["series_ohms"], 0.05, delta=0.01)

        st, o = d.request("POST", "/api/v1/operator", {"operator": "Ann Example"})
        self.assertEqual((st, o["operator"]), (200, "Ann Example"))
        st, o = d.request("POST", "/api/v1/operator", {"operator": ""})
        self.assertEqual(st, 400, o)
        st, o = d.request("POST", "/api/v1/operator", {"operator": "x" * 65})
        self.assertEqual(st, 400, o)
        st, o = d.request("POST", "/api/v1/operator", {"who": "x"})
        self.assertEqual(st, 400, o)
        self.assertEqual(d.post_test(serial="TR-2")[1]["operator"], "Ann Example")
        # Kept until logged out: a restart does not log anyone out.
        d.stop()
        d.start()
        self.assertEqual(d.get("/api/v1/status")[1]["line"]["operator"], "Ann Example")
        self.assertEqual(d.post_test(serial="TR-3")[1]["operator"], "Ann Example")
        self.assertEqual(cli("line", "operator", "--logout", d=d).returncode, 0)
        self.assertNotIn("operator", d.post_test(serial="TR-4")[1])
        p = cli("line", "operator", "Bob", d=d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Bob", p.stdout)
        self.assertEqual(d.get("/api/v1/operator")[1]["operator"], "Bob")

    def test_series_resistance_of_the_cable(self):
        path = os.path.join(self.d.scen_dir, "worn.conf")
        write_scenario(path, ["wire = A.T B.T 1.5", "wire = A.R B.R", "wire = A.S B.S"])
        self.d.use_scenario("worn")
        st, r = self.d.post_test(serial="WORN-1")
        self.assertEqual(st, 200, r)
        self.assertAlmostEqual(r["series_ohms"], 1.5, delta=0.05)

    def test_csv_and_junit(self):
        d = self.d
        d.request("POST", "/api/v1/operator", {"operator": "Cleo"})
        d.post_test(serial="CSV-1")
        p = cli("history", "--csv", d=d)
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = [line.split(",") for line in p.stdout.strip().splitlines()]
        head = rows[0]
        self.assertEqual(head[:7], ["id", "started_at", "serial", "cable", "jig", "verdict", "faults"])
        row = dict(zip(head, rows[1]))
        self.assertEqual((row["station"], row["line"], row["operator"]), ("S1", "L1", "Cleo"))
        self.assertEqual(len(row["profile_sha256"]), 64)
        self.assertEqual(row["software_version"], d.get("/api/v1/status")[1]["version"])
        junit = os.path.join(d.dir, "junit.xml")
        p = cli("test", "--cable", CABLE, "--serial", "JU-1", "--junit", junit, d=d)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(junit) as f:
            xml = f.read()
        for name, value in (("station", "S1"), ("line", "L1"), ("operator", "Cleo"), ("serial", "JU-1")):
            self.assertIn(f'<property name="{name}" value="{value}"/>', xml)
        self.assertRegex(xml, r'<property name="profile_sha256" value="[0-9a-f]{64}"/>')


class Policy(unittest.TestCase):
    def setUp(self):
        self.d = station(max_fails=2)
        self.addCleanup(self.d.stop)
        self.d.start()

    def test_retest_needs_confirmation(self):
        d = self.d
        self.assertEqual(d.post_test(serial="RT-1")[0], 200)
        st, r = d.post_test(serial="RT-1")
        self.assertEqual(st, 428, r)
        self.assertTrue(r["retest_required"])
        first = d.get("/api/v1/tests?serial=RT-1")[1]
        self.assertEqual(len(first), 1, "the refused retest did not run")
        self.assertEqual(r["passed"]["id"], first[0]["id"])
        st, r = d.request("POST", "/api/v1/tests?wait=1", {"cable": CABLE, "serial": "RT-1", "retest": True})
        self.assertEqual((st, r["verdict"]), (200, "pass"))
        st, r = d.request("POST", "/api/v1/tests?wait=1", {"cable": CABLE, "serial": "RT-1", "retest": "yes"})
        self.assertEqual(st, 400, r)
        p = cli("test", "--cable", CABLE, "--serial", "RT-1", d=d)
        self.assertEqual(p.returncode, 2)
        self.assertIn("already passed", p.stderr)
        self.assertEqual(cli("test", "--cable", CABLE, "--serial", "RT-1", "--retest", d=d).returncode, 0)

    def test_bench_of_its_own_is_not_asked(self):
        d = Daemon(station_extra="max_fails_per_serial = 1\n")   # no [station] id: not on a line
        self.addCleanup(d.stop)
        d.start()
        self.assertEqual([d.post_test(serial="FREE-1")[0] for _ in range(2)], [200, 200])
        d.use_scenario("swap")
        self.assertEqual(d.post_test(serial="FREE-2")[0], 200)
        self.assertEqual(d.post_test(serial="FREE-2")[0], 423, "the lock still holds")

    def test_lock_and_release(self):
        d = self.d
        d.use_scenario("swap")
        for _ in range(2):
            st, r = d.post_test(serial="BAD-1")
            self.assertEqual((st, r["verdict"]), (200, "fail"))
        st, r = d.post_test(serial="BAD-1")
        self.assertEqual(st, 423, r)
        self.assertTrue(r["locked"])
        self.assertEqual(r["fails"], 2)
        self.assertEqual(len(d.get("/api/v1/tests?serial=BAD-1")[1]), 2, "a locked serial is not tested")
        # Confirming a retest does not get past the lock; scanning it for the trigger does not either.
        self.assertEqual(d.request("POST", "/api/v1/tests", {"cable": CABLE, "serial": "BAD-1", "retest": True})[0], 423)
        self.assertEqual(d.request("POST", "/api/v1/trigger/serial", {"serial": "BAD-1"})[0], 423)
        st, s = d.get("/api/v1/serials/BAD-1")
        self.assertEqual(st, 200, s)
        self.assertEqual((s["source"], s["policy"]["locked"], s["summary"]["fails"]), ("station", True, 2))
        self.assertEqual(cli("line", "release", "BAD-1", d=d).returncode, 2, "a release names its supervisor")
        self.assertEqual(d.request("POST", "/api/v1/serials/BAD-1/release", {"supervisor": ""})[0], 400)
        p = cli("line", "release", "BAD-1", "--supervisor", "Sue", "--reason", "resoldered", d=d)
        self.assertEqual(p.returncode, 0, p.stderr)
        st, s = d.get("/api/v1/serials/BAD-1")
        self.assertFalse(s["policy"]["locked"])
        self.assertEqual(s["policy"]["releases"][0]["supervisor"], "Sue")
        self.assertEqual(s["policy"]["releases"][0]["reason"], "resoldered")
        # One more failure is allowed; the second locks it again.
        self.assertEqual(d.post_test(serial="BAD-1")[0], 200)
        self.assertEqual(d.post_test(serial="BAD-1")[0], 200)
        self.assertEqual(d.post_test(serial="BAD-1")[0], 423)
        self.assertEqual(d.request("POST", "/api/v1/serials/GOOD-9/release", {"supervisor": "Sue"})[0], 409)


class Certificate(unittest.TestCase):
    def setUp(self):
        # The cable from a profile folder of the test's own, so it can be edited afterwards.
        self.prof = None
        self.d = station(extra="")
        prof = os.path.join(self.d.dir, "profiles")
        os.makedirs(os.path.join(prof, "cables"))
        src = os.path.join(SOURCE, "profiles", "cables", "trs-3.5-extension.conf")
        self.cable = os.path.join(prof, "cables", "trs-3.5-extension.conf")
        with open(src) as f, open(self.cable, "w") as out:
            out.write(f.read())
        with open(self.d.config, "a") as f:
            f.write(f"\n[profiles]\npath = {prof}\n")
        self.addCleanup(self.d.stop)
        self.d.start()

    def test_page_and_data(self):
        d = self.d
        d.request("POST", "/api/v1/operator", {"operator": "Dana"})
        st, r = d.post_test(serial="CERT-1")
        self.assertEqual(st, 200)
        st, body, resp = d.request("GET", f"/api/v1/tests/{r['id']}/certificate", raw=True)
        self.assertEqual(st, 200)
        self.assertTrue(resp.getheader("Content-Type").startswith("text/html"))
        self.assertIn(b"certificate.js", body)
        st, c = d.get(f"/api/v1/tests/{r['id']}/certificate.json")
        self.assertEqual(st, 200, c)
        self.assertEqual(c["result"]["id"], r["id"])
        self.assertEqual(c["result"]["operator"], "Dana")
        self.assertEqual(c["profile"], {"sha256_now": r["profile_sha256"], "unchanged": True})
        with open(self.cable, "a") as f:
            f.write("; limits tightened after this test\n")
        st, c = d.get(f"/api/v1/tests/{r['id']}/certificate.json")
        self.assertFalse(c["profile"]["unchanged"])
        self.assertNotEqual(c["profile"]["sha256_now"], r["profile_sha256"])
        self.assertEqual(d.get("/api/v1/tests/999/certificate")[0], 404)
        self.assertEqual(d.get("/api/v1/tests/abc/certificate.json")[0], 400)


def pg_start(case):
    """A throw-away PostgreSQL for the case. A missing server is an error, not a skip: scripts/deps
    installs it and the line tests are part of make check."""
    case.pg = pglib.Postgres()
    case.addCleanup(case.pg.destroy)


def pg_rows(pg, where="true"):
    return pg.json("SELECT coalesce(json_agg(json_build_object('station', station, 'local_id', local_id, 'seq', seq,"
                   " 'serial', serial, 'verdict', verdict, 'operator', operator, 'level_db', level_db,"
                   " 'crosstalk_db', crosstalk_db, 'series_ohms', series_ohms, 'faults', faults,"
                   f" 'result', result) ORDER BY seq), '[]') FROM results WHERE {where}")


def metric(text, name):
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics")


class Forward(unittest.TestCase):
    def setUp(self):
        pg_start(self)
        self.d = station(self.pg)
        self.addCleanup(self.d.stop)
        self.d.start()

    def fleet(self):
        return self.d.get("/api/v1/status")[1]["fleet"]

    def test_forward_outage_drain(self):
        d, pg = self.d, self.pg
        d.request("POST", "/api/v1/operator", {"operator": "Eve"})
        acked = [d.post_test(serial=f"FW-{i}")[1] for i in range(3)]
        d.use_scenario("swap")
        acked.append(d.post_test(serial="FW-bad")[1])
        wait(lambda: self.fleet()["backlog"] == 0 and len(pg_rows(pg)) == 4, what="forwarding")
        rows = pg_rows(pg)
        self.assertEqual([r["local_id"] for r in rows], [a["id"] for a in acked])
        for row, res in zip(rows, acked):
            self.assertEqual(row["result"], res, "the stored object, whole")
            self.assertEqual((row["station"], row["operator"], row["serial"]), ("S1", "Eve", res["serial"]))
            levels = [c["level_db"] for c in res["channels"]]
            self.assertEqual(row["level_db"], max(levels, key=abs))
            self.assertEqual(row["crosstalk_db"], max(c["crosstalk_db"] for c in res["channels"]))
            self.assertEqual(row["series_ohms"], res["series_ohms"])
            self.assertEqual(row["faults"], [f["code"] for f in res["faults"]])
        self.assertEqual(rows[-1]["faults"], ["lr_swap"])
        f = self.fleet()
        self.assertTrue(f["connected"])
        self.assertIsNotNone(f["last_forward_at"])

        # The database goes away: tests go on, the outbox fills, status and /metrics say so.
        pg.stop()
        d.use_scenario("straight")
        t0 = time.time()
        during = [d.post_test(serial=f"OUT-{i}") for i in range(5)]
        self.assertEqual([s for s, _ in during], [200] * 5)
        self.assertLess(time.time() - t0, 30, "tests do not wait for the line database")
        f = wait(lambda: (lambda x: x if x["last_error"] and not x["connected"] else None)(self.fleet()),
                 what="the forwarder noticing")
        self.assertEqual(f["backlog"], 5)
        self.assertIsNotNone(f["last_error_at"])
        m = d.get("/metrics")[1].decode()
        self.assertEqual(metric(m, "tonewire_fleet_backlog"), 5)
        self.assertEqual(metric(m, "tonewire_fleet_connected"), 0)
        self.assertGreater(metric(m, "tonewire_fleet_errors_total"), 0)
        self.assertIn('tonewire_fleet_last_error_info{error="', m)
        p = cli("line", "status", d=d)
        self.assertIn("backlog", p.stdout)
        # …and comes back: the backlog drains, nothing twice, in the station's order.
        pg.start()
        wait(lambda: self.fleet()["backlog"] == 0, timeout=60, what="the backlog draining")
        rows = pg_rows(pg)
        self.assertEqual([r["local_id"] for r in rows], [a["id"] for a in acked] + [r["id"] for _, r in during])
        self.assertEqual(metric(d.get("/metrics")[1].decode(), "tonewire_fleet_backlog"), 0)
        # Each row crossed once: an outbox that offered forwarded rows again would count every
        # replay (the database's DO NOTHING hides the duplicates, the count does not).
        self.assertEqual(self.fleet()["forwarded"], len(rows))
        self.assertEqual(metric(d.get("/metrics")[1].decode(), "tonewire_fleet_forwarded_total"), len(rows))

    def test_calibration_forwarded(self):
        d, pg = self.d, self.pg
        st, b = d.request("POST", "/api/v1/calibrate", {"cable": CABLE})
        self.assertEqual(st, 201, b)
        cal = d.get(f"/api/v1/calibrations/{b['calibration']['id']}")[1]
        gains = [g for row in cal["corrections"]["gain_db"] for g in row if g is not None]
        got = wait(lambda: (lambda x: x if x else None)(d.get("/api/v1/line/calibrations")[1]), what="calibration")
        self.assertEqual(len(got), 1)
        c = got[0]
        self.assertEqual((c["station"], c["id"], c["jig"], c["test"]), ("S1", cal["id"], "stereo-trs", b["test"]))
        self.assertEqual(c["paths"], len(gains))
        self.assertAlmostEqual(c["mean_gain_db"], statistics.fmean(gains), places=9)
        self.assertAlmostEqual(c["max_abs_gain_db"], max(abs(g) for g in gains), places=9)
        row = pg.json("SELECT json_build_object('created', tonewire_iso(created_at), 'corr', corrections)"
                      " FROM calibrations")
        self.assertEqual(row["created"], cal["created_at"])
        self.assertEqual(row["corr"], cal["corrections"])


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class LineView(unittest.TestCase):
    """Generated results straight into the database; every figure is recomputed below."""

    T0 = dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.timezone.utc)

    def setUp(self):
        pg_start(self)
        self.d = station(self.pg, sid="VIEW")
        self.addCleanup(self.d.stop)
        self.d.start()
        wait(self.schema_ready, what="the schema")
        self.rows = self.generate()
        self.insert(self.rows)

    def schema_ready(self):
        """The station creates the schema once it reaches the database: until then the table
        does not exist, which is "not yet", not an error."""
        try:
            return self.pg.psql("SELECT count(*) FROM tonewire_schema") == "1"
        except RuntimeError as e:
            if "does not exist" in str(e):
                return False
            raise

    def generate(self):
        rnd = random.Random(17)
        rows, local = [], {"X1": 0, "X2": 0}
        codes = ["lr_swap", "open", "short", "high_resistance", "crosstalk"]
        weights = [8, 4, 2, 1, 1]
        t = self.T0
        for i in range(400):
            t += dt.timedelta(minutes=rnd.randint(3, 11))
            st = "X1" if rnd.random() < 0.55 else "X2"
            cable = "C1" if rnd.random() < 0.6 else "C2"
            # A fifth of the serials come back: after a failure, or by mistake after a pass.
            if rows and rnd.random() < 0.2:
                serial = rnd.choice(rows)["serial"]
            elif rnd.random() < 0.05:
                serial = None
            else:
                serial = f"G-{i:04d}"
            v = "pass" if rnd.random() < 0.8 else ("fail" if rnd.random() < 0.9 else "error")
            faults = rnd.choices(codes, weights)[:1] if v == "fail" else (["no_signal"] if v == "error" else [])
            if v == "fail" and rnd.random() < 0.3:
                faults.append(rnd.choice(codes))
            local[st] += 1
            series = rnd.gauss(0.05, 0.004)
            if st == "X1" and cable == "C1" and t > self.T0 + dt.timedelta(hours=40):
                series += 0.05   # a socket wearing: out of control from here on
            rows.append({"station": st, "local_id": local[st], "cable": cable, "serial": serial, "verdict": v,
                         "faults": faults, "t": t, "level_db": rnd.gauss(-0.1, 0.03),
                         "crosstalk_db": rnd.gauss(-66, 0.5), "series_ohms": series})
        return rows

    def insert(self, rows):
        vals = []
        for r in rows:
            res = json.dumps({"id": r["local_id"], "verdict": r["verdict"], "serial": r["serial"], "cable": r["cable"],
                              "started_at": iso(r["t"]), "faults": [{"code": c} for c in r["faults"]]}).replace("'", "''")
            serial = f"'{r['serial']}'" if r["serial"] else "NULL"
            faults = "ARRAY[" + ",".join(f"'{c}'" for c in r["faults"]) + "]::text[]"
            vals.append(f"('{r['station']}', {r['local_id']}, 'L9', 'test', {serial}, '{r['cable']}', 'stereo-trs',"
                        f" '{iso(r['t'])}', '{r['verdict']}', {faults}, {r['level_db']!r}, {r['crosstalk_db']!r},"
                        f" {r['series_ohms']!r}, '{res}')")
        self.pg.psql("INSERT INTO results (station, local_id, line, kind, serial, cable, jig, started_at, verdict,"
                     " faults, level_db, crosstalk_db, series_ohms, result) VALUES " + ",".join(vals))
        self.pg.psql("INSERT INTO calibrations (station, local_id, jig, cable, created_at, corrections) VALUES"
                     " ('X1', 1, 'stereo-trs', 'gold', '2026-03-01T08:00:00Z', '{\"gain_db\": [[0.5, null], [null, -1.5]]}'),"
                     " ('X2', 1, 'stereo-trs', 'gold', '2026-03-02T08:00:00Z', '{\"gain_db\": [[0.25, null], [null, 0.75]]}'),"
                     " ('X1', 2, 'trrs-4ch', 'gold2', '2026-03-03T08:00:00Z', '{\"gain_db\": [[2.0]]}')")
        self.pg.psql("INSERT INTO stations (station, line) VALUES ('X1', 'L9'), ('X2', 'L9')")

    def period(self):
        return f"since={iso(self.T0)}&until={iso(self.T0 + dt.timedelta(days=10))}"

    def get(self, path):
        st, body = self.d.get(path)
        self.assertEqual(st, 200, body)
        return body

    @staticmethod
    def expected_yield(rows, key):
        units = {}
        for r in sorted(rows, key=lambda r: (r["t"], r["station"], r["local_id"])):
            if r["verdict"] == "error":
                continue
            unit = r["serial"] or f"{r['station']}#{r['local_id']}"
            units.setdefault((key(r), unit), []).append(r["verdict"])
        out = {}
        for (g, _), vs in units.items():
            o = out.setdefault(g, {"units": 0, "tests": 0, "first_pass": 0, "final_pass": 0})
            o["units"] += 1
            o["tests"] += len(vs)
            o["first_pass"] += vs[0] == "pass"
            o["final_pass"] += vs[-1] == "pass"
        return out

    def check_yield(self, body, want):
        got = {g["group"]: g for g in body["groups"]}
        self.assertEqual(set(got), set(want))
        for g, w in want.items():
            for k in ("units", "tests", "first_pass", "final_pass"):
                self.assertEqual(got[g][k], w[k], (g, k))
            self.assertAlmostEqual(got[g]["first_pass_yield"], w["first_pass"] / w["units"])
            self.assertAlmostEqual(got[g]["final_yield"], w["final_pass"] / w["units"])

    def test_yield(self):
        for by in ("station", "cable"):
            body = self.get(f"/api/v1/line/yield?by={by}&{self.period()}")
            self.check_yield(body, self.expected_yield(self.rows, lambda r, b=by: r[b]))
        total = self.expected_yield(self.rows, lambda r: "all")["all"]
        self.assertEqual(body["total"]["units"], total["units"])
        self.assertEqual(body["total"]["first_pass"], total["first_pass"])
        # Shifts in New York time: 06:00, 14:00, 22:00 local; before 06:00 is the night shift.
        ny = zoneinfo.ZoneInfo("America/New_York")

        def shift(r):
            h = r["t"].astimezone(ny).strftime("%H:%M")
            return "06:00-14:00" if "06:00" <= h < "14:00" else "14:00-22:00" if "14:00" <= h < "22:00" else "22:00-06:00"
        body = self.get(f"/api/v1/line/yield?by=shift&tz=America/New_York&{self.period()}")
        self.check_yield(body, self.expected_yield(self.rows, shift))
        # Filters and a narrower period.
        half = self.T0 + dt.timedelta(hours=36)
        body = self.get(f"/api/v1/line/yield?by=cable&station=X2&since={iso(self.T0)}&until={iso(half)}")
        sub = [r for r in self.rows if r["station"] == "X2" and r["t"] < half]
        self.check_yield(body, self.expected_yield(sub, lambda r: r["cable"]))
        p = cli("line", "yield", "--by", "cable", "--since", iso(self.T0), "--until", iso(self.T0 + dt.timedelta(days=10)),
                d=self.d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"C1\s+\d+\s+\d+\s+[\d.]+%")

    def test_bad_queries_are_named(self):
        """Every query parameter of the line view is checked (a time zone's name by the database,
        the rest before it is asked); the answer is a 400 (404 for a view that does not exist)
        whose message names what is wrong."""
        long_name = "x" * 101
        cases = [
            ("yield?by=shift&tz=Mars/Olympus", 400, "Mars/Olympus"),
            ("yield?by=moon", 400, "by: 'moon' is not station, cable or shift"),
            ("yield?shifts=14:00,06:00", 400, "shifts:"),
            ("yield?since=yesterday", 400, "since: 'yesterday' is not a date"),
            ("yield?limit=3", 400, "limit: unknown query parameter of the yield view"),
            ("yield?until=soon", 400, "until:"),
            ("yield?since=2026-03-05&until=2026-03-04", 400, "since: must be before until"),
            ("yield?station=%01X1", 400, "station:"),
            (f"yield?cable={long_name}", 400, "cable:"),
            ("yield?shifts=6:00", 400, "shifts:"),
            ("yield?shifts=06:00,24:00", 400, "shifts:"),
            ("yield?shifts=,", 400, "shifts: at least one"),
            ("yield?tz=UTC;DROP", 400, "tz:"),
            ("retests?limit=0", 400, "limit:"),
            ("retests?limit=-5", 400, "limit:"),
            ("retests?limit=1001", 400, "limit:"),
            ("spc?metric=volume", 400, "metric:"),
            ("spc?ref_since=2026-03-02", 400, "ref_since, ref_until"),
            ("spc?ref_since=2026-03-03&ref_until=2026-03-02", 400, "ref_since, ref_until"),
            ("spc?ref_points=1", 400, "ref_points:"),
            ("spc?points=12x", 400, "points:"),
            (f"calibrations?jig={long_name}", 400, "jig:"),
            ("pareto?by=station", 400, "by: unknown query parameter of the pareto view"),
            ("stations?since=2026-03-02", 400, "since: unknown query parameter"),
            ("moon", 404, "no line view 'moon'"),
        ]
        for query, status, message in cases:
            with self.subTest(query=query):
                code, body = self.d.get("/api/v1/line/" + query)
                self.assertEqual(code, status, body)
                self.assertIn(message, body["error"])
        # The views with no parameters of their own still answer.
        for view in ("stations", "status"):
            code, body = self.d.get("/api/v1/line/" + view)
            self.assertEqual(code, 200, body)

    def test_database_down(self):
        """With the line database stopped a view is a 503 that says so (the station's own work
        goes on); once it is back, the same view answers again."""
        self.pg.stop()
        code, body = self.d.get("/api/v1/line/pareto")
        self.assertEqual(code, 503, body)
        self.assertIn("connect", body["error"].lower())
        code, body = self.d.get("/api/v1/status")
        self.assertEqual(code, 200, body)
        self.pg.start()
        wait(lambda: self.d.get(f"/api/v1/line/pareto?{self.period()}")[0] == 200, what="the view back")
        self.assertEqual(self.get(f"/api/v1/line/pareto?{self.period()}")["tests"], len(self.rows),
                         "the rows are all still there")

    def test_pareto_and_retests(self):
        body = self.get(f"/api/v1/line/pareto?{self.period()}")
        counts = {}
        bad = [r for r in self.rows if r["verdict"] in ("fail", "error")]
        for r in bad:
            for c in r["faults"]:
                counts[c] = counts.get(c, 0) + 1
        want = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        self.assertEqual([(c["code"], c["count"]) for c in body["codes"]], want)
        self.assertEqual((body["tests"], body["failed_tests"]), (len(self.rows), len(bad)))
        total, cum = sum(counts.values()), 0
        for c, (_, n) in zip(body["codes"], want):
            cum += n
            self.assertAlmostEqual(c["percent"], 100 * n / total)
            self.assertAlmostEqual(c["cumulative_percent"], 100 * cum / total)
        self.assertAlmostEqual(body["codes"][-1]["cumulative_percent"], 100)
        # The CLI's table: the same counts, in the same order, with a bar per share.
        until = iso(self.T0 + dt.timedelta(days=10))
        p = cli("line", "pareto", "--since", iso(self.T0), "--until", until, d=self.d)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0], f"{len(self.rows)} tests, {len(bad)} failed")
        rows = [ln.split() for ln in lines[2:] if ln.strip()]
        self.assertEqual([(r[0], int(r[1])) for r in rows], want)
        for r, (_, n) in zip(rows, want):
            self.assertAlmostEqual(float(r[2].rstrip("%")), 100 * n / total, delta=0.05)
            self.assertEqual(len(r[4]) if len(r) > 4 else 0, int(100 * n / total * 40 / 100 + 0.5), r)

        body = self.get(f"/api/v1/line/retests?limit=1000&{self.period()}")
        seen = {}
        for r in sorted(self.rows, key=lambda r: (r["t"], r["station"], r["local_id"])):
            if r["serial"] and r["verdict"] != "error":
                seen.setdefault(r["serial"], []).append(r["verdict"])
        multi = {s: v for s, v in seen.items() if len(v) > 1}
        self.assertGreater(len(multi), 10, "the generated data has retests")

        def outcome(v):
            return "retested_after_pass" if v[0] == "pass" else "passed_on_retest" if v[-1] == "pass" else "still_failing"
        self.assertEqual(body["serials"], len(multi))
        for o in ("passed_on_retest", "still_failing", "retested_after_pass"):
            self.assertEqual(body["outcomes"][o], sum(outcome(v) == o for v in multi.values()), o)
        self.assertEqual({i["serial"]: i["verdicts"] for i in body["items"]}, multi)
        p = cli("line", "retests", "--limit", "1000", "--since", iso(self.T0), "--until", until, d=self.d)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        n = {o: sum(outcome(v) == o for v in multi.values())
             for o in ("passed_on_retest", "still_failing", "retested_after_pass")}
        self.assertEqual(lines[0], f"{len(multi)} serials tested more than once: {n['passed_on_retest']} passed on "
                                   f"retest, {n['still_failing']} still failing, {n['retested_after_pass']} retested "
                                   "after a pass")
        items = {}
        for ln in lines[2:]:
            serial, what, rest = ln.split(None, 2)
            items[serial] = (what, rest.split("  (")[0].split())
        self.assertEqual(items, {s: (outcome(v), v) for s, v in multi.items()})

    def test_spc(self):
        body = self.get(f"/api/v1/line/spc?metric=series_ohms&ref_points=30&points=2000&{self.period()}")
        self.assertEqual({(s["cable"], s["station"]) for s in body},
                         {(r["cable"], r["station"]) for r in self.rows if r["verdict"] != "error"})
        for s in body:
            series = sorted((r for r in self.rows if r["verdict"] != "error" and r["cable"] == s["cable"]
                             and r["station"] == s["station"]), key=lambda r: (r["t"], r["local_id"]))
            ref = [r["series_ohms"] for r in series[:30]]
            mean, sd = statistics.fmean(ref), statistics.stdev(ref)
            self.assertAlmostEqual(s["mean"], mean, places=9)
            self.assertAlmostEqual(s["sigma"], sd, places=9)
            self.assertAlmostEqual(s["ucl"], mean + 3 * sd, places=9)
            self.assertEqual([p["id"] for p in s["points"]], [r["local_id"] for r in series])
            ooc = [abs(r["series_ohms"] - mean) > 3 * sd for r in series]
            self.assertEqual([p["ooc"] for p in s["points"]], ooc)
            self.assertEqual(s["out_of_control"], sum(ooc))
            if (s["cable"], s["station"]) == ("C1", "X1"):
                self.assertGreater(s["out_of_control"], 5, "the worn socket is flagged")
        # A reference period of its own: the first day only.
        day1 = self.T0 + dt.timedelta(days=1)
        body = self.get(f"/api/v1/line/spc?metric=level_db&cable=C2&station=X2&ref_since={iso(self.T0)}"
                        f"&ref_until={iso(day1)}&points=5&{self.period()}")
        ref = [r["level_db"] for r in self.rows if r["verdict"] != "error" and r["cable"] == "C2"
               and r["station"] == "X2" and r["t"] < day1]
        self.assertEqual(len(body), 1)
        self.assertEqual(body[0]["reference_points"], len(ref))
        self.assertAlmostEqual(body[0]["mean"], statistics.fmean(ref), places=9)
        self.assertEqual(len(body[0]["points"]), 5, "the newest five")
        every = self.get(f"/api/v1/line/spc?{self.period()}")
        self.assertEqual(set(every), {"level_db", "crosstalk_db", "series_ohms"})
        self.assertEqual(self.d.get("/api/v1/line/spc?metric=weight")[0], 400)
        p = cli("line", "spc", "--metric", "series_ohms", "--cable", "C1", "--station", "X1", "--since", iso(self.T0),
                "--until", iso(self.T0 + dt.timedelta(days=10)), d=self.d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("out of control", p.stdout)

    def test_calibrations_serial_stations(self):
        body = self.get("/api/v1/line/calibrations?since=2026-02-01&until=2026-04-01")
        self.assertEqual([(c["jig"], c["station"]) for c in body],
                         [("stereo-trs", "X2"), ("stereo-trs", "X1"), ("trrs-4ch", "X1")])
        self.assertAlmostEqual(body[1]["mean_gain_db"], -0.5)
        self.assertAlmostEqual(body[1]["max_abs_gain_db"], 1.5)
        self.assertEqual(body[1]["paths"], 2)
        self.assertEqual(len(self.get("/api/v1/line/calibrations?jig=trrs-4ch&since=2026-02-01&until=2026-04-01")), 1)
        p = cli("line", "calibrations", "--since", "2026-02-01", "--until", "2026-04-01", d=self.d)
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = [ln.split() for ln in p.stdout.splitlines()[1:]]
        self.assertEqual([(r[0], r[2]) for r in rows], [("stereo-trs", "X2"), ("stereo-trs", "X1"), ("trrs-4ch", "X1")])
        self.assertEqual((float(rows[1][-2]), float(rows[1][-1])), (-0.5, 1.5))

        serial = max({r["serial"] for r in self.rows if r["serial"]},
                     key=lambda s: sum(r["serial"] == s for r in self.rows))
        body = self.get(f"/api/v1/serials/{serial}")
        mine = sorted((r for r in self.rows if r["serial"] == serial), key=lambda r: (r["t"], r["station"], r["local_id"]))
        self.assertEqual(body["source"], "line")
        self.assertEqual([(t["station"], t["id"]) for t in body["tests"]], [(r["station"], r["local_id"]) for r in mine])
        self.assertEqual(body["summary"]["tests"], len(mine))
        self.assertEqual(body["summary"]["last_verdict"], mine[-1]["verdict"])
        p = cli("line", "serial", serial, d=self.d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sum(line.startswith("2026-") for line in p.stdout.splitlines()), len(mine))
        stations = {s["station"]: s for s in self.get("/api/v1/line/stations")}
        self.assertEqual(stations["X1"]["results"], sum(r["station"] == "X1" for r in self.rows))
        self.assertIn("VIEW", stations, "the station itself registered when it connected")
        p = cli("line", "stations", d=self.d)
        self.assertEqual(p.returncode, 0, p.stderr)
        listed = {ln.split()[0]: int(ln.split()[-1]) for ln in p.stdout.splitlines()[1:]}
        self.assertEqual(listed, {k: v["results"] for k, v in stations.items()})
        for bad_args in (("line", "pareto", "extra"), ("line", "nothing"), ("line", "release", "S-1")):
            p = cli(*bad_args, d=self.d)
            self.assertEqual(p.returncode, 2, (bad_args, p.stdout, p.stderr))


class Schema(unittest.TestCase):
    def test_newer_database_is_left_alone(self):
        pg_start(self)
        d = station(self.pg)
        self.addCleanup(d.stop)
        d.start()
        wait(lambda: d.get("/api/v1/status")[1]["fleet"]["connected"], what="connection")
        self.pg.psql("INSERT INTO tonewire_schema (version) VALUES (99)")
        d.stop()
        d.start()
        d.post_test(serial="NEWER-1")
        f = wait(lambda: (lambda x: x if x["last_error"] else None)(d.get("/api/v1/status")[1]["fleet"]),
                 what="the error")
        self.assertIn("newer", f["last_error"])
        self.assertEqual(f["backlog"], 1)
        self.assertEqual(self.pg.psql("SELECT count(*) FROM results"), "0")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main(require=[TONEWIRED])
