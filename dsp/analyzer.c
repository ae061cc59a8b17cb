/* analyzer: FFT of each input, complex amplitude of every tone, noise floor, SNR and clipping. */
#include "analyzer.h"

#include <errno.h>
#include <fftw3.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* 0.999 rather than 1.0: converters saturate a code or two below full
 * scale, and a float capture converted from integers never reaches 1.0. */
#define DEFAULT_CLIP_LEVEL 0.999

/* Noise near a tone is read from the bins within ±16 of it: wide enough
 * for ~25 usable bins (a power estimate good to about ±1 dB), narrow
 * enough (±190 Hz at 48 kHz/4096) to follow a floor that rises towards
 * low frequencies (1/f noise, hum skirts). */
#define NOISE_HALF_SPAN 16

/* Bins left out of every noise estimate: a tone bin and its neighbours,
 * because a ±20 ppm clock error or a drifting DAC spreads a line over
 * ±1 bin; the same for its 2nd and 3rd harmonics. */
#define EXCLUDE_HALF_SPAN 1

/* A floor for dB values of exact zeros (log of 0), as the header promises. */
#define DB_FLOOR -400.0

struct analyzer {
	struct toneplan plan;
	unsigned n_in, n, nb;           /* inputs, window, bins (n/2 + 1) */
	double clip;
	double *in;                     /* n samples, fftw_malloc */
	fftw_complex *out;              /* nb bins, fftw_malloc */
	fftw_plan fwd;
	double *acc_re, *acc_im, *acc_pow;  /* per-bin sums over windows, one input at a time */
	unsigned char *excluded;        /* nb flags: not noise */
	unsigned n_noise_bins;          /* bins left for the per-input noise */
};

static int plan_ok(const struct toneplan *p)
{
	if (!p || p->n_tones == 0 || p->n_tones > TONEPLAN_MAX_TONES || p->window < 4 ||
	    (p->window & (p->window - 1)))
		return 0;
	for (unsigned k = 0; k < p->n_tones; k++) {
		if (p->bin[k] == 0 || p->bin[k] >= p->window / 2 || !(p->amplitude[k] > 0.0) ||
		    !isfinite(p->amplitude[k]) || !isfinite(p->phase_rad[k]))
			return 0;
	}
	return 1;
}

static double db20(double x)
{
	return x > 0.0 ? fmax(DB_FLOOR, 20.0 * log10(x)) : DB_FLOOR;
}

/* 2*pi*bin*pos/n reduced modulo 2*pi without losing the fraction of pos:
 * the integer part is reduced exactly, so positions of billions of frames
 * keep full phase precision. */
static double bin_phase(unsigned bin, unsigned n, double pos)
{
	double ip = floor(pos);
	double frac = pos - ip;
	int64_t i = (int64_t)ip % (int64_t)n;
	if (i < 0)
		i += n;
	int64_t m = ((int64_t)bin * i) % (int64_t)n;
	return 2.0 * M_PI * ((double)m + bin * frac) / n;
}

static void mark(unsigned char *excluded, unsigned nb, long n, long centre)
{
	/* harmonics above Nyquist appear mirrored */
	centre %= n;
	if (centre > n / 2)
		centre = n - centre;
	for (long b = centre - EXCLUDE_HALF_SPAN; b <= centre + EXCLUDE_HALF_SPAN; b++) {
		if (b >= 0 && b < (long)nb)
			excluded[b] = 1;
	}
}

/* H of tone k from the bin (xr, xi) of a spectrum, referenced to stim_pos. */
static void tone_h(const analyzer *a, unsigned k, double xr, double xi, double stim_pos, double *hr,
                   double *hi)
{
	const struct toneplan *p = &a->plan;
	/* A cos(w t + phi) puts (n/2) A e^{i phi} into its bin (FFTW's forward
	 * sign is e^{-i...}); divide out what the stimulus played there. */
	double ref = p->phase_rad[k] + bin_phase(p->bin[k], a->n, stim_pos);
	double cr = cos(ref), ci = sin(ref);
	double norm = 0.5 * a->n * p->amplitude[k];
	double sr = xr / norm, si = xi / norm;
	*hr = sr * cr + si * ci;
	*hi = si * cr - sr * ci;
}

