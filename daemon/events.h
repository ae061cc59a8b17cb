/* events: Server-Sent Events to any number of clients, none of which can slow down the rest. */
#ifndef TONEWIRE_EVENTS_H
#define TONEWIRE_EVENTS_H

#include <jansson.h>
#include <microhttpd.h>

typedef struct events events;

/* Builds the data of the periodic heartbeat (a new reference). */
typedef json_t *(*events_heartbeat_fn)(void *ctx);

/* A broker for at most max_clients streams, each with a queue of queue_len
 * events (the oldest is dropped when a client falls behind). heartbeat_ms:
 * how often an idle stream gets a "heartbeat" event. NULL on failure. */
events *events_create(unsigned max_clients, unsigned queue_len, unsigned heartbeat_ms,
                      events_heartbeat_fn heartbeat, void *heartbeat_ctx);
void events_destroy(events *ev);   /* accepts NULL; after every stream has ended */

/* Send `event: name` with data serialised once, to every client. Never waits
 * for a client: it only appends to their queues. */
void events_publish(events *ev, const char *name, const json_t *data);

/* A streaming response for one new client, starting with `event: first`
 * carrying data (both may be NULL), or NULL when max_clients are already
 * connected (or out of memory). The client leaves when the connection
 * closes. */
struct MHD_Response *events_response(events *ev, const char *first, const json_t *data);

/* End every stream (within one heartbeat) and refuse new ones. */
void events_shutdown(events *ev);

/* Streams connected now, and events dropped so far because a client's queue was full. */
unsigned events_clients(events *ev);
unsigned long long events_dropped(events *ev);

#endif
