/* reply: every answer of the HTTP API — JSON, {"error": …}, text, files — with the headers all of them carry. */
#include "reply.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The dashboard loads only its own files: no inline script or style, no
 * other origin, never inside a frame. The API answers carry the same policy;
 * it costs nothing there and a JSON body opened as a page can run nothing. */
const char *const reply_headers[] = {
	"Content-Security-Policy",
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
	"font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
	"X-Content-Type-Options", "nosniff",
	"X-Frame-Options", "DENY",
	"Referrer-Policy", "no-referrer",
	"Cross-Origin-Opener-Policy", "same-origin",
	"Cross-Origin-Resource-Policy", "same-origin",
	"Permissions-Policy", "camera=(), microphone=(), geolocation=(), usb=(), serial=(), payment=()",
	"Connection", "close",
	NULL,
};

enum MHD_Result reply_queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
	if (!r)
		return MHD_NO;
	for (const char *const *h = reply_headers; *h; h += 2)
		MHD_add_response_header(r, h[0], h[1]);
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static char *dump(json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12)) : NULL;
	json_decref(body);
	if (!text)
		return NULL;
	size_t n = strlen(text);
	/* A newline so curl output ends cleanly in a terminal. */
	char *with_nl = realloc(text, n + 2);
	if (!with_nl) {
		free(text);
		return NULL;
	}
	with_nl[n] = '\n';
	with_nl[n + 1] = '\0';
	return with_nl;
}

enum MHD_Result reply_json_with(struct MHD_Connection *c, unsigned status, json_t *body, const char *name,
                                const char *value)
{
	char *text = dump(body);
	if (!text)
		return MHD_NO;
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (name)
		MHD_add_response_header(r, name, value);
	return reply_queue(c, status, r);
}

enum MHD_Result reply_json(struct MHD_Connection *c, unsigned status, json_t *body)
{
	return reply_json_with(c, status, body, NULL, NULL);
}

/* {"error": msg}. A message quoting what a client sent may not be UTF-8
 * (JSON strings must be): its bytes beyond ASCII then become '?'. */
static json_t *error_json(char *msg)
{
	json_t *text = json_string(msg);
	if (!text) {
		for (char *p = msg; *p; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
		text = json_string(msg);
	}
	json_t *o = json_object();
	json_object_set_new(o, "error", text);
	return o;
}

__attribute__((format(printf, 1, 0)))
static json_t *error_object(const char *fmt, va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	return error_json(msg);
}

enum MHD_Result reply_error_with(struct MHD_Connection *c, unsigned status, const char *name, const char *value,
                                 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	json_t *o = error_object(fmt, ap);
	va_end(ap);
	return reply_json_with(c, status, o, name, value);
}

enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	json_t *o = error_object(fmt, ap);
	va_end(ap);
	return reply_json(c, status, o);
}

char *reply_error_body(const char *msg)
{
	char copy[512];
	snprintf(copy, sizeof(copy), "%s", msg);
	return dump(error_json(copy));
}

enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, char *text, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return reply_queue(c, status, r);
}

enum MHD_Result reply_file(struct MHD_Connection *c, const char *path, const char *type, const char *disposition,
                           const char *cache)
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
	const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	struct MHD_Response *r;
	unsigned status = MHD_HTTP_OK;
	if (inm && !strcmp(inm, etag)) {
		close(fd);
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		status = MHD_HTTP_NOT_MODIFIED;
	} else {
		r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
		if (!r) {
			close(fd);
			return MHD_NO;
		}
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
		if (disposition)
			MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
	}
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	return reply_queue(c, status, r);
}

enum MHD_Result reply_busy(struct MHD_Connection *c, long long id, const char *why)
{
	json_t *b = json_object();
	char msg[256];
	/* The runner's words when they say more than "busy" (a full queue). */
	int more = why && why[0] && strcmp(why, "the jig is busy") != 0;
	if (more && id > 0)
		snprintf(msg, sizeof(msg), "%.180s (test %lld is on the jig)", why, id);
	else if (more)
		snprintf(msg, sizeof(msg), "%.180s", why);
	else if (id > 0)
		snprintf(msg, sizeof(msg), "the jig is busy with test %lld", id);
	else
		snprintf(msg, sizeof(msg), "the jig is busy");
	json_object_set_new(b, "error", json_string(msg));
	json_object_set_new(b, "test", id > 0 ? json_integer(id) : json_null());
	return reply_json(c, MHD_HTTP_CONFLICT, b);
}

enum MHD_Result reply_refused(struct MHD_Connection *c, int e, long long id, const char *err)
{
	if (e == -EBUSY)
		return reply_busy(c, id, err);
	if (e == -ENOENT || e == -EINVAL)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "cable: %s", err);
	if (e == -ECANCELED || e == -ENOSPC || e == -EROFS)
		return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "%s", err);
	return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
}
