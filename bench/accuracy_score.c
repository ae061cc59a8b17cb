/* bench/accuracy_score: the fault corpus of bench/accuracy and how a result is judged — what is observable at the stated noise, named exactly, disclosed, or wrong. */
#include "accuracy.h"

#include <math.h>
#include <string.h>

/* What the bench holds a station to is stated here, from the physics and
 * the noise, and not read from the classifier: a classifier that changed
 * its own tolerance or thresholds would then see fewer faults, and this
 * bench would say so.
 *
 * Besides the noise, a station without calibration does not know its jig
 * to better than 2 % in every gain: a USB interface's gain flatness
 * (±0.1 dB, 1.2 %) and 1 % source and load resistors. A difference the
 * model cannot tell from that is not one a station can promise to see,
 * however quiet the bench. */
#define STATED_MODEL_UNCERTAINTY 0.02
/* Naming a difference: a station that must not fail a good cable on noise
 * names an explanation only when it fits NAME_CHI2 χ² units better than
 * the others. Over 4096 hypotheses of up to two fitted resistances (χ²
 * with two degrees of freedom: P(> c) = e^(-c/2)), noise alone does that
 * with probability 4096 e^(-20) ≈ 1e-5. */
#define NAME_CHI2 40.0
/* Mentioning a second fault on a cable that fails anyway needs less: a
 * mention that noise made up costs a look, not a cable. Over the at most
 * 64 pairs that add one element to a named fault, noise alone improves a
 * fit by MENTION_CHI2 with probability 64 e^(-11) ≈ 1e-3. */
#define MENTION_CHI2 22.0
/* A difference of d χ² units shows as an improvement of about
 * (√d + z)², z a standard normal: it clears a threshold c with
 * probability 1 − 3e-5 (z > −4) once d ≥ (√c + 4)², and with less than
 * 3e-5 while d < (√c − 4)². */
#define POWER_SIGMAS 4.0

/* Fault values: a short is a solder bridge, a high resistance a cold joint
 * ten times the default limit (classify_limits_default: 2 ohms). */
#define SHORT_OHMS 0.5
#define HIGH_R_OHMS 20.0
/* The range over which a short's or an added series resistance is fitted
 * when the bench looks for the best explanation by one element alone: a
 * dead short to a leak of 1 MΩ (a hundred times a 10 kΩ input). */
#define FIT_LOG_LO -2.0
#define FIT_LOG_HI 6.0
#define FIT_GRID 48
#define FIT_GOLDEN_STEPS 30

const char *const kind_names[K_COUNT] = { "swap", "open", "short", "high_r" };

/* The distance at which a measurement shows a difference to a test of
 * threshold c with probability 1 − 3e-5 (plus) or less than 3e-5 (minus). */
static double shown_at(double c, double sign)
{
	double r = sqrt(c) + sign * POWER_SIGMAS;
	return r > 0.0 ? r * r : 0.0;
}

double observable_chi2(void)
{
	return shown_at(NAME_CHI2, 1.0);
}

double second_fault_chi2(void)
{
	return shown_at(MENTION_CHI2, 1.0);
}

double invisible_chi2(void)
{
	return shown_at(NAME_CHI2, -1.0);
}

void add_stats(struct class_stats *t, const struct class_stats *c)
{
	t->cases += c->cases;
	t->invisible += c->invisible;
	t->marginal += c->marginal;
	t->marginal_pass += c->marginal_pass;
	t->observable += c->observable;
	t->exact += c->exact;
	t->disclosed += c->disclosed;
	t->silent += c->silent;
	t->false_pass += c->false_pass;
	t->honest_error += c->honest_error;
	t->wrong_wiring += c->wrong_wiring;
	t->wrong_codes += c->wrong_codes;
	t->clipped += c->clipped;
	t->unaligned += c->unaligned;
	t->good_trials += c->good_trials;
	t->good_pass += c->good_pass;
	t->us_sum += c->us_sum;
}

unsigned stats_correct(const struct class_stats *c)
{
	return c->exact + c->disclosed + c->silent;
}

/* ---- the corpus: every single and double fault of the expected wiring ---- */

