/* Tests of the hands-free trigger: a full insertion fires once after the debounce, a partial one never
 * does, a bouncing plug must settle first, and the station waits for removal before it re-arms. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "oracle.h"
#include "profiles.h"
#include "trigger.h"

#define RATE 48000
#define CHUNK 256                       /* frames per feed: one ALSA period */
#define MS(f) ((double)(f) * 1000.0 / RATE)

enum plug { OUT = 0, IN, HALF };

struct rig {
	struct tw_jig jig;
	struct tw_cable cable;
	struct fixture fx;
	struct toneplan plan;
	double g[3][FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];   /* gains for OUT, IN, HALF */
	trigger *t;
	uint64_t pos;                       /* frames fed so far */
	uint64_t noise;
};

/* The stereo TRS jig with a good cable in, out, or half in (the ring wire
 * not making contact), its gains from the tests' own nodal solver
 * (tests/unit/oracle.c), not from the model the station uses. */
static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct profiles p;
	struct wiring w, half;
	char err[PROFILE_ERR_MAX];

	assert_non_null(r);
	setenv("TONEWIRE_PROFILES", TONEWIRE_SOURCE_DIR "/profiles", 1);
	profiles_init(&p, NULL);
	assert_int_equal(profiles_load_jig(&p, "stereo-trs", &r->jig, err), 0);
	assert_int_equal(profiles_load_cable(&p, "trs-3.5-extension", &r->cable, err), 0);
	assert_int_equal(profiles_fixture(&r->jig, &r->cable, &r->fx, &w, err), 0);
	int ring = fixture_find_contact(&r->fx, "A.R");
	assert_true(ring >= 0);
	half.n = 0;
	for (unsigned i = 0; i < w.n; i++)
		if (w.c[i].a != ring && w.c[i].b != ring)
			half.c[half.n++] = w.c[i];
	assert_int_equal(half.n, w.n - 1);
	assert_int_equal(oracle_gains(&r->fx, &w, r->g[IN]), 0);
	assert_int_equal(oracle_gains(&r->fx, &half, r->g[HALF]), 0);
	assert_int_equal(toneplan_make(&r->plan, r->fx.n_outputs, RATE, toneplan_default_window(RATE)), 0);
	struct trigger_setup ts = { .plan = &r->plan, .fx = &r->fx, .expected = r->g[IN], .debounce_ms = 300 };
	r->t = trigger_create(&ts);
	assert_non_null(r->t);
	trigger_begin(r->t);
	r->noise = 0x853c49e6748fea9bull;
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct rig *r = *state;
	trigger_destroy(r->t);
	free(r);
	return 0;
}

static double noise(struct rig *r)
{
	r->noise ^= r->noise << 13;
	r->noise ^= r->noise >> 7;
	r->noise ^= r->noise << 17;
	return ((double)(r->noise >> 11) / 9007199254740992.0 - 0.5) * 2e-5;
}

/* Feed ms of the pilot through the cable in state `plug` (what plug(t)
 * says for each chunk when plug_at is given). Returns the time (ms, from
 * the start of the stream) of the first chunk after which the trigger
 * fired, or -1. */
static double run(struct rig *r, double ms, enum plug (*plug_at)(double t_ms), enum plug plug)
{
	float out[CHUNK * FIXTURE_MAX_CHANNELS], in[CHUNK * FIXTURE_MAX_CHANNELS];
	unsigned no = r->fx.n_outputs, ni = r->fx.n_inputs;
	double fired = -1;
	uint64_t end = r->pos + (uint64_t)(ms * RATE / 1000.0);

	while (r->pos < end) {
		enum plug s = plug_at ? plug_at(MS(r->pos)) : plug;
		trigger_render(r->t, out, CHUNK);
		for (unsigned f = 0; f < CHUNK; f++)
			for (unsigned i = 0; i < ni; i++) {
				double y = noise(r);
				for (unsigned o = 0; s != OUT && o < no; o++)
					y += r->g[s][i * no + o] * out[f * no + o];
				in[f * ni + i] = (float)y;
			}
		r->pos += CHUNK;
		if (trigger_feed(r->t, in, CHUNK) && fired < 0)
			fired = MS(r->pos);
	}
	return fired;
}

