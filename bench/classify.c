/* bench/classify: accuracy, false passes and time of the wiring classifier over the single and double fault corpus. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "classify_corpus.h"

#define MAX_TIMES 20000
/* Good cables measured per jig and SNR: enough to see a 1 % false-fail or
 * error rate. */
#define GOOD_RUNS 500

static const double SNRS[] = {40.0, 30.0, 20.0, 10.0};
#define N_SNRS (sizeof(SNRS) / sizeof(SNRS[0]))
static const enum jig_kind JIGS[] = {JIG_TRRS4, JIG_STEREO, JIG_44};
#define N_JIGS (sizeof(JIGS) / sizeof(JIGS[0]))

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double percentile(const double *sorted, unsigned n, double p)
{
	if (n == 0)
		return NAN;
	unsigned k = (unsigned)ceil(p / 100.0 * n);
	return sorted[k ? k - 1 : 0];
}

/* Correct answers over the cases that have one: observable faults named
 * (exactly, or as a twin the jig cannot tell apart whose codes the result
 * itself lists, as its own or as alternatives) plus "no signal" where
 * nothing gets through. Honest low_snr errors count against accuracy but
 * are not false passes. */
static double accuracy(const struct corpus_stats *s)
{
	unsigned decidable = s->observable + s->silent;
	return decidable ? (double)(s->exact + s->aliased + s->silent) / decidable : NAN;
}

int main(int argc, char **argv)
{
	int json = argc > 1 && strcmp(argv[1], "--json") == 0;
	double *times = calloc(MAX_TIMES, sizeof(double));
	struct corpus_stats total[N_SNRS];
	unsigned false_pass = 0, false_fail = 0, n_times = 0;
	unsigned good_pass[N_SNRS] = {0}, good_runs[N_SNRS] = {0};

	if (!times)
		return 1;
	memset(total, 0, sizeof(total));
	printf("faulty cables: every single fault and pair (obs: observable at that SNR; twin: named as a wiring the\n"
	       "jig cannot tell from the truth, the truth's codes listed as alternatives; silent: nothing gets\n"
	       "through, no_signal is right; weak: visible but below what the classifier promises, wpass of them\n"
	       "passed)\n");
	printf("%-24s %5s %6s %6s %6s %6s %6s %6s %6s %6s %6s %6s %9s\n", "jig", "snr", "cases", "obs", "exact", "twin",
	       "error", "wrong", "silent", "weak", "wpass", "fpass", "accuracy");
	for (unsigned s = 0; s < N_SNRS; s++) {
		for (unsigned k = 0; k < N_JIGS; k++) {
			struct jig j;
			struct corpus_stats st;
			int timed = JIGS[k] == JIG_44;   /* the 5-contact cable, all hypotheses */
			if (corpus_jig(JIGS[k], 40 + JIGS[k], &j) < 0)
				return 1;
			int rc = corpus_run(&j, SNRS[s], 1234 + 17 * s + JIGS[k], &st, NULL,
			                    timed ? times + n_times : NULL, timed ? MAX_TIMES - n_times : 0);
			if (rc < 0) {
				fprintf(stderr, "corpus on %s: %s\n", j.name, strerror(-rc));
				return 1;
			}
			if (timed)
				n_times += st.n_us;
			printf("%-24s %5.0f %6u %6u %6u %6u %6u %6u %6u %6u %6u %6u %9.4f\n", j.name, SNRS[s], st.cases,
			       st.observable, st.exact, st.aliased, st.errors, st.wrong, st.silent, st.weak, st.weak_pass,
			       st.false_pass, accuracy(&st));
			total[s].cases += st.cases;
			total[s].observable += st.observable;
			total[s].exact += st.exact;
			total[s].aliased += st.aliased;
			total[s].errors += st.errors;
			total[s].wrong += st.wrong;
			total[s].silent += st.silent;
			total[s].weak += st.weak;
			total[s].weak_pass += st.weak_pass;
			total[s].false_pass += st.false_pass;
			false_pass += st.false_pass;
		}
		printf("%-24s %5.0f %6u %6u %6u %6u %6u %6u %6u %6u %6u %6u %9.4f\n", "all", SNRS[s], total[s].cases,
		       total[s].observable, total[s].exact, total[s].aliased, total[s].errors, total[s].wrong,
		       total[s].silent, total[s].weak, total[s].weak_pass, total[s].false_pass, accuracy(&total[s]));
	}

	printf("\ngood cables (%u noisy measurements per jig and SNR)\n", GOOD_RUNS);
	printf("%-24s %5s %6s %6s %6s\n", "jig", "snr", "pass", "error", "fail");
	for (unsigned s = 0; s < N_SNRS; s++) {
		for (unsigned k = 0; k < N_JIGS; k++) {
			struct jig j;
			unsigned pass, error, fail;
			if (corpus_jig(JIGS[k], 40 + JIGS[k], &j) < 0 ||
			    corpus_good(&j, SNRS[s], 99 + s, GOOD_RUNS, &pass, &error, &fail) < 0)
				return 1;
			printf("%-24s %5.0f %6u %6u %6u\n", j.name, SNRS[s], pass, error, fail);
			good_pass[s] += pass;
			good_runs[s] += GOOD_RUNS;
			false_fail += fail;
		}
	}
	qsort(times, n_times, sizeof(double), cmp_double);
	double p50 = percentile(times, n_times, 50.0), p99 = percentile(times, n_times, 99.0);
	printf("classify CPU time, 4.4 mm 5x5 (%u runs): p50 %.0f us, p99 %.0f us, max %.0f us\n", n_times, p50, p99,
	       n_times ? times[n_times - 1] : NAN);
	if (json)
		printf("{\"accuracy_40db\": %.4f, \"accuracy_30db\": %.4f, \"accuracy_20db\": %.4f, "
		       "\"accuracy_10db\": %.4f, \"false_pass\": %u, \"classify_us_p50\": %.1f, "
		       "\"classify_us_p99\": %.1f, \"good_pass_40db\": %.4f, \"good_pass_30db\": %.4f, "
		       "\"good_pass_20db\": %.4f, \"false_fail\": %u}\n",
		       accuracy(&total[0]), accuracy(&total[1]), accuracy(&total[2]), accuracy(&total[3]), false_pass, p50,
		       p99, (double)good_pass[0] / good_runs[0], (double)good_pass[1] / good_runs[1],
		       (double)good_pass[2] / good_runs[2], false_fail);
	free(times);
	return 0;
}
