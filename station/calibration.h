/* calibration: a golden cable's transfer matrix as the reference every later measurement is read against. */
#ifndef TONEWIRE_CALIBRATION_H
#define TONEWIRE_CALIBRATION_H

#include <complex.h>
#include <jansson.h>

#include "analyzer.h"
#include "classify.h"
#include "fixture.h"
#include "measure.h"
#include "toneplan.h"

/* Model tolerance once a verified calibration corrects every path: the
 * golden reference leaves the jig's resistor tolerances and the interface's
 * gain out of the comparison; 0.5 % keeps room for the drift of an
 * interface's gain with temperature (a few 0.01 dB) over a shift. */
#define CALIBRATION_TOLERANCE 0.005
/* The golden sample's check is about its wiring, which moves gains by tens
 * of percent (a swap, an open, a short); the interface's uncalibrated gain
 * (often a dB or more, with a gain knob on the inputs) is what the
 * calibration is about to remove, so it is checked with the widest model
 * tolerance the classifier takes: 20 %, about ±1.6 dB. */
#define CALIBRATION_GOLDEN_TOLERANCE 0.2

/* The active calibration of a jig: H of every path a good cable carries,
 * relative to the network model's ideal. */
struct calibration {
	long long id;                    /* 0 = none */
	char cable[64];
	char created_at[32];
	int known[ANALYZER_MAX_INPUTS][TONEPLAN_MAX_TONES];
	double complex c[ANALYZER_MAX_INPUTS][TONEPLAN_MAX_TONES];
};

/* Read a stored calibration ({"id", "cable", "created_at", "corrections":
 * {"gain_db", "phase_deg"}}) made for fixture f. 0, or -EINVAL when it was
 * made for another channel layout (the jig's profile changed). */
int calibration_from_json(struct calibration *c, const json_t *row, const struct fixture *f);

/* Divide H by the correction of every path, so levels read relative to the
 * golden reference (paths with no reference of their own get the mean of
 * their row's and column's). Returns c->id, 0 when c is NULL or empty. */
long long calibration_apply(const struct calibration *c, struct analysis *an);

/* Is a golden sample, classified with CALIBRATION_GOLDEN_TOLERANCE, good
 * enough to become the reference? Its wiring must be as the profile says;
 * a level off on every channel alike (a gain stage) is what calibration
 * corrects, one channel alone down is a defect. 1 yes, 0 no. */
int calibration_golden_ok(const struct classification *cl);

/* The corrections a golden measurement m gives: raw H over the model's
 * ideal gain (expected, n_inputs × n_outputs) on every path a good cable
 * carries with at least min_snr_db ({"inputs", "outputs", "freq_hz",
 * "rate", "gain_db", "phase_deg"}, null where unknown). A new reference. */
json_t *calibration_corrections(const struct fixture *f, const struct toneplan *plan, const double *expected,
                                const struct measurement *m, double min_snr_db);

#endif
