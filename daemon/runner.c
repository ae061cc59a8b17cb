/* runner: one test at a time on the jig — idle → measuring → analysing → done — stored, counted and announced. */
#include "runner.h"

#include <complex.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "capture.h"
#include "classify.h"
#include "flexmon.h"
#include "measure.h"
#include "result.h"

enum state { ST_IDLE = 0, ST_MEASURING, ST_ANALYSING, ST_DONE, ST_FLEXING };
static const char *const state_names[] = { "idle", "measuring", "analysing", "done", "flexing" };

enum kind { KIND_TEST = 0, KIND_FLEX, KIND_CALIBRATE };
static const char *const kind_names[] = { "test", "flex", "calibration" };

/* The jig's active calibration: H of every path a good cable carries,
 * relative to the network model's ideal. */
struct calib {
	long long id;                    /* 0 = none */
	char cable[PROFILE_NAME_MAX];
	char created_at[32];
	int known[ANALYZER_MAX_INPUTS][TONEPLAN_MAX_TONES];
	double complex c[ANALYZER_MAX_INPUTS][TONEPLAN_MAX_TONES];
};

/* A checked request, waiting for the runner thread. */
struct pending {
	long long id;
	long long started_at;
	double t0;                       /* monotonic ms at submit: the test's total time starts here */
	char serial[RUNNER_SERIAL_MAX + 1];
	int has_serial;
	struct tw_cable cable;
	struct fixture fx;
	struct wiring expected;
	enum kind kind;
	unsigned seconds;                /* flex: longest session */
};

/* Sums of squares over the last levels block, per input. */
struct level_acc {
	double sum[ANALYZER_MAX_INPUTS];
	unsigned in_block;
};

struct runner {
	struct runner_cfg cfg;
	struct tw_jig jig;
	measure *ms;
	struct ring ring;
	float *chunk;
	size_t chunk_floats;
	unsigned level_block;            /* frames per levels event: 50 ms of audio, 20 Hz */
	char inputs[FIXTURE_MAX_CHANNELS][2 * FIXTURE_NAME_MAX + 4];

	pthread_t thread;
	int started;
	pthread_mutex_t lock;            /* guards the fields below */
	pthread_cond_t cond;
	int quit, closing;
	enum state state;
	int busy;                        /* a test is submitted and not stored yet */
	int checking;                    /* measuring the round trip after an open */
	long long cur_id, last_id;
	json_t *last_result;
	int last_stored;            /* 0: last_result could not be stored (never acknowledged) */
	struct pending *pending;
	double done_at;                  /* when the state became done */
	double latency_frames;
	int latency_valid;
	unsigned long long tests_run, generation_seen, losses_seen;
	int connected_seen;
	double started_ms;
	enum kind cur_kind;
	flexmon *flex;                   /* the flex session running, NULL when none */
	double flex_t0;                  /* monotonic ms when it started tracking */
	unsigned flex_seconds;
	json_t *last_flex;               /* result of the last flex session */
	struct calib cal;                /* written by the runner thread under the lock */
	atomic_int flex_stop;            /* set by runner_flex_stop (any thread) */
	trigger *trig;                   /* NULL when tests start only when asked */
	char trig_cable[512];            /* the cable the trigger tests */
	atomic_int pilot_yield;          /* the pilot must give the device up (any thread) */
	int piloting, pilot_hold;        /* the pilot streams; someone waits to switch the device */

