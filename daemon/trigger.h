/* trigger: hands-free testing — a quiet pilot on the jig tells when a cable goes in (fully) and comes out. */
#ifndef TONEWIRE_TRIGGER_H
#define TONEWIRE_TRIGGER_H

#include <jansson.h>
#include <stddef.h>

#include "events.h"
#include "fixture.h"
#include "toneplan.h"

#define TRIGGER_SERIAL_MAX 64
#define TRIGGER_DEBOUNCE_DEFAULT_MS 300

/* What [station] says: set only when trigger = auto. */
struct trigger_cfg {
	const char *cable;            /* the cable the pilot expects; copied by the runner */
	unsigned debounce_ms;         /* a state must hold this long before it counts */
};

typedef struct trigger trigger;

struct trigger_setup {
	const struct toneplan *plan;  /* the test's plan: its rate and outputs (copied) */
	const struct fixture *fx;     /* copied: names of contacts */
	const double *expected;       /* gains of the good cable, [n_inputs * n_outputs] (copied) */
	unsigned debounce_ms;
	events *events;               /* may be NULL */
};

/* A trigger, armed. Its pilot has its own tone plan (shorter windows, so a
 * bouncing contact is seen as bouncing) at a level no one mistakes for a
 * test. NULL on failure (no tones fit, out of memory). */
trigger *trigger_create(const struct trigger_setup *s);
void trigger_destroy(trigger *t);   /* accepts NULL */

/* The pilot's duplex_render_fn: audio thread, no allocation, no lock. */
void trigger_render(void *t, float *out, unsigned frames);

/* A pilot stream starts: forget the partial window and any state that was
 * only beginning to hold. */
void trigger_begin(trigger *t);

/* Captured pilot frames (interleaved inputs), on the analysis side. Returns
 * 1 when a cable has been fully in for the debounce time and a test should
 * run now, else 0. */
int trigger_feed(trigger *t, const float *capture, unsigned frames);

/* A test started (from the trigger or not), and one ended: the next thing
 * to wait for is the cable coming out. */
void trigger_testing(trigger *t);
void trigger_tested(trigger *t);

/* The serial for the next triggered test (NULL or "" clears it): -EINVAL
 * when longer than TRIGGER_SERIAL_MAX. trigger_take_serial copies it into
 * buf and clears it: 1 when there was one, 0 when none. */
int trigger_set_serial(trigger *t, const char *serial);
int trigger_take_serial(trigger *t, char *buf, size_t len);

/* Add "trigger_state", "present", "missing" and "trigger_serial" to a
 * status object. Any thread. */
void trigger_status(trigger *t, json_t *status);

#endif
