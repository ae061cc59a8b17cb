/* classify checks: what the wiring alone does not decide — a measurement no cable in this jig can give, and the cable's limits. */
#include "internal/classifier.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A jig mismatch needs a gain this many times above the most any passive
 * cable can give through the jig (6 dB): an interface's own gain error is
 * within ±1.6 dB (what calibration accepts) and parts are 1 %, so nothing
 * but another fixture gets there. */
#define JIG_MARGIN 2.0
/* A tie to the interface ground is modelled as 10 mΩ (fixture.c); taking
 * 1 Ω here only loosens the bound, so it holds for any real tie. */
#define TIE_BOUND_OHMS 1.0

/* Fixed conductance from contact x to ground that no cable can remove:
 * input legs, ties, loads to ground, and outputs other than `driving`
 * (held at 0 V behind their source resistance). */
static double grounded(const struct fixture *f, int x, int driving)
{
	double g = 0.0;
	for (unsigned i = 0; i < f->n_inputs; i++) {
		if (f->input_pos[i] == x)
			g += 1.0 / f->input_ohms;
		if (f->input_neg[i] == x)
			g += 1.0 / f->input_ohms;
	}
	for (unsigned t = 0; t < f->n_ties; t++)
		if (f->tie[t] == x)
			g += 1.0 / TIE_BOUND_OHMS;
	for (unsigned l = 0; l < f->n_loads; l++)
		if (f->load[l].b < 0 && f->load[l].a == x)
			g += 1.0 / f->load[l].ohms;
	for (unsigned o = 0; o < f->n_outputs; o++)
		if ((int)o != driving && f->output[o] == x)
			g += 1.0 / f->source_ohms;
	return g;
}

static double across(const struct fixture *f, int x, int y)
{
	double g = 0.0;
	for (unsigned l = 0; l < f->n_loads; l++) {
		const struct fixture_load *ld = &f->load[l];
		if ((ld->a == x && ld->b == y) || (ld->a == y && ld->b == x))
			g += 1.0 / ld->ohms;
	}
	return g;
}

/* The most |gain| any passive cable can give from output o to input i.
 * With output o at 1 V behind Rs and every other source at 0 V, every
 * node sits between 0 and the driven node's voltage V_A (maximum
 * principle), and the current leaving any node is at most the source's
 * (1 − V_A)/Rs (a single-source resistive flow has no loops). Sensing p
 * against ground, the fixed conductance G_p from p to ground carries
 * V_p·G_p ≤ (1 − V_p)/Rs, so V_p ≤ 1/(1 + Rs·G_p). Sensing p − n, the loads
 * across them carry ΔV·G_pn and p's own legs V_p·G_p ≥ ΔV·G_p, so
 * ΔV ≤ 1/(1 + Rs·(G_pn + G_p)); the same with n for −ΔV. A cable can add
 * paths but not remove these, so no cable exceeds the bound. */
static double entry_bound(const struct fixture *f, unsigned i, unsigned o)
{
	int p = f->input_pos[i], n = f->input_neg[i];
	double rs = f->source_ohms;
	if (!(rs > 0.0) || !(f->input_ohms > 0.0))
		return 1.0;
	double gp = grounded(f, p, (int)o);
	if (n < 0)
		return 1.0 / (1.0 + rs * gp);
	double gn = grounded(f, n, (int)o);
	return 1.0 / (1.0 + rs * (across(f, p, n) + fmin(gp, gn)));
}

int jig_bounds(classifier *c)
{
	for (unsigned i = 0; i < c->n_in; i++)
		for (unsigned o = 0; o < c->n_out; o++)
			c->bound[i * c->n_out + o] = entry_bound(&c->f, i, o);
	return 0;
}

int check_jig(const classifier *c, struct classification *out)
{
	double worst = 1.0;
	int wi = -1, wo = -1;

	for (unsigned i = 0; i < c->n_in; i++)
		for (unsigned o = 0; o < c->n_out; o++) {
			unsigned x = i * c->n_out + o;
			double g = hypot(c->m[x], c->im[x]), b = c->bound[x];
			if (g <= JIG_MARGIN * b + LIMIT_SIGMAS * c->sigma[x])
				continue;
			double r = g / fmax(b, SIGMA_FLOOR);
			if (r > worst) {
				worst = r;
				wi = (int)i;
				wo = (int)o;
			}
		}
	if (wi < 0)
		return 0;
	out->verdict = VERDICT_ERROR;
	out->n_faults = 0;
	struct fault *ft = classify_add_fault(out, FAULT_JIG_MISMATCH);
	if (ft) {
		ft->value = classify_db(worst);
		ft->contacts[ft->n_contacts++] = c->f.output[wo];
		ft->contacts[ft->n_contacts++] = c->f.input_pos[wi];
		if (c->f.input_neg[wi] >= 0)
			ft->contacts[ft->n_contacts++] = c->f.input_neg[wi];
	}
	return 1;
}

