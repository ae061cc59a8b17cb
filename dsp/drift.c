/* drift: reads the clock ratio between playback and capture from the tones' phase progression (or probe against tones), and resamples a capture onto the playback clock. */
#include "drift.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* Paths that vote, as in latency_refine: a tone 20 dB over its noise in
 * the average of all windows, on a real connection (a path 40 dB below a
 * wire is crosstalk, partly capacitive in a real interface). */
#define MIN_SNR_DB 20.0
#define MIN_GAIN 0.01
/* Per-window SNR used as weight is capped: above it float rounding, not
 * noise, limits a phase, and one tone must not silence the rest. */
#define MAX_SNR_DB 120.0
/* A lag step is taken only while the drift known so far, give or take
 * this many sigma, turns the fastest tone by less than a quarter turn over
 * the new lag: then no product can wrap. */
#define STEP_SIGMAS 4.0
#define STEP_MAX_RAD (M_PI / 4.0)
/* A drift is corrected when it stands this many sigma clear of zero... */
#define SIGNIFICANT_SIGMAS 3.0
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

struct resampler {
	double tab[(PHASES + 1) * 2 * HALF];   /* row f: taps for fraction f / PHASES */
};

/* What each usable path contributes: its tone's angular step per frame
 * and its per-window SNR (linear). */
static int usable(const struct analysis *avg, unsigned j, unsigned k, unsigned windows, double *snr_w)
{
	const struct tone_result *r = &avg->h[j][k];
	if (!(r->snr_db >= MIN_SNR_DB) || !(r->gain >= MIN_GAIN))
		return 0;
	*snr_w = pow(10.0, fmin(r->snr_db, MAX_SNR_DB) / 10.0) / windows;
	return 1;
}

/* One lag step: every usable path's product of windows `lag` apart after
 * the rotation of drift eps is taken out. Adds to num and den the weighted
 * estimate of the drift still left (in frames per frame). */
static void lag_step(const struct toneplan *plan, const struct analysis *avg, const double (*win)[2],
                     unsigned windows, unsigned lag, double eps, double *num, double *den)
{
	const unsigned ni = avg->n_inputs, nt = avg->n_tones, n = plan->window;
	for (unsigned j = 0; j < ni; j++) {
		for (unsigned k = 0; k < nt; k++) {
			double snr_w;
			if (!usable(avg, j, k, windows, &snr_w))
				continue;
			double w = 2.0 * M_PI * plan->bin[k] / n;
			double sr = 0.0, si = 0.0;
			for (unsigned t = 0; t + lag < windows; t++) {
				const double *a = win[((size_t)(t + lag) * ni + j) * nt + k];
				const double *b = win[((size_t)t * ni + j) * nt + k];
				sr += a[0] * b[0] + a[1] * b[1];
				si += a[1] * b[0] - a[0] * b[1];
			}
			/* the drift already known turns each product by -w eps n lag */
			double x = w * n * lag;
			double c = cos(x * eps), s = sin(x * eps);
			double rr = sr * c - si * s, ri = sr * s + si * c;
			double phi = atan2(ri, rr);
			/* a product's phase scatters by ~1/sqrt(snr_w) (two windows'
			 * noise), averaged over windows - lag products */
			double wt = x * x * snr_w * (windows - lag);
			*num += wt * (-phi / x);
			*den += wt;
		}
	}
}

int drift_from_windows(const struct toneplan *plan, const struct analysis *avg, const double (*win)[2],
                       unsigned windows, struct drift_estimate *out)
{
	if (!plan || !avg || !win || !out || windows < 2 || !plan->window || avg->n_tones != plan->n_tones ||
	    avg->n_inputs == 0 || avg->n_inputs > ANALYZER_MAX_INPUTS)
		return -EINVAL;
	out->valid = 0;
	out->ppm = out->sigma_ppm = 0.0;
	double w_max = 0.0;
	for (unsigned k = 0; k < plan->n_tones; k++)
		w_max = fmax(w_max, 2.0 * M_PI * plan->bin[k] / plan->window);

	double eps = 0.0, sigma = INFINITY;
	for (unsigned lag = 1; lag < windows; lag *= 2) {
		/* the drift left after the last step must not wrap this one */
		if (isfinite(sigma) && STEP_SIGMAS * sigma * w_max * plan->window * lag > STEP_MAX_RAD)
			break;
		double num = 0.0, den = 0.0;
		lag_step(plan, avg, win, windows, lag, eps, &num, &den);
		if (!(den > 0.0))
			return 0;
		eps += num / den;
		sigma = 1.0 / sqrt(den);
	}
	out->valid = 1;
	out->ppm = eps * 1e6;
	out->sigma_ppm = sigma * 1e6;
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

static double kaiser_sinc(double u)
{
	if (fabs(u) >= HALF)
		return 0.0;
	double s = fabs(u) < 1e-12 ? 2.0 * CUTOFF : sin(2.0 * M_PI * CUTOFF * u) / (M_PI * u);
	double r = u / HALF;
	return s * bessel_i0(BETA * sqrt(1.0 - r * r)) / bessel_i0(BETA);
}

resampler *resampler_create(void)
{
	resampler *r = malloc(sizeof(*r));
	if (!r)
		return NULL;
	/* Row f holds the taps for a position f / PHASES past frame i: tap q
	 * weighs input frame i - HALF + 1 + q, at distance (q - HALF + 1) - f/PHASES. */
	for (unsigned f = 0; f <= PHASES; f++) {
		double frac = (double)f / PHASES, sum = 0.0;
		double *row = r->tab + (size_t)f * 2 * HALF;
		for (int q = 0; q < 2 * HALF; q++) {
			row[q] = kaiser_sinc((q - HALF + 1) - frac);
			sum += row[q];
		}
		/* exact unity at DC: a constant stays a constant */
		for (int q = 0; q < 2 * HALF; q++)
			row[q] /= sum;
	}
	return r;
}

void resampler_destroy(resampler *r)
{
	free(r);
}

unsigned resampler_reach(void)
{
	return HALF;
}

int resampler_run(const resampler *r, const float *in, unsigned in_frames, unsigned channels,
                  double start, double step, float *out, unsigned frames)
{
	if (!r || !in || !out || channels == 0 || channels > ANALYZER_MAX_INPUTS || !isfinite(start) ||
	    !isfinite(step) || step <= 0.0)
		return -EINVAL;
	double acc[ANALYZER_MAX_INPUTS];
	for (unsigned m = 0; m < frames; m++) {
		double pos = start + m * step;
		double fl = floor(pos);
		long i = (long)fl;
		double ph = (pos - fl) * PHASES;
		unsigned f = (unsigned)ph;
		if (f >= PHASES)
			f = PHASES - 1;
		double mu = ph - f;
		const double *r0 = r->tab + (size_t)f * 2 * HALF, *r1 = r0 + 2 * HALF;
		for (unsigned c = 0; c < channels; c++)
			acc[c] = 0.0;
		for (int q = 0; q < 2 * HALF; q++) {
			long t = i - HALF + 1 + q;
			if (t < 0 || t >= (long)in_frames)
				continue;
			double tap = r0[q] + mu * (r1[q] - r0[q]);
			const float *x = in + (size_t)t * channels;
			for (unsigned c = 0; c < channels; c++)
				acc[c] += tap * x[c];
		}
		for (unsigned c = 0; c < channels; c++)
			out[(size_t)m * channels + c] = (float)acc[c];
	}
	return 0;
}
