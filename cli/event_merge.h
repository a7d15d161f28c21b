/* event_merge.h: several event logs read as one stream, merged by time, in exactly the
 * order `journey sim` applies them (spec/jev.md 2): each log is opened and read up to
 * its first event in the order the logs are named, then the earliest pending event of
 * all logs comes next (ties go to the log named first), and once it has been used its
 * log reads on to its next event. Bad lines come out where those reads meet them. */
#ifndef JOURNEY_EVENT_MERGE_H
#define JOURNEY_EVENT_MERGE_H
#include <stdbool.h>
#include <stdint.h>

#include "journey.h"

typedef struct event_merge event_merge;

typedef enum event_merge_status {
    MERGE_EVENT,    /* the next event; it lives until the next call */
    MERGE_BAD_LINE, /* a malformed line: problem->line and ->message; going on skips it */
    MERGE_END,      /* every log is read */
    MERGE_FAILED,   /* a log could not be opened or read (problem->message): stop */
} event_merge_status;

/* Reads the logs at paths (which outlive the merge) for schema. NULL when out of
 * memory; nothing is opened before the first call of event_merge_next. */
event_merge *event_merge_new(const jr_schema *schema, const char *const *paths, uint32_t count);

/* The next event or problem, and the path of the log it comes from. */
event_merge_status event_merge_next(event_merge *merge, const jr_event **event, const char **path,
                                    jr_read_error *problem);

/* How far the merge has read, in bytes of the logs opened so far; false when the size
 * of a log is not known (standard input, a pipe). */
bool event_merge_progress(const event_merge *merge, uint64_t *position, uint64_t *size);

void event_merge_free(event_merge *merge);

#endif
