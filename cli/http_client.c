/* http_client: the few HTTP requests the CLI makes to tonewired (libcurl), shared by its remote commands. */
#include "http_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct buf {
	char *data;
	size_t len;
};

static size_t collect(char *ptr, size_t size, size_t n, void *user)
{
	struct buf *b = user;
	size_t add = size * n;
	/* A result is a few kB; refuse to buffer a runaway response. */
	if (b->len + add > (64u << 20))
		return 0;
	char *p = realloc(b->data, b->len + add + 1);
	if (!p)
		return 0;
	memcpy(p + b->len, ptr, add);
	b->data = p;
	b->len += add;
	p[b->len] = '\0';
	return add;
}

char *cli_http_request(const char *method, const char *url, const char *body, const char *token,
                       long timeout_s, long *status, char err[CURL_ERROR_SIZE])
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdr = NULL;
	struct buf b = { NULL, 0 };
	char auth[512];

	err[0] = '\0';
	if (!h) {
		snprintf(err, CURL_ERROR_SIZE, "cannot start the HTTP client");
		return NULL;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (body) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	}
	if (token && *token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		hdr = curl_slist_append(hdr, auth);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	CURLcode rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		if (!err[0])
			snprintf(err, CURL_ERROR_SIZE, "%s", curl_easy_strerror(rc));
		free(b.data);
		b.data = NULL;
	} else {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
		if (!b.data)
			b.data = strdup("");
	}
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	return b.data;
}

void cli_http_error(long status, const char *body)
{
	json_t *j = json_loads(body, 0, NULL);
	const char *msg = json_string_value(json_object_get(j, "error"));
	cli_error("the daemon answered %ld: %s", status, msg ? msg : body);
	json_decref(j);
}

void cli_append_query(char *url, size_t len, const char *key, const char *value)
{
	if (!value)
		return;
	CURL *h = curl_easy_init();
	char *esc = h ? curl_easy_escape(h, value, 0) : NULL;
	size_t n = strlen(url);
	snprintf(url + n, len - n, "%s%s=%s", strchr(url, '?') ? "&" : "?", key, esc ? esc : "");
	curl_free(esc);
	curl_easy_cleanup(h);
}

int cli_server_url(const char *server, const char *path, char *url, size_t len)
{
	size_t sl = strlen(server);
	while (sl && server[sl - 1] == '/')
		sl--;
	int n = snprintf(url, len, "%.*s%s", (int)sl, server, path);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
