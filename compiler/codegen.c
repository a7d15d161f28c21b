/* codegen.c: from the checked syntax tree to tables and code (bytecode/format.h).
 *
 * Runs only on programs without errors. Every declaration becomes a record of its
 * table, in declaration order. Each expression evaluated outside a coroutine (segment
 * conditions, where clauses, goal values, message fields) becomes an expression
 * function; each journey's statements become one journey function. Locals, the
 * fields of bindings that the journey reads, and repeat counters get frame slots:
 * they are all a suspended coroutine keeps, besides its position. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.h"

#ifndef JOURNEY_VERSION
#define JOURNEY_VERSION "0.0.0-dev"
#endif

typedef struct binding_slot {
    const jc_node *binder; /* ENTRY, WAIT_FOR or SELECT_ON */
    const jc_node *field;
    uint32_t slot;
} binding_slot;

typedef struct codegen {
    jc_compiler *compiler;
    jc_program *program;
    /* the journey being generated */
    jc_node *journey;
    uint32_t journey_index;
    uint32_t first_slot;
    uint32_t slot_count;
    binding_slot *bindings;
    uint32_t binding_count, binding_capacity;
    uint32_t first_node;
    bool failed; /* a limit of the format was exceeded: reported */
} codegen;

/* A function under construction keeps its own code and line table, so that a
 * function needed in the middle of another (a where clause) can be made at once. */
typedef struct function_builder {
    codegen *g;
    uint32_t *code;
    uint32_t code_count, code_capacity;
    jr_LINES_record *lines;
    uint32_t line_count, line_capacity;
    int depth, max_depth;
    uint32_t journey; /* JR_NONE outside journeys */
    const jc_node *event;
    uint32_t last_line, last_file;
    uint32_t parent_node; /* the arm or step the statements being emitted are in, or JR_NONE */
    uint32_t step_node;   /* the innermost step they are in, or JR_NONE */
} function_builder;

static char type_letter(jc_type type)
{
    switch (type) {
    case JC_TYPE_NUMBER: return 'n';
    case JC_TYPE_STRING: return 's';
    case JC_TYPE_BOOL: return 'b';
    case JC_TYPE_TIME: return 't';
    case JC_TYPE_DURATION: return 'd';
    default: return 0;
    }
}

static void too_large(codegen *g, jc_span span, const char *what)
{
    if (!g->failed) jc_error(&g->compiler->diagnostics, span, "program too large for the bytecode format: %s", what);
    g->failed = true;
}

/* ---- emitting -------------------------------------------------------------------- */

static uint32_t here(const function_builder *f) { return f->code_count; }

static bool grow_buffer(function_builder *f, void **items, uint32_t *capacity, uint32_t count, size_t size)
{
    if (count < *capacity) return true;
    uint32_t grown = *capacity ? *capacity * 2 : 64;
    void *memory = realloc(*items, size * grown);
    if (!memory) {
        f->g->program->out_of_memory = true;
        return false;
    }
    *items = memory;
    *capacity = grown;
    return true;
}

static uint32_t emit_word(function_builder *f, uint32_t word, int stack_effect)
{
    uint32_t pc = here(f);
    if (grow_buffer(f, (void **)&f->code, &f->code_capacity, f->code_count, sizeof *f->code))
        f->code[f->code_count++] = word;
    f->depth += stack_effect;
    if (f->depth > f->max_depth) f->max_depth = f->depth;
    return pc;
}

static uint32_t emit(function_builder *f, jr_opcode op, uint32_t operand, int stack_effect)
{
    return emit_word(f, jr_encode(op, operand & 0xFFFFFFu), stack_effect);
}

static uint32_t emit_ab(function_builder *f, jr_opcode op, uint32_t a, uint32_t b, int stack_effect)
{
    return emit_word(f, jr_encode_ab(op, a, b), stack_effect);
}

/* Points the jump at pc to the current position. */
static void patch_to_here(function_builder *f, uint32_t pc)
{
    if (pc >= f->code_count) return; /* out of memory earlier */
    uint32_t *word = &f->code[pc];
    jr_opcode op = jr_decode_op(*word);
    if (op == JR_OP_JUMP_IF_PRESENT) *word = jr_encode_ab(op, jr_decode_a(*word), here(f));
    else *word = jr_encode(op, here(f));
}

static void mark_line(function_builder *f, jc_span span)
{
    if (span.file == JC_NO_FILE) return;
    jc_source *source = f->g->compiler->sources.items[span.file];
    uint32_t line = jc_source_position(source, span.begin).line;
    uint32_t file = jc_program_cstring(f->g->program, source->path);
    if (line == f->last_line && file == f->last_file) return;
    f->last_line = line;
    f->last_file = file;
    if (grow_buffer(f, (void **)&f->lines, &f->line_capacity, f->line_count, sizeof *f->lines))
        f->lines[f->line_count++] = (jr_LINES_record){ here(f), file, line };
}

static function_builder begin_function(codegen *g, uint32_t journey, const jc_node *event, jc_span span)
{
    function_builder f = { 0 };
    f.g = g;
    f.journey = journey;
    f.event = event;
    f.last_file = JR_NONE;
    f.parent_node = f.step_node = JR_NONE;
    mark_line(&f, span);
    return f;
}

/* Appends the function's code and lines to the program and records it. */
static uint32_t end_function(function_builder *f, uint32_t kind, char result, jc_span span)
{
    codegen *g = f->g;
    uint32_t words = f->code_count;
    uint32_t first_word = g->program->code_count;
    uint32_t first_line = g->program->tables[JR_SECTION_LINES].count;
    for (uint32_t i = 0; i < f->code_count; i++) jc_program_code(g->program, f->code[i]);
    for (uint32_t i = 0; i < f->line_count; i++) jc_program_add(g->program, JR_SECTION_LINES, &f->lines[i]);
    free(f->code);
    free(f->lines);
    f->code = NULL;
    f->lines = NULL;
    if (words > JR_MAX_FUNCTION_WORDS) too_large(g, span, "a function has more than 65536 instructions");
    if (f->max_depth > (int)JR_MAX_STACK) too_large(g, span, "an expression nests too deeply");
    jr_FUNCTIONS_record record = {
        .kind = kind,
        .journey = f->journey,
        .event = f->event ? f->event->index : JR_NONE,
        .result = (uint32_t)result,
        .first_word = first_word,
        .word_count = words,
        .max_stack = (uint32_t)f->max_depth,
        .first_line = first_line,
        .line_count = f->line_count,
    };
    return jc_program_add(g->program, JR_SECTION_FUNCTIONS, &record);
}

/* ---- expressions ----------------------------------------------------------------- */

static void emit_expression(function_builder *f, const jc_node *node, bool allow_missing);

static uint32_t binding_slot_of(codegen *g, const jc_node *binder, const jc_node *field)
{
    for (uint32_t i = 0; i < g->binding_count; i++)
        if (g->bindings[i].binder == binder && g->bindings[i].field == field) return g->bindings[i].slot;
    return JR_NONE;
}

static bool is_load(const jc_node *node)
{
    switch (node->kind) {
    case JC_NODE_NAME:
        return node->as.name.meaning == JC_MEANING_ATTRIBUTE || node->as.name.meaning == JC_MEANING_LOCAL ||
               node->as.name.meaning == JC_MEANING_FIELD;
    case JC_NODE_MEMBER: return node->as.member.meaning != JC_MEANING_UNRESOLVED;
    case JC_NODE_CALL: return node->as.call.is_aggregate;
    default: return false;
    }
}

