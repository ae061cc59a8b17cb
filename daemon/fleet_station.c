/* fleet_station: this station's place on a line — its id and line, the operator logged in, and the retest policy for serials. */
#include "fleet_station.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPERATOR_KEY "operator"

struct fleet_station {
	char id[FLEET_NAME_MAX + 1], line[FLEET_NAME_MAX + 1];
	unsigned max_fails;
	store *store;
	pthread_mutex_t lock;         /* guards operator_name */
	char operator_name[FLEET_NAME_MAX + 1];
};

int fleet_name_ok(const char *what, const char *name, char err[FLEET_ERR_MAX])
{
	size_t n = name ? strlen(name) : 0;
	if (!n) {
		snprintf(err, FLEET_ERR_MAX, "%s: must not be empty", what);
		return 0;
	}
	if (n > FLEET_NAME_MAX) {
		snprintf(err, FLEET_ERR_MAX, "%s: longer than %d characters", what, FLEET_NAME_MAX);
		return 0;
	}
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(err, FLEET_ERR_MAX, "%s: must not contain control characters", what);
			return 0;
		}
	return 1;
}

fleet_station *fleet_station_create(const struct fleet_station_cfg *cfg)
{
	fleet_station *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return NULL;
	snprintf(fs->id, sizeof(fs->id), "%s", cfg->id ? cfg->id : "");
	snprintf(fs->line, sizeof(fs->line), "%s", cfg->line ? cfg->line : "");
	fs->max_fails = cfg->max_fails;
	fs->store = cfg->store;
	pthread_mutex_init(&fs->lock, NULL);
	/* The operator stays logged in across a restart (a crash, an update). */
	char name[FLEET_NAME_MAX * 4];
	size_t len;
	if (store_state_get(fs->store, OPERATOR_KEY, name, sizeof(name)) == 0 && (len = strlen(name)) <= FLEET_NAME_MAX)
		memcpy(fs->operator_name, name, len + 1);
	return fs;
}

void fleet_station_destroy(fleet_station *fs)
{
	if (!fs)
		return;
	pthread_mutex_destroy(&fs->lock);
	free(fs);
}

int fleet_station_set_operator(fleet_station *fs, const char *name, char err[FLEET_ERR_MAX])
{
	err[0] = '\0';
	if (name && !fleet_name_ok("operator", name, err))
		return -EINVAL;
	pthread_mutex_lock(&fs->lock);
	/* Kept first: an operator the store forgot would silently vanish at
	 * the next restart. */
	int e = store_state_set(fs->store, OPERATOR_KEY, name);
	if (e == 0)
		snprintf(fs->operator_name, sizeof(fs->operator_name), "%s", name ? name : "");
	else
		snprintf(err, FLEET_ERR_MAX, "the store cannot keep the operator: %s", strerror(-e));
	pthread_mutex_unlock(&fs->lock);
	return e < 0 ? -EIO : 0;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

json_t *fleet_station_json(fleet_station *fs)
{
	json_t *o = json_object();
	pthread_mutex_lock(&fs->lock);
	json_object_set_new(o, "station", str_or_null(fs->id));
	json_object_set_new(o, "line", str_or_null(fs->line));
	json_object_set_new(o, "operator", str_or_null(fs->operator_name));
	json_object_set_new(o, "max_fails_per_serial", fs->max_fails ? json_integer(fs->max_fails) : json_null());
	pthread_mutex_unlock(&fs->lock);
	return o;
}

void fleet_station_stamp(fleet_station *fs, struct fleet_stamp *out)
{
	memset(out, 0, sizeof(*out));
	if (!fs)
		return;
	pthread_mutex_lock(&fs->lock);
	snprintf(out->station, sizeof(out->station), "%s", fs->id);
	snprintf(out->line, sizeof(out->line), "%s", fs->line);
	snprintf(out->operator_name, sizeof(out->operator_name), "%s", fs->operator_name);
	pthread_mutex_unlock(&fs->lock);
}

void fleet_stamp_meta(const struct fleet_stamp *st, struct result_meta *m)
{
	m->station = st->station;
	m->line = st->line;
	m->operator_name = st->operator_name;
}

int fleet_station_admit(fleet_station *fs, const char *serial, int retest, json_t **why)
{
	struct store_serial ss;
	char msg[400], when[32];

	*why = NULL;
	if (!fs || !serial || !*serial)
		return 0;
	if (store_serial_state(fs->store, serial, &ss) < 0)
		return -EIO;
	/* The lock comes first: confirming a retest does not release a serial. */
	if (fs->max_fails && ss.fails >= (long long)fs->max_fails) {
		snprintf(msg, sizeof(msg), "serial %s is locked: it failed %lld time%s%s; a supervisor must release it "
		         "(POST /api/v1/serials/%s/release, or tonewire line release)", serial, ss.fails,
		         ss.fails == 1 ? "" : "s", ss.released ? " since its last release" : "", serial);
		*why = json_pack("{s:s, s:s, s:b, s:I, s:i}", "error", msg, "serial", serial, "locked", 1,
		                 "fails", (json_int_t)ss.fails, "max_fails_per_serial", (int)fs->max_fails);
		return -EPERM;
	}
	/* A station on a line asks before testing a serial again; a bench of
	 * its own ([station] id unset) keeps testing whatever it is given. */
	if (ss.last_pass && !retest && fs->id[0]) {
		result_format_time(ss.last_pass_at, when);
		snprintf(msg, sizeof(msg), "serial %s already passed (test %lld, %s); test it again only on purpose: "
		         "send \"retest\": true", serial, ss.last_pass, when);
		*why = json_pack("{s:s, s:s, s:{s:I, s:s}, s:b}", "error", msg, "serial", serial, "passed", "id",
		                 (json_int_t)ss.last_pass, "started_at", when, "retest_required", 1);
		return -EALREADY;
	}
	return 0;
}
