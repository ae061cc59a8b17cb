/* http_input: reading what a request brings — headers, query parameters, ids, names, serials, JSON bodies — and saying what is wrong with it. */
#include "routes.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#include "reply.h"

const char *http_header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

const char *http_query(struct MHD_Connection *c, const char *name)
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

int http_unknown_query(struct MHD_Connection *c, const char *const *allowed, char bad[64])
{
	struct query_check q = { allowed, "" };
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_arg, &q);
	if (q.bad[0]) {
		snprintf(bad, 64, "%s", q.bad);
		return 1;
	}
	return 0;
}

int http_parse_id(const char *s, long long *id)
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

const char *http_check_serial(const char *s)
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

static int content_type_ok(struct MHD_Connection *c)
{
	const char *ct = http_header(c, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!ct)
		return 1;
	size_t n = strcspn(ct, "; ");
	return n == 16 && !strncasecmp(ct, "application/json", 16);
}

/* The first field of o that is not in fields, or NULL. */
static const char *unknown_field(json_t *o, const char *const *fields)
{
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		int known = 0;
		for (const char *const *f = fields; *f; f++)
			known |= !strcmp(key, *f);
		if (!known)
			return key;
	}
	return NULL;
}

json_t *http_body_object(struct MHD_Connection *c, struct request *rq, const char *const *fields, int empty_ok,
                         enum MHD_Result *ret)
{
	json_error_t je;
	if (!content_type_ok(c)) {
		*ret = reply_error(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "body: send Content-Type: application/json");
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
		*ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "body: not valid JSON (%s at line %d, column %d)", je.text,
		                   je.line, je.column);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		*ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "body: expected a JSON object");
		return NULL;
	}
	const char *key = unknown_field(o, fields);
	if (key) {
		char list[128] = "";
		for (const char *const *f = fields; *f; f++) {
			size_t n = strlen(list);
			snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", *f);
		}
		*ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "%.60s: unknown field (expected %s)", key,
		                   list[0] ? list : "no fields");
		json_decref(o);
		return NULL;
	}
	return o;
}

const char *http_serial_problem(json_t *js)
{
	if (!js || json_is_null(js))
		return NULL;
	if (!json_is_string(js))
		return "expected a string";
	if (strlen(json_string_value(js)) != json_string_length(js))
		return "must not contain NUL characters";
	return http_check_serial(json_string_value(js));
}

static int cable_and_serial(http *h, struct MHD_Connection *c, json_t *o, const char **cable, const char **serial,
                          enum MHD_Result *ret)
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
	if ((why = http_serial_problem(js))) {
		*ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "serial: %s", why);
		return 0;
	}
	if (js && json_is_string(js))
		*serial = json_string_value(js);
	return 1;
}

json_t *http_cable_body(http *h, struct MHD_Connection *c, struct request *rq, const char *const *fields,
                        const char **cable, const char **serial, enum MHD_Result *ret)
{
	json_t *o = http_body_object(c, rq, fields, 1, ret);
	if (o && !cable_and_serial(h, c, o, cable, serial, ret)) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* "2026-11-22", "2026-11-22T10:00:00Z" (UTC without Z too), or Unix seconds. */
int http_parse_time(const char *s, long long *out)
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

