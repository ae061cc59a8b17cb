/* classify_corpus: hand-built jigs, an independent oracle of their gains, and synthetic measurements (shared by the classify tests and bench/classify). */
#include "classify_corpus.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Level of every tone at the interface, −20 dBFS. */
#define TONE_AMP 0.1

double rng_uniform(struct rng *r)
{
	/* xorshift64*: plenty for noise, and the same on every platform. */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	uint64_t x = r->s * 2685821657736338717ull;
	return ((double)(x >> 11) + 0.5) / 9007199254740992.0;
}

double rng_gauss(struct rng *r)
{
	double u = rng_uniform(r), v = rng_uniform(r);
	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

int corpus_contact(struct jig *j, const char *name, unsigned end, const char *plug, enum role role)
{
	struct fixture_contact *c = &j->f.contact[j->f.n_contacts];
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->plug, sizeof(c->plug), "%s", plug);
	c->end = end;
	c->role = role;
	c->socket_role = role;
	return (int)j->f.n_contacts++;
}

static int find(const struct fixture *f, const char *name)
{
	return fixture_find_contact(f, name);
}

void corpus_wire(struct jig *j, const char *a, const char *b)
{
	j->expected.c[j->expected.n++] = (struct conductor){find(&j->f, a), find(&j->f, b), WIRING_DEFAULT_OHMS};
}

void corpus_drive(struct jig *j, const char *c)
{
	j->f.output[j->f.n_outputs++] = find(&j->f, c);
}

void corpus_sense(struct jig *j, const char *pos, const char *neg)
{
	j->f.input_pos[j->f.n_inputs] = find(&j->f, pos);
	j->f.input_neg[j->f.n_inputs++] = neg ? find(&j->f, neg) : -1;
}

void corpus_load(struct jig *j, const char *a, const char *b, double ohms)
{
	j->f.load[j->f.n_loads++] = (struct fixture_load){find(&j->f, a), find(&j->f, b), ohms};
}

void corpus_tie(struct jig *j, const char *c)
{
	j->f.tie[j->f.n_ties++] = find(&j->f, c);
}

/* Same contacts and roles at both ends, each end's contacts named X.<n>. */
static void both_ends(struct jig *j, const char *const *names, const enum role *roles, unsigned n)
{
	char buf[FIXTURE_NAME_MAX];
	for (unsigned e = 0; e < 2; e++)
		for (unsigned k = 0; k < n; k++) {
			snprintf(buf, sizeof(buf), "%c.%s", e ? 'B' : 'A', names[k]);
			corpus_contact(j, buf, e, "", roles[k]);
		}
	for (unsigned k = 0; k < n; k++) {
		char a[FIXTURE_NAME_MAX], b[FIXTURE_NAME_MAX];
		snprintf(a, sizeof(a), "A.%s", names[k]);
		snprintf(b, sizeof(b), "B.%s", names[k]);
		corpus_wire(j, a, b);
	}
}

/* Shuffle the channel numbering and turn some differential inputs round. */
static void scramble(struct fixture *f, struct rng *r)
{
	for (unsigned k = f->n_outputs; k > 1; k--) {
		unsigned x = (unsigned)(rng_uniform(r) * k);
		int t = f->output[k - 1];
		f->output[k - 1] = f->output[x];
		f->output[x] = t;
	}
	for (unsigned k = f->n_inputs; k > 1; k--) {
		unsigned x = (unsigned)(rng_uniform(r) * k);
		int tp = f->input_pos[k - 1], tn = f->input_neg[k - 1];
		f->input_pos[k - 1] = f->input_pos[x];
		f->input_neg[k - 1] = f->input_neg[x];
		f->input_pos[x] = tp;
		f->input_neg[x] = tn;
	}
	for (unsigned k = 0; k < f->n_inputs; k++) {
		if (f->input_neg[k] >= 0 && rng_uniform(r) < 0.5) {
			int t = f->input_pos[k];
			f->input_pos[k] = f->input_neg[k];
			f->input_neg[k] = t;
		}
	}
}

