/* Unit tests of the INI reader every tonewire file goes through: syntax, line numbers, repeats, and what is not a text file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ini.h"

static const char *const sections[] = { "main", "list", "free", NULL };
static const struct ini_key keys[] = {
	{ "main", "name", 0 }, { "main", "path", 0 }, { "main", "text", 0 },
	{ "list", "wire", 1 }, { "list", "name", 0 },
	{ "free", NULL, 0 },   /* any key, each once */
};
static const struct ini_schema schema = { "sample", sections, keys, sizeof keys / sizeof keys[0], 0 };
static const struct ini_schema with_comments = { "sample", sections, keys, sizeof keys / sizeof keys[0], 1 };

static char err[INI_ERR_MAX];

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, haystack);
}

static ini *parse_ok(const char *text, const struct ini_schema *s)
{
	ini *d = NULL;
	int rc = ini_parse("t.conf", text, strlen(text), s, &d, err);

	if (rc != 0)
		fail_msg("rc %d: %s", rc, err);
	assert_non_null(d);
	return d;
}

/* Parses text that must fail; returns the message. */
static const char *parse_bad(const char *text, size_t len)
{
	ini *d = (ini *)1;

	err[0] = '\0';
	assert_int_equal(ini_parse("t.conf", text, len, &schema, &d, err), -EINVAL);
	assert_null(d);
	return err;
}

static void test_entries(void **state)
{
	ini *d;
	const struct ini_entry *e;

	(void)state;
	/* CRLF, blanks, a BOM, comments of both kinds, no final newline */
	d = parse_ok("\xef\xbb\xbf; a file\r\n[main]\r\n  name =  first value  \r\n"
	             "path = /srv/jig#2.conf   # a '#' after a blank starts a comment\r\n"
	             "\t[ list ]\nwire = A B\nwire = C D ; twice is fine\n"
	             "name=\n[main]\ntext = a;b", &schema);
	assert_int_equal(ini_count(d), 6);
	e = ini_at(d, 0);
	assert_int_equal(e->line, 3);
	assert_string_equal(e->section, "main");
	assert_string_equal(e->key, "name");
	assert_string_equal(e->value, "first value");
	assert_string_equal(ini_at(d, 1)->value, "/srv/jig#2.conf");
	assert_string_equal(ini_at(d, 2)->section, "list");
	assert_string_equal(ini_at(d, 3)->value, "C D");
	assert_int_equal(ini_at(d, 3)->line, 7);
	assert_string_equal(ini_at(d, 4)->key, "name");   /* same key, another section */
	assert_string_equal(ini_at(d, 4)->value, "");
	assert_string_equal(ini_at(d, 5)->value, "a;b");  /* the last line, without '\n' */
	assert_int_equal(ini_at(d, 5)->line, 10);
	assert_null(ini_at(d, 6));
	assert_int_equal(ini_section_line(d, "main"), 2);
	assert_int_equal(ini_section_line(d, "list"), 5);
	assert_int_equal(ini_section_line(d, "free"), 0);
	assert_int_equal(ini_section_line(d, "nowhere"), 0);
	assert_string_equal(ini_get(d, "list", "wire")->value, "A B");
	assert_null(ini_get(d, "main", "wire"));
	assert_string_equal(ini_name(d), "t.conf");
	ini_free(d);
	ini_free(NULL);

	/* comments as entries, when asked for */
	d = parse_ok("; before\n[main]\n# inside\nname = x ; not an entry\n", &with_comments);
	assert_int_equal(ini_count(d), 3);
	assert_null(ini_at(d, 0)->key);
	assert_string_equal(ini_at(d, 0)->section, "");
	assert_string_equal(ini_at(d, 0)->value, "before");
	assert_string_equal(ini_at(d, 1)->section, "main");
	assert_string_equal(ini_at(d, 1)->value, "inside");
	assert_string_equal(ini_at(d, 2)->value, "x");
	ini_free(d);

	d = parse_ok("", &schema);
	assert_int_equal(ini_count(d), 0);
	ini_free(d);
}

