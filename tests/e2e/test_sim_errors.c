/* test_sim_errors: how the simulated jig fails: unplugged, unplugged mid-stream, malformed scenarios and ALSA
 * definitions, busy, unsupported settings; and what it says of itself (snd_pcm_dump, aplay -v). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_sim_common.h"

/* The last message alsa-lib reported (SNDERR), for checking what people see. */
static char last_error[1024];   /* test-only */

static void error_handler(const char *file, int line, const char *function, int err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void error_handler(const char *file, int line, const char *function, int err, const char *fmt, ...)
{
	va_list ap;

	(void)file;
	(void)line;
	(void)function;
	(void)err;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof last_error, fmt, ap);
	va_end(ap);
}

static int open_dev(snd_pcm_t **pcm, const char *path, snd_pcm_stream_t stream)
{
	char dev[512];

	snprintf(dev, sizeof dev, "tonewire_sim:%s", path);
	last_error[0] = '\0';
	return snd_pcm_open(pcm, dev, stream, 0);
}

static const char *const good =
	"[scenario]\njig = trrs-4ch\n[interface]\npace = fast\nlatency_frames = 100\n"
	"[cable]\nwire = A.T B.T\nwire = A.R1 B.R1\nwire = A.R2 B.R2\nwire = A.S B.S\n";

static void test_unplugged(void **state)
{
	char *path = sim_scenario("unplugged", "[scenario]\njig = trrs-4ch\n[interface]\nunplugged = true\n");
	snd_pcm_t *pcm;

	(void)state;
	assert_int_equal(open_dev(&pcm, path, SND_PCM_STREAM_PLAYBACK), -ENODEV);
	assert_int_equal(open_dev(&pcm, path, SND_PCM_STREAM_CAPTURE), -ENODEV);
	assert_non_null(strstr(last_error, "unplugged"));
	/* the shipped example too */
	assert_int_equal(open_dev(&pcm, TONEWIRE_SOURCE_DIR "/sim/scenarios/unplugged.conf", SND_PCM_STREAM_CAPTURE),
	                 -ENODEV);
	free(path);
}

/* The scenario is read on every open: rewriting it plugs and unplugs. */
static void test_replug(void **state)
{
	char *path = sim_scenario("replug", "[scenario]\njig = trrs-4ch\n[interface]\nunplugged = true\n");
	snd_pcm_t *pcm;

	(void)state;
	assert_int_equal(open_dev(&pcm, path, SND_PCM_STREAM_PLAYBACK), -ENODEV);
	free(sim_scenario("replug", "[scenario]\njig = trrs-4ch\n[interface]\nunplugged = false\n"));
	assert_int_equal(open_dev(&pcm, path, SND_PCM_STREAM_PLAYBACK), 0);
	snd_pcm_close(pcm);
	free(sim_scenario("replug", "[scenario]\njig = trrs-4ch\n[interface]\nunplugged = true\n"));
	assert_int_equal(open_dev(&pcm, path, SND_PCM_STREAM_PLAYBACK), -ENODEV);
	free(path);
}

/* unplug_after_ms at fast pace: the 100 ms are frames, so exactly 4800
 * are delivered each way (read here in pieces that divide it), then -ENODEV. */
static void test_unplug_after_fast(void **state)
{
	char *path = sim_scenario("unplug-fast", "[scenario]\njig = trrs-4ch\n[interface]\npace = fast\n"
	                                         "latency_frames = 100\nunplug_after_ms = 100\n[cable]\nwire = A.T B.T\n");
	struct simdev_cfg cfg = { .scenario = path };
	struct simdev d;
	float buf[256 * 4] = { 0 };
	size_t read = 0, written = 0;
	int rc_r = 0, rc_w = 0;

	(void)state;
	assert_int_equal(simdev_open(&d, &cfg), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(snd_pcm_writei(d.play, buf, 256), 256);
		written += 256;
	}
	assert_int_equal(snd_pcm_start(d.play), 0);
	assert_int_equal(snd_pcm_start(d.cap), 0);
	while (rc_r >= 0 || rc_w >= 0) {
		if (rc_r >= 0) {
			snd_pcm_sframes_t n = snd_pcm_readi(d.cap, buf, 160);
			if (n < 0)
				rc_r = (int)n;
			else
				read += (size_t)n;
		}
		if (rc_w >= 0) {
			snd_pcm_sframes_t n = snd_pcm_writei(d.play, buf, 256);
			if (n < 0)
				rc_w = (int)n;
			else
				written += (size_t)n;
		}
		assert_true(read < 48000 && written < 48000);
	}
	assert_int_equal(rc_r, -ENODEV);
	assert_int_equal(rc_w, -ENODEV);
	assert_int_equal(read, 4800);
	assert_int_equal(written, 4800);
	assert_int_equal(snd_pcm_state(d.cap), SND_PCM_STATE_DISCONNECTED);
	assert_int_equal(snd_pcm_state(d.play), SND_PCM_STATE_DISCONNECTED);
	/* gone for good: only a new open (of a re-plugged scenario) helps */
	assert_int_equal(snd_pcm_prepare(d.cap), -ENODEV);
	assert_int_equal(snd_pcm_prepare(d.play), -ENODEV);
	simdev_close(&d);
	free(path);
}

