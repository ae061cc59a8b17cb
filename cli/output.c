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
