/* Unit tests of latency: probe correlation (integer, fractional, cancelling, silent) and phase-slope refinement. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "latency.h"
#include "stimulus.h"

#define RATE 48000
#define PROBE 4096
#define FADE 512
#define MAX_LAT 1024
/* Half length of the windowed-sinc fractional delay that plays the world:
 * 64 taps either side keeps its error near 1e-5 up to 0.4 * rate. */
#define FD_HALF 64

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

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

static double wrap_deg(double d)
{
	return d - 360.0 * round(d / 360.0);
}

/* Blackman-windowed sinc at offset u (frames), zero beyond FD_HALF. */
static double fd_tap(double u)
{
	if (fabs(u) >= FD_HALF)
		return 0.0;
	double s = fabs(u) < 1e-12 ? 1.0 : sin(M_PI * u) / (M_PI * u);
	double x = M_PI * (u + FD_HALF) / FD_HALF;  /* 0..2 pi over the kernel */
	return s * (0.42 - 0.5 * cos(x) + 0.08 * cos(2.0 * x));
}

/* The world: capture[t][j] = sum_i g[j][i] * out_i(t - tau) + noise. The
 * delay is a band-limited one, so a fractional tau is honest. */
struct world {
	unsigned n_out, n_in, frames;
	double g[ANALYZER_MAX_INPUTS][TONEPLAN_MAX_TONES];
	double tau, noise;
};

static float *play(const struct world *w, const float *out)
{
	float *cap = calloc((size_t)w->frames * w->n_in, sizeof(float));
	double *del = malloc(sizeof(double) * w->n_out);
	assert_non_null(cap);
	assert_non_null(del);
	for (unsigned t = 0; t < w->frames; t++) {
		double x = t - w->tau;
		long lo = (long)ceil(x - FD_HALF), hi = (long)floor(x + FD_HALF);
		for (unsigned i = 0; i < w->n_out; i++)
			del[i] = 0.0;
		for (long m = lo < 0 ? 0 : lo; m <= hi && m < (long)w->frames; m++) {
			double tap = fd_tap(x - m);
			for (unsigned i = 0; i < w->n_out; i++)
				del[i] += tap * out[(size_t)m * w->n_out + i];
		}
		for (unsigned j = 0; j < w->n_in; j++) {
			double v = w->noise * gauss();
			for (unsigned i = 0; i < w->n_out; i++)
				v += w->g[j][i] * del[i];
			cap[(size_t)t * w->n_in + j] = (float)v;
		}
	}
	free(del);
	return cap;
}

struct rig {
	struct toneplan plan;
	stimulus *stim;
	latency *lat;
	analyzer *an;
	const float *probes[TONEPLAN_MAX_TONES];
	float *out;
	unsigned frames;
};

static void rig_open(struct rig *r, unsigned n_out, unsigned n_in, uint32_t seed)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(toneplan_make(&r->plan, n_out, RATE, toneplan_default_window(RATE)), 0);
	struct stimulus_cfg sc = { .plan = &r->plan, .probe_frames = PROBE, .fade_frames = FADE, .seed = seed };
	r->stim = stimulus_create(&sc);
	struct latency_cfg lc = { .n_outputs = n_out, .n_inputs = n_in, .probe_frames = PROBE,
	                          .max_frames = MAX_LAT };
	r->lat = latency_create(&lc);
	struct analyzer_cfg ac = { .plan = &r->plan, .n_inputs = n_in };
	r->an = analyzer_create(&ac);
	assert_non_null(r->stim);
	assert_non_null(r->lat);
	assert_non_null(r->an);
	for (unsigned i = 0; i < n_out; i++)
		r->probes[i] = stimulus_probe(r->stim, i);
	/* probe, fade, the largest latency, and one window to analyse */
	r->frames = PROBE + FADE + MAX_LAT + r->plan.window + 2 * FD_HALF;
	r->out = malloc(sizeof(float) * r->frames * n_out);
	assert_non_null(r->out);
	stimulus_render(r->stim, r->out, r->frames);
}

