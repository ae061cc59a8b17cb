/* cable: reads a cable profile (its two ends, optional wire list and limits). */
#include "load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sections[] = { "cable", "limits", NULL };
enum { BK_NAME, BK_DESC, BK_END_A, BK_END_B, BK_WIRE,
       BK_LEVEL, BK_XTALK, BK_SERIES, BK_SNR, BK_PHASE, BK_COUNT };
static const struct ini_key keys[BK_COUNT] = {
	[BK_NAME] = { "cable", "name", 0 },
	[BK_DESC] = { "cable", "description", 0 },
	[BK_END_A] = { "cable", "end_a", 0 },
	[BK_END_B] = { "cable", "end_b", 0 },
	[BK_WIRE] = { "cable", "wire", 1 },
	[BK_LEVEL] = { "limits", "max_level_dev_db", 0 },
	[BK_XTALK] = { "limits", "max_crosstalk_db", 0 },
	[BK_SERIES] = { "limits", "max_series_ohms", 0 },
	[BK_SNR] = { "limits", "min_snr_db", 0 },
	[BK_PHASE] = { "limits", "max_phase_deg", 0 },
};
static const struct ini_schema schema = { "cable profile", sections, keys, BK_COUNT, 0 };

struct cable_ctx {
	struct tw_cable *out;
	char spec_a[LOAD_VALUE_MAX], spec_b[LOAD_VALUE_MAX];
	unsigned end_a_line, end_b_line;
};

/* [limits] values, with the range that makes sense for each. */
static int cable_limit(const struct loader *ld, int k, const struct ini_entry *e, struct classify_limits *lim)
{
	double x;

	if (load_number(e->value, &x) < 0)
		return load_fail(ld, e->line, e->key, "'%.40s' is not a number", e->value);
	switch (k) {
	case BK_LEVEL:
		if (x <= 0)
			return load_fail(ld, e->line, e->key, "%g; expected a level deviation above 0 dB", x);
		lim->max_level_dev_db = x;
		break;
	case BK_XTALK:
		if (x >= 0)
			return load_fail(ld, e->line, e->key, "%g; expected a negative level, e.g. -40", x);
		lim->max_crosstalk_db = x;
		break;
	case BK_SERIES:
		if (x <= 0)
			return load_fail(ld, e->line, e->key, "%g; expected ohms above 0", x);
		lim->max_series_ohms = x;
		break;
	case BK_SNR:
		if (x <= 0)
			return load_fail(ld, e->line, e->key, "%g; expected a ratio above 0 dB", x);
		lim->min_snr_db = x;
		break;
	case BK_PHASE:
		if (x <= 0 || x >= 180)
			return load_fail(ld, e->line, e->key, "%g; expected degrees between 0 and 180", x);
		lim->max_phase_deg = x;
		break;
	}
	return 0;
}

/* A wire contact is named as in the end ("T", "left.+"); "A.T"/"B.T" is
 * accepted too, since jig and scenario files name contacts that way. */
static int wire_contact(const struct tw_end *e, const char *name, char side)
{
	int i = profiles_end_find(e, name);

	if (i < 0 && name[0] == side && name[1] == '.')
		i = profiles_end_find(e, name + 2);
	return i;
}

