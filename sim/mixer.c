/* mixer: the simulated interface's mixer state in a small shared segment per scenario, created from the profile's controls and the scenario's power-on values. */
#include "mixer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loop.h"

#define MIX_MAGIC 0x74774d58u   /* "twMX" */
#define MIX_VERSION 1u
#define MIX_PREFIX "tonewire_simmix-u"
/* Levels in half-dB steps from -100 dB to +20 dB: every level a profile
 * names (0 dB, -6.5 dB) is one of them. */
#define DB_MIN (-200)
#define DB_MAX 40
/* The direct monitor's mix into the outputs: -6 dB, a typical default of a
 * monitor mix knob at its centre. */
#define MONITOR_GAIN 0.5

struct mix_shared {
	uint32_t magic, version;
	char path[256];                  /* the scenario, to notice it was rewritten or removed */
	uint64_t ino, size;
	int64_t mtime_ns;
	uint32_t n;
	_Atomic uint32_t generation;
	struct simmix_ctl ctl[IFACE_MAX_CONTROLS];
};

struct simmix {
	int fd;
	struct mix_shared *sh;
};

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* Value of text for control c, or -1 when it is not one of its values. */
static long value_of(const struct simmix_ctl *c, const char *text)
{
	double db;
	char *end;
	long v;

	switch (c->type) {
	case SIMMIX_BOOLEAN:
		return iface_value_bool(text);
	case SIMMIX_INTEGER:
		if (c->db) {
			if (iface_value_db(text, &db) < 0)
				return -1000000;
			return lround(db * 2);
		}
		v = strtol(text, &end, 10);
		return end == text || *end ? -1 : v;
	default:
		for (unsigned k = 0; k < c->n_items; k++)
			if (!strcasecmp(c->item[k], text))
				return (long)k;
		return -1;
	}
}

static void add_item(struct simmix_ctl *c, const char *name)
{
	for (unsigned k = 0; k < c->n_items; k++)
		if (!strcasecmp(c->item[k], name))
			return;
	if (c->n_items < SIMMIX_MAX_ITEMS)
		snprintf(c->item[c->n_items++], sizeof c->item[0], "%s", name);
}

/* The control's type and range, guessed from the values it must take:
 * "on"/"off" a switch, "-6dB" a level, a number a plain integer, anything
 * else an item of an enumeration. */
static void make_ctl(struct simmix_ctl *c, const struct iface_control *need, const char *start)
{
	double db;
	char *end;
	long plain = strtol(need->value, &end, 10);

	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "%s", need->name);
	c->index = need->index;
	c->role = (int)need->role;
	c->count = need->role == IFACE_ROLE_OUTPUT_LEVEL ? 2 : 1;
	snprintf(c->needed, sizeof c->needed, "%s", need->value);
	/* ALSA's names say the type ("… Switch", "… Volume", "… Enum"); the value says it otherwise. */
	size_t len = strlen(c->name);
	int is_enum = len > 5 && !strcmp(c->name + len - 5, " Enum");
	if (!is_enum && iface_value_bool(need->value) >= 0) {
		c->type = SIMMIX_BOOLEAN;
		c->max = 1;
	} else if (!is_enum && iface_value_db(need->value, &db) == 0) {
		c->type = SIMMIX_INTEGER;
		c->db = 1;
		c->min = DB_MIN;
		c->max = DB_MAX;
	} else if (!is_enum && end != need->value && *end == '\0' && plain >= 0) {
		c->type = SIMMIX_INTEGER;
		c->max = 127;
	} else {
		c->type = SIMMIX_ENUMERATED;
		add_item(c, need->value);
		if (need->role == IFACE_ROLE_DIRECT_MONITOR) {
			/* the Scarletts' Direct Monitor enumeration */
			add_item(c, "Mono");
			add_item(c, "Stereo");
		}
		add_item(c, start);
	}
	long v = value_of(c, start);
	if (c->type == SIMMIX_INTEGER && !c->db && v > c->max)
		c->max = v;
	long hi = c->type == SIMMIX_ENUMERATED ? (long)c->n_items - 1 : c->max;
	if (v < c->min || v > hi)
		v = value_of(c, need->value);
	for (unsigned k = 0; k < c->count; k++)
		c->value[k] = v;
}

