/* hw: the simulated interface's hw_params constraints, its sample formats, and the jig's place among its channels. */
#include "hw.h"

#include <math.h>
#include <string.h>

#include "loop.h"

/* Offered when a scenario names no formats: every format tonewire converts. */
static const snd_pcm_format_t default_formats[] = {
	SND_PCM_FORMAT_S16_LE, SND_PCM_FORMAT_S24_3LE, SND_PCM_FORMAT_S24_LE,
	SND_PCM_FORMAT_S32_LE, SND_PCM_FORMAT_FLOAT_LE,
};

void hw_dir_init(struct hw_dir *d, const struct scenario *sc, int capture)
{
	const struct tw_interface *i = &sc->hw;
	const struct fixture *f = &sc->jig.fixture;
	unsigned top = 0;

	memset(d, 0, sizeof *d);
	d->capture = capture;
	d->jig_ch = capture ? f->n_inputs : f->n_outputs;
	for (unsigned k = 0; k < d->jig_ch; k++) {
		unsigned ch = iface_channel(i, capture ? IFACE_CAPTURE : IFACE_PLAYBACK, k);
		d->map[k] = ch - 1;
		if (ch > top)
			top = ch;
	}
	/* Fixed counts, as a hw: device has them; without, just what the jig reaches. */
	d->dev_ch = i->channels[capture] ? i->channels[capture] : top;
	if (i->n_formats[capture]) {
		for (unsigned k = 0; k < i->n_formats[capture]; k++)
			d->format[d->n_formats++] = snd_pcm_format_value(i->format[capture][k]);
	} else {
		for (unsigned k = 0; k < sizeof default_formats / sizeof default_formats[0]; k++)
			d->format[d->n_formats++] = default_formats[k];
	}
	if (i->n_rates) {
		d->n_rates = i->n_rates;
		memcpy(d->rate, i->rate, i->n_rates * sizeof d->rate[0]);
	} else {
		d->n_rates = SCENARIO_N_RATES;
		memcpy(d->rate, scenario_rates, sizeof scenario_rates);
	}
}

int hw_rate_ok(const struct hw_dir *d, unsigned rate)
{
	for (unsigned k = 0; k < d->n_rates; k++)
		if (d->rate[k] == rate)
			return 1;
	return 0;
}

int hw_constrain(snd_pcm_ioplug_t *io, const struct hw_dir *d, const struct tw_interface *i, unsigned peer_rate)
{
	static const unsigned access[] = {
		SND_PCM_ACCESS_RW_INTERLEAVED, SND_PCM_ACCESS_RW_NONINTERLEAVED,
		SND_PCM_ACCESS_MMAP_INTERLEAVED, SND_PCM_ACCESS_MMAP_NONINTERLEAVED,
	};
	unsigned formats[IFACE_MAX_FORMATS], wmin = 8, ch = d->dev_ch;
	int rc;

	for (unsigned k = 0; k < d->n_formats; k++) {
		unsigned w = (unsigned)snd_pcm_format_physical_width(d->format[k]) / 8;
		formats[k] = (unsigned)d->format[k];
		if (w < wmin)
			wmin = w;
	}
	if ((rc = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_ACCESS, 4, access)) < 0 ||
	    (rc = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_FORMAT, d->n_formats, formats)) < 0 ||
	    (rc = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_CHANNELS, ch, ch)) < 0)
		return rc;
	/* One clock drives both directions: once one runs, the other follows its rate. */
	if (peer_rate)
		rc = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_RATE, 1, &peer_rate);
	else
		rc = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_RATE, d->n_rates, d->rate);
	if (rc < 0)
		return rc;

	/* In bytes, as ioplug (and a kernel driver) states them. The simulator's
	 * own limit: a buffer of at most half its ring, so a buffer plus the
	 * longest latency stays inside it. */
	unsigned ring_bytes = LOOP_RING_FRAMES / 2 * wmin * ch;
	unsigned pmin = 64 * ch, pmax = 65536 * ch, bmax = 262144 * ch, nmax = 1024;
	if (i->period_bytes_min)
		pmin = i->period_bytes_min;
	if (i->period_bytes_max)
		pmax = i->period_bytes_max;
	if (i->buffer_bytes_max)
		bmax = i->buffer_bytes_max;
	if (i->periods_max)
		nmax = i->periods_max;
	if (bmax > ring_bytes)
		bmax = ring_bytes;
	if (pmax > bmax / 2)
		pmax = bmax / 2;
	if ((rc = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_PERIOD_BYTES, pmin, pmax)) < 0 ||
	    (rc = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_BUFFER_BYTES, 2 * pmin, bmax)) < 0 ||
	    (rc = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_PERIODS, 2, nmax)) < 0)
		return rc;
	return 0;
}

