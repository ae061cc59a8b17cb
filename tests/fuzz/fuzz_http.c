/* fuzz_http: tonewired's request handling from the bytes on the wire — the connection gate's framing check, then Host/Origin/token screening, routing, query strings, JSON bodies — in-process.
 *
 * Input: one request as a client sends it (request line, header fields,
 * CR LF, body). It goes through http_head_check first, as the gate does;
 * whatever the gate would hand over is then split into what libmicrohttpd
 * gives the handler (method, URL, header fields, query arguments, cookies,
 * the body de-chunked) and fed to on_request, in two uploads. The dispatch
 * lives in static functions of daemon/http.c, so this file includes it;
 * the few MHD calls are stood in for here and every queued answer is
 * checked. The runner and store are stubs that accept one cable; demo.c,
 * the profile loader and the rest of the HTTP layer are the real ones.
 *
 * Checked besides "no crash, no leak": a refusal has a 4xx/5xx status and
 * a reason; a complete request is complete at the same length when checked
 * again and not one byte before; no request with two Host or two
 * Content-Length fields, or both Content-Length and Transfer-Encoding, is
 * ever complete; every JSON answer parses, errors as {"error": "…"}; one
 * answer per request; no file is served from outside the web root.
 */
#include "../../daemon/http.c"

/* The checks are the point of the harness: on in every build type
 * (RelWithDebInfo, which scripts/fuzz uses, defines NDEBUG). */
#undef NDEBUG
#include <assert.h>
#include <ctype.h>
#include <limits.h>
#include <stdint.h>

#define MAX_FIELDS 96

struct field {
	enum MHD_ValueKind kind;
	char *key, *value;
};

struct MHD_Connection {
	unsigned n;
	struct field f[MAX_FIELDS];
	unsigned answers;           /* responses queued for this request */
	unsigned status;
};

struct MHD_Response {
	char *buf;                  /* owned when MHD_RESPMEM_MUST_FREE */
	size_t len;
	int fd;
	int json;
};

static const char *web_root;    /* the folder static files must come from */
static const char *server_openapi(void);   /* the API description, served from the docs */

const char *MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind, const char *key)
{
	for (unsigned i = 0; i < c->n; i++) {
		int same = kind == MHD_HEADER_KIND ? !strcasecmp(c->f[i].key, key) : !strcmp(c->f[i].key, key);
		if (c->f[i].kind == kind && same)
			return c->f[i].value;
	}
	return NULL;
}

int MHD_get_connection_values(struct MHD_Connection *c, enum MHD_ValueKind kind,
                              MHD_KeyValueIterator it, void *cls)
{
	int n = 0;
	for (unsigned i = 0; i < c->n; i++) {
		if (c->f[i].kind != kind)
			continue;
		n++;
		if (it && it(cls, kind, c->f[i].key, c->f[i].value) != MHD_YES)
			break;
	}
	return n;
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->fd = -1;
	r->len = size;
	if (mode == MHD_RESPMEM_MUST_FREE) {
		r->buf = buffer;
	} else if (size) {
		r->buf = malloc(size);
		memcpy(r->buf, buffer, size);
	}
	return r;
}

struct MHD_Response *MHD_create_response_from_fd(uint64_t size, int fd)
{
	char link[64], target[PATH_MAX], root[PATH_MAX];
	ssize_t n;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	assert(n > 0);
	target[n] = '\0';
	/* A file served from outside the web root or the capture folder, other
	 * than the API description, is a path traversal. */
	char api[PATH_MAX];
	if (realpath(web_root, root) && strncmp(target, root, strlen(root)) != 0 &&
	    !strstr(target, "/captures/") && !(realpath(server_openapi(), api) && !strcmp(target, api))) {
		fprintf(stderr, "fuzz_http: served %s from outside %s\n", target, root);
		abort();
	}
	struct MHD_Response *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->fd = fd;
	r->len = (size_t)size;
	return r;
}