/* Limits on the channel view, for a cable whose wiring is as expected.
 * A level or phase beyond its limit by more than LIMIT_SIGMAS of its noise
 * fails the cable; beyond it by less, nobody can say: returns how many
 * such readings there were (the verdict is then low_snr, not pass).
 * Crosstalk fails only when clearly beyond: below ~40 dB SNR its limit
 * lies under the noise floor, and a station that could never pass a
 * cable there would be no use; the measured value is shown either way. */
int check_limits(const classifier *c, struct classification *out, const double *sig, const double *xt_amp,
                        const double *xt_sig, double conf)
{
	const struct classify_limits *lim = &c->lim;
	int undecided = 0;

	for (unsigned k = 0; k < c->n_ch; k++) {
		const struct chan *ch = &c->ch[k];
		const struct channel_view *v = &out->channel[k];
		double e = fabs(ch->expected), mag = e * pow(10.0, v->level_db / 20.0);
		double s1 = sig[k] / M_SQRT2;   /* noise along the signal's own direction */
		struct fault *ft;

		if (lim->max_crosstalk_db < 0.0 && c->n_ch > 1) {
			double allowed = e * pow(10.0, lim->max_crosstalk_db / 20.0);
			if (xt_amp[k] - allowed > LIMIT_SIGMAS * xt_sig[k] && (ft = classify_add_fault(out, FAULT_CROSSTALK))) {
				ft->value = v->crosstalk_db;
				ft->confidence = conf;
				snprintf(ft->channel, sizeof(ft->channel), "%s", ch->name);
				snprintf(ft->place, sizeof(ft->place), "%s", ch->place);
			}
		}
		if (lim->max_level_dev_db > 0.0) {
			double lo = e * pow(10.0, -lim->max_level_dev_db / 20.0);
			double hi = e * pow(10.0, lim->max_level_dev_db / 20.0);
			if (mag < lo && lo - mag <= LIMIT_SIGMAS * s1)
				undecided++;
			if (mag > hi && mag - hi <= LIMIT_SIGMAS * s1)
				undecided++;
			if (lo - mag > LIMIT_SIGMAS * s1 && (ft = classify_add_fault(out, FAULT_HIGH_RESISTANCE))) {
				/* A level drop on a cable wired right is resistance in
				 * series; its value is what the fit of that conductor
				 * says, when the jig can see it. */
				ft->value = 0.0;   /* 0: no fit of the conductor says how much */
				ft->confidence = conf;
				snprintf(ft->channel, sizeof(ft->channel), "%s", ch->name);
				snprintf(ft->place, sizeof(ft->place), "%s", ch->place);
				if (ch->cond_p >= 0) {
					ft->n_contacts = 2;
					ft->contacts[0] = c->expected.c[ch->cond_p].a;
					ft->contacts[1] = c->expected.c[ch->cond_p].b;
				}
				double best = INFINITY;
				for (unsigned q = 0; q < c->hs.n; q++) {
					const struct hyp *h = &c->hs.h[q];
					if (h->n_elems != 1 || h->e[0].kind != HYP_SERIES)
						continue;
					if (h->e[0].i != ch->cond_p && h->e[0].i != ch->cond_n)
						continue;
					if (c->score[q] < best) {
						best = c->score[q];
						ft->value = hyp_param_ohms(h, 0, c->dy[q * HYP_MAX_PARAMS]);
						ft->contacts[0] = c->expected.c[h->e[0].i].a;
						ft->contacts[1] = c->expected.c[h->e[0].i].b;
						ft->n_contacts = 2;
					}
				}
			} else if (mag - hi > LIMIT_SIGMAS * s1 && (ft = classify_add_fault(out, FAULT_UNRECOGNIZED_WIRING))) {
				/* Louder than a perfect conductor allows: nothing in a
				 * passive cable does that; the jig or profile is off. */
				ft->value = v->level_db;
				ft->confidence = conf;
				snprintf(ft->channel, sizeof(ft->channel), "%s", ch->name);
				snprintf(ft->place, sizeof(ft->place), "%s", ch->place);
			}
		}
		if (lim->max_phase_deg > 0.0 && !v->inverted && mag > 0.0) {
			double sphase = s1 / mag * 180.0 / M_PI, over = fabs(v->phase_deg) - lim->max_phase_deg;
			if (over > 0.0 && over <= LIMIT_SIGMAS * sphase)
				undecided++;
			if (over > LIMIT_SIGMAS * sphase &&
			    (ft = classify_add_fault(out, FAULT_UNRECOGNIZED_WIRING))) {
				ft->value = v->phase_deg;
				ft->confidence = conf;
				snprintf(ft->channel, sizeof(ft->channel), "%s", ch->name);
				snprintf(ft->place, sizeof(ft->place), "%s", ch->place);
			}
		}
	}
	return undecided;
}
