/* session_learn_priv: what the learn session's two files share — the step against a kept first sample, and its words (not for other modules). */
#ifndef TONEWIRE_SESSION_LEARN_PRIV_H
#define TONEWIRE_SESSION_LEARN_PRIV_H

#include "session.h"

/* One step with the new sample smp on station sc: keep it as the first
 * sample of rq->name, or compare it with the first (read into scratch) and
 * write the profile when they agree. *learn gets the step's "learn" object
 * (a new reference; its "faults", when present, are the result's). Returns
 * the verdict of the step. */
enum verdict learn_step(const struct learn_request *rq, const struct station_cable *sc, const char *device,
                        const struct learn_sample *smp, struct learn_sample *scratch, json_t **learn);

/* The "learn" object of a sample that cannot be learned (why: the reason),
 * with one unrecognized_wiring fault saying so. A new reference. */
json_t *learn_json_refused(const struct learn_request *rq, const char *why);

#endif
