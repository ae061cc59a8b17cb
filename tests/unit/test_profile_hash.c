/* Unit tests of SHA-256 (the FIPS 180-2 examples, chunking) and of the profile fingerprint's documented layout. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "profile_hash.h"
#include "profiles.h"

static void hex_of(const void *data, size_t len, char hex[PROFILE_HASH_HEX])
{
	struct sha256 s;
	unsigned char d[32];
	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, d);
	sha256_hex(d, hex);
}

/* The examples of FIPS 180-2 appendix B and the empty message. The 56-byte
 * one ends exactly where the length no longer fits the block; the 112-byte
 * one spans two blocks before its padding. */
static void fips_examples(void **state)
{
	(void)state;
	static const struct { const char *msg, *hex; } v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
		  "mnopqrstnopqrstu", "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	char hex[PROFILE_HASH_HEX];
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		hex_of(v[i].msg, strlen(v[i].msg), hex);
		assert_string_equal(hex, v[i].hex);
	}
}

/* A million 'a' fed in pieces of every size from 1 to 127 bytes: the
 * digest of FIPS 180-2 B.3, whatever the block boundaries. */
static void million_a_in_pieces(void **state)
{
	(void)state;
	char *a = malloc(1000000);
	struct sha256 s;
	unsigned char d[32];
	char hex[PROFILE_HASH_HEX];
	assert_non_null(a);
	memset(a, 'a', 1000000);
	sha256_init(&s);
	for (size_t off = 0, piece = 1; off < 1000000; off += piece, piece = piece % 127 + 1)
		sha256_update(&s, a + off, off + piece > 1000000 ? 1000000 - off : piece);
	sha256_final(&s, d);
	sha256_hex(d, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

static char *slurp(const char *path, long *size)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)*size + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)*size, f), (size_t)*size);
	fclose(f);
	return b;
}

/* Append "<kind> <size>\n<bytes>" of path to the stream. */
static void add_file(char **stream, size_t *len, const char *kind, const char *path)
{
	long size;
	char head[64], *b = slurp(path, &size);
	int n = snprintf(head, sizeof(head), "%s %ld\n", kind, size);
	*stream = realloc(*stream, *len + (size_t)n + (size_t)size);
	assert_non_null(*stream);
	memcpy(*stream + *len, head, (size_t)n);
	memcpy(*stream + *len + n, b, (size_t)size);
	*len += (size_t)n + (size_t)size;
	free(b);
}

/* The fingerprint is SHA-256 of the files in the documented order, each
 * with its header: rebuilt here from the files themselves. */
static void profile_layout(void **state)
{
	(void)state;
	struct profiles p;
	static struct tw_jig jig;
	static struct tw_cable cable;
	char err[PROFILE_ERR_MAX], got[PROFILE_HASH_HEX], want[PROFILE_HASH_HEX];
	char *stream = NULL;
	size_t len = 0;

	profiles_init(&p, NULL);
	assert_int_equal(profiles_load_jig(&p, TONEWIRE_SOURCE_DIR "/profiles/jigs/stereo-iem-2pin.conf", &jig, err), 0);
	assert_int_equal(profiles_load_cable(&p, "trrrs-4.4-to-2pin-iem", &cable, err), 0);
	assert_int_equal(profile_hash(&jig, &cable, got), 0);

	add_file(&stream, &len, "jig", jig.path);
	add_file(&stream, &len, "cable", cable.path);
	const struct tw_end *ends[4] = { &jig.socket_a, &jig.socket_b, &cable.a, &cable.b };
	for (unsigned e = 0; e < 4; e++)
		for (unsigned k = 0; k < ends[e]->n_plugs; k++)
			add_file(&stream, &len, "connector", ends[e]->plug[k].path);
	hex_of(stream, len, want);
	free(stream);
	assert_string_equal(got, want);
	/* The IEM cable has two plugs on one end: each is part of it. */
	assert_int_equal(cable.b.n_plugs, 2);
}

/* One byte more in the cable's file changes the fingerprint; a file that
 * is gone is an error, not a fingerprint of less. */
static void profile_changes(void **state)
{
	(void)state;
	struct profiles p;
	static struct tw_jig jig;
	static struct tw_cable cable;
	char err[PROFILE_ERR_MAX], before[PROFILE_HASH_HEX], after[PROFILE_HASH_HEX];
	char dir[] = "/tmp/tw-hash-XXXXXX", path[128];
	long size;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/trs-3.5-extension.conf", dir);
	char *b = slurp(TONEWIRE_SOURCE_DIR "/profiles/cables/trs-3.5-extension.conf", &size);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fwrite(b, 1, (size_t)size, f);
	fclose(f);
	free(b);
	profiles_init(&p, NULL);
	assert_int_equal(profiles_load_jig(&p, "stereo-trs", &jig, err), 0);
	assert_int_equal(profiles_load_cable(&p, path, &cable, err), 0);
	assert_int_equal(profile_hash(&jig, &cable, before), 0);
	f = fopen(path, "ab");
	fputs("; checked\n", f);
	fclose(f);
	assert_int_equal(profile_hash(&jig, &cable, after), 0);
	assert_string_not_equal(before, after);
	assert_int_equal(strlen(after), 64);
	unlink(path);
	assert_int_equal(profile_hash(&jig, &cable, after), -ENOENT);
	assert_string_equal(after, "");
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fips_examples),
		cmocka_unit_test(million_a_in_pieces),
		cmocka_unit_test(profile_layout),
		cmocka_unit_test(profile_changes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
