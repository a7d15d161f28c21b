/* verifier.c: proves, before anything runs, that every function of a program is safe
 * to interpret.
 *
 * Abstract interpretation over each function's instructions: at every reachable
 * instruction the verifier knows the depth and the type of each stack value, whether
 * a payload is being built, and which frame slots have certainly been written. Paths
 * that meet must agree on the stack; the written slots are intersected. It checks
 * every operand (constant, table and jump indexes), the types each instruction pops,
 * that a coroutine suspends only with an empty stack and no payload half built, that
 * journey-only instructions stay in journeys, and that no path runs off the end.
 * The interpreter relies on all of it and checks none of it again. (Frame slots also
 * start out missing at run time, so a slot read too early is a run-time error, never
 * a memory error.)
 *
 * Its memory comes from the program's allocator, and its work is bounded: every step
 * and every arm or binding copy it looks at costs one unit of a budget proportional to
 * the size of the program (work_budget), so a hostile file cannot make it run
 * for hours by pointing many instructions at one huge table range. spec/bytecode.md
 * states every rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"

typedef struct state {
    uint16_t depth;
    bool visited;
    bool queued;
    bool payload_open;
    uint32_t after_wait; /* 1 + the timed wait this state comes straight from, else 0 */
    uint64_t written[JR_MAX_SLOTS / 64];
    char *types; /* max_stack entries */
} state;

typedef struct verifier {
    const jr_program *program;
    const jr_FUNCTIONS_record *function;
    uint32_t function_index;
    const jr_JOURNEYS_record *journey; /* the frame, or NULL */
    uint32_t journey_index;
    state *states;
    char *type_storage;
    uint32_t *worklist;
    uint32_t worklist_count;
    char *reason;
    size_t size;
    uint64_t *budget; /* units of work left */
} verifier;

static bool reject(verifier *v, uint32_t pc, const char *format, const char *detail)
{
    char message[160];
    snprintf(message, sizeof message, "%s", format);
    char *marker = strstr(message, "%s");
    if (marker) { /* the one "%s" of each reason takes the detail */
        char rest[160];
        snprintf(rest, sizeof rest, "%s", marker + 2);
        snprintf(marker, sizeof message - (size_t)(marker - message), "%s%s", detail, rest);
    }
    snprintf(v->reason, v->size, "function %u, instruction %u: %s", v->function_index, pc, message);
    return false;
}

/* Takes units of work from the budget; false (with a reason) when it runs out. */
static bool spend(verifier *v, uint32_t pc, uint64_t units)
{
    if (*v->budget < units) return reject(v, pc, "the program is too costly to verify for its size%s", "");
    *v->budget -= units;
    return true;
}

static bool is_value_type(char letter)
{
    return letter == 'n' || letter == 's' || letter == 'b' || letter == 't' || letter == 'd';
}

/* Merges `from` into the state of `target`, queueing it when it changed. */
static bool flow(verifier *v, uint32_t pc, uint32_t target, const state *from)
{
    if (target >= v->function->word_count) return reject(v, pc, "jump outside the function%s", "");
    state *to = &v->states[target];
    if (!to->visited) {
        to->visited = true;
        to->depth = from->depth;
        to->payload_open = from->payload_open;
        to->after_wait = from->after_wait;
        memcpy(to->written, from->written, sizeof to->written);
        memcpy(to->types, from->types, from->depth);
        to->queued = true;
        v->worklist[v->worklist_count++] = target;
        return true;
    }
    if (to->depth != from->depth || memcmp(to->types, from->types, from->depth) != 0)
        return reject(v, pc, "paths meet with different stacks%s", "");
    if (to->payload_open != from->payload_open) return reject(v, pc, "paths meet with and without a payload%s", "");
    bool changed = false;
    if (to->after_wait != from->after_wait && to->after_wait) { /* reached some other way too */
        to->after_wait = 0;
        changed = true;
    }
    for (size_t i = 0; i < JR_MAX_SLOTS / 64; i++) {
        uint64_t merged = to->written[i] & from->written[i];
        if (merged != to->written[i]) {
            to->written[i] = merged;
            changed = true;
        }
    }
    if (changed && !to->queued) { /* less is certain now: look again */
        to->queued = true;
        v->worklist[v->worklist_count++] = target;
    }
    return true;
}

