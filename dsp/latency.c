/* latency: round trip from the probe cross-correlation, then refined from the phase slope of the tones. */
#include "latency.h"

#include <errno.h>
#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A white probe of L frames rises above its own correlation sidelobes by
 * about 10 log10(L) dB; below 256 frames (24 dB) it could not clear the
 * detection threshold even with nothing else on the line. */
#define MIN_PROBE_FRAMES 256u
/* The median of S over fewer lags says little about the noise. */
#define MIN_SEARCH_FRAMES 16u
/* probe + search beyond 2^20 frames (22 s at 48 kHz) is a configuration
 * mistake, and would cost gigabytes of probe spectra for 16 outputs. */
#define MAX_SPAN_FRAMES (1u << 20)

/* Detection: with no probe on any input, S(d) is a sum of K squared
 * Gaussian correlations (K = inputs * outputs); for K = 1, the worst case,
 * the largest of 10^4 lags exceeds the median by 15 dB (chi-square with one
 * degree of freedom: 15.1 vs 0.455). A peak 20 dB above the median is a
 * 6.7 sigma event in noise (p ~ 1e-11 per lag), while a real probe of
 * 4096 frames stands ~36 dB above it. */
#define FOUND_RATIO_DB 20.0
/* The main lobe of a band-limited correlation peak spans ±1 frame plus the
 * fractional part; sidelobes are measured outside ±3 frames. A full-band
 * probe delayed by half a frame has sinc sidelobes of its own 21 dB down
 * at 3.5 frames, so ~20 dB is what a clean fractional delay reads; much
 * less means paths at several delays, or noise. */
#define SIDELOBE_EXCLUDE 3
/* Half length of the windowed-sinc that interpolates the correlation
 * between lags: ±16 lags puts the truncation error of a Hann-windowed
 * sinc near 1e-3 of the peak, i.e. ~0.01 frame of position. */
#define INTERP_HALF 16
/* Golden-section steps over a 1.5-frame bracket: 0.618^48 * 1.5 < 1e-9. */
#define GOLDEN_STEPS 48
/* A ratio to report when nothing at all lies outside the main lobe. */
#define RATIO_CAP_DB 400.0

/* Refinement. At 20 dB SNR one tone's phase scatters by 1/sqrt(2*100) =
 * 0.07 rad (4 degrees): far inside the ±90 degree window of the modulo-180
 * fit, so wrapping never flips such a tone. */
#define REFINE_MIN_SNR_DB 20.0
/* Only real connections vote: a path 40 dB below a wire is crosstalk, and
 * crosstalk in a real interface is partly capacitive (not a real gain), so
 * its phase would pull the fit. */
#define REFINE_MIN_GAIN 0.01
/* Weights are SNR (inverse phase variance); above 120 dB the estimate
 * reflects float rounding of the capture, not a better phase, and one
 * tone must not silence the rest. */
#define REFINE_MAX_SNR_DB 120.0
/* Gauss-Newton steps per coarse-to-fine stage; the model is linear in the
 * delay, so the second step only re-wraps and the third confirms. */
#define REFINE_ITERATIONS 3

struct latency {
	struct latency_cfg cfg;
	unsigned len;                   /* capture frames used: probe + max */
	unsigned m, nb;                 /* FFT size and bins */
	double *buf;                    /* m, fftw_malloc */
	fftw_complex *spec, *yspec;     /* nb each */
	fftw_complex *pspec;            /* n_outputs * nb */
	fftw_plan fwd, inv;
	double *s;                      /* S(d), max + 1 */
	double *sel;                    /* scratch for the median, max + 1 */
	double *q;                      /* matched sum of the probes, probe_frames */
	double cpeak[TONEPLAN_MAX_TONES];
	double tm[2 * INTERP_HALF + 1];
};

