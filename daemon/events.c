/* events: Server-Sent Events to any number of clients, none of which can slow down the rest. */
#include "events.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"

/* One serialised event, shared by every queue it sits in. */
struct msg {
	atomic_uint refs;
	size_t len;
	char text[];
};

struct client {
	struct client *next;
	events *ev;
	struct msg **queue;      /* ring of queue_len */
	unsigned head, count;
	struct msg *cur;         /* being written, with its offset */
	size_t off;
	int hello_sent;
};

struct events {
	pthread_mutex_t lock;
	pthread_cond_t cond;     /* something was published, or shutdown */
	struct client *clients;
	unsigned n_clients, max_clients, queue_len, heartbeat_ms;
	int closing;
	unsigned long long dropped;
	events_heartbeat_fn heartbeat;
	void *heartbeat_ctx;
};

static struct msg *msg_new(const char *name, const json_t *data)
{
	char *body = data ? json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(12)) : NULL;
	size_t blen = body ? strlen(body) : 2;
	size_t cap = strlen(name) + blen + 32;
	struct msg *m = malloc(sizeof(*m) + cap);
	if (!m) {
		free(body);
		return NULL;
	}
	atomic_init(&m->refs, 1);
	/* JSON from jansson has no raw newlines, so one data: line carries it. */
	int n = snprintf(m->text, cap, "event: %s\ndata: %s\n\n", name, body ? body : "{}");
	m->len = n > 0 ? (size_t)n : 0;
	free(body);
	return m;
}

static void msg_unref(struct msg *m)
{
	if (m && atomic_fetch_sub(&m->refs, 1) == 1)
		free(m);
}

events *events_create(unsigned max_clients, unsigned queue_len, unsigned heartbeat_ms,
                      events_heartbeat_fn heartbeat, void *heartbeat_ctx)
{
	events *ev = calloc(1, sizeof(*ev));
	if (!ev)
		return NULL;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&ev->lock, NULL);
	pthread_cond_init(&ev->cond, &ca);
	pthread_condattr_destroy(&ca);
	ev->max_clients = max_clients ? max_clients : 32;
	ev->queue_len = queue_len ? queue_len : 64;
	ev->heartbeat_ms = heartbeat_ms ? heartbeat_ms : 2000;
	ev->heartbeat = heartbeat;
	ev->heartbeat_ctx = heartbeat_ctx;
	return ev;
}

void events_destroy(events *ev)
{
	if (!ev)
		return;
	pthread_mutex_destroy(&ev->lock);
	pthread_cond_destroy(&ev->cond);
	free(ev);
}

static void client_push(events *ev, struct client *c, struct msg *m)
{
	if (c->count == ev->queue_len) {
		/* A client that cannot keep up loses its oldest events, not everyone
		 * their latest ones: the newest levels matter most. */
		msg_unref(c->queue[c->head]);
		c->head = (c->head + 1) % ev->queue_len;
		c->count--;
		ev->dropped++;
	}
	atomic_fetch_add(&m->refs, 1);
	c->queue[(c->head + c->count) % ev->queue_len] = m;
	c->count++;
}

void events_publish(events *ev, const char *name, const json_t *data)
{
	if (!ev)
		return;
	pthread_mutex_lock(&ev->lock);
	if (!ev->clients) {
		pthread_mutex_unlock(&ev->lock);
		return;
	}
	pthread_mutex_unlock(&ev->lock);
	/* Serialise outside the lock. */
	struct msg *m = msg_new(name, data);
	if (!m)
		return;
	pthread_mutex_lock(&ev->lock);
	for (struct client *c = ev->clients; c; c = c->next)
		client_push(ev, c, m);
	pthread_cond_broadcast(&ev->cond);
	pthread_mutex_unlock(&ev->lock);
	msg_unref(m);
}

/* MHD's content reader, on this client's own connection thread: blocking
 * here (at most one heartbeat) holds up nobody else. */
