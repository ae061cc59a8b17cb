/* station: the jig, cable and fixture the local commands (run, flex, analyze) work on. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scenario.h"

/* A --jig whose channel counts the simulated scenario's own jig
 * contradicts cannot fit anything measured through it: a usage error, said
 * before the device is opened. -1 after telling the user, else 0 (also when
 * the device is no scenario, or its jig does not load: the device says so). */
static int jig_fits_scenario(const char *cmd, const struct profiles *prof, const char *device,
                             const struct tw_jig *jig)
{
	char name[512], err[PROFILE_ERR_MAX];
	struct tw_jig *own = calloc(1, sizeof(*own));
	int rc = 0;

	if (own && device && scenario_device_jig(device, name, sizeof(name), err) == 0 &&
	    profiles_load_jig(prof, name, own, err) == 0 &&
	    (own->fixture.n_outputs != jig->fixture.n_outputs || own->fixture.n_inputs != jig->fixture.n_inputs)) {
		cli_error("%s: jig '%s' has %u outputs and %u inputs, but the scenario of %s is built on jig '%s', "
		          "with %u and %u: nothing measured there can fit (jig_mismatch); leave --jig out to use the "
		          "scenario's", cmd, jig->name, jig->fixture.n_outputs, jig->fixture.n_inputs, device, own->name,
		          own->fixture.n_outputs, own->fixture.n_inputs);
		rc = -1;
	}
	free(own);
	return rc;
}

int cli_jig_load(const char *cmd, const char *extra, const char *device, const char *jig_name,
                 struct profiles *prof, struct tw_jig *jig)
{
	char jigbuf[512], err[PROFILE_ERR_MAX];

	/* Still one thread: the simulator plugin, loaded into this process, finds --profiles this way. */
	if (profiles_export(extra, err) < 0) {
		cli_error("%s: --profiles: %s", cmd, err);
		return -1;
	}
	if (!jig_name || !*jig_name) {
		if (!device || scenario_device_jig(device, jigbuf, sizeof(jigbuf), err) < 0) {
			cli_error("%s: --jig is required (only a tonewire_sim scenario names its own jig)%s%s", cmd,
			          device ? ": " : "", device ? err : "");
			return -1;
		}
		jig_name = jigbuf;
	}
	profiles_init(prof, extra);
	if (profiles_load_jig(prof, jig_name, jig, err) < 0) {
		cli_error("%s", err);
		return -1;
	}
	return jig_fits_scenario(cmd, prof, device, jig) < 0 ? -1 : 0;
}

struct station_cable *cli_station_load(const char *cmd, const char *extra, const char *device,
                                       const char *jig_name, const char *cable_name)
{
	char err[PROFILE_ERR_MAX];
	struct profiles prof;
	struct station_cable *st = calloc(1, sizeof(*st));
	struct tw_jig *jig = calloc(1, sizeof(*jig));

	if (!st || !jig) {
		cli_error("out of memory");
		goto fail;
	}
	if (cli_jig_load(cmd, extra, device, jig_name, &prof, jig) < 0)
		goto fail;
	if (station_cable_fit(&prof, jig, cable_name, st, err) < 0) {
		cli_error("%s", err);
		goto fail;
	}
	free(jig);
	return st;
fail:
	free(st);
	free(jig);
	return NULL;
}
