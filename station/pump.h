/* pump: how a session plays and captures one stream — through a duplex device on the calling thread, or through tonewired's engine. */
#ifndef TONEWIRE_PUMP_H
#define TONEWIRE_PUMP_H

#include <stdint.h>

#include "duplex.h"

/* A session never touches a device itself: it hands a pump what to play and
 * where captured frames go. render may run on a real-time thread (it must
 * not allocate, lock or log); sink always runs on the caller's thread. */
struct pump {
	/* Play render's frames and give every captured piece to sink until sink
	 * returns non-zero or max_frames have been captured. Playback frame 0
	 * and capture frame 0 start together. Returns 0; -EPIPE after an xrun
	 * (recovered: ready for another try; *xruns counts it); -ENODEV when the
	 * device is missing or went away; -EBUSY when another program holds it;
	 * or another negative errno. */
	int (*run)(void *self, duplex_render_fn render, void *render_ctx, duplex_capture_fn sink,
	           void *sink_ctx, uint64_t max_frames, unsigned *xruns);
	void *self;
};

/* A pump over an open duplex device: every stream runs on the calling thread. */
struct pump pump_duplex(duplex *d);

/* Run one stream through p (see struct pump). */
int pump_run(const struct pump *p, duplex_render_fn render, void *render_ctx, duplex_capture_fn sink,
             void *sink_ctx, uint64_t max_frames, unsigned *xruns);

#endif
