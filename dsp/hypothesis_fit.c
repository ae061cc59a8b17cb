/* hypothesis fit: least-squares fit of a hypothesis' resistances to a measurement, and its prediction (rank-one updates). */
#include "internal/hypothesis.h"

#include <math.h>
#include <string.h>

/* Range of a fitted short: from a dead short (a solder bridge is a few
 * tens of mΩ, like a contact) to 1 MΩ, a hundred times the usual 10 kΩ
 * input impedance, beyond which a short changes no gain by 1 %. */
#define SHORT_MIN_OHMS 0.01
#define SHORT_MAX_OHMS 1e6
/* Added series resistance: 0 (as built) up to 1 MΩ, where it becomes an
 * open for every jig (and open is its own, simpler hypothesis). */
#define SERIES_MAX_OHMS 1e6

/* Starting values for the first of two fitted resistances: half-decade
 * steps over the whole range, so the exact fit of the second one at each
 * starts the refinement in the right valley (fitting each in turn from
 * "nothing there" can slide into an open conductor and stay there). */
static const double SHORT_GRID[] = {0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0,
                                    1e3, 3e3, 1e4, 1e5, 1e6};
static const double SERIES_GRID[] = {0.0, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1e3, 3e3, 1e4, 1e5, 1e6};

double hyp_param_ohms(const struct hyp *h, unsigned k, double dy)
{
	if (h->e[h->param_elem[k]].kind == HYP_SERIES)
		return 1.0 / (h->y0[k] + dy) - 1.0 / h->y0[k];
	return 1.0 / dy;
}

/* Conductance change range of parameter k: shorts from "absent" (1 MΩ)
 * to dead; series from as built (0) down to nearly open. */
static void dy_range(const struct hyp *h, unsigned k, double *lo, double *hi)
{
	if (h->e[h->param_elem[k]].kind == HYP_SERIES) {
		double r0 = 1.0 / h->y0[k];
		*lo = 1.0 / (r0 + SERIES_MAX_OHMS) - h->y0[k];
		*hi = 0.0;
	} else {
		*lo = 1.0 / SHORT_MAX_OHMS;
		*hi = 1.0 / SHORT_MIN_OHMS;
	}
}

/* The element's "nothing happened" value: a short too weak to see, a
 * series resistance of zero. Fits start there. */
static double dy_absent(const struct hyp *h, unsigned k)
{
	return h->e[h->param_elem[k]].kind == HYP_SERIES ? 0.0 : 1.0 / SHORT_MAX_OHMS;
}

/* Sherman–Morrison: adding dy across u scales the rank-one term a bᵀ by
 * c = dy / (1 + dy s), with s = uᵀ Z u the resistance already across u.
 * c is monotonic in dy while 1 + dy s > 0, which holds for every physical
 * dy (a series change never removes more than the conductor's own
 * conductance, and s is below that conductor's resistance). */
static double c_of(double dy, double s)
{
	return dy / (1.0 + dy * s);
}

static double dy_of(double c, double s)
{
	return c / (1.0 - c * s);
}

size_t hyp_scratch_len(const struct hypset *hs)
{
	return (size_t)hs->n_in * hs->n_out + 2u * (hs->n_in + hs->n_out);
}

/* The base and rank-one terms of parameter k with the other parameter j
 * (when there is one) applied at dy_j: p0' = p0 − c_j a_j b_jᵀ,
 * a_k' = a_k − c_j s_jk a_j, b_k' = b_k − c_j s_jk b_j,
 * s_kk' = s_kk − c_j s_jk². */
struct effective {
	const double *p0, *a, *b;
	double s;
};

