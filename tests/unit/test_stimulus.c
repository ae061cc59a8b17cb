/* Unit tests of stimulus: probe, fade, continuity across calls of any size, drift-free tones, no clipping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stimulus.h"

/* A float holds a value below 1 to 2^-24 (6e-8): the rendered samples can
 * be no closer to the formula than that. */
#define FLOAT_TOL 2e-7

static struct toneplan plan_for(unsigned n, unsigned rate)
{
	struct toneplan p;
	assert_int_equal(toneplan_make(&p, n, rate, toneplan_default_window(rate)), 0);
	return p;
}

/* amplitude_k * cos(phase_k + 2 pi f_k t / rate), with the frequency's
 * exact bin so the phase is reduced without rounding at any t. */
static double tone_at(const struct toneplan *p, unsigned k, uint64_t t)
{
	uint64_t cyc = (uint64_t)p->bin[k] * (t % p->window) % p->window;
	return p->amplitude[k] * cos(p->phase_rad[k] + 2.0 * M_PI * (double)cyc / p->window);
}

static stimulus *make(const struct toneplan *p, unsigned probe, unsigned fade, uint32_t seed)
{
	struct stimulus_cfg cfg = { .plan = p, .probe_frames = probe, .fade_frames = fade, .seed = seed };
	stimulus *s = stimulus_create(&cfg);
	assert_non_null(s);
	return s;
}

static uint32_t lcg(uint32_t *st)
{
	*st = *st * 1664525u + 1013904223u;
	return *st >> 8;
}

static void test_chunks_equal_whole(void **state)
{
	(void)state;
	struct toneplan p = plan_for(8, 48000);
	const unsigned total = 50000, n = p.n_tones;
	float *whole = malloc(sizeof(float) * total * n);
	float *parts = malloc(sizeof(float) * total * n);
	assert_non_null(whole);
	assert_non_null(parts);

	stimulus *a = make(&p, 3000, 700, 42);
	stimulus_render(a, whole, total);
	assert_true(stimulus_position(a) == total);

	const unsigned fixed[] = { 1, 7, 333, 4095, 4096, 4097 };
	for (unsigned f = 0; f <= sizeof(fixed) / sizeof(fixed[0]); f++) {
		stimulus *b = make(&p, 3000, 700, 42);
		uint32_t st = 1234 + f;
		unsigned done = 0;
		while (done < total) {
			unsigned c = f < sizeof(fixed) / sizeof(fixed[0]) ? fixed[f] : 1 + lcg(&st) % 5000;
			if (c > total - done)
				c = total - done;
			stimulus_render(b, parts + (size_t)done * n, c);
			done += c;
			assert_true(stimulus_position(b) == done);
		}
		assert_memory_equal(whole, parts, sizeof(float) * total * n);
		stimulus_destroy(b);
	}
	stimulus_destroy(a);
	free(whole);
	free(parts);
}

/* Over 2^24 frames (almost 6 minutes at 48 kHz) the phasors do not drift. */
static void test_tones_match_formula(void **state)
{
	(void)state;
	struct toneplan p = plan_for(16, 48000);
	const unsigned chunk = 3001, n = p.n_tones;  /* odd size: resyncs fall mid-call */
	float *buf = malloc(sizeof(float) * chunk * n);
	assert_non_null(buf);
	stimulus *s = make(&p, 0, 0, 1);
	assert_null(stimulus_probe(s, 0));
	assert_int_equal(stimulus_tones_start(s), 0);
	double worst = 0.0;
	for (uint64_t t0 = 0; t0 < (1u << 24); t0 += chunk) {
		stimulus_render(s, buf, chunk);
		/* every frame of the first and last chunks, a sample of the rest */
		unsigned step = (t0 < 100000 || t0 + 2 * chunk > (1u << 24)) ? 1 : 97;
		for (unsigned i = 0; i < chunk; i += step) {
			for (unsigned k = 0; k < n; k++)
				worst = fmax(worst, fabs(buf[(size_t)i * n + k] - tone_at(&p, k, t0 + i)));
		}
	}
	if (worst > FLOAT_TOL)
		fail_msg("largest deviation from the formula %.3g", worst);
	/* the same through the frequency in Hz, late in the run */
	uint64_t t = stimulus_position(s) - 1;
	for (unsigned k = 0; k < n; k++) {
		long double ph = (long double)p.phase_rad[k] +
		                 2.0L * (long double)M_PI * p.bin[k] * (long double)t / p.window;
		double want = p.amplitude[k] * (double)cosl(ph);
		assert_true(fabs(buf[(size_t)(chunk - 1) * n + k] - want) < 1e-5);
	}
	stimulus_destroy(s);
	free(buf);
}

static double corr(const float *a, const float *b, unsigned len, unsigned lag)
{
	double s = 0.0, ea = 0.0, eb = 0.0;
	for (unsigned t = 0; t + lag < len; t++) {
		s += (double)a[t + lag] * b[t];
		ea += (double)a[t + lag] * a[t + lag];
		eb += (double)b[t] * b[t];
	}
	return s / sqrt(ea * eb);
}

