/* run_engine.c: the VM of journey run and its state database kept in step: restore,
 * replay, apply with journal and action records, checkpoint (run_engine.h). */
#include "run_engine.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action_record.h"
#include "contact_view.h"

struct captured_action {
    char *key, *contact, *journey; /* in text */
    const char *type;
    int64_t at;
    char *record;                  /* the JSON object, no line break */
    size_t record_length;
    char *text;                    /* holds the strings above */
};

static bool engine_fail(run_engine *engine, const char *format, ...) __attribute__((format(printf, 2, 3)));
static bool engine_fail(run_engine *engine, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(engine->error, sizeof engine->error, format, arguments);
    va_end(arguments);
    return false;
}

/* ---- capturing actions ------------------------------------------------------------------ */

static char *copy_into(char **cursor, const char *text)
{
    if (!text) return NULL;
    size_t length = strlen(text) + 1;
    char *copy = memcpy(*cursor, text, length);
    *cursor += length;
    return copy;
}

static void capture_action(void *user, const jr_action *action)
{
    static const char *const types[] = { "send", "set", "audience", "emit", "track" };
    run_engine *engine = user;
    if (engine->capture_failed) return;
    if (engine->captured_count == engine->captured_capacity) {
        uint32_t capacity = engine->captured_capacity ? engine->captured_capacity * 2 : 16;
        captured_action *grown = realloc(engine->captured, capacity * sizeof *grown);
        if (!grown) {
            engine->capture_failed = true;
            return;
        }
        engine->captured = grown;
        engine->captured_capacity = capacity;
    }
    char *record = NULL;
    size_t record_length = 0;
    FILE *out = open_memstream(&record, &record_length);
    if (!out) {
        engine->capture_failed = true;
        return;
    }
    action_record_write(out, action);
    bool written = fclose(out) == 0 && record_length > 0;
    size_t texts = strlen(action->key) + 1 + strlen(action->contact_id) + 1 +
                   (action->journey ? strlen(action->journey) + 1 : 0);
    char *text = written ? malloc(texts) : NULL;
    if (!text) {
        free(record);
        engine->capture_failed = true;
        return;
    }
    record[--record_length] = '\0'; /* the line break */
    char *cursor = text;
    captured_action *captured = &engine->captured[engine->captured_count++];
    *captured = (captured_action){
        .key = copy_into(&cursor, action->key),
        .contact = copy_into(&cursor, action->contact_id),
        .journey = copy_into(&cursor, action->journey),
        .type = types[action->kind],
        .at = action->at,
        .record = record,
        .record_length = record_length,
        .text = text,
    };
}

static void forget_captured(run_engine *engine)
{
    for (uint32_t i = 0; i < engine->captured_count; i++) {
        free(engine->captured[i].record);
        free(engine->captured[i].text);
    }
    engine->captured_count = 0;
    engine->capture_failed = false;
}

/* Records the actions the latest entry produced, under that entry's sequence number.
 * On a replay every one must already be recorded, identically. */
static bool record_captured(run_engine *engine, int64_t seq, bool replaying)
{
    bool ok = !engine->capture_failed || engine_fail(engine, "out of memory keeping the actions");
    for (uint32_t i = 0; ok && engine->state && i < engine->captured_count; i++) {
        const captured_action *action = &engine->captured[i];
        action_record_result result;
        if (!run_state_record_action(engine->state, action->key, action->contact, action->journey, action->type,
                                     action->at, action->record, action->record_length, seq, &result)) {
            ok = engine_fail(engine, "%s", run_state_error(engine->state));
        } else if (result == ACTION_CONFLICT) {
            ok = engine_fail(engine,
                             "action %s came out differently from the one recorded for it: the program is not "
                             "deterministic here (does it call a native function?); the state cannot be replayed",
                             action->key);
        } else if (result == ACTION_SAME && !replaying) {
            engine->duplicates_recorded++;
        }
        engine->actions_made++;
    }
    forget_captured(engine);
    return ok;
}

/* ---- replaying the journal ---------------------------------------------------------------- */

static bool replay_entry(void *user, int64_t seq, journal_kind kind, int64_t at, const char *body, size_t length,
                         char *reason, size_t reason_size)
{
    run_engine *engine = user;
    jr_error error = { 0 };
    jr_status status = kind == JOURNAL_EVENT ? jr_vm_post_json(engine->vm, body, length, &error)
                                             : jr_vm_advance(engine->vm, at, &error);
    /* A journalled event was applied once; refusing it now means another VM. */
    if (status != JR_OK) {
        forget_captured(engine);
        snprintf(reason, reason_size, "replaying it failed: %s", error.message);
        return false;
    }
    engine->journal_seq = seq;
    engine->replayed++;
    if (!record_captured(engine, seq, true)) {
        snprintf(reason, reason_size, "%s", engine->error);
        return false;
    }
    return true;
}

bool run_engine_open(run_engine *engine, const jr_program *program, const jr_config *config, run_state *state,
                     run_state *replay_from)
{
    *engine = (run_engine){ .program = program, .state = state };
    run_state *database = state ? state : replay_from;
    jr_config vm_config = config ? *config : (jr_config){ 0 };
    vm_config.on_action = capture_action;
    vm_config.action_user = engine;

    void *snapshot = NULL;
    size_t length = 0;
    bool found = false;
    if (!run_state_checkpoint(database, &snapshot, &length, &engine->checkpoint_seq, &found))
        return engine_fail(engine, "%s", run_state_error(database));
    jr_error error = { 0 };
    jr_status status = found ? jr_vm_restore(program, &vm_config, snapshot, length, &engine->vm, &error)
                             : jr_vm_new(program, &vm_config, &engine->vm, &error);
    free(snapshot);
    if (status != JR_OK) return engine_fail(engine, "%s the VM: %s", found ? "restoring" : "making", error.message);
    engine->journal_seq = engine->checkpoint_seq;

    /* The replay writes (actions that were not recorded) only in a transaction. */
    if (state && !run_state_begin(state)) return engine_fail(engine, "%s", run_state_error(state));
    engine->replaying = true;
    bool replayed = run_state_each_journal(database, engine->checkpoint_seq, replay_entry, engine);
    engine->replaying = false;
    if (!replayed) {
        if (state) run_state_rollback(state);
        return engine_fail(engine, "%s", run_state_error(database));
    }
    if (state && !run_state_commit(state)) return engine_fail(engine, "%s", run_state_error(state));
    return true;
}

