/* flexmon: one flex session on the analysis side — the dropout tracker, its events named, announced and summed up. */
#include "flexmon.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flex.h"
#include "station.h"

/* Events taken out of the tracker per call; flexmon_feed hands it short
 * pieces, so this many cannot end in one of them unless every input drops
 * out several times within a few milliseconds. */
#define EV_BATCH 64
#define FEED_PIECE 1024

struct kept {
	double time_ms, duration_ms, depth, peak_db;
	unsigned input;
	int tone;
};

struct flexmon {
	struct flexmon_cfg cfg;
	struct toneplan plan;
	struct fixture fx;
	flex *tracker;                  /* analysis thread only */
	double latency;
	uint64_t offset;
	struct flex_event ev[EV_BATCH];

	pthread_mutex_t lock;           /* guards what follows: read by HTTP threads */
	unsigned long long count;
	double worst_ms;
	unsigned n_kept;
	struct kept kept[FLEXMON_MAX_KEPT];
	/* contacts that took part in any event, in order of first appearance */
	unsigned n_contacts;
	int contact[FIXTURE_MAX_CONTACTS];
};

flexmon *flexmon_create(const struct flexmon_cfg *cfg)
{
	flexmon *fm = calloc(1, sizeof(*fm));
	if (!fm)
		return NULL;
	fm->cfg = *cfg;
	fm->plan = *cfg->plan;
	fm->fx = *cfg->fx;
	fm->cfg.plan = &fm->plan;
	fm->cfg.fx = &fm->fx;
	pthread_mutex_init(&fm->lock, NULL);
	return fm;
}

void flexmon_destroy(flexmon *fm)
{
	if (!fm)
		return;
	flex_destroy(fm->tracker);
	pthread_mutex_destroy(&fm->lock);
	free(fm);
}

int flexmon_stream(flexmon *fm, const struct analysis *reference, double latency_frames,
                   uint64_t offset_frames)
{
	struct flex_cfg fc = { .plan = &fm->plan, .n_inputs = fm->fx.n_inputs, .latency_frames = latency_frames };
	flex *t = flex_create(&fc);
	if (!t)
		return -ENOMEM;
	flex_set_reference(t, reference);
	flex_destroy(fm->tracker);
	fm->tracker = t;
	fm->latency = latency_frames;
	fm->offset = offset_frames;
	return 0;
}


/* The near-end contact the tone drives (when the tracker could tell which
 * path changed) and the far-end contact the input senses. */
static unsigned event_contacts(const flexmon *fm, const struct kept *k, int out[2])
{
	unsigned n = 0;
	if (k->tone >= 0 && (unsigned)k->tone < fm->fx.n_outputs)
		out[n++] = fm->fx.output[k->tone];
	if (k->input < fm->fx.n_inputs)
		out[n++] = fm->fx.input_pos[k->input];
	return n;
}

static double round3(double x)
{
	return isfinite(x) ? round(x * 1000.0) / 1000.0 : 0.0;
}

static json_t *event_json(const flexmon *fm, const struct kept *k)
{
	json_t *o = json_object(), *contacts = json_array();
	char name[2 * FIXTURE_NAME_MAX + 4];
	int c[2];
	unsigned n = event_contacts(fm, k, c);
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(contacts, json_string(fm->fx.contact[c[i]].name));
	station_input_name(&fm->fx, k->input, name, sizeof(name));
	json_object_set_new(o, "time_ms", json_real(round3(k->time_ms)));
	json_object_set_new(o, "duration_ms", json_real(round3(k->duration_ms)));
	json_object_set_new(o, "input", json_string(name));
	json_object_set_new(o, "contacts", contacts);
	json_object_set_new(o, "depth", json_real(round3(k->depth)));
	json_object_set_new(o, "peak_db", json_real(round3(k->peak_db)));
	return o;
}

static void note_contact(flexmon *fm, int c)
{
	for (unsigned i = 0; i < fm->n_contacts; i++)
		if (fm->contact[i] == c)
			return;
	if (fm->n_contacts < FIXTURE_MAX_CONTACTS)
		fm->contact[fm->n_contacts++] = c;
}

static void record(flexmon *fm, const struct flex_event *e)
{
	unsigned rate = fm->cfg.rate;
	/* The event's capture frame heard the stimulus `latency` frames earlier:
	 * that is when the conductor opened, on the clock of the session. */
	struct kept k = {
		.time_ms = ((double)fm->offset + (double)e->start - fm->latency) * 1000.0 / rate,
		.duration_ms = (double)e->frames * 1000.0 / rate,
		.depth = e->depth, .peak_db = e->peak_db, .input = e->input, .tone = e->tone,
	};
	if (k.time_ms < 0)
		k.time_ms = 0;
	int c[2];
	unsigned n = event_contacts(fm, &k, c);

	pthread_mutex_lock(&fm->lock);
	fm->count++;
	if (k.duration_ms > fm->worst_ms)
		fm->worst_ms = k.duration_ms;
	if (fm->n_kept < FLEXMON_MAX_KEPT)
		fm->kept[fm->n_kept++] = k;
	for (unsigned i = 0; i < n; i++)
		note_contact(fm, c[i]);
	unsigned long long count = fm->count;
	pthread_mutex_unlock(&fm->lock);

	json_t *o = event_json(fm, &k);
	json_object_set_new(o, "session", json_integer(fm->cfg.session));
	json_object_set_new(o, "count", json_integer((json_int_t)count));
	if (fm->cfg.on_event)
		fm->cfg.on_event(fm->cfg.ctx, o);
	json_decref(o);
}

