/* test_http_head: the connection gate's request check — complete, incomplete and refused requests, as RFC 9110/9112 frame them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http_head.h"

static const struct http_head_limits LIM = { .head_max = 1024, .target_max = 200, .fields_max = 8,
                                              .body_max = 64 };

static struct http_head check(const char *req)
{
	struct http_head h;
	http_head_check(req, strlen(req), &LIM, &h);
	return h;
}

/* The request is complete at its full length, and every shorter prefix is
 * only incomplete: a request that arrives byte by byte is never refused. */
static void assert_complete(const char *req, size_t want_length)
{
	size_t n = strlen(req);
	struct http_head h;
	for (size_t i = 0; i < want_length; i++) {
		http_head_check(req, i, &LIM, &h);
		if (h.state != HTTP_HEAD_MORE)
			fail_msg("prefix of %zu bytes of %s: state %d (%u %s)", i, req, h.state, h.status, h.error);
	}
	http_head_check(req, n, &LIM, &h);
	if (h.state != HTTP_HEAD_DONE)
		fail_msg("%s: state %d (%u %s)", req, h.state, h.status, h.error);
	assert_int_equal(h.length, want_length);
}

static void assert_refused_n(const char *req, size_t n, unsigned status)
{
	struct http_head h;
	http_head_check(req, n, &LIM, &h);
	if (h.state != HTTP_HEAD_BAD || h.status != status)
		fail_msg("%s: state %d status %u (%s), expected %u", req, h.state, h.status, h.error, status);
	assert_true(strlen(h.error) > 0);
}

static void assert_refused(const char *req, unsigned status)
{
	assert_refused_n(req, strlen(req), status);
}

static void test_complete_requests(void **state)
{
	(void)state;
	const char *get = "GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1:8640\r\n\r\n";
	assert_complete(get, strlen(get));
	const char *post = "POST /api/v1/tests HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
	assert_complete(post, strlen(post));
	const char *chunked = "POST /api/v1/tests HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	                      "5\r\nhello\r\n1;ext=1\r\n!\r\n0\r\nX-Trailer: t\r\n\r\n";
	assert_complete(chunked, strlen(chunked));
	/* HTTP/1.0 needs no Host; bare LF ends lines as well as CR LF; an empty line first is skipped. */
	const char *old = "\r\nGET / HTTP/1.0\nAccept: */*\n\n";
	assert_complete(old, strlen(old));
	const char *ows = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:  2 \t\r\n\r\nhi";
	assert_complete(ows, strlen(ows));
}

static void test_pipelined_bytes_are_not_part_of_the_request(void **state)
{
	(void)state;
	const char *one = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}";
	char two[256];
	snprintf(two, sizeof(two), "%sGET /admin HTTP/1.1\r\nHost: a\r\n\r\n", one);
	struct http_head h = check(two);
	assert_int_equal(h.state, HTTP_HEAD_DONE);
	assert_int_equal(h.length, strlen(one));
}

static void test_framing_two_readers_could_disagree_on(void **state)
{
	(void)state;
	assert_refused("GET / HTTP/1.1\r\nHost: a\r\nHost: evil.example\r\n\r\n", 400);
	assert_refused("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400);
	assert_refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 30\r\n\r\n{}", 400);
	assert_refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
	assert_refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400);
	assert_refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
	               400);
	assert_refused("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
	assert_refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501);
	assert_refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501);
	assert_refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello", 400);
	assert_refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", 400);
	assert_refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400);
	assert_refused("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400);         /* obs-fold */
	assert_refused("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400);                         /* space before ':' */
	assert_refused("GET / HTTP/1.1\r\nHost: a\r\ngarbage\r\n\r\n", 400);
	assert_refused("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x01" "c\r\n\r\n", 400);
	assert_refused("GET / HTTP/1.1\r\nHost: a\rX-A: b\r\n\r\n", 400);                  /* bare CR */
	assert_refused("GET / HTTP/1.1\r\n\r\n", 400);                                     /* no Host in 1.1 */
}

static void test_request_line(void **state)
{
	(void)state;
	assert_refused_n("\x00\x01\x02 nonsense", 12, 400);   /* refused before any line ends */
	assert_refused("GET /api/v1/status\r\n\r\n", 400);
	assert_refused("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
	assert_refused("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400);
	assert_refused("GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400);
	assert_refused("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505);
	assert_refused("GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505);
	assert_refused("GET / HTTX/1.1\r\nHost: a\r\n\r\n", 400);
	assert_refused("GETTINGTOOLONGAMETHOD / HTTP/1.1\r\n", 400);
	char longer[512];
	memset(longer, 'a', sizeof(longer));
	memcpy(longer, "GET /", 5);
	longer[5 + LIM.target_max] = '\0';   /* one byte over, and the line has not ended */
	assert_refused(longer, 414);
	longer[5 + LIM.target_max - 1] = '\0';   /* exactly the limit: still arriving */
	assert_int_equal(check(longer).state, HTTP_HEAD_MORE);
}

static void test_sizes(void **state)
{
	(void)state;
	char big[2048];
	snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: a\r\nX-Big: %0*d", (int)LIM.head_max, 0);
	assert_refused(big, 431);
	assert_refused("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\nF: 1\r\nG: 1\r\nH: 1\r\n\r\n",
	               431);
	assert_refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 65\r\n\r\n", 413);   /* before the body comes */
	char chunks[256];
	snprintf(chunks, sizeof(chunks),
	         "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n%032d\r\n21\r\n", 0);
	assert_refused(chunks, 413);
	assert_refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400);
	assert_refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", 400);
	assert_refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n123456789\r\n", 400);
}

static void test_expect_continue(void **state)
{
	(void)state;
	const char *req = "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
	struct http_head h = check(req);
	assert_int_equal(h.state, HTTP_HEAD_MORE);
	assert_true(h.expect_continue);
	assert_int_equal(h.head_len, strlen(req));
	assert_int_equal(h.content_length, 2);
	h = check("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
	assert_false(h.expect_continue);   /* an HTTP/1.0 client does not wait for it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_complete_requests),
		cmocka_unit_test(test_pipelined_bytes_are_not_part_of_the_request),
		cmocka_unit_test(test_framing_two_readers_could_disagree_on),
		cmocka_unit_test(test_request_line),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_expect_continue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
