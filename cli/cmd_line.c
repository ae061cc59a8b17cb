/* tonewire line: the line view, serial lookup and release, and the operator, through a station's tonewired. */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "http_client.h"

static void usage(FILE *out)
{
	fprintf(out,
	"usage: tonewire line VIEW [OPTIONS]\n"
	"\n"
	"The production line, through a station configured with the line database\n"
	"([fleet] postgres in its tonewired.conf).\n"
	"\n"
	"  yield          first-pass and final yield (--by station|cable|shift)\n"
	"  pareto         fault codes of failed tests, most frequent first\n"
	"  retests        serials tested more than once and how they ended\n"
	"  spc            control charts: level, crosstalk, series resistance (--metric)\n"
	"  calibrations   calibration history per jig (--jig)\n"
	"  stations       the stations that forward to the line database\n"
	"  status         this station's forwarder: backlog, last forward, last error\n"
	"  serial SERIAL  every test of a serial across the line, and its lock state\n"
	"  release SERIAL --supervisor NAME [--reason TEXT]\n"
	"                 let a serial locked after too many failures be tested again\n"
	"  operator [NAME | --logout]\n"
	"                 who tests at this station (every result carries it)\n"
	"\n"
	"  --since T, --until T   the period (a date, 2026-11-22T06:00:00Z or Unix time);\n"
	"                         default: the last 7 days (calibrations: 365)\n"
	"  --station S, --cable C only one station, one cable type\n"
	"  --by B                 yield by station (default), cable or shift\n"
	"  --shifts LIST --tz Z   shift starts (default 06:00,14:00,22:00) in zone Z (default UTC)\n"
	"  --limit N              retests listed (default 100)\n"
	"  --metric M             level_db, crosstalk_db or series_ohms (default: all three)\n"
	"  --ref-since T --ref-until T   the control limits' reference period\n"
	"                         (default: the first --ref-points results, 25)\n"
	"  --points N             newest points per chart (default 500)\n"
	"  --jig J                calibrations of one jig\n"
	"  --json                 the daemon's JSON as it is\n"
	"  --server URL           the daemon (default $TONEWIRE_SERVER or http://127.0.0.1:8640)\n"
	"  --token T              bearer token (default $TONEWIRE_TOKEN)\n");
}

static const char *s_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "-";
}

