/* clock: the monotonic clock as the station reads it — milliseconds now, and deadlines for timed waits. */
#ifndef TONEWIRE_CLOCK_H
#define TONEWIRE_CLOCK_H

#include <time.h>

/* Milliseconds on CLOCK_MONOTONIC (never jumps with the wall clock). */
static inline double clock_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The CLOCK_MONOTONIC time ms from now, for pthread_cond_timedwait on a
 * condition variable created with that clock. */
static inline void clock_deadline(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

#endif
