/* line_http: the routes of a station on a line — operator, serial lookup and release, retest policy, certificates, the line view. */
#ifndef TONEWIRE_LINE_HTTP_H
#define TONEWIRE_LINE_HTTP_H

#include <jansson.h>

#include "fleet_station.h"
#include "profiles.h"
#include "runner.h"
#include "store.h"

typedef struct line_http line_http;
/* Declared here so the HTTP layer needs no libpq headers (fleet.h, line.h). */
typedef struct fleet fleet;
typedef struct line line;

struct line_http_cfg {
	fleet_station *station;
	fleet *fleet;                    /* NULL: no line database */
	line *line;                      /* NULL: no line database */
	store *store;
	runner *runner;
	const struct profiles *profiles;
	const struct tw_jig *jig;
	const char *web_root;            /* where certificate.html is */
};

/* The routes' state (cfg copied; its objects must outlive it). NULL when
 * out of memory. */
line_http *line_http_create(const struct line_http_cfg *cfg);
void line_http_destroy(line_http *lh);   /* accepts NULL */

/* A request as the HTTP layer hands it over, with the services it offers
 * so these routes check and answer like every other route. */
struct line_request {
	const char *method, *url;
	const char *(*query)(struct line_request *rq, const char *name);
	/* 1 when a query parameter is not in allowed (its name in bad). */
	int (*unknown_query)(struct line_request *rq, const char *const *allowed, char bad[64]);
	/* The body as a JSON object with only these fields; NULL when an answer
	 * saying what is wrong was sent already (rq->answered is set). */
	json_t *(*body)(struct line_request *rq, const char *const *fields, int empty_ok);
	const char *(*check_serial)(const char *serial);          /* NULL, or why it is no serial */
	int (*parse_time)(const char *s, long long *unix_s);      /* a date, ISO time or Unix time: 0 or -EINVAL */
	void *http;                      /* the HTTP layer's own */
	int answered;
};

/* The answer: a JSON body, else {"error": error}, else the file. */
struct line_reply {
	unsigned status;
	json_t *json;                    /* taken by the HTTP layer */
	char error[512];
	char file[1024];
	const char *type;                /* of file */
};

typedef void (*line_http_fn)(line_http *lh, struct line_request *rq, struct line_reply *out);

/* The routes (docs/openapi.json, docs/line-database.md):
 *   GET, POST, DELETE /api/v1/operator                  line_http_operator
 *   GET  /api/v1/serials/{serial}                        line_http_serial
 *   POST /api/v1/serials/{serial}/release                line_http_release
 *   GET  /api/v1/tests/{id}/certificate                  line_http_certificate (the page)
 *   GET  /api/v1/tests/{id}/certificate.json             line_http_certificate_data
 *   GET  /api/v1/line/{yield,pareto,retests,spc,calibrations,stations,status}   line_http_view */
void line_http_operator(line_http *lh, struct line_request *rq, struct line_reply *out);
void line_http_serial(line_http *lh, struct line_request *rq, struct line_reply *out);
void line_http_release(line_http *lh, struct line_request *rq, struct line_reply *out);
void line_http_certificate(line_http *lh, struct line_request *rq, struct line_reply *out);
void line_http_certificate_data(line_http *lh, struct line_request *rq, struct line_reply *out);
void line_http_view(line_http *lh, struct line_request *rq, struct line_reply *out);

/* The retest policy for POST /api/v1/tests and /api/v1/trigger/serial:
 * 0 when serial may be tested (retest: the request's "retest", NULL or a
 * boolean), else the HTTP status (428 passed before and not confirmed, 423
 * locked, 400, 500) with the answer in *why (a new reference). */
unsigned line_http_admit(line_http *lh, const char *serial, const json_t *retest, json_t **why);

/* Add the station's place on the line and the forwarder to a status object. */
void line_http_status(line_http *lh, json_t *status);

/* The forwarder's metrics appended to a /metrics text (see fleet_metrics_append). */
char *line_http_metrics(line_http *lh, char *text);

#endif
