/* classify_corpus_faults: every single and double fault near a jig's good cable, measured, classified and judged by its exact name. */
#include "classify_corpus.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Within 3σ (χ² 9) of the good cable's gains: no measurement at this
 * noise can see the fault. */
#define INVISIBLE_CHI2 9.0
/* The classifier names a fault once it explains 40 χ² units (its fault
 * penalty plus separation margin) more than the good wiring does; with the
 * noise of that difference (2√d) at four standard deviations, a fault is
 * reliably named from about 100 on. Between 9 and 100 it is "weak": seen
 * sometimes, reported as low_snr sometimes, passed sometimes. */
#define OBSERVABLE_CHI2 100.0
/* A named wiring stands for the truth when their predictions differ by
 * less than the classifier's own twin distance (25, 5σ): closer than that
 * it names the simpler of two wirings that fit about equally well. */
#define ALIAS_CHI2 25.0
/* A truth whose gains, summed over every entry, carry less power than
 * 3 × the classifier's silence threshold (N + 6√N for 16 entries ≈ 40)
 * may be called "no signal". */
#define SILENT_POWER 120.0
/* Faults put into the corpus: a short that is almost a solder bridge and
 * one that is a partial leak; a series resistance 15 × the limit. */
#define SHORT_HARD_OHMS 0.5
#define SHORT_SOFT_OHMS 50.0
#define SERIES_OHMS 30.0
/* What an uncalibrated jig is known to in every gain: 1 % parts and a USB
 * interface's ±0.1 dB gain flatness, 2 %. */
#define STATED_MODEL_UNCERTAINTY 0.02
enum ekind { E_OPEN, E_SERIES, E_SHORT, E_SWAP, E_MOVE };

struct elem {
	enum ekind kind;
	int i, j;        /* conductors (open, series, swap) or contacts (short); move: conductor i onto contact j */
	double ohms;
};

/* A named fault in comparable form: code plus a sorted key (contacts, or
 * for shorts the good cable's nets, since the ends cannot be told apart). */
struct named {
	int code;
	unsigned n;
	int key[4];
};

struct ctx {
	const struct jig *j;
	/* The model uncertainty per entry observability is judged with: the
	 * jig's stated one, or STATED_MODEL_UNCERTAINTY — stated here, not read
	 * from the classifier, so a classifier that widened its own tolerance
	 * would miss faults this corpus still calls observable. */
	double tol;
	int net[FIXTURE_MAX_CONTACTS];
	int carries[FIXTURE_MAX_CONTACTS];
	double sigma[FIXTURE_MAX_CHANNELS];
	double snr_db;
};

static int root(int *p, int x)
{
	while (p[x] != x)
		x = p[x] = p[p[x]];
	return x;
}

static void build_truth(const struct ctx *cx, const struct elem *e, unsigned n, struct wiring *w)
{
	const struct fixture *f = &cx->j->f;
	const struct wiring *ex = &cx->j->expected;
	int removed[WIRING_MAX] = {0};
	struct wiring t = *ex;

	for (unsigned k = 0; k < n; k++) {
		if (e[k].kind == E_SWAP) {
			int b = t.c[e[k].i].b;
			t.c[e[k].i].b = t.c[e[k].j].b;
			t.c[e[k].j].b = b;
		} else if (e[k].kind == E_MOVE) {
			if (f->contact[e[k].j].end == 0)
				t.c[e[k].i].a = e[k].j;
			else
				t.c[e[k].i].b = e[k].j;
		} else if (e[k].kind == E_SERIES) {
			t.c[e[k].i].ohms += e[k].ohms;
		} else if (e[k].kind == E_OPEN) {
			removed[e[k].i] = 1;
		}
	}
	w->n = 0;
	for (unsigned c = 0; c < t.n; c++)
		if (!removed[c])
			w->c[w->n++] = t.c[c];
	for (unsigned k = 0; k < n; k++)
		if (e[k].kind == E_SHORT)
			w->c[w->n++] = (struct conductor){e[k].i, e[k].j, e[k].ohms};
}

