/* run_state.h: journey run's state database (SQLite in WAL mode; spec/run.md gives the
 * schema). The VM's state is a checkpoint (a snapshot, spec/snapshot.md) plus a journal
 * of what was applied since, events and clock advances, in order: replaying the journal
 * on the checkpoint rebuilds the VM exactly, since the VM is deterministic. Each batch
 * appends to the journal, records the actions it produced and moves the input
 * positions in one transaction. One run_state is one connection, for one thread. */
#ifndef JOURNEY_RUN_STATE_H
#define JOURNEY_RUN_STATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct run_state run_state;

/* Opens the database at path; creates it (and its tables) when create is set. Either
 * way NULL with message when it cannot; else the connection. */
run_state *run_state_open(const char *path, bool create, char *message, size_t size);
void run_state_close(run_state *state);
/* The reason the latest call returned false. */
const char *run_state_error(const run_state *state);

bool run_state_begin(run_state *state);
bool run_state_commit(run_state *state);
void run_state_rollback(run_state *state);

/* ---- the program --------------------------------------------------------------------- */

/* The first run stores the bytecode it runs; later runs must bring the same bytes (by
 * their CRC-32), since a checkpoint belongs to one program. *same is false when the
 * stored program differs (nothing is changed then). */
bool run_state_bind_program(run_state *state, const void *bytecode, size_t length, const char *name, bool *same);
/* The stored bytecode (malloc'ed; the caller frees it) and the name it was run as;
 * *found false when none is stored. */
bool run_state_program(run_state *state, void **bytecode, size_t *length, char *name, size_t name_size, bool *found);

/* ---- checkpoint and journal ------------------------------------------------------------ */

/* The latest checkpoint (malloc'ed bytes) and the journal sequence it includes; *found
 * false when there is none (the VM starts new). */
bool run_state_checkpoint(run_state *state, void **snapshot, size_t *length, int64_t *journal_seq, bool *found);
/* Inside a transaction: replaces the checkpoint and drops the journal it includes. */
bool run_state_save_checkpoint(run_state *state, const void *snapshot, size_t length, int64_t journal_seq,
                               int64_t clock, int64_t now);
/* Inside a transaction: the readable copy of one contact's state (JSON) as of the
 * checkpoint; run_state_clear_contacts first empties the table. */
bool run_state_clear_contacts(run_state *state);
bool run_state_put_contact(run_state *state, const char *id, const char *json, size_t length, int64_t as_of);

typedef enum journal_kind { JOURNAL_EVENT = 'e', JOURNAL_ADVANCE = 'a' } journal_kind;

/* Inside a transaction: appends an event (its JSON line, where it came from) or a clock
 * advance (to `at`); *seq is its sequence number. */
bool run_state_append_journal(run_state *state, journal_kind kind, int64_t at, const char *source,
                              const char *body, size_t length, int64_t *seq);
/* Every journal entry after `after`, in order; fn returns false to stop (the call then
 * returns false and run_state_error says what fn put in reason). */
typedef bool (*journal_fn)(void *user, int64_t seq, journal_kind kind, int64_t at, const char *body, size_t length,
                           char *reason, size_t reason_size);
bool run_state_each_journal(run_state *state, int64_t after, journal_fn fn, void *user);
/* How many journal entries there are, and the latest sequence (0 when empty). */
bool run_state_journal_size(run_state *state, int64_t *count, int64_t *latest);

/* ---- inputs ------------------------------------------------------------------------------ */

/* Where reading a file stopped: the byte after the last line applied, its line number,
 * and the file's identity (device and inode), so that a replaced file is noticed. */
typedef struct input_position {
    uint64_t offset;
    uint64_t line;
    char identity[64];
} input_position;

bool run_state_input(run_state *state, const char *source, input_position *position, bool *found);
/* Inside a transaction. */
bool run_state_set_input(run_state *state, const char *source, const input_position *position, int64_t now);

/* ---- actions --------------------------------------------------------------------------- */

typedef enum action_record_result {
    ACTION_NEW,      /* recorded */
    ACTION_SAME,     /* already recorded, the same record (a journal replayed) */
    ACTION_CONFLICT, /* already recorded with another record: the program is not
                        deterministic here (a native function, most likely) */
} action_record_result;

/* Inside a transaction: records an action produced by journal entry journal_seq. */
bool run_state_record_action(run_state *state, const char *key, const char *contact, const char *journey,
                             const char *type, int64_t at, const char *record, size_t length, int64_t journal_seq,
                             action_record_result *result);

typedef struct pending_action {
    int64_t seq;
    char *key;
    char *record;
    size_t length;
    uint32_t attempts;
} pending_action;

/* Up to limit undelivered actions that are due (`at` and any retry time passed), in the
 * order they were made; free them with run_state_free_pending. */
bool run_state_due_actions(run_state *state, int64_t now, uint32_t limit, pending_action **actions,
                           uint32_t *count);
void run_state_free_pending(pending_action *actions, uint32_t count);
/* When the next undelivered action falls due; *found false when none is waiting. */
bool run_state_next_due(run_state *state, int64_t *at, bool *found);
/* How many actions are neither delivered nor dead; and of them, how many are due by
 * `at` (delivered late, or waiting for a retry) at now. */
bool run_state_undelivered(run_state *state, int64_t now, int64_t *count, int64_t *due);

/* Inside a transaction: the outcome of a delivery attempt. */
bool run_state_mark_delivered(run_state *state, int64_t seq, int64_t now);
bool run_state_mark_retry(run_state *state, int64_t seq, uint32_t attempts, int64_t next_attempt, const char *error);
bool run_state_mark_dead(run_state *state, int64_t seq, uint32_t attempts, int64_t now, const char *error);

#endif
