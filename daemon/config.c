/* config: tonewired's INI configuration, parsed once into a const struct (or the demo defaults). */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "paths.h"

/* A binary run from a build tree serves its source tree's web/ and demo
 * scenarios, so editing them needs no install; an installed one never looks
 * at a source tree, even one that still exists (paths.h decides at run time:
 * no path of the build machine is compiled in). */
static void data_path(const char *in_source, const char *installed, char *out, size_t len)
{
	char dir[PATH_MAX];

	if (tw_paths_source_dir(dir, sizeof(dir)) == 0 && (size_t)snprintf(out, len, "%s/%s", dir, in_source) < len)
		return;
	if (tw_paths_data_dir(dir, sizeof(dir)) < 0)
		dir[0] = '\0';
	snprintf(out, len, "%s/%s", dir, installed);
}

static void state_dir(char *out, size_t len)
{
	const char *s = getenv("STATE_DIRECTORY"), *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");
	if (s && *s) {
		/* systemd passes a colon-separated list: the first is ours. */
		size_t n = strcspn(s, ":");
		snprintf(out, len, "%.*s", (int)n, s);
	} else if (x && *x) {
		snprintf(out, len, "%s/tonewire", x);
	} else if (h && *h) {
		snprintf(out, len, "%s/.local/state/tonewire", h);
	} else {
		snprintf(out, len, "/var/lib/tonewire");
	}
}

void config_defaults(struct config *c)
{
	char state[CONFIG_PATH_MAX - 32];

	memset(c, 0, sizeof(*c));
	c->station.rate = 48000;
	c->station.period = 0;     /* ~5 ms at any rate (256 frames at 48 kHz): short, yet far from xrun territory */
	c->station.periods = 4;
	c->station.windows = 0;    /* 0: as many as the bench's noise needs (measure.h) */
	c->station.queue_scans = 1;
	c->station.debounce_ms = 300;   /* longer than a plug's contacts bounce (a few tens of ms), short for a person */
	/* The demo cables: one per diagnosis, all on the per-contact TRRS jig,
	 * which tells every one of them apart (a stereo jig cannot tell an open
	 * ground from a CTIA/OMTP swap; see README, Limits). */
	snprintf(c->station.scenario, sizeof(c->station.scenario), "1-straight");
	data_path("sim/scenarios/demo", "scenarios/demo", c->station.demo_dir, sizeof(c->station.demo_dir));
	snprintf(c->http.address, sizeof(c->http.address), "127.0.0.1");
	c->http.port = 8640;
	data_path("web", "web", c->http.web_root, sizeof(c->http.web_root));
	c->http.max_body = 64 * 1024;  /* a test request is ~100 bytes; 64 KiB is generous */
	c->http.max_clients = 32;
	state_dir(state, sizeof(state));
	snprintf(c->store.path, sizeof(c->store.path), "%s/results.db", state);
	snprintf(c->store.capture_dir, sizeof(c->store.capture_dir), "%s/captures", state);
	c->store.retention = 200;
}

int config_is_loopback(const char *address)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, address, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, address, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

static const char *const sections[] = { "station", "http", "store", "profiles", "fleet", NULL };
static const struct ini_key keys[] = {
	{ "station", "device", 0 }, { "station", "jig", 0 }, { "station", "cable", 0 }, { "station", "scenario", 0 },
	{ "station", "demo_dir", 0 }, { "station", "rate", 0 }, { "station", "period", 0 },
	{ "station", "periods", 0 }, { "station", "windows", 0 }, { "station", "debounce_ms", 0 },
	{ "station", "trigger", 0 }, { "station", "queue_scans", 0 }, { "station", "playback_device", 0 },
	{ "station", "capture_device", 0 }, { "station", "interface", 0 },
	/* a station on a production line (docs/line-database.md) */
	{ "station", "id", 0 }, { "station", "line", 0 }, { "station", "max_fails_per_serial", 0 },
	{ "fleet", "postgres", 0 },
	{ "http", "address", 0 }, { "http", "listen", 0 }, { "http", "port", 0 }, { "http", "token", 0 },
	{ "http", "hosts", 0 }, { "http", "web_root", 0 }, { "http", "max_body", 0 }, { "http", "max_clients", 0 },
	{ "store", "path", 0 }, { "store", "capture_dir", 0 }, { "store", "captures", 0 }, { "store", "retention", 0 },
	{ "profiles", "path", 0 },
};
static const struct ini_schema schema = { "configuration", sections, keys, sizeof keys / sizeof keys[0], 0 };