static void sort_key(struct named *nm)
{
	for (unsigned a = 0; a < nm->n; a++)
		for (unsigned b = a + 1; b < nm->n; b++)
			if (nm->key[b] < nm->key[a]) {
				int t = nm->key[a];
				nm->key[a] = nm->key[b];
				nm->key[b] = t;
			}
}

static int is_pair(enum role x, enum role y, enum role p, enum role q)
{
	return (x == p && y == q) || (x == q && y == p);
}

/* The channel ("L", "R", "mono", "SIG", another plug label; "" none) and
 * sign (+1 hot, -1 cold or ground, 0 other) a contact's role carries, a
 * plug labelled left/l or right/r naming the channel of its + − SIG
 * (profiles/README.md, matching rules). */
static void channel_sign(const struct fixture_contact *x, char key[16], int *sign)
{
	const char *p = x->plug;
	const char *side = !strcasecmp(p, "left") || !strcasecmp(p, "l") ? "L"
	                   : !strcasecmp(p, "right") || !strcasecmp(p, "r") ? "R" : p[0] ? p : NULL;
	key[0] = '\0';
	*sign = 0;
	switch (x->role) {
	case ROLE_L: case ROLE_LP: snprintf(key, 16, "L"); *sign = 1; break;
	case ROLE_R: case ROLE_RP: snprintf(key, 16, "R"); *sign = 1; break;
	case ROLE_LN: snprintf(key, 16, "L"); *sign = -1; break;
	case ROLE_RN: snprintf(key, 16, "R"); *sign = -1; break;
	case ROLE_P: case ROLE_SIG: case ROLE_N:
		snprintf(key, 16, "%s", side ? side : x->role == ROLE_SIG ? "SIG" : "mono");
		*sign = x->role == ROLE_N ? -1 : 1;
		break;
	case ROLE_G: case ROLE_GND: case ROLE_SHIELD: *sign = -1; break;
	default: break;
	}
}

/* What a conductor carries: its near contact's channel and sign; a ground
 * running to one earpiece's − pin is that earpiece's return. */
static void conductor_key(const struct fixture *f, const struct conductor *c, char key[16], int *sign, int *ground)
{
	char fkey[16];
	int fs;
	channel_sign(&f->contact[c->a], key, sign);
	channel_sign(&f->contact[c->b], fkey, &fs);
	enum role r = f->contact[c->a].role;
	*ground = r == ROLE_G || r == ROLE_GND || r == ROLE_SHIELD;
	if (!key[0] && *ground && fs < 0)
		snprintf(key, 16, "%s", fkey);
	else if ((!strcmp(key, "mono") || !strcmp(key, "SIG")) && fkey[0] && strcmp(fkey, "mono") && strcmp(fkey, "SIG"))
		snprintf(key, 16, "%s", fkey);
}

/* Has channel `key` a return conductor of its own (else it returns
 * through the ground every channel shares)? */
static int own_return(const struct fixture *f, const struct wiring *ex, const char *key)
{
	for (unsigned k = 0; k < ex->n; k++) {
		char kk[16];
		int sign, ground;
		conductor_key(f, &ex->c[k], kk, &sign, &ground);
		if (sign < 0 && !strcmp(kk, key))
			return 1;
	}
	return 0;
}

/* What an exchange of two conductors' far ends is called, from the
 * cable's roles and plug labels alone (written apart from the classifier,
 * which derives its names from its channel model): ground and microphone
 * crossed is CTIA/OMTP; a hot with its channel's own return, or with the
 * shared ground when the channel has no return of its own, is that
 * channel's polarity; the hots or the colds of left and right are the
 * stereo pair; anything else a miswire. */
