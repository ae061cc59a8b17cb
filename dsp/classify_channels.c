/* classify channels: what each conductor is to a listener (its channel and leg), the channels the jig can show, and their view. */
#include "internal/classifier.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A listener's earpiece, for the mono sum where the jig has none: 32 Ω is
 * the usual nominal impedance of headphones and IEMs (and of the stereo
 * jigs' loads). Only ratios to the good cable are reported, so the exact
 * value moves them little. */
#define EARPIECE_OHMS 32.0

int role_is_ground(enum role r)
{
	/* Matching treats them as one ground (profiles/README.md, "Roles"):
	 * a shield is the return of a balanced-mono plug's socket as much as
	 * pin 1 of an XLR is. */
	return r == ROLE_G || r == ROLE_GND || r == ROLE_SHIELD;
}

/* "L" or "R" for a plug labelled left/l or right/r, else NULL. */
static const char *label_side(const char *label)
{
	if (strcasecmp(label, "left") == 0 || strcasecmp(label, "l") == 0)
		return "L";
	if (strcasecmp(label, "right") == 0 || strcasecmp(label, "r") == 0)
		return "R";
	return NULL;
}

/* The channel a contact's role carries (name "" for none) and whether it
 * is the hot (+1) or the return (-1). The rules are those of matching in
 * profiles/wiring.c: L and L+ are the left hot, a plug labelled left/right
 * says which side its + − SIG carry, another label is a channel of its
 * own, and G/GND/SHIELD are a ground return shared by every channel. */
static void role_key(enum role r, const char *label, char name[8], int *pol)
{
	const char *side = label[0] ? label_side(label) : NULL;

	name[0] = '\0';
	*pol = 0;
	switch (r) {
	case ROLE_L: case ROLE_LP: snprintf(name, 8, "L"); *pol = 1; return;
	case ROLE_R: case ROLE_RP: snprintf(name, 8, "R"); *pol = 1; return;
	case ROLE_LN: snprintf(name, 8, "L"); *pol = -1; return;
	case ROLE_RN: snprintf(name, 8, "R"); *pol = -1; return;
	case ROLE_P: case ROLE_SIG: case ROLE_N:
		*pol = r == ROLE_N ? -1 : 1;
		if (side)
			snprintf(name, 8, "%s", side);
		else if (label[0])
			snprintf(name, 8, "%.7s", label);
		else
			snprintf(name, 8, "%s", r == ROLE_SIG ? "SIG" : "mono");
		return;
	case ROLE_G: case ROLE_GND: case ROLE_SHIELD: *pol = -1; return;
	default: return;
	}
}

/* A channel named by its plug label rather than by roles alone. */
static int names_plug(const char *label, const char *name)
{
	const char *side = label[0] ? label_side(label) : NULL;
	return label[0] && strcmp(side ? side : label, name) == 0;
}

/* An earpiece's plug carries only its driver's + and − (and unused pins). */
static int driver_plug(const struct fixture *f, unsigned end, const char *label)
{
	for (unsigned k = 0; k < f->n_contacts; k++) {
		const struct fixture_contact *x = &f->contact[k];
		if (x->end == end && strcmp(x->plug, label) == 0 && x->role != ROLE_P && x->role != ROLE_N &&
		    x->role != ROLE_NC)
			return 0;
	}
	return 1;
}

/* The operator's word for a leg's channel: the labelled plug it runs to
 * ("left earpiece" for a driver's plug, "right plug" for a line plug, "sub
 * plug" for another label), else the channel ("left channel", "signal"). */
static void place_of(const struct fixture *f, const struct conductor *cd, struct leg *lg)
{
	const struct fixture_contact *ends[2] = {&f->contact[cd->a], &f->contact[cd->b]};

	lg->place[0] = '\0';
	if (!lg->name[0])
		return;
	for (unsigned e = 0; e < 2; e++) {
		const struct fixture_contact *x = ends[e];
		if (!names_plug(x->plug, lg->name))
			continue;
		const char *side = label_side(x->plug);
		snprintf(lg->place, sizeof(lg->place), "%s %s",
		         side ? (side[0] == 'L' ? "left" : "right") : x->plug,
		         side && driver_plug(f, x->end, x->plug) ? "earpiece" : "plug");
		return;
	}
	if (strcmp(lg->name, "L") == 0)
		snprintf(lg->place, sizeof(lg->place), "left channel");
	else if (strcmp(lg->name, "R") == 0)
		snprintf(lg->place, sizeof(lg->place), "right channel");
	else if (strcmp(lg->name, "mono") == 0 || strcmp(lg->name, "SIG") == 0)
		snprintf(lg->place, sizeof(lg->place), "signal");
	else
		snprintf(lg->place, sizeof(lg->place), "%s channel", lg->name);
}

/* Each expected conductor's leg, from the near contact's role and plug,
 * completed by the far end's where the near end does not say (a ground
 * split to the left and right earpieces' − pins). */
static void build_legs(classifier *c)
{
	const struct fixture *f = &c->f;

	for (unsigned q = 0; q < c->expected.n; q++) {
		const struct conductor *cd = &c->expected.c[q];
		const struct fixture_contact *a = &f->contact[cd->a], *b = &f->contact[cd->b];
		struct leg *lg = &c->leg[q];
		char fname[8];
		int fpol;

		memset(lg, 0, sizeof(*lg));
		lg->chan = -1;
		role_key(a->role, a->plug, lg->name, &lg->pol);
		role_key(b->role, b->plug, fname, &fpol);
		lg->ground = role_is_ground(a->role);
		int generic = strcmp(lg->name, "mono") == 0 || strcmp(lg->name, "SIG") == 0;
		if ((!lg->name[0] && lg->ground && fpol < 0 && fname[0]) ||
		    (generic && fname[0] && strcmp(fname, "mono") != 0 && strcmp(fname, "SIG") != 0))
			snprintf(lg->name, sizeof(lg->name), "%s", fname);
		place_of(f, cd, lg);
	}
}

static int input_of(const struct fixture *f, int pos, int neg)
{
	for (unsigned i = 0; i < f->n_inputs; i++)
		if (f->input_pos[i] == pos && f->input_neg[i] == neg)
			return (int)i;
	return -1;
}

static int output_of(const struct fixture *f, int contact)
{
	for (unsigned o = 0; o < f->n_outputs; o++)
		if (f->output[o] == contact)
			return (int)o;
	return -1;
}

static int tied(const struct fixture *f, int contact)
{
	for (unsigned t = 0; t < f->n_ties; t++)
		if (f->tie[t] == contact)
			return 1;
	return 0;
}

static int has_load(const struct fixture *f, int x, int y)
{
	for (unsigned l = 0; l < f->n_loads; l++) {
		const struct fixture_load *ld = &f->load[l];
		if ((ld->a == x && ld->b == y) || (ld->a == y && ld->b == x))
			return 1;
	}
	return 0;
}

static int shared(const struct wiring *w, int q)
{
	for (unsigned k = 0; k < w->n; k++)
		if ((int)k != q && (w->c[k].a == w->c[q].a || w->c[k].b == w->c[q].b))
			return 1;
	return 0;
}

/* The return of channel `name` whose hot is conductor p: its own cold
 * leg, else a ground, preferring one on the same plugs. -1: none. */
static int return_of(const classifier *c, const char *name, int p)
{
	const struct fixture *f = &c->f;
	const struct conductor *hot = &c->expected.c[p];
	int best = -1, best_rank = -1;

	for (unsigned q = 0; q < c->expected.n; q++) {
		const struct leg *lg = &c->leg[q];
		const struct conductor *cd = &c->expected.c[q];
		int rank;
		if ((int)q == p || lg->pol >= 0)
			continue;
		if (strcmp(lg->name, name) == 0)
			rank = 4;
		else if (!lg->name[0] && lg->ground)
			rank = 1;
		else
			continue;
		rank += strcmp(f->contact[cd->b].plug, f->contact[hot->b].plug) == 0;
		rank += strcmp(f->contact[cd->a].plug, f->contact[hot->a].plug) == 0;
		if (rank > best_rank) {
			best_rank = rank;
			best = (int)q;
		}
	}
	return best;
}

/* Sense weights: across the far pair the best way the jig allows. 0 or -1. */
static int sense_weights(const struct fixture *f, int fp, int fn, double *s)
{
	int i;
	if (fn >= 0 && (i = input_of(f, fp, fn)) >= 0) {
		s[i] = 1.0;                         /* differential, across the load */
	} else if (fn >= 0 && (i = input_of(f, fn, fp)) >= 0) {
		s[i] = -1.0;
	} else if ((i = input_of(f, fp, -1)) >= 0) {
		s[i] = 1.0;
		int j = fn >= 0 ? input_of(f, fn, -1) : -1;
		if (j >= 0)
			s[j] = -1.0;                /* difference of single-ended senses */
		/* else − is tied (or only reaches ground): + alone is the signal */
	} else {
		/* A jig built for another pinout (an OMTP cable in a CTIA jig):
		 * whatever input has the far + contact as a leg is what the
		 * channel's load sees. */
		for (unsigned k = 0; k < f->n_inputs && i < 0; k++)
			if (f->input_pos[k] == fp || f->input_neg[k] == fp)
				i = (int)k;
		if (i < 0)
			return -1;
		s[i] = f->input_pos[i] == fp ? 1.0 : -1.0;
	}
	return 0;
}

/* The channel whose hot is conductor p, if the jig drives and senses it. */
static void add_channel(classifier *c, int p)
{
	const struct fixture *f = &c->f;
	const struct leg *lg = &c->leg[p];
	struct chan ch = {.np = c->expected.c[p].a, .fp = c->expected.c[p].b, .nn = -1, .fn = -1,
	                  .cond_p = p, .cond_n = -1, .partner = -1};
	int r = return_of(c, lg->name, p), o;

	if (c->n_ch >= CLASSIFY_MAX_CHANNELS || (o = output_of(f, ch.np)) < 0)
		return;
	snprintf(ch.name, sizeof(ch.name), "%s", lg->name);
	snprintf(ch.place, sizeof(ch.place), "%s", lg->place);
	if (r >= 0) {
		ch.cond_n = r;
		ch.nn = c->expected.c[r].a;
		ch.fn = c->expected.c[r].b;
		ch.balanced = !c->leg[r].ground && !shared(&c->expected, r);
	}
	ch.d[o] = 1.0;
	int on = ch.balanced ? output_of(f, ch.nn) : -1;
	if (on >= 0)
		ch.d[on] = -1.0;
	if (sense_weights(f, ch.fp, ch.fn, ch.s) < 0)
		return;
	double e = 0.0;
	for (unsigned i = 0; i < f->n_inputs; i++)
		for (unsigned k = 0; k < f->n_outputs; k++)
			e += ch.s[i] * ch.d[k] * c->eg[i * f->n_outputs + k];
	if (fabs(e) < 1e-9)
		return;   /* the jig cannot see this channel at all */
	ch.expected = e;
	ch.listening = has_load(f, ch.fp, ch.fn) && (ch.balanced ? on >= 0 : ch.nn < 0 || tied(f, ch.nn));
	c->ch[c->n_ch++] = ch;
}

static int chan_named(const classifier *c, const char *name)
{
	for (unsigned k = 0; k < c->n_ch; k++)
		if (strcmp(c->ch[k].name, name) == 0)
			return (int)k;
	return -1;
}

/* The listener's circuit: each channel's + driven (and − in antiphase
 * when balanced), the cable's near grounds and unbalanced returns tied,
 * an earpiece across each channel's far pair, sensed across it. It always
 * drives end A: for a cable whose earpieces are on end A (an HD 600 cable)
 * it is the reciprocal picture, which for a ratio to the good cable is
 * the same. */
static void build_listener(classifier *c)
{
	struct listener *ls = &c->ls;
	struct fixture *lf = &ls->f;
	network *net = c->net;

	ls->ok = 0;
	if (c->n_ch < 2 || c->ch[0].partner < 0)
		return;
	*lf = c->f;
	lf->n_outputs = lf->n_inputs = lf->n_ties = lf->n_loads = 0;
	for (unsigned k = 0; k < c->n_ch; k++) {
		const struct chan *ch = &c->ch[k];
		ls->out_p[k] = (int)lf->n_outputs;
		lf->output[lf->n_outputs++] = ch->np;
		ls->out_n[k] = -1;
		if (ch->balanced) {
			ls->out_n[k] = (int)lf->n_outputs;
			lf->output[lf->n_outputs++] = ch->nn;
		}
		lf->input_pos[lf->n_inputs] = ch->fp;
		lf->input_neg[lf->n_inputs++] = ch->fn;
		lf->load[lf->n_loads++] = (struct fixture_load){ch->fp, ch->fn, EARPIECE_OHMS};
		if (!ch->balanced && ch->nn >= 0 && !tied(lf, ch->nn))
			lf->tie[lf->n_ties++] = ch->nn;
	}
	for (unsigned x = 0; x < lf->n_contacts && lf->n_ties < FIXTURE_MAX_TIES; x++)
		if (lf->contact[x].end == 0 && role_is_ground(lf->contact[x].role) && !tied(lf, (int)x) &&
		    output_of(lf, (int)x) < 0)
			lf->tie[lf->n_ties++] = (int)x;
	ls->ok = fixture_gains(lf, &c->expected, net, ls->eg) == 0;
}

void chan_build(classifier *c)
{
	c->n_ch = 0;
	build_legs(c);
	/* Left first, then right, then the rest, each once. */
	for (unsigned pass = 0; pass < 3; pass++)
		for (unsigned q = 0; q < c->expected.n; q++) {
			const struct leg *lg = &c->leg[q];
			int is_l = strcmp(lg->name, "L") == 0, is_r = strcmp(lg->name, "R") == 0;
			if (lg->pol <= 0 || !lg->name[0] || chan_named(c, lg->name) >= 0)
				continue;
			if ((pass == 0 && is_l) || (pass == 1 && is_r) || (pass == 2 && !is_l && !is_r))
				add_channel(c, (int)q);
		}
	int l = chan_named(c, "L"), r = chan_named(c, "R");
	if (l >= 0 && r >= 0) {
		c->ch[l].partner = r;
		c->ch[r].partner = l;
	}
	for (unsigned q = 0; q < c->expected.n; q++)
		c->leg[q].chan = c->leg[q].name[0] ? chan_named(c, c->leg[q].name) : -1;
	build_listener(c);
}

/* ---- the view ---- */

struct cplx {
	double re, im;
};

/* sᵀ H d over the measured (sanitised) entries. */
static struct cplx channel_sum(const classifier *c, const double *s, const double *d)
{
	struct cplx r = {0.0, 0.0};
	for (unsigned i = 0; i < c->n_in; i++) {
		if (s[i] == 0.0)
			continue;
		for (unsigned o = 0; o < c->n_out; o++) {
			if (d[o] == 0.0)
				continue;
			r.re += s[i] * d[o] * c->m[i * c->n_out + o];
			r.im += s[i] * d[o] * c->im[i * c->n_out + o];
		}
	}
	return r;
}

static double channel_sigma(const classifier *c, const double *s, const double *d)
{
	double v = 0.0;
	for (unsigned i = 0; i < c->n_in; i++)
		for (unsigned o = 0; o < c->n_out; o++) {
			double sg = c->sigma[i * c->n_out + o];
			v += s[i] * s[i] * d[o] * d[o] * sg * sg;
		}
	return sqrt(v);
}

static double expected_sum(const classifier *c, const double *s, const double *d)
{
	double e = 0.0;
	for (unsigned i = 0; i < c->n_in; i++)
		for (unsigned o = 0; o < c->n_out; o++)
			e += s[i] * d[o] * c->eg[i * c->n_out + o];
	return e;
}

/* Which channel's far contacts carry channel k in wiring w: the one whose
 * + or − contact k's near + reaches (its own first), else k itself. */
static unsigned found_at(const classifier *c, unsigned k, const struct wiring *w)
{
	const struct chan *ch = &c->ch[k];
	int other = -1;

	for (unsigned q = 0; w && q < w->n; q++) {
		const struct conductor *cd = &w->c[q];
		int far = cd->a == ch->np ? cd->b : cd->b == ch->np ? cd->a : -1;
		if (far < 0 || c->f.contact[far].end == c->f.contact[ch->np].end)
			continue;
		if (far == ch->fp || far == ch->fn)
			return k;
		for (unsigned j = 0; j < c->n_ch && other < 0; j++)
			if (c->ch[j].fp == far || c->ch[j].fn == far)
				other = (int)j;
	}
	return other >= 0 ? (unsigned)other : k;
}

/* The listener's (L+R) on the row of channel j, driven as channels k and
 * its partner p, from gains g of the listener's circuit. */
static double listener_mono(const classifier *c, const double *g, unsigned j, unsigned k, unsigned p)
{
	const struct listener *ls = &c->ls;
	unsigned no = ls->f.n_outputs;
	double v = 0.0;
	unsigned who[2] = {k, p};
	for (unsigned x = 0; x < 2; x++) {
		v += g[j * no + (unsigned)ls->out_p[who[x]]];
		if (ls->out_n[who[x]] >= 0)
			v -= g[j * no + (unsigned)ls->out_n[who[x]]];
	}
	return v;
}

/* Mono sum of channel k read at channel j, re the good cable's at j. */
static double mono_ratio(const classifier *c, unsigned k, unsigned j, int predicted)
{
	const struct chan *ch = &c->ch[k], *at = &c->ch[j];
	unsigned p = (unsigned)ch->partner;

	if (predicted) {
		double e = listener_mono(c, c->ls.eg, j, j, (unsigned)at->partner);
		return classify_db(fabs(listener_mono(c, c->ls.pred, j, k, p)) / fabs(e));
	}
	double dm[FIXTURE_MAX_CHANNELS], de[FIXTURE_MAX_CHANNELS];
	for (unsigned o = 0; o < c->n_out; o++) {
		dm[o] = ch->d[o] + c->ch[p].d[o];
		de[o] = at->d[o] + c->ch[at->partner].d[o];
	}
	struct cplx ms = channel_sum(c, at->s, dm);
	double em = expected_sum(c, at->s, de);
	return classify_db(hypot(ms.re, ms.im) / fabs(em != 0.0 ? em : at->expected));
}

/* Level, phase, polarity, SNR and crosstalk of channel k read at channel j. */
static void one_view(const classifier *c, unsigned k, unsigned j, struct channel_view *v, double *sig,
                     double *xt_amp, double *xt_sig)
{
	const struct chan *ch = &c->ch[k], *at = &c->ch[j];
	struct cplx h = channel_sum(c, at->s, ch->d);
	double mag = hypot(h.re, h.im), e = at->expected;

	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", ch->name);
	if (j != k)
		snprintf(v->found_at, sizeof(v->found_at), "%s", at->name);
	*sig = channel_sigma(c, at->s, ch->d);
	v->level_db = classify_db(mag / fabs(e));
	/* Phase relative to the good cable's sign, so a good cable reads 0°. */
	double ph = atan2(h.im, h.re) * 180.0 / M_PI;
	if (e < 0.0)
		ph = ph > 0.0 ? ph - 180.0 : ph + 180.0;
	if (ph <= -180.0)
		ph += 360.0;
	v->phase_deg = ph;
	v->snr_db = classify_db(mag / *sig);
	v->inverted = fabs(ph) > 90.0 && v->snr_db >= SIGNAL_SNR_DB;

	/* Crosstalk is shown as measured; the limit applies to what the cable
	 * adds to the leak a good cable already has in this jig (a shared
	 * return, or a jig built for another pinout). */
	double shown = 0.0;
	*xt_amp = 0.0;
	*xt_sig = 0.0;
	v->crosstalk_db = DB_FLOOR;
	for (unsigned m = 0; m < c->n_ch; m++) {
		if (m == k)
			continue;
		struct cplx x = channel_sum(c, at->s, c->ch[m].d);
		double good = expected_sum(c, at->s, c->ch[m].d);
		double excess = hypot(x.re - good, x.im);
		shown = fmax(shown, hypot(x.re, x.im));
		if (excess > *xt_amp) {
			*xt_amp = excess;
			*xt_sig = channel_sigma(c, at->s, c->ch[m].d);
		}
	}
	if (c->n_ch > 1)
		v->crosstalk_db = classify_db(shown / fabs(e));
}

static int same_wiring(const struct wiring *x, const struct wiring *y)
{
	if (x->n != y->n)
		return 0;
	for (unsigned k = 0; k < x->n; k++)
		if (x->c[k].a != y->c[k].a || x->c[k].b != y->c[k].b || x->c[k].ohms != y->c[k].ohms)
			return 0;
	return 1;
}

void chan_views(classifier *c, struct classification *out, const struct wiring *named, double *sig,
                double *xt_amp, double *xt_sig)
{
	/* The listener's circuit with the named wiring, for channels the jig
	 * does not load as earpieces (a per-contact jig holds every contact,
	 * where a listener's device leaves a microphone contact floating). */
	int predict = 0;
	for (unsigned k = 0; named && k < c->n_ch; k++)
		predict |= c->ch[k].partner >= 0 && !c->ch[k].listening;
	if (predict && c->ls.ok && same_wiring(named, &c->expected))
		memcpy(c->ls.pred, c->ls.eg, sizeof(c->ls.pred));   /* a good cable: nothing to solve */
	else
		predict = predict && c->ls.ok && fixture_gains(&c->ls.f, named, c->net, c->ls.pred) == 0;

	out->n_channels = c->n_ch;
	for (unsigned k = 0; k < c->n_ch; k++) {
		struct channel_view *v = &out->channel[k];
		unsigned j = found_at(c, k, named);
		one_view(c, k, j, v, &sig[k], &xt_amp[k], &xt_sig[k]);
		if (c->ch[k].partner >= 0 && c->ch[j].partner >= 0)
			v->mono_ratio_db = mono_ratio(c, k, j, predict && !c->ch[j].listening);
		else
			v->mono_ratio_db = v->level_db;
	}
}