static void init_state(struct mix_shared *sh, const struct scenario *sc, const char *key, const struct stat *st)
{
	const struct tw_interface *i = &sc->hw;

	memset(sh, 0, sizeof *sh);
	sh->magic = MIX_MAGIC;
	sh->version = MIX_VERSION;
	snprintf(sh->path, sizeof sh->path, "%s", key);
	sh->ino = (uint64_t)st->st_ino;
	sh->size = (uint64_t)st->st_size;
	sh->mtime_ns = mtime_ns(st);
	/* The profile's controls, at the scenario's power-on values where it gives them. */
	for (unsigned k = 0; k < i->n_controls && sh->n < IFACE_MAX_CONTROLS; k++) {
		const struct iface_control *need = &i->control[k];
		const char *start = need->value;
		int fixed = 0;
		for (unsigned p = 0; p < i->n_power_on; p++) {
			if (!strcmp(i->power_on[p].name, need->name) && i->power_on[p].index == need->index) {
				start = i->power_on[p].value;
				fixed = i->power_on[p].fixed;
			}
		}
		make_ctl(&sh->ctl[sh->n], need, start);
		sh->ctl[sh->n++].fixed = fixed;
	}
	/* Controls only the scenario names: plain controls of their own. */
	for (unsigned p = 0; p < i->n_power_on && sh->n < IFACE_MAX_CONTROLS; p++) {
		int known = 0;
		for (unsigned k = 0; k < sh->n; k++)
			known |= !strcmp(sh->ctl[k].name, i->power_on[p].name) && sh->ctl[k].index == i->power_on[p].index;
		if (known)
			continue;
		make_ctl(&sh->ctl[sh->n], &i->power_on[p], i->power_on[p].value);
		sh->ctl[sh->n++].fixed = i->power_on[p].fixed;
	}
}

/* Mixers of scenarios that no longer exist: an interface nobody can plug in again. */
static void reap_stale(void)
{
	char prefix[64];
	DIR *d;
	struct dirent *e;

	snprintf(prefix, sizeof prefix, MIX_PREFIX "%u-", (unsigned)getuid());
	if (!(d = opendir("/dev/shm")))
		return;
	while ((e = readdir(d)) != NULL) {
		char name[300];
		struct mix_shared sh;
		struct stat st;
		int fd;

		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(name, sizeof name, "/%s", e->d_name);
		if ((fd = shm_open(name, O_RDONLY | O_CLOEXEC, 0600)) < 0)
			continue;
		if (pread(fd, &sh, sizeof sh, 0) != (ssize_t)sizeof sh || sh.magic != MIX_MAGIC ||
		    (sh.path[sizeof sh.path - 1] == '\0' && stat(sh.path, &st) != 0))
			shm_unlink(name);
		close(fd);
	}
	closedir(d);
}