static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct client *c = cls;
	events *ev = c->ev;
	(void)pos;

	if (!c->cur) {
		struct timespec ts;
		struct msg *m = NULL;
		if (!c->hello_sent) {
			/* Tell EventSource how soon to come back after a restart. */
			static const char hello[] = "retry: 2000\n\n";
			c->hello_sent = 1;
			if (max >= sizeof(hello) - 1) {
				memcpy(buf, hello, sizeof(hello) - 1);
				return (ssize_t)(sizeof(hello) - 1);
			}
		}
		clock_deadline(&ts, ev->heartbeat_ms);
		pthread_mutex_lock(&ev->lock);
		while (!ev->closing && !c->count) {
			if (pthread_cond_timedwait(&ev->cond, &ev->lock, &ts) == ETIMEDOUT)
				break;
		}
		if (ev->closing) {
			pthread_mutex_unlock(&ev->lock);
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (c->count) {
			m = c->queue[c->head];
			c->head = (c->head + 1) % ev->queue_len;
			c->count--;
		}
		pthread_mutex_unlock(&ev->lock);
		if (!m) {
			json_t *hb = ev->heartbeat ? ev->heartbeat(ev->heartbeat_ctx) : json_object();
			m = msg_new("heartbeat", hb);
			json_decref(hb);
			if (!m)
				return MHD_CONTENT_READER_END_WITH_ERROR;
		}
		c->cur = m;
		c->off = 0;
	}
	size_t n = c->cur->len - c->off;
	if (n > max)
		n = max;
	memcpy(buf, c->cur->text + c->off, n);
	c->off += n;
	if (c->off == c->cur->len) {
		msg_unref(c->cur);
		c->cur = NULL;
	}
	return (ssize_t)n;
}

/* The connection closed (client gone, or the stream ended). */
static void reader_free(void *cls)
{
	struct client *c = cls;
	events *ev = c->ev;

	pthread_mutex_lock(&ev->lock);
	for (struct client **pp = &ev->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			ev->n_clients--;
			break;
		}
	}
	while (c->count) {
		msg_unref(c->queue[c->head]);
		c->head = (c->head + 1) % ev->queue_len;
		c->count--;
	}
	pthread_mutex_unlock(&ev->lock);
	msg_unref(c->cur);
	free(c->queue);
	free(c);
}

struct MHD_Response *events_response(events *ev, const char *first, const json_t *data)
{
	struct client *c = calloc(1, sizeof(*c));
	struct MHD_Response *r;

	if (!c)
		return NULL;
	c->ev = ev;
	c->queue = calloc(ev->queue_len, sizeof(*c->queue));
	if (!c->queue) {
		free(c);
		return NULL;
	}
	pthread_mutex_lock(&ev->lock);
	if (ev->closing || ev->n_clients >= ev->max_clients) {
		pthread_mutex_unlock(&ev->lock);
		free(c->queue);
		free(c);
		return NULL;
	}
	if (first) {
		struct msg *m = msg_new(first, data);
		if (m) {
			client_push(ev, c, m);
			msg_unref(m);
		}
	}
	c->next = ev->clients;
	ev->clients = c;
	ev->n_clients++;
	pthread_mutex_unlock(&ev->lock);

	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, c, reader_free);
	if (!r) {
		reader_free(c);
		return NULL;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	/* Proxies (nginx) must not buffer a stream. */
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	return r;
}

void events_shutdown(events *ev)
{
	if (!ev)
		return;
	pthread_mutex_lock(&ev->lock);
	ev->closing = 1;
	pthread_cond_broadcast(&ev->cond);
	pthread_mutex_unlock(&ev->lock);
}

unsigned events_clients(events *ev)
{
	pthread_mutex_lock(&ev->lock);
	unsigned n = ev->n_clients;
	pthread_mutex_unlock(&ev->lock);
	return n;
}

unsigned long long events_dropped(events *ev)
{
	pthread_mutex_lock(&ev->lock);
	unsigned long long n = ev->dropped;
	pthread_mutex_unlock(&ev->lock);
	return n;
}
