/* tonewire run: measure a cable on a local ALSA device and give the verdict. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "cli.h"
#include "clock.h"
#include "devices.h"
#include "duplex.h"
#include "session.h"

static void usage(FILE *out)
{
	fprintf(out,
	"usage: tonewire run --device PCM --cable CABLE [--jig JIG] [OPTIONS]\n"
	"\n"
	"  -d, --device PCM     ALSA device: a real interface (hw:CARD) or the simulated\n"
	"                       jig, tonewire_sim:/path/to/scenario.conf\n"
	"      --playback PCM   a separate DAC (the same as --device) ...\n"
	"      --capture PCM    ... and ADC: two devices, two clocks\n"
	"      --interface NAME interface profile (profiles/interfaces/) whose mixer settings\n"
	"                       are applied; default: recognised from the card; 'none': none\n"
	"      --outputs LIST   device channels of the jig's outputs, e.g. 3,4 (default 1,2,...)\n"
	"      --inputs LIST    device channels of the jig's inputs\n"
	"  -c, --cable CABLE    cable profile (name or path)\n"
	"  -j, --jig JIG        jig profile (name or path); for tonewire_sim the\n"
	"                       scenario's jig is the default\n"
	"  -s, --serial S       serial number recorded in the result\n"
	"  -r, --rate HZ        sample rate (default 48000)\n"
	"      --windows N      analysis windows to average (default: as many as the\n"
	"                       bench's noise needs for the cable's SNR)\n"
	"      --json           print the result object (docs/result.md) instead of the report\n"
	"      --junit FILE     also write JUnit XML\n"
	"      --save-capture F  keep the raw capture as WAV file F, its stimulus plan\n"
	"                       beside it (F with .json); 'tonewire analyze F' reads it back\n"
	"  -p, --profiles DIR   look for profiles in DIR first\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0 pass, 1 fail, 2 usage or bad input, 3 station error.\n");
}

struct run_opts {
	const char *device, *capture, *interface, *cable, *jig, *serial, *junit, *extra, *save;
	unsigned rate, windows;
	int as_json;
	unsigned n_out, n_in;                    /* given channel lists, 0 = none */
	unsigned out_map[FIXTURE_MAX_CHANNELS], in_map[FIXTURE_MAX_CHANNELS];
};

/* "3,4" (or "3 4") into map; how many, or 0 after telling the user why. */
static unsigned channel_list(const char *opt, const char *s, unsigned *map)
{
	unsigned n = 0;
	char *end;

	while (*s) {
		unsigned long v = strtoul(s, &end, 10);
		if (end == s || v < 1 || v > DUPLEX_MAX_CHANNELS || n == FIXTURE_MAX_CHANNELS) {
			cli_error("%s: '%s' is not a list of device channels (1..%d), e.g. 3,4", opt, s, DUPLEX_MAX_CHANNELS);
			return 0;
		}
		map[n++] = (unsigned)v;
		s = end;
		while (*s == ',' || *s == ' ')
			s++;
	}
	if (!n)
		cli_error("%s: expected device channels, e.g. 3,4", opt);
	return n;
}

/* Parse the options. -1 to go on, else the exit status. */
static int parse(int argc, char **argv, struct run_opts *o)
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
		{ "playback", required_argument, NULL, 'd' },
		{ "capture", required_argument, NULL, 'C' },
		{ "interface", required_argument, NULL, 'I' },
		{ "outputs", required_argument, NULL, 'O' },
		{ "inputs", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:c:j:s:r:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->device = optarg; break;
		case 'c': o->cable = optarg; break;
		case 'j': o->jig = optarg; break;
		case 's': o->serial = optarg; break;
		case 'r':
			if (cli_rate_arg(optarg, &o->rate) < 0)
				return EXIT_USAGE;
			break;
		case 'w':
			if (cli_windows_arg(optarg, &o->windows) < 0)
				return EXIT_USAGE;
			break;
		case 'J': o->as_json = 1; break;
		case 'U': o->junit = optarg; break;
		case 'p': o->extra = optarg; break;
		case 'W': o->save = optarg; break;
		case 'C': o->capture = optarg; break;
		case 'I': o->interface = optarg; break;
		case 'O':
			if (!(o->n_out = channel_list("--outputs", optarg, o->out_map)))
				return EXIT_USAGE;
			break;
		case 'N':
			if (!(o->n_in = channel_list("--inputs", optarg, o->in_map)))
				return EXIT_USAGE;
			break;
		case 'h': usage(stdout); return EXIT_PASS;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("run: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!o->device || !o->cable) {
		cli_error("run: --device (or --playback) and --cable are required (try 'tonewire run --help')");
		return EXIT_USAGE;
	}
	return -1;
}

