/* station: the jig, cable and fixture the local commands (run, flex, analyze) work on. */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct jig_find {
	char *jig;
	size_t len;
	int found;
};

static int scenario_handler(void *user, const char *section, const char *name, const char *value)
{
	struct jig_find *j = user;
	if (!strcmp(section, "scenario") && !strcmp(name, "jig")) {
		snprintf(j->jig, j->len, "%s", value);
		j->found = 1;
	}
	return 1;
}

/* The jig a tonewire_sim:SCENARIO device names in its [scenario] section,
 * copied into jig (size len). 0, -ENOENT, or -ENAMETOOLONG. */
static int scenario_jig(const char *device, char *jig, size_t len)
{
	struct jig_find j = { jig, len, 0 };
	const char *colon = strchr(device, ':');
	if (!colon || strncmp(device, "tonewire_sim", 12) != 0)
		return -ENOENT;
	const char *path = colon + 1;
	/* The device string may quote the path: tonewire_sim:"/a b/c.conf" */
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", path);
	size_t n = strlen(buf);
	if (n >= 2 && (buf[0] == '"' || buf[0] == '\'') && buf[n - 1] == buf[0]) {
		memmove(buf, buf + 1, n - 2);
		buf[n - 2] = '\0';
	}
	if (ini_parse(buf, scenario_handler, &j) < 0 || !j.found)
		return -ENOENT;
	/* A jig named relative to the scenario file: resolve against its folder. */
	if (strchr(jig, '/') && jig[0] != '/') {
		char dir[512];
		snprintf(dir, sizeof(dir), "%s", buf);
		char *slash = strrchr(dir, '/');
		if (slash) {
			*slash = '\0';
			char full[1024];
			int w = snprintf(full, sizeof(full), "%s/%s", dir, jig);
			/* a path cut short would name another jig: refuse it */
			if (w < 0 || (size_t)w >= sizeof(full) || (size_t)w >= len)
				return -ENAMETOOLONG;
			memcpy(jig, full, (size_t)w + 1);
		}
	}
	return 0;
}

struct station_cable *cli_station_load(const char *cmd, const char *extra, const char *device,
                                       const char *jig_name, const char *cable_name)
{
	char jigbuf[512], err[PROFILE_ERR_MAX];
	struct profiles prof;
	struct station_cable *st;

	if (!jig_name || !*jig_name) {
		if (!device || scenario_jig(device, jigbuf, sizeof(jigbuf)) != 0) {
			cli_error("%s: --jig is required (only a tonewire_sim scenario names its own jig)", cmd);
			return NULL;
		}
		jig_name = jigbuf;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		cli_error("out of memory");
		return NULL;
	}
	profiles_init(&prof, extra);
	if (station_cable_load(&prof, jig_name, cable_name, st, err) < 0) {
		cli_error("%s", err);
		free(st);
		return NULL;
	}
	return st;
}
