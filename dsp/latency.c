/* latency: round trip from a whitened probe cross-correlation, searched as frames arrive, then refined from the phase slope of the tones. */
#include "latency.h"

#include <errno.h>
#include <fftw3.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A probe shorter than 64 frames cannot clear the detection threshold
 * below (~68 chi-square units for one path) even with nothing else on the
 * line: its statistic is at most its length. */
#define MIN_PROBE_FRAMES 64u
/* The fewest lags worth a search: a round trip is never shorter. */
#define MIN_SEARCH_FRAMES 16u
/* probe + search beyond 2^20 frames (22 s at 48 kHz) is a configuration
 * mistake, and would cost gigabytes of probe spectra for 16 outputs. */
#define MAX_SPAN_FRAMES (1u << 20)

/* Detection. At a lag where the probe is not, the correlation of input j
 * with probe i is a sum of the capture weighted by the probe's independent
 * random signs: zero mean, variance a_i^2 times the energy of the capture
 * segment, and across inputs the covariance a_i^2 G (G: the inputs' Gram
 * matrix over the segment). Whitened by G, every probe adds a chi-square
 * of rank(G) degrees of freedom, whatever the noise, the tones or the
 * other probes are doing: the threshold needs no noise estimate. z = 7
 * standard deviations (Wilson-Hilferty) is a false alarm of ~1e-12 per
 * lag, ~1e-9 over a thousand lags. */
#define DETECT_Z 7.0
/* The true lag is the strongest within this many frames after the first
 * lag over the threshold: a band-limited peak spreads over a few frames,
 * and an interface's linear-phase filters ring ahead of their main lobe by
 * up to half their length (tens of frames at 48 kHz). */
#define PEAK_SPAN 32
/* Half length of the windowed-sinc that interpolates the correlation
 * between lags: ±16 lags puts the truncation error of a Hann-windowed
 * sinc near 1e-3 of the peak, i.e. ~0.01 frame of position. */
#define INTERP_HALF 16
/* Golden-section steps over a 1.5-frame bracket: 0.618^48 * 1.5 < 1e-9. */
#define GOLDEN_STEPS 48
/* Pivots of the Gram matrix below this fraction of the largest are
 * inputs that are (up to float rounding) sums of the others: shorted or
 * silent contacts add no degree of freedom. Float captures carry ~1e-7
 * relative rounding, 1e-14 in power: far below. */
#define RANK_TOL 1e-10
/* ...and pivots the FFT's own rounding could fake: a correlation by FFT
 * is good to ~1e-16 (times a few for log2 of its size) of the whole
 * capture's energy E times the probe's P, so a direction of the segment
 * whose energy is below 1e-26 E P (a hundred times that error, squared)
 * would whiten rounding into a detection — as the first few frames of a
 * tone's fade-in, tiny and nearly alike on every input, would. */
#define RANK_FFT 1e-26
/* The sliding Gram matrix is summed afresh this often, so rounding of the
 * running update never accumulates. */
#define GRAM_RESYNC 512u
/* Delay precision of a white probe: the Cramer-Rao bound of a delay is
 * 1 / (2 pi B_rms sqrt(E/N0)), and a white probe band-limited to half the
 * rate has B_rms = 1/sqrt(12) cycles per frame: 0.55 / sqrt(statistic). */
#define SIGMA_K 0.551
/* Misses: the statistic at the true lag is a non-central chi-square; its
 * mean must stand this many of its standard deviations above the
 * threshold for a miss to be below 1e-9. */
#define MISS_Z 6.0

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
/* Gauss-Newton steps after the grid: the model is linear in the delay, so
 * the second step only re-wraps and the third confirms. */
#define REFINE_ITERATIONS 3
/* The grid spans 0.9 of the half-ambiguity of the lowest voting tone (a
 * half turn of it either way: beyond, a real gain of the other sign reads
 * the same), narrowed by a prior to 4 sigma (a frame at least). Steps of
 * 0.1 frame, a tenth of the modulo-180 lobe of the fastest tone (0.45 of
 * the rate: ~1.1 frames), then 0.01 around the best. */
