/* jig: reads a jig profile (two sockets, the channels that drive and sense them, ground ties, loads) into a fixture. */
#include "load.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sections[] = { "jig", "outputs", "inputs", "ground", "loads", NULL };
enum { JK_NAME, JK_DESC, JK_SOCKET_A, JK_SOCKET_B, JK_SOURCE, JK_INPUT, JK_OUTPUT_CH, JK_INPUT_CH,
       JK_TIE, JK_LOAD, JK_COUNT };
static const struct ini_key keys[JK_COUNT] = {
	[JK_NAME] = { "jig", "name", 0 },
	[JK_DESC] = { "jig", "description", 0 },
	[JK_SOCKET_A] = { "jig", "socket_a", 0 },
	[JK_SOCKET_B] = { "jig", "socket_b", 0 },
	[JK_SOURCE] = { "jig", "source_ohms", 0 },
	[JK_INPUT] = { "jig", "input_ohms", 0 },
	/* Channel numbers: checked here, so "1" and "01" count as one channel. */
	[JK_OUTPUT_CH] = { "outputs", NULL, 1 },
	[JK_INPUT_CH] = { "inputs", NULL, 1 },
	[JK_TIE] = { "ground", "tie", 1 },
	[JK_LOAD] = { "loads", "load", 1 },
};
static const struct ini_schema schema = { "jig profile", sections, keys, JK_COUNT, 0 };

struct jig_ctx {
	struct tw_jig *out;
	char spec_a[LOAD_VALUE_MAX], spec_b[LOAD_VALUE_MAX];
	unsigned line[JK_COUNT];                                   /* first line of each key */
	/* by device channel number - 1 */
	const struct ini_entry *output[PROFILE_MAX_DEVICE_CHANNEL], *input[PROFILE_MAX_DEVICE_CHANNEL];
};

/* Channel keys are the device's channels, 1-based, as printed on the
 * interface: a jig may use any of them (outputs 3 and 4 of a Scarlett 4i4). */
static int channel(const struct loader *ld, struct jig_ctx *cx, const struct ini_entry *e, int is_output)
{
	const char *what = is_output ? "output" : "input";
	const struct ini_entry **slot;
	unsigned long ch;
	char *end;

	if (!isdigit((unsigned char)e->key[0]))
		goto bad;
	ch = strtoul(e->key, &end, 10);
	if (*end || ch < 1 || ch > PROFILE_MAX_DEVICE_CHANNEL)
		goto bad;
	slot = is_output ? &cx->output[ch - 1] : &cx->input[ch - 1];
	if (*slot)
		return load_fail(ld, e->line, NULL, "%s channel %lu used twice (first on line %u)", what, ch,
		                 (*slot)->line);
	*slot = e;
	return 0;
bad:
	return load_fail(ld, e->line, NULL, "%s channel '%.20s': expected a channel number from 1 to %d", what,
	                 e->key, PROFILE_MAX_DEVICE_CHANNEL);
}

/* "A.T" -> fixture contact index; fails naming the socket's contacts. */
static int jig_contact(const struct loader *ld, const struct jig_ctx *cx, unsigned line, const char *field,
                       const char *ref)
{
	const struct tw_end *e;
	char list[160];
	int i = fixture_find_contact(&cx->out->fixture, ref);

	if (i >= 0)
		return i;
	if ((ref[0] != 'A' && ref[0] != 'B') || ref[1] != '.')
		return load_fail(ld, line, field, "'%.40s'; expected a contact of socket A or B, such as A.T or B.left.+",
		                 ref);
	e = ref[0] == 'A' ? &cx->out->socket_a : &cx->out->socket_b;
	load_end_contacts(e, ref[0] == 'A' ? "A." : "B.", list, sizeof list);
	return load_fail(ld, line, field, "unknown contact '%.40s'; socket %c (%s) has %s", ref, ref[0],
	                 ref[0] == 'A' ? cx->spec_a : cx->spec_b, list);
}

