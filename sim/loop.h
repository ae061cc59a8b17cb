/* loop: the shared timeline and ring of played frames that joins the playback and capture side of one scenario. */
#ifndef TONEWIRE_SIM_LOOP_H
#define TONEWIRE_SIM_LOOP_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#define LOOP_ERR_MAX 256
/* Frames of played audio the ring keeps: 5.4 s at 48 kHz, 1.3 s at 192 kHz,
 * far more than a buffer plus the longest latency a scenario may ask. */
#define LOOP_RING_FRAMES (1u << 18)

enum loop_dir { LOOP_PLAYBACK = 0, LOOP_CAPTURE = 1 };

/* Who holds one direction of the loop (one playback, one capture: the
 * simulated interface is exclusive, like a hw: device). */
struct loop_claim {
	int32_t pid;                 /* 0: free */
	uint32_t rate;               /* 0: not configured */
	uint64_t token;              /* tells two opens of one process apart */
};

/* The shared part, at the start of the segment. The frames follow it. */
struct loop_shared {
	uint32_t magic, version;
	uint32_t n_out, ring_frames;
	uint32_t pace_fast, rate;    /* rate: the rate the ring's positions were written at */
	int64_t epoch_ns;            /* CLOCK_MONOTONIC at timeline frame 0 (real-time pace) */
	struct loop_claim claim[2];  /* changed only under flock */

	/* Fast pace: where the next stream starts on the timeline. */
	_Atomic uint64_t now;
	/* The playback stream: its frame k sits at timeline t0 + k; end is
	 * one past the last frame written. */
	_Atomic uint64_t play_t0, play_end;
	_Atomic uint32_t play_running, play_xrun;
	/* Real-time pace: where and when each direction last started. */
	_Atomic uint64_t start_t0[2];
	_Atomic int64_t start_ns[2];
	/* Which device (unit) of the scenario each direction last started on. */
	_Atomic uint64_t start_unit[2];
	/* The capture stream: the source position (timeline) it has read up to. */
	_Atomic uint64_t cap_src;
	_Atomic uint32_t cap_running, cap_xrun;
};

/* One ring slot's bookkeeping: which timeline position it holds (+1; 0 =
 * empty) and the playback stream frame that was written there. */
struct loop_meta {
	_Atomic uint64_t tag;
	_Atomic uint64_t k;
};

typedef struct loop loop;

struct loop_cfg {
	const char *key;             /* the scenario's real path */
	unsigned n_out;              /* channels of a ring frame (the jig's outputs) */
	int pace_fast;
	int private_loop;            /* only streams of this process share it */
};

/* Attach to (or create) the loop of cfg->key and claim one direction.
 * Returns 0, -EBUSY (that direction is in use, or the loop runs another
 * jig or pace: err says which) or another negative errno. */
int loop_open(const struct loop_cfg *cfg, enum loop_dir dir, loop **out, char err[LOOP_ERR_MAX]);
void loop_close(loop *l);    /* releases the claim; accepts NULL */

/* The shared state (for the stream logic's atomics). */
struct loop_shared *loop_state(loop *l);

/* Rate the other direction is configured at, 0 when none. */
unsigned loop_peer_rate(loop *l);
/* Record this direction's rate; -EBUSY when the other runs at another. */
int loop_set_rate(loop *l, unsigned rate, char err[LOOP_ERR_MAX]);

/* Store n frames (n_out floats each) at timeline positions pos.. and
 * playback stream frames k... Never blocks or allocates. */
void loop_write(loop *l, uint64_t pos, uint64_t k, const float *frames, unsigned n);
/* Read the frame at timeline position pos into frame (n_out floats); its
 * stream frame into *k. Returns 1, or 0 when nothing was played there
 * (frame is then zeroed). */
int loop_read(const loop *l, uint64_t pos, float *frame, uint64_t *k);
/* Forget what was written at [from, to) (queued, then never played). */
void loop_forget(loop *l, uint64_t from, uint64_t to);

/* Timeline of the real-time pace: frames at rate since the loop's epoch. */
uint64_t loop_frames_at(const loop *l, int64_t mono_ns, unsigned rate);
int64_t loop_ns_of(const loop *l, uint64_t frame, unsigned rate);

/* A stable 64-bit hash of a string (FNV-1a): names the shared segments of a scenario. */
uint64_t loop_hash(const char *s);

/* CLOCK_MONOTONIC in ns. */
int64_t loop_mono_ns(void);

/* Raise an atomic position to at least v. */
void loop_raise(_Atomic uint64_t *a, uint64_t v);

#endif
