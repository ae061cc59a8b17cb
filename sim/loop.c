/* loop: the shared-memory segment (one per scenario) that carries played frames from the playback to the capture side. */
#include "loop.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOOP_MAGIC 0x74774c50u   /* "twLP" */
#define LOOP_VERSION 3u
#define SHM_DIR "/dev/shm"
#define NAME_PREFIX "tonewire_sim-u"

struct loop {
	int fd;
	enum loop_dir dir;
	uint64_t token;
	char name[96];               /* shm name, with its leading '/' */
	struct loop_shared *sh;
	struct loop_meta *meta;
	float *data;
	size_t size;
	unsigned n_out, mask;
};

int64_t loop_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void loop_raise(_Atomic uint64_t *a, uint64_t v)
{
	uint64_t cur = atomic_load(a);

	while (cur < v && !atomic_compare_exchange_weak(a, &cur, v))
		;
}

uint64_t loop_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

static size_t segment_size(unsigned n_out)
{
	return sizeof(struct loop_shared) + (size_t)LOOP_RING_FRAMES * sizeof(struct loop_meta) +
	       (size_t)LOOP_RING_FRAMES * n_out * sizeof(float);
}

static int alive(int32_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno != ESRCH);
}

static int still_named(int fd, const char *name);

/* A shared loop nobody holds any more: its users were killed (a crashed
 * or SIGKILLed program never closes). Left alone, each would keep its
 * megabytes of /dev/shm for ever. */
static int abandoned(int fd)
{
	struct loop_shared sh;

	if (pread(fd, &sh, sizeof sh, 0) != (ssize_t)sizeof sh || sh.magic != LOOP_MAGIC)
		return 1;
	return !alive(sh.claim[0].pid) && !alive(sh.claim[1].pid);
}

/* Removes the loops of this user that nobody uses: private ones whose
 * process is gone, shared ones whose claims all belong to dead processes.
 * A loop someone holds the lock of is left alone. */
static void reap_stale(void)
{
	char prefix[64];
	DIR *d;
	struct dirent *e;

	snprintf(prefix, sizeof prefix, NAME_PREFIX "%u-", (unsigned)getuid());
	d = opendir(SHM_DIR);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char name[300];
		const char *p;
		int fd;

		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(name, sizeof name, "/%s", e->d_name);
		p = strstr(e->d_name, "-p");
		if (p) {
			char *end;
			long pid = strtol(p + 2, &end, 10);
			if (!*end && pid > 0 && !alive((int32_t)pid))
				shm_unlink(name);
			continue;
		}
		fd = shm_open(name, O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			if (abandoned(fd) && still_named(fd, name))
				shm_unlink(name);
			flock(fd, LOCK_UN);
		}
		close(fd);
	}
	closedir(d);
}

/* The fd must still be the object the name points at: a last user may
 * have unlinked it between our shm_open and our flock. */
static int still_named(int fd, const char *name)
{
	struct stat a, b;
	char path[160];

	snprintf(path, sizeof path, SHM_DIR "%s", name);
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static void init_shared(struct loop_shared *sh, unsigned n_out, int pace_fast)
{
	memset(sh, 0, sizeof *sh);
	sh->magic = LOOP_MAGIC;
	sh->version = LOOP_VERSION;
	sh->n_out = n_out;
	sh->ring_frames = LOOP_RING_FRAMES;
	sh->pace_fast = (uint32_t)pace_fast;
	sh->epoch_ns = loop_mono_ns();
}

static int layout_ok(const struct loop_shared *sh, unsigned n_out, int pace_fast)
{
	return sh->magic == LOOP_MAGIC && sh->version == LOOP_VERSION && sh->n_out == n_out &&
	       sh->ring_frames == LOOP_RING_FRAMES && sh->pace_fast == (uint32_t)pace_fast;
}

/* Nobody streams: start the next session on a clean ring and timeline, so
 * runs at fast pace repeat exactly. */
static void reset_idle(loop *l)
{
	struct loop_shared *sh = l->sh;

	atomic_store(&sh->now, 0);
	atomic_store(&sh->play_t0, 0);
	atomic_store(&sh->play_end, 0);
	atomic_store(&sh->play_running, 0);
	atomic_store(&sh->play_xrun, 0);
	atomic_store(&sh->cap_src, 0);
	atomic_store(&sh->cap_running, 0);
	atomic_store(&sh->cap_xrun, 0);
	memset(l->meta, 0, (size_t)LOOP_RING_FRAMES * sizeof(struct loop_meta));
	sh->rate = 0;
	sh->epoch_ns = loop_mono_ns();
}

static int map_segment(loop *l, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, l->fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	l->sh = p;
	l->size = size;
	l->meta = (struct loop_meta *)((char *)p + sizeof(struct loop_shared));
	l->data = (float *)((char *)l->meta + (size_t)LOOP_RING_FRAMES * sizeof(struct loop_meta));
	return 0;
}

/* Two live handles of one process differ in address; the pid and the
 * time tell processes and reused addresses apart. */
static uint64_t make_token(const loop *l)
{
	return ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)l ^ ((uint64_t)loop_mono_ns() << 8);
}

