/* hypothesis: the wirings near an expected one, with predicted gains and rank-one terms for fitted resistances (private to dsp). */
#ifndef TONEWIRE_HYPOTHESIS_H
#define TONEWIRE_HYPOTHESIS_H

/* Private to dsp/: nothing outside it includes this header (dsp/internal is
 * not on any include path; dsp's own files name it by its folder). */

#include <stddef.h>

#include "fixture.h"

#define HYP_MAX_ELEMS 2
#define HYP_MAX_PARAMS 2
/* Every single fault and pair of a 5-conductor cable takes ~800; an
 * 8-conductor one ~5000. Beyond this, pairs are left out (hypset.truncated)
 * rather than letting one classification grow without bound. */
#define HYP_MAX 4096
/* Other wirings with the same number of faults that predict exactly what a
 * kept hypothesis does, remembered so the classifier can say which
 * diagnoses the jig cannot tell apart (more than three is rare: a G/MIC
 * exchange and an open ground on a stereo jig are two). */
#define HYP_MAX_ALIASES 3

/* Elementary faults, in order of how simple an explanation they are:
 * when two explain a measurement equally well the lower one is kept. */
enum hyp_kind { HYP_OPEN = 0, HYP_SERIES, HYP_SHORT, HYP_SWAP, HYP_MOVE, HYP_REVERSED };

struct hyp_elem {
	enum hyp_kind kind;
	int i, j;   /* swap: conductors i < j; open, series: conductor i; short: contacts i < j;
	               move: conductor i lands on unused contact j instead (j's end says which end) */
};

#define HYP_EITHER_END 1u   /* a short whose twin at the other end of the cable was merged in */

/* A wiring that predicts what its hypothesis does, dropped as its twin. */
struct hyp_alias {
	unsigned n_elems;
	struct hyp_elem e[HYP_MAX_ELEMS];
};

struct hyp {
	unsigned n_elems;
	struct hyp_elem e[HYP_MAX_ELEMS];
	unsigned n_params;                      /* fitted resistances: shorts and series */
	unsigned param_elem[HYP_MAX_PARAMS];    /* which element each parameter belongs to */
	double y0[HYP_MAX_PARAMS];              /* series: conductance of the conductor as built */
	double s[HYP_MAX_PARAMS][HYP_MAX_PARAMS];   /* uᵀ Z u between the parameters' node pairs */
	size_t p0, a, b;                        /* arena offsets: gains without the parameters
	                                           [in × out], Z u per input [K × in], uᵀ V per
	                                           output [K × out] */
	int single[HYP_MAX_ELEMS];              /* index of the hypothesis that stands for each
	                                           element alone; -1: alone it is unobservable */
	unsigned flags;
	unsigned cost;                          /* how plain an explanation: tie-break between twins */
	unsigned n_alias;
	struct hyp_alias alias[HYP_MAX_ALIASES];   /* same-size twins merged into this one */
};

struct hypset {
	unsigned n_in, n_out;
	unsigned n;
	struct hyp *h;
	double *arena;
	size_t used, size;
	unsigned unobservable;   /* enumerated but predicting the expected gains: dropped */
	unsigned twins;          /* enumerated but predicting the same as a simpler one: dropped */
	int truncated;           /* HYP_MAX reached: some pairs were not enumerated */
};

/* Enumerate every single fault and every pair near `expected` in f, solve
 * each once with net and keep the ones the jig can tell apart (expected_gain
 * is f's gain matrix with `expected`). Returns 0 or a negative errno. */
int hypset_build(struct hypset *hs, const struct fixture *f, const struct wiring *expected,
                 const double *expected_gain, network *net);
/* Free what hypset_build allocated (hs itself is the caller's). */
void hypset_free(struct hypset *hs);

/* Size of the scratch hyp_fit and hyp_predict need, in doubles. */
size_t hyp_scratch_len(const struct hypset *hs);

/* Fit h's resistances to the measured gains m with weights w (least
 * squares on the conductances' rank-one terms). Writes the prediction to
 * pred and the fitted conductance changes to dy; returns Σ w (m − pred)².
 * Never allocates. */
double hyp_fit(const struct hypset *hs, const struct hyp *h, const double *m, const double *w, double *pred,
               double dy[HYP_MAX_PARAMS], double *scratch);

/* Predicted gains of h with conductance changes dy (no common gain). */
void hyp_predict(const struct hypset *hs, const struct hyp *h, const double dy[HYP_MAX_PARAMS],
                 double *pred, double *scratch);

/* Resistance of parameter k from its fitted conductance change. */
double hyp_param_ohms(const struct hyp *h, unsigned k, double dy);

/* The wiring h describes: expected with h's elements applied; dy = NULL
 * leaves parameters at their base (series as built, shorts absent). */
int hyp_wiring(const struct fixture *f, const struct wiring *expected, const struct hyp *h,
               const double dy[HYP_MAX_PARAMS], struct wiring *out);

/* Fill h's parameter list (n_params, param_elem, y0) from its elements,
 * as for a hypothesis built from an alias. Returns 0 or -EINVAL when the
 * elements do not apply to expected. */
int hyp_init_params(const struct fixture *f, const struct wiring *expected, struct hyp *h);

/* The contact at the other end with the same name ("A.T" ↔ "B.T"), or -1. */
int hyp_mirror(const struct fixture *f, int contact);

#endif
