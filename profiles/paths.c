/* paths: finds the build and source tree of the running code from its own file, or falls back to the installed data folder. */
#include "paths.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TONEWIRE_DATADIR
#define TONEWIRE_DATADIR "/usr/share/tonewire"
#endif

static int copy_out(const char *s, size_t n, char *out, size_t len)
{
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The value of "NAME:TYPE=value" in a CMakeCache.txt, or -ENOENT. */
static int cache_value(const char *cache, const char *name, char *out, size_t len)
{
	FILE *f = fopen(cache, "r");
	size_t nl = strlen(name), cap = 0;
	char *line = NULL;
	ssize_t n;
	int rc = -ENOENT;

	if (!f)
		return -ENOENT;
	while ((n = getline(&line, &cap, f)) > 0) {
		char *eq;

		if (strncmp(line, name, nl) != 0 || line[nl] != ':' || !(eq = strchr(line + nl, '=')))
			continue;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		rc = copy_out(eq + 1, strlen(eq + 1), out, len);
		break;
	}
	free(line);
	fclose(f);
	return rc;
}

int tw_paths_build_dir_of(const char *file, char *out, size_t len)
{
	char dir[PATH_MAX], probe[PATH_MAX + 32], project[64];
	char *slash;

	if (!file || file[0] != '/' || strlen(file) >= sizeof dir)
		return -ENOENT;
	memcpy(dir, file, strlen(file) + 1);
	slash = strrchr(dir, '/');
	*(slash == dir ? slash + 1 : slash) = '\0';
	/* CMake gives every folder it builds in a CMakeFiles/; an installed
	 * copy (even one installed below the build tree) has none next to it. */
	snprintf(probe, sizeof probe, "%s/CMakeFiles", dir);
	if (!is_dir(probe))
		return -ENOENT;
	for (;;) {
		snprintf(probe, sizeof probe, "%s/CMakeCache.txt", dir);
		if (access(probe, R_OK) == 0) {
			if (cache_value(probe, "CMAKE_PROJECT_NAME", project, sizeof project) < 0 ||
			    strcmp(project, "tonewire") != 0)
				return -ENOENT;
			return copy_out(dir, strlen(dir), out, len);
		}
		slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			return -ENOENT;
		*slash = '\0';
	}
}

int tw_paths_source_dir_of_build(const char *build_dir, char *out, size_t len)
{
	char cache[PATH_MAX + 32];

	if ((size_t)snprintf(cache, sizeof cache, "%s/CMakeCache.txt", build_dir) >= sizeof cache)
		return -ENAMETOOLONG;
	return cache_value(cache, "CMAKE_HOME_DIRECTORY", out, len);
}

int tw_paths_build_dir(char *out, size_t len)
{
	char file[PATH_MAX];
	Dl_info info;
	ssize_t n;

	/* The module holding this code first: the ALSA plugin in aplay is not
	 * aplay. A relative name is the main program, seen through argv[0]. */
	if (dladdr((void *)tw_paths_build_dir, &info) && info.dli_fname && info.dli_fname[0] == '/' &&
	    realpath(info.dli_fname, file) && tw_paths_build_dir_of(file, out, len) == 0)
		return 0;
	n = readlink("/proc/self/exe", file, sizeof file - 1);
	if (n <= 0)
		return -ENOENT;
	file[n] = '\0';
	return tw_paths_build_dir_of(file, out, len);
}

int tw_paths_source_dir(char *out, size_t len)
{
	char build[PATH_MAX];
	int rc = tw_paths_build_dir(build, sizeof build);

	return rc < 0 ? rc : tw_paths_source_dir_of_build(build, out, len);
}

int tw_paths_data_dir(char *out, size_t len)
{
	return copy_out(TONEWIRE_DATADIR, strlen(TONEWIRE_DATADIR), out, len);
}
