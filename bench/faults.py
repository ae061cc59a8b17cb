#!/usr/bin/env python3
"""bench/faults: tonewired under power loss and hot-plug.

100 kill -9 cycles while a client streams tests (tests/e2e/twfaults_lib.py: the same loop as
e2e.kill9), then the re-plug recovery time: from rewriting an unplugged scenario to a plugged one
until GET /api/v1/status says connected. Prints figures; with --json the last line is one object:
kill9_runs, acknowledged, acknowledged_lost, duplicates, replug_recovery_ms (median), replug_recovery_max_ms,
replug_ready_ms (median, round trip measured too).
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.environ.get("TONEWIRE_BUILD_DIR", os.path.join(HERE, "..", "build")))
    ap.add_argument("--runs", type=int, default=100, help="kill -9 cycles (default 100)")
    ap.add_argument("--replugs", type=int, default=10, help="re-plug timings (default 10)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    a = ap.parse_args()
    os.environ["TONEWIRE_BUILD_DIR"] = os.path.abspath(a.build)
    import twfaults_lib as L   # reads TONEWIRE_BUILD_DIR when imported
    if not os.access(L.TONEWIRED, os.X_OK):
        sys.exit(f"bench/faults: {L.TONEWIRED} is not built")
    seed = a.seed if a.seed is not None else int(time.time())
    say = (lambda m: print(m, file=sys.stderr, flush=True)) if a.json else (lambda m: print(m, flush=True))
    say(f"kill -9: {a.runs} runs, seed {seed}")
    t0 = time.monotonic()
    k = L.kill9_cycles(a.runs, seed, say=say)
    k_s = time.monotonic() - t0
    for p in k["problems"]:
        say("PROBLEM: " + p)
    conn, ready = L.replug_recovery(a.replugs, say=say)
    out = {"kill9_runs": k["kill9_runs"], "acknowledged": k["acknowledged"],
           "acknowledged_lost": k["acknowledged_lost"], "duplicates": k["duplicates"],
           "kill9_problems": len(k["problems"]), "kills_in": k["kills_in"], "seed": seed,
           "replug_recovery_ms": round(statistics.median(conn) * 1000, 1),
           "replug_recovery_max_ms": round(max(conn) * 1000, 1),
           "replug_ready_ms": round(statistics.median(ready) * 1000, 1)}
    print(f"kill -9: {k['kill9_runs']} runs in {k_s:.1f} s ({k['kills_in']}), {k['acknowledged']} results "
          f"acknowledged, {k['acknowledged_lost']} lost, {k['duplicates']} duplicated, "
          f"{len(k['problems'])} problems")
    print(f"re-plug to connected: median {out['replug_recovery_ms']} ms, max {out['replug_recovery_max_ms']} ms; "
          f"to ready (round trip measured): median {out['replug_ready_ms']} ms")
    if a.json:
        print(json.dumps(out))
    return 1 if k["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
