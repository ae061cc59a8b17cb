/* runner: one job at a time on the jig — idle → measuring → analysing → done — stored, counted and announced. */
#include "runner_priv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "result.h"

/* Under the lock: the jig is the job's (its id once it has one). */
static void take(runner *r, enum kind kind, long long id)
{
	r->busy = 1;
	r->cur_id = id;
	r->cur_kind = kind;
	atomic_store(&r->pilot_yield, 1);   /* the pilot gives the device to the test */
	r->state = ST_MEASURING;
	atomic_store(&r->flex_stop, 0);
}

/* Under the lock: is job id waiting in the queue? */
static int queued(const runner *r, long long id)
{
	for (unsigned i = 0; i < r->n_queued; i++)
		if (r->queue[i]->id == id)
			return 1;
	return 0;
}

static void finish(runner *r, struct job *p, json_t *res)
{
	if (!res) {
		struct result_meta meta = { .id = p->id, .serial = p->has_serial ? p->serial : NULL,
		                            .cable = p->sc.cable.name, .jig = r->jig.name,
		                            .started_at = p->started_at, .error = "out of memory",
		                            .kind = p->kind != KIND_TEST ? runner_kind_names[p->kind] : NULL,
		                            .profile_sha256 = p->sc.profile_sha256 };
		fleet_stamp_meta(&p->stamp, &meta);
		res = result_json(&meta, NULL, NULL, NULL);
	}
	/* Durable before anyone hears of it; a result that could not be stored
	 * is never acknowledged as one (runner_wait says so). */
	int stored = store_finish(r->cfg.store, p->id, res) == 0;
	if (!stored) {
		char why[200];
		store_error(r->cfg.store, why, sizeof(why));
		fprintf(stderr, "tonewired: test %lld: cannot store the result (%s); it stays recorded as aborted\n",
		        p->id, why);
		char msg[300];
		snprintf(msg, sizeof(msg), "test %lld ran but its result could not be stored: %s", p->id, why);
		json_object_set_new(res, "stored", json_false());
		json_object_set_new(res, "error", json_string(msg));
	}
	if (r->cfg.metrics && p->kind == KIND_FLEX)
		metrics_flex_done(r->cfg.metrics, res);
	else if (r->cfg.metrics)
		metrics_test_done(r->cfg.metrics, res);
	pthread_mutex_lock(&r->lock);
	flexmon *fm = r->flex;
	r->flex = NULL;
	if (p->kind == KIND_FLEX) {
		json_decref(r->last_flex);
		r->last_flex = json_incref(res);
	}
	json_decref(r->last_result);
	r->last_result = res;
	r->last_stored = stored;
	r->last_id = p->id;
	r->cur_id = 0;
	r->busy = 0;
	r->tests_run++;
	r->state = ST_DONE;
	r->done_at = clock_now_ms();
	if (r->n_queued && !r->closing) {
		/* The next scan's turn: it was recorded when it came. */
		struct job *next = r->queue[0];
		memmove(r->queue, r->queue + 1, --r->n_queued * sizeof(r->queue[0]));
		take(r, next->kind, next->id);
		r->state = ST_DONE;   /* until the runner thread announces it */
		r->pending = next;
	}
	/* State first, so a client that has the result has seen the test end;
	 * under the lock, so no other thread reads res while it is serialised
	 * (publishing only appends to the clients' queues). */
	runner_publish_state(r, ST_DONE, p->id);
	events_publish(r->cfg.events, "result", res);
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	flexmon_destroy(fm);
}

/* The round trip changes on every open: measure it as soon as the device is
 * back, so the status shows it before the first test. */
