/* bench/verdict: trigger-to-verdict time per cable family on the simulated jig at real-time pace, against the physical floor. */
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
 * open (DESIGN §4); the bench draws its own in that range so the floor can
 * use the exact value. */
#define LAT_MIN 64
#define LAT_MAX 512
/* A quiet but real interface: the tones stay ~70 dB above it. */
#define NOISE_DBFS -90

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

static const unsigned rates[] = { 48000, 96000 };
#define N_RATES (sizeof(rates) / sizeof(rates[0]))

struct figures {
	double median, p95, min, max, floor_ms, ratio;
	double acquire_median, analyze_median, classify_median;
	unsigned latency, runs, wrong, errors, xruns;
	unsigned n_outputs, n_inputs;
	int ok;
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
 * realtime pace, a fixed random round trip and -90 dBFS of noise. */
static int write_scenario(const char *path, const struct family *fam, unsigned rate, unsigned round_trip,
                          const struct fixture *fx, const struct wiring *w)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "; written by bench/verdict\n[scenario]\njig = %s\nrate = %u\n\n", fam->jig, rate);
	fprintf(f, "[interface]\nlatency_frames = %u\nnoise_dbfs = %d\npace = realtime\n\n[cable]\n",
	        round_trip, NOISE_DBFS);
	for (unsigned i = 0; i < w->n; i++)
		fprintf(f, "wire = %s %s %g\n", fx->contact[w->c[i].a].name, fx->contact[w->c[i].b].name,
		        w->c[i].ohms);
	return fclose(f) == 0 ? 0 : -errno;
}

static int run_family(const struct family *fam, unsigned rate, unsigned runs, const char *tmpdir,
                      struct figures *fg)
{
	struct profiles prof;
	struct station_cable *sc = calloc(1, sizeof(*sc));
	struct session_outcome *out = calloc(1, sizeof(*out));
	double *total = calloc(runs, sizeof(double));
	double *acq = calloc(runs, sizeof(double));
	double *ana = calloc(runs, sizeof(double));
	double *cls_ms = calloc(runs, sizeof(double));
	classifier *cls = NULL;
	measure *ms = NULL;
	duplex *dx = NULL;
	char err[PROFILE_ERR_MAX], path[512] = "", device[600];
	int rc = -ENOMEM;

	memset(fg, 0, sizeof(*fg));
	if (!sc || !out || !total || !acq || !ana || !cls_ms)
		goto out;
	profiles_init(&prof, NULL);
	rc = -EINVAL;
	if (station_cable_load(&prof, fam->jig, fam->cable, sc, err) < 0) {
		fprintf(stderr, "verdict: %s\n", err);
		goto out;
	}
	const struct fixture *fx = &sc->fx;
	fg->n_outputs = fx->n_outputs;
	fg->n_inputs = fx->n_inputs;
	fg->latency = LAT_MIN + (unsigned)(next_rand() % (LAT_MAX - LAT_MIN + 1));
	snprintf(path, sizeof(path), "%s/%s-%u.conf", tmpdir, fam->key, rate);
	rc = write_scenario(path, fam, rate, fg->latency, fx, &sc->expected);
	if (rc < 0) {
		fprintf(stderr, "verdict: cannot write %s: %s\n", path, strerror(-rc));
		goto out;
	}
	cls = classifier_create(fx, &sc->expected, &sc->cable.limits);
	struct measure_cfg mc = { .rate = rate, .n_outputs = fx->n_outputs, .n_inputs = fx->n_inputs };
	ms = measure_create(&mc, err);
	if (!cls || !ms) {
		fprintf(stderr, "verdict: %s: cannot set up (%s)\n", fam->key, ms ? "classifier" : err);
		rc = -EINVAL;
		goto out;
	}
	snprintf(device, sizeof(device), "tonewire_sim:%s", path);
	struct duplex_cfg dc = { .device = device, .rate = rate, .out_channels = fx->n_outputs,
	                         .in_channels = fx->n_inputs };
	char derr[DUPLEX_ERR_MAX];
	int e = 0;
	dx = duplex_open(&dc, derr, &e);
	if (!dx) {
		fprintf(stderr, "verdict: %s\n", derr);
		rc = e ? e : -ENODEV;
		goto out;
	}

	/* The physical floor of this plan: the stimulus has to be played up to the
	 * end of the analysed windows, and the last of it has to travel the round
	 * trip back. Nothing can give a verdict sooner with this plan. */
	const struct measure_timeline *tl = measure_timeline(ms);
	double floor_frames = (double)tl->probe + tl->fade + tl->settle + (double)tl->windows * tl->window +
	                      fg->latency;
	fg->floor_ms = floor_frames * 1e3 / rate;

