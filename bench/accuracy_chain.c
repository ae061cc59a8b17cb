/* bench/accuracy_chain: the closed-form world a measurement is made in (probe through a band-limited delay, tones as cosines, a drifting clock, noise), for bench/accuracy. */
#include "accuracy.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Half length of the Hann-windowed sinc that delays the probe by a
 * fractional number of frames: its error is ~1e-4 up to 0.4 of the rate,
 * far below the noise of every SNR the bench uses. */
#define FD_HALF 24
/* Gaussians drawn once: 2^22 of them, read from a random place for every
 * capture (the same sample recurs only after 4 M frames x inputs). */
#define BANK_BITS 22

static uint64_t rng = ACCURACY_SEED;
static float *bank;

void rng_seed(uint64_t seed)
{
	rng = seed ? seed : ACCURACY_SEED;
}

double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((rng >> 11) + 0.5) / 9007199254740992.0;
}

double gauss(void)
{
	return sqrt(-2.0 * log(uniform())) * cos(2.0 * M_PI * uniform());
}

int bank_init(void)
{
	if (bank)
		return 0;
	bank = malloc(sizeof(float) << BANK_BITS);
	if (!bank)
		return -ENOMEM;
	for (size_t i = 0; i < (1u << BANK_BITS); i++)
		bank[i] = (float)gauss();
	return 0;
}

float bank_gauss(uint64_t i)
{
	return bank[i & ((1u << BANK_BITS) - 1)];
}

double sigma_for(const struct station *s, double snr_db)
{
	/* a tone of peak a has power a^2 / 2; white noise of rms sigma spreads
	 * sigma^2 over rate / 2, so B_ref holds sigma^2 2 B_ref / rate of it */
	double a = INFINITY;
	for (unsigned k = 0; k < s->fx.n_outputs; k++)
		a = fmin(a, s->strongest[k] * s->amplitude);
	return a / 2.0 * sqrt(RATE / REF_BANDWIDTH_HZ) * pow(10.0, -snr_db / 20.0);
}

double h_noise(const struct station *s, double sigma)
{
	/* a bin of N frames holds a tone of peak a as a N / 2 and white noise
	 * as sigma sqrt(N): on H, 2 sigma / (a sqrt(N)), N = rate / B_ref */
	return 2.0 * sigma / (s->amplitude * sqrt(RATE / REF_BANDWIDTH_HZ));
}

static double fd_tap(double u)
{
	if (fabs(u) >= FD_HALF)
		return 0.0;
	double s = fabs(u) < 1e-12 ? 1.0 : sin(M_PI * u) / (M_PI * u);
	return s * (0.5 + 0.5 * cos(M_PI * u / FD_HALF));
}

double *world_played(measure *m, const struct world *w, unsigned frames)
{
	const struct toneplan *p = measure_plan(m);
	const struct measure_timeline *tl = measure_timeline(m);
	const unsigned no = w->n_out, np = tl->probe, fade = tl->fade;
	double *out = calloc((size_t)frames * no, sizeof(double));
	float *stim = malloc(sizeof(float) * (size_t)np * no);
	if (!out || !stim) {
		free(out);
		free(stim);
		return NULL;
	}
	measure_render(m, stim, np);
	for (unsigned t = 0; t < frames; t++) {
		double u = t * (1.0 - w->ppm * 1e-6) - w->tau;
		double *o = out + (size_t)t * no;
		long lo = (long)ceil(u - FD_HALF), hi = (long)floor(u + FD_HALF);
		for (long k = lo < 0 ? 0 : lo; k <= hi && k < (long)np; k++) {
			double tap = fd_tap(u - k);
			for (unsigned c = 0; c < no; c++)
				o[c] += tap * stim[(size_t)k * no + c];
		}
		if (u >= np) {
			double g = u < np + fade ? 0.5 - 0.5 * cos(M_PI * (u - np) / fade) : 1.0;
			for (unsigned c = 0; c < no; c++)
				o[c] += g * p->amplitude[c] * cos(p->phase_rad[c] + 2.0 * M_PI * p->bin[c] * u / p->window);
		}
	}
	free(stim);
	return out;
}

