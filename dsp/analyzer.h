/* analyzer: complex amplitude, gain, phase, noise floor and SNR of every tone on every input. */
#ifndef TONEWIRE_ANALYZER_H
#define TONEWIRE_ANALYZER_H

#include "toneplan.h"

#define ANALYZER_MAX_INPUTS 16

typedef struct analyzer analyzer;

struct analyzer_cfg {
	const struct toneplan *plan;  /* copied */
	unsigned n_inputs;            /* 1..ANALYZER_MAX_INPUTS */
	double clip_level;            /* |sample| at or above this counts as clipped; 0 = 0.999 */
};

/* What one tone looks like on one input. H is the transfer from the output
 * that plays the tone to the input, relative to the stimulus, after the
 * latency is removed: a straight wire reads gain 1, phase 0; an inverted
 * one gain 1, phase 180. */
struct tone_result {
	double re, im;           /* H */
	double gain;             /* |H| */
	double gain_db;          /* 20 log10 |H| (-400 for exactly 0) */
	double phase_deg;        /* arg H, (-180, 180] */
	double level_dbfs;       /* received tone peak amplitude, dB re full scale */
	double noise_dbfs;       /* noise per FFT bin near the tone, as the peak amplitude
	                            of a tone that would have that power, dBFS */
	double snr_db;           /* level_dbfs - noise_dbfs */
};

struct analysis {
	unsigned n_inputs, n_tones;
	double stim_pos;         /* stimulus frame that lines up with the first analysed frame */
	struct tone_result h[ANALYZER_MAX_INPUTS][TONEPLAN_MAX_TONES];  /* [input][tone] */
	double peak[ANALYZER_MAX_INPUTS];        /* largest |sample| seen */
	int clipped[ANALYZER_MAX_INPUTS];
	double noise_dbfs[ANALYZER_MAX_INPUTS];  /* everything that is not a tone or one of its
	                                            2nd/3rd harmonics, RMS dBFS */
};

/* Create an analyzer; FFTW plans are made here, once. NULL on failure. */
analyzer *analyzer_create(const struct analyzer_cfg *cfg);
void analyzer_destroy(analyzer *a);   /* accepts NULL */

/* Analyse `windows` consecutive windows of capture (interleaved, cfg->n_inputs
 * channels, windows * plan->window frames), averaging the complex amplitudes.
 * stim_pos is the stimulus frame that played (latency earlier) when the first
 * of these frames was captured, i.e. capture frame index minus latency.
 * Never allocates. Returns 0 or -EINVAL. */
int analyzer_run(analyzer *a, const float *capture, unsigned windows, double stim_pos,
                 struct analysis *out);

/* analyzer_run, and also each window's own H of every tone, referenced
 * like the average (a tone whose phase moves from window to window is a
 * clock that drifts): win[((w * n_inputs) + input) * n_tones + tone], two
 * doubles (re, im) each, windows * n_inputs * n_tones of them, owned by
 * the caller. Never allocates. Returns 0 or -EINVAL. */
int analyzer_run_windows(analyzer *a, const float *capture, unsigned windows, double stim_pos,
                         struct analysis *out, double (*win)[2]);

/* Re-reference every H of an analysis to another stim_pos (a refined
 * latency): H is rotated by the phase each tone advances in between. */
void analysis_rereference(struct analysis *an, const struct toneplan *plan, double stim_pos);

#endif
