/* run_engine.h: a VM kept in step with journey run's state database. Opening one
 * restores the latest checkpoint and replays the journal after it, so the VM is exactly
 * where the last committed batch left it. Inside a batch (a transaction the caller
 * opens and commits), each event or clock advance is applied, journalled, and the
 * actions it produced recorded under their idempotency keys; replaying an entry must
 * produce the very actions recorded for it, or the engine stops (the program is not
 * deterministic there). */
#ifndef JOURNEY_RUN_ENGINE_H
#define JOURNEY_RUN_ENGINE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "journey.h"
#include "run_state.h"

typedef struct captured_action captured_action;

typedef struct run_engine {
    const jr_program *program;
    jr_vm *vm;
    run_state *state;      /* NULL: read-only (journey inspect): actions are not recorded */
    int64_t journal_seq;   /* the latest journal entry applied */
    int64_t checkpoint_seq;
    uint64_t replayed;     /* journal entries replayed when it opened */
    bool replaying;        /* while it opens: what happens now happened before */
    uint64_t actions_made, duplicates_recorded;
    /* the actions of the entry being applied */
    captured_action *captured;
    uint32_t captured_count, captured_capacity;
    bool capture_failed;
    char error[512];
} run_engine;

/* Restores and replays. config's on_action is the engine's own; config may set the
 * rest (memory limit, on_error). With state NULL, replays from `replay_from`, a
 * connection used only to read (journey inspect). False with engine->error. */
bool run_engine_open(run_engine *engine, const jr_program *program, const jr_config *config, run_state *state,
                     run_state *replay_from);
void run_engine_close(run_engine *engine);

typedef enum engine_result {
    ENGINE_APPLIED,   /* applied, journalled, its actions recorded */
    ENGINE_REFUSED,   /* a malformed event: nothing changed (engine->error says why) */
    ENGINE_LIMIT,     /* the memory limit was reached: like ENGINE_FAILED */
    ENGINE_FAILED,    /* the VM or the database failed: the VM may be ahead of the
                         database, so the batch must be rolled back and the engine not
                         used again (a new start replays the journal) */
} engine_result;

/* Inside a transaction. source names where the event came from ("events.jsonl:12",
 * "http"), for the journal. */
engine_result run_engine_apply_event(run_engine *engine, const char *line, size_t length, const char *source);
engine_result run_engine_advance(run_engine *engine, int64_t until);
/* Inside a transaction: snapshot into the checkpoint, trim the journal, rewrite the
 * readable contacts table. */
bool run_engine_checkpoint(run_engine *engine, int64_t now);

#endif
