/* routes_flex: a flex (intermittent) session — start it, watch it, stop it. */
#include "routes.h"

#include <errno.h>
#include <math.h>
#include <time.h>

#include "reply.h"

enum MHD_Result routes_flex_start(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const fields[] = { "cable", "serial", "seconds", NULL };
	enum MHD_Result ret = MHD_NO;
	char err[RUNNER_ERR_MAX];
	const char *cable, *serial;
	unsigned seconds = 60;
	long long id = 0;

	json_t *o = http_cable_body(h, c, rq, fields, &cable, &serial, &ret);
	if (!o)
		return ret;
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

enum MHD_Result routes_flex_get(http *h, struct MHD_Connection *c, struct request *rq)
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

enum MHD_Result routes_flex_stop(http *h, struct MHD_Connection *c, struct request *rq)
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
	e = runner_wait(h->ctx.runner, id, HTTP_WAIT_MAX_MS, &res);
	if (e == -ENOENT)
		e = store_get(h->ctx.store, id, &res);
	if (e < 0 || !res)
		return reply_error(c, MHD_HTTP_GATEWAY_TIMEOUT, "flex session %lld did not end in time", id);
	return reply_json(c, MHD_HTTP_OK, res);
}
