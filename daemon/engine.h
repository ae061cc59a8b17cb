/* engine: owns the ALSA device — opens it, streams capture jobs on its audio thread, survives its loss. */
#ifndef TONEWIRE_ENGINE_H
#define TONEWIRE_ENGINE_H

#include <stdatomic.h>
#include <stdint.h>

#include "duplex.h"
#include "ring.h"

#define ENGINE_ERR_MAX 256

typedef struct engine engine;

struct engine_cfg {
	const char *device;           /* copied */
	unsigned rate, period, periods;
	unsigned out_channels, in_channels;
	unsigned retry_ms;            /* between attempts to open a missing device; 0 = 500 */
};

/* One stream: the audio thread plays render's frames and pushes every
 * captured period into ring (in_channels interleaved floats) until
 * max_frames or until the consumer sets stop. */
struct engine_job {
	duplex_render_fn render;
	void *render_ctx;
	struct ring *ring;
	uint64_t max_frames;
	atomic_int stop;              /* set by the consumer: enough captured */
	/* Written by the engine; read after engine_wait. */
	atomic_int done;
	int rc;                       /* 0, -EPIPE (xrun or ring overrun), -ENODEV, -errno */
	unsigned xruns;
};

/* Start the engine thread; it opens the device at once and keeps trying
 * every retry_ms while it is missing. NULL on failure (err set). */
engine *engine_create(const struct engine_cfg *cfg, char err[ENGINE_ERR_MAX]);
void engine_destroy(engine *e);   /* accepts NULL; waits for a running job */

/* Hand a job to the audio thread. 0, -ENODEV (no device now), -EBUSY. The
 * job must stay alive until engine_wait returned. */
int engine_start(engine *e, struct engine_job *job);
/* Wait for the job to end; returns its rc. */
int engine_wait(engine *e, struct engine_job *job);

/* Switch to another device (close, open the new one). -EBUSY during a job. */
int engine_set_device(engine *e, const char *device);

/* Wait up to timeout_ms for the device to be open: 1 open, 0 not. */
int engine_wait_connected(engine *e, int timeout_ms);

struct engine_status {
	int connected;
	char device[512];
	char error[ENGINE_ERR_MAX];   /* why the last open failed, "" when open */
	char format[32];
	unsigned rate, period;
	unsigned long long xruns, opens, losses;
	unsigned long long generation;   /* increments on every successful open */
};
void engine_status(engine *e, struct engine_status *st);

#endif