enum MHD_Result MHD_add_response_header(struct MHD_Response *r, const char *name, const char *value)
{
	/* Header values go to the client verbatim: CR or LF would split the answer. */
	assert(!strpbrk(name, "\r\n") && !strpbrk(value, "\r\n"));
	if (!strcasecmp(name, MHD_HTTP_HEADER_CONTENT_TYPE))
		r->json = !strcmp(value, "application/json");
	return MHD_YES;
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *c, unsigned int status, struct MHD_Response *r)
{
	assert(status >= 200 && status < 600);
	c->answers++;
	c->status = status;
	if (r->json && r->buf && r->len) {   /* a file (the API description) is not built here */
		json_error_t je;
		json_t *o = json_loadb(r->buf, r->len, 0, &je);
		assert(o);   /* every JSON answer parses */
		if (status >= 400)
			assert(json_is_string(json_object_get(o, "error")));
		json_decref(o);
	}
	return MHD_YES;
}

void MHD_destroy_response(struct MHD_Response *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r);
}

/* Only http_start/http_stop use these; the harness never calls them. */
struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
                                    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	(void)flags, (void)port, (void)apc, (void)apc_cls, (void)dh, (void)dh_cls;
	return NULL;
}

void MHD_stop_daemon(struct MHD_Daemon *d) { (void)d; }

const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *d, enum MHD_DaemonInfoType t, ...)
{
	(void)d, (void)t;
	return NULL;
}

enum MHD_Result MHD_add_connection(struct MHD_Daemon *d, MHD_socket s, const struct sockaddr *addr, socklen_t len)
{
	(void)d, (void)s, (void)addr, (void)len;
	abort();   /* only the gate hands over connections, and the harness runs no gate */
}

const union MHD_ConnectionInfo *MHD_get_connection_info(struct MHD_Connection *c,
                                                        enum MHD_ConnectionInfoType t, ...)
{
	(void)c, (void)t;
	return NULL;
}

/* The runner and store: one known cable, test 7 exists, nothing is ever busy. */
int runner_submit(runner *r, const char *cable, const char *serial, long long *id, char err[RUNNER_ERR_MAX])
{
	(void)r, (void)serial;
	if (strcmp(cable, "trs-3.5-extension") != 0) {
		snprintf(err, RUNNER_ERR_MAX, "unknown cable '%s'", cable);
		return -ENOENT;
	}
	*id = 7;
	return 0;
}

int runner_wait(runner *r, long long id, int timeout_ms, json_t **result)
{
	(void)r, (void)timeout_ms;
	*result = json_pack("{sI s[] s[]}", "id", (json_int_t)id, "faults", "wiring");
	return 0;
}

int runner_submit_flex(runner *r, const char *cable, const char *serial, unsigned seconds, long long *id,
                       char err[RUNNER_ERR_MAX])
{
	assert(seconds >= 1 && seconds <= 3600);
	return runner_submit(r, cable, serial, id, err);
}

int runner_submit_calibrate(runner *r, const char *cable, const char *serial, long long *id,
                            char err[RUNNER_ERR_MAX])
{
	return runner_submit(r, cable, serial, id, err);
}

int runner_submit_queued(runner *r, const char *cable, const char *serial, long long *id, unsigned *position,
                         char err[RUNNER_ERR_MAX])
{
	*position = 0;
	return runner_submit(r, cable, serial, id, err);
}

int runner_submit_learn(runner *r, const char *end_a, const char *end_b, const char *name, int restart,
                        const char *serial, long long *id, char err[RUNNER_ERR_MAX * 2])
{
	(void)r, (void)end_b, (void)name, (void)restart, (void)serial;
	if (!end_a || !*end_a) {
		snprintf(err, RUNNER_ERR_MAX, "end_a: required");
		return -EINVAL;
	}
	*id = 7;
	return 0;
}

int runner_trigger_serial(runner *r, const char *serial)
{
	(void)r;
	return serial && strlen(serial) > 64 ? -EINVAL : 0;
}

int runner_flex_stop(runner *r, long long *id)
{
	(void)r;
	*id = 7;
	return 0;
}

json_t *runner_flex_json(runner *r)
{
	(void)r;
	return NULL;
}

int runner_pending(runner *r, long long id) { (void)r; return id == 8; }
int runner_busy(runner *r, long long *id) { (void)r; if (id) *id = 0; return 0; }
void runner_gauges(runner *r, struct metrics_gauges *g) { (void)r; (void)g; }
int runner_set_device(runner *r, const char *device) { (void)r; (void)device; return 0; }

static char sim_device[600];

json_t *runner_status_json(runner *r)
{
	(void)r;
	return json_pack("{ss ss sb}", "state", "idle", "device", sim_device, "connected", 1);
}