static int add_socket(const struct loader *ld, unsigned line, struct fixture *f, const struct tw_end *e,
                      unsigned end)
{
	for (unsigned i = 0; i < e->n_contacts; i++) {
		struct fixture_contact *fc;

		if (f->n_contacts == FIXTURE_MAX_CONTACTS)
			return load_fail(ld, line, NULL, "sockets: more than %d contacts in all", FIXTURE_MAX_CONTACTS);
		fc = &f->contact[f->n_contacts++];
		snprintf(fc->name, sizeof fc->name, "%c.%.*s", end ? 'B' : 'A', FIXTURE_NAME_MAX - 3, e->contact[i]);
		fc->end = end;
		memcpy(fc->plug, e->plug_of[i], sizeof fc->plug);
		fc->role = e->role[i];
		fc->socket_role = e->role[i];
	}
	return 0;
}

/* The channels a section names, ascending, into chans: how many, or a
 * negative errno when there are none or more than the fixture takes. */
static int used_channels(const struct loader *ld, const struct ini_entry *const *ch, const char *what,
                         const char *example, unsigned section, unsigned chans[FIXTURE_MAX_CHANNELS])
{
	unsigned n = 0;

	for (unsigned i = 0; i < PROFILE_MAX_DEVICE_CHANNEL; i++) {
		if (!ch[i])
			continue;
		if (n == FIXTURE_MAX_CHANNELS)
			return load_fail(ld, ch[i]->line, NULL, "more than %d %s channels; a jig drives and senses at most %d",
			                 FIXTURE_MAX_CHANNELS, what, FIXTURE_MAX_CHANNELS);
		chans[n++] = i + 1;
	}
	if (n == 0)
		return load_fail(ld, section ? section : 1, NULL, "no %s channels; expected [%ss] with e.g. %s", what,
		                 what, example);
	return (int)n;
}

static int jig_outputs(const struct loader *ld, struct jig_ctx *cx)
{
	struct fixture *f = &cx->out->fixture;
	unsigned *chans = cx->out->out_channel;
	int n = used_channels(ld, cx->output, "output", "1 = A.T", ini_section_line(ld->doc, "outputs"), chans);

	if (n < 0)
		return n;
	for (unsigned ch = 0; ch < (unsigned)n; ch++) {
		const struct ini_entry *e = cx->output[chans[ch] - 1];
		char tok[2][LOAD_VALUE_MAX], field[16];
		int c;

		snprintf(field, sizeof field, "output %u", chans[ch]);
		if (load_split(e->value, tok[0], sizeof tok[0], 2) != 1)
			return load_fail(ld, e->line, field, "'%.40s'; expected one contact, e.g. %u = A.T", e->value,
			                 chans[ch]);
		c = jig_contact(ld, cx, e->line, "output", tok[0]);
		if (c < 0)
			return c;
		/* The fixture model drives the near end and reads the far end. */
		if (f->contact[c].end != 0)
			return load_fail(ld, e->line, field, "%s is on socket B; expected a contact of socket A, the driven end",
			                 tok[0]);
		for (unsigned o = 0; o < ch; o++)
			if (f->output[o] == c)
				return load_fail(ld, e->line, field, "%s is already driven by output %u (line %u)", tok[0],
				                 chans[o], cx->output[chans[o] - 1]->line);
		f->output[ch] = c;
	}
	f->n_outputs = (unsigned)n;
	return 0;
}

static int jig_tie(const struct loader *ld, struct jig_ctx *cx, const struct ini_entry *e, unsigned *lines)
{
	struct fixture *f = &cx->out->fixture;
	char tok[2][LOAD_VALUE_MAX];
	int c;

	if (f->n_ties == FIXTURE_MAX_TIES)
		return load_fail(ld, e->line, e->key, "more than %d tie lines", FIXTURE_MAX_TIES);
	if (load_split(e->value, tok[0], sizeof tok[0], 2) != 1)
		return load_fail(ld, e->line, e->key, "'%.40s'; expected one contact, e.g. tie = A.S", e->value);
	c = jig_contact(ld, cx, e->line, e->key, tok[0]);
	if (c < 0)
		return c;
	for (unsigned u = 0; u < f->n_ties; u++)
		if (f->tie[u] == c)
			return load_fail(ld, e->line, e->key, "%s is already tied (line %u)", tok[0], lines[u]);
	/* A driven contact tied to ground would short the output. */
	for (unsigned o = 0; o < f->n_outputs; o++)
		if (f->output[o] == c)
			return load_fail(ld, e->line, e->key,
			                 "%s is driven by output %u (line %u); a driven contact cannot be tied to ground",
			                 tok[0], cx->out->out_channel[o], cx->output[cx->out->out_channel[o] - 1]->line);
	lines[f->n_ties] = e->line;
	f->tie[f->n_ties++] = c;
	return 0;
}