#define REFINE_SPAN_FRACTION 0.9
#define REFINE_STEP 0.1
#define REFINE_FINE 0.01

#define MAX_IN ANALYZER_MAX_INPUTS

struct latency {
	struct latency_cfg cfg;
	unsigned np;                    /* probe frames of this search */
	const float *probe[TONEPLAN_MAX_TONES];
	double amp2[TONEPLAN_MAX_TONES];/* mean square of each probe; 0 = silent, left out */
	unsigned n_active;
	int started;
	unsigned avail;                 /* lags computed: 0..avail-1 */
	unsigned m_max, nb_max;
	unsigned lo_log, n_sizes;       /* FFT sizes 2^lo_log .. 2^(lo_log + n_sizes - 1) */
	fftw_plan *fwd, *inv;           /* one per size */
	unsigned pspec_m;               /* size the probe spectra are for; 0 = none */
	double *buf;                    /* m_max, fftw_malloc */
	fftw_complex *spec, *yspec;     /* nb_max each */
	fftw_complex *pspec;            /* n_outputs * nb_max */
	double *c;                      /* [input][output][lag]: correlations, max_frames + 1 lags */
	double *stat;                   /* whitened statistic per lag */
	double energy;                  /* largest energy of an input over the correlated span */
	unsigned short *dof;            /* its degrees of freedom */
	double tm[2 * INTERP_HALF + 1];
};

static unsigned pow2_at_least(unsigned x)
{
	unsigned m = 1;
	while (m < x)
		m *= 2;
	return m;
}

static unsigned log2u(unsigned m)
{
	unsigned k = 0;
	while ((1u << k) < m)
		k++;
	return k;
}

latency *latency_create(const struct latency_cfg *cfg)
{
	if (!cfg || cfg->n_outputs == 0 || cfg->n_outputs > TONEPLAN_MAX_TONES ||
	    cfg->n_inputs == 0 || cfg->n_inputs > MAX_IN ||
	    cfg->probe_frames < MIN_PROBE_FRAMES || cfg->max_frames < MIN_SEARCH_FRAMES ||
	    cfg->probe_frames > MAX_SPAN_FRAMES || cfg->max_frames > MAX_SPAN_FRAMES ||
	    cfg->probe_frames + cfg->max_frames > MAX_SPAN_FRAMES)
		return NULL;
	latency *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->cfg = *cfg;
	/* lags 0..max of a probe-long correlation never wrap in a circular
	 * correlation of at least probe + max points */
	l->m_max = pow2_at_least(cfg->probe_frames + cfg->max_frames);
	l->nb_max = l->m_max / 2 + 1;
	l->lo_log = log2u(MIN_PROBE_FRAMES + 1);
	l->n_sizes = log2u(l->m_max) - l->lo_log + 1;
	size_t lags = (size_t)cfg->max_frames + 1;
	l->buf = fftw_malloc(sizeof(double) * l->m_max);
	l->spec = fftw_malloc(sizeof(fftw_complex) * l->nb_max);
	l->yspec = fftw_malloc(sizeof(fftw_complex) * l->nb_max);
	l->pspec = fftw_malloc(sizeof(fftw_complex) * l->nb_max * cfg->n_outputs);
	l->c = malloc(sizeof(double) * lags * cfg->n_inputs * cfg->n_outputs);
	l->stat = calloc(lags, sizeof(double));
	l->dof = calloc(lags, sizeof(unsigned short));
	l->fwd = calloc(l->n_sizes, sizeof(fftw_plan));
	l->inv = calloc(l->n_sizes, sizeof(fftw_plan));
	if (!l->buf || !l->spec || !l->yspec || !l->pspec || !l->c || !l->stat || !l->dof || !l->fwd || !l->inv)
		goto fail;
	/* FFTW_ESTIMATE: deterministic and quick to plan, every size once,
	 * here. FFTW's planner is not thread-safe: create estimators and
	 * analyzers from one thread. */
	for (unsigned s = 0; s < l->n_sizes; s++) {
		int m = 1 << (l->lo_log + s);
		l->fwd[s] = fftw_plan_dft_r2c_1d(m, l->buf, l->spec, FFTW_ESTIMATE);
		l->inv[s] = fftw_plan_dft_c2r_1d(m, l->spec, l->buf, FFTW_ESTIMATE);
		if (!l->fwd[s] || !l->inv[s])
			goto fail;
	}
	return l;
fail:
	latency_destroy(l);
	return NULL;
}