void run_engine_close(run_engine *engine)
{
    forget_captured(engine);
    free(engine->captured);
    jr_vm_free(engine->vm);
    engine->vm = NULL;
}

/* ---- applying ---------------------------------------------------------------------------------- */

static engine_result after_apply(run_engine *engine, jr_status status, const jr_error *error, journal_kind kind,
                                 int64_t at, const char *source, const char *body, size_t length)
{
    if (status == JR_ERROR_EVENT || status == JR_ERROR_ARGUMENT) {
        forget_captured(engine);
        engine_fail(engine, "%s", error->message);
        return ENGINE_REFUSED;
    }
    if (status == JR_ERROR_LIMIT) {
        /* Timers fired before the refused event or timer may have changed the VM: the
         * caller rolls the batch back and stops, and the next start replays the journal. */
        forget_captured(engine);
        engine_fail(engine, "%s", error->message);
        return ENGINE_LIMIT;
    }
    if (status != JR_OK) {
        forget_captured(engine);
        engine_fail(engine, "%s", error->message);
        return ENGINE_FAILED;
    }
    int64_t seq;
    if (!run_state_append_journal(engine->state, kind, at, source, body, length, &seq)) {
        forget_captured(engine);
        engine_fail(engine, "%s", run_state_error(engine->state));
        return ENGINE_FAILED;
    }
    /* A restart replays what comes after the checkpoint's entry: numbers must only grow
     * (the table is AUTOINCREMENT, so that emptying it at a checkpoint reuses none). */
    if (seq <= engine->journal_seq) {
        forget_captured(engine);
        engine_fail(engine, "the journal numbered an entry %" PRId64 " after %" PRId64 ": the state is damaged", seq,
                    engine->journal_seq);
        return ENGINE_FAILED;
    }
    engine->journal_seq = seq;
    return record_captured(engine, seq, false) ? ENGINE_APPLIED : ENGINE_FAILED;
}

engine_result run_engine_apply_event(run_engine *engine, const char *line, size_t length, const char *source)
{
    jr_error error = { 0 };
    jr_status status = jr_vm_post_json(engine->vm, line, length, &error);
    return after_apply(engine, status, &error, JOURNAL_EVENT, jr_vm_clock(engine->vm), source, line, length);
}

engine_result run_engine_advance(run_engine *engine, int64_t until)
{
    jr_error error = { 0 };
    jr_status status = jr_vm_advance(engine->vm, until, &error);
    return after_apply(engine, status, &error, JOURNAL_ADVANCE, until, "clock", NULL, 0);
}

/* ---- checkpoints ---------------------------------------------------------------------------------- */

typedef struct byte_buffer {
    unsigned char *bytes;
    size_t length, capacity;
} byte_buffer;

static bool append_bytes(void *user, const void *bytes, size_t length)
{
    byte_buffer *buffer = user;
    if (buffer->length + length > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity : 1 << 16;
        while (capacity < buffer->length + length) capacity *= 2;
        unsigned char *grown = realloc(buffer->bytes, capacity);
        if (!grown) return false;
        buffer->bytes = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->bytes + buffer->length, bytes, length);
    buffer->length += length;
    return true;
}

static bool write_contacts(run_engine *engine, int64_t now)
{
    jr_vm_stats stats;
    jr_vm_stats_get(engine->vm, &stats);
    if (!run_state_clear_contacts(engine->state)) return engine_fail(engine, "%s", run_state_error(engine->state));
    char *json = NULL;
    size_t length = 0;
    bool ok = true;
    for (uint64_t contact = 0; ok && contact < stats.contacts; contact++) {
        FILE *out = open_memstream(&json, &length);
        if (!out) return engine_fail(engine, "out of memory");
        jr_error error = { 0 };
        bool written = contact_view_json(engine->vm, engine->program, (uint32_t)contact, out, &error);
        if (fclose(out) != 0 || !written) ok = engine_fail(engine, "describing a contact: %s", error.message);
        else if (!run_state_put_contact(engine->state, jr_vm_contact_id(engine->vm, (uint32_t)contact, NULL), json,
                                        length, now))
            ok = engine_fail(engine, "%s", run_state_error(engine->state));
        free(json);
        json = NULL;
    }
    return ok;
}

bool run_engine_checkpoint(run_engine *engine, int64_t now)
{
    byte_buffer snapshot = { 0 };
    jr_error error = { 0 };
    if (jr_vm_snapshot(engine->vm, append_bytes, &snapshot, &error) != JR_OK) {
        free(snapshot.bytes);
        return engine_fail(engine, "snapshot: %s", error.message);
    }
    bool ok = run_state_save_checkpoint(engine->state, snapshot.bytes, snapshot.length, engine->journal_seq,
                                        jr_vm_clock(engine->vm), now) ||
              engine_fail(engine, "%s", run_state_error(engine->state));
    free(snapshot.bytes);
    if (ok) engine->checkpoint_seq = engine->journal_seq;
    return ok && write_contacts(engine, now);
}
