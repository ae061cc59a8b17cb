/* classify names: the faults a hypothesis stands for, and the other diagnoses the jig cannot tell from them. */
#include "internal/classifier.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A short between the microphone and ground conductors below 1 Ω is what
 * a TRS jack's long sleeve spring does to a TRRS plug (tens of mΩ); a
 * solder bridge looks the same to any jig and is named the same. */
#define TRRS_MAX_OHMS 1.0
/* Two predictions that differ by less than this (relative to the largest
 * expected gain) in every entry are the same on this jig, noise or not:
 * the twin tolerance of hypothesis.c. */
#define SAME_HERE_REL 1e-3
/* On a per-contact jig a conductor present or not moves a gain by ~0.99,
 * a dead short between two driven contacts by ~0.5: a tenth tells any
 * discrete difference, and no resistance within the cable limits. */
#define PC_DIFF 0.1
/* Likelihood ratios e^(-Δχ²/2) beyond ±50 are 0 or everything. */
#define MAX_EXPONENT 50.0

static enum role role_of(const struct fixture *f, int contact)
{
	return contact >= 0 ? f->contact[contact].role : ROLE_NONE;
}

static int role_pair(enum role x, enum role y, enum role p, enum role q)
{
	return (x == p && y == q) || (x == q && y == p);
}

static int sided(const struct leg *lg)
{
	return strcmp(lg->name, "L") == 0 || strcmp(lg->name, "R") == 0;
}

static void set_channel(struct fault *ft, const struct leg *lg)
{
	snprintf(ft->channel, sizeof(ft->channel), "%s", lg->name);
	snprintf(ft->place, sizeof(ft->place), "%s", lg->place);
}

static int has_return(const classifier *c, const char *name)
{
	for (unsigned q = 0; q < c->expected.n; q++)
		if (c->leg[q].pol < 0 && strcmp(c->leg[q].name, name) == 0)
			return 1;
	return 0;
}

/* Name an exchange of two expected conductors' far ends by what they are
 * to a listener (their legs, from roles and plug labels): a channel's hot
 * and its own return is its polarity, the hots (or the separate colds) of
 * left and right are the stereo pair, ground and microphone are CTIA/OMTP,
 * anything else a plain miswire. The same rules hold whether or not the
 * jig shows that channel. */
static void name_swap(const classifier *c, int i, int j, struct fault *ft)
{
	const struct fixture *f = &c->f;
	const struct conductor *ci = &c->expected.c[i], *cj = &c->expected.c[j];
	const struct leg *li = &c->leg[i], *lj = &c->leg[j];

	ft->n_contacts = 2;
	ft->contacts[0] = ci->a;
	ft->contacts[1] = cj->a;
	ft->code = FAULT_MISWIRE;
	if (role_pair(role_of(f, ci->a), role_of(f, cj->a), ROLE_G, ROLE_MIC) ||
	    role_pair(role_of(f, ci->b), role_of(f, cj->b), ROLE_G, ROLE_MIC)) {
		ft->code = FAULT_CTIA_OMTP_MISMATCH;
		return;
	}
	const struct leg *hot = li->pol > 0 ? li : lj, *ret = hot == li ? lj : li;
	int own = hot->name[0] && strcmp(hot->name, ret->name) == 0;
	/* The ground every channel shares is the return of a channel that has
	 * none of its own (an unbalanced L or R), not of a balanced one. */
	int shared_ground = !ret->name[0] && ret->ground && !has_return(c, hot->name);
	if (hot->pol > 0 && ret->pol < 0 && (own || shared_ground)) {
		ft->code = FAULT_POLARITY_INVERTED;
		set_channel(ft, hot);
		return;
	}
	if (sided(li) && sided(lj) && strcmp(li->name, lj->name) != 0 && li->pol == lj->pol && li->pol != 0) {
		ft->code = FAULT_LR_SWAP;
		set_channel(ft, li);
	}
}

static int param_index(const struct hyp *h, unsigned elem)
{
	for (unsigned k = 0; k < h->n_params; k++)
		if (h->param_elem[k] == elem)
			return (int)k;
	return -1;
}

