/* fleet: the forwarder — the store's outbox into the line's PostgreSQL database, batched, retried with backoff, idempotent. */
#include "fleet.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"

#define IDLE_CHECK_MS 1000   /* without a kick, look at the outbox this often (a missed kick costs 1 s) */
#define HEARTBEAT_MS 60000   /* an idle station updates its last_seen this often */

/* Results arrive as result objects (docs/result.md); the columns the line view queries are
 * taken from them here, in the database, so the station sends each row
 * once as it is stored. A replayed batch changes nothing (DO NOTHING), and
 * ORDER BY n gives the rows their seq in the station's order. */
static const char insert_results[] =
	"INSERT INTO results (station, local_id, line, kind, serial, cable, jig, started_at, verdict, faults, aborted,"
	" operator, software_version, profile_sha256, calibration, level_db, crosstalk_db, series_ohms, total_ms, result)"
	" SELECT $1, (r->>'id')::bigint, coalesce(r->>'line', nullif($2, '')), coalesce(r->>'kind', 'test'),"
	"  r->>'serial', coalesce(r->>'cable', ''), coalesce(r->>'jig', ''), (r->>'started_at')::timestamptz,"
	"  r->>'verdict',"
	"  ARRAY(SELECT jsonb_array_elements_text(jsonb_path_query_array(r, '$.faults[*].code'))),"
	"  coalesce(r->>'error', '') LIKE 'aborted%',"
	"  r->>'operator', r->>'software_version', r->>'profile_sha256',"
	"  CASE WHEN jsonb_typeof(r->'calibration') = 'number' THEN (r->>'calibration')::bigint END,"
	/* SPC: the channel furthest from its expected level (signed), the
	 * worst crosstalk, the largest conductor resistance; ±400 means "not
	 * measurable" in a result, never a value to chart. */
	"  (SELECT v FROM (SELECT (c->>'level_db')::float8 AS v FROM jsonb_path_query(r, '$.channels[*]') c) x"
	"   WHERE abs(v) < 300 ORDER BY abs(v) DESC LIMIT 1),"
	"  (SELECT max(v) FROM (SELECT (c->>'crosstalk_db')::float8 AS v FROM jsonb_path_query(r, '$.channels[*]') c) x"
	"   WHERE abs(v) < 300),"
	"  CASE WHEN jsonb_typeof(r->'series_ohms') = 'number' THEN (r->>'series_ohms')::float8 END,"
	"  CASE WHEN jsonb_typeof(r->'timing_ms'->'total') = 'number' THEN (r->'timing_ms'->>'total')::float8 END,"
	"  r"
	" FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS b(r, n)"
	" ORDER BY n"
	" ON CONFLICT (station, local_id) DO NOTHING";

static const char insert_calibrations[] =
	"INSERT INTO calibrations (station, local_id, jig, cable, device, created_at, test, corrections)"
	" SELECT $1, (c->>'id')::bigint, c->>'jig', c->>'cable', c->>'device', (c->>'created_at')::timestamptz,"
	"  CASE WHEN jsonb_typeof(c->'test') = 'number' THEN (c->>'test')::bigint END, c->'corrections'"
	" FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS b(c, n)"
	" ORDER BY n"
	" ON CONFLICT (station, local_id) DO NOTHING";

static const char upsert_station[] =
	"INSERT INTO stations (station, line, software_version) VALUES ($1, nullif($2, ''), $3)"
	" ON CONFLICT (station) DO UPDATE SET line = excluded.line, software_version = excluded.software_version,"
	" last_seen = now()";

struct fleet {
	char conninfo[1024], station[65], line[65];
	store *store;
	unsigned batch;
	double beat_at;               /* forwarder thread only: monotonic ms of the last heartbeat */
	pthread_t thread;
	int started;

	pthread_mutex_t lock;         /* guards everything below */
	pthread_cond_t cond;
	int quit, kicked;
	PGcancel *cancel;             /* of the connection in use, for fleet_stop */
	int connected;
	unsigned long long forwarded, errors;
	long long last_forward_at, last_error_at;   /* Unix seconds, 0 = never */
	char last_error[FLEET_PG_ERR_MAX];   /* kept after recovery: status shows what happened last */
	int failing;                  /* since the last successful connection */
	double retry_at;              /* monotonic ms of the next attempt after a failure, 0 = none */
};