static int jig_inputs(const struct loader *ld, struct jig_ctx *cx)
{
	struct fixture *f = &cx->out->fixture;
	unsigned *chans = cx->out->in_channel;
	int n = used_channels(ld, cx->input, "input", "1 = B.T", ini_section_line(ld->doc, "inputs"), chans);

	if (n < 0)
		return n;
	for (unsigned ch = 0; ch < (unsigned)n; ch++) {
		const struct ini_entry *e = cx->input[chans[ch] - 1];
		char tok[3][LOAD_VALUE_MAX], field[16];
		int k = load_split(e->value, tok[0], sizeof tok[0], 3), pos, neg = -1;

		snprintf(field, sizeof field, "input %u", chans[ch]);
		if (k == 1 && tok[0][0] != '-') {
			pos = jig_contact(ld, cx, e->line, "input", tok[0] + (tok[0][0] == '+'));
			if (pos < 0)
				return pos;
		} else if (k == 2 && ((tok[0][0] == '+' && tok[1][0] == '-') || (tok[0][0] == '-' && tok[1][0] == '+'))) {
			const char *p = tok[0][0] == '+' ? tok[0] + 1 : tok[1] + 1;
			const char *m = tok[0][0] == '-' ? tok[0] + 1 : tok[1] + 1;

			if ((pos = jig_contact(ld, cx, e->line, "input", p)) < 0 ||
			    (neg = jig_contact(ld, cx, e->line, "input", m)) < 0)
				return -EINVAL;
			if (pos == neg)
				return load_fail(ld, e->line, field, "senses %s against itself", p);
		} else {
			return load_fail(ld, e->line, field,
			                 "'%.40s'; expected a contact (B.T) or a differential pair (+B.T -B.S)", e->value);
		}
		f->input_pos[ch] = pos;
		f->input_neg[ch] = neg;
	}
	f->n_inputs = (unsigned)n;
	return 0;
}

static int jig_load(const struct loader *ld, struct jig_ctx *cx, const struct ini_entry *e)
{
	struct fixture *f = &cx->out->fixture;
	char tok[4][LOAD_VALUE_MAX];
	struct fixture_load *l;
	double ohms;

	if (f->n_loads == FIXTURE_MAX_LOADS)
		return load_fail(ld, e->line, e->key, "more than %d load lines", FIXTURE_MAX_LOADS);
	l = &f->load[f->n_loads];
	if (load_split(e->value, tok[0], sizeof tok[0], 4) != 3)
		return load_fail(ld, e->line, e->key, "'%.40s'; expected two contacts and ohms, e.g. load = B.T B.S 32",
		                 e->value);
	if ((l->a = jig_contact(ld, cx, e->line, e->key, tok[0])) < 0)
		return -EINVAL;
	/* A load to the interface ground, e.g. a pull-down on a floating contact. */
	if (strcmp(tok[1], "ground") == 0 || strcmp(tok[1], "GND") == 0)
		l->b = -1;
	else if ((l->b = jig_contact(ld, cx, e->line, e->key, tok[1])) < 0)
		return -EINVAL;
	if (l->a == l->b)
		return load_fail(ld, e->line, e->key, "between %s and itself; expected two different contacts", tok[0]);
	if (load_number(tok[2], &ohms) < 0)
		return load_fail(ld, e->line, e->key, "'%.40s' is not a number; expected ohms, e.g. 32", tok[2]);
	if (ohms <= 0)
		return load_fail(ld, e->line, e->key, "%g ohms; expected a resistance above 0", ohms);
	l->ohms = ohms;
	f->n_loads++;
	return 0;
}

