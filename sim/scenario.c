/* scenario: parses a simulation scenario (docs/formats.md) and tonewire_sim: device strings, with messages that name file:line: key. */
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

#include "ini.h"

const unsigned scenario_rates[SCENARIO_N_RATES] = { 44100, 48000, 88200, 96000, 176400, 192000 };

int scenario_rate_ok(unsigned rate)
{
	for (unsigned i = 0; i < SCENARIO_N_RATES; i++)
		if (scenario_rates[i] == rate)
			return 1;
	return 0;
}

static const char *const sections[] = { "scenario", "interface", "cable", NULL };
static const struct ini_key keys[] = {
	{ "scenario", "jig", 0 }, { "scenario", "rate", 0 },
	{ "interface", "latency_frames", 0 }, { "interface", "noise_dbfs", 0 }, { "interface", "hum_hz", 0 },
	{ "interface", "hum_dbfs", 0 }, { "interface", "gain_db", 0 }, { "interface", "thd_db", 0 },
	{ "interface", "drift_ppm", 0 }, { "interface", "clip_dbfs", 0 }, { "interface", "pace", 0 },
	{ "interface", "unplugged", 0 }, { "interface", "unplug_after_ms", 0 },
	/* the hardware's constraints (profiles/interfaces/ keys, scenario overrides) */
	{ "interface", "interface", 0 }, { "interface", "formats", 0 }, { "interface", "playback_formats", 0 },
	{ "interface", "capture_formats", 0 }, { "interface", "rates", 0 }, { "interface", "playback_channels", 0 },
	{ "interface", "capture_channels", 0 }, { "interface", "period_bytes_min", 0 },
	{ "interface", "period_bytes_max", 0 }, { "interface", "buffer_bytes_max", 0 },
	{ "interface", "periods_max", 0 }, { "interface", "jig_outputs", 0 }, { "interface", "jig_inputs", 0 },
	{ "interface", "mixer", 1 },
	/* the cable as built: one line per conductor or event */
	{ "cable", "wire", 1 }, { "cable", "short", 1 }, { "cable", "dropout", 1 }, { "cable", "connect", 1 },
	{ "cable", "disconnect", 1 },
};
/* Comments are kept: a scenario's "; title:" and "; cable:" lines describe it (scenario_about). */
static const struct ini_schema schema = { "scenario", sections, keys, sizeof keys / sizeof keys[0], 1 };

/* What the parser works through. */
struct parser {
	ini *doc;
	const char *path;            /* as the caller named it, for messages */
	locale_t c_locale;           /* numbers are read the same whatever the host's locale */
	char *err;
};

