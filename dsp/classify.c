/* classify: from a measured transfer matrix to a verdict, named faults, a wiring map and a channel view. */
#include "classify.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal/classifier.h"

/* Relative tolerance of the model itself (CLASSIFY_MODEL_TOLERANCE): 1 %
 * source and load resistors plus the gain flatness of a USB interface's
 * DAC and ADC (±0.1 dB ≈ 1.2 %), added in quadrature to the measured
 * noise of every entry, so a high SNR never turns component tolerance into
 * a fault. It also bounds what the station resolves: a change smaller
 * than a few times this in every entry reads as a good cable. The range a
 * caller may set: from better than any calibration (1e-4) to a jig known
 * only to 20 %. */
#define MODEL_TOL_MIN 1e-4
#define MODEL_TOL_MAX 0.2
/* Any signal at all: the summed power of every entry over its noise is
 * N ± sqrt(N) for noise alone (N entries, each a complex χ² of mean 1);
 * six standard deviations above that, something arrived. */
#define SILENCE_SIGMAS 6.0
/* The best residual is "consistent with noise" below 2N + 6·sqrt(4N) + 10
 * for N complex entries (χ² with 2N degrees of freedom, six standard
 * deviations, plus the few degrees of freedom the fit uses). */
#define CHI2_SIGMAS 6.0
#define CHI2_SLACK 10.0
/* An SNR that equals the limit up to rounding meets it: the estimate
 * itself is no better than this. */
#define SNR_RESOLUTION_DB 0.01

void classify_limits_default(struct classify_limits *lim)
{
	if (!lim)
		return;
	/* 1 dB: about the smallest level step listeners notice; a good cable
	 * into a 32 Ω earpiece loses well under 0.1 dB. */
	lim->max_level_dev_db = 1.0;
	/* −40 dB: the channel separation consumer audio gear is commonly
	 * specified to; a good cable's shared ground (≈0.1 Ω) gives −50 dB
	 * into 32 Ω from a stiff source, less behind a jig's source resistor
	 * (the leak is Rg / (Rsource + Rload)). */
	lim->max_crosstalk_db = -40.0;
	/* 2 Ω: 1–3 m of 28–32 AWG conductor is 0.2–1 Ω; 2 Ω into a 32 Ω load
	 * is a 0.5 dB drop, half the level limit. */
	lim->max_series_ohms = 2.0;
	/* 20 dB: with noise at a tenth of a full path every wiring fault (a
	 * gain moving by about 1) is still several σ from the good wiring;
	 * below it the station would be guessing. */
	lim->min_snr_db = 20.0;
	/* 10°: a resistive cable has no phase shift at all; more means
	 * reactance in line or a latency estimate that is off. */
	lim->max_phase_deg = 10.0;
}

/* ---- create / destroy ---- */

static int alloc_scratch(classifier *c)
{
	size_t nh = (size_t)c->hs.n + 1;
	c->m = calloc(c->n, sizeof(double));
	c->im = calloc(c->n, sizeof(double));
	c->sigma = calloc(c->n, sizeof(double));
	c->w = calloc(c->n, sizeof(double));
	c->pred = calloc(nh * c->n, sizeof(double));
	c->resid = calloc(nh, sizeof(double));
	c->score = calloc(nh, sizeof(double));
	c->dist = calloc(nh, sizeof(double));
	c->dy = calloc(nh * HYP_MAX_PARAMS, sizeof(double));
	c->scratch = calloc(hyp_scratch_len(&c->hs) + 1, sizeof(double));
	c->alt_pred = calloc(c->n, sizeof(double));
	return c->m && c->im && c->sigma && c->w && c->pred && c->resid && c->score && c->dist && c->dy &&
	               c->scratch && c->alt_pred
	               ? 0
	               : -ENOMEM;
}

