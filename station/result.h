/* result: the result object (docs/result.md) as JSON, a report for people, and JUnit XML. */
#ifndef TONEWIRE_RESULT_H
#define TONEWIRE_RESULT_H

#include <jansson.h>
#include <stdio.h>

#include "classify.h"
#include "fixture.h"
#include "measure.h"

/* How every result is serialised (CLI, HTTP, store, events): 12
 * significant digits print 249.7 as 249.7, not 249.69999999999999. */
#define RESULT_JSON_REAL JSON_REAL_PRECISION(12)

struct result_meta {
	long long id;             /* 0 = not stored (a local run): "id": null */
	const char *serial;       /* may be NULL */
	const char *cable, *jig, *device;
	long long started_at;     /* Unix time, seconds */
	unsigned rate;
	double total_ms, classify_ms;
	const char *error;        /* station error message (no device …) when there is no measurement */
	const char *error_code;   /* its fault code ("device_busy", "device_lost", "xrun"…); NULL: "no_signal" */
	const char *kind;         /* "flex", "calibration" or "learn"; NULL: a test */
	long long calibration;    /* calibration id used, 0 = none */
	/* The cable's limits the classification was judged against: reported,
	 * with the measured values and margins, as "limits". NULL = none. */
	const struct classify_limits *limits;
	const char *format;       /* the device's sample format ("S24_3LE"), NULL = not known */
	/* Traceability (docs/result.md): NULL or "" = not known, left out. */
	const char *station, *line, *operator_name, *profile_sha256;
};

/* The result object. c and m may be NULL for a station error (verdict "error"
 * with meta->error). Returns a new reference, NULL on allocation failure. */
json_t *result_json(const struct result_meta *meta, const struct fixture *f,
                    const struct classification *c, const struct measurement *m);

/* The fault code of a station error that a stream ended with (a negative
 * errno from a pump): "device_busy", "device_lost", "xrun", "device_setup"
 * (-EACCES: a mixer control cannot be set as the interface's profile
 * needs), else "no_signal". */
const char *result_error_code(int errnum);

/* A readable report of a result object (as built above or read back). */
void result_print(FILE *out, const json_t *result, int color);

/* JUnit XML of one or more result objects (a JSON array or one object). Returns
 * 0 or -errno (the file could not be written). */
int result_write_junit(const char *path, const json_t *results);

/* CLI exit status of a result object (docs/result.md, contract): 0 pass, 1 fail, 3 error. */
int result_exit_status(const json_t *result);

/* "2026-11-22T10:00:00Z" */
void result_format_time(long long unix_s, char buf[32]);

#endif