static void check_device(runner *r)
{
	struct engine_status es;
	engine_status(r->cfg.engine, &es);
	if (!es.connected) {
		/* The round trip belongs to an open device: unknown until reopened. */
		pthread_mutex_lock(&r->lock);
		r->latency_valid = 0;
		pthread_mutex_unlock(&r->lock);
	}
	if (es.losses != r->losses_seen) {
		/* Lost and maybe already reopened between two looks: still say so. */
		r->losses_seen = es.losses;
		json_t *o = json_object();
		json_object_set_new(o, "connected", json_false());
		json_object_set_new(o, "device", json_string(es.device));
		json_object_set_new(o, "error", json_string(es.error[0] ? es.error : "the device went away"));
		events_publish(r->cfg.events, "device", o);
		json_decref(o);
		r->connected_seen = 0;
	}
	if (es.connected != r->connected_seen) {
		json_t *o = json_object();
		json_object_set_new(o, "connected", json_boolean(es.connected));
		json_object_set_new(o, "device", json_string(es.device));
		if (!es.connected && es.error[0])
			json_object_set_new(o, "error", json_string(es.error));
		events_publish(r->cfg.events, "device", o);
		json_decref(o);
		r->connected_seen = es.connected;
	}
	if (!es.connected || es.generation == r->generation_seen)
		return;
	r->generation_seen = es.generation;
	double latency_frames;
	if (runner_measure_latency(r, &latency_frames) == 0) {
		json_t *o = json_object();
		json_object_set_new(o, "connected", json_true());
		json_object_set_new(o, "device", json_string(es.device));
		json_object_set_new(o, "latency_frames", isfinite(latency_frames) ? json_real(latency_frames) : json_null());
		events_publish(r->cfg.events, "device", o);
		json_decref(o);
	}
}

/* A cable is in: the same test as POST /api/v1/tests, with the serial
 * posted for it, if any. */
static void trigger_fire(runner *r)
{
	char serial[TRIGGER_SERIAL_MAX + 1], err[RUNNER_ERR_MAX];
	long long id;
	int has = trigger_take_serial(r->trig, serial, sizeof(serial));
	if (runner_queue(r, KIND_TEST, 0, r->trig_cable, has ? serial : NULL, 0, &id, NULL, err) < 0) {
		fprintf(stderr, "tonewired: a cable went in, but its test cannot start: %s\n", err);
		trigger_tested(r->trig);   /* not again for the same insertion */
	}
}

