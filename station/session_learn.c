/* session_learn: learn a cable from samples — what a per-contact jig measures becomes a wire list with resistances, kept until a second sample agrees, then a cable profile. */
#include "session.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "session_learn_priv.h"

/* A far contact belongs to a near contact's conductor when at least 5 % of
 * a straight wire's gain arrives: a 10 kΩ input behind up to ~190 kΩ, or
 * one of up to 8 near contacts joined (each then drives 1/8). Below it sits
 * crosstalk of a good jig (< -60 dB) and the noise (a tone is ~40 dB above
 * it at worst in the tests). */
#define LINK_GAIN 0.05
/* The series resistance searched for a conductor, ohms: 0 up to where it
 * would no longer count as linked (see LINK_GAIN). */
#define FIT_MAX_OHMS 1e7
#define FIT_STEPS 60          /* bisections in log(R): 1e-7 relative */
#define FIT_PASSES 3          /* Gauss-Seidel over the conductors of joined nets */

/* Add one reason to why (at most 4 are kept; *more counts the rest). */
__attribute__((format(printf, 5, 6)))
static void reason(char *why, size_t len, unsigned *n, unsigned *more, const char *fmt, ...)
{
	size_t at = strlen(why);
	va_list ap;
	if (*n == 4) {
		(*more)++;
		return;
	}
	snprintf(why + at, len - at, "%s", *n ? ", " : "");
	at = strlen(why);
	va_start(ap, fmt);
	vsnprintf(why + at, len - at, fmt, ap);
	va_end(ap);
	(*n)++;
}

/* Why fixture f cannot show every conductor on its own ("" when it can):
 * what mixes conductors first (ties, loads, differential inputs), then the
 * contacts left out. */
static void blind_spots(const struct fixture *f, char *why, size_t len)
{
	unsigned n = 0, more = 0;
	why[0] = '\0';
	for (unsigned t = 0; t < f->n_ties; t++)
		reason(why, len, &n, &more, "%s is tied to ground", f->contact[f->tie[t]].name);
	for (unsigned l = 0; l < f->n_loads; l++)
		reason(why, len, &n, &more, "a load joins %s and %s", f->contact[f->load[l].a].name,
		       f->load[l].b >= 0 ? f->contact[f->load[l].b].name : "ground");
	for (unsigned k = 0; k < f->n_inputs; k++)
		if (f->input_neg[k] >= 0)
			reason(why, len, &n, &more, "%s is sensed against %s, not on its own", f->contact[f->input_pos[k]].name,
			       f->contact[f->input_neg[k]].name);
	for (unsigned i = 0; i < f->n_contacts; i++) {
		int seen = 0;
		for (unsigned o = 0; o < f->n_outputs && f->contact[i].end == 0; o++)
			seen |= f->output[o] == (int)i;
		for (unsigned k = 0; k < f->n_inputs && f->contact[i].end == 1; k++)
			seen |= f->input_pos[k] == (int)i || f->input_neg[k] == (int)i;
		if (!seen)
			reason(why, len, &n, &more, "%s is %s", f->contact[i].name,
			       f->contact[i].end == 0 ? "not driven by an output" : "not sensed by an input");
	}
	if (more) {
		size_t at = strlen(why);
		snprintf(why + at, len - at, " and %u more", more);
	}
}

int learn_station(const struct profiles *p, const struct tw_jig *jig, const char *end_a, const char *end_b,
                  struct station_cable *sc, char err[LEARN_ERR_MAX])
{
	char why[300];
	int e;

