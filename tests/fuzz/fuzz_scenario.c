/* fuzz_scenario: the simulator's scenario parser (sim/scenario.c) on arbitrary files. */
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
	free(sc);
	return 0;
}
