/* sim_read.h: the reading side of journey sim: the logs merged by time (event_merge.h)
 * handed one event at a time to whoever applies them (one VM, or the router of
 * --threads), with the malformed lines reported on stderr as they come and, on a
 * terminal, the progress. */
#ifndef JOURNEY_SIM_READ_H
#define JOURNEY_SIM_READ_H
#include <stdbool.h>
#include <stdint.h>

#include "event_merge.h"
#include "journey.h"

/* Applies one event read from the log at path; false stops the reading (the callee has
 * said why). */
typedef bool (*sim_apply_fn)(void *user, const jr_event *event, const char *path);

typedef struct sim_reading {
    uint64_t events;               /* handed over */
    uint64_t bad_lines;
    int64_t first_event, last_event; /* timestamps; INT64_MIN when there was none */
    bool stopped;                  /* by a bad line (without skip_bad), a log that failed,
                                      or the callee */
} sim_reading;

/* Reads merge to its end or until something stops it. */
void sim_read(event_merge *merge, bool skip_bad, bool show_progress, sim_apply_fn apply, void *user,
              sim_reading *reading);

#endif
