/* toneplan: places one coherent test tone per driven output, clear of harmonics, intermodulation and mains. */
#include "toneplan.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

/* ~85 ms: long enough that a bin (about 12 Hz) separates 16 tones with
 * guard bins between 300 Hz and 12 kHz, short enough that a whole test
 * (probe, settling, one window) stays near a tenth of a second. */
#define DEFAULT_WINDOW_S 0.085
/* The header's floor: below 256 points a 48 kHz bin is 190 Hz wide and
 * not even a few tones fit between 300 Hz and 12 kHz with their guards. */
#define MIN_WINDOW 256u
/* Beyond 2^20 frames (2.7 s at 384 kHz) a window no longer serves a test
 * station, and bin sums stay far from unsigned overflow below it. */
#define MAX_WINDOW (1u << 20)

/* Band of the tones. 300 Hz keeps the lowest tone above the mains
 * harmonics that carry most hum energy and out of the high-pass corner of
 * AC-coupled interface inputs; 12 kHz stays inside every converter's flat
 * passband at 44.1 kHz and up. */
#define BAND_LO_HZ 300.0
#define BAND_HI_HZ 12000.0
/* Below 53 kHz the top tone is capped at 0.45 * Nyquist (10.8 kHz at
 * 48 kHz), so that its 2nd harmonic (0.9 * Nyquist) still lands inside the
 * anti-alias passband (which ends near 0.45 * rate) instead of on the
 * filter's slope, where its level and phase would be anyone's guess. */
#define BAND_HI_NYQUIST_FRACTION 0.45

/* Two spectral lines closer than 2 bins can leak into each other when the
 * clocks drift (±20 ppm moves a 12 kHz tone by 0.25 Hz) and when a
 * fractional frequency error spreads a line over its neighbours; ±2 bins
 * keeps every tone bin and its ±1 noise-exclusion zone disjoint. */
#define GUARD_BINS 2

/* Mains hum: 50 and 60 Hz and their harmonics up to 1 kHz, where hum from
 * ground loops and power supplies carries its energy. Tones keep at least
 * 5 Hz from each line, and at least half a bin, so the hum line never
 * falls inside the tone's own bin even when bins are 15 Hz wide (8 kHz). */
#define MAINS_MAX_HZ 1000.0
#define MAINS_GUARD_HZ 5.0

/* -1 dBFS: the sum of all tone amplitudes. A node of a passive network is
 * a convex mix of the outputs and a differential input the difference of
 * two such mixes: either way it never exceeds this sum, so no cable can
 * drive an input to clip. */
#define SUM_AMPLITUDE 0.89
/* One or two tones alone would otherwise play near full scale; -6 dBFS
 * leaves headroom for a jig gain error and inter-sample peaks. */
#define MAX_AMPLITUDE 0.5

/* When several bins near a target satisfy the rules, stay within this
 * fraction of the log distance to the neighbouring targets before taking
 * an even bin or one hit by 3rd-order products. */
#define LOCAL_SEARCH_FRACTION 0.25

unsigned toneplan_default_window(unsigned rate)
{
	if (rate < TONEPLAN_MIN_RATE || rate > TONEPLAN_MAX_RATE)
		return 0;
	double want = DEFAULT_WINDOW_S * rate;
	unsigned w = MIN_WINDOW;
	/* nearest on a log scale: move up while the next power is closer by ratio */
	while (w < MAX_WINDOW && want / w > (2.0 * w) / want)
		w *= 2;
	return w;
}

unsigned toneplan_min_window(unsigned n_outputs, unsigned rate)
{
	struct toneplan p;
	for (unsigned w = MIN_WINDOW; w <= MAX_WINDOW; w *= 2) {
		int e = toneplan_make(&p, n_outputs, rate, w);
		if (e == 0)
			return w;
		if (e != -ERANGE)
			return 0;
	}
	return 0;
}

static int is_pow2(unsigned x)
{
	return x && !(x & (x - 1));
}

