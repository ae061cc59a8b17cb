/* drift: reads the clock ratio between playback and capture from the tones' phase progression across windows (or probe against tones), and resamples a capture onto the playback clock. */
#include "drift.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* Paths that vote, as in latency_refine: a tone 20 dB over its noise over
 * all windows, on a real connection (a path 40 dB below a wire is
 * crosstalk, partly capacitive in a real interface). */
#define MIN_SNR_DB 20.0
#define MIN_GAIN 0.01
/* The SNR used as weight is capped: above it float rounding, not noise,
 * limits a phase, and one tone must not silence the rest. */
#define MAX_SNR_DB 120.0
/* The drift is searched over ±1500 ppm (the simulator plays up to 1000;
 * crystals are specified to ±100), on a grid a quarter of the likelihood's
 * main lobe wide, then refined by golden section within one grid step. */
#define RANGE 1500e-6
#define GRID_PER_LOBE 4.0
#define GOLDEN_STEPS 40
/* A drift is corrected when it stands this many sigma clear of zero (5:
 * below a few dB per window the estimate's own sigma is good to a few
 * tens of percent, and a correction that is not needed costs more than
 * one that is left out)... */
#define SIGNIFICANT_SIGMAS 5.0
/* ...and turns the fastest tone by more than this over the analysed
 * frames: its level then drops by 0.36 walk^2 dB (0.001 dB here) — below that,
 * correcting costs CPU and changes nothing. */
#define SIGNIFICANT_WALK_RAD 0.05

/* Interpolator: Kaiser-windowed sinc of ±HALF taps, cut off at CUTOFF of
 * the rate, beta BETA: flat to 1.3e-4 dB and 1.5e-4 degrees up to 0.23 of
 * the rate at every fraction (the highest tone sits at 0.225). PHASES
 * table rows per frame, linearly interpolated: the table's own error is
 * ~(1/PHASES)^2, 4e-6. */
#define HALF 16
#define CUTOFF 0.46
#define BETA 10.0
#define PHASES 512
#define MAX_HALF 64

struct resampler {
	unsigned half;
	double *tab;   /* (PHASES + 1) rows of 2 half taps: row f for fraction f / PHASES */
};

/* A path that votes: its tone's step, its noise variance per window (in
 * units of H) and where its windows are. */
struct path {
	double w;                 /* radians per frame */
	double inv_var;           /* 1 / noise variance of one window's H */
	double snr;               /* per window, linear */
	unsigned j, k;
};

/* Whether path (j, k) votes: from the windows' own magnitudes, since a
 * drift that turns a tone across the windows leaves their average weaker
 * than any one of them; the noise of one window is the average's times
 * the number of windows. */
static int usable(const struct toneplan *plan, const struct analysis *avg, const double (*win)[2],
                  unsigned windows, unsigned j, unsigned k, struct path *out)
{
	const unsigned ni = avg->n_inputs, nt = avg->n_tones;
	const struct tone_result *r = &avg->h[j][k];
	double p = 0.0;
	for (unsigned t = 0; t < windows; t++) {
		const double *h = win[((size_t)t * ni + j) * nt + k];
		p += h[0] * h[0] + h[1] * h[1];
	}
	p /= windows;
	double noise = pow(10.0, r->noise_dbfs / 20.0) / plan->amplitude[k];
	double var_w = noise * noise * windows;
	if (!(var_w > 0.0) || !(p >= MIN_GAIN * MIN_GAIN))
		return 0;
	double snr = fmax(p / var_w - 1.0, 0.0);   /* |H|^2 = |G|^2 + noise */
	if (!(10.0 * log10(snr * windows) >= MIN_SNR_DB))
		return 0;
	snr = fmin(snr, pow(10.0, MAX_SNR_DB / 10.0));
	out->w = 2.0 * M_PI * plan->bin[k] / plan->window;
	out->inv_var = snr / p;   /* = 1 / var_w, capped with the SNR */
	out->snr = snr;
	out->j = j;
	out->k = k;
	return 1;
}

/* The log-likelihood of drift eps, up to constants: every path's windows
 * turned back by the phase eps gives them, summed coherently. */
