/* ingest_queue.c: a mutex, two condition variables and a linked list: the HTTP threads
 * queue requests and sleep until the loop has committed them (ingest_queue.h). */
#include "ingest_queue.h"

#include <stdio.h>

#include "run_clock.h"

bool ingest_queue_init(ingest_queue *queue)
{
    *queue = (ingest_queue){ .head = NULL };
    bool ok = pthread_mutex_init(&queue->lock, NULL) == 0;
    ok = ok && run_clock_condition_init(&queue->arrived);
    ok = ok && pthread_cond_init(&queue->answered, NULL) == 0;
    return ok;
}

void ingest_queue_destroy(ingest_queue *queue)
{
    pthread_cond_destroy(&queue->answered);
    pthread_cond_destroy(&queue->arrived);
    pthread_mutex_destroy(&queue->lock);
}

bool ingest_queue_submit(ingest_queue *queue, ingest_request *request)
{
    pthread_mutex_lock(&queue->lock);
    if (queue->closed) {
        pthread_mutex_unlock(&queue->lock);
        return false;
    }
    request->answered = false;
    request->next = NULL;
    if (queue->tail) queue->tail->next = request;
    else queue->head = request;
    queue->tail = request;
    queue->queued_events += request->event_count;
    pthread_cond_signal(&queue->arrived);
    while (!request->answered) pthread_cond_wait(&queue->answered, &queue->lock);
    pthread_mutex_unlock(&queue->lock);
    return true;
}

ingest_request *ingest_queue_take(ingest_queue *queue, uint32_t max_events, int timeout_ms)
{
    pthread_mutex_lock(&queue->lock);
    if (!queue->head && !queue->woken && timeout_ms > 0) {
        struct timespec deadline = run_clock_deadline(timeout_ms);
        /* One wait: a wake-up (ingest_queue_wake) or the deadline ends it as well. */
        int result = pthread_cond_timedwait(&queue->arrived, &queue->lock, &deadline);
        (void)result;
    }
    queue->woken = false;
    ingest_request *taken = NULL, **last = &taken;
    uint32_t events = 0;
    while (queue->head && (!taken || events + queue->head->event_count <= max_events)) {
        ingest_request *request = queue->head;
        queue->head = request->next;
        if (!queue->head) queue->tail = NULL;
        request->next = NULL;
        events += request->event_count;
        queue->queued_events -= request->event_count;
        *last = request;
        last = &request->next;
    }
    pthread_mutex_unlock(&queue->lock);
    return taken;
}

void ingest_queue_answer(ingest_queue *queue, ingest_request *list, int http_status, const char *message)
{
    pthread_mutex_lock(&queue->lock);
    for (ingest_request *request = list, *next; request; request = next) {
        next = request->next;
        request->http_status = http_status;
        snprintf(request->message, sizeof request->message, "%s", message ? message : "");
        request->answered = true;
    }
    pthread_cond_broadcast(&queue->answered);
    pthread_mutex_unlock(&queue->lock);
}

void ingest_queue_close(ingest_queue *queue)
{
    pthread_mutex_lock(&queue->lock);
    queue->closed = true;
    /* Requests still queued were not taken: they are answered as not applied. */
    for (ingest_request *request = queue->head, *next; request; request = next) {
        next = request->next;
        request->http_status = 503;
        snprintf(request->message, sizeof request->message, "the runner is stopping");
        request->answered = true;
    }
    queue->head = queue->tail = NULL;
    queue->queued_events = 0;
    pthread_cond_broadcast(&queue->answered);
    pthread_cond_broadcast(&queue->arrived);
    pthread_mutex_unlock(&queue->lock);
}

void ingest_queue_wake(ingest_queue *queue)
{
    pthread_mutex_lock(&queue->lock);
    queue->woken = true;
    pthread_cond_broadcast(&queue->arrived);
    pthread_mutex_unlock(&queue->lock);
}
