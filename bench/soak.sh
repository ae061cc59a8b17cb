#!/bin/sh
# bench/soak.sh: 1000 tests through the API on a tonewired built with ASan+UBSan — leaks, errors, RSS.
#
#   cmake -S . -B build-asan -DENABLE_SANITIZERS=ON && cmake --build build-asan -j2
#   bench/soak.sh [BUILD_DIR (default build-asan)] [TESTS (default 1000)]
#
# The daemon runs the simulated jig at fast pace. Around the tests it also serves history, status,
# metrics, SSE clients that come and go, and every 50th test a failing cable (a capture kept,
# retention 20 so old ones are removed). RSS is sampled every 100 tests. At the end SIGTERM; the
# leak check runs at exit (ASAN_OPTIONS detect_leaks=1). Not part of make check: it takes minutes.
# Prints figures; the last line is one JSON object: tests, errors_sanitizer, leaks, rss_kb (samples),
# rss_growth_kb (last sample minus the one after 100 tests), exit_status.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build-asan}" && pwd)
tests=${2:-1000}
daemon="$build/daemon/tonewired"
[ -x "$daemon" ] || { echo "soak: $daemon is not built" >&2; exit 2; }
if ! grep -q '^ENABLE_SANITIZERS:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  echo "soak: note: $build was not configured with -DENABLE_SANITIZERS=ON; leaks and errors go unseen" >&2
fi
tmp=$(mktemp -d /tmp/tw-soak-XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

mkdir -p "$tmp/scenarios"
for name in straight swap; do
  if [ $name = straight ]; then wires="wire = A.T B.T
wire = A.R B.R"; else wires="wire = A.T B.R
wire = A.R B.T"; fi
  cat > "$tmp/scenarios/$name.conf" <<EOF
[scenario]
jig = stereo-trs
[interface]
pace = fast
noise_dbfs = -90
latency_frames = 150
[cable]
$wires
wire = A.S B.S
EOF
done
cat > "$tmp/tonewired.conf" <<EOF
[station]
device = tonewire_sim:$tmp/scenarios/straight.conf
cable = trs-3.5-extension
demo_dir = $tmp/scenarios
[http]
address = 127.0.0.1
port = 0
[store]
path = $tmp/state/results.db
capture_dir = $tmp/state/captures
retention = 20
EOF

# A small quarantine: ASan keeps freed memory (256 MB by default) to catch use after free, and that
# alone would show as RSS growth over the first few hundred tests.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=0:detect_stack_use_after_return=1:quarantine_size_mb=8}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=0}
export ASAN_OPTIONS UBSAN_OPTIONS
"$daemon" --config "$tmp/tonewired.conf" > /dev/null 2> "$tmp/daemon.log" &
pid=$!
port=
for _ in $(seq 1 600); do
  port=$(sed -n 's|.*listening on http://[^ ]*:\([0-9]*\)/.*|\1|p' "$tmp/daemon.log" | head -n 1)
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { cat "$tmp/daemon.log" >&2; echo "soak: tonewired did not start" >&2; exit 1; }

python3 - "$port" "$pid" "$tests" > "$tmp/client.json" <<'EOF'
import http.client, json, socket, sys, time
port, pid, tests = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])

def req(method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    h = {"Content-Type": "application/json"} if body is not None else {}
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data

def rss_kb():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

def ready():
    for _ in range(600):
        st, s = req("GET", "/api/v1/status")
        s = json.loads(s)
        if s.get("connected") and s.get("latency_frames") is not None and s["state"] in ("idle", "done"):
            return
        time.sleep(0.05)
    raise SystemExit("soak: the device never came up")

ready()
verdicts, bad, rss, t0 = {}, [], [], time.time()
for i in range(1, tests + 1):
    failing = i % 50 == 0
    if failing:
        req("PUT", "/api/v1/demo", {"scenario": "swap"}); ready()
    st, data = req("POST", "/api/v1/tests?wait=1", {"cable": "trs-3.5-extension", "serial": f"SOAK-{i}"})
    v = json.loads(data).get("verdict") if st == 200 else None
    verdicts[v] = verdicts.get(v, 0) + 1
    if st != 200 or v != ("fail" if failing else "pass"):
        bad.append((i, st, data[:160].decode("utf-8", "replace")))
    if failing:
        req("PUT", "/api/v1/demo", {"scenario": "straight"}); ready()
    if i % 10 == 0:
        req("GET", "/api/v1/tests?limit=50"); req("GET", "/metrics"); req("GET", "/api/v1/status")
        s = socket.create_connection(("127.0.0.1", port))       # an SSE client that reads a little and goes
        s.sendall(f"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        s.recv(4096); s.close()
    if i % 100 == 0:
        rss.append(rss_kb())
        print(f"{i} tests, {time.time() - t0:.0f} s, RSS {rss[-1]} kB", file=sys.stderr, flush=True)
print(json.dumps({"verdicts": verdicts, "unexpected": bad[:10], "n_unexpected": len(bad), "rss_kb": rss,
                  "seconds": round(time.time() - t0, 1)}))
EOF

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
errors=$(grep -c -E 'ERROR: AddressSanitizer|runtime error:' "$tmp/daemon.log" || true)
leaks=$(grep -c -E '^(Direct|Indirect) leak of' "$tmp/daemon.log" || true)
if [ "$errors" != 0 ] || [ "$leaks" != 0 ]; then
  grep -E -A12 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/daemon.log" | head -n 120 >&2
fi
python3 - "$tmp/client.json" "$errors" "$leaks" "$rc" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
errors, leaks, rc = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rss = c["rss_kb"]
growth = rss[-1] - rss[0] if len(rss) > 1 else 0
print(f"tests: {sum(c['verdicts'].values())} in {c['seconds']} s, verdicts {c['verdicts']}, "
      f"unexpected answers {c['n_unexpected']} {c['unexpected']}")
print(f"sanitizer errors: {errors}, leak reports: {leaks}, exit status {rc}")
print(f"RSS every 100 tests (kB): {rss}; growth after the first 100: {growth} kB")
print(json.dumps({"tests": sum(c["verdicts"].values()), "unexpected": c["n_unexpected"],
                  "errors_sanitizer": errors, "leaks": leaks, "exit_status": rc, "rss_kb": rss,
                  "rss_growth_kb": growth}))
sys.exit(1 if errors or leaks or rc or c["n_unexpected"] else 0)
EOF
