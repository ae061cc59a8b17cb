/* test_sim_fast: the simulated jig at fast pace, opened through alsa-lib: gains, faults, latency, dropouts and interface flaws against values worked out here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_sim_common.h"

/* Analysis window: 4800 frames at 48 kHz is 10 Hz per bin, so every test
 * tone sits on a bin (no leakage, no window needed). */
#define N 4800
#define RATE 48000
#define LAT 173
#define AMP 0.2
static const unsigned tone_bin[5] = { 53, 79, 107, 131, 163 };
static const double tone_phase[5] = { 0.3, 1.1, 2.0, -0.7, 2.9 };

/* Jig constants (the .conf files in profiles/jigs) and the default wire. */
#define RS 100.0
#define RIN 10000.0
#define RLOAD 32.0
#define RWIRE 0.05
#define RTIE 0.01

static const char *const trrs4_wires =
	"wire = A.T B.T\nwire = A.R1 B.R1\nwire = A.R2 B.R2\nwire = A.S B.S\n";

static char *scenario(const char *name, const char *jig, const char *interface, const char *cable)
{
	char text[2048];

	snprintf(text, sizeof text, "[scenario]\njig = %s\n[interface]\npace = fast\nlatency_frames = %d\n%s\n[cable]\n%s",
	         jig, LAT, interface, cable);
	return sim_scenario(name, text);
}

/* One tone per output, each cos(2 pi bin k / N + phase) at AMP. */
static float *tones(unsigned n_out, size_t frames)
{
	float *x = calloc(frames * n_out, sizeof *x);

	assert_non_null(x);
	for (size_t k = 0; k < frames; k++)
		for (unsigned o = 0; o < n_out; o++)
			x[k * n_out + o] = (float)(AMP * cos(2 * M_PI * tone_bin[o] * (double)k / N + tone_phase[o]));
	return x;
}

/* Play tones on every output, capture, and measure H[input][output]
 * (complex, re the played tone) on the window that starts when played
 * frame N reaches the inputs. */
static void measure(const struct simdev_cfg *cfg, double complex h[5][5], unsigned *n_in, unsigned *n_out)
{
	struct simdev d;
	size_t frames = LAT + 2 * N;
	float *play, *cap;
	int rc;

	rc = simdev_open(&d, cfg);
	if (rc)
		fail_msg("open %s: %s", cfg->scenario, snd_strerror(rc));
	play = tones(d.n_out, frames + 8 * d.period);
	cap = calloc(frames * d.n_in, sizeof *cap);
	assert_non_null(cap);
	rc = simdev_run(&d, play, frames + 8 * d.period, cap, frames, 3);
	if (rc)
		fail_msg("run: %s", snd_strerror(rc));
	for (unsigned i = 0; i < d.n_in; i++)
		for (unsigned o = 0; o < d.n_out; o++)
			h[i][o] = sim_bin(cap + (size_t)(LAT + N) * d.n_in, d.n_in, i, N, tone_bin[o]) /
			          (AMP * cexp(I * tone_phase[o]));
	*n_in = d.n_in;
	*n_out = d.n_out;
	free(play);
	free(cap);
	simdev_close(&d);
}

/* A resistive network by hand: nodes 1..n (0 is ground), sources behind
 * their resistance. Solved by the tests' own elimination, not by dsp/. */
struct hand_net {
	unsigned n;
	double g[16 * 16], i[16];
};

static void hn_res(struct hand_net *h, unsigned a, unsigned b, double ohms)
{
	double y = 1.0 / ohms;
	if (a)
		h->g[(a - 1) * h->n + a - 1] += y;
	if (b)
		h->g[(b - 1) * h->n + b - 1] += y;
	if (a && b) {
		h->g[(a - 1) * h->n + b - 1] -= y;
		h->g[(b - 1) * h->n + a - 1] -= y;
	}
}

static void hn_src(struct hand_net *h, unsigned node, double ohms, double volts)
{
	hn_res(h, node, 0, ohms);
	h->i[node - 1] += volts / ohms;
}

static void hn_solve(struct hand_net *h, double *v)
{
	sim_solve(h->g, h->i, h->n);
	memcpy(v, h->i, h->n * sizeof *v);
}

