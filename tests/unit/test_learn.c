/* learn: a sample's wire list and resistances from a per-contact jig's gains, worked out by the
 * independent nodal oracle of classify_corpus.c; what learn_sample_of refuses; which jigs can learn. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "classify_corpus.h"
#include "session.h"

#define RS 100.0
#define RIN 10000.0

/* The shipped jig with the ends in it, as learn sees it. */
static void station(const char *jig, const char *a, const char *b, struct station_cable *sc, int want)
{
	static struct tw_jig j;
	struct profiles p;
	char err[LEARN_ERR_MAX];
	setenv("TONEWIRE_PROFILES", TONEWIRE_SOURCE_DIR "/profiles", 1);
	profiles_init(&p, NULL);
	assert_int_equal(profiles_load_jig(&p, jig, &j, err), 0);
	int e = learn_station(&p, &j, a, b, sc, err);
	if (e != want)
		fail_msg("learn_station(%s): %d, %s", jig, e, err);
}

static int contact(const struct fixture *f, const char *name)
{
	int c = fixture_find_contact(f, name);
	assert_true(c >= 0);
	return c;
}

/* The oracle's gains of truth on sc, as an analysis with noise snr_db below each tone. */
static void measured(const struct station_cable *sc, const struct wiring *truth, double snr_db, uint64_t seed,
                    struct analysis *an)
{
	static struct jig j;
	double g[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];
	struct rng r = { seed };
	memset(&j, 0, sizeof(j));
	j.f = sc->fx;
	j.expected = *truth;
	assert_int_equal(corpus_finish(&j), 0);
	assert_int_equal(oracle_gains(&j.f, truth, g), 0);
	corpus_synth_gains(&j, g, snr_db, &r, an);
}

static struct wiring wires(const struct fixture *f, const char *const (*w)[2], const double *ohms, unsigned n)
{
	struct wiring out = { .n = n };
	for (unsigned k = 0; k < n; k++)
		out.c[k] = (struct conductor){ contact(f, w[k][0]), contact(f, w[k][1]), ohms[k] };
	return out;
}

static const struct learn_wire *find_wire(const struct learn_sample *s, int a, int b)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->w[i].a == a && s->w[i].b == b)
			return &s->w[i];
	return NULL;
}

/* A TRS to two IEM plugs: the sleeve splits to both earpieces' returns; one conductor of 1.5 kΩ.
 * The wire list is the truth's; each resistance within 4 σ of the truth; σ is the closed form
 * of one conductor into a single-ended input, σ_g / |dg/dR| with g = Rin / (Rs + R + Rin). */
static void test_wire_list_and_resistances(void **state)
{
	static struct station_cable sc;
	static const char *const w[4][2] = {
		{ "A.T", "B.left.+" }, { "A.R", "B.right.+" }, { "A.S", "B.left.-" }, { "A.S", "B.right.-" } };
	static const double ohms[4] = { 0.3, 1500.0, 0.2, 0.2 };
	struct learn_sample s;
	struct analysis an;
	char err[LEARN_ERR_MAX];
	(void)state;

	station("octo-trs-2pin", "trs-3.5", "left:2pin-0.78 right:2pin-0.78", &sc, 0);
	struct wiring truth = wires(&sc.fx, w, ohms, 4);
	measured(&sc, &truth, 80.0, 1, &an);
	assert_int_equal(learn_sample_of(&sc.fx, &an, 0.02, &s, err), 0);
	assert_int_equal(s.n, 4);
	for (unsigned k = 0; k < 4; k++) {
		const struct learn_wire *lw = find_wire(&s, truth.c[k].a, truth.c[k].b);
		if (!lw)
			fail_msg("%s -> %s not learned", w[k][0], w[k][1]);
		assert_true(lw->sigma > 0 && isfinite(lw->sigma));
		if (fabs(lw->ohms - ohms[k]) > 4.0 * lw->sigma + 1e-3)
			fail_msg("%s: %.4f ohm, truth %.4f, sigma %.4f", w[k][0], lw->ohms, ohms[k], lw->sigma);
	}
	/* The resistive conductor alone: the closed form of its gain and slope. */
	const struct learn_wire *r = find_wire(&s, contact(&sc.fx, "A.R"), contact(&sc.fx, "B.right.+"));
	double g = RIN / (RS + 1500.0 + RIN), slope = RIN / pow(RS + 1500.0 + RIN, 2);
	/* The synth's noise: complex, its rms 80 dB below the tone's strongest gain (this conductor's
	 * own), half its power in the real part the fit reads. */
	double noise = g * pow(10.0, -80.0 / 20.0) * M_SQRT1_2;
	assert_true(fabs(r->gain - g) < 5 * noise);
	assert_true(fabs(r->sigma - noise / slope) < 0.05 * noise / slope);
	/* Its level against a 0.05 Ω conductor, in closed form. */
	assert_true(fabs(r->level_db - 20.0 * log10(g / (RIN / (RS + 0.05 + RIN)))) < 0.01);
	/* The model tolerance leaves 2 % of the gain unknown: that much more R, in the same slope. */
	assert_true(fabs(r->model_sigma - 0.02 * r->gain / slope) < 0.05 * r->model_sigma);
}

