/* capture: the raw capture of a failed test as WAV, with the stimulus plan beside it as JSON. */
#ifndef TONEWIRE_CAPTURE_H
#define TONEWIRE_CAPTURE_H

#include <jansson.h>

#include "fixture.h"
#include "measure.h"

#define CAPTURE_ERR_MAX 512

/* The most a plan may ask for before anything is allocated: a capture is
 * windows of at most 2^20 frames, 2^22 frames of them in all (~1.5 min at
 * 48 kHz; a measurement stops at one second), after a probe of at most
 * 2^20, read back from a file of unknown origin (a plan with "windows":
 * 1e9 must not allocate 46 GB first). */
#define CAPTURE_MAX_WINDOW (1u << 20)
#define CAPTURE_MAX_WINDOWS 4096
#define CAPTURE_MAX_SPAN (1u << 22)
#define CAPTURE_MAX_PROBE (1u << 20)
#define CAPTURE_MAX_FRAMES 100000000u

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

/* Remove what an interrupted capture_write left in dir (its "*.tmp" files:
 * a capture is only ever renamed into place whole). Returns how many were
 * removed, or -errno when dir cannot be read. */
int capture_clean_dir(const char *dir);

/* The plan file kept beside a capture: "x.wav" gives "x.json", anything
 * else gets ".json" appended. -ENAMETOOLONG when it does not fit. */
int capture_plan_path(const char *wav_path, char *plan_path, size_t len);

/* The capture of measurement ms, made with m's plan, as WAV at wav_path and
 * its plan beside it (capture_plan_path). 0 or -errno with err set. */
int capture_save(const char *wav_path, const measure *m, const struct fixture *f, const char *jig,
                 const char *cable, const char *device, const struct measurement *ms,
                 char err[CAPTURE_ERR_MAX]);

/* A stimulus plan read back from its JSON file: format tonewire-capture/2
 * (a timeline chosen per test), or /1 (the fixed plan of earlier
 * versions, whose files list the same timeline keys). */
struct capture_plan {
	unsigned rate, window, windows, max_latency, seed, n_out, n_in;
	unsigned probe, fade, settle;
	char jig[256], cable[256];
	json_t *root;                   /* the whole file (owned: capture_plan_free) */
};

/* Read and check a plan: format, every number in range before anything is
 * sized from it. 0, or -EINVAL/-ENOENT with err naming the file and field. */
int capture_plan_read(const char *path, struct capture_plan *p, char err[CAPTURE_ERR_MAX]);
/* Free what capture_plan_read kept; accepts a zeroed plan. */
void capture_plan_free(struct capture_plan *p);

/* The measure_cfg that re-makes the plan's stimulus. */
struct measure_cfg capture_plan_measure_cfg(const struct capture_plan *p);

/* Check that m plays exactly the tones the plan lists (the same version of
 * the tone planner). 0 or -EINVAL with err. */
int capture_plan_check(const struct capture_plan *p, const measure *m, const char *path,
                       char err[CAPTURE_ERR_MAX]);

/* Read a capture WAV made with plan p: its channels and rate must be the
 * plan's. A new buffer of *frames interleaved frames (free()), or NULL
 * with err set. */
float *capture_wav_read(const char *path, const struct capture_plan *p, unsigned *frames,
                        char err[CAPTURE_ERR_MAX]);

#endif
