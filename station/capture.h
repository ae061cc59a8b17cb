/* capture: the raw capture of a failed test as WAV, with the stimulus plan beside it as JSON. */
#ifndef TONEWIRE_CAPTURE_H
#define TONEWIRE_CAPTURE_H

#include <jansson.h>

#include "fixture.h"
#include "measure.h"

#define CAPTURE_ERR_MAX 256

/* Everything needed to analyse the capture again without the daemon: rate,
 * window, every tone (bin, frequency, amplitude, phase), the probe, the seed
 * that renders it, the timeline, jig, cable, input/output names and the
 * latency measured. A new reference. */
json_t *capture_plan_json(const measure *m, const struct fixture *f, const char *jig,
                          const char *cable, const char *device, const struct measurement *ms);

/* Write frames (interleaved float, channels wide) as a 32-bit float WAV at
 * wav_path and plan as JSON at json_path, each through a temporary file and
 * rename, so a reader never sees half a file. 0 or -errno with err set. */
int capture_write(const char *wav_path, const char *json_path, const float *frames,
                  unsigned n_frames, unsigned channels, unsigned rate, const json_t *plan,
                  char err[CAPTURE_ERR_MAX]);

#endif
