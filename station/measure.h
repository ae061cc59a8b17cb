/* measure: one measurement on a jig — noise probe, tones, latency, clock drift, transfer matrix — on a plan that adapts to the bench's noise. */
#ifndef TONEWIRE_MEASURE_H
#define TONEWIRE_MEASURE_H

#include <stdint.h>

#include "analyzer.h"
#include "classify.h"
#include "drift.h"
#include "latency.h"
#include "pump.h"
#include "toneplan.h"

#define MEASURE_ERR_MAX 256

typedef struct measure measure;

/* Every timing left 0 adapts: the tones sit on the shortest window that
 * resolves them, and each test plays the shortest probe and the fewest
 * windows that the noise of the bench (learnt from the tests before, and
 * within a test from its first window) allows for the SNR the cable's
 * limits need. A value given is used as it is (a capture read back, a
 * station configured by hand). */
struct measure_cfg {
	unsigned rate;
	unsigned n_outputs, n_inputs;
	unsigned window;          /* analysis window; 0 = toneplan_min_window */
	unsigned windows;         /* windows averaged; 0 = adaptive */
	unsigned probe;           /* probe frames; 0 = adaptive */
	unsigned fade, settle;    /* tones' fade-in and settling after the probe; 0 = ~0.7 ms, ~1.3 ms */
	unsigned max_latency;     /* largest round trip searched, frames; 0 = ~21 ms */
	double min_snr_db;        /* smallest SNR the cable's limits accept; 0 = the classifier's default */
	const double *expected;   /* the good cable's gains [input * n_outputs + output] (copied;
	                             classifier_expected), so the plan reads the bench's noise
	                             against what a good cable delivers, not against what a faulty
	                             one let through; NULL = against the tones that arrived */
	uint32_t seed;            /* probe noise seed */
	int keep_drift;           /* estimate a clock drift but leave it in (benchmarks' "before") */
};

/* The fixed plan of earlier versions (one ~85 ms window after a ~21 ms
 * probe, at every noise level), for comparison. */
struct measure_cfg measure_cfg_fixed(unsigned rate, unsigned n_outputs, unsigned n_inputs);

/* Tries of one measurement: an xrun restarts it, twice at most. */
#define MEASURE_ATTEMPTS 3

/* Timeline of one measurement, in stimulus frames. */
struct measure_timeline {
	unsigned probe;           /* noise probe, frames [0, probe) */
	unsigned fade;            /* tones fade in over [probe, probe + fade) */
	unsigned settle;          /* then settle before the first analysed frame */
	unsigned window, windows;
	unsigned max_latency;
	unsigned capture_max;     /* frames captured at most */
};

struct measurement {
	struct analysis an;       /* H of every tone on every input, latency (and drift) removed */
	struct latency_estimate coarse;
	double latency_frames;    /* round trip over the analysed windows (at their first frame once a
	                             drift was corrected); valid when coarse.found */
	int refined;              /* the tone phases refined it */
	int undecided;            /* tones arrived but no probe was found: the round trip is
	                             unknown, so is every phase: a station error, never a guess */
	struct drift_estimate drift;  /* capture clock against playback clock */
	int drift_corrected;      /* the capture was resampled onto the playback clock */
	double snr_db;            /* weakest tone that arrived, on its best input (-inf: none) */
	unsigned probe, windows;  /* the plan this measurement played */
	unsigned xruns;           /* xruns met (and retried) */
	unsigned retries;         /* measurements repeated with a longer probe */
	double acquire_ms, analyze_ms;
	const float *capture;     /* the raw capture (owned by the measure object) */
	unsigned capture_frames;
};

/* Plan the tones, build the stimulus, analyzer, latency estimator,
 * resampler and the capture buffer (sized for the longest plan), once.
 * NULL on failure with a message in err. */
measure *measure_create(const struct measure_cfg *cfg, char err[MEASURE_ERR_MAX]);
/* Free everything measure_create made; accepts NULL. */
void measure_destroy(measure *m);

/* The tone plan, the timeline of the measurement in progress (or the last
 * one) and the probe seed this object plays. */
const struct toneplan *measure_plan(const measure *m);
const struct measure_timeline *measure_timeline(const measure *m);
uint32_t measure_seed(const measure *m);

/* Play and capture one measurement through p, then analyse it. Retries
 * after an xrun (MEASURE_ATTEMPTS in all), and once or twice with a longer
 * probe when the tones arrived but the probe was not heard. Returns 0 (the
 * outcome, good or bad, is in *out), or the pump's negative errno
 * (out->xruns still counts the xruns met). */
int measure_run(measure *m, const struct pump *p, struct measurement *out);

/* The same measurement in steps, for a caller whose audio runs on another
 * thread (the daemon's engine): measure_begin chooses the timeline of the
 * next measurement and rewinds the stimulus and the capture;
 * measure_render is the duplex_render_fn of the audio thread (it only
 * renders the stimulus: no allocation, no lock); measure_feed takes the
 * captured frames on the analysis side, finds the round trip as soon as
 * the probe has been heard, adds windows when the first ones fall short of
 * the SNR needed, and returns 1 once enough has been captured;
 * measure_finish analyses what was fed. */
void measure_begin(measure *m);
void measure_render(void *m, float *out, unsigned frames);
int measure_feed(measure *m, const float *in, unsigned frames);
unsigned measure_captured(const measure *m);   /* frames fed since measure_begin */
int measure_finish(measure *m, struct measurement *out);

/* Analyse a capture made with this object's current timeline and seed (a
 * live one, or one read back from a WAV): frames interleaved n_inputs
 * wide, frame 0 the frame captured when stimulus frame 0 was played. What
 * it sees of the bench's noise shapes the next measure_begin's timeline.
 * Returns 0, or -EINVAL when it is too short for the plan. */
int measure_analyze(measure *m, const float *capture, unsigned frames, struct measurement *out);

/* The verdict of a measurement that could not decide its round trip
 * (out->undecided): error, low_snr — what the classifier would say if it
 * were asked, without asking it to read phases nobody knows. */
void measure_undecided_classification(const struct measurement *m, struct classification *cl);

#endif
