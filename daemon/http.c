/* http: the HTTP API of DESIGN §6 on libmicrohttpd — routes, JSON errors, the Host/Origin/token rules, static files. */
#include "http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"

#define MAX_HOSTS 16
#define WAIT_MAX_MS 120000   /* ?wait=1: longer than any test, shorter than a CI step timeout */

struct http {
	struct http_ctx ctx;
	struct MHD_Daemon *d;
	unsigned port;
	unsigned n_hosts;
	char host[MAX_HOSTS][96];   /* names this daemon answers to, without the port */
};

/* Per request: its body and what was decided on the first call. */
struct request {
	char *body;
	size_t len;
	int too_large;
	int rejected;               /* a response was queued on the first call */
	char arg[32];               /* the {id} of the route */
	const char *url;            /* valid during the handler call */
};

typedef enum MHD_Result (*handler_fn)(http *h, struct MHD_Connection *c, struct request *rq);

struct route {
	const char *method;
	const char *pattern;        /* '*' matches one path segment */
	handler_fn fn;
	int needs_token;
};


static void common_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned status, json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12)) : NULL;
	json_decref(body);
	if (!text)
		return MHD_NO;
	size_t n = strlen(text);
	/* A newline so curl output ends cleanly in a terminal. */
	char *with_nl = realloc(text, n + 2);
	if (!with_nl) {
		free(text);
		return MHD_NO;
	}
	with_nl[n] = '\n';
	with_nl[n + 1] = '\0';
	struct MHD_Response *r = MHD_create_response_from_buffer(n + 1, with_nl, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(with_nl);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	common_headers(r);
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

__attribute__((format(printf, 3, 4)))
static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_t *o = json_object();
	json_object_set_new(o, "error", json_string(msg));
	return reply_json(c, status, o);
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, char *text,
                                  const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	common_headers(r);
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}


static const char *header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static const char *query(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

struct query_check {
	const char *const *allowed;
	char bad[64];
};

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct query_check *q = cls;
	(void)kind;
	(void)value;
	for (const char *const *a = q->allowed; *a; a++)
		if (!strcmp(key, *a))
			return MHD_YES;
	snprintf(q->bad, sizeof(q->bad), "%s", key);
	return MHD_NO;
}

/* Unknown query parameters are answered with 400: a typo (?verdic=fail)
 * must not silently return everything. */
static int unknown_query(struct MHD_Connection *c, const char *const *allowed, char bad[64])
{
	struct query_check q = { allowed, "" };
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_arg, &q);
	if (q.bad[0]) {
		snprintf(bad, 64, "%s", q.bad);
		return 1;
	}
	return 0;
}

static int parse_id(const char *s, long long *id)
{
	char *end;
	if (!s || !isdigit((unsigned char)s[0]) || strlen(s) > 15)
		return -EINVAL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*end || errno || v <= 0)
		return -EINVAL;
	*id = v;
	return 0;
}

/* A profile name from outside: letters, digits, . _ - only. Paths would let
 * a client make the daemon read any file as a profile. */
static const char *check_name(const char *s, size_t max)
{
	if (!s[0])
		return "must not be empty";
	if (strlen(s) > max)
		return "is too long";
	if (s[0] == '.')
		return "must not start with '.'";
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return "may only contain letters, digits, '.', '_' and '-'";
	return NULL;
}

static const char *check_serial(const char *s)
{
	size_t n = strlen(s);
	if (!n)
		return "must not be empty (leave it out instead)";
	if (n > RUNNER_SERIAL_MAX)
		return "is longer than 64 characters";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "must not contain control characters";
	return NULL;
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

static int token_ok(const http *h, struct MHD_Connection *c, int allow_query)
{
	const char *want = h->ctx.cfg->token, *got = NULL;
	const char *auth = header(c, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!want[0])
		return 1;
	if (auth && !strncasecmp(auth, "Bearer ", 7))
		got = auth + 7;
	else if (allow_query)
		got = query(c, "token");   /* EventSource cannot send headers */
	if (!got)
		return 0;
	size_t n = strlen(want);
	if (strlen(got) != n)
		return 0;
	unsigned char diff = 0;
	for (size_t i = 0; i < n; i++)   /* constant time: no early exit */
		diff |= (unsigned char)(want[i] ^ got[i]);
	return diff == 0;
}

static int is_write(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && strcmp(method, "OPTIONS") != 0;
}

/* DNS rebinding and cross-site requests, before anything else is looked
 * at. 1 when the request passes; 0 when an answer was queued (*ret). */
static int screen(http *h, struct MHD_Connection *c, const char *method, enum MHD_Result *ret)
{
	const char *host = header(c, MHD_HTTP_HEADER_HOST);
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
		const char *origin = header(c, "Origin");
		const char *site = header(c, "Sec-Fetch-Site");
		if (origin && !(!strncasecmp(origin, "http://", 7) && authority_ok(h, origin + 7))) {
			*ret = reply_error(c, MHD_HTTP_FORBIDDEN, "cross-origin %s from '%.100s' refused", method, origin);
			return 0;
		}
		if (!origin && site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0) {
			*ret = reply_error(c, MHD_HTTP_FORBIDDEN, "cross-site %s refused (Sec-Fetch-Site: %.40s)",
			                   method, site);
			return 0;
		}
	}
	return 1;
}


static enum MHD_Result h_status(http *h, struct MHD_Connection *c, struct request *rq)
{
	(void)rq;
	json_t *s = runner_status_json(h->ctx.runner);
	char path[512];
	if (s && demo_scenario_path(json_string_value(json_object_get(s, "device")), path, sizeof(path))) {
		struct demo_info info;
		if (demo_info_read(path, &info) == 0)
			json_object_set_new(s, "scenario", json_string(info.name));
	}
	if (s && h->ctx.default_cable[0])
		json_object_set_new(s, "cable", json_string(h->ctx.default_cable));
	if (s && h->ctx.line)
		line_http_status(h->ctx.line, s);
	return reply_json(c, MHD_HTTP_OK, s);
}

static json_t *end_json(const struct tw_end *e)
{
	json_t *plugs = json_array();
	for (unsigned i = 0; i < e->n_plugs; i++) {
		json_t *p = json_object();
		json_object_set_new(p, "label", json_string(e->label[i]));
		json_object_set_new(p, "connector", json_string(e->plug[i].name));
		json_array_append_new(plugs, p);
	}
	return plugs;
}

