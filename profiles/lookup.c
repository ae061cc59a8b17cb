/* profiles lookup: the search path, listing profiles by kind, resolving a name to a file. */
#include "profiles.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

/* How many names the "closest:" suggestion looks at; more than any bench has. */
#define SUGGEST_POOL 512
#define SUGGEST_SHOWN 3

const char *profile_kind_name(enum profile_kind kind)
{
	switch (kind) {
	case PROFILE_CONNECTOR: return "connector";
	case PROFILE_CABLE: return "cable";
	case PROFILE_JIG: return "jig";
	case PROFILE_INTERFACE: return "interface";
	}
	return "profile";
}

static int is_dir(const char *path)
{
	struct stat st;

	return path[0] != '\0' && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int profiles_is_path(const char *ref)
{
	size_t n = strlen(ref);

	/* A name could never contain '/', and "x.conf" is what a user types for
	 * a file next to them. */
	return strchr(ref, '/') != NULL || (n >= 5 && strcmp(ref + n - 5, ".conf") == 0);
}

/* Adds one directory if it exists and is not already listed under any
 * spelling ("dir", "dir/", a symlink to it): --profiles, $TONEWIRE_PROFILES
 * (which profiles_export fills) and the shipped folder are often the same. */
static void add_dir(struct profiles *p, const char *dir, size_t len)
{
	char buf[PATH_MAX], real[PATH_MAX];

	if (len == 0 || len >= sizeof buf || p->n_dirs >= PROFILE_MAX_DIRS)
		return;
	memcpy(buf, dir, len);
	buf[len] = '\0';
	if (!realpath(buf, real) || !is_dir(real) || strlen(real) >= sizeof p->dir[0])
		return;
	for (unsigned i = 0; i < p->n_dirs; i++)
		if (strcmp(p->dir[i], real) == 0)
			return;
	memcpy(p->dir[p->n_dirs++], real, strlen(real) + 1);
}

/* extra and $TONEWIRE_PROFILES may list several folders, like $PATH. */
static void add_dir_list(struct profiles *p, const char *list)
{
	const char *s = list;

	if (!list)
		return;
	while (*s) {
		const char *colon = strchr(s, ':');
		size_t len = colon ? (size_t)(colon - s) : strlen(s);

		add_dir(p, s, len);
		s += len;
		if (*s == ':')
			s++;
	}
}

/* The profiles that come with tonewire: the source tree's when the running
 * code sits in a build tree, else the installed ones. */
static void add_shipped(struct profiles *p)
{
	char dir[PATH_MAX];
	size_t n;

	if (tw_paths_source_dir(dir, sizeof dir - 16) < 0 && tw_paths_data_dir(dir, sizeof dir - 16) < 0)
		return;
	n = strlen(dir);
	memcpy(dir + n, "/profiles", sizeof "/profiles");
	add_dir(p, dir, n + sizeof "/profiles" - 1);
}

int profiles_user_dir(char *out, size_t len)
{
	const char *home = getenv("HOME");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	int n = -1;

	/* XDG_CONFIG_HOME, when set, is where the user keeps ~/.config. */
	if (xdg && xdg[0] == '/')
		n = snprintf(out, len, "%s/tonewire/profiles", xdg);
	else if (home && home[0] == '/')
		n = snprintf(out, len, "%s/.config/tonewire/profiles", home);
	else
		return -ENOENT;
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

void profiles_init(struct profiles *p, const char *extra)
{
	char buf[512];

	memset(p, 0, sizeof *p);
	add_dir_list(p, extra);
	add_dir_list(p, getenv("TONEWIRE_PROFILES"));
	if (profiles_user_dir(buf, sizeof buf) == 0)
		add_dir(p, buf, strlen(buf));
	add_dir(p, "/etc/tonewire/profiles", strlen("/etc/tonewire/profiles"));
	add_shipped(p);
}

int profiles_export(const char *extra, char err[PROFILE_ERR_MAX])
{
	const char *old = getenv("TONEWIRE_PROFILES");
	char *list = NULL;
	size_t len = 0;
	FILE *f;
	int rc = 0;

	if (!extra || !extra[0])
		return 0;
	f = open_memstream(&list, &len);
	if (!f) {
		snprintf(err, PROFILE_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	/* The plugin may resolve them later, elsewhere: make every folder absolute. */
	for (const char *s = extra; *s;) {
		size_t n = strcspn(s, ":");
		char dir[PATH_MAX], real[PATH_MAX];

		if (n > 0 && n < sizeof dir) {
			struct stat st;
			memcpy(dir, s, n);
			dir[n] = '\0';
			/* A folder named on purpose that is not there is a typo, not "no
			 * profiles of my own": said, rather than silently searched past. */
			if (!realpath(dir, real))
				rc = -errno;
			else if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode))
				rc = -ENOTDIR;
			if (rc < 0) {
				snprintf(err, PROFILE_ERR_MAX, "%.200s: %s", dir,
				         rc == -ENOTDIR ? "not a folder" : strerror(-rc));
				fclose(f);
				free(list);
				return rc;
			}
			fprintf(f, "%s%s", ftell(f) ? ":" : "", real);
		}
		s += n;
		if (*s == ':')
			s++;
	}
	if (old && old[0])
		fprintf(f, "%s%s", ftell(f) ? ":" : "", old);
	if (fclose(f) != 0 || !list) {
		snprintf(err, PROFILE_ERR_MAX, "out of memory");
		free(list);
		return -ENOMEM;
	}
	if (setenv("TONEWIRE_PROFILES", list, 1) != 0) {
		rc = -errno;
		snprintf(err, PROFILE_ERR_MAX, "cannot pass the profile folders on: %s", strerror(-rc));
	}
	free(list);
	return rc;
}

/* Inserts name into the sorted array names[0..*n), keeping at most max of
 * the alphabetically first ones; duplicates are dropped (first folder wins,
 * and both would load the same name anyway). */
static void insert_sorted(char (*names)[PROFILE_NAME_MAX], unsigned *n, unsigned max,
                          const char *name)
{
	unsigned lo = 0, hi = *n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		int c = strcmp(names[mid], name);
		if (c == 0)
			return;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= max)
		return;
	if (*n == max)
		(*n)--;            /* the last one falls off the end */
	memmove(names[lo + 1], names[lo], (size_t)(*n - lo) * sizeof names[0]);
	snprintf(names[lo], PROFILE_NAME_MAX, "%s", name);
	(*n)++;
}

unsigned profiles_list(const struct profiles *p, enum profile_kind kind,
                       char (*names)[PROFILE_NAME_MAX], unsigned max)
{
	unsigned n = 0;
	char dir[512];

	if (!p || !names || max == 0)
		return 0;
	for (unsigned d = 0; d < p->n_dirs; d++) {
		DIR *dp;
		struct dirent *de;

		snprintf(dir, sizeof dir, "%s/%ss", p->dir[d], profile_kind_name(kind));
		dp = opendir(dir);
		if (!dp)
			continue;
		while ((de = readdir(dp)) != NULL) {
			size_t len = strlen(de->d_name);
			char stem[PROFILE_NAME_MAX];
			char full[800];

			/* Hidden files are editor backups and the like. */
			if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
				continue;
			if (len - 5 >= sizeof stem)
				continue;   /* could never be loaded by name */
			memcpy(stem, de->d_name, len - 5);
			stem[len - 5] = '\0';
			snprintf(full, sizeof full, "%s/%s", dir, de->d_name);
			if (!is_file(full))
				continue;
			insert_sorted(names, &n, max, stem);
		}
		closedir(dp);
	}
	return n;
}

/* Optimal string alignment distance: Levenshtein plus adjacent transposition,
 * the commonest typo ("extensoin"). Names are short, so a full table fits on
 * the stack. */
static unsigned edit_distance(const char *a, const char *b)
{
	enum { M = PROFILE_NAME_MAX + 1 };
	unsigned d[M][M];
	size_t la = strlen(a), lb = strlen(b);

	if (la >= M)
		la = M - 1;
	if (lb >= M)
		lb = M - 1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* Lower is closer. A name that contains what was typed ("2pin" in
 * "2pin-0.78") is what the user meant more often than a short name a few
 * edits away ("mmcx"), so it ranks first, shorter ones before longer. */
static unsigned suggest_score(const char *typed, const char *name)
{
	size_t lt = strlen(typed), ln = strlen(name);

	if (lt > 0 && strstr(name, typed))
		return (unsigned)(ln - lt);
	return 1000 + edit_distance(typed, name);
}

static void unknown_name(const struct profiles *p, enum profile_kind kind, const char *name,
                         char err[PROFILE_ERR_MAX])
{
	static const unsigned none = ~0u;
	char (*names)[PROFILE_NAME_MAX] = calloc(SUGGEST_POOL, sizeof *names);
	unsigned n, best[SUGGEST_SHOWN], best_d[SUGGEST_SHOWN];
	size_t len;

	if (!names) {
		snprintf(err, PROFILE_ERR_MAX, "unknown %s '%s'", profile_kind_name(kind), name);
		return;
	}
	n = profiles_list(p, kind, names, SUGGEST_POOL);
	if (n == 0) {
		snprintf(err, PROFILE_ERR_MAX, "unknown %s '%s'; no %ss found in %u profile folder%s",
		         profile_kind_name(kind), name, profile_kind_name(kind), p ? p->n_dirs : 0,
		         p && p->n_dirs == 1 ? "" : "s");
		free(names);
		return;
	}
	for (unsigned k = 0; k < SUGGEST_SHOWN; k++) {
		best[k] = none;
		best_d[k] = none;
	}
	/* names is sorted, so equal scores keep alphabetical order. */
	for (unsigned i = 0; i < n; i++) {
		unsigned dist = suggest_score(name, names[i]);

		for (unsigned k = 0; k < SUGGEST_SHOWN; k++) {
			if (dist < best_d[k]) {
				memmove(&best[k + 1], &best[k], (SUGGEST_SHOWN - 1 - k) * sizeof best[0]);
				memmove(&best_d[k + 1], &best_d[k], (SUGGEST_SHOWN - 1 - k) * sizeof best_d[0]);
				best[k] = i;
				best_d[k] = dist;
				break;
			}
		}
	}
	snprintf(err, PROFILE_ERR_MAX, "unknown %s '%s'; closest:", profile_kind_name(kind), name);
	for (unsigned k = 0; k < SUGGEST_SHOWN && best[k] != none; k++) {
		len = strlen(err);
		snprintf(err + len, PROFILE_ERR_MAX - len, "%s %s", k ? "," : "", names[best[k]]);
	}
	if (n > SUGGEST_SHOWN) {
		len = strlen(err);
		snprintf(err + len, PROFILE_ERR_MAX - len, ", …");
	}
	free(names);
}

/* Checks a name before it becomes part of a file name. */
static int check_ref(enum profile_kind kind, const char *name, char err[PROFILE_ERR_MAX])
{
	const char *kname = profile_kind_name(kind);

	if (!name || !name[0]) {
		snprintf(err, PROFILE_ERR_MAX, "no %s name given", kname);
		return -EINVAL;
	}
	if (strlen(name) >= (profiles_is_path(name) ? 256 : PROFILE_NAME_MAX)) {
		snprintf(err, PROFILE_ERR_MAX, "%s %s too long (at most %d characters): %.60s…", kname,
		         profiles_is_path(name) ? "path" : "name", profiles_is_path(name) ? 255 : PROFILE_NAME_MAX - 1,
		         name);
		return -ENAMETOOLONG;
	}
	return 0;
}

/* <dir>/<kind>s/<name>.conf of folder d into path, when it is a file. */
static int in_dir(const struct profiles *p, unsigned d, enum profile_kind kind, const char *name,
                  char path[256])
{
	char buf[512];
	int n = snprintf(buf, sizeof buf, "%s/%ss/%s.conf", p->dir[d], profile_kind_name(kind), name);

	/* longer than any struct can record: skip, never truncate */
	if (n < 0 || n >= 256 || !is_file(buf))
		return 0;
	memcpy(path, buf, (size_t)n + 1);
	return 1;
}

int profiles_find(const struct profiles *p, enum profile_kind kind, const char *name,
                  char path[256], char err[PROFILE_ERR_MAX])
{
	const char *kname = profile_kind_name(kind);
	int rc = check_ref(kind, name, err);

	if (rc < 0)
		return rc;
	if (profiles_is_path(name)) {
		struct stat st;

		if (stat(name, &st) != 0) {
			int e = errno;
			snprintf(err, PROFILE_ERR_MAX, "%s file %s: %s", kname, name, strerror(e));
			return -e;
		}
		if (!S_ISREG(st.st_mode)) {
			snprintf(err, PROFILE_ERR_MAX, "%s file %s: not a regular file", kname, name);
			return -EINVAL;
		}
		snprintf(path, 256, "%s", name);
		return 0;
	}
	for (unsigned d = 0; p && d < p->n_dirs; d++)
		if (in_dir(p, d, kind, name, path))
			return 0;
	unknown_name(p, kind, name, err);
	return -ENOENT;
}

int profiles_find_all(const struct profiles *p, enum profile_kind kind, const char *name,
                      char (*paths)[256], unsigned max)
{
	char err[PROFILE_ERR_MAX];
	unsigned n = 0;

	if (check_ref(kind, name, err) < 0 || profiles_is_path(name))
		return 0;
	for (unsigned d = 0; p && d < p->n_dirs && n < max; d++)
		n += (unsigned)in_dir(p, d, kind, name, paths[n]);
	return (int)n;
}
