/* http_auth: who may use the API — the bearer token, compared in constant time, and the dashboard's login sessions. */
#include "http_auth.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

struct session {
	char id[HTTP_AUTH_ID_LEN + 1];   /* "" = free */
	time_t started, used;            /* monotonic seconds */
};

struct http_auth {
	char token[256];
	size_t token_len;                /* measured once: strlen would read the secret byte by byte */
	pthread_mutex_t lock;
	struct session s[HTTP_AUTH_SESSIONS];
};

int http_auth_equal(const char *want, size_t want_len, const char *got, size_t got_len)
{
	/* volatile: the compiler may not turn the sum of differences into an
	 * early exit. A different length is a difference like any other. */
	volatile unsigned char diff = (unsigned char)(want_len != got_len);
	for (size_t i = 0; i < want_len; i++) {
		unsigned char g = i < got_len ? (unsigned char)got[i] : 0;
		diff |= (unsigned char)((unsigned char)want[i] ^ g);
	}
	return diff == 0;
}

static time_t now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

http_auth *http_auth_create(const char *token)
{
	http_auth *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->token_len = strlen(token);
	if (a->token_len >= sizeof(a->token))
		a->token_len = sizeof(a->token) - 1;
	memcpy(a->token, token, a->token_len);
	pthread_mutex_init(&a->lock, NULL);
	return a;
}

void http_auth_destroy(http_auth *a)
{
	if (!a)
		return;
	pthread_mutex_destroy(&a->lock);
	memset(a->token, 0, sizeof(a->token));
	free(a);
}

int http_auth_required(const http_auth *a)
{
	return a->token_len > 0;
}

int http_auth_token_ok(const http_auth *a, const char *got)
{
	return got && http_auth_equal(a->token, a->token_len, got, strlen(got));
}

static int alive(const struct session *s, time_t now)
{
	return s->id[0] && now - s->used < HTTP_AUTH_IDLE_S && now - s->started < HTTP_AUTH_LIFE_S;
}

int http_auth_login(http_auth *a, const char *token, char id[HTTP_AUTH_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[HTTP_AUTH_ID_LEN / 2];
	if (!http_auth_token_ok(a, token))
		return -EACCES;
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -EAGAIN;
	for (size_t i = 0; i < sizeof(raw); i++) {
		id[2 * i] = hex[raw[i] >> 4];
		id[2 * i + 1] = hex[raw[i] & 15];
	}
	id[HTTP_AUTH_ID_LEN] = '\0';
	time_t now = now_s();
	pthread_mutex_lock(&a->lock);
	struct session *slot = &a->s[0];
	for (unsigned i = 0; i < HTTP_AUTH_SESSIONS; i++) {
		struct session *s = &a->s[i];
		if (!alive(s, now)) {
			slot = s;
			break;
		}
		if (s->used < slot->used)
			slot = s;
	}
	memcpy(slot->id, id, HTTP_AUTH_ID_LEN + 1);
	slot->started = slot->used = now;
	pthread_mutex_unlock(&a->lock);
	return 0;
}

/* The live session id names, or NULL; every slot is compared, in constant time. Under lock. */
static struct session *find(http_auth *a, const char *id, time_t now)
{
	struct session *found = NULL;
	size_t n = strlen(id);
	for (unsigned i = 0; i < HTTP_AUTH_SESSIONS; i++) {
		struct session *s = &a->s[i];
		if (http_auth_equal(s->id, HTTP_AUTH_ID_LEN, id, n) && alive(s, now))
			found = s;
	}
	return found;
}

int http_auth_session_ok(http_auth *a, const char *id)
{
	if (!id || !a->token_len)
		return 0;
	time_t now = now_s();
	pthread_mutex_lock(&a->lock);
	struct session *s = find(a, id, now);
	if (s)
		s->used = now;
	pthread_mutex_unlock(&a->lock);
	return s != NULL;
}

void http_auth_logout(http_auth *a, const char *id)
{
	if (!id)
		return;
	pthread_mutex_lock(&a->lock);
	struct session *s = find(a, id, now_s());
	if (s)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&a->lock);
}
