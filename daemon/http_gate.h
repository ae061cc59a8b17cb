/* http_gate: the listening socket — holds each new connection, cheaply, until its whole request has arrived and passed http_head, then hands it over. */
#ifndef TONEWIRE_HTTP_GATE_H
#define TONEWIRE_HTTP_GATE_H

#include <stddef.h>
#include <sys/socket.h>

#include "http_head.h"

#define HTTP_GATE_ERR_MAX 256

typedef struct http_gate http_gate;

/* Receives a connection whose complete request is waiting in its socket;
 * owns fd from then on. 0, or -1 when it could not take it (fd closed). */
typedef int (*http_gate_take_fn)(void *cls, int fd, const struct sockaddr *addr, socklen_t len);

struct http_gate_cfg {
	const struct sockaddr *addr;      /* where to listen (port 0: any free port) */
	socklen_t addr_len;
	struct http_head_limits limits;
	unsigned request_ms;              /* a connection gets this long to send its whole request */
	unsigned pending_per_address;     /* connections still sending, from one address … */
	unsigned pending_max;             /* … and from all: beyond, the oldest of them is closed */
	unsigned active_per_address;      /* handed over and not yet closed, from one address … */
	unsigned active_max;              /* … and from all: beyond, a new request gets a 503 */
	http_gate_take_fn take;
	void *take_cls;
};

/* What the gate has done since it started (for the log and the benchmarks). */
struct http_gate_stats {
	unsigned pending, active;                       /* now */
	unsigned long long accepted, handed, refused, timed_out, evicted, busy;
};

/* Bind, listen and start the gate's thread. NULL with err set. */
http_gate *http_gate_start(const struct http_gate_cfg *cfg, char err[HTTP_GATE_ERR_MAX]);
/* The port bound. */
unsigned http_gate_port(const http_gate *g);
/* A connection handed over from addr has closed (called from any thread). */
void http_gate_closed(http_gate *g, const struct sockaddr *addr);
/* A copy of the counters. */
void http_gate_stats(http_gate *g, struct http_gate_stats *out);
/* Stop listening and close every connection not yet handed over; the
 * counters stay valid (handed-over connections may still close). Accepts NULL. */
void http_gate_stop(http_gate *g);
/* Free, after http_gate_stop and once nothing can call http_gate_closed. Accepts NULL. */
void http_gate_destroy(http_gate *g);

#endif
