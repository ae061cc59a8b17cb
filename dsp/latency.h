/* latency: round-trip delay of the interface, from a noise probe and refined from tone phases. */
#ifndef TONEWIRE_LATENCY_H
#define TONEWIRE_LATENCY_H

#include "analyzer.h"
#include "toneplan.h"

typedef struct latency latency;

struct latency_cfg {
	unsigned n_outputs;      /* probes, one per output (stimulus_probe) */
	unsigned n_inputs;
	unsigned probe_frames;   /* length of each probe: the longest latency_start accepts */
	unsigned max_frames;     /* largest round trip searched */
};

struct latency_estimate {
	int found;               /* the probe was heard: frames is the round trip */
	int decided;             /* found, or every lag up to max_frames searched without it */
	double frames;           /* round trip, fractional frames (valid when found) */
	double sigma_frames;     /* its standard deviation, from the detection statistic */
	double margin_db;        /* detection statistic at the peak over the threshold (>= 0 when found) */
	double stat;             /* that statistic: whitened correlation energy, chi-square units */
	unsigned searched;       /* lags searched so far (0..searched-1) */
};

/* Create an estimator (plans its FFTs once, for every size it may need).
 * NULL on failure. */
latency *latency_create(const struct latency_cfg *cfg);
void latency_destroy(latency *l);   /* accepts NULL */

/* One-shot estimate with probes of cfg->probe_frames: capture (interleaved,
 * n_inputs channels, frame 0 played with the first probe frame) holds at
 * least probe_frames + max_frames frames. Same as latency_start followed by
 * latency_search over all lags. Returns 0 or -EINVAL. */
int latency_probe(latency *l, const float *const *probes, const float *capture,
                  unsigned frames, struct latency_estimate *out);

/* Begin a search with probes of probe_frames (<= cfg->probe_frames; the
 * arrays stay the caller's and must outlive the search). Never allocates.
 * Returns 0 or -EINVAL. */
int latency_start(latency *l, const float *const *probes, unsigned probe_frames);

/* Search the lags that the first `frames` captured frames allow (lag d needs
 * frames d + probe_frames). The round trip is the first lag where the
 * whitened correlation of every input with every probe leaves what noise
 * alone gives (chi-square, false alarm ~1e-12 per lag), refined to the
 * strongest lag nearby and interpolated to a fraction of a frame. A probe
 * found is final once the lags just past it are in; "not found" is final
 * once every lag is. Call again with more frames while !out->decided.
 * Never allocates. Returns 0 or -EINVAL. */
int latency_search(latency *l, const float *capture, unsigned frames, struct latency_estimate *out);

/* CPU work of one search over every lag with probes of probe_frames, in
 * FFT points times log2 of the size: for a caller that must decide
 * whether it can afford to search while frames are still arriving. */
double latency_search_cost(const latency *l, unsigned probe_frames);

/* The expected detection statistic per probe frame for what a previous
 * measurement saw, summed over the outputs: the best input's share of
 * each probe (probe power over all power on that input). probe_amp is the
 * probe's amplitude per output. A caller sizes the next probe with it. */
double latency_gain_per_frame(const struct analysis *an, const double *probe_amp);

/* The smallest detection statistic that stands clear of the threshold
 * (misses below 1e-9) for n_inputs x n_outputs probes. */
double latency_required_stat(unsigned n_outputs, unsigned n_inputs);

/* Fine estimate: an analysis made with a latency good to about a frame is
 * refined by fitting the phase slope of every received tone modulo 180°
 * (a resistive network has real gains, so polarity does not bias it).
 * Re-references *an and stores the correction, in frames, in *delta
 * (true latency = coarse + delta). Returns 0, or -ENODATA when no tone has
 * the SNR to help. */
int latency_refine(const struct toneplan *plan, struct analysis *an, double *delta);

/* latency_refine with a prior: the round trip is expected `centre` frames
 * from the analysis's, give or take sigma (the probe's precision, and what
 * a clock drift can move it by between probe and windows); the tones move
 * it only as far as their SNR earns. sigma INFINITY: no prior. */
int latency_refine_prior(const struct toneplan *plan, struct analysis *an, double centre, double sigma,
                         double *delta);

#endif
