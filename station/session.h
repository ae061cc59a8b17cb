/* session: what a station does with a cable — one test, one calibration, one flex session — written once for the CLI, the daemon and the benchmarks. */
#ifndef TONEWIRE_SESSION_H
#define TONEWIRE_SESSION_H

#include <jansson.h>
#include <stdatomic.h>

#include "calibration.h"
#include "classify.h"
#include "flexmon.h"
#include "measure.h"
#include "pump.h"
#include "result.h"
#include "station.h"

/* Everything a session needs, set up by its caller. Hooks are optional and
 * are called on the caller's thread. */
struct session {
	measure *ms;                       /* the plan and the capture buffer */
	classifier *cls;                   /* for this cable in this jig */
	const struct station_cable *sc;    /* the cable in the jig */
	const struct calibration *cal;     /* NULL: levels are read on the raw jig */
	struct result_meta meta;           /* id, serial, device, started_at, rate; cable, jig and
	                                      limits default to sc's */
	double t0;                         /* clock_now_ms() when asked for: total time starts here */
	const char *device_error;          /* why the device is not open, when it is not */

	void *ctx;
	/* The stream is captured and the analysis begins (m is raw). */
	void (*measured)(void *ctx, const struct measurement *m);
	/* A test did not pass: keep its capture, and say where in result. */
	void (*keep_capture)(void *ctx, const struct measurement *m, json_t *result);

	/* Flex sessions only. */
	double seconds;                    /* how long to track, at most */
	flexmon *fm;                       /* the tracker (the caller may read it meanwhile) */
	atomic_int *stop;                  /* set by anyone: end the session now (may be NULL) */
	void (*tracking)(void *ctx);       /* the first measurement is in, the tracker runs */
};

/* What a test measured and concluded, for a caller that needs more than
 * the result object (a calibration, a benchmark). */
struct session_outcome {
	int measured;                      /* 0: a station error; m and cl are not set */
	struct measurement m;              /* as captured: no calibration applied */
	struct classification cl;
};

/* One test through p: measure, classify (relative to s->cal), build the
 * result, keep the capture when it did not pass. Returns the result object
 * (a new reference; verdict "error" with the station error's code when the
 * stream failed), NULL only when out of memory. out may be NULL. */
json_t *session_test(const struct session *s, const struct pump *p, struct session_outcome *out);

/* The second half of a test, for a measurement made elsewhere (a capture
 * read back): calibration, classification, result. Same return as above. */
json_t *session_judge(const struct session *s, const struct measurement *m, struct session_outcome *out);

/* The result of a station error (errnum from a pump or a device open, msg
 * for people; NULL msg: worded from errnum and s->meta.device). */
json_t *session_error(const struct session *s, int errnum, const char *msg);

/* One calibration through p: the golden cable is tested against its
 * profile with CALIBRATION_GOLDEN_TOLERANCE; when its wiring is right,
 * *corrections gets the new reference (a new reference, see
 * calibration_corrections), else NULL. Returns the result ("kind":
 * "calibration"). */
json_t *session_calibrate(const struct session *s, const struct pump *p, json_t **corrections);

/* One flex session through p: a measurement (round trip, H, the static
 * verdict), then the tones play on and s->fm tracks every input for
 * dropouts for s->seconds, until *s->stop is set or the stream fails
 * (restarted after an xrun with a new measurement). Returns the result
 * ("kind": "flex", "flex": {…}, an "intermittent" fault when anything
 * dropped out). */
json_t *session_flex(const struct session *s, const struct pump *p);

#endif
