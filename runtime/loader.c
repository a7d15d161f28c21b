/* loader.c: reads a .jbc file into a jr_program, checking everything before use.
 *
 * Order of checks: size, magic, version, checksum; the section directory (each
 * section inside the file, after the directory, aligned, and overlapping no other);
 * each section's count against its length (before anything is allocated, so a hostile
 * count cannot make us allocate); then every reference between tables; then the
 * code of every function (verifier.c); last, its externs are bound as the load options
 * allow (natives.c). A file that passes runs without memory errors.
 * All memory comes from the caller's allocator, and the work done is bounded by the
 * size of the file (see spend). spec/bytecode.md states every rule. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "natives.h"
#include "program.h"


static uint32_t read_u32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t read_u64(const uint8_t *p) { return read_u32(p) | (uint64_t)read_u32(p + 4) << 32; }

typedef struct raw_section {
    const uint8_t *data; /* after the count */
    uint32_t count;
    uint32_t length;     /* bytes after the count */
    bool present;
} raw_section;

/* ---- table checks ------------------------------------------------------------------ */

typedef struct checker {
    const jr_program *program;
    char *reason;
    size_t size;
    uint64_t budget; /* units of work left: one per record of a range looked at */
} checker;

static bool bad(checker *c, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(c->reason, c->size, format, arguments);
    va_end(arguments);
    return false;
}

static bool is_type(uint32_t letter, bool allow_duration)
{
    return letter == 'n' || letter == 's' || letter == 'b' || letter == 't' || (allow_duration && letter == 'd');
}

#define CHECK(condition, ...) \
    do {                      \
        if (!(condition)) return bad(c, __VA_ARGS__); \
    } while (0)

/* Ranges of records may overlap, so looking at every record of every range could take
 * time quadratic in the file's size: each record looked at costs a unit of a budget of
 * 2^20 + 256 per word of the file's tables, pools and code. */
static bool spend(checker *c, uint64_t units)
{
    if (c->budget < units) return bad(c, "the program is too costly to check for its size");
    c->budget -= units;
    return true;
}

static uint64_t work_budget(const jr_program *p)
{
    uint64_t words = (uint64_t)p->code_count + p->string_count + 2 * (uint64_t)p->number_count + 2 * (uint64_t)p->integer_count;
    for (int id = 1; id < JR_SECTION_LIMIT; id++) words += p->tables[id].count;
    return ((uint64_t)1 << 20) + 256 * words;
}

static bool string_ok(const jr_program *p, uint32_t index) { return index < p->string_count; }
static bool optional_string_ok(const jr_program *p, uint32_t index) { return index == JR_NONE || index < p->string_count; }
static bool range_ok(uint32_t first, uint32_t count, uint32_t limit)
{
    return first <= limit && count <= limit - first;
}

/* An expression function with the given result, event context and journey frame. */
static bool function_ok(checker *c, uint32_t index, char result, uint32_t event, uint32_t journey, const char *what)
{
    const jr_program *p = c->program;
    if (index == JR_NONE) return true;
    CHECK(index < JR_COUNT(p, FUNCTIONS), "%s: function %u out of range", what, index);
    const jr_FUNCTIONS_record *f = &JR_TABLE(p, FUNCTIONS)[index];
    CHECK(f->kind == JR_FUNCTION_EXPRESSION, "%s: function %u is not an expression", what, index);
    CHECK(result == 0 || f->result == (uint32_t)result, "%s: function %u returns '%c', not '%c'", what, index,
          (char)f->result, result);
    CHECK(f->event == event, "%s: function %u matches the wrong event", what, index);
    CHECK(f->journey == journey, "%s: function %u has the wrong journey frame", what, index);
    return true;
}

static bool integer_ok(const jr_program *p, uint32_t index, int64_t minimum, int64_t maximum)
{
    return index < p->integer_count && p->integers[index] >= minimum && p->integers[index] <= maximum;
}

