/* Unit tests of the fixture model: role names, jigs built by hand, gains derived by hand. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fixture.h"

/* cmocka 1.1 compares floats only; these tolerances need doubles. */
#define assert_near(a, b, tol) do { \
	double a_ = (a), b_ = (b); \
	if (!(fabs(a_ - b_) <= (tol))) \
		fail_msg("%s = %.12g, expected %.12g within %g", #a, a_, b_, (double)(tol)); \
} while (0)

/* Hand-derived values ignore the 1 GΩ node leak: 1e-5 relative at a 10 kΩ
 * node, scaled down by the source divider; 1e-6 covers it. */
#define TOL 1e-6
#define RS 100.0
#define RIN 10000.0
#define RW WIRING_DEFAULT_OHMS

static int add_contact(struct fixture *f, const char *name, unsigned end, enum role r)
{
	struct fixture_contact *c = &f->contact[f->n_contacts];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->end = end;
	c->role = r;
	c->socket_role = r;
	return (int)f->n_contacts++;
}

/* TRRS socket A driven per contact, TRRS socket B sensed per contact. */
static void per_contact_jig(struct fixture *f, struct wiring *w)
{
	static const char *const name[4] = {"T", "R1", "R2", "S"};
	static const enum role role[4] = {ROLE_L, ROLE_R, ROLE_G, ROLE_MIC};
	char buf[16];

	memset(f, 0, sizeof(*f));
	memset(w, 0, sizeof(*w));
	snprintf(f->jig, sizeof(f->jig), "trrs-4ch");
	f->source_ohms = RS;
	f->input_ohms = RIN;
	for (unsigned e = 0; e < 2; e++) {
		for (unsigned k = 0; k < 4; k++) {
			snprintf(buf, sizeof(buf), "%c.%s", e ? 'B' : 'A', name[k]);
			add_contact(f, buf, e, role[k]);
		}
	}
	for (unsigned k = 0; k < 4; k++) {
		f->output[f->n_outputs++] = (int)k;
		f->input_pos[f->n_inputs] = (int)(4 + k);
		f->input_neg[f->n_inputs++] = -1;
		w->c[w->n++] = (struct conductor){(int)k, (int)(4 + k), RW};
	}
}

static void test_role_names(void **state)
{
	static const char *const names[] = {"L", "R", "G", "MIC", "L+", "L-", "R+", "R-",
	                                    "+", "-", "SIG", "GND", "SHIELD", "DATA", "NC"};
	enum role r;

	assert_int_equal(sizeof(names) / sizeof(names[0]), ROLE_COUNT - 1);
	for (unsigned i = 0; i < ROLE_COUNT - 1; i++) {
		assert_string_equal(role_name((enum role)(i + 1)), names[i]);
		assert_int_equal(role_parse(names[i], &r), 0);
		assert_int_equal(r, i + 1);
	}
	assert_string_equal(role_name(ROLE_NONE), "?");
	assert_string_equal(role_name(ROLE_COUNT), "?");
	assert_string_equal(role_name((enum role)-3), "?");

	/* U+2212 MINUS SIGN, as typeset in datasheets. */
	assert_int_equal(role_parse("L\xE2\x88\x92", &r), 0);
	assert_int_equal(r, ROLE_LN);
	assert_int_equal(role_parse("R\xE2\x88\x92", &r), 0);
	assert_int_equal(r, ROLE_RN);
	assert_int_equal(role_parse("\xE2\x88\x92", &r), 0);
	assert_int_equal(r, ROLE_N);

	assert_int_equal(role_parse("?", &r), -EINVAL);
	assert_int_equal(role_parse("", &r), -EINVAL);
	assert_int_equal(role_parse("l", &r), -EINVAL);
	assert_int_equal(role_parse("L--", &r), -EINVAL);
	assert_int_equal(role_parse("\xE2\x88", &r), -EINVAL);
	assert_int_equal(role_parse("SHIELDSHIELDSHIELD", &r), -EINVAL);
	assert_int_equal(role_parse(NULL, &r), -EINVAL);
	assert_int_equal(role_parse("L", NULL), -EINVAL);
}

