/* fuzz_profiles: the connector, cable and jig parsers on one arbitrary file, then the fixture of what loaded. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "profiles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct profiles profs;
static struct tw_jig *station_jig;
static struct tw_cable *station_cable;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[PROFILE_ERR_MAX];
	(void)argc, (void)argv;
	profiles_init(&profs, TONEWIRE_SOURCE_DIR "/profiles");
	station_jig = calloc(1, sizeof(*station_jig));
	station_cable = calloc(1, sizeof(*station_cable));
	if (profiles_load_jig(&profs, "stereo-trs", station_jig, err) < 0 ||
	    profiles_load_cable(&profs, "trs-3.5-extension", station_cable, err) < 0)
		abort();   /* the shipped profiles must load */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The file name ends in .conf, so the loaders take it as a path. */
	const char *path = fuzz_file("fuzz.conf", data, size);
	char err[PROFILE_ERR_MAX];
	struct tw_connector *con = calloc(1, sizeof(*con));
	struct tw_cable *cab = calloc(1, sizeof(*cab));
	struct tw_jig *jig = calloc(1, sizeof(*jig));
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct wiring *w = calloc(1, sizeof(*w));
	int pa[WIRING_MAX], pb[WIRING_MAX], rc;

	memset(err, 0, sizeof(err));
	rc = profiles_load_connector(&profs, path, con, err);
	fuzz_check_err(err, sizeof(err), rc);
	memset(err, 0, sizeof(err));
	rc = profiles_load_cable(&profs, path, cab, err);
	fuzz_check_err(err, sizeof(err), rc);
	if (rc == 0) {
		profiles_cable_pairs(cab, pa, pb, WIRING_MAX);
		profiles_fixture(station_jig, cab, fx, w, err);
	}
	memset(err, 0, sizeof(err));
	rc = profiles_load_jig(&profs, path, jig, err);
	fuzz_check_err(err, sizeof(err), rc);
	if (rc == 0)
		profiles_fixture(jig, station_cable, fx, w, err);
	enum profile_kind kind;
	memset(err, 0, sizeof(err));
	rc = profiles_kind_of(path, &kind, err);
	fuzz_check_err(err, sizeof(err), rc);
	if (rc == 0 && kind != PROFILE_CONNECTOR && kind != PROFILE_CABLE && kind != PROFILE_JIG)
		abort();
	/* An end spec as a cable line would hold it, from the first line of the input. */
	size_t n = 0;
	while (n < size && n < 255 && data[n] != '\n' && data[n])
		n++;
	char spec[256];
	memcpy(spec, data, n);
	spec[n] = '\0';
	profiles_end_parse(&profs, spec, NULL, &cab->a, err);
	free(con);
	free(cab);
	free(jig);
	free(fx);
	free(w);
	return 0;
}
