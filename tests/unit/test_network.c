/* Unit tests of the network solver against circuits solved by hand. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "network.h"

/* cmocka 1.1 compares floats only; these tolerances need doubles. */
#define assert_near(a, b, tol) do { \
	double a_ = (a), b_ = (b); \
	if (!(fabs(a_ - b_) <= (tol))) \
		fail_msg("%s = %.12g, expected %.12g within %g", #a, a_, b_, (double)(tol)); \
} while (0)

/* The 1 GΩ leak on every node shifts hand-derived values by about
 * R/1e9 relative; for the kΩ-and-below circuits here that stays under 1e-6. */
#define TOL 1e-6

static int setup(void **state)
{
	network *n = network_create();
	if (!n)
		return -1;
	*state = n;
	return 0;
}

static int teardown(void **state)
{
	network_destroy(*state);
	return 0;
}

static void test_divider(void **state)
{
	network *n = *state;
	double g[1];

	assert_int_equal(network_reset(n, 1), 0);
	assert_int_equal(network_add_source(n, 1, 100.0), 0);
	assert_int_equal(network_add_resistor(n, 1, 0, 300.0), 0);
	assert_int_equal(network_add_sense(n, 1, 0), 0);
	assert_int_equal(network_sources(n), 1);
	assert_int_equal(network_senses(n), 1);
	assert_int_equal(network_solve(n, g), 0);
	/* 300 / (100 + 300) */
	assert_near(g[0], 0.75, TOL);
}

static void test_floating_node_reads_zero(void **state)
{
	network *n = *state;
	double g[2];

	assert_int_equal(network_reset(n, 2), 0);
	assert_int_equal(network_add_source(n, 1, 100.0), 0);
	assert_int_equal(network_add_sense(n, 1, 0), 0);
	assert_int_equal(network_add_sense(n, 2, 0), 1);   /* nothing reaches node 2 */
	assert_int_equal(network_solve(n, g), 0);
	/* Node 1 sees only its leak: 1e9 / (1e9 + 100). */
	assert_near(g[0], 1.0, TOL);
	assert_near(g[1], 0.0, 1e-12);
}

static void test_two_sources_shorted(void **state)
{
	network *n = *state;
	const double rs = 100.0, r = 0.01;
	double g[4];

	assert_int_equal(network_reset(n, 2), 0);
	assert_int_equal(network_add_source(n, 1, rs), 0);
	assert_int_equal(network_add_source(n, 2, rs), 1);
	assert_int_equal(network_add_resistor(n, 1, 2, r), 0);
	assert_int_equal(network_add_sense(n, 1, 0), 0);
	assert_int_equal(network_add_sense(n, 2, 0), 1);
	assert_int_equal(network_solve(n, g), 0);
	/* Source 0 at 1 V, source 1 at 0 V: a ladder Rs - r - Rs, so
	 * V1 = (Rs + r) / (2Rs + r), V2 = Rs / (2Rs + r); both ≈ ½, the mean. */
	assert_near(g[0 * 2 + 0], (rs + r) / (2 * rs + r), TOL);
	assert_near(g[1 * 2 + 0], rs / (2 * rs + r), TOL);
	assert_near(g[0 * 2 + 1], rs / (2 * rs + r), TOL);
	assert_near(g[1 * 2 + 1], (rs + r) / (2 * rs + r), TOL);
	/* Both sources at 1 V: both nodes at the mean of 1 and 1. */
	assert_near(g[0] + g[1], 1.0, TOL);
	assert_near(g[2] + g[3], 1.0, TOL);
}

/* Two 32 Ω earpieces in series between the L and R drives, their common
 * point floating (a CTIA plug in an OMTP socket): each earpiece sees half
 * the difference of the drives, with opposite signs — the karaoke effect. */
