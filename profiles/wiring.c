/* profiles wiring: which contacts a good cable connects, and the fixture of a cable in a jig. */
#include "profiles.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define KEY_MAX 24

/* Messages are cut at PROFILE_ERR_MAX by design: names come first, the
 * contact lists after them may be shortened. */
__attribute__((format(printf, 2, 3)))
static void say(char err[PROFILE_ERR_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, PROFILE_ERR_MAX, fmt, ap);
	va_end(ap);
}

/* The side a plug label stands for: 'L', 'R', or 0 for another label, which
 * keeps its own namespace. */
static char label_side(const char *label)
{
	if (strcasecmp(label, "left") == 0 || strcasecmp(label, "l") == 0)
		return 'L';
	if (strcasecmp(label, "right") == 0 || strcasecmp(label, "r") == 0)
		return 'R';
	return 0;
}

/* The matching key of a contact: contacts with equal keys on the two ends of
 * a good cable are connected. "" = connects to nothing. The rules, also in
 * profiles/README.md:
 *  - L and L+ are the same signal ("L+"), so are R and R+ ("R+"): a
 *    single-ended left channel goes to the hot side of a balanced one;
 *    L- and R- keep their own keys.
 *  - On a plug labelled left/l or right/r, its + and SIG are that side's
 *    hot ("L+"/"R+") and its - is that side's return ("L-"/"R-"): the label
 *    is what says which channel a mono plug (an IEM pin pair, an RCA)
 *    carries. Another label keeps + - SIG in its own namespace ("mic:+").
 *  - Unlabelled + - SIG are themselves (an XLR3 interconnect, a mono lead).
 *  - G, GND and SHIELD are one ground ("G"): a balanced-mono plug's shield
 *    sleeve goes to an XLR's pin 1. MIC and DATA are themselves.
 *  - NC connects to nothing.
 * The classifier names faults by the same rules (dsp/classify_channels.c). */
static void role_key(enum role r, const char *label, char key[KEY_MAX])
{
	char side = label_side(label);
	const char *base = NULL;

	key[0] = '\0';
	switch (r) {
	case ROLE_L: case ROLE_LP: snprintf(key, KEY_MAX, "L+"); return;
	case ROLE_R: case ROLE_RP: snprintf(key, KEY_MAX, "R+"); return;
	case ROLE_LN: snprintf(key, KEY_MAX, "L-"); return;
	case ROLE_RN: snprintf(key, KEY_MAX, "R-"); return;
	case ROLE_G: case ROLE_GND: case ROLE_SHIELD: snprintf(key, KEY_MAX, "G"); return;
	case ROLE_MIC: snprintf(key, KEY_MAX, "MIC"); return;
	case ROLE_DATA: snprintf(key, KEY_MAX, "DATA"); return;
	case ROLE_P: base = "+"; break;
	case ROLE_SIG: base = "SIG"; break;
	case ROLE_N: base = "-"; break;
	case ROLE_NC: case ROLE_NONE: case ROLE_COUNT: return;
	}
	if (!base)
		return;
	if (side)
		snprintf(key, KEY_MAX, "%c%s", side, r == ROLE_N ? "-" : "+");
	else if (label[0])
		snprintf(key, KEY_MAX, "%s:%s", label, base);
	else
		snprintf(key, KEY_MAX, "%s", base);
}

/* A return conductor: what a ground splits to when the other end has no
 * ground of its own. */
static int is_minus(const char *key)
{
	size_t n = strlen(key);

	return n > 0 && key[n - 1] == '-';
}

static int add_pair(int *pa, int *pb, unsigned max, unsigned *n, int a, int b)
{
	for (unsigned i = 0; i < *n; i++)
		if (pa[i] == a && pb[i] == b)
			return 0;
	if (*n == max)
		return -ENOSPC;
	pa[*n] = a;
	pb[*n] = b;
	(*n)++;
	return 0;
}

/* The ground of one end that found no partner goes to every return
 * conductor of the other end left unmatched by the equal-key pass: a 3.5 mm
 * TRS to 2-pin IEM cable splits its sleeve to both earpieces' - pins, and a
 * Sennheiser HD 600 cable joins both drivers' - to the 6.35 mm sleeve. A
 * shield is ground for matching but no signal return: it never splits. */
