/* Unit tests of what the classifier says: names by plug label and role, one fault per cause, honest ambiguity, channels where the wiring puts them, a jig that does not fit. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "classify.h"
#include "classify_corpus.h"

/* A conductor from a near contact to a far one, a good cable's every
 * other one kept: the gains that follow come from the corpus oracle (a
 * nodal solver written apart from dsp/), and the levels asserted from
 * the closed forms in each test's comment. */
#define SNR_DB 40.0
/* Per-contact jigs: a driven near contact reaches a far input through a
 * conductor: 10 kΩ / (10 kΩ + 100 Ω) = 0.990 of the source. */
#define PER_CONTACT_GAIN (10000.0 / 10100.0)

static void run(const struct jig *j, const struct wiring *truth, uint64_t seed, struct classification *out)
{
	struct analysis an;
	struct rng r = {seed};
	classifier *c = classifier_create(&j->f, &j->expected, NULL);
	assert_non_null(c);
	corpus_synth(j, truth, SNR_DB, &r, &an);
	assert_int_equal(classifier_run(c, &an, out), 0);
	classifier_destroy(c);
}

/* The good cable with the far ends of the conductors from near contacts
 * x and y exchanged. */
static struct wiring swapped(const struct jig *j, const char *x, const char *y)
{
	struct wiring w = j->expected;
	int a = corpus_conductor(j, x), b = corpus_conductor(j, y);
	assert_true(a >= 0 && b >= 0);
	int t = w.c[a].b;
	w.c[a].b = w.c[b].b;
	w.c[b].b = t;
	return w;
}

static int contact(const struct jig *j, const char *name)
{
	int c = fixture_find_contact(&j->f, name);
	assert_true(c >= 0);
	return c;
}

static int names(const struct jig *j, const struct fault *ft, const char *name)
{
	int c = contact(j, name);
	for (unsigned k = 0; k < ft->n_contacts; k++)
		if (ft->contacts[k] == c)
			return 1;
	return 0;
}

static const struct channel_view *chan(const struct classification *cl, const char *name)
{
	for (unsigned k = 0; k < cl->n_channels; k++)
		if (strcmp(cl->channel[k].name, name) == 0)
			return &cl->channel[k];
	fail_msg("no channel %s", name);
	return NULL;
}

static void text_of(const struct jig *j, const struct fault *ft, char *buf, unsigned len)
{
	assert_int_equal(classify_describe(&j->f, ft, buf, len), 0);
}

/* Exactly one fault, of this code. */
static const struct fault *one(const struct classification *cl, enum fault_code code)
{
	assert_int_equal(cl->verdict, VERDICT_FAIL);
	if (cl->n_faults != 1 || cl->fault[0].code != code)
		fail_msg("want one %s, got %u faults, first %s", fault_code_name(code), cl->n_faults,
		         cl->n_faults ? fault_code_name(cl->fault[0].code) : "-");
	return &cl->fault[0];
}

/* ---- jigs ---- */

/* An HD 600 style cable: a plug per driver at the near end (+ and −,
 * labelled left and right), a 6.35 mm TRS at the far end whose sleeve
 * takes both drivers' −; every contact driven or sensed on its own. */
static void hd600_jig(struct jig *j)
{
	static const char *const near[4] = {"A.left.+", "A.left.-", "A.right.+", "A.right.-"};
	memset(j, 0, sizeof(*j));
	j->f.source_ohms = 100.0;
	j->f.input_ohms = 10000.0;
	corpus_contact(j, near[0], 0, "left", ROLE_P);
	corpus_contact(j, near[1], 0, "left", ROLE_N);
	corpus_contact(j, near[2], 0, "right", ROLE_P);
	corpus_contact(j, near[3], 0, "right", ROLE_N);
	corpus_contact(j, "B.T", 1, "", ROLE_L);
	corpus_contact(j, "B.R", 1, "", ROLE_R);
	corpus_contact(j, "B.S", 1, "", ROLE_G);
	corpus_wire(j, "A.left.+", "B.T");
	corpus_wire(j, "A.right.+", "B.R");
	corpus_wire(j, "A.left.-", "B.S");
	corpus_wire(j, "A.right.-", "B.S");
	for (unsigned k = 0; k < 4; k++)
		corpus_drive(j, near[k]);
	corpus_sense(j, "B.T", NULL);
	corpus_sense(j, "B.R", NULL);
	corpus_sense(j, "B.S", NULL);
	assert_int_equal(corpus_finish(j), 0);
}

