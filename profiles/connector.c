/* connector: reads a connector profile (contacts and their roles). */
#include "load.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const sections[] = { "connector", NULL };
enum { CK_NAME, CK_DESC, CK_CONTACTS, CK_ROLES, CK_COUNT };
static const struct ini_key keys[CK_COUNT] = {
	[CK_NAME] = { "connector", "name", 0 },
	[CK_DESC] = { "connector", "description", 0 },
	[CK_CONTACTS] = { "connector", "contacts", 0 },
	[CK_ROLES] = { "connector", "roles", 0 },
};
static const struct ini_schema schema = { "connector profile", sections, keys, CK_COUNT, 0 };

static int contact_name_ok(const char *s)
{
	for (; *s; s++)
		if (!isgraph((unsigned char)*s) || strchr(".:,;#=[]\"'", *s))
			return 0;
	return 1;
}

static int parse_contacts(const struct loader *ld, const struct ini_entry *e, struct tw_connector *c)
{
	char tok[PROFILE_MAX_CONTACTS][16];
	int n = load_split(e->value, tok[0], sizeof tok[0], PROFILE_MAX_CONTACTS);

	if (n < 0)
		return load_fail(ld, e->line, e->key, "expected at most %d names of at most %zu characters each",
		                 PROFILE_MAX_CONTACTS, sizeof c->contact[0] - 1);
	if (n == 0)
		return load_fail(ld, e->line, e->key, "empty; expected contact names, e.g. contacts = T R S");
	for (int i = 0; i < n; i++) {
		if (strlen(tok[i]) >= sizeof c->contact[0])
			return load_fail(ld, e->line, e->key, "'%s' is longer than %zu characters", tok[i],
			                 sizeof c->contact[0] - 1);
		if (!contact_name_ok(tok[i]))
			return load_fail(ld, e->line, e->key,
			                 "'%s' has a character that cannot be in a contact name (blank . : , ; # = [ ] quotes)",
			                 tok[i]);
		for (int j = 0; j < i; j++)
			if (strcmp(tok[i], tok[j]) == 0)
				return load_fail(ld, e->line, e->key, "'%s' listed twice; expected distinct names", tok[i]);
		memcpy(c->contact[i], tok[i], strlen(tok[i]) + 1);
	}
	c->n_contacts = (unsigned)n;
	return 0;
}

static void role_list(char *buf, size_t len)
{
	buf[0] = '\0';
	for (int r = ROLE_NONE + 1; r < ROLE_COUNT; r++) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%s%s", n ? " " : "", role_name((enum role)r));
	}
}

static int parse_roles(const struct loader *ld, const struct ini_entry *e, enum role role[PROFILE_MAX_CONTACTS],
                       unsigned *n_roles)
{
	char tok[PROFILE_MAX_CONTACTS][16], list[120];
	int n = load_split(e->value, tok[0], sizeof tok[0], PROFILE_MAX_CONTACTS);

	if (n < 0)
		return load_fail(ld, e->line, e->key, "expected at most %d roles of a few characters each",
		                 PROFILE_MAX_CONTACTS);
	for (int i = 0; i < n; i++) {
		enum role r = ROLE_NONE;

		if (role_parse(tok[i], &r) < 0 || r <= ROLE_NONE || r >= ROLE_COUNT) {
			role_list(list, sizeof list);
			return load_fail(ld, e->line, e->key, "unknown role '%s' (entry %d); expected one of %s", tok[i],
			                 i + 1, list);
		}
		role[i] = r;
	}
	*n_roles = (unsigned)n;
	return 0;
}

static int parse_connector(const struct loader *ld, struct tw_connector *out)
{
	enum role role[PROFILE_MAX_CONTACTS];
	unsigned n_roles = 0, section = ini_section_line(ld->doc, "connector");
	const struct ini_entry *name = ini_get(ld->doc, "connector", "name");
	const struct ini_entry *roles = ini_get(ld->doc, "connector", "roles");
	int rc = 0;

	for (unsigned i = 0; i < ini_count(ld->doc) && rc == 0; i++) {
		const struct ini_entry *e = ini_at(ld->doc, i);

		switch (load_key(&schema, e)) {
		case CK_NAME: rc = load_name(ld, e, out->name); break;
		case CK_DESC: rc = load_text(ld, e, out->description, sizeof out->description); break;
		case CK_CONTACTS: rc = parse_contacts(ld, e, out); break;
		case CK_ROLES: rc = parse_roles(ld, e, role, &n_roles); break;
		}
	}
	if (rc < 0)
		return rc;
	if (!section)
		return load_fail(ld, 1, NULL, "no [connector] section; expected [connector] with contacts and roles");
	if (!out->n_contacts)
		return load_fail(ld, section, NULL, "[connector] has no contacts; expected e.g. contacts = T R S");
	if (!roles)
		return load_fail(ld, section, NULL,
		                 "[connector] has no roles; expected one role per contact, e.g. roles = L R G");
	if (n_roles != out->n_contacts) {
		char names[200] = "";

		for (unsigned i = 0; i < out->n_contacts; i++) {
			size_t n = strlen(names);
			snprintf(names + n, sizeof names - n, "%s%s", i ? " " : "", out->contact[i]);
		}
		return load_fail(ld, roles->line, roles->key,
		                 "%u roles for %u contacts (%s); expected one role per contact, in the same order",
		                 n_roles, out->n_contacts, names);
	}
	memcpy(out->role, role, n_roles * sizeof role[0]);
	return load_settle_name(ld, out->name, name ? name->line : 0);
}

int profiles_load_connector(const struct profiles *p, const char *name, struct tw_connector *out,
                            char err[PROFILE_ERR_MAX])
{
	struct loader ld;
	int rc;

	memset(out, 0, sizeof *out);
	rc = load_open(&ld, p, PROFILE_CONNECTOR, name, out->path, &schema, err);
	if (rc == 0)
		rc = parse_connector(&ld, out);
	load_close(&ld);
	return rc;
}