float *world_capture(const struct world *w, const double *played, unsigned frames)
{
	const unsigned no = w->n_out, ni = w->n_in;
	float *cap = malloc(sizeof(float) * (size_t)frames * ni);
	if (!cap)
		return NULL;
	uint64_t z = w->noise_at;
	for (unsigned t = 0; t < frames; t++) {
		const double *x = played + (size_t)t * no;
		for (unsigned i = 0; i < ni; i++) {
			double v = w->sigma * bank_gauss(z++);
			for (unsigned o = 0; o < no; o++)
				v += w->g[i * no + o] * x[o];
			cap[(size_t)t * ni + i] = (float)v;
		}
	}
	return cap;
}

#define PUMP_PERIOD 256u

/* The stimulus through the world's delay (and clock): input-side frame t
 * hears stimulus frame t (1 - ppm 1e-6) - tau, band-limited. */
static void delay_stimulus(const struct world *w, const float *stim, double *out, unsigned frames)
{
	const unsigned no = w->n_out;
	memset(out, 0, sizeof(double) * (size_t)frames * no);
	for (unsigned t = 0; t < frames; t++) {
		double u = t * (1.0 - w->ppm * 1e-6) - w->tau, *o = out + (size_t)t * no;
		long lo = (long)ceil(u - FD_HALF), hi = (long)floor(u + FD_HALF);
		for (long k = lo < 0 ? 0 : lo; k <= hi && k < (long)frames; k++) {
			double tap = fd_tap(u - k);
			for (unsigned c = 0; c < no; c++)
				o[c] += tap * stim[(size_t)k * no + c];
		}
	}
}

static int pump_world_run(void *self, duplex_render_fn render, void *render_ctx, duplex_capture_fn sink,
                          void *sink_ctx, uint64_t max_frames, unsigned *xruns)
{
	struct world_pump *wp = self;
	const struct world *w = &wp->w;
	const struct measure_timeline *tl = measure_timeline(wp->m);
	const unsigned no = w->n_out, ni = w->n_in, frames = (unsigned)max_frames;

	if (!wp->delayed || tl->probe != wp->probe || tl->fade != wp->fade || frames > wp->frames) {
		free(wp->stim);
		free(wp->delayed);
		free(wp->cap);
		wp->stim = malloc(sizeof(float) * (size_t)frames * no);
		wp->delayed = malloc(sizeof(double) * (size_t)frames * no);
		wp->cap = malloc(sizeof(float) * PUMP_PERIOD * ni);
		if (!wp->stim || !wp->delayed || !wp->cap) {
			world_pump_free(wp);
			return -ENOMEM;
		}
		render(render_ctx, wp->stim, frames);
		delay_stimulus(w, wp->stim, wp->delayed, frames);
		wp->frames = frames;
		wp->probe = tl->probe;
		wp->fade = tl->fade;
	}
	uint64_t z = w->noise_at;
	for (unsigned t0 = 0; t0 < frames; t0 += PUMP_PERIOD) {
		unsigned n = frames - t0 < PUMP_PERIOD ? frames - t0 : PUMP_PERIOD;
		for (unsigned t = 0; t < n; t++) {
			const double *x = wp->delayed + (size_t)(t0 + t) * no;
			for (unsigned i = 0; i < ni; i++) {
				double v = w->sigma * bank_gauss(z++);
				for (unsigned o = 0; o < no; o++)
					v += w->g[i * no + o] * x[o];
				wp->cap[(size_t)t * ni + i] = (float)v;
			}
		}
		if (sink(sink_ctx, wp->cap, n))
			break;
	}
	(void)xruns;   /* the world never runs late */
	return 0;
}

struct pump world_pump(struct world_pump *wp)
{
	return (struct pump){ .run = pump_world_run, .self = wp };
}

void world_pump_free(struct world_pump *wp)
{
	free(wp->stim);
	free(wp->delayed);
	free(wp->cap);
	wp->stim = NULL;
	wp->delayed = NULL;
	wp->cap = NULL;
}

static double wrap_deg(double d)
{
	return d - 360.0 * round(d / 360.0);
}

/* One measurement of world w on m. */
static int measure_world(measure *m, const struct world *w, struct measurement *me)
{
	measure_begin(m);
	unsigned frames = measure_timeline(m)->capture_max;
	double *played = world_played(m, w, frames);
	float *cap = played ? world_capture(w, played, frames) : NULL;
	int e = cap ? measure_analyze(m, cap, frames, me) : -ENOMEM;
	free(played);
	free(cap);
	return e;
}

