/* demo: the simulated jig's scenario files — which device string is one, listing and choosing them. */
#include "demo.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int demo_scenario_path(const char *device, char *path, size_t len)
{
	static const char prefix[] = "tonewire_sim:";
	if (!device || strncmp(device, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	snprintf(path, len, "%s", device + sizeof(prefix) - 1);
	size_t n = strlen(path);
	if (n >= 2 && (path[0] == '"' || path[0] == '\'') && path[n - 1] == path[0]) {
		memmove(path, path + 1, n - 2);
		path[n - 2] = '\0';
	}
	return path[0] != '\0';
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int demo_info_read(const char *path, struct demo_info *out)
{
	FILE *f = fopen(path, "r");
	char line[512], section[64] = "";

	memset(out, 0, sizeof(*out));
	if (!f)
		return -errno;
	const char *slash = strrchr(path, '/');
	snprintf(out->name, sizeof(out->name), "%s", slash ? slash + 1 : path);
	size_t nl = strlen(out->name);
	if (nl > 5 && !strcmp(out->name + nl - 5, ".conf"))
		out->name[nl - 5] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char *s = trim(line);
		if (*s == ';' || *s == '#') {
			char *c = trim(s + 1);
			if (!strncmp(c, "title:", 6) && !out->title[0])
				snprintf(out->title, sizeof(out->title), "%s", trim(c + 6));
			else if (!strncmp(c, "cable:", 6) && !out->cable[0])
				snprintf(out->cable, sizeof(out->cable), "%s", trim(c + 6));
			else if (!out->description[0] && !section[0] && *c)
				snprintf(out->description, sizeof(out->description), "%s", c);
			continue;
		}
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (end)
				snprintf(section, sizeof(section), "%.*s", (int)(end - s - 1), s + 1);
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq || strcmp(section, "scenario") != 0)
			continue;
		*eq = '\0';
		char *key = trim(s), *val = eq + 1;
		char *comment = strpbrk(val, ";#");
		if (comment)
			*comment = '\0';
		if (!strcmp(key, "jig"))
			snprintf(out->jig, sizeof(out->jig), "%s", trim(val));
	}
	fclose(f);
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

int demo_scenario_jig(const char *path, char *jig, size_t len)
{
	struct demo_info info;
	if (demo_info_read(path, &info) < 0 || !info.jig[0])
		return -ENOENT;
	if (strchr(info.jig, '/') && info.jig[0] != '/') {
		const char *slash = strrchr(path, '/');
		if (slash) {
			snprintf(jig, len, "%.*s/%s", (int)(slash - path), path, info.jig);
			return 0;
		}
	}
	snprintf(jig, len, "%s", info.jig);
	return 0;
}
