/* session_flex: one flex session — a measurement, then every input tracked for dropouts while the cable is flexed. */
#include "session.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"

/* Restarts of the stream after xruns; each costs a new measurement. */
#define FLEX_MAX_RESTARTS 10

/* One flex session's progress across its streams. */
struct flex_run {
	const struct session *s;
	uint64_t limit, tracked;         /* frames to track at most, tracked so far */
	uint64_t base;                   /* frames of the session's earlier streams */
	uint64_t frame;                  /* frames of this stream so far */
	json_t *result;                  /* result of the first measurement */
	const char *ended_by;            /* NULL while running */
	int tracking;                    /* this stream's measurement is in */
	int started;                     /* the tracker has run in some stream */
	double t0;                       /* when this stream began */
};

/* The measurement at the head of a stream: the round trip and H, and, the
 * first time, the cable's static verdict. Then the tracker takes over. */
static void measured(struct flex_run *fr)
{
	const struct session *s = fr->s;
	struct measurement m;
	if (measure_finish(s->ms, &m) < 0) {
		fr->ended_by = "error";
		return;
	}
	m.acquire_ms = clock_now_ms() - fr->t0;
	if (s->measured)
		s->measured(s->ctx, &m);
	if (!fr->result) {
		struct session_outcome out;
		fr->result = session_judge(s, &m, &out);
		/* No signal, clipping: nothing to track against. */
		if (!fr->result || out.cl.verdict == VERDICT_ERROR) {
			fr->ended_by = "measurement";
			return;
		}
	}
	/* The tracker follows the raw H: what is on the wire, not what a
	 * calibration says it should be. */
	if (flexmon_stream(s->fm, &m.an, m.latency_frames, fr->base) < 0) {
		fr->ended_by = "error";
		return;
	}
	fr->tracking = 1;
	if (!fr->started) {
		fr->started = 1;
		if (s->tracking)
			s->tracking(s->ctx);
	}
}

/* Every captured piece: the measurement first, then the tracker, until the
 * session has tracked long enough or is stopped. Non-zero ends the stream. */
static int sink(void *ctx, const float *in, unsigned frames)
{
	struct flex_run *fr = ctx;
	const struct session *s = fr->s;

	if (!fr->ended_by && s->stop && atomic_load(s->stop))
		fr->ended_by = "stopped";
	if (fr->ended_by)
		return 1;
	if (fr->tracking) {
		unsigned take = frames;
		if (take > fr->limit - fr->tracked)
			take = (unsigned)(fr->limit - fr->tracked);
		flexmon_feed(s->fm, in, take, fr->frame);
		fr->tracked += take;
		if (fr->tracked >= fr->limit)
			fr->ended_by = "time limit";
	} else if (measure_feed(s->ms, in, frames)) {
		/* The tracker starts with the next piece: the tones play on
		 * seamlessly, so nothing is lost but these few milliseconds. */
		measured(fr);
	}
	fr->frame += frames;
	return fr->ended_by != NULL;
}

/* One stream of the session. Returns 0 when the session ended, or the
 * stream's error. */
static int stream(struct flex_run *fr, const struct pump *p, unsigned *xruns)
{
	const struct session *s = fr->s;
	const struct measure_timeline *tl = measure_timeline(s->ms);
	uint64_t max = tl->capture_max + (fr->limit - fr->tracked) + s->meta.rate;

	fr->frame = 0;
	fr->tracking = 0;
	fr->t0 = clock_now_ms();
	measure_begin(s->ms);
	int rc = pump_run(p, measure_render, s->ms, sink, fr, max, xruns);
	fr->base += fr->frame;
	if (fr->ended_by)
		return 0;
	if (rc == 0) {
		/* The stream ran to its end without the tracker asking: only an
		 * interface that delivers fewer frames than it was asked for. */
		fr->ended_by = fr->tracking ? "time limit" : "error";
		return fr->tracking ? 0 : -EIO;
	}
	return rc;
}

json_t *session_flex(const struct session *s, const struct pump *p)
{
	struct session fs = *s;
	struct flex_run fr = { .s = &fs };
	unsigned xruns = 0;
	char err[512] = "";
	int e = 0;

	fs.meta.kind = "flex";
	fs.keep_capture = NULL;
	fr.limit = (uint64_t)llround(s->seconds * s->meta.rate);
	for (int restarts = 0; restarts <= FLEX_MAX_RESTARTS; restarts++) {
		e = stream(&fr, p, &xruns);
		if (e != -EPIPE || fr.ended_by)
			break;
	}
	const char *dev = s->meta.device ? s->meta.device : "";
	if (e < 0 && !fr.ended_by) {
		if (e == -ENODEV)
			snprintf(err, sizeof(err), "the audio device '%.300s' went away during the flex session", dev);
		else if (e == -EPIPE)
			snprintf(err, sizeof(err), "the audio device kept over/underrunning (%u xruns)", xruns);
		else if (e == -EBUSY)
			snprintf(err, sizeof(err), "the audio device '%.300s' is in use by another program", dev);
		else
			snprintf(err, sizeof(err), "flex session on '%.300s' failed: %s", dev, strerror(-e));
		fr.ended_by = "error";
	}
	json_t *res = fr.result;
	if (!res) {
		if (!err[0])
			snprintf(err, sizeof(err), "%s", fr.ended_by && !strcmp(fr.ended_by, "stopped")
			         ? "stopped before the first measurement" : "the first measurement failed");
		res = session_error(&fs, e < 0 ? e : -EIO, err);
		if (!res)
			return NULL;
	} else if (err[0]) {
		/* What was tracked until then still counts; the verdict cannot be pass. */
		json_object_set_new(res, "verdict", json_string("error"));
		json_object_set_new(res, "error", json_string(err));
	}
	flexmon_finish_result(s->fm, res, (double)fr.tracked / s->meta.rate, fr.ended_by ? fr.ended_by : "error");
	json_object_set_new(json_object_get(res, "timing_ms"), "total", json_real(round(clock_now_ms() - s->t0)));
	if (xruns)
		json_object_set_new(res, "xruns", json_integer(xruns));
	return res;
}
