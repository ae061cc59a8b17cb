/* Every shipped cable profile, in a shipped jig it fits: the good cable passes, and every single
 * and double fault the jig can observe fails with its faults named, never a false pass (30 dB SNR);
 * and cables whose names depend on the profiles' roles and plug labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "classify_corpus.h"
#include "profiles.h"

#define MAX_NAMES 256

/* Same plugs, by connector name: a jig whose sockets really take the cable
 * (fitting checks contact names only, which an RCA and an MMCX share). */
static int same_plugs(const struct tw_end *socket, const struct tw_end *end)
{
	if (socket->n_plugs != end->n_plugs)
		return 0;
	for (unsigned i = 0; i < end->n_plugs; i++)
		if (strcmp(socket->plug[i].name, end->plug[i].name) != 0)
			return 0;
	return 1;
}

/* The first shipped jig (in name order) made for the cable's plugs, else
 * the first one it fits. */
static int jig_for(const struct profiles *p, const struct tw_cable *cable, struct jig *j,
                   char (*jigs)[PROFILE_NAME_MAX], unsigned n_jigs)
{
	static struct tw_jig tj;
	char err[PROFILE_ERR_MAX];
	for (unsigned pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < n_jigs; i++) {
			if (profiles_load_jig(p, jigs[i], &tj, err) < 0)
				continue;
			if (pass == 0 && !(same_plugs(&tj.socket_a, &cable->a) && same_plugs(&tj.socket_b, &cable->b)))
				continue;
			memset(j, 0, sizeof(*j));
			if (profiles_fixture(&tj, cable, &j->f, &j->expected, err) < 0)
				continue;
			snprintf(j->name, sizeof(j->name), "%s", jigs[i]);
			assert_int_equal(corpus_finish(j), 0);
			return 0;
		}
	}
	return -1;
}

static void test_every_shipped_cable(void **state)
{
	struct profiles p;
	char (*cables)[PROFILE_NAME_MAX] = calloc(MAX_NAMES, sizeof(*cables));
	char (*jigs)[PROFILE_NAME_MAX] = calloc(MAX_NAMES, sizeof(*jigs));
	struct tw_cable *cable = calloc(1, sizeof(*cable));
	struct jig *j = calloc(1, sizeof(*j));
	char err[PROFILE_ERR_MAX];
	unsigned total_observable = 0;
	(void)state;

	assert_non_null(cables);
	assert_non_null(jigs);
	assert_non_null(cable);
	assert_non_null(j);
	setenv("TONEWIRE_PROFILES", TONEWIRE_SOURCE_DIR "/profiles", 1);
	profiles_init(&p, NULL);
	unsigned n_cables = profiles_list(&p, PROFILE_CABLE, cables, MAX_NAMES);
	unsigned n_jigs = profiles_list(&p, PROFILE_JIG, jigs, MAX_NAMES);
	assert_true(n_cables >= 15);
	for (unsigned c = 0; c < n_cables; c++) {
		struct corpus_stats st = { 0 };
		unsigned pass = 0, error = 0, fail = 0;
		assert_int_equal(profiles_load_cable(&p, cables[c], cable, err), 0);
		if (jig_for(&p, cable, j, jigs, n_jigs) < 0)
			fail_msg("cable %s fits no shipped jig", cables[c]);
		assert_int_equal(corpus_good(j, 30.0, 1000 + c, 20, &pass, &error, &fail), 0);
		/* TW_CORPUS_LOG=1 lists every case not named exactly (twins, errors, wrong). */
		assert_int_equal(corpus_run(j, 30.0, 2000 + c, &st, getenv("TW_CORPUS_LOG") ? stdout : NULL, NULL, 0), 0);
		print_message("%-28s on %-18s good %2u/20 pass; faults: %4u observable, %4u exact, %3u aliased, "
		              "%3u low_snr, %u wrong, %u false pass\n", cables[c], j->name, pass, st.observable,
		              st.exact, st.aliased, st.errors, st.wrong, st.false_pass);
		/* A good cable is never failed, and not left undecided at 30 dB. */
		assert_int_equal(fail, 0);
		assert_true(pass >= 19);
		/* A bad one is never passed, nor named as something it is not. */
		assert_int_equal(st.false_pass, 0);
		assert_int_equal(st.wrong, 0);
		assert_true(st.observable > 0);
		total_observable += st.observable;
	}
	assert_true(total_observable > 100);
	free(cables);
	free(jigs);
	free(cable);
	free(j);
}

