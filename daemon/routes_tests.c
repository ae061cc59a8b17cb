/* routes_tests: starting a test, one result, the history, and the capture of a failed test. */
#include "routes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "reply.h"

/* ?wait=1: the stored result, or why there is none. */
static enum MHD_Result wait_result(http *h, struct MHD_Connection *c, long long id, const char *loc)
{
	json_t *res = NULL;
	int e = runner_wait(h->ctx.runner, id, HTTP_WAIT_MAX_MS, &res);
	if (e == -EIO && res) {
		/* It ran, but is not durable: never a 200 for it. */
		const char *why = json_string_value(json_object_get(res, "error"));
		enum MHD_Result ret = reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "%s",
		                                  why ? why : "the result could not be stored");
		json_decref(res);
		return ret;
	}
	if (e == -ENOENT)
		e = store_get(h->ctx.store, id, &res);
	/* Stored (durably) before runner_wait returns it. */
	if (e == 0 && res)
		return reply_json_with(c, MHD_HTTP_OK, res, MHD_HTTP_HEADER_LOCATION, loc);
	json_decref(res);
	return reply_error(c, MHD_HTTP_GATEWAY_TIMEOUT, "test %lld did not finish in time; see %s", id, loc);
}

enum MHD_Result routes_test_start(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const fields[] = { "cable", "serial", "queue", "retest", NULL };
	static const char *const args[] = { "wait", NULL };
	enum MHD_Result ret = MHD_NO;
	char bad[64], err[RUNNER_ERR_MAX];
	const char *cable = NULL, *serial = NULL;
	int wait = 0;
	long long id = 0;
	unsigned position = 0;

	if (http_unknown_query(c, args, bad))
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "%s: unknown query parameter (expected wait)", bad);
	const char *w = http_query(c, "wait");
	if (w) {
		if (!strcmp(w, "1") || !strcmp(w, "true") || !*w)
			wait = 1;
		else if (strcmp(w, "0") && strcmp(w, "false"))
			return reply_error(c, MHD_HTTP_BAD_REQUEST, "wait: '%.40s' is not 0, 1, true or false", w);
	}
	json_t *o = http_cable_body(h, c, rq, fields, &cable, &serial, &ret);
	if (!o)
		return ret;
	/* A scan while the jig is busy: it waits its turn, in order, unless
	 * the station is set not to queue (then it is refused out loud). */
	if (routes_line_refuses(h, c, serial, o, &ret)) {   /* passed before, or locked out */
		json_decref(o);
		return ret;
	}
	json_t *jq = json_object_get(o, "queue");
	if (jq && !json_is_boolean(jq)) {
		json_decref(o);
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "queue: expected true or false");
	}
	int e = json_is_true(jq) && h->ctx.queue_scans
	        ? runner_submit_queued(h->ctx.runner, cable, serial, &id, &position, err)
	        : runner_submit(h->ctx.runner, cable, serial, &id, err);
	json_decref(o);
	if (e < 0)
		return reply_refused(c, e, id, err);

	char loc[64];
	snprintf(loc, sizeof(loc), "/api/v1/tests/%lld", id);
	if (wait)
		return wait_result(h, c, id, loc);
	json_t *b = json_object();
	json_object_set_new(b, "id", json_integer(id));
	json_object_set_new(b, "state", json_string(position ? "queued" : "measuring"));
	if (position)
		json_object_set_new(b, "position", json_integer(position));
	json_object_set_new(b, "location", json_string(loc));
	return reply_json_with(c, MHD_HTTP_ACCEPTED, b, MHD_HTTP_HEADER_LOCATION, loc);
}

/* The history's filters from the query string: 0, or -EINVAL with what is
 * wrong in why. */
