/* bytecode_writer.c: the in-memory program (tables, pools, code) and its layout as a
 * .jbc file (bytecode/format.h). */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "program.h"

void jc_program_init(jc_program *program)
{
    memset(program, 0, sizeof *program);
    for (int id = 0; id < JR_SECTION_LIMIT; id++) program->tables[id].width = jr_record_width(id);
}

void jc_program_free(jc_program *program)
{
    for (int id = 0; id < JR_SECTION_LIMIT; id++) free(program->tables[id].words);
    for (uint32_t i = 0; i < program->string_count; i++) free(program->strings[i]);
    free(program->strings);
    free(program->string_lengths);
    free(program->string_buckets);
    free(program->numbers);
    free(program->integers);
    free(program->code);
    memset(program, 0, sizeof *program);
}

static bool reserve(jc_program *program, void **items, uint32_t *capacity, uint32_t needed, size_t size)
{
    if (needed <= *capacity) return true;
    uint32_t grown = *capacity ? *capacity : 16;
    while (grown < needed) grown *= 2;
    void *memory = realloc(*items, size * grown);
    if (!memory) {
        program->out_of_memory = true;
        return false;
    }
    *items = memory;
    *capacity = grown;
    return true;
}

uint32_t jc_program_add(jc_program *program, jr_section_id id, const void *record)
{
    jc_table *table = &program->tables[id];
    if (!reserve(program, (void **)&table->words, &table->capacity, table->count + 1,
                 sizeof(uint32_t) * table->width))
        return 0;
    memcpy(table->words + (size_t)table->count * table->width, record, sizeof(uint32_t) * table->width);
    return table->count++;
}

void *jc_program_record(jc_program *program, jr_section_id id, uint32_t index)
{
    jc_table *table = &program->tables[id];
    return table->words + (size_t)index * table->width;
}

static uint32_t hash_string(const char *bytes, size_t length)
{
    uint32_t hash = 2166136261u;
    for (size_t i = 0; i < length; i++) hash = (hash ^ (unsigned char)bytes[i]) * 16777619u;
    return hash;
}

static bool rehash_strings(jc_program *program)
{
    uint32_t count = program->string_bucket_count ? program->string_bucket_count * 2 : 256;
    uint32_t *buckets = calloc(count, sizeof *buckets);
    if (!buckets) {
        program->out_of_memory = true;
        return false;
    }
    for (uint32_t i = 0; i < program->string_count; i++) {
        uint32_t slot = hash_string(program->strings[i], program->string_lengths[i]) & (count - 1);
        while (buckets[slot]) slot = (slot + 1) & (count - 1);
        buckets[slot] = i + 1;
    }
    free(program->string_buckets);
    program->string_buckets = buckets;
    program->string_bucket_count = count;
    return true;
}

uint32_t jc_program_string(jc_program *program, const char *bytes, size_t length)
{
    if ((program->string_count + 1) * 2 > program->string_bucket_count && !rehash_strings(program)) return 0;
    uint32_t mask = program->string_bucket_count - 1;
    uint32_t slot = hash_string(bytes, length) & mask;
    for (; program->string_buckets[slot]; slot = (slot + 1) & mask) {
        uint32_t index = program->string_buckets[slot] - 1;
        if (program->string_lengths[index] == length && memcmp(program->strings[index], bytes, length) == 0)
            return index;
    }
    if (program->string_count == program->string_capacity) {
        uint32_t capacity = program->string_capacity ? program->string_capacity * 2 : 64;
        char **strings = realloc(program->strings, sizeof *strings * capacity);
        if (strings) program->strings = strings;
        uint32_t *lengths = strings ? realloc(program->string_lengths, sizeof *lengths * capacity) : NULL;
        if (lengths) program->string_lengths = lengths;
        if (!strings || !lengths) {
            program->out_of_memory = true;
            return 0;
        }
        program->string_capacity = capacity;
    }
    char *copy = malloc(length + 1);
    if (!copy) {
        program->out_of_memory = true;
        return 0;
    }
    memcpy(copy, bytes, length);
    copy[length] = '\0';
    uint32_t index = program->string_count++;
    program->strings[index] = copy;
    program->string_lengths[index] = (uint32_t)length;
    program->string_buckets[slot] = index + 1;
    return index;
}

uint32_t jc_program_cstring(jc_program *program, const char *text)
{
    return jc_program_string(program, text, strlen(text));
}

uint32_t jc_program_number(jc_program *program, double value)
{
    for (uint32_t i = 0; i < program->number_count; i++)
        if (memcmp(&program->numbers[i], &value, sizeof value) == 0) return i;
    if (!reserve(program, (void **)&program->numbers, &program->number_capacity, program->number_count + 1,
                 sizeof(double)))
        return 0;
    program->numbers[program->number_count] = value;
    return program->number_count++;
}

