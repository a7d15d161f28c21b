/* test_loader.c: the bytecode loader and verifier (runtime/loader.c, runtime/verifier.c)
 * against spec/bytecode.md.
 *
 *  1. Every program the compiler makes loads: each .journey file of examples/,
 *     tests/compile/ok/ and stdlib/std/ is compiled with journeyc
 *     (the one beside this binary, BUILD/journeyc, or $JOURNEYC) into a temporary
 *     directory, loaded with jr_program_load_file, and given to a VM.
 *  2. Malformed files are rejected, each for its precise reason. The test builds its
 *     own valid program (base_program: one or more records in every table, functions
 *     of every kind, most opcodes), applies one targeted change per case (to the
 *     tables before writing, or to the bytes after), writes the right CRC again so the
 *     check under test is reached, and asserts on a substring of the error message.
 *     The file is written by this test, not by the compiler, so that the cases do not
 *     depend on how the compiler lays out a program.
 *  3. A failing allocator (failing the Nth allocation, for every N until loading
 *     succeeds) never crashes or leaks; `make test-sanitize` runs this under ASan.
 *  4. Regressions found by tests/fuzz/fuzz_loader.c, and the run-time side of the
 *     frame-slot rule (a slot read before it is written is a run-time error).
 *
 * Run from the top of the tree (tests/run.sh does). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "../../bytecode/format.h"
#include "journey.h"

/* ---- a .jbc builder ------------------------------------------------------------------ */

enum { MAX_STRINGS = 256, MAX_CONSTANTS = 64 };

typedef struct model {
    uint32_t *table[JR_SECTION_LIMIT]; /* records as words */
    uint32_t count[JR_SECTION_LIMIT], capacity[JR_SECTION_LIMIT];
    const char *strings[MAX_STRINGS];
    uint32_t string_count;
    double numbers[MAX_CONSTANTS];
    uint32_t number_count;
    int64_t integers[MAX_CONSTANTS];
    uint32_t integer_count;
    uint32_t *code;
    uint32_t code_count, code_capacity;
} model;

static void *grow(void *items, uint32_t *capacity, uint32_t needed, size_t size)
{
    if (needed <= *capacity) return items;
    uint32_t grown = *capacity ? *capacity : 16;
    while (grown < needed) grown *= 2;
    items = realloc(items, size * grown);
    assert_non_null(items);
    *capacity = grown;
    return items;
}

static uint32_t add_record(model *m, int id, const uint32_t *words)
{
    m->table[id] = grow(m->table[id], &m->capacity[id], m->count[id] + 1, sizeof(uint32_t) * jr_record_width(id));
    memcpy(m->table[id] + (size_t)m->count[id] * jr_record_width(id), words, sizeof(uint32_t) * jr_record_width(id));
    return m->count[id]++;
}

#define ADD(m, NAME, ...) add_record(m, JR_SECTION_##NAME, (const uint32_t *)&(jr_##NAME##_record){ __VA_ARGS__ })
#define REC(m, NAME, i) ((jr_##NAME##_record *)(void *)(m)->table[JR_SECTION_##NAME] + (i))
#define COUNT(m, NAME) ((m)->count[JR_SECTION_##NAME])

static uint32_t str(model *m, const char *text)
{
    for (uint32_t i = 0; i < m->string_count; i++)
        if (strcmp(m->strings[i], text) == 0) return i;
    assert_true(m->string_count < MAX_STRINGS);
    m->strings[m->string_count] = text;
    return m->string_count++;
}

static uint32_t num(model *m, double value)
{
    for (uint32_t i = 0; i < m->number_count; i++)
        if (memcmp(&m->numbers[i], &value, sizeof value) == 0) return i;
    assert_true(m->number_count < MAX_CONSTANTS);
    m->numbers[m->number_count] = value;
    return m->number_count++;
}

static uint32_t integer(model *m, int64_t value)
{
    for (uint32_t i = 0; i < m->integer_count; i++)
        if (m->integers[i] == value) return i;
    assert_true(m->integer_count < MAX_CONSTANTS);
    m->integers[m->integer_count] = value;
    return m->integer_count++;
}

/* Appends code and makes it the code of function `function`. */
static void set_code(model *m, uint32_t function, uint32_t max_stack, const uint32_t *words, uint32_t count)
{
    uint32_t first = m->code_count;
    m->code = grow(m->code, &m->code_capacity, m->code_count + count, sizeof(uint32_t));
    memcpy(m->code + first, words, sizeof(uint32_t) * count);
    m->code_count += count;
    REC(m, FUNCTIONS, function)->first_word = first;
    REC(m, FUNCTIONS, function)->word_count = count;
    REC(m, FUNCTIONS, function)->max_stack = max_stack;
}

#define CODE(m, function, max_stack, ...)                                                    \
    do {                                                                                     \
        const uint32_t code_[] = { __VA_ARGS__ };                                            \
        set_code(m, function, max_stack, code_, (uint32_t)(sizeof code_ / sizeof *code_));   \
    } while (0)
#define OP(name, operand) jr_encode(JR_OP_##name, (uint32_t)(operand))
#define OP0(name) jr_encode(JR_OP_##name, 0)
#define AB(name, a, b) jr_encode_ab(JR_OP_##name, (uint32_t)(a), (uint32_t)(b))

static void model_free(model *m)
{
    for (int id = 0; id < JR_SECTION_LIMIT; id++) free(m->table[id]);
    free(m->code);
    memset(m, 0, sizeof *m);
}

typedef struct buffer {
    uint8_t *bytes;
    size_t length, capacity;
} buffer;

static void put(buffer *b, const void *bytes, size_t length)
{
    if (b->length + length > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 4096;
        while (capacity < b->length + length) capacity *= 2;
        b->bytes = realloc(b->bytes, capacity);
        assert_non_null(b->bytes);
        b->capacity = capacity;
    }
    if (length) memcpy(b->bytes + b->length, bytes, length);
    b->length += length;
}

static void put32(buffer *b, uint32_t value)
{
    uint8_t bytes[4] = { (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16), (uint8_t)(value >> 24) };
    put(b, bytes, 4);
}

static void put64(buffer *b, uint64_t value)
{
    put32(b, (uint32_t)value);
    put32(b, (uint32_t)(value >> 32));
}

static uint32_t get32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static void set32(uint8_t *p, uint32_t value)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(value >> (8 * i));
}

static void fix_crc(uint8_t *bytes, size_t length)
{
    set32(bytes + length - 4, (uint32_t)crc32(0L, bytes, (uInt)(length - 4)));
}

/* Every section, in id order, as journeyc writes them. */
static buffer serialize(const model *m)
{
    buffer b = { 0 };
    put(&b, JR_MAGIC, JR_MAGIC_LENGTH);
    put32(&b, JR_FORMAT_VERSION);
    put32(&b, JR_SECTION_LIMIT - 1);
    size_t directory = b.length;
    for (int i = 1; i < JR_SECTION_LIMIT; i++) {
        put32(&b, 0);
        put32(&b, 0);
        put32(&b, 0);
    }
    for (int id = 1; id < JR_SECTION_LIMIT; id++) {
        size_t start = b.length;
        switch (id) {
        case JR_SECTION_STRINGS:
            put32(&b, m->string_count);
            for (uint32_t i = 0; i < m->string_count; i++) {
                uint32_t length = (uint32_t)strlen(m->strings[i]);
                put32(&b, length);
                put(&b, m->strings[i], length);
                put(&b, "\0\0\0", (4 - length % 4) % 4);
            }
            break;
        case JR_SECTION_NUMBERS:
            put32(&b, m->number_count);
            for (uint32_t i = 0; i < m->number_count; i++) {
                uint64_t bits;
                memcpy(&bits, &m->numbers[i], 8);
                put64(&b, bits);
            }
            break;
        case JR_SECTION_INTEGERS:
            put32(&b, m->integer_count);
            for (uint32_t i = 0; i < m->integer_count; i++) put64(&b, (uint64_t)m->integers[i]);
            break;
        case JR_SECTION_CODE:
            put32(&b, m->code_count);
            for (uint32_t i = 0; i < m->code_count; i++) put32(&b, m->code[i]);
            break;
        default:
            put32(&b, m->count[id]);
            for (size_t i = 0; i < (size_t)m->count[id] * jr_record_width(id); i++) put32(&b, m->table[id][i]);
        }
        uint8_t *entry = b.bytes + directory + (size_t)(id - 1) * 12;
        set32(entry, (uint32_t)id);
        set32(entry + 4, (uint32_t)start);
        set32(entry + 8, (uint32_t)(b.length - start));
    }
    put32(&b, 0);
    fix_crc(b.bytes, b.length);
    return b;
}

/* The directory entry of a section. */
static uint8_t *entry_of(buffer *b, int id)
{
    for (uint32_t i = 0; i < get32(b->bytes + 12); i++)
        if (get32(b->bytes + 16 + 12 * i) == (uint32_t)id) return b->bytes + 16 + 12 * i;
    fail_msg("no section %d", id);
    return NULL;
}

static uint8_t *section_of(buffer *b, int id) { return b->bytes + get32(entry_of(b, id) + 4); }

/* ---- the base program ------------------------------------------------------------------ */

/* Indexes of its records, referred to by the cases. */
enum {
    E_SIGNED_UP, E_ORDER,                                  /* events */
    F_RULE, F_SEGMENT, F_AGGREGATE, F_MESSAGE, F_ENTRY,    /* functions */
    F_EXIT, F_GOAL, F_GOAL_VALUE, F_WAIT, F_MISC, F_JOURNEY,
    FUNCTION_COUNT
};
enum { BASE_FUNCTION = F_RULE }; /* function index = F_x - BASE_FUNCTION */
#define FN(x) ((uint32_t)((x) - BASE_FUNCTION))

static const int64_t HOUR = 3600000, DAY = 86400000;

/* A valid program with records in every table. Its journey:
 *
 *    0 NODE 0                       the step "intro" (node 1 is a send in it)
 *    1 LOAD_LOCAL 1 0               plan ?? "nobody"  (slot 0: only one entry binds it)
 *    2 JUMP_IF_PRESENT s -> 4
 *    3 PUSH_STRING "nobody"
 *    4 PAYLOAD_ADD s "plan"
 *    5 SEND welcome
 *    6 AUDIENCE add "trial"
 *    7 PUSH_DURATION 1d ; 8 WAIT
 *    9 WAIT_UNTIL_CLOCK 10:00
 *   10 PUSH_NOW ; 11 PUSH_DURATION 1h ; 12 ADD_DURATION ; 13 WAIT_UNTIL
 *   14 PUSH_DURATION 7d ; 15 WAIT_FOR 0 (binds slot 1)
 *   16 JUMP_IF_TRUE_KEEP -> 19 ; 17 EXIT ; 18 HALT (unreachable)
 *   19 POP b ; 20 LOAD_LOCAL 0 1 ; 21 STORE_LOCAL 2
 *   22 PUSH_DURATION 1h ; 23 SELECT 0 (arm -> 24 binding slot 3, after -> 27)
 *   24 LOAD_LOCAL 0 3 ; 25 SET_ATTRIBUTE credits ; 26 JUMP -> 28
 *   27 EMIT "no_order"
 *   28 SPLIT 0 (-> 29, -> 33)
 *   29 LOAD_LOCAL 0 2 ; 30 PAYLOAD_ADD n "seats" ; 31 TRACK signed_up ; 32 JUMP -> 34
 *   33 NODE 1
 *   34 LOAD_ATTRIBUTE 0 vip ; 35 JUMP_IF_FALSE -> 37 ; 36 EXIT ; 37 HALT */