static void check_straight_trrs4(snd_pcm_format_t format, int mmap, int nonblock)
{
	char *path = scenario("straight", "trrs-4ch", "", trrs4_wires);
	struct simdev_cfg cfg = { .scenario = path, .format = format, .mmap = mmap, .nonblock = nonblock };
	double complex h[5][5];
	unsigned n_in, n_out;
	/* each contact: 100 ohm source, 0.05 ohm wire, 10 kohm input */
	const double g = RIN / (RS + RWIRE + RIN);
	/* S16 is the coarsest: a tone of 0.2 carries 1e-4 of quantisation per bin at most */
	const double tol = format == SND_PCM_FORMAT_S16_LE ? 2e-4 : 1e-5;

	measure(&cfg, h, &n_in, &n_out);
	assert_int_equal(n_in, 4);
	assert_int_equal(n_out, 4);
	for (unsigned i = 0; i < 4; i++) {
		for (unsigned o = 0; o < 4; o++) {
			double want = i == o ? g : 0.0;
			if (cabs(h[i][o] - want) > tol)
				fail_msg("%s: H[%u][%u] = %.6f%+.6fi, expected %.6f", snd_pcm_format_name(format), i, o,
				         creal(h[i][o]), cimag(h[i][o]), want);
		}
	}
	free(path);
}

static void test_straight_float(void **state)
{
	(void)state;
	check_straight_trrs4(SND_PCM_FORMAT_FLOAT_LE, 0, 0);
}

static void test_straight_s32(void **state)
{
	(void)state;
	check_straight_trrs4(SND_PCM_FORMAT_S32_LE, 0, 0);
}

static void test_straight_s16(void **state)
{
	(void)state;
	check_straight_trrs4(SND_PCM_FORMAT_S16_LE, 0, 0);
}

static void test_straight_mmap_nonblock(void **state)
{
	(void)state;
	check_straight_trrs4(SND_PCM_FORMAT_FLOAT_LE, 1, 0);
	check_straight_trrs4(SND_PCM_FORMAT_S16_LE, 0, 1);
}

/* A 0.5 ohm short between B.T and B.R1: both tones on both contacts. */
static void test_short(void **state)
{
	char *path = scenario("short", "trrs-4ch", "", "wire = A.T B.T\nwire = A.R1 B.R1\nwire = A.R2 B.R2\n"
	                                               "wire = A.S B.S\nshort = B.T B.R1 0.5\n");
	struct simdev_cfg cfg = { .scenario = path };
	double complex h[5][5];
	unsigned n_in, n_out;
	double want[2][2];

	(void)state;
	/* nodes: 1 A.T, 2 A.R1, 3 B.T, 4 B.R1; out o drives 1 V, the other 0 V */
	for (unsigned o = 0; o < 2; o++) {
		struct hand_net hn = { .n = 4 };
		double v[4];
		hn_src(&hn, 1, RS, o == 0);
		hn_src(&hn, 2, RS, o == 1);
		hn_res(&hn, 1, 3, RWIRE);
		hn_res(&hn, 2, 4, RWIRE);
		hn_res(&hn, 3, 4, 0.5);
		hn_res(&hn, 3, 0, RIN);
		hn_res(&hn, 4, 0, RIN);
		hn_solve(&hn, v);
		want[0][o] = v[2];
		want[1][o] = v[3];
	}
	/* the divider ratio is close to a half: the other source's 100 ohm
	 * pulls the shorted pair towards 0 V as hard as this one drives it */
	assert_true(fabs(want[0][0] - 0.495) < 0.01 && fabs(want[0][1] - 0.495) < 0.01);

	measure(&cfg, h, &n_in, &n_out);
	for (unsigned i = 0; i < 2; i++)
		for (unsigned o = 0; o < 2; o++)
			if (cabs(h[i][o] - want[i][o]) > 1e-5)
				fail_msg("H[%u][%u] = %.6f, expected %.6f", i, o, creal(h[i][o]), want[i][o]);
	/* R2 and S are untouched */
	assert_true(cabs(h[2][2] - RIN / (RS + RWIRE + RIN)) < 1e-5);
	assert_true(cabs(h[2][0]) < 1e-5 && cabs(h[0][2]) < 1e-5);
	free(path);
}

