#!/usr/bin/env bash
# bench/alsabat: alsa-utils' alsabat and tonewire run side by side on the same simulated jig — wall time and what each reports.
#
# Usage: alsabat --build BUILD [--json] [--runs N]
# Four cables, each a scenario on the real-time simulator (noise -90 dBFS):
#   straight   a good 3.5 mm TRS extension on the stereo jig
#   lr_swap    the same cable with left and right swapped
#   polarity   a 3.5 mm -> 2-pin IEM cable, left earpiece pins reversed
#   ctia_omtp  a CTIA cable in an OMTP socket (ground and microphone swapped)
# alsabat runs its default loopback test (997 Hz sine, 2 s analysed, 44.1 kHz,
# S16_LE) with -c 2 only because the stereo jigs have two channels; its
# verdict is its exit status (0 = every channel's peak at the target
# frequency). A second alsabat run per case gives each channel its own
# frequency (-F 600:1000), the most it can be told to look for.
# Two things must be set for alsabat 1.2.8 to run at all here, both found by trying:
#   - LC_ALL=C: bat_init() returns -errno after a successful strdup(), so a
#     stale ENOENT left by setlocale() looking up C.UTF-8 locale files makes
#     it stop with "Return value is -2" before opening any device;
#   - -c 2: the simulated stereo jig has two channels and, like most
#     interfaces, offers no mono stream, while alsabat defaults to one channel.
# alsabat opens playback and capture as two PCMs from two threads; the
# simulator joins them through shared memory keyed by the scenario path.
# It also leaves its capture in /tmp/bat.wav.XXXXXX: the files this run
# created are removed.
# Prints figures; never passes or fails on time.
set -uo pipefail

build=""
json=0
runs=5
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --json) json=1; shift ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: alsabat --build BUILD [--json] [--runs N]" >&2; exit 2 ;;
  esac
done
[ -n "$build" ] || { echo "alsabat: --build BUILD is required" >&2; exit 2; }
build=$(cd "$build" && pwd)
tw="$build/cli/tonewire"
simconf="$build/sim/tonewire_sim.conf"

if ! command -v alsabat >/dev/null 2>&1; then
  echo "alsabat: not installed (Debian package alsa-utils); nothing measured"
  [ $json -eq 1 ] && echo '{"alsabat_ms_median": null, "tonewire_ms_median": null, "speedup": null}'
  exit 0
fi
[ -x "$tw" ] || { echo "alsabat: $tw not built" >&2; exit 1; }