static struct fault *push(struct fault *ft, unsigned *n, unsigned max, double conf)
{
	if (*n >= max)
		return NULL;
	struct fault *x = &ft[(*n)++];
	memset(x, 0, sizeof(*x));
	x->confidence = conf;
	return x;
}

/* Two swaps that are one cause: sharing a conductor they rotate three
 * (a miswire, however decomposed); left and right exchanged on both legs
 * of a balanced pair are one L/R swap naming all four contacts. Returns 1
 * when it named them. */
static int name_swap_pair(const classifier *c, const struct hyp *h, double conf, struct fault *ft, unsigned *n,
                          unsigned max)
{
	if (h->n_elems != 2 || h->e[0].kind != HYP_SWAP || h->e[1].kind != HYP_SWAP)
		return 0;
	int s[4] = {h->e[0].i, h->e[0].j, h->e[1].i, h->e[1].j};
	struct fault *x;
	if (s[0] == s[2] || s[0] == s[3] || s[1] == s[2] || s[1] == s[3]) {
		if (!(x = push(ft, n, max, conf)))
			return 1;
		x->code = FAULT_MISWIRE;
		for (unsigned k = 0; k < 4; k++) {
			int a = c->expected.c[s[k]].a, dup = 0;
			for (unsigned q = 0; q < x->n_contacts; q++)
				dup |= x->contacts[q] == a;
			if (!dup)
				x->contacts[x->n_contacts++] = a;
		}
		return 1;
	}
	struct fault a = {0}, b = {0};
	name_swap(c, s[0], s[1], &a);
	name_swap(c, s[2], s[3], &b);
	if (a.code != FAULT_LR_SWAP || b.code != FAULT_LR_SWAP || c->leg[s[0]].pol == c->leg[s[2]].pol)
		return 0;
	if (!(x = push(ft, n, max, conf)))
		return 1;
	const struct fault *hot = c->leg[s[0]].pol > 0 ? &a : &b, *cold = hot == &a ? &b : &a;
	*x = *hot;
	x->confidence = conf;
	x->n_contacts = 4;
	x->contacts[2] = cold->contacts[0];
	x->contacts[3] = cold->contacts[1];
	return 1;
}

/* The open and the miswire of a conductor moved onto an unused contact. */
static void name_move(const classifier *c, const struct hyp_elem *e, double conf, struct fault *ft, unsigned *n,
                      unsigned max)
{
	const struct conductor *cd = &c->expected.c[e->i];
	const struct leg *lg = &c->leg[e->i];
	struct fault *x;
	if ((x = push(ft, n, max, conf))) {
		x->code = FAULT_OPEN;
		x->n_contacts = 2;
		x->contacts[0] = cd->a;
		x->contacts[1] = cd->b;
		set_channel(x, lg);
	}
	if ((x = push(ft, n, max, conf))) {
		int near = c->f.contact[e->j].end == 0;
		x->code = FAULT_MISWIRE;
		x->flags = FAULT_FLAG_UNUSED_CONTACT;
		x->n_contacts = 2;
		x->contacts[0] = near ? e->j : cd->a;
		x->contacts[1] = near ? cd->b : e->j;
		set_channel(x, lg);
	}
}

