/* oracle: the gains of a jig and cable by nodal analysis written apart from dsp/network.c and dsp/fixture.c (shared by the unit, simulator and bench tests). */
#ifndef TONEWIRE_TESTS_ORACLE_H
#define TONEWIRE_TESTS_ORACLE_H

#include "fixture.h"

/* The gains [n_inputs × n_outputs] of fixture f with cable w: one node per
 * contact, each output a 1 V source behind source_ohms, each input leg
 * input_ohms to ground, ties, loads and conductors as resistors, solved by
 * Gaussian elimination. Only the data structures of dsp/fixture.h are
 * shared with the code under test. Returns 0, -EINVAL or -EDOM. */
int oracle_gains(const struct fixture *f, const struct wiring *w, double *gain);

#endif