static void base_program(model *m)
{
    memset(m, 0, sizeof *m);
    uint32_t none = JR_NONE;
    /* events and fields */
    ADD(m, EVENTS, str(m, "signed_up"), str(m, "Signed Up"), 0, 2);
    ADD(m, EVENTS, str(m, "order"), str(m, "Order Completed"), 2, 2);
    ADD(m, FIELDS, str(m, "plan"), 's');
    ADD(m, FIELDS, str(m, "seats"), 'n');
    ADD(m, FIELDS, str(m, "revenue"), 'n');
    ADD(m, FIELDS, str(m, "at"), 't');
    /* attributes, one per default kind */
    ADD(m, ATTRIBUTES, str(m, "plan"), 's', JR_DEFAULT_NONE, none);
    ADD(m, ATTRIBUTES, str(m, "credits"), 'n', JR_DEFAULT_NUMBER, num(m, 0));
    ADD(m, ATTRIBUTES, str(m, "vip"), 'b', JR_DEFAULT_BOOL, 0);
    ADD(m, ATTRIBUTES, str(m, "cooldown"), 'd', JR_DEFAULT_INTEGER, integer(m, HOUR));
    ADD(m, ATTRIBUTES, str(m, "nickname"), 's', JR_DEFAULT_STRING, str(m, "friend"));
    /* scores, segments, aggregates */
    ADD(m, SCORES, str(m, "engagement"), 0, 1, num(m, 0.1), integer(m, 7 * DAY));
    ADD(m, SCORE_RULES, E_ORDER, FN(F_RULE), num(m, 10));
    ADD(m, SEGMENTS, str(m, "buyers"), FN(F_SEGMENT));
    ADD(m, AGGREGATES, JR_AGGREGATE_SUM, E_ORDER, 0, none, integer(m, 30 * DAY));
    ADD(m, AGGREGATES, JR_AGGREGATE_COUNT, E_SIGNED_UP, none, FN(F_AGGREGATE), none);
    /* sending */
    ADD(m, CHANNELS, str(m, "email"));
    ADD(m, MESSAGES, str(m, "welcome"), 0, str(m, "welcome-template"), 0, 0, 1);
    ADD(m, MESSAGE_FIELDS, str(m, "greeting"), FN(F_MESSAGE));
    ADD(m, LIMITS, 0, 3, integer(m, 7 * DAY), JR_POLICY_DEFAULT);
    ADD(m, QUIET_HOURS, 79200, 28800, none, JR_POLICY_DEFER);
    /* the journey */
    ADD(m, JOURNEYS, .name = str(m, "onboarding"), .function = FN(F_JOURNEY), .first_entry = 0, .entry_count = 2,
        .first_exit = 0, .exit_count = 1, .reentry = JR_REENTRY_AFTER, .reentry_after = integer(m, 30 * DAY),
        .goal_event = E_ORDER, .goal_where = FN(F_GOAL), .goal_value = FN(F_GOAL_VALUE),
        .goal_within = integer(m, 30 * DAY), .holdout = 1000, .first_slot = 0, .slot_count = 4, .first_node = 0,
        .node_count = 2, .line = 1);
    ADD(m, ENTRIES, JR_ENTRY_EVENT, E_SIGNED_UP, FN(F_ENTRY), 0, 1);
    ADD(m, ENTRIES, JR_ENTRY_SEGMENT, 0, none, 0, 0);
    ADD(m, EXITS, E_ORDER, FN(F_EXIT), 3);
    ADD(m, SLOTS, 's'); /* 0: the entry's plan */
    ADD(m, SLOTS, 'n'); /* 1: the wait's revenue */
    ADD(m, SLOTS, 'n'); /* 2: a let */
    ADD(m, SLOTS, 'n'); /* 3: the select arm's revenue */
    ADD(m, COPIES, 0, 0);
    ADD(m, COPIES, 0, 1);
    ADD(m, COPIES, 0, 3);
    ADD(m, WAITS, E_ORDER, FN(F_WAIT), 1, 1, 1);
    ADD(m, SELECTS, 0, 1, 1, 27);
    ADD(m, SELECT_ARMS, E_ORDER, none, 2, 1, 24);
    ADD(m, SPLITS, str(m, "ab"), 0, 2);
    ADD(m, SPLIT_ARMS, 5000, str(m, "a"), 29);
    ADD(m, SPLIT_ARMS, 5000, none, 33);
    ADD(m, NODES, 0, JR_NODE_STEP, none, none, 5, 5, str(m, "intro"));
    ADD(m, NODES, 0, JR_NODE_SEND, 0, 0, 6, 9, str(m, "welcome"));
    ADD(m, EXTERNS, str(m, "libx.so"), str(m, "score_of"), 'n', str(m, "ns"));
    ADD(m, PROGRAM, str(m, "base.journey"), str(m, "test_loader"));
    /* functions: kind, journey, event, result; code below */
    static const struct { uint32_t kind, journey, event, result; } functions[] = {
        [FN(F_RULE)] = { JR_FUNCTION_EXPRESSION, JR_NONE, E_ORDER, 'b' },
        [FN(F_SEGMENT)] = { JR_FUNCTION_EXPRESSION, JR_NONE, JR_NONE, 'b' },
        [FN(F_AGGREGATE)] = { JR_FUNCTION_EXPRESSION, JR_NONE, E_SIGNED_UP, 'b' },
        [FN(F_MESSAGE)] = { JR_FUNCTION_EXPRESSION, JR_NONE, JR_NONE, 's' },
        [FN(F_ENTRY)] = { JR_FUNCTION_EXPRESSION, JR_NONE, E_SIGNED_UP, 'b' },
        [FN(F_EXIT)] = { JR_FUNCTION_EXPRESSION, 0, E_ORDER, 'b' },
        [FN(F_GOAL)] = { JR_FUNCTION_EXPRESSION, 0, E_ORDER, 'b' },
        [FN(F_GOAL_VALUE)] = { JR_FUNCTION_EXPRESSION, 0, E_ORDER, 'n' },
        [FN(F_WAIT)] = { JR_FUNCTION_EXPRESSION, 0, E_ORDER, 'b' },
        [FN(F_MISC)] = { JR_FUNCTION_EXPRESSION, JR_NONE, JR_NONE, 'n' },
        [FN(F_JOURNEY)] = { JR_FUNCTION_JOURNEY, 0, JR_NONE, 0 },
    };
    uint32_t file = str(m, "base.journey");
    for (uint32_t i = 0; i < FN(FUNCTION_COUNT); i++) {
        ADD(m, FUNCTIONS, functions[i].kind, functions[i].journey, functions[i].event, functions[i].result, 0, 0, 0, i,
            1);
        ADD(m, LINES, 0, file, 10 + i);
    }
    CODE(m, FN(F_RULE), 2, AB(LOAD_FIELD, 0, 0), OP(PUSH_NUMBER, num(m, 10)),
         OP(COMPARE_NUMBERS, JR_RELATION_GREATER), OP0(RETURN));
    CODE(m, FN(F_SEGMENT), 2, OP(LOAD_SCORE, 0), OP(PUSH_NUMBER, num(m, 1)),
         OP(COMPARE_NUMBERS, JR_RELATION_GREATER_EQUAL), OP(JUMP_IF_TRUE_KEEP, 7), AB(LOAD_AGGREGATE, 0, 0),
         OP(PUSH_NUMBER, num(m, 10)), OP(COMPARE_NUMBERS, JR_RELATION_GREATER), OP0(RETURN));
    CODE(m, FN(F_AGGREGATE), 2, AB(LOAD_FIELD, 1, 0), AB(JUMP_IF_PRESENT, 's', 3), OP(PUSH_STRING, str(m, "free")),
         OP(PUSH_STRING, str(m, "pro*")), OP0(MATCH_GLOB), OP0(RETURN));
    CODE(m, FN(F_MESSAGE), 2, OP(PUSH_STRING, str(m, "Hi ")), AB(LOAD_ATTRIBUTE, 1, 4), AB(JUMP_IF_PRESENT, 's', 4),
         OP(PUSH_STRING, str(m, "there")), OP0(CONCATENATE), OP(PUSH_NUMBER, num(m, 1)), OP(TO_STRING, 'n'),
         OP0(CONCATENATE), OP0(RETURN));
    CODE(m, FN(F_ENTRY), 2, AB(LOAD_FIELD, 0, 1), OP(PUSH_NUMBER, num(m, 0)), OP(COMPARE_NUMBERS, JR_RELATION_GREATER),
         OP(JUMP_IF_FALSE_KEEP, 7), OP0(PUSH_CONTACT_ID), OP(PUSH_STRING, str(m, "")),
         OP(COMPARE_STRINGS, JR_RELATION_NOT_EQUAL), OP0(RETURN));
    CODE(m, FN(F_EXIT), 2, AB(LOAD_FIELD, 0, 0), AB(LOAD_LOCAL, 1, 2), AB(JUMP_IF_PRESENT, 'n', 4),
         OP(PUSH_NUMBER, num(m, 0)), OP(COMPARE_NUMBERS, JR_RELATION_GREATER_EQUAL), OP0(RETURN));
    CODE(m, FN(F_GOAL), 2, AB(LOAD_FIELD, 0, 1), OP0(PUSH_NOW), OP(COMPARE_TIMES, JR_RELATION_LESS_EQUAL), OP0(RETURN));
    CODE(m, FN(F_GOAL_VALUE), 1, AB(LOAD_FIELD, 0, 0), OP0(RETURN));
    CODE(m, FN(F_WAIT), 2, AB(LOAD_FIELD, 0, 0), OP(PUSH_NUMBER, num(m, 0)), OP(COMPARE_NUMBERS, JR_RELATION_GREATER),
         OP0(RETURN));
    uint32_t one = num(m, 1), two = num(m, 2);
    CODE(m, FN(F_MISC), 4,
         /* time and duration arithmetic */
         OP0(PUSH_NOW), OP(PUSH_DURATION, integer(m, DAY)), OP0(ADD_DURATION), OP(PUSH_DURATION, integer(m, HOUR)),
         OP0(SUBTRACT_DURATION), OP0(PUSH_NOW), OP0(SUBTRACT_TIMES), OP(PUSH_DURATION, integer(m, DAY)),
         OP0(ADD_DURATIONS), OP(PUSH_DURATION, integer(m, HOUR)), OP0(SUBTRACT_DURATIONS), OP(PUSH_NUMBER, two),
         OP0(SCALE_DURATION), OP(PUSH_NUMBER, two), OP0(DIVIDE_DURATION), OP0(NEGATE_DURATION),
         OP(PUSH_DURATION, integer(m, HOUR)), OP0(DURATION_RATIO),
         /* numbers */
         OP(PUSH_NUMBER, one), OP0(ADD_NUMBERS), OP(PUSH_NUMBER, one), OP0(SUBTRACT_NUMBERS), OP(PUSH_NUMBER, two),
         OP0(MULTIPLY_NUMBERS), OP(PUSH_NUMBER, two), OP0(DIVIDE_NUMBERS), OP0(NEGATE_NUMBER),
         /* comparisons, logic, in */
         OP(PUSH_DURATION, integer(m, HOUR)), OP(PUSH_DURATION, integer(m, DAY)), OP(COMPARE_DURATIONS, JR_RELATION_LESS),
         OP0(PUSH_FALSE), OP(COMPARE_BOOLS, JR_RELATION_EQUAL), OP0(NOT), OP(POP, 'b'), OP(PUSH_NUMBER, one),
         OP(PUSH_NUMBER, two), OP(PUSH_NUMBER, one), AB(IS_IN, 'n', 2), OP(POP, 'b'),
         /* calls */
         OP(CALL_BUILTIN, JR_BUILTIN_ABS), OP(PUSH_NUMBER, two), OP(CALL_BUILTIN, JR_BUILTIN_DAYS),
         OP(CALL_BUILTIN, JR_BUILTIN_IN_HOURS), OP0(ADD_NUMBERS), OP(PUSH_NUMBER, one), OP(PUSH_STRING, str(m, "x")),
         OP(CALL_EXTERN, 0), OP0(ADD_NUMBERS), OP(PUSH_NUMBER, one), OP0(SWAP), OP0(SUBTRACT_NUMBERS),
         OP(JUMP, 53), OP(POP, 'n'), OP0(RETURN));
    CODE(m, FN(F_JOURNEY), 2, OP(NODE, 0), AB(LOAD_LOCAL, 1, 0), AB(JUMP_IF_PRESENT, 's', 4),
         OP(PUSH_STRING, str(m, "nobody")), AB(PAYLOAD_ADD, 's', str(m, "plan")), OP(SEND, 0),
         AB(AUDIENCE, 1, str(m, "trial")), OP(PUSH_DURATION, integer(m, DAY)), OP0(WAIT), OP(WAIT_UNTIL_CLOCK, 36000),
         OP0(PUSH_NOW), OP(PUSH_DURATION, integer(m, HOUR)), OP0(ADD_DURATION), OP0(WAIT_UNTIL),
         OP(PUSH_DURATION, integer(m, 7 * DAY)), OP(WAIT_FOR, 0), OP(JUMP_IF_TRUE_KEEP, 19), OP0(EXIT), OP0(HALT),
         OP(POP, 'b'), AB(LOAD_LOCAL, 0, 1), OP(STORE_LOCAL, 2), OP(PUSH_DURATION, integer(m, HOUR)), OP(SELECT, 0),
         AB(LOAD_LOCAL, 0, 3), OP(SET_ATTRIBUTE, 1), OP(JUMP, 28), OP(EMIT, str(m, "no_order")), OP(SPLIT, 0),
         AB(LOAD_LOCAL, 0, 2), AB(PAYLOAD_ADD, 'n', str(m, "seats")), OP(TRACK, E_SIGNED_UP), OP(JUMP, 34),
         OP(NODE, 1), AB(LOAD_ATTRIBUTE, 0, 2), OP(JUMP_IF_FALSE, 37), OP0(EXIT), OP0(HALT));
}