static void note_error(fleet *f, const char *msg)
{
	pthread_mutex_lock(&f->lock);
	/* Said once per cause, not once per retry: a database down for an
	 * hour would otherwise fill the journal. */
	if (!f->failing || strcmp(f->last_error, msg) != 0)
		fprintf(stderr, "tonewired: line database: %s (results stay in the outbox)\n", msg);
	f->failing = 1;
	snprintf(f->last_error, sizeof(f->last_error), "%s", msg);
	f->last_error_at = (long long)time(NULL);
	f->errors++;
	pthread_mutex_unlock(&f->lock);
}

/* Wait up to ms, or until stopped; woken early by a kick when kick_ends. */
static void wait_for(fleet *f, unsigned ms, int kick_ends)
{
	struct timespec ts;
	clock_deadline(&ts, ms);
	pthread_mutex_lock(&f->lock);
	while (!f->quit && !(kick_ends && f->kicked))
		if (pthread_cond_timedwait(&f->cond, &f->lock, &ts) == ETIMEDOUT)
			break;
	f->kicked = 0;
	pthread_mutex_unlock(&f->lock);
}

static int exec_params(PGconn *c, const char *sql, int n, const char *const *vals, char err[FLEET_PG_ERR_MAX])
{
	PGresult *r = PQexecParams(c, sql, n, NULL, vals, NULL, NULL, 0);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	PQclear(r);
	if (!ok)
		fleet_pg_error(c, "forwarding", err);
	return ok ? 0 : -EIO;
}

/* The station says it is there (and which software it runs): on
 * connecting, with every batch, and every minute while idle. */
static int heartbeat(fleet *f, PGconn *c, char err[FLEET_PG_ERR_MAX])
{
	const char *station[] = { f->station, f->line, TONEWIRE_VERSION };
	f->beat_at = clock_now_ms();
	return exec_params(c, upsert_station, 3, station, err);
}

/* The ids of a batch, for the outbox's acknowledgement. */
static long long *ids_of(const json_t *rows, unsigned *n)
{
	size_t i;
	json_t *r;
	long long *ids = malloc((json_array_size(rows) + 1) * sizeof(*ids));
	*n = 0;
	if (!ids)
		return NULL;
	json_array_foreach(rows, i, r)
		ids[(*n)++] = (long long)json_integer_value(json_object_get(r, "id"));
	return ids;
}

/* One batch from the outbox into the database, in one transaction, then
 * out of the outbox. Rows forwarded (0: nothing waited), or -EIO (err). */
static int forward_batch(fleet *f, PGconn *c, char err[FLEET_PG_ERR_MAX])
{
	json_t *res = NULL, *cal = NULL;
	char *res_text = NULL, *cal_text = NULL;
	long long *res_ids = NULL, *cal_ids = NULL;
	unsigned n_res = 0, n_cal = 0;
	int rc = -EIO;

	if (store_outbox_next(f->store, f->batch, &res, &cal) < 0) {
		snprintf(err, FLEET_PG_ERR_MAX, "the station's store cannot be read");
		return -EIO;
	}
	if (!json_array_size(res) && !json_array_size(cal)) {
		rc = clock_now_ms() - f->beat_at > HEARTBEAT_MS && heartbeat(f, c, err) < 0 ? -EIO : 0;
		goto out;
	}
	res_text = json_dumps(res, JSON_COMPACT | JSON_REAL_PRECISION(12));
	cal_text = json_dumps(cal, JSON_COMPACT | JSON_REAL_PRECISION(12));
	res_ids = ids_of(res, &n_res);
	cal_ids = ids_of(cal, &n_cal);
	if (!res_text || !cal_text || !res_ids || !cal_ids) {
		snprintf(err, FLEET_PG_ERR_MAX, "out of memory");
		goto out;
	}
	const char *cals[] = { f->station, cal_text };
	const char *results[] = { f->station, f->line, res_text };
	if (fleet_pg_exec(c, "BEGIN", err) < 0)
		goto out;
	if (heartbeat(f, c, err) < 0 ||
	    (n_cal && exec_params(c, insert_calibrations, 2, cals, err) < 0) ||
	    (n_res && exec_params(c, insert_results, 3, results, err) < 0)) {
		char ignored[FLEET_PG_ERR_MAX];
		fleet_pg_exec(c, "ROLLBACK", ignored);
		goto out;
	}
	if (fleet_pg_exec(c, "COMMIT", err) < 0)
		goto out;
	/* Committed: a crash before the acknowledgement only means the batch
	 * is sent again, and the database keeps each row once. */
	if (store_outbox_ack(f->store, res_ids, n_res, cal_ids, n_cal) < 0)
		fprintf(stderr, "tonewired: line database: forwarded, but the outbox cannot be updated; "
		        "the rows will be sent again\n");
	rc = (int)(n_res + n_cal);
out:
	json_decref(res);
	json_decref(cal);
	free(res_text);
	free(cal_text);
	free(res_ids);
	free(cal_ids);
	return rc;
}

