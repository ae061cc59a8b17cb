/* series: the resistance of a cable's conductors read back from the measured gains through the jig's network model. */
#ifndef TONEWIRE_SERIES_H
#define TONEWIRE_SERIES_H

#include "analyzer.h"
#include "fixture.h"

/* A conductor is resolvable when one ohm more changes some gain it carries
 * by at least this much (relative): 0.1 % is ~0.009 dB, ten times the
 * spread of a tone's level at the SNR a test requires. A jig without loads
 * (10 kΩ inputs) changes by ~0.01 %/Ω and cannot resolve a conductor. */
#define SERIES_MIN_SENSITIVITY 1e-3
#define SERIES_MAX_OHMS 1000.0   /* beyond this a conductor is as good as open */

/* For each conductor of w in f (the wiring that explains the measurement),
 * the resistance that makes the model's gain on its most sensitive path
 * (output tone k = output k, input i; measured at 20 dB SNR or better)
 * equal the measured |H|, the conductors solved together: ohms[c] for
 * conductor c of w (its whole resistance, nominal included; 0 when the
 * gain is at or above the model's; NAN when the jig cannot resolve it),
 * and the largest in *max_ohms. 0; -ENODATA when no conductor is
 * resolvable on this jig; -ENOMEM. */
int series_estimate(const struct fixture *f, const struct wiring *w, const struct analysis *an,
                    double ohms[WIRING_MAX], double *max_ohms);

#endif
