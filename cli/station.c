/* station: the jig, cable and fixture the local commands (run, flex, analyze) work on. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scenario.h"

int cli_rate_arg(const char *arg, unsigned *rate)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);
	if (*end || !*arg || v < TONEPLAN_MIN_RATE || v > TONEPLAN_MAX_RATE) {
		cli_error("--rate: '%s' is not a sample rate in Hz (8000..384000)", arg);
		return -1;
	}
	*rate = (unsigned)v;
	return 0;
}

int cli_windows_arg(const char *arg, unsigned *windows)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);
	if (*end || v < 1 || v > 64) {
		cli_error("--windows: '%s' is not a number from 1 to 64", arg);
		return -1;
	}
	*windows = (unsigned)v;
	return 0;
}

/* The device channels jig uses in direction dir: the highest one its file numbers. */
static unsigned jig_top(const struct tw_jig *jig, enum iface_dir dir)
{
	const struct fixture *f = &jig->fixture;
	unsigned n = dir == IFACE_CAPTURE ? f->n_inputs : f->n_outputs, top = 0;
	for (unsigned k = 0; k < n; k++) {
		unsigned ch = dir == IFACE_CAPTURE ? jig->in_channel[k] : jig->out_channel[k];
		top = ch > top ? ch : top;
	}
	return top;
}

/* A --jig needing device channels the simulated interface of the device's
 * scenario does not have (its fixed counts, else as far as the scenario's
 * own jig reaches) cannot be measured there: a usage error, said before the
 * device is opened rather than as a device that will not open. -1 after
 * telling the user, else 0 (also when the device is no scenario, or the
 * scenario does not load: opening the device says why). */
static int jig_fits_scenario(const char *cmd, const struct profiles *prof, const char *device,
                             const struct tw_jig *jig)
{
	char path[512], err[PROFILE_ERR_MAX];
	struct scenario *sc = calloc(1, sizeof(*sc));
	int rc = 0;

	if (sc && device && scenario_device_path(device, path, sizeof(path)) == 1 &&
	    scenario_load(path, prof, sc, err) == 0) {
		static const char *const words[2] = { "output", "input" };
		for (int d = IFACE_PLAYBACK; d <= IFACE_CAPTURE && !rc; d++) {
			unsigned n = d == IFACE_CAPTURE ? sc->jig.fixture.n_inputs : sc->jig.fixture.n_outputs, top = 0;
			for (unsigned k = 0; k < n; k++) {
				unsigned ch = iface_channel(&sc->hw, (enum iface_dir)d, k);
				top = ch > top ? ch : top;
			}
			unsigned have = sc->hw.channels[d] ? sc->hw.channels[d] : top, need = jig_top(jig, (enum iface_dir)d);
			if (need > have) {
				cli_error("%s: jig '%s' uses %s channel %u, but the simulated interface of %s has %u (its "
				          "scenario is built on jig '%s'): nothing measured there can fit (jig_mismatch); leave "
				          "--jig out to use the scenario's", cmd, jig->name, words[d], need, device, have,
				          sc->jig.name);
				rc = -1;
			}
		}
	}
	free(sc);
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
		char path[512];
		/* A simulator's scenario names its jig: a broken one is reported as such. */
		if (device && scenario_device_path(device, path, sizeof(path)) == 1) {
			if (scenario_device_jig(device, jigbuf, sizeof(jigbuf), err) < 0) {
				cli_error("%s", err);
				return -1;
			}
		} else {
			cli_error("%s: --jig is required (only a tonewire_sim scenario names its own jig)", cmd);
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
