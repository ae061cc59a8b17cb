/* bench/cost: CPU time of one test's analysis (measure_analyze) and classification against contacts and sample rate. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "measure.h"
#include "stimulus.h"

static const unsigned contacts[] = { 1, 2, 4, 5, 8, 12, 16 };
#define N_CONTACTS (sizeof(contacts) / sizeof(contacts[0]))
static const unsigned rates[] = { 44100, 48000, 96000, 192000 };
#define N_RATES (sizeof(rates) / sizeof(rates[0]))
#define REPS 30
#define CLASSIFY_REPS 30
#define ROUND_TRIP 200

static uint64_t rng = 0xbb67ae8584caa73bull;

static double gauss(void)
{
	double u[2];
	for (int i = 0; i < 2; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		u[i] = ((rng >> 11) + 0.5) / 9007199254740992.0;
	}
	return sqrt(-2.0 * log(u[0])) * cos(2.0 * M_PI * u[1]);
}

static double cpu_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_of(double *v, unsigned n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* A per-contact jig of n straight conductors: output i drives A.Ci, input i
 * senses B.Ci against ground, as trrs-4ch and trrrs-5ch do for 4 and 5. */
static void make_fixture(unsigned n, struct fixture *f, struct wiring *w)
{
	memset(f, 0, sizeof(*f));
	memset(w, 0, sizeof(*w));
	snprintf(f->jig, sizeof(f->jig), "per-contact-%u", n);
	f->source_ohms = 100;
	f->input_ohms = 10000;
	for (unsigned i = 0; i < n; i++) {
		struct fixture_contact *a = &f->contact[i], *b = &f->contact[n + i];
		snprintf(a->name, sizeof(a->name), "A.C%u", i + 1);
		snprintf(b->name, sizeof(b->name), "B.C%u", i + 1);
		a->end = 0;
		b->end = 1;
		a->role = b->role = a->socket_role = b->socket_role = ROLE_SIG;
		f->output[i] = (int)i;
		f->input_pos[i] = (int)(n + i);
		f->input_neg[i] = -1;
		w->c[i] = (struct conductor){ (int)i, (int)(n + i), WIRING_DEFAULT_OHMS };
	}
	f->n_contacts = 2 * n;
	f->n_outputs = f->n_inputs = n;
	w->n = n;
}

struct cell {
	double analyze_us, per_window_us, capture_ms;
	int ok;
};

static int analyze_cost(unsigned n, unsigned rate, struct cell *c)
{
	char err[MEASURE_ERR_MAX];
	struct measure_cfg mc = { .rate = rate, .n_outputs = n, .n_inputs = n };
	measure *m = measure_create(&mc, err);
	if (!m)
		return -EINVAL;
	const struct measure_timeline *tl = measure_timeline(m);
	unsigned frames = tl->capture_max;
	struct stimulus_cfg sc = { .plan = measure_plan(m), .probe_frames = tl->probe, .fade_frames = tl->fade,
	                           .seed = measure_seed(m) };
	stimulus *s = stimulus_create(&sc);
	float *src = calloc((size_t)frames * n, sizeof(float));
	float *cap = calloc((size_t)frames * n, sizeof(float));
	double t[REPS];
	int rc = -ENOMEM;
	if (!s || !src || !cap)
		goto out;
	stimulus_render(s, src, frames);
	for (unsigned f = 0; f < frames; f++)
		for (unsigned i = 0; i < n; i++)
			cap[(size_t)f * n + i] = (float)((f >= ROUND_TRIP ? 0.98 * src[(size_t)(f - ROUND_TRIP) * n + i] : 0.0) +
			                                 1e-4 * gauss());
	struct measurement me;
	measure_analyze(m, cap, frames, &me);   /* warm caches */
	for (unsigned r = 0; r < REPS; r++) {
		double t0 = cpu_us();
		measure_analyze(m, cap, frames, &me);
		t[r] = cpu_us() - t0;
	}
	c->analyze_us = median_of(t, REPS);
	c->capture_ms = 1e3 * frames / rate;
	/* the analyzer alone, one window, every input: */
	struct analyzer_cfg ac = { .plan = measure_plan(m), .n_inputs = n };
	analyzer *an = analyzer_create(&ac);
	if (an) {
		struct analysis out;
		unsigned start = ROUND_TRIP + tl->probe + tl->fade + tl->settle;
		for (unsigned r = 0; r < REPS; r++) {
			double t0 = cpu_us();
			analyzer_run(an, cap + (size_t)start * n, 1, start - ROUND_TRIP, &out);
			t[r] = cpu_us() - t0;
		}
		c->per_window_us = median_of(t, REPS);
		analyzer_destroy(an);
	}
	c->ok = 1;
	rc = 0;
out:
	free(src);
	free(cap);
	stimulus_destroy(s);
	measure_destroy(m);
	return rc;
}

