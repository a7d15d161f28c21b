/*
 * format.h: the layout of a .jbc file, shared by the compiler (which writes it) and the
 * runtime (which verifies and loads it). spec/bytecode.md describes every field.
 *
 *   offset 0   magic "\x89JBC\r\n\x1a\n" (8 bytes; catches text-mode transfers)
 *   offset 8   u32 format version (JR_FORMAT_VERSION)
 *   offset 12  u32 section count
 *   offset 16  section directory: count x { u32 id, u32 offset, u32 length }
 *   ...        the sections, each starting on a 4-byte boundary
 *   last 4     u32 CRC-32 (zlib's) of every byte before it
 *
 * All integers are little-endian. A table section is a u32 record count followed by
 * that many records of u32 words (the structs below, in order). The three pools are
 * different: STRINGS is a count then, per string, a u32 length and its bytes (padded
 * to 4); NUMBERS a count then IEEE-754 doubles; INTEGERS a count then int64s. CODE is
 * a count then instruction words (opcodes.h). References between tables are indexes;
 * JR_NONE (0xFFFFFFFF) means "none". Durations and times are integers in milliseconds.
 */
#ifndef JR_BYTECODE_FORMAT_H
#define JR_BYTECODE_FORMAT_H
#include <stdint.h>

#define JR_MAGIC "\x89JBC\r\n\x1a\n"
#define JR_MAGIC_LENGTH 8
#define JR_FORMAT_VERSION 2u
#define JR_NONE 0xFFFFFFFFu

/* Bounds the loader enforces before it allocates anything. */
#define JR_MAX_FILE_BYTES (256u * 1024 * 1024)
#define JR_MAX_TABLE_RECORDS (1u << 22)
#define JR_MAX_FUNCTION_WORDS (1u << 16) /* jump targets fit the 16-bit B operand */
#define JR_MAX_STACK 256u
#define JR_MAX_SLOTS 256u                /* frame slots of one journey */

/* JR_SECTION(NAME, id, record fields): the fields are a list of F(name) */
#define JR_SECTION_LIST(S)                                                                     \
    S(STRINGS, 1, )                                                                            \
    S(NUMBERS, 2, )                                                                            \
    S(INTEGERS, 3, )                                                                           \
    S(EVENTS, 4, F(name) F(external_name) F(first_field) F(field_count))                       \
    S(FIELDS, 5, F(name) F(type))                                                              \
    S(ATTRIBUTES, 6, F(name) F(type) F(default_kind) F(default_value))                         \
    S(SCORES, 7, F(name) F(first_rule) F(rule_count) F(decay_percent) F(decay_period))         \
    S(SCORE_RULES, 8, F(event) F(where_function) F(delta))                                     \
    S(SEGMENTS, 9, F(name) F(function))                                                        \
    S(AGGREGATES, 10, F(kind) F(event) F(field) F(where_function) F(window))                   \
    S(CHANNELS, 11, F(name))                                                                   \
    S(MESSAGES, 12, F(name) F(channel) F(template_name) F(transactional) F(first_field)       \
                        F(field_count))                                                        \
    S(MESSAGE_FIELDS, 13, F(key) F(function))                                                  \
    S(LIMITS, 14, F(channel) F(count) F(period) F(policy))                                     \
    S(QUIET_HOURS, 15, F(from) F(to) F(channel) F(policy))                                     \
    S(JOURNEYS, 16, F(name) F(function) F(first_entry) F(entry_count) F(first_exit)           \
                        F(exit_count) F(reentry) F(reentry_after) F(goal_event)                \
                        F(goal_where) F(goal_value) F(goal_within) F(holdout) F(first_slot)    \
                        F(slot_count) F(first_node) F(node_count) F(line))                     \
    S(ENTRIES, 17, F(kind) F(target) F(where_function) F(first_copy) F(copy_count))            \
    S(EXITS, 18, F(event) F(where_function) F(line))                                           \
    S(SLOTS, 19, F(type))                                                                      \
    S(COPIES, 20, F(field) F(slot))                                                            \
    S(WAITS, 21, F(event) F(where_function) F(has_timeout) F(first_copy) F(copy_count))        \
    S(SELECTS, 22, F(first_arm) F(arm_count) F(has_after) F(after_target))                     \
    S(SELECT_ARMS, 23, F(event) F(where_function) F(first_copy) F(copy_count) F(target))       \
    S(SPLITS, 24, F(name) F(first_arm) F(arm_count))                                           \
    S(SPLIT_ARMS, 25, F(basis_points) F(label) F(target))                                      \
    S(NODES, 26, F(journey) F(kind) F(parent) F(step) F(line) F(column) F(label))              \
    S(EXTERNS, 27, F(library) F(name) F(result) F(parameters))                                 \
    S(FUNCTIONS, 28, F(kind) F(journey) F(event) F(result) F(first_word) F(word_count)        \
                         F(max_stack) F(first_line) F(line_count))                             \
    S(CODE, 29, )                                                                              \
    S(LINES, 30, F(word) F(file) F(line))                                                      \
    S(PROGRAM, 31, F(source) F(compiler_version))