/* Externs must be bound for a program to load (spec/language.md 5.11): the base
 * program's `score_of` of "libx.so", and the externs of tests/compile/ok, are bound to
 * a stand-in host native that returns the zero value of its result type. */
static bool stand_in_native(void *user, const jr_native_value *arguments, uint32_t count, jr_native_value *result,
                            jr_error *error)
{
    (void)user, (void)arguments, (void)count, (void)error;
    if (result->type == 's') result->as.string.bytes = "";
    return true;
}

static const jr_native stand_in_natives[] = {
    { "libx.so", "score_of", "ns:n", stand_in_native, NULL },
    { "libchurn.so", "churn_risk", "nsb:n", stand_in_native, NULL },
    { "libcatalog.so", "category", "s:s", stand_in_native, NULL },
    { "libflags.so", "in_beta", ":b", stand_in_native, NULL },
    { "libflags.so", "flag_enabled", "s:b", stand_in_native, NULL },
    { "libclock.so", "uptime", ":s", stand_in_native, NULL },
};
static const jr_load_options stand_in_options = {
    .natives = stand_in_natives,
    .native_count = sizeof stand_in_natives / sizeof *stand_in_natives,
};

static jr_status load(const buffer *b, jr_program **program, jr_error *error)
{
    memset(error, 0, sizeof *error);
    return jr_program_load(b->bytes, b->length, &stand_in_options, program, error);
}

static void assert_loads(const buffer *b)
{
    jr_program *program = NULL;
    jr_error error;
    jr_status status = load(b, &program, &error);
    if (status != JR_OK) fail_msg("rejected: %s", error.message);
    assert_non_null(program);
    jr_program_free(program);
}

static void assert_rejected(const buffer *b, const char *expected)
{
    jr_program *program = (jr_program *)&program; /* must be reset to NULL */
    jr_error error;
    jr_status status = load(b, &program, &error);
    if (status == JR_OK) {
        jr_program_free(program);
        fail_msg("accepted, but should fail with '%s'", expected);
    }
    assert_null(program);
    assert_int_equal(status, JR_ERROR_BYTECODE);
    assert_int_equal(error.status, JR_ERROR_BYTECODE);
    if (!strstr(error.message, expected)) fail_msg("rejected with '%s', expected '%s'", error.message, expected);
}

/* ---- the cases ----------------------------------------------------------------------------- */

typedef struct loader_case {
    const char *name;
    void (*edit_model)(model *m);
    void (*edit_bytes)(buffer *b); /* after serialising; the CRC is written again after it */
    bool keep_crc;                 /* do not write the CRC again */
    const char *expected;          /* NULL: must load */
} loader_case;

static void run_case(void **state)
{
    const loader_case *c = *state;
    model m;
    base_program(&m);
    if (c->edit_model) c->edit_model(&m);
    buffer b = serialize(&m);
    if (c->edit_bytes) c->edit_bytes(&b);
    if (!c->keep_crc && b.length >= 4) fix_crc(b.bytes, b.length);
    if (c->expected) assert_rejected(&b, c->expected);
    else assert_loads(&b);
    free(b.bytes);
    model_free(&m);
}

#define MODEL(name, body) static void edit_##name(model *m) { body; }
#define BYTES(name, body) static void bytes_##name(buffer *b) { body; }

/* -- file structure -- */
BYTES(too_short, b->length = 19)
BYTES(magic, b->bytes[1] = 'X')
BYTES(version, set32(b->bytes + 8, 1))
BYTES(damaged, b->bytes[b->length / 2] ^= 0x40)
BYTES(crc, set32(b->bytes + b->length - 4, get32(b->bytes + b->length - 4) ^ 1))
BYTES(section_count, set32(b->bytes + 12, 40))
BYTES(section_count_past_file, set32(b->bytes + 12, 31); b->length = 16 + 12 * 20)
BYTES(section_id_zero, set32(b->bytes + 16, 0))
BYTES(section_id_large, set32(b->bytes + 16, JR_SECTION_LIMIT))
BYTES(section_twice, set32(b->bytes + 16 + 12, JR_SECTION_STRINGS))
BYTES(section_past_end, set32(entry_of(b, JR_SECTION_CODE) + 4, (uint32_t)b->length))
BYTES(section_into_crc, uint8_t *e = entry_of(b, JR_SECTION_PROGRAM); set32(e + 8, get32(e + 8) + 4))
BYTES(section_in_directory, set32(entry_of(b, JR_SECTION_EVENTS) + 4, 16 + 12 * 10))
BYTES(section_misaligned, uint8_t *e = entry_of(b, JR_SECTION_EVENTS); set32(e + 4, get32(e + 4) + 2))
BYTES(section_too_short, set32(entry_of(b, JR_SECTION_SLOTS) + 8, 3))
BYTES(sections_overlap, uint8_t *e = entry_of(b, JR_SECTION_NUMBERS);
      set32(e + 4, get32(entry_of(b, JR_SECTION_STRINGS) + 4) + 8))
BYTES(sections_overlap_end, uint8_t *e = entry_of(b, JR_SECTION_FIELDS); set32(e + 8, get32(e + 8) + 4))
BYTES(count_too_large, uint8_t *s = section_of(b, JR_SECTION_EVENTS); set32(s, get32(s) + 1))
BYTES(count_too_small, uint8_t *s = section_of(b, JR_SECTION_FUNCTIONS); set32(s, get32(s) - 1))
BYTES(count_huge, set32(section_of(b, JR_SECTION_FIELDS), JR_MAX_TABLE_RECORDS + 1))
BYTES(code_count, uint8_t *s = section_of(b, JR_SECTION_CODE); set32(s, get32(s) + 1))
BYTES(numbers_count, uint8_t *s = section_of(b, JR_SECTION_NUMBERS); set32(s, get32(s) - 1))
BYTES(string_past_section, set32(section_of(b, JR_SECTION_STRINGS) + 4, 0x7FFFFFFF))
BYTES(string_length_wraps, set32(section_of(b, JR_SECTION_STRINGS) + 4, 0xFFFFFFFE))
BYTES(string_count_high, uint8_t *s = section_of(b, JR_SECTION_STRINGS); set32(s, get32(s) + 1))
BYTES(string_bytes_after, uint8_t *s = section_of(b, JR_SECTION_STRINGS); set32(s, get32(s) - 1))
BYTES(string_count_zero, set32(section_of(b, JR_SECTION_STRINGS), 0))

