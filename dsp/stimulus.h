/* stimulus: renders a test signal (noise probe, then the tone plan) into interleaved frames. */
#ifndef TONEWIRE_STIMULUS_H
#define TONEWIRE_STIMULUS_H

#include <stdint.h>
#include "toneplan.h"

typedef struct stimulus stimulus;

struct stimulus_cfg {
	const struct toneplan *plan;  /* copied; one output channel per tone */
	unsigned probe_frames;        /* frames of independent white noise per output before the
	                                 tones, used to measure latency; 0 = no probe. Also the
	                                 longest probe stimulus_set_probe may choose later */
	unsigned fade_frames;         /* raised-cosine fade-in of the tones after the probe */
	uint32_t seed;                /* noise seed: the same seed renders the same probe */
};

/* Create a stimulus. NULL on bad configuration or allocation failure. */
stimulus *stimulus_create(const struct stimulus_cfg *cfg);
void stimulus_destroy(stimulus *s);   /* accepts NULL */

/* Render the next `frames` frames into out (interleaved, plan->n_tones
 * channels). Continuous across calls: tone k at absolute stimulus frame t is
 * amplitude_k * cos(phase_k + 2*pi*freq_k*t/rate), with double-precision
 * phasors. Never allocates. */
void stimulus_render(stimulus *s, float *out, unsigned frames);

/* Rewind to frame 0 (the probe plays again). */
void stimulus_reset(stimulus *s);

/* Play a probe of probe_frames (1..the probe_frames it was created with)
 * from the next reset on: the first probe_frames of the same noise, so a
 * capture made with any length can be analysed again from the seed.
 * Never allocates. Returns 0, or -EINVAL (out of range, or no probe). */
int stimulus_set_probe(stimulus *s, unsigned probe_frames);

/* Absolute stimulus frame of the next rendered frame. */
uint64_t stimulus_position(const stimulus *s);

/* The probe noise of one output channel (the current probe's frames, owned
 * by s), NULL when there is no probe or channel is out of range. */
const float *stimulus_probe(const stimulus *s, unsigned channel);

/* First frame at which the tones play at full level (probe + fade). */
unsigned stimulus_tones_start(const stimulus *s);

/* The amplitude of each output's probe (a binary noise of +-a), or 0
 * without a probe. */
double stimulus_probe_amplitude(const stimulus *s);

#endif