/* One element of h (not a swap pair) as zero, one or two faults. */
static void name_elem(const classifier *c, const struct hyp *h, unsigned k, const double *dy, const struct wiring *sw,
                      double conf, struct fault *ft, unsigned *n, unsigned max)
{
	const struct hyp_elem *e = &h->e[k];
	int p = param_index(h, k);
	double ohms = p >= 0 ? hyp_param_ohms(h, (unsigned)p, dy[p]) : 0.0;
	struct fault tmp = {0}, *x;

	switch (e->kind) {
	case HYP_MOVE:
		name_move(c, e, conf, ft, n, max);
		return;
	case HYP_SWAP:
		name_swap(c, e->i, e->j, &tmp);
		break;
	case HYP_SERIES:
		if (!(ohms > c->lim.max_series_ohms))
			return;   /* within the limit: a cable as good as specified */
		tmp.value = ohms;
		/* fall through */
	case HYP_OPEN:
		tmp.code = e->kind == HYP_OPEN ? FAULT_OPEN : FAULT_HIGH_RESISTANCE;
		tmp.n_contacts = 2;
		tmp.contacts[0] = sw->c[e->i].a;
		tmp.contacts[1] = sw->c[e->i].b;
		set_channel(&tmp, &c->leg[e->i]);
		break;
	case HYP_SHORT: {
		enum role rx = role_of(&c->f, e->i), ry = role_of(&c->f, e->j);
		tmp.code = role_pair(rx, ry, ROLE_G, ROLE_MIC) && ohms <= TRRS_MAX_OHMS ? FAULT_TRRS_IN_TRS : FAULT_SHORT;
		tmp.value = ohms;
		tmp.n_contacts = 2;
		tmp.contacts[0] = e->i;
		tmp.contacts[1] = e->j;
		if (h->flags & HYP_EITHER_END)
			tmp.flags |= FAULT_FLAG_EITHER_END;
		break;
	}
	case HYP_REVERSED:
		tmp.code = FAULT_MISWIRE;
		tmp.flags |= FAULT_FLAG_END_REVERSED;
		break;
	}
	if ((x = push(ft, n, max, conf))) {
		*x = tmp;
		x->confidence = conf;
	}
}

void name_faults(const classifier *c, const struct hyp *h, const double *dy, double conf, struct fault *ft,
                 unsigned *n, unsigned max)
{
	struct wiring sw = c->expected;   /* expected with h's swaps: where each conductor lands */

	for (unsigned k = 0; k < h->n_elems; k++)
		if (h->e[k].kind == HYP_SWAP) {
			int t = sw.c[h->e[k].i].b;
			sw.c[h->e[k].i].b = sw.c[h->e[k].j].b;
			sw.c[h->e[k].j].b = t;
		}
	if (name_swap_pair(c, h, conf, ft, n, max))
		return;
	for (unsigned k = 0; k < h->n_elems; k++)
		name_elem(c, h, k, dy, &sw, conf, ft, n, max);
}

/* ---- alternatives ---- */

void pc_build(classifier *c)
{
	struct fixture *pc = &c->pc;
	const struct fixture *f = &c->f;

	*pc = *f;
	pc->n_outputs = pc->n_inputs = pc->n_ties = pc->n_loads = 0;
	c->pc_ok = 0;
	for (unsigned x = 0; x < f->n_contacts; x++) {
		if (f->contact[x].end == 0) {
			if (pc->n_outputs >= FIXTURE_MAX_CHANNELS)
				return;
			pc->output[pc->n_outputs++] = (int)x;
		} else {
			if (pc->n_inputs >= FIXTURE_MAX_CHANNELS)
				return;
			pc->input_pos[pc->n_inputs] = (int)x;
			pc->input_neg[pc->n_inputs++] = -1;
		}
	}
	c->pc_ok = pc->n_outputs > 0 && pc->n_inputs > 0 && pc->source_ohms > 0.0 && pc->input_ohms > 0.0;
}

/* A code and the ones that name the same physics at another value: a
 * short below 1 Ω is trrs_in_trs, and a series resistance the jig cannot
 * tell from infinite is an open. */
static unsigned canonical_bit(enum fault_code code)
{
	if (code == FAULT_TRRS_IN_TRS)
		code = FAULT_SHORT;
	if (code == FAULT_HIGH_RESISTANCE)
		code = FAULT_OPEN;
	return 1u << code;
}

/* The same fault: one code (up to the equivalences above) on the same
 * contacts. */
static int same_fault(const struct fault *x, const struct fault *y)
{
	if (canonical_bit(x->code) != canonical_bit(y->code) || x->n_contacts != y->n_contacts)
		return 0;
	for (unsigned k = 0; k < x->n_contacts; k++) {
		unsigned q = 0;
		while (q < y->n_contacts && y->contacts[q] != x->contacts[k])
			q++;
		if (q == y->n_contacts)
			return 0;
	}
	return 1;
}