static unsigned corpus_singles(const struct station *s, struct fault_spec *out, unsigned max)
{
	const struct wiring *e = &s->expected;
	unsigned n = 0;
	for (unsigned i = 0; i < e->n; i++)
		for (unsigned j = i + 1; j < e->n; j++)
			if (n < max && e->c[i].b != e->c[j].b && e->c[i].a != e->c[j].a)
				out[n++] = (struct fault_spec){ K_SWAP, (int)i, (int)j, 0.0 };
	for (unsigned i = 0; i < e->n; i++)
		if (n < max)
			out[n++] = (struct fault_spec){ K_OPEN, (int)i, -1, 0.0 };
	for (unsigned i = 0; i < e->n; i++)
		for (unsigned j = i + 1; j < e->n; j++)
			if (n < max && e->c[i].a != e->c[j].a)
				out[n++] = (struct fault_spec){ K_SHORT, e->c[i].a, e->c[j].a, SHORT_OHMS };
	for (unsigned i = 0; i < e->n; i++)
		if (n < max)
			out[n++] = (struct fault_spec){ K_HIGH_R, (int)i, -1, HIGH_R_OHMS };
	return n;
}

static void apply_faults(const struct wiring *e, const struct fault_spec *f, unsigned nf, struct wiring *w)
{
	struct wiring t = *e;
	int gone[WIRING_MAX] = { 0 };
	for (unsigned x = 0; x < nf; x++) {
		switch (f[x].kind) {
		case K_SWAP: {
			int b = t.c[f[x].p].b;
			t.c[f[x].p].b = t.c[f[x].q].b;
			t.c[f[x].q].b = b;
			break;
		}
		case K_OPEN: gone[f[x].p] = 1; break;
		case K_HIGH_R: t.c[f[x].p].ohms += f[x].ohms; break;
		default: break;
		}
	}
	w->n = 0;
	for (unsigned i = 0; i < t.n; i++)
		if (!gone[i])
			w->c[w->n++] = t.c[i];
	for (unsigned x = 0; x < nf; x++)
		if (f[x].kind == K_SHORT && w->n < WIRING_MAX)
			w->c[w->n++] = (struct conductor){ f[x].p, f[x].q, f[x].ohms };
}

void each_case(const struct station *s, network *net, case_fn visit, void *ctx)
{
	struct fault_spec singles[256];
	unsigned ns = corpus_singles(s, singles, 256);
	double g[MAX_CH * MAX_CH];
	for (unsigned a = 0; a < ns; a++)
		for (unsigned b = a; b < ns; b++) {
			struct fault_spec f[2] = { singles[a], singles[b] };
			unsigned nf = a == b ? 1 : 2;
			struct wiring w;
			apply_faults(&s->expected, f, nf, &w);
			if (fixture_gains(&s->fx, &w, net, g) == 0)
				visit(ctx, f, nf, g);
		}
}

/* ---- distances at the stated noise ---- */

/* χ² distance between two gain matrices: each entry's difference over the
 * variance the stated noise gives its real part (half the complex noise)
 * and the stated model uncertainty, in quadrature. A measurement without
 * a round trip knows each tone's column only up to its sign: then the
 * closer of the two counts. */
static double distance(const struct judge *j, const double *x, const double *y)
{
	unsigned no = j->s->fx.n_outputs, ni = j->s->fx.n_inputs;
	double d = 0.0;
	for (unsigned o = 0; o < no; o++) {
		double same = 0.0, turned = 0.0;
		for (unsigned i = 0; i < ni; i++) {
			unsigned e = i * no + o;
			double sd = j->sd[o], m = STATED_MODEL_UNCERTAINTY * fmax(fabs(x[e]), fabs(y[e]));
			double v = 0.5 * sd * sd + m * m;
			same += (x[e] - y[e]) * (x[e] - y[e]) / v;
			turned += (x[e] + y[e]) * (x[e] + y[e]) / v;
		}
		d += j->unaligned ? fmin(same, turned) : same;
	}
	return d;
}

static double distance_of(const struct judge *j, const struct fault_spec *f, const double *g)
{
	struct wiring w;
	double h[MAX_CH * MAX_CH];
	apply_faults(&j->s->expected, f, 1, &w);
	return fixture_gains(&j->s->fx, &w, j->net, h) == 0 ? distance(j, g, h) : INFINITY;
}

/* How close element f alone comes to gains g, its resistance (a short's,
 * or the series resistance it adds) free: the least distance over a log
 * grid, refined by golden-section search around the best point. */