analyzer *analyzer_create(const struct analyzer_cfg *cfg)
{
	if (!cfg || !plan_ok(cfg->plan) || cfg->n_inputs == 0 || cfg->n_inputs > ANALYZER_MAX_INPUTS ||
	    cfg->clip_level < 0.0 || !isfinite(cfg->clip_level))
		return NULL;
	analyzer *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->plan = *cfg->plan;
	a->n_in = cfg->n_inputs;
	a->n = a->plan.window;
	a->nb = a->n / 2 + 1;
	a->clip = cfg->clip_level > 0.0 ? cfg->clip_level : DEFAULT_CLIP_LEVEL;
	a->in = fftw_malloc(sizeof(double) * a->n);
	a->out = fftw_malloc(sizeof(fftw_complex) * a->nb);
	a->acc_re = calloc(a->nb, sizeof(double));
	a->acc_im = calloc(a->nb, sizeof(double));
	a->acc_pow = calloc(a->nb, sizeof(double));
	a->excluded = calloc(a->nb, 1);
	if (!a->in || !a->out || !a->acc_re || !a->acc_im || !a->acc_pow || !a->excluded)
		goto fail;
	/* FFTW_ESTIMATE: planning costs microseconds and the result does not
	 * depend on timing, so two runs give bit-identical numbers; a 4096-point
	 * r2c is already far below the per-test budget. FFTW's planner is not
	 * thread-safe: create analyzers from one thread (start-up). */
	a->fwd = fftw_plan_dft_r2c_1d((int)a->n, a->in, a->out, FFTW_ESTIMATE);
	if (!a->fwd)
		goto fail;

	/* DC (offsets, not noise) and Nyquist (a real-only bin) are never noise */
	a->excluded[0] = 1;
	a->excluded[a->nb - 1] = 1;
	for (unsigned k = 0; k < a->plan.n_tones; k++) {
		for (long m = 1; m <= 3; m++)
			mark(a->excluded, a->nb, a->n, m * (long)a->plan.bin[k]);
	}
	for (unsigned b = 0; b < a->nb; b++)
		a->n_noise_bins += !a->excluded[b];
	return a;
fail:
	analyzer_destroy(a);
	return NULL;
}

void analyzer_destroy(analyzer *a)
{
	if (!a)
		return;
	if (a->fwd)
		fftw_destroy_plan(a->fwd);
	fftw_free(a->in);
	fftw_free(a->out);
	free(a->acc_re);
	free(a->acc_im);
	free(a->acc_pow);
	free(a->excluded);
	free(a);
}

/* Turn the accumulated spectrum of one input into its row of results. */
static void finish_input(const analyzer *a, unsigned j, unsigned windows, double stim_pos,
                         struct analysis *out)
{
	const struct toneplan *p = &a->plan;
	const double inv_w = 1.0 / windows;
	const double half = 0.5 * a->n;

	/* Everything left is noise; white noise of variance s2 puts n*s2 into
	 * every bin, so the mean over the bins actually used estimates s2 as if
	 * the excluded bins held noise too. */
	double pw = 0.0;
	for (unsigned b = 0; b < a->nb; b++) {
		if (!a->excluded[b])
			pw += a->acc_pow[b];
	}
	double s2 = a->n_noise_bins ? pw * inv_w / a->n_noise_bins / a->n : 0.0;
	out->noise_dbfs[j] = s2 > 0.0 ? fmax(DB_FLOOR, 10.0 * log10(s2)) : DB_FLOOR;