static int swap_code(const struct fixture *f, const struct wiring *ex, const struct conductor *ci,
                     const struct conductor *cj)
{
	char ki[16], kj[16];
	int pi, gi, pj, gj;
	if (is_pair(f->contact[ci->a].role, f->contact[cj->a].role, ROLE_G, ROLE_MIC) ||
	    is_pair(f->contact[ci->b].role, f->contact[cj->b].role, ROLE_G, ROLE_MIC))
		return FAULT_CTIA_OMTP_MISMATCH;
	conductor_key(f, ci, ki, &pi, &gi);
	conductor_key(f, cj, kj, &pj, &gj);
	if (pi < 0 && pj > 0)
		return swap_code(f, ex, cj, ci);   /* the hot first */
	if (pi > 0 && pj < 0 && ki[0] && (!strcmp(ki, kj) || (!kj[0] && gj && !own_return(f, ex, ki))))
		return FAULT_POLARITY_INVERTED;
	int sided = (!strcmp(ki, "L") || !strcmp(ki, "R")) && (!strcmp(kj, "L") || !strcmp(kj, "R"));
	if (sided && strcmp(ki, kj) && pi == pj && pi != 0)
		return FAULT_LR_SWAP;
	return FAULT_MISWIRE;
}

static void name_contacts(struct named *nm, int code, int a, int b)
{
	nm->code = code;
	nm->n = 2;
	nm->key[0] = a;
	nm->key[1] = b;
	sort_key(nm);
}

/* Two swaps as one cause, or 0: sharing a conductor they rotate three (a
 * miswire); left and right exchanged on both the hot and the cold pair
 * are one L/R swap of four contacts. */
static unsigned swap_pair_names(const struct ctx *cx, const struct elem *e, struct named *out)
{
	const struct fixture *f = &cx->j->f;
	const struct wiring *ex = &cx->j->expected;
	int c[4] = {e[0].i, e[0].j, e[1].i, e[1].j};
	struct named *nm = &out[0];

	nm->n = 0;
	if (e[0].i == e[1].i || e[0].i == e[1].j || e[0].j == e[1].i || e[0].j == e[1].j) {
		nm->code = FAULT_MISWIRE;
		for (unsigned k = 0; k < 4; k++) {
			int a = ex->c[c[k]].a, dup = 0;
			for (unsigned q = 0; q < nm->n; q++)
				dup |= nm->key[q] == a;
			if (!dup)
				nm->key[nm->n++] = a;
		}
		sort_key(nm);
		return 1;
	}
	char k0[16], k1[16];
	int p0, g0, p1, g1;
	conductor_key(f, &ex->c[c[0]], k0, &p0, &g0);
	conductor_key(f, &ex->c[c[2]], k1, &p1, &g1);
	if (swap_code(f, ex, &ex->c[c[0]], &ex->c[c[1]]) != FAULT_LR_SWAP ||
	    swap_code(f, ex, &ex->c[c[2]], &ex->c[c[3]]) != FAULT_LR_SWAP || p0 == p1)
		return 0;
	nm->code = FAULT_LR_SWAP;
	for (unsigned k = 0; k < 4; k++)
		nm->key[nm->n++] = ex->c[c[k]].a;
	sort_key(nm);
	return 1;
}

static unsigned truth_names(const struct ctx *cx, const struct elem *e, unsigned n, struct named *out)
{
	const struct fixture *f = &cx->j->f;
	const struct wiring *ex = &cx->j->expected;
	struct wiring t = *ex;
	unsigned m = 0;

	for (unsigned k = 0; k < n; k++)
		if (e[k].kind == E_SWAP) {
			int b = t.c[e[k].i].b;
			t.c[e[k].i].b = t.c[e[k].j].b;
			t.c[e[k].j].b = b;
		}
	if (n == 2 && e[0].kind == E_SWAP && e[1].kind == E_SWAP && swap_pair_names(cx, e, out))
		return 1;
	for (unsigned k = 0; k < n; k++) {
		const struct conductor *c = &t.c[e[k].i];
		switch (e[k].kind) {
		case E_OPEN:
			name_contacts(&out[m++], FAULT_OPEN, c->a, c->b);
			break;
		case E_SERIES:
			if (e[k].ohms > 2.0)   /* the default series limit */
				name_contacts(&out[m++], FAULT_HIGH_RESISTANCE, c->a, c->b);
			break;
		case E_SHORT: {
			enum role a = f->contact[e[k].i].role, b = f->contact[e[k].j].role;
			name_contacts(&out[m++], is_pair(a, b, ROLE_G, ROLE_MIC) && e[k].ohms <= 1.0 ? FAULT_TRRS_IN_TRS : FAULT_SHORT,
			              1000 + cx->net[e[k].i], 1000 + cx->net[e[k].j]);
			break;
		}
		case E_SWAP:
			name_contacts(&out[m++], swap_code(f, ex, &ex->c[e[k].i], &ex->c[e[k].j]), ex->c[e[k].i].a,
			              ex->c[e[k].j].a);
			break;
		case E_MOVE:
			/* The conductor no longer reaches its own contact, and reaches
			 * one the cable should leave unused. */
			name_contacts(&out[m++], FAULT_OPEN, ex->c[e[k].i].a, ex->c[e[k].i].b);
			if (f->contact[e[k].j].end == 0)
				name_contacts(&out[m++], FAULT_MISWIRE, e[k].j, ex->c[e[k].i].b);
			else
				name_contacts(&out[m++], FAULT_MISWIRE, ex->c[e[k].i].a, e[k].j);
			break;
		}
	}
	return m;
}

