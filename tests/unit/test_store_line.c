/* Unit tests of the store's line side: the outbox (order, acknowledgement, restarts, an older store), serial history and releases, kept state. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>
#include <cmocka.h>

#include "store.h"

struct fx {
	char dir[64];
	struct config_store cfg;
	store *s;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[STORE_ERR_MAX];
	snprintf(f->dir, sizeof(f->dir), "/tmp/tw-store-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->cfg.path, sizeof(f->cfg.path), "%s/results.db", f->dir);
	snprintf(f->cfg.capture_dir, sizeof(f->cfg.capture_dir), "%s/captures", f->dir);
	f->cfg.retention = 5;
	f->s = store_open(&f->cfg, err);
	if (!f->s)
		fprintf(stderr, "%s\n", err);
	*state = f;
	return f->s ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	store_close(f->s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void reopen(struct fx *f)
{
	char err[STORE_ERR_MAX];
	store_close(f->s);
	f->s = store_open(&f->cfg, err);
	assert_non_null(f->s);
}

/* One test through begin and finish, as the runner stores it. */
static long long add_test(store *s, const char *serial, const char *verdict, const char *op)
{
	long long id;
	json_t *aborted = json_pack("{s:s, s:s}", "verdict", "error", "station", "S1");
	assert_int_equal(store_begin(s, serial, "trs-3.5-extension", "stereo-trs", 1700000000, aborted, &id), 0);
	json_decref(aborted);
	json_t *r = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:[], s:{s:f}}", "id", (json_int_t)id, "verdict",
	                      verdict, "station", "S1", "line", "L1", "operator", op, "software_version", "0.1.0",
	                      "profile_sha256", "ab12", "faults", "timing_ms", "total", 5.0);
	assert_int_equal(store_finish(s, id, r), 0);
	json_decref(r);
	return id;
}

static json_int_t id_at(const json_t *arr, size_t i)
{
	return json_integer_value(json_object_get(json_array_get(arr, i), "id"));
}

static int notified;
static void on_notify(void *ctx)
{
	(void)ctx;
	notified++;
}

/* Stored results wait in the outbox oldest first until acknowledged; an
 * acknowledgement survives a restart, and so does what was not yet sent. */
static void outbox_order_and_ack(void **state)
{
	struct fx *f = *state;
	json_t *res, *cal;
	long long ids[5];
	store_set_notify(f->s, on_notify, NULL);
	for (int i = 0; i < 5; i++) {
		char serial[16];
		snprintf(serial, sizeof(serial), "SN-%d", i);
		ids[i] = add_test(f->s, serial, "pass", "ann");
	}
	assert_int_equal(notified, 5);
	assert_int_equal(store_outbox_backlog(f->s), 5);
	assert_int_equal(store_outbox_next(f->s, 3, &res, &cal), 0);
	assert_int_equal(json_array_size(res), 3);
	assert_int_equal(json_array_size(cal), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(id_at(res, i), ids[i]);
	assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "operator")), "ann");
	long long done[2] = { ids[0], ids[1] };
	assert_int_equal(store_outbox_ack(f->s, done, 2, NULL, 0), 0);
	json_decref(res);
	json_decref(cal);
	reopen(f);
	assert_int_equal(store_outbox_backlog(f->s), 3);
	assert_int_equal(store_outbox_next(f->s, 10, &res, &cal), 0);
	assert_int_equal(json_array_size(res), 3);
	assert_int_equal(id_at(res, 0), ids[2]);
	assert_int_equal(id_at(res, 2), ids[4]);
	json_decref(res);
	json_decref(cal);
}

/* A test still running is not sent; if the station dies, its aborted
 * record is, after the restart. Calibrations travel too. */
static void running_and_calibrations(void **state)
{
	struct fx *f = *state;
	json_t *res, *cal, *aborted = json_pack("{s:s}", "verdict", "error");
	long long id, cid;
	assert_int_equal(store_begin(f->s, "SN-X", "trs-3.5-extension", "stereo-trs", 1700000000, aborted, &id), 0);
	json_decref(aborted);
	assert_int_equal(store_outbox_backlog(f->s), 0);
	struct store_calibration c = { .created_at = 1700000100, .jig = "stereo-trs", .cable = "trs-3.5-extension" };
	json_t *corr = json_pack("{s:[[f, n]]}", "gain_db", 0.25);
	assert_int_equal(store_calibration_add(f->s, &c, corr, &cid), 0);
	json_decref(corr);
	assert_int_equal(store_outbox_backlog(f->s), 1);
	reopen(f);
	assert_int_equal(store_outbox_backlog(f->s), 2);
	assert_int_equal(store_outbox_next(f->s, 10, &res, &cal), 0);
	assert_int_equal(json_array_size(res), 1);
	assert_int_equal(id_at(res, 0), id);
	assert_int_equal(json_array_size(cal), 1);
	assert_int_equal(id_at(cal, 0), cid);
	assert_non_null(json_object_get(json_array_get(cal, 0), "corrections"));
	long long t[1] = { id }, k[1] = { cid };
	assert_int_equal(store_outbox_ack(f->s, t, 1, k, 1), 0);
	assert_int_equal(store_outbox_backlog(f->s), 0);
	json_decref(res);
	json_decref(cal);
}