struct parse {
	struct config *c;
	const char *file;
	char dir[CONFIG_PATH_MAX];
	unsigned address_line;
	char *err;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct parse *p, const struct ini_entry *e, const char *fmt, ...)
{
	char msg[CONFIG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ini_error(p->err, p->file, e->line, e->key, "%s", msg);
}

static int set_str(struct parse *p, const struct ini_entry *e, const char *value, char *dst, size_t len)
{
	if (strlen(value) >= len)
		return fail(p, e, "'%.40s…' is too long (at most %zu characters)", value, len - 1);
	snprintf(dst, len, "%s", value);
	return 0;
}

static int set_path(struct parse *p, const struct ini_entry *e, char *dst, size_t len)
{
	char tmp[CONFIG_PATH_MAX * 2];
	if (!*e->value)
		return fail(p, e, "a path is required");
	if (e->value[0] == '/' || !p->dir[0])
		snprintf(tmp, sizeof(tmp), "%s", e->value);
	else if ((size_t)snprintf(tmp, sizeof(tmp), "%s/%s", p->dir, e->value) >= sizeof(tmp))
		return fail(p, e, "the path from the configuration's folder is too long");
	return set_str(p, e, tmp, dst, len);
}

static int set_uint(struct parse *p, const struct ini_entry *e, unsigned lo, unsigned hi, unsigned *dst)
{
	const char *value = e->value;
	char *end;
	errno = 0;
	unsigned long v = strtoul(value, &end, 10);
	if (!*value || *end || errno || value[0] == '-' || v < lo || v > hi)
		return fail(p, e, "'%.40s' is not a whole number from %u to %u", value, lo, hi);
	*dst = (unsigned)v;
	return 0;
}

static int set_bool(struct parse *p, const struct ini_entry *e, int *dst)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL }, *const no[] = { "no", "false", "off", "0", NULL };
	for (unsigned i = 0; yes[i]; i++)
		if (!strcmp(e->value, yes[i]) || !strcmp(e->value, no[i])) {
			*dst = !strcmp(e->value, yes[i]);
			return 0;
		}
	return fail(p, e, "expected yes or no, got '%.40s'", e->value);
}

/* The keys of a station on a line: [station] id, line, max_fails_per_serial;
 * [fleet] postgres. 1 when e is none of them, else as the setters return. */
static int line_key(struct parse *p, const struct ini_entry *e)
{
	struct config_line *l = &p->c->line;

	if (!strcmp(e->section, "fleet"))   /* the schema admits postgres only */
		return set_str(p, e, e->value, l->postgres, sizeof(l->postgres));
	if (!strcmp(e->key, "id")) {
		if (!*e->value)
			return fail(p, e, "must not be empty");
		for (const char *s = e->value; *s; s++)
			if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
				return fail(p, e, "'%.40s': only letters, digits, '.', '_' and '-'", e->value);
		return set_str(p, e, e->value, l->station_id, sizeof(l->station_id));
	}
	if (!strcmp(e->key, "line"))
		return set_str(p, e, e->value, l->line, sizeof(l->line));
	if (!strcmp(e->key, "max_fails_per_serial"))
		return set_uint(p, e, 0, 1000, &l->max_fails);
	return 1;
}

static int station_key(struct parse *p, const struct ini_entry *e)
{
	struct config_station *st = &p->c->station;
	const char *key = e->key;

	if (!strcmp(key, "device") || !strcmp(key, "playback_device"))
		return set_str(p, e, e->value, st->device, sizeof(st->device));
	if (!strcmp(key, "capture_device"))
		return set_str(p, e, e->value, st->capture_device, sizeof(st->capture_device));
	if (!strcmp(key, "interface"))
		return set_str(p, e, e->value, st->interface, sizeof(st->interface));
	if (!strcmp(key, "jig"))
		return set_str(p, e, e->value, st->jig, sizeof(st->jig));
	if (!strcmp(key, "cable"))
		return set_str(p, e, e->value, st->cable, sizeof(st->cable));
	if (!strcmp(key, "scenario"))
		return set_str(p, e, e->value, st->scenario, sizeof(st->scenario));
	if (!strcmp(key, "demo_dir"))
		return set_path(p, e, st->demo_dir, sizeof(st->demo_dir));
	if (!strcmp(key, "rate"))
		return set_uint(p, e, 8000, 384000, &st->rate);
	if (!strcmp(key, "period"))
		return set_uint(p, e, 16, 8192, &st->period);
	if (!strcmp(key, "periods"))
		return set_uint(p, e, 2, 16, &st->periods);
	if (!strcmp(key, "windows"))
		return set_uint(p, e, 1, 64, &st->windows);
	if (!strcmp(key, "debounce_ms"))
		return set_uint(p, e, 20, 10000, &st->debounce_ms);
	if (!strcmp(key, "queue_scans"))
		return set_bool(p, e, &st->queue_scans);
	/* trigger: the schema admits no other key */
	if (strcmp(e->value, "auto") && strcmp(e->value, "manual"))
		return fail(p, e, "expected auto or manual, got '%.40s'", e->value);
	st->trigger_auto = !strcmp(e->value, "auto");
	return 0;
}

