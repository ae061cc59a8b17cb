/* fixture: the physical model of a jig with a cable in it (contacts, drives, senses, loads, conductors). */
#include "fixture.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* A tie to the interface ground is a short jig wire plus a contact: about
 * 10 mΩ. Modelling it as that resistor rather than merging the node into
 * ground keeps one node per contact, so the same fixture can be solved with
 * any cable and a short to a tied contact behaves as it does on the bench. */
#define TIE_OHMS 0.01

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_NONE] = "?",
	[ROLE_L] = "L", [ROLE_R] = "R", [ROLE_G] = "G", [ROLE_MIC] = "MIC",
	[ROLE_LP] = "L+", [ROLE_LN] = "L-", [ROLE_RP] = "R+", [ROLE_RN] = "R-",
	[ROLE_P] = "+", [ROLE_N] = "-",
	[ROLE_SIG] = "SIG", [ROLE_GND] = "GND", [ROLE_SHIELD] = "SHIELD",
	[ROLE_DATA] = "DATA", [ROLE_NC] = "NC",
};

const char *role_name(enum role r)
{
	if ((int)r <= ROLE_NONE || r >= ROLE_COUNT)
		return "?";
	return role_names[r];
}

int role_parse(const char *s, enum role *out)
{
	/* Profiles are written by people and often pasted from datasheets,
	 * where the minus is typeset as U+2212 (UTF-8 E2 88 92). Fold it to
	 * ASCII '-' before comparing. */
	char buf[16];
	size_t n = 0;

	if (!s || !out)
		return -EINVAL;
	while (*s) {
		if (n + 1 >= sizeof(buf))
			return -EINVAL;
		if ((unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x88 &&
		    (unsigned char)s[2] == 0x92) {
			buf[n++] = '-';
			s += 3;
		} else {
			buf[n++] = *s++;
		}
	}
	buf[n] = '\0';
	for (int r = ROLE_NONE + 1; r < ROLE_COUNT; r++) {
		if (strcmp(buf, role_names[r]) == 0) {
			*out = (enum role)r;
			return 0;
		}
	}
	return -EINVAL;
}

int fixture_find_contact(const struct fixture *f, const char *name)
{
	if (!f || !name)
		return -1;
	for (unsigned i = 0; i < f->n_contacts && i < FIXTURE_MAX_CONTACTS; i++)
		if (strncmp(f->contact[i].name, name, FIXTURE_NAME_MAX) == 0)
			return (int)i;
	return -1;
}

static int valid_contact(const struct fixture *f, int c)
{
	return c >= 0 && (unsigned)c < f->n_contacts;
}

/* Node of a contact: node 0 is ground, contact i is node i + 1. */
static unsigned node_of(int c)
{
	return (unsigned)c + 1;
}

int fixture_network(const struct fixture *f, const struct wiring *w, network *net)
{
	int rc;

	if (!f || !w || !net || f->n_contacts > FIXTURE_MAX_CONTACTS ||
	    f->n_outputs > FIXTURE_MAX_CHANNELS || f->n_inputs > FIXTURE_MAX_CHANNELS ||
	    f->n_ties > FIXTURE_MAX_TIES || f->n_loads > FIXTURE_MAX_LOADS || w->n > WIRING_MAX)
		return -EINVAL;
	rc = network_reset(net, f->n_contacts);
	if (rc < 0)
		return rc;

	for (unsigned o = 0; o < f->n_outputs; o++) {
		if (!valid_contact(f, f->output[o]))
			return -EINVAL;
		rc = network_add_source(net, node_of(f->output[o]), f->source_ohms);
		if (rc < 0)
			return rc;
	}
	for (unsigned i = 0; i < f->n_inputs; i++) {
		int pos = f->input_pos[i], neg = f->input_neg[i];
		if (!valid_contact(f, pos) || (neg != -1 && !valid_contact(f, neg)))
			return -EINVAL;
		rc = network_add_sense(net, node_of(pos), neg < 0 ? 0 : node_of(neg));
		if (rc < 0)
			return rc;
		/* Each input leg loads its contact with its own impedance to
		 * ground (a differential input is two such legs), so a contact
		 * sensed by two inputs sees both in parallel, as on the bench. */
		rc = network_add_resistor(net, node_of(pos), 0, f->input_ohms);
		if (rc == 0 && neg >= 0)
			rc = network_add_resistor(net, node_of(neg), 0, f->input_ohms);
		if (rc < 0)
			return rc;
	}
	for (unsigned t = 0; t < f->n_ties; t++) {
		if (!valid_contact(f, f->tie[t]))
			return -EINVAL;
		rc = network_add_resistor(net, node_of(f->tie[t]), 0, TIE_OHMS);
		if (rc < 0)
			return rc;
	}
	for (unsigned l = 0; l < f->n_loads; l++) {
		const struct fixture_load *ld = &f->load[l];
		if (!valid_contact(f, ld->a) || (ld->b != -1 && !valid_contact(f, ld->b)))
			return -EINVAL;
		rc = network_add_resistor(net, node_of(ld->a), ld->b < 0 ? 0 : node_of(ld->b), ld->ohms);
		if (rc < 0)
			return rc;
	}
	for (unsigned k = 0; k < w->n; k++) {
		const struct conductor *c = &w->c[k];
		if (!valid_contact(f, c->a) || !valid_contact(f, c->b) || !(c->ohms >= 0.0))
			return -EINVAL;
		/* A zero-initialised conductor means "a normal wire": profiles
		 * and scenarios only give a resistance when it matters. */
		double ohms = c->ohms > 0.0 ? c->ohms : WIRING_DEFAULT_OHMS;
		rc = network_add_resistor(net, node_of(c->a), node_of(c->b), ohms);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int fixture_gains(const struct fixture *f, const struct wiring *w, network *net, double *gain)
{
	if (!gain)
		return -EINVAL;
	int rc = fixture_network(f, w, net);
	if (rc < 0)
		return rc;
	/* Sources and senses were added in output and input order, so the
	 * solver's [sense][source] layout is already [input][output]. */
	return network_solve(net, gain);
}
