/* bench/accuracy: what its two files share — the jig/cable pairs, the random numbers, and the closed-form world a measurement is made in. */
#ifndef TONEWIRE_BENCH_ACCURACY_H
#define TONEWIRE_BENCH_ACCURACY_H

#include <stdint.h>
#include <stdio.h>

#include "classify.h"
#include "measure.h"
#include "pump.h"
#include "profiles.h"

#define RATE 48000
#define MAX_CH FIXTURE_MAX_CHANNELS

/* What the bench sweeps: SNRs per tone, the SNRs the fault corpus goes
 * through the whole chain at, clock offsets, jig/cable pairs. */
#define N_SNR 5
#define N_CHAIN_SNR 3
#define N_DRIFT 4
#define N_FAMILIES 5
#define CHAIN_FAMILY 3   /* the 5-contact cable */
extern const double snrs[N_SNR], chain_snrs[N_CHAIN_SNR], drift_ppms[N_DRIFT];
extern const char *const family_jigs[N_FAMILIES];

struct station {
	const char *key;
	struct tw_jig jig;
	struct tw_cable cable;
	struct fixture fx;
	struct wiring expected;
	double eg[MAX_CH * MAX_CH];              /* expected gains [input * n_out + output] */
	double strongest[MAX_CH];                /* largest |expected gain| of each output's tone */
	double amplitude;                        /* every tone's peak (toneplan: 0.89 / n, 0.5 at most) */
};

/* Every random number of a run comes from one xorshift generator seeded
 * with this (--seed N picks another; the run prints which). */
#define ACCURACY_SEED 0x6a09e667f3bcc909ull
void rng_seed(uint64_t seed);   /* 0: ACCURACY_SEED; call before bank_init */
double uniform(void);
double gauss(void);
/* A gaussian from a bank drawn once: fast enough for millions of frames. */
float bank_gauss(uint64_t i);
int bank_init(void);

/* "SNR per tone": a tone's power over the noise power in a reference
 * bandwidth of REF_BANDWIDTH_HZ, for the good cable's weakest strongest
 * path. 187.5 Hz is the bin of a 256-frame window at 48 kHz, the shortest
 * window the adaptive plan plays, so "30 dB per tone" is what one such
 * window reads, whatever plan the station then chooses; the white noise it
 * implies has a density of P_tone / (SNR x 187.5 Hz). */
#define REF_BANDWIDTH_HZ 187.5
/* White noise rms per sample for an SNR per tone of snr_db. */
double sigma_for(const struct station *s, double snr_db);
/* The rms of the complex noise on H (every tone plays at one amplitude)
 * that one window of the reference bandwidth reads under white noise of
 * rms sigma. */
double h_noise(const struct station *s, double sigma);

/* The world of a capture: input i hears output o with gain g[i * n_out + o]
 * through a round trip tau, on a capture clock ppm fast (capture frame t
 * hears stimulus frame t (1 - ppm 1e-6) - tau), plus white noise sigma. */
struct world {
	unsigned n_out, n_in;
	const double *g;
	double tau, ppm, sigma;
	uint64_t noise_at;                       /* where in the noise bank this capture starts */
};

/* What the outputs put on the cable for measure m's current timeline: the
 * probe (as m renders it) through a band-limited delay, the tones (fade
 * included) written out as cosines. [frame][output], frames long; free(). */
double *world_played(measure *m, const struct world *w, unsigned frames);
/* The capture from what was played: gains, then noise. [frame][input]; free(). */
float *world_capture(const struct world *w, const double *played, unsigned frames);

/* A pump (station/pump.h) whose device is the world w: a station's own
 * measure_run plays through it as through a sound card. The stimulus m
 * renders is delayed by w.tau through the band-limited delay, mixed by
 * w.g and given noise; it is rendered again only when m's timeline moves
 * the probe. Periods of 256 frames, as the simulated interface's. */
struct world_pump {
	struct world w;
	measure *m;
	float *stim;          /* rendered stimulus [frame][output] */
	double *delayed;      /* ...as the inputs hear it before the gains */
	float *cap;           /* one period [frame][input] */
	unsigned frames, probe, fade;
};
struct pump world_pump(struct world_pump *wp);
void world_pump_free(struct world_pump *wp);   /* what the pump allocated; wp itself is the caller's */

#define CHAIN_TRIALS 40