/* A balanced headphone cable with a cup plug per side (XLR4 at the near
 * end, a 2.5 mm TRS per cup whose ring is unused), every contact driven
 * or sensed on its own. */
static void cup_jig(struct jig *j)
{
	static const char *const sides[2] = {"left", "right"}, *const pins[3] = {"T", "R", "S"};
	static const enum role roles[3] = {ROLE_P, ROLE_NC, ROLE_N};
	char name[FIXTURE_NAME_MAX];
	memset(j, 0, sizeof(*j));
	j->f.source_ohms = 100.0;
	j->f.input_ohms = 10000.0;
	corpus_contact(j, "A.1", 0, "", ROLE_LP);
	corpus_contact(j, "A.2", 0, "", ROLE_LN);
	corpus_contact(j, "A.3", 0, "", ROLE_RP);
	corpus_contact(j, "A.4", 0, "", ROLE_RN);
	for (unsigned s = 0; s < 2; s++)
		for (unsigned p = 0; p < 3; p++) {
			snprintf(name, sizeof(name), "B.%s.%s", sides[s], pins[p]);
			corpus_contact(j, name, 1, sides[s], roles[p]);
			corpus_sense(j, name, NULL);
		}
	corpus_wire(j, "A.1", "B.left.T");
	corpus_wire(j, "A.2", "B.left.S");
	corpus_wire(j, "A.3", "B.right.T");
	corpus_wire(j, "A.4", "B.right.S");
	for (unsigned k = 1; k <= 4; k++) {
		snprintf(name, sizeof(name), "A.%u", k);
		corpus_drive(j, name);
	}
	assert_int_equal(corpus_finish(j), 0);
}

/* A 3.5 mm stereo plug at both ends; the jig drives its contacts and
 * senses the far ones, but only those listed. */
static void trs_jig(struct jig *j, const char *const *drive, unsigned n_drive)
{
	static const char *const pins[3] = {"T", "R", "S"};
	static const enum role roles[3] = {ROLE_L, ROLE_R, ROLE_G};
	char a[FIXTURE_NAME_MAX], b[FIXTURE_NAME_MAX];
	memset(j, 0, sizeof(*j));
	j->f.source_ohms = 100.0;
	j->f.input_ohms = 10000.0;
	for (unsigned e = 0; e < 2; e++)
		for (unsigned p = 0; p < 3; p++) {
			snprintf(a, sizeof(a), "%c.%s", e ? 'B' : 'A', pins[p]);
			corpus_contact(j, a, e, "", roles[p]);
		}
	for (unsigned p = 0; p < 3; p++) {
		snprintf(a, sizeof(a), "A.%s", pins[p]);
		snprintf(b, sizeof(b), "B.%s", pins[p]);
		corpus_wire(j, a, b);
		corpus_sense(j, b, NULL);
	}
	for (unsigned k = 0; k < n_drive; k++)
		corpus_drive(j, drive[k]);
	assert_int_equal(corpus_finish(j), 0);
}

/* The stereo bench of the corpus, unscrambled: L and R driven, sleeve
 * tied, a 32 Ω load per side sensed across it. */
static void stereo_trs_jig(struct jig *j)
{
	static const char *const drive[2] = {"A.T", "A.R"};
	trs_jig(j, drive, 2);
	j->f.n_inputs = 0;
	corpus_tie(j, "A.S");
	corpus_load(j, "B.T", "B.S", 32.0);
	corpus_load(j, "B.R", "B.S", 32.0);
	corpus_sense(j, "B.T", "B.S");
	corpus_sense(j, "B.R", "B.S");
	assert_int_equal(corpus_finish(j), 0);
}

/* ---- plug labels are channels ---- */

/* Near end made of labelled plugs: an exchange between the left and right
 * plugs is an L/R swap of the earpieces, one within a plug that earpiece's
 * polarity; the channels are L and R, read where the wiring puts them. */
