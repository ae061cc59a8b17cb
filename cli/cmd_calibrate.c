/* tonewire calibrate: teach tonewired's jig with a golden cable, which is verified against its profile first. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "http_client.h"

static void usage(FILE *out)
{
	fprintf(out,
	"usage: tonewire calibrate --cable CABLE [--server URL] [--token T] [--serial S] [--json]\n"
	"\n"
	"Measure a known-good cable on the daemon's jig. It is tested against its\n"
	"profile first: a cable with any fault is refused, with the faults found\n"
	"(golden samples are only presumed good). Otherwise its gain and phase on\n"
	"every path become the jig's new calibration, and later tests report levels\n"
	"relative to it.\n"
	"\n"
	"  --server URL   the daemon (default $TONEWIRE_SERVER or http://127.0.0.1:8640)\n"
	"  --token T      bearer token (default $TONEWIRE_TOKEN)\n"
	"  --json         the daemon's answer on stdout\n"
	"\n"
	"Exit status: 0 calibrated, 1 refused (the golden cable is faulty), 2 usage,\n"
	"3 station error.\n");
}

static void print_corrections(const json_t *cal)
{
	const json_t *corr = json_object_get(cal, "corrections");
	const json_t *ins = json_object_get(corr, "inputs"), *outs = json_object_get(corr, "outputs");
	const json_t *g = json_object_get(corr, "gain_db"), *ph = json_object_get(corr, "phase_deg");
	printf("\n%-12s %-14s %10s %10s\n", "output", "input", "gain dB", "phase");
	for (size_t j = 0; j < json_array_size(ins); j++)
		for (size_t k = 0; k < json_array_size(outs); k++) {
			const json_t *gv = json_array_get(json_array_get(g, j), k);
			if (!json_is_number(gv))
				continue;
			printf("%-12s %-14s %10.3f %10.2f\n", json_string_value(json_array_get(outs, k)),
			       json_string_value(json_array_get(ins, j)), json_number_value(gv),
			       json_number_value(json_array_get(json_array_get(ph, j), k)));
		}
}

int cmd_calibrate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 'S' }, { "token", required_argument, NULL, 'T' },
		{ "cable", required_argument, NULL, 'c' }, { "serial", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'J' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *server = getenv("TONEWIRE_SERVER"), *token = getenv("TONEWIRE_TOKEN");
	const char *cable = NULL, *serial = NULL;
	int as_json = 0, c, rc = EXIT_STATION;
	char url[2048], err[CURL_ERROR_SIZE];
	long status = 0;
	char *body = NULL, *reply = NULL;
	json_t *j = NULL;

	if (!server || !*server)
		server = "http://127.0.0.1:8640";
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'S': server = optarg; break;
		case 'T': token = optarg; break;
		case 'c': cable = optarg; break;
		case 's': serial = optarg; break;
		case 'J': as_json = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("calibrate: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!cable) {
		cli_error("calibrate: --cable is required (the golden cable's profile)");
		return EXIT_USAGE;
	}
	if (cli_server_url(server, "/api/v1/calibrate", url, sizeof(url)) < 0) {
		cli_error("calibrate: --server is too long");
		return EXIT_USAGE;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	json_t *req = json_object();
	json_object_set_new(req, "cable", json_string(cable));
	if (serial)
		json_object_set_new(req, "serial", json_string(serial));
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	reply = cli_http_request("POST", url, body, token, 150, &status, err);
	if (!reply) {
		cli_error("daemon unreachable at %s: %s", server, err);
		goto out;
	}
	j = json_loads(reply, 0, NULL);
	if (status != 201 && status != 422) {
		cli_http_error(status, reply);
		rc = status == 400 ? EXIT_USAGE : EXIT_STATION;
		goto out;
	}
	if (!j) {
		cli_error("the daemon sent something that is not JSON");
		goto out;
	}
	if (as_json) {
		char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(s ? s : "null");
		free(s);
	}
	if (status == 422) {
		if (!as_json) {
			size_t i;
			json_t *f;
			printf("REFUSED  %s is not a good golden sample; nothing was stored.\n", cable);
			json_array_foreach(json_object_get(j, "faults"), i, f)
				printf("  - %s  [%s]\n", json_string_value(json_object_get(f, "summary")),
				       json_string_value(json_object_get(f, "code")));
		}
		rc = EXIT_FAIL;
		goto out;
	}
	if (!as_json) {
		const json_t *cal = json_object_get(j, "calibration");
		printf("CALIBRATED  calibration %lld from %s (test %lld), active from now on\n",
		       (long long)json_integer_value(json_object_get(cal, "id")), cable,
		       (long long)json_integer_value(json_object_get(j, "test")));
		print_corrections(cal);
	}
	rc = EXIT_PASS;
out:
	json_decref(j);
	free(body);
	free(reply);
	curl_global_cleanup();
	return rc;
}
