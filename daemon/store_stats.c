/* store_stats: this station's counts since a time — per verdict, per cable, first-pass and final yield — for the operator's shift. */
#include "store.h"

#include <errno.h>
#include <stdio.h>

#include "store_priv.h"

/* The definitions of the line view (docs/line-database.md): a unit is a
 * serial, a test without one a unit of its own; error verdicts (the
 * station could not decide) count as tests but stay out of the yields; a
 * unit's first and last test are its smallest and largest id (ids follow
 * the order tests were asked for). Only tests: flex sessions, calibrations
 * and learn steps are other kinds. %s is what the rows are grouped by. */
#define STATS_SQL                                                                                              \
	"WITH t AS (SELECT id, cable, verdict, coalesce(serial, '#' || id) AS unit FROM tests"                \
	"   WHERE state = 'done' AND kind = 'test' AND started_at >= ?1 AND id > ?2),"                                      \
	" v AS (SELECT %s AS g, count(*) AS n, sum(verdict = 'pass') AS pass, sum(verdict = 'fail') AS fail,"  \
	"   sum(verdict = 'error') AS error FROM t GROUP BY g),"                                                 \
	" u AS (SELECT %s AS g, unit, min(id) AS f, max(id) AS l FROM t WHERE verdict <> 'error' GROUP BY g, unit)," \
	" y AS (SELECT u.g AS g, count(*) AS units, sum(tf.verdict = 'pass') AS fp, sum(tl.verdict = 'pass') AS fin" \
	"   FROM u JOIN tests AS tf ON tf.id = u.f JOIN tests AS tl ON tl.id = u.l GROUP BY u.g)"               \
	" SELECT v.g, v.n, v.pass, v.fail, v.error, coalesce(y.units, 0), coalesce(y.fp, 0), coalesce(y.fin, 0)" \
	" FROM v LEFT JOIN y ON y.g = v.g ORDER BY v.g"

static json_t *share(long long part, long long whole)
{
	return whole ? json_real((double)part / (double)whole) : json_null();
}

/* One row of STATS_SQL as {"tests", "pass", …, "final_yield"}. */
static json_t *stats_row(sqlite3_stmt *st)
{
	long long units = sqlite3_column_int64(st, 5), fp = sqlite3_column_int64(st, 6);
	long long fin = sqlite3_column_int64(st, 7);
	json_t *o = json_object();
	json_object_set_new(o, "tests", json_integer(sqlite3_column_int64(st, 1)));
	json_object_set_new(o, "pass", json_integer(sqlite3_column_int64(st, 2)));
	json_object_set_new(o, "fail", json_integer(sqlite3_column_int64(st, 3)));
	json_object_set_new(o, "error", json_integer(sqlite3_column_int64(st, 4)));
	json_object_set_new(o, "units", json_integer(units));
	json_object_set_new(o, "first_pass", json_integer(fp));
	json_object_set_new(o, "final_pass", json_integer(fin));
	json_object_set_new(o, "first_pass_yield", share(fp, units));
	json_object_set_new(o, "final_yield", share(fin, units));
	return o;
}

/* STATS_SQL grouped by group (the lock held): each row, with its cable, into the
 * array into, or the single row merged into the object into. 0 or -EIO. */
static int stats_query(store *s, long long since, long long after, const char *group, json_t *into)
{
	char sql[1400];
	sqlite3_stmt *st = NULL;
	int r;
	snprintf(sql, sizeof(sql), STATS_SQL, group, group);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, after);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = stats_row(st);
		if (json_is_array(into)) {
			json_object_set_new(o, "cable", json_string((const char *)sqlite3_column_text(st, 0)));
			json_array_append_new(into, o);
		} else {
			json_object_update(into, o);
			json_decref(o);
		}
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : -EIO;
}

int store_stats(store *s, long long since, long long after, json_t **out)
{
	json_t *total = json_object(), *cables = json_array();
	int e;
	*out = NULL;
	if (!total || !cables) {
		json_decref(total);
		json_decref(cables);
		return -ENOMEM;
	}
	pthread_mutex_lock(&s->lock);
	/* The same query twice: per cable, then all together (a serial tested
	 * as two cables is one unit of each, and one unit in all). */
	e = stats_query(s, since, after, "cable", cables);
	if (e == 0)
		e = stats_query(s, since, after, "''", total);
	pthread_mutex_unlock(&s->lock);
	if (e < 0) {
		json_decref(total);
		json_decref(cables);
		return e;
	}
	if (!json_object_size(total)) {
		/* Nothing since then: zeros, no yield. */
		static const char *const zero[] = { "tests", "pass", "fail", "error", "units", "first_pass", "final_pass",
		                                    NULL };
		for (const char *const *k = zero; *k; k++)
			json_object_set_new(total, *k, json_integer(0));
		json_object_set_new(total, "first_pass_yield", json_null());
		json_object_set_new(total, "final_yield", json_null());
	}
	json_object_set_new(total, "cables", cables);
	*out = total;
	return 0;
}

long long store_last_id(store *s)
{
	sqlite3_stmt *st = NULL;
	long long id = -1;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(id), 0) FROM tests", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return id;
}