static PGconn *connect_db(fleet *f, char err[FLEET_PG_ERR_MAX])
{
	char app[96];
	snprintf(app, sizeof(app), "tonewired %s", f->station);
	PGconn *c = fleet_pg_connect(f->conninfo, app, err);
	if (!c)
		return NULL;
	if (heartbeat(f, c, err) < 0) {
		PQfinish(c);
		return NULL;
	}
	pthread_mutex_lock(&f->lock);
	f->cancel = PQgetCancel(c);
	f->connected = 1;
	if (f->failing)
		fprintf(stderr, "tonewired: line database: connected again; forwarding the outbox\n");
	f->failing = 0;
	pthread_mutex_unlock(&f->lock);
	return c;
}

static void disconnect_db(fleet *f, PGconn *c)
{
	pthread_mutex_lock(&f->lock);
	PQfreeCancel(f->cancel);
	f->cancel = NULL;
	f->connected = 0;
	pthread_mutex_unlock(&f->lock);
	PQfinish(c);
}

/* The next wait after a failure: doubling from the minimum to the maximum,
 * with ±20 % jitter so the stations of a line do not retry in step. */
static unsigned backoff(unsigned *delay, unsigned *seed)
{
	*delay = *delay ? (*delay * 2 > FLEET_RETRY_MAX_MS ? FLEET_RETRY_MAX_MS : *delay * 2) : FLEET_RETRY_MIN_MS;
	double jitter = 0.8 + 0.4 * (rand_r(seed) / (double)RAND_MAX);
	return (unsigned)(*delay * jitter);
}

static void *run(void *arg)
{
	fleet *f = arg;
	PGconn *c = NULL;
	unsigned delay = 0, seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)f;
	char err[FLEET_PG_ERR_MAX];

	for (;;) {
		pthread_mutex_lock(&f->lock);
		int quit = f->quit;
		pthread_mutex_unlock(&f->lock);
		if (quit)
			break;
		int n = -EIO;
		if (c || (c = connect_db(f, err)))
			n = forward_batch(f, c, err);
		if (n < 0) {
			note_error(f, err);
			if (c && PQstatus(c) != CONNECTION_OK) {
				disconnect_db(f, c);
				c = NULL;
			}
			unsigned ms = backoff(&delay, &seed);
			pthread_mutex_lock(&f->lock);
			f->retry_at = clock_now_ms() + ms;
			pthread_mutex_unlock(&f->lock);
			wait_for(f, ms, 0);
			continue;
		}
		delay = 0;
		pthread_mutex_lock(&f->lock);
		f->retry_at = 0;
		if (n > 0) {
			f->forwarded += (unsigned)n;
			f->last_forward_at = (long long)time(NULL);
		}
		pthread_mutex_unlock(&f->lock);
		if (n == 0)
			wait_for(f, IDLE_CHECK_MS, 1);
	}
	if (c)
		disconnect_db(f, c);
	return NULL;
}

fleet *fleet_start(const struct fleet_cfg *cfg, char err[FLEET_PG_ERR_MAX])
{
	fleet *f = calloc(1, sizeof(*f));
	pthread_condattr_t ca;
	if (!f) {
		snprintf(err, FLEET_PG_ERR_MAX, "out of memory");
		return NULL;
	}
	snprintf(f->conninfo, sizeof(f->conninfo), "%s", cfg->conninfo);
	snprintf(f->station, sizeof(f->station), "%s", cfg->station);
	snprintf(f->line, sizeof(f->line), "%s", cfg->line ? cfg->line : "");
	f->store = cfg->store;
	f->batch = cfg->batch ? cfg->batch : FLEET_BATCH_DEFAULT;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, &ca);
	pthread_condattr_destroy(&ca);
	int rc = pthread_create(&f->thread, NULL, run, f);
	if (rc != 0) {
		snprintf(err, FLEET_PG_ERR_MAX, "cannot start the forwarder thread: %s", strerror(rc));
		fleet_stop(f);
		return NULL;
	}
	f->started = 1;
	store_set_notify(f->store, fleet_kick, f);
	return f;
}

