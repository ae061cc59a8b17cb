/* test_sim_plug: connect/disconnect lines play a plug going in and out on the device's timeline, across streams. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_sim_common.h"

#define RATE 48000
#define CHUNK 2400              /* 50 ms per stream */
#define N_IN 4

/* Every contact of a per-contact TRRS jig plays a tone of its own; the
 * wires connect at 200 ms, and the sleeve's lets go at 400 ms. */
static const char *scenario_text =
	"[scenario]\njig = trrs-4ch\n\n[interface]\npace = fast\nlatency_frames = 120\n\n"
	"[cable]\nwire = A.T B.T\nwire = A.R1 B.R1\nwire = A.R2 B.R2\nwire = A.S B.S\n"
	"connect = * 200\ndisconnect = A.S B.S 400\n";

/* One 50 ms stream; returns the RMS level of each input in rms. */
static void one_stream(struct simdev *d, float *play, float *cap, double rms[N_IN])
{
	assert_int_equal(simdev_run(d, play, CHUNK + 4 * 256, cap, CHUNK, 2), 0);
	for (unsigned i = 0; i < N_IN; i++)
		rms[i] = sim_rms(cap, N_IN, i, CHUNK);
	snd_pcm_drop(d->play);
	snd_pcm_drop(d->cap);
	snd_pcm_prepare(d->play);
	snd_pcm_prepare(d->cap);
}

static void test_plug_in_then_sleeve_out(void **state)
{
	struct simdev d;
	struct simdev_cfg cfg = { 0 };
	float *play = calloc((CHUNK + 4 * 256) * 4, sizeof(float));
	float *cap = calloc(CHUNK * N_IN, sizeof(float));
	double rms[N_IN];
	int phase = 0;   /* 0 unplugged, 1 plugged, 2 sleeve gone */
	unsigned streams_in[3] = { 0, 0, 0 };
	(void)state;

	assert_non_null(play);
	assert_non_null(cap);
	for (unsigned f = 0; f < CHUNK + 4 * 256; f++)
		for (unsigned o = 0; o < 4; o++)
			play[f * 4 + o] = (float)(0.2 * cos(2 * M_PI * (500.0 + 300.0 * o) * f / RATE));
	cfg.scenario = sim_scenario("plug", scenario_text);
	assert_int_equal(simdev_open(&d, &cfg), 0);

	/* 20 streams of 50 ms on one open device: the timeline runs on
	 * between them, so the plug goes in once and stays in. */
	for (unsigned s = 0; s < 20; s++) {
		one_stream(&d, play, cap, rms);
		/* a connected contact hears its tone at 0.2/sqrt(2) * 10000/10100 = 0.1365
		 * RMS; a stream straddling an event is partly on: only whole states count */
		int t_on = rms[0] > 0.13, s_on = rms[3] > 0.13;
		int whole = (rms[0] < 0.01 || t_on) && (rms[3] < 0.01 || s_on);
		if (!whole)
			continue;
		int now = !t_on ? 0 : s_on ? 1 : 2;
		assert_true(now >= phase);   /* never back to an earlier state */
		phase = now;
		streams_in[now]++;
		if (now >= 1)
			assert_true(rms[1] > 0.1 && rms[2] > 0.1);   /* tip and rings stay in */
	}
	/* 200 ms unplugged, 200 ms plugged, then the sleeve gone for the rest */
	assert_true(streams_in[0] >= 2);
	assert_true(streams_in[1] >= 2);
	assert_true(streams_in[2] >= 8);
	simdev_close(&d);
	free(play);
	free(cap);
}

static void test_bad_lines(void **state)
{
	struct simdev d;
	struct simdev_cfg cfg = { 0 };
	(void)state;
	cfg.scenario = sim_scenario("bad", "[scenario]\njig = trrs-4ch\n[cable]\nwire = A.T B.T\nconnect = A.R1 B.R1 10\n");
	assert_int_not_equal(simdev_open(&d, &cfg), 0);
	cfg.scenario = sim_scenario("bad2", "[scenario]\njig = trrs-4ch\n[cable]\nwire = A.T B.T\ndisconnect = * soon\n");
	assert_int_not_equal(simdev_open(&d, &cfg), 0);
}

static int teardown(void **state)
{
	(void)state;
	sim_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plug_in_then_sleeve_out),
		cmocka_unit_test(test_bad_lines),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
