/* measure: one measurement on a jig — noise probe, tones, latency, transfer matrix. */
#include "measure.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "stimulus.h"

struct measure {
	struct measure_cfg cfg;
	struct toneplan plan;
	struct measure_timeline tl;
	stimulus *stim;
	analyzer *an;
	latency *lat;
	const float *probes[TONEPLAN_MAX_TONES];
	float *capture;
	/* state of the run in progress */
	unsigned got, need;
	int coarse_done;
	struct latency_estimate coarse;
};

measure *measure_create(const struct measure_cfg *cfg, char err[MEASURE_ERR_MAX])
{
	measure *m = NULL;
	int e;

	err[0] = '\0';
	if (!cfg || !cfg->n_outputs || !cfg->n_inputs || cfg->n_inputs > ANALYZER_MAX_INPUTS) {
		snprintf(err, MEASURE_ERR_MAX, "bad measurement set-up (outputs %u, inputs %u)",
		         cfg ? cfg->n_outputs : 0, cfg ? cfg->n_inputs : 0);
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		goto fail;
	m->cfg = *cfg;
	unsigned window = cfg->window ? cfg->window : toneplan_default_window(cfg->rate);
	e = toneplan_make(&m->plan, cfg->n_outputs, cfg->rate, window);
	if (e < 0) {
		snprintf(err, MEASURE_ERR_MAX, "cannot plan %u tones at %u Hz, window %u: %s",
		         cfg->n_outputs, cfg->rate, window, strerror(-e));
		goto fail;
	}
	/* Timeline, scaled with the window so it means the same time at every rate:
	 * a probe of a quarter window (~21 ms) gives the cross-correlation ~30 dB
	 * of processing gain; the fade and settle let the interface's DC blockers
	 * and anti-alias filters forget the probe; latencies up to a quarter
	 * window (~21 ms) cover USB interfaces with generous buffering. */
	m->tl.window = window;
	m->tl.windows = cfg->windows ? cfg->windows : 1;
	m->tl.probe = window / 4 < 512 ? 512 : window / 4;
	m->tl.fade = window / 16;
	m->tl.settle = window / 32;
	m->tl.max_latency = cfg->max_latency ? cfg->max_latency : window / 4;
	m->tl.capture_max = m->tl.max_latency + m->tl.probe + m->tl.fade + m->tl.settle +
	                    m->tl.windows * window + 2;

	struct stimulus_cfg sc = { .plan = &m->plan, .probe_frames = m->tl.probe,
	                           .fade_frames = m->tl.fade, .seed = cfg->seed ? cfg->seed : 0x746f6e65u };
	m->cfg.seed = sc.seed;
	m->stim = stimulus_create(&sc);
	struct analyzer_cfg ac = { .plan = &m->plan, .n_inputs = cfg->n_inputs };
	m->an = analyzer_create(&ac);
	struct latency_cfg lc = { .n_outputs = cfg->n_outputs, .n_inputs = cfg->n_inputs,
	                          .probe_frames = m->tl.probe, .max_frames = m->tl.max_latency };
	m->lat = latency_create(&lc);
	m->capture = calloc((size_t)m->tl.capture_max * cfg->n_inputs, sizeof(float));
	if (!m->stim || !m->an || !m->lat || !m->capture) {
		snprintf(err, MEASURE_ERR_MAX, "cannot set up the analysis (out of memory?)");
		goto fail;
	}
	for (unsigned i = 0; i < cfg->n_outputs; i++)
		m->probes[i] = stimulus_probe(m->stim, i);
	return m;
fail:
	if (!err[0])
		snprintf(err, MEASURE_ERR_MAX, "out of memory");
	measure_destroy(m);
	return NULL;
}

void measure_destroy(measure *m)
{
	if (!m)
		return;
	stimulus_destroy(m->stim);
	analyzer_destroy(m->an);
	latency_destroy(m->lat);
	free(m->capture);
	free(m);
}

const struct toneplan *measure_plan(const measure *m) { return &m->plan; }
const struct measure_timeline *measure_timeline(const measure *m) { return &m->tl; }
uint32_t measure_seed(const measure *m) { return m->cfg.seed; }

/* First captured frame of the analysis window for a round trip of lat frames. */
static unsigned window_start(const measure *m, double lat)
{
	return (unsigned)ceil(lat) + m->tl.probe + m->tl.fade + m->tl.settle;
}

void measure_render(void *ctx, float *out, unsigned frames)
{
	measure *m = ctx;
	stimulus_render(m->stim, out, frames);
}

void measure_begin(measure *m)
{
	stimulus_reset(m->stim);
	m->got = 0;
	m->need = m->tl.capture_max;
	m->coarse_done = 0;
	memset(&m->coarse, 0, sizeof(m->coarse));
}

unsigned measure_captured(const measure *m) { return m->got; }

int measure_feed(measure *m, const float *in, unsigned frames)
{
	unsigned n = m->cfg.n_inputs;
	unsigned take = frames;

	if (m->got + take > m->tl.capture_max)
		take = m->tl.capture_max - m->got;
	memcpy(m->capture + (size_t)m->got * n, in, (size_t)take * n * sizeof(float));
	m->got += take;

	/* As soon as the probe has been heard, the round trip is known and the
	 * capture can stop right after the analysis window instead of waiting out
	 * the largest latency allowed. This FFT work belongs to the analysis
	 * side: a real-time capture thread only hands frames over. */
	if (!m->coarse_done && m->got >= m->tl.probe + m->tl.max_latency) {
		m->coarse_done = 1;
		latency_probe(m->lat, m->probes, m->capture, m->tl.probe + m->tl.max_latency, &m->coarse);
		if (m->coarse.found) {
			unsigned need = window_start(m, m->coarse.frames) + 1 + m->tl.windows * m->tl.window;
			if (need < m->need)
				m->need = need;
		}
	}
	return m->got >= m->need;
}

int measure_finish(measure *m, struct measurement *out)
{
	return measure_analyze(m, m->capture, m->got, out);
}

static int sink(void *ctx, const float *in, unsigned frames)
{
	return measure_feed(ctx, in, frames);
}

int measure_analyze(measure *m, const float *capture, unsigned frames, struct measurement *out)
{
	double t0 = clock_now_ms();
	unsigned n = m->cfg.n_inputs;

	memset(out, 0, sizeof(*out));
	if (frames < m->tl.probe + m->tl.max_latency)
		return -EINVAL;
	if (capture != m->capture || !m->coarse_done)
		latency_probe(m->lat, m->probes, capture, m->tl.probe + m->tl.max_latency, &m->coarse);
	out->coarse = m->coarse;
	/* With no probe heard at all the tones are analysed where a zero round
	 * trip would put them: the result can only say "no signal", which is
	 * what the classifier will find. */
	double lat = m->coarse.found ? m->coarse.frames : 0.0;
	unsigned w = window_start(m, lat);
	if (w + m->tl.windows * m->tl.window > frames)
		return -EINVAL;
	analyzer_run(m->an, capture + (size_t)w * n, m->tl.windows, (double)w - lat, &out->an);
	out->latency_frames = lat;
	if (m->coarse.found) {
		double delta = 0;
		if (latency_refine(&m->plan, &out->an, &delta) == 0) {
			out->latency_frames = lat + delta;
			out->refined = 1;
		}
	}
	out->capture = capture;
	out->capture_frames = frames;
	out->analyze_ms = clock_now_ms() - t0;
	return 0;
}

int measure_run(measure *m, const struct pump *p, struct measurement *out)
{
	unsigned xruns = 0;
	double t0 = 0;
	int e = -EPIPE;

	for (int attempt = 0; attempt < MEASURE_ATTEMPTS && e == -EPIPE; attempt++) {
		measure_begin(m);
		t0 = clock_now_ms();
		e = pump_run(p, measure_render, m, sink, m, m->tl.capture_max, &xruns);
	}
	memset(out, 0, sizeof(*out));
	out->xruns = xruns;
	if (e < 0)
		return e;
	double acquire = clock_now_ms() - t0;
	e = measure_analyze(m, m->capture, m->got, out);
	out->xruns = xruns;
	out->acquire_ms = acquire;
	return e;
}
