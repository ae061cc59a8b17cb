/* classify: from a measured transfer matrix to a verdict, named faults, a wiring map and a channel view. */
#ifndef TONEWIRE_CLASSIFY_H
#define TONEWIRE_CLASSIFY_H

#include "analyzer.h"
#include "fixture.h"

#define CLASSIFY_MAX_FAULTS 8
#define CLASSIFY_MAX_CHANNELS 8
#define CLASSIFY_MAX_REACH 8

enum verdict { VERDICT_PASS = 0, VERDICT_FAIL, VERDICT_ERROR };

enum fault_code {
	FAULT_LR_SWAP = 0, FAULT_POLARITY_INVERTED, FAULT_CTIA_OMTP_MISMATCH, FAULT_TRRS_IN_TRS,
	FAULT_OPEN, FAULT_SHORT, FAULT_MISWIRE, FAULT_HIGH_RESISTANCE, FAULT_CROSSTALK,
	FAULT_INTERMITTENT, FAULT_UNRECOGNIZED_WIRING, FAULT_NO_SIGNAL, FAULT_CLIPPING,
	FAULT_LOW_SNR, FAULT_JIG_MISMATCH, FAULT_COUNT
};

/* "lr_swap", … (docs/result.md); "?" for a code out of range. Static strings. */
const char *fault_code_name(enum fault_code c);
/* "pass", "fail", "error"; "?" out of range. Static strings. */
const char *verdict_name(enum verdict v);

/* Pass/fail limits beyond wiring (cable profile [limits]). */
struct classify_limits {
	double max_level_dev_db;   /* |channel level| above this: high_resistance/level fault */
	double max_crosstalk_db;   /* crosstalk above this (e.g. -40): crosstalk fault */
	double max_series_ohms;    /* fitted series resistance above this: high_resistance */
	double min_snr_db;         /* a needed tone below this: error, low_snr */
	double max_phase_deg;      /* |channel phase| above this (non-inverted): fail */
};

/* Documented defaults (classify.c says where each value comes from). */
void classify_limits_default(struct classify_limits *lim);

struct fault {
	enum fault_code code;
	unsigned n_contacts;
	int contacts[4];           /* fixture contact indexes */
	char channel[8];           /* "L", "R", "mono", a plug label, … when the fault belongs to a channel */
	char place[32];            /* that channel as an operator names it: "right earpiece", "left channel" */
	double value;              /* ohms (high_resistance, short), dB (crosstalk, jig_mismatch), count (intermittent) */
	double confidence;         /* 0..1; below 1 whenever there are alternatives */
	unsigned flags;            /* FAULT_FLAG_* */
	unsigned alternatives;     /* bit (1u << code) per other code that explains the
	                              measurement as well on this jig (docs/result.md) */
};

/* Details of a fault that its code alone does not carry. */
#define FAULT_FLAG_END_REVERSED 1u   /* miswire: the cable sits reversed in the jig */
#define FAULT_FLAG_EITHER_END 2u     /* short: the jig cannot tell near end from far end */
#define FAULT_FLAG_MODEL_LIMITED 4u  /* low_snr with signal to spare: the model's own tolerance
                                        (an uncalibrated interface) is what cannot decide */
#define FAULT_FLAG_UNUSED_CONTACT 8u /* miswire: a conductor lands on a contact the cable leaves unused */
#define FAULT_FLAG_ALT_THIS_JIG 16u  /* alternatives: this jig measures exactly the same for them */
#define FAULT_FLAG_ALT_NOISE 32u     /* alternatives: they differ, but by less than this noise */
#define FAULT_FLAG_ALT_PER_CONTACT 64u /* alternatives: a per-contact jig tells them apart */
#define FAULT_FLAG_ALT_ALSO 128u     /* alternatives: a second fault that may come on top of this
                                        one, shown by the measurement but not beyond doubt */