	unsigned n = 0;
	struct pump pump = pump_duplex(dx);
	for (unsigned r = 0; r < runs; r++) {
		/* The whole test as the CLI and the daemon run it, result object included. */
		struct session s = { .ms = ms, .cls = cls, .sc = sc, .t0 = clock_now_ms(),
		                     .meta = { .device = device, .rate = rate } };
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
		total[n] = t2 - s.t0;
		acq[n] = m->acquire_ms;
		ana[n] = m->analyze_ms;
		cls_ms[n] = t2 - s.t0 - m->acquire_ms - m->analyze_ms;
		n++;
		if (m->xruns)
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
		fg->median = median_of(total, n);   /* sorts total */
		fg->p95 = percentile(total, n, 95.0);
		fg->min = total[0];
		fg->max = total[n - 1];
		fg->ratio = fg->median / fg->floor_ms;
		fg->ok = 1;
	}
	rc = 0;
out:
	duplex_close(dx);
	measure_destroy(ms);
	classifier_destroy(cls);
	free(total);
	free(acq);
	free(ana);
	free(cls_ms);
	free(out);
	free(sc);
	if (path[0] && rc != -ENOMEM)
		unlink(path);
	return rc;
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

	static struct figures fig[N_FAMILIES][N_RATES];
	printf("Time to verdict (trigger -> verdict, device open), simulated jig at real-time pace,\n"
	       "noise %d dBFS, random round trip %d..%d frames, %u runs per row\n\n",
	       NOISE_DBFS, LAT_MIN, LAT_MAX, runs);
	printf("%-30s %6s %4s %5s %8s %8s %8s %8s %6s %8s %8s %5s %5s\n", "family (jig, cable)", "rate", "ch",
	       "lat", "median", "p95", "max", "floor", "ratio", "acquire", "analyse", "wrong", "xruns");
	for (unsigned f = 0; f < N_FAMILIES; f++) {
		for (unsigned r = 0; r < N_RATES; r++) {
			struct figures *g = &fig[f][r];
			int e = run_family(&families[f], rates[r], runs, tmpdir, g);
			if (e < 0 || !g->ok) {
				printf("%-30s %6u  failed: %s\n", families[f].label, rates[r],
				       e < 0 ? strerror(-e) : "no run completed");
				continue;
			}
			char ch[16];
			snprintf(ch, sizeof(ch), "%u/%u", g->n_outputs, g->n_inputs);
			printf("%-30s %6u %4s %5u %8.1f %8.1f %8.1f %8.1f %6.2f %8.1f %8.2f %5u %5u\n",
			       families[f].label, rates[r], ch, g->latency, g->median, g->p95, g->max, g->floor_ms,
			       g->ratio, g->acquire_median, g->analyze_median + g->classify_median,
			       g->wrong + g->errors, g->xruns);
		}
	}
	rmdir(tmpdir);
	printf("\nms; floor = (probe + fade + settle + windows x window + round trip) / rate;\n"
	       "ratio = median / floor; analyse = measure analysis + classifier; wrong = runs not 'pass' or failed;\n"
	       "xruns = xruns met and retried (a retry costs a whole measurement).\n");

	if (as_json) {
		/* The headline is the 5-contact cable at 48 kHz (issue targets). */
		const struct figures *h = &fig[2][0];
		printf("{\"verdict_ms_median\": %.2f, \"verdict_ms_p95\": %.2f, \"floor_ms\": %.2f, "
		       "\"ratio_to_floor\": %.3f, \"runs\": %u",
		       h->median, h->p95, h->floor_ms, h->ratio, runs);
		for (unsigned f = 0; f < N_FAMILIES; f++) {
			for (unsigned r = 0; r < N_RATES; r++) {
				const struct figures *g = &fig[f][r];
				unsigned k = rates[r] / 1000;
				if (!g->ok) {
					printf(", \"%s_%uk_ms_median\": null", families[f].key, k);
					continue;
				}
				printf(", \"%s_%uk_ms_median\": %.2f, \"%s_%uk_ms_p95\": %.2f, \"%s_%uk_floor_ms\": %.2f, "
				       "\"%s_%uk_ratio\": %.3f, \"%s_%uk_wrong\": %u, \"%s_%uk_xruns\": %u",
				       families[f].key, k, g->median, families[f].key, k, g->p95, families[f].key, k,
				       g->floor_ms, families[f].key, k, g->ratio, families[f].key, k, g->wrong + g->errors,
				       families[f].key, k, g->xruns);
			}
		}
		printf("}\n");
	}
	return 0;
}
