/* flex: finds millisecond dropouts and level jumps of every tone path while a cable is flexed. */
#include "flex.h"

#include <complex.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The method: with the transfer matrix H of the cable known, every input's
 * next sample is predicted exactly (the tones are coherent and the network is
 * linear). What remains is noise — until a conductor opens, when the residual
 * jumps by the lost tone's full power. Residual energy is summed over short
 * blocks and compared with the running noise level; the residual of an event
 * is projected on each tone's predicted contribution to say which path
 * dropped and by how much. H is re-learnt every clean window, so slow clock
 * drift and warming cables do not accumulate into false alarms. Blocks need
 * not divide the window: the block that straddles a window's end must be
 * clean too before that window's H is taken, or a dropout that starts in
 * the window's last frames would teach H the loss, and every block after it
 * would look like an event that never ends. */

#define MAX_IN ANALYZER_MAX_INPUTS
#define MAX_T TONEPLAN_MAX_TONES

/* Noise tracking: an exponential average over 64 blocks (~32 ms) follows hum
 * and slow changes but is too slow to absorb a dropout. */
#define NOISE_ALPHA (1.0 / 64.0)
/* Blocks after a new reference used only to learn the noise level. */
#define WARMUP_BLOCKS 32
/* The residual can never be trusted to be cleaner than the prediction of H:
 * an estimate from one window at >= 60 dB per-bin SNR leaves about -60 dB of
 * the signal; floor the noise there (re the block's predicted energy). */
#define PREDICTION_FLOOR 1e-6

struct input_state {
	double noise;                   /* mean block residual energy, clean blocks */
	double e;                       /* this block: residual energy */
	double sig;                     /* this block: predicted energy */
	double rp[MAX_T], pp[MAX_T];    /* this block: <r, p_k>, <p_k, p_k> */
	/* the event in progress */
	int open;
	uint64_t ev_start;
	unsigned ev_blocks;
	double ev_peak;
	double ev_depth[MAX_T];         /* deepest single block: edge blocks are only partly hit */
	double ev_peak_expl[MAX_T];     /* the largest share of a block's residual each tone's loss explains */
};

struct flex {
	struct toneplan plan;
	unsigned n_in, n_t, block;
	double thr;                     /* linear energy ratio */
	double latency;
	double complex h[MAX_IN][MAX_T];      /* reference H, times the tone amplitude */
	double complex acc[MAX_IN][MAX_T];    /* this window: demodulated sums */
	double complex cand[MAX_IN][MAX_T];   /* a clean window's H, until the block across its end is clean */
	int cand_pending;
	double complex z[MAX_T], step[MAX_T]; /* phasor of each tone at the next frame */
	int have_ref, window_dirty;
	uint64_t next_pos;              /* capture frame expected next */
	int pos_valid;
	unsigned in_block, in_window;
	uint64_t block_start;
	uint64_t blocks, warmup;
	struct input_state in[MAX_IN];
};

flex *flex_create(const struct flex_cfg *cfg)
{
	if (!cfg || !cfg->plan || !cfg->n_inputs || cfg->n_inputs > MAX_IN || !cfg->plan->n_tones ||
	    cfg->plan->n_tones > MAX_T || !cfg->plan->window || !cfg->plan->rate)
		return NULL;
	flex *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->plan = *cfg->plan;
	f->n_in = cfg->n_inputs;
	f->n_t = cfg->plan->n_tones;
	/* 0.5 ms blocks: a 1 ms dropout always covers at least one whole block. */
	f->block = cfg->block ? cfg->block : (cfg->plan->rate + 1999) / 2000;
	/* 10 dB: a block of pure Gaussian noise of 24+ samples exceeds its mean
	 * tenfold with probability < 1e-12 (chi-square tail), while a dropout at
	 * 30 dB SNR raises the block energy a thousandfold. */
	f->thr = pow(10.0, (cfg->threshold_db > 0 ? cfg->threshold_db : 10.0) / 10.0);
	f->latency = cfg->latency_frames;
	for (unsigned k = 0; k < f->n_t; k++)
		f->step[k] = cexp(I * 2.0 * M_PI * f->plan.bin[k] / f->plan.window);
	return f;
}

void flex_destroy(flex *f)
{
	free(f);
}

uint64_t flex_blocks(const flex *f) { return f->blocks; }
double flex_noise(const flex *f, unsigned input)
{
	return input < f->n_in ? sqrt(f->in[input].noise / f->block) : 0.0;
}

