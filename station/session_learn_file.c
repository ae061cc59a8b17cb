/* session_learn_file: the files of learning — where the profile goes, the first sample kept until a second one agrees, the comparison, and the cable profile written. */
#include "session_learn_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Two good samples of one design agree within an ohm plus a fifth of their
 * resistance: a conductor of 1 m of 28 AWG copper is ~0.2 Ω and each
 * contact tens of mΩ, so an ohm is a few plugs' worth of scatter, and a
 * thin long design of tens of ohms varies with its length by percents, not
 * by a fifth. */
#define MATCH_OHMS 1.0
#define MATCH_REL 0.2
/* ...or within 4 standard deviations of the two measurements' noise, when
 * that is wider: a false refusal once in ~16000 conductors. */
#define MATCH_SIGMAS 4.0
/* A learned resistance sets the profile's limit only when the jig resolved
 * it (above 4 σ, noise and model together); the limit then leaves half
 * again as much room, so the sample itself and its siblings pass. */
#define LIMIT_HEADROOM 1.5

#define DRAFT_SUFFIX ".learn.json"

static int valid_name(const char *s)
{
	if (!s[0] || s[0] == '.' || strlen(s) >= PROFILE_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("._+-", *s)))
			return 0;
	return 1;
}

/* "learned-<end a>-to-<end b>", blanks and colons of labelled plugs as '-'. */
static void default_name(const char *a, const char *b, char *out, size_t len)
{
	char raw[600];
	size_t n = 0;
	snprintf(raw, sizeof(raw), "learned-%s-to-%s", a, b);
	for (const char *s = raw; *s && n + 1 < len; s++) {
		char c = strchr(" :\t/", *s) ? '-' : *s;
		if (c == '-' && n > 0 && out[n - 1] == '-')
			continue;
		out[n++] = c;
	}
	out[n] = '\0';
}

static void path_of(const struct learn_request *rq, const char *suffix, char *out, size_t len)
{
	snprintf(out, len, "%s/cables/%s%s", rq->dir, rq->name, suffix);
}

/* A kept first sample: {"jig", "end_a", "end_b", "device", "host", "learned_at", "wires": […]}.
 * NULL when there is none; *bad set when there is one that does not read. */
static json_t *draft_load(const struct learn_request *rq, int *bad, char err[LEARN_ERR_MAX])
{
	char path[600];
	json_error_t je;
	*bad = 0;
	path_of(rq, DRAFT_SUFFIX, path, sizeof(path));
	if (access(path, F_OK) != 0)
		return NULL;
	json_t *d = json_load_file(path, 0, &je);
	if (!d || !json_is_string(json_object_get(d, "jig")) || !json_is_array(json_object_get(d, "wires"))) {
		snprintf(err, LEARN_ERR_MAX, "%.300s: not a first sample kept by tonewire learn (%.80s); remove it or "
		         "learn with --restart", path, d ? "fields missing" : je.text);
		json_decref(d);
		*bad = 1;
		return NULL;
	}
	return d;
}

static const char *dget(const json_t *d, const char *k)
{
	const char *s = json_string_value(json_object_get(d, k));
	return s ? s : "";
}

