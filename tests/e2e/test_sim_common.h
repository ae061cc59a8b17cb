/* test_sim_common: opening the simulated jig through alsa-lib, driving it, and measuring what came back (tests only). */
#ifndef TONEWIRE_TEST_SIM_COMMON_H
#define TONEWIRE_TEST_SIM_COMMON_H

#include <alsa/asoundlib.h>
#include <complex.h>
#include <stddef.h>

struct simdev {
	snd_pcm_t *play, *cap;
	unsigned n_out, n_in, rate;
	snd_pcm_format_t format;
	int mmap;                    /* MMAP access: use snd_pcm_mmap_readi/writei */
	snd_pcm_uframes_t period, buffer;
	void *pbuf, *cbuf;           /* one period in the device format */
};

struct simdev_cfg {
	const char *scenario;
	snd_pcm_format_t format;     /* 0 = FLOAT_LE */
	int mmap;                    /* MMAP_INTERLEAVED access, else RW_INTERLEAVED */
	unsigned rate;               /* 0 = 48000 */
	unsigned period, periods;    /* 0 = 256, 4 */
	int nonblock;
};

/* Writes text to a fresh file in the test's scratch folder; returns its
 * path (owned by the caller). */
char *sim_scenario(const char *name, const char *text);
/* Removes the scratch folder. */
void sim_cleanup(void);

/* Open both directions of a scenario and configure them alike; a start
 * threshold out of reach, so the caller starts them. Returns 0 or the
 * negative errno of the first call that failed. */
int simdev_open(struct simdev *d, const struct simdev_cfg *cfg);
void simdev_close(struct simdev *d);

/* The ordinary loop of a measuring program: prefill `prefill` periods,
 * start playback then capture, then read a period and write a period
 * until `frames` frames are captured. play holds frames + prefill periods
 * of n_out-wide float frames (zeros past its end are fine: pass play_frames),
 * cap receives frames of n_in-wide float frames. Handles -EAGAIN (nonblock).
 * Returns 0 or the first error. */
int simdev_run(struct simdev *d, const float *play, size_t play_frames, float *cap, size_t frames,
               unsigned prefill);

/* Float <-> device format. */
void sim_to_format(snd_pcm_format_t f, const float *in, void *out, size_t samples);
void sim_from_format(snd_pcm_format_t f, const void *in, float *out, size_t samples);

/* Complex amplitude (peak, phase re a cosine starting at frame 0) of the
 * component at exactly `bin` cycles per n frames of channel ch of
 * interleaved x with stride channels. */
double complex sim_bin(const float *x, unsigned stride, unsigned ch, size_t n, double bin);

/* RMS of channel ch over n frames. */
double sim_rms(const float *x, unsigned stride, unsigned ch, size_t n);

/* Solves the dense system a x = b (n <= 8) by Gaussian elimination with
 * partial pivoting: the tests' own arithmetic for the expected gains. */
void sim_solve(double *a, double *b, unsigned n);

#endif
