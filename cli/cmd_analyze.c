/* tonewire analyze: the verdict of a saved capture, from the WAV and the stimulus plan beside it. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "measure.h"
#include "result.h"

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

static int get_uint(const json_t *o, const char *key, unsigned *out, const char *path)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 0xffffffffLL) {
		cli_error("%s: \"%s\" must be a non-negative integer", path, key);
		return -EINVAL;
	}
	*out = (unsigned)json_integer_value(v);
	return 0;
}

struct plan {
	unsigned rate, window, windows, max_latency, seed, n_out, n_in;
	char jig[256], cable[256];
	json_t *tones;
};

static int read_plan(const char *path, struct plan *p, json_t **root)
{
	json_error_t je;
	json_t *o = json_load_file(path, 0, &je);
	json_t *tl;
	if (!o) {
		if (je.line <= 0 && je.position <= 0)
			cli_error("cannot read the plan '%s': %s", path, je.text);
		else
			cli_error("%s:%d: not a stimulus plan (JSON: %s)", path, je.line, je.text);
		return -EINVAL;
	}
	*root = o;
	const char *fmt = json_string_value(json_object_get(o, "format"));
	if (!fmt || strncmp(fmt, "tonewire-capture/", 17) != 0) {
		cli_error("%s: not a tonewire stimulus plan (\"format\" must be \"tonewire-capture/1\")", path);
		return -EINVAL;
	}
	tl = json_object_get(o, "timeline");
	if (!json_is_object(tl)) {
		cli_error("%s: \"timeline\" is missing", path);
		return -EINVAL;
	}
	if (get_uint(o, "rate", &p->rate, path) || get_uint(o, "window", &p->window, path) ||
	    get_uint(o, "seed", &p->seed, path) || get_uint(tl, "windows", &p->windows, path) ||
	    get_uint(tl, "max_latency", &p->max_latency, path))
		return -EINVAL;
	p->tones = json_object_get(o, "tones");
	json_t *ins = json_object_get(o, "inputs");
	if (!json_is_array(p->tones) || !json_array_size(p->tones) ||
	    json_array_size(p->tones) > TONEPLAN_MAX_TONES) {
		cli_error("%s: \"tones\" must list 1 to %d tones", path, TONEPLAN_MAX_TONES);
		return -EINVAL;
	}
	if (!json_is_array(ins) || !json_array_size(ins) || json_array_size(ins) > ANALYZER_MAX_INPUTS) {
		cli_error("%s: \"inputs\" must list 1 to %d inputs", path, ANALYZER_MAX_INPUTS);
		return -EINVAL;
	}
	p->n_out = (unsigned)json_array_size(p->tones);
	p->n_in = (unsigned)json_array_size(ins);
	snprintf(p->jig, sizeof(p->jig), "%s", json_string_value(json_object_get(o, "jig")) ?: "");
	snprintf(p->cable, sizeof(p->cable), "%s", json_string_value(json_object_get(o, "cable")) ?: "");
	return 0;
}

/* The plan is re-made from its parameters; it must be the plan that played. */
static int plan_matches(const struct toneplan *tp, const struct plan *p, const char *path)
{
	size_t k;
	json_t *t;
	json_array_foreach(p->tones, k, t) {
		json_int_t bin = json_integer_value(json_object_get(t, "bin"));
		double amp = json_number_value(json_object_get(t, "amplitude"));
		double ph = json_number_value(json_object_get(t, "phase_rad"));
		if (bin != (json_int_t)tp->bin[k] || fabs(amp - tp->amplitude[k]) > 1e-9 ||
		    fabs(remainder(ph - tp->phase_rad[k], 2 * M_PI)) > 1e-9) {
			cli_error("%s: tone %zu (bin %lld) is not what this version of tonewire plays for %u outputs "
			          "at %u Hz (bin %u): the capture cannot be analysed", path, k + 1, (long long)bin,
			          p->n_out, p->rate, tp->bin[k]);
			return -EINVAL;
		}
	}
	return 0;
}

