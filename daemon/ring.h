/* ring: a lock-free single-producer, single-consumer ring of floats (audio thread → analysis). */
#ifndef TONEWIRE_RING_H
#define TONEWIRE_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The indexes run freely and wrap at SIZE_MAX; with a power-of-two capacity
 * (write - read) is the fill level at every wrap, and index & mask the slot.
 * The producer publishes data with a release store of `write` after copying;
 * the consumer reads `write` with acquire before copying out, and hands the
 * slots back with a release store of `read` (the producer's acquire load of
 * `read` sees them free only after the copy-out finished). */
struct ring {
	float *data;
	size_t mask;
	_Atomic size_t write;
	_Atomic size_t read;
};

/* Capacity rounded up to a power of two, at least want floats. 0 or -ENOMEM. */
static inline int ring_init(struct ring *r, size_t want)
{
	size_t cap = 1;
	while (cap < want)
		cap <<= 1;
	r->data = calloc(cap, sizeof(float));
	if (!r->data)
		return -12; /* -ENOMEM without dragging errno.h into every user */
	r->mask = cap - 1;
	atomic_init(&r->write, 0);
	atomic_init(&r->read, 0);
	return 0;
}

static inline void ring_free(struct ring *r)
{
	free(r->data);
	r->data = NULL;
}

static inline size_t ring_capacity(const struct ring *r)
{
	return r->mask + 1;
}

/* Consumer side only, with the producer stopped: forget everything. */
static inline void ring_reset(struct ring *r)
{
	atomic_store_explicit(&r->read, atomic_load_explicit(&r->write, memory_order_acquire),
	                      memory_order_release);
}

/* Producer: copy n floats in, all or nothing. Returns n, or 0 when there is
 * not room for all of them. Never blocks or allocates. */
static inline size_t ring_push(struct ring *r, const float *src, size_t n)
{
	size_t w = atomic_load_explicit(&r->write, memory_order_relaxed);
	size_t rd = atomic_load_explicit(&r->read, memory_order_acquire);
	if (ring_capacity(r) - (w - rd) < n)
		return 0;
	size_t at = w & r->mask, first = ring_capacity(r) - at;
	if (first > n)
		first = n;
	memcpy(r->data + at, src, first * sizeof(float));
	memcpy(r->data, src + first, (n - first) * sizeof(float));
	atomic_store_explicit(&r->write, w + n, memory_order_release);
	return n;
}

/* Consumer: copy up to max floats out. Returns how many. */
static inline size_t ring_pop(struct ring *r, float *dst, size_t max)
{
	size_t rd = atomic_load_explicit(&r->read, memory_order_relaxed);
	size_t w = atomic_load_explicit(&r->write, memory_order_acquire);
	size_t n = w - rd;
	if (n > max)
		n = max;
	size_t at = rd & r->mask, first = ring_capacity(r) - at;
	if (first > n)
		first = n;
	memcpy(dst, r->data + at, first * sizeof(float));
	memcpy(dst + first, r->data, (n - first) * sizeof(float));
	atomic_store_explicit(&r->read, rd + n, memory_order_release);
	return n;
}

/* Either side: floats waiting to be read. */
static inline size_t ring_level(struct ring *r)
{
	return atomic_load_explicit(&r->write, memory_order_acquire) -
	       atomic_load_explicit(&r->read, memory_order_acquire);
}

#endif
