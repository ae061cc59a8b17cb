/* test_sim_dsp: every shipped scenario measured the way the station measures (tone plan, probe, latency, analyzer) through the plugin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "latency.h"
#include "oracle.h"
#include "scenario.h"
#include "stimulus.h"
#include "test_sim_common.h"
#include "toneplan.h"

#define RATE 48000
#define LAT 211
#define PROBE 4096
#define FADE 512
#define WINDOWS 2

/* A fast-pace copy of a shipped scenario with a known round trip. */
static char *fast_copy(const char *name)
{
	char path[512], text[8192], *at;
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, TONEWIRE_SOURCE_DIR "/sim/scenarios/%s.conf", name);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof text - 200, f);
	fclose(f);
	text[n] = '\0';
	at = strstr(text, "[interface]\n");
	assert_non_null(at);
	at += strlen("[interface]\n");
	char rest[8192];
	snprintf(rest, sizeof rest, "%s", at);
	snprintf(at, sizeof text - (size_t)(at - text), "pace = fast\nlatency_frames = %d\n%s", LAT, rest);
	return sim_scenario(name, text);
}

struct measured {
	unsigned n_in, n_out;
	double latency;              /* from the probe */
	struct analysis an;
	double model[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];   /* [in][out], from tests/unit/oracle.c */
};

static void measure(const char *path, struct measured *m)
{
	struct profiles prof;
	struct scenario *sc = calloc(1, sizeof *sc);
	char err[PROFILE_ERR_MAX];
	struct toneplan plan;
	struct simdev_cfg cfg = { .scenario = path };
	struct simdev d;
	stimulus *st;
	analyzer *an;
	latency *lt;
	struct latency_estimate est;
	const float *probes[TONEPLAN_MAX_TONES];

	assert_non_null(sc);
	profiles_init(&prof, TONEWIRE_SOURCE_DIR "/profiles");
	if (scenario_load(path, &prof, sc, err) != 0)
		fail_msg("%s", err);
	/* What the simulator should play, from the nodal solver the tests keep
	 * apart from the one the simulator itself uses (dsp/fixture.c). */
	assert_int_equal(oracle_gains(&sc->jig.fixture, &sc->cable, m->model), 0);

	assert_int_equal(simdev_open(&d, &cfg), 0);
	m->n_in = d.n_in;
	m->n_out = d.n_out;
	assert_int_equal(toneplan_make(&plan, d.n_out, RATE, toneplan_default_window(RATE)), 0);
	st = stimulus_create(&(struct stimulus_cfg){ .plan = &plan, .probe_frames = PROBE, .fade_frames = FADE,
	                                             .seed = 7 });
	assert_non_null(st);
	unsigned start = stimulus_tones_start(st);
	/* the analysed windows begin a window after the tones are at full
	 * level, plus the round trip */
	size_t first = start + plan.window + LAT;
	size_t frames = first + (size_t)WINDOWS * plan.window;
	size_t play_frames = frames + 8 * d.period;
	float *play = calloc(play_frames * d.n_out, sizeof *play);
	float *cap = calloc(frames * d.n_in, sizeof *cap);
	assert_non_null(play);
	assert_non_null(cap);
	stimulus_render(st, play, (unsigned)play_frames);
	assert_int_equal(simdev_run(&d, play, play_frames, cap, frames, 3), 0);
	simdev_close(&d);

	lt = latency_create(&(struct latency_cfg){ .n_outputs = m->n_out, .n_inputs = m->n_in,
	                                           .probe_frames = PROBE, .max_frames = 2048 });
	assert_non_null(lt);
	for (unsigned o = 0; o < m->n_out; o++)
		probes[o] = stimulus_probe(st, o);
	assert_int_equal(latency_probe(lt, probes, cap, (unsigned)frames, &est), 0);
	m->latency = est.found ? est.frames : -1;
	latency_destroy(lt);

	an = analyzer_create(&(struct analyzer_cfg){ .plan = &plan, .n_inputs = m->n_in });
	assert_non_null(an);
	/* stim_pos: the stimulus frame that played LAT frames before the first analysed one */
	assert_int_equal(analyzer_run(an, cap + first * m->n_in, WINDOWS, (double)(first - LAT), &m->an), 0);
	analyzer_destroy(an);
	stimulus_destroy(st);
	free(play);
	free(cap);
	free(sc);
}

