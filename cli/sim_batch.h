/* sim_batch.h: the events the reader of journey sim --threads hands one shard at once:
 * each copied out of the reader's buffers (its strings, properties and traits; not its
 * messageId, which has done its work in the reader: sim_dedup.h), with
 * its place in the merged logs and the clock one VM would have applied it at; and,
 * closing the batch, how far the reader has got in the merged logs, so that the shard
 * can fire its timers up to there (spec/language.md 6.16). */
#ifndef JOURNEY_SIM_BATCH_H
#define JOURNEY_SIM_BATCH_H
#include <stdbool.h>
#include <stdint.h>

#include "journey.h"

typedef struct sim_posting {
    jr_event event;   /* its strings and fields live in the batch */
    uint64_t index;   /* its place among the events read from the merged logs, from 0 */
    int64_t clock;    /* one VM's clock once it is applied: the latest timestamp so far */
    const char *path; /* the log it comes from, for messages */
} sim_posting;

typedef struct sim_batch_chunk sim_batch_chunk;

typedef struct sim_batch {
    sim_posting *postings;
    uint32_t count, capacity;
    sim_batch_chunk *chunks; /* where the copies live */
    /* Closing the batch: `read` events of the merged logs are read (for all shards), and
     * one VM's clock is `clock`. */
    uint64_t read;
    int64_t clock;
    /* The last batch of the run: after it the shard fires the timers due up to the
     * horizon, when there is one. */
    bool last;
    bool to_horizon;
    int64_t horizon;
} sim_batch;

/* An empty batch; NULL when out of memory. */
sim_batch *sim_batch_new(void);
/* Copies event in; false when out of memory. */
bool sim_batch_add(sim_batch *batch, const jr_event *event, uint64_t index, int64_t clock, const char *path);
void sim_batch_free(sim_batch *batch);

#endif