static unsigned reported_names(const struct ctx *cx, const struct classification *cl, struct named *out)
{
	unsigned m = 0;
	for (unsigned k = 0; k < cl->n_faults && m < 8; k++) {
		const struct fault *ft = &cl->fault[k];
		struct named *nm = &out[m++];
		nm->code = (int)ft->code;
		nm->n = ft->n_contacts;
		for (unsigned q = 0; q < ft->n_contacts; q++)
			nm->key[q] = ft->code == FAULT_SHORT || ft->code == FAULT_TRRS_IN_TRS ? 1000 + cx->net[ft->contacts[q]]
			                                                                     : ft->contacts[q];
		sort_key(nm);
	}
	return m;
}

/* Codes that name one physics at different values: trrs_in_trs is a short
 * between G and MIC named by its fitted value (below 1 Ω), and a series
 * resistance no measurement tells from infinite is an open. Around those
 * boundaries the name is a matter of the fit, so they compare equal. */
static int canonical(int code)
{
	return code == FAULT_TRRS_IN_TRS ? FAULT_SHORT : code == FAULT_HIGH_RESISTANCE ? FAULT_OPEN : code;
}

static int same_names(const struct named *a, unsigned na, const struct named *b, unsigned nb)
{
	int used[8] = {0};
	if (na != nb)
		return 0;
	for (unsigned x = 0; x < na; x++) {
		unsigned y;
		for (y = 0; y < nb; y++) {
			if (used[y] || canonical(a[x].code) != canonical(b[y].code) || a[x].n != b[y].n)
				continue;
			if (memcmp(a[x].key, b[y].key, a[x].n * sizeof(int)) == 0)
				break;
		}
		if (y == nb)
			return 0;
		used[y] = 1;
	}
	return 1;
}

/* Does fault ft name `code`, as its own code or as an alternative? */
static int says(const struct fault *ft, int code)
{
	if (canonical((int)ft->code) == canonical(code))
		return 1;
	for (int a = 0; a < FAULT_COUNT; a++)
		if ((ft->alternatives & (1u << a)) && canonical(a) == canonical(code))
			return 1;
	return 0;
}

/* Does the result disclose the truth's names? Every code of the truth is
 * among the reported codes or their alternatives, and every reported fault
 * is a truth code or lists one as its alternative. */
static int discloses(const struct named *want, unsigned nw, const struct classification *cl)
{
	for (unsigned x = 0; x < nw; x++) {
		unsigned k = 0;
		while (k < cl->n_faults && !says(&cl->fault[k], want[x].code))
			k++;
		if (k == cl->n_faults)
			return 0;
	}
	for (unsigned k = 0; k < cl->n_faults; k++) {
		unsigned x = 0;
		while (x < nw && !says(&cl->fault[k], want[x].code))
			x++;
		if (x == nw)
			return 0;
	}
	return 1;
}

