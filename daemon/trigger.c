/* trigger: hands-free testing — a quiet pilot on the jig tells when a cable goes in (fully) and comes out. */
#include "trigger.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "stimulus.h"

/* −30 dB re the test's tones: continuity stands 40..50 dB above the noise
 * floor of any interface worth testing with, yet an operator with the
 * cable to an ear hears a faint hiss of tones, not a test. */
#define PILOT_LEVEL 0.0316227766

/* A path counts when the good cable's gain on it is at least a tenth of
 * the largest: what a good cable carries, not the crosstalk of its ground
 * or the jig's loads (tens of dB lower). */
#define EXPECTED_FRACTION 0.1

/* Present above half the expected gain: a made contact reads its gain
 * within a few per cent (a high-resistance conductor of tens of ohms still
 * reads > 0.8 on the jigs we ship); half leaves room for that and for a
 * contact that is made for most of a window. Absent below a tenth: an open
 * path leaves only crosstalk and noise, tens of dB lower. In between is a
 * contact changing during the window: neither. */
#define PRESENT_FRACTION 0.5
#define ABSENT_FRACTION 0.1

enum tstate { T_ARMED = 0, T_INSERT_FULLY, T_TESTING, T_WAITING_REMOVAL };
static const char *const tstate_names[] = { "armed", "insert_fully", "testing", "waiting_removal" };

/* What one pilot window saw. */
enum seen { SEEN_NONE = 0, SEEN_IN, SEEN_OUT, SEEN_PARTIAL, SEEN_CHANGING };

struct trigger {
	struct toneplan plan;            /* the pilot's */
	struct fixture fx;
	unsigned n_in, n_out, debounce_frames, skip_frames;
	events *events;
	stimulus *stim;
	analyzer *an;
	float *win;                      /* one window of capture */
	unsigned n_paths;
	unsigned path_in[ANALYZER_MAX_INPUTS * TONEPLAN_MAX_TONES];
	unsigned path_tone[ANALYZER_MAX_INPUTS * TONEPLAN_MAX_TONES];
	double path_gain[ANALYZER_MAX_INPUTS * TONEPLAN_MAX_TONES];

	/* analysis side only */
	unsigned filled, skip;
	unsigned long long pos;          /* capture frames of this stream */
	enum seen cand;                  /* what the last windows agree on */
	unsigned long long cand_since;   /* first frame of the first of them */
	int path_ok[ANALYZER_MAX_INPUTS * TONEPLAN_MAX_TONES];   /* of the last window */
	struct analysis a;

	pthread_mutex_t lock;            /* guards what follows: read by HTTP threads */
	enum tstate state;
	char present[FIXTURE_MAX_CONTACTS], missing[FIXTURE_MAX_CONTACTS];
	char serial[TRIGGER_SERIAL_MAX + 1];
};

trigger *trigger_create(const struct trigger_setup *s)
{
	trigger *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	t->fx = *s->fx;
	t->n_in = s->fx->n_inputs;
	t->n_out = s->plan->n_tones;
	t->events = s->events;
	/* Windows a quarter of the test's (~21 ms) when the tones fit in them:
	 * a contact that bounces every few tens of ms then reads as coming and
	 * going, not as the average of both. */
	int e = -ERANGE;
	for (unsigned div = 4; div >= 1 && e < 0; div /= 2)
		e = toneplan_make(&t->plan, t->n_out, s->plan->rate, s->plan->window / div);
	if (e < 0)
		goto fail;
	for (unsigned k = 0; k < t->n_out; k++)
		t->plan.amplitude[k] *= PILOT_LEVEL;
	t->debounce_frames = (unsigned)((unsigned long long)s->debounce_ms * t->plan.rate / 1000);
	/* The first frames of a stream are the round trip (at most a quarter
	 * of the test's window) and the fade-in. */
	t->skip_frames = s->plan->window / 4 + t->plan.window / 8;

	double top = 0;
	for (unsigned i = 0; i < t->n_in * t->n_out; i++)
		if (s->expected[i] > top)
			top = s->expected[i];
	for (unsigned i = 0; i < t->n_in && top > 0; i++)
		for (unsigned k = 0; k < t->n_out; k++) {
			double g = s->expected[i * t->n_out + k];
			if (g >= EXPECTED_FRACTION * top) {
				t->path_in[t->n_paths] = i;
				t->path_tone[t->n_paths] = k;
				t->path_gain[t->n_paths++] = g;
			}
		}
	if (!t->n_paths)
		goto fail;

	struct stimulus_cfg sc = { .plan = &t->plan, .probe_frames = 0, .fade_frames = t->plan.window / 8 };
	struct analyzer_cfg ac = { .plan = &t->plan, .n_inputs = t->n_in };
	t->stim = stimulus_create(&sc);
	t->an = analyzer_create(&ac);
	t->win = calloc((size_t)t->plan.window * t->n_in, sizeof(float));
	if (!t->stim || !t->an || !t->win)
		goto fail;
	return t;
fail:
	trigger_destroy(t);
	return NULL;
}

