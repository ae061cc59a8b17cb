#!/usr/bin/env python3
"""Generated results of a production line, written straight into a line database (COPY), for the
browser test's Line page and the line-view benchmark: stations, cables, shifts, retests, faults in
realistic proportions, one station whose jig socket wears (series resistance creeping up), and a
calibration per station and jig every few days.

  line_data.py URL [--results N] [--days D] [--seed S]     (the schema must exist: a station made it)
"""
import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import urllib.parse

STATIONS = [("S1", "stereo-trs"), ("S2", "stereo-trs"), ("S3", "trrs-4ch")]
CABLES = {"stereo-trs": ["trs-3.5-extension", "trs-3.5-coiled"], "trrs-4ch": ["trrs-ctia-extension"]}
FAULTS = (["lr_swap"] * 9 + ["open"] * 6 + ["short"] * 3 + ["high_resistance"] * 3 + ["polarity_inverted"] * 2
          + ["crosstalk", "ctia_omtp_mismatch", "intermittent"])
OPERATORS = ["ann", "bob", "cleo", "dev", "eli"]


def rows(n, days, seed, until):
    """(station, jig, local id, time, serial, cable, verdict, faults, operator, level, xtalk, ohms) in time order."""
    rnd = random.Random(seed)
    start = until - dt.timedelta(days=days)
    step = (until - start) / max(n, 1)
    local = {s: 0 for s, _ in STATIONS}
    pending = []   # serials that failed and come back
    for i in range(n):
        t = start + step * i
        station, jig = STATIONS[rnd.choices(range(3), [45, 35, 20])[0]]
        cable = rnd.choice(CABLES[jig])
        if pending and rnd.random() < 0.5:
            serial, cable, jig_back = pending.pop(rnd.randrange(len(pending)))
            if jig_back != jig:
                station, jig = next(x for x in STATIONS if x[1] == jig_back)
        else:
            serial = f"L{seed % 100:02d}-{i:07d}"
        wear = 0.03 * max(0.0, (t - start) / (until - start) - 0.6) * 10 if station == "S2" else 0.0
        fail_p = 0.07 + (0.08 if t.hour < 6 else 0.0) + wear * 0.5
        r = rnd.random()
        verdict = "pass" if r > fail_p else ("fail" if r > 0.006 else "error")
        faults = [rnd.choice(FAULTS)] if verdict == "fail" else (["no_signal"] if verdict == "error" else [])
        if verdict == "fail" and rnd.random() < 0.6:
            pending.append((serial, cable, jig))
        local[station] += 1
        ohms = rnd.gauss(0.05, 0.003) + wear if jig == "stereo-trs" else None
        level = rnd.gauss(-0.05, 0.02) - (wear * 0.06 if wear else 0.0)
        yield (station, jig, local[station], t, serial, cable, verdict, faults, OPERATORS[(t.hour // 8 + i) % 5],
               level, rnd.gauss(-66.5, 0.6), ohms)


def csv_field(v):
    if v is None:
        return ""
    s = str(v)
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s


def copy(url, table, columns, lines):
    p = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c",
                          f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"],
                         stdin=subprocess.PIPE, text=True)
    for line in lines:
        p.stdin.write(line)
    p.stdin.close()
    if p.wait() != 0:
        raise RuntimeError(f"COPY {table} failed")


def result_lines(n, days, seed, until):
    for st, jig, lid, t, serial, cable, v, faults, op, level, xt, ohms in rows(n, days, seed, until):
        when = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        res = {"id": lid, "serial": serial, "cable": cable, "jig": jig, "started_at": when, "verdict": v,
               "faults": [{"code": c, "summary": c.replace("_", " ")} for c in faults],
               "channels": [{"name": "L", "level_db": round(level, 3), "crosstalk_db": round(xt, 3)}],
               "station": st, "line": "L1", "operator": op, "software_version": "0.1.0",
               "series_ohms": None if ohms is None else round(ohms, 4)}
        yield ",".join(csv_field(x) for x in (
            st, lid, "L1", "test", serial, cable, jig, when, v, "{" + ",".join(faults) + "}", "false", op, "0.1.0",
            round(level, 3), round(xt, 3), None if ohms is None else round(ohms, 4), json.dumps(res))) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url")
    ap.add_argument("--results", type=int, default=3000)
    ap.add_argument("--days", type=float, default=7)
    ap.add_argument("--seed", type=int, default=17)
    a = ap.parse_args()
    until = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    copy(a.url, "results", ["station", "local_id", "line", "kind", "serial", "cable", "jig", "started_at", "verdict",
                            "faults", "aborted", "operator", "software_version", "level_db", "crosstalk_db",
                            "series_ohms", "result"], result_lines(a.results, a.days, a.seed, until))
    cal = []
    for k, (st, jig) in enumerate(STATIONS):
        for d in range(0, int(a.days) + 1, 3):
            t = until - dt.timedelta(days=d, hours=k)
            g = round(0.1 * k - 0.02 * d, 3)
            cal.append(",".join(csv_field(x) for x in (st, 1000 + d, jig, "golden-" + jig, t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                                       json.dumps({"gain_db": [[g, None], [None, g + 0.05]]}))) + "\n")
    copy(a.url, "calibrations", ["station", "local_id", "jig", "cable", "created_at", "corrections"], cal)
    subprocess.run(["psql", "-X", "-q", a.url, "-c", "INSERT INTO stations (station, line, software_version) VALUES "
                    + ", ".join(f"('{s}', 'L1', '0.1.0')" for s, _ in STATIONS) + " ON CONFLICT DO NOTHING; ANALYZE"],
                   check=True)
    print(f"{a.results} results over {a.days} days into {urllib.parse.urlsplit(a.url).path}", file=sys.stderr)


if __name__ == "__main__":
    main()