classifier *classifier_create(const struct fixture *f, const struct wiring *expected,
                              const struct classify_limits *lim)
{
	classifier *c = NULL;

	if (!f || !expected || f->n_inputs == 0 || f->n_outputs == 0 ||
	    f->n_inputs > FIXTURE_MAX_CHANNELS || f->n_outputs > FIXTURE_MAX_CHANNELS ||
	    f->n_inputs > ANALYZER_MAX_INPUTS || f->n_outputs > TONEPLAN_MAX_TONES || expected->n > WIRING_MAX)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->f = *f;
	c->expected = *expected;
	if (lim)
		c->lim = *lim;
	else
		classify_limits_default(&c->lim);
	c->model_tol = CLASSIFY_MODEL_TOLERANCE;
	c->n_in = f->n_inputs;
	c->n_out = f->n_outputs;
	c->n = c->n_in * c->n_out;
	c->net = network_create();
	c->eg = calloc(c->n, sizeof(double));
	c->bound = calloc(c->n, sizeof(double));
	if (!c->net || !c->eg || !c->bound)
		goto fail;
	if (fixture_gains(&c->f, &c->expected, c->net, c->eg) < 0)
		goto fail;
	if (hypset_build(&c->hs, &c->f, &c->expected, c->eg, c->net) < 0)
		goto fail;
	chan_build(c);
	pc_build(c);
	if (jig_bounds(c) < 0 || alloc_scratch(c) < 0)
		goto fail;
	return c;
fail:
	classifier_destroy(c);
	return NULL;
}

void classifier_destroy(classifier *c)
{
	if (!c)
		return;
	network_destroy(c->net);
	hypset_free(&c->hs);
	free(c->eg);
	free(c->bound);
	free(c->m);
	free(c->im);
	free(c->sigma);
	free(c->w);
	free(c->pred);
	free(c->resid);
	free(c->score);
	free(c->dist);
	free(c->dy);
	free(c->scratch);
	free(c->alt_pred);
	free(c);
}

const double *classifier_expected(const classifier *c)
{
	return c ? c->eg : NULL;
}

int classifier_set_model_tolerance(classifier *c, double rel)
{
	if (!c || !(rel >= MODEL_TOL_MIN && rel <= MODEL_TOL_MAX))
		return -EINVAL;
	c->model_tol = rel;
	return 0;
}

/* ---- measurement ---- */

double classify_db(double x)
{
	return x > 0.0 ? fmax(20.0 * log10(x), DB_FLOOR) : DB_FLOOR;
}

struct fault *classify_add_fault(struct classification *out, enum fault_code code)
{
	if (out->n_faults >= CLASSIFY_MAX_FAULTS)
		return NULL;
	struct fault *ft = &out->fault[out->n_faults++];
	memset(ft, 0, sizeof(*ft));
	ft->code = code;
	ft->confidence = 1.0;
	return ft;
}

/* Noise of every entry in units of H. The analyzer gives each tone's
 * received level and the noise near it in dBFS; their ratio scaled by |H|
 * is the noise on H, and it holds for entries where the tone is absent
 * too, since the stimulus amplitude (level / |H|) is the same on every
 * input. Returns Σ |H|²/σ² over all entries: about N when only noise
 * arrived. */
double classify_read(classifier *c, const struct analysis *an)
{
	double power = 0.0;

	for (unsigned k = 0; k < c->n_out; k++) {
		double amp = 0.0, best = 0.0;
		for (unsigned i = 0; i < c->n_in; i++) {
			const struct tone_result *t = &an->h[i][k];
			if (t->gain > best && isfinite(t->level_dbfs)) {
				best = t->gain;
				amp = pow(10.0, t->level_dbfs / 20.0) / t->gain;
			}
		}
		for (unsigned i = 0; i < c->n_in; i++) {
			const struct tone_result *t = &an->h[i][k];
			unsigned x = i * c->n_out + k;
			double s = amp > 0.0 && isfinite(t->noise_dbfs) ? pow(10.0, t->noise_dbfs / 20.0) / amp : NAN;
			if (!(s > 0.0) || !isfinite(s))
				s = t->gain > 0.0 && isfinite(t->snr_db) ? t->gain * pow(10.0, -t->snr_db / 20.0) : NAN;
			if (!(s > SIGMA_FLOOR) || !isfinite(s))
				s = SIGMA_FLOOR;
			c->sigma[x] = s;
			c->m[x] = isfinite(t->re) ? t->re : 0.0;
			c->im[x] = isfinite(t->im) ? t->im : 0.0;
			power += (c->m[x] * c->m[x] + c->im[x] * c->im[x]) / (s * s);
		}
	}
	return power;
}

/* The worst, over tones the good cable delivers, of the SNR that tone
 * would have on its strongest input: the noise is measured, the signal is
 * what a good cable gives, so a fault that removes a tone is not "noise". */