static void end_spec(const struct tw_end *e, char *buf, size_t len)
{
	buf[0] = '\0';
	for (unsigned i = 0; i < e->n_plugs; i++) {
		size_t n = strlen(buf);
		if (e->label[i][0])
			snprintf(buf + n, len - n, "%s%s:%s", i ? " " : "", e->label[i], e->plug[i].name);
		else
			snprintf(buf + n, len - n, "%s%s", i ? " " : "", e->plug[i].name);
	}
}

static enum MHD_Result h_profiles(http *h, struct MHD_Connection *c, struct request *rq)
{
	enum { MAXP = 256 };
	char (*names)[PROFILE_NAME_MAX] = calloc(MAXP, PROFILE_NAME_MAX);
	struct tw_connector *con = calloc(1, sizeof(*con));
	struct tw_cable *cab = calloc(1, sizeof(*cab));
	struct tw_jig *jig = calloc(1, sizeof(*jig));
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct wiring *w = calloc(1, sizeof(*w));
	json_t *out = json_object(), *cons = json_array(), *cabs = json_array(), *jigs = json_array();
	char err[PROFILE_ERR_MAX], spec[256];
	unsigned n;
	(void)rq;

	if (!names || !con || !cab || !jig || !fx || !w) {
		json_decref(cons);
		json_decref(cabs);
		json_decref(jigs);
		json_decref(out);
		out = NULL;
		goto done;
	}
	n = profiles_list(h->ctx.profiles, PROFILE_CONNECTOR, names, MAXP);
	for (unsigned i = 0; i < n; i++) {
		if (profiles_load_connector(h->ctx.profiles, names[i], con, err) < 0)
			continue;
		json_t *o = json_object(), *contacts = json_array();
		for (unsigned k = 0; k < con->n_contacts; k++) {
			json_t *ct = json_object();
			json_object_set_new(ct, "name", json_string(con->contact[k]));
			json_object_set_new(ct, "role", json_string(role_name(con->role[k])));
			json_array_append_new(contacts, ct);
		}
		json_object_set_new(o, "name", json_string(con->name));
		json_object_set_new(o, "description", json_string(con->description));
		json_object_set_new(o, "contacts", contacts);
		json_array_append_new(cons, o);
	}
	n = profiles_list(h->ctx.profiles, PROFILE_CABLE, names, MAXP);
	for (unsigned i = 0; i < n; i++) {
		if (profiles_load_cable(h->ctx.profiles, names[i], cab, err) < 0)
			continue;
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(cab->name));
		json_object_set_new(o, "description", json_string(cab->description));
		end_spec(&cab->a, spec, sizeof(spec));
		json_object_set_new(o, "end_a", json_string(spec));
		end_spec(&cab->b, spec, sizeof(spec));
		json_object_set_new(o, "end_b", json_string(spec));
		json_object_set_new(o, "plugs_a", end_json(&cab->a));
		json_object_set_new(o, "plugs_b", end_json(&cab->b));
		/* Whether the station's jig can take it: what the dashboard offers. */
		json_object_set_new(o, "fits_jig", json_boolean(profiles_fixture(h->ctx.jig, cab, fx, w, err) == 0));
		json_array_append_new(cabs, o);
	}
	n = profiles_list(h->ctx.profiles, PROFILE_JIG, names, MAXP);
	for (unsigned i = 0; i < n; i++) {
		if (profiles_load_jig(h->ctx.profiles, names[i], jig, err) < 0)
			continue;
		json_t *o = json_object(), *sockets = json_object(), *outs = json_array(), *ins = json_array();
		end_spec(&jig->socket_a, spec, sizeof(spec));
		json_object_set_new(sockets, "a", json_string(spec));
		end_spec(&jig->socket_b, spec, sizeof(spec));
		json_object_set_new(sockets, "b", json_string(spec));
		const struct fixture *f = &jig->fixture;
		for (unsigned k = 0; k < f->n_outputs; k++)
			json_array_append_new(outs, json_string(f->contact[f->output[k]].name));
		for (unsigned k = 0; k < f->n_inputs; k++) {
			char nm[2 * FIXTURE_NAME_MAX + 4];
			if (f->input_neg[k] < 0)
				snprintf(nm, sizeof(nm), "%s", f->contact[f->input_pos[k]].name);
			else
				snprintf(nm, sizeof(nm), "+%s -%s", f->contact[f->input_pos[k]].name,
				         f->contact[f->input_neg[k]].name);
			json_array_append_new(ins, json_string(nm));
		}
		json_object_set_new(o, "name", json_string(jig->name));
		json_object_set_new(o, "description", json_string(jig->description));
		json_object_set_new(o, "sockets", sockets);
		json_object_set_new(o, "outputs", outs);
		json_object_set_new(o, "inputs", ins);
		json_object_set_new(o, "station", json_boolean(!strcmp(jig->name, h->ctx.jig->name)));
		json_array_append_new(jigs, o);
	}
	json_object_set_new(out, "jig", json_string(h->ctx.jig->name));
	json_object_set_new(out, "connectors", cons);
	json_object_set_new(out, "cables", cabs);
	json_object_set_new(out, "jigs", jigs);
done:
	free(names);
	free(con);
	free(cab);
	free(jig);
	free(fx);
	free(w);
	if (!out)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	return reply_json(c, MHD_HTTP_OK, out);
}

static int content_type_ok(struct MHD_Connection *c)
{
	const char *ct = header(c, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!ct)
		return 1;
	size_t n = strcspn(ct, "; ");
	return n == 16 && !strncasecmp(ct, "application/json", 16);
}

/* Parse the body as a JSON object with only the allowed fields; on failure
 * an answer naming what is wrong has been queued (*ret). */
