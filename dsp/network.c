/* network: modified nodal analysis of a resistive network, gain from every source to every sense point. */
#include "network.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Insulation leakage from every node to ground. 1 GΩ is the order of the
 * insulation resistance of cable jackets and PCB laminate, so it changes no
 * gain we can measure (a 10 kΩ input sees 1e-5 of it), yet it makes every
 * node — even a contact no conductor reaches — part of a non-singular
 * system: an open wire solves to 0 V instead of failing. */
#define LEAK_OHMS 1e9

#define N NETWORK_MAX_NODES

struct network {
	unsigned n_nodes;
	unsigned n_resistors, n_sources, n_senses;
	/* Conductance matrix of nodes 1..n_nodes (row/column 0 is node 1);
	 * elements are stamped as they are added, so solving needs no list walk. */
	double g[N][N];
	double lu[N][N];          /* factorised copy; g survives a solve */
	unsigned perm[N];
	double x[N];              /* scratch solution vector */
	int solved;               /* lu and v match the elements added */
	double v[NETWORK_MAX_SOURCES][N];   /* node voltages per source, kept for callers */
	unsigned src_node[NETWORK_MAX_SOURCES];
	double src_g[NETWORK_MAX_SOURCES];
	unsigned sense_pos[NETWORK_MAX_SENSES], sense_neg[NETWORK_MAX_SENSES];
};

network *network_create(void)
{
	network *n = calloc(1, sizeof(*n));
	return n;
}

void network_destroy(network *n)
{
	free(n);
}

int network_reset(network *n, unsigned n_nodes)
{
	if (!n)
		return -EINVAL;
	if (n_nodes > N)
		return -ENOSPC;
	/* Only the block in use is cleared: the classifier resets once per
	 * hypothesis and most fixtures use a fraction of the 64 nodes. */
	for (unsigned r = 0; r < n_nodes; r++)
		memset(n->g[r], 0, n_nodes * sizeof(double));
	n->n_nodes = n_nodes;
	n->n_resistors = n->n_sources = n->n_senses = 0;
	n->solved = 0;
	return 0;
}

static int valid_ohms(double ohms)
{
	return isfinite(ohms) && ohms > 0.0;
}

int network_add_resistor(network *n, unsigned a, unsigned b, double ohms)
{
	if (!n || a > n->n_nodes || b > n->n_nodes || a == b || !valid_ohms(ohms))
		return -EINVAL;
	if (n->n_resistors >= NETWORK_MAX_RESISTORS)
		return -ENOSPC;
	double y = 1.0 / ohms;
	if (a)
		n->g[a - 1][a - 1] += y;
	if (b)
		n->g[b - 1][b - 1] += y;
	if (a && b) {
		n->g[a - 1][b - 1] -= y;
		n->g[b - 1][a - 1] -= y;
	}
	n->n_resistors++;
	n->solved = 0;
	return 0;
}

int network_add_source(network *n, unsigned node, double ohms)
{
	if (!n || node == 0 || node > n->n_nodes || !valid_ohms(ohms))
		return -EINVAL;
	if (n->n_sources >= NETWORK_MAX_SOURCES)
		return -ENOSPC;
	/* Norton equivalent: 1 V behind R is a current 1/R into the node with R
	 * to ground. A source at 0 V is then just R to ground, so the matrix is
	 * the same for every source and is factorised once. */
	double y = 1.0 / ohms;
	n->g[node - 1][node - 1] += y;
	n->src_node[n->n_sources] = node;
	n->src_g[n->n_sources] = y;
	n->solved = 0;
	return (int)n->n_sources++;
}

int network_add_sense(network *n, unsigned pos, unsigned neg)
{
	if (!n || pos > n->n_nodes || neg > n->n_nodes || pos == neg)
		return -EINVAL;
	if (n->n_senses >= NETWORK_MAX_SENSES)
		return -ENOSPC;
	n->sense_pos[n->n_senses] = pos;
	n->sense_neg[n->n_senses] = neg;
	return (int)n->n_senses++;
}

unsigned network_sources(const network *n)
{
	return n ? n->n_sources : 0;
}

unsigned network_senses(const network *n)
{
	return n ? n->n_senses : 0;
}