/* χ² distance between two gain matrices with the classifier's weights. */
static double distance(const struct ctx *cx, const double *x, const double *y)
{
	unsigned no = cx->j->f.n_outputs, n = cx->j->f.n_inputs * no;
	double d = 0.0;
	for (unsigned k = 0; k < n; k++) {
		double s = cx->sigma[k % no], m = cx->tol * fmax(fabs(x[k]), fabs(y[k]));
		d += (x[k] - y[k]) * (x[k] - y[k]) / (0.5 * s * s + m * m);
	}
	return d;
}

static double signal_power(const struct ctx *cx, const double *g)
{
	unsigned no = cx->j->f.n_outputs, n = cx->j->f.n_inputs * no;
	double p = 0.0;
	for (unsigned k = 0; k < n; k++)
		p += g[k] * g[k] / (cx->sigma[k % no] * cx->sigma[k % no]);
	return p;
}

static void describe_elems(const struct ctx *cx, const struct elem *e, unsigned n, char *buf, size_t len)
{
	static const char *const kinds[] = {"open", "series", "short", "swap", "move"};
	const struct fixture *f = &cx->j->f;
	const struct wiring *ex = &cx->j->expected;
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned k = 0; k < n && used < len; k++) {
		const char *a, *b, *sep = k ? " + " : "";
		if (e[k].kind == E_SHORT) {
			a = f->contact[e[k].i].name;
			b = f->contact[e[k].j].name;
		} else {
			a = f->contact[ex->c[e[k].i].a].name;
			b = e[k].kind == E_SWAP ? f->contact[ex->c[e[k].j].a].name
			    : e[k].kind == E_MOVE ? f->contact[e[k].j].name : f->contact[ex->c[e[k].i].b].name;
		}
		if (e[k].kind == E_SHORT || e[k].kind == E_SERIES)
			used += (size_t)snprintf(buf + used, len - used, "%s%s(%s,%s,%.3g)", sep, kinds[e[k].kind], a, b,
			                         e[k].ohms);
		else
			used += (size_t)snprintf(buf + used, len - used, "%s%s(%s,%s)", sep, kinds[e[k].kind], a, b);
	}
}

static void log_case(FILE *log, const struct ctx *cx, const char *what, const struct elem *e, unsigned n,
                     double d, const struct classification *cl)
{
	char t[200];
	if (!log)
		return;
	describe_elems(cx, e, n, t, sizeof(t));
	fprintf(log, "  %s: %s (d=%.0f) -> %s", what, t, d, verdict_name(cl->verdict));
	for (unsigned k = 0; k < cl->n_faults; k++) {
		const struct fault *ft = &cl->fault[k];
		fprintf(log, " %s[", fault_code_name(ft->code));
		for (unsigned q = 0; q < ft->n_contacts; q++)
			fprintf(log, "%s%s", q ? "," : "", cx->j->f.contact[ft->contacts[q]].name);
		fprintf(log, "]");
		if (ft->code == FAULT_SHORT || ft->code == FAULT_HIGH_RESISTANCE || ft->code == FAULT_TRRS_IN_TRS)
			fprintf(log, "=%.3g", ft->value);
		for (int a = 0; a < FAULT_COUNT; a++)
			if (ft->alternatives & (1u << a))
				fprintf(log, "|%s", fault_code_name((enum fault_code)a));
	}
	fprintf(log, " (res %.1f, runner-up %.1f)\n", cl->residual, cl->runner_up);
}

/* CPU time of this thread: what a classification costs, without the
 * scheduler ticks a shared machine adds to wall time (a 4 ms preemption
 * would otherwise be most of a p99). */
static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int compatible(const struct ctx *cx, const struct elem *a, const struct elem *b)
{
	if ((a->kind == E_OPEN && b->kind == E_SERIES) || (a->kind == E_SERIES && b->kind == E_OPEN))
		return a->i != b->i;
	if (a->kind == E_SHORT && b->kind == E_SHORT) {
		int a1 = cx->net[a->i], a2 = cx->net[a->j], b1 = cx->net[b->i], b2 = cx->net[b->j];
		/* Two shorts between the same pair of conductors are one short. */
		return !((a1 == b1 && a2 == b2) || (a1 == b2 && a2 == b1));
	}
	if (a->kind == E_MOVE || b->kind == E_MOVE) {
		/* A moved conductor is not also open, moved again or swapped. */
		const struct elem *m = a->kind == E_MOVE ? a : b, *o = m == a ? b : a;
		if (o->kind == E_OPEN || o->kind == E_MOVE)
			return o->i != m->i;
		if (o->kind == E_SWAP)
			return o->i != m->i && o->j != m->i;
	}
	return 1;
}

