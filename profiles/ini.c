/* ini: reads an INI file into checked entries (sections, keys, repeats) with errors that name file, line and key. */
#include "ini.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ini {
	char *name;
	char *text;                     /* the file, lines NUL-terminated in place */
	const struct ini_schema *schema;
	struct ini_entry *e;
	unsigned n, cap;
	unsigned *section_line;         /* per schema section, 0 = absent */
	unsigned *seen;                 /* hash of once-only keys: entry index + 1, 0 = free */
	unsigned seen_cap, n_seen;
};

__attribute__((format(printf, 5, 0)))
static int verror(char err[INI_ERR_MAX], const char *file, unsigned line, const char *key,
                  const char *fmt, va_list ap)
{
	int n;

	if (line && key)
		n = snprintf(err, INI_ERR_MAX, "%s:%u: %.60s: ", file, line, key);
	else if (line)
		n = snprintf(err, INI_ERR_MAX, "%s:%u: ", file, line);
	else if (key)
		n = snprintf(err, INI_ERR_MAX, "%s: %.60s: ", file, key);
	else
		n = snprintf(err, INI_ERR_MAX, "%s: ", file);
	if (n >= 0 && n < INI_ERR_MAX)
		vsnprintf(err + n, (size_t)(INI_ERR_MAX - n), fmt, ap);
	return -EINVAL;
}