static double needed_snr_db(const classifier *c)
{
	double worst = INFINITY;
	for (unsigned k = 0; k < c->n_out; k++) {
		double e = 0.0, s = 0.0;
		for (unsigned i = 0; i < c->n_in; i++) {
			unsigned x = i * c->n_out + k;
			if (fabs(c->eg[x]) > e) {
				e = fabs(c->eg[x]);
				s = c->sigma[x];
			}
		}
		if (e > 0.0)
			worst = fmin(worst, classify_db(e / s));
	}
	return worst;
}

double classify_chi2_limit(unsigned n)
{
	return 2.0 * n + CHI2_SIGMAS * sqrt(4.0 * n) + CHI2_SLACK;
}

double classify_confidence(double margin)
{
	if (!isfinite(margin))
		return 1.0;
	return 1.0 / (1.0 + exp(-margin / 2.0));
}

static void set_error(struct classification *out, enum fault_code code, double value)
{
	out->verdict = VERDICT_ERROR;
	out->n_faults = 0;
	struct fault *ft = classify_add_fault(out, code);
	if (ft)
		ft->value = value;
}

/* low_snr although the tones stand far above the noise: what blurs the
 * choice is the model tolerance (an interface's uncalibrated gain and the
 * jig's resistor tolerances), which a verified calibration removes. The
 * 10 dB of headroom keep the noise-limited case on its own message. */
void classify_undecided(const classifier *c, struct classification *out, double snr)
{
	set_error(out, FAULT_LOW_SNR, snr);
	if (snr >= c->lim.min_snr_db + 10.0 && out->n_faults)
		out->fault[0].flags |= FAULT_FLAG_MODEL_LIMITED;
}

/* What the station cannot decide comes first, and is never a guess:
 * clipping, silence, a measurement the jig cannot produce, too much noise.
 * Returns 1 when one of them decided the verdict; *snr gets the SNR. */
int classify_station_checks(const classifier *c, const struct analysis *an, double power,
                            struct classification *out, double *snr)
{
	for (unsigned i = 0; i < c->n_in; i++) {
		if (!an->clipped[i])
			continue;
		if (out->verdict != VERDICT_ERROR)
			set_error(out, FAULT_CLIPPING, isfinite(an->peak[i]) ? an->peak[i] : 1.0);
		struct fault *ft = &out->fault[0];
		if (ft->n_contacts < 4)
			ft->contacts[ft->n_contacts++] = c->f.input_pos[i];
	}
	if (out->verdict == VERDICT_ERROR)
		return 1;
	if (power < c->n + SILENCE_SIGMAS * sqrt((double)c->n)) {
		set_error(out, FAULT_NO_SIGNAL, 0.0);
		return 1;
	}
	if (check_jig(c, out))
		return 1;
	*snr = needed_snr_db(c);
	if (*snr < c->lim.min_snr_db - SNR_RESOLUTION_DB) {
		set_error(out, FAULT_LOW_SNR, *snr);
		return 1;
	}
	return 0;
}

/* Residual and score of every hypothesis (index hs.n: the expected wiring
 * itself). Weights: measured noise (half of it in the real part) plus the
 * model's own tolerance; the imaginary part, zero for any resistive
 * network, is misfit every hypothesis shares. */
static void score_all(classifier *c)
{
	unsigned nh = c->hs.n;
	double imterm = 0.0;

	for (unsigned x = 0; x < c->n; x++) {
		double s = c->sigma[x], mm = c->model_tol * c->m[x];
		c->w[x] = 1.0 / (0.5 * s * s + mm * mm);
		imterm += c->w[x] * c->im[x] * c->im[x];
	}
	double *pe = c->pred + (size_t)nh * c->n, r = 0.0;
	for (unsigned x = 0; x < c->n; x++) {
		pe[x] = c->eg[x];
		r += c->w[x] * (c->m[x] - pe[x]) * (c->m[x] - pe[x]);
	}
	c->resid[nh] = r + imterm;
	c->score[nh] = c->resid[nh];
	for (unsigned k = 0; k < nh; k++) {
		const struct hyp *h = &c->hs.h[k];
		c->resid[k] = hyp_fit(&c->hs, h, c->m, c->w, c->pred + (size_t)k * c->n,
		                      c->dy + (size_t)k * HYP_MAX_PARAMS, c->scratch) + imterm;
		c->score[k] = c->resid[k] + FAULT_PENALTY * h->n_elems;
	}
}

