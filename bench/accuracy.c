/* bench/accuracy: level, phase and latency error and classification accuracy over the single+double fault corpus, against SNR. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "classify.h"
#include "measure.h"
#include "network.h"
#include "profiles.h"
#include "stimulus.h"

#ifndef TW_BENCH_DIR
#define TW_BENCH_DIR "."
#endif

#define RATE 48000
static const double snrs[] = { 40.0, 30.0, 20.0, 10.0 };
#define N_SNR (sizeof(snrs) / sizeof(snrs[0]))
#define CHAIN_TRIALS 40
/* Round trips like a USB interface's (DESIGN §4: 64..512 frames), with a
 * fractional part so the refinement has something to find. */
#define LAT_MIN 64.0
#define LAT_MAX 512.0
/* Half length of the windowed-sinc fractional delay, frames. */
#define FD_HALF 24
/* Fault values: a short is a solder bridge, a high resistance a cold joint
 * ten times the default limit (classify_limits_default: 2 ohms). */
#define SHORT_OHMS 0.5
#define HIGH_R_OHMS 20.0
/* A fault is observable when some path of the jig moves by this many noise
 * standard deviations; below 2 it is lost in the noise. Between the two the
 * classifier may honestly pass or fail it: reported, not scored. */
#define OBSERVABLE_SIGMA 6.0
#define INVISIBLE_SIGMA 2.0
/* The named wiring explains the truth when its prediction is this close on every path. */
#define EXPLAINS_SIGMA 3.0

struct family {
	const char *key, *jig, *cable;
};

static const struct family families[] = {
	{ "trs", "stereo-trs", "trs-3.5-extension" },
	{ "trrs_stereo", "stereo-trrs-ctia", "trrs-ctia-extension" },
	{ "trrs", "trrs-4ch", "trrs-ctia-extension" },
	{ "balanced44", "trrrs-5ch", "trrrs-4.4-extension" },
	{ "iem", "stereo-iem-2pin", "trs-3.5-to-2pin-iem" },
};
#define N_FAMILIES (sizeof(families) / sizeof(families[0]))

