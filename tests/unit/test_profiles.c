/* Unit tests of the profiles module: shipped files, role wiring, jig fit, lookup, and every malformed-file message. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "profiles.h"

#define SHIPPED TONEWIRE_SOURCE_DIR "/profiles"
#define BAD TONEWIRE_SOURCE_DIR "/tests/data/profiles"
#define MAX_NAMES 128

/* Only the source tree: a developer's ~/.config must not change results. */
static void shipped(struct profiles *p)
{
	memset(p, 0, sizeof *p);
	p->n_dirs = 1;
	snprintf(p->dir[0], sizeof p->dir[0], "%s", SHIPPED);
}

/* The shipped folder as the search path lists it (symlinks resolved). */
static const char *shipped_real(void)
{
	static char real[PATH_MAX];   /* test-only scratch */

	assert_non_null(realpath(SHIPPED, real));
	return real;
}

static int cidx(const struct fixture *f, const char *name)
{
	for (unsigned i = 0; i < f->n_contacts; i++)
		if (strcmp(f->contact[i].name, name) == 0)
			return (int)i;
	fail_msg("no contact %s in fixture %s", name, f->jig);
	return -1;
}

static int has_wire(const struct fixture *f, const struct wiring *w, const char *a, const char *b)
{
	int ia = cidx(f, a), ib = cidx(f, b);

	for (unsigned i = 0; i < w->n; i++)
		if ((w->c[i].a == ia && w->c[i].b == ib) || (w->c[i].a == ib && w->c[i].b == ia))
			return 1;
	return 0;
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, haystack);
}

struct cable_in_jig {
	struct tw_jig jig;
	struct tw_cable cable;
	struct fixture f;
	struct wiring w;
	char err[PROFILE_ERR_MAX];
};

/* Loads cable and jig by name and builds the fixture; fails the test on any error. */
static struct cable_in_jig *fit(const char *cable, const char *jig)
{
	struct cable_in_jig *c = calloc(1, sizeof *c);
	struct profiles p;
	int rc;

	assert_non_null(c);
	shipped(&p);
	rc = profiles_load_cable(&p, cable, &c->cable, c->err);
	if (rc)
		fail_msg("%s: %s", cable, c->err);
	rc = profiles_load_jig(&p, jig, &c->jig, c->err);
	if (rc)
		fail_msg("%s: %s", jig, c->err);
	rc = profiles_fixture(&c->jig, &c->cable, &c->f, &c->w, c->err);
	if (rc)
		fail_msg("%s in %s: %s", cable, jig, c->err);
	return c;
}

/* The connector table of the project, as the files must implement it. */
static const struct {
	const char *name, *contacts, *roles;
} connector_table[] = {
	{ "trs-3.5", "T R S", "L R G" },
	{ "trs-6.35", "T R S", "L R G" },
	{ "trs-2.5", "T R S", "L R G" },
	{ "ts-3.5", "T S", "+ -" },
	{ "ts-2.5", "T S", "+ -" },
	{ "trs-2.5-cup", "T R S", "+ NC -" },
	{ "trs-balanced-mono", "T R S", "+ - SHIELD" },
	{ "trrs-3.5-ctia", "T R1 R2 S", "L R G MIC" },
	{ "trrs-3.5-omtp", "T R1 R2 S", "L R MIC G" },
	{ "trrs-2.5-ak", "T R1 R2 S", "R- R+ L+ L-" },
	{ "trrs-2.5-hifiman", "T R1 R2 S", "L+ R+ L- R-" },
	{ "trrs-3.5-balanced", "T R1 R2 S", "L+ R+ L- R-" },
	{ "trrs-3.5-jh3a", "T R1 R2 S", "L R DATA G" },
	{ "trrrs-4.4", "T R1 R2 R3 S", "L+ L- R+ R- G" },
	{ "xlr3", "1 2 3", "G + -" },
	{ "xlr3-headphone", "1 2 3", "NC + -" },
	{ "xlr4", "1 2 3 4", "L+ L- R+ R-" },
	{ "minixlr3-akg", "1 2 3", "G R L" },
	{ "kobiconn4", "1 2 3 4", "L+ R+ L- R-" },
	{ "mmcx", "C SH", "+ -" },
	{ "2pin-0.78", "+ -", "+ -" },
	{ "sennheiser-hd", "SMALL LARGE", "+ -" },
	{ "smc", "C BODY", "+ -" },
	{ "rca", "C SH", "SIG G" },
};

static void test_connectors_match_table(void **state)
{
	struct profiles p;
	struct tw_connector c;
	char err[PROFILE_ERR_MAX];

	(void)state;
	shipped(&p);
	for (size_t t = 0; t < sizeof connector_table / sizeof connector_table[0]; t++) {
		char contacts[128] = "", roles[128] = "";

		if (profiles_load_connector(&p, connector_table[t].name, &c, err))
			fail_msg("%s: %s", connector_table[t].name, err);
		for (unsigned i = 0; i < c.n_contacts; i++) {
			size_t n = strlen(contacts), m = strlen(roles);
			snprintf(contacts + n, sizeof contacts - n, "%s%s", i ? " " : "", c.contact[i]);
			snprintf(roles + m, sizeof roles - m, "%s%s", i ? " " : "", role_name(c.role[i]));
		}
		assert_string_equal(c.name, connector_table[t].name);
		assert_string_equal(contacts, connector_table[t].contacts);
		assert_string_equal(roles, connector_table[t].roles);
		assert_true(strlen(c.description) > 10);
	}
}

static void test_every_shipped_file_loads(void **state)
{
	static char names[MAX_NAMES][PROFILE_NAME_MAX];
	struct profiles p;
	char err[PROFILE_ERR_MAX];
	struct tw_connector *conn = malloc(sizeof *conn);
	struct tw_cable *cable = malloc(sizeof *cable);
	struct tw_jig *jig = malloc(sizeof *jig);
	unsigned n;

	(void)state;
	assert_non_null(conn);
	assert_non_null(cable);
	assert_non_null(jig);
	shipped(&p);

	n = profiles_list(&p, PROFILE_CONNECTOR, names, MAX_NAMES);
	assert_int_equal(n, sizeof connector_table / sizeof connector_table[0]);
	for (unsigned i = 0; i < n; i++) {
		if (profiles_load_connector(&p, names[i], conn, err))
			fail_msg("%s", err);
		assert_string_equal(conn->name, names[i]);
	}

	n = profiles_list(&p, PROFILE_CABLE, names, MAX_NAMES);
	assert_true(n >= 15);
	for (unsigned i = 0; i < n; i++) {
		if (profiles_load_cable(&p, names[i], cable, err))
			fail_msg("%s", err);
		assert_string_equal(cable->name, names[i]);
		assert_true(strlen(cable->description) > 10);
	}

	n = profiles_list(&p, PROFILE_JIG, names, MAX_NAMES);
	assert_true(n >= 6);
	for (unsigned i = 0; i < n; i++) {
		const struct fixture *f = &jig->fixture;

		if (profiles_load_jig(&p, names[i], jig, err))
			fail_msg("%s", err);
		assert_string_equal(jig->name, names[i]);
		assert_string_equal(f->jig, names[i]);
		assert_true(strlen(jig->description) > 10);
		/* Every shipped jig runs on an interface of at most 8 in and 8 out. */
		assert_true(f->n_outputs >= 1 && f->n_outputs <= 8);
		assert_true(f->n_inputs >= 1 && f->n_inputs <= 8);
		for (unsigned o = 0; o < f->n_outputs; o++)
			assert_int_equal(f->contact[f->output[o]].end, 0);
		for (unsigned k = 0; k < f->n_inputs; k++)
			assert_int_equal(f->contact[f->input_pos[k]].end, 1);
		assert_true(f->source_ohms > 0 && f->input_ohms > 0);
	}
	free(conn);
	free(cable);
	free(jig);
}