typedef enum jr_section_id {
#define S(name, id, fields) JR_SECTION_##name = id,
    JR_SECTION_LIST(S)
#undef S
    JR_SECTION_LIMIT
} jr_section_id;

/* One struct per table: jr_<name>_record, e.g. jr_EVENTS_record. */
#define F(field) uint32_t field;
#define S(name, id, fields) typedef struct jr_##name##_record { fields } jr_##name##_record;
JR_SECTION_LIST(S)
#undef S
#undef F

/* attribute default_kind */
enum { JR_DEFAULT_NONE, JR_DEFAULT_NUMBER, JR_DEFAULT_STRING, JR_DEFAULT_BOOL, JR_DEFAULT_INTEGER };
/* aggregate kind */
enum { JR_AGGREGATE_COUNT, JR_AGGREGATE_SUM, JR_AGGREGATE_AVG, JR_AGGREGATE_MIN, JR_AGGREGATE_MAX };
/* limit and quiet-hours policy */
enum { JR_POLICY_DEFAULT, JR_POLICY_DEFER, JR_POLICY_SUPPRESS };
/* journey reentry */
enum { JR_REENTRY_NEVER, JR_REENTRY_ALWAYS, JR_REENTRY_AFTER };
/* entry kind */
enum { JR_ENTRY_EVENT, JR_ENTRY_SEGMENT };
/* function kind */
enum { JR_FUNCTION_JOURNEY, JR_FUNCTION_EXPRESSION };
/* Node kinds (NODES.kind): a journey's statements, then the arms of its branching
 * statements. JR_NODE_KIND(NAME, spelling, is_arm); numbered in this order. */
#define JR_NODE_KIND_LIST(K)          \
    K(SEND, "send", 0)                \
    K(WAIT, "wait", 0)                \
    K(WAIT_UNTIL, "wait until", 0)    \
    K(WAIT_FOR, "wait for", 0)        \
    K(SELECT, "select", 0)            \
    K(IF, "if", 0)                    \
    K(SPLIT, "split", 0)              \
    K(SET, "set", 0)                  \
    K(LET, "let", 0)                  \
    K(AUDIENCE, "audience", 0)        \
    K(EMIT, "emit", 0)                \
    K(TRACK, "track", 0)              \
    K(STEP, "step", 0)                \
    K(REPEAT, "repeat", 0)            \
    K(WHILE, "while", 0)              \
    K(EXIT, "exit", 0)                \
    K(THEN, "then", 1)                \
    K(ELSE, "else", 1)                \
    K(RECEIVED, "received", 1)        \
    K(TIMED_OUT, "timed out", 1)      \
    K(ON, "on", 1)                    \
    K(AFTER, "after", 1)              \
    K(ARM, "arm", 1)                  \
    K(BODY, "body", 1)

typedef enum jr_node_kind {
#define K(name, spelling, is_arm) JR_NODE_##name,
    JR_NODE_KIND_LIST(K)
#undef K
    JR_NODE_KIND_COUNT
} jr_node_kind;

/* comparison relations (operand of COMPARE_*) */
enum { JR_RELATION_EQUAL, JR_RELATION_NOT_EQUAL, JR_RELATION_LESS, JR_RELATION_LESS_EQUAL,
       JR_RELATION_GREATER, JR_RELATION_GREATER_EQUAL };

/* Opcodes, numbered in the order of opcodes.h. */
typedef enum jr_opcode {
#define JR_OPCODE(name, operands, pops, pushes, description) JR_OP_##name,
#include "opcodes.h"
#undef JR_OPCODE
    JR_OPCODE_COUNT
} jr_opcode;

/* Built-in functions, numbered in the order of builtins.h. */
typedef enum jr_builtin {
#define JR_BUILTIN(id, name, result, parameters, description) JR_BUILTIN_##id,
#include "builtins.h"
#undef JR_BUILTIN
    JR_BUILTIN_COUNT
} jr_builtin;