/* -- table references -- */
MODEL(event_name, REC(m, EVENTS, 0)->name = 999)
MODEL(event_external_name, REC(m, EVENTS, 1)->external_name = JR_NONE)
MODEL(event_fields, REC(m, EVENTS, 1)->first_field = 3)
MODEL(field_type, REC(m, FIELDS, 2)->type = 'x')
MODEL(field_name, REC(m, FIELDS, 0)->name = m->string_count)
MODEL(attribute_type, REC(m, ATTRIBUTES, 0)->type = 'q')
MODEL(attribute_number_default, REC(m, ATTRIBUTES, 1)->default_value = m->number_count)
MODEL(attribute_default_kind_type, REC(m, ATTRIBUTES, 1)->default_kind = JR_DEFAULT_STRING)
MODEL(attribute_bool_default, REC(m, ATTRIBUTES, 2)->default_value = 2)
MODEL(attribute_integer_default, REC(m, ATTRIBUTES, 3)->default_value = m->integer_count)
MODEL(attribute_string_default, REC(m, ATTRIBUTES, 4)->default_value = JR_NONE)
MODEL(attribute_default_kind, REC(m, ATTRIBUTES, 0)->default_kind = 7)
MODEL(score_name, REC(m, SCORES, 0)->name = JR_NONE)
MODEL(score_rules, REC(m, SCORES, 0)->first_rule = 1)
MODEL(score_half_decay, REC(m, SCORES, 0)->decay_period = JR_NONE)
MODEL(score_decay_one, REC(m, SCORES, 0)->decay_percent = num(m, 1))
MODEL(score_decay_index, REC(m, SCORES, 0)->decay_percent = 60)
MODEL(score_decay_period, REC(m, SCORES, 0)->decay_period = integer(m, 0))
MODEL(rule_event, REC(m, SCORE_RULES, 0)->event = 2)
MODEL(rule_delta_nan, REC(m, SCORE_RULES, 0)->delta = num(m, NAN))
MODEL(rule_where_range, REC(m, SCORE_RULES, 0)->where_function = 99)
MODEL(rule_where_event, REC(m, SCORE_RULES, 0)->where_function = FN(F_SEGMENT))
MODEL(rule_where_kind, REC(m, SCORE_RULES, 0)->where_function = FN(F_JOURNEY))
MODEL(rule_where_result, REC(m, FUNCTIONS, FN(F_RULE))->result = 'n')
MODEL(rule_where_frame, REC(m, SCORE_RULES, 0)->where_function = FN(F_WAIT))
MODEL(segment_function, REC(m, SEGMENTS, 0)->function = JR_NONE)
MODEL(segment_function_event, REC(m, SEGMENTS, 0)->function = FN(F_ENTRY))
MODEL(aggregate_kind, REC(m, AGGREGATES, 0)->kind = JR_AGGREGATE_MAX + 1)
MODEL(aggregate_event, REC(m, AGGREGATES, 0)->event = 2)
MODEL(aggregate_count_field, REC(m, AGGREGATES, 1)->field = 0)
MODEL(aggregate_field_type, REC(m, AGGREGATES, 0)->field = 1)
MODEL(aggregate_field_range, REC(m, AGGREGATES, 0)->field = 2)
MODEL(aggregate_window, REC(m, AGGREGATES, 0)->window = integer(m, 59999))
MODEL(aggregate_window_long, REC(m, AGGREGATES, 0)->window = integer(m, 367 * DAY))
MODEL(aggregate_where, REC(m, AGGREGATES, 0)->where_function = FN(F_ENTRY))
MODEL(channel_name, REC(m, CHANNELS, 0)->name = 999)
MODEL(message_channel, REC(m, MESSAGES, 0)->channel = 1)
MODEL(message_transactional, REC(m, MESSAGES, 0)->transactional = 2)
MODEL(message_template, REC(m, MESSAGES, 0)->template_name = JR_NONE)
MODEL(message_fields, REC(m, MESSAGES, 0)->first_field = 1)
MODEL(message_field_key, REC(m, MESSAGE_FIELDS, 0)->key = 999)
MODEL(message_field_no_function, REC(m, MESSAGE_FIELDS, 0)->function = JR_NONE)
MODEL(message_field_event, REC(m, MESSAGE_FIELDS, 0)->function = FN(F_RULE))
MODEL(message_field_frame, REC(m, MESSAGE_FIELDS, 0)->function = FN(F_GOAL_VALUE))
MODEL(limit_channel, REC(m, LIMITS, 0)->channel = 1)
MODEL(limit_count_zero, REC(m, LIMITS, 0)->count = 0)
MODEL(limit_count_large, REC(m, LIMITS, 0)->count = 1001)
MODEL(limit_period, REC(m, LIMITS, 0)->period = integer(m, 0))
MODEL(limit_policy, REC(m, LIMITS, 0)->policy = JR_POLICY_SUPPRESS + 1)
MODEL(quiet_from, REC(m, QUIET_HOURS, 0)->from = 86400)
MODEL(quiet_equal, REC(m, QUIET_HOURS, 0)->to = 79200)
MODEL(quiet_channel, REC(m, QUIET_HOURS, 0)->channel = 1)
MODEL(quiet_policy, REC(m, QUIET_HOURS, 0)->policy = 3)
MODEL(slot_type, REC(m, SLOTS, 1)->type = 'x')
MODEL(node_label, REC(m, NODES, 0)->label = 999)
MODEL(node_kind, REC(m, NODES, 0)->kind = JR_NODE_KIND_COUNT)
MODEL(node_parent, REC(m, NODES, 1)->parent = 1)
MODEL(node_step, REC(m, NODES, 1)->step = 1)
MODEL(node_arm, REC(m, NODES, 1)->kind = JR_NODE_THEN; REC(m, NODES, 1)->parent = JR_NONE)
MODEL(node_outside, REC(m, JOURNEYS, 0)->first_node = 1; REC(m, JOURNEYS, 0)->node_count = 1)
MODEL(extern_result, REC(m, EXTERNS, 0)->result = 'd')
MODEL(extern_library, REC(m, EXTERNS, 0)->library = 999)
MODEL(extern_parameters, REC(m, EXTERNS, 0)->parameters = str(m, "nt"))
MODEL(line_file, REC(m, LINES, 0)->file = 999)
MODEL(split_no_arms, REC(m, SPLITS, 0)->arm_count = 0)
MODEL(split_arms_range, REC(m, SPLITS, 0)->first_arm = 1)
MODEL(split_name, REC(m, SPLITS, 0)->name = JR_NONE)
MODEL(split_arm_share, REC(m, SPLIT_ARMS, 0)->basis_points = 10001)
MODEL(split_arm_label, REC(m, SPLIT_ARMS, 1)->label = 999)
MODEL(split_shares, REC(m, SPLIT_ARMS, 0)->basis_points = 6000)
MODEL(split_shares_low, REC(m, SPLIT_ARMS, 1)->basis_points = 4999)
MODEL(program_record, REC(m, PROGRAM, 0)->compiler_version = 999)
MODEL(function_kind, REC(m, FUNCTIONS, FN(F_MISC))->kind = 2)
MODEL(function_journey, REC(m, FUNCTIONS, FN(F_MISC))->journey = 1)
MODEL(function_event, REC(m, FUNCTIONS, FN(F_MISC))->event = 2)
MODEL(function_no_code, REC(m, FUNCTIONS, FN(F_MISC))->word_count = 0)
MODEL(function_code_range, REC(m, FUNCTIONS, FN(F_MISC))->first_word = m->code_count - 1)
MODEL(function_too_long, REC(m, FUNCTIONS, FN(F_MISC))->word_count = JR_MAX_FUNCTION_WORDS + 1)
MODEL(function_stack, REC(m, FUNCTIONS, FN(F_MISC))->max_stack = JR_MAX_STACK + 1)
MODEL(function_lines, REC(m, FUNCTIONS, FN(F_MISC))->first_line = COUNT(m, LINES))
MODEL(journey_function_event, REC(m, FUNCTIONS, FN(F_JOURNEY))->event = E_ORDER)
MODEL(journey_function_result, REC(m, FUNCTIONS, FN(F_JOURNEY))->result = 'n')
MODEL(journey_function_frame, REC(m, FUNCTIONS, FN(F_JOURNEY))->journey = JR_NONE)
MODEL(function_result, REC(m, FUNCTIONS, FN(F_MISC))->result = 'x')
MODEL(journey_name, REC(m, JOURNEYS, 0)->name = 999)
MODEL(journey_function, REC(m, JOURNEYS, 0)->function = FN(F_MISC))
MODEL(journey_function_range, REC(m, JOURNEYS, 0)->function = 99)
MODEL(journey_no_entries, REC(m, JOURNEYS, 0)->entry_count = 0)
MODEL(journey_entries, REC(m, JOURNEYS, 0)->first_entry = 1)
MODEL(journey_exits, REC(m, JOURNEYS, 0)->first_exit = 1)
MODEL(journey_slots_many, REC(m, JOURNEYS, 0)->slot_count = JR_MAX_SLOTS + 1)
MODEL(journey_slots, REC(m, JOURNEYS, 0)->first_slot = 1)
MODEL(journey_nodes, REC(m, JOURNEYS, 0)->node_count = 3)
MODEL(journey_reentry, REC(m, JOURNEYS, 0)->reentry = JR_REENTRY_AFTER + 1)
MODEL(journey_reentry_delay, REC(m, JOURNEYS, 0)->reentry = JR_REENTRY_ALWAYS)
MODEL(journey_reentry_missing, REC(m, JOURNEYS, 0)->reentry_after = JR_NONE)
MODEL(journey_reentry_zero, REC(m, JOURNEYS, 0)->reentry_after = integer(m, 0))
MODEL(journey_holdout, REC(m, JOURNEYS, 0)->holdout = 10000)
MODEL(journey_goal_within, REC(m, JOURNEYS, 0)->goal_within = integer(m, 367 * DAY))
MODEL(journey_goal_event, REC(m, JOURNEYS, 0)->goal_event = 2)
MODEL(journey_goal_parts, REC(m, JOURNEYS, 0)->goal_event = JR_NONE)
MODEL(journey_goal_where, REC(m, JOURNEYS, 0)->goal_where = FN(F_ENTRY))
MODEL(journey_goal_value, REC(m, JOURNEYS, 0)->goal_value = FN(F_WAIT))
MODEL(entry_segment_where, REC(m, ENTRIES, 1)->where_function = FN(F_ENTRY))
MODEL(entry_segment_copies, REC(m, ENTRIES, 1)->copy_count = 1)
MODEL(entry_segment_range, REC(m, ENTRIES, 1)->target = 1)
MODEL(entry_target, REC(m, ENTRIES, 0)->target = 2)
MODEL(entry_kind, REC(m, ENTRIES, 0)->kind = 2)
MODEL(entry_where_frame, REC(m, FUNCTIONS, FN(F_ENTRY))->journey = 0)
MODEL(entry_copies, REC(m, ENTRIES, 0)->first_copy = 3)
MODEL(entry_copy_field, REC(m, COPIES, 0)->field = 2)
MODEL(entry_copy_slot, REC(m, COPIES, 0)->slot = 4)
MODEL(entry_copy_type, REC(m, COPIES, 0)->field = 1)
MODEL(exit_event, REC(m, EXITS, 0)->event = 2)
MODEL(exit_where, REC(m, EXITS, 0)->where_function = FN(F_GOAL_VALUE))

/* -- code (the verifier) -- */
#define MISC(...) CODE(m, FN(F_MISC), 4, __VA_ARGS__)
#define JOURNEY(...) CODE(m, FN(F_JOURNEY), 2, __VA_ARGS__)
MODEL(invalid_opcode, MISC(0xFFu))
MODEL(opcode_count, MISC(jr_encode(JR_OPCODE_COUNT, 0)))
MODEL(stray_operand, MISC(OP(PUSH_TRUE, 1), OP0(RETURN)))
MODEL(number_constant, MISC(OP(PUSH_NUMBER, m->number_count), OP0(RETURN)))
MODEL(string_constant, MISC(OP(PUSH_STRING, m->string_count), OP0(RETURN)))
MODEL(integer_constant, MISC(OP(PUSH_DURATION, m->integer_count), OP0(RETURN)))
MODEL(attribute_range, MISC(AB(LOAD_ATTRIBUTE, 0, 5), OP0(RETURN)))
MODEL(attribute_flag, MISC(AB(LOAD_ATTRIBUTE, 2, 1), OP0(RETURN)))
MODEL(score_range, MISC(OP(LOAD_SCORE, 1), OP0(RETURN)))
MODEL(segment_range, MISC(OP(LOAD_SEGMENT, 1), OP0(RETURN)))
MODEL(aggregate_range, MISC(AB(LOAD_AGGREGATE, 0, 2), OP0(RETURN)))
MODEL(field_no_event, MISC(AB(LOAD_FIELD, 0, 0), OP0(RETURN)))
MODEL(field_range, CODE(m, FN(F_WAIT), 2, AB(LOAD_FIELD, 0, 2), OP0(RETURN)))
MODEL(local_no_frame, MISC(AB(LOAD_LOCAL, 1, 0), OP0(RETURN)))
MODEL(local_range, JOURNEY(AB(LOAD_LOCAL, 1, 4), OP(POP, 'n'), OP0(HALT)))
MODEL(local_unwritten, JOURNEY(AB(LOAD_LOCAL, 0, 2), OP(POP, 'n'), OP0(HALT)))
MODEL(local_unwritten_by_one_entry, JOURNEY(AB(LOAD_LOCAL, 0, 0), OP(POP, 's'), OP0(HALT)))
MODEL(local_unwritten_on_one_path,
      JOURNEY(AB(LOAD_ATTRIBUTE, 0, 2), OP(JUMP_IF_FALSE, 4), OP(PUSH_NUMBER, 0), OP(STORE_LOCAL, 2),
              AB(LOAD_LOCAL, 0, 2), OP(POP, 'n'), OP0(HALT)))
MODEL(local_written_on_both_paths,
      JOURNEY(AB(LOAD_ATTRIBUTE, 0, 2), OP(JUMP_IF_FALSE, 5), OP(PUSH_NUMBER, 0), OP(STORE_LOCAL, 2), OP(JUMP, 7),
              OP(PUSH_NUMBER, 0), OP(STORE_LOCAL, 2), AB(LOAD_LOCAL, 0, 2), OP(POP, 'n'), OP0(HALT)))
MODEL(local_missing_allowed, JOURNEY(AB(LOAD_LOCAL, 1, 2), OP(POP, 'n'), OP0(HALT)))
MODEL(store_type, JOURNEY(OP(PUSH_STRING, 0), OP(STORE_LOCAL, 1), OP0(HALT)))
MODEL(store_range, JOURNEY(OP(PUSH_NUMBER, 0), OP(STORE_LOCAL, 4), OP0(HALT)))
MODEL(store_in_expression, CODE(m, FN(F_WAIT), 2, OP0(PUSH_TRUE), OP(PUSH_NUMBER, 0), OP(STORE_LOCAL, 1), OP0(RETURN)))
MODEL(set_in_expression, CODE(m, FN(F_WAIT), 2, OP0(PUSH_TRUE), OP(PUSH_NUMBER, 0), OP(SET_ATTRIBUTE, 1), OP0(RETURN)))
MODEL(set_type, JOURNEY(OP(PUSH_NUMBER, 0), OP(SET_ATTRIBUTE, 0), OP0(HALT)))
MODEL(present_type, MISC(OP(PUSH_NUMBER, 0), AB(JUMP_IF_PRESENT, 'x', 2), OP0(RETURN)))
MODEL(present_mismatch, MISC(OP(PUSH_NUMBER, 0), AB(JUMP_IF_PRESENT, 's', 2), OP0(RETURN)))
MODEL(jump_outside, MISC(OP(PUSH_NUMBER, 0), OP(JUMP, 9), OP0(RETURN)))
MODEL(present_outside, MISC(OP(PUSH_NUMBER, 0), AB(JUMP_IF_PRESENT, 'n', 3), OP0(RETURN)))
MODEL(falls_off_the_end, MISC(OP(PUSH_NUMBER, 0)))
MODEL(different_depths, MISC(OP0(PUSH_TRUE), OP(JUMP_IF_FALSE, 4), OP(PUSH_NUMBER, 0), OP(PUSH_NUMBER, 0),
                            OP0(RETURN)))