int corpus_jig(enum jig_kind kind, uint64_t seed, struct jig *j)
{
	static const char *const trrs[4] = {"T", "R1", "R2", "S"};
	static const enum role ctia[4] = {ROLE_L, ROLE_R, ROLE_G, ROLE_MIC};
	static const char *const pentaconn[5] = {"T", "R1", "R2", "R3", "S"};
	static const enum role balanced[5] = {ROLE_LP, ROLE_LN, ROLE_RP, ROLE_RN, ROLE_G};
	struct rng r = {seed * 0x9E3779B97F4A7C15ull + 1};

	memset(j, 0, sizeof(*j));
	j->f.source_ohms = 100.0;
	j->f.input_ohms = 10000.0;
	switch (kind) {
	case JIG_TRRS4:
		snprintf(j->name, sizeof(j->name), "trrs 4x4 per contact");
		both_ends(j, trrs, ctia, 4);
		for (unsigned k = 0; k < 4; k++) {
			j->f.output[j->f.n_outputs++] = (int)k;
			j->f.input_pos[j->f.n_inputs] = (int)(4 + k);
			j->f.input_neg[j->f.n_inputs++] = -1;
		}
		break;
	case JIG_STEREO:
		snprintf(j->name, sizeof(j->name), "trrs stereo 2x2 loaded");
		both_ends(j, trrs, ctia, 4);
		corpus_drive(j, "A.T");
		corpus_drive(j, "A.R1");
		corpus_tie(j, "A.R2");
		corpus_load(j, "B.T", "B.R2", 32.0);
		corpus_load(j, "B.R1", "B.R2", 32.0);
		corpus_sense(j, "B.T", "B.R2");
		corpus_sense(j, "B.R1", "B.R2");
		break;
	case JIG_44:
		snprintf(j->name, sizeof(j->name), "4.4 mm 5x5 per contact");
		both_ends(j, pentaconn, balanced, 5);
		for (unsigned k = 0; k < 5; k++) {
			j->f.output[j->f.n_outputs++] = (int)k;
			j->f.input_pos[j->f.n_inputs] = (int)(5 + k);
			j->f.input_neg[j->f.n_inputs++] = -1;
		}
		break;
	case JIG_IEM:
		snprintf(j->name, sizeof(j->name), "3.5 mm to 2 x 2-pin IEM");
		corpus_contact(j, "A.T", 0, "", ROLE_L);
		corpus_contact(j, "A.R", 0, "", ROLE_R);
		corpus_contact(j, "A.S", 0, "", ROLE_G);
		corpus_contact(j, "B.left.+", 1, "left", ROLE_P);
		corpus_contact(j, "B.left.-", 1, "left", ROLE_N);
		corpus_contact(j, "B.right.+", 1, "right", ROLE_P);
		corpus_contact(j, "B.right.-", 1, "right", ROLE_N);
		corpus_wire(j, "A.T", "B.left.+");
		corpus_wire(j, "A.S", "B.left.-");
		corpus_wire(j, "A.R", "B.right.+");
		corpus_wire(j, "A.S", "B.right.-");
		corpus_drive(j, "A.T");
		corpus_drive(j, "A.R");
		corpus_tie(j, "A.S");
		corpus_load(j, "B.left.+", "B.left.-", 32.0);
		corpus_load(j, "B.right.+", "B.right.-", 32.0);
		corpus_sense(j, "B.left.+", "B.left.-");
		corpus_sense(j, "B.right.+", "B.right.-");
		break;
	default:
		return -EINVAL;
	}
	scramble(&j->f, &r);
	return corpus_finish(j);
}

int corpus_finish(struct jig *j)
{
	return oracle_gains(&j->f, &j->expected, j->eg);
}

int corpus_conductor(const struct jig *j, const char *near)
{
	int c = find(&j->f, near);
	for (unsigned k = 0; k < j->expected.n; k++)
		if (j->expected.c[k].a == c)
			return (int)k;
	return -1;
}

int corpus_conductor_to(const struct jig *j, const char *far)
{
	int c = find(&j->f, far);
	for (unsigned k = 0; k < j->expected.n; k++)
		if (j->expected.c[k].b == c)
			return (int)k;
	return -1;
}

int corpus_output_of(const struct jig *j, const char *contact)
{
	int c = find(&j->f, contact);
	for (unsigned o = 0; o < j->f.n_outputs; o++)
		if (j->f.output[o] == c)
			return (int)o;
	return -1;
}

