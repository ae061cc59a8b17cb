/* classify unaligned: a verdict from a measurement whose round trip is unknown, where every tone's phase is known only relative to the same tone on the other inputs. */
#include "internal/classifier.h"

#include <complex.h>
#include <math.h>
#include <string.h>

/* Without a round trip, tone k's column of H is turned by an unknown phase,
 * the same on every input (a delay turns a tone, not an input). Each
 * column is turned here to its principal axis, the phase that makes it
 * most nearly real, which leaves the column known up to its sign: every
 * hypothesis is compared with the column's sign that suits it best. What
 * stays off the axis is misfit every hypothesis shares, as the imaginary
 * part is for a measurement with its round trip. */

/* The sign (±1) that turns column o of p towards the measurement c->m. */
static double column_sign(const classifier *c, const double *p, unsigned o)
{
	double dot = 0.0;
	for (unsigned i = 0; i < c->n_in; i++) {
		unsigned x = i * c->n_out + o;
		dot += c->w[x] * c->m[x] * p[x];
	}
	return dot < 0.0 ? -1.0 : 1.0;
}

void classify_align(const classifier *c, double *p)
{
	for (unsigned o = 0; o < c->n_out; o++) {
		double s = column_sign(c, p, o);
		for (unsigned i = 0; s < 0.0 && i < c->n_in; i++)
			p[i * c->n_out + o] = -p[i * c->n_out + o];
	}
}

/* Fit hypothesis h to the measurement with each column's sign its own:
 * those of its gains without parameters first, then, where the fit turned
 * a column round, those of the fit. pred gets the prediction aligned with
 * c->m; returns the residual of the real parts. */
static double fit_unaligned(classifier *c, const struct hyp *h, double *pred, double *dy)
{
	double *t = c->alt_pred, sign[FIXTURE_MAX_CHANNELS];
	const double *p0 = c->hs.arena + h->p0;
	for (unsigned o = 0; o < c->n_out; o++)
		sign[o] = column_sign(c, p0, o);
	for (unsigned pass = 0; pass < 2; pass++) {
		for (unsigned x = 0; x < c->n; x++)
			t[x] = sign[x % c->n_out] * c->m[x];
		hyp_fit(&c->hs, h, t, c->w, pred, dy, c->scratch);
		int turned = 0;
		for (unsigned o = 0; o < c->n_out; o++)
			if (column_sign(c, pred, o) != sign[o]) {
				sign[o] = -sign[o];
				turned = 1;
			}
		if (!turned || !h->n_params)
			break;
	}
	double r = 0.0;
	for (unsigned x = 0; x < c->n; x++) {
		pred[x] *= sign[x % c->n_out];
		r += c->w[x] * (c->m[x] - pred[x]) * (c->m[x] - pred[x]);
	}
	return r;
}

void score_unaligned(classifier *c)
{
	unsigned nh = c->hs.n;
	double imterm = 0.0;

	for (unsigned x = 0; x < c->n; x++) {
		double s = c->sigma[x], mm = c->model_tol * hypot(c->m[x], c->im[x]);
		c->w[x] = 1.0 / (0.5 * s * s + mm * mm);
	}
	for (unsigned o = 0; o < c->n_out; o++) {
		double complex z = 0.0;
		for (unsigned i = 0; i < c->n_in; i++) {
			unsigned x = i * c->n_out + o;
			double complex h = c->m[x] + I * c->im[x];
			z += c->w[x] * h * h;
		}
		double complex turn = cexp(-I * 0.5 * carg(z));
		for (unsigned i = 0; i < c->n_in; i++) {
			unsigned x = i * c->n_out + o;
			double complex h = (c->m[x] + I * c->im[x]) * turn;
			c->m[x] = creal(h);
			c->im[x] = cimag(h);
			imterm += c->w[x] * c->im[x] * c->im[x];
		}
	}
	double *pe = c->pred + (size_t)nh * c->n, r = 0.0;
	memcpy(pe, c->eg, c->n * sizeof(double));
	classify_align(c, pe);
	for (unsigned x = 0; x < c->n; x++)
		r += c->w[x] * (c->m[x] - pe[x]) * (c->m[x] - pe[x]);
	c->resid[nh] = r + imterm;
	c->score[nh] = c->resid[nh];
	for (unsigned k = 0; k < nh; k++) {
		const struct hyp *h = &c->hs.h[k];
		c->resid[k] = fit_unaligned(c, h, c->pred + (size_t)k * c->n, c->dy + (size_t)k * HYP_MAX_PARAMS) + imterm;
		c->score[k] = c->resid[k] + FAULT_PENALTY * h->n_elems;
	}
}

void conclude_unaligned(classifier *c, const struct classify_choice *ch, double snr, struct classification *out)
{
	/* Up to a sign per tone an inverted polarity keeps every magnitude: a
	 * wiring a good cable could have that fits about as well leaves the
	 * cable undecided, and nothing else can decide it. */
	if (!classify_fails_anyway(c, ch)) {
		classify_undecided(c, out, snr);
		reach_measured(c, out);
		return;
	}
	/* Every wiring that fits about as well fails the cable: the best is
	 * named, and the others, twins or observably different, are its
	 * alternatives. */
	double conf = classify_confidence(ch->margin);
	name_faults(c, &c->hs.h[ch->named], c->dy + (size_t)ch->named * HYP_MAX_PARAMS, conf, out->fault,
	            &out->n_faults, CLASSIFY_MAX_FAULTS);
	name_alternatives(c, out, ch->named, c->resid[ch->cand] + ALT_CHI2, c->score[ch->cand] + SEPARATION);
	/* the measured gains with each tone's sign as the named wiring has it */
	double *p = c->alt_pred;
	memcpy(p, c->hs.arena + c->hs.h[ch->named].p0, c->n * sizeof(double));
	for (unsigned o = 0; o < c->n_out; o++) {
		double s = column_sign(c, p, o);
		for (unsigned i = 0; s < 0.0 && i < c->n_in; i++)
			c->m[i * c->n_out + o] = -c->m[i * c->n_out + o];
	}
	reach_from_wiring(c, &out->best, out);
	out->verdict = VERDICT_FAIL;
}
