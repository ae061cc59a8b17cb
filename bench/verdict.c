/* bench/verdict: trigger-to-verdict time per cable family on the simulated jig at real-time pace, the adaptive plan against the old fixed one, the plan's floor and the physical floor; and levels and phases against clock drift. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "duplex.h"
#include "session.h"

#define MAX_RUNS 1000
#define DEFAULT_RUNS 50
/* The simulator's default round trip is drawn from 64..512 frames on every
 * open (docs/formats.md, scenarios); the bench draws its own in that range so the floor can
 * use the exact value. */
#define LAT_MIN 64
#define LAT_MAX 512
/* A quiet but real interface: the tones stay ~70 dB above it. */
#define NOISE_DBFS -90
/* The SNR margin the measurement adds to the cable's limit (measure.c):
 * the physical floor is held to the same target. */
#define SNR_MARGIN_DB 20.0
/* Drift rows: runs per clock offset, and the offsets (issue 12: ±200 ppm
 * between a separate DAC and ADC). */
#define DRIFT_RUNS 5
static const double drift_ppms[] = { 0.0, 50.0, -50.0, 200.0, -200.0 };
#define N_DRIFT (sizeof(drift_ppms) / sizeof(drift_ppms[0]))

struct family {
	const char *key, *label, *jig, *cable;
};

static const struct family families[] = {
	{ "trs", "TRS 3.5 mm (stereo jig)", "stereo-trs", "trs-3.5-extension" },
	{ "trrs", "TRRS 3.5 mm (per contact)", "trrs-4ch", "trrs-ctia-extension" },
	{ "balanced44", "4.4 mm balanced (5 contacts)", "trrrs-5ch", "trrrs-4.4-extension" },
	{ "iem", "IEM 2-pin (stereo jig)", "stereo-iem-2pin", "trs-3.5-to-2pin-iem" },
};
#define N_FAMILIES (sizeof(families) / sizeof(families[0]))
#define HEADLINE 2   /* the 5-contact cable */

static const unsigned rates[] = { 48000, 96000 };
#define N_RATES (sizeof(rates) / sizeof(rates[0]))

enum plan_kind { PLAN_ADAPTIVE, PLAN_FIXED };

struct figures {
	double median, p95, min, max;
	double plan_floor_ms, phys_floor_ms;  /* medians over the runs */
	double acquire_median, analyze_median, classify_median, snr_median;
	unsigned runs, wrong, errors, xruns;
	unsigned window, probe, windows;      /* the plan of the median run */
	int ok;
};

struct row {
	unsigned latency, n_outputs, n_inputs, min_window;
	struct figures now, old;
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of n sorted values. */
static double percentile(const double *sorted, unsigned n, double p)
{
	unsigned k = (unsigned)ceil(p / 100.0 * n);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return sorted[k - 1];
}

static double median_of(double *v, unsigned n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* A scenario with the good cable of this family: its expected conductors,
 * a fixed round trip, -90 dBFS of noise, a capture clock drift_ppm off. */
static int write_scenario(const char *path, const struct family *fam, unsigned rate, unsigned round_trip,
                          const struct fixture *fx, const struct wiring *w, double drift_ppm, int fast)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "; written by bench/verdict\n[scenario]\njig = %s\nrate = %u\n\n", fam->jig, rate);
	fprintf(f, "[interface]\nlatency_frames = %u\nnoise_dbfs = %d\ndrift_ppm = %g\npace = %s\n\n[cable]\n",
	        round_trip, NOISE_DBFS, drift_ppm, fast ? "fast" : "realtime");
	for (unsigned i = 0; i < w->n; i++)
		fprintf(f, "wire = %s %s %g\n", fx->contact[w->c[i].a].name, fx->contact[w->c[i].b].name,
		        w->c[i].ohms);
	return fclose(f) == 0 ? 0 : -errno;
}

/* The shortest coherent window that holds the tones and reaches the SNR the
 * cable needs at the noise this measurement saw, plus the round trip: no
 * measurement of these tones can give a verdict sooner. */
