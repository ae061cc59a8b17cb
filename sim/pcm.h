/* pcm: one direction of the simulated interface as the plugin holds it, and the pacing that moves its pointer (private to sim/). */
#ifndef TONEWIRE_SIM_PCM_H
#define TONEWIRE_SIM_PCM_H

#include <alsa/asoundlib.h>
#include <alsa/pcm_external.h>
#include <stdint.h>

#include "hw.h"
#include "loop.h"
#include "mixer.h"
#include "physics.h"
#include "scenario.h"

/* Frames converted per step between the client's format and float. */
#define CHUNK 256
/* Fast pace: how long a stream may wait for the other direction before the
 * other is declared late (an xrun), as hardware would after a buffer's time. */
#define FAST_GRACE_NS 250000000
/* Fast pace: how often a waiting stream looks again. */
#define FAST_RECHECK_NS 1000000
/* Real-time pace: two starts this close are one start of both directions. */
#define START_TOGETHER_NS 2000000
/* Two devices (different units) started one after the other at fast pace:
 * the later one starts this many frames plus a hash of the unit later, as
 * two separate starts on two clocks would. */
#define UNIT_GAP_FRAMES 37
/* The default round trip when a scenario gives none: USB interfaces land here. */
#define LATENCY_MIN 64
#define LATENCY_MAX 512

struct sim {
	snd_pcm_ioplug_t io;
	struct scenario *sc;
	loop *loop;
	struct loop_shared *sh;
	physics *ph;                 /* capture: made when the rate is known */
	simmix *mix;                 /* capture: the interface's mixer, when it has one */
	uint32_t mix_gen;            /* the mixer state physics was made for */
	struct hw_dir dev;           /* the device's channels, formats and rates in this direction */
	uint64_t unit;               /* which device of the scenario (0: the one interface) */
	int timer_fd;
	int capture;
	unsigned n_ch, n_out;        /* this direction's jig channels; the ring's (jig outputs) */
	unsigned latency;
	int fast;
	double drift;                /* capture clock offset, fraction */

	unsigned rate;
	snd_pcm_format_t format;
	snd_pcm_uframes_t buffer, boundary, stop_threshold, avail_min;
	float *prefill;              /* playback: frames written before start */

	int running;
	int gone;                    /* unplugged while open: only close helps */
	uint64_t t0;                 /* timeline position of stream frame 0 */
	int64_t t0_ns;
	uint64_t hw;                 /* frames played or captured since start */
	uint64_t unplug_frames;
	int64_t starved_ns;          /* fast pace: since when the stream cannot move; 0 = moving */
	float chunk[CHUNK * FIXTURE_MAX_CHANNELS];
};

/* The client's pointer, unwrapped against ours. */
uint64_t pace_appl(const struct sim *s);
/* Moves the hw pointer to where the clock (or the loop, at fast pace) has
 * it; -EPIPE on an xrun. Marks the stream disconnected once unplugged. */
int pace_update(struct sim *s);
/* The device is gone: only a close helps. */
void pace_unplug(struct sim *s);
/* Arm the poll descriptor for when_ns (0: now, < 0: never). */
void pace_arm(struct sim *s, int64_t when_ns);
/* Time the poll descriptor for when the client can go on. */
void pace_rearm(struct sim *s, uint64_t appl);

#endif
