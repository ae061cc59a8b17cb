/* runner_pilot: hands-free testing — the trigger's quiet pilot while the station is idle, and the test it starts. */
#include "runner_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pilot {
	runner *r;
	int fire;
};

/* Analysed here, never on the audio thread. Non-zero ends the stream: a
 * cable has been fully in for the debounce time, or someone needs the
 * device. */
static int pilot_sink(void *ctx, const float *in, unsigned frames)
{
	struct pilot *p = ctx;
	if (atomic_load(&p->r->pilot_yield))
		return 1;
	if (trigger_feed(p->r->trig, in, frames)) {
		p->fire = 1;
		return 1;
	}
	return 0;
}

int runner_pilot(runner *r)
{
	struct pilot p = { .r = r };
	trigger_begin(r->trig);
	engine_stream(r->cfg.engine, trigger_render, r->trig, pilot_sink, &p, UINT64_MAX, NULL);
	return p.fire;
}

int runner_trigger_setup(runner *r, const struct trigger_cfg *tc, char err[RUNNER_ERR_MAX])
{
	struct station_cable *sc = calloc(1, sizeof(*sc));
	char perr[PROFILE_ERR_MAX];
	classifier *c = NULL;
	int rc = -EINVAL;

	if (!sc) {
		snprintf(err, RUNNER_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	if (!tc->cable || !tc->cable[0]) {
		snprintf(err, RUNNER_ERR_MAX, "[station] trigger = auto needs a cable to expect ([station] cable)");
		goto out;
	}
	if (station_cable_fit(r->cfg.profiles, &r->jig, tc->cable, sc, perr) < 0) {
		snprintf(err, RUNNER_ERR_MAX, "trigger: %.240s", perr);
		goto out;
	}
	c = classifier_create(&sc->fx, &sc->expected, &sc->cable.limits);
	struct trigger_setup ts = { .plan = measure_plan(r->ms), .fx = &sc->fx,
	                            .expected = c ? classifier_expected(c) : NULL,
	                            .debounce_ms = tc->debounce_ms, .events = r->cfg.events };
	if (!c || !(r->trig = trigger_create(&ts))) {
		snprintf(err, RUNNER_ERR_MAX, "cannot set up the trigger's pilot for cable '%s' on jig '%s'",
		         sc->cable.name, r->jig.name);
		goto out;
	}
	snprintf(r->trig_cable, sizeof(r->trig_cable), "%s", tc->cable);
	rc = 0;
out:
	classifier_destroy(c);
	free(sc);
	return rc;
}