static json_t *body_object(struct MHD_Connection *c, struct request *rq, const char *const *fields,
                           int empty_ok, enum MHD_Result *ret)
{
	json_error_t je;
	if (!content_type_ok(c)) {
		*ret = reply_error(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
		                   "body: send Content-Type: application/json");
		return NULL;
	}
	if (!rq->len) {
		if (empty_ok)
			return json_object();
		*ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "body: a JSON object is required");
		return NULL;
	}
	json_t *o = json_loadb(rq->body, rq->len, JSON_REJECT_DUPLICATES, &je);
	if (!o) {
		*ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "body: not valid JSON (%s at line %d, column %d)",
		                   je.text, je.line, je.column);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		*ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "body: expected a JSON object");
		return NULL;
	}
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		int known = 0;
		for (const char *const *f = fields; *f; f++)
			known |= !strcmp(key, *f);
		if (!known) {
			char list[128] = "";
			for (const char *const *f = fields; *f; f++) {
				size_t n = strlen(list);
				snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", *f);
			}
			*ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "%.60s: unknown field (expected %s)", key, list);
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* The "cable" (default: the station's) and "serial" (optional) of a
 * request body, checked; the strings belong to o. 0 when an answer saying
 * what is wrong was queued (*ret). */
static int cable_and_serial(http *h, struct MHD_Connection *c, json_t *o, const char **cable,
                            const char **serial, enum MHD_Result *ret)
{
	json_t *jc = json_object_get(o, "cable"), *js = json_object_get(o, "serial");
	const char *why;
	*cable = h->ctx.default_cable;
	*serial = NULL;
	if (jc && !json_is_string(jc)) {
		*ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "cable: expected a string (a cable profile name)");
		return 0;
	}
	if (jc)
		*cable = json_string_value(jc);
	if (!*cable || !(*cable)[0]) {
		*ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "cable: required (no default cable is configured)");
		return 0;
	}
	if ((why = check_name(*cable, 100))) {
		*ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "cable: %s", why);
		return 0;
	}
	if (js && !json_is_null(js)) {
		if (!json_is_string(js)) {
			*ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "serial: expected a string");
			return 0;
		}
		*serial = json_string_value(js);
		if (strlen(*serial) != json_string_length(js)) {
			*ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "serial: must not contain NUL characters");
			return 0;
		}
		if ((why = check_serial(*serial))) {
			*ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "serial: %s", why);
			return 0;
		}
	}
	return 1;
}

/* 409 with the test (or flex session) that holds the jig. */
static enum MHD_Result reply_busy(struct MHD_Connection *c, long long id)
{
	json_t *b = json_object();
	char msg[128];
	if (id > 0)
		snprintf(msg, sizeof(msg), "the jig is busy with test %lld", id);
	else
		snprintf(msg, sizeof(msg), "the jig is busy");
	json_object_set_new(b, "error", json_string(msg));
	json_object_set_new(b, "test", id > 0 ? json_integer(id) : json_null());
	return reply_json(c, MHD_HTTP_CONFLICT, b);
}

/* A test, flex session or calibration the runner would not start: busy
 * (409 with the running id), a cable it does not know (400), a store that
 * cannot take it — full disk, read-only — or a stopping station (503 with
 * the cause: refused before running, never run and lost), else 500. */
static enum MHD_Result reply_refused(struct MHD_Connection *c, int e, long long id, const char *err)
{
	if (e == -EBUSY)
		return reply_busy(c, id);
	if (e == -ENOENT || e == -EINVAL)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "cable: %s", err);
	if (e == -ECANCELED || e == -ENOSPC || e == -EROFS)
		return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "%s", err);
	return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
}

static enum MHD_Result h_test_start(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const fields[] = { "cable", "serial", "retest", NULL };
	static const char *const args[] = { "wait", NULL };
	enum MHD_Result ret = MHD_NO;
	char bad[64], err[RUNNER_ERR_MAX];
	const char *cable = NULL, *serial = NULL;
	int wait = 0;
	long long id = 0;

	if (unknown_query(c, args, bad))
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "%s: unknown query parameter (expected wait)", bad);
	const char *w = query(c, "wait");
	if (w) {
		if (!strcmp(w, "1") || !strcmp(w, "true") || !*w)
			wait = 1;
		else if (strcmp(w, "0") && strcmp(w, "false"))
			return reply_error(c, MHD_HTTP_BAD_REQUEST, "wait: '%.40s' is not 0, 1, true or false", w);
	}
	json_t *o = body_object(c, rq, fields, 1, &ret);
	if (!o)
		return ret;
	if (!cable_and_serial(h, c, o, &cable, &serial, &ret)) {
		json_decref(o);
		return ret;
	}
	json_t *policy = NULL;   /* the retest policy: passed before, or locked out */
	unsigned refused = serial && h->ctx.line ?
	                   line_http_admit(h->ctx.line, serial, json_object_get(o, "retest"), &policy) : 0;
	if (refused) {
		json_decref(o);
		return reply_json(c, refused, policy);
	}
	int e = runner_submit(h->ctx.runner, cable, serial, &id, err);
	json_decref(o);
	if (e < 0)
		return reply_refused(c, e, id, err);

	char loc[64];
	snprintf(loc, sizeof(loc), "/api/v1/tests/%lld", id);
	if (wait) {
		json_t *res = NULL;
		e = runner_wait(h->ctx.runner, id, WAIT_MAX_MS, &res);
		if (e == -EIO && res) {
			/* It ran, but is not durable: never a 200 for it. */
			const char *why = json_string_value(json_object_get(res, "error"));
			enum MHD_Result ret2 = reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "%s",
			                                   why ? why : "the result could not be stored");
			json_decref(res);
			return ret2;
		}
		if (e == -ENOENT)
			e = store_get(h->ctx.store, id, &res);
		if (e == 0 && res) {
			/* Stored (durably) before runner_wait returns it. */
			struct MHD_Response *r;
			char *text = json_dumps(res, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
			json_decref(res);
			if (!text)
				return MHD_NO;
			r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
			if (!r) {
				free(text);
				return MHD_NO;
			}
			MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
			MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
			MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, loc);
			common_headers(r);
			ret = MHD_queue_response(c, MHD_HTTP_OK, r);
			MHD_destroy_response(r);
			return ret;
		}
		return reply_error(c, MHD_HTTP_GATEWAY_TIMEOUT, "test %lld did not finish in time; see %s", id, loc);
	}
	json_t *b = json_object();
	json_object_set_new(b, "id", json_integer(id));
	json_object_set_new(b, "state", json_string("measuring"));
	json_object_set_new(b, "location", json_string(loc));
	char *text = json_dumps(b, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	json_decref(b);
	if (!text)
		return MHD_NO;
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, loc);
	common_headers(r);
	ret = MHD_queue_response(c, MHD_HTTP_ACCEPTED, r);
	MHD_destroy_response(r);
	return ret;
}