void flex_set_reference(flex *f, const struct analysis *an)
{
	for (unsigned j = 0; j < f->n_in && j < an->n_inputs; j++)
		for (unsigned k = 0; k < f->n_t && k < an->n_tones; k++)
			f->h[j][k] = (an->h[j][k].re + I * an->h[j][k].im) * f->plan.amplitude[k];
	f->have_ref = 1;
	f->warmup = WARMUP_BLOCKS;
	for (unsigned j = 0; j < f->n_in; j++)
		f->in[j].noise = 0;
}

/* Phasors for capture frame pos, computed exactly (the bin phase is reduced
 * modulo the window in integers, so the phase is as precise at hour 10 as at
 * frame 0). */
static void seek(flex *f, uint64_t pos)
{
	double frac = f->latency - floor(f->latency);
	int64_t ilat = (int64_t)floor(f->latency);
	int64_t t = (int64_t)pos - ilat;   /* stimulus frame, integer part */
	for (unsigned k = 0; k < f->n_t; k++) {
		int64_t m = ((t % (int64_t)f->plan.window) + f->plan.window) % f->plan.window;
		uint64_t cyc = ((uint64_t)m * f->plan.bin[k]) % f->plan.window;
		double ph = f->plan.phase_rad[k] + 2.0 * M_PI * ((double)cyc - frac * f->plan.bin[k]) /
		            f->plan.window;
		f->z[k] = cexp(I * ph);
	}
	f->next_pos = pos;
	f->pos_valid = 1;
	f->in_block = 0;
	f->in_window = 0;
	f->block_start = pos;
	f->window_dirty = 1;   /* a partial window cannot re-learn H */
	f->cand_pending = 0;
	memset(f->acc, 0, sizeof(f->acc));
}

/* Share of a block's residual energy e removed by losing a part c of a tone
 * whose contribution p has <r,p> = rp and <p,p> = pp. Over half a
 * millisecond two tones are far from orthogonal, so a faint crosstalk term
 * can correlate well with the residual; but a path cannot lose more than its
 * whole tone (nor gain more than half again), so c is bounded, and only the
 * energy that bounded loss really removes counts. */
static double explained(double rp, double pp, double e)
{
	if (pp <= 0 || e <= 0)
		return 0;
	double c = -rp / pp;
	c = c > 1.5 ? 1.5 : c < -1.5 ? -1.5 : c;
	return (-2.0 * c * rp - c * c * pp) / e;
}

static void emit(flex *f, unsigned j, struct flex_event *ev, unsigned max, unsigned *n)
{
	struct input_state *s = &f->in[j];
	if (*n < max) {
		struct flex_event *e = &ev[(*n)++];
		int best = -1;
		double best_expl = 0;
		/* The path is judged on the event's best-explained block: one the
		 * change covers whole. Partly covered edge blocks dilute the share,
		 * and with a low tone the most energetic block need not be a whole
		 * one (half a millisecond is a slice of a 300 Hz cycle). */
		for (unsigned k = 0; k < f->n_t; k++) {
			if (s->ev_peak_expl[k] > best_expl) {
				best_expl = s->ev_peak_expl[k];
				best = (int)k;
			}
		}
		e->input = j;
		/* A path is named only when it explains most of what changed. */
		e->tone = best >= 0 && best_expl > 0.5 ? best : -1;
		e->depth = best >= 0 ? s->ev_depth[best] : 0;
		e->start = s->ev_start;
		e->frames = (uint64_t)s->ev_blocks * f->block;
		e->peak_db = 10.0 * log10(s->ev_peak);
	}
	s->open = 0;
}

