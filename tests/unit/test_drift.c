/* Unit tests of drift: the clock ratio read from closed-form drifting tones, and the resampler against the signal it should rebuild. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "drift.h"

#define RATE 48000

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

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

/* Input j hears tone k with gain g[j][k] (real, either sign) through a
 * capture clock that runs fast by ppm: capture frame t hears stimulus frame
 * t (1 - ppm 1e-6) - tau, written out as cosines, plus white noise. */
static float *drifting_tones(const struct toneplan *p, unsigned n_in, const double g[][TONEPLAN_MAX_TONES],
                             double ppm, double tau, unsigned frames, double sigma)
{
	float *cap = calloc((size_t)frames * n_in, sizeof(float));
	assert_non_null(cap);
	for (unsigned t = 0; t < frames; t++) {
		double u = t * (1.0 - ppm * 1e-6) - tau;
		for (unsigned j = 0; j < n_in; j++) {
			double v = sigma * gauss();
			for (unsigned k = 0; k < p->n_tones; k++)
				v += g[j][k] * p->amplitude[k] * cos(p->phase_rad[k] + 2.0 * M_PI * p->bin[k] * u / p->window);
			cap[(size_t)t * n_in + j] = (float)v;
		}
	}
	return cap;
}

/* The drift read from the windows' phases, for drifts from 0 to the
 * simulator's 1000 ppm, on a short-window plan (5 tones in 256 frames) and
 * a long one (16 tones in 1024, whose top tone turns 1.4 rad per window at
 * 1000 ppm: lags beyond 1 would wrap unless the steps are guarded). */
static void test_from_windows(void **state)
{
	(void)state;
	const double ppms[] = { 0.0, 50.0, -50.0, 200.0, -200.0, 1000.0, -1000.0 };
	const unsigned tones[] = { 5, 16 }, wins[] = { 256, 1024 }, nwin[] = { 24, 16 };
	for (unsigned c = 0; c < 2; c++) {
		struct toneplan p;
		assert_int_equal(toneplan_make(&p, tones[c], RATE, wins[c]), 0);
		const unsigned n_in = 2, nt = p.n_tones, W = nwin[c], frames = W * p.window;
		double g[2][TONEPLAN_MAX_TONES];
		for (unsigned k = 0; k < nt; k++) {
			g[0][k] = 1.0;
			g[1][k] = k & 1 ? -0.3 : 0.0;
		}
		analyzer *a = analyzer_create(&(struct analyzer_cfg){ .plan = &p, .n_inputs = n_in });
		double(*win)[2] = calloc((size_t)W * n_in * nt, sizeof(*win));
		assert_non_null(a);
		assert_non_null(win);
		for (unsigned q = 0; q < sizeof(ppms) / sizeof(ppms[0]); q++) {
			float *cap = drifting_tones(&p, n_in, g, ppms[q], 123.4, frames, 1e-5);
			struct analysis an;
			assert_int_equal(analyzer_run_windows(a, cap, W, -123.0, &an, win), 0);
			struct drift_estimate d;
			assert_int_equal(drift_from_windows(&p, &an, (const double(*)[2])win, W, &d), 0);
			assert_true(d.valid);
			/* -100 dB of noise on full-scale tones: a small fraction of a ppm,
			 * plus 0.1 % of the drift: a drifting tone leaks ~ppm * 1e-6 of
			 * itself into its neighbours' bins, which bends their phases (the
			 * sigma is pessimistic there too: the leakage reads as noise) */
			if (fabs(d.ppm - ppms[q]) > 0.5 + 1e-3 * fabs(ppms[q]) || !(d.sigma_ppm < 1.0))
				fail_msg("%u tones in %u: %+.0f ppm read as %+.3f ± %.3f", nt, p.window, ppms[q], d.ppm,
				         d.sigma_ppm);
			free(cap);
		}
		analyzer_destroy(a);
		free(win);
	}
}

/* In noise the estimate scatters as its own sigma says: errors over many
 * draws stay within 4 sigma, and sigma shrinks as the windows grow. */