static bool pop(verifier *v, uint32_t pc, state *s, char type)
{
    if (s->depth == 0) return reject(v, pc, "pops an empty stack%s", "");
    char top = s->types[s->depth - 1];
    if (type != '?' && top != type) {
        char detail[48];
        snprintf(detail, sizeof detail, "'%c' where '%c' is needed", top, type);
        return reject(v, pc, "pops %s", detail);
    }
    s->depth--;
    return true;
}

static bool push(verifier *v, uint32_t pc, state *s, char type)
{
    if (s->depth >= v->function->max_stack) return reject(v, pc, "stack deeper than the function declares%s", "");
    s->types[s->depth++] = type;
    return true;
}

static void mark_written(state *s, uint32_t slot) { s->written[slot / 64] |= 1ull << (slot % 64); }
static bool is_written(const state *s, uint32_t slot) { return (s->written[slot / 64] >> (slot % 64)) & 1; }

static char slot_type(const verifier *v, uint32_t slot)
{
    return (char)JR_TABLE(v->program, SLOTS)[v->journey->first_slot + slot].type;
}

/* The event a where-function of a journey must match, and its frame. */
static bool where_ok(verifier *v, uint32_t pc, uint32_t function, uint32_t event)
{
    if (function == JR_NONE) return true;
    const jr_program *p = v->program;
    if (function >= JR_COUNT(p, FUNCTIONS)) return reject(v, pc, "where function out of range%s", "");
    const jr_FUNCTIONS_record *f = &JR_TABLE(p, FUNCTIONS)[function];
    if (f->kind != JR_FUNCTION_EXPRESSION || f->result != 'b' || f->event != event || f->journey != v->journey_index)
        return reject(v, pc, "where function of the wrong kind%s", "");
    return true;
}

static bool copies_ok(verifier *v, uint32_t pc, uint32_t first, uint32_t count, uint32_t event, state *written)
{
    const jr_program *p = v->program;
    if (first > JR_COUNT(p, COPIES) || count > JR_COUNT(p, COPIES) - first) return reject(v, pc, "copies out of range%s", "");
    if (!spend(v, pc, count)) return false;
    const jr_EVENTS_record *e = &JR_TABLE(p, EVENTS)[event];
    for (uint32_t i = 0; i < count; i++) {
        const jr_COPIES_record *copy = &JR_TABLE(p, COPIES)[first + i];
        if (copy->field >= e->field_count || copy->slot >= v->journey->slot_count ||
            JR_TABLE(p, FIELDS)[e->first_field + copy->field].type != (uint32_t)slot_type(v, copy->slot))
            return reject(v, pc, "a binding copy does not fit its event or slot%s", "");
        if (written) mark_written(written, copy->slot);
    }
    return true;
}

static bool suspend_ok(verifier *v, uint32_t pc, const state *s)
{
    if (s->depth != 0) return reject(v, pc, "suspends with values on the stack%s", "");
    if (s->payload_open) return reject(v, pc, "suspends with a payload half built%s", "");
    return true;
}

/* The generic part: operand shape and the fixed stack effect of the table. */
static bool fixed_effect(verifier *v, uint32_t pc, state *s, jr_opcode op, uint32_t a)
{
    const char *pops = jr_opcode_pops(op), *pushes = jr_opcode_pushes(op);
    size_t count = strlen(pops);
    for (size_t i = count; i-- > 0;) {
        char type = pops[i] == 'A' ? (char)a : pops[i];
        if (!pop(v, pc, s, type)) return false;
    }
    for (const char *p = pushes; *p; p++)
        if (!push(v, pc, s, *p == 'A' ? (char)a : *p)) return false;
    return true;
}