/* Which jig each shipped cable is tested in (profiles/README.md has the same table). */
static const struct {
	const char *cable, *jig;
} pairing[] = {
	{ "trs-3.5-extension", "stereo-trs" },
	{ "trs-3.5-extension", "octo-trs-3.5" },
	{ "trs-6.35-to-3.5-adapter", "octo-trs-6.35-3.5" },
	{ "trrs-ctia-extension", "stereo-trrs-ctia" },
	{ "trrs-ctia-extension", "trrs-4ch" },
	{ "trrs-omtp-extension", "trrs-4ch" },
	{ "ctia-to-omtp-adapter", "trrs-4ch" },
	{ "ctia-to-omtp-adapter", "stereo-trrs-ctia" },
	{ "trrrs-4.4-to-xlr4", "octo-4.4-xlr4" },
	{ "trrs-2.5-ak-to-trrrs-4.4", "octo-2.5-4.4" },
	{ "trrrs-4.4-to-2pin-iem", "octo-4.4-2pin" },
	{ "trs-3.5-to-2pin-iem", "stereo-iem-2pin" },
	{ "trs-3.5-to-2pin-iem", "octo-trs-2pin" },
	{ "trs-3.5-to-mmcx-iem", "stereo-iem-mmcx" },
	{ "trs-3.5-to-mmcx-iem", "octo-trs-mmcx" },
	{ "minixlr-akg-to-trs-3.5", "octo-minixlr-trs" },
	{ "hd600-to-trs-6.35", "octo-hd-6.35" },
	{ "xlr3-interconnect", "octo-xlr3" },
	{ "trs-3.5-to-2rca", "octo-trs-rca" },
	{ "hifiman-2.5-ts-to-xlr4", "octo-ts-2.5-xlr4" },
	{ "trrrs-4.4-extension", "trrrs-5ch" },
	{ "trs-2.5-to-3.5-adapter", "octo-trs-2.5-3.5" },
	{ "hifiman-3.5-ts-to-trs-3.5", "octo-ts-3.5-trs" },
	{ "hifiman-2.5-cup-to-trs-3.5", "octo-cup-2.5-trs" },
	{ "trs-balanced-mono-to-xlr3", "octo-trs-bal-xlr3" },
	{ "trrs-2.5-hifiman-to-xlr4", "octo-2.5-hifiman-xlr4" },
	{ "xlr4-to-trrs-3.5-balanced", "octo-xlr4-3.5-balanced" },
	{ "trrs-jh3a-extension", "trrs-4ch" },
	{ "kobiconn4-to-xlr4", "octo-kobiconn-xlr4" },
	{ "hifiman-smc-to-xlr4", "octo-smc-xlr4" },
	{ "dual-xlr3-to-xlr4", "octo-dual-xlr3-xlr4" },
};

static void test_every_cable_fits_a_jig(void **state)
{
	static char cables[MAX_NAMES][PROFILE_NAME_MAX];
	struct profiles p;
	unsigned n;

	(void)state;
	shipped(&p);
	for (size_t i = 0; i < sizeof pairing / sizeof pairing[0]; i++) {
		struct cable_in_jig *c = fit(pairing[i].cable, pairing[i].jig);

		/* Every conductor joins the near end to the far end. */
		assert_true(c->w.n > 0);
		for (unsigned k = 0; k < c->w.n; k++) {
			assert_int_equal(c->f.contact[c->w.c[k].a].end, 0);
			assert_int_equal(c->f.contact[c->w.c[k].b].end, 1);
			assert_true(c->w.c[k].ohms == WIRING_DEFAULT_OHMS);
		}
		free(c);
	}
	/* ...and no shipped cable is left without a documented jig. */
	n = profiles_list(&p, PROFILE_CABLE, cables, MAX_NAMES);
	for (unsigned i = 0; i < n; i++) {
		size_t k = 0;
		while (k < sizeof pairing / sizeof pairing[0] && strcmp(pairing[k].cable, cables[i]) != 0)
			k++;
		if (k == sizeof pairing / sizeof pairing[0])
			fail_msg("cable %s has no jig in the pairing table", cables[i]);
	}
}

static void test_ctia_to_omtp_crosses_r2_and_s(void **state)
{
	struct cable_in_jig *c = fit("ctia-to-omtp-adapter", "trrs-4ch");
	const struct fixture *f = &c->f;

	(void)state;
	assert_int_equal(c->w.n, 4);
	assert_true(has_wire(f, &c->w, "A.T", "B.T"));
	assert_true(has_wire(f, &c->w, "A.R1", "B.R1"));
	assert_true(has_wire(f, &c->w, "A.R2", "B.S"));
	assert_true(has_wire(f, &c->w, "A.S", "B.R2"));
	/* Roles come from the cable (OMTP on B), socket roles stay the jig's (CTIA). */
	assert_int_equal(f->contact[cidx(f, "B.S")].role, ROLE_G);
	assert_int_equal(f->contact[cidx(f, "B.S")].socket_role, ROLE_MIC);
	assert_int_equal(f->contact[cidx(f, "A.S")].role, ROLE_MIC);
	free(c);
}

static void test_trs_to_iem_splits_ground(void **state)
{
	struct cable_in_jig *c = fit("trs-3.5-to-2pin-iem", "stereo-iem-2pin");
	const struct fixture *f = &c->f;

	(void)state;
	assert_int_equal(c->w.n, 4);
	assert_true(has_wire(f, &c->w, "A.T", "B.left.+"));
	assert_true(has_wire(f, &c->w, "A.R", "B.right.+"));
	assert_true(has_wire(f, &c->w, "A.S", "B.left.-"));
	assert_true(has_wire(f, &c->w, "A.S", "B.right.-"));
	assert_string_equal(f->contact[cidx(f, "B.left.-")].plug, "left");
	/* The jig's loads and differential inputs are across each earpiece. */
	assert_int_equal(f->n_loads, 2);
	assert_int_equal(f->input_pos[1], cidx(f, "B.right.+"));
	assert_int_equal(f->input_neg[1], cidx(f, "B.right.-"));
	free(c);

	c = fit("trs-3.5-to-mmcx-iem", "octo-trs-mmcx");
	assert_int_equal(c->w.n, 4);
	assert_true(has_wire(&c->f, &c->w, "A.S", "B.left.SH"));
	assert_true(has_wire(&c->f, &c->w, "A.S", "B.right.SH"));
	free(c);
}

