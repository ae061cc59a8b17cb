/* line_http: the routes of a station on a line — operator, serial lookup and release, retest policy, certificates, the line view. */
#include "line_http.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleet.h"
#include "line.h"
#include "result.h"
#include "station.h"

#define DAY_S 86400LL

struct line_http {
	struct line_http_cfg cfg;
};

line_http *line_http_create(const struct line_http_cfg *cfg)
{
	line_http *lh = calloc(1, sizeof(*lh));
	if (lh)
		lh->cfg = *cfg;
	return lh;
}

void line_http_destroy(line_http *lh)
{
	free(lh);
}

__attribute__((format(printf, 3, 4)))
static void fail(struct line_reply *out, unsigned status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
	out->status = status;
}

static void answer(struct line_reply *out, unsigned status, json_t *body)
{
	out->status = status;
	out->json = body;
}

/* The path segment after prefix ("/api/v1/serials/" → the serial). 0, or
 * -EINVAL when empty or longer than len. */
static int segment(const char *url, const char *prefix, char *buf, size_t len)
{
	size_t p = strlen(prefix);
	if (strncmp(url, prefix, p) != 0)
		return -EINVAL;
	size_t n = strcspn(url + p, "/");
	if (!n || n >= len)
		return -EINVAL;
	snprintf(buf, len, "%.*s", (int)n, url + p);
	return 0;
}

static int test_id(const char *url, long long *id)
{
	char s[24], *end;
	if (segment(url, "/api/v1/tests/", s, sizeof(s)) < 0 || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	*id = strtoll(s, &end, 10);
	return *end || errno || *id <= 0 ? -EINVAL : 0;
}

static void iso(long long t, char buf[32])
{
	result_format_time(t, buf);
}

/* ---- operator ---- */

void line_http_operator(line_http *lh, struct line_request *rq, struct line_reply *out)
{
	static const char *const fields[] = { "operator", NULL };
	char err[FLEET_ERR_MAX];
	const char *name = NULL;
	json_t *o = NULL;

	if (!strcmp(rq->method, "POST")) {
		if (!(o = rq->body(rq, fields, 0)))
			return;
		json_t *jn = json_object_get(o, "operator");
		if (!jn || (!json_is_string(jn) && !json_is_null(jn))) {
			json_decref(o);
			fail(out, 400, "operator: expected a name (scanned from a badge or typed), or null to log out");
			return;
		}
		name = json_string_value(jn);
		if (name && strlen(name) != json_string_length(jn)) {
			json_decref(o);
			fail(out, 400, "operator: must not contain NUL characters");
			return;
		}
	}
	if (strcmp(rq->method, "GET") != 0) {
		int e = fleet_station_set_operator(lh->cfg.station, name, err);
		json_decref(o);
		if (e < 0) {
			fail(out, e == -EINVAL ? 400 : 503, "%s", err);
			return;
		}
	}
	answer(out, 200, fleet_station_json(lh->cfg.station));
}

/* ---- serials ---- */

/* The retest policy's view of a serial on this station. */
static json_t *policy_json(line_http *lh, const char *serial)
{
	struct store_serial ss;
	json_t *rel = NULL, *st = fleet_station_json(lh->cfg.station), *why = NULL;
	json_t *max = json_incref(json_object_get(st, "max_fails_per_serial"));
	json_decref(st);
	if (store_serial_state(lh->cfg.store, serial, &ss) < 0 || store_serial_releases(lh->cfg.store, serial, &rel) < 0) {
		json_decref(max);
		json_decref(rel);
		return json_null();
	}
	int locked = fleet_station_admit(lh->cfg.station, serial, 1, &why) == -EPERM;
	json_decref(why);
	return json_pack("{s:b, s:o, s:I, s:o, s:b, s:o}", "passed", ss.last_pass > 0,
	                 "last_pass", ss.last_pass ? json_integer(ss.last_pass) : json_null(),
	                 "fails_since_release", (json_int_t)ss.fails, "max_fails_per_serial", max, "locked", locked,
	                 "releases", rel);
}

/* Counts over a serial's tests (kind "test"), oldest first. */
static json_t *summary_json(const json_t *tests)
{
	size_t i;
	json_t *r, *stations = json_array();
	long long n[3] = { 0, 0, 0 };
	const char *first = NULL, *last = NULL;
	json_array_foreach(tests, i, r) {
		const char *kind = json_string_value(json_object_get(r, "kind"));
		const char *v = json_string_value(json_object_get(r, "verdict"));
		const char *st = json_string_value(json_object_get(r, "station"));
		if ((kind && strcmp(kind, "test") != 0) || !v)
			continue;
		n[!strcmp(v, "pass") ? 0 : !strcmp(v, "fail") ? 1 : 2]++;
		if (!first)
			first = v;
		last = v;
		int seen = 0;
		size_t k;
		json_t *s;
		json_array_foreach(stations, k, s)
			seen |= st && !strcmp(json_string_value(s), st);
		if (st && !seen)
			json_array_append_new(stations, json_string(st));
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "tests", (json_int_t)(n[0] + n[1] + n[2]),
	                 "passes", (json_int_t)n[0], "fails", (json_int_t)n[1], "errors", (json_int_t)n[2],
	                 "first_verdict", first ? json_string(first) : json_null(),
	                 "last_verdict", last ? json_string(last) : json_null(), "stations", stations);
}

static int serial_of(struct line_request *rq, struct line_reply *out, char serial[96])
{
	const char *why;
	if (segment(rq->url, "/api/v1/serials/", serial, 96) < 0) {
		fail(out, 400, "serial: missing or longer than 64 characters");
		return -EINVAL;
	}
	if ((why = rq->check_serial(serial))) {
		fail(out, 400, "serial: %s", why);
		return -EINVAL;
	}
	return 0;
}

void line_http_serial(line_http *lh, struct line_request *rq, struct line_reply *out)
{
	static const char *const args[] = { NULL };
	char serial[96], bad[64], err[LINE_ERR_MAX] = "";
	json_t *tests = NULL;
	const char *source = "line";

	if (rq->unknown_query(rq, args, bad)) {
		fail(out, 400, "%s: unknown query parameter (expected none)", bad);
		return;
	}
	if (serial_of(rq, out, serial) < 0)
		return;
	/* The line's answer when it can give one; else what this station knows. */
	if (!lh->cfg.line || line_serial(lh->cfg.line, serial, &tests, err) < 0) {
		struct store_query q = { .serial = serial, .limit = STORE_LIMIT_MAX };
		json_t *newest = NULL;
		source = "station";
		if (store_list(lh->cfg.store, &q, &newest) < 0) {
			fail(out, 500, "the results store cannot be read");
			return;
		}
		tests = json_array();
		for (size_t i = json_array_size(newest); i-- > 0;)
			json_array_append(tests, json_array_get(newest, i));
		json_decref(newest);
	}
	json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o}", "serial", serial, "source", source,
	                      "summary", summary_json(tests), "policy", policy_json(lh, serial), "tests", tests);
	if (err[0])
		json_object_set_new(o, "line_error", json_string(err));
	answer(out, 200, o);
}