static void effective_terms(const struct hypset *hs, const struct hyp *h, unsigned k, double dy_j,
                            double *p0buf, double *abuf, double *bbuf, struct effective *out)
{
	const double *p0 = hs->arena + h->p0;
	const double *a = hs->arena + h->a, *b = hs->arena + h->b;
	unsigned ni = hs->n_in, no = hs->n_out;

	if (h->n_params == 1) {
		out->p0 = p0;
		out->a = a;
		out->b = b;
		out->s = h->s[0][0];
		return;
	}
	unsigned j = 1 - k;
	double cj = c_of(dy_j, h->s[j][j]), sjk = h->s[j][k];
	const double *aj = a + j * ni, *bj = b + j * no;
	for (unsigned i = 0; i < ni; i++)
		for (unsigned o = 0; o < no; o++)
			p0buf[i * no + o] = p0[i * no + o] - cj * aj[i] * bj[o];
	for (unsigned i = 0; i < ni; i++)
		abuf[i] = a[k * ni + i] - cj * sjk * aj[i];
	for (unsigned o = 0; o < no; o++)
		bbuf[o] = b[k * no + o] - cj * sjk * bj[o];
	out->p0 = p0buf;
	out->a = abuf;
	out->b = bbuf;
	out->s = h->s[k][k] - cj * sjk * sjk;
}

static void rank_one(const struct hypset *hs, const struct effective *e, double c, double *pred)
{
	unsigned ni = hs->n_in, no = hs->n_out;
	for (unsigned i = 0; i < ni; i++)
		for (unsigned o = 0; o < no; o++)
			pred[i * no + o] = e->p0[i * no + o] - c * e->a[i] * e->b[o];
}

void hyp_predict(const struct hypset *hs, const struct hyp *h, const double dy[HYP_MAX_PARAMS],
                 double *pred, double *scratch)
{
	unsigned n = hs->n_in * hs->n_out;
	struct effective e;

	if (h->n_params == 0) {
		memcpy(pred, hs->arena + h->p0, n * sizeof(double));
		return;
	}
	unsigned k = h->n_params - 1;
	effective_terms(hs, h, k, h->n_params == 2 ? dy[0] : 0.0, scratch, scratch + n,
	                scratch + n + hs->n_in, &e);
	rank_one(hs, &e, c_of(dy[k], e.s), pred);
}

/* Least squares for c in m ≈ p0 − c a bᵀ: linear in c, so exact. */
static double fit_c(const struct hypset *hs, const double *m, const double *w, const struct effective *e,
                    double c_lo, double c_hi, double c_none)
{
	unsigned ni = hs->n_in, no = hs->n_out;
	double num = 0.0, den = 0.0;
	for (unsigned i = 0; i < ni; i++) {
		for (unsigned o = 0; o < no; o++) {
			unsigned x = i * no + o;
			double q = e->a[i] * e->b[o];
			num += w[x] * (e->p0[x] - m[x]) * q;
			den += w[x] * q * q;
		}
	}
	if (!(den > 0.0))
		return c_none;   /* the element changes nothing the jig sees */
	double c = num / den;
	return c < c_lo ? c_lo : c > c_hi ? c_hi : c;
}

/* Fit parameter k with the other one (if any) held at dy[1 - k]. */
static void fit_param(const struct hypset *hs, const struct hyp *h, unsigned k, const double *m,
                      const double *w, double dy[HYP_MAX_PARAMS], double *pred, double *scratch)
{
	unsigned n = hs->n_in * hs->n_out;
	struct effective e;
	double lo, hi;

	effective_terms(hs, h, k, h->n_params == 2 ? dy[1 - k] : 0.0, scratch, scratch + n,
	                scratch + n + hs->n_in, &e);
	dy_range(h, k, &lo, &hi);
	double c = fit_c(hs, m, w, &e, c_of(lo, e.s), c_of(hi, e.s), c_of(dy_absent(h, k), e.s));
	double d = dy_of(c, e.s);
	dy[k] = d < lo ? lo : d > hi ? hi : d;
	rank_one(hs, &e, c, pred);
}

static double weighted_residual(const double *m, const double *w, const double *pred, unsigned n)
{
	double res = 0.0;
	for (unsigned x = 0; x < n; x++) {
		double d = m[x] - pred[x];
		res += w[x] * d * d;
	}
	return res;
}