static void test_akg_pins_by_role(void **state)
{
	struct cable_in_jig *c = fit("minixlr-akg-to-trs-3.5", "octo-minixlr-trs");

	(void)state;
	assert_int_equal(c->w.n, 3);
	assert_true(has_wire(&c->f, &c->w, "A.2", "B.R"));
	assert_true(has_wire(&c->f, &c->w, "A.3", "B.T"));
	assert_true(has_wire(&c->f, &c->w, "A.1", "B.S"));
	free(c);
}

static void test_more_role_wirings(void **state)
{
	struct cable_in_jig *c;

	(void)state;
	/* The far end's ground joins both drivers' returns (fallback, B to A). */
	c = fit("hd600-to-trs-6.35", "octo-hd-6.35");
	assert_int_equal(c->w.n, 4);
	assert_true(has_wire(&c->f, &c->w, "A.left.SMALL", "B.T"));
	assert_true(has_wire(&c->f, &c->w, "A.right.SMALL", "B.R"));
	assert_true(has_wire(&c->f, &c->w, "A.left.LARGE", "B.S"));
	assert_true(has_wire(&c->f, &c->w, "A.right.LARGE", "B.S"));
	free(c);

	/* Balanced to balanced: the 4.4 mm sleeve has no partner and no return left to join. */
	c = fit("trrrs-4.4-to-xlr4", "octo-4.4-xlr4");
	assert_int_equal(c->w.n, 4);
	assert_true(has_wire(&c->f, &c->w, "A.T", "B.1"));
	assert_true(has_wire(&c->f, &c->w, "A.R1", "B.2"));
	assert_true(has_wire(&c->f, &c->w, "A.R2", "B.3"));
	assert_true(has_wire(&c->f, &c->w, "A.R3", "B.4"));
	free(c);

	c = fit("trrs-2.5-ak-to-trrrs-4.4", "octo-2.5-4.4");
	assert_int_equal(c->w.n, 4);
	assert_true(has_wire(&c->f, &c->w, "A.T", "B.R3"));
	assert_true(has_wire(&c->f, &c->w, "A.R1", "B.R2"));
	assert_true(has_wire(&c->f, &c->w, "A.R2", "B.T"));
	assert_true(has_wire(&c->f, &c->w, "A.S", "B.R1"));
	free(c);

	/* RCA: SIG on a left/right plug is that side's signal; G meets both shells. */
	c = fit("trs-3.5-to-2rca", "octo-trs-rca");
	assert_int_equal(c->w.n, 4);
	assert_true(has_wire(&c->f, &c->w, "A.T", "B.left.C"));
	assert_true(has_wire(&c->f, &c->w, "A.R", "B.right.C"));
	assert_true(has_wire(&c->f, &c->w, "A.S", "B.left.SH"));
	assert_true(has_wire(&c->f, &c->w, "A.S", "B.right.SH"));
	free(c);

	c = fit("hifiman-2.5-ts-to-xlr4", "octo-ts-2.5-xlr4");
	assert_int_equal(c->w.n, 4);
	assert_true(has_wire(&c->f, &c->w, "A.left.T", "B.1"));
	assert_true(has_wire(&c->f, &c->w, "A.left.S", "B.2"));
	assert_true(has_wire(&c->f, &c->w, "A.right.T", "B.3"));
	assert_true(has_wire(&c->f, &c->w, "A.right.S", "B.4"));
	free(c);

	c = fit("xlr3-interconnect", "octo-xlr3");
	assert_int_equal(c->w.n, 3);
	assert_true(has_wire(&c->f, &c->w, "A.1", "B.1"));
	assert_true(has_wire(&c->f, &c->w, "A.2", "B.2"));
	assert_true(has_wire(&c->f, &c->w, "A.3", "B.3"));
	free(c);
}

static void test_explicit_wires_and_limits(void **state)
{
	struct profiles p;
	struct tw_cable *cable = calloc(1, sizeof *cable);
	struct tw_jig *jig = calloc(1, sizeof *jig);
	struct fixture f;
	struct wiring w;
	struct classify_limits def;
	char err[PROFILE_ERR_MAX];

	(void)state;
	shipped(&p);
	assert_int_equal(profiles_load_cable(&p, BAD "/cable-wired.conf", cable, err), 0);
	assert_int_equal(cable->n_wires, 3);
	assert_true(cable->limits.max_series_ohms == 0.5);
	assert_true(cable->limits.max_crosstalk_db == -50);
	assert_int_equal(profiles_load_jig(&p, "stereo-trs", jig, err), 0);
	assert_int_equal(profiles_fixture(jig, cable, &f, &w, err), 0);
	assert_int_equal(w.n, 3);
	assert_true(has_wire(&f, &w, "A.T", "B.R"));
	assert_true(has_wire(&f, &w, "A.R", "B.T"));
	assert_true(has_wire(&f, &w, "A.S", "B.S"));

	/* Limits not given keep the defaults. */
	assert_int_equal(profiles_load_cable(&p, "trs-3.5-extension", cable, err), 0);
	def = cable->limits;
	assert_true(def.max_level_dev_db > 0 && def.max_crosstalk_db < 0 && def.min_snr_db > 0);
	assert_int_equal(profiles_load_cable(&p, BAD "/cable-wired.conf", cable, err), 0);
	assert_true(cable->limits.max_level_dev_db == def.max_level_dev_db);
	free(cable);
	free(jig);
}

static void test_fixture_without_cable(void **state)
{
	struct profiles p;
	struct tw_jig *jig = calloc(1, sizeof *jig);
	struct fixture f;
	struct wiring w = { .n = 7 };
	char err[PROFILE_ERR_MAX];

	(void)state;
	shipped(&p);
	assert_int_equal(profiles_load_jig(&p, "stereo-trrs-ctia", jig, err), 0);
	assert_int_equal(profiles_fixture(jig, NULL, &f, &w, err), 0);
	assert_int_equal(w.n, 0);
	assert_memory_equal(&f, &jig->fixture, sizeof f);
	assert_int_equal(f.n_contacts, 8);
	assert_int_equal(f.n_outputs, 2);
	assert_int_equal(f.n_inputs, 2);
	assert_int_equal(f.n_ties, 1);
	assert_int_equal(f.n_loads, 2);
	assert_string_equal(f.contact[f.tie[0]].name, "A.R2");
	assert_int_equal(f.contact[cidx(&f, "A.S")].role, ROLE_MIC);
	assert_int_equal(f.input_neg[0], cidx(&f, "B.R2"));
	assert_true(f.load[0].ohms == 32);
	free(jig);
}

