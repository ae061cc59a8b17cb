/* fleet_station: this station's place on a line — its id and line, the operator logged in, and the retest policy for serials. */
#ifndef TONEWIRE_FLEET_STATION_H
#define TONEWIRE_FLEET_STATION_H

#include <jansson.h>

#include "result.h"
#include "store.h"

#define FLEET_ERR_MAX 256
#define FLEET_NAME_MAX 64   /* station id, line, operator, supervisor */

typedef struct fleet_station fleet_station;

struct fleet_station_cfg {
	const char *id, *line;        /* "" = not configured */
	unsigned max_fails;           /* failures that lock a serial out; 0 = never */
	store *store;
};

/* The station's identity (copied), with the operator kept in the store from
 * before a restart. NULL when out of memory. */
fleet_station *fleet_station_create(const struct fleet_station_cfg *cfg);
void fleet_station_destroy(fleet_station *fs);   /* accepts NULL */

/* Log an operator in (name: 1..64 printable characters) or out (NULL): every
 * test from now on carries it, also after a restart. 0; -EINVAL with err
 * saying what is wrong with the name; -EIO when the store cannot keep it. */
int fleet_station_set_operator(fleet_station *fs, const char *name, char err[FLEET_ERR_MAX]);

/* {"station", "line", "operator", "max_fails_per_serial"} (null where not
 * set), a new reference. */
json_t *fleet_station_json(fleet_station *fs);

/* Who and where a test ran, taken when it is asked for. */
struct fleet_stamp {
	char station[FLEET_NAME_MAX + 1], line[FLEET_NAME_MAX + 1], operator_name[FLEET_NAME_MAX + 1];
};

/* The stamp of a test asked for now (all "" when fs is NULL). */
void fleet_station_stamp(fleet_station *fs, struct fleet_stamp *out);
/* Point m's traceability at st (which must outlive m). */
void fleet_stamp_meta(const struct fleet_stamp *st, struct result_meta *m);

/* The retest policy for a test of serial about to start: 0 when it may
 * run; -EALREADY when the station has an id, the serial passed here before
 * and retest is not set; -EPERM when it failed max_fails_per_serial times
 * since its last release;
 * -EIO when the store cannot tell. On a refusal *why is the answer for the
 * client ({"error", "serial", and "passed" or "locked"}, a new reference). */
int fleet_station_admit(fleet_station *fs, const char *serial, int retest, json_t **why);

/* 1 when name is 1..FLEET_NAME_MAX printable characters, else 0 with err. */
int fleet_name_ok(const char *what, const char *name, char err[FLEET_ERR_MAX]);

#endif
