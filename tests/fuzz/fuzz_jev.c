/* fuzz_jev.c: libFuzzer entry point for the reader of packed event logs (.jev,
 * spec/jev.md), reached as `journey sim` reaches it: through jr_reader_open_memory,
 * whose dispatch finds the magic.
 *
 * The oracle is "accepted => runs clean": every event an open reader hands out keeps
 * the readers' promises (event.h: indexes in range, each field or attribute once, the
 * declared types, a contact id, readable strings) and is posted to a VM of the program
 * the file was packed for, whose clock then runs 60 days on; under AddressSanitizer
 * and UndefinedBehaviorSanitizer any memory error, leak or undefined behaviour in the
 * reader or in the VM is a finding. Reading must also end: at most one result per
 * byte, then JR_READ_END for good.
 *
 * The programs are the examples' bytecode, loaded from the directory named by
 * JOURNEY_FUZZ_PROGRAMS; the seeds are their event logs, packed (Makefile: fuzz-jev). A
 * file is read with the program whose schema fingerprint its header names (else with
 * one picked by its size, to reach the refusal). So that mutations get past the
 * whole-file checks to the records, each input is read twice: as it is, and with its
 * section lengths made to fit its size and its CRC-32 written right. */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "jev_format.h"
#include "journey.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { FUZZ_MAX_PROGRAMS = 64 };
static const int64_t FUZZ_DAY = 86400000;

static jr_program *fuzz_programs[FUZZ_MAX_PROGRAMS];
static uint64_t fuzz_fingerprints[FUZZ_MAX_PROGRAMS];
static unsigned fuzz_program_count;

#define FUZZ_CHECK(condition)                                                                                     \
    do {                                                                                                          \
        if (!(condition)) __builtin_trap();                                                                       \
    } while (0)

static volatile unsigned char fuzz_sink;

static void fuzz_touch(const char *bytes, uint32_t length)
{
    FUZZ_CHECK(length == 0 || bytes != NULL);
    unsigned char sum = 0;
    for (uint32_t i = 0; i < length; i++) sum = (unsigned char)(sum + (unsigned char)bytes[i]);
    fuzz_sink = sum;
}

static void fuzz_check_values(const jr_field_value *values, uint32_t count, const jr_schema_field *fields,
                              uint32_t field_count, bool nulls)
{
    FUZZ_CHECK(count <= field_count);
    for (uint32_t i = 0; i < count; i++) {
        FUZZ_CHECK(values[i].index < field_count);
        FUZZ_CHECK(values[i].type == fields[values[i].index].type || (nulls && values[i].type == JR_TYPE_NULL));
        for (uint32_t j = 0; j < i; j++) FUZZ_CHECK(values[j].index != values[i].index);
        if (values[i].type == JR_TYPE_STRING) fuzz_touch(values[i].as.string.bytes, values[i].as.string.length);
    }
}

static void fuzz_check_event(const jr_schema *schema, const jr_event *event)
{
    FUZZ_CHECK(event->kind == JR_EVENT_TRACK || event->kind == JR_EVENT_IDENTIFY || event->kind == JR_EVENT_PAGE);
    FUZZ_CHECK(event->contact_id_length > 0);
    fuzz_touch(event->contact_id, event->contact_id_length);
    FUZZ_CHECK(event->message_id != NULL);
    fuzz_touch(event->message_id, event->message_id_length);
    FUZZ_CHECK(event->event_index >= -1 && event->event_index < (int32_t)schema->event_count);
    if (event->event_index >= 0) {
        const jr_schema_event *declared = &schema->events[event->event_index];
        fuzz_check_values(event->properties, event->property_count, declared->fields, declared->field_count, false);
    } else {
        FUZZ_CHECK(event->property_count == 0);
    }
    if (event->kind == JR_EVENT_IDENTIFY) {
        FUZZ_CHECK(event->event_index == -1);
        fuzz_check_values(event->traits, event->trait_count, schema->attributes, schema->attribute_count, true);
    } else {
        FUZZ_CHECK(event->trait_count == 0);
    }
    char text[25];
    jr_format_timestamp(event->timestamp, text);
    FUZZ_CHECK(strlen(text) == 24);
}

