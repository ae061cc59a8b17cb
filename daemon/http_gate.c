/* http_gate: the listening socket — holds each new connection, cheaply, until its whole request has arrived and passed http_head, then hands it over. */
#include "http_gate.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "reply.h"

#define SWEEP_MS 100             /* how often deadlines are looked at */
#define DRAIN_MS 1000            /* after an error answer, read what the client still sends for this long … */
#define DRAIN_MAX (1u << 20)     /* … or this many bytes, so it reads the answer rather than a reset */
#define FRAMING_SLACK 4096       /* chunk size lines around a body of body_max */
#define ACCEPT_BATCH 32          /* accepted per turn, so requests already in are looked at between turns */
#define QUIET_MS 1000            /* a connection that has sent nothing yet is spared this long (see to_evict) */

/* A connection whose request has not been handed over yet. */
struct conn {
	struct conn *prev, *next;    /* in arrival order; next also links the closed ones */
	int fd;                      /* -1 once closed (freed after the current batch of events) */
	struct sockaddr_storage sa;
	socklen_t sa_len;
	struct address *who;
	uint64_t since, deadline;    /* ms, monotonic */
	int spoke;                   /* has sent something */
	int continued;               /* "100 Continue" sent */
	int draining;                /* answered: reading until the client is done */
	size_t drained;
};

/* The connections from one client address. */
struct address {
	unsigned char key[16];       /* IPv6, or IPv4 mapped into it */
	unsigned pending, active;
	int used;
};