static uint32_t relation_of(jc_operator op)
{
    switch (op) {
    case JC_OP_EQUAL: return JR_RELATION_EQUAL;
    case JC_OP_NOT_EQUAL: return JR_RELATION_NOT_EQUAL;
    case JC_OP_LESS: return JR_RELATION_LESS;
    case JC_OP_LESS_EQUAL: return JR_RELATION_LESS_EQUAL;
    case JC_OP_GREATER: return JR_RELATION_GREATER;
    default: return JR_RELATION_GREATER_EQUAL;
    }
}

static void emit_compare(function_builder *f, jc_type type, uint32_t relation)
{
    jr_opcode op = type == JC_TYPE_NUMBER   ? JR_OP_COMPARE_NUMBERS
                   : type == JC_TYPE_STRING ? JR_OP_COMPARE_STRINGS
                   : type == JC_TYPE_TIME   ? JR_OP_COMPARE_TIMES
                   : type == JC_TYPE_DURATION ? JR_OP_COMPARE_DURATIONS
                                              : JR_OP_COMPARE_BOOLS;
    emit(f, op, relation, -1);
}

static void emit_arithmetic(function_builder *f, jc_operator op, jc_type left, jc_type right)
{
    bool numbers = left == JC_TYPE_NUMBER && right == JC_TYPE_NUMBER;
    switch (op) {
    case JC_OP_ADD:
        if (numbers) emit(f, JR_OP_ADD_NUMBERS, 0, -1);
        else if (left == JC_TYPE_STRING) emit(f, JR_OP_CONCATENATE, 0, -1);
        else if (left == JC_TYPE_TIME) emit(f, JR_OP_ADD_DURATION, 0, -1);
        else if (right == JC_TYPE_TIME) {
            emit(f, JR_OP_SWAP, 0, 0);
            emit(f, JR_OP_ADD_DURATION, 0, -1);
        } else emit(f, JR_OP_ADD_DURATIONS, 0, -1);
        break;
    case JC_OP_SUBTRACT:
        if (numbers) emit(f, JR_OP_SUBTRACT_NUMBERS, 0, -1);
        else if (left == JC_TYPE_TIME && right == JC_TYPE_TIME) emit(f, JR_OP_SUBTRACT_TIMES, 0, -1);
        else if (left == JC_TYPE_TIME) emit(f, JR_OP_SUBTRACT_DURATION, 0, -1);
        else emit(f, JR_OP_SUBTRACT_DURATIONS, 0, -1);
        break;
    case JC_OP_MULTIPLY:
        if (numbers) emit(f, JR_OP_MULTIPLY_NUMBERS, 0, -1);
        else {
            if (left == JC_TYPE_NUMBER) emit(f, JR_OP_SWAP, 0, 0);
            emit(f, JR_OP_SCALE_DURATION, 0, -1);
        }
        break;
    case JC_OP_DIVIDE:
        if (numbers) emit(f, JR_OP_DIVIDE_NUMBERS, 0, -1);
        else if (right == JC_TYPE_NUMBER) emit(f, JR_OP_DIVIDE_DURATION, 0, -1);
        else emit(f, JR_OP_DURATION_RATIO, 0, -1);
        break;
    default: break;
    }
}

static uint32_t aggregate_index(function_builder *f, const jc_node *call);
static uint32_t expression_function(codegen *g, const jc_node *expression, uint32_t journey, const jc_node *event);

static void emit_name(function_builder *f, const jc_node *node, bool allow_missing)
{
    const jc_node *decl = node->as.name.ref.decl;
    switch (node->as.name.meaning) {
    case JC_MEANING_ATTRIBUTE: emit_ab(f, JR_OP_LOAD_ATTRIBUTE, allow_missing, decl->index, 1); break;
    case JC_MEANING_SCORE: emit(f, JR_OP_LOAD_SCORE, decl->index, 1); break;
    case JC_MEANING_SEGMENT: emit(f, JR_OP_LOAD_SEGMENT, decl->index, 1); break;
    case JC_MEANING_LOCAL: emit_ab(f, JR_OP_LOAD_LOCAL, allow_missing, decl->index, 1); break;
    case JC_MEANING_FIELD: emit_ab(f, JR_OP_LOAD_FIELD, allow_missing, decl->as.field.index, 1); break;
    default: break;
    }
}

static void emit_member(function_builder *f, const jc_node *node, bool allow_missing)
{
    switch (node->as.member.meaning) {
    case JC_MEANING_UNRESOLVED: emit(f, JR_OP_PUSH_CONTACT_ID, 0, 1); break;
    case JC_MEANING_ATTRIBUTE: emit_ab(f, JR_OP_LOAD_ATTRIBUTE, allow_missing, node->as.member.decl->index, 1); break;
    case JC_MEANING_FIELD:
        emit_ab(f, JR_OP_LOAD_FIELD, allow_missing, node->as.member.field->as.field.index, 1);
        break;
    case JC_MEANING_BINDING:
        emit_ab(f, JR_OP_LOAD_LOCAL, allow_missing,
                binding_slot_of(f->g, node->as.member.decl, node->as.member.field), 1);
        break;
    default: break;
    }
}

static void emit_expression(function_builder *f, const jc_node *node, bool allow_missing)
{
    jc_program *program = f->g->program;
    switch (node->kind) {
    case JC_NODE_NUMBER: emit(f, JR_OP_PUSH_NUMBER, jc_program_number(program, node->as.number.value), 1); break;
    case JC_NODE_PERCENT:
        emit(f, JR_OP_PUSH_NUMBER, jc_program_number(program, node->as.percent.value / 100), 1);
        break;
    case JC_NODE_DURATION:
        emit(f, JR_OP_PUSH_DURATION, jc_program_integer(program, node->as.duration.seconds * 1000), 1);
        break;
    case JC_NODE_BOOLEAN: emit(f, node->as.boolean.value ? JR_OP_PUSH_TRUE : JR_OP_PUSH_FALSE, 0, 1); break;
    case JC_NODE_STRING:
        emit(f, JR_OP_PUSH_STRING, jc_program_string(program, node->as.string.bytes, node->as.string.length), 1);
        break;
    case JC_NODE_NOW: emit(f, JR_OP_PUSH_NOW, 0, 1); break;
    case JC_NODE_INTERPOLATION: {
        int pieces = 0;
        for (const jc_node *part = node->as.interpolation.parts.first; part; part = part->next) {
            if (part->kind == JC_NODE_STRING && part->as.string.length == 0) continue;
            emit_expression(f, part, false);
            if (part->type != JC_TYPE_STRING) emit(f, JR_OP_TO_STRING, (uint32_t)type_letter(part->type), 0);
            if (++pieces > 1) emit(f, JR_OP_CONCATENATE, 0, -1);
        }
        if (pieces == 0) emit(f, JR_OP_PUSH_STRING, jc_program_string(program, "", 0), 1);
        break;
    }
    case JC_NODE_NAME: emit_name(f, node, allow_missing); break;
    case JC_NODE_MEMBER: emit_member(f, node, allow_missing); break;
    case JC_NODE_CALL: {
        if (node->as.call.is_aggregate) {
            emit_ab(f, JR_OP_LOAD_AGGREGATE, allow_missing, aggregate_index(f, node), 1);
            break;
        }
        int arguments = 0;
        for (const jc_node *argument = node->as.call.arguments.first; argument; argument = argument->next) {
            emit_expression(f, argument, false);
            arguments++;
        }
        if (node->as.call.builtin >= 0) emit(f, JR_OP_CALL_BUILTIN, (uint32_t)node->as.call.builtin, 1 - arguments);
        else emit(f, JR_OP_CALL_EXTERN, node->as.call.callee.decl->index, 1 - arguments);
        break;
    }
    case JC_NODE_UNARY:
        emit_expression(f, node->as.unary.operand, false);
        if (node->as.unary.op == JC_OP_NOT) emit(f, JR_OP_NOT, 0, 0);
        else emit(f, node->type == JC_TYPE_DURATION ? JR_OP_NEGATE_DURATION : JR_OP_NEGATE_NUMBER, 0, 0);
        break;
    case JC_NODE_BINARY: {
        jc_operator op = node->as.binary.op;
        const jc_node *left = node->as.binary.left, *right = node->as.binary.right;
        if (op == JC_OP_AND || op == JC_OP_OR) {
            emit_expression(f, left, false);
            uint32_t jump = emit(f, op == JC_OP_AND ? JR_OP_JUMP_IF_FALSE_KEEP : JR_OP_JUMP_IF_TRUE_KEEP, 0, -1);
            emit_expression(f, right, false);
            patch_to_here(f, jump);
            break;
        }
        if (op == JC_OP_DEFAULT) {
            emit_expression(f, left, is_load(left));
            uint32_t jump = emit_ab(f, JR_OP_JUMP_IF_PRESENT, (uint32_t)type_letter(left->type), 0, -1);
            emit_expression(f, right, allow_missing);
            patch_to_here(f, jump);
            break;
        }
        emit_expression(f, left, false);
        emit_expression(f, right, false);
        if (op >= JC_OP_EQUAL && op <= JC_OP_GREATER_EQUAL) emit_compare(f, left->type, relation_of(op));
        else if (op == JC_OP_MATCHES) emit(f, JR_OP_MATCH_GLOB, 0, -1);
        else emit_arithmetic(f, op, left->type, right->type);
        break;
    }
    case JC_NODE_IN: {
        emit_expression(f, node->as.in.operand, false);
        uint32_t count = 0;
        for (const jc_node *candidate = node->as.in.candidates.first; candidate; candidate = candidate->next) {
            emit_expression(f, candidate, false);
            count++;
        }
        emit_ab(f, JR_OP_IS_IN, (uint32_t)type_letter(node->as.in.operand->type), count, -(int)count);
        if (node->as.in.negated) emit(f, JR_OP_NOT, 0, 0);
        break;
    }
    default: break;
    }
}

