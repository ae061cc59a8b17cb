/* duplex: a playback and a capture stream on one ALSA device, started together. */
#include "duplex.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"

struct duplex {
	snd_pcm_t *play, *cap;
	snd_pcm_format_t format;
	unsigned rate, period, periods;
	unsigned out_ch, in_ch;          /* what the caller asked for */
	unsigned dev_out_ch, dev_in_ch;  /* what the device was opened with */
	int linked;
	float *fout, *fin;               /* caller-side float frames, one period */
	void *dout, *din;                /* device-side frames, one period */
};

static const snd_pcm_format_t formats[] = {
	SND_PCM_FORMAT_FLOAT_LE, SND_PCM_FORMAT_S32_LE, SND_PCM_FORMAT_S16_LE,
};

static int configure(snd_pcm_t *pcm, const char *dir, unsigned want_ch, unsigned rate,
                     snd_pcm_uframes_t *period, unsigned periods, snd_pcm_format_t *fmt,
                     unsigned *dev_ch, char err[DUPLEX_ERR_MAX])
{
	snd_pcm_hw_params_t *hw;
	snd_pcm_sw_params_t *sw;
	snd_pcm_uframes_t buffer;
	unsigned r = rate, ch;
	int e;
	size_t i;

	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_sw_params_alloca(&sw);
	if ((e = snd_pcm_hw_params_any(pcm, hw)) < 0)
		goto fail;
	/* A measurement needs the device's own clock: no resampling behind our back. */
	snd_pcm_hw_params_set_rate_resample(pcm, hw, 0);
	if ((e = snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0)
		goto fail;
	e = -EINVAL;
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (snd_pcm_hw_params_test_format(pcm, hw, formats[i]) == 0) {
			e = snd_pcm_hw_params_set_format(pcm, hw, formats[i]);
			*fmt = formats[i];
			break;
		}
	}
	if (e < 0) {
		snprintf(err, DUPLEX_ERR_MAX, "%s: none of FLOAT_LE, S32_LE, S16_LE is supported", dir);
		return -EINVAL;
	}
	ch = want_ch;
	if (snd_pcm_hw_params_test_channels(pcm, hw, ch) != 0) {
		unsigned lo = 0, hi = 0;
		snd_pcm_hw_params_get_channels_min(hw, &lo);
		snd_pcm_hw_params_get_channels_max(hw, &hi);
		if (hi < want_ch) {
			snprintf(err, DUPLEX_ERR_MAX, "%s: the jig needs %u channels, the device has at most %u",
			         dir, want_ch, hi);
			return -EINVAL;
		}
		ch = lo > want_ch ? lo : want_ch;
		while (ch <= hi && snd_pcm_hw_params_test_channels(pcm, hw, ch) != 0)
			ch++;
	}
	if ((e = snd_pcm_hw_params_set_channels(pcm, hw, ch)) < 0)
		goto fail;
	*dev_ch = ch;
	if ((e = snd_pcm_hw_params_set_rate_near(pcm, hw, &r, NULL)) < 0)
		goto fail;
	if (r != rate) {
		snprintf(err, DUPLEX_ERR_MAX, "%s: rate %u Hz not supported (nearest %u Hz)", dir, rate, r);
		return -EINVAL;
	}
	if ((e = snd_pcm_hw_params_set_period_size_near(pcm, hw, period, NULL)) < 0)
		goto fail;
	buffer = *period * periods;
	if ((e = snd_pcm_hw_params_set_buffer_size_near(pcm, hw, &buffer)) < 0)
		goto fail;
	if ((e = snd_pcm_hw_params(pcm, hw)) < 0)
		goto fail;
	snd_pcm_hw_params_get_period_size(hw, period, NULL);

	if ((e = snd_pcm_sw_params_current(pcm, sw)) < 0)
		goto fail;
	/* Started explicitly (both together), never by the fill level. */
	snd_pcm_sw_params_set_start_threshold(pcm, sw, ~(snd_pcm_uframes_t)0 >> 1);
	snd_pcm_sw_params_set_avail_min(pcm, sw, *period);
	if ((e = snd_pcm_sw_params(pcm, sw)) < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, DUPLEX_ERR_MAX, "%s: cannot configure (%s)", dir, snd_strerror(e));
	return e;
}

static unsigned default_period(unsigned rate)
{
	unsigned p = 64;
	while (p < 4096 && (double)p * 1000.0 / rate < 5.0)
		p *= 2;
	return p;
}

