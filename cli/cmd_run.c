/* tonewire run: measure a cable on a local ALSA device and give the verdict. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "cli.h"
#include "duplex.h"
#include "measure.h"
#include "result.h"

static void usage(FILE *out)
{
	fprintf(out,
	"usage: tonewire run --device PCM --cable CABLE [--jig JIG] [OPTIONS]\n"
	"\n"
	"  -d, --device PCM     ALSA device: a real interface (hw:CARD) or the simulated\n"
	"                       jig, tonewire_sim:/path/to/scenario.conf\n"
	"  -c, --cable CABLE    cable profile (name or path)\n"
	"  -j, --jig JIG        jig profile (name or path); for tonewire_sim the\n"
	"                       scenario's jig is the default\n"
	"  -s, --serial S       serial number recorded in the result\n"
	"  -r, --rate HZ        sample rate (default 48000)\n"
	"      --windows N      analysis windows to average (default 1)\n"
	"      --json           print the result object (DESIGN §5) instead of the report\n"
	"      --junit FILE     also write JUnit XML\n"
	"      --save-capture F  keep the raw capture as WAV file F, its stimulus plan\n"
	"                       beside it (F with .json); 'tonewire analyze F' reads it back\n"
	"  -p, --profiles DIR   look for profiles in DIR first\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0 pass, 1 fail, 2 usage or bad input, 3 station error.\n");
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The capture as tonewired keeps it: WAV plus the plan as JSON beside it. */
static int save_capture(const char *wav, const measure *ms, const struct fixture *fx, const char *jig,
                        const char *cable, const char *device, const struct measurement *m,
                        json_t *result)
{
	char plan[1024], err[CAPTURE_ERR_MAX];
	size_t n = strlen(wav);
	if (n > 4 && !strcmp(wav + n - 4, ".wav"))
		snprintf(plan, sizeof(plan), "%.*s.json", (int)(n - 4), wav);
	else
		snprintf(plan, sizeof(plan), "%s.json", wav);
	json_t *pj = capture_plan_json(ms, fx, jig, cable, device, m);
	int e = capture_write(wav, plan, m->capture, m->capture_frames, fx->n_inputs,
	                      measure_plan(ms)->rate, pj, err);
	json_decref(pj);
	if (e < 0) {
		cli_error("--save-capture: %s", err);
		return e;
	}
	json_object_set_new(result, "capture", json_string(wav));
	return 0;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "cable", required_argument, NULL, 'c' },
		{ "jig", required_argument, NULL, 'j' },
		{ "serial", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' },
		{ "windows", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'J' },
		{ "junit", required_argument, NULL, 'U' },
		{ "profiles", required_argument, NULL, 'p' },
		{ "save-capture", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *device = NULL, *cable_name = NULL, *jig_name = NULL, *serial = NULL;
	const char *junit = NULL, *extra = NULL, *save = NULL;
	unsigned rate = 48000, windows = 1;
	int as_json = 0, c, status = EXIT_STATION;
	char err[PROFILE_ERR_MAX];
	struct cli_station *st = NULL;
	struct tw_jig *jig = NULL;
	struct tw_cable *cable = NULL;
	struct fixture *fx = NULL;
	classifier *cls = NULL;
	measure *ms = NULL;
	duplex *dx = NULL;
	json_t *result = NULL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:c:j:s:r:p:h", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'd': device = optarg; break;
		case 'c': cable_name = optarg; break;
		case 'j': jig_name = optarg; break;
		case 's': serial = optarg; break;
		case 'r':
			rate = (unsigned)strtoul(optarg, &end, 10);
			if (*end || rate < TONEPLAN_MIN_RATE || rate > TONEPLAN_MAX_RATE) {
				cli_error("--rate: '%s' is not a sample rate in Hz (8000..384000)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'w':
			windows = (unsigned)strtoul(optarg, &end, 10);
			if (*end || windows < 1 || windows > 64) {
				cli_error("--windows: '%s' is not a number from 1 to 64", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'J': as_json = 1; break;
		case 'U': junit = optarg; break;
		case 'p': extra = optarg; break;
		case 'W': save = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("run: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!device || !cable_name) {
		cli_error("run: --device and --cable are required (try 'tonewire run --help')");
		return EXIT_USAGE;
	}
	st = cli_station_load("run", extra, device, jig_name, cable_name);
	if (!st)
		return EXIT_USAGE;
	jig = &st->jig;
	cable = &st->cable;
	fx = &st->fx;
	status = EXIT_USAGE;
	cls = classifier_create(fx, &st->expected, &cable->limits);
	if (!cls) {
		cli_error("cannot set up the classifier for cable '%s' on jig '%s'", cable->name, jig->name);
		goto out;
	}
	struct measure_cfg mc = { .rate = rate, .n_outputs = fx->n_outputs, .n_inputs = fx->n_inputs,
	                          .windows = windows };
	ms = measure_create(&mc, err);
	if (!ms) {
		cli_error("%s", err);
		goto out;
	}

	struct result_meta meta = { .serial = serial, .cable = cable->name, .jig = jig->name,
	                            .device = device, .started_at = (long long)time(NULL), .rate = rate,
	                            .limits = &cable->limits };
	status = EXIT_STATION;
	duplex_use_build_tree_sim(device);
	struct duplex_cfg dc = { .device = device, .rate = rate, .out_channels = fx->n_outputs,
	                         .in_channels = fx->n_inputs };
	int e = 0;
	dx = duplex_open(&dc, err, &e);
	if (!dx) {
		cli_error("%s", err);
		meta.error = err;
		result = result_json(&meta, fx, NULL, NULL);
		if (as_json || junit)
			status = cli_emit_result(result, as_json, junit) == EXIT_USAGE ? EXIT_USAGE : EXIT_STATION;
		goto out;
	}

	struct measurement m;
	struct classification cl;
	double t0 = now_ms();
	e = measure_run(ms, dx, &m);
	if (e < 0) {
		snprintf(err, sizeof(err), "measurement on '%s' failed: %s", device,
		         e == -ENODEV ? "the device went away" : strerror(-e));
		cli_error("%s", err);
		meta.error = err;
		meta.total_ms = now_ms() - t0;
		result = result_json(&meta, fx, NULL, NULL);
		if (as_json || junit)
			cli_emit_result(result, as_json, junit);
		goto out;
	}
	double t1 = now_ms();
	classifier_run(cls, &m.an, &cl);
	meta.classify_ms = now_ms() - t1;
	meta.total_ms = now_ms() - t0;
	result = result_json(&meta, fx, &cl, &m);
	if (save && save_capture(save, ms, fx, jig->name, cable->name, device, &m, result) < 0) {
		status = EXIT_USAGE;
		goto out;
	}
	status = cli_emit_result(result, as_json, junit);
out:
	json_decref(result);
	duplex_close(dx);
	measure_destroy(ms);
	classifier_destroy(cls);
	free(st);
	return status;
}
