/* scenario: the world behind the simulated interface (jig, cable as built, interface flaws). */
#ifndef TONEWIRE_SCENARIO_H
#define TONEWIRE_SCENARIO_H

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

/* Parse a scenario file (DESIGN §4). Jig names are looked up through p.
 * Errors name the file, line and field. Returns 0, -ENOENT or -EINVAL. */
int scenario_load(const char *path, const struct profiles *p, struct scenario *sc,
                  char err[PROFILE_ERR_MAX]);

/* Added after the first contract. */

/* Sample rates the simulated interface runs at (ascending), and how many. */
#define SCENARIO_N_RATES 6
extern const unsigned scenario_rates[SCENARIO_N_RATES];

/* 1 when rate is one of scenario_rates, else 0. */
int scenario_rate_ok(unsigned rate);

#endif
