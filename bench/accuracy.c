/* bench/accuracy: the station's accuracy against noise — the measurement chain on the adaptive and the old plan, levels and phases against clock drift, and every single and double fault through the classifier alone and through the whole chain. */
#include "accuracy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "network.h"

#ifndef TW_BENCH_DIR
#define TW_BENCH_DIR "."
#endif

static const double snrs[] = { 40.0, 30.0, 20.0, 10.0 };
#define N_SNR (sizeof(snrs) / sizeof(snrs[0]))
/* The fault corpus through the whole chain at these (each takes a few
 * seconds per jig: a capture and a measurement per fault). At 20 dB per
 * tone the noise is louder than full scale on every jig (an 85 ms bin 20
 * dB over the noise is a tone 10 dB under it per sample, and tones play at
 * -15 dBFS): every input clips and the station says so. */
static const double chain_snrs[] = { 40.0, 30.0 };
#define N_CHAIN_SNR (sizeof(chain_snrs) / sizeof(chain_snrs[0]))
static const double drift_ppms[] = { 50.0, -50.0, 200.0, -200.0 };
#define N_DRIFT (sizeof(drift_ppms) / sizeof(drift_ppms[0]))
/* Fault values: a short is a solder bridge, a high resistance a cold joint
 * ten times the default limit (classify_limits_default: 2 ohms). */
#define SHORT_OHMS 0.5
#define HIGH_R_OHMS 20.0
/* A fault is observable when some path moves by this many of its standard
 * deviations; below 2 it is lost. Between the two the classifier may
 * honestly pass or fail it: reported, not scored. The deviation of an
 * entry is the classifier's own: the noise, and the model tolerance of an
 * uncalibrated jig (CLASSIFY_MODEL_TOLERANCE, 2 % of the gain), in
 * quadrature — a change the model cannot tell from component tolerance is
 * not one any station can promise to see, however quiet the bench. */
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
#define CHAIN_FAMILY 3   /* the 5-contact cable */

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