/* An expression function: code that leaves one value and returns it. */
static uint32_t expression_function(codegen *g, const jc_node *expression, uint32_t journey, const jc_node *event)
{
    if (!expression) return JR_NONE;
    function_builder f = begin_function(g, journey, event, expression->span);
    emit_expression(&f, expression, false);
    emit(&f, JR_OP_RETURN, 0, -1);
    return end_function(&f, JR_FUNCTION_EXPRESSION, type_letter(expression->type), expression->span);
}

static uint32_t aggregate_index(function_builder *f, const jc_node *call)
{
    codegen *g = f->g;
    static const char *const names[] = { "count", "sum", "avg", "min", "max" };
    uint32_t kind = 0;
    for (uint32_t i = 0; i < 5; i++)
        if (strcmp(call->as.call.callee.name->text, names[i]) == 0) kind = i;
    jr_AGGREGATES_record record = {
        .kind = kind,
        .event = call->as.call.event->index,
        .field = call->as.call.event_field ? call->as.call.event_field->as.field.index : JR_NONE,
        .where_function = JR_NONE,
        .window = call->as.call.window ? jc_program_integer(g->program, call->as.call.window->as.duration.seconds * 1000)
                                       : JR_NONE,
    };
    /* The same aggregate without a where clause is kept once. */
    if (!call->as.call.where) {
        jc_table *table = &g->program->tables[JR_SECTION_AGGREGATES];
        for (uint32_t i = 0; i < table->count; i++)
            if (memcmp(jc_program_record(g->program, JR_SECTION_AGGREGATES, i), &record, sizeof record) == 0)
                return i;
    }
    record.where_function = expression_function(g, call->as.call.where, JR_NONE, call->as.call.event);
    uint32_t index = jc_program_add(g->program, JR_SECTION_AGGREGATES, &record);
    return index;
}

/* ---- journeys -------------------------------------------------------------------- */

static uint32_t new_slot(codegen *g, jc_type type, jc_span span)
{
    if (g->slot_count >= JR_MAX_SLOTS) {
        too_large(g, span, "a journey needs more than 256 locals and binding fields");
        return 0;
    }
    jr_SLOTS_record record = { (uint32_t)type_letter(type) };
    jc_program_add(g->program, JR_SECTION_SLOTS, &record);
    return g->slot_count++;
}

static void add_binding_slot(codegen *g, const jc_node *binder, const jc_node *field, jc_span span)
{
    if (binding_slot_of(g, binder, field) != JR_NONE) return;
    if (g->binding_count == g->binding_capacity) {
        uint32_t capacity = g->binding_capacity ? g->binding_capacity * 2 : 16;
        binding_slot *grown = realloc(g->bindings, sizeof *grown * capacity);
        if (!grown) {
            g->compiler->out_of_memory = true;
            return;
        }
        g->bindings = grown;
        g->binding_capacity = capacity;
    }
    g->bindings[g->binding_count++] = (binding_slot){ binder, field, new_slot(g, field->as.field.type, span) };
}

/* Finds every binding field the journey reads, so each gets a slot. */
static void collect_bindings(codegen *g, const jc_node *node)
{
    if (!node) return;
    switch (node->kind) {
    case JC_NODE_MEMBER:
        if (node->as.member.meaning == JC_MEANING_BINDING)
            add_binding_slot(g, node->as.member.decl, node->as.member.field, node->span);
        collect_bindings(g, node->as.member.object);
        return;
    case JC_NODE_ENTRY: collect_bindings(g, node->as.entry.where); return;
    case JC_NODE_EXIT_ON: collect_bindings(g, node->as.exit_on.where); return;
    case JC_NODE_GOAL:
        collect_bindings(g, node->as.goal.where);
        collect_bindings(g, node->as.goal.value);
        return;
    case JC_NODE_SEND:
        for (const jc_node *pair = node->as.send.fields.first; pair; pair = pair->next) collect_bindings(g, pair);
        return;
    case JC_NODE_EMIT:
        for (const jc_node *pair = node->as.emit.fields.first; pair; pair = pair->next) collect_bindings(g, pair);
        return;
    case JC_NODE_TRACK:
        for (const jc_node *pair = node->as.track.fields.first; pair; pair = pair->next) collect_bindings(g, pair);
        return;
    case JC_NODE_PAIR: collect_bindings(g, node->as.pair.value); return;
    case JC_NODE_WAIT: collect_bindings(g, node->as.wait.duration); return;
    case JC_NODE_WAIT_UNTIL: collect_bindings(g, node->as.wait_until.time); return;
    case JC_NODE_WAIT_FOR:
        collect_bindings(g, node->as.wait_for.where);
        collect_bindings(g, node->as.wait_for.within);
        collect_bindings(g, node->as.wait_for.otherwise);
        return;
    case JC_NODE_SELECT:
        for (const jc_node *arm = node->as.select.arms.first; arm; arm = arm->next) collect_bindings(g, arm);
        return;
    case JC_NODE_SELECT_ON:
        collect_bindings(g, node->as.select_on.where);
        collect_bindings(g, node->as.select_on.body);
        return;
    case JC_NODE_SELECT_AFTER:
        collect_bindings(g, node->as.select_after.duration);
        collect_bindings(g, node->as.select_after.body);
        return;
    case JC_NODE_IF:
        collect_bindings(g, node->as.if_statement.condition);
        collect_bindings(g, node->as.if_statement.then_branch);
        collect_bindings(g, node->as.if_statement.else_branch);
        return;
    case JC_NODE_SPLIT:
        for (const jc_node *arm = node->as.split.arms.first; arm; arm = arm->next)
            collect_bindings(g, arm->as.split_arm.body);
        return;
    case JC_NODE_SET: collect_bindings(g, node->as.set.value); return;
    case JC_NODE_LET: collect_bindings(g, node->as.let.value); return;
    case JC_NODE_STEP: collect_bindings(g, node->as.step.body); return;
    case JC_NODE_REPEAT:
        collect_bindings(g, node->as.repeat.count);
        collect_bindings(g, node->as.repeat.body);
        return;
    case JC_NODE_WHILE:
        collect_bindings(g, node->as.while_loop.condition);
        collect_bindings(g, node->as.while_loop.body);
        return;
    case JC_NODE_BLOCK:
        for (const jc_node *statement = node->as.block.statements.first; statement; statement = statement->next)
            collect_bindings(g, statement);
        return;
    case JC_NODE_UNARY: collect_bindings(g, node->as.unary.operand); return;
    case JC_NODE_BINARY:
        collect_bindings(g, node->as.binary.left);
        collect_bindings(g, node->as.binary.right);
        return;
    case JC_NODE_IN:
        collect_bindings(g, node->as.in.operand);
        for (const jc_node *c = node->as.in.candidates.first; c; c = c->next) collect_bindings(g, c);
        return;
    case JC_NODE_CALL:
        for (const jc_node *a = node->as.call.arguments.first; a; a = a->next) collect_bindings(g, a);
        return;
    case JC_NODE_INTERPOLATION:
        for (const jc_node *p = node->as.interpolation.parts.first; p; p = p->next) collect_bindings(g, p);
        return;
    default: return;
    }
}