static void test_karaoke_series_loads(void **state)
{
	network *n = *state;
	const double rs = 10.0, rl = 32.0;
	double g[4 * 2];
	enum { VL, VR, LOAD_L, LOAD_R };

	assert_int_equal(network_reset(n, 3), 0);   /* 1 = L, 2 = R, 3 = middle */
	assert_int_equal(network_add_source(n, 1, rs), 0);
	assert_int_equal(network_add_source(n, 2, rs), 1);
	assert_int_equal(network_add_resistor(n, 1, 3, rl), 0);
	assert_int_equal(network_add_resistor(n, 2, 3, rl), 0);
	assert_int_equal(network_add_sense(n, 1, 0), VL);
	assert_int_equal(network_add_sense(n, 2, 0), VR);
	assert_int_equal(network_add_sense(n, 1, 3), LOAD_L);
	assert_int_equal(network_add_sense(n, 2, 3), LOAD_R);
	assert_int_equal(network_solve(n, g), 0);

	for (unsigned s = 0; s < 2; s++) {
		double half = (g[VL * 2 + s] - g[VR * 2 + s]) / 2.0;
		assert_near(g[LOAD_L * 2 + s], half, TOL);
		assert_near(g[LOAD_R * 2 + s], -half, TOL);
	}
	/* One loop current 1 / (2Rs + 2Rl) through both loads. */
	double i = 1.0 / (2 * rs + 2 * rl);
	assert_near(g[LOAD_L * 2 + 0], rl * i, TOL);
	assert_near(g[LOAD_R * 2 + 0], -rl * i, TOL);
	/* A mono signal (both drives equal) cancels on both loads. */
	assert_near(g[LOAD_L * 2 + 0] + g[LOAD_L * 2 + 1], 0.0, TOL);
}

static void test_reset_reuses(void **state)
{
	network *n = *state;
	double g[1];

	assert_int_equal(network_reset(n, 2), 0);
	assert_int_equal(network_add_source(n, 1, 50.0), 0);
	assert_int_equal(network_add_resistor(n, 1, 2, 1.0), 0);
	assert_int_equal(network_reset(n, 1), 0);
	assert_int_equal(network_sources(n), 0);
	assert_int_equal(network_add_source(n, 1, 100.0), 0);
	assert_int_equal(network_add_resistor(n, 1, 0, 100.0), 0);
	assert_int_equal(network_add_sense(n, 1, 0), 0);
	assert_int_equal(network_solve(n, g), 0);
	assert_near(g[0], 0.5, TOL);   /* nothing left of the first circuit */
}

static void test_bad_args(void **state)
{
	network *n = *state;
	double g[4];

	assert_int_equal(network_reset(NULL, 1), -EINVAL);
	assert_int_equal(network_reset(n, NETWORK_MAX_NODES + 1), -ENOSPC);
	assert_int_equal(network_reset(n, NETWORK_MAX_NODES), 0);
	assert_int_equal(network_reset(n, 2), 0);
	assert_int_equal(network_add_resistor(n, 1, 3, 1.0), -EINVAL);
	assert_int_equal(network_add_resistor(n, 1, 1, 1.0), -EINVAL);
	assert_int_equal(network_add_resistor(n, 1, 2, 0.0), -EINVAL);
	assert_int_equal(network_add_resistor(n, 1, 2, -5.0), -EINVAL);
	assert_int_equal(network_add_resistor(n, 1, 2, NAN), -EINVAL);
	assert_int_equal(network_add_resistor(n, 1, 2, INFINITY), -EINVAL);
	assert_int_equal(network_add_source(n, 0, 100.0), -EINVAL);
	assert_int_equal(network_add_source(n, 3, 100.0), -EINVAL);
	assert_int_equal(network_add_source(n, 1, 0.0), -EINVAL);
	assert_int_equal(network_add_sense(n, 1, 1), -EINVAL);
	assert_int_equal(network_add_sense(n, 3, 0), -EINVAL);
	assert_int_equal(network_solve(n, NULL), -EINVAL);
	assert_int_equal(network_solve(NULL, g), -EINVAL);

	for (unsigned i = 0; i < NETWORK_MAX_SOURCES; i++)
		assert_int_equal(network_add_source(n, 1, 100.0), (int)i);
	assert_int_equal(network_add_source(n, 1, 100.0), -ENOSPC);
	for (unsigned i = 0; i < NETWORK_MAX_SENSES; i++)
		assert_int_equal(network_add_sense(n, 1 + i % 2, 0), (int)i);
	assert_int_equal(network_add_sense(n, 1, 0), -ENOSPC);
	for (unsigned i = 0; i < NETWORK_MAX_RESISTORS; i++)
		assert_int_equal(network_add_resistor(n, 1, 2, 1000.0), 0);
	assert_int_equal(network_add_resistor(n, 1, 2, 1000.0), -ENOSPC);
	assert_int_equal(network_sources(NULL), 0);
	network_destroy(NULL);
}

