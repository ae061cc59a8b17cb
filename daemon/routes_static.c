/* routes_static: the dashboard's files, the API description, the event stream and the metrics. */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "reply.h"


static const char *content_type(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" }, { ".htm", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" }, { ".mjs", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" }, { ".svg", "image/svg+xml" },
		{ ".png", "image/png" }, { ".json", "application/json" }, { ".ico", "image/x-icon" },
		{ ".webmanifest", "application/manifest+json" }, { ".txt", "text/plain; charset=utf-8" },
		{ ".woff2", "font/woff2" }, { ".map", "application/json" },
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcasecmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

enum MHD_Result routes_static(http *h, struct MHD_Connection *c, struct request *rq)
{
	const char *url = rq->url;
	char path[CONFIG_PATH_MAX + 512];

	/* MHD has decoded %2e%2e already: any ".." segment, backslash or NUL
	 * is refused outright rather than normalised. */
	if (url[0] != '/' || strstr(url, "/..") || strchr(url, '\\') || strlen(url) > 400)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "not found");
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p < 0x20)
			return reply_error(c, MHD_HTTP_NOT_FOUND, "not found");
	size_t n = strlen(url);
	snprintf(path, sizeof(path), "%s%s%s", h->ctx.cfg->web_root, url, url[n - 1] == '/' ? "index.html" : "");
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		/* /dir → /dir/ so relative links inside it resolve. */
		char loc[512];
		snprintf(loc, sizeof(loc), "%s/", url);
		struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		if (r)
			MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, loc);
		return reply_queue(c, MHD_HTTP_MOVED_PERMANENTLY, r);
	}
	if (!strcmp(url, "/") && access(path, R_OK) != 0)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "the dashboard is not installed (no %s); the API is under /api/v1/",
		                   path);
	/* "no-cache" means revalidate every time: an updated dashboard is never
	 * mixed with stale files, and an unchanged one costs a 304. */
	return reply_file(c, path, content_type(path), NULL, "no-cache");
}

void routes_openapi_path(const struct config_http *cfg, char *out, size_t len)
{
	char dir[1024];
	(void)cfg;
	/* A build tree serves the source's document, an installed daemon its own. */
	if (tw_paths_source_dir(dir, sizeof(dir)) == 0)
		snprintf(out, len, "%s/docs/openapi.json", dir);
	else if (tw_paths_data_dir(dir, sizeof(dir)) == 0)
		snprintf(out, len, "%s/openapi.json", dir);
	else
		snprintf(out, len, "/usr/share/tonewire/openapi.json");
}

enum MHD_Result routes_openapi(http *h, struct MHD_Connection *c, struct request *rq)
{
	(void)rq;
	if (access(h->openapi, R_OK) != 0)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "the API description is not installed (no %s)", h->openapi);
	return reply_file(c, h->openapi, "application/json", NULL, "no-cache");
}

enum MHD_Result routes_events(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const args[] = { "token", NULL };
	char bad[64];
	(void)rq;
	if (http_unknown_query(c, args, bad))
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "%s: unknown query parameter", bad);
	json_t *st = runner_status_json(h->ctx.runner);
	struct MHD_Response *r = events_response(h->ctx.events, "status", st);
	json_decref(st);
	if (!r)
		return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "too many event stream clients");
	return reply_queue(c, MHD_HTTP_OK, r);
}

/* The connection gate's figures after the station's, in the same format. */
static char *with_gate_metrics(http *h, char *text)
{
	struct http_gate_stats st;
	http_gate_stats(h->gate, &st);
	char more[1024];
	int n = snprintf(more, sizeof(more),
	                 "# HELP tonewire_http_connections Connections still sending their request, and being answered.\n"
	                 "# TYPE tonewire_http_connections gauge\n"
	                 "tonewire_http_connections{state=\"pending\"} %u\n"
	                 "tonewire_http_connections{state=\"active\"} %u\n"
	                 "# HELP tonewire_http_gate_total Connections the gate accepted, handed over, answered with an error, "
	                 "timed out, closed to make room, or refused as too many.\n"
	                 "# TYPE tonewire_http_gate_total counter\n"
	                 "tonewire_http_gate_total{event=\"accepted\"} %llu\n"
	                 "tonewire_http_gate_total{event=\"handed\"} %llu\n"
	                 "tonewire_http_gate_total{event=\"refused\"} %llu\n"
	                 "tonewire_http_gate_total{event=\"timed_out\"} %llu\n"
	                 "tonewire_http_gate_total{event=\"evicted\"} %llu\n"
	                 "tonewire_http_gate_total{event=\"busy\"} %llu\n",
	                 st.pending, st.active, st.accepted, st.handed, st.refused, st.timed_out, st.evicted, st.busy);
	size_t len = strlen(text);
	char *all = n > 0 ? realloc(text, len + (size_t)n + 1) : NULL;
	if (!all)
		return text;
	memcpy(all + len, more, (size_t)n + 1);
	return all;
}

enum MHD_Result routes_metrics(http *h, struct MHD_Connection *c, struct request *rq)
{
	struct metrics_gauges g;
	(void)rq;
	memset(&g, 0, sizeof(g));
	runner_gauges(h->ctx.runner, &g);
	g.sse_clients = events_clients(h->ctx.events);
	g.sse_dropped = events_dropped(h->ctx.events);
	char *text = metrics_render(h->ctx.metrics, &g);
	if (!text)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	if (h->gate)
		text = with_gate_metrics(h, text);
	return reply_text(c, MHD_HTTP_OK, text, "text/plain; version=0.0.4; charset=utf-8");
}