static bool copies_ok(checker *c, uint32_t first, uint32_t count, uint32_t event, const jr_JOURNEYS_record *journey,
                      const char *what)
{
    const jr_program *p = c->program;
    CHECK(range_ok(first, count, JR_COUNT(p, COPIES)), "%s: copies out of range", what);
    if (!spend(c, count)) return false;
    const jr_EVENTS_record *e = &JR_TABLE(p, EVENTS)[event];
    for (uint32_t i = 0; i < count; i++) {
        const jr_COPIES_record *copy = &JR_TABLE(p, COPIES)[first + i];
        CHECK(copy->field < e->field_count, "%s: copied field out of range", what);
        CHECK(copy->slot < journey->slot_count, "%s: copy into a slot the journey does not have", what);
        CHECK(JR_TABLE(p, FIELDS)[e->first_field + copy->field].type ==
                  JR_TABLE(p, SLOTS)[journey->first_slot + copy->slot].type,
              "%s: copy between different types", what);
    }
    return true;
}

static const int64_t DAY = 86400000;

static bool check_tables(checker *c)
{
    const jr_program *p = c->program;
    uint32_t events = JR_COUNT(p, EVENTS), functions = JR_COUNT(p, FUNCTIONS);
    for (uint32_t i = 0; i < events; i++) {
        const jr_EVENTS_record *e = &JR_TABLE(p, EVENTS)[i];
        CHECK(string_ok(p, e->name) && string_ok(p, e->external_name), "event %u: name out of range", i);
        CHECK(range_ok(e->first_field, e->field_count, JR_COUNT(p, FIELDS)), "event %u: fields out of range", i);
    }
    for (uint32_t i = 0; i < JR_COUNT(p, FIELDS); i++) {
        const jr_FIELDS_record *f = &JR_TABLE(p, FIELDS)[i];
        CHECK(string_ok(p, f->name) && is_type(f->type, true), "field %u: bad name or type", i);
    }
    for (uint32_t i = 0; i < JR_COUNT(p, ATTRIBUTES); i++) {
        const jr_ATTRIBUTES_record *a = &JR_TABLE(p, ATTRIBUTES)[i];
        CHECK(string_ok(p, a->name) && is_type(a->type, true), "attribute %u: bad name or type", i);
        switch (a->default_kind) {
        case JR_DEFAULT_NONE: break;
        case JR_DEFAULT_NUMBER: CHECK(a->type == 'n' && a->default_value < p->number_count, "attribute %u: bad default", i); break;
        case JR_DEFAULT_STRING: CHECK(a->type == 's' && string_ok(p, a->default_value), "attribute %u: bad default", i); break;
        case JR_DEFAULT_BOOL: CHECK(a->type == 'b' && a->default_value <= 1, "attribute %u: bad default", i); break;
        case JR_DEFAULT_INTEGER: CHECK(a->type == 'd' && a->default_value < p->integer_count, "attribute %u: bad default", i); break;
        default: return bad(c, "attribute %u: unknown default kind", i);
        }
    }
    for (uint32_t i = 0; i < JR_COUNT(p, SCORES); i++) {
        const jr_SCORES_record *s = &JR_TABLE(p, SCORES)[i];
        CHECK(string_ok(p, s->name), "score %u: bad name", i);
        CHECK(range_ok(s->first_rule, s->rule_count, JR_COUNT(p, SCORE_RULES)), "score %u: rules out of range", i);
        CHECK((s->decay_percent == JR_NONE) == (s->decay_period == JR_NONE), "score %u: half a decay", i);
        if (s->decay_percent != JR_NONE) {
            CHECK(s->decay_percent < p->number_count && p->numbers[s->decay_percent] > 0 &&
                      p->numbers[s->decay_percent] < 1,
                  "score %u: decay out of range", i);
            CHECK(integer_ok(p, s->decay_period, 1, 3660 * DAY), "score %u: decay period out of range", i);
        }
    }
    for (uint32_t i = 0; i < JR_COUNT(p, SCORE_RULES); i++) {
        const jr_SCORE_RULES_record *r = &JR_TABLE(p, SCORE_RULES)[i];
        CHECK(r->event < events && r->delta < p->number_count && isfinite(p->numbers[r->delta]),
              "score rule %u: bad event or delta", i);
        if (!function_ok(c, r->where_function, 'b', r->event, JR_NONE, "score rule")) return false;
    }
    for (uint32_t i = 0; i < JR_COUNT(p, SEGMENTS); i++) {
        const jr_SEGMENTS_record *s = &JR_TABLE(p, SEGMENTS)[i];
        CHECK(string_ok(p, s->name) && s->function != JR_NONE, "segment %u: bad name or no function", i);
        if (!function_ok(c, s->function, 'b', JR_NONE, JR_NONE, "segment")) return false;
    }
    for (uint32_t i = 0; i < JR_COUNT(p, AGGREGATES); i++) {
        const jr_AGGREGATES_record *a = &JR_TABLE(p, AGGREGATES)[i];
        CHECK(a->kind <= JR_AGGREGATE_MAX && a->event < events, "aggregate %u: bad kind or event", i);
        const jr_EVENTS_record *e = &JR_TABLE(p, EVENTS)[a->event];
        if (a->kind == JR_AGGREGATE_COUNT) CHECK(a->field == JR_NONE, "aggregate %u: count with a field", i);
        else CHECK(a->field < e->field_count && JR_TABLE(p, FIELDS)[e->first_field + a->field].type == 'n',
                   "aggregate %u: needs a number field", i);
        if (a->window != JR_NONE)
            CHECK(integer_ok(p, a->window, 60000, 366 * DAY), "aggregate %u: window out of range", i);
        if (!function_ok(c, a->where_function, 'b', a->event, JR_NONE, "aggregate")) return false;
    }
    uint32_t channels = JR_COUNT(p, CHANNELS);
    for (uint32_t i = 0; i < channels; i++)
        CHECK(string_ok(p, JR_TABLE(p, CHANNELS)[i].name), "channel %u: bad name", i);
    for (uint32_t i = 0; i < JR_COUNT(p, MESSAGES); i++) {
        const jr_MESSAGES_record *m = &JR_TABLE(p, MESSAGES)[i];
        CHECK(string_ok(p, m->name) && m->channel < channels && string_ok(p, m->template_name) && m->transactional <= 1,
              "message %u: bad name, channel or template", i);
        CHECK(range_ok(m->first_field, m->field_count, JR_COUNT(p, MESSAGE_FIELDS)), "message %u: fields out of range", i);
        if (!spend(c, m->field_count)) return false;
        for (uint32_t f = 0; f < m->field_count; f++) {
            const jr_MESSAGE_FIELDS_record *field = &JR_TABLE(p, MESSAGE_FIELDS)[m->first_field + f];
            CHECK(string_ok(p, field->key) && field->function != JR_NONE, "message %u: bad field", i);
            if (!function_ok(c, field->function, 0, JR_NONE, JR_NONE, "message field")) return false;
        }
    }
    for (uint32_t i = 0; i < JR_COUNT(p, LIMITS); i++) {
        const jr_LIMITS_record *l = &JR_TABLE(p, LIMITS)[i];
        CHECK(l->channel < channels && l->count >= 1 && l->count <= 1000 && l->policy <= JR_POLICY_SUPPRESS &&
                  integer_ok(p, l->period, 1, 366 * DAY),
              "limit %u: bad channel, count, period or policy", i);
    }
    for (uint32_t i = 0; i < JR_COUNT(p, QUIET_HOURS); i++) {
        const jr_QUIET_HOURS_record *q = &JR_TABLE(p, QUIET_HOURS)[i];
        CHECK(q->from < 86400 && q->to < 86400 && q->from != q->to && (q->channel == JR_NONE || q->channel < channels) &&
                  q->policy <= JR_POLICY_SUPPRESS,
              "quiet hours %u: bad times, channel or policy", i);
    }
    for (uint32_t i = 0; i < JR_COUNT(p, SLOTS); i++)
        CHECK(is_type(JR_TABLE(p, SLOTS)[i].type, true), "slot %u: bad type", i);
    for (uint32_t i = 0; i < JR_COUNT(p, EXTERNS); i++) {
        const jr_EXTERNS_record *x = &JR_TABLE(p, EXTERNS)[i];
        CHECK(string_ok(p, x->library) && string_ok(p, x->name) && string_ok(p, x->parameters) &&
                  (x->result == 'n' || x->result == 's' || x->result == 'b'),
              "extern %u: bad library, name or signature", i);
        const jr_text *parameters = &p->strings[x->parameters];
        if (!spend(c, parameters->length)) return false;
        for (uint32_t k = 0; k < parameters->length; k++)
            CHECK(parameters->bytes[k] == 'n' || parameters->bytes[k] == 's' || parameters->bytes[k] == 'b',
                  "extern %u: bad parameter type", i);
    }
    for (uint32_t i = 0; i < JR_COUNT(p, LINES); i++)
        CHECK(string_ok(p, JR_TABLE(p, LINES)[i].file), "line %u: bad file", i);
    for (uint32_t i = 0; i < JR_COUNT(p, SPLITS); i++) {
        const jr_SPLITS_record *s = &JR_TABLE(p, SPLITS)[i];
        CHECK(string_ok(p, s->name) && s->arm_count >= 1 && range_ok(s->first_arm, s->arm_count, JR_COUNT(p, SPLIT_ARMS)),
              "split %u: bad name or arms", i);
        uint32_t total = 0;
        if (!spend(c, s->arm_count)) return false;
        for (uint32_t a = 0; a < s->arm_count; a++) {
            const jr_SPLIT_ARMS_record *arm = &JR_TABLE(p, SPLIT_ARMS)[s->first_arm + a];
            CHECK(arm->basis_points <= 10000 && optional_string_ok(p, arm->label), "split %u: bad arm", i);
            total += arm->basis_points;
        }
        CHECK(total == 10000, "split %u: shares add up to %u basis points, not 10000", i, total);
    }
    for (uint32_t i = 0; i < JR_COUNT(p, PROGRAM); i++)
        CHECK(string_ok(p, JR_TABLE(p, PROGRAM)[i].source) && string_ok(p, JR_TABLE(p, PROGRAM)[i].compiler_version),
              "program record: bad strings");
    for (uint32_t i = 0; i < functions; i++) {
        const jr_FUNCTIONS_record *f = &JR_TABLE(p, FUNCTIONS)[i];
        CHECK(f->kind <= JR_FUNCTION_EXPRESSION, "function %u: bad kind", i);
        CHECK(f->journey == JR_NONE || f->journey < JR_COUNT(p, JOURNEYS), "function %u: bad journey", i);
        CHECK(f->event == JR_NONE || f->event < events, "function %u: bad event", i);
        CHECK(f->word_count >= 1 && f->word_count <= JR_MAX_FUNCTION_WORDS &&
                  range_ok(f->first_word, f->word_count, p->code_count),
              "function %u: code out of range", i);
        CHECK(f->max_stack <= JR_MAX_STACK, "function %u: stack too deep", i);
        CHECK(range_ok(f->first_line, f->line_count, JR_COUNT(p, LINES)), "function %u: lines out of range", i);
        if (f->kind == JR_FUNCTION_JOURNEY)
            CHECK(f->journey != JR_NONE && f->event == JR_NONE && f->result == 0, "function %u: bad journey function", i);
        else
            CHECK(is_type(f->result, true), "function %u: bad result type", i);
    }
    for (uint32_t i = 0; i < JR_COUNT(p, JOURNEYS); i++) {
        const jr_JOURNEYS_record *j = &JR_TABLE(p, JOURNEYS)[i];
        CHECK(string_ok(p, j->name), "journey %u: bad name", i);
        CHECK(j->function < functions && JR_TABLE(p, FUNCTIONS)[j->function].kind == JR_FUNCTION_JOURNEY &&
                  JR_TABLE(p, FUNCTIONS)[j->function].journey == i,
              "journey %u: bad function", i);
        CHECK(j->entry_count >= 1 && range_ok(j->first_entry, j->entry_count, JR_COUNT(p, ENTRIES)),
              "journey %u: entries out of range", i);
        CHECK(range_ok(j->first_exit, j->exit_count, JR_COUNT(p, EXITS)), "journey %u: exits out of range", i);
        CHECK(j->slot_count <= JR_MAX_SLOTS && range_ok(j->first_slot, j->slot_count, JR_COUNT(p, SLOTS)),
              "journey %u: slots out of range", i);
        CHECK(range_ok(j->first_node, j->node_count, JR_COUNT(p, NODES)), "journey %u: nodes out of range", i);
        CHECK(j->reentry <= JR_REENTRY_AFTER, "journey %u: bad reentry", i);
        CHECK((j->reentry == JR_REENTRY_AFTER) == (j->reentry_after != JR_NONE), "journey %u: bad reentry delay", i);
        if (j->reentry_after != JR_NONE)
            CHECK(integer_ok(p, j->reentry_after, 1, 3660 * DAY), "journey %u: reentry delay out of range", i);
        CHECK(j->holdout < 10000, "journey %u: holdout out of range", i);
        if (j->goal_event != JR_NONE) {
            CHECK(j->goal_event < events && integer_ok(p, j->goal_within, 1, 366 * DAY), "journey %u: bad goal", i);
            if (!function_ok(c, j->goal_where, 'b', j->goal_event, i, "goal")) return false;
            if (!function_ok(c, j->goal_value, 'n', j->goal_event, i, "goal value")) return false;
        } else {
            CHECK(j->goal_where == JR_NONE && j->goal_value == JR_NONE && j->goal_within == JR_NONE,
                  "journey %u: goal parts without a goal", i);
        }
        if (!spend(c, (uint64_t)j->entry_count + j->exit_count)) return false;
        for (uint32_t e = 0; e < j->entry_count; e++) {
            const jr_ENTRIES_record *entry = &JR_TABLE(p, ENTRIES)[j->first_entry + e];
            if (entry->kind == JR_ENTRY_SEGMENT) {
                CHECK(entry->target < JR_COUNT(p, SEGMENTS) && entry->where_function == JR_NONE && entry->copy_count == 0,
                      "journey %u: bad segment entry", i);
                continue;
            }
            CHECK(entry->kind == JR_ENTRY_EVENT && entry->target < events, "journey %u: bad entry", i);
            if (!function_ok(c, entry->where_function, 'b', entry->target, JR_NONE, "entry")) return false;
            if (!copies_ok(c, entry->first_copy, entry->copy_count, entry->target, j, "entry")) return false;
        }
        for (uint32_t e = 0; e < j->exit_count; e++) {
            const jr_EXITS_record *exit_record = &JR_TABLE(p, EXITS)[j->first_exit + e];
            CHECK(exit_record->event < events, "journey %u: bad exit", i);
            if (!function_ok(c, exit_record->where_function, 'b', exit_record->event, i, "exit")) return false;
        }
    }
    /* Nodes: each in the range of its journey; parents and steps come before it, in the
     * same journey (the compiler numbers them in pre-order). */
    for (uint32_t i = 0; i < JR_COUNT(p, NODES); i++) {
        const jr_NODES_record *n = &JR_TABLE(p, NODES)[i];
        CHECK(n->journey < JR_COUNT(p, JOURNEYS) && n->kind < JR_NODE_KIND_COUNT && n->line >= 1 && n->column >= 1 &&
                  optional_string_ok(p, n->label),
              "node %u: bad journey, kind, position or label", i);
        const jr_JOURNEYS_record *j = &JR_TABLE(p, JOURNEYS)[n->journey];
        CHECK(i >= j->first_node && i - j->first_node < j->node_count, "node %u: outside its journey's nodes", i);
        CHECK(n->parent == JR_NONE || (n->parent < i && JR_TABLE(p, NODES)[n->parent].journey == n->journey),
              "node %u: bad parent", i);
        CHECK(n->step == JR_NONE || (n->step < i && JR_TABLE(p, NODES)[n->step].journey == n->journey &&
                                     JR_TABLE(p, NODES)[n->step].kind == JR_NODE_STEP),
              "node %u: bad step", i);
        CHECK(!jr_node_kind_is_arm(n->kind) || (n->parent != JR_NONE &&
                                                !jr_node_kind_is_arm(JR_TABLE(p, NODES)[n->parent].kind)),
              "node %u: an arm without its statement", i);
    }
    return true;
}