static int http_address(struct parse *p, const struct ini_entry *e)
{
	char a[64];
	struct in6_addr tmp;
	size_t n;

	snprintf(a, sizeof(a), "%s", e->value);
	n = strlen(a);
	if (n > 2 && a[0] == '[' && a[n - 1] == ']') {
		memmove(a, a + 1, n - 2);
		a[n - 2] = '\0';
	}
	if (strlen(e->value) >= sizeof(a) || (inet_pton(AF_INET, a, &tmp) != 1 && inet_pton(AF_INET6, a, &tmp) != 1))
		return fail(p, e, "'%.60s' is not a numeric IPv4 or IPv6 address", e->value);
	p->address_line = e->line;
	snprintf(p->c->http.address, sizeof(p->c->http.address), "%s", a);
	return 0;
}

static int http_key(struct parse *p, const struct ini_entry *e)
{
	struct config_http *h = &p->c->http;
	const char *key = e->key;
	unsigned u;

	if (!strcmp(key, "address") || !strcmp(key, "listen"))
		return http_address(p, e);
	if (!strcmp(key, "port"))
		return set_uint(p, e, 0, 65535, &h->port);
	if (!strcmp(key, "token")) {
		if (strlen(e->value) < 16)
			return fail(p, e, "a token needs at least 16 characters");
		for (const char *s = e->value; *s; s++)
			if (*s <= ' ' || *s > '~')
				return fail(p, e, "only printable ASCII without spaces");
		return set_str(p, e, e->value, h->token, sizeof(h->token));
	}
	if (!strcmp(key, "hosts"))
		return set_str(p, e, e->value, h->hosts, sizeof(h->hosts));
	if (!strcmp(key, "web_root"))
		return set_path(p, e, h->web_root, sizeof(h->web_root));
	if (!strcmp(key, "max_body")) {
		if (set_uint(p, e, 1024, 16 << 20, &u) < 0)
			return -EINVAL;
		h->max_body = u;
		return 0;
	}
	return set_uint(p, e, 1, 1000, &h->max_clients);
}

static int entry(struct parse *p, const struct ini_entry *e)
{
	struct config *c = p->c;

	int rc = line_key(p, e);
	if (rc <= 0)
		return rc;
	if (!strcmp(e->section, "station"))
		return station_key(p, e);
	if (!strcmp(e->section, "http"))
		return http_key(p, e);
	if (!strcmp(e->section, "profiles"))
		return set_path(p, e, c->profiles, sizeof(c->profiles));
	if (!strcmp(e->key, "path"))
		return set_path(p, e, c->store.path, sizeof(c->store.path));
	if (!strcmp(e->key, "retention"))
		return set_uint(p, e, 0, 1000000, &c->store.retention);
	return set_path(p, e, c->store.capture_dir, sizeof(c->store.capture_dir));
}

int config_load(const char *path, struct config *c, char err[CONFIG_ERR_MAX])
{
	struct parse p = { .c = c, .file = path, .err = err };
	ini *doc;
	int rc;

	err[0] = '\0';
	config_defaults(c);
	if (!path)
		return 0;
	if (strlen(path) >= sizeof(c->file)) {
		snprintf(err, CONFIG_ERR_MAX, "%.60s…: the configuration's path is too long", path);
		return -EINVAL;
	}
	snprintf(c->file, sizeof(c->file), "%s", path);
	const char *slash = strrchr(path, '/');
	if (slash)
		snprintf(p.dir, sizeof(p.dir), "%.*s", (int)(slash - path), path);
	rc = ini_load(path, &schema, &doc, err);
	if (rc < 0)
		return rc == -ENOENT ? -ENOENT : -EINVAL;
	for (unsigned i = 0; i < ini_count(doc) && rc == 0; i++)
		rc = entry(&p, ini_at(doc, i));
	ini_free(doc);
	if (rc < 0)
		return -EINVAL;
	if (!config_is_loopback(c->http.address) && !c->http.token[0]) {
		snprintf(err, CONFIG_ERR_MAX,
		         "%s:%u: address: %s is not a loopback address, so a token is required "
		         "([http] token = at least 16 characters)", path, p.address_line, c->http.address);
		return -EINVAL;
	}
	if (c->line.postgres[0] && !c->line.station_id[0]) {
		snprintf(err, CONFIG_ERR_MAX, "%s: [fleet] postgres needs [station] id: the line database keys every "
		         "result by station id and local id", path);
		return -EINVAL;
	}
	if (!c->station.device[0] && c->station.jig[0] == '\0' && !c->station.scenario[0]) {
		snprintf(err, CONFIG_ERR_MAX, "%s: [station] needs a device (or a demo scenario)", path);
		return -EINVAL;
	}
	return 0;
}
