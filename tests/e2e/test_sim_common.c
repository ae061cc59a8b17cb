/* test_sim_common: opening the simulated jig through alsa-lib, driving it, and measuring what came back (tests only). */
#include "test_sim_common.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The scratch folder of this test process: tests run in parallel, so
 * each has its own, and so its own scenario paths (and loops). */
static char scratch[64];   /* test-only; set once */

char *sim_scenario(const char *name, const char *text)
{
	char *path;
	FILE *f;

	if (!scratch[0]) {
		snprintf(scratch, sizeof scratch, "/tmp/tw-sim-test-XXXXXX");
		if (!mkdtemp(scratch)) {
			perror("mkdtemp");
			exit(1);
		}
	}
	path = malloc(strlen(scratch) + strlen(name) + 8);
	sprintf(path, "%s/%s.conf", scratch, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	return path;
}

void sim_cleanup(void)
{
	char cmd[128];

	if (!scratch[0])
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", scratch);
	scratch[0] = '\0';
}

static int configure(struct simdev *d, snd_pcm_t *pcm, const struct simdev_cfg *cfg, unsigned *channels)
{
	snd_pcm_hw_params_t *hw;
	snd_pcm_sw_params_t *sw;
	snd_pcm_uframes_t period = cfg->period ? cfg->period : 256;
	snd_pcm_uframes_t buffer = period * (cfg->periods ? cfg->periods : 4);
	unsigned rate = cfg->rate ? cfg->rate : 48000;
	int rc;

	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_sw_params_alloca(&sw);
	if ((rc = snd_pcm_hw_params_any(pcm, hw)) < 0)
		return rc;
	if ((rc = snd_pcm_hw_params_set_access(pcm, hw, cfg->mmap ? SND_PCM_ACCESS_MMAP_INTERLEAVED : SND_PCM_ACCESS_RW_INTERLEAVED)) < 0)
		return rc;
	if ((rc = snd_pcm_hw_params_set_format(pcm, hw, d->format)) < 0)
		return rc;
	/* the device offers exactly the jig's channels */
	if ((rc = snd_pcm_hw_params_get_channels_min(hw, channels)) < 0)
		return rc;
	if ((rc = snd_pcm_hw_params_set_channels(pcm, hw, *channels)) < 0)
		return rc;
	if ((rc = snd_pcm_hw_params_set_rate(pcm, hw, rate, 0)) < 0)
		return rc;
	if ((rc = snd_pcm_hw_params_set_period_size(pcm, hw, period, 0)) < 0)
		return rc;
	if ((rc = snd_pcm_hw_params_set_buffer_size(pcm, hw, buffer)) < 0)
		return rc;
	if ((rc = snd_pcm_hw_params(pcm, hw)) < 0)
		return rc;
	if ((rc = snd_pcm_sw_params_current(pcm, sw)) < 0)
		return rc;
	snd_pcm_sw_params_set_start_threshold(pcm, sw, LONG_MAX);
	snd_pcm_sw_params_set_avail_min(pcm, sw, period);
	if ((rc = snd_pcm_sw_params(pcm, sw)) < 0)
		return rc;
	d->rate = rate;
	d->period = period;
	d->buffer = buffer;
	return 0;
}

int simdev_open(struct simdev *d, const struct simdev_cfg *cfg)
{
	char dev[512];
	int rc, mode = cfg->nonblock ? SND_PCM_NONBLOCK : 0;
	size_t width;

	memset(d, 0, sizeof *d);
	d->format = cfg->format ? cfg->format : SND_PCM_FORMAT_FLOAT_LE;
	d->mmap = cfg->mmap;
	snprintf(dev, sizeof dev, "tonewire_sim:%s", cfg->scenario);
	if ((rc = snd_pcm_open(&d->play, dev, SND_PCM_STREAM_PLAYBACK, mode)) < 0)
		goto fail;
	if ((rc = snd_pcm_open(&d->cap, dev, SND_PCM_STREAM_CAPTURE, mode)) < 0)
		goto fail;
	if ((rc = configure(d, d->play, cfg, &d->n_out)) < 0 || (rc = configure(d, d->cap, cfg, &d->n_in)) < 0)
		goto fail;
	if ((rc = snd_pcm_prepare(d->play)) < 0 || (rc = snd_pcm_prepare(d->cap)) < 0)
		goto fail;
	width = (size_t)snd_pcm_format_physical_width(d->format) / 8;
	d->pbuf = calloc(d->period * d->n_out, width);
	d->cbuf = calloc(d->period * d->n_in, width);
	if (!d->pbuf || !d->cbuf) {
		rc = -ENOMEM;
		goto fail;
	}
	return 0;
fail:
	simdev_close(d);
	return rc;
}

void simdev_close(struct simdev *d)
{
	if (d->play)
		snd_pcm_close(d->play);
	if (d->cap)
		snd_pcm_close(d->cap);
	free(d->pbuf);
	free(d->cbuf);
	memset(d, 0, sizeof *d);
}

void sim_to_format(snd_pcm_format_t f, const float *in, void *out, size_t samples)
{
	for (size_t i = 0; i < samples; i++) {
		double v = in[i];
		if (f == SND_PCM_FORMAT_S16_LE) {
			double q = nearbyint(v * 32767.0);
			((int16_t *)out)[i] = (int16_t)(q > 32767 ? 32767 : q < -32768 ? -32768 : q);
		} else if (f == SND_PCM_FORMAT_S32_LE) {
			double q = nearbyint(v * 2147483647.0);
			((int32_t *)out)[i] = (int32_t)(q > 2147483647.0 ? 2147483647.0 : q < -2147483648.0 ? -2147483648.0 : q);
		} else {
			((float *)out)[i] = (float)v;
		}
	}
}

void sim_from_format(snd_pcm_format_t f, const void *in, float *out, size_t samples)
{
	for (size_t i = 0; i < samples; i++) {
		if (f == SND_PCM_FORMAT_S16_LE)
			out[i] = ((const int16_t *)in)[i] / 32768.0f;
		else if (f == SND_PCM_FORMAT_S32_LE)
			out[i] = (float)(((const int32_t *)in)[i] / 2147483648.0);
		else
			out[i] = ((const float *)in)[i];
	}
}

static int write_period(struct simdev *d, const float *play, size_t play_frames, size_t pos)
{
	float *tmp = calloc(d->period * d->n_out, sizeof *tmp);
	size_t width = (size_t)snd_pcm_format_physical_width(d->format) / 8;
	snd_pcm_uframes_t done = 0;
	int rc = 0;

	if (!tmp)
		return -ENOMEM;
	for (size_t i = 0; i < d->period && pos + i < play_frames; i++)
		memcpy(tmp + i * d->n_out, play + (pos + i) * d->n_out, d->n_out * sizeof *tmp);
	sim_to_format(d->format, tmp, d->pbuf, d->period * d->n_out);
	while (done < d->period) {
		snd_pcm_sframes_t n = (d->mmap ? snd_pcm_mmap_writei : snd_pcm_writei)(d->play, (char *)d->pbuf + done * d->n_out * width, d->period - done);
		if (n == -EAGAIN) {
			snd_pcm_wait(d->play, 1000);
			continue;
		}
		if (n < 0) {
			rc = (int)n;
			break;
		}
		done += (snd_pcm_uframes_t)n;
	}
	free(tmp);
	return rc;
}

static int read_frames(struct simdev *d, float *cap, size_t n)
{
	size_t width = (size_t)snd_pcm_format_physical_width(d->format) / 8;
	snd_pcm_uframes_t done = 0;

	while (done < n) {
		snd_pcm_sframes_t r = (d->mmap ? snd_pcm_mmap_readi : snd_pcm_readi)(d->cap, (char *)d->cbuf + done * d->n_in * width, n - done);
		if (r == -EAGAIN) {
			snd_pcm_wait(d->cap, 1000);
			continue;
		}
		if (r < 0)
			return (int)r;
		done += (snd_pcm_uframes_t)r;
	}
	sim_from_format(d->format, d->cbuf, cap, n * d->n_in);
	return 0;
}

int simdev_run(struct simdev *d, const float *play, size_t play_frames, float *cap, size_t frames,
               unsigned prefill)
{
	size_t wpos = 0, got = 0;
	int rc;

	for (unsigned p = 0; p < prefill; p++, wpos += d->period)
		if ((rc = write_period(d, play, play_frames, wpos)) < 0)
			return rc;
	if ((rc = snd_pcm_start(d->play)) < 0 || (rc = snd_pcm_start(d->cap)) < 0)
		return rc;
	while (got < frames) {
		size_t n = frames - got < d->period ? frames - got : d->period;
		if ((rc = read_frames(d, cap + got * d->n_in, n)) < 0)
			return rc;
		got += n;
		if ((rc = write_period(d, play, play_frames, wpos)) < 0)
			return rc;
		wpos += d->period;
	}
	return 0;
}

double complex sim_bin(const float *x, unsigned stride, unsigned ch, size_t n, double bin)
{
	double complex acc = 0;

	/* a direct DFT at one bin: slow and simple, independent of dsp/ */
	for (size_t i = 0; i < n; i++) {
		double ph = 2.0 * M_PI * bin * (double)i / (double)n;
		acc += x[i * stride + ch] * (cos(ph) - I * sin(ph));
	}
	return 2.0 * acc / (double)n;
}

double sim_rms(const float *x, unsigned stride, unsigned ch, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += (double)x[i * stride + ch] * x[i * stride + ch];
	return n ? sqrt(s / (double)n) : 0.0;
}

void sim_solve(double *a, double *b, unsigned n)
{
	for (unsigned c = 0; c < n; c++) {
		unsigned p = c;
		for (unsigned r = c + 1; r < n; r++)
			if (fabs(a[r * n + c]) > fabs(a[p * n + c]))
				p = r;
		if (p != c) {
			for (unsigned k = 0; k < n; k++) {
				double t = a[c * n + k];
				a[c * n + k] = a[p * n + k];
				a[p * n + k] = t;
			}
			double t = b[c];
			b[c] = b[p];
			b[p] = t;
		}
		for (unsigned r = c + 1; r < n; r++) {
			double m = a[r * n + c] / a[c * n + c];
			for (unsigned k = c; k < n; k++)
				a[r * n + k] -= m * a[c * n + k];
			b[r] -= m * b[c];
		}
	}
	for (unsigned c = n; c-- > 0;) {
		for (unsigned k = c + 1; k < n; k++)
			b[c] -= a[c * n + k] * b[k];
		b[c] /= a[c * n + c];
	}
}
