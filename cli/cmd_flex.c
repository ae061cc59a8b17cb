/* tonewire flex: play the tones continuously on a local jig and report every dropout while the cable is flexed. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "clock.h"
#include "devices.h"
#include "duplex.h"
#include "session.h"

static void usage(FILE *out)
{
	fprintf(out,
	"usage: tonewire flex --device PCM --cable CABLE [--jig JIG] [--seconds S] [--json]\n"
	"       tonewire flex [--server URL] [--token T] [--cable CABLE] [--serial S]\n"
	"                     [--seconds S] [--json]        (through tonewired)\n"
	"\n"
	"Measures the cable once (round trip and transfer matrix), then plays every\n"
	"tone continuously while you flex it, and reports each dropout or level\n"
	"jump (>= 1 ms) with its time, length and contacts. Hold the cable still\n"
	"until the tones start.\n"
	"\n"
	"  -d, --device PCM     ALSA device (hw:… or tonewire_sim:SCENARIO)\n"
	"  -c, --cable CABLE    cable profile\n"
	"  -j, --jig JIG        jig profile (a tonewire_sim scenario names its own)\n"
	"  -s, --serial S       serial number recorded in the result\n"
	"  -t, --seconds S      how long to watch (default 10)\n"
	"  -r, --rate HZ        sample rate (default 48000)\n"
	"      --json           the session's result object (as tonewired gives it)\n"
	"  -p, --profiles DIR   look for profiles in DIR first\n"
	"\n"
	"Through tonewired (no --device): --server URL (default $TONEWIRE_SERVER or\n"
	"http://127.0.0.1:8640), --token T (default $TONEWIRE_TOKEN), --serial S\n"
	"recorded with the session; the daemon's jig and its default cable are used.\n"
	"\n"
	"Exit status: 0 no dropout, 1 intermittent (or a failing cable), 2 usage,\n"
	"3 station error.\n");
}

struct flex_opts {
	const char *device, *cable, *jig, *serial, *extra;
	double seconds;
	unsigned rate;
	int as_json;
};

/* Parse the options. -1 to go on, else the exit status. */
static int parse(int argc, char **argv, struct flex_opts *o)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' }, { "cable", required_argument, NULL, 'c' },
		{ "jig", required_argument, NULL, 'j' }, { "serial", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 't' }, { "rate", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'J' }, { "profiles", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:c:j:s:t:r:p:h", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'd': o->device = optarg; break;
		case 'c': o->cable = optarg; break;
		case 'j': o->jig = optarg; break;
		case 's': o->serial = optarg; break;
		case 't':
			o->seconds = strtod(optarg, &end);
			if (*end || !(o->seconds > 0 && o->seconds <= 86400)) {
				cli_error("--seconds: '%s' is not a duration from 0 to 86400 s", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'r':
			if (cli_rate_arg(optarg, &o->rate) < 0)
				return EXIT_USAGE;
			break;
		case 'J': o->as_json = 1; break;
		case 'p': o->extra = optarg; break;
		case 'h': usage(stdout); return EXIT_PASS;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("flex: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!o->device || !o->cable) {
		cli_error("flex: --device and --cable are required for a local jig (try 'tonewire flex --help')");
		return EXIT_USAGE;
	}
	return -1;
}

/* What the operator sees while flexing (nothing of it with --json). */
struct watch {
	const struct flex_opts *o;
	const struct station_cable *st;
	double latency;
};

static void measured(void *ctx, const struct measurement *m)
{
	struct watch *w = ctx;
	w->latency = m->latency_frames;
}

static void tracking(void *ctx)
{
	struct watch *w = ctx;
	FILE *live = w->o->as_json ? stderr : stdout;
	fprintf(live, "Flexing %s on %s for %g s (round trip %.1f frames): flex the cable now.\n",
	        w->st->cable.name, w->st->jig.name, w->o->seconds, w->latency);
	fflush(live);
}

static void event(void *ctx, json_t *e)
{
	struct watch *w = ctx;
	cli_print_flex_event(w->o->as_json ? stderr : stdout, e);
}

int cmd_flex(int argc, char **argv)
{
	struct flex_opts o = { .seconds = 10, .rate = 48000 };
	char err[PROFILE_ERR_MAX];
	struct station_cable *st = NULL;
	classifier *cls = NULL;
	measure *ms = NULL;
	flexmon *fm = NULL;
	duplex *dx = NULL;
	json_t *result = NULL;
	int status = parse(argc, argv, &o), e = 0;

	if (status >= 0)
		return status;
	status = EXIT_USAGE;
	if (!(st = cli_station_load("flex", o.extra, o.device, o.jig, o.cable)))
		goto out;
	struct measure_cfg mc = { .rate = o.rate, .n_outputs = st->fx.n_outputs, .n_inputs = st->fx.n_inputs };
	if (!(ms = measure_create(&mc, err))) {
		cli_error("%s", err);
		goto out;
	}
	struct watch w = { .o = &o, .st = st };
	struct flexmon_cfg fc = { .plan = measure_plan(ms), .fx = &st->fx, .rate = o.rate,
	                          .on_event = event, .ctx = &w };
	cls = classifier_create(&st->fx, &st->expected, &st->cable.limits);
	fm = flexmon_create(&fc);
	if (!cls || !fm) {
		cli_error("cannot set up the flex session for cable '%s' on jig '%s'", st->cable.name, st->jig.name);
		goto out;
	}
	struct session s = { .ms = ms, .cls = cls, .sc = st, .t0 = clock_now_ms(), .seconds = o.seconds,
	                     .fm = fm, .ctx = &w, .measured = measured, .tracking = tracking,
	                     .meta = { .serial = o.serial, .device = o.device, .rate = o.rate,
	                               .started_at = (long long)time(NULL) } };
	/* The interface's mixer, as the card is recognised, set as for a test. */
	struct profiles prof;
	struct tw_interface iface;
	profiles_init(&prof, o.extra);
	struct devices_open dop = { .device = o.device, .profiles = &prof, .rate = o.rate,
	                            .out_channels = st->fx.n_outputs, .in_channels = st->fx.n_inputs };
	status = EXIT_STATION;
	if (!(dx = devices_open_duplex(&dop, &iface, err, &e))) {
		cli_error("%s", err);
		if (o.as_json && (result = session_error(&s, e, err)))
			cli_emit_result(result, 1, NULL);
		goto out;
	}
	s.meta.format = duplex_format_name(dx);
	s.device_error = duplex_error(dx);   /* why a mixer control could not be set, if one cannot */
	struct pump pump = pump_duplex(dx);
	result = session_flex(&s, &pump);
	if (!result) {
		cli_error("out of memory");
		goto out;
	}
	const char *why = json_string_value(json_object_get(result, "error"));
	if (why)
		cli_error("%s", why);
	if (!o.as_json)
		cli_print_flex_summary(stdout, result);
	status = cli_emit_result(result, o.as_json, NULL);
out:
	json_decref(result);
	duplex_close(dx);
	flexmon_destroy(fm);
	measure_destroy(ms);
	classifier_destroy(cls);
	free(st);
	return status;
}