latency *latency_create(const struct latency_cfg *cfg)
{
	if (!cfg || cfg->n_outputs == 0 || cfg->n_outputs > TONEPLAN_MAX_TONES ||
	    cfg->n_inputs == 0 || cfg->n_inputs > ANALYZER_MAX_INPUTS ||
	    cfg->probe_frames < MIN_PROBE_FRAMES || cfg->max_frames < MIN_SEARCH_FRAMES ||
	    cfg->probe_frames > MAX_SPAN_FRAMES || cfg->max_frames > MAX_SPAN_FRAMES ||
	    cfg->probe_frames + cfg->max_frames > MAX_SPAN_FRAMES)
		return NULL;
	latency *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->cfg = *cfg;
	l->len = cfg->probe_frames + cfg->max_frames;
	/* lags 0..max of a probe-long correlation never wrap in a circular
	 * correlation of at least probe + max points */
	l->m = 1;
	while (l->m < l->len)
		l->m *= 2;
	l->nb = l->m / 2 + 1;
	l->buf = fftw_malloc(sizeof(double) * l->m);
	l->spec = fftw_malloc(sizeof(fftw_complex) * l->nb);
	l->yspec = fftw_malloc(sizeof(fftw_complex) * l->nb);
	l->pspec = fftw_malloc(sizeof(fftw_complex) * l->nb * cfg->n_outputs);
	l->s = calloc(cfg->max_frames + 1, sizeof(double));
	l->sel = calloc(cfg->max_frames + 1, sizeof(double));
	l->q = calloc(cfg->probe_frames, sizeof(double));
	if (!l->buf || !l->spec || !l->yspec || !l->pspec || !l->s || !l->sel || !l->q)
		goto fail;
	/* FFTW_ESTIMATE: deterministic and quick to plan; the probe runs once
	 * per test, where a few milliseconds do not matter. FFTW's planner is
	 * not thread-safe: create estimators and analyzers from one thread. */
	l->fwd = fftw_plan_dft_r2c_1d((int)l->m, l->buf, l->spec, FFTW_ESTIMATE);
	l->inv = fftw_plan_dft_c2r_1d((int)l->m, l->spec, l->buf, FFTW_ESTIMATE);
	if (!l->fwd || !l->inv)
		goto fail;
	return l;
fail:
	latency_destroy(l);
	return NULL;
}

void latency_destroy(latency *l)
{
	if (!l)
		return;
	if (l->fwd)
		fftw_destroy_plan(l->fwd);
	if (l->inv)
		fftw_destroy_plan(l->inv);
	fftw_free(l->buf);
	fftw_free(l->spec);
	fftw_free(l->yspec);
	fftw_free(l->pspec);
	free(l->s);
	free(l->sel);
	free(l->q);
	free(l);
}

/* k-th smallest of v[0..n) (Hoare's selection); reorders v. */
static double select_kth(double *v, int n, int k)
{
	int lo = 0, hi = n - 1;
	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		int i = lo, j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				double t = v[i];
				v[i++] = v[j];
				v[j--] = t;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
}

/* Hann-windowed sinc, zero beyond ±(INTERP_HALF + 1). */
static double interp_kernel(double u)
{
	double w = INTERP_HALF + 1.0;
	if (fabs(u) >= w)
		return 0.0;
	double s = fabs(u) < 1e-12 ? 1.0 : sin(M_PI * u) / (M_PI * u);
	return s * (0.5 + 0.5 * cos(M_PI * u / w));
}

static double interp_at(const latency *l, int lo, int hi, double x)
{
	double v = 0.0;
	for (int mm = lo; mm <= hi; mm++)
		v += l->tm[mm - lo] * interp_kernel(x - mm);
	return v;
}

/* Fractional position of the correlation peak near lag p. The squared sum
 * S loses the sign of each correlation, which flattens the main lobe; the
 * matched sum T(d) = sum_ji c_ji(d) c_ji(p) keeps it: T is the probe's own
 * (signed) autocorrelation shape, centred on the true delay, and between
 * lags it is rebuilt by band-limited interpolation. */
