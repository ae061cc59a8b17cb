/* routes_calibration: learning the jig from a golden sample, and the calibrations made so far. */
#include "routes.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "reply.h"

/* The answer to a verification test that made no calibration: 422 when the
 * golden sample is bad (its faults named), 503 when the station could not
 * decide. Takes res. */
static enum MHD_Result not_calibrated(struct MHD_Connection *c, long long id, json_t *res)
{
	const char *verdict = json_string_value(json_object_get(res, "verdict"));
	json_t *b = json_object();
	char msg[512];
	unsigned status;
	if (verdict && !strcmp(verdict, "fail")) {
		size_t i;
		json_t *f;
		snprintf(msg, sizeof(msg), "golden sample is not good: ");
		json_array_foreach(json_object_get(res, "faults"), i, f) {
			size_t n = strlen(msg);
			const char *sum = json_string_value(json_object_get(f, "summary"));
			snprintf(msg + n, sizeof(msg) - n, "%s%s", i ? "; " : "", sum ? sum : "a fault");
		}
		status = 422;   /* Unprocessable Content; its MHD name changed across versions */
	} else {
		const char *why = json_string_value(json_object_get(res, "error"));
		snprintf(msg, sizeof(msg), "cannot verify the golden sample: %s", why ? why : "the station could not decide");
		status = MHD_HTTP_SERVICE_UNAVAILABLE;
	}
	json_object_set_new(b, "error", json_string(msg));
	json_object_set(b, "faults", json_object_get(res, "faults"));
	json_object_set_new(b, "test", json_integer(id));
	json_object_set_new(b, "result", res);
	return reply_json(c, status, b);
}

/* Golden samples are only presumed good: the cable is tested against its
 * profile first, and only a pass is learnt from. */
enum MHD_Result routes_calibrate(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const fields[] = { "cable", "serial", NULL };
	enum MHD_Result ret = MHD_NO;
	char err[RUNNER_ERR_MAX];
	const char *cable, *serial;
	long long id = 0;
	json_t *res = NULL, *cal = NULL;

	json_t *o = http_cable_body(h, c, rq, fields, &cable, &serial, &ret);
	if (!o)
		return ret;
	int e = runner_submit_calibrate(h->ctx.runner, cable, serial, &id, err);
	json_decref(o);
	if (e < 0)
		return reply_refused(c, e, id, err);
	e = runner_wait(h->ctx.runner, id, HTTP_WAIT_MAX_MS, &res);
	if (e == -ENOENT)
		e = store_get(h->ctx.store, id, &res);
	if (e < 0 || !res)
		return reply_error(c, MHD_HTTP_GATEWAY_TIMEOUT, "the verification test %lld did not finish in time", id);

	/* The runner decides: a calibration was made when the golden sample's
	 * wiring is right (its level may be off: that is what it corrects). */
	long long cid = json_integer_value(json_object_get(res, "calibration_created"));
	if (cid <= 0)
		return not_calibrated(c, id, res);
	if (store_calibration_get(h->ctx.store, cid, &cal) < 0) {
		json_decref(res);
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the calibration could not be stored");
	}
	json_t *b = json_object();
	json_object_set_new(b, "calibration", cal);
	json_object_set_new(b, "test", json_integer(id));
	json_object_set_new(b, "result", res);
	return reply_json(c, MHD_HTTP_CREATED, b);
}

enum MHD_Result routes_calibrations(http *h, struct MHD_Connection *c, struct request *rq)
{
	json_t *list = NULL;
	(void)rq;
	if (store_calibration_list(h->ctx.store, 1000, &list) < 0)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the results store cannot be read");
	return reply_json(c, MHD_HTTP_OK, list);
}

enum MHD_Result routes_calibration_get(http *h, struct MHD_Connection *c, struct request *rq)
{
	long long id;
	json_t *cal = NULL;
	if (http_parse_id(rq->arg, &id) < 0)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "id: '%.20s' is not a calibration id (a positive number)",
		                   rq->arg);
	int e = store_calibration_get(h->ctx.store, id, &cal);
	if (e == -ENOENT)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no calibration %lld", id);
	if (e < 0)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the results store cannot be read");
	return reply_json(c, MHD_HTTP_OK, cal);
}
