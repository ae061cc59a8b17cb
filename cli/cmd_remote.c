/* tonewire test/status/history: the same verdicts through a running tonewired, over HTTP. */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "http_client.h"
#include "result.h"

static void usage(const char *cmd, FILE *out)
{
	fprintf(out, "usage: tonewire %s [--server URL] [--token T] ", cmd);
	if (!strcmp(cmd, "test"))
		fprintf(out, "--cable CABLE [--serial S] [--retest] [--json] [--junit FILE]\n"
		             "\n  --retest       test a serial that passed before again (else the station refuses)\n");
	else if (!strcmp(cmd, "status"))
		fprintf(out, "[--json]\n");
	else
		fprintf(out, "[--serial S] [--verdict V] [--cable C] [--since TIME] [--limit N] [--csv | --json]\n");
	fprintf(out, "\n  --server URL   the daemon (default $TONEWIRE_SERVER or http://127.0.0.1:8640)\n"
	             "  --token T      bearer token (default $TONEWIRE_TOKEN)\n");
}

static void print_status(const json_t *s)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)s, key, v) {
		char *txt = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		printf("%-14s %s\n", key, txt ? txt : json_string_value(v));
		free(txt);
	}
}

static void print_history(const json_t *list)
{
	size_t i, k;
	json_t *r, *f;
	json_array_foreach(list, i, r) {
		char faults[512] = "";
		json_array_foreach(json_object_get(r, "faults"), k, f) {
			size_t n = strlen(faults);
			snprintf(faults + n, sizeof(faults) - n, "%s%s", n ? " " : "",
			         json_string_value(json_object_get(f, "code")));
		}
		const char *serial = json_string_value(json_object_get(r, "serial"));
		printf("%6lld  %s  %-5s  %-16s %-26s %s\n", (long long)json_integer_value(json_object_get(r, "id")),
		       json_string_value(json_object_get(r, "started_at")), json_string_value(json_object_get(r, "verdict")),
		       serial ? serial : "-", json_string_value(json_object_get(r, "cable")), faults);
	}
}

/* The exit code of a request the daemon refused (its reason printed), or
 * -1 when it was answered: busy (409) and server errors are the station's,
 * the rest the caller's. */
static int refused(long status, const char *reply)
{
	if (status < 400)
		return -1;
	cli_http_error(status, reply);
	return status == 409 || status >= 500 ? EXIT_STATION : EXIT_USAGE;
}

int cmd_remote(const char *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 'S' }, { "token", required_argument, NULL, 'T' },
		{ "cable", required_argument, NULL, 'c' }, { "serial", required_argument, NULL, 's' },
		{ "verdict", required_argument, NULL, 'v' }, { "since", required_argument, NULL, 'i' },
		{ "limit", required_argument, NULL, 'l' }, { "json", no_argument, NULL, 'J' },
		{ "junit", required_argument, NULL, 'U' }, { "csv", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' }, { "retest", no_argument, NULL, 'R' }, { NULL, 0, NULL, 0 },
	};
	const char *server = getenv("TONEWIRE_SERVER"), *token = getenv("TONEWIRE_TOKEN");
	const char *cable = NULL, *serial = NULL, *verdict = NULL, *since = NULL, *limit = NULL;
	const char *junit = NULL;
	int as_json = 0, csv = 0, retest = 0, c, rc = EXIT_STATION;
	char url[2048], err[CURL_ERROR_SIZE];
	long status = 0;
	char *body = NULL, *reply = NULL;

	if (!server || !*server)
		server = "http://127.0.0.1:8640";
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'S': server = optarg; break;
		case 'T': token = optarg; break;
		case 'c': cable = optarg; break;
		case 's': serial = optarg; break;
		case 'v': verdict = optarg; break;
		case 'i': since = optarg; break;
		case 'l': limit = optarg; break;
		case 'J': as_json = 1; break;
		case 'U': junit = optarg; break;
		case 'C': csv = 1; break;
		case 'R': retest = 1; break;
		case 'h': usage(cmd, stdout); return 0;
		default: usage(cmd, stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("%s: unexpected argument '%s'", cmd, argv[optind]);
		return EXIT_USAGE;
	}
	size_t sl = strlen(server);
	while (sl && server[sl - 1] == '/')
		sl--;
	curl_global_init(CURL_GLOBAL_DEFAULT);

	if (!strcmp(cmd, "test")) {
		if (!cable) {
			cli_error("test: --cable is required");
			rc = EXIT_USAGE;
			goto out;
		}
		json_t *req = json_object();
		json_object_set_new(req, "cable", json_string(cable));
		if (serial)
			json_object_set_new(req, "serial", json_string(serial));
		if (retest)
			json_object_set_new(req, "retest", json_true());
		body = json_dumps(req, JSON_COMPACT);
		json_decref(req);
		snprintf(url, sizeof(url), "%.*s/api/v1/tests?wait=1", (int)sl, server);
		reply = cli_http_request("POST", url, body, token, 120, &status, err);
	} else if (!strcmp(cmd, "status")) {
		snprintf(url, sizeof(url), "%.*s/api/v1/status", (int)sl, server);
		reply = cli_http_request("GET", url, NULL, token, 10, &status, err);
	} else {
		snprintf(url, sizeof(url), "%.*s/api/v1/tests", (int)sl, server);
		cli_append_query(url, sizeof(url), "serial", serial);
		cli_append_query(url, sizeof(url), "verdict", verdict);
		cli_append_query(url, sizeof(url), "cable", cable);
		cli_append_query(url, sizeof(url), "since", since);
		cli_append_query(url, sizeof(url), "limit", limit);
		/* The station writes the CSV, the same bytes as the dashboard's export. */
		cli_append_query(url, sizeof(url), "format", csv ? "csv" : NULL);
		reply = cli_http_request("GET", url, NULL, token, 30, &status, err);
	}
	if (!reply) {
		cli_error("daemon unreachable at %.*s: %s", (int)sl, server, err);
		rc = EXIT_STATION;
		goto out;
	}
	if ((rc = refused(status, reply)) >= 0)
		goto out;
	if (csv && !strcmp(cmd, "history")) {
		fputs(reply, stdout);
		rc = 0;
		goto out;
	}
	json_error_t jerr;
	json_t *j = json_loads(reply, 0, &jerr);
	if (!j) {
		cli_error("the daemon sent something that is not JSON (%s)", jerr.text);
		rc = EXIT_STATION;
		goto out;
	}
	if (!strcmp(cmd, "test")) {
		rc = cli_emit_result(j, as_json, junit);
	} else if (as_json) {
		char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(s ? s : "null");
		free(s);
		rc = 0;
	} else if (!strcmp(cmd, "status")) {
		print_status(j);
		rc = 0;
	} else {
		print_history(json_is_array(j) ? j : json_object_get(j, "tests"));
		rc = 0;
	}
	json_decref(j);
out:
	free(body);
	free(reply);
	curl_global_cleanup();
	return rc;
}
