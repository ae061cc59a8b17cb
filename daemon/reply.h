/* reply: every answer of the HTTP API — JSON, {"error": …}, text, files — with the headers all of them carry. */
#ifndef TONEWIRE_REPLY_H
#define TONEWIRE_REPLY_H

#include <jansson.h>
#include <microhttpd.h>
#include <stddef.h>

/* The headers every answer carries, as name/value pairs ending with NULL:
 * the browser security policy and "Connection: close" (every request
 * arrives through the connection gate, so none is read on a kept-alive
 * connection behind its back). Also written by the gate's own answers. */
extern const char *const reply_headers[];

/* Add reply_headers to r, queue it with status on c, destroy r. MHD_NO
 * when r is NULL (out of memory: MHD then closes the connection). */
enum MHD_Result reply_queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r);

/* body (a reference, always released) as compact JSON and a newline; with
 * one extra header when name is not NULL (Location, Allow, Set-Cookie…). */
enum MHD_Result reply_json_with(struct MHD_Connection *c, unsigned status, json_t *body, const char *name,
                                const char *value);
/* reply_json_with and no extra header. */
enum MHD_Result reply_json(struct MHD_Connection *c, unsigned status, json_t *body);

/* {"error": printf(fmt, …)} with status (4xx/5xx) and one optional extra header. */
__attribute__((format(printf, 5, 6)))
enum MHD_Result reply_error_with(struct MHD_Connection *c, unsigned status, const char *name, const char *value,
                                 const char *fmt, ...);
/* reply_error_with and no extra header. */
__attribute__((format(printf, 3, 4)))
enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...);

/* text (malloc'd, taken over) with its content type, not cached. */
enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, char *text, const char *type);

/* The regular file at path from its descriptor (404 when it is missing or
 * not a regular file), with an ETag; 304 when If-None-Match matches.
 * disposition may be NULL; cache is the Cache-Control value. */
enum MHD_Result reply_file(struct MHD_Connection *c, const char *path, const char *type, const char *disposition,
                           const char *cache);

/* 409 naming the test (or flex session) that holds the jig; id <= 0: unknown.
 * why: the runner's reason when it says more than "busy" (a full queue), or NULL. */
enum MHD_Result reply_busy(struct MHD_Connection *c, long long id, const char *why);

/* A test, flex session or calibration the runner would not start (e from
 * runner_submit*, err its message): busy 409, an unknown cable 400, a store
 * that cannot take it or a stopping station 503, anything else 500. */
enum MHD_Result reply_refused(struct MHD_Connection *c, int e, long long id, const char *err);

/* The JSON text {"error": msg} and a newline, malloc'd (NULL when out of
 * memory): the body of every error, also of those the gate writes itself. */
char *reply_error_body(const char *msg);

#endif
