/* http_head: one HTTP/1.x request as it arrives on the wire — its head and its body's framing — checked before anything else reads it. */
#ifndef TONEWIRE_HTTP_HEAD_H
#define TONEWIRE_HTTP_HEAD_H

#include <stddef.h>

#define HTTP_HEAD_ERR_MAX 160

struct http_head_limits {
	size_t head_max;        /* request line and header fields, bytes: 431 beyond */
	size_t target_max;      /* the request target, bytes: 414 beyond */
	unsigned fields_max;    /* header (and trailer) fields: 431 beyond */
	size_t body_max;        /* the body as the handler sees it, bytes: 413 beyond */
};

enum http_head_state {
	HTTP_HEAD_MORE,         /* nothing wrong so far; the request is not complete yet */
	HTTP_HEAD_DONE,         /* a complete request of `length` bytes */
	HTTP_HEAD_BAD,          /* refused: `status` and `error` say why */
};

struct http_head {
	enum http_head_state state;
	unsigned status;                 /* HTTP_HEAD_BAD: 400, 413, 414, 431, 501 or 505 */
	char error[HTTP_HEAD_ERR_MAX];   /* HTTP_HEAD_BAD: what is wrong, for people */
	size_t head_len;                 /* the head's bytes with its empty line; 0 until it is complete */
	size_t length;                   /* HTTP_HEAD_DONE: head and body, bytes */
	size_t content_length;           /* Content-Length, when the head has one */
	int chunked;                     /* Transfer-Encoding: chunked */
	int expect_continue;             /* the client waits for "100 Continue" before it sends the body */
};

/* Check the first len bytes that arrived on a connection (all of them again
 * each time more arrive; the check keeps no state). Framing that two readers
 * could understand differently is refused rather than guessed: a second
 * Host or Content-Length, Content-Length with Transfer-Encoding, folded or
 * space-before-colon fields, control characters, a chunked body that is not
 * exactly chunked. */
void http_head_check(const char *buf, size_t len, const struct http_head_limits *lim, struct http_head *out);

#endif