static double n_of(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static void print_yield(const json_t *j)
{
	size_t i;
	json_t *g;
	printf("%-24s %7s %7s %12s %12s\n", s_of(j, "by"), "units", "tests", "first pass", "final");
	json_array_foreach(json_object_get(j, "groups"), i, g)
		printf("%-24s %7lld %7lld %11.1f%% %11.1f%%\n", s_of(g, "group"),
		       (long long)n_of(g, "units"), (long long)n_of(g, "tests"), 100 * n_of(g, "first_pass_yield"),
		       100 * n_of(g, "final_yield"));
	const json_t *t = json_object_get(j, "total");
	printf("%-24s %7lld %7lld %11.1f%% %11.1f%%\n", "all", (long long)n_of(t, "units"),
	       (long long)n_of(t, "tests"), 100 * n_of(t, "first_pass_yield"), 100 * n_of(t, "final_yield"));
}

static void print_pareto(const json_t *j)
{
	size_t i;
	json_t *c;
	printf("%lld tests, %lld failed\n\n", (long long)n_of(j, "tests"), (long long)n_of(j, "failed_tests"));
	json_array_foreach(json_object_get(j, "codes"), i, c) {
		char bar[41];
		int w = (int)(n_of(c, "percent") * 40 / 100 + 0.5);
		memset(bar, '#', (size_t)w);
		bar[w] = '\0';
		printf("%-22s %6lld %6.1f%% %6.1f%%  %s\n", s_of(c, "code"), (long long)n_of(c, "count"),
		       n_of(c, "percent"), n_of(c, "cumulative_percent"), bar);
	}
}

static void print_retests(const json_t *j)
{
	size_t i, k;
	json_t *it, *v;
	const json_t *o = json_object_get(j, "outcomes");
	printf("%lld serials tested more than once: %lld passed on retest, %lld still failing, "
	       "%lld retested after a pass\n\n", (long long)n_of(j, "serials"), (long long)n_of(o, "passed_on_retest"),
	       (long long)n_of(o, "still_failing"), (long long)n_of(o, "retested_after_pass"));
	json_array_foreach(json_object_get(j, "items"), i, it) {
		printf("%-20s %-20s ", s_of(it, "serial"), s_of(it, "outcome"));
		json_array_foreach(json_object_get(it, "verdicts"), k, v)
			printf("%s%s", k ? " " : "", json_string_value(v));
		printf("  (");
		json_array_foreach(json_object_get(it, "stations"), k, v)
			printf("%s%s", k ? " " : "", json_string_value(v));
		printf(")\n");
	}
}

static void print_charts(const char *metric, const json_t *list)
{
	size_t i, k;
	json_t *s, *p;
	json_array_foreach(list, i, s) {
		printf("%s  %s @ %s: mean %.4g, sigma %.3g, limits %.4g .. %.4g (%lld reference points), "
		       "%zu points, %lld out of control\n", metric, s_of(s, "cable"), s_of(s, "station"),
		       n_of(s, "mean"), n_of(s, "sigma"), n_of(s, "lcl"), n_of(s, "ucl"),
		       (long long)n_of(s, "reference_points"), json_array_size(json_object_get(s, "points")),
		       (long long)n_of(s, "out_of_control"));
		json_array_foreach(json_object_get(s, "points"), k, p)
			if (json_is_true(json_object_get(p, "ooc")))
				printf("    %s  %.4g  test %lld  serial %s\n", s_of(p, "t"), n_of(p, "v"),
				       (long long)n_of(p, "id"), s_of(p, "serial"));
	}
}

static void print_spc(const json_t *j, const char *metric)
{
	const char *key;
	json_t *v;
	if (json_is_array(j)) {
		print_charts(metric, j);
		return;
	}
	json_object_foreach((json_t *)j, key, v)
		print_charts(key, v);
}

static void print_calibrations(const json_t *j)
{
	size_t i;
	json_t *c;
	printf("%-20s %-20s %-10s %6s %-24s %10s %10s\n", "jig", "created", "station", "id", "golden cable",
	       "mean dB", "max |dB|");
	json_array_foreach(j, i, c)
		printf("%-20s %-20s %-10s %6lld %-24s %10.3f %10.3f\n", s_of(c, "jig"), s_of(c, "created_at"),
		       s_of(c, "station"), (long long)n_of(c, "id"), s_of(c, "cable"), n_of(c, "mean_gain_db"),
		       n_of(c, "max_abs_gain_db"));
}

static void print_stations(const json_t *j)
{
	size_t i;
	json_t *s;
	printf("%-16s %-12s %-10s %-20s %9s\n", "station", "line", "version", "last seen", "results");
	json_array_foreach(j, i, s)
		printf("%-16s %-12s %-10s %-20s %9lld\n", s_of(s, "station"), s_of(s, "line"),
		       s_of(s, "software_version"), s_of(s, "last_seen"), (long long)n_of(s, "results"));
}

static void print_serial(const json_t *j)
{
	size_t i, k;
	json_t *r, *f;
	const json_t *sum = json_object_get(j, "summary"), *pol = json_object_get(j, "policy");
	printf("serial %s: %lld tests (%lld pass, %lld fail, %lld error), last %s; from the %s",
	       s_of(j, "serial"), (long long)n_of(sum, "tests"), (long long)n_of(sum, "passes"),
	       (long long)n_of(sum, "fails"), (long long)n_of(sum, "errors"), s_of(sum, "last_verdict"),
	       !strcmp(s_of(j, "source"), "line") ? "line database" : "station only");
	if (json_object_get(j, "line_error"))
		printf(" (%s)", s_of(j, "line_error"));
	printf("\n%s\n\n", json_is_true(json_object_get(pol, "locked")) ? "LOCKED here: a supervisor must release it" : "");
	json_array_foreach(json_object_get(j, "tests"), i, r) {
		printf("%s  %-10s %6lld  %-5s %-22s op %-10s", s_of(r, "started_at"), s_of(r, "station"),
		       (long long)n_of(r, "id"), s_of(r, "verdict"), s_of(r, "cable"), s_of(r, "operator"));
		json_array_foreach(json_object_get(r, "faults"), k, f)
			printf(" %s", s_of(f, "code"));
		printf("\n");
	}
}

struct opts {
	const char *server, *token, *arg, *supervisor, *reason;
	int as_json, logout;
	char query[1536];
};

/* The request of a view: method, path (with the query) and body. */
static int request_of(const char *view, struct opts *o, char *path, size_t len, json_t **body, const char **method)
{
	*method = "GET";
	*body = NULL;
	if (!strcmp(view, "serial") || !strcmp(view, "release")) {
		CURL *h = curl_easy_init();
		char *esc = o->arg && h ? curl_easy_escape(h, o->arg, 0) : NULL;
		if (!esc) {
			curl_easy_cleanup(h);
			cli_error("line %s: a serial is required", view);
			return -1;
		}
		snprintf(path, len, "/api/v1/serials/%s%s", esc, !strcmp(view, "release") ? "/release" : "");
		curl_free(esc);
		curl_easy_cleanup(h);
		if (!strcmp(view, "release")) {
			if (!o->supervisor) {
				cli_error("line release: --supervisor NAME is required (it is recorded with the release)");
				return -1;
			}
			*method = "POST";
			*body = json_pack("{s:s}", "supervisor", o->supervisor);
			if (o->reason)
				json_object_set_new(*body, "reason", json_string(o->reason));
		}
		return 0;
	}
	if (!strcmp(view, "operator")) {
		snprintf(path, len, "/api/v1/operator");
		if (o->logout) {
			*method = "DELETE";
		} else if (o->arg) {
			*method = "POST";
			*body = json_pack("{s:s}", "operator", o->arg);
		}
		return 0;
	}
	static const char *const views[] = { "yield", "pareto", "retests", "spc", "calibrations", "stations", "status", NULL };
	for (const char *const *v = views; *v; v++)
		if (!strcmp(view, *v)) {
			if (o->arg) {
				cli_error("line %s: unexpected argument '%s'", view, o->arg);
				return -1;
			}
			snprintf(path, len, "/api/v1/line/%s%s", view, o->query);
			return 0;
		}
	cli_error("line: unknown view '%s' (try 'tonewire line --help')", view);
	return -1;
}

static void print_view(const char *view, const json_t *j, const char *metric)
{
	if (!strcmp(view, "yield"))
		print_yield(j);
	else if (!strcmp(view, "pareto"))
		print_pareto(j);
	else if (!strcmp(view, "retests"))
		print_retests(j);
	else if (!strcmp(view, "spc"))
		print_spc(j, metric ? metric : "");
	else if (!strcmp(view, "calibrations"))
		print_calibrations(j);
	else if (!strcmp(view, "stations"))
		print_stations(j);
	else if (!strcmp(view, "serial"))
		print_serial(j);
	else if (!strcmp(view, "release"))
		printf("serial %s released: it may be tested again\n", s_of(j, "serial"));
	else if (!strcmp(view, "operator"))
		printf("operator: %s\n", s_of(j, "operator"));
	else {
		const char *key;
		json_t *v;
		json_object_foreach((json_t *)j, key, v) {
			char *txt = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
			printf("%-16s %s\n", key, txt ? txt : json_string_value(v));
			free(txt);
		}
	}
}

int cmd_line(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 'S' }, { "token", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' }, { "help", no_argument, NULL, 'h' },
		{ "since", required_argument, NULL, 1 }, { "until", required_argument, NULL, 1 },
		{ "station", required_argument, NULL, 1 }, { "cable", required_argument, NULL, 1 },
		{ "by", required_argument, NULL, 1 }, { "shifts", required_argument, NULL, 1 },
		{ "tz", required_argument, NULL, 1 }, { "limit", required_argument, NULL, 1 },
		{ "metric", required_argument, NULL, 1 }, { "ref-since", required_argument, NULL, 1 },
		{ "ref-until", required_argument, NULL, 1 }, { "ref-points", required_argument, NULL, 1 },
		{ "points", required_argument, NULL, 1 }, { "jig", required_argument, NULL, 1 },
		{ "supervisor", required_argument, NULL, 'U' }, { "reason", required_argument, NULL, 'r' },
		{ "logout", no_argument, NULL, 'L' }, { NULL, 0, NULL, 0 },
	};
	struct opts o = { .server = getenv("TONEWIRE_SERVER"), .token = getenv("TONEWIRE_TOKEN") };
	const char *metric = NULL;
	char path[2048], url[2560], err[CURL_ERROR_SIZE];
	int c, idx, rc = EXIT_STATION;
	long status = 0;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	const char *view = argv[1];
	if (!o.server || !*o.server)
		o.server = "http://127.0.0.1:8640";
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, &idx)) != -1) {
		switch (c) {
		case 'S': o.server = optarg; break;
		case 'T': o.token = optarg; break;
		case 'J': o.as_json = 1; break;
		case 'U': o.supervisor = optarg; break;
		case 'r': o.reason = optarg; break;
		case 'L': o.logout = 1; break;
		case 'h': usage(stdout); return 0;
		case 1: {
			/* --ref-since → ref_since: the daemon's parameter names. */
			char key[32];
			snprintf(key, sizeof(key), "%s", opts[idx].name);
			for (char *p = key; *p; p++)
				if (*p == '-')
					*p = '_';
			if (!strcmp(key, "metric"))
				metric = optarg;
			cli_append_query(o.query, sizeof(o.query), key, optarg);
			break;
		}
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc)
		o.arg = argv[optind++];
	if (optind < argc) {
		cli_error("line %s: unexpected argument '%s'", view, argv[optind]);
		return EXIT_USAGE;
	}
	json_t *body = NULL;
	const char *method;
	if (request_of(view, &o, path, sizeof(path), &body, &method) < 0)
		return EXIT_USAGE;
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (cli_server_url(o.server, path, url, sizeof(url)) < 0) {
		free(text);
		cli_error("line: the server URL is too long");
		return EXIT_USAGE;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	char *reply = cli_http_request(method, url, text, o.token, 60, &status, err);
	free(text);
	if (!reply) {
		cli_error("daemon unreachable at %s: %s", o.server, err);
	} else if (status >= 400) {
		cli_http_error(status, reply);
		rc = status < 500 ? EXIT_USAGE : EXIT_STATION;
	} else {
		json_error_t jerr;
		json_t *j = json_loads(reply, JSON_DECODE_ANY, &jerr);
		if (!j) {
			cli_error("the daemon sent something that is not JSON (%s)", jerr.text);
		} else if (o.as_json) {
			char *s = json_dumps(j, JSON_INDENT(2) | JSON_ENCODE_ANY);
			puts(s ? s : "null");
			free(s);
			rc = 0;
		} else {
			print_view(view, j, metric);
			rc = 0;
		}
		json_decref(j);
	}
	free(reply);
	curl_global_cleanup();
	return rc;
}
