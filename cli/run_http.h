/* run_http.h: journey run's HTTP endpoint, Segment's tracking API (POST /v1/track,
 * /v1/identify, /v1/page, /v1/batch) served by libmicrohttpd in threads of its own.
 * Each request's events are checked against the program's schema, queued on the
 * ingest queue, and answered 200 only once the loop has committed them (spec/ingest.md
 * gives every status and error body). */
#ifndef JOURNEY_RUN_HTTP_H
#define JOURNEY_RUN_HTTP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest_queue.h"
#include "journey.h"

typedef struct run_http_options {
    const char *listen;        /* "127.0.0.1:8088", "[::1]:8088"; port 0 picks a free one */
    const jr_schema *schema;   /* events are read against it before they are queued */
    ingest_queue *queue;
    size_t max_body;           /* bytes; 0: 500 KiB, Segment's limit for a batch */
    const char *write_key;     /* NULL: any request; else HTTP Basic auth with this user
                                  name (Segment's write key) is required */
} run_http_options;

typedef struct run_http run_http;

/* Starts serving. False with message when the address is malformed or cannot be bound. */
bool run_http_start(const run_http_options *options, run_http **server, char *message, size_t size);
/* The port it listens on (what port 0 picked). */
uint16_t run_http_port(const run_http *server);
/* Stops accepting connections and waits for the requests in progress to finish. */
void run_http_stop(run_http *server);

#endif