/* The measurement chain at one SNR: what the plan played and what it read. */
struct chain_stats {
	double level_sq, level_max, phase_sq, phase_max, lat_sq, lat_max;
	unsigned n_paths, n_lat, trials;
	unsigned missed;        /* no round trip, or one off by more than half a frame */
	unsigned undecided;     /* ...of which said so (a station error, low_snr) */
	double snr[CHAIN_TRIALS], probe[CHAIN_TRIALS], windows[CHAIN_TRIALS], plan_ms[CHAIN_TRIALS];
	unsigned n_plan;
};

/* CHAIN_TRIALS measurements of the good cable of s on plan cfg, at a random
 * round trip of 64..512 frames and white noise of snr_db per tone, after
 * two that let an adaptive plan learn the bench. 0 or -errno. */
int chain_run(const struct station *s, const struct measure_cfg *cfg, double snr_db, struct chain_stats *st);

/* Levels and phases against clock drift: the worst difference over the
 * good cable's paths between a capture clock ppm fast and one clock, same
 * noise and round trip, 80 dB per tone. */
struct drift_stats {
	double level_db, phase_deg, ppm_read;
	unsigned windows;
};
int drift_run(const struct station *s, const struct measure_cfg *cfg, const double *ppm, unsigned n,
              struct drift_stats *out);

/* How the fault corpus came out at one SNR (accuracy_score.c says what
 * each count means). */
struct class_stats {
	unsigned cases, invisible, marginal, marginal_pass, observable;
	unsigned exact, disclosed, silent;                 /* the correct ones */
	unsigned false_pass, honest_error, wrong_wiring, wrong_codes;
	unsigned clipped;                                  /* ...of the honest errors: clipping */
	unsigned unaligned;      /* measured without a round trip: judged up to each tone's sign */
	unsigned good_trials, good_pass;
	double us_sum;
};
void add_stats(struct class_stats *t, const struct class_stats *c);
unsigned stats_correct(const struct class_stats *c);   /* exact + disclosed + silent */

/* ---- the fault corpus and how a result is judged (accuracy_score.c) ---- */

enum kind { K_SWAP = 0, K_OPEN, K_SHORT, K_HIGH_R, K_COUNT };
extern const char *const kind_names[K_COUNT];

struct fault_spec {
	enum kind kind;
	int p, q;            /* conductors (swap, open, high_r: p) or near contacts (short) */
	double ohms;         /* short: its resistance; high_r: what it adds in series */
};

/* Every fault case of s (each single and each pair of singles), given to
 * visit() with its gains. */
typedef void (*case_fn)(void *ctx, const struct fault_spec *f, unsigned nf, const double *g);
void each_case(const struct station *s, network *net, case_fn visit, void *ctx);

/* What a result is judged against: the station, the noise on H of each
 * tone (rms of the complex noise), and where to log what was not named. */
struct judge {
	const struct station *s;
	network *net;
	double sd[MAX_CH];
	double snr;
	int unaligned;       /* no round trip: each tone's column is known up to its sign, and so judged */
	const char *who;     /* "alone", "station" */
	FILE *log;
};
/* The χ² distances (stated noise and model uncertainty, accuracy_score.c)
 * at which a fault is observable against the good cable (a station must
 * name it), a second fault against its partner alone (it must be named or
 * mentioned), and below which a fault is invisible. */
double observable_chi2(void);
double second_fault_chi2(void);
double invisible_chi2(void);
/* Score the classification cl of fault case f (gains g) into cs. */
void judge_case(const struct judge *j, const struct fault_spec *f, unsigned nf, const double *g,
                const struct classification *cl, struct class_stats *cs);

/* Every figure of a run. */
struct results {
	struct chain_stats ch[2][N_SNR];                 /* adaptive, old */
	struct drift_stats dr[4][N_DRIFT];               /* quiet, long, long uncorrected, old */
	struct class_stats cs[N_FAMILIES][N_SNR], tot[N_SNR];
	struct class_stats scs[N_FAMILIES][N_CHAIN_SNR], stot[N_CHAIN_SNR];
};

double median_of(double *v, unsigned n);   /* sorts v; NAN when n is 0 */

/* The report: tables for people, the figures as one JSON line, and the
 * data file and plot in dir. */
void report_text(const struct results *r);
void report_json(const struct results *r);
void report_plot(const struct results *r, const char *dir);

#endif
