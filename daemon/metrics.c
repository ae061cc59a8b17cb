/* metrics: counters of the station in Prometheus text format (tests by verdict and fault, durations, xruns). */
#include "metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

/* Seconds. A test takes ~0.15 s at 48 kHz in real time; the upper buckets
 * catch retried xruns and slow devices. */
static const double bounds[] = { 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0 };
#define N_BOUNDS (sizeof(bounds) / sizeof(bounds[0]))

struct metrics {
	pthread_mutex_t lock;
	unsigned long long verdict[3];
	unsigned long long fault[FAULT_COUNT];
	unsigned long long bucket[N_BOUNDS];   /* cumulative counts are built on output */
	unsigned long long count;
	double sum;
	unsigned long long flex_sessions[3], flex_events;
	double flex_seconds;
};

metrics *metrics_create(void)
{
	metrics *m = calloc(1, sizeof(*m));
	if (m)
		pthread_mutex_init(&m->lock, NULL);
	return m;
}

void metrics_destroy(metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void metrics_test_done(metrics *m, const json_t *result)
{
	const char *v = json_string_value(json_object_get(result, "verdict"));
	double s = json_number_value(json_object_get(json_object_get(result, "timing_ms"), "total")) / 1000.0;
	size_t i;
	json_t *f;

	pthread_mutex_lock(&m->lock);
	for (int k = 0; k < 3; k++)
		if (v && !strcmp(v, verdict_name((enum verdict)k)))
			m->verdict[k]++;
	json_array_foreach(json_object_get(result, "faults"), i, f) {
		const char *code = json_string_value(json_object_get(f, "code"));
		for (int k = 0; code && k < FAULT_COUNT; k++)
			if (!strcmp(code, fault_code_name((enum fault_code)k)))
				m->fault[k]++;
	}
	for (size_t b = 0; b < N_BOUNDS; b++) {
		if (s <= bounds[b]) {
			m->bucket[b]++;
			break;
		}
	}
	m->count++;
	m->sum += s;
	pthread_mutex_unlock(&m->lock);
}

void metrics_flex_event(metrics *m)
{
	pthread_mutex_lock(&m->lock);
	m->flex_events++;
	pthread_mutex_unlock(&m->lock);
}

void metrics_flex_done(metrics *m, const json_t *result)
{
	const char *v = json_string_value(json_object_get(result, "verdict"));
	double s = json_number_value(json_object_get(json_object_get(result, "flex"), "seconds"));
	pthread_mutex_lock(&m->lock);
	for (int k = 0; k < 3; k++)
		if (v && !strcmp(v, verdict_name((enum verdict)k)))
			m->flex_sessions[k]++;
	m->flex_seconds += s;
	pthread_mutex_unlock(&m->lock);
}

struct out {
	char *buf;
	size_t len, cap;
	int failed;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->failed = 1;
			return;
		}
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		size_t cap = o->cap * 2 + (size_t)n;
		char *p = realloc(o->buf, cap);
		if (!p) {
			o->failed = 1;
			return;
		}
		o->buf = p;
		o->cap = cap;
	}
}

char *metrics_render(metrics *m, const struct metrics_gauges *g)
{
	struct out o = { malloc(4096), 0, 4096, 0 };
	if (!o.buf)
		return NULL;
	o.buf[0] = '\0';

	pthread_mutex_lock(&m->lock);
	put(&o, "# HELP tonewire_tests_total Tests finished, by verdict.\n"
	        "# TYPE tonewire_tests_total counter\n");
	for (int k = 0; k < 3; k++)
		put(&o, "tonewire_tests_total{verdict=\"%s\"} %llu\n", verdict_name((enum verdict)k), m->verdict[k]);
	put(&o, "# HELP tonewire_faults_total Faults named in finished tests, by code.\n"
	        "# TYPE tonewire_faults_total counter\n");
	for (int k = 0; k < FAULT_COUNT; k++)
		put(&o, "tonewire_faults_total{code=\"%s\"} %llu\n", fault_code_name((enum fault_code)k), m->fault[k]);
	put(&o, "# HELP tonewire_test_duration_seconds Time from request to stored result.\n"
	        "# TYPE tonewire_test_duration_seconds histogram\n");
	unsigned long long cum = 0;
	for (size_t b = 0; b < N_BOUNDS; b++) {
		cum += m->bucket[b];
		put(&o, "tonewire_test_duration_seconds_bucket{le=\"%g\"} %llu\n", bounds[b], cum);
	}
	put(&o, "tonewire_test_duration_seconds_bucket{le=\"+Inf\"} %llu\n", m->count);
	put(&o, "tonewire_test_duration_seconds_sum %.6f\n", m->sum);
	put(&o, "tonewire_test_duration_seconds_count %llu\n", m->count);
	put(&o, "# HELP tonewire_flex_sessions_total Flex sessions finished, by verdict.\n"
	        "# TYPE tonewire_flex_sessions_total counter\n");
	for (int k = 0; k < 3; k++)
		put(&o, "tonewire_flex_sessions_total{verdict=\"%s\"} %llu\n", verdict_name((enum verdict)k),
		    m->flex_sessions[k]);
	put(&o, "# HELP tonewire_flex_events_total Dropouts seen during flex sessions.\n"
	        "# TYPE tonewire_flex_events_total counter\ntonewire_flex_events_total %llu\n", m->flex_events);
	put(&o, "# HELP tonewire_flex_seconds_total Time spent tracking in flex sessions.\n"
	        "# TYPE tonewire_flex_seconds_total counter\ntonewire_flex_seconds_total %.3f\n", m->flex_seconds);
	pthread_mutex_unlock(&m->lock);

	put(&o, "# HELP tonewire_xruns_total Over- and underruns of the audio device, recovered.\n"
	        "# TYPE tonewire_xruns_total counter\ntonewire_xruns_total %llu\n", g->xruns);
	put(&o, "# HELP tonewire_device_reopens_total Times the audio device was opened again after a loss.\n"
	        "# TYPE tonewire_device_reopens_total counter\ntonewire_device_reopens_total %llu\n", g->reopens);
	put(&o, "# HELP tonewire_device_connected 1 while the audio device is open.\n"
	        "# TYPE tonewire_device_connected gauge\ntonewire_device_connected %d\n", g->connected);
	put(&o, "# HELP tonewire_test_running 1 while a test is measuring or analysing.\n"
	        "# TYPE tonewire_test_running gauge\ntonewire_test_running %d\n", g->busy);
	put(&o, "# HELP tonewire_flex_running 1 while a flex session is running.\n"
	        "# TYPE tonewire_flex_running gauge\ntonewire_flex_running %d\n", g->flexing);
	put(&o, "# HELP tonewire_latency_frames Round trip of the device measured last.\n"
	        "# TYPE tonewire_latency_frames gauge\ntonewire_latency_frames %.3f\n", g->latency_frames);
	put(&o, "# HELP tonewire_sse_clients Connected event stream clients.\n"
	        "# TYPE tonewire_sse_clients gauge\ntonewire_sse_clients %u\n", g->sse_clients);
	put(&o, "# HELP tonewire_sse_dropped_total Events dropped for clients that fell behind.\n"
	        "# TYPE tonewire_sse_dropped_total counter\ntonewire_sse_dropped_total %llu\n", g->sse_dropped);
	put(&o, "# HELP tonewire_uptime_seconds Seconds since the daemon started.\n"
	        "# TYPE tonewire_uptime_seconds gauge\ntonewire_uptime_seconds %.1f\n", g->uptime_s);
	if (o.failed) {
		free(o.buf);
		return NULL;
	}
	return o.buf;
}
