/* bench/accuracy_report: the accuracy bench's tables, JSON line, data file and plot. */
#include "accuracy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double median_of(double *v, unsigned n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int plot(const char *dir)
{
	if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
		printf("gnuplot not found (Debian package gnuplot-nox): no plot\n");
		return -ENOENT;
	}
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
	         "gnuplot -e \"set terminal pngcairo size 900,560 font ',10'; set output '%s/accuracy.png'; "
	         "set title 'tonewire accuracy vs SNR per tone (48 kHz)'; set xlabel 'SNR per tone in 187.5 Hz (dB)'; "
	         "set xrange [-5:45]; set xtics (0,10,20,30,40); set ylabel 'accuracy, false-pass rate (%%)'; "
	         "set yrange [-5:105]; set y2label 'level error rms (dB), phase error rms (deg)'; set logscale y2; "
	         "set y2tics; set key bottom right; set grid; "
	         "plot '%s/accuracy.dat' using 1:5 with linespoints lw 2 title 'classifier alone: accuracy (%%)', "
	         "'' using 1:7 with linespoints lw 2 title 'station (adaptive plan): accuracy (%%)', "
	         "'' using 1:6 with linespoints lw 2 title 'false passes (%%)', "
	         "'' using 1:2 axes x1y2 with linespoints title 'level error rms (dB)', "
	         "'' using 1:3 axes x1y2 with linespoints title 'phase error rms (deg)'\" 2>&1",
	         dir, dir);
	if (system(cmd) != 0) {
		/* pngcairo is not in every gnuplot build: fall back to the plain png terminal */
		char *t = strstr(cmd, "pngcairo");
		if (t)
			memcpy(t, "png     ", 8);
		if (system(cmd) != 0) {
			printf("gnuplot failed: no plot\n");
			return -EIO;
		}
	}
	printf("plot: %s/accuracy.png\n", dir);
	return 0;
}

static double pct(unsigned a, unsigned b)
{
	return b ? 100.0 * a / b : NAN;
}

static void print_class_header(void)
{
	printf("%6s %6s %6s %6s %9s %6s %9s %5s %6s %7s %6s %6s %9s\n", "SNR dB", "cases", "observ", "exact",
	       "disclosed", "silent", "accuracy", "false", "errors", "clipped", "wrong", "no rt", "good pass");
}

static void print_class_row(double snr, const struct class_stats *t)
{
	printf("%6.0f %6u %6u %6u %9u %6u %8.2f%% %5u %6u %7u %6u %6u %5u/%-4u\n", snr, t->cases, t->observable, t->exact,
	       t->disclosed, t->silent, pct(stats_correct(t), t->observable), t->false_pass, t->honest_error, t->clipped,
	       t->wrong_wiring + t->wrong_codes, t->unaligned, t->good_pass, t->good_trials);
}

static void print_chain(const char *name, const struct chain_stats *c, double snr)
{
	struct chain_stats x = *c;
	printf("%-9s %5.0f %6.0f %5.0f %7.1f %7.1f %9.4f %8.4f %8.3f %8.3f %9.4f %8.4f %4u/%u (%u)\n", name, snr,
	       median_of(x.probe, x.n_plan), median_of(x.windows, x.n_plan), median_of(x.plan_ms, x.n_plan),
	       median_of(x.snr, x.n_plan), x.n_paths ? sqrt(x.level_sq / x.n_paths) : NAN, x.level_max,
	       x.n_paths ? sqrt(x.phase_sq / x.n_paths) : NAN, x.phase_max, x.n_lat ? sqrt(x.lat_sq / x.n_lat) : NAN,
	       x.lat_max, x.missed, x.trials, x.undecided);
}