__attribute__((format(printf, 4, 5)))
static int fail(const struct parser *ps, unsigned line, const char *key, const char *fmt, ...)
{
	char msg[PROFILE_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return ini_error(ps->err, ps->path, line, key, "%s", msg);
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

static int rate_key(const struct parser *ps, const struct ini_entry *e, struct scenario *sc)
{
	char qv[40];
	long v;

	if (parse_long(e->value, &v) < 0 || v <= 0 || v > INT_MAX || !scenario_rate_ok((unsigned)v))
		return fail(ps, e->line, e->key, "expected 44100, 48000, 88200, 96000, 176400 or 192000 Hz, got '%s'",
		            quote(e->value, qv));
	sc->rate = (unsigned)v;
	return 0;
}

/* A whole number of lo..hi, or a message naming what it counts. */
static int whole(const struct parser *ps, const struct ini_entry *e, long lo, long hi, const char *what, int *out)
{
	char qv[40];
	long v;

	if (parse_long(e->value, &v) < 0 || v < lo || v > hi)
		return fail(ps, e->line, e->key, "expected a whole number of %s %ld..%ld, got '%s'", what, lo, hi,
		            quote(e->value, qv));
	*out = (int)v;
	return 0;
}

static int interface_key(const struct parser *ps, const struct ini_entry *e, struct scenario *sc)
{
	char qv[40];
	double d;

	for (unsigned k = 0; k < sizeof num_keys / sizeof num_keys[0]; k++) {
		const struct num_key *nk = &num_keys[k];

		if (strcmp(e->key, nk->name) != 0)
			continue;
		if (parse_double(ps, e->value, &d) < 0 || d < nk->min || d > nk->max)
			return fail(ps, e->line, e->key, "expected %s between %g and %g, got '%s'", nk->what, nk->min,
			            nk->max, quote(e->value, qv));
		*(double *)((char *)sc + nk->offset) = d;
		return 0;
	}
	/* 48000 frames: 0.5 s at 96 kHz, more than any USB interface's round trip. */
	if (strcmp(e->key, "latency_frames") == 0)
		return whole(ps, e, 0, 48000, "frames", &sc->latency_frames);
	if (strcmp(e->key, "unplug_after_ms") == 0)
		return whole(ps, e, 0, 86400000, "ms", &sc->unplug_after_ms);
	if (strcmp(e->key, "pace") == 0) {
		if (strcmp(e->value, "realtime") != 0 && strcmp(e->value, "fast") != 0)
			return fail(ps, e->line, e->key, "expected realtime or fast, got '%s'", quote(e->value, qv));
		sc->pace_fast = strcmp(e->value, "fast") == 0;
		return 0;
	}
	if (strcmp(e->key, "unplugged") == 0) {
		if (parse_bool(e->value, &sc->unplugged) < 0)
			return fail(ps, e->line, e->key, "expected true or false, got '%s'", quote(e->value, qv));
		return 0;
	}
	/* The hardware's constraints: one grammar with profiles/interfaces/
	 * (the schema admits no other key). */
	char msg[PROFILE_ERR_MAX];
	if (iface_key(&sc->hw, e->key, e->value, 1, msg) < 0) {
		size_t n = strlen(e->key);
		const char *why = !strncmp(msg, e->key, n) && !strncmp(msg + n, ": ", 2) ? msg + n + 2 : msg;
		return fail(ps, e->line, e->key, "%s", why);
	}
	return 0;
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

static int contact(const struct parser *ps, const struct ini_entry *e, const struct scenario *sc,
                   const char *name, int *out)
{
	char msg[160], qb[40];

	*out = fixture_find_contact(&sc->jig.fixture, name);
	if (*out >= 0)
		return 0;
	snprintf(msg, sizeof msg, "contacts of %s: ", sc->jig.name);
	list_contacts(&sc->jig.fixture, msg, sizeof msg);
	return fail(ps, e->line, e->key, "unknown contact '%s' (%s)", quote(name, qb), msg);
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

/* The value split into words, in a copy the caller provides. */
static unsigned words(const struct ini_entry *e, char *buf, size_t len, char **w, unsigned max)
{
	snprintf(buf, len, "%s", e->value);
	return strlen(e->value) < len ? split_words(buf, w, max) : max + 1;
}

/* wire = A B [OHMS], short = A B OHMS */
static int conductor_key(const struct parser *ps, const struct ini_entry *e, struct scenario *sc)
{
	char buf[256], *w[4], qv[40];
	int is_short = strcmp(e->key, "short") == 0, a, b, dup;
	unsigned n = words(e, buf, sizeof buf, w, 3);
	double ohms = WIRING_DEFAULT_OHMS;

	if (!is_short && (n < 2 || n > 3))
		return fail(ps, e->line, e->key, "expected 'CONTACT CONTACT [OHMS]' (e.g. A.T B.T 0.05), got '%s'",
		            quote(e->value, qv));
	if (is_short && n != 3)
		return fail(ps, e->line, e->key, "expected 'CONTACT CONTACT OHMS' (e.g. A.T A.S 0.5), got '%s'",
		            quote(e->value, qv));
	if (contact(ps, e, sc, w[0], &a) < 0 || contact(ps, e, sc, w[1], &b) < 0)
		return -EINVAL;
	if (a == b)
		return fail(ps, e->line, e->key, "both ends are %s: expected two different contacts", w[0]);
	/* 1 µΩ .. 100 MΩ: below is a rounding error, above is an open. */
	if (n == 3 && (parse_double(ps, w[2], &ohms) < 0 || ohms < 1e-6 || ohms > 1e8))
		return fail(ps, e->line, e->key, "expected a resistance in ohms between 1e-6 and 1e8, got '%s'",
		            quote(w[2], qv));
	dup = find_conductor(sc, a, b);
	if (dup >= 0)
		return fail(ps, e->line, e->key, "%s and %s are already joined on line %u: expected each pair once", w[0],
		            w[1], sc->line[dup]);
	if (sc->cable.n >= WIRING_MAX)
		return fail(ps, e->line, e->key, "more than %d wire and short lines", WIRING_MAX);
	sc->cable.c[sc->cable.n] = (struct conductor){ .a = a, .b = b, .ohms = ohms };
	sc->is_short[sc->cable.n] = (unsigned char)is_short;
	sc->line[sc->cable.n] = e->line;
	sc->cable.n++;
	return 0;
}

/* The wire (never a short) between two contacts, or a message. */
static int wire_of(const struct parser *ps, const struct ini_entry *e, const struct scenario *sc, char **w,
                   const char *why)
{
	int a, b, k;

	if (contact(ps, e, sc, w[0], &a) < 0 || contact(ps, e, sc, w[1], &b) < 0)
		return -EINVAL;
	k = find_conductor(sc, a, b);
	if (k < 0 || sc->is_short[k])
		return fail(ps, e->line, e->key, "no 'wire = %s %s' line: %s", w[0], w[1], why);
	return k;
}

static int dropout_key(const struct parser *ps, const struct ini_entry *e, struct scenario *sc)
{
	char buf[256], *w[5], qv[40];
	double start, dur;
	int k;

	if (words(e, buf, sizeof buf, w, 4) != 4)
		return fail(ps, e->line, e->key,
		            "expected 'CONTACT CONTACT START_MS DURATION_MS' (e.g. A.T B.T 250 2), got '%s'",
		            quote(e->value, qv));
	k = wire_of(ps, e, sc, w, "a dropout opens one of the cable's wires");
	if (k < 0)
		return k;
	if (parse_double(ps, w[2], &start) < 0 || start < 0 || start > 86400000.0)
		return fail(ps, e->line, e->key, "expected a start time in ms (>= 0), got '%s'", quote(w[2], qv));
	if (parse_double(ps, w[3], &dur) < 0 || dur <= 0 || dur > 86400000.0)
		return fail(ps, e->line, e->key, "expected a duration in ms (> 0), got '%s'", quote(w[3], qv));
	if (sc->n_dropouts >= SCENARIO_MAX_DROPOUTS)
		return fail(ps, e->line, e->key, "more than %d dropout lines", SCENARIO_MAX_DROPOUTS);
	sc->dropout[sc->n_dropouts++] = (struct dropout){ .conductor = k, .start_ms = start, .dur_ms = dur };
	return 0;
}

/* connect = A.T B.T 300 / disconnect = * 2500: when a wire (or, with *,
 * every wire) makes or breaks contact as the plug goes in or out. */
static int plug_key(const struct parser *ps, const struct ini_entry *e, struct scenario *sc)
{
	char buf[256], *w[4], qv[40];
	int connect = strcmp(e->key, "connect") == 0, k = -1;
	unsigned n = words(e, buf, sizeof buf, w, 3);
	double at;

	if (!((n == 2 && strcmp(w[0], "*") == 0) || n == 3))
		return fail(ps, e->line, e->key, "expected 'CONTACT CONTACT TIME_MS' or '* TIME_MS' (e.g. A.T B.T 300), got '%s'",
		            quote(e->value, qv));
	if (n == 3 && (k = wire_of(ps, e, sc, w, "only the cable's wires connect and disconnect")) < 0)
		return k;
	if (parse_double(ps, w[n - 1], &at) < 0 || at < 0 || at > 86400000.0)
		return fail(ps, e->line, e->key, "expected a time in ms (>= 0), got '%s'", quote(w[n - 1], qv));
	for (unsigned c = 0; c < sc->cable.n; c++) {
		if ((k >= 0 && (int)c != k) || (k < 0 && sc->is_short[c]))
			continue;
		if (sc->n_plug_events >= SCENARIO_MAX_PLUG_EVENTS)
			return fail(ps, e->line, e->key, "more than %d connect/disconnect events", SCENARIO_MAX_PLUG_EVENTS);
		sc->plug_event[sc->n_plug_events++] = (struct plug_event){ .conductor = (int)c, .at_ms = at,
		                                                          .connect = connect };
	}
	return 0;
}

/* A jig given as a relative path is taken from the scenario's folder, so a
 * scenario and its jig can travel together. A path that would not fit is
 * refused: cut short, it would name another file. */
static int resolve_jig(const char *scenario, const char *jig, char *out, size_t len)
{
	const char *slash = strrchr(scenario, '/');
	int n;

	if (!profiles_is_path(jig) || jig[0] == '/' || !slash)
		n = snprintf(out, len, "%s", jig);
	else
		n = snprintf(out, len, "%.*s/%s", (int)(slash - scenario), scenario, jig);
	if (n < 0 || (size_t)n >= len) {
		if (len)
			out[0] = '\0';
		return -ENAMETOOLONG;
	}
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

/* The [scenario] jig, loaded through p: the contacts [cable] lines name. */
static int load_jig(const struct parser *ps, const struct profiles *p, struct scenario *sc)
{
	const struct ini_entry *e = ini_get(ps->doc, "scenario", "jig");
	char jig[256], perr[PROFILE_ERR_MAX];
	int rc;

	if (!ini_section_line(ps->doc, "scenario"))
		return fail(ps, 0, NULL, "no [scenario] section: expected [scenario] with 'jig = NAME'");
	if (!e || !e->value[0])
		return fail(ps, e ? e->line : ini_section_line(ps->doc, "scenario"), "jig",
		            "missing: expected 'jig = NAME' (e.g. trrs-4ch) or a path");
	if (resolve_jig(ps->path, e->value, jig, sizeof jig) < 0)
		return fail(ps, e->line, e->key, "too long: at most %zu characters (a relative path counts from the "
		            "scenario's folder)", sizeof jig - 1);
	rc = profiles_load_jig(p, jig, &sc->jig, perr);
	if (rc < 0) {
		fail(ps, e->line, e->key, "%s", perr);
		return rc == -ENOENT ? -ENOENT : -EINVAL;
	}
	if (sc->jig.fixture.n_outputs == 0 || sc->jig.fixture.n_inputs == 0)
		return fail(ps, e->line, e->key, "%s has no [outputs] or no [inputs]", sc->jig.name);
	return 0;
}

/* The interface profile the scenario names, under the scenario's own keys,
 * and the jig's place among its channels. */
static int interface_of(const struct parser *ps, const struct profiles *p, struct scenario *sc)
{
	char dir[256], perr[PROFILE_ERR_MAX];
	const char *slash = strrchr(ps->path, '/');
	int rc;

	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - ps->path) : 1, slash ? ps->path : ".");
	/* Without jig_outputs/jig_inputs the jig's own channel numbers place it. */
	if (!sc->hw.map[0][0])
		for (unsigned k = 0; k < sc->jig.fixture.n_outputs; k++)
			sc->hw.map[0][k] = sc->jig.out_channel[k];
	if (!sc->hw.map[1][0])
		for (unsigned k = 0; k < sc->jig.fixture.n_inputs; k++)
			sc->hw.map[1][k] = sc->jig.in_channel[k];
	if ((rc = iface_resolve(&sc->hw, p, dir, perr)) < 0 ||
	    (rc = iface_check_jig(&sc->hw, sc->jig.fixture.n_outputs, sc->jig.fixture.n_inputs, perr)) < 0) {
		int missing = rc == -ENOENT;
		rc = fail(ps, 0, NULL, "%s", perr);
		return missing ? -ENOENT : rc;
	}
	return 0;
}

static int parse(const struct parser *ps, const struct profiles *p, struct scenario *sc)
{
	unsigned n = ini_count(ps->doc);
	int rc = 0;

	/* [scenario] and [interface] first: they need no jig. */
	for (unsigned i = 0; i < n && rc == 0; i++) {
		const struct ini_entry *e = ini_at(ps->doc, i);

		if (e->key && strcmp(e->section, "scenario") == 0 && strcmp(e->key, "rate") == 0)
			rc = rate_key(ps, e, sc);
		else if (e->key && strcmp(e->section, "interface") == 0)
			rc = interface_key(ps, e, sc);
	}
	if (rc < 0 || (rc = load_jig(ps, p, sc)) < 0)
		return rc;
	/* Wires and shorts, then what names a wire anywhere in the file. */
	for (unsigned i = 0; i < n && rc == 0; i++) {
		const struct ini_entry *e = ini_at(ps->doc, i);

		if (e->key && (strcmp(e->key, "wire") == 0 || strcmp(e->key, "short") == 0))
			rc = conductor_key(ps, e, sc);
	}
	if (rc < 0 || (rc = interface_of(ps, p, sc)) < 0)
		return rc;
	for (unsigned i = 0; i < n && rc == 0; i++) {
		const struct ini_entry *e = ini_at(ps->doc, i);

		if (e->key && strcmp(e->key, "dropout") == 0)
			rc = dropout_key(ps, e, sc);
		else if (e->key && (strcmp(e->key, "connect") == 0 || strcmp(e->key, "disconnect") == 0))
			rc = plug_key(ps, e, sc);
	}
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
	rc = ini_load(path, &schema, &ps.doc, err);
	if (rc == 0)
		rc = parse(&ps, p, sc);
	ini_free(ps.doc);
	freelocale(ps.c_locale);
	return rc;
}

/* "title: Good cable" -> "Good cable" when the comment starts with tag. */
static const char *tagged(const char *comment, const char *tag)
{
	size_t n = strlen(tag);

	if (strncmp(comment, tag, n) != 0)
		return NULL;
	comment += n;
	while (*comment == ' ' || *comment == '\t')
		comment++;
	return comment;
}

int scenario_about(const char *path, struct scenario_about *out, char err[PROFILE_ERR_MAX])
{
	const struct ini_entry *jig;
	ini *doc;
	int rc;

	memset(out, 0, sizeof *out);
	rc = ini_load(path, &schema, &doc, err);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < ini_count(doc); i++) {
		const struct ini_entry *e = ini_at(doc, i);
		const char *t;

		if (e->key)
			continue;
		if ((t = tagged(e->value, "title:")) != NULL) {
			if (!out->title[0])
				snprintf(out->title, sizeof out->title, "%s", t);
		} else if ((t = tagged(e->value, "cable:")) != NULL) {
			if (!out->cable[0])
				snprintf(out->cable, sizeof out->cable, "%s", t);
		} else if (!out->description[0] && !e->section[0] && e->value[0]) {
			snprintf(out->description, sizeof out->description, "%s", e->value);
		}
	}
	jig = ini_get(doc, "scenario", "jig");
	if (jig && resolve_jig(path, jig->value, out->jig, sizeof out->jig) < 0) {
		ini_error(err, path, jig->line, jig->key,
		          "too long: at most %zu characters (a relative path counts from the scenario's folder)",
		          sizeof out->jig - 1);
		rc = -ENAMETOOLONG;
	}
	ini_free(doc);
	return rc;
}

int scenario_jig(const char *path, char *jig, size_t len, char err[PROFILE_ERR_MAX])
{
	struct scenario_about *about = calloc(1, sizeof *about);
	int rc;

	if (!about) {
		snprintf(err, PROFILE_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	rc = scenario_about(path, about, err);
	if (rc == 0 && !about->jig[0]) {
		ini_error(err, path, 0, NULL, "no [scenario] jig; expected [scenario] with 'jig = NAME'");
		rc = -ENOENT;
	} else if (rc == 0 && strlen(about->jig) >= len) {
		ini_error(err, path, 0, "jig", "longer than %zu characters", len - 1);
		rc = -ENAMETOOLONG;
	} else if (rc == 0) {
		memcpy(jig, about->jig, strlen(about->jig) + 1);
	}
	free(about);
	return rc;
}

/* Copies a quoted ALSA argument ('…' or "…", '\' escaping the next
 * character) from s; the quote must close at the end. */
static int unquote(const char *s, char *out, size_t len)
{
	char q = *s++;
	size_t n = 0;

	for (; *s && *s != q; s++) {
		if (*s == '\\' && s[1])
			s++;
		if (n + 1 >= len)
			return -ENAMETOOLONG;
		out[n++] = *s;
	}
	if (*s != q || s[1] != '\0')
		return -EINVAL;
	out[n] = '\0';
	return 0;
}

int scenario_device_path(const char *device, char *path, size_t len)
{
	static const char type[] = "tonewire_sim";
	const char *arg;
	int rc;

	if (!device || strncmp(device, type, sizeof type - 1) != 0)
		return 0;
	arg = device + sizeof type - 1;
	if (*arg == '\0') {
		/* the ALSA definition's default argument */
		arg = getenv("TONEWIRE_SIM_SCENARIO");
		if (!arg || !*arg)
			return -EINVAL;
		return (size_t)snprintf(path, len, "%s", arg) >= len ? -ENAMETOOLONG : 1;
	}
	if (*arg != ':')
		return 0;   /* another PCM whose name starts the same */
	arg++;
	if (strncmp(arg, "SCENARIO=", 9) == 0)
		arg += 9;
	if (*arg == '"' || *arg == '\'')
		rc = unquote(arg, path, len);
	else if (strchr(arg, ','))
		rc = -EINVAL;   /* ALSA would take it for a second argument */
	else
		rc = (size_t)snprintf(path, len, "%s", arg) >= len ? -ENAMETOOLONG : 0;
	if (rc < 0)
		return rc;
	return path[0] ? 1 : -EINVAL;
}

int scenario_device_jig(const char *device, char *jig, size_t len, char err[PROFILE_ERR_MAX])
{
	char path[PATH_MAX];
	int rc = scenario_device_path(device, path, sizeof path);

	if (rc == 0) {
		snprintf(err, PROFILE_ERR_MAX, "%.100s is not a simulator device (tonewire_sim:SCENARIO)",
		         device ? device : "(none)");
		return -ENOENT;
	}
	if (rc < 0) {
		snprintf(err, PROFILE_ERR_MAX, "%.120s: %s", device,
		         rc == -ENAMETOOLONG ? "the scenario path is too long"
		                             : "expected tonewire_sim:/path/to/scenario.conf (quoted when it has ',')");
		return rc;
	}
	return scenario_jig(path, jig, len, err);
}
