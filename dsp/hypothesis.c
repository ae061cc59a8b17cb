/* hypothesis: the wirings near an expected one, with predicted gains and rank-one terms for fitted resistances. */
#include "hypothesis.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Range of a fitted short: from a dead short (a solder bridge is a few
 * tens of mΩ, like a contact) to 1 MΩ, a hundred times the usual 10 kΩ
 * input impedance, beyond which a short changes no gain by 1 %. */
#define SHORT_MIN_OHMS 0.01
#define SHORT_MAX_OHMS 1e6
/* Added series resistance: 0 (as built) up to 1 MΩ, where it becomes an
 * open for every jig (and open is its own, simpler hypothesis). */
#define SERIES_MAX_OHMS 1e6
/* Two predictions closer than this (relative to the largest expected gain)
 * in every entry are the same observation: −60 dB is half the tightest
 * model tolerance a calibrated station sets (0.2 %) and the noise of a
 * 60 dB measurement, so no measurement separates them and keeping both
 * only costs time. A short at one end of a cable and the same short at the
 * other differ by the conductors' 0.05 Ω and merge here. */
#define TWIN_TOL 1e-3
/* Resistances at which parameter hypotheses are compared with each other
 * when looking for twins: a dead short, a typical fault, a weak leak. */
static const double SHORT_SAMPLES[3] = {0.1, 10.0, 1000.0};
static const double SERIES_SAMPLES[3] = {1.0, 100.0, 10000.0};
#define N_SAMPLES 3
/* Starting values for the first of two fitted resistances: half-decade
 * steps over the whole range, so the exact fit of the second one at each
 * starts the refinement in the right valley (fitting each in turn from
 * "nothing there" can slide into an open conductor and stay there). */
static const double SHORT_GRID[] = {0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0,
                                    1e3, 3e3, 1e4, 1e5, 1e6};
static const double SERIES_GRID[] = {0.0, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1e3, 3e3, 1e4, 1e5, 1e6};

static double conductor_ohms(const struct conductor *c)
{
	return c->ohms > 0.0 ? c->ohms : WIRING_DEFAULT_OHMS;
}

int hyp_mirror(const struct fixture *f, int contact)
{
	if (contact < 0 || (unsigned)contact >= f->n_contacts)
		return -1;
	const struct fixture_contact *c = &f->contact[contact];
	const char *dot = strchr(c->name, '.');
	const char *suffix = dot ? dot + 1 : c->name;
	for (unsigned k = 0; k < f->n_contacts; k++) {
		const struct fixture_contact *o = &f->contact[k];
		if (o->end == c->end)
			continue;
		const char *od = strchr(o->name, '.');
		if (strcmp(od ? od + 1 : o->name, suffix) == 0)
			return (int)k;
	}
	return -1;
}

/* Apply the discrete part of h (swaps, opens, reversal) to a copy of
 * expected; opened conductors are marked, not removed, so conductor
 * indexes keep their meaning for series parameters. */
static int apply_discrete(const struct fixture *f, const struct wiring *expected, const struct hyp *h,
                          struct wiring *w, int removed[WIRING_MAX])
{
	*w = *expected;
	memset(removed, 0, WIRING_MAX * sizeof(int));
	for (unsigned k = 0; k < h->n_elems; k++) {
		const struct hyp_elem *e = &h->e[k];
		switch (e->kind) {
		case HYP_SWAP: {
			int t = w->c[e->i].b;
			w->c[e->i].b = w->c[e->j].b;
			w->c[e->j].b = t;
			break;
		}
		case HYP_OPEN:
			removed[e->i] = 1;
			break;
		case HYP_REVERSED:
			for (unsigned c = 0; c < w->n; c++) {
				int a = hyp_mirror(f, w->c[c].b), b = hyp_mirror(f, w->c[c].a);
				if (a < 0 || b < 0)
					return -EINVAL;
				w->c[c].a = a;
				w->c[c].b = b;
			}
			break;
		case HYP_SERIES:
		case HYP_SHORT:
			break;
		}
	}
	return 0;
}

