#!/usr/bin/env python3
"""bench/daemon: tonewired under load — GET /api/v1/status throughput while tests run back to back on a
real-time simulated jig (xruns and verdicts checked), and the daemon's RSS over 1000 tests.

Prints figures; never passes or fails on time. With --json the last line is one JSON object:
status_rps, status_rps_tool, tests_under_load, wrong_verdicts_under_load, xruns_under_load,
rss_mb_after_100_tests, rss_mb_after_1000_tests, rss_growth_mb, rss_shmem_mb_after_1000_tests (the simulator's
shared ring, mapped into the daemon), rss_own_mb_after_1000_tests (VmRSS less that).
The load generator is wrk when installed (Debian package wrk); otherwise a Python keep-alive client
stands in, which saturates well below the daemon, so its figure is a lower bound.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

JIG, CABLE = "stereo-trs", "trs-3.5-extension"
WIRES = "wire = A.T B.T\nwire = A.R B.R\nwire = A.S B.S\n"


def start_daemon(build, tmp, pace):
    scen = os.path.join(tmp, f"straight-{pace}.conf")
    with open(scen, "w") as f:
        f.write(f"[scenario]\njig = {JIG}\n[interface]\npace = {pace}\nnoise_dbfs = -90\n[cable]\n{WIRES}")
    conf = os.path.join(tmp, f"tonewired-{pace}.conf")
    with open(conf, "w") as f:
        f.write(f"[station]\ndevice = tonewire_sim:{scen}\ncable = {CABLE}\n"
                f"[http]\naddress = 127.0.0.1\nport = 0\n"
                f"[store]\npath = {tmp}/{pace}/results.db\ncapture_dir = {tmp}/{pace}/captures\n")
    p = subprocess.Popen([os.path.join(build, "daemon", "tonewired"), "--config", conf],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in p.stderr:
        m = re.search(r"listening on http://[^ ]*:(\d+)/", line)
        if m:
            port = int(m.group(1))
            threading.Thread(target=lambda: [None for _ in p.stderr], daemon=True).start()
            break
    else:
        raise SystemExit("tonewired did not start")
    deadline = time.time() + 15
    while time.time() < deadline:
        st = get(port, "/api/v1/status")
        if st.get("connected") and st.get("latency_frames") is not None:
            return p, port
        time.sleep(0.05)
    raise SystemExit("the simulated device did not come up")


def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return json.loads(body)


def run_test(conn, serial):
    conn.request("POST", "/api/v1/tests?wait=1", body=json.dumps({"cable": CABLE, "serial": serial}),
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    return r.status, json.loads(r.read())


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def rss_mb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def python_load(port, seconds, conns=16):
    counts = [0] * conns
    stop_at = time.time() + seconds

    def worker(i):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.time() < stop_at:
            c.request("GET", "/api/v1/status")
            r = c.getresponse()
            r.read()
            if r.status == 200:
                counts[i] += 1
        c.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(conns)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.time() - t0)


def wrk_load(port, seconds):
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", f"http://127.0.0.1:{port}/api/v1/status"],
                         capture_output=True, text=True, timeout=seconds + 30).stdout
    m = re.search(r"Requests/sec:\s*([\d.]+)", out)
    return float(m.group(1)) if m else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("TONEWIRE_BUILD_DIR", "build"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--tests", type=int, default=1000)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="tw-bench-")
    fig = {}
    try:
        # 1. Status throughput while tests run back to back on a real-time jig.
        p, port = start_daemon(a.build, tmp, "realtime")
        done = threading.Event()
        verdicts = []

        def tester():
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            i = 0
            while not done.is_set():
                st, r = run_test(c, f"LOAD-{i}")
                verdicts.append(r.get("verdict") if st == 200 else f"http {st}")
                i += 1
            c.close()

        t = threading.Thread(target=tester)
        t.start()
        time.sleep(0.5)
        tool = "wrk" if shutil.which("wrk") else "python"
        fig["status_rps"] = round(wrk_load(port, a.seconds) if tool == "wrk" else python_load(port, a.seconds))
        fig["status_rps_tool"] = tool
        done.set()
        t.join()
        fig["tests_under_load"] = len(verdicts)
        fig["wrong_verdicts_under_load"] = sum(v != "pass" for v in verdicts)
        fig["xruns_under_load"] = get(port, "/api/v1/status")["xruns"]
        stop(p)
        print(f"status: {fig['status_rps']} requests/s ({tool}) while {len(verdicts)} tests ran "
              f"({fig['wrong_verdicts_under_load']} wrong verdicts, {fig['xruns_under_load']} xruns)")

        # 2. Memory over many tests, on a fast-paced jig.
        p, port = start_daemon(a.build, tmp, "fast")
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        wrong = 0
        t0 = time.time()
        for i in range(a.tests):
            st, r = run_test(c, f"RSS-{i}")
            wrong += st != 200 or r.get("verdict") != "pass"
            if i + 1 == 100:
                fig["rss_mb_after_100_tests"] = round(rss_mb(p.pid), 1)
        c.close()
        elapsed = time.time() - t0
        fig["rss_mb_after_1000_tests"] = round(rss_mb(p.pid), 1)
        fig["rss_growth_mb"] = round(fig["rss_mb_after_1000_tests"] - fig.get("rss_mb_after_100_tests", 0), 1)
        # The simulated interface's ring is shared memory mapped into the daemon (a real
        # interface's buffers are not in its RSS): counted in VmRSS, and shown apart.
        fig["rss_shmem_mb_after_1000_tests"] = round(rss_mb(p.pid, "RssShmem"), 1)
        fig["rss_own_mb_after_1000_tests"] = round(fig["rss_mb_after_1000_tests"] - fig["rss_shmem_mb_after_1000_tests"], 1)
        fig["tests_per_s_fast_pace"] = round(a.tests / elapsed, 1)
        fig["wrong_verdicts_rss_run"] = wrong
        stop(p)
        print(f"rss: {fig.get('rss_mb_after_100_tests')} MB after 100 tests, "
              f"{fig['rss_mb_after_1000_tests']} MB after {a.tests} ({fig['tests_per_s_fast_pace']} tests/s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if a.json:
        print(json.dumps(fig))


if __name__ == "__main__":
    sys.exit(main())
