/* scenario: parses a simulation scenario (DESIGN §4) into a struct scenario, with messages that name file:line:field. */
#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A scenario is a screenful of lines; anything this large is not one. */
#define MAX_FILE_BYTES (1 << 20)
#define MAX_LINE 1024

const unsigned scenario_rates[SCENARIO_N_RATES] = { 44100, 48000, 88200, 96000, 176400, 192000 };

int scenario_rate_ok(unsigned rate)
{
	for (unsigned i = 0; i < SCENARIO_N_RATES; i++)
		if (scenario_rates[i] == rate)
			return 1;
	return 0;
}

enum section { SEC_NONE = 0, SEC_SCENARIO, SEC_INTERFACE, SEC_CABLE, SEC_UNKNOWN };

static const char *const section_names[] = {
	[SEC_NONE] = "", [SEC_SCENARIO] = "scenario", [SEC_INTERFACE] = "interface",
	[SEC_CABLE] = "cable", [SEC_UNKNOWN] = "?",
};

/* What the parser works through: the file's lines, split once. */
struct parser {
	const char *path;            /* as the caller named it, for messages */
	char *text;                  /* whole file, lines NUL-terminated in place */
	char **lines;
	unsigned n_lines;
	locale_t c_locale;           /* numbers are read the same whatever the host's locale */
	char *err;
};

