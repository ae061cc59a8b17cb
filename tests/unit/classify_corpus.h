/* classify_corpus: hand-built jigs, an independent oracle of their gains, synthetic measurements and the fault corpus (shared by the classify tests and bench/classify). */
#ifndef TONEWIRE_CLASSIFY_CORPUS_H
#define TONEWIRE_CLASSIFY_CORPUS_H

#include <stdint.h>
#include <stdio.h>

#include "classify.h"
#include "oracle.h"

enum jig_kind {
	JIG_TRRS4 = 0,   /* TRRS CTIA, 4 × 4 per contact, single-ended 10 kΩ senses */
	JIG_STEREO,      /* TRRS CTIA, L and R driven, sleeve tied, 32 Ω loads sensed across */
	JIG_44,          /* 4.4 mm balanced (L+ L− R+ R− G), 5 × 5 per contact */
	JIG_IEM,         /* 3.5 mm TRS → two 2-pin plugs, each earpiece load sensed on its own */
	JIG_COUNT
};

struct jig {
	char name[32];
	struct fixture f;
	struct wiring expected;
	double eg[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];   /* expected gains */
	double model_tol;   /* the model accuracy the station states and sets (classifier_set_model_tolerance); 0: uncalibrated, 2 % */
};

struct rng {
	uint64_t s;
};

double rng_uniform(struct rng *r);   /* (0, 1) */
double rng_gauss(struct rng *r);     /* N(0, 1) */

/* Build a jig with a good cable. seed picks the channel order and the
 * orientation of differential inputs: random, but known to the fixture,
 * so nothing may assume a sign convention. Returns 0 or -EINVAL. */
int corpus_jig(enum jig_kind kind, uint64_t seed, struct jig *j);

/* Building a jig by hand: contacts, the good cable's conductors, outputs,
 * inputs (neg NULL: single-ended), loads and ties, by contact name; then
 * corpus_finish fills j->eg from the oracle (0 or a negative errno). */
int corpus_contact(struct jig *j, const char *name, unsigned end, const char *plug, enum role role);
void corpus_wire(struct jig *j, const char *a, const char *b);
void corpus_drive(struct jig *j, const char *contact);
void corpus_sense(struct jig *j, const char *pos, const char *neg);
void corpus_load(struct jig *j, const char *a, const char *b, double ohms);
void corpus_tie(struct jig *j, const char *contact);
int corpus_finish(struct jig *j);

int corpus_conductor(const struct jig *j, const char *near);   /* expected conductor from a near contact */
int corpus_conductor_to(const struct jig *j, const char *far); /* …to a far contact */
int corpus_output_of(const struct jig *j, const char *contact);
int corpus_input_of(const struct jig *j, const char *contact);  /* input with contact as either leg */
double corpus_input_sign(const struct jig *j, int input);        /* -1 if its + leg is a "-" or ground contact */
double corpus_expected_gain(const struct jig *j, int input, int output);

/* Noise rms of tone k: snr_db below the good cable's strongest gain of k. */
double corpus_tone_sigma(const struct jig *j, unsigned k, double snr_db);

/* The analysis a perfect analyzer would give for gains g: g plus complex
 * Gaussian noise whose rms is snr_db below the good cable's strongest
 * gain of each tone (the "SNR per tone"). r NULL: g itself, with that
 * noise stated but not drawn. */
void corpus_synth_gains(const struct jig *j, const double *g, double snr_db, struct rng *r, struct analysis *an);

/* The same for cable `truth`, its gains from the oracle. */
void corpus_synth(const struct jig *j, const struct wiring *truth, double snr_db, struct rng *r, struct analysis *an);

struct corpus_stats {
	unsigned cases;
	unsigned unobservable;   /* predicts what a good cable does, within 3σ */
	unsigned weak;           /* visible, but closer to a good cable than the classifier must promise */
	unsigned weak_pass;      /* …of which passed */
	unsigned observable;
	unsigned silent;         /* so little gets through that "no signal" is the right answer */
	unsigned exact;          /* verdict fail with exactly the faults put in */
	unsigned aliased;        /* fail, named as another wiring the jig cannot tell from the truth,
	                            whose codes the result itself discloses (code or alternatives) */
	unsigned errors;         /* an honest error verdict (low_snr): not accurate, not a false pass */
	unsigned wrong;          /* fail with faults that do not explain the truth */
	unsigned false_pass;
	unsigned n_us;           /* classification times recorded (thread CPU time) */
};

/* Every single fault and every pair near j's good cable, one noisy
 * measurement each at snr_db. Logs what it could not name to `log`
 * (NULL: silent); records the CPU time of each classifier_run in µs to
 * us[] (up to max_us, may be NULL). Returns 0 or a negative errno. */
int corpus_run(const struct jig *j, double snr_db, uint64_t seed, struct corpus_stats *st, FILE *log,
               double *us, unsigned max_us);

/* `runs` noisy measurements of j's good cable at snr_db: how many passed,
 * were an error (undecidable at that SNR) or failed (a false fail).
 * Returns 0 or a negative errno. */
int corpus_good(const struct jig *j, double snr_db, uint64_t seed, unsigned runs, unsigned *pass, unsigned *error,
                unsigned *fail);

#endif
