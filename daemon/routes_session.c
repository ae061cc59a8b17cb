/* routes_session: logging in to the dashboard — the token, shown once, becomes a session cookie the browser sends by itself. */
#include "routes.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "reply.h"

/* The cookie: never readable by scripts, never sent by another site's page,
 * for the whole station; no Max-Age, so it ends with the browser session
 * (and the station ends it sooner: HTTP_AUTH_IDLE_S, HTTP_AUTH_LIFE_S). */
#define COOKIE_ATTRS "; Path=/; HttpOnly; SameSite=Strict"

static json_t *state(http *h, int authenticated)
{
	json_t *o = json_object();
	json_object_set_new(o, "token_required", json_boolean(http_auth_required(h->auth)));
	json_object_set_new(o, "authenticated", json_boolean(authenticated));
	return o;
}

enum MHD_Result routes_session_get(http *h, struct MHD_Connection *c, struct request *rq)
{
	(void)rq;
	return reply_json(c, MHD_HTTP_OK, state(h, http_allowed(h, c, 1)));
}

enum MHD_Result routes_login(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const fields[] = { "token", NULL };
	enum MHD_Result ret = MHD_NO;
	char id[HTTP_AUTH_ID_LEN + 1], cookie[HTTP_AUTH_ID_LEN + 80];

	json_t *o = http_body_object(c, rq, fields, 0, &ret);
	if (!o)
		return ret;
	json_t *jt = json_object_get(o, "token");
	if (!json_is_string(jt) || strlen(json_string_value(jt)) != json_string_length(jt)) {
		json_decref(o);
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "token: expected a string");
	}
	if (!http_auth_required(h->auth)) {
		json_decref(o);
		return reply_json(c, MHD_HTTP_OK, state(h, 1));   /* nothing to log in to */
	}
	int e = http_auth_login(h->auth, json_string_value(jt), id);
	json_decref(o);
	if (e == -EACCES)
		return reply_error_with(c, MHD_HTTP_UNAUTHORIZED, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"tonewire\"",
		                        "token: not this station's token");
	if (e < 0)
		return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "cannot make a session id: %s", strerror(-e));
	snprintf(cookie, sizeof(cookie), HTTP_AUTH_COOKIE "=%s" COOKIE_ATTRS, id);
	json_t *b = state(h, 1);
	json_object_set_new(b, "idle_timeout_s", json_integer(HTTP_AUTH_IDLE_S));
	return reply_json_with(c, MHD_HTTP_OK, b, MHD_HTTP_HEADER_SET_COOKIE, cookie);
}

enum MHD_Result routes_logout(http *h, struct MHD_Connection *c, struct request *rq)
{
	(void)rq;
	http_auth_logout(h->auth, MHD_lookup_connection_value(c, MHD_COOKIE_KIND, HTTP_AUTH_COOKIE));
	return reply_json_with(c, MHD_HTTP_OK, state(h, !http_auth_required(h->auth)), MHD_HTTP_HEADER_SET_COOKIE,
	                       HTTP_AUTH_COOKIE "=" COOKIE_ATTRS "; Max-Age=0");
}