static double likelihood(const struct path *ps, unsigned np, const double (*win)[2], unsigned ni, unsigned nt,
                         unsigned windows, unsigned n, double eps)
{
	double mid = (windows - 1) / 2.0, total = 0.0;
	for (unsigned q = 0; q < np; q++) {
		double x = ps[q].w * eps * n;          /* the turn per window */
		double c0 = cos(-x * mid), s0 = sin(-x * mid), cr = cos(x), sr = sin(x);
		double ar = 0.0, ai = 0.0;
		for (unsigned t = 0; t < windows; t++) {
			const double *h = win[((size_t)t * ni + ps[q].j) * nt + ps[q].k];
			ar += h[0] * c0 - h[1] * s0;
			ai += h[0] * s0 + h[1] * c0;
			double c1 = c0 * cr - s0 * sr;
			s0 = s0 * cr + c0 * sr;
			c0 = c1;
		}
		total += ps[q].inv_var * (ar * ar + ai * ai);
	}
	return total;
}

int drift_from_windows(const struct toneplan *plan, const struct analysis *avg, const double (*win)[2],
                       unsigned windows, struct drift_estimate *out)
{
	if (!plan || !avg || !win || !out || windows < 2 || !plan->window || avg->n_tones != plan->n_tones ||
	    avg->n_inputs == 0 || avg->n_inputs > ANALYZER_MAX_INPUTS)
		return -EINVAL;
	const unsigned ni = avg->n_inputs, nt = avg->n_tones, n = plan->window;
	struct path ps[ANALYZER_MAX_INPUTS * TONEPLAN_MAX_TONES];
	unsigned np = 0;
	double w_max = 0.0;
	out->valid = 0;
	out->ppm = out->sigma_ppm = 0.0;
	for (unsigned j = 0; j < ni; j++)
		for (unsigned k = 0; k < nt; k++)
			if (usable(plan, avg, win, windows, j, k, &ps[np])) {
				w_max = fmax(w_max, ps[np].w);
				np++;
			}
	if (!np)
		return 0;
	/* A complex tone over the windows is a frequency to estimate: its
	 * likelihood's main lobe is 2 pi / (w n windows) wide in eps. Search
	 * the range on a grid finer than that, then refine the best point. */
	double step = 2.0 * M_PI / (w_max * n * windows) / GRID_PER_LOBE;
	long half = (long)ceil(RANGE / step);
	double best = 0.0, best_l = -1.0;
	for (long g = -half; g <= half; g++) {
		double l = likelihood(ps, np, win, ni, nt, windows, n, g * step);
		if (l > best_l) {
			best_l = l;
			best = g * step;
		}
	}
	double a = best - step, b = best + step;
	const double gr = 0.5 * (sqrt(5.0) - 1.0);
	double x1 = b - gr * (b - a), x2 = a + gr * (b - a);
	double f1 = likelihood(ps, np, win, ni, nt, windows, n, x1), f2 = likelihood(ps, np, win, ni, nt, windows, n, x2);
	for (int it = 0; it < GOLDEN_STEPS; it++) {
		if (f1 < f2) {
			a = x1;
			x1 = x2;
			f1 = f2;
			x2 = a + gr * (b - a);
			f2 = likelihood(ps, np, win, ni, nt, windows, n, x2);
		} else {
			b = x2;
			x2 = x1;
			f2 = f1;
			x1 = b - gr * (b - a);
			f1 = likelihood(ps, np, win, ni, nt, windows, n, x1);
		}
	}
	/* Fisher information of eps: each window's phase scatters by
	 * 1 / sqrt(2 snr) (plus the noise-times-noise part at low SNR, which
	 * the effective SNR snr^2 / (snr + 1/2) keeps in), at a lever of
	 * w n (t - mid). */
	double info = 0.0, mid = (windows - 1) / 2.0;
	for (unsigned q = 0; q < np; q++) {
		double se = ps[q].snr * ps[q].snr / (ps[q].snr + 0.5);
		for (unsigned t = 0; t < windows; t++) {
			double lever = ps[q].w * n * (t - mid);
			info += 2.0 * se * lever * lever;
		}
	}
	out->valid = 1;
	out->ppm = 0.5 * (a + b) * 1e6;
	out->sigma_ppm = 1e6 / sqrt(info);
	return 0;
}

void drift_from_two(double lat_a, double sigma_a, double at_a, double lat_b, double sigma_b, double at_b,
                    struct drift_estimate *out)
{
	double span = at_b - at_a;
	out->valid = isfinite(lat_a) && isfinite(lat_b) && fabs(span) >= 1.0;
	out->ppm = out->valid ? (lat_b - lat_a) / span * 1e6 : 0.0;
	out->sigma_ppm = out->valid ? hypot(sigma_a, sigma_b) / fabs(span) * 1e6 : 0.0;
}