void report_text(const struct results *r)
{
	printf("SNR per tone: a tone's power over the noise in %.1f Hz (one bin of a 256-frame window at 48 kHz,\n"
	       "the shortest the adaptive plan plays), on the good cable's weakest strongest path; white noise\n"
	       "of that density (X dB here is X + 12 dB in the 85 ms bin of results before it).\n\n",
	       REF_BANDWIDTH_HZ);
	printf("Measurement chain (stimulus -> 5-contact cable on trrrs-5ch -> white noise -> measure_analyze),\n"
	       "%d trials per SNR after two that teach the plan the bench, round trip 64..512 frames with a\n"
	       "fractional part, 48 kHz.\n\n", CHAIN_TRIALS);
	printf("%-9s %5s %6s %5s %7s %7s %9s %8s %8s %8s %9s %8s %s\n", "plan", "SNR", "probe", "wins", "plan ms",
	       "seen dB", "level rms", "max dB", "phase rms", "max deg", "lat rms", "max", "missed (undecided)");
	for (unsigned q = 0; q < N_SNR; q++) {
		print_chain("adaptive", &r->ch[0][q], snrs[q]);
		print_chain("old fixed", &r->ch[1][q], snrs[q]);
	}
	printf("(probe, windows: frames and count, median; plan ms: probe + fade + settle + windows, the\n"
	       "stimulus before the round trip; seen: the weakest tone's SNR as the analyzer read it, median;\n"
	       "missed: no round trip or one more than half a frame off; undecided: said so, a station error)\n\n");

	static const char *const dnames[4] = { "adaptive (1 window)", "adaptive, 24 windows", "24 windows, uncorrected",
	                                       "old fixed, uncorrected" };
	printf("Clock drift (closed-form capture clock, 80 dB per tone): worst level / phase difference from one\n"
	       "clock over the good cable's paths, and the drift read\n\n%-24s", "");
	for (unsigned q = 0; q < N_DRIFT; q++)
		printf("  %+5.0f ppm: dB     deg   read", drift_ppms[q]);
	printf("\n");
	for (unsigned c = 0; c < 4; c++) {
		printf("%-24s", dnames[c]);
		for (unsigned q = 0; q < N_DRIFT; q++)
			printf("  %10.4f %7.3f %6.0f", r->dr[c][q].level_db, r->dr[c][q].phase_deg, r->dr[c][q].ppm_read);
		printf("\n");
	}

	printf("\nThe classifier alone over every single and double fault (swap, open, 0.5 ohm short, +20 ohm) of\n"
	       "%u jig/cable pairs: H predicted by the network solver plus the noise one window of the reference\n"
	       "bandwidth reads at that SNR\n\n",
	       (unsigned)N_FAMILIES);
	print_class_header();
	for (unsigned q = 0; q < N_SNR; q++)
		print_class_row(snrs[q], &r->tot[q]);
	printf("\nThe station: every fault captured through a closed-form world and measured as a test measures\n"
	       "it (measure_run on the adaptive plan), then classified with the cable's limits; without a round\n"
	       "trip ('no rt') each tone is known up to its sign, and so judged\n\n");
	print_class_header();
	for (unsigned q = 0; q < N_CHAIN_SNR; q++)
		print_class_row(chain_snrs[q], &r->stot[q]);
	printf("\nObservable: the truth is at least %.0f chi2 units from the good cable (noise, and a stated 2 %%\n"
	       "model uncertainty of an uncalibrated jig): a fault a station names at a false-alarm rate of 1e-5\n"
	       "over its 4096 hypotheses with probability 1 - 3e-5; below %.1f it is invisible, between the two\n"
	       "not scored (%u such cases at 30 dB alone, %u passed). A pair's second fault must be named or\n"
	       "mentioned in alternatives when its partner alone is %.0f or more from the truth. exact = every\n"
	       "fault named by its code; disclosed = what is not named is listed in alternatives (confidence < 1);\n"
	       "silent = 'no signal' where nothing observable gets through; errors = honest error verdicts\n"
	       "(low_snr, clipping); wrong = a named wiring the truth is observably not, or codes it lacks.\n",
	       observable_chi2(), invisible_chi2(), r->tot[1].marginal, r->tot[1].marginal_pass, second_fault_chi2());
	printf("\nper jig (accuracy %% / false passes): classifier alone at each SNR | station at %.0f, %.0f, %.0f dB\n",
	       chain_snrs[0], chain_snrs[1], chain_snrs[2]);
	for (unsigned f = 0; f < N_FAMILIES; f++) {
		printf("  %-17s", family_jigs[f]);
		for (unsigned q = 0; q < N_SNR; q++)
			printf(" %2.0f: %6.2f%%/%u", snrs[q], pct(stats_correct(&r->cs[f][q]), r->cs[f][q].observable), r->cs[f][q].false_pass);
		printf(" |");
		for (unsigned q = 0; q < N_CHAIN_SNR; q++)
			printf(" %6.2f%%/%u", pct(stats_correct(&r->scs[f][q]), r->scs[f][q].observable), r->scs[f][q].false_pass);
		printf("\n");
	}

}

void report_plot(const struct results *r, const char *dir)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/accuracy.dat", dir);
	mkdir(dir, 0755);
	FILE *dat = fopen(path, "w");
	if (dat) {
		fprintf(dat, "# snr_db level_rms_db phase_rms_deg latency_rms_frames accuracy_pct false_pass_pct "
		             "station_accuracy_pct\n");
		for (unsigned q = 0; q < N_SNR; q++) {
			const struct chain_stats *c = &r->ch[0][q];
			double sa = NAN;
			for (unsigned x = 0; x < N_CHAIN_SNR; x++)
				if (chain_snrs[x] == snrs[q])
					sa = pct(stats_correct(&r->stot[x]), r->stot[x].observable);
			fprintf(dat, "%.0f %.6f %.6f %.6f %.4f %.4f %.4f\n", snrs[q],
			        c->n_paths ? sqrt(c->level_sq / c->n_paths) : NAN, c->n_paths ? sqrt(c->phase_sq / c->n_paths) : NAN,
			        c->n_lat ? sqrt(c->lat_sq / c->n_lat) : NAN, pct(stats_correct(&r->tot[q]), r->tot[q].observable),
			        pct(r->tot[q].false_pass, r->tot[q].observable), sa);
		}
		fclose(dat);
		printf("\ndata: %s\n", path);
		plot(dir);
	}

}