static void rig_close(struct rig *r)
{
	stimulus_destroy(r->stim);
	latency_destroy(r->lat);
	analyzer_destroy(r->an);
	free(r->out);
}

/* The whole measurement as a station makes it: coarse latency from the
 * probe, the window read at that latency, then the phase-slope refinement. */
static void measure(struct rig *r, const float *cap, unsigned n_in, struct latency_estimate *est,
                    struct analysis *an, double *latency_frames)
{
	assert_int_equal(latency_probe(r->lat, r->probes, cap, PROBE + MAX_LAT, est), 0);
	assert_true(est->found);
	unsigned c0 = PROBE + FADE + MAX_LAT;
	assert_int_equal(analyzer_run(r->an, cap + (size_t)c0 * n_in, 1, c0 - est->frames, an), 0);
	double delta = 0.0;
	assert_int_equal(latency_refine(&r->plan, an, &delta), 0);
	*latency_frames = est->frames + delta;
	assert_true(fabs(an->stim_pos - (c0 - *latency_frames)) < 1e-9);
}

static void test_probe_identity(void **state)
{
	(void)state;
	const double taus[] = { 64.0, 100.0, 173.3, 255.5, 300.75, 511.9, 0.0, 1000.25 };
	struct rig r;
	rig_open(&r, 4, 4, 11);
	for (unsigned i = 0; i < sizeof(taus) / sizeof(taus[0]); i++) {
		struct world w = { .n_out = 4, .n_in = 4, .frames = r.frames, .tau = taus[i], .noise = 1e-5 };
		for (unsigned j = 0; j < 4; j++)
			w.g[j][j] = 1.0;
		float *cap = play(&w, r.out);
		struct latency_estimate est;
		assert_int_equal(latency_probe(r.lat, r.probes, cap, r.frames, &est), 0);
		assert_true(est.found);
		if (fabs(est.frames - taus[i]) > 0.05)
			fail_msg("delay %.2f read as %.3f", taus[i], est.frames);
		/* four paths of a 4096-frame probe: a statistic near 4 x 4096
		 * against a threshold of ~95 (16 degrees of freedom), 22 dB; a
		 * delay half-way between frames loses 4 dB at the nearest lag */
		if (est.margin_db < 15.0)
			fail_msg("delay %.2f: margin %.1f dB", taus[i], est.margin_db);
		free(cap);
	}
	rig_close(&r);
}

/* Swapped, inverted and weak paths, and an input with nothing on it. */
static void test_probe_swap_invert_weak(void **state)
{
	(void)state;
	struct rig r;
	rig_open(&r, 3, 3, 5);
	struct world w = { .n_out = 3, .n_in = 3, .frames = r.frames, .tau = 333.4, .noise = 1e-5 };
	w.g[0][1] = -1.0;
	w.g[1][0] = 0.01;  /* -40 dB */
	float *cap = play(&w, r.out);
	struct latency_estimate est;
	assert_int_equal(latency_probe(r.lat, r.probes, cap, r.frames, &est), 0);
	assert_true(est.found);
	assert_true(fabs(est.frames - w.tau) < 0.05);
	free(cap);
	rig_close(&r);
}

/* Two loads in series between L and R ("karaoke"): each input hears the
 * difference of the outputs, which cancels a mono signal. Independent
 * probes still show the delay. */
static void test_probe_cancelling(void **state)
{
	(void)state;
	struct rig r;
	rig_open(&r, 2, 2, 21);
	struct world w = { .n_out = 2, .n_in = 2, .frames = r.frames, .tau = 207.6, .noise = 1e-5 };
	w.g[0][0] = 0.5;
	w.g[0][1] = -0.5;
	w.g[1][0] = -0.5;
	w.g[1][1] = 0.5;
	float *cap = play(&w, r.out);
	struct latency_estimate est;
	assert_int_equal(latency_probe(r.lat, r.probes, cap, r.frames, &est), 0);
	assert_true(est.found);
	assert_true(fabs(est.frames - w.tau) < 0.05);
	free(cap);
	rig_close(&r);
}