/* "2026-11-22", "2026-11-22T10:00:00Z" (UTC without Z too), or Unix seconds. */
static int parse_since(const char *s, long long *out)
{
	struct tm tm;
	char *end;
	memset(&tm, 0, sizeof(tm));
	if (!*s)
		return -EINVAL;
	if (strspn(s, "0123456789") == strlen(s)) {
		if (strlen(s) > 12)
			return -EINVAL;
		*out = strtoll(s, NULL, 10);
		return 0;
	}
	end = strptime(s, "%Y-%m-%d", &tm);
	if (!end)
		return -EINVAL;
	if (*end == 'T' || *end == ' ') {
		end = strptime(end + 1, "%H:%M", &tm);
		if (!end)
			return -EINVAL;
		if (*end == ':') {
			end = strptime(end + 1, "%S", &tm);
			if (!end)
				return -EINVAL;
		}
	}
	if (*end == 'Z')
		end++;
	if (*end)
		return -EINVAL;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*out = (long long)t;
	return 0;
}

static enum MHD_Result h_history(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const args[] = { "serial", "verdict", "cable", "since", "limit", "kind", NULL };
	struct store_query q = { .limit = 100 };
	char bad[64];
	const char *v;
	json_t *list;
	(void)rq;

	if (unknown_query(c, args, bad))
		return reply_error(c, MHD_HTTP_BAD_REQUEST,
		                   "%s: unknown query parameter (expected serial, verdict, cable, since, limit, kind)", bad);
	if ((v = query(c, "serial")) && *v) {
		if (strlen(v) > RUNNER_SERIAL_MAX)
			return reply_error(c, MHD_HTTP_BAD_REQUEST, "serial: longer than 64 characters");
		q.serial = v;
	}
	if ((v = query(c, "verdict")) && *v) {
		if (strcmp(v, "pass") && strcmp(v, "fail") && strcmp(v, "error"))
			return reply_error(c, MHD_HTTP_BAD_REQUEST, "verdict: '%.20s' is not pass, fail or error", v);
		q.verdict = v;
	}
	if ((v = query(c, "cable")) && *v) {
		if (strlen(v) > 100)
			return reply_error(c, MHD_HTTP_BAD_REQUEST, "cable: too long");
		q.cable = v;
	}
	if ((v = query(c, "kind")) && *v) {
		if (strcmp(v, "test") && strcmp(v, "flex") && strcmp(v, "calibration"))
			return reply_error(c, MHD_HTTP_BAD_REQUEST, "kind: '%.20s' is not test, flex or calibration", v);
		q.kind = v;
	}
	if ((v = query(c, "since")) && *v && parse_since(v, &q.since) < 0)
		return reply_error(c, MHD_HTTP_BAD_REQUEST,
		                   "since: '%.40s' is not a date (2026-11-22, 2026-11-22T10:00:00Z) or Unix time", v);
	if ((v = query(c, "limit")) && *v) {
		char *end;
		long l = strtol(v, &end, 10);
		if (*end || l < 1 || l > STORE_LIMIT_MAX)
			return reply_error(c, MHD_HTTP_BAD_REQUEST, "limit: '%.20s' is not a number from 1 to %d", v,
			                   STORE_LIMIT_MAX);
		q.limit = (unsigned)l;
	}
	if (store_list(h->ctx.store, &q, &list) < 0)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the results store cannot be read");
	return reply_json(c, MHD_HTTP_OK, list);
}

static enum MHD_Result h_test_get(http *h, struct MHD_Connection *c, struct request *rq)
{
	long long id;
	json_t *res;
	if (parse_id(rq->arg, &id) < 0)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "id: '%.20s' is not a test id (a positive number)", rq->arg);
	if (runner_pending(h->ctx.runner, id)) {
		json_t *o = runner_status_json(h->ctx.runner);
		json_t *b = json_object();
		json_object_set_new(b, "id", json_integer(id));
		json_object_set(b, "state", json_object_get(o, "state"));
		json_decref(o);
		return reply_json(c, MHD_HTTP_ACCEPTED, b);
	}
	int e = store_get(h->ctx.store, id, &res);
	if (e == -ENOENT)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no test %lld", id);
	if (e < 0)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the results store cannot be read");
	return reply_json(c, MHD_HTTP_OK, res);
}