/* Two floating nodes joined by 1 pΩ: the only path to ground is the leak,
 * 21 orders of magnitude below the joining conductance, so elimination
 * leaves a pivot lost in rounding. */
static void test_singular(void **state)
{
	network *n = *state;
	double g[1];

	assert_int_equal(network_reset(n, 2), 0);
	assert_int_equal(network_add_resistor(n, 1, 2, 1e-12), 0);
	assert_int_equal(network_add_source(n, 1, 1e15), 0);
	assert_int_equal(network_add_sense(n, 2, 0), 0);
	assert_int_equal(network_solve(n, g), -EDOM);
}

/* A larger network against a ladder whose value is known in closed form:
 * 60 sections of 1 Ω series, 1 Ω shunt. Each section's input resistance
 * converges to the golden ratio; the attenuation per section to 1/φ². */
static void test_ladder(void **state)
{
	network *n = *state;
	const unsigned m = 60;
	double g[2];

	assert_int_equal(network_reset(n, m), 0);
	assert_int_equal(network_add_source(n, 1, 1.0), 0);
	for (unsigned k = 1; k < m; k++) {
		assert_int_equal(network_add_resistor(n, k, 0, 1.0), 0);
		assert_int_equal(network_add_resistor(n, k, k + 1, 1.0), 0);
	}
	assert_int_equal(network_add_resistor(n, m, 0, 1.0), 0);
	assert_int_equal(network_add_sense(n, 10, 0), 0);
	assert_int_equal(network_add_sense(n, 11, 0), 1);
	assert_int_equal(network_solve(n, g), 0);
	double phi = (1.0 + sqrt(5.0)) / 2.0;
	assert_near(g[1] / g[0], 1.0 / (phi * phi), 1e-9);
}

/* The impedance column and node voltages a caller needs to add an element
 * without solving again: check them on the divider, then use them to
 * predict a 50 Ω shunt by Sherman–Morrison and compare with a new solve. */
static void test_transfer_rank_one(void **state)
{
	network *n = *state;
	double g[2], v[2], z[2], g2[2];

	assert_int_equal(network_reset(n, 2), 0);
	assert_int_equal(network_add_source(n, 1, 100.0), 0);
	assert_int_equal(network_add_resistor(n, 1, 2, 200.0), 0);
	assert_int_equal(network_add_resistor(n, 2, 0, 100.0), 0);
	assert_int_equal(network_add_sense(n, 2, 0), 0);
	assert_int_equal(network_node_voltages(n, 0, v), -EINVAL);   /* not solved yet */
	assert_int_equal(network_solve(n, g), 0);
	assert_int_equal(network_node_voltages(n, 0, v), 0);
	assert_near(v[0], 300.0 / 400.0, TOL);
	assert_near(v[1], 100.0 / 400.0, TOL);
	assert_int_equal(network_node_voltages(n, 1, v), -EINVAL);
	/* 1 A into node 2: it sees 100 Ω || (200 + 100) Ω = 75 Ω. */
	assert_int_equal(network_transfer(n, 2, 0, z), 0);
	assert_near(z[1], 75.0, 75.0 * TOL);   /* ohms: the tolerance is relative */
	assert_near(z[0], 75.0 * 100.0 / 300.0, 75.0 * TOL);
	assert_int_equal(network_transfer(n, 3, 0, z), -EINVAL);

	/* Add y = 1/50 S from node 2 to ground: V' = V - Z u y/(1 + y uᵀZu) uᵀV. */
	double y = 1.0 / 50.0, c = y / (1.0 + y * z[1]);
	double predicted = v[1] - z[1] * c * v[1];
	assert_int_equal(network_add_resistor(n, 2, 0, 50.0), 0);
	assert_int_equal(network_transfer(n, 2, 0, z), -EINVAL);   /* changed since */
	assert_int_equal(network_solve(n, g2), 0);
	assert_near(g2[0], predicted, TOL);
	/* 100 || 50 = 33.3 Ω below 300 Ω: 33.3 / 333.3 */
	assert_near(g2[0], (100.0 / 3.0) / (300.0 + 100.0 / 3.0), TOL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_divider, setup, teardown),
		cmocka_unit_test_setup_teardown(test_floating_node_reads_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_sources_shorted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_karaoke_series_loads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_reuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_singular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ladder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transfer_rank_one, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