static void test_probe(void **state)
{
	(void)state;
	struct toneplan p = plan_for(4, 48000);
	const unsigned len = 8192, n = p.n_tones;
	stimulus *s = make(&p, len, 100, 7);
	float *out = malloc(sizeof(float) * len * n);
	assert_non_null(out);
	stimulus_render(s, out, len);
	/* correlations of independent white sequences scatter by 1/sqrt(len) */
	const double bound = 5.0 / sqrt(len);
	for (unsigned c = 0; c < n; c++) {
		const float *pr = stimulus_probe(s, c);
		assert_non_null(pr);
		double mean = 0.0, pow2 = 0.0, peak = 0.0;
		for (unsigned t = 0; t < len; t++) {
			assert_true(out[(size_t)t * n + c] == pr[t]);
			mean += pr[t];
			pow2 += (double)pr[t] * pr[t];
			peak = fmax(peak, fabs(pr[t]));
		}
		mean /= len;
		double rms = sqrt(pow2 / len);
		assert_true(peak <= 0.89 / n + 1e-7);
		assert_true(fabs(mean) < bound * rms);
		/* loud enough to be worth playing: at least half the peak budget as RMS */
		assert_true(rms > 0.5 * 0.89 / n);
		for (unsigned lag = 1; lag < 32; lag++)
			assert_true(fabs(corr(pr, pr, len, lag)) < bound);
		for (unsigned d = 0; d < n; d++) {
			if (d == c)
				continue;
			for (unsigned lag = 0; lag < 32; lag++)
				assert_true(fabs(corr(pr, stimulus_probe(s, d), len, lag)) < bound);
		}
	}
	assert_null(stimulus_probe(s, n));

	/* the same seed plays the same probe; another seed another one */
	stimulus *same = make(&p, len, 100, 7), *other = make(&p, len, 100, 8);
	for (unsigned c = 0; c < n; c++) {
		assert_memory_equal(stimulus_probe(s, c), stimulus_probe(same, c), sizeof(float) * len);
		assert_true(fabs(corr(stimulus_probe(s, c), stimulus_probe(other, c), len, 0)) < bound);
	}
	stimulus_destroy(same);
	stimulus_destroy(other);
	stimulus_destroy(s);
	free(out);
}

static void test_fade(void **state)
{
	(void)state;
	struct toneplan p = plan_for(3, 44100);
	const unsigned probe = 100, fade = 1000, total = 3000, n = p.n_tones;
	stimulus *s = make(&p, probe, fade, 3);
	assert_int_equal(stimulus_tones_start(s), probe + fade);
	float *out = malloc(sizeof(float) * total * n);
	assert_non_null(out);
	stimulus_render(s, out, total);
	for (unsigned t = probe; t < total; t++) {
		double g = 1.0;
		if (t < probe + fade)
			g = 0.5 - 0.5 * cos(M_PI * (t - probe) / fade);
		for (unsigned k = 0; k < n; k++) {
			double want = g * tone_at(&p, k, t);
			if (fabs(out[(size_t)t * n + k] - want) > FLOAT_TOL)
				fail_msg("frame %u tone %u: %.8f, want %.8f", t, k, out[(size_t)t * n + k], want);
		}
	}
	/* the fade starts from silence and is half way at its middle */
	for (unsigned k = 0; k < n; k++) {
		assert_true(out[(size_t)probe * n + k] == 0.0f);
		double mid = out[(size_t)(probe + fade / 2) * n + k];
		assert_true(fabs(mid - 0.5 * tone_at(&p, k, probe + fade / 2)) < FLOAT_TOL);
	}
	stimulus_destroy(s);
	free(out);
}

/* The sum of |outputs| never exceeds -1 dBFS, probe and tones alike, so no
 * passive network can make an input clip. */
static void test_no_clip(void **state)
{
	(void)state;
	const unsigned rates[] = { 44100, 48000, 96000, 192000 };
	const unsigned total = 40000;
	float *out = malloc(sizeof(float) * total * TONEPLAN_MAX_TONES);
	assert_non_null(out);
	for (unsigned r = 0; r < 4; r++) {
		for (unsigned n = 1; n <= TONEPLAN_MAX_TONES; n++) {
			struct toneplan p = plan_for(n, rates[r]);
			stimulus *s = make(&p, 5000, 500, n);
			stimulus_render(s, out, total);
			double worst = 0.0;
			for (unsigned t = 0; t < total; t++) {
				double sum = 0.0;
				for (unsigned k = 0; k < n; k++)
					sum += fabs(out[(size_t)t * n + k]);
				worst = fmax(worst, sum);
			}
			if (worst > 0.89 + 1e-6)
				fail_msg("rate %u n %u: sum of outputs reaches %.4f", rates[r], n, worst);
			stimulus_destroy(s);
		}
	}
	free(out);
}