int chain_run(const struct station *s, const struct measure_cfg *cfg, double snr_db, struct chain_stats *st)
{
	char err[MEASURE_ERR_MAX];
	measure *m = measure_create(cfg, err);
	if (!m)
		return -EINVAL;
	const unsigned no = s->fx.n_outputs, ni = s->fx.n_inputs;
	struct world w = { .n_out = no, .n_in = ni, .g = s->eg, .sigma = sigma_for(s, snr_db) };
	struct measurement me;
	memset(st, 0, sizeof(*st));
	for (unsigned t = 0; t < 2 + CHAIN_TRIALS; t++) {
		/* round trips like a USB interface's (docs/formats.md: 64..512 frames),
		 * with a fractional part so the refinement has something to find */
		w.tau = 64.0 + 448.0 * uniform();
		w.noise_at = (uint64_t)(uniform() * 4e9);
		int e = measure_world(m, &w, &me);
		if (t < 2)
			continue;   /* the bench as the plan learns it */
		st->trials++;
		const struct measure_timeline *tl = measure_timeline(m);
		st->snr[st->n_plan] = me.snr_db;
		st->probe[st->n_plan] = me.probe;
		st->windows[st->n_plan] = me.windows;
		st->plan_ms[st->n_plan++] = (me.probe + tl->fade + tl->settle + (double)me.windows * tl->window) * 1e3 / RATE;
		if (e < 0 || !me.coarse.found || fabs(me.latency_frames - w.tau) > 0.5) {
			st->missed++;
			st->undecided += e == 0 && me.undecided;
			continue;
		}
		double le = me.latency_frames - w.tau;
		st->lat_sq += le * le;
		st->lat_max = fmax(st->lat_max, fabs(le));
		st->n_lat++;
		for (unsigned i = 0; i < ni; i++)
			for (unsigned k = 0; k < no; k++) {
				double g = s->eg[i * no + k];
				/* the paths a cable is built for; the rest is leakage */
				if (fabs(g) < 0.5 * s->strongest[k])
					continue;
				const struct tone_result *r = &me.an.h[i][k];
				double lv = r->gain_db - 20.0 * log10(fabs(g));
				double ph = wrap_deg(r->phase_deg - (g < 0 ? 180.0 : 0.0));
				st->level_sq += lv * lv;
				st->level_max = fmax(st->level_max, fabs(lv));
				st->phase_sq += ph * ph;
				st->phase_max = fmax(st->phase_max, fabs(ph));
				st->n_paths++;
			}
	}
	measure_destroy(m);
	return 0;
}

int drift_run(const struct station *s, const struct measure_cfg *cfg, const double *ppm, unsigned n,
              struct drift_stats *out)
{
	char err[MEASURE_ERR_MAX];
	measure *m = measure_create(cfg, err);
	if (!m)
		return -EINVAL;
	const unsigned no = s->fx.n_outputs, ni = s->fx.n_inputs;
	struct world w = { .n_out = no, .n_in = ni, .g = s->eg, .tau = 233.37, .sigma = sigma_for(s, 80.0),
	                   .noise_at = 12345 };
	struct measurement ref, me;
	memset(out, 0, sizeof(*out) * n);
	/* one clock, after a measurement that lets the plan settle: every
	 * reading below plays the same probe and windows */
	int e = measure_world(m, &w, &ref);
	if (e == 0)
		e = measure_world(m, &w, &ref);
	for (unsigned q = 0; e == 0 && q < n; q++) {
		w.ppm = ppm[q];
		if (measure_world(m, &w, &me) < 0 || !me.coarse.found)
			continue;
		out[q].ppm_read = me.drift.ppm;
		out[q].windows = me.windows;
		for (unsigned i = 0; i < ni; i++)
			for (unsigned k = 0; k < no; k++) {
				if (fabs(s->eg[i * no + k]) < 0.5 * s->strongest[k])
					continue;
				const struct tone_result *a = &me.an.h[i][k], *b = &ref.an.h[i][k];
				out[q].level_db = fmax(out[q].level_db, fabs(a->gain_db - b->gain_db));
				out[q].phase_deg = fmax(out[q].phase_deg, fabs(wrap_deg(a->phase_deg - b->phase_deg)));
			}
	}
	measure_destroy(m);
	return e;
}
