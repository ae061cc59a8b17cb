/* station: a cable in a jig, as every session of a station tests it. */
#ifndef TONEWIRE_STATION_H
#define TONEWIRE_STATION_H

#include <stddef.h>

#include "profile_hash.h"
#include "profiles.h"

/* The jig, the cable, the fixture they make together and how a good one is wired. */
struct station_cable {
	struct tw_jig jig;
	struct tw_cable cable;
	struct fixture fx;
	struct wiring expected;
	char profile_sha256[PROFILE_HASH_HEX];   /* of the jig and cable files as loaded; "" if unreadable */
};

/* Load the cable (name or path) through p and fit it in jig (copied into
 * sc). 0, -ENOENT (no such cable: err lists the closest names) or -EINVAL
 * (malformed, or it does not fit the jig's sockets), with err set. */
int station_cable_fit(const struct profiles *p, const struct tw_jig *jig, const char *cable,
                      struct station_cable *sc, char err[PROFILE_ERR_MAX]);

/* The same, loading the jig (name or path) first. */
int station_cable_load(const struct profiles *p, const char *jig, const char *cable,
                       struct station_cable *sc, char err[PROFILE_ERR_MAX]);

/* The name of input i as results and events give it: "B.T", or "+B.T -B.S"
 * for a differential input. */
void station_input_name(const struct fixture *f, unsigned i, char *buf, size_t len);

#endif
