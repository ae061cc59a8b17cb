/* line: the line view — yield, fault Pareto, retests, SPC, calibration history and serial lookup — queried from the line database. */
#include "line.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_MAX 4   /* concurrent line-view queries; more wait (a station serves a few dashboards) */
#define QB_PARAMS 24

struct line {
	char conninfo[1024];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	PGconn *idle[POOL_MAX];
	unsigned n_idle, n_open;
};

line *line_create(const char *conninfo)
{
	line *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	snprintf(l->conninfo, sizeof(l->conninfo), "%s", conninfo);
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	return l;
}

void line_destroy(line *l)
{
	if (!l)
		return;
	for (unsigned i = 0; i < l->n_idle; i++)
		PQfinish(l->idle[i]);
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->cond);
	free(l);
}

static PGconn *borrow(line *l, char err[LINE_ERR_MAX])
{
	pthread_mutex_lock(&l->lock);
	while (!l->n_idle && l->n_open >= POOL_MAX)
		pthread_cond_wait(&l->cond, &l->lock);
	if (l->n_idle) {
		PGconn *c = l->idle[--l->n_idle];
		pthread_mutex_unlock(&l->lock);
		return c;
	}
	l->n_open++;
	pthread_mutex_unlock(&l->lock);
	PGconn *c = fleet_pg_connect(l->conninfo, "tonewired line view", err);
	/* A view that runs away must not hold a connection for ever; times
	 * are compared and printed in UTC whatever the server's zone. */
	if (c && fleet_pg_exec(c, "SET statement_timeout = '30s'; SET TIME ZONE 'UTC'", err) < 0) {
		PQfinish(c);
		c = NULL;
	}
	if (!c) {
		pthread_mutex_lock(&l->lock);
		l->n_open--;
		pthread_cond_signal(&l->cond);
		pthread_mutex_unlock(&l->lock);
	}
	return c;
}

static void give_back(line *l, PGconn *c)
{
	pthread_mutex_lock(&l->lock);
	if (PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) == PQTRANS_IDLE && l->n_idle < POOL_MAX) {
		l->idle[l->n_idle++] = c;
	} else {
		PQfinish(c);
		l->n_open--;
	}
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

/* A statement being put together: SQL text and its parameters ($1…). */
struct qb {
	char sql[16384];
	const char *val[QB_PARAMS];
	int n;
	int full;                 /* something did not fit: never run it */
};

__attribute__((format(printf, 2, 3)))
static void qb_sql(struct qb *q, const char *fmt, ...)
{
	size_t used = strlen(q->sql);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(q->sql + used, sizeof(q->sql) - used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(q->sql) - used)
		q->full = 1;
}

/* The placeholder number of a new parameter (copied by reference: v must
 * live until the statement ran). */
static int qb_param(struct qb *q, const char *v)
{
	if (q->n >= QB_PARAMS) {
		q->full = 1;
		return 1;
	}
	q->val[q->n] = v;
	return ++q->n;
}

/* The filter as a condition (its parameters added once; the text may be
 * used in several places of one statement). */
static void qb_filter(struct qb *q, const struct line_filter *f, char *cond, size_t len)
{
	int a = qb_param(q, f->since), b = qb_param(q, f->until);
	int n = snprintf(cond, len, "kind = 'test' AND started_at >= $%d::timestamptz AND started_at < $%d::timestamptz",
	                 a, b);
	if (f->station && n > 0 && (size_t)n < len)
		n += snprintf(cond + n, len - (size_t)n, " AND station = $%d", qb_param(q, f->station));
	if (f->cable && n > 0 && (size_t)n < len)
		n += snprintf(cond + n, len - (size_t)n, " AND cable = $%d", qb_param(q, f->cable));
	if (n < 0 || (size_t)n >= len)
		q->full = 1;
}

