/* fuzz_scenario: the simulator's scenario parser (sim/scenario.c) on arbitrary files, and its device-string parser on their first line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct profiles profs;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	profiles_init(&profs, TONEWIRE_SOURCE_DIR "/profiles");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("scenario.conf", data, size);
	struct scenario *sc = calloc(1, sizeof(*sc));
	char err[PROFILE_ERR_MAX];
	memset(err, 0, sizeof(err));
	int rc = scenario_load(path, &profs, sc, err);
	fuzz_check_err(err, sizeof(err), rc);
	if (rc == 0) {
		/* What the simulator relies on after a successful load. */
		if (sc->cable.n > WIRING_MAX || sc->n_dropouts > SCENARIO_MAX_DROPOUTS || !scenario_rate_ok(sc->rate))
			abort();
		for (unsigned i = 0; i < sc->n_dropouts; i++)
			if (sc->dropout[i].conductor < 0 || (unsigned)sc->dropout[i].conductor >= sc->cable.n)
				abort();
	}
	/* What the daemon's demo list reads of the same file. */
	struct scenario_about *about = calloc(1, sizeof(*about));
	memset(err, 0, sizeof(err));
	rc = scenario_about(path, about, err);
	fuzz_check_err(err, sizeof(err), rc);
	if (rc == 0 && (!memchr(about->jig, 0, sizeof(about->jig)) || !memchr(about->title, 0, sizeof(about->title))))
		abort();
	free(about);
	/* The first line as an ALSA device string: a path is never cut short. */
	char device[512], out[64];
	size_t n = 0;
	while (n < size && n < sizeof(device) - 1 && data[n] != '\n' && data[n])
		n++;
	memcpy(device, data, n);
	device[n] = '\0';
	memset(out, 0x55, sizeof(out));
	rc = scenario_device_path(device, out, sizeof(out));
	if (rc != 0 && rc != 1 && rc != -EINVAL && rc != -ENAMETOOLONG)
		abort();
	if (rc == 1 && (!memchr(out, 0, sizeof(out)) || !out[0]))
		abort();
	free(sc);
	return 0;
}
