/* routes: what the HTTP API's handlers share — the server's state, one request, the input checks — and every handler. */
#ifndef TONEWIRE_ROUTES_H
#define TONEWIRE_ROUTES_H

#include <jansson.h>
#include <microhttpd.h>

#include "http.h"
#include "http_auth.h"
#include "http_gate.h"

#define HTTP_MAX_HOSTS 16
#define HTTP_WAIT_MAX_MS 120000   /* ?wait=1: longer than any test, shorter than a CI step timeout */
#define HTTP_ARG_MAX 32

/* The connection limits (README, Security). */
#define HTTP_HEAD_MAX (16 * 1024)        /* request line and header fields: 431 beyond */
#define HTTP_POOL (2 * HTTP_HEAD_MAX)     /* MHD's memory per connection: the head, then the answer's headers */
#define HTTP_TARGET_MAX 4096             /* path and query: 414 beyond */
#define HTTP_FIELDS_MAX 64               /* header fields: 431 beyond */
#define HTTP_REQUEST_MS 10000            /* to send a whole request, from the connection's start: 408 after */
#define HTTP_PENDING_PER_ADDRESS 64      /* connections still sending, per client address … */
#define HTTP_PENDING_MAX 512             /* … and in all: beyond, the oldest is closed to make room */
#define HTTP_ACTIVE_PER_ADDRESS 64       /* requests being answered (event streams too), per address: 503 beyond */
#define HTTP_IDLE_SECONDS 30             /* an answer nobody reads is dropped after this long */

struct http {
	struct http_ctx ctx;
	struct MHD_Daemon *d;
	http_gate *gate;             /* listens, and hands the daemon only whole, well-framed requests */
	http_auth *auth;             /* the token and the dashboard's sessions */
	unsigned port;
	unsigned n_hosts;
	char host[HTTP_MAX_HOSTS][96];   /* names this daemon answers to, without the port */
	char openapi[1024];              /* the API description served at /api/v1/openapi.json */
};

/* Per request: its body and what was decided on the first call. */
struct request {
	char *body;
	size_t len;
	int too_large;
	int rejected;               /* a response was queued on the first call */
	char arg[HTTP_ARG_MAX];     /* the {id} of the route */
	const char *url;            /* valid during the handler call */
};

/* A route's handler: queues exactly one answer (or returns MHD_NO). */
typedef enum MHD_Result (*route_fn)(http *h, struct MHD_Connection *c, struct request *rq);

/* One entry of the route table: path in OpenAPI's template form, where
 * "{name}" stands for one path segment. */
struct route {
	const char *method;
	const char *path;
	route_fn fn;
	int auth;                   /* 0: open to anyone; 1: the token or a session; 2: also ?token= */
};

/* 1 when the request may use a route of that auth level: no token is
 * configured, or it shows the token (Authorization: Bearer) or a live
 * session (the cookie of POST /api/v1/session), or, at level 2, ?token=. */
int http_allowed(http *h, struct MHD_Connection *c, int level);

/* A request header, or NULL. */
const char *http_header(struct MHD_Connection *c, const char *name);
/* A query parameter, or NULL. */
const char *http_query(struct MHD_Connection *c, const char *name);
/* 1 with the name in bad when the query has a parameter not in allowed
 * (NULL-terminated): a typo (?verdic=fail) must not silently return everything. */
int http_unknown_query(struct MHD_Connection *c, const char *const *allowed, char bad[64]);
/* A positive decimal id of at most 15 digits: 0, or -EINVAL. */
int http_parse_id(const char *s, long long *id);
/* NULL when js (NULL, null or a string) is a usable serial number, else
 * what is wrong with it; http_check_serial the same for a string. */
const char *http_serial_problem(json_t *js);
const char *http_check_serial(const char *s);
/* "2026-11-22", "2026-11-22T10:00:00Z" (UTC, Z optional) or Unix seconds:
 * 0 with *out, or -EINVAL. */
int http_parse_time(const char *s, long long *out);

/* The body as a JSON object with only the allowed fields (NULL-terminated);
 * an empty body is {} when empty_ok. On failure NULL, and an answer naming
 * what is wrong has been queued (*ret). */
json_t *http_body_object(struct MHD_Connection *c, struct request *rq, const char *const *fields, int empty_ok,
                         enum MHD_Result *ret);
/* The body of a request that names a cable (default: the station's) and a
 * serial (optional), only the allowed fields (NULL-terminated; an empty
 * body is {}): the object, with *cable and *serial checked (the strings
 * belong to it). NULL after queuing an answer that says what is wrong. */
json_t *http_cable_body(http *h, struct MHD_Connection *c, struct request *rq, const char *const *fields,
                        const char **cable, const char **serial, enum MHD_Result *ret);

/* routes_tests.c */
enum MHD_Result routes_test_start(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_history(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_test_get(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_capture_wav(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_capture_plan(http *h, struct MHD_Connection *c, struct request *rq);

/* routes_flex.c */
enum MHD_Result routes_flex_start(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_flex_get(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_flex_stop(http *h, struct MHD_Connection *c, struct request *rq);

/* routes_calibration.c */
enum MHD_Result routes_calibrate(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_calibrations(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_calibration_get(http *h, struct MHD_Connection *c, struct request *rq);

/* routes_learn.c */
enum MHD_Result routes_learn(http *h, struct MHD_Connection *c, struct request *rq);

/* routes_station.c */
enum MHD_Result routes_status(http *h, struct MHD_Connection *c, struct request *rq);

/* routes_line.c: a station on a production line (line_http.c answers) */
enum MHD_Result routes_operator_get(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_operator_set(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_operator_out(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_serial(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_serial_release(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_certificate(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_certificate_data(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_line_view(http *h, struct MHD_Connection *c, struct request *rq);
/* The retest policy of a test or trigger request that names serial: 0 when
 * it may be tested, else the answer it got (queued into *ret). */
int routes_line_refuses(http *h, struct MHD_Connection *c, const char *serial, json_t *o, enum MHD_Result *ret);
enum MHD_Result routes_devices(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_profiles(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_demo_list(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_demo_set(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_trigger_serial(http *h, struct MHD_Connection *c, struct request *rq);

/* routes_static.c */
enum MHD_Result routes_static(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_openapi(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_events(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_metrics(http *h, struct MHD_Connection *c, struct request *rq);
/* Where GET /api/v1/openapi.json reads from: the source tree's docs/ when
 * the dashboard is served from the source tree (a binary in the build
 * tree), else the installed data folder. */
void routes_openapi_path(const struct config_http *cfg, char *out, size_t len);

/* routes_stats.c */
enum MHD_Result routes_stats(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_shift(http *h, struct MHD_Connection *c, struct request *rq);

/* routes_session.c */
enum MHD_Result routes_session_get(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_login(http *h, struct MHD_Connection *c, struct request *rq);
enum MHD_Result routes_logout(http *h, struct MHD_Connection *c, struct request *rq);

#endif