int learn_prepare(struct learn_request *rq, const char *name, const char *end_a, const char *end_b,
                  const char *dir, int restart, const char *jig, char err[LEARN_ERR_MAX])
{
	char path[600], draft[600];
	int bad;

	memset(rq, 0, sizeof(*rq));
	rq->restart = restart;
	snprintf(rq->end_a, sizeof(rq->end_a), "%s", end_a);
	snprintf(rq->end_b, sizeof(rq->end_b), "%s", end_b);
	if (name && name[0])
		snprintf(rq->name, sizeof(rq->name), "%s", name);
	else
		default_name(end_a, end_b, rq->name, sizeof(rq->name));
	if (!valid_name(rq->name)) {
		snprintf(err, LEARN_ERR_MAX, "name: '%.100s' is not a profile name (letters, digits and . _ + -, "
		         "not starting with '.', at most %d characters)", rq->name, PROFILE_NAME_MAX - 1);
		return -EINVAL;
	}
	if (!dir || !dir[0])
		dir = getenv("TONEWIRE_PROFILES");
	if (dir && dir[0])
		snprintf(rq->dir, sizeof(rq->dir), "%.*s", (int)strcspn(dir, ":"), dir);
	else if (profiles_user_dir(rq->dir, sizeof(rq->dir)) < 0) {
		snprintf(err, LEARN_ERR_MAX, "nowhere to write the profile: neither $HOME nor $XDG_CONFIG_HOME is "
		         "set; give a folder with --profiles");
		return -EINVAL;
	}
	path_of(rq, ".conf", path, sizeof(path));
	if (access(path, F_OK) == 0) {
		snprintf(err, LEARN_ERR_MAX, "%.300s already exists: learn under another name, or remove it first",
		         path);
		return -EEXIST;
	}
	path_of(rq, DRAFT_SUFFIX, draft, sizeof(draft));
	if (restart) {
		if (unlink(draft) != 0 && errno != ENOENT) {
			snprintf(err, LEARN_ERR_MAX, "%.300s: cannot remove: %s", draft, strerror(errno));
			return -EINVAL;
		}
		return 0;
	}
	json_t *d = draft_load(rq, &bad, err);
	if (bad)
		return -EINVAL;
	if (d && (strcmp(dget(d, "jig"), jig) || strcmp(dget(d, "end_a"), end_a) || strcmp(dget(d, "end_b"), end_b))) {
		snprintf(err, LEARN_ERR_MAX, "the first sample of '%s' was learned on jig '%.60s' with ends '%.60s' "
		         "and '%.60s': learn the second with those, or start again with --restart", rq->name,
		         dget(d, "jig"), dget(d, "end_a"), dget(d, "end_b"));
		json_decref(d);
		return -EINVAL;
	}
	json_decref(d);
	return 0;
}

/* ---- JSON of samples ---- */

static json_t *num(double x)
{
	if (!isfinite(x))
		return json_null();
	return json_real(round(x * 1000.0) / 1000.0);
}

static json_t *wires_json(const struct fixture *f, const struct learn_sample *s)
{
	json_t *arr = json_array();
	for (unsigned i = 0; i < s->n; i++) {
		const struct learn_wire *w = &s->w[i];
		json_t *o = json_object();
		json_object_set_new(o, "from", json_string(f->contact[w->a].name));
		json_object_set_new(o, "to", json_string(f->contact[w->b].name));
		json_object_set_new(o, "gain", num(w->gain));
		json_object_set_new(o, "ohms", num(w->ohms));
		json_object_set_new(o, "sigma_ohms", num(w->sigma));
		json_object_set_new(o, "model_sigma_ohms", num(w->model_sigma));
		json_object_set_new(o, "level_db", num(w->level_db));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* A kept sample back into contact indexes of f; -EINVAL when a contact is not f's. */
static int wires_from(const struct fixture *f, const json_t *arr, struct learn_sample *s)
{
	size_t i;
	json_t *o;
	memset(s, 0, sizeof(*s));
	json_array_foreach(arr, i, o) {
		int a = fixture_find_contact(f, dget(o, "from")), b = fixture_find_contact(f, dget(o, "to"));
		if (a < 0 || b < 0 || s->n == WIRING_MAX)
			return -EINVAL;
		const json_t *sg = json_object_get(o, "sigma_ohms"), *ms = json_object_get(o, "model_sigma_ohms");
		s->w[s->n++] = (struct learn_wire){ .a = a, .b = b, .gain = json_number_value(json_object_get(o, "gain")),
		                                    .ohms = json_number_value(json_object_get(o, "ohms")),
		                                    .sigma = json_is_number(sg) ? json_number_value(sg) : INFINITY,
		                                    .model_sigma = json_is_number(ms) ? json_number_value(ms) : INFINITY,
		                                    .level_db = json_number_value(json_object_get(o, "level_db")) };
	}
	return 0;
}

static int wire_index(const struct learn_sample *s, int a, int b)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->w[i].a == a && s->w[i].b == b)
			return (int)i;
	return -1;
}

/* How far apart two measurements of one conductor may be (see MATCH_*). */
static double tolerance(const struct learn_wire *x, const struct learn_wire *y)
{
	return fmax(MATCH_OHMS + MATCH_REL * fmax(x->ohms, y->ohms), MATCH_SIGMAS * hypot(x->sigma, y->sigma));
}

