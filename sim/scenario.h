/* scenario: the world behind the simulated interface (jig, cable as built, interface flaws), and the only reader of scenario files and tonewire_sim: device strings. */
#ifndef TONEWIRE_SCENARIO_H
#define TONEWIRE_SCENARIO_H

#include <stddef.h>

#include "fixture.h"
#include "interface.h"
#include "profiles.h"

#define SCENARIO_MAX_DROPOUTS 64
#define SCENARIO_MAX_PLUG_EVENTS 128

struct dropout {
	int conductor;          /* index into scenario.cable.c */
	double start_ms, dur_ms;
};

/* A conductor connecting or disconnecting as a plug goes in or out: ms on the
 * device's timeline (from when it was opened), not on one stream's. */
struct plug_event {
	int conductor;          /* index into scenario.cable.c */
	double at_ms;
	int connect;            /* 1 connect, 0 disconnect */
};

struct scenario {
	char path[256];
	struct tw_jig jig;
	unsigned rate;                   /* default 48000 */
	int latency_frames;              /* -1: random 64..512 on every open */
	double noise_dbfs;               /* default -120 */
	double hum_hz, hum_dbfs;         /* default 50, -200 (off) */
	double gain_db, thd_db, drift_ppm, clip_dbfs;  /* defaults 0, -200 (off), 0, 0 */
	int pace_fast;                   /* [interface] pace = fast */
	int unplugged;                   /* [interface] unplugged = true */
	int unplug_after_ms;             /* -1: never */
	struct wiring cable;             /* [cable] wire and short lines */
	unsigned n_dropouts;
	struct dropout dropout[SCENARIO_MAX_DROPOUTS];
	unsigned n_plug_events;          /* [cable] connect / disconnect lines */
	struct plug_event plug_event[SCENARIO_MAX_PLUG_EVENTS];

	/* Added after the first contract; nothing above changed. */
	unsigned char is_short[WIRING_MAX];   /* cable.c[i] came from a short line */
	unsigned line[WIRING_MAX];            /* the line cable.c[i] was declared on */

	/* The hardware's constraints, its mixer and the jig's device channels
	 * ([interface] keys of profiles/interface.h, over the profile that
	 * 'interface = NAME' names). */
	struct tw_interface hw;
};

/* Parse a scenario file (docs/formats.md). Jig names are looked up through p.
 * Errors are "file:line: key: what is wrong". Returns 0, -ENOENT (no such
 * file or jig) or -EINVAL. */
int scenario_load(const char *path, const struct profiles *p, struct scenario *sc,
                  char err[PROFILE_ERR_MAX]);

/* Added after the first contract. */

/* Sample rates the simulated interface runs at (ascending), and how many. */
#define SCENARIO_N_RATES 6
extern const unsigned scenario_rates[SCENARIO_N_RATES];

/* 1 when rate is one of scenario_rates, else 0. */
int scenario_rate_ok(unsigned rate);

/* The scenario path an ALSA device string opens the simulator with:
 * "tonewire_sim:/p.conf", "tonewire_sim:SCENARIO=/p.conf", a quoted path
 * ("tonewire_sim:'/a b/p.conf'", double quotes too, '\' escapes the next
 * character), or "tonewire_sim" alone ($TONEWIRE_SIM_SCENARIO, as the ALSA
 * definition does). Returns 1 with the path in path (len bytes), 0 when
 * device is not a simulator device, -EINVAL when it is one without a usable
 * path (empty, an unclosed quote, an unquoted ','), -ENAMETOOLONG when the
 * path does not fit: it is never cut short. */
int scenario_device_path(const char *device, char *path, size_t len);

/* What a scenario file says about itself, read without loading its jig. */
struct scenario_about {
	char jig[256];           /* [scenario] jig as profiles_load_jig takes it: a name, or a path
	                            resolved against the scenario's folder; "" when the file has none */
	char title[160];         /* "; title: …" comment, "" when none */
	char cable[128];         /* "; cable: …" comment: the cable profile it simulates, "" when none */
	char description[256];   /* the first other comment before any section, "" when none */
};

/* Read path's [scenario] jig and its comments into out, checking the file's
 * syntax, sections and keys as scenario_load does. 0, -ENOENT, -EINVAL, or
 * -ENAMETOOLONG when the resolved jig path would not fit; err filled. */
int scenario_about(const char *path, struct scenario_about *out, char err[PROFILE_ERR_MAX]);

/* The jig the scenario at path names (see scenario_about), into jig (len
 * bytes). 0, -ENOENT (no file, or no jig in it), -EINVAL, -ENAMETOOLONG. */
int scenario_jig(const char *path, char *jig, size_t len, char err[PROFILE_ERR_MAX]);

/* scenario_jig of the scenario a device string opens. -ENOENT when device
 * is not a simulator device, with err saying so. */
int scenario_device_jig(const char *device, char *jig, size_t len, char err[PROFILE_ERR_MAX]);

#endif
