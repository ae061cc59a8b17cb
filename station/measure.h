/* measure: one measurement on a jig — noise probe, tones, latency, transfer matrix. */
#ifndef TONEWIRE_MEASURE_H
#define TONEWIRE_MEASURE_H

#include <stdint.h>

#include "analyzer.h"
#include "latency.h"
#include "pump.h"
#include "toneplan.h"

#define MEASURE_ERR_MAX 256

typedef struct measure measure;

struct measure_cfg {
	unsigned rate;
	unsigned n_outputs, n_inputs;
	unsigned window;          /* 0 = toneplan_default_window(rate) */
	unsigned windows;         /* windows averaged, 0 = 1 */
	unsigned max_latency;     /* largest round trip searched, frames; 0 = window / 4 */
	uint32_t seed;            /* probe noise seed */
};

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
	struct analysis an;       /* H of every tone on every input, latency removed */
	struct latency_estimate coarse;
	double latency_frames;    /* coarse + refined; valid when coarse.found */
	int refined;              /* the tone phases refined it */
	unsigned xruns;           /* xruns met (and retried) */
	double acquire_ms, analyze_ms;
	const float *capture;     /* the raw capture (owned by the measure object) */
	unsigned capture_frames;
};

/* Plan the tones, build the stimulus, analyzer and latency estimator and the
 * capture buffer, once. NULL on failure with a message in err. */
measure *measure_create(const struct measure_cfg *cfg, char err[MEASURE_ERR_MAX]);
/* Free everything measure_create made; accepts NULL. */
void measure_destroy(measure *m);

/* The tone plan, the timeline and the probe seed this object plays. */
const struct toneplan *measure_plan(const measure *m);
const struct measure_timeline *measure_timeline(const measure *m);
uint32_t measure_seed(const measure *m);

/* Play and capture one measurement through p, then analyse it. Retries
 * after an xrun (MEASURE_ATTEMPTS in all). Returns 0 (the outcome, good or
 * bad, is in *out), or the pump's negative errno (out->xruns still counts
 * the xruns met). */
int measure_run(measure *m, const struct pump *p, struct measurement *out);

/* The same measurement in steps, for a caller whose audio runs on another
 * thread (the daemon's engine): measure_begin rewinds the stimulus and the
 * capture; measure_render is the duplex_render_fn of the audio thread (it
 * only renders the stimulus: no allocation, no lock); measure_feed takes the
 * captured frames on the analysis side, finds the round trip as soon as the
 * probe has been heard, and returns 1 once enough has been captured;
 * measure_finish analyses what was fed. */
void measure_begin(measure *m);
void measure_render(void *m, float *out, unsigned frames);
int measure_feed(measure *m, const float *in, unsigned frames);
unsigned measure_captured(const measure *m);   /* frames fed since measure_begin */
int measure_finish(measure *m, struct measurement *out);

/* Analyse a capture made with this object's plan and seed (a live one, or
 * one read back from a WAV): frames interleaved n_inputs wide, frame 0 the
 * frame captured when stimulus frame 0 was played. Returns 0, or -EINVAL
 * when it is too short for the plan. */
int measure_analyze(measure *m, const float *capture, unsigned frames, struct measurement *out);

#endif