/* [outputs]/[inputs] keys are device channels: any of them, gaps allowed,
 * taken in ascending order whatever order the file lists them in. */
static void test_channel_map(void **state)
{
	struct profiles p;
	struct tw_jig *jig = calloc(1, sizeof *jig);
	char err[PROFILE_ERR_MAX];

	(void)state;
	shipped(&p);
	assert_int_equal(profiles_load_jig(&p, BAD "/jig-channel-map.conf", jig, err), 0);
	const struct fixture *f = &jig->fixture;
	assert_int_equal(f->n_outputs, 2);
	assert_int_equal(f->n_inputs, 3);
	assert_int_equal(jig->out_channel[0], 3);
	assert_int_equal(jig->out_channel[1], 4);
	assert_string_equal(f->contact[f->output[0]].name, "A.T");
	assert_string_equal(f->contact[f->output[1]].name, "A.R");
	assert_int_equal(jig->in_channel[0], 1);
	assert_int_equal(jig->in_channel[1], 2);
	assert_int_equal(jig->in_channel[2], 7);
	assert_string_equal(f->contact[f->input_pos[2]].name, "B.S");
	/* a shipped jig on channels 1..N keeps them */
	assert_int_equal(profiles_load_jig(&p, "trrs-4ch", jig, err), 0);
	for (unsigned k = 0; k < jig->fixture.n_outputs; k++)
		assert_int_equal(jig->out_channel[k], k + 1);
	free(jig);
}

static void test_cable_does_not_fit(void **state)
{
	struct profiles p;
	struct tw_cable *cable = calloc(1, sizeof *cable);
	struct tw_jig *jig = calloc(1, sizeof *jig);
	struct fixture f;
	struct wiring w;
	char err[PROFILE_ERR_MAX];

	(void)state;
	shipped(&p);
	assert_int_equal(profiles_load_cable(&p, "trrs-ctia-extension", cable, err), 0);
	assert_int_equal(profiles_load_jig(&p, "stereo-trs", jig, err), 0);
	assert_int_equal(profiles_fixture(jig, cable, &f, &w, err), -EINVAL);
	assert_contains(err, "cable 'trrs-ctia-extension' end A (trrs-3.5-ctia: T R1 R2 S)");
	assert_contains(err, "jig 'stereo-trs' socket A (trs-3.5: T R S)");

	assert_int_equal(profiles_load_cable(&p, "trs-3.5-to-mmcx-iem", cable, err), 0);
	assert_int_equal(profiles_load_jig(&p, "stereo-iem-2pin", jig, err), 0);
	assert_int_equal(profiles_fixture(jig, cable, &f, &w, err), -EINVAL);
	assert_contains(err, "end B plug 'left' (mmcx: C SH)");
	assert_contains(err, "socket B plug 'left' (2pin-0.78: + -)");

	assert_int_equal(profiles_load_cable(&p, "trs-3.5-extension", cable, err), 0);
	assert_int_equal(profiles_fixture(jig, cable, &f, &w, err), -EINVAL);
	assert_contains(err, "end B (trs-3.5) does not fit jig 'stereo-iem-2pin'");
	assert_contains(err, "socket B is left:2pin-0.78 right:2pin-0.78");
	free(cable);
	free(jig);
}

/* Each malformed file, the code and the message parts it must give. */
static const struct {
	enum profile_kind kind;
	const char *file;
	int rc;
	const char *want[3];
} malformed[] = {
	{ PROFILE_CONNECTOR, "connector-unknown-key.conf", -EINVAL,
	  { "connector-unknown-key.conf:5: ", "colour: unknown key in [connector]", "contacts, roles" } },
	{ PROFILE_CONNECTOR, "connector-role-count.conf", -EINVAL,
	  { "connector-role-count.conf:5: ", "roles: 3 roles for 4 contacts (T R1 R2 S)", NULL } },
	{ PROFILE_CONNECTOR, "connector-unknown-role.conf", -EINVAL,
	  { "connector-unknown-role.conf:5: ", "unknown role 'LEFT'", "L R G MIC L+" } },
	{ PROFILE_CONNECTOR, "connector-dup-key.conf", -EINVAL,
	  { "connector-dup-key.conf:6: ", "contacts: given twice (first on line 4)", NULL } },
	{ PROFILE_CONNECTOR, "connector-missing-roles.conf", -EINVAL,
	  { "connector-missing-roles.conf:3: ", "[connector] has no roles", NULL } },
	{ PROFILE_CONNECTOR, "connector-dup-contact.conf", -EINVAL,
	  { "connector-dup-contact.conf:3: ", "contacts: 'T' listed twice", NULL } },
	{ PROFILE_CONNECTOR, "connector-unknown-section.conf", -EINVAL,
	  { "connector-unknown-section.conf:6: ", "[plug]: unknown section in a connector profile; expected [connector]", NULL } },
	{ PROFILE_CONNECTOR, "connector-no-equals.conf", -EINVAL,
	  { "connector-no-equals.conf:3: ", "'contacts T R S': expected 'key = value'", NULL } },
	{ PROFILE_CONNECTOR, "connector-unclosed-section.conf", -EINVAL,
	  { "connector-unclosed-section.conf:2: ", "expected ']'", NULL } },
	{ PROFILE_CONNECTOR, "connector-key-before-section.conf", -EINVAL,
	  { "connector-key-before-section.conf:1: ", "before any section; expected [connector] first", NULL } },
	{ PROFILE_CONNECTOR, "connector-empty.conf", -EINVAL,
	  { "connector-empty.conf:1: ", "no [connector] section", NULL } },
	{ PROFILE_CABLE, "cable-unknown-connector.conf", -EINVAL,
	  { "cable-unknown-connector.conf:4: ", "end_a: unknown connector 'trs-3.55'; closest: trs-3.5,", NULL } },
	{ PROFILE_CABLE, "cable-missing-end.conf", -EINVAL,
	  { "cable-missing-end.conf:1: ", "[cable] has no end_b", NULL } },
	{ PROFILE_CABLE, "cable-wire-unknown.conf", -EINVAL,
	  { "cable-wire-unknown.conf:6: ", "wire: unknown contact 'R1' of end B (trs-3.5)", "expected one of T R S" } },
	{ PROFILE_CABLE, "cable-dup-wire.conf", -EINVAL,
	  { "cable-dup-wire.conf:7: ", "wire: T T listed twice (first on line 5)", NULL } },
	{ PROFILE_CABLE, "cable-bad-limit.conf", -EINVAL,
	  { "cable-bad-limit.conf:7: ", "max_series_ohms: 'low' is not a number", NULL } },
	{ PROFILE_CABLE, "cable-unlabelled-plugs.conf", -EINVAL,
	  { "cable-unlabelled-plugs.conf:5: ", "end_b: '2pin-0.78 2pin-0.78' has 2 plugs, so each needs a label", NULL } },
	{ PROFILE_CABLE, "cable-no-match.conf", -EINVAL,
	  { "cable-no-match.conf:5: ", "no contact of trs-balanced-mono matches a contact of xlr4 by role", NULL } },
	{ PROFILE_JIG, "jig-channel-twice.conf", -EINVAL,
	  { "jig-channel-twice.conf:10: ", "output channel 1 used twice (first on line 8)", NULL } },
	{ PROFILE_JIG, "jig-output-tied.conf", -EINVAL,
	  { "jig-output-tied.conf:15: ", "tie: A.S is driven by output 2 (line 9)", NULL } },
	{ PROFILE_JIG, "jig-load-unknown.conf", -EINVAL,
	  { "jig-load-unknown.conf:15: ", "load: unknown contact 'B.R2'; socket B (trs-3.5) has B.T B.R B.S", NULL } },
	{ PROFILE_JIG, "jig-ohms-negative.conf", -EINVAL,
	  { "jig-ohms-negative.conf:4: ", "source_ohms: -100 ohms; expected a resistance above 0", NULL } },
	{ PROFILE_JIG, "jig-load-ohms-text.conf", -EINVAL,
	  { "jig-load-ohms-text.conf:14: ", "load: 'thirty-two' is not a number", NULL } },
	{ PROFILE_JIG, "jig-unknown-contact.conf", -EINVAL,
	  { "jig-unknown-contact.conf:11: ", "input: unknown contact 'B.left.P'",
	    "has B.left.+ B.left.- B.right.+ B.right.-" } },
	{ PROFILE_JIG, "jig-missing-socket.conf", -EINVAL,
	  { "jig-missing-socket.conf:1: ", "[jig] has no socket_b", NULL } },
	{ PROFILE_JIG, "jig-bad-input.conf", -EINVAL,
	  { "jig-bad-input.conf:11: ", "input 1: 'B.T B.S'", "differential pair (+B.T -B.S)" } },
	{ PROFILE_JIG, "jig-socket-unknown.conf", -EINVAL,
	  { "jig-socket-unknown.conf:3: ", "socket_b: unknown connector '2pin'; closest: 2pin-0.78", NULL } },
	{ PROFILE_JIG, "jig-dup-key.conf", -EINVAL,
	  { "jig-dup-key.conf:5: ", "source_ohms: given twice (first on line 4)", NULL } },
	{ PROFILE_JIG, "jig-channel-zero.conf", -EINVAL,
	  { "jig-channel-zero.conf:8: ", "output channel '0': expected a channel number from 1 to 64", NULL } },
	{ PROFILE_JIG, "jig-output-on-b.conf", -EINVAL,
	  { "jig-output-on-b.conf:8: ", "output 1: B.T is on socket B; expected a contact of socket A", NULL } },
	{ PROFILE_JIG, "jig-no-outputs.conf", -EINVAL,
	  { "jig-no-outputs.conf:1: ", "no output channels", NULL } },
};