static double physical_floor_frames(const struct measurement *m, const struct measure_timeline *tl,
                                    unsigned min_window, double need_db, unsigned round_trip)
{
	double snr_min = m->snr_db - 10.0 * log10((double)m->windows * tl->window / min_window);
	double k = isfinite(snr_min) ? ceil(pow(10.0, (need_db - snr_min) / 10.0)) : 1.0;
	return (k > 1.0 ? k : 1.0) * min_window + round_trip;
}

/* One device, one cable, one plan: what every part of a test costs. */
struct bench_set {
	struct station_cable sc;
	classifier *cls;
	measure *ms;
	duplex *dx;
	char device[600], path[512];
};

static int set_open(struct bench_set *b, const struct family *fam, unsigned rate, unsigned round_trip,
                    enum plan_kind kind, double drift_ppm, int fast, const char *tmpdir)
{
	struct profiles prof;
	char err[PROFILE_ERR_MAX];
	profiles_init(&prof, NULL);
	if (station_cable_load(&prof, fam->jig, fam->cable, &b->sc, err) < 0) {
		fprintf(stderr, "verdict: %s\n", err);
		return -EINVAL;
	}
	const struct fixture *fx = &b->sc.fx;
	snprintf(b->path, sizeof(b->path), "%s/%s-%u-%d.conf", tmpdir, fam->key, rate, (int)kind);
	int rc = write_scenario(b->path, fam, rate, round_trip, fx, &b->sc.expected, drift_ppm, fast);
	if (rc < 0) {
		fprintf(stderr, "verdict: cannot write %s: %s\n", b->path, strerror(-rc));
		b->path[0] = '\0';
		return rc;
	}
	b->cls = classifier_create(fx, &b->sc.expected, &b->sc.cable.limits);
	struct measure_cfg mc = { .rate = rate, .n_outputs = fx->n_outputs, .n_inputs = fx->n_inputs,
	                          .min_snr_db = b->sc.cable.limits.min_snr_db,
	                          .expected = b->cls ? classifier_expected(b->cls) : NULL };
	if (kind == PLAN_FIXED) {
		mc = measure_cfg_fixed(rate, fx->n_outputs, fx->n_inputs);
		mc.keep_drift = 1;   /* as it was */
	}
	b->ms = measure_create(&mc, err);
	if (!b->cls || !b->ms) {
		fprintf(stderr, "verdict: %s: cannot set up (%s)\n", fam->key, b->ms ? "classifier" : err);
		return -EINVAL;
	}
	snprintf(b->device, sizeof(b->device), "tonewire_sim:%s", b->path);
	struct duplex_cfg dc = { .device = b->device, .rate = rate, .out_channels = fx->n_outputs,
	                         .in_channels = fx->n_inputs };
	char derr[DUPLEX_ERR_MAX];
	int e = 0;
	b->dx = duplex_open(&dc, derr, &e);
	if (!b->dx) {
		fprintf(stderr, "verdict: %s\n", derr);
		return e ? e : -ENODEV;
	}
	return 0;
}

static void set_close(struct bench_set *b)
{
	duplex_close(b->dx);
	measure_destroy(b->ms);
	classifier_destroy(b->cls);
	if (b->path[0])
		unlink(b->path);
}

static int run_family(const struct family *fam, unsigned rate, unsigned runs, const char *tmpdir,
                      enum plan_kind kind, struct row *row, struct figures *fg)
{
	struct bench_set *b = calloc(1, sizeof(*b));
	struct session_outcome *out = calloc(1, sizeof(*out));
	double *v = calloc((size_t)7 * runs, sizeof(double));
	int rc = -ENOMEM;

	memset(fg, 0, sizeof(*fg));
	if (!b || !out || !v)
		goto out;
	double *total = v, *acq = v + runs, *ana = v + 2 * runs, *cls_ms = v + 3 * runs;
	double *plan_floor = v + 4 * runs, *phys = v + 5 * runs, *snr = v + 6 * runs;
	rc = set_open(b, fam, rate, row->latency, kind, 0.0, 0, tmpdir);
	if (rc < 0)
		goto out;
	row->n_outputs = b->sc.fx.n_outputs;
	row->n_inputs = b->sc.fx.n_inputs;
	row->min_window = toneplan_min_window(row->n_outputs, rate);
	double need_db = b->sc.cable.limits.min_snr_db + SNR_MARGIN_DB;