static double closest_alone(const struct judge *j, const struct fault_spec *f, const double *g)
{
	struct fault_spec x = *f;
	if (f->kind != K_SHORT && f->kind != K_HIGH_R)
		return distance_of(j, f, g);
	double step = (FIT_LOG_HI - FIT_LOG_LO) / FIT_GRID, best = INFINITY, best_l = FIT_LOG_LO;
	for (unsigned k = 0; k <= FIT_GRID; k++) {
		x.ohms = pow(10.0, FIT_LOG_LO + k * step);
		double d = distance_of(j, &x, g);
		if (d < best) {
			best = d;
			best_l = FIT_LOG_LO + k * step;
		}
	}
	double lo = best_l - step, hi = best_l + step, r = (sqrt(5.0) - 1.0) / 2.0;
	for (unsigned it = 0; it < FIT_GOLDEN_STEPS; it++) {
		double m1 = hi - r * (hi - lo), m2 = lo + r * (hi - lo);
		x.ohms = pow(10.0, m1);
		double d1 = distance_of(j, &x, g);
		x.ohms = pow(10.0, m2);
		double d2 = distance_of(j, &x, g);
		best = fmin(best, fmin(d1, d2));
		if (d1 < d2)
			hi = m2;
		else
			lo = m1;
	}
	return best;
}

/* ---- naming ---- */

/* Codes a classifier may truthfully use for a fault of each kind. An open
 * may be named as a series resistance the jig cannot tell from infinite
 * (docs/result.md), and the crosstalk of a shared ground that a short or
 * a resistance in it makes is a limit that fault breaks. */
static int code_allowed(enum kind k, enum fault_code c)
{
	switch (k) {
	case K_SWAP:
		return c == FAULT_LR_SWAP || c == FAULT_POLARITY_INVERTED || c == FAULT_CTIA_OMTP_MISMATCH ||
		       c == FAULT_TRRS_IN_TRS || c == FAULT_MISWIRE;
	case K_OPEN:
		return c == FAULT_OPEN || c == FAULT_NO_SIGNAL || c == FAULT_HIGH_RESISTANCE;
	case K_SHORT:
		return c == FAULT_SHORT || c == FAULT_TRRS_IN_TRS || c == FAULT_CROSSTALK;
	case K_HIGH_R:
		return c == FAULT_HIGH_RESISTANCE || c == FAULT_CROSSTALK;
	default:
		return 0;
	}
}

/* Does fault ft name kind k: 2 by its code, 1 among its alternatives, 0 not. */
static int names_kind(const struct fault *ft, enum kind k)
{
	if (code_allowed(k, ft->code))
		return 2;
	for (int a = 0; a < FAULT_COUNT; a++)
		if ((ft->alternatives & (1u << a)) && code_allowed(k, (enum fault_code)a))
			return 1;
	return 0;
}

static void log_case(const struct judge *j, const char *what, const struct fault_spec *f, unsigned nf, double d,
                     double d_named, const struct classification *cl)
{
	const struct fixture *fx = &j->s->fx;
	const struct wiring *e = &j->s->expected;
	if (!j->log)
		return;
	fprintf(j->log, "%s %.0f dB %s: %s:", j->s->jig.name, j->snr, j->who, what);
	for (unsigned x = 0; x < nf; x++) {
		const char *a, *b;
		if (f[x].kind == K_SHORT) {
			a = fx->contact[f[x].p].name;
			b = fx->contact[f[x].q].name;
		} else {
			a = fx->contact[e->c[f[x].p].a].name;
			b = fx->contact[f[x].kind == K_SWAP ? e->c[f[x].q].a : e->c[f[x].p].b].name;
		}
		fprintf(j->log, "%s %s(%s,%s)", x ? " +" : "", kind_names[f[x].kind], a, b);
	}
	fprintf(j->log, " (d %.0f) -> %s", d, verdict_name(cl->verdict));
	for (unsigned k = 0; k < cl->n_faults; k++) {
		const struct fault *ft = &cl->fault[k];
		fprintf(j->log, " %s[", fault_code_name(ft->code));
		for (unsigned q = 0; q < ft->n_contacts; q++)
			fprintf(j->log, "%s%s", q ? "," : "", fx->contact[ft->contacts[q]].name);
		fprintf(j->log, "]");
		if (ft->value != 0.0)
			fprintf(j->log, "=%.3g", ft->value);
		for (int a = 0; a < FAULT_COUNT; a++)
			if (ft->alternatives & (1u << a))
				fprintf(j->log, "|%s", fault_code_name((enum fault_code)a));
		if (ft->confidence < 1.0)
			fprintf(j->log, " (%.3f)", ft->confidence);
	}
	fprintf(j->log, "; named wiring at d %.1f\n", d_named);
}