/* The COPIES records of a binder: which event field goes to which slot. */
static void binding_copies(codegen *g, const jc_node *binder, uint32_t *first, uint32_t *count)
{
    *first = g->program->tables[JR_SECTION_COPIES].count;
    *count = 0;
    for (uint32_t i = 0; i < g->binding_count; i++) {
        if (g->bindings[i].binder != binder) continue;
        jr_COPIES_record record = { g->bindings[i].field->as.field.index, g->bindings[i].slot };
        jc_program_add(g->program, JR_SECTION_COPIES, &record);
        (*count)++;
    }
}

static void emit_statements(function_builder *f, const jc_list *statements);

static void emit_block(function_builder *f, const jc_node *block)
{
    if (block) emit_statements(f, &block->as.block.statements);
}

/* Adds a node of the journey (spec/report.md: statements and arms, numbered in source
 * order) and emits NODE for it; returns its index. */
static uint32_t emit_node(function_builder *f, jr_node_kind kind, uint32_t parent, jc_span span, const char *label,
                          uint32_t label_length)
{
    codegen *g = f->g;
    jc_position position = jc_source_position(g->compiler->sources.items[span.file], span.begin);
    jr_NODES_record record = {
        .journey = g->journey_index,
        .kind = (uint32_t)kind,
        .parent = parent,
        .step = f->step_node,
        .line = position.line,
        .column = position.column,
        .label = label ? jc_program_string(g->program, label, label_length) : JR_NONE,
    };
    uint32_t node = jc_program_add(g->program, JR_SECTION_NODES, &record);
    if (node >= 1u << 24) too_large(g, span, "more than 16777216 journey nodes");
    emit(f, JR_OP_NODE, node, 0);
    return node;
}

/* An arm of a branching statement: its node, then its block with the arm as parent. */
static void emit_arm(function_builder *f, jr_node_kind kind, uint32_t statement, jc_span span, const char *label,
                     uint32_t label_length, const jc_node *block)
{
    uint32_t outer = f->parent_node;
    f->parent_node = emit_node(f, kind, statement, span, label, label_length);
    emit_block(f, block);
    f->parent_node = outer;
}

/* The label a statement's node carries in reports and maps. */
static void statement_label(const jc_node *node, const char **label, uint32_t *length)
{
    const jc_name *name = NULL;
    const jc_text *text = NULL;
    switch (node->kind) {
    case JC_NODE_SEND: name = node->as.send.message.name; break;
    case JC_NODE_WAIT_FOR: name = node->as.wait_for.event.name; break;
    case JC_NODE_SET: name = node->as.set.target.name; break;
    case JC_NODE_LET: name = node->as.let.name; break;
    case JC_NODE_EMIT: name = node->as.emit.name; break;
    case JC_NODE_TRACK: name = node->as.track.event.name; break;
    case JC_NODE_SPLIT: text = &node->as.split.name; break;
    case JC_NODE_AUDIENCE: text = &node->as.audience.name; break;
    case JC_NODE_STEP: text = &node->as.step.label; break;
    default: break;
    }
    *label = name ? name->text : text ? text->bytes : NULL;
    *length = name ? name->length : text ? text->length : 0;
}

static jr_node_kind statement_node_kind(jc_node_kind kind)
{
    switch (kind) {
    case JC_NODE_SEND: return JR_NODE_SEND;
    case JC_NODE_WAIT: return JR_NODE_WAIT;
    case JC_NODE_WAIT_UNTIL: return JR_NODE_WAIT_UNTIL;
    case JC_NODE_WAIT_FOR: return JR_NODE_WAIT_FOR;
    case JC_NODE_SELECT: return JR_NODE_SELECT;
    case JC_NODE_IF: return JR_NODE_IF;
    case JC_NODE_SPLIT: return JR_NODE_SPLIT;
    case JC_NODE_SET: return JR_NODE_SET;
    case JC_NODE_LET: return JR_NODE_LET;
    case JC_NODE_AUDIENCE: return JR_NODE_AUDIENCE;
    case JC_NODE_EMIT: return JR_NODE_EMIT;
    case JC_NODE_TRACK: return JR_NODE_TRACK;
    case JC_NODE_STEP: return JR_NODE_STEP;
    case JC_NODE_REPEAT: return JR_NODE_REPEAT;
    case JC_NODE_WHILE: return JR_NODE_WHILE;
    default: return JR_NODE_EXIT;
    }
}

static void emit_payload(function_builder *f, const jc_list *pairs)
{
    for (const jc_node *pair = pairs->first; pair; pair = pair->next) {
        emit_expression(f, pair->as.pair.value, false);
        uint32_t key = jc_program_string(f->g->program, pair->as.pair.key->text, pair->as.pair.key->length);
        if (key > 0xFFFF) too_large(f->g, pair->span, "more than 65536 strings");
        emit_ab(f, JR_OP_PAYLOAD_ADD, (uint32_t)type_letter(pair->as.pair.value->type), key, -1);
    }
}

