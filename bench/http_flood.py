#!/usr/bin/env python3
"""bench/http_flood: tonewired under slow-connection floods (slowloris) — how many slow connections
the daemon holds, and how a legitimate client fares meanwhile: status requests answered and their
latency, tests run and theirs, the daemon's threads.

For each flood size (slow connections attempted, spread over 127.0.0.1, .2 and .3; 0 is the
baseline) the flood is started, given a refresh round, and then, for --seconds, one client on
127.0.0.1 (an address of the flood) asks GET /api/v1/status back to back, with the token, and runs
--tests tests (POST /api/v1/tests?wait=1). Prints figures; never passes or fails on time.
With --json the last line is one JSON object: {"floods": [{"slow": …, "held": …, …}, …]}.
"""
import argparse
import json
import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))

TOKEN = "bench-token-0123456789abcdef"
ADDRESSES = ("127.0.0.1", "127.0.0.2", "127.0.0.3")


def pct(values, p):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def threads(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"Threads:\s+(\d+)", f.read()).group(1))


def gauge(port, name):
    from twflood_lib import timed_request
    st, text, _ = timed_request(port, "GET", "/metrics", token=TOKEN)
    if st != 200:
        return None
    m = re.search(re.escape(name) + r" (\d+)", text.decode())
    return int(m.group(1)) if m else None


def measure(d, slow, seconds, tests):
    from twflood_lib import SlowFlood, timed_request
    per = -(-slow // len(ADDRESSES)) if slow else 0
    flood = SlowFlood(d.port, ADDRESSES, per).start() if slow else None
    try:
        if flood:
            time.sleep(1.5)
        fig = {"slow": slow, "held": flood.held() if flood else 0,
               "daemon_pending": gauge(d.port, 'tonewire_http_connections{state="pending"}'),
               "threads": threads(d.proc.pid)}
        lat, failed, end = [], {}, time.monotonic() + seconds
        while time.monotonic() < end:
            st, _, t = timed_request(d.port, "GET", "/api/v1/status", token=TOKEN, timeout=10)
            if st == 200:
                lat.append(t)
            else:
                failed[str(st)] = failed.get(str(st), 0) + 1
        test_lat, test_failed = [], 0
        for i in range(tests):
            st, r, t = timed_request(d.port, "POST", "/api/v1/tests?wait=1", {"serial": f"FLOOD-{slow}-{i}"},
                                     token=TOKEN, timeout=60)
            if st == 200 and isinstance(r, dict) and r.get("verdict") == "pass":
                test_lat.append(t)
            else:
                test_failed += 1
        fig.update({
            "status_answered": len(lat), "status_failed": sum(failed.values()), "status_failures": failed,
            "status_per_s": round(len(lat) / seconds, 1),
            "status_p50_ms": round(1000 * pct(lat, 50), 2) if lat else None,
            "status_p95_ms": round(1000 * pct(lat, 95), 2) if lat else None,
            "status_max_ms": round(1000 * max(lat), 2) if lat else None,
            "tests_passed": len(test_lat), "tests_failed": test_failed,
            "test_median_ms": round(1000 * statistics.median(test_lat), 1) if test_lat else None,
            "flood_opened": flood.opened if flood else 0,
        })
        return fig
    finally:
        if flood:
            flood.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.environ.get("TONEWIRE_BUILD_DIR", "build"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--tests", type=int, default=5)
    ap.add_argument("--sizes", default="0,96,300,768,1500", help="flood sizes (slow connections attempted)")
    a = ap.parse_args()
    os.environ["TONEWIRE_BUILD_DIR"] = os.path.abspath(a.build)
    import test_daemon
    d = test_daemon.Daemon(http_extra=f"token = {TOKEN}")
    d.token = TOKEN
    floods = []
    try:
        d.start()
        for size in (int(x) for x in a.sizes.split(",")):
            floods.append(measure(d, size, a.seconds, a.tests))
    finally:
        d.stop()
    cols = [("slow", "slow"), ("held", "held"), ("daemon_pending", "pending"), ("threads", "threads"),
            ("status_per_s", "status/s"), ("status_failed", "failed"), ("status_p50_ms", "p50 ms"),
            ("status_p95_ms", "p95 ms"), ("status_max_ms", "max ms"), ("tests_passed", "tests"),
            ("test_median_ms", "test ms")]
    print("tonewired under slow-connection floods (one legitimate client on 127.0.0.1, with the token)")
    print("  ".join(f"{h:>9}" for _, h in cols))
    for f in floods:
        print("  ".join(f"{'-' if f[k] is None else f[k]:>9}" for k, _ in cols))
    print("slow: connections the flood keeps trying to hold (three addresses); held: open at the time of "
          "measuring;\npending: the daemon's count of connections still sending; tests: passed of "
          f"{a.tests}; test ms: median of POST /api/v1/tests?wait=1.")
    for f in floods:
        if f["status_failures"]:
            print(f"{f['slow']} slow: status requests that failed, by answer: {f['status_failures']}")
    if a.json:
        print(json.dumps({"floods": floods}))


if __name__ == "__main__":
    main()