static enum MHD_Result send_file(struct MHD_Connection *c, const char *path, const char *type,
                                 const char *disposition, const char *cache)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "not found");
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return reply_error(c, MHD_HTTP_NOT_FOUND, "not found");
	}
	char etag[64];
	snprintf(etag, sizeof(etag), "\"%llx-%llx-%lx\"", (unsigned long long)st.st_size,
	         (unsigned long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
	const char *inm = header(c, MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (inm && !strcmp(inm, etag)) {
		close(fd);
		struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
		enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, r);
		MHD_destroy_response(r);
		return ret;
	}
	struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (!r) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	if (disposition)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
	common_headers(r);
	enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result capture_file(http *h, struct MHD_Connection *c, struct request *rq,
                                    const char *ext, const char *type)
{
	long long id;
	char path[1100], disp[128];
	if (parse_id(rq->arg, &id) < 0)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "id: '%.20s' is not a test id (a positive number)", rq->arg);
	if (!store_has_capture(h->ctx.store, id))
		return reply_error(c, MHD_HTTP_NOT_FOUND,
		                   "test %lld has no capture (only failed tests keep one, the newest ones)", id);
	store_capture_path(h->ctx.store, id, ext, path, sizeof(path));
	snprintf(disp, sizeof(disp), "attachment; filename=\"tonewire-test-%lld.%s\"", id, ext);
	return send_file(c, path, type, disp, "no-store");
}

static enum MHD_Result h_capture_wav(http *h, struct MHD_Connection *c, struct request *rq)
{
	return capture_file(h, c, rq, "wav", "audio/wav");
}

static enum MHD_Result h_capture_plan(http *h, struct MHD_Connection *c, struct request *rq)
{
	return capture_file(h, c, rq, "json", "application/json");
}

static enum MHD_Result h_flex_start(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const fields[] = { "cable", "serial", "seconds", NULL };
	enum MHD_Result ret = MHD_NO;
	char err[RUNNER_ERR_MAX];
	const char *cable, *serial;
	unsigned seconds = 60;
	long long id = 0;

	json_t *o = body_object(c, rq, fields, 1, &ret);
	if (!o)
		return ret;
	if (!cable_and_serial(h, c, o, &cable, &serial, &ret)) {
		json_decref(o);
		return ret;
	}
	json_t *jsec = json_object_get(o, "seconds");
	if (jsec && !json_is_null(jsec)) {
		double v = json_number_value(jsec);
		if (!json_is_number(jsec) || v != floor(v) || v < 1 || v > RUNNER_FLEX_MAX_SECONDS) {
			json_decref(o);
			return reply_error(c, MHD_HTTP_BAD_REQUEST, "seconds: expected a whole number from 1 to %d",
			                   RUNNER_FLEX_MAX_SECONDS);
		}
		seconds = (unsigned)v;
	}
	int e = runner_submit_flex(h->ctx.runner, cable, serial, seconds, &id, err);
	json_decref(o);
	if (e < 0)
		return reply_refused(c, e, id, err);
	json_t *b = json_object();
	json_object_set_new(b, "id", json_integer(id));
	json_object_set_new(b, "state", json_string("measuring"));
	json_object_set_new(b, "seconds", json_integer(seconds));
	json_object_set_new(b, "location", json_string("/api/v1/flex"));
	return reply_json(c, MHD_HTTP_ACCEPTED, b);
}

static enum MHD_Result h_flex_get(http *h, struct MHD_Connection *c, struct request *rq)
{
	(void)rq;
	json_t *o = runner_flex_json(h->ctx.runner);
	if (!o) {
		/* Not since this start: the newest stored session. */
		struct store_query q = { .kind = "flex", .limit = 1 };
		json_t *list = NULL;
		if (store_list(h->ctx.store, &q, &list) < 0)
			return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the results store cannot be read");
		o = json_incref(json_array_get(list, 0));
		json_decref(list);
		if (o)
			json_object_set_new(o, "state", json_string("done"));
	}
	if (!o)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no flex session yet (start one with POST /api/v1/flex)");
	return reply_json(c, MHD_HTTP_OK, o);
}

static enum MHD_Result h_flex_stop(http *h, struct MHD_Connection *c, struct request *rq)
{
	long long id = 0;
	json_t *res = NULL;
	int e;
	(void)rq;
	/* -EAGAIN lasts only while the session's row is being written. */
	for (int i = 0; i < 200 && (e = runner_flex_stop(h->ctx.runner, &id)) == -EAGAIN; i++) {
		struct timespec ts = { 0, 5000000L };
		nanosleep(&ts, NULL);
	}
	if (e < 0)
		return reply_error(c, MHD_HTTP_CONFLICT, "no flex session is running");
	e = runner_wait(h->ctx.runner, id, WAIT_MAX_MS, &res);
	if (e == -ENOENT)
		e = store_get(h->ctx.store, id, &res);
	if (e < 0 || !res)
		return reply_error(c, MHD_HTTP_GATEWAY_TIMEOUT, "flex session %lld did not end in time", id);
	return reply_json(c, MHD_HTTP_OK, res);
}

/* Golden samples are only presumed good: the cable is tested against its
 * profile first, and only a pass is learnt from. */
static enum MHD_Result h_calibrate(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const fields[] = { "cable", "serial", NULL };
	enum MHD_Result ret = MHD_NO;
	char err[RUNNER_ERR_MAX];
	const char *cable, *serial;
	long long id = 0;
	json_t *res = NULL;

	json_t *o = body_object(c, rq, fields, 1, &ret);
	if (!o)
		return ret;
	if (!cable_and_serial(h, c, o, &cable, &serial, &ret)) {
		json_decref(o);
		return ret;
	}
	int e = runner_submit_calibrate(h->ctx.runner, cable, serial, &id, err);
	json_decref(o);
	if (e < 0)
		return reply_refused(c, e, id, err);
	e = runner_wait(h->ctx.runner, id, WAIT_MAX_MS, &res);
	if (e == -ENOENT)
		e = store_get(h->ctx.store, id, &res);
	if (e < 0 || !res)
		return reply_error(c, MHD_HTTP_GATEWAY_TIMEOUT, "the verification test %lld did not finish in time", id);

	const char *verdict = json_string_value(json_object_get(res, "verdict"));
	json_t *b = json_object();
	unsigned status;
	/* The runner decides: a calibration was made when the golden sample's
	 * wiring is right (its level may be off: that is what it corrects). */
	int made = json_integer_value(json_object_get(res, "calibration_created")) > 0;
	if (!made && verdict && !strcmp(verdict, "fail")) {
		char msg[512] = "golden sample is not good: ";
		size_t i;
		json_t *f;
		json_array_foreach(json_object_get(res, "faults"), i, f) {
			size_t n = strlen(msg);
			const char *sum = json_string_value(json_object_get(f, "summary"));
			snprintf(msg + n, sizeof(msg) - n, "%s%s", i ? "; " : "", sum ? sum : "a fault");
		}
		json_object_set_new(b, "error", json_string(msg));
		json_object_set(b, "faults", json_object_get(res, "faults"));
		status = 422;   /* Unprocessable Content; its MHD name changed across versions */
	} else if (!made) {
		const char *why = json_string_value(json_object_get(res, "error"));
		char msg[512];
		snprintf(msg, sizeof(msg), "cannot verify the golden sample: %s", why ? why : "the station could not decide");
		json_object_set_new(b, "error", json_string(msg));
		json_object_set(b, "faults", json_object_get(res, "faults"));
		status = MHD_HTTP_SERVICE_UNAVAILABLE;
	} else {
		json_t *cal = NULL;
		long long cid = json_integer_value(json_object_get(res, "calibration_created"));
		if (cid <= 0 || store_calibration_get(h->ctx.store, cid, &cal) < 0) {
			json_decref(b);
			json_decref(res);
			return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the calibration could not be stored");
		}
		json_object_set_new(b, "calibration", cal);
		status = MHD_HTTP_CREATED;
	}
	json_object_set_new(b, "test", json_integer(id));
	json_object_set_new(b, "result", res);
	return reply_json(c, status, b);
}

static enum MHD_Result h_calibrations(http *h, struct MHD_Connection *c, struct request *rq)
{
	json_t *list = NULL;
	(void)rq;
	if (store_calibration_list(h->ctx.store, 1000, &list) < 0)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the results store cannot be read");
	return reply_json(c, MHD_HTTP_OK, list);
}

static enum MHD_Result h_calibration_get(http *h, struct MHD_Connection *c, struct request *rq)
{
	long long id;
	json_t *cal = NULL;
	if (parse_id(rq->arg, &id) < 0)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "id: '%.20s' is not a calibration id (a positive number)",
		                   rq->arg);
	int e = store_calibration_get(h->ctx.store, id, &cal);
	if (e == -ENOENT)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no calibration %lld", id);
	if (e < 0)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the results store cannot be read");
	return reply_json(c, MHD_HTTP_OK, cal);
}