static void emit_statement(function_builder *f, const jc_node *node)
{
    codegen *g = f->g;
    jc_program *program = g->program;
    mark_line(f, node->span);
    const char *label;
    uint32_t label_length;
    statement_label(node, &label, &label_length);
    uint32_t self = emit_node(f, statement_node_kind(node->kind), f->parent_node, node->span, label, label_length);
    switch (node->kind) {
    case JC_NODE_SEND:
        emit_payload(f, &node->as.send.fields);
        emit(f, JR_OP_SEND, node->as.send.message.decl->index, 0);
        break;
    case JC_NODE_WAIT:
        emit_expression(f, node->as.wait.duration, false);
        emit(f, JR_OP_WAIT, 0, -1);
        break;
    case JC_NODE_WAIT_UNTIL:
        if (node->as.wait_until.is_time_of_day) {
            emit(f, JR_OP_WAIT_UNTIL_CLOCK, node->as.wait_until.time_of_day, 0);
        } else {
            emit_expression(f, node->as.wait_until.time, false);
            emit(f, JR_OP_WAIT_UNTIL, 0, -1);
        }
        break;
    case JC_NODE_WAIT_FOR: {
        jr_WAITS_record record = {
            .event = node->as.wait_for.event.decl->index,
            .where_function = expression_function(g, node->as.wait_for.where, g->journey_index,
                                                  node->as.wait_for.event.decl),
            .has_timeout = node->as.wait_for.within != NULL,
        };
        binding_copies(g, node, &record.first_copy, &record.copy_count);
        uint32_t wait = jc_program_add(program, JR_SECTION_WAITS, &record);
        if (node->as.wait_for.within) emit_expression(f, node->as.wait_for.within, false);
        emit(f, JR_OP_WAIT_FOR, wait, node->as.wait_for.within ? 0 : 1);
        if (node->as.wait_for.within) {
            /* Two arms: the event came (true), or the time ran out (false, then else). */
            uint32_t timed_out = emit(f, JR_OP_JUMP_IF_FALSE, 0, -1);
            emit_arm(f, JR_NODE_RECEIVED, self, node->span, NULL, 0, NULL);
            uint32_t done = emit(f, JR_OP_JUMP, 0, 0);
            patch_to_here(f, timed_out);
            jc_span span = node->as.wait_for.otherwise ? node->as.wait_for.otherwise->span : node->span;
            emit_arm(f, JR_NODE_TIMED_OUT, self, span, NULL, 0, node->as.wait_for.otherwise);
            patch_to_here(f, done);
        } else {
            emit(f, JR_OP_POP, 'b', -1);
        }
        break;
    }
    case JC_NODE_SELECT: {
        const jc_node *after = NULL;
        uint32_t arm_count = 0;
        for (const jc_node *arm = node->as.select.arms.first; arm; arm = arm->next) {
            if (arm->kind == JC_NODE_SELECT_AFTER) after = arm;
            else arm_count++;
        }
        /* Arms first (their where functions), then the select record pointing at them. */
        uint32_t first_arm = program->tables[JR_SECTION_SELECT_ARMS].count;
        for (const jc_node *arm = node->as.select.arms.first; arm; arm = arm->next) {
            if (arm->kind != JC_NODE_SELECT_ON) continue;
            jr_SELECT_ARMS_record record = {
                .event = arm->as.select_on.event.decl->index,
                .where_function = JR_NONE,
                .target = 0,
            };
            jc_program_add(program, JR_SECTION_SELECT_ARMS, &record);
        }
        uint32_t arm_index = first_arm;
        for (const jc_node *arm = node->as.select.arms.first; arm; arm = arm->next) {
            if (arm->kind != JC_NODE_SELECT_ON) continue;
            uint32_t where = expression_function(g, arm->as.select_on.where, g->journey_index,
                                                 arm->as.select_on.event.decl);
            uint32_t first_copy, copy_count;
            binding_copies(g, arm, &first_copy, &copy_count);
            jr_SELECT_ARMS_record *record = jc_program_record(program, JR_SECTION_SELECT_ARMS, arm_index++);
            record->where_function = where;
            record->first_copy = first_copy;
            record->copy_count = copy_count;
        }
        jr_SELECTS_record select = { first_arm, arm_count, after != NULL, 0 };
        uint32_t select_index = jc_program_add(program, JR_SECTION_SELECTS, &select);
        if (after) emit_expression(f, after->as.select_after.duration, false);
        emit(f, JR_OP_SELECT, select_index, after ? -1 : 0);
        /* Each arm's code, then a jump to the end. */
        uint32_t jumps[256];
        uint32_t jump_count = 0;
        arm_index = first_arm;
        for (const jc_node *arm = node->as.select.arms.first; arm; arm = arm->next) {
            uint32_t target = here(f);
            if (arm->kind == JC_NODE_SELECT_ON) {
                jr_SELECT_ARMS_record *record = jc_program_record(program, JR_SECTION_SELECT_ARMS, arm_index++);
                record->target = target;
                const jc_name *event = arm->as.select_on.event.name;
                emit_arm(f, JR_NODE_ON, self, arm->span, event->text, event->length, arm->as.select_on.body);
            } else {
                jr_SELECTS_record *record = jc_program_record(program, JR_SECTION_SELECTS, select_index);
                record->after_target = target;
                emit_arm(f, JR_NODE_AFTER, self, arm->span, NULL, 0, arm->as.select_after.body);
            }
            if (jump_count < 256) jumps[jump_count++] = emit(f, JR_OP_JUMP, 0, 0);
            else too_large(g, node->span, "a select has more than 256 arms");
        }
        for (uint32_t i = 0; i < jump_count; i++) patch_to_here(f, jumps[i]);
        break;
    }
    case JC_NODE_IF: {
        /* Two arms, also when there is no else: the contacts that skipped the then. */
        emit_expression(f, node->as.if_statement.condition, false);
        uint32_t to_else = emit(f, JR_OP_JUMP_IF_FALSE, 0, -1);
        const jc_node *then_branch = node->as.if_statement.then_branch;
        emit_arm(f, JR_NODE_THEN, self, then_branch->span, NULL, 0, then_branch);
        uint32_t to_end = emit(f, JR_OP_JUMP, 0, 0);
        patch_to_here(f, to_else);
        const jc_node *otherwise = node->as.if_statement.else_branch;
        uint32_t outer = f->parent_node;
        f->parent_node = emit_node(f, JR_NODE_ELSE, self, otherwise ? otherwise->span : node->span, NULL, 0);
        if (otherwise && otherwise->kind == JC_NODE_IF) emit_statement(f, otherwise);
        else emit_block(f, otherwise);
        f->parent_node = outer;
        patch_to_here(f, to_end);
        break;
    }
    case JC_NODE_SPLIT: {
        uint32_t first_arm = program->tables[JR_SECTION_SPLIT_ARMS].count;
        uint32_t arm_count = 0, total = 0;
        for (const jc_node *arm = node->as.split.arms.first; arm; arm = arm->next, arm_count++) {
            uint32_t points = (uint32_t)llround(arm->as.split_arm.percent * 100);
            if (!arm->next) points = 10000 - total; /* the last arm takes what rounding left */
            total += points;
            jr_SPLIT_ARMS_record record = {
                points,
                arm->as.split_arm.has_label ? jc_program_string(program, arm->as.split_arm.label.bytes,
                                                                arm->as.split_arm.label.length)
                                            : JR_NONE,
                0,
            };
            jc_program_add(program, JR_SECTION_SPLIT_ARMS, &record);
        }
        jr_SPLITS_record split = {
            jc_program_string(program, node->as.split.name.bytes, node->as.split.name.length), first_arm, arm_count };
        uint32_t split_index = jc_program_add(program, JR_SECTION_SPLITS, &split);
        emit(f, JR_OP_SPLIT, split_index, 0);
        uint32_t jumps[256];
        uint32_t jump_count = 0, arm_index = first_arm;
        for (const jc_node *arm = node->as.split.arms.first; arm; arm = arm->next) {
            jr_SPLIT_ARMS_record *record = jc_program_record(program, JR_SECTION_SPLIT_ARMS, arm_index++);
            record->target = here(f);
            /* The arm's label, or its share as written ("50%"). */
            const jc_text *arm_label = &arm->as.split_arm.label;
            jc_source *source = g->compiler->sources.items[arm->span.file];
            jc_span share = arm->as.split_arm.percent_span;
            if (arm->as.split_arm.has_label)
                emit_arm(f, JR_NODE_ARM, self, arm->span, arm_label->bytes, arm_label->length, arm->as.split_arm.body);
            else
                emit_arm(f, JR_NODE_ARM, self, arm->span, source->text + share.begin, share.end - share.begin,
                         arm->as.split_arm.body);
            if (jump_count < 256) jumps[jump_count++] = emit(f, JR_OP_JUMP, 0, 0);
            else too_large(g, node->span, "a split has more than 256 arms");
        }
        for (uint32_t i = 0; i < jump_count; i++) patch_to_here(f, jumps[i]);
        break;
    }
    case JC_NODE_SET: {
        emit_expression(f, node->as.set.value, false);
        const jc_node *target = node->as.set.target.decl;
        if (target->kind == JC_NODE_LET) emit(f, JR_OP_STORE_LOCAL, target->index, -1);
        else emit(f, JR_OP_SET_ATTRIBUTE, target->index, -1);
        break;
    }
    case JC_NODE_LET:
        emit_expression(f, node->as.let.value, false);
        emit(f, JR_OP_STORE_LOCAL, node->index, -1);
        break;
    case JC_NODE_AUDIENCE: {
        uint32_t name = jc_program_string(program, node->as.audience.name.bytes, node->as.audience.name.length);
        if (name > 0xFFFF) too_large(g, node->span, "more than 65536 strings");
        emit_ab(f, JR_OP_AUDIENCE, node->as.audience.add, name, 0);
        break;
    }
    case JC_NODE_EMIT:
        emit_payload(f, &node->as.emit.fields);
        emit(f, JR_OP_EMIT, jc_program_string(program, node->as.emit.name->text, node->as.emit.name->length), 0);
        break;
    case JC_NODE_TRACK:
        emit_payload(f, &node->as.track.fields);
        emit(f, JR_OP_TRACK, node->as.track.event.decl->index, 0);
        break;
    case JC_NODE_STEP: {
        /* Its statements have the step as parent and as step (actions name it). */
        uint32_t outer_parent = f->parent_node, outer_step = f->step_node;
        f->parent_node = f->step_node = self;
        emit_block(f, node->as.step.body);
        f->parent_node = outer_parent;
        f->step_node = outer_step;
        break;
    }
    case JC_NODE_REPEAT: {
        uint32_t counter = new_slot(g, JC_TYPE_NUMBER, node->span);
        uint32_t zero = jc_program_number(program, 0), one = jc_program_number(program, 1);
        emit_expression(f, node->as.repeat.count, false);
        emit(f, JR_OP_CALL_BUILTIN, JR_BUILTIN_FLOOR, 0);
        emit(f, JR_OP_STORE_LOCAL, counter, -1);
        uint32_t loop = here(f);
        emit_ab(f, JR_OP_LOAD_LOCAL, 0, counter, 1);
        emit(f, JR_OP_PUSH_NUMBER, zero, 1);
        emit(f, JR_OP_COMPARE_NUMBERS, JR_RELATION_GREATER, -1);
        uint32_t exit_jump = emit(f, JR_OP_JUMP_IF_FALSE, 0, -1);
        emit_ab(f, JR_OP_LOAD_LOCAL, 0, counter, 1);
        emit(f, JR_OP_PUSH_NUMBER, one, 1);
        emit(f, JR_OP_SUBTRACT_NUMBERS, 0, -1);
        emit(f, JR_OP_STORE_LOCAL, counter, -1);
        emit_arm(f, JR_NODE_BODY, self, node->as.repeat.body->span, NULL, 0, node->as.repeat.body);
        emit(f, JR_OP_JUMP, loop, 0);
        patch_to_here(f, exit_jump);
        break;
    }
    case JC_NODE_WHILE: {
        /* Each pass comes back to the statement's NODE: the condition is evaluated (and
         * may fail) at the while statement every time. */
        uint32_t loop = here(f) - 1;
        emit_expression(f, node->as.while_loop.condition, false);
        uint32_t exit_jump = emit(f, JR_OP_JUMP_IF_FALSE, 0, -1);
        emit_arm(f, JR_NODE_BODY, self, node->as.while_loop.body->span, NULL, 0, node->as.while_loop.body);
        emit(f, JR_OP_JUMP, loop, 0);
        patch_to_here(f, exit_jump);
        break;
    }
    case JC_NODE_EXIT: emit(f, JR_OP_EXIT, 0, 0); break;
    default: break;
    }
}

