/* drift: the clock ratio between playback and capture, estimated from a measurement, and the capture resampled onto the playback clock. */
#ifndef TONEWIRE_DRIFT_H
#define TONEWIRE_DRIFT_H

#include "analyzer.h"
#include "toneplan.h"

/* A capture clock that runs fast by ppm makes the round trip grow by
 * ppm * 1e-6 frames per captured frame: capture frame n hears stimulus
 * frame n - L(n), L(n) = L(n0) + ppm * 1e-6 * (n - n0). */
struct drift_estimate {
	int valid;               /* enough signal to say anything */
	double ppm;
	double sigma_ppm;        /* its standard deviation */
};

/* From each window's own H (analyzer_run_windows) of `windows` (>= 2)
 * consecutive windows: the phase every tone gains from one window to the
 * next is -w_k * drift * window. The drift is the one that lines all the
 * windows of every path up best (maximum likelihood over ±1500 ppm, a
 * grid finer than the likelihood's main lobe, then golden section), so
 * no phase is ever unwrapped and a drift of 1000 ppm is read as surely as
 * 1 ppm; its sigma comes from the Fisher information. avg is the windows'
 * average (for each path's noise). Returns 0 (out->valid 0 when no tone
 * has the SNR), or -EINVAL. */
int drift_from_windows(const struct toneplan *plan, const struct analysis *avg, const double (*win)[2],
                       unsigned windows, struct drift_estimate *out);

/* From two round trips (frames, with their standard deviations) measured
 * around capture frames at_a and at_b: the probe's and the windows'. */
void drift_from_two(double lat_a, double sigma_a, double at_a, double lat_b, double sigma_b, double at_b,
                    struct drift_estimate *out);

/* Whether correcting a drift is worth it: it stands 5 sigma clear of zero
 * and would move a tone's level or phase measurably over `span` analysed
 * frames of the plan. */
int drift_significant(const struct drift_estimate *d, const struct toneplan *plan, unsigned span);

typedef struct resampler resampler;

/* A band-limited interpolator (Kaiser-windowed sinc, ±16 taps, flat to
 * 1e-4 dB up to 0.23 * rate): its table is made here, once. NULL when out
 * of memory. */
resampler *resampler_create(void);
/* The same of ±half taps (1..64), Kaiser beta (0..20), cut off at cutoff
 * of the rate (0..0.5]: shorter for a caller that reads as it plays. NULL
 * when out of range or memory. */
resampler *resampler_create_kaiser(unsigned half, double beta, double cutoff);
void resampler_destroy(resampler *r);   /* accepts NULL */

/* Frames of input either side of a position the interpolator reads
 * (of resampler_create's; resampler_half gives any one's). */
unsigned resampler_reach(void);
unsigned resampler_half(const resampler *r);

/* The 2 half taps for a position frac (0 <= frac < 1) past a frame: tap q
 * weighs the frame q - half + 1 away, unity at DC. taps is the caller's. */
void resampler_taps(const resampler *r, double frac, double *taps);

/* out[m] = in at position start + m * step (channels interleaved, `frames`
 * of them); input frames outside [0, in_frames) read as silence. Never
 * allocates. Returns 0 or -EINVAL. */
int resampler_run(const resampler *r, const float *in, unsigned in_frames, unsigned channels,
                  double start, double step, float *out, unsigned frames);

#endif