static void add_fault(json_t *faults, const char *code, const char *a, const char *b, const char *summary)
{
	json_t *o = json_object(), *c = json_array();
	json_array_append_new(c, json_string(a));
	json_array_append_new(c, json_string(b));
	json_object_set_new(o, "code", json_string(code));
	json_object_set_new(o, "contacts", c);
	json_object_set_new(o, "summary", json_string(summary));
	json_object_set_new(o, "confidence", json_real(1.0));
	json_array_append_new(faults, o);
}

/* The differences between the first sample s1 and the second s2, as faults. */
static json_t *differences(const struct fixture *f, const struct learn_sample *s1, const struct learn_sample *s2)
{
	json_t *faults = json_array();
	char text[300];
	for (unsigned k = 0; k < 2; k++) {
		const struct learn_sample *x = k ? s2 : s1, *y = k ? s1 : s2;
		for (unsigned i = 0; i < x->n; i++) {
			const char *a = f->contact[x->w[i].a].name, *b = f->contact[x->w[i].b].name;
			int j = wire_index(y, x->w[i].a, x->w[i].b);
			if (j < 0) {
				snprintf(text, sizeof(text), "The samples differ: %s reaches %s in sample %u, not in sample %u",
				         a, b, k + 1, 2 - k);
				add_fault(faults, "miswire", a, b, text);
			} else if (k == 0 && fabs(x->w[i].ohms - y->w[j].ohms) > tolerance(&x->w[i], &y->w[j])) {
				snprintf(text, sizeof(text), "The samples differ: %s to %s measures %.3g \xCE\xA9 in sample 1 "
				         "and %.3g \xCE\xA9 in sample 2 (they may differ by %.3g \xCE\xA9)", a, b,
				         x->w[i].ohms, y->w[j].ohms, tolerance(&x->w[i], &y->w[j]));
				add_fault(faults, "high_resistance", a, b, text);
			}
		}
	}
	return faults;
}

json_t *learn_json_refused(const struct learn_request *rq, const char *why)
{
	json_t *o = json_object(), *faults = json_array();
	add_fault(faults, "unrecognized_wiring", "", "", why);
	json_array_clear(json_object_get(json_array_get(faults, 0), "contacts"));
	json_object_set_new(o, "name", json_string(rq->name));
	json_object_set_new(o, "step", json_string("refused"));
	json_object_set_new(o, "faults", faults);
	return o;
}

/* ---- writing ---- */

static int mkdirs(const char *dir)
{
	char buf[600];
	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *s = buf + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(buf, 0755) != 0 && errno != EEXIST)
				return -errno;
			*s = '/';
		}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -errno : 0;
}

/* text into path, never over an existing file: written beside it, then
 * linked in (EEXIST when another learn got there first). */