/* ---- cables written for these tests ---- */

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Cable and jig by name (shipped) or by file name in tmpdir. */
static void load(const char *cable_name, const char *jig_name, struct jig *j)
{
	static struct tw_cable cable;
	static struct tw_jig tj;
	struct profiles p;
	char err[PROFILE_ERR_MAX], cpath[128], jpath[128];

	setenv("TONEWIRE_PROFILES", TONEWIRE_SOURCE_DIR "/profiles", 1);
	profiles_init(&p, NULL);
	snprintf(cpath, sizeof(cpath), "%s/%s", tmpdir, cable_name);
	snprintf(jpath, sizeof(jpath), "%s/%s", tmpdir, jig_name);
	const char *cn = strstr(cable_name, ".conf") ? cpath : cable_name, *jn = strstr(jig_name, ".conf") ? jpath : jig_name;
	if (profiles_load_cable(&p, cn, &cable, err) < 0 || profiles_load_jig(&p, jn, &tj, err) < 0)
		fail_msg("%s", err);
	memset(j, 0, sizeof(*j));
	if (profiles_fixture(&tj, &cable, &j->f, &j->expected, err) < 0)
		fail_msg("%s", err);
	assert_int_equal(corpus_finish(j), 0);
}

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tw-classify-profiles-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	static const char *const files[] = {"mono-xlr3.conf", "jig-mono-xlr3.conf", "dual-xlr3-xlr4.conf",
	                                    "jig-dual-xlr3.conf"};
	char path[128];
	for (unsigned k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[k]);
		unlink(path);
	}
	return rmdir(tmpdir);
}

static struct classification *classify(const struct jig *j, const struct wiring *truth, uint64_t seed)
{
	static struct classification out;
	struct analysis an;
	struct rng r = {seed};
	classifier *c = classifier_create(&j->f, &j->expected, NULL);
	assert_non_null(c);
	corpus_synth(j, truth, 40.0, &r, &an);
	assert_int_equal(classifier_run(c, &an, &out), 0);
	classifier_destroy(c);
	return &out;
}

/* The good cable with the far ends of the conductors from near contacts
 * x and y exchanged (and of u and v, when given). */
static struct wiring exchanged(const struct jig *j, const char *x, const char *y, const char *u, const char *v)
{
	struct wiring w = j->expected;
	const char *pairs[2][2] = {{x, y}, {u, v}};
	for (unsigned k = 0; k < 2 && pairs[k][0]; k++) {
		int a = corpus_conductor(j, pairs[k][0]), b = corpus_conductor(j, pairs[k][1]);
		assert_true(a >= 0 && b >= 0);
		int t = w.c[a].b;
		w.c[a].b = w.c[b].b;
		w.c[b].b = t;
	}
	return w;
}

static void describe_one(const struct jig *j, const struct classification *cl, enum fault_code code, char *text)
{
	assert_int_equal(cl->verdict, VERDICT_FAIL);
	assert_int_equal(cl->n_faults, 1);
	assert_int_equal(cl->fault[0].code, code);
	assert_int_equal(classify_describe(&j->f, &cl->fault[0], text, 512), 0);
}

/* A balanced-mono TRS (T + , R −, S shield) to an XLR3 (1 ground, 2 +,
 * 3 −): the shield meets pin 1, since SHIELD and G are one ground for
 * matching. A cable built that way, measured per contact, passes (before,
 * the sleeve's conductor was not expected and it failed as unrecognized). */
static void test_balanced_mono_to_xlr3(void **state)
{
	struct jig j;
	write_file("mono-xlr3.conf", "[cable]\nend_a = trs-balanced-mono\nend_b = xlr3\n");
	write_file("jig-mono-xlr3.conf", "[jig]\nsocket_a = trs-balanced-mono\nsocket_b = xlr3\nsource_ohms = 100\n"
	                                 "input_ohms = 10000\n[outputs]\n1 = A.T\n2 = A.R\n3 = A.S\n"
	                                 "[inputs]\n1 = B.1\n2 = B.2\n3 = B.3\n");
	load("mono-xlr3.conf", "jig-mono-xlr3.conf", &j);
	assert_int_equal(j.expected.n, 3);
	assert_true(corpus_conductor(&j, "A.S") >= 0);
	assert_int_equal(j.expected.c[corpus_conductor(&j, "A.S")].b, fixture_find_contact(&j.f, "B.1"));
	struct wiring built = {0};
	static const char *const wires[3][2] = {{"A.T", "B.2"}, {"A.R", "B.3"}, {"A.S", "B.1"}};
	for (unsigned k = 0; k < 3; k++)
		built.c[built.n++] = (struct conductor){fixture_find_contact(&j.f, wires[k][0]),
		                                        fixture_find_contact(&j.f, wires[k][1]), 0.05};
	assert_int_equal(classify(&j, &built, 1)->verdict, VERDICT_PASS);
	char text[512];
	struct wiring w = exchanged(&j, "A.T", "A.R", NULL, NULL);
	describe_one(&j, classify(&j, &w, 2), FAULT_POLARITY_INVERTED, text);
	assert_string_equal(text, "+ and \xE2\x88\x92 are swapped (A.T \xE2\x86\x94 A.R): signal polarity inverted");
}

