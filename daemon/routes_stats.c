/* routes_stats: the operator's shift — counts and yield of this station since a time, and starting a new shift. */
#include "routes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "reply.h"

/* Where the shift's start is kept (station_state): "SECONDS:ID", its Unix
 * time and the newest test id when it began, so a test asked for in the
 * same second just before the reset stays in the shift before. */
#define SHIFT_KEY "shift_start"

static json_t *iso_time(long long t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

/* The start of the shift: when someone last started one (and the tests it
 * leaves out, *after), else the station's local midnight of today (a
 * counter nobody reset counts the day). */
static long long shift_start(http *h, long long *after)
{
	char buf[64];
	long long t, id;
	int n = 0;
	*after = 0;
	if (store_state_get(h->ctx.store, SHIFT_KEY, buf, sizeof(buf)) == 0 &&
	    sscanf(buf, "%lld:%lld%n", &t, &id, &n) == 2 && !buf[n] && t >= 0 && id >= 0) {
		*after = id;
		return t;
	}
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (long long)mktime(&tm);
}

enum MHD_Result routes_stats(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const args[] = { "since", NULL };
	char bad[64];
	json_t *o;
	(void)rq;
	if (http_unknown_query(c, args, bad))
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "%s: unknown query parameter (expected since)", bad);
	long long after, start = shift_start(h, &after), since = start;
	const char *v = http_query(c, "since");
	if (v && *v) {
		if (http_parse_time(v, &since) < 0)
			return reply_error(c, MHD_HTTP_BAD_REQUEST,
			                   "since: '%.40s' is not a date (2026-11-22, 2026-11-22T10:00:00Z) or Unix time", v);
		after = 0;   /* a time of the caller's: every test from then on */
	}
	int e = store_stats(h->ctx.store, since, after, &o);
	if (e < 0)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the results store cannot be read");
	json_object_set_new(o, "since", iso_time(since));
	json_object_set_new(o, "shift_start", iso_time(start));
	return reply_json(c, MHD_HTTP_OK, o);
}

enum MHD_Result routes_shift(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const fields[] = { NULL };
	enum MHD_Result ret = MHD_NO;
	char buf[64];
	json_t *o = http_body_object(c, rq, fields, 1, &ret);
	if (!o)
		return ret;
	json_decref(o);
	long long now = (long long)time(NULL), last = store_last_id(h->ctx.store);
	snprintf(buf, sizeof(buf), "%lld:%lld", now, last);
	if (last < 0 || store_state_set(h->ctx.store, SHIFT_KEY, buf) < 0)
		return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the shift's start could not be stored");
	json_t *b = json_object();
	json_object_set_new(b, "shift_start", iso_time(now));
	/* Every screen of the station counts from here on, not only this one. */
	events_publish(h->ctx.events, "shift", b);
	return reply_json(c, MHD_HTTP_OK, b);
}
