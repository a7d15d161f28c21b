/* sim_writer.c: the shards' records merged by key into one VM's order (sim_writer.h). */
#include "sim_writer.h"

#include <stdlib.h>

/* The run-time errors one VM keeps (journey.h: the first 1000). */
enum { KEPT_ERRORS = 1000 };

/* Where the merge is in one shard's records. */
struct sim_writer_cursor {
    sim_block *block;  /* being read, or NULL */
    uint32_t position;
    sim_key watermark; /* no later record of the shard comes before it */
    bool done;
};
typedef struct sim_writer_cursor cursor;

bool sim_writer_init(sim_writer *writer, sim_shard *shards, uint32_t shard_count, FILE *out, report_days *days,
                     uint32_t journey_count, uint32_t node_count)
{
    *writer = (sim_writer){ .shards = shards, .shard_count = shard_count, .out = out, .days = days };
    for (int f = 0; f < JR_FIGURE_COUNT; f++) {
        writer->figure_counts[f] = f <= JR_FIGURE_TIME_TO_GOAL_SUM_HOLDOUT ? journey_count : node_count;
        if (!(writer->figures[f] = calloc(writer->figure_counts[f] + 1, sizeof *writer->figures[f]))) return false;
    }
    writer->cursors = calloc(shard_count, sizeof *writer->cursors);
    writer->errors = calloc(KEPT_ERRORS, sizeof *writer->errors);
    return writer->cursors && writer->errors;
}

void sim_writer_release(sim_writer *writer)
{
    for (int f = 0; f < JR_FIGURE_COUNT; f++) free(writer->figures[f]);
    free(writer->errors);
    free(writer->cursors);
}

/* Takes one record, in one VM's order. */
static void take(sim_writer *writer, uint32_t shard, const sim_block *block, const sim_record *record)
{
    switch (record->kind) {
    case SIM_RECORD_ACTION:
        fwrite(block->text + record->as.action.offset, 1, record->as.action.length, writer->out);
        if (writer->days) {
            jr_action action = { .kind = record->as.action.kind, .outcome = record->as.action.outcome,
                                 .at = record->as.action.at, .channel = record->as.action.channel };
            if (!report_days_add(writer->days, &action)) writer->days_out_of_memory = true;
        }
        break;
    case SIM_RECORD_ERROR:
        if (writer->error_count < KEPT_ERRORS)
            writer->errors[writer->error_count++] = (sim_error_pick){ shard, record->as.error };
        break;
    case SIM_RECORD_FIGURE:
        if (record->as.figure.index < writer->figure_counts[record->as.figure.figure])
            writer->figures[record->as.figure.figure][record->as.figure.index] += record->as.figure.term;
        break;
    }
}

/* Gives the shard's block back to be filled again, and waits for its next one. */
static void next_block(sim_writer *writer, uint32_t shard, cursor *at)
{
    if (at->block) {
        free(at->block->text);
        at->block->text = NULL;
        sim_queue_push(writer->shards[shard].empty, at->block);
    }
    at->block = sim_queue_pop(writer->shards[shard].output);
    at->position = 0;
    at->watermark = at->block->watermark;
}

void *sim_writer_run(void *argument)
{
    sim_writer *writer = argument;
    cursor *cursors = writer->cursors;
    for (uint32_t s = 0; s < writer->shard_count; s++) next_block(writer, s, &cursors[s]);
    for (;;) {
        /* The shard whose next record, or the watermark of what it has not handed over
         * yet, comes first; a record before a watermark of the same key (which cannot
         * be another shard's record: keys are unique). */
        uint32_t first = UINT32_MAX;
        const sim_key *first_key = NULL;
        bool first_is_record = false;
        for (uint32_t s = 0; s < writer->shard_count; s++) {
            cursor *at = &cursors[s];
            if (at->done) continue;
            bool is_record = at->position < at->block->count;
            const sim_key *key = is_record ? &at->block->records[at->position].key : &at->watermark;
            if (!first_key || sim_key_before(key, first_key) ||
                (is_record && !first_is_record && !sim_key_before(first_key, key))) {
                first = s;
                first_key = key;
                first_is_record = is_record;
            }
        }
        if (first == UINT32_MAX) break;
        cursor *at = &cursors[first];
        if (at->position < at->block->count) {
            take(writer, first, at->block, &at->block->records[at->position++]);
        } else if (at->block->last) {
            at->done = true;
            free(at->block->text);
            at->block->text = NULL;
            sim_queue_push(writer->shards[first].empty, at->block);
            at->block = NULL;
        } else {
            next_block(writer, first, at);
        }
    }
    return NULL;
}