static void test_near_labelled_plugs(void **state)
{
	struct jig j;
	struct wiring w;
	struct classification out;
	char text[512];

	hd600_jig(&j);
	run(&j, &j.expected, 1, &out);
	assert_int_equal(out.verdict, VERDICT_PASS);
	assert_int_equal(out.n_channels, 2);
	assert_non_null(chan(&out, "L"));
	assert_non_null(chan(&out, "R"));

	w = swapped(&j, "A.left.+", "A.right.+");
	run(&j, &w, 2, &out);
	const struct fault *ft = one(&out, FAULT_LR_SWAP);
	assert_true(names(&j, ft, "A.left.+") && names(&j, ft, "A.right.+"));
	text_of(&j, ft, text, sizeof(text));
	assert_string_equal(text, "Left and right earpieces are swapped (A.left.+ \xE2\x86\x94 A.right.+)");
	/* L's tone is on the R contact now: V(B.R) − V(B.S) = 0.990 − 0, the
	 * level a good cable gives R: 0 dB, found at R. */
	assert_string_equal(chan(&out, "L")->found_at, "R");
	assert_true(fabs(chan(&out, "L")->level_db) < 0.3);
	assert_false(chan(&out, "L")->inverted);

	static const char *const side[2][3] = {{"A.left.+", "A.left.-", "Left earpiece"},
	                                        {"A.right.+", "A.right.-", "Right earpiece"}};
	for (unsigned s = 0; s < 2; s++) {
		w = swapped(&j, side[s][0], side[s][1]);
		run(&j, &w, 3 + s, &out);
		ft = one(&out, FAULT_POLARITY_INVERTED);
		assert_string_equal(ft->channel, s ? "R" : "L");
		text_of(&j, ft, text, sizeof(text));
		assert_true(strncmp(text, side[s][2], strlen(side[s][2])) == 0);
		assert_non_null(strstr(text, ": polarity inverted (its + and \xE2\x88\x92 are swapped"));
		assert_null(strstr(text, "mono"));
	}
}

/* Far end made of labelled plugs (the corpus' stereo IEM jig): the left
 * earpiece's polarity, and the two earpieces exchanged. */
static void test_far_labelled_plugs(void **state)
{
	struct jig j;
	struct classification out;
	char text[512];

	assert_int_equal(corpus_jig(JIG_IEM, 21, &j), 0);
	struct wiring w = j.expected;
	int p = corpus_conductor_to(&j, "B.left.+"), n = corpus_conductor_to(&j, "B.left.-");
	int t = w.c[p].b;
	w.c[p].b = w.c[n].b;
	w.c[n].b = t;
	run(&j, &w, 5, &out);
	const struct fault *ft = one(&out, FAULT_POLARITY_INVERTED);
	assert_string_equal(ft->place, "left earpiece");
	text_of(&j, ft, text, sizeof(text));
	assert_string_equal(text, "Left earpiece: polarity inverted (its signal and ground are swapped: A.T \xE2\x86\x94 A.S)");

	w = swapped(&j, "A.T", "A.R");
	run(&j, &w, 6, &out);
	ft = one(&out, FAULT_LR_SWAP);
	text_of(&j, ft, text, sizeof(text));
	assert_string_equal(text, "Left and right earpieces are swapped (A.T \xE2\x86\x94 A.R)");
	/* Each earpiece hears the other side at a good cable's level, 32/(100+32)
	 * of its source either way: 0 dB, found at the other side. */
	assert_string_equal(chan(&out, "R")->found_at, "L");
	assert_true(fabs(chan(&out, "R")->level_db) < 0.3);
}

/* ---- one fault per physical cause ---- */

/* Balanced 4.4 mm, per contact: left and right exchanged on both legs is
 * one L/R swap of four contacts; on one leg, it is still a swap of that
 * leg; across legs (L+ with R−) a miswire; within a side its polarity. */