static void *thread_main(void *arg)
{
	runner *r = arg;
	pthread_mutex_lock(&r->lock);
	while (!r->quit) {
		struct job *p = r->pending;
		if (p && p->id) {
			r->pending = NULL;
			r->state = ST_MEASURING;
			pthread_mutex_unlock(&r->lock);
			runner_publish_state(r, ST_MEASURING, p->id);
			if (r->trig)
				trigger_testing(r->trig);
			json_t *res = runner_run_job(r, p);
			finish(r, p, res);
			if (r->trig)
				trigger_tested(r->trig);   /* the verdict shows until the cable comes out */
			free(p);
			pthread_mutex_lock(&r->lock);
			continue;
		}
		if (!r->busy) {
			if (r->state == ST_DONE && clock_now_ms() - r->done_at > 1000) {
				r->state = ST_IDLE;
				pthread_mutex_unlock(&r->lock);
				runner_publish_state(r, ST_IDLE, 0);
				pthread_mutex_lock(&r->lock);
				continue;
			}
			/* A test submitted meanwhile waits in pending until this ends. */
			r->checking = 1;
			pthread_mutex_unlock(&r->lock);
			check_device(r);
			pthread_mutex_lock(&r->lock);
			r->checking = 0;
			if (r->pending || r->quit)
				continue;
			if (r->trig && r->state == ST_IDLE && !r->pilot_hold && !r->closing) {
				r->piloting = 1;
				atomic_store(&r->pilot_yield, 0);
				pthread_mutex_unlock(&r->lock);
				int fire = runner_pilot(r);
				if (fire)
					trigger_fire(r);
				pthread_mutex_lock(&r->lock);
				r->piloting = 0;
				pthread_cond_broadcast(&r->cond);
				if (fire || r->pending || r->quit)
					continue;
			}
		}
		struct timespec ts;
		clock_deadline(&ts, 250);
		pthread_cond_timedwait(&r->cond, &r->lock, &ts);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

runner *runner_create(const struct runner_cfg *cfg, char err[RUNNER_ERR_MAX])
{
	runner *r = calloc(1, sizeof(*r));
	pthread_condattr_t ca;
	char merr[MEASURE_ERR_MAX];

	err[0] = '\0';
	if (!r) {
		snprintf(err, RUNNER_ERR_MAX, "out of memory");
		return NULL;
	}
	r->cfg = *cfg;
	r->jig = *cfg->jig;
	r->cfg.jig = &r->jig;
	r->started_ms = clock_now_ms();
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&r->lock, NULL);
	pthread_mutex_init(&r->submit_lock, NULL);
	pthread_cond_init(&r->cond, &ca);
	pthread_condattr_destroy(&ca);

	const struct fixture *f = &r->jig.fixture;
	struct measure_cfg mc = { .rate = cfg->rate, .n_outputs = f->n_outputs, .n_inputs = f->n_inputs,
	                          .windows = cfg->windows };
	r->ms = measure_create(&mc, merr);
	if (!r->ms) {
		snprintf(err, RUNNER_ERR_MAX, "%s", merr);
		goto fail;
	}
	for (unsigned i = 0; i < f->n_inputs; i++)
		station_input_name(f, i, r->inputs[i], sizeof(r->inputs[i]));
	r->level_block = cfg->rate / 20;
	runner_load_calibration(r);
	if (cfg->trigger && runner_trigger_setup(r, cfg->trigger, err) < 0)
		goto fail;
	int rc = pthread_create(&r->thread, NULL, thread_main, r);
	if (rc != 0) {
		snprintf(err, RUNNER_ERR_MAX, "cannot start the runner thread: %s", strerror(rc));
		goto fail;
	}
	r->started = 1;
	return r;
fail:
	runner_destroy(r);
	return NULL;
}

void runner_destroy(runner *r)
{
	if (!r)
		return;
	if (r->started) {
		pthread_mutex_lock(&r->lock);
		r->quit = 1;
		atomic_store(&r->pilot_yield, 1);
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->lock);
		pthread_join(r->thread, NULL);
	}
	free(r->pending);
	for (unsigned i = 0; i < r->n_queued; i++)
		free(r->queue[i]);   /* recorded as aborted: never tested, never lost */
	json_decref(r->last_result);
	json_decref(r->last_flex);
	flexmon_destroy(r->flex);
	classifier_destroy(r->cls);
	trigger_destroy(r->trig);
	measure_destroy(r->ms);
	pthread_mutex_destroy(&r->lock);
	pthread_mutex_destroy(&r->submit_lock);
	pthread_cond_destroy(&r->cond);
	free(r);
}

/* Record a job before it runs: the aborted result is what stays if the
 * daemon dies first. 0 with p->id, or the store's error in err. */
static int record(runner *r, struct job *p, char err[RUNNER_ERR_MAX])
{
	struct result_meta meta = { .serial = p->has_serial ? p->serial : NULL, .cable = p->sc.cable.name,
	                            .jig = r->jig.name, .started_at = p->started_at, .rate = r->cfg.rate,
	                            .error = "aborted: the station stopped before the test finished",
	                            .kind = p->kind != KIND_TEST ? runner_kind_names[p->kind] : NULL,
	                            .profile_sha256 = p->sc.profile_sha256 };
	fleet_stamp_meta(&p->stamp, &meta);
	json_t *aborted = result_json(&meta, &p->sc.fx, NULL, NULL);
	int e = aborted ? store_begin(r->cfg.store, p->has_serial ? p->serial : NULL, p->sc.cable.name,
	                              r->jig.name, p->started_at, aborted, &p->id) : -ENOMEM;
	json_decref(aborted);
	if (e < 0) {
		/* Refused before it runs, rather than run and lost: say why, so a
		 * full disk or a read-only state directory can be fixed. */
		char why[200];
		store_error(r->cfg.store, why, sizeof(why));
		snprintf(err, RUNNER_ERR_MAX, "cannot record the test in the results store (%s): %.150s",
		         e == -ENOSPC ? "disk full" : e == -EROFS ? "read-only" : "write failed", why);
		return e == -ENOSPC || e == -EROFS ? e : -EIO;
	}
	return 0;
}