MODEL(different_types, MISC(OP(PUSH_NUMBER, 0), OP0(PUSH_TRUE), OP(JUMP_IF_FALSE, 5), OP(POP, 'n'),
                           OP(PUSH_STRING, 0), OP(POP, 's'), OP(PUSH_NUMBER, 0), OP0(RETURN)))
MODEL(payload_on_one_path, JOURNEY(OP0(PUSH_TRUE), OP(JUMP_IF_FALSE, 4), OP(PUSH_NUMBER, 0),
                                   AB(PAYLOAD_ADD, 'n', 0), OP(SEND, 0), OP0(HALT)))
MODEL(underflow, MISC(OP(PUSH_NUMBER, 0), OP0(ADD_NUMBERS), OP0(RETURN)))
MODEL(underflow_empty, MISC(OP0(NEGATE_NUMBER), OP0(RETURN)))
MODEL(type_mismatch, MISC(OP(PUSH_STRING, 0), OP(PUSH_NUMBER, 0), OP0(ADD_NUMBERS), OP0(RETURN)))
MODEL(type_mismatch_duration, MISC(OP0(PUSH_NOW), OP(PUSH_NUMBER, 0), OP0(ADD_DURATION), OP(POP, 't'),
                                   OP(PUSH_NUMBER, 0), OP0(RETURN)))
MODEL(stack_too_deep, CODE(m, FN(F_MISC), 1, OP(PUSH_NUMBER, 0), OP(PUSH_NUMBER, 0), OP0(ADD_NUMBERS), OP0(RETURN)))
MODEL(suspend_with_stack, JOURNEY(OP(PUSH_NUMBER, 0), OP(PUSH_DURATION, 0), OP0(WAIT), OP(POP, 'n'), OP0(HALT)))
MODEL(suspend_with_payload, JOURNEY(OP(PUSH_NUMBER, 0), AB(PAYLOAD_ADD, 'n', 0), OP(PUSH_DURATION, 0), OP0(WAIT),
                                    OP(SEND, 0), OP0(HALT)))
MODEL(suspend_clock_with_stack, JOURNEY(OP(PUSH_NUMBER, 0), OP(WAIT_UNTIL_CLOCK, 0), OP(POP, 'n'), OP0(HALT)))
MODEL(select_with_stack, JOURNEY(OP(PUSH_NUMBER, 0), OP(PUSH_DURATION, 0), OP(SELECT, 0), OP0(HALT)))
MODEL(send_in_expression, MISC(OP(SEND, 0), OP(PUSH_NUMBER, 0), OP0(RETURN)))
MODEL(wait_in_expression, MISC(OP(PUSH_DURATION, 0), OP0(WAIT), OP(PUSH_NUMBER, 0), OP0(RETURN)))
MODEL(exit_in_expression, MISC(OP0(EXIT)))
MODEL(node_in_expression, CODE(m, FN(F_WAIT), 2, OP(NODE, 0), OP0(PUSH_TRUE), OP0(RETURN)))
MODEL(return_in_journey, JOURNEY(OP(PUSH_NUMBER, 0), OP0(RETURN)))
MODEL(return_type, MISC(OP0(PUSH_TRUE), OP0(RETURN)))
MODEL(return_two, MISC(OP(PUSH_NUMBER, 0), OP(PUSH_NUMBER, 0), OP0(RETURN)))
MODEL(return_nothing, MISC(OP0(RETURN)))
MODEL(relation, MISC(OP(PUSH_NUMBER, 0), OP(PUSH_NUMBER, 0), OP(COMPARE_NUMBERS, 6), OP(POP, 'b'),
                     OP(PUSH_NUMBER, 0), OP0(RETURN)))
MODEL(bool_order, MISC(OP0(PUSH_TRUE), OP0(PUSH_TRUE), OP(COMPARE_BOOLS, JR_RELATION_LESS), OP(POP, 'b'),
                       OP(PUSH_NUMBER, 0), OP0(RETURN)))
MODEL(is_in_type, MISC(OP(PUSH_NUMBER, 0), OP(PUSH_NUMBER, 0), AB(IS_IN, 'x', 1), OP(POP, 'b'), OP(PUSH_NUMBER, 0),
                       OP0(RETURN)))
MODEL(is_in_count, MISC(OP(PUSH_NUMBER, 0), OP(PUSH_NUMBER, 0), AB(IS_IN, 'n', 2), OP(POP, 'b'), OP(PUSH_NUMBER, 0),
                        OP0(RETURN)))
MODEL(is_in_mixed, MISC(OP(PUSH_NUMBER, 0), OP(PUSH_STRING, 0), AB(IS_IN, 'n', 1), OP(POP, 'b'), OP(PUSH_NUMBER, 0),
                        OP0(RETURN)))
MODEL(to_string_type, MISC(OP(PUSH_NUMBER, 0), OP(TO_STRING, 'x'), OP(POP, 's'), OP(PUSH_NUMBER, 0), OP0(RETURN)))
MODEL(pop_type, MISC(OP(PUSH_NUMBER, 0), OP(POP, 'y'), OP(PUSH_NUMBER, 0), OP0(RETURN)))
MODEL(pop_mismatch, MISC(OP(PUSH_NUMBER, 0), OP(POP, 's'), OP(PUSH_NUMBER, 0), OP0(RETURN)))
MODEL(swap_one, MISC(OP(PUSH_NUMBER, 0), OP0(SWAP), OP0(RETURN)))
MODEL(builtin_range, MISC(OP(PUSH_NUMBER, 0), OP(CALL_BUILTIN, JR_BUILTIN_COUNT), OP0(RETURN)))
MODEL(builtin_argument, MISC(OP(PUSH_STRING, 0), OP(CALL_BUILTIN, JR_BUILTIN_ABS), OP0(RETURN)))
MODEL(builtin_arity, MISC(OP(PUSH_NUMBER, 0), OP(CALL_BUILTIN, JR_BUILTIN_MIN), OP0(RETURN)))
MODEL(extern_range, MISC(OP(PUSH_NUMBER, 0), OP(CALL_EXTERN, 1), OP0(RETURN)))
MODEL(extern_argument, MISC(OP(PUSH_NUMBER, 0), OP(PUSH_NUMBER, 0), OP(CALL_EXTERN, 0), OP0(RETURN)))
MODEL(payload_key, JOURNEY(OP(PUSH_NUMBER, 0), AB(PAYLOAD_ADD, 'n', 999), OP(SEND, 0), OP0(HALT)))
MODEL(payload_type, JOURNEY(OP(PUSH_NUMBER, 0), AB(PAYLOAD_ADD, 's', 0), OP(SEND, 0), OP0(HALT)))
MODEL(message_range, JOURNEY(OP(SEND, 1), OP0(HALT)))
MODEL(emit_name, JOURNEY(OP(EMIT, 999), OP0(HALT)))
MODEL(track_event, JOURNEY(OP(TRACK, 2), OP0(HALT)))
MODEL(audience_flag, JOURNEY(AB(AUDIENCE, 2, 0), OP0(HALT)))
MODEL(audience_name, JOURNEY(AB(AUDIENCE, 0, 999), OP0(HALT)))
MODEL(node_range, JOURNEY(OP(NODE, 2), OP0(HALT)))
MODEL(node_range_high, JOURNEY(OP(NODE, 0xFFFFFF), OP0(HALT)))
MODEL(clock_range, JOURNEY(OP(WAIT_UNTIL_CLOCK, 86400), OP0(HALT)))
MODEL(wait_type, JOURNEY(OP(PUSH_NUMBER, 0), OP0(WAIT), OP0(HALT)))
MODEL(wait_until_type, JOURNEY(OP(PUSH_DURATION, 0), OP0(WAIT_UNTIL), OP0(HALT)))
MODEL(wait_range, JOURNEY(OP(WAIT_FOR, 1), OP(POP, 'b'), OP0(HALT)))
MODEL(wait_timeout_flag, REC(m, WAITS, 0)->has_timeout = 2)
MODEL(wait_event, REC(m, WAITS, 0)->event = 2)
MODEL(wait_where_frame, REC(m, WAITS, 0)->where_function = FN(F_ENTRY))
MODEL(wait_where_range, REC(m, WAITS, 0)->where_function = 99)
MODEL(wait_where_event, REC(m, WAITS, 0)->event = E_SIGNED_UP)
MODEL(wait_copy_type, REC(m, COPIES, 1)->slot = 0)
MODEL(wait_copy_field, REC(m, COPIES, 1)->field = 2)
MODEL(wait_copies, REC(m, WAITS, 0)->first_copy = 3)
MODEL(wait_without_timeout, REC(m, WAITS, 0)->has_timeout = 0) /* then 14 leaves a duration on the stack */
MODEL(select_range, JOURNEY(OP(SELECT, 1), OP0(HALT)))
MODEL(select_nothing, REC(m, SELECTS, 0)->arm_count = 0; REC(m, SELECTS, 0)->has_after = 0)
MODEL(select_after_flag, REC(m, SELECTS, 0)->has_after = 2)
MODEL(select_arms, REC(m, SELECTS, 0)->first_arm = 1)
MODEL(select_arm_event, REC(m, SELECT_ARMS, 0)->event = 2)
MODEL(select_arm_target, REC(m, SELECT_ARMS, 0)->target = 99)
MODEL(select_arm_where, REC(m, SELECT_ARMS, 0)->where_function = FN(F_RULE))
MODEL(select_arm_copy, REC(m, COPIES, 2)->slot = 0)
MODEL(select_after_target, REC(m, SELECTS, 0)->after_target = 38)
MODEL(select_arm_stack, REC(m, SELECT_ARMS, 0)->target = 25) /* SET_ATTRIBUTE with nothing to pop */
MODEL(split_range, JOURNEY(OP(SPLIT, 1), OP0(HALT)))
MODEL(split_target, REC(m, SPLIT_ARMS, 1)->target = 38)
MODEL(halt_with_stack, JOURNEY(OP(PUSH_NUMBER, 0), OP0(HALT)))
MODEL(exit_with_payload, JOURNEY(OP(PUSH_NUMBER, 0), AB(PAYLOAD_ADD, 'n', 0), OP0(EXIT)))
/* The bindings of a timed wait count as written on the branch where the event came
 * only when the JUMP_IF_TRUE_KEEP is reached straight from the WAIT_FOR: here a second
 * path jumps to it (found while writing spec/bytecode.md; accepted before). */
MODEL(binding_jumped_into,
      JOURNEY(AB(LOAD_ATTRIBUTE, 0, 2), OP(JUMP_IF_FALSE, 5), OP0(PUSH_TRUE), OP(JUMP, 7), OP0(HALT),
              OP(PUSH_DURATION, 0), OP(WAIT_FOR, 0), OP(JUMP_IF_TRUE_KEEP, 10), OP0(EXIT), OP0(HALT), OP(POP, 'b'),
              AB(LOAD_LOCAL, 0, 1), OP(POP, 'n'), OP0(HALT)))
MODEL(binding_after_timeout,
      JOURNEY(OP(PUSH_DURATION, 0), OP(WAIT_FOR, 0), OP(POP, 'b'), AB(LOAD_LOCAL, 0, 1), OP(POP, 'n'), OP0(HALT)))