/* Run q, whose one row and column is JSON text, into *out. */
static int run(line *l, const struct qb *q, json_t **out, char err[LINE_ERR_MAX])
{
	json_error_t je;
	int rc = -EIO;
	*out = NULL;
	if (q->full) {
		snprintf(err, LINE_ERR_MAX, "line view: the query does not fit (too many parameters)");
		return -EINVAL;
	}
	PGconn *c = borrow(l, err);
	if (!c)
		return -EIO;
	PGresult *r = PQexecParams(c, q->sql, q->n, NULL, q->val, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && PQnfields(r) == 1) {
		*out = json_loads(PQgetvalue(r, 0, 0), JSON_DECODE_ANY, &je);
		if (*out)
			rc = 0;
		else
			snprintf(err, LINE_ERR_MAX, "line view: the database answered something that is not JSON (%s)", je.text);
	} else {
		/* Class 22 (data exception): a parameter it could not take, such
		 * as a time zone it does not know. */
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		fleet_pg_error(c, "line database", err);
		rc = state && !strncmp(state, "22", 2) ? -EINVAL : -EIO;
	}
	PQclear(r);
	give_back(l, c);
	return rc;
}

int line_yield(line *l, const struct line_filter *f, const char *by, const struct line_shifts *sh, json_t **out,
               char err[LINE_ERR_MAX])
{
	struct qb q = { .sql = "" };
	char cond[512], group[1024] = "", zone[96] = "NULL";
	char label[LINE_MAX_SHIFTS][16];

	qb_filter(&q, f, cond, sizeof(cond));
	if (!strcmp(by, "station") || !strcmp(by, "cable")) {
		snprintf(group, sizeof(group), "%s", by);
	} else if (!strcmp(by, "shift") && sh && sh->n) {
		/* The shift a test started in, by its local time of day; before
		 * the first start it still belongs to the last shift (the night). */
		int tz = qb_param(&q, sh->tz);
		/* Said back, and evaluated once: an unknown zone is refused even
		 * when no result falls in the period. */
		snprintf(zone, sizeof(zone), "CASE WHEN (now() AT TIME ZONE $%d) IS NOT NULL THEN $%d::text END", tz, tz);
		size_t n = (size_t)snprintf(group, sizeof(group), "CASE");
		for (unsigned i = sh->n; i-- > 0;) {
			snprintf(label[i], sizeof(label[i]), "%s-%s", sh->start[i], sh->start[(i + 1) % sh->n]);
			n += (size_t)snprintf(group + n, sizeof(group) - n,
			                      " WHEN (started_at AT TIME ZONE $%d)::time >= $%d::time THEN $%d", tz,
			                      qb_param(&q, sh->start[i]), qb_param(&q, label[i]));
		}
		snprintf(group + n, sizeof(group) - n, " ELSE $%d END", qb_param(&q, label[sh->n - 1]));
	} else {
		snprintf(err, LINE_ERR_MAX, "by: '%.20s' is not station, cable or shift", by);
		return -EINVAL;
	}
	qb_sql(&q,
	       /* A unit's first and last test are the smallest and largest of
	        * [time, local id, passed]: a hash aggregate instead of sorting
	        * every test (three times faster over a quarter of a line). */
	       "WITH t AS (SELECT (%s)::text AS g, coalesce(serial, station || '#' || local_id) AS unit,"
	       "   ARRAY[extract(epoch FROM started_at)::float8, local_id::float8, (verdict = 'pass')::int::float8] AS k"
	       "   FROM results WHERE %s AND verdict <> 'error'),"
	       " u AS (SELECT g, unit, count(*) AS n, (min(k))[3] AS first_pass, (max(k))[3] AS last_pass"
	       "   FROM t GROUP BY GROUPING SETS ((g, unit), (unit))),"
	       " s AS (SELECT g, count(*) AS units, sum(n) AS tests, count(*) FILTER (WHERE first_pass = 1) AS fp,"
	       "   count(*) FILTER (WHERE last_pass = 1) AS fin FROM u GROUP BY g)"
	       " SELECT json_build_object('by', $%d::text, 'tz', %s,"
	       "  'groups', coalesce((SELECT json_agg(json_build_object('group', g, 'units', units, 'tests', tests,"
	       "    'first_pass', fp, 'final_pass', fin, 'first_pass_yield', fp::float8 / units,"
	       "    'final_yield', fin::float8 / units) ORDER BY g) FROM s WHERE g IS NOT NULL), '[]'),"
	       "  'total', (SELECT json_build_object('units', coalesce(max(units), 0), 'tests', coalesce(max(tests), 0),"
	       "    'first_pass', coalesce(max(fp), 0), 'final_pass', coalesce(max(fin), 0),"
	       "    'first_pass_yield', max(fp)::float8 / nullif(max(units), 0),"
	       "    'final_yield', max(fin)::float8 / nullif(max(units), 0)) FROM s WHERE g IS NULL))::text",
	       group, cond, qb_param(&q, by), zone);
	return run(l, &q, out, err);
}

