/* fuzz_snapshot.c: libFuzzer entry point for jr_vm_restore (runtime/snapshot_restore.c).
 *
 * The oracle is "restored => runs clean": when a restore accepts an input, the VM it
 * made (1) writes a snapshot that restores again and writes the very same bytes, and
 * (2) runs: for a few of its contacts and a new one, an identify call setting every
 * attribute and one event of each declared type with every field set, then 60 days of
 * timers; its errors, stats and journey states are read. Under AddressSanitizer and
 * UndefinedBehaviorSanitizer any memory error, leak or undefined behaviour is a finding.
 *
 * A snapshot belongs to one program. The programs are the examples' bytecode, loaded
 * once from the directory in $JOURNEY_FUZZ_PROGRAMS (`make fuzz-snapshot` builds it and
 * seeds the corpus with snapshots of every example taken mid-run, tests/fuzz/
 * snapshot_seeds.c). The input's program field picks the program whose bytecode CRC it
 * names, else program (field mod count), and is rewritten to name it; the length field
 * and the final CRC are rewritten too, so mutations reach the structural checks (the
 * header checks themselves are covered by tests/unit/test_api.c). A custom mutator mixes
 * libFuzzer's mutations with ones that set a u32 at any offset to a value that matters
 * here (0 to 3, one more or less, a status or wait code, JR_NONE). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "journey.h"
#include "snapshot.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

enum { MAX_PROGRAMS = 64, MAX_FIELDS = 64, MAX_EVENTS = 64, OLD_CONTACTS = 3 };
static const int64_t HOUR = 3600000, DAY = 86400000;

static jr_program *programs[MAX_PROGRAMS];
static uint32_t program_count;

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *directory = getenv("JOURNEY_FUZZ_PROGRAMS");
    struct dirent **entries = NULL;
    int count = directory ? scandir(directory, &entries, NULL, by_name) : -1;
    for (int i = 0; i < count; i++) {
        size_t length = strlen(entries[i]->d_name);
        char path[4096];
        if (length > 4 && strcmp(entries[i]->d_name + length - 4, ".jbc") == 0 && program_count < MAX_PROGRAMS) {
            snprintf(path, sizeof path, "%s/%s", directory, entries[i]->d_name);
            jr_error error;
            if (jr_program_load_file(path, NULL, &programs[program_count], &error) != JR_OK) {
                fprintf(stderr, "fuzz_snapshot: %s: %s\n", path, error.message);
                exit(1);
            }
            program_count++;
        }
        free(entries[i]);
    }
    free(entries);
    if (program_count == 0) {
        fprintf(stderr, "fuzz_snapshot: set JOURNEY_FUZZ_PROGRAMS to a directory of .jbc files\n");
        exit(64);
    }
    return 0;
}

/* ---- snapshots in memory ---------------------------------------------------------------- */

typedef struct buffer {
    uint8_t *bytes;
    size_t length, capacity;
} buffer;

static bool buffer_write(void *user, const void *bytes, size_t length)
{
    buffer *b = user;
    if (b->length + length > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 4096;
        while (capacity < b->length + length) capacity *= 2;
        uint8_t *grown = realloc(b->bytes, capacity);
        if (!grown) return false;
        b->bytes = grown;
        b->capacity = capacity;
    }
    memcpy(b->bytes + b->length, bytes, length);
    b->length += length;
    return true;
}

static void found(const char *what, const char *message)
{
    fprintf(stderr, "fuzz_snapshot: %s: %s\n", what, message);
    abort();
}

/* What a restored VM writes restores again, and writes the same bytes. */
static void check_rewrite(const jr_vm *vm, const jr_program *program, const jr_config *config)
{
    buffer first = { 0 }, second = { 0 };
    jr_error error;
    if (jr_vm_snapshot(vm, buffer_write, &first, &error) != JR_OK) found("snapshot of a restored VM", error.message);
    jr_vm *again = NULL;
    if (jr_vm_restore(program, config, first.bytes, first.length, &again, &error) != JR_OK)
        found("restore of a snapshot written by a restored VM", error.message);
    if (jr_vm_snapshot(again, buffer_write, &second, &error) != JR_OK) found("snapshot of a restored VM", error.message);
    if (first.length != second.length || memcmp(first.bytes, second.bytes, first.length) != 0)
        found("restore and snapshot", "the same state wrote different bytes");
    jr_vm_free(again);
    free(first.bytes);
    free(second.bytes);
}

/* ---- running it ------------------------------------------------------------------------------ */

static void set_value(jr_field_value *value, uint32_t index, char type, int variant, int64_t now)
{
    static const char *const strings[] = { "welcome", "", "pro", "Europe/Berlin" };
    memset(value, 0, sizeof *value);
    value->index = index;
    value->type = type;
    switch (type) {
    case 'n': value->as.number = variant == 0 ? 42.5 : variant == 1 ? 0 : -3; break;
    case 'b': value->as.boolean = variant != 1; break;
    case 't': value->as.time = now - (variant + 1) * HOUR; break;
    case 'd': value->as.time = (variant + 1) * HOUR; break;
    default:
        value->as.string.bytes = strings[variant & 3];
        value->as.string.length = (uint32_t)strlen(strings[variant & 3]);
    }
}