static enum MHD_Result h_events(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const args[] = { "token", NULL };
	char bad[64];
	(void)rq;
	if (unknown_query(c, args, bad))
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "%s: unknown query parameter", bad);
	json_t *st = runner_status_json(h->ctx.runner);
	struct MHD_Response *r = events_response(h->ctx.events, "status", st);
	json_decref(st);
	if (!r)
		return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "too many event stream clients");
	common_headers(r);
	enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result h_metrics(http *h, struct MHD_Connection *c, struct request *rq)
{
	struct metrics_gauges g;
	(void)rq;
	memset(&g, 0, sizeof(g));
	runner_gauges(h->ctx.runner, &g);
	g.sse_clients = events_clients(h->ctx.events);
	g.sse_dropped = events_dropped(h->ctx.events);
	char *text = metrics_render(h->ctx.metrics, &g);
	if (h->ctx.line)
		text = line_http_metrics(h->ctx.line, text);
	if (!text)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	return reply_text(c, MHD_HTTP_OK, text, "text/plain; version=0.0.4; charset=utf-8");
}

static int current_scenario(http *h, char *path, size_t len)
{
	json_t *s = runner_status_json(h->ctx.runner);
	int sim = demo_scenario_path(json_string_value(json_object_get(s, "device")), path, len);
	json_decref(s);
	return sim;
}

static enum MHD_Result h_demo_list(http *h, struct MHD_Connection *c, struct request *rq)
{
	char path[512], resolved[4096];
	(void)rq;
	if (!current_scenario(h, path, sizeof(path)))
		return reply_error(c, MHD_HTTP_NOT_FOUND, "the station's device is not the simulated jig");
	const char *cur = realpath(path, resolved) ? resolved : path;
	char dir[4096];
	const char *list_dir = realpath(h->ctx.demo_dir, dir) ? dir : h->ctx.demo_dir;
	json_t *o = json_object();
	struct demo_info info;
	json_object_set_new(o, "jig", json_string(h->ctx.jig->name));
	json_object_set_new(o, "current", demo_info_read(path, &info) == 0 ? json_string(info.name) : json_null());
	json_object_set_new(o, "scenarios", demo_list(list_dir, h->ctx.jig->name, cur, h->ctx.default_cable));
	return reply_json(c, MHD_HTTP_OK, o);
}

static enum MHD_Result h_demo_set(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const fields[] = { "scenario", NULL };
	enum MHD_Result ret = MHD_NO;
	char path[512], device[600];
	struct demo_info info;

	if (!current_scenario(h, path, sizeof(path)))
		return reply_error(c, MHD_HTTP_NOT_FOUND, "the station's device is not the simulated jig");
	json_t *o = body_object(c, rq, fields, 0, &ret);
	if (!o)
		return ret;
	json_t *js = json_object_get(o, "scenario");
	if (!json_is_string(js)) {
		json_decref(o);
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "scenario: required, a scenario name from GET /api/v1/demo");
	}
	int e = demo_find(h->ctx.demo_dir, json_string_value(js), path, sizeof(path));
	if (e == 0) {
		char key[256], want[256];
		/* Only the scenarios of this station's jig: another jig has other channels. */
		demo_info_read(path, &info);
		snprintf(key, sizeof(key), "%s", info.jig);
		char *b = strrchr(key, '/');
		snprintf(want, sizeof(want), "%s", b ? b + 1 : key);
		size_t n = strlen(want);
		if (n > 5 && !strcmp(want + n - 5, ".conf"))
			want[n - 5] = '\0';
		if (strcmp(want, h->ctx.jig->name) != 0)
			e = -ENOENT;
	}
	if (e < 0) {
		ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "scenario: no scenario '%.60s' for jig %s (see GET /api/v1/demo)",
		                  json_string_value(js), h->ctx.jig->name);
		json_decref(o);
		return ret;
	}
	json_decref(o);
	snprintf(device, sizeof(device), "tonewire_sim:%s", path);
	e = runner_set_device(h->ctx.runner, device);
	if (e == -EBUSY) {
		long long id = 0;
		runner_busy(h->ctx.runner, &id);
		json_t *b = json_object();
		json_object_set_new(b, "error", json_string("the jig is busy with a test"));
		json_object_set_new(b, "test", id > 0 ? json_integer(id) : json_null());
		return reply_json(c, MHD_HTTP_CONFLICT, b);
	}
	if (e < 0)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot switch the device: %s", strerror(-e));
	json_t *b = json_object();
	json_object_set_new(b, "scenario", json_string(info.name));
	json_object_set_new(b, "title", json_string(info.title));
	json_object_set_new(b, "cable", info.cable[0] ? json_string(info.cable) :
	                    h->ctx.default_cable[0] ? json_string(h->ctx.default_cable) : json_null());
	json_object_set_new(b, "device", json_string(device));
	return reply_json(c, MHD_HTTP_OK, b);
}

static const char *content_type(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" }, { ".htm", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" }, { ".mjs", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" }, { ".svg", "image/svg+xml" },
		{ ".png", "image/png" }, { ".json", "application/json" }, { ".ico", "image/x-icon" },
		{ ".webmanifest", "application/manifest+json" }, { ".txt", "text/plain; charset=utf-8" },
		{ ".woff2", "font/woff2" }, { ".map", "application/json" },
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcasecmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static enum MHD_Result h_static(http *h, struct MHD_Connection *c, struct request *rq)
{
	const char *url = rq->url;
	char path[CONFIG_PATH_MAX + 512];

	/* MHD has decoded %2e%2e already: any ".." segment, backslash or NUL
	 * is refused outright rather than normalised. */
	if (url[0] != '/' || strstr(url, "/..") || strchr(url, '\\') || strlen(url) > 400)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "not found");
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p < 0x20)
			return reply_error(c, MHD_HTTP_NOT_FOUND, "not found");
	size_t n = strlen(url);
	snprintf(path, sizeof(path), "%s%s%s", h->ctx.cfg->web_root, url, url[n - 1] == '/' ? "index.html" : "");
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		/* /dir → /dir/ so relative links inside it resolve. */
		char loc[512];
		snprintf(loc, sizeof(loc), "%s/", url);
		struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, loc);
		enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_MOVED_PERMANENTLY, r);
		MHD_destroy_response(r);
		return ret;
	}
	if (!strcmp(url, "/") && access(path, R_OK) != 0)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "the dashboard is not installed (no %s); the API is under /api/v1/",
		                   path);
	/* "no-cache" means revalidate every time: an updated dashboard is never
	 * mixed with stale files, and an unchanged one costs a 304. */
	return send_file(c, path, content_type(path), NULL, "no-cache");
}


