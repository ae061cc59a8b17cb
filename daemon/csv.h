/* csv: the history as CSV, one format for the dashboard and the CLI, safe to open in a spreadsheet. */
#ifndef TONEWIRE_CSV_H
#define TONEWIRE_CSV_H

#include <jansson.h>

/* The header row every history CSV starts with (no line end). */
extern const char csv_history_header[];

/* results (an array of result objects, docs/result.md) as CSV: the header
 * row, then one row per result, lines ending in CRLF (RFC 4180). A text
 * cell that a spreadsheet would run as a formula (it starts with = + - @,
 * a tab or a carriage return) gets a leading single quote, and such a cell
 * is quoted like one with a comma, quote or line break (OWASP, CSV
 * injection). Returns a malloc'd string (the caller frees it), NULL when
 * out of memory. */
char *csv_history(const json_t *results);

#endif