struct http_gate {
	struct http_gate_cfg cfg;
	int lfd, ep, stop_fd, spare_fd;
	pthread_t thread;
	int running;
	unsigned port;
	char *scratch;               /* the bytes of one connection, peeked */
	size_t cap;                  /* how many the gate looks at, at most */
	struct conn *oldest, *newest, *closed;
	pthread_mutex_t lock;        /* addresses and stats: handed-over connections close on other threads */
	struct address *addrs;
	unsigned n_addrs;
	struct http_gate_stats stats;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void address_key(const struct sockaddr *sa, unsigned char key[16])
{
	memset(key, 0, 16);
	if (sa->sa_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	} else if (sa->sa_family == AF_INET) {
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	}
}

/* The entry of sa's address (with create, a new one when there is none;
 * NULL when the table is full). Under lock. */
static struct address *address_of(http_gate *g, const struct sockaddr *sa, int create)
{
	unsigned char key[16];
	struct address *free_slot = NULL;
	address_key(sa, key);
	for (unsigned i = 0; i < g->n_addrs; i++) {
		struct address *a = &g->addrs[i];
		if (a->used && !memcmp(a->key, key, 16))
			return a;
		if (!a->used && !free_slot)
			free_slot = a;
	}
	if (!create || !free_slot)
		return NULL;
	memcpy(free_slot->key, key, 16);
	free_slot->used = 1;
	return free_slot;
}

static void address_release(struct address *a)
{
	if (!a->pending && !a->active)
		a->used = 0;
}

static void unlink_conn(http_gate *g, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		g->oldest = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		g->newest = c->prev;
	c->prev = c->next = NULL;
}

/* Close a connection the gate still holds. Its memory lives until the
 * current batch of events is done: a later event of the batch may name it. */
static void conn_close(http_gate *g, struct conn *c)
{
	if (c->fd < 0)
		return;
	close(c->fd);
	c->fd = -1;
	unlink_conn(g, c);
	c->next = g->closed;
	g->closed = c;
	pthread_mutex_lock(&g->lock);
	c->who->pending--;
	g->stats.pending--;
	address_release(c->who);
	pthread_mutex_unlock(&g->lock);
}

static const char *reason(unsigned status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

/* Write the JSON error answer; the socket is non-blocking and the answer
 * small, so it goes into the send buffer at once or not at all. */
static void write_error(int fd, unsigned status, const char *msg)
{
	char head[2048];
	char *body = reply_error_body(msg);
	if (!body)
		return;
	size_t blen = strlen(body);
	int n = snprintf(head, sizeof(head),
	                 "HTTP/1.1 %u %s\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
	                 "Content-Length: %zu\r\n", status, reason(status), blen);
	for (const char *const *h = reply_headers; *h && n > 0 && (size_t)n < sizeof(head); h += 2)
		n += snprintf(head + n, sizeof(head) - (size_t)n, "%s: %s\r\n", h[0], h[1]);
	if (n > 0 && (size_t)n + 2 < sizeof(head)) {
		memcpy(head + n, "\r\n", 2);
		struct iovec iov[2] = { { head, (size_t)n + 2 }, { body, blen } };
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
		(void)sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	free(body);
}

static void drain(http_gate *g, struct conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, g->scratch, g->cap, 0);
		if (n > 0 && (c->drained += (size_t)n) <= DRAIN_MAX)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		conn_close(g, c);
		return;
	}
}

/* Answer with an error, then read (and drop) what the client still sends
 * for a moment: closing a socket with unread bytes resets the connection,
 * and the client would see the reset instead of the answer. */
static void answer_and_drain(http_gate *g, struct conn *c, unsigned status, const char *msg)
{
	write_error(c->fd, status, msg);
	shutdown(c->fd, SHUT_WR);
	c->draining = 1;
	c->deadline = now_ms() + DRAIN_MS;
	drain(g, c);
}

static void refuse(http_gate *g, struct conn *c, unsigned status, const char *msg)
{
	pthread_mutex_lock(&g->lock);
	g->stats.refused++;
	pthread_mutex_unlock(&g->lock);
	answer_and_drain(g, c, status, msg);
}

/* The whole request is in the socket: give it to the HTTP server, unless
 * its address, or everybody, already has as many requests in progress as
 * the limits allow. */
static void hand_over(http_gate *g, struct conn *c)
{
	struct address *a = c->who;
	pthread_mutex_lock(&g->lock);
	int busy = g->stats.active >= g->cfg.active_max || a->active >= g->cfg.active_per_address;
	if (busy) {
		g->stats.busy++;
	} else {
		a->active++;
		a->pending--;
		g->stats.active++;
		g->stats.pending--;
		g->stats.handed++;
	}
	pthread_mutex_unlock(&g->lock);
	if (busy) {
		refuse(g, c, 503, "too many requests in progress; try again in a moment");
		return;
	}
	int fd = c->fd;
	struct sockaddr_storage sa = c->sa;
	socklen_t len = c->sa_len;
	epoll_ctl(g->ep, EPOLL_CTL_DEL, fd, NULL);
	c->fd = -1;
	unlink_conn(g, c);
	c->next = g->closed;
	g->closed = c;
	if (g->cfg.take(g->cfg.take_cls, fd, (const struct sockaddr *)&sa, len) < 0)
		http_gate_closed(g, (const struct sockaddr *)&sa);
}

/* New bytes (or a hang-up) on a connection: look at everything it sent so far. */
static void readable(http_gate *g, struct conn *c, uint32_t events)
{
	struct http_head h;
	if (c->fd < 0)
		return;
	if (c->draining) {
		drain(g, c);
		return;
	}
	ssize_t n = recv(c->fd, g->scratch, g->cap, MSG_PEEK);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(g, c);
		return;
	}
	c->spoke = 1;
	http_head_check(g->scratch, (size_t)n, &g->cfg.limits, &h);
	if (h.state == HTTP_HEAD_BAD) {
		refuse(g, c, h.status, h.error);
	} else if (h.state == HTTP_HEAD_DONE ||
	           (h.head_len && ((size_t)n >= g->cap || h.head_len + h.content_length > g->cap))) {
		/* Complete, or a body larger than the gate can look at (a
		 * max_body beyond the socket's buffer): the server reads the rest. */
		hand_over(g, c);
	} else if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
		conn_close(g, c);   /* the client stopped sending before its request was whole */
	} else if (h.expect_continue && !c->continued) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		c->continued = 1;
		(void)send(c->fd, cont, sizeof(cont) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
}

/* The connection to close to make room: from `from` (NULL: the address
 * that has the most connections still sending), the oldest one that has
 * sent part of a request or nothing for QUIET_MS. A client that has just
 * connected and not yet sent its request is spared, so a flood from its
 * own address cannot push it out in the moment between its connect and its
 * request. Under lock. */
static struct conn *to_evict(http_gate *g, struct address *from)
{
	struct conn *oldest = NULL;
	uint64_t now = now_ms();
	if (!from) {
		for (unsigned i = 0; i < g->n_addrs; i++)
			if (g->addrs[i].used && (!from || g->addrs[i].pending > from->pending))
				from = &g->addrs[i];
	}
	for (struct conn *c = g->oldest; c; c = c->next) {
		if (c->who != from)
			continue;
		if (c->spoke || now - c->since >= QUIET_MS)
			return c;
		if (!oldest)
			oldest = c;
	}
	return oldest;
}

