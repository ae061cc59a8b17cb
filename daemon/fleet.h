/* fleet: the forwarder — the store's outbox into the line's PostgreSQL database, batched, retried with backoff, idempotent. */
#ifndef TONEWIRE_FLEET_H
#define TONEWIRE_FLEET_H

#include <jansson.h>

#include "fleet_pg.h"
#include "store.h"

#define FLEET_BATCH_DEFAULT 200
#define FLEET_RETRY_MIN_MS 250      /* first retry after a failure */
#define FLEET_RETRY_MAX_MS 10000    /* backoff stops doubling here: a database back up is seen within 10 s */

typedef struct fleet fleet;

struct fleet_cfg {
	const char *conninfo;         /* [fleet] postgres */
	const char *station, *line;   /* the key of this station's rows; line may be "" */
	store *store;
	unsigned batch;               /* results per transaction; 0 = FLEET_BATCH_DEFAULT */
};

/* Start the forwarder thread. It connects on its own (a database that is
 * down is retried, never waited for) and registers with the store to hear
 * of new rows. NULL when out of memory or no thread could start (err). */
fleet *fleet_start(const struct fleet_cfg *cfg, char err[FLEET_PG_ERR_MAX]);

/* Stop: a batch in flight is cancelled (its rows stay in the outbox and are
 * sent again next time; the database keeps each once). Accepts NULL. */
void fleet_stop(fleet *f);

/* Wake the forwarder: a row joined the outbox (store_set_notify's hook). */
void fleet_kick(void *f);

/* {"connected", "backlog", "forwarded", "last_forward_at", "last_error",
 * "last_error_at", "errors", "retry_in_ms"} (a new reference). */
json_t *fleet_status_json(fleet *f);

/* The forwarder's Prometheus lines appended to text (realloc'd; text is
 * freed and NULL returned when out of memory). */
char *fleet_metrics_append(fleet *f, char *text);

#endif
