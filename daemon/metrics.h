/* metrics: counters of the station in Prometheus text format (tests by verdict and fault, durations, xruns). */
#ifndef TONEWIRE_METRICS_H
#define TONEWIRE_METRICS_H

#include <jansson.h>

typedef struct metrics metrics;

metrics *metrics_create(void);          /* NULL on allocation failure */
void metrics_destroy(metrics *m);       /* accepts NULL */

/* Count one finished test from its §5 object: verdict, each fault code, the
 * total duration. */
void metrics_test_done(metrics *m, const json_t *result);

/* Values owned by other modules, sampled when /metrics is read. */
struct metrics_gauges {
	unsigned long long xruns, reopens, sse_dropped;
	int connected;
	unsigned sse_clients;
	double uptime_s, latency_frames;
	int busy;
};

/* The exposition text (text/plain; version=0.0.4), malloc'd; NULL on failure. */
char *metrics_render(metrics *m, const struct metrics_gauges *g);

#endif
