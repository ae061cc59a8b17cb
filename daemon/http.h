/* http: tonewired's HTTP API on libmicrohttpd — starting and stopping the server; the routes are in http.c's table. */
#ifndef TONEWIRE_HTTP_H
#define TONEWIRE_HTTP_H

#include <stdio.h>

#include "config.h"
#include "events.h"
#include "metrics.h"
#include "profiles.h"
#include "runner.h"
#include "store.h"

#define HTTP_ERR_MAX 256

typedef struct http http;

/* What the handlers work with; every pointer stays valid until http_stop. */
struct http_ctx {
	const struct config_http *cfg;
	const char *demo_dir;           /* scenarios offered by /api/v1/demo */
	const char *default_cable;      /* "" = a POST must name one */
	int queue_scans;                /* POST /api/v1/tests {"queue": true} may wait its turn */
	const struct profiles *profiles;
	const struct tw_jig *jig;
	runner *runner;
	store *store;
	events *events;
	metrics *metrics;
};

/* Bind and start serving. NULL with err set (address in use, …). */
http *http_start(const struct http_ctx *ctx, char err[HTTP_ERR_MAX]);
/* The port bound (the configured one, or the one the kernel chose for 0). */
unsigned http_port(const http *h);
/* Print every route of the API, one "METHOD PATH" line each (paths in
 * OpenAPI's template form, as docs/openapi.json writes them). */
void http_print_routes(FILE *out);
/* Stop accepting, finish every connection, free. Accepts NULL. */
void http_stop(http *h);

#endif
