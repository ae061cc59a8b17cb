/* engine: owns the ALSA device — opens it, streams capture jobs on its audio thread, survives its loss. */
#include "engine.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "devices.h"
#include "log.h"
#include "ring.h"

/* One stream: the audio thread plays render's frames and pushes every
 * captured period into ring (in_channels interleaved floats) until
 * max_frames or until the consumer sets stop. */
struct engine_job {
	duplex_render_fn render;
	void *render_ctx;
	struct ring *ring;
	uint64_t max_frames;
	atomic_int stop;              /* set by the consumer: enough captured */
	/* Written by the engine; read after engine_wait. */
	atomic_int done;
	int rc;                       /* 0, -EPIPE (xrun or ring overrun), -ENODEV, -errno */
	unsigned xruns;
};

struct engine {
	pthread_t thread;
	int started;
	/* Guards everything below. The audio thread never holds it while the
	 * streams run: it takes a job under the lock, then streams without it. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct engine_cfg cfg;
	char device[512];
	char capture_device[512];               /* "" = device */
	struct tw_interface iface;              /* name "" = none */
	int iface_given;                        /* iface came from the configuration, else recognised */
	unsigned out_map[FIXTURE_MAX_CHANNELS], in_map[FIXTURE_MAX_CHANNELS];
	int reopen;                  /* device changed: close and open again */
	int held;                    /* a device was open, and has not been counted lost since */
	int open_errnum;             /* why the last open failed: -ENODEV, -EBUSY… */
	int quit;
	struct engine_job *job;      /* pending or running */
	int running;
	duplex *dx;                  /* touched only by the engine thread */
	struct engine_status st;
	/* The consumer's side of a stream (engine_stream's caller only). */
	struct ring ring;
	float *chunk;
	size_t chunk_floats;
};

struct run_ctx {
	struct engine_job *job;
	unsigned in_ch;
	int overrun;
};

/* The real-time path: copy the period into the ring, nothing else. A full
 * ring means the analysis side fell behind a whole capture: stop, and the
 * run counts as an overrun (retried like an xrun). */
static int run_sink(void *ctx, const float *in, unsigned frames)
{
	struct run_ctx *r = ctx;
	size_t n = (size_t)frames * r->in_ch;
	if (ring_push(r->job->ring, in, n) != n) {
		r->overrun = 1;
		return 1;
	}
	return atomic_load_explicit(&r->job->stop, memory_order_acquire);
}

static void run_render(void *ctx, float *out, unsigned frames)
{
	struct run_ctx *r = ctx;
	r->job->render(r->job->render_ctx, out, frames);
}

static void close_device(engine *e)
{
	duplex_close(e->dx);
	e->dx = NULL;
}

/* Called with the lock held; drops it around the (slow) open. */
static void try_open(engine *e)
{
	char err[DUPLEX_ERR_MAX], device[512];
	int errnum = 0;
	struct duplex_cfg dc = { .device = device, .rate = e->cfg.rate, .out_channels = e->cfg.out_channels,
	                         .in_channels = e->cfg.in_channels, .period_frames = e->cfg.period,
	                         .periods = e->cfg.periods, .capture_device = e->capture_device,
	                         .out_map = e->cfg.out_map ? e->out_map : NULL, .in_map = e->cfg.in_map ? e->in_map : NULL };

	snprintf(device, sizeof(device), "%s", e->device);
	e->reopen = 0;
	pthread_mutex_unlock(&e->lock);
	/* A re-plugged or switched device may be another interface. */
	if (!e->iface_given && (!e->cfg.profiles || devices_identify(e->cfg.profiles, device, &e->iface) < 0))
		iface_init(&e->iface);
	dc.iface = e->iface.name[0] ? &e->iface : NULL;
	duplex *d = duplex_open(&dc, err, &errnum);
	pthread_mutex_lock(&e->lock);
	if (!d) {
		e->open_errnum = errnum < 0 ? errnum : -ENODEV;
		/* The device open until a switch or re-plug cannot be opened again:
		 * it went away as much as one that fails mid-stream. */
		if (e->held) {
			e->held = 0;
			e->st.losses++;
		}
		log_limited("%s (retrying every %u ms)", err, e->cfg.retry_ms);
		e->st.connected = 0;
		snprintf(e->st.error, sizeof(e->st.error), "%s", err);
		return;
	}
	if (e->reopen) {   /* switched again while opening */
		duplex_close(d);
		return;
	}
	e->dx = d;
	e->held = 1;
	e->st.connected = 1;
	e->st.error[0] = '\0';
	e->st.rate = duplex_rate(d);
	e->st.period = duplex_period(d);
	snprintf(e->st.format, sizeof(e->st.format), "%s", duplex_format_name(d));
	snprintf(e->st.interface, sizeof(e->st.interface), "%s", e->iface.name);
	snprintf(e->st.device, sizeof(e->st.device), "%s", device);
	e->st.opens++;
	e->st.generation++;
	fprintf(stderr, "tonewired: device '%s' open (%u Hz, period %u, %s)\n", device, e->st.rate,
	        e->st.period, e->st.format);
	pthread_cond_broadcast(&e->cond);
}