/* Which of n faults have no equal among the m others (bit per fault). */
static unsigned unmatched(const struct fault *ft, unsigned n, const struct fault *other, unsigned m)
{
	unsigned mask = 0;
	for (unsigned k = 0; k < n; k++) {
		unsigned q = 0;
		while (q < m && !same_fault(&ft[k], &other[q]))
			q++;
		if (q == m)
			mask |= 1u << k;
	}
	return mask;
}

struct alt_acc {
	const struct wiring *named;  /* the named wiring */
	int pc_named;                /* c->pc_a holds its per-contact gains */
	double weight[CLASSIFY_MAX_FAULTS];
	int separable[CLASSIFY_MAX_FAULTS];
};

/* Would a per-contact jig measure wiring w differently from the named one? */
static int pc_tells(classifier *c, struct alt_acc *acc, const struct wiring *w)
{
	unsigned n = c->pc.n_inputs * c->pc.n_outputs;
	if (!c->pc_ok)
		return 0;
	if (!acc->pc_named) {
		if (fixture_gains(&c->pc, acc->named, c->net, c->pc_a) < 0)
			return 0;
		acc->pc_named = 1;
	}
	if (fixture_gains(&c->pc, w, c->net, c->pc_b) < 0)
		return 0;
	for (unsigned k = 0; k < n; k++)
		if (fabs(c->pc_a[k] - c->pc_b[k]) > PC_DIFF)
			return 1;
	return 0;
}

/* How an alternative stands to the named faults: measured the same on
 * this jig, the same within this noise, or on top of them. */
enum alt_kind { ALT_THIS_JIG, ALT_NOISE, ALT_ALSO };

static const unsigned alt_flag[] = { FAULT_FLAG_ALT_THIS_JIG, FAULT_FLAG_ALT_NOISE, FAULT_FLAG_ALT_ALSO };

/* Is every series resistance of h as large as an open to this jig: is
 * the open of its conductor, alone, a twin of the candidate at this noise?
 * Then an alternative naming it high_resistance is an open; otherwise it
 * is a resistance the jig tells from an open, and keeps its name. */
static int series_as_open(const classifier *c, const struct hyp *h)
{
	int any = 0;
	for (unsigned e = 0; e < h->n_elems; e++) {
		if (h->e[e].kind != HYP_SERIES)
			continue;
		int twin = 0;
		for (unsigned k = 0; k < c->hs.n && !twin; k++) {
			const struct hyp *o = &c->hs.h[k];
			twin = o->n_elems == 1 && o->e[0].kind == HYP_OPEN && o->e[0].i == h->e[e].i && c->dist[k] < TWIN_CHI2;
		}
		if (!twin)
			return 0;
		any = 1;
	}
	return any;
}

/* Hypothesis h (fitted dy) as an alternative to what out names: its codes
 * that out lacks go to the faults it would replace (or come on top of),
 * with its odds relative to the named one. */