/* Names and shapes from the X-macro tables, for the disassembler, the loader and the
 * verifier (functions, so that a file using some of them does not warn of the rest). */
static inline const char *jr_opcode_name(uint32_t op)
{
    static const char *const names[] = {
#define JR_OPCODE(name, operands, pops, pushes, description) #name,
#include "opcodes.h"
#undef JR_OPCODE
    };
    return op < JR_OPCODE_COUNT ? names[op] : "?";
}
static inline const char *jr_opcode_operands(uint32_t op)
{
    static const char *const operands[] = {
#define JR_OPCODE(name, operands, pops, pushes, description) operands,
#include "opcodes.h"
#undef JR_OPCODE
    };
    return op < JR_OPCODE_COUNT ? operands[op] : "";
}
static inline const char *jr_opcode_pops(uint32_t op)
{
    static const char *const pops[] = {
#define JR_OPCODE(name, operands, pops, pushes, description) pops,
#include "opcodes.h"
#undef JR_OPCODE
    };
    return op < JR_OPCODE_COUNT ? pops[op] : "";
}
static inline const char *jr_opcode_pushes(uint32_t op)
{
    static const char *const pushes[] = {
#define JR_OPCODE(name, operands, pops, pushes, description) pushes,
#include "opcodes.h"
#undef JR_OPCODE
    };
    return op < JR_OPCODE_COUNT ? pushes[op] : "";
}
static inline const char *jr_builtin_name(uint32_t builtin)
{
    static const char *const names[] = {
#define JR_BUILTIN(id, name, result, parameters, description) name,
#include "builtins.h"
#undef JR_BUILTIN
    };
    return builtin < JR_BUILTIN_COUNT ? names[builtin] : "?";
}
static inline const char *jr_builtin_result(uint32_t builtin)
{
    static const char *const results[] = {
#define JR_BUILTIN(id, name, result, parameters, description) result,
#include "builtins.h"
#undef JR_BUILTIN
    };
    return builtin < JR_BUILTIN_COUNT ? results[builtin] : "";
}
static inline const char *jr_builtin_parameters(uint32_t builtin)
{
    static const char *const parameters[] = {
#define JR_BUILTIN(id, name, result, parameters, description) parameters,
#include "builtins.h"
#undef JR_BUILTIN
    };
    return builtin < JR_BUILTIN_COUNT ? parameters[builtin] : "";
}
static inline const char *jr_node_kind_name(uint32_t kind)
{
    static const char *const names[] = {
#define K(name, spelling, is_arm) spelling,
        JR_NODE_KIND_LIST(K)
#undef K
    };
    return kind < JR_NODE_KIND_COUNT ? names[kind] : "?";
}
static inline int jr_node_kind_is_arm(uint32_t kind)
{
    static const unsigned char arms[] = {
#define K(name, spelling, is_arm) is_arm,
        JR_NODE_KIND_LIST(K)
#undef K
    };
    return kind < JR_NODE_KIND_COUNT && arms[kind];
}
/* Words per record of a table section; 0 for the pools and the code. */
static inline uint32_t jr_record_width(uint32_t section)
{
    static const uint32_t widths[JR_SECTION_LIMIT] = {
#define F(field) +1
#define S(name, id, fields) [id] = 0 fields,
        JR_SECTION_LIST(S)
#undef S
#undef F
    };
    return section < JR_SECTION_LIMIT ? widths[section] : 0;
}
static inline const char *jr_section_name(uint32_t section)
{
    static const char *const names[JR_SECTION_LIMIT] = {
#define S(name, id, fields) [id] = #name,
        JR_SECTION_LIST(S)
#undef S
    };
    return section < JR_SECTION_LIMIT && names[section] ? names[section] : "?";
}

static inline uint32_t jr_encode(jr_opcode op, uint32_t operand) { return (uint32_t)op | (operand << 8); }
static inline uint32_t jr_encode_ab(jr_opcode op, uint32_t a, uint32_t b)
{
    return (uint32_t)op | ((a & 0xFFu) << 8) | ((b & 0xFFFFu) << 16);
}
static inline jr_opcode jr_decode_op(uint32_t word) { return (jr_opcode)(word & 0xFFu); }
static inline uint32_t jr_decode_u(uint32_t word) { return word >> 8; }
static inline uint32_t jr_decode_a(uint32_t word) { return (word >> 8) & 0xFFu; }
static inline uint32_t jr_decode_b(uint32_t word) { return word >> 16; }

#endif
