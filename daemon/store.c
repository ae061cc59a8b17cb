/* store: test results in SQLite (WAL, synchronous=FULL), versioned schema, history queries, capture retention. */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store_priv.h"

/* Who hears of a new row for the outbox (the forwarder); the call is made
 * outside the lock. */
void store_set_notify(store *s, void (*fn)(void *ctx), void *ctx)
{
	pthread_mutex_lock(&s->lock);
	s->notify = fn;
	s->notify_ctx = ctx;
	pthread_mutex_unlock(&s->lock);
}

/* Tell whoever forwards the outbox that it has a new row (lock not held). */
static void store_notify(store *s)
{
	pthread_mutex_lock(&s->lock);
	void (*fn)(void *) = s->notify;
	void *ctx = s->notify_ctx;
	pthread_mutex_unlock(&s->lock);
	if (fn)
		fn(ctx);
}

/* Each step moves the schema from version i to i + 1, inside one
 * transaction together with PRAGMA user_version. Never edit a step that
 * has shipped: add one. */
static const char *const migrations[] = {
	/* 1: results, one row per test; the result object is kept whole. */
	"CREATE TABLE tests ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" started_at INTEGER NOT NULL,"
	" serial TEXT, cable TEXT NOT NULL, jig TEXT NOT NULL,"
	" verdict TEXT NOT NULL CHECK (verdict IN ('pass','fail','error')),"
	" state TEXT NOT NULL CHECK (state IN ('running','done')),"
	" result TEXT NOT NULL);"
	"CREATE INDEX tests_serial ON tests(serial);"
	"CREATE INDEX tests_started ON tests(started_at);",
	/* 2: fault codes for filtering and the capture kept for failed tests. */
	"ALTER TABLE tests ADD COLUMN faults TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE tests ADD COLUMN duration_ms REAL;"
	"ALTER TABLE tests ADD COLUMN capture INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX tests_capture ON tests(capture) WHERE capture = 1;",
	/* 3: what a row is: a test, a flex session, a calibration's verification. */
	"ALTER TABLE tests ADD COLUMN kind TEXT NOT NULL DEFAULT 'test';"
	"CREATE INDEX tests_kind ON tests(kind);",
	/* 4: per-jig corrections learnt from a verified golden cable; one
	 * active per jig, the others kept so every result's "calibration" id
	 * keeps meaning something. */
	"CREATE TABLE calibrations ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" created_at INTEGER NOT NULL,"
	" jig TEXT NOT NULL, cable TEXT NOT NULL, device TEXT,"
	" test INTEGER REFERENCES tests(id),"
	" active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),"
	" corrections TEXT NOT NULL);"
	"CREATE INDEX calibrations_active ON calibrations(jig) WHERE active = 1;",
	/* 5: a station on a line. Traceability columns; the outbox of the line
	 * database (rows not forwarded yet, oldest first: every row of an
	 * older store is forwarded once a line database is configured);
	 * supervisors' releases of locked serials; the operator logged in. */
	"ALTER TABLE tests ADD COLUMN station TEXT;"
	"ALTER TABLE tests ADD COLUMN line TEXT;"
	"ALTER TABLE tests ADD COLUMN operator TEXT;"
	"ALTER TABLE tests ADD COLUMN software_version TEXT;"
	"ALTER TABLE tests ADD COLUMN profile_sha256 TEXT;"
	"ALTER TABLE tests ADD COLUMN forwarded INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX tests_outbox ON tests(id) WHERE forwarded = 0 AND state = 'done';"
	"CREATE INDEX tests_serial_kind ON tests(serial, kind, id);"
	"ALTER TABLE calibrations ADD COLUMN forwarded INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX calibrations_outbox ON calibrations(id) WHERE forwarded = 0;"
	"CREATE TABLE serial_releases ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" serial TEXT NOT NULL, released_at INTEGER NOT NULL,"
	" supervisor TEXT NOT NULL, reason TEXT,"
	" after_test INTEGER NOT NULL);"
	"CREATE INDEX serial_releases_serial ON serial_releases(serial, id);"
	"CREATE TABLE station_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

static void store_format_time(long long unix_s, char buf[32])
{
	time_t t = (time_t)unix_s;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int mkdirs(const char *path)
{
	char tmp[CONFIG_PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0750) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0750) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int store_exec(store *s, const char *sql, char err[STORE_ERR_MAX])
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		/* SQLite's own words do not say why the file could not be written
		 * ("unable to open database file"); the system's do. */
		int sys = sqlite3_system_errno(s->db);
		snprintf(err, STORE_ERR_MAX, "%.120s: %.80s%s%.40s", s->cfg.path, msg ? msg : "error",
		         sys ? ": " : "", sys ? strerror(sys) : "");
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

/* Why the last statement failed, as an errno a client can act on: a full
 * disk and a read-only store are the operator's to fix, not "an error". */
static int sql_errno(store *s)
{
	int ext = sqlite3_extended_errcode(s->db), sys = sqlite3_system_errno(s->db);
	switch (ext & 0xff) {
	case SQLITE_FULL: return -ENOSPC;
	case SQLITE_READONLY: return -EROFS;
	case SQLITE_CANTOPEN: return sys == EROFS ? -EROFS : sys == ENOSPC ? -ENOSPC : -EACCES;
	case SQLITE_IOERR: return sys == ENOSPC ? -ENOSPC : sys == EROFS ? -EROFS : -EIO;
	default: return -EIO;
	}
}

/* Keep the message of a failure for store_error (the lock is held). */
int store_failed(store *s)
{
	int e = sql_errno(s);
	int sys = sqlite3_system_errno(s->db);
	snprintf(s->last_err, sizeof(s->last_err), "%.150s%s%.80s", sqlite3_errmsg(s->db),
	         sys ? ": " : "", sys ? strerror(sys) : "");
	return e;
}

void store_error(store *s, char *buf, size_t len)
{
	pthread_mutex_lock(&s->lock);
	snprintf(buf, len, "%s", s->last_err[0] ? s->last_err : "unknown error");
	pthread_mutex_unlock(&s->lock);
}

static int user_version(store *s)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The database's schema version, when this tonewired may open it: read
 * before anything is written, so a file that is not a database, or one a
 * newer tonewired made, is left exactly as it was. */
static int schema_of(store *s, char err[STORE_ERR_MAX])
{
	int v = user_version(s);
	if (v < 0) {
		snprintf(err, STORE_ERR_MAX, "%.150s: not a readable SQLite database: %.60s", s->cfg.path,
		         sqlite3_errmsg(s->db));
		return -EIO;
	}
	if (v > SCHEMA_VERSION) {
		snprintf(err, STORE_ERR_MAX, "%.150s: schema version %d is newer than this tonewired knows (%d)",
		         s->cfg.path, v, SCHEMA_VERSION);
		return -EINVAL;
	}
	return v;
}

/* From schema version v (schema_of) up to SCHEMA_VERSION. */
static int migrate(store *s, int v, char err[STORE_ERR_MAX])
{
	for (; v < SCHEMA_VERSION; v++) {
		char sql[64];
		if (store_exec(s, "BEGIN IMMEDIATE", err) < 0)
			return -EIO;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (store_exec(s, migrations[v], err) < 0 || store_exec(s, sql, err) < 0) {
			store_exec(s, "ROLLBACK", err + strlen(err));
			return -EIO;
		}
		if (store_exec(s, "COMMIT", err) < 0)
			return -EIO;
	}
	s->version = v;
	return 0;
}

store *store_open(const struct config_store *cfg, char err[STORE_ERR_MAX])
{
	store *s = calloc(1, sizeof(*s));
	char dir[CONFIG_PATH_MAX];
	int e;

	err[0] = '\0';
	if (!s) {
		snprintf(err, STORE_ERR_MAX, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	pthread_mutex_init(&s->lock, NULL);
	snprintf(dir, sizeof(dir), "%s", cfg->path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if ((e = mkdirs(dir)) < 0) {
			snprintf(err, STORE_ERR_MAX, "cannot create %.180s: %s", dir, strerror(-e));
			goto fail;
		}
	}
	if ((e = mkdirs(cfg->capture_dir)) < 0) {
		snprintf(err, STORE_ERR_MAX, "cannot create %.180s: %s", cfg->capture_dir, strerror(-e));
		goto fail;
	}
	/* WAL needs to create files beside the database: a folder that cannot
	 * be written is said so plainly, not as SQLite's "unable to open". */
	const char *folders[] = { slash ? dir : ".", cfg->capture_dir };
	for (unsigned i = 0; i < 2; i++) {
		if (access(folders[i], W_OK) != 0) {
			snprintf(err, STORE_ERR_MAX, "%.100s: cannot write to %.100s: %s", cfg->path, folders[i],
			         strerror(errno));
			goto fail;
		}
	}
	if (sqlite3_open_v2(cfg->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		int sys = s->db ? sqlite3_system_errno(s->db) : 0;
		snprintf(err, STORE_ERR_MAX, "cannot open %.150s: %.50s%s%.40s", cfg->path,
		         s->db ? sqlite3_errmsg(s->db) : "out of memory", sys ? ": " : "", sys ? strerror(sys) : "");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	int version = schema_of(s, err);
	if (version < 0)
		goto fail;
	/* WAL lets the history be read while a result is written; FULL makes
	 * COMMIT wait for the WAL fsync, so "stored" means on disk. */
	if (store_exec(s, "PRAGMA journal_mode = WAL", err) < 0 ||
	    store_exec(s, "PRAGMA synchronous = FULL", err) < 0 ||
	    store_exec(s, "PRAGMA foreign_keys = ON", err) < 0)
		goto fail;
	if (migrate(s, version, err) < 0)
		goto fail;
	/* Tests that were running when the daemon last stopped keep the aborted
	 * result written at their start and join the history as errors. */
	if (store_exec(s, "UPDATE tests SET state = 'done' WHERE state = 'running'", err) < 0)
		goto fail;
	return s;
fail:
	store_close(s);
	return NULL;
}

void store_close(store *s)
{
	if (!s)
		return;
	if (s->db)
		sqlite3_close(s->db);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int store_schema_version(store *s) { return s->version; }
const char *store_capture_dir(const store *s) { return s->cfg.capture_dir; }

void store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* The traceability columns, filled from a result's keys of the same names. */
#define TRACE_SET "station = ?, line = ?, operator = ?, software_version = ?, profile_sha256 = ?"
#define TRACE_COLUMNS 5

static void bind_trace(sqlite3_stmt *st, int first, const json_t *result)
{
	static const char *const keys[TRACE_COLUMNS] = { "station", "line", "operator", "software_version",
	                                                 "profile_sha256" };
	for (int i = 0; i < TRACE_COLUMNS; i++)
		store_bind_text(st, first + i, json_string_value(json_object_get(result, keys[i])));
}

int store_begin(store *s, const char *serial, const char *cable, const char *jig,
                long long started_at, json_t *aborted, long long *id)
{
	sqlite3_stmt *st = NULL;
	char *text = NULL;
	char err[STORE_ERR_MAX];
	const char *kind;
	int rc = -EIO;

	pthread_mutex_lock(&s->lock);
	/* Insert, then store the aborted object with its id, in one transaction. */
	if (store_exec(s, "BEGIN IMMEDIATE", err) < 0) {
		rc = store_failed(s);
		goto out;
	}
	if (sqlite3_prepare_v2(s->db,
	        "INSERT INTO tests (started_at, serial, cable, jig, verdict, state, result, faults, kind)"
	        " VALUES (?, ?, ?, ?, 'error', 'running', '{}', 'aborted', ?)", -1, &st, NULL) != SQLITE_OK)
		goto rollback;
	sqlite3_bind_int64(st, 1, started_at);
	store_bind_text(st, 2, serial);
	store_bind_text(st, 3, cable);
	store_bind_text(st, 4, jig);
	kind = json_string_value(json_object_get(aborted, "kind"));
	store_bind_text(st, 5, kind ? kind : "test");
	if (sqlite3_step(st) != SQLITE_DONE)
		goto rollback;
	sqlite3_finalize(st);
	st = NULL;
	*id = sqlite3_last_insert_rowid(s->db);
	json_object_set_new(aborted, "id", json_integer(*id));
	text = json_dumps(aborted, JSON_COMPACT | JSON_REAL_PRECISION(12));
	if (!text || sqlite3_prepare_v2(s->db, "UPDATE tests SET result = ?, " TRACE_SET " WHERE id = ?", -1, &st,
	                                NULL) != SQLITE_OK)
		goto rollback;
	store_bind_text(st, 1, text);
	bind_trace(st, 2, aborted);
	sqlite3_bind_int64(st, 2 + TRACE_COLUMNS, *id);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto rollback;
	if (store_exec(s, "COMMIT", err) == 0) {
		rc = 0;
		goto out;
	}
rollback:
	rc = store_failed(s);
	store_exec(s, "ROLLBACK", err);
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	free(text);
	return rc;
}

int store_finish(store *s, long long id, const json_t *result)
{
	sqlite3_stmt *st = NULL;
	char faults[512] = "";
	size_t i;
	json_t *f;
	int rc = -EIO;

	json_array_foreach(json_object_get(result, "faults"), i, f) {
		size_t n = strlen(faults);
		const char *code = json_string_value(json_object_get(f, "code"));
		snprintf(faults + n, sizeof(faults) - n, "%s%s", n ? " " : "", code ? code : "");
	}
	char *text = json_dumps(result, JSON_COMPACT | JSON_REAL_PRECISION(12));
	const char *verdict = json_string_value(json_object_get(result, "verdict"));
	const char *kind = json_string_value(json_object_get(result, "kind"));
	if (!text || !verdict) {
		free(text);
		return -EINVAL;
	}
	pthread_mutex_lock(&s->lock);
	/* A single statement is its own transaction: its COMMIT is the fsync. */
	if (sqlite3_prepare_v2(s->db,
	        "UPDATE tests SET verdict = ?, state = 'done', result = ?, faults = ?, duration_ms = ?,"
	        " kind = ?, " TRACE_SET " WHERE id = ?", -1, &st, NULL) != SQLITE_OK) {
		rc = store_failed(s);
		goto out;
	}
	store_bind_text(st, 1, verdict);
	store_bind_text(st, 2, text);
	store_bind_text(st, 3, faults);
	sqlite3_bind_double(st, 4, json_number_value(json_object_get(json_object_get(result, "timing_ms"), "total")));
	store_bind_text(st, 5, kind ? kind : "test");
	bind_trace(st, 6, result);
	sqlite3_bind_int64(st, 6 + TRACE_COLUMNS, id);
	if (sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(s->db) == 1)
		rc = 0;
	else
		rc = store_failed(s);
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	free(text);
	if (rc == 0)
		store_notify(s);   /* a row for the outbox */
	return rc;
}

/* The stored object of a row (column col), with its capture links only
 * while the capture is kept (column col + 1): retention removes the files
 * after the result was written. */
static json_t *row_result(sqlite3_stmt *st, int col)
{
	const char *text = (const char *)sqlite3_column_text(st, col);
	json_t *o = text ? json_loads(text, 0, NULL) : NULL;
	if (o && !sqlite3_column_int(st, col + 1)) {
		json_object_del(o, "capture");
		json_object_del(o, "capture_plan");
	}
	return o;
}

int store_get(store *s, long long id, json_t **out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	*out = NULL;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "SELECT result, capture FROM tests WHERE id = ? AND state = 'done'", -1,
	                       &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*out = row_result(st, 0);
		rc = *out ? 0 : -EIO;
	} else if (r == SQLITE_DONE) {
		rc = -ENOENT;
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int store_list(store *s, const struct store_query *q, json_t **out)
{
	sqlite3_stmt *st = NULL;
	char sql[512];
	int rc = -EIO, i = 1;
	json_t *arr = json_array();

	*out = NULL;
	if (!arr)
		return -ENOMEM;
	snprintf(sql, sizeof(sql), "SELECT result, capture FROM tests WHERE state = 'done'%s%s%s%s%s"
	         " ORDER BY id DESC LIMIT ?",
	         q->serial ? " AND serial = ?" : "", q->verdict ? " AND verdict = ?" : "",
	         q->cable ? " AND cable = ?" : "", q->since ? " AND started_at >= ?" : "",
	         q->kind ? " AND kind = ?" : "");
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (q->serial)
		store_bind_text(st, i++, q->serial);
	if (q->verdict)
		store_bind_text(st, i++, q->verdict);
	if (q->cable)
		store_bind_text(st, i++, q->cable);
	if (q->since)
		sqlite3_bind_int64(st, i++, q->since);
	if (q->kind)
		store_bind_text(st, i++, q->kind);
	sqlite3_bind_int(st, i, (int)(q->limit ? q->limit : 100));
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *one = row_result(st, 0);
		if (one)
			json_array_append_new(arr, one);
	}
	if (r == SQLITE_DONE) {
		rc = 0;
		*out = arr;
		arr = NULL;
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	json_decref(arr);
	return rc;
}

void store_capture_path(const store *s, long long id, const char *ext, char *path, size_t len)
{
	snprintf(path, len, "%s/test-%lld.%s", s->cfg.capture_dir, id, ext);
}

int store_capture_kept(store *s, long long id)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;
	long long old[64];
	unsigned n_old = 0;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "UPDATE tests SET capture = 1 WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	/* Beyond the retention count, oldest first; a few at a time is enough
	 * since this runs after every kept capture. */
	if (sqlite3_prepare_v2(s->db, "SELECT id FROM tests WHERE capture = 1 ORDER BY id DESC"
	                       " LIMIT 64 OFFSET ?", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int(st, 1, (int)s->cfg.retention);
	while (n_old < 64 && sqlite3_step(st) == SQLITE_ROW)
		old[n_old++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	for (unsigned k = 0; k < n_old; k++) {
		char path[CONFIG_PATH_MAX + 32];
		store_capture_path(s, old[k], "wav", path, sizeof(path));
		unlink(path);
		store_capture_path(s, old[k], "json", path, sizeof(path));
		unlink(path);
		if (sqlite3_prepare_v2(s->db, "UPDATE tests SET capture = 0 WHERE id = ?", -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, old[k]);
			sqlite3_step(st);
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int store_has_capture(store *s, long long id)
{
	sqlite3_stmt *st = NULL;
	int has = 0;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "SELECT capture FROM tests WHERE id = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW)
			has = sqlite3_column_int(st, 0) == 1;
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return has;
}

int store_calibration_add(store *s, const struct store_calibration *c, const json_t *corrections, long long *id)
{
	sqlite3_stmt *st = NULL;
	char err[STORE_ERR_MAX];
	char *text = json_dumps(corrections, JSON_COMPACT | JSON_REAL_PRECISION(12));
	int rc = -EIO;

	if (!text)
		return -ENOMEM;
	pthread_mutex_lock(&s->lock);
	/* The new one becomes the jig's only active one in the same transaction:
	 * a crash leaves either the old calibration in force or the new one. */
	if (store_exec(s, "BEGIN IMMEDIATE", err) < 0)
		goto out;
	if (sqlite3_prepare_v2(s->db, "UPDATE calibrations SET active = 0 WHERE jig = ? AND active = 1", -1, &st,
	                       NULL) != SQLITE_OK)
		goto rollback;
	store_bind_text(st, 1, c->jig);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto rollback;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO calibrations (created_at, jig, cable, device, test, active,"
	                       " corrections) VALUES (?, ?, ?, ?, ?, 1, ?)", -1, &st, NULL) != SQLITE_OK)
		goto rollback;
	sqlite3_bind_int64(st, 1, c->created_at);
	store_bind_text(st, 2, c->jig);
	store_bind_text(st, 3, c->cable);
	store_bind_text(st, 4, c->device);
	if (c->test > 0)
		sqlite3_bind_int64(st, 5, c->test);
	else
		sqlite3_bind_null(st, 5);
	store_bind_text(st, 6, text);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto rollback;
	*id = sqlite3_last_insert_rowid(s->db);
	if (store_exec(s, "COMMIT", err) == 0) {
		rc = 0;
		goto out;
	}
rollback:
	store_exec(s, "ROLLBACK", err);
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	free(text);
	if (rc == 0)
		store_notify(s);
	return rc;
}

json_t *store_calibration_row(sqlite3_stmt *st, int with_corrections)
{
	json_t *o = json_object();
	const char *device = (const char *)sqlite3_column_text(st, 4);
	char when[32];
	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
	store_format_time(sqlite3_column_int64(st, 1), when);
	json_object_set_new(o, "created_at", json_string(when));
	json_object_set_new(o, "jig", json_string((const char *)sqlite3_column_text(st, 2)));
	json_object_set_new(o, "cable", json_string((const char *)sqlite3_column_text(st, 3)));
	json_object_set_new(o, "device", device ? json_string(device) : json_null());
	json_object_set_new(o, "test", sqlite3_column_type(st, 5) == SQLITE_NULL ? json_null()
	                                : json_integer(sqlite3_column_int64(st, 5)));
	json_object_set_new(o, "active", json_boolean(sqlite3_column_int(st, 6)));
	if (with_corrections) {
		const char *text = (const char *)sqlite3_column_text(st, 7);
		json_t *c = text ? json_loads(text, 0, NULL) : NULL;
		json_object_set_new(o, "corrections", c ? c : json_null());
	}
	return o;
}

/* The one calibration that `where` selects: by jig (the active one) when
 * jig is given, else by id. 0 with the row object, -ENOENT, or -EIO. */
static int calibration_one(store *s, const char *where, const char *jig, long long id, json_t **out)
{
	char sql[256];
	sqlite3_stmt *st = NULL;
	int rc = -EIO;
	*out = NULL;
	snprintf(sql, sizeof(sql), "SELECT " CALIBRATION_COLUMNS " FROM calibrations WHERE %s", where);
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (jig)
		store_bind_text(st, 1, jig);
	else
		sqlite3_bind_int64(st, 1, id);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*out = store_calibration_row(st, 1);
		rc = 0;
	} else if (r == SQLITE_DONE) {
		rc = -ENOENT;
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int store_calibration_active(store *s, const char *jig, json_t **out)
{
	return calibration_one(s, "jig = ? AND active = 1 ORDER BY id DESC LIMIT 1", jig, 0, out);
}

int store_calibration_get(store *s, long long id, json_t **out)
{
	return calibration_one(s, "id = ?", NULL, id, out);
}

int store_calibration_list(store *s, unsigned limit, json_t **out)
{
	sqlite3_stmt *st = NULL;
	json_t *arr = json_array();
	int rc = -EIO, r;
	*out = NULL;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "SELECT " CALIBRATION_COLUMNS " FROM calibrations ORDER BY id DESC LIMIT ?",
	                       -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int(st, 1, (int)(limit ? limit : 100));
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, store_calibration_row(st, 0));
	if (r == SQLITE_DONE) {
		rc = 0;
		*out = arr;
		arr = NULL;
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	json_decref(arr);
	return rc;
}