static void lost(engine *e, const char *why)
{
	close_device(e);
	e->st.connected = 0;
	e->st.losses++;
	e->held = 0;
	snprintf(e->st.error, sizeof(e->st.error), "device '%.180s' went away (%s)", e->device, why);
	fprintf(stderr, "tonewired: %s; reopening every %u ms\n", e->st.error, e->cfg.retry_ms);
	pthread_cond_broadcast(&e->cond);
}

static void *thread_main(void *arg)
{
	engine *e = arg;
	struct sched_param sp = { .sched_priority = 10 };
	/* Real-time priority where allowed (rtkit, CAP_SYS_NICE); a bench PC runs
	 * fine without it, so failure is not an error. */
	pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);

	pthread_mutex_lock(&e->lock);
	while (!e->quit) {
		struct timespec ts;
		if (e->reopen && e->dx && !e->job) {
			close_device(e);
			e->st.connected = 0;
		}
		if (!e->dx) {
			try_open(e);
			if (!e->dx && !e->quit && !e->reopen) {
				/* A job handed in meanwhile cannot run. */
				if (e->job && !e->running) {
					e->job->rc = -ENODEV;
					atomic_store(&e->job->done, 1);
					e->job = NULL;
					pthread_cond_broadcast(&e->cond);
				}
				clock_deadline(&ts, e->cfg.retry_ms);
				pthread_cond_timedwait(&e->cond, &e->lock, &ts);
			}
			continue;
		}
		if (!e->job) {
			clock_deadline(&ts, e->cfg.retry_ms);
			if (pthread_cond_timedwait(&e->cond, &e->lock, &ts) == ETIMEDOUT && duplex_check(e->dx) < 0)
				lost(e, "disconnected");
			continue;
		}
		struct engine_job *job = e->job;
		struct run_ctx rc = { .job = job, .in_ch = e->cfg.in_channels };
		unsigned xruns = 0;
		e->running = 1;
		pthread_mutex_unlock(&e->lock);

		int r = duplex_run(e->dx, run_render, &rc, run_sink, &rc, job->max_frames, &xruns);
		if (r == 0 && rc.overrun)
			r = -EPIPE;

		pthread_mutex_lock(&e->lock);
		e->st.xruns += xruns;
		if (r == -ENODEV)
			lost(e, "stream failed");
		/* A mixer control that cannot be set: the status says which. */
		snprintf(e->st.setup_error, sizeof(e->st.setup_error), "%s", r == -EACCES ? duplex_error(e->dx) : "");
		job->rc = r;
		job->xruns = xruns;
		atomic_store_explicit(&job->done, 1, memory_order_release);
		e->job = NULL;
		e->running = 0;
		pthread_cond_broadcast(&e->cond);
	}
	close_device(e);
	e->st.connected = 0;
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

engine *engine_create(const struct engine_cfg *cfg, char err[ENGINE_ERR_MAX])
{
	engine *e = calloc(1, sizeof(*e));
	pthread_condattr_t ca;

	err[0] = '\0';
	if (!e) {
		snprintf(err, ENGINE_ERR_MAX, "out of memory");
		return NULL;
	}
	e->cfg = *cfg;
	e->cfg.device = NULL;
	snprintf(e->capture_device, sizeof(e->capture_device), "%s", cfg->capture_device ? cfg->capture_device : "");
	if (cfg->iface) {
		e->iface = *cfg->iface;
		e->iface_given = 1;
	}
	for (unsigned k = 0; k < FIXTURE_MAX_CHANNELS; k++) {
		e->out_map[k] = cfg->out_map && k < cfg->out_channels ? cfg->out_map[k] : k + 1;
		e->in_map[k] = cfg->in_map && k < cfg->in_channels ? cfg->in_map[k] : k + 1;
	}
	e->cfg.capture_device = NULL;
	e->cfg.iface = NULL;
	if (!e->cfg.retry_ms)
		e->cfg.retry_ms = 500;
	snprintf(e->device, sizeof(e->device), "%s", cfg->device);
	snprintf(e->st.device, sizeof(e->st.device), "%s", cfg->device);
	e->st.rate = cfg->rate;
	e->chunk_floats = (size_t)1024 * cfg->in_channels;
	e->chunk = calloc(e->chunk_floats, sizeof(float));
	if (!e->chunk || ring_init(&e->ring, (size_t)(cfg->ring_frames ? cfg->ring_frames : 65536) *
	                                     cfg->in_channels) < 0) {
		snprintf(err, ENGINE_ERR_MAX, "out of memory");
		engine_destroy(e);
		return NULL;
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->cond, &ca);
	pthread_condattr_destroy(&ca);
	int rc = pthread_create(&e->thread, NULL, thread_main, e);
	if (rc != 0) {
		snprintf(err, ENGINE_ERR_MAX, "cannot start the audio thread: %s", strerror(rc));
		engine_destroy(e);
		return NULL;
	}
	e->started = 1;
	return e;
}