int corpus_input_of(const struct jig *j, const char *contact)
{
	int c = find(&j->f, contact);
	for (unsigned i = 0; i < j->f.n_inputs; i++)
		if (j->f.input_pos[i] == c || j->f.input_neg[i] == c)
			return (int)i;
	return -1;
}

double corpus_input_sign(const struct jig *j, int input)
{
	enum role r = j->f.contact[j->f.input_pos[input]].role;
	return r == ROLE_G || r == ROLE_N || r == ROLE_LN || r == ROLE_RN ? -1.0 : 1.0;
}

double corpus_expected_gain(const struct jig *j, int input, int output)
{
	return j->eg[input * (int)j->f.n_outputs + output];
}

/* ---- measurements ---- */

double corpus_tone_sigma(const struct jig *j, unsigned k, double snr_db)
{
	double e = 0.0;
	for (unsigned i = 0; i < j->f.n_inputs; i++)
		e = fmax(e, fabs(j->eg[i * j->f.n_outputs + k]));
	return (e > 0.0 ? e : 1.0) * pow(10.0, -snr_db / 20.0);
}

void corpus_synth_gains(const struct jig *j, const double *g, double snr_db, struct rng *r, struct analysis *an)
{
	unsigned ni = j->f.n_inputs, no = j->f.n_outputs;

	memset(an, 0, sizeof(*an));
	an->n_inputs = ni;
	an->n_tones = no;
	for (unsigned k = 0; k < no; k++) {
		double s = corpus_tone_sigma(j, k, snr_db);
		for (unsigned i = 0; i < ni; i++) {
			struct tone_result *t = &an->h[i][k];
			t->re = g[i * no + k] + (r ? s * M_SQRT1_2 * rng_gauss(r) : 0.0);
			t->im = r ? s * M_SQRT1_2 * rng_gauss(r) : 0.0;
			t->gain = hypot(t->re, t->im);
			t->gain_db = t->gain > 0.0 ? 20.0 * log10(t->gain) : -400.0;
			t->phase_deg = atan2(t->im, t->re) * 180.0 / M_PI;
			t->level_dbfs = 20.0 * log10(TONE_AMP * t->gain);
			t->noise_dbfs = 20.0 * log10(TONE_AMP * s);
			t->snr_db = t->level_dbfs - t->noise_dbfs;
			an->peak[i] += TONE_AMP * t->gain;
		}
	}
	for (unsigned i = 0; i < ni; i++)
		an->noise_dbfs[i] = 20.0 * log10(TONE_AMP * corpus_tone_sigma(j, 0, snr_db));
}

void corpus_synth(const struct jig *j, const struct wiring *truth, double snr_db, struct rng *r, struct analysis *an)
{
	double g[FIXTURE_MAX_CHANNELS * FIXTURE_MAX_CHANNELS];
	if (oracle_gains(&j->f, truth, g) < 0)
		memset(g, 0, sizeof(g));
	corpus_synth_gains(j, g, snr_db, r, an);
}

int corpus_good(const struct jig *j, double snr_db, uint64_t seed, unsigned runs, unsigned *pass, unsigned *error,
                unsigned *fail)
{
	struct rng r = {seed * 0x9E3779B97F4A7C15ull + 11};
	struct analysis an;
	struct classification cl;
	int rc = 0;

	*pass = *error = *fail = 0;
	classifier *c = classifier_create(&j->f, &j->expected, NULL);
	if (!c) {
		rc = -ENOMEM;
		goto out;
	}
	if (j->model_tol > 0.0 && (rc = classifier_set_model_tolerance(c, j->model_tol)) < 0)
		goto out;
	for (unsigned k = 0; k < runs; k++) {
		corpus_synth(j, &j->expected, snr_db, &r, &an);
		if ((rc = classifier_run(c, &an, &cl)) < 0)
			goto out;
		if (cl.verdict == VERDICT_PASS)
			(*pass)++;
		else if (cl.verdict == VERDICT_ERROR)
			(*error)++;
		else
			(*fail)++;
	}
out:
	classifier_destroy(c);
	return rc;
}
