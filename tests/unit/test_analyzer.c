/* Unit tests of analyzer: gain, phase, level, noise floor, SNR and clipping on synthetic captures. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"

/* Float captures carry 24-bit mantissas: a tone read back from one is good
 * to a few 1e-7 relative, i.e. ~1e-5 dB and ~1e-5 rad. */
#define EXACT_DB 1e-4
#define EXACT_DEG 1e-3

struct paths {
	double re[ANALYZER_MAX_INPUTS][TONEPLAN_MAX_TONES];
	double im[ANALYZER_MAX_INPUTS][TONEPLAN_MAX_TONES];
};

static uint64_t rng_state = 0x1234567u;

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

static struct toneplan plan_for(unsigned n, unsigned rate)
{
	struct toneplan p;
	assert_int_equal(toneplan_make(&p, n, rate, toneplan_default_window(rate)), 0);
	return p;
}

/* Phase of tone k at stimulus frame pos (may be negative or fractional). */
static double tone_phase(const struct toneplan *p, unsigned k, double pos)
{
	double ip = floor(pos);
	int64_t n = p->window;
	int64_t m = ((int64_t)ip % n + n) % n;
	m = m * p->bin[k] % n;
	return p->phase_rad[k] + 2.0 * M_PI * ((double)m + p->bin[k] * (pos - ip)) / n;
}

/* What the inputs would capture through transfer H, the first frame lined
 * up with stimulus frame stim_pos. Adds to cap. */
static void add_tones(const struct toneplan *p, unsigned nin, const struct paths *h, double stim_pos,
                      unsigned frames, float *cap)
{
	for (unsigned k = 0; k < p->n_tones; k++) {
		for (unsigned t = 0; t < frames; t++) {
			double th = tone_phase(p, k, stim_pos + t);
			double c = cos(th), s = sin(th);
			for (unsigned j = 0; j < nin; j++)
				cap[(size_t)t * nin + j] +=
				        (float)(p->amplitude[k] * (h->re[j][k] * c - h->im[j][k] * s));
		}
	}
}

static void add_noise(unsigned nin, unsigned frames, double sigma, float *cap)
{
	for (size_t i = 0; i < (size_t)frames * nin; i++)
		cap[i] += (float)(sigma * gauss());
}

static analyzer *make(const struct toneplan *p, unsigned nin)
{
	struct analyzer_cfg cfg = { .plan = p, .n_inputs = nin };
	analyzer *a = analyzer_create(&cfg);
	assert_non_null(a);
	return a;
}

static double wrap_deg(double d)
{
	return d - 360.0 * round(d / 360.0);
}

static void assert_matches(const struct analysis *an, const struct toneplan *p, const struct paths *h,
                           double tol_db, double tol_deg)
{
	for (unsigned j = 0; j < an->n_inputs; j++) {
		for (unsigned k = 0; k < p->n_tones; k++) {
			const struct tone_result *r = &an->h[j][k];
			double g = hypot(h->re[j][k], h->im[j][k]);
			double want_db = 20.0 * log10(g);
			double want_deg = atan2(h->im[j][k], h->re[j][k]) * 180.0 / M_PI;
			if (fabs(r->gain_db - want_db) > tol_db)
				fail_msg("in %u tone %u: gain %.6f dB, want %.6f", j, k, r->gain_db, want_db);
			if (fabs(wrap_deg(r->phase_deg - want_deg)) > tol_deg)
				fail_msg("in %u tone %u: phase %.5f, want %.5f", j, k, r->phase_deg, want_deg);
			assert_true(r->phase_deg > -180.0 && r->phase_deg <= 180.0);
			assert_true(fabs(r->gain - hypot(r->re, r->im)) < 1e-12);
			double want_level = 20.0 * log10(g * p->amplitude[k]);
			assert_true(fabs(r->level_dbfs - want_level) < tol_db);
			assert_true(fabs(r->snr_db - (r->level_dbfs - r->noise_dbfs)) < 1e-9);
		}
	}
}

