/* sim_threads.c: journey sim --threads N: the contacts shared among N VMs on N threads,
 * with the output of one VM, byte for byte (spec/language.md 6.16).
 *
 * Why it can be done: a contact's state (attributes, scores, aggregates, segments,
 * limits, coroutines) is its own, and nothing one contact does changes another (6.1);
 * the only state across contacts is the clock and the messageIds seen.
 *
 * - The reader (this thread) merges the logs as one VM would read them and numbers
 *   every event (0, 1, ...). It keeps one VM's clock (the latest timestamp so far) and
 *   its messageIds: a repeat is dropped here, counted as one VM counts it. Each other
 *   event goes, with its number and that clock, to the shard of its contact (a hash of
 *   the id), in batches: every EPOCH_EVENTS events, every shard gets its batch, even an
 *   empty one, closed with how far the reader has got.
 * - A shard (sim_shard.c) applies its events after firing its timers due by then, and
 *   after each batch fires those due by the end of it. It gives everything it makes a
 *   key: made by event i applied at clock t, (t, event, i); by a timer due at d of the
 *   contact first seen at event c, (d, timer, c). One VM fires a timer before the first
 *   event whose clock reaches its due time, and timers due together contact by contact
 *   in first-seen order (6.2), so one VM's order is the order of the keys; and a shard,
 *   seeing its contacts in the same relative order, makes its records in key order.
 * - The writer (sim_writer.c) merges the shards' records by key: the actions, the first
 *   run-time errors, and the terms of the floating-point figures, added up in one VM's
 *   order so that the sums have the same bits.
 * Queues between the threads are bounded: the reader runs at most INPUT_BATCHES batches
 * ahead of a shard, a shard at most OUTPUT_BLOCKS blocks ahead of the writer. */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "event_merge.h"
#include "sim_batch.h"
#include "sim_dedup.h"
#include "sim_run.h"
#include "sim_shard.h"
#include "sim_writer.h"

enum { EPOCH_EVENTS = 8192, INPUT_BATCHES = 4, OUTPUT_BLOCKS = 4 };

/* Instants a VM accepts (journey.h, jr_vm_advance): an event beyond them is refused. */
#define MAX_INSTANT ((int64_t)1 << 53)

typedef struct router {
    sim_shard *shards;
    uint32_t shard_count;
    sim_batch **batches;   /* being filled, per shard */
    uint64_t read;         /* events read */
    uint32_t in_epoch;     /* of them since the batches were last handed over */
    int64_t clock;         /* one VM's clock */
    sim_dedup *seen;
    jr_vm_stats dropped;   /* repeated messageIds: duplicates, out of order, type mismatches */
    atomic_bool stop;      /* a shard failed */
    bool out_of_memory;
} router;

/* The shard of an event's contact: a hash of its id (FNV-1a, as for messageIds), its
 * bits mixed (the finaliser of MurmurHash3) so that short ids spread too. */
static uint32_t shard_of(const router *r, const jr_event *event)
{
    uint64_t hash = jr_message_id_hash(event->contact_id ? event->contact_id : "", event->contact_id_length);
    hash ^= hash >> 33;
    hash *= 0xff51afd7ed558ccdull;
    hash ^= hash >> 33;
    return (uint32_t)(hash % r->shard_count);
}

/* Hands every shard its batch, closed with how far the reader has got. */
static void hand_over_batches(router *r, bool last, bool to_horizon, int64_t horizon)
{
    r->in_epoch = 0;
    for (uint32_t s = 0; s < r->shard_count; s++) {
        /* The next batch first: without one, the shards go on with the ones they have
         * (the run stops, out of memory), and every shard always has a batch for the
         * last hand-over. */
        sim_batch *next = last ? NULL : sim_batch_new();
        if (!last && !next) {
            r->out_of_memory = true;
            return;
        }
        sim_batch *batch = r->batches[s];
        batch->read = r->read;
        batch->clock = r->clock;
        batch->last = last;
        batch->to_horizon = to_horizon;
        batch->horizon = horizon;
        sim_queue_push(r->shards[s].input, batch);
        r->batches[s] = next;
    }
}

/* One event read: what one VM does before it applies it (spec/language.md 6.2, and
 * jr_vm_post), then on to its shard. */