/* Contacts the jig drives, senses, ties or loads. */
static void jig_touches(const struct fixture *f, int *t)
{
	memset(t, 0, FIXTURE_MAX_CONTACTS * sizeof(int));
	for (unsigned o = 0; o < f->n_outputs; o++)
		t[f->output[o]] = 1;
	for (unsigned i = 0; i < f->n_inputs; i++) {
		t[f->input_pos[i]] = 1;
		if (f->input_neg[i] >= 0)
			t[f->input_neg[i]] = 1;
	}
	for (unsigned k = 0; k < f->n_ties; k++)
		t[f->tie[k]] = 1;
	for (unsigned l = 0; l < f->n_loads; l++) {
		t[f->load[l].a] = 1;
		if (f->load[l].b >= 0)
			t[f->load[l].b] = 1;
	}
}

/* The faults put into cables, one at a time and in pairs: returns how
 * many, with *n_paired the first ones that also go into pairs. */
static unsigned corpus_singles(const struct ctx *cx, struct elem *single, unsigned max, unsigned *n_paired)
{
	const struct fixture *f = &cx->j->f;
	const struct wiring *ex = &cx->j->expected;
	int touched[FIXTURE_MAX_CONTACTS];
	unsigned n = 0;

	jig_touches(f, touched);
	for (unsigned k = 0; k < ex->n && n < max; k++)
		single[n++] = (struct elem){E_OPEN, (int)k, -1, 0.0};
	for (unsigned k = 0; k < ex->n && n < max; k++)
		single[n++] = (struct elem){E_SERIES, (int)k, -1, SERIES_OHMS};
	for (unsigned x = 0; x < f->n_contacts; x++)
		for (unsigned y = x + 1; y < f->n_contacts && n < max; y++)
			if (f->contact[x].end == f->contact[y].end && cx->carries[x] && cx->carries[y] &&
			    cx->net[x] != cx->net[y])
				single[n++] = (struct elem){E_SHORT, (int)x, (int)y, SHORT_HARD_OHMS};
	for (unsigned i = 0; i < ex->n; i++)
		for (unsigned k = i + 1; k < ex->n && n < max; k++)
			if (ex->c[i].a != ex->c[k].a && ex->c[i].b != ex->c[k].b)
				single[n++] = (struct elem){E_SWAP, (int)i, (int)k, 0.0};
	/* A conductor soldered to a contact the cable leaves unused, where the
	 * jig can see that contact. */
	for (unsigned k = 0; k < ex->n; k++)
		for (unsigned u = 0; u < f->n_contacts && n < max; u++)
			if (!cx->carries[u] && touched[u])
				single[n++] = (struct elem){E_MOVE, (int)k, (int)u, 0.0};
	/* Soft shorts only alone: pairs of them add cases, not physics. */
	*n_paired = n;
	for (unsigned x = 0; x < f->n_contacts; x++)
		for (unsigned y = x + 1; y < f->n_contacts && n < max; y++)
			if (f->contact[x].end == f->contact[y].end && cx->carries[x] && cx->carries[y] &&
			    cx->net[x] != cx->net[y])
				single[n++] = (struct elem){E_SHORT, (int)x, (int)y, SHORT_SOFT_OHMS};
	return n;
}

/* How close element e alone comes to the truth's gains, its resistance
 * (a short's or a series one's) free: the least distance over a log grid
 * from 10 mΩ to 1 MΩ, refined by golden-section search around the best
 * point. A fault with a resistance is named with the value it fits. */