static void test_balanced_swaps(void **state)
{
	struct jig j;
	struct classification out;
	char text[512];

	assert_int_equal(corpus_jig(JIG_44, 22, &j), 0);
	struct wiring w = swapped(&j, "A.T", "A.R2");   /* L+ ↔ R+ */
	int a = corpus_conductor(&j, "A.R1"), b = corpus_conductor(&j, "A.R3");   /* L− ↔ R− */
	int t = w.c[a].b;
	w.c[a].b = w.c[b].b;
	w.c[b].b = t;
	run(&j, &w, 7, &out);
	const struct fault *ft = one(&out, FAULT_LR_SWAP);
	assert_int_equal(ft->n_contacts, 4);
	assert_true(names(&j, ft, "A.T") && names(&j, ft, "A.R1") && names(&j, ft, "A.R2") && names(&j, ft, "A.R3"));
	text_of(&j, ft, text, sizeof(text));
	assert_non_null(strstr(text, "Left and right are swapped, both legs"));
	/* Both legs moved: L is found whole on R's pins (0 dB, in phase). */
	assert_string_equal(chan(&out, "L")->found_at, "R");
	assert_true(fabs(chan(&out, "L")->level_db) < 0.3);
	assert_false(chan(&out, "L")->inverted);

	static const struct {
		const char *x, *y, *channel;
		enum fault_code code;
	} cases[] = {
		{"A.R1", "A.R3", "", FAULT_LR_SWAP},             /* L− ↔ R− alone */
		{"A.T", "A.R2", "", FAULT_LR_SWAP},              /* L+ ↔ R+ alone */
		{"A.T", "A.R3", "", FAULT_MISWIRE},              /* L+ ↔ R− */
		{"A.T", "A.R1", "L", FAULT_POLARITY_INVERTED},   /* L+ ↔ L− */
		{"A.R2", "A.R3", "R", FAULT_POLARITY_INVERTED},  /* R+ ↔ R− */
		{"A.R1", "A.S", "", FAULT_MISWIRE},              /* a cold leg with the ground */
	};
	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		w = swapped(&j, cases[k].x, cases[k].y);
		run(&j, &w, 8 + k, &out);
		ft = one(&out, cases[k].code);
		assert_int_equal(ft->n_contacts, 2);
		assert_true(names(&j, ft, cases[k].x) && names(&j, ft, cases[k].y));
		if (cases[k].channel[0])
			assert_string_equal(ft->channel, cases[k].channel);
	}
}

/* The names come from roles even where the jig shows no channel: a jig
 * that drives only the cold legs and the ground of a 4.4 mm cable (no
 * hot is driven, so no channel view) still names L−/R− a stereo swap,
 * and a TRS jig driving only the sleeve names tip/sleeve a polarity. */
static void test_names_without_channels(void **state)
{
	struct jig j;
	struct classification out;

	assert_int_equal(corpus_jig(JIG_44, 23, &j), 0);
	j.f.n_outputs = 0;
	corpus_drive(&j, "A.R1");
	corpus_drive(&j, "A.R3");
	corpus_drive(&j, "A.S");
	assert_int_equal(corpus_finish(&j), 0);
	run(&j, &j.expected, 20, &out);
	assert_int_equal(out.verdict, VERDICT_PASS);
	assert_int_equal(out.n_channels, 0);
	struct wiring w = swapped(&j, "A.R1", "A.R3");
	run(&j, &w, 21, &out);
	const struct fault *ft = one(&out, FAULT_LR_SWAP);
	assert_true(names(&j, ft, "A.R1") && names(&j, ft, "A.R3"));

	static const char *const sleeve[1] = {"A.S"};
	trs_jig(&j, sleeve, 1);
	run(&j, &j.expected, 22, &out);
	assert_int_equal(out.verdict, VERDICT_PASS);
	assert_int_equal(out.n_channels, 0);
	w = swapped(&j, "A.T", "A.S");
	run(&j, &w, 23, &out);
	ft = one(&out, FAULT_POLARITY_INVERTED);
	assert_string_equal(ft->channel, "L");
	assert_string_equal(ft->place, "left channel");
	char text[512];
	text_of(&j, ft, text, sizeof(text));
	const char *head = "Left signal and ground are swapped (A.T \xE2\x86\x94 A.S): left channel polarity inverted. ";
	assert_true(strncmp(text, head, strlen(head)) == 0);
	/* Driving the sleeve alone, the jig sees its tone at B.T instead of
	 * B.S; the sleeve's conductor open plus a short from A.S to A.T (not
	 * driven) at the near end looks the same: said, and a per-contact jig
	 * (which drives A.T too) named as the one that tells. */
	assert_int_equal(ft->alternatives, (1u << FAULT_OPEN) | (1u << FAULT_SHORT));
	assert_true(ft->flags & FAULT_FLAG_ALT_PER_CONTACT);
	assert_non_null(strstr(text, "This jig cannot tell it from an open conductor or a short"));
}