static double dy_of_ohms(const struct hyp *h, unsigned k, double ohms)
{
	if (h->e[h->param_elem[k]].kind == HYP_SERIES)
		return 1.0 / (1.0 / h->y0[k] + ohms) - h->y0[k];
	return 1.0 / ohms;
}

/* With the first parameter at dy[0], the exact fit of the second and the
 * residual it leaves, in one pass and without writing a prediction: the
 * residual is the quadratic A − 2cB + c²C in the second's coefficient c. */
static double profile_point(const struct hypset *hs, const struct hyp *h, const double *m, const double *w,
                            double dy[HYP_MAX_PARAMS])
{
	unsigned ni = hs->n_in, no = hs->n_out;
	const double *p0 = hs->arena + h->p0, *a = hs->arena + h->a, *b = hs->arena + h->b;
	const double *a0 = a, *a1 = a + ni, *b0 = b, *b1 = b + no;
	double c0 = c_of(dy[0], h->s[0][0]), s01 = h->s[0][1];
	double s11 = h->s[1][1] - c0 * s01 * s01;
	double A = 0.0, B = 0.0, C = 0.0;

	for (unsigned i = 0; i < ni; i++) {
		double ai = a1[i] - c0 * s01 * a0[i], ci = c0 * a0[i];
		for (unsigned o = 0; o < no; o++) {
			unsigned x = i * no + o;
			double e = p0[x] - ci * b0[o] - m[x];
			double q = ai * (b1[o] - c0 * s01 * b0[o]);
			A += w[x] * e * e;
			B += w[x] * e * q;
			C += w[x] * q * q;
		}
	}
	double lo, hi;
	dy_range(h, 1, &lo, &hi);
	double c_lo = c_of(lo, s11), c_hi = c_of(hi, s11);
	double c = C > 0.0 ? B / C : c_of(dy_absent(h, 1), s11);
	c = c < c_lo ? c_lo : c > c_hi ? c_hi : c;
	double d = dy_of(c, s11);
	dy[1] = d < lo ? lo : d > hi ? hi : d;
	return A - 2.0 * c * B + c * c * C;
}

double hyp_fit(const struct hypset *hs, const struct hyp *h, const double *m, const double *w, double *pred,
               double dy[HYP_MAX_PARAMS], double *scratch)
{
	unsigned n = hs->n_in * hs->n_out;

	if (h->n_params == 0) {
		memcpy(pred, hs->arena + h->p0, n * sizeof(double));
	} else if (h->n_params == 1) {
		fit_param(hs, h, 0, m, w, dy, pred, scratch);   /* exact */
	} else {
		/* Profile over a grid of the first, the second fitted exactly at
		 * each point; then a few rounds of fitting each in turn. */
		int series = h->e[h->param_elem[0]].kind == HYP_SERIES;
		const double *grid = series ? SERIES_GRID : SHORT_GRID;
		unsigned ng = series ? sizeof(SERIES_GRID) / sizeof(SERIES_GRID[0])
		                     : sizeof(SHORT_GRID) / sizeof(SHORT_GRID[0]);
		double best = INFINITY, best_dy[HYP_MAX_PARAMS] = {0.0, 0.0};
		for (unsigned g = 0; g < ng; g++) {
			dy[0] = dy_of_ohms(h, 0, grid[g]);
			double r = profile_point(hs, h, m, w, dy);
			if (r < best) {
				best = r;
				best_dy[0] = dy[0];
				best_dy[1] = dy[1];
			}
		}
		dy[0] = best_dy[0];
		dy[1] = best_dy[1];
		for (unsigned r = 0; r < 2; r++)
			for (unsigned k = 0; k < 2; k++)
				fit_param(hs, h, k, m, w, dy, pred, scratch);
	}
	return weighted_residual(m, w, pred, n);
}
