/* Every shipped cable profile, in a shipped jig it fits: the good cable passes, and every single
 * and double fault the jig can observe fails with its faults named, never a false pass (30 dB SNR). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_shipped_cable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