static double subframe(latency *l, const float *const *probes, const float *capture, unsigned p,
                       double *tpeak)
{
	const unsigned nin = l->cfg.n_inputs, nout = l->cfg.n_outputs, np = l->cfg.probe_frames;
	int lo = (int)p - INTERP_HALF, hi = (int)p + INTERP_HALF;
	if (lo < 0)
		lo = 0;
	if (hi > (int)l->cfg.max_frames)
		hi = (int)l->cfg.max_frames;
	memset(l->tm, 0, sizeof(l->tm));
	for (unsigned j = 0; j < nin; j++) {
		const float *y = capture + j;
		for (unsigned i = 0; i < nout; i++) {
			double c = 0.0;
			for (unsigned t = 0; t < np; t++)
				c += (double)y[(size_t)(t + p) * nin] * probes[i][t];
			l->cpeak[i] = c;
		}
		/* T's contribution of input j is the correlation of y_j with the
		 * probes weighted by their correlation at the peak: one pass */
		for (unsigned t = 0; t < np; t++) {
			double v = 0.0;
			for (unsigned i = 0; i < nout; i++)
				v += l->cpeak[i] * probes[i][t];
			l->q[t] = v;
		}
		for (int d = lo; d <= hi; d++) {
			double c = 0.0;
			for (unsigned t = 0; t < np; t++)
				c += (double)y[(size_t)(t + d) * nin] * l->q[t];
			l->tm[d - lo] += c;
		}
	}
	*tpeak = l->tm[p - lo];
	/* The largest lag is within half a frame of the true delay, and a
	 * sinc main lobe is unimodal over ±1.43 frames of its centre: searching
	 * ±0.75 around the lag brackets the peak and nothing but the peak. */
	double a = fmax(lo, p - 0.75), b = fmin(hi, p + 0.75);
	if (b <= a)
		return p;
	const double g = 0.5 * (sqrt(5.0) - 1.0);
	double x1 = b - g * (b - a), x2 = a + g * (b - a);
	double f1 = interp_at(l, lo, hi, x1), f2 = interp_at(l, lo, hi, x2);
	for (int it = 0; it < GOLDEN_STEPS; it++) {
		if (f1 < f2) {
			a = x1;
			x1 = x2;
			f1 = f2;
			x2 = a + g * (b - a);
			f2 = interp_at(l, lo, hi, x2);
		} else {
			b = x2;
			x2 = x1;
			f2 = f1;
			x1 = b - g * (b - a);
			f1 = interp_at(l, lo, hi, x1);
		}
	}
	double x = 0.5 * (a + b);
	*tpeak = interp_at(l, lo, hi, x);
	return x;
}

int latency_probe(latency *l, const float *const *probes, const float *capture,
                  unsigned frames, struct latency_estimate *out)
{
	if (!l || !probes || !capture || !out || frames < l->len)
		return -EINVAL;
	const unsigned nin = l->cfg.n_inputs, nout = l->cfg.n_outputs;
	const unsigned np = l->cfg.probe_frames, maxd = l->cfg.max_frames;
	for (unsigned i = 0; i < nout; i++) {
		if (!probes[i])
			return -EINVAL;
	}
	memset(out, 0, sizeof(*out));

	for (unsigned i = 0; i < nout; i++) {
		for (unsigned t = 0; t < np; t++)
			l->buf[t] = probes[i][t];
		memset(l->buf + np, 0, sizeof(double) * (l->m - np));
		fftw_execute(l->fwd);
		memcpy(l->pspec + (size_t)i * l->nb, l->spec, sizeof(fftw_complex) * l->nb);
	}
	memset(l->s, 0, sizeof(double) * (maxd + 1));
	for (unsigned j = 0; j < nin; j++) {
		for (unsigned t = 0; t < l->len; t++)
			l->buf[t] = capture[(size_t)t * nin + j];
		memset(l->buf + l->len, 0, sizeof(double) * (l->m - l->len));
		fftw_execute(l->fwd);
		memcpy(l->yspec, l->spec, sizeof(fftw_complex) * l->nb);
		for (unsigned i = 0; i < nout; i++) {
			const fftw_complex *ps = l->pspec + (size_t)i * l->nb;
			/* Y conj(P): the correlation sum_t y(t + d) p(t) */
			for (unsigned b = 0; b < l->nb; b++) {
				double yr = l->yspec[b][0], yi = l->yspec[b][1];
				double pr = ps[b][0], pi = ps[b][1];
				l->spec[b][0] = yr * pr + yi * pi;
				l->spec[b][1] = yi * pr - yr * pi;
			}
			fftw_execute(l->inv);
			for (unsigned d = 0; d <= maxd; d++)
				l->s[d] += l->buf[d] * l->buf[d];
		}
	}

	unsigned p = 0;
	for (unsigned d = 1; d <= maxd; d++) {
		if (l->s[d] > l->s[p])
			p = d;
	}
	double side = 0.0;
	for (unsigned d = 0; d <= maxd; d++) {
		if ((d + SIDELOBE_EXCLUDE < p || d > p + SIDELOBE_EXCLUDE) && l->s[d] > side)
			side = l->s[d];
	}
	memcpy(l->sel, l->s, sizeof(double) * (maxd + 1));
	double median = select_kth(l->sel, (int)maxd + 1, (int)(maxd + 1) / 2);

	double peak = l->s[p];
	out->found = peak > 0.0 && peak >= median * pow(10.0, FOUND_RATIO_DB / 10.0);
	out->frames = p;
	if (out->found) {
		double tpeak;
		out->frames = subframe(l, probes, capture, p, &tpeak);
		/* S between lags, from the matched sum: with c_ji(x) = a_ji r(x),
		 * T(x) = S(p) r(x)/r(p) and S(x) = T(x)^2 / S(p). A delay half-way
		 * between frames would otherwise read 4 dB low. */
		if (tpeak > peak)
			peak = tpeak * tpeak / l->s[p];
	}
	out->peak_ratio_db = side > 0.0 ? fmin(RATIO_CAP_DB, 10.0 * log10(peak / side))
	                                : (peak > 0.0 ? RATIO_CAP_DB : 0.0);
	return 0;
}