static void test_long_lines(void **state)
{
	enum { LONG = 100000 };
	char *text = malloc(3 * LONG);
	size_t n;
	ini *d;

	(void)state;
	assert_non_null(text);
	/* a long comment, a long value, then an error that must keep its own line */
	n = (size_t)sprintf(text, "[main]\n;");
	memset(text + n, 'c', LONG);
	n += LONG;
	n += (size_t)sprintf(text + n, "\ntext = ");
	memset(text + n, 'v', LONG);
	n += LONG;
	text[n] = '\0';
	d = parse_ok(text, &schema);
	assert_int_equal(ini_count(d), 1);
	assert_int_equal(strlen(ini_at(d, 0)->value), LONG);
	assert_int_equal(ini_at(d, 0)->line, 3);
	ini_free(d);
	n += (size_t)sprintf(text + n, "\ncolour = red\n");
	assert_contains(parse_bad(text, n), "t.conf:4: colour: unknown key in [main]; expected one of: name, path, text");
	free(text);
}

static void test_repeats(void **state)
{
	ini *d;

	(void)state;
	assert_contains(parse_bad("[main]\nname = a\n\nname = b\n", 23),
	                "t.conf:4: name: given twice (first on line 2); expected it once");
	/* once per section: the same key in two sections is two keys */
	d = parse_ok("[main]\nname = a\n[list]\nname = b\nwire = 1\nwire = 2\nwire = 1\n", &schema);
	assert_int_equal(ini_count(d), 5);
	ini_free(d);
	/* a section seen again is the same section */
	assert_contains(parse_bad("[main]\nname = a\n[list]\n[main]\nname = b\n", 39), "t.conf:5: name: given twice");
	/* keys of a free section are each once too */
	d = parse_ok("[free]\n1 = a\n01 = b\nx.y-z_ = c\n", &schema);
	assert_int_equal(ini_count(d), 3);
	ini_free(d);
	assert_contains(parse_bad("[free]\n1 = a\n2 = b\n1 = c\n", 24), "t.conf:4: 1: given twice (first on line 2)");
}

/* Thousands of distinct keys: the table of seen keys grows and still finds the one repeat. */
static void test_many_keys(void **state)
{
	enum { N = 20000 };
	char *text = malloc((size_t)N * 16 + 64);
	size_t n = 0;

	(void)state;
	assert_non_null(text);
	n += (size_t)sprintf(text + n, "[free]\n");
	for (int i = 0; i < N; i++)
		n += (size_t)sprintf(text + n, "k%d = %d\n", i, i);
	n += (size_t)sprintf(text + n, "k%d = again\n", N / 3);
	assert_contains(parse_bad(text, n), "k6666: given twice (first on line 6668)");
	free(text);
}

static void test_bytes(void **state)
{
	(void)state;
	assert_contains(parse_bad("[main]\nname = a\0b\n", 18), "t.conf:2: a NUL byte; a sample is a text file");
	assert_contains(parse_bad("[main]\n\n\x7f" "ELF\n", 12), "t.conf:3: control byte 0x7f");
	assert_contains(parse_bad("[main]\nname = a\rb\n", 18), "t.conf:2: control byte 0x0d");
	assert_contains(parse_bad("[main]\nname = \x1b[31m\n", 19), "t.conf:2: control byte 0x1b");
}

static void test_syntax(void **state)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "[mian]\n", "t.conf:1: [mian]: unknown section in a sample; expected [main], [list] or [free]" },
		{ "[]\n", "t.conf:1: []: unknown section" },
		{ "[main\nname = a\n", "t.conf:1: '[main': expected ']' to close the section name" },
		{ "[main] x\n", "t.conf:1: 'x': unexpected text after the section name '[main]'" },
		{ "[main] ; a comment\n[list]]\n", "t.conf:2: ']': unexpected text after" },
		{ "name = a\n[main]\n", "t.conf:1: name: before any section; expected [main] first" },
		{ "[main]\nname a\n", "t.conf:2: 'name a': expected 'key = value', a [section] or a comment" },
		{ "[main]\n = a\n", "t.conf:2: '= a': expected a key before '='" },
		{ "[main]\nna me = a\n", "t.conf:2: 'na me': expected a key of letters" },
		{ "[main]\nnamé = a\n", "t.conf:2: 'namé': expected a key of letters" },
		{ "[list]\nwires = a\n", "t.conf:2: wires: unknown key in [list]; expected one of: wire, name" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_contains(parse_bad(cases[i].text, strlen(cases[i].text)), cases[i].want);
}

