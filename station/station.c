/* station: loads a cable into a jig, and names a fixture's inputs the one way results and events give them. */
#include "station.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int station_cable_fit(const struct profiles *p, const struct tw_jig *jig, const char *cable,
                      struct station_cable *sc, char err[PROFILE_ERR_MAX])
{
	int e;
	memset(sc, 0, sizeof(*sc));
	sc->jig = *jig;
	if ((e = profiles_load_cable(p, cable, &sc->cable, err)) < 0)
		return e == -ENOENT ? -ENOENT : -EINVAL;
	if (profiles_fixture(&sc->jig, &sc->cable, &sc->fx, &sc->expected, err) < 0)
		return -EINVAL;
	/* Traceability: which definitions this test is judged by. */
	profile_hash(&sc->jig, &sc->cable, sc->profile_sha256);
	return 0;
}

int station_cable_load(const struct profiles *p, const char *jig, const char *cable,
                       struct station_cable *sc, char err[PROFILE_ERR_MAX])
{
	struct tw_jig j;
	int e = profiles_load_jig(p, jig, &j, err);
	if (e < 0)
		return e == -ENOENT ? -ENOENT : -EINVAL;
	return station_cable_fit(p, &j, cable, sc, err);
}

void station_input_name(const struct fixture *f, unsigned i, char *buf, size_t len)
{
	int pos = f->input_pos[i], neg = f->input_neg[i];
	if (neg < 0)
		snprintf(buf, len, "%s", f->contact[pos].name);
	else
		snprintf(buf, len, "+%s -%s", f->contact[pos].name, f->contact[neg].name);
}