static void random_paths(struct paths *h, unsigned nin, unsigned nt, double min_gain)
{
	for (unsigned j = 0; j < nin; j++) {
		for (unsigned k = 0; k < nt; k++) {
			double g = min_gain + (1.0 - min_gain) * uniform();
			double ph = 2.0 * M_PI * uniform() - M_PI;
			h->re[j][k] = g * cos(ph);
			h->im[j][k] = g * sin(ph);
		}
	}
}

/* Every input hears every tone, with its own gain and phase; one path is an
 * exact inversion and one exactly absent. */
static void test_known_gain_phase(void **state)
{
	(void)state;
	const unsigned rates[] = { 44100, 48000, 96000, 192000 };
	for (unsigned r = 0; r < 4; r++) {
		struct toneplan p = plan_for(8, rates[r]);
		const unsigned nin = 4, frames = p.window;
		struct paths h;
		random_paths(&h, nin, p.n_tones, 0.05);
		h.re[1][2] = -1.0;
		h.im[1][2] = 0.0;
		float *cap = calloc((size_t)frames * nin, sizeof(float));
		assert_non_null(cap);
		const double pos = 12345.25;
		add_tones(&p, nin, &h, pos, frames, cap);
		analyzer *a = make(&p, nin);
		struct analysis an;
		assert_int_equal(analyzer_run(a, cap, 1, pos, &an), 0);
		assert_int_equal(an.n_inputs, nin);
		assert_int_equal(an.n_tones, p.n_tones);
		assert_true(an.stim_pos == pos);
		assert_matches(&an, &p, &h, EXACT_DB, EXACT_DEG);
		assert_true(fabs(fabs(an.h[1][2].phase_deg) - 180.0) < EXACT_DEG);
		assert_true(fabs(an.h[1][2].gain - 1.0) < 1e-5);
		for (unsigned j = 0; j < nin; j++)
			assert_false(an.clipped[j]);
		analyzer_destroy(a);
		free(cap);
	}
}

static void test_absent_path(void **state)
{
	(void)state;
	struct toneplan p = plan_for(4, 48000);
	const unsigned nin = 2, frames = p.window;
	struct paths h = { 0 };
	h.re[0][0] = 1.0;
	h.re[1][1] = -0.5;
	float *cap = calloc((size_t)frames * nin, sizeof(float));
	assert_non_null(cap);
	add_tones(&p, nin, &h, 0.0, frames, cap);
	analyzer *a = make(&p, nin);
	struct analysis an;
	assert_int_equal(analyzer_run(a, cap, 1, 0.0, &an), 0);
	/* coherent sampling: a tone leaks nothing into another's bin beyond
	 * float rounding of the capture (2^-24 relative, spread over the window) */
	assert_true(an.h[0][1].gain < 1e-6);
	assert_true(an.h[1][0].gain < 1e-6);
	assert_true(an.h[0][2].gain < 1e-6);
	assert_true(fabs(an.h[0][0].gain - 1.0) < 1e-5);
	assert_true(fabs(wrap_deg(an.h[1][1].phase_deg - 180.0)) < EXACT_DEG);
	analyzer_destroy(a);

	/* all silence: exact zeros read -400 dB, never NaN */
	memset(cap, 0, sizeof(float) * frames * nin);
	a = make(&p, nin);
	assert_int_equal(analyzer_run(a, cap, 1, 0.0, &an), 0);
	for (unsigned j = 0; j < nin; j++) {
		for (unsigned k = 0; k < p.n_tones; k++) {
			assert_true(an.h[j][k].gain == 0.0);
			assert_true(an.h[j][k].gain_db == -400.0);
			assert_true(an.h[j][k].level_dbfs == -400.0);
			assert_true(isfinite(an.h[j][k].snr_db) && isfinite(an.h[j][k].phase_deg));
		}
		assert_true(an.noise_dbfs[j] == -400.0);
		assert_true(an.peak[j] == 0.0);
	}
	analyzer_destroy(a);
	free(cap);
}