static double closest_alone(const struct ctx *cx, const struct elem *e, const double *truth_g)
{
	double g[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];
	struct wiring w;
	struct elem x = *e;
	if (e->kind != E_SHORT && e->kind != E_SERIES) {
		build_truth(cx, &x, 1, &w);
		return corpus_oracle_gains(&cx->j->f, &w, g) == 0 ? distance(cx, truth_g, g) : INFINITY;
	}
	double best = INFINITY, best_l = 0.0, step = 8.0 / 48;
	for (unsigned k = 0; k <= 48; k++) {   /* log10 ohms from -2 to 6 */
		x.ohms = pow(10.0, -2.0 + k * step);
		build_truth(cx, &x, 1, &w);
		double d = corpus_oracle_gains(&cx->j->f, &w, g) == 0 ? distance(cx, truth_g, g) : INFINITY;
		if (d < best) {
			best = d;
			best_l = -2.0 + k * step;
		}
	}
	double lo = best_l - step, hi = best_l + step, r = (sqrt(5.0) - 1.0) / 2.0;
	for (unsigned it = 0; it < 30; it++) {
		double m1 = hi - r * (hi - lo), m2 = lo + r * (hi - lo), d[2];
		for (unsigned q = 0; q < 2; q++) {
			x.ohms = pow(10.0, q ? m2 : m1);
			build_truth(cx, &x, 1, &w);
			d[q] = corpus_oracle_gains(&cx->j->f, &w, g) == 0 ? distance(cx, truth_g, g) : INFINITY;
		}
		best = fmin(best, fmin(d[0], d[1]));
		if (d[0] < d[1])
			hi = m2;
		else
			lo = m1;
	}
	return best;
}

/* The subsets of a fault pair that must be named: an element is required
 * only if the truth without it looks observably different, whatever the
 * resistance of the other (a weak one may be named or not). Returns how
 * many subsets; *required says whether any element is. */
static unsigned acceptable(const struct ctx *cx, const struct elem *e, unsigned n, const double *truth_g,
                           struct elem sub[3][2], unsigned nsub[3], unsigned *required)
{
	unsigned n_acc = 0;
	*required = 0;
	for (unsigned k = 0; k < n; k++) {
		if (n == 1) {
			*required |= 1u;
			break;
		}
		if (closest_alone(cx, &e[1 - k], truth_g) >= OBSERVABLE_CHI2)
			*required |= 1u << k;
	}
	for (unsigned mask = 1; mask < (1u << n); mask++) {
		if ((mask & *required) != *required)
			continue;
		nsub[n_acc] = 0;
		for (unsigned k = 0; k < n; k++)
			if (mask & (1u << k))
				sub[n_acc][nsub[n_acc]++] = e[k];
		n_acc++;
	}
	return n_acc;
}

/* Score one observable case: named exactly, named as a twin the result
 * itself discloses (its gains match the truth's within the noise and the
 * truth's codes are among the reported codes or their alternatives), an
 * honest error, or wrong. */
static void judge(const struct ctx *cx, const struct elem *e, unsigned n, double d, const double *truth_g,
                  const struct classification *cl, struct corpus_stats *st, FILE *log)
{
	struct elem sub[3][2];
	unsigned nsub[3], required;
	unsigned n_acc = acceptable(cx, e, n, truth_g, sub, nsub, &required);
	struct named want[4], got[8];

	if (cl->verdict == VERDICT_ERROR && cl->n_faults && cl->fault[0].code == FAULT_NO_SIGNAL &&
	    signal_power(cx, truth_g) < SILENT_POWER) {
		/* Everything the truth lets through is below the noise: "no
		 * signal" is the right answer (docs/result.md). */
		st->silent++;
		return;
	}
	/* When neither element of a pair is required, each alone explains the
	 * truth: either may be named, or both. */
	(void)required;
	st->observable++;
	if (cl->verdict != VERDICT_FAIL) {
		if (cl->verdict == VERDICT_PASS)
			st->false_pass++;
		else
			st->errors++;
		log_case(log, cx, cl->verdict == VERDICT_PASS ? "FALSE PASS" : "error", e, n, d, cl);
		return;
	}
	unsigned ng = reported_names(cx, cl, got);
	for (unsigned q = 0; q < n_acc; q++)
		if (same_names(want, truth_names(cx, sub[q], nsub[q], want), got, ng)) {
			st->exact++;
			return;
		}
	double best_g[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];
	if (corpus_oracle_gains(&cx->j->f, &cl->best, best_g) == 0) {
		for (unsigned q = 0; q < n_acc; q++) {
			double gq[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];
			struct wiring wq;
			build_truth(cx, sub[q], nsub[q], &wq);
			unsigned nw = truth_names(cx, sub[q], nsub[q], want);
			if (corpus_oracle_gains(&cx->j->f, &wq, gq) == 0 && distance(cx, best_g, gq) < ALIAS_CHI2 &&
			    discloses(want, nw, cl)) {
				st->aliased++;
				log_case(log, cx, "twin", e, n, d, cl);
				return;
			}
		}
	}
	st->wrong++;
	log_case(log, cx, "WRONG", e, n, d, cl);
}

