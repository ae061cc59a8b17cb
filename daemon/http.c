/* http: tonewired's HTTP server core — Host/Origin/token checks, the route table and dispatch, on libmicrohttpd. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "reply.h"
#include "routes.h"

/* Every route of the API, and only here. Paths are in OpenAPI's template
 * form so tests compare them with docs/openapi.json as they are. */
static const struct route routes[] = {
	{ "GET", "/api/v1/status", routes_status, 1 },
	{ "GET", "/api/v1/devices", routes_devices, 1 },
	{ "GET", "/api/v1/profiles", routes_profiles, 1 },
	{ "POST", "/api/v1/tests", routes_test_start, 1 },
	{ "GET", "/api/v1/tests", routes_history, 1 },
	{ "GET", "/api/v1/tests/{id}", routes_test_get, 1 },
	{ "GET", "/api/v1/stats", routes_stats, 1 },
	{ "POST", "/api/v1/shift", routes_shift, 1 },
	{ "GET", "/api/v1/tests/{id}/capture.wav", routes_capture_wav, 1 },
	{ "GET", "/api/v1/tests/{id}/capture.json", routes_capture_plan, 1 },
	{ "POST", "/api/v1/calibrate", routes_calibrate, 1 },
	{ "GET", "/api/v1/calibrations", routes_calibrations, 1 },
	{ "GET", "/api/v1/calibrations/{id}", routes_calibration_get, 1 },
	{ "POST", "/api/v1/learn", routes_learn, 1 },
	{ "POST", "/api/v1/flex", routes_flex_start, 1 },
	{ "GET", "/api/v1/flex", routes_flex_get, 1 },
	{ "DELETE", "/api/v1/flex", routes_flex_stop, 1 },
	{ "POST", "/api/v1/trigger/serial", routes_trigger_serial, 1 },
	{ "GET", "/api/v1/events", routes_events, 2 },
	{ "GET", "/api/v1/demo", routes_demo_list, 1 },
	{ "PUT", "/api/v1/demo", routes_demo_set, 1 },
	{ "GET", "/api/v1/openapi.json", routes_openapi, 0 },
	{ "GET", "/api/v1/session", routes_session_get, 0 },
	{ "POST", "/api/v1/session", routes_login, 0 },
	{ "DELETE", "/api/v1/session", routes_logout, 0 },
	{ "GET", "/metrics", routes_metrics, 1 },
	{ "GET", "/api/v1/operator", routes_operator_get, 1 },
	{ "POST", "/api/v1/operator", routes_operator_set, 1 },
	{ "DELETE", "/api/v1/operator", routes_operator_out, 1 },
	{ "GET", "/api/v1/serials/{serial}", routes_serial, 1 },
	{ "POST", "/api/v1/serials/{serial}/release", routes_serial_release, 1 },
	{ "GET", "/api/v1/tests/{id}/certificate", routes_certificate, 0 },   /* the page only; its data needs the token */
	{ "GET", "/api/v1/tests/{id}/certificate.json", routes_certificate_data, 1 },
	{ "GET", "/api/v1/line/{view}", routes_line_view, 1 },
};

void http_print_routes(FILE *out)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		fprintf(out, "%s %s\n", routes[i].method, routes[i].path);
}

static int host_allowed(const http *h, const char *name, size_t len)
{
	for (unsigned i = 0; i < h->n_hosts; i++)
		if (strlen(h->host[i]) == len && !strncasecmp(h->host[i], name, len))
			return 1;
	return 0;
}

/* "name:port", "[v6]:port", or the name alone when we are on port 80. */
static int authority_ok(const http *h, const char *auth)
{
	const char *colon;
	size_t name_len;
	if (!auth || !*auth)
		return 0;
	if (auth[0] == '[') {
		const char *end = strchr(auth, ']');
		if (!end)
			return 0;
		name_len = (size_t)(end - auth) + 1;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (!colon && end[1])
			return 0;
	} else {
		colon = strchr(auth, ':');
		name_len = colon ? (size_t)(colon - auth) : strlen(auth);
	}
	unsigned port = 80;
	if (colon) {
		char *e;
		unsigned long p = strtoul(colon + 1, &e, 10);
		if (*e || !colon[1] || p > 65535)
			return 0;
		port = (unsigned)p;
	}
	return port == h->port && host_allowed(h, auth, name_len);
}

