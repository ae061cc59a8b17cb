/* duplex: a playback and a capture stream — on one ALSA device, or a separate DAC and ADC — started together, in whatever format and channel layout the hardware has. */
#ifndef TONEWIRE_DUPLEX_H
#define TONEWIRE_DUPLEX_H

#include <stdint.h>

#include "interface.h"

#define DUPLEX_ERR_MAX 256
#define DUPLEX_MAX_CHANNELS IFACE_MAX_CHANNELS

typedef struct duplex duplex;

struct duplex_cfg {
	const char *device;          /* ALSA PCM name: "hw:Jig", "tonewire_sim:/path/scenario.conf" */
	const char *capture_device;  /* NULL (or the same name): both directions on device; else a
	                                separate ADC, with its own clock, that cannot be linked */
	unsigned rate;
	unsigned out_channels;       /* channels the jig drives */
	unsigned in_channels;        /* channels the jig senses */
	/* The device channel (1-based, gaps allowed) of each jig output and
	 * input, out_channels / in_channels of them; NULL: 1, 2, 3… The device
	 * is opened with the channel count it requires, or the smallest it
	 * allows that reaches the highest; other outputs play silence, other
	 * inputs are not read. */
	const unsigned *out_map, *in_map;
	unsigned period_frames;      /* 0 = duplex_default_period(rate) */
	unsigned periods;            /* 0 = DUPLEX_DEFAULT_PERIODS */
	/* The interface's profile (NULL: none): its [mixer] settings are set
	 * on device's mixer (the playback device's, when there are two) when
	 * it opens, and checked before every stream. */
	const struct tw_interface *iface;
};

/* Periods in a buffer by default: with ~20 ms periods, 4 of them give a
 * busy machine ~60 ms to come back before an xrun (bench/load measures it). */
#define DUPLEX_DEFAULT_PERIODS 4

/* Source of playback frames: fill `frames` interleaved float frames of
 * out_channels channels (the jig's outputs, in the jig's order). */
typedef void (*duplex_render_fn)(void *ctx, float *out, unsigned frames);
/* Sink of captured frames (interleaved float, in_channels, the jig's
 * inputs in the jig's order): return non-zero to stop. */
typedef int (*duplex_capture_fn)(void *ctx, const float *in, unsigned frames);

/* Open and configure both directions in the best format each offers
 * (FLOAT_LE, S32_LE, S24_3LE, S24_LE, S16_LE: converted here, never by a
 * plug plugin), at exactly cfg->rate, with the channels the maps need, and
 * apply the interface's mixer settings. NULL on failure with a message in
 * err and the negative errno in *errnum: -ENODEV no such device or
 * unplugged; -EBUSY another program holds it (err says which, where Linux
 * can tell, and how to release it); -EACCES a mixer control cannot be set
 * (err names it); -EINVAL an unsupported setting. */
duplex *duplex_open(const struct duplex_cfg *cfg, char err[DUPLEX_ERR_MAX], int *errnum);
void duplex_close(duplex *d);   /* accepts NULL */

/* The rate and period (frames) the device was opened with. */
unsigned duplex_rate(const duplex *d);
unsigned duplex_period(const duplex *d);
/* The sample format on the wire, as ALSA names it ("S24_3LE"); when the
 * two directions differ, "playback/capture" ("S24_3LE/S32_LE"). Owned by d. */
const char *duplex_format_name(const duplex *d);
/* Channels the device was opened with: capture (1) or playback (0). */
unsigned duplex_device_channels(const duplex *d, int capture);
/* 1 when playback and capture are two devices (unlinked, two clocks). */
int duplex_two_devices(const duplex *d);
/* Why the last duplex_run failed with -EACCES (a mixer control); "" otherwise. Owned by d. */
const char *duplex_error(const duplex *d);

/* 0 while both streams are usable, -ENODEV once the device is gone (a USB
 * interface unplugged between runs). Cheap: no I/O on the streams. */
int duplex_check(duplex *d);

/* Play what render produces and hand what is captured to sink, in periods,
 * from a prepared state until sink returns non-zero or max_frames have been
 * captured. Playback frame 0 and capture frame 0 start together (linked
 * streams where the device allows it; otherwise capture is started first,
 * then playback at once, so the round trip a caller measures only grows).
 * The interface's mixer settings are checked first and set again if
 * something changed them. Returns 0, -EPIPE after an xrun (the streams are
 * recovered and ready for another try; *xruns counts it), -ENODEV when the
 * device went away, -EACCES when a mixer control cannot be set (see
 * duplex_error), or another negative errno. Buffers were sized at open:
 * never allocates. */
int duplex_run(duplex *d, duplex_render_fn render, void *render_ctx, duplex_capture_fn sink,
               void *sink_ctx, uint64_t max_frames, unsigned *xruns);

/* The default period: ~20 ms at any rate (1024 frames at 44.1/48 kHz, 2048
 * at 88.2/96 kHz), a power of two. The stimulus is known in advance, so a
 * long buffer costs no round trip: only up to a period of test time. */
unsigned duplex_default_period(unsigned rate);

/* Make the simulated jig (tonewire_sim:…) openable from a build tree where
 * it is not installed: point ALSA at the build's plugin configuration,
 * unless the caller set ALSA_CONFIG_PATH. It changes the environment: call
 * it once at start-up, before any other thread and any ALSA call. */
void duplex_setup_sim(void);

#endif