void line_http_release(line_http *lh, struct line_request *rq, struct line_reply *out)
{
	static const char *const fields[] = { "supervisor", "reason", NULL };
	char serial[96], err[FLEET_ERR_MAX];
	json_t *why = NULL;
	long long id = 0;

	if (serial_of(rq, out, serial) < 0)
		return;
	json_t *o = rq->body(rq, fields, 0);
	if (!o)
		return;
	const char *sup = json_string_value(json_object_get(o, "supervisor"));
	json_t *jr = json_object_get(o, "reason");
	const char *reason = json_string_value(jr);
	if (!fleet_name_ok("supervisor", sup, err) || (jr && !json_is_null(jr) && (!reason || strlen(reason) > 500))) {
		if (sup && fleet_name_ok("supervisor", sup, err))
			snprintf(err, sizeof(err), "reason: expected a text of at most 500 characters");
		json_decref(o);
		fail(out, 400, "%s", err);
		return;
	}
	if (fleet_station_admit(lh->cfg.station, serial, 1, &why) != -EPERM) {
		json_decref(why);
		json_decref(o);
		fail(out, 409, "serial %s is not locked: nothing to release", serial);
		return;
	}
	json_decref(why);
	int e = store_serial_release(lh->cfg.store, serial, sup, reason, &id);
	if (e == 0)
		fprintf(stderr, "tonewired: serial %s released by %s\n", serial, sup);
	json_decref(o);   /* sup and reason were its strings */
	if (e < 0) {
		fail(out, 503, "the release cannot be stored: %s", strerror(-e));
		return;
	}
	answer(out, 200, json_pack("{s:s, s:I, s:o}", "serial", serial, "release", (json_int_t)id,
	                           "policy", policy_json(lh, serial)));
}