int ini_error(char err[INI_ERR_MAX], const char *file, unsigned line, const char *key,
              const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(err, file, line, key, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void ini_free(ini *d)
{
	if (!d)
		return;
	free(d->name);
	free(d->text);
	free(d->e);
	free(d->section_line);
	free(d->seen);
	free(d);
}

const char *ini_name(const ini *d)
{
	return d->name;
}

unsigned ini_count(const ini *d)
{
	return d->n;
}

const struct ini_entry *ini_at(const ini *d, unsigned i)
{
	return i < d->n ? &d->e[i] : NULL;
}

static int section_index(const struct ini_schema *s, const char *name)
{
	for (int i = 0; s->sections[i]; i++)
		if (strcmp(s->sections[i], name) == 0)
			return i;
	return -1;
}

unsigned ini_section_line(const ini *d, const char *section)
{
	int i = section_index(d->schema, section);

	return i < 0 ? 0 : d->section_line[i];
}

const struct ini_entry *ini_get(const ini *d, const char *section, const char *key)
{
	for (unsigned i = 0; i < d->n; i++)
		if (d->e[i].key && strcmp(d->e[i].section, section) == 0 && strcmp(d->e[i].key, key) == 0)
			return &d->e[i];
	return NULL;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int key_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

static char *trim(char *s)
{
	char *e;

	while (is_blank(*s))
		s++;
	e = s + strlen(s);
	while (e > s && is_blank(e[-1]))
		*--e = '\0';
	return s;
}

static int add_entry(ini *d, unsigned line, const char *section, const char *key, const char *value)
{
	if (d->n == d->cap) {
		unsigned cap = d->cap ? d->cap * 2 : 32;
		struct ini_entry *e = realloc(d->e, cap * sizeof *e);

		if (!e)
			return -ENOMEM;
		d->e = e;
		d->cap = cap;
	}
	d->e[d->n++] = (struct ini_entry){ .line = line, .section = section, .key = key, .value = value };
	return 0;
}

static uint32_t key_hash(const char *section, const char *key)
{
	uint32_t h = 2166136261u;   /* FNV-1a */

	for (const char *s = section; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	h = (h ^ 0xffu) * 16777619u;   /* keeps "ab"+"c" apart from "a"+"bc" */
	for (const char *s = key; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot of section/key in the once-only table: where it is, or the free
 * slot where it would go. */
static unsigned *seen_slot(const ini *d, const char *section, const char *key)
{
	unsigned mask = d->seen_cap - 1, i = key_hash(section, key) & mask;

	for (;;) {
		unsigned *slot = &d->seen[i];
		const struct ini_entry *e;

		if (!*slot)
			return slot;
		e = &d->e[*slot - 1];
		if (e->section == section && strcmp(e->key, key) == 0)
			return slot;
		i = (i + 1) & mask;
	}
}

/* Records the entry just added (d->n - 1) as once-only; returns the line of
 * an earlier entry of the same key, 0 when it is the first. */
static int remember_once(ini *d, unsigned *first_line)
{
	const struct ini_entry *e = &d->e[d->n - 1];
	unsigned *slot;

	*first_line = 0;
	if (2 * (d->n_seen + 1) > d->seen_cap) {
		unsigned cap = d->seen_cap ? d->seen_cap * 2 : 64, *old = d->seen, old_cap = d->seen_cap;

		d->seen = calloc(cap, sizeof *d->seen);
		if (!d->seen) {
			d->seen = old;
			return -ENOMEM;
		}
		d->seen_cap = cap;
		for (unsigned i = 0; i < old_cap; i++)
			if (old[i]) {
				const struct ini_entry *o = &d->e[old[i] - 1];
				*seen_slot(d, o->section, o->key) = old[i];
			}
		free(old);
	}
	slot = seen_slot(d, e->section, e->key);
	if (*slot) {
		*first_line = d->e[*slot - 1].line;
		return 0;
	}
	*slot = d->n;
	d->n_seen++;
	return 0;
}

static void list_sections(const struct ini_schema *s, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int i = 0; s->sections[i]; i++) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%s[%s]", i == 0 ? "" : s->sections[i + 1] ? ", " : " or ",
		         s->sections[i]);
	}
}

static void list_keys(const struct ini_schema *s, const char *section, char *buf, size_t len)
{
	buf[0] = '\0';
	for (unsigned i = 0; i < s->n_keys; i++) {
		size_t n = strlen(buf);
		if (s->keys[i].name && strcmp(s->keys[i].section, section) == 0)
			snprintf(buf + n, len - n, "%s%s", n ? ", " : "", s->keys[i].name);
	}
}

static const struct ini_key *find_key(const struct ini_schema *s, const char *section, const char *key)
{
	const struct ini_key *any = NULL;

	for (unsigned i = 0; i < s->n_keys; i++) {
		if (strcmp(s->keys[i].section, section) != 0)
			continue;
		if (!s->keys[i].name)
			any = &s->keys[i];
		else if (strcmp(s->keys[i].name, key) == 0)
			return &s->keys[i];
	}
	return any;
}

/* "[name]" on line (comment and blanks already gone). */
static int section_line(ini *d, char *s, unsigned line, const char **cur, char *err)
{
	const struct ini_schema *sc = d->schema;
	char *close = strchr(s, ']'), list[160];
	int idx;

	if (!close)
		return ini_error(err, d->name, line, NULL, "'%.40s': expected ']' to close the section name", s);
	if (close[1] != '\0') {
		const char *rest = close + 1;

		while (is_blank(*rest))
			rest++;
		return ini_error(err, d->name, line, NULL, "'%.40s': unexpected text after the section name '%.*s'",
		                 rest, (int)(close - s + 1 > 40 ? 40 : close - s + 1), s);
	}
	*close = '\0';
	s = trim(s + 1);
	idx = section_index(sc, s);
	if (idx < 0) {
		list_sections(sc, list, sizeof list);
		return ini_error(err, d->name, line, NULL, "[%.40s]: unknown section in a %s; expected %s", s,
		                 sc->what, list);
	}
	*cur = sc->sections[idx];
	if (!d->section_line[idx])
		d->section_line[idx] = line;
	return 0;
}

/* "key = value" on line (comment and blanks already gone). */
static int key_line(ini *d, char *s, unsigned line, const char *cur, char *err)
{
	const struct ini_schema *sc = d->schema;
	const struct ini_key *k;
	char *eq = strchr(s, '='), *key, *value, list[200];
	unsigned first;
	int rc;

	if (!eq)
		return ini_error(err, d->name, line, NULL,
		                 "'%.40s': expected 'key = value', a [section] or a comment", s);
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (!*key)
		return ini_error(err, d->name, line, NULL, "'= %.40s': expected a key before '='", value);
	for (char *c = key; *c; c++)
		if (!key_char((unsigned char)*c))
			return ini_error(err, d->name, line, NULL,
			                 "'%.40s': expected a key of letters, digits, '_', '-' and '.' before '='", key);
	if (!cur[0])
		return ini_error(err, d->name, line, key, "before any section; expected [%s] first",
		                 sc->sections[0]);
	k = find_key(sc, cur, key);
	if (!k) {
		list_keys(sc, cur, list, sizeof list);
		return ini_error(err, d->name, line, key, "unknown key in [%s]; expected one of: %s", cur, list);
	}
	if (add_entry(d, line, cur, key, value) < 0)
		return -ENOMEM;
	if (k->repeat)
		return 0;
	rc = remember_once(d, &first);
	if (rc < 0)
		return rc;
	if (first)
		return ini_error(err, d->name, line, key, "given twice (first on line %u); expected it once", first);
	return 0;
}

/* One physical line, NUL-terminated, n bytes long before the terminator. */
static int one_line(ini *d, char *s, size_t n, unsigned line, const char **cur, char *err)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0)
			return ini_error(err, d->name, line, NULL, "a NUL byte; a %s is a text file", d->schema->what);
		if ((c < 0x20 && c != '\t' && !(c == '\r' && i == n - 1)) || c == 0x7f)
			return ini_error(err, d->name, line, NULL, "control byte 0x%02x; a %s is a text file",
			                 c, d->schema->what);
	}
	if (n && s[n - 1] == '\r')
		s[--n] = '\0';
	if (line == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;   /* a UTF-8 byte order mark, as some editors write */
	while (is_blank(*s))
		s++;
	if (*s == ';' || *s == '#') {
		if (d->schema->comments && add_entry(d, line, *cur, NULL, trim(s + 1)) < 0)
			return -ENOMEM;
		return 0;
	}
	/* A comment starts after a blank, so "jig#2.conf" stays a value. */
	for (char *c = s + 1; *s && *c; c++)
		if ((*c == ';' || *c == '#') && is_blank(c[-1])) {
			*c = '\0';
			break;
		}
	s = trim(s);
	if (!*s)
		return 0;
	if (*s == '[')
		return section_line(d, s, line, cur, err);
	return key_line(d, s, line, *cur, err);
}

/* Parses buf (len bytes, room for one more), which d takes over. */
static int parse_owned(const char *name, char *buf, size_t len, const struct ini_schema *schema,
                       ini **out, char err[INI_ERR_MAX])
{
	ini *d = calloc(1, sizeof *d);
	const char *cur = "";
	unsigned n_sections = 0, line = 1;
	char *p, *end;
	int rc = -ENOMEM;

	*out = NULL;
	if (!d) {
		free(buf);
		goto fail;
	}
	d->text = buf;
	buf[len] = '\0';
	while (schema->sections[n_sections])
		n_sections++;
	if (!(d->name = strdup(name)) || !(d->section_line = calloc(n_sections + 1, sizeof *d->section_line)))
		goto fail;
	d->schema = schema;
	for (p = d->text, end = d->text + len; p < end; line++) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		p[n] = '\0';
		rc = one_line(d, p, n, line, &cur, err);
		if (rc < 0)
			goto fail;
		p += n + 1;
	}
	*out = d;
	return 0;
fail:
	if (rc == -ENOMEM)
		snprintf(err, INI_ERR_MAX, "%s: out of memory", name);
	ini_free(d);
	return rc;
}