/* The conversions below are the simulated hardware's own, written apart
 * from the station's (station/duplex.c) on purpose: were they shared, a
 * mistake in one would be mirrored by the other and no test could see it. */
static const char *sample_at(const snd_pcm_channel_area_t *a, snd_pcm_uframes_t frame)
{
	return (const char *)a->addr + (a->first + frame * a->step) / 8;
}

/* One sample in fmt at p, as a float of full scale 1. */
static float read_sample(snd_pcm_format_t fmt, const char *p)
{
	const unsigned char *b = (const unsigned char *)p;
	int32_t x;
	float v;

	switch (fmt) {
	case SND_PCM_FORMAT_S16_LE:
		return (float)(int16_t)(b[0] | b[1] << 8) / 32768.0f;
	case SND_PCM_FORMAT_S24_3LE:
		x = (int32_t)((uint32_t)b[0] << 8 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 24) >> 8;
		return (float)x / 8388608.0f;
	case SND_PCM_FORMAT_S24_LE:
		/* 24 bits in the low bytes of 32; a DAC ignores the top byte */
		x = (int32_t)((uint32_t)b[0] << 8 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 24) >> 8;
		return (float)x / 8388608.0f;
	case SND_PCM_FORMAT_S32_LE:
		memcpy(&x, p, sizeof x);
		return (float)((double)x / 2147483648.0);
	default:
		memcpy(&v, p, sizeof v);
		/* a DAC clips what lies beyond full scale */
		return isnan(v) ? 0.0f : v > 1.0f ? 1.0f : v < -1.0f ? -1.0f : v;
	}
}

/* v (full scale 1) as an ADC delivers it in fmt: rounded, clipped. */
static void write_sample(snd_pcm_format_t fmt, double v, char *p)
{
	unsigned char *b = (unsigned char *)p;
	double q;
	int32_t x;
	float f;

	switch (fmt) {
	case SND_PCM_FORMAT_S16_LE:
		q = nearbyint(v * 32768.0);
		x = (int32_t)(q > 32767 ? 32767 : q < -32768 ? -32768 : q);
		b[0] = (unsigned char)(x & 0xff);
		b[1] = (unsigned char)((x >> 8) & 0xff);
		return;
	case SND_PCM_FORMAT_S24_3LE:
	case SND_PCM_FORMAT_S24_LE:
		q = nearbyint(v * 8388608.0);
		x = (int32_t)(q > 8388607 ? 8388607 : q < -8388608 ? -8388608 : q);
		b[0] = (unsigned char)(x & 0xff);
		b[1] = (unsigned char)((x >> 8) & 0xff);
		b[2] = (unsigned char)((x >> 16) & 0xff);
		if (fmt == SND_PCM_FORMAT_S24_LE)
			b[3] = x < 0 ? 0xff : 0x00;   /* sign-extended into the container */
		return;
	case SND_PCM_FORMAT_S32_LE:
		q = nearbyint(v * 2147483648.0);
		x = (int32_t)(q > 2147483647.0 ? 2147483647.0 : q < -2147483648.0 ? -2147483648.0 : q);
		memcpy(p, &x, sizeof x);
		return;
	default:
		f = (float)v;
		memcpy(p, &f, sizeof f);
	}
}

void hw_from_client(const struct hw_dir *d, snd_pcm_format_t fmt, const snd_pcm_channel_area_t *areas,
                    snd_pcm_uframes_t offset, unsigned n, float *jig)
{
	for (unsigned c = 0; c < d->jig_ch; c++) {
		const snd_pcm_channel_area_t *a = &areas[d->map[c]];
		for (unsigned k = 0; k < n; k++)
			jig[(size_t)k * d->jig_ch + c] = read_sample(fmt, sample_at(a, offset + k));
	}
}

void hw_to_client(const struct hw_dir *d, snd_pcm_format_t fmt, const float *jig, unsigned n,
                  const snd_pcm_channel_area_t *areas, snd_pcm_uframes_t offset)
{
	int used[IFACE_MAX_CHANNELS] = { 0 };

	for (unsigned c = 0; c < d->jig_ch; c++) {
		const snd_pcm_channel_area_t *a = &areas[d->map[c]];
		used[d->map[c]] = 1;
		for (unsigned k = 0; k < n; k++)
			write_sample(fmt, jig[(size_t)k * d->jig_ch + c], (char *)sample_at(a, offset + k));
	}
	for (unsigned c = 0; c < d->dev_ch && c < IFACE_MAX_CHANNELS; c++)
		if (!used[c])
			for (unsigned k = 0; k < n; k++)
				write_sample(fmt, 0.0, (char *)sample_at(&areas[c], offset + k));
}