	memset(sc, 0, sizeof(*sc));
	sc->jig = *jig;
	snprintf(sc->cable.name, sizeof(sc->cable.name), "learning");
	if ((e = profiles_end_parse(p, end_a, NULL, &sc->cable.a, err)) < 0 ||
	    (e = profiles_end_parse(p, end_b, NULL, &sc->cable.b, err)) < 0)
		return e == -ENOENT ? -ENOENT : -EINVAL;
	classify_limits_default(&sc->cable.limits);
	blind_spots(&jig->fixture, why, sizeof(why));
	if (why[0]) {
		snprintf(err, LEARN_ERR_MAX, "jig '%s' cannot learn a cable: it does not see every conductor on its own "
		         "(%.200s); learning needs a per-contact jig: every socket A contact driven, every socket B contact "
		         "sensed single-ended, no ties, no loads", jig->name, why);
		return -EINVAL;
	}
	return profiles_fixture(&sc->jig, &sc->cable, &sc->fx, NULL, err) < 0 ? -EINVAL : 0;
}

/* ---- from a measurement to conductors ---- */

static int output_of(const struct fixture *f, int contact)
{
	for (unsigned o = 0; o < f->n_outputs; o++)
		if (f->output[o] == contact)
			return (int)o;
	return -1;
}

static int input_of(const struct fixture *f, int contact)
{
	for (unsigned k = 0; k < f->n_inputs; k++)
		if (f->input_pos[k] == contact && f->input_neg[k] < 0)
			return (int)k;
	return -1;
}

static int find(int *parent, int x)
{
	while (parent[x] != x)
		x = parent[x] = parent[parent[x]];
	return x;
}

/* The nets the links make, as conductors: a net of near contacts NA and far
 * contacts NB is NA x NB by its links; written as a star from its first near
 * contact to every far one, and from every other near contact to its first
 * far one (what one solder joint per net would be). */
static int nets(const struct fixture *f, const double *g, struct learn_sample *out, char err[LEARN_ERR_MAX])
{
	int parent[FIXTURE_MAX_CONTACTS];
	unsigned no = f->n_outputs, ni = f->n_inputs;

	for (unsigned i = 0; i < f->n_contacts; i++)
		parent[i] = (int)i;
	for (unsigned k = 0; k < ni; k++)
		for (unsigned o = 0; o < no; o++)
			if (g[k * no + o] > LINK_GAIN)
				parent[find(parent, f->output[o])] = find(parent, f->input_pos[k]);
	out->n = 0;
	for (unsigned o = 0; o < no; o++) {
		int a = f->output[o], root = find(parent, a), first_a = -1, first_b = -1;
		for (unsigned q = 0; q < no && first_a < 0; q++)
			if (find(parent, f->output[q]) == root)
				first_a = f->output[q];
		for (unsigned k = 0; k < ni && first_b < 0; k++)
			if (find(parent, f->input_pos[k]) == root)
				first_b = f->input_pos[k];
		if (first_b < 0)
			continue;   /* reaches no far contact: nothing to learn of it */
		for (unsigned k = 0; k < ni; k++) {
			int b = f->input_pos[k];
			if (find(parent, b) != root)
				continue;
			if (!(g[k * no + o] > LINK_GAIN)) {
				snprintf(err, LEARN_ERR_MAX, "the sample is not plain conductors: %s and %s are joined "
				         "through other contacts but %s does not reach %s (a resistor, or a partial short?)",
				         f->contact[a].name, f->contact[b].name, f->contact[a].name, f->contact[b].name);
				return -EINVAL;
			}
			if ((a == first_a || b == first_b) && out->n < WIRING_MAX)
				out->w[out->n++] = (struct learn_wire){ .a = a, .b = b, .gain = g[k * no + o] };
		}
	}
	return 0;
}

/* The model's gain of conductor i (its output to its input) with every
 * conductor at its fitted resistance. */
static double model_gain(const struct fixture *f, const struct learn_sample *s, unsigned i, double ohms,
                         network *net, double *gains)
{
	struct wiring w = { .n = s->n };
	for (unsigned k = 0; k < s->n; k++)
		w.c[k] = (struct conductor){ s->w[k].a, s->w[k].b, k == i ? ohms : s->w[k].ohms };
	/* ohms must be > 0 for the solver: 1 µΩ stands for a perfect wire. */
	for (unsigned k = 0; k < w.n; k++)
		if (w.c[k].ohms < 1e-6)
			w.c[k].ohms = 1e-6;
	if (fixture_gains(f, &w, net, gains) < 0)
		return NAN;
	return gains[input_of(f, s->w[i].b) * f->n_outputs + output_of(f, s->w[i].a)];
}

