/* classify: from a measured transfer matrix to a verdict, named faults, a wiring map and a channel view. */
#include "classify.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hypothesis.h"

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
/* Below this a noise estimate is not believable: −140 dB re full path is
 * under the floor of any 24-bit converter. Only guards divisions. */
#define SIGMA_FLOOR 1e-7
/* A tone is "there" on an input when it stands 12 dB above that input's
 * noise: a noise-only bin (Rayleigh amplitude) exceeds its rms by 12 dB
 * with probability e^-15.8 ≈ 1e-7, so no measurement invents a signal. */
#define SIGNAL_SNR_DB 12.0
/* Any signal at all: the summed power of every entry over its noise is
 * N ± sqrt(N) for noise alone (N entries, each a complex χ² of mean 1);
 * six standard deviations above that, something arrived. */
#define SILENCE_SIGMAS 6.0
/* Penalty per fault in a hypothesis, in χ² units (residual over noise
 * variance). A fitted resistance that merely fits noise improves the
 * residual by a χ²₁ variable; over the ~25 such singles of a 5-conductor
 * cable the largest exceeds 20 with probability ~2e-4, so a fault must
 * explain 30 units of residual more than the good wiring to be named. */
#define FAULT_PENALTY 30.0
/* Score margin needed between the best hypothesis and the best one that
 * predicts something observably different: e^(-10/2) ≈ 0.7 % likelihood
 * ratio, a 99.3 % confidence. Closer than this the station says low_snr. */
#define SEPARATION 10.0
/* Two fitted predictions closer than 25 χ² units (5σ) are the same
 * observation at this noise: the simpler one is named and the other is
 * never the runner-up. It must exceed SEPARATION by the scatter of a fit
 * of two resistances to noise (χ²₂ exceeds 15 with probability 5e-4), or a
 * resistance fitted to noise would pass for a different wiring. */
#define TWIN_CHI2 25.0
/* The best residual is "consistent with noise" below 2N + 6·sqrt(4N) + 10
 * for N complex entries (χ² with 2N degrees of freedom, six standard
 * deviations, plus the few degrees of freedom the fit uses). */
#define CHI2_SIGMAS 6.0
#define CHI2_SLACK 10.0
/* A short between the microphone and ground conductors below 1 Ω is what
 * a TRS jack's long sleeve spring does to a TRRS plug (tens of mΩ); a
 * solder bridge looks the same to any jig and is named the same. */
#define TRRS_MAX_OHMS 1.0
/* Limit checks need the measurement to be beyond the limit by this many
 * standard deviations of its own noise before they fail a cable. The
 * crosstalk of a good cable reads as noise, whose magnitude is Rayleigh:
 * it exceeds kσ with probability e^(-k²), 2 % at 2σ but 1e-7 at 4σ; a
 * level (Gaussian along the signal) exceeds 4σ with probability 3e-5. */
#define LIMIT_SIGMAS 4.0
/* Measured connectivity (when no hypothesis fits): a far contact is
 * reached when it gets at least a tenth of the strongest gain of that
 * output, i.e. a conductor rather than a leak through a load. */
#define REACH_REL 0.1
/* An SNR that equals the limit up to rounding meets it: the estimate
 * itself is no better than this. */
#define SNR_RESOLUTION_DB 0.01
/* dB values of signals that are exactly zero. */
#define DB_FLOOR -200.0

struct chan {
	char name[8];
	double d[FIXTURE_MAX_CHANNELS];   /* drive weights over outputs */
	double s[FIXTURE_MAX_CHANNELS];   /* sense weights over inputs */
	int cond_p, cond_n;               /* expected conductors of + and −, -1 if none */
	double expected;                  /* sᵀ E d of the good cable */
	int partner;                      /* L ↔ R for the mono sum, -1 */
};

struct classifier {
	struct fixture f;
	struct wiring expected;
	struct classify_limits lim;
	double model_tol;                 /* relative, see MODEL_TOL_* */
	network *net;
	unsigned n_in, n_out, n;          /* n = n_in × n_out */
	double *eg;                       /* expected gains */
	struct hypset hs;
	unsigned n_ch;
	struct chan ch[CLASSIFY_MAX_CHANNELS];
	/* Per-measurement scratch, sized here so classifier_run never allocates. */
	double *m, *im, *sigma, *w;
	double *pred;                     /* (hs.n + 1) × n: fitted predictions, last = expected */
	double *resid, *score, *dy, *dist;
	double *scratch;
};

static const char *const fault_names[FAULT_COUNT] = {
	"lr_swap", "polarity_inverted", "ctia_omtp_mismatch", "trrs_in_trs", "open", "short",
	"miswire", "high_resistance", "crosstalk", "intermittent", "unrecognized_wiring",
	"no_signal", "clipping", "low_snr",
};

const char *fault_code_name(enum fault_code c)
{
	if ((int)c < 0 || c >= FAULT_COUNT)
		return "?";
	return fault_names[c];
}

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_PASS: return "pass";
	case VERDICT_FAIL: return "fail";
	case VERDICT_ERROR: return "error";
	}
	return "?";
}

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

/* ---- channels ---- */

/* The expected conductor joining near contact a to any far contact, with
 * that far contact in *far; prefers a far contact on `plug` if given. */