void fleet_stop(fleet *f)
{
	if (!f)
		return;
	if (f->started) {
		store_set_notify(f->store, NULL, NULL);
		pthread_mutex_lock(&f->lock);
		f->quit = 1;
		if (f->cancel) {
			char buf[256];
			PQcancel(f->cancel, buf, sizeof(buf));
		}
		pthread_cond_broadcast(&f->cond);
		pthread_mutex_unlock(&f->lock);
		pthread_join(f->thread, NULL);
	}
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->cond);
	free(f);
}

void fleet_kick(void *arg)
{
	fleet *f = arg;
	pthread_mutex_lock(&f->lock);
	f->kicked = 1;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

static json_t *time_or_null(long long t)
{
	char buf[32];
	if (!t)
		return json_null();
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

json_t *fleet_status_json(fleet *f)
{
	json_t *o = json_object();
	long long backlog = store_outbox_backlog(f->store);
	pthread_mutex_lock(&f->lock);
	double retry = f->retry_at ? f->retry_at - clock_now_ms() : 0;
	json_object_set_new(o, "connected", json_boolean(f->connected));
	json_object_set_new(o, "backlog", backlog >= 0 ? json_integer(backlog) : json_null());
	json_object_set_new(o, "forwarded", json_integer((json_int_t)f->forwarded));
	json_object_set_new(o, "last_forward_at", time_or_null(f->last_forward_at));
	json_object_set_new(o, "last_error", f->last_error[0] ? json_string(f->last_error) : json_null());
	json_object_set_new(o, "last_error_at", time_or_null(f->last_error_at));
	json_object_set_new(o, "errors", json_integer((json_int_t)f->errors));
	json_object_set_new(o, "retry_in_ms", f->retry_at ? json_integer(retry > 0 ? (json_int_t)retry : 0) : json_null());
	pthread_mutex_unlock(&f->lock);
	return o;
}

/* A Prometheus label value: backslash, quote and newline escaped. */
static void label_escape(const char *s, char *out, size_t len)
{
	size_t n = 0;
	for (; *s && n + 3 < len; s++) {
		if (*s == '\\' || *s == '"')
			out[n++] = '\\';
		if (*s == '\n') {
			out[n++] = '\\';
			out[n++] = 'n';
			continue;
		}
		out[n++] = *s;
	}
	out[n] = '\0';
}

char *fleet_metrics_append(fleet *f, char *text)
{
	char buf[4096], esc[FLEET_PG_ERR_MAX * 2];
	long long backlog = store_outbox_backlog(f->store);
	pthread_mutex_lock(&f->lock);
	label_escape(f->last_error, esc, sizeof(esc));
	int n = snprintf(buf, sizeof(buf),
		"# HELP tonewire_fleet_backlog Results and calibrations stored here and not yet in the line database.\n"
		"# TYPE tonewire_fleet_backlog gauge\ntonewire_fleet_backlog %lld\n"
		"# HELP tonewire_fleet_connected 1 while connected to the line database.\n"
		"# TYPE tonewire_fleet_connected gauge\ntonewire_fleet_connected %d\n"
		"# HELP tonewire_fleet_forwarded_total Rows committed to the line database since start.\n"
		"# TYPE tonewire_fleet_forwarded_total counter\ntonewire_fleet_forwarded_total %llu\n"
		"# HELP tonewire_fleet_errors_total Failed attempts to connect or forward.\n"
		"# TYPE tonewire_fleet_errors_total counter\ntonewire_fleet_errors_total %llu\n"
		"# HELP tonewire_fleet_last_forward_timestamp_seconds When rows were last forwarded (0 = not since start).\n"
		"# TYPE tonewire_fleet_last_forward_timestamp_seconds gauge\n"
		"tonewire_fleet_last_forward_timestamp_seconds %lld\n"
		"# HELP tonewire_fleet_last_error_timestamp_seconds When forwarding last failed (0 = not since start).\n"
		"# TYPE tonewire_fleet_last_error_timestamp_seconds gauge\n"
		"tonewire_fleet_last_error_timestamp_seconds %lld\n"
		"# HELP tonewire_fleet_last_error_info The last forwarding error, as a label.\n"
		"# TYPE tonewire_fleet_last_error_info gauge\ntonewire_fleet_last_error_info{error=\"%s\"} %d\n",
		backlog, f->connected, f->forwarded, f->errors, f->last_forward_at, f->last_error_at, esc,
		f->last_error[0] ? 1 : 0);
	pthread_mutex_unlock(&f->lock);
	size_t old = text ? strlen(text) : 0;
	char *t = realloc(text, old + (size_t)n + 1);
	if (!t) {
		free(text);
		return NULL;
	}
	memcpy(t + old, buf, (size_t)n + 1);
	return t;
}
