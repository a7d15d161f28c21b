/* action_sink.h: where journey run delivers its actions: a JSON Lines file (appended),
 * standard output, or an HTTP webhook (one POST per action, with an Idempotency-Key
 * header). A sink only transports; journey run decides what to deliver, when to retry
 * and what goes to the dead-letter file (spec/run.md). Used by one thread at a time. */
#ifndef JOURNEY_ACTION_SINK_H
#define JOURNEY_ACTION_SINK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct action_sink action_sink;

typedef struct action_sink_options {
    uint32_t timeout_ms;          /* webhook: per request, connection included; 0: 10 000 */
    const char *const *headers;   /* webhook: extra headers ("Authorization: Bearer ..."), */
    uint32_t header_count;        /* as given to --header */
} action_sink_options;

/* target: "-" for standard output, an http:// or https:// URL for a webhook, else the
 * path of a file (created if missing, appended to; a last line left incomplete by a
 * crash is cut off when it is opened, since it was never counted delivered). False with
 * message when it cannot be used. */
bool action_sink_open(const char *target, const action_sink_options *options, action_sink **sink, char *message,
                      size_t size);

typedef enum sink_result {
    SINK_DELIVERED, /* accepted (files and stdout: once action_sink_flush succeeds) */
    SINK_RETRY,     /* a failure that may pass: network error, timeout, HTTP 408, 429, 5xx */
    SINK_REJECTED,  /* a failure that will not pass: any other HTTP status */
} sink_result;

/* Delivers one action: record is its JSON object (no line break), key its idempotency
 * key. A failure's reason goes to message ("HTTP 503", "connection refused"). */
sink_result action_sink_deliver(action_sink *sink, const char *key, const char *record, size_t length,
                                char *message, size_t size);

/* Makes what was delivered since the last flush durable: a file is written and
 * fdatasync'ed, stdout flushed; a webhook has nothing to do. False with message: none
 * of those records may be counted delivered. */
bool action_sink_flush(action_sink *sink, char *message, size_t size);

void action_sink_close(action_sink *sink);

#endif
