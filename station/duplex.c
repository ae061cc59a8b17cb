/* duplex: a playback and a capture stream on one ALSA device or two, in the hardware's own format and channel layout, started together. */
#include "duplex.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "holders.h"
#include "mixer.h"
#include "paths.h"

/* One direction: its PCM, format, the device's channels and where the jig's are among them. */
struct side {
	snd_pcm_t *pcm;
	const char *name;                /* cfg's, for messages (valid during open only) */
	snd_pcm_format_t format;
	unsigned dev_ch, jig_ch;
	unsigned map[DUPLEX_MAX_CHANNELS];  /* device channel (0-based) of jig channel k */
	size_t frame_bytes;
	void *buf;                       /* one period of device frames */
};

struct duplex {
	struct side play, cap;
	unsigned rate, period, periods;
	int linked, two;
	float *fout, *fin;               /* caller-side float frames, one period */
	char format_name[40];
	char ctl[600];                   /* the mixer of the interface, "" = none */
	struct iface_control *controls;  /* what it must hold */
	unsigned n_controls;
	char err[DUPLEX_ERR_MAX];
};

static int open_pcm(struct side *s, snd_pcm_stream_t stream, char err[DUPLEX_ERR_MAX])
{
	char said[256];
	int e = holders_pcm_open(&s->pcm, s->name, stream == SND_PCM_STREAM_CAPTURE, 0, said, sizeof said);

	if (e == -EBUSY) {
		holders_busy_message(s->name, stream == SND_PCM_STREAM_CAPTURE, said, err, DUPLEX_ERR_MAX);
	} else if (e < 0) {
		snprintf(err, DUPLEX_ERR_MAX, "cannot open '%.180s' for %s: %s", s->name,
		         stream == SND_PCM_STREAM_CAPTURE ? "capture" : "playback", snd_strerror(e));
		if (e == -ENOENT)
			e = -ENODEV;   /* no such card: it is not there (yet) */
	}
	return e;
}

/* The best format the device takes: tonewire converts these itself, so no
 * plug plugin ever touches the channels. */
static int pick_format(snd_pcm_t *pcm, snd_pcm_hw_params_t *hw, snd_pcm_format_t *fmt)
{
	for (unsigned k = 0; iface_known_formats[k]; k++) {
		snd_pcm_format_t f = snd_pcm_format_value(iface_known_formats[k]);
		if (snd_pcm_hw_params_test_format(pcm, hw, f) == 0) {
			*fmt = f;
			return snd_pcm_hw_params_set_format(pcm, hw, f);
		}
	}
	return -EINVAL;
}

/* The channel count to open with: what the device requires, or the smallest
 * it allows that reaches the highest channel the jig uses. */
static int pick_channels(snd_pcm_t *pcm, snd_pcm_hw_params_t *hw, unsigned need, unsigned *ch, const char *dir,
                         char err[DUPLEX_ERR_MAX])
{
	unsigned lo = 0, hi = 0;

	snd_pcm_hw_params_get_channels_min(hw, &lo);
	snd_pcm_hw_params_get_channels_max(hw, &hi);
	if (hi < need) {
		snprintf(err, DUPLEX_ERR_MAX, "%s: the jig uses device channel %u, the device has %u", dir, need, hi);
		return -EINVAL;
	}
	for (*ch = lo > need ? lo : need; *ch <= hi && *ch <= DUPLEX_MAX_CHANNELS; (*ch)++)
		if (snd_pcm_hw_params_test_channels(pcm, hw, *ch) == 0)
			return snd_pcm_hw_params_set_channels(pcm, hw, *ch);
	snprintf(err, DUPLEX_ERR_MAX, "%s: no channel count from %u to %u is accepted", dir, need, hi);
	return -EINVAL;
}