void latency_destroy(latency *l)
{
	if (!l)
		return;
	for (unsigned s = 0; l->fwd && s < l->n_sizes; s++)
		if (l->fwd[s])
			fftw_destroy_plan(l->fwd[s]);
	for (unsigned s = 0; l->inv && s < l->n_sizes; s++)
		if (l->inv[s])
			fftw_destroy_plan(l->inv[s]);
	free(l->fwd);
	free(l->inv);
	fftw_free(l->buf);
	fftw_free(l->spec);
	fftw_free(l->yspec);
	fftw_free(l->pspec);
	free(l->c);
	free(l->stat);
	free(l->dof);
	free(l);
}

int latency_start(latency *l, const float *const *probes, unsigned probe_frames)
{
	if (!l || !probes || probe_frames < MIN_PROBE_FRAMES || probe_frames > l->cfg.probe_frames)
		return -EINVAL;
	for (unsigned i = 0; i < l->cfg.n_outputs; i++) {
		if (!probes[i])
			return -EINVAL;
	}
	l->np = probe_frames;
	l->n_active = 0;
	for (unsigned i = 0; i < l->cfg.n_outputs; i++) {
		double e = 0.0;
		for (unsigned t = 0; t < probe_frames; t++)
			e += (double)probes[i][t] * probes[i][t];
		l->probe[i] = probes[i];
		l->amp2[i] = e / probe_frames;
		l->n_active += l->amp2[i] > 0.0;
	}
	l->pspec_m = 0;
	l->avail = 0;
	l->started = 1;
	return 0;
}

double latency_search_cost(const latency *l, unsigned probe_frames)
{
	if (!l)
		return 0.0;
	double m = pow2_at_least(probe_frames + l->cfg.max_frames);
	unsigned n_in = l->cfg.n_inputs, n_out = l->cfg.n_outputs;
	return (double)(n_out + n_in + n_in * n_out) * m * log2(m);
}

/* Wilson-Hilferty: the chi-square value with k degrees of freedom that
 * noise exceeds with the probability of a normal beyond z. */
static double chi2_quantile(double k, double z)
{
	double v = 2.0 / (9.0 * k);
	double q = 1.0 - v + z * sqrt(v);
	return k * q * q * q;
}

double latency_required_stat(unsigned n_outputs, unsigned n_inputs)
{
	double k = (double)n_outputs * n_inputs;
	double thr = chi2_quantile(k, DETECT_Z);
	/* non-central chi-square: mean k + lambda, variance 2k + 4 lambda;
	 * lambda - MISS_Z sd >= thr - k, solved by a few fixed-point steps */
	double lambda = thr;
	for (int it = 0; it < 20; it++)
		lambda = thr - k + MISS_Z * sqrt(2.0 * k + 4.0 * lambda);
	return lambda;
}

double latency_gain_per_frame(const struct analysis *an, const double *probe_amp)
{
	if (!an || !probe_amp || an->n_inputs == 0 || an->n_inputs > MAX_IN)
		return 0.0;
	double power[MAX_IN];
	for (unsigned j = 0; j < an->n_inputs; j++) {
		double s = 0.0;
		for (unsigned k = 0; k < an->n_tones; k++)
			s += an->h[j][k].gain * an->h[j][k].gain * probe_amp[k] * probe_amp[k];
		power[j] = s + pow(10.0, an->noise_dbfs[j] / 10.0);
	}
	double g = 0.0;
	for (unsigned k = 0; k < an->n_tones; k++) {
		double best = 0.0;
		for (unsigned j = 0; j < an->n_inputs; j++) {
			double s = an->h[j][k].gain * an->h[j][k].gain * probe_amp[k] * probe_amp[k];
			if (power[j] > 0.0 && s / power[j] > best)
				best = s / power[j];
		}
		g += best;
	}
	return g;
}