void report_json(const struct results *r)
{
	{
		printf("{");
		for (unsigned q = 0; q < N_SNR; q++) {
			int d = (int)snrs[q];
			const struct class_stats *t = &r->tot[q];
			struct chain_stats c = r->ch[0][q], o = r->ch[1][q];
			printf("%s\"accuracy_%ddb\": %.4f, \"false_pass_%ddb\": %u, \"observable_%ddb\": %u, "
			       "\"low_snr_errors_%ddb\": %u, \"exact_%ddb\": %u, \"disclosed_%ddb\": %u, \"wrong_%ddb\": %u, "
			       "\"good_pass_rate_%ddb\": %.3f, "
			       "\"level_err_rms_db_%ddb\": %.5f, \"level_err_max_db_%ddb\": %.5f, "
			       "\"phase_err_rms_deg_%ddb\": %.4f, \"phase_err_max_deg_%ddb\": %.4f, "
			       "\"latency_err_rms_frames_%ddb\": %.5f, \"latency_err_max_frames_%ddb\": %.5f, "
			       "\"latency_missed_%ddb\": %u, \"latency_undecided_%ddb\": %u, \"probe_frames_%ddb\": %.0f, "
			       "\"windows_%ddb\": %.0f, \"plan_ms_%ddb\": %.1f, \"snr_seen_%ddb\": %.1f, "
			       "\"old_latency_missed_%ddb\": %u, \"old_level_err_rms_db_%ddb\": %.5f",
			       q ? ", " : "", d, pct(stats_correct(t), t->observable) / 100.0, d, t->false_pass, d, t->observable, d,
			       t->honest_error, d, t->exact, d, t->disclosed, d, t->wrong_wiring + t->wrong_codes, d,
			       t->good_trials ? (double)t->good_pass / t->good_trials : 0.0, d,
			       c.n_paths ? sqrt(c.level_sq / c.n_paths) : NAN, d, c.level_max, d,
			       c.n_paths ? sqrt(c.phase_sq / c.n_paths) : NAN, d, c.phase_max, d,
			       c.n_lat ? sqrt(c.lat_sq / c.n_lat) : NAN, d, c.lat_max, d, c.missed, d, c.undecided, d,
			       median_of(c.probe, c.n_plan), d, median_of(c.windows, c.n_plan), d,
			       median_of(c.plan_ms, c.n_plan), d, median_of(c.snr, c.n_plan), d, o.missed, d,
			       o.n_paths ? sqrt(o.level_sq / o.n_paths) : NAN);
		}
		for (unsigned q = 0; q < N_CHAIN_SNR; q++) {
			int d = (int)chain_snrs[q];
			const struct class_stats *t = &r->stot[q];
			printf(", \"station_accuracy_%ddb\": %.4f, \"station_false_pass_%ddb\": %u, \"station_observable_%ddb\": %u, "
			       "\"station_errors_%ddb\": %u, \"station_miswired_%ddb\": %u, \"station_exact_%ddb\": %u, "
			       "\"station_disclosed_%ddb\": %u, \"station_clipped_%ddb\": %u, \"station_no_round_trip_%ddb\": %u, "
			       "\"station_good_pass_%ddb\": %.3f",
			       d, pct(stats_correct(t), t->observable) / 100.0, d, t->false_pass, d, t->observable, d, t->honest_error,
			       d, t->wrong_wiring + t->wrong_codes, d, t->exact, d, t->disclosed, d, t->clipped, d, t->unaligned, d,
			       t->good_trials ? (double)t->good_pass / t->good_trials : 0.0);
		}
		static const char *const dkeys[4] = { "quiet", "long", "long_uncorrected", "old" };
		for (unsigned c = 0; c < 4; c++)
			for (unsigned q = 0; q < N_DRIFT; q++)
				printf(", \"drift_%s_%+.0fppm_level_db\": %.5f, \"drift_%s_%+.0fppm_phase_deg\": %.4f", dkeys[c],
				       drift_ppms[q], r->dr[c][q].level_db, dkeys[c], drift_ppms[q], r->dr[c][q].phase_deg);
		unsigned fp = 0;
		for (unsigned q = 0; q < N_SNR; q++)
			fp += r->tot[q].false_pass;
		for (unsigned q = 0; q < N_CHAIN_SNR; q++)
			fp += r->stot[q].false_pass;
		printf(", \"corpus_cases\": %u, \"false_pass\": %u, \"snr_ref_bandwidth_hz\": %.1f, \"observable_chi2\": %.1f, "
		       "\"second_fault_chi2\": %.1f}\n", r->tot[0].cases, fp, REF_BANDWIDTH_HZ, observable_chi2(),
		       second_fault_chi2());
	}
}
