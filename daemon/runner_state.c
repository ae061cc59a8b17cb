/* runner_state: what the runner announces of itself — its state and the round trip it measured. */
#include "runner_priv.h"

#include "clock.h"

const char *const runner_state_names[] = { "idle", "measuring", "analysing", "done", "flexing" };
const char *const runner_kind_names[] = { "test", "flex", "calibration", "learn" };

void runner_publish_state(runner *r, enum state s, long long id)
{
	json_t *o = json_object();
	json_object_set_new(o, "state", json_string(runner_state_names[s]));
	json_object_set_new(o, "test", id > 0 ? json_integer(id) : json_null());
	events_publish(r->cfg.events, "state", o);
	json_decref(o);
}

void runner_set_state(runner *r, enum state s, long long id)
{
	pthread_mutex_lock(&r->lock);
	r->state = s;
	if (s == ST_DONE)
		r->done_at = clock_now_ms();
	pthread_mutex_unlock(&r->lock);
	runner_publish_state(r, s, id);
}

void runner_note_latency(runner *r, const struct measurement *m)
{
	if (!m->coarse.found)
		return;
	pthread_mutex_lock(&r->lock);
	r->latency_frames = m->latency_frames;
	r->latency_valid = 1;
	pthread_mutex_unlock(&r->lock);
}