static int load_kind(const struct profiles *p, enum profile_kind kind, const char *name,
                     char err[PROFILE_ERR_MAX])
{
	static struct tw_connector conn;
	static struct tw_cable cable;
	static struct tw_jig jig;

	switch (kind) {
	case PROFILE_CONNECTOR: return profiles_load_connector(p, name, &conn, err);
	case PROFILE_CABLE: return profiles_load_cable(p, name, &cable, err);
	case PROFILE_JIG: return profiles_load_jig(p, name, &jig, err);
	case PROFILE_INTERFACE: break;   /* profiles/interface_file.c: unit.interface */
	}
	return -EINVAL;
}

static void test_malformed_messages(void **state)
{
	struct profiles p;

	(void)state;
	shipped(&p);
	for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
		char path[512], err[PROFILE_ERR_MAX] = "";
		int rc;

		snprintf(path, sizeof path, "%s/%s", BAD, malformed[i].file);
		rc = load_kind(&p, malformed[i].kind, path, err);
		if (rc != malformed[i].rc)
			fail_msg("%s: rc %d, expected %d (%s)", malformed[i].file, rc, malformed[i].rc, err);
		for (int k = 0; k < 3 && malformed[i].want[k]; k++)
			assert_contains(err, malformed[i].want[k]);
	}
}

static void test_lookup_and_suggestions(void **state)
{
	struct profiles p;
	struct tw_cable *cable = calloc(1, sizeof *cable);
	struct tw_connector conn;
	char err[PROFILE_ERR_MAX], path[256];

	(void)state;
	shipped(&p);
	assert_int_equal(profiles_load_cable(&p, "trs-extensoin", cable, err), -ENOENT);
	assert_contains(err, "unknown cable 'trs-extensoin'; closest: trs-3.5-extension, ");
	assert_int_equal(profiles_load_connector(&p, "xlr-3", &conn, err), -ENOENT);
	assert_contains(err, "unknown connector 'xlr-3'; closest: xlr3, ");

	/* A path is a path: absolute, or anything ending in .conf. */
	assert_int_equal(profiles_load_cable(&p, SHIPPED "/cables/xlr3-interconnect.conf", cable, err), 0);
	assert_string_equal(cable->name, "xlr3-interconnect");
	assert_int_equal(profiles_load_cable(&p, "no-such-cable.conf", cable, err), -ENOENT);
	assert_contains(err, "cable file no-such-cable.conf: No such file or directory");
	assert_int_equal(profiles_load_cable(&p, BAD, cable, err), -EINVAL);
	assert_contains(err, "not a regular file");

	assert_int_equal(profiles_find(&p, PROFILE_JIG, "trrs-4ch", path, err), 0);
	assert_string_equal(path, SHIPPED "/jigs/trrs-4ch.conf");
	assert_string_equal(profile_kind_name(PROFILE_JIG), "jig");
	assert_int_equal(profiles_find(&p, PROFILE_JIG, "", path, err), -EINVAL);

	/* With no folders at all, say so instead of suggesting nothing. */
	p.n_dirs = 0;
	assert_int_equal(profiles_load_connector(&p, "trs-3.5", &conn, err), -ENOENT);
	assert_contains(err, "unknown connector 'trs-3.5'; no connectors found");
	free(cable);
}