/* The tip conductor missing: nothing but the noise floor at B.T. */
static void test_open(void **state)
{
	char *path = scenario("open", "trrs-4ch", "noise_dbfs = -100\n",
	                      "wire = A.R1 B.R1\nwire = A.R2 B.R2\nwire = A.S B.S\n");
	struct simdev_cfg cfg = { .scenario = path };
	double complex h[5][5];
	unsigned n_in, n_out;

	(void)state;
	measure(&cfg, h, &n_in, &n_out);
	/* -100 dBFS RMS white noise over 4800 frames puts about 2e-7 into a
	 * bin (re a 0.2 tone: 1e-6 of H); 1e-4 is far above it and far below
	 * a connected contact */
	for (unsigned o = 0; o < 4; o++)
		assert_true(cabs(h[0][o]) < 1e-4);
	assert_true(fabs(cabs(h[1][1]) - RIN / (RS + RWIRE + RIN)) < 1e-4);
	free(path);
}

/* stereo-trrs-ctia with an OMTP cable: the loads' junction floats, each
 * input reads half the difference of the channels (karaoke). */
static void test_karaoke(void **state)
{
	char *path = scenario("karaoke", "stereo-trrs-ctia", "",
	                      "wire = A.T B.T\nwire = A.R1 B.R1\nwire = A.R2 B.S\nwire = A.S B.R2\n");
	char *good = scenario("ctia-good", "stereo-trrs-ctia", "", trrs4_wires);
	struct simdev_cfg cfg = { .scenario = path };
	double complex h[5][5], g[5][5];
	unsigned n_in, n_out;
	double want[2][2];

	(void)state;
	/* nodes 1..4 A.T A.R1 A.R2 A.S, 5..8 B.T B.R1 B.R2 B.S */
	for (unsigned o = 0; o < 2; o++) {
		struct hand_net hn = { .n = 8 };
		double v[8];
		hn_src(&hn, 1, RS, o == 0);
		hn_src(&hn, 2, RS, o == 1);
		hn_res(&hn, 3, 0, RTIE);                   /* tie = A.R2 */
		hn_res(&hn, 5, 7, RLOAD);                  /* load = B.T B.R2 32 */
		hn_res(&hn, 6, 7, RLOAD);                  /* load = B.R1 B.R2 32 */
		hn_res(&hn, 5, 0, RIN);                    /* input 1 legs */
		hn_res(&hn, 7, 0, RIN);
		hn_res(&hn, 6, 0, RIN);                    /* input 2 legs */
		hn_res(&hn, 7, 0, RIN);
		hn_res(&hn, 1, 5, RWIRE);
		hn_res(&hn, 2, 6, RWIRE);
		hn_res(&hn, 3, 8, RWIRE);                  /* G of A to MIC of B */
		hn_res(&hn, 4, 7, RWIRE);                  /* MIC of A (floating) to G of B */
		hn_solve(&hn, v);
		want[0][o] = v[4] - v[6];
		want[1][o] = v[5] - v[6];
	}
	measure(&cfg, h, &n_in, &n_out);
	assert_int_equal(n_in, 2);
	for (unsigned i = 0; i < 2; i++)
		for (unsigned o = 0; o < 2; o++)
			if (cabs(h[i][o] - want[i][o]) > 1e-5)
				fail_msg("H[%u][%u] = %.6f, expected %.6f", i, o, creal(h[i][o]), want[i][o]);

	/* against a good cable: +1/2 of its own channel, -1/2 of the other */
	cfg.scenario = good;
	measure(&cfg, g, &n_in, &n_out);
	double straight = creal(g[0][0]);
	/* the shared 0.06 ohm ground return leaves about -78 dB of crosstalk */
	assert_true(fabs(creal(g[0][1])) < 3e-4);
	for (unsigned i = 0; i < 2; i++) {
		assert_true(fabs(creal(h[i][i]) / straight - 0.5) < 0.03);
		assert_true(fabs(creal(h[i][1 - i]) / straight + 0.5) < 0.03);
	}
	/* a mono signal (both channels alike) all but cancels: what is left
	 * leaks through the inputs' own 5 kohm to ground at the floating junction */
	double mono = fabs(creal(h[0][0] + h[0][1])) / straight;
	printf("karaoke: H = [%.4f %.4f; %.4f %.4f], straight %.4f, mono residue %.1f dB\n", creal(h[0][0]),
	       creal(h[0][1]), creal(h[1][0]), creal(h[1][1]), straight, 20 * log10(mono));
	assert_true(mono < 0.02);
	free(path);
	free(good);
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s;
}