/* Series resistance of each conductor: where the model's gain meets the
 * measured one (it falls as R grows), by bisection in log R. */
static void fit(const struct fixture *f, struct learn_sample *s, network *net, double *gains)
{
	for (unsigned pass = 0; pass < FIT_PASSES; pass++)
		for (unsigned i = 0; i < s->n; i++) {
			double want = s->w[i].gain;
			if (model_gain(f, s, i, 0.0, net, gains) <= want) {
				s->w[i].ohms = 0.0;
				continue;
			}
			double lo = log(1e-3), hi = log(FIT_MAX_OHMS);
			for (unsigned step = 0; step < FIT_STEPS; step++) {
				double mid = 0.5 * (lo + hi);
				if (model_gain(f, s, i, exp(mid), net, gains) > want)
					lo = mid;
				else
					hi = mid;
			}
			s->w[i].ohms = exp(0.5 * (lo + hi));
		}
}

int learn_sample_of(const struct fixture *f, const struct analysis *an, double model_tol,
                    struct learn_sample *out, char err[LEARN_ERR_MAX])
{
	double g[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS], gains[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];
	unsigned no = f->n_outputs, ni = f->n_inputs;
	int e;

	memset(out, 0, sizeof(*out));
	if (an->n_inputs < ni || an->n_tones < no) {
		snprintf(err, LEARN_ERR_MAX, "the measurement has %u inputs and %u tones; the jig needs %u and %u",
		         an->n_inputs, an->n_tones, ni, no);
		return -EINVAL;
	}
	for (unsigned k = 0; k < ni; k++)
		for (unsigned o = 0; o < no; o++) {
			g[k * no + o] = an->h[k][o].re;
			/* A plain conductor into a single-ended input never turns a tone over. */
			if (an->h[k][o].re < -LINK_GAIN) {
				snprintf(err, LEARN_ERR_MAX, "%s reads the tone of %s inverted (%.2f): no cable of plain "
				         "conductors does that on a per-contact jig; is the jig file right for this fixture?",
				         f->contact[f->input_pos[k]].name, f->contact[f->output[o]].name, an->h[k][o].re);
				return -EINVAL;
			}
		}
	if ((e = nets(f, g, out, err)) < 0)
		return e;
	if (out->n == 0) {
		snprintf(err, LEARN_ERR_MAX, "no tone reached any far-end contact: is a sample in the jig?");
		return -ENODATA;
	}
	network *net = network_create();
	if (!net) {
		snprintf(err, LEARN_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	fit(f, out, net, gains);
	/* How finely the gain pins R down: its slope at the fit, against the
	 * tone's own noise and against the model tolerance. */
	for (unsigned i = 0; i < out->n; i++) {
		struct learn_wire *w = &out->w[i];
		const struct tone_result *t = &an->h[input_of(f, w->b)][output_of(f, w->a)];
		double d = fmax(1.0, 0.01 * w->ohms);
		double slope = (model_gain(f, out, i, w->ohms, net, gains) -
		                model_gain(f, out, i, w->ohms + d, net, gains)) / d;
		/* snr_db is the tone against the rms of the complex noise in its bin;
		 * the fit reads the real part, which carries half that power. */
		double noise = fabs(w->gain) * pow(10.0, -fmax(t->snr_db, 0.0) / 20.0) * M_SQRT1_2;
		w->sigma = slope > 0 ? noise / slope : INFINITY;
		w->model_sigma = slope > 0 ? model_tol * fabs(w->gain) / slope : INFINITY;
		w->level_db = 20.0 * log10(model_gain(f, out, i, w->ohms, net, gains) /
		                           model_gain(f, out, i, WIRING_DEFAULT_OHMS, net, gains));
	}
	network_destroy(net);
	return 0;
}

/* ---- one step ---- */

/* The result of a step: the measurement's result object with the learned
 * wiring in "wiring" and the step in "learn". */
static json_t *step_result(const struct session *s, const struct measurement *m, const struct learn_request *rq,
                           const struct learn_sample *smp, enum verdict v, json_t *learn)
{
	const struct fixture *f = &s->sc->fx;
	struct classification *cl = calloc(1, sizeof(*cl));
	struct result_meta meta = s->meta;
	json_t *res = NULL;

	if (!cl) {
		json_decref(learn);
		return NULL;
	}
	cl->verdict = v;
	cl->runner_up = INFINITY;
	for (unsigned i = 0; smp && i < smp->n; i++) {
		struct reach *r = NULL;
		for (unsigned k = 0; k < cl->n_reach && !r; k++)
			if (cl->reach[k].from == smp->w[i].a)
				r = &cl->reach[k];
		if (!r) {
			r = &cl->reach[cl->n_reach++];
			r->from = smp->w[i].a;
		}
		if (r->n_to < CLASSIFY_MAX_REACH) {
			r->to[r->n_to] = smp->w[i].b;
			r->gain[r->n_to++] = smp->w[i].gain;
		}
	}
	meta.kind = "learn";
	meta.cable = rq->name;
	meta.jig = s->sc->jig.name;
	meta.total_ms = clock_now_ms() - s->t0;
	res = result_json(&meta, f, cl, m);
	free(cl);
	if (!res) {
		json_decref(learn);
		return NULL;
	}
	/* What made the step fail (the samples' differences, why a sample is
	 * not plain conductors) is its faults. */
	if (json_array_size(json_object_get(learn, "faults")))
		json_object_set(res, "faults", json_object_get(learn, "faults"));
	json_object_del(learn, "faults");
	json_object_set_new(res, "learn", learn);
	return res;
}

/* A station error of a learn step, its "kind" and cable the step's. */
static json_t *learn_error(const struct session *s, const struct learn_request *rq, int errnum, const char *msg)
{
	struct session es = *s;
	es.meta.kind = "learn";
	es.meta.cable = rq->name;
	return session_error(&es, errnum, msg);
}

json_t *session_learn(const struct session *s, const struct pump *p, const struct learn_request *rq)
{
	const struct fixture *f = &s->sc->fx;
	struct learn_sample *smp = calloc(2, sizeof(*smp));
	struct measurement m;
	char err[LEARN_ERR_MAX];
	json_t *res = NULL;
	int e;

	if (!smp)
		return NULL;
	if ((e = measure_run(s->ms, p, &m)) < 0) {
		res = learn_error(s, rq, e, NULL);
		goto out;
	}
	if (s->measured)
		s->measured(s->ctx, &m);
	struct measurement mc = m;
	long long cal = calibration_apply(s->cal, &mc.an);
	double tol = cal ? CALIBRATION_TOLERANCE : CLASSIFY_MODEL_TOLERANCE;
	if ((e = learn_sample_of(f, &mc.an, tol, &smp[1], err)) < 0) {
		if (e == -ENODATA) {
			res = learn_error(s, rq, e, err);
			goto out;
		}
		res = step_result(s, &m, rq, NULL, VERDICT_FAIL, learn_json_refused(rq, err));
		goto out;
	}
	json_t *learn = NULL;
	enum verdict v = learn_step(rq, s->sc, s->meta.device, &smp[1], &smp[0], &learn);
	if (v == VERDICT_ERROR) {
		/* Its file could not be kept or written: the station's failure. */
		if ((res = learn_error(s, rq, -EIO, json_string_value(json_object_get(learn, "error")))))
			json_object_set_new(res, "learn", learn);
		else
			json_decref(learn);
		goto out;
	}
	res = step_result(s, &m, rq, &smp[1], v, learn);
out:
	free(smp);
	return res;
}
