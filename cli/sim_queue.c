/* sim_queue.c: a bounded queue of pointers guarded by a mutex (sim_queue.h). */
#include "sim_queue.h"

#include <pthread.h>
#include <stdlib.h>

struct sim_queue {
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
    void **items; /* a ring */
    uint32_t capacity, head, count;
};

sim_queue *sim_queue_new(uint32_t capacity)
{
    sim_queue *queue = calloc(1, sizeof *queue);
    if (!queue) return NULL;
    queue->items = calloc(capacity ? capacity : 1, sizeof *queue->items);
    if (!queue->items) {
        free(queue);
        return NULL;
    }
    queue->capacity = capacity ? capacity : 1;
    pthread_mutex_init(&queue->lock, NULL);
    pthread_cond_init(&queue->not_empty, NULL);
    pthread_cond_init(&queue->not_full, NULL);
    return queue;
}

void sim_queue_push(sim_queue *queue, void *item)
{
    pthread_mutex_lock(&queue->lock);
    while (queue->count == queue->capacity) pthread_cond_wait(&queue->not_full, &queue->lock);
    queue->items[(queue->head + queue->count) % queue->capacity] = item;
    queue->count++;
    pthread_cond_signal(&queue->not_empty);
    pthread_mutex_unlock(&queue->lock);
}

void *sim_queue_pop(sim_queue *queue)
{
    pthread_mutex_lock(&queue->lock);
    while (queue->count == 0) pthread_cond_wait(&queue->not_empty, &queue->lock);
    void *item = queue->items[queue->head];
    queue->head = (queue->head + 1) % queue->capacity;
    queue->count--;
    pthread_cond_signal(&queue->not_full);
    pthread_mutex_unlock(&queue->lock);
    return item;
}

void *sim_queue_try_pop(sim_queue *queue)
{
    pthread_mutex_lock(&queue->lock);
    bool any = queue->count > 0;
    pthread_mutex_unlock(&queue->lock);
    return any ? sim_queue_pop(queue) : NULL;
}

void sim_queue_free(sim_queue *queue)
{
    if (!queue) return;
    pthread_mutex_destroy(&queue->lock);
    pthread_cond_destroy(&queue->not_empty);
    pthread_cond_destroy(&queue->not_full);
    free(queue->items);
    free(queue);
}