static void test_error_format(void **state)
{
	(void)state;
	assert_int_equal(ini_error(err, "f.conf", 3, "key", "bad %d", 7), -EINVAL);
	assert_string_equal(err, "f.conf:3: key: bad 7");
	ini_error(err, "f.conf", 3, NULL, "bad");
	assert_string_equal(err, "f.conf:3: bad");
	ini_error(err, "f.conf", 0, "key", "bad");
	assert_string_equal(err, "f.conf: key: bad");
	ini_error(err, "f.conf", 0, NULL, "bad");
	assert_string_equal(err, "f.conf: bad");
}

/* What cannot be a file of settings is refused by name, before it is read. */
static void test_not_a_file(void **state)
{
	char dir[] = "/tmp/tw-ini-XXXXXX", path[256];
	ini *d = (ini *)1;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(ini_load(dir, &schema, &d, err), -EINVAL);
	assert_null(d);
	assert_contains(err, ": a directory, not a sample file");
	assert_int_equal(ini_load("/dev/null", &schema, &d, err), -EINVAL);
	assert_string_equal(err, "/dev/null: a character device, not a sample file");
	/* a FIFO would block a plain open until someone writes */
	snprintf(path, sizeof path, "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(ini_load(path, &schema, &d, err), -EINVAL);
	assert_contains(err, "fifo: a FIFO, not a sample file");
	/* a socket cannot even be opened; it is named as what it is, not by the errno of open */
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(sfd >= 0);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/sock", dir);
	assert_int_equal(bind(sfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(ini_load(sa.sun_path, &schema, &d, err), -EINVAL);
	close(sfd);
	assert_contains(err, "sock: a socket, not a sample file");
	snprintf(path, sizeof path, "%s/missing.conf", dir);
	assert_int_equal(ini_load(path, &schema, &d, err), -ENOENT);
	assert_contains(err, "missing.conf: cannot open the sample: No such file or directory");

	snprintf(path, sizeof path, "%s/big.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[main]\n", f);
	for (long i = 0; i < INI_FILE_MAX; i++)
		fputc(';', f);
	fclose(f);
	assert_int_equal(ini_load(path, &schema, &d, err), -EINVAL);
	assert_contains(err, "big.conf: 1048583 bytes; a sample is a small text file");

	snprintf(path, sizeof path, "%s/good.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[main]\nname = x\n", f);
	fclose(f);
	assert_int_equal(ini_load(path, &schema, &d, err), 0);
	assert_string_equal(ini_name(d), path);
	assert_string_equal(ini_get(d, "main", "name")->value, "x");
	ini_free(d);

	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* Random text: no crash, and every failure names the file and a line. */
static void test_random(void **state)
{
	static const char alphabet[] = "[]=;# \t\r\n.-_abcmainlistfreewirename01\xc3\xa9\x01";
	char buf[300];
	unsigned seed = 4321;

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = (size_t)(rand_r(&seed) % sizeof buf);
		ini *d = NULL;
		int rc;

		for (size_t i = 0; i < len; i++)
			buf[i] = alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
		err[0] = '\0';
		rc = ini_parse("r.conf", buf, len, &with_comments, &d, err);
		if (rc == 0) {
			for (unsigned i = 0; i < ini_count(d); i++)
				assert_true(ini_at(d, i)->line >= 1 && ini_at(d, i)->line <= len + 1);
			ini_free(d);
		} else {
			assert_int_equal(rc, -EINVAL);
			assert_null(d);
			assert_true(strncmp(err, "r.conf:", 7) == 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_repeats),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_error_format),
		cmocka_unit_test(test_not_a_file),
		cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