/* A new connection: make room for it if its address, or everybody, is at
 * the limit of connections still sending — by closing the oldest such
 * connection, so a slow client can hold a place only until newer ones
 * need it, and a new client always gets in. */
static void admit(http_gate *g, int fd, const struct sockaddr_storage *sa, socklen_t len)
{
	struct conn *c = calloc(1, sizeof(*c)), *victim = NULL;
	pthread_mutex_lock(&g->lock);
	struct address *a = c ? address_of(g, (const struct sockaddr *)sa, 1) : NULL;
	if (a) {
		if (a->pending >= g->cfg.pending_per_address)
			victim = to_evict(g, a);
		else if (g->stats.pending >= g->cfg.pending_max)
			victim = to_evict(g, NULL);
		a->pending++;
		g->stats.pending++;
		g->stats.accepted++;
		g->stats.evicted += victim != NULL;
	}
	pthread_mutex_unlock(&g->lock);
	if (!a) {
		close(fd);
		free(c);
		return;
	}
	if (victim)
		conn_close(g, victim);
	c->fd = fd;
	c->sa = *sa;
	c->sa_len = len;
	c->who = a;
	c->since = now_ms();
	c->deadline = c->since + g->cfg.request_ms;
	c->prev = g->newest;
	if (g->newest)
		g->newest->next = c;
	else
		g->oldest = c;
	g->newest = c;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.ptr = c };
	if (epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		conn_close(g, c);
	else
		readable(g, c, 0);   /* the request may be there already */
}

static void accept_some(http_gate *g)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct sockaddr_storage sa;
		socklen_t len = sizeof(sa);
		int fd = accept4(g->lfd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			admit(g, fd, &sa, len);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno != EMFILE && errno != ENFILE)
			return;   /* EAGAIN: all taken */
		/* Out of descriptors: make room from the connections still sending,
		 * or else take and drop the newcomer, so the listening socket does
		 * not stay readable forever. */
		if (g->oldest) {
			conn_close(g, g->oldest);
			continue;
		}
		if (g->spare_fd >= 0) {
			close(g->spare_fd);
			fd = accept(g->lfd, NULL, NULL);
			if (fd >= 0)
				close(fd);
			g->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		}
		return;
	}
}

static void sweep(http_gate *g)
{
	uint64_t now = now_ms();
	for (struct conn *c = g->oldest, *next; c; c = next) {
		next = c->next;
		if (now < c->deadline)
			continue;
		if (c->draining) {
			conn_close(g, c);
			continue;
		}
		pthread_mutex_lock(&g->lock);
		g->stats.timed_out++;
		pthread_mutex_unlock(&g->lock);
		answer_and_drain(g, c, 408, "the request did not arrive whole in time");
	}
}

static void *run(void *arg)
{
	http_gate *g = arg;
	struct epoll_event ev[64];
	uint64_t next_sweep = now_ms() + SWEEP_MS;
	for (;;) {
		int n = epoll_wait(g->ep, ev, 64, SWEEP_MS);
		for (int i = 0; i < n; i++) {
			if (ev[i].data.ptr == &g->stop_fd)
				return NULL;
			if (ev[i].data.ptr == g)
				accept_some(g);   /* the socket stays readable while more wait */
			else
				readable(g, ev[i].data.ptr, ev[i].events);
		}
		if (now_ms() >= next_sweep) {
			sweep(g);
			next_sweep = now_ms() + SWEEP_MS;
		}
		while (g->closed) {
			struct conn *c = g->closed;
			g->closed = c->next;
			free(c);
		}
	}
}

/* The listening socket, with a receive buffer that holds a whole request
 * (the gate only peeks: nothing leaves the buffer before the hand-over). */
