/* jev_fidelity.c: packs event logs with the writer of `journey pack` and checks that
 * the .jev reads back as exactly what the readers gave from the logs: every field of
 * every jr_event (the anonymous flag and the line too, which no simulation shows) and
 * every bad line, in the same order. Built and run by tests/pack/run.sh:
 *
 *   jev_fidelity PROGRAM.jbc SCRATCH.jev LOG...
 *
 * prints "ok" or "FAIL: what differs" and exits 0 when it could run the check. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_merge.h"
#include "jev_writer.h"
#include "journey.h"

/* One record as read, with its strings copied. */
typedef struct fidelity_record {
    bool bad_line;
    jr_event event;
    jr_field_value *properties, *traits;
    char *contact_id, *message_id;
    uint64_t line;
    char message[256];
} fidelity_record;

typedef struct fidelity_log {
    fidelity_record *records;
    size_t count, capacity;
} fidelity_log;

static char *copy_bytes(const char *bytes, uint32_t length)
{
    char *copy = malloc(length + 1);
    if (!copy) abort();
    if (length) memcpy(copy, bytes, length);
    copy[length] = '\0';
    return copy;
}

static jr_field_value *copy_values(const jr_field_value *values, uint32_t count)
{
    jr_field_value *copy = calloc(count + 1, sizeof *copy);
    if (!copy) abort();
    for (uint32_t i = 0; i < count; i++) {
        copy[i] = values[i];
        if (values[i].type == JR_TYPE_STRING)
            copy[i].as.string.bytes = copy_bytes(values[i].as.string.bytes, values[i].as.string.length);
    }
    return copy;
}

static fidelity_record *add_record(fidelity_log *log)
{
    if (log->count == log->capacity) {
        log->capacity = log->capacity ? log->capacity * 2 : 64;
        log->records = realloc(log->records, log->capacity * sizeof *log->records);
        if (!log->records) abort();
    }
    fidelity_record *record = &log->records[log->count++];
    memset(record, 0, sizeof *record);
    return record;
}

static void keep_event(fidelity_log *log, const jr_event *event)
{
    fidelity_record *record = add_record(log);
    record->event = *event;
    record->contact_id = copy_bytes(event->contact_id, event->contact_id_length);
    record->message_id = copy_bytes(event->message_id, event->message_id_length);
    record->properties = copy_values(event->properties, event->property_count);
    record->traits = copy_values(event->traits, event->trait_count);
}

static void keep_bad_line(fidelity_log *log, const jr_read_error *problem)
{
    fidelity_record *record = add_record(log);
    record->bad_line = true;
    record->line = problem->line;
    snprintf(record->message, sizeof record->message, "%s", problem->message);
}

static void free_values(jr_field_value *values, uint32_t count)
{
    for (uint32_t i = 0; values && i < count; i++)
        if (values[i].type == JR_TYPE_STRING) free((char *)values[i].as.string.bytes);
    free(values);
}

static void free_log(fidelity_log *log)
{
    for (size_t i = 0; i < log->count; i++) {
        fidelity_record *record = &log->records[i];
        free(record->contact_id);
        free(record->message_id);
        free_values(record->properties, record->event.property_count);
        free_values(record->traits, record->event.trait_count);
    }
    free(log->records);
}

static bool same_values(const jr_field_value *a, const jr_field_value *b, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        if (a[i].index != b[i].index || a[i].type != b[i].type) return false;
        switch (a[i].type) {
        case JR_TYPE_NUMBER:
            if (memcmp(&a[i].as.number, &b[i].as.number, sizeof a[i].as.number) != 0) return false;
            break;
        case JR_TYPE_BOOL:
            if (a[i].as.boolean != b[i].as.boolean) return false;
            break;
        case JR_TYPE_TIME:
        case JR_TYPE_DURATION:
            if (a[i].as.time != b[i].as.time) return false;
            break;
        case JR_TYPE_STRING:
            if (a[i].as.string.length != b[i].as.string.length ||
                memcmp(a[i].as.string.bytes, b[i].as.string.bytes, a[i].as.string.length) != 0)
                return false;
            break;
        default: break; /* null */
        }
    }
    return true;
}

