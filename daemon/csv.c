/* csv: the history as CSV, one format for the dashboard and the CLI, safe to open in a spreadsheet. */
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first seven columns are the ones `tonewire history --csv` always had
 * (docs/result.md); later ones are only ever appended. */
const char csv_history_header[] =
	"id,started_at,serial,cable,jig,verdict,faults,station,line,operator,software_version,"
	"profile_sha256,calibration,kind,fault_summaries,total_ms";

/* Traceability columns, in header order (docs/result.md). */
static const char *const trace[] = { "station", "line", "operator", "software_version", "profile_sha256", NULL };

/* A spreadsheet runs a cell that starts with one of these as a formula
 * (a tab or a carriage return can hide one behind whitespace): OWASP's list. */
static int formula_lead(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* One text cell, with a comma before it unless it is the row's first. */
static void text_cell(FILE *f, const char *s, int first)
{
	if (!first)
		fputc(',', f);
	if (!s || !*s)
		return;
	int neutral = formula_lead(s[0]);
	if (!neutral && !strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (neutral)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* The fault codes separated by blanks (the column "faults"), or their
 * summaries separated by "; " ("fault_summaries"), into a stream of its own. */
static char *joined(const json_t *faults, const char *key, const char *sep)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	size_t i;
	json_t *one;
	if (!f)
		return NULL;
	json_array_foreach(faults, i, one) {
		const char *v = json_string_value(json_object_get(one, key));
		fprintf(f, "%s%s", i ? sep : "", v ? v : "");
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int row(FILE *f, const json_t *r)
{
	const json_t *id = json_object_get(r, "id"), *cal = json_object_get(r, "calibration");
	const json_t *faults = json_object_get(r, "faults");
	const json_t *total = json_object_get(json_object_get(r, "timing_ms"), "total");
	const char *kind = json_string_value(json_object_get(r, "kind"));
	char *codes = joined(faults, "code", " "), *summaries = joined(faults, "summary", "; ");
	if (!codes || !summaries) {
		free(codes);
		free(summaries);
		return -1;
	}
	if (json_is_integer(id))
		fprintf(f, "%lld", (long long)json_integer_value(id));
	static const char *const firsts[] = { "started_at", "serial", "cable", "jig", "verdict", NULL };
	for (const char *const *k = firsts; *k; k++)
		text_cell(f, json_string_value(json_object_get(r, *k)), 0);
	text_cell(f, codes, 0);
	for (const char *const *k = trace; *k; k++)
		text_cell(f, json_string_value(json_object_get(r, *k)), 0);
	fputc(',', f);
	if (json_is_integer(cal))
		fprintf(f, "%lld", (long long)json_integer_value(cal));
	text_cell(f, kind ? kind : "test", 0);
	text_cell(f, summaries, 0);
	fputc(',', f);
	if (json_is_number(total))
		fprintf(f, "%.1f", json_number_value(total));
	fputs("\r\n", f);
	free(codes);
	free(summaries);
	return 0;
}

char *csv_history(const json_t *results)
{
	char *buf = NULL;
	size_t len = 0, i;
	const json_t *r;
	int bad = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "%s\r\n", csv_history_header);
	json_array_foreach(results, i, r)
		bad |= row(f, r) < 0;
	if (fclose(f) != 0 || bad) {
		free(buf);
		return NULL;
	}
	return buf;
}
