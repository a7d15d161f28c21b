/* fuzz_loader.c: libFuzzer entry point for the bytecode loader and verifier.
 *
 * The oracle is "accepted => runs clean": every input goes through jr_program_load;
 * when the loader accepts it, a VM runs it against synthetic events (an identify call
 * setting every attribute, then, for every declared event, one event with every field
 * set to a value of its declared type and one with no fields, for a few contacts), the
 * clock advances 60 days so every timer fires, and everything is freed. Under
 * AddressSanitizer and UndefinedBehaviorSanitizer any memory error, leak or undefined
 * behaviour in the loader, the verifier or the VM is a finding (DESIGN.md section 7:
 * the loader rejects any malformed bytecode before it runs).
 *
 * The last 4 bytes of a .jbc are a CRC-32 of the rest, so almost every mutation would
 * stop at the checksum. The harness therefore writes the right CRC over the last 4
 * bytes before loading (the checksum check itself is covered by tests/unit), and a
 * custom mutator mixes libFuzzer's byte mutations with word-aligned ones that set a
 * few u32 words to values that matter in this format (small indexes, JR_NONE, type
 * letters, opcodes with small operands, 10000 basis points), keeping the layout. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../../bytecode/format.h"
#include "journey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

enum { MAX_FIELDS = 64, MAX_EVENTS = 64, CONTACTS = 3 };
static const int64_t HOUR = 3600000, DAY = 86400000;

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

static void run(const jr_program *program)
{
    jr_vm *vm;
    jr_config config = { 0 };
    config.instruction_budget = 2000;
    if (jr_vm_new(program, &config, &vm, NULL) != JR_OK) return;
    const jr_schema *schema = jr_program_schema(program);
    static const char *const contacts[CONTACTS] = { "alice", "bob", "carol" };
    jr_field_value values[MAX_FIELDS];
    int64_t now = 1767225600000; /* 2026-01-01T00:00:00Z */
    for (int c = 0; c < CONTACTS; c++) {
        jr_event event = { 0 };
        event.contact_id = contacts[c];
        event.contact_id_length = (uint32_t)strlen(contacts[c]);
        /* identify: every attribute gets a value (the time zone one a real zone) */
        uint32_t traits = schema->attribute_count < MAX_FIELDS ? schema->attribute_count : MAX_FIELDS;
        for (uint32_t i = 0; i < traits; i++)
            set_value(&values[i], i, schema->attributes[i].type,
                      strcmp(schema->attributes[i].name, "timezone") == 0 ? 3 : c, now);
        event.kind = JR_EVENT_IDENTIFY;
        event.event_index = -1;
        event.timestamp = now;
        event.traits = values;
        event.trait_count = traits;
        jr_vm_post(vm, &event, NULL);
        event.traits = NULL;
        event.trait_count = 0;
        event.kind = JR_EVENT_TRACK;
        uint32_t events = schema->event_count < MAX_EVENTS ? schema->event_count : MAX_EVENTS;
        for (int round = 0; round < 2; round++) {
            for (uint32_t e = 0; e < events; e++) {
                const jr_schema_event *declared = &schema->events[e];
                uint32_t fields = declared->field_count < MAX_FIELDS ? declared->field_count : MAX_FIELDS;
                for (uint32_t f = 0; f < fields; f++) set_value(&values[f], f, declared->fields[f].type, c + round, now);
                now += 17 * 60000;
                event.event_index = (int32_t)e;
                event.timestamp = now;
                event.properties = values;
                event.property_count = round == 0 ? fields : 0;
                jr_vm_post(vm, &event, NULL);
            }
        }
    }
    jr_vm_advance(vm, now + 60 * DAY, NULL);
    jr_vm_stats stats;
    jr_vm_stats_get(vm, &stats);
    for (uint32_t i = 0; i < jr_vm_error_count(vm); i++) {
        jr_runtime_error error;
        jr_vm_error(vm, i, &error);
    }
    jr_vm_free(vm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 20 || size > 1u << 20) return 0;
    uint8_t *bytes = malloc(size);
    if (!bytes) return 0;
    memcpy(bytes, data, size);
    uint32_t crc = (uint32_t)crc32(0L, bytes, (uInt)(size - 4));
    for (int i = 0; i < 4; i++) bytes[size - 4 + i] = (uint8_t)(crc >> (8 * i));
    jr_program *program = NULL;
    jr_error error;
    if (jr_program_load(bytes, size, NULL, &program, &error) == JR_OK) {
        run(program);
        jr_program_free(program);
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
    if (size < 40 || next_random(&random) % 2 == 0) return LLVMFuzzerMutate(data, size, max_size);
    uint32_t words = (uint32_t)((size - 4 - 16) / 4);
    int changes = 1 + (int)(next_random(&random) % 3);
    for (int k = 0; k < changes; k++) {
        uint8_t *at = data + 16 + 4 * (next_random(&random) % words);
        uint32_t old = (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 | (uint32_t)at[3] << 24;
        uint32_t value;
        static const char types[] = "nsbtdx";
        switch (next_random(&random) % 10) {
        case 0: value = next_random(&random) % 4; break;
        case 1: value = next_random(&random) % 64; break;
        case 2: value = JR_NONE; break;
        case 3: value = old + 1; break;
        case 4: value = old - 1; break;
        case 5: value = (uint32_t)types[next_random(&random) % 6]; break;
        case 6: value = jr_encode((jr_opcode)(next_random(&random) % (JR_OPCODE_COUNT + 1)), next_random(&random) % 16); break;
        case 7: value = jr_encode_ab((jr_opcode)(next_random(&random) % JR_OPCODE_COUNT), types[next_random(&random) % 6],
                                     next_random(&random) % 16);
            break;
        case 8: value = next_random(&random) % 2 ? 10000 : 5000; break;
        default: value = old ^ (1u << (next_random(&random) % 32));
        }
        for (int i = 0; i < 4; i++) at[i] = (uint8_t)(value >> (8 * i));
    }
    return size;
}