static void emit_statements(function_builder *f, const jc_list *statements)
{
    for (const jc_node *node = statements->first; node; node = node->next) {
        switch (node->kind) {
        case JC_NODE_ENTRY: case JC_NODE_REENTRY: case JC_NODE_EXIT_ON: case JC_NODE_GOAL: case JC_NODE_HOLDOUT:
            continue; /* clauses are tables, not code */
        default:
            emit_statement(f, node);
        }
    }
}

static void assign_local_slots(codegen *g, const jc_node *node)
{
    if (!node) return;
    switch (node->kind) {
    case JC_NODE_LET: ((jc_node *)node)->index = new_slot(g, node->as.let.value->type, node->span); return;
    case JC_NODE_BLOCK:
        for (const jc_node *s = node->as.block.statements.first; s; s = s->next) assign_local_slots(g, s);
        return;
    case JC_NODE_WAIT_FOR: assign_local_slots(g, node->as.wait_for.otherwise); return;
    case JC_NODE_SELECT:
        for (const jc_node *arm = node->as.select.arms.first; arm; arm = arm->next)
            assign_local_slots(g, arm->kind == JC_NODE_SELECT_ON ? arm->as.select_on.body : arm->as.select_after.body);
        return;
    case JC_NODE_IF:
        assign_local_slots(g, node->as.if_statement.then_branch);
        assign_local_slots(g, node->as.if_statement.else_branch);
        return;
    case JC_NODE_SPLIT:
        for (const jc_node *arm = node->as.split.arms.first; arm; arm = arm->next)
            assign_local_slots(g, arm->as.split_arm.body);
        return;
    case JC_NODE_STEP: assign_local_slots(g, node->as.step.body); return;
    case JC_NODE_REPEAT: assign_local_slots(g, node->as.repeat.body); return;
    case JC_NODE_WHILE: assign_local_slots(g, node->as.while_loop.body); return;
    default: return;
    }
}

