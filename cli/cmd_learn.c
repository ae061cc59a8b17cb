/* tonewire learn: learn a cable from samples on a local per-contact jig; the profile is written once a second sample measures the same. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "clock.h"
#include "devices.h"
#include "duplex.h"
#include "session.h"

static void usage(FILE *out)
{
	fprintf(out,
	"usage: tonewire learn --device PCM --end-a CONN --end-b CONN [--jig JIG] [--name NAME] [OPTIONS]\n"
	"\n"
	"Learn a cable from a good sample (what cable testers call learn): its wire\n"
	"list and the resistance of each conductor, measured on a per-contact jig.\n"
	"The first run keeps the sample; run the same command again with a second\n"
	"sample in the jig: the cable profile is written only when the second\n"
	"measures the same (same wire list, resistances within tolerance). Then\n"
	"'tonewire run --cable NAME' tests cables with it like any shipped profile.\n"
	"\n"
	"  -d, --device PCM     ALSA device (or tonewire_sim:/path/to/scenario.conf)\n"
	"  -a, --end-a CONN     the connector of the near end, the one the jig drives\n"
	"                       (or labelled plugs: \"left:ts-2.5 right:ts-2.5\")\n"
	"  -b, --end-b CONN     the connector of the far end, the one the jig senses\n"
	"  -j, --jig JIG        a per-contact jig (for tonewire_sim: the scenario's)\n"
	"  -n, --name NAME      the cable profile's name (default learned-A-to-B)\n"
	"  -p, --profiles DIR   look for profiles in DIR first, and write the learned\n"
	"                       one there (default: the first folder of\n"
	"                       $TONEWIRE_PROFILES, else ~/.config/tonewire/profiles)\n"
	"      --restart        forget a first sample of NAME and learn this one as the first\n"
	"  -r, --rate HZ        sample rate (default 48000)\n"
	"      --windows N      analysis windows to average (default 4)\n"
	"      --json           print the result object (\"kind\": \"learn\") instead of the report\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0 sample kept or profile saved, 1 the sample was refused (the\n"
	"second differs from the first, or it is not plain conductors), 2 usage or\n"
	"bad input (a jig that cannot see every conductor), 3 station error.\n");
}

struct learn_opts {
	const char *device, *jig, *end_a, *end_b, *name, *extra;
	unsigned rate, windows;
	int restart, as_json;
};

/* Parse the options. -1 to go on, else the exit status. */
static int parse(int argc, char **argv, struct learn_opts *o)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' }, { "end-a", required_argument, NULL, 'a' },
		{ "end-b", required_argument, NULL, 'b' }, { "jig", required_argument, NULL, 'j' },
		{ "name", required_argument, NULL, 'n' }, { "profiles", required_argument, NULL, 'p' },
		{ "restart", no_argument, NULL, 'R' }, { "rate", required_argument, NULL, 'r' },
		{ "windows", required_argument, NULL, 'w' }, { "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:a:b:j:n:p:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->device = optarg; break;
		case 'a': o->end_a = optarg; break;
		case 'b': o->end_b = optarg; break;
		case 'j': o->jig = optarg; break;
		case 'n': o->name = optarg; break;
		case 'p': o->extra = optarg; break;
		case 'R': o->restart = 1; break;
		case 'J': o->as_json = 1; break;
		case 'r':
			if (cli_rate_arg(optarg, &o->rate) < 0)
				return EXIT_USAGE;
			break;
		case 'w':
			if (cli_windows_arg(optarg, &o->windows) < 0)
				return EXIT_USAGE;
			break;
		case 'h': usage(stdout); return EXIT_PASS;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("learn: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!o->device || !o->end_a || !o->end_b) {
		cli_error("learn: --device, --end-a and --end-b are required (try 'tonewire learn --help')");
		return EXIT_USAGE;
	}
	return -1;
}

static void print_wires(const json_t *wires)
{
	size_t i;
	json_t *w;
	json_array_foreach(wires, i, w) {
		const json_t *s = json_object_get(w, "sigma_ohms"), *m = json_object_get(w, "model_sigma_ohms");
		printf("  %-14s -> %-14s %9.4g ohm", json_string_value(json_object_get(w, "from")),
		       json_string_value(json_object_get(w, "to")), json_number_value(json_object_get(w, "ohms")));
		if (json_is_number(s) && json_is_number(m))
			printf("   (noise %.2g, model %.4g)", json_number_value(s), json_number_value(m));
		printf("\n");
	}
}

