#!/bin/sh
# aplay and arecord, two processes, looped through the simulated jig at real-time
# pace: a left/right-swapped cable on the stereo jig must bring the tone played on
# the left back on the right input, and the right one on the left.
# usage: test_sim_aplay.sh WAV_TOOL SOURCE_DIR   (ALSA_CONFIG_PATH set by CTest)
set -eu
wav=$1
src=$2
tmp=$(mktemp -d /tmp/tw-sim-aplay-XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

# A copy of the shipped scenario: its own path is its own loop, so a
# parallel run of the shipped file cannot join this one.
cp "$src/sim/scenarios/lr-swap.conf" "$tmp/lr-swap.conf"
dev="tonewire_sim:$tmp/lr-swap.conf"

"$wav" gen "$tmp/tone.wav" 2 48000 1.0 1000 1500

arecord -q -D "$dev" -f S16_LE -r 48000 -c 2 -d 2 "$tmp/rec.wav" &
rec=$!
# Play only once arecord has the device: it writes the WAV header after opening and
# configuring it, right before it reads (a fixed sleep was a guess at how long that takes).
i=0
while [ "$(stat -c %s "$tmp/rec.wav" 2>/dev/null || echo 0)" -lt 44 ]; do
  i=$((i + 1))
  [ $i -lt 500 ] || { echo "FAIL: arecord never started"; kill $rec; exit 1; }
  kill -0 $rec 2>/dev/null || { echo "FAIL: arecord exited"; exit 1; }
  sleep 0.01
done
aplay -q -D "$dev" "$tmp/tone.wav"
wait "$rec"

# stereo-trs: 100 ohm source, 32 ohm load sensed across (10 kohm input legs),
# sleeve tied: gain 31.898 / (100.05 + 31.898) = 0.2417, so 0.25 arrives as 0.0604.
"$wav" check "$tmp/rec.wav" 1 1000 0.0604 0.01 0.8    # left played, right heard
"$wav" check "$tmp/rec.wav" 0 1500 0.0604 0.01 0.8    # right played, left heard
"$wav" check "$tmp/rec.wav" 0 1000 0 0 0               # and not where a good cable puts them
"$wav" check "$tmp/rec.wav" 1 1500 0 0 0