/* A fail verdict against the truth. A pair's element is required when the
 * other element alone (its resistance free) is at least
 * second_fault_chi2() from the truth: the measurement then shows it well
 * enough that a station must name it or mention it; below that it may be
 * left out. The result is exact when the named wiring cannot be told from
 * the truth (closer than observable_chi2()) and every fault is named by a
 * code of a truth's kind, every required kind by one of them; it is
 * disclosed when what is not named so is listed among alternatives (and
 * the confidence says so). Returns 2 exact, 1 disclosed, 0 wrong codes,
 * -1 wrong wiring. */
static int judge_fail(const struct judge *j, const struct fault_spec *f, unsigned nf, const double *g,
                      const struct classification *cl, double *d_named)
{
	double d_obs = observable_chi2(), gb[MAX_CH * MAX_CH];
	*d_named = fixture_gains(&j->s->fx, &cl->best, j->net, gb) == 0 ? distance(j, gb, g) : INFINITY;
	if (!(*d_named < d_obs))
		return -1;
	int required[2] = { 1, 0 };
	if (nf == 2)
		for (unsigned k = 0; k < 2; k++)
			required[k] = closest_alone(j, &f[1 - k], g) >= second_fault_chi2();
	int rc = 2;
	for (unsigned x = 0; x < cl->n_faults; x++) {
		int best = 0;
		for (unsigned k = 0; k < nf; k++)
			best = fmax(best, names_kind(&cl->fault[x], f[k].kind));
		if (best == 1 && !(cl->fault[x].confidence < 1.0))
			best = 0;   /* alternatives with a confidence of 1 say nothing */
		if (best == 0)
			return 0;
		rc = best < rc ? best : rc;
	}
	for (unsigned k = 0; k < nf; k++) {
		int best = 0;
		for (unsigned x = 0; x < cl->n_faults; x++)
			best = fmax(best, names_kind(&cl->fault[x], f[k].kind));
		if (required[k] && best == 0)
			return 0;
		if (required[k] && best < rc)
			rc = best;
	}
	return cl->n_faults ? rc : 0;
}

void judge_case(const struct judge *j, const struct fault_spec *f, unsigned nf, const double *g,
                const struct classification *cl, struct class_stats *cs)
{
	double zero[MAX_CH * MAX_CH] = { 0 };
	double d = distance(j, g, j->s->eg), d_named = NAN;

	cs->cases++;
	if (d < invisible_chi2()) {
		cs->invisible++;
		return;
	}
	if (d < observable_chi2()) {
		cs->marginal++;
		cs->marginal_pass += cl->verdict == VERDICT_PASS;
		return;
	}
	cs->observable++;
	if (cl->verdict == VERDICT_PASS) {
		cs->false_pass++;
		log_case(j, "FALSE PASS", f, nf, d, d_named, cl);
		return;
	}
	if (cl->verdict == VERDICT_ERROR) {
		/* nothing observable gets through: "no signal" is the right answer */
		if (distance(j, g, zero) < observable_chi2() && cl->n_faults && cl->fault[0].code == FAULT_NO_SIGNAL) {
			cs->silent++;
			return;
		}
		cs->honest_error++;
		cs->clipped += cl->n_faults && cl->fault[0].code == FAULT_CLIPPING;
		log_case(j, "error", f, nf, d, d_named, cl);
		return;
	}
	int r = judge_fail(j, f, nf, g, cl, &d_named);
	if (r == 2) {
		cs->exact++;
		return;
	}
	if (r == 1)
		cs->disclosed++;
	else if (r == 0)
		cs->wrong_codes++;
	else
		cs->wrong_wiring++;
	log_case(j, r == 1 ? "disclosed" : r == 0 ? "WRONG CODES" : "WRONG WIRING", f, nf, d, d_named, cl);
}