/* Correlations c_ji(d) = sum_t y_j(t + d) p_i(t) for lags 0..lags-1, by
 * FFT of the first probe + lags - 1 captured frames. */
static void correlate(latency *l, const float *capture, unsigned lags)
{
	const unsigned nin = l->cfg.n_inputs, nout = l->cfg.n_outputs, np = l->np;
	const unsigned span = np + lags - 1;
	const unsigned m = pow2_at_least(span);
	const unsigned nb = m / 2 + 1, s = log2u(m) - l->lo_log;
	const size_t stride = (size_t)l->cfg.max_frames + 1;
	const double scale = 1.0 / m;

	if (l->pspec_m != m) {
		for (unsigned i = 0; i < nout; i++) {
			for (unsigned t = 0; t < np; t++)
				l->buf[t] = l->probe[i][t];
			memset(l->buf + np, 0, sizeof(double) * (m - np));
			fftw_execute_dft_r2c(l->fwd[s], l->buf, l->spec);
			memcpy(l->pspec + (size_t)i * nb, l->spec, sizeof(fftw_complex) * nb);
		}
		l->pspec_m = m;
	}
	l->energy = 0.0;
	for (unsigned j = 0; j < nin; j++) {
		double e = 0.0;
		for (unsigned t = 0; t < span; t++) {
			l->buf[t] = capture[(size_t)t * nin + j];
			e += l->buf[t] * l->buf[t];
		}
		l->energy = fmax(l->energy, e);
		memset(l->buf + span, 0, sizeof(double) * (m - span));
		fftw_execute_dft_r2c(l->fwd[s], l->buf, l->yspec);
		for (unsigned i = 0; i < nout; i++) {
			double *c = l->c + ((size_t)j * nout + i) * stride;
			if (l->amp2[i] <= 0.0) {
				memset(c, 0, sizeof(double) * lags);
				continue;
			}
			const fftw_complex *ps = l->pspec + (size_t)i * nb;
			/* Y conj(P): the correlation sum_t y(t + d) p(t) */
			for (unsigned b = 0; b < nb; b++) {
				double yr = l->yspec[b][0], yi = l->yspec[b][1];
				double pr = ps[b][0], pi = ps[b][1];
				l->spec[b][0] = yr * pr + yi * pi;
				l->spec[b][1] = yi * pr - yr * pi;
			}
			fftw_execute_dft_c2r(l->inv[s], l->spec, l->buf);
			for (unsigned d = 0; d < lags; d++)
				c[d] = l->buf[d] * scale;
		}
	}
}

/* Gram matrix of the inputs over capture frames [d, d + np). */
static void gram_at(const latency *l, const float *capture, unsigned d, double *g)
{
	const unsigned n = l->cfg.n_inputs;
	memset(g, 0, sizeof(double) * n * n);
	for (unsigned t = d; t < d + l->np; t++) {
		const float *y = capture + (size_t)t * n;
		for (unsigned a = 0; a < n; a++)
			for (unsigned b = 0; b <= a; b++)
				g[a * n + b] += (double)y[a] * y[b];
	}
}

/* Move the Gram matrix from lag d to d + 1. */
static void gram_slide(const latency *l, const float *capture, unsigned d, double *g)
{
	const unsigned n = l->cfg.n_inputs;
	const float *out = capture + (size_t)d * n, *in = capture + (size_t)(d + l->np) * n;
	for (unsigned a = 0; a < n; a++)
		for (unsigned b = 0; b <= a; b++)
			g[a * n + b] += (double)in[a] * in[b] - (double)out[a] * out[b];
}