static unsigned n_elems_of(const classifier *c, unsigned k)
{
	return k == c->hs.n ? 0 : c->hs.h[k].n_elems;
}

/* The simplest hypothesis no measurement at this noise tells from cand. */
static unsigned simplest_twin(const classifier *c, unsigned cand)
{
	unsigned ex = c->hs.n, named = cand;
	unsigned named_elems = n_elems_of(c, cand), named_cost = cand == ex ? 0 : c->hs.h[cand].cost;
	for (unsigned k = 0; k <= ex; k++) {
		if (c->dist[k] >= TWIN_CHI2 || c->score[k] > c->score[cand] + SEPARATION)
			continue;
		unsigned ne = n_elems_of(c, k), co = k == ex ? 0 : c->hs.h[k].cost;
		if (ne < named_elems || (ne == named_elems && co < named_cost)) {
			named = k;
			named_elems = ne;
			named_cost = co;
		}
	}
	return named;
}

/* The runner-up predicts something observably different and is not the
 * candidate plus an uncertain extra (for a good cable every observably
 * different hypothesis counts). */
static void runner_up(const classifier *c, struct classify_choice *ch)
{
	unsigned ex = c->hs.n;
	double runner = INFINITY;
	ch->runner_resid = INFINITY;
	for (unsigned k = 0; k <= ex; k++) {
		if (c->dist[k] < TWIN_CHI2 || c->score[k] >= runner)
			continue;
		if (ch->named != ex && k != ex && c->hs.h[k].n_elems == 2) {
			int extends = 0;
			for (unsigned e = 0; e < 2; e++) {
				int s1 = c->hs.h[k].single[e];
				extends |= s1 >= 0 && c->dist[s1] < TWIN_CHI2;
			}
			if (extends)
				continue;
		}
		runner = c->score[k];
		ch->runner_resid = c->resid[k];
	}
	ch->margin = runner - c->score[ch->cand];
}

/* Best by score. A second fault is named only when it is certain: when
 * either part alone comes within SEPARATION of the pair, the pair is
 * reduced to the better part, never guessed. */
void classify_choose(classifier *c, struct classify_choice *ch)
{
	unsigned ex = c->hs.n;

	ch->best = ex;
	for (unsigned k = 0; k < ex; k++)
		if (c->score[k] < c->score[ch->best])
			ch->best = k;
	ch->cand = ch->best;
	if (ch->best != ex && c->hs.h[ch->best].n_elems == 2) {
		double lim = c->score[ch->best] + SEPARATION;
		for (unsigned e = 0; e < 2; e++) {
			int k = c->hs.h[ch->best].single[e];
			if (k >= 0 && c->score[k] < lim) {
				lim = c->score[k];
				ch->cand = (unsigned)k;
			}
		}
	}
	const double *pc = c->pred + (size_t)ch->cand * c->n;
	for (unsigned k = 0; k <= ex; k++) {
		const double *pk = c->pred + (size_t)k * c->n;
		double d = 0.0;
		for (unsigned x = 0; x < c->n; x++)
			d += c->w[x] * (pk[x] - pc[x]) * (pk[x] - pc[x]);
		c->dist[k] = d;
	}
	ch->named = simplest_twin(c, ch->cand);
	runner_up(c, ch);
}

/* Would hypothesis k (hs.n: the expected wiring) pass the cable: does it
 * name no fault (a series resistance within the limit, say)? */
static int passes(const classifier *c, unsigned k)
{
	struct fault ft[CLASSIFY_MAX_FAULTS];
	unsigned n = 0;
	if (k == c->hs.n)
		return 1;
	name_faults(c, &c->hs.h[k], c->dy + (size_t)k * HYP_MAX_PARAMS, 1.0, ft, &n, CLASSIFY_MAX_FAULTS);
	return n == 0;
}

int classify_fails_anyway(const classifier *c, const struct classify_choice *ch)
{
	const double near = c->score[ch->cand] + SEPARATION;
	if (ch->named == c->hs.n)
		return 0;
	for (unsigned k = 0; k <= c->hs.n; k++)
		if (c->score[k] < near && passes(c, k))
			return 0;
	return 1;
}

/* The verdict of a measurement some hypothesis explains: its faults (and
 * what the jig cannot tell them from, rivals scoring below `rivals`
 * among them), the channels where the named wiring puts them, and the
 * limits of a cable wired as expected. */
