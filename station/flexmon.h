/* flexmon: one flex session on the analysis side — the dropout tracker, its events named, announced and summed up. */
#ifndef TONEWIRE_FLEXMON_H
#define TONEWIRE_FLEXMON_H

#include <jansson.h>
#include <stdint.h>

#include "analyzer.h"
#include "fixture.h"
#include "toneplan.h"

/* Events kept in detail; later ones are only counted. An hour of a badly
 * broken cable must not grow the daemon (or the stored result) without end. */
#define FLEXMON_MAX_KEPT 500

typedef struct flexmon flexmon;

struct flexmon_cfg {
	const struct toneplan *plan;   /* copied */
	const struct fixture *fx;      /* copied: names of contacts and inputs */
	unsigned rate;
	long long session;             /* id of the session (its test id) */
	/* Called on the analysis thread with every event as it ends (the JSON
	 * of the session's "flex.events", plus "session" and "count"); the
	 * callee must not keep event. May be NULL. */
	void (*on_event)(void *ctx, json_t *event);
	void *ctx;
};

/* A session with no stream yet. NULL on allocation failure. */
flexmon *flexmon_create(const struct flexmon_cfg *cfg);
void flexmon_destroy(flexmon *fm);   /* accepts NULL */

/* A stream begins (the first, or a new one after an xrun): track it from a
 * clean measurement of it (H latency-removed, and its round trip). Its
 * stimulus frame 0 was played offset_frames after the session's first
 * stream began. 0 or -ENOMEM. */
int flexmon_stream(flexmon *fm, const struct analysis *reference, double latency_frames,
                   uint64_t offset_frames);

/* Track frames of capture (interleaved inputs; the first is capture frame
 * pos of the current stream). Every event that ends is handed to on_event
 * at once. Returns how many events ended, or -EINVAL. */
int flexmon_feed(flexmon *fm, const float *capture, unsigned frames, uint64_t pos);

/* How many events so far and the longest, ms. */
unsigned long long flexmon_count(flexmon *fm);
double flexmon_worst_ms(flexmon *fm);

/* The session so far (a new reference): {"count", "worst_ms", "events": […],
 * "events_dropped"}. Safe from any thread. */
json_t *flexmon_json(flexmon *fm);

/* Add to the result of the session's first measurement: "kind": "flex",
 * "flex": {…}, and, when anything dropped out, the "intermittent" fault
 * (contacts, "count", "worst_ms") with the verdict turned to "fail" unless
 * it is "error". seconds: how long the session tracked. */
void flexmon_finish_result(flexmon *fm, json_t *result, double seconds, const char *ended_by);

#endif
