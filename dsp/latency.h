/* latency: round-trip delay of the interface, from a noise probe and refined from tone phases. */
#ifndef TONEWIRE_LATENCY_H
#define TONEWIRE_LATENCY_H

#include "analyzer.h"
#include "toneplan.h"

typedef struct latency latency;

struct latency_cfg {
	unsigned n_outputs;      /* probes, one per output (stimulus_probe) */
	unsigned n_inputs;
	unsigned probe_frames;   /* length of each probe */
	unsigned max_frames;     /* largest round trip searched */
};

struct latency_estimate {
	int found;               /* 0: no probe seen on any input (nothing connected) */
	double frames;           /* round trip, fractional frames */
	double peak_ratio_db;    /* correlation peak over the largest sidelobe: trust */
};

/* Create an estimator (plans its FFTs once). NULL on failure. */
latency *latency_create(const struct latency_cfg *cfg);
void latency_destroy(latency *l);   /* accepts NULL */

/* Coarse estimate: cross-correlate every input of capture (interleaved,
 * n_inputs channels, starting at the frame the first probe frame was
 * played, at least probe_frames + max_frames frames) with every output's
 * probe and take the delay where the summed squared correlation peaks.
 * Independent probes make this work whatever the cable does (swaps, polarity,
 * cancelling sums). Sub-frame by interpolation. Returns 0 or -EINVAL. */
int latency_probe(latency *l, const float *const *probes, const float *capture,
                  unsigned frames, struct latency_estimate *out);

/* Fine estimate: an analysis made with a latency good to about a frame is
 * refined by fitting the phase slope of every received tone modulo 180°
 * (a resistive network has real gains, so polarity does not bias it).
 * Re-references *an and stores the correction, in frames, in *delta
 * (true latency = coarse + delta). Returns 0, or -ENODATA when no tone has
 * the SNR to help. */
int latency_refine(const struct toneplan *plan, struct analysis *an, double *delta);

#endif