uint32_t jc_program_integer(jc_program *program, int64_t value)
{
    for (uint32_t i = 0; i < program->integer_count; i++)
        if (program->integers[i] == value) return i;
    if (!reserve(program, (void **)&program->integers, &program->integer_capacity, program->integer_count + 1,
                 sizeof(int64_t)))
        return 0;
    program->integers[program->integer_count] = value;
    return program->integer_count++;
}

uint32_t jc_program_code(jc_program *program, uint32_t word)
{
    if (!reserve(program, (void **)&program->code, &program->code_capacity, program->code_count + 1,
                 sizeof(uint32_t)))
        return 0;
    program->code[program->code_count] = word;
    return program->code_count++;
}

/* ---- serialisation ------------------------------------------------------------- */

typedef struct buffer {
    uint8_t *bytes;
    size_t length, capacity;
    bool failed;
} buffer;

static void put_bytes(buffer *out, const void *bytes, size_t length)
{
    if (out->failed) return;
    if (out->length + length > out->capacity) {
        size_t capacity = out->capacity ? out->capacity : 4096;
        while (capacity < out->length + length) capacity *= 2;
        uint8_t *grown = realloc(out->bytes, capacity);
        if (!grown) {
            out->failed = true;
            return;
        }
        out->bytes = grown;
        out->capacity = capacity;
    }
    if (length) memcpy(out->bytes + out->length, bytes, length);
    out->length += length;
}

static void put_u32(buffer *out, uint32_t value)
{
    uint8_t bytes[4] = { (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16), (uint8_t)(value >> 24) };
    put_bytes(out, bytes, 4);
}

static void put_u64(buffer *out, uint64_t value)
{
    put_u32(out, (uint32_t)value);
    put_u32(out, (uint32_t)(value >> 32));
}

static void put_u32_at(buffer *out, size_t offset, uint32_t value)
{
    if (out->failed) return;
    uint8_t bytes[4] = { (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16), (uint8_t)(value >> 24) };
    memcpy(out->bytes + offset, bytes, 4);
}

static void put_section(buffer *out, const jc_program *program, int id)
{
    switch (id) {
    case JR_SECTION_STRINGS:
        put_u32(out, program->string_count);
        for (uint32_t i = 0; i < program->string_count; i++) {
            static const uint8_t zeros[4] = { 0 };
            uint32_t length = program->string_lengths[i];
            put_u32(out, length);
            put_bytes(out, program->strings[i], length);
            put_bytes(out, zeros, (4 - length % 4) % 4);
        }
        break;
    case JR_SECTION_NUMBERS:
        put_u32(out, program->number_count);
        for (uint32_t i = 0; i < program->number_count; i++) {
            uint64_t bits;
            memcpy(&bits, &program->numbers[i], sizeof bits);
            put_u64(out, bits);
        }
        break;
    case JR_SECTION_INTEGERS:
        put_u32(out, program->integer_count);
        for (uint32_t i = 0; i < program->integer_count; i++) put_u64(out, (uint64_t)program->integers[i]);
        break;
    case JR_SECTION_CODE:
        put_u32(out, program->code_count);
        for (uint32_t i = 0; i < program->code_count; i++) put_u32(out, program->code[i]);
        break;
    default: {
        const jc_table *table = &program->tables[id];
        put_u32(out, table->count);
        for (size_t i = 0; i < (size_t)table->count * table->width; i++) put_u32(out, table->words[i]);
    }
    }
}

bool jc_program_serialize(const jc_program *program, uint8_t **bytes, size_t *length)
{
    buffer out = { 0 };
    uint32_t section_count = 0;
    for (int id = 1; id < JR_SECTION_LIMIT; id++) section_count++;
    put_bytes(&out, JR_MAGIC, JR_MAGIC_LENGTH);
    put_u32(&out, JR_FORMAT_VERSION);
    put_u32(&out, section_count);
    size_t directory = out.length;
    for (uint32_t i = 0; i < section_count * 3; i++) put_u32(&out, 0);
    uint32_t entry = 0;
    for (int id = 1; id < JR_SECTION_LIMIT; id++, entry++) {
        size_t start = out.length;
        put_section(&out, program, id);
        put_u32_at(&out, directory + entry * 12, (uint32_t)id);
        put_u32_at(&out, directory + entry * 12 + 4, (uint32_t)start);
        put_u32_at(&out, directory + entry * 12 + 8, (uint32_t)(out.length - start));
    }
    if (!out.failed) put_u32(&out, (uint32_t)crc32(0L, out.bytes, (uInt)out.length));
    if (out.failed || out.length > JR_MAX_FILE_BYTES) {
        free(out.bytes);
        return false;
    }
    *bytes = out.bytes;
    *length = out.length;
    return true;
}