/* unplug_after_ms at real-time pace: a blocked reader wakes with -ENODEV
 * when the stream has run that long. */
static void test_unplug_after_realtime(void **state)
{
	char *path = sim_scenario("unplug-rt", "[scenario]\njig = trrs-4ch\n[interface]\nunplug_after_ms = 200\n"
	                                       "[cable]\nwire = A.T B.T\n");
	/* 100 ms periods: a loaded machine must not xrun the stream first */
	struct simdev_cfg cfg = { .scenario = path, .period = 4800, .periods = 4 };
	struct simdev d;
	struct timespec t0, t1;
	float *play, *cap;
	int rc;

	(void)state;
	assert_int_equal(simdev_open(&d, &cfg), 0);
	play = calloc(48000 * 4, sizeof *play);
	cap = calloc(48000 * 4, sizeof *cap);
	assert_non_null(play);
	assert_non_null(cap);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = simdev_run(&d, play, 48000, cap, 48000, 3);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("unplug_after_ms = 200: -ENODEV after %.1f ms of wall time\n", ms);
	assert_int_equal(rc, -ENODEV);
	/* not before the 200 ms of stream, and long before the second of audio
	 * the reader asked for (a reader woken only at its end takes 1000 ms) */
	assert_true(ms > 190 && ms < 900);
	free(play);
	free(cap);
	simdev_close(&d);
	free(path);
}

static void test_malformed(void **state)
{
	char *path = sim_scenario("bad", "[scenario]\njig = trrs-4ch\n[interface]\nnoise_dbf = -100\n");
	char *nojig = sim_scenario("nojig", "[scenario]\njig = trrs-5ch\n");
	snd_pcm_t *pcm;
	char want[600];

	(void)state;
	assert_int_equal(open_dev(&pcm, path, SND_PCM_STREAM_PLAYBACK), -EINVAL);
	snprintf(want, sizeof want, "%s:4:", path);
	if (!strstr(last_error, want) || !strstr(last_error, "noise_dbf"))
		fail_msg("message: %s", last_error);
	assert_int_equal(open_dev(&pcm, path, SND_PCM_STREAM_CAPTURE), -EINVAL);

	assert_int_equal(open_dev(&pcm, nojig, SND_PCM_STREAM_CAPTURE), -ENOENT);
	assert_non_null(strstr(last_error, "trrs-5ch"));

	assert_int_equal(open_dev(&pcm, "/nonexistent/scenario.conf", SND_PCM_STREAM_PLAYBACK), -ENOENT);
	assert_non_null(strstr(last_error, "/nonexistent/scenario.conf"));
	free(path);
	free(nojig);
}

/* "tonewire_sim" alone takes the scenario from the environment. */
static void test_scenario_from_environment(void **state)
{
	char *path = sim_scenario("env", good);
	snd_pcm_t *pcm;

	(void)state;
	unsetenv("TONEWIRE_SIM_SCENARIO");
	last_error[0] = '\0';
	assert_int_equal(snd_pcm_open(&pcm, "tonewire_sim", SND_PCM_STREAM_PLAYBACK, 0), -EINVAL);
	assert_non_null(strstr(last_error, "no scenario"));
	setenv("TONEWIRE_SIM_SCENARIO", path, 1);
	assert_int_equal(snd_pcm_open(&pcm, "tonewire_sim", SND_PCM_STREAM_PLAYBACK, 0), 0);
	snd_pcm_close(pcm);
	unsetenv("TONEWIRE_SIM_SCENARIO");
	free(path);
}