int ini_parse(const char *name, const char *text, size_t len, const struct ini_schema *schema,
              ini **out, char err[INI_ERR_MAX])
{
	char *buf = malloc(len + 1);

	*out = NULL;
	if (!buf) {
		snprintf(err, INI_ERR_MAX, "%s: out of memory", name);
		return -ENOMEM;
	}
	memcpy(buf, text, len);
	return parse_owned(name, buf, len, schema, out, err);
}

static const char *file_type(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/* "PATH: a FIFO, not a profile file": -EINVAL. */
static int not_a_file(char err[INI_ERR_MAX], const char *path, mode_t mode, const struct ini_schema *schema)
{
	return ini_error(err, path, 0, NULL, "%s, not a %s file", file_type(mode), schema->what);
}

int ini_load(const char *path, const struct ini_schema *schema, ini **out, char err[INI_ERR_MAX])
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc;

	*out = NULL;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		/* A socket cannot be opened at all (ENXIO): say what it is, not the errno. */
		if (rc != -ENOENT && stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
			return not_a_file(err, path, st.st_mode, schema);
		ini_error(err, path, 0, NULL, "cannot open the %s: %s", schema->what, strerror(-rc));
		return rc == -ENOENT ? -ENOENT : -EINVAL;
	}
	if (fstat(fd, &st) != 0) {
		rc = errno;
		close(fd);
		return ini_error(err, path, 0, NULL, "cannot read the %s: %s", schema->what, strerror(rc));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return not_a_file(err, path, st.st_mode, schema);
	}
	if (st.st_size > INI_FILE_MAX) {
		close(fd);
		return ini_error(err, path, 0, NULL, "%lld bytes; a %s is a small text file (at most %ld bytes)",
		                 (long long)st.st_size, schema->what, INI_FILE_MAX);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		snprintf(err, INI_ERR_MAX, "%s: out of memory", path);
		return -ENOMEM;
	}
	/* One byte more than the size: a file still growing is not read half. */
	while (got <= (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			close(fd);
			free(buf);
			return ini_error(err, path, 0, NULL, "cannot read the %s: %s", schema->what, strerror(-rc));
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got > (size_t)st.st_size) {
		free(buf);
		return ini_error(err, path, 0, NULL, "the file grew while it was read");
	}
	return parse_owned(path, buf, got, schema, out, err);
}

unsigned ini_words(char *s, char **w, unsigned max)
{
	unsigned n = 0;

	for (;;) {
		while (*s && isspace((unsigned char)*s))
			s++;
		if (!*s)
			return n;
		if (n == max)
			return max + 1;
		w[n++] = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
}