/* The serial of the cable the operator is about to plug in (scanned from
 * its label): the next test the trigger starts carries it. */
static enum MHD_Result h_trigger_serial(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const fields[] = { "serial", "retest", NULL };
	enum MHD_Result ret = MHD_NO;
	const char *serial = NULL, *why;

	json_t *o = body_object(c, rq, fields, 0, &ret);
	if (!o)
		return ret;
	json_t *js = json_object_get(o, "serial");
	if (!js || (!json_is_string(js) && !json_is_null(js))) {
		json_decref(o);
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "serial: expected a string (or null to clear it)");
	}
	if (json_is_string(js)) {
		serial = json_string_value(js);
		if (strlen(serial) != json_string_length(js))
			why = "must not contain NUL characters";
		else
			why = check_serial(serial);
		if (why) {
			ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "serial: %s", why);
			json_decref(o);
			return ret;
		}
	}
	json_t *policy = NULL;   /* checked as it is scanned: the test starts by itself later */
	unsigned refused = serial && *serial && h->ctx.line ?
	                   line_http_admit(h->ctx.line, serial, json_object_get(o, "retest"), &policy) : 0;
	if (refused) {
		json_decref(o);
		return reply_json(c, refused, policy);
	}
	int e = runner_trigger_serial(h->ctx.runner, serial);
	if (e == -ENOTSUP) {
		json_decref(o);
		return reply_error(c, MHD_HTTP_CONFLICT, "the station is not triggered by insertion ([station] trigger = auto)");
	}
	if (e < 0) {
		json_decref(o);
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "serial: too long");
	}
	json_t *b = json_object();
	json_object_set_new(b, "serial", serial && serial[0] ? json_string(serial) : json_null());
	json_decref(o);
	return reply_json(c, MHD_HTTP_OK, b);
}

/* The routes of a station on a line are in line_http.c; they reach this
 * layer's checks and answers through one adapter. */
struct ext {
	struct MHD_Connection *c;
	struct request *rq;
	enum MHD_Result ret;        /* when the body was refused */
};

static const char *ext_query(struct line_request *lr, const char *name)
{
	return query(((struct ext *)lr->http)->c, name);
}

static int ext_unknown_query(struct line_request *lr, const char *const *allowed, char bad[64])
{
	return unknown_query(((struct ext *)lr->http)->c, allowed, bad);
}

static json_t *ext_body(struct line_request *lr, const char *const *fields, int empty_ok)
{
	struct ext *e = lr->http;
	json_t *o = body_object(e->c, e->rq, fields, empty_ok, &e->ret);
	lr->answered = !o;
	return o;
}

static enum MHD_Result ext_call(http *h, struct MHD_Connection *c, struct request *rq, const char *method,
                                line_http_fn fn)
{
	struct ext e = { .c = c, .rq = rq, .ret = MHD_NO };
	struct line_request lr = { .method = method, .url = rq->url, .query = ext_query,
	                           .unknown_query = ext_unknown_query, .body = ext_body, .check_serial = check_serial,
	                           .parse_time = parse_since, .http = &e };
	struct line_reply a = { .status = 0 };
	if (!h->ctx.line)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "not available on this station");
	fn(h->ctx.line, &lr, &a);
	if (lr.answered)
		return e.ret;
	if (a.json)
		return reply_json(c, a.status, a.json);
	if (a.file[0])
		return send_file(c, a.file, a.type, NULL, "no-cache");
	return reply_error(c, a.status ? a.status : MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", a.error);
}

#define LINE_ROUTE(name, method, fn) \
	static enum MHD_Result name(http *h, struct MHD_Connection *c, struct request *rq) \
	{ return ext_call(h, c, rq, method, fn); }
LINE_ROUTE(h_operator_get, "GET", line_http_operator)
LINE_ROUTE(h_operator_set, "POST", line_http_operator)
LINE_ROUTE(h_operator_out, "DELETE", line_http_operator)
LINE_ROUTE(h_serial, "GET", line_http_serial)
LINE_ROUTE(h_serial_release, "POST", line_http_release)
LINE_ROUTE(h_certificate, "GET", line_http_certificate)
LINE_ROUTE(h_certificate_data, "GET", line_http_certificate_data)
LINE_ROUTE(h_line_view, "GET", line_http_view)

static const struct route routes[] = {
	{ "GET", "/api/v1/status", h_status, 1 },
	{ "GET", "/api/v1/profiles", h_profiles, 1 },
	{ "POST", "/api/v1/tests", h_test_start, 1 },
	{ "GET", "/api/v1/tests", h_history, 1 },
	{ "GET", "/api/v1/tests/*", h_test_get, 1 },
	{ "GET", "/api/v1/tests/*/capture.wav", h_capture_wav, 1 },
	{ "GET", "/api/v1/tests/*/capture.json", h_capture_plan, 1 },
	{ "POST", "/api/v1/calibrate", h_calibrate, 1 },
	{ "GET", "/api/v1/calibrations", h_calibrations, 1 },
	{ "GET", "/api/v1/calibrations/*", h_calibration_get, 1 },
	{ "POST", "/api/v1/flex", h_flex_start, 1 },
	{ "GET", "/api/v1/flex", h_flex_get, 1 },
	{ "DELETE", "/api/v1/flex", h_flex_stop, 1 },
	{ "POST", "/api/v1/trigger/serial", h_trigger_serial, 1 },
	{ "GET", "/api/v1/events", h_events, 2 },   /* 2: token may come as ?token= */
	{ "GET", "/api/v1/demo", h_demo_list, 1 },
	{ "PUT", "/api/v1/demo", h_demo_set, 1 },
	{ "GET", "/metrics", h_metrics, 1 },
	{ "GET", "/api/v1/operator", h_operator_get, 1 },
	{ "POST", "/api/v1/operator", h_operator_set, 1 },
	{ "DELETE", "/api/v1/operator", h_operator_out, 1 },
	{ "GET", "/api/v1/serials/*", h_serial, 1 },
	{ "POST", "/api/v1/serials/*/release", h_serial_release, 1 },
	{ "GET", "/api/v1/tests/*/certificate", h_certificate, 0 },   /* the page only; its data needs the token */
	{ "GET", "/api/v1/tests/*/certificate.json", h_certificate_data, 1 },
	{ "GET", "/api/v1/line/*", h_line_view, 1 },
};