tmp=$(mktemp -d /tmp/tonewire-alsabat-XXXXXX)
before=$(ls /tmp/bat.wav.* 2>/dev/null | sort)
cleanup() {
  local after f
  after=$(ls /tmp/bat.wav.* 2>/dev/null | sort)
  for f in $(comm -13 <(echo "$before") <(echo "$after")); do
    [ -O "$f" ] && rm -f "$f"
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

median() {  # numbers on stdin -> median
  sort -n | awk '{v[NR]=$1} END {if (NR==0) {print "null"} else if (NR%2) {print v[(NR+1)/2]} else {print (v[NR/2]+v[NR/2+1])/2}}'
}

cases=(straight lr_swap polarity ctia_omtp)
declare -A jig cable wires expect
jig[straight]=stereo-trs;        cable[straight]=trs-3.5-extension
wires[straight]=$'wire = A.T B.T\nwire = A.R B.R\nwire = A.S B.S'
expect[straight]="pass"
jig[lr_swap]=stereo-trs;         cable[lr_swap]=trs-3.5-extension
wires[lr_swap]=$'wire = A.T B.R\nwire = A.R B.T\nwire = A.S B.S'
expect[lr_swap]="fail: lr_swap"
jig[polarity]=stereo-iem-2pin;   cable[polarity]=trs-3.5-to-2pin-iem
wires[polarity]=$'wire = A.T B.left.-\nwire = A.S B.left.+\nwire = A.R B.right.+\nwire = A.S B.right.-'
expect[polarity]="fail: polarity_inverted"
jig[ctia_omtp]=stereo-trrs-ctia; cable[ctia_omtp]=trrs-ctia-extension
wires[ctia_omtp]=$'wire = A.T B.T\nwire = A.R1 B.R1\nwire = A.R2 B.S\nwire = A.S B.R2'
expect[ctia_omtp]="fail: ctia_omtp_mismatch"

for c in "${cases[@]}"; do
  # No rate line: the simulator follows the rate each client asks for.
  printf '; written by bench/alsabat\n[scenario]\njig = %s\n\n[interface]\nnoise_dbfs = -90\npace = realtime\n\n[cable]\n%s\n' \
    "${jig[$c]}" "${wires[$c]}" > "$tmp/$c.conf"
done

# One alsabat run: prints "<ms> <pass|fail|error:N> <peaks>".
run_alsabat() {
  local scen=$1; shift
  local log="$tmp/alsabat.log" t0 t1 rc verdict peaks
  t0=$(now_ms)
  ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$simconf" LC_ALL=C \
    timeout 60 alsabat -D "tonewire_sim:$scen" -c 2 "$@" > "$log" 2>&1
  rc=$?
  t1=$(now_ms)
  if [ $rc -eq 0 ]; then verdict=pass
  elif [ $rc -eq 124 ]; then verdict=timeout
  elif grep -q "FAIL" "$log"; then verdict=fail
  else verdict="error:$rc"
  fi
  peaks=$(grep -o "Detected peak at [0-9.]* Hz" "$log" | awk '{printf "%s%s", sep, $4; sep="/"}')
  [ -n "$peaks" ] || peaks="-"
  echo "$((t1 - t0)) $verdict $peaks"
  cp "$log" "$tmp/last-alsabat.log"
}

# One tonewire run: prints "<ms> <pass|fail|error> <codes> <total_ms>".
run_tonewire() {
  local scen=$1 c=$2 t0 t1 out
  t0=$(now_ms)
  out=$(env -u ALSA_CONFIG_PATH timeout 60 "$tw" run --device "tonewire_sim:$scen" --cable "${cable[$c]}" --json 2>"$tmp/tw.err")
  t1=$(now_ms)
  python3 -c '
import json, sys
try:
    r = json.loads(sys.argv[1])
    codes = ",".join(f["code"] for f in r.get("faults", [])) or "-"
    print(r["verdict"], codes, r.get("timing_ms", {}).get("total", "null"))
except Exception:
    print("error - null")
' "$out" | { read -r v codes total; echo "$((t1 - t0)) $v $codes $total"; }
}

declare -A a_ms a_verdict a_peaks f_verdict f_peaks t_ms t_verdict t_codes t_total
a_all=()
t_all=()
echo "alsabat $(alsabat -h 2>/dev/null | head -1 | awk '{print $3}') vs tonewire run, simulated jig at real-time pace"
echo
for c in "${cases[@]}"; do
  scen="$tmp/$c.conf"
  n=1
  [ "$c" = straight ] && n=$runs   # the default run's wall time: median of N on the good cable
  times=()
  for ((i = 0; i < n; i++)); do
    read -r ms v p < <(run_alsabat "$scen")
    times+=("$ms")
    a_all+=("$ms")
  done
  a_ms[$c]=$(printf '%s\n' "${times[@]}" | median)
  a_verdict[$c]=$v
  a_peaks[$c]=$p
  if [ "$v" != pass ] && [ "$v" != fail ]; then
    echo "alsabat on $c: $v; its log:" >&2
    sed 's/^/  | /' "$tmp/last-alsabat.log" >&2
  fi
  read -r ms v p < <(run_alsabat "$scen" -F 600:1000)
  f_verdict[$c]=$v
  f_peaks[$c]=$p
  times=()
  for ((i = 0; i < runs; i++)); do
    read -r ms v codes total < <(run_tonewire "$scen" "$c")
    times+=("$ms")
    t_all+=("$ms")
  done
  t_ms[$c]=$(printf '%s\n' "${times[@]}" | median)
  t_verdict[$c]=$v
  t_codes[$c]=$codes
  t_total[$c]=$total
done

a_med=$(printf '%s\n' "${a_ms[straight]}")
t_med=$(printf '%s\n' "${t_all[@]}" | median)
speedup=$(awk -v a="$a_med" -v t="$t_med" 'BEGIN { if (t > 0) printf "%.1f", a / t; else print "null" }')

printf '%-10s %-26s | %-24s %8s | %-28s | %-34s %8s %8s\n' case "expected" "alsabat (default)" "wall ms" \
  "alsabat -F 600:1000" "tonewire run" "wall ms" "test ms"
for c in "${cases[@]}"; do
  printf '%-10s %-26s | %-24s %8s | %-28s | %-34s %8s %8s\n' "$c" "${expect[$c]}" \
    "${a_verdict[$c]} (peaks ${a_peaks[$c]})" "${a_ms[$c]}" "${f_verdict[$c]} (peaks ${f_peaks[$c]})" \
    "${t_verdict[$c]}: ${t_codes[$c]}" "${t_ms[$c]}" "${t_total[$c]}"
done
echo
echo "alsabat default loopback test, wall time median of $runs runs on the good cable: $a_med ms"
echo "tonewire run (process start to verdict, device opened each time), median of all runs: $t_med ms"
echo "speedup: ${speedup}x"

if [ $json -eq 1 ]; then
  python3 - "$a_med" "$t_med" "$speedup" <<EOF
import json, sys
def num(s):
    try:
        return float(s)
    except ValueError:
        return None
cases = {}
for c, exp, av, ap, fv, fp, tv, tc, tm, am in [
$(for c in "${cases[@]}"; do
  printf '    ("%s", "%s", "%s", "%s", "%s", "%s", "%s", "%s", "%s", "%s"),\n' "$c" "${expect[$c]}" \
    "${a_verdict[$c]}" "${a_peaks[$c]}" "${f_verdict[$c]}" "${f_peaks[$c]}" "${t_verdict[$c]}" \
    "${t_codes[$c]}" "${t_ms[$c]}" "${a_ms[$c]}"
done)
]:
    cases[c] = {"expected": exp, "alsabat": av, "alsabat_peaks_hz": ap, "alsabat_distinct_tones": fv,
                "tonewire": tv, "tonewire_faults": [] if tc == "-" else tc.split(","),
                "tonewire_ms": num(tm), "alsabat_ms": num(am)}
print(json.dumps({"alsabat_ms_median": num(sys.argv[1]), "tonewire_ms_median": num(sys.argv[2]),
                  "speedup": num(sys.argv[3]), "cases": cases}))
EOF
fi
exit 0
