/* program.h: a compiled program being built in memory, before bytecode_writer.c lays
 * it out as a .jbc file. Tables hold the records of bytecode/format.h; the pools
 * deduplicate strings, numbers and integers. */
#ifndef JC_PROGRAM_H
#define JC_PROGRAM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bytecode/format.h"

typedef struct jc_table {
    uint32_t *words;
    uint32_t count;    /* records */
    uint32_t width;    /* words per record */
    uint32_t capacity; /* records */
} jc_table;

typedef struct jc_program {
    jc_table tables[JR_SECTION_LIMIT];
    /* strings */
    char **strings;
    uint32_t *string_lengths;
    uint32_t string_count, string_capacity;
    uint32_t *string_buckets; /* index + 1, 0 = empty */
    uint32_t string_bucket_count;
    /* numbers and integers (small: linear dedupe is fine) */
    double *numbers;
    uint32_t number_count, number_capacity;
    int64_t *integers;
    uint32_t integer_count, integer_capacity;
    /* code */
    uint32_t *code;
    uint32_t code_count, code_capacity;
    bool out_of_memory;
} jc_program;

void jc_program_init(jc_program *program);
void jc_program_free(jc_program *program);
/* Appends a record (a jr_<TABLE>_record) and returns its index. */
uint32_t jc_program_add(jc_program *program, jr_section_id table, const void *record);
void *jc_program_record(jc_program *program, jr_section_id table, uint32_t index);
uint32_t jc_program_string(jc_program *program, const char *bytes, size_t length);
uint32_t jc_program_cstring(jc_program *program, const char *text);
uint32_t jc_program_number(jc_program *program, double value);
uint32_t jc_program_integer(jc_program *program, int64_t value);
uint32_t jc_program_code(jc_program *program, uint32_t word);

/* Serialises to a malloc'ed buffer; returns false when out of memory. */
bool jc_program_serialize(const jc_program *program, uint8_t **bytes, size_t *length);

#endif