static void test_from_windows_noise(void **state)
{
	(void)state;
	struct toneplan p;
	assert_int_equal(toneplan_make(&p, 4, RATE, 256), 0);
	const unsigned n_in = 1, nt = p.n_tones;
	double g[1][TONEPLAN_MAX_TONES] = { { 1.0, 1.0, 1.0, 1.0 } };
	analyzer *a = analyzer_create(&(struct analyzer_cfg){ .plan = &p, .n_inputs = n_in });
	double(*win)[2] = calloc((size_t)64 * n_in * nt, sizeof(*win));
	assert_non_null(a);
	assert_non_null(win);
	double last_sigma = INFINITY;
	const unsigned counts[] = { 4, 16, 64 };
	for (unsigned c = 0; c < 3; c++) {
		double worst = 0.0, sigma = 0.0;
		for (unsigned trial = 0; trial < 20; trial++) {
			/* ~20 dB per window and tone */
			float *cap = drifting_tones(&p, n_in, g, 150.0, 50.0, counts[c] * p.window, 0.01);
			struct analysis an;
			assert_int_equal(analyzer_run_windows(a, cap, counts[c], -50.0, &an, win), 0);
			struct drift_estimate d;
			assert_int_equal(drift_from_windows(&p, &an, (const double(*)[2])win, counts[c], &d), 0);
			assert_true(d.valid);
			worst = fmax(worst, fabs(d.ppm - 150.0) / d.sigma_ppm);
			sigma = d.sigma_ppm;
			free(cap);
		}
		if (worst > 4.0)
			fail_msg("%u windows: an error of %.1f sigma (sigma %.2f ppm)", counts[c], worst, sigma);
		assert_true(sigma < last_sigma);
		last_sigma = sigma;
	}
	/* silence: nothing to read */
	float *cap = calloc((size_t)4 * p.window, sizeof(float));
	struct analysis an;
	struct drift_estimate d;
	assert_int_equal(analyzer_run_windows(a, cap, 4, 0.0, &an, win), 0);
	assert_int_equal(drift_from_windows(&p, &an, (const double(*)[2])win, 4, &d), 0);
	assert_false(d.valid);
	assert_int_equal(drift_from_windows(&p, &an, (const double(*)[2])win, 1, &d), -EINVAL);
	assert_int_equal(drift_from_windows(NULL, &an, (const double(*)[2])win, 4, &d), -EINVAL);
	free(cap);
	analyzer_destroy(a);
	free(win);
}

/* The resampler rebuilds tones up to 0.23 of the rate between samples: a
 * drifting capture read at playback-clock positions equals the tones
 * written there, to 1e-4 of full scale (-80 dB), level to 0.001 dB. */
static void test_resampler(void **state)
{
	(void)state;
	resampler *r = resampler_create();
	assert_non_null(r);
	const unsigned frames = 4096, ch = 2;
	const double f[2] = { 0.2229, 0.0123 }, step = 1.0 + 777e-6, start = 100.37;
	float *in = malloc(sizeof(float) * frames * ch), *out = malloc(sizeof(float) * 3000 * ch);
	assert_non_null(in);
	assert_non_null(out);
	for (unsigned t = 0; t < frames; t++)
		for (unsigned c = 0; c < ch; c++)
			in[t * ch + c] = (float)(0.5 * cos(2.0 * M_PI * f[c] * t + c));
	assert_int_equal(resampler_run(r, in, frames, ch, start, step, out, 3000), 0);
	double worst = 0.0, sre = 0.0, sim = 0.0;
	for (unsigned m = 0; m < 3000; m++) {
		double x = start + m * step;
		for (unsigned c = 0; c < ch; c++) {
			double want = 0.5 * cos(2.0 * M_PI * f[c] * x + c);
			worst = fmax(worst, fabs(out[m * ch + c] - want));
		}
		/* the fast tone's complex amplitude, demodulated at the positions read */
		sre += out[m * ch] * cos(2.0 * M_PI * f[0] * x);
		sim -= out[m * ch] * sin(2.0 * M_PI * f[0] * x);
	}
	if (worst > 1e-4)
		fail_msg("resampled tones off by %.2e", worst);
	double level = 20.0 * log10(hypot(sre, sim) * 2.0 / 3000 / 0.5);
	assert_true(fabs(level) < 1e-3);
	/* silence beyond the input; bad arguments */
	assert_int_equal(resampler_run(r, in, frames, ch, frames + 100.0, 1.0, out, 10), 0);
	for (unsigned i = 0; i < 10 * ch; i++)
		assert_true(out[i] == 0.0f);
	assert_int_equal(resampler_run(NULL, in, frames, ch, 0.0, 1.0, out, 10), -EINVAL);
	assert_int_equal(resampler_run(r, in, frames, ch, 0.0, 0.0, out, 10), -EINVAL);
	assert_int_equal(resampler_run(r, in, frames, 0, 0.0, 1.0, out, 10), -EINVAL);
	assert_int_equal(resampler_run(r, in, frames, ch, NAN, 1.0, out, 10), -EINVAL);
	free(in);
	free(out);
	resampler_destroy(r);
	resampler_destroy(NULL);
}