	unsigned n = 0;
	struct pump pump = pump_duplex(b->dx);
	for (unsigned r = 0; r < runs; r++) {
		/* The whole test as the CLI and the daemon run it, result object included. */
		struct session s = { .ms = b->ms, .cls = b->cls, .sc = &b->sc, .t0 = clock_now_ms(),
		                     .meta = { .device = b->device, .rate = rate } };
		json_t *res = session_test(&s, &pump, out);
		double t2 = clock_now_ms();
		if (!res || !out->measured) {
			if (!fg->errors++)
				fprintf(stderr, "verdict: %s at %u Hz: measurement failed: %s\n", fam->key, rate,
				        res ? json_string_value(json_object_get(res, "error")) : "out of memory");
			json_decref(res);
			continue;
		}
		json_decref(res);
		const struct measurement *m = &out->m;
		const struct classification *cl = &out->cl;
		const struct measure_timeline *tl = measure_timeline(b->ms);
		total[n] = t2 - s.t0;
		acq[n] = m->acquire_ms;
		ana[n] = m->analyze_ms;
		cls_ms[n] = t2 - s.t0 - m->acquire_ms - m->analyze_ms;
		/* The floor of the plan this test played: its stimulus up to the end
		 * of its windows, and the round trip back. */
		plan_floor[n] = ((double)m->probe + tl->fade + tl->settle + (double)m->windows * tl->window + row->latency) *
		                1e3 / rate;
		phys[n] = physical_floor_frames(m, tl, row->min_window, need_db, row->latency) * 1e3 / rate;
		snr[n] = m->snr_db;
		fg->window = tl->window;
		fg->probe = m->probe;
		fg->windows = m->windows;
		n++;
		fg->xruns += m->xruns;
		if (cl->verdict != VERDICT_PASS && !fg->wrong++)
			fprintf(stderr, "verdict: %s at %u Hz: a good cable read '%s'%s%s\n", fam->key, rate,
			        verdict_name(cl->verdict), cl->n_faults ? ", first fault " : "",
			        cl->n_faults ? fault_code_name(cl->fault[0].code) : "");
	}
	fg->runs = n;
	if (n) {
		fg->acquire_median = median_of(acq, n);
		fg->analyze_median = median_of(ana, n);
		fg->classify_median = median_of(cls_ms, n);
		fg->plan_floor_ms = median_of(plan_floor, n);
		fg->phys_floor_ms = median_of(phys, n);
		fg->snr_median = median_of(snr, n);
		fg->median = median_of(total, n);   /* sorts total */
		fg->p95 = percentile(total, n, 95.0);
		fg->min = total[0];
		fg->max = total[n - 1];
		fg->ok = 1;
	}
	rc = 0;
out:
	if (b)
		set_close(b);
	free(b);
	free(out);
	free(v);
	return rc;
}

/* Levels and phases of the good cable's paths against clock drift: the
 * worst difference from the 0 ppm reading over every path and run, through
 * the simulator (its capture clock runs drift_ppm fast). */
struct drift_row {
	double level_db, phase_deg, ppm_read;
	int ok;
};