static int configure(struct side *s, unsigned rate, snd_pcm_uframes_t *period, unsigned periods,
                     char err[DUPLEX_ERR_MAX])
{
	const char *dir = snd_pcm_stream(s->pcm) == SND_PCM_STREAM_CAPTURE ? "capture" : "playback";
	snd_pcm_hw_params_t *hw;
	snd_pcm_sw_params_t *sw;
	snd_pcm_uframes_t buffer;
	unsigned r = rate, need = 0;
	int e;

	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_sw_params_alloca(&sw);
	for (unsigned k = 0; k < s->jig_ch; k++)
		if (s->map[k] + 1 > need)
			need = s->map[k] + 1;
	if ((e = snd_pcm_hw_params_any(s->pcm, hw)) < 0)
		goto fail;
	/* A measurement needs the device's own clock: no resampling behind our back. */
	snd_pcm_hw_params_set_rate_resample(s->pcm, hw, 0);
	if ((e = snd_pcm_hw_params_set_access(s->pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0)
		goto fail;
	if (pick_format(s->pcm, hw, &s->format) < 0) {
		snprintf(err, DUPLEX_ERR_MAX, "%s: none of %s, %s, %s, %s, %s is offered", dir, iface_known_formats[0],
		         iface_known_formats[1], iface_known_formats[2], iface_known_formats[3], iface_known_formats[4]);
		return -EINVAL;
	}
	if ((e = pick_channels(s->pcm, hw, need, &s->dev_ch, dir, err)) < 0)
		return e;
	if ((e = snd_pcm_hw_params_set_rate_near(s->pcm, hw, &r, NULL)) < 0)
		goto fail;
	if (r != rate) {
		snprintf(err, DUPLEX_ERR_MAX, "%s: rate %u Hz not offered in %s (nearest %u Hz)", dir, rate,
		         snd_pcm_format_name(s->format), r);
		return -EINVAL;
	}
	if ((e = snd_pcm_hw_params_set_period_size_near(s->pcm, hw, period, NULL)) < 0)
		goto fail;
	buffer = *period * periods;
	if ((e = snd_pcm_hw_params_set_buffer_size_near(s->pcm, hw, &buffer)) < 0)
		goto fail;
	if ((e = snd_pcm_hw_params(s->pcm, hw)) < 0)
		goto fail;
	snd_pcm_hw_params_get_period_size(hw, period, NULL);
	s->frame_bytes = (size_t)snd_pcm_format_physical_width(s->format) / 8 * s->dev_ch;

	if ((e = snd_pcm_sw_params_current(s->pcm, sw)) < 0)
		goto fail;
	/* Started explicitly (both together), never by the fill level. */
	snd_pcm_sw_params_set_start_threshold(s->pcm, sw, ~(snd_pcm_uframes_t)0 >> 1);
	snd_pcm_sw_params_set_avail_min(s->pcm, sw, *period);
	if ((e = snd_pcm_sw_params(s->pcm, sw)) < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, DUPLEX_ERR_MAX, "%s: cannot configure (%s)", dir, snd_strerror(e));
	return e;
}

/* Copy a jig channel map (1-based, NULL = identity) into s, checking it. */
static int set_map(struct side *s, const unsigned *map, unsigned n, const char *what, char err[DUPLEX_ERR_MAX])
{
	s->jig_ch = n;
	for (unsigned k = 0; k < n; k++) {
		unsigned ch = map ? map[k] : k + 1;
		if (ch < 1 || ch > DUPLEX_MAX_CHANNELS) {
			snprintf(err, DUPLEX_ERR_MAX, "jig %s %u: device channel %u is not 1..%d", what, k + 1, ch,
			         DUPLEX_MAX_CHANNELS);
			return -EINVAL;
		}
		for (unsigned j = 0; j < k; j++) {
			if (s->map[j] == ch - 1) {
				snprintf(err, DUPLEX_ERR_MAX, "jig %ss %u and %u are both on device channel %u", what, j + 1, k + 1,
				         ch);
				return -EINVAL;
			}
		}
		s->map[k] = ch - 1;
	}
	return 0;
}

unsigned duplex_default_period(unsigned rate)
{
	unsigned p = 64;
	/* bench/load, 200 tests with every core busy: 5 ms periods ended 153 of
	 * them in xruns three times over, 10 ms periods 34, 20 ms periods none;
	 * a longer period costs a test at most one period more. */
	while (p < 8192 && (double)p * 1000.0 / rate < 20.0)
		p *= 2;
	return p;
}

/* The interface's mixer: where it is, and its settings, set now. */
static int setup_mixer(duplex *d, const struct duplex_cfg *cfg, char err[DUPLEX_ERR_MAX])
{
	char merr[MIXER_ERR_MAX];
	int e;

	if (!cfg->iface || !cfg->iface->n_controls)
		return 0;
	if (mixer_ctl_name(d->play.pcm, cfg->device, d->ctl, sizeof d->ctl) < 0) {
		snprintf(err, DUPLEX_ERR_MAX, "'%.120s' has no mixer to set, but interface %s needs %u control(s) set",
		         cfg->device, cfg->iface->name, cfg->iface->n_controls);
		return -EACCES;
	}
	d->controls = malloc(cfg->iface->n_controls * sizeof *d->controls);
	if (!d->controls)
		return -ENOMEM;
	memcpy(d->controls, cfg->iface->control, cfg->iface->n_controls * sizeof *d->controls);
	d->n_controls = cfg->iface->n_controls;
	if ((e = mixer_apply(d->ctl, d->controls, d->n_controls, merr)) < 0) {
		snprintf(err, DUPLEX_ERR_MAX, "%s", merr);
		return -EACCES;
	}
	return 0;
}

duplex *duplex_open(const struct duplex_cfg *cfg, char err[DUPLEX_ERR_MAX], int *errnum)
{
	duplex *d = NULL;
	snd_pcm_uframes_t pp, pc;
	int e = -EINVAL;

	err[0] = '\0';
	if (!cfg || !cfg->device || !cfg->rate || !cfg->out_channels || !cfg->in_channels ||
	    cfg->out_channels > DUPLEX_MAX_CHANNELS || cfg->in_channels > DUPLEX_MAX_CHANNELS) {
		snprintf(err, DUPLEX_ERR_MAX, "bad device configuration");
		goto fail;
	}
	if (!(d = calloc(1, sizeof(*d)))) {
		e = -ENOMEM;
		goto fail;
	}
	d->rate = cfg->rate;
	d->periods = cfg->periods ? cfg->periods : DUPLEX_DEFAULT_PERIODS;
	d->two = cfg->capture_device && *cfg->capture_device && strcmp(cfg->capture_device, cfg->device) != 0;
	d->play.name = cfg->device;
	d->cap.name = d->two ? cfg->capture_device : cfg->device;
	if ((e = set_map(&d->play, cfg->out_map, cfg->out_channels, "output", err)) < 0 ||
	    (e = set_map(&d->cap, cfg->in_map, cfg->in_channels, "input", err)) < 0)
		goto fail;
	pp = cfg->period_frames ? cfg->period_frames : duplex_default_period(cfg->rate);

	if ((e = open_pcm(&d->play, SND_PCM_STREAM_PLAYBACK, err)) < 0 ||
	    (e = open_pcm(&d->cap, SND_PCM_STREAM_CAPTURE, err)) < 0)
		goto fail;
	if ((e = configure(&d->play, d->rate, &pp, d->periods, err)) < 0)
		goto fail;
	/* Both sides move a period at a time: the capture side takes the
	 * playback's period, or the device and the jig cannot work together. */
	pc = pp;
	if ((e = configure(&d->cap, d->rate, &pc, d->periods, err)) < 0)
		goto fail;
	if (pp != pc) {
		snprintf(err, DUPLEX_ERR_MAX, "playback and capture disagree on the period (%lu and %lu frames)",
		         (unsigned long)pp, (unsigned long)pc);
		e = -EINVAL;
		goto fail;
	}
	d->period = (unsigned)pp;
	/* Two devices run on two clocks: linking would only pretend they start together. */
	d->linked = !d->two && snd_pcm_link(d->cap.pcm, d->play.pcm) == 0;
	if (d->play.format == d->cap.format)
		snprintf(d->format_name, sizeof d->format_name, "%s", snd_pcm_format_name(d->play.format));
	else
		snprintf(d->format_name, sizeof d->format_name, "%s/%s", snd_pcm_format_name(d->play.format),
		         snd_pcm_format_name(d->cap.format));

	d->fout = calloc((size_t)d->period * d->play.jig_ch, sizeof(float));
	d->fin = calloc((size_t)d->period * d->cap.jig_ch, sizeof(float));
	d->play.buf = calloc(d->period, d->play.frame_bytes);
	d->cap.buf = calloc(d->period, d->cap.frame_bytes);
	if (!d->fout || !d->fin || !d->play.buf || !d->cap.buf) {
		e = -ENOMEM;
		goto fail;
	}
	if ((e = setup_mixer(d, cfg, err)) < 0)
		goto fail;
	if ((e = snd_pcm_prepare(d->play.pcm)) < 0 || (e = snd_pcm_prepare(d->cap.pcm)) < 0) {
		snprintf(err, DUPLEX_ERR_MAX, "cannot prepare '%.180s': %s", cfg->device, snd_strerror(e));
		goto fail;
	}
	if (errnum)
		*errnum = 0;
	return d;
fail:
	if (!err[0])
		snprintf(err, DUPLEX_ERR_MAX, "cannot open '%.180s': %s", cfg && cfg->device ? cfg->device : "?",
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
		snd_pcm_unlink(d->cap.pcm);
	if (d->play.pcm)
		snd_pcm_close(d->play.pcm);
	if (d->cap.pcm)
		snd_pcm_close(d->cap.pcm);
	free(d->fout);
	free(d->fin);
	free(d->play.buf);
	free(d->cap.buf);
	free(d->controls);
	free(d);
}

unsigned duplex_rate(const duplex *d) { return d->rate; }
unsigned duplex_period(const duplex *d) { return d->period; }
const char *duplex_format_name(const duplex *d) { return d->format_name; }
int duplex_two_devices(const duplex *d) { return d->two; }
const char *duplex_error(const duplex *d) { return d->err; }
unsigned duplex_device_channels(const duplex *d, int capture)
{
	return capture ? d->cap.dev_ch : d->play.dev_ch;
}

int duplex_check(duplex *d)
{
	if (!d)
		return -ENODEV;
	if (snd_pcm_state(d->play.pcm) == SND_PCM_STATE_DISCONNECTED ||
	    snd_pcm_state(d->cap.pcm) == SND_PCM_STATE_DISCONNECTED)
		return -ENODEV;
	return 0;
}

/* x (full scale 1) as the format's integer: rounded and clipped. */
static int32_t quantize(float x, double full)
{
	double q = nearbyint((double)x * full);
	return (int32_t)(q >= full ? full - 1 : q < -full ? -full : q);
}

static void put(snd_pcm_format_t fmt, unsigned char *p, float x)
{
	int32_t v;

	switch (fmt) {
	case SND_PCM_FORMAT_FLOAT_LE:
		memcpy(p, &x, sizeof x);
		return;
	case SND_PCM_FORMAT_S32_LE:
		v = quantize(x, 2147483648.0);
		memcpy(p, &v, sizeof v);
		return;
	case SND_PCM_FORMAT_S24_3LE:
	case SND_PCM_FORMAT_S24_LE:
		v = quantize(x, 8388608.0);
		p[0] = (unsigned char)v;
		p[1] = (unsigned char)(v >> 8);
		p[2] = (unsigned char)(v >> 16);
		if (fmt == SND_PCM_FORMAT_S24_LE)
			p[3] = v < 0 ? 0xff : 0;
		return;
	default:
		v = quantize(x, 32768.0);
		p[0] = (unsigned char)v;
		p[1] = (unsigned char)(v >> 8);
	}
}

static float get(snd_pcm_format_t fmt, const unsigned char *p)
{
	int32_t v;
	float x;

	switch (fmt) {
	case SND_PCM_FORMAT_FLOAT_LE:
		memcpy(&x, p, sizeof x);
		return x;
	case SND_PCM_FORMAT_S32_LE:
		memcpy(&v, p, sizeof v);
		return (float)(v / 2147483648.0);
	case SND_PCM_FORMAT_S24_3LE:
	case SND_PCM_FORMAT_S24_LE:
		/* the low three bytes, sign-extended (an S24_LE container's top byte is padding) */
		v = (int32_t)((uint32_t)p[0] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 24) >> 8;
		return (float)(v / 8388608.0);
	default:
		return (float)(int16_t)(p[0] | p[1] << 8) / 32768.0f;
	}
}

static float clampf(float x)
{
	return x > 1.0f ? 1.0f : x < -1.0f ? -1.0f : x;
}

/* The caller's float frames (jig outputs) into device frames: every other
 * device channel plays silence. */
static void to_device(duplex *d, unsigned frames)
{
	const struct side *s = &d->play;
	size_t sb = s->frame_bytes / s->dev_ch;

	memset(s->buf, 0, frames * s->frame_bytes);
	for (unsigned f = 0; f < frames; f++) {
		unsigned char *frame = (unsigned char *)s->buf + f * s->frame_bytes;
		for (unsigned c = 0; c < s->jig_ch; c++)
			put(s->format, frame + s->map[c] * sb, clampf(d->fout[f * s->jig_ch + c]));
	}
}

/* The jig's inputs out of the device frames; other device channels are not read. */
static void from_device(duplex *d, unsigned frames)
{
	const struct side *s = &d->cap;
	size_t sb = s->frame_bytes / s->dev_ch;

	for (unsigned f = 0; f < frames; f++) {
		const unsigned char *frame = (const unsigned char *)s->buf + f * s->frame_bytes;
		for (unsigned c = 0; c < s->jig_ch; c++)
			d->fin[f * s->jig_ch + c] = get(s->format, frame + s->map[c] * sb);
	}
}

/* After an error: stop both directions and leave them prepared for the next run. */
static int recover(duplex *d, int e, unsigned *xruns)
{
	if (e == -EPIPE || e == -ESTRPIPE) {
		if (xruns)
			(*xruns)++;
		if (e == -ESTRPIPE) {
			while (snd_pcm_resume(d->play.pcm) == -EAGAIN)
				;
			while (snd_pcm_resume(d->cap.pcm) == -EAGAIN)
				;
		}
	}
	snd_pcm_drop(d->play.pcm);
	snd_pcm_drop(d->cap.pcm);
	if (e != -ENODEV) {
		int p = snd_pcm_prepare(d->play.pcm);
		int c = snd_pcm_prepare(d->cap.pcm);
		if (p == -ENODEV || c == -ENODEV)
			return -ENODEV;
	}
	return e == -ESTRPIPE ? -EPIPE : e;
}

static int write_all(duplex *d, unsigned frames)
{
	const char *p = d->play.buf;
	while (frames) {
		snd_pcm_sframes_t n = snd_pcm_writei(d->play.pcm, p, frames);
		if (n == -EAGAIN || n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		p += (size_t)n * d->play.frame_bytes;
		frames -= (unsigned)n;
	}
	return 0;
}

static int read_all(duplex *d, unsigned frames)
{
	char *p = d->cap.buf;
	while (frames) {
		snd_pcm_sframes_t n = snd_pcm_readi(d->cap.pcm, p, frames);
		if (n == -EAGAIN || n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		p += (size_t)n * d->cap.frame_bytes;
		frames -= (unsigned)n;
	}
	return 0;
}

/* Start both directions: one call for linked streams; otherwise capture
 * first, so the playback's first frame is always captured and an unlinked
 * start only adds to the round trip the measurement finds. */
static int start(duplex *d)
{
	int e;

	if (d->linked)
		return snd_pcm_start(d->play.pcm);
	if ((e = snd_pcm_start(d->cap.pcm)) < 0)
		return e;
	return snd_pcm_start(d->play.pcm);
}

int duplex_run(duplex *d, duplex_render_fn render, void *render_ctx, duplex_capture_fn sink,
               void *sink_ctx, uint64_t max_frames, unsigned *xruns)
{
	uint64_t got = 0;
	int e;

	if (!d || !render || !sink)
		return -EINVAL;
	d->err[0] = '\0';
	/* Someone may have turned the direct monitor on since the last test. */
	if (d->n_controls && (e = mixer_apply(d->ctl, d->controls, d->n_controls, d->err)) < 0)
		return e == -ENODEV ? -ENODEV : -EACCES;
	/* Fill the playback buffer but one period, so a period of room is always
	 * there for the next write while the capture side catches up. */
	for (unsigned i = 0; i + 1 < d->periods; i++) {
		render(render_ctx, d->fout, d->period);
		to_device(d, d->period);
		if ((e = write_all(d, d->period)) < 0)
			return recover(d, e, xruns);
	}
	if ((e = start(d)) < 0)
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