unsigned line_http_admit(line_http *lh, const char *serial, const json_t *retest, json_t **why)
{
	*why = NULL;
	if (retest && !json_is_null(retest) && !json_is_boolean(retest)) {
		*why = json_pack("{s:s}", "error", "retest: expected true or false");
		return 400;
	}
	int e = fleet_station_admit(lh->cfg.station, serial, json_is_true(retest), why);
	if (e == -EALREADY)
		return 428;   /* Precondition Required: the confirmation; never 409, which clients read as "busy" */
	if (e == -EPERM)
		return 423;   /* Locked */
	if (e < 0) {
		*why = json_pack("{s:s}", "error", "the results store cannot be read to check the serial's history");
		return 500;
	}
	return 0;
}

/* ---- certificates ---- */

void line_http_certificate(line_http *lh, struct line_request *rq, struct line_reply *out)
{
	long long id;
	json_t *res = NULL;
	if (test_id(rq->url, &id) < 0) {
		fail(out, 400, "id: not a test id (a positive number)");
		return;
	}
	int e = store_get(lh->cfg.store, id, &res);
	json_decref(res);
	if (e == -ENOENT) {
		fail(out, 404, "no test %lld", id);
		return;
	}
	/* The page is the same for every test: it reads certificate.json. */
	snprintf(out->file, sizeof(out->file), "%s/certificate.html", lh->cfg.web_root);
	out->type = "text/html; charset=utf-8";
	out->status = 200;
}

/* Whether the definitions on disk are still those the test used. */
static json_t *profile_check(line_http *lh, const json_t *res)
{
	const char *cable = json_string_value(json_object_get(res, "cable"));
	const char *jig = json_string_value(json_object_get(res, "jig"));
	const char *used = json_string_value(json_object_get(res, "profile_sha256"));
	char err[PROFILE_ERR_MAX];
	struct station_cable *sc = calloc(1, sizeof(*sc));
	json_t *o = json_null();
	if (sc && cable && jig && !strcmp(jig, lh->cfg.jig->name) &&
	    station_cable_fit(lh->cfg.profiles, lh->cfg.jig, cable, sc, err) == 0 && sc->profile_sha256[0])
		o = json_pack("{s:s, s:b}", "sha256_now", sc->profile_sha256, "unchanged",
		              used && !strcmp(used, sc->profile_sha256));
	free(sc);
	return o;
}

void line_http_certificate_data(line_http *lh, struct line_request *rq, struct line_reply *out)
{
	long long id;
	json_t *res = NULL, *cal = NULL;
	char now[32];
	if (test_id(rq->url, &id) < 0) {
		fail(out, 400, "id: not a test id (a positive number)");
		return;
	}
	if (runner_pending(lh->cfg.runner, id)) {
		fail(out, 409, "test %lld is still running", id);
		return;
	}
	int e = store_get(lh->cfg.store, id, &res);
	if (e < 0) {
		fail(out, e == -ENOENT ? 404 : 500, e == -ENOENT ? "no test %lld" : "the results store cannot be read (test %lld)",
		     id);
		return;
	}
	json_t *cid = json_object_get(res, "calibration");
	if (json_is_integer(cid) && store_calibration_get(lh->cfg.store, json_integer_value(cid), &cal) == 0)
		json_object_del(cal, "corrections");   /* the certificate names it; the numbers stay on the station */
	iso((long long)time(NULL), now);
	answer(out, 200, json_pack("{s:o, s:o, s:o, s:s}", "result", res, "calibration", cal ? cal : json_null(),
	                           "profile", profile_check(lh, res), "issued_at", now));
}

/* ---- the line view ---- */

