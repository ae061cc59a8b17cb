/* station: the jig, cable and fixture the local commands (run, flex, analyze) work on. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scenario.h"

struct station_cable *cli_station_load(const char *cmd, const char *extra, const char *device,
                                       const char *jig_name, const char *cable_name)
{
	char jigbuf[512], err[PROFILE_ERR_MAX];
	struct profiles prof;
	struct station_cable *st;

	/* Still one thread: the simulator plugin, loaded into this process, finds --profiles this way. */
	if (profiles_export(extra, err) < 0) {
		cli_error("%s: --profiles: %s", cmd, err);
		return NULL;
	}
	if (!jig_name || !*jig_name) {
		char path[512];
		/* A simulator's scenario names its jig: a broken one is reported as such. */
		if (device && scenario_device_path(device, path, sizeof(path)) == 1) {
			if (scenario_device_jig(device, jigbuf, sizeof(jigbuf), err) < 0) {
				cli_error("%s", err);
				return NULL;
			}
		} else {
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