static int station_load(const struct family *fam, network *net, struct station *s)
{
	struct profiles prof;
	char err[PROFILE_ERR_MAX];
	profiles_init(&prof, NULL);
	s->key = fam->key;
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
	struct toneplan p;
	e = toneplan_make(&p, no, RATE, toneplan_default_window(RATE));
	s->amplitude = p.amplitude[0];
	return e;
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

static void add_stats(struct class_stats *t, const struct class_stats *c)
{
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

/* The standard deviation the classifier gives the real part of an entry of
 * gain g whose tone has complex noise sigma: half the noise power, plus its
 * model tolerance. */
static double entry_sd(double sigma, double g)
{
	double m = CLASSIFY_MODEL_TOLERANCE * g;
	return sqrt(0.5 * sigma * sigma + m * m);
}

/* One fault case's verdict scored against the truth (gains g, noise sigma
 * of each tone in units of H). */
static void score(const struct station *s, network *net, double snr, const struct fault_spec *f, unsigned nf,
                  const double *g, const double *sigma, const struct classification *cl, struct class_stats *cs,
                  FILE *log)
{
	unsigned no = s->fx.n_outputs, ni = s->fx.n_inputs;
	double gb[MAX_CH * MAX_CH];
	double dev = 0, reach = 0;
	for (unsigned i = 0; i < ni; i++)
		for (unsigned k = 0; k < no; k++) {
			unsigned x = i * no + k;
			double sd = entry_sd(sigma[k], fmax(fabs(g[x]), fabs(s->eg[x])));
			dev = fmax(dev, fabs(g[x] - s->eg[x]) / sd);
			reach = fmax(reach, fabs(g[x]) / sigma[k]);
		}
	cs->cases++;
	if (dev < INVISIBLE_SIGMA) {
		cs->invisible++;
		return;
	}
	if (dev < OBSERVABLE_SIGMA) {
		cs->marginal++;
		cs->marginal_pass += cl->verdict == VERDICT_PASS;
		return;
	}
	cs->observable++;
	if (cl->verdict == VERDICT_PASS) {
		cs->false_pass++;
		if (log)
			fprintf(log, "%s %.0f dB: FALSE PASS %s(%d,%d)%s%s (%.1f sigma)\n", s->jig.name, snr,
			        kind_names[f[0].kind], f[0].p, f[0].q, nf > 1 ? " + " : "", nf > 1 ? kind_names[f[1].kind] : "",
			        dev);
		return;
	}
	if (cl->verdict == VERDICT_ERROR) {
		/* nothing left to measure: "no signal" is the right answer */
		if (reach < OBSERVABLE_SIGMA && cl->n_faults && cl->fault[0].code == FAULT_NO_SIGNAL)
			cs->correct++;
		else
			cs->honest_error++;
		return;
	}
	/* fail: does the named wiring explain what the truth predicts? */
	int explains = fixture_gains(&s->fx, &cl->best, net, gb) == 0;
	for (unsigned i = 0; explains && i < ni; i++)
		for (unsigned k = 0; k < no; k++) {
			unsigned x = i * no + k;
			if (fabs(gb[x] - g[x]) > EXPLAINS_SIGMA * entry_sd(sigma[k], fmax(fabs(g[x]), fabs(gb[x]))))
				explains = 0;
		}
	int codes = cl->n_faults > 0;
	for (unsigned x = 0; codes && x < cl->n_faults; x++) {
		int ok = 0;
		for (unsigned y = 0; y < nf; y++)
			ok |= code_allowed(f[y].kind, cl->fault[x].code);
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
		        explains ? "codes" : "wiring", kind_names[f[0].kind], f[0].p, f[0].q, nf > 1 ? " + " : "",
		        nf > 1 ? kind_names[f[1].kind] : "", cl->n_faults ? fault_code_name(cl->fault[0].code) : "-", dev);
}

/* The analysis a perfect analyzer gives for gains g: complex Gaussian noise
 * of rms sigma[k] on every H of tone k. */
static void synth(const struct station *s, const double *g, const double *sigma, struct analysis *an)
{
	unsigned no = s->fx.n_outputs, ni = s->fx.n_inputs;
	double amp = s->amplitude;
	memset(an, 0, sizeof(*an));
	an->n_inputs = ni;
	an->n_tones = no;
	for (unsigned i = 0; i < ni; i++) {
		double noise_pow = 0;
		for (unsigned k = 0; k < no; k++) {
			struct tone_result *r = &an->h[i][k];
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

/* Every fault case of s, each given to visit() with its gains. */
typedef void (*case_fn)(void *ctx, const struct fault_spec *f, unsigned nf, const double *g);

static void each_case(const struct station *s, network *net, case_fn visit, void *ctx)
{
	struct fault_spec singles[256];
	unsigned ns = corpus_singles(s, singles, 256);
	double g[MAX_CH * MAX_CH];
	for (unsigned a = 0; a < ns; a++)
		for (unsigned b = a; b < ns; b++) {
			struct fault_spec f[2] = { singles[a], singles[b] };
			unsigned nf = a == b ? 1 : 2;
			struct wiring w;
			apply_faults(&s->expected, f, nf, &w);
			if (fixture_gains(&s->fx, &w, net, g) == 0)
				visit(ctx, f, nf, g);
		}
}

/* ---- the classifier alone: H predicted by the network solver plus noise ---- */

struct synth_ctx {
	const struct station *s;
	network *net;
	classifier *c;
	double snr, sigma[MAX_CH];
	struct class_stats *cs;
	FILE *log;
};

static void synth_case(void *ctx, const struct fault_spec *f, unsigned nf, const double *g)
{
	struct synth_ctx *x = ctx;
	struct analysis an;
	struct classification cl;
	synth(x->s, g, x->sigma, &an);
	double t0 = now_us();
	classifier_run(x->c, &an, &cl);
	x->cs->us_sum += now_us() - t0;
	score(x->s, x->net, x->snr, f, nf, g, x->sigma, &cl, x->cs, x->log);
}

static int class_bench(const struct station *s, network *net, double snr, const struct classify_limits *lim,
                       struct class_stats *cs, FILE *log)
{
	struct synth_ctx x = { .s = s, .net = net, .snr = snr, .cs = cs, .log = log };
	x.c = classifier_create(&s->fx, &s->expected, lim);
	if (!x.c)
		return -EINVAL;
	for (unsigned k = 0; k < s->fx.n_outputs; k++)
		x.sigma[k] = (s->strongest[k] > 0 ? s->strongest[k] : 1.0) * pow(10.0, -snr / 20.0);
	struct analysis an;
	struct classification cl;
	for (unsigned t = 0; t < 20; t++) {   /* the good cable, a few noise draws */
		synth(s, s->eg, x.sigma, &an);
		classifier_run(x.c, &an, &cl);
		cs->good_trials++;
		cs->good_pass += cl.verdict == VERDICT_PASS;
	}
	each_case(s, net, synth_case, &x);
	classifier_destroy(x.c);
	return 0;
}

/* ---- the station: every fault case captured and measured on the adaptive plan ---- */

struct chain_ctx {
	struct synth_ctx x;
	measure *m;
	struct world w;
	double *played;
	unsigned frames, probe, windows;
	unsigned measured;
};

/* The capture of gains g through the plan the station has now chosen. */
static int chain_measure(struct chain_ctx *c, const double *g, struct measurement *me)
{
	measure_begin(c->m);
	const struct measure_timeline *tl = measure_timeline(c->m);
	if (!c->played || tl->probe != c->probe || tl->windows != c->windows) {
		free(c->played);
		c->frames = tl->capture_max;
		c->played = world_played(c->m, &c->w, c->frames);
		c->probe = tl->probe;
		c->windows = tl->windows;
		if (!c->played)
			return -ENOMEM;
	}
	c->w.g = g;
	c->w.noise_at = (uint64_t)(uniform() * 4e9);
	float *cap = world_capture(&c->w, c->played, c->frames);
	int e = cap ? measure_analyze(c->m, cap, c->frames, me) : -ENOMEM;
	free(cap);
	return e;
}

static void chain_case(void *ctx, const struct fault_spec *f, unsigned nf, const double *g)
{
	struct chain_ctx *c = ctx;
	const struct station *s = c->x.s;
	struct measurement me;
	struct classification cl;
	if (chain_measure(c, g, &me) < 0)
		return;
	if (me.undecided)
		measure_undecided_classification(&me, &cl);
	else
		classifier_run(c->x.c, &me.an, &cl);
	/* the noise of H after the windows this measurement averaged:
	 * 2 sigma / (a sqrt(N W)) for a bin of N frames */
	double sigma[MAX_CH];
	const struct toneplan *p = measure_plan(c->m);
	for (unsigned k = 0; k < s->fx.n_outputs; k++)
		sigma[k] = 2.0 * c->w.sigma / (p->amplitude[k] * sqrt((double)p->window * me.windows));
	c->measured++;
	score(s, c->x.net, c->x.snr, f, nf, g, sigma, &cl, c->x.cs, c->x.log);
}

static int station_bench(const struct station *s, network *net, double snr, struct class_stats *cs, FILE *log)
{
	char err[MEASURE_ERR_MAX];
	struct measure_cfg mc = { .rate = RATE, .n_outputs = s->fx.n_outputs, .n_inputs = s->fx.n_inputs,
	                          .min_snr_db = s->cable.limits.min_snr_db };
	struct chain_ctx c = { .x = { .s = s, .net = net, .snr = snr, .cs = cs, .log = log } };
	c.x.c = classifier_create(&s->fx, &s->expected, &s->cable.limits);
	c.m = measure_create(&mc, err);
	c.w = (struct world){ .n_out = s->fx.n_outputs, .n_in = s->fx.n_inputs, .tau = 237.41,
	                      .sigma = sigma_for(s, snr) };
	int rc = -EINVAL;
	if (!c.x.c || !c.m)
		goto out;
	struct measurement me;
	struct classification cl;
	for (unsigned t = 0; t < 2 + 10; t++) {   /* the bench learnt, then the good cable */
		if (chain_measure(&c, s->eg, &me) < 0)
			goto out;
		if (t < 2)
			continue;
		if (me.undecided)
			measure_undecided_classification(&me, &cl);
		else
			classifier_run(c.x.c, &me.an, &cl);
		cs->good_trials++;
		cs->good_pass += cl.verdict == VERDICT_PASS;
		if (log && cl.verdict != VERDICT_PASS)
			fprintf(log, "%s %.0f dB station: good cable read %s %s\n", s->jig.name, snr,
			        verdict_name(cl.verdict), cl.n_faults ? fault_code_name(cl.fault[0].code) : "-");
	}
	each_case(s, net, chain_case, &c);
	rc = 0;
out:
	free(c.played);
	measure_destroy(c.m);
	classifier_destroy(c.x.c);
	return rc;
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
	         "set title 'tonewire accuracy vs SNR per tone (48 kHz)'; set xlabel 'SNR per tone, 85 ms bin (dB)'; "
	         "set xrange [5:45]; set xtics (10,20,30,40); set ylabel 'accuracy, false-pass rate (%%)'; "
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
	printf("%8s %7s %10s %9s %10s %9s %7s %9s %8s %10s\n", "SNR dB", "cases", "observable", "correct", "accuracy",
	       "false", "error", "miswired", "codes", "good pass");
}

static void print_class_row(double snr, const struct class_stats *t)
{
	printf("%8.0f %7u %10u %9u %9.2f%% %9u %7u %9u %8u %5u/%-4u\n", snr, t->cases, t->observable, t->correct,
	       pct(t->correct, t->observable), t->false_pass, t->honest_error, t->wrong_wiring, t->wrong_codes,
	       t->good_pass, t->good_trials);
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
	static struct chain_stats ch[2][N_SNR];
	static struct class_stats cs[N_FAMILIES][N_SNR], tot[N_SNR];
	static struct class_stats scs[N_FAMILIES][N_CHAIN_SNR], stot[N_CHAIN_SNR];
	static struct drift_stats dr[4][N_DRIFT];
	FILE *log = logpath ? fopen(logpath, "w") : NULL;
	if (!net || bank_init() < 0)
		return 1;
	for (unsigned f = 0; f < N_FAMILIES; f++)
		if (station_load(&families[f], net, &st[f]) < 0)
			return 1;
	const struct station *s5 = &st[CHAIN_FAMILY];
	unsigned no = s5->fx.n_outputs, ni = s5->fx.n_inputs;

	/* the chain, adaptive and old, on the 5-contact cable */
	struct measure_cfg adaptive = { .rate = RATE, .n_outputs = no, .n_inputs = ni,
	                                .min_snr_db = s5->cable.limits.min_snr_db };
	struct measure_cfg old = measure_cfg_fixed(RATE, no, ni);
	for (unsigned q = 0; q < N_SNR; q++) {
		if (chain_run(s5, &adaptive, snrs[q], &ch[0][q]) < 0 || chain_run(s5, &old, snrs[q], &ch[1][q]) < 0)
			return 1;
	}
	/* drift: the quiet plan, a long average, the same uncorrected, the old plan */
	struct measure_cfg dcfg[4] = { adaptive, adaptive, adaptive, old };
	dcfg[1].windows = dcfg[2].windows = 24;
	dcfg[2].keep_drift = dcfg[3].keep_drift = 1;
	for (unsigned c = 0; c < 4; c++)
		drift_run(s5, &dcfg[c], drift_ppms, N_DRIFT, dr[c]);

	for (unsigned f = 0; f < N_FAMILIES; f++) {
		for (unsigned q = 0; q < N_SNR; q++) {
			/* the classifier's documented limits (classify_limits_default), as shipped */
			class_bench(&st[f], net, snrs[q], NULL, &cs[f][q], log);
			add_stats(&tot[q], &cs[f][q]);
		}
		for (unsigned q = 0; q < N_CHAIN_SNR; q++) {
			station_bench(&st[f], net, chain_snrs[q], &scs[f][q], log);
			add_stats(&stot[q], &scs[f][q]);
		}
	}
	if (log)
		fclose(log);

	printf("Measurement chain (stimulus -> 5-contact cable on trrrs-5ch -> white noise -> measure_analyze),\n"
	       "%d trials per SNR after two that teach the plan the bench, round trip 64..512 frames with a\n"
	       "fractional part, 48 kHz. SNR per tone: the noise in one bin of an 85 ms window.\n\n", CHAIN_TRIALS);
	printf("%-9s %5s %6s %5s %7s %7s %9s %8s %8s %8s %9s %8s %s\n", "plan", "SNR", "probe", "wins", "plan ms",
	       "seen dB", "level rms", "max dB", "phase rms", "max deg", "lat rms", "max", "missed (undecided)");
	for (unsigned q = 0; q < N_SNR; q++) {
		print_chain("adaptive", &ch[0][q], snrs[q]);
		print_chain("old fixed", &ch[1][q], snrs[q]);
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
			printf("  %10.4f %7.3f %6.0f", dr[c][q].level_db, dr[c][q].phase_deg, dr[c][q].ppm_read);
		printf("\n");
	}

	printf("\nThe classifier alone over every single and double fault (swap, open, 0.5 ohm short, +20 ohm) of\n"
	       "%u jig/cable pairs, H predicted by the network solver plus noise of that SNR per tone\n\n",
	       (unsigned)N_FAMILIES);
	print_class_header();
	for (unsigned q = 0; q < N_SNR; q++)
		print_class_row(snrs[q], &tot[q]);
	printf("observable = some path moves >= %.0f of its sigma (noise and the 2 %% model tolerance of an\n"
	       "uncalibrated jig, as the classifier weighs it); error = an honest 'error' verdict (low_snr);\n"
	       "miswired = 'fail' naming a wiring that does not predict the truth; codes = right wiring, codes of\n"
	       "another fault kind; good pass = good-cable draws that passed.\n\n", OBSERVABLE_SIGMA);
	printf("The station: every fault captured and measured on the adaptive plan (the chain above), then\n"
	       "classified with the cable's limits; SNR per tone of the bench's noise, 85 ms bin\n\n");
	print_class_header();
	for (unsigned q = 0; q < N_CHAIN_SNR; q++)
		print_class_row(chain_snrs[q], &stot[q]);
	printf("\nper jig (accuracy %% / false passes): classifier alone at each SNR | station at %.0f, %.0f dB\n",
	       chain_snrs[0], chain_snrs[1]);
	for (unsigned f = 0; f < N_FAMILIES; f++) {
		printf("  %-17s", families[f].jig);
		for (unsigned q = 0; q < N_SNR; q++)
			printf(" %2.0f: %6.2f%%/%u", snrs[q], pct(cs[f][q].correct, cs[f][q].observable), cs[f][q].false_pass);
		printf(" |");
		for (unsigned q = 0; q < N_CHAIN_SNR; q++)
			printf(" %6.2f%%/%u", pct(scs[f][q].correct, scs[f][q].observable), scs[f][q].false_pass);
		printf("\n");
	}

	char path[512];
	snprintf(path, sizeof(path), "%s/accuracy.dat", dir);
	mkdir(dir, 0755);
	FILE *dat = fopen(path, "w");
	if (dat) {
		fprintf(dat, "# snr_db level_rms_db phase_rms_deg latency_rms_frames accuracy_pct false_pass_pct "
		             "station_accuracy_pct\n");
		for (unsigned q = 0; q < N_SNR; q++) {
			const struct chain_stats *c = &ch[0][q];
			double sa = NAN;
			for (unsigned r = 0; r < N_CHAIN_SNR; r++)
				if (chain_snrs[r] == snrs[q])
					sa = pct(stot[r].correct, stot[r].observable);
			fprintf(dat, "%.0f %.6f %.6f %.6f %.4f %.4f %.4f\n", snrs[q],
			        c->n_paths ? sqrt(c->level_sq / c->n_paths) : NAN, c->n_paths ? sqrt(c->phase_sq / c->n_paths) : NAN,
			        c->n_lat ? sqrt(c->lat_sq / c->n_lat) : NAN, pct(tot[q].correct, tot[q].observable),
			        pct(tot[q].false_pass, tot[q].observable), sa);
		}
		fclose(dat);
		printf("\ndata: %s\n", path);
		plot(dir);
	}

	if (as_json) {
		printf("{");
		for (unsigned q = 0; q < N_SNR; q++) {
			int d = (int)snrs[q];
			const struct class_stats *t = &tot[q];
			struct chain_stats c = ch[0][q], o = ch[1][q];
			printf("%s\"accuracy_%ddb\": %.4f, \"false_pass_%ddb\": %u, \"observable_%ddb\": %u, "
			       "\"low_snr_errors_%ddb\": %u, \"good_pass_rate_%ddb\": %.3f, "
			       "\"level_err_rms_db_%ddb\": %.5f, \"level_err_max_db_%ddb\": %.5f, "
			       "\"phase_err_rms_deg_%ddb\": %.4f, \"phase_err_max_deg_%ddb\": %.4f, "
			       "\"latency_err_rms_frames_%ddb\": %.5f, \"latency_err_max_frames_%ddb\": %.5f, "
			       "\"latency_missed_%ddb\": %u, \"latency_undecided_%ddb\": %u, \"probe_frames_%ddb\": %.0f, "
			       "\"windows_%ddb\": %.0f, \"plan_ms_%ddb\": %.1f, \"snr_seen_%ddb\": %.1f, "
			       "\"old_latency_missed_%ddb\": %u, \"old_level_err_rms_db_%ddb\": %.5f",
			       q ? ", " : "", d, pct(t->correct, t->observable) / 100.0, d, t->false_pass, d, t->observable, d,
			       t->honest_error, d, t->good_trials ? (double)t->good_pass / t->good_trials : 0.0, d,
			       c.n_paths ? sqrt(c.level_sq / c.n_paths) : NAN, d, c.level_max, d,
			       c.n_paths ? sqrt(c.phase_sq / c.n_paths) : NAN, d, c.phase_max, d,
			       c.n_lat ? sqrt(c.lat_sq / c.n_lat) : NAN, d, c.lat_max, d, c.missed, d, c.undecided, d,
			       median_of(c.probe, c.n_plan), d, median_of(c.windows, c.n_plan), d,
			       median_of(c.plan_ms, c.n_plan), d, median_of(c.snr, c.n_plan), d, o.missed, d,
			       o.n_paths ? sqrt(o.level_sq / o.n_paths) : NAN);
		}
		for (unsigned q = 0; q < N_CHAIN_SNR; q++) {
			int d = (int)chain_snrs[q];
			const struct class_stats *t = &stot[q];
			printf(", \"station_accuracy_%ddb\": %.4f, \"station_false_pass_%ddb\": %u, \"station_observable_%ddb\": %u, "
			       "\"station_errors_%ddb\": %u, \"station_miswired_%ddb\": %u, \"station_good_pass_%ddb\": %.3f",
			       d, pct(t->correct, t->observable) / 100.0, d, t->false_pass, d, t->observable, d, t->honest_error,
			       d, t->wrong_wiring, d, t->good_trials ? (double)t->good_pass / t->good_trials : 0.0);
		}
		static const char *const dkeys[4] = { "quiet", "long", "long_uncorrected", "old" };
		for (unsigned c = 0; c < 4; c++)
			for (unsigned q = 0; q < N_DRIFT; q++)
				printf(", \"drift_%s_%+.0fppm_level_db\": %.5f, \"drift_%s_%+.0fppm_phase_deg\": %.4f", dkeys[c],
				       drift_ppms[q], dr[c][q].level_db, dkeys[c], drift_ppms[q], dr[c][q].phase_deg);
		printf(", \"corpus_cases\": %u, \"false_pass\": %u}\n", tot[0].cases,
		       tot[0].false_pass + tot[1].false_pass + tot[2].false_pass + tot[3].false_pass +
		               stot[0].false_pass + stot[1].false_pass);
	}
	network_destroy(net);
	return 0;
}
