/* Unit tests of the run-time paths: a build tree is recognised from a binary's own file, an installed copy never is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

static char root[] = "/tmp/tw-paths-XXXXXX";

/* Runs "cmd 'root/a' 'root/b' …" for the folders given (NULL-terminated). */
static void sh(const char *cmd, ...)
{
	char buf[1024];
	const char *rel;
	va_list ap;

	snprintf(buf, sizeof buf, "%s", cmd);
	va_start(ap, cmd);
	while ((rel = va_arg(ap, const char *)) != NULL) {
		size_t n = strlen(buf);
		assert_true((size_t)snprintf(buf + n, sizeof buf - n, " '%s/%s'", root, rel) < sizeof buf - n);
	}
	va_end(ap);
	assert_int_equal(system(buf), 0);
}

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_fake_trees(void **state)
{
	char file[512], out[PATH_MAX], want[512];

	(void)state;
	assert_non_null(mkdtemp(root));
	sh("mkdir -p", "build/cli/CMakeFiles", "build/install/usr/bin", "other/cli/CMakeFiles", (char *)NULL);
	put("build/CMakeCache.txt", "# This is the CMakeCache file.\n"
	                            "CMAKE_HOME_DIRECTORY:INTERNAL=/src/tone wire\n"
	                            "CMAKE_PROJECT_NAME:STATIC=tonewire\n");
	put("build/cli/tonewire", "");
	put("build/install/usr/bin/tonewire", "");
	put("other/CMakeCache.txt", "CMAKE_PROJECT_NAME:STATIC=something-else\n");
	put("other/cli/tonewire", "");

	/* a binary in a folder CMake builds in, below the cache */
	snprintf(file, sizeof file, "%s/build/cli/tonewire", root);
	assert_int_equal(tw_paths_build_dir_of(file, out, sizeof out), 0);
	snprintf(want, sizeof want, "%s/build", root);
	assert_string_equal(out, want);
	assert_int_equal(tw_paths_source_dir_of_build(out, out, sizeof out), 0);
	assert_string_equal(out, "/src/tone wire");
	/* the same binary installed into a DESTDIR below the build tree */
	snprintf(file, sizeof file, "%s/build/install/usr/bin/tonewire", root);
	assert_int_equal(tw_paths_build_dir_of(file, out, sizeof out), -ENOENT);
	/* another project's build tree */
	snprintf(file, sizeof file, "%s/other/cli/tonewire", root);
	assert_int_equal(tw_paths_build_dir_of(file, out, sizeof out), -ENOENT);
	/* installed, relative, nothing */
	assert_int_equal(tw_paths_build_dir_of("/usr/bin/tonewire", out, sizeof out), -ENOENT);
	assert_int_equal(tw_paths_build_dir_of("cli/tonewire", out, sizeof out), -ENOENT);
	assert_int_equal(tw_paths_build_dir_of(NULL, out, sizeof out), -ENOENT);
	/* a result that does not fit is refused, not cut */
	snprintf(file, sizeof file, "%s/build/cli/tonewire", root);
	assert_int_equal(tw_paths_build_dir_of(file, out, 8), -ENAMETOOLONG);
	snprintf(want, sizeof want, "%s/build", root);
	assert_int_equal(tw_paths_source_dir_of_build(want, out, 5), -ENAMETOOLONG);
	snprintf(want, sizeof want, "%s/other", root);
	assert_int_equal(tw_paths_source_dir_of_build(want, out, sizeof out), -ENOENT);
	sh("rm -rf", "build", "other", (char *)NULL);
	assert_int_equal(rmdir(root), 0);
}

/* This test runs from the build tree it was built in. */
static void test_running_binary(void **state)
{
	char out[PATH_MAX], want[PATH_MAX];

	(void)state;
	assert_int_equal(tw_paths_build_dir(out, sizeof out), 0);
	assert_non_null(realpath(TONEWIRE_BUILD_DIR, want));
	assert_string_equal(out, want);
	assert_int_equal(tw_paths_source_dir(out, sizeof out), 0);
	assert_string_equal(out, TONEWIRE_SOURCE_DIR);
	assert_int_equal(tw_paths_data_dir(out, sizeof out), 0);
	assert_true(strlen(out) > 15 && strcmp(out + strlen(out) - 15, "/share/tonewire") == 0);
	assert_int_equal(tw_paths_data_dir(out, 3), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fake_trees),
		cmocka_unit_test(test_running_binary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
