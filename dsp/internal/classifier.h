/* classifier internals: the classifier object and the steps its files share (private to dsp). */
#ifndef TONEWIRE_CLASSIFIER_INTERNAL_H
#define TONEWIRE_CLASSIFIER_INTERNAL_H

/* Private to dsp/ (see internal/hypothesis.h): the public API is classify.h. */

#include "classify.h"
#include "hypothesis.h"

/* Below this a noise estimate is not believable: −140 dB re full path is
 * under the floor of any 24-bit converter. Only guards divisions. */
#define SIGMA_FLOOR 1e-7
/* A tone is "there" on an input when it stands 12 dB above that input's
 * noise: a noise-only bin (Rayleigh amplitude) exceeds its rms by 12 dB
 * with probability e^-15.8 ≈ 1e-7, so no measurement invents a signal. */
#define SIGNAL_SNR_DB 12.0
/* Penalty per fault in a hypothesis, in χ² units (residual over noise
 * variance). A fitted resistance that merely fits noise improves the
 * residual by a χ²₁ variable; over the ~25 such singles of a 5-conductor
 * cable the largest exceeds 20 with probability ~2e-4, so a fault must
 * explain 30 units of residual more than the good wiring to be named. */
#define FAULT_PENALTY 30.0
/* Limit checks need the measurement to be beyond the limit by this many
 * standard deviations of its own noise before they fail a cable. The
 * crosstalk of a good cable reads as noise, whose magnitude is Rayleigh:
 * it exceeds kσ with probability e^(-k²), 2 % at 2σ but 1e-7 at 4σ; a
 * level (Gaussian along the signal) exceeds 4σ with probability 3e-5. */
#define LIMIT_SIGMAS 4.0
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
/* An explanation the measurement cannot tell from the named one (a twin
 * at this noise) is listed among its alternatives when its fit is within
 * this many χ² units of the best: the difference between two fits of the
 * same data scatters like a χ² of a few degrees of freedom, which passes
 * 25 with probability ~1e-5, so a truth that is a twin of what is named is
 * not left out because noise happened to favour the other. */
#define ALT_CHI2 25.0
/* With alternatives the confidence stays below 1 at the three decimals a
 * result reports (docs/result.md), however unlikely they are. */
#define CONFIDENCE_WITH_ALTERNATIVES 0.999
/* A second fault that the measurement shows but not at the significance
 * that names one (it must then win by FAULT_PENALTY + SEPARATION = 40 χ²
 * units, a false alarm of 1e-5 over the 4096 hypotheses of a cable) is
 * disclosed: listed among the named fault's alternatives when it improves
 * the fit by this much. Over the at most 64 pairs that extend one named
 * fault, noise alone does that with probability 64 e^(-22/2) ≈ 1e-3 (χ²
 * of two degrees of freedom), and a second fault d χ² units away from
 * the named one alone is disclosed or named with probability 1 − 3e-5
 * once (√d − 4)² ≥ 22, d ≥ 75. */
#define HINT_CHI2 22.0
/* dB values of signals that are exactly zero. */
#define DB_FLOOR -200.0

/* What one expected conductor is to the people using the cable: which
 * channel it belongs to and whether it is that channel's hot or return. */
struct leg {
	char name[8];       /* "L", "R", "mono", "SIG", a plug label; "" for none (a shared ground, MIC) */
	char place[32];     /* the operator's word: "left earpiece", "right plug", "left channel" */
	int pol;            /* +1 hot, -1 cold or return, 0 neither */
	int ground;         /* a ground (G, GND, SHIELD) at the near end */
	int chan;           /* index in classifier.ch, -1 when the jig shows no such channel */
};

/* One audio channel as the jig sees it: weights over outputs and inputs. */
struct chan {
	char name[8];
	char place[32];
	double d[FIXTURE_MAX_CHANNELS];   /* drive weights over outputs */
	double s[FIXTURE_MAX_CHANNELS];   /* sense weights over inputs */
	int np, nn, fp, fn;               /* near and far contacts of + and − (or return), -1 if none */
	int cond_p, cond_n;               /* expected conductors of + and −, -1 if none */
	int balanced;                     /* − is a signal of its own, driven in antiphase */
	int listening;                    /* the jig loads and senses it as an earpiece would */
	double expected;                  /* sᵀ E d of the good cable */
	int partner;                      /* L ↔ R for the mono sum, -1 */
};

/* The channels again, as a listener's device and earpieces wire them:
 * what the mono sum is judged on when the jig is not such a circuit. */
struct listener {
	int ok;
	struct fixture f;
	int out_p[CLASSIFY_MAX_CHANNELS], out_n[CLASSIFY_MAX_CHANNELS];   /* output of + and −, -1 */
	double eg[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];     /* good cable, [in × out] */
	double pred[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];   /* the named wiring */
};

