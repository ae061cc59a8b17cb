/* demo: the simulated jig's scenario files — which device string is one, listing and choosing them. */
#ifndef TONEWIRE_DEMO_H
#define TONEWIRE_DEMO_H

#include <jansson.h>
#include <stddef.h>

struct demo_info {
	char name[128];      /* file name without .conf */
	char title[160];     /* "; title: …" comment, else the name */
	char jig[256];       /* [scenario] jig, a path resolved against the scenario's folder */
	char cable[128];     /* "; cable: …" comment: the cable profile it simulates, "" when absent */
	char description[256];  /* the first other comment line, "" when none */
};

/* 1 when device is a simulator device string (tonewire_sim:PATH), with the
 * scenario path (quotes removed) in path: scenario_device_path, as the
 * daemon's callers ask it. */
int demo_scenario_path(const char *device, char *path, size_t len);

/* Read what a scenario file says about itself (scenario_about), with its
 * name and a title made from the name when it has none. 0 or -errno. */
int demo_info_read(const char *path, struct demo_info *out);

/* Scenarios in dir whose jig is jig_name (by name or by file name), sorted
 * by name, as [{"name","title","description","cable","current"}] (a new
 * reference); cable is default_cable (may be NULL) when the file names none. */
json_t *demo_list(const char *dir, const char *jig_name, const char *current_path,
                  const char *default_cable);

/* The first scenario in dir whose name starts with prefix: 0 or -ENOENT. */
int demo_find_prefix(const char *dir, const char *prefix, char *path, size_t len);

/* The path of scenario name in dir: 0, -EINVAL (not a plain file name),
 * -ENOENT. */
int demo_find(const char *dir, const char *name, char *path, size_t len);

#endif
