/* test_scenario: the scenario parser: shipped and hand-written good files, and every malformed case with its message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario.h"

struct fixture_state {
	struct profiles prof;
	char dir[128];
	struct scenario sc;
	char err[PROFILE_ERR_MAX];
};

static int setup(void **state)
{
	struct fixture_state *f = calloc(1, sizeof *f);

	assert_non_null(f);
	profiles_init(&f->prof, TONEWIRE_SOURCE_DIR "/profiles");
	snprintf(f->dir, sizeof f->dir, "/tmp/tw-scenario-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture_state *f = *state;
	char cmd[256];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", f->dir);
	free(f);
	return 0;
}

/* Writes text to DIR/name and returns the path (static storage of f). */
static const char *write_file(struct fixture_state *f, const char *name, const char *text, size_t len)
{
	static char path[256];   /* test-only scratch */
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", f->dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	fclose(fp);
	return path;
}

static int load_text(struct fixture_state *f, const char *text)
{
	const char *path = write_file(f, "s.conf", text, strlen(text));
	memset(f->err, 0, sizeof f->err);
	return scenario_load(path, &f->prof, &f->sc, f->err);
}

static void test_shipped_scenarios(void **state)
{
	struct fixture_state *f = *state;
	static const char *const names[] = {
		"straight-trrs-4ch", "straight-stereo-trs", "straight-stereo-trrs-ctia", "straight-stereo-iem-2pin",
		"straight-trrrs-5ch", "lr-swap", "polarity-inverted", "ctia-omtp-swap", "open-ground", "short",
		"high-resistance", "dropout", "unplugged",
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[256];
		snprintf(path, sizeof path, TONEWIRE_SOURCE_DIR "/sim/scenarios/%s.conf", names[i]);
		int rc = scenario_load(path, &f->prof, &f->sc, f->err);
		if (rc != 0)
			fail_msg("%s: %s", names[i], f->err);
		assert_true(f->sc.jig.fixture.n_outputs >= 2);
		assert_true(f->sc.cable.n >= 2);
	}
	assert_int_equal(scenario_load(TONEWIRE_SOURCE_DIR "/sim/scenarios/unplugged.conf", &f->prof, &f->sc, f->err), 0);
	assert_int_equal(f->sc.unplugged, 1);
	assert_int_equal(scenario_load(TONEWIRE_SOURCE_DIR "/sim/scenarios/dropout.conf", &f->prof, &f->sc, f->err), 0);
	assert_int_equal(f->sc.n_dropouts, 1);
	assert_int_equal(f->sc.dropout[0].conductor, 0);
	assert_true(f->sc.dropout[0].start_ms == 250.0 && f->sc.dropout[0].dur_ms == 5.0);
}

static void test_defaults(void **state)
{
	struct fixture_state *f = *state;

	assert_int_equal(load_text(f, "[scenario]\njig = trrs-4ch\n"), 0);
	assert_string_equal(f->sc.jig.name, "trrs-4ch");
	assert_int_equal(f->sc.rate, 48000);
	assert_int_equal(f->sc.latency_frames, -1);
	assert_true(f->sc.noise_dbfs == -120.0);
	assert_true(f->sc.hum_hz == 50.0 && f->sc.hum_dbfs == -200.0);
	assert_true(f->sc.gain_db == 0.0 && f->sc.thd_db == -200.0);
	assert_true(f->sc.drift_ppm == 0.0 && f->sc.clip_dbfs == 0.0);
	assert_int_equal(f->sc.pace_fast, 0);
	assert_int_equal(f->sc.unplugged, 0);
	assert_int_equal(f->sc.unplug_after_ms, -1);
	assert_int_equal(f->sc.cable.n, 0);   /* nothing listed: everything open */
}