static int write_new(const char *path, const char *text, char err[LEARN_ERR_MAX])
{
	char tmp[620];
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	int rc = 0;
	if (!f || fputs(text, f) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = -errno;
	if (f && fclose(f) != 0 && !rc)
		rc = -errno;
	if (!rc && link(tmp, path) != 0)
		rc = -errno;
	unlink(tmp);
	if (rc)
		snprintf(err, LEARN_ERR_MAX, "%.300s: cannot write: %s", path, strerror(-rc));
	return rc;
}

static const char *bare(const char *contact)
{
	return contact + 2;   /* past "A." / "B." */
}

/* The cable profile of two agreeing samples, with where and when in its header. */
static char *profile_text(const struct learn_request *rq, const struct station_cable *sc, const json_t *draft,
                          const char *device, const struct learn_sample *s1, const struct learn_sample *s2)
{
	const struct fixture *f = &sc->fx;
	char *text = NULL, t1[32], t2[32], host[128] = "";
	size_t len = 0;
	struct classify_limits lim;
	double limit = 0.0, level = 0.0;
	FILE *o = open_memstream(&text, &len);
	if (!o)
		return NULL;
	classify_limits_default(&lim);
	gethostname(host, sizeof(host) - 1);
	result_format_time((long long)json_integer_value(json_object_get(draft, "learned_at")), t1);
	result_format_time((long long)time(NULL), t2);
	fprintf(o, "; Learned by tonewire learn on %s, jig %s, from two samples that agreed:\n", host[0] ? host : "?",
	        sc->jig.name);
	fprintf(o, ";   sample 1 at %s on %s\n;   sample 2 at %s on %s\n", t1, dget(draft, "device"), t2,
	        device ? device : "?");
	fprintf(o, "; Series resistance of each conductor (sample 1, sample 2; what this jig resolves:\n"
	           "; noise, and the interface model's tolerance, which a calibration narrows):\n");
	for (unsigned i = 0; i < s2->n; i++) {
		const struct learn_wire *b = &s2->w[i], *a = &s1->w[wire_index(s1, b->a, b->b)];
		double r = 0.5 * (a->ohms + b->ohms), sd = hypot(0.5 * hypot(a->sigma, b->sigma), b->model_sigma);
		fprintf(o, ";   %-10s %-10s %8.4g, %8.4g ohm  (noise %.2g, model %.4g)\n", bare(f->contact[b->a].name),
		        bare(f->contact[b->b].name), a->ohms, b->ohms, hypot(a->sigma, b->sigma) / 2, b->model_sigma);
		if (r > 4.0 * sd) {
			limit = fmax(limit, LIMIT_HEADROOM * r);
			level = fmax(level, LIMIT_HEADROOM * fmax(fabs(a->level_db), fabs(b->level_db)));
		}
	}
	fprintf(o, "[cable]\nname = %s\ndescription = Learned from two samples on jig %s, %.10s\n", rq->name,
	        sc->jig.name, t2);
	fprintf(o, "end_a = %s\nend_b = %s\n", rq->end_a, rq->end_b);
	for (unsigned i = 0; i < s2->n; i++)
		fprintf(o, "wire = %s %s\n", bare(f->contact[s2->w[i].a].name), bare(f->contact[s2->w[i].b].name));
	fprintf(o, "\n[limits]\n; the classifier's defaults, unless a conductor measured more (with half again as\n"
	           "; much room): its resistance, and the level it costs its channel\nmax_series_ohms = %.6g\n"
	           "max_level_dev_db = %.3g\n", ceil(fmax(lim.max_series_ohms, limit) * 100.0) / 100.0,
	        ceil(fmax(lim.max_level_dev_db, level) * 100.0) / 100.0);
	if (fclose(o) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* The written profile loads and wires the cable as learned; else it is removed. */
static int check_written(const char *path, const struct station_cable *sc, const struct learn_sample *s,
                         char err[LEARN_ERR_MAX])
{
	struct profiles p;
	struct station_cable *back = calloc(1, sizeof(*back));
	int rc = -ENOMEM;
	if (!back)
		goto out;
	profiles_init(&p, NULL);
	if ((rc = station_cable_fit(&p, &sc->jig, path, back, err)) < 0)
		goto out;
	rc = back->expected.n == s->n ? 0 : -EINVAL;
	for (unsigned i = 0; !rc && i < s->n; i++)
		if (back->expected.c[i].a != s->w[i].a || back->expected.c[i].b != s->w[i].b)
			rc = -EINVAL;
	if (rc)
		snprintf(err, LEARN_ERR_MAX, "%.300s: does not read back as the wiring learned", path);
out:
	if (rc)
		unlink(path);
	free(back);
	return rc;
}

/* The cables folder of rq, made when missing; 0 or -errno with err. */
static int cables_dir(const struct learn_request *rq, char err[LEARN_ERR_MAX])
{
	char dir[600];
	snprintf(dir, sizeof(dir), "%s/cables", rq->dir);
	int rc = mkdirs(dir);
	if (rc)
		snprintf(err, LEARN_ERR_MAX, "%.300s: cannot make the folder: %s", dir, strerror(-rc));
	return rc;
}

/* Keep smp as the first sample: <dir>/cables/<name>.learn.json, written whole
 * beside it and renamed in. */
static int keep_first(const struct learn_request *rq, const struct station_cable *sc, const char *device,
                      const struct learn_sample *smp, char err[LEARN_ERR_MAX])
{
	char path[600], tmp[620];
	json_t *d = json_object();
	int rc;
	json_object_set_new(d, "jig", json_string(sc->jig.name));
	json_object_set_new(d, "end_a", json_string(rq->end_a));
	json_object_set_new(d, "end_b", json_string(rq->end_b));
	json_object_set_new(d, "device", json_string(device ? device : ""));
	json_object_set_new(d, "learned_at", json_integer((json_int_t)time(NULL)));
	json_object_set_new(d, "wires", wires_json(&sc->fx, smp));
	path_of(rq, DRAFT_SUFFIX, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	if ((rc = cables_dir(rq, err)) == 0) {
		errno = 0;
		if (json_dump_file(d, tmp, JSON_INDENT(1) | RESULT_JSON_REAL) != 0 || rename(tmp, path) != 0) {
			int sys = errno;
			rc = -EIO;
			snprintf(err, LEARN_ERR_MAX, "%.300s: cannot write the first sample: %s", path,
			         sys ? strerror(sys) : "write failed");
			unlink(tmp);
		}
	}
	json_decref(d);
	return rc;
}

/* The second sample agrees: write the profile, drop the first sample. */
static int save(const struct learn_request *rq, const struct station_cable *sc, const json_t *draft,
                const char *device, const struct learn_sample *s1, const struct learn_sample *s2, json_t *learn,
                char err[LEARN_ERR_MAX])
{
	char path[600], draft_path[600];
	char *text = profile_text(rq, sc, draft, device, s1, s2);
	int rc = text ? cables_dir(rq, err) : -ENOMEM;
	path_of(rq, ".conf", path, sizeof(path));
	if (!text)
		snprintf(err, LEARN_ERR_MAX, "out of memory");
	if (!rc && (rc = write_new(path, text, err)) == 0 && (rc = check_written(path, sc, s2, err)) == 0) {
		path_of(rq, DRAFT_SUFFIX, draft_path, sizeof(draft_path));
		unlink(draft_path);
		json_object_set_new(learn, "profile", json_string(path));
	}
	free(text);
	return rc;
}

enum verdict learn_step(const struct learn_request *rq, const struct station_cable *sc, const char *device,
                        const struct learn_sample *smp, struct learn_sample *scratch, json_t **learn)
{
	char err[LEARN_ERR_MAX], draft_path[600];
	json_t *o = json_object(), *faults = NULL;
	enum verdict v = VERDICT_PASS;
	int bad;

	*learn = o;
	json_object_set_new(o, "name", json_string(rq->name));
	json_object_set_new(o, "end_a", json_string(rq->end_a));
	json_object_set_new(o, "end_b", json_string(rq->end_b));
	json_object_set_new(o, "wires", wires_json(&sc->fx, smp));
	path_of(rq, DRAFT_SUFFIX, draft_path, sizeof(draft_path));
	json_t *d = draft_load(rq, &bad, err);
	if (!d && !bad) {
		json_object_set_new(o, "step", json_string("first_sample"));
		json_object_set_new(o, "sample", json_integer(1));
		if (keep_first(rq, sc, device, smp, err) < 0)
			goto failed;
		json_object_set_new(o, "first_sample", json_string(draft_path));
		return v;
	}
	json_object_set_new(o, "sample", json_integer(2));
	if (bad || wires_from(&sc->fx, json_object_get(d, "wires"), scratch) < 0) {
		if (!bad)
			snprintf(err, sizeof(err), "%.300s: names contacts jig '%s' does not have", draft_path, sc->jig.name);
		goto failed;
	}
	json_object_set_new(o, "first_wires", wires_json(&sc->fx, scratch));
	faults = differences(&sc->fx, scratch, smp);
	if (json_array_size(faults)) {
		json_object_set_new(o, "step", json_string("differs"));
		json_object_set_new(o, "first_sample", json_string(draft_path));
		json_object_set_new(o, "faults", faults);
		json_decref(d);
		return VERDICT_FAIL;
	}
	json_decref(faults);
	json_object_set_new(o, "step", json_string("saved"));
	if (save(rq, sc, d, device, scratch, smp, o, err) < 0)
		goto failed;
	json_decref(d);
	return v;
failed:
	/* The step could not keep or write its file: nothing is saved, and the
	 * result says why (an error of the station, not of the cable). */
	json_decref(d);
	json_object_set_new(o, "step", json_string("not_saved"));
	json_object_set_new(o, "error", json_string(err));
	return VERDICT_ERROR;
}
