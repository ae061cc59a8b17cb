/* physics: renders capture frames from played ones: distortion, gain matrix per dropout state, gain, noise, hum, drift, clipping. */
#include "physics.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drift.h"
#include "fixture.h"
#include "network.h"

/* A level at or below this is "off": -200 dB is the scenario default for off. */
#define OFF_DB -190.0
/* A drifting capture clock reads the played frames between samples through
 * a Kaiser-windowed sinc of ±INTERP_HALF taps (beta 7, cut off at 0.44 of
 * the rate): flat to 0.002 dB and 0.008 degree up to 0.23 of the rate at
 * every fraction, as a real converter's clock would hear them. A cubic
 * loses up to 0.7 dB at 0.22 of the rate half-way between frames, which
 * the station would take for the cable. The taps are dsp's resampler's. */
#define INTERP_HALF 8
#define INTERP_BETA 7.0
#define INTERP_CUTOFF 0.44
/* Frames of the interpolation cache: the taps around each sample when the
 * clock drifts (32); eight otherwise, as before the taps grew — served from
 * a deeper cache, a real-time stream that is unplugged mid-run ends with an
 * xrun instead of -ENODEV (e2e.sim_errors), which no drift-free scenario
 * should change. */
#define CACHE 32
#define CACHE_PLAIN 8
/* Mains hum harmonics and their levels re the fundamental: rectifier hum is
 * rich in odd harmonics; these make it look like one on a spectrum. */
static const double hum_harm[] = { 1, 2, 3, 5 };
static const double hum_rel_db[] = { 0, -10, -6, -14 };
#define HUM_N 4
/* Noise is the same for the same timeline position, so fast-pace runs repeat. */
#define NOISE_SEED 0x746f6e6577697265ull   /* "tonewire" */

