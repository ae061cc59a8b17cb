/* profiles: loads connector, cable and jig definitions (INI) and turns them into a fixture. */
#ifndef TONEWIRE_PROFILES_H
#define TONEWIRE_PROFILES_H

#include <stddef.h>

#include "classify.h"
#include "fixture.h"

#define PROFILE_NAME_MAX 64
#define PROFILE_DESC_MAX 200
#define PROFILE_MAX_CONTACTS 16   /* per connector */
#define PROFILE_MAX_PLUGS 4       /* per cable end */
#define PROFILE_MAX_DIRS 8
#define PROFILE_ERR_MAX 256
#define PROFILE_MAX_DEVICE_CHANNEL 64   /* the highest channel number a jig may name (an 18i20 has 20) */

struct tw_connector {
	char name[PROFILE_NAME_MAX];
	char description[PROFILE_DESC_MAX];
	char path[256];
	unsigned n_contacts;
	char contact[PROFILE_MAX_CONTACTS][12];
	enum role role[PROFILE_MAX_CONTACTS];
};

/* One end of a cable or one socket side of a jig: one or more plugs. */
struct tw_end {
	unsigned n_plugs;
	char label[PROFILE_MAX_PLUGS][16];        /* "" for a single unlabelled plug */
	struct tw_connector plug[PROFILE_MAX_PLUGS];
	unsigned n_contacts;                      /* flattened: "T", or "left.+" */
	char contact[FIXTURE_MAX_CONTACTS][FIXTURE_NAME_MAX];
	enum role role[FIXTURE_MAX_CONTACTS];
	char plug_of[FIXTURE_MAX_CONTACTS][16];
};

struct tw_cable {
	char name[PROFILE_NAME_MAX];
	char description[PROFILE_DESC_MAX];
	char path[256];
	struct tw_end a, b;
	unsigned n_wires;                         /* explicit wiring (wire = X Y), 0 = by role */
	int wire_a[WIRING_MAX], wire_b[WIRING_MAX];  /* contact indexes into a / b */
	struct classify_limits limits;            /* [limits], defaults where absent */
};

struct tw_jig {
	char name[PROFILE_NAME_MAX];
	char description[PROFILE_DESC_MAX];
	char path[256];
	struct fixture fixture;                   /* sockets only; roles are the sockets' */
	struct tw_end socket_a, socket_b;
	/* The device's channel (1-based) of fixture output k and input k: the
	 * numbers of [outputs]/[inputs], ascending, gaps allowed. */
	unsigned out_channel[FIXTURE_MAX_CHANNELS], in_channel[FIXTURE_MAX_CHANNELS];
};

/* Where profiles are looked up by name, in order. */
struct profiles {
	unsigned n_dirs;
	char dir[PROFILE_MAX_DIRS][256];
};

/* Search path, the first folder holding a name wins: extra (may be NULL,
 * e.g. from --profiles or the config; ':'-separated), $TONEWIRE_PROFILES,
 * ~/.config/tonewire/profiles ($XDG_CONFIG_HOME), /etc/tonewire/profiles,
 * then the shipped profiles: the source tree's profiles/ when the running
 * code sits in a build tree, else $datadir/tonewire/profiles (paths.h).
 * Folders that do not exist are left out. */
void profiles_init(struct profiles *p, const char *extra);

/* Load by name (looked up as <dir>/<kind>/<name>.conf) or by path (contains
 * '/' or ends in .conf). Errors name the file, line and field and say what
 * was expected. Return 0, -ENOENT (not found: err lists the closest names),
 * or -EINVAL (malformed). */
int profiles_load_connector(const struct profiles *p, const char *name, struct tw_connector *out,
                            char err[PROFILE_ERR_MAX]);
int profiles_load_cable(const struct profiles *p, const char *name, struct tw_cable *out,
                        char err[PROFILE_ERR_MAX]);
int profiles_load_jig(const struct profiles *p, const char *name, struct tw_jig *out,
                      char err[PROFILE_ERR_MAX]);

