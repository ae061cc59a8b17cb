/* Unit tests of devices: who holds a device node (a made-up /proc and the real one) and the busy message built from it. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "devices.h"

static char root[64];

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, haystack);
}

/* proc/PID/fd/N -> target, and proc/PID/comm. */
static void fake_process(long pid, const char *comm, const char *const *targets, unsigned n)
{
	char path[256];

	snprintf(path, sizeof path, "%s/%ld", root, pid);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/%ld/fd", root, pid);
	assert_int_equal(mkdir(path, 0700), 0);
	for (unsigned k = 0; k < n; k++) {
		snprintf(path, sizeof path, "%s/%ld/fd/%u", root, pid, k + 3);
		assert_int_equal(symlink(targets[k], path), 0);
	}
	snprintf(path, sizeof path, "%s/%ld/comm", root, pid);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", comm);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/tw-proc-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_fake_proc(void **state)
{
	static const char *const pw[] = { "/dev/null", "/dev/snd/pcmC1D0p", "/dev/snd/controlC1" };
	static const char *const ap[] = { "/dev/snd/pcmC1D0p" };
	static const char *const other[] = { "/dev/snd/pcmC1D0c", "/dev/snd/pcmC2D0p" };
	char out[256];
	int server = -1;

	(void)state;
	fake_process(4242, "pipewire", pw, 3);
	fake_process(999, "aplay", ap, 1);
	fake_process(777, "arecord", other, 2);
	/* not a process: ignored */
	char junk[128];
	snprintf(junk, sizeof junk, "%s/self", root);
	assert_int_equal(mkdir(junk, 0700), 0);

	assert_int_equal(holders_find(root, "/dev/snd/pcmC1D0p", out, sizeof out, &server), 2);
	assert_contains(out, "pid 4242 (pipewire)");
	assert_contains(out, "pid 999 (aplay)");
	assert_null(strstr(out, "777"));
	assert_int_equal(server, 1);

	/* the capture node of the same device is someone else's */
	assert_int_equal(holders_find(root, "/dev/snd/pcmC1D0c", out, sizeof out, &server), 1);
	assert_string_equal(out, "pid 777 (arecord)");
	assert_int_equal(server, 0);

	assert_int_equal(holders_find(root, "/dev/snd/pcmC3D0p", out, sizeof out, &server), 0);
	assert_string_equal(out, "");
}

/* The real /proc: this process holds a file it opened. */
static void test_real_proc(void **state)
{
	char path[128], out[256], me[32];
	int fd;

	(void)state;
	snprintf(path, sizeof path, "%s/node", root);
	fd = open(path, O_CREAT | O_RDWR, 0600);
	assert_true(fd >= 0);
	snprintf(me, sizeof me, "pid %ld (", (long)getpid());
	assert_int_equal(holders_find(NULL, path, out, sizeof out, NULL), 1);
	assert_contains(out, me);
	assert_contains(out, "test_devices");
	close(fd);
	assert_int_equal(holders_find(NULL, path, out, sizeof out, NULL), 0);
}

static void test_busy_message(void **state)
{
	char out[512], msg[160], me[64];

	(void)state;
	/* a plugin that names its holder (the simulator does) */
	snprintf(msg, sizeof msg, "device busy: the playback side of this scenario is open in process %ld",
	         (long)getpid());
	snprintf(me, sizeof me, "held by pid %ld (test_devices)", (long)getpid());
	holders_busy_message("tonewire_sim:/x.conf", 0, msg, out, sizeof out);
	assert_contains(out, "'tonewire_sim:/x.conf' is busy (playback)");
	assert_contains(out, me);
	assert_contains(out, "stop that program");
	/* nobody to name */
	holders_busy_message("hw:99,0", 1, NULL, out, sizeof out);
	assert_contains(out, "'hw:99,0' is busy (capture)");
	assert_contains(out, "Linux does not say which");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fake_proc),
		cmocka_unit_test(test_real_proc),
		cmocka_unit_test(test_busy_message),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
