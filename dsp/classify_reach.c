/* classify reach: which far contacts each near contact reaches, from the named wiring or from the measurement alone. */
#include "internal/classifier.h"

#include <math.h>
#include <string.h>

/* Measured connectivity (when no hypothesis fits): a far contact is
 * reached when it gets at least a tenth of the strongest gain of that
 * output, i.e. a conductor rather than a leak through a load. */
#define REACH_REL 0.1

static int uf(int *p, int x)
{
	while (p[x] != x) {
		p[x] = p[p[x]];
		x = p[x];
	}
	return x;
}

/* Measured Re H from the output driving `from` to `to`: read on an input
 * sensing `to` alone, else on a differential input with `to` as its + leg,
 * else (sign turned) as its − leg. 0 when the jig does neither. */
static double measured_gain(const classifier *c, int from, int to)
{
	const struct fixture *f = &c->f;
	int o = -1, in = -1, rank = 0;
	for (unsigned k = 0; k < f->n_outputs && o < 0; k++)
		if (f->output[k] == from)
			o = (int)k;
	for (unsigned i = 0; i < f->n_inputs; i++) {
		int r = f->input_pos[i] == to ? (f->input_neg[i] < 0 ? 3 : 2) : f->input_neg[i] == to ? 1 : 0;
		if (r > rank) {
			rank = r;
			in = (int)i;
		}
	}
	if (o < 0 || in < 0)
		return 0.0;
	double g = c->m[(unsigned)in * c->n_out + (unsigned)o];
	return rank == 1 ? -g : g;
}

void reach_from_wiring(const classifier *c, const struct wiring *w, struct classification *out)
{
	const struct fixture *f = &c->f;
	int parent[FIXTURE_MAX_CONTACTS];

	for (unsigned k = 0; k < f->n_contacts; k++)
		parent[k] = (int)k;
	for (unsigned k = 0; k < w->n; k++)
		parent[uf(parent, w->c[k].a)] = uf(parent, w->c[k].b);
	out->n_reach = 0;
	for (unsigned a = 0; a < f->n_contacts; a++) {
		if (f->contact[a].end != 0)
			continue;
		struct reach *r = &out->reach[out->n_reach++];
		memset(r, 0, sizeof(*r));
		r->from = (int)a;
		for (unsigned b = 0; b < f->n_contacts && r->n_to < CLASSIFY_MAX_REACH; b++) {
			if (f->contact[b].end == 0 || uf(parent, (int)a) != uf(parent, (int)b))
				continue;
			r->to[r->n_to] = (int)b;
			r->gain[r->n_to++] = measured_gain(c, (int)a, (int)b);
		}
	}
}

/* What reaches where by the measurement alone (no hypothesis fits). */
void reach_measured(const classifier *c, struct classification *out)
{
	const struct fixture *f = &c->f;
	double thr = pow(10.0, SIGNAL_SNR_DB / 20.0);

	out->n_reach = 0;
	for (unsigned a = 0; a < f->n_contacts; a++) {
		if (f->contact[a].end != 0)
			continue;
		struct reach *r = &out->reach[out->n_reach++];
		memset(r, 0, sizeof(*r));
		r->from = (int)a;
		int o = -1;
		for (unsigned k = 0; k < f->n_outputs && o < 0; k++)
			if (f->output[k] == (int)a)
				o = (int)k;
		if (o < 0)
			continue;
		double top = 0.0;
		for (unsigned i = 0; i < c->n_in; i++) {
			unsigned x = i * c->n_out + (unsigned)o;
			top = fmax(top, hypot(c->m[x], c->im[x]));
		}
		for (unsigned i = 0; i < c->n_in && r->n_to < CLASSIFY_MAX_REACH; i++) {
			unsigned x = i * c->n_out + (unsigned)o;
			double g = hypot(c->m[x], c->im[x]);
			if (g < REACH_REL * top || g < thr * c->sigma[x])
				continue;
			int b = f->input_pos[i], dup = 0;
			for (unsigned q = 0; q < r->n_to; q++)
				dup |= r->to[q] == b;
			if (dup)
				continue;
			r->to[r->n_to] = b;
			r->gain[r->n_to++] = c->m[x];
		}
	}
}