/* Pivoted Cholesky of the lower triangle of g (n x n) into L (row-major,
 * lower, in pivot order) and perm. Returns the rank: pivots below
 * RANK_TOL of the largest diagonal, or below floor, end it. */
static unsigned cholesky(const double *g, unsigned n, double floor_abs, double *lw, unsigned *perm)
{
	double a[MAX_IN * MAX_IN];
	double top = 0.0;
	for (unsigned r = 0; r < n; r++) {
		for (unsigned c = 0; c <= r; c++) {
			a[r * n + c] = g[r * n + c];
			a[c * n + r] = g[r * n + c];
		}
		perm[r] = r;
		top = fmax(top, g[r * n + r]);
	}
	if (!(top > 0.0))
		return 0;
	unsigned k;
	for (k = 0; k < n; k++) {
		/* the largest remaining diagonal becomes the next pivot */
		unsigned best = k;
		for (unsigned r = k + 1; r < n; r++)
			if (a[perm[r] * n + perm[r]] > a[perm[best] * n + perm[best]])
				best = r;
		unsigned t = perm[k];
		perm[k] = perm[best];
		perm[best] = t;
		/* rows of L already computed follow their inputs */
		for (unsigned q = 0; q < k; q++) {
			double v = lw[k * n + q];
			lw[k * n + q] = lw[best * n + q];
			lw[best * n + q] = v;
		}
		double piv = a[perm[k] * n + perm[k]];
		if (!(piv > RANK_TOL * top) || !(piv > floor_abs))
			break;
		double s = sqrt(piv);
		lw[k * n + k] = s;
		for (unsigned r = k + 1; r < n; r++)
			lw[r * n + k] = a[perm[r] * n + perm[k]] / s;
		/* Schur complement of the remaining rows */
		for (unsigned r = k + 1; r < n; r++)
			for (unsigned c = k + 1; c <= r; c++) {
				double v = a[perm[r] * n + perm[c]] - lw[r * n + k] * lw[c * n + k];
				a[perm[r] * n + perm[c]] = v;
				a[perm[c] * n + perm[r]] = v;
			}
	}
	return k;
}