void trigger_destroy(trigger *t)
{
	if (!t)
		return;
	stimulus_destroy(t->stim);
	analyzer_destroy(t->an);
	free(t->win);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

void trigger_render(void *ctx, float *out, unsigned frames)
{
	trigger *t = ctx;
	stimulus_render(t->stim, out, frames);
}

void trigger_begin(trigger *t)
{
	/* Called before the stream starts: the audio thread is not rendering. */
	stimulus_reset(t->stim);
	t->filled = 0;
	t->skip = t->skip_frames;
	t->pos = 0;
	t->cand = SEEN_NONE;
}

static void mark(const trigger *t, unsigned p, char *set)
{
	unsigned i = t->path_in[p];
	set[t->fx.output[t->path_tone[p]]] = 1;
	set[t->fx.input_pos[i]] = 1;
	if (t->fx.input_neg[i] >= 0)
		set[t->fx.input_neg[i]] = 1;
}

static enum seen look(trigger *t)
{
	unsigned present = 0, absent = 0;
	if (analyzer_run(t->an, t->win, 1, (double)t->pos, &t->a) < 0)
		return SEEN_CHANGING;
	for (unsigned p = 0; p < t->n_paths; p++) {
		unsigned i = t->path_in[p];
		/* Continuity into this input from any output: a miswired cable is
		 * still a cable that is in (the test then says what is wrong). */
		double g = 0;
		for (unsigned k = 0; k < t->n_out; k++)
			if (t->a.h[i][k].gain > g)
				g = t->a.h[i][k].gain;
		double r = g / t->path_gain[p];
		t->path_ok[p] = r >= PRESENT_FRACTION;
		present += r >= PRESENT_FRACTION;
		absent += r < ABSENT_FRACTION;
	}
	if (present == t->n_paths)
		return SEEN_IN;
	if (absent == t->n_paths)
		return SEEN_OUT;
	return present ? SEEN_PARTIAL : SEEN_CHANGING;
}

static json_t *names(const trigger *t, const char *set)
{
	json_t *a = json_array();
	for (unsigned c = 0; c < t->fx.n_contacts; c++)
		if (set[c])
			json_array_append_new(a, json_string(t->fx.contact[c].name));
	return a;
}

/* Lock held. */
static void describe(const trigger *t, json_t *o, enum tstate s)
{
	json_object_set_new(o, "trigger_state", json_string(tstate_names[s]));
	if (s == T_INSERT_FULLY) {
		json_object_set_new(o, "present", names(t, t->present));
		json_object_set_new(o, "missing", names(t, t->missing));
	}
}

static void publish(trigger *t)
{
	json_t *o = json_object();
	pthread_mutex_lock(&t->lock);
	enum tstate s = t->state;
	json_object_set_new(o, "state", json_string(tstate_names[s]));
	json_object_set_new(o, "trigger", json_string("auto"));
	if (s == T_INSERT_FULLY) {
		json_object_set_new(o, "present", names(t, t->present));
		json_object_set_new(o, "missing", names(t, t->missing));
	}
	pthread_mutex_unlock(&t->lock);
	events_publish(t->events, "state", o);
	json_decref(o);
}

static void set_state(trigger *t, enum tstate s)
{
	pthread_mutex_lock(&t->lock);
	int changed = t->state != s;
	t->state = s;
	pthread_mutex_unlock(&t->lock);
	if (changed)
		publish(t);
}

/* Which contacts the last window heard, and which not; 1 when that differs
 * from what the status says. */
static int note_partial(trigger *t)
{
	char present[FIXTURE_MAX_CONTACTS] = { 0 }, missing[FIXTURE_MAX_CONTACTS] = { 0 };
	for (unsigned p = 0; p < t->n_paths; p++)
		if (t->path_ok[p])
			mark(t, p, present);
	for (unsigned p = 0; p < t->n_paths; p++)
		if (!t->path_ok[p])
			mark(t, p, missing);
	/* A contact shared by a live path (a ground) is there. */
	for (unsigned c = 0; c < FIXTURE_MAX_CONTACTS; c++)
		if (present[c])
			missing[c] = 0;
	pthread_mutex_lock(&t->lock);
	int changed = memcmp(present, t->present, sizeof(present)) || memcmp(missing, t->missing, sizeof(missing));
	memcpy(t->present, present, sizeof(present));
	memcpy(t->missing, missing, sizeof(missing));
	pthread_mutex_unlock(&t->lock);
	return changed;
}

/* One window has been seen: move on when what it saw has held long enough. */
static int decide(trigger *t, enum seen s)
{
	if (s != t->cand) {
		t->cand = s;
		t->cand_since = t->pos - t->plan.window;
	}
	if (s == SEEN_CHANGING || t->pos - t->cand_since < t->debounce_frames)
		return 0;
	pthread_mutex_lock(&t->lock);
	enum tstate st = t->state;
	pthread_mutex_unlock(&t->lock);
	switch (st) {
	case T_ARMED:
	case T_INSERT_FULLY:
		if (s == SEEN_IN) {
			set_state(t, T_TESTING);
			return 1;
		}
		if (s == SEEN_PARTIAL) {
			int changed = note_partial(t);
			if (st != T_INSERT_FULLY)
				set_state(t, T_INSERT_FULLY);
			else if (changed)
				publish(t);
		} else if (s == SEEN_OUT) {
			set_state(t, T_ARMED);
		}
		break;
	case T_WAITING_REMOVAL:
		if (s == SEEN_OUT)
			set_state(t, T_ARMED);
		break;
	case T_TESTING:
		break;
	}
	return 0;
}

int trigger_feed(trigger *t, const float *capture, unsigned frames)
{
	while (frames) {
		if (t->skip) {
			unsigned n = frames < t->skip ? frames : t->skip;
			t->skip -= n;
			capture += (size_t)n * t->n_in;
			frames -= n;
			continue;
		}
		unsigned n = t->plan.window - t->filled;
		if (n > frames)
			n = frames;
		memcpy(t->win + (size_t)t->filled * t->n_in, capture, (size_t)n * t->n_in * sizeof(float));
		t->filled += n;
		t->pos += n;
		capture += (size_t)n * t->n_in;
		frames -= n;
		if (t->filled == t->plan.window) {
			t->filled = 0;
			if (decide(t, look(t)))
				return 1;
		}
	}
	return 0;
}

void trigger_testing(trigger *t)
{
	set_state(t, T_TESTING);
}

void trigger_tested(trigger *t)
{
	set_state(t, T_WAITING_REMOVAL);
}

int trigger_set_serial(trigger *t, const char *serial)
{
	if (serial && strlen(serial) > TRIGGER_SERIAL_MAX)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	snprintf(t->serial, sizeof(t->serial), "%s", serial ? serial : "");
	pthread_mutex_unlock(&t->lock);
	return 0;
}

int trigger_take_serial(trigger *t, char *buf, size_t len)
{
	pthread_mutex_lock(&t->lock);
	int has = t->serial[0] != '\0';
	snprintf(buf, len, "%s", t->serial);
	t->serial[0] = '\0';
	pthread_mutex_unlock(&t->lock);
	return has;
}

void trigger_status(trigger *t, json_t *status)
{
	pthread_mutex_lock(&t->lock);
	describe(t, status, t->state);
	json_object_set_new(status, "trigger_serial", t->serial[0] ? json_string(t->serial) : json_null());
	pthread_mutex_unlock(&t->lock);
}
