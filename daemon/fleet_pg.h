/* fleet_pg: the line database on PostgreSQL — connecting with libpq and the versioned central schema (docs/line-database.md). */
#ifndef TONEWIRE_FLEET_PG_H
#define TONEWIRE_FLEET_PG_H

#include <libpq-fe.h>

#define FLEET_PG_ERR_MAX 256

/* Connect to conninfo (a postgresql:// URI or key=value string) as
 * application_name app, with a 5 s connect timeout and TCP keepalives
 * unless conninfo sets its own, then bring the schema up to date
 * (fleet_pg_migrate). NULL with err set (libpq's words: never the
 * password). */
PGconn *fleet_pg_connect(const char *conninfo, const char *app, char err[FLEET_PG_ERR_MAX]);

/* Apply the migrations the database lacks, each in one transaction under
 * an advisory lock, so stations starting together migrate once. 0;
 * -EPROTO when the database is newer than this tonewired; -EIO. */
int fleet_pg_migrate(PGconn *c, char err[FLEET_PG_ERR_MAX]);

/* err = "<what>: <libpq's message, first line>". */
void fleet_pg_error(PGconn *c, const char *what, char err[FLEET_PG_ERR_MAX]);

/* Run sql without parameters and expect cmd_ok (PGRES_COMMAND_OK or
 * PGRES_TUPLES_OK). 0 or -EIO with err. */
int fleet_pg_exec(PGconn *c, const char *sql, char err[FLEET_PG_ERR_MAX]);

#endif