int http_allowed(http *h, struct MHD_Connection *c, int level)
{
	if (!level || !http_auth_required(h->auth))
		return 1;
	const char *bearer = http_header(c, MHD_HTTP_HEADER_AUTHORIZATION);
	if (bearer && !strncasecmp(bearer, "Bearer ", 7))
		return http_auth_token_ok(h->auth, bearer + 7);
	if (http_auth_session_ok(h->auth, MHD_lookup_connection_value(c, MHD_COOKIE_KIND, HTTP_AUTH_COOKIE)))
		return 1;
	/* For clients that can send neither; a browser logs in instead, since a
	 * URL ends up in histories and logs. */
	return level == 2 && http_auth_token_ok(h->auth, http_query(c, "token"));
}

static int is_write(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && strcmp(method, "OPTIONS") != 0;
}

/* DNS rebinding and cross-site requests, before anything else is looked
 * at. 1 when the request passes; 0 when an answer was queued (*ret). */
static int screen(http *h, struct MHD_Connection *c, const char *method, enum MHD_Result *ret)
{
	const char *host = http_header(c, MHD_HTTP_HEADER_HOST);
	if (!host) {
		*ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "Host header required");
		return 0;
	}
	if (!authority_ok(h, host)) {
		*ret = reply_error(c, MHD_HTTP_FORBIDDEN,
		                   "Host '%.100s' is not this station (use http://127.0.0.1:%u/ or a name in [http] hosts)",
		                   host, h->port);
		return 0;
	}
	if (is_write(method)) {
		const char *origin = http_header(c, "Origin");
		const char *site = http_header(c, "Sec-Fetch-Site");
		if (origin && !(!strncasecmp(origin, "http://", 7) && authority_ok(h, origin + 7))) {
			*ret = reply_error(c, MHD_HTTP_FORBIDDEN, "cross-origin %s from '%.100s' refused", method, origin);
			return 0;
		}
		if (!origin && site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0) {
			*ret = reply_error(c, MHD_HTTP_FORBIDDEN, "cross-site %s refused (Sec-Fetch-Site: %.40s)", method, site);
			return 0;
		}
	}
	return 1;
}

/* 1 when url has the shape of path, where "{name}" matches one non-empty
 * segment (the last one matched is copied to arg). */
static int match(const char *path, const char *url, char *arg, size_t len)
{
	while (*path && *url) {
		if (*path == '{') {
			const char *close = strchr(path, '}');
			size_t n = strcspn(url, "/");
			if (!close || !n)
				return 0;
			snprintf(arg, len, "%.*s", (int)n, url);
			url += n;
			path = close + 1;
			continue;
		}
		if (*path++ != *url++)
			return 0;
	}
	return !*path && !*url;
}

static enum MHD_Result dispatch(http *h, struct MHD_Connection *c, const char *url, const char *method,
                                struct request *rq)
{
	const char *m = strcmp(method, "HEAD") ? method : "GET";
	char allow[64] = "";
	int path_known = 0;

	rq->url = url;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *r = &routes[i];
		if (!match(r->path, url, rq->arg, sizeof(rq->arg)))
			continue;
		path_known = 1;
		if (strcmp(r->method, m) != 0) {
			size_t n = strlen(allow);
			snprintf(allow + n, sizeof(allow) - n, "%s%s", n ? ", " : "", r->method);
			continue;
		}
		if (!http_allowed(h, c, r->auth))
			return reply_error_with(c, MHD_HTTP_UNAUTHORIZED, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
			                        "Bearer realm=\"tonewire\"",
			                        "a valid bearer token (Authorization: Bearer …) or a session "
			                        "(POST /api/v1/session) is required");
		return r->fn(h, c, rq);
	}
	if (path_known)
		return reply_error_with(c, MHD_HTTP_METHOD_NOT_ALLOWED, MHD_HTTP_HEADER_ALLOW, allow,
		                        "%s is not allowed here (allowed: %s)", method, allow);
	if (!strncmp(url, "/api/", 5) || !strcmp(url, "/api"))
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no such API route: %.200s", url);
	if (strcmp(m, "GET") != 0)
		return reply_error_with(c, MHD_HTTP_METHOD_NOT_ALLOWED, MHD_HTTP_HEADER_ALLOW, "GET",
		                        "%s is not allowed here (allowed: GET)", method);
	return routes_static(h, c, rq);
}

/* The first call of a request (its head is complete): screen it, refuse a
 * body too large for max_body up front. */