/* The step for people. Returns the exit status. */
static int report(const json_t *res)
{
	const json_t *l = json_object_get(res, "learn");
	const char *step = json_string_value(json_object_get(l, "step")), *name = json_string_value(json_object_get(l, "name"));
	size_t i;
	json_t *f;

	if (step && !strcmp(step, "first_sample")) {
		printf("LEARNED  sample 1 of %s: %zu conductors\n", name, json_array_size(json_object_get(l, "wires")));
		print_wires(json_object_get(l, "wires"));
		printf("\nPut a second sample in the jig and run the same command again: the profile is\n"
		       "written only when the second measures the same. (First sample kept in %s.)\n",
		       json_string_value(json_object_get(l, "first_sample")));
		return EXIT_PASS;
	}
	if (step && !strcmp(step, "saved")) {
		printf("SAVED  %s: the second sample measured the same\n", name);
		print_wires(json_object_get(l, "wires"));
		printf("\nwritten to %s\ntest cables with it: tonewire run --cable %s\n",
		       json_string_value(json_object_get(l, "profile")), name);
		return EXIT_PASS;
	}
	printf("REFUSED  %s: %s; nothing was saved\n", name,
	       step && !strcmp(step, "differs") ? "the second sample differs from the first"
	                                        : "this sample cannot be learned");
	json_array_foreach(json_object_get(res, "faults"), i, f)
		printf("  - %s  [%s]\n", json_string_value(json_object_get(f, "summary")),
		       json_string_value(json_object_get(f, "code")));
	if (step && !strcmp(step, "differs"))
		printf("\nLearn again with another sample, or with --restart to start from a new first sample.\n");
	return EXIT_FAIL;
}

int cmd_learn(int argc, char **argv)
{
	struct learn_opts o = { .rate = 48000, .windows = 4 };
	char err[LEARN_ERR_MAX];
	struct profiles prof;
	struct tw_jig *jig = calloc(1, sizeof(*jig));
	struct station_cable *sc = calloc(1, sizeof(*sc));
	struct learn_request rq;
	struct tw_interface *iface = NULL;
	measure *ms = NULL;
	duplex *dx = NULL;
	json_t *res = NULL;
	int status = parse(argc, argv, &o), e = 0;

	if (status >= 0)
		goto out;
	status = EXIT_USAGE;
	if (!jig || !sc) {
		cli_error("out of memory");
		goto out;
	}
	/* --profiles is also where the learned cable is written: a folder not made
	 * yet holds no profile to search, and is made when the cable is saved. */
	struct stat dst;
	const char *search = o.extra && stat(o.extra, &dst) != 0 && errno == ENOENT ? NULL : o.extra;
	if (cli_jig_load("learn", search, o.device, o.jig, &prof, jig) < 0)
		goto out;
	if (learn_station(&prof, jig, o.end_a, o.end_b, sc, err) < 0 ||
	    learn_prepare(&rq, o.name, o.end_a, o.end_b, o.extra, o.restart, jig->name, err) < 0) {
		cli_error("learn: %s", err);
		goto out;
	}
	struct measure_cfg mc = { .rate = o.rate, .n_outputs = sc->fx.n_outputs, .n_inputs = sc->fx.n_inputs,
	                          .windows = o.windows };
	if (!(ms = measure_create(&mc, err))) {
		cli_error("%s", err);
		goto out;
	}
	struct session s = { .ms = ms, .sc = sc, .t0 = clock_now_ms(),
	                     .meta = { .device = o.device, .rate = o.rate, .started_at = (long long)time(NULL) } };
	/* Opened as for a test: the jig file's device channels, the card's interface profile. */
	struct devices_open dop = { .device = o.device, .profiles = &prof, .rate = o.rate,
	                            .out_channels = sc->fx.n_outputs, .in_channels = sc->fx.n_inputs,
	                            .out_map = jig->out_channel, .in_map = jig->in_channel };
	if (!(iface = calloc(1, sizeof(*iface))) || !(dx = devices_open_duplex(&dop, iface, err, &e))) {
		res = session_error(&s, iface ? e : -ENOMEM, iface ? err : "out of memory");
	} else {
		s.meta.format = duplex_format_name(dx);
		s.device_error = duplex_error(dx);   /* why a mixer control could not be set, if one cannot */
		struct pump pump = pump_duplex(dx);
		res = session_learn(&s, &pump, &rq);
	}
	if (!res) {
		cli_error("out of memory");
		goto out;
	}
	status = result_exit_status(res);
	if (status == EXIT_STATION) {
		const char *why = json_string_value(json_object_get(res, "error"));
		cli_error("%s", why ? why : "the measurement failed");
	}
	if (o.as_json) {
		char *text = json_dumps(res, JSON_INDENT(2) | JSON_PRESERVE_ORDER | RESULT_JSON_REAL);
		puts(text ? text : "null");
		free(text);
	} else if (status != EXIT_STATION) {
		status = report(res);
	}
out:
	json_decref(res);
	duplex_close(dx);
	free(iface);
	measure_destroy(ms);
	free(sc);
	free(jig);
	return status;
}