static int history_query(struct MHD_Connection *c, struct store_query *q, char why[160])
{
	const char *v;
	if ((v = http_query(c, "serial")) && *v) {
		if (strlen(v) > RUNNER_SERIAL_MAX) {
			snprintf(why, 160, "serial: longer than 64 characters");
			return -EINVAL;
		}
		q->serial = v;
	}
	if ((v = http_query(c, "verdict")) && *v) {
		if (strcmp(v, "pass") && strcmp(v, "fail") && strcmp(v, "error")) {
			snprintf(why, 160, "verdict: '%.20s' is not pass, fail or error", v);
			return -EINVAL;
		}
		q->verdict = v;
	}
	if ((v = http_query(c, "cable")) && *v) {
		if (strlen(v) > 100) {
			snprintf(why, 160, "cable: too long");
			return -EINVAL;
		}
		q->cable = v;
	}
	if ((v = http_query(c, "kind")) && *v) {
		if (strcmp(v, "test") && strcmp(v, "flex") && strcmp(v, "calibration") && strcmp(v, "learn")) {
			snprintf(why, 160, "kind: '%.20s' is not test, flex, calibration or learn", v);
			return -EINVAL;
		}
		q->kind = v;
	}
	if ((v = http_query(c, "since")) && *v && http_parse_time(v, &q->since) < 0) {
		snprintf(why, 160, "since: '%.40s' is not a date (2026-11-22, 2026-11-22T10:00:00Z) or Unix time", v);
		return -EINVAL;
	}
	if ((v = http_query(c, "limit")) && *v) {
		char *end;
		long l = strtol(v, &end, 10);
		if (*end || l < 1 || l > STORE_LIMIT_MAX) {
			snprintf(why, 160, "limit: '%.20s' is not a number from 1 to %d", v, STORE_LIMIT_MAX);
			return -EINVAL;
		}
		q->limit = (unsigned)l;
	}
	return 0;
}

/* ?format=csv, or no format and an Accept that names text/csv: 1; JSON: 0;
 * anything else: -1. */
static int wants_csv(struct MHD_Connection *c)
{
	const char *f = http_query(c, "format");
	if (f && *f)
		return !strcmp(f, "csv") ? 1 : !strcmp(f, "json") ? 0 : -1;
	const char *accept = http_header(c, MHD_HTTP_HEADER_ACCEPT);
	return accept && strstr(accept, "text/csv") != NULL;
}

enum MHD_Result routes_history(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const args[] = { "serial", "verdict", "cable", "since", "limit", "kind", "format", NULL };
	struct store_query q = { .limit = 100 };
	char bad[64], why[160];
	json_t *list;
	(void)rq;

	if (http_unknown_query(c, args, bad))
		return reply_error(c, MHD_HTTP_BAD_REQUEST,
		                   "%s: unknown query parameter (expected serial, verdict, cable, since, limit, kind, format)",
		                   bad);
	if (history_query(c, &q, why) < 0)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "%s", why);
	int csv = wants_csv(c);
	if (csv < 0)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "format: '%.20s' is not json or csv", http_query(c, "format"));
	if (store_list(h->ctx.store, &q, &list) < 0)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the results store cannot be read");
	if (!csv)
		return reply_json(c, MHD_HTTP_OK, list);
	/* The one CSV of the history: the dashboard's button and the CLI's --csv both fetch it. */
	char *text = csv_history(list);
	json_decref(list);
	if (!text)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	return reply_text(c, MHD_HTTP_OK, text, "text/csv; charset=utf-8; header=present");
}

enum MHD_Result routes_test_get(http *h, struct MHD_Connection *c, struct request *rq)
{
	long long id;
	json_t *res;
	if (http_parse_id(rq->arg, &id) < 0)
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

static enum MHD_Result capture_file(http *h, struct MHD_Connection *c, struct request *rq, const char *ext,
                                    const char *type)
{
	long long id;
	char path[1100], disp[128];
	if (http_parse_id(rq->arg, &id) < 0)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "id: '%.20s' is not a test id (a positive number)", rq->arg);
	if (!store_has_capture(h->ctx.store, id))
		return reply_error(c, MHD_HTTP_NOT_FOUND,
		                   "test %lld has no capture (only failed tests keep one, the newest ones)", id);
	store_capture_path(h->ctx.store, id, ext, path, sizeof(path));
	snprintf(disp, sizeof(disp), "attachment; filename=\"tonewire-test-%lld.%s\"", id, ext);
	return reply_file(c, path, type, disp, "no-store");
}

enum MHD_Result routes_capture_wav(http *h, struct MHD_Connection *c, struct request *rq)
{
	return capture_file(h, c, rq, "wav", "audio/wav");
}

enum MHD_Result routes_capture_plan(http *h, struct MHD_Connection *c, struct request *rq)
{
	return capture_file(h, c, rq, "json", "application/json");
}
