/* tonewire analyze: the verdict of a saved capture, from the WAV and the stimulus plan beside it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "cli.h"
#include "clock.h"
#include "session.h"

static void usage(FILE *out)
{
	fprintf(out,
	"usage: tonewire analyze CAPTURE.wav [--plan PLAN.json] [OPTIONS]\n"
	"\n"
	"Analyse a capture saved by tonewired (GET /api/v1/tests/ID/capture.wav and\n"
	"capture.json) exactly as the live test did, or a capture made by another\n"
	"tool that played the plan in PLAN.json.\n"
	"\n"
	"      --plan FILE      stimulus plan (default: the .json beside the WAV)\n"
	"  -c, --cable CABLE    cable profile (default: the plan's)\n"
	"  -j, --jig JIG        jig profile (default: the plan's)\n"
	"  -s, --serial S       serial number recorded in the result\n"
	"      --json           print the result object instead of the report\n"
	"      --junit FILE     also write JUnit XML\n"
	"  -p, --profiles DIR   look for profiles in DIR first\n"
	"\n"
	"Exit status: 0 pass, 1 fail, 2 bad input (not a WAV, plan missing or not\n"
	"matching), 3 error verdict.\n");
}

int cmd_analyze(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, NULL, 'P' }, { "cable", required_argument, NULL, 'c' },
		{ "jig", required_argument, NULL, 'j' }, { "serial", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'J' }, { "junit", required_argument, NULL, 'U' },
		{ "profiles", required_argument, NULL, 'p' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *plan_path = NULL, *cable_name = NULL, *jig_name = NULL, *serial = NULL;
	const char *junit = NULL, *extra = NULL;
	char planbuf[1024], err[CAPTURE_ERR_MAX];
	int as_json = 0, c, status = EXIT_USAGE;
	struct capture_plan p = { 0 };
	json_t *result = NULL;
	struct station_cable *st = NULL;
	classifier *cls = NULL;
	measure *ms = NULL;
	float *frames = NULL;
	unsigned n_frames = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:j:s:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'P': plan_path = optarg; break;
		case 'c': cable_name = optarg; break;
		case 'j': jig_name = optarg; break;
		case 's': serial = optarg; break;
		case 'J': as_json = 1; break;
		case 'U': junit = optarg; break;
		case 'p': extra = optarg; break;
		case 'h': usage(stdout); status = 0; goto out;
		default: usage(stderr); goto out;
		}
	}
	if (optind != argc - 1) {
		cli_error("analyze: expected one capture file (try 'tonewire analyze --help')");
		goto out;
	}
	const char *wav = argv[optind];
	if (!plan_path) {
		if (capture_plan_path(wav, planbuf, sizeof(planbuf)) < 0) {
			cli_error("%s: the path is too long", wav);
			goto out;
		}
		plan_path = planbuf;
	}
	if (capture_plan_read(plan_path, &p, err) < 0) {
		cli_error("%s", err);
		goto out;
	}
	if (!jig_name)
		jig_name = p.jig;
	if (!cable_name)
		cable_name = p.cable;
	if (!*jig_name || !*cable_name) {
		cli_error("%s names no %s: give --%s", plan_path, *jig_name ? "cable" : "jig",
		          *jig_name ? "cable" : "jig");
		goto out;
	}
	if (!(st = cli_station_load("analyze", extra, NULL, jig_name, cable_name)))
		goto out;
	if (st->fx.n_outputs != p.n_out || st->fx.n_inputs != p.n_in) {
		cli_error("jig '%s' has %u outputs and %u inputs, the capture %u and %u", st->jig.name,
		          st->fx.n_outputs, st->fx.n_inputs, p.n_out, p.n_in);
		goto out;
	}
	struct measure_cfg mc = capture_plan_measure_cfg(&p);
	char merr[MEASURE_ERR_MAX];
	if (!(ms = measure_create(&mc, merr))) {
		cli_error("%s: %s", plan_path, merr);
		goto out;
	}
	if (capture_plan_check(&p, ms, plan_path, err) < 0 || !(frames = capture_wav_read(wav, &p, &n_frames, err))) {
		cli_error("%s", err);
		goto out;
	}
	if (!(cls = classifier_create(&st->fx, &st->expected, &st->cable.limits))) {
		cli_error("cannot set up the classifier");
		goto out;
	}
	struct measurement m;
	if (measure_analyze(ms, frames, n_frames, &m) < 0) {
		cli_error("%s: %u frames is too short for its plan (needs at least %u)", wav, n_frames,
		          measure_timeline(ms)->capture_max - measure_timeline(ms)->max_latency);
		goto out;
	}
	struct session s = { .ms = ms, .cls = cls, .sc = st, .t0 = clock_now_ms(),
	                     .meta = { .serial = serial, .rate = p.rate, .started_at = (long long)time(NULL) } };
	if (!(result = session_judge(&s, &m, NULL))) {
		cli_error("out of memory");
		goto out;
	}
	json_object_set_new(result, "capture", json_string(wav));
	status = cli_emit_result(result, as_json, junit);
out:
	json_decref(result);
	capture_plan_free(&p);
	free(frames);
	measure_destroy(ms);
	classifier_destroy(cls);
	free(st);
	return status;
}