/* Plugs that are not left or right: an unlabelled + − pair (an XLR3 line,
 * pin 1 ground) is one "signal", and a plug with a label of its own (a
 * "sub" woofer lead next to it) is a channel of that name, a plug rather
 * than an earpiece. Per contact, each exchange of + and − is that one's
 * polarity; + with the ground of a balanced pair is a miswire. */
static void test_other_labels(void **state)
{
	struct jig j;
	struct classification out;
	char text[512];
	static const char *const near[5] = {"A.1", "A.2", "A.3", "A.sub.+", "A.sub.-"};

	memset(&j, 0, sizeof(j));
	j.f.source_ohms = 100.0;
	j.f.input_ohms = 10000.0;
	corpus_contact(&j, "A.1", 0, "", ROLE_G);
	corpus_contact(&j, "A.2", 0, "", ROLE_P);
	corpus_contact(&j, "A.3", 0, "", ROLE_N);
	corpus_contact(&j, "A.sub.+", 0, "sub", ROLE_P);
	corpus_contact(&j, "A.sub.-", 0, "sub", ROLE_N);
	corpus_contact(&j, "B.1", 1, "", ROLE_G);
	corpus_contact(&j, "B.2", 1, "", ROLE_P);
	corpus_contact(&j, "B.3", 1, "", ROLE_N);
	corpus_contact(&j, "B.sub.+", 1, "sub", ROLE_P);
	corpus_contact(&j, "B.sub.-", 1, "sub", ROLE_N);
	for (unsigned k = 0; k < 5; k++) {
		char far[FIXTURE_NAME_MAX];
		snprintf(far, sizeof(far), "B.%s", near[k] + 2);
		corpus_wire(&j, near[k], far);
		corpus_drive(&j, near[k]);
		corpus_sense(&j, far, NULL);
	}
	assert_int_equal(corpus_finish(&j), 0);
	run(&j, &j.expected, 24, &out);
	assert_int_equal(out.verdict, VERDICT_PASS);
	assert_int_equal(out.n_channels, 2);
	assert_non_null(chan(&out, "mono"));
	assert_non_null(chan(&out, "sub"));

	struct wiring w = swapped(&j, "A.2", "A.3");
	run(&j, &w, 25, &out);
	const struct fault *ft = one(&out, FAULT_POLARITY_INVERTED);
	assert_string_equal(ft->channel, "mono");
	text_of(&j, ft, text, sizeof(text));
	assert_string_equal(text, "+ and \xE2\x88\x92 are swapped (A.2 \xE2\x86\x94 A.3): signal polarity inverted");
	w = swapped(&j, "A.sub.+", "A.sub.-");
	run(&j, &w, 26, &out);
	ft = one(&out, FAULT_POLARITY_INVERTED);
	assert_string_equal(ft->channel, "sub");
	text_of(&j, ft, text, sizeof(text));
	assert_string_equal(text, "Sub plug: polarity inverted (its + and \xE2\x88\x92 are swapped: A.sub.+ \xE2\x86\x94 A.sub.-)");
	w = swapped(&j, "A.1", "A.2");
	run(&j, &w, 27, &out);
	one(&out, FAULT_MISWIRE);
	w = swapped(&j, "A.2", "A.sub.+");   /* two channels, but not left and right */
	run(&j, &w, 28, &out);
	one(&out, FAULT_MISWIRE);
}

/* A conductor on a contact the cable leaves unused (the left cup's ring)
 * is named: the tip no longer reaches its own contact (open) and reaches
 * one it should not (miswire), never "unrecognized". */