static bool step(verifier *v, uint32_t pc)
{
    const jr_program *p = v->program;
    uint32_t word = p->code[v->function->first_word + pc];
    jr_opcode op = jr_decode_op(word);
    if (op >= JR_OPCODE_COUNT) return reject(v, pc, "invalid opcode%s", "");
    const char *format = jr_opcode_operands(op);
    if (format[0] == '\0' && jr_decode_u(word) != 0) return reject(v, pc, "%s takes no operand", jr_opcode_name(op));
    uint32_t u = jr_decode_u(word), a = jr_decode_a(word), b = jr_decode_b(word);
    bool in_journey = v->function->kind == JR_FUNCTION_JOURNEY;

    char stack_types[JR_MAX_STACK];
    state s = v->states[pc];
    memcpy(stack_types, s.types, s.depth);
    s.types = stack_types;
    uint32_t after_wait = s.after_wait; /* only the conditional jumps look at it */
    s.after_wait = 0;
    if (!spend(v, pc, 1)) return false;

    switch (op) {
    case JR_OP_PUSH_NUMBER:
        if (u >= p->number_count) return reject(v, pc, "number constant out of range%s", "");
        return push(v, pc, &s, 'n') && flow(v, pc, pc + 1, &s);
    case JR_OP_PUSH_STRING:
        if (u >= p->string_count) return reject(v, pc, "string constant out of range%s", "");
        return push(v, pc, &s, 's') && flow(v, pc, pc + 1, &s);
    case JR_OP_PUSH_DURATION:
        if (u >= p->integer_count) return reject(v, pc, "integer constant out of range%s", "");
        return push(v, pc, &s, 'd') && flow(v, pc, pc + 1, &s);
    case JR_OP_LOAD_ATTRIBUTE:
        if (a > 1 || b >= JR_COUNT(p, ATTRIBUTES)) return reject(v, pc, "attribute out of range%s", "");
        return push(v, pc, &s, (char)JR_TABLE(p, ATTRIBUTES)[b].type) && flow(v, pc, pc + 1, &s);
    case JR_OP_LOAD_SCORE:
        if (u >= JR_COUNT(p, SCORES)) return reject(v, pc, "score out of range%s", "");
        return push(v, pc, &s, 'n') && flow(v, pc, pc + 1, &s);
    case JR_OP_LOAD_SEGMENT:
        if (u >= JR_COUNT(p, SEGMENTS)) return reject(v, pc, "segment out of range%s", "");
        return push(v, pc, &s, 'b') && flow(v, pc, pc + 1, &s);
    case JR_OP_LOAD_AGGREGATE:
        if (a > 1 || b >= JR_COUNT(p, AGGREGATES)) return reject(v, pc, "aggregate out of range%s", "");
        return push(v, pc, &s, 'n') && flow(v, pc, pc + 1, &s);
    case JR_OP_LOAD_FIELD: {
        if (v->function->event == JR_NONE) return reject(v, pc, "reads a field with no event being matched%s", "");
        const jr_EVENTS_record *e = &JR_TABLE(p, EVENTS)[v->function->event];
        if (a > 1 || b >= e->field_count) return reject(v, pc, "field out of range%s", "");
        return push(v, pc, &s, (char)JR_TABLE(p, FIELDS)[e->first_field + b].type) && flow(v, pc, pc + 1, &s);
    }
    case JR_OP_LOAD_LOCAL:
        if (!v->journey || a > 1 || b >= v->journey->slot_count) return reject(v, pc, "frame slot out of range%s", "");
        if (in_journey && a == 0 && !is_written(&s, b)) return reject(v, pc, "reads a frame slot before it is written%s", "");
        return push(v, pc, &s, slot_type(v, b)) && flow(v, pc, pc + 1, &s);
    case JR_OP_STORE_LOCAL:
        if (!in_journey || u >= v->journey->slot_count) return reject(v, pc, "frame slot out of range%s", "");
        if (!pop(v, pc, &s, slot_type(v, u))) return false;
        mark_written(&s, u);
        return flow(v, pc, pc + 1, &s);
    case JR_OP_SET_ATTRIBUTE:
        if (!in_journey || u >= JR_COUNT(p, ATTRIBUTES)) return reject(v, pc, "attribute out of range%s", "");
        return pop(v, pc, &s, (char)JR_TABLE(p, ATTRIBUTES)[u].type) && flow(v, pc, pc + 1, &s);
    case JR_OP_JUMP_IF_PRESENT:
        if (!is_value_type((char)a)) return reject(v, pc, "bad type operand%s", "");
        if (!pop(v, pc, &s, (char)a)) return false;
        s.depth++;
        if (!flow(v, pc, b, &s)) return false;
        s.depth--;
        return flow(v, pc, pc + 1, &s);
    case JR_OP_COMPARE_NUMBERS: case JR_OP_COMPARE_STRINGS: case JR_OP_COMPARE_TIMES: case JR_OP_COMPARE_DURATIONS:
        if (u > JR_RELATION_GREATER_EQUAL) return reject(v, pc, "bad relation%s", "");
        return fixed_effect(v, pc, &s, op, a) && flow(v, pc, pc + 1, &s);
    case JR_OP_COMPARE_BOOLS:
        if (u > JR_RELATION_NOT_EQUAL) return reject(v, pc, "bools only compare with == and !=%s", "");
        return fixed_effect(v, pc, &s, op, a) && flow(v, pc, pc + 1, &s);
    case JR_OP_IS_IN:
        if (!is_value_type((char)a)) return reject(v, pc, "bad type operand%s", "");
        for (uint32_t i = 0; i <= b; i++)
            if (!pop(v, pc, &s, (char)a)) return false;
        return push(v, pc, &s, 'b') && flow(v, pc, pc + 1, &s);
    case JR_OP_TO_STRING:
        if (!is_value_type((char)u)) return reject(v, pc, "bad type operand%s", "");
        return pop(v, pc, &s, (char)u) && push(v, pc, &s, 's') && flow(v, pc, pc + 1, &s);
    case JR_OP_POP:
        if (!is_value_type((char)u)) return reject(v, pc, "bad type operand%s", "");
        return pop(v, pc, &s, (char)u) && flow(v, pc, pc + 1, &s);
    case JR_OP_SWAP: {
        if (s.depth < 2) return reject(v, pc, "swaps fewer than two values%s", "");
        char top = s.types[s.depth - 1];
        s.types[s.depth - 1] = s.types[s.depth - 2];
        s.types[s.depth - 2] = top;
        return flow(v, pc, pc + 1, &s);
    }
    case JR_OP_CALL_BUILTIN: {
        if (u >= JR_BUILTIN_COUNT) return reject(v, pc, "unknown built-in%s", "");
        const char *parameters = jr_builtin_parameters(u);
        for (size_t i = strlen(parameters); i-- > 0;)
            if (!pop(v, pc, &s, parameters[i])) return false;
        return push(v, pc, &s, jr_builtin_result(u)[0]) && flow(v, pc, pc + 1, &s);
    }
    case JR_OP_CALL_EXTERN: {
        if (u >= JR_COUNT(p, EXTERNS)) return reject(v, pc, "extern out of range%s", "");
        const jr_EXTERNS_record *x = &JR_TABLE(p, EXTERNS)[u];
        const jr_text *parameters = &p->strings[x->parameters];
        for (uint32_t i = parameters->length; i-- > 0;)
            if (!pop(v, pc, &s, parameters->bytes[i])) return false;
        return push(v, pc, &s, (char)x->result) && flow(v, pc, pc + 1, &s);
    }
    case JR_OP_JUMP:
        return flow(v, pc, u, &s);
    case JR_OP_JUMP_IF_FALSE: {
        if (!pop(v, pc, &s, 'b')) return false;
        /* Straight after a timed wait (and reached no other way), the fall-through is the
         * path where the event came: the wait's bindings are written there. */
        state came = s;
        if (after_wait) {
            const jr_WAITS_record *w = &JR_TABLE(p, WAITS)[after_wait - 1];
            if (!copies_ok(v, pc, w->first_copy, w->copy_count, w->event, &came)) return false;
        }
        return flow(v, pc, u, &s) && flow(v, pc, pc + 1, &came);
    }
    case JR_OP_JUMP_IF_FALSE_KEEP:
    case JR_OP_JUMP_IF_TRUE_KEEP: {
        if (!pop(v, pc, &s, 'b')) return false;
        state taken = s;
        char taken_types[JR_MAX_STACK];
        memcpy(taken_types, s.types, s.depth);
        taken.types = taken_types;
        taken.types[taken.depth++] = 'b';
        /* Straight after a timed wait (and reached no other way), the branch taken when
         * the event came has the wait's bindings written. */
        if (op == JR_OP_JUMP_IF_TRUE_KEEP && after_wait) {
            const jr_WAITS_record *w = &JR_TABLE(p, WAITS)[after_wait - 1];
            if (!copies_ok(v, pc, w->first_copy, w->copy_count, w->event, &taken)) return false;
        }
        return flow(v, pc, u, &taken) && flow(v, pc, pc + 1, &s);
    }
    case JR_OP_RETURN:
        if (in_journey) return reject(v, pc, "RETURN in a journey%s", "");
        if (s.depth != 1 || s.types[0] != (char)v->function->result)
            return reject(v, pc, "returns something other than the function's one result%s", "");
        return true;
    default:
        if (op < JR_OP_PAYLOAD_ADD) return fixed_effect(v, pc, &s, op, a) && flow(v, pc, pc + 1, &s);
        break;
    }

    /* Everything below belongs to journeys only (opcodes.h lists them last). */
    if (!in_journey) return reject(v, pc, "%s outside a journey", jr_opcode_name(op));
    switch (op) {
    case JR_OP_PAYLOAD_ADD:
        if (!is_value_type((char)a) || b >= p->string_count) return reject(v, pc, "bad payload key or type%s", "");
        if (!pop(v, pc, &s, (char)a)) return false;
        s.payload_open = true;
        return flow(v, pc, pc + 1, &s);
    case JR_OP_SEND:
        if (u >= JR_COUNT(p, MESSAGES)) return reject(v, pc, "message out of range%s", "");
        s.payload_open = false;
        return flow(v, pc, pc + 1, &s);
    case JR_OP_EMIT:
        if (u >= p->string_count) return reject(v, pc, "string constant out of range%s", "");
        s.payload_open = false;
        return flow(v, pc, pc + 1, &s);
    case JR_OP_TRACK:
        if (u >= JR_COUNT(p, EVENTS)) return reject(v, pc, "event out of range%s", "");
        s.payload_open = false;
        return flow(v, pc, pc + 1, &s);
    case JR_OP_AUDIENCE:
        if (a > 1 || b >= p->string_count) return reject(v, pc, "bad audience operand%s", "");
        return flow(v, pc, pc + 1, &s);
    case JR_OP_NODE:
        if (u < v->journey->first_node || u - v->journey->first_node >= v->journey->node_count)
            return reject(v, pc, "node out of the journey's range%s", "");
        return flow(v, pc, pc + 1, &s);
    case JR_OP_WAIT:
        return pop(v, pc, &s, 'd') && suspend_ok(v, pc, &s) && flow(v, pc, pc + 1, &s);
    case JR_OP_WAIT_UNTIL:
        return pop(v, pc, &s, 't') && suspend_ok(v, pc, &s) && flow(v, pc, pc + 1, &s);
    case JR_OP_WAIT_UNTIL_CLOCK:
        if (u >= 86400) return reject(v, pc, "time of day out of range%s", "");
        return suspend_ok(v, pc, &s) && flow(v, pc, pc + 1, &s);
    case JR_OP_WAIT_FOR: {
        if (u >= JR_COUNT(p, WAITS)) return reject(v, pc, "wait out of range%s", "");
        const jr_WAITS_record *w = &JR_TABLE(p, WAITS)[u];
        if (w->event >= JR_COUNT(p, EVENTS) || w->has_timeout > 1) return reject(v, pc, "bad wait record%s", "");
        if (!where_ok(v, pc, w->where_function, w->event)) return false;
        if (w->has_timeout && !pop(v, pc, &s, 'd')) return false;
        if (!suspend_ok(v, pc, &s)) return false;
        if (!copies_ok(v, pc, w->first_copy, w->copy_count, w->event, w->has_timeout ? NULL : &s)) return false;
        if (w->has_timeout) s.after_wait = u + 1;
        return push(v, pc, &s, 'b') && flow(v, pc, pc + 1, &s);
    }
    case JR_OP_SELECT: {
        if (u >= JR_COUNT(p, SELECTS)) return reject(v, pc, "select out of range%s", "");
        const jr_SELECTS_record *select = &JR_TABLE(p, SELECTS)[u];
        if (select->has_after > 1 || select->first_arm > JR_COUNT(p, SELECT_ARMS) ||
            select->arm_count > JR_COUNT(p, SELECT_ARMS) - select->first_arm ||
            (select->arm_count == 0 && !select->has_after))
            return reject(v, pc, "bad select record%s", "");
        if (select->has_after && !pop(v, pc, &s, 'd')) return false;
        if (!suspend_ok(v, pc, &s)) return false;
        if (!spend(v, pc, select->arm_count)) return false;
        for (uint32_t i = 0; i < select->arm_count; i++) {
            const jr_SELECT_ARMS_record *arm = &JR_TABLE(p, SELECT_ARMS)[select->first_arm + i];
            if (arm->event >= JR_COUNT(p, EVENTS)) return reject(v, pc, "select arm event out of range%s", "");
            if (!where_ok(v, pc, arm->where_function, arm->event)) return false;
            state arm_state = s;
            if (!copies_ok(v, pc, arm->first_copy, arm->copy_count, arm->event, &arm_state)) return false;
            if (!flow(v, pc, arm->target, &arm_state)) return false;
        }
        if (select->has_after) return flow(v, pc, select->after_target, &s);
        return true;
    }
    case JR_OP_SPLIT: {
        if (u >= JR_COUNT(p, SPLITS)) return reject(v, pc, "split out of range%s", "");
        const jr_SPLITS_record *split = &JR_TABLE(p, SPLITS)[u];
        if (!spend(v, pc, split->arm_count)) return false;
        for (uint32_t i = 0; i < split->arm_count; i++)
            if (!flow(v, pc, JR_TABLE(p, SPLIT_ARMS)[split->first_arm + i].target, &s)) return false;
        return true;
    }
    case JR_OP_EXIT:
    case JR_OP_HALT:
        if (s.depth != 0 || s.payload_open) return reject(v, pc, "ends the journey with values on the stack%s", "");
        return true;
    default:
        return fixed_effect(v, pc, &s, op, a) && flow(v, pc, pc + 1, &s);
    }
}