void engine_destroy(engine *e)
{
	if (!e)
		return;
	if (e->started) {
		pthread_mutex_lock(&e->lock);
		e->quit = 1;
		if (e->job && !e->running) {
			e->job->rc = -ECANCELED;
			atomic_store(&e->job->done, 1);
			e->job = NULL;
		}
		pthread_cond_broadcast(&e->cond);
		pthread_mutex_unlock(&e->lock);
		pthread_join(e->thread, NULL);
	}
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->cond);
	ring_free(&e->ring);
	free(e->chunk);
	free(e);
}

static int engine_start(engine *e, struct engine_job *job)
{
	int rc = 0;
	atomic_store(&job->done, 0);
	atomic_store(&job->stop, 0);
	job->rc = 0;
	job->xruns = 0;
	pthread_mutex_lock(&e->lock);
	if (e->quit)
		rc = -ECANCELED;
	else if (!e->dx || e->reopen)
		rc = e->dx || !e->open_errnum ? -ENODEV : e->open_errnum;   /* busy stays busy */
	else if (e->job)
		rc = -EBUSY;
	else {
		e->job = job;
		pthread_cond_broadcast(&e->cond);
	}
	pthread_mutex_unlock(&e->lock);
	return rc;
}

static int engine_wait(engine *e, struct engine_job *job)
{
	pthread_mutex_lock(&e->lock);
	while (!atomic_load(&job->done))
		pthread_cond_wait(&e->cond, &e->lock);
	pthread_mutex_unlock(&e->lock);
	return job->rc;
}

int engine_set_device(engine *e, const char *device)
{
	int rc = 0;
	pthread_mutex_lock(&e->lock);
	if (e->job) {
		rc = -EBUSY;
	} else {
		snprintf(e->device, sizeof(e->device), "%s", device);
		snprintf(e->st.device, sizeof(e->st.device), "%s", device);
		e->reopen = 1;
		e->st.connected = 0;
		pthread_cond_broadcast(&e->cond);
	}
	pthread_mutex_unlock(&e->lock);
	return rc;
}

int engine_wait_connected(engine *e, int timeout_ms)
{
	struct timespec ts;
	clock_deadline(&ts, (unsigned)timeout_ms);
	pthread_mutex_lock(&e->lock);
	while (!(e->dx && e->st.connected && !e->reopen) && !e->quit) {
		if (pthread_cond_timedwait(&e->cond, &e->lock, &ts) == ETIMEDOUT)
			break;
	}
	int ok = e->dx && e->st.connected && !e->reopen;
	pthread_mutex_unlock(&e->lock);
	return ok;
}

void engine_status(engine *e, struct engine_status *st)
{
	pthread_mutex_lock(&e->lock);
	*st = e->st;
	pthread_mutex_unlock(&e->lock);
}

int engine_stream(engine *e, duplex_render_fn render, void *render_ctx, duplex_capture_fn sink,
                  void *sink_ctx, uint64_t max_frames, unsigned *xruns)
{
	struct engine_job job = { .render = render, .render_ctx = render_ctx, .ring = &e->ring,
	                          .max_frames = max_frames };
	unsigned n_in = e->cfg.in_channels;
	int enough = 0, rc;

	ring_reset(&e->ring);
	if ((rc = engine_start(e, &job)) < 0)
		return rc;
	for (;;) {
		int fin = atomic_load_explicit(&job.done, memory_order_acquire);
		size_t got = ring_pop(&e->ring, e->chunk, e->chunk_floats);
		if (got) {
			/* After the sink has had enough, the rest only drains. */
			if (!enough && sink(sink_ctx, e->chunk, (unsigned)(got / n_in))) {
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
	rc = engine_wait(e, &job);
	if (xruns)
		*xruns += job.xruns;
	return rc;
}

static int pump_run_engine(void *self, duplex_render_fn render, void *render_ctx, duplex_capture_fn sink,
                           void *sink_ctx, uint64_t max_frames, unsigned *xruns)
{
	return engine_stream(self, render, render_ctx, sink, sink_ctx, max_frames, xruns);
}

struct pump engine_pump(engine *e)
{
	struct pump p = { .run = pump_run_engine, .self = e };
	return p;
}