static void conclude(classifier *c, const struct classify_choice *ch, double snr, double rivals,
                     struct classification *out)
{
	double sig[CLASSIFY_MAX_CHANNELS], xt_amp[CLASSIFY_MAX_CHANNELS], xt_sig[CLASSIFY_MAX_CHANNELS];
	double conf = classify_confidence(ch->margin);
	unsigned ex = c->hs.n;

	reach_from_wiring(c, &out->best, out);
	if (ch->named != ex) {
		name_faults(c, &c->hs.h[ch->named], c->dy + (size_t)ch->named * HYP_MAX_PARAMS, conf, out->fault,
		            &out->n_faults, CLASSIFY_MAX_FAULTS);
		name_alternatives(c, out, ch->named, c->resid[ch->cand] + ALT_CHI2, rivals);
	}
	chan_views(c, out, &out->best, sig, xt_amp, xt_sig);
	if (out->n_faults == 0 && check_limits(c, out, sig, xt_amp, xt_sig, conf) && out->n_faults == 0) {
		/* Within the wiring, but a level or phase sits past its limit by
		 * less than its own noise: neither pass nor fail is honest. */
		classify_undecided(c, out, snr);
		return;
	}
	out->verdict = out->n_faults ? VERDICT_FAIL : VERDICT_PASS;
}

/* One classification: with the round trip known (classifier_run) or not
 * (classifier_run_unaligned), which share every step but the scoring and
 * the verdict. */
static int run(classifier *c, const struct analysis *an, struct classification *out, int unaligned)
{
	double sig[CLASSIFY_MAX_CHANNELS], xt_amp[CLASSIFY_MAX_CHANNELS], xt_sig[CLASSIFY_MAX_CHANNELS];
	double snr = 0.0;
	struct classify_choice ch;

	if (!c || !an || !out || an->n_inputs != c->n_in || an->n_tones != c->n_out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->hypotheses = c->hs.n + 1;
	c->unaligned = unaligned;

	double power = classify_read(c, an);
	if (!unaligned)   /* a channel sums tones: without their phases, no view of it */
		chan_views(c, out, NULL, sig, xt_amp, xt_sig);
	if (classify_station_checks(c, an, power, out, &snr)) {
		reach_measured(c, out);
		return 0;
	}
	if (unaligned)
		score_unaligned(c);
	else
		score_all(c);
	classify_choose(c, &ch);
	/* Both as χ² (squared misfit over noise variance, real and imaginary
	 * parts): about 2 × entries when a hypothesis explains all but noise. */
	unsigned ex = c->hs.n;
	out->residual = c->resid[ch.named];
	out->runner_up = ch.runner_resid;
	if (ch.named == ex)
		out->best = c->expected;
	else
		hyp_wiring(&c->f, &c->expected, &c->hs.h[ch.named], c->dy + (size_t)ch.named * HYP_MAX_PARAMS, &out->best);

	if (c->resid[ch.best] > classify_chi2_limit(c->n)) {
		/* Nothing near the expected wiring explains the measurement (the
		 * best fit, before uncertain extras are dropped from the name). */
		out->verdict = VERDICT_FAIL;
		struct fault *ft = classify_add_fault(out, FAULT_UNRECOGNIZED_WIRING);
		if (ft)
			ft->value = c->resid[ch.best];
		reach_measured(c, out);
		return 0;
	}
	if (unaligned) {
		conclude_unaligned(c, &ch, snr, out);
		return 0;
	}
	if (ch.margin < SEPARATION || (ch.named == ex && c->resid[ex] > classify_chi2_limit(c->n))) {
		/* Observably different wirings fit about equally well (or the good
		 * wiring is the simplest name for a fit it does not itself give).
		 * When all of them fail the cable it fails, the best named and the
		 * others as its alternatives; otherwise neither verdict is honest. */
		if (!classify_fails_anyway(c, &ch)) {
			classify_undecided(c, out, snr);
			reach_measured(c, out);
			return 0;
		}
		conclude(c, &ch, snr, c->score[ch.cand] + SEPARATION, out);
		return 0;
	}
	conclude(c, &ch, snr, -INFINITY, out);
	return 0;
}

int classifier_run(classifier *c, const struct analysis *an, struct classification *out)
{
	return run(c, an, out, 0);
}

int classifier_run_unaligned(classifier *c, const struct analysis *an, struct classification *out)
{
	return run(c, an, out, 1);
}