int flexmon_feed(flexmon *fm, const float *capture, unsigned frames, uint64_t pos)
{
	int total = 0;
	if (!fm->tracker)
		return -EINVAL;
	while (frames) {
		unsigned take = frames < FEED_PIECE ? frames : FEED_PIECE, n = 0;
		if (flex_process(fm->tracker, capture, take, pos, fm->ev, EV_BATCH, &n) < 0)
			return -EINVAL;
		for (unsigned i = 0; i < n; i++)
			record(fm, &fm->ev[i]);
		total += (int)n;
		capture += (size_t)take * fm->fx.n_inputs;
		pos += take;
		frames -= take;
	}
	return total;
}

unsigned long long flexmon_count(flexmon *fm)
{
	pthread_mutex_lock(&fm->lock);
	unsigned long long n = fm->count;
	pthread_mutex_unlock(&fm->lock);
	return n;
}

double flexmon_worst_ms(flexmon *fm)
{
	pthread_mutex_lock(&fm->lock);
	double w = fm->worst_ms;
	pthread_mutex_unlock(&fm->lock);
	return w;
}

json_t *flexmon_json(flexmon *fm)
{
	json_t *o = json_object(), *arr = json_array();
	pthread_mutex_lock(&fm->lock);
	for (unsigned i = 0; i < fm->n_kept; i++)
		json_array_append_new(arr, event_json(fm, &fm->kept[i]));
	json_object_set_new(o, "count", json_integer((json_int_t)fm->count));
	json_object_set_new(o, "worst_ms", json_real(round3(fm->worst_ms)));
	json_object_set_new(o, "events", arr);
	json_object_set_new(o, "events_dropped", json_integer((json_int_t)(fm->count - fm->n_kept)));
	pthread_mutex_unlock(&fm->lock);
	return o;
}

void flexmon_finish_result(flexmon *fm, json_t *result, double seconds, const char *ended_by)
{
	/* A dropout still open when the session ends is one all the same. */
	if (fm->tracker) {
		unsigned n = 0;
		flex_flush(fm->tracker, fm->ev, EV_BATCH, &n);
		for (unsigned i = 0; i < n; i++)
			record(fm, &fm->ev[i]);
	}
	json_t *summary = flexmon_json(fm);
	json_object_set_new(summary, "seconds", json_real(round3(seconds)));
	json_object_set_new(summary, "ended_by", json_string(ended_by));
	json_object_set_new(result, "kind", json_string("flex"));

	pthread_mutex_lock(&fm->lock);
	unsigned long long count = fm->count;
	double worst = fm->worst_ms;
	unsigned n_contacts = fm->n_contacts;
	int contact[FIXTURE_MAX_CONTACTS];
	memcpy(contact, fm->contact, sizeof(contact));
	pthread_mutex_unlock(&fm->lock);

	json_t *faults = json_object_get(result, "faults");
	if (count && json_is_array(faults)) {
		json_t *f = json_object(), *contacts = json_array();
		char summary_text[256], names[160] = "";
		for (unsigned i = 0; i < n_contacts; i++) {
			size_t len = strlen(names);
			json_array_append_new(contacts, json_string(fm->fx.contact[contact[i]].name));
			snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "", fm->fx.contact[contact[i]].name);
		}
		snprintf(summary_text, sizeof(summary_text),
		         "Intermittent: %llu dropout%s while flexed, the longest %.1f ms (%s)", count,
		         count == 1 ? "" : "s", worst, names[0] ? names : "path unclear");
		json_object_set_new(f, "code", json_string("intermittent"));
		json_object_set_new(f, "contacts", contacts);
		json_object_set_new(f, "summary", json_string(summary_text));
		json_object_set_new(f, "confidence", json_real(1.0));
		json_object_set_new(f, "count", json_integer((json_int_t)count));
		json_object_set_new(f, "worst_ms", json_real(round3(worst)));
		json_array_append_new(faults, f);
		const char *v = json_string_value(json_object_get(result, "verdict"));
		if (!v || strcmp(v, "error") != 0)
			json_object_set_new(result, "verdict", json_string("fail"));
	}
	json_object_set_new(result, "flex", summary);
}
