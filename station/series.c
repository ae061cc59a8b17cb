/* series: the resistance of a cable's conductors read back from the measured gains through the jig's network model. */
#include "series.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "network.h"

#define SERIES_MIN_OHMS 1e-4      /* the search's floor: a measured gain above the model's reads as ~0 */
#define PATH_MIN_GAIN 1e-6        /* a path at all: above -120 dB in the model (a crosstalk path counts) */
#define PATH_MIN_SNR_DB 20.0      /* measured well enough to read: |H| within 10 % */
#define SWEEPS 200                /* sweeps stop once nothing moves by a nano-ohm */

/* |gain| of entry e with conductor c at ohms. -1 when the model fails. */
static double gain_at(const struct fixture *f, struct wiring *w, unsigned c, double ohms, network *net,
                      double *g, unsigned e)
{
	double keep = w->c[c].ohms;
	w->c[c].ohms = ohms;
	int rc = fixture_gains(f, w, net, g);
	w->c[c].ohms = keep;
	return rc < 0 ? -1.0 : fabs(g[e]);
}

/* The path conductor c changes most, relative to its gain, among those
 * measured clearly enough: its index into the gain matrix, and the change
 * per ohm in *rel. A crosstalk path is often the one a shared ground
 * changes most, which is what tells it from the signal conductors. */
static int most_sensitive(const struct fixture *f, struct wiring *w, unsigned c, network *net, const double *g0,
                          double *g1, const struct analysis *an, unsigned n_in, unsigned n_out, double *rel)
{
	double nominal = w->c[c].ohms > 0 ? w->c[c].ohms : WIRING_DEFAULT_OHMS;
	int best = -1;
	*rel = 0;
	if (gain_at(f, w, c, nominal + 1.0, net, g1, 0) < 0)
		return -1;
	for (unsigned i = 0; i < n_in; i++)
		for (unsigned o = 0; o < n_out; o++) {
			unsigned e = i * f->n_outputs + o;
			if (fabs(g0[e]) < PATH_MIN_GAIN || an->h[i][o].snr_db < PATH_MIN_SNR_DB)
				continue;
			double r = fabs(g1[e] - g0[e]) / fabs(g0[e]);
			if (r > *rel) {
				*rel = r;
				best = (int)e;
			}
		}
	return best;
}

/* The resistance of conductor c at which |gain e| equals target: bisection
 * in log(ohms), since a gain moves monotonically with one series element. */
static double solve(const struct fixture *f, struct wiring *w, unsigned c, network *net, double *g, unsigned e,
                    double target)
{
	double lo = log(SERIES_MIN_OHMS), hi = log(SERIES_MAX_OHMS);
	double glo = gain_at(f, w, c, SERIES_MIN_OHMS, net, g, e), ghi = gain_at(f, w, c, SERIES_MAX_OHMS, net, g, e);
	if (glo < 0 || ghi < 0)
		return NAN;
	int falling = ghi < glo;
	if (falling ? target >= glo : target <= glo)
		return 0.0;
	if (falling ? target <= ghi : target >= ghi)
		return SERIES_MAX_OHMS;
	for (int k = 0; k < 40; k++) {
		double mid = 0.5 * (lo + hi), gm = gain_at(f, w, c, exp(mid), net, g, e);
		if (gm < 0)
			return NAN;
		if ((gm > target) == falling)
			lo = mid;
		else
			hi = mid;
	}
	return exp(0.5 * (lo + hi));
}

int series_estimate(const struct fixture *f, const struct wiring *w, const struct analysis *an,
                    double ohms[WIRING_MAX], double *max_ohms)
{
	static const unsigned cap = FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS;
	double g0[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS], g1[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];
	int path[WIRING_MAX];
	struct wiring tw = *w;
	unsigned n_in = f->n_inputs < an->n_inputs ? f->n_inputs : an->n_inputs;
	unsigned n_out = f->n_outputs < an->n_tones ? f->n_outputs : an->n_tones;
	int found = 0;

	*max_ohms = 0;
	if (f->n_inputs * f->n_outputs > cap || !w->n)
		return -ENODATA;
	network *net = network_create();
	if (!net)
		return -ENOMEM;
	if (fixture_gains(f, &tw, net, g0) < 0) {
		network_destroy(net);
		return -ENODATA;
	}
	for (unsigned c = 0; c < tw.n; c++) {
		double rel;
		path[c] = most_sensitive(f, &tw, c, net, g0, g1, an, n_in, n_out, &rel);
		if (rel < SERIES_MIN_SENSITIVITY)
			path[c] = -1;
		found |= path[c] >= 0;
	}
	/* Conductors share paths (a ground return carries both channels), so
	 * each is solved with the others at their latest estimates, sweeping
	 * until nothing moves: a shared conductor's resistance is not counted
	 * again in the ones it is in series with. */
	for (unsigned sweep = 0; found && sweep < SWEEPS; sweep++) {
		double moved = 0;
		for (unsigned c = 0; c < tw.n; c++) {
			if (path[c] < 0)
				continue;
			unsigned e = (unsigned)path[c], i = e / f->n_outputs, o = e % f->n_outputs;
			double r = solve(f, &tw, c, net, g1, e, an->h[i][o].gain);
			if (!isfinite(r))
				continue;
			double was = tw.c[c].ohms > 0 ? tw.c[c].ohms : WIRING_DEFAULT_OHMS;
			moved = fabs(r - was) > moved ? fabs(r - was) : moved;
			tw.c[c].ohms = r > SERIES_MIN_OHMS ? r : SERIES_MIN_OHMS;
		}
		if (moved < 1e-9)
			break;
	}
	for (unsigned c = 0; c < tw.n; c++) {
		ohms[c] = path[c] >= 0 ? (tw.c[c].ohms > SERIES_MIN_OHMS ? tw.c[c].ohms : 0.0) : NAN;
		if (path[c] >= 0 && ohms[c] > *max_ohms)
			*max_ohms = ohms[c];
	}
	network_destroy(net);
	return found ? 0 : -ENODATA;
}