int store_get(store *s, long long id, json_t **out)
{
	(void)s;
	if (id != 7)
		return -ENOENT;
	*out = json_pack("{sI}", "id", (json_int_t)id);
	return 0;
}

int store_list(store *s, const struct store_query *q, json_t **out)
{
	(void)s;
	assert(q->limit >= 1 && q->limit <= STORE_LIMIT_MAX);
	assert(!q->serial || strlen(q->serial) <= RUNNER_SERIAL_MAX);
	*out = json_array();
	return 0;
}

int store_has_capture(store *s, long long id) { (void)s; return id == 7; }

/* Calibration 3 exists; any other id does not. */
int store_calibration_get(store *s, long long id, json_t **out)
{
	(void)s;
	if (id != 3)
		return -ENOENT;
	*out = json_pack("{sI ss}", "id", (json_int_t)id, "cable", "trs-3.5-extension");
	return 0;
}

int store_calibration_list(store *s, unsigned limit, json_t **out)
{
	(void)s;
	assert(limit >= 1);
	*out = json_array();
	return 0;
}

void store_capture_path(const store *s, long long id, const char *ext, char *path, size_t len)
{
	(void)s;
	snprintf(path, len, "/nonexistent/captures/test-%lld.%s", id, ext);
}

int store_stats(store *s, long long since, long long after, json_t **out)
{
	(void)s, (void)since, (void)after;
	*out = json_object();
	return 0;
}

int store_state_get(store *s, const char *key, char *buf, size_t len) { (void)s, (void)key, (void)buf, (void)len; return -ENOENT; }
int store_state_set(store *s, const char *key, const char *value) { (void)s, (void)key, (void)value; return 0; }
long long store_last_id(store *s) { (void)s; return 0; }
void events_publish(events *ev, const char *name, const json_t *data) { (void)ev, (void)name, (void)data; }

unsigned events_clients(events *ev) { (void)ev; return 0; }
unsigned long long events_dropped(events *ev) { (void)ev; return 0; }

struct MHD_Response *events_response(events *ev, const char *first, const json_t *data)
{
	(void)ev, (void)first, (void)data;
	return NULL;   /* "too many clients": the stream itself is not this target's business */
}

char *metrics_render(metrics *m, const struct metrics_gauges *g)
{
	(void)m, (void)g;
	return strdup("tonewire_up 1\n");
}

static struct config_http cfg;
static struct profiles profs;
/* A station on a line (line_http.c) is not part of this harness: ctx.line
 * stays NULL, so its routes answer 404 and these are never called. */
void line_http_operator(line_http *lh, struct line_request *rq, struct line_reply *out) { (void)lh, (void)rq, (void)out; }
void line_http_serial(line_http *lh, struct line_request *rq, struct line_reply *out) { (void)lh, (void)rq, (void)out; }
void line_http_release(line_http *lh, struct line_request *rq, struct line_reply *out) { (void)lh, (void)rq, (void)out; }
void line_http_certificate(line_http *lh, struct line_request *rq, struct line_reply *out) { (void)lh, (void)rq, (void)out; }
void line_http_certificate_data(line_http *lh, struct line_request *rq, struct line_reply *out)
{
	(void)lh, (void)rq, (void)out;
}
void line_http_view(line_http *lh, struct line_request *rq, struct line_reply *out) { (void)lh, (void)rq, (void)out; }
unsigned line_http_admit(line_http *lh, const char *serial, const json_t *retest, json_t **why)
{
	(void)lh, (void)serial, (void)retest;
	*why = NULL;
	return 0;
}
void line_http_status(line_http *lh, json_t *status) { (void)lh, (void)status; }
char *line_http_metrics(line_http *lh, char *text) { (void)lh; return text; }

static struct tw_jig jig;
static http server;

static const char *server_openapi(void)
{
	return server.openapi;
}

