/* http_head: one HTTP/1.x request as it arrives on the wire — its head and its body's framing — checked before anything else reads it. */
#include "http_head.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define METHOD_MAX 16         /* the longest method the API knows is DELETE */
#define CHUNK_LINE_MAX 256    /* a chunk size with a short extension */
#define LEADING_EMPTY_MAX 4   /* RFC 9112 2.2: ignore at least one empty line before the request */

/* What the fields of a head say about its framing. */
struct framing {
	unsigned fields, hosts, lengths, encodings;
	int chunked, expect_continue, bad_length;
	unsigned long long length;
	char encoding[32];
};

/* Refuse the request: always -1, so a check can end with "return bad(…)". */
__attribute__((format(printf, 3, 4)))
static int bad(struct http_head *out, unsigned status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
	out->state = HTTP_HEAD_BAD;
	out->status = status;
	return -1;
}

static int is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The next line from pos: its length without CR LF (or bare LF) in *n and
 * where the next one starts in *next. 0 when its end has not arrived; -1
 * when it holds a CR that does not end it. */
static int next_line(const unsigned char *b, size_t len, size_t pos, size_t *n, size_t *next)
{
	const unsigned char *lf = memchr(b + pos, '\n', len - pos);
	if (!lf)
		return 0;
	size_t end = (size_t)(lf - b);
	*next = end + 1;
	if (end > pos && b[end - 1] == '\r')
		end--;
	*n = end - pos;
	return memchr(b + pos, '\r', *n) ? -1 : 1;
}

/* The request line s[0..n); complete says whether its end has arrived (a
 * partial line is checked as far as it goes, so garbage fails at once).
 * Sets *http11 from the version. */
static int request_line(const unsigned char *s, size_t n, int complete, const struct http_head_limits *lim,
                         struct http_head *out, int *http11)
{
	static const char shape[] = "request line: expected METHOD /path HTTP/1.1";
	size_t i = 0;
	while (i < n && is_tchar(s[i]))
		i++;
	if (i > METHOD_MAX)
		return bad(out, 400, "method: longer than %d characters", METHOD_MAX);
	if (i == n)
		return complete ? bad(out, 400, "%s", shape) : 0;
	if (s[i] != ' ' || !i)
		return bad(out, 400, "%s", shape);
	size_t t = ++i;
	while (i < n && s[i] > 0x20 && s[i] < 0x7f)
		i++;
	if (i - t > lim->target_max)
		return bad(out, 414, "request target: longer than %zu bytes", lim->target_max);
	if (i == n)
		return complete ? bad(out, 400, "%s", shape) : 0;
	if (s[i] != ' ')
		return bad(out, 400, "request target: only visible ASCII characters (%%-encode the others)");
	if (i == t || s[t] != '/')
		return bad(out, 400, "request target: must start with '/'");
	size_t v = i + 1, vn = n - v;
	if (vn > 8 || memcmp(s + v, "HTTP/", vn < 5 ? vn : 5))
		return bad(out, 400, "%s", shape);
	if (!complete)
		return 0;
	if (vn != 8 || s[v + 6] != '.' || s[v + 5] < '0' || s[v + 5] > '9' || s[v + 7] < '0' || s[v + 7] > '9')
		return bad(out, 400, "%s", shape);
	if (s[v + 5] != '1' || s[v + 7] > '1')
		return bad(out, 505, "HTTP version %.8s not supported (only HTTP/1.0 and HTTP/1.1)", (const char *)s + v);
	*http11 = s[v + 7] == '1';
	return 0;
}

static int name_is(const unsigned char *s, size_t n, const char *name)
{
	return strlen(name) == n && !strncasecmp((const char *)s, name, n);
}