static int match(const char *pattern, const char *url, char *arg, size_t len)
{
	while (*pattern && *url) {
		if (*pattern == '*') {
			size_t n = strcspn(url, "/");
			if (!n)
				return 0;
			snprintf(arg, len, "%.*s", (int)n, url);
			url += n;
			pattern++;
			continue;
		}
		if (*pattern++ != *url++)
			return 0;
	}
	return !*pattern && !*url;
}

static enum MHD_Result dispatch(http *h, struct MHD_Connection *c, const char *url, const char *method,
                                struct request *rq)
{
	const char *m = strcmp(method, "HEAD") ? method : "GET";
	char allow[64] = "";
	int path_known = 0;

	rq->url = url;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!match(routes[i].pattern, url, rq->arg, sizeof(rq->arg)))
			continue;
		path_known = 1;
		if (strcmp(routes[i].method, m) != 0) {
			size_t n = strlen(allow);
			snprintf(allow + n, sizeof(allow) - n, "%s%s", n ? ", " : "", routes[i].method);
			continue;
		}
		if (routes[i].needs_token && !token_ok(h, c, routes[i].needs_token == 2)) {
			json_t *o = json_object();
			json_object_set_new(o, "error", json_string("a valid bearer token is required (Authorization: Bearer …)"));
			char *text = json_dumps(o, JSON_COMPACT);
			json_decref(o);
			if (!text)
				return MHD_NO;
			struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
			if (!r) {
				free(text);
				return MHD_NO;
			}
			MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
			MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"tonewire\"");
			common_headers(r);
			enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_UNAUTHORIZED, r);
			MHD_destroy_response(r);
			return ret;
		}
		return routes[i].fn(h, c, rq);
	}
	if (path_known) {
		json_t *o = json_object();
		char msg[128];
		snprintf(msg, sizeof(msg), "%s is not allowed here (allowed: %s)", method, allow);
		json_object_set_new(o, "error", json_string(msg));
		char *text = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (!text)
			return MHD_NO;
		struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
		if (!r) {
			free(text);
			return MHD_NO;
		}
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
		common_headers(r);
		enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
		MHD_destroy_response(r);
		return ret;
	}
	if (!strncmp(url, "/api/", 5) || !strcmp(url, "/api"))
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no such API route: %.200s", url);
	if (strcmp(m, "GET") != 0)
		return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "%s is not allowed here (allowed: GET)", method);
	return h_static(h, c, rq);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size,
                                  void **con_cls)
{
	http *h = cls;
	struct request *rq = *con_cls;
	(void)version;

	if (!rq) {
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		*con_cls = rq;
		enum MHD_Result ret = MHD_YES;
		if (!screen(h, c, method, &ret)) {
			/* Answered already: MHD reads no body after that. */
			rq->rejected = 1;
			return ret;
		}
		const char *cl = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl) {
			char *end;
			unsigned long long n = strtoull(cl, &end, 10);
			if (*end || n > h->ctx.cfg->max_body) {
				rq->rejected = 1;
				return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "body: larger than %zu bytes",
				                   h->ctx.cfg->max_body);
			}
		}
		return MHD_YES;
	}
	if (rq->rejected) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (rq->too_large || rq->len + n > h->ctx.cfg->max_body) {
			/* Chunked bodies have no Content-Length to refuse up front. */
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
	if (rq->too_large)
		return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "body: larger than %zu bytes", h->ctx.cfg->max_body);
	return dispatch(h, c, url, method, rq);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;
	(void)cls;
	(void)c;
	(void)toe;
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
	if (h->n_hosts < MAX_HOSTS && name && *name && strlen(name) < sizeof(h->host[0]))
		snprintf(h->host[h->n_hosts++], sizeof(h->host[0]), "%s", name);
}

http *http_start(const struct http_ctx *ctx, char err[HTTP_ERR_MAX])
{
	http *h = calloc(1, sizeof(*h));
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	struct sockaddr *sa;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;

	err[0] = '\0';
	if (!h) {
		snprintf(err, HTTP_ERR_MAX, "out of memory");
		return NULL;
	}
	h->ctx = *ctx;
	const char *addr = ctx->cfg->address;
	memset(&a4, 0, sizeof(a4));
	memset(&a6, 0, sizeof(a6));
	if (inet_pton(AF_INET, addr, &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		a4.sin_port = htons((uint16_t)ctx->cfg->port);
		sa = (struct sockaddr *)&a4;
	} else if (inet_pton(AF_INET6, addr, &a6.sin6_addr) == 1) {
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons((uint16_t)ctx->cfg->port);
		sa = (struct sockaddr *)&a6;
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, HTTP_ERR_MAX, "[http] address '%s' is not a numeric address", addr);
		free(h);
		return NULL;
	}
	h->d = MHD_start_daemon(flags, (uint16_t)ctx->cfg->port, NULL, NULL, on_request, h,
	                        MHD_OPTION_EXTERNAL_LOGGER, on_log, h,
	                        MHD_OPTION_SOCK_ADDR, sa,
	                        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
	                        MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
	                        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)256,
	                        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
	                        /* Handlers keep big structs on the heap; 256 KiB per
	                         * connection thread keeps many clients cheap. */
	                        MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024),
	                        MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, HTTP_ERR_MAX, "cannot listen on %s port %u (in use, or not an address of this machine)",
		         addr, ctx->cfg->port);
		free(h);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : ctx->cfg->port;

	/* The names this daemon answers to: anything else in Host is a
	 * rebinding attempt or a misdirected request. */
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
	char hosts[sizeof(ctx->cfg->hosts)];
	snprintf(hosts, sizeof(hosts), "%s", ctx->cfg->hosts);
	for (char *save = NULL, *t = strtok_r(hosts, " ,", &save); t; t = strtok_r(NULL, " ,", &save))
		add_host(h, t);
	return h;
}

unsigned http_port(const http *h) { return h->port; }

void http_stop(http *h)
{
	if (!h)
		return;
	if (h->d)
		MHD_stop_daemon(h->d);
	free(h);
}