struct classifier {
	struct fixture f;
	struct wiring expected;
	struct classify_limits lim;
	double model_tol;                 /* relative, see classify.c */
	network *net;
	unsigned n_in, n_out, n;          /* n = n_in × n_out */
	double *eg;                       /* expected gains */
	double *bound;                    /* the most any cable can give on each entry (jig check) */
	struct hypset hs;
	struct leg leg[WIRING_MAX];       /* per expected conductor */
	unsigned n_ch;
	struct chan ch[CLASSIFY_MAX_CHANNELS];
	struct listener ls;
	struct fixture pc;                /* the same plugs on a per-contact jig (who could tell) */
	int pc_ok;
	double pc_a[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];   /* its gains for two wirings */
	double pc_b[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];
	/* Per-measurement scratch, sized here so classifier_run never allocates. */
	double *m, *im, *sigma, *w;
	double *pred;                     /* (hs.n + 1) × n: fitted predictions, last = expected */
	double *resid, *score, *dy, *dist;
	double *scratch;
	double *alt_pred;                 /* n: one more prediction, for alternatives */
	int unaligned;                    /* this run has no round trip: c->m is each tone's column
	                                     turned to its principal axis, every prediction in
	                                     c->pred turned by column to match (classify_unaligned.c) */
};

/* The steps of a classification (classify.c), shared by the one with a
 * round trip and the one without (classify_unaligned.c). */
/* c->m, c->im and c->sigma from an; returns Σ |H|²/σ² (about N for noise alone). */
double classify_read(classifier *c, const struct analysis *an);
/* Clipping, silence, a jig mismatch, too much noise: fills out and returns
 * 1 when one of them decides; *snr gets the SNR a good cable would have. */
int classify_station_checks(const classifier *c, const struct analysis *an, double power,
                            struct classification *out, double *snr);
double classify_chi2_limit(unsigned n);          /* a residual consistent with noise, N entries */
double classify_confidence(double margin);       /* 0.5 .. 1 from a score margin */
/* Error, low_snr: neither pass nor fail is honest at this measurement. */
void classify_undecided(const classifier *c, struct classification *out, double snr);

struct classify_choice {
	unsigned best;            /* lowest score */
	unsigned cand;            /* best, with an uncertain second fault dropped */
	unsigned named;           /* the simplest of cand's twins */
	double margin;            /* to the runner-up */
	double runner_resid;
};
/* From c->resid, c->score and c->pred (filled for every hypothesis and the
 * expected wiring, index hs.n): the hypothesis to name and its margin;
 * fills c->dist (each prediction's distance to the candidate's). */
void classify_choose(classifier *c, struct classify_choice *ch);
/* Does every wiring that scores within SEPARATION of the candidate fail
 * the cable (none is the good wiring or names no fault)? Then the cable
 * fails, whichever of them it is. */
int classify_fails_anyway(const classifier *c, const struct classify_choice *ch);

/* Channel and leg model (classify_channels.c). */
void chan_build(classifier *c);                  /* legs, channels, listener model; after c->eg */
/* The channel view of the measurement in c->m/c->im, each channel read
 * where wiring `named` puts it (NULL: at its own place); sig, xt_amp and
 * xt_sig get each channel's noise and its crosstalk excess for the limits. */
void chan_views(classifier *c, struct classification *out, const struct wiring *named, double *sig,
                double *xt_amp, double *xt_sig);
int role_is_ground(enum role r);                 /* G, GND and SHIELD: one ground */

/* Naming (classify_name.c). */
void pc_build(classifier *c);                    /* c->pc: the cable's plugs on a per-contact jig */
/* The faults of hypothesis h with fitted dy, at confidence conf, appended
 * to ft[*n] (at most max). Series resistances within the limit are not
 * faults. */
void name_faults(const classifier *c, const struct hyp *h, const double *dy, double conf, struct fault *ft,
                 unsigned *n, unsigned max);
/* Other hypotheses that explain the measurement as well as hypothesis
 * `named`: their codes become the faults' alternatives, and the faults'
 * confidence drops to say so. A twin at this noise with a residual at most
 * cutoff counts as "as well", and so does any other diagnosis whose score
 * is below rivals (-INFINITY: none). */
void name_alternatives(classifier *c, struct classification *out, unsigned named, double cutoff, double rivals);

/* Without a round trip (classify_unaligned.c): every tone's phase known
 * only relative to the same tone on the other inputs. */
void score_unaligned(classifier *c);             /* as score_all, each column up to its sign */
/* Turn each column of prediction p to the sign that matches c->m. */
void classify_align(const classifier *c, double *p);
/* The verdict: fail when every wiring a good cable could have is
 * excluded, else undecided; never pass. */
void conclude_unaligned(classifier *c, const struct classify_choice *ch, double snr, struct classification *out);

/* What reaches where (classify_reach.c). */
/* out->reach from wiring w (each near contact's far contacts, with the measured gain). */
void reach_from_wiring(const classifier *c, const struct wiring *w, struct classification *out);
/* out->reach from the measurement alone, when no wiring explains it. */
void reach_measured(const classifier *c, struct classification *out);

/* Checks beyond the wiring (classify_checks.c). */
int jig_bounds(classifier *c);                   /* c->bound from the jig alone; 0 or -errno */
/* A measurement no passive cable in this jig can give: fills an error
 * verdict with jig_mismatch and returns 1, else 0. */
int check_jig(const classifier *c, struct classification *out);
/* Level, phase and crosstalk limits of a cable wired as expected: adds the
 * faults, returns how many readings sit within their noise of a limit. */
int check_limits(const classifier *c, struct classification *out, const double *sig, const double *xt_amp,
                 const double *xt_sig, double conf);

/* Shared helpers (classify.c). */
double classify_db(double x);                    /* 20 log10 x, floored at DB_FLOOR */
/* Append a fault of this code (confidence 1) to out; NULL when it is full. */
struct fault *classify_add_fault(struct classification *out, enum fault_code code);

#endif
