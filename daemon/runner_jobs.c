/* runner_jobs: a job of the runner thread — a test, a calibration or a flex session — through the engine, metered live, stored. */
#include "runner_priv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture.h"
#include "clock.h"
#include "session.h"

/* The engine as a session's pump, with live meters: every captured piece
 * also feeds a "levels" event every level_block frames (20 a second). */
struct meter {
	runner *r;
	long long id;
	duplex_capture_fn sink;
	void *sink_ctx;
	double sum[ANALYZER_MAX_INPUTS];
	unsigned in_block;
	unsigned long long frame;
};

static void publish_levels(struct meter *m)
{
	runner *r = m->r;
	json_t *o = json_object(), *names = json_array(), *db = json_array();
	for (unsigned c = 0; c < r->jig.fixture.n_inputs; c++) {
		double v = 10.0 * log10(m->sum[c] / m->in_block + 1e-20);
		json_array_append_new(names, json_string(r->inputs[c]));
		json_array_append_new(db, json_real(round((v < -200 ? -200 : v) * 10.0) / 10.0));
	}
	json_object_set_new(o, "test", m->id > 0 ? json_integer(m->id) : json_null());
	json_object_set_new(o, "t_ms", json_real(round(m->frame * 1000.0 / r->cfg.rate)));
	json_object_set_new(o, "inputs", names);
	json_object_set_new(o, "dbfs", db);
	events_publish(r->cfg.events, "levels", o);
	json_decref(o);
}

static int meter_sink(void *ctx, const float *in, unsigned frames)
{
	struct meter *m = ctx;
	unsigned n_in = m->r->jig.fixture.n_inputs;
	for (unsigned f = 0; f < frames; f++) {
		for (unsigned c = 0; c < n_in; c++) {
			double x = in[(size_t)f * n_in + c];
			m->sum[c] += x * x;
		}
		m->frame++;
		if (++m->in_block == m->r->level_block) {
			publish_levels(m);
			memset(m->sum, 0, sizeof(m->sum));
			m->in_block = 0;
		}
	}
	return m->sink(m->sink_ctx, in, frames);
}

static int meter_run(void *self, duplex_render_fn render, void *render_ctx, duplex_capture_fn sink,
                     void *sink_ctx, uint64_t max_frames, unsigned *xruns)
{
	struct meter *m = self;
	m->sink = sink;
	m->sink_ctx = sink_ctx;
	m->in_block = 0;
	m->frame = 0;
	memset(m->sum, 0, sizeof(m->sum));
	return engine_stream(m->r->cfg.engine, render, render_ctx, meter_sink, m, max_frames, xruns);
}

/* The classifier of the job's cable, kept while the cable's file is unchanged. */
static classifier *classifier_for(runner *r, const struct job *j)
{
	const struct tw_cable *c = &j->sc.cable;
	struct stat st;
	struct timespec mt = { 0, 0 };
	if (stat(c->path, &st) == 0)
		mt = st.st_mtim;
	if (r->cls && !strcmp(r->cls_path, c->path) && r->cls_mtime.tv_sec == mt.tv_sec &&
	    r->cls_mtime.tv_nsec == mt.tv_nsec)
		return r->cls;
	classifier_destroy(r->cls);
	r->cls = classifier_create(&j->sc.fx, &j->sc.expected, &c->limits);
	snprintf(r->cls_path, sizeof(r->cls_path), "%s", c->path);
	r->cls_mtime = mt;
	return r->cls;
}

/* What the hooks of a job's session need. */
struct job_ctx {
	runner *r;
	struct job *j;
	const char *device;
};

static void measured(void *ctx, const struct measurement *m)
{
	struct job_ctx *jc = ctx;
	runner_note_latency(jc->r, m);
	if (jc->j->kind != KIND_FLEX)
		runner_set_state(jc->r, ST_ANALYSING, jc->j->id);
}

/* A test that did not pass keeps its capture, in the store's folder,
 * served at capture_base/ID/capture.wav. */
static void keep_capture(void *ctx, const struct measurement *m, json_t *res)
{
	struct job_ctx *jc = ctx;
	runner *r = jc->r;
	long long id = jc->j->id;
	char wav[1100], err[CAPTURE_ERR_MAX], url[128];

	store_capture_path(r->cfg.store, id, "wav", wav, sizeof(wav));
	if (capture_save(wav, r->ms, &jc->j->sc.fx, r->jig.name, jc->j->sc.cable.name, jc->device, m, err) < 0) {
		fprintf(stderr, "tonewired: test %lld: %s\n", id, err);
		return;
	}
	if (store_capture_kept(r->cfg.store, id) != 0 || !store_has_capture(r->cfg.store, id))
		return;
	snprintf(url, sizeof(url), "%s/%lld/capture.wav", r->cfg.capture_base, id);
	json_object_set_new(res, "capture", json_string(url));
	snprintf(url, sizeof(url), "%s/%lld/capture.json", r->cfg.capture_base, id);
	json_object_set_new(res, "capture_plan", json_string(url));
}