static void post_for(jr_vm *vm, const jr_schema *schema, const char *id, uint32_t id_length, int variant, int64_t *now)
{
    jr_field_value values[MAX_FIELDS];
    jr_event event = { 0 };
    event.contact_id = id;
    event.contact_id_length = id_length;
    uint32_t traits = schema->attribute_count < MAX_FIELDS ? schema->attribute_count : MAX_FIELDS;
    for (uint32_t i = 0; i < traits; i++)
        set_value(&values[i], i, schema->attributes[i].type,
                  strcmp(schema->attributes[i].name, "timezone") == 0 ? 3 : variant, *now);
    event.kind = JR_EVENT_IDENTIFY;
    event.event_index = -1;
    event.timestamp = *now;
    event.traits = values;
    event.trait_count = traits;
    jr_vm_post(vm, &event, NULL);
    event.traits = NULL;
    event.trait_count = 0;
    event.kind = JR_EVENT_TRACK;
    uint32_t events = schema->event_count < MAX_EVENTS ? schema->event_count : MAX_EVENTS;
    for (uint32_t e = 0; e < events; e++) {
        const jr_schema_event *declared = &schema->events[e];
        uint32_t fields = declared->field_count < MAX_FIELDS ? declared->field_count : MAX_FIELDS;
        for (uint32_t f = 0; f < fields; f++) set_value(&values[f], f, declared->fields[f].type, variant, *now);
        *now += 17 * 60000;
        event.event_index = (int32_t)e;
        event.timestamp = *now;
        event.properties = values;
        event.property_count = fields;
        jr_vm_post(vm, &event, NULL);
    }
}

static void run(jr_vm *vm, const jr_program *program)
{
    const jr_schema *schema = jr_program_schema(program);
    int64_t now = jr_vm_clock(vm);
    /* the ids are copied: posting may move the VM's strings */
    char ids[OLD_CONTACTS][64];
    uint32_t lengths[OLD_CONTACTS], old = vm->contact_count < OLD_CONTACTS ? vm->contact_count : OLD_CONTACTS;
    for (uint32_t c = 0; c < old; c++) {
        const char *id = jr_strings_get(&vm->strings, ((contact_header *)jr_contact_record(vm, c))->id, &lengths[c]);
        if (lengths[c] > sizeof ids[c]) lengths[c] = sizeof ids[c];
        memcpy(ids[c], id, lengths[c]);
    }
    for (uint32_t c = 0; c < old; c++) post_for(vm, schema, ids[c], lengths[c], (int)c, &now);
    post_for(vm, schema, "newcomer", 8, 2, &now);
    jr_vm_advance(vm, now + 60 * DAY, NULL);
    jr_vm_stats stats;
    jr_vm_stats_get(vm, &stats);
    for (uint32_t i = 0; i < jr_vm_error_count(vm); i++) {
        jr_runtime_error error;
        jr_vm_error(vm, i, &error);
    }
    for (uint32_t c = 0; c < vm->contact_count && c < 16; c++)
        for (uint32_t j = 0; j < jr_vm_journey_count(vm); j++) {
            jr_contact_journey state;
            jr_vm_contact_journey(vm, c, j, &state, NULL);
        }
}

static void put_u32(uint8_t *at, uint32_t value)
{
    for (int i = 0; i < 4; i++) at[i] = (uint8_t)(value >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < JR_SNAPSHOT_HEADER_BYTES + JR_SNAPSHOT_CRC_BYTES || size > 1u << 20) return 0;
    uint8_t *bytes = malloc(size);
    if (!bytes) return 0;
    memcpy(bytes, data, size);
    uint32_t named = (uint32_t)bytes[12] | (uint32_t)bytes[13] << 8 | (uint32_t)bytes[14] << 16 | (uint32_t)bytes[15] << 24;
    const jr_program *program = programs[named % program_count];
    for (uint32_t i = 0; i < program_count; i++)
        if (programs[i]->bytecode_crc == named) program = programs[i];
    put_u32(bytes + 12, program->bytecode_crc);
    put_u32(bytes + 16, (uint32_t)size);
    put_u32(bytes + 20, 0);
    put_u32(bytes + size - 4, (uint32_t)crc32(0L, bytes, (uInt)(size - 4)));
    jr_config config = { .instruction_budget = 2000, .attribution = true };
    jr_vm *vm = NULL;
    if (jr_vm_restore(program, &config, bytes, size, &vm, NULL) == JR_OK) {
        check_rewrite(vm, program, &config);
        run(vm, program);
        jr_vm_free(vm);
    }
    free(bytes);
    return 0;
}

static uint32_t next_random(uint32_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    uint32_t random = seed ? seed : 1;
    if (size < 64 || next_random(&random) % 2 == 0) return LLVMFuzzerMutate(data, size, max_size);
    int changes = 1 + (int)(next_random(&random) % 3);
    for (int k = 0; k < changes; k++) {
        uint8_t *at = data + JR_SNAPSHOT_HEADER_BYTES + next_random(&random) % (size - JR_SNAPSHOT_HEADER_BYTES - 8);
        uint32_t old = (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 | (uint32_t)at[3] << 24, value;
        switch (next_random(&random) % 6) {
        case 0: value = next_random(&random) % 4; break;
        case 1: value = old + 1; break;
        case 2: value = old - 1; break;
        case 3: value = 0xFFFFFFFFu; break;
        case 4: value = (old & ~0xFFu) | (next_random(&random) % 4); break; /* a status, a wait */
        default: value = old ^ (1u << (next_random(&random) % 32));
        }
        put_u32(at, value);
    }
    return size;
}