int loop_open(const struct loop_cfg *cfg, enum loop_dir dir, loop **out, char err[LOOP_ERR_MAX])
{
	loop *l = NULL;
	struct stat st;
	size_t size;
	int rc;

	*out = NULL;
	if (!cfg || !cfg->key || cfg->n_out == 0 || cfg->n_out > 64) {
		snprintf(err, LOOP_ERR_MAX, "loop: bad configuration");
		return -EINVAL;
	}
	l = calloc(1, sizeof *l);
	if (!l) {
		snprintf(err, LOOP_ERR_MAX, "loop: out of memory");
		return -ENOMEM;
	}
	l->fd = -1;
	l->dir = dir;
	l->n_out = cfg->n_out;
	l->mask = LOOP_RING_FRAMES - 1;
	l->token = make_token(l);
	reap_stale();
	if (cfg->private_loop) {
		snprintf(l->name, sizeof l->name, "/" NAME_PREFIX "%u-%016llx-p%d", (unsigned)getuid(),
		         (unsigned long long)loop_hash(cfg->key), (int)getpid());
	} else {
		snprintf(l->name, sizeof l->name, "/" NAME_PREFIX "%u-%016llx", (unsigned)getuid(),
		         (unsigned long long)loop_hash(cfg->key));
	}

	for (int attempt = 0;; attempt++) {
		l->fd = shm_open(l->name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (l->fd < 0) {
			rc = -errno;
			snprintf(err, LOOP_ERR_MAX, "loop: shm_open %s: %s", l->name, strerror(errno));
			goto fail;
		}
		if (flock(l->fd, LOCK_EX) != 0) {
			rc = -errno;
			snprintf(err, LOOP_ERR_MAX, "loop: flock %s: %s", l->name, strerror(errno));
			goto fail;
		}
		if (still_named(l->fd, l->name))
			break;
		close(l->fd);
		l->fd = -1;
		if (attempt == 8) {
			snprintf(err, LOOP_ERR_MAX, "loop: %s keeps disappearing", l->name);
			rc = -EAGAIN;
			goto fail;
		}
	}

	size = segment_size(cfg->n_out);
	if (fstat(l->fd, &st) != 0) {
		rc = -errno;
		snprintf(err, LOOP_ERR_MAX, "loop: fstat: %s", strerror(errno));
		goto fail_locked;
	}
	if ((size_t)st.st_size == size) {
		if ((rc = map_segment(l, size)) < 0) {
			snprintf(err, LOOP_ERR_MAX, "loop: mmap: %s", strerror(-rc));
			goto fail_locked;
		}
	}
	/* Claims of processes that died without closing are void. */
	if (l->sh) {
		for (int d = 0; d < 2; d++) {
			if (l->sh->claim[d].pid && !alive(l->sh->claim[d].pid)) {
				memset(&l->sh->claim[d], 0, sizeof l->sh->claim[d]);
				if (d == LOOP_PLAYBACK)
					atomic_store(&l->sh->play_running, 0);
				else
					atomic_store(&l->sh->cap_running, 0);
			}
		}
	}
	if (!l->sh || !layout_ok(l->sh, cfg->n_out, cfg->pace_fast)) {
		if (l->sh && (l->sh->claim[0].pid || l->sh->claim[1].pid)) {
			snprintf(err, LOOP_ERR_MAX,
			         "device busy: another stream of this scenario runs with %u outputs at %s pace",
			         l->sh->n_out, l->sh->pace_fast ? "fast" : "realtime");
			rc = -EBUSY;
			goto fail_locked;
		}
		if (l->sh) {
			munmap(l->sh, l->size);
			l->sh = NULL;
		}
		/* Truncating to zero first zero-fills the whole segment. */
		if (ftruncate(l->fd, 0) != 0 || ftruncate(l->fd, (off_t)size) != 0) {
			rc = -errno;
			snprintf(err, LOOP_ERR_MAX, "loop: cannot size %s: %s", l->name, strerror(errno));
			goto fail_locked;
		}
		if ((rc = map_segment(l, size)) < 0) {
			snprintf(err, LOOP_ERR_MAX, "loop: mmap: %s", strerror(-rc));
			goto fail_locked;
		}
		init_shared(l->sh, cfg->n_out, cfg->pace_fast);
	}
	if (l->sh->claim[dir].pid) {
		snprintf(err, LOOP_ERR_MAX, "device busy: the %s side of this scenario is open in process %d",
		         dir == LOOP_PLAYBACK ? "playback" : "capture", (int)l->sh->claim[dir].pid);
		rc = -EBUSY;
		goto fail_locked;
	}
	if (!l->sh->claim[!dir].pid)
		reset_idle(l);
	l->sh->claim[dir] = (struct loop_claim){ .pid = (int32_t)getpid(), .rate = 0, .token = l->token };
	flock(l->fd, LOCK_UN);
	*out = l;
	return 0;

fail_locked:
	flock(l->fd, LOCK_UN);
fail:
	if (l->sh)
		munmap(l->sh, l->size);
	if (l->fd >= 0)
		close(l->fd);
	free(l);
	return rc;
}

void loop_close(loop *l)
{
	if (!l)
		return;
	if (flock(l->fd, LOCK_EX) == 0) {
		struct loop_claim *c = &l->sh->claim[l->dir];
		if (c->token == l->token)
			memset(c, 0, sizeof *c);
		if (l->dir == LOOP_PLAYBACK)
			atomic_store(&l->sh->play_running, 0);
		else
			atomic_store(&l->sh->cap_running, 0);
		/* The last one out removes the segment, unless someone else
		 * already replaced it under the same name. */
		if (!alive(l->sh->claim[0].pid) && !alive(l->sh->claim[1].pid) && still_named(l->fd, l->name))
			shm_unlink(l->name);
		flock(l->fd, LOCK_UN);
	}
	munmap(l->sh, l->size);
	close(l->fd);
	free(l);
}

struct loop_shared *loop_state(loop *l)
{
	return l->sh;
}

unsigned loop_peer_rate(loop *l)
{
	unsigned r = 0;

	if (flock(l->fd, LOCK_EX) == 0) {
		const struct loop_claim *c = &l->sh->claim[!l->dir];
		if (c->pid && alive(c->pid))
			r = c->rate;
		flock(l->fd, LOCK_UN);
	}
	return r;
}

int loop_set_rate(loop *l, unsigned rate, char err[LOOP_ERR_MAX])
{
	int rc = 0;

	if (flock(l->fd, LOCK_EX) != 0) {
		snprintf(err, LOOP_ERR_MAX, "loop: flock: %s", strerror(errno));
		return -errno;
	}
	const struct loop_claim *peer = &l->sh->claim[!l->dir];
	if (rate && peer->pid && alive(peer->pid) && peer->rate && peer->rate != rate) {
		snprintf(err, LOOP_ERR_MAX, "device busy: the %s side runs at %u Hz (one clock for both directions)",
		         l->dir == LOOP_PLAYBACK ? "capture" : "playback", peer->rate);
		rc = -EBUSY;
	} else {
		l->sh->claim[l->dir].rate = rate;
		/* Positions written at another rate mean other instants. */
		if (rate && l->sh->rate != rate) {
			memset(l->meta, 0, (size_t)LOOP_RING_FRAMES * sizeof(struct loop_meta));
			l->sh->rate = rate;
		}
	}
	flock(l->fd, LOCK_UN);
	return rc;
}

void loop_write(loop *l, uint64_t pos, uint64_t k, const float *frames, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t p = pos + i;
		struct loop_meta *m = &l->meta[p & l->mask];
		/* Mark the slot empty while it changes, so a reader in another
		 * process never takes half a frame for a whole one. */
		atomic_store_explicit(&m->tag, 0, memory_order_relaxed);
		atomic_thread_fence(memory_order_release);
		memcpy(&l->data[(size_t)(p & l->mask) * l->n_out], frames + (size_t)i * l->n_out,
		       l->n_out * sizeof(float));
		atomic_store_explicit(&m->k, k + i, memory_order_relaxed);
		atomic_store_explicit(&m->tag, p + 1, memory_order_release);
	}
}