static void test_list_sorted(void **state)
{
	static char names[MAX_NAMES][PROFILE_NAME_MAX];
	char few[3][PROFILE_NAME_MAX];
	struct profiles p;
	unsigned n;

	(void)state;
	shipped(&p);
	for (int kind = PROFILE_CONNECTOR; kind <= PROFILE_JIG; kind++) {
		n = profiles_list(&p, (enum profile_kind)kind, names, MAX_NAMES);
		assert_true(n > 3);
		for (unsigned i = 1; i < n; i++)
			assert_true(strcmp(names[i - 1], names[i]) < 0);
		/* A short array holds the alphabetically first names. */
		assert_int_equal(profiles_list(&p, (enum profile_kind)kind, few, 3), 3);
		for (unsigned i = 0; i < 3; i++)
			assert_string_equal(few[i], names[i]);
	}
	/* The same folder twice lists each name once. */
	p.n_dirs = 2;
	memcpy(p.dir[1], p.dir[0], sizeof p.dir[0]);
	assert_int_equal(profiles_list(&p, PROFILE_JIG, names, MAX_NAMES), n);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void make_dirs(const char *root)
{
	char buf[512];
	const char *sub[] = { "", "/connectors", "/cables", "/jigs" };

	for (int i = 0; i < 4; i++) {
		snprintf(buf, sizeof buf, "%s%s", root, sub[i]);
		assert_int_equal(mkdir(buf, 0755), 0);
	}
}

/* A user adds a connector, a cable and a jig under their own folder, with no
 * code change, and they take part in lookup next to the shipped ones. */
static void test_user_folder_and_search_order(void **state)
{
	char tmp[] = "/tmp/tonewire-profiles-XXXXXX";
	char user[600], env[600], home[600], buf[800], err[PROFILE_ERR_MAX];
	struct profiles p;
	struct tw_cable *cable = calloc(1, sizeof *cable);
	struct tw_jig *jig = calloc(1, sizeof *jig);
	struct fixture f;
	struct wiring w;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	snprintf(user, sizeof user, "%s/extra", tmp);
	snprintf(env, sizeof env, "%s/env", tmp);
	snprintf(home, sizeof home, "%s/home", tmp);
	make_dirs(user);
	make_dirs(env);
	snprintf(buf, sizeof buf, "%s/.config", home);
	assert_int_equal(mkdir(home, 0755), 0);
	assert_int_equal(mkdir(buf, 0755), 0);
	snprintf(buf, sizeof buf, "%s/.config/tonewire", home);
	assert_int_equal(mkdir(buf, 0755), 0);
	snprintf(buf, sizeof buf, "%s/.config/tonewire/profiles", home);
	make_dirs(buf);

	snprintf(buf, sizeof buf, "%s/connectors/banana-4mm.conf", user);
	write_file(buf, "[connector]\nname = banana-4mm\ndescription = a pair of 4 mm banana plugs\n"
	                "contacts = RED BLACK\nroles = + -\n");
	snprintf(buf, sizeof buf, "%s/cables/speaker-lead.conf", env);
	write_file(buf, "[cable]\nname = speaker-lead\ndescription = speaker lead, banana to bare wire\n"
	                "end_a = banana-4mm\nend_b = ../../extra/connectors/banana-4mm.conf\n");
	snprintf(buf, sizeof buf, "%s/jigs/banana-2ch.conf", env);
	write_file(buf, "[jig]\nname = banana-2ch\ndescription = banana binding posts\n"
	                "socket_a = banana-4mm\nsocket_b = banana-4mm\n"
	                "source_ohms = 0.1\ninput_ohms = 10k\n"
	                "[outputs]\n1 = A.RED\n[inputs]\n1 = +B.RED -B.BLACK\n"
	                "[ground]\ntie = A.BLACK\n[loads]\nload = B.RED B.BLACK 8\n");
	snprintf(buf, sizeof buf, "%s/cables/misnamed.conf", env);
	write_file(buf, "[cable]\nname = something-else\nend_a = trs-3.5\nend_b = trs-3.5\n");

	setenv("TONEWIRE_PROFILES", env, 1);
	setenv("HOME", home, 1);
	unsetenv("XDG_CONFIG_HOME");
	snprintf(buf, sizeof buf, "%s:%s/does-not-exist", user, tmp);
	profiles_init(&p, buf);
	/* --profiles, then $TONEWIRE_PROFILES, then ~/.config, … the shipped ones last. */
	assert_true(p.n_dirs >= 4);
	assert_string_equal(p.dir[0], user);
	assert_string_equal(p.dir[1], env);
	snprintf(buf, sizeof buf, "%s/.config/tonewire/profiles", home);
	assert_string_equal(p.dir[2], buf);
	assert_string_equal(p.dir[p.n_dirs - 1], shipped_real());

	assert_int_equal(profiles_load_cable(&p, "speaker-lead", cable, err), 0);
	assert_int_equal(cable->a.n_contacts, 2);
	assert_int_equal(profiles_load_jig(&p, "banana-2ch", jig, err), 0);
	assert_true(jig->fixture.input_ohms == 10000);
	assert_int_equal(profiles_fixture(jig, cable, &f, &w, err), 0);
	assert_int_equal(w.n, 2);
	assert_true(has_wire(&f, &w, "A.RED", "B.RED"));
	assert_true(has_wire(&f, &w, "A.BLACK", "B.BLACK"));

	/* Found by name, the name key must be the file's name. */
	assert_int_equal(profiles_load_cable(&p, "misnamed", cable, err), -EINVAL);
	assert_contains(err, "misnamed.conf:2: name: 'something-else' differs from the file name");
	snprintf(buf, sizeof buf, "%s/cables/misnamed.conf", env);
	assert_int_equal(profiles_load_cable(&p, buf, cable, err), 0);
	assert_string_equal(cable->name, "something-else");

	snprintf(buf, sizeof buf, "rm -rf '%s'", tmp);
	assert_int_equal(system(buf), 0);
	unsetenv("TONEWIRE_PROFILES");
	free(cable);
	free(jig);
}

/* Runs "cmd 'path'" in a shell: mkdir -p, rm -rf. */
static void run(const char *cmd, const char *path)
{
	char buf[PATH_MAX + 64];

	assert_true((size_t)snprintf(buf, sizeof buf, "%s '%s'", cmd, path) < sizeof buf);
	assert_int_equal(system(buf), 0);
}

/* A user's profile of a shipped name wins, in the documented order (--profiles,
 * ~/.config, …, shipped), every file of the name is listed, and a broken
 * override is reported with its own file:line instead of being skipped. */
static void test_user_overrides_shipped(void **state)
{
	char tmp[] = "/tmp/tonewire-override-XXXXXX";
	char home[600], cfg[700], extra[600], buf[PATH_MAX], shipped_file[PATH_MAX + 40], err[PROFILE_ERR_MAX];
	char paths[PROFILE_MAX_DIRS][256];
	const char *old_home = getenv("HOME");
	char saved_home[512];
	struct profiles p;
	struct tw_connector conn;

	(void)state;
	snprintf(saved_home, sizeof saved_home, "%s", old_home ? old_home : "");
	assert_non_null(mkdtemp(tmp));
	snprintf(home, sizeof home, "%s/home", tmp);
	snprintf(cfg, sizeof cfg, "%s/.config/tonewire/profiles", home);
	snprintf(extra, sizeof extra, "%s/extra", tmp);
	snprintf(buf, sizeof buf, "%s/connectors", cfg);
	run("mkdir -p", buf);
	snprintf(buf, sizeof buf, "%s/connectors", extra);
	run("mkdir -p", buf);
	snprintf(shipped_file, sizeof shipped_file, "%s/connectors/trs-3.5.conf", shipped_real());
	setenv("HOME", home, 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("TONEWIRE_PROFILES");

	snprintf(buf, sizeof buf, "%s/connectors/trs-3.5.conf", cfg);
	write_file(buf, "[connector]\ndescription = the user's own\ncontacts = T R S\nroles = L R G\n");
	profiles_init(&p, NULL);
	assert_int_equal(profiles_load_connector(&p, "trs-3.5", &conn, err), 0);
	assert_string_equal(conn.description, "the user's own");
	assert_string_equal(conn.path, buf);
	assert_int_equal(profiles_find_all(&p, PROFILE_CONNECTOR, "trs-3.5", paths, PROFILE_MAX_DIRS), 2);
	assert_string_equal(paths[0], buf);
	assert_string_equal(paths[1], shipped_file);
	/* a name only shipped is still found, once */
	assert_int_equal(profiles_find_all(&p, PROFILE_CONNECTOR, "xlr3", paths, PROFILE_MAX_DIRS), 1);

	/* --profiles comes before ~/.config */
	snprintf(buf, sizeof buf, "%s/connectors/trs-3.5.conf", extra);
	write_file(buf, "[connector]\ndescription = from --profiles\ncontacts = T R S\nroles = L R G\n");
	profiles_init(&p, extra);
	assert_int_equal(profiles_load_connector(&p, "trs-3.5", &conn, err), 0);
	assert_string_equal(conn.description, "from --profiles");
	assert_int_equal(profiles_find_all(&p, PROFILE_CONNECTOR, "trs-3.5", paths, PROFILE_MAX_DIRS), 3);
	assert_string_equal(paths[0], buf);
	assert_string_equal(paths[2], shipped_file);
	assert_int_equal(profiles_find_all(&p, PROFILE_CONNECTOR, "trs-3.5", paths, 1), 1);

	/* $XDG_CONFIG_HOME takes the place of ~/.config */
	snprintf(buf, sizeof buf, "%s/xdg", tmp);
	setenv("XDG_CONFIG_HOME", buf, 1);
	profiles_init(&p, NULL);
	assert_int_equal(profiles_load_connector(&p, "trs-3.5", &conn, err), 0);
	assert_string_equal(conn.path, shipped_file);
	unsetenv("XDG_CONFIG_HOME");

	/* A broken override leads with its own file and line. */
	snprintf(buf, sizeof buf, "%s/connectors/trs-3.5.conf", cfg);
	write_file(buf, "[connector]\ncontacts = T R S\nroles = L R\n");
	profiles_init(&p, NULL);
	assert_int_equal(profiles_load_connector(&p, "trs-3.5", &conn, err), -EINVAL);
	snprintf(buf, sizeof buf, "%s/connectors/trs-3.5.conf:3: roles: 2 roles for 3 contacts", cfg);
	if (strncmp(err, buf, strlen(buf)) != 0)
		fail_msg("expected the message to start with \"%s\": %s", buf, err);

	run("rm -rf", tmp);
	setenv("HOME", saved_home, 1);
}

/* --profiles reaches code that only sees the environment (the simulator
 * plugin): in front of $TONEWIRE_PROFILES, made absolute. */
static void test_export(void **state)
{
	char tmp[] = "/tmp/tonewire-export-XXXXXX";
	char cwd[PATH_MAX], want[PATH_MAX + 64], err[PROFILE_ERR_MAX];
	struct profiles p;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_non_null(mkdtemp(tmp));
	snprintf(want, sizeof want, "%s/sub", tmp);
	run("mkdir -p", want);
	unsetenv("TONEWIRE_PROFILES");
	assert_int_equal(profiles_export(NULL, err), 0);
	assert_int_equal(profiles_export("", err), 0);
	assert_null(getenv("TONEWIRE_PROFILES"));

	setenv("TONEWIRE_PROFILES", "/old/one", 1);
	assert_int_equal(chdir(tmp), 0);
	assert_int_equal(profiles_export("sub", err), 0);
	assert_int_equal(chdir(cwd), 0);
	snprintf(want, sizeof want, "%s/sub:/old/one", tmp);
	assert_string_equal(getenv("TONEWIRE_PROFILES"), want);
	profiles_init(&p, NULL);
	snprintf(want, sizeof want, "%s/sub", tmp);
	assert_string_equal(p.dir[0], want);
	unsetenv("TONEWIRE_PROFILES");
	run("rm -rf", tmp);
}

/* profiles show FILE needs the kind of a file from its sections. */
static void test_kind_of(void **state)
{
	char tmp[] = "/tmp/tonewire-kind-XXXXXX";
	char path[600], err[PROFILE_ERR_MAX];
	enum profile_kind kind = PROFILE_JIG;

	(void)state;
	assert_int_equal(profiles_kind_of(SHIPPED "/connectors/xlr3.conf", &kind, err), 0);
	assert_int_equal(kind, PROFILE_CONNECTOR);
	assert_int_equal(profiles_kind_of(SHIPPED "/cables/trs-3.5-extension.conf", &kind, err), 0);
	assert_int_equal(kind, PROFILE_CABLE);
	assert_int_equal(profiles_kind_of(SHIPPED "/jigs/trrs-4ch.conf", &kind, err), 0);
	assert_int_equal(kind, PROFILE_JIG);
	assert_non_null(mkdtemp(tmp));
	snprintf(path, sizeof path, "%s/x.conf", tmp);
	write_file(path, "; only a comment\n");
	assert_int_equal(profiles_kind_of(path, &kind, err), -EINVAL);
	assert_contains(err, "x.conf: no [connector], [cable] or [jig] section");
	write_file(path, "[cable]\nend_a = trs-3.5\nwire\n");
	assert_int_equal(profiles_kind_of(path, &kind, err), -EINVAL);
	assert_contains(err, "x.conf:3: 'wire': expected 'key = value'");
	assert_int_equal(profiles_kind_of(tmp, &kind, err), -EINVAL);
	assert_contains(err, "a directory");
	run("rm -rf", tmp);
}

/* No input may crash the loader: empty, binary, huge lines, random mixes of
 * plausible lines. Each either loads or fails with a message naming the file. */
static void test_never_crashes(void **state)
{
	static const char *const vocab[] = {
		"[connector]", "[cable]", "[jig]", "[outputs]", "[inputs]", "[ground]", "[loads]", "[limits]",
		"name = x", "contacts = T R S", "roles = L R G", "roles = L R", "contacts =", "end_a = trs-3.5",
		"end_b = left:2pin-0.78 right:2pin-0.78", "end_b = left:", "end_a = :", "wire = T T",
		"wire = T", "socket_a = trs-3.5", "socket_b = trs-3.5", "source_ohms = 100",
		"input_ohms = 1e999", "1 = A.T", "2 = A.R", "17 = A.T", "1 = +B.T -B.S", "1 = -B.T",
		"tie = A.S", "tie = B.X", "load = B.T B.S 32", "load = B.T ground 0", "load = B.T B.T 1",
		"max_phase_deg = nan", "; comment", "# comment", "   indented = yes", "[", "]", "=", "==",
		"[jig] trailing", "\xef\xbb\xbf[connector]", "key = value ; inline", "x\ty = 1",
	};
	char tmp[] = "/tmp/tonewire-fuzz-XXXXXX";
	char path[600], err[PROFILE_ERR_MAX];
	struct profiles p;
	unsigned seed = 12345;

	(void)state;
	shipped(&p);
	assert_non_null(mkdtemp(tmp));
	snprintf(path, sizeof path, "%s/fuzz.conf", tmp);
	for (int iter = 0; iter < 3000; iter++) {
		FILE *fp = fopen(path, "wb");
		int lines = (int)(rand_r(&seed) % 20);

		assert_non_null(fp);
		for (int l = 0; l < lines; l++) {
			unsigned pick = (unsigned)rand_r(&seed) % 10;

			if (pick < 7) {
				fputs(vocab[(unsigned)rand_r(&seed) % (sizeof vocab / sizeof vocab[0])], fp);
			} else if (pick < 9) {
				int len = rand_r(&seed) % (iter % 50 == 0 ? 5000 : 80);
				for (int b = 0; b < len; b++)
					fputc(rand_r(&seed) % 256, fp);
			} else {
				for (int b = 0; b < 3000; b++)
					fputc('a' + b % 26, fp);
			}
			if (rand_r(&seed) % 8)
				fputc('\n', fp);
		}
		fclose(fp);
		for (int kind = PROFILE_CONNECTOR; kind <= PROFILE_JIG; kind++) {
			int rc;

			err[0] = '\0';
			rc = load_kind(&p, (enum profile_kind)kind, path, err);
			assert_true(rc == 0 || rc == -EINVAL || rc == -ENOENT);
			if (rc)
				assert_true(err[0] != '\0');
			if (rc == -EINVAL && !strstr(err, "fuzz.conf"))
				fail_msg("message without the file: %s", err);
		}
	}
	snprintf(path, sizeof path, "rm -rf '%s'", tmp);
	assert_int_equal(system(path), 0);
}

static void test_huge_and_binary_lines(void **state)
{
	char tmp[] = "/tmp/tonewire-lines-XXXXXX";
	char path[600], err[PROFILE_ERR_MAX];
	struct profiles p;
	FILE *fp;

	(void)state;
	shipped(&p);
	assert_non_null(mkdtemp(tmp));
	snprintf(path, sizeof path, "%s/huge.conf", tmp);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("[connector]\ncontacts = T R S\ndescription = ", fp);
	for (int i = 0; i < 100000; i++)
		fputc('x', fp);
	fputs("\nroles = L R G\n", fp);
	fclose(fp);
	/* No line length limit: a long value is judged by its field. */
	assert_int_equal(load_kind(&p, PROFILE_CONNECTOR, path, err), -EINVAL);
	assert_contains(err, "huge.conf:3: description: longer than 199 characters");

	/* A long comment is a comment, and the next line keeps its own number
	 * (a 199-character limit once reported it on the line after). */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("[connector]\n; ", fp);
	for (int i = 0; i < 5000; i++)
		fputc('a' + i % 26, fp);
	fputs("\ncontacts = T R S   ; ", fp);
	for (int i = 0; i < 5000; i++)
		fputc('b', fp);
	fputs("\nroles = L R X\n", fp);
	fclose(fp);
	assert_int_equal(load_kind(&p, PROFILE_CONNECTOR, path, err), -EINVAL);
	assert_contains(err, "huge.conf:4: roles: unknown role 'X'");

	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("[connector]\ncontacts = T R S\nroles = L R G\n\x7f" "ELF\x02\x01\x01", fp);
	fputc(0, fp);
	fclose(fp);
	assert_int_equal(load_kind(&p, PROFILE_CONNECTOR, path, err), -EINVAL);
	assert_contains(err, "huge.conf:4: control byte 0x7f");

	/* Indented lines are keys of their own, not continuations of the line before. */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("[connector]\n  contacts = T R S   # tip, ring, sleeve\n\troles = L R G ; as usual\n", fp);
	fclose(fp);
	assert_int_equal(load_kind(&p, PROFILE_CONNECTOR, path, err), 0);

	snprintf(path, sizeof path, "rm -rf '%s'", tmp);
	assert_int_equal(system(path), 0);
}

static void test_end_parse(void **state)
{
	struct profiles p;
	struct tw_end *e = calloc(1, sizeof *e);
	char err[PROFILE_ERR_MAX];

	(void)state;
	shipped(&p);
	assert_int_equal(profiles_end_parse(&p, "left:2pin-0.78 right:2pin-0.78", NULL, e, err), 0);
	assert_int_equal(e->n_plugs, 2);
	assert_int_equal(e->n_contacts, 4);
	assert_string_equal(e->contact[0], "left.+");
	assert_string_equal(e->contact[3], "right.-");
	assert_string_equal(e->plug_of[2], "right");
	assert_int_equal(e->role[1], ROLE_N);
	assert_int_equal(profiles_end_find(e, "right.+"), 2);
	assert_int_equal(profiles_end_find(e, "+"), -1);

	assert_int_equal(profiles_end_parse(&p, "left:mmcx left:mmcx", NULL, e, err), -EINVAL);
	assert_contains(err, "plug label 'left' used twice");
	assert_int_equal(profiles_end_parse(&p, "a:rca b:rca c:rca d:rca e:rca", NULL, e, err), -EINVAL);
	assert_contains(err, "more than 4 plugs");
	assert_int_equal(profiles_end_parse(&p, "le ft:rca", NULL, e, err), -ENOENT);
	assert_int_equal(profiles_end_parse(&p, "l/r:rca", NULL, e, err), -EINVAL);
	assert_contains(err, "bad plug label 'l/r'");
	assert_int_equal(profiles_end_parse(&p, "  ", NULL, e, err), -EINVAL);
	assert_contains(err, "empty");
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connectors_match_table),
		cmocka_unit_test(test_every_shipped_file_loads),
		cmocka_unit_test(test_every_cable_fits_a_jig),
		cmocka_unit_test(test_ctia_to_omtp_crosses_r2_and_s),
		cmocka_unit_test(test_trs_to_iem_splits_ground),
		cmocka_unit_test(test_channel_map),
		cmocka_unit_test(test_akg_pins_by_role),
		cmocka_unit_test(test_more_role_wirings),
		cmocka_unit_test(test_explicit_wires_and_limits),
		cmocka_unit_test(test_fixture_without_cable),
		cmocka_unit_test(test_cable_does_not_fit),
		cmocka_unit_test(test_malformed_messages),
		cmocka_unit_test(test_lookup_and_suggestions),
		cmocka_unit_test(test_list_sorted),
		cmocka_unit_test(test_user_folder_and_search_order),
		cmocka_unit_test(test_user_overrides_shipped),
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_kind_of),
		cmocka_unit_test(test_never_crashes),
		cmocka_unit_test(test_huge_and_binary_lines),
		cmocka_unit_test(test_end_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