	/* Runner thread only: the classifier of the last cable used. */
	char cls_path[256];
	struct timespec cls_mtime;
	classifier *cls;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void deadline(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void publish_state(runner *r, enum state s, long long id)
{
	json_t *o = json_object();
	json_object_set_new(o, "state", json_string(state_names[s]));
	json_object_set_new(o, "test", id > 0 ? json_integer(id) : json_null());
	events_publish(r->cfg.events, "state", o);
	json_decref(o);
}

static void set_state(runner *r, enum state s, long long id)
{
	pthread_mutex_lock(&r->lock);
	r->state = s;
	if (s == ST_DONE)
		r->done_at = now_ms();
	pthread_mutex_unlock(&r->lock);
	publish_state(r, s, id);
}

static void publish_levels(runner *r, long long id, unsigned frame, const double *sum, unsigned frames)
{
	json_t *o = json_object(), *names = json_array(), *db = json_array();
	unsigned n = r->jig.fixture.n_inputs;
	for (unsigned c = 0; c < n; c++) {
		double v = 10.0 * log10(sum[c] / frames + 1e-20);
		json_array_append_new(names, json_string(r->inputs[c]));
		json_array_append_new(db, json_real(round((v < -200 ? -200 : v) * 10.0) / 10.0));
	}
	json_object_set_new(o, "test", id > 0 ? json_integer(id) : json_null());
	json_object_set_new(o, "t_ms", json_real(round(frame * 1000.0 / r->cfg.rate)));
	json_object_set_new(o, "inputs", names);
	json_object_set_new(o, "dbfs", db);
	events_publish(r->cfg.events, "levels", o);
	json_decref(o);
}

/* Live meters: a levels event every level_block frames. frame counts the
 * frames before these. */
static void levels_feed(runner *r, long long id, struct level_acc *lv, const float *in, unsigned frames,
                        unsigned long long frame)
{
	unsigned n_in = r->jig.fixture.n_inputs;
	for (unsigned f = 0; f < frames; f++) {
		for (unsigned c = 0; c < n_in; c++) {
			double x = in[(size_t)f * n_in + c];
			lv->sum[c] += x * x;
		}
		if (++lv->in_block == r->level_block) {
			publish_levels(r, id, (unsigned)(frame + f + 1), lv->sum, lv->in_block);
			memset(lv->sum, 0, sizeof(lv->sum));
			lv->in_block = 0;
		}
	}
}

/* Play and capture one measurement through the engine, analysing on this
 * thread while the audio thread streams. Retries twice after an xrun. */
static int stream(runner *r, long long id, struct measurement *out, unsigned *xruns)
{
	const struct measure_timeline *tl = measure_timeline(r->ms);
	unsigned n_in = r->jig.fixture.n_inputs;
	int rc = -EPIPE;

	*xruns = 0;
	for (int attempt = 0; attempt < 3 && rc == -EPIPE; attempt++) {
		struct engine_job job = { .render = measure_render, .render_ctx = r->ms, .ring = &r->ring,
		                          .max_frames = tl->capture_max };
		struct level_acc lv = { { 0 }, 0 };
		unsigned frame = 0;
		int enough = 0;
		double t0 = now_ms();

		measure_begin(r->ms);
		ring_reset(&r->ring);
		if ((rc = engine_start(r->cfg.engine, &job)) < 0)
			return rc;
		for (;;) {
			int fin = atomic_load_explicit(&job.done, memory_order_acquire);
			size_t got = ring_pop(&r->ring, r->chunk, r->chunk_floats);
			if (got) {
				unsigned frames = (unsigned)(got / n_in);
				if (enough)
					continue;
				levels_feed(r, id, &lv, r->chunk, frames, frame);
				frame += frames;
				if (measure_feed(r->ms, r->chunk, frames)) {
					enough = 1;
					atomic_store_explicit(&job.stop, 1, memory_order_release);
				}
				continue;
			}
			if (fin)
				break;
			/* A period is ~5 ms; polling at 1 ms keeps the ring far from full
			 * without a lock between the two threads. */
			struct timespec ts = { 0, 1000000L };
			nanosleep(&ts, NULL);
		}
		rc = engine_wait(r->cfg.engine, &job);
		*xruns += job.xruns;
		if (rc == 0) {
			double acquire = now_ms() - t0;
			rc = measure_finish(r->ms, out);
			out->acquire_ms = acquire;
			out->xruns = *xruns;
		}
	}
	return rc;
}

static classifier *classifier_for(runner *r, const struct pending *p)
{
	struct stat st;
	struct timespec mt = { 0, 0 };
	if (stat(p->cable.path, &st) == 0)
		mt = st.st_mtim;
	if (r->cls && !strcmp(r->cls_path, p->cable.path) && r->cls_mtime.tv_sec == mt.tv_sec &&
	    r->cls_mtime.tv_nsec == mt.tv_nsec)
		return r->cls;
	classifier_destroy(r->cls);
	r->cls = classifier_create(&p->fx, &p->expected, &p->cable.limits);
	snprintf(r->cls_path, sizeof(r->cls_path), "%s", p->cable.path);
	r->cls_mtime = mt;
	return r->cls;
}

/* Model tolerance once a verified calibration corrects every path: the
 * golden reference leaves the jig's resistor tolerances and the interface's
 * gain out of the comparison; 0.5 % keeps room for the drift of an
 * interface's gain with temperature (a few 0.01 dB) over a shift. */
#define CALIBRATED_TOLERANCE 0.005
/* The golden sample's check is about its wiring, which moves gains by tens
 * of percent (a swap, an open, a short); the interface's uncalibrated gain
 * (often a dB or more, with a gain knob on the inputs) is what the
 * calibration is about to remove, so it is checked with the widest model
 * tolerance the classifier takes: 20 %, about ±1.6 dB. */
#define GOLDEN_TOLERANCE 0.2

/* Is a golden sample good enough to become the reference? Checked with
 * GOLDEN_TOLERANCE, its wiring must be as the profile says: a pass, or an
 * undecided verdict that only a calibration can settle, or a level off the
 * way an interface is off and a cable is not: every channel by the same
 * amount (within 0.2 dB: a gain stage, not one conductor) and by no more
 * than the tolerance. A channel alone down, or more than ±1.6 dB, is
 * refused: a defect calibrated in would pass every cable like it. */
#define GOLDEN_COMMON_DB 0.2
static int golden_wiring_ok(const struct classification *cl)
{
	if (cl->verdict == VERDICT_PASS)
		return 1;
	if (cl->verdict == VERDICT_ERROR)
		return cl->n_faults == 1 && cl->fault[0].code == FAULT_LOW_SNR &&
		       (cl->fault[0].flags & FAULT_FLAG_MODEL_LIMITED);
	if (!cl->n_channels)
		return 0;
	for (unsigned i = 0; i < cl->n_faults; i++)
		if (cl->fault[i].code != FAULT_HIGH_RESISTANCE)
			return 0;
	double lo = cl->channel[0].level_db, hi = lo;
	for (unsigned i = 0; i < cl->n_channels; i++) {
		double l = cl->channel[i].level_db;
		lo = l < lo ? l : lo;
		hi = l > hi ? l : hi;
		if (cl->channel[i].inverted)
			return 0;
	}
	double limit_db = 20.0 * log10(1.0 + GOLDEN_TOLERANCE);
	return hi - lo <= GOLDEN_COMMON_DB && fabs(lo) <= limit_db && fabs(hi) <= limit_db;
}

static void note_latency(runner *r, const struct measurement *m)
{
	if (!m->coarse.found)
		return;
	pthread_mutex_lock(&r->lock);
	r->latency_frames = m->latency_frames;
	r->latency_valid = 1;
	pthread_mutex_unlock(&r->lock);
}

/* Take a stored calibration ({"corrections": {"gain_db", "phase_deg"}}) as
 * the active one. A calibration of another channel layout (the jig's
 * profile changed) is not applied. 0 or -EINVAL. */
static int calib_load(runner *r, const json_t *row)
{
	const struct fixture *f = &r->jig.fixture;
	const json_t *corr = json_object_get(row, "corrections");
	const json_t *g = json_object_get(corr, "gain_db"), *ph = json_object_get(corr, "phase_deg");
	struct calib c;
	memset(&c, 0, sizeof(c));
	if (json_array_size(g) != f->n_inputs || json_array_size(ph) != f->n_inputs)
		return -EINVAL;
	for (unsigned j = 0; j < f->n_inputs; j++) {
		const json_t *gr = json_array_get(g, j), *pr = json_array_get(ph, j);
		if (json_array_size(gr) != f->n_outputs || json_array_size(pr) != f->n_outputs)
			return -EINVAL;
		for (unsigned k = 0; k < f->n_outputs; k++) {
			const json_t *gv = json_array_get(gr, k), *pv = json_array_get(pr, k);
			if (!json_is_number(gv) || !json_is_number(pv))
				continue;   /* null: a path the golden cable does not carry */
			c.known[j][k] = 1;
			c.c[j][k] = pow(10.0, json_number_value(gv) / 20.0) * cexp(I * json_number_value(pv) * M_PI / 180.0);
		}
	}
	c.id = json_integer_value(json_object_get(row, "id"));
	snprintf(c.cable, sizeof(c.cable), "%s", json_string_value(json_object_get(row, "cable")) ?
	         json_string_value(json_object_get(row, "cable")) : "");
	snprintf(c.created_at, sizeof(c.created_at), "%s", json_string_value(json_object_get(row, "created_at")) ?
	         json_string_value(json_object_get(row, "created_at")) : "");
	pthread_mutex_lock(&r->lock);
	r->cal = c;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

/* Divide H by the active correction on every path whose correction is
 * known, so levels read relative to the golden reference. Returns the id
 * of the calibration applied, 0 when none is active. */
static long long calib_apply(runner *r, struct analysis *an)
{
	const struct calib *c = &r->cal;   /* only the runner thread writes it */
	double complex row[ANALYZER_MAX_INPUTS], col[TONEPLAN_MAX_TONES], all = 0;
	unsigned nrow[ANALYZER_MAX_INPUTS] = { 0 }, ncol[TONEPLAN_MAX_TONES] = { 0 }, nall = 0;
	if (!c->id)
		return 0;
	/* A path with no reference of its own (crosstalk, ideally 0) still
	 * passes through the same input and output stages: an interface's gain
	 * error is a product of one per input and one per output. The
	 * geometric mean of its row's and its column's corrections is exact
	 * when the error sits on one side or is common to all, and close
	 * otherwise; without it, an uncorrected 0.5 dB on a -40 dB leak would
	 * read as a fault once the model is trusted to 0.5 %. */
	for (unsigned j = 0; j < ANALYZER_MAX_INPUTS; j++)
		row[j] = 0;
	for (unsigned k = 0; k < TONEPLAN_MAX_TONES; k++)
		col[k] = 0;
	for (unsigned j = 0; j < an->n_inputs && j < ANALYZER_MAX_INPUTS; j++)
		for (unsigned k = 0; k < an->n_tones && k < TONEPLAN_MAX_TONES; k++)
			if (c->known[j][k]) {
				double complex l = clog(c->c[j][k]);
				row[j] += l, nrow[j]++;
				col[k] += l, ncol[k]++;
				all += l, nall++;
			}
	for (unsigned j = 0; j < an->n_inputs && j < ANALYZER_MAX_INPUTS; j++) {
		for (unsigned k = 0; k < an->n_tones && k < TONEPLAN_MAX_TONES; k++) {
			double complex corr;
			if (c->known[j][k])
				corr = c->c[j][k];
			else if (nrow[j] && ncol[k])
				corr = cexp(0.5 * (row[j] / nrow[j] + col[k] / ncol[k]));
			else if (nall)
				corr = cexp(all / nall);
			else
				continue;
			struct tone_result *t = &an->h[j][k];
			double complex h = (t->re + I * t->im) / corr;
			double shift_db = 20.0 * log10(cabs(corr));
			t->re = creal(h);
			t->im = cimag(h);
			t->gain = cabs(h);
			t->gain_db = t->gain > 0 ? 20.0 * log10(t->gain) : -400.0;
			t->phase_deg = carg(h) * 180.0 / M_PI;
			if (t->phase_deg <= -180.0)
				t->phase_deg += 360.0;
			/* Both move together: the SNR is what it was. */
			t->level_dbfs -= shift_db;
			t->noise_dbfs -= shift_db;
		}
	}
	return c->id;
}

/* A path carries the signal of a good cable when its ideal gain is at least
 * a tenth of the strongest one (-20 dB): crosstalk paths (ideally 0) and
 * tiny divider leaks have no reference worth dividing by. */
#define CALIB_MIN_REL_GAIN 0.1

/* The golden cable passed: its raw H relative to the model's ideal gains
 * becomes the jig's new active calibration. Its id, or a negative errno. */
static long long calibrate_from(runner *r, struct pending *p, classifier *cls, const struct measurement *m,
                                const char *device)
{
	const struct fixture *f = &p->fx;
	const double *e = classifier_expected(cls);
	double emax = 0;
	json_t *corr = json_object(), *ins = json_array(), *outs = json_array(), *freqs = json_array();
	json_t *g = json_array(), *ph = json_array();
	const struct toneplan *plan = measure_plan(r->ms);

	for (unsigned x = 0; e && x < f->n_inputs * f->n_outputs; x++)
		if (fabs(e[x]) > emax)
			emax = fabs(e[x]);
	for (unsigned j = 0; j < f->n_inputs; j++)
		json_array_append_new(ins, json_string(r->inputs[j]));
	for (unsigned k = 0; k < f->n_outputs; k++) {
		json_array_append_new(outs, json_string(f->contact[f->output[k]].name));
		json_array_append_new(freqs, json_real(plan->freq_hz[k]));
	}
	for (unsigned j = 0; j < f->n_inputs; j++) {
		json_t *gr = json_array(), *pr = json_array();
		for (unsigned k = 0; k < f->n_outputs; k++) {
			double ideal = e ? e[j * f->n_outputs + k] : 0;
			const struct tone_result *t = &m->an.h[j][k];
			if (emax <= 0 || fabs(ideal) < CALIB_MIN_REL_GAIN * emax || t->snr_db < p->cable.limits.min_snr_db) {
				json_array_append_new(gr, json_null());
				json_array_append_new(pr, json_null());
				continue;
			}
			double complex c = (t->re + I * t->im) / ideal;
			json_array_append_new(gr, json_real(round(20.0 * log10(cabs(c)) * 1e5) / 1e5));
			json_array_append_new(pr, json_real(round(carg(c) * 180.0 / M_PI * 1e4) / 1e4));
		}
		json_array_append_new(g, gr);
		json_array_append_new(ph, pr);
	}
	json_object_set_new(corr, "inputs", ins);
	json_object_set_new(corr, "outputs", outs);
	json_object_set_new(corr, "freq_hz", freqs);
	json_object_set_new(corr, "rate", json_integer(r->cfg.rate));
	json_object_set_new(corr, "gain_db", g);
	json_object_set_new(corr, "phase_deg", ph);

	struct store_calibration sc = { .created_at = (long long)time(NULL), .jig = r->jig.name,
	                                .cable = p->cable.name, .device = device, .test = p->id };
	long long id = 0;
	int rc = store_calibration_add(r->cfg.store, &sc, corr, &id);
	json_decref(corr);
	if (rc < 0)
		return rc;
	json_t *row = NULL;
	if (store_calibration_get(r->cfg.store, id, &row) == 0)
		calib_load(r, row);
	json_decref(row);
	return id;
}

static json_t *run_test(runner *r, struct pending *p)
{
	struct result_meta meta = { .id = p->id, .serial = p->has_serial ? p->serial : NULL,
	                            .cable = p->cable.name, .jig = r->jig.name,
	                            .started_at = p->started_at, .rate = r->cfg.rate,
	                            .limits = &p->cable.limits };
	struct engine_status es;
	struct measurement m;
	struct classification cl;
	char err[512];
	unsigned xruns = 0;
	json_t *res;

	engine_status(r->cfg.engine, &es);
	meta.device = es.device;
	classifier *cls = classifier_for(r, p);
	if (!cls) {
		snprintf(err, sizeof(err), "cannot set up the classifier for cable '%s' on jig '%s'",
		         p->cable.name, r->jig.name);
		meta.error = err;
		meta.total_ms = now_ms() - p->t0;
		return result_json(&meta, &p->fx, NULL, NULL);
	}
	int e = stream(r, p->id, &m, &xruns);
	if (e < 0) {
		if (e == -ENODEV && !es.connected)
			snprintf(err, sizeof(err), "no audio device: %.400s", es.error[0] ? es.error : es.device);
		else if (e == -ENODEV)
			snprintf(err, sizeof(err), "the audio device '%.300s' went away during the test", es.device);
		else if (e == -EPIPE)
			snprintf(err, sizeof(err), "the audio device kept over/underrunning (%u xruns)", xruns);
		else
			snprintf(err, sizeof(err), "measurement on '%.300s' failed: %s", es.device, strerror(-e));
		meta.error = err;
		meta.total_ms = now_ms() - p->t0;
		return result_json(&meta, &p->fx, NULL, NULL);
	}
	note_latency(r, &m);
	set_state(r, ST_ANALYSING, p->id);
	double t1 = now_ms();
	/* Classified and reported relative to the golden reference; the raw
	 * capture and, for a calibration, the raw H stay as measured. */
	struct measurement mc = m;
	meta.calibration = calib_apply(r, &mc.an);
	classifier_set_model_tolerance(cls, p->kind == KIND_CALIBRATE ? GOLDEN_TOLERANCE :
	                                    meta.calibration ? CALIBRATED_TOLERANCE : CLASSIFY_MODEL_TOLERANCE);
	classifier_run(cls, &mc.an, &cl);
	meta.classify_ms = now_ms() - t1;
	meta.total_ms = now_ms() - p->t0;
	res = result_json(&meta, &p->fx, &cl, &mc);
	if (res && p->kind == KIND_CALIBRATE) {
		json_object_set_new(res, "kind", json_string("calibration"));
		if (golden_wiring_ok(&cl)) {
			long long cid = calibrate_from(r, p, cls, &m, es.device);
			if (cid > 0)
				json_object_set_new(res, "calibration_created", json_integer(cid));
			else
				fprintf(stderr, "tonewired: test %lld: cannot store the calibration\n", p->id);
		}
	}
	if (res && cl.verdict != VERDICT_PASS && m.capture && m.capture_frames) {
		char wav[1100], plan[1100], cerr[CAPTURE_ERR_MAX];
		json_t *pj = capture_plan_json(r->ms, &p->fx, r->jig.name, p->cable.name, es.device, &m);
		store_capture_path(r->cfg.store, p->id, "wav", wav, sizeof(wav));
		store_capture_path(r->cfg.store, p->id, "json", plan, sizeof(plan));
		if (capture_write(wav, plan, m.capture, m.capture_frames, r->jig.fixture.n_inputs,
		                  r->cfg.rate, pj, cerr) < 0)
			fprintf(stderr, "tonewired: test %lld: %s\n", p->id, cerr);
		else if (store_capture_kept(r->cfg.store, p->id) == 0 && store_has_capture(r->cfg.store, p->id)) {
			char url[128];
			snprintf(url, sizeof(url), "%s/%lld/capture.wav", r->cfg.capture_base, p->id);
			json_object_set_new(res, "capture", json_string(url));
			snprintf(url, sizeof(url), "%s/%lld/capture.json", r->cfg.capture_base, p->id);
			json_object_set_new(res, "capture_plan", json_string(url));
		}
		json_decref(pj);
	}
	if (res && xruns)
		json_object_set_new(res, "xruns", json_integer(xruns));
	return res;
}

/* What one stream of a flex session has done so far. */
struct flex_run {
	flexmon *fm;
	classifier *cls;
	struct result_meta *meta;
	uint64_t limit, tracked;         /* frames to track at most, tracked so far */
	uint64_t base;                   /* frames of the session's earlier streams */
	json_t *result;                  /* §5 object of the first measurement */
	const char *ended_by;            /* NULL while running */
	unsigned xruns;
	int flexing;                     /* the state has become flexing */
};

static void flex_end(struct engine_job *job, struct flex_run *fr, const char *why)
{
	fr->ended_by = why;
	atomic_store_explicit(&job->stop, 1, memory_order_release);
}

/* The measurement at the head of a stream: the round trip and H, and, the
 * first time, the cable's static verdict. Then the tracker takes over. */
static void flex_measured(runner *r, struct pending *p, struct flex_run *fr, struct engine_job *job,
                          double t0)
{
	struct measurement m;
	if (measure_finish(r->ms, &m) < 0) {
		flex_end(job, fr, "error");
		return;
	}
	m.acquire_ms = now_ms() - t0;
	note_latency(r, &m);
	if (!fr->result) {
		struct classification cl;
		double t1 = now_ms();
		struct measurement mc = m;
		fr->meta->calibration = calib_apply(r, &mc.an);
		classifier_run(fr->cls, &mc.an, &cl);
		fr->meta->classify_ms = now_ms() - t1;
		fr->meta->total_ms = now_ms() - p->t0;
		fr->result = result_json(fr->meta, &p->fx, &cl, &mc);
		/* No signal, clipping: nothing to track against. */
		if (!fr->result || cl.verdict == VERDICT_ERROR) {
			flex_end(job, fr, "measurement");
			return;
		}
	}
	/* The tracker follows the raw H: what is on the wire, not what a
	 * calibration says it should be. */
	if (flexmon_stream(fr->fm, &m.an, m.latency_frames, fr->base) < 0) {
		flex_end(job, fr, "error");
		return;
	}
	if (!fr->flexing) {
		fr->flexing = 1;
		pthread_mutex_lock(&r->lock);
		r->flex_t0 = now_ms();
		pthread_mutex_unlock(&r->lock);
		set_state(r, ST_FLEXING, p->id);
	}
}

/* One stream of a flex session: a measurement, then the tones go on and
 * every captured frame goes to the tracker, here on the analysis side,
 * until the session has tracked long enough, is stopped, or the stream
 * fails. Returns 0 when the session ended, or the stream's error. */
static int flex_stream(runner *r, struct pending *p, struct flex_run *fr)
{
	const struct measure_timeline *tl = measure_timeline(r->ms);
	unsigned n_in = r->jig.fixture.n_inputs;
	uint64_t left = fr->limit - fr->tracked;
	struct engine_job job = { .render = measure_render, .render_ctx = r->ms, .ring = &r->ring,
	                          .max_frames = tl->capture_max + left + r->cfg.rate };
	struct level_acc lv = { { 0 }, 0 };
	uint64_t frame = 0;
	int tracking = 0, rc;
	double t0 = now_ms();

	measure_begin(r->ms);
	ring_reset(&r->ring);
	if ((rc = engine_start(r->cfg.engine, &job)) < 0)
		return rc;
	for (;;) {
		int fin = atomic_load_explicit(&job.done, memory_order_acquire);
		size_t got = ring_pop(&r->ring, r->chunk, r->chunk_floats);
		if (!fr->ended_by && atomic_load(&r->flex_stop))
			flex_end(&job, fr, "stopped");
		if (got) {
			unsigned frames = (unsigned)(got / n_in);
			if (!fr->ended_by) {
				levels_feed(r, p->id, &lv, r->chunk, frames, frame);
				if (tracking) {
					unsigned take = frames;
					if (take > fr->limit - fr->tracked)
						take = (unsigned)(fr->limit - fr->tracked);
					flexmon_feed(fr->fm, r->chunk, take, frame);
					fr->tracked += take;
					if (fr->tracked >= fr->limit)
						flex_end(&job, fr, "time limit");
				} else if (measure_feed(r->ms, r->chunk, frames)) {
					/* The tracker starts with the next piece: the tones
					 * play on seamlessly, so nothing is lost but these
					 * few milliseconds. */
					flex_measured(r, p, fr, &job, t0);
					tracking = 1;
				}
			}
			frame += frames;
			continue;
		}
		if (fin)
			break;
		struct timespec ts = { 0, 1000000L };
		nanosleep(&ts, NULL);
	}
	rc = engine_wait(r->cfg.engine, &job);
	fr->xruns += job.xruns;
	fr->base += frame;
	if (fr->ended_by)
		return 0;
	if (rc == 0) {
		/* The stream ran to its end without the tracker asking: only an
		 * interface that delivers fewer frames than it was asked for. */
		fr->ended_by = tracking ? "time limit" : "error";
		return tracking ? 0 : -EIO;
	}
	return rc;
}

/* A dropout ended: announce it as it happens. */
static void flex_event(void *ctx, json_t *event)
{
	runner *r = ctx;
	events_publish(r->cfg.events, "flex", event);
	if (r->cfg.metrics)
		metrics_flex_event(r->cfg.metrics);
}

/* Restarts of the stream after xruns; each costs a new measurement. */
#define FLEX_MAX_RESTARTS 10

static json_t *run_flex(runner *r, struct pending *p)
{
	struct result_meta meta = { .id = p->id, .serial = p->has_serial ? p->serial : NULL,
	                            .cable = p->cable.name, .jig = r->jig.name,
	                            .started_at = p->started_at, .rate = r->cfg.rate,
	                            .limits = &p->cable.limits };
	struct engine_status es;
	char err[512] = "";
	struct flexmon_cfg fc = { .plan = measure_plan(r->ms), .fx = &p->fx, .rate = r->cfg.rate,
	                          .session = p->id, .on_event = flex_event, .ctx = r };
	struct flex_run fr = { .meta = &meta, .limit = (uint64_t)p->seconds * r->cfg.rate };
	int e = 0;

	engine_status(r->cfg.engine, &es);
	meta.device = es.device;
	fr.cls = classifier_for(r, p);
	fr.fm = flexmon_create(&fc);
	if (!fr.cls || !fr.fm) {
		snprintf(err, sizeof(err), "cannot set up the flex session for cable '%s' on jig '%s'",
		         p->cable.name, r->jig.name);
		goto error;
	}
	pthread_mutex_lock(&r->lock);
	r->flex = fr.fm;
	r->flex_seconds = p->seconds;
	r->flex_t0 = now_ms();
	pthread_mutex_unlock(&r->lock);

	for (int restarts = 0; restarts <= FLEX_MAX_RESTARTS; restarts++) {
		e = flex_stream(r, p, &fr);
		if (e != -EPIPE || fr.ended_by)
			break;
	}
	if (e < 0 && !fr.ended_by) {
		if (e == -ENODEV)
			snprintf(err, sizeof(err), "the audio device '%.300s' went away during the flex session", es.device);
		else if (e == -EPIPE)
			snprintf(err, sizeof(err), "the audio device kept over/underrunning (%u xruns)", fr.xruns);
		else
			snprintf(err, sizeof(err), "flex session on '%.300s' failed: %s", es.device, strerror(-e));
		fr.ended_by = "error";
	}
	if (!fr.result) {
		if (!err[0])
			snprintf(err, sizeof(err), "%s", fr.ended_by && !strcmp(fr.ended_by, "stopped")
			         ? "stopped before the first measurement" : "the first measurement failed");
		goto error;
	}
	if (err[0]) {
		/* What was tracked until then still counts; the verdict cannot be pass. */
		json_object_set_new(fr.result, "verdict", json_string("error"));
		json_object_set_new(fr.result, "error", json_string(err));
	}
	flexmon_finish_result(fr.fm, fr.result, (double)fr.tracked / r->cfg.rate, fr.ended_by);
	json_object_set_new(json_object_get(fr.result, "timing_ms"), "total",
	                    json_real(round(now_ms() - p->t0)));
	if (fr.xruns)
		json_object_set_new(fr.result, "xruns", json_integer(fr.xruns));
	return fr.result;
error:
	meta.error = err;
	meta.total_ms = now_ms() - p->t0;
	json_t *res = result_json(&meta, &p->fx, NULL, NULL);
	if (res && fr.fm)
		flexmon_finish_result(fr.fm, res, (double)fr.tracked / r->cfg.rate, fr.ended_by ? fr.ended_by : "error");
	else if (res)
		json_object_set_new(res, "kind", json_string("flex"));
	return res;
}

static void finish(runner *r, struct pending *p, json_t *res)
{
	if (!res) {
		struct result_meta meta = { .id = p->id, .serial = p->has_serial ? p->serial : NULL,
		                            .cable = p->cable.name, .jig = r->jig.name,
		                            .started_at = p->started_at, .error = "out of memory" };
		res = result_json(&meta, NULL, NULL, NULL);
		if (res && p->kind != KIND_TEST)
			json_object_set_new(res, "kind", json_string(kind_names[p->kind]));
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
	r->done_at = now_ms();
	/* State first, so a client that has the result has seen the test end;
	 * under the lock, so no other thread reads res while it is serialised
	 * (publishing only appends to the clients' queues). */
	publish_state(r, ST_DONE, p->id);
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
	struct measurement m;
	unsigned xruns;
	if (stream(r, 0, &m, &xruns) == 0) {
		note_latency(r, &m);
		json_t *o = json_object();
		json_object_set_new(o, "connected", json_true());
		json_object_set_new(o, "device", json_string(es.device));
		json_object_set_new(o, "latency_frames", m.coarse.found ? json_real(m.latency_frames) : json_null());
		events_publish(r->cfg.events, "device", o);
		json_decref(o);
	}
}

static int submit(runner *r, enum kind kind, unsigned seconds, const char *cable, const char *serial,
                  long long *id, char err[RUNNER_ERR_MAX]);

/* The trigger's pilot: quiet tones on the jig while the station is idle,
 * analysed here, never on the audio thread. Runs until a cable has been
 * fully in for the debounce time (1), or someone needs the device or the
 * stream fails (0). */
static int pilot(runner *r)
{
	unsigned n_in = r->jig.fixture.n_inputs;
	struct engine_job job = { .render = trigger_render, .render_ctx = r->trig, .ring = &r->ring,
	                          .max_frames = UINT64_MAX };
	int fire = 0, stopping = 0;

	trigger_begin(r->trig);
	ring_reset(&r->ring);
	if (engine_start(r->cfg.engine, &job) < 0)
		return 0;
	for (;;) {
		int fin = atomic_load_explicit(&job.done, memory_order_acquire);
		size_t got = ring_pop(&r->ring, r->chunk, r->chunk_floats);
		if (!stopping && atomic_load(&r->pilot_yield)) {
			stopping = 1;
			atomic_store_explicit(&job.stop, 1, memory_order_release);
		}
		if (got) {
			if (!stopping && trigger_feed(r->trig, r->chunk, (unsigned)(got / n_in))) {
				fire = 1;
				stopping = 1;
				atomic_store_explicit(&job.stop, 1, memory_order_release);
			}
			continue;
		}
		if (fin)
			break;
		struct timespec ts = { 0, 1000000L };
		nanosleep(&ts, NULL);
	}
	engine_wait(r->cfg.engine, &job);
	return fire;
}

/* A cable is in: the same test as POST /api/v1/tests, with the serial
 * posted for it, if any. */
static void trigger_fire(runner *r)
{
	char serial[TRIGGER_SERIAL_MAX + 1], err[RUNNER_ERR_MAX];
	long long id;
	int has = trigger_take_serial(r->trig, serial, sizeof(serial));
	if (submit(r, KIND_TEST, 0, r->trig_cable, has ? serial : NULL, &id, err) < 0) {
		fprintf(stderr, "tonewired: a cable went in, but its test cannot start: %s\n", err);
		trigger_tested(r->trig);   /* not again for the same insertion */
	}
}

static int trigger_setup(runner *r, const struct trigger_cfg *tc, char err[RUNNER_ERR_MAX])
{
	struct pending *p = calloc(1, sizeof(*p));
	char perr[PROFILE_ERR_MAX];
	classifier *c = NULL;
	int rc = -EINVAL;

	if (!p) {
		snprintf(err, RUNNER_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	if (!tc->cable || !tc->cable[0]) {
		snprintf(err, RUNNER_ERR_MAX, "[station] trigger = auto needs a cable to expect ([station] cable)");
		goto out;
	}
	if (profiles_load_cable(r->cfg.profiles, tc->cable, &p->cable, perr) < 0 ||
	    profiles_fixture(&r->jig, &p->cable, &p->fx, &p->expected, perr) < 0) {
		snprintf(err, RUNNER_ERR_MAX, "trigger: %.240s", perr);
		goto out;
	}
	c = classifier_create(&p->fx, &p->expected, &p->cable.limits);
	struct trigger_setup ts = { .plan = measure_plan(r->ms), .fx = &p->fx,
	                            .expected = c ? classifier_expected(c) : NULL,
	                            .debounce_ms = tc->debounce_ms, .events = r->cfg.events };
	if (!c || !(r->trig = trigger_create(&ts))) {
		snprintf(err, RUNNER_ERR_MAX, "cannot set up the trigger's pilot for cable '%s' on jig '%s'",
		         p->cable.name, r->jig.name);
		goto out;
	}
	snprintf(r->trig_cable, sizeof(r->trig_cable), "%s", tc->cable);
	rc = 0;
out:
	classifier_destroy(c);
	free(p);
	return rc;
}

static void *thread_main(void *arg)
{
	runner *r = arg;
	pthread_mutex_lock(&r->lock);
	while (!r->quit) {
		struct pending *p = r->pending;
		if (p && p->id) {
			r->pending = NULL;
			r->state = ST_MEASURING;
			pthread_mutex_unlock(&r->lock);
			publish_state(r, ST_MEASURING, p->id);
			if (r->trig)
				trigger_testing(r->trig);
			json_t *res = p->kind == KIND_FLEX ? run_flex(r, p) : run_test(r, p);
			finish(r, p, res);
			if (r->trig)
				trigger_tested(r->trig);   /* the verdict shows until the cable comes out */
			free(p);
			pthread_mutex_lock(&r->lock);
			continue;
		}
		if (!r->busy) {
			if (r->state == ST_DONE && now_ms() - r->done_at > 1000) {
				r->state = ST_IDLE;
				pthread_mutex_unlock(&r->lock);
				publish_state(r, ST_IDLE, 0);
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
				int fire = pilot(r);
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
		deadline(&ts, 250);
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
	r->started_ms = now_ms();
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&r->lock, NULL);
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
	for (unsigned i = 0; i < f->n_inputs; i++) {
		char name[sizeof(r->inputs[0])];
		if (f->input_neg[i] < 0)
			snprintf(name, sizeof(name), "%s", f->contact[f->input_pos[i]].name);
		else
			snprintf(name, sizeof(name), "+%s -%s", f->contact[f->input_pos[i]].name,
			         f->contact[f->input_neg[i]].name);
		memcpy(r->inputs[i], name, sizeof(name));
	}
	/* The ring holds a whole capture twice over: the analysis side can fall
	 * behind by a full measurement before the audio thread has to stop. */
	unsigned cap = measure_timeline(r->ms)->capture_max;
	r->chunk_floats = (size_t)1024 * f->n_inputs;
	r->chunk = calloc(r->chunk_floats, sizeof(float));
	if (!r->chunk || ring_init(&r->ring, (size_t)cap * f->n_inputs * 2) < 0) {
		snprintf(err, RUNNER_ERR_MAX, "out of memory");
		goto fail;
	}
	r->level_block = cfg->rate / 20;
	json_t *row = NULL;
	if (store_calibration_active(cfg->store, r->jig.name, &row) == 0 && calib_load(r, row) < 0)
		fprintf(stderr, "tonewired: calibration %lld was made for another channel layout of jig %s; not applied\n",
		        (long long)json_integer_value(json_object_get(row, "id")), r->jig.name);
	json_decref(row);
	if (cfg->trigger && trigger_setup(r, cfg->trigger, err) < 0)
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
	json_decref(r->last_result);
	json_decref(r->last_flex);
	flexmon_destroy(r->flex);
	classifier_destroy(r->cls);
	trigger_destroy(r->trig);
	measure_destroy(r->ms);
	ring_free(&r->ring);
	free(r->chunk);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->cond);
	free(r);
}

static int submit(runner *r, enum kind kind, unsigned seconds, const char *cable, const char *serial,
                  long long *id, char err[RUNNER_ERR_MAX])
{
	struct pending *p = calloc(1, sizeof(*p));
	char perr[PROFILE_ERR_MAX];
	int e;

	err[0] = '\0';
	*id = 0;
	if (!p) {
		snprintf(err, RUNNER_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	if ((e = profiles_load_cable(r->cfg.profiles, cable, &p->cable, perr)) < 0 ||
	    (e = profiles_fixture(&r->jig, &p->cable, &p->fx, &p->expected, perr)) < 0) {
		snprintf(err, RUNNER_ERR_MAX, "%s", perr);
		free(p);
		return e == -ENOENT ? -ENOENT : -EINVAL;
	}
	if (serial) {
		snprintf(p->serial, sizeof(p->serial), "%s", serial);
		p->has_serial = 1;
	}
	p->t0 = now_ms();
	p->started_at = (long long)time(NULL);
	p->kind = kind;
	p->seconds = seconds;

	pthread_mutex_lock(&r->lock);
	if (r->closing || r->quit) {
		pthread_mutex_unlock(&r->lock);
		free(p);
		snprintf(err, RUNNER_ERR_MAX, "the station is shutting down");
		return -ECANCELED;
	}
	if (r->busy || r->pending || r->state == ST_MEASURING || r->state == ST_ANALYSING) {
		*id = r->cur_id;
		pthread_mutex_unlock(&r->lock);
		free(p);
		snprintf(err, RUNNER_ERR_MAX, "the jig is busy");
		return -EBUSY;
	}
	r->busy = 1;
	r->cur_id = 0;
	r->cur_kind = kind;
	atomic_store(&r->pilot_yield, 1);   /* the pilot gives the device to the test */
	r->state = ST_MEASURING;
	atomic_store(&r->flex_stop, 0);
	pthread_mutex_unlock(&r->lock);

	/* The aborted record is what stays if the daemon dies mid-test. */
	struct result_meta meta = { .serial = p->has_serial ? p->serial : NULL, .cable = p->cable.name,
	                            .jig = r->jig.name, .started_at = p->started_at, .rate = r->cfg.rate,
	                            .error = "aborted: the station stopped before the test finished" };
	json_t *aborted = result_json(&meta, &p->fx, NULL, NULL);
	if (aborted && kind != KIND_TEST)
		json_object_set_new(aborted, "kind", json_string(kind_names[kind]));
	e = aborted ? store_begin(r->cfg.store, p->has_serial ? p->serial : NULL, p->cable.name, r->jig.name,
	                          p->started_at, aborted, &p->id) : -ENOMEM;
	json_decref(aborted);

	pthread_mutex_lock(&r->lock);
	if (e < 0) {
		r->busy = 0;
		r->state = ST_IDLE;
		pthread_mutex_unlock(&r->lock);
		free(p);
		/* Refused before it runs, rather than run and lost: say why, so a
		 * full disk or a read-only state directory can be fixed. */
		char why[200];
		store_error(r->cfg.store, why, sizeof(why));
		snprintf(err, RUNNER_ERR_MAX, "cannot record the test in the results store (%s): %.150s",
		         e == -ENOSPC ? "disk full" : e == -EROFS ? "read-only" : "write failed", why);
		return e == -ENOSPC || e == -EROFS ? e : -EIO;
	}
	r->cur_id = p->id;
	r->pending = p;
	*id = p->id;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

int runner_submit(runner *r, const char *cable, const char *serial, long long *id,
                  char err[RUNNER_ERR_MAX])
{
	return submit(r, KIND_TEST, 0, cable, serial, id, err);
}

int runner_submit_flex(runner *r, const char *cable, const char *serial, unsigned seconds,
                       long long *id, char err[RUNNER_ERR_MAX])
{
	if (seconds < 1 || seconds > RUNNER_FLEX_MAX_SECONDS) {
		snprintf(err, RUNNER_ERR_MAX, "seconds: %u is not between 1 and %d", seconds, RUNNER_FLEX_MAX_SECONDS);
		return -EINVAL;
	}
	return submit(r, KIND_FLEX, seconds, cable, serial, id, err);
}

int runner_submit_calibrate(runner *r, const char *cable, const char *serial, long long *id,
                            char err[RUNNER_ERR_MAX])
{
	return submit(r, KIND_CALIBRATE, 0, cable, serial, id, err);
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
		json_object_set_new(o, "state", json_string(state_names[r->state]));
		json_object_set_new(o, "seconds", json_integer(r->flex_seconds));
		json_object_set_new(o, "elapsed_s", json_real(r->flex && r->state == ST_FLEXING
		                                               ? round(now_ms() - r->flex_t0) / 1000.0 : 0.0));
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
	deadline(&ts, (unsigned)timeout_ms);
	pthread_mutex_lock(&r->lock);
	for (;;) {
		if (r->last_id == id && r->last_result) {
			*result = json_incref(r->last_result);
			rc = r->last_stored ? 0 : -EIO;
			break;
		}
		if (r->cur_id != id) {
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
	int p = id > 0 && r->cur_id == id;
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
	json_t *cal = json_null();
	if (r->cal.id) {
		cal = json_object();
		json_object_set_new(cal, "id", json_integer(r->cal.id));
		json_object_set_new(cal, "cable", json_string(r->cal.cable));
		json_object_set_new(cal, "created_at", json_string(r->cal.created_at));
	}
	pthread_mutex_unlock(&r->lock);

	json_object_set_new(o, "state", json_string(state_names[s]));
	json_object_set_new(o, "test", cur > 0 ? json_integer(cur) : json_null());
	if (flexing)
		json_object_set_new(o, "flex", cur > 0 ? json_integer(cur) : json_null());
	json_object_set_new(o, "last_test", last > 0 ? json_integer(last) : json_null());
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
	json_object_set_new(o, "latency_frames", lat_ok ? json_real(round(lat * 100) / 100) : json_null());
	json_object_set_new(o, "latency_ms", lat_ok ? json_real(round(lat * 1e5 / r->cfg.rate) / 100) : json_null());
	json_object_set_new(o, "xruns", json_integer((json_int_t)es.xruns));
	json_object_set_new(o, "device_losses", json_integer((json_int_t)es.losses));
	json_object_set_new(o, "tests_run", json_integer((json_int_t)n));
	json_object_set_new(o, "uptime_s", json_integer((json_int_t)((now_ms() - r->started_ms) / 1000)));
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
	g->uptime_s = (now_ms() - r->started_ms) / 1000;
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
	deadline(&ts, (unsigned)timeout_ms);
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
