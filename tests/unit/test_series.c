/* Unit tests of the series-resistance read-back: gains made by the tests' own nodal solver (oracle.c) with a known conductor resistance are read back to it. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "oracle.h"
#include "series.h"
#include "station.h"

#define assert_near(a, b, tol) do { \
	double a_ = (a), b_ = (b); \
	if (!(fabs(a_ - b_) <= (tol))) \
		fail_msg("%s = %.12g, expected %.12g within %g", #a, a_, b_, (double)(tol)); \
} while (0)

static struct station_cable *load(const char *jig, const char *cable)
{
	struct profiles p;
	char err[PROFILE_ERR_MAX];
	struct station_cable *sc = calloc(1, sizeof(*sc));
	assert_non_null(sc);
	profiles_init(&p, NULL);
	if (station_cable_load(&p, jig, cable, sc, err) < 0)
		fail_msg("%s", err);
	return sc;
}

/* What the analyzer would report for wiring w: |H| of every path. */
static void measure(const struct fixture *f, const struct wiring *w, double scale, struct analysis *an)
{
	double g[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];
	assert_int_equal(oracle_gains(f, w, g), 0);   /* tests/unit/oracle.c, not the station's model */
	memset(an, 0, sizeof(*an));
	an->n_inputs = f->n_inputs;
	an->n_tones = f->n_outputs;
	for (unsigned i = 0; i < f->n_inputs; i++)
		for (unsigned o = 0; o < f->n_outputs; o++) {
			an->h[i][o].gain = fabs(g[i * f->n_outputs + o]) * scale;
			an->h[i][o].snr_db = 100;   /* every path clearly measured */
		}
}

/* A loaded stereo jig resolves each conductor, the ground return it
 * shares with both channels too: the resistance put into the model comes
 * back on that conductor, and the others keep their nominal 0.05 Ω. */
static void loaded_jig_reads_back(void **state)
{
	(void)state;
	static const double ohms[] = { 0.05, 0.4, 1.7, 6.0, 40.0 };
	struct station_cable *sc = load("stereo-trs", "trs-3.5-extension");
	struct analysis an;
	double each[WIRING_MAX], max;
	assert_int_equal(sc->expected.n, 3);
	for (unsigned c = 0; c < sc->expected.n; c++) {
		for (size_t k = 0; k < sizeof(ohms) / sizeof(ohms[0]); k++) {
			struct wiring w = sc->expected;
			w.c[c].ohms = ohms[k];
			measure(&sc->fx, &w, 1.0, &an);
			assert_int_equal(series_estimate(&sc->fx, &sc->expected, &an, each, &max), 0);
			for (unsigned q = 0; q < sc->expected.n; q++)
				assert_near(each[q], q == c ? ohms[k] : WIRING_DEFAULT_OHMS, 1e-5 * (1 + ohms[k]));
			assert_near(max, ohms[k] > WIRING_DEFAULT_OHMS ? ohms[k] : WIRING_DEFAULT_OHMS, 1e-5 * (1 + ohms[k]));
		}
	}
	free(sc);
}

/* A signal path that reads hotter than the model (an uncalibrated
 * interface) is no resistance at all, never a negative one; a path far
 * below it is as good as open. */
static void out_of_range(void **state)
{
	(void)state;
	struct station_cable *sc = load("stereo-trs", "trs-3.5-extension");
	struct analysis an;
	double each[WIRING_MAX], max;
	measure(&sc->fx, &sc->expected, 1.0, &an);
	an.h[0][0].gain *= 1.05;   /* L → L: carried by the tip conductor */
	assert_int_equal(series_estimate(&sc->fx, &sc->expected, &an, each, &max), 0);
	unsigned tip = 0;
	while (tip < sc->expected.n && strcmp(sc->fx.contact[sc->expected.c[tip].a].name, "A.T") != 0)
		tip++;
	assert_true(tip < sc->expected.n);
	assert_near(each[tip], 0.0, 1e-12);
	measure(&sc->fx, &sc->expected, 1.0, &an);
	an.h[0][0].gain *= 1e-5;
	assert_int_equal(series_estimate(&sc->fx, &sc->expected, &an, each, &max), 0);
	assert_near(each[tip], SERIES_MAX_OHMS, 1e-9);
	assert_near(max, SERIES_MAX_OHMS, 1e-9);
	free(sc);
}

/* Without loads every contact sees 10 kΩ: an ohm changes a gain by 0.01 %,
 * below SERIES_MIN_SENSITIVITY, so nothing is claimed. */
static void unloaded_jig_claims_nothing(void **state)
{
	(void)state;
	struct station_cable *sc = load("trrs-4ch", "trrs-ctia-extension");
	struct analysis an;
	double each[WIRING_MAX], max = 123;
	measure(&sc->fx, &sc->expected, 1.0, &an);
	assert_int_equal(series_estimate(&sc->fx, &sc->expected, &an, each, &max), -ENODATA);
	for (unsigned q = 0; q < sc->expected.n; q++)
		assert_true(isnan(each[q]));
	free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loaded_jig_reads_back),
		cmocka_unit_test(out_of_range),
		cmocka_unit_test(unloaded_jig_claims_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