duplex *duplex_open(const struct duplex_cfg *cfg, char err[DUPLEX_ERR_MAX], int *errnum)
{
	duplex *d = NULL;
	snd_pcm_uframes_t pp, pc;
	int e = -EINVAL;

	err[0] = '\0';
	if (!cfg || !cfg->device || !cfg->rate || !cfg->out_channels || !cfg->in_channels) {
		snprintf(err, DUPLEX_ERR_MAX, "bad device configuration");
		goto fail;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		e = -ENOMEM;
		goto fail;
	}
	d->rate = cfg->rate;
	d->out_ch = cfg->out_channels;
	d->in_ch = cfg->in_channels;
	d->periods = cfg->periods ? cfg->periods : 4;
	/* By default a period is ~5.3 ms whatever the rate (256 frames at 48 kHz,
	 * 512 at 96 kHz): the buffer then holds the same ~21 ms of slack against
	 * a busy machine at every rate, instead of halving it at each doubling. */
	pp = pc = cfg->period_frames ? cfg->period_frames : default_period(cfg->rate);

	if ((e = snd_pcm_open(&d->play, cfg->device, SND_PCM_STREAM_PLAYBACK, 0)) < 0) {
		snprintf(err, DUPLEX_ERR_MAX, "cannot open '%s' for playback: %s", cfg->device,
		         e == -EBUSY ? "device busy (another program is using it)" : snd_strerror(e));
		goto fail;
	}
	if ((e = snd_pcm_open(&d->cap, cfg->device, SND_PCM_STREAM_CAPTURE, 0)) < 0) {
		snprintf(err, DUPLEX_ERR_MAX, "cannot open '%s' for capture: %s", cfg->device,
		         e == -EBUSY ? "device busy (another program is using it)" : snd_strerror(e));
		goto fail;
	}
	if ((e = configure(d->play, "playback", d->out_ch, d->rate, &pp, d->periods, &d->format,
	                   &d->dev_out_ch, err)) < 0)
		goto fail;
	snd_pcm_format_t cfmt = d->format;
	if ((e = configure(d->cap, "capture", d->in_ch, d->rate, &pc, d->periods, &cfmt,
	                   &d->dev_in_ch, err)) < 0)
		goto fail;
	if (cfmt != d->format || pp != pc) {
		snprintf(err, DUPLEX_ERR_MAX, "playback and capture disagree on format or period");
		e = -EINVAL;
		goto fail;
	}
	d->period = (unsigned)pp;
	d->linked = snd_pcm_link(d->cap, d->play) == 0;

	d->fout = calloc((size_t)d->period * d->out_ch, sizeof(float));
	d->fin = calloc((size_t)d->period * d->in_ch, sizeof(float));
	d->dout = calloc((size_t)d->period * d->dev_out_ch, sizeof(int32_t));
	d->din = calloc((size_t)d->period * d->dev_in_ch, sizeof(int32_t));
	if (!d->fout || !d->fin || !d->dout || !d->din) {
		e = -ENOMEM;
		goto fail;
	}
	if ((e = snd_pcm_prepare(d->play)) < 0 || (e = snd_pcm_prepare(d->cap)) < 0) {
		snprintf(err, DUPLEX_ERR_MAX, "cannot prepare '%s': %s", cfg->device, snd_strerror(e));
		goto fail;
	}
	if (errnum)
		*errnum = 0;
	return d;
fail:
	if (!err[0])
		snprintf(err, DUPLEX_ERR_MAX, "cannot open '%s': %s", cfg && cfg->device ? cfg->device : "?",
		         snd_strerror(e));
	if (errnum)
		*errnum = e;
	duplex_close(d);
	return NULL;
}

void duplex_close(duplex *d)
{
	if (!d)
		return;
	if (d->linked)
		snd_pcm_unlink(d->cap);
	if (d->play)
		snd_pcm_close(d->play);
	if (d->cap)
		snd_pcm_close(d->cap);
	free(d->fout);
	free(d->fin);
	free(d->dout);
	free(d->din);
	free(d);
}

unsigned duplex_rate(const duplex *d) { return d->rate; }
unsigned duplex_period(const duplex *d) { return d->period; }
const char *duplex_format_name(const duplex *d) { return snd_pcm_format_name(d->format); }
unsigned duplex_device_channels(const duplex *d, int capture)
{
	return capture ? d->dev_in_ch : d->dev_out_ch;
}

int duplex_check(duplex *d)
{
	if (!d)
		return -ENODEV;
	if (snd_pcm_state(d->play) == SND_PCM_STATE_DISCONNECTED ||
	    snd_pcm_state(d->cap) == SND_PCM_STATE_DISCONNECTED)
		return -ENODEV;
	return 0;
}

static float clampf(float x)
{
	return x > 1.0f ? 1.0f : x < -1.0f ? -1.0f : x;
}

/* Caller's float frames (out_ch wide) to the device's format and width. */
static void to_device(duplex *d, unsigned frames)
{
	for (unsigned f = 0; f < frames; f++) {
		for (unsigned c = 0; c < d->dev_out_ch; c++) {
			float x = c < d->out_ch ? clampf(d->fout[f * d->out_ch + c]) : 0.0f;
			size_t i = (size_t)f * d->dev_out_ch + c;
			if (d->format == SND_PCM_FORMAT_FLOAT_LE)
				((float *)d->dout)[i] = x;
			else if (d->format == SND_PCM_FORMAT_S32_LE)
				((int32_t *)d->dout)[i] = (int32_t)((double)x * 2147483647.0);
			else
				((int16_t *)d->dout)[i] = (int16_t)lrintf(x * 32767.0f);
		}
	}
}