/* ---- loading --------------------------------------------------------------------- */

jr_status jr_program_load(const void *data, size_t length, const jr_load_options *options, jr_program **out,
                          jr_error *error)
{
    const jr_allocator *allocator = options ? &options->allocator : NULL;
    if (!data || !out) return jr_fail(error, JR_ERROR_ARGUMENT, "no bytecode given");
    *out = NULL;
    const uint8_t *bytes = data;
    jr_allocator alloc = allocator && allocator->realloc ? *allocator : (jr_allocator){ jr_default_realloc, NULL };
    if (length < 20 || length > JR_MAX_FILE_BYTES) return jr_fail(error, JR_ERROR_BYTECODE, "not a .jbc file: bad size");
    if (memcmp(bytes, JR_MAGIC, JR_MAGIC_LENGTH) != 0) return jr_fail(error, JR_ERROR_BYTECODE, "not a .jbc file: bad magic");
    uint32_t version = read_u32(bytes + 8);
    if (version != JR_FORMAT_VERSION)
        return jr_fail(error, JR_ERROR_BYTECODE, "bytecode format %u is not supported (this runtime reads %u)", version,
                    JR_FORMAT_VERSION);
    if ((uint32_t)crc32(0L, bytes, (uInt)(length - 4)) != read_u32(bytes + length - 4))
        return jr_fail(error, JR_ERROR_BYTECODE, "checksum mismatch: the file is damaged");

    raw_section sections[JR_SECTION_LIMIT] = { 0 };
    uint32_t section_count = read_u32(bytes + 12);
    if (section_count >= JR_SECTION_LIMIT || 16 + (size_t)section_count * 12 > length - 4)
        return jr_fail(error, JR_ERROR_BYTECODE, "bad section directory: %u sections", section_count);
    /* The directory first: every entry names a known section once, lies inside the file
     * after the directory, is aligned, and shares no byte with another. */
    for (uint32_t i = 0; i < section_count; i++) {
        const uint8_t *entry = bytes + 16 + (size_t)i * 12;
        uint32_t id = read_u32(entry), offset = read_u32(entry + 4), section_length = read_u32(entry + 8);
        if (id == 0 || id >= JR_SECTION_LIMIT) return jr_fail(error, JR_ERROR_BYTECODE, "unknown section %u", id);
        if (sections[id].present) return jr_fail(error, JR_ERROR_BYTECODE, "section %s appears twice", jr_section_name(id));
        if (offset % 4 || section_length < 4 || offset < 16 + section_count * 12 || offset > length - 4 ||
            section_length > length - 4 - offset)
            return jr_fail(error, JR_ERROR_BYTECODE, "section %s lies outside the file", jr_section_name(id));
        for (uint32_t k = 0; k < i; k++) {
            const uint8_t *other = bytes + 16 + (size_t)k * 12;
            uint32_t other_offset = read_u32(other + 4), other_length = read_u32(other + 8);
            if (offset < other_offset + other_length && other_offset < offset + section_length)
                return jr_fail(error, JR_ERROR_BYTECODE, "section %s overlaps section %s", jr_section_name(id),
                            jr_section_name(read_u32(other)));
        }
        raw_section *s = &sections[id];
        s->present = true;
        s->count = read_u32(bytes + offset);
        s->data = bytes + offset + 4;
        s->length = section_length - 4;
    }
    /* Then each section's count against its length, in the order of the ids. */
    for (uint32_t id = 1; id < JR_SECTION_LIMIT; id++) {
        raw_section *s = &sections[id];
        if (!s->present) continue;
        if (s->count > JR_MAX_TABLE_RECORDS)
            return jr_fail(error, JR_ERROR_BYTECODE, "section %s: %u records is more than %u", jr_section_name(id), s->count,
                        JR_MAX_TABLE_RECORDS);
        uint64_t expected;
        switch (id) {
        case JR_SECTION_STRINGS: expected = s->length; break; /* walked below */
        case JR_SECTION_NUMBERS: case JR_SECTION_INTEGERS: expected = (uint64_t)s->count * 8; break;
        case JR_SECTION_CODE: expected = (uint64_t)s->count * 4; break;
        default: expected = (uint64_t)s->count * jr_record_width(id) * 4;
        }
        if (expected != s->length)
            return jr_fail(error, JR_ERROR_BYTECODE, "section %s: %u records do not fill its %u bytes", jr_section_name(id),
                        s->count, s->length);
    }

    /* Strings: walk once to size them. */
    raw_section *strings = &sections[JR_SECTION_STRINGS];
    uint64_t string_bytes = 0;
    for (uint32_t i = 0, at = 0; i < strings->count; i++) {
        if (strings->length - at < 4) return jr_fail(error, JR_ERROR_BYTECODE, "string %u lies outside its section", i);
        uint32_t string_length = read_u32(strings->data + at);
        at += 4;
        uint32_t padded = string_length + (4 - string_length % 4) % 4;
        if (string_length > strings->length - at || padded > strings->length - at)
            return jr_fail(error, JR_ERROR_BYTECODE, "string %u lies outside its section", i);
        string_bytes += string_length + 1;
        at += padded;
        if (i + 1 == strings->count && at != strings->length)
            return jr_fail(error, JR_ERROR_BYTECODE, "bytes after the last string");
    }
    if (strings->count == 0 && strings->length != 0) return jr_fail(error, JR_ERROR_BYTECODE, "bytes after the last string");

    /* One block for everything: sizes are bounded by the file's length. */
    size_t size = sizeof(jr_program);
    size += (size_t)strings->count * sizeof(jr_text) + (size_t)string_bytes;
    size += (size_t)sections[JR_SECTION_NUMBERS].count * 8 + (size_t)sections[JR_SECTION_INTEGERS].count * 8;
    size += (size_t)sections[JR_SECTION_CODE].count * 4;
    for (int id = 1; id < JR_SECTION_LIMIT; id++) size += (size_t)sections[id].count * jr_record_width(id) * 4;
    size += 64; /* alignment slack */
    uint8_t *block = alloc.realloc(alloc.user, NULL, size);
    if (!block) return jr_fail(error, JR_ERROR_MEMORY, "out of memory loading bytecode");
    memset(block, 0, size);
    jr_program *program = (jr_program *)block;
    program->allocator = alloc;
    program->storage = block;
    program->bytecode_crc = read_u32(bytes + length - 4);
    uint8_t *cursor = block + sizeof(jr_program);
#define TAKE(bytes_needed) (cursor += (bytes_needed), cursor - (bytes_needed))
    cursor = (uint8_t *)(((uintptr_t)cursor + 7) & ~(uintptr_t)7);
    program->numbers = (double *)TAKE((size_t)sections[JR_SECTION_NUMBERS].count * 8);
    program->number_count = sections[JR_SECTION_NUMBERS].count;
    for (uint32_t i = 0; i < program->number_count; i++) {
        uint64_t bits = read_u64(sections[JR_SECTION_NUMBERS].data + (size_t)i * 8);
        memcpy(&program->numbers[i], &bits, 8);
    }
    program->integers = (int64_t *)TAKE((size_t)sections[JR_SECTION_INTEGERS].count * 8);
    program->integer_count = sections[JR_SECTION_INTEGERS].count;
    for (uint32_t i = 0; i < program->integer_count; i++)
        program->integers[i] = (int64_t)read_u64(sections[JR_SECTION_INTEGERS].data + (size_t)i * 8);
    program->strings = (jr_text *)TAKE((size_t)strings->count * sizeof(jr_text));
    program->string_count = strings->count;
    program->code = (uint32_t *)TAKE((size_t)sections[JR_SECTION_CODE].count * 4);
    program->code_count = sections[JR_SECTION_CODE].count;
    for (uint32_t i = 0; i < program->code_count; i++)
        program->code[i] = read_u32(sections[JR_SECTION_CODE].data + (size_t)i * 4);
    for (int id = 1; id < JR_SECTION_LIMIT; id++) {
        if (!jr_record_width(id)) continue;
        size_t words = (size_t)sections[id].count * jr_record_width(id);
        uint32_t *records = (uint32_t *)TAKE(words * 4);
        for (size_t w = 0; w < words; w++) records[w] = read_u32(sections[id].data + w * 4);
        program->tables[id].records = records;
        program->tables[id].count = sections[id].count;
    }
    char *text = (char *)TAKE((size_t)string_bytes);
    for (uint32_t i = 0, at = 0; i < strings->count; i++) {
        uint32_t string_length = read_u32(strings->data + at);
        at += 4;
        memcpy(text, strings->data + at, string_length);
        text[string_length] = '\0';
        program->strings[i] = (jr_text){ text, string_length };
        text += string_length + 1;
        at += string_length + (4 - string_length % 4) % 4;
    }
#undef TAKE

    char reason[200];
    checker c = { program, reason, sizeof reason, work_budget(program) };
    if (!check_tables(&c) || !jr_verify_functions(program, reason, sizeof reason)) {
        alloc.realloc(alloc.user, block, 0);
        /* The verifier's one failure that is not the file's fault. */
        if (strncmp(reason, "out of memory", 13) == 0) return jr_fail(error, JR_ERROR_MEMORY, "%s", reason);
        return jr_fail(error, JR_ERROR_BYTECODE, "bytecode rejected: %s", reason);
    }

    /* The schema that event readers use. */
    uint32_t events = JR_COUNT(program, EVENTS), fields = JR_COUNT(program, FIELDS);
    uint32_t attributes = JR_COUNT(program, ATTRIBUTES);
    size_t schema_size = (size_t)events * sizeof(jr_schema_event) + ((size_t)fields + attributes) * sizeof(jr_schema_field);
    uint8_t *schema = alloc.realloc(alloc.user, NULL, schema_size ? schema_size : 1);
    if (!schema) {
        alloc.realloc(alloc.user, block, 0);
        return jr_fail(error, JR_ERROR_MEMORY, "out of memory loading bytecode");
    }
    program->schema_events = (jr_schema_event *)schema;
    program->schema_fields = (jr_schema_field *)(schema + (size_t)events * sizeof(jr_schema_event));
    program->schema_attributes = program->schema_fields + fields;
    for (uint32_t i = 0; i < fields; i++)
        program->schema_fields[i] = (jr_schema_field){ program->strings[JR_TABLE(program, FIELDS)[i].name].bytes,
                                                       (char)JR_TABLE(program, FIELDS)[i].type };
    for (uint32_t i = 0; i < events; i++) {
        const jr_EVENTS_record *e = &JR_TABLE(program, EVENTS)[i];
        program->schema_events[i] = (jr_schema_event){ program->strings[e->external_name].bytes,
                                                       program->schema_fields + e->first_field, e->field_count };
    }
    for (uint32_t i = 0; i < attributes; i++)
        program->schema_attributes[i] = (jr_schema_field){
            program->strings[JR_TABLE(program, ATTRIBUTES)[i].name].bytes, (char)JR_TABLE(program, ATTRIBUTES)[i].type };
    program->schema = (jr_schema){ program->schema_events, events, program->schema_attributes, attributes };
    for (uint32_t i = 0; i < JR_COUNT(program, FUNCTIONS); i++)
        if (JR_TABLE(program, FUNCTIONS)[i].max_stack > program->max_stack)
            program->max_stack = JR_TABLE(program, FUNCTIONS)[i].max_stack;
    /* Last, the externs: a program whose externs cannot all be bound does not load. */
    jr_status bound = jr_natives_bind(program, options, error);
    if (bound != JR_OK) {
        jr_program_free(program);
        return bound;
    }
    *out = program;
    return JR_OK;
}