/* σ says what it claims: over many noisy measurements, about 95 % of the fits fall within 2 σ. */
static void test_sigma_is_honest(void **state)
{
	static struct station_cable sc;
	static const char *const w[3][2] = { { "A.T", "B.T" }, { "A.R", "B.R" }, { "A.S", "B.S" } };
	static const double ohms[3] = { 100.0, 0.05, 0.05 };
	unsigned inside = 0, inside1 = 0, runs = 400;
	char err[LEARN_ERR_MAX];
	(void)state;

	station("octo-trs-3.5", "trs-3.5", "trs-3.5", &sc, 0);
	struct wiring truth = wires(&sc.fx, w, ohms, 3);
	for (unsigned k = 0; k < runs; k++) {
		struct learn_sample s;
		struct analysis an;
		measured(&sc, &truth, 70.0, 100 + k, &an);
		assert_int_equal(learn_sample_of(&sc.fx, &an, 0.02, &s, err), 0);
		const struct learn_wire *t = find_wire(&s, truth.c[0].a, truth.c[0].b);
		assert_non_null(t);
		inside += fabs(t->ohms - 100.0) <= 2.0 * t->sigma;
		inside1 += fabs(t->ohms - 100.0) <= t->sigma;
	}
	print_message("within 1 sigma: %u, within 2 sigma: %u of %u\n", inside1, inside, runs);
	/* 95.4 % within 2 σ and 68.3 % within 1 σ expected; the bounds are 4 binomial standard
	 * deviations away (σ 1.5 times too large or too small falls outside the second pair). */
	assert_true(inside >= 0.92 * runs);
	assert_true(inside1 >= 0.59 * runs && inside1 <= 0.78 * runs);
}

/* Two drivers' returns joined on one sleeve (HD 600): a net of two near contacts and one far
 * contact is learned as the two conductors into that contact. */
static void test_joined_near_contacts(void **state)
{
	static struct station_cable sc;
	static const char *const w[4][2] = { { "A.left.SMALL", "B.T" }, { "A.right.SMALL", "B.R" },
	                                     { "A.left.LARGE", "B.S" }, { "A.right.LARGE", "B.S" } };
	static const double ohms[4] = { 0.05, 0.05, 0.05, 0.05 };
	struct learn_sample s;
	struct analysis an;
	char err[LEARN_ERR_MAX];
	(void)state;

	station("octo-hd-6.35", "left:sennheiser-hd right:sennheiser-hd", "trs-6.35", &sc, 0);
	struct wiring truth = wires(&sc.fx, w, ohms, 4);
	measured(&sc, &truth, 70.0, 7, &an);
	assert_int_equal(learn_sample_of(&sc.fx, &an, 0.02, &s, err), 0);
	assert_int_equal(s.n, 4);
	for (unsigned k = 0; k < 4; k++)
		assert_non_null(find_wire(&s, truth.c[k].a, truth.c[k].b));
	/* Each of the joined pair drives its sleeve through the other output's source: ~1/2. */
	const struct learn_wire *lw = find_wire(&s, truth.c[2].a, truth.c[2].b);
	assert_true(fabs(lw->gain - 0.5) < 0.02);
	assert_true(lw->ohms < 4.0 * lw->sigma + 0.01);
}