/* [jig] keys and the channel lines, in file order. */
static int jig_keys(const struct loader *ld, struct jig_ctx *cx)
{
	struct tw_jig *j = cx->out;

	for (unsigned i = 0; i < ini_count(ld->doc); i++) {
		const struct ini_entry *e = ini_at(ld->doc, i);
		int k = load_key(&schema, e), rc = 0;

		if (k >= 0 && !cx->line[k])
			cx->line[k] = e->line;
		switch (k) {
		case JK_NAME: rc = load_name(ld, e, j->name); break;
		case JK_DESC: rc = load_text(ld, e, j->description, sizeof j->description); break;
		case JK_SOCKET_A: rc = load_end(ld, e, &j->socket_a, cx->spec_a); break;
		case JK_SOCKET_B: rc = load_end(ld, e, &j->socket_b, cx->spec_b); break;
		case JK_SOURCE: rc = load_ohms(ld, e, &j->fixture.source_ohms); break;
		case JK_INPUT: rc = load_ohms(ld, e, &j->fixture.input_ohms); break;
		case JK_OUTPUT_CH: rc = channel(ld, cx, e, 1); break;
		case JK_INPUT_CH: rc = channel(ld, cx, e, 0); break;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int parse_jig(const struct loader *ld, struct tw_jig *out)
{
	static const struct { int key; const char *example; } required[] = {
		{ JK_SOCKET_A, "socket_a = trs-3.5" },
		{ JK_SOCKET_B, "socket_b = trs-3.5" },
		{ JK_SOURCE, "source_ohms = 100 (the interface's output impedance)" },
		{ JK_INPUT, "input_ohms = 10000 (the interface's input impedance)" },
	};
	struct jig_ctx *cx = calloc(1, sizeof *cx);
	unsigned section = ini_section_line(ld->doc, "jig"), tie_lines[FIXTURE_MAX_TIES];
	struct fixture *f = &out->fixture;
	int rc = -EINVAL;

	if (!cx)
		return load_fail(ld, 0, NULL, "out of memory");
	cx->out = out;
	if (jig_keys(ld, cx) < 0)
		goto out;
	if (!section) {
		load_fail(ld, 1, NULL, "no [jig] section; expected [jig] with socket_a, socket_b, source_ohms, input_ohms");
		goto out;
	}
	for (unsigned i = 0; i < sizeof required / sizeof required[0]; i++)
		if (!cx->line[required[i].key]) {
			load_fail(ld, section, NULL, "[jig] has no %s; expected e.g. %s", keys[required[i].key].name,
			          required[i].example);
			goto out;
		}
	if (load_settle_name(ld, out->name, cx->line[JK_NAME]) < 0)
		goto out;
	snprintf(f->jig, sizeof f->jig, "%s", out->name);
	if (add_socket(ld, section, f, &out->socket_a, 0) < 0 || add_socket(ld, section, f, &out->socket_b, 1) < 0 ||
	    jig_outputs(ld, cx) < 0)
		goto out;
	for (unsigned i = 0; i < ini_count(ld->doc); i++)
		if (load_key(&schema, ini_at(ld->doc, i)) == JK_TIE && jig_tie(ld, cx, ini_at(ld->doc, i), tie_lines) < 0)
			goto out;
	if (jig_inputs(ld, cx) < 0)
		goto out;
	for (unsigned i = 0; i < ini_count(ld->doc); i++)
		if (load_key(&schema, ini_at(ld->doc, i)) == JK_LOAD && jig_load(ld, cx, ini_at(ld->doc, i)) < 0)
			goto out;
	rc = 0;
out:
	free(cx);
	return rc;
}

int profiles_load_jig(const struct profiles *p, const char *name, struct tw_jig *out,
                      char err[PROFILE_ERR_MAX])
{
	struct loader ld;
	int rc;

	memset(out, 0, sizeof *out);
	rc = load_open(&ld, p, PROFILE_JIG, name, out->path, &schema, err);
	if (rc == 0)
		rc = parse_jig(&ld, out);
	load_close(&ld);
	return rc;
}
