/* sim_queue.h: a bounded queue of pointers between two threads of journey sim --threads
 * (the reader and a shard, a shard and the writer of the actions). A push waits while
 * it is full and a pop while it is empty, so that no thread runs further ahead of
 * another than the queue holds: memory stays bounded. One lock per item, and items are
 * batches, never single events. */
#ifndef JOURNEY_SIM_QUEUE_H
#define JOURNEY_SIM_QUEUE_H
#include <stdbool.h>
#include <stdint.h>

typedef struct sim_queue sim_queue;

/* A queue of at most capacity items; NULL when out of memory. */
sim_queue *sim_queue_new(uint32_t capacity);
void sim_queue_push(sim_queue *queue, void *item);
void *sim_queue_pop(sim_queue *queue);
/* An item if there is one, else NULL at once (for emptying a queue no thread uses). */
void *sim_queue_try_pop(sim_queue *queue);
/* Frees the queue, not the items left in it. */
void sim_queue_free(sim_queue *queue);

#endif
