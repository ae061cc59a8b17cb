/* http_client: the few HTTP requests the CLI makes to tonewired (libcurl), shared by its remote commands. */
#ifndef TONEWIRE_CLI_HTTP_CLIENT_H
#define TONEWIRE_CLI_HTTP_CLIENT_H

#include <curl/curl.h>
#include <jansson.h>
#include <stddef.h>

/* One request with an optional JSON body and bearer token. Returns the body
 * (malloc'd, "" when empty) with the HTTP status in *status, or NULL when
 * the daemon could not be reached (err says why). curl_global_init first. */
char *cli_http_request(const char *method, const char *url, const char *body, const char *token,
                       long timeout_s, long *status, char err[CURL_ERROR_SIZE]);

/* "tonewire: the daemon answered 409: <its error>" on stderr. */
void cli_http_error(long status, const char *body);

/* Append "?key=value" (or "&…") to url, value percent-encoded; nothing when
 * value is NULL. */
void cli_append_query(char *url, size_t len, const char *key, const char *value);

/* server (trailing slashes dropped) + path into url. 0, or -1 when too long. */
int cli_server_url(const char *server, const char *path, char *url, size_t len);

#endif