/* Under the lock: may a job start now (1), wait in the queue (0), or
 * neither (a negative errno with err set)? */
static int claim(runner *r, enum kind kind, int wait_turn, char err[RUNNER_ERR_MAX])
{
	if (r->closing || r->quit) {
		snprintf(err, RUNNER_ERR_MAX, "the station is shutting down");
		return -ECANCELED;
	}
	if (!(r->busy || r->pending || r->state == ST_MEASURING || r->state == ST_ANALYSING)) {
		take(r, kind, 0);
		return 1;
	}
	if (!wait_turn || kind != KIND_TEST) {
		snprintf(err, RUNNER_ERR_MAX, "the jig is busy");
		return -EBUSY;
	}
	if (r->n_queued >= RUNNER_QUEUE_MAX) {
		snprintf(err, RUNNER_ERR_MAX, "the jig is busy and %u scans are already waiting", r->n_queued);
		return -EBUSY;
	}
	return 0;
}

/* Record job p and give it the jig now, or a place in the queue (test
 * scans with wait_turn only). Takes p (freed on failure). As runner_queue. */
static int enqueue(runner *r, struct job *p, int wait_turn, long long *id, unsigned *position,
                   char err[RUNNER_ERR_MAX])
{
	enum kind kind = p->kind;
	int e;

	p->t0 = clock_now_ms();
	p->started_at = (long long)time(NULL);
	fleet_station_stamp(r->cfg.station, &p->stamp);

	pthread_mutex_lock(&r->submit_lock);
	pthread_mutex_lock(&r->lock);
	int now = claim(r, kind, wait_turn, err);
	if (now == -EBUSY)
		*id = r->cur_id;
	pthread_mutex_unlock(&r->lock);
	if (now < 0) {
		pthread_mutex_unlock(&r->submit_lock);
		free(p);
		return now;
	}
	e = record(r, p, err);

	pthread_mutex_lock(&r->lock);
	if (e < 0) {
		if (now) {
			r->busy = 0;
			r->state = ST_IDLE;
		}
	} else if (now || !(r->busy || r->pending)) {
		/* Its turn now, or the jig came free while it was being recorded. */
		take(r, kind, p->id);
		r->pending = p;
	} else {
		r->queue[r->n_queued++] = p;
		if (position)
			*position = r->n_queued;
	}
	if (e == 0) {
		*id = p->id;
		pthread_cond_broadcast(&r->cond);
	}
	pthread_mutex_unlock(&r->lock);
	pthread_mutex_unlock(&r->submit_lock);
	if (e < 0)
		free(p);
	return e;
}

