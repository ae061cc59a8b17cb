/* line: the line view — yield, fault Pareto, retests, SPC, calibration history and serial lookup — queried from the line database. */
#ifndef TONEWIRE_LINE_H
#define TONEWIRE_LINE_H

#include <jansson.h>

#include "fleet_pg.h"

#define LINE_ERR_MAX FLEET_PG_ERR_MAX
#define LINE_MAX_SHIFTS 6
#define LINE_SPC_MAX_POINTS 2000

typedef struct line line;

/* A pool of at most four connections to conninfo, opened when first
 * needed (a station starts while the database is down). NULL when out of
 * memory. */
line *line_create(const char *conninfo);
void line_destroy(line *l);   /* accepts NULL */

/* Which results a view covers: kind "test", started in [since, until)
 * (ISO 8601 UTC, "2026-11-22T10:00:00Z"), optionally one station and one
 * cable (NULL = all). */
struct line_filter {
	char since[32], until[32];
	const char *station, *cable;
};

/* Shifts: the local start of each ("06:00"), ascending; the last runs
 * past midnight to the first. tz is an IANA zone name ("Europe/Berlin"). */
struct line_shifts {
	unsigned n;
	char start[LINE_MAX_SHIFTS][6];
	char tz[64];
};

/* Every view answers with a new JSON value in *out: 0; -EINVAL when the
 * database refused a parameter (an unknown time zone: err says so); -EIO
 * when the database cannot be reached or failed (err). */

/* First-pass and final yield grouped by "station", "cable" or "shift"
 * (sh used only then): {"by", "groups": [{"group", "units", "tests",
 * "first_pass", "final_pass", "first_pass_yield", "final_yield"}],
 * "total": {…}}. A unit is a serial (a test without one is its own unit);
 * errors are left out: the station could not decide. */
int line_yield(line *l, const struct line_filter *f, const char *by, const struct line_shifts *sh, json_t **out,
               char err[LINE_ERR_MAX]);

/* Fault codes of failed and errored tests (aborted ones left out), most
 * frequent first: {"tests", "failed_tests", "codes": [{"code", "count",
 * "percent", "cumulative_percent"}]}. */
int line_pareto(line *l, const struct line_filter *f, json_t **out, char err[LINE_ERR_MAX]);

/* Serials tested more than once and how they ended: {"serials",
 * "outcomes": {"passed_on_retest", "still_failing", "retested_after_pass"},
 * "items": [{"serial", "tests", "verdicts", "stations", "first_at",
 * "last_at", "outcome"}]} (the newest limit items). */
int line_retests(line *l, const struct line_filter *f, unsigned limit, json_t **out, char err[LINE_ERR_MAX]);

/* SPC per cable and station of metric "level_db", "crosstalk_db" or
 * "series_ohms" (NULL: all three, as an object by metric). Control limits
 * are mean ± 3σ of the reference: results in [ref_since, ref_until) when
 * given, else the first ref_points of each series in the period. The
 * newest max_points points are returned, each marked "ooc" when outside. */
struct line_spc_query {
	struct line_filter f;
	const char *metric;
	char ref_since[32], ref_until[32];   /* "" = the first ref_points */
	unsigned ref_points, max_points;
};
int line_spc(line *l, const struct line_spc_query *q, json_t **out, char err[LINE_ERR_MAX]);

/* 1 when metric is one line_spc knows. */
int line_spc_metric_ok(const char *metric);

/* Calibrations created in [since, until), per jig (f->cable: the golden
 * cable, f->station as usual), newest first, with the spread of their
 * gain corrections. jig NULL = every jig. */
int line_calibrations(line *l, const struct line_filter *f, const char *jig, json_t **out, char err[LINE_ERR_MAX]);

/* Every result of serial across the line, oldest first (each result object
 * with its "station" and "line"), at most 1000. */
int line_serial(line *l, const char *serial, json_t **out, char err[LINE_ERR_MAX]);

/* The stations that forwarded: {"station", "line", "software_version",
 * "first_seen", "last_seen", "results", "last_result_at"}. */
int line_stations(line *l, json_t **out, char err[LINE_ERR_MAX]);

#endif