static void test_find_contact(void **state)
{
	struct fixture f;
	struct wiring w;

	per_contact_jig(&f, &w);
	assert_int_equal(fixture_find_contact(&f, "A.T"), 0);
	assert_int_equal(fixture_find_contact(&f, "B.S"), 7);
	assert_int_equal(fixture_find_contact(&f, "B.X"), -1);
	assert_int_equal(fixture_find_contact(NULL, "A.T"), -1);
	assert_int_equal(fixture_find_contact(&f, NULL), -1);
}

/* A straight cable in a per-contact jig: each output reaches only its own
 * input, through Rs and the wire into the input impedance. */
static void test_straight_per_contact(void **state)
{
	struct fixture f;
	struct wiring w;
	double g[16];
	network *net = network_create();

	assert_non_null(net);
	per_contact_jig(&f, &w);
	assert_int_equal(fixture_gains(&f, &w, net, g), 0);
	for (unsigned i = 0; i < 4; i++)
		for (unsigned o = 0; o < 4; o++)
			assert_near(g[i * 4 + o], i == o ? RIN / (RS + RW + RIN) : 0.0, TOL);

	/* A conductor with ohms 0 is a default wire. */
	for (unsigned k = 0; k < w.n; k++)
		w.c[k].ohms = 0.0;
	assert_int_equal(fixture_gains(&f, &w, net, g), 0);
	assert_near(g[0], RIN / (RS + RW + RIN), TOL);
	network_destroy(net);
}

static void test_swap_and_open(void **state)
{
	struct fixture f;
	struct wiring w;
	double g[16];
	network *net = network_create();

	assert_non_null(net);
	per_contact_jig(&f, &w);
	w.c[0].b = 5;   /* A.T → B.R1 */
	w.c[1].b = 4;   /* A.R1 → B.T */
	w.c[3] = w.c[--w.n];   /* A.S open */
	assert_int_equal(fixture_gains(&f, &w, net, g), 0);
	double d = RIN / (RS + RW + RIN);
	assert_near(g[0 * 4 + 1], d, TOL);
	assert_near(g[1 * 4 + 0], d, TOL);
	assert_near(g[0 * 4 + 0], 0.0, TOL);
	assert_near(g[2 * 4 + 2], d, TOL);
	for (unsigned o = 0; o < 4; o++)
		assert_near(g[3 * 4 + o], 0.0, 1e-9);
	network_destroy(net);
}

/* A short of r between far contacts B.T and B.R1: each output reaches both
 * inputs. By symmetry with equal drives the two far nodes sit at the same
 * voltage (the mean); drive A.T alone and solve the two-node circuit. */
static void test_short(void **state)
{
	struct fixture f;
	struct wiring w;
	double g[16];
	const double r = 5.0;
	network *net = network_create();

	assert_non_null(net);
	per_contact_jig(&f, &w);
	w.c[w.n++] = (struct conductor){4, 5, r};
	assert_int_equal(fixture_gains(&f, &w, net, g), 0);
	/* Each far node: Rin to ground and Rs + Rw to its (0 V or 1 V) source;
	 * Nodal: (V1 - 1)/a + V1/Rin + (V1 - V2)/r = 0, V2/a + V2/Rin + (V2 - V1)/r = 0. */
	double a = RS + RW, y = 1.0 / a + 1.0 / RIN, yr = 1.0 / r;
	double det = (y + yr) * (y + yr) - yr * yr;
	double v1 = (y + yr) / a / det, v2 = yr / a / det;
	assert_near(g[0 * 4 + 0], v1, TOL);
	assert_near(g[1 * 4 + 0], v2, TOL);
	assert_near(g[1 * 4 + 1], v1, TOL);
	assert_near(g[0 * 4 + 1], v2, TOL);
	assert_near(g[2 * 4 + 0], 0.0, TOL);
	network_destroy(net);
}

/* Differential sensing across a load whose return is tied to ground:
 * A.T drives B.T through the cable, 32 Ω from B.T to B.R, B.R tied. */