int runner_queue(runner *r, enum kind kind, unsigned seconds, const char *cable, const char *serial,
                 int wait_turn, long long *id, unsigned *position, char err[RUNNER_ERR_MAX])
{
	struct job *p = calloc(1, sizeof(*p));
	char perr[PROFILE_ERR_MAX];
	int e;

	err[0] = '\0';
	*id = 0;
	if (position)
		*position = 0;
	if (!p) {
		snprintf(err, RUNNER_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	if ((e = station_cable_fit(r->cfg.profiles, &r->jig, cable, &p->sc, perr)) < 0) {
		snprintf(err, RUNNER_ERR_MAX, "%s", perr);
		free(p);
		return e;
	}
	if (serial) {
		snprintf(p->serial, sizeof(p->serial), "%s", serial);
		p->has_serial = 1;
	}
	p->kind = kind;
	p->seconds = seconds;
	return enqueue(r, p, wait_turn, id, position, err);
}

int runner_submit(runner *r, const char *cable, const char *serial, long long *id,
                  char err[RUNNER_ERR_MAX])
{
	return runner_queue(r, KIND_TEST, 0, cable, serial, 0, id, NULL, err);
}

int runner_submit_queued(runner *r, const char *cable, const char *serial, long long *id, unsigned *position,
                         char err[RUNNER_ERR_MAX])
{
	return runner_queue(r, KIND_TEST, 0, cable, serial, 1, id, position, err);
}

int runner_submit_flex(runner *r, const char *cable, const char *serial, unsigned seconds,
                       long long *id, char err[RUNNER_ERR_MAX])
{
	if (seconds < 1 || seconds > RUNNER_FLEX_MAX_SECONDS) {
		snprintf(err, RUNNER_ERR_MAX, "seconds: %u is not between 1 and %d", seconds, RUNNER_FLEX_MAX_SECONDS);
		return -EINVAL;
	}
	return runner_queue(r, KIND_FLEX, seconds, cable, serial, 0, id, NULL, err);
}

int runner_submit_calibrate(runner *r, const char *cable, const char *serial, long long *id,
                            char err[RUNNER_ERR_MAX])
{
	return runner_queue(r, KIND_CALIBRATE, 0, cable, serial, 0, id, NULL, err);
}

/* A learn step's messages name folders: its err is session.h's size. */
_Static_assert(RUNNER_ERR_MAX * 2 == LEARN_ERR_MAX, "runner_submit_learn's err is LEARN_ERR_MAX bytes");

/* Whether the profiles the daemon reads include folder dir. */
static int searched(const struct profiles *p, const char *dir)
{
	char a[PATH_MAX], b[PATH_MAX];
	for (unsigned i = 0; i < p->n_dirs; i++)
		if (!strcmp(p->dir[i], dir) || (realpath(p->dir[i], a) && realpath(dir, b) && !strcmp(a, b)))
			return 1;
	return 0;
}

int runner_submit_learn(runner *r, const char *end_a, const char *end_b, const char *name, int restart,
                        const char *serial, long long *id, char err[RUNNER_ERR_MAX * 2])
{
	struct job *p = calloc(1, sizeof(*p));
	int e;

	err[0] = '\0';
	*id = 0;
	if (!p) {
		snprintf(err, RUNNER_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	if ((e = learn_station(r->cfg.profiles, &r->jig, end_a, end_b, &p->sc, err)) < 0 ||
	    (e = learn_prepare(&p->learn, name, end_a, end_b, NULL, restart, r->jig.name, err)) < 0) {
		free(p);
		return e == -EEXIST ? -EEXIST : e == -ENOENT ? -ENOENT : -EINVAL;
	}
	/* A profile written where the daemon does not look could not be used
	 * until it restarts: say so now rather than after two samples. */
	if (!searched(r->cfg.profiles, p->learn.dir)) {
		snprintf(err, LEARN_ERR_MAX, "the daemon would write the profile into %.300s, which is not among the "
		         "folders it reads: set [profiles] path to a folder it may write", p->learn.dir);
		free(p);
		return -EINVAL;
	}
	snprintf(p->sc.cable.name, sizeof(p->sc.cable.name), "%s", p->learn.name);
	if (serial) {
		snprintf(p->serial, sizeof(p->serial), "%s", serial);
		p->has_serial = 1;
	}
	p->kind = KIND_LEARN;
	return enqueue(r, p, 0, id, NULL, err);
}

int runner_flex_stop(runner *r, long long *id)
{
	int rc = -ENOENT;
	pthread_mutex_lock(&r->lock);
	if (r->busy && r->cur_kind == KIND_FLEX) {
		atomic_store(&r->flex_stop, 1);
		*id = r->cur_id;
		rc = r->cur_id > 0 ? 0 : -EAGAIN;
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

json_t *runner_flex_json(runner *r)
{
	json_t *o = NULL;
	pthread_mutex_lock(&r->lock);
	if (r->busy && r->cur_kind == KIND_FLEX && r->cur_id > 0) {
		o = json_object();
		json_object_set_new(o, "id", json_integer(r->cur_id));
		json_object_set_new(o, "kind", json_string("flex"));
		json_object_set_new(o, "state", json_string(runner_state_names[r->state]));
		json_object_set_new(o, "seconds", json_integer(r->flex_seconds));
		json_object_set_new(o, "elapsed_s", json_real(r->flex && r->state == ST_FLEXING
		                                               ? round(clock_now_ms() - r->flex_t0) / 1000.0 : 0.0));
		json_object_set_new(o, "flex", r->flex ? flexmon_json(r->flex) : json_object());
	} else if (r->last_flex) {
		o = json_deep_copy(r->last_flex);
		json_object_set_new(o, "state", json_string("done"));
	}
	pthread_mutex_unlock(&r->lock);
	return o;
}

int runner_wait(runner *r, long long id, int timeout_ms, json_t **result)
{
	struct timespec ts;
	int rc;

	*result = NULL;
	clock_deadline(&ts, (unsigned)timeout_ms);
	pthread_mutex_lock(&r->lock);
	for (;;) {
		if (r->last_id == id && r->last_result) {
			*result = json_incref(r->last_result);
			rc = r->last_stored ? 0 : -EIO;
			break;
		}
		if (r->cur_id != id && !queued(r, id)) {
			rc = -ENOENT;
			break;
		}
		if (pthread_cond_timedwait(&r->cond, &r->lock, &ts) == ETIMEDOUT) {
			rc = -ETIMEDOUT;
			break;
		}
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

int runner_pending(runner *r, long long id)
{
	pthread_mutex_lock(&r->lock);
	int p = id > 0 && (r->cur_id == id || queued(r, id));
	pthread_mutex_unlock(&r->lock);
	return p;
}

int runner_busy(runner *r, long long *id)
{
	pthread_mutex_lock(&r->lock);
	int b = r->busy || r->pending;
	if (id)
		*id = r->cur_id;
	pthread_mutex_unlock(&r->lock);
	return b;
}

json_t *runner_status_json(runner *r)
{
	struct engine_status es;
	json_t *o = json_object();

	engine_status(r->cfg.engine, &es);
	pthread_mutex_lock(&r->lock);
	enum state s = r->state;
	long long cur = r->cur_id, last = r->last_id;
	double lat = r->latency_frames;
	int lat_ok = r->latency_valid;
	unsigned long long n = r->tests_run;
	int flexing = r->busy && r->cur_kind == KIND_FLEX;
	json_t *queue = json_array();
	for (unsigned i = 0; i < r->n_queued; i++) {
		json_t *q = json_object();
		json_object_set_new(q, "id", json_integer(r->queue[i]->id));
		json_object_set_new(q, "serial", r->queue[i]->has_serial ? json_string(r->queue[i]->serial) : json_null());
		json_array_append_new(queue, q);
	}
	json_t *cal = json_null();
	if (r->cal.id) {
		cal = json_object();
		json_object_set_new(cal, "id", json_integer(r->cal.id));
		json_object_set_new(cal, "cable", json_string(r->cal.cable));
		json_object_set_new(cal, "created_at", json_string(r->cal.created_at));
	}
	pthread_mutex_unlock(&r->lock);

	json_object_set_new(o, "state", json_string(runner_state_names[s]));
	json_object_set_new(o, "test", cur > 0 ? json_integer(cur) : json_null());
	if (flexing)
		json_object_set_new(o, "flex", cur > 0 ? json_integer(cur) : json_null());
	json_object_set_new(o, "last_test", last > 0 ? json_integer(last) : json_null());
	json_object_set_new(o, "queue", queue);
	json_object_set_new(o, "device", json_string(es.device));
	json_object_set_new(o, "connected", json_boolean(es.connected));
	if (!es.connected && es.error[0])
		json_object_set_new(o, "device_error", json_string(es.error));
	json_object_set_new(o, "jig", json_string(r->jig.name));
	json_object_set_new(o, "rate", json_integer(es.rate ? es.rate : r->cfg.rate));
	if (es.period)
		json_object_set_new(o, "period", json_integer(es.period));
	if (es.format[0])
		json_object_set_new(o, "format", json_string(es.format));
	if (es.interface[0])
		json_object_set_new(o, "interface", json_string(es.interface));
	if (es.setup_error[0])
		json_object_set_new(o, "setup_error", json_string(es.setup_error));
	json_object_set_new(o, "latency_frames", lat_ok ? json_real(round(lat * 100) / 100) : json_null());
	json_object_set_new(o, "latency_ms", lat_ok ? json_real(round(lat * 1e5 / r->cfg.rate) / 100) : json_null());
	json_object_set_new(o, "xruns", json_integer((json_int_t)es.xruns));
	json_object_set_new(o, "device_losses", json_integer((json_int_t)es.losses));
	json_object_set_new(o, "tests_run", json_integer((json_int_t)n));
	json_object_set_new(o, "uptime_s", json_integer((json_int_t)((clock_now_ms() - r->started_ms) / 1000)));
	json_object_set_new(o, "calibration", cal);
	json_object_set_new(o, "trigger", json_string(r->trig ? "auto" : "manual"));
	if (r->trig)
		trigger_status(r->trig, o);
	json_object_set_new(o, "version", json_string(TONEWIRE_VERSION));
	return o;
}

void runner_gauges(runner *r, struct metrics_gauges *g)
{
	struct engine_status es;
	engine_status(r->cfg.engine, &es);
	pthread_mutex_lock(&r->lock);
	g->busy = r->busy || r->pending;
	g->flexing = r->busy && r->cur_kind == KIND_FLEX;
	g->latency_frames = r->latency_valid ? r->latency_frames : 0;
	pthread_mutex_unlock(&r->lock);
	g->xruns = es.xruns;
	g->reopens = es.opens ? es.opens - 1 : 0;
	g->connected = es.connected;
	g->uptime_s = (clock_now_ms() - r->started_ms) / 1000;
}

int runner_set_device(runner *r, const char *device)
{
	int rc = -EBUSY;
	pthread_mutex_lock(&r->lock);
	/* The pilot gives the device up for the switch, and waits for it. */
	r->pilot_hold++;
	while (r->piloting) {
		atomic_store(&r->pilot_yield, 1);
		pthread_cond_wait(&r->cond, &r->lock);
	}
	/* Held across the switch so no test starts on the old device meanwhile. */
	if (!(r->busy || r->pending || r->checking)) {
		rc = engine_set_device(r->cfg.engine, device);
		if (rc == 0)
			r->latency_valid = 0;
	}
	r->pilot_hold--;
	pthread_mutex_unlock(&r->lock);
	return rc;
}

int runner_shutdown(runner *r, int timeout_ms)
{
	struct timespec ts;
	int rc = 0;
	clock_deadline(&ts, (unsigned)timeout_ms);
	pthread_mutex_lock(&r->lock);
	r->closing = 1;
	atomic_store(&r->pilot_yield, 1);
	atomic_store(&r->flex_stop, 1);   /* a flex session ends with what it has seen */
	while (r->pending || (r->busy && r->cur_id)) {
		if (pthread_cond_timedwait(&r->cond, &r->lock, &ts) == ETIMEDOUT) {
			rc = -ETIMEDOUT;
			break;
		}
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

int runner_trigger_serial(runner *r, const char *serial)
{
	if (!r->trig)
		return -ENOTSUP;
	return trigger_set_serial(r->trig, serial);
}
