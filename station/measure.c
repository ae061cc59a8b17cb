/* measure: one measurement on a jig — the timeline the bench's noise calls for, the probe searched while frames arrive, the windows, clock drift, and what the result teaches the next one. */
#include "measure.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "stimulus.h"

/* The first probe, before the bench is known: at a quiet bench its
 * detection statistic is about its length times the paths it reaches, and
 * 256 frames clear the threshold of the largest jig (16 x 16, ~450 units,
 * need ~1400) with a dozen paths, and of one path alone (~68, need ~270)
 * by themselves. Once the bench is known, as short as the statistic needed
 * allows (192 frames for 5 paths), but never below 128. */
#define PROBE_FIRST 256u
#define PROBE_MIN 128u
/* Probes are whole multiples of this: the plan changes in steps a capture
 * file names exactly, not by a frame at every noise reading. */
#define PROBE_STEP 64u
/* The longest probe, in default windows (~85 ms each): ~0.34 s finds the
 * round trip of a 5 x 5 jig at 10 dB SNR per tone. */
#define PROBE_MAX_WINDOWS 4u
/* The probe's statistic is read at the nearest whole lag: a round trip
 * half-way between frames loses 4 dB there (sinc(0.5)^2), and the
 * previous test's noise estimate is good to about 1 dB: size for 2.5x. */
#define PROBE_LOSS 2.5
/* Fade and settle, as fractions of a second: a raised cosine of 0.67 ms
 * keeps the tones' onset out of the audible click range, and 1.3 ms lets
 * an interface's linear-phase converter filters (20-60 taps at 48 kHz)
 * and DC blockers' fast part forget the probe's last frames. */
#define FADE_DIV 1500u
#define SETTLE_DIV 750u
/* The SNR a measurement aims at: the cable's limit plus 20 dB. Beyond it
 * the model tolerance of an uncalibrated jig (2 %, -34 dB re a full path)
 * dominates every entry's uncertainty, so longer averaging buys nothing;
 * below it the classifier's accuracy falls (bench/accuracy). */
#define SNR_MARGIN_DB 20.0
/* Windows are sized from an SNR read to about 1 dB: 25 % more than the
 * reading asks for, so the target is met, not grazed. */
#define WINDOWS_MARGIN 1.25
/* At most one second of windows: past that a bench is too noisy to test
 * cables at the line's pace, and the SNR reached is reported honestly. */
#define MAX_ANALYSED_S 1.0
/* Within one test, the first windows can ask for more, twice at most. */
#define MAX_EXTENSIONS 2
/* A measurement whose probe was not heard is repeated with a longer one
 * (sized from what its tones showed of the noise), twice at most. */
#define PROBE_RETRIES 2
/* A tone "arrived" at 12 dB over its noise, as the classifier counts a
 * signal (a noise-only bin exceeds its rms by 12 dB with p ~ 1e-7). */
#define SIGNAL_SNR_DB 12.0
/* The weakest path a good cable shows on a jig, re a wire: a 32-ohm load
 * behind a 100-ohm source reads 0.24; 0.1 leaves room for heavier loads.
 * When noise could hide a path this weak, "nothing arrived" proves
 * nothing: the measurement is undecided, and the next one plays as long
 * as such a path would need. */
#define WEAKEST_PATH 0.1
/* Searching for the probe while frames arrive costs a full search each
 * time (latency_search_cost units: FFT points x log2 size, ~0.5 ns each
 * here): above ~3 ms it would hold up the capture of a duplex device with
 * ~5 ms periods, so the search waits for the whole span instead. */
#define EARLY_SEARCH_BUDGET 6e6
/* The first search, this many lags after the probe has been played. */
#define FIRST_SEARCH_LAGS 64u
/* Frames captured past the last window for the resampler to read, at a
 * clock drift up to the simulator's ±1000 ppm. */
#define DRIFT_MAX_PPM 1000.0