static float *read_wav(const char *path, const struct plan *p, unsigned *frames)
{
	SF_INFO info = { 0 };
	SNDFILE *sf = sf_open(path, SFM_READ, &info);
	float *buf = NULL;
	if (!sf) {
		cli_error("%s: not a readable WAV file (%s)", path, sf_strerror(NULL));
		return NULL;
	}
	if ((unsigned)info.channels != p->n_in || (unsigned)info.samplerate != p->rate) {
		cli_error("%s: %d channels at %d Hz, but the plan was captured on %u inputs at %u Hz",
		          path, info.channels, info.samplerate, p->n_in, p->rate);
		goto fail;
	}
	if (info.frames <= 0 || info.frames > 100000000) {
		cli_error("%s: %lld frames is not a capture", path, (long long)info.frames);
		goto fail;
	}
	buf = malloc((size_t)info.frames * info.channels * sizeof(float));
	if (!buf) {
		cli_error("%s: out of memory", path);
		goto fail;
	}
	sf_count_t got = sf_readf_float(sf, buf, info.frames);
	if (got != info.frames) {
		cli_error("%s: truncated (%lld of %lld frames)", path, (long long)got, (long long)info.frames);
		free(buf);
		buf = NULL;
		goto fail;
	}
	*frames = (unsigned)got;
fail:
	sf_close(sf);
	return buf;
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
	char planbuf[1024], err[PROFILE_ERR_MAX];
	int as_json = 0, c, status = EXIT_USAGE;
	struct plan p = { 0 };
	json_t *plan_root = NULL, *result = NULL;
	struct cli_station *st = NULL;
	struct tw_jig *jig = NULL;
	struct tw_cable *cable = NULL;
	struct fixture *fx = NULL;
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
		size_t n = strlen(wav);
		if (n > 4 && !strcasecmp(wav + n - 4, ".wav"))
			snprintf(planbuf, sizeof(planbuf), "%.*s.json", (int)(n - 4), wav);
		else
			snprintf(planbuf, sizeof(planbuf), "%s.json", wav);
		plan_path = planbuf;
	}
	if (read_plan(plan_path, &p, &plan_root) < 0)
		goto out;
	if (!jig_name)
		jig_name = p.jig;
	if (!cable_name)
		cable_name = p.cable;
	if (!*jig_name || !*cable_name) {
		cli_error("%s names no %s: give --%s", plan_path, *jig_name ? "cable" : "jig",
		          *jig_name ? "cable" : "jig");
		goto out;
	}
	st = cli_station_load("analyze", extra, NULL, jig_name, cable_name);
	if (!st)
		goto out;
	jig = &st->jig;
	cable = &st->cable;
	fx = &st->fx;
	if (fx->n_outputs != p.n_out || fx->n_inputs != p.n_in) {
		cli_error("jig '%s' has %u outputs and %u inputs, the capture %u and %u", jig->name,
		          fx->n_outputs, fx->n_inputs, p.n_out, p.n_in);
		goto out;
	}
	struct measure_cfg mc = { .rate = p.rate, .n_outputs = p.n_out, .n_inputs = p.n_in,
	                          .window = p.window, .windows = p.windows,
	                          .max_latency = p.max_latency, .seed = p.seed };
	ms = measure_create(&mc, err);
	if (!ms) {
		cli_error("%s: %s", plan_path, err);
		goto out;
	}
	if (plan_matches(measure_plan(ms), &p, plan_path) < 0)
		goto out;
	frames = read_wav(wav, &p, &n_frames);
	if (!frames)
		goto out;
	cls = classifier_create(fx, &st->expected, &cable->limits);
	if (!cls) {
		cli_error("cannot set up the classifier");
		goto out;
	}
	struct measurement m;
	struct classification cl;
	if (measure_analyze(ms, frames, n_frames, &m) < 0) {
		cli_error("%s: %u frames is too short for its plan (needs at least %u)", wav, n_frames,
		          measure_timeline(ms)->capture_max - measure_timeline(ms)->max_latency);
		goto out;
	}
	classifier_run(cls, &m.an, &cl);
	struct result_meta meta = { .serial = serial, .cable = cable->name, .jig = jig->name,
	                            .started_at = (long long)time(NULL), .rate = p.rate, .limits = &cable->limits };
	result = result_json(&meta, fx, &cl, &m);
	json_object_set_new(result, "capture", json_string(wav));
	status = cli_emit_result(result, as_json, junit);
out:
	json_decref(result);
	json_decref(plan_root);
	free(frames);
	measure_destroy(ms);
	classifier_destroy(cls);
	free(st);
	return status;
}
