/* profiles loader: reads connector, cable and jig files (INI, through inih) with errors that name file, line and field. */
#include "profiles.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A profile is a few dozen lines; anything near this size is not one, and
 * refusing it early keeps a mistaken path (a log, an image) from being read. */
#define PROFILE_FILE_MAX (1L << 20)
/* Longer lines are read to their end and rejected as a whole, so a huge line
 * is never split into several "lines" with wrong numbers. */
#define RAW_LINE_MAX 1024
#define MAX_SECTIONS 6
#define VALUE_MAX 200

struct reader;
typedef int (*pair_fn)(struct reader *r, const char *section, const char *key, const char *value);

/* One file being parsed. inih as packaged by Debian does not pass line
 * numbers to the handler, so the reader below counts lines itself: inih
 * calls it once per physical line, and calls the handler for that line
 * before asking for the next one. */
struct reader {
	const char *path;
	FILE *fp;
	int line;
	int failed;
	char *err;
	const char *const *sections;    /* allowed, NULL-terminated */
	int section_line[MAX_SECTIONS]; /* first line of each allowed section, 0 = absent */
	pair_fn on_pair;
	void *ctx;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct reader *r, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->failed)
		return -EINVAL;   /* the first error is the one worth reading */
	r->failed = 1;
	n = snprintf(r->err, PROFILE_ERR_MAX, "%s:%d: ", r->path, line);
	if (n < 0 || n >= PROFILE_ERR_MAX)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(r->err + n, (size_t)(PROFILE_ERR_MAX - n), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int section_index(const struct reader *r, const char *name)
{
	for (int i = 0; r->sections[i]; i++)
		if (strcmp(r->sections[i], name) == 0)
			return i;
	return -1;
}

static void list_sections(const struct reader *r, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int i = 0; r->sections[i]; i++) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%s[%s]", i ? " " : "", r->sections[i]);
	}
}

static int key_char(int c)
{
	return isalnum(c) || c == '_' || c == '-' || c == '.';
}

/* Hands inih one line at a time, normalised so that inih's own rules cannot
 * surprise a user: leading blanks are removed (inih would otherwise glue an
 * indented line onto the previous value), '#' after a blank starts a comment
 * like ';' does, and sections and key syntax are checked here, where the
 * line number is known. Returns NULL at the end or on the first error. */
static char *read_line(char *str, int num, void *stream)
{
	struct reader *r = stream;
	char raw[RAW_LINE_MAX];
	size_t n = 0, got = 0;
	int too_long = 0, bad_byte = -1, c;
	char *s, *e;

	if (r->failed)
		return NULL;
	while ((c = getc(r->fp)) != EOF) {
		got++;
		if (c == '\n')
			break;
		if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
			if (bad_byte < 0)
				bad_byte = c;
		}
		if (n + 1 < sizeof raw)
			raw[n++] = (char)c;
		else
			too_long = 1;
	}
	if (got == 0)
		return NULL;
	r->line++;
	if (bad_byte >= 0) {
		fail(r, r->line, "control byte 0x%02x; expected a text file of 'key = value' lines",
		     bad_byte);
		return NULL;
	}
	raw[n] = '\0';
	s = raw;
	if (r->line == 1 && (unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb &&
	    (unsigned char)s[2] == 0xbf)
		s += 3;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == ';' || *s == '#') {
		*s = '\0';
	} else {
		for (e = s; *e; e++) {
			if ((*e == ';' || *e == '#') && e > s && (e[-1] == ' ' || e[-1] == '\t')) {
				*e = '\0';
				break;
			}
		}
	}
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	if (too_long || e - s >= num - 2) {
		fail(r, r->line, "line too long (more than %d characters)", num - 3);
		return NULL;
	}

	if (*s == '[') {
		char *close = strchr(s, ']');
		char name[64], list[160];
		size_t len;
		int idx;

		if (!close) {
			fail(r, r->line, "'%.40s': expected ']' to close the section name", s);
			return NULL;
		}
		if (close[1] != '\0') {
			fail(r, r->line, "unexpected '%.40s' after '%.*s'", close + 1,
			     (int)(close - s + 1), s);
			return NULL;
		}
		for (s++; *s == ' ' || *s == '\t'; s++)
			;
		len = (size_t)(close - s);
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		snprintf(name, sizeof name, "%.*s", (int)len, s);
		idx = len < sizeof name ? section_index(r, name) : -1;
		if (idx < 0) {
			list_sections(r, list, sizeof list);
			fail(r, r->line, "unknown section [%.40s]; expected %s", name, list);
			return NULL;
		}
		if (!r->section_line[idx])
			r->section_line[idx] = r->line;
		snprintf(str, (size_t)num, "[%s]", name);
		return str;
	}
	if (*s) {
		char *eq = strchr(s, '=');
		char *k;
		int in_section = 0, key_len;

		if (!eq) {
			fail(r, r->line, "'%.40s': expected 'key = value', a [section] or a comment", s);
			return NULL;
		}
		for (k = s; k < eq && key_char((unsigned char)*k); k++)
			;
		key_len = (int)(k - s > 40 ? 40 : k - s);
		while (k < eq && (*k == ' ' || *k == '\t'))
			k++;
		if (k != eq || eq == s) {
			fail(r, r->line, "'%.*s': expected a key (letters, digits, '_', '-', '.') before '='",
			     (int)(eq - s > 40 ? 40 : eq - s), s);
			return NULL;
		}
		for (int i = 0; i < MAX_SECTIONS && r->sections[i]; i++)
			in_section |= r->section_line[i] != 0;
		if (!in_section) {
			fail(r, r->line, "'%.*s' before any section; expected [%s] first", key_len, s,
			     r->sections[0]);
			return NULL;
		}
	}
	memcpy(str, s, (size_t)(e - s) + 1);
	return str;
}

