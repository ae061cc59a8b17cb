/* tonewire flex: play the tones continuously on a local jig and report every dropout while the cable is flexed. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "duplex.h"
#include "flex.h"
#include "measure.h"
#include "result.h"
#include "stimulus.h"

#define MAX_EVENTS 1024

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
	"  -t, --seconds S      how long to watch (default 10)\n"
	"  -r, --rate HZ        sample rate (default 48000)\n"
	"      --json           one JSON object with the events and the verdict\n"
	"  -p, --profiles DIR   look for profiles in DIR first\n"
	"\n"
	"Through tonewired (no --device): --server URL (default $TONEWIRE_SERVER or\n"
	"http://127.0.0.1:8640), --token T (default $TONEWIRE_TOKEN), --serial S\n"
	"recorded with the session; the daemon's jig and its default cable are used.\n"
	"\n"
	"Exit status: 0 no dropout, 1 intermittent, 2 usage, 3 station error.\n");
}

struct session {
	const struct fixture *fx;
	stimulus *stim;
	flex *fl;
	unsigned rate, n_in;
	uint64_t pos;
	double latency;     /* round trip, frames: event times are given when the stimulus played */
	int as_json;
	struct flex_event ev[MAX_EVENTS];
	unsigned n_ev;
	uint64_t dropped;   /* events beyond MAX_EVENTS: counted, not kept */
};

static void render(void *ctx, float *out, unsigned frames)
{
	struct session *s = ctx;
	stimulus_render(s->stim, out, frames);
}

static void print_event(const struct session *s, const struct flex_event *e)
{
	const struct fixture *f = s->fx;
	const char *near = e->tone >= 0 ? f->contact[f->output[e->tone]].name : "?";
	const char *far = f->contact[f->input_pos[e->input]].name;
	printf("%10.1f ms  %-10s -> %-10s %s %.1f ms (%.0f%% of the tone lost)\n",
	       1000.0 * ((double)e->start - s->latency) / s->rate, near, far, e->depth >= 0 ? "dropout   " : "level jump",
	       1000.0 * e->frames / s->rate, 100.0 * e->depth);
	fflush(stdout);
}

static int sink(void *ctx, const float *in, unsigned frames)
{
	struct session *s = ctx;
	unsigned n = 0;
	flex_process(s->fl, in, frames, s->pos, s->n_ev < MAX_EVENTS ? s->ev + s->n_ev : NULL,
	             s->n_ev < MAX_EVENTS ? MAX_EVENTS - s->n_ev : 0, &n);
	for (unsigned i = 0; i < n; i++)
		if (!s->as_json)
			print_event(s, &s->ev[s->n_ev + i]);
	s->n_ev += n;
	s->pos += frames;
	return 0;
}

static json_t *event_json(const struct session *s, const struct flex_event *e)
{
	const struct fixture *f = s->fx;
	json_t *o = json_object(), *contacts = json_array();
	if (e->tone >= 0)
		json_array_append_new(contacts, json_string(f->contact[f->output[e->tone]].name));
	json_array_append_new(contacts, json_string(f->contact[f->input_pos[e->input]].name));
	json_object_set_new(o, "time_ms", json_real(round(1e4 * ((double)e->start - s->latency) / s->rate) / 10));
	json_object_set_new(o, "duration_ms", json_real(round(1e4 * e->frames / s->rate) / 10));
	json_object_set_new(o, "contacts", contacts);
	json_object_set_new(o, "depth", json_real(round(e->depth * 1000) / 1000));
	return o;
}