/* Print a station error for people, and the result too when asked for it. */
static int station_error(json_t *result, const struct run_opts *o)
{
	const char *why = json_string_value(json_object_get(result, "error"));
	cli_error("%s", why ? why : "the measurement failed");
	if (o->as_json || o->junit)
		return cli_emit_result(result, o->as_json, o->junit) == EXIT_USAGE ? EXIT_USAGE : EXIT_STATION;
	return EXIT_STATION;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { .rate = 48000, .windows = 0 };   /* 0: the measurement chooses */
	char err[PROFILE_ERR_MAX];
	struct station_cable *st = NULL;
	struct tw_interface *iface = NULL;
	struct profiles prof;
	classifier *cls = NULL;
	measure *ms = NULL;
	duplex *dx = NULL;
	json_t *result = NULL;
	int status = parse(argc, argv, &o), e = 0;

	if (status >= 0)
		return status;
	status = EXIT_USAGE;
	if (!(st = cli_station_load("run", o.extra, o.device, o.jig, o.cable)))
		goto out;
	if (!(cls = classifier_create(&st->fx, &st->expected, &st->cable.limits))) {
		cli_error("cannot set up the classifier for cable '%s' on jig '%s'", st->cable.name, st->jig.name);
		goto out;
	}
	struct measure_cfg mc = { .rate = o.rate, .n_outputs = st->fx.n_outputs, .n_inputs = st->fx.n_inputs,
	                          .windows = o.windows, .min_snr_db = st->cable.limits.min_snr_db,
	                          .expected = classifier_expected(cls) };
	if (!(ms = measure_create(&mc, err))) {
		cli_error("%s", err);
		goto out;
	}
	struct session s = { .ms = ms, .cls = cls, .sc = st, .t0 = clock_now_ms(),
	                     .meta = { .serial = o.serial, .device = o.device, .rate = o.rate,
	                               .started_at = (long long)time(NULL) } };
	if ((o.n_out && o.n_out != st->fx.n_outputs) || (o.n_in && o.n_in != st->fx.n_inputs)) {
		cli_error("run: jig %s has %u outputs and %u inputs: --outputs/--inputs must list as many channels",
		          st->jig.name, st->fx.n_outputs, st->fx.n_inputs);
		goto out;
	}
	profiles_init(&prof, o.extra);
	if (!(iface = malloc(2 * sizeof(*iface)))) {
		cli_error("out of memory");
		goto out;
	}
	if (o.interface && strcmp(o.interface, "none") != 0 && iface_load(&prof, o.interface, &iface[1], err) < 0) {
		cli_error("--interface: %s", err);
		goto out;
	}
	struct devices_open dop = { .device = o.device, .capture_device = o.capture, .profiles = &prof,
	                            .iface = o.interface && strcmp(o.interface, "none") ? &iface[1] : NULL,
	                            .no_iface = o.interface && !strcmp(o.interface, "none"), .rate = o.rate,
	                            .out_channels = st->fx.n_outputs, .in_channels = st->fx.n_inputs,
	                            .out_map = o.n_out ? o.out_map : st->jig.out_channel,
	                            .in_map = o.n_in ? o.in_map : st->jig.in_channel };
	if (!(dx = devices_open_duplex(&dop, &iface[0], err, &e))) {
		result = session_error(&s, e, err);
		status = result ? station_error(result, &o) : EXIT_STATION;
		goto out;
	}
	s.meta.format = duplex_format_name(dx);
	s.device_error = duplex_error(dx);   /* why a mixer control could not be set, if one cannot */
	struct pump pump = pump_duplex(dx);
	struct session_outcome out;
	result = session_test(&s, &pump, &out);
	if (!result) {
		cli_error("out of memory");
		goto out;
	}
	if (!out.measured) {
		status = station_error(result, &o);
		goto out;
	}
	if (o.save) {
		char cerr[CAPTURE_ERR_MAX];
		if (capture_save(o.save, ms, &st->fx, st->jig.name, st->cable.name, o.device, &out.m, cerr) < 0) {
			cli_error("--save-capture: %s", cerr);
			goto out;
		}
		json_object_set_new(result, "capture", json_string(o.save));
	}
	status = cli_emit_result(result, o.as_json, o.junit);
out:
	json_decref(result);
	duplex_close(dx);
	free(iface);
	measure_destroy(ms);
	classifier_destroy(cls);
	free(st);
	return status;
}