/* The gate's limits, smaller than the daemon's so the fuzzer reaches them. */
static const struct http_head_limits limits = { .head_max = 4096, .target_max = 1024, .fields_max = 24,
                                                 .body_max = 4096 };

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[PROFILE_ERR_MAX];
	(void)argc, (void)argv;
	snprintf(cfg.web_root, sizeof(cfg.web_root), "%s/web", TONEWIRE_SOURCE_DIR);
	snprintf(cfg.token, sizeof(cfg.token), "fuzz-token-0123456789");
	web_root = cfg.web_root;
	cfg.max_body = limits.body_max;
	profiles_init(&profs, NULL);
	if (profiles_load_jig(&profs, "stereo-trs", &jig, err) < 0) {
		fprintf(stderr, "fuzz_http: %s\n", err);
		abort();
	}
	snprintf(sim_device, sizeof(sim_device), "tonewire_sim:%s/sim/scenarios/straight-stereo-trs.conf",
	         TONEWIRE_SOURCE_DIR);
	static char demo_dir[CONFIG_PATH_MAX];
	snprintf(demo_dir, sizeof(demo_dir), "%s/sim/scenarios", TONEWIRE_SOURCE_DIR);
	server.ctx = (struct http_ctx){ .cfg = &cfg, .demo_dir = demo_dir, .default_cable = "",
	                                .profiles = &profs, .jig = &jig };
	server.auth = http_auth_create(cfg.token);
	routes_openapi_path(&cfg, server.openapi, sizeof(server.openapi));
	server.port = 8640;
	add_host(&server, "localhost");
	add_host(&server, "127.0.0.1");
	add_host(&server, "[::1]");
	return 0;
}

static void add_field(struct MHD_Connection *c, enum MHD_ValueKind kind, const char *k, size_t kn,
                      const char *v, size_t vn)
{
	if (c->n >= MAX_FIELDS)
		return;
	c->f[c->n].kind = kind;
	c->f[c->n].key = strndup(k, kn);
	c->f[c->n].value = strndup(v, vn);
	c->n++;
}

/* Query arguments the way MHD hands them over: split on & and =, %XX and + decoded. */
static void add_query(struct MHD_Connection *c, const char *q)
{
	while (*q) {
		size_t n = strcspn(q, "&");
		char *pair = strndup(q, n), *out = pair;
		for (const char *p = pair; *p; p++) {
			if (*p == '+') {
				*out++ = ' ';
			} else if (*p == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
				char hex[3] = { p[1], p[2], 0 };
				*out++ = (char)strtol(hex, NULL, 16);
				p += 2;
			} else {
				*out++ = *p;
			}
		}
		*out = '\0';
		char *eq = strchr(pair, '=');
		if (eq)
			add_field(c, MHD_GET_ARGUMENT_KIND, pair, (size_t)(eq - pair), eq + 1, strlen(eq + 1));
		else
			add_field(c, MHD_GET_ARGUMENT_KIND, pair, strlen(pair), "", 0);
		free(pair);
		q += n;
		if (*q == '&')
			q++;
	}
}

/* Cookie: a=b; c=d, the way MHD splits it. */
static void add_cookies(struct MHD_Connection *c, const char *v, size_t n)
{
	const char *end = v + n;
	while (v < end) {
		while (v < end && (*v == ' ' || *v == ';'))
			v++;
		const char *semi = memchr(v, ';', (size_t)(end - v)), *stop = semi ? semi : end;
		const char *eq = memchr(v, '=', (size_t)(stop - v));
		if (eq)
			add_field(c, MHD_COOKIE_KIND, v, (size_t)(eq - v), eq + 1, (size_t)(stop - eq - 1));
		v = stop;
	}
}

/* The line from p (up to LF, CR stripped) and where the next starts. */
static size_t line_at(const char *p, const char *end, const char **next)
{
	const char *lf = memchr(p, '\n', (size_t)(end - p));
	size_t n = lf ? (size_t)(lf - p) : (size_t)(end - p);
	*next = lf ? lf + 1 : end;
	return n && p[n - 1] == '\r' ? n - 1 : n;
}

/* The framing of a head the gate passed, counted again from its lines: it
 * must be unambiguous. Fills the connection's header fields and cookies. */
static void head_fields(struct MHD_Connection *c, const char *p, const char *end, int *chunked)
{
	unsigned hosts = 0, lengths = 0, encodings = 0;
	const char *next;
	for (size_t n; p < end && (n = line_at(p, end, &next)); p = next) {
		const char *colon = memchr(p, ':', n);
		assert(colon);   /* the gate lets no line without a colon through */
		const char *v = colon + 1, *e = p + n;
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		size_t kn = (size_t)(colon - p);
		hosts += kn == 4 && !strncasecmp(p, "Host", 4);
		lengths += kn == 14 && !strncasecmp(p, "Content-Length", 14);
		encodings += kn == 17 && !strncasecmp(p, "Transfer-Encoding", 17);
		if (kn == 6 && !strncasecmp(p, "Cookie", 6))
			add_cookies(c, v, (size_t)(e - v));
		add_field(c, MHD_HEADER_KIND, p, kn, v, (size_t)(e - v));
	}
	assert(hosts <= 1 && lengths <= 1 && !(lengths && encodings) && encodings <= 1);
	*chunked = encodings == 1;
}