simmix *simmix_open(const struct scenario *sc, const char *key, char err[SIMMIX_ERR_MAX])
{
	simmix *m = calloc(1, sizeof *m);
	char name[128];
	struct stat st, fst;

	if (!m) {
		snprintf(err, SIMMIX_ERR_MAX, "mixer: out of memory");
		return NULL;
	}
	if (stat(key, &st) != 0) {
		snprintf(err, SIMMIX_ERR_MAX, "mixer: %s: %s", key, strerror(errno));
		free(m);
		return NULL;
	}
	reap_stale();
	snprintf(name, sizeof name, "/" MIX_PREFIX "%u-%016llx", (unsigned)getuid(),
	         (unsigned long long)loop_hash(key));
	m->fd = shm_open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (m->fd < 0 || flock(m->fd, LOCK_EX) != 0 || fstat(m->fd, &fst) != 0) {
		snprintf(err, SIMMIX_ERR_MAX, "mixer: %s: %s", name, strerror(errno));
		goto fail;
	}
	int fresh = (size_t)fst.st_size != sizeof *m->sh;
	if (fresh && ftruncate(m->fd, (off_t)sizeof *m->sh) != 0) {
		snprintf(err, SIMMIX_ERR_MAX, "mixer: cannot size %s: %s", name, strerror(errno));
		goto fail;
	}
	m->sh = mmap(NULL, sizeof *m->sh, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (m->sh == MAP_FAILED) {
		m->sh = NULL;
		snprintf(err, SIMMIX_ERR_MAX, "mixer: mmap: %s", strerror(errno));
		goto fail;
	}
	/* A rewritten scenario is a re-plugged interface: back to power-on. */
	if (fresh || m->sh->magic != MIX_MAGIC || m->sh->version != MIX_VERSION || strcmp(m->sh->path, key) != 0 ||
	    m->sh->ino != (uint64_t)st.st_ino || m->sh->size != (uint64_t)st.st_size ||
	    m->sh->mtime_ns != mtime_ns(&st)) {
		uint32_t gen = m->sh->magic == MIX_MAGIC ? atomic_load(&m->sh->generation) : 0;
		init_state(m->sh, sc, key, &st);
		atomic_store(&m->sh->generation, gen + 1);
	}
	flock(m->fd, LOCK_UN);
	return m;
fail:
	simmix_close(m);
	return NULL;
}

void simmix_close(simmix *m)
{
	if (!m)
		return;
	if (m->sh)
		munmap(m->sh, sizeof *m->sh);
	if (m->fd >= 0)
		close(m->fd);
	free(m);
}

unsigned simmix_count(const simmix *m)
{
	return m->sh->n;
}

const struct simmix_ctl *simmix_ctl(const simmix *m, unsigned i)
{
	return &m->sh->ctl[i];
}

int simmix_find(const simmix *m, const char *name, unsigned index)
{
	for (unsigned k = 0; k < m->sh->n; k++)
		if (!strcmp(m->sh->ctl[k].name, name) && m->sh->ctl[k].index == index)
			return (int)k;
	return -1;
}

int simmix_write(simmix *m, unsigned i, const long *values)
{
	struct simmix_ctl *c = &m->sh->ctl[i];
	long hi = c->type == SIMMIX_ENUMERATED ? (long)c->n_items - 1 : c->max;
	int changed = 0;

	for (unsigned k = 0; k < c->count; k++)
		if (values[k] < c->min || values[k] > hi)
			return -EINVAL;
	if (c->fixed) {
		for (unsigned k = 0; k < c->count; k++)
			if (values[k] != c->value[k])
				return -EPERM;
		return 0;
	}
	flock(m->fd, LOCK_EX);
	for (unsigned k = 0; k < c->count; k++) {
		changed |= c->value[k] != values[k];
		c->value[k] = values[k];
	}
	if (changed)
		atomic_fetch_add(&m->sh->generation, 1);
	flock(m->fd, LOCK_UN);
	return changed;
}

void simmix_read(const simmix *m, unsigned i, long *values)
{
	const struct simmix_ctl *c = &m->sh->ctl[i];
	for (unsigned k = 0; k < c->count; k++)
		values[k] = c->value[k];
}

uint32_t simmix_generation(const simmix *m)
{
	return atomic_load(&m->sh->generation);
}

void simmix_effect(const simmix *m, double *monitor_gain, double *gain_db)
{
	*monitor_gain = 0.0;
	*gain_db = 0.0;
	for (unsigned k = 0; m && k < m->sh->n; k++) {
		const struct simmix_ctl *c = &m->sh->ctl[k];
		long need = value_of(c, c->needed);
		if (c->role == IFACE_ROLE_DIRECT_MONITOR && c->value[0] != need)
			*monitor_gain = MONITOR_GAIN;
		if ((c->role == IFACE_ROLE_OUTPUT_LEVEL || c->role == IFACE_ROLE_INPUT_GAIN) && c->type == SIMMIX_INTEGER &&
		    c->db)
			*gain_db += (double)(c->value[0] - need) / 2.0;
	}
}