/* Nothing connected: silence, or noise alone, is never taken for a probe. */
static void test_probe_nothing(void **state)
{
	(void)state;
	const unsigned sizes[][2] = { { 1, 1 }, { 2, 1 }, { 4, 4 }, { 16, 16 } };
	for (unsigned s = 0; s < 4; s++) {
		unsigned n_out = sizes[s][0], n_in = sizes[s][1];
		struct rig r;
		rig_open(&r, n_out, n_in, 100 + s);
		float *cap = calloc((size_t)r.frames * n_in, sizeof(float));
		assert_non_null(cap);
		struct latency_estimate est;
		assert_int_equal(latency_probe(r.lat, r.probes, cap, r.frames, &est), 0);
		assert_false(est.found);
		unsigned trials = s < 2 ? 40 : 5;
		for (unsigned trial = 0; trial < trials; trial++) {
			for (size_t i = 0; i < (size_t)r.frames * n_in; i++)
				cap[i] = (float)(1e-3 * gauss());
			assert_int_equal(latency_probe(r.lat, r.probes, cap, r.frames, &est), 0);
			if (est.found)
				fail_msg("%ux%u: noise alone found at %.1f (margin %.1f dB)", n_out, n_in,
				         est.frames, est.margin_db);
		}
		/* the tones alone, without the probe, are not a probe either */
		struct world w = { .n_out = n_out, .n_in = n_in, .frames = r.frames, .tau = 150.0 };
		for (unsigned j = 0; j < n_in; j++)
			w.g[j][j % n_out] = 1.0;
		float *silent_probe = malloc(sizeof(float) * r.frames * n_out);
		assert_non_null(silent_probe);
		memcpy(silent_probe, r.out, sizeof(float) * r.frames * n_out);
		memset(silent_probe, 0, sizeof(float) * PROBE * n_out);
		float *tones = play(&w, silent_probe);
		assert_int_equal(latency_probe(r.lat, r.probes, tones, r.frames, &est), 0);
		assert_false(est.found);
		free(tones);
		free(silent_probe);
		free(cap);
		rig_close(&r);
	}
}

/* A ±a probe of np frames from output 0, heard on every input with gain g
 * at a whole-frame delay, plus white noise sigma on each input (independent
 * per input unless `same_noise`). */
static float *probe_world(const float *probe, unsigned np, unsigned n_in, unsigned frames, unsigned delay,
                          double g, double sigma, int same_noise)
{
	float *cap = calloc((size_t)frames * n_in, sizeof(float));
	assert_non_null(cap);
	for (unsigned t = 0; t < frames; t++) {
		double shared = sigma * gauss();
		for (unsigned j = 0; j < n_in; j++) {
			double v = same_noise ? shared : sigma * gauss();
			if (t >= delay && t - delay < np)
				v += g * probe[t - delay];
			cap[(size_t)t * n_in + j] = (float)v;
		}
	}
	return cap;
}

/* The decision against what theory says the statistic is: at the true lag
 * a probe of np frames at per-sample SNR rho (probe power over noise
 * power) gives a non-central chi-square of one degree of freedom with
 * lambda = np rho / (1 + rho), mean 1 + lambda, variance 2 + 4 lambda; the
 * threshold for one degree of freedom and ~1e-12 per lag is 50 (exact
 * chi-square), never above 70 (the module's Wilson-Hilferty bound). */