/* One wire line, once both ends are known. */
static int cable_wire(const struct loader *ld, struct cable_ctx *cx, const struct ini_entry *e, unsigned *lines)
{
	struct tw_cable *c = cx->out;
	char tok[3][FIXTURE_NAME_MAX + 2], list[160];
	int n = load_split(e->value, tok[0], sizeof tok[0], 3), a, b;

	if (n != 2)
		return load_fail(ld, e->line, e->key,
		                 "'%.40s'; expected two contacts, one of end A and one of end B, e.g. wire = T T",
		                 e->value);
	if (c->n_wires == WIRING_MAX)
		return load_fail(ld, e->line, e->key, "more than %d wire lines", WIRING_MAX);
	a = wire_contact(&c->a, tok[0], 'A');
	b = wire_contact(&c->b, tok[1], 'B');
	if (a < 0) {
		load_end_contacts(&c->a, "", list, sizeof list);
		return load_fail(ld, e->line, e->key, "unknown contact '%s' of end A (%s); expected one of %s", tok[0],
		                 cx->spec_a, list);
	}
	if (b < 0) {
		load_end_contacts(&c->b, "", list, sizeof list);
		return load_fail(ld, e->line, e->key, "unknown contact '%s' of end B (%s); expected one of %s", tok[1],
		                 cx->spec_b, list);
	}
	for (unsigned v = 0; v < c->n_wires; v++)
		if (c->wire_a[v] == a && c->wire_b[v] == b)
			return load_fail(ld, e->line, e->key, "%s %s listed twice (first on line %u)", tok[0], tok[1],
			                 lines[v]);
	lines[c->n_wires] = e->line;
	c->wire_a[c->n_wires] = a;
	c->wire_b[c->n_wires] = b;
	c->n_wires++;
	return 0;
}

/* Every key but the wires, in file order (wires need both ends first). */
static int cable_keys(const struct loader *ld, struct cable_ctx *cx)
{
	struct tw_cable *c = cx->out;

	for (unsigned i = 0; i < ini_count(ld->doc); i++) {
		const struct ini_entry *e = ini_at(ld->doc, i);
		int k = load_key(&schema, e), rc = 0;

		switch (k) {
		case BK_NAME: rc = load_name(ld, e, c->name); break;
		case BK_DESC: rc = load_text(ld, e, c->description, sizeof c->description); break;
		case BK_END_A: rc = load_end(ld, e, &c->a, cx->spec_a); cx->end_a_line = e->line; break;
		case BK_END_B: rc = load_end(ld, e, &c->b, cx->spec_b); cx->end_b_line = e->line; break;
		case BK_WIRE: break;
		default: rc = cable_limit(ld, k, e, &c->limits); break;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int parse_cable(const struct loader *ld, struct tw_cable *out)
{
	struct cable_ctx cx = { .out = out };
	const struct ini_entry *name = ini_get(ld->doc, "cable", "name");
	unsigned section = ini_section_line(ld->doc, "cable"), lines[WIRING_MAX];
	int pa[WIRING_MAX], pb[WIRING_MAX], n;

	if (cable_keys(ld, &cx) < 0)
		return -EINVAL;
	if (!section)
		return load_fail(ld, 1, NULL, "no [cable] section; expected [cable] with end_a and end_b");
	if (!cx.end_a_line || !cx.end_b_line)
		return load_fail(ld, section, NULL, "[cable] has no %s; expected the connector of that end, e.g. %s = trs-3.5",
		                 cx.end_a_line ? "end_b" : "end_a", cx.end_a_line ? "end_b" : "end_a");
	for (unsigned i = 0; i < ini_count(ld->doc); i++)
		if (load_key(&schema, ini_at(ld->doc, i)) == BK_WIRE && cable_wire(ld, &cx, ini_at(ld->doc, i), lines) < 0)
			return -EINVAL;
	n = profiles_cable_pairs(out, pa, pb, WIRING_MAX);
	if (n == -ENOSPC)
		return load_fail(ld, cx.end_b_line, "end_b", "more than %d conductors by role; list them with wire lines",
		                 WIRING_MAX);
	/* A cable with nothing connected is a typo in a role, not a cable. */
	if (n == 0)
		return load_fail(ld, cx.end_b_line, "end_b",
		                 "no contact of %s matches a contact of %s by role; expected matching roles or wire = lines",
		                 cx.spec_a, cx.spec_b);
	return load_settle_name(ld, out->name, name ? name->line : 0);
}

int profiles_load_cable(const struct profiles *p, const char *name, struct tw_cable *out,
                        char err[PROFILE_ERR_MAX])
{
	struct loader ld;
	int rc;

	memset(out, 0, sizeof *out);
	classify_limits_default(&out->limits);
	rc = load_open(&ld, p, PROFILE_CABLE, name, out->path, &schema, err);
	if (rc == 0)
		rc = parse_cable(&ld, out);
	load_close(&ld);
	return rc;
}