static void test_differential(void **state)
{
	struct fixture f;
	struct wiring w;
	double g[2];
	network *net = network_create();

	assert_non_null(net);
	memset(&f, 0, sizeof(f));
	memset(&w, 0, sizeof(w));
	f.source_ohms = RS;
	f.input_ohms = RIN;
	int at = add_contact(&f, "A.T", 0, ROLE_L);
	int bt = add_contact(&f, "B.T", 1, ROLE_L);
	int br = add_contact(&f, "B.R", 1, ROLE_G);
	f.output[f.n_outputs++] = at;
	f.input_pos[f.n_inputs] = bt;
	f.input_neg[f.n_inputs++] = br;
	f.input_pos[f.n_inputs] = br;     /* the same input wired the other way round */
	f.input_neg[f.n_inputs++] = bt;
	f.tie[f.n_ties++] = br;
	f.load[f.n_loads++] = (struct fixture_load){bt, br, 32.0};
	w.c[w.n++] = (struct conductor){at, bt, RW};
	assert_int_equal(fixture_gains(&f, &w, net, g), 0);

	/* B.R carries the 0.01 Ω tie and two input legs; B.T two input legs. */
	double rt = 1.0 / (1.0 / 0.01 + 2.0 / RIN);
	double zbt = 1.0 / (2.0 / RIN + 1.0 / (32.0 + rt));
	double vbt = zbt / (RS + RW + zbt);
	double diff = vbt * 32.0 / (32.0 + rt);
	assert_near(g[0], diff, TOL);
	assert_near(g[1], -diff, TOL);
	network_destroy(net);
}

/* The stereo jig with a CTIA plug in an OMTP-wired socket (G and MIC
 * conductors exchanged): the common point of the earpieces floats and each
 * channel drives both earpieces in series, [½, −½] of the L–R difference. */
static void test_stereo_karaoke(void **state)
{
	struct fixture f;
	struct wiring w;
	double g[4];
	network *net = network_create();
	static const char *const name[4] = {"T", "R1", "R2", "S"};
	static const enum role role[4] = {ROLE_L, ROLE_R, ROLE_MIC, ROLE_G};   /* OMTP */
	char buf[16];

	assert_non_null(net);
	memset(&f, 0, sizeof(f));
	memset(&w, 0, sizeof(w));
	f.source_ohms = 1.0;
	f.input_ohms = 1e7;   /* keep the input legs out of the hand derivation */
	for (unsigned e = 0; e < 2; e++)
		for (unsigned k = 0; k < 4; k++) {
			snprintf(buf, sizeof(buf), "%c.%s", e ? 'B' : 'A', name[k]);
			add_contact(&f, buf, e, role[k]);
		}
	f.output[f.n_outputs++] = 0;
	f.output[f.n_outputs++] = 1;
	f.tie[f.n_ties++] = 3;                                  /* A.S: socket ground */
	f.load[f.n_loads++] = (struct fixture_load){4, 7, 32.0};   /* B.T–B.S */
	f.load[f.n_loads++] = (struct fixture_load){5, 7, 32.0};   /* B.R1–B.S */
	f.input_pos[f.n_inputs] = 4;
	f.input_neg[f.n_inputs++] = 7;
	f.input_pos[f.n_inputs] = 5;
	f.input_neg[f.n_inputs++] = 7;
	w.c[w.n++] = (struct conductor){0, 4, RW};
	w.c[w.n++] = (struct conductor){1, 5, RW};
	w.c[w.n++] = (struct conductor){2, 7, RW};   /* sleeve of the far end reaches only A.R2 */
	w.c[w.n++] = (struct conductor){3, 6, RW};
	assert_int_equal(fixture_gains(&f, &w, net, g), 0);
	double loop = 32.0 / (2.0 * (1.0 + RW + 32.0));
	assert_near(g[0 * 2 + 0], loop, 1e-4);
	assert_near(g[1 * 2 + 0], -loop, 1e-4);
	assert_near(g[0 * 2 + 1], -loop, 1e-4);
	assert_near(g[1 * 2 + 1], loop, 1e-4);

	/* Straight OMTP cable for comparison: each channel reaches its own load. */
	w.c[2].b = 6;
	w.c[3].b = 7;
	assert_int_equal(fixture_gains(&f, &w, net, g), 0);
	assert_true(g[0] > 0.9);
	/* …and leaks into the other one through the shared return (far wire
	 * plus tie, Rg = 0.06 Ω): about -Rg/(loop) · 32/(33.05), i.e. the
	 * crosstalk of docs/architecture.md, ≈ 20·log10(Rg/Rload). */
	double rg = RW + 0.01;
	double xt = -rg / (1.0 + RW + 32.0 + rg) * 32.0 / (1.0 + RW + 32.0);
	assert_near(g[1 * 2 + 0], xt, 0.05 * fabs(xt));
	network_destroy(net);
}