static void test_decision_against_theory(void **state)
{
	(void)state;
	const unsigned np = 1024, maxd = 1024, frames = np + maxd;
	struct toneplan p;
	assert_int_equal(toneplan_make(&p, 1, RATE, 4096), 0);
	stimulus *st = stimulus_create(&(struct stimulus_cfg){ .plan = &p, .probe_frames = np, .seed = 77 });
	latency *l = latency_create(&(struct latency_cfg){ .n_outputs = 1, .n_inputs = 1, .probe_frames = np,
	                                                    .max_frames = maxd });
	assert_non_null(st);
	assert_non_null(l);
	const float *probe = stimulus_probe(st, 0);
	const double a = stimulus_probe_amplitude(st);
	/* lambda 400: far above; lambda 4: far below (a miss or a find has
	 * probability < 1e-9 either way) */
	const double lambdas[] = { 400.0, 4.0 };
	for (unsigned c = 0; c < 2; c++) {
		double rho = lambdas[c] / (np - lambdas[c]);
		double sigma = a / sqrt(rho);
		for (unsigned trial = 0; trial < 10; trial++) {
			unsigned delay = 64 + 97 * trial;
			float *cap = probe_world(probe, np, 1, frames, delay, 1.0, sigma, 0);
			struct latency_estimate est;
			assert_int_equal(latency_probe(l, &probe, cap, frames, &est), 0);
			assert_true(est.decided);
			if (c == 0) {
				if (!est.found || fabs(est.frames - delay) > 0.25)
					fail_msg("lambda %.0f, delay %u: found %d at %.2f", lambdas[c], delay, est.found,
					         est.frames);
				double mean = 1.0 + lambdas[c], sd = sqrt(2.0 + 4.0 * lambdas[c]);
				if (fabs(est.stat - mean) > 5.0 * sd)
					fail_msg("lambda %.0f: statistic %.1f, theory %.1f ± %.1f", lambdas[c], est.stat, mean, sd);
				assert_true(est.margin_db >= 0.0);
				assert_true(est.sigma_frames > 0.0 && est.sigma_frames < 0.1);
			} else if (est.found) {
				fail_msg("lambda %.0f, delay %u: a probe that cannot be heard was found at %.2f", lambdas[c],
				         delay, est.frames);
			}
			free(cap);
		}
	}
	latency_destroy(l);
	stimulus_destroy(st);
}

/* Inputs that carry the same noise (a shorted jig, a differential pair of
 * one signal) add no degree of freedom: summed as if independent, eight
 * copies of one chi-square would cross the threshold of eight degrees of
 * freedom at almost every capture. Whitened, never. */
static void test_correlated_inputs_no_false_alarm(void **state)
{
	(void)state;
	const unsigned n = 8, np = 256, maxd = 1024, frames = np + maxd;
	struct toneplan p;
	assert_int_equal(toneplan_make(&p, n, RATE, 4096), 0);
	stimulus *st = stimulus_create(&(struct stimulus_cfg){ .plan = &p, .probe_frames = np, .seed = 5 });
	latency *l = latency_create(&(struct latency_cfg){ .n_outputs = n, .n_inputs = n, .probe_frames = np,
	                                                    .max_frames = maxd });
	assert_non_null(st);
	assert_non_null(l);
	const float *probes[TONEPLAN_MAX_TONES];
	for (unsigned i = 0; i < n; i++)
		probes[i] = stimulus_probe(st, i);
	for (unsigned trial = 0; trial < 20; trial++) {
		float *cap = probe_world(probes[0], np, n, frames, 0, 0.0, 0.1, 1);
		struct latency_estimate est;
		assert_int_equal(latency_probe(l, probes, cap, frames, &est), 0);
		assert_true(est.decided);
		if (est.found)
			fail_msg("trial %u: eight copies of one noise found as a probe at %.1f (statistic %.1f)", trial,
			         est.frames, est.stat);
		free(cap);
	}
	/* the same copies with the probe in them: found, once */
	float *cap = probe_world(probes[3], np, n, frames, 333, 0.5, 0.01, 1);
	struct latency_estimate est;
	assert_int_equal(latency_probe(l, probes, cap, frames, &est), 0);
	assert_true(est.found);
	assert_true(fabs(est.frames - 333.0) < 0.25);
	free(cap);
	latency_destroy(l);
	stimulus_destroy(st);
}

/* Searched while frames arrive: undecided until the lags just past the
 * probe are in (it might be a precursor of a stronger lag), decided then,
 * long before every lag could be searched, and the same answer as a full
 * search. Without a probe, undecided until every lag is searched. */
