/* series: the resistance of a cable's conductors read back from the measured gains through the jig's network model. */
#include "series.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "network.h"

#define SERIES_MIN_OHMS 1e-4      /* the fit's floor: a measured gain above the model's reads as ~0 */
#define PATH_MIN_GAIN 1e-6        /* a path at all: above -120 dB in the model (a crosstalk path counts) */
#define PATH_MIN_SNR_DB 20.0      /* measured well enough to use: |H| within 10 % */
#define MODEL_FLOOR 1e-4          /* relative error of the model itself (1 % parts, calibrated): no path
                                     is trusted beyond it, however high its SNR */
#define ITERATIONS 60             /* Levenberg–Marquardt steps; a fit settles in a handful */

#define N_PATHS (FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS)

/* The fit: unknown conductors, usable paths and their weights. */
struct fit {
	const struct fixture *f;
	const struct analysis *an;
	struct wiring w;              /* the conductors at the current estimate */
	network *net;
	unsigned n_paths, path[N_PATHS];
	double want[N_PATHS], sigma[N_PATHS];   /* ln |H| measured, and its standard error */
	unsigned n_x, cond[WIRING_MAX];          /* the conductors being fitted */
	double g[N_PATHS];
};

static double ohms_of(const struct conductor *c)
{
	return c->ohms > 0 ? c->ohms : WIRING_DEFAULT_OHMS;
}

/* Weighted residuals at the current estimate into r; their sum of squares,
 * or -1 when the model cannot be solved. */
static double residuals(struct fit *ft, double *r)
{
	double sum = 0;
	if (fixture_gains(ft->f, &ft->w, ft->net, ft->g) < 0)
		return -1;
	for (unsigned k = 0; k < ft->n_paths; k++) {
		double m = fabs(ft->g[ft->path[k]]);
		r[k] = ((m > 0 ? log(m) : -300.0) - ft->want[k]) / ft->sigma[k];
		sum += r[k] * r[k];
	}
	return sum;
}

/* Solve a x = b (n × n, row major) by Gaussian elimination with partial
 * pivoting, in place. 0, or -EDOM when singular. */
static int solve_dense(double *a, double *b, unsigned n)
{
	for (unsigned c = 0; c < n; c++) {
		unsigned p = c;
		for (unsigned r = c + 1; r < n; r++)
			if (fabs(a[r * n + c]) > fabs(a[p * n + c]))
				p = r;
		if (fabs(a[p * n + c]) < 1e-300)
			return -EDOM;
		if (p != c) {
			for (unsigned k = 0; k < n; k++) {
				double t = a[c * n + k];
				a[c * n + k] = a[p * n + k];
				a[p * n + k] = t;
			}
			double t = b[c];
			b[c] = b[p];
			b[p] = t;
		}
		for (unsigned r = c + 1; r < n; r++) {
			double m = a[r * n + c] / a[c * n + c];
			for (unsigned k = c; k < n; k++)
				a[r * n + k] -= m * a[c * n + k];
			b[r] -= m * b[c];
		}
	}
	for (unsigned c = n; c-- > 0;) {
		for (unsigned k = c + 1; k < n; k++)
			b[c] -= a[c * n + k] * b[k];
		b[c] /= a[c * n + c];
	}
	return 0;
}

/* Which paths the fit may use, and which conductors it can resolve: one
 * ohm more must move some usable path by SERIES_MIN_SENSITIVITY. */
static int setup(struct fit *ft, double *g0, double *g1)
{
	const struct fixture *f = ft->f;
	unsigned n_in = f->n_inputs < ft->an->n_inputs ? f->n_inputs : ft->an->n_inputs;
	unsigned n_out = f->n_outputs < ft->an->n_tones ? f->n_outputs : ft->an->n_tones;
	if (fixture_gains(f, &ft->w, ft->net, g0) < 0)
		return -ENODATA;
	for (unsigned i = 0; i < n_in; i++)
		for (unsigned o = 0; o < n_out; o++) {
			const struct tone_result *t = &ft->an->h[i][o];
			unsigned e = i * f->n_outputs + o;
			if (fabs(g0[e]) < PATH_MIN_GAIN || t->snr_db < PATH_MIN_SNR_DB || !(t->gain > 0))
				continue;
			ft->path[ft->n_paths] = e;
			ft->want[ft->n_paths] = log(t->gain);
			ft->sigma[ft->n_paths++] = pow(10.0, -t->snr_db / 20.0) + MODEL_FLOOR;
		}
	for (unsigned c = 0; c < ft->w.n; c++) {
		double keep = ft->w.c[c].ohms, best = 0;
		ft->w.c[c].ohms = ohms_of(&ft->w.c[c]) + 1.0;
		int rc = fixture_gains(f, &ft->w, ft->net, g1);
		ft->w.c[c].ohms = keep;
		for (unsigned k = 0; rc == 0 && k < ft->n_paths; k++) {
			unsigned e = ft->path[k];
			double rel = fabs(fabs(g1[e]) - fabs(g0[e])) / fabs(g0[e]);
			best = rel > best ? rel : best;
		}
		if (best >= SERIES_MIN_SENSITIVITY)
			ft->cond[ft->n_x++] = c;
	}
	return ft->n_x ? 0 : -ENODATA;
}

