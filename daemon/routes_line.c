/* routes_line: a station on a production line — operator, serials, certificates, the line view — answered by line_http.c through one adapter. */
#include "routes.h"

#include "line_http.h"
#include "reply.h"

/* What line_http.c's answers need of this request. */
struct ext {
	struct MHD_Connection *c;
	struct request *rq;
	enum MHD_Result ret;        /* when the body was refused */
};

static const char *ext_query(struct line_request *lr, const char *name)
{
	return http_query(((struct ext *)lr->http)->c, name);
}

static int ext_unknown_query(struct line_request *lr, const char *const *allowed, char bad[64])
{
	return http_unknown_query(((struct ext *)lr->http)->c, allowed, bad);
}

static json_t *ext_body(struct line_request *lr, const char *const *fields, int empty_ok)
{
	struct ext *e = lr->http;
	json_t *o = http_body_object(e->c, e->rq, fields, empty_ok, &e->ret);
	lr->answered = !o;
	return o;
}

static enum MHD_Result ext_call(http *h, struct MHD_Connection *c, struct request *rq, const char *method,
                                line_http_fn fn)
{
	struct ext e = { .c = c, .rq = rq, .ret = MHD_NO };
	struct line_request lr = { .method = method, .url = rq->url, .query = ext_query,
	                           .unknown_query = ext_unknown_query, .body = ext_body,
	                           .check_serial = http_check_serial, .parse_time = http_parse_time, .http = &e };
	struct line_reply a = { .status = 0 };
	if (!h->ctx.line)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "not available on this station");
	fn(h->ctx.line, &lr, &a);
	if (lr.answered)
		return e.ret;
	if (a.json)
		return reply_json(c, a.status, a.json);
	if (a.file[0])
		return reply_file(c, a.file, a.type, NULL, "no-cache");
	return reply_error(c, a.status ? a.status : MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", a.error);
}

#define LINE_ROUTE(name, method, fn) \
	enum MHD_Result name(http *h, struct MHD_Connection *c, struct request *rq) \
	{ return ext_call(h, c, rq, method, fn); }
LINE_ROUTE(routes_operator_get, "GET", line_http_operator)
LINE_ROUTE(routes_operator_set, "POST", line_http_operator)
LINE_ROUTE(routes_operator_out, "DELETE", line_http_operator)
LINE_ROUTE(routes_serial, "GET", line_http_serial)
LINE_ROUTE(routes_serial_release, "POST", line_http_release)
LINE_ROUTE(routes_certificate, "GET", line_http_certificate)
LINE_ROUTE(routes_certificate_data, "GET", line_http_certificate_data)
LINE_ROUTE(routes_line_view, "GET", line_http_view)

int routes_line_refuses(http *h, struct MHD_Connection *c, const char *serial, json_t *o, enum MHD_Result *ret)
{
	json_t *why = NULL;
	unsigned status = serial && *serial && h->ctx.line ?
	                  line_http_admit(h->ctx.line, serial, json_object_get(o, "retest"), &why) : 0;
	if (!status)
		return 0;
	*ret = reply_json(c, status, why);
	return 1;
}