static int conductor_from(const struct fixture *f, const struct wiring *w, int a, const char *plug, int *far)
{
	int found = -1;
	for (unsigned k = 0; k < w->n; k++) {
		int x = w->c[k].a, y = w->c[k].b;
		int other = x == a ? y : y == a ? x : -1;
		if (other < 0 || f->contact[other].end == f->contact[a].end)
			continue;
		if (found < 0 || (plug && plug[0] && strcmp(f->contact[other].plug, plug) == 0)) {
			found = (int)k;
			*far = other;
		}
	}
	return found;
}

static int input_of(const struct fixture *f, int pos, int neg)
{
	for (unsigned i = 0; i < f->n_inputs; i++)
		if (f->input_pos[i] == pos && f->input_neg[i] == neg)
			return (int)i;
	return -1;
}

/* Find near contacts with role r (end 0). */
static int near_with_role(const struct fixture *f, enum role r)
{
	for (unsigned c = 0; c < f->n_contacts; c++)
		if (f->contact[c].end == 0 && f->contact[c].role == r)
			return (int)c;
	return -1;
}

/* One channel: drive its + near contact (and its − when that is a signal
 * of its own), sense across its far pair the best way the jig allows. */
static void add_channel(classifier *c, const char *name, enum role rp, const enum role *rn, unsigned n_rn,
                        int n_is_signal)
{
	const struct fixture *f = &c->f;
	struct chan ch = {.cond_p = -1, .cond_n = -1, .partner = -1};
	int np = near_with_role(f, rp), nn = -1, fp = -1, fn = -1;

	if (c->n_ch >= CLASSIFY_MAX_CHANNELS || np < 0)
		return;
	for (unsigned k = 0; k < n_rn && nn < 0; k++)
		nn = near_with_role(f, rn[k]);
	snprintf(ch.name, sizeof(ch.name), "%s", name);
	ch.cond_p = conductor_from(f, &c->expected, np, NULL, &fp);
	if (ch.cond_p < 0)
		return;
	if (nn >= 0)
		ch.cond_n = conductor_from(f, &c->expected, nn, f->contact[fp].plug, &fn);

	int driven = 0;
	for (unsigned o = 0; o < f->n_outputs; o++) {
		if (f->output[o] == np) {
			ch.d[o] = 1.0;
			driven = 1;
		} else if (n_is_signal && nn >= 0 && f->output[o] == nn) {
			ch.d[o] = -1.0;
		}
	}
	if (!driven)
		return;
	int i;
	if (fn >= 0 && (i = input_of(f, fp, fn)) >= 0) {
		ch.s[i] = 1.0;                         /* differential, across the load */
	} else if (fn >= 0 && (i = input_of(f, fn, fp)) >= 0) {
		ch.s[i] = -1.0;
	} else if ((i = input_of(f, fp, -1)) >= 0) {
		ch.s[i] = 1.0;
		int j = fn >= 0 ? input_of(f, fn, -1) : -1;
		if (j >= 0)
			ch.s[j] = -1.0;                /* difference of single-ended senses */
		/* else − is tied (or only reaches ground): + alone is the signal */
	} else {
		/* A jig built for another pinout (an OMTP cable in a CTIA jig):
		 * whatever input has the far + contact as a leg is what the
		 * channel's load sees. */
		for (unsigned k = 0; k < f->n_inputs && i < 0; k++)
			if (f->input_pos[k] == fp || f->input_neg[k] == fp)
				i = (int)k;
		if (i < 0)
			return;
		ch.s[i] = f->input_pos[i] == fp ? 1.0 : -1.0;
	}
	double e = 0.0;
	for (unsigned ii = 0; ii < f->n_inputs; ii++)
		for (unsigned o = 0; o < f->n_outputs; o++)
			e += ch.s[ii] * ch.d[o] * c->eg[ii * f->n_outputs + o];
	if (fabs(e) < 1e-9)
		return;   /* the jig cannot see this channel at all */
	ch.expected = e;
	c->ch[c->n_ch++] = ch;
}

static void make_channels(classifier *c)
{
	static const enum role ground[] = {ROLE_G, ROLE_GND, ROLE_SHIELD};
	static const enum role lneg[] = {ROLE_LN}, rneg[] = {ROLE_RN}, neg[] = {ROLE_N};
	static const enum role sig_ground[] = {ROLE_GND, ROLE_G, ROLE_SHIELD};
	const struct fixture *f = &c->f;

	if (near_with_role(f, ROLE_LP) >= 0 || near_with_role(f, ROLE_RP) >= 0) {
		add_channel(c, "L", ROLE_LP, lneg, 1, 1);
		add_channel(c, "R", ROLE_RP, rneg, 1, 1);
	} else if (near_with_role(f, ROLE_L) >= 0 || near_with_role(f, ROLE_R) >= 0) {
		add_channel(c, "L", ROLE_L, ground, 3, 0);
		add_channel(c, "R", ROLE_R, ground, 3, 0);
	} else if (near_with_role(f, ROLE_P) >= 0) {
		add_channel(c, "mono", ROLE_P, neg, 1, 1);
	} else if (near_with_role(f, ROLE_SIG) >= 0) {
		add_channel(c, "SIG", ROLE_SIG, sig_ground, 3, 0);
	}
	if (c->n_ch == 2 && strcmp(c->ch[0].name, "L") == 0 && strcmp(c->ch[1].name, "R") == 0) {
		c->ch[0].partner = 1;
		c->ch[1].partner = 0;
	}
}

