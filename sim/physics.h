/* physics: what the capture side hears: played frames through the cable's gain matrix and the interface's flaws. */
#ifndef TONEWIRE_SIM_PHYSICS_H
#define TONEWIRE_SIM_PHYSICS_H

#include <stdint.h>

#include "loop.h"
#include "scenario.h"

#define PHYSICS_ERR_MAX 256

typedef struct physics physics;

struct physics_cfg {
	const struct scenario *sc;   /* read during create only */
	unsigned rate;
	unsigned latency;            /* round trip, frames */
	/* The interface's mixer now: a direct monitor mixing each input into the
	 * output of the same device channel at this gain (0 = off), and a gain
	 * in dB on every path (output level and input gain away from 0 dB). */
	double monitor_gain, gain_db;
};

/* Solve the cable's gain matrix for every dropout state (the network is
 * never solved while streaming) and size everything render needs.
 * NULL on failure with a message in err. */
physics *physics_create(const struct physics_cfg *cfg, char err[PHYSICS_ERR_MAX]);
void physics_destroy(physics *ph);   /* accepts NULL */

/* Capture frames n0 .. n0+frames-1 of a capture stream whose frame 0 sits
 * at timeline position t0, into out (interleaved, one float per jig
 * input). Reads the played frames from l. Never allocates, locks or blocks. */
void physics_render(physics *ph, const loop *l, uint64_t t0, uint64_t n0, unsigned frames, float *out);

/* Forget cached frames (a new stream starts). */
void physics_reset(physics *ph);

/* How many capture frames (from the stream's frame 0 at t0) can be
 * rendered when the ring is final only before timeline position end. */
uint64_t physics_frames_before(const physics *ph, uint64_t t0, uint64_t end);

/* Timeline position capture frame n of a stream at t0 has reached (its
 * sampling instant on the playback clock), rounded up. */
uint64_t physics_timeline_of(const physics *ph, uint64_t t0, uint64_t n);

/* The round trip this physics was made with, frames. */
unsigned physics_latency(const physics *ph);

#endif