/* The body as the handler gets it: chunks joined (the gate checked their framing). */
static size_t body_of(const char *p, const char *end, int chunked, char *out)
{
	size_t len = 0;
	if (!chunked) {
		memcpy(out, p, (size_t)(end - p));
		return (size_t)(end - p);
	}
	for (;;) {
		const char *next;
		line_at(p, end, &next);
		size_t size = strtoul(p, NULL, 16);
		if (!size)
			return len;
		assert(len + size <= limits.body_max && next + size <= end);
		memcpy(out + len, next, size);
		len += size;
		p = next + size + 2;
	}
}

/* The gate's check, and what it promises about a request it passes: 1 when
 * the gate would hand it over (complete, well framed; h->length bytes), else 0. */
static int gate_passes(const char *p, size_t size, struct http_head *h)
{
	http_head_check(p, size, &limits, h);
	assert(h->error[sizeof(h->error) - 1] == '\0');
	if (h->state == HTTP_HEAD_BAD) {
		assert(h->status >= 400 && h->status < 600 && h->error[0]);
		return 0;
	}
	if (h->state != HTTP_HEAD_DONE)
		return 0;
	assert(h->length <= size && h->head_len && h->head_len <= h->length);
	struct http_head again;
	http_head_check(p, h->length, &limits, &again);   /* the same at its own length … */
	assert(again.state == HTTP_HEAD_DONE && again.length == h->length);
	http_head_check(p, h->length - 1, &limits, &again);   /* … and not complete a byte before */
	assert(again.state == HTTP_HEAD_MORE);
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct MHD_Connection conn = { 0 };
	const char *p = (const char *)data, *end = p + size, *next;
	char method[32], url[2048];
	void *con_cls = NULL;
	struct http_head h;

	if (!gate_passes(p, size, &h))
		return 0;
	end = p + h.length;
	while (*p == '\r' || *p == '\n')   /* the empty lines the gate skips */
		p++;
	size_t n = line_at(p, end, &next);
	const char *sp = memchr(p, ' ', n), *sp2 = sp ? memchr(sp + 1, ' ', (size_t)(p + n - sp - 1)) : NULL;
	assert(sp && sp2 && (size_t)(sp - p) < sizeof(method) && (size_t)(sp2 - sp - 1) < sizeof(url));
	snprintf(method, sizeof(method), "%.*s", (int)(sp - p), p);
	snprintf(url, sizeof(url), "%.*s", (int)(sp2 - sp - 1), sp + 1);
	char *qs = strchr(url, '?');
	if (qs) {
		*qs++ = '\0';
		add_query(&conn, qs);
	}
	int chunked;
	const char *body_start = (const char *)data + h.head_len;
	head_fields(&conn, next, body_start, &chunked);
	char *body = malloc(limits.body_max + 1);
	size_t body_len = body_of(body_start, end, chunked, body), half = body_len / 2, zero = 0;

	/* The order MHD calls us in: headers, each upload, then the end. */
	enum MHD_Result r = on_request(&server, &conn, url, method, "HTTP/1.1", NULL, &zero, &con_cls);
	if (r == MHD_YES && body_len) {
		size_t k = half;
		if (k)
			on_request(&server, &conn, url, method, "HTTP/1.1", body, &k, &con_cls);
		k = body_len - half;
		on_request(&server, &conn, url, method, "HTTP/1.1", body + half, &k, &con_cls);
	}
	if (r == MHD_YES && !conn.answers)
		on_request(&server, &conn, url, method, "HTTP/1.1", NULL, &zero, &con_cls);
	on_completed(&server, &conn, &con_cls, MHD_REQUEST_TERMINATED_COMPLETED_OK);
	assert(conn.answers <= 1);   /* one answer per request, never two */
	free(body);
	for (unsigned i = 0; i < conn.n; i++) {
		free(conn.f[i].key);
		free(conn.f[i].value);
	}
	return 0;
}