/* ---- create / destroy ---- */

classifier *classifier_create(const struct fixture *f, const struct wiring *expected,
                              const struct classify_limits *lim)
{
	classifier *c = NULL;

	if (!f || !expected || f->n_inputs == 0 || f->n_outputs == 0 ||
	    f->n_inputs > FIXTURE_MAX_CHANNELS || f->n_outputs > FIXTURE_MAX_CHANNELS ||
	    f->n_inputs > ANALYZER_MAX_INPUTS || f->n_outputs > TONEPLAN_MAX_TONES)
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
	if (!c->net || !c->eg)
		goto fail;
	if (fixture_gains(&c->f, &c->expected, c->net, c->eg) < 0)
		goto fail;
	if (hypset_build(&c->hs, &c->f, &c->expected, c->eg, c->net) < 0)
		goto fail;
	make_channels(c);

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
	if (!c->m || !c->im || !c->sigma || !c->w || !c->pred || !c->resid || !c->score ||
	    !c->dist || !c->dy || !c->scratch)
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

static double db(double x)
{
	return x > 0.0 ? fmax(20.0 * log10(x), DB_FLOOR) : DB_FLOOR;
}

/* Noise of every entry in units of H. The analyzer gives each tone's
 * received level and the noise near it in dBFS; their ratio scaled by |H|
 * is the noise on H, and it holds for entries where the tone is absent
 * too, since the stimulus amplitude (level / |H|) is the same on every
 * input. Returns Σ |H|²/σ² over all entries: about N when only noise
 * arrived. */
static double estimate_noise(classifier *c, const struct analysis *an)
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
			worst = fmin(worst, db(e / s));
	}
	return worst;
}

static double chi2_limit(unsigned n)
{
	return 2.0 * n + CHI2_SIGMAS * sqrt(4.0 * n) + CHI2_SLACK;
}

static double confidence_of(double margin)
{
	if (!isfinite(margin))
		return 1.0;
	return 1.0 / (1.0 + exp(-margin / 2.0));
}

static struct fault *add_fault(struct classification *out, enum fault_code code)
{
	if (out->n_faults >= CLASSIFY_MAX_FAULTS)
		return NULL;
	struct fault *ft = &out->fault[out->n_faults++];
	memset(ft, 0, sizeof(*ft));
	ft->code = code;
	ft->confidence = 1.0;
	return ft;
}

/* ---- channel view ---- */

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

/* Level, phase, polarity, crosstalk, SNR and mono sum of every channel;
 * also the noise of each (for the limit checks). */
static void channel_views(const classifier *c, struct classification *out,
                          double *sig, double *xt_amp, double *xt_sig)
{
	out->n_channels = c->n_ch;
	for (unsigned k = 0; k < c->n_ch; k++) {
		const struct chan *ch = &c->ch[k];
		struct channel_view *v = &out->channel[k];
		struct cplx h = channel_sum(c, ch->s, ch->d);
		double mag = hypot(h.re, h.im);

		memset(v, 0, sizeof(*v));
		snprintf(v->name, sizeof(v->name), "%s", ch->name);
		sig[k] = channel_sigma(c, ch->s, ch->d);
		v->level_db = db(mag / fabs(ch->expected));
		/* Phase relative to the good cable's sign, so a good cable reads 0°. */
		double ph = atan2(h.im, h.re) * 180.0 / M_PI;
		if (ch->expected < 0.0)
			ph = ph > 0.0 ? ph - 180.0 : ph + 180.0;
		if (ph <= -180.0)
			ph += 360.0;
		v->phase_deg = ph;
		v->snr_db = db(mag / sig[k]);
		v->inverted = fabs(ph) > 90.0 && v->snr_db >= SIGNAL_SNR_DB;

		/* Crosstalk is shown as measured; the limit applies to what the
		 * cable adds to the leak a good cable already has in this jig
		 * (a shared return, or a jig built for another pinout). */
		double shown = 0.0;
		xt_amp[k] = 0.0;
		xt_sig[k] = 0.0;
		v->crosstalk_db = DB_FLOOR;
		for (unsigned j = 0; j < c->n_ch; j++) {
			if (j == k)
				continue;
			struct cplx x = channel_sum(c, ch->s, c->ch[j].d);
			double good = expected_sum(c, ch->s, c->ch[j].d);
			double excess = hypot(x.re - good, x.im);
			shown = fmax(shown, hypot(x.re, x.im));
			if (excess > xt_amp[k]) {
				xt_amp[k] = excess;
				xt_sig[k] = channel_sigma(c, ch->s, c->ch[j].d);
			}
		}
		if (c->n_ch > 1)
			v->crosstalk_db = db(shown / fabs(ch->expected));

		if (ch->partner >= 0) {
			double dm[FIXTURE_MAX_CHANNELS];
			for (unsigned o = 0; o < c->n_out; o++)
				dm[o] = ch->d[o] + c->ch[ch->partner].d[o];
			struct cplx ms = channel_sum(c, ch->s, dm);
			double em = expected_sum(c, ch->s, dm);
			v->mono_ratio_db = db(hypot(ms.re, ms.im) / fabs(em != 0.0 ? em : ch->expected));
		} else {
			v->mono_ratio_db = v->level_db;
		}
	}
}

