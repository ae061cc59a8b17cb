/* config: tonewired's INI configuration, parsed once into a const struct (or the demo defaults). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TONEWIRE_BUILD_DIR
#define TONEWIRE_BUILD_DIR ""
#endif
#ifndef TONEWIRE_SOURCE_WEB
#define TONEWIRE_SOURCE_WEB ""
#endif
#ifndef TONEWIRE_SOURCE_SCENARIOS
#define TONEWIRE_SOURCE_SCENARIOS ""
#endif
#ifndef TONEWIRE_DATADIR
#define TONEWIRE_DATADIR "/usr/share/tonewire"
#endif

/* A binary run from the build tree serves the source tree's web/ and
 * scenarios, so editing them needs no install; an installed one never looks
 * at a source tree that happens to still exist. */
static int from_build_tree(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t bl = strlen(TONEWIRE_BUILD_DIR);
	if (n <= 0 || !bl)
		return 0;
	exe[n] = '\0';
	return strncmp(exe, TONEWIRE_BUILD_DIR, bl) == 0 && exe[bl] == '/';
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

static const char *pick(int tree, const char *source, const char *installed)
{
	return tree && source[0] ? source : installed;
}

void config_defaults(struct config *c)
{
	char state[CONFIG_PATH_MAX - 32];
	int tree = from_build_tree();

	memset(c, 0, sizeof(*c));
	c->station.rate = 48000;
	c->station.period = 0;     /* ~5 ms at any rate (256 frames at 48 kHz): short, yet far from xrun territory */
	c->station.periods = 4;
	c->station.windows = 0;    /* 0: as many as the bench's noise needs (measure.h) */
	c->station.debounce_ms = 300;   /* longer than a plug's contacts bounce (a few tens of ms), short for a person */
	/* The demo cables: one per diagnosis, all on the per-contact TRRS jig,
	 * which tells every one of them apart (a stereo jig cannot tell an open
	 * ground from a CTIA/OMTP swap; see README, Limits). */
	snprintf(c->station.scenario, sizeof(c->station.scenario), "1-straight");
	snprintf(c->station.demo_dir, sizeof(c->station.demo_dir), "%s",
	         pick(tree, TONEWIRE_SOURCE_SCENARIOS "/demo", TONEWIRE_DATADIR "/scenarios/demo"));
	snprintf(c->http.address, sizeof(c->http.address), "127.0.0.1");
	c->http.port = 8640;
	snprintf(c->http.web_root, sizeof(c->http.web_root), "%s",
	         pick(tree, TONEWIRE_SOURCE_WEB, TONEWIRE_DATADIR "/web"));
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

struct parse {
	struct config *c;
	const char *file;
	char dir[CONFIG_PATH_MAX];
	FILE *fp;
	int line;
	int address_line, token_line;
	char *err;
};

/* ini_parse_stream's reader: counting lines here lets every message say
 * where it comes from. */
static char *read_line(char *buf, int size, void *stream)
{
	struct parse *p = stream;
	char *r = fgets(buf, size, p->fp);
	if (r)
		p->line++;
	return r;
}

static int fail(struct parse *p, const char *section, const char *key, const char *msg)
{
	snprintf(p->err, CONFIG_ERR_MAX, "%s:%d: [%s] %s: %s", p->file, p->line, section, key, msg);
	return 0;
}

static int set_str(struct parse *p, const char *section, const char *key, const char *value,
                   char *dst, size_t len)
{
	if (strlen(value) >= len) {
		char msg[96];
		snprintf(msg, sizeof(msg), "'%.40s…' is too long", value);
		return fail(p, section, key, msg);
	}
	snprintf(dst, len, "%s", value);
	return 1;
}

static int set_path(struct parse *p, const char *section, const char *key, const char *value,
                    char *dst, size_t len)
{
	char tmp[CONFIG_PATH_MAX * 2];
	if (!*value)
		return fail(p, section, key, "a path is required");
	if (value[0] == '/' || !p->dir[0])
		snprintf(tmp, sizeof(tmp), "%s", value);
	else
		snprintf(tmp, sizeof(tmp), "%s/%s", p->dir, value);
	return set_str(p, section, key, tmp, dst, len);
}

static int set_uint(struct parse *p, const char *section, const char *key, const char *value,
                    unsigned lo, unsigned hi, unsigned *dst)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(value, &end, 10);
	if (!*value || *end || errno || value[0] == '-' || v < lo || v > hi) {
		char msg[128];
		snprintf(msg, sizeof(msg), "'%.40s' is not a whole number from %u to %u", value, lo, hi);
		return fail(p, section, key, msg);
	}
	*dst = (unsigned)v;
	return 1;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse *p = user;
	struct config *c = p->c;
	unsigned u;

	if (!key)   /* a section header on its own (inih with INI_CALL_HANDLER_ON_NEW_SECTION) */
		return 1;
	if (!strcmp(section, "station")) {
		if (!strcmp(key, "device"))
			return set_str(p, section, key, value, c->station.device, sizeof(c->station.device));
		if (!strcmp(key, "jig"))
			return set_str(p, section, key, value, c->station.jig, sizeof(c->station.jig));
		if (!strcmp(key, "cable"))
			return set_str(p, section, key, value, c->station.cable, sizeof(c->station.cable));
		if (!strcmp(key, "scenario"))
			return set_str(p, section, key, value, c->station.scenario, sizeof(c->station.scenario));
		if (!strcmp(key, "demo_dir"))
			return set_path(p, section, key, value, c->station.demo_dir, sizeof(c->station.demo_dir));
		if (!strcmp(key, "rate"))
			return set_uint(p, section, key, value, 8000, 384000, &c->station.rate);
		if (!strcmp(key, "period"))
			return set_uint(p, section, key, value, 16, 8192, &c->station.period);
		if (!strcmp(key, "periods"))
			return set_uint(p, section, key, value, 2, 16, &c->station.periods);
		if (!strcmp(key, "windows"))
			return set_uint(p, section, key, value, 1, 64, &c->station.windows);
		if (!strcmp(key, "debounce_ms"))
			return set_uint(p, section, key, value, 20, 10000, &c->station.debounce_ms);
		if (!strcmp(key, "trigger")) {
			if (strcmp(value, "auto") && strcmp(value, "manual")) {
				char msg[96];
				snprintf(msg, sizeof(msg), "expected auto or manual, got '%.40s'", value);
				return fail(p, section, key, msg);
			}
			c->station.trigger_auto = !strcmp(value, "auto");
			return 1;
		}
	} else if (!strcmp(section, "http")) {
		if (!strcmp(key, "address") || !strcmp(key, "listen")) {
			char a[64];
			struct in6_addr tmp;
			snprintf(a, sizeof(a), "%s", value);
			size_t n = strlen(a);
			if (n > 2 && a[0] == '[' && a[n - 1] == ']') {
				memmove(a, a + 1, n - 2);
				a[n - 2] = '\0';
			}
			if (inet_pton(AF_INET, a, &tmp) != 1 && inet_pton(AF_INET6, a, &tmp) != 1) {
				char msg[128];
				snprintf(msg, sizeof(msg), "'%.60s' is not a numeric IPv4 or IPv6 address", value);
				return fail(p, section, key, msg);
			}
			p->address_line = p->line;
			snprintf(c->http.address, sizeof(c->http.address), "%s", a);
			return 1;
		}
		if (!strcmp(key, "port"))
			return set_uint(p, section, key, value, 0, 65535, &c->http.port);
		if (!strcmp(key, "token")) {
			if (strlen(value) < 16)
				return fail(p, section, key, "a token needs at least 16 characters");
			for (const char *s = value; *s; s++)
				if (*s <= ' ' || *s > '~')
					return fail(p, section, key, "only printable ASCII without spaces");
			p->token_line = p->line;
			return set_str(p, section, key, value, c->http.token, sizeof(c->http.token));
		}
		if (!strcmp(key, "hosts"))
			return set_str(p, section, key, value, c->http.hosts, sizeof(c->http.hosts));
		if (!strcmp(key, "web_root"))
			return set_path(p, section, key, value, c->http.web_root, sizeof(c->http.web_root));
		if (!strcmp(key, "max_body")) {
			if (!set_uint(p, section, key, value, 1024, 16 << 20, &u))
				return 0;
			c->http.max_body = u;
			return 1;
		}
		if (!strcmp(key, "max_clients"))
			return set_uint(p, section, key, value, 1, 1000, &c->http.max_clients);
	} else if (!strcmp(section, "store")) {
		if (!strcmp(key, "path"))
			return set_path(p, section, key, value, c->store.path, sizeof(c->store.path));
		if (!strcmp(key, "capture_dir") || !strcmp(key, "captures"))
			return set_path(p, section, key, value, c->store.capture_dir, sizeof(c->store.capture_dir));
		if (!strcmp(key, "retention"))
			return set_uint(p, section, key, value, 0, 1000000, &c->store.retention);
	} else if (!strcmp(section, "profiles")) {
		if (!strcmp(key, "path"))
			return set_path(p, section, key, value, c->profiles, sizeof(c->profiles));
	} else {
		snprintf(p->err, CONFIG_ERR_MAX, "%s:%d: unknown section [%s] (expected station, http, store, profiles)",
		         p->file, p->line, section);
		return 0;
	}
	return fail(p, section, key, "unknown key");
}

int config_load(const char *path, struct config *c, char err[CONFIG_ERR_MAX])
{
	struct parse p = { .c = c, .file = path, .err = err };

	err[0] = '\0';
	config_defaults(c);
	if (!path)
		return 0;
	snprintf(c->file, sizeof(c->file), "%s", path);
	const char *slash = strrchr(path, '/');
	if (slash)
		snprintf(p.dir, sizeof(p.dir), "%.*s", (int)(slash - path), path);
	p.fp = fopen(path, "r");
	if (!p.fp) {
		int e = errno;
		snprintf(err, CONFIG_ERR_MAX, "%s: cannot read the configuration: %s", path, strerror(e));
		return e == ENOENT ? -ENOENT : -EINVAL;
	}
	int line = ini_parse_stream(read_line, &p, handler, &p);
	fclose(p.fp);
	if (line != 0) {
		if (!err[0])
			snprintf(err, CONFIG_ERR_MAX, "%s:%d: not an INI line (expected [section] or key = value)",
			         path, line > 0 ? line : p.line);
		return -EINVAL;
	}
	if (!config_is_loopback(c->http.address) && !c->http.token[0]) {
		snprintf(err, CONFIG_ERR_MAX,
		         "%s:%d: [http] address: %s is not a loopback address, so a token is required "
		         "([http] token = at least 16 characters)", path, p.address_line, c->http.address);
		return -EINVAL;
	}
	if (!c->station.device[0] && c->station.jig[0] == '\0' && !c->station.scenario[0]) {
		snprintf(err, CONFIG_ERR_MAX, "%s: [station] needs a device (or a demo scenario)", path);
		return -EINVAL;
	}
	return 0;
}