/* Several windows are averaged, and the reference may lie before the
 * stimulus started (negative) and between frames. */
static void test_windows_and_negative_position(void **state)
{
	(void)state;
	struct toneplan p = plan_for(6, 44100);
	const unsigned nin = 3, windows = 3, frames = windows * p.window;
	struct paths h;
	random_paths(&h, nin, p.n_tones, 0.1);
	float *cap = calloc((size_t)frames * nin, sizeof(float));
	assert_non_null(cap);
	const double pos = -173.625;
	add_tones(&p, nin, &h, pos, frames, cap);
	analyzer *a = make(&p, nin);
	struct analysis an;
	assert_int_equal(analyzer_run(a, cap, windows, pos, &an), 0);
	assert_matches(&an, &p, &h, EXACT_DB, EXACT_DEG);

	/* the same capture read one frame later is a different capture: a
	 * wrong stim_pos must show as a phase error of 360 f/rate per frame */
	assert_int_equal(analyzer_run(a, cap, windows, pos + 1.0, &an), 0);
	for (unsigned k = 0; k < p.n_tones; k++) {
		double want = atan2(h.im[0][k], h.re[0][k]) * 180.0 / M_PI - 360.0 * p.bin[k] / p.window;
		assert_true(fabs(wrap_deg(an.h[0][k].phase_deg - want)) < EXACT_DEG);
	}
	analyzer_destroy(a);
	free(cap);
}

/* Each window's own H: windows played through different transfers read
 * each their own, referenced like the average, which is their mean. */
static void test_per_window(void **state)
{
	(void)state;
	struct toneplan p;
	assert_int_equal(toneplan_make(&p, 5, 48000, 256), 0);
	const unsigned nin = 2, windows = 4, n = p.window, nt = p.n_tones;
	struct paths h[4], mean;
	memset(&mean, 0, sizeof(mean));
	float *cap = calloc((size_t)windows * n * nin, sizeof(float));
	assert_non_null(cap);
	const double pos = 777.25;
	for (unsigned w = 0; w < windows; w++) {
		random_paths(&h[w], nin, nt, 0.1);
		add_tones(&p, nin, &h[w], pos + w * n, n, cap + (size_t)w * n * nin);
		for (unsigned j = 0; j < nin; j++)
			for (unsigned k = 0; k < nt; k++) {
				mean.re[j][k] += h[w].re[j][k] / windows;
				mean.im[j][k] += h[w].im[j][k] / windows;
			}
	}
	analyzer *a = make(&p, nin);
	struct analysis an, plain;
	double(*win)[2] = calloc((size_t)windows * nin * nt, sizeof(*win));
	assert_non_null(win);
	assert_int_equal(analyzer_run_windows(a, cap, windows, pos, &an, win), 0);
	assert_matches(&an, &p, &mean, EXACT_DB, EXACT_DEG);
	for (unsigned w = 0; w < windows; w++)
		for (unsigned j = 0; j < nin; j++)
			for (unsigned k = 0; k < nt; k++) {
				const double *x = win[((size_t)w * nin + j) * nt + k];
				if (fabs(x[0] - h[w].re[j][k]) > 1e-5 || fabs(x[1] - h[w].im[j][k]) > 1e-5)
					fail_msg("window %u in %u tone %u: %.6f%+.6fi, want %.6f%+.6fi", w, j, k, x[0], x[1],
					         h[w].re[j][k], h[w].im[j][k]);
			}
	/* the average is what analyzer_run gives */
	assert_int_equal(analyzer_run(a, cap, windows, pos, &plain), 0);
	for (unsigned j = 0; j < nin; j++)
		for (unsigned k = 0; k < nt; k++) {
			assert_true(plain.h[j][k].re == an.h[j][k].re);
			assert_true(plain.h[j][k].snr_db == an.h[j][k].snr_db);
		}
	assert_int_equal(analyzer_run_windows(a, NULL, windows, pos, &an, win), -EINVAL);
	assert_int_equal(analyzer_run_windows(a, cap, 0, pos, &an, win), -EINVAL);
	analyzer_destroy(a);
	free(win);
	free(cap);
}