static int run_drift(const char *tmpdir, enum plan_kind kind, int keep, struct drift_row rows[N_DRIFT])
{
	const struct family *fam = &families[HEADLINE];
	double ref_re[FIXTURE_MAX_CHANNELS][FIXTURE_MAX_CHANNELS], ref_im[FIXTURE_MAX_CHANNELS][FIXTURE_MAX_CHANNELS];
	struct session_outcome *out = calloc(1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	memset(rows, 0, sizeof(struct drift_row) * N_DRIFT);
	for (unsigned q = 0; q < N_DRIFT; q++) {
		struct bench_set *b = calloc(1, sizeof(*b));
		if (!b || set_open(b, fam, 48000, 200, kind, drift_ppms[q], 1, tmpdir) < 0) {
			if (b)
				set_close(b);
			free(b);
			continue;
		}
		if (kind == PLAN_ADAPTIVE && keep) {
			/* the same adaptive plan, correction off */
			struct measure_cfg mc = { .rate = 48000, .n_outputs = b->sc.fx.n_outputs,
			                          .n_inputs = b->sc.fx.n_inputs, .keep_drift = 1,
			                          .expected = classifier_expected(b->cls) };
			char err[MEASURE_ERR_MAX];
			measure_destroy(b->ms);
			b->ms = measure_create(&mc, err);
		}
		const double *eg = classifier_expected(b->cls);
		unsigned no = b->sc.fx.n_outputs, ni = b->sc.fx.n_inputs;
		struct pump pump = pump_duplex(b->dx);
		double sum_re[FIXTURE_MAX_CHANNELS][FIXTURE_MAX_CHANNELS] = { { 0 } };
		double sum_im[FIXTURE_MAX_CHANNELS][FIXTURE_MAX_CHANNELS] = { { 0 } };
		unsigned got = 0;
		double ppm = 0.0;
		for (unsigned r = 0; b->ms && r < DRIFT_RUNS; r++) {
			struct session s = { .ms = b->ms, .cls = b->cls, .sc = &b->sc, .t0 = clock_now_ms(),
			                     .meta = { .device = b->device, .rate = 48000 } };
			json_t *res = session_test(&s, &pump, out);
			json_decref(res);
			if (!out->measured || !out->m.coarse.found)
				continue;
			got++;
			ppm += out->m.drift.ppm;
			for (unsigned i = 0; i < ni; i++)
				for (unsigned k = 0; k < no; k++) {
					const struct tone_result *t = &out->m.an.h[i][k];
					sum_re[i][k] += t->re;
					sum_im[i][k] += t->im;
					if (q == 0)
						continue;
					if (fabs(eg[i * no + k]) < 0.1)
						continue;   /* only the paths a good cable has */
					double ld = 20.0 * log10(hypot(t->re, t->im) / hypot(ref_re[i][k], ref_im[i][k]));
					double pd = atan2(t->im * ref_re[i][k] - t->re * ref_im[i][k],
					                  t->re * ref_re[i][k] + t->im * ref_im[i][k]) * 180.0 / M_PI;
					rows[q].level_db = fmax(rows[q].level_db, fabs(ld));
					rows[q].phase_deg = fmax(rows[q].phase_deg, fabs(pd));
				}
		}
		if (got) {
			rows[q].ok = 1;
			rows[q].ppm_read = ppm / got;
			if (q == 0)
				for (unsigned i = 0; i < ni; i++)
					for (unsigned k = 0; k < no; k++) {
						ref_re[i][k] = sum_re[i][k] / got;
						ref_im[i][k] = sum_im[i][k] / got;
					}
		}
		set_close(b);
		free(b);
	}
	free(out);
	return 0;
}

static void print_row(const char *label, unsigned rate, const struct row *rw, const char *plan,
                      const struct figures *g)
{
	char ch[16], pl[32];
	snprintf(ch, sizeof(ch), "%u/%u", rw->n_outputs, rw->n_inputs);
	snprintf(pl, sizeof(pl), "%s %u+%ux%u", plan, g->probe, g->windows, g->window);
	printf("%-29s %6u %4s %4u %-18s %7.1f %7.1f %7.1f %5.2f %7.1f %5.2f %7.1f %5.1f %5.0f %5u %5u\n", label, rate,
	       ch, rw->latency, pl, g->median, g->p95, g->plan_floor_ms, g->median / g->plan_floor_ms, g->phys_floor_ms,
	       g->median / g->phys_floor_ms, g->acquire_median, g->analyze_median + g->classify_median, g->snr_median,
	       g->wrong + g->errors, g->xruns);
}

static void json_family(const struct family *fam, unsigned rate, const struct row *rw)
{
	unsigned k = rate / 1000;
	const struct figures *g = &rw->now, *o = &rw->old;
	if (!g->ok) {
		printf(", \"%s_%uk_ms_median\": null", fam->key, k);
		return;
	}
	printf(", \"%s_%uk_ms_median\": %.2f, \"%s_%uk_ms_p95\": %.2f, \"%s_%uk_floor_ms\": %.2f, "
	       "\"%s_%uk_ratio\": %.3f, \"%s_%uk_phys_floor_ms\": %.2f, \"%s_%uk_phys_ratio\": %.3f, "
	       "\"%s_%uk_wrong\": %u, \"%s_%uk_xruns\": %u, \"%s_%uk_probe\": %u, \"%s_%uk_windows\": %u, "
	       "\"%s_%uk_window\": %u, \"%s_%uk_snr_db\": %.1f",
	       fam->key, k, g->median, fam->key, k, g->p95, fam->key, k, g->plan_floor_ms, fam->key, k,
	       g->median / g->plan_floor_ms, fam->key, k, g->phys_floor_ms, fam->key, k, g->median / g->phys_floor_ms,
	       fam->key, k, g->wrong + g->errors, fam->key, k, g->xruns, fam->key, k, g->probe, fam->key, k,
	       g->windows, fam->key, k, g->window, fam->key, k, g->snr_median);
	if (o->ok)
		printf(", \"%s_%uk_old_ms_median\": %.2f, \"%s_%uk_old_ms_p95\": %.2f, \"%s_%uk_old_floor_ms\": %.2f, "
		       "\"%s_%uk_old_wrong\": %u, \"%s_%uk_old_xruns\": %u",
		       fam->key, k, o->median, fam->key, k, o->p95, fam->key, k, o->plan_floor_ms, fam->key, k,
		       o->wrong + o->errors, fam->key, k, o->xruns);
}

int main(int argc, char **argv)
{
	duplex_setup_sim();
	int as_json = 0;
	unsigned runs = DEFAULT_RUNS;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			as_json = 1;
		} else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
			runs = (unsigned)strtoul(argv[++i], NULL, 10);
			if (runs < 1 || runs > MAX_RUNS)
				runs = DEFAULT_RUNS;
		} else {
			fprintf(stderr, "usage: verdict [--json] [--runs N]\n");
			return 2;
		}
	}
	char tmpdir[] = "/tmp/tonewire-verdict-XXXXXX";
	if (!mkdtemp(tmpdir)) {
		perror("verdict: mkdtemp");
		return 1;
	}
	double load[3] = { 0 };
	FILE *lf = fopen("/proc/loadavg", "r");
	if (lf) {
		if (fscanf(lf, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
			load[0] = load[1] = load[2] = 0;
		fclose(lf);
	}

	static struct row rows[N_FAMILIES][N_RATES];
	printf("Time to verdict (trigger -> verdict, device open), simulated jig at real-time pace,\n"
	       "noise %d dBFS, random round trip %d..%d frames, %u runs per row and plan; load average %.2f\n\n",
	       NOISE_DBFS, LAT_MIN, LAT_MAX, runs, load[0]);
	printf("%-29s %6s %4s %4s %-18s %7s %7s %7s %5s %7s %5s %7s %5s %5s %5s %5s\n", "family (jig, cable)", "rate",
	       "ch", "lat", "plan", "median", "p95", "floor", "/flr", "phys", "/phys", "acquire", "rest", "SNR", "wrong",
	       "xruns");
	for (unsigned f = 0; f < N_FAMILIES; f++) {
		for (unsigned r = 0; r < N_RATES; r++) {
			struct row *rw = &rows[f][r];
			rw->latency = LAT_MIN + (unsigned)(next_rand() % (LAT_MAX - LAT_MIN + 1));
			int e = run_family(&families[f], rates[r], runs, tmpdir, PLAN_ADAPTIVE, rw, &rw->now);
			int e2 = run_family(&families[f], rates[r], runs, tmpdir, PLAN_FIXED, rw, &rw->old);
			if (e < 0 || !rw->now.ok || e2 < 0 || !rw->old.ok) {
				printf("%-29s %6u  failed: %s\n", families[f].label, rates[r],
				       e < 0 ? strerror(-e) : e2 < 0 ? strerror(-e2) : "no run completed");
				continue;
			}
			print_row(families[f].label, rates[r], rw, "adaptive", &rw->now);
			print_row("", rates[r], rw, "old fixed", &rw->old);
		}
	}
	printf("\nms. plan: probe + windows x window (frames). floor = (probe + fade + settle + windows x window\n"
	       "+ round trip) / rate, the stimulus this plan plays and its way back; phys = the shortest coherent\n"
	       "window that holds the tones and reaches the cable's SNR + %.0f dB at the noise measured, plus the\n"
	       "round trip; /flr, /phys = median over each. acquire = the stream, played and captured in\n"
	       "periods (the device's, %u frames at 48 kHz: the capture ends with the period that holds its\n"
	       "last frame); rest = analysis, classification and the result. SNR = weakest tone, dB (median).\n"
	       "wrong = runs not 'pass' or failed; xruns = met and retried (a retry costs a whole measurement).\n",
	       SNR_MARGIN_DB, 256u);

	static struct drift_row dr[3][N_DRIFT];
	run_drift(tmpdir, PLAN_ADAPTIVE, 0, dr[0]);
	run_drift(tmpdir, PLAN_ADAPTIVE, 1, dr[1]);
	run_drift(tmpdir, PLAN_FIXED, 1, dr[2]);
	rmdir(tmpdir);
	static const char *const dnames[3] = { "adaptive, corrected", "adaptive, not corrected",
	                                       "old fixed, not corrected" };
	printf("\nClock drift through the simulator (its capture clock drift_ppm fast), 5-contact cable at\n"
	       "48 kHz, %u runs each: worst level and phase difference from the 0 ppm reading over the\n"
	       "good cable's paths (target: 0.02 dB, 0.2 degree at ±200 ppm)\n\n", DRIFT_RUNS);
	printf("%-26s", "ppm");
	for (unsigned q = 1; q < N_DRIFT; q++)
		printf("   %+5.0f: dB    deg  read", drift_ppms[q]);
	printf("\n");
	for (unsigned c = 0; c < 3; c++) {
		printf("%-26s", dnames[c]);
		for (unsigned q = 1; q < N_DRIFT; q++) {
			if (dr[c][q].ok)
				printf("   %9.4f %6.3f %5.0f", dr[c][q].level_db, dr[c][q].phase_deg, dr[c][q].ppm_read);
			else
				printf("   %22s", "failed");
		}
		printf("\n");
	}

	if (as_json) {
		/* The headline is the 5-contact cable at 48 kHz (issue targets). */
		const struct row *h = &rows[HEADLINE][0];
		printf("{\"verdict_ms_median\": %.2f, \"verdict_ms_p95\": %.2f, \"floor_ms\": %.2f, "
		       "\"ratio_to_floor\": %.3f, \"physical_floor_ms\": %.2f, \"ratio_to_physical\": %.3f, "
		       "\"wrong\": %u, \"old_ms_median\": %.2f, \"old_ms_p95\": %.2f, \"runs\": %u, \"load\": %.2f",
		       h->now.median, h->now.p95, h->now.plan_floor_ms, h->now.median / h->now.plan_floor_ms,
		       h->now.phys_floor_ms, h->now.median / h->now.phys_floor_ms, h->now.wrong + h->now.errors,
		       h->old.median, h->old.p95, runs, load[0]);
		for (unsigned f = 0; f < N_FAMILIES; f++)
			for (unsigned r = 0; r < N_RATES; r++)
				json_family(&families[f], rates[r], &rows[f][r]);
		static const char *const dkeys[3] = { "corrected", "uncorrected", "old" };
		for (unsigned c = 0; c < 3; c++)
			for (unsigned q = 1; q < N_DRIFT; q++)
				if (dr[c][q].ok)
					printf(", \"drift_%s_%+.0fppm_level_db\": %.5f, \"drift_%s_%+.0fppm_phase_deg\": %.4f",
					       dkeys[c], drift_ppms[q], dr[c][q].level_db, dkeys[c], drift_ppms[q],
					       dr[c][q].phase_deg);
		printf("}\n");
	}
	return 0;
}