int drift_significant(const struct drift_estimate *d, const struct toneplan *plan, unsigned span)
{
	if (!d || !plan || !d->valid || !plan->window)
		return 0;
	double w_max = 0.0;
	for (unsigned k = 0; k < plan->n_tones; k++)
		w_max = fmax(w_max, 2.0 * M_PI * plan->bin[k] / plan->window);
	return fabs(d->ppm) > SIGNIFICANT_SIGMAS * d->sigma_ppm &&
	       w_max * fabs(d->ppm) * 1e-6 * span > SIGNIFICANT_WALK_RAD;
}

/* Zeroth-order modified Bessel function of the first kind, by its series. */
static double bessel_i0(double x)
{
	double s = 1.0, t = 1.0;
	for (int k = 1; k < 100 && t > 1e-17 * s; k++) {
		t *= (x / (2.0 * k)) * (x / (2.0 * k));
		s += t;
	}
	return s;
}

static double kaiser_sinc(double u, unsigned half, double beta, double cutoff)
{
	if (fabs(u) >= half)
		return 0.0;
	double s = fabs(u) < 1e-12 ? 2.0 * cutoff : sin(2.0 * M_PI * cutoff * u) / (M_PI * u);
	double r = u / half;
	return s * bessel_i0(beta * sqrt(1.0 - r * r)) / bessel_i0(beta);
}

resampler *resampler_create_kaiser(unsigned half, double beta, double cutoff)
{
	if (half == 0 || half > MAX_HALF || !(beta >= 0.0 && beta <= 20.0) || !(cutoff > 0.0 && cutoff <= 0.5))
		return NULL;
	resampler *r = malloc(sizeof(*r));
	if (!r)
		return NULL;
	r->half = half;
	r->tab = malloc(sizeof(double) * (PHASES + 1) * 2 * half);
	if (!r->tab) {
		free(r);
		return NULL;
	}
	/* Row f holds the taps for a position f / PHASES past frame i: tap q
	 * weighs input frame i - half + 1 + q, at distance (q - half + 1) - f/PHASES. */
	for (unsigned f = 0; f <= PHASES; f++) {
		double frac = (double)f / PHASES, sum = 0.0;
		double *row = r->tab + (size_t)f * 2 * half;
		for (int q = 0; q < 2 * (int)half; q++) {
			row[q] = kaiser_sinc((q - (int)half + 1) - frac, half, beta, cutoff);
			sum += row[q];
		}
		/* exact unity at DC: a constant stays a constant */
		for (unsigned q = 0; q < 2 * half; q++)
			row[q] /= sum;
	}
	return r;
}

resampler *resampler_create(void)
{
	return resampler_create_kaiser(HALF, BETA, CUTOFF);
}

void resampler_destroy(resampler *r)
{
	if (!r)
		return;
	free(r->tab);
	free(r);
}

unsigned resampler_reach(void)
{
	return HALF;
}

unsigned resampler_half(const resampler *r)
{
	return r ? r->half : 0;
}

void resampler_taps(const resampler *r, double frac, double *taps)
{
	double ph = frac * PHASES;
	unsigned f = ph <= 0.0 ? 0 : ph >= PHASES ? PHASES - 1 : (unsigned)ph;
	double mu = ph - f;
	const double *r0 = r->tab + (size_t)f * 2 * r->half, *r1 = r0 + 2 * r->half;
	for (unsigned q = 0; q < 2 * r->half; q++)
		taps[q] = r0[q] + mu * (r1[q] - r0[q]);
}

int resampler_run(const resampler *r, const float *in, unsigned in_frames, unsigned channels,
                  double start, double step, float *out, unsigned frames)
{
	if (!r || !in || !out || channels == 0 || channels > ANALYZER_MAX_INPUTS || !isfinite(start) ||
	    !isfinite(step) || step <= 0.0)
		return -EINVAL;
	const int half = (int)r->half;
	double acc[ANALYZER_MAX_INPUTS], taps[2 * MAX_HALF];
	for (unsigned m = 0; m < frames; m++) {
		double pos = start + m * step;
		double fl = floor(pos);
		long i = (long)fl;
		resampler_taps(r, pos - fl, taps);
		for (unsigned c = 0; c < channels; c++)
			acc[c] = 0.0;
		for (int q = 0; q < 2 * half; q++) {
			long t = i - half + 1 + q;
			if (t < 0 || t >= (long)in_frames)
				continue;
			const float *x = in + (size_t)t * channels;
			for (unsigned c = 0; c < channels; c++)
				acc[c] += taps[q] * x[c];
		}
		for (unsigned c = 0; c < channels; c++)
			out[(size_t)m * channels + c] = (float)acc[c];
	}
	return 0;
}