int line_pareto(line *l, const struct line_filter *f, json_t **out, char err[LINE_ERR_MAX])
{
	struct qb q = { .sql = "" };
	char cond[512];
	qb_filter(&q, f, cond, sizeof(cond));
	qb_sql(&q,
	       "WITH bad AS (SELECT faults FROM results WHERE %s AND verdict IN ('fail', 'error') AND NOT aborted),"
	       " c AS (SELECT code, count(*) AS n FROM bad, unnest(faults) AS code GROUP BY code),"
	       " r AS (SELECT code, n, sum(n) OVER (ORDER BY n DESC, code) AS cum, sum(n) OVER () AS all_n FROM c)"
	       " SELECT json_build_object('tests', (SELECT count(*) FROM results WHERE %s),"
	       "  'failed_tests', (SELECT count(*) FROM bad),"
	       "  'codes', coalesce((SELECT json_agg(json_build_object('code', code, 'count', n,"
	       "    'percent', 100.0 * n / all_n, 'cumulative_percent', 100.0 * cum / all_n) ORDER BY n DESC, code)"
	       "    FROM r), '[]'))::text",
	       cond, cond);
	return run(l, &q, out, err);
}

int line_retests(line *l, const struct line_filter *f, unsigned limit, json_t **out, char err[LINE_ERR_MAX])
{
	struct qb q = { .sql = "" };
	char cond[512], lim[16];
	qb_filter(&q, f, cond, sizeof(cond));
	snprintf(lim, sizeof(lim), "%u", limit ? limit : 100);
	qb_sql(&q,
	       "WITH s AS (SELECT serial, count(*) AS n,"
	       "   array_agg(verdict ORDER BY started_at, station, local_id) AS v,"
	       "   array_agg(station ORDER BY started_at, station, local_id) AS st,"
	       "   min(started_at) AS first_at, max(started_at) AS last_at"
	       "   FROM results WHERE %s AND serial IS NOT NULL AND verdict <> 'error'"
	       "   GROUP BY serial HAVING count(*) > 1),"
	       " o AS (SELECT *, CASE WHEN v[1] = 'pass' THEN 'retested_after_pass'"
	       "   WHEN v[n] = 'pass' THEN 'passed_on_retest' ELSE 'still_failing' END AS outcome FROM s)"
	       " SELECT json_build_object('serials', (SELECT count(*) FROM o),"
	       "  'outcomes', json_build_object("
	       "    'passed_on_retest', (SELECT count(*) FROM o WHERE outcome = 'passed_on_retest'),"
	       "    'still_failing', (SELECT count(*) FROM o WHERE outcome = 'still_failing'),"
	       "    'retested_after_pass', (SELECT count(*) FROM o WHERE outcome = 'retested_after_pass')),"
	       "  'items', coalesce((SELECT json_agg(json_build_object('serial', serial, 'tests', n, 'verdicts', v,"
	       "    'stations', st, 'first_at', tonewire_iso(first_at), 'last_at', tonewire_iso(last_at),"
	       "    'outcome', outcome) ORDER BY last_at DESC, serial)"
	       "    FROM (SELECT * FROM o ORDER BY last_at DESC, serial LIMIT $%d::int) y), '[]'))::text",
	       cond, qb_param(&q, lim));
	return run(l, &q, out, err);
}