/* A shorter interpolator (the simulator's: ±8 taps, beta 7, cut off at
 * 0.44): its taps sum to one at every fraction and rebuild a tone at 0.22
 * of the rate to 0.003 dB; impossible shapes are refused. */
static void test_resampler_kaiser(void **state)
{
	(void)state;
	resampler *r = resampler_create_kaiser(8, 7.0, 0.44);
	assert_non_null(r);
	assert_int_equal(resampler_half(r), 8);
	assert_int_equal(resampler_half(NULL), 0);
	double taps[16];
	for (double frac = 0.0; frac < 1.0; frac += 0.0625) {
		resampler_taps(r, frac, taps);
		double sum = 0.0;
		for (unsigned q = 0; q < 16; q++)
			sum += taps[q];
		assert_true(fabs(sum - 1.0) < 1e-9);
	}
	/* at fraction 0 it is symmetric about the frame itself (a linear-phase
	 * low-pass: cut off below half the rate, it is not the identity) */
	resampler_taps(r, 0.0, taps);
	for (unsigned q = 1; q < 8; q++)
		assert_true(fabs(taps[7 - q] - taps[7 + q]) < 1e-12);
	assert_true(taps[7] > 0.8);
	const unsigned frames = 2048;
	float *in = malloc(sizeof(float) * frames), *out = malloc(sizeof(float) * 1500);
	assert_non_null(in);
	assert_non_null(out);
	for (unsigned t = 0; t < frames; t++)
		in[t] = (float)cos(2.0 * M_PI * 0.22 * t);
	assert_int_equal(resampler_run(r, in, frames, 1, 200.5, 1.0003, out, 1500), 0);
	double re = 0.0, im = 0.0;
	for (unsigned m = 0; m < 1500; m++) {
		double x = 200.5 + m * 1.0003;
		re += out[m] * cos(2.0 * M_PI * 0.22 * x);
		im -= out[m] * sin(2.0 * M_PI * 0.22 * x);
	}
	assert_true(fabs(20.0 * log10(hypot(re, im) * 2.0 / 1500)) < 0.003);
	assert_null(resampler_create_kaiser(0, 7.0, 0.44));
	assert_null(resampler_create_kaiser(65, 7.0, 0.44));
	assert_null(resampler_create_kaiser(8, -1.0, 0.44));
	assert_null(resampler_create_kaiser(8, 7.0, 0.6));
	free(in);
	free(out);
	resampler_destroy(r);
}

/* Two round trips, and when a drift is worth correcting. */
static void test_two_points_and_significance(void **state)
{
	(void)state;
	struct drift_estimate d;
	drift_from_two(100.0, 0.01, 1000.0, 100.2, 0.0, 2000.0, &d);
	assert_true(d.valid);
	assert_true(fabs(d.ppm - 200.0) < 1e-9);
	assert_true(fabs(d.sigma_ppm - 10.0) < 1e-9);
	drift_from_two(100.0, 0.01, 1000.0, 100.2, 0.0, 1000.5, &d);
	assert_false(d.valid);

	struct toneplan p;
	assert_int_equal(toneplan_make(&p, 5, RATE, 256), 0);
	double w_max = 2.0 * M_PI * p.bin[4] / p.window;
	/* 200 ppm over one 256-frame window turns the top tone by 0.07 rad:
	 * corrected; over a tenth of it, not worth it */
	struct drift_estimate s = { .valid = 1, .ppm = 200.0, .sigma_ppm = 10.0 };
	assert_true(w_max * 200e-6 * 256 > 0.05);
	assert_true(drift_significant(&s, &p, 256));
	assert_false(drift_significant(&s, &p, 25));
	/* 5 sigma clear of zero, or left alone: 4.4 is not enough */
	s.sigma_ppm = 45.0;
	assert_false(drift_significant(&s, &p, 256));
	s.sigma_ppm = 39.0;
	assert_true(drift_significant(&s, &p, 256));
	s.valid = 0;
	s.sigma_ppm = 1.0;
	assert_false(drift_significant(&s, &p, 256));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_windows),
		cmocka_unit_test(test_from_windows_noise),
		cmocka_unit_test(test_resampler),
		cmocka_unit_test(test_resampler_kaiser),
		cmocka_unit_test(test_two_points_and_significance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