static int on_ini_pair(void *user, const char *section, const char *name, const char *value)
{
	struct reader *r = user;

	/* inih wants nonzero for success; the key handlers speak 0/-errno. */
	if (r->failed)
		return 0;
	return r->on_pair(r, section, name, value) == 0;
}

/* Runs inih over the open file. Returns 0 or -EINVAL with err filled. */
static int read_all(struct reader *r)
{
	int rc = ini_parse_stream(read_line, r, on_ini_pair, r);

	if (r->failed)
		return -EINVAL;
	if (rc == -2) {
		snprintf(r->err, PROFILE_ERR_MAX, "out of memory reading %.200s", r->path);
		return -ENOMEM;
	}
	if (rc != 0) {
		/* read_line vets every line, so inih only gets here on something it
		 * parses differently from us; still say where. */
		fail(r, rc, "syntax error; expected 'key = value', a [section] or a comment");
		return -EINVAL;
	}
	return 0;
}

/* Shared helpers for the three kinds. */

struct key_spec {
	int section;        /* index into the reader's sections */
	const char *name;
	int repeatable;
};

/* Finds key in the table, or fails with the list of keys of that section;
 * fails on a second occurrence of a key that is not repeatable. seen[]
 * holds the line of each key's first occurrence. */
static int find_key(struct reader *r, const struct key_spec *keys, unsigned n_keys, int *seen,
                    const char *section, const char *name)
{
	int sec = section_index(r, section);
	char list[160] = "";

	for (unsigned i = 0; i < n_keys; i++) {
		if (keys[i].section != sec)
			continue;
		if (strcmp(keys[i].name, name) == 0) {
			if (seen[i] && !keys[i].repeatable)
				return fail(r, r->line, "%s: duplicate key (first set on line %d); expected it once",
				            name, seen[i]);
			if (!seen[i])
				seen[i] = r->line;
			return (int)i;
		}
		size_t n = strlen(list);
		snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", keys[i].name);
	}
	return fail(r, r->line, "unknown key '%.40s' in [%s]; expected one of: %s", name, section, list);
}

/* A number in a file: finite, with an optional k/M multiplier since
 * resistors are written that way ("10k"). */
static int parse_number(const char *v, double *out)
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

static int parse_ohms(struct reader *r, const char *field, const char *v, double *out)
{
	if (parse_number(v, out) < 0)
		return fail(r, r->line, "%s: '%.40s' is not a number; expected ohms, e.g. 32 or 10k",
		            field, v);
	if (*out <= 0)
		return fail(r, r->line, "%s: %g ohms; expected a resistance above 0", field, *out);
	return 0;
}

/* Names travel into file names, URLs and JSON: keep them plain. */
static int check_name(struct reader *r, const char *v)
{
	size_t n = strlen(v);

	if (n == 0)
		return fail(r, r->line, "name: empty; expected a name such as trs-3.5");
	if (n >= PROFILE_NAME_MAX)
		return fail(r, r->line, "name: longer than %d characters", PROFILE_NAME_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && !strchr("._+-", v[i]))
			return fail(r, r->line,
			            "name: '%.40s' has '%c'; expected letters, digits, '.', '_', '+', '-'",
			            v, v[i]);
	if (n >= 5 && strcmp(v + n - 5, ".conf") == 0)
		return fail(r, r->line, "name: '%s' ends in .conf; expected the name without it", v);
	return 0;
}

static int copy_text(struct reader *r, const char *field, const char *v, char *dst, size_t cap)
{
	if (strlen(v) >= cap)
		return fail(r, r->line, "%s: longer than %zu characters", field, cap - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* Splits a list value at blanks and commas. Returns the number of tokens, or
 * -1 when there are more than max or one is longer than cap - 1. */
static int split(const char *v, char *tok, size_t cap, unsigned max)
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

static void role_list(char *buf, size_t len)
{
	buf[0] = '\0';
	for (int r = ROLE_NONE + 1; r < ROLE_COUNT; r++) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%s%s", n ? " " : "", role_name((enum role)r));
	}
}

static void end_contacts(const struct tw_end *e, const char *prefix, char *buf, size_t len)
{
	buf[0] = '\0';
	for (unsigned i = 0; i < e->n_contacts; i++) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%s%s%s", i ? " " : "", prefix, e->contact[i]);
	}
}

/* Opens the profile a name or path refers to, refusing what cannot be a
 * profile (a folder, a device, a huge file). */
