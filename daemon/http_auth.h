/* http_auth: who may use the API — the bearer token, compared in constant time, and the dashboard's login sessions. */
#ifndef TONEWIRE_HTTP_AUTH_H
#define TONEWIRE_HTTP_AUTH_H

#include <stddef.h>

#define HTTP_AUTH_COOKIE "tonewire_session"
#define HTTP_AUTH_ID_LEN 64              /* hex digits of a session id (256 random bits) */
#define HTTP_AUTH_SESSIONS 64            /* at most this many at once; a new one replaces the least used */
#define HTTP_AUTH_IDLE_S 3600            /* a session unused this long has ended … */
#define HTTP_AUTH_LIFE_S (12 * 3600)     /* … and any after this long (a shift) */

typedef struct http_auth http_auth;

/* 1 when got[0..got_len) equals want[0..want_len), else 0. Every byte of
 * want is read and no branch depends on its content, so the time taken
 * tells nothing about how much of a guess was right. */
int http_auth_equal(const char *want, size_t want_len, const char *got, size_t got_len);

/* Sessions for token (the configured bearer token; "" = none required).
 * NULL when out of memory. */
http_auth *http_auth_create(const char *token);
void http_auth_destroy(http_auth *a);   /* accepts NULL */

/* 1 when a token is configured. */
int http_auth_required(const http_auth *a);
/* 1 when got is the token. */
int http_auth_token_ok(const http_auth *a, const char *got);

/* Start a session for a client that showed the token: 0 with its id
 * (HTTP_AUTH_ID_LEN hex digits and a NUL), -EACCES for a wrong token,
 * -errno when no random id could be made. */
int http_auth_login(http_auth *a, const char *token, char id[HTTP_AUTH_ID_LEN + 1]);
/* 1 when id names a live session (which counts as using it), else 0. */
int http_auth_session_ok(http_auth *a, const char *id);
/* End the session id, if there is one. */
void http_auth_logout(http_auth *a, const char *id);

#endif
