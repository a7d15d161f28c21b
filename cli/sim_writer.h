/* sim_writer.h: the writer of journey sim --threads, on a thread of its own: it merges
 * the shards' records by key (sim_record.h) and so takes them in the order one VM
 * would have made them: it writes the actions, counts the sends per day for the
 * report, adds up the floating-point figures term by term, and picks the first
 * run-time errors, all as one VM would have. It waits for a shard only when that
 * shard's next record could come first. */
#ifndef JOURNEY_SIM_WRITER_H
#define JOURNEY_SIM_WRITER_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "journey.h"
#include "report.h"
#include "sim_shard.h"

/* A kept run-time error: the shard, and its index in the shard's VM. */
typedef struct sim_error_pick {
    uint32_t shard;
    uint32_t error;
} sim_error_pick;

typedef struct sim_writer {
    sim_shard *shards;
    uint32_t shard_count;
    FILE *out;
    report_days *days;   /* or NULL */
    bool days_out_of_memory;
    /* The figures (jr_figure): per journey for the first four, per node for the rest. */
    double *figures[JR_FIGURE_COUNT];
    uint32_t figure_counts[JR_FIGURE_COUNT];
    sim_error_pick *errors;
    uint32_t error_count;
    struct sim_writer_cursor *cursors; /* per shard */
    pthread_t thread;
} sim_writer;

/* Sets the writer up for the shards of a program with journey_count journeys and
 * node_count nodes; false when out of memory. */
bool sim_writer_init(sim_writer *writer, sim_shard *shards, uint32_t shard_count, FILE *out, report_days *days,
                     uint32_t journey_count, uint32_t node_count);
/* The thread's function: merges until every shard has handed over its last block. */
void *sim_writer_run(void *writer);
void sim_writer_release(sim_writer *writer);

#endif