MODEL(binding_untimed, REC(m, WAITS, 0)->has_timeout = 0;
      JOURNEY(OP(WAIT_FOR, 0), OP(POP, 'b'), AB(LOAD_LOCAL, 0, 1), OP(POP, 'n'), OP0(HALT)))
MODEL(binding_false_branch,
      JOURNEY(OP(PUSH_DURATION, 0), OP(WAIT_FOR, 0), OP(JUMP_IF_TRUE_KEEP, 5), AB(LOAD_LOCAL, 0, 1), OP0(HALT),
              OP(POP, 'b'), OP0(HALT)))
MODEL(binding_select_arm, REC(m, SELECTS, 0)->after_target = 24) /* the after branch has no binding */

/* -- work bounds -- */
/* 20 000 messages sharing the same 20 000 fields: 4e8 field checks without a bound. */
MODEL(shared_fields, {
    for (int i = 0; i < 19999; i++) ADD(m, MESSAGE_FIELDS, str(m, "greeting"), FN(F_MESSAGE));
    REC(m, MESSAGES, 0)->field_count = 20000;
    jr_MESSAGES_record message = *REC(m, MESSAGES, 0);
    for (int i = 0; i < 19999; i++) add_record(m, JR_SECTION_MESSAGES, (const uint32_t *)&message);
})
/* 5 000 SELECTs sharing one select of 5 000 arms, arm i going to the SELECT at i + 1:
 * 2.5e7 arms to check without a bound. */
MODEL(shared_arms, {
    enum { K = 5000 };
    REC(m, SELECTS, 0)->arm_count = K;
    REC(m, SELECTS, 0)->has_after = 0;
    REC(m, SELECT_ARMS, 0)->first_copy = 0;
    REC(m, SELECT_ARMS, 0)->copy_count = 0;
    REC(m, SELECT_ARMS, 0)->target = 1;
    for (uint32_t i = 1; i < K; i++) ADD(m, SELECT_ARMS, E_ORDER, JR_NONE, 0, 0, i + 1);
    uint32_t *code = malloc(sizeof *code * (K + 1));
    assert_non_null(code);
    for (uint32_t i = 0; i < K; i++) code[i] = OP(SELECT, 0);
    code[K] = OP0(HALT);
    set_code(m, FN(F_JOURNEY), 2, code, K + 1);
    free(code);
})
/* Deep but honest: a long journey of many statements still verifies. */
MODEL(long_journey, {
    enum { K = 16000 };
    uint32_t *code = malloc(sizeof *code * (4 * K + 1));
    assert_non_null(code);
    for (uint32_t i = 0; i < K; i++) {
        code[4 * i] = OP(PUSH_NUMBER, 0);
        code[4 * i + 1] = OP(STORE_LOCAL, 2);
        code[4 * i + 2] = AB(LOAD_LOCAL, 0, 2);
        code[4 * i + 3] = OP(POP, 'n');
    }
    code[4 * K] = OP0(HALT);
    set_code(m, FN(F_JOURNEY), 2, code, 4 * K + 1);
    free(code);
})

#define STRUCTURE(name, expected) { #name, NULL, bytes_##name, false, expected }
#define TABLE(name, expected) { #name, edit_##name, NULL, false, expected }