static void test_unused_contact_wired(void **state)
{
	struct jig j;
	struct classification out;
	char text[512];

	cup_jig(&j);
	run(&j, &j.expected, 30, &out);
	assert_int_equal(out.verdict, VERDICT_PASS);
	struct wiring w = j.expected;
	w.c[corpus_conductor(&j, "A.1")].b = contact(&j, "B.left.R");
	run(&j, &w, 31, &out);
	assert_int_equal(out.verdict, VERDICT_FAIL);
	assert_int_equal(out.n_faults, 2);
	const struct fault *open = out.fault[0].code == FAULT_OPEN ? &out.fault[0] : &out.fault[1];
	const struct fault *mis = open == &out.fault[0] ? &out.fault[1] : &out.fault[0];
	assert_int_equal(open->code, FAULT_OPEN);
	assert_int_equal(mis->code, FAULT_MISWIRE);
	assert_true(names(&j, open, "A.1") && names(&j, open, "B.left.T"));
	assert_true(names(&j, mis, "A.1") && names(&j, mis, "B.left.R"));
	assert_true(mis->flags & FAULT_FLAG_UNUSED_CONTACT);
	text_of(&j, mis, text, sizeof(text));
	assert_string_equal(text, "Miswired: A.1 reaches B.left.R, a contact this cable leaves unused");
	text_of(&j, open, text, sizeof(text));
	assert_string_equal(text, "Open conductor: A.1 does not reach B.left.T (left earpiece)");
}

/* ---- honest ambiguity ---- */

/* On the stereo TRRS jig an open ground and a CTIA/OMTP cable give the same
 * matrix: with the ground's return gone the two 32 Ω loads sit in series
 * between the sources, so each input reads ±32 / (2·100 + 2·32) = ±0.121
 * of its source (the 10 kΩ legs move that by under 1 %). Both codes are
 * in the result, the confidence is below 1, and the summary says which
 * jig could tell. On the per-contact jig the two are distinct. */
static void test_ambiguous_ground(void **state)
{
	struct jig j;
	struct classification out;
	char text[512];

	assert_int_equal(corpus_jig(JIG_STEREO, 24, &j), 0);
	struct wiring w = j.expected;
	int g = corpus_conductor(&j, "A.R2");
	w.c[g] = w.c[--w.n];   /* ground open */
	double gains[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];
	assert_int_equal(oracle_gains(&j.f, &w, gains), 0);
	for (unsigned k = 0; k < 4; k++)
		assert_true(fabs(fabs(gains[k]) - 32.0 / 264.0) < 0.01 * 32.0 / 264.0 + 1e-3);
	run(&j, &w, 40, &out);
	assert_int_equal(out.verdict, VERDICT_FAIL);
	assert_int_equal(out.n_faults, 1);
	const struct fault *ft = &out.fault[0];
	unsigned codes = (1u << ft->code) | ft->alternatives;
	assert_int_equal(codes, (1u << FAULT_CTIA_OMTP_MISMATCH) | (1u << FAULT_OPEN));
	assert_true(ft->confidence < 0.6);
	assert_true(ft->flags & FAULT_FLAG_ALT_THIS_JIG);
	assert_true(ft->flags & FAULT_FLAG_ALT_PER_CONTACT);
	text_of(&j, ft, text, sizeof(text));
	assert_non_null(strstr(text, "This jig cannot tell it from"));
	assert_non_null(strstr(text, "a per-contact jig (every contact driven and sensed on its own) can"));

	assert_int_equal(corpus_jig(JIG_TRRS4, 25, &j), 0);
	w = j.expected;
	g = corpus_conductor(&j, "A.R2");
	w.c[g] = w.c[--w.n];
	run(&j, &w, 41, &out);
	ft = one(&out, FAULT_OPEN);
	assert_int_equal(ft->alternatives, 0);
	assert_true(ft->confidence > 0.99);
	w = swapped(&j, "A.R2", "A.S");
	run(&j, &w, 42, &out);
	ft = one(&out, FAULT_CTIA_OMTP_MISMATCH);
	assert_int_equal(ft->alternatives, 0);
}

/* ---- channels that agree with the diagnosis ---- */

/* Per-contact TRRS jig. An L/R swap: L read on R's contacts at a good
 * cable's level (0.990 / 0.990: 0 dB), in phase. CTIA/OMTP: each channel
 * still reaches its earpiece contact (0 dB: this jig holds the ground
 * contact at 0 V), but in a listener's device the earpieces' common
 * floats and (L+R) across each cancels — the mono sum says so. */