static void test_incremental_search(void **state)
{
	(void)state;
	const unsigned np = 512, maxd = 1024, delay = 300, frames = np + maxd;
	struct toneplan p;
	assert_int_equal(toneplan_make(&p, 2, RATE, 4096), 0);
	stimulus *st = stimulus_create(&(struct stimulus_cfg){ .plan = &p, .probe_frames = 4096, .seed = 9 });
	latency *l = latency_create(&(struct latency_cfg){ .n_outputs = 2, .n_inputs = 2, .probe_frames = 4096,
	                                                    .max_frames = maxd });
	assert_non_null(st);
	assert_non_null(l);
	const float *probes[2] = { stimulus_probe(st, 0), stimulus_probe(st, 1) };
	float *cap = probe_world(probes[1], np, 2, frames, delay, 1.0, 1e-3, 0);
	struct latency_estimate est, full;
	assert_int_equal(latency_start(l, probes, np), 0);
	assert_int_equal(latency_search(l, cap, np - 1, &est), 0);
	assert_false(est.decided);
	assert_int_equal(est.searched, 0);
	assert_int_equal(latency_search(l, cap, np + delay - 1, &est), 0);
	assert_false(est.decided);
	/* the peak is in, the lags past it not yet */
	assert_int_equal(latency_search(l, cap, np + delay + 8, &est), 0);
	assert_false(est.decided);
	assert_int_equal(latency_search(l, cap, np + delay + 64, &est), 0);
	assert_true(est.decided);
	assert_true(est.found);
	assert_true(est.searched < maxd + 1);
	assert_true(fabs(est.frames - delay) < 0.1);
	assert_int_equal(latency_start(l, probes, np), 0);
	assert_int_equal(latency_search(l, cap, frames, &full), 0);
	assert_true(full.found);
	assert_true(fabs(full.frames - est.frames) < 1e-9);
	assert_int_equal(full.searched, maxd + 1);

	/* nothing there: pending until the last lag, then decided "not found" */
	float *quiet = probe_world(probes[0], np, 2, frames, 0, 0.0, 1e-3, 0);
	assert_int_equal(latency_start(l, probes, np), 0);
	assert_int_equal(latency_search(l, quiet, frames - 1, &est), 0);
	assert_false(est.decided);
	assert_int_equal(latency_search(l, quiet, frames, &est), 0);
	assert_true(est.decided);
	assert_false(est.found);
	/* a probe longer than the estimator was made for, or too short */
	assert_int_equal(latency_start(l, probes, 4097), -EINVAL);
	assert_int_equal(latency_start(l, probes, 32), -EINVAL);
	free(quiet);
	free(cap);
	latency_destroy(l);
	stimulus_destroy(st);
}

/* Refinement from the tone phases, with the window read at a latency that
 * is off by up to several frames. */
static void test_refine(void **state)
{
	(void)state;
	struct rig r;
	rig_open(&r, 8, 8, 3);
	struct world w = { .n_out = 8, .n_in = 8, .frames = r.frames, .tau = 240.37, .noise = 1e-5 };
	for (unsigned j = 0; j < 8; j++)
		w.g[j][(j + 3) % 8] = (j & 1) ? -pow(10.0, -(double)j / 20.0) : pow(10.0, -(double)j / 20.0);
	float *cap = play(&w, r.out);
	const double errs[] = { 0.0, -0.5, 0.5, 0.31, -2.0, 3.7, -9.5 };
	const unsigned c0 = PROBE + FADE + MAX_LAT;
	for (unsigned e = 0; e < sizeof(errs) / sizeof(errs[0]); e++) {
		struct analysis an;
		assert_int_equal(analyzer_run(r.an, cap + (size_t)c0 * 8, 1, c0 - (w.tau + errs[e]), &an), 0);
		double delta = 0.0;
		assert_int_equal(latency_refine(&r.plan, &an, &delta), 0);
		double got = w.tau + errs[e] + delta;
		if (fabs(got - w.tau) > 0.002)
			fail_msg("coarse off by %.2f: refined to %.4f, true %.4f", errs[e], got, w.tau);
		for (unsigned j = 0; j < 8; j++) {
			unsigned k = (j + 3) % 8;
			double want = w.g[j][k] < 0 ? 180.0 : 0.0;
			if (fabs(wrap_deg(an.h[j][k].phase_deg - want)) > 0.05)
				fail_msg("input %u: phase %.3f, want %.0f", j, an.h[j][k].phase_deg, want);
			assert_true(fabs(an.h[j][k].gain_db - 20.0 * log10(fabs(w.g[j][k]))) < 0.01);
		}
	}
	free(cap);
	rig_close(&r);
}