static const loader_case cases[] = {
    { "base_program", NULL, NULL, false, NULL },
    STRUCTURE(too_short, "not a .jbc file: bad size"),
    STRUCTURE(magic, "not a .jbc file: bad magic"),
    STRUCTURE(version, "bytecode format 1 is not supported (this runtime reads 2)"),
    { "damaged", NULL, bytes_damaged, true, "checksum mismatch: the file is damaged" },
    { "crc", NULL, bytes_crc, true, "checksum mismatch" },
    STRUCTURE(section_count, "bad section directory: 40 sections"),
    STRUCTURE(section_count_past_file, "bad section directory: 31 sections"),
    STRUCTURE(section_id_zero, "unknown section 0"),
    STRUCTURE(section_id_large, "unknown section 32"),
    STRUCTURE(section_twice, "section STRINGS appears twice"),
    STRUCTURE(section_past_end, "section CODE lies outside the file"),
    STRUCTURE(section_into_crc, "section PROGRAM lies outside the file"),
    STRUCTURE(section_in_directory, "section EVENTS lies outside the file"),
    STRUCTURE(section_misaligned, "section EVENTS lies outside the file"),
    STRUCTURE(section_too_short, "section SLOTS lies outside the file"),
    STRUCTURE(sections_overlap, "section NUMBERS overlaps section STRINGS"),
    STRUCTURE(sections_overlap_end, "section ATTRIBUTES overlaps section FIELDS"),
    STRUCTURE(count_too_large, "section EVENTS: 3 records do not fill its 32 bytes"),
    STRUCTURE(count_too_small, "section FUNCTIONS: 10 records do not fill"),
    STRUCTURE(count_huge, "section FIELDS: 4194305 records is more than 4194304"),
    STRUCTURE(code_count, "section CODE:"),
    STRUCTURE(numbers_count, "section NUMBERS:"),
    STRUCTURE(string_past_section, "string 0 lies outside its section"),
    STRUCTURE(string_length_wraps, "string 0 lies outside its section"),
    STRUCTURE(string_count_high, "lies outside its section"),
    STRUCTURE(string_bytes_after, "bytes after the last string"),
    STRUCTURE(string_count_zero, "bytes after the last string"),
    TABLE(event_name, "event 0: name out of range"),
    TABLE(event_external_name, "event 1: name out of range"),
    TABLE(event_fields, "event 1: fields out of range"),
    TABLE(field_type, "field 2: bad name or type"),
    TABLE(field_name, "field 0: bad name or type"),
    TABLE(attribute_type, "attribute 0: bad name or type"),
    TABLE(attribute_number_default, "attribute 1: bad default"),
    TABLE(attribute_default_kind_type, "attribute 1: bad default"),
    TABLE(attribute_bool_default, "attribute 2: bad default"),
    TABLE(attribute_integer_default, "attribute 3: bad default"),
    TABLE(attribute_string_default, "attribute 4: bad default"),
    TABLE(attribute_default_kind, "attribute 0: unknown default kind"),
    TABLE(score_name, "score 0: bad name"),
    TABLE(score_rules, "score 0: rules out of range"),
    TABLE(score_half_decay, "score 0: half a decay"),
    TABLE(score_decay_one, "score 0: decay out of range"),
    TABLE(score_decay_index, "score 0: decay out of range"),
    TABLE(score_decay_period, "score 0: decay period out of range"),
    TABLE(rule_event, "score rule 0: bad event or delta"),
    TABLE(rule_delta_nan, "score rule 0: bad event or delta"),
    TABLE(rule_where_range, "score rule: function 99 out of range"),
    TABLE(rule_where_event, "score rule: function 1 matches the wrong event"),
    TABLE(rule_where_kind, "score rule: function 10 is not an expression"),
    TABLE(rule_where_result, "score rule: function 0 returns 'n', not 'b'"),
    TABLE(rule_where_frame, "score rule: function 8 has the wrong journey frame"),
    TABLE(segment_function, "segment 0: bad name or no function"),
    TABLE(segment_function_event, "segment: function 4 matches the wrong event"),
    TABLE(aggregate_kind, "aggregate 0: bad kind or event"),
    TABLE(aggregate_event, "aggregate 0: bad kind or event"),
    TABLE(aggregate_count_field, "aggregate 1: count with a field"),
    TABLE(aggregate_field_type, "aggregate 0: needs a number field"),
    TABLE(aggregate_field_range, "aggregate 0: needs a number field"),
    TABLE(aggregate_window, "aggregate 0: window out of range"),
    TABLE(aggregate_window_long, "aggregate 0: window out of range"),
    TABLE(aggregate_where, "aggregate: function 4 matches the wrong event"),
    TABLE(channel_name, "channel 0: bad name"),
    TABLE(message_channel, "message 0: bad name, channel or template"),
    TABLE(message_transactional, "message 0: bad name, channel or template"),
    TABLE(message_template, "message 0: bad name, channel or template"),
    TABLE(message_fields, "message 0: fields out of range"),
    TABLE(message_field_key, "message 0: bad field"),
    TABLE(message_field_no_function, "message 0: bad field"),
    TABLE(message_field_event, "message field: function 0 matches the wrong event"),
    TABLE(message_field_frame, "message field: function 7 matches the wrong event"),
    TABLE(limit_channel, "limit 0: bad channel, count, period or policy"),
    TABLE(limit_count_zero, "limit 0: bad channel, count, period or policy"),
    TABLE(limit_count_large, "limit 0: bad channel, count, period or policy"),
    TABLE(limit_period, "limit 0: bad channel, count, period or policy"),
    TABLE(limit_policy, "limit 0: bad channel, count, period or policy"),
    TABLE(quiet_from, "quiet hours 0: bad times, channel or policy"),
    TABLE(quiet_equal, "quiet hours 0: bad times, channel or policy"),
    TABLE(quiet_channel, "quiet hours 0: bad times, channel or policy"),
    TABLE(quiet_policy, "quiet hours 0: bad times, channel or policy"),
    TABLE(slot_type, "slot 1: bad type"),
    TABLE(node_label, "node 0: bad journey, kind, position or label"),
    TABLE(node_kind, "node 0: bad journey, kind, position or label"),
    TABLE(node_parent, "node 1: bad parent"),
    TABLE(node_step, "node 1: bad step"),
    TABLE(node_arm, "node 1: an arm without its statement"),
    TABLE(node_outside, "node 0: outside its journey's nodes"),
    TABLE(extern_result, "extern 0: bad library, name or signature"),
    TABLE(extern_library, "extern 0: bad library, name or signature"),
    TABLE(extern_parameters, "extern 0: bad parameter type"),
    TABLE(line_file, "line 0: bad file"),
    TABLE(split_no_arms, "split 0: bad name or arms"),
    TABLE(split_arms_range, "split 0: bad name or arms"),
    TABLE(split_name, "split 0: bad name or arms"),
    TABLE(split_arm_share, "split 0: bad arm"),
    TABLE(split_arm_label, "split 0: bad arm"),
    TABLE(split_shares, "split 0: shares add up to 11000 basis points, not 10000"),
    TABLE(split_shares_low, "split 0: shares add up to 9999 basis points, not 10000"),
    TABLE(program_record, "program record: bad strings"),
    TABLE(function_kind, "function 9: bad kind"),
    TABLE(function_journey, "function 9: bad journey"),
    TABLE(function_event, "function 9: bad event"),
    TABLE(function_no_code, "function 9: code out of range"),
    TABLE(function_code_range, "function 9: code out of range"),
    TABLE(function_too_long, "function 9: code out of range"),
    TABLE(function_stack, "function 9: stack too deep"),
    TABLE(function_lines, "function 9: lines out of range"),
    TABLE(journey_function_event, "function 10: bad journey function"),
    TABLE(journey_function_result, "function 10: bad journey function"),
    TABLE(journey_function_frame, "function 10: bad journey function"),
    TABLE(function_result, "function 9: bad result type"),
    TABLE(journey_name, "journey 0: bad name"),
    TABLE(journey_function, "journey 0: bad function"),
    TABLE(journey_function_range, "journey 0: bad function"),
    TABLE(journey_no_entries, "journey 0: entries out of range"),
    TABLE(journey_entries, "journey 0: entries out of range"),
    TABLE(journey_exits, "journey 0: exits out of range"),
    TABLE(journey_slots_many, "journey 0: slots out of range"),
    TABLE(journey_slots, "journey 0: slots out of range"),
    TABLE(journey_nodes, "journey 0: nodes out of range"),
    TABLE(journey_reentry, "journey 0: bad reentry"),
    TABLE(journey_reentry_delay, "journey 0: bad reentry delay"),
    TABLE(journey_reentry_missing, "journey 0: bad reentry delay"),
    TABLE(journey_reentry_zero, "journey 0: reentry delay out of range"),
    TABLE(journey_holdout, "journey 0: holdout out of range"),
    TABLE(journey_goal_within, "journey 0: bad goal"),
    TABLE(journey_goal_event, "journey 0: bad goal"),
    TABLE(journey_goal_parts, "journey 0: goal parts without a goal"),
    TABLE(journey_goal_where, "goal: function 4 matches the wrong event"),
    TABLE(journey_goal_value, "goal value: function 8 returns 'b', not 'n'"),
    TABLE(entry_segment_where, "journey 0: bad segment entry"),
    TABLE(entry_segment_copies, "journey 0: bad segment entry"),
    TABLE(entry_segment_range, "journey 0: bad segment entry"),
    TABLE(entry_target, "journey 0: bad entry"),
    TABLE(entry_kind, "journey 0: bad entry"),
    TABLE(entry_where_frame, "entry: function 4 has the wrong journey frame"),
    TABLE(entry_copies, "entry: copies out of range"),
    TABLE(entry_copy_field, "entry: copied field out of range"),
    TABLE(entry_copy_slot, "entry: copy into a slot the journey does not have"),
    TABLE(entry_copy_type, "entry: copy between different types"),
    TABLE(exit_event, "journey 0: bad exit"),
    TABLE(exit_where, "exit: function 7 returns 'n', not 'b'"),
    TABLE(invalid_opcode, "function 9, instruction 0: invalid opcode"),
    TABLE(opcode_count, "function 9, instruction 0: invalid opcode"),
    TABLE(stray_operand, "function 9, instruction 0: PUSH_TRUE takes no operand"),
    TABLE(number_constant, "function 9, instruction 0: number constant out of range"),
    TABLE(string_constant, "function 9, instruction 0: string constant out of range"),
    TABLE(integer_constant, "function 9, instruction 0: integer constant out of range"),
    TABLE(attribute_range, "function 9, instruction 0: attribute out of range"),
    TABLE(attribute_flag, "function 9, instruction 0: attribute out of range"),
    TABLE(score_range, "function 9, instruction 0: score out of range"),
    TABLE(segment_range, "function 9, instruction 0: segment out of range"),
    TABLE(aggregate_range, "function 9, instruction 0: aggregate out of range"),
    TABLE(field_no_event, "function 9, instruction 0: reads a field with no event being matched"),
    TABLE(field_range, "function 8, instruction 0: field out of range"),
    TABLE(local_no_frame, "function 9, instruction 0: frame slot out of range"),
    TABLE(local_range, "function 10, instruction 0: frame slot out of range"),
    TABLE(local_unwritten, "function 10, instruction 0: reads a frame slot before it is written"),
    TABLE(local_unwritten_by_one_entry, "function 10, instruction 0: reads a frame slot before it is written"),
    TABLE(local_unwritten_on_one_path, "function 10, instruction 4: reads a frame slot before it is written"),
    TABLE(local_written_on_both_paths, NULL),
    TABLE(local_missing_allowed, NULL),
    TABLE(store_type, "function 10, instruction 1: pops 's' where 'n' is needed"),
    TABLE(store_range, "function 10, instruction 1: frame slot out of range"),
    TABLE(store_in_expression, "function 8, instruction 2: frame slot out of range"),
    TABLE(set_in_expression, "function 8, instruction 2: attribute out of range"),
    TABLE(set_type, "function 10, instruction 1: pops 'n' where 's' is needed"),
    TABLE(present_type, "function 9, instruction 1: bad type operand"),
    TABLE(present_mismatch, "function 9, instruction 1: pops 'n' where 's' is needed"),
    TABLE(jump_outside, "function 9, instruction 1: jump outside the function"),
    TABLE(present_outside, "function 9, instruction 1: jump outside the function"),
    TABLE(falls_off_the_end, "function 9, instruction 0: jump outside the function"),
    TABLE(different_depths, "paths meet with different stacks"),
    TABLE(different_types, "paths meet with different stacks"),
    TABLE(payload_on_one_path, "paths meet with and without a payload"),
    TABLE(underflow, "function 9, instruction 1: pops an empty stack"),
    TABLE(underflow_empty, "function 9, instruction 0: pops an empty stack"),
    TABLE(type_mismatch, "function 9, instruction 2: pops 's' where 'n' is needed"),
    TABLE(type_mismatch_duration, "function 9, instruction 2: pops 'n' where 'd' is needed"),
    TABLE(stack_too_deep, "function 9, instruction 1: stack deeper than the function declares"),
    TABLE(suspend_with_stack, "function 10, instruction 2: suspends with values on the stack"),
    TABLE(suspend_with_payload, "function 10, instruction 3: suspends with a payload half built"),
    TABLE(suspend_clock_with_stack, "function 10, instruction 1: suspends with values on the stack"),
    TABLE(select_with_stack, "function 10, instruction 2: suspends with values on the stack"),
    TABLE(send_in_expression, "function 9, instruction 0: SEND outside a journey"),
    TABLE(wait_in_expression, "function 9, instruction 1: WAIT outside a journey"),
    TABLE(exit_in_expression, "function 9, instruction 0: EXIT outside a journey"),
    TABLE(node_in_expression, "function 8, instruction 0: NODE outside a journey"),
    TABLE(return_in_journey, "function 10, instruction 1: RETURN in a journey"),
    TABLE(return_type, "function 9, instruction 1: returns something other than the function's one result"),
    TABLE(return_two, "function 9, instruction 2: returns something other than the function's one result"),
    TABLE(return_nothing, "function 9, instruction 0: returns something other than the function's one result"),
    TABLE(relation, "function 9, instruction 2: bad relation"),
    TABLE(bool_order, "function 9, instruction 2: bools only compare with == and !="),
    TABLE(is_in_type, "function 9, instruction 2: bad type operand"),
    TABLE(is_in_count, "function 9, instruction 2: pops an empty stack"),
    TABLE(is_in_mixed, "function 9, instruction 2: pops 's' where 'n' is needed"),
    TABLE(to_string_type, "function 9, instruction 1: bad type operand"),
    TABLE(pop_type, "function 9, instruction 1: bad type operand"),
    TABLE(pop_mismatch, "function 9, instruction 1: pops 'n' where 's' is needed"),
    TABLE(swap_one, "function 9, instruction 1: swaps fewer than two values"),
    TABLE(builtin_range, "function 9, instruction 1: unknown built-in"),
    TABLE(builtin_argument, "function 9, instruction 1: pops 's' where 'n' is needed"),
    TABLE(builtin_arity, "function 9, instruction 1: pops an empty stack"),
    TABLE(extern_range, "function 9, instruction 1: extern out of range"),
    TABLE(extern_argument, "function 9, instruction 2: pops 'n' where 's' is needed"),
    TABLE(payload_key, "function 10, instruction 1: bad payload key or type"),
    TABLE(payload_type, "function 10, instruction 1: pops 'n' where 's' is needed"),
    TABLE(message_range, "function 10, instruction 0: message out of range"),
    TABLE(emit_name, "function 10, instruction 0: string constant out of range"),
    TABLE(track_event, "function 10, instruction 0: event out of range"),
    TABLE(audience_flag, "function 10, instruction 0: bad audience operand"),
    TABLE(audience_name, "function 10, instruction 0: bad audience operand"),
    TABLE(node_range, "function 10, instruction 0: node out of the journey's range"),
    TABLE(node_range_high, "function 10, instruction 0: node out of the journey's range"),
    TABLE(clock_range, "function 10, instruction 0: time of day out of range"),
    TABLE(wait_type, "function 10, instruction 1: pops 'n' where 'd' is needed"),
    TABLE(wait_until_type, "function 10, instruction 1: pops 'd' where 't' is needed"),
    TABLE(wait_range, "function 10, instruction 0: wait out of range"),
    TABLE(wait_timeout_flag, "function 10, instruction 15: bad wait record"),
    TABLE(wait_event, "function 10, instruction 15: bad wait record"),
    TABLE(wait_where_frame, "function 10, instruction 15: where function of the wrong kind"),
    TABLE(wait_where_range, "function 10, instruction 15: where function out of range"),
    TABLE(wait_where_event, "function 10, instruction 15: where function of the wrong kind"),
    TABLE(wait_copy_type, "function 10, instruction 15: a binding copy does not fit its event or slot"),
    TABLE(wait_copy_field, "function 10, instruction 15: a binding copy does not fit its event or slot"),
    TABLE(wait_copies, "function 10, instruction 15: copies out of range"),
    TABLE(wait_without_timeout, "function 10, instruction 15: suspends with values on the stack"),
    TABLE(select_range, "function 10, instruction 0: select out of range"),
    TABLE(select_nothing, "function 10, instruction 23: bad select record"),
    TABLE(select_after_flag, "function 10, instruction 23: bad select record"),
    TABLE(select_arms, "function 10, instruction 23: bad select record"),
    TABLE(select_arm_event, "function 10, instruction 23: select arm event out of range"),
    TABLE(select_arm_target, "function 10, instruction 23: jump outside the function"),
    TABLE(select_arm_where, "function 10, instruction 23: where function of the wrong kind"),
    TABLE(select_arm_copy, "function 10, instruction 23: a binding copy does not fit its event or slot"),
    TABLE(select_after_target, "function 10, instruction 23: jump outside the function"),
    TABLE(select_arm_stack, "function 10, instruction 25: pops an empty stack"),
    TABLE(split_range, "function 10, instruction 0: split out of range"),
    TABLE(split_target, "function 10, instruction 28: jump outside the function"),
    TABLE(halt_with_stack, "function 10, instruction 1: ends the journey with values on the stack"),
    TABLE(exit_with_payload, "function 10, instruction 2: ends the journey with values on the stack"),
    TABLE(binding_jumped_into, "function 10, instruction 11: reads a frame slot before it is written"),
    TABLE(binding_after_timeout, "function 10, instruction 3: reads a frame slot before it is written"),
    TABLE(binding_untimed, NULL),
    TABLE(binding_false_branch, "function 10, instruction 3: reads a frame slot before it is written"),
    TABLE(binding_select_arm, "function 10, instruction 24: reads a frame slot before it is written"),
    TABLE(shared_fields, "the program is too costly to check for its size"),
    TABLE(shared_arms, "the program is too costly to verify for its size"),
    TABLE(long_journey, NULL),
};

/* ---- 1. what the compiler makes loads ----------------------------------------------------- */

static const char *program_name; /* argv[0] */
static char temporary[PATH_MAX];

static void journeyc_path(char *out, size_t size)
{
    const char *given = getenv("JOURNEYC");
    if (given) {
        snprintf(out, size, "%s", given);
        return;
    }
    /* BUILD/tests/test_loader -> BUILD/journeyc */
    char directory[PATH_MAX];
    snprintf(directory, sizeof directory, "%s", program_name);
    char *slash = strrchr(directory, '/');
    if (slash) *slash = '\0';
    else snprintf(directory, sizeof directory, ".");
    snprintf(out, size, "%s/../journeyc", directory);
}

static int make_temporary(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(temporary, sizeof temporary, "%s/test_loader.XXXXXX", base);
    return mkdtemp(temporary) ? 0 : -1;
}

static int remove_temporary(void **state)
{
    (void)state;
    DIR *directory = opendir(temporary);
    if (directory) {
        struct dirent *entry;
        char path[PATH_MAX + 256];
        while ((entry = readdir(directory))) {
            if (entry->d_name[0] == '.') continue;
            snprintf(path, sizeof path, "%s/%s", temporary, entry->d_name);
            unlink(path);
        }
        closedir(directory);
    }
    rmdir(temporary);
    return 0;
}

