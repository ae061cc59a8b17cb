/* store_priv: the store's state and SQL helpers, shared by store.c and store_line.c (not for other modules). */
#ifndef TONEWIRE_STORE_PRIV_H
#define TONEWIRE_STORE_PRIV_H

#include <pthread.h>
#include <sqlite3.h>

#include "store.h"

struct store {
	sqlite3 *db;
	/* One connection shared by the HTTP threads and the runner: SQLite would
	 * serialise it anyway; an explicit lock keeps statement use simple. */
	pthread_mutex_t lock;
	struct config_store cfg;
	int version;
	char last_err[256];         /* why the last write failed (store_error) */
	void (*notify)(void *ctx);  /* a row joined the outbox (store_set_notify) */
	void *notify_ctx;
};

#define CALIBRATION_COLUMNS "id, created_at, jig, cable, device, test, active, corrections"

/* Run sql (no results); a message naming the database in err. 0 or -EIO. */
int store_exec(store *s, const char *sql, char err[STORE_ERR_MAX]);
/* Keep the message of the failure of the last statement (lock held); its errno. */
int store_failed(store *s);
/* Bind a string, or NULL as SQL NULL. */
void store_bind_text(sqlite3_stmt *st, int i, const char *v);
/* A calibrations row (CALIBRATION_COLUMNS) as JSON (a new reference). */
json_t *store_calibration_row(sqlite3_stmt *st, int with_corrections);

#endif