static int text_ok(const char *s, size_t max)
{
	if (!*s || strlen(s) > max)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* since/until (default: the days before now), station, cable. 0, or -EINVAL
 * with the answer set. */
static int filter_of(struct line_request *rq, struct line_reply *out, long long days, struct line_filter *f)
{
	long long since, until = (long long)time(NULL) + 1;
	const char *v;
	memset(f, 0, sizeof(*f));
	if ((v = rq->query(rq, "until")) && *v && rq->parse_time(v, &until) < 0) {
		fail(out, 400, "until: '%.40s' is not a date (2026-11-22, 2026-11-22T10:00:00Z) or Unix time", v);
		return -EINVAL;
	}
	since = until - days * DAY_S;
	if ((v = rq->query(rq, "since")) && *v && rq->parse_time(v, &since) < 0) {
		fail(out, 400, "since: '%.40s' is not a date (2026-11-22, 2026-11-22T10:00:00Z) or Unix time", v);
		return -EINVAL;
	}
	if (since >= until) {
		fail(out, 400, "since: must be before until");
		return -EINVAL;
	}
	iso(since, f->since);
	iso(until, f->until);
	if ((v = rq->query(rq, "station")) && *v) {
		if (!text_ok(v, FLEET_NAME_MAX)) {
			fail(out, 400, "station: expected a station id of at most %d characters", FLEET_NAME_MAX);
			return -EINVAL;
		}
		f->station = v;
	}
	if ((v = rq->query(rq, "cable")) && *v) {
		if (!text_ok(v, 100)) {
			fail(out, 400, "cable: expected a cable profile name of at most 100 characters");
			return -EINVAL;
		}
		f->cable = v;
	}
	return 0;
}

/* "06:00,14:00,22:00" and an IANA zone. */
static int shifts_of(struct line_request *rq, struct line_reply *out, struct line_shifts *sh)
{
	const char *v = rq->query(rq, "shifts"), *tz = rq->query(rq, "tz");
	char list[128];
	memset(sh, 0, sizeof(*sh));
	snprintf(list, sizeof(list), "%s", v && *v ? v : "06:00,14:00,22:00");
	for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned h, m;
		char extra;
		if (sh->n >= LINE_MAX_SHIFTS || sscanf(t, "%2u:%2u%c", &h, &m, &extra) != 2 || strlen(t) != 5 ||
		    h > 23 || m > 59 || (sh->n && strcmp(t, sh->start[sh->n - 1]) <= 0)) {
			fail(out, 400, "shifts: expected up to %d start times, ascending, as HH:MM,HH:MM (e.g. 06:00,14:00,22:00)",
			     LINE_MAX_SHIFTS);
			return -EINVAL;
		}
		snprintf(sh->start[sh->n++], sizeof(sh->start[0]), "%s", t);
	}
	if (!sh->n) {
		fail(out, 400, "shifts: at least one start time (HH:MM)");
		return -EINVAL;
	}
	snprintf(sh->tz, sizeof(sh->tz), "%s", tz && *tz ? tz : "UTC");
	for (const char *p = sh->tz; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p)) {
			fail(out, 400, "tz: '%.40s' is not a time zone name (e.g. Europe/Berlin, UTC)", sh->tz);
			return -EINVAL;
		}
	return 0;
}

/* A whole number query parameter within [lo, hi], default def. */
static int number_of(struct line_request *rq, struct line_reply *out, const char *name, unsigned lo, unsigned hi,
                     unsigned def, unsigned *dst)
{
	const char *v = rq->query(rq, name);
	char *end;
	*dst = def;
	if (!v || !*v)
		return 0;
	unsigned long n = strtoul(v, &end, 10);
	if (*end || v[0] == '-' || n < lo || n > hi) {
		fail(out, 400, "%s: '%.20s' is not a whole number from %u to %u", name, v, lo, hi);
		return -EINVAL;
	}
	*dst = (unsigned)n;
	return 0;
}

static int spc_of(struct line_request *rq, struct line_reply *out, struct line_spc_query *q)
{
	const char *m = rq->query(rq, "metric"), *rs = rq->query(rq, "ref_since"), *ru = rq->query(rq, "ref_until");
	long long a, b;
	if (m && *m && !line_spc_metric_ok(m)) {
		fail(out, 400, "metric: '%.30s' is not level_db, crosstalk_db or series_ohms", m);
		return -EINVAL;
	}
	q->metric = m && *m ? m : NULL;
	if ((rs && *rs) || (ru && *ru)) {
		if (!rs || !ru || rq->parse_time(rs, &a) < 0 || rq->parse_time(ru, &b) < 0 || a >= b) {
			fail(out, 400, "ref_since, ref_until: both are needed, as dates or times, ref_since first");
			return -EINVAL;
		}
		iso(a, q->ref_since);
		iso(b, q->ref_until);
	}
	if (number_of(rq, out, "ref_points", 2, 100000, 25, &q->ref_points) < 0 ||
	    number_of(rq, out, "points", 1, LINE_SPC_MAX_POINTS, 500, &q->max_points) < 0)
		return -EINVAL;
	return 0;
}

