/* event_merge.c: logs merged by time, in `journey sim`'s order (event_merge.h). */
#include "event_merge.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct merge_source {
    const char *path;
    jr_event_reader *reader;
    jr_event event;
    bool has_event; /* event is read and not yet handed out */
} merge_source;

struct event_merge {
    const jr_schema *schema;
    merge_source *sources;
    uint32_t count;
    uint32_t opened;  /* logs opened and read up to their first event */
    int64_t consumed; /* the log whose event was handed out last, to read on; -1: none */
    bool failed;
};

event_merge *event_merge_new(const jr_schema *schema, const char *const *paths, uint32_t count)
{
    event_merge *merge = calloc(1, sizeof *merge);
    if (!merge) return NULL;
    merge->sources = calloc(count ? count : 1, sizeof *merge->sources);
    if (!merge->sources) {
        free(merge);
        return NULL;
    }
    for (uint32_t i = 0; i < count; i++) merge->sources[i].path = paths[i];
    merge->schema = schema;
    merge->count = count;
    merge->consumed = -1;
    return merge;
}

/* Reads source on to its next event: false with status set when a bad line or a
 * failure comes first (the source is left where a later read goes on). */
static bool merge_read_on(event_merge *merge, merge_source *source, jr_read_error *problem,
                          event_merge_status *status)
{
    jr_read_status read = jr_reader_next(source->reader, &source->event, problem);
    source->has_event = read == JR_READ_EVENT;
    if (read == JR_READ_EVENT || read == JR_READ_END) return true;
    if (read == JR_READ_BAD_LINE) {
        *status = MERGE_BAD_LINE;
        return false;
    }
    if (!problem->message[0])
        snprintf(problem->message, sizeof problem->message, "%s",
                 read == JR_READ_NO_MEMORY ? "out of memory" : "read error");
    merge->failed = true;
    *status = MERGE_FAILED;
    return false;
}

event_merge_status event_merge_next(event_merge *merge, const jr_event **event, const char **path,
                                    jr_read_error *problem)
{
    event_merge_status status = MERGE_END;
    problem->line = 0;
    problem->message[0] = '\0';
    *event = NULL;
    *path = NULL;
    if (merge->failed) return MERGE_FAILED;
    /* Each log in turn: opened, then read up to its first event. */
    while (merge->opened < merge->count) {
        merge_source *source = &merge->sources[merge->opened];
        *path = source->path;
        if (!source->reader) {
            source->reader = jr_reader_open(merge->schema, source->path, JR_LOG_AUTO, problem);
            if (!source->reader) {
                merge->failed = true;
                return MERGE_FAILED;
            }
        }
        if (!merge_read_on(merge, source, problem, &status)) return status;
        merge->opened++;
    }
    /* The log of the event handed out last reads on. */
    if (merge->consumed >= 0) {
        merge_source *source = &merge->sources[merge->consumed];
        *path = source->path;
        if (!merge_read_on(merge, source, problem, &status)) return status;
        merge->consumed = -1;
    }
    /* The earliest pending event; ties go to the log named first. */
    merge_source *next = NULL;
    for (uint32_t i = 0; i < merge->count; i++) {
        merge_source *source = &merge->sources[i];
        if (source->has_event && (!next || source->event.timestamp < next->event.timestamp)) next = source;
    }
    if (!next) {
        *path = NULL;
        return MERGE_END;
    }
    next->has_event = false;
    merge->consumed = next - merge->sources;
    *event = &next->event;
    *path = next->path;
    return MERGE_EVENT;
}

bool event_merge_progress(const event_merge *merge, uint64_t *position, uint64_t *size)
{
    bool sized = true;
    *position = *size = 0;
    for (uint32_t i = 0; i < merge->count; i++) {
        if (!merge->sources[i].reader) continue;
        uint64_t total = jr_reader_size(merge->sources[i].reader);
        if (total == 0) sized = false;
        *size += total;
        *position += jr_reader_position(merge->sources[i].reader);
    }
    return sized;
}

void event_merge_free(event_merge *merge)
{
    if (!merge) return;
    for (uint32_t i = 0; i < merge->count; i++) jr_reader_close(merge->sources[i].reader);
    free(merge->sources);
    free(merge);
}
