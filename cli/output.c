/* output: how every subcommand speaks — errors on stderr, and a result as a report, JSON or JUnit. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "result.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("tonewire: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_emit_result(json_t *result, int as_json, const char *junit)
{
	if (as_json) {
		char *s = json_dumps(result, JSON_INDENT(2) | JSON_PRESERVE_ORDER | RESULT_JSON_REAL);
		if (s) {
			puts(s);
			free(s);
		}
	} else {
		result_print(stdout, result, isatty(STDOUT_FILENO));
	}
	fflush(stdout);
	if (junit) {
		int e = result_write_junit(junit, result);
		if (e < 0) {
			cli_error("cannot write JUnit file '%s': %s", junit, strerror(-e));
			return EXIT_USAGE;
		}
	}
	return result_exit_status(result);
}

void cli_print_flex_event(FILE *out, const json_t *e)
{
	const json_t *contacts = json_object_get(e, "contacts");
	const char *near = json_array_size(contacts) == 2 ? json_string_value(json_array_get(contacts, 0)) : NULL;
	const char *far = json_string_value(json_array_get(contacts, json_array_size(contacts) - 1));
	double depth = json_number_value(json_object_get(e, "depth"));
	fprintf(out, "  %10.1f ms  %s %6.1f ms  %s -> %s  (%s %.0f %%)\n",
	        json_number_value(json_object_get(e, "time_ms")), depth < 0 ? "level jump" : "dropout   ",
	        json_number_value(json_object_get(e, "duration_ms")), near ? near : "?", far ? far : "?",
	        depth < 0 ? "rose by" : "lost", (depth < 0 ? -depth : depth) * 100.0);
	fflush(out);
}

void cli_print_flex_summary(FILE *out, const json_t *result)
{
	const json_t *fx = json_object_get(result, "flex");
	json_int_t count = json_integer_value(json_object_get(fx, "count"));
	fprintf(out, "\n%lld dropout%s in %.1f s", (long long)count, count == 1 ? "" : "s",
	        json_number_value(json_object_get(fx, "seconds")));
	if (count)
		fprintf(out, ", the longest %.1f ms", json_number_value(json_object_get(fx, "worst_ms")));
	fprintf(out, "\n\n");
}
