/* store_line: a station on a line in its own store — the outbox of the line database, serial history for the retest policy, state kept across restarts. */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_priv.h"

/* Run a prepared query and append each row's JSON (built by row) to arr.
 * 0 or -EIO; st is finalised. */
static int collect(sqlite3_stmt *st, json_t *arr, json_t *(*row)(sqlite3_stmt *st))
{
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = row(st);
		if (o)
			json_array_append_new(arr, o);
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : -EIO;
}

static json_t *result_row(sqlite3_stmt *st)
{
	const char *text = (const char *)sqlite3_column_text(st, 0);
	return text ? json_loads(text, 0, NULL) : NULL;
}

static json_t *calibration_row(sqlite3_stmt *st)
{
	return store_calibration_row(st, 1);
}

int store_outbox_next(store *s, unsigned max, json_t **results, json_t **calibrations)
{
	sqlite3_stmt *st = NULL;
	json_t *res = json_array(), *cal = json_array();
	int rc = -EIO;

	*results = *calibrations = NULL;
	if (!res || !cal)
		goto out;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "SELECT result FROM tests WHERE forwarded = 0 AND state = 'done'"
	                       " ORDER BY id LIMIT ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int(st, 1, (int)max);
		rc = collect(st, res, result_row);
	}
	if (rc == 0 && sqlite3_prepare_v2(s->db, "SELECT " CALIBRATION_COLUMNS " FROM calibrations WHERE forwarded = 0"
	                                  " ORDER BY id LIMIT ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int(st, 1, (int)max);
		rc = collect(st, cal, calibration_row);
	} else {
		rc = -EIO;
	}
	pthread_mutex_unlock(&s->lock);
	if (rc == 0) {
		*results = res;
		*calibrations = cal;
		return 0;
	}
out:
	json_decref(res);
	json_decref(cal);
	return rc;
}

/* "UPDATE <table> SET forwarded = 1" for ids, inside the caller's transaction. */
static int mark(store *s, const char *sql, const long long *ids, unsigned n)
{
	sqlite3_stmt *st = NULL;
	if (!n)
		return 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	for (unsigned i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, ids[i]);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return -EIO;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return 0;
}

int store_outbox_ack(store *s, const long long *tests, unsigned n_tests, const long long *cals, unsigned n_cals)
{
	char err[STORE_ERR_MAX];
	int rc = -EIO;
	pthread_mutex_lock(&s->lock);
	if (store_exec(s, "BEGIN IMMEDIATE", err) < 0) {
		rc = store_failed(s);
		goto out;
	}
	if (mark(s, "UPDATE tests SET forwarded = 1 WHERE id = ?", tests, n_tests) < 0 ||
	    mark(s, "UPDATE calibrations SET forwarded = 1 WHERE id = ?", cals, n_cals) < 0) {
		rc = store_failed(s);
		store_exec(s, "ROLLBACK", err);
		goto out;
	}
	rc = store_exec(s, "COMMIT", err) == 0 ? 0 : store_failed(s);
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

long long store_outbox_backlog(store *s)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "SELECT (SELECT count(*) FROM tests WHERE forwarded = 0 AND state = 'done')"
	                       " + (SELECT count(*) FROM calibrations WHERE forwarded = 0)", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return n;
}

int store_serial_state(store *s, const char *serial, struct store_serial *out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&s->lock);
	/* Failures count from the last release on: the release remembers the
	 * newest test of the whole store when it was made. */
	if (sqlite3_prepare_v2(s->db,
	        "WITH r AS (SELECT coalesce(max(id), 0) AS id, coalesce(max(after_test), 0) AS after"
	        "           FROM serial_releases WHERE serial = ?1)"
	        " SELECT count(*),"
	        "  coalesce((SELECT max(id) FROM tests WHERE serial = ?1 AND kind = 'test' AND state = 'done'"
	        "            AND verdict = 'pass'), 0),"
	        "  sum(verdict = 'fail' AND id > (SELECT after FROM r)),"
	        "  (SELECT id FROM r)"
	        " FROM tests WHERE serial = ?1 AND kind = 'test' AND state = 'done'", -1, &st, NULL) != SQLITE_OK)
		goto out;
	store_bind_text(st, 1, serial);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	out->tests = sqlite3_column_int64(st, 0);
	out->last_pass = sqlite3_column_int64(st, 1);
	out->fails = sqlite3_column_int64(st, 2);
	out->released = sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);
	st = NULL;
	if (out->last_pass) {
		if (sqlite3_prepare_v2(s->db, "SELECT started_at FROM tests WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
			goto out;
		sqlite3_bind_int64(st, 1, out->last_pass);
		if (sqlite3_step(st) == SQLITE_ROW)
			out->last_pass_at = sqlite3_column_int64(st, 0);
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int store_serial_release(store *s, const char *serial, const char *supervisor, const char *reason,
                         long long *id)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "INSERT INTO serial_releases (serial, released_at, supervisor, reason, after_test)"
	                       " VALUES (?, ?, ?, ?, (SELECT coalesce(max(id), 0) FROM tests))", -1, &st,
	                       NULL) != SQLITE_OK) {
		rc = store_failed(s);
		goto out;
	}
	store_bind_text(st, 1, serial);
	sqlite3_bind_int64(st, 2, (long long)time(NULL));
	store_bind_text(st, 3, supervisor);
	store_bind_text(st, 4, reason && *reason ? reason : NULL);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = store_failed(s);
		goto out;
	}
	*id = sqlite3_last_insert_rowid(s->db);
	rc = 0;
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static json_t *release_row(sqlite3_stmt *st)
{
	json_t *o = json_object();
	char when[32];
	const char *reason = (const char *)sqlite3_column_text(st, 3);
	time_t t = (time_t)sqlite3_column_int64(st, 1);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
	json_object_set_new(o, "released_at", json_string(when));
	json_object_set_new(o, "supervisor", json_string((const char *)sqlite3_column_text(st, 2)));
	json_object_set_new(o, "reason", reason ? json_string(reason) : json_null());
	json_object_set_new(o, "after_test", json_integer(sqlite3_column_int64(st, 4)));
	return o;
}

int store_serial_releases(store *s, const char *serial, json_t **out)
{
	sqlite3_stmt *st = NULL;
	json_t *arr = json_array();
	int rc = -EIO;
	*out = NULL;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "SELECT id, released_at, supervisor, reason, after_test FROM serial_releases"
	                       " WHERE serial = ? ORDER BY id DESC LIMIT 100", -1, &st, NULL) == SQLITE_OK) {
		store_bind_text(st, 1, serial);
		rc = collect(st, arr, release_row);
	}
	pthread_mutex_unlock(&s->lock);
	if (rc == 0)
		*out = arr;
	else
		json_decref(arr);
	return rc;
}

int store_state_get(store *s, const char *key, char *buf, size_t len)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM station_state WHERE key = ?", -1, &st, NULL) == SQLITE_OK) {
		store_bind_text(st, 1, key);
		int r = sqlite3_step(st);
		if (r == SQLITE_ROW) {
			snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
			rc = 0;
		} else if (r == SQLITE_DONE) {
			rc = -ENOENT;
		}
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int store_state_set(store *s, const char *key, const char *value)
{
	sqlite3_stmt *st = NULL;
	int rc;
	pthread_mutex_lock(&s->lock);
	const char *sql = value ? "INSERT INTO station_state (key, value) VALUES (?, ?)"
	                          " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
	                        : "DELETE FROM station_state WHERE key = ?";
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = store_failed(s);
	} else {
		store_bind_text(st, 1, key);
		if (value)
			store_bind_text(st, 2, value);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_failed(s);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}