int line_spc_metric_ok(const char *metric)
{
	return metric && (!strcmp(metric, "level_db") || !strcmp(metric, "crosstalk_db") ||
	                  !strcmp(metric, "series_ohms"));
}

/* One metric's charts. The column name comes from the list above, never
 * from a request. */
static int spc_one(line *l, const struct line_spc_query *sq, const char *m, json_t **out, char err[LINE_ERR_MAX])
{
	struct qb q = { .sql = "" };
	char cond[512], ref[1024], refn[16], maxp[16];
	qb_filter(&q, &sq->f, cond, sizeof(cond));
	snprintf(refn, sizeof(refn), "%u", sq->ref_points ? sq->ref_points : 25);
	snprintf(maxp, sizeof(maxp), "%u", sq->max_points ? sq->max_points : 500);
	if (sq->ref_since[0] && sq->ref_until[0]) {
		/* A reference period of its own, possibly before the charted one. */
		struct line_filter rf = sq->f;
		char rcond[512];
		snprintf(rf.since, sizeof(rf.since), "%s", sq->ref_since);
		snprintf(rf.until, sizeof(rf.until), "%s", sq->ref_until);
		qb_filter(&q, &rf, rcond, sizeof(rcond));
		snprintf(ref, sizeof(ref), "SELECT cable, station, avg(%s) AS mean, stddev_samp(%s) AS sd, count(*) AS n"
		         " FROM results WHERE %s AND verdict <> 'error' AND %s IS NOT NULL GROUP BY cable, station",
		         m, m, rcond, m);
	} else {
		snprintf(ref, sizeof(ref), "SELECT cable, station, avg(v) AS mean, stddev_samp(v) AS sd, count(*) AS n"
		         " FROM p WHERE rn <= $%d::int GROUP BY cable, station", qb_param(&q, refn));
	}
	qb_sql(&q,
	       "WITH p AS (SELECT cable, station, started_at, local_id, serial, %s AS v,"
	       "   row_number() OVER (PARTITION BY cable, station ORDER BY started_at, local_id) AS rn,"
	       "   count(*) OVER (PARTITION BY cable, station) AS cnt"
	       "   FROM results WHERE %s AND verdict <> 'error' AND %s IS NOT NULL),"
	       " ref AS (%s),"
	       " pts AS (SELECT p.*, ref.mean, ref.sd, ref.n,"
	       "   ref.sd IS NOT NULL AND abs(p.v - ref.mean) > 3 * ref.sd AS ooc"
	       "   FROM p LEFT JOIN ref USING (cable, station) WHERE p.rn > p.cnt - $%d::int),"
	       " s AS (SELECT cable, station, min(mean) AS mean, min(sd) AS sd, min(n) AS n, count(*) FILTER (WHERE ooc) AS k,"
	       "   json_agg(json_build_object('t', tonewire_iso(started_at), 'v', v, 'id', local_id, 'serial', serial,"
	       "     'ooc', ooc) ORDER BY started_at, local_id) AS points"
	       "   FROM pts GROUP BY cable, station)"
	       " SELECT coalesce(json_agg(json_build_object('cable', cable, 'station', station, 'metric', $%d::text,"
	       "   'mean', mean, 'sigma', sd, 'ucl', mean + 3 * sd, 'lcl', mean - 3 * sd, 'reference_points', n,"
	       "   'out_of_control', k, 'points', points) ORDER BY cable, station), '[]')::text FROM s",
	       m, cond, m, ref, qb_param(&q, maxp), qb_param(&q, m));
	return run(l, &q, out, err);
}