/* What cannot be learned: nothing in the jig, a tone turned over, a net whose contacts do not all
 * reach each other (not plain conductors). */
static void test_refused_samples(void **state)
{
	static struct station_cable sc;
	struct learn_sample s;
	struct analysis an;
	char err[LEARN_ERR_MAX];
	(void)state;

	station("octo-trs-3.5", "trs-3.5", "trs-3.5", &sc, 0);
	struct wiring none = { 0 };
	measured(&sc, &none, 70.0, 3, &an);
	assert_int_equal(learn_sample_of(&sc.fx, &an, 0.02, &s, err), -ENODATA);
	assert_non_null(strstr(err, "no tone reached"));

	memset(&an, 0, sizeof(an));
	an.n_inputs = 3;
	an.n_tones = 3;
	for (unsigned k = 0; k < 3; k++)
		for (unsigned o = 0; o < 3; o++)
			an.h[k][o].snr_db = 60.0;
	an.h[0][0].re = -0.99;   /* B.T reads A.T's tone upside down */
	assert_int_equal(learn_sample_of(&sc.fx, &an, 0.02, &s, err), -EINVAL);
	assert_non_null(strstr(err, "inverted"));

	an.h[0][0].re = 0.99;    /* A.T - B.T, A.R - B.T and A.R - B.R, but not A.T - B.R */
	an.h[0][1].re = 0.5;
	an.h[1][1].re = 0.5;
	assert_int_equal(learn_sample_of(&sc.fx, &an, 0.02, &s, err), -EINVAL);
	assert_non_null(strstr(err, "not plain conductors"));
}

/* Only a jig that sees every conductor on its own can learn: the stereo jig (a tie, loads,
 * differential inputs) is refused naming them; a socket that does not take the ends too. */
static void test_which_jigs_learn(void **state)
{
	static struct station_cable sc;
	struct profiles p;
	static struct tw_jig j;
	char err[LEARN_ERR_MAX];
	(void)state;

	setenv("TONEWIRE_PROFILES", TONEWIRE_SOURCE_DIR "/profiles", 1);
	profiles_init(&p, NULL);
	assert_int_equal(profiles_load_jig(&p, "stereo-trs", &j, err), 0);
	assert_int_equal(learn_station(&p, &j, "trs-3.5", "trs-3.5", &sc, err), -EINVAL);
	assert_non_null(strstr(err, "jig 'stereo-trs' cannot learn a cable"));
	assert_non_null(strstr(err, "A.S is tied to ground"));
	assert_non_null(strstr(err, "a load joins B.T and B.S"));
	assert_int_equal(profiles_load_jig(&p, "octo-trs-3.5", &j, err), 0);
	assert_int_equal(learn_station(&p, &j, "xlr3", "trs-3.5", &sc, err), -EINVAL);
	assert_non_null(strstr(err, "does not fit"));
	assert_int_equal(learn_station(&p, &j, "no-such-plug", "trs-3.5", &sc, err), -ENOENT);
	/* Every shipped per-contact jig learns its own sockets. */
	station("octo-dual-xlr3-xlr4", "left:xlr3-headphone right:xlr3-headphone", "xlr4", &sc, 0);
	station("trrrs-5ch", "trrrs-4.4", "trrrs-4.4", &sc, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_list_and_resistances),
		cmocka_unit_test(test_sigma_is_honest),
		cmocka_unit_test(test_joined_near_contacts),
		cmocka_unit_test(test_refused_samples),
		cmocka_unit_test(test_which_jigs_learn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