/* A dropout ended: announce it as it happens. */
static void flex_event(void *ctx, json_t *event)
{
	runner *r = ctx;
	events_publish(r->cfg.events, "flex", event);
	if (r->cfg.metrics)
		metrics_flex_event(r->cfg.metrics);
}

static void flex_tracking(void *ctx)
{
	struct job_ctx *jc = ctx;
	pthread_mutex_lock(&jc->r->lock);
	jc->r->flex_t0 = clock_now_ms();
	pthread_mutex_unlock(&jc->r->lock);
	runner_set_state(jc->r, ST_FLEXING, jc->j->id);
}

int runner_load_calibration(runner *r)
{
	json_t *row = NULL;
	struct calibration c;
	int e = store_calibration_active(r->cfg.store, r->jig.name, &row);
	if (e == 0 && (e = calibration_from_json(&c, row, &r->jig.fixture)) == 0) {
		pthread_mutex_lock(&r->lock);
		r->cal = c;
		pthread_mutex_unlock(&r->lock);
	} else if (e == -EINVAL) {
		fprintf(stderr, "tonewired: calibration %lld was made for another channel layout of jig %s; "
		        "not applied\n", (long long)json_integer_value(json_object_get(row, "id")), r->jig.name);
	}
	json_decref(row);
	return e;
}

/* A golden cable's corrections become the jig's active calibration: its id
 * in the result as "calibration_created". */
static void store_calibration(runner *r, struct job *j, const char *device, json_t *corr, json_t *res)
{
	struct store_calibration sc = { .created_at = (long long)time(NULL), .jig = r->jig.name,
	                                .cable = j->sc.cable.name, .device = device, .test = j->id };
	long long cid = 0;
	if (store_calibration_add(r->cfg.store, &sc, corr, &cid) < 0) {
		fprintf(stderr, "tonewired: test %lld: cannot store the calibration\n", j->id);
		return;
	}
	runner_load_calibration(r);
	json_object_set_new(res, "calibration_created", json_integer(cid));
}

json_t *runner_run_job(runner *r, struct job *j)
{
	struct engine_status es;
	engine_status(r->cfg.engine, &es);
	struct job_ctx jc = { .r = r, .j = j, .device = es.device };
	struct meter meter = { .r = r, .id = j->id };
	struct pump pump = { .run = meter_run, .self = &meter };
	struct session s = {
		.ms = r->ms, .cls = j->kind == KIND_LEARN ? NULL : classifier_for(r, j), .sc = &j->sc, .cal = &r->cal,
		.t0 = j->t0,
		/* why the device is not open, or which mixer control it could not set */
		.device_error = !es.connected ? es.error : es.setup_error[0] ? es.setup_error : NULL,
		.meta = { .id = j->id, .serial = j->has_serial ? j->serial : NULL, .device = es.device,
		          .started_at = j->started_at, .rate = r->cfg.rate, .format = es.format[0] ? es.format : NULL },
		.ctx = &jc, .measured = measured, .keep_capture = keep_capture, .tracking = flex_tracking,
		.seconds = j->seconds, .stop = &r->flex_stop,
	};
	if (j->kind != KIND_TEST)
		s.meta.kind = runner_kind_names[j->kind];
	fleet_stamp_meta(&j->stamp, &s.meta);
	if (j->kind == KIND_LEARN)
		return session_learn(&s, &pump, &j->learn);
	if (!s.cls) {
		char err[300];
		snprintf(err, sizeof(err), "cannot set up the classifier for cable '%s' on jig '%s'",
		         j->sc.cable.name, r->jig.name);
		return session_error(&s, -ENOMEM, err);
	}
	if (j->kind == KIND_FLEX) {
		struct flexmon_cfg fc = { .plan = measure_plan(r->ms), .fx = &j->sc.fx, .rate = r->cfg.rate,
		                          .session = j->id, .on_event = flex_event, .ctx = r };
		if (!(s.fm = flexmon_create(&fc)))
			return session_error(&s, -ENOMEM, "cannot set up the flex session: out of memory");
		pthread_mutex_lock(&r->lock);
		r->flex = s.fm;   /* finish() takes it back and destroys it */
		r->flex_seconds = j->seconds;
		r->flex_t0 = clock_now_ms();
		pthread_mutex_unlock(&r->lock);
		return session_flex(&s, &pump);
	}
	if (j->kind == KIND_CALIBRATE) {
		json_t *corr = NULL, *res = session_calibrate(&s, &pump, &corr);
		if (res && corr)
			store_calibration(r, j, es.device, corr, res);
		json_decref(corr);
		return res;
	}
	return session_test(&s, &pump, NULL);
}

int runner_measure_latency(runner *r, double *frames)
{
	struct measurement m;
	struct pump pump = engine_pump(r->cfg.engine);
	int e = measure_run(r->ms, &pump, &m);
	if (e < 0)
		return e;
	runner_note_latency(r, &m);
	*frames = m.coarse.found ? m.latency_frames : NAN;
	return 0;
}
