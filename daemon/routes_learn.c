/* routes_learn: learning a cable profile from samples on the daemon's jig — one step per request, the profile written once a second sample agrees. */
#include "routes.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "reply.h"
#include "session.h"

/* NULL when spec is an end the API takes: connector names, or plugs
 * "label:connector" separated by blanks; never a path. */
static const char *end_problem(const json_t *j)
{
	const char *s = json_string_value(j);
	int plugs = 0;
	if (!s)
		return "required: a connector name, or labelled plugs (\"left:ts-2.5 right:ts-2.5\")";
	if (strlen(s) > 200)
		return "is too long";
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, " ");
		if (n == 0) {
			p++;
			continue;
		}
		if (p[0] == '.' || memchr(p, '/', n))
			return "must be connector names, not paths";
		for (size_t i = 0; i < n; i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-:", p[i]))
				return "may only contain letters, digits, '.', '_', '+', '-', ':' and blanks";
		plugs++;
		p += n;
	}
	return plugs ? NULL : "must not be empty";
}

/* A step that ran: 200 a first sample kept, 201 the profile saved, 422 the
 * sample refused (the samples differ, or it is not plain conductors), 503
 * the station could not measure. Takes res. */
static enum MHD_Result step_answer(struct MHD_Connection *c, json_t *res)
{
	const char *verdict = json_string_value(json_object_get(res, "verdict"));
	const char *step = json_string_value(json_object_get(json_object_get(res, "learn"), "step"));
	if (verdict && !strcmp(verdict, "pass"))
		return reply_json(c, step && !strcmp(step, "saved") ? MHD_HTTP_CREATED : MHD_HTTP_OK, res);
	if (verdict && !strcmp(verdict, "fail"))
		return reply_json(c, 422, res);   /* Unprocessable Content; its MHD name changed across versions */
	json_t *b = json_object();
	const char *why = json_string_value(json_object_get(res, "error"));
	json_object_set_new(b, "error", json_string(why ? why : "the station could not measure the sample"));
	json_object_set_new(b, "result", res);
	return reply_json(c, MHD_HTTP_SERVICE_UNAVAILABLE, b);
}

enum MHD_Result routes_learn(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const fields[] = { "end_a", "end_b", "name", "restart", "serial", NULL };
	enum MHD_Result ret = MHD_NO;
	char err[RUNNER_ERR_MAX * 2];
	const char *why, *name = NULL, *serial = NULL;
	long long id = 0;
	json_t *res = NULL;

	json_t *o = http_body_object(c, rq, fields, 0, &ret);
	if (!o)
		return ret;
	json_t *jn = json_object_get(o, "name"), *jr = json_object_get(o, "restart"), *js = json_object_get(o, "serial");
	const char *field = "end_a";
	if (!(why = end_problem(json_object_get(o, field))))
		why = end_problem(json_object_get(o, field = "end_b"));
	if (!why && jn && !json_is_null(jn) && !json_is_string(jn))
		field = "name", why = "expected a string (a cable profile name)";
	if (!why && jr && !json_is_boolean(jr))
		field = "restart", why = "expected true or false";
	if (why) {
		ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "%s: %s", field, why);
		goto out;
	}
	if ((why = http_serial_problem(js))) {
		ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "serial: %s", why);
		goto out;
	}
	name = json_string_value(jn);
	serial = json_string_value(js);
	int e = runner_submit_learn(h->ctx.runner, json_string_value(json_object_get(o, "end_a")),
	                            json_string_value(json_object_get(o, "end_b")), name, json_is_true(jr), serial, &id,
	                            err);
	if (e == -EEXIST) {
		ret = reply_error(c, MHD_HTTP_CONFLICT, "name: %s", err);
		goto out;
	}
	if (e == -ENOENT || e == -EINVAL) {
		ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "%s", err);
		goto out;
	}
	if (e < 0) {
		ret = reply_refused(c, e, id, err);
		goto out;
	}
	e = runner_wait(h->ctx.runner, id, HTTP_WAIT_MAX_MS, &res);
	if (e == -ENOENT)
		e = store_get(h->ctx.store, id, &res);
	if (e < 0 || !res)
		ret = reply_error(c, MHD_HTTP_GATEWAY_TIMEOUT, "the learn step %lld did not finish in time", id);
	else
		ret = step_answer(c, res);
out:
	json_decref(o);
	return ret;
}