struct measure {
	struct measure_cfg cfg;
	struct toneplan plan;
	struct measure_timeline tl;
	unsigned probe_max, windows_max, cap_frames;
	double target_snr_db;
	stimulus *stim;
	analyzer *an;
	latency *lat;
	resampler *rs;
	const float *probes[TONEPLAN_MAX_TONES];
	double probe_amp[TONEPLAN_MAX_TONES];
	float *capture;                  /* cap_frames * n_inputs */
	float *resampled;                /* windows_max * window * n_inputs */
	double (*win)[2];                /* windows_max * n_inputs * n_tones: each window's H */
	struct analysis scratch;         /* a quick look at the first windows */
	double expected[ANALYZER_MAX_INPUTS * TONEPLAN_MAX_TONES];
	int has_expected;
	/* the bench, as the measurements so far saw it */
	int known_probe, known_snr;
	double probe_gain;               /* detection statistic per probe frame */
	double snr1_db;                  /* weakest arriving tone's SNR in one window */
	/* the run in progress */
	unsigned got, need, next_search, extensions;
	int early, searching;
	struct latency_estimate coarse;
};

struct measure_cfg measure_cfg_fixed(unsigned rate, unsigned n_outputs, unsigned n_inputs)
{
	unsigned w = toneplan_default_window(rate);
	struct measure_cfg c = { .rate = rate, .n_outputs = n_outputs, .n_inputs = n_inputs, .window = w,
	                         .windows = 1, .probe = w / 4 < 512 ? 512 : w / 4, .fade = w / 16,
	                         .settle = w / 32, .max_latency = w / 4 };
	return c;
}

/* Frames past the last analysed one that the drift correction may read. */
static unsigned guard(const measure *m, unsigned windows)
{
	return resampler_reach() + 2 + (unsigned)ceil(DRIFT_MAX_PPM * 1e-6 * windows * m->tl.window);
}

/* First captured frame of the analysis windows for a round trip of lat frames. */
static unsigned window_start(const measure *m, double lat)
{
	return (unsigned)ceil(lat) + m->tl.probe + m->tl.fade + m->tl.settle;
}

/* The probe the noise calls for: long enough that the detection statistic
 * clears its threshold with the margin latency_required_stat asks for. */
static unsigned choose_probe(const measure *m)
{
	if (m->cfg.probe)
		return m->cfg.probe;
	if (!m->known_probe || !(m->probe_gain > 0.0))
		return PROBE_FIRST < m->probe_max ? PROBE_FIRST : m->probe_max;
	double need = PROBE_LOSS * latency_required_stat(m->cfg.n_outputs, m->cfg.n_inputs) / m->probe_gain;
	if (!(need < m->probe_max))
		return m->probe_max;
	unsigned p = (unsigned)ceil(need / PROBE_STEP) * PROBE_STEP;
	return p < PROBE_MIN ? PROBE_MIN : p > m->probe_max ? m->probe_max : p;
}

/* Windows that bring an SNR of snr_db in `have` windows to the target. */
static unsigned windows_for(const measure *m, double snr_db, unsigned have)
{
	double w = ceil(have * pow(10.0, (m->target_snr_db - snr_db) / 10.0) * WINDOWS_MARGIN);
	if (!(w >= 1.0))
		return 1;
	return w > m->windows_max ? m->windows_max : (unsigned)w;
}