static bool route(void *user, const jr_event *event, const char *path)
{
    router *r = user;
    if (atomic_load_explicit(&r->stop, memory_order_relaxed) || r->out_of_memory) return false;
    uint64_t index = r->read++;
    bool in_range = event->timestamp <= MAX_INSTANT && event->timestamp >= -MAX_INSTANT;
    if (in_range) {
        bool late = event->timestamp < r->clock;
        if (!late) r->clock = event->timestamp;
        if (event->message_id_length &&
            !sim_dedup_first_sight(r->seen, event->message_id, event->message_id_length, &r->out_of_memory)) {
            r->dropped.duplicates++;
            r->dropped.out_of_order += late;
            r->dropped.type_mismatches += event->type_mismatches;
            if (++r->in_epoch == EPOCH_EVENTS) hand_over_batches(r, false, false, 0);
            return !r->out_of_memory;
        }
    }
    if (!sim_batch_add(r->batches[shard_of(r, event)], event, index, r->clock, path)) r->out_of_memory = true;
    /* A VM refuses an event out of range, and the run stops there: its shard's VM
     * refuses it and says why; nothing after it is read. */
    if (!in_range) return false;
    if (++r->in_epoch == EPOCH_EVENTS) hand_over_batches(r, false, false, 0);
    return !r->out_of_memory;
}

/* The shards and their queues; false when out of memory (what was made is freed by
 * free_shards). */
static bool make_shards(router *r, const sim_setup *setup, jr_error *error)
{
    r->shards = calloc(setup->threads, sizeof *r->shards);
    r->batches = calloc(setup->threads, sizeof *r->batches);
    if (!r->shards || !r->batches) return false;
    r->shard_count = setup->threads;
    for (uint32_t s = 0; s < r->shard_count; s++) {
        sim_shard *shard = &r->shards[s];
        shard->input = sim_queue_new(INPUT_BATCHES);
        shard->output = sim_queue_new(OUTPUT_BLOCKS);
        r->batches[s] = sim_batch_new();
        if (!shard->input || !shard->output || !r->batches[s]) return false;
        /* Blocks: as many as the output queue holds, one at the writer, one filling. */
        if (!sim_shard_init(shard, setup->program, setup->attribution, OUTPUT_BLOCKS + 2, &r->stop, error)) return false;
    }
    return true;
}

/* Frees the shards but the VMs, which go to the outcome. */
static void free_shards(router *r, sim_outcome *outcome)
{
    for (uint32_t s = 0; r->shards && s < r->shard_count; s++) {
        sim_shard *shard = &r->shards[s];
        sim_shard_release(shard);
        if (shard->vm) outcome->vms[outcome->vm_count++] = shard->vm;
        sim_queue_free(shard->input);
        sim_queue_free(shard->output);
        if (r->batches) sim_batch_free(r->batches[s]);
    }
    free(r->shards);
    free(r->batches);
    sim_dedup_free(r->seen);
}

/* The figures of the run: the shards' counts added up, the repeats the reader dropped,
 * the floating-point figures and the errors in one VM's order. */
static sim_totals *gather(const router *r, const sim_writer *writer)
{
    sim_totals *totals = sim_totals_read(r->shards[0].vm);
    if (!totals) return NULL;
    for (uint32_t s = 1; s < r->shard_count; s++) sim_totals_add(totals, r->shards[s].vm);
    totals->stats.duplicates += r->dropped.duplicates;
    totals->stats.out_of_order += r->dropped.out_of_order;
    totals->stats.type_mismatches += r->dropped.type_mismatches;
    for (int f = 0; f < JR_FIGURE_COUNT; f++)
        for (uint32_t i = 0; i < writer->figure_counts[f]; i++)
            sim_totals_set_figure(totals, (jr_figure)f, i, writer->figures[f][i]);
    jr_runtime_error *errors = calloc(writer->error_count + 1, sizeof *errors);
    uint32_t count = 0;
    for (uint32_t e = 0; errors && e < writer->error_count; e++) {
        const sim_error_pick *pick = &writer->errors[e];
        if (pick->error < jr_vm_error_count(r->shards[pick->shard].vm))
            jr_vm_error(r->shards[pick->shard].vm, pick->error, &errors[count++]);
    }
    bool kept = errors && sim_totals_set_errors(totals, errors, count);
    free(errors);
    if (kept) return totals;
    sim_totals_free(totals);
    return NULL;
}