static double h_re(const struct measured *m, unsigned in, unsigned out)
{
	return m->an.h[in][out].re;
}

static void check_against_oracle(const char *name, const struct measured *m)
{
	printf("%s: round trip %.2f frames", name, m->latency);
	for (unsigned i = 0; i < m->n_in; i++) {
		printf("%s", i ? " |" : ", H =");
		for (unsigned o = 0; o < m->n_out; o++)
			printf(" %+.4f", h_re(m, i, o));
	}
	printf("\n");
	assert_true(fabs(m->latency - LAT) < 0.1);
	for (unsigned i = 0; i < m->n_in; i++) {
		for (unsigned o = 0; o < m->n_out; o++) {
			double want = m->model[i * m->n_out + o];
			const struct tone_result *t = &m->an.h[i][o];
			/* a resistive network has real gains: no imaginary part once the
			 * round trip is removed; -100 dBFS noise leaves ~1e-5 per tone */
			if (fabs(t->re - want) > 2e-4 || fabs(t->im) > 2e-4)
				fail_msg("%s: H[%u][%u] = %.5f%+.5fi, the oracle says %.5f", name, i, o, t->re, t->im, want);
		}
	}
}

static void test_every_shipped_scenario(void **state)
{
	static const char *const names[] = {
		"straight-trrs-4ch", "straight-stereo-trs", "straight-stereo-trrs-ctia", "straight-stereo-iem-2pin",
		"straight-trrrs-5ch", "lr-swap", "polarity-inverted", "ctia-omtp-swap", "open-ground", "short",
		"high-resistance",
	};
	struct measured *m = calloc(1, sizeof *m);

	(void)state;
	assert_non_null(m);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *path = fast_copy(names[i]);
		measure(path, m);
		check_against_oracle(names[i], m);
		free(path);
	}
	free(m);
}

/* What the README and the dashboard say each fault looks like, by hand. */
static void test_faults_look_as_described(void **state)
{
	struct measured *straight = calloc(1, sizeof *straight), *m = calloc(1, sizeof *m);
	char *path;
	/* stereo jigs: 100 ohm source, 0.05 ohm wire, 32 ohm load || 10 kohm input leg */
	const double load = 32.0 * 10000.0 / 10032.0, g = load / (100.05 + load);

	(void)state;
	assert_non_null(straight);
	assert_non_null(m);
	path = fast_copy("straight-trrs-4ch");
	measure(path, straight);
	free(path);
	for (unsigned i = 0; i < 4; i++)
		assert_true(fabs(h_re(straight, i, i) - 10000.0 / 10100.05) < 1e-4);

	path = fast_copy("straight-stereo-trs");
	measure(path, straight);
	free(path);
	assert_true(fabs(h_re(straight, 0, 0) - g) < 1e-3);

	path = fast_copy("lr-swap");
	measure(path, m);
	free(path);
	assert_true(fabs(h_re(m, 1, 0) - g) < 1e-3 && fabs(h_re(m, 0, 1) - g) < 1e-3);
	assert_true(fabs(h_re(m, 0, 0)) < 1e-3 && fabs(h_re(m, 1, 1)) < 1e-3);

	path = fast_copy("polarity-inverted");
	measure(path, m);
	free(path);
	assert_true(fabs(h_re(m, 0, 0) + g) < 1e-3);   /* 180 degrees */
	assert_true(fabs(h_re(m, 1, 1) - g) < 1e-3);

	path = fast_copy("ctia-omtp-swap");
	measure(path, m);
	free(path);
	assert_true(fabs(h_re(m, 0, 0) / g - 0.5) < 0.03 && fabs(h_re(m, 0, 1) / g + 0.5) < 0.03);

	path = fast_copy("high-resistance");
	measure(path, m);
	free(path);
	/* 25 ohm in the left conductor */
	assert_true(fabs(h_re(m, 0, 0) - load / (125.05 + load)) < 1e-3);

	path = fast_copy("open-ground");
	measure(path, m);
	free(path);
	/* the loads' return floats: they end up in series between left and
	 * right, and each input hears half of L - R, as with CTIA/OMTP */
	assert_true(fabs(h_re(m, 0, 0) / g - 0.5) < 0.03 && fabs(h_re(m, 0, 1) / g + 0.5) < 0.03);
	free(straight);
	free(m);
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
		cmocka_unit_test(test_every_shipped_scenario),
		cmocka_unit_test(test_faults_look_as_described),
	};
	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