static void test_reset(void **state)
{
	(void)state;
	struct toneplan p = plan_for(5, 96000);
	const unsigned total = 20000, n = p.n_tones;
	float *a = malloc(sizeof(float) * total * n), *b = malloc(sizeof(float) * total * n);
	assert_non_null(a);
	assert_non_null(b);
	stimulus *s = make(&p, 2000, 300, 9);
	stimulus_render(s, a, total);
	stimulus_render(s, b, 777);
	stimulus_reset(s);
	assert_true(stimulus_position(s) == 0);
	stimulus_render(s, b, total);
	assert_memory_equal(a, b, sizeof(float) * total * n);
	stimulus_destroy(s);
	free(a);
	free(b);
}

/* A shorter probe chosen later is the start of the longer one, the tones
 * follow it at once (fade included), and the amplitude is the budget's
 * share: what a capture's seed and probe length re-make. */
static void test_set_probe(void **state)
{
	(void)state;
	struct toneplan p = plan_for(4, 48000);
	const unsigned longest = 4096, shorter = 320, fade = 32, total = 2000, n = p.n_tones;
	stimulus *s = make(&p, longest, fade, 11);
	float *full = malloc(sizeof(float) * longest * n), *out = malloc(sizeof(float) * total * n);
	assert_non_null(full);
	assert_non_null(out);
	stimulus_render(s, full, longest);
	assert_true(fabs(stimulus_probe_amplitude(s) - 0.89 / n) < 1e-7);

	assert_int_equal(stimulus_set_probe(s, shorter), 0);
	stimulus_reset(s);
	assert_int_equal(stimulus_tones_start(s), shorter + fade);
	stimulus_render(s, out, total);
	for (unsigned t = 0; t < shorter; t++)
		for (unsigned k = 0; k < n; k++) {
			assert_true(out[(size_t)t * n + k] == full[(size_t)t * n + k]);
			assert_true(stimulus_probe(s, k)[t] == full[(size_t)t * n + k]);
		}
	for (unsigned t = shorter; t < total; t++) {
		double g = t < shorter + fade ? 0.5 - 0.5 * cos(M_PI * (t - shorter) / fade) : 1.0;
		for (unsigned k = 0; k < n; k++)
			if (fabs(out[(size_t)t * n + k] - g * tone_at(&p, k, t)) > FLOAT_TOL)
				fail_msg("frame %u tone %u after a %u-frame probe", t, k, shorter);
	}
	/* never longer than what was made, never zero, and only with a probe */
	assert_int_equal(stimulus_set_probe(s, longest + 1), -EINVAL);
	assert_int_equal(stimulus_set_probe(s, 0), -EINVAL);
	assert_int_equal(stimulus_set_probe(NULL, 10), -EINVAL);
	stimulus *none = make(&p, 0, fade, 11);
	assert_int_equal(stimulus_set_probe(none, 10), -EINVAL);
	assert_true(stimulus_probe_amplitude(none) == 0.0);
	stimulus_destroy(none);
	stimulus_destroy(s);
	free(full);
	free(out);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	struct toneplan p = plan_for(4, 48000);
	assert_null(stimulus_create(NULL));
	struct stimulus_cfg cfg = { .plan = NULL, .probe_frames = 100 };
	assert_null(stimulus_create(&cfg));
	struct toneplan bad = p;
	cfg.plan = &bad;
	bad.n_tones = 0;
	assert_null(stimulus_create(&cfg));
	bad.n_tones = TONEPLAN_MAX_TONES + 1;
	assert_null(stimulus_create(&cfg));
	bad = p;
	bad.bin[2] = bad.window / 2;
	assert_null(stimulus_create(&cfg));
	bad = p;
	bad.window = 3000;
	assert_null(stimulus_create(&cfg));
	bad = p;
	bad.amplitude[1] = NAN;
	assert_null(stimulus_create(&cfg));
	cfg.plan = &p;
	cfg.probe_frames = 1u << 30;
	assert_null(stimulus_create(&cfg));

	/* NULL objects are ignored, never crash */
	float buf[16];
	stimulus_destroy(NULL);
	stimulus_render(NULL, buf, 1);
	stimulus_reset(NULL);
	assert_true(stimulus_position(NULL) == 0);
	assert_null(stimulus_probe(NULL, 0));
	assert_int_equal(stimulus_tones_start(NULL), 0);
	stimulus *s = make(&p, 0, 0, 0);
	stimulus_render(s, NULL, 10);
	assert_true(stimulus_position(s) == 0);
	stimulus_render(s, buf, 0);
	assert_null(stimulus_probe(s, 0));
	stimulus_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunks_equal_whole),
		cmocka_unit_test(test_tones_match_formula),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_fade),
		cmocka_unit_test(test_no_clip),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_set_probe),
		cmocka_unit_test(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
