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

/* ---- Learning a cable from samples (session_learn.c, session_learn_file.c) ---- */

/* Messages of learning name files: room for a path. */
#define LEARN_ERR_MAX 512

/* One conductor a sample has: fixture contact indexes (a on end A, b on
 * end B), its series resistance, and how finely the jig resolves it. */
struct learn_wire {
	int a, b;
	double gain;                       /* measured Re H, output of a to input of b */
	double ohms;                       /* fitted series resistance, >= 0 */
	double sigma;                      /* its standard deviation from the noise */
	double model_sigma;                /* what the model tolerance (an uncalibrated
	                                      interface's gain) leaves unknown */
	double level_db;                   /* its level re a conductor of WIRING_DEFAULT_OHMS
	                                      (what a cable profile's level limit is held to) */
};

struct learn_sample {
	unsigned n;
	struct learn_wire w[WIRING_MAX];
};

/* What one learn step is asked to do, checked by learn_prepare. */
struct learn_request {
	char name[PROFILE_NAME_MAX];       /* the cable profile to write */
	char end_a[256], end_b[256];       /* as given: a connector, or labelled plugs */
	char dir[256];                     /* the profile folder: <dir>/cables/<name>.conf */
	int restart;                       /* forget a first sample of this name */
};

/* The jig with the two ends in it, unwired, into sc. -EINVAL with the
 * reason in err when the jig cannot see every conductor on its own (a
 * contact of socket A that no output drives, one of socket B that no input
 * senses single-ended, a tie, a load), or an end does not fit its socket;
 * -ENOENT for an unknown connector. */
int learn_station(const struct profiles *p, const struct tw_jig *jig, const char *end_a, const char *end_b,
                  struct station_cable *sc, char err[LEARN_ERR_MAX]);

/* Fill and check rq before anything is measured: name (NULL: made from the
 * ends) and its file, dir (NULL: the first folder of $TONEWIRE_PROFILES,
 * else the user's, profiles_user_dir), no profile of that name in dir yet,
 * and a first sample of that name, if one is kept, made on jig with these
 * ends (unless restart). 0, -EINVAL or -EEXIST with err. */
int learn_prepare(struct learn_request *rq, const char *name, const char *end_a, const char *end_b,
                  const char *dir, int restart, const char *jig, char err[LEARN_ERR_MAX]);

/* The conductors of an analysis made on a learn station (model_tol: the
 * relative tolerance of the interface model, CLASSIFY_MODEL_TOLERANCE
 * uncalibrated). 0; -ENODATA when no tone reached the far end; -EINVAL
 * when what arrived is not plain conductors (err says where). */
int learn_sample_of(const struct fixture *f, const struct analysis *an, double model_tol,
                    struct learn_sample *out, char err[LEARN_ERR_MAX]);

/* One learn step through p, on s->sc from learn_station (s->cls unused):
 * measure; with no first sample of rq->name, keep this one as the first;
 * with one, compare: the same wiring with resistances within tolerance
 * writes the profile, anything else saves nothing. Returns the result
 * ("kind": "learn", "learn": {…}; docs/result.md): verdict pass (sample kept
 * or profile saved), fail (the samples differ, or the sample is not plain
 * conductors), error (a station error). NULL only when out of memory. */
json_t *session_learn(const struct session *s, const struct pump *p, const struct learn_request *rq);

#endif