static void from_device(duplex *d, unsigned frames)
{
	for (unsigned f = 0; f < frames; f++) {
		for (unsigned c = 0; c < d->in_ch; c++) {
			size_t i = (size_t)f * d->dev_in_ch + c;
			float x;
			if (d->format == SND_PCM_FORMAT_FLOAT_LE)
				x = ((float *)d->din)[i];
			else if (d->format == SND_PCM_FORMAT_S32_LE)
				x = (float)(((int32_t *)d->din)[i] / 2147483648.0);
			else
				x = ((int16_t *)d->din)[i] / 32768.0f;
			d->fin[f * d->in_ch + c] = x;
		}
	}
}

/* After an error: stop both directions and leave them prepared for the next run. */
static int recover(duplex *d, int e, unsigned *xruns)
{
	if (e == -EPIPE || e == -ESTRPIPE) {
		if (xruns)
			(*xruns)++;
		if (e == -ESTRPIPE) {
			while (snd_pcm_resume(d->play) == -EAGAIN)
				;
			while (snd_pcm_resume(d->cap) == -EAGAIN)
				;
		}
	}
	snd_pcm_drop(d->play);
	snd_pcm_drop(d->cap);
	if (e != -ENODEV) {
		int p = snd_pcm_prepare(d->play);
		int c = snd_pcm_prepare(d->cap);
		if (p == -ENODEV || c == -ENODEV)
			return -ENODEV;
	}
	return e == -ESTRPIPE ? -EPIPE : e;
}

static int write_all(duplex *d, unsigned frames)
{
	const char *p = d->dout;
	size_t fb = (size_t)snd_pcm_format_physical_width(d->format) / 8 * d->dev_out_ch;
	while (frames) {
		snd_pcm_sframes_t n = snd_pcm_writei(d->play, p, frames);
		if (n == -EAGAIN || n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		p += (size_t)n * fb;
		frames -= (unsigned)n;
	}
	return 0;
}

static int read_all(duplex *d, unsigned frames)
{
	char *p = d->din;
	size_t fb = (size_t)snd_pcm_format_physical_width(d->format) / 8 * d->dev_in_ch;
	while (frames) {
		snd_pcm_sframes_t n = snd_pcm_readi(d->cap, p, frames);
		if (n == -EAGAIN || n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		p += (size_t)n * fb;
		frames -= (unsigned)n;
	}
	return 0;
}

int duplex_run(duplex *d, duplex_render_fn render, void *render_ctx, duplex_capture_fn sink,
               void *sink_ctx, uint64_t max_frames, unsigned *xruns)
{
	uint64_t got = 0;
	int e;

	if (!d || !render || !sink)
		return -EINVAL;
	/* Fill the playback buffer but one period, so a period of room is always
	 * there for the next write while the capture side catches up. */
	for (unsigned i = 0; i + 1 < d->periods; i++) {
		render(render_ctx, d->fout, d->period);
		to_device(d, d->period);
		if ((e = write_all(d, d->period)) < 0)
			return recover(d, e, xruns);
	}
	if ((e = snd_pcm_start(d->play)) < 0)
		return recover(d, e, xruns);
	if (!d->linked && (e = snd_pcm_start(d->cap)) < 0)
		return recover(d, e, xruns);

	while (got < max_frames) {
		if ((e = read_all(d, d->period)) < 0)
			return recover(d, e, xruns);
		from_device(d, d->period);
		got += d->period;
		if (sink(sink_ctx, d->fin, d->period))
			break;
		render(render_ctx, d->fout, d->period);
		to_device(d, d->period);
		if ((e = write_all(d, d->period)) < 0)
			return recover(d, e, xruns);
	}
	return recover(d, 0, xruns);
}

void duplex_setup_sim(void)
{
	char build[1024], path[1200];
	if (getenv("ALSA_CONFIG_PATH"))
		return;
	/* An installed plugin is found through alsa.conf.d; only fall back to the
	 * build tree when none is, and only when running from one. */
	if (access("/usr/share/alsa/alsa.conf.d/50-tonewire-sim.conf", R_OK) == 0 ||
	    access("/etc/alsa/conf.d/50-tonewire-sim.conf", R_OK) == 0)
		return;
	if (tw_paths_build_dir(build, sizeof(build)) < 0)
		return;
	snprintf(path, sizeof(path), "%s/sim/tonewire_sim.conf", build);
	if (access(path, R_OK) != 0)
		return;
	char env[1300];
	snprintf(env, sizeof(env), "/usr/share/alsa/alsa.conf:%s", path);
	setenv("ALSA_CONFIG_PATH", env, 1);
}