enum profile_kind { PROFILE_CONNECTOR = 0, PROFILE_CABLE, PROFILE_JIG, PROFILE_INTERFACE };

/* Names of every profile of a kind across the search path (first wins),
 * sorted. Returns how many were stored (at most max). */
unsigned profiles_list(const struct profiles *p, enum profile_kind kind,
                       char (*names)[PROFILE_NAME_MAX], unsigned max);

/* The fixture of cable in jig: the jig's fixture with the cable's roles on
 * the contacts, and the wiring a good cable has (explicit wire lines, else
 * equal roles connect). -EINVAL with a message when an end does not fit
 * its socket (different contact names). */
int profiles_fixture(const struct tw_jig *jig, const struct tw_cable *cable,
                     struct fixture *f, struct wiring *expected, char err[PROFILE_ERR_MAX]);

/* Added after the first contract; nothing above changed. */

/* "connector", "cable", "jig"; the folder of a kind is this name plus "s". */
const char *profile_kind_name(enum profile_kind kind);

/* Whether a profile reference is a path (contains '/' or ends in .conf)
 * rather than a name looked up in the profile folders. */
int profiles_is_path(const char *ref);

/* Resolve a name (or a path: contains '/' or ends in .conf) to the file that
 * would be loaded, into path. Returns 0, -ENOENT (err names the closest
 * known names) or -EINVAL/-ENAMETOOLONG (unusable name). */
int profiles_find(const struct profiles *p, enum profile_kind kind, const char *name,
                  char path[256], char err[PROFILE_ERR_MAX]);

/* Parse an end ("trs-3.5", or "left:2pin-0.78 right:2pin-0.78") into out,
 * loading its connectors; relative connector paths are taken from base_dir
 * (may be NULL: the working directory). err gets a message without a
 * file:line prefix (the caller knows where spec came from). Returns 0,
 * -ENOENT or -EINVAL. */
int profiles_end_parse(const struct profiles *p, const char *spec, const char *base_dir,
                       struct tw_end *out, char err[PROFILE_ERR_MAX]);

/* Index of the flattened contact called name ("T", "left.+") in e, or -1. */
int profiles_end_find(const struct tw_end *e, const char *name);

/* The conductors a good cable has, as contact indexes into c->a (pa) and
 * c->b (pb): its wire lines, else the role rules documented in
 * profiles/README.md. Returns how many (at most max), or -ENOSPC when there
 * would be more than max. */
int profiles_cable_pairs(const struct tw_cable *c, int *pa, int *pb, unsigned max);

/* Every file a name stands for along the search path, in search order: the
 * first is the one loaded, the others are shadowed by it. Up to max paths;
 * returns how many (0 for a path or an unknown name). */
int profiles_find_all(const struct profiles *p, enum profile_kind kind, const char *name,
                      char (*paths)[256], unsigned max);

/* Put extra (folders, ':'-separated; NULL or "" does nothing) in front of
 * $TONEWIRE_PROFILES, made absolute, so that code which only sees the
 * environment searches them too: the simulator plugin, which alsa-lib loads
 * inside this process. Call it once at start-up, before any thread starts
 * (setenv is not thread-safe). A folder that does not exist (or is not
 * a folder) is an error. Returns 0 or -errno with err filled. */
int profiles_export(const char *extra, char err[PROFILE_ERR_MAX]);

/* Which kind the profile file at path is, from its first [connector],
 * [cable] or [jig] section. 0, or -ENOENT / -EINVAL with err naming the
 * file (and line, for a file that is not INI). */
int profiles_kind_of(const char *path, enum profile_kind *kind, char err[PROFILE_ERR_MAX]);

/* The user's own profile folder, $XDG_CONFIG_HOME/tonewire/profiles or
 * ~/.config/tonewire/profiles, into out (whether it exists or not): 0,
 * -ENOENT (neither variable is an absolute path) or -ENAMETOOLONG. */
int profiles_user_dir(char *out, size_t len);

#endif