/* The traceability columns hold the result's keys. */
static void trace_columns(void **state)
{
	struct fx *f = *state;
	sqlite3 *db;
	sqlite3_stmt *st;
	long long id = add_test(f->s, "SN-T", "fail", "bob");
	assert_int_equal(sqlite3_open(f->cfg.path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT station, line, operator, software_version, profile_sha256"
	                                    " FROM tests WHERE id = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	const char *want[] = { "S1", "L1", "bob", "0.1.0", "ab12" };
	for (int i = 0; i < 5; i++)
		assert_string_equal((const char *)sqlite3_column_text(st, i), want[i]);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Passes and failures of a serial; a release makes the failures so far
 * stop counting, and later ones count again. */
static void serial_history(void **state)
{
	struct fx *f = *state;
	struct store_serial ss;
	json_t *rel;
	long long rid;
	assert_int_equal(store_serial_state(f->s, "NEVER", &ss), 0);
	assert_int_equal(ss.tests + ss.last_pass + ss.fails + ss.released, 0);
	add_test(f->s, "SN-F", "fail", "ann");
	add_test(f->s, "SN-F", "fail", "ann");
	add_test(f->s, "OTHER", "fail", "ann");
	assert_int_equal(store_serial_state(f->s, "SN-F", &ss), 0);
	assert_int_equal(ss.tests, 2);
	assert_int_equal(ss.fails, 2);
	assert_int_equal(ss.last_pass, 0);
	assert_int_equal(store_serial_release(f->s, "SN-F", "sue", "reworked", &rid), 0);
	assert_int_equal(store_serial_state(f->s, "SN-F", &ss), 0);
	assert_int_equal(ss.fails, 0);
	assert_int_equal(ss.released, rid);
	add_test(f->s, "SN-F", "fail", "ann");
	long long pass = add_test(f->s, "SN-F", "pass", "ann");
	assert_int_equal(store_serial_state(f->s, "SN-F", &ss), 0);
	assert_int_equal(ss.tests, 4);
	assert_int_equal(ss.fails, 1);
	assert_int_equal(ss.last_pass, pass);
	assert_int_equal(ss.last_pass_at, 1700000000);
	assert_int_equal(store_serial_releases(f->s, "SN-F", &rel), 0);
	assert_int_equal(json_array_size(rel), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rel, 0), "supervisor")), "sue");
	assert_string_equal(json_string_value(json_object_get(json_array_get(rel, 0), "reason")), "reworked");
	json_decref(rel);
}

static void kept_state(void **state)
{
	struct fx *f = *state;
	char buf[64];
	assert_int_equal(store_state_get(f->s, "operator", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(store_state_set(f->s, "operator", "ann"), 0);
	assert_int_equal(store_state_set(f->s, "operator", "bob"), 0);
	reopen(f);
	assert_int_equal(store_state_get(f->s, "operator", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "bob");
	assert_int_equal(store_state_set(f->s, "operator", NULL), 0);
	assert_int_equal(store_state_get(f->s, "operator", buf, sizeof(buf)), -ENOENT);
}

/* A store from before the line (schema 4) keeps its results, and every one
 * of them waits to be forwarded once a line database is configured. */
static void older_store(void **state)
{
	(void)state;
	char dir[] = "/tmp/tw-store-v4-XXXXXX", err[STORE_ERR_MAX], cmd[128];
	struct config_store cfg = { .retention = 5 };
	sqlite3 *db;
	json_t *res, *cal;
	assert_non_null(mkdtemp(dir));
	snprintf(cfg.path, sizeof(cfg.path), "%s/results.db", dir);
	snprintf(cfg.capture_dir, sizeof(cfg.capture_dir), "%s/captures", dir);
	assert_int_equal(sqlite3_open(cfg.path, &db), SQLITE_OK);
	/* Schema 4 as it shipped. */
	assert_int_equal(sqlite3_exec(db,
		"CREATE TABLE tests (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at INTEGER NOT NULL,"
		" serial TEXT, cable TEXT NOT NULL, jig TEXT NOT NULL, verdict TEXT NOT NULL, state TEXT NOT NULL,"
		" result TEXT NOT NULL, faults TEXT NOT NULL DEFAULT '', duration_ms REAL,"
		" capture INTEGER NOT NULL DEFAULT 0, kind TEXT NOT NULL DEFAULT 'test');"
		"CREATE TABLE calibrations (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at INTEGER NOT NULL,"
		" jig TEXT NOT NULL, cable TEXT NOT NULL, device TEXT, test INTEGER REFERENCES tests(id),"
		" active INTEGER NOT NULL DEFAULT 0, corrections TEXT NOT NULL);"
		"INSERT INTO tests (started_at, serial, cable, jig, verdict, state, result) VALUES"
		" (1, 'OLD-1', 'c', 'j', 'pass', 'done', '{\"id\":1,\"verdict\":\"pass\"}'),"
		" (2, 'OLD-2', 'c', 'j', 'fail', 'done', '{\"id\":2,\"verdict\":\"fail\"}');"
		"PRAGMA user_version = 4;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	store *s = store_open(&cfg, err);
	assert_non_null(s);
	assert_int_equal(store_schema_version(s), 5);
	assert_int_equal(store_outbox_backlog(s), 2);
	assert_int_equal(store_outbox_next(s, 10, &res, &cal), 0);
	assert_int_equal(id_at(res, 0), 1);
	assert_int_equal(id_at(res, 1), 2);
	json_decref(res);
	json_decref(cal);
	store_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(outbox_order_and_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(running_and_calibrations, setup, teardown),
		cmocka_unit_test_setup_teardown(trace_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(serial_history, setup, teardown),
		cmocka_unit_test_setup_teardown(kept_state, setup, teardown),
		cmocka_unit_test(older_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