/* ---- naming ---- */

static int chan_of_conductor(const classifier *c, int k)
{
	for (unsigned j = 0; j < c->n_ch; j++)
		if (c->ch[j].cond_p == k || c->ch[j].cond_n == k)
			return (int)j;
	return -1;
}

static enum role role_of(const struct fixture *f, int contact)
{
	return contact >= 0 ? f->contact[contact].role : ROLE_NONE;
}

static int role_pair(enum role x, enum role y, enum role p, enum role q)
{
	return (x == p && y == q) || (x == q && y == p);
}

/* Name a swap of two expected conductors' far ends. */
static void name_swap(const classifier *c, int i, int j, struct fault *ft)
{
	const struct fixture *f = &c->f;
	const struct conductor *ci = &c->expected.c[i], *cj = &c->expected.c[j];
	enum role ri = role_of(f, ci->a), rj = role_of(f, cj->a);
	enum role fi = role_of(f, ci->b), fj = role_of(f, cj->b);
	int chi = chan_of_conductor(c, i), chj = chan_of_conductor(c, j);

	ft->n_contacts = 2;
	ft->contacts[0] = ci->a;
	ft->contacts[1] = cj->a;
	ft->code = FAULT_MISWIRE;
	if (role_pair(ri, rj, ROLE_G, ROLE_MIC) || role_pair(fi, fj, ROLE_G, ROLE_MIC)) {
		ft->code = FAULT_CTIA_OMTP_MISMATCH;
		return;
	}
	if (chi >= 0 && chj >= 0) {
		/* The channels say what the two conductors are: a channel's own
		 * pair is its polarity, the + (or −) conductors of L and R are
		 * the stereo pair; anything else is a plain miswire. */
		for (unsigned k = 0; k < c->n_ch; k++) {
			const struct chan *x = &c->ch[k];
			if ((x->cond_p == i && x->cond_n == j) || (x->cond_p == j && x->cond_n == i)) {
				ft->code = FAULT_POLARITY_INVERTED;
				snprintf(ft->channel, sizeof(ft->channel), "%s", x->name);
				return;
			}
		}
		for (unsigned k = 0; k < c->n_ch; k++) {
			const struct chan *x = &c->ch[k];
			if (x->partner < 0)
				continue;
			const struct chan *y = &c->ch[x->partner];
			int pp = x->cond_p == i && y->cond_p == j;
			int nn = x->cond_n != y->cond_n && x->cond_n == i && y->cond_n == j;
			if (pp || nn) {
				ft->code = FAULT_LR_SWAP;
				return;
			}
		}
		return;
	}
	/* No channel covers them: the cable's roles do. */
	if (role_pair(ri, rj, ROLE_L, ROLE_R) || role_pair(ri, rj, ROLE_LP, ROLE_RP) ||
	    role_pair(ri, rj, ROLE_LN, ROLE_RN)) {
		ft->code = FAULT_LR_SWAP;
	} else if (role_pair(ri, rj, ROLE_LP, ROLE_LN) || role_pair(ri, rj, ROLE_L, ROLE_G)) {
		ft->code = FAULT_POLARITY_INVERTED;
		snprintf(ft->channel, sizeof(ft->channel), "L");
	} else if (role_pair(ri, rj, ROLE_RP, ROLE_RN) || role_pair(ri, rj, ROLE_R, ROLE_G)) {
		ft->code = FAULT_POLARITY_INVERTED;
		snprintf(ft->channel, sizeof(ft->channel), "R");
	} else if (role_pair(ri, rj, ROLE_P, ROLE_N) || role_pair(fi, fj, ROLE_P, ROLE_N)) {
		ft->code = FAULT_POLARITY_INVERTED;
		snprintf(ft->channel, sizeof(ft->channel), "mono");
	} else if (role_pair(ri, rj, ROLE_SIG, ROLE_GND)) {
		ft->code = FAULT_POLARITY_INVERTED;
		snprintf(ft->channel, sizeof(ft->channel), "SIG");
	}
}

static int param_index(const struct hyp *h, unsigned elem)
{
	for (unsigned k = 0; k < h->n_params; k++)
		if (h->param_elem[k] == elem)
			return (int)k;
	return -1;
}

/* The named faults of hypothesis h with fitted dy, at confidence conf.
 * Series resistances within the limit are not faults. Returns how many
 * were added. */
static unsigned name_faults(const classifier *c, const struct hyp *h, const double *dy, double conf,
                            struct classification *out)
{
	const struct fixture *f = &c->f;
	unsigned added = 0;
	struct wiring sw;   /* expected with h's swaps: where each conductor now lands */

	sw = c->expected;
	for (unsigned k = 0; k < h->n_elems; k++)
		if (h->e[k].kind == HYP_SWAP) {
			int t = sw.c[h->e[k].i].b;
			sw.c[h->e[k].i].b = sw.c[h->e[k].j].b;
			sw.c[h->e[k].j].b = t;
		}

