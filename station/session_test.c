/* session_test: one test and one calibration — measure, classify against the profile, the result object. */
#include "session.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"

/* The result's description of the session, with cable, jig and limits taken
 * from the cable in the jig where the caller left them out. */
static struct result_meta meta_of(const struct session *s)
{
	struct result_meta m = s->meta;
	if (!m.cable)
		m.cable = s->sc->cable.name;
	if (!m.jig)
		m.jig = s->sc->jig.name;
	if (!m.limits)
		m.limits = &s->sc->cable.limits;
	if (!m.profile_sha256)
		m.profile_sha256 = s->sc->profile_sha256;
	m.total_ms = clock_now_ms() - s->t0;
	return m;
}

json_t *session_error(const struct session *s, int errnum, const char *msg)
{
	struct result_meta m = meta_of(s);
	const char *dev = m.device ? m.device : "";
	char buf[512];

	if (!msg) {
		if (errnum == -ENODEV && s->device_error && *s->device_error)
			snprintf(buf, sizeof(buf), "no audio device: %.400s", s->device_error);
		else if (errnum == -ENODEV)
			snprintf(buf, sizeof(buf), "the audio device '%.300s' is missing or went away", dev);
		else if (errnum == -EBUSY)
			snprintf(buf, sizeof(buf), "the audio device '%.300s' is in use by another program", dev);
		else if (errnum == -EACCES)
			snprintf(buf, sizeof(buf), "the mixer of '%.300s' cannot be set as the measurement needs: %.150s", dev,
			         s->device_error && *s->device_error ? s->device_error : "see the device's status");
		else if (errnum == -EPIPE)
			snprintf(buf, sizeof(buf), "the audio device '%.300s' kept over/underrunning (xruns)", dev);
		else
			snprintf(buf, sizeof(buf), "measurement on '%.300s' failed: %s", dev, strerror(-errnum));
		msg = buf;
	}
	m.error = msg;
	m.error_code = result_error_code(errnum);
	return result_json(&m, &s->sc->fx, NULL, NULL);
}

/* Model tolerance of a judgement: a golden sample's wiring is checked
 * loosely (its level error is what calibration removes); a calibrated jig
 * is trusted to CALIBRATION_TOLERANCE; a raw one to the classifier's
 * default. */
static double tolerance_of(const struct session *s, const struct result_meta *m)
{
	if (m->kind && !strcmp(m->kind, "calibration"))
		return CALIBRATION_GOLDEN_TOLERANCE;
	return m->calibration ? CALIBRATION_TOLERANCE : CLASSIFY_MODEL_TOLERANCE;
}

json_t *session_judge(const struct session *s, const struct measurement *m, struct session_outcome *out)
{
	struct session_outcome local;
	struct result_meta meta = meta_of(s);
	double t1 = clock_now_ms();

	if (!out)
		out = &local;
	out->measured = 1;
	out->m = *m;
	/* Classified and reported relative to the golden reference; the raw
	 * capture and the raw H (out->m) stay as measured. */
	struct measurement mc = *m;
	meta.calibration = calibration_apply(s->cal, &mc.an);
	classifier_set_model_tolerance(s->cls, tolerance_of(s, &meta));
	if (m->coarse.found)
		classifier_run(s->cls, &mc.an, &out->cl);
	else   /* no round trip: each tone's phase known only against its other inputs */
		classifier_run_unaligned(s->cls, &mc.an, &out->cl);
	meta.classify_ms = clock_now_ms() - t1;
	meta.total_ms = clock_now_ms() - s->t0;
	json_t *res = result_json(&meta, &s->sc->fx, &out->cl, &mc);
	if (res && m->xruns)
		json_object_set_new(res, "xruns", json_integer(m->xruns));
	return res;
}

json_t *session_test(const struct session *s, const struct pump *p, struct session_outcome *out)
{
	struct measurement m;
	int e = measure_run(s->ms, p, &m);
	if (out)
		out->measured = 0;
	if (e < 0) {
		json_t *res = session_error(s, e, NULL);
		if (res && m.xruns)
			json_object_set_new(res, "xruns", json_integer(m.xruns));
		return res;
	}
	if (s->measured)
		s->measured(s->ctx, &m);
	struct session_outcome local;
	json_t *res = session_judge(s, &m, out ? out : &local);
	const struct session_outcome *o = out ? out : &local;
	if (res && s->keep_capture && o->cl.verdict != VERDICT_PASS && m.capture && m.capture_frames)
		s->keep_capture(s->ctx, &m, res);
	return res;
}

json_t *session_calibrate(const struct session *s, const struct pump *p, json_t **corrections)
{
	struct session cs = *s;
	struct session_outcome out;

	*corrections = NULL;
	cs.meta.kind = "calibration";
	json_t *res = session_test(&cs, p, &out);
	if (res && out.measured && calibration_golden_ok(&out.cl))
		*corrections = calibration_corrections(&s->sc->fx, measure_plan(s->ms), classifier_expected(s->cls),
		                                       &out.m, s->sc->cable.limits.min_snr_db);
	return res;
}
