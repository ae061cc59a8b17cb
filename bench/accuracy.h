/* bench/accuracy: what its two files share — the jig/cable pairs, the random numbers, and the closed-form world a measurement is made in. */
#ifndef TONEWIRE_BENCH_ACCURACY_H
#define TONEWIRE_BENCH_ACCURACY_H

#include <stdint.h>

#include "classify.h"
#include "measure.h"
#include "profiles.h"

#define RATE 48000
#define MAX_CH FIXTURE_MAX_CHANNELS

/* What the bench sweeps: SNRs per tone, the SNRs the fault corpus goes
 * through the whole chain at, clock offsets, jig/cable pairs. */
#define N_SNR 4
#define N_CHAIN_SNR 2
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

double uniform(void);
double gauss(void);
/* A gaussian from a bank drawn once: fast enough for millions of frames. */
float bank_gauss(uint64_t i);
int bank_init(void);

/* White noise rms for an SNR per tone of snr_db: the noise in one bin of the
 * old plan's 85 ms window (4096 frames at 48 kHz) against the good cable's
 * weakest strongest path, the definition every earlier result used. */
double sigma_for(const struct station *s, double snr_db);

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

/* How the fault corpus came out at one SNR. */
struct class_stats {
	unsigned cases, invisible, marginal, marginal_pass, observable;
	unsigned correct, false_pass, honest_error, wrong_wiring, wrong_codes;
	unsigned good_trials, good_pass;
	double us_sum;
};

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