static void choose_timeline(measure *m)
{
	m->tl.probe = choose_probe(m);
	m->tl.windows = m->cfg.windows ? m->cfg.windows : m->known_snr ? windows_for(m, m->snr1_db, 1) : 1;
	unsigned cap = m->cfg.windows ? m->tl.windows : m->windows_max;
	m->tl.capture_max = m->tl.max_latency + m->tl.probe + m->tl.fade + m->tl.settle + cap * m->tl.window +
	                    guard(m, cap);
}

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
	if (cfg->expected) {
		memcpy(m->expected, cfg->expected, sizeof(double) * cfg->n_inputs * cfg->n_outputs);
		m->has_expected = 1;
	}
	m->cfg.expected = NULL;
	unsigned ref = toneplan_default_window(cfg->rate);
	unsigned window = cfg->window ? cfg->window : toneplan_min_window(cfg->n_outputs, cfg->rate);
	e = ref && window ? toneplan_make(&m->plan, cfg->n_outputs, cfg->rate, window) : -EINVAL;
	if (e < 0) {
		snprintf(err, MEASURE_ERR_MAX, "cannot plan %u tones at %u Hz, window %u: %s",
		         cfg->n_outputs, cfg->rate, window, strerror(-e));
		goto fail;
	}
	m->tl.window = window;
	m->tl.fade = cfg->fade ? cfg->fade : cfg->rate / FADE_DIV;
	m->tl.settle = cfg->settle ? cfg->settle : cfg->rate / SETTLE_DIV;
	/* Round trips up to ~21 ms cover USB interfaces with generous buffering. */
	m->tl.max_latency = cfg->max_latency ? cfg->max_latency : ref / 4;
	m->probe_max = cfg->probe ? cfg->probe : PROBE_MAX_WINDOWS * ref;
	m->windows_max = cfg->windows ? cfg->windows : (unsigned)(MAX_ANALYSED_S * cfg->rate / window);
	if (!m->windows_max)
		m->windows_max = 1;
	struct classify_limits lim;
	classify_limits_default(&lim);
	m->target_snr_db = (cfg->min_snr_db > 0.0 ? cfg->min_snr_db : lim.min_snr_db) + SNR_MARGIN_DB;
	m->cap_frames = m->tl.max_latency + m->probe_max + m->tl.fade + m->tl.settle +
	                m->windows_max * window + guard(m, m->windows_max) + 1;

	struct stimulus_cfg sc = { .plan = &m->plan, .probe_frames = m->probe_max,
	                           .fade_frames = m->tl.fade, .seed = cfg->seed ? cfg->seed : 0x746f6e65u };
	m->cfg.seed = sc.seed;
	m->stim = stimulus_create(&sc);
	struct analyzer_cfg ac = { .plan = &m->plan, .n_inputs = cfg->n_inputs };
	m->an = analyzer_create(&ac);
	struct latency_cfg lc = { .n_outputs = cfg->n_outputs, .n_inputs = cfg->n_inputs,
	                          .probe_frames = m->probe_max, .max_frames = m->tl.max_latency };
	m->lat = latency_create(&lc);
	m->rs = resampler_create();
	size_t span = (size_t)m->windows_max * window;
	m->capture = calloc((size_t)m->cap_frames * cfg->n_inputs, sizeof(float));
	m->resampled = calloc(span * cfg->n_inputs, sizeof(float));
	m->win = calloc((size_t)m->windows_max * cfg->n_inputs * cfg->n_outputs, sizeof(*m->win));
	if (!m->stim || !m->an || !m->lat || !m->rs || !m->capture || !m->resampled || !m->win) {
		snprintf(err, MEASURE_ERR_MAX, "cannot set up the analysis (probe %u, window %u, search %u: "
		         "out of range, or out of memory)", m->probe_max, window, m->tl.max_latency);
		goto fail;
	}
	for (unsigned i = 0; i < cfg->n_outputs; i++) {
		m->probes[i] = stimulus_probe(m->stim, i);
		m->probe_amp[i] = stimulus_probe_amplitude(m->stim);
	}
	choose_timeline(m);
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
	resampler_destroy(m->rs);
	free(m->capture);
	free(m->resampled);
	free(m->win);
	free(m);
}

const struct toneplan *measure_plan(const measure *m) { return &m->plan; }
const struct measure_timeline *measure_timeline(const measure *m) { return &m->tl; }
uint32_t measure_seed(const measure *m) { return m->cfg.seed; }

void measure_render(void *ctx, float *out, unsigned frames)
{
	measure *m = ctx;
	stimulus_render(m->stim, out, frames);
}

/* Frames that show the tones at full level whatever the round trip (up to
 * the largest searched): where a measurement without a probe looks. */
static unsigned check_start(const measure *m)
{
	return m->tl.max_latency + m->tl.probe + m->tl.fade + m->tl.settle;
}

void measure_begin(measure *m)
{
	choose_timeline(m);
	stimulus_set_probe(m->stim, m->tl.probe);
	stimulus_reset(m->stim);
	latency_start(m->lat, m->probes, m->tl.probe);
	m->got = 0;
	m->extensions = 0;
	m->searching = 1;
	memset(&m->coarse, 0, sizeof(m->coarse));
	/* Searching as frames arrive lets the capture stop right after the
	 * windows instead of waiting out the largest round trip allowed; a
	 * search too costly to repeat runs once, over everything. */
	m->early = latency_search_cost(m->lat, m->tl.probe) <= EARLY_SEARCH_BUDGET;
	m->need = m->early ? m->tl.capture_max
	                   : check_start(m) + m->tl.windows * m->tl.window + guard(m, m->tl.windows);
	m->next_search = m->early ? m->tl.probe + FIRST_SEARCH_LAGS : m->need;
}

unsigned measure_captured(const measure *m) { return m->got; }

