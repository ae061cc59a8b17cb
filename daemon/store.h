/* store: test results in SQLite (WAL, synchronous=FULL), versioned schema, history queries, capture retention. */
#ifndef TONEWIRE_STORE_H
#define TONEWIRE_STORE_H

#include <jansson.h>

#include "config.h"

#define STORE_ERR_MAX 256
#define STORE_LIMIT_MAX 1000

typedef struct store store;

/* Open (creating folders and the schema, or migrating an older one) the
 * database and capture folder of cfg (copied). NULL with a message in err. */
store *store_open(const struct config_store *cfg, char err[STORE_ERR_MAX]);
void store_close(store *s);   /* accepts NULL */

/* Reserve the id of a test about to run. Its row holds `aborted` (a result object, docs/result.md;
 * object with verdict "error") until store_finish replaces it, so a crash or
 * a stop in the middle leaves an honest record, never a half-written one.
 * The row stays out of the history until then; aborted gets its "id".
 * 0 or -EIO. */
int store_begin(store *s, const char *serial, const char *cable, const char *jig,
                long long started_at, json_t *aborted, long long *id);

/* Store the final result of test id (its "id" already set) and return only
 * once it is durable: committed with synchronous=FULL. 0, -ENOSPC (disk
 * full), -EROFS (read-only), or -EIO; store_begin fails the same ways. */
int store_finish(store *s, long long id, const json_t *result);

/* Why the last write failed, for people ("database or disk is full"). */
void store_error(store *s, char *buf, size_t len);

/* One result (a new reference in *out). 0, -ENOENT, or -EIO. */
int store_get(store *s, long long id, json_t **out);

struct store_query {
	const char *serial, *verdict, *cable;   /* NULL = any */
	const char *kind;                       /* "test", "flex", "calibration"; NULL = any */
	long long since;                        /* Unix seconds, 0 = any */
	unsigned limit;                         /* 1..STORE_LIMIT_MAX */
};

/* Results matching q, newest first, as a new JSON array in *out. 0 or -EIO. */
int store_list(store *s, const struct store_query *q, json_t **out);

/* Path of the files of test id's capture: <capture_dir>/test-<id>.<ext>. */
void store_capture_path(const store *s, long long id, const char *ext, char *path, size_t len);
const char *store_capture_dir(const store *s);

/* Record that test id's capture files exist, then delete the oldest captures
 * beyond the retention count. 0 or -EIO. */
int store_capture_kept(store *s, long long id);
/* 1 when test id has a capture on disk, 0 when not (or unknown). */
int store_has_capture(store *s, long long id);

/* A calibration: per-jig corrections learnt from a verified golden cable. */
struct store_calibration {
	long long created_at;         /* Unix seconds */
	const char *jig, *cable, *device;
	long long test;               /* the verifying test, 0 = none */
};

/* Store a new calibration and make it the jig's only active one, in one
 * transaction; its id in *id. 0, -ENOMEM or -EIO. */
int store_calibration_add(store *s, const struct store_calibration *c, const json_t *corrections, long long *id);

/* The active calibration of a jig, or one by id, as {"id", "created_at",
 * "jig", "cable", "device", "test", "active", "corrections"} (a new
 * reference). 0, -ENOENT or -EIO. */
int store_calibration_active(store *s, const char *jig, json_t **out);
int store_calibration_get(store *s, long long id, json_t **out);

/* Every calibration, newest first, without corrections. 0 or -EIO. */
int store_calibration_list(store *s, unsigned limit, json_t **out);

/* A station on a line (store_line.c): the outbox of the line database, the
 * retest policy's view of a serial, and state that survives a restart. */

/* fn(ctx) runs on the writing thread, without the store's lock, whenever a
 * row joins the outbox (a result stored, a calibration added). */
void store_set_notify(store *s, void (*fn)(void *ctx), void *ctx);

/* The oldest rows the line database does not have yet: up to max results
 * (result objects with their "id"), oldest first, into *results, and up to max
 * calibrations (as store_calibration_get gives them) into *calibrations;
 * two new arrays. 0 or -EIO. */
int store_outbox_next(store *s, unsigned max, json_t **results, json_t **calibrations);

/* The line database has committed these rows: they leave the outbox, in
 * one transaction. 0 or -errno. */
int store_outbox_ack(store *s, const long long *tests, unsigned n_tests, const long long *cals, unsigned n_cals);

/* Rows waiting in the outbox (results and calibrations); -1 when unreadable. */
long long store_outbox_backlog(store *s);

/* What this station knows of one serial (tests of kind "test"). */
struct store_serial {
	long long tests;            /* how many, whatever their verdict */
	long long last_pass;        /* id of the newest pass, 0 = none */
	long long last_pass_at;     /* its start, Unix seconds */
	long long fails;            /* failures since the last release */
	long long released;         /* id of the last release, 0 = none */
};

/* 0 (all zero for an unknown serial) or -EIO. */
int store_serial_state(store *s, const char *serial, struct store_serial *out);

/* A supervisor releases a locked serial: the failures so far stop counting.
 * The release's id in *id. 0 or -errno. */
int store_serial_release(store *s, const char *serial, const char *supervisor, const char *reason,
                         long long *id);

/* The releases of a serial, newest first ({"id", "released_at",
 * "supervisor", "reason", "after_test"}), a new array. 0 or -EIO. */
int store_serial_releases(store *s, const char *serial, json_t **out);

/* A named value kept across restarts (the operator logged in). get: 0,
 * -ENOENT or -EIO; set (value NULL deletes): 0 or -errno. */
int store_state_get(store *s, const char *key, char *buf, size_t len);
int store_state_set(store *s, const char *key, const char *value);

/* The counts of tests (kind "test") started at or after since (Unix
 * seconds) whose id is above after, store_stats.c: {"tests", "pass",
 * "fail", "error", "units", "first_pass", "final_pass", "first_pass_yield",
 * "final_yield" (null without units), "cables": [the same per cable, with
 * "cable"]}, a new object in *out. 0, -ENOMEM or -EIO. */
int store_stats(store *s, long long since, long long after, json_t **out);
/* The newest id given to any row of tests (0: none yet), -1 when unreadable. */
long long store_last_id(store *s);

/* Schema version of the open database. */
int store_schema_version(store *s);

#endif