static int fail(struct parser *ps, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *ps, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (line)
		n = snprintf(ps->err, PROFILE_ERR_MAX, "%s:%u: ", ps->path, line);
	else
		n = snprintf(ps->err, PROFILE_ERR_MAX, "%s: ", ps->path);
	if (n >= 0 && n < PROFILE_ERR_MAX) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, (size_t)(PROFILE_ERR_MAX - n), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static char *trim(char *s)
{
	char *e;

	while (*s && isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* ';' and '#' start a comment at the beginning of a line or after blank
 * space, so a path such as /srv/jig#2.conf survives. */
static void strip_comment(char *s)
{
	for (char *p = s; *p; p++) {
		if ((*p == ';' || *p == '#') && (p == s || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			return;
		}
	}
}

/* Shortens text for quoting it back inside a 256-byte message. */
static const char *quote(const char *s, char buf[40])
{
	size_t n = strlen(s);

	if (n < 40)
		return s;
	memcpy(buf, s, 32);
	memcpy(buf + 32, "...", 4);
	return buf;
}

static int parse_double(const struct parser *ps, const char *s, double *out)
{
	char *end;
	double v;

	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtod_l(s, &end, ps->c_locale);
	if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno == ERANGE)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (unsigned i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -EINVAL;
}

/* Reads the file and splits it into lines. Refuses what cannot be a
 * scenario: huge files, NUL bytes, overlong lines. */
static int read_lines(struct parser *ps)
{
	FILE *f;
	struct stat st;
	size_t n, cap;
	int rc = 0;

	f = fopen(ps->path, "r");
	if (!f) {
		int e = errno;
		snprintf(ps->err, PROFILE_ERR_MAX, "%s: cannot open scenario: %s", ps->path, strerror(e));
		return e == ENOENT ? -ENOENT : -EINVAL;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return fail(ps, 0, "not a regular file");
	}
	if (st.st_size > MAX_FILE_BYTES) {
		fclose(f);
		return fail(ps, 0, "%lld bytes is too large for a scenario (at most %d)",
		            (long long)st.st_size, MAX_FILE_BYTES);
	}
	ps->text = malloc((size_t)st.st_size + 2);
	if (!ps->text) {
		fclose(f);
		return fail(ps, 0, "out of memory");
	}
	n = fread(ps->text, 1, (size_t)st.st_size + 1, f);
	fclose(f);
	if (n > (size_t)st.st_size)
		return fail(ps, 0, "the file grew while it was read");
	ps->text[n] = '\0';

	cap = 1;
	for (size_t i = 0; i < n; i++)
		if (ps->text[i] == '\n')
			cap++;
	ps->lines = calloc(cap, sizeof *ps->lines);
	if (!ps->lines)
		return fail(ps, 0, "out of memory");

	char *p = ps->text, *end = ps->text + n;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		unsigned line = ps->n_lines + 1;

		if (memchr(p, '\0', len)) {
			rc = fail(ps, line, "binary data (a NUL byte): this is not a scenario file");
			break;
		}
		if (len >= MAX_LINE) {
			rc = fail(ps, line, "line longer than %d characters", MAX_LINE - 1);
			break;
		}
		p[len] = '\0';
		if (len && p[len - 1] == '\r')
			p[len - 1] = '\0';
		ps->lines[ps->n_lines++] = p;
		if (!nl)
			break;
		p = nl + 1;
	}
	return rc;
}

/* One line, classified. */
struct item {
	enum section section;
	char *key, *value;           /* NULL for blank lines and section headers */
};

static int classify_line(struct parser *ps, unsigned idx, enum section *cur, struct item *it)
{
	char *s = ps->lines[idx];
	unsigned line = idx + 1;
	char qb[40];

	it->key = it->value = NULL;
	strip_comment(s);
	s = trim(s);
	if (!*s) {
		it->section = *cur;
		return 0;
	}
	if (*s == '[') {
		char *close = strchr(s, ']');
		if (!close || trim(close + 1)[0] != '\0')
			return fail(ps, line, "malformed section header '%s': expected [scenario], [interface] or [cable]",
			            quote(s, qb));
		*close = '\0';
		char *name = trim(s + 1);
		for (int k = SEC_SCENARIO; k <= SEC_CABLE; k++) {
			if (strcmp(name, section_names[k]) == 0) {
				*cur = (enum section)k;
				it->section = *cur;
				return 0;
			}
		}
		return fail(ps, line, "unknown section [%s]: expected [scenario], [interface] or [cable]",
		            quote(name, qb));
	}
	char *eq = strchr(s, '=');
	if (!eq)
		return fail(ps, line, "'%s' is not 'key = value'", quote(s, qb));
	*eq = '\0';
	it->key = trim(s);
	it->value = trim(eq + 1);
	it->section = *cur;
	if (!*it->key)
		return fail(ps, line, "a value without a key: expected 'key = value'");
	if (*cur == SEC_NONE)
		return fail(ps, line, "'%s' before any section: expected [scenario] first", quote(it->key, qb));
	return 0;
}

static const char *const scenario_keys = "jig, rate";
static const char *const interface_keys =
	"latency_frames, noise_dbfs, hum_hz, hum_dbfs, gain_db, thd_db, drift_ppm, clip_dbfs, "
	"pace, unplugged, unplug_after_ms";
static const char *const cable_keys = "wire, short, dropout, connect, disconnect";

/* A number-valued [interface] key: where it goes and what range makes sense. */
struct num_key {
	const char *name;
	size_t offset;               /* of a double in struct scenario */
	double min, max;
	const char *what;
};

#define SC_OFF(field) offsetof(struct scenario, field)
static const struct num_key num_keys[] = {
	{ "noise_dbfs", SC_OFF(noise_dbfs), -200, 0, "an RMS level in dBFS" },
	{ "hum_hz", SC_OFF(hum_hz), 1, 1000, "a mains frequency in Hz" },
	{ "hum_dbfs", SC_OFF(hum_dbfs), -200, 0, "a peak level in dBFS" },
	{ "gain_db", SC_OFF(gain_db), -60, 20, "a gain in dB" },
	{ "thd_db", SC_OFF(thd_db), -200, 0, "a 3rd-harmonic level in dB re the fundamental" },
	{ "drift_ppm", SC_OFF(drift_ppm), -1000, 1000, "a clock offset in ppm" },
	{ "clip_dbfs", SC_OFF(clip_dbfs), -60, 0, "a clipping level in dBFS" },
};
#undef SC_OFF

enum { SEEN_JIG = 1u << 0, SEEN_RATE = 1u << 1 };

/* Keys that may appear once, so a second line for one is a mistake. */
static int once(struct parser *ps, unsigned line, const char *section, const char *key,
                unsigned *seen, unsigned bit)
{
	if (*seen & bit)
		return fail(ps, line, "[%s] %s: given twice (each key once)", section, key);
	*seen |= bit;
	return 0;
}

static int scenario_key(struct parser *ps, unsigned line, struct item *it, struct scenario *sc,
                        char *jig, size_t jig_len, unsigned *jig_line, unsigned *seen)
{
	char qb[40];
	long v;

	if (strcmp(it->key, "jig") == 0) {
		if (once(ps, line, "scenario", "jig", seen, SEEN_JIG) < 0)
			return -EINVAL;
		if (!*it->value || strlen(it->value) >= jig_len)
			return fail(ps, line, "[scenario] jig: expected a jig name (e.g. trrs-4ch) or a path, got '%s'",
			            quote(it->value, qb));
		snprintf(jig, jig_len, "%s", it->value);
		*jig_line = line;
		return 0;
	}
	if (strcmp(it->key, "rate") == 0) {
		if (once(ps, line, "scenario", "rate", seen, SEEN_RATE) < 0)
			return -EINVAL;
		if (parse_long(it->value, &v) < 0 || v <= 0 || v > INT_MAX || !scenario_rate_ok((unsigned)v))
			return fail(ps, line,
			            "[scenario] rate: expected 44100, 48000, 88200, 96000, 176400 or 192000 Hz, got '%s'",
			            quote(it->value, qb));
		sc->rate = (unsigned)v;
		return 0;
	}
	return fail(ps, line, "[scenario] unknown key '%s': expected one of %s", quote(it->key, qb), scenario_keys);
}

static int interface_key(struct parser *ps, unsigned line, struct item *it, struct scenario *sc,
                         unsigned *seen)
{
	char qb[40], qv[40];
	long v;
	double d;

	/* bits 8.. of *seen: one per number key, then the others */
	for (unsigned k = 0; k < sizeof num_keys / sizeof num_keys[0]; k++) {
		const struct num_key *nk = &num_keys[k];
		if (strcmp(it->key, nk->name) != 0)
			continue;
		if (once(ps, line, "interface", nk->name, seen, 1u << (8 + k)) < 0)
			return -EINVAL;
		if (parse_double(ps, it->value, &d) < 0 || d < nk->min || d > nk->max)
			return fail(ps, line, "[interface] %s: expected %s between %g and %g, got '%s'",
			            nk->name, nk->what, nk->min, nk->max, quote(it->value, qv));
		*(double *)((char *)sc + nk->offset) = d;
		return 0;
	}
	if (strcmp(it->key, "latency_frames") == 0) {
		if (once(ps, line, "interface", it->key, seen, 1u << 20) < 0)
			return -EINVAL;
		/* 0.5 s at 96 kHz: more than any USB interface's round trip. */
		if (parse_long(it->value, &v) < 0 || v < 0 || v > 48000)
			return fail(ps, line, "[interface] latency_frames: expected a whole number of frames 0..48000, got '%s'",
			            quote(it->value, qv));
		sc->latency_frames = (int)v;
		return 0;
	}
	if (strcmp(it->key, "pace") == 0) {
		if (once(ps, line, "interface", it->key, seen, 1u << 21) < 0)
			return -EINVAL;
		if (strcmp(it->value, "realtime") == 0)
			sc->pace_fast = 0;
		else if (strcmp(it->value, "fast") == 0)
			sc->pace_fast = 1;
		else
			return fail(ps, line, "[interface] pace: expected realtime or fast, got '%s'", quote(it->value, qv));
		return 0;
	}
	if (strcmp(it->key, "unplugged") == 0) {
		if (once(ps, line, "interface", it->key, seen, 1u << 22) < 0)
			return -EINVAL;
		if (parse_bool(it->value, &sc->unplugged) < 0)
			return fail(ps, line, "[interface] unplugged: expected true or false, got '%s'", quote(it->value, qv));
		return 0;
	}
	if (strcmp(it->key, "unplug_after_ms") == 0) {
		if (once(ps, line, "interface", it->key, seen, 1u << 23) < 0)
			return -EINVAL;
		if (parse_long(it->value, &v) < 0 || v < 0 || v > 86400000)
			return fail(ps, line, "[interface] unplug_after_ms: expected a whole number of ms 0..86400000, got '%s'",
			            quote(it->value, qv));
		sc->unplug_after_ms = (int)v;
		return 0;
	}
	/* The hardware's constraints: one grammar with profiles/interfaces/. */
	char msg[PROFILE_ERR_MAX];
	int rc = iface_key(&sc->hw, it->key, it->value, 1, msg);
	if (rc == 0)
		return 0;
	if (rc != -ENOENT)
		return fail(ps, line, "[interface] %s", msg);
	return fail(ps, line, "[interface] unknown key '%s': expected one of %s, %s", quote(it->key, qb), interface_keys,
	            iface_scenario_keys);
}

/* Splits a value into blank-separated words; returns how many (at most max,
 * max + 1 meaning "too many"). */
static unsigned split_words(char *s, char **w, unsigned max)
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

/* Appends the jig's contact names ("A.T A.R1 …") to msg, as far as they fit. */
static void list_contacts(const struct fixture *f, char *msg, size_t len)
{
	size_t used = strlen(msg);

	for (unsigned i = 0; i < f->n_contacts && used + 1 < len; i++) {
		int n = snprintf(msg + used, len - used, "%s%s", i ? " " : "", f->contact[i].name);
		if (n < 0 || (size_t)n >= len - used) {
			msg[used] = '\0';
			if (used + 4 < len)
				strcat(msg, " ...");
			return;
		}
		used += (size_t)n;
	}
}

static int contact(struct parser *ps, unsigned line, const struct scenario *sc, const char *key,
                   const char *name, int *out)
{
	char msg[160], qb[40];

	*out = fixture_find_contact(&sc->jig.fixture, name);
	if (*out >= 0)
		return 0;
	snprintf(msg, sizeof msg, "contacts of %s: ", sc->jig.name);
	list_contacts(&sc->jig.fixture, msg, sizeof msg);
	return fail(ps, line, "[cable] %s: unknown contact '%s' (%s)", key, quote(name, qb), msg);
}

/* Index of the conductor between a and b (either order), or -1. */
static int find_conductor(const struct scenario *sc, int a, int b)
{
	for (unsigned i = 0; i < sc->cable.n; i++) {
		const struct conductor *c = &sc->cable.c[i];
		if ((c->a == a && c->b == b) || (c->a == b && c->b == a))
			return (int)i;
	}
	return -1;
}

static int cable_key(struct parser *ps, unsigned line, struct item *it, struct scenario *sc)
{
	char *w[5];
	char qb[40], qv[40];
	int is_wire = strcmp(it->key, "wire") == 0;
	int is_short = strcmp(it->key, "short") == 0;
	unsigned n;
	int a, b;
	double ohms;

	if (strcmp(it->key, "dropout") == 0 || strcmp(it->key, "connect") == 0 ||
	    strcmp(it->key, "disconnect") == 0)
		return 0;  /* resolved once every wire line is known */
	if (!is_wire && !is_short)
		return fail(ps, line, "[cable] unknown key '%s': expected one of %s", quote(it->key, qb), cable_keys);

	n = split_words(it->value, w, 3);
	if (is_wire && (n < 2 || n > 3))
		return fail(ps, line, "[cable] wire: expected 'CONTACT CONTACT [OHMS]' (e.g. A.T B.T 0.05), got '%s'",
		            quote(it->value, qv));
	if (is_short && n != 3)
		return fail(ps, line, "[cable] short: expected 'CONTACT CONTACT OHMS' (e.g. A.T A.S 0.5), got '%s'",
		            quote(it->value, qv));
	if (contact(ps, line, sc, it->key, w[0], &a) < 0 || contact(ps, line, sc, it->key, w[1], &b) < 0)
		return -EINVAL;
	if (a == b)
		return fail(ps, line, "[cable] %s: both ends are %s: expected two different contacts", it->key, w[0]);
	ohms = WIRING_DEFAULT_OHMS;
	/* 1 µΩ .. 100 MΩ: below is a rounding error, above is an open. */
	if (n == 3 && (parse_double(ps, w[2], &ohms) < 0 || ohms < 1e-6 || ohms > 1e8))
		return fail(ps, line, "[cable] %s: expected a resistance in ohms between 1e-6 and 1e8, got '%s'",
		            it->key, quote(w[2], qv));
	int dup = find_conductor(sc, a, b);
	if (dup >= 0)
		return fail(ps, line, "[cable] %s: %s and %s are already joined on line %u: expected each pair once",
		            it->key, w[0], w[1], sc->line[dup]);
	if (sc->cable.n >= WIRING_MAX)
		return fail(ps, line, "[cable] more than %d wire and short lines", WIRING_MAX);
	sc->cable.c[sc->cable.n] = (struct conductor){ .a = a, .b = b, .ohms = ohms };
	sc->is_short[sc->cable.n] = (unsigned char)is_short;
	sc->line[sc->cable.n] = line;
	sc->cable.n++;
	return 0;
}

static int dropout_key(struct parser *ps, unsigned line, struct item *it, struct scenario *sc)
{
	char *w[5];
	char qv[40];
	int a, b, k;
	double start, dur;

	if (split_words(it->value, w, 4) != 4)
		return fail(ps, line,
		            "[cable] dropout: expected 'CONTACT CONTACT START_MS DURATION_MS' (e.g. A.T B.T 250 2), got '%s'",
		            quote(it->value, qv));
	if (contact(ps, line, sc, "dropout", w[0], &a) < 0 || contact(ps, line, sc, "dropout", w[1], &b) < 0)
		return -EINVAL;
	k = find_conductor(sc, a, b);
	if (k < 0 || sc->is_short[k])
		return fail(ps, line, "[cable] dropout: no 'wire = %s %s' line: a dropout opens one of the cable's wires",
		            w[0], w[1]);
	if (parse_double(ps, w[2], &start) < 0 || start < 0 || start > 86400000.0)
		return fail(ps, line, "[cable] dropout: expected a start time in ms (>= 0), got '%s'", w[2]);
	if (parse_double(ps, w[3], &dur) < 0 || dur <= 0 || dur > 86400000.0)
		return fail(ps, line, "[cable] dropout: expected a duration in ms (> 0), got '%s'", w[3]);
	if (sc->n_dropouts >= SCENARIO_MAX_DROPOUTS)
		return fail(ps, line, "[cable] more than %d dropout lines", SCENARIO_MAX_DROPOUTS);
	sc->dropout[sc->n_dropouts++] = (struct dropout){ .conductor = k, .start_ms = start, .dur_ms = dur };
	return 0;
}

/* connect = A.T B.T 300 / disconnect = * 2500: when a wire (or, with *,
 * every wire) makes or breaks contact as the plug goes in or out. */
static int plug_key(struct parser *ps, unsigned line, struct item *it, struct scenario *sc)
{
	char *w[5];
	char qv[40];
	const char *key = it->key;
	int connect = strcmp(key, "connect") == 0;
	unsigned n = split_words(it->value, w, 3);
	int a, b, k = -1;
	double at;

	if (!((n == 2 && strcmp(w[0], "*") == 0) || n == 3))
		return fail(ps, line, "[cable] %s: expected 'CONTACT CONTACT TIME_MS' or '* TIME_MS' (e.g. A.T B.T 300), got '%s'",
		            key, quote(it->value, qv));
	if (n == 3) {
		if (contact(ps, line, sc, key, w[0], &a) < 0 || contact(ps, line, sc, key, w[1], &b) < 0)
			return -EINVAL;
		k = find_conductor(sc, a, b);
		if (k < 0 || sc->is_short[k])
			return fail(ps, line, "[cable] %s: no 'wire = %s %s' line: only the cable's wires connect and disconnect",
			            key, w[0], w[1]);
	}
	if (parse_double(ps, w[n - 1], &at) < 0 || at < 0 || at > 86400000.0)
		return fail(ps, line, "[cable] %s: expected a time in ms (>= 0), got '%s'", key, quote(w[n - 1], qv));
	for (unsigned c = 0; c < sc->cable.n; c++) {
		if ((k >= 0 && (int)c != k) || (k < 0 && sc->is_short[c]))
			continue;
		if (sc->n_plug_events >= SCENARIO_MAX_PLUG_EVENTS)
			return fail(ps, line, "[cable] more than %d connect/disconnect events", SCENARIO_MAX_PLUG_EVENTS);
		sc->plug_event[sc->n_plug_events++] = (struct plug_event){ .conductor = (int)c, .at_ms = at,
		                                                          .connect = connect };
	}
	return 0;
}

/* A jig given as a relative path is taken from the scenario's folder, so a
 * scenario and its jig can travel together. */
static int resolve_jig(struct parser *ps, unsigned line, const char *jig, char *out, size_t len)
{
	const char *slash = strrchr(ps->path, '/');

	if (!strchr(jig, '/') || jig[0] == '/' || !slash) {
		snprintf(out, len, "%s", jig);
		return 0;
	}
	if ((size_t)snprintf(out, len, "%.*s/%s", (int)(slash - ps->path), ps->path, jig) >= len)
		return fail(ps, line, "[scenario] jig: path too long");
	return 0;
}

static void defaults(struct scenario *sc)
{
	memset(sc, 0, sizeof *sc);
	sc->rate = 48000;
	sc->latency_frames = -1;
	sc->noise_dbfs = -120.0;
	sc->hum_hz = 50.0;
	sc->hum_dbfs = -200.0;
	sc->gain_db = 0.0;
	sc->thd_db = -200.0;
	sc->drift_ppm = 0.0;
	sc->clip_dbfs = 0.0;
	sc->unplug_after_ms = -1;
}

static int parse(struct parser *ps, const struct profiles *p, struct scenario *sc)
{
	struct item *items = NULL;
	enum section cur = SEC_NONE;
	char jig[256] = "", jig_path[512], perr[PROFILE_ERR_MAX];
	unsigned jig_line = 0, seen_scenario = 0, seen_interface = 0, has_scenario = 0;
	int rc = 0;

	items = calloc(ps->n_lines ? ps->n_lines : 1, sizeof *items);
	if (!items)
		return fail(ps, 0, "out of memory");

	/* Pass 1: the shape of every line, [scenario] and [interface]. */
	for (unsigned i = 0; i < ps->n_lines && rc == 0; i++) {
		rc = classify_line(ps, i, &cur, &items[i]);
		if (rc < 0)
			break;
		if (items[i].section == SEC_SCENARIO)
			has_scenario = 1;
		if (!items[i].key)
			continue;
		if (items[i].section == SEC_SCENARIO)
			rc = scenario_key(ps, i + 1, &items[i], sc, jig, sizeof jig, &jig_line, &seen_scenario);
		else if (items[i].section == SEC_INTERFACE)
			rc = interface_key(ps, i + 1, &items[i], sc, &seen_interface);
	}
	if (rc < 0)
		goto out;
	if (!has_scenario) {
		rc = fail(ps, 0, "no [scenario] section: expected [scenario] with 'jig = NAME'");
		goto out;
	}
	if (!jig[0]) {
		rc = fail(ps, 0, "[scenario] jig: missing: expected 'jig = NAME' (e.g. trrs-4ch) or a path");
		goto out;
	}

	/* The jig gives the contacts [cable] lines name. */
	if ((rc = resolve_jig(ps, jig_line, jig, jig_path, sizeof jig_path)) < 0)
		goto out;
	perr[0] = '\0';
	rc = profiles_load_jig(p, jig_path, &sc->jig, perr);
	if (rc < 0) {
		char msg[PROFILE_ERR_MAX];
		snprintf(msg, sizeof msg, "%s", perr);
		int missing = rc == -ENOENT;
		rc = fail(ps, jig_line, "[scenario] jig: %s", msg[0] ? msg : strerror(-rc));
		if (missing)
			rc = -ENOENT;
		goto out;
	}
	if (sc->jig.fixture.n_outputs == 0 || sc->jig.fixture.n_inputs == 0) {
		rc = fail(ps, jig_line, "[scenario] jig: %s has no [outputs] or no [inputs]", sc->jig.name);
		goto out;
	}
	/* The interface profile it names, under the scenario's own keys. */
	{
		char dir[256];
		const char *slash = strrchr(ps->path, '/');
		snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - ps->path) : 1, slash ? ps->path : ".");
		if ((rc = iface_resolve(&sc->hw, p, dir, perr)) < 0 ||
		    (rc = iface_check_jig(&sc->hw, sc->jig.fixture.n_outputs, sc->jig.fixture.n_inputs, perr)) < 0) {
			int missing = rc == -ENOENT;
			rc = fail(ps, 0, "%s", perr);
			if (missing)
				rc = -ENOENT;
			goto out;
		}
	}

	/* Pass 2: wires and shorts, then dropouts (which name a wire anywhere in the file). */
	for (unsigned i = 0; i < ps->n_lines && rc == 0; i++)
		if (items[i].key && items[i].section == SEC_CABLE)
			rc = cable_key(ps, i + 1, &items[i], sc);
	for (unsigned i = 0; i < ps->n_lines && rc == 0; i++)
		if (items[i].key && items[i].section == SEC_CABLE && strcmp(items[i].key, "dropout") == 0)
			rc = dropout_key(ps, i + 1, &items[i], sc);
		else if (items[i].key && items[i].section == SEC_CABLE &&
		         (strcmp(items[i].key, "connect") == 0 || strcmp(items[i].key, "disconnect") == 0))
			rc = plug_key(ps, i + 1, &items[i], sc);
out:
	free(items);
	return rc;
}

int scenario_load(const char *path, const struct profiles *p, struct scenario *sc,
                  char err[PROFILE_ERR_MAX])
{
	struct parser ps = { .path = path, .err = err };
	int rc;

	if (!err)
		return -EINVAL;
	err[0] = '\0';
	if (!path || !p || !sc) {
		snprintf(err, PROFILE_ERR_MAX, "scenario: no file given");
		return -EINVAL;
	}
	defaults(sc);
	if (strlen(path) >= sizeof sc->path) {
		snprintf(err, PROFILE_ERR_MAX, "scenario: path too long (at most %zu characters)", sizeof sc->path - 1);
		return -EINVAL;
	}
	snprintf(sc->path, sizeof sc->path, "%s", path);
	ps.c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (ps.c_locale == (locale_t)0) {
		snprintf(err, PROFILE_ERR_MAX, "%s: cannot make the C locale", path);
		return -EINVAL;
	}
	rc = read_lines(&ps);
	if (rc == 0)
		rc = parse(&ps, p, sc);
	freelocale(ps.c_locale);
	free(ps.lines);
	free(ps.text);
	return rc;
}