/* What a framing field's value says; v[0..n) is the value without OWS. */
static void framing_field(const unsigned char *name, size_t nn, const unsigned char *v, size_t n, struct framing *f)
{
	if (name_is(name, nn, "Host")) {
		f->hosts++;
	} else if (name_is(name, nn, "Content-Length")) {
		f->lengths++;
		f->length = 0;
		f->bad_length = !n || n > 18;
		for (size_t i = 0; i < n && !f->bad_length; i++) {
			if (v[i] < '0' || v[i] > '9')
				f->bad_length = 1;
			f->length = f->length * 10 + (unsigned)(v[i] - '0');
		}
	} else if (name_is(name, nn, "Transfer-Encoding")) {
		f->encodings++;
		f->chunked = name_is(v, n, "chunked");
		snprintf(f->encoding, sizeof(f->encoding), "%.*s", (int)(n < 30 ? n : 30), (const char *)v);
	} else if (name_is(name, nn, "Expect")) {
		f->expect_continue = name_is(v, n, "100-continue");
	}
}

/* One field line s[0..n) of the head or of a chunked body's trailer. */
static int field(const unsigned char *s, size_t n, const struct http_head_limits *lim, struct framing *f,
                  struct http_head *out)
{
	if (++f->fields > lim->fields_max)
		return bad(out, 431, "more than %u header fields", lim->fields_max);
	if (s[0] == ' ' || s[0] == '\t')
		return bad(out, 400, "header fields folded over several lines are not accepted");
	size_t i = 0;
	while (i < n && is_tchar(s[i]))
		i++;
	if (i < n && (s[i] == ' ' || s[i] == '\t') && i)
		return bad(out, 400, "header field %.*s: no space is allowed before ':'", (int)(i < 40 ? i : 40),
		           (const char *)s);
	if (!i || i == n || s[i] != ':')
		return bad(out, 400, "header field: expected 'Name: value'");
	size_t v = i + 1, e = n;
	while (v < e && (s[v] == ' ' || s[v] == '\t'))
		v++;
	while (e > v && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	for (size_t k = v; k < e; k++)
		if ((s[k] < 0x20 && s[k] != '\t') || s[k] == 0x7f)
			return bad(out, 400, "header field %.*s: control character in its value", (int)(i < 40 ? i : 40),
			           (const char *)s);
	framing_field(s, i, s + v, e - v, f);
	return 0;
}

/* The framing the fields agree on, or why they do not. */
static int framing_check(const struct framing *f, int http11, const struct http_head_limits *lim,
                          struct http_head *out)
{
	if (f->hosts > 1)
		return bad(out, 400, "Host: given %u times", f->hosts);
	if (!f->hosts && http11)
		return bad(out, 400, "Host header required");
	if (f->lengths > 1)
		return bad(out, 400, "Content-Length: given %u times", f->lengths);
	if (f->lengths && f->bad_length)
		return bad(out, 400, "Content-Length: not a number of bytes");
	if (f->encodings) {
		if (f->lengths)
			return bad(out, 400, "Content-Length and Transfer-Encoding together: send one of them");
		if (f->encodings > 1)
			return bad(out, 400, "Transfer-Encoding: given %u times", f->encodings);
		if (!http11)
			return bad(out, 400, "Transfer-Encoding: not in HTTP/1.0");
		if (!f->chunked)
			return bad(out, 501, "Transfer-Encoding: '%s' not supported (only chunked)", f->encoding);
	}
	if (f->lengths && f->length > lim->body_max)
		return bad(out, 413, "body: larger than %zu bytes", lim->body_max);
	out->chunked = f->chunked;
	out->content_length = f->lengths ? (size_t)f->length : 0;
	out->expect_continue = f->expect_continue && http11;
	return 0;
}

/* A chunk's size line s[0..n): hex digits, then nothing or an extension. */
static int chunk_size(const unsigned char *s, size_t n, size_t *size)
{
	size_t i = 0, v = 0;
	for (; i < n && i < 9; i++) {
		unsigned char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		        c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			break;
		v = v * 16 + (size_t)d;
	}
	if (!i || i > 8)
		return -1;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] != ';')
		return -1;
	for (; i < n; i++)
		if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return -1;
	*size = v;
	return 0;
}

