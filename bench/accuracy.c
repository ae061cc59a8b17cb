/* bench/accuracy: the station's accuracy against noise — the measurement chain on the adaptive and the old plan, levels and phases against clock drift, and every single and double fault through the classifier alone and through the whole station. */
#include "accuracy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "network.h"
#include "pump.h"

#ifndef TW_BENCH_DIR
#define TW_BENCH_DIR "."
#endif

/* Down to 0 dB per tone, 12 dB in the 85 ms bin the round trip was first
 * promised at (20 dB there). */
const double snrs[N_SNR] = { 40.0, 30.0, 20.0, 10.0, 0.0 };
/* The fault corpus through the whole chain at these (a few seconds per jig
 * each: a capture and a measurement per fault). At 10 dB per tone the
 * noise alone is about -5 dBFS rms (sigma_for): every input clips, and the
 * station says so for every cable. */
const double chain_snrs[N_CHAIN_SNR] = { 40.0, 30.0, 20.0 };
const double drift_ppms[N_DRIFT] = { 50.0, -50.0, 200.0, -200.0 };

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

/* ---- the classifier alone: H predicted by the network solver plus noise ---- */

struct synth_ctx {
	struct judge j;
	classifier *c;
	struct class_stats *cs;
};

static void synth_case(void *ctx, const struct fault_spec *f, unsigned nf, const double *g)
{
	struct synth_ctx *x = ctx;
	struct analysis an;
	struct classification cl;
	synth(x->j.s, g, x->j.sd, &an);
	double t0 = now_us();
	classifier_run(x->c, &an, &cl);
	x->cs->us_sum += now_us() - t0;
	judge_case(&x->j, f, nf, g, &cl, x->cs);
}

static int class_bench(const struct station *s, network *net, double snr, const struct classify_limits *lim,
                       struct class_stats *cs, FILE *log)
{
	struct synth_ctx x = { .j = { .s = s, .net = net, .snr = snr, .who = "alone", .log = log }, .cs = cs };
	x.c = classifier_create(&s->fx, &s->expected, lim);
	if (!x.c)
		return -EINVAL;
	/* H as one window of the reference bandwidth reads it */
	for (unsigned k = 0; k < s->fx.n_outputs; k++)
		x.j.sd[k] = h_noise(s, sigma_for(s, snr));
	struct analysis an;
	struct classification cl;
	for (unsigned t = 0; t < 20; t++) {   /* the good cable, a few noise draws */
		synth(s, s->eg, x.j.sd, &an);
		classifier_run(x.c, &an, &cl);
		cs->good_trials++;
		cs->good_pass += cl.verdict == VERDICT_PASS;
	}
	each_case(s, net, synth_case, &x);
	classifier_destroy(x.c);
	return 0;
}

/* ---- the station: every fault case measured as a test measures it ---- */

struct chain_ctx {
	struct synth_ctx x;
	measure *m;
	struct world_pump wp;
	struct pump pump;
};

/* One test's measurement and verdict of the cable with gains g, as
 * session_judge makes them: measure_run through the world (its retries
 * with a longer probe included), then the classifier — each tone up to
 * its sign when the round trip is unknown. */
static int chain_test(struct chain_ctx *c, const double *g, struct measurement *me, struct classification *cl)
{
	c->wp.w.g = g;
	c->wp.w.noise_at = (uint64_t)(uniform() * 4e9);
	int e = measure_run(c->m, &c->pump, me);
	if (e < 0)
		return e;
	if (me->coarse.found)
		classifier_run(c->x.c, &me->an, cl);
	else
		classifier_run_unaligned(c->x.c, &me->an, cl);
	return 0;
}

static void chain_case(void *ctx, const struct fault_spec *f, unsigned nf, const double *g)
{
	struct chain_ctx *c = ctx;
	const struct station *s = c->x.j.s;
	struct measurement me;
	struct classification cl;
	if (chain_test(c, g, &me, &cl) < 0)
		return;
	/* the noise of H after the windows this measurement averaged:
	 * 2 sigma / (a sqrt(N W)) for a bin of N frames */
	const struct toneplan *p = measure_plan(c->m);
	struct judge j = c->x.j;
	j.unaligned = !me.coarse.found;
	c->x.cs->unaligned += j.unaligned;
	for (unsigned k = 0; k < s->fx.n_outputs; k++)
		j.sd[k] = 2.0 * c->wp.w.sigma / (p->amplitude[k] * sqrt((double)p->window * me.windows));
	judge_case(&j, f, nf, g, &cl, c->x.cs);
}

static int station_bench(const struct station *s, network *net, double snr, struct class_stats *cs, FILE *log)
{
	char err[MEASURE_ERR_MAX];
	struct measure_cfg mc = { .rate = RATE, .n_outputs = s->fx.n_outputs, .n_inputs = s->fx.n_inputs,
	                          .min_snr_db = s->cable.limits.min_snr_db, .expected = s->eg };
	struct chain_ctx c = { .x = { .j = { .s = s, .net = net, .snr = snr, .who = "station", .log = log }, .cs = cs } };
	c.x.c = classifier_create(&s->fx, &s->expected, &s->cable.limits);
	c.m = measure_create(&mc, err);
	c.wp.w = (struct world){ .n_out = s->fx.n_outputs, .n_in = s->fx.n_inputs, .tau = 237.41,
	                         .sigma = sigma_for(s, snr) };
	c.wp.m = c.m;
	c.pump = world_pump(&c.wp);
	int rc = -EINVAL;
	if (!c.x.c || !c.m)
		goto out;
	struct measurement me;
	struct classification cl;
	for (unsigned t = 0; t < 2 + 10; t++) {   /* the bench learnt, then the good cable */
		if (chain_test(&c, s->eg, &me, &cl) < 0)
			goto out;
		if (t < 2)
			continue;
		cs->good_trials++;
		cs->good_pass += cl.verdict == VERDICT_PASS;
		if (log && cl.verdict != VERDICT_PASS)
			fprintf(log, "%s %.0f dB station: GOOD CABLE read %s %s\n", s->jig.name, snr,
			        verdict_name(cl.verdict), cl.n_faults ? fault_code_name(cl.fault[0].code) : "-");
	}
	each_case(s, net, chain_case, &c);
	rc = 0;
out:
	world_pump_free(&c.wp);
	measure_destroy(c.m);
	classifier_destroy(c.x.c);
	return rc;
}

int main(int argc, char **argv)
{
	int as_json = 0;
	const char *dir = TW_BENCH_DIR, *logpath = NULL;
	uint64_t seed = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			as_json = 1;
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--log") && i + 1 < argc)
			logpath = argv[++i];
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "usage: accuracy [--json] [--out DIR] [--log FILE] [--seed N]\n");
			return 2;
		}
	}
	rng_seed(seed);
	printf("seed %#llx\n\n", (unsigned long long)(seed ? seed : ACCURACY_SEED));
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