/* Two XLR3 plugs, one per channel (pin 2 hot, pin 3 cold, pin 1 not
 * connected), to an XLR4: the plug labels are the channels. Left and
 * right exchanged on both pins is one L/R swap naming all four contacts;
 * one plug's pins exchanged is that plug's polarity. */
static void test_dual_xlr3_to_xlr4(void **state)
{
	struct jig j;
	char text[512];
	write_file("dual-xlr3-xlr4.conf", "[cable]\nend_a = left:xlr3 right:xlr3\nend_b = xlr4\n");
	write_file("jig-dual-xlr3.conf", "[jig]\nsocket_a = left:xlr3 right:xlr3\nsocket_b = xlr4\nsource_ohms = 100\n"
	                                 "input_ohms = 10000\n[outputs]\n1 = A.left.2\n2 = A.left.3\n"
	                                 "3 = A.right.2\n4 = A.right.3\n[inputs]\n1 = B.1\n2 = B.2\n3 = B.3\n4 = B.4\n");
	load("dual-xlr3-xlr4.conf", "jig-dual-xlr3.conf", &j);
	assert_int_equal(j.expected.n, 4);
	struct classification *cl = classify(&j, &j.expected, 3);
	assert_int_equal(cl->verdict, VERDICT_PASS);
	assert_int_equal(cl->n_channels, 2);
	assert_string_equal(cl->channel[0].name, "L");
	assert_string_equal(cl->channel[1].name, "R");

	struct wiring w = exchanged(&j, "A.left.2", "A.right.2", "A.left.3", "A.right.3");
	describe_one(&j, classify(&j, &w, 4), FAULT_LR_SWAP, text);
	assert_string_equal(text, "Left and right plugs are swapped, both legs (A.left.2 \xE2\x86\x94 A.right.2, "
	                          "A.left.3 \xE2\x86\x94 A.right.3)");
	w = exchanged(&j, "A.right.2", "A.right.3", NULL, NULL);
	describe_one(&j, classify(&j, &w, 5), FAULT_POLARITY_INVERTED, text);
	assert_string_equal(text, "Right plug: polarity inverted (its + and \xE2\x88\x92 are swapped: A.right.2 "
	                          "\xE2\x86\x94 A.right.3)");
}

/* The shipped HiFiMan cable (two TS cup plugs to an XLR4): the cups'
 * plugs exchanged is one L/R swap of the earpieces. */
static void test_hifiman_ts_to_xlr4(void **state)
{
	struct jig j;
	char text[512];
	load("hifiman-2.5-ts-to-xlr4", "octo-ts-2.5-xlr4", &j);
	struct wiring w = exchanged(&j, "A.left.T", "A.right.T", "A.left.S", "A.right.S");
	struct classification *cl = classify(&j, &w, 6);
	describe_one(&j, cl, FAULT_LR_SWAP, text);
	assert_int_equal(cl->fault[0].n_contacts, 4);
	assert_non_null(strstr(text, "Left and right earpieces are swapped, both legs"));
	w = exchanged(&j, "A.left.T", "A.left.S", NULL, NULL);
	describe_one(&j, classify(&j, &w, 7), FAULT_POLARITY_INVERTED, text);
	assert_true(strncmp(text, "Left earpiece: polarity inverted", 32) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_shipped_cable),
		cmocka_unit_test(test_balanced_mono_to_xlr3),
		cmocka_unit_test(test_dual_xlr3_to_xlr4),
		cmocka_unit_test(test_hifiman_ts_to_xlr4),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
