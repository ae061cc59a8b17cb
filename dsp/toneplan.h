/* toneplan: one test frequency per driven output, coherent with the analysis window. */
#ifndef TONEWIRE_TONEPLAN_H
#define TONEWIRE_TONEPLAN_H

#define TONEPLAN_MAX_TONES 16
#define TONEPLAN_MIN_RATE 8000
#define TONEPLAN_MAX_RATE 384000

/* A tone plan is plain data: tone k is driven on output k. */
struct toneplan {
	unsigned rate;                              /* sample rate, Hz */
	unsigned window;                            /* analysis window (FFT length), frames */
	unsigned n_tones;                           /* = number of driven outputs */
	unsigned bin[TONEPLAN_MAX_TONES];           /* FFT bin of tone k: freq = bin * rate / window */
	double freq_hz[TONEPLAN_MAX_TONES];
	double amplitude[TONEPLAN_MAX_TONES];       /* peak, linear full scale (1.0 = 0 dBFS) */
	double phase_rad[TONEPLAN_MAX_TONES];       /* phase of tone k at stimulus frame 0 */
};

/* The default analysis window for a rate: a power of two near 85 ms (the
 * fixed plan of earlier versions, kept for their captures and as a
 * comparison). */
unsigned toneplan_default_window(unsigned rate);

/* The shortest window (a power of two, 256 frames at least) in which
 * toneplan_make can place n_outputs tones at rate by its rules: the
 * coherent window that resolves them. 0 when none up to the largest. */
unsigned toneplan_min_window(unsigned n_outputs, unsigned rate);

/* Fill *plan for n_outputs tones (1..16) at rate (8 kHz..384 kHz) with a
 * power-of-two window of at least 256 frames. Every tone sits on an exact
 * bin, away from the 2nd/3rd harmonics (also when folded at Nyquist) and the
 * f1±f2 products of every other tone, and away from 50/60 Hz mains
 * harmonics; the sum of all amplitudes stays below full scale.
 * Returns 0, or -EINVAL for arguments out of range, -ERANGE when the
 * window is too short to place that many tones. */
int toneplan_make(struct toneplan *plan, unsigned n_outputs, unsigned rate, unsigned window);

/* 0 when bin b is free of every collision rule against the other tones of
 * plan (tones other than index skip), else -EEXIST. Exposed for tests. */
int toneplan_check_bin(const struct toneplan *plan, unsigned skip, unsigned b);

#endif
