/* stimulus: renders the noise probe and then the faded-in multitone of a tone plan, continuous across calls. */
#include "stimulus.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The tone phasors are rotated sample by sample and set back to the exact
 * value (from the integer bin phase) at every multiple of this many
 * absolute frames: rounding then never accumulates beyond ~1e-13, and the
 * output depends only on the absolute frame, not on how calls cut it. */
#define RESYNC_FRAMES 4096u

/* Sum of the probe peaks over all outputs: the same -1 dBFS budget as the
 * tones (toneplan), so no passive mix of the probes can clip an input. */
#define PROBE_SUM_PEAK 0.89

/* A probe longer than 2^24 frames (3 min at 96 kHz) is a configuration
 * mistake, not a latency measurement. */
#define MAX_PROBE_FRAMES (1u << 24)

struct stimulus {
	struct toneplan plan;
	unsigned n;
	unsigned probe_frames, fade_frames;
	unsigned probe_max;  /* frames of each channel's probe in memory */
	float probe_amp;
	uint64_t pos;
	double re[TONEPLAN_MAX_TONES], im[TONEPLAN_MAX_TONES];  /* phasor at pos, amplitude 1 */
	double rot_re[TONEPLAN_MAX_TONES], rot_im[TONEPLAN_MAX_TONES];
	float *probe;  /* n * probe_max, channel-major */
};

static int plan_ok(const struct toneplan *p)
{
	if (!p || p->n_tones == 0 || p->n_tones > TONEPLAN_MAX_TONES || p->window < 2 ||
	    (p->window & (p->window - 1)) || p->rate == 0)
		return 0;
	for (unsigned k = 0; k < p->n_tones; k++) {
		if (p->bin[k] >= p->window / 2 || !isfinite(p->amplitude[k]) ||
		    !isfinite(p->phase_rad[k]))
			return 0;
	}
	return 1;
}

/* splitmix64: turns (seed, channel) into well-mixed, distinct generator states. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* xorshift64*: fast, full period, and its top bit passes every test a
 * ±a sequence needs (no short cycles, no cross-channel correlation). */
static uint64_t next64(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Phasor of tone k at absolute frame t, from the integer bin phase, so it
 * is exact however large t grows. */
static void exact_phasor(const struct toneplan *p, unsigned k, uint64_t t, double *re, double *im)
{
	uint64_t cyc = ((uint64_t)p->bin[k] * (t % p->window)) % p->window;
	double ph = p->phase_rad[k] + 2.0 * M_PI * (double)cyc / p->window;
	*re = cos(ph);
	*im = sin(ph);
}

static void seek(stimulus *s, uint64_t t)
{
	s->pos = t;
	for (unsigned k = 0; k < s->n; k++)
		exact_phasor(&s->plan, k, t, &s->re[k], &s->im[k]);
}

stimulus *stimulus_create(const struct stimulus_cfg *cfg)
{
	if (!cfg || !plan_ok(cfg->plan) || cfg->probe_frames > MAX_PROBE_FRAMES)
		return NULL;
	stimulus *s = calloc(1, sizeof(*s));
	if (!s)
		goto fail;
	s->plan = *cfg->plan;
	s->n = s->plan.n_tones;
	s->probe_frames = cfg->probe_frames;
	s->probe_max = cfg->probe_frames;
	s->fade_frames = cfg->fade_frames;
	for (unsigned k = 0; k < s->n; k++) {
		double w = 2.0 * M_PI * s->plan.bin[k] / s->plan.window;
		s->rot_re[k] = cos(w);
		s->rot_im[k] = sin(w);
	}
	if (s->probe_frames) {
		s->probe = malloc(sizeof(float) * s->n * s->probe_frames);
		if (!s->probe)
			goto fail;
		/* Binary ±a noise: white like any other, but with the most power
		 * for its peak, so the correlation peak rises furthest above the
		 * noise for a given headroom. */
		float a = (float)(PROBE_SUM_PEAK / s->n);
		s->probe_amp = a;
		for (unsigned c = 0; c < s->n; c++) {
			uint64_t st = mix64(((uint64_t)cfg->seed << 32) ^ mix64(c + 1));
			if (!st)
				st = 1;
			float *p = s->probe + (size_t)c * s->probe_frames;
			for (unsigned t = 0; t < s->probe_frames; t++)
				p[t] = (next64(&st) >> 63) ? a : -a;
		}
	}
	seek(s, 0);
	return s;
fail:
	stimulus_destroy(s);
	return NULL;
}

void stimulus_destroy(stimulus *s)
{
	if (!s)
		return;
	free(s->probe);
	free(s);
}

void stimulus_reset(stimulus *s)
{
	if (s)
		seek(s, 0);
}

int stimulus_set_probe(stimulus *s, unsigned probe_frames)
{
	if (!s || !s->probe || probe_frames == 0 || probe_frames > s->probe_max)
		return -EINVAL;
	s->probe_frames = probe_frames;
	return 0;
}

double stimulus_probe_amplitude(const stimulus *s)
{
	return s && s->probe ? s->probe_amp : 0.0;
}

uint64_t stimulus_position(const stimulus *s)
{
	return s ? s->pos : 0;
}

const float *stimulus_probe(const stimulus *s, unsigned channel)
{
	if (!s || !s->probe || channel >= s->n)
		return NULL;
	return s->probe + (size_t)channel * s->probe_max;
}

unsigned stimulus_tones_start(const stimulus *s)
{
	return s ? s->probe_frames + s->fade_frames : 0;
}

void stimulus_render(stimulus *s, float *out, unsigned frames)
{
	if (!s || !out)
		return;
	const unsigned n = s->n;
	const uint64_t tone_from = s->probe_frames;
	const uint64_t full_from = tone_from + s->fade_frames;
	for (unsigned i = 0; i < frames; i++, s->pos++) {
		uint64_t t = s->pos;
		float *o = out + (size_t)i * n;
		if (t % RESYNC_FRAMES == 0)
			seek(s, t);
		double g = 1.0;
		if (t < tone_from) {
			g = 0.0;
		} else if (t < full_from) {
			/* raised cosine: no click at the switch from noise to tones */
			g = 0.5 - 0.5 * cos(M_PI * (double)(t - tone_from) / s->fade_frames);
		}
		for (unsigned k = 0; k < n; k++) {
			double v = g * s->plan.amplitude[k] * s->re[k];
			if (t < tone_from)
				v = s->probe[(size_t)k * s->probe_max + t];
			o[k] = (float)v;
			double re = s->re[k] * s->rot_re[k] - s->im[k] * s->rot_im[k];
			double im = s->re[k] * s->rot_im[k] + s->im[k] * s->rot_re[k];
			s->re[k] = re;
			s->im[k] = im;
		}
	}
}