/* The whitened statistic of lags [from, to). */
static void statistic(latency *l, const float *capture, unsigned from, unsigned to)
{
	const unsigned n = l->cfg.n_inputs, nout = l->cfg.n_outputs;
	const size_t stride = (size_t)l->cfg.max_frames + 1;
	double g[MAX_IN * MAX_IN], lw[MAX_IN * MAX_IN], z[MAX_IN];
	unsigned perm[MAX_IN];
	const double floor_abs = RANK_FFT * l->energy * l->np;

	for (unsigned d = from; d < to; d++) {
		if (d == from || (d - from) % GRAM_RESYNC == 0)
			gram_at(l, capture, d, g);
		else
			gram_slide(l, capture, d - 1, g);
		unsigned r = cholesky(g, n, floor_abs, lw, perm);
		double s = 0.0;
		for (unsigned i = 0; i < nout && r; i++) {
			if (l->amp2[i] <= 0.0)
				continue;
			/* z = L^-1 (c in pivot order) over the first r pivots */
			double e = 0.0;
			for (unsigned k = 0; k < r; k++) {
				double v = l->c[((size_t)perm[k] * nout + i) * stride + d];
				for (unsigned q = 0; q < k; q++)
					v -= lw[k * n + q] * z[q];
				z[k] = v / lw[k * n + k];
				e += z[k] * z[k];
			}
			s += e / l->amp2[i];
		}
		l->stat[d] = s;
		l->dof[d] = (unsigned short)(r * l->n_active);
	}
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
 * loses the sign of each correlation, which flattens the main lobe; the
 * matched sum T(d) = sum_ji c_ji(d) c_ji(p) keeps it: T is the probe's own
 * (signed) autocorrelation shape, centred on the true delay, and between
 * lags it is rebuilt by band-limited interpolation. */
static double subframe(latency *l, unsigned p)
{
	const unsigned nin = l->cfg.n_inputs, nout = l->cfg.n_outputs;
	const size_t stride = (size_t)l->cfg.max_frames + 1;
	int lo = (int)p - INTERP_HALF, hi = (int)p + INTERP_HALF;
	if (lo < 0)
		lo = 0;
	if (hi > (int)l->avail - 1)
		hi = (int)l->avail - 1;
	memset(l->tm, 0, sizeof(l->tm));
	for (unsigned x = 0; x < nin * nout; x++) {
		const double *c = l->c + x * stride;
		for (int d = lo; d <= hi; d++)
			l->tm[d - lo] += c[d] * c[p];
	}
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
	return 0.5 * (a + b);
}

int latency_search(latency *l, const float *capture, unsigned frames, struct latency_estimate *out)
{
	if (!l || !capture || !out || !l->started)
		return -EINVAL;
	const unsigned maxd = l->cfg.max_frames;
	memset(out, 0, sizeof(*out));
	if (frames < l->np) {
		out->searched = 0;
		return 0;
	}
	unsigned lags = frames - l->np + 1;
	if (lags > maxd + 1)
		lags = maxd + 1;
	if (lags > l->avail) {
		if (l->n_active) {
			correlate(l, capture, lags);
		} else {
			memset(l->c, 0, sizeof(double) * ((size_t)maxd + 1) * l->cfg.n_inputs * l->cfg.n_outputs);
			l->energy = 0.0;
		}
		statistic(l, capture, 0, lags);
		l->avail = lags;
	}
	out->searched = l->avail;
	const int all = l->avail == maxd + 1;

	unsigned d1 = 0;
	int crossed = 0;
	for (unsigned d = 0; d < l->avail && !crossed; d++) {
		if (l->dof[d] && l->stat[d] >= chi2_quantile(l->dof[d], DETECT_Z)) {
			d1 = d;
			crossed = 1;
		}
	}
	if (!crossed) {
		out->decided = all;
		return 0;
	}
	unsigned end = d1 + PEAK_SPAN;
	if (end > maxd)
		end = maxd;
	if (!all && l->avail <= end + INTERP_HALF)
		return 0;   /* the peak and its neighbours are not all in yet */
	unsigned p = d1;
	for (unsigned d = d1 + 1; d <= end && d < l->avail; d++)
		if (l->stat[d] > l->stat[p])
			p = d;
	double thr = chi2_quantile(l->dof[p], DETECT_Z);
	out->found = 1;
	out->decided = 1;
	out->stat = l->stat[p];
	out->margin_db = 10.0 * log10(l->stat[p] / thr);
	out->frames = subframe(l, p);
	double lambda = l->stat[p] - l->dof[p];
	out->sigma_frames = SIGMA_K / sqrt(lambda > 1.0 ? lambda : 1.0);
	return 0;
}

int latency_probe(latency *l, const float *const *probes, const float *capture,
                  unsigned frames, struct latency_estimate *out)
{
	if (!l || !probes || !capture || !out || frames < l->cfg.probe_frames + l->cfg.max_frames)
		return -EINVAL;
	int e = latency_start(l, probes, l->cfg.probe_frames);
	if (e < 0)
		return e;
	return latency_search(l, capture, l->cfg.probe_frames + l->cfg.max_frames, out);
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
	return latency_refine_prior(plan, an, 0.0, INFINITY, delta);
}

/* The paths that vote in a refinement: a tone 20 dB over its noise on a
 * real connection. */
static int votes(const struct tone_result *r)
{
	return r->snr_db >= REFINE_MIN_SNR_DB && r->gain >= REFINE_MIN_GAIN;
}

/* A path that votes, read once: its tone's step, its phase, its weight. */
struct vote {
	double w, phase, wt;
};

/* Log-likelihood of a round trip d frames from the analysis's: each path
 * fitted with the best real gain of either sign loses snr sin^2(phase +
 * w d) = snr (1 - cos 2(phase + w d)) / 2; the prior costs
 * (d - centre)^2 / (2 sigma^2). Constants left out. */
static double refine_ll(const struct vote *v, unsigned n, double d, double prior, double centre)
{
	double ll = -prior * (d - centre) * (d - centre);
	for (unsigned q = 0; q < n; q++)
		ll += 0.5 * v[q].wt * cos(2.0 * (v[q].phase + v[q].w * d));
	return ll;
}

int latency_refine_prior(const struct toneplan *plan, struct analysis *an, double centre, double sigma,
                         double *delta)
{
	if (!plan || !an || !delta || plan->n_tones == 0 || plan->n_tones > TONEPLAN_MAX_TONES ||
	    plan->window == 0 || an->n_tones != plan->n_tones || an->n_inputs == 0 ||
	    an->n_inputs > ANALYZER_MAX_INPUTS)
		return -EINVAL;
	struct vote v[ANALYZER_MAX_INPUTS * TONEPLAN_MAX_TONES];
	unsigned nv = 0;
	double w_low = INFINITY;
	for (unsigned k = 0; k < plan->n_tones; k++)
		for (unsigned j = 0; j < an->n_inputs; j++) {
			const struct tone_result *r = &an->h[j][k];
			if (!votes(r))
				continue;
			v[nv].w = 2.0 * M_PI * plan->bin[k] / plan->window;
			v[nv].phase = atan2(r->im, r->re);
			v[nv].wt = pow(10.0, fmin(r->snr_db, REFINE_MAX_SNR_DB) / 10.0);
			w_low = fmin(w_low, v[nv].w);
			nv++;
		}
	if (!nv)
		return -ENODATA;

	/* The prior's weight, in the units of the tones' (SNR = 1 / (2 phase
	 * variance)): where the probe is good to a few hundredths of a frame
	 * and the tones barely clear 20 dB, they move it only as far as their
	 * SNR earns. */
	const int has_prior = sigma > 0.0 && isfinite(sigma) && isfinite(centre);
	const double prior = has_prior ? 1.0 / (2.0 * sigma * sigma) : 0.0;
	const double c = has_prior ? centre : 0.0;

	/* The most likely round trip on a grid over the span the coarse
	 * estimate (or the prior) leaves open, finer than the fastest tone's
	 * lobe: no phase is unwrapped, so noise on the low tones cannot lead
	 * the fit into a neighbouring lobe of the high ones. */
	double half = REFINE_SPAN_FRACTION * M_PI / (2.0 * w_low);
	if (has_prior)
		half = fmin(half, fmax(1.0, 4.0 * sigma));
	double best = c, best_ll = -INFINITY;
	for (double d = c - half; d <= c + half; d += REFINE_STEP) {
		double ll = refine_ll(v, nv, d, prior, c);
		if (ll > best_ll) {
			best_ll = ll;
			best = d;
		}
	}
	double from = best - REFINE_STEP;
	for (double d = from; d <= from + 2.0 * REFINE_STEP; d += REFINE_FINE) {
		double ll = refine_ll(v, nv, d, prior, c);
		if (ll > best_ll) {
			best_ll = ll;
			best = d;
		}
	}
	/* then Gauss-Newton on the wrapped residuals, every tone at once */
	double d = best;
	for (int it = 0; it < REFINE_ITERATIONS; it++) {
		double num = prior * (d - c), den = prior;
		for (unsigned q = 0; q < nv; q++) {
			/* H = G e^{-i w delta}, G real: phase + w delta = 0 (mod pi) */
			double res = wrap_half(v[q].phase + v[q].w * d);
			num += v[q].wt * v[q].w * res;
			den += v[q].wt * v[q].w * v[q].w;
		}
		if (den > 0.0)
			d -= num / den;
	}
	analysis_rereference(an, plan, an->stim_pos - d);
	*delta = d;
	return 0;
}