static enum MHD_Result first_call(http *h, struct MHD_Connection *c, const char *method, struct request *rq)
{
	enum MHD_Result ret = MHD_YES;
	if (!screen(h, c, method, &ret)) {
		/* Answered already: MHD reads no body after that. */
		rq->rejected = 1;
		return ret;
	}
	const char *cl = http_header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		char *end;
		unsigned long long n = strtoull(cl, &end, 10);
		if (*end || n > h->ctx.cfg->max_body) {
			rq->rejected = 1;
			return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "body: larger than %zu bytes", h->ctx.cfg->max_body);
		}
	}
	return MHD_YES;
}

/* Collects the body; chunked bodies have no Content-Length to refuse up front. */
static enum MHD_Result take_upload(http *h, struct request *rq, const char *upload, size_t n)
{
	if (rq->too_large || rq->len + n > h->ctx.cfg->max_body) {
		rq->too_large = 1;
		return MHD_YES;
	}
	char *p = realloc(rq->body, rq->len + n + 1);
	if (!p)
		return MHD_NO;
	memcpy(p + rq->len, upload, n);
	rq->body = p;
	rq->len += n;
	rq->body[rq->len] = '\0';
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	http *h = cls;
	struct request *rq = *con_cls;
	(void)version;

	if (!rq) {
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		*con_cls = rq;
		return first_call(h, c, method, rq);
	}
	if (rq->rejected) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		return take_upload(h, rq, upload, n);
	}
	if (rq->too_large)
		return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "body: larger than %zu bytes", h->ctx.cfg->max_body);
	return dispatch(h, c, url, method, rq);
}

/* A handed-over connection, for counting it out of the gate's requests in
 * progress once: when its answer is done (the connection only closes
 * after that, and may take a while on a busy machine), or when it closes. */
struct handed {
	int out;
};

static void count_out(http *h, struct MHD_Connection *c, struct handed *hd)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (hd->out || !h->gate || !ci || !ci->client_addr)
		return;
	hd->out = 1;
	http_gate_closed(h->gate, ci->client_addr);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	http *h = cls;
	struct request *rq = *con_cls;
	(void)toe;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci && ci->socket_context)
		count_out(h, c, ci->socket_context);
	if (rq) {
		free(rq->body);
		free(rq);
		*con_cls = NULL;
	}
}

__attribute__((format(printf, 2, 0)))
static void on_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("tonewired: http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

static void add_host(http *h, const char *name)
{
	if (h->n_hosts < HTTP_MAX_HOSTS && name && *name && strlen(name) < sizeof(h->host[0]))
		snprintf(h->host[h->n_hosts++], sizeof(h->host[0]), "%s", name);
}

/* The names this daemon answers to: anything else in Host is a rebinding
 * attempt or a misdirected request. */
static void add_hosts(http *h, const char *addr)
{
	add_host(h, "localhost");
	add_host(h, "127.0.0.1");
	add_host(h, "[::1]");
	if (strchr(addr, ':')) {
		char b[96];
		snprintf(b, sizeof(b), "[%s]", addr);
		add_host(h, b);
	} else if (strcmp(addr, "0.0.0.0") != 0) {
		add_host(h, addr);
	}
	char name[256];
	if (!config_is_loopback(addr) && gethostname(name, sizeof(name)) == 0) {
		name[sizeof(name) - 1] = '\0';
		add_host(h, name);
	}
	char hosts[sizeof(h->ctx.cfg->hosts)];
	snprintf(hosts, sizeof(hosts), "%s", h->ctx.cfg->hosts);
	for (char *save = NULL, *t = strtok_r(hosts, " ,", &save); t; t = strtok_r(NULL, " ,", &save))
		add_host(h, t);
}

/* A connection the gate hands over: its whole request is waiting in it. */
static int take(void *cls, int fd, const struct sockaddr *addr, socklen_t len)
{
	http *h = cls;
	return MHD_add_connection(h->d, fd, addr, len) == MHD_YES ? 0 : -1;
}

/* A connection the gate handed over starts (it was counted in then) and ends. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
	http *h = cls;
	struct handed *hd = *socket_context;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		hd = calloc(1, sizeof(*hd));
		if (!hd) {   /* out of memory: counted out now rather than never */
			struct handed once = { 0 };
			count_out(h, c, &once);
		}
		*socket_context = hd;
		return;
	}
	if (hd) {
		count_out(h, c, hd);
		free(hd);
		*socket_context = NULL;
	}
}

/* The limits of the connection gate, sized for a bench: a station has a few
 * dashboards and CI jobs as clients, none of which needs long to send a
 * request of at most a few kilobytes. */