/* The weakest tone that arrived (on its best input), -INFINITY if none. */
static double weakest_arrived(const struct analysis *an)
{
	double worst = INFINITY;
	for (unsigned k = 0; k < an->n_tones; k++) {
		double best = -INFINITY;
		for (unsigned j = 0; j < an->n_inputs; j++)
			best = fmax(best, an->h[j][k].snr_db);
		if (best >= SIGNAL_SNR_DB)
			worst = fmin(worst, best);
	}
	return isfinite(worst) ? worst : -INFINITY;
}

/* The SNR the bench gives the good cable: every tone on its strongest
 * expected path, against the noise measured there; the weakest of them.
 * Without expected gains, the weakest tone that arrived. */
static double bench_snr(const measure *m, const struct analysis *an)
{
	if (!m->has_expected)
		return weakest_arrived(an);
	const unsigned no = m->cfg.n_outputs;
	double worst = INFINITY;
	for (unsigned k = 0; k < no; k++) {
		unsigned best = 0;
		for (unsigned j = 1; j < an->n_inputs; j++)
			if (fabs(m->expected[j * no + k]) > fabs(m->expected[best * no + k]))
				best = j;
		double g = fabs(m->expected[best * no + k]);
		if (g > 0.0)
			worst = fmin(worst, 20.0 * log10(g * m->plan.amplitude[k]) - an->h[best][k].noise_dbfs);
	}
	return isfinite(worst) ? worst : -INFINITY;
}

/* The first windows are in: when the weakest tone that arrived falls short
 * of the target, play on for as many more as it needs. Returns 1 when
 * the windows grew. */
static int extend(measure *m)
{
	unsigned n = m->cfg.n_inputs, w0 = window_start(m, m->coarse.frames);
	if (m->cfg.windows || m->extensions >= MAX_EXTENSIONS || m->tl.windows >= m->windows_max)
		return 0;
	analyzer_run(m->an, m->capture + (size_t)w0 * n, m->tl.windows, w0 - m->coarse.frames, &m->scratch);
	double snr = bench_snr(m, &m->scratch);
	if (!isfinite(snr) || snr >= m->target_snr_db)
		return 0;
	unsigned w = windows_for(m, snr, m->tl.windows);
	if (w <= m->tl.windows)
		return 0;
	m->tl.windows = w;
	m->extensions++;
	return 1;
}

int measure_feed(measure *m, const float *in, unsigned frames)
{
	unsigned n = m->cfg.n_inputs;
	unsigned take = frames;

	if (m->got + take > m->cap_frames)
		take = m->cap_frames - m->got;
	memcpy(m->capture + (size_t)m->got * n, in, (size_t)take * n * sizeof(float));
	m->got += take;

	/* This FFT work belongs to the analysis side: a real-time capture
	 * thread only hands frames over. */
	if (m->searching && m->got >= m->next_search) {
		latency_search(m->lat, m->capture, m->got, &m->coarse);
		if (m->coarse.decided) {
			m->searching = 0;
			m->need = m->coarse.found
			                  ? window_start(m, m->coarse.frames) + m->tl.windows * m->tl.window +
			                            guard(m, m->tl.windows)
			                  : check_start(m) + m->tl.windows * m->tl.window + guard(m, m->tl.windows);
		} else {
			unsigned lags = m->got - m->tl.probe;
			m->next_search = m->got + (lags / 2 > FIRST_SEARCH_LAGS ? lags / 2 : FIRST_SEARCH_LAGS);
		}
	}
	if (!m->searching && m->coarse.found && m->got >= m->need && extend(m))
		m->need = window_start(m, m->coarse.frames) + m->tl.windows * m->tl.window + guard(m, m->tl.windows);
	return !m->searching && m->got >= m->need;
}

int measure_finish(measure *m, struct measurement *out)
{
	return measure_analyze(m, m->capture, m->got, out);
}

static int sink(void *ctx, const float *in, unsigned frames)
{
	return measure_feed(ctx, in, frames);
}

/* Frames the probe's round trip may move by per frame of capture, when the
 * measurement itself cannot say (one window): a crystal is good to ±100
 * ppm, the simulator plays up to 1000. */
#define DRIFT_PRIOR 1000e-6

/* The round trip at the windows' middle frame: the probe's, moved by the
 * clock drift the windows show (their phase progression does not depend
 * on the round trip), then refined by the tones' phases with the probe as
 * a prior; and, when the drift matters, the windows again from the capture
 * resampled onto the playback clock. */
