/* run_state.c: journey run's state database in SQLite (run_state.h; the schema is
 * spec/run.md section 3). WAL mode with synchronous=FULL: a committed batch survives a
 * crash of the process and of the machine, and readers (journey inspect, sqlite3) never
 * block the runner. Statements are prepared once per connection. */
#include "run_state.h"

#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "journey.h"

#define RUN_STATE_SCHEMA_VERSION 1

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta (\n"
    "    key   TEXT PRIMARY KEY,\n"
    "    value TEXT NOT NULL\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS program (\n"
    "    id          INTEGER PRIMARY KEY CHECK (id = 1),\n"
    "    name        TEXT NOT NULL,\n"
    "    crc32       INTEGER NOT NULL,\n"
    "    bytecode    BLOB NOT NULL,\n"
    "    stored_at   INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS checkpoint (\n"
    "    id          INTEGER PRIMARY KEY CHECK (id = 1),\n"
    "    journal_seq INTEGER NOT NULL,\n"
    "    clock       INTEGER NOT NULL,\n"
    "    taken_at    INTEGER NOT NULL,\n"
    "    snapshot    BLOB NOT NULL\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS journal (\n"
    "    seq    INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    kind   TEXT NOT NULL CHECK (kind IN ('event', 'advance')),\n"
    "    at     INTEGER NOT NULL,\n"
    "    source TEXT,\n"
    "    body   TEXT\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS inputs (\n"
    "    source     TEXT PRIMARY KEY,\n"
    "    offset     INTEGER NOT NULL,\n"
    "    line       INTEGER NOT NULL,\n"
    "    identity   TEXT NOT NULL,\n"
    "    updated_at INTEGER NOT NULL\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS actions (\n"
    "    seq          INTEGER PRIMARY KEY,\n"
    "    key          TEXT NOT NULL UNIQUE,\n"
    "    contact      TEXT NOT NULL,\n"
    "    journey      TEXT,\n"
    "    type         TEXT NOT NULL,\n"
    "    at           INTEGER NOT NULL,\n"
    "    record       TEXT NOT NULL,\n"
    "    journal_seq  INTEGER NOT NULL,\n"
    "    attempts     INTEGER NOT NULL DEFAULT 0,\n"
    "    next_attempt INTEGER,\n"
    "    last_error   TEXT,\n"
    "    delivered_at INTEGER,\n"
    "    dead_at      INTEGER\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS actions_undelivered ON actions (seq)\n"
    "    WHERE delivered_at IS NULL AND dead_at IS NULL;\n"
    "CREATE TABLE IF NOT EXISTS contacts (\n"
    "    id    TEXT PRIMARY KEY,\n"
    "    as_of INTEGER NOT NULL,\n"
    "    state TEXT NOT NULL\n"
    ") WITHOUT ROWID;\n";

/* Every statement, prepared when the connection opens. */
#define RUN_STATE_STATEMENTS(X)                                                                                 \
    X(begin, "BEGIN IMMEDIATE")                                                                                 \
    X(commit, "COMMIT")                                                                                         \
    X(rollback, "ROLLBACK")                                                                                     \
    X(program_get, "SELECT name, bytecode FROM program WHERE id = 1")                                           \
    X(program_put, "INSERT INTO program (id, name, crc32, bytecode, stored_at) VALUES (1, ?, ?, ?, ?)")         \
    X(checkpoint_get, "SELECT snapshot, journal_seq FROM checkpoint WHERE id = 1")                              \
    X(checkpoint_put, "INSERT OR REPLACE INTO checkpoint (id, journal_seq, clock, taken_at, snapshot) "         \
                      "VALUES (1, ?, ?, ?, ?)")                                                                 \
    X(journal_trim, "DELETE FROM journal WHERE seq <= ?")                                                       \
    X(journal_append, "INSERT INTO journal (kind, at, source, body) VALUES (?, ?, ?, ?)")                       \
    X(journal_each, "SELECT seq, kind, at, body FROM journal WHERE seq > ? ORDER BY seq")                       \
    X(journal_size, "SELECT count(*), coalesce(max(seq), 0) FROM journal")                                      \
    X(contacts_clear, "DELETE FROM contacts")                                                                   \
    X(contact_put, "INSERT OR REPLACE INTO contacts (id, as_of, state) VALUES (?, ?, ?)")                       \
    X(input_get, "SELECT offset, line, identity FROM inputs WHERE source = ?")                                  \
    X(input_put, "INSERT OR REPLACE INTO inputs (source, offset, line, identity, updated_at) "                  \
                 "VALUES (?, ?, ?, ?, ?)")                                                                      \
    X(action_get, "SELECT record FROM actions WHERE key = ?")                                                   \
    X(action_put, "INSERT INTO actions (key, contact, journey, type, at, record, journal_seq) "                 \
                  "VALUES (?, ?, ?, ?, ?, ?, ?)")                                                               \
    X(actions_due, "SELECT seq, key, record, attempts FROM actions "                                            \
                   "WHERE delivered_at IS NULL AND dead_at IS NULL AND at <= ?1 "                               \
                   "AND coalesce(next_attempt, 0) <= ?1 ORDER BY seq LIMIT ?2")                                 \
    X(actions_next, "SELECT min(max(at, coalesce(next_attempt, 0))) FROM actions "                              \
                    "WHERE delivered_at IS NULL AND dead_at IS NULL")                                           \
    X(actions_undelivered, "SELECT count(*), coalesce(sum(at <= ?), 0) FROM actions "                          \
                           "WHERE delivered_at IS NULL AND dead_at IS NULL")                                   \
    X(action_delivered, "UPDATE actions SET delivered_at = ?2, attempts = attempts + 1, last_error = NULL "     \
                        "WHERE seq = ?1")                                                                       \
    X(action_retry, "UPDATE actions SET attempts = ?2, next_attempt = ?3, last_error = ?4 WHERE seq = ?1")      \
    X(action_dead, "UPDATE actions SET attempts = ?2, dead_at = ?3, last_error = ?4 WHERE seq = ?1")

struct run_state {
    sqlite3 *db;
    char error[512];
#define DECLARE(NAME, SQL) sqlite3_stmt *NAME;
    RUN_STATE_STATEMENTS(DECLARE)
#undef DECLARE
};

static bool fail(run_state *state, const char *format, ...) __attribute__((format(printf, 2, 3)));
static bool fail(run_state *state, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(state->error, sizeof state->error, format, arguments);
    va_end(arguments);
    return false;
}

static bool database_failed(run_state *state, const char *doing)
{
    return fail(state, "%s: %s", doing, sqlite3_errmsg(state->db));
}

const char *run_state_error(const run_state *state) { return state->error; }

/* Runs a statement that returns no row, then resets it. */
static bool step_done(run_state *state, sqlite3_stmt *statement, const char *doing)
{
    int result = sqlite3_step(statement);
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    return result == SQLITE_DONE || database_failed(state, doing);
}

static bool bind_text(sqlite3_stmt *statement, int index, const char *text)
{
    if (!text) return sqlite3_bind_null(statement, index) == SQLITE_OK;
    return sqlite3_bind_text(statement, index, text, -1, SQLITE_STATIC) == SQLITE_OK;
}

static bool schema_version_ok(run_state *state, bool created)
{
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v2(state->db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &statement, NULL) !=
        SQLITE_OK) {
        if (!created && sqlite3_prepare_v2(state->db, "SELECT 1 FROM sqlite_schema", -1, &statement, NULL) == SQLITE_OK &&
            sqlite3_step(statement) == SQLITE_DONE) {
            sqlite3_finalize(statement);
            return fail(state, "not a journey run state yet: it has no tables yet (journey run never committed to it)");
        }
        sqlite3_finalize(statement);
        if (!created) return fail(state, "not a journey run state database (no table meta)");
        return database_failed(state, "reading the schema version");
    }
    int result = sqlite3_step(statement);
    long version = result == SQLITE_ROW ? strtol((const char *)sqlite3_column_text(statement, 0), NULL, 10) : -1;
    sqlite3_finalize(statement);
    if (version == RUN_STATE_SCHEMA_VERSION) return true;
    if (version == -1 && created) {
        char sql[160];
        snprintf(sql, sizeof sql,
                 "INSERT INTO meta (key, value) VALUES ('schema_version', '%d'), ('created_by', 'journey %s')",
                 RUN_STATE_SCHEMA_VERSION, JR_VERSION);
        if (sqlite3_exec(state->db, sql, NULL, NULL, NULL) != SQLITE_OK)
            return database_failed(state, "recording the schema version");
        return true;
    }
    if (version == -1) return fail(state, "not a journey state database (no schema version)");
    return fail(state, "state database of schema version %ld; this journey reads version %d", version,
                RUN_STATE_SCHEMA_VERSION);
}

