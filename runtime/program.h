/* program.h: a loaded, verified program: the tables of bytecode/format.h decoded into
 * native arrays. Only the loader builds one; everything else reads it, so one program
 * may be shared by any number of VMs and threads. */
#ifndef JR_PROGRAM_INTERNAL_H
#define JR_PROGRAM_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bytecode/format.h"
#include "journey.h"

typedef struct jr_text {
    const char *bytes; /* NUL-terminated */
    uint32_t length;
} jr_text;

typedef struct jr_table_view {
    void *records;
    uint32_t count;
} jr_table_view;

struct jr_program {
    jr_allocator allocator;
    void *storage; /* one block holding every table, pool and string */
    jr_text *strings;
    uint32_t string_count;
    double *numbers;
    uint32_t number_count;
    int64_t *integers;
    uint32_t integer_count;
    uint32_t *code;
    uint32_t code_count;
    jr_table_view tables[JR_SECTION_LIMIT];
    /* derived at load time */
    jr_schema schema;
    jr_schema_event *schema_events;
    jr_schema_field *schema_fields;
    jr_schema_field *schema_attributes;
    uint32_t max_stack;
    uint32_t bytecode_crc; /* the CRC-32 at the end of the .jbc: snapshots name their program by it */
    /* the externs bound to host natives and library functions (natives.c); NULL when
     * the program has none */
    struct jr_natives *natives;
};

#define JR_TABLE(program, NAME) ((jr_##NAME##_record *)(program)->tables[JR_SECTION_##NAME].records)
#define JR_COUNT(program, NAME) ((program)->tables[JR_SECTION_##NAME].count)

/* support.c */
void *jr_default_realloc(void *user, void *pointer, size_t size);
/* 32-bit FNV-1a, for the runtime's hash tables (not for anything stored or compared
 * across runs: holdouts and splits use their own 64-bit hash, spec/language.md 6.5). */
uint32_t jr_hash_bytes(const char *bytes, uint32_t length);
jr_status jr_fail(jr_error *error, jr_status status, const char *format, ...) __attribute__((format(printf, 3, 4)));

/* Verification of the functions (verifier.c). Returns false with a reason. */
bool jr_verify_functions(const jr_program *program, char *reason, size_t size);

#endif