static void test_every_key(void **state)
{
	struct fixture_state *f = *state;
	const char *text =
		"# every key, with comments of both kinds and CRLF line ends\r\n"
		"[scenario]\r\n"
		"jig = trrs-4ch   ; the formats.md example jig\r\n"
		"rate = 96000\r\n"
		"\r\n"
		"[interface]\r\n"
		"latency_frames = 173\r\n"
		"noise_dbfs = -100.5\r\n"
		"hum_hz = 60\r\n"
		"hum_dbfs = -80\r\n"
		"gain_db = -0.5\r\n"
		"thd_db = -90\r\n"
		"drift_ppm = 12.5\r\n"
		"clip_dbfs = -1\r\n"
		"pace = fast\r\n"
		"unplugged = no\r\n"
		"unplug_after_ms = 1500\r\n"
		"[cable]\r\n"
		"wire = A.T B.T\r\n"
		"wire = A.S B.S 2.5   # a thin ground\r\n"
		"short = A.T A.S 0.5\r\n"
		"dropout = A.T B.T 250 2\r\n"
		"dropout = B.S A.S 10.5 0.25\r\n";

	int rc = load_text(f, text);
	if (rc)
		fail_msg("%s", f->err);
	const struct fixture *fx = &f->sc.jig.fixture;
	assert_int_equal(f->sc.rate, 96000);
	assert_int_equal(f->sc.latency_frames, 173);
	assert_true(f->sc.noise_dbfs == -100.5);
	assert_true(f->sc.hum_hz == 60 && f->sc.hum_dbfs == -80);
	assert_true(f->sc.gain_db == -0.5 && f->sc.thd_db == -90);
	assert_true(f->sc.drift_ppm == 12.5 && f->sc.clip_dbfs == -1);
	assert_int_equal(f->sc.pace_fast, 1);
	assert_int_equal(f->sc.unplugged, 0);
	assert_int_equal(f->sc.unplug_after_ms, 1500);
	assert_int_equal(f->sc.cable.n, 3);
	assert_int_equal(f->sc.cable.c[0].a, fixture_find_contact(fx, "A.T"));
	assert_int_equal(f->sc.cable.c[0].b, fixture_find_contact(fx, "B.T"));
	assert_true(fabs(f->sc.cable.c[0].ohms - WIRING_DEFAULT_OHMS) < 1e-12);
	assert_true(f->sc.cable.c[1].ohms == 2.5);
	assert_true(f->sc.cable.c[2].ohms == 0.5);
	assert_int_equal(f->sc.is_short[2], 1);
	assert_int_equal(f->sc.line[1], 20);
	assert_int_equal(f->sc.n_dropouts, 2);
	assert_int_equal(f->sc.dropout[0].conductor, 0);
	assert_int_equal(f->sc.dropout[1].conductor, 1);   /* named the other way round */
	assert_true(f->sc.dropout[1].start_ms == 10.5 && f->sc.dropout[1].dur_ms == 0.25);
}

static void test_multi_plug_contacts_and_relative_jig(void **state)
{
	struct fixture_state *f = *state;
	char jig[256];
	FILE *src, *dst;
	char buf[4096];
	size_t n;

	/* a jig next to the scenario, named by a relative path */
	src = fopen(TONEWIRE_SOURCE_DIR "/profiles/jigs/stereo-iem-2pin.conf", "r");
	assert_non_null(src);
	snprintf(jig, sizeof jig, "%s/jigs", f->dir);
	assert_int_equal(mkdir(jig, 0700) == 0 || errno == EEXIST, 1);
	snprintf(jig, sizeof jig, "%s/jigs/my-iem.conf", f->dir);
	dst = fopen(jig, "w");
	assert_non_null(dst);
	while ((n = fread(buf, 1, sizeof buf, src)) > 0)
		assert_int_equal(fwrite(buf, 1, n, dst), n);
	fclose(src);
	fclose(dst);

	int rc = load_text(f, "[scenario]\njig = jigs/my-iem.conf\n[cable]\n"
	                      "wire = A.T B.left.+\nwire = A.S B.left.-\nwire = A.R B.right.+\nwire = A.S B.right.-\n");
	if (rc)
		fail_msg("%s", f->err);
	assert_int_equal(f->sc.jig.fixture.n_outputs, 2);
	assert_int_equal(f->sc.cable.c[3].b, fixture_find_contact(&f->sc.jig.fixture, "B.right.-"));
}