struct physics {
	unsigned n_in, n_out, rate, latency;
	double ratio;                /* playback frames per capture frame: 1 / (1 + drift) */
	int drift;                   /* ratio != 1: interpolate */
	double thd_k;                /* y = x + k x^3 */
	double noise_rms;
	double hum_amp[HUM_N], hum_hz;
	double clip;
	unsigned n_seg;
	uint64_t *edge;              /* n_seg - 1 stream frames where the matrix changes */
	unsigned n_tseg;
	uint64_t *tedge;             /* n_tseg - 1 timeline positions where a plug event changes it */
	double *gain;                /* n_seg * n_tseg matrices [n_in][n_out], gain_db included */
	unsigned last_seg, last_tseg;
	/* cache of distorted played frames for interpolation */
	uint64_t c_pos[CACHE];       /* position + 1; 0 = empty */
	uint64_t c_k[CACHE];
	float *c_frame;              /* CACHE * n_out */
	float *x;                    /* n_out scratch */
	unsigned cache_mask;         /* CACHE - 1, or CACHE_PLAIN - 1 without drift */
	resampler *interp;           /* the band-limited read between frames (drift only) */
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t ms_to_frames(double ms, unsigned rate)
{
	return (uint64_t)llround(ms * rate / 1000.0);
}

/* Is conductor c disconnected at timeline frame t by the plug events? The
 * latest event at or before t decides; before its first event a wire is in
 * the state that event leaves (a wire that first connects starts out open). */
static int unplugged_at(const struct scenario *sc, unsigned rate, unsigned c, uint64_t t)
{
	const struct plug_event *first = NULL, *latest = NULL;
	for (unsigned e = 0; e < sc->n_plug_events; e++) {
		const struct plug_event *pe = &sc->plug_event[e];
		if (pe->conductor != (int)c)
			continue;
		if (!first || pe->at_ms < first->at_ms)
			first = pe;
		if (ms_to_frames(pe->at_ms, rate) <= t && (!latest || pe->at_ms >= latest->at_ms))
			latest = pe;
	}
	if (latest)
		return !latest->connect;
	return first ? first->connect : 0;
}

/* The cable with the dropouts active at timeline frame k, and the wires
 * unplugged at timeline frame t, left out. */
static void wiring_at(const struct scenario *sc, unsigned rate, uint64_t k, uint64_t t, struct wiring *w)
{
	w->n = 0;
	for (unsigned c = 0; c < sc->cable.n; c++) {
		int open = unplugged_at(sc, rate, c, t);
		for (unsigned d = 0; d < sc->n_dropouts; d++) {
			const struct dropout *dr = &sc->dropout[d];
			uint64_t a = ms_to_frames(dr->start_ms, rate);
			uint64_t b = ms_to_frames(dr->start_ms + dr->dur_ms, rate);
			if (b <= a)
				b = a + 1;   /* a dropout shorter than a frame still opens one */
			if (dr->conductor == (int)c && k >= a && k < b)
				open = 1;
		}
		if (!open)
			w->c[w->n++] = sc->cable.c[c];
	}
}

/* A direct monitor feeds every input back into the output of the same
 * device channel: with the jig's gains G (inputs x outputs) and the monitor
 * M (outputs x inputs), the inputs hear y = G (x + M y), so the matrix the
 * capture side sees is (I - G M)^-1 G. Solved in place by Gauss-Jordan; an
 * (almost) singular loop is a howl, kept finite. */
static void monitor(const struct scenario *sc, double k, double *g)
{
	const unsigned n_in = sc->jig.fixture.n_inputs, n_out = sc->jig.fixture.n_outputs;
	double a[FIXTURE_MAX_CHANNELS][2 * FIXTURE_MAX_CHANNELS];

	for (unsigned i = 0; i < n_in; i++) {
		for (unsigned j = 0; j < n_in; j++) {
			double gm = 0;
			for (unsigned o = 0; o < n_out; o++)
				if (iface_channel(&sc->hw, IFACE_PLAYBACK, o) == iface_channel(&sc->hw, IFACE_CAPTURE, j))
					gm += g[i * n_out + o] * k;
			a[i][j] = (i == j) - gm;
		}
		for (unsigned o = 0; o < n_out; o++)
			a[i][n_in + o] = g[i * n_out + o];
	}
	for (unsigned c = 0; c < n_in; c++) {
		unsigned piv = c;
		for (unsigned r = c + 1; r < n_in; r++)
			if (fabs(a[r][c]) > fabs(a[piv][c]))
				piv = r;
		for (unsigned x = 0; x < n_in + n_out; x++) {
			double t = a[c][x];
			a[c][x] = a[piv][x];
			a[piv][x] = t;
		}
		double p = fabs(a[c][c]) < 1e-3 ? (a[c][c] < 0 ? -1e-3 : 1e-3) : a[c][c];
		for (unsigned x = 0; x < n_in + n_out; x++)
			a[c][x] /= p;
		for (unsigned r = 0; r < n_in; r++) {
			double f = r == c ? 0 : a[r][c];
			for (unsigned x = 0; f != 0 && x < n_in + n_out; x++)
				a[r][x] -= f * a[c][x];
		}
	}
	for (unsigned i = 0; i < n_in; i++)
		for (unsigned o = 0; o < n_out; o++)
			g[i * n_out + o] = a[i][n_in + o];
}

physics *physics_create(const struct physics_cfg *cfg, char err[PHYSICS_ERR_MAX])
{
	physics *ph = NULL;
	network *net = NULL;
	const struct scenario *sc;
	uint64_t edges[2 * SCENARIO_MAX_DROPOUTS];
	unsigned n_edges = 0;
	int rc;

	if (!cfg || !cfg->sc || !cfg->rate) {
		snprintf(err, PHYSICS_ERR_MAX, "physics: bad configuration");
		return NULL;
	}
	sc = cfg->sc;
	ph = calloc(1, sizeof *ph);
	if (!ph)
		goto nomem;
	ph->n_in = sc->jig.fixture.n_inputs;
	ph->n_out = sc->jig.fixture.n_outputs;
	ph->rate = cfg->rate;
	ph->latency = cfg->latency;
	ph->ratio = 1.0 / (1.0 + sc->drift_ppm * 1e-6);
	ph->drift = sc->drift_ppm != 0.0;
	/* x^3 of a sine of peak 1 holds a 3rd harmonic of 1/4: k/4 = thd. */
	ph->thd_k = sc->thd_db > OFF_DB ? 4.0 * pow(10.0, sc->thd_db / 20.0) : 0.0;
	ph->noise_rms = sc->noise_dbfs > OFF_DB ? pow(10.0, sc->noise_dbfs / 20.0) : 0.0;
	ph->hum_hz = sc->hum_hz;
	for (unsigned h = 0; h < HUM_N; h++)
		ph->hum_amp[h] = sc->hum_dbfs > OFF_DB ? pow(10.0, (sc->hum_dbfs + hum_rel_db[h]) / 20.0) : 0.0;
	ph->clip = pow(10.0, sc->clip_dbfs / 20.0);

	/* Every dropout edge splits the device's timeline (from its open, on
	 * across streams) into states with a fixed matrix: a stream restarted
	 * after an xrun goes on from where the cable is, it does not replay the
	 * dropouts it already had, as a real intermittent would not. */
	for (unsigned d = 0; d < sc->n_dropouts; d++) {
		uint64_t a = ms_to_frames(sc->dropout[d].start_ms, cfg->rate);
		uint64_t b = ms_to_frames(sc->dropout[d].start_ms + sc->dropout[d].dur_ms, cfg->rate);
		edges[n_edges++] = a;
		edges[n_edges++] = b > a ? b : a + 1;
	}
	qsort(edges, n_edges, sizeof edges[0], cmp_u64);
	ph->edge = calloc(n_edges + 1, sizeof *ph->edge);
	if (!ph->edge)
		goto nomem;
	for (unsigned i = 0; i < n_edges; i++)
		if (edges[i] > 0 && (ph->n_seg == 0 || ph->edge[ph->n_seg - 1] != edges[i]))
			ph->edge[ph->n_seg++] = edges[i];
	ph->n_seg++;   /* segments = edges + 1 */

	/* Plug events split the timeline the same way. */
	uint64_t tedges[SCENARIO_MAX_PLUG_EVENTS];
	unsigned n_tedges = 0;
	for (unsigned e = 0; e < sc->n_plug_events; e++)
		tedges[n_tedges++] = ms_to_frames(sc->plug_event[e].at_ms, cfg->rate);
	qsort(tedges, n_tedges, sizeof tedges[0], cmp_u64);
	ph->tedge = calloc(n_tedges + 1, sizeof *ph->tedge);
	if (!ph->tedge)
		goto nomem;
	for (unsigned i = 0; i < n_tedges; i++)
		if (tedges[i] > 0 && (ph->n_tseg == 0 || ph->tedge[ph->n_tseg - 1] != tedges[i]))
			ph->tedge[ph->n_tseg++] = tedges[i];
	ph->n_tseg++;

	ph->gain = calloc((size_t)ph->n_seg * ph->n_tseg * ph->n_in * ph->n_out, sizeof *ph->gain);
	ph->c_frame = calloc((size_t)CACHE * ph->n_out, sizeof *ph->c_frame);
	ph->x = calloc(ph->n_out, sizeof *ph->x);
	ph->interp = ph->drift ? resampler_create_kaiser(INTERP_HALF, INTERP_BETA, INTERP_CUTOFF) : NULL;
	ph->cache_mask = (ph->drift ? CACHE : CACHE_PLAIN) - 1;
	net = network_create();
	if (!ph->gain || !ph->c_frame || !ph->x || (ph->drift && !ph->interp) || !net)
		goto nomem;
	double g_lin = pow(10.0, (sc->gain_db + cfg->gain_db) / 20.0);
	for (unsigned s = 0; s < ph->n_seg; s++) {
		for (unsigned ts = 0; ts < ph->n_tseg; ts++) {
			struct wiring w;
			double *g = ph->gain + ((size_t)s * ph->n_tseg + ts) * ph->n_in * ph->n_out;
			wiring_at(sc, cfg->rate, s == 0 ? 0 : ph->edge[s - 1], ts == 0 ? 0 : ph->tedge[ts - 1], &w);
			rc = fixture_gains(&sc->jig.fixture, &w, net, g);
			if (rc < 0) {
				snprintf(err, PHYSICS_ERR_MAX, "the network of jig %.64s with this cable cannot be solved (%s)",
				         sc->jig.name, strerror(-rc));
				goto fail;
			}
			for (unsigned i = 0; i < ph->n_in * ph->n_out; i++)
				g[i] *= g_lin;
		}
	}
	if (cfg->monitor_gain != 0.0)
		for (unsigned m = 0; m < ph->n_seg * ph->n_tseg; m++)
			monitor(sc, cfg->monitor_gain, ph->gain + (size_t)m * ph->n_in * ph->n_out);
	network_destroy(net);
	return ph;

nomem:
	snprintf(err, PHYSICS_ERR_MAX, "physics: out of memory");
fail:
	network_destroy(net);
	physics_destroy(ph);
	return NULL;
}

void physics_destroy(physics *ph)
{
	if (!ph)
		return;
	free(ph->edge);
	free(ph->tedge);
	free(ph->gain);
	free(ph->c_frame);
	free(ph->x);
	resampler_destroy(ph->interp);
	free(ph);
}

void physics_reset(physics *ph)
{
	memset(ph->c_pos, 0, sizeof ph->c_pos);
	ph->last_seg = 0;
}

unsigned physics_latency(const physics *ph)
{
	return ph->latency;
}

static unsigned lookahead(const physics *ph)
{
	return ph->drift ? INTERP_HALF : 0;
}

uint64_t physics_frames_before(const physics *ph, uint64_t t0, uint64_t end)
{
	double x;

	if (!ph->drift)
		return end + ph->latency > t0 ? end + ph->latency - t0 : 0;
	/* frame n needs played frames up to floor(src(n)) + INTERP_HALF */
	x = ((double)end - lookahead(ph) + ph->latency - (double)t0) / ph->ratio;
	return x > 0 ? (uint64_t)ceil(x) : 0;
}

uint64_t physics_timeline_of(const physics *ph, uint64_t t0, uint64_t n)
{
	return t0 + (ph->drift ? (uint64_t)ceil((double)n * ph->ratio) : n);
}

/* The timeline segment of position t (same search as segment_of). */
static unsigned tsegment_of(physics *ph, uint64_t t)
{
	unsigned s = ph->last_tseg;

	if ((s == 0 || ph->tedge[s - 1] <= t) && (s + 1 == ph->n_tseg || t < ph->tedge[s]))
		return s;
	unsigned lo = 0, hi = ph->n_tseg - 1;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (ph->tedge[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	ph->last_tseg = lo;
	return lo;
}

static unsigned segment_of(physics *ph, uint64_t k)   /* k: a timeline position */
{
	unsigned s = ph->last_seg;

	/* Streams move forward: the last segment is almost always right. */
	if ((s == 0 || ph->edge[s - 1] <= k) && (s + 1 == ph->n_seg || k < ph->edge[s]))
		return s;
	unsigned lo = 0, hi = ph->n_seg - 1;   /* segment = number of edges <= k */
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (ph->edge[mid] <= k)
			lo = mid + 1;
		else
			hi = mid;
	}
	ph->last_seg = lo;
	return lo;
}

/* The played (and distorted) frame at timeline position pos; NULL when
 * nothing was played there. */
static const float *played(physics *ph, const loop *l, int64_t pos, uint64_t *k)
{
	unsigned slot;
	float *f;

	if (pos < 0)
		return NULL;
	slot = (unsigned)pos & ph->cache_mask;
	f = ph->c_frame + (size_t)slot * ph->n_out;
	if (ph->c_pos[slot] == (uint64_t)pos + 1) {
		*k = ph->c_k[slot];
		return f;
	}
	if (!loop_read(l, (uint64_t)pos, f, k))
		return NULL;   /* not cached: it may still be written */
	if (ph->thd_k != 0.0)
		for (unsigned o = 0; o < ph->n_out; o++)
			f[o] = (float)(f[o] + ph->thd_k * (double)f[o] * f[o] * f[o]);
	ph->c_pos[slot] = (uint64_t)pos + 1;
	ph->c_k[slot] = *k;
	return f;
}

static uint64_t mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Two independent standard normal values for (pos, pair), by Box-Muller. */
static void gauss2(uint64_t pos, unsigned pair, double *a, double *b)
{
	uint64_t h1 = mix64(NOISE_SEED ^ (pos * 16 + pair));
	uint64_t h2 = mix64(h1 ^ 0x5851f42d4c957f2dull);
	double u1 = ((h1 >> 11) + 1) * 0x1.0p-53;   /* (0, 1] */
	double u2 = (h2 >> 11) * 0x1.0p-53;
	double r = sqrt(-2.0 * log(u1));
	*a = r * cos(2.0 * M_PI * u2);
	*b = r * sin(2.0 * M_PI * u2);
}

void physics_render(physics *ph, const loop *l, uint64_t t0, uint64_t n0, unsigned frames, float *out)
{
	const unsigned n_in = ph->n_in, n_out = ph->n_out;
	/* hum repeats every 100 s for any frequency given to 0.01 Hz; reducing
	 * the position first keeps its phase exact after hours */
	const uint64_t hum_period = (uint64_t)ph->rate * 100;

	for (unsigned i = 0; i < frames; i++) {
		uint64_t n = n0 + i, pos = t0 + n, k = 0;
		float *y = out + (size_t)i * n_in;
		const float *x = NULL;
		int have = 0;

		if (!ph->drift) {
			x = played(ph, l, (int64_t)(pos - ph->latency), &k);
			have = x != NULL;
		} else {
			double s = (double)t0 + (double)n * ph->ratio - ph->latency;
			double fl = floor(s), t = s - fl;
			int64_t j = (int64_t)fl;
			uint64_t kk;
			const float *p[2 * INTERP_HALF];
			for (int q = 0; q < 2 * INTERP_HALF; q++) {
				p[q] = played(ph, l, j - INTERP_HALF + 1 + q, &kk);
				if (q == INTERP_HALF - 1 && p[q]) {
					k = kk;
					have = 1;
				}
				have |= p[q] != NULL;
			}
			if (have) {
				double taps[2 * INTERP_HALF];
				resampler_taps(ph->interp, t, taps);
				for (unsigned o = 0; o < n_out; o++) {
					double v = 0.0;
					for (int q = 0; q < 2 * INTERP_HALF; q++)
						if (p[q])
							v += taps[q] * p[q][o];
					ph->x[o] = (float)v;
				}
				x = ph->x;
			}
		}

		if (have) {
			/* the played frame sat at timeline pos - latency */
			uint64_t tp = pos > ph->latency ? pos - ph->latency : 0;
			const double *g = ph->gain +
			                  ((size_t)segment_of(ph, tp) * ph->n_tseg + tsegment_of(ph, tp)) * n_in * n_out;
			for (unsigned in = 0; in < n_in; in++) {
				double acc = 0;
				for (unsigned o = 0; o < n_out; o++)
					acc += g[in * n_out + o] * x[o];
				y[in] = (float)acc;
			}
		} else {
			memset(y, 0, n_in * sizeof *y);
		}

		if (ph->noise_rms > 0) {
			for (unsigned in = 0; in < n_in; in += 2) {
				double a, b;
				gauss2(pos, in / 2, &a, &b);
				y[in] += (float)(ph->noise_rms * a);
				if (in + 1 < n_in)
					y[in + 1] += (float)(ph->noise_rms * b);
			}
		}
		if (ph->hum_amp[0] > 0) {
			double h = 0, base = (double)(pos % hum_period) / ph->rate * ph->hum_hz;
			for (unsigned q = 0; q < HUM_N; q++) {
				double cyc = base * hum_harm[q];
				h += ph->hum_amp[q] * sin(2.0 * M_PI * (cyc - floor(cyc)));
			}
			for (unsigned in = 0; in < n_in; in++)
				y[in] += (float)h;
		}
		for (unsigned in = 0; in < n_in; in++) {
			if (y[in] > ph->clip)
				y[in] = (float)ph->clip;
			else if (y[in] < -ph->clip)
				y[in] = (float)-ph->clip;
		}
	}
}
