/* ingest_queue.h: events handed from journey run's HTTP threads to its loop, and the
 * loop's answer handed back. A request is answered only when its events are committed
 * to the state database, or refused: the HTTP status to send comes with the answer. */
#ifndef JOURNEY_INGEST_QUEUE_H
#define JOURNEY_INGEST_QUEUE_H
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ingest_request {
    /* given by the HTTP thread: the request's events, already checked against the
     * program's schema, one JSON object per line, each line ending in '\n' */
    const char *lines;
    size_t length;
    uint32_t event_count;
    /* answered by the loop */
    bool answered;
    int http_status;          /* 200 committed; 503 not applied (message says why) */
    char message[256];
    struct ingest_request *next;
} ingest_request;

typedef struct ingest_queue {
    pthread_mutex_t lock;
    pthread_cond_t arrived;   /* the loop waits for requests */
    pthread_cond_t answered;  /* HTTP threads wait for answers */
    ingest_request *head, *tail;
    uint32_t queued_events;
    bool closed;
    bool woken;               /* a wake-up not yet seen by the loop */
} ingest_queue;

bool ingest_queue_init(ingest_queue *queue);
void ingest_queue_destroy(ingest_queue *queue);

/* HTTP thread: queues the request and waits for its answer. False, with the request
 * untouched, when the queue was already closed (the runner is stopping); a request
 * still queued when it closes is answered 503. */
bool ingest_queue_submit(ingest_queue *queue, ingest_request *request);

/* The loop: takes whole requests in arrival order until they hold max_events (at least
 * one request when any is queued), waiting up to timeout_ms for the first. Returns the
 * list, linked by next, or NULL. */
ingest_request *ingest_queue_take(ingest_queue *queue, uint32_t max_events, int timeout_ms);

/* The loop: answers every request of a list it took (they may be freed by their
 * threads as soon as this returns). */
void ingest_queue_answer(ingest_queue *queue, ingest_request *list, int http_status, const char *message);

/* Stops taking requests: requests still queued are answered 503 at once, later submits
 * return false. Requests the loop already took are answered by the loop. Call it
 * before run_http_stop, which waits for the requests in progress. */
void ingest_queue_close(ingest_queue *queue);

/* Wakes the loop: a wait in ingest_queue_take in progress, or else the next one, ends at
 * once (returning NULL when nothing is queued). */
void ingest_queue_wake(ingest_queue *queue);

#endif