static int open_profile(const struct profiles *p, enum profile_kind kind, const char *name,
                        char path[256], FILE **fp, char err[PROFILE_ERR_MAX])
{
	struct stat st;
	int rc = profiles_find(p, kind, name, path, err);

	if (rc < 0)
		return rc;
	*fp = fopen(path, "r");
	if (!*fp) {
		rc = -errno;
		snprintf(err, PROFILE_ERR_MAX, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fileno(*fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, PROFILE_ERR_MAX, "%s: not a regular file", path);
		fclose(*fp);
		return -EINVAL;
	}
	if (st.st_size > PROFILE_FILE_MAX) {
		snprintf(err, PROFILE_ERR_MAX, "%s: %lld bytes; a %s profile is a small text file",
		         path, (long long)st.st_size, profile_kind_name(kind));
		fclose(*fp);
		return -EINVAL;
	}
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

/* The name key, when present, must agree with the file name for a profile
 * found by name: otherwise results would report a cable under another name
 * than the one that finds it. Absent, it defaults to the file name. */
static int settle_name(struct reader *r, const char *requested, char *name, int name_line)
{
	char stem[PROFILE_NAME_MAX];

	file_stem(r->path, stem, sizeof stem);
	if (!name[0]) {
		snprintf(name, PROFILE_NAME_MAX, "%s", stem);
		return 0;
	}
	if (!profiles_is_path(requested) && strcmp(name, stem) != 0)
		return fail(r, name_line, "name: '%s' differs from the file name '%s.conf'; expected name = %s",
		            name, stem, stem);
	return 0;
}

/* Connector */

static const char *const connector_sections[] = { "connector", NULL };
enum { CK_NAME, CK_DESC, CK_CONTACTS, CK_ROLES, CK_COUNT };
static const struct key_spec connector_keys[CK_COUNT] = {
	[CK_NAME] = { 0, "name", 0 },
	[CK_DESC] = { 0, "description", 0 },
	[CK_CONTACTS] = { 0, "contacts", 0 },
	[CK_ROLES] = { 0, "roles", 0 },
};

struct connector_ctx {
	struct tw_connector *out;
	int seen[CK_COUNT];
	unsigned n_roles;
	enum role role[PROFILE_MAX_CONTACTS];
};

static int contact_name_ok(const char *s)
{
	for (; *s; s++)
		if (!isgraph((unsigned char)*s) || strchr(".:,;#=[]\"'", *s))
			return 0;
	return 1;
}

static int connector_pair(struct reader *r, const char *section, const char *key, const char *value)
{
	struct connector_ctx *cx = r->ctx;
	struct tw_connector *c = cx->out;
	char tok[PROFILE_MAX_CONTACTS][16];
	int k = find_key(r, connector_keys, CK_COUNT, cx->seen, section, key);
	int n;

	if (k < 0)
		return k;
	switch (k) {
	case CK_NAME:
		if (check_name(r, value) < 0)
			return -EINVAL;
		memcpy(c->name, value, strlen(value) + 1);
		return 0;
	case CK_DESC:
		return copy_text(r, key, value, c->description, sizeof c->description);
	case CK_CONTACTS:
		n = split(value, tok[0], sizeof tok[0], PROFILE_MAX_CONTACTS);
		if (n < 0)
			return fail(r, r->line,
			            "contacts: expected at most %d names of at most %zu characters each",
			            PROFILE_MAX_CONTACTS, sizeof c->contact[0] - 1);
		if (n == 0)
			return fail(r, r->line, "contacts: empty; expected contact names, e.g. contacts = T R S");
		for (int i = 0; i < n; i++) {
			if (strlen(tok[i]) >= sizeof c->contact[0])
				return fail(r, r->line, "contacts: '%s' is longer than %zu characters", tok[i],
				            sizeof c->contact[0] - 1);
			if (!contact_name_ok(tok[i]))
				return fail(r, r->line,
				            "contacts: '%s' has a character that cannot be in a contact name (blank . : , ; # = [ ] quotes)",
				            tok[i]);
			for (int j = 0; j < i; j++)
				if (strcmp(tok[i], tok[j]) == 0)
					return fail(r, r->line, "contacts: '%s' listed twice; expected distinct names",
					            tok[i]);
			memcpy(c->contact[i], tok[i], strlen(tok[i]) + 1);
		}
		c->n_contacts = (unsigned)n;
		return 0;
	case CK_ROLES:
		n = split(value, tok[0], sizeof tok[0], PROFILE_MAX_CONTACTS);
		if (n < 0)
			return fail(r, r->line, "roles: expected at most %d roles of a few characters each", PROFILE_MAX_CONTACTS);
		for (int i = 0; i < n; i++) {
			enum role role = ROLE_NONE;

			if (role_parse(tok[i], &role) < 0 || role <= ROLE_NONE || role >= ROLE_COUNT) {
				char list[120];
				role_list(list, sizeof list);
				return fail(r, r->line, "roles: unknown role '%s' (entry %d); expected one of %s",
				            tok[i], i + 1, list);
			}
			cx->role[i] = role;
		}
		cx->n_roles = (unsigned)n;
		return 0;
	}
	return 0;
}

static int parse_connector(struct reader *r, const char *requested, struct tw_connector *out)
{
	struct connector_ctx cx = { .out = out };

	r->sections = connector_sections;
	r->on_pair = connector_pair;
	r->ctx = &cx;
	if (read_all(r) < 0)
		return -EINVAL;
	if (!r->section_line[0])
		return fail(r, 1, "no [connector] section; expected [connector] with contacts and roles");
	if (!cx.seen[CK_CONTACTS])
		return fail(r, r->section_line[0], "[connector] has no contacts; expected e.g. contacts = T R S");
	if (!cx.seen[CK_ROLES])
		return fail(r, r->section_line[0], "[connector] has no roles; expected one role per contact, e.g. roles = L R G");
	if (cx.n_roles != out->n_contacts) {
		char names[200] = "";
		for (unsigned i = 0; i < out->n_contacts; i++) {
			size_t n = strlen(names);
			snprintf(names + n, sizeof names - n, "%s%s", i ? " " : "", out->contact[i]);
		}
		return fail(r, cx.seen[CK_ROLES],
		            "roles: %u roles for %u contacts (%s); expected one role per contact, in the same order",
		            cx.n_roles, out->n_contacts, names);
	}
	memcpy(out->role, cx.role, sizeof out->role);
	if (settle_name(r, requested, out->name, cx.seen[CK_NAME]) < 0)
		return -EINVAL;
	return 0;
}

int profiles_load_connector(const struct profiles *p, const char *name, struct tw_connector *out,
                            char err[PROFILE_ERR_MAX])
{
	struct reader r = { .err = err };
	int rc;

	memset(out, 0, sizeof *out);
	rc = open_profile(p, PROFILE_CONNECTOR, name, out->path, &r.fp, err);
	if (rc < 0)
		return rc;
	r.path = out->path;
	rc = parse_connector(&r, name, out);
	fclose(r.fp);
	return rc;
}

/* Cable */

static const char *const cable_sections[] = { "cable", "limits", NULL };
enum { BK_NAME, BK_DESC, BK_END_A, BK_END_B, BK_WIRE,
       BK_LEVEL, BK_XTALK, BK_SERIES, BK_SNR, BK_PHASE, BK_COUNT };
static const struct key_spec cable_keys[BK_COUNT] = {
	[BK_NAME] = { 0, "name", 0 },
	[BK_DESC] = { 0, "description", 0 },
	[BK_END_A] = { 0, "end_a", 0 },
	[BK_END_B] = { 0, "end_b", 0 },
	[BK_WIRE] = { 0, "wire", 1 },
	[BK_LEVEL] = { 1, "max_level_dev_db", 0 },
	[BK_XTALK] = { 1, "max_crosstalk_db", 0 },
	[BK_SERIES] = { 1, "max_series_ohms", 0 },
	[BK_SNR] = { 1, "min_snr_db", 0 },
	[BK_PHASE] = { 1, "max_phase_deg", 0 },
};

struct cable_ctx {
	const struct profiles *p;
	struct tw_cable *out;
	char base[256];
	char spec_a[VALUE_MAX], spec_b[VALUE_MAX];
	int seen[BK_COUNT];
	unsigned n_wires;
	int wire_line[WIRING_MAX];
	char wire_x[WIRING_MAX][FIXTURE_NAME_MAX + 2];
	char wire_y[WIRING_MAX][FIXTURE_NAME_MAX + 2];
};

/* [limits] values, with the range that makes sense for each. */
static int cable_limit(struct reader *r, int k, const char *key, const char *value,
                       struct classify_limits *lim)
{
	double x;

	if (parse_number(value, &x) < 0)
		return fail(r, r->line, "%s: '%.40s' is not a number", key, value);
	switch (k) {
	case BK_LEVEL:
		if (x <= 0)
			return fail(r, r->line, "%s: %g; expected a level deviation above 0 dB", key, x);
		lim->max_level_dev_db = x;
		break;
	case BK_XTALK:
		if (x >= 0)
			return fail(r, r->line, "%s: %g; expected a negative level, e.g. -40", key, x);
		lim->max_crosstalk_db = x;
		break;
	case BK_SERIES:
		if (x <= 0)
			return fail(r, r->line, "%s: %g; expected ohms above 0", key, x);
		lim->max_series_ohms = x;
		break;
	case BK_SNR:
		if (x <= 0)
			return fail(r, r->line, "%s: %g; expected a ratio above 0 dB", key, x);
		lim->min_snr_db = x;
		break;
	case BK_PHASE:
		if (x <= 0 || x >= 180)
			return fail(r, r->line, "%s: %g; expected degrees between 0 and 180", key, x);
		lim->max_phase_deg = x;
		break;
	}
	return 0;
}

static int cable_pair(struct reader *r, const char *section, const char *key, const char *value)
{
	struct cable_ctx *cx = r->ctx;
	struct tw_cable *c = cx->out;
	int k = find_key(r, cable_keys, BK_COUNT, cx->seen, section, key);

	if (k < 0)
		return k;
	switch (k) {
	case BK_NAME:
		if (check_name(r, value) < 0)
			return -EINVAL;
		memcpy(c->name, value, strlen(value) + 1);
		return 0;
	case BK_DESC:
		return copy_text(r, key, value, c->description, sizeof c->description);
	case BK_END_A:
	case BK_END_B: {
		char sub[PROFILE_ERR_MAX];
		struct tw_end *e = k == BK_END_A ? &c->a : &c->b;
		char *spec = k == BK_END_A ? cx->spec_a : cx->spec_b;

		if (copy_text(r, key, value, spec, VALUE_MAX) < 0)
			return -EINVAL;
		if (profiles_end_parse(cx->p, value, cx->base, e, sub) < 0)
			return fail(r, r->line, "%s: %s", key, sub);
		return 0;
	}
	case BK_WIRE: {
		char tok[3][FIXTURE_NAME_MAX + 2];
		int n = split(value, tok[0], sizeof tok[0], 3);

		if (n != 2)
			return fail(r, r->line,
			            "wire: '%.40s'; expected two contacts, one of end A and one of end B, e.g. wire = T T",
			            value);
		if (cx->n_wires == WIRING_MAX)
			return fail(r, r->line, "wire: more than %d wire lines", WIRING_MAX);
		cx->wire_line[cx->n_wires] = r->line;
		memcpy(cx->wire_x[cx->n_wires], tok[0], sizeof tok[0]);
		memcpy(cx->wire_y[cx->n_wires], tok[1], sizeof tok[1]);
		cx->n_wires++;
		return 0;
	}
	default:
		return cable_limit(r, k, key, value, &c->limits);
	}
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

static int resolve_wires(struct reader *r, struct cable_ctx *cx)
{
	struct tw_cable *c = cx->out;

	for (unsigned w = 0; w < cx->n_wires; w++) {
		int a = wire_contact(&c->a, cx->wire_x[w], 'A');
		int b = wire_contact(&c->b, cx->wire_y[w], 'B');
		char list[160];

		if (a < 0) {
			end_contacts(&c->a, "", list, sizeof list);
			return fail(r, cx->wire_line[w], "wire: unknown contact '%s' of end A (%s); expected one of %s",
			            cx->wire_x[w], cx->spec_a, list);
		}
		if (b < 0) {
			end_contacts(&c->b, "", list, sizeof list);
			return fail(r, cx->wire_line[w], "wire: unknown contact '%s' of end B (%s); expected one of %s",
			            cx->wire_y[w], cx->spec_b, list);
		}
		for (unsigned v = 0; v < w; v++)
			if (c->wire_a[v] == a && c->wire_b[v] == b)
				return fail(r, cx->wire_line[w], "wire: %s %s listed twice (first on line %d)",
				            cx->wire_x[w], cx->wire_y[w], cx->wire_line[v]);
		c->wire_a[w] = a;
		c->wire_b[w] = b;
	}
	c->n_wires = cx->n_wires;
	return 0;
}

static int parse_cable(struct reader *r, const struct profiles *p, const char *requested,
                       struct tw_cable *out)
{
	struct cable_ctx *cx = calloc(1, sizeof *cx);
	int rc = -EINVAL, pa[WIRING_MAX], pb[WIRING_MAX], n;

	if (!cx) {
		snprintf(r->err, PROFILE_ERR_MAX, "out of memory reading %.200s", r->path);
		return -ENOMEM;
	}
	cx->p = p;
	cx->out = out;
	file_dir(r->path, cx->base, sizeof cx->base);
	r->sections = cable_sections;
	r->on_pair = cable_pair;
	r->ctx = cx;
	if (read_all(r) < 0)
		goto fail;
	if (!r->section_line[0]) {
		fail(r, 1, "no [cable] section; expected [cable] with end_a and end_b");
		goto fail;
	}
	if (!cx->seen[BK_END_A] || !cx->seen[BK_END_B]) {
		fail(r, r->section_line[0], "[cable] has no %s; expected the connector of that end, e.g. %s = trs-3.5",
		     cx->seen[BK_END_A] ? "end_b" : "end_a", cx->seen[BK_END_A] ? "end_b" : "end_a");
		goto fail;
	}
	if (resolve_wires(r, cx) < 0)
		goto fail;
	n = profiles_cable_pairs(out, pa, pb, WIRING_MAX);
	if (n == -ENOSPC) {
		fail(r, cx->seen[BK_END_B], "end_b: more than %d conductors by role; list them with wire lines",
		     WIRING_MAX);
		goto fail;
	}
	/* A cable with nothing connected is a typo in a role, not a cable. */
	if (n == 0) {
		fail(r, cx->seen[BK_END_B],
		     "end_b: no contact of %s matches a contact of %s by role; expected matching roles or wire = lines",
		     cx->spec_a, cx->spec_b);
		goto fail;
	}
	if (settle_name(r, requested, out->name, cx->seen[BK_NAME]) < 0)
		goto fail;
	rc = 0;
fail:
	free(cx);
	return rc;
}

int profiles_load_cable(const struct profiles *p, const char *name, struct tw_cable *out,
                        char err[PROFILE_ERR_MAX])
{
	struct reader r = { .err = err };
	int rc;

	memset(out, 0, sizeof *out);
	classify_limits_default(&out->limits);
	rc = open_profile(p, PROFILE_CABLE, name, out->path, &r.fp, err);
	if (rc < 0)
		return rc;
	r.path = out->path;
	rc = parse_cable(&r, p, name, out);
	fclose(r.fp);
	return rc;
}

/* Jig */

static const char *const jig_sections[] = { "jig", "outputs", "inputs", "ground", "loads", NULL };
enum { SEC_JIG, SEC_OUTPUTS, SEC_INPUTS, SEC_GROUND, SEC_LOADS };
enum { JK_NAME, JK_DESC, JK_SOCKET_A, JK_SOCKET_B, JK_SOURCE, JK_INPUT, JK_TIE, JK_LOAD, JK_COUNT };
static const struct key_spec jig_keys[JK_COUNT] = {
	[JK_NAME] = { SEC_JIG, "name", 0 },
	[JK_DESC] = { SEC_JIG, "description", 0 },
	[JK_SOCKET_A] = { SEC_JIG, "socket_a", 0 },
	[JK_SOCKET_B] = { SEC_JIG, "socket_b", 0 },
	[JK_SOURCE] = { SEC_JIG, "source_ohms", 0 },
	[JK_INPUT] = { SEC_JIG, "input_ohms", 0 },
	[JK_TIE] = { SEC_GROUND, "tie", 1 },
	[JK_LOAD] = { SEC_LOADS, "load", 1 },
};

struct entry {
	int line;
	char v[VALUE_MAX];
};

struct jig_ctx {
	const struct profiles *p;
	struct tw_jig *out;
	char base[256];
	char spec_a[VALUE_MAX], spec_b[VALUE_MAX];
	int seen[JK_COUNT];
	struct entry output[FIXTURE_MAX_CHANNELS], input[FIXTURE_MAX_CHANNELS];
	unsigned n_ties, n_loads;
	struct entry tie[FIXTURE_MAX_TIES];
	struct entry load[FIXTURE_MAX_LOADS];
};

/* Channel keys are 1-based, as printed on interfaces. */
static int channel_key(struct reader *r, const char *what, const char *key)
{
	unsigned long ch;
	char *end;

	if (!isdigit((unsigned char)key[0]))
		goto bad;
	ch = strtoul(key, &end, 10);
	if (*end || ch < 1 || ch > FIXTURE_MAX_CHANNELS)
		goto bad;
	return (int)ch - 1;
bad:
	return fail(r, r->line, "%s channel '%.20s': expected a channel number from 1 to %d",
	            what, key, FIXTURE_MAX_CHANNELS);
}

static int jig_pair(struct reader *r, const char *section, const char *key, const char *value)
{
	struct jig_ctx *cx = r->ctx;
	struct tw_jig *j = cx->out;
	int sec = section_index(r, section), k, ch;
	struct entry *e;

	if (sec == SEC_OUTPUTS || sec == SEC_INPUTS) {
		const char *what = sec == SEC_OUTPUTS ? "output" : "input";

		ch = channel_key(r, what, key);
		if (ch < 0)
			return ch;
		e = sec == SEC_OUTPUTS ? &cx->output[ch] : &cx->input[ch];
		if (e->line)
			return fail(r, r->line, "%s channel %d used twice (first on line %d)", what, ch + 1,
			            e->line);
		if (copy_text(r, key, value, e->v, sizeof e->v) < 0)
			return -EINVAL;
		e->line = r->line;
		return 0;
	}
	k = find_key(r, jig_keys, JK_COUNT, cx->seen, section, key);
	if (k < 0)
		return k;
	switch (k) {
	case JK_NAME:
		if (check_name(r, value) < 0)
			return -EINVAL;
		memcpy(j->name, value, strlen(value) + 1);
		return 0;
	case JK_DESC:
		return copy_text(r, key, value, j->description, sizeof j->description);
	case JK_SOCKET_A:
	case JK_SOCKET_B: {
		char sub[PROFILE_ERR_MAX];
		struct tw_end *end = k == JK_SOCKET_A ? &j->socket_a : &j->socket_b;
		char *spec = k == JK_SOCKET_A ? cx->spec_a : cx->spec_b;

		if (copy_text(r, key, value, spec, VALUE_MAX) < 0)
			return -EINVAL;
		if (profiles_end_parse(cx->p, value, cx->base, end, sub) < 0)
			return fail(r, r->line, "%s: %s", key, sub);
		return 0;
	}
	case JK_SOURCE:
		return parse_ohms(r, key, value, &j->fixture.source_ohms);
	case JK_INPUT:
		return parse_ohms(r, key, value, &j->fixture.input_ohms);
	case JK_TIE:
		if (cx->n_ties == FIXTURE_MAX_TIES)
			return fail(r, r->line, "tie: more than %d tie lines", FIXTURE_MAX_TIES);
		e = &cx->tie[cx->n_ties++];
		break;
	case JK_LOAD:
		if (cx->n_loads == FIXTURE_MAX_LOADS)
			return fail(r, r->line, "load: more than %d load lines", FIXTURE_MAX_LOADS);
		e = &cx->load[cx->n_loads++];
		break;
	default:
		return -EINVAL;
	}
	if (copy_text(r, key, value, e->v, sizeof e->v) < 0)
		return -EINVAL;
	e->line = r->line;
	return 0;
}

/* "A.T" -> fixture contact index; fails naming the socket's contacts. */
static int jig_contact(struct reader *r, struct jig_ctx *cx, int line, const char *field,
                       const char *ref)
{
	const struct fixture *f = &cx->out->fixture;
	const struct tw_end *e;
	char list[160];
	int i = fixture_find_contact(f, ref);

	if (i >= 0)
		return i;
	if ((ref[0] != 'A' && ref[0] != 'B') || ref[1] != '.')
		return fail(r, line, "%s: '%.40s'; expected a contact of socket A or B, such as A.T or B.left.+",
		            field, ref);
	e = ref[0] == 'A' ? &cx->out->socket_a : &cx->out->socket_b;
	end_contacts(e, ref[0] == 'A' ? "A." : "B.", list, sizeof list);
	return fail(r, line, "%s: unknown contact '%.40s'; socket %c (%s) has %s", field, ref, ref[0],
	            ref[0] == 'A' ? cx->spec_a : cx->spec_b, list);
}

static int add_socket(struct reader *r, struct fixture *f, const struct tw_end *e, unsigned end)
{
	for (unsigned i = 0; i < e->n_contacts; i++) {
		struct fixture_contact *fc;

		if (f->n_contacts == FIXTURE_MAX_CONTACTS)
			return fail(r, r->section_line[SEC_JIG], "sockets: more than %d contacts in all",
			            FIXTURE_MAX_CONTACTS);
		fc = &f->contact[f->n_contacts++];
		snprintf(fc->name, sizeof fc->name, "%c.%s", end ? 'B' : 'A', e->contact[i]);
		fc->end = end;
		memcpy(fc->plug, e->plug_of[i], sizeof fc->plug);
		fc->role = e->role[i];
		fc->socket_role = e->role[i];
	}
	return 0;
}

static int jig_outputs(struct reader *r, struct jig_ctx *cx)
{
	struct fixture *f = &cx->out->fixture;
	unsigned n = 0;

	for (unsigned ch = 0; ch < FIXTURE_MAX_CHANNELS; ch++)
		if (cx->output[ch].line)
			n = ch + 1;
	if (n == 0)
		return fail(r, r->section_line[SEC_OUTPUTS] ? r->section_line[SEC_OUTPUTS] : 1,
		            "no output channels; expected [outputs] with e.g. 1 = A.T");
	for (unsigned ch = 0; ch < n; ch++) {
		const struct entry *e = &cx->output[ch];
		char tok[2][VALUE_MAX];
		int c;

		if (!e->line) {
			unsigned next = ch + 1;
			while (!cx->output[next].line)
				next++;
			return fail(r, cx->output[next].line,
			            "output channel %u is missing; expected channels numbered 1, 2, 3… without gaps",
			            ch + 1);
		}
		if (split(e->v, tok[0], sizeof tok[0], 2) != 1)
			return fail(r, e->line, "output %u: '%.40s'; expected one contact, e.g. %u = A.T", ch + 1,
			            e->v, ch + 1);
		c = jig_contact(r, cx, e->line, "output", tok[0]);
		if (c < 0)
			return c;
		/* The fixture model drives the near end and reads the far end. */
		if (f->contact[c].end != 0)
			return fail(r, e->line, "output %u: %s is on socket B; expected a contact of socket A, the driven end",
			            ch + 1, tok[0]);
		for (unsigned o = 0; o < ch; o++)
			if (f->output[o] == c)
				return fail(r, e->line, "output %u: %s is already driven by output %u (line %d)",
				            ch + 1, tok[0], o + 1, cx->output[o].line);
		f->output[ch] = c;
	}
	f->n_outputs = n;
	return 0;
}

static int jig_ties(struct reader *r, struct jig_ctx *cx)
{
	struct fixture *f = &cx->out->fixture;

	for (unsigned t = 0; t < cx->n_ties; t++) {
		const struct entry *e = &cx->tie[t];
		char tok[2][VALUE_MAX];
		int c;

		if (split(e->v, tok[0], sizeof tok[0], 2) != 1)
			return fail(r, e->line, "tie: '%.40s'; expected one contact, e.g. tie = A.S", e->v);
		c = jig_contact(r, cx, e->line, "tie", tok[0]);
		if (c < 0)
			return c;
		for (unsigned u = 0; u < t; u++)
			if (f->tie[u] == c)
				return fail(r, e->line, "tie: %s is already tied (line %d)", tok[0],
				            cx->tie[u].line);
		/* A driven contact tied to ground would short the output. */
		for (unsigned o = 0; o < f->n_outputs; o++)
			if (f->output[o] == c)
				return fail(r, e->line,
				            "tie: %s is driven by output %u (line %d); a driven contact cannot be tied to ground",
				            tok[0], o + 1, cx->output[o].line);
		f->tie[t] = c;
	}
	f->n_ties = cx->n_ties;
	return 0;
}

static int jig_inputs(struct reader *r, struct jig_ctx *cx)
{
	struct fixture *f = &cx->out->fixture;
	unsigned n = 0;

	for (unsigned ch = 0; ch < FIXTURE_MAX_CHANNELS; ch++)
		if (cx->input[ch].line)
			n = ch + 1;
	if (n == 0)
		return fail(r, r->section_line[SEC_INPUTS] ? r->section_line[SEC_INPUTS] : 1,
		            "no input channels; expected [inputs] with e.g. 1 = B.T");
	for (unsigned ch = 0; ch < n; ch++) {
		const struct entry *e = &cx->input[ch];
		char tok[3][VALUE_MAX];
		int k, pos = -1, neg = -1;

		if (!e->line) {
			unsigned next = ch + 1;
			while (!cx->input[next].line)
				next++;
			return fail(r, cx->input[next].line,
			            "input channel %u is missing; expected channels numbered 1, 2, 3… without gaps",
			            ch + 1);
		}
		k = split(e->v, tok[0], sizeof tok[0], 3);
		if (k == 1 && tok[0][0] != '-') {
			pos = jig_contact(r, cx, e->line, "input", tok[0] + (tok[0][0] == '+'));
			if (pos < 0)
				return pos;
		} else if (k == 2 && ((tok[0][0] == '+' && tok[1][0] == '-') ||
		                      (tok[0][0] == '-' && tok[1][0] == '+'))) {
			const char *p = tok[0][0] == '+' ? tok[0] + 1 : tok[1] + 1;
			const char *m = tok[0][0] == '-' ? tok[0] + 1 : tok[1] + 1;

			pos = jig_contact(r, cx, e->line, "input", p);
			if (pos < 0)
				return pos;
			neg = jig_contact(r, cx, e->line, "input", m);
			if (neg < 0)
				return neg;
			if (pos == neg)
				return fail(r, e->line, "input %u: senses %s against itself", ch + 1, p);
		} else {
			return fail(r, e->line,
			            "input %u: '%.40s'; expected a contact (B.T) or a differential pair (+B.T -B.S)",
			            ch + 1, e->v);
		}
		f->input_pos[ch] = pos;
		f->input_neg[ch] = neg;
	}
	f->n_inputs = n;
	return 0;
}

static int jig_loads(struct reader *r, struct jig_ctx *cx)
{
	struct fixture *f = &cx->out->fixture;

	for (unsigned l = 0; l < cx->n_loads; l++) {
		const struct entry *e = &cx->load[l];
		char tok[4][VALUE_MAX];
		struct fixture_load *ld = &f->load[l];
		double ohms;

		if (split(e->v, tok[0], sizeof tok[0], 4) != 3)
			return fail(r, e->line,
			            "load: '%.40s'; expected two contacts and ohms, e.g. load = B.T B.S 32", e->v);
		ld->a = jig_contact(r, cx, e->line, "load", tok[0]);
		if (ld->a < 0)
			return -EINVAL;
		/* A load to the interface ground, e.g. a pull-down on a floating contact. */
		if (strcmp(tok[1], "ground") == 0 || strcmp(tok[1], "GND") == 0) {
			ld->b = -1;
		} else {
			ld->b = jig_contact(r, cx, e->line, "load", tok[1]);
			if (ld->b < 0)
				return -EINVAL;
		}
		if (ld->a == ld->b)
			return fail(r, e->line, "load: between %s and itself; expected two different contacts",
			            tok[0]);
		if (parse_number(tok[2], &ohms) < 0)
			return fail(r, e->line, "load: '%.40s' is not a number; expected ohms, e.g. 32", tok[2]);
		if (ohms <= 0)
			return fail(r, e->line, "load: %g ohms; expected a resistance above 0", ohms);
		ld->ohms = ohms;
	}
	f->n_loads = cx->n_loads;
	return 0;
}

static int parse_jig(struct reader *r, const struct profiles *p, const char *requested,
                     struct tw_jig *out)
{
	struct jig_ctx *cx = calloc(1, sizeof *cx);
	struct fixture *f = &out->fixture;
	static const struct { int key; const char *example; } required[] = {
		{ JK_SOCKET_A, "socket_a = trs-3.5" },
		{ JK_SOCKET_B, "socket_b = trs-3.5" },
		{ JK_SOURCE, "source_ohms = 100 (the interface's output impedance)" },
		{ JK_INPUT, "input_ohms = 10000 (the interface's input impedance)" },
	};
	int rc = -EINVAL;

	if (!cx) {
		snprintf(r->err, PROFILE_ERR_MAX, "out of memory reading %.200s", r->path);
		return -ENOMEM;
	}
	cx->p = p;
	cx->out = out;
	file_dir(r->path, cx->base, sizeof cx->base);
	r->sections = jig_sections;
	r->on_pair = jig_pair;
	r->ctx = cx;
	if (read_all(r) < 0)
		goto fail;
	if (!r->section_line[SEC_JIG]) {
		fail(r, 1, "no [jig] section; expected [jig] with socket_a, socket_b, source_ohms, input_ohms");
		goto fail;
	}
	for (unsigned i = 0; i < sizeof required / sizeof required[0]; i++) {
		if (!cx->seen[required[i].key]) {
			fail(r, r->section_line[SEC_JIG], "[jig] has no %s; expected e.g. %s",
			     jig_keys[required[i].key].name, required[i].example);
			goto fail;
		}
	}
	if (settle_name(r, requested, out->name, cx->seen[JK_NAME]) < 0)
		goto fail;
	snprintf(f->jig, sizeof f->jig, "%s", out->name);
	if (add_socket(r, f, &out->socket_a, 0) < 0 || add_socket(r, f, &out->socket_b, 1) < 0)
		goto fail;
	if (jig_outputs(r, cx) < 0 || jig_ties(r, cx) < 0 || jig_inputs(r, cx) < 0 ||
	    jig_loads(r, cx) < 0)
		goto fail;
	rc = 0;
fail:
	free(cx);
	return rc;
}

int profiles_load_jig(const struct profiles *p, const char *name, struct tw_jig *out,
                      char err[PROFILE_ERR_MAX])
{
	struct reader r = { .err = err };
	int rc;

	memset(out, 0, sizeof *out);
	rc = open_profile(p, PROFILE_JIG, name, out->path, &r.fp, err);
	if (rc < 0)
		return rc;
	r.path = out->path;
	rc = parse_jig(&r, p, name, out);
	fclose(r.fp);
	return rc;
}
