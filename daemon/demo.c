/* demo: the simulated jig's scenario files — which device string is one, listing and choosing them. */
#include "demo.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario.h"

int demo_scenario_path(const char *device, char *path, size_t len)
{
	return scenario_device_path(device, path, len) > 0;
}

int demo_info_read(const char *path, struct demo_info *out)
{
	struct scenario_about *about = calloc(1, sizeof(*about));
	char err[PROFILE_ERR_MAX];
	int rc = about ? scenario_about(path, about, err) : -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (rc < 0) {
		free(about);
		return rc;
	}
	const char *slash = strrchr(path, '/');
	snprintf(out->name, sizeof(out->name), "%s", slash ? slash + 1 : path);
	size_t nl = strlen(out->name);
	if (nl > 5 && !strcmp(out->name + nl - 5, ".conf"))
		out->name[nl - 5] = '\0';
	snprintf(out->jig, sizeof(out->jig), "%s", about->jig);
	snprintf(out->cable, sizeof(out->cable), "%s", about->cable);
	snprintf(out->description, sizeof(out->description), "%s", about->description);
	snprintf(out->title, sizeof(out->title), "%s", about->title);
	free(about);
	if (!out->title[0]) {
		/* "lr-swap" reads as "lr swap". */
		snprintf(out->title, sizeof(out->title), "%s", out->name);
		for (char *p = out->title; *p; p++)
			if (*p == '-' || *p == '_')
				*p = ' ';
	}
	return 0;
}

/* "trrs-4ch", "../jigs/trrs-4ch.conf" and "/x/trrs-4ch.conf" all name trrs-4ch. */
static void jig_key(const char *jig, char *out, size_t len)
{
	const char *b = strrchr(jig, '/');
	b = b ? b + 1 : jig;
	size_t n = strlen(b);
	if (n > 5 && !strcmp(b + n - 5, ".conf"))
		n -= 5;
	snprintf(out, len, "%.*s", (int)n, b);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

json_t *demo_list(const char *dir, const char *jig_name, const char *current_path,
                  const char *default_cable)
{
	json_t *arr = json_array();
	DIR *d = opendir(dir);
	char *names[512];
	size_t n = 0;
	struct dirent *de;
	char want[256], key[256];

	if (!d)
		return arr;
	jig_key(jig_name, want, sizeof(want));
	while ((de = readdir(d)) && n < 512) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".conf") != 0)
			continue;
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (size_t i = 0; i < n; i++) {
		char path[1024];
		struct demo_info info;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		free(names[i]);
		if (demo_info_read(path, &info) < 0)
			continue;
		jig_key(info.jig, key, sizeof(key));
		if (strcmp(key, want) != 0)
			continue;
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(info.name));
		json_object_set_new(o, "title", json_string(info.title));
		json_object_set_new(o, "description", json_string(info.description));
		json_object_set_new(o, "cable", info.cable[0] ? json_string(info.cable) :
		                    default_cable && *default_cable ? json_string(default_cable) : json_null());
		json_object_set_new(o, "current", json_boolean(current_path && !strcmp(current_path, path)));
		json_array_append_new(arr, o);
	}
	return arr;
}

int demo_find(const char *dir, const char *name, char *path, size_t len)
{
	struct stat st;
	if (!name[0] || name[0] == '.' || strlen(name) > 100)
		return -EINVAL;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return -EINVAL;
	snprintf(path, len, "%s/%s.conf", dir, name);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -ENOENT;
	return 0;
}

int demo_find_prefix(const char *dir, const char *prefix, char *path, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char best[256] = "";
	size_t pl = strlen(prefix);

	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".conf") != 0 || strncmp(de->d_name, prefix, pl) != 0)
			continue;
		if (!best[0] || strcmp(de->d_name, best) < 0)
			snprintf(best, sizeof(best), "%s", de->d_name);
	}
	closedir(d);
	if (!best[0])
		return -ENOENT;
	snprintf(path, len, "%s/%s", dir, best);
	return 0;
}
