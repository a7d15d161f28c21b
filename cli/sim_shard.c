/* sim_shard.c: a shard of journey sim --threads (sim_shard.h): a VM applying the events
 * of its contacts, and the key of everything it makes (sim_record.h). */
#include "sim_shard.h"

#include <stdlib.h>
#include <string.h>

#include "action_record.h"
#include "sim_batch.h"

/* The run-time errors a VM keeps (journey.h: the first 1000). */
enum { KEPT_ERRORS = 1000 };

/* Takes an empty block to fill, and opens its text; without memory for the text, the
 * block only carries the watermark (shard->out_of_memory says the run failed). */
static void start_block(sim_shard *shard)
{
    shard->block = sim_queue_pop(shard->empty);
    shard->block->count = 0;
    shard->block->text = NULL;
    shard->block->text_length = 0;
    shard->block->last = false;
    shard->text = open_memstream(&shard->block->text, &shard->block->text_length);
    if (!shard->text) shard->out_of_memory = true;
}

/* Hands the block over with its watermark and starts the next (unless it is the last). */
static void hand_over(sim_shard *shard, sim_key watermark, bool last)
{
    sim_block *block = shard->block;
    if (shard->text && fclose(shard->text) != 0) {
        shard->out_of_memory = true;
        block->count = 0;
    }
    if (!shard->text) block->count = 0; /* its actions have no text */
    shard->text = NULL;
    block->watermark = watermark;
    block->last = last;
    sim_queue_push(shard->output, block);
    shard->block = NULL;
    if (!last) start_block(shard);
}

/* The contact's key order: the index of the event that made it. */
static uint64_t contact_order(sim_shard *shard, const char *contact_id)
{
    if (contact_id == shard->cached_contact) return shard->cached_order;
    uint32_t contact;
    if (!contact_id || !jr_vm_contact_find(shard->vm, contact_id, strlen(contact_id), &contact) ||
        contact >= shard->contact_count)
        return UINT64_MAX; /* not a contact of an event: cannot happen */
    shard->cached_contact = contact_id;
    shard->cached_order = shard->first_event[contact];
    return shard->cached_order;
}

/* The key of a record being made now: the event's, or, while timers fire, the timer's. */
static sim_key current_key(sim_shard *shard, const char *contact_id, uint32_t contact)
{
    if (shard->in_event) return shard->event_key;
    uint64_t order = contact_id ? contact_order(shard, contact_id)
                     : contact < shard->contact_count ? shard->first_event[contact]
                                                      : UINT64_MAX;
    return (sim_key){ jr_vm_clock(shard->vm), SIM_PHASE_TIMER, order };
}

/* Room for one more record; NULL when memory ran out. */
static sim_record *next_record(sim_shard *shard, sim_key key)
{
    sim_block *block = shard->block;
    if (shard->text && (block->count == SIM_BLOCK_RECORDS || (size_t)ftell(shard->text) >= SIM_BLOCK_TEXT)) {
        /* Everything after this comes at or after the key of the last record. */
        hand_over(shard, block->records[block->count - 1].key, false);
        block = shard->block;
    }
    if (!shard->text) return NULL;
    if (block->count == block->capacity) {
        uint32_t capacity = block->capacity ? block->capacity * 2 : 64;
        sim_record *grown = realloc(block->records, sizeof *grown * capacity);
        if (!grown) {
            shard->out_of_memory = true;
            return NULL;
        }
        block->records = grown;
        block->capacity = capacity;
    }
    sim_record *record = &block->records[block->count++];
    record->key = key;
    return record;
}

static void take_action(void *user, const jr_action *action)
{
    sim_shard *shard = user;
    sim_record *record = next_record(shard, current_key(shard, action->contact_id, 0));
    if (!record) return;
    long offset = ftell(shard->text);
    action_record_write(shard->text, action);
    record->kind = SIM_RECORD_ACTION;
    record->as.action.offset = (size_t)offset;
    record->as.action.length = (size_t)(ftell(shard->text) - offset);
    record->as.action.kind = action->kind;
    record->as.action.outcome = action->outcome;
    record->as.action.at = action->at;
    record->as.action.channel = action->channel;
}

static void take_error(void *user, const jr_runtime_error *error)
{
    sim_shard *shard = user;
    if (shard->errors_told >= KEPT_ERRORS) return;
    sim_record *record = next_record(shard, current_key(shard, error->contact_id, 0));
    if (!record) return;
    record->kind = SIM_RECORD_ERROR;
    record->as.error = shard->errors_told++;
}

static void take_figure(void *user, jr_figure figure, uint32_t index, uint32_t contact, double term)
{
    sim_shard *shard = user;
    sim_record *record = next_record(shard, current_key(shard, NULL, contact));
    if (!record) return;
    record->kind = SIM_RECORD_FIGURE;
    record->as.figure.figure = figure;
    record->as.figure.index = index;
    record->as.figure.term = term;
}

