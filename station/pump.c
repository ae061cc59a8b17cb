/* pump: the duplex pump, and the one entry point every session streams through. */
#include "pump.h"

static int duplex_pump_run(void *self, duplex_render_fn render, void *render_ctx, duplex_capture_fn sink,
                           void *sink_ctx, uint64_t max_frames, unsigned *xruns)
{
	unsigned n = 0;
	int e = duplex_run(self, render, render_ctx, sink, sink_ctx, max_frames, &n);
	if (xruns)
		*xruns += n;
	return e;
}

struct pump pump_duplex(duplex *d)
{
	struct pump p = { .run = duplex_pump_run, .self = d };
	return p;
}

int pump_run(const struct pump *p, duplex_render_fn render, void *render_ctx, duplex_capture_fn sink,
             void *sink_ctx, uint64_t max_frames, unsigned *xruns)
{
	return p->run(p->self, render, render_ctx, sink, sink_ctx, max_frames, xruns);
}
