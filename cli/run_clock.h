/* run_clock.h: the two clocks of journey run: the wall clock, which dates events
 * received and drives timers, and the monotonic clock, which bounds waits (a step of
 * the wall clock must not stall a sleeping thread). */
#ifndef JOURNEY_RUN_CLOCK_H
#define JOURNEY_RUN_CLOCK_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds since 1970-01-01T00:00:00Z. */
int64_t run_clock_now_ms(void);

/* A condition variable whose timed waits count on the monotonic clock. */
bool run_clock_condition_init(pthread_cond_t *condition);
/* The monotonic deadline `milliseconds` from now, for pthread_cond_timedwait on such a
 * condition variable. */
struct timespec run_clock_deadline(int milliseconds);

#endif
