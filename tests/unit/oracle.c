/* oracle: the gains of a jig and cable by nodal analysis, written apart from dsp/network.c and dsp/fixture.c — the expected values of the tests. */
#include "oracle.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* A tie to the interface ground: a short jig wire and a contact, ~10 mΩ. */
#define ORACLE_TIE_OHMS 0.01
/* Every real node leaks to ground; a contact nothing connects sits at 0 V. */
#define ORACLE_LEAK_S 1e-9

struct nodal {
	unsigned n;
	double g[FIXTURE_MAX_CONTACTS][FIXTURE_MAX_CONTACTS];
	double rhs[FIXTURE_MAX_CONTACTS][FIXTURE_MAX_CHANNELS];   /* one column per output at 1 V */
};

static void stamp(struct nodal *m, int a, int b, double ohms)
{
	double g = 1.0 / ohms;
	m->g[a][a] += g;
	if (b >= 0) {
		m->g[b][b] += g;
		m->g[a][b] -= g;
		m->g[b][a] -= g;
	}
}

/* Gaussian elimination with partial pivoting on every right-hand side at
 * once; leaves the node voltages in rhs. 0, or -EDOM when singular. */
static int eliminate(struct nodal *m, unsigned n_rhs)
{
	unsigned n = m->n;
	for (unsigned k = 0; k < n; k++) {
		unsigned p = k;
		for (unsigned r = k + 1; r < n; r++)
			if (fabs(m->g[r][k]) > fabs(m->g[p][k]))
				p = r;
		if (!(fabs(m->g[p][k]) > 0.0))
			return -EDOM;
		for (unsigned c = 0; c < n && p != k; c++) {
			double t = m->g[k][c];
			m->g[k][c] = m->g[p][c];
			m->g[p][c] = t;
		}
		for (unsigned c = 0; c < n_rhs && p != k; c++) {
			double t = m->rhs[k][c];
			m->rhs[k][c] = m->rhs[p][c];
			m->rhs[p][c] = t;
		}
		for (unsigned r = k + 1; r < n; r++) {
			double f = m->g[r][k] / m->g[k][k];
			if (f == 0.0)
				continue;
			for (unsigned c = k; c < n; c++)
				m->g[r][c] -= f * m->g[k][c];
			for (unsigned c = 0; c < n_rhs; c++)
				m->rhs[r][c] -= f * m->rhs[k][c];
		}
	}
	for (unsigned k = n; k-- > 0;)
		for (unsigned c = 0; c < n_rhs; c++) {
			double v = m->rhs[k][c];
			for (unsigned q = k + 1; q < n; q++)
				v -= m->g[k][q] * m->rhs[q][c];
			m->rhs[k][c] = v / m->g[k][k];
		}
	return 0;
}

/* The expected measurement, from the circuit itself and written apart
 * from dsp/network.c and dsp/fixture.c: one node per contact; each output
 * a 1 V (or 0 V) source behind source_ohms; each input leg input_ohms to
 * ground; ties, loads and the cable's conductors as resistors. Node
 * equations G v = i, solved by elimination for every output at once. */
int oracle_gains(const struct fixture *f, const struct wiring *w, double *gain)
{
	static struct nodal m;   /* 20 kB: too big for some stacks; the tests are single-threaded */
	unsigned no = f->n_outputs;

	if (f->n_contacts > FIXTURE_MAX_CONTACTS || no > FIXTURE_MAX_CHANNELS || !(f->source_ohms > 0.0) ||
	    !(f->input_ohms > 0.0))
		return -EINVAL;
	memset(&m, 0, sizeof(m));
	m.n = f->n_contacts;
	for (unsigned x = 0; x < m.n; x++)
		m.g[x][x] += ORACLE_LEAK_S;
	for (unsigned o = 0; o < no; o++) {
		stamp(&m, f->output[o], -1, f->source_ohms);
		m.rhs[f->output[o]][o] += 1.0 / f->source_ohms;
	}
	for (unsigned i = 0; i < f->n_inputs; i++) {
		stamp(&m, f->input_pos[i], -1, f->input_ohms);
		if (f->input_neg[i] >= 0)
			stamp(&m, f->input_neg[i], -1, f->input_ohms);
	}
	for (unsigned t = 0; t < f->n_ties; t++)
		stamp(&m, f->tie[t], -1, ORACLE_TIE_OHMS);
	for (unsigned l = 0; l < f->n_loads; l++)
		stamp(&m, f->load[l].a, f->load[l].b, f->load[l].ohms);
	for (unsigned k = 0; k < w->n; k++) {
		const struct conductor *c = &w->c[k];
		if (c->a < 0 || c->b < 0 || (unsigned)c->a >= m.n || (unsigned)c->b >= m.n)
			return -EINVAL;
		stamp(&m, c->a, c->b, c->ohms > 0.0 ? c->ohms : WIRING_DEFAULT_OHMS);
	}
	if (eliminate(&m, no) < 0)
		return -EDOM;
	for (unsigned i = 0; i < f->n_inputs; i++)
		for (unsigned o = 0; o < no; o++) {
			double v = m.rhs[f->input_pos[i]][o];
			if (f->input_neg[i] >= 0)
				v -= m.rhs[f->input_neg[i]][o];
			gain[i * no + o] = v;
		}
	return 0;
}