static void generate_journey(codegen *g, jc_node *journey)
{
    jc_program *program = g->program;
    g->journey = journey;
    g->journey_index = journey->index;
    g->slot_count = 0;
    g->binding_count = 0;
    g->first_slot = program->tables[JR_SECTION_SLOTS].count;
    g->first_node = program->tables[JR_SECTION_NODES].count;

    for (const jc_node *item = journey->as.journey.items.first; item; item = item->next) {
        collect_bindings(g, item);
        assign_local_slots(g, item);
    }

    jr_JOURNEYS_record record = {
        .name = jc_program_string(program, journey->as.journey.name->text, journey->as.journey.name->length),
        .function = JR_NONE,
        .reentry = JR_REENTRY_NEVER,
        .reentry_after = JR_NONE,
        .goal_event = JR_NONE,
        .goal_where = JR_NONE,
        .goal_value = JR_NONE,
        .goal_within = JR_NONE,
        .first_slot = g->first_slot,
        .first_node = g->first_node,
        .line = jc_source_position(g->compiler->sources.items[journey->span.file], journey->span.begin).line,
    };
    record.first_entry = program->tables[JR_SECTION_ENTRIES].count;
    for (const jc_node *item = journey->as.journey.items.first; item; item = item->next) {
        if (item->kind != JC_NODE_ENTRY) continue;
        jr_ENTRIES_record entry = {
            .kind = item->as.entry.is_segment ? JR_ENTRY_SEGMENT : JR_ENTRY_EVENT,
            .target = item->as.entry.event.decl->index,
            .where_function = JR_NONE,
        };
        uint32_t index = jc_program_add(program, JR_SECTION_ENTRIES, &entry);
        record.entry_count++;
        uint32_t where = item->as.entry.is_segment
                             ? JR_NONE
                             : expression_function(g, item->as.entry.where, JR_NONE, item->as.entry.event.decl);
        uint32_t first_copy, copy_count;
        binding_copies(g, item, &first_copy, &copy_count);
        jr_ENTRIES_record *stored = jc_program_record(program, JR_SECTION_ENTRIES, index);
        stored->where_function = where;
        stored->first_copy = first_copy;
        stored->copy_count = copy_count;
    }
    /* Exit records first, then their where functions (which need the journey's index). */
    record.first_exit = program->tables[JR_SECTION_EXITS].count;
    for (const jc_node *item = journey->as.journey.items.first; item; item = item->next) {
        if (item->kind != JC_NODE_EXIT_ON) continue;
        jr_EXITS_record exit_record = {
            item->as.exit_on.event.decl->index, JR_NONE,
            jc_source_position(g->compiler->sources.items[item->span.file], item->span.begin).line };
        jc_program_add(program, JR_SECTION_EXITS, &exit_record);
        record.exit_count++;
    }
    uint32_t exit_index = record.first_exit;
    for (const jc_node *item = journey->as.journey.items.first; item; item = item->next) {
        if (item->kind == JC_NODE_EXIT_ON) {
            uint32_t where = expression_function(g, item->as.exit_on.where, g->journey_index, item->as.exit_on.event.decl);
            ((jr_EXITS_record *)jc_program_record(program, JR_SECTION_EXITS, exit_index++))->where_function = where;
        } else if (item->kind == JC_NODE_REENTRY) {
            record.reentry = item->as.reentry.policy == JC_REENTRY_NEVER    ? JR_REENTRY_NEVER
                             : item->as.reentry.policy == JC_REENTRY_ALWAYS ? JR_REENTRY_ALWAYS
                                                                            : JR_REENTRY_AFTER;
            if (item->as.reentry.after)
                record.reentry_after = jc_program_integer(program, item->as.reentry.after->as.duration.seconds * 1000);
        } else if (item->kind == JC_NODE_GOAL) {
            record.goal_event = item->as.goal.event.decl->index;
            record.goal_within = jc_program_integer(program, item->as.goal.within->as.duration.seconds * 1000);
            record.goal_where = expression_function(g, item->as.goal.where, g->journey_index, item->as.goal.event.decl);
            record.goal_value = expression_function(g, item->as.goal.value, g->journey_index, item->as.goal.event.decl);
        } else if (item->kind == JC_NODE_HOLDOUT) {
            record.holdout = (uint32_t)llround(item->as.holdout.percent * 100);
        }
    }

    function_builder f = begin_function(g, g->journey_index, NULL, journey->span);
    emit_statements(&f, &journey->as.journey.items);
    mark_line(&f, (jc_span){ journey->span.file, journey->span.end > 0 ? journey->span.end - 1 : 0, journey->span.end });
    emit(&f, JR_OP_HALT, 0, 0);
    record.function = end_function(&f, JR_FUNCTION_JOURNEY, 0, journey->span);
    record.slot_count = g->slot_count;
    record.node_count = program->tables[JR_SECTION_NODES].count - g->first_node;
    *(jr_JOURNEYS_record *)jc_program_record(program, JR_SECTION_JOURNEYS, g->journey_index) = record;
    g->journey = NULL;
}

/* ---- the pass -------------------------------------------------------------------- */

static void index_declarations(codegen *g, const jc_list *declarations)
{
    jc_program *program = g->program;
    for (jc_node *decl = declarations->first; decl; decl = decl->next) {
        switch (decl->kind) {
        case JC_NODE_EVENT: {
            jr_EVENTS_record record = {
                .name = jc_program_string(program, decl->as.event.name->text, decl->as.event.name->length),
                .external_name = decl->as.event.has_external
                                     ? jc_program_string(program, decl->as.event.external.bytes, decl->as.event.external.length)
                                     : jc_program_string(program, decl->as.event.name->text, decl->as.event.name->length),
                .first_field = program->tables[JR_SECTION_FIELDS].count,
                .field_count = decl->as.event.fields.count,
            };
            for (jc_node *field = decl->as.event.fields.first; field; field = field->next) {
                jr_FIELDS_record field_record = {
                    jc_program_string(program, field->as.field.name->text, field->as.field.name->length),
                    (uint32_t)type_letter(field->as.field.type) };
                jc_program_add(program, JR_SECTION_FIELDS, &field_record);
            }
            decl->index = jc_program_add(program, JR_SECTION_EVENTS, &record);
            break;
        }
        case JC_NODE_ATTRIBUTE: {
            jr_ATTRIBUTES_record record = {
                .name = jc_program_string(program, decl->as.attribute.name->text, decl->as.attribute.name->length),
                .type = (uint32_t)type_letter(decl->as.attribute.type),
                .default_kind = JR_DEFAULT_NONE,
            };
            const jc_node *initial = decl->as.attribute.initial;
            if (initial) {
                bool negative = initial->kind == JC_NODE_UNARY;
                const jc_node *literal = negative ? initial->as.unary.operand : initial;
                switch (literal->kind) {
                case JC_NODE_NUMBER:
                    record.default_kind = JR_DEFAULT_NUMBER;
                    record.default_value = jc_program_number(program, negative ? -literal->as.number.value : literal->as.number.value);
                    break;
                case JC_NODE_PERCENT:
                    record.default_kind = JR_DEFAULT_NUMBER;
                    record.default_value = jc_program_number(program, (negative ? -1 : 1) * literal->as.percent.value / 100);
                    break;
                case JC_NODE_STRING:
                    record.default_kind = JR_DEFAULT_STRING;
                    record.default_value = jc_program_string(program, literal->as.string.bytes, literal->as.string.length);
                    break;
                case JC_NODE_BOOLEAN:
                    record.default_kind = JR_DEFAULT_BOOL;
                    record.default_value = literal->as.boolean.value;
                    break;
                case JC_NODE_DURATION:
                    record.default_kind = JR_DEFAULT_INTEGER;
                    record.default_value = jc_program_integer(program, (negative ? -1000 : 1000) * literal->as.duration.seconds);
                    break;
                default: break;
                }
            }
            decl->index = jc_program_add(program, JR_SECTION_ATTRIBUTES, &record);
            break;
        }
        case JC_NODE_CHANNEL: {
            jr_CHANNELS_record record = { jc_program_string(program, decl->as.channel.name->text, decl->as.channel.name->length) };
            decl->index = jc_program_add(program, JR_SECTION_CHANNELS, &record);
            break;
        }
        case JC_NODE_SCORE: {
            jr_SCORES_record record = {
                .name = jc_program_string(program, decl->as.score.name->text, decl->as.score.name->length),
                .decay_percent = JR_NONE,
                .decay_period = JR_NONE,
            };
            decl->index = jc_program_add(program, JR_SECTION_SCORES, &record);
            break;
        }
        case JC_NODE_SEGMENT: {
            jr_SEGMENTS_record record = {
                jc_program_string(program, decl->as.segment.name->text, decl->as.segment.name->length), JR_NONE };
            decl->index = jc_program_add(program, JR_SECTION_SEGMENTS, &record);
            break;
        }
        case JC_NODE_MESSAGE: {
            jr_MESSAGES_record record = {
                .name = jc_program_string(program, decl->as.message.name->text, decl->as.message.name->length),
                .template_name = jc_program_string(program, decl->as.message.template_name.bytes,
                                                   decl->as.message.template_name.length),
                .transactional = decl->as.message.transactional,
            };
            decl->index = jc_program_add(program, JR_SECTION_MESSAGES, &record);
            break;
        }
        case JC_NODE_JOURNEY: {
            jr_JOURNEYS_record record = { 0 };
            decl->index = jc_program_add(program, JR_SECTION_JOURNEYS, &record);
            break;
        }
        case JC_NODE_EXTERN: {
            char parameters[256];
            uint32_t count = 0;
            for (const jc_node *p = decl->as.extern_function.parameters.first; p && count < 255; p = p->next)
                parameters[count++] = type_letter(p->as.parameter.type);
            if (decl->as.extern_function.parameters.count > 255) too_large(g, decl->span, "an extern has more than 255 parameters");
            jr_EXTERNS_record record = {
                jc_program_string(program, decl->as.extern_function.library.bytes, decl->as.extern_function.library.length),
                jc_program_string(program, decl->as.extern_function.name->text, decl->as.extern_function.name->length),
                (uint32_t)type_letter(decl->as.extern_function.result),
                jc_program_string(program, parameters, count),
            };
            decl->index = jc_program_add(program, JR_SECTION_EXTERNS, &record);
            break;
        }
        default: break;
        }
    }
}