int line_spc(line *l, const struct line_spc_query *q, json_t **out, char err[LINE_ERR_MAX])
{
	static const char *const metrics[] = { "level_db", "crosstalk_db", "series_ohms" };
	if (q->metric && !line_spc_metric_ok(q->metric)) {
		snprintf(err, LINE_ERR_MAX, "metric: '%.30s' is not level_db, crosstalk_db or series_ohms", q->metric);
		return -EINVAL;
	}
	if (q->metric)
		return spc_one(l, q, q->metric, out, err);
	json_t *all = json_object();
	for (unsigned i = 0; i < 3; i++) {
		json_t *one = NULL;
		int e = spc_one(l, q, metrics[i], &one, err);
		if (e < 0) {
			json_decref(all);
			*out = NULL;
			return e;
		}
		json_object_set_new(all, metrics[i], one);
	}
	*out = all;
	return 0;
}

int line_calibrations(line *l, const struct line_filter *f, const char *jig, json_t **out, char err[LINE_ERR_MAX])
{
	struct qb q = { .sql = "" };
	char cond[512];
	int a = qb_param(&q, f->since), b = qb_param(&q, f->until);
	snprintf(cond, sizeof(cond), "created_at >= $%d::timestamptz AND created_at < $%d::timestamptz", a, b);
	if (jig)
		snprintf(cond + strlen(cond), sizeof(cond) - strlen(cond), " AND jig = $%d", qb_param(&q, jig));
	if (f->station)
		snprintf(cond + strlen(cond), sizeof(cond) - strlen(cond), " AND station = $%d", qb_param(&q, f->station));
	if (f->cable)
		snprintf(cond + strlen(cond), sizeof(cond) - strlen(cond), " AND cable = $%d", qb_param(&q, f->cable));
	qb_sql(&q,
	       "SELECT coalesce(json_agg(json_build_object('station', station, 'id', local_id, 'jig', jig, 'cable', cable,"
	       "  'device', device, 'created_at', tonewire_iso(created_at), 'test', test,"
	       "  'paths', (SELECT count(*) FROM jsonb_path_query(corrections, '$.gain_db[*][*] ? (@ != null)')),"
	       "  'mean_gain_db', (SELECT avg(x::text::float8) FROM jsonb_path_query(corrections,"
	       "    '$.gain_db[*][*] ? (@ != null)') x),"
	       "  'max_abs_gain_db', (SELECT max(abs(x::text::float8)) FROM jsonb_path_query(corrections,"
	       "    '$.gain_db[*][*] ? (@ != null)') x))"
	       "  ORDER BY jig, created_at DESC, station, local_id), '[]')::text FROM calibrations WHERE %s",
	       cond);
	return run(l, &q, out, err);
}

int line_serial(line *l, const char *serial, json_t **out, char err[LINE_ERR_MAX])
{
	struct qb q = { .sql = "" };
	qb_sql(&q,
	       "SELECT coalesce(json_agg(result || jsonb_build_object('station', station, 'line', line)"
	       "  ORDER BY started_at, station, local_id), '[]')::text"
	       " FROM (SELECT * FROM results WHERE serial = $%d ORDER BY started_at, station, local_id LIMIT 1000) r",
	       qb_param(&q, serial));
	return run(l, &q, out, err);
}

int line_stations(line *l, json_t **out, char err[LINE_ERR_MAX])
{
	struct qb q = { .sql = "" };
	qb_sql(&q,
	       "SELECT coalesce(json_agg(json_build_object('station', s.station, 'line', s.line,"
	       "  'software_version', s.software_version, 'first_seen', tonewire_iso(s.first_seen),"
	       "  'last_seen', tonewire_iso(s.last_seen),"
	       "  'results', (SELECT count(*) FROM results r WHERE r.station = s.station),"
	       "  'last_result_at', (SELECT tonewire_iso(max(started_at)) FROM results r WHERE r.station = s.station))"
	       "  ORDER BY s.station), '[]')::text FROM stations s");
	return run(l, &q, out, err);
}
