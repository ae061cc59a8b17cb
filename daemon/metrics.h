/* metrics: counters of the station in Prometheus text format (tests by verdict and fault, durations, xruns). */
#ifndef TONEWIRE_METRICS_H
#define TONEWIRE_METRICS_H

#include <jansson.h>

typedef struct metrics metrics;

metrics *metrics_create(void);          /* NULL on allocation failure */
void metrics_destroy(metrics *m);       /* accepts NULL */

/* Count one finished test from its result object: verdict, each fault code, the
 * total duration. */
void metrics_test_done(metrics *m, const json_t *result);

/* Count one dropout seen during a flex session. */
void metrics_flex_event(metrics *m);
/* Count one finished flex session from its result (verdict, seconds). Flex
 * sessions stay out of the tests' counters and duration histogram: they run
 * as long as the operator flexes. */
void metrics_flex_done(metrics *m, const json_t *result);

/* Values owned by other modules, sampled when /metrics is read. */
struct metrics_gauges {
	unsigned long long xruns, reopens, sse_dropped;
	int connected;
	unsigned sse_clients;
	double uptime_s, latency_frames;
	int busy;
	int flexing;                  /* a flex session is running */
};

/* The exposition text (text/plain; version=0.0.4), malloc'd; NULL on failure. */
char *metrics_render(metrics *m, const struct metrics_gauges *g);

#endif