/* Compiles `source` (a path from the top of the tree) and loads the result. */
static void compile_and_load(void **state)
{
    const char *source = *state;
    char journeyc[PATH_MAX + 32], output[PATH_MAX + 64], command[3 * PATH_MAX + 128];
    journeyc_path(journeyc, sizeof journeyc);
    if (access(journeyc, X_OK) != 0) fail_msg("no compiler at %s (build it first, or set JOURNEYC)", journeyc);
    const char *base = strrchr(source, '/') ? strrchr(source, '/') + 1 : source;
    snprintf(output, sizeof output, "%s/%s.jbc", temporary, base);
    snprintf(command, sizeof command, "'%s' build -I stdlib '%s' -o '%s' 2>&1", journeyc, source, output);
    int status = system(command);
    if (status != 0) fail_msg("'%s' failed with status %d", command, status);
    jr_program *program = NULL;
    jr_error error = { 0 };
    jr_status loaded = jr_program_load_file(output, &stand_in_options, &program, &error);
    unlink(output);
    if (loaded != JR_OK) fail_msg("%s: %s", source, error.message);
    jr_vm *vm = NULL;
    assert_int_equal(jr_vm_new(program, NULL, &vm, &error), JR_OK);
    jr_vm_free(vm);
    jr_program_free(program);
}

/* The sources: the .journey files of examples/, tests/compile/ok/ and stdlib/std/. */
static char **list_sources(uint32_t *count)
{
    static const char *const directories[] = { "examples", "tests/compile/ok", "stdlib/std" };
    char **sources = NULL;
    *count = 0;
    uint32_t capacity = 0;
    for (size_t d = 0; d < sizeof directories / sizeof *directories; d++) {
        DIR *directory = opendir(directories[d]);
        if (!directory) continue;
        struct dirent *entry;
        while ((entry = readdir(directory))) {
            size_t length = strlen(entry->d_name);
            if (length < 9 || strcmp(entry->d_name + length - 8, ".journey") != 0) continue;
            sources = grow(sources, &capacity, *count + 1, sizeof *sources);
            size_t size = strlen(directories[d]) + length + 2;
            sources[*count] = malloc(size);
            assert_non_null(sources[*count]);
            snprintf(sources[*count], size, "%s/%s", directories[d], entry->d_name);
            (*count)++;
        }
        closedir(directory);
    }
    for (uint32_t i = 1; i < *count; i++) /* sorted, for a stable order of the tests */
        for (uint32_t k = i; k > 0 && strcmp(sources[k - 1], sources[k]) > 0; k--) {
            char *swap = sources[k];
            sources[k] = sources[k - 1];
            sources[k - 1] = swap;
        }
    return sources;
}

/* ---- 3. a failing allocator ------------------------------------------------------------- */

typedef struct failing_allocator {
    long fail_at; /* the allocation (counting from 0) that fails */
    long calls;
    long live;
} failing_allocator;

static void *failing_realloc(void *user, void *pointer, size_t size)
{
    failing_allocator *a = user;
    if (size == 0) {
        if (pointer) a->live--;
        free(pointer);
        return NULL;
    }
    if (a->calls++ == a->fail_at) return NULL;
    void *memory = realloc(pointer, size);
    if (memory && !pointer) a->live++;
    return memory;
}

static long load_with_failures(const buffer *b, const char *path)
{
    for (long n = 0;; n++) {
        failing_allocator state = { n, 0, 0 };
        jr_allocator allocator = { failing_realloc, &state };
        jr_program *program = NULL;
        jr_error error = { 0 };
        jr_load_options options = stand_in_options;
        options.allocator = allocator;
        jr_status status = path ? jr_program_load_file(path, &options, &program, &error)
                                : jr_program_load(b->bytes, b->length, &options, &program, &error);
        if (status == JR_OK) {
            assert_true(state.calls <= n); /* nothing failed */
            assert_non_null(program);
            jr_program_free(program);
            assert_int_equal(state.live, 0);
            return n;
        }
        assert_int_equal(status, JR_ERROR_MEMORY);
        assert_int_equal(error.status, JR_ERROR_MEMORY);
        assert_non_null(strstr(error.message, "out of memory"));
        assert_null(program);
        assert_int_equal(state.live, 0);
        if (n > 100000) fail_msg("loading never succeeds");
    }
}

static void test_failing_allocator(void **state)
{
    (void)state;
    model m;
    base_program(&m);
    buffer b = serialize(&m);
    long allocations = load_with_failures(&b, NULL);
    assert_true(allocations >= 2 + FN(FUNCTION_COUNT)); /* the block, the schema, the verifier's */
    /* and through a file, whose buffer comes from the allocator too */
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/base.jbc", temporary);
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    assert_int_equal(fwrite(b.bytes, 1, b.length, file), b.length);
    assert_int_equal(fclose(file), 0);
    assert_true(load_with_failures(NULL, path) > allocations);
    unlink(path);
    free(b.bytes);
    model_free(&m);
}

/* ---- 4. more -------------------------------------------------------------------------------- */

static void test_load_arguments(void **state)
{
    (void)state;
    jr_program *program = NULL;
    jr_error error = { 0 };
    assert_int_equal(jr_program_load(NULL, 10, NULL, &program, &error), JR_ERROR_ARGUMENT);
    assert_int_equal(jr_program_load_file(NULL, NULL, &program, &error), JR_ERROR_ARGUMENT);
    assert_int_equal(jr_program_load_file("/nonexistent/x.jbc", NULL, &program, &error), JR_ERROR_IO);
    assert_non_null(strstr(error.message, "cannot read '/nonexistent/x.jbc'"));
    assert_null(program);
    /* a load that fails without a jr_error does not crash */
    uint8_t zeros[64] = { 0 };
    assert_int_equal(jr_program_load(zeros, sizeof zeros, NULL, &program, NULL), JR_ERROR_BYTECODE);
    /* a directory is not a file */
    assert_int_not_equal(jr_program_load_file(".", NULL, &program, &error), JR_OK);
    assert_null(program);
}

/* A section may be absent: its table is empty. Dropping PROGRAM (the last entry of
 * the directory; its bytes become a gap) leaves a valid file; dropping SLOTS (its entry
 * replaced by the last one) leaves a journey whose slots are out of range. */
static void test_absent_section(void **state)
{
    (void)state;
    model m;
    base_program(&m);
    buffer b = serialize(&m);
    set32(b.bytes + 12, JR_SECTION_LIMIT - 2);
    fix_crc(b.bytes, b.length);
    assert_loads(&b);
    set32(b.bytes + 12, JR_SECTION_LIMIT - 1);
    memcpy(entry_of(&b, JR_SECTION_SLOTS), b.bytes + 16 + 12 * (JR_SECTION_LIMIT - 2), 12);
    set32(b.bytes + 12, JR_SECTION_LIMIT - 2);
    fix_crc(b.bytes, b.length);
    assert_rejected(&b, "journey 0: slots out of range");
    free(b.bytes);
    model_free(&m);
}

/* The schema the loader derives from EVENTS, FIELDS and ATTRIBUTES. */
static void test_schema(void **state)
{
    (void)state;
    model m;
    base_program(&m);
    buffer b = serialize(&m);
    jr_program *program = NULL;
    jr_error error;
    assert_int_equal(load(&b, &program, &error), JR_OK);
    const jr_schema *schema = jr_program_schema(program);
    assert_int_equal(schema->event_count, 2);
    assert_string_equal(schema->events[1].external_name, "Order Completed");
    assert_int_equal(schema->events[1].field_count, 2);
    assert_string_equal(schema->events[1].fields[1].name, "at");
    assert_int_equal(schema->events[1].fields[1].type, 't');
    assert_int_equal(schema->attribute_count, 5);
    assert_string_equal(schema->attributes[3].name, "cooldown");
    assert_int_equal(schema->attributes[3].type, 'd');
    assert_null(jr_program_schema(NULL));
    jr_program_free(program);
    jr_program_free(NULL);
    free(b.bytes);
    model_free(&m);
}

/* The frame-slot rule at run time: an exit's where-function (an expression with the
 * journey's frame, which the written-before-read check does not cover) reads slot 2
 * before the journey wrote it. Slots start missing, so this is a run-time error of the
 * where clause, counted, and never a memory error. */
static void test_slot_read_early(void **state)
{
    (void)state;
    model m;
    base_program(&m);
    CODE(&m, FN(F_EXIT), 2, AB(LOAD_FIELD, 0, 0), AB(LOAD_LOCAL, 0, 2), OP(COMPARE_NUMBERS, JR_RELATION_GREATER_EQUAL),
         OP0(RETURN));
    buffer b = serialize(&m);
    jr_program *program = NULL;
    jr_error error;
    assert_int_equal(load(&b, &program, &error), JR_OK);
    jr_vm *vm = NULL;
    assert_int_equal(jr_vm_new(program, NULL, &vm, &error), JR_OK);
    static const char *const contacts[] = { "user-1", "user-2", "user-3", "user-4" };
    int64_t now = 1767225600000;
    for (size_t i = 0; i < 4; i++) {
        jr_field_value fields[2] = { { .index = 0, .type = 's', .as.string = { "pro", 3 } },
                                     { .index = 1, .type = 'n', .as.number = 2 } };
        jr_event event = { .kind = JR_EVENT_TRACK, .timestamp = now, .contact_id = contacts[i],
                           .contact_id_length = (uint32_t)strlen(contacts[i]), .event_index = E_SIGNED_UP,
                           .properties = fields, .property_count = 2 };
        assert_int_equal(jr_vm_post(vm, &event, &error), JR_OK);
        jr_field_value revenue = { .index = 0, .type = 'n', .as.number = 5 };
        event.event_index = E_ORDER;
        event.timestamp = now + HOUR;
        event.properties = &revenue;
        event.property_count = 1;
        assert_int_equal(jr_vm_post(vm, &event, &error), JR_OK);
    }
    assert_int_equal(jr_vm_advance(vm, now + 60 * DAY, &error), JR_OK);
    jr_journey_stats stats;
    jr_vm_journey_stats(vm, 0, &stats);
    assert_int_equal(stats.entered, 4);
    bool found = false;
    for (uint32_t i = 0; i < jr_vm_error_count(vm); i++) {
        jr_runtime_error runtime_error;
        jr_vm_error(vm, i, &runtime_error);
        if (strstr(runtime_error.message, "missing")) found = true;
    }
    assert_true(stats.entered == stats.holdout || found);
    jr_vm_free(vm);
    jr_program_free(program);
    free(b.bytes);
    model_free(&m);
}

int main(int argc, char **argv)
{
    (void)argc;
    program_name = argv[0];
    static const struct CMUnitTest more[] = {
        cmocka_unit_test(test_failing_allocator), cmocka_unit_test(test_load_arguments),
        cmocka_unit_test(test_absent_section),    cmocka_unit_test(test_schema),
        cmocka_unit_test(test_slot_read_early),
    };
    size_t case_count = sizeof cases / sizeof *cases, more_count = sizeof more / sizeof *more;
    uint32_t source_count;
    char **sources = list_sources(&source_count);
    if (source_count == 0) fprintf(stderr, "test_loader: no sources found: run from the top of the tree\n");
    /* One group, so that its summary counts every test. */
    size_t total = case_count + source_count + more_count;
    struct CMUnitTest *tests = calloc(total, sizeof *tests);
    if (!tests) return 1;
    size_t n = 0;
    for (size_t i = 0; i < case_count; i++)
        tests[n++] = (struct CMUnitTest){ cases[i].name, run_case, NULL, NULL, (void *)&cases[i] };
    for (uint32_t i = 0; i < source_count; i++)
        tests[n++] = (struct CMUnitTest){ sources[i], compile_and_load, NULL, NULL, sources[i] };
    for (size_t i = 0; i < more_count; i++) tests[n++] = more[i];
    int failures = _cmocka_run_group_tests("loader", tests, total, make_temporary, remove_temporary);
    for (uint32_t i = 0; i < source_count; i++) free(sources[i]);
    free(sources);
    free(tests);
    return failures || source_count == 0 ? 1 : 0;
}