/* The full chain at random latencies: an inverted channel reads 180
 * degrees and a straight one 0, whatever the round trip; nothing assumes
 * a latency of zero. */
static void test_polarity_random_latency(void **state)
{
	(void)state;
	for (unsigned trial = 0; trial < 8; trial++) {
		struct rig r;
		rig_open(&r, 4, 4, 1000 + trial);
		struct world w = { .n_out = 4, .n_in = 4, .frames = r.frames, .noise = 1e-4 };
		w.tau = 64.0 + 448.0 * uniform();
		unsigned perm[4] = { 0, 1, 2, 3 };
		for (unsigned i = 3; i > 0; i--) {
			unsigned j = (unsigned)(uniform() * (i + 1));
			unsigned t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
		for (unsigned j = 0; j < 4; j++)
			w.g[j][perm[j]] = ((j + trial) & 1) ? -1.0 : 1.0;
		float *cap = play(&w, r.out);
		struct latency_estimate est;
		struct analysis an;
		double lat;
		measure(&r, cap, 4, &est, &an, &lat);
		if (fabs(lat - w.tau) > 0.01)
			fail_msg("latency %.4f, true %.4f (coarse %.3f)", lat, w.tau, est.frames);
		for (unsigned j = 0; j < 4; j++) {
			for (unsigned k = 0; k < 4; k++) {
				const struct tone_result *t = &an.h[j][k];
				if (k != perm[j]) {
					assert_true(t->gain < 1e-3);
					continue;
				}
				double want = w.g[j][k] < 0 ? 180.0 : 0.0;
				if (fabs(wrap_deg(t->phase_deg - want)) > 0.1)
					fail_msg("tau %.2f input %u: phase %.3f, want %.0f", w.tau, j, t->phase_deg, want);
				assert_true(fabs(t->gain_db) < 0.01);
			}
		}
		free(cap);
		rig_close(&r);
	}
}

/* Tones delayed analytically (cos at t - tau) and a capture clock 0 or
 * ±20 ppm off. Drift looks like a delay of ppm * (the window's mean frame):
 * after refinement the latency reads exactly that, the gains are good to
 * 0.01 dB and the phases to 0.05 degree. */
static void test_clock_drift(void **state)
{
	(void)state;
	struct toneplan p;
	assert_int_equal(toneplan_make(&p, 8, RATE, 4096), 0);
	struct analyzer_cfg ac = { .plan = &p, .n_inputs = 2 };
	analyzer *a = analyzer_create(&ac);
	assert_non_null(a);
	const unsigned n = p.window, c0 = 6000;
	const double tau = 187.3;
	float *cap = calloc((size_t)n * 2, sizeof(float));
	assert_non_null(cap);
	for (int ppm_i = -20; ppm_i <= 20; ppm_i += 20) {
		double ppm = ppm_i * 1e-6;
		for (unsigned t = 0; t < n; t++) {
			/* the stimulus frame heard at capture frame c0 + t */
			double u = (c0 + t) * (1.0 + ppm) - tau;
			double v = 0.0;
			for (unsigned k = 0; k < p.n_tones; k++)
				v += p.amplitude[k] * cos(p.phase_rad[k] + 2.0 * M_PI * p.bin[k] * u / n);
			cap[2 * t] = (float)v;
			cap[2 * t + 1] = (float)(-0.5 * v);
		}
		struct analysis an;
		const double coarse = round(tau);
		assert_int_equal(analyzer_run(a, cap, 1, c0 - coarse, &an), 0);
		double delta;
		assert_int_equal(latency_refine(&p, &an, &delta), 0);
		double want = tau - ppm * (c0 + (n - 1) / 2.0);
		if (fabs(coarse + delta - want) > (ppm_i ? 0.005 : 1e-4))
			fail_msg("%+d ppm: latency %.5f, want %.5f", ppm_i, coarse + delta, want);
		for (unsigned k = 0; k < p.n_tones; k++) {
			assert_true(fabs(an.h[0][k].gain_db) < 0.01);
			assert_true(fabs(an.h[1][k].gain_db - 20.0 * log10(0.5)) < 0.01);
			if (fabs(wrap_deg(an.h[0][k].phase_deg)) > 0.05 ||
			    fabs(wrap_deg(an.h[1][k].phase_deg - 180.0)) > 0.05)
				fail_msg("%+d ppm tone %u: phases %.3f %.3f", ppm_i, k, an.h[0][k].phase_deg,
				         an.h[1][k].phase_deg);
		}
	}
	analyzer_destroy(a);
	free(cap);
}

/* The coarse estimate as a prior: one tone, one input, read 0.3 frame
 * off, at 40 dB. The fit minimises snr (phase + w d)^2 + d^2 / (2 s^2):
 * d = 0.3 snr w^2 / (snr w^2 + 1 / (2 s^2)), in closed form; without a
 * prior (s infinite) it is the whole 0.3, as latency_refine gives. */
static void test_refine_prior(void **state)
{
	(void)state;
	struct toneplan p;
	assert_int_equal(toneplan_make(&p, 1, RATE, 256), 0);
	const double w = 2.0 * M_PI * p.bin[0] / p.window, off = 0.3, snr_db = 40.0;
	const double sigmas[] = { 0.03, 0.1, INFINITY };
	for (unsigned c = 0; c < 3; c++) {
		struct analysis an;
		memset(&an, 0, sizeof(an));
		an.n_inputs = an.n_tones = 1;
		an.stim_pos = 1000.0;
		an.h[0][0].re = cos(-w * off);
		an.h[0][0].im = sin(-w * off);
		an.h[0][0].gain = 1.0;
		an.h[0][0].snr_db = snr_db;
		struct analysis plain = an;
		double d, d0;
		assert_int_equal(latency_refine_prior(&p, &an, 0.0, sigmas[c], &d), 0);
		double snr = pow(10.0, snr_db / 10.0);
		double prior = isfinite(sigmas[c]) ? 1.0 / (2.0 * sigmas[c] * sigmas[c]) : 0.0;
		double want = off * snr * w * w / (snr * w * w + prior);
		if (fabs(d - want) > 1e-6)
			fail_msg("prior %.2f: moved %.6f, want %.6f", sigmas[c], d, want);
		if (!isfinite(sigmas[c])) {
			assert_int_equal(latency_refine(&p, &plain, &d0), 0);
			assert_true(fabs(d0 - d) < 1e-12);
			assert_true(fabs(d - off) < 1e-9);
		}
	}
	/* a prior centred where the truth is: wherever its weight, the answer */
	struct analysis an;
	memset(&an, 0, sizeof(an));
	an.n_inputs = an.n_tones = 1;
	an.h[0][0].re = cos(-w * off);
	an.h[0][0].im = sin(-w * off);
	an.h[0][0].gain = 1.0;
	an.h[0][0].snr_db = snr_db;
	double d;
	assert_int_equal(latency_refine_prior(&p, &an, off, 0.001, &d), 0);
	assert_true(fabs(d - off) < 1e-9);
}

static void test_refine_no_data(void **state)
{
	(void)state;
	struct toneplan p;
	assert_int_equal(toneplan_make(&p, 4, RATE, 4096), 0);
	struct analyzer_cfg ac = { .plan = &p, .n_inputs = 2 };
	analyzer *a = analyzer_create(&ac);
	assert_non_null(a);
	float *cap = calloc((size_t)p.window * 2, sizeof(float));
	assert_non_null(cap);
	struct analysis an;
	double delta = 123.0;
	assert_int_equal(analyzer_run(a, cap, 1, 0.0, &an), 0);
	assert_int_equal(latency_refine(&p, &an, &delta), -ENODATA);
	assert_true(delta == 123.0);
	/* only crosstalk-level paths (-50 dB): nothing to trust either */
	for (unsigned t = 0; t < p.window; t++)
		cap[2 * t] = (float)(0.003 * p.amplitude[0] * cos(p.phase_rad[0] + 2.0 * M_PI * p.bin[0] * t / p.window));
	assert_int_equal(analyzer_run(a, cap, 1, 0.0, &an), 0);
	assert_true(an.h[0][0].snr_db > 40.0);
	assert_int_equal(latency_refine(&p, &an, &delta), -ENODATA);

	assert_int_equal(latency_refine(NULL, &an, &delta), -EINVAL);
	assert_int_equal(latency_refine(&p, NULL, &delta), -EINVAL);
	assert_int_equal(latency_refine(&p, &an, NULL), -EINVAL);
	struct toneplan other;
	assert_int_equal(toneplan_make(&other, 5, RATE, 4096), 0);
	assert_int_equal(latency_refine(&other, &an, &delta), -EINVAL);
	analyzer_destroy(a);
	free(cap);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	struct latency_cfg c = { .n_outputs = 2, .n_inputs = 2, .probe_frames = 4096, .max_frames = 512 };
	latency *l = latency_create(&c);
	assert_non_null(l);
	assert_null(latency_create(NULL));
	struct latency_cfg bad = c;
	bad.n_outputs = 0;
	assert_null(latency_create(&bad));
	bad = c;
	bad.n_outputs = TONEPLAN_MAX_TONES + 1;
	assert_null(latency_create(&bad));
	bad = c;
	bad.n_inputs = 0;
	assert_null(latency_create(&bad));
	bad = c;
	bad.n_inputs = ANALYZER_MAX_INPUTS + 1;
	assert_null(latency_create(&bad));
	bad = c;
	bad.probe_frames = 0;
	assert_null(latency_create(&bad));
	bad = c;
	bad.max_frames = 0;
	assert_null(latency_create(&bad));
	bad = c;
	bad.probe_frames = 1u << 30;
	assert_null(latency_create(&bad));

	float *cap = calloc((size_t)(4096 + 512) * 2, sizeof(float));
	float *pr = calloc(4096, sizeof(float));
	assert_non_null(cap);
	assert_non_null(pr);
	const float *probes[2] = { pr, pr };
	const float *half[2] = { pr, NULL };
	struct latency_estimate est;
	assert_int_equal(latency_probe(NULL, probes, cap, 4096 + 512, &est), -EINVAL);
	assert_int_equal(latency_probe(l, NULL, cap, 4096 + 512, &est), -EINVAL);
	assert_int_equal(latency_probe(l, half, cap, 4096 + 512, &est), -EINVAL);
	assert_int_equal(latency_probe(l, probes, NULL, 4096 + 512, &est), -EINVAL);
	assert_int_equal(latency_probe(l, probes, cap, 4096 + 511, &est), -EINVAL);
	assert_int_equal(latency_probe(l, probes, cap, 4096 + 512, NULL), -EINVAL);
	/* silent probes and capture: a valid call that finds nothing */
	assert_int_equal(latency_probe(l, probes, cap, 4096 + 512, &est), 0);
	assert_false(est.found);
	latency_destroy(l);
	latency_destroy(NULL);
	free(cap);
	free(pr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_identity),
		cmocka_unit_test(test_probe_swap_invert_weak),
		cmocka_unit_test(test_probe_cancelling),
		cmocka_unit_test(test_probe_nothing),
		cmocka_unit_test(test_decision_against_theory),
		cmocka_unit_test(test_correlated_inputs_no_false_alarm),
		cmocka_unit_test(test_incremental_search),
		cmocka_unit_test(test_refine),
		cmocka_unit_test(test_polarity_random_latency),
		cmocka_unit_test(test_clock_drift),
		cmocka_unit_test(test_refine_prior),
		cmocka_unit_test(test_refine_no_data),
		cmocka_unit_test(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
