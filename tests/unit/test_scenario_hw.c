/* Unit tests of a scenario's hardware keys ([interface] formats, rates, channels, jig channels, mixer, interface = NAME): what they set, and file:line messages for mistakes. */
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

#include "scenario.h"

static char dir[64];

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, haystack);
}

static const char *write_scenario(const char *name, const char *text)
{
	static char path[160];
	snprintf(path, sizeof path, "%s/%s.conf", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void shipped(struct profiles *p)
{
	memset(p, 0, sizeof *p);
	p->n_dirs = 1;
	snprintf(p->dir[0], sizeof p->dir[0], "%s/profiles", TONEWIRE_SOURCE_DIR);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/tw-schw-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A profile under the scenario's own keys. */
static void test_profile_and_overrides(void **state)
{
	struct profiles p;
	struct scenario *sc = calloc(1, sizeof *sc);
	char err[PROFILE_ERR_MAX];

	(void)state;
	shipped(&p);
	const char *path = write_scenario("ok", "[scenario]\njig = stereo-trs\n[interface]\ninterface = umc404hd\n"
	                                        "rates = 48000\njig_outputs = 3 4\njig_inputs = 1 4\n"
	                                        "mixer = \"UMC404HD 192k Output Playback Switch\" off fixed\n"
	                                        "[cable]\nwire = A.T B.T\n");
	assert_int_equal(scenario_load(path, &p, sc, err), 0);
	assert_string_equal(sc->hw.name, "umc404hd");
	assert_int_equal(sc->hw.channels[0], 4);
	assert_int_equal(sc->hw.n_rates, 1);
	assert_int_equal(sc->hw.rate[0], 48000);
	assert_string_equal(sc->hw.format[0][0], "S32_LE");
	assert_int_equal(iface_channel(&sc->hw, IFACE_PLAYBACK, 1), 4);
	assert_int_equal(iface_channel(&sc->hw, IFACE_CAPTURE, 1), 4);
	assert_int_equal(sc->hw.n_controls, 2);    /* the profile's */
	assert_int_equal(sc->hw.n_power_on, 1);    /* the scenario's */
	assert_true(sc->hw.power_on[0].fixed);
	free(sc);
}

/* Each mistake names the file, the line and what was expected. */
static void test_mistakes(void **state)
{
	struct profiles p;
	struct scenario *sc = calloc(1, sizeof *sc);
	char err[PROFILE_ERR_MAX];
	static const struct { const char *iface, *words; int rc; } bad[] = {
		{ "formats = S24_3LE U8\n", ":4: formats: unknown sample format 'U8'", -EINVAL },
		{ "rates = 48000 loud\n", ":4: rates: 'loud' is not a sample rate", -EINVAL },
		{ "playback_channels = 1\n", "the jig's output 2 is on device channel 2, but the device has playback_channels = 1",
		  -EINVAL },
		{ "jig_inputs = 1\n", "jig_inputs: 1 channels for a jig with 2 inputs", -EINVAL },
		{ "interface = no-such-box\n", "no interface profile 'no-such-box'", -ENOENT },
		{ "mixer = Direct Monitor off\n", ":4: mixer: expected '\"CONTROL NAME\"[,INDEX] VALUE'", -EINVAL },
		{ "loudness = 11\n", ":4: loudness: unknown key in [interface]; expected one of", -EINVAL },
	};

	(void)state;
	shipped(&p);
	for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		char text[512], name[16];
		snprintf(text, sizeof text, "[scenario]\njig = stereo-trs\n[interface]\n%s[cable]\nwire = A.T B.T\n",
		         bad[k].iface);
		snprintf(name, sizeof name, "bad%u", k);
		const char *path = write_scenario(name, text);
		err[0] = '\0';
		assert_int_equal(scenario_load(path, &p, sc, err), bad[k].rc);
		assert_contains(err, path);
		assert_contains(err, bad[k].words);
	}
	free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_and_overrides),
		cmocka_unit_test(test_mistakes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
