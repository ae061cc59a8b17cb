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
sleep 0.3
aplay -q -D "$dev" "$tmp/tone.wav"
wait "$rec"

# stereo-trs: 100 ohm source, 32 ohm load sensed across (10 kohm input legs),
# sleeve tied: gain 31.898 / (100.05 + 31.898) = 0.2417, so 0.25 arrives as 0.0604.
"$wav" check "$tmp/rec.wav" 1 1000 0.0604 0.01 0.8    # left played, right heard
"$wav" check "$tmp/rec.wav" 0 1500 0.0604 0.01 0.8    # right played, left heard
"$wav" check "$tmp/rec.wav" 0 1000 0 0 0               # and not where a good cable puts them
"$wav" check "$tmp/rec.wav" 1 1500 0 0 0