int cmd_flex(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' }, { "cable", required_argument, NULL, 'c' },
		{ "jig", required_argument, NULL, 'j' }, { "seconds", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, 'r' }, { "json", no_argument, NULL, 'J' },
		{ "profiles", required_argument, NULL, 'p' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *device = NULL, *cable_name = NULL, *jig_name = NULL, *extra = NULL;
	double seconds = 10;
	unsigned rate = 48000;
	int as_json = 0, c, status = EXIT_USAGE, e;
	char err[PROFILE_ERR_MAX];
	struct cli_station *st = NULL;
	struct tw_jig *jig = NULL;
	struct tw_cable *cable = NULL;
	struct fixture *fx = NULL;
	struct session *s = calloc(1, sizeof(*s));
	duplex *dx = NULL;
	measure *ms = NULL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:c:j:t:r:p:h", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'd': device = optarg; break;
		case 'c': cable_name = optarg; break;
		case 'j': jig_name = optarg; break;
		case 't':
			seconds = strtod(optarg, &end);
			if (*end || !(seconds > 0 && seconds <= 86400)) {
				cli_error("--seconds: '%s' is not a duration from 0 to 86400 s", optarg);
				goto out;
			}
			break;
		case 'r':
			rate = (unsigned)strtoul(optarg, &end, 10);
			if (*end || rate < TONEPLAN_MIN_RATE || rate > TONEPLAN_MAX_RATE) {
				cli_error("--rate: '%s' is not a sample rate in Hz (8000..384000)", optarg);
				goto out;
			}
			break;
		case 'J': as_json = 1; break;
		case 'p': extra = optarg; break;
		case 'h': usage(stdout); status = 0; goto out;
		default: usage(stderr); goto out;
		}
	}
	if (optind < argc) {
		cli_error("flex: unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!device || !cable_name) {
		cli_error("flex: --device and --cable are required for a local jig (try 'tonewire flex --help')");
		goto out;
	}
	if (!s) {
		cli_error("out of memory");
		goto out;
	}
	st = cli_station_load("flex", extra, device, jig_name, cable_name);
	if (!st)
		goto out;
	jig = &st->jig;
	cable = &st->cable;
	fx = &st->fx;
	struct measure_cfg mc = { .rate = rate, .n_outputs = fx->n_outputs, .n_inputs = fx->n_inputs };
	ms = measure_create(&mc, err);
	if (!ms) {
		cli_error("%s", err);
		goto out;
	}
	s->fx = fx;
	s->rate = rate;
	s->n_in = fx->n_inputs;
	s->as_json = as_json;

	status = EXIT_STATION;
	duplex_use_build_tree_sim(device);
	struct duplex_cfg dc = { .device = device, .rate = rate, .out_channels = fx->n_outputs,
	                         .in_channels = fx->n_inputs };
	dx = duplex_open(&dc, err, &e);
	if (!dx) {
		cli_error("%s", err);
		goto out;
	}
	/* One ordinary measurement first: it gives the round trip (so event times
	 * are when the stimulus played) and the cable's transfer matrix (so the
	 * tracker predicts from the first frame instead of learning it). */
	struct measurement m;
	if ((e = measure_run(ms, dx, &m)) < 0 || !m.coarse.found) {
		cli_error("%s", e < 0 ? "the reference measurement failed" :
		          "no tone came back: is a cable in the jig?");
		goto out;
	}
	/* The same plan, tones from frame 0 with no probe: its phases at every
	 * frame are those the reference was measured against. */
	struct stimulus_cfg sc = { .plan = measure_plan(ms), .fade_frames = measure_plan(ms)->window / 16,
	                           .seed = 1 };
	struct flex_cfg fc = { .plan = measure_plan(ms), .n_inputs = fx->n_inputs,
	                       .latency_frames = m.latency_frames };
	s->stim = stimulus_create(&sc);
	s->fl = flex_create(&fc);
	if (!s->stim || !s->fl) {
		cli_error("cannot set up the flex tracker");
		goto out;
	}
	flex_set_reference(s->fl, &m.an);
	s->latency = m.latency_frames;
	if (!as_json)
		printf("flexing %s on %s for %.0f s (round trip %.1f frames): flex now\n", cable->name,
		       jig->name, seconds, m.latency_frames);
	unsigned xruns = 0;
	e = duplex_run(dx, render, sink, s, (uint64_t)(seconds * rate), &xruns);
	if (e < 0) {
		cli_error("the stream on '%s' stopped: %s", device,
		          e == -ENODEV ? "the device went away" : e == -EPIPE ? "xrun (the machine was too busy)" : strerror(-e));
		goto out;
	}

	/* The verdict: every event counts; the worst is the longest. */
	double worst = 0;
	for (unsigned i = 0; i < s->n_ev; i++)
		if (s->ev[i].frames > worst)
			worst = (double)s->ev[i].frames;
	worst = 1000.0 * worst / rate;
	if (as_json) {
		json_t *o = json_object(), *evs = json_array(), *faults = json_array();
		for (unsigned i = 0; i < s->n_ev; i++)
			json_array_append_new(evs, event_json(s, &s->ev[i]));
		if (s->n_ev) {
			json_t *ft = json_object(), *contacts = json_array();
			char summary[200];
			for (unsigned i = 0; i < fx->n_contacts; i++) {
				int hit = 0;
				for (unsigned k = 0; k < s->n_ev && !hit; k++)
					hit = (s->ev[k].tone >= 0 && fx->output[s->ev[k].tone] == (int)i) ||
					      fx->input_pos[s->ev[k].input] == (int)i;
				if (hit)
					json_array_append_new(contacts, json_string(fx->contact[i].name));
			}
			snprintf(summary, sizeof(summary), "Intermittent contact: %u dropout%s while flexed, the longest %.1f ms",
			         s->n_ev, s->n_ev == 1 ? "" : "s", worst);
			json_object_set_new(ft, "code", json_string("intermittent"));
			json_object_set_new(ft, "contacts", contacts);
			json_object_set_new(ft, "summary", json_string(summary));
			json_object_set_new(ft, "confidence", json_real(1.0));
			json_object_set_new(ft, "count", json_integer(s->n_ev));
			json_object_set_new(ft, "worst_ms", json_real(round(worst * 10) / 10));
			json_array_append_new(faults, ft);
		}
		json_object_set_new(o, "kind", json_string("flex"));
		json_object_set_new(o, "cable", json_string(cable->name));
		json_object_set_new(o, "jig", json_string(jig->name));
		json_object_set_new(o, "verdict", json_string(s->n_ev ? "fail" : "pass"));
		json_object_set_new(o, "faults", faults);
		json_object_set_new(o, "events", evs);
		json_object_set_new(o, "seconds", json_real(seconds));
		json_object_set_new(o, "xruns", json_integer(xruns));
		char *txt = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(txt ? txt : "{}");
		free(txt);
		json_decref(o);
	} else if (s->n_ev) {
		printf("FAIL  intermittent: %u dropout%s in %.0f s, the longest %.1f ms\n", s->n_ev,
		       s->n_ev == 1 ? "" : "s", seconds, worst);
	} else {
		printf("PASS  no dropout in %.0f s\n", seconds);
	}
	status = s->n_ev ? EXIT_FAIL : EXIT_PASS;
out:
	duplex_close(dx);
	measure_destroy(ms);
	if (s) {
		stimulus_destroy(s->stim);
		flex_destroy(s->fl);
	}
	free(s);
	free(st);
	return status;
}