/* The allowed query parameters of each view (the common ones first). */
static int view_args(struct line_request *rq, struct line_reply *out, const char *view)
{
	static const struct { const char *view; const char *args[12]; } table[] = {
		{ "yield", { "since", "until", "station", "cable", "by", "shifts", "tz", NULL } },
		{ "pareto", { "since", "until", "station", "cable", NULL } },
		{ "retests", { "since", "until", "station", "cable", "limit", NULL } },
		{ "spc", { "since", "until", "station", "cable", "metric", "ref_since", "ref_until", "ref_points", "points",
		           NULL } },
		{ "calibrations", { "since", "until", "station", "cable", "jig", NULL } },
		{ "stations", { NULL } },
		{ "status", { NULL } },
	};
	char bad[64];
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcmp(table[i].view, view) != 0)
			continue;
		if (rq->unknown_query(rq, table[i].args, bad)) {
			fail(out, 400, "%s: unknown query parameter of the %s view", bad, view);
			return -EINVAL;
		}
		return 0;
	}
	fail(out, 404, "no line view '%.40s' (yield, pareto, retests, spc, calibrations, stations, status)", view);
	return -ENOENT;
}

void line_http_view(line_http *lh, struct line_request *rq, struct line_reply *out)
{
	char view[32], err[LINE_ERR_MAX] = "";
	struct line_filter f;
	json_t *o = NULL;
	int e = -EINVAL;

	if (segment(rq->url, "/api/v1/line/", view, sizeof(view)) < 0 || view_args(rq, out, view) < 0) {
		if (!out->status)
			fail(out, 404, "no such line view");
		return;
	}
	if (!lh->cfg.line) {
		fail(out, 404, "this station has no line database: set [fleet] postgres in tonewired.conf");
		return;
	}
	if (!strcmp(view, "status")) {
		answer(out, 200, fleet_status_json(lh->cfg.fleet));
		return;
	}
	if (!strcmp(view, "stations")) {
		e = line_stations(lh->cfg.line, &o, err);
	} else if (!strcmp(view, "yield")) {
		struct line_shifts sh;
		const char *by = rq->query(rq, "by");
		by = by && *by ? by : "station";
		if (strcmp(by, "station") && strcmp(by, "cable") && strcmp(by, "shift")) {
			fail(out, 400, "by: '%.20s' is not station, cable or shift", by);
			return;
		}
		if (filter_of(rq, out, 7, &f) < 0 || shifts_of(rq, out, &sh) < 0)
			return;
		e = line_yield(lh->cfg.line, &f, by, &sh, &o, err);
	} else if (!strcmp(view, "pareto")) {
		if (filter_of(rq, out, 7, &f) < 0)
			return;
		e = line_pareto(lh->cfg.line, &f, &o, err);
	} else if (!strcmp(view, "retests")) {
		unsigned limit;
		if (filter_of(rq, out, 7, &f) < 0 || number_of(rq, out, "limit", 1, 1000, 100, &limit) < 0)
			return;
		e = line_retests(lh->cfg.line, &f, limit, &o, err);
	} else if (!strcmp(view, "spc")) {
		struct line_spc_query q;
		memset(&q, 0, sizeof(q));
		if (filter_of(rq, out, 7, &q.f) < 0 || spc_of(rq, out, &q) < 0)
			return;
		e = line_spc(lh->cfg.line, &q, &o, err);
	} else {
		const char *jig = rq->query(rq, "jig");
		if (filter_of(rq, out, 365, &f) < 0)
			return;
		if (jig && *jig && !text_ok(jig, 100)) {
			fail(out, 400, "jig: expected a jig profile name of at most 100 characters");
			return;
		}
		e = line_calibrations(lh->cfg.line, &f, jig && *jig ? jig : NULL, &o, err);
	}
	if (e == -EINVAL)
		fail(out, 400, "%s", err);
	else if (e < 0)
		fail(out, 503, "%s", err);
	else
		answer(out, 200, o);
}

void line_http_status(line_http *lh, json_t *status)
{
	json_t *st = fleet_station_json(lh->cfg.station);
	json_object_set_new(st, "database", json_boolean(lh->cfg.line != NULL));
	json_object_set_new(status, "line", st);
	if (lh->cfg.fleet)
		json_object_set_new(status, "fleet", fleet_status_json(lh->cfg.fleet));
}

char *line_http_metrics(line_http *lh, char *text)
{
	return lh->cfg.fleet && text ? fleet_metrics_append(lh->cfg.fleet, text) : text;
}
