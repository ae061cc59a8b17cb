/* hypothesis: the wirings near an expected one, enumerated once, solved, and kept when the jig can tell them apart. */
#include "internal/hypothesis.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

static int reverse_ends(const struct fixture *f, struct wiring *w)
{
	for (unsigned c = 0; c < w->n; c++) {
		int a = hyp_mirror(f, w->c[c].b), b = hyp_mirror(f, w->c[c].a);
		if (a < 0 || b < 0)
			return -EINVAL;
		w->c[c].a = a;
		w->c[c].b = b;
	}
	return 0;
}

/* Apply the discrete part of h (swaps, moves, opens, reversal) to a copy of
 * expected; opened conductors are marked, not removed, so conductor
 * indexes keep their meaning for series parameters. */
static int apply_discrete(const struct fixture *f, const struct wiring *expected, const struct hyp *h,
                          struct wiring *w, int removed[WIRING_MAX])
{
	*w = *expected;
	memset(removed, 0, WIRING_MAX * sizeof(int));
	for (unsigned k = 0; k < h->n_elems; k++) {
		const struct hyp_elem *e = &h->e[k];
		int conductor = e->kind != HYP_SHORT && e->kind != HYP_REVERSED;
		if ((conductor && (e->i < 0 || (unsigned)e->i >= w->n)) ||
		    (e->kind == HYP_SWAP && (e->j < 0 || (unsigned)e->j >= w->n)) ||
		    (e->kind == HYP_MOVE && (e->j < 0 || (unsigned)e->j >= f->n_contacts)))
			return -EINVAL;
		switch (e->kind) {
		case HYP_SWAP: {
			int t = w->c[e->i].b;
			w->c[e->i].b = w->c[e->j].b;
			w->c[e->j].b = t;
			break;
		}
		case HYP_MOVE:
			if (f->contact[e->j].end == 0)
				w->c[e->i].a = e->j;
			else
				w->c[e->i].b = e->j;
			break;
		case HYP_OPEN:
			removed[e->i] = 1;
			break;
		case HYP_REVERSED:
			if (reverse_ends(f, w) < 0)
				return -EINVAL;
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

/* Parameters of h and the node pairs they join, in wiring w. */
static void list_params(const struct wiring *w, struct hyp *h, int *px, int *py)
{
	h->n_params = 0;
	for (unsigned k = 0; k < h->n_elems; k++) {
		enum hyp_kind kind = h->e[k].kind;
		if (kind == HYP_SERIES || kind == HYP_SHORT) {
			unsigned p = h->n_params++;
			h->param_elem[p] = k;
			param_nodes(w, &h->e[k], &px[p], &py[p], &h->y0[p]);
		}
	}
}

int hyp_init_params(const struct fixture *f, const struct wiring *expected, struct hyp *h)
{
	struct wiring w;
	int removed[WIRING_MAX], px[HYP_MAX_PARAMS], py[HYP_MAX_PARAMS];

	if (h->n_elems > HYP_MAX_ELEMS || apply_discrete(f, expected, h, &w, removed) < 0)
		return -EINVAL;
	list_params(&w, h, px, py);
	return 0;
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
	double *tmp;                 /* scratch: one candidate's samples, p0, a, b */
	double *work;
};

/* One candidate's solved terms, in the builder's scratch. */
struct terms {
	double *smp, *p0, *a, *b;
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
 * hypotheses the jig cannot tell apart. The named patterns of docs/architecture.md (the physical picture)
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

/* Solve h once: its gains without parameters (p0), and for each parameter
 * the rank-one terms of adding a conductance across its node pair.
 * Returns 0, 1 when h is no wiring the jig can hold, or a negative errno. */
static int solve_terms(struct builder *bd, struct hyp *h, const struct terms *t)
{
	const struct fixture *f = bd->f;
	unsigned ni = f->n_inputs, no = f->n_outputs;
	struct wiring w, base;
	int removed[WIRING_MAX], px[HYP_MAX_PARAMS], py[HYP_MAX_PARAMS];
	double v[NETWORK_MAX_NODES], z[HYP_MAX_PARAMS][NETWORK_MAX_NODES];

	if (apply_discrete(f, bd->expected, h, &w, removed) < 0)
		return 1;
	list_params(&w, h, px, py);
	base.n = 0;
	for (unsigned c = 0; c < w.n; c++)
		if (!removed[c])
			base.c[base.n++] = w.c[c];
	int rc = fixture_network(f, &base, bd->net);
	if (rc == 0)
		rc = network_solve(bd->net, t->p0);
	if (rc == -EDOM)
		return 1;   /* numerically singular: not a wiring the jig can hold */
	if (rc < 0)
		return rc;
	for (unsigned k = 0; k < h->n_params; k++) {
		rc = network_transfer(bd->net, (unsigned)px[k] + 1, (unsigned)py[k] + 1, z[k]);
		if (rc < 0)
			return rc;
		for (unsigned i = 0; i < ni; i++) {
			int pos = f->input_pos[i], neg = f->input_neg[i];
			t->a[k * ni + i] = z[k][pos] - (neg >= 0 ? z[k][neg] : 0.0);
		}
	}
	for (unsigned o = 0; o < no && h->n_params; o++) {
		rc = network_node_voltages(bd->net, o, v);
		if (rc < 0)
			return rc;
		for (unsigned k = 0; k < h->n_params; k++)
			t->b[k * no + o] = v[px[k]] - v[py[k]];
	}
	for (unsigned j = 0; j < h->n_params; j++)
		for (unsigned k = 0; k < h->n_params; k++)
			h->s[j][k] = z[k][px[j]] - z[k][py[j]];
	if (h->n_params == 2) {
		/* Z is symmetric; average away the rounding of two solves. */
		double s01 = 0.5 * (h->s[0][1] + h->s[1][0]);
		h->s[0][1] = h->s[1][0] = s01;
	}
	return 0;
}

/* Predictions to compare h by: p0 alone, or at three parameter values
 * (hyp_predict reads the arena, so the terms are staged there first). */
static int sample_predictions(struct hypset *hs, struct builder *bd, const struct hyp *h, const struct terms *t)
{
	unsigned n = bd->n, ni = hs->n_in, no = hs->n_out;

	if (h->n_params == 0) {
		memcpy(t->smp, t->p0, n * sizeof(double));
		return 0;
	}
	int rc = arena_grow(hs, n + (size_t)h->n_params * (ni + no));
	if (rc < 0)
		return rc;
	struct hyp probe = *h;
	probe.p0 = hs->used;
	probe.a = probe.p0 + n;
	probe.b = probe.a + (size_t)h->n_params * ni;
	memcpy(hs->arena + probe.p0, t->p0, n * sizeof(double));
	memcpy(hs->arena + probe.a, t->a, (size_t)h->n_params * ni * sizeof(double));
	memcpy(hs->arena + probe.b, t->b, (size_t)h->n_params * no * sizeof(double));
	for (unsigned s = 0; s < N_SAMPLES; s++) {
		double dy[HYP_MAX_PARAMS];
		dy[0] = sample_dy(h, 0, s);
		if (h->n_params == 2)
			dy[1] = sample_dy(h, 1, N_SAMPLES - 1 - s);
		hyp_predict(hs, &probe, dy, t->smp + s * n, bd->work);
	}
	return 0;
}

static void store_terms(struct hypset *hs, const struct hyp *h, const struct terms *t, unsigned n)
{
	memcpy(hs->arena + h->p0, t->p0, n * sizeof(double));
	memcpy(hs->arena + h->a, t->a, (size_t)h->n_params * hs->n_in * sizeof(double));
	memcpy(hs->arena + h->b, t->b, (size_t)h->n_params * hs->n_out * sizeof(double));
}

static void add_alias(struct hyp *keep, const struct hyp_alias *al)
{
	if (keep->n_alias < HYP_MAX_ALIASES && al->n_elems == keep->n_elems)
		keep->alias[keep->n_alias++] = *al;
}

static struct hyp_alias alias_of(const struct hyp *h)
{
	struct hyp_alias al = {.n_elems = h->n_elems};
	memcpy(al.e, h->e, sizeof(al.e));
	return al;
}

/* A kept hypothesis k predicts what h does: the simpler of the two keeps
 * slot k, the other is remembered as its alias. */
static void merge_twin(struct hypset *hs, const struct fixture *f, struct hyp *h, unsigned k,
                       const struct terms *t, unsigned n)
{
	struct hyp *o = &hs->h[k];
	unsigned flags = o->flags;
	if (o->n_elems == 1 && h->n_elems == 1 && o->e[0].kind == HYP_SHORT && h->e[0].kind == HYP_SHORT &&
	    f->contact[o->e[0].i].end != f->contact[h->e[0].i].end)
		flags |= HYP_EITHER_END;
	hs->twins++;
	if (h->n_elems < o->n_elems || (h->n_elems == o->n_elems && h->cost < o->cost)) {
		/* The newcomer is the simpler name for the same observation: it
		 * takes the slot (same parameter count, same storage). */
		h->p0 = o->p0;
		h->a = o->a;
		h->b = o->b;
		h->flags = flags;
		h->n_alias = 0;
		struct hyp_alias old = alias_of(o);
		add_alias(h, &old);
		for (unsigned q = 0; q < o->n_alias; q++)
			add_alias(h, &o->alias[q]);
		store_terms(hs, h, t, n);
		if (h->n_elems == 1)
			h->single[0] = (int)k;
		*o = *h;
	} else {
		struct hyp_alias al = alias_of(h);
		o->flags = flags;
		add_alias(o, &al);
	}
}

/* Keep h as hypothesis hs->n, with its terms and samples. */
static int keep(struct hypset *hs, struct builder *bd, struct hyp *h, const struct terms *t)
{
	unsigned n = bd->n;
	int rc = arena_grow(hs, n + (size_t)h->n_params * (hs->n_in + hs->n_out));
	if (rc < 0)
		return rc;
	size_t need = (size_t)(hs->n + 1) * N_SAMPLES * n;
	if (need > bd->samples_size) {
		size_t size = bd->samples_size ? 2 * bd->samples_size : 64u * N_SAMPLES * n;
		while (size < need)
			size *= 2;
		double *p = realloc(bd->samples, size * sizeof(double));
		if (!p)
			return -ENOMEM;
		bd->samples = p;
		bd->samples_size = size;
	}
	h->p0 = hs->used;
	h->a = h->p0 + n;
	h->b = h->a + (size_t)h->n_params * hs->n_in;
	store_terms(hs, h, t, n);
	hs->used = h->b + (size_t)h->n_params * hs->n_out;
	memcpy(bd->samples + (size_t)hs->n * N_SAMPLES * n, t->smp, (size_t)n_samples(h) * n * sizeof(double));
	if (h->n_elems == 1)
		h->single[0] = (int)hs->n;
	hs->h[hs->n++] = *h;
	return 0;
}

/* The kept hypothesis with h's parameter kinds predicting what h does at
 * every sample, or -1. */
static int find_twin(const struct hypset *hs, const struct builder *bd, const struct hyp *h, const double *smp)
{
	unsigned n = bd->n, ns = n_samples(h);
	for (unsigned k = 0; k < hs->n; k++) {
		if (!same_kinds(&hs->h[k], h))
			continue;
		const double *os = bd->samples + (size_t)k * N_SAMPLES * n;
		unsigned s;
		for (s = 0; s < ns; s++)
			if (!same_prediction(os + s * n, smp + s * n, n, bd->tol))
				break;
		if (s == ns)
			return (int)k;
	}
	return -1;
}

/* Solve one candidate, then keep it unless the jig cannot see it (it
 * predicts the expected gains) or a kept one predicts the same (then the
 * simpler of the two stays, the other becomes its alias). *rep is the
 * index that now stands for it (itself, or the twin it merged with), -1
 * when it is unobservable, -2 when it was not kept at all. */
static int consider(struct hypset *hs, struct builder *bd, struct hyp *h, int *rep)
{
	unsigned n = bd->n;
	struct terms t;

	*rep = -2;
	if (hs->n >= HYP_MAX) {
		hs->truncated = 1;
		return 0;
	}
	t.smp = bd->tmp;
	t.p0 = t.smp + N_SAMPLES * n;
	t.a = t.p0 + n;
	t.b = t.a + HYP_MAX_PARAMS * hs->n_in;
	int rc = solve_terms(bd, h, &t);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if ((rc = sample_predictions(hs, bd, h, &t)) < 0)
		return rc;
	h->cost = 0;
	h->n_alias = 0;
	for (unsigned k = 0; k < h->n_elems; k++)
		h->cost += elem_cost(bd->f, bd->expected, &h->e[k]);

	/* Unobservable: every prediction equals the expected gains (for a
	 * parameter, this also covers "its value changes nothing"). */
	unsigned ns = n_samples(h);
	int all_expected = 1, all_same = 1;
	for (unsigned s = 0; s < ns; s++) {
		if (!same_prediction(t.smp + s * n, bd->eg, n, bd->tol))
			all_expected = 0;
		if (s && !same_prediction(t.smp + s * n, t.smp, n, bd->tol))
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
	int k = find_twin(hs, bd, h, t.smp);
	if (k >= 0) {
		merge_twin(hs, bd->f, h, (unsigned)k, &t, n);
		*rep = k;
		return 0;
	}
	*rep = (int)hs->n;
	return keep(hs, bd, h, &t);
}

/* Elements that cannot both be in one cable, or say one thing twice. */
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
	/* A moved conductor is not also open, moved elsewhere or swapped. */
	if (x->kind == HYP_MOVE || y->kind == HYP_MOVE) {
		const struct hyp_elem *m = x->kind == HYP_MOVE ? x : y, *o = m == x ? y : x;
		if (o->kind == HYP_OPEN || o->kind == HYP_MOVE)
			return o->i == m->i;
		if (o->kind == HYP_SWAP)
			return o->i == m->i || o->j == m->i;
	}
	return 0;
}

/* Contacts the jig connects to (driven, sensed, tied or loaded): a
 * conductor moved onto any other contact is, to the jig, simply open. */
static void jig_reaches(const struct fixture *f, int *reach)
{
	memset(reach, 0, FIXTURE_MAX_CONTACTS * sizeof(int));
	for (unsigned o = 0; o < f->n_outputs; o++)
		reach[f->output[o]] = 1;
	for (unsigned i = 0; i < f->n_inputs; i++) {
		reach[f->input_pos[i]] = 1;
		if (f->input_neg[i] >= 0)
			reach[f->input_neg[i]] = 1;
	}
	for (unsigned t = 0; t < f->n_ties; t++)
		reach[f->tie[t]] = 1;
	for (unsigned l = 0; l < f->n_loads; l++) {
		reach[f->load[l].a] = 1;
		if (f->load[l].b >= 0)
			reach[f->load[l].b] = 1;
	}
}

/* Every single element near expected, simplest kinds first (twins keep
 * the first seen). Returns how many were written to single[]. */
static unsigned list_singles(const struct fixture *f, const struct wiring *expected, const int *net_of,
                             const int *carries, struct hyp_elem *single)
{
	int reach[FIXTURE_MAX_CONTACTS];
	unsigned n = 0;

	for (unsigned k = 0; k < expected->n; k++)
		single[n++] = (struct hyp_elem){HYP_OPEN, (int)k, -1};
	for (unsigned k = 0; k < expected->n; k++)
		single[n++] = (struct hyp_elem){HYP_SERIES, (int)k, -1};
	/* Shorts at the far end first: when the ends cannot be told apart the
	 * far end (where the jig senses) is the one named. */
	for (int end = 1; end >= 0; end--)
		for (unsigned x = 0; x < f->n_contacts; x++)
			for (unsigned y = x + 1; y < f->n_contacts; y++) {
				if ((int)f->contact[x].end != end || f->contact[y].end != f->contact[x].end)
					continue;
				if (!carries[x] || !carries[y] || net_of[x] == net_of[y])
					continue;
				single[n++] = (struct hyp_elem){HYP_SHORT, (int)x, (int)y};
			}
	for (unsigned i = 0; i < expected->n; i++)
		for (unsigned j = i + 1; j < expected->n; j++)
			if (expected->c[i].b != expected->c[j].b && expected->c[i].a != expected->c[j].a)
				single[n++] = (struct hyp_elem){HYP_SWAP, (int)i, (int)j};
	/* A conductor on a contact the cable should leave unused (a tip
	 * soldered to a cup's unused ring), where the jig can see it. */
	jig_reaches(f, reach);
	for (unsigned k = 0; k < expected->n; k++)
		for (unsigned u = 0; u < f->n_contacts; u++)
			if (!carries[u] && reach[u])
				single[n++] = (struct hyp_elem){HYP_MOVE, (int)k, (int)u};
	return n;
}

/* The whole set: singles, the end reversed, then every compatible pair. */
static int enumerate(struct hypset *hs, struct builder *bd, const int *net_of, const int *carries,
                     struct hyp_elem *single, int *rep)
{
	const struct fixture *f = bd->f;
	unsigned n_single = list_singles(f, bd->expected, net_of, carries, single);
	int rc, where;

	for (unsigned k = 0; k < n_single; k++) {
		struct hyp h = {.n_elems = 1, .e = {single[k]}};
		if ((rc = consider(hs, bd, &h, &rep[k])) < 0)
			return rc;
	}
	/* End reversed: only when every contact has a namesake at the other end. */
	int mirrored = f->n_contacts > 0;
	for (unsigned c = 0; c < f->n_contacts; c++)
		if (hyp_mirror(f, (int)c) < 0)
			mirrored = 0;
	if (mirrored) {
		struct hyp h = {.n_elems = 1, .e = {{HYP_REVERSED, -1, -1}}};
		if ((rc = consider(hs, bd, &h, &where)) < 0)
			return rc;
	}
	for (unsigned x = 0; x < n_single; x++) {
		for (unsigned y = x + 1; y < n_single; y++) {
			if (conflicts(&single[x], &single[y], net_of))
				continue;
			if (rep[x] == -2 || rep[y] == -2)
				continue;   /* a part that is not a wiring at all */
			struct hyp h = {.n_elems = 2, .e = {single[x], single[y]}, .single = {rep[x], rep[y]}};
			if ((rc = consider(hs, bd, &h, &where)) < 0)
				return rc;
		}
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
	                    (size_t)expected->n * expected->n + (size_t)expected->n * f->n_contacts + 1;
	single = calloc(max_single, sizeof(*single));
	rep = calloc(max_single, sizeof(*rep));
	hs->h = calloc(HYP_MAX, sizeof(*hs->h));
	bd.tmp = calloc((size_t)N_SAMPLES * bd.n + bd.n + HYP_MAX_PARAMS * (size_t)(f->n_inputs + f->n_outputs) + 1,
	                sizeof(double));
	bd.work = calloc(hyp_scratch_len(hs) + 1, sizeof(double));
	if (!single || !rep || !hs->h || !bd.tmp || !bd.work)
		goto fail;
	rc = enumerate(hs, &bd, net_of, carries, single, rep);
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