run_state *run_state_open(const char *path, bool create, char *message, size_t size)
{
    run_state *state = calloc(1, sizeof *state);
    if (!state) {
        snprintf(message, size, "out of memory");
        return NULL;
    }
    if (!create && access(path, F_OK) != 0) {
        snprintf(message, size, "%s", strerror(errno));
        free(state);
        return NULL;
    }
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_FULLMUTEX;
    bool ok = sqlite3_open_v2(path, &state->db, flags, NULL) == SQLITE_OK;
    if (!ok) {
        if (state->db) fail(state, "%s", sqlite3_errmsg(state->db));
        else fail(state, "out of memory");
    }
    /* WAL: readers never block the writer; FULL: a commit is on disk when it returns.
     * The busy timeout lets journey run's delivery thread and an inspecting operator
     * wait for the batch writer instead of failing. */
    ok = ok && sqlite3_busy_timeout(state->db, 10000) == SQLITE_OK;
    ok = ok && (sqlite3_exec(state->db,
                             "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;", NULL,
                             NULL, NULL) == SQLITE_OK ||
                database_failed(state, "setting the journal mode"));
    /* The tables and the schema version in one transaction: a database is either
     * empty (killed before) or complete. */
    if (ok && create) {
        ok = sqlite3_exec(state->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_exec(state->db, schema_sql, NULL, NULL, NULL) == SQLITE_OK;
        ok = ok ? schema_version_ok(state, true) : database_failed(state, "creating the tables");
        if (ok && sqlite3_exec(state->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            ok = database_failed(state, "creating the tables");
        if (!ok) sqlite3_exec(state->db, "ROLLBACK", NULL, NULL, NULL);
    } else {
        ok = ok && schema_version_ok(state, false);
    }
#define PREPARE(NAME, SQL)                                                                                      \
    if (ok && sqlite3_prepare_v3(state->db, SQL, -1, SQLITE_PREPARE_PERSISTENT, &state->NAME, NULL) != SQLITE_OK) \
        ok = database_failed(state, "preparing " #NAME);
    RUN_STATE_STATEMENTS(PREPARE)
#undef PREPARE
    if (!ok) {
        snprintf(message, size, "%s", state->error);
        run_state_close(state);
        return NULL;
    }
    return state;
}

void run_state_close(run_state *state)
{
    if (!state) return;
#define FINALIZE(NAME, SQL) sqlite3_finalize(state->NAME);
    RUN_STATE_STATEMENTS(FINALIZE)
#undef FINALIZE
    sqlite3_close(state->db);
    free(state);
}

bool run_state_begin(run_state *state) { return step_done(state, state->begin, "beginning a transaction"); }
bool run_state_commit(run_state *state) { return step_done(state, state->commit, "committing"); }
void run_state_rollback(run_state *state)
{
    if (!sqlite3_get_autocommit(state->db)) step_done(state, state->rollback, "rolling back");
}

/* ---- the program --------------------------------------------------------------------------- */

/* The CRC-32 a .jbc file ends with (spec/bytecode.md section 1), for people reading the
 * table; the comparison itself is of every byte. */
static uint32_t bytecode_crc(const unsigned char *bytes, size_t length)
{
    if (length < 4) return 0;
    const unsigned char *tail = bytes + length - 4;
    return (uint32_t)tail[0] | (uint32_t)tail[1] << 8 | (uint32_t)tail[2] << 16 | (uint32_t)tail[3] << 24;
}

bool run_state_program(run_state *state, void **bytecode, size_t *length, char *name, size_t name_size, bool *found)
{
    *found = false;
    int result = sqlite3_step(state->program_get);
    bool ok = true;
    if (result == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob(state->program_get, 1);
        size_t blob_length = (size_t)sqlite3_column_bytes(state->program_get, 1);
        snprintf(name, name_size, "%s", (const char *)sqlite3_column_text(state->program_get, 0));
        *bytecode = malloc(blob_length ? blob_length : 1);
        if (!*bytecode) ok = fail(state, "out of memory");
        else {
            memcpy(*bytecode, blob, blob_length);
            *length = blob_length;
            *found = true;
        }
    } else if (result != SQLITE_DONE) {
        ok = database_failed(state, "reading the program");
    }
    sqlite3_reset(state->program_get);
    return ok;
}

bool run_state_bind_program(run_state *state, const void *bytecode, size_t length, const char *name, bool *same)
{
    void *stored = NULL;
    size_t stored_length = 0;
    char stored_name[256];
    bool found;
    if (!run_state_program(state, &stored, &stored_length, stored_name, sizeof stored_name, &found)) return false;
    if (found) {
        *same = stored_length == length && memcmp(stored, bytecode, length) == 0;
        free(stored);
        return true;
    }
    *same = true;
    sqlite3_stmt *put = state->program_put;
    bool ok = bind_text(put, 1, name) && sqlite3_bind_int64(put, 2, bytecode_crc(bytecode, length)) == SQLITE_OK &&
              sqlite3_bind_blob64(put, 3, bytecode, length, SQLITE_STATIC) == SQLITE_OK &&
              sqlite3_bind_int64(put, 4, (int64_t)time(NULL) * 1000) == SQLITE_OK;
    return ok ? step_done(state, put, "storing the program") : database_failed(state, "storing the program");
}

/* ---- checkpoint and journal ------------------------------------------------------------------ */

bool run_state_checkpoint(run_state *state, void **snapshot, size_t *length, int64_t *journal_seq, bool *found)
{
    *found = false;
    bool ok = true;
    int result = sqlite3_step(state->checkpoint_get);
    if (result == SQLITE_ROW) {
        size_t blob_length = (size_t)sqlite3_column_bytes(state->checkpoint_get, 0);
        *snapshot = malloc(blob_length ? blob_length : 1);
        if (!*snapshot) ok = fail(state, "out of memory");
        else {
            memcpy(*snapshot, sqlite3_column_blob(state->checkpoint_get, 0), blob_length);
            *length = blob_length;
            *journal_seq = sqlite3_column_int64(state->checkpoint_get, 1);
            *found = true;
        }
    } else if (result != SQLITE_DONE) {
        ok = database_failed(state, "reading the checkpoint");
    }
    sqlite3_reset(state->checkpoint_get);
    return ok;
}

bool run_state_save_checkpoint(run_state *state, const void *snapshot, size_t length, int64_t journal_seq,
                               int64_t clock, int64_t now)
{
    sqlite3_stmt *put = state->checkpoint_put;
    if (sqlite3_bind_int64(put, 1, journal_seq) != SQLITE_OK || sqlite3_bind_int64(put, 2, clock) != SQLITE_OK ||
        sqlite3_bind_int64(put, 3, now) != SQLITE_OK ||
        sqlite3_bind_blob64(put, 4, snapshot, length, SQLITE_STATIC) != SQLITE_OK)
        return database_failed(state, "saving the checkpoint");
    if (!step_done(state, put, "saving the checkpoint")) return false;
    if (sqlite3_bind_int64(state->journal_trim, 1, journal_seq) != SQLITE_OK)
        return database_failed(state, "trimming the journal");
    return step_done(state, state->journal_trim, "trimming the journal");
}

bool run_state_clear_contacts(run_state *state)
{
    return step_done(state, state->contacts_clear, "clearing the contacts");
}

bool run_state_put_contact(run_state *state, const char *id, const char *json, size_t length, int64_t as_of)
{
    sqlite3_stmt *put = state->contact_put;
    if (!bind_text(put, 1, id) || sqlite3_bind_int64(put, 2, as_of) != SQLITE_OK ||
        sqlite3_bind_text64(put, 3, json, length, SQLITE_STATIC, SQLITE_UTF8) != SQLITE_OK)
        return database_failed(state, "writing a contact");
    return step_done(state, put, "writing a contact");
}

bool run_state_append_journal(run_state *state, journal_kind kind, int64_t at, const char *source, const char *body,
                              size_t length, int64_t *seq)
{
    sqlite3_stmt *append = state->journal_append;
    bool ok = bind_text(append, 1, kind == JOURNAL_EVENT ? "event" : "advance") &&
              sqlite3_bind_int64(append, 2, at) == SQLITE_OK && bind_text(append, 3, source) &&
              (body ? sqlite3_bind_text64(append, 4, body, length, SQLITE_STATIC, SQLITE_UTF8)
                    : sqlite3_bind_null(append, 4)) == SQLITE_OK;
    if (!ok) return database_failed(state, "appending to the journal");
    if (!step_done(state, append, "appending to the journal")) return false;
    *seq = sqlite3_last_insert_rowid(state->db);
    return true;
}

bool run_state_each_journal(run_state *state, int64_t after, journal_fn fn, void *user)
{
    sqlite3_stmt *each = state->journal_each;
    if (sqlite3_bind_int64(each, 1, after) != SQLITE_OK) return database_failed(state, "reading the journal");
    bool ok = true;
    int result;
    while (ok && (result = sqlite3_step(each)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(each, 1);
        const char *body = (const char *)sqlite3_column_text(each, 3);
        size_t length = (size_t)sqlite3_column_bytes(each, 3);
        char reason[300] = "";
        int64_t seq = sqlite3_column_int64(each, 0);
        if (!fn(user, seq, kind && kind[0] == 'e' ? JOURNAL_EVENT : JOURNAL_ADVANCE, sqlite3_column_int64(each, 2),
                body, length, reason, sizeof reason))
            ok = fail(state, "journal entry %" PRId64 ": %s", seq, reason);
    }
    if (ok && result != SQLITE_DONE) ok = database_failed(state, "reading the journal");
    sqlite3_reset(each);
    return ok;
}

bool run_state_journal_size(run_state *state, int64_t *count, int64_t *latest)
{
    bool ok = sqlite3_step(state->journal_size) == SQLITE_ROW;
    if (ok) {
        *count = sqlite3_column_int64(state->journal_size, 0);
        *latest = sqlite3_column_int64(state->journal_size, 1);
    } else {
        database_failed(state, "measuring the journal");
    }
    sqlite3_reset(state->journal_size);
    return ok;
}

/* ---- inputs ----------------------------------------------------------------------------------- */

bool run_state_input(run_state *state, const char *source, input_position *position, bool *found)
{
    *found = false;
    if (!bind_text(state->input_get, 1, source)) return database_failed(state, "reading an input position");
    int result = sqlite3_step(state->input_get);
    bool ok = true;
    if (result == SQLITE_ROW) {
        position->offset = (uint64_t)sqlite3_column_int64(state->input_get, 0);
        position->line = (uint64_t)sqlite3_column_int64(state->input_get, 1);
        snprintf(position->identity, sizeof position->identity, "%s",
                 (const char *)sqlite3_column_text(state->input_get, 2));
        *found = true;
    } else if (result != SQLITE_DONE) {
        ok = database_failed(state, "reading an input position");
    }
    sqlite3_reset(state->input_get);
    sqlite3_clear_bindings(state->input_get);
    return ok;
}

bool run_state_set_input(run_state *state, const char *source, const input_position *position, int64_t now)
{
    sqlite3_stmt *put = state->input_put;
    if (!bind_text(put, 1, source) || sqlite3_bind_int64(put, 2, (int64_t)position->offset) != SQLITE_OK ||
        sqlite3_bind_int64(put, 3, (int64_t)position->line) != SQLITE_OK || !bind_text(put, 4, position->identity) ||
        sqlite3_bind_int64(put, 5, now) != SQLITE_OK)
        return database_failed(state, "saving an input position");
    return step_done(state, put, "saving an input position");
}

/* ---- actions ------------------------------------------------------------------------------------ */

bool run_state_record_action(run_state *state, const char *key, const char *contact, const char *journey,
                             const char *type, int64_t at, const char *record, size_t length, int64_t journal_seq,
                             action_record_result *result)
{
    sqlite3_stmt *get = state->action_get;
    if (!bind_text(get, 1, key)) return database_failed(state, "reading an action");
    int found = sqlite3_step(get);
    if (found == SQLITE_ROW) {
        size_t stored_length = (size_t)sqlite3_column_bytes(get, 0);
        const void *stored = sqlite3_column_text(get, 0);
        *result = stored_length == length && memcmp(stored, record, length) == 0 ? ACTION_SAME : ACTION_CONFLICT;
    }
    sqlite3_reset(get);
    sqlite3_clear_bindings(get);
    if (found == SQLITE_ROW) return true;
    if (found != SQLITE_DONE) return database_failed(state, "reading an action");

    sqlite3_stmt *put = state->action_put;
    if (!bind_text(put, 1, key) || !bind_text(put, 2, contact) || !bind_text(put, 3, journey) ||
        !bind_text(put, 4, type) || sqlite3_bind_int64(put, 5, at) != SQLITE_OK ||
        sqlite3_bind_text64(put, 6, record, length, SQLITE_STATIC, SQLITE_UTF8) != SQLITE_OK ||
        sqlite3_bind_int64(put, 7, journal_seq) != SQLITE_OK)
        return database_failed(state, "recording an action");
    *result = ACTION_NEW;
    return step_done(state, put, "recording an action");
}

bool run_state_due_actions(run_state *state, int64_t now, uint32_t limit, pending_action **actions, uint32_t *count)
{
    *actions = NULL;
    *count = 0;
    sqlite3_stmt *due = state->actions_due;
    if (sqlite3_bind_int64(due, 1, now) != SQLITE_OK || sqlite3_bind_int64(due, 2, limit) != SQLITE_OK)
        return database_failed(state, "reading the actions due");
    pending_action *items = calloc(limit ? limit : 1, sizeof *items);
    bool ok = items != NULL || fail(state, "out of memory");
    int result = SQLITE_DONE;
    while (ok && *count < limit && (result = sqlite3_step(due)) == SQLITE_ROW) {
        pending_action *item = &items[*count];
        item->seq = sqlite3_column_int64(due, 0);
        item->key = strdup((const char *)sqlite3_column_text(due, 1));
        item->length = (size_t)sqlite3_column_bytes(due, 2);
        item->record = malloc(item->length + 1);
        item->attempts = (uint32_t)sqlite3_column_int64(due, 3);
        (*count)++;
        if (!item->key || !item->record) {
            ok = fail(state, "out of memory");
            break;
        }
        memcpy(item->record, sqlite3_column_text(due, 2), item->length + 1);
    }
    if (ok && result != SQLITE_ROW && result != SQLITE_DONE) ok = database_failed(state, "reading the actions due");
    sqlite3_reset(due);
    if (!ok) {
        run_state_free_pending(items, *count);
        *count = 0;
        return false;
    }
    *actions = items;
    return true;
}

void run_state_free_pending(pending_action *actions, uint32_t count)
{
    for (uint32_t i = 0; actions && i < count; i++) {
        free(actions[i].key);
        free(actions[i].record);
    }
    free(actions);
}

bool run_state_next_due(run_state *state, int64_t *at, bool *found)
{
    int result = sqlite3_step(state->actions_next);
    bool ok = result == SQLITE_ROW;
    *found = ok && sqlite3_column_type(state->actions_next, 0) != SQLITE_NULL;
    if (*found) *at = sqlite3_column_int64(state->actions_next, 0);
    if (!ok) database_failed(state, "reading when the next action is due");
    sqlite3_reset(state->actions_next);
    return ok;
}

bool run_state_undelivered(run_state *state, int64_t now, int64_t *count, int64_t *due)
{
    if (sqlite3_bind_int64(state->actions_undelivered, 1, now) != SQLITE_OK)
        return database_failed(state, "counting the undelivered actions");
    bool ok = sqlite3_step(state->actions_undelivered) == SQLITE_ROW;
    if (ok) {
        *count = sqlite3_column_int64(state->actions_undelivered, 0);
        *due = sqlite3_column_int64(state->actions_undelivered, 1);
    }
    else database_failed(state, "counting the undelivered actions");
    sqlite3_reset(state->actions_undelivered);
    return ok;
}

bool run_state_mark_delivered(run_state *state, int64_t seq, int64_t now)
{
    sqlite3_stmt *mark = state->action_delivered;
    if (sqlite3_bind_int64(mark, 1, seq) != SQLITE_OK || sqlite3_bind_int64(mark, 2, now) != SQLITE_OK)
        return database_failed(state, "marking an action delivered");
    return step_done(state, mark, "marking an action delivered");
}

bool run_state_mark_retry(run_state *state, int64_t seq, uint32_t attempts, int64_t next_attempt, const char *error)
{
    sqlite3_stmt *mark = state->action_retry;
    if (sqlite3_bind_int64(mark, 1, seq) != SQLITE_OK || sqlite3_bind_int64(mark, 2, attempts) != SQLITE_OK ||
        sqlite3_bind_int64(mark, 3, next_attempt) != SQLITE_OK || !bind_text(mark, 4, error))
        return database_failed(state, "scheduling a retry");
    return step_done(state, mark, "scheduling a retry");
}

bool run_state_mark_dead(run_state *state, int64_t seq, uint32_t attempts, int64_t now, const char *error)
{
    sqlite3_stmt *mark = state->action_dead;
    if (sqlite3_bind_int64(mark, 1, seq) != SQLITE_OK || sqlite3_bind_int64(mark, 2, attempts) != SQLITE_OK ||
        sqlite3_bind_int64(mark, 3, now) != SQLITE_OK || !bind_text(mark, 4, error))
        return database_failed(state, "moving an action to the dead letters");
    return step_done(state, mark, "moving an action to the dead letters");
}