static struct http_gate_cfg gate_cfg(http *h, const struct sockaddr *sa, socklen_t len)
{
	return (struct http_gate_cfg){
		.addr = sa, .addr_len = len,
		.limits = { .head_max = HTTP_HEAD_MAX, .target_max = HTTP_TARGET_MAX, .fields_max = HTTP_FIELDS_MAX,
		            .body_max = h->ctx.cfg->max_body },
		.request_ms = HTTP_REQUEST_MS,
		.pending_per_address = HTTP_PENDING_PER_ADDRESS, .pending_max = HTTP_PENDING_MAX,
		.active_per_address = HTTP_ACTIVE_PER_ADDRESS,
		.active_max = h->ctx.cfg->max_clients + 2 * HTTP_ACTIVE_PER_ADDRESS,
		.take = take, .take_cls = h,
	};
}

http *http_start(const struct http_ctx *ctx, char err[HTTP_ERR_MAX])
{
	http *h = calloc(1, sizeof(*h));
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	struct sockaddr *sa;
	socklen_t sa_len;
	char gerr[HTTP_GATE_ERR_MAX];

	err[0] = '\0';
	if (!h) {
		snprintf(err, HTTP_ERR_MAX, "out of memory");
		return NULL;
	}
	h->ctx = *ctx;
	if (!(h->auth = http_auth_create(ctx->cfg->token))) {
		snprintf(err, HTTP_ERR_MAX, "out of memory");
		free(h);
		return NULL;
	}
	routes_openapi_path(ctx->cfg, h->openapi, sizeof(h->openapi));
	const char *addr = ctx->cfg->address;
	memset(&a4, 0, sizeof(a4));
	memset(&a6, 0, sizeof(a6));
	if (inet_pton(AF_INET, addr, &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		a4.sin_port = htons((uint16_t)ctx->cfg->port);
		sa = (struct sockaddr *)&a4;
		sa_len = sizeof(a4);
	} else if (inet_pton(AF_INET6, addr, &a6.sin6_addr) == 1) {
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons((uint16_t)ctx->cfg->port);
		sa = (struct sockaddr *)&a6;
		sa_len = sizeof(a6);
	} else {
		snprintf(err, HTTP_ERR_MAX, "[http] address '%s' is not a numeric address", addr);
		http_auth_destroy(h->auth);
		free(h);
		return NULL;
	}
	struct http_gate_cfg gc = gate_cfg(h, sa, sa_len);
	/* No listening socket of its own: the gate accepts. One thread per
	 * connection it is handed, which only a whole request gets, so a
	 * handler may block (?wait=1, an event stream) without holding up others. */
	h->d = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET | MHD_USE_INTERNAL_POLLING_THREAD |
	                        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL | MHD_USE_ERROR_LOG,
	                        0, NULL, NULL, on_request, h,
	                        MHD_OPTION_EXTERNAL_LOGGER, on_log, h,
	                        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
	                        MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
	                        MHD_OPTION_CONNECTION_LIMIT, gc.active_max + 16,
	                        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_SECONDS,
	                        /* The head (at most HTTP_HEAD_MAX, whole before it is
	                         * handed over) and the answer's headers. At 32 KiB or
	                         * less MHD takes the pool from malloc, not a fresh
	                         * mmap per connection, whose munmap stops every core
	                         * to flush its TLB: at one connection per request
	                         * that was most of the daemon's time. */
	                        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_POOL,
	                        /* Handlers keep big structs on the heap; 256 KiB per
	                         * connection thread keeps many clients cheap. */
	                        MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024),
	                        MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, HTTP_ERR_MAX, "cannot start the HTTP server");
		http_auth_destroy(h->auth);
		free(h);
		return NULL;
	}
	if (!(h->gate = http_gate_start(&gc, gerr))) {
		snprintf(err, HTTP_ERR_MAX, "cannot listen on %s port %u (%.100s)", addr, ctx->cfg->port, gerr);
		MHD_stop_daemon(h->d);
		http_auth_destroy(h->auth);
		free(h);
		return NULL;
	}
	h->port = http_gate_port(h->gate);
	add_hosts(h, addr);
	return h;
}

unsigned http_port(const http *h) { return h->port; }

void http_stop(http *h)
{
	if (!h)
		return;
	/* No new connections, then the handed-over ones end (and are counted
	 * out by the gate, which is freed last). */
	http_gate_stop(h->gate);
	if (h->d)
		MHD_stop_daemon(h->d);
	http_gate_destroy(h->gate);
	http_auth_destroy(h->auth);
	free(h);
}