static int classify_cost(unsigned n, double *us, double *create_ms, unsigned *hyp)
{
	static struct fixture f;
	struct wiring w;
	make_fixture(n, &f, &w);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	classifier *c = classifier_create(&f, &w, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (!c)
		return -EINVAL;
	*create_ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	const double *eg = classifier_expected(c);
	struct analysis an;
	memset(&an, 0, sizeof(an));
	an.n_inputs = an.n_tones = n;
	double t[CLASSIFY_REPS];
	struct classification cl;
	for (unsigned r = 0; r < CLASSIFY_REPS; r++) {
		/* a good cable at ~60 dB SNR per tone */
		for (unsigned i = 0; i < n; i++)
			for (unsigned k = 0; k < n; k++) {
				struct tone_result *x = &an.h[i][k];
				x->re = eg[i * n + k] + 1e-3 * gauss();
				x->im = 1e-3 * gauss();
				x->gain = hypot(x->re, x->im);
				x->gain_db = 20.0 * log10(x->gain);
				x->phase_deg = atan2(x->im, x->re) * 180.0 / M_PI;
				x->level_dbfs = 20.0 * log10(0.1 * x->gain);
				x->noise_dbfs = 20.0 * log10(0.1 * 1e-3);
				x->snr_db = x->level_dbfs - x->noise_dbfs;
			}
		double t0 = cpu_us();
		classifier_run(c, &an, &cl);
		t[r] = cpu_us() - t0;
	}
	*us = median_of(t, CLASSIFY_REPS);
	*hyp = cl.hypotheses;
	classifier_destroy(c);
	return 0;
}

int main(int argc, char **argv)
{
	int as_json = (argc > 1 && !strcmp(argv[1], "--json"));
	static struct cell cell[N_CONTACTS][N_RATES];
	double cls_us[N_CONTACTS], cls_create[N_CONTACTS];
	unsigned hyp[N_CONTACTS];
	int cls_ok[N_CONTACTS];

	printf("CPU per test on a per-contact jig of N straight conductors (thread CPU time, median of %d)\n\n", REPS);
	printf("analysis of one test (measure_analyze: latency probe + analyzer + refinement), us\n");
	printf("%9s", "contacts");
	for (unsigned r = 0; r < N_RATES; r++)
		printf(" %10u", rates[r]);
	printf("   | one window (analyzer_run), us:");
	for (unsigned r = 0; r < N_RATES; r++)
		printf(" %8u", rates[r]);
	printf("\n");
	for (unsigned c = 0; c < N_CONTACTS; c++) {
		printf("%9u", contacts[c]);
		for (unsigned r = 0; r < N_RATES; r++) {
			analyze_cost(contacts[c], rates[r], &cell[c][r]);
			printf(" %10.0f", cell[c][r].ok ? cell[c][r].analyze_us : NAN);
		}
		printf("   |                                ");
		for (unsigned r = 0; r < N_RATES; r++)
			printf(" %8.0f", cell[c][r].ok ? cell[c][r].per_window_us : NAN);
		printf("\n");
	}
	printf("\nclassification (classifier_run, every single and double fault hypothesis), independent of rate\n");
	printf("%9s %12s %12s %14s %16s\n", "contacts", "hypotheses", "classify us", "create ms", "CPU/test us 48k");
	for (unsigned c = 0; c < N_CONTACTS; c++) {
		cls_ok[c] = classify_cost(contacts[c], &cls_us[c], &cls_create[c], &hyp[c]) == 0;
		if (!cls_ok[c]) {
			printf("%9u  classifier_create failed\n", contacts[c]);
			continue;
		}
		printf("%9u %12u %12.0f %14.1f %16.0f\n", contacts[c], hyp[c], cls_us[c], cls_create[c],
		       cell[c][1].analyze_us + cls_us[c]);
	}
	printf("\nA test lasts ~120 ms of real time (bench/verdict); CPU/test = analysis + classification at 48 kHz.\n");

	if (as_json) {
		unsigned c5 = 3;   /* 5 contacts */
		printf("{\"cpu_us_per_test_5ch_48k\": %.0f, \"analyze_us_5ch_48k\": %.0f, \"window_us_5ch_48k\": %.0f, "
		       "\"classify_us_5ch\": %.0f",
		       cell[c5][1].analyze_us + (cls_ok[c5] ? cls_us[c5] : 0), cell[c5][1].analyze_us,
		       cell[c5][1].per_window_us, cls_ok[c5] ? cls_us[c5] : -1.0);
		for (unsigned c = 0; c < N_CONTACTS; c++) {
			printf(", \"classify_us_%uch\": %.0f, \"hypotheses_%uch\": %u", contacts[c],
			       cls_ok[c] ? cls_us[c] : -1.0, contacts[c], cls_ok[c] ? hyp[c] : 0);
			for (unsigned r = 0; r < N_RATES; r++)
				printf(", \"analyze_us_%uch_%u\": %.0f, \"window_us_%uch_%u\": %.0f", contacts[c], rates[r],
				       cell[c][r].analyze_us, contacts[c], rates[r], cell[c][r].per_window_us);
		}
		printf("}\n");
	}
	return 0;
}