static int ground_fallback(char (*gkey)[KEY_MAX], const enum role *grole, const int *gmatched, unsigned ng,
                           char (*mkey)[KEY_MAX], const int *mmatched, unsigned nm,
                           int g_is_a, int *pa, int *pb, unsigned max, unsigned *n)
{
	for (unsigned g = 0; g < ng; g++) {
		if (gmatched[g] || strcmp(gkey[g], "G") != 0 || grole[g] == ROLE_SHIELD)
			continue;
		for (unsigned m = 0; m < nm; m++) {
			int rc;

			if (mmatched[m] || !is_minus(mkey[m]))
				continue;
			rc = g_is_a ? add_pair(pa, pb, max, n, (int)g, (int)m)
			            : add_pair(pa, pb, max, n, (int)m, (int)g);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

int profiles_cable_pairs(const struct tw_cable *c, int *pa, int *pb, unsigned max)
{
	char ka[FIXTURE_MAX_CONTACTS][KEY_MAX], kb[FIXTURE_MAX_CONTACTS][KEY_MAX];
	int ma[FIXTURE_MAX_CONTACTS] = { 0 }, mb[FIXTURE_MAX_CONTACTS] = { 0 };
	unsigned n = 0;
	int rc;

	if (c->n_wires > 0) {
		if (c->n_wires > max)
			return -ENOSPC;
		for (unsigned w = 0; w < c->n_wires; w++) {
			pa[w] = c->wire_a[w];
			pb[w] = c->wire_b[w];
		}
		return (int)c->n_wires;
	}
	for (unsigned i = 0; i < c->a.n_contacts; i++)
		role_key(c->a.role[i], c->a.plug_of[i], ka[i]);
	for (unsigned j = 0; j < c->b.n_contacts; j++)
		role_key(c->b.role[j], c->b.plug_of[j], kb[j]);
	for (unsigned i = 0; i < c->a.n_contacts; i++) {
		for (unsigned j = 0; j < c->b.n_contacts; j++) {
			if (!ka[i][0] || strcmp(ka[i], kb[j]) != 0)
				continue;
			rc = add_pair(pa, pb, max, &n, (int)i, (int)j);
			if (rc < 0)
				return rc;
			ma[i] = mb[j] = 1;
		}
	}
	/* Only one direction can apply: if both ends had a ground, they would
	 * have matched each other above. */
	rc = ground_fallback(ka, c->a.role, ma, c->a.n_contacts, kb, mb, c->b.n_contacts, 1, pa, pb, max, &n);
	if (rc == 0)
		rc = ground_fallback(kb, c->b.role, mb, c->b.n_contacts, ka, ma, c->a.n_contacts, 0, pa, pb, max, &n);
	return rc < 0 ? rc : (int)n;
}

static void describe_plug(const struct tw_end *e, unsigned k, char *buf, size_t len)
{
	const struct tw_connector *c = &e->plug[k];
	size_t n;

	snprintf(buf, len, "%s:", c->name);
	for (unsigned i = 0; i < c->n_contacts; i++) {
		n = strlen(buf);
		snprintf(buf + n, len - n, " %s", c->contact[i]);
	}
}

static void describe_labels(const struct tw_end *e, char *buf, size_t len)
{
	buf[0] = '\0';
	for (unsigned k = 0; k < e->n_plugs; k++) {
		size_t n = strlen(buf);
		if (e->label[k][0])
			snprintf(buf + n, len - n, "%s%s:%s", k ? " " : "", e->label[k], e->plug[k].name);
		else
			snprintf(buf + n, len - n, "%s%s", k ? " " : "", e->plug[k].name);
	}
}

static int plug_index(const struct tw_end *e, const char *label)
{
	for (unsigned k = 0; k < e->n_plugs; k++)
		if (strcmp(e->label[k], label) == 0)
			return (int)k;
	return -1;
}

static int same_contacts(const struct tw_connector *x, const struct tw_connector *y)
{
	if (x->n_contacts != y->n_contacts)
		return 0;
	for (unsigned i = 0; i < x->n_contacts; i++) {
		unsigned j = 0;
		while (j < y->n_contacts && strcmp(x->contact[i], y->contact[j]) != 0)
			j++;
		if (j == y->n_contacts)
			return 0;
	}
	return 1;
}

/* A cable end fits a socket when it has the same plugs (by label) with the
 * same contact names: the contacts of the fixture are named after the
 * socket's, and each must find the cable's contact of that name. */
static int check_fit(const struct tw_jig *jig, const struct tw_cable *cable, char side,
                     char err[PROFILE_ERR_MAX])
{
	const struct tw_end *s = side == 'A' ? &jig->socket_a : &jig->socket_b;
	const struct tw_end *e = side == 'A' ? &cable->a : &cable->b;
	char want[120], got[120];

	if (s->n_plugs != e->n_plugs) {
		describe_labels(s, want, sizeof want);
		describe_labels(e, got, sizeof got);
		say(err, "cable '%s' end %c (%s) does not fit jig '%s': socket %c is %s",
		    cable->name, side, got, jig->name, side, want);
		return -EINVAL;
	}
	for (unsigned k = 0; k < s->n_plugs; k++) {
		int m = plug_index(e, s->label[k]);

		if (m < 0) {
			describe_labels(s, want, sizeof want);
			describe_labels(e, got, sizeof got);
			say(err, "cable '%s' end %c (%s) does not fit jig '%s': socket %c has plug '%s' (%s)",
			    cable->name, side, got, jig->name, side, s->label[k], want);
			return -EINVAL;
		}
		if (!same_contacts(&s->plug[k], &e->plug[m])) {
			describe_plug(s, k, want, sizeof want);
			describe_plug(e, (unsigned)m, got, sizeof got);
			if (s->label[k][0])
				say(err, "cable '%s' end %c plug '%s' (%s) does not fit jig '%s' socket %c plug '%s' (%s)",
				    cable->name, side, s->label[k], got, jig->name, side, s->label[k], want);
			else
				say(err, "cable '%s' end %c (%s) does not fit jig '%s' socket %c (%s)",
				    cable->name, side, got, jig->name, side, want);
			return -EINVAL;
		}
	}
	return 0;
}

int profiles_fixture(const struct tw_jig *jig, const struct tw_cable *cable,
                     struct fixture *f, struct wiring *expected, char err[PROFILE_ERR_MAX])
{
	int to_fix_a[FIXTURE_MAX_CONTACTS], to_fix_b[FIXTURE_MAX_CONTACTS];
	int pa[WIRING_MAX], pb[WIRING_MAX], n;

	*f = jig->fixture;
	if (expected)
		expected->n = 0;
	if (!cable)
		return 0;
	if (check_fit(jig, cable, 'A', err) < 0 || check_fit(jig, cable, 'B', err) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < FIXTURE_MAX_CONTACTS; i++)
		to_fix_a[i] = to_fix_b[i] = -1;
	for (unsigned i = 0; i < f->n_contacts; i++) {
		struct fixture_contact *fc = &f->contact[i];
		const struct tw_end *e = fc->end ? &cable->b : &cable->a;
		int k = profiles_end_find(e, fc->name + 2);   /* past "A." */

		if (k < 0)
			continue;   /* check_fit has seen every name; cannot happen */
		fc->role = e->role[k];
		(fc->end ? to_fix_b : to_fix_a)[k] = (int)i;
	}
	if (!expected)
		return 0;
	n = profiles_cable_pairs(cable, pa, pb, WIRING_MAX);
	if (n < 0) {
		say(err, "cable '%s': more than %d conductors", cable->name, WIRING_MAX);
		return n;
	}
	for (int w = 0; w < n; w++) {
		struct conductor *c = &expected->c[expected->n];

		c->a = to_fix_a[pa[w]];
		c->b = to_fix_b[pb[w]];
		c->ohms = WIRING_DEFAULT_OHMS;
		if (c->a >= 0 && c->b >= 0)
			expected->n++;
	}
	return 0;
}