static void generate_declarations(codegen *g, const jc_list *declarations)
{
    jc_program *program = g->program;
    for (jc_node *decl = declarations->first; decl; decl = decl->next) {
        switch (decl->kind) {
        case JC_NODE_SCORE: {
            uint32_t first_rule = program->tables[JR_SECTION_SCORE_RULES].count;
            uint32_t rule_count = 0;
            uint32_t decay_percent = JR_NONE, decay_period = JR_NONE;
            for (const jc_node *item = decl->as.score.rules.first; item; item = item->next) {
                if (item->kind == JC_NODE_SCORE_DECAY) {
                    decay_percent = jc_program_number(program, item->as.score_decay.percent / 100);
                    decay_period = jc_program_integer(program, item->as.score_decay.period->as.duration.seconds * 1000);
                    continue;
                }
                jr_SCORE_RULES_record rule = { item->as.score_rule.event.decl->index, JR_NONE,
                                               jc_program_number(program, item->as.score_rule.delta) };
                jc_program_add(program, JR_SECTION_SCORE_RULES, &rule);
                rule_count++;
            }
            uint32_t rule_index = first_rule;
            for (const jc_node *item = decl->as.score.rules.first; item; item = item->next) {
                if (item->kind != JC_NODE_SCORE_RULE) continue;
                uint32_t where = expression_function(g, item->as.score_rule.where, JR_NONE, item->as.score_rule.event.decl);
                ((jr_SCORE_RULES_record *)jc_program_record(program, JR_SECTION_SCORE_RULES, rule_index++))->where_function = where;
            }
            jr_SCORES_record *record = jc_program_record(program, JR_SECTION_SCORES, decl->index);
            record->first_rule = first_rule;
            record->rule_count = rule_count;
            record->decay_percent = decay_percent;
            record->decay_period = decay_period;
            break;
        }
        case JC_NODE_SEGMENT: {
            uint32_t function = expression_function(g, decl->as.segment.condition, JR_NONE, NULL);
            ((jr_SEGMENTS_record *)jc_program_record(program, JR_SECTION_SEGMENTS, decl->index))->function = function;
            break;
        }
        case JC_NODE_MESSAGE: {
            jr_MESSAGES_record *record = jc_program_record(program, JR_SECTION_MESSAGES, decl->index);
            record->channel = decl->as.message.channel.decl->index;
            uint32_t first_field = program->tables[JR_SECTION_MESSAGE_FIELDS].count;
            for (const jc_node *pair = decl->as.message.fields.first; pair; pair = pair->next) {
                jr_MESSAGE_FIELDS_record field = { jc_program_string(program, pair->as.pair.key->text, pair->as.pair.key->length),
                                                   JR_NONE };
                jc_program_add(program, JR_SECTION_MESSAGE_FIELDS, &field);
            }
            uint32_t field_index = first_field;
            for (const jc_node *pair = decl->as.message.fields.first; pair; pair = pair->next) {
                uint32_t function = expression_function(g, pair->as.pair.value, JR_NONE, NULL);
                ((jr_MESSAGE_FIELDS_record *)jc_program_record(program, JR_SECTION_MESSAGE_FIELDS, field_index++))->function = function;
            }
            record = jc_program_record(program, JR_SECTION_MESSAGES, decl->index);
            record->first_field = first_field;
            record->field_count = decl->as.message.fields.count;
            break;
        }
        case JC_NODE_LIMIT: {
            jr_LIMITS_record record = {
                decl->as.limit.channel.decl->index, (uint32_t)decl->as.limit.count,
                jc_program_integer(program, decl->as.limit.period->as.duration.seconds * 1000),
                decl->as.limit.policy == JC_POLICY_DEFER      ? JR_POLICY_DEFER
                : decl->as.limit.policy == JC_POLICY_SUPPRESS ? JR_POLICY_SUPPRESS
                                                              : JR_POLICY_DEFAULT,
            };
            jc_program_add(program, JR_SECTION_LIMITS, &record);
            break;
        }
        case JC_NODE_QUIET_HOURS: {
            uint32_t policy = decl->as.quiet_hours.policy == JC_POLICY_DEFER      ? JR_POLICY_DEFER
                              : decl->as.quiet_hours.policy == JC_POLICY_SUPPRESS ? JR_POLICY_SUPPRESS
                                                                                  : JR_POLICY_DEFAULT;
            if (!decl->as.quiet_hours.channels.count) {
                jr_QUIET_HOURS_record record = { decl->as.quiet_hours.from, decl->as.quiet_hours.to, JR_NONE, policy };
                jc_program_add(program, JR_SECTION_QUIET_HOURS, &record);
            }
            for (const jc_node *channel = decl->as.quiet_hours.channels.first; channel; channel = channel->next) {
                jr_QUIET_HOURS_record record = { decl->as.quiet_hours.from, decl->as.quiet_hours.to,
                                                 channel->as.name.ref.decl->index, policy };
                jc_program_add(program, JR_SECTION_QUIET_HOURS, &record);
            }
            break;
        }
        case JC_NODE_JOURNEY: generate_journey(g, decl); break;
        default: break;
        }
    }
}

jc_status jc_generate(jc_compiler *compiler, jc_program *program)
{
    if (compiler->diagnostics.error_count) return JC_ERRORS;
    codegen g = { 0 };
    g.compiler = compiler;
    g.program = program;
    jr_PROGRAM_record info = {
        jc_program_cstring(program, compiler->root_file < compiler->sources.count
                                        ? compiler->sources.items[compiler->root_file]->path
                                        : ""),
        jc_program_cstring(program, "journeyc " JOURNEY_VERSION),
    };
    jc_program_add(program, JR_SECTION_PROGRAM, &info);
    index_declarations(&g, &compiler->declarations);
    generate_declarations(&g, &compiler->declarations);
    free(g.bindings);
    if (program->out_of_memory || compiler->out_of_memory) return JC_NO_MEMORY;
    return g.failed ? JC_ERRORS : JC_OK;
}