/* LU with partial pivoting, in place on n->lu. */
static int factorise(network *n)
{
	unsigned m = n->n_nodes;
	double scale = 0.0;

	for (unsigned r = 0; r < m; r++) {
		memcpy(n->lu[r], n->g[r], m * sizeof(double));
		n->lu[r][r] += 1.0 / LEAK_OHMS;
		n->perm[r] = r;
		for (unsigned c = 0; c < m; c++)
			if (fabs(n->lu[r][c]) > scale)
				scale = fabs(n->lu[r][c]);
	}
	/* A pivot at the rounding level of the largest element (m·ε·max|G|) is
	 * indistinguishable from zero: the solution would be rounding noise.
	 * The leak keeps real fixtures far above this (1e-9 S against at most
	 * ~1e2 S for a 0.01 Ω tie). */
	double tiny = (double)m * DBL_EPSILON * scale;

	for (unsigned k = 0; k < m; k++) {
		unsigned p = k;
		double best = fabs(n->lu[k][k]);
		for (unsigned r = k + 1; r < m; r++) {
			if (fabs(n->lu[r][k]) > best) {
				best = fabs(n->lu[r][k]);
				p = r;
			}
		}
		if (!(best > tiny))
			return -EDOM;
		if (p != k) {
			for (unsigned c = 0; c < m; c++) {
				double t = n->lu[k][c];
				n->lu[k][c] = n->lu[p][c];
				n->lu[p][c] = t;
			}
			unsigned t = n->perm[k];
			n->perm[k] = n->perm[p];
			n->perm[p] = t;
		}
		double inv = 1.0 / n->lu[k][k];
		for (unsigned r = k + 1; r < m; r++) {
			double f = n->lu[r][k] * inv;
			n->lu[r][k] = f;
			if (f == 0.0)
				continue;
			for (unsigned c = k + 1; c < m; c++)
				n->lu[r][c] -= f * n->lu[k][c];
		}
	}
	return 0;
}

/* Solve G x = y (e_a - e_b) into n->x from the factorisation; node 0
 * (ground) contributes nothing. */
static void solve_injection(network *n, unsigned a, unsigned b, double y)
{
	unsigned m = n->n_nodes;

	for (unsigned r = 0; r < m; r++) {
		unsigned node = n->perm[r] + 1;
		double s = node == a ? y : node == b ? -y : 0.0;
		for (unsigned c = 0; c < r; c++)
			s -= n->lu[r][c] * n->x[c];
		n->x[r] = s;
	}
	for (unsigned r = m; r-- > 0;) {
		double s = n->x[r];
		for (unsigned c = r + 1; c < m; c++)
			s -= n->lu[r][c] * n->x[c];
		n->x[r] = s / n->lu[r][r];
	}
}

int network_solve(network *n, double *gain)
{
	if (!n || !gain)
		return -EINVAL;
	n->solved = 0;
	if (n->n_nodes == 0) {
		/* Nothing but ground: every sense reads 0 V. */
		for (unsigned k = 0; k < n->n_senses * n->n_sources; k++)
			gain[k] = 0.0;
		n->solved = 1;
		return 0;
	}
	int rc = factorise(n);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < n->n_sources; i++) {
		solve_injection(n, n->src_node[i], 0, n->src_g[i]);
		memcpy(n->v[i], n->x, n->n_nodes * sizeof(double));
		for (unsigned s = 0; s < n->n_senses; s++) {
			double vp = n->sense_pos[s] ? n->x[n->sense_pos[s] - 1] : 0.0;
			double vn = n->sense_neg[s] ? n->x[n->sense_neg[s] - 1] : 0.0;
			gain[s * n->n_sources + i] = vp - vn;
		}
	}
	n->solved = 1;
	return 0;
}

int network_node_voltages(const network *n, unsigned source, double *v)
{
	if (!n || !v || !n->solved || source >= n->n_sources)
		return -EINVAL;
	memcpy(v, n->v[source], n->n_nodes * sizeof(double));
	return 0;
}

int network_transfer(network *n, unsigned a, unsigned b, double *v)
{
	if (!n || !v || !n->solved || a > n->n_nodes || b > n->n_nodes)
		return -EINVAL;
	if (n->n_nodes == 0)
		return 0;
	solve_injection(n, a, b, 1.0);
	memcpy(v, n->x, n->n_nodes * sizeof(double));
	return 0;
}
