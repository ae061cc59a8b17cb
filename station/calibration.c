/* calibration: reads, applies and makes the golden reference of a jig. */
#include "calibration.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "station.h"

static const char *sget(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

int calibration_from_json(struct calibration *out, const json_t *row, const struct fixture *f)
{
	const json_t *corr = json_object_get(row, "corrections");
	const json_t *g = json_object_get(corr, "gain_db"), *ph = json_object_get(corr, "phase_deg");
	struct calibration c;

	memset(&c, 0, sizeof(c));
	if (f->n_inputs > ANALYZER_MAX_INPUTS || f->n_outputs > TONEPLAN_MAX_TONES ||
	    json_array_size(g) != f->n_inputs || json_array_size(ph) != f->n_inputs)
		return -EINVAL;
	for (unsigned j = 0; j < f->n_inputs; j++) {
		const json_t *gr = json_array_get(g, j), *pr = json_array_get(ph, j);
		if (json_array_size(gr) != f->n_outputs || json_array_size(pr) != f->n_outputs)
			return -EINVAL;
		for (unsigned k = 0; k < f->n_outputs; k++) {
			const json_t *gv = json_array_get(gr, k), *pv = json_array_get(pr, k);
			if (!json_is_number(gv) || !json_is_number(pv))
				continue;   /* null: a path the golden cable does not carry */
			c.known[j][k] = 1;
			c.c[j][k] = pow(10.0, json_number_value(gv) / 20.0) *
			            cexp(I * json_number_value(pv) * M_PI / 180.0);
		}
	}
	c.id = json_integer_value(json_object_get(row, "id"));
	snprintf(c.cable, sizeof(c.cable), "%s", sget(row, "cable"));
	snprintf(c.created_at, sizeof(c.created_at), "%s", sget(row, "created_at"));
	*out = c;
	return 0;
}

/* The correction of path (j, k). A path with no reference of its own
 * (crosstalk, ideally 0) still passes through the same input and output
 * stages: an interface's gain error is a product of one per input and one
 * per output. The geometric mean of its row's and its column's corrections
 * is exact when the error sits on one side or is common to all, and close
 * otherwise; without it, an uncorrected 0.5 dB on a -40 dB leak would read
 * as a fault once the model is trusted to 0.5 %. 0 when nothing is known. */
static double complex correction(const struct calibration *c, const double complex *row, const unsigned *nrow,
                                 const double complex *col, const unsigned *ncol, double complex all,
                                 unsigned nall, unsigned j, unsigned k)
{
	if (c->known[j][k])
		return c->c[j][k];
	if (nrow[j] && ncol[k])
		return cexp(0.5 * (row[j] / nrow[j] + col[k] / ncol[k]));
	if (nall)
		return cexp(all / nall);
	return 0;
}

long long calibration_apply(const struct calibration *c, struct analysis *an)
{
	double complex row[ANALYZER_MAX_INPUTS] = { 0 }, col[TONEPLAN_MAX_TONES] = { 0 }, all = 0;
	unsigned nrow[ANALYZER_MAX_INPUTS] = { 0 }, ncol[TONEPLAN_MAX_TONES] = { 0 }, nall = 0;
	unsigned n_in = an->n_inputs < ANALYZER_MAX_INPUTS ? an->n_inputs : ANALYZER_MAX_INPUTS;
	unsigned n_t = an->n_tones < TONEPLAN_MAX_TONES ? an->n_tones : TONEPLAN_MAX_TONES;

	if (!c || !c->id)
		return 0;
	for (unsigned j = 0; j < n_in; j++)
		for (unsigned k = 0; k < n_t; k++)
			if (c->known[j][k]) {
				double complex l = clog(c->c[j][k]);
				row[j] += l, nrow[j]++;
				col[k] += l, ncol[k]++;
				all += l, nall++;
			}
	for (unsigned j = 0; j < n_in; j++) {
		for (unsigned k = 0; k < n_t; k++) {
			double complex corr = correction(c, row, nrow, col, ncol, all, nall, j, k);
			if (corr == 0)
				continue;
			struct tone_result *t = &an->h[j][k];
			double complex h = (t->re + I * t->im) / corr;
			double shift_db = 20.0 * log10(cabs(corr));
			t->re = creal(h);
			t->im = cimag(h);
			t->gain = cabs(h);
			t->gain_db = t->gain > 0 ? 20.0 * log10(t->gain) : -400.0;
			t->phase_deg = carg(h) * 180.0 / M_PI;
			if (t->phase_deg <= -180.0)
				t->phase_deg += 360.0;
			/* Both move together: the SNR is what it was. */
			t->level_dbfs -= shift_db;
			t->noise_dbfs -= shift_db;
		}
	}
	return c->id;
}

/* A golden sample's level may be off the way an interface is off and a
 * cable is not: every channel by the same amount (within 0.2 dB: a gain
 * stage, not one conductor) and by no more than the golden tolerance. */
#define GOLDEN_COMMON_DB 0.2

int calibration_golden_ok(const struct classification *cl)
{
	if (cl->verdict == VERDICT_PASS)
		return 1;
	if (cl->verdict == VERDICT_ERROR)
		return cl->n_faults == 1 && cl->fault[0].code == FAULT_LOW_SNR &&
		       (cl->fault[0].flags & FAULT_FLAG_MODEL_LIMITED);
	if (!cl->n_channels)
		return 0;
	for (unsigned i = 0; i < cl->n_faults; i++)
		if (cl->fault[i].code != FAULT_HIGH_RESISTANCE)
			return 0;
	double lo = cl->channel[0].level_db, hi = lo;
	for (unsigned i = 0; i < cl->n_channels; i++) {
		double l = cl->channel[i].level_db;
		lo = l < lo ? l : lo;
		hi = l > hi ? l : hi;
		if (cl->channel[i].inverted)
			return 0;
	}
	double limit_db = 20.0 * log10(1.0 + CALIBRATION_GOLDEN_TOLERANCE);
	return hi - lo <= GOLDEN_COMMON_DB && fabs(lo) <= limit_db && fabs(hi) <= limit_db;
}

/* A path carries the signal of a good cable when its ideal gain is at least
 * a tenth of the strongest one (-20 dB): crosstalk paths (ideally 0) and
 * tiny divider leaks have no reference worth dividing by. */
#define CALIB_MIN_REL_GAIN 0.1

json_t *calibration_corrections(const struct fixture *f, const struct toneplan *plan, const double *e,
                                const struct measurement *m, double min_snr_db)
{
	json_t *corr = json_object(), *ins = json_array(), *outs = json_array(), *freqs = json_array();
	json_t *g = json_array(), *ph = json_array();
	double emax = 0;

	for (unsigned x = 0; e && x < f->n_inputs * f->n_outputs; x++)
		if (fabs(e[x]) > emax)
			emax = fabs(e[x]);
	for (unsigned j = 0; j < f->n_inputs; j++) {
		char name[2 * FIXTURE_NAME_MAX + 4];
		station_input_name(f, j, name, sizeof(name));
		json_array_append_new(ins, json_string(name));
	}
	for (unsigned k = 0; k < f->n_outputs; k++) {
		json_array_append_new(outs, json_string(f->contact[f->output[k]].name));
		json_array_append_new(freqs, json_real(plan->freq_hz[k]));
	}
	for (unsigned j = 0; j < f->n_inputs; j++) {
		json_t *gr = json_array(), *pr = json_array();
		for (unsigned k = 0; k < f->n_outputs; k++) {
			double ideal = e ? e[j * f->n_outputs + k] : 0;
			const struct tone_result *t = &m->an.h[j][k];
			if (emax <= 0 || fabs(ideal) < CALIB_MIN_REL_GAIN * emax || t->snr_db < min_snr_db) {
				json_array_append_new(gr, json_null());
				json_array_append_new(pr, json_null());
				continue;
			}
			double complex c = (t->re + I * t->im) / ideal;
			json_array_append_new(gr, json_real(round(20.0 * log10(cabs(c)) * 1e5) / 1e5));
			json_array_append_new(pr, json_real(round(carg(c) * 180.0 / M_PI * 1e4) / 1e4));
		}
		json_array_append_new(g, gr);
		json_array_append_new(ph, pr);
	}
	json_object_set_new(corr, "inputs", ins);
	json_object_set_new(corr, "outputs", outs);
	json_object_set_new(corr, "freq_hz", freqs);
	json_object_set_new(corr, "rate", json_integer(plan->rate));
	json_object_set_new(corr, "gain_db", g);
	json_object_set_new(corr, "phase_deg", ph);
	return corr;
}