/* Lag of the largest cross-correlation between played noise on output 0
 * and capture input 0. */
static int find_lag(const char *path, unsigned *lag)
{
	struct simdev_cfg cfg = { .scenario = path };
	struct simdev d;
	const size_t burst = 2048, frames = 4096;
	float *play, *cap;
	uint32_t seed = 7;
	double best = -1;
	int rc;

	if ((rc = simdev_open(&d, &cfg)) < 0)
		return rc;
	play = calloc((frames + 8 * d.period) * d.n_out, sizeof *play);
	cap = calloc(frames * d.n_in, sizeof *cap);
	assert_non_null(play);
	assert_non_null(cap);
	for (size_t k = 0; k < burst; k++)
		play[k * d.n_out] = (float)((lcg(&seed) >> 8) / 16777216.0 - 0.5);
	rc = simdev_run(&d, play, frames + 8 * d.period, cap, frames, 3);
	for (unsigned l = 0; rc == 0 && l < 1024; l++) {
		double acc = 0;
		for (size_t k = 0; k < burst; k++)
			acc += (double)play[k * d.n_out] * cap[(k + l) * d.n_in];
		if (acc > best) {
			best = acc;
			*lag = l;
		}
	}
	free(play);
	free(cap);
	simdev_close(&d);
	return rc;
}

static void test_latency(void **state)
{
	char *fixed = scenario("latency", "trrs-4ch", "", trrs4_wires);
	char *random = sim_scenario("latency-random", "[scenario]\njig = trrs-4ch\n[interface]\npace = fast\n[cable]\n"
	                                              "wire = A.T B.T\n");
	unsigned lag = 0, seen[8], distinct = 0;

	(void)state;
	assert_int_equal(find_lag(fixed, &lag), 0);
	assert_int_equal(lag, LAT);
	/* no latency_frames: 64..512, new on every open */
	for (int i = 0; i < 8; i++) {
		int fresh = 1;
		assert_int_equal(find_lag(random, &lag), 0);
		assert_true(lag >= 64 && lag <= 512);
		for (unsigned j = 0; j < distinct; j++)
			fresh &= seen[j] != lag;
		if (fresh)
			seen[distinct++] = lag;
	}
	assert_true(distinct >= 3);
	free(fixed);
	free(random);
}

/* dropout = A.T B.T 100 10: the tip opens for exactly the frames played
 * from 100 ms to 110 ms of the stream, and they reach the input LAT later. */
static void test_dropout(void **state)
{
	char *path = scenario("dropout", "trrs-4ch", "", "wire = A.T B.T\nwire = A.R1 B.R1\nwire = A.R2 B.R2\n"
	                                                 "wire = A.S B.S\ndropout = A.T B.T 100 10\n");
	struct simdev_cfg cfg = { .scenario = path };
	struct simdev d;
	const size_t frames = RATE * 3 / 10;
	const double g = RIN / (RS + RWIRE + RIN);
	float *play, *cap;
	double worst = 0;
	long first_low = -1, last_low = -1;

	(void)state;
	assert_int_equal(simdev_open(&d, &cfg), 0);
	play = calloc((frames + 8 * d.period) * d.n_out, sizeof *play);
	cap = calloc(frames * d.n_in, sizeof *cap);
	assert_non_null(play);
	assert_non_null(cap);
	for (size_t k = 0; k < frames + 8 * d.period; k++)
		play[k * d.n_out] = (float)(0.5 * sin(2 * M_PI * 1000.0 * (double)k / RATE));
	assert_int_equal(simdev_run(&d, play, frames + 8 * d.period, cap, frames, 3), 0);

	/* sample by sample: what the cable should deliver */
	for (size_t c = LAT; c < frames; c++) {
		size_t k = c - LAT;
		int open = k >= RATE / 10 && k < RATE * 11 / 100;
		double want = open ? 0.0 : g * play[k * d.n_out];
		double err = fabs(cap[c * d.n_in] - want);
		if (err > worst)
			worst = err;
	}
	assert_true(worst < 1e-5);

	/* and as the flex tracker would see it: 1 ms blocks of the envelope */
	for (size_t b = 0; b + 48 <= frames; b += 48) {
		double peak = 0;
		for (size_t c = b; c < b + 48; c++)
			peak = fmax(peak, fabs(cap[c * d.n_in]));
		if (b >= LAT && peak < 0.01) {
			if (first_low < 0)
				first_low = (long)b;
			last_low = (long)b;
		}
	}
	printf("dropout: envelope low from %.2f ms to %.2f ms of capture (latency %.2f ms)\n",
	       first_low * 1000.0 / RATE, (last_low + 48) * 1000.0 / RATE, LAT * 1000.0 / RATE);
	assert_true(first_low >= (long)(RATE / 10 + LAT) && first_low < (long)(RATE / 10 + LAT + 48));
	assert_true(last_low + 48 <= (long)(RATE * 11 / 100 + LAT) && last_low + 96 > (long)(RATE * 11 / 100 + LAT));
	free(play);
	free(cap);
	simdev_close(&d);
	free(path);
}