/* One malformed file and what its message must say. */
struct bad_case {
	const char *text;
	const char *expect[3];       /* substrings of the message */
	int rc;
};

static const struct bad_case bad_cases[] = {
	{ "[scenario]\njig = trrs-4ch\n[interface]\nnoise_dbf = -100\n",
	  { ":4: noise_dbf: unknown key in [interface]", "noise_dbfs" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[interfaces]\n", { ":3:", "[interfaces]: unknown section", "[interface]" }, -EINVAL },
	{ "[scenario\njig = trrs-4ch\n", { ":1:", "expected ']' to close" }, -EINVAL },
	{ "jig = trrs-4ch\n", { ":1:", "before any section", "[scenario]" }, -EINVAL },
	{ "[scenario]\njig trrs-4ch\n", { ":2:", "expected 'key = value'" }, -EINVAL },
	{ "[scenario]\n= trrs-4ch\n", { ":2:", "expected a key before '='" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\nrate = 47999\n", { ":3: rate: ", "48000" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\nrate = fast\n", { ":3:", "rate", "got 'fast'" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\njig = stereo-trs\n", { ":3: jig: given twice (first on line 2)" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\ncolour = red\n", { ":3: colour: unknown key in [scenario]", "jig, rate" }, -EINVAL },
	{ "[scenario]\nrate = 48000\n", { ":1: jig: missing" }, -EINVAL },
	{ "[interface]\npace = fast\n", { "no [scenario] section" }, -EINVAL },
	{ "[scenario]\njig = no-such-jig\n", { ":2: jig: unknown jig 'no-such-jig'" }, -ENOENT },
	{ "[scenario]\njig = trrs-4ch\n[interface]\nnoise_dbfs = loud\n",
	  { ":4:", "noise_dbfs", "got 'loud'" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[interface]\nnoise_dbfs = 3\n", { ":4:", "between -200 and 0" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[interface]\ngain_db = 1e400\n", { ":4:", "gain_db" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[interface]\ndrift_ppm = nan\n", { ":4:", "drift_ppm" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[interface]\nlatency_frames = -5\n",
	  { ":4:", "latency_frames", "whole number" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[interface]\nlatency_frames = 17.5\n", { ":4:", "latency_frames" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[interface]\npace = slow\n", { ":4:", "pace", "realtime or fast" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[interface]\nunplugged = maybe\n", { ":4:", "unplugged", "true or false" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[interface]\nunplug_after_ms = soon\n", { ":4:", "unplug_after_ms" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[interface]\nhum_hz = 50\nhum_hz = 60\n", { ":5: hum_hz: given twice (first on line 4)" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[cable]\nwire = A.T B.X\n", { ":4:", "unknown contact 'B.X'", "A.T" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[cable]\nwire = A.T\n", { ":4:", "wire", "CONTACT CONTACT [OHMS]" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[cable]\nwire = A.T B.T 1 2\n", { ":4:", "wire" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[cable]\nwire = A.T A.T\n", { ":4:", "two different contacts" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[cable]\nwire = A.T B.T -1\n", { ":4:", "resistance in ohms" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[cable]\nwire = A.T B.T zero\n", { ":4:", "got 'zero'" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[cable]\nshort = A.T A.S\n", { ":4:", "short", "OHMS" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[cable]\nwire = A.T B.T\nwire = B.T A.T\n",
	  { ":5:", "already joined on line 4" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[cable]\nlink = A.T B.T\n",
	  { ":4: link: unknown key", "wire, short, dropout" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[cable]\ndropout = A.T B.T 250 2\n",
	  { ":4:", "no 'wire = A.T B.T' line" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[cable]\nshort = A.T A.S 1\ndropout = A.T A.S 250 2\n",
	  { ":5:", "no 'wire = A.T A.S' line" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[cable]\nwire = A.T B.T\ndropout = A.T B.T 250\n",
	  { ":5:", "START_MS DURATION_MS" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[cable]\nwire = A.T B.T\ndropout = A.T B.T -1 2\n",
	  { ":5:", "start time" }, -EINVAL },
	{ "[scenario]\njig = trrs-4ch\n[cable]\nwire = A.T B.T\ndropout = A.T B.T 1 0\n",
	  { ":5:", "duration" }, -EINVAL },
	/* a [cable] error before the jig line still names its own line */
	{ "[cable]\nwire = A.T B.Q\n[scenario]\njig = trrs-4ch\n", { ":2:", "unknown contact 'B.Q'" }, -EINVAL },
	{ "", { "no [scenario] section" }, -EINVAL },
};

static void test_malformed(void **state)
{
	struct fixture_state *f = *state;

	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct bad_case *c = &bad_cases[i];
		int rc = load_text(f, c->text);
		if (rc != c->rc)
			fail_msg("case %zu: rc %d, expected %d (%s)", i, rc, c->rc, f->err);
		if (!strstr(f->err, "/s.conf"))
			fail_msg("case %zu: message does not name the file: %s", i, f->err);
		for (int k = 0; k < 3 && c->expect[k]; k++)
			if (!strstr(f->err, c->expect[k]))
				fail_msg("case %zu: '%s' not in message: %s", i, c->expect[k], f->err);
	}
}

static void test_not_a_scenario(void **state)
{
	struct fixture_state *f = *state;
	char big[3000];
	const char *path;

	assert_int_equal(scenario_load("/nonexistent/x.conf", &f->prof, &f->sc, f->err), -ENOENT);
	assert_non_null(strstr(f->err, "/nonexistent/x.conf"));

	assert_int_equal(scenario_load(f->dir, &f->prof, &f->sc, f->err), -EINVAL);   /* a directory */
	assert_non_null(strstr(f->err, "a directory, not a scenario file"));
	assert_int_equal(scenario_load("/dev/null", &f->prof, &f->sc, f->err), -EINVAL);
	assert_non_null(strstr(f->err, "/dev/null: a character device, not a scenario file"));

	path = write_file(f, "nul.conf", "[scenario]\njig = trrs\0-4ch\n", 27);
	assert_int_equal(scenario_load(path, &f->prof, &f->sc, f->err), -EINVAL);
	assert_non_null(strstr(f->err, ":2:"));
	assert_non_null(strstr(f->err, "NUL"));

	/* No line length limit: a long value is judged as a jig name. */
	memset(big, 'x', sizeof big);
	memcpy(big, "[scenario]\njig = ", 17);
	big[sizeof big - 1] = '\n';
	path = write_file(f, "long.conf", big, sizeof big);
	assert_int_equal(scenario_load(path, &f->prof, &f->sc, f->err), -EINVAL);
	assert_non_null(strstr(f->err, "long.conf:2: jig: too long"));

	/* A long comment is no error, and the lines after it keep their numbers. */
	memset(big, ';', sizeof big);
	memcpy(big, "[scenario]\n", 11);
	memcpy(big + sizeof big - 22, "\njig = trrs-4ch\nrate=1", 22);
	path = write_file(f, "comment.conf", big, sizeof big);
	assert_int_equal(scenario_load(path, &f->prof, &f->sc, f->err), -EINVAL);
	assert_non_null(strstr(f->err, "comment.conf:4: rate: "));
}

/* Random bytes, and good files cut at every length: no crash, and every
 * failure comes with a message naming the file. */
static void test_garbage(void **state)
{
	struct fixture_state *f = *state;
	const char *good =
		"[scenario]\njig = trrs-4ch\n[interface]\nlatency_frames = 100\npace = fast\n"
		"[cable]\nwire = A.T B.T\nshort = A.R1 A.S 3\ndropout = A.T B.T 10 5\n";
	char buf[512];
	unsigned seed = 12345;

	for (size_t len = 0; len <= strlen(good); len++) {
		const char *path = write_file(f, "cut.conf", good, len);
		int rc = scenario_load(path, &f->prof, &f->sc, f->err);
		assert_true(rc == 0 || rc == -EINVAL || rc == -ENOENT);
		if (rc)
			assert_non_null(strstr(f->err, "cut.conf"));
	}
	for (int iter = 0; iter < 300; iter++) {
		size_t len = (size_t)(rand_r(&seed) % sizeof buf);
		for (size_t i = 0; i < len; i++) {
			/* mostly printable, with the characters the grammar cares about */
			static const char alphabet[] = "[]=;# \t\n\r.ABSTR0123456789-abcdefghijklmnopqrstuvwxyz\xff\x01";
			buf[i] = alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
		}
		const char *path = write_file(f, "rand.conf", buf, len);
		int rc = scenario_load(path, &f->prof, &f->sc, f->err);
		assert_true(rc == 0 || rc == -EINVAL || rc == -ENOENT);
		if (rc)
			assert_non_null(strstr(f->err, "rand.conf"));
	}
}

/* Every way an ALSA device string names the simulator's scenario. */
static void test_device_path(void **state)
{
	static const struct { const char *device; int rc; const char *path; } cases[] = {
		{ "tonewire_sim:/a/b.conf", 1, "/a/b.conf" },
		{ "tonewire_sim:rel/b.conf", 1, "rel/b.conf" },
		{ "tonewire_sim:\"/a b/c.conf\"", 1, "/a b/c.conf" },
		{ "tonewire_sim:'/a b/c.conf'", 1, "/a b/c.conf" },
		{ "tonewire_sim:\"/a,b.conf\"", 1, "/a,b.conf" },
		{ "tonewire_sim:\"/a\\\"b.conf\"", 1, "/a\"b.conf" },
		{ "tonewire_sim:SCENARIO=/x.conf", 1, "/x.conf" },
		{ "tonewire_sim:SCENARIO='/x y.conf'", 1, "/x y.conf" },
		{ "hw:0", 0, NULL },
		{ "plughw:CARD=Jig", 0, NULL },
		{ "tonewire_simx:/a.conf", 0, NULL },
		{ "default", 0, NULL },
		{ "tonewire_sim:", -EINVAL, NULL },
		{ "tonewire_sim:\"\"", -EINVAL, NULL },
		{ "tonewire_sim:\"/a.conf", -EINVAL, NULL },
		{ "tonewire_sim:\"/a.conf\"x", -EINVAL, NULL },
		{ "tonewire_sim:/a,b.conf", -EINVAL, NULL },
	};
	char path[64];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc;

		memset(path, 0, sizeof path);
		rc = scenario_device_path(cases[i].device, path, sizeof path);
		if (rc != cases[i].rc)
			fail_msg("%s: rc %d, expected %d", cases[i].device, rc, cases[i].rc);
		if (cases[i].path)
			assert_string_equal(path, cases[i].path);
	}
	assert_int_equal(scenario_device_path(NULL, path, sizeof path), 0);
	/* "tonewire_sim" alone: the ALSA definition's default argument */
	setenv("TONEWIRE_SIM_SCENARIO", "/env/s.conf", 1);
	assert_int_equal(scenario_device_path("tonewire_sim", path, sizeof path), 1);
	assert_string_equal(path, "/env/s.conf");
	unsetenv("TONEWIRE_SIM_SCENARIO");
	assert_int_equal(scenario_device_path("tonewire_sim", path, sizeof path), -EINVAL);
	/* too long for the buffer: refused, never cut short */
	assert_int_equal(scenario_device_path("tonewire_sim:/123456789.conf", path, 10), -ENAMETOOLONG);
	assert_int_equal(scenario_device_path("tonewire_sim:'/123456789.conf'", path, 10), -ENAMETOOLONG);
	assert_int_equal(scenario_device_path("tonewire_sim:/12345678", path, 10), 1);
	assert_string_equal(path, "/12345678");
}

/* The jig a scenario names, resolved from the scenario's folder, and what it says about itself. */
static void test_scenario_jig_and_about(void **state)
{
	struct fixture_state *f = *state;
	struct scenario_about about;
	char jig[256], want[512], dev[300], deep[300];
	const char *path;

	path = write_file(f, "a.conf", "; title: Good cable\n; cable: trs-3.5-extension\n; What it is.\n"
	                               "[scenario]\n; not the description\njig = jigs/my.conf\n", 113);
	assert_int_equal(scenario_about(path, &about, f->err), 0);
	assert_string_equal(about.title, "Good cable");
	assert_string_equal(about.cable, "trs-3.5-extension");
	assert_string_equal(about.description, "What it is.");
	snprintf(want, sizeof want, "%s/jigs/my.conf", f->dir);
	assert_string_equal(about.jig, want);
	assert_int_equal(scenario_jig(path, jig, sizeof jig, f->err), 0);
	assert_string_equal(jig, want);
	snprintf(dev, sizeof dev, "tonewire_sim:'%s'", path);
	assert_int_equal(scenario_device_jig(dev, jig, sizeof jig, f->err), 0);
	assert_string_equal(jig, want);
	assert_int_equal(scenario_device_jig("hw:Jig", jig, sizeof jig, f->err), -ENOENT);
	assert_non_null(strstr(f->err, "not a simulator device"));

	/* a name is a name; "x.conf" and absolute paths as profiles_find takes them */
	path = write_file(f, "b.conf", "[scenario]\njig = trrs-4ch\n", 26);
	assert_int_equal(scenario_jig(path, jig, sizeof jig, f->err), 0);
	assert_string_equal(jig, "trrs-4ch");
	path = write_file(f, "c.conf", "[scenario]\njig = my.conf\n", 25);
	assert_int_equal(scenario_jig(path, jig, sizeof jig, f->err), 0);
	snprintf(want, sizeof want, "%s/my.conf", f->dir);
	assert_string_equal(jig, want);
	path = write_file(f, "d.conf", "[scenario]\njig = /abs/my.conf\n", 30);
	assert_int_equal(scenario_jig(path, jig, sizeof jig, f->err), 0);
	assert_string_equal(jig, "/abs/my.conf");

	/* would not fit: refused, never cut short into another name */
	assert_int_equal(scenario_jig(path, jig, 8, f->err), -ENAMETOOLONG);
	memset(deep, 'j', sizeof deep);
	memcpy(deep, "[scenario]\njig = d/", 19);
	memcpy(deep + sizeof deep - 6, ".conf\n", 6);
	path = write_file(f, "deep.conf", deep, sizeof deep);
	assert_int_equal(scenario_jig(path, jig, sizeof jig, f->err), -ENAMETOOLONG);
	assert_non_null(strstr(f->err, "deep.conf:2: jig: "));

	/* no jig, and a file that is not a scenario */
	path = write_file(f, "e.conf", "[cable]\nwire = A.T B.T\n", 23);
	assert_int_equal(scenario_jig(path, jig, sizeof jig, f->err), -ENOENT);
	assert_non_null(strstr(f->err, "e.conf: no [scenario] jig"));
	path = write_file(f, "f.conf", "[scenario]\njig = a\njig = b\n", 26);
	assert_int_equal(scenario_jig(path, jig, sizeof jig, f->err), -EINVAL);
	assert_non_null(strstr(f->err, "f.conf:3: jig: given twice"));
	assert_int_equal(scenario_jig("/nonexistent/x.conf", jig, sizeof jig, f->err), -ENOENT);
}

static void test_rates(void **state)
{
	(void)state;
	assert_int_equal(scenario_rate_ok(48000), 1);
	assert_int_equal(scenario_rate_ok(44100), 1);
	assert_int_equal(scenario_rate_ok(192000), 1);
	assert_int_equal(scenario_rate_ok(8000), 0);
	assert_int_equal(scenario_rate_ok(0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_shipped_scenarios, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multi_plug_contacts_and_relative_jig, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_scenario, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_device_path),
		cmocka_unit_test_setup_teardown(test_scenario_jig_and_about, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