/* x folded into (-pi/2, pi/2]: the phase of a real gain of either sign. */
static double wrap_half(double x)
{
	double r = x - M_PI * round(x / M_PI);
	if (r <= -M_PI / 2)
		r += M_PI;
	else if (r > M_PI / 2)
		r -= M_PI;
	return r;
}

int latency_refine(const struct toneplan *plan, struct analysis *an, double *delta)
{
	if (!plan || !an || !delta || plan->n_tones == 0 || plan->n_tones > TONEPLAN_MAX_TONES ||
	    plan->window == 0 || an->n_tones != plan->n_tones || an->n_inputs == 0 ||
	    an->n_inputs > ANALYZER_MAX_INPUTS)
		return -EINVAL;

	/* Lowest tones first: at 300 Hz a half turn is ~80 frames, so the
	 * coarse estimate cannot be ambiguous there, and each higher tone is
	 * added only once the slope is known well enough that its own
	 * ambiguity (every 2 frames at 12 kHz, 48 kHz) cannot bite. */
	unsigned order[TONEPLAN_MAX_TONES];
	for (unsigned k = 0; k < plan->n_tones; k++) {
		unsigned i = k;
		while (i > 0 && plan->bin[order[i - 1]] > plan->bin[k]) {
			order[i] = order[i - 1];
			i--;
		}
		order[i] = k;
	}

	double d = 0.0;
	int used = 0;
	for (unsigned s = 0; s < plan->n_tones; s++) {
		int added = 0;
		for (unsigned j = 0; j < an->n_inputs; j++) {
			const struct tone_result *r = &an->h[j][order[s]];
			added |= r->snr_db >= REFINE_MIN_SNR_DB && r->gain >= REFINE_MIN_GAIN;
		}
		if (!added)
			continue;
		used = 1;
		for (int it = 0; it < REFINE_ITERATIONS; it++) {
			double num = 0.0, den = 0.0;
			for (unsigned t = 0; t <= s; t++) {
				unsigned k = order[t];
				double w = 2.0 * M_PI * plan->bin[k] / plan->window;
				for (unsigned j = 0; j < an->n_inputs; j++) {
					const struct tone_result *r = &an->h[j][k];
					if (!(r->snr_db >= REFINE_MIN_SNR_DB && r->gain >= REFINE_MIN_GAIN))
						continue;
					double wt = pow(10.0, fmin(r->snr_db, REFINE_MAX_SNR_DB) / 10.0);
					/* H = G e^{-i w delta}, G real: phase + w delta = 0 (mod pi) */
					double res = wrap_half(atan2(r->im, r->re) + w * d);
					num += wt * w * res;
					den += wt * w * w;
				}
			}
			if (den > 0.0)
				d -= num / den;
		}
	}
	if (!used)
		return -ENODATA;
	analysis_rereference(an, plan, an->stim_pos - d);
	*delta = d;
	return 0;
}