/* Capture n frames of what a single tone (or silence) on output 0 becomes. */
static float *capture_tone(const char *path, double amp, double hz, size_t frames, unsigned *n_in)
{
	struct simdev_cfg cfg = { .scenario = path };
	struct simdev d;
	float *play, *cap;

	assert_int_equal(simdev_open(&d, &cfg), 0);
	play = calloc((frames + 8 * d.period) * d.n_out, sizeof *play);
	cap = calloc(frames * d.n_in, sizeof *cap);
	assert_non_null(play);
	assert_non_null(cap);
	for (size_t k = 0; k < frames + 8 * d.period; k++)
		play[k * d.n_out] = (float)(amp * sin(2 * M_PI * hz * (double)k / RATE));
	assert_int_equal(simdev_run(&d, play, frames + 8 * d.period, cap, frames, 3), 0);
	*n_in = d.n_in;
	free(play);
	simdev_close(&d);
	return cap;
}

static void test_gain_thd_clip(void **state)
{
	const double g = RIN / (RS + RWIRE + RIN);
	char *gain = scenario("gain", "trrs-4ch", "gain_db = -6\n", trrs4_wires);
	char *thd = scenario("thd", "trrs-4ch", "thd_db = -60\n", trrs4_wires);
	char *clip = scenario("clip", "trrs-4ch", "clip_dbfs = -6\n", trrs4_wires);
	unsigned n_in;
	float *cap;

	(void)state;
	/* gain error: -6 dB on everything the inputs see */
	cap = capture_tone(gain, 0.5, 1000.0, LAT + 2 * N, &n_in);
	double a = cabs(sim_bin(cap + (size_t)(LAT + N) * n_in, n_in, 0, N, 100));
	assert_true(fabs(a - 0.5 * g * pow(10, -6 / 20.0)) < 1e-5);
	free(cap);

	/* y = x + k x^3 with k/4 = 10^(-60/20): a full-scale sine's 3rd
	 * harmonic sits at -60 dB re the fundamental (which grows by 3k/4) */
	cap = capture_tone(thd, 1.0, 1000.0, LAT + 2 * N, &n_in);
	double f1 = cabs(sim_bin(cap + (size_t)(LAT + N) * n_in, n_in, 0, N, 100));
	double f3 = cabs(sim_bin(cap + (size_t)(LAT + N) * n_in, n_in, 0, N, 300));
	double k = 4e-3;
	assert_true(fabs(f1 - g * (1 + 0.75 * k)) < 1e-5);
	assert_true(fabs(20 * log10(f3 / f1) - 20 * log10(0.25 * k / (1 + 0.75 * k))) < 0.05);
	printf("thd_db = -60: 3rd harmonic measured at %.3f dB re the fundamental\n", 20 * log10(f3 / f1));
	free(cap);

	/* clipping at -6 dBFS */
	cap = capture_tone(clip, 1.0, 1000.0, LAT + N, &n_in);
	double peak = 0;
	for (size_t c = LAT; c < LAT + N; c++)
		peak = fmax(peak, fabs(cap[c * n_in]));
	assert_true(fabs(peak - pow(10, -6 / 20.0)) < 1e-6);
	free(cap);
	free(gain);
	free(thd);
	free(clip);
}