bool sim_shard_init(sim_shard *shard, const jr_program *program, bool attribution, uint32_t blocks,
                    atomic_bool *stop, jr_error *error)
{
    shard->stop = stop;
    jr_config config = { .on_action = take_action,
                         .action_user = shard,
                         .attribution = attribution,
                         .on_error = take_error,
                         .error_user = shard };
    if (jr_vm_new(program, &config, &shard->vm, error) != JR_OK) return false;
    jr_vm_on_figure(shard->vm, take_figure, shard);
    if (!(shard->empty = sim_queue_new(blocks))) goto out_of_memory;
    for (; shard->block_count < blocks; shard->block_count++) {
        sim_block *block = calloc(1, sizeof *block);
        if (!block) goto out_of_memory;
        sim_queue_push(shard->empty, block);
    }
    start_block(shard);
    return true;

out_of_memory:
    snprintf(error->message, sizeof error->message, "out of memory");
    error->status = JR_ERROR_MEMORY;
    return false;
}

static void free_block(sim_block *block)
{
    free(block->text);
    free(block->records);
    free(block);
}

void sim_shard_release(sim_shard *shard)
{
    if (shard->text) fclose(shard->text);
    shard->text = NULL;
    if (shard->block) free_block(shard->block);
    shard->block = NULL;
    /* The blocks are back, or (when the writer never ran) still on their way. */
    for (sim_queue *queue = shard->empty; queue; queue = queue == shard->empty ? shard->output : NULL) {
        sim_block *block;
        while ((block = sim_queue_try_pop(queue))) free_block(block);
    }
    sim_queue_free(shard->empty);
    shard->empty = NULL;
    free(shard->first_event);
    shard->first_event = NULL;
}

static void fail(sim_shard *shard, const jr_error *error, const sim_posting *posting)
{
    shard->failed = true;
    shard->failure = *error;
    shard->failed_event = posting->index;
    shard->failed_path = posting->path;
    shard->failed_line = posting->event.line;
    atomic_store(shard->stop, true);
}

/* Remembers which event made the VM's newest contact, if this one did; false when out
 * of memory. */
static bool note_new_contact(sim_shard *shard, uint64_t index)
{
    jr_vm_stats stats;
    jr_vm_stats_get(shard->vm, &stats);
    if (stats.contacts == shard->contact_count) return true;
    if (shard->contact_count == shard->contact_capacity) {
        uint32_t capacity = shard->contact_capacity ? shard->contact_capacity * 2 : 4096;
        uint64_t *grown = realloc(shard->first_event, sizeof *grown * capacity);
        if (!grown) return false;
        shard->first_event = grown;
        shard->contact_capacity = capacity;
    }
    shard->first_event[shard->contact_count++] = index;
    return true;
}

/* Fires the timers due up to the clock one VM had at this event (they come before it),
 * then applies it. */
static void apply(sim_shard *shard, const sim_posting *posting)
{
    jr_error error;
    shard->in_event = false;
    if (jr_vm_advance(shard->vm, posting->clock, &error) != JR_OK) {
        fail(shard, &error, posting);
        return;
    }
    shard->in_event = true;
    shard->event_key = (sim_key){ posting->clock, SIM_PHASE_EVENT, posting->index };
    jr_status status = jr_vm_post(shard->vm, &posting->event, &error);
    shard->in_event = false;
    if (status != JR_OK) {
        fail(shard, &error, posting);
    } else if (!note_new_contact(shard, posting->index)) {
        jr_error memory = { .status = JR_ERROR_MEMORY, .message = "out of memory" };
        fail(shard, &memory, posting);
    }
}

/* Fires the timers due up to until (their records are keyed by timer). */
static bool advance(sim_shard *shard, int64_t until)
{
    shard->in_event = false;
    return jr_vm_advance(shard->vm, until, &shard->failure) == JR_OK;
}

void *sim_shard_run(void *argument)
{
    sim_shard *shard = argument;
    for (;;) {
        sim_batch *batch = sim_queue_pop(shard->input);
        for (uint32_t i = 0; i < batch->count && !shard->failed; i++) apply(shard, &batch->postings[i]);
        /* A VM that ran out of memory may have lost work: it does nothing more. One that
         * refused an event (out of range) stops there, as one VM stops the run, after the
         * timers one VM had fired by then. */
        bool usable = !shard->failed || shard->failure.status != JR_ERROR_MEMORY;
        if (usable && !advance(shard, batch->clock) && !shard->failed) {
            shard->failed = true;
            shard->failed_event = batch->read;
            atomic_store(shard->stop, true);
        }
        bool last = batch->last;
        if (last && batch->to_horizon && !shard->failed && !advance(shard, batch->horizon))
            shard->horizon_failed = true;
        hand_over(shard, (sim_key){ batch->clock, SIM_PHASE_EVENT, batch->read }, last);
        sim_batch_free(batch);
        if (last) return NULL;
    }
}