static void test_channels_follow_wiring(void **state)
{
	struct jig j;
	struct classification out;

	assert_int_equal(corpus_jig(JIG_TRRS4, 26, &j), 0);
	struct wiring w = swapped(&j, "A.T", "A.R1");
	run(&j, &w, 50, &out);
	one(&out, FAULT_LR_SWAP);
	for (unsigned k = 0; k < 2; k++) {
		const struct channel_view *v = chan(&out, k ? "R" : "L");
		assert_string_equal(v->found_at, k ? "L" : "R");
		assert_true(fabs(v->level_db) < 0.3);
		assert_false(v->inverted);
		assert_true(v->snr_db > SNR_DB - 6.0);
		assert_true(fabs(v->mono_ratio_db) < 0.3);
	}
	w = swapped(&j, "A.R2", "A.S");
	run(&j, &w, 51, &out);
	one(&out, FAULT_CTIA_OMTP_MISMATCH);
	for (unsigned k = 0; k < 2; k++) {
		const struct channel_view *v = chan(&out, k ? "R" : "L");
		assert_string_equal(v->found_at, "");
		assert_true(fabs(v->level_db) < 0.3);
		assert_true(v->mono_ratio_db < -30.0);
	}
	run(&j, &j.expected, 52, &out);
	assert_int_equal(out.verdict, VERDICT_PASS);
	assert_true(fabs(chan(&out, "L")->mono_ratio_db) < 0.3);
}

/* ---- a jig that does not fit ---- */

/* A stereo configuration measured on a per-contact fixture (the simulated
 * trrs-4ch, say): each input reads 0.990 of its source where no cable in a
 * 32 Ω-loaded stereo jig can give more than 1 / (1 + 100·(1/32 + 1/10 k))
 * = 0.2418: 20·log10(0.990 / 0.2418) = 12.2 dB too loud. */
static void test_jig_mismatch(void **state)
{
	struct jig j;
	struct analysis an;
	struct classification out;
	struct rng r = {60};
	char text[512];
	double g[4];

	stereo_trs_jig(&j);
	classifier *c = classifier_create(&j.f, &j.expected, NULL);
	assert_non_null(c);
	g[0] = g[3] = PER_CONTACT_GAIN;
	g[1] = g[2] = 0.0;
	corpus_synth_gains(&j, g, SNR_DB, &r, &an);
	assert_int_equal(classifier_run(c, &an, &out), 0);
	assert_int_equal(out.verdict, VERDICT_ERROR);
	assert_int_equal(out.n_faults, 1);
	assert_int_equal(out.fault[0].code, FAULT_JIG_MISMATCH);
	assert_true(fabs(out.fault[0].value - 12.2) < 0.3);
	text_of(&j, &out.fault[0], text, sizeof(text));
	assert_non_null(strstr(text, "does not fit jig"));
	assert_non_null(strstr(text, "is the jig file right for this fixture?"));

	/* A hot interface (+1.6 dB, what calibration still accepts) is no
	 * mismatch: 1.2 × 0.2418 stays under twice the bound. */
	for (unsigned k = 0; k < 4; k++)
		g[k] = 1.2 * j.eg[k];
	corpus_synth_gains(&j, g, SNR_DB, &r, &an);
	assert_int_equal(classifier_run(c, &an, &out), 0);
	assert_true(out.n_faults == 0 || out.fault[0].code != FAULT_JIG_MISMATCH);
	classifier_destroy(c);

	/* Signal where the jig has no path: an input on a contact the jig ties
	 * to ground (at most 1 / (1 + 100 / 1 Ω) ≈ 0.01 of any source) reading
	 * half the source. */
	static const char *const drive[2] = {"A.T", "A.R"};
	trs_jig(&j, drive, 2);
	corpus_tie(&j, "B.S");
	assert_int_equal(corpus_finish(&j), 0);
	c = classifier_create(&j.f, &j.expected, NULL);
	assert_non_null(c);
	double h[6] = {PER_CONTACT_GAIN, 0.0, 0.0, PER_CONTACT_GAIN, 0.5, 0.0};
	corpus_synth_gains(&j, h, SNR_DB, &r, &an);
	assert_int_equal(classifier_run(c, &an, &out), 0);
	assert_int_equal(out.verdict, VERDICT_ERROR);
	assert_int_equal(out.fault[0].code, FAULT_JIG_MISMATCH);
	assert_true(names(&j, &out.fault[0], "B.S"));
	assert_true(names(&j, &out.fault[0], "A.T"));
	/* The good cable in the same jig passes. */
	corpus_synth(&j, &j.expected, SNR_DB, &r, &an);
	assert_int_equal(classifier_run(c, &an, &out), 0);
	assert_int_equal(out.verdict, VERDICT_PASS);
	classifier_destroy(c);
}