static void test_noise_and_hum(void **state)
{
	char *noise = scenario("noise", "trrs-4ch", "noise_dbfs = -60\n", trrs4_wires);
	char *hum = scenario("hum", "trrs-4ch", "noise_dbfs = -200\nhum_hz = 50\nhum_dbfs = -40\n", trrs4_wires);
	const size_t frames = 10 * N;
	unsigned n_in;
	float *cap;

	(void)state;
	/* silence played: the inputs carry white noise of -60 dBFS RMS (re 1.0) */
	cap = capture_tone(noise, 0.0, 0.0, frames, &n_in);
	for (unsigned i = 0; i < n_in; i++) {
		double rms = sim_rms(cap, n_in, i, frames);
		/* 48000 samples: the RMS estimate is good to about 0.5 % */
		assert_true(fabs(rms / 1e-3 - 1) < 0.02);
		/* white: every bin holds the same mean square, 4 sigma^2 / N */
		double p = 0;
		for (unsigned b = 200; b < 300; b++) {
			double m = cabs(sim_bin(cap, n_in, i, N, b));
			p += m * m;
		}
		assert_true(fabs(p / 100 / (4e-6 / N) - 1) < 0.4);
	}
	/* inputs are independent */
	double c01 = 0;
	for (size_t k = 0; k < frames; k++)
		c01 += (double)cap[k * n_in] * cap[k * n_in + 1];
	assert_true(fabs(c01 / frames) < 1e-7);
	free(cap);

	/* hum: 50 Hz at -40 dBFS peak, 3rd harmonic 6 dB below, on every input */
	cap = capture_tone(hum, 0.0, 0.0, frames, &n_in);
	for (unsigned i = 0; i < n_in; i++) {
		double h1 = cabs(sim_bin(cap, n_in, i, N, 5));
		double h3 = cabs(sim_bin(cap, n_in, i, N, 15));
		assert_true(fabs(h1 - 0.01) < 1e-6);
		assert_true(fabs(20 * log10(h3 / h1) + 6) < 0.01);
	}
	free(cap);
	free(noise);
	free(hum);
}

/* drift_ppm = 200: the capture clock runs fast, a 1 kHz tone arrives at
 * 1000 / (1 + 200e-6) Hz: its phase slips by 0.2 cycle per second. */
static void test_drift(void **state)
{
	char *path = scenario("drift", "trrs-4ch", "drift_ppm = 200\n", trrs4_wires);
	const size_t frames = LAT + N + RATE + N;
	unsigned n_in;
	float *cap;

	(void)state;
	cap = capture_tone(path, 0.5, 1000.0, frames, &n_in);
	double complex a = sim_bin(cap + (size_t)(LAT + N) * n_in, n_in, 0, N, 100);
	double complex b = sim_bin(cap + (size_t)(LAT + N + RATE) * n_in, n_in, 0, N, 100);
	double cycles = carg(b / a) / (2 * M_PI);      /* over 1 s of capture frames */
	double ppm = (1000.0 / (1000.0 + cycles) - 1) * 1e6;
	printf("drift_ppm = 200: measured %.2f ppm\n", ppm);
	assert_true(fabs(ppm - 200) < 2);
	/* interpolation keeps the level: 0.2 bin off a bin loses 0.07 % */
	assert_true(fabs(cabs(a) / (0.5 * RIN / (RS + RWIRE + RIN)) - 1) < 0.005);
	free(cap);
	free(path);
}

/* Fast pace repeats exactly: run to run, blocking or not, whatever the
 * period, as long as playback frame 0 starts with capture frame 0. */
static void test_deterministic(void **state)
{
	char *path = scenario("repeat", "trrs-4ch", "noise_dbfs = -80\nhum_dbfs = -90\n", trrs4_wires);
	const size_t frames = 3 * N;
	static const struct { unsigned period, prefill; int nonblock; } runs[] = {
		{ 256, 3, 0 }, { 256, 3, 0 }, { 256, 3, 1 }, { 480, 1, 0 },
	};
	float *cap[4];
	unsigned n_in = 0;

	(void)state;
	for (int r = 0; r < 4; r++) {
		struct simdev_cfg cfg = { .scenario = path, .period = runs[r].period, .nonblock = runs[r].nonblock };
		struct simdev d;
		float *play;
		assert_int_equal(simdev_open(&d, &cfg), 0);
		n_in = d.n_in;
		play = tones(d.n_out, frames + 8 * d.period);
		cap[r] = calloc(frames * d.n_in, sizeof *cap[r]);
		assert_non_null(cap[r]);
		assert_int_equal(simdev_run(&d, play, frames + 8 * d.period, cap[r], frames, runs[r].prefill), 0);
		free(play);
		simdev_close(&d);
	}
	for (int r = 1; r < 4; r++)
		assert_memory_equal(cap[0], cap[r], frames * n_in * sizeof(float));
	for (int r = 0; r < 4; r++)
		free(cap[r]);
	free(path);
}