static void corpus_setup(const struct jig *j, double snr_db, struct ctx *cx)
{
	const struct fixture *f = &j->f;
	const struct wiring *ex = &j->expected;

	for (unsigned c = 0; c < f->n_contacts; c++)
		cx->net[c] = (int)c;
	for (unsigned k = 0; k < ex->n; k++) {
		cx->net[root(cx->net, ex->c[k].a)] = root(cx->net, ex->c[k].b);
		cx->carries[ex->c[k].a] = cx->carries[ex->c[k].b] = 1;
	}
	for (unsigned c = 0; c < f->n_contacts; c++)
		cx->net[c] = root(cx->net, (int)c);
	for (unsigned k = 0; k < f->n_outputs; k++)
		cx->sigma[k] = corpus_tone_sigma(j, k, snr_db);
}

int corpus_run(const struct jig *j, double snr_db, uint64_t seed, struct corpus_stats *st, FILE *log,
               double *us, unsigned max_us)
{
	const struct fixture *f = &j->f;
	struct ctx cx = {.j = j, .snr_db = snr_db, .tol = j->model_tol > 0.0 ? j->model_tol : STATED_MODEL_UNCERTAINTY};
	struct elem single[640];
	unsigned n_paired;
	struct rng r = {seed * 0x9E3779B97F4A7C15ull + 7};
	struct analysis an;
	struct classification cl;
	double truth_g[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];
	int rc = 0;

	memset(st, 0, sizeof(*st));
	corpus_setup(j, snr_db, &cx);
	unsigned n_single = corpus_singles(&cx, single, sizeof(single) / sizeof(single[0]), &n_paired);
	classifier *c = classifier_create(f, &j->expected, NULL);
	if (!c) {
		rc = -ENOMEM;
		goto out;
	}
	if (j->model_tol > 0.0 && (rc = classifier_set_model_tolerance(c, j->model_tol)) < 0)
		goto out;
	for (unsigned a = 0; a < n_single; a++) {
		for (unsigned b = a; b < n_single; b++) {
			struct elem e[2] = {single[a], single[b]};
			unsigned n = b == a ? 1 : 2;
			if (n == 2 && (a >= n_paired || b >= n_paired || !compatible(&cx, &single[a], &single[b])))
				continue;
			struct wiring truth;
			build_truth(&cx, e, n, &truth);
			if (corpus_oracle_gains(f, &truth, truth_g) < 0)
				continue;
			double d = distance(&cx, truth_g, j->eg);
			st->cases++;
			corpus_synth(j, &truth, snr_db, &r, &an);
			double t0 = now_us();
			rc = classifier_run(c, &an, &cl);
			double t1 = now_us();
			if (rc < 0)
				goto out;
			if (us && st->n_us < max_us)
				us[st->n_us++] = t1 - t0;
			if (d < INVISIBLE_CHI2) {
				st->unobservable++;
			} else if (d < OBSERVABLE_CHI2) {
				st->weak++;
				st->weak_pass += cl.verdict == VERDICT_PASS;
			} else {
				judge(&cx, e, n, d, truth_g, &cl, st, log);
			}
		}
	}
	rc = 0;
out:
	classifier_destroy(c);
	return rc;
}

