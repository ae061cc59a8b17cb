/* Unit tests of interface profiles: every shipped profile, the constraint keys, scenario overrides, mixer lines, identification and each malformed-file message. */
#include <errno.h>
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

#include "interface.h"

#define SHIPPED TONEWIRE_SOURCE_DIR "/profiles"

static void shipped(struct profiles *p)
{
	memset(p, 0, sizeof *p);
	p->n_dirs = 1;
	snprintf(p->dir[0], sizeof p->dir[0], "%s", SHIPPED);
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, haystack);
}

/* A profile file in a temporary folder laid out like profiles/. */
static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/tw-iface-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	char d[128];
	snprintf(d, sizeof d, "%s/interfaces", tmpdir);
	return mkdir(d, 0700);
}

static int teardown(void **state)
{
	char cmd[160];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *write_profile(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/interfaces/%s.conf", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Every shipped profile loads, names itself as its file, and states what a
 * station needs: a USB id, formats each way, rates, fixed channel counts. */
static void test_shipped(void **state)
{
	struct profiles p;
	char names[64][PROFILE_NAME_MAX], err[PROFILE_ERR_MAX];
	struct tw_interface i;
	unsigned n;

	(void)state;
	shipped(&p);
	n = iface_list(&p, names, 64);
	/* the brief's benches: 2i2 and 4i4 (3rd, 4th), 18i20, UMC202HD/404HD, M4, an 8x8 */
	assert_true(n >= 9);
	for (unsigned k = 0; k < n; k++) {
		assert_int_equal(iface_load(&p, names[k], &i, err), 0);
		assert_string_equal(i.name, names[k]);
		assert_int_equal(strlen(i.usb_id), 9);
		assert_true(i.card_name[0] != '\0');
		assert_true(i.n_formats[0] >= 1 && i.n_formats[1] >= 1);
		assert_true(i.n_rates >= 1);
		assert_true(i.channels[0] >= 2 && i.channels[1] >= 2);
		assert_true(i.buffer_bytes_max > 0);
		for (unsigned c = 0; c < i.n_controls; c++)
			assert_true(i.control[c].name[0] && i.control[c].value[0]);
	}
	/* values from the sources the files cite */
	assert_int_equal(iface_load(&p, "scarlett-18i20-2nd", &i, err), 0);
	assert_int_equal(i.channels[0], 20);
	assert_int_equal(i.channels[1], 18);
	assert_string_equal(i.format[0][0], "S24_3LE");
	assert_int_equal(iface_load(&p, "umc1820", &i, err), 0);
	assert_string_equal(i.format[0][0], "S24_3LE");
	assert_string_equal(i.format[1][0], "S32_LE");
	assert_int_equal(i.rate[i.n_rates - 1], 96000);
	assert_int_equal(iface_load(&p, "scarlett-2i2-3rd", &i, err), 0);
	assert_string_equal(i.usb_id, "1235:8210");
	assert_int_equal(i.n_controls, 2);
	assert_int_equal(i.control[0].role, IFACE_ROLE_DIRECT_MONITOR);
	assert_string_equal(i.control[0].name, "Direct Monitor Playback Enum");
	assert_string_equal(i.control[0].value, "Off");
	assert_int_equal(i.control[1].role, IFACE_ROLE_PHANTOM_POWER);
	assert_int_equal(iface_load(&p, "scarlett-4i4-3rd", &i, err), 0);
	assert_string_equal(i.control[1].value, "PCM 1");
}

static void test_keys(void **state)
{
	struct tw_interface i;
	char err[PROFILE_ERR_MAX];

	(void)state;
	iface_init(&i);
	assert_int_equal(iface_key(&i, "formats", "S24_3LE S32_LE", 1, err), 0);
	assert_int_equal(i.n_formats[0], 2);
	assert_int_equal(i.n_formats[1], 2);
	assert_string_equal(i.format[1][1], "S32_LE");   /* in the order given */
	assert_int_equal(iface_key(&i, "capture_formats", "S16_LE", 1, err), 0);
	assert_int_equal(i.n_formats[0], 2);
	assert_int_equal(i.n_formats[1], 1);
	assert_int_equal(iface_key(&i, "rates", "96000 44100 48000", 1, err), 0);
	assert_int_equal(i.n_rates, 3);
	assert_int_equal(i.rate[0], 44100);   /* sorted */
	assert_int_equal(i.rate[2], 96000);
	assert_int_equal(iface_key(&i, "playback_channels", "20", 1, err), 0);
	assert_int_equal(i.channels[0], 20);
	assert_int_equal(iface_key(&i, "jig_outputs", "3 4", 1, err), 0);
	assert_int_equal(iface_channel(&i, IFACE_PLAYBACK, 0), 3);
	assert_int_equal(iface_channel(&i, IFACE_PLAYBACK, 1), 4);
	assert_int_equal(iface_channel(&i, IFACE_CAPTURE, 1), 2);   /* no map: the jig's own numbering */
	assert_int_equal(iface_key(&i, "mixer", "\"Direct Monitor Playback Enum\" Mono fixed", 1, err), 0);
	assert_int_equal(i.n_power_on, 1);
	assert_true(i.power_on[0].fixed);
	assert_int_equal(iface_key(&i, "mixer", "\"Master Playback Volume\",1 -6.5 dB", 1, err), 0);
	assert_int_equal(i.power_on[1].index, 1);
	assert_string_equal(i.power_on[1].value, "-6.5dB");
	assert_int_equal(iface_key(&i, "noise_dbfs", "-100", 1, err), -ENOENT);   /* not ours: the scenario's */
	/* scenario-only keys are not profile keys */
	assert_int_equal(iface_key(&i, "jig_outputs", "1 2", 0, err), -ENOENT);

	/* each mistake, with what was expected */
	static const struct { const char *key, *value, *words; } bad[] = {
		{ "formats", "S24_3LE U8", "unknown sample format 'U8'" },
		{ "formats", "S16_LE S16_LE", "S16_LE given twice" },
		{ "formats", "", "expected 1 to 8 sample formats" },
		{ "rates", "48000 fast", "'fast' is not a sample rate" },
		{ "rates", "48000 48000", "48000 given twice" },
		{ "rates", "1000", "'1000' is not a sample rate" },
		{ "playback_channels", "0", "expected a whole number from 1 to 64" },
		{ "capture_channels", "65", "expected a whole number from 1 to 64" },
		{ "jig_inputs", "3 3", "device channel 3 given twice" },
		{ "jig_inputs", "0 1", "'0' is not a device channel" },
		{ "mixer", "Direct Monitor off", "expected '\"CONTROL NAME\"[,INDEX] VALUE'" },
		{ "mixer", "\"Direct Monitor\"", "no value" },
		{ "mixer", "\"Direct Monitor\" off loudly", "unexpected 'loudly'" },
		{ "mixer", "\"Direct Monitor\",x off", "control index 0..255" },
	};
	for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		iface_init(&i);
		err[0] = '\0';
		assert_int_equal(iface_key(&i, bad[k].key, bad[k].value, 1, err), -EINVAL);
		assert_contains(err, bad[k].words);
	}
	/* "fixed" belongs to scenarios: a profile's [mixer] line cannot say it */
	struct iface_control c;
	assert_int_equal(iface_parse_control("\"Phantom Power\" off fixed", 0, &c, err), -EINVAL);
	assert_int_equal(iface_parse_control("\"Analogue Output 01 Playback Enum\" \"PCM 1\"", 0, &c, err), 0);
	assert_string_equal(c.value, "PCM 1");
}

/* A scenario's keys win over its profile's, one by one; the profile's mixer stays. */
static void test_resolve(void **state)
{
	struct profiles p;
	struct tw_interface sc;
	char err[PROFILE_ERR_MAX];

	(void)state;
	shipped(&p);
	iface_init(&sc);
	assert_int_equal(iface_key(&sc, "interface", "umc404hd", 1, err), 0);
	assert_int_equal(iface_key(&sc, "formats", "S24_3LE", 1, err), 0);
	assert_int_equal(iface_resolve(&sc, &p, NULL, err), 0);
	assert_string_equal(sc.format[0][0], "S24_3LE");   /* the scenario's */
	assert_int_equal(sc.n_formats[0], 1);
	assert_int_equal(sc.channels[0], 4);               /* the profile's */
	assert_int_equal(sc.n_rates, 6);
	assert_string_equal(sc.usb_id, "1397:0509");
	assert_int_equal(sc.n_controls, 2);

	iface_init(&sc);
	assert_int_equal(iface_key(&sc, "interface", "no-such-box", 1, err), 0);
	assert_int_equal(iface_resolve(&sc, &p, NULL, err), -ENOENT);
	assert_contains(err, "no interface profile 'no-such-box'");
	assert_contains(err, "umc404hd");   /* the known ones are listed */

	/* a jig that does not fit the device's fixed channels */
	iface_init(&sc);
	assert_int_equal(iface_key(&sc, "playback_channels", "4", 1, err), 0);
	assert_int_equal(iface_key(&sc, "jig_outputs", "4 5", 1, err), 0);
	assert_int_equal(iface_check_jig(&sc, 2, 2, err), -EINVAL);
	assert_contains(err, "output 2 is on device channel 5, but the device has playback_channels = 4");
	assert_int_equal(iface_check_jig(&sc, 3, 2, err), -EINVAL);
	assert_contains(err, "jig_outputs: 2 channels for a jig with 3 outputs");
}

static void test_identify(void **state)
{
	struct profiles p;
	struct tw_interface i;

	(void)state;
	shipped(&p);
	assert_int_equal(iface_identify(&p, "1235:8219", NULL, &i), 0);
	assert_string_equal(i.name, "scarlett-2i2-4th");
	/* upper-case hex, as some tools print it */
	assert_int_equal(iface_identify(&p, "1235:821A", NULL, &i), 0);
	assert_string_equal(i.name, "scarlett-4i4-4th");
	assert_int_equal(iface_identify(&p, NULL, "UMC404HD 192k", &i), 0);
	assert_string_equal(i.name, "umc404hd");
	/* the USB id names the product even when the card name says another */
	assert_int_equal(iface_identify(&p, "1397:0507", "UMC404HD 192k", &i), 0);
	assert_string_equal(i.name, "umc202hd");
	assert_int_equal(iface_identify(&p, "dead:beef", "HDA Intel PCH", &i), -ENOENT);
}

/* Malformed profiles: file, line and what was expected. */
static void test_malformed(void **state)
{
	struct profiles p;
	struct tw_interface i;
	char err[PROFILE_ERR_MAX];
	static const struct { const char *text, *words; } bad[] = {
		{ "[interface]\nname = x\nformats = S16_LE\nformats = S32_LE\n", ":4: [interface] formats: given twice (first on line 3)" },
		{ "[interface]\nname = x\nusb_id = 1235-8210\n", ":3: [interface] usb_id: expected VENDOR:PRODUCT in hex" },
		{ "[interface]\nname = x\nspeed = fast\n", ":3: [interface] unknown key 'speed'" },
		{ "name = x\n", ":1: 'name' before any section" },
		{ "[interface]\nname = x\n[routing]\n", ":3: unknown section [routing]" },
		{ "[interface]\nname = x\n[mixer]\nmonitor = \"Direct Monitor\" off\n", ":4: [mixer] unknown role 'monitor'" },
		{ "[interface]\nname = x\n[mixer]\ncontrol = \"A\" on\ncontrol = \"A\" off\n", ":5: [mixer] control: control \"A\",0 given twice" },
		{ "[interface]\ndescription = no name\n", "[interface] name is missing" },
		{ "[interface]\nname = x\njig_outputs = 1 2\n", ":3: [interface] unknown key 'jig_outputs'" },
		{ "[interface]\nname = x y\n", ":2: [interface] name: 'x y'" },
	};

	(void)state;
	memset(&p, 0, sizeof p);
	p.n_dirs = 1;
	snprintf(p.dir[0], sizeof p.dir[0], "%s", tmpdir);
	for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		char name[32];
		snprintf(name, sizeof name, "bad%u", k);
		const char *path = write_profile(name, bad[k].text);
		err[0] = '\0';
		assert_int_equal(iface_load(&p, name, &i, err), -EINVAL);
		assert_contains(err, path);
		assert_contains(err, bad[k].words);
	}
	/* a NUL byte, a line too long */
	char big[1400];
	memset(big, 'x', sizeof big);
	memcpy(big, "[interface]\nname = ", 19);
	big[sizeof big - 1] = '\0';
	write_profile("long", big);
	assert_int_equal(iface_load(&p, "long", &i, err), -EINVAL);
	assert_contains(err, ":2: line longer than 1024 characters");
	const char *path = write_profile("nul", "");
	FILE *f = fopen(path, "wb");
	fwrite("[interface]\nname = a\0b\n", 1, 23, f);
	fclose(f);
	assert_int_equal(iface_load(&p, "nul", &i, err), -EINVAL);
	assert_contains(err, ":2: binary data");
	/* a folder given as a profile, a name that would leave the folders */
	assert_int_equal(iface_load(&p, tmpdir, &i, err), -EINVAL);
	assert_contains(err, "not a profile");
	assert_int_equal(iface_load(&p, "a b", &i, err), -EINVAL);
	assert_contains(err, "a name has letters, digits");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_identify),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
