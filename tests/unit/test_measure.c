/* Unit tests of measure: the adaptive plan, the probe searched as frames arrive, the honest "undecided", and clock drift against closed-form captures. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "measure.h"

#define RATE 48000
#define N 5
/* Half length of the Blackman-windowed sinc that delays the probe: 64 taps
 * either side keeps its error near 1e-5 up to 0.4 of the rate. */
#define FD_HALF 64

static uint64_t rng_state = 0x3c6ef372fe94f82bull;

static double uniform(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return ((rng_state >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
	return sqrt(-2.0 * log(uniform())) * cos(2.0 * M_PI * uniform());
}

static double fd_tap(double u)
{
	if (fabs(u) >= FD_HALF)
		return 0.0;
	double s = fabs(u) < 1e-12 ? 1.0 : sin(M_PI * u) / (M_PI * u);
	double x = M_PI * (u + FD_HALF) / FD_HALF;
	return s * (0.42 - 0.5 * cos(x) + 0.08 * cos(2.0 * x));
}

static double wrap_deg(double d)
{
	return d - 360.0 * round(d / 360.0);
}

/* The world of one test: input j hears output j with gain gain[j] (real,
 * either sign) through a round trip tau, on a capture clock fast by ppm:
 * capture frame t hears stimulus frame t (1 - ppm 1e-6) - tau. The probe
 * (the measure's own, as rendered) through a band-limited delay; the
 * tones, their fade included, written out as cosines. */
struct world {
	double gain[N], tau, ppm, sigma;
	int no_probe, no_tones;
	uint64_t seed;
};

static float *capture_of(measure *m, const struct world *w, unsigned frames)
{
	const struct toneplan *p = measure_plan(m);
	const struct measure_timeline *tl = measure_timeline(m);
	const unsigned P = tl->probe, F = tl->fade;
	float *stim = malloc(sizeof(float) * P * N);
	float *cap = calloc((size_t)frames * N, sizeof(float));
	assert_non_null(stim);
	assert_non_null(cap);
	measure_render(m, stim, P);
	rng_state = w->seed ? w->seed : 0x3c6ef372fe94f82bull;
	for (unsigned t = 0; t < frames; t++) {
		double u = t * (1.0 - w->ppm * 1e-6) - w->tau;
		double out[N] = { 0 };
		long lo = (long)ceil(u - FD_HALF), hi = (long)floor(u + FD_HALF);
		for (long k = lo < 0 ? 0 : lo; !w->no_probe && k <= hi && k < (long)P; k++) {
			double tap = fd_tap(u - k);
			for (unsigned o = 0; o < N; o++)
				out[o] += tap * stim[(size_t)k * N + o];
		}
		if (u >= P && !w->no_tones) {
			double g = u < P + F ? 0.5 - 0.5 * cos(M_PI * (u - P) / F) : 1.0;
			for (unsigned o = 0; o < N; o++)
				out[o] += g * p->amplitude[o] * cos(p->phase_rad[o] + 2.0 * M_PI * p->bin[o] * u / p->window);
		}
		for (unsigned j = 0; j < N; j++)
			cap[(size_t)t * N + j] = (float)(w->gain[j] * out[j] + w->sigma * gauss());
	}
	free(stim);
	return cap;
}

static measure *make(const struct measure_cfg *extra)
{
	char err[MEASURE_ERR_MAX];
	struct measure_cfg c = { .rate = RATE, .n_outputs = N, .n_inputs = N };
	if (extra)
		c = *extra;
	measure *m = measure_create(&c, err);
	if (!m)
		fail_msg("measure_create: %s", err);
	return m;
}

/* One measurement of world w through measure_analyze; its largest level
 * and phase errors against the true gains. */
static void measure_world(measure *m, const struct world *w, struct measurement *me, double *level_err,
                          double *phase_err)
{
	measure_begin(m);
	unsigned frames = measure_timeline(m)->capture_max;
	float *cap = capture_of(m, w, frames);
	assert_int_equal(measure_analyze(m, cap, frames, me), 0);
	*level_err = *phase_err = 0.0;
	for (unsigned j = 0; j < N && me->coarse.found; j++) {
		const struct tone_result *r = &me->an.h[j][j];
		*level_err = fmax(*level_err, fabs(r->gain_db - 20.0 * log10(fabs(w->gain[j]))));
		*phase_err = fmax(*phase_err, fabs(wrap_deg(r->phase_deg - (w->gain[j] < 0 ? 180.0 : 0.0))));
	}
	free(cap);
}

/* On a quiet bench the plan is the physics: the shortest window that holds
 * the tones, a short probe (256 frames before the bench is known, no
 * longer after), one window — and it stays so. */
static void test_quiet_plan(void **state)
{
	(void)state;
	measure *m = make(NULL);
	const struct measure_timeline *tl = measure_timeline(m);
	assert_int_equal(tl->window, toneplan_min_window(N, RATE));
	assert_int_equal(measure_plan(m)->window, tl->window);
	struct world w = { .gain = { 1, -1, 0.5, 1, 0.25 }, .tau = 187.3, .sigma = 1e-5 };
	for (unsigned t = 0; t < 3; t++) {
		struct measurement me;
		double le, pe;
		measure_world(m, &w, &me, &le, &pe);
		assert_true(me.coarse.found);
		assert_false(me.undecided);
		if (t == 0)
			assert_int_equal(me.probe, 256);
		assert_true(me.probe >= 128 && me.probe <= 256);
		assert_int_equal(me.windows, 1);
		assert_true(fabs(me.latency_frames - w.tau) < 0.01);
		assert_true(le < 0.01 && pe < 0.1);
	}
	measure_destroy(m);
}

/* On a noisy bench the next test plays as long as the noise needs: its
 * tones reach the cable's SNR plus the margin (40 dB for the default limit
 * of 20), and its probe is found every time. The noise here leaves 20 dB
 * per tone in one window: 100 windows at least, by the SNR computed from
 * the noise put in, not the one read. */
static void test_noisy_plan_reaches_target(void **state)
{
	(void)state;
	measure *m = make(NULL);
	const struct toneplan *p = measure_plan(m);
	/* per-bin SNR of one window: (a N/2)^2 / (N sigma^2) = a^2 N / (4 sigma^2) */
	const double snr1 = 20.0;
	double sigma = p->amplitude[0] * sqrt(p->window / 4.0) * pow(10.0, -snr1 / 20.0);
	struct world w = { .gain = { 1, 1, 1, 1, 1 }, .tau = 300.6, .sigma = sigma };
	struct measurement me;
	double le, pe;
	measure_world(m, &w, &me, &le, &pe);   /* the first test learns the bench */
	for (unsigned t = 0; t < 5; t++) {
		w.seed = 1000 + t;
		w.tau = 64 + 90.7 * t;
		measure_world(m, &w, &me, &le, &pe);
		if (!me.coarse.found || fabs(me.latency_frames - w.tau) > 0.1)
			fail_msg("trial %u: round trip %.2f (found %d), true %.2f, probe %u", t, me.latency_frames,
			         me.coarse.found, w.tau, me.probe);
		double snr = snr1 + 10.0 * log10(me.windows);
		if (snr < 40.0)
			fail_msg("trial %u: %u windows give %.1f dB, not the 40 dB needed", t, me.windows, snr);
		/* and the analyzer's own reading agrees, to its scatter over 5 tones */
		assert_true(fabs(me.snr_db - snr) < 3.0);
	}
	measure_destroy(m);
}

/* Given the good cable's gains, the plan is for the bench, not for the last
 * cable: a cable whose one path is 20 dB down (a cold joint into a load)
 * does not make the next test play a second of windows; without them, it
 * plans for the weakest tone that arrived and does. */
static void test_plan_follows_bench_not_cable(void **state)
{
	(void)state;
	double eg[N * N] = { 0 };
	for (unsigned j = 0; j < N; j++)
		eg[j * N + j] = 1.0;
	for (int with = 0; with < 2; with++) {
		struct measure_cfg cfg = { .rate = RATE, .n_outputs = N, .n_inputs = N, .expected = with ? eg : NULL };
		measure *m = make(&cfg);
		const struct toneplan *p = measure_plan(m);
		double sigma = p->amplitude[0] * sqrt(p->window / 4.0) * pow(10.0, -25.0 / 20.0);
		struct world good = { .gain = { 1, 1, 1, 1, 1 }, .tau = 150.0, .sigma = sigma };
		struct world weak = good;
		weak.gain[2] = 0.1;
		struct measurement me;
		double le, pe;
		measure_world(m, &good, &me, &le, &pe);
		measure_world(m, &good, &me, &le, &pe);
		unsigned w_good = me.windows;
		measure_world(m, &weak, &me, &le, &pe);
		measure_world(m, &good, &me, &le, &pe);
		if (with && me.windows > w_good * 3 / 2)
			fail_msg("after a weak cable: %u windows, %u before", me.windows, w_good);
		/* 100x as many, or the one-second cap */
		if (!with && me.windows < w_good * 3)
			fail_msg("without expected gains a weak path should ask for more: %u windows, %u before", me.windows,
			         w_good);
		measure_destroy(m);
	}
}

/* Noise that buries a 256-frame probe (5 dB per tone in one window: the
 * probe's statistic ~60 against a threshold of ~112 for 25 paths): the
 * first measurement hears the tones but no probe and says so (undecided);
 * what its tones showed sizes the next probe, which is found every time. */
static void test_probe_grows(void **state)
{
	(void)state;
	struct measure_cfg cfg = { .rate = RATE, .n_outputs = N, .n_inputs = N, .windows = 64 };
	measure *m = make(&cfg);
	const struct toneplan *p = measure_plan(m);
	double sigma = p->amplitude[0] * sqrt(p->window / 4.0) * pow(10.0, -5.0 / 20.0);
	struct world w = { .gain = { 1, 1, 1, 1, 1 }, .tau = 411.2, .sigma = sigma };
	struct measurement me;
	double le, pe;
	measure_world(m, &w, &me, &le, &pe);
	assert_int_equal(me.probe, 256);
	assert_false(me.coarse.found);
	assert_true(me.undecided);
	for (unsigned t = 0; t < 4; t++) {
		w.seed = 77 + t;
		measure_world(m, &w, &me, &le, &pe);
		assert_true(me.probe > 1024);
		if (!me.coarse.found || fabs(me.latency_frames - w.tau) > 0.2)
			fail_msg("trial %u: probe %u, found %d at %.2f (coarse %.2f, refined %d, drift %.1f±%.1f %d, snr %.1f)", t, me.probe, me.coarse.found, me.latency_frames, me.coarse.frames, me.refined, me.drift.ppm, me.drift.sigma_ppm, me.drift_corrected, me.snr_db);
	}
	measure_destroy(m);
}

/* The tones arrive but no probe: the round trip is unknown, so are the
 * phases — undecided, a station error (low_snr). Nothing at all: not
 * undecided, no round trip: the classifier's "no signal". */
static void test_undecided(void **state)
{
	(void)state;
	measure *m = make(NULL);
	struct world w = { .gain = { 1, 1, 1, 1, 1 }, .tau = 200.0, .sigma = 1e-5, .no_probe = 1 };
	struct measurement me;
	double le, pe;
	measure_world(m, &w, &me, &le, &pe);
	assert_false(me.coarse.found);
	assert_true(me.coarse.decided);
	assert_true(me.undecided);
	struct classification cl;
	measure_undecided_classification(&me, &cl);
	assert_int_equal(cl.verdict, VERDICT_ERROR);
	assert_int_equal(cl.n_faults, 1);
	assert_int_equal(cl.fault[0].code, FAULT_LOW_SNR);

	w.no_tones = 1;
	measure_world(m, &w, &me, &le, &pe);
	assert_false(me.coarse.found);
	assert_false(me.undecided);
	assert_false(isfinite(me.snr_db));
	measure_destroy(m);
}

/* Fed period by period, the capture stops right after the window: the
 * probe is decided long before every round trip up to the largest could
 * be ruled out. */
static void test_early_stop(void **state)
{
	(void)state;
	measure *m = make(NULL);
	struct world w = { .gain = { 1, 1, 1, 1, 1 }, .tau = 120.0, .sigma = 1e-5 };
	measure_begin(m);
	const struct measure_timeline *tl = measure_timeline(m);
	unsigned frames = tl->capture_max;
	float *cap = capture_of(m, &w, frames);
	/* capture_of rendered the probe; play the stimulus from the start again */
	measure_begin(m);
	const unsigned piece = 256;
	unsigned fed = 0;
	while (fed < frames && !measure_feed(m, cap + (size_t)fed * N, piece))
		fed += piece;
	fed += piece;
	unsigned end = 120 + tl->probe + tl->fade + tl->settle + tl->window;
	if (fed > end + 64 + piece || fed >= tl->probe + tl->max_latency)
		fail_msg("stopped after %u frames; the window ends at %u", fed, end);
	struct measurement me;
	assert_int_equal(measure_finish(m, &me), 0);
	assert_true(me.coarse.found);
	assert_true(fabs(me.latency_frames - 120.0) < 0.01);
	free(cap);
	measure_destroy(m);
}

/* Two clocks (a separate DAC and ADC) ±50 and ±200 ppm apart: every level
 * within 0.02 dB and every phase within 0.2 degree of the truth (and so of
 * what one clock gives), on one window and on a long average where the
 * drift turns the top tone by several radians. */
static void test_drift(void **state)
{
	(void)state;
	const double ppms[] = { 0.0, 50.0, -50.0, 200.0, -200.0 };
	const unsigned windows[] = { 0, 24 };
	for (unsigned c = 0; c < 2; c++) {
		struct measure_cfg cfg = { .rate = RATE, .n_outputs = N, .n_inputs = N, .windows = windows[c] };
		measure *m = make(&cfg);
		for (unsigned q = 0; q < sizeof(ppms) / sizeof(ppms[0]); q++) {
			struct world w = { .gain = { 1, -1, 0.5, 1, -0.25 }, .tau = 233.7, .ppm = ppms[q], .sigma = 1e-6 };
			struct measurement me;
			double le, pe;
			measure_world(m, &w, &me, &le, &pe);
			assert_true(me.coarse.found);
			if (le > 0.02 || pe > 0.2)
				fail_msg("%u windows, %+.0f ppm: level off by %.4f dB, phase by %.3f deg (drift read %+.1f ± %.1f, "
				         "corrected %d)", me.windows, ppms[q], le, pe, me.drift.ppm, me.drift.sigma_ppm,
				         me.drift_corrected);
			if (me.windows > 1 && fabs(me.drift.ppm - ppms[q]) > 1.0)
				fail_msg("%u windows: %+.0f ppm read as %+.2f", me.windows, ppms[q], me.drift.ppm);
		}
		measure_destroy(m);
	}
}

/* Given timings are used as given (a capture read back), and a set-up
 * that cannot work is refused with a message. */
static void test_fixed_and_bad(void **state)
{
	(void)state;
	struct measure_cfg old = measure_cfg_fixed(RATE, N, N);
	measure *m = make(&old);
	const struct measure_timeline *tl = measure_timeline(m);
	assert_int_equal(tl->window, 4096);
	assert_int_equal(tl->probe, 1024);
	assert_int_equal(tl->fade, 256);
	assert_int_equal(tl->settle, 128);
	assert_int_equal(tl->max_latency, 1024);
	assert_int_equal(tl->windows, 1);
	struct world w = { .gain = { 1, 1, 1, 1, 1 }, .tau = 99.5, .sigma = 1e-5 };
	struct measurement me;
	double le, pe;
	measure_world(m, &w, &me, &le, &pe);
	assert_true(me.coarse.found);
	assert_int_equal(me.probe, 1024);
	assert_true(le < 0.01);
	measure_destroy(m);

	char err[MEASURE_ERR_MAX];
	struct measure_cfg bad = { .rate = RATE, .n_outputs = 0, .n_inputs = N };
	assert_null(measure_create(&bad, err));
	assert_true(err[0]);
	bad = (struct measure_cfg){ .rate = RATE, .n_outputs = N, .n_inputs = N, .probe = 10 };
	assert_null(measure_create(&bad, err));
	assert_true(err[0]);
	bad = (struct measure_cfg){ .rate = RATE, .n_outputs = N, .n_inputs = N, .window = 1000 };
	assert_null(measure_create(&bad, err));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quiet_plan),
		cmocka_unit_test(test_noisy_plan_reaches_target),
		cmocka_unit_test(test_plan_follows_bench_not_cable),
		cmocka_unit_test(test_probe_grows),
		cmocka_unit_test(test_undecided),
		cmocka_unit_test(test_early_stop),
		cmocka_unit_test(test_drift),
		cmocka_unit_test(test_fixed_and_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
