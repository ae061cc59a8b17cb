/* bench/accuracy: the station's accuracy against noise — the measurement chain on the adaptive and the old plan, levels and phases against clock drift, and every single and double fault through the classifier alone and through the whole chain. */
#include "accuracy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "network.h"

#ifndef TW_BENCH_DIR
#define TW_BENCH_DIR "."
#endif

const double snrs[N_SNR] = { 40.0, 30.0, 20.0, 10.0 };
/* The fault corpus through the whole chain at these (each takes a few
 * seconds per jig: a capture and a measurement per fault). At 20 dB per
 * tone the noise is louder than full scale on every jig (an 85 ms bin 20
 * dB over the noise is a tone 10 dB under it per sample, and tones play at
 * -15 dBFS): every input clips and the station says so. */
const double chain_snrs[N_CHAIN_SNR] = { 40.0, 30.0 };
const double drift_ppms[N_DRIFT] = { 50.0, -50.0, 200.0, -200.0 };
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

static const struct family families[N_FAMILIES] = {
	{ "trs", "stereo-trs", "trs-3.5-extension" },
	{ "trrs_stereo", "stereo-trrs-ctia", "trrs-ctia-extension" },
	{ "trrs", "trrs-4ch", "trrs-ctia-extension" },
	{ "balanced44", "trrrs-5ch", "trrrs-4.4-extension" },
	{ "iem", "stereo-iem-2pin", "trs-3.5-to-2pin-iem" },
};
const char *const family_jigs[N_FAMILIES] = { "stereo-trs", "stereo-trrs-ctia", "trrs-4ch", "trrrs-5ch",
                                              "stereo-iem-2pin" };

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
	                          .min_snr_db = s->cable.limits.min_snr_db, .expected = s->eg };
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
	static struct results r;
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
	                                .min_snr_db = s5->cable.limits.min_snr_db, .expected = s5->eg };
	struct measure_cfg old = measure_cfg_fixed(RATE, no, ni);
	for (unsigned q = 0; q < N_SNR; q++)
		if (chain_run(s5, &adaptive, snrs[q], &r.ch[0][q]) < 0 || chain_run(s5, &old, snrs[q], &r.ch[1][q]) < 0)
			return 1;
	/* drift: the quiet plan, a long average, the same uncorrected, the old plan */
	struct measure_cfg dcfg[4] = { adaptive, adaptive, adaptive, old };
	dcfg[1].windows = dcfg[2].windows = 24;
	dcfg[2].keep_drift = dcfg[3].keep_drift = 1;
	for (unsigned c = 0; c < 4; c++)
		drift_run(s5, &dcfg[c], drift_ppms, N_DRIFT, r.dr[c]);

	for (unsigned f = 0; f < N_FAMILIES; f++) {
		for (unsigned q = 0; q < N_SNR; q++) {
			/* the classifier's documented limits (classify_limits_default), as shipped */
			class_bench(&st[f], net, snrs[q], NULL, &r.cs[f][q], log);
			add_stats(&r.tot[q], &r.cs[f][q]);
		}
		for (unsigned q = 0; q < N_CHAIN_SNR; q++) {
			station_bench(&st[f], net, chain_snrs[q], &r.scs[f][q], log);
			add_stats(&r.stot[q], &r.scs[f][q]);
		}
	}
	if (log)
		fclose(log);
	report_text(&r);
	report_plot(&r, dir);
	if (as_json)
		report_json(&r);
	network_destroy(net);
	return 0;
}