static int listen_on(http_gate *g, char err[HTTP_GATE_ERR_MAX])
{
	const struct sockaddr *sa = g->cfg.addr;
	int one = 1;
	g->lfd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (g->lfd < 0)
		goto fail;
	setsockopt(g->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa->sa_family == AF_INET6)
		setsockopt(g->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	size_t want = g->cfg.limits.head_max + g->cfg.limits.body_max + FRAMING_SLACK;
	int rcv = want > (1u << 30) ? 1 << 30 : (int)want, eff = 0;
	socklen_t elen = sizeof(eff);
	setsockopt(g->lfd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	/* Linux doubles what was asked (capped by net.core.rmem_max) and about
	 * half of it is for data: count on that half only. */
	getsockopt(g->lfd, SOL_SOCKET, SO_RCVBUF, &eff, &elen);
	g->cap = eff > 0 && (size_t)eff / 2 < want ? (size_t)eff / 2 : want;
	if (g->cap <= g->cfg.limits.head_max)
		g->cfg.limits.head_max = g->cap - 1;
	if (bind(g->lfd, sa, g->cfg.addr_len) < 0 || listen(g->lfd, 511) < 0)
		goto fail;
	struct sockaddr_storage bound;
	socklen_t blen = sizeof(bound);
	if (getsockname(g->lfd, (struct sockaddr *)&bound, &blen) < 0)
		goto fail;
	g->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port :
	                ((struct sockaddr_in *)&bound)->sin_port);
	return 0;
fail:
	snprintf(err, HTTP_GATE_ERR_MAX, "%s", strerror(errno));
	return -1;
}

http_gate *http_gate_start(const struct http_gate_cfg *cfg, char err[HTTP_GATE_ERR_MAX])
{
	http_gate *g = calloc(1, sizeof(*g));
	if (!g) {
		snprintf(err, HTTP_GATE_ERR_MAX, "out of memory");
		return NULL;
	}
	g->cfg = *cfg;
	g->lfd = g->ep = g->stop_fd = g->spare_fd = -1;
	pthread_mutex_init(&g->lock, NULL);
	g->n_addrs = cfg->pending_max + cfg->active_max + 1;
	g->addrs = calloc(g->n_addrs, sizeof(*g->addrs));
	if (!g->addrs || listen_on(g, err) < 0)
		goto fail;
	g->scratch = malloc(g->cap);
	g->ep = epoll_create1(EPOLL_CLOEXEC);
	g->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	g->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct epoll_event le = { .events = EPOLLIN, .data.ptr = g };
	struct epoll_event se = { .events = EPOLLIN, .data.ptr = &g->stop_fd };
	if (!g->scratch || g->ep < 0 || g->stop_fd < 0 || epoll_ctl(g->ep, EPOLL_CTL_ADD, g->lfd, &le) < 0 ||
	    epoll_ctl(g->ep, EPOLL_CTL_ADD, g->stop_fd, &se) < 0) {
		snprintf(err, HTTP_GATE_ERR_MAX, "%s", g->scratch ? strerror(errno) : "out of memory");
		goto fail;
	}
	int e = pthread_create(&g->thread, NULL, run, g);
	if (e) {
		snprintf(err, HTTP_GATE_ERR_MAX, "cannot start a thread: %s", strerror(e));
		goto fail;
	}
	g->running = 1;
	return g;
fail:
	http_gate_stop(g);
	http_gate_destroy(g);
	return NULL;
}

unsigned http_gate_port(const http_gate *g) { return g->port; }

void http_gate_closed(http_gate *g, const struct sockaddr *addr)
{
	pthread_mutex_lock(&g->lock);
	struct address *a = address_of(g, addr, 0);
	if (a && a->active) {
		a->active--;
		g->stats.active--;
		address_release(a);
	}
	pthread_mutex_unlock(&g->lock);
}

void http_gate_stats(http_gate *g, struct http_gate_stats *out)
{
	pthread_mutex_lock(&g->lock);
	*out = g->stats;
	pthread_mutex_unlock(&g->lock);
}

void http_gate_stop(http_gate *g)
{
	if (!g)
		return;
	if (g->running) {
		uint64_t one = 1;
		(void)!write(g->stop_fd, &one, sizeof(one));
		pthread_join(g->thread, NULL);
		g->running = 0;
	}
	while (g->oldest)
		conn_close(g, g->oldest);
	while (g->closed) {
		struct conn *c = g->closed;
		g->closed = c->next;
		free(c);
	}
	int *fds[] = { &g->lfd, &g->ep, &g->stop_fd, &g->spare_fd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

void http_gate_destroy(http_gate *g)
{
	if (!g)
		return;
	pthread_mutex_destroy(&g->lock);
	free(g->addrs);
	free(g->scratch);
	free(g);
}