static void test_rereference(void **state)
{
	(void)state;
	struct toneplan p = plan_for(8, 48000);
	const unsigned nin = 2, frames = p.window;
	struct paths h;
	random_paths(&h, nin, p.n_tones, 0.2);
	float *cap = calloc((size_t)frames * nin, sizeof(float));
	assert_non_null(cap);
	add_tones(&p, nin, &h, 1000.0, frames, cap);
	analyzer *a = make(&p, nin);
	struct analysis x, y;
	const double s2 = 1000.0 + 123456.375;
	assert_int_equal(analyzer_run(a, cap, 1, 1000.0 - 0.3, &x), 0);
	assert_int_equal(analyzer_run(a, cap, 1, s2, &y), 0);
	analysis_rereference(&x, &p, s2);
	assert_true(x.stim_pos == s2);
	for (unsigned j = 0; j < nin; j++) {
		for (unsigned k = 0; k < p.n_tones; k++) {
			assert_true(fabs(x.h[j][k].re - y.h[j][k].re) < 1e-9);
			assert_true(fabs(x.h[j][k].im - y.h[j][k].im) < 1e-9);
			assert_true(fabs(wrap_deg(x.h[j][k].phase_deg - y.h[j][k].phase_deg)) < 1e-7);
			assert_true(fabs(x.h[j][k].gain - y.h[j][k].gain) < 1e-12);
		}
	}
	analysis_rereference(NULL, &p, 0.0);
	analysis_rereference(&x, NULL, 0.0);
	analyzer_destroy(a);
	free(cap);
}

/* White noise of known sigma: the per-input floor reads sigma, the floor
 * near each tone reads the per-bin level 2 sigma / sqrt(N W), and the tone
 * readings scatter no more than that noise allows. */
static void test_white_noise_snr(void **state)
{
	(void)state;
	struct toneplan p = plan_for(8, 48000);
	const unsigned nin = 2, n = p.window;
	const double sigma = 1e-3;  /* -60 dBFS */
	for (unsigned windows = 1; windows <= 4; windows *= 4) {
		const unsigned frames = windows * n;
		struct paths h = { 0 };
		for (unsigned k = 0; k < p.n_tones; k++) {
			h.re[0][k] = 1.0;
			h.re[1][k] = -0.1;  /* -20 dB, inverted */
		}
		double sum_dev = 0.0, worst_db = 0.0, worst_deg = 0.0;
		unsigned cnt = 0;
		const unsigned trials = 20;
		for (unsigned trial = 0; trial < trials; trial++) {
			float *cap = calloc((size_t)frames * nin, sizeof(float));
			assert_non_null(cap);
			add_tones(&p, nin, &h, 777.0, frames, cap);
			add_noise(nin, frames, sigma, cap);
			analyzer *a = make(&p, nin);
			struct analysis an;
			assert_int_equal(analyzer_run(a, cap, windows, 777.0, &an), 0);
			double floor_db = 20.0 * log10(2.0 * sigma / sqrt((double)n * windows));
			for (unsigned j = 0; j < nin; j++) {
				/* ~2000 bins estimate the variance to ±3%: ±0.15 dB */
				if (fabs(an.noise_dbfs[j] - 20.0 * log10(sigma)) > 0.3)
					fail_msg("input %u noise %.2f dBFS, want %.2f", j, an.noise_dbfs[j],
					         20.0 * log10(sigma));
				for (unsigned k = 0; k < p.n_tones; k++) {
					const struct tone_result *r = &an.h[j][k];
					/* ~28 bins: the power estimate scatters by ~0.8 dB (1 sigma) */
					if (fabs(r->noise_dbfs - floor_db) > 4.0)
						fail_msg("in %u tone %u: floor %.2f, want %.2f", j, k, r->noise_dbfs,
						         floor_db);
					sum_dev += r->noise_dbfs - floor_db;
					cnt++;
					/* a bin's noise against the tone: relative error 1/sqrt(2 snr) per axis */
					double snr = pow(10.0, (20.0 * log10(fabs(h.re[j][k]) * p.amplitude[k]) -
					                        floor_db) / 10.0);
					double tol = 5.0 / sqrt(2.0 * snr);
					double g = fabs(h.re[j][k]);
					worst_db = fmax(worst_db, fabs(r->gain - g) / g / tol);
					double want_deg = h.re[j][k] > 0 ? 0.0 : 180.0;
					worst_deg = fmax(worst_deg,
					                 fabs(wrap_deg(r->phase_deg - want_deg)) * M_PI / 180.0 / tol);
				}
			}
			analyzer_destroy(a);
			free(cap);
		}
		/* the mean over 320 estimates has no bias beyond 0.5 dB (the log of
		 * a mean of ~28 chi-square bins sits ~0.1 dB low) */
		if (fabs(sum_dev / cnt) > 0.5)
			fail_msg("windows %u: floor biased by %.2f dB", windows, sum_dev / cnt);
		assert_true(worst_db <= 1.0);
		assert_true(worst_deg <= 1.0);
	}
}