static void *allocate(const jr_program *p, size_t size)
{
    return p->allocator.realloc(p->allocator.user, NULL, size ? size : 1);
}

static void release(const jr_program *p, void *memory)
{
    if (memory) p->allocator.realloc(p->allocator.user, memory, 0);
}

static bool verify_function(verifier *v)
{
    const jr_FUNCTIONS_record *f = v->function;
    const jr_program *p = v->program;
    v->journey = f->journey != JR_NONE ? &JR_TABLE(p, JOURNEYS)[f->journey] : NULL;
    v->journey_index = f->journey;
    uint32_t words = f->word_count;
    size_t depth = f->max_stack ? f->max_stack : 1;
    v->states = allocate(p, sizeof *v->states * words);
    v->type_storage = allocate(p, (size_t)words * depth);
    v->worklist = allocate(p, sizeof *v->worklist * ((size_t)words + 1)); /* each pc queued at most once at a time */
    bool ok = v->states && v->type_storage && v->worklist;
    if (!ok) snprintf(v->reason, v->size, "out of memory verifying function %u", v->function_index);
    if (ok) memset(v->states, 0, sizeof *v->states * words);
    for (uint32_t i = 0; ok && i < words; i++) v->states[i].types = v->type_storage + (size_t)i * depth;

    if (ok) {
        /* Entry state: a journey starts with what every entry's binding copies wrote. */
        state start = { 0 };
        char start_types[1];
        start.types = start_types;
        if (f->kind == JR_FUNCTION_JOURNEY) {
            memset(start.written, 0xFF, sizeof start.written);
            for (uint32_t e = 0; ok && e < v->journey->entry_count; e++) {
                const jr_ENTRIES_record *entry = &JR_TABLE(p, ENTRIES)[v->journey->first_entry + e];
                state copies = { 0 };
                ok = spend(v, 0, 1 + (uint64_t)entry->copy_count);
                for (uint32_t c = 0; ok && c < entry->copy_count; c++)
                    mark_written(&copies, JR_TABLE(p, COPIES)[entry->first_copy + c].slot);
                for (size_t i = 0; i < JR_MAX_SLOTS / 64; i++) start.written[i] &= copies.written[i];
            }
        }
        v->worklist_count = 0;
        ok = ok && flow(v, 0, 0, &start);
        while (ok && v->worklist_count) {
            uint32_t pc = v->worklist[--v->worklist_count];
            v->states[pc].queued = false;
            ok = step(v, pc);
        }
    }
    release(p, v->states);
    release(p, v->type_storage);
    release(p, v->worklist);
    return ok;
}

/* 2^20 units, plus 256 for every word of the program's tables, pools and code. */
static uint64_t work_budget(const jr_program *program)
{
    uint64_t words = (uint64_t)program->code_count + program->string_count + 2 * (uint64_t)program->number_count +
                     2 * (uint64_t)program->integer_count;
    for (int id = 1; id < JR_SECTION_LIMIT; id++) words += program->tables[id].count; /* a record is a word or more */
    return ((uint64_t)1 << 20) + 256 * words;
}

bool jr_verify_functions(const jr_program *program, char *reason, size_t size)
{
    uint64_t budget = work_budget(program);
    for (uint32_t i = 0; i < JR_COUNT(program, FUNCTIONS); i++) {
        verifier v = { 0 };
        v.program = program;
        v.function = &JR_TABLE(program, FUNCTIONS)[i];
        v.function_index = i;
        v.reason = reason;
        v.size = size;
        v.budget = &budget;
        if (!verify_function(&v)) return false;
    }
    return true;
}