static void read_windows(measure *m, const float *capture, unsigned frames, unsigned w0, struct measurement *out)
{
	const unsigned n = m->cfg.n_inputs, span = m->tl.windows * m->tl.window;
	const double coarse = m->coarse.frames, mid = w0 + (span - 1) / 2.0;
	const double at_probe = coarse + m->tl.probe / 2.0;
	struct drift_estimate d = { 0 };
	if (m->tl.windows >= 2)
		drift_from_windows(&m->plan, &out->an, (const double (*)[2])m->win, m->tl.windows, &d);
	/* A drift read from the windows moves the prior only once it is
	 * significant: near their noise floor the windows' estimate has tails
	 * its sigma does not show, and a spurious few tens of ppm over a second
	 * would pull the prior a frame away. Below, it only widens it. */
	int sure = d.valid && drift_significant(&d, &m->plan, span);
	double eps = sure ? d.ppm * 1e-6 : 0.0;
	double s_eps = sure ? d.sigma_ppm * 1e-6 : d.valid ? (fabs(d.ppm) + 3.0 * d.sigma_ppm) * 1e-6 : DRIFT_PRIOR;
	double sigma = hypot(m->coarse.sigma_frames, s_eps * (mid - at_probe));
	double delta = 0.0;
	out->latency_frames = coarse;
	if (latency_refine_prior(&m->plan, &out->an, eps * (mid - at_probe), sigma, &delta) == 0) {
		out->latency_frames += delta;
		out->refined = 1;
	}
	if (m->tl.windows < 2)
		drift_from_two(coarse, m->coarse.sigma_frames, at_probe, out->latency_frames, 0.0, mid, &d);
	out->drift = d;
	if (m->cfg.keep_drift || !out->refined || !drift_significant(&d, &m->plan, span))
		return;
	eps = d.ppm * 1e-6;
	double lat0 = out->latency_frames - eps * (mid - w0);
	/* Resampled frame i lies at capture frame w0 + i / (1 - eps), which
	 * hears stimulus frame w0 - lat0 + i: the playback clock again. */
	if (resampler_run(m->rs, capture, frames, n, w0, 1.0 / (1.0 - eps), m->resampled, span) < 0)
		return;
	struct analysis an;
	if (analyzer_run(m->an, m->resampled, m->tl.windows, w0 - lat0, &an) < 0)
		return;
	if (latency_refine_prior(&m->plan, &an, 0.0, sigma, &delta) < 0)
		return;
	out->an = an;
	out->latency_frames = lat0 + delta;
	out->drift_corrected = 1;
}

/* The SNR (and the probe's statistic per frame) a path of WEAKEST_PATH
 * would have had on the quietest input of an analysis of `windows`. */
static double hidden_snr(const measure *m, const struct analysis *an, unsigned windows, double *probe_gain)
{
	double noise = INFINITY, amp = m->plan.amplitude[0] * WEAKEST_PATH;
	for (unsigned j = 0; j < an->n_inputs; j++)
		noise = fmin(noise, pow(10.0, an->noise_dbfs[j] / 10.0));
	/* a tone of peak a fills a bin of N with (a N / 2)^2, noise of power s2 with N s2 */
	double p = m->probe_amp[0] * WEAKEST_PATH;
	*probe_gain = m->cfg.n_outputs * p * p / (p * p + noise);
	return 10.0 * log10(amp * amp * m->plan.window * windows / (4.0 * noise));
}

/* What this measurement shows of the bench, for the next timeline. */
static void learn(measure *m, const struct measurement *out, unsigned windows)
{
	if (m->has_expected) {
		/* the good cable's gains against the noise measured: whatever this
		 * cable let through, the next one is planned for a good one */
		struct analysis good = out->an;
		const unsigned no = m->cfg.n_outputs;
		for (unsigned j = 0; j < good.n_inputs; j++)
			for (unsigned k = 0; k < good.n_tones; k++)
				good.h[j][k].gain = fabs(m->expected[j * no + k]);
		double g = latency_gain_per_frame(&good, m->probe_amp), snr = bench_snr(m, &out->an);
		if (g > 0.0 && isfinite(snr)) {
			m->probe_gain = g;
			m->snr1_db = snr - 10.0 * log10(windows);
			m->known_probe = m->known_snr = 1;
		}
		return;
	}
	if (!isfinite(out->snr_db)) {
		/* Nothing arrived. On a quiet bench that is news of the cable, not
		 * of the bench; where noise could hide a weak path, plan for one. */
		double g, snr = hidden_snr(m, &out->an, windows, &g);
		if (snr >= SIGNAL_SNR_DB)
			return;
		m->probe_gain = m->known_probe ? fmin(m->probe_gain, g) : g;
		m->snr1_db = snr - 10.0 * log10(windows);
		m->known_probe = m->known_snr = 1;
		return;
	}
	double g = latency_gain_per_frame(&out->an, m->probe_amp);
	if (g > 0.0) {
		m->probe_gain = g;
		m->known_probe = 1;
	}
	m->snr1_db = out->snr_db - 10.0 * log10(windows);
	m->known_snr = 1;
}