/* Mains hum (50 Hz and harmonics) is not on any bin and leaks; tones keep
 * clear of it, so a -70 dBFS hum moves them by less than 0.01 dB, and the
 * input noise reads the hum. */
static void test_hum(void **state)
{
	(void)state;
	struct toneplan p = plan_for(8, 48000);
	const unsigned nin = 2, frames = p.window;
	struct paths h = { 0 };
	for (unsigned k = 0; k < p.n_tones; k++) {
		h.re[0][k] = 1.0;
		h.re[1][k] = 0.3;
	}
	float *cap = calloc((size_t)frames * nin, sizeof(float));
	assert_non_null(cap);
	add_tones(&p, nin, &h, 50.0, frames, cap);
	const double hum = pow(10.0, -70.0 / 20.0);
	double hum_pow = 0.0;
	for (unsigned m = 1; m <= 20; m++) {
		double a = hum / m, ph = 0.7 * m;
		hum_pow += a * a / 2.0;
		for (unsigned t = 0; t < frames; t++) {
			for (unsigned j = 0; j < nin; j++)
				cap[(size_t)t * nin + j] += (float)(a * cos(ph + 2.0 * M_PI * 50.0 * m * t / 48000.0));
		}
	}
	analyzer *a = make(&p, nin);
	struct analysis an;
	assert_int_equal(analyzer_run(a, cap, 1, 50.0, &an), 0);
	assert_matches(&an, &p, &h, 0.01, 0.05);
	for (unsigned j = 0; j < nin; j++) {
		if (fabs(an.noise_dbfs[j] - 10.0 * log10(hum_pow)) > 1.5)
			fail_msg("input %u noise %.2f dBFS, hum is %.2f", j, an.noise_dbfs[j],
			         10.0 * log10(hum_pow));
	}
	/* the lowest tone sits among the hum lines: its floor shows them */
	assert_true(an.h[0][0].noise_dbfs > -130.0);
	analyzer_destroy(a);
	free(cap);
}

/* 2nd and 3rd harmonics of every output at -40 dBc (some fold at Nyquist)
 * land on no tone bin and are left out of the noise floors. */
