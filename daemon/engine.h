/* engine: owns the ALSA device — opens it, streams capture jobs on its audio thread, survives its loss. */
#ifndef TONEWIRE_ENGINE_H
#define TONEWIRE_ENGINE_H

#include <stdatomic.h>
#include <stdint.h>

#include "duplex.h"
#include "pump.h"

#define ENGINE_ERR_MAX 256

typedef struct engine engine;

struct engine_cfg {
	const char *device;           /* copied */
	const char *capture_device;   /* copied; NULL or "": device is both (see struct duplex_cfg) */
	const struct tw_interface *iface;   /* copied; NULL: the profile recognised from the card on every
	                                       open, looked up through profiles (NULL: none) */
	const struct profiles *profiles;    /* kept: must outlive the engine */
	const unsigned *out_map, *in_map;   /* copied; device channels of the jig's (NULL: 1, 2, 3…) */
	unsigned rate, period, periods;
	unsigned out_channels, in_channels;
	unsigned retry_ms;            /* between attempts to open a missing device; 0 = 500 */
	unsigned ring_frames;         /* captured frames the analysis side may fall behind by */
};

/* Start the engine thread; it opens the device at once and keeps trying
 * every retry_ms while it is missing. NULL on failure (err set). */
engine *engine_create(const struct engine_cfg *cfg, char err[ENGINE_ERR_MAX]);
/* Stop the thread (waiting for a stream in progress) and close the device; accepts NULL. */
void engine_destroy(engine *e);

/* One stream, as struct pump describes it: render runs on the audio
 * thread, every captured period crosses to this thread through a lock-free
 * ring, and sink runs here. One caller at a time (the runner thread): the
 * ring is the engine's. -ENODEV when no device is open now (-EBUSY when
 * that is because another program holds it), -EPIPE after an xrun or when this side fell a whole
 * ring behind. */
int engine_stream(engine *e, duplex_render_fn render, void *render_ctx, duplex_capture_fn sink,
                  void *sink_ctx, uint64_t max_frames, unsigned *xruns);

/* The engine as a pump for the sessions. */
struct pump engine_pump(engine *e);

/* Switch to another device (close, open the new one). -EBUSY during a job. */
int engine_set_device(engine *e, const char *device);

/* Wait up to timeout_ms for the device to be open: 1 open, 0 not. */
int engine_wait_connected(engine *e, int timeout_ms);

struct engine_status {
	int connected;
	char device[512];
	char error[ENGINE_ERR_MAX];   /* why the last open failed, "" when open */
	char format[32];
	char interface[64];              /* the interface profile applied, "" = none */
	char setup_error[ENGINE_ERR_MAX];   /* the mixer control the last stream could not set, "" = none */
	unsigned rate, period;
	unsigned long long xruns, opens, losses;
	unsigned long long generation;   /* increments on every successful open */
};
/* A snapshot of the device's state, counters included. Any thread. */
void engine_status(engine *e, struct engine_status *st);

#endif
