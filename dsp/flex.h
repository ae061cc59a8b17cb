/* flex: finds millisecond dropouts and level jumps of every tone path while a cable is flexed. */
#ifndef TONEWIRE_FLEX_H
#define TONEWIRE_FLEX_H

#include <stdint.h>

#include "analyzer.h"
#include "toneplan.h"

typedef struct flex flex;

struct flex_cfg {
	const struct toneplan *plan;  /* copied */
	unsigned n_inputs;
	double latency_frames;        /* round trip: capture frame t hears stimulus frame t - latency */
	unsigned block;               /* detection block, frames; 0 = 0.5 ms */
	double threshold_db;          /* block residual over the noise to call an event; 0 = 10 dB */
};

struct flex_event {
	unsigned input;               /* input channel where it was heard */
	int tone;                     /* the tone (= output) whose path changed most, -1 if unclear */
	uint64_t start;               /* capture frame of the first affected block */
	uint64_t frames;              /* duration, frames (block resolution) */
	double depth;                 /* fraction of that tone lost: 1 = full dropout, <0 = level rose */
	double peak_db;               /* largest block residual re the noise */
};

/* Create a tracker. Until a reference is set (flex_set_reference) or one
 * has been learnt from the first clean window, nothing is reported.
 * NULL on failure. */
flex *flex_create(const struct flex_cfg *cfg);
void flex_destroy(flex *f);   /* accepts NULL */

/* Start from the transfer matrix of a clean measurement (an analysis whose H
 * is latency-removed, as analyzer_run + latency_refine give). */
void flex_set_reference(flex *f, const struct analysis *an);

/* Track `frames` more frames of capture (interleaved n_inputs; the first of
 * them is capture frame `pos`, counted from the frame where stimulus frame 0
 * was played). Completed events are stored in ev (at most max); *n gets how
 * many. An event still in progress is reported once it ends. Never
 * allocates. Returns 0 or -EINVAL. */
int flex_process(flex *f, const float *capture, unsigned frames, uint64_t pos,
                 struct flex_event *ev, unsigned max, unsigned *n);

/* The events still in progress, ended here (the session is over): stored
 * in ev (at most max), *n gets how many. */
void flex_flush(flex *f, struct flex_event *ev, unsigned max, unsigned *n);

/* Blocks processed and noise floor of an input (RMS of the residual per
 * sample, linear), for status and tests. */
uint64_t flex_blocks(const flex *f);
double flex_noise(const flex *f, unsigned input);

#endif
