/* load: the parts of reading a profile that connectors, cables and jigs share — finding and reading the file, values, names, ends. */
#include "load.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void file_dir(const char *path, char *out, size_t cap)
{
	const char *b = strrchr(path, '/');

	if (!b)
		snprintf(out, cap, ".");
	else if (b == path)
		snprintf(out, cap, "/");
	else
		snprintf(out, cap, "%.*s", (int)(b - path), path);
}

int load_open(struct loader *ld, const struct profiles *p, enum profile_kind kind, const char *requested,
              char path[256], const struct ini_schema *schema, char err[PROFILE_ERR_MAX])
{
	int rc;

	memset(ld, 0, sizeof *ld);
	ld->p = p;
	ld->requested = requested;
	ld->err = err;
	rc = profiles_find(p, kind, requested, path, err);
	if (rc < 0)
		return rc;
	rc = ini_load(path, schema, &ld->doc, err);
	if (rc < 0)
		return rc == -ENOENT ? -EINVAL : rc;   /* found a moment ago: not a missing name */
	ld->file = ini_name(ld->doc);
	file_dir(path, ld->base, sizeof ld->base);
	return 0;
}

void load_close(struct loader *ld)
{
	ini_free(ld->doc);
	ld->doc = NULL;
}

int load_fail(const struct loader *ld, unsigned line, const char *key, const char *fmt, ...)
{
	char msg[PROFILE_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return ini_error(ld->err, ld->file, line, key, "%s", msg);
}

int load_key(const struct ini_schema *schema, const struct ini_entry *e)
{
	int any = -1;

	if (!e->key)
		return -1;
	for (unsigned i = 0; i < schema->n_keys; i++) {
		if (strcmp(schema->keys[i].section, e->section) != 0)
			continue;
		if (!schema->keys[i].name)
			any = (int)i;
		else if (strcmp(schema->keys[i].name, e->key) == 0)
			return (int)i;
	}
	return any;
}

int load_number(const char *v, double *out)
{
	char *end;
	double x;

	if (!v[0] || isspace((unsigned char)v[0]))
		return -EINVAL;
	errno = 0;
	x = strtod(v, &end);
	if (end == v || errno == ERANGE)
		return -EINVAL;
	if (*end == 'k' || *end == 'K') {
		x *= 1e3;
		end++;
	} else if (*end == 'M') {
		x *= 1e6;
		end++;
	}
	if (*end != '\0' || !isfinite(x))
		return -EINVAL;
	*out = x;
	return 0;
}

int load_ohms(const struct loader *ld, const struct ini_entry *e, double *out)
{
	if (load_number(e->value, out) < 0)
		return load_fail(ld, e->line, e->key, "'%.40s' is not a number; expected ohms, e.g. 32 or 10k",
		                 e->value);
	if (*out <= 0)
		return load_fail(ld, e->line, e->key, "%g ohms; expected a resistance above 0", *out);
	return 0;
}

/* Names travel into file names, URLs and JSON: keep them plain. */
int load_name(const struct loader *ld, const struct ini_entry *e, char name[PROFILE_NAME_MAX])
{
	const char *v = e->value;
	size_t n = strlen(v);

	if (n == 0)
		return load_fail(ld, e->line, e->key, "empty; expected a name such as trs-3.5");
	if (n >= PROFILE_NAME_MAX)
		return load_fail(ld, e->line, e->key, "longer than %d characters", PROFILE_NAME_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && !strchr("._+-", v[i]))
			return load_fail(ld, e->line, e->key,
			                 "'%.40s' has '%c'; expected letters, digits, '.', '_', '+', '-'", v, v[i]);
	if (n >= 5 && strcmp(v + n - 5, ".conf") == 0)
		return load_fail(ld, e->line, e->key, "'%s' ends in .conf; expected the name without it", v);
	memcpy(name, v, n + 1);
	return 0;
}

int load_text(const struct loader *ld, const struct ini_entry *e, char *dst, size_t cap)
{
	size_t n = strlen(e->value);

	if (n >= cap)
		return load_fail(ld, e->line, e->key, "longer than %zu characters", cap - 1);
	memcpy(dst, e->value, n + 1);
	return 0;
}

int load_split(const char *v, char *tok, size_t cap, unsigned max)
{
	unsigned n = 0;

	while (*v) {
		size_t len;

		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (!*v)
			break;
		len = strcspn(v, " \t,");
		if (n == max || len >= cap)
			return -1;
		memcpy(tok + n * cap, v, len);
		tok[n * cap + len] = '\0';
		n++;
		v += len;
	}
	return (int)n;
}

void load_end_contacts(const struct tw_end *e, const char *prefix, char *buf, size_t len)
{
	buf[0] = '\0';
	for (unsigned i = 0; i < e->n_contacts; i++) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%s%s%s", i ? " " : "", prefix, e->contact[i]);
	}
}

int load_end(const struct loader *ld, const struct ini_entry *e, struct tw_end *end,
             char spec[LOAD_VALUE_MAX])
{
	char sub[PROFILE_ERR_MAX];

	if (load_text(ld, e, spec, LOAD_VALUE_MAX) < 0)
		return -EINVAL;
	if (profiles_end_parse(ld->p, e->value, ld->base, end, sub) < 0)
		return load_fail(ld, e->line, e->key, "%s", sub);
	return 0;
}

/* "dir/name.conf" -> "name" (for a file without a name key). */
static void file_stem(const char *path, char *out, size_t cap)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	if (n >= 5 && strcmp(b + n - 5, ".conf") == 0)
		n -= 5;
	snprintf(out, cap, "%.*s", (int)n, b);
}

int load_settle_name(const struct loader *ld, char name[PROFILE_NAME_MAX], unsigned name_line)
{
	char stem[PROFILE_NAME_MAX];

	file_stem(ld->file, stem, sizeof stem);
	if (!name[0]) {
		snprintf(name, PROFILE_NAME_MAX, "%s", stem);
		return 0;
	}
	if (!profiles_is_path(ld->requested) && strcmp(name, stem) != 0)
		return load_fail(ld, name_line, "name", "'%s' differs from the file name '%s.conf'; expected name = %s",
		                 name, stem, stem);
	return 0;
}

int profiles_kind_of(const char *path, enum profile_kind *kind, char err[PROFILE_ERR_MAX])
{
	/* Any key in any section of the three kinds: only the file's shape counts here. */
	static const char *const all[] = { "connector", "cable", "limits", "jig", "outputs", "inputs", "ground",
		                           "loads", NULL };
	static const struct ini_key any[] = {
		{ "connector", NULL, 1 }, { "cable", NULL, 1 }, { "limits", NULL, 1 }, { "jig", NULL, 1 },
		{ "outputs", NULL, 1 }, { "inputs", NULL, 1 }, { "ground", NULL, 1 }, { "loads", NULL, 1 },
	};
	static const struct ini_schema shape = { "profile", all, any, sizeof any / sizeof any[0], 0 };
	static const enum profile_kind kinds[] = { PROFILE_CONNECTOR, PROFILE_CABLE, PROFILE_JIG };
	unsigned best = 0;
	ini *doc;
	int rc = ini_load(path, &shape, &doc, err);

	if (rc < 0)
		return rc;
	for (unsigned k = 0; k < 3; k++) {
		unsigned line = ini_section_line(doc, profile_kind_name(kinds[k]));

		if (line && (!best || line < best)) {
			best = line;
			*kind = kinds[k];
		}
	}
	ini_free(doc);
	if (!best)
		return ini_error(err, path, 0, NULL, "no [connector], [cable] or [jig] section; not a profile");
	return 0;
}