static void end_block(flex *f, struct flex_event *ev, unsigned max, unsigned *n)
{
	int hit = 0;
	f->blocks++;
	for (unsigned j = 0; j < f->n_in; j++) {
		struct input_state *s = &f->in[j];
		double floor_e = PREDICTION_FLOOR * s->sig;
		double noise = s->noise > floor_e ? s->noise : floor_e;
		if (f->warmup) {
			s->noise = s->noise == 0 ? s->e : s->noise + (s->e - s->noise) * NOISE_ALPHA * 4;
		} else if (noise > 0 && s->e > f->thr * noise) {
			double ratio = s->e / noise;
			if (!s->open) {
				s->open = 1;
				s->ev_start = f->block_start;
				s->ev_blocks = 0;
				s->ev_peak = 0;
				memset(s->ev_depth, 0, sizeof(s->ev_depth));
				memset(s->ev_peak_expl, 0, sizeof(s->ev_peak_expl));
			}
			s->ev_blocks++;
			if (ratio > s->ev_peak)
				s->ev_peak = ratio;
			for (unsigned k = 0; k < f->n_t; k++) {
				double x = explained(s->rp[k], s->pp[k], s->e);
				if (x > s->ev_peak_expl[k])
					s->ev_peak_expl[k] = x;
			}
			for (unsigned k = 0; k < f->n_t; k++) {
				double c = s->pp[k] > 0 ? -s->rp[k] / s->pp[k] : 0;
				if (fabs(c) > fabs(s->ev_depth[k]))
					s->ev_depth[k] = c;
			}
			f->window_dirty = 1;
			hit = 1;
		} else {
			if (s->open)
				emit(f, j, ev, max, n);
			s->noise += (s->e - s->noise) * NOISE_ALPHA;
		}
		s->e = s->sig = 0;
		memset(s->rp, 0, sizeof(s->rp));
		memset(s->pp, 0, sizeof(s->pp));
	}
	if (f->warmup)
		f->warmup--;
	/* The block across the last window's end was clean: that window's H holds. */
	if (f->cand_pending && !hit)
		memcpy(f->h, f->cand, sizeof(f->h));
	f->cand_pending = 0;
	/* Keep the phasors on the unit circle (rounding drifts them slowly). */
	for (unsigned k = 0; k < f->n_t; k++)
		f->z[k] /= cabs(f->z[k]);
}

static void end_window(flex *f)
{
	/* Every tone completes whole cycles in a window, so the demodulated sums
	 * are exact amplitudes: H*amplitude = 2*acc/N. */
	if (!f->window_dirty) {
		/* Without a reference nothing is tracked yet: taken at once. With
		 * one, when a block runs on across the window's end, only once it
		 * has ended clean. */
		int defer = f->have_ref && f->in_block != 0;
		for (unsigned j = 0; j < f->n_in; j++)
			for (unsigned k = 0; k < f->n_t; k++)
				(defer ? f->cand : f->h)[j][k] = 2.0 * f->acc[j][k] / f->plan.window;
		f->cand_pending = defer;
		if (!f->have_ref) {
			f->have_ref = 1;
			f->warmup = WARMUP_BLOCKS;
		}
	}
	f->window_dirty = 0;
	memset(f->acc, 0, sizeof(f->acc));
}

void flex_flush(flex *f, struct flex_event *ev, unsigned max, unsigned *n)
{
	*n = 0;
	if (!f)
		return;
	for (unsigned j = 0; j < f->n_in; j++)
		if (f->in[j].open)
			emit(f, j, ev, max, n);
}

int flex_process(flex *f, const float *capture, unsigned frames, uint64_t pos,
                 struct flex_event *ev, unsigned max, unsigned *n)
{
	if (!f || (!capture && frames) || !n)
		return -EINVAL;
	*n = 0;
	if (!f->pos_valid || pos != f->next_pos)
		seek(f, pos);
	for (unsigned t = 0; t < frames; t++) {
		const float *x = capture + (size_t)t * f->n_in;
		for (unsigned j = 0; j < f->n_in; j++) {
			struct input_state *s = &f->in[j];
			double pred = 0;
			double p[MAX_T];
			for (unsigned k = 0; k < f->n_t; k++) {
				/* contribution of tone k: Re(H a e^{i phase}) */
				p[k] = creal(f->h[j][k]) * creal(f->z[k]) - cimag(f->h[j][k]) * cimag(f->z[k]);
				pred += p[k];
				f->acc[j][k] += x[j] * conj(f->z[k]);
			}
			if (f->have_ref) {
				double r = x[j] - pred;
				s->e += r * r;
				s->sig += pred * pred;
				for (unsigned k = 0; k < f->n_t; k++) {
					s->rp[k] += r * p[k];
					s->pp[k] += p[k] * p[k];
				}
			}
		}
		for (unsigned k = 0; k < f->n_t; k++)
			f->z[k] *= f->step[k];
		f->next_pos++;
		if (++f->in_block == f->block) {
			if (f->have_ref)
				end_block(f, ev, max, n);
			f->in_block = 0;
			f->block_start = f->next_pos;
		}
		if (++f->in_window == f->plan.window) {
			end_window(f);
			f->in_window = 0;
		}
	}
	return 0;
}