/* Where a product at bin h appears after sampling: mirrored at Nyquist. */
static long fold(long h, long n)
{
	h %= n;
	if (h < 0)
		h += n;
	return h > n / 2 ? n - h : h;
}

static int near(long a, long b)
{
	long d = a - b;
	return d >= -GUARD_BINS && d <= GUARD_BINS;
}

static int near_mains(const struct toneplan *plan, unsigned b)
{
	double df = (double)plan->rate / plan->window;
	double f = b * df;
	double guard = fmax(MAINS_GUARD_HZ, 0.5 * df);
	static const double base[2] = { 50.0, 60.0 };
	for (int i = 0; i < 2; i++) {
		for (double h = base[i]; h <= MAINS_MAX_HZ; h += base[i]) {
			if (fabs(f - h) <= guard)
				return 1;
		}
	}
	return 0;
}

int toneplan_check_bin(const struct toneplan *plan, unsigned skip, unsigned b)
{
	if (!plan || !is_pow2(plan->window) || plan->n_tones > TONEPLAN_MAX_TONES)
		return -EINVAL;
	long n = plan->window;
	if (b == 0 || b >= n / 2)
		return -EINVAL;
	if (near_mains(plan, b))
		return -EEXIST;
	/* the tone's own harmonics folding back onto itself (fs/4, fs/3) */
	for (long m = 2; m <= 3; m++) {
		if (near(fold(m * (long)b, n), b))
			return -EEXIST;
	}
	for (unsigned i = 0; i < plan->n_tones; i++) {
		if (i == skip)
			continue;
		long t = plan->bin[i];
		if (near(t, b))
			return -EEXIST;
		for (long m = 2; m <= 3; m++) {
			if (near(fold(m * t, n), b) || near(fold(m * (long)b, n), t))
				return -EEXIST;
		}
		/* f_i ± f_j of two other tones. "One of three is the sum of the
		 * other two" is symmetric, so checking b against the pairs also
		 * covers b ± t_i landing on t_j. */
		for (unsigned j = i + 1; j < plan->n_tones; j++) {
			if (j == skip)
				continue;
			long u = plan->bin[j];
			if (near(fold(t + u, n), b) || near(labs(t - u), b))
				return -EEXIST;
		}
	}
	return 0;
}

/* Third-order intermodulation (2f_i ± f_j) only arises where an input's
 * converter distorts several tones at once; it is a preference, not a rule,
 * so that 16 tones still fit in a 4096-point window. */
static unsigned im3_hits(const struct toneplan *plan, unsigned b)
{
	long n = plan->window, x = b;
	unsigned hits = 0;
	/* 2t ± u for every ordered pair of tones, with b in each of the three roles */
	for (unsigned i = 0; i < plan->n_tones; i++) {
		long t = plan->bin[i];
		for (unsigned j = 0; j < plan->n_tones; j++) {
			long u = plan->bin[j];
			if (i == j)
				continue;
			if (near(fold(2 * t + u, n), x) || near(fold(2 * t - u, n), x) ||
			    near(fold(2 * t + x, n), u) || near(fold(2 * t - x, n), u) ||
			    near(fold(2 * x + t, n), u) || near(fold(2 * x - t, n), u))
				hits++;
		}
	}
	return hits;
}

/* Nearest bin to target in (lo, hi] that passes the rules and the tier's
 * preferences, within max_dist bins; 0 when there is none. Tier 0 wants an
 * odd bin free of 3rd-order products, tier 1 an odd bin, tier 2 any bin.
 * Odd bins first: the sum and difference of two odd bins are even, so odd
 * tones can only meet the f1±f2 rule through its guard band, which leaves
 * the most room for the tones still to come. */