/* The contacts a parameter's element joins, and its base conductance. */
static void param_nodes(const struct wiring *w, const struct hyp_elem *e, int *x, int *y, double *y0)
{
	if (e->kind == HYP_SERIES) {
		*x = w->c[e->i].a;
		*y = w->c[e->i].b;
		*y0 = 1.0 / conductor_ohms(&w->c[e->i]);
	} else {
		*x = e->i;
		*y = e->j;
		*y0 = 0.0;
	}
}

double hyp_param_ohms(const struct hyp *h, unsigned k, double dy)
{
	if (h->e[h->param_elem[k]].kind == HYP_SERIES)
		return 1.0 / (h->y0[k] + dy) - 1.0 / h->y0[k];
	return 1.0 / dy;
}

int hyp_wiring(const struct fixture *f, const struct wiring *expected, const struct hyp *h,
               const double dy[HYP_MAX_PARAMS], struct wiring *out)
{
	struct wiring w;
	int removed[WIRING_MAX];
	int rc = apply_discrete(f, expected, h, &w, removed);
	if (rc < 0)
		return rc;
	for (unsigned k = 0; dy && k < h->n_params; k++) {
		const struct hyp_elem *e = &h->e[h->param_elem[k]];
		if (e->kind == HYP_SERIES)
			w.c[e->i].ohms = conductor_ohms(&w.c[e->i]) + hyp_param_ohms(h, k, dy[k]);
	}
	out->n = 0;
	for (unsigned c = 0; c < w.n; c++)
		if (!removed[c])
			out->c[out->n++] = w.c[c];
	for (unsigned k = 0; dy && k < h->n_params; k++) {
		const struct hyp_elem *e = &h->e[h->param_elem[k]];
		if (e->kind != HYP_SHORT)
			continue;
		if (out->n >= WIRING_MAX)
			return -ENOSPC;
		out->c[out->n++] = (struct conductor){e->i, e->j, hyp_param_ohms(h, k, dy[k])};
	}
	return 0;
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

/* ---- enumeration ---- */

static int uf_find(int *parent, int x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

struct builder {
	const struct fixture *f;
	const struct wiring *expected;
	const double *eg;            /* expected gains */
	network *net;
	double tol;
	unsigned n;                  /* entries of a gain matrix */
	double *samples;             /* per kept hypothesis: N_SAMPLES predictions */
	size_t samples_size;
	double *tmp;                 /* scratch: one candidate's samples, p0, a, b, work */
	double *work;
};

static int arena_grow(struct hypset *hs, size_t need)
{
	if (hs->used + need <= hs->size)
		return 0;
	size_t size = hs->size ? hs->size : 4096;
	while (size < hs->used + need)
		size *= 2;
	double *a = realloc(hs->arena, size * sizeof(double));
	if (!a)
		return -ENOMEM;
	hs->arena = a;
	hs->size = size;
	return 0;
}

static int same_prediction(const double *x, const double *y, unsigned n, double tol)
{
	for (unsigned k = 0; k < n; k++)
		if (fabs(x[k] - y[k]) > tol)
			return 0;
	return 1;
}

static unsigned n_samples(const struct hyp *h)
{
	return h->n_params ? N_SAMPLES : 1;
}

static int same_kinds(const struct hyp *x, const struct hyp *y)
{
	if (x->n_params != y->n_params)
		return 0;
	for (unsigned k = 0; k < x->n_params; k++)
		if (x->e[x->param_elem[k]].kind != y->e[y->param_elem[k]].kind)
			return 0;
	return 1;
}

static double sample_dy(const struct hyp *h, unsigned k, unsigned s)
{
	if (h->e[h->param_elem[k]].kind == HYP_SERIES)
		return 1.0 / (1.0 / h->y0[k] + SERIES_SAMPLES[s]) - h->y0[k];
	return 1.0 / SHORT_SAMPLES[s];
}

static int is_pair(enum role x, enum role y, enum role p, enum role q)
{
	return (x == p && y == q) || (x == q && y == p);
}

/* How plain an explanation an element is, for choosing between
 * hypotheses the jig cannot tell apart. The named patterns of DESIGN §1
 * come first — ground and microphone exchanged (a CTIA/OMTP mismatch) and
 * microphone shorted to ground (a TRRS plug in a TRS jack) are the
 * everyday causes of what they look like — then the kinds in order. */
static unsigned elem_cost(const struct fixture *f, const struct wiring *w, const struct hyp_elem *e)
{
	if (e->kind == HYP_SWAP &&
	    is_pair(f->contact[w->c[e->i].a].role, f->contact[w->c[e->j].a].role, ROLE_G, ROLE_MIC))
		return 0;
	if (e->kind == HYP_SHORT && is_pair(f->contact[e->i].role, f->contact[e->j].role, ROLE_G, ROLE_MIC))
		return 0;
	return (unsigned)e->kind + 1;
}

/* Solve one candidate, then keep it unless the jig cannot see it (it
 * predicts the expected gains) or a simpler kept one predicts the same.
 * *rep is the index that now stands for it (itself, or the twin it merged
 * with), -1 when it is unobservable, -2 when it was not kept at all. */
static int consider(struct hypset *hs, struct builder *bd, struct hyp *h, int *rep)
{
	const struct fixture *f = bd->f;
	unsigned n = bd->n, ni = hs->n_in, no = hs->n_out;
	struct wiring w, base;
	int removed[WIRING_MAX];
	int px[HYP_MAX_PARAMS], py[HYP_MAX_PARAMS];
	double v[NETWORK_MAX_NODES], z[HYP_MAX_PARAMS][NETWORK_MAX_NODES];
	int rc;

	*rep = -2;
	if (hs->n >= HYP_MAX) {
		hs->truncated = 1;
		return 0;
	}
	if (apply_discrete(f, bd->expected, h, &w, removed) < 0)
		return 0;
	h->n_params = 0;
	for (unsigned k = 0; k < h->n_elems; k++) {
		enum hyp_kind kind = h->e[k].kind;
		if (kind == HYP_SERIES || kind == HYP_SHORT) {
			unsigned p = h->n_params++;
			h->param_elem[p] = k;
			param_nodes(&w, &h->e[k], &px[p], &py[p], &h->y0[p]);
		}
	}
	base.n = 0;
	for (unsigned c = 0; c < w.n; c++)
		if (!removed[c])
			base.c[base.n++] = w.c[c];

	/* Candidate layout in tmp: samples, then p0, a, b. */
	unsigned ns = n_samples(h);
	double *smp = bd->tmp, *p0 = smp + N_SAMPLES * n, *a = p0 + n, *b = a + HYP_MAX_PARAMS * ni;
	rc = fixture_network(f, &base, bd->net);
	if (rc == 0)
		rc = network_solve(bd->net, p0);
	if (rc == -EDOM)
		return 0;   /* numerically singular: not a wiring the jig can hold */
	if (rc < 0)
		return rc;
	for (unsigned k = 0; k < h->n_params; k++) {
		rc = network_transfer(bd->net, (unsigned)px[k] + 1, (unsigned)py[k] + 1, z[k]);
		if (rc < 0)
			return rc;
		for (unsigned i = 0; i < ni; i++) {
			int pos = f->input_pos[i], neg = f->input_neg[i];
			a[k * ni + i] = z[k][pos] - (neg >= 0 ? z[k][neg] : 0.0);
		}
	}
	for (unsigned o = 0; o < no && h->n_params; o++) {
		rc = network_node_voltages(bd->net, o, v);
		if (rc < 0)
			return rc;
		for (unsigned k = 0; k < h->n_params; k++)
			b[k * no + o] = v[px[k]] - v[py[k]];
	}
	for (unsigned j = 0; j < h->n_params; j++)
		for (unsigned k = 0; k < h->n_params; k++)
			h->s[j][k] = z[k][px[j]] - z[k][py[j]];
	if (h->n_params == 2) {
		/* Z is symmetric; average away the rounding of two solves. */
		double s01 = 0.5 * (h->s[0][1] + h->s[1][0]);
		h->s[0][1] = h->s[1][0] = s01;
	}

	/* Predictions to compare by: p0 alone, or three parameter values. */
	struct hyp probe = *h;
	if (h->n_params == 0) {
		memcpy(smp, p0, n * sizeof(double));
	} else {
		/* hyp_predict reads the arena: stage the terms there first. */
		rc = arena_grow(hs, n + (size_t)h->n_params * (ni + no));
		if (rc < 0)
			return rc;
		probe.p0 = hs->used;
		probe.a = probe.p0 + n;
		probe.b = probe.a + (size_t)h->n_params * ni;
		memcpy(hs->arena + probe.p0, p0, n * sizeof(double));
		memcpy(hs->arena + probe.a, a, (size_t)h->n_params * ni * sizeof(double));
		memcpy(hs->arena + probe.b, b, (size_t)h->n_params * no * sizeof(double));
		for (unsigned s = 0; s < N_SAMPLES; s++) {
			double dy[HYP_MAX_PARAMS];
			dy[0] = sample_dy(h, 0, s);
			if (h->n_params == 2)
				dy[1] = sample_dy(h, 1, N_SAMPLES - 1 - s);
			hyp_predict(hs, &probe, dy, smp + s * n, bd->work);
		}
	}

	h->cost = 0;
	for (unsigned k = 0; k < h->n_elems; k++)
		h->cost += elem_cost(f, bd->expected, &h->e[k]);

	/* Unobservable: every prediction equals the expected gains (for a
	 * parameter, this also covers "its value changes nothing"). */
	int all_expected = 1, all_same = 1;
	for (unsigned s = 0; s < ns; s++) {
		if (!same_prediction(smp + s * n, bd->eg, n, bd->tol))
			all_expected = 0;
		if (s && !same_prediction(smp + s * n, smp, n, bd->tol))
			all_same = 0;
	}
	if (all_expected) {
		hs->unobservable++;
		*rep = -1;
		return 0;
	}
	if (h->n_params && all_same) {
		/* A resistance nobody sees: the hypothesis without that element
		 * (enumerated as well) says the same with fewer words. */
		hs->twins++;
		if (h->n_elems == 1)
			*rep = -1;
		return 0;
	}
	for (unsigned k = 0; k < hs->n; k++) {
		const struct hyp *o = &hs->h[k];
		if (!same_kinds(o, h))
			continue;
		const double *os = bd->samples + (size_t)k * N_SAMPLES * n;
		unsigned s;
		for (s = 0; s < ns; s++)
			if (!same_prediction(os + s * n, smp + s * n, n, bd->tol))
				break;
		if (s < ns)
			continue;
		hs->twins++;
		unsigned flags = o->flags;
		if (o->n_elems == 1 && h->n_elems == 1 && o->e[0].kind == HYP_SHORT &&
		    h->e[0].kind == HYP_SHORT && f->contact[o->e[0].i].end != f->contact[h->e[0].i].end)
			flags |= HYP_EITHER_END;
		if (h->n_elems < o->n_elems || (h->n_elems == o->n_elems && h->cost < o->cost)) {
			/* The newcomer is the simpler name for the same observation:
			 * it takes the slot (same parameter count, same storage). */
			struct hyp *slot = &hs->h[k];
			h->p0 = slot->p0;
			h->a = slot->a;
			h->b = slot->b;
			h->flags = flags;
			memcpy(hs->arena + h->p0, p0, n * sizeof(double));
			memcpy(hs->arena + h->a, a, (size_t)h->n_params * ni * sizeof(double));
			memcpy(hs->arena + h->b, b, (size_t)h->n_params * no * sizeof(double));
			if (h->n_elems == 1)
				h->single[0] = (int)k;
			*slot = *h;
		} else {
			hs->h[k].flags = flags;
		}
		*rep = (int)k;
		return 0;
	}

	/* Keep it. */
	rc = arena_grow(hs, n + (size_t)h->n_params * (ni + no));
	if (rc < 0)
		return rc;
	size_t need = (size_t)(hs->n + 1) * N_SAMPLES * n;
	if (need > bd->samples_size) {
		size_t size = bd->samples_size ? 2 * bd->samples_size : 64u * N_SAMPLES * n;
		double *p = realloc(bd->samples, size * sizeof(double));
		if (!p)
			return -ENOMEM;
		bd->samples = p;
		bd->samples_size = size;
	}
	h->p0 = hs->used;
	h->a = h->p0 + n;
	h->b = h->a + (size_t)h->n_params * ni;
	memcpy(hs->arena + h->p0, p0, n * sizeof(double));
	memcpy(hs->arena + h->a, a, (size_t)h->n_params * ni * sizeof(double));
	memcpy(hs->arena + h->b, b, (size_t)h->n_params * no * sizeof(double));
	hs->used = h->b + (size_t)h->n_params * no;
	memcpy(bd->samples + (size_t)hs->n * N_SAMPLES * n, smp, (size_t)ns * n * sizeof(double));
	if (h->n_elems == 1)
		h->single[0] = (int)hs->n;
	*rep = (int)hs->n;
	hs->h[hs->n++] = *h;
	return 0;
}

static int conflicts(const struct hyp_elem *x, const struct hyp_elem *y, const int *net)
{
	/* An open conductor has no resistance to raise. */
	if ((x->kind == HYP_OPEN && y->kind == HYP_SERIES) || (x->kind == HYP_SERIES && y->kind == HYP_OPEN))
		return x->i == y->i;
	/* Two shorts between the same two conductors (one at each end) are
	 * one short of the parallel resistance to any jig: name it once. */
	if (x->kind == HYP_SHORT && y->kind == HYP_SHORT) {
		int xa = net[x->i], xb = net[x->j], ya = net[y->i], yb = net[y->j];
		return (xa == ya && xb == yb) || (xa == yb && xb == ya);
	}
	return 0;
}

int hypset_build(struct hypset *hs, const struct fixture *f, const struct wiring *expected,
                 const double *expected_gain, network *net)
{
	struct builder bd = {0};
	struct hyp_elem *single = NULL;
	int *rep = NULL;   /* what stands for each single: its index, or -1 (unobservable) */
	int net_of[FIXTURE_MAX_CONTACTS], carries[FIXTURE_MAX_CONTACTS] = {0};
	unsigned n_single = 0;
	int rc = -ENOMEM;

	memset(hs, 0, sizeof(*hs));
	hs->n_in = f->n_inputs;
	hs->n_out = f->n_outputs;
	bd.f = f;
	bd.expected = expected;
	bd.eg = expected_gain;
	bd.net = net;
	bd.n = f->n_inputs * f->n_outputs;
	double emax = 0.0;
	for (unsigned k = 0; k < bd.n; k++)
		if (fabs(expected_gain[k]) > emax)
			emax = fabs(expected_gain[k]);
	bd.tol = TWIN_TOL * (emax > 0.0 ? emax : 1.0);

	/* Nets of the good cable: contacts joined by its conductors. */
	for (unsigned c = 0; c < f->n_contacts; c++)
		net_of[c] = (int)c;
	for (unsigned k = 0; k < expected->n; k++) {
		int a = uf_find(net_of, expected->c[k].a), b = uf_find(net_of, expected->c[k].b);
		net_of[a] = b;
		carries[expected->c[k].a] = carries[expected->c[k].b] = 1;
	}
	for (unsigned c = 0; c < f->n_contacts; c++)
		net_of[c] = uf_find(net_of, (int)c);

	size_t max_single = 2u * expected->n + (size_t)f->n_contacts * f->n_contacts +
	                    (size_t)expected->n * expected->n + 1;
	single = calloc(max_single, sizeof(*single));
	rep = calloc(max_single, sizeof(*rep));
	hs->h = calloc(HYP_MAX, sizeof(*hs->h));
	bd.tmp = calloc((size_t)N_SAMPLES * bd.n + bd.n + HYP_MAX_PARAMS * (size_t)(bd.n + f->n_inputs + f->n_outputs) + 1,
	                sizeof(double));
	hs->n_in = f->n_inputs;
	hs->n_out = f->n_outputs;
	bd.work = calloc(hyp_scratch_len(hs) + 1, sizeof(double));
	if (!single || !rep || !hs->h || !bd.tmp || !bd.work)
		goto fail;

	/* Singles, simplest kinds first (twins keep the first seen). */
	for (unsigned k = 0; k < expected->n; k++)
		single[n_single++] = (struct hyp_elem){HYP_OPEN, (int)k, -1};
	for (unsigned k = 0; k < expected->n; k++)
		single[n_single++] = (struct hyp_elem){HYP_SERIES, (int)k, -1};
	/* Shorts at the far end first: when the ends cannot be told apart the
	 * far end (where the jig senses) is the one named. */
	for (int end = 1; end >= 0; end--) {
		for (unsigned x = 0; x < f->n_contacts; x++) {
			for (unsigned y = x + 1; y < f->n_contacts; y++) {
				if ((int)f->contact[x].end != end || f->contact[y].end != f->contact[x].end)
					continue;
				if (!carries[x] || !carries[y] || net_of[x] == net_of[y])
					continue;
				single[n_single++] = (struct hyp_elem){HYP_SHORT, (int)x, (int)y};
			}
		}
	}
	for (unsigned i = 0; i < expected->n; i++)
		for (unsigned j = i + 1; j < expected->n; j++)
			if (expected->c[i].b != expected->c[j].b && expected->c[i].a != expected->c[j].a)
				single[n_single++] = (struct hyp_elem){HYP_SWAP, (int)i, (int)j};

	for (unsigned k = 0; k < n_single; k++) {
		struct hyp h = {.n_elems = 1, .e = {single[k]}};
		rc = consider(hs, &bd, &h, &rep[k]);
		if (rc < 0)
			goto fail;
	}
	/* End reversed: only when every contact has a namesake at the other end. */
	{
		int mirrored = f->n_contacts > 0;
		for (unsigned c = 0; c < f->n_contacts; c++)
			if (hyp_mirror(f, (int)c) < 0)
				mirrored = 0;
		if (mirrored) {
			struct hyp h = {.n_elems = 1, .e = {{HYP_REVERSED, -1, -1}}};
			int where;
			rc = consider(hs, &bd, &h, &where);
			if (rc < 0)
				goto fail;
		}
	}
	for (unsigned x = 0; x < n_single; x++) {
		for (unsigned y = x + 1; y < n_single; y++) {
			if (conflicts(&single[x], &single[y], net_of))
				continue;
			if (rep[x] == -2 || rep[y] == -2)
				continue;   /* a part that is not a wiring at all */
			struct hyp h = {.n_elems = 2, .e = {single[x], single[y]}, .single = {rep[x], rep[y]}};
			int where;
			rc = consider(hs, &bd, &h, &where);
			if (rc < 0)
				goto fail;
		}
	}
	rc = 0;
fail:
	free(single);
	free(rep);
	free(bd.samples);
	free(bd.tmp);
	free(bd.work);
	if (rc < 0)
		hypset_free(hs);
	return rc;
}

void hypset_free(struct hypset *hs)
{
	if (!hs)
		return;
	free(hs->h);
	free(hs->arena);
	hs->h = NULL;
	hs->arena = NULL;
	hs->n = 0;
	hs->used = hs->size = 0;
}