static void test_harmonics(void **state)
{
	(void)state;
	const unsigned rates[] = { 44100, 48000, 96000 };
	for (unsigned r = 0; r < 3; r++) {
		struct toneplan p = plan_for(16, rates[r]);
		const unsigned nin = 3, frames = p.window;
		struct paths h = { 0 };
		for (unsigned k = 0; k < p.n_tones; k++) {
			h.re[0][k] = 1.0;              /* every tone on one input */
			h.re[1][k] = k == 3 ? -1.0 : 0.0;
			h.re[2][k] = (k & 1) ? 0.5 : -0.25;
		}
		float *clean = calloc((size_t)frames * nin, sizeof(float));
		float *cap = calloc((size_t)frames * nin, sizeof(float));
		assert_non_null(clean);
		assert_non_null(cap);
		add_tones(&p, nin, &h, 0.0, frames, clean);
		add_noise(nin, frames, 1e-6, clean);
		memcpy(cap, clean, sizeof(float) * frames * nin);
		const double dist = 0.01;
		for (unsigned k = 0; k < p.n_tones; k++) {
			for (unsigned m = 2; m <= 3; m++) {
				for (unsigned t = 0; t < frames; t++) {
					/* the harmonic of what output k plays, through its path */
					double v = dist * p.amplitude[k] * cos(m * tone_phase(&p, k, t));
					for (unsigned j = 0; j < nin; j++)
						cap[(size_t)t * nin + j] += (float)(h.re[j][k] * v);
				}
			}
		}
		analyzer *a = make(&p, nin);
		struct analysis x, y;
		assert_int_equal(analyzer_run(a, clean, 1, 0.0, &x), 0);
		assert_int_equal(analyzer_run(a, cap, 1, 0.0, &y), 0);
		for (unsigned j = 0; j < nin; j++) {
			for (unsigned k = 0; k < p.n_tones; k++) {
				/* the distortion does not touch the tone bin */
				assert_true(fabs(y.h[j][k].re - x.h[j][k].re) < 1e-5);
				assert_true(fabs(y.h[j][k].im - x.h[j][k].im) < 1e-5);
				/* nor the floor next to it */
				if (x.h[j][k].gain > 0.1 && fabs(y.h[j][k].noise_dbfs - x.h[j][k].noise_dbfs) > 1.0)
					fail_msg("rate %u in %u tone %u: floor %.1f with harmonics, %.1f without",
					         rates[r], j, k, y.h[j][k].noise_dbfs, x.h[j][k].noise_dbfs);
			}
			assert_true(fabs(y.noise_dbfs[j] - x.noise_dbfs[j]) < 1.0);
		}
		analyzer_destroy(a);
		free(clean);
		free(cap);
	}
}

/* A capture clock 20 ppm off moves every tone by a fraction of a bin: the
 * level stays within 0.01 dB (the phase shift is a pure delay, which
 * latency_refine removes; see test_latency). */
static void test_clock_drift_level(void **state)
{
	(void)state;
	struct toneplan p = plan_for(8, 48000);
	const unsigned nin = 1, frames = p.window;
	for (int sign = -1; sign <= 1; sign += 2) {
		double ppm = 20e-6 * sign;
		float *cap = calloc(frames, sizeof(float));
		assert_non_null(cap);
		for (unsigned t = 0; t < frames; t++) {
			double u = 5000.0 + t * (1.0 + ppm);
			for (unsigned k = 0; k < p.n_tones; k++)
				cap[t] += (float)(p.amplitude[k] * cos(tone_phase(&p, k, u)));
		}
		analyzer *a = make(&p, nin);
		struct analysis an;
		assert_int_equal(analyzer_run(a, cap, 1, 5000.0, &an), 0);
		for (unsigned k = 0; k < p.n_tones; k++)
			assert_true(fabs(an.h[0][k].gain_db) < 0.01);
		analyzer_destroy(a);
		free(cap);
	}
}