static unsigned search(struct toneplan *plan, unsigned k, double target, unsigned lo,
                       unsigned hi, double max_dist, int tier)
{
	long centre = lround(target);
	for (long d = 0; d <= (long)max_dist + 1; d++) {
		for (int side = 0; side < 2; side++) {
			if (d == 0 && side)
				continue;
			long b = side ? centre + d : centre - d;
			if (b <= (long)lo || b > (long)hi || fabs(b - target) > max_dist)
				continue;
			if (tier < 2 && !(b & 1))
				continue;
			if (toneplan_check_bin(plan, k, (unsigned)b))
				continue;
			if (tier == 0 && im3_hits(plan, (unsigned)b))
				continue;
			return (unsigned)b;
		}
	}
	return 0;
}

/* Greedy placement, lowest tone first, each at the free bin nearest its
 * log-uniform target (or, packed, the lowest free bin above the last). */
static int place(struct toneplan *p, unsigned n_outputs, unsigned lo_bin, unsigned hi_bin,
                 int packed)
{
	double ratio = n_outputs > 1 ? pow((double)hi_bin / lo_bin, 1.0 / (n_outputs - 1)) : 1.0;
	for (unsigned k = 0; k < n_outputs; k++) {
		unsigned prev = k ? p->bin[k - 1] : lo_bin - 1;
		double target = n_outputs > 1 ? lo_bin * pow(ratio, k) : sqrt((double)lo_bin * hi_bin);
		if (packed)
			target = prev + 1;
		/* a few bins at least, so a dense low-rate plan can still move */
		double local = fmax(4.0, target * (ratio > 1.0 ? ratio - 1.0 : 0.25) *
		                             LOCAL_SEARCH_FRACTION);
		p->n_tones = k;  /* rules apply against the tones placed so far */
		unsigned b = 0;
		for (int tier = 0; tier < 3 && !b; tier++)
			b = search(p, k, target, prev, hi_bin, local, tier);
		if (!b)
			b = search(p, k, target, prev, hi_bin, (double)hi_bin, 2);
		if (!b)
			return -ERANGE;
		p->bin[k] = b;
	}
	p->n_tones = n_outputs;
	return 0;
}

int toneplan_make(struct toneplan *plan, unsigned n_outputs, unsigned rate, unsigned window)
{
	if (!plan || n_outputs == 0 || n_outputs > TONEPLAN_MAX_TONES ||
	    rate < TONEPLAN_MIN_RATE || rate > TONEPLAN_MAX_RATE ||
	    window < MIN_WINDOW || window > MAX_WINDOW || !is_pow2(window))
		return -EINVAL;

	struct toneplan p = { .rate = rate, .window = window };
	double df = (double)rate / window;
	double hi_hz = fmin(BAND_HI_HZ, BAND_HI_NYQUIST_FRACTION * rate / 2.0);
	/* bin 3 at least, so DC and its leakage stay out of the lowest tone */
	unsigned lo_bin = (unsigned)fmax(3.0, ceil(BAND_LO_HZ / df));
	unsigned hi_bin = (unsigned)floor(hi_hz / df);
	if (hi_bin < lo_bin)
		return -ERANGE;

	int rc = place(&p, n_outputs, lo_bin, hi_bin, 0);
	if (rc)  /* a short window: pack the tones upwards from the bottom instead */
		rc = place(&p, n_outputs, lo_bin, hi_bin, 1);
	if (rc)
		return rc;

	double amp = fmin(MAX_AMPLITUDE, SUM_AMPLITUDE / n_outputs);
	for (unsigned k = 0; k < n_outputs; k++) {
		p.freq_hz[k] = p.bin[k] * df;
		p.amplitude[k] = amp;
		/* Schroeder's phases keep the actual peaks of the sum well below
		 * the worst-case budget (crest factor 3.9 rather than 5.7 for 16
		 * tones), away from where converters distort. */
		double ph = -M_PI * (double)k * k / n_outputs;
		ph = remainder(ph, 2.0 * M_PI);
		if (ph <= -M_PI)
			ph += 2.0 * M_PI;
		p.phase_rad[k] = ph;
	}
	*plan = p;
	return 0;
}