/* A chunked body from pos: every chunk exactly as framed, its trailer fields valid. */
static int chunked_body(const unsigned char *b, size_t len, size_t pos, const struct http_head_limits *lim,
                         struct framing *f, struct http_head *out)
{
	size_t start = pos, body = 0, n, next, size;
	for (;;) {
		int r = next_line(b, len, pos, &n, &next);
		if (r == 0)
			return len - pos > CHUNK_LINE_MAX ? bad(out, 400, "chunked body: a chunk size line is too long") : 0;
		if (r < 0 || n > CHUNK_LINE_MAX || chunk_size(b + pos, n, &size) < 0)
			return bad(out, 400, "chunked body: expected a chunk size in hexadecimal");
		pos = next;
		if (size > lim->body_max - body)
			return bad(out, 413, "body: larger than %zu bytes", lim->body_max);
		body += size;
		if (pos - start > lim->body_max + lim->head_max)
			return bad(out, 413, "body: too many chunks");
		if (!size)
			break;
		if (len - pos < size + 2)
			return 0;
		if (b[pos + size] != '\r' || b[pos + size + 1] != '\n')
			return bad(out, 400, "chunked body: a chunk is longer than its size says");
		pos += size + 2;
	}
	for (;;) {   /* the trailer, up to its empty line */
		int r = next_line(b, len, pos, &n, &next);
		if (r == 0)
			return len - pos > lim->head_max ? bad(out, 431, "chunked body: trailer too large") : 0;
		if (r < 0)
			return bad(out, 400, "chunked body: a CR inside a trailer line");
		if (n && field(b + pos, n, lim, f, out) < 0)
			return -1;
		pos = next;
		if (!n)
			break;
	}
	out->state = HTTP_HEAD_DONE;
	out->length = pos;
	return 0;
}

/* The head from pos (after any leading empty lines), then the body's framing. */
static int check(const unsigned char *b, size_t len, size_t pos, const struct http_head_limits *lim,
                 struct http_head *out)
{
	struct framing f;
	size_t n, next;
	int http11 = 0;

	memset(&f, 0, sizeof(f));
	int r = next_line(b, len, pos, &n, &next);
	if (r < 0)
		return bad(out, 400, "request line: a CR inside it");
	if (!r)   /* the line so far, without a CR that may yet be followed by its LF */
		n = len - pos - (len > pos && b[len - 1] == '\r');
	if (request_line(b + pos, n, r, lim, out, &http11) < 0 || !r)
		return 0;
	for (pos = next;; pos = next) {
		r = next_line(b, len, pos, &n, &next);
		if (r == 0)
			return len > lim->head_max ? bad(out, 431, "request head: larger than %zu bytes", lim->head_max) : 0;
		if (r < 0)
			return bad(out, 400, "header field: a CR inside a line");
		if (next > lim->head_max)
			return bad(out, 431, "request head: larger than %zu bytes", lim->head_max);
		if (!n)
			break;
		if (field(b + pos, n, lim, &f, out) < 0)
			return -1;
	}
	out->head_len = next;
	if (framing_check(&f, http11, lim, out) < 0)
		return -1;
	if (out->chunked)
		return chunked_body(b, len, next, lim, &f, out);
	if (len - next >= out->content_length) {
		out->state = HTTP_HEAD_DONE;
		out->length = next + out->content_length;
	}
	return 0;
}

void http_head_check(const char *buf, size_t len, const struct http_head_limits *lim, struct http_head *out)
{
	const unsigned char *b = (const unsigned char *)buf;
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	out->state = HTTP_HEAD_MORE;
	for (int i = 0; i < LEADING_EMPTY_MAX && pos < len && (b[pos] == '\r' || b[pos] == '\n'); i++)
		pos += b[pos] == '\r' && pos + 1 < len && b[pos + 1] == '\n' ? 2 : 1;
	check(b, len, pos, lim, out);
}