/* What went wrong in the shards, as one VM would have said it: the event refused
 * first, or the horizon; 0 when nothing did. */
static int report_failures(const router *r)
{
    const sim_shard *first = NULL;
    for (uint32_t s = 0; s < r->shard_count; s++) {
        const sim_shard *shard = &r->shards[s];
        if (shard->failed && (!first || shard->failed_event < first->failed_event)) first = shard;
    }
    if (first) {
        if (first->failed_path)
            fprintf(stderr, "journey: %s:%" PRIu64 ": %s\n", first->failed_path, first->failed_line,
                    first->failure.message);
        else fprintf(stderr, "journey: %s\n", first->failure.message);
        return first->failure.status == JR_ERROR_MEMORY || !first->failed_path ? 70 : 1;
    }
    for (uint32_t s = 0; s < r->shard_count; s++) {
        if (!r->shards[s].horizon_failed) continue;
        fprintf(stderr, "journey: %s\n", r->shards[s].failure.message);
        return 70;
    }
    for (uint32_t s = 0; s < r->shard_count; s++) {
        if (!r->shards[s].out_of_memory) continue;
        fputs("journey: out of memory keeping the actions in order\n", stderr);
        return 70;
    }
    return 0;
}

int sim_run_threads(const sim_setup *setup, sim_outcome *outcome)
{
    *outcome = (sim_outcome){ .status = 0, .horizon = INT64_MIN };
    router r = { .seen = sim_dedup_new() };
    atomic_init(&r.stop, false);
    sim_writer writer = { 0 };
    jr_error error = { .message = "out of memory" };
    outcome->vms = calloc(setup->threads, sizeof *outcome->vms);
    bool ready = outcome->vms && r.seen && make_shards(&r, setup, &error) &&
                 sim_writer_init(&writer, r.shards, r.shard_count, setup->out, setup->days,
                                 jr_vm_journey_count(r.shards[0].vm), jr_vm_node_count(r.shards[0].vm));
    if (!ready) {
        fprintf(stderr, "journey: %s\n", error.message);
        sim_writer_release(&writer);
        free_shards(&r, outcome);
        return outcome->status = 70;
    }
    r.clock = jr_vm_clock(r.shards[0].vm);
    uint32_t started = 0;
    for (; started < r.shard_count; started++)
        if (pthread_create(&r.shards[started].thread, NULL, sim_shard_run, &r.shards[started]) != 0) break;
    bool writing = started == r.shard_count && pthread_create(&writer.thread, NULL, sim_writer_run, &writer) == 0;

    int status = 0;
    if (writing) {
        event_merge *merge = event_merge_new(jr_program_schema(setup->program), setup->logs, setup->log_count);
        sim_read(merge, setup->skip_bad, setup->show_progress, route, &r, &outcome->reading);
        event_merge_free(merge);
        if (outcome->reading.stopped) status = 1;
    } else {
        fputs("journey: cannot start the threads\n", stderr);
        status = 70;
    }
    /* The last batches: the shards fire what is due by the end of the log and, when the
     * run went well, up to the horizon (spec/language.md 6.2). */
    bool to_horizon = status == 0 && !r.out_of_memory && !atomic_load(&r.stop) &&
                      (setup->has_until || outcome->reading.last_event != INT64_MIN);
    if (to_horizon) outcome->horizon = sim_horizon(setup, outcome->reading.last_event, r.clock);
    hand_over_batches(&r, true, to_horizon, outcome->horizon);
    for (uint32_t s = 0; s < started; s++) pthread_join(r.shards[s].thread, NULL);
    if (writing) pthread_join(writer.thread, NULL);

    int failure = report_failures(&r);
    if (failure) status = failure;
    if (r.out_of_memory) {
        fputs("journey: out of memory reading the logs\n", stderr);
        status = 70;
    }
    outcome->days_out_of_memory = writer.days_out_of_memory;
    /* Every shard's VM ends at the same clock: one VM's. */
    if ((outcome->totals = gather(&r, &writer))) {
        outcome->totals->clock = jr_vm_clock(r.shards[0].vm);
    } else {
        fputs("journey: out of memory gathering the figures\n", stderr);
        status = 70;
    }
    sim_writer_release(&writer);
    free_shards(&r, outcome);
    return outcome->status = status;
}