static const char *state_of(struct rig *r)
{
	static char buf[32];
	json_t *st = json_object();
	trigger_status(r->t, st);
	snprintf(buf, sizeof(buf), "%s", json_string_value(json_object_get(st, "trigger_state")) ?: "?");
	json_decref(st);
	return buf;
}

static enum plug in_at_400(double t) { return t >= 400 ? IN : OUT; }

static void test_full_insertion_fires_after_the_debounce(void **state)
{
	struct rig *r = *state;
	double fired = run(r, 1500, in_at_400, OUT);
	/* 300 ms of debounce, plus up to a pilot window or two to see it */
	assert_true(fired >= 700);
	assert_true(fired <= 800);
	trigger_testing(r->t);
	assert_string_equal(state_of(r), "testing");
}

static void test_nothing_in_never_fires(void **state)
{
	struct rig *r = *state;
	assert_true(run(r, 2000, NULL, OUT) < 0);
	assert_string_equal(state_of(r), "armed");
}

static void test_half_in_asks_to_insert_fully(void **state)
{
	struct rig *r = *state;
	assert_true(run(r, 3000, NULL, HALF) < 0);
	assert_string_equal(state_of(r), "insert_fully");
	json_t *st = json_object();
	trigger_status(r->t, st);
	char *missing = json_dumps(json_object_get(st, "missing"), JSON_COMPACT);
	assert_non_null(strstr(missing, "R"));     /* the ring's path is the one missing */
	free(missing);
	json_decref(st);
	/* pushed in fully, it is tested */
	assert_true(run(r, 1000, NULL, IN) >= 0);
}

/* In and out every 50 ms from 300 to 800 ms, then in to stay. */
static enum plug bouncing(double t)
{
	if (t < 300)
		return OUT;
	if (t < 800)
		return ((int)((t - 300) / 50)) % 2 ? OUT : IN;
	return IN;
}

static void test_bouncing_plug_settles_first(void **state)
{
	struct rig *r = *state;
	double fired = run(r, 2000, bouncing, OUT);
	assert_true(fired >= 800 + 300);
	assert_true(fired <= 800 + 300 + 100);
}

static void test_waits_for_removal_before_rearming(void **state)
{
	struct rig *r = *state;
	assert_true(run(r, 1000, NULL, IN) >= 0);
	trigger_testing(r->t);
	trigger_tested(r->t);
	/* still in: no second test of the same cable */
	assert_true(run(r, 1500, NULL, IN) < 0);
	assert_string_equal(state_of(r), "waiting_removal");
	/* out long enough: armed again; in again: tested again */
	assert_true(run(r, 600, NULL, OUT) < 0);
	assert_string_equal(state_of(r), "armed");
	assert_true(run(r, 1000, NULL, IN) >= 0);
}

static void test_serial_is_used_once(void **state)
{
	struct rig *r = *state;
	char buf[TRIGGER_SERIAL_MAX + 1], longer[TRIGGER_SERIAL_MAX + 8];
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(trigger_set_serial(r->t, longer), -EINVAL);
	assert_int_equal(trigger_set_serial(r->t, "SN-7"), 0);
	assert_int_equal(trigger_take_serial(r->t, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "SN-7");
	assert_int_equal(trigger_take_serial(r->t, buf, sizeof(buf)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_insertion_fires_after_the_debounce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_in_never_fires, setup, teardown),
		cmocka_unit_test_setup_teardown(test_half_in_asks_to_insert_fully, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bouncing_plug_settles_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waits_for_removal_before_rearming, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serial_is_used_once, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