/* Reads bytes for program, posting every event to a VM of it. */
static void fuzz_read(const jr_program *program, const uint8_t *bytes, size_t size)
{
    const jr_schema *schema = jr_program_schema(program);
    jr_read_error error;
    jr_event_reader *reader = jr_reader_open_memory(schema, bytes, size, JR_LOG_AUTO, &error);
    if (!reader) {
        FUZZ_CHECK(memchr(error.message, '\0', sizeof error.message) != NULL && error.message[0] != '\0');
        return;
    }
    jr_vm *vm = NULL;
    jr_config config = { 0 };
    config.instruction_budget = 2000;
    FUZZ_CHECK(jr_vm_new(program, &config, &vm, NULL) == JR_OK);
    size_t calls = 0;
    for (;;) {
        jr_event event;
        jr_read_status status = jr_reader_next(reader, &event, &error);
        FUZZ_CHECK(++calls <= size + 2);
        FUZZ_CHECK(jr_reader_position(reader) <= jr_reader_size(reader));
        if (status == JR_READ_END) break;
        if (status == JR_READ_IO_ERROR) {
            FUZZ_CHECK(error.message[0] != '\0');
            FUZZ_CHECK(jr_reader_next(reader, &event, &error) == JR_READ_END);
            break;
        }
        if (status == JR_READ_BAD_LINE) {
            FUZZ_CHECK(memchr(error.message, '\0', sizeof error.message) != NULL && error.message[0] != '\0');
            continue;
        }
        FUZZ_CHECK(status == JR_READ_EVENT);
        fuzz_check_event(schema, &event);
        jr_vm_post(vm, &event, NULL);
    }
    jr_vm_advance(vm, jr_vm_clock(vm) + 60 * FUZZ_DAY, NULL);
    jr_vm_free(vm);
    jr_reader_close(reader);
}

/* The program whose fingerprint the header names, else one picked by the size. */
static const jr_program *fuzz_program_for(const uint8_t *data, size_t size)
{
    if (size >= JR_JEV_HEADER_BYTES) {
        uint64_t fingerprint = jr_jev_load_u64(data + JR_JEV_AT_FINGERPRINT);
        for (unsigned i = 0; i < fuzz_program_count; i++)
            if (fuzz_fingerprints[i] == fingerprint) return fuzz_programs[i];
    }
    return fuzz_programs[size % fuzz_program_count];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const jr_program *program = fuzz_program_for(data, size);
    fuzz_read(program, data, size);
    const size_t fixed = JR_JEV_HEADER_BYTES + JR_JEV_CRC_BYTES;
    if (size < fixed || memcmp(data, JR_JEV_MAGIC, JR_JEV_MAGIC_BYTES) != 0) return 0;
    /* The same with lengths that fit (the strings as the header says, when they fit)
     * and the right CRC. */
    uint8_t *copy = malloc(size);
    FUZZ_CHECK(copy != NULL);
    memcpy(copy, data, size);
    uint64_t room = size - fixed, strings = jr_jev_load_u64(copy + JR_JEV_AT_STRING_BYTES);
    if (strings > room) strings = room / 2;
    jr_jev_store_u64(copy + JR_JEV_AT_STRING_BYTES, strings);
    jr_jev_store_u64(copy + JR_JEV_AT_RECORD_BYTES, room - strings);
    jr_jev_store_u32(copy + size - JR_JEV_CRC_BYTES, (uint32_t)crc32_z(0, copy, size - JR_JEV_CRC_BYTES));
    fuzz_read(program, copy, size);
    free(copy);
    return 0;
}

static bool fuzz_ends_with(const char *name, const char *suffix)
{
    size_t length = strlen(name), suffix_length = strlen(suffix);
    return length >= suffix_length && strcmp(name + length - suffix_length, suffix) == 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *directory = getenv("JOURNEY_FUZZ_PROGRAMS");
    struct dirent **entries = NULL;
    int count = directory ? scandir(directory, &entries, NULL, alphasort) : -1;
    if (count < 0) {
        fprintf(stderr, "fuzz_jev: set JOURNEY_FUZZ_PROGRAMS to a directory of .jbc files (make fuzz-jev does)\n");
        exit(2);
    }
    for (int i = 0; i < count; i++) {
        const char *name = entries[i]->d_name;
        if (fuzz_ends_with(name, ".jbc") && fuzz_program_count < FUZZ_MAX_PROGRAMS) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", directory, name);
            jr_error error;
            jr_program *program;
            if (jr_program_load_file(path, NULL, &program, &error) != JR_OK) {
                fprintf(stderr, "fuzz_jev: %s: %s\n", path, error.message);
                exit(2);
            }
            fuzz_fingerprints[fuzz_program_count] = jr_jev_schema_fingerprint(jr_program_schema(program));
            fuzz_programs[fuzz_program_count++] = program;
        }
        free(entries[i]);
    }
    free(entries);
    if (fuzz_program_count == 0) {
        fprintf(stderr, "fuzz_jev: no .jbc file in %s\n", directory);
        exit(2);
    }
    return 0;
}