static uint64_t rng = 0x6a09e667f3bcc909ull;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((rng >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
	return sqrt(-2.0 * log(uniform())) * cos(2.0 * M_PI * uniform());
}

static double wrap_deg(double d)
{
	return d - 360.0 * round(d / 360.0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_of(double *v, unsigned n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct station {
	struct tw_jig jig;
	struct tw_cable cable;
	struct fixture fx;
	struct wiring expected;
	double eg[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];
	double strongest[FIXTURE_MAX_CHANNELS];   /* largest |expected gain| of each output's tone */
	struct toneplan plan;
};

static int station_load(const struct family *fam, network *net, struct station *s)
{
	struct profiles prof;
	char err[PROFILE_ERR_MAX];
	profiles_init(&prof, NULL);
	if (profiles_load_jig(&prof, fam->jig, &s->jig, err) < 0 ||
	    profiles_load_cable(&prof, fam->cable, &s->cable, err) < 0 ||
	    profiles_fixture(&s->jig, &s->cable, &s->fx, &s->expected, err) < 0) {
		fprintf(stderr, "accuracy: %s\n", err);
		return -EINVAL;
	}
	int e = fixture_gains(&s->fx, &s->expected, net, s->eg);
	if (e < 0)
		return e;
	unsigned no = s->fx.n_outputs;
	for (unsigned k = 0; k < no; k++) {
		s->strongest[k] = 0;
		for (unsigned i = 0; i < s->fx.n_inputs; i++)
			s->strongest[k] = fmax(s->strongest[k], fabs(s->eg[i * no + k]));
	}
	return toneplan_make(&s->plan, no, RATE, toneplan_default_window(RATE));
}

/* ---- the measurement chain: stimulus -> cable -> noise -> measure_analyze ---- */

struct chain_stats {
	double level_sq, level_max, phase_sq, phase_max, lat_sq, lat_max;
	unsigned n_paths, n_lat, missed, trials;
	double snr_seen[CHAIN_TRIALS * FIXTURE_MAX_CHANNELS];
	unsigned n_snr;
};

static double fd_tap(double u)
{
	if (fabs(u) >= FD_HALF)
		return 0.0;
	double s = fabs(u) < 1e-12 ? 1.0 : sin(M_PI * u) / (M_PI * u);
	/* Hann taper over the kernel's support */
	return s * (0.5 + 0.5 * cos(M_PI * u / FD_HALF));
}

static int chain_bench(const struct station *s, network *net, struct chain_stats st[N_SNR])
{
	unsigned no = s->fx.n_outputs, ni = s->fx.n_inputs;
	char err[MEASURE_ERR_MAX];
	struct measure_cfg mc = { .rate = RATE, .n_outputs = no, .n_inputs = ni };
	measure *m = measure_create(&mc, err);
	if (!m) {
		fprintf(stderr, "accuracy: %s\n", err);
		return -EINVAL;
	}
	(void)net;
	const struct measure_timeline *tl = measure_timeline(m);
	const struct toneplan *p = measure_plan(m);
	unsigned frames = tl->capture_max;
	unsigned total = frames + 2 * FD_HALF + 2;
	struct stimulus_cfg sc = { .plan = p, .probe_frames = tl->probe, .fade_frames = tl->fade,
	                           .seed = measure_seed(m) };
	stimulus *stim = stimulus_create(&sc);
	float *src = calloc((size_t)total * no, sizeof(float));
	double *played = calloc((size_t)frames * no, sizeof(double));
	float *cap = calloc((size_t)frames * ni, sizeof(float));
	int rc = -ENOMEM;
	if (!stim || !src || !played || !cap)
		goto out;
	stimulus_render(stim, src, total);

	for (unsigned q = 0; q < N_SNR; q++) {
		memset(&st[q], 0, sizeof(st[q]));
		for (unsigned t = 0; t < CHAIN_TRIALS; t++) {
			double tau = LAT_MIN + (LAT_MAX - LAT_MIN) * uniform();
			double ti = floor(tau), tf = tau - ti;
			double tap[2 * FD_HALF + 1];
			for (int d = -FD_HALF; d <= FD_HALF; d++)
				tap[d + FD_HALF] = fd_tap(d - tf);
			/* what the cable receives: the stimulus tau frames late */
			for (unsigned o = 0; o < no; o++) {
				for (unsigned f = 0; f < frames; f++) {
					double v = 0;
					for (int d = -FD_HALF; d <= FD_HALF; d++) {
						long k = (long)f - (long)ti - d;
						if (k >= 0 && k < (long)total)
							v += tap[d + FD_HALF] * src[(size_t)k * no + o];
					}
					played[(size_t)f * no + o] = v;
				}
			}
			/* white noise whose power in one FFT bin is snr dB below the
			 * weakest of the good cable's strongest tones: a tone of peak a
			 * fills a bin with (a N/2)^2, noise of rms sigma with N sigma^2 */
			double a = INFINITY;
			for (unsigned k = 0; k < no; k++)
				a = fmin(a, s->strongest[k] * p->amplitude[k]);
			double sigma = a * sqrt((double)p->window) / 2.0 * pow(10.0, -snrs[q] / 20.0);
			for (unsigned f = 0; f < frames; f++) {
				for (unsigned i = 0; i < ni; i++) {
					double v = sigma * gauss();
					for (unsigned o = 0; o < no; o++)
						v += s->eg[i * no + o] * played[(size_t)f * no + o];
					cap[(size_t)f * ni + i] = (float)v;
				}
			}
			struct measurement me;
			st[q].trials++;
			if (measure_analyze(m, cap, frames, &me) < 0 || !me.coarse.found) {
				st[q].missed++;
				continue;
			}
			double le = me.latency_frames - tau;
			st[q].lat_sq += le * le;
			st[q].lat_max = fmax(st[q].lat_max, fabs(le));
			st[q].n_lat++;
			for (unsigned i = 0; i < ni; i++) {
				for (unsigned k = 0; k < no; k++) {
					double g = s->eg[i * no + k];
					/* the paths a cable is built for; the rest is leakage */
					if (fabs(g) < 0.5 * s->strongest[k])
						continue;
					const struct tone_result *r = &me.an.h[i][k];
					double lv = r->gain_db - 20.0 * log10(fabs(g));
					double ph = wrap_deg(r->phase_deg - (g < 0 ? 180.0 : 0.0));
					st[q].level_sq += lv * lv;
					st[q].level_max = fmax(st[q].level_max, fabs(lv));
					st[q].phase_sq += ph * ph;
					st[q].phase_max = fmax(st[q].phase_max, fabs(ph));
					st[q].n_paths++;
					if (st[q].n_snr < CHAIN_TRIALS * FIXTURE_MAX_CHANNELS)
						st[q].snr_seen[st[q].n_snr++] = r->snr_db;
				}
			}
		}
	}
	rc = 0;
out:
	free(src);
	free(played);
	free(cap);
	stimulus_destroy(stim);
	measure_destroy(m);
	return rc;
}

/* ---- the fault corpus: every single and double fault of the expected wiring ---- */

enum kind { K_SWAP = 0, K_OPEN, K_SHORT, K_HIGH_R, K_COUNT };
static const char *kind_names[K_COUNT] = { "swap", "open", "short", "high_r" };

struct fault_spec {
	enum kind kind;
	int p, q;            /* conductors (swap, open, high_r: p) or near contacts (short) */
};

/* Codes a classifier may truthfully use for a fault of each kind. */
static int code_allowed(enum kind k, enum fault_code c)
{
	switch (k) {
	case K_SWAP:
		return c == FAULT_LR_SWAP || c == FAULT_POLARITY_INVERTED || c == FAULT_CTIA_OMTP_MISMATCH ||
		       c == FAULT_TRRS_IN_TRS || c == FAULT_MISWIRE;
	case K_OPEN:
		return c == FAULT_OPEN || c == FAULT_NO_SIGNAL;
	case K_SHORT:
		return c == FAULT_SHORT || c == FAULT_TRRS_IN_TRS || c == FAULT_CROSSTALK;
	case K_HIGH_R:
		return c == FAULT_HIGH_RESISTANCE || c == FAULT_CROSSTALK;
	default:
		return 0;
	}
}

static unsigned corpus_singles(const struct station *s, struct fault_spec *out, unsigned max)
{
	const struct wiring *e = &s->expected;
	unsigned n = 0;
	for (unsigned i = 0; i < e->n; i++)
		for (unsigned j = i + 1; j < e->n; j++)
			if (n < max && e->c[i].b != e->c[j].b && e->c[i].a != e->c[j].a)
				out[n++] = (struct fault_spec){ K_SWAP, (int)i, (int)j };
	for (unsigned i = 0; i < e->n; i++)
		if (n < max)
			out[n++] = (struct fault_spec){ K_OPEN, (int)i, -1 };
	for (unsigned i = 0; i < e->n; i++)
		for (unsigned j = i + 1; j < e->n; j++)
			if (n < max && e->c[i].a != e->c[j].a)
				out[n++] = (struct fault_spec){ K_SHORT, e->c[i].a, e->c[j].a };
	for (unsigned i = 0; i < e->n; i++)
		if (n < max)
			out[n++] = (struct fault_spec){ K_HIGH_R, (int)i, -1 };
	return n;
}

static void apply_faults(const struct wiring *e, const struct fault_spec *f, unsigned nf, struct wiring *w)
{
	struct wiring t = *e;
	int gone[WIRING_MAX] = { 0 };
	for (unsigned x = 0; x < nf; x++) {
		switch (f[x].kind) {
		case K_SWAP: {
			int b = t.c[f[x].p].b;
			t.c[f[x].p].b = t.c[f[x].q].b;
			t.c[f[x].q].b = b;
			break;
		}
		case K_OPEN: gone[f[x].p] = 1; break;
		case K_HIGH_R: t.c[f[x].p].ohms += HIGH_R_OHMS; break;
		default: break;
		}
	}
	w->n = 0;
	for (unsigned i = 0; i < t.n; i++)
		if (!gone[i])
			w->c[w->n++] = t.c[i];
	for (unsigned x = 0; x < nf; x++)
		if (f[x].kind == K_SHORT && w->n < WIRING_MAX)
			w->c[w->n++] = (struct conductor){ f[x].p, f[x].q, SHORT_OHMS };
}

struct class_stats {
	unsigned cases, invisible, marginal, marginal_pass, observable;
	unsigned correct, false_pass, honest_error, wrong_wiring, wrong_codes;
	unsigned good_trials, good_pass;
	double us_sum;
};

/* The analysis a perfect analyzer gives for gains g: complex Gaussian noise
 * of rms sigma[k] on every H of tone k. */
static void synth(const struct station *s, const double *g, const double *sigma, struct analysis *an)
{
	unsigned no = s->fx.n_outputs, ni = s->fx.n_inputs;
	memset(an, 0, sizeof(*an));
	an->n_inputs = ni;
	an->n_tones = no;
	for (unsigned i = 0; i < ni; i++) {
		double noise_pow = 0;
		for (unsigned k = 0; k < no; k++) {
			struct tone_result *r = &an->h[i][k];
			double amp = s->plan.amplitude[k];
			r->re = g[i * no + k] + sigma[k] * M_SQRT1_2 * gauss();
			r->im = sigma[k] * M_SQRT1_2 * gauss();
			r->gain = hypot(r->re, r->im);
			r->gain_db = r->gain > 0 ? 20.0 * log10(r->gain) : -400.0;
			r->phase_deg = atan2(r->im, r->re) * 180.0 / M_PI;
			r->level_dbfs = r->gain > 0 ? 20.0 * log10(amp * r->gain) : -400.0;
			r->noise_dbfs = 20.0 * log10(amp * sigma[k]);
			r->snr_db = r->level_dbfs - r->noise_dbfs;
			an->peak[i] += amp * r->gain;
			noise_pow += amp * amp * sigma[k] * sigma[k];
		}
		an->noise_dbfs[i] = 10.0 * log10(noise_pow / no + 1e-30);
	}
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int class_bench(const struct station *s, network *net, double snr, const struct classify_limits *lim,
                       struct class_stats *cs, FILE *log)
{
	unsigned no = s->fx.n_outputs, ni = s->fx.n_inputs;
	struct fault_spec singles[256];
	unsigned ns = corpus_singles(s, singles, 256);
	double sigma[FIXTURE_MAX_CHANNELS];
	double g[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS], gb[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];
	classifier *c = classifier_create(&s->fx, &s->expected, lim);
	if (!c)
		return -EINVAL;
	for (unsigned k = 0; k < no; k++)
		sigma[k] = (s->strongest[k] > 0 ? s->strongest[k] : 1.0) * pow(10.0, -snr / 20.0);

	struct analysis an;
	struct classification cl;
	/* the good cable, a few noise draws */
	for (unsigned t = 0; t < 20; t++) {
		synth(s, s->eg, sigma, &an);
		classifier_run(c, &an, &cl);
		cs->good_trials++;
		cs->good_pass += cl.verdict == VERDICT_PASS;
		if (log && cl.verdict != VERDICT_PASS)
			fprintf(log, "%s %.0f dB: good cable read %s %s (%.2f)\n", s->jig.name, snr,
			        verdict_name(cl.verdict), cl.n_faults ? fault_code_name(cl.fault[0].code) : "-",
			        cl.n_faults ? cl.fault[0].value : 0.0);
	}
	for (unsigned a = 0; a < ns; a++) {
		for (unsigned b = a; b < ns; b++) {
			struct fault_spec f[2] = { singles[a], singles[b] };
			unsigned nf = a == b ? 1 : 2;
			struct wiring w;
			apply_faults(&s->expected, f, nf, &w);
			if (fixture_gains(&s->fx, &w, net, g) < 0)
				continue;
			double dev = 0, reach = 0;
			for (unsigned i = 0; i < ni; i++)
				for (unsigned k = 0; k < no; k++) {
					dev = fmax(dev, fabs(g[i * no + k] - s->eg[i * no + k]) / sigma[k]);
					reach = fmax(reach, fabs(g[i * no + k]) / sigma[k]);
				}
			cs->cases++;
			synth(s, g, sigma, &an);
			double t0 = now_us();
			classifier_run(c, &an, &cl);
			cs->us_sum += now_us() - t0;
			if (dev < INVISIBLE_SIGMA) {
				cs->invisible++;
				continue;
			}
			if (dev < OBSERVABLE_SIGMA) {
				cs->marginal++;
				cs->marginal_pass += cl.verdict == VERDICT_PASS;
				continue;
			}
			cs->observable++;
			if (cl.verdict == VERDICT_PASS) {
				cs->false_pass++;
				if (log)
					fprintf(log, "%s %.0f dB: FALSE PASS %s(%d,%d)%s%s (%.1f sigma)\n", s->jig.name, snr,
					        kind_names[f[0].kind], f[0].p, f[0].q, nf > 1 ? " + " : "",
					        nf > 1 ? kind_names[f[1].kind] : "", dev);
				continue;
			}
			if (cl.verdict == VERDICT_ERROR) {
				/* nothing left to measure: "no signal" is the right answer */
				int silent = reach < OBSERVABLE_SIGMA && cl.n_faults &&
				             cl.fault[0].code == FAULT_NO_SIGNAL;
				if (silent)
					cs->correct++;
				else
					cs->honest_error++;
				continue;
			}
			/* fail: does the named wiring explain what the truth predicts? */
			int explains = fixture_gains(&s->fx, &cl.best, net, gb) == 0;
			for (unsigned i = 0; explains && i < ni; i++)
				for (unsigned k = 0; k < no; k++)
					if (fabs(gb[i * no + k] - g[i * no + k]) > EXPLAINS_SIGMA * sigma[k])
						explains = 0;
			int codes = cl.n_faults > 0;
			for (unsigned x = 0; codes && x < cl.n_faults; x++) {
				int ok = 0;
				for (unsigned y = 0; y < nf; y++)
					ok |= code_allowed(f[y].kind, cl.fault[x].code);
				/* a wiring the jig cannot tell from the truth may carry the alias's name */
				codes = ok || explains;
			}
			if (explains && codes)
				cs->correct++;
			else if (!explains)
				cs->wrong_wiring++;
			else
				cs->wrong_codes++;
			if (log && !(explains && codes))
				fprintf(log, "%s %.0f dB: %s %s(%d,%d)%s%s read as %s (%.1f sigma)\n", s->jig.name, snr,
				        explains ? "codes" : "wiring", kind_names[f[0].kind], f[0].p, f[0].q,
				        nf > 1 ? " + " : "", nf > 1 ? kind_names[f[1].kind] : "",
				        cl.n_faults ? fault_code_name(cl.fault[0].code) : "-", dev);
		}
	}
	classifier_destroy(c);
	return 0;
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
	         "set title 'tonewire accuracy vs SNR per tone (48 kHz)'; set xlabel 'SNR per tone (dB)'; "
	         "set xrange [5:45]; set xtics (10,20,30,40); set ylabel 'classification accuracy, false-pass rate (%%)'; "
	         "set yrange [-5:105]; set y2label 'level error rms (dB), phase error rms (deg)'; set logscale y2; "
	         "set y2tics; set key bottom right; set grid; "
	         "plot '%s/accuracy.dat' using 1:5 with linespoints lw 2 title 'classification accuracy (%%)', "
	         "'' using 1:6 with linespoints lw 2 title 'false passes (%%)', "
	         "'' using 1:2 axes x1y2 with linespoints title 'level error rms (dB)', "
	         "'' using 1:3 axes x1y2 with linespoints title 'phase error rms (deg)', "
	         "'' using 1:4 axes x1y2 with linespoints title 'latency error rms (frames)'\" 2>&1",
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

int main(int argc, char **argv)
{
	int as_json = 0;
	const char *dir = TW_BENCH_DIR, *logpath = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			as_json = 1;
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--log") && i + 1 < argc)
			logpath = argv[++i];
		else {
			fprintf(stderr, "usage: accuracy [--json] [--out DIR] [--log FILE]\n");
			return 2;
		}
	}
	network *net = network_create();
	static struct station st[N_FAMILIES];
	static struct chain_stats ch[N_SNR];
	static struct class_stats cs[N_FAMILIES][N_SNR];
	struct class_stats tot[N_SNR], prof_cs[N_SNR];
	FILE *log = logpath ? fopen(logpath, "w") : NULL;
	memset(tot, 0, sizeof(tot));
	memset(prof_cs, 0, sizeof(prof_cs));
	if (!net)
		return 1;
	for (unsigned f = 0; f < N_FAMILIES; f++)
		if (station_load(&families[f], net, &st[f]) < 0)
			return 1;

	/* the chain on the 5-contact cable (trrrs-5ch) */
	if (chain_bench(&st[3], net, ch) < 0)
		return 1;
	for (unsigned f = 0; f < N_FAMILIES; f++) {
		for (unsigned q = 0; q < N_SNR; q++) {
			/* the classifier's documented limits (classify_limits_default:
			 * 20 dB minimum SNR), which issue 4's corpus target is stated for */
			class_bench(&st[f], net, snrs[q], NULL, &cs[f][q], log);
			/* the station as shipped: the profiles' limits ask for 40 dB */
			class_bench(&st[f], net, snrs[q], &st[f].cable.limits, &prof_cs[q], NULL);
			struct class_stats *c = &cs[f][q], *t = &tot[q];
			t->cases += c->cases;
			t->invisible += c->invisible;
			t->marginal += c->marginal;
			t->marginal_pass += c->marginal_pass;
			t->observable += c->observable;
			t->correct += c->correct;
			t->false_pass += c->false_pass;
			t->honest_error += c->honest_error;
			t->wrong_wiring += c->wrong_wiring;
			t->wrong_codes += c->wrong_codes;
			t->good_trials += c->good_trials;
			t->good_pass += c->good_pass;
			t->us_sum += c->us_sum;
		}
	}
	if (log)
		fclose(log);

	printf("Measurement chain (stimulus -> 5-contact cable on trrrs-5ch -> white noise -> measure_analyze),\n"
	       "%d trials per SNR, round trip %.0f..%.0f frames with a fractional part, 48 kHz\n\n",
	       CHAIN_TRIALS, LAT_MIN, LAT_MAX);
	printf("%8s %10s %13s %13s %13s %13s %13s %11s %7s\n", "SNR dB", "seen dB", "level rms dB",
	       "level max dB", "phase rms deg", "phase max deg", "latency rms", "latency max", "missed");
	double acc[N_SNR], fpr[N_SNR], lrms[N_SNR], prms[N_SNR], trms[N_SNR];
	for (unsigned q = 0; q < N_SNR; q++) {
		struct chain_stats *c = &ch[q];
		lrms[q] = c->n_paths ? sqrt(c->level_sq / c->n_paths) : NAN;
		prms[q] = c->n_paths ? sqrt(c->phase_sq / c->n_paths) : NAN;
		trms[q] = c->n_lat ? sqrt(c->lat_sq / c->n_lat) : NAN;
		printf("%8.0f %10.1f %13.4f %13.4f %13.3f %13.3f %13.4f %11.4f %4u/%u\n", snrs[q],
		       median_of(c->snr_seen, c->n_snr), lrms[q], c->level_max, prms[q], c->phase_max, trms[q],
		       c->lat_max, c->missed, c->trials);
	}
	printf("(latency in frames; 'seen' = the analyzer's own SNR per tone, median)\n\n");

	printf("Classification over every single and double fault (swap, open, 0.5 ohm short, +20 ohm) of\n"
	       "%u jig/cable pairs, H predicted by the network solver plus noise of that SNR per tone\n\n",
	       (unsigned)N_FAMILIES);
	printf("%8s %7s %10s %9s %10s %9s %10s %7s %9s %8s %10s %9s\n", "SNR dB", "cases", "observable",
	       "correct", "accuracy", "false", "false-pass", "error", "miswired", "codes", "good pass",
	       "us/case");
	for (unsigned q = 0; q < N_SNR; q++) {
		struct class_stats *t = &tot[q];
		acc[q] = t->observable ? (double)t->correct / t->observable : NAN;
		fpr[q] = t->observable ? (double)t->false_pass / t->observable : NAN;
		printf("%8.0f %7u %10u %9u %9.2f%% %9u %9.2f%% %7u %9u %8u %5u/%-4u %9.1f\n", snrs[q], t->cases,
		       t->observable, t->correct, 100.0 * acc[q], t->false_pass, 100.0 * fpr[q], t->honest_error,
		       t->wrong_wiring, t->wrong_codes, t->good_pass, t->good_trials,
		       t->cases ? t->us_sum / t->cases : 0.0);
	}
	printf("observable = some path moves >= %.0f sigma; %u..%u cases between %.0f and %.0f sigma are not scored\n"
	       "(of which passed: see JSON); error = an honest 'error' verdict (low_snr), never a pass;\n"
	       "miswired = 'fail' naming a wiring that does not predict the truth; codes = right wiring, codes\n"
	       "of another fault kind; good pass = good-cable draws that passed.\n\n",
	       OBSERVABLE_SIGMA, tot[0].marginal, tot[N_SNR - 1].marginal, INVISIBLE_SIGMA, OBSERVABLE_SIGMA);
	printf("with the cable profiles' limits (min_snr_db 40, as tonewire run uses them):\n");
	for (unsigned q = 0; q < N_SNR; q++)
		printf("  %2.0f dB: correct %u/%u, false passes %u, low_snr errors %u, good cable passed %u/%u\n", snrs[q],
		       prof_cs[q].correct, prof_cs[q].observable, prof_cs[q].false_pass, prof_cs[q].honest_error,
		       prof_cs[q].good_pass, prof_cs[q].good_trials);
	printf("\nper jig at each SNR (accuracy %% / false passes):\n");
	for (unsigned f = 0; f < N_FAMILIES; f++) {
		printf("  %-18s", families[f].jig);
		for (unsigned q = 0; q < N_SNR; q++) {
			struct class_stats *c = &cs[f][q];
			printf("  %2.0f dB: %6.2f%% / %u", snrs[q],
			       c->observable ? 100.0 * c->correct / c->observable : 0.0, c->false_pass);
		}
		printf("\n");
	}

	char path[512];
	snprintf(path, sizeof(path), "%s/accuracy.dat", dir);
	mkdir(dir, 0755);
	FILE *dat = fopen(path, "w");
	if (dat) {
		fprintf(dat, "# snr_db level_rms_db phase_rms_deg latency_rms_frames accuracy_pct false_pass_pct\n");
		for (unsigned q = 0; q < N_SNR; q++)
			fprintf(dat, "%.0f %.6f %.6f %.6f %.4f %.4f\n", snrs[q], lrms[q], prms[q], trms[q], 100.0 * acc[q],
			        100.0 * fpr[q]);
		fclose(dat);
		printf("\ndata: %s\n", path);
		plot(dir);
	}

	if (as_json) {
		printf("{");
		for (unsigned q = 0; q < N_SNR; q++) {
			int d = (int)snrs[q];
			struct class_stats *t = &tot[q];
			printf("%s\"accuracy_%ddb\": %.4f, \"false_pass_%ddb\": %u, \"observable_%ddb\": %u, "
			       "\"low_snr_errors_%ddb\": %u, \"marginal_passed_%ddb\": %u, \"good_pass_rate_%ddb\": %.3f, "
			       "\"level_err_rms_db_%ddb\": %.5f, \"level_err_max_db_%ddb\": %.5f, "
			       "\"phase_err_rms_deg_%ddb\": %.4f, \"phase_err_max_deg_%ddb\": %.4f, "
			       "\"latency_err_rms_frames_%ddb\": %.5f, \"latency_err_max_frames_%ddb\": %.5f, "
			       "\"latency_missed_%ddb\": %u",
			       q ? ", " : "", d, acc[q], d, t->false_pass, d, t->observable, d, t->honest_error, d,
			       t->marginal_pass, d, t->good_trials ? (double)t->good_pass / t->good_trials : 0.0, d,
			       lrms[q], d, ch[q].level_max, d, prms[q], d, ch[q].phase_max, d, trms[q], d, ch[q].lat_max,
			       d, ch[q].missed);
		}
		for (unsigned q = 0; q < N_SNR; q++)
			printf(", \"station_false_pass_%ddb\": %u, \"station_low_snr_errors_%ddb\": %u", (int)snrs[q],
			       prof_cs[q].false_pass, (int)snrs[q], prof_cs[q].honest_error);
		printf(", \"corpus_cases\": %u, \"false_pass\": %u}\n", tot[0].cases, tot[0].false_pass + tot[1].false_pass);
	}
	network_destroy(net);
	return 0;
}