static void add_alternative(classifier *c, struct classification *out, struct alt_acc *acc, const struct hyp *h,
                            const double *dy, double weight, enum alt_kind kind)
{
	struct fault alt[CLASSIFY_MAX_FAULTS];
	unsigned na = 0;
	name_faults(c, h, dy, 1.0, alt, &na, CLASSIFY_MAX_FAULTS);
	/* Faults both name are not in question; the alternative's others are
	 * what the named ones it lacks could be instead. */
	unsigned theirs = unmatched(alt, na, out->fault, out->n_faults);
	unsigned ours = unmatched(out->fault, out->n_faults, alt, na), extra = 0;
	int as_open = kind != ALT_ALSO && series_as_open(c, h);
	for (unsigned k = 0; k < na; k++)
		if (theirs & (1u << k))
			/* A resistance that stands in for a fault, as large as an open
			 * to this jig, is an open; any other is what it is. */
			extra |= 1u << (alt[k].code == FAULT_HIGH_RESISTANCE && as_open ? FAULT_OPEN : alt[k].code);
	if (!extra)
		return;
	if (!ours)
		ours = (1u << out->n_faults) - 1u;
	/* Whether a per-contact jig would tell them apart matters only while
	 * every alternative of the faults concerned so far could be told. */
	int tells = 0, ask = 0;
	for (unsigned k = 0; k < out->n_faults; k++)
		ask |= (ours & (1u << k)) && acc->separable[k];
	struct wiring w;
	if (ask)
		tells = hyp_wiring(&c->f, &c->expected, h, dy, &w) == 0 && pc_tells(c, acc, &w);
	for (unsigned k = 0; k < out->n_faults; k++) {
		if (!(ours & (1u << k)))
			continue;
		struct fault *ft = &out->fault[k];
		unsigned known = canonical_bit(ft->code), add = 0;
		for (int x = 0; x < FAULT_COUNT; x++)
			if (ft->alternatives & (1u << x))
				known |= canonical_bit((enum fault_code)x);
		for (int x = 0; x < FAULT_COUNT; x++)
			if ((extra & (1u << x)) && !(canonical_bit((enum fault_code)x) & known))
				add |= 1u << x;
		if (!add)
			continue;   /* its own code, or a diagnosis it already lists */
		ft->alternatives |= add;
		ft->flags |= alt_flag[kind];
		acc->weight[k] += weight;
		acc->separable[k] &= tells;
	}
}

static double wdist(const classifier *c, const double *x, const double *y)
{
	double d = 0.0;
	for (unsigned k = 0; k < c->n; k++)
		d += c->w[k] * (x[k] - y[k]) * (x[k] - y[k]);
	return d;
}

/* Is pair k another diagnosis, or the named one plus an element that
 * changes nothing (a short fitted to nothing next to an open)? For each
 * element whose partner alone is a twin of the named hypothesis, drop it:
 * when the partner at the pair's own value predicts what the pair does,
 * that element is not there. */
static int another_diagnosis(classifier *c, unsigned k, unsigned named)
{
	const struct hyp *h = &c->hs.h[k];
	const double *dk = c->dy + (size_t)k * HYP_MAX_PARAMS, *pk = c->pred + (size_t)k * c->n;
	for (unsigned x = 0; h->n_elems == 2 && x < 2; x++) {
		unsigned y = 1 - x;
		int r = h->single[y];
		if (r < 0 || ((unsigned)r != named && c->dist[r] >= TWIN_CHI2))
			continue;
		const struct hyp *hr = &c->hs.h[r];
		const double *rest = c->pred + (size_t)r * c->n;
		int p = param_index(h, y);
		if (hr->n_params == 1 && p >= 0) {
			double dy[HYP_MAX_PARAMS] = {dk[p], 0.0};
			hyp_predict(&c->hs, hr, dy, c->alt_pred, c->scratch);
			if (c->unaligned)
				classify_align(c, c->alt_pred);
			rest = c->alt_pred;
		}
		if (wdist(c, rest, pk) < TWIN_CHI2)
			return 0;
	}
	return 1;
}

static int same_here(const classifier *c, const double *x, const double *y)
{
	double emax = 0.0;
	for (unsigned k = 0; k < c->n; k++)
		emax = fmax(emax, fabs(c->eg[k]));
	for (unsigned k = 0; k < c->n; k++)
		if (fabs(x[k] - y[k]) > SAME_HERE_REL * emax)
			return 0;
	return 1;
}

/* The wirings merged into hypothesis h when the set was built, as
 * alternatives with h's fit. */
static void add_aliases(classifier *c, struct classification *out, struct alt_acc *acc, const struct hyp *h,
                        const double *dy, double weight, enum alt_kind kind)
{
	for (unsigned q = 0; q < h->n_alias; q++) {
		struct hyp t = {.n_elems = h->alias[q].n_elems};
		memcpy(t.e, h->alias[q].e, sizeof(t.e));
		if (hyp_init_params(&c->f, &c->expected, &t) == 0)
			add_alternative(c, out, acc, &t, dy, weight, kind);
	}
}