static void test_bad_args(void **state)
{
	struct fixture f;
	struct wiring w;
	double g[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];
	network *net = network_create();

	assert_non_null(net);
	per_contact_jig(&f, &w);
	assert_int_equal(fixture_gains(NULL, &w, net, g), -EINVAL);
	assert_int_equal(fixture_gains(&f, NULL, net, g), -EINVAL);
	assert_int_equal(fixture_gains(&f, &w, NULL, g), -EINVAL);
	assert_int_equal(fixture_gains(&f, &w, net, NULL), -EINVAL);

	per_contact_jig(&f, &w);
	f.output[2] = 8;
	assert_int_equal(fixture_gains(&f, &w, net, g), -EINVAL);
	per_contact_jig(&f, &w);
	f.input_neg[1] = 9;
	assert_int_equal(fixture_gains(&f, &w, net, g), -EINVAL);
	per_contact_jig(&f, &w);
	w.c[0].b = -1;
	assert_int_equal(fixture_gains(&f, &w, net, g), -EINVAL);
	per_contact_jig(&f, &w);
	w.c[0].ohms = -1.0;
	assert_int_equal(fixture_gains(&f, &w, net, g), -EINVAL);
	per_contact_jig(&f, &w);
	w.c[0].b = w.c[0].a;
	assert_int_equal(fixture_gains(&f, &w, net, g), -EINVAL);
	per_contact_jig(&f, &w);
	f.source_ohms = 0.0;
	assert_int_equal(fixture_gains(&f, &w, net, g), -EINVAL);
	per_contact_jig(&f, &w);
	f.n_contacts = FIXTURE_MAX_CONTACTS + 1;
	assert_int_equal(fixture_gains(&f, &w, net, g), -EINVAL);
	per_contact_jig(&f, &w);
	f.load[f.n_loads++] = (struct fixture_load){0, 99, 32.0};
	assert_int_equal(fixture_gains(&f, &w, net, g), -EINVAL);

	/* The largest fixture the header allows (every table full, every input
	 * differential) must fit the network's tables: a jig that loads is
	 * never refused by the solver. */
	per_contact_jig(&f, &w);
	while (w.n < WIRING_MAX)
		w.c[w.n++] = (struct conductor){0, 4, 1.0};
	while (f.n_loads < FIXTURE_MAX_LOADS)
		f.load[f.n_loads++] = (struct fixture_load){0, -1, 1000.0};
	while (f.n_ties < FIXTURE_MAX_TIES)
		f.tie[f.n_ties++] = 6;
	while (f.n_outputs < FIXTURE_MAX_CHANNELS)
		f.output[f.n_outputs++] = 1;
	for (unsigned i = 0; i < FIXTURE_MAX_CHANNELS; i++) {
		f.input_pos[i] = 4 + (int)(i % 4);
		f.input_neg[i] = 4 + (int)((i + 1) % 4);
	}
	f.n_inputs = FIXTURE_MAX_CHANNELS;
	assert_int_equal(fixture_gains(&f, &w, net, g + 0), 0);
	network_destroy(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_names),
		cmocka_unit_test(test_find_contact),
		cmocka_unit_test(test_straight_per_contact),
		cmocka_unit_test(test_swap_and_open),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_stereo_karaoke),
		cmocka_unit_test(test_bad_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