/* Before the playback reaches the inputs there is only noise. */
static void test_leading_noise(void **state)
{
	char *path = scenario("leading", "trrs-4ch", "noise_dbfs = -90\n", trrs4_wires);
	unsigned n_in;
	float *cap = capture_tone(path, 0.5, 1000.0, LAT + 100, &n_in);

	(void)state;
	for (size_t c = 0; c < LAT; c++)
		assert_true(fabs(cap[c * n_in]) < 1e-3);
	assert_true(fabs(cap[(LAT + 40) * n_in]) > 0.1);
	free(cap);
	free(path);
}

/* Capture alone at fast pace runs as fast as it is read. */
static void test_capture_alone_is_fast(void **state)
{
	char *path = scenario("alone", "trrs-4ch", "", trrs4_wires);
	snd_pcm_t *cap;
	char dev[512];
	float buf[1024 * 4];
	struct timespec t0, t1;
	size_t got = 0;

	(void)state;
	snprintf(dev, sizeof dev, "tonewire_sim:%s", path);
	assert_int_equal(snd_pcm_open(&cap, dev, SND_PCM_STREAM_CAPTURE, 0), 0);
	assert_int_equal(snd_pcm_set_params(cap, SND_PCM_FORMAT_FLOAT_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 4, RATE, 0,
	                                    50000), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (got < 10 * RATE) {
		snd_pcm_sframes_t n = snd_pcm_readi(cap, buf, 1024);
		assert_true(n > 0);
		got += (size_t)n;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("fast pace: 10 s of 4-channel capture in %.3f s\n", secs);
	assert_true(secs < 2.0);
	snd_pcm_close(cap);
	free(path);
}

/* A capture waiting for frames the playback never writes: after a grace
 * the playback is declared late and the capture goes on; a drained
 * playback lets it go on at once. */
static void test_starved_capture(void **state)
{
	char *path = scenario("starved", "trrs-4ch", "", trrs4_wires);
	struct simdev_cfg cfg = { .scenario = path };
	struct simdev d;
	float buf[2048 * 4] = { 0 };
	struct timespec t0, t1;

	(void)state;
	assert_int_equal(simdev_open(&d, &cfg), 0);
	assert_int_equal(snd_pcm_writei(d.play, buf, 512), 512);
	assert_int_equal(snd_pcm_start(d.play), 0);
	assert_int_equal(snd_pcm_start(d.cap), 0);
	/* 512 played + the round trip are there at once; 2048 are not */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(snd_pcm_readi(d.cap, buf, 512 + LAT), 512 + LAT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6 < 50);
	assert_int_equal(snd_pcm_readi(d.cap, buf, 1024), 1024);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("starved capture: went on after %.0f ms; playback then writes %s\n", ms,
	       snd_strerror((int)snd_pcm_writei(d.play, buf, 256)));
	assert_true(ms >= 240 && ms < 1000);
	assert_int_equal(snd_pcm_writei(d.play, buf, 256), -EPIPE);
	simdev_close(&d);

	/* drained instead: no wait */
	assert_int_equal(simdev_open(&d, &cfg), 0);
	assert_int_equal(snd_pcm_writei(d.play, buf, 512), 512);
	assert_int_equal(snd_pcm_start(d.play), 0);
	assert_int_equal(snd_pcm_start(d.cap), 0);
	assert_int_equal(snd_pcm_drain(d.play), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(snd_pcm_readi(d.cap, buf, 2048), 2048);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6 < 50);
	simdev_close(&d);
	free(path);
}

static int teardown_all(void **state)
{
	(void)state;
	sim_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_straight_float),
		cmocka_unit_test(test_straight_s32),
		cmocka_unit_test(test_straight_s16),
		cmocka_unit_test(test_straight_mmap_nonblock),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_karaoke),
		cmocka_unit_test(test_latency),
		cmocka_unit_test(test_dropout),
		cmocka_unit_test(test_gain_thd_clip),
		cmocka_unit_test(test_noise_and_hum),
		cmocka_unit_test(test_drift),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_leading_noise),
		cmocka_unit_test(test_capture_alone_is_fast),
		cmocka_unit_test(test_starved_capture),
	};
	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