/* ---- words ---- */

/* Each way of saying what the jig cannot tell apart, and the wordings for
 * plugs, a channel-less polarity and a jig mismatch on a single input. */
static void test_describe_alternatives(void **state)
{
	struct jig j;
	struct fault ft = {0};
	char text[512];

	hd600_jig(&j);
	ft.code = FAULT_OPEN;
	ft.n_contacts = 2;
	ft.contacts[0] = contact(&j, "A.left.+");
	ft.contacts[1] = contact(&j, "B.T");
	ft.alternatives = (1u << FAULT_SHORT) | (1u << FAULT_MISWIRE);
	ft.flags = FAULT_FLAG_ALT_THIS_JIG;
	text_of(&j, &ft, text, sizeof(text));
	assert_string_equal(text, "Open conductor: A.left.+ does not reach B.T. This jig cannot tell it from a short or a "
	                          "miswire; no jig that drives one end and senses the other can");
	ft.flags = FAULT_FLAG_ALT_NOISE | FAULT_FLAG_ALT_PER_CONTACT;
	ft.alternatives = 1u << FAULT_HIGH_RESISTANCE;
	text_of(&j, &ft, text, sizeof(text));
	assert_string_equal(text, "Open conductor: A.left.+ does not reach B.T. At this noise it cannot be told from a "
	                          "high resistance; a quieter measurement or a per-contact jig can");
	ft.flags = FAULT_FLAG_ALT_NOISE;
	text_of(&j, &ft, text, sizeof(text));
	assert_non_null(strstr(text, "; a quieter measurement can"));

	memset(&ft, 0, sizeof(ft));
	ft.code = FAULT_LR_SWAP;
	ft.n_contacts = 2;
	ft.contacts[0] = contact(&j, "A.left.+");
	ft.contacts[1] = contact(&j, "A.right.+");
	snprintf(ft.place, sizeof(ft.place), "left plug");
	text_of(&j, &ft, text, sizeof(text));
	assert_string_equal(text, "Left and right plugs are swapped (A.left.+ \xE2\x86\x94 A.right.+)");

	memset(&ft, 0, sizeof(ft));
	ft.code = FAULT_POLARITY_INVERTED;
	ft.n_contacts = 2;
	ft.contacts[0] = contact(&j, "B.T");
	ft.contacts[1] = contact(&j, "B.S");
	text_of(&j, &ft, text, sizeof(text));
	assert_string_equal(text, "Signal and ground are swapped (B.T \xE2\x86\x94 B.S): polarity inverted");

	memset(&ft, 0, sizeof(ft));
	ft.code = FAULT_JIG_MISMATCH;
	ft.n_contacts = 2;
	ft.contacts[0] = contact(&j, "A.left.+");
	ft.contacts[1] = contact(&j, "B.S");
	ft.value = 6.5;
	snprintf(j.f.jig, sizeof(j.f.jig), "octo-hd-6.35");
	text_of(&j, &ft, text, sizeof(text));
	assert_string_equal(text, "The measurement does not fit jig 'octo-hd-6.35': A.left.+ reaches input B.S 6.5 dB above "
	                          "the most any cable can give through this jig \xE2\x80\x94 is the jig file right for this "
	                          "fixture?");
	/* Too small a buffer: cut, NUL-terminated, and said so. */
	char tiny[40];
	assert_int_equal(classify_describe(&j.f, &ft, tiny, sizeof(tiny)), -ENOSPC);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_string_equal(fault_code_name(FAULT_JIG_MISMATCH), "jig_mismatch");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_near_labelled_plugs),
		cmocka_unit_test(test_far_labelled_plugs),
		cmocka_unit_test(test_balanced_swaps),
		cmocka_unit_test(test_names_without_channels),
		cmocka_unit_test(test_other_labels),
		cmocka_unit_test(test_unused_contact_wired),
		cmocka_unit_test(test_ambiguous_ground),
		cmocka_unit_test(test_channels_follow_wiring),
		cmocka_unit_test(test_jig_mismatch),
		cmocka_unit_test(test_describe_alternatives),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