int measure_analyze(measure *m, const float *capture, unsigned frames, struct measurement *out)
{
	double t0 = clock_now_ms();
	const unsigned n = m->cfg.n_inputs, win = m->tl.window;
	unsigned windows = m->tl.windows;

	memset(out, 0, sizeof(*out));
	out->probe = m->tl.probe;
	if (capture != m->capture || m->searching) {
		if (latency_start(m->lat, m->probes, m->tl.probe) < 0 ||
		    latency_search(m->lat, capture, frames, &m->coarse) < 0)
			return -EINVAL;
		m->searching = 0;
	}
	out->coarse = m->coarse;
	if (m->coarse.found) {
		unsigned w0 = window_start(m, m->coarse.frames);
		if (w0 + windows * win > frames)
			return -EINVAL;
		analyzer_run_windows(m->an, capture + (size_t)w0 * n, windows, w0 - m->coarse.frames, &out->an,
		                     m->win);
		read_windows(m, capture, frames, w0, out);
	} else {
		/* No probe: the tones are read where they play whatever the round
		 * trip. Their levels are right, their phases anyone's guess: if
		 * they arrived, the verdict is undecided (a station error); if not,
		 * there is no signal, which is what the classifier will find. */
		unsigned c = check_start(m);
		if (c + win > frames)
			return -EINVAL;
		if (c + windows * win > frames)
			windows = (frames - c) / win;
		analyzer_run(m->an, capture + (size_t)c * n, windows, c, &out->an);
	}
	out->windows = windows;
	out->snr_db = weakest_arrived(&out->an);
	/* Without a round trip, tones that arrived cannot be read; and where
	 * the noise could hide a weak path, their absence proves nothing. */
	double g;
	out->undecided = !m->coarse.found &&
	                 (isfinite(out->snr_db) || hidden_snr(m, &out->an, windows, &g) < SIGNAL_SNR_DB);
	learn(m, out, windows);
	out->capture = capture;
	out->capture_frames = frames;
	out->analyze_ms = clock_now_ms() - t0;
	return 0;
}

void measure_undecided_classification(const struct measurement *m, struct classification *cl)
{
	memset(cl, 0, sizeof(*cl));
	cl->verdict = VERDICT_ERROR;
	cl->n_faults = 1;
	cl->fault[0].code = FAULT_LOW_SNR;
	cl->fault[0].value = m ? m->snr_db : 0.0;
	cl->fault[0].confidence = 1.0;
	cl->runner_up = INFINITY;
}

int measure_run(measure *m, const struct pump *p, struct measurement *out)
{
	unsigned xruns = 0, retries = 0;
	int attempt = 0;

	memset(out, 0, sizeof(*out));
	for (;;) {
		measure_begin(m);
		unsigned probe = m->tl.probe;
		double t0 = clock_now_ms();
		int e = pump_run(p, measure_render, m, sink, m, m->tl.capture_max, &xruns);
		if (e == -EPIPE && ++attempt < MEASURE_ATTEMPTS)
			continue;
		if (e < 0) {
			memset(out, 0, sizeof(*out));
			out->xruns = xruns;
			out->retries = retries;
			return e;
		}
		double acquire = clock_now_ms() - t0;
		e = measure_analyze(m, m->capture, m->got, out);
		out->xruns = xruns;
		out->retries = retries;
		out->acquire_ms = acquire;
		/* what the tones showed sized the next probe: worth a try when longer */
		if (e == 0 && out->undecided && retries < PROBE_RETRIES && choose_probe(m) > probe) {
			retries++;
			continue;
		}
		return e;
	}
}