static void test_clipping(void **state)
{
	(void)state;
	struct toneplan p = plan_for(2, 48000);
	const unsigned nin = 3, frames = 2 * p.window;
	float *cap = calloc((size_t)frames * nin, sizeof(float));
	assert_non_null(cap);
	cap[(size_t)100 * nin + 0] = 0.5f;
	cap[(size_t)(p.window + 7) * nin + 1] = -1.0f;  /* in the second window */
	cap[(size_t)9 * nin + 2] = 0.9985f;
	struct analyzer_cfg cfg = { .plan = &p, .n_inputs = nin };
	analyzer *a = analyzer_create(&cfg);
	assert_non_null(a);
	struct analysis an;
	assert_int_equal(analyzer_run(a, cap, 2, 0.0, &an), 0);
	assert_false(an.clipped[0]);
	assert_true(an.clipped[1]);
	assert_false(an.clipped[2]);  /* just below the default 0.999 */
	assert_true(an.peak[0] == 0.5);
	assert_true(an.peak[1] == 1.0);
	analyzer_destroy(a);
	cfg.clip_level = 0.4;
	a = analyzer_create(&cfg);
	assert_non_null(a);
	assert_int_equal(analyzer_run(a, cap, 2, 0.0, &an), 0);
	assert_true(an.clipped[0] && an.clipped[1] && an.clipped[2]);
	analyzer_destroy(a);
	free(cap);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	struct toneplan p = plan_for(4, 48000);
	struct analyzer_cfg cfg = { .plan = &p, .n_inputs = 0 };
	assert_null(analyzer_create(NULL));
	assert_null(analyzer_create(&cfg));
	cfg.n_inputs = ANALYZER_MAX_INPUTS + 1;
	assert_null(analyzer_create(&cfg));
	cfg.n_inputs = 2;
	cfg.plan = NULL;
	assert_null(analyzer_create(&cfg));
	struct toneplan bad = p;
	cfg.plan = &bad;
	bad.n_tones = 0;
	assert_null(analyzer_create(&cfg));
	bad.n_tones = TONEPLAN_MAX_TONES + 1;
	assert_null(analyzer_create(&cfg));
	bad = p;
	bad.window = 1000;
	assert_null(analyzer_create(&cfg));
	bad = p;
	bad.bin[0] = 0;
	assert_null(analyzer_create(&cfg));
	bad = p;
	bad.amplitude[3] = 0.0;  /* H would divide by it */
	assert_null(analyzer_create(&cfg));
	cfg.plan = &p;
	cfg.clip_level = -1.0;
	assert_null(analyzer_create(&cfg));
	cfg.clip_level = 0.0;

	analyzer *a = analyzer_create(&cfg);
	assert_non_null(a);
	float *cap = calloc((size_t)p.window * 2, sizeof(float));
	assert_non_null(cap);
	struct analysis an;
	assert_int_equal(analyzer_run(NULL, cap, 1, 0.0, &an), -EINVAL);
	assert_int_equal(analyzer_run(a, NULL, 1, 0.0, &an), -EINVAL);
	assert_int_equal(analyzer_run(a, cap, 1, 0.0, NULL), -EINVAL);
	assert_int_equal(analyzer_run(a, cap, 0, 0.0, &an), -EINVAL);
	assert_int_equal(analyzer_run(a, cap, 1, NAN, &an), -EINVAL);
	assert_int_equal(analyzer_run(a, cap, 1, INFINITY, &an), -EINVAL);
	assert_int_equal(analyzer_run(a, cap, 1, 0.0, &an), 0);
	analyzer_destroy(a);
	analyzer_destroy(NULL);
	free(cap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_gain_phase),
		cmocka_unit_test(test_absent_path),
		cmocka_unit_test(test_windows_and_negative_position),
		cmocka_unit_test(test_per_window),
		cmocka_unit_test(test_rereference),
		cmocka_unit_test(test_white_noise_snr),
		cmocka_unit_test(test_hum),
		cmocka_unit_test(test_harmonics),
		cmocka_unit_test(test_clock_drift_level),
		cmocka_unit_test(test_clipping),
		cmocka_unit_test(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
