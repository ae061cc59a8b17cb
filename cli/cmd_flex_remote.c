/* tonewire flex through tonewired: start a flex session, print its dropouts as they happen, end with the verdict. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "http_client.h"
#include "result.h"

/* Polling GET /api/v1/flex this often shows a dropout within a fifth of a
 * second of its end; the daemon announces it on SSE at once for anyone who
 * needs it sooner. */
#define POLL_MS 200

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
	"usage: tonewire flex [--server URL] [--token T] [--cable CABLE] [--serial S] [--seconds S] [--json]\n"
	"\n"
	"Flex test through a running tonewired: the tones play on while you flex the\n"
	"cable; every dropout is printed as it happens. Ends after --seconds (default\n"
	"60, at most 3600) or at Ctrl-C, with the verdict: fail with an 'intermittent'\n"
	"fault when anything dropped out.\n"
	"\n"
	"  --server URL   the daemon (default $TONEWIRE_SERVER or http://127.0.0.1:8640)\n"
	"  --token T      bearer token (default $TONEWIRE_TOKEN)\n"
	"  --cable CABLE  cable profile (default: the station's)\n"
	"  --json         the session's result object on stdout (events go to stderr)\n"
	"\n"
	"Exit status: 0 pass, 1 fail (intermittent or miswired), 2 usage, 3 station error.\n");
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* GET /api/v1/flex; the object when it is about session id, else NULL. */
static json_t *poll_session(const char *url, const char *token, long long id, int *unreachable)
{
	char err[CURL_ERROR_SIZE];
	long status = 0;
	char *reply = cli_http_request("GET", url, NULL, token, 10, &status, err);
	json_t *j = NULL;
	*unreachable = !reply;
	if (reply && status == 200)
		j = json_loads(reply, 0, NULL);
	free(reply);
	if (j && json_integer_value(json_object_get(j, "id")) != id) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* Follow session id until it ends (or Ctrl-C ends it): its events as they
 * come (shown counts those printed), then its result (a new reference);
 * NULL after saying why when the daemon was lost or the session never ended. */
static json_t *follow(const char *flex_url, const char *token, const char *server, long long id, long seconds,
                      FILE *live, size_t *shown_out)
{
	json_t *result = NULL;
	char err[CURL_ERROR_SIZE];
	long status = 0;
	size_t shown = 0;
	int misses = 0;
	/* The session ends by itself after `seconds`; the margin covers the
	 * first measurement and a slow station. */
	time_t give_up = time(NULL) + seconds + 60;
	while (!result) {
		int unreachable = 0;
		if (interrupted) {
			char *reply = cli_http_request("DELETE", flex_url, NULL, token, 150, &status, err);
			if (reply && status == 200)
				result = json_loads(reply, 0, NULL);
			free(reply);
			interrupted = 0;
			if (result)
				break;
		}
		json_t *j = poll_session(flex_url, token, id, &unreachable);
		misses = unreachable ? misses + 1 : 0;
		if (misses > 25) {
			cli_error("lost the daemon at %s", server);
			return NULL;
		}
		if (j) {
			json_t *events = json_object_get(json_object_get(j, "flex"), "events");
			for (; shown < json_array_size(events); shown++)
				cli_print_flex_event(live, json_array_get(events, shown));
			const char *state = json_string_value(json_object_get(j, "state"));
			if (state && !strcmp(state, "done")) {
				json_object_del(j, "state");
				result = j;
				break;
			}
			json_decref(j);
		}
		if (time(NULL) > give_up) {
			cli_error("flex session %lld did not end in time", id);
			return NULL;
		}
		sleep_ms(POLL_MS);
	}
	*shown_out = shown;
	return result;
}

int cmd_flex_remote(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 'S' }, { "token", required_argument, NULL, 'T' },
		{ "cable", required_argument, NULL, 'c' }, { "serial", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 't' }, { "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *server = getenv("TONEWIRE_SERVER"), *token = getenv("TONEWIRE_TOKEN");
	const char *cable = NULL, *serial = NULL;
	long seconds = 60;
	int as_json = 0, c, rc = EXIT_STATION;
	char flex_url[2048], err[CURL_ERROR_SIZE];
	long status = 0;
	char *body = NULL, *reply = NULL;
	json_t *result = NULL;

	if (!server || !*server)
		server = "http://127.0.0.1:8640";
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:s:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'S': server = optarg; break;
		case 'T': token = optarg; break;
		case 'c': cable = optarg; break;
		case 's': serial = optarg; break;
		case 't': {
			char *end;
			seconds = strtol(optarg, &end, 10);
			if (*end || end == optarg || seconds < 1 || seconds > 3600) {
				cli_error("flex: --seconds '%s' is not a whole number from 1 to 3600", optarg);
				return EXIT_USAGE;
			}
			break;
		}
		case 'J': as_json = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("flex: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (cli_server_url(server, "/api/v1/flex", flex_url, sizeof(flex_url)) < 0) {
		cli_error("flex: --server is too long");
		return EXIT_USAGE;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);

	json_t *req = json_object();
	if (cable)
		json_object_set_new(req, "cable", json_string(cable));
	if (serial)
		json_object_set_new(req, "serial", json_string(serial));
	json_object_set_new(req, "seconds", json_integer(seconds));
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	reply = cli_http_request("POST", flex_url, body, token, 30, &status, err);
	if (!reply) {
		cli_error("daemon unreachable at %s: %s", server, err);
		goto out;
	}
	if (status != 202) {
		cli_http_error(status, reply);
		rc = status == 409 || status >= 500 ? EXIT_STATION : EXIT_USAGE;
		goto out;
	}
	json_t *started = json_loads(reply, 0, NULL);
	long long id = json_integer_value(json_object_get(started, "id"));
	json_decref(started);
	if (id <= 0) {
		cli_error("the daemon did not say which session it started");
		goto out;
	}
	/* Ctrl-C ends the session (DELETE) instead of abandoning it. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	FILE *live = as_json ? stderr : stdout;
	fprintf(live, "Flex session %lld on %s: flex the cable now (%ld s at most, Ctrl-C to stop).\n", id, server,
	        seconds);
	fflush(live);

	size_t shown = 0;
	if (!(result = follow(flex_url, token, server, id, seconds, live, &shown)))
		goto out;
	/* Events that ended between the last poll and the end. */
	json_t *events = json_object_get(json_object_get(result, "flex"), "events");
	for (; shown < json_array_size(events); shown++)
		cli_print_flex_event(live, json_array_get(events, shown));
	json_object_del(result, "state");
	if (!as_json)
		cli_print_flex_summary(stdout, result);
	rc = cli_emit_result(result, as_json, NULL);
out:
	json_decref(result);
	free(body);
	free(reply);
	curl_global_cleanup();
	return rc;
}