	/* Two swaps sharing a conductor are one rotation of three conductors:
	 * a miswire, however it is decomposed. */
	if (h->n_elems == 2 && h->e[0].kind == HYP_SWAP && h->e[1].kind == HYP_SWAP) {
		int s[4] = {h->e[0].i, h->e[0].j, h->e[1].i, h->e[1].j};
		int shared = s[0] == s[2] || s[0] == s[3] || s[1] == s[2] || s[1] == s[3];
		if (shared) {
			struct fault *ft = add_fault(out, FAULT_MISWIRE);
			if (!ft)
				return added;
			ft->confidence = conf;
			for (unsigned k = 0; k < 4; k++) {
				int a = c->expected.c[s[k]].a, dup = 0;
				for (unsigned q = 0; q < ft->n_contacts; q++)
					dup |= ft->contacts[q] == a;
				if (!dup)
					ft->contacts[ft->n_contacts++] = a;
			}
			return 1;
		}
	}

	for (unsigned k = 0; k < h->n_elems; k++) {
		const struct hyp_elem *e = &h->e[k];
		int p = param_index(h, k);
		double ohms = p >= 0 ? hyp_param_ohms(h, (unsigned)p, dy[p]) : 0.0;
		struct fault tmp = {0};
		int ch;

		tmp.confidence = conf;
		switch (e->kind) {
		case HYP_SWAP:
			name_swap(c, e->i, e->j, &tmp);
			break;
		case HYP_OPEN:
			tmp.code = FAULT_OPEN;
			tmp.n_contacts = 2;
			tmp.contacts[0] = sw.c[e->i].a;
			tmp.contacts[1] = sw.c[e->i].b;
			if ((ch = chan_of_conductor(c, e->i)) >= 0)
				snprintf(tmp.channel, sizeof(tmp.channel), "%s", c->ch[ch].name);
			break;
		case HYP_SERIES:
			if (!(ohms > c->lim.max_series_ohms))
				continue;   /* within the limit: a cable as good as specified */
			tmp.code = FAULT_HIGH_RESISTANCE;
			tmp.value = ohms;
			tmp.n_contacts = 2;
			tmp.contacts[0] = sw.c[e->i].a;
			tmp.contacts[1] = sw.c[e->i].b;
			if ((ch = chan_of_conductor(c, e->i)) >= 0)
				snprintf(tmp.channel, sizeof(tmp.channel), "%s", c->ch[ch].name);
			break;
		case HYP_SHORT: {
			enum role rx = role_of(f, e->i), ry = role_of(f, e->j);
			tmp.code = role_pair(rx, ry, ROLE_G, ROLE_MIC) && ohms <= TRRS_MAX_OHMS ? FAULT_TRRS_IN_TRS
			                                                                       : FAULT_SHORT;
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
		struct fault *ft = add_fault(out, tmp.code);
		if (!ft)
			break;
		*ft = tmp;
		added++;
	}
	return added;
}

/* ---- reach ---- */

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

static void reach_from_wiring(const classifier *c, const struct wiring *w, struct classification *out)
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
static void reach_measured(const classifier *c, struct classification *out)
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

/* ---- run ---- */

static void set_error(struct classification *out, enum fault_code code, double value)
{
	out->verdict = VERDICT_ERROR;
	out->n_faults = 0;
	struct fault *ft = add_fault(out, code);
	if (ft)
		ft->value = value;
}

/* low_snr although the tones stand far above the noise: what blurs the
 * choice is the model tolerance (an interface's uncalibrated gain and the
 * jig's resistor tolerances), which a verified calibration removes. The
 * 10 dB of headroom keep the noise-limited case on its own message. */
static void set_undecided(const classifier *c, struct classification *out, double snr)
{
	set_error(out, FAULT_LOW_SNR, snr);
	if (snr >= c->lim.min_snr_db + 10.0 && out->n_faults)
		out->fault[0].flags |= FAULT_FLAG_MODEL_LIMITED;
}

/* Limits on the channel view, for a cable whose wiring is as expected.
 * A level or phase beyond its limit by more than LIMIT_SIGMAS of its noise
 * fails the cable; beyond it by less, nobody can say: returns how many
 * such readings there were (the verdict is then low_snr, not pass).
 * Crosstalk fails only when clearly beyond: below ~40 dB SNR its limit
 * lies under the noise floor, and a station that could never pass a
 * cable there would be no use; the measured value is shown either way. */
static int check_limits(classifier *c, struct classification *out, const double *sig, const double *xt_amp,
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
			if (xt_amp[k] - allowed > LIMIT_SIGMAS * xt_sig[k] && (ft = add_fault(out, FAULT_CROSSTALK))) {
				ft->value = v->crosstalk_db;
				ft->confidence = conf;
				snprintf(ft->channel, sizeof(ft->channel), "%s", ch->name);
			}
		}
		if (lim->max_level_dev_db > 0.0) {
			double lo = e * pow(10.0, -lim->max_level_dev_db / 20.0);
			double hi = e * pow(10.0, lim->max_level_dev_db / 20.0);
			if (mag < lo && lo - mag <= LIMIT_SIGMAS * s1)
				undecided++;
			if (mag > hi && mag - hi <= LIMIT_SIGMAS * s1)
				undecided++;
			if (lo - mag > LIMIT_SIGMAS * s1 && (ft = add_fault(out, FAULT_HIGH_RESISTANCE))) {
				/* A level drop on a cable wired right is resistance in
				 * series; its value is what the fit of that conductor
				 * says, when the jig can see it. */
				ft->value = 0.0;   /* 0: no fit of the conductor says how much */
				ft->confidence = conf;
				snprintf(ft->channel, sizeof(ft->channel), "%s", ch->name);
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
			} else if (mag - hi > LIMIT_SIGMAS * s1 && (ft = add_fault(out, FAULT_UNRECOGNIZED_WIRING))) {
				/* Louder than a perfect conductor allows: nothing in a
				 * passive cable does that; the jig or profile is off. */
				ft->value = v->level_db;
				ft->confidence = conf;
				snprintf(ft->channel, sizeof(ft->channel), "%s", ch->name);
			}
		}
		if (lim->max_phase_deg > 0.0 && !v->inverted && mag > 0.0) {
			double sphase = s1 / mag * 180.0 / M_PI, over = fabs(v->phase_deg) - lim->max_phase_deg;
			if (over > 0.0 && over <= LIMIT_SIGMAS * sphase)
				undecided++;
			if (over > LIMIT_SIGMAS * sphase &&
			    (ft = add_fault(out, FAULT_UNRECOGNIZED_WIRING))) {
				ft->value = v->phase_deg;
				ft->confidence = conf;
				snprintf(ft->channel, sizeof(ft->channel), "%s", ch->name);
			}
		}
	}
	return undecided;
}

