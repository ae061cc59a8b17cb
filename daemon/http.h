/* http: the HTTP API of DESIGN §6 on libmicrohttpd — routes, JSON errors, the Host/Origin/token rules, static files. */
#ifndef TONEWIRE_HTTP_H
#define TONEWIRE_HTTP_H

#include "config.h"
#include "events.h"
#include "line_http.h"
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
	const struct profiles *profiles;
	const struct tw_jig *jig;
	runner *runner;
	store *store;
	events *events;
	metrics *metrics;
	line_http *line;                /* the station on a line (line_http.c); may be NULL */
};

/* Bind and start serving. NULL with err set (address in use, …). */
http *http_start(const struct http_ctx *ctx, char err[HTTP_ERR_MAX]);
/* The port bound (the configured one, or the one the kernel chose for 0). */
unsigned http_port(const http *h);
/* Stop accepting, finish every connection, free. Accepts NULL. */
void http_stop(http *h);

#endif