/* Does pair h add one element to the named hypothesis: is one of its
 * elements alone the named one, or a twin of it at this noise? */
static int extends(const classifier *c, const struct hyp *h, unsigned named)
{
	for (unsigned e = 0; h->n_elems == 2 && e < 2; e++) {
		int r = h->single[e];
		if (r >= 0 && ((unsigned)r == named || c->dist[r] < TWIN_CHI2))
			return 1;
	}
	return 0;
}

/* Second faults the measurement shows next to a single named one without
 * naming them (HINT_CHI2): listed as what may come on top of it, at their
 * odds with the penalty a second fault carries (c->score), so that a
 * second fault nearly certain leaves the named one nearly no confidence
 * of being the whole story. */
static void add_extensions(classifier *c, struct classification *out, struct alt_acc *acc, unsigned named)
{
	if (c->hs.h[named].n_elems != 1)
		return;
	for (unsigned k = 0; k < c->hs.n; k++) {
		const struct hyp *h = &c->hs.h[k];
		if (!extends(c, h, named) || !(c->resid[named] - c->resid[k] >= HINT_CHI2))
			continue;
		double x = fmax(-MAX_EXPONENT, fmin(MAX_EXPONENT, (c->score[named] - c->score[k]) / 2.0));
		add_alternative(c, out, acc, h, c->dy + (size_t)k * HYP_MAX_PARAMS, exp(x), ALT_ALSO);
	}
}

void name_alternatives(classifier *c, struct classification *out, unsigned named, double cutoff, double rivals)
{
	if (named >= c->hs.n || out->n_faults == 0)
		return;
	const struct hyp *h = &c->hs.h[named];
	const double *dyn = c->dy + (size_t)named * HYP_MAX_PARAMS;
	struct alt_acc acc = {.named = &out->best};
	for (unsigned k = 0; k < CLASSIFY_MAX_FAULTS; k++)
		acc.separable[k] = 1;

	/* Wirings merged into the named one: this jig measures them the same. */
	add_aliases(c, out, &acc, h, dyn, 1.0, ALT_THIS_JIG);
	/* Others whose fit is as good (by residual: one fault more is a less
	 * plain explanation, not a worse fit) and whose prediction this noise
	 * cannot tell from the named one. */
	const double *pn = c->pred + (size_t)named * c->n;
	for (unsigned k = 0; k < c->hs.n; k++) {
		int twin = c->dist[k] < TWIN_CHI2 && c->resid[k] <= cutoff, rival = c->score[k] < rivals;
		if (k == named || !(twin || rival) || !another_diagnosis(c, k, named))
			continue;
		/* twins by their fit alone; rivals, observably different, by their
		 * odds with the penalty each fault carries */
		double x = twin ? (c->resid[named] - c->resid[k]) / 2.0 : (c->score[named] - c->score[k]) / 2.0;
		x = fmax(-MAX_EXPONENT, fmin(MAX_EXPONENT, x));
		/* without a round trip, "the same" says nothing of this jig */
		enum alt_kind kind = !c->unaligned && same_here(c, c->pred + (size_t)k * c->n, pn) ? ALT_THIS_JIG : ALT_NOISE;
		add_alternative(c, out, &acc, &c->hs.h[k], c->dy + (size_t)k * HYP_MAX_PARAMS, exp(x), kind);
		add_aliases(c, out, &acc, &c->hs.h[k], c->dy + (size_t)k * HYP_MAX_PARAMS, exp(x), kind);
	}
	add_extensions(c, out, &acc, named);
	for (unsigned k = 0; k < out->n_faults; k++) {
		struct fault *ft = &out->fault[k];
		if (!ft->alternatives)
			continue;
		/* Equally likely diagnoses share the belief: one alternative at
		 * the same fit halves it. */
		ft->confidence = fmin(ft->confidence / (1.0 + acc.weight[k]), CONFIDENCE_WITH_ALTERNATIVES);
		if (acc.separable[k])
			ft->flags |= FAULT_FLAG_ALT_PER_CONTACT;
	}
}
