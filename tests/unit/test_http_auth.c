/* test_http_auth: the token comparison (right, wrong of the same length, and free of branches on the secret) and the login sessions. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <valgrind/memcheck.h>

#include "http_auth.h"

#define TOKEN "s3cret-token-0123456789"

static void test_equal_only_for_the_same_bytes(void **state)
{
	(void)state;
	const size_t n = strlen(TOKEN);
	assert_int_equal(http_auth_equal(TOKEN, n, TOKEN, n), 1);
	/* Wrong tokens of the same length, wrong at the first, a middle and the last byte. */
	char wrong[sizeof(TOKEN)];
	for (size_t at = 0; at < n; at += n / 2 - 1) {
		memcpy(wrong, TOKEN, sizeof(TOKEN));
		wrong[at] ^= 1;
		assert_int_equal(strlen(wrong), n);
		assert_int_equal(http_auth_equal(TOKEN, n, wrong, n), 0);
	}
	memcpy(wrong, TOKEN, sizeof(TOKEN));
	wrong[n - 1] ^= 1;
	assert_int_equal(http_auth_equal(TOKEN, n, wrong, n), 0);
	assert_int_equal(http_auth_equal(TOKEN, n, TOKEN, n - 1), 0);       /* a prefix */
	assert_int_equal(http_auth_equal(TOKEN, n - 1, TOKEN, n), 0);       /* one byte more */
	assert_int_equal(http_auth_equal(TOKEN, n, "", 0), 0);
	assert_int_equal(http_auth_equal("", 0, "", 0), 1);
}

/* Under valgrind (ctest unit.http_auth_constant_time): the secret's bytes are
 * marked undefined, so memcheck reports every branch or memory access whose
 * address depends on them — an early exit at the first wrong byte is one.
 * Without valgrind the test is skipped. */
static void test_equal_never_branches_on_the_secret(void **state)
{
	(void)state;
	if (!RUNNING_ON_VALGRIND)
		skip();
	char want[] = TOKEN, got[] = TOKEN;
	const size_t n = strlen(want);
	unsigned before = VALGRIND_COUNT_ERRORS;
	for (size_t at = 0; at <= n; at++) {
		memcpy(got, TOKEN, sizeof(TOKEN));
		if (at < n)
			got[at] ^= 0x20;
		VALGRIND_MAKE_MEM_UNDEFINED(want, n);
		int r = http_auth_equal(want, n, got, n);
		VALGRIND_MAKE_MEM_DEFINED(want, n);
		VALGRIND_MAKE_MEM_DEFINED(&r, sizeof(r));
		assert_int_equal(r, at == n);
	}
	assert_int_equal(VALGRIND_COUNT_ERRORS, before);
}

static void test_token(void **state)
{
	(void)state;
	http_auth *a = http_auth_create(TOKEN);
	assert_non_null(a);
	assert_true(http_auth_required(a));
	assert_true(http_auth_token_ok(a, TOKEN));
	assert_false(http_auth_token_ok(a, "s3cret-token-0123456780"));   /* same length, last byte wrong */
	assert_false(http_auth_token_ok(a, "S3cret-token-0123456789"));   /* same length, first byte wrong */
	assert_false(http_auth_token_ok(a, "wrong-token-0123456789"));
	assert_false(http_auth_token_ok(a, NULL));
	http_auth_destroy(a);
	a = http_auth_create("");
	assert_false(http_auth_required(a));
	http_auth_destroy(a);
}

static int is_hex_id(const char *id)
{
	if (strlen(id) != HTTP_AUTH_ID_LEN)
		return 0;
	return strspn(id, "0123456789abcdef") == HTTP_AUTH_ID_LEN;
}

static void test_sessions(void **state)
{
	(void)state;
	char one[HTTP_AUTH_ID_LEN + 1], two[HTTP_AUTH_ID_LEN + 1], forged[HTTP_AUTH_ID_LEN + 1];
	http_auth *a = http_auth_create(TOKEN);
	assert_int_equal(http_auth_login(a, "s3cret-token-0123456780", one), -EACCES);
	assert_int_equal(http_auth_login(a, TOKEN, one), 0);
	assert_int_equal(http_auth_login(a, TOKEN, two), 0);
	assert_true(is_hex_id(one));
	assert_string_not_equal(one, two);
	assert_true(http_auth_session_ok(a, one));
	assert_true(http_auth_session_ok(a, two));
	memcpy(forged, one, sizeof(forged));
	forged[HTTP_AUTH_ID_LEN - 1] = forged[HTTP_AUTH_ID_LEN - 1] == '0' ? '1' : '0';
	assert_false(http_auth_session_ok(a, forged));
	assert_false(http_auth_session_ok(a, ""));
	assert_false(http_auth_session_ok(a, NULL));
	assert_false(http_auth_session_ok(a, TOKEN));   /* the token is not a session */
	http_auth_logout(a, one);
	assert_false(http_auth_session_ok(a, one));
	assert_true(http_auth_session_ok(a, two));
	/* A full table makes room by ending the least recently used session. */
	char ids[HTTP_AUTH_SESSIONS][HTTP_AUTH_ID_LEN + 1];
	for (unsigned i = 0; i < HTTP_AUTH_SESSIONS; i++) {
		assert_int_equal(http_auth_login(a, TOKEN, ids[i]), 0);
		assert_true(http_auth_session_ok(a, two));   /* in use: never the one to go */
	}
	assert_true(http_auth_session_ok(a, two));
	assert_false(http_auth_session_ok(a, ids[0]));
	assert_true(http_auth_session_ok(a, ids[HTTP_AUTH_SESSIONS - 1]));
	http_auth_destroy(a);
	/* No token configured: nothing to log in to, no session is ever valid. */
	a = http_auth_create("");
	assert_false(http_auth_session_ok(a, two));
	http_auth_destroy(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_only_for_the_same_bytes),
		cmocka_unit_test(test_equal_never_branches_on_the_secret),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_sessions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