/* One playback and one capture per interface, as with hw: devices. */
static void test_busy(void **state)
{
	char *path = sim_scenario("busy", good);
	snd_pcm_t *a, *b, *c;

	(void)state;
	assert_int_equal(open_dev(&a, path, SND_PCM_STREAM_PLAYBACK), 0);
	assert_int_equal(open_dev(&b, path, SND_PCM_STREAM_PLAYBACK), -EBUSY);
	assert_non_null(strstr(last_error, "busy"));
	assert_int_equal(open_dev(&c, path, SND_PCM_STREAM_CAPTURE), 0);
	snd_pcm_close(a);
	assert_int_equal(open_dev(&b, path, SND_PCM_STREAM_PLAYBACK), 0);
	snd_pcm_close(b);
	snd_pcm_close(c);
	free(path);
}

static int hw_setup(snd_pcm_t *pcm, snd_pcm_format_t f, unsigned ch, unsigned rate)
{
	snd_pcm_hw_params_t *hw;
	int rc;

	snd_pcm_hw_params_alloca(&hw);
	if ((rc = snd_pcm_hw_params_any(pcm, hw)) < 0 ||
	    (rc = snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0 ||
	    (rc = snd_pcm_hw_params_set_format(pcm, hw, f)) < 0 ||
	    (rc = snd_pcm_hw_params_set_channels(pcm, hw, ch)) < 0 ||
	    (rc = snd_pcm_hw_params_set_rate(pcm, hw, rate, 0)) < 0)
		return rc;
	return snd_pcm_hw_params(pcm, hw);
}

/* Exactly the jig's channels, the five formats, the standard rates, and
 * one clock for both directions. */
static void test_settings(void **state)
{
	char *path = sim_scenario("settings", good);
	static const unsigned rates[] = { 44100, 48000, 88200, 96000, 176400, 192000 };
	snd_pcm_t *p, *c;
	snd_pcm_hw_params_t *hw;
	unsigned lo, hi;

	(void)state;
	snd_pcm_hw_params_alloca(&hw);
	assert_int_equal(open_dev(&p, path, SND_PCM_STREAM_PLAYBACK), 0);
	assert_true(snd_pcm_hw_params_any(p, hw) >= 0);
	assert_int_equal(snd_pcm_hw_params_get_channels_min(hw, &lo), 0);
	assert_int_equal(snd_pcm_hw_params_get_channels_max(hw, &hi), 0);
	assert_int_equal(lo, 4);
	assert_int_equal(hi, 4);
	assert_int_equal(snd_pcm_hw_params_test_format(p, hw, SND_PCM_FORMAT_S16_LE), 0);
	assert_int_equal(snd_pcm_hw_params_test_format(p, hw, SND_PCM_FORMAT_S32_LE), 0);
	assert_int_equal(snd_pcm_hw_params_test_format(p, hw, SND_PCM_FORMAT_FLOAT_LE), 0);
	/* without [interface] formats, every format tonewire converts; nothing else */
	assert_int_equal(snd_pcm_hw_params_test_format(p, hw, SND_PCM_FORMAT_S24_3LE), 0);
	assert_int_equal(snd_pcm_hw_params_test_format(p, hw, SND_PCM_FORMAT_S24_LE), 0);
	assert_true(snd_pcm_hw_params_test_format(p, hw, SND_PCM_FORMAT_U8) < 0);
	assert_true(snd_pcm_hw_params_test_format(p, hw, SND_PCM_FORMAT_S24_BE) < 0);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(snd_pcm_hw_params_test_rate(p, hw, rates[i], 0), 0);
	assert_true(snd_pcm_hw_params_test_rate(p, hw, 8000, 0) < 0);
	assert_true(snd_pcm_hw_params_test_rate(p, hw, 47000, 0) < 0);
	assert_true(hw_setup(p, SND_PCM_FORMAT_S16_LE, 2, 48000) < 0);
	assert_int_equal(hw_setup(p, SND_PCM_FORMAT_S16_LE, 4, 96000), 0);

	/* the capture side now follows the playback clock */
	assert_int_equal(open_dev(&c, path, SND_PCM_STREAM_CAPTURE), 0);
	assert_true(snd_pcm_hw_params_any(c, hw) >= 0);
	assert_int_equal(snd_pcm_hw_params_test_rate(c, hw, 96000, 0), 0);
	assert_true(snd_pcm_hw_params_test_rate(c, hw, 48000, 0) < 0);
	assert_int_equal(hw_setup(c, SND_PCM_FORMAT_FLOAT_LE, 4, 96000), 0);
	snd_pcm_close(c);
	snd_pcm_close(p);
	free(path);
}

/* A PCM defined in an ALSA configuration file with a field of the wrong type, or
 * one the plugin does not know: refused with the field named. */
static void test_config_fields(void **state)
{
	char *path = sim_scenario("cfg", good);
	/* each: the text before the scenario's path, after it, and the words of the refusal */
	static const char *const defs[][3] = {
		{ "pcm.tw_unit_number { type tonewire_sim scenario \"", "\" unit 5 }", "unit must be a string" },
		{ "pcm.tw_scenario_number { type tonewire_sim scenario 5 comment \"", "\" }", "scenario must be a string" },
		{ "pcm.tw_unknown_field { type tonewire_sim scenario \"", "\" colour blue }", "unknown field colour" },
	};
	static const char *const names[] = { "tw_unit_number", "tw_scenario_number", "tw_unknown_field" };

	(void)state;
	assert_true(snd_config_update() >= 0);
	for (unsigned i = 0; i < 3; i++) {
		char text[1024];
		snd_input_t *in;
		snd_pcm_t *pcm;

		snprintf(text, sizeof text, "%s%s%s", defs[i][0], path, defs[i][1]);
		assert_int_equal(snd_input_buffer_open(&in, text, (ssize_t)strlen(text)), 0);
		assert_int_equal(snd_config_load(snd_config, in), 0);
		snd_input_close(in);
		last_error[0] = '\0';
		assert_int_equal(snd_pcm_open(&pcm, names[i], SND_PCM_STREAM_PLAYBACK, 0), -EINVAL);
		if (!strstr(last_error, defs[i][2]))
			fail_msg("%s: message: %s", names[i], last_error);
	}
	free(path);
}

/* aplay -v shows the device: the scenario, its jig, pace and latency, then its setup. */
static void test_dump(void **state)
{
	char *path = sim_scenario("dump", good);
	snd_output_t *out;
	snd_pcm_t *pcm;
	char *text = NULL, want[600];

	(void)state;
	assert_int_equal(open_dev(&pcm, path, SND_PCM_STREAM_PLAYBACK), 0);
	assert_int_equal(snd_output_buffer_open(&out), 0);
	assert_int_equal(snd_pcm_dump(pcm, out), 0);
	snd_output_buffer_string(out, &text);
	snprintf(want, sizeof want, "tonewire_sim: scenario %s, jig trrs-4ch, fast pace, latency 100 frames\n", path);
	if (!strstr(text, want) || strstr(text, "Its setup is:"))
		fail_msg("before hw_params: %s", text);
	snd_output_close(out);
	assert_int_equal(hw_setup(pcm, SND_PCM_FORMAT_S32_LE, 4, 48000), 0);
	assert_int_equal(snd_output_buffer_open(&out), 0);
	assert_int_equal(snd_pcm_dump(pcm, out), 0);
	snd_output_buffer_string(out, &text);
	if (!strstr(text, want) || !strstr(text, "Its setup is:") || !strstr(text, "S32_LE"))
		fail_msg("after hw_params: %s", text);
	snd_output_close(out);
	snd_pcm_close(pcm);
	free(path);
}

static int teardown_all(void **state)
{
	(void)state;
	sim_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unplugged),
		cmocka_unit_test(test_replug),
		cmocka_unit_test(test_unplug_after_fast),
		cmocka_unit_test(test_unplug_after_realtime),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_scenario_from_environment),
		cmocka_unit_test(test_busy),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_config_fields),
		cmocka_unit_test(test_dump),
	};
	snd_lib_error_set_handler(error_handler);
	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