int loop_read(const loop *l, uint64_t pos, float *frame, uint64_t *k)
{
	const struct loop_meta *m = &l->meta[pos & l->mask];
	uint64_t tag = atomic_load_explicit(&m->tag, memory_order_acquire);

	if (tag == pos + 1) {
		memcpy(frame, &l->data[(size_t)(pos & l->mask) * l->n_out], l->n_out * sizeof(float));
		*k = atomic_load_explicit(&m->k, memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&m->tag, memory_order_relaxed) == tag)
			return 1;
	}
	memset(frame, 0, l->n_out * sizeof(float));
	*k = 0;
	return 0;
}

void loop_forget(loop *l, uint64_t from, uint64_t to)
{
	if (to > from + LOOP_RING_FRAMES)
		from = to - LOOP_RING_FRAMES;
	for (uint64_t p = from; p < to; p++) {
		struct loop_meta *m = &l->meta[p & l->mask];
		uint64_t expect = p + 1;
		atomic_compare_exchange_strong(&m->tag, &expect, 0);
	}
}

uint64_t loop_frames_at(const loop *l, int64_t mono_ns, unsigned rate)
{
	int64_t d = mono_ns - l->sh->epoch_ns;

	if (d <= 0)
		return 0;
	return (uint64_t)(d / 1000000000) * rate + (uint64_t)(d % 1000000000) * rate / 1000000000u;
}

int64_t loop_ns_of(const loop *l, uint64_t frame, unsigned rate)
{
	/* The first instant at which loop_frames_at() reaches frame. */
	uint64_t sec = frame / rate, rem = frame % rate;
	return l->sh->epoch_ns + (int64_t)sec * 1000000000 + (int64_t)((rem * 1000000000u + rate - 1) / rate);
}