/* One damped Gauss–Newton step on every fitted conductor at once (shared
 * paths, such as a ground return that carries both channels, are what
 * tells the conductors apart). Returns the largest change in ohms, or -1
 * when the model fails. lambda adapts to how well steps work. */
static double step(struct fit *ft, double *lambda, double *r, double *jac, double *a, double *b)
{
	unsigned n = ft->n_x, m = ft->n_paths;
	double r1[N_PATHS], cost = residuals(ft, r);
	if (cost < 0)
		return -1;
	for (unsigned x = 0; x < n; x++) {
		struct conductor *c = &ft->w.c[ft->cond[x]];
		double keep = c->ohms, h = 1e-4 + 1e-4 * ohms_of(c);
		c->ohms = ohms_of(c) + h;
		double ok = residuals(ft, r1);
		c->ohms = keep;
		if (ok < 0)
			return -1;
		for (unsigned k = 0; k < m; k++)
			jac[k * n + x] = (r1[k] - r[k]) / h;
	}
	for (int tries = 0; tries < 12; tries++) {
		for (unsigned i = 0; i < n; i++) {
			b[i] = 0;
			for (unsigned k = 0; k < m; k++)
				b[i] -= jac[k * n + i] * r[k];
			for (unsigned j = 0; j < n; j++) {
				double s = 0;
				for (unsigned k = 0; k < m; k++)
					s += jac[k * n + i] * jac[k * n + j];
				a[i * n + j] = s + (i == j ? *lambda * (s + 1e-12) : 0);
			}
		}
		if (solve_dense(a, b, n) < 0) {
			*lambda *= 10;
			continue;
		}
		double keep[WIRING_MAX], moved = 0;
		for (unsigned x = 0; x < n; x++) {
			struct conductor *c = &ft->w.c[ft->cond[x]];
			double was = ohms_of(c), v = was + b[x];
			keep[x] = c->ohms;
			c->ohms = v < SERIES_MIN_OHMS ? SERIES_MIN_OHMS : v > SERIES_MAX_OHMS ? SERIES_MAX_OHMS : v;
			moved = fabs(c->ohms - was) > moved ? fabs(c->ohms - was) : moved;
		}
		double c1 = residuals(ft, r1);
		if (c1 >= 0 && c1 <= cost) {
			*lambda = *lambda / 3 > 1e-9 ? *lambda / 3 : 1e-9;
			return moved;
		}
		for (unsigned x = 0; x < n; x++)
			ft->w.c[ft->cond[x]].ohms = keep[x];
		*lambda *= 4;
	}
	return 0;   /* no step lowers the misfit: at the minimum (or a bound) */
}

int series_estimate(const struct fixture *f, const struct wiring *w, const struct analysis *an,
                    double ohms[WIRING_MAX], double *max_ohms)
{
	struct fit *ft = calloc(1, sizeof(*ft));
	double *g1 = calloc(N_PATHS, sizeof(double)), *r = calloc(N_PATHS, sizeof(double));
	double *jac = calloc((size_t)N_PATHS * WIRING_MAX, sizeof(double));
	double *a = calloc((size_t)WIRING_MAX * WIRING_MAX, sizeof(double)), *b = calloc(WIRING_MAX, sizeof(double));
	int rc = -ENOMEM;

	*max_ohms = 0;
	for (unsigned c = 0; c < w->n && c < WIRING_MAX; c++)
		ohms[c] = NAN;
	if (!ft || !g1 || !r || !jac || !a || !b || !(ft->net = network_create()))
		goto out;
	ft->f = f;
	ft->an = an;
	ft->w = *w;
	rc = -ENODATA;
	if (f->n_inputs * f->n_outputs > N_PATHS || !w->n || setup(ft, ft->g, g1) < 0)
		goto out;
	double lambda = 1e-3;
	for (int it = 0; it < ITERATIONS; it++) {
		double moved = step(ft, &lambda, r, jac, a, b);
		if (moved < 0)
			goto out;
		if (moved < 1e-9)
			break;
	}
	for (unsigned x = 0; x < ft->n_x; x++) {
		unsigned c = ft->cond[x];
		double v = ohms_of(&ft->w.c[c]);
		ohms[c] = v <= SERIES_MIN_OHMS * 1.0001 ? 0.0 : v;
		*max_ohms = ohms[c] > *max_ohms ? ohms[c] : *max_ohms;
	}
	rc = 0;
out:
	if (ft)
		network_destroy(ft->net);
	free(ft);
	free(g1);
	free(r);
	free(jac);
	free(a);
	free(b);
	return rc;
}
