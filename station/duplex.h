/* duplex: a playback and a capture stream on one ALSA device, started together. */
#ifndef TONEWIRE_DUPLEX_H
#define TONEWIRE_DUPLEX_H

#include <stdint.h>

#define DUPLEX_ERR_MAX 256

typedef struct duplex duplex;

struct duplex_cfg {
	const char *device;          /* ALSA PCM name: "hw:Jig", "tonewire_sim:/path/scenario.conf" */
	unsigned rate;
	unsigned out_channels;       /* channels the jig drives (the device may have more) */
	unsigned in_channels;        /* channels the jig senses */
	unsigned period_frames;      /* 0 = ~5 ms: 256 at 44.1/48 kHz, 512 at 96 kHz */
	unsigned periods;            /* 0 = 4 */
};

/* Source of playback frames: fill `frames` interleaved float frames of
 * out_channels channels. */
typedef void (*duplex_render_fn)(void *ctx, float *out, unsigned frames);
/* Sink of captured frames (interleaved float, in_channels): return non-zero to stop. */
typedef int (*duplex_capture_fn)(void *ctx, const float *in, unsigned frames);

/* Open and configure both directions (float, else S32, else S16; the
 * requested channel count, else the smallest larger one). NULL on failure
 * with a message in err and the negative errno in *errnum (-ENODEV: no such
 * device or unplugged, -EBUSY: in use, -EINVAL: unsupported setting). */
duplex *duplex_open(const struct duplex_cfg *cfg, char err[DUPLEX_ERR_MAX], int *errnum);
void duplex_close(duplex *d);   /* accepts NULL */

/* The rate and period (frames) the device was opened with. */
unsigned duplex_rate(const duplex *d);
unsigned duplex_period(const duplex *d);
/* The sample format on the wire, as ALSA names it ("S24_3LE"). */
const char *duplex_format_name(const duplex *d);
/* Channels the device was opened with: capture (1) or playback (0). */
unsigned duplex_device_channels(const duplex *d, int capture);

/* 0 while both streams are usable, -ENODEV once the device is gone (a USB
 * interface unplugged between runs). Cheap: no I/O on the streams. */
int duplex_check(duplex *d);

/* Play what render produces and hand what is captured to sink, in periods,
 * from a prepared state until sink returns non-zero or max_frames have been
 * captured. Playback frame 0 and capture frame 0 start together (linked
 * streams where the device allows it), so the round trip a caller measures
 * is the device's own. Returns 0, -EPIPE after an xrun (the streams are
 * recovered and ready for another try; *xruns counts it), -ENODEV when the
 * device went away, or another negative errno. Buffers were sized at open:
 * never allocates. */
int duplex_run(duplex *d, duplex_render_fn render, void *render_ctx, duplex_capture_fn sink,
               void *sink_ctx, uint64_t max_frames, unsigned *xruns);

/* Make the simulated jig (tonewire_sim:…) openable from a build tree where
 * it is not installed: point ALSA at the build's plugin configuration,
 * unless the caller set ALSA_CONFIG_PATH. It changes the environment: call
 * it once at start-up, before any other thread and any ALSA call. */
void duplex_setup_sim(void);

#endif