jr_status jr_program_load_file(const char *path, const jr_load_options *options, jr_program **program, jr_error *error)
{
    const jr_allocator *allocator = options ? &options->allocator : NULL;
    if (!path || !program) return jr_fail(error, JR_ERROR_ARGUMENT, "no path given");
    *program = NULL;
    jr_allocator alloc = allocator && allocator->realloc ? *allocator : (jr_allocator){ jr_default_realloc, NULL };
    FILE *file = fopen(path, "rb");
    if (!file) return jr_fail(error, JR_ERROR_IO, "cannot read '%s': %s", path, strerror(errno));
    size_t capacity = 0, length = 0;
    uint8_t *bytes = NULL;
    jr_status status = JR_OK;
    for (;;) {
        if (length == capacity) {
            if (capacity > JR_MAX_FILE_BYTES) { /* read one byte more than the largest file */
                status = jr_fail(error, JR_ERROR_BYTECODE, "'%s' is larger than bytecode can be", path);
                break;
            }
            size_t grown_capacity = capacity ? capacity * 2 : 65536;
            if (grown_capacity > (size_t)JR_MAX_FILE_BYTES + 1) grown_capacity = (size_t)JR_MAX_FILE_BYTES + 1;
            uint8_t *grown = alloc.realloc(alloc.user, bytes, grown_capacity);
            if (!grown) {
                status = jr_fail(error, JR_ERROR_MEMORY, "out of memory reading '%s'", path);
                break;
            }
            bytes = grown;
            capacity = grown_capacity;
        }
        size_t got = fread(bytes + length, 1, capacity - length, file);
        length += got;
        if (got == 0) break;
    }
    if (status == JR_OK && ferror(file)) status = jr_fail(error, JR_ERROR_IO, "cannot read '%s'", path);
    fclose(file);
    jr_load_options loading = options ? *options : (jr_load_options){ 0 };
    loading.allocator = alloc;
    if (status == JR_OK) status = jr_program_load(bytes, length, &loading, program, error);
    if (bytes) alloc.realloc(alloc.user, bytes, 0);
    if (status != JR_OK && error) snprintf(error->file, sizeof error->file, "%s", path);
    return status;
}

void jr_program_free(jr_program *program)
{
    if (!program) return;
    jr_natives_free(program);
    jr_allocator alloc = program->allocator;
    alloc.realloc(alloc.user, program->schema_events, 0);
    alloc.realloc(alloc.user, program->storage, 0);
}

const jr_schema *jr_program_schema(const jr_program *program) { return program ? &program->schema : NULL; }
