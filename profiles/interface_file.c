/* interface_file: reads interface profile files, finds them on the profile search path, lays a scenario's keys over a profile, and recognises a device's profile. */
#include "interface.h"
#include "interface_priv.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LINE_MAX_CHARS 1024
#define FILE_MAX_BYTES (1 << 20)

/* One profile file being read. */
struct iface_file {
	const char *path;
	struct tw_interface *out;
	unsigned line;
	int section;                  /* 0 none, 1 [interface], 2 [mixer] */
	unsigned n_seen;
	char seen[24][24];            /* [interface] keys given so far: each once */
	unsigned seen_line[24];
	char *err;
};

static int file_fail(struct iface_file *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int file_fail(struct iface_file *f, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(f->err, PROFILE_ERR_MAX, "%.100s:%u: ", f->path, f->line);

	if (n > 0 && n < PROFILE_ERR_MAX) {
		va_start(ap, fmt);
		vsnprintf(f->err + n, (size_t)(PROFILE_ERR_MAX - n), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* A key of [interface]: the profile's identity, then the constraint keys. */
static int interface_pair(struct iface_file *f, const char *key, const char *value)
{
	struct tw_interface *i = f->out;
	char msg[PROFILE_ERR_MAX];
	int rc;

	for (unsigned k = 0; k < f->n_seen; k++)
		if (!strcmp(f->seen[k], key))
			return file_fail(f, "[interface] %.24s: given twice (first on line %u); each key once", key,
			                 f->seen_line[k]);
	if (f->n_seen < 24 && strlen(key) < sizeof f->seen[0]) {
		snprintf(f->seen[f->n_seen], sizeof f->seen[0], "%s", key);
		f->seen_line[f->n_seen++] = f->line;
	}
	if (!strcmp(key, "name")) {
		for (const char *c = value; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
				return file_fail(f, "[interface] name: '%.40s': expected letters, digits, '-', '_' and '.'", value);
		if (!*value || strlen(value) >= sizeof i->name)
			return file_fail(f, "[interface] name: expected 1 to %d characters", PROFILE_NAME_MAX - 1);
		snprintf(i->name, sizeof i->name, "%s", value);
		return 0;
	}
	if (!strcmp(key, "description")) {
		snprintf(i->description, sizeof i->description, "%s", value);
		return 0;
	}
	if (!strcmp(key, "card_name")) {
		snprintf(i->card_name, sizeof i->card_name, "%s", value);
		return 0;
	}
	if (!strcmp(key, "usb_id")) {
		unsigned v, p;
		char tail;
		if (strlen(value) != 9 || value[4] != ':' || sscanf(value, "%4x:%4x%c", &v, &p, &tail) != 2)
			return file_fail(f, "[interface] usb_id: expected VENDOR:PRODUCT in hex (e.g. 1235:8210), got '%.40s'",
			                 value);
		snprintf(i->usb_id, sizeof i->usb_id, "%04x:%04x", v, p);
		return 0;
	}
	rc = iface_key(i, key, value, 0, msg);
	if (rc == -ENOENT)
		return file_fail(f, "[interface] unknown key '%.40s': expected name, description, usb_id, card_name, "
		                 "formats, playback_formats, capture_formats, rates, playback_channels, capture_channels, "
		                 "period_bytes_min, period_bytes_max, buffer_bytes_max or periods_max", key);
	if (rc < 0)
		return file_fail(f, "[interface] %s", msg);
	return 0;
}

static int mixer_pair(struct iface_file *f, const char *key, const char *value)
{
	char msg[PROFILE_ERR_MAX];
	int role = iface_role_parse(key);

	if (role < 0)
		return file_fail(f, "[mixer] unknown role '%.40s': expected direct_monitor, phantom_power, output_level, "
		                 "input_gain or control", key);
	if (iface_add_control(f->out, value, role, 0, msg) < 0)
		return file_fail(f, "[mixer] %s: %s", key, msg);
	return 0;
}

static char *trim(char *s)
{
	char *e;
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* One line: comment, [section] or key = value. */
static int file_line(struct iface_file *f, char *s)
{
	for (char *p = s; *p; p++) {
		/* ';' or '#' at the start or after a blank starts a comment */
		if ((*p == ';' || *p == '#') && (p == s || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			break;
		}
	}
	s = trim(s);
	if (!*s)
		return 0;
	if (*s == '[') {
		char *close = strchr(s, ']');
		if (!close || *trim(close + 1))
			return file_fail(f, "'%.40s': expected [interface] or [mixer]", s);
		*close = '\0';
		s = trim(s + 1);
		if (!strcmp(s, "interface"))
			f->section = 1;
		else if (!strcmp(s, "mixer"))
			f->section = 2;
		else
			return file_fail(f, "unknown section [%.40s]: expected [interface] or [mixer]", s);
		return 0;
	}
	char *eq = strchr(s, '=');
	if (!eq)
		return file_fail(f, "'%.40s': expected 'key = value', a [section] or a comment", s);
	*eq = '\0';
	char *key = trim(s), *value = trim(eq + 1);
	if (!*key)
		return file_fail(f, "a value without a key: expected 'key = value'");
	if (f->section == 0)
		return file_fail(f, "'%.40s' before any section: expected [interface] first", key);
	return f->section == 1 ? interface_pair(f, key, value) : mixer_pair(f, key, value);
}

static int read_profile(const char *path, struct tw_interface *out, char err[PROFILE_ERR_MAX])
{
	struct iface_file f = { .path = path, .out = out, .err = err };
	char buf[LINE_MAX_CHARS + 2];
	struct stat st;
	FILE *fp = fopen(path, "r");
	int rc = 0;

	if (!fp) {
		int e = errno;
		snprintf(err, PROFILE_ERR_MAX, "%.150s: %s", path, strerror(e));
		return e == ENOENT ? -ENOENT : -EINVAL;
	}
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > FILE_MAX_BYTES) {
		fclose(fp);
		snprintf(err, PROFILE_ERR_MAX, "%.150s: not a profile (a regular file of at most %d bytes)", path,
		         FILE_MAX_BYTES);
		return -EINVAL;
	}
	iface_init(out);
	snprintf(out->path, sizeof out->path, "%s", path);
	while (rc == 0 && fgets(buf, sizeof buf, fp)) {
		size_t n = strlen(buf);
		f.line++;
		if (n == sizeof buf - 1 && buf[n - 1] != '\n')
			rc = file_fail(&f, "line longer than %d characters", LINE_MAX_CHARS);
		else if (!feof(fp) && (n == 0 || buf[n - 1] != '\n'))
			rc = file_fail(&f, "binary data (a NUL byte): this is not a profile");
		else
			rc = file_line(&f, buf);
	}
	fclose(fp);
	if (rc == 0 && !out->name[0]) {
		snprintf(err, PROFILE_ERR_MAX, "%.150s: [interface] name is missing", path);
		rc = -EINVAL;
	}
	return rc;
}

/* Closest names for a "not found" message. */
static void known_names(const struct profiles *p, char *buf, size_t len)
{
	char names[64][PROFILE_NAME_MAX];
	unsigned n = iface_list(p, names, 64);
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && used + 1 < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}

int iface_load(const struct profiles *p, const char *name, struct tw_interface *out,
               char err[PROFILE_ERR_MAX])
{
	char path[512], known[160];
	struct stat st;

	err[0] = '\0';
	if (!name || !*name) {
		snprintf(err, PROFILE_ERR_MAX, "interface: no profile named");
		return -EINVAL;
	}
	if (profiles_is_path(name))
		return read_profile(name, out, err);
	for (const char *c = name; *c; c++) {
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.') {
			snprintf(err, PROFILE_ERR_MAX, "interface '%.60s': a name has letters, digits, '-', '_' and '.'", name);
			return -EINVAL;
		}
	}
	for (unsigned d = 0; d < p->n_dirs; d++) {
		if ((size_t)snprintf(path, sizeof path, "%s/interfaces/%s.conf", p->dir[d], name) >= sizeof path)
			continue;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return read_profile(path, out, err);
	}
	known_names(p, known, sizeof known);
	snprintf(err, PROFILE_ERR_MAX, "no interface profile '%.60s' (known: %s)", name, known[0] ? known : "none");
	return -ENOENT;
}

int iface_resolve(struct tw_interface *sc, const struct profiles *p, const char *base_dir,
                  char err[PROFILE_ERR_MAX])
{
	struct tw_interface *prof;
	char name[512];
	int rc;

	if (!sc->name[0])
		return 0;
	if (profiles_is_path(sc->name) && sc->name[0] != '/' && base_dir)
		snprintf(name, sizeof name, "%s/%s", base_dir, sc->name);
	else
		snprintf(name, sizeof name, "%s", sc->name);
	prof = malloc(sizeof *prof);
	if (!prof) {
		snprintf(err, PROFILE_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	if ((rc = iface_load(p, name, prof, err)) < 0) {
		free(prof);
		return rc;
	}
	/* The scenario's own keys win, one by one. */
	if (!(sc->set & IFACE_SET_FORMATS_PLAY)) {
		sc->n_formats[0] = prof->n_formats[0];
		memcpy(sc->format[0], prof->format[0], sizeof sc->format[0]);
	}
	if (!(sc->set & IFACE_SET_FORMATS_CAP)) {
		sc->n_formats[1] = prof->n_formats[1];
		memcpy(sc->format[1], prof->format[1], sizeof sc->format[1]);
	}
	if (!(sc->set & IFACE_SET_RATES)) {
		sc->n_rates = prof->n_rates;
		memcpy(sc->rate, prof->rate, sizeof sc->rate);
	}
	for (unsigned k = 0; k < iface_n_uint_keys; k++)
		if (!(sc->set & iface_uint_keys[k].bit))
			memcpy((char *)sc + iface_uint_keys[k].offset, (char *)prof + iface_uint_keys[k].offset, sizeof(unsigned));
	snprintf(sc->name, sizeof sc->name, "%s", prof->name);
	snprintf(sc->description, sizeof sc->description, "%s", prof->description);
	snprintf(sc->path, sizeof sc->path, "%s", prof->path);
	snprintf(sc->usb_id, sizeof sc->usb_id, "%s", prof->usb_id);
	snprintf(sc->card_name, sizeof sc->card_name, "%s", prof->card_name);
	sc->n_controls = prof->n_controls;
	memcpy(sc->control, prof->control, sizeof sc->control);
	free(prof);
	return 0;
}

static void insert_name(char (*names)[PROFILE_NAME_MAX], unsigned *n, unsigned max, const char *name)
{
	unsigned at = 0;

	while (at < *n && strcmp(names[at], name) < 0)
		at++;
	if (at < *n && !strcmp(names[at], name))
		return;
	if (*n == max && at == max)
		return;
	memmove(names[at + 1], names[at], (size_t)(*n - at - (*n == max)) * PROFILE_NAME_MAX);
	snprintf(names[at], PROFILE_NAME_MAX, "%s", name);
	if (*n < max)
		(*n)++;
}

unsigned iface_list(const struct profiles *p, char (*names)[PROFILE_NAME_MAX], unsigned max)
{
	unsigned n = 0;

	for (unsigned d = 0; d < p->n_dirs; d++) {
		char dir[300];
		DIR *dp;
		struct dirent *e;

		snprintf(dir, sizeof dir, "%s/interfaces", p->dir[d]);
		if (!(dp = opendir(dir)))
			continue;
		while ((e = readdir(dp)) != NULL) {
			size_t len = strlen(e->d_name);
			if (len <= 5 || len - 5 >= PROFILE_NAME_MAX || strcmp(e->d_name + len - 5, ".conf") != 0)
				continue;
			char name[PROFILE_NAME_MAX];
			snprintf(name, sizeof name, "%.*s", (int)(len - 5), e->d_name);
			insert_name(names, &n, max, name);
		}
		closedir(dp);
	}
	return n;
}

int iface_identify(const struct profiles *p, const char *usb_id, const char *card_name,
                   struct tw_interface *out)
{
	char names[128][PROFILE_NAME_MAX], err[PROFILE_ERR_MAX];
	unsigned n = iface_list(p, names, 128);
	int by_name = -1;

	/* A USB id names one product; a card name may be shared by generations. */
	for (unsigned k = 0; k < n; k++) {
		if (iface_load(p, names[k], out, err) < 0)
			continue;
		if (usb_id && *usb_id && out->usb_id[0] && !strcasecmp(usb_id, out->usb_id))
			return 0;
		if (by_name < 0 && card_name && *card_name && out->card_name[0] && !strcmp(card_name, out->card_name))
			by_name = (int)k;
	}
	if (by_name >= 0 && iface_load(p, names[by_name], out, err) == 0)
		return 0;
	return -ENOENT;
}

