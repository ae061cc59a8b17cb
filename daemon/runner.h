/* runner: one test at a time on the jig — idle → measuring → analysing → done — stored, counted and announced. */
#ifndef TONEWIRE_RUNNER_H
#define TONEWIRE_RUNNER_H

#include <jansson.h>

#include "engine.h"
#include "events.h"
#include "fleet_station.h"
#include "metrics.h"
#include "profiles.h"
#include "store.h"
#include "trigger.h"

#define RUNNER_ERR_MAX 256
#define RUNNER_SERIAL_MAX 64

typedef struct runner runner;

struct runner_cfg {
	engine *engine;
	store *store;
	events *events;               /* may be NULL */
	metrics *metrics;             /* may be NULL */
	const struct profiles *profiles;
	const struct tw_jig *jig;     /* copied */
	unsigned rate, windows;
	const char *capture_base;     /* URL prefix of captures: "/api/v1/tests" */
	const struct trigger_cfg *trigger;   /* NULL: tests start only when asked (trigger = manual) */
	fleet_station *station;       /* traceability: station id, line, operator; may be NULL */
};

/* Start the runner thread (it measures the round trip whenever the device
 * (re)opens). NULL on failure with err set. */
runner *runner_create(const struct runner_cfg *cfg, char err[RUNNER_ERR_MAX]);
void runner_destroy(runner *r);   /* accepts NULL */

/* Check a test request and queue it. cable is a profile name or path, serial
 * may be NULL. Returns 0 with the new test's *id; -EBUSY with *id of the
 * test in progress (0 while its id is being assigned); -ENOENT or -EINVAL
 * (err says what is wrong with the cable); -ECANCELED when shutting down;
 * -EIO when the store failed. */
int runner_submit(runner *r, const char *cable, const char *serial, long long *id,
                  char err[RUNNER_ERR_MAX]);

/* Scans that may wait for the jig (a barcode reader is faster than a test). */
#define RUNNER_QUEUE_MAX 16

/* runner_submit, but while the jig is busy the test waits its turn (a scan
 * during a running test): 0 with its id and *position (0: it runs now, n:
 * n-th in the queue); -EBUSY only when the queue is full. Queued tests are
 * recorded at once (as aborted, until they run) and run in order. */
int runner_submit_queued(runner *r, const char *cable, const char *serial, long long *id, unsigned *position,
                         char err[RUNNER_ERR_MAX]);

#define RUNNER_FLEX_MAX_SECONDS 3600

/* Queue a flex session: a measurement (round trip, H, the static verdict),
 * then continuous tones tracked for dropouts for at most seconds (1..3600),
 * every dropout announced as SSE event "flex". Its result is stored like a
 * test's, with "kind": "flex". Returns as runner_submit. */
int runner_submit_flex(runner *r, const char *cable, const char *serial, unsigned seconds,
                       long long *id, char err[RUNNER_ERR_MAX]);

/* Queue a calibration: a normal test of a golden cable (classified with
 * the calibration in force); only when its verdict is pass, the raw H of
 * every path the good cable carries, relative to the network model's ideal
 * gains, is stored as the jig's new active calibration (its id in the
 * result as "calibration_created"). The result has "kind": "calibration".
 * Returns as runner_submit. */
int runner_submit_calibrate(runner *r, const char *cable, const char *serial, long long *id,
                            char err[RUNNER_ERR_MAX]);

/* Queue a learn step on the jig (a per-contact one): a sample with ends
 * end_a and end_b (connector names, or labelled plugs) kept as the first
 * sample of cable profile name (NULL: made from the ends), or compared with
 * the first and the profile written when they agree (session_learn). The
 * profile goes into the first folder of [profiles] path, else the daemon
 * user's own folder, which must be one the daemon reads. Its result has
 * "kind": "learn". Returns as runner_submit, and -EEXIST when a profile of
 * that name is in that folder already; -EINVAL also for a jig that cannot
 * learn (err says why). */
int runner_submit_learn(runner *r, const char *end_a, const char *end_b, const char *name, int restart,
                        const char *serial, long long *id, char err[RUNNER_ERR_MAX * 2]);

/* Ask the flex session in progress to end (its id in *id; wait for its
 * result with runner_wait). 0; -EAGAIN when its id is being assigned;
 * -ENOENT when no flex session runs. */
int runner_flex_stop(runner *r, long long *id);

/* The flex session in progress ({"id", "state", "seconds", "elapsed_s",
 * "flex": {count, worst_ms, events}}) or the result of the last one since
 * the daemon started (with "state": "done"); NULL when neither. */
json_t *runner_flex_json(runner *r);

/* The serial of the next test the trigger starts (NULL or "" for none).
 * 0; -EINVAL when too long; -ENOTSUP when the trigger is manual. */
int runner_trigger_serial(runner *r, const char *serial);

/* Wait up to timeout_ms for test id to be stored. 0 with a new reference in
 * *result; -EIO when it ran but could not be stored (*result still set, with
 * "stored": false and "error"); -ETIMEDOUT; -ENOENT when id is not the test
 * in progress or the last one (it is in the store, or never was). */
int runner_wait(runner *r, long long id, int timeout_ms, json_t **result);

/* 1 when test id has been submitted (running or queued) but is not stored yet. */
int runner_pending(runner *r, long long id);

/* The status object of GET /api/v1/status (a new reference). */
json_t *runner_status_json(runner *r);

/* 1 while a test is queued or running (with its id in *id, may be NULL). */
int runner_busy(runner *r, long long *id);

/* Metrics gauges owned by the runner and engine. */
void runner_gauges(runner *r, struct metrics_gauges *g);

/* Switch the device (the simulator's scenario). -EBUSY during a test. */
int runner_set_device(runner *r, const char *device);

/* Refuse new tests and wait (up to timeout_ms) for the one in progress to be
 * stored. 0, or -ETIMEDOUT (its row keeps the aborted result). */
int runner_shutdown(runner *r, int timeout_ms);

#endif