	for (unsigned k = 0; k < p->n_tones; k++) {
		struct tone_result *r = &out->h[j][k];
		unsigned b = p->bin[k];
		double xr = a->acc_re[b] * inv_w, xi = a->acc_im[b] * inv_w;

		tone_h(a, k, xr, xi, stim_pos, &r->re, &r->im);
		r->gain = hypot(r->re, r->im);
		r->gain_db = db20(r->gain);
		r->phase_deg = atan2(r->im, r->re) * (180.0 / M_PI);
		if (r->phase_deg <= -180.0)
			r->phase_deg += 360.0;
		r->level_dbfs = db20(hypot(xr, xi) / half);

		/* Noise of the averaged spectrum, which H comes from, so the SNR is
		 * that of H and grows with the number of windows. One window: the
		 * power of the bins nearby. Several: how much each nearby bin
		 * varies from window to window (mean power less the power of the
		 * mean, over W - 1), over W — the same expectation as the averaged
		 * bins' power for noise, read with 2 (W - 1) degrees of freedom
		 * per bin instead of 2 (±0.2 dB instead of ±0.7 over ~20 bins and
		 * 20 windows), which the classifier weighs every entry with. */
		double np = 0.0;
		unsigned cnt = 0;
		for (long q = (long)b - NOISE_HALF_SPAN; q <= (long)b + NOISE_HALF_SPAN; q++) {
			if (q <= 0 || q >= (long)a->nb || a->excluded[q])
				continue;
			double qr = a->acc_re[q] * inv_w, qi = a->acc_im[q] * inv_w;
			double coherent = qr * qr + qi * qi;
			if (windows > 1)
				np += fmax(a->acc_pow[q] * inv_w - coherent, 0.0) / (windows - 1);
			else
				np += coherent;
			cnt++;
		}
		if (cnt)
			r->noise_dbfs = db20(sqrt(np / cnt) / half);
		else  /* a plan too dense to leave any bin free nearby: fall back to the input's floor */
			r->noise_dbfs = fmax(DB_FLOOR, out->noise_dbfs[j] - 10.0 * log10(half * 0.5 * windows));
		r->snr_db = r->level_dbfs - r->noise_dbfs;
	}
}

int analyzer_run_windows(analyzer *a, const float *capture, unsigned windows, double stim_pos,
                         struct analysis *out, double (*win)[2])
{
	if (!a || !capture || !out || windows == 0 || !isfinite(stim_pos))
		return -EINVAL;
	const unsigned n = a->n, ch = a->n_in, nt = a->plan.n_tones;
	memset(out, 0, sizeof(*out));
	out->n_inputs = ch;
	out->n_tones = nt;
	out->stim_pos = stim_pos;

	for (unsigned j = 0; j < ch; j++) {
		double peak = 0.0;
		memset(a->acc_re, 0, sizeof(double) * a->nb);
		memset(a->acc_im, 0, sizeof(double) * a->nb);
		memset(a->acc_pow, 0, sizeof(double) * a->nb);
		for (unsigned w = 0; w < windows; w++) {
			const float *src = capture + (size_t)w * n * ch + j;
			for (unsigned t = 0; t < n; t++) {
				double v = src[(size_t)t * ch];
				a->in[t] = v;
				if (fabs(v) > peak)
					peak = fabs(v);
			}
			fftw_execute(a->fwd);
			for (unsigned b = 0; b < a->nb; b++) {
				double re = a->out[b][0], im = a->out[b][1];
				a->acc_re[b] += re;
				a->acc_im[b] += im;
				a->acc_pow[b] += re * re + im * im;
			}
			/* every window starts a whole number of windows later, where
			 * every tone's reference phase is the same */
			for (unsigned k = 0; win && k < nt; k++) {
				unsigned b = a->plan.bin[k];
				double *h = win[((size_t)w * ch + j) * nt + k];
				tone_h(a, k, a->out[b][0], a->out[b][1], stim_pos, &h[0], &h[1]);
			}
		}
		out->peak[j] = peak;
		out->clipped[j] = peak >= a->clip;
		finish_input(a, j, windows, stim_pos, out);
	}
	return 0;
}

int analyzer_run(analyzer *a, const float *capture, unsigned windows, double stim_pos,
                 struct analysis *out)
{
	return analyzer_run_windows(a, capture, windows, stim_pos, out, NULL);
}

void analysis_rereference(struct analysis *an, const struct toneplan *plan, double stim_pos)
{
	if (!an || !plan || !isfinite(stim_pos) || !plan->window)
		return;
	unsigned nt = an->n_tones < plan->n_tones ? an->n_tones : plan->n_tones;
	for (unsigned k = 0; k < nt; k++) {
		/* H carries e^{-i w stim_pos}: moving the reference by d rotates it by -w d */
		double d = bin_phase(plan->bin[k], plan->window, stim_pos) -
		           bin_phase(plan->bin[k], plan->window, an->stim_pos);
		double cr = cos(d), ci = sin(d);
		for (unsigned j = 0; j < an->n_inputs && j < ANALYZER_MAX_INPUTS; j++) {
			struct tone_result *r = &an->h[j][k];
			double re = r->re * cr + r->im * ci;
			double im = r->im * cr - r->re * ci;
			r->re = re;
			r->im = im;
			r->phase_deg = atan2(im, re) * (180.0 / M_PI);
			if (r->phase_deg <= -180.0)
				r->phase_deg += 360.0;
		}
	}
	an->stim_pos = stim_pos;
}