/* What differs between two records, or NULL. */
static const char *difference(const fidelity_record *a, const fidelity_record *b)
{
    if (a->bad_line != b->bad_line) return "an event against a bad line";
    if (a->bad_line) {
        if (a->line != b->line) return "a bad line's number";
        return strcmp(a->message, b->message) != 0 ? "a bad line's message" : NULL;
    }
    const jr_event *x = &a->event, *y = &b->event;
    if (x->kind != y->kind) return "kind";
    if (x->timestamp != y->timestamp) return "timestamp";
    if (x->contact_id_length != y->contact_id_length || memcmp(a->contact_id, b->contact_id, x->contact_id_length) != 0)
        return "contact id";
    if (x->anonymous != y->anonymous) return "anonymous";
    if (x->message_id_length != y->message_id_length ||
        memcmp(a->message_id, b->message_id, x->message_id_length) != 0)
        return "messageId";
    if (x->event_index != y->event_index) return "event index";
    if (x->property_count != y->property_count || !same_values(a->properties, b->properties, x->property_count))
        return "properties";
    if (x->trait_count != y->trait_count || !same_values(a->traits, b->traits, x->trait_count)) return "traits";
    if (x->type_mismatches != y->type_mismatches) return "type mismatches";
    if (x->line != y->line) return "line";
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: jev_fidelity PROGRAM.jbc SCRATCH.jev LOG...\n");
        return 2;
    }
    jr_program *program;
    jr_error error;
    if (jr_program_load_file(argv[1], NULL, &program, &error) != JR_OK) {
        printf("FAIL: %s: %s\n", argv[1], error.message);
        return 0;
    }
    const jr_schema *schema = jr_program_schema(program);

    /* the logs, as sim reads them, kept and packed */
    fidelity_log original = { 0 }, packed = { 0 };
    char message[256];
    jev_writer *writer = jev_writer_new(schema, argv[2], message, sizeof message);
    event_merge *merge = event_merge_new(schema, (const char *const *)argv + 3, (uint32_t)(argc - 3));
    if (!writer || !merge) {
        printf("FAIL: %s\n", writer ? "out of memory" : message);
        return 0;
    }
    const char *failure = NULL;
    for (bool more = true; more && !failure;) {
        const jr_event *event;
        const char *path;
        jr_read_error problem;
        switch (event_merge_next(merge, &event, &path, &problem)) {
        case MERGE_EVENT:
            keep_event(&original, event);
            if (!jev_writer_event(writer, event)) failure = jev_writer_error(writer);
            break;
        case MERGE_BAD_LINE:
            keep_bad_line(&original, &problem);
            if (!jev_writer_bad_line(writer, problem.line, problem.message)) failure = jev_writer_error(writer);
            break;
        case MERGE_FAILED: failure = "a log could not be read"; break;
        case MERGE_END: more = false; break;
        }
    }
    event_merge_free(merge);
    if (!failure && !jev_writer_finish(writer, NULL)) failure = jev_writer_error(writer);
    if (failure) {
        printf("FAIL: packing: %s\n", failure);
        jev_writer_free(writer);
        return 0;
    }
    jev_writer_free(writer);

    /* the .jev, read back */
    jr_read_error problem;
    jr_event_reader *reader = jr_reader_open(schema, argv[2], JR_LOG_AUTO, &problem);
    if (!reader) {
        printf("FAIL: the .jev does not open: %s\n", problem.message);
        return 0;
    }
    jr_read_status status;
    do {
        jr_event event;
        status = jr_reader_next(reader, &event, &problem);
        if (status == JR_READ_EVENT) keep_event(&packed, &event);
        if (status == JR_READ_BAD_LINE) keep_bad_line(&packed, &problem);
    } while (status == JR_READ_EVENT || status == JR_READ_BAD_LINE);
    jr_reader_close(reader);

    size_t events = 0;
    if (status != JR_READ_END) {
        printf("FAIL: the .jev does not read to its end: %s\n", problem.message);
        failure = "read";
    }
    for (size_t i = 0; i < original.count && i < packed.count && !failure; i++) {
        const char *what = difference(&original.records[i], &packed.records[i]);
        if (what) {
            printf("FAIL: record %zu: %s differs\n", i + 1, what);
            failure = what;
        }
        events += !original.records[i].bad_line;
    }
    if (!failure && original.count != packed.count) {
        printf("FAIL: %zu records from the logs, %zu from the .jev\n", original.count, packed.count);
        failure = "count";
    }
    if (!failure) printf("ok: %zu events, %zu bad lines\n", events, original.count - events);
    free_log(&original);
    free_log(&packed);
    jr_program_free(program);
    return 0;
}