int classifier_run(classifier *c, const struct analysis *an, struct classification *out)
{
	double sig[CLASSIFY_MAX_CHANNELS], xt_amp[CLASSIFY_MAX_CHANNELS], xt_sig[CLASSIFY_MAX_CHANNELS];

	if (!c || !an || !out || an->n_inputs != c->n_in || an->n_tones != c->n_out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->hypotheses = c->hs.n + 1;

	double power = estimate_noise(c, an);
	channel_views(c, out, sig, xt_amp, xt_sig);

	/* What the station cannot decide comes first: it is never a guess. */
	for (unsigned i = 0; i < c->n_in; i++) {
		if (!an->clipped[i])
			continue;
		if (out->verdict != VERDICT_ERROR)
			set_error(out, FAULT_CLIPPING, isfinite(an->peak[i]) ? an->peak[i] : 1.0);
		struct fault *ft = &out->fault[0];
		if (ft->n_contacts < 4)
			ft->contacts[ft->n_contacts++] = c->f.input_pos[i];
	}
	if (out->verdict == VERDICT_ERROR) {
		reach_measured(c, out);
		return 0;
	}
	if (power < c->n + SILENCE_SIGMAS * sqrt((double)c->n)) {
		set_error(out, FAULT_NO_SIGNAL, 0.0);
		reach_measured(c, out);
		return 0;
	}
	double snr = needed_snr_db(c);
	if (snr < c->lim.min_snr_db - SNR_RESOLUTION_DB) {
		set_error(out, FAULT_LOW_SNR, snr);
		reach_measured(c, out);
		return 0;
	}

	/* Weights: measured noise (half of it in the real part) plus the
	 * model's own tolerance; the imaginary part, zero for any resistive
	 * network, is misfit every hypothesis shares. */
	double imterm = 0.0;
	for (unsigned x = 0; x < c->n; x++) {
		double s = c->sigma[x], mm = c->model_tol * c->m[x];
		c->w[x] = 1.0 / (0.5 * s * s + mm * mm);
		imterm += c->w[x] * c->im[x] * c->im[x];
	}
	unsigned nh = c->hs.n, ex = nh;   /* index nh: the expected wiring itself */
	for (unsigned k = 0; k <= nh; k++) {
		double *pred = c->pred + (size_t)k * c->n;
		if (k == ex) {
			double r = 0.0;
			for (unsigned x = 0; x < c->n; x++) {
				pred[x] = c->eg[x];
				r += c->w[x] * (c->m[x] - pred[x]) * (c->m[x] - pred[x]);
			}
			c->resid[k] = r + imterm;
			c->score[k] = c->resid[k];
			continue;
		}
		const struct hyp *h = &c->hs.h[k];
		c->resid[k] = hyp_fit(&c->hs, h, c->m, c->w, pred, c->dy + (size_t)k * HYP_MAX_PARAMS, c->scratch) +
		              imterm;
		c->score[k] = c->resid[k] + FAULT_PENALTY * h->n_elems;
	}

	/* Best by score. A second fault is named only when it is certain:
	 * when either part alone comes within SEPARATION of the pair, the
	 * pair is reduced to the better part, never guessed. */
	unsigned best = ex;
	for (unsigned k = 0; k < nh; k++)
		if (c->score[k] < c->score[best])
			best = k;
	unsigned cand = best;
	if (best != ex && c->hs.h[best].n_elems == 2) {
		double lim = c->score[best] + SEPARATION;
		for (unsigned e = 0; e < 2; e++) {
			int k = c->hs.h[best].single[e];
			if (k >= 0 && c->score[k] < lim) {
				lim = c->score[k];
				cand = (unsigned)k;
			}
		}
	}
	const double *pc = c->pred + (size_t)cand * c->n;
	for (unsigned k = 0; k <= nh; k++) {
		const double *pk = c->pred + (size_t)k * c->n;
		double d = 0.0;
		for (unsigned x = 0; x < c->n; x++)
			d += c->w[x] * (pk[x] - pc[x]) * (pk[x] - pc[x]);
		c->dist[k] = d;
	}
	/* Of the candidate's twins (no measurement at this noise tells them
	 * apart) that fit about as well, the simplest is named. */
	unsigned named = cand;
	unsigned named_elems = cand == ex ? 0 : c->hs.h[cand].n_elems;
	unsigned named_cost = cand == ex ? 0 : c->hs.h[cand].cost;
	for (unsigned k = 0; k <= nh; k++) {
		if (c->dist[k] >= TWIN_CHI2 || c->score[k] > c->score[cand] + SEPARATION)
			continue;
		unsigned ne = k == ex ? 0 : c->hs.h[k].n_elems, co = k == ex ? 0 : c->hs.h[k].cost;
		if (ne < named_elems || (ne == named_elems && co < named_cost)) {
			named = k;
			named_elems = ne;
			named_cost = co;
		}
	}
	/* The runner-up predicts something observably different and is not
	 * the candidate plus an uncertain extra (for a good cable every
	 * observably different hypothesis counts). */
	double runner = INFINITY, runner_resid = INFINITY;
	for (unsigned k = 0; k <= nh; k++) {
		if (c->dist[k] < TWIN_CHI2 || c->score[k] >= runner)
			continue;
		if (named != ex && k != ex && c->hs.h[k].n_elems == 2) {
			int extends = 0;
			for (unsigned e = 0; e < 2; e++) {
				int s1 = c->hs.h[k].single[e];
				extends |= s1 >= 0 && c->dist[s1] < TWIN_CHI2;
			}
			if (extends)
				continue;
		}
		runner = c->score[k];
		runner_resid = c->resid[k];
	}
	double margin = runner - c->score[cand];

	/* Both as χ² (squared misfit over noise variance, real and imaginary
	 * parts): about 2 × entries when a hypothesis explains all but noise. */
	out->residual = c->resid[named];
	out->runner_up = runner_resid;
	if (named == ex)
		out->best = c->expected;
	else
		hyp_wiring(&c->f, &c->expected, &c->hs.h[named], c->dy + (size_t)named * HYP_MAX_PARAMS, &out->best);

	if (c->resid[best] > chi2_limit(c->n)) {
		/* Nothing near the expected wiring explains the measurement (the
		 * best fit, before uncertain extras are dropped from the name). */
		out->verdict = VERDICT_FAIL;
		struct fault *ft = add_fault(out, FAULT_UNRECOGNIZED_WIRING);
		if (ft)
			ft->value = c->resid[best];
		reach_measured(c, out);
		return 0;
	}
	if (margin < SEPARATION || (named == ex && c->resid[ex] > chi2_limit(c->n))) {
		/* Observably different wirings fit about equally well (or the good
		 * wiring is the simplest name for a fit it does not itself give). */
		set_undecided(c, out, snr);
		reach_measured(c, out);
		return 0;
	}
	reach_from_wiring(c, &out->best, out);
	double conf = confidence_of(margin);
	if (named != ex)
		name_faults(c, &c->hs.h[named], c->dy + (size_t)named * HYP_MAX_PARAMS, conf, out);
	if (out->n_faults == 0 && check_limits(c, out, sig, xt_amp, xt_sig, conf) && out->n_faults == 0) {
		/* Within the wiring, but a level or phase sits past its limit by
		 * less than its own noise: neither pass nor fail is honest. */
		set_undecided(c, out, snr);
		return 0;
	}
	out->verdict = out->n_faults ? VERDICT_FAIL : VERDICT_PASS;
	return 0;
}

/* ---- describe ---- */

static const char *channel_word(const char *ch)
{
	if (strcmp(ch, "L") == 0)
		return "left";
	if (strcmp(ch, "R") == 0)
		return "right";
	if (strcmp(ch, "SIG") == 0)
		return "signal";
	return ch;
}

/* A role as people write it: "R−" with a real minus sign. */
static void role_text(enum role r, char *buf, size_t len)
{
	const char *n = role_name(r);
	size_t l = strlen(n);
	if (l && n[l - 1] == '-')
		snprintf(buf, len, "%.*s\xE2\x88\x92", (int)(l - 1), n);
	else
		snprintf(buf, len, "%s", n);
}

static const char *cname(const struct fixture *f, const struct fault *ft, unsigned k)
{
	if (k >= ft->n_contacts || ft->contacts[k] < 0 || (unsigned)ft->contacts[k] >= f->n_contacts)
		return "?";
	return f->contact[ft->contacts[k]].name;
}

/* Ohms as people write them: "0.5 Ω", "47 Ω", "3.0 kΩ", "1.2 MΩ". */
static void format_ohms(double r, char *buf, size_t len)
{
	if (r >= 1e6)
		snprintf(buf, len, "%.1f M\xCE\xA9", r / 1e6);
	else if (r >= 1e3)
		snprintf(buf, len, "%.1f k\xCE\xA9", r / 1e3);
	else if (r >= 10)
		snprintf(buf, len, "%.0f \xCE\xA9", r);
	else
		snprintf(buf, len, "%.2g \xCE\xA9", r);
}

int classify_describe(const struct fixture *f, const struct fault *ft, char *buf, unsigned len)
{
	char r0[16], r1[16], ohms[32];
	int n = 0;

	if (!f || !ft || !buf || len == 0)
		return -EINVAL;
	const char *a = cname(f, ft, 0), *b = cname(f, ft, 1);
	const char *chw = ft->channel[0] ? channel_word(ft->channel) : "";
	switch (ft->code) {
	case FAULT_LR_SWAP:
		n = snprintf(buf, len, "Left and right are swapped (%s \xE2\x86\x94 %s)", a, b);
		break;
	case FAULT_POLARITY_INVERTED: {
		enum role x = ft->n_contacts > 0 ? f->contact[ft->contacts[0]].role : ROLE_NONE;
		enum role y = ft->n_contacts > 1 ? f->contact[ft->contacts[1]].role : ROLE_NONE;
		const char *tail = chw[0] ? " channel " : "";
		if (x == ROLE_G || x == ROLE_GND || x == ROLE_SHIELD || y == ROLE_G || y == ROLE_GND || y == ROLE_SHIELD) {
			/* An unbalanced channel: its signal and its return exchanged. */
			char word[16];
			snprintf(word, sizeof(word), "%s", chw[0] ? chw : "signal");
			word[0] = (char)(word[0] >= 'a' && word[0] <= 'z' ? word[0] - 'a' + 'A' : word[0]);
			n = snprintf(buf, len, "%s signal and ground are swapped (%s \xE2\x86\x94 %s): %s%spolarity inverted",
			             word, a, b, chw, tail);
		} else {
			role_text(x, r0, sizeof(r0));
			role_text(y, r1, sizeof(r1));
			n = snprintf(buf, len, "%s and %s are swapped (%s \xE2\x86\x94 %s): %s%spolarity inverted", r0, r1, a,
			             b, chw, tail);
		}
		break;
	}
	case FAULT_CTIA_OMTP_MISMATCH:
		n = snprintf(buf, len,
		             "Ground and microphone are swapped (%s \xE2\x86\x94 %s): a CTIA plug on an OMTP device "
		             "or the reverse \xE2\x80\x94 voices vanish (karaoke effect)", a, b);
		break;
	case FAULT_TRRS_IN_TRS:
		n = snprintf(buf, len, "Microphone shorted to ground (%s \xE2\x80\x93 %s, %.2g \xCE\xA9): "
		             "as a TRRS plug in a TRS jack does", a, b, ft->value);
		break;
	case FAULT_OPEN:
		n = snprintf(buf, len, "Open conductor: %s does not reach %s", a, b);
		break;
	case FAULT_SHORT:
		format_ohms(ft->value, ohms, sizeof(ohms));
		n = snprintf(buf, len, "Short between %s and %s (%s)%s", a, b, ohms,
		             ft->flags & FAULT_FLAG_EITHER_END ? ", at this end or the other" : "");
		break;
	case FAULT_MISWIRE:
		if (ft->flags & FAULT_FLAG_END_REVERSED)
			n = snprintf(buf, len, "The cable is in the jig the wrong way round (its ends are swapped)");
		else if (ft->n_contacts > 2)
			n = snprintf(buf, len, "Miswired: %s, %s and %s reach the wrong far-end contacts", a, b,
			             cname(f, ft, 2));
		else
			n = snprintf(buf, len, "Miswired: %s and %s reach each other's far-end contacts", a, b);
		break;
	case FAULT_HIGH_RESISTANCE:
		if (ft->n_contacts >= 2 && ft->value > 0.0) {
			format_ohms(ft->value, ohms, sizeof(ohms));
			n = snprintf(buf, len, "High resistance from %s to %s: %s in series", a, b, ohms);
		} else {
			n = snprintf(buf, len, "The %s channel is too quiet: resistance in series", chw);
		}
		break;
	case FAULT_CROSSTALK:
		n = snprintf(buf, len, "Crosstalk into the %s channel: %.1f dB", chw, ft->value);
		break;
	case FAULT_INTERMITTENT:
		n = snprintf(buf, len, "Intermittent contact on %s: %.0f dropouts while flexed", a, ft->value);
		break;
	case FAULT_UNRECOGNIZED_WIRING:
		if (ft->channel[0])
			n = snprintf(buf, len, "The %s channel is outside its limits in a way no wiring fault explains", chw);
		else
			n = snprintf(buf, len, "The wiring matches no known fault: see what reaches where");
		break;
	case FAULT_NO_SIGNAL:
		n = snprintf(buf, len, "No test tone reached any input: is the cable plugged in?");
		break;
	case FAULT_CLIPPING:
		n = snprintf(buf, len, "The input sensing %s clipped: lower the output level or the input gain", a);
		break;
	case FAULT_LOW_SNR:
		if (ft->flags & FAULT_FLAG_MODEL_LIMITED) {
			n = snprintf(buf, len, "Undecided although the signal is clean (%.0f dB SNR): the levels sit "
			             "within the jig's own uncertainty of a limit or of another wiring; calibrate the "
			             "jig with a golden cable (tonewire calibrate)", ft->value);
			break;
		}
		n = snprintf(buf, len, "Too noisy to decide (%.0f dB SNR): check the cable is seated and the jig grounded",
		             ft->value);
		break;
	default:
		n = snprintf(buf, len, "Unknown fault");
		break;
	}
	return n < 0 ? -EINVAL : (unsigned)n >= len ? -ENOSPC : 0;
}
