/* segment_body.h: the body of a request to journey run's HTTP endpoint, in the shape of
 * Segment's HTTP Tracking API, turned into the lines the runtime reads: one JSON object
 * per event, each on one line ending in '\n', with "type" and the final "timestamp"
 * first (spec/ingest.md gives every rule).
 *
 * Pure functions: no I/O, no clock (the time the request was received is an argument),
 * no global state; safe to call from any number of threads at once. The normalizer
 * (segment_body.cpp) reads the body with simdjson and writes every event anew, so the
 * lines are valid JSON whatever the body held. */
#ifndef JOURNEY_SEGMENT_BODY_H
#define JOURNEY_SEGMENT_BODY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "journey.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The endpoints: one call of the type the path names, or a batch of calls. */
typedef enum segment_endpoint {
    SEGMENT_TRACK,
    SEGMENT_IDENTIFY,
    SEGMENT_PAGE,
    SEGMENT_BATCH,
} segment_endpoint;

typedef enum segment_body_status {
    SEGMENT_BODY_OK = 0,
    SEGMENT_BODY_BAD,    /* the body is refused (HTTP 400); the message says why */
    SEGMENT_BODY_FAILED, /* the server failed (out of memory, or a fault of its own): nothing was
                            decided about the body; the message says what */
} segment_body_status;

typedef struct segment_body {
    char *lines; /* malloc'd: event_count lines, each ending in '\n'; NULL when empty */
    size_t length;
    uint32_t event_count;
    uint32_t *call_indexes; /* a batch's: malloc'd, the call each line comes from (calls
                               that are skipped have no line); NULL otherwise */
    uint32_t skipped;       /* calls of a batch skipped: screen, group, alias */
    /* The body's top-level "writeKey" (Segment's write key sent in the body), malloc'd
     * and NUL-terminated, or NULL. Filled as soon as the body parses as a JSON object,
     * even when it is refused for another reason, so that a caller can answer 401
     * before 400. Never copied into the lines. */
    char *write_key;
    size_t write_key_length;
} segment_body;

/* "track", "identify", "page", "batch". */
const char *segment_endpoint_name(segment_endpoint endpoint);

/* Normalizes body (length bytes, any content) received at received_at (milliseconds
 * since the epoch). On SEGMENT_BODY_OK, out holds the lines; otherwise out holds no
 * lines (write_key may still be set) and message says why, naming the event of a batch
 * as "batch[3]: ...". segment_body_free(out) in every case. */
segment_body_status segment_body_normalize(segment_endpoint endpoint, const char *body, size_t length,
                                           int64_t received_at, segment_body *out, char *message,
                                           size_t message_size);

/* Reads the lines of a normalized body with the runtime's event reader against schema,
 * as the run loop will. SEGMENT_BODY_BAD at the first event it refuses, with the
 * reader's message (after "batch[N]: " for a batch); SEGMENT_BODY_FAILED when the
 * reader could not be made. */
segment_body_status segment_body_check_events(const jr_schema *schema, segment_endpoint endpoint,
                                              const segment_body *body, char *message, size_t message_size);

void segment_body_free(segment_body *body);

#ifdef __cplusplus
}
#endif
#endif