struct reach {                 /* which far-end contacts one near-end contact reaches */
	int from;
	unsigned n_to;
	int to[CLASSIFY_MAX_REACH];
	double gain[CLASSIFY_MAX_REACH];   /* measured Re H from the output driving `from` to the
	                                      input sensing `to` (as its − leg: sign turned);
	                                      0 when the jig does not drive and sense both;
	                                      without a round trip, each tone's sign is the
	                                      named wiring's */
};

struct channel_view {
	char name[8];              /* "L", "R", "L+", "SIG", … */
	double level_db;           /* re the expected level of a good cable */
	double phase_deg;
	int inverted;
	double crosstalk_db;       /* the other channel's leak into this one, re this one's level */
	double snr_db;
	double mono_ratio_db;      /* (L+R) across this channel's earpiece re a good cable; very
	                              negative = karaoke cancellation. Measured where the jig loads
	                              the channel as an earpiece does, else predicted from the named
	                              wiring on a listener's circuit (classify_channels.c) */
	char found_at[8];          /* the channel whose far contacts carry this one in the named
	                              wiring ("R" for L on an L/R swap); "" = its own */
};

struct classification {
	enum verdict verdict;
	unsigned n_faults;
	struct fault fault[CLASSIFY_MAX_FAULTS];
	unsigned n_reach;
	struct reach reach[FIXTURE_MAX_CONTACTS];
	unsigned n_channels;
	struct channel_view channel[CLASSIFY_MAX_CHANNELS];
	struct wiring best;        /* the hypothesis that fits */
	double residual;           /* of the best fit, normalised: χ² over noise, ~2 × entries when good */
	double runner_up;          /* of the next-best distinct hypothesis (INFINITY: none) */
	unsigned hypotheses;       /* how many were tried */
};

typedef struct classifier classifier;

/* Create a classifier for cable `expected` in fixture f (both copied) with
 * limits lim (NULL = defaults). Hypotheses are enumerated here, once.
 * NULL on failure. */
classifier *classifier_create(const struct fixture *f, const struct wiring *expected,
                              const struct classify_limits *lim);
/* Free c and everything it owns; accepts NULL. */
void classifier_destroy(classifier *c);

/* Classify one measurement (analysis tone k = output k). Never fails on a
 * bad cable: that is a verdict in *out. Returns 0 or -EINVAL. */
int classifier_run(classifier *c, const struct analysis *an, struct classification *out);

/* Classify a measurement whose round trip could not be found (too little
 * of the probe got through): each tone's phase is then unknown, the same
 * on every input, so each wiring is compared with the measurement up to
 * one sign per tone. It never passes a cable: it fails one when no wiring
 * a good cable could have fits, naming the faults that fit best and, as
 * alternatives, those it cannot tell from them (an inverted polarity
 * among them); otherwise the verdict is error, low_snr. The result has no
 * channel view (a channel sums tones, whose phases it lacks), and its
 * reach gains carry the signs the named wiring gives. Returns 0 or
 * -EINVAL. */
int classifier_run_unaligned(classifier *c, const struct analysis *an, struct classification *out);

/* Expected gain matrix of the good cable, [n_inputs * n_outputs]. */
const double *classifier_expected(const classifier *c);

#define CLASSIFY_MODEL_TOLERANCE 0.02   /* default: an uncalibrated interface and 1 % parts */

/* How far (relative) the model may be from the real jig in every gain:
 * 0.02 by default. A station whose measurements were corrected against a
 * golden cable can lower it (to ~0.002) and then resolves series
 * resistance down to the cable limits on loaded jigs. Accepts 1e-4..0.2;
 * returns 0 or -EINVAL. */
int classifier_set_model_tolerance(classifier *c, double rel);

/* One sentence for people, e.g. "Left and right are swapped (A.T ↔ A.R1)",
 * followed, when the fault has alternatives, by one saying the jig cannot
 * tell them apart and which jig could. Writes at most len bytes (UTF-8,
 * NUL-terminated) to the caller's buf; returns 0, -ENOSPC when cut short,
 * or -EINVAL. */
int classify_describe(const struct fixture *f, const struct fault *ft, char *buf, unsigned len);

#endif
