/* fleet_pg: the line database on PostgreSQL — connecting with libpq and the versioned central schema (docs/line-database.md). */
#include "fleet_pg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Taken by every migration: any 64-bit number only tonewire uses. */
#define MIGRATION_LOCK "7340117017"

/* Each step moves the schema from version i to i + 1. Never edit a step
 * that has shipped: add one. docs/line-database.md describes the tables. */
static const char *const migrations[] = {
	/* 1: stations, results (one row per result of a station, keyed by
	 * station id and the station's own id, so a replay never duplicates;
	 * seq is the arrival order), calibrations. */
	"CREATE TABLE stations ("
	" station text PRIMARY KEY,"
	" line text,"
	" software_version text,"
	" first_seen timestamptz NOT NULL DEFAULT now(),"
	" last_seen timestamptz NOT NULL DEFAULT now());"
	"CREATE TABLE results ("
	" station text NOT NULL,"
	" local_id bigint NOT NULL,"
	" seq bigserial NOT NULL,"
	" line text,"
	" kind text NOT NULL,"
	" serial text,"
	" cable text NOT NULL,"
	" jig text NOT NULL,"
	" started_at timestamptz NOT NULL,"
	" verdict text NOT NULL CHECK (verdict IN ('pass', 'fail', 'error')),"
	" faults text[] NOT NULL DEFAULT '{}',"
	" aborted boolean NOT NULL DEFAULT false,"
	" operator text,"
	" software_version text,"
	" profile_sha256 text,"
	" calibration bigint,"
	" level_db double precision,"
	" crosstalk_db double precision,"
	" series_ohms double precision,"
	" total_ms double precision,"
	" result jsonb NOT NULL,"
	" received_at timestamptz NOT NULL DEFAULT now(),"
	" PRIMARY KEY (station, local_id));"
	"CREATE UNIQUE INDEX results_seq ON results (seq);"
	"CREATE INDEX results_started ON results (started_at);"
	"CREATE INDEX results_serial ON results (serial, started_at) WHERE serial IS NOT NULL;"
	"CREATE INDEX results_spc ON results (cable, station, started_at) WHERE kind = 'test' AND verdict <> 'error';"
	"CREATE TABLE calibrations ("
	" station text NOT NULL,"
	" local_id bigint NOT NULL,"
	" jig text NOT NULL,"
	" cable text NOT NULL,"
	" device text,"
	" created_at timestamptz NOT NULL,"
	" test bigint,"
	" corrections jsonb,"
	" received_at timestamptz NOT NULL DEFAULT now(),"
	" PRIMARY KEY (station, local_id));"
	"CREATE INDEX calibrations_jig ON calibrations (jig, created_at);"
	/* Times leave the database as the result object writes them. */
	"CREATE FUNCTION tonewire_iso(t timestamptz) RETURNS text LANGUAGE sql STABLE STRICT"
	" AS $$SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')$$;",
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

void fleet_pg_error(PGconn *c, const char *what, char err[FLEET_PG_ERR_MAX])
{
	const char *m = c ? PQerrorMessage(c) : "out of memory";
	size_t n = strcspn(m, "\n");
	snprintf(err, FLEET_PG_ERR_MAX, "%s: %.*s", what, (int)(n > 200 ? 200 : n), m);
}

int fleet_pg_exec(PGconn *c, const char *sql, char err[FLEET_PG_ERR_MAX])
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	PQclear(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return 0;
	fleet_pg_error(c, "line database", err);
	return -EIO;
}

static int current_version(PGconn *c, int *v, char err[FLEET_PG_ERR_MAX])
{
	PGresult *r = PQexec(c, "SELECT coalesce(max(version), 0) FROM tonewire_schema");
	int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
	if (ok)
		*v = atoi(PQgetvalue(r, 0, 0));
	else
		fleet_pg_error(c, "line database: reading the schema version", err);
	PQclear(r);
	return ok ? 0 : -EIO;
}

int fleet_pg_migrate(PGconn *c, char err[FLEET_PG_ERR_MAX])
{
	int v = 0;
	if (fleet_pg_exec(c, "BEGIN", err) < 0)
		return -EIO;
	/* Everything below runs under the lock: a second station waits, then
	 * finds the schema current. */
	if (fleet_pg_exec(c, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK ")", err) < 0 ||
	    fleet_pg_exec(c, "CREATE TABLE IF NOT EXISTS tonewire_schema (version integer PRIMARY KEY,"
	                     " applied_at timestamptz NOT NULL DEFAULT now())", err) < 0 ||
	    current_version(c, &v, err) < 0)
		goto fail;
	if (v > SCHEMA_VERSION) {
		snprintf(err, FLEET_PG_ERR_MAX, "line database: schema version %d is newer than this tonewired knows (%d);"
		         " update this station", v, SCHEMA_VERSION);
		fleet_pg_exec(c, "ROLLBACK", err + strlen(err));
		return -EPROTO;
	}
	for (; v < SCHEMA_VERSION; v++) {
		char sql[96];
		snprintf(sql, sizeof(sql), "INSERT INTO tonewire_schema (version) VALUES (%d)", v + 1);
		if (fleet_pg_exec(c, migrations[v], err) < 0 || fleet_pg_exec(c, sql, err) < 0)
			goto fail;
	}
	if (fleet_pg_exec(c, "COMMIT", err) < 0)
		return -EIO;
	return 0;
fail:
	{
		char ignored[FLEET_PG_ERR_MAX];
		fleet_pg_exec(c, "ROLLBACK", ignored);
	}
	return -EIO;
}

/* The server's notices ("already exists, skipping") are not for the journal. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

PGconn *fleet_pg_connect(const char *conninfo, const char *app, char err[FLEET_PG_ERR_MAX])
{
	/* Defaults first: keywords inside conninfo (expanded from "dbname")
	 * override them, since later values win. */
	const char *keys[] = { "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
	                       "keepalives_count", "application_name", "dbname", NULL };
	const char *vals[] = { "5", "1", "10", "5", "3", app, conninfo, NULL };
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		fleet_pg_error(c, "cannot connect to the line database", err);
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, quiet, NULL);
	if (fleet_pg_migrate(c, err) < 0) {
		PQfinish(c);
		return NULL;
	}
	return c;
}
