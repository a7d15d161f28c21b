/* sim_shard.h: one shard of journey sim --threads: a VM of its own that applies the
 * events of its contacts, as the reader hands them over in batches (sim_batch.h), on a
 * thread of its own, and hands its records to the writer in blocks (sim_record.h).
 * Before each event it fires the timers one VM would have fired before it; after each
 * batch, those due up to where the reader has got; after the last, those due up to the
 * horizon. */
#ifndef JOURNEY_SIM_SHARD_H
#define JOURNEY_SIM_SHARD_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "journey.h"
#include "sim_queue.h"
#include "sim_record.h"

typedef struct sim_shard {
    jr_vm *vm;
    sim_queue *input;  /* sim_batch *, from the reader */
    sim_queue *output; /* sim_block *, to the writer */
    sim_queue *empty;  /* sim_block *, back from the writer, to fill again */
    uint32_t block_count;
    atomic_bool *stop; /* set when a failure should stop the reading */
    pthread_t thread;

    /* per contact of the VM (in its numbering), the index of the event that made it:
     * contacts in the order one VM would have seen them */
    uint64_t *first_event;
    uint32_t contact_count, contact_capacity;

    /* what is being made now */
    bool in_event;
    sim_key event_key;
    sim_block *block;
    FILE *text; /* writes into block->text */
    const char *cached_contact; /* the contact of the latest timer record, and its key */
    uint64_t cached_order;
    uint32_t errors_told;

    /* how it ended */
    bool failed;             /* an event was refused or memory ran out */
    jr_error failure;
    uint64_t failed_event;   /* its index, path and line */
    const char *failed_path;
    uint64_t failed_line;
    bool horizon_failed;     /* advancing to the horizon failed (failure says why) */
    bool out_of_memory;      /* keeping its records */
} sim_shard;

/* Makes the shard's VM and the blocks it fills, one more than the output queue and the
 * writer can hold, so that it never waits for one (the caller makes the input and
 * output queues); false when that failed (error says why). */
bool sim_shard_init(sim_shard *shard, const jr_program *program, bool attribution, uint32_t blocks,
                    atomic_bool *stop, jr_error *error);
/* The thread's function: runs batches until the last. */
void *sim_shard_run(void *shard);
/* Frees what the shard holds but its VM, which the caller takes over, once its thread
 * and the writer's are over (every block is back). */
void sim_shard_release(sim_shard *shard);

#endif
