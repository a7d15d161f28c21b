/* resolve.c: name resolution, type checking and the static rules of the language.
 *
 * One pass over the declarations after all files are parsed: global names first (so
 * order of declaration does not matter), then each declaration in turn. Journeys are
 * walked with a scope stack for `let` locals and `as` bindings. Each rule checked here
 * is written down in spec/language.md and has a test in tests/compile/err/. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"

typedef struct builtin {
    const char *name;
    const char *result;
    const char *parameters;
} builtin;

static const builtin builtins[] = {
#define JR_BUILTIN(id, name, result, parameters, description) { name, result, parameters },
#include "../bytecode/builtins.h"
#undef JR_BUILTIN
};
enum { BUILTIN_COUNT = sizeof builtins / sizeof *builtins };

enum {
    WINDOW_MIN_SECONDS = 60,
    WINDOW_MAX_SECONDS = 366 * 86400,
    WAIT_MAX_SECONDS = 10 * 366 * 86400,
    LIMIT_MAX_COUNT = 1000,
    REPEAT_MAX_COUNT = 100000,
    /* Deeper expressions (a chain of 1000 operators) are refused rather than risk the
     * stack of this and later recursive passes. */
    EXPRESSION_MAX_DEPTH = 1000,
};

/* ---- scopes ---------------------------------------------------------------------- */

typedef struct scope_entry {
    jc_name *name;
    jc_span span;
    jc_node *decl;        /* LET, or the ENTRY/WAIT_FOR/SELECT_ON that binds an event */
    jc_type type;         /* of a LET */
    jc_node *unavailable; /* a WAIT_FOR whose timeout leaves the binding unset */
} scope_entry;

typedef struct expression_context {
    jc_node *event;   /* the event being matched: its fields are visible by bare name */
    bool locals;      /* journey locals and bindings are visible */
    bool aggregates;  /* count(...) and friends may be used */
    jc_node *segment; /* the segment being defined, for cycle detection */
} expression_context;

typedef struct segment_edge {
    jc_node *from;
    jc_node *to;
    jc_span span;
} segment_edge;

typedef struct resolver {
    jc_compiler *compiler;
    jc_diagnostics *diagnostics;
    /* global names: open addressing on the interned name pointer */
    jc_node **globals;
    uint32_t global_capacity;
    /* the journey being checked */
    jc_node *journey;
    scope_entry *scope;
    uint32_t scope_count, scope_capacity;
    /* locals and bindings of blocks that have ended, to explain a use after them */
    scope_entry *ended;
    uint32_t ended_count, ended_capacity;
    jc_node **steps;
    uint32_t step_count, step_capacity;
    /* segment -> segment references */
    segment_edge *edges;
    uint32_t edge_count, edge_capacity;
    /* Where lexing and parsing reported errors, sorted, so checks that would only
     * repeat them (a journey whose entry did not parse has no entry) stay quiet. */
    jc_span *syntax_errors;
    uint32_t syntax_error_count;
    uint32_t expression_depth;
    bool expression_too_deep; /* the expression being checked hit EXPRESSION_MAX_DEPTH */
    bool out_of_memory;
} resolver;

static bool grow(resolver *r, void **items, uint32_t *capacity, uint32_t count, size_t size)
{
    if (count < *capacity) return true;
    uint32_t new_capacity = *capacity ? *capacity * 2 : 16;
    void *grown = realloc(*items, size * new_capacity);
    if (!grown) {
        r->out_of_memory = true;
        return false;
    }
    *items = grown;
    *capacity = new_capacity;
    return true;
}

/* ---- declarations and their names ---------------------------------------------- */

static jc_name *declared_name(const jc_node *decl, jc_span *span)
{
    jc_span unused;
    if (!span) span = &unused;
    switch (decl->kind) {
    case JC_NODE_CHANNEL: *span = decl->as.channel.name_span; return decl->as.channel.name;
    case JC_NODE_ATTRIBUTE: *span = decl->as.attribute.name_span; return decl->as.attribute.name;
    case JC_NODE_EVENT: *span = decl->as.event.name_span; return decl->as.event.name;
    case JC_NODE_SCORE: *span = decl->as.score.name_span; return decl->as.score.name;
    case JC_NODE_SEGMENT: *span = decl->as.segment.name_span; return decl->as.segment.name;
    case JC_NODE_MESSAGE: *span = decl->as.message.name_span; return decl->as.message.name;
    case JC_NODE_JOURNEY: *span = decl->as.journey.name_span; return decl->as.journey.name;
    case JC_NODE_EXTERN: *span = decl->as.extern_function.name_span; return decl->as.extern_function.name;
    case JC_NODE_FIELD: *span = decl->as.field.name_span; return decl->as.field.name;
    case JC_NODE_LET: *span = decl->as.let.name_span; return decl->as.let.name;
    default: return NULL;
    }
}

static const char *kind_word(jc_node_kind kind)
{
    switch (kind) {
    case JC_NODE_CHANNEL: return "channel";
    case JC_NODE_ATTRIBUTE: return "attribute";
    case JC_NODE_EVENT: return "event";
    case JC_NODE_SCORE: return "score";
    case JC_NODE_SEGMENT: return "segment";
    case JC_NODE_MESSAGE: return "message";
    case JC_NODE_JOURNEY: return "journey";
    case JC_NODE_EXTERN: return "extern function";
    case JC_NODE_FIELD: return "field";
    case JC_NODE_LET: return "local";
    default: return "name";
    }
}

static const char *article(const char *word)
{
    return strchr("aeiou", word[0]) ? "an" : "a";
}

static jc_node *lookup_global(const resolver *r, const jc_name *name)
{
    if (!r->global_capacity || !name) return NULL;
    uint32_t mask = r->global_capacity - 1;
    for (uint32_t i = name->hash & mask;; i = (i + 1) & mask) {
        jc_node *decl = r->globals[i];
        if (!decl) return NULL;
        if (declared_name(decl, NULL) == name) return decl;
    }
}

static void insert_global(resolver *r, jc_node *decl)
{
    jc_name *name = declared_name(decl, NULL);
    uint32_t mask = r->global_capacity - 1;
    uint32_t i = name->hash & mask;
    while (r->globals[i]) i = (i + 1) & mask;
    r->globals[i] = decl;
}

static int compare_spans(const void *a, const void *b)
{
    const jc_span *x = a, *y = b;
    if (x->file != y->file) return x->file < y->file ? -1 : 1;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* Records the errors reported before resolution: those of the lexer and the parser. */
static void collect_syntax_errors(resolver *r)
{
    const jc_diagnostics *diagnostics = r->diagnostics;
    if (!diagnostics->error_count) return;
    r->syntax_errors = malloc(sizeof *r->syntax_errors * diagnostics->count);
    if (!r->syntax_errors) return; /* then the follow-on errors are reported too */
    for (uint32_t i = 0; i < diagnostics->count; i++)
        if (diagnostics->items[i].severity == JC_SEVERITY_ERROR)
            r->syntax_errors[r->syntax_error_count++] = diagnostics->items[i].span;
    qsort(r->syntax_errors, r->syntax_error_count, sizeof *r->syntax_errors, compare_spans);
}

/* Was a syntax error reported inside span? */
static bool has_syntax_error_in(const resolver *r, jc_span span)
{
    uint32_t low = 0, high = r->syntax_error_count;
    while (low < high) { /* the first error at or after span.begin */
        uint32_t middle = low + (high - low) / 2;
        jc_span middle_span = r->syntax_errors[middle];
        if (compare_spans(&middle_span, &span) < 0) low = middle + 1;
        else high = middle;
    }
    return low < r->syntax_error_count && r->syntax_errors[low].file == span.file &&
           r->syntax_errors[low].begin < span.end;
}

/* ---- suggestions ----------------------------------------------------------------- */

/* Damerau-Levenshtein (optimal string alignment) distance, or limit+1 when larger. */
static uint32_t edit_distance(const char *a, uint32_t a_length, const char *b, uint32_t b_length,
                              uint32_t limit)
{
    if (a_length > 64 || b_length > 64) return limit + 1;
    if ((a_length > b_length ? a_length - b_length : b_length - a_length) > limit) return limit + 1;
    uint32_t rows[3][65];
    uint32_t *before = rows[0], *previous = rows[1], *current = rows[2];
    for (uint32_t j = 0; j <= b_length; j++) previous[j] = j;
    for (uint32_t i = 1; i <= a_length; i++) {
        current[0] = i;
        uint32_t row_minimum = current[0];
        for (uint32_t j = 1; j <= b_length; j++) {
            uint32_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            uint32_t best = previous[j] + 1;
            if (current[j - 1] + 1 < best) best = current[j - 1] + 1;
            if (previous[j - 1] + cost < best) best = previous[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && before[j - 2] + 1 < best)
                best = before[j - 2] + 1;
            current[j] = best;
            if (best < row_minimum) row_minimum = best;
        }
        if (row_minimum > limit) return limit + 1;
        uint32_t *recycled = before;
        before = previous;
        previous = current;
        current = recycled;
    }
    return previous[b_length];
}

typedef struct suggestion {
    const jc_name *wanted;
    uint32_t limit;
    uint32_t best_distance;
    const char *best_text;
    uint32_t best_length;
    jc_span best_span;
    bool has_span;
} suggestion;

static suggestion suggestion_for(const jc_name *wanted)
{
    uint32_t limit = wanted->length <= 3 ? 1 : wanted->length <= 8 ? 2 : 3;
    return (suggestion){ wanted, limit, limit + 1, NULL, 0, { JC_NO_FILE, 0, 0 }, false };
}

static void consider(suggestion *s, const char *text, uint32_t length, const jc_span *span)
{
    if (length == s->wanted->length && memcmp(text, s->wanted->text, length) == 0) return;
    uint32_t distance = edit_distance(s->wanted->text, s->wanted->length, text, length, s->limit);
    if (distance < s->best_distance) {
        s->best_distance = distance;
        s->best_text = text;
        s->best_length = length;
        s->has_span = span != NULL;
        if (span) s->best_span = *span;
    }
}

static void consider_globals(resolver *r, suggestion *s, uint32_t kind_mask)
{
    for (uint32_t i = 0; i < r->global_capacity; i++) {
        jc_node *decl = r->globals[i];
        if (!decl || !(kind_mask & (1u << decl->kind))) continue;
        jc_span span;
        jc_name *name = declared_name(decl, &span);
        consider(s, name->text, name->length, &span);
    }
}

static void suggest(resolver *r, const suggestion *s, jc_span use)
{
    if (!s->best_text) return;
    if (s->has_span && s->best_span.file != JC_NO_FILE)
        jc_note(r->diagnostics, s->best_span, "did you mean '%.*s'?", (int)s->best_length, s->best_text);
    else
        jc_note(r->diagnostics, use, "did you mean '%.*s'?", (int)s->best_length, s->best_text);
}

#define KIND_BIT(kind) (1u << JC_NODE_##kind)
#define VALUE_KINDS (KIND_BIT(ATTRIBUTE) | KIND_BIT(SCORE) | KIND_BIT(SEGMENT))

static void note_declared_here(resolver *r, const jc_node *decl)
{
    jc_span span;
    jc_name *name = declared_name(decl, &span);
    if (name && span.file != JC_NO_FILE)
        jc_note(r->diagnostics, span, "%s '%s' is declared here", kind_word(decl->kind), name->text);
}

/* Resolves a reference that must name a declaration of `kind`. */
static jc_node *resolve_ref(resolver *r, jc_ref *ref, jc_node_kind kind)
{
    if (!ref->name) return NULL;
    jc_node *decl = lookup_global(r, ref->name);
    if (decl && decl->kind == kind) {
        ref->decl = decl;
        return decl;
    }
    const char *wanted = kind_word(kind);
    if (decl) {
        const char *found = kind_word(decl->kind);
        jc_error(r->diagnostics, ref->span, "'%s' is %s %s, not %s %s", ref->name->text, article(found),
                 found, article(wanted), wanted);
        note_declared_here(r, decl);
        return NULL;
    }
    jc_error(r->diagnostics, ref->span, "undeclared %s '%s'", wanted, ref->name->text);
    suggestion s = suggestion_for(ref->name);
    consider_globals(r, &s, 1u << kind);
    suggest(r, &s, ref->span);
    return NULL;
}

/* ---- small helpers --------------------------------------------------------------- */

static jc_type type_of_letter(char letter)
{
    switch (letter) {
    case 'n': return JC_TYPE_NUMBER;
    case 's': return JC_TYPE_STRING;
    case 'b': return JC_TYPE_BOOL;
    case 't': return JC_TYPE_TIME;
    case 'd': return JC_TYPE_DURATION;
    }
    return JC_TYPE_ERROR;
}

static bool constant_seconds(const jc_node *expression, int64_t *seconds)
{
    if (expression && expression->kind == JC_NODE_DURATION) {
        *seconds = expression->as.duration.seconds;
        return true;
    }
    return false;
}

static void check_duration_range(resolver *r, const jc_node *duration, int64_t minimum, int64_t maximum,
                                 const char *what)
{
    int64_t seconds;
    if (!constant_seconds(duration, &seconds)) return;
    if (seconds < minimum || seconds > maximum) {
        if (minimum <= 1)
            jc_error(r->diagnostics, duration->span, "%s is out of range: it must be more than 0s and at most %lldd",
                     what, (long long)(maximum / 86400));
        else
            jc_error(r->diagnostics, duration->span, "%s is out of range: it must be from %llds to %lldd", what,
                     (long long)minimum, (long long)(maximum / 86400));
    }
}

static jc_node *field_of(const jc_node *event, const jc_name *name)
{
    if (!event || event->kind != JC_NODE_EVENT) return NULL;
    for (jc_node *field = event->as.event.fields.first; field; field = field->next)
        if (field->as.field.name == name) return field;
    return NULL;
}

static void unknown_field(resolver *r, const jc_node *event, const jc_name *name, jc_span span)
{
    jc_error(r->diagnostics, span, "event '%s' has no field '%s'", event->as.event.name->text, name->text);
    suggestion s = suggestion_for(name);
    for (jc_node *field = event->as.event.fields.first; field; field = field->next)
        consider(&s, field->as.field.name->text, field->as.field.name->length, &field->as.field.name_span);
    suggest(r, &s, span);
}

/* The event a binding was made for. */
static jc_node *bound_event(const jc_node *binder)
{
    switch (binder->kind) {
    case JC_NODE_ENTRY: return binder->as.entry.event.decl;
    case JC_NODE_WAIT_FOR: return binder->as.wait_for.event.decl;
    case JC_NODE_SELECT_ON: return binder->as.select_on.event.decl;
    default: return NULL;
    }
}

static scope_entry *lookup_scope(resolver *r, const jc_name *name)
{
    for (uint32_t i = r->scope_count; i-- > 0;)
        if (r->scope[i].name == name) return &r->scope[i];
    return NULL;
}

static void declare_local(resolver *r, jc_name *name, jc_span span, jc_node *decl, jc_type type,
                          jc_node *unavailable)
{
    if (!name) return;
    jc_node *global = lookup_global(r, name);
    scope_entry *existing = lookup_scope(r, name);
    if (global) {
        const char *found = kind_word(global->kind);
        jc_error(r->diagnostics, span, "'%s' is already declared as %s %s", name->text, article(found), found);
        note_declared_here(r, global);
        return;
    }
    if (existing && !existing->unavailable) {
        jc_error(r->diagnostics, span, "'%s' is already defined in this journey", name->text);
        jc_note(r->diagnostics, existing->span, "'%s' is first defined here", name->text);
        return;
    }
    if (!grow(r, (void **)&r->scope, &r->scope_capacity, r->scope_count, sizeof *r->scope)) return;
    r->scope[r->scope_count++] = (scope_entry){ name, span, decl, type, unavailable };
}

/* Leaves the scopes opened since mark, remembering what they held. */
static void end_scope(resolver *r, uint32_t mark)
{
    for (uint32_t i = mark; i < r->scope_count; i++)
        if (grow(r, (void **)&r->ended, &r->ended_capacity, r->ended_count, sizeof *r->ended))
            r->ended[r->ended_count++] = r->scope[i];
    r->scope_count = mark;
}

/* For a name that is not in scope: if a block that has ended defined it, says so and
 * returns true. */
static bool report_out_of_scope(resolver *r, const jc_name *name, jc_span use)
{
    for (uint32_t i = r->ended_count; i-- > 0;) {
        if (r->ended[i].name != name) continue;
        bool is_local = r->ended[i].decl->kind == JC_NODE_LET;
        jc_error(r->diagnostics, use, "'%s' is not in scope here: the block that %s it has ended", name->text,
                 is_local ? "defines" : "binds");
        jc_note(r->diagnostics, r->ended[i].span, "'%s' is %s here", name->text, is_local ? "defined" : "bound");
        return true;
    }
    return false;
}

static bool check_expression_type(resolver *r, jc_node *expression, jc_type want,
                                  const expression_context *context, const char *what);
static jc_type check_expression(resolver *r, jc_node *expression, const expression_context *context);

/* ---- expressions ----------------------------------------------------------------- */

static jc_type check_name(resolver *r, jc_node *expression, const expression_context *context)
{
    jc_ref *ref = &expression->as.name.ref;
    jc_name *name = ref->name;
    if (!name) return JC_TYPE_ERROR;
    jc_node *field = field_of(context->event, name);
    if (field) {
        expression->as.name.meaning = JC_MEANING_FIELD;
        ref->decl = field;
        return field->as.field.type;
    }
    if (context->locals) {
        scope_entry *entry = lookup_scope(r, name);
        if (entry && entry->unavailable && !bound_event(entry->decl)) return JC_TYPE_ERROR; /* event reported */
        if (entry && entry->unavailable) {
            jc_error(r->diagnostics, ref->span, "'%s' is not bound here: the 'wait for' that binds it may time out",
                     name->text);
            jc_note(r->diagnostics, entry->unavailable->span,
                    "bindings of a 'wait for' with 'within' are usable after it only when its 'else' ends with 'exit'");
            return JC_TYPE_ERROR;
        }
        if (entry && entry->decl->kind == JC_NODE_LET) {
            expression->as.name.meaning = JC_MEANING_LOCAL;
            ref->decl = entry->decl;
            return entry->type;
        }
        if (entry) {
            jc_error(r->diagnostics, ref->span, "'%s' is an event binding; use one of its fields, as in '%s.%s'",
                     name->text, name->text,
                     bound_event(entry->decl) && bound_event(entry->decl)->as.event.fields.first
                         ? bound_event(entry->decl)->as.event.fields.first->as.field.name->text
                         : "field");
            return JC_TYPE_ERROR;
        }
    }
    jc_node *decl = lookup_global(r, name);
    if (decl) {
        ref->decl = decl;
        switch (decl->kind) {
        case JC_NODE_ATTRIBUTE:
            expression->as.name.meaning = JC_MEANING_ATTRIBUTE;
            return decl->as.attribute.type;
        case JC_NODE_SCORE:
            expression->as.name.meaning = JC_MEANING_SCORE;
            return JC_TYPE_NUMBER;
        case JC_NODE_SEGMENT:
            expression->as.name.meaning = JC_MEANING_SEGMENT;
            if (context->segment && grow(r, (void **)&r->edges, &r->edge_capacity, r->edge_count, sizeof *r->edges))
                r->edges[r->edge_count++] = (segment_edge){ context->segment, decl, ref->span };
            return JC_TYPE_BOOL;
        case JC_NODE_EVENT:
            jc_error(r->diagnostics, ref->span,
                     "event '%s' is not a value: bind it with 'as', or count it with count(%s in last 7d)",
                     name->text, name->text);
            return JC_TYPE_ERROR;
        default: {
            const char *found = kind_word(decl->kind);
            jc_error(r->diagnostics, ref->span, "'%s' is %s %s, not a value", name->text, article(found), found);
            note_declared_here(r, decl);
            return JC_TYPE_ERROR;
        }
        }
    }
    if (context->locals && report_out_of_scope(r, name, ref->span)) return JC_TYPE_ERROR;
    jc_error(r->diagnostics, ref->span, "undeclared name '%s'", name->text);
    suggestion s = suggestion_for(name);
    if (context->event)
        for (jc_node *f = context->event->as.event.fields.first; f; f = f->next)
            consider(&s, f->as.field.name->text, f->as.field.name->length, &f->as.field.name_span);
    if (context->locals)
        for (uint32_t i = 0; i < r->scope_count; i++)
            consider(&s, r->scope[i].name->text, r->scope[i].name->length, &r->scope[i].span);
    consider_globals(r, &s, VALUE_KINDS);
    suggest(r, &s, ref->span);
    return JC_TYPE_ERROR;
}

static jc_type check_member(resolver *r, jc_node *expression, const expression_context *context)
{
    jc_node *object = expression->as.member.object;
    jc_name *member = expression->as.member.member;
    jc_span member_span = expression->as.member.member_span;
    if (!member) return JC_TYPE_ERROR;
    if (object->kind == JC_NODE_CONTACT) {
        if (strcmp(member->text, "id") == 0) {
            expression->as.member.meaning = JC_MEANING_UNRESOLVED; /* the contact id */
            return JC_TYPE_STRING;
        }
        jc_node *decl = lookup_global(r, member);
        if (decl && decl->kind == JC_NODE_ATTRIBUTE) {
            expression->as.member.meaning = JC_MEANING_ATTRIBUTE;
            expression->as.member.decl = decl;
            return decl->as.attribute.type;
        }
        jc_error(r->diagnostics, member_span, "contact has no attribute '%s'", member->text);
        suggestion s = suggestion_for(member);
        consider_globals(r, &s, KIND_BIT(ATTRIBUTE));
        consider(&s, "id", 2, NULL);
        suggest(r, &s, member_span);
        return JC_TYPE_ERROR;
    }
    if (object->kind != JC_NODE_NAME || !object->as.name.ref.name) {
        if (check_expression(r, object, context) != JC_TYPE_ERROR)
            jc_error(r->diagnostics, member_span,
                     "only an event binding, the event being matched and 'contact' have fields");
        return JC_TYPE_ERROR;
    }
    jc_name *name = object->as.name.ref.name;
    jc_node *event = NULL;
    if (context->locals) {
        scope_entry *entry = lookup_scope(r, name);
        if (entry && entry->unavailable) return check_name(r, object, context);
        if (entry && entry->decl->kind != JC_NODE_LET) {
            event = bound_event(entry->decl);
            if (!event) return JC_TYPE_ERROR; /* the binding's event was already reported */
            object->as.name.meaning = JC_MEANING_BINDING;
            object->as.name.ref.decl = entry->decl;
            expression->as.member.meaning = JC_MEANING_BINDING;
            expression->as.member.decl = entry->decl;
        }
    }
    if (!event && context->event && context->event->as.event.name == name) {
        event = context->event;
        object->as.name.ref.decl = event;
        expression->as.member.meaning = JC_MEANING_FIELD;
        expression->as.member.decl = event;
    }
    if (!event) {
        jc_node *decl = lookup_global(r, name);
        if (decl && decl->kind == JC_NODE_EVENT) {
            jc_error(r->diagnostics, object->span,
                     "event '%s' is not bound here: write 'as NAME' where you wait for it, then NAME.%s",
                     name->text, member->text);
            return JC_TYPE_ERROR;
        }
        if (!decl && !(context->locals && lookup_scope(r, name))) {
            if (context->locals && report_out_of_scope(r, name, object->span)) return JC_TYPE_ERROR;
            jc_error(r->diagnostics, object->span, "undeclared name '%s'", name->text);
            suggestion s = suggestion_for(name);
            if (context->locals)
                for (uint32_t i = 0; i < r->scope_count; i++)
                    consider(&s, r->scope[i].name->text, r->scope[i].name->length, &r->scope[i].span);
            suggest(r, &s, object->span);
            return JC_TYPE_ERROR;
        }
        jc_error(r->diagnostics, member_span, "'%s' has no fields: only event bindings and 'contact' do",
                 name->text);
        return JC_TYPE_ERROR;
    }
    jc_node *field = field_of(event, member);
    if (!field) {
        unknown_field(r, event, member, member_span);
        return JC_TYPE_ERROR;
    }
    expression->as.member.field = field;
    return field->as.field.type;
}

static bool is_aggregate_name(const jc_name *name)
{
    static const char *const names[] = { "count", "sum", "avg", "min", "max" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(name->text, names[i]) == 0) return true;
    return false;
}

/* The built-in a call of `name` with `arguments` arguments means: the entry of that
 * name with as many parameters, else its first entry (whose count is then reported);
 * -1 when no built-in has that name. */
static int builtin_index(const jc_name *name, uint32_t arguments)
{
    int first = -1;
    for (int i = 0; i < BUILTIN_COUNT; i++) {
        if (strcmp(builtins[i].name, name->text) != 0) continue;
        if (strlen(builtins[i].parameters) == arguments) return i;
        if (first < 0) first = i;
    }
    return first;
}

static bool is_builtin_name(const jc_name *name) { return builtin_index(name, 0) >= 0; }

/* "1", "1 or 2", "2 or 3": the numbers of arguments the built-in's forms take. */
static void builtin_arities(const char *name, char *text, size_t size)
{
    enum { MOST_PARAMETERS = 8 };
    size_t length = 0;
    text[0] = '\0';
    for (size_t arity = 0; arity <= MOST_PARAMETERS && length < size; arity++)
        for (int i = 0; i < BUILTIN_COUNT; i++)
            if (strcmp(builtins[i].name, name) == 0 && strlen(builtins[i].parameters) == arity) {
                length += (size_t)snprintf(text + length, size - length, "%s%zu", length ? " or " : "", arity);
                break;
            }
}

/* Does this argument name an event (E) or an event's field (E.f)? */
static jc_node *argument_event(resolver *r, const jc_node *argument)
{
    const jc_node *name = argument;
    if (argument->kind == JC_NODE_MEMBER) name = argument->as.member.object;
    if (name->kind != JC_NODE_NAME) return NULL;
    jc_node *decl = lookup_global(r, name->as.name.ref.name);
    return decl && decl->kind == JC_NODE_EVENT ? decl : NULL;
}

static jc_type check_aggregate(resolver *r, jc_node *call, const expression_context *context)
{
    const char *function = call->as.call.callee.name->text;
    bool is_count = strcmp(function, "count") == 0;
    if (call->as.call.arguments.count != 1) {
        jc_error(r->diagnostics, call->span, "%s(...) takes one event%s", function, is_count ? "" : " field");
        return JC_TYPE_ERROR;
    }
    jc_node *argument = call->as.call.arguments.first;
    jc_node *event = argument_event(r, argument);
    if (!event) {
        if (argument->kind == JC_NODE_NAME || (argument->kind == JC_NODE_MEMBER &&
                                               argument->as.member.object->kind == JC_NODE_NAME)) {
            jc_ref ref = argument->kind == JC_NODE_NAME ? argument->as.name.ref
                                                        : argument->as.member.object->as.name.ref;
            resolve_ref(r, &ref, JC_NODE_EVENT);
        } else {
            jc_error(r->diagnostics, argument->span, "%s(...) takes an event%s, as in %s", function,
                     is_count ? "" : " field", is_count ? "count(page_viewed in last 7d)"
                                                        : "sum(order_completed.revenue in last 30d)");
        }
        return JC_TYPE_ERROR;
    }
    if (!context->aggregates) {
        jc_error(r->diagnostics, call->span,
                 "%s(...) cannot be used here: aggregates are not available in score rules or inside another aggregate",
                 function);
        return JC_TYPE_ERROR;
    }
    call->as.call.event = event;
    argument->type = JC_TYPE_VOID;
    if (is_count) {
        if (argument->kind != JC_NODE_NAME) {
            jc_error(r->diagnostics, argument->span, "count(...) counts events: write count(%s), not a field",
                     event->as.event.name->text);
            return JC_TYPE_ERROR;
        }
    } else {
        if (argument->kind != JC_NODE_MEMBER) {
            jc_error(r->diagnostics, argument->span, "%s(...) needs a number field, as in %s(%s.%s)", function,
                     function, event->as.event.name->text,
                     event->as.event.fields.first ? event->as.event.fields.first->as.field.name->text : "value");
            return JC_TYPE_ERROR;
        }
        jc_node *field = field_of(event, argument->as.member.member);
        if (!field) {
            unknown_field(r, event, argument->as.member.member, argument->as.member.member_span);
            return JC_TYPE_ERROR;
        }
        if (field->as.field.type != JC_TYPE_NUMBER) {
            jc_error(r->diagnostics, argument->as.member.member_span, "%s(...) needs a number field, and '%s' is %s %s",
                     function, field->as.field.name->text, article(jc_type_name(field->as.field.type)),
                     jc_type_name(field->as.field.type));
            return JC_TYPE_ERROR;
        }
        call->as.call.event_field = field;
        argument->as.member.field = field;
        argument->as.member.meaning = JC_MEANING_FIELD;
    }
    if (call->as.call.where) {
        /* The segment being defined stays in view: its filter may not depend on it. */
        expression_context inner = { event, false, false, context->segment };
        check_expression_type(r, call->as.call.where, JC_TYPE_BOOL, &inner, "an aggregate's 'where'");
    }
    if (call->as.call.window)
        check_duration_range(r, call->as.call.window, WINDOW_MIN_SECONDS, WINDOW_MAX_SECONDS, "the window of an aggregate");
    call->as.call.is_aggregate = true;
    call->as.call.builtin = -1;
    return JC_TYPE_NUMBER;
}

static jc_type check_call(resolver *r, jc_node *call, const expression_context *context)
{
    jc_name *name = call->as.call.callee.name;
    if (!name) return JC_TYPE_ERROR;
    call->as.call.builtin = -1;
    /* min and max are also builtins of two numbers; count, sum and avg are only aggregates. */
    if (is_aggregate_name(name) &&
        (call->as.call.is_aggregate || !is_builtin_name(name) ||
         (call->as.call.arguments.count == 1 && argument_event(r, call->as.call.arguments.first))))
        return check_aggregate(r, call, context);
    if (call->as.call.is_aggregate) {
        jc_error(r->diagnostics, call->as.call.callee.span,
                 "'where' and 'in last' go with count, sum, avg, min and max, not with '%s'", name->text);
        return JC_TYPE_ERROR;
    }
    uint32_t given = call->as.call.arguments.count;
    const char *parameters = NULL;
    jc_type result = JC_TYPE_ERROR;
    jc_node *extern_decl = NULL;
    int builtin = builtin_index(name, given);
    if (builtin >= 0) {
        call->as.call.builtin = builtin;
        parameters = builtins[builtin].parameters;
        result = type_of_letter(builtins[builtin].result[0]);
    }
    if (!parameters) {
        jc_node *decl = lookup_global(r, name);
        if (decl && decl->kind == JC_NODE_EXTERN) {
            extern_decl = decl;
            call->as.call.callee.decl = decl;
            result = decl->as.extern_function.result;
        } else if (decl) {
            const char *found = kind_word(decl->kind);
            jc_error(r->diagnostics, call->as.call.callee.span, "'%s' is %s %s, not a function", name->text,
                     article(found), found);
            note_declared_here(r, decl);
            return JC_TYPE_ERROR;
        } else {
            jc_error(r->diagnostics, call->as.call.callee.span, "unknown function '%s'", name->text);
            suggestion s = suggestion_for(name);
            for (int i = 0; i < BUILTIN_COUNT; i++)
                consider(&s, builtins[i].name, (uint32_t)strlen(builtins[i].name), NULL);
            consider_globals(r, &s, KIND_BIT(EXTERN));
            suggest(r, &s, call->as.call.callee.span);
            for (jc_node *argument = call->as.call.arguments.first; argument; argument = argument->next)
                check_expression(r, argument, context);
            return JC_TYPE_ERROR;
        }
    }
    uint32_t wanted = extern_decl ? extern_decl->as.extern_function.parameters.count : (uint32_t)strlen(parameters);
    if (given != wanted) {
        char counts[32];
        if (extern_decl) snprintf(counts, sizeof counts, "%u", wanted);
        else builtin_arities(name->text, counts, sizeof counts);
        jc_error(r->diagnostics, call->span, "%s() takes %s argument%s, not %u", name->text, counts,
                 strcmp(counts, "1") == 0 ? "" : "s", given);
        if (extern_decl) note_declared_here(r, extern_decl);
    }
    jc_node *parameter = extern_decl ? extern_decl->as.extern_function.parameters.first : NULL;
    uint32_t index = 0;
    for (jc_node *argument = call->as.call.arguments.first; argument; argument = argument->next, index++) {
        jc_type type = check_expression(r, argument, context);
        jc_type want = JC_TYPE_ERROR;
        if (extern_decl && parameter) {
            want = parameter->as.parameter.type;
            parameter = parameter->next;
        } else if (!extern_decl && index < wanted) {
            want = type_of_letter(parameters[index]);
        }
        if (want != JC_TYPE_ERROR && type != JC_TYPE_ERROR && type != want)
            jc_error(r->diagnostics, argument->span, "argument %u of %s() must be %s %s, not %s %s", index + 1,
                     name->text, article(jc_type_name(want)), jc_type_name(want), article(jc_type_name(type)),
                     jc_type_name(type));
    }
    return result;
}

static bool is_ordered(jc_type type)
{
    return type == JC_TYPE_NUMBER || type == JC_TYPE_STRING || type == JC_TYPE_TIME || type == JC_TYPE_DURATION;
}

static jc_type arithmetic_result(jc_operator op, jc_type left, jc_type right)
{
    switch (op) {
    case JC_OP_ADD:
        if (left == JC_TYPE_NUMBER && right == JC_TYPE_NUMBER) return JC_TYPE_NUMBER;
        if (left == JC_TYPE_STRING && right == JC_TYPE_STRING) return JC_TYPE_STRING;
        if (left == JC_TYPE_TIME && right == JC_TYPE_DURATION) return JC_TYPE_TIME;
        if (left == JC_TYPE_DURATION && right == JC_TYPE_TIME) return JC_TYPE_TIME;
        if (left == JC_TYPE_DURATION && right == JC_TYPE_DURATION) return JC_TYPE_DURATION;
        break;
    case JC_OP_SUBTRACT:
        if (left == JC_TYPE_NUMBER && right == JC_TYPE_NUMBER) return JC_TYPE_NUMBER;
        if (left == JC_TYPE_TIME && right == JC_TYPE_DURATION) return JC_TYPE_TIME;
        if (left == JC_TYPE_TIME && right == JC_TYPE_TIME) return JC_TYPE_DURATION;
        if (left == JC_TYPE_DURATION && right == JC_TYPE_DURATION) return JC_TYPE_DURATION;
        break;
    case JC_OP_MULTIPLY:
        if (left == JC_TYPE_NUMBER && right == JC_TYPE_NUMBER) return JC_TYPE_NUMBER;
        if (left == JC_TYPE_DURATION && right == JC_TYPE_NUMBER) return JC_TYPE_DURATION;
        if (left == JC_TYPE_NUMBER && right == JC_TYPE_DURATION) return JC_TYPE_DURATION;
        break;
    case JC_OP_DIVIDE:
        if (left == JC_TYPE_NUMBER && right == JC_TYPE_NUMBER) return JC_TYPE_NUMBER;
        if (left == JC_TYPE_DURATION && right == JC_TYPE_NUMBER) return JC_TYPE_DURATION;
        if (left == JC_TYPE_DURATION && right == JC_TYPE_DURATION) return JC_TYPE_NUMBER;
        break;
    default: break;
    }
    return JC_TYPE_ERROR;
}

static jc_type check_binary(resolver *r, jc_node *expression, const expression_context *context)
{
    jc_operator op = expression->as.binary.op;
    jc_node *left_node = expression->as.binary.left, *right_node = expression->as.binary.right;
    jc_type left = check_expression(r, left_node, context);
    jc_type right = check_expression(r, right_node, context);
    if (left == JC_TYPE_ERROR || right == JC_TYPE_ERROR) return op == JC_OP_AND || op == JC_OP_OR ||
                                                                     (op >= JC_OP_EQUAL && op <= JC_OP_MATCHES)
                                                                 ? JC_TYPE_BOOL
                                                                 : JC_TYPE_ERROR;
    const char *spelling = jc_operator_spelling(op);
    switch (op) {
    case JC_OP_AND:
    case JC_OP_OR:
        if (left != JC_TYPE_BOOL || right != JC_TYPE_BOOL) {
            jc_node *bad = left != JC_TYPE_BOOL ? left_node : right_node;
            jc_type type = left != JC_TYPE_BOOL ? left : right;
            jc_error(r->diagnostics, bad->span, "the operands of '%s' must be bool, not %s", spelling,
                     jc_type_name(type));
        }
        return JC_TYPE_BOOL;
    case JC_OP_EQUAL:
    case JC_OP_NOT_EQUAL:
        if (left != right)
            jc_error(r->diagnostics, expression->as.binary.op_span, "cannot compare %s with %s",
                     jc_type_name(left), jc_type_name(right));
        return JC_TYPE_BOOL;
    case JC_OP_LESS:
    case JC_OP_LESS_EQUAL:
    case JC_OP_GREATER:
    case JC_OP_GREATER_EQUAL:
        if (left != right)
            jc_error(r->diagnostics, expression->as.binary.op_span, "cannot compare %s with %s",
                     jc_type_name(left), jc_type_name(right));
        else if (!is_ordered(left))
            jc_error(r->diagnostics, expression->as.binary.op_span, "'%s' does not order %s values", spelling,
                     jc_type_name(left));
        return JC_TYPE_BOOL;
    case JC_OP_MATCHES:
        if (left != JC_TYPE_STRING || right != JC_TYPE_STRING)
            jc_error(r->diagnostics, expression->as.binary.op_span,
                     "'~' matches a string against a glob pattern string, not %s against %s", jc_type_name(left),
                     jc_type_name(right));
        return JC_TYPE_BOOL;
    case JC_OP_DEFAULT:
        if (left != right) {
            jc_error(r->diagnostics, expression->as.binary.op_span,
                     "both sides of '?\?' must have the same type, not %s and %s", jc_type_name(left),
                     jc_type_name(right));
            return JC_TYPE_ERROR;
        }
        return left;
    default: {
        jc_type result = arithmetic_result(op, left, right);
        if (result == JC_TYPE_ERROR)
            jc_error(r->diagnostics, expression->as.binary.op_span, "cannot apply '%s' to %s and %s", spelling,
                     jc_type_name(left), jc_type_name(right));
        return result;
    }
    }
}

static jc_type check_expression_kind(resolver *r, jc_node *expression, const expression_context *context);

static jc_type check_expression(resolver *r, jc_node *expression, const expression_context *context)
{
    if (!expression) return JC_TYPE_ERROR;
    if (r->expression_depth == EXPRESSION_MAX_DEPTH) {
        r->expression_too_deep = true; /* reported once, at the outermost expression */
        return JC_TYPE_ERROR;
    }
    r->expression_depth++;
    jc_type type = check_expression_kind(r, expression, context);
    r->expression_depth--;
    if (r->expression_depth == 0 && r->expression_too_deep) {
        r->expression_too_deep = false;
        jc_error(r->diagnostics, expression->span, "expression nested more than %d deep: split it with 'let' or a segment",
                 EXPRESSION_MAX_DEPTH);
        type = JC_TYPE_ERROR;
    }
    expression->type = type;
    return type;
}

static jc_type check_expression_kind(resolver *r, jc_node *expression, const expression_context *context)
{
    jc_type type = JC_TYPE_ERROR;
    switch (expression->kind) {
    case JC_NODE_NUMBER: type = JC_TYPE_NUMBER; break;
    case JC_NODE_PERCENT: type = JC_TYPE_NUMBER; break;
    case JC_NODE_DURATION: type = JC_TYPE_DURATION; break;
    case JC_NODE_BOOLEAN: type = JC_TYPE_BOOL; break;
    case JC_NODE_STRING: type = JC_TYPE_STRING; break;
    case JC_NODE_NOW: type = JC_TYPE_TIME; break;
    case JC_NODE_INTERPOLATION:
        for (jc_node *part = expression->as.interpolation.parts.first; part; part = part->next)
            check_expression(r, part, context);
        type = JC_TYPE_STRING;
        break;
    case JC_NODE_CONTACT:
        jc_error(r->diagnostics, expression->span, "'contact' is not a value: use contact.id or contact.ATTRIBUTE");
        break;
    case JC_NODE_NAME: type = check_name(r, expression, context); break;
    case JC_NODE_MEMBER: type = check_member(r, expression, context); break;
    case JC_NODE_CALL: type = check_call(r, expression, context); break;
    case JC_NODE_UNARY: {
        jc_type operand = check_expression(r, expression->as.unary.operand, context);
        if (expression->as.unary.op == JC_OP_NOT) {
            if (operand != JC_TYPE_BOOL && operand != JC_TYPE_ERROR)
                jc_error(r->diagnostics, expression->as.unary.operand->span, "'not' needs a bool, not %s",
                         jc_type_name(operand));
            type = JC_TYPE_BOOL;
        } else {
            if (operand != JC_TYPE_NUMBER && operand != JC_TYPE_DURATION && operand != JC_TYPE_ERROR)
                jc_error(r->diagnostics, expression->span, "cannot negate %s %s", article(jc_type_name(operand)),
                         jc_type_name(operand));
            else type = operand;
        }
        break;
    }
    case JC_NODE_BINARY: type = check_binary(r, expression, context); break;
    case JC_NODE_IN: {
        jc_type operand = check_expression(r, expression->as.in.operand, context);
        for (jc_node *candidate = expression->as.in.candidates.first; candidate; candidate = candidate->next) {
            jc_type candidate_type = check_expression(r, candidate, context);
            if (operand != JC_TYPE_ERROR && candidate_type != JC_TYPE_ERROR && candidate_type != operand)
                jc_error(r->diagnostics, candidate->span, "list item is %s %s, but the value tested is %s %s",
                         article(jc_type_name(candidate_type)), jc_type_name(candidate_type),
                         article(jc_type_name(operand)), jc_type_name(operand));
        }
        type = JC_TYPE_BOOL;
        break;
    }
    default:
        jc_error(r->diagnostics, expression->span, "%s is not an expression", jc_node_kind_name(expression->kind));
        break;
    }
    expression->type = type;
    return type;
}

static bool check_expression_type(resolver *r, jc_node *expression, jc_type want,
                                  const expression_context *context, const char *what)
{
    jc_type type = check_expression(r, expression, context);
    if (type == JC_TYPE_ERROR || type == want) return type == want;
    jc_error(r->diagnostics, expression->span, "%s must be %s %s, not %s %s", what, article(jc_type_name(want)),
             jc_type_name(want), article(jc_type_name(type)), jc_type_name(type));
    return false;
}

/* Reports a key given twice in a payload. */
static bool check_duplicate_key(resolver *r, const jc_list *pairs, const jc_node *pair)
{
    for (const jc_node *earlier = pairs->first; earlier != pair; earlier = earlier->next)
        if (earlier->as.pair.key == pair->as.pair.key) {
            jc_error(r->diagnostics, pair->as.pair.key_span, "duplicate key '%s'", pair->as.pair.key->text);
            jc_note(r->diagnostics, earlier->as.pair.key_span, "'%s' is first given here", pair->as.pair.key->text);
            return true;
        }
    return false;
}

/* Keys of a payload are unique; values are checked in the given context. */
static void check_payload(resolver *r, jc_list *pairs, const expression_context *context, const jc_node *event)
{
    for (jc_node *pair = pairs->first; pair; pair = pair->next) {
        check_duplicate_key(r, pairs, pair);
        jc_type type = check_expression(r, pair->as.pair.value, context);
        if (event) {
            jc_node *field = field_of(event, pair->as.pair.key);
            if (!field) unknown_field(r, event, pair->as.pair.key, pair->as.pair.key_span);
            else if (type != JC_TYPE_ERROR && type != field->as.field.type)
                jc_error(r->diagnostics, pair->as.pair.value->span, "field '%s' of event '%s' is %s %s, not %s %s",
                         field->as.field.name->text, event->as.event.name->text,
                         article(jc_type_name(field->as.field.type)), jc_type_name(field->as.field.type),
                         article(jc_type_name(type)), jc_type_name(type));
        }
    }
}

/* ---- declarations -------------------------------------------------------------- */

static bool is_literal_of(const jc_node *expression, jc_type type)
{
    switch (expression->kind) {
    case JC_NODE_NUMBER: case JC_NODE_PERCENT: return type == JC_TYPE_NUMBER;
    case JC_NODE_STRING: return type == JC_TYPE_STRING;
    case JC_NODE_BOOLEAN: return type == JC_TYPE_BOOL;
    case JC_NODE_DURATION: return type == JC_TYPE_DURATION;
    case JC_NODE_UNARY: /* only numbers and durations have a sign */
        return expression->as.unary.op == JC_OP_NEGATE && (type == JC_TYPE_NUMBER || type == JC_TYPE_DURATION) &&
               is_literal_of(expression->as.unary.operand, type);
    default: return false;
    }
}

static void check_attribute(resolver *r, jc_node *decl)
{
    jc_node *initial = decl->as.attribute.initial;
    if (!initial) return;
    if (decl->as.attribute.type == JC_TYPE_TIME) {
        jc_error(r->diagnostics, initial->span, "a time attribute cannot have a default value");
        return;
    }
    if (!is_literal_of(initial, decl->as.attribute.type)) {
        expression_context context = { 0 };
        jc_type type = check_expression(r, initial, &context);
        if (type != JC_TYPE_ERROR && type != decl->as.attribute.type)
            jc_error(r->diagnostics, initial->span, "default of attribute '%s' must be %s %s, not %s %s",
                     decl->as.attribute.name->text, article(jc_type_name(decl->as.attribute.type)),
                     jc_type_name(decl->as.attribute.type), article(jc_type_name(type)), jc_type_name(type));
        else if (type != JC_TYPE_ERROR)
            jc_error(r->diagnostics, initial->span, "the default of an attribute must be a literal value");
        return;
    }
    initial->type = decl->as.attribute.type;
}

static void check_event(resolver *r, jc_node *decl)
{
    uint32_t index = 0;
    for (jc_node *field = decl->as.event.fields.first; field; field = field->next) {
        field->as.field.index = index++;
        for (jc_node *earlier = decl->as.event.fields.first; earlier != field; earlier = earlier->next)
            if (earlier->as.field.name == field->as.field.name) {
                jc_error(r->diagnostics, field->as.field.name_span, "duplicate field '%s' in event '%s'",
                         field->as.field.name->text, decl->as.event.name->text);
                jc_note(r->diagnostics, earlier->as.field.name_span, "'%s' is first declared here",
                        field->as.field.name->text);
                break;
            }
    }
    if (decl->as.event.has_external && decl->as.event.external.length == 0)
        jc_error(r->diagnostics, decl->span, "the external name of event '%s' is empty", decl->as.event.name->text);
}

static void check_score(resolver *r, jc_node *decl)
{
    jc_node *decay = NULL;
    for (jc_node *item = decl->as.score.rules.first; item; item = item->next) {
        if (item->kind == JC_NODE_SCORE_DECAY) {
            if (decay) {
                jc_error(r->diagnostics, item->span, "score '%s' has more than one 'decay'", decl->as.score.name->text);
                jc_note(r->diagnostics, decay->span, "the first 'decay' is here");
            }
            decay = item;
            double percent = item->as.score_decay.percent;
            if (!(percent > 0 && percent < 100))
                jc_error(r->diagnostics, item->as.score_decay.percent_span,
                         "decay must be more than 0%% and less than 100%%");
            check_duration_range(r, item->as.score_decay.period, 1, WINDOW_MAX_SECONDS * 10LL, "the decay period");
            continue;
        }
        jc_node *event = resolve_ref(r, &item->as.score_rule.event, JC_NODE_EVENT);
        if (item->as.score_rule.delta == 0)
            jc_warning(r->diagnostics, item->as.score_rule.delta_span, "a score rule of +0 does nothing");
        if (item->as.score_rule.where && event) {
            expression_context context = { event, false, false, NULL };
            check_expression_type(r, item->as.score_rule.where, JC_TYPE_BOOL, &context, "a 'where' condition");
        }
    }
}

static void check_segment(resolver *r, jc_node *decl)
{
    expression_context context = { NULL, false, true, decl };
    check_expression_type(r, decl->as.segment.condition, JC_TYPE_BOOL, &context, "a segment's condition");
}

/* Segments that depend on themselves: a depth-first search over the segment -> segment
 * references, each segment visited once, so the time is linear in their number. A
 * reference back to a segment on the current path closes a cycle, reported once, at the
 * reference that leaves the first segment of the cycle. */
enum { SEGMENT_UNVISITED, SEGMENT_ON_PATH, SEGMENT_DONE };

typedef struct segment_index {
    const jc_node *segment;
    uint32_t number; /* in declaration order */
} segment_index;

static int compare_addresses(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const segment_index *)a)->segment;
    uintptr_t y = (uintptr_t)((const segment_index *)b)->segment;
    return x < y ? -1 : x > y;
}

/* The number of a segment, or count when it is not one of them. */
static uint32_t segment_number(const segment_index *by_address, uint32_t count, const jc_node *segment)
{
    segment_index key = { segment, 0 };
    const segment_index *found = bsearch(&key, by_address, count, sizeof key, compare_addresses);
    return found ? found->number : count;
}

static int compare_edges(const void *a, const void *b)
{
    const segment_edge *x = a, *y = b;
    if (x->from != y->from) return (uintptr_t)x->from < (uintptr_t)y->from ? -1 : 1;
    return x->span.begin < y->span.begin ? -1 : x->span.begin > y->span.begin;
}

static void report_cycle(resolver *r, const uint32_t *path_edges, uint32_t length)
{
    const segment_edge *first = &r->edges[path_edges[0]];
    jc_error(r->diagnostics, first->span, "segment '%s' depends on itself", first->from->as.segment.name->text);
    if (length == 1) return; /* it names itself: the error says it all */
    for (uint32_t i = 0; i < length; i++) {
        const segment_edge *edge = &r->edges[path_edges[i]];
        jc_note(r->diagnostics, edge->span, "'%s' uses '%s' here", edge->from->as.segment.name->text,
                edge->to->as.segment.name->text);
    }
}

static void check_segment_cycles(resolver *r, jc_list *declarations)
{
    if (r->edge_count == 0) return;
    uint32_t count = 0;
    for (jc_node *decl = declarations->first; decl; decl = decl->next)
        if (decl->kind == JC_NODE_SEGMENT) count++;
    /* Edges grouped by their source segment, in source order. */
    qsort(r->edges, r->edge_count, sizeof *r->edges, compare_edges);
    jc_node **segments = malloc(sizeof *segments * count);
    segment_index *by_address = malloc(sizeof *by_address * count);
    uint32_t *first_edge = malloc(sizeof *first_edge * (count + 1));
    unsigned char *state = calloc(count, 1);
    uint32_t *path = malloc(sizeof *path * count);       /* segments on the current path */
    uint32_t *next_edge = malloc(sizeof *next_edge * count);
    uint32_t *path_edges = malloc(sizeof *path_edges * count);
    if (!segments || !by_address || !first_edge || !state || !path || !next_edge || !path_edges) {
        r->out_of_memory = true;
        goto done;
    }
    count = 0;
    for (jc_node *decl = declarations->first; decl; decl = decl->next)
        if (decl->kind == JC_NODE_SEGMENT) {
            by_address[count] = (segment_index){ decl, count };
            segments[count++] = decl;
        }
    qsort(by_address, count, sizeof *by_address, compare_addresses);
    /* first_edge[i]: the first of the edges leaving segment i (they are adjacent). */
    for (uint32_t i = 0; i <= count; i++) first_edge[i] = r->edge_count;
    for (uint32_t e = r->edge_count; e-- > 0;) {
        uint32_t from = segment_number(by_address, count, r->edges[e].from);
        if (from < count) first_edge[from] = e;
    }
    for (uint32_t start = 0; start < count; start++) {
        if (state[start] != SEGMENT_UNVISITED) continue;
        uint32_t depth = 0;
        path[0] = start;
        next_edge[0] = first_edge[start];
        state[start] = SEGMENT_ON_PATH;
        for (;;) {
            uint32_t at = path[depth];
            uint32_t e = next_edge[depth];
            if (e < r->edge_count && r->edges[e].from == segments[at]) {
                next_edge[depth] = e + 1;
                uint32_t to = segment_number(by_address, count, r->edges[e].to);
                if (to >= count || state[to] == SEGMENT_DONE) continue;
                path_edges[depth] = e;
                if (state[to] == SEGMENT_ON_PATH) {
                    uint32_t from_depth = depth;
                    while (path[from_depth] != to) from_depth--;
                    report_cycle(r, path_edges + from_depth, depth - from_depth + 1);
                    continue;
                }
                depth++;
                path[depth] = to;
                next_edge[depth] = first_edge[to];
                state[to] = SEGMENT_ON_PATH;
                continue;
            }
            state[at] = SEGMENT_DONE;
            if (depth == 0) break;
            depth--;
        }
    }
done:
    free(segments);
    free(by_address);
    free(first_edge);
    free(state);
    free(path);
    free(next_edge);
    free(path_edges);
}

static void check_limit(resolver *r, jc_node *decl)
{
    resolve_ref(r, &decl->as.limit.channel, JC_NODE_CHANNEL);
    double count = decl->as.limit.count;
    if (count != floor(count) || count < 1 || count > LIMIT_MAX_COUNT)
        jc_error(r->diagnostics, decl->as.limit.count_span, "a limit must be a whole number from 1 to %d",
                 LIMIT_MAX_COUNT);
    check_duration_range(r, decl->as.limit.period, 1, WINDOW_MAX_SECONDS, "the period of a limit");
}

static void check_quiet_hours(resolver *r, jc_node *decl, jc_node **global_quiet)
{
    if (decl->as.quiet_hours.from == decl->as.quiet_hours.to)
        jc_error(r->diagnostics, decl->as.quiet_hours.to_span, "quiet hours must not start and end at the same time");
    if (!decl->as.quiet_hours.channels.count) {
        if (*global_quiet) {
            jc_error(r->diagnostics, decl->span, "quiet hours are declared twice");
            jc_note(r->diagnostics, (*global_quiet)->span, "the first declaration is here");
        }
        *global_quiet = decl;
    }
    for (jc_node *channel = decl->as.quiet_hours.channels.first; channel; channel = channel->next) {
        jc_node *resolved = resolve_ref(r, &channel->as.name.ref, JC_NODE_CHANNEL);
        if (!resolved) continue;
        /* One window per channel: a second would leave it unclear which applies. */
        for (jc_node *other = r->compiler->declarations.first; other && other != decl; other = other->next) {
            if (other->kind != JC_NODE_QUIET_HOURS) continue;
            for (jc_node *earlier = other->as.quiet_hours.channels.first; earlier; earlier = earlier->next)
                if (earlier->as.name.ref.decl == resolved) {
                    jc_error(r->diagnostics, channel->span, "quiet hours for channel '%s' are declared twice",
                             channel->as.name.ref.name->text);
                    jc_note(r->diagnostics, earlier->span, "the first declaration for '%s' is here",
                            channel->as.name.ref.name->text);
                }
        }
    }
}

static void check_message(resolver *r, jc_node *decl)
{
    resolve_ref(r, &decl->as.message.channel, JC_NODE_CHANNEL);
    if (decl->as.message.template_name.length == 0)
        jc_error(r->diagnostics, decl->span, "message '%s' has an empty template name", decl->as.message.name->text);
    expression_context context = { NULL, false, true, NULL };
    check_payload(r, &decl->as.message.fields, &context, NULL);
}

static void check_extern(resolver *r, jc_node *decl)
{
    if (is_builtin_name(decl->as.extern_function.name))
        jc_error(r->diagnostics, decl->as.extern_function.name_span,
                 "extern function '%s' has the name of a built-in function; give it another name",
                 decl->as.extern_function.name->text);
    if (decl->as.extern_function.library.length == 0)
        jc_error(r->diagnostics, decl->span, "extern function '%s' names no library",
                 decl->as.extern_function.name->text);
    for (jc_node *parameter = decl->as.extern_function.parameters.first; parameter; parameter = parameter->next) {
        jc_type type = parameter->as.parameter.type;
        if (type != JC_TYPE_NUMBER && type != JC_TYPE_STRING && type != JC_TYPE_BOOL)
            jc_error(r->diagnostics, parameter->span, "extern parameters are number, string or bool, not %s",
                     jc_type_name(type));
        for (jc_node *earlier = decl->as.extern_function.parameters.first; earlier != parameter;
             earlier = earlier->next)
            if (earlier->as.parameter.name == parameter->as.parameter.name) {
                jc_error(r->diagnostics, parameter->as.parameter.name_span, "duplicate parameter '%s'",
                         parameter->as.parameter.name->text);
                jc_note(r->diagnostics, earlier->as.parameter.name_span, "'%s' is first declared here",
                        parameter->as.parameter.name->text);
                break;
            }
    }
    jc_type result = decl->as.extern_function.result;
    if (result != JC_TYPE_NUMBER && result != JC_TYPE_STRING && result != JC_TYPE_BOOL)
        jc_error(r->diagnostics, decl->as.extern_function.result_span,
                 "extern functions return number, string or bool, not %s", jc_type_name(result));
}

/* ---- journeys -------------------------------------------------------------------- */

static bool is_clause(const jc_node *item)
{
    switch (item->kind) {
    case JC_NODE_ENTRY: case JC_NODE_REENTRY: case JC_NODE_EXIT_ON: case JC_NODE_GOAL: case JC_NODE_HOLDOUT:
        return true;
    default:
        return false;
    }
}

static const char *clause_word(const jc_node *clause)
{
    switch (clause->kind) {
    case JC_NODE_ENTRY: return "entry";
    case JC_NODE_REENTRY: return "reentry";
    case JC_NODE_EXIT_ON: return "exit on";
    case JC_NODE_GOAL: return "goal";
    case JC_NODE_HOLDOUT: return "holdout";
    default: return "clause";
    }
}

/* Does every path through the statement wait (or end the journey)? */
static bool always_waits(const jc_node *statement);

static bool list_always_waits(const jc_list *statements)
{
    for (const jc_node *statement = statements->first; statement; statement = statement->next)
        if (always_waits(statement)) return true;
    return false;
}

static bool always_waits(const jc_node *statement)
{
    if (!statement) return false;
    switch (statement->kind) {
    case JC_NODE_WAIT: case JC_NODE_WAIT_UNTIL: case JC_NODE_WAIT_FOR: case JC_NODE_SELECT: case JC_NODE_EXIT:
        return true;
    case JC_NODE_BLOCK: return list_always_waits(&statement->as.block.statements);
    case JC_NODE_STEP: return always_waits(statement->as.step.body);
    case JC_NODE_IF:
        return statement->as.if_statement.else_branch && always_waits(statement->as.if_statement.then_branch) &&
               always_waits(statement->as.if_statement.else_branch);
    case JC_NODE_SPLIT:
        if (!statement->as.split.arms.count) return false;
        for (const jc_node *arm = statement->as.split.arms.first; arm; arm = arm->next)
            if (!always_waits(arm->as.split_arm.body)) return false;
        return true;
    case JC_NODE_REPEAT: {
        const jc_node *count = statement->as.repeat.count;
        return count && count->kind == JC_NODE_NUMBER && count->as.number.value >= 1 &&
               always_waits(statement->as.repeat.body);
    }
    default:
        return false;
    }
}

typedef struct journey_state {
    jc_node *entry_with_binding;
    jc_node *first_entry;
    jc_node *reentry;
    jc_node *goal;
    jc_node *holdout;
    uint32_t entry_count;
} journey_state;

static bool check_statements(resolver *r, jc_list *items, journey_state *state, bool top_level);

static bool check_block(resolver *r, jc_node *block, journey_state *state)
{
    if (!block) return true;
    uint32_t mark = r->scope_count;
    bool falls_through = check_statements(r, &block->as.block.statements, state, false);
    end_scope(r, mark);
    return falls_through;
}

static const expression_context journey_context = { NULL, true, true, NULL };

static void check_clause(resolver *r, jc_node *clause, journey_state *state)
{
    jc_diagnostics *d = r->diagnostics;
    switch (clause->kind) {
    case JC_NODE_ENTRY: {
        state->entry_count++;
        if (!state->first_entry) state->first_entry = clause;
        if (clause->as.entry.is_segment) {
            resolve_ref(r, &clause->as.entry.event, JC_NODE_SEGMENT);
            break;
        }
        jc_node *event = resolve_ref(r, &clause->as.entry.event, JC_NODE_EVENT);
        if (clause->as.entry.where && event) {
            expression_context context = { event, false, true, NULL };
            check_expression_type(r, clause->as.entry.where, JC_TYPE_BOOL, &context, "a 'where' condition");
        }
        if (clause->as.entry.binding) {
            if (!state->entry_with_binding) state->entry_with_binding = clause;
            declare_local(r, clause->as.entry.binding, clause->as.entry.binding_span, clause, JC_TYPE_VOID, NULL);
        }
        break;
    }
    case JC_NODE_REENTRY:
        if (state->reentry) {
            jc_error(d, clause->span, "a journey has at most one 'reentry'");
            jc_note(d, state->reentry->span, "the first 'reentry' is here");
        }
        state->reentry = clause;
        if (clause->as.reentry.after) check_duration_range(r, clause->as.reentry.after, 1, WAIT_MAX_SECONDS, "the reentry delay");
        break;
    case JC_NODE_EXIT_ON: {
        jc_node *event = resolve_ref(r, &clause->as.exit_on.event, JC_NODE_EVENT);
        if (clause->as.exit_on.where && event) {
            expression_context context = { event, true, true, NULL };
            check_expression_type(r, clause->as.exit_on.where, JC_TYPE_BOOL, &context, "a 'where' condition");
        }
        break;
    }
    case JC_NODE_GOAL: {
        if (state->goal) {
            jc_error(d, clause->span, "a journey has at most one 'goal'");
            jc_note(d, state->goal->span, "the first 'goal' is here");
        }
        state->goal = clause;
        jc_node *event = resolve_ref(r, &clause->as.goal.event, JC_NODE_EVENT);
        check_duration_range(r, clause->as.goal.within, 1, WINDOW_MAX_SECONDS, "the window of a goal");
        if (!event) break;
        expression_context context = { event, true, true, NULL };
        if (clause->as.goal.where)
            check_expression_type(r, clause->as.goal.where, JC_TYPE_BOOL, &context, "a 'where' condition");
        if (clause->as.goal.value)
            check_expression_type(r, clause->as.goal.value, JC_TYPE_NUMBER, &context, "a goal's value");
        break;
    }
    case JC_NODE_HOLDOUT:
        if (state->holdout) {
            jc_error(d, clause->span, "a journey has at most one 'holdout'");
            jc_note(d, state->holdout->span, "the first 'holdout' is here");
        }
        state->holdout = clause;
        if (!(clause->as.holdout.percent > 0 && clause->as.holdout.percent < 100))
            jc_error(d, clause->as.holdout.percent_span, "holdout must be more than 0%% and less than 100%%");
        break;
    default: break;
    }
}

static void check_wait_duration(resolver *r, jc_node *duration, const char *what)
{
    if (check_expression_type(r, duration, JC_TYPE_DURATION, &journey_context, what))
        check_duration_range(r, duration, 1, WAIT_MAX_SECONDS, what);
}

static void check_event_wait(resolver *r, jc_ref *event_ref, jc_node *where)
{
    jc_node *event = resolve_ref(r, event_ref, JC_NODE_EVENT);
    if (where && event) {
        expression_context context = { event, true, true, NULL };
        check_expression_type(r, where, JC_TYPE_BOOL, &context, "a 'where' condition");
    }
}

/* Returns whether control can continue after the statement. */
static bool check_statement(resolver *r, jc_node *statement, journey_state *state)
{
    jc_diagnostics *d = r->diagnostics;
    switch (statement->kind) {
    case JC_NODE_SEND: {
        jc_node *message = resolve_ref(r, &statement->as.send.message, JC_NODE_MESSAGE);
        (void)message;
        check_payload(r, &statement->as.send.fields, &journey_context, NULL);
        return true;
    }
    case JC_NODE_WAIT:
        check_wait_duration(r, statement->as.wait.duration, "a wait");
        return true;
    case JC_NODE_WAIT_UNTIL:
        if (!statement->as.wait_until.is_time_of_day)
            check_expression_type(r, statement->as.wait_until.time, JC_TYPE_TIME, &journey_context,
                                  "the target of 'wait until'");
        return true;
    case JC_NODE_WAIT_FOR: {
        check_event_wait(r, &statement->as.wait_for.event, statement->as.wait_for.where);
        bool else_falls_through = true;
        if (statement->as.wait_for.within) check_wait_duration(r, statement->as.wait_for.within, "the 'within' of a wait");
        if (statement->as.wait_for.otherwise) else_falls_through = check_block(r, statement->as.wait_for.otherwise, state);
        if (statement->as.wait_for.binding) {
            /* Declared even when the event is not (uses are then quiet: the event was
             * reported), so no use of it is reported as undeclared too. */
            bool may_time_out = statement->as.wait_for.within && else_falls_through;
            declare_local(r, statement->as.wait_for.binding, statement->as.wait_for.binding_span, statement,
                          JC_TYPE_VOID, may_time_out ? statement : NULL);
        }
        return true;
    }
    case JC_NODE_SELECT: {
        jc_node *after = NULL;
        bool any_falls_through = false;
        if (!statement->as.select.arms.count) {
            if (!has_syntax_error_in(r, statement->span))
                jc_error(d, statement->span, "'select' needs at least one arm: 'on EVENT { ... }' or 'after DURATION { ... }'");
            return true;
        }
        for (jc_node *arm = statement->as.select.arms.first; arm; arm = arm->next) {
            uint32_t mark = r->scope_count;
            if (arm->kind == JC_NODE_SELECT_AFTER) {
                if (after) {
                    jc_error(d, arm->span, "'select' has at most one 'after' arm");
                    jc_note(d, after->span, "the first 'after' arm is here");
                }
                after = arm;
                check_wait_duration(r, arm->as.select_after.duration, "the 'after' of a select");
                any_falls_through |= check_block(r, arm->as.select_after.body, state);
            } else {
                check_event_wait(r, &arm->as.select_on.event, arm->as.select_on.where);
                if (arm->as.select_on.binding)
                    declare_local(r, arm->as.select_on.binding, arm->as.select_on.binding_span, arm, JC_TYPE_VOID, NULL);
                any_falls_through |= check_block(r, arm->as.select_on.body, state);
            }
            end_scope(r, mark);
        }
        return any_falls_through;
    }
    case JC_NODE_IF: {
        check_expression_type(r, statement->as.if_statement.condition, JC_TYPE_BOOL, &journey_context,
                              "the condition of 'if'");
        bool then_falls = check_block(r, statement->as.if_statement.then_branch, state);
        jc_node *otherwise = statement->as.if_statement.else_branch;
        if (!otherwise) return true;
        bool else_falls = otherwise->kind == JC_NODE_IF ? check_statement(r, otherwise, state)
                                                        : check_block(r, otherwise, state);
        return then_falls || else_falls;
    }
    case JC_NODE_SPLIT: {
        if (statement->as.split.name.length == 0)
            jc_error(d, statement->as.split.name_span, "a split needs a name: it keeps each contact in the same arm");
        double total = 0;
        bool any_falls_through = false;
        bool share_reported = false;
        for (jc_node *arm = statement->as.split.arms.first; arm; arm = arm->next) {
            if (!(arm->as.split_arm.percent > 0 && arm->as.split_arm.percent <= 100)) {
                jc_error(d, arm->as.split_arm.percent_span, "a split arm's share must be more than 0%% and at most 100%%");
                share_reported = true;
            }
            total += arm->as.split_arm.percent;
            if (arm->as.split_arm.has_label)
                for (jc_node *earlier = statement->as.split.arms.first; earlier != arm; earlier = earlier->next)
                    if (earlier->as.split_arm.has_label &&
                        strcmp(earlier->as.split_arm.label.bytes, arm->as.split_arm.label.bytes) == 0) {
                        jc_error(d, arm->span, "duplicate split arm label \"%s\"", arm->as.split_arm.label.bytes);
                        jc_note(d, earlier->span, "the first arm labelled \"%s\" is here", arm->as.split_arm.label.bytes);
                        break;
                    }
            any_falls_through |= check_block(r, arm->as.split_arm.body, state);
        }
        if (has_syntax_error_in(r, statement->span) || share_reported) {
            /* an arm that did not parse, or a share already reported, would spoil the sum */
        } else if (!statement->as.split.arms.count)
            jc_error(d, statement->span, "a split needs at least one arm, as in '50%% { ... }'");
        else if (fabs(total - 100) > 1e-9)
            jc_error(d, statement->as.split.name_span, "the shares of split \"%s\" add up to %g%%, not 100%%",
                     statement->as.split.name.bytes, total);
        return any_falls_through || !statement->as.split.arms.count;
    }
    case JC_NODE_SET: {
        jc_ref *target = &statement->as.set.target;
        scope_entry *local = target->name ? lookup_scope(r, target->name) : NULL;
        jc_type value = check_expression(r, statement->as.set.value, &journey_context);
        jc_type want = JC_TYPE_ERROR;
        if (local && local->decl->kind == JC_NODE_LET && !local->unavailable) {
            target->decl = local->decl;
            want = local->type;
        } else if (local) {
            jc_error(d, target->span, "'%s' is an event binding and cannot be changed", target->name->text);
        } else {
            jc_node *decl = lookup_global(r, target->name);
            if (decl && decl->kind == JC_NODE_ATTRIBUTE) {
                target->decl = decl;
                want = decl->as.attribute.type;
            } else if (decl) {
                const char *found = kind_word(decl->kind);
                jc_error(d, target->span, "cannot set '%s': it is %s %s; 'set' changes attributes and locals",
                         target->name->text, article(found), found);
                note_declared_here(r, decl);
            } else if (!report_out_of_scope(r, target->name, target->span)) {
                resolve_ref(r, target, JC_NODE_ATTRIBUTE);
            }
        }
        if (want != JC_TYPE_ERROR && value != JC_TYPE_ERROR && want != value)
            jc_error(d, statement->as.set.value->span, "'%s' is %s %s and cannot be set to %s %s", target->name->text,
                     article(jc_type_name(want)), jc_type_name(want), article(jc_type_name(value)), jc_type_name(value));
        return true;
    }
    case JC_NODE_LET: {
        jc_type type = check_expression(r, statement->as.let.value, &journey_context);
        declare_local(r, statement->as.let.name, statement->as.let.name_span, statement, type, NULL);
        return true;
    }
    case JC_NODE_AUDIENCE:
        if (statement->as.audience.name.length == 0)
            jc_error(d, statement->as.audience.name_span, "an audience needs a name");
        return true;
    case JC_NODE_EMIT:
        check_payload(r, &statement->as.emit.fields, &journey_context, NULL);
        return true;
    case JC_NODE_TRACK: {
        jc_node *event = resolve_ref(r, &statement->as.track.event, JC_NODE_EVENT);
        check_payload(r, &statement->as.track.fields, &journey_context, event);
        return true;
    }
    case JC_NODE_STEP: {
        if (statement->as.step.label.length == 0)
            jc_error(d, statement->as.step.label_span, "a step needs a label");
        for (uint32_t i = 0; i < r->step_count; i++)
            if (strcmp(r->steps[i]->as.step.label.bytes, statement->as.step.label.bytes) == 0) {
                jc_error(d, statement->as.step.label_span, "duplicate step \"%s\" in journey '%s'",
                         statement->as.step.label.bytes, r->journey->as.journey.name->text);
                jc_note(d, r->steps[i]->as.step.label_span, "the first step \"%s\" is here",
                        statement->as.step.label.bytes);
                break;
            }
        if (grow(r, (void **)&r->steps, &r->step_capacity, r->step_count, sizeof *r->steps))
            r->steps[r->step_count++] = statement;
        return check_block(r, statement->as.step.body, state);
    }
    case JC_NODE_REPEAT: {
        jc_node *count = statement->as.repeat.count;
        if (check_expression_type(r, count, JC_TYPE_NUMBER, &journey_context, "the count of 'repeat'") &&
            count->kind == JC_NODE_NUMBER) {
            double n = count->as.number.value;
            if (n != floor(n) || n < 0 || n > REPEAT_MAX_COUNT)
                jc_error(d, count->span, "repeat count must be a whole number from 0 to %d", REPEAT_MAX_COUNT);
        }
        check_block(r, statement->as.repeat.body, state);
        return true;
    }
    case JC_NODE_WHILE:
        check_expression_type(r, statement->as.while_loop.condition, JC_TYPE_BOOL, &journey_context,
                              "the condition of 'while'");
        check_block(r, statement->as.while_loop.body, state);
        if (!always_waits(statement->as.while_loop.body)) {
            jc_error(d, statement->as.while_loop.condition->span,
                     "this loop can repeat without waiting: every pass through a 'while' must wait");
            jc_note(d, statement->as.while_loop.body->span,
                    "add a 'wait' on every path of the body, or bound the loop with 'repeat N'");
        }
        return true;
    case JC_NODE_EXIT:
        return false;
    default:
        jc_error(d, statement->span, "%s is not a statement", jc_node_kind_name(statement->kind));
        return true;
    }
}

static bool check_statements(resolver *r, jc_list *items, journey_state *state, bool top_level)
{
    bool falls_through = true;
    bool warned_unreachable = false;
    const jc_node *first_statement = NULL;
    const jc_node *ended_by = NULL;
    for (jc_node *item = items->first; item; item = item->next) {
        if (is_clause(item)) {
            if (!top_level) {
                jc_error(r->diagnostics, item->span, "'%s' is a journey clause: it belongs at the top of the journey, not in a block",
                         clause_word(item));
            } else if (first_statement) {
                jc_error(r->diagnostics, item->span, "'%s' must come before the journey's first statement",
                         clause_word(item));
                jc_note(r->diagnostics, first_statement->span, "the first statement is here");
            }
            check_clause(r, item, state);
            continue;
        }
        if (!first_statement) first_statement = item;
        if (!falls_through && !warned_unreachable) {
            if (ended_by && ended_by->kind == JC_NODE_EXIT)
                jc_warning(r->diagnostics, item->span, "unreachable code after 'exit'");
            else
                jc_warning(r->diagnostics, item->span, "unreachable code: every path before it ends with 'exit'");
            if (ended_by) jc_note(r->diagnostics, ended_by->span, "the journey ends here");
            warned_unreachable = true;
        }
        bool continues = check_statement(r, item, state);
        if (falls_through && !continues) ended_by = item;
        falls_through = falls_through && continues;
    }
    return falls_through;
}

static void check_journey(resolver *r, jc_node *journey)
{
    r->journey = journey;
    r->scope_count = 0;
    r->ended_count = 0;
    r->step_count = 0;
    journey_state state = { 0 };
    check_statements(r, &journey->as.journey.items, &state, true);
    if (state.entry_count == 0 && !has_syntax_error_in(r, journey->span))
        jc_error(r->diagnostics, journey->as.journey.name_span, "journey '%s' has no entry: add 'entry EVENT'",
                 journey->as.journey.name->text);
    if (state.entry_with_binding && state.entry_count > 1) {
        jc_error(r->diagnostics, state.entry_with_binding->as.entry.binding_span,
                 "an entry binding needs a journey with a single 'entry'");
        jc_note(r->diagnostics, journey->as.journey.name_span, "journey '%s' has %u entries",
                journey->as.journey.name->text, state.entry_count);
    }
    r->journey = NULL;
}

/* ---- tests (spec/testing.md) ------------------------------------------------------ */

/* Is this a value a test may give: a literal, or a time relative to the test's clock
 * (now, now + D, now - D)? A time may also be a string, read as ISO-8601 by `journey
 * test`. Returns its type, or JC_TYPE_ERROR when it is none of these. */
static jc_type test_constant_type(jc_node *value, jc_type want)
{
    if (value->kind == JC_NODE_STRING && want == JC_TYPE_TIME) return JC_TYPE_TIME;
    if (value->kind == JC_NODE_NOW) return JC_TYPE_TIME;
    if (value->kind == JC_NODE_BINARY && value->as.binary.left->kind == JC_NODE_NOW &&
        (value->as.binary.op == JC_OP_ADD || value->as.binary.op == JC_OP_SUBTRACT) &&
        is_literal_of(value->as.binary.right, JC_TYPE_DURATION))
        return JC_TYPE_TIME;
    static const jc_type literal_types[] = { JC_TYPE_NUMBER, JC_TYPE_STRING, JC_TYPE_BOOL, JC_TYPE_DURATION };
    for (size_t i = 0; i < sizeof literal_types / sizeof *literal_types; i++)
        if (is_literal_of(value, literal_types[i])) return literal_types[i];
    return JC_TYPE_ERROR;
}

/* Checks a value of a test; want is the type it must have, or JC_TYPE_ERROR for any.
 * what names the place for messages ("trait 'plan'"). */
static jc_type check_test_value(resolver *r, jc_node *value, jc_type want, const char *what)
{
    if (!value) return JC_TYPE_ERROR;
    jc_type type = test_constant_type(value, want);
    if (type == JC_TYPE_ERROR) {
        jc_error(r->diagnostics, value->span,
                 "a value in a test must be a literal (5, \"pro\", true, 3d) or a time (now, now + 1d, "
                 "\"2026-03-02T09:00:00Z\")");
        return JC_TYPE_ERROR;
    }
    value->type = type;
    if (want != JC_TYPE_ERROR && type != want) {
        jc_error(r->diagnostics, value->span, "%s is %s %s, not %s %s", what, article(jc_type_name(want)),
                 jc_type_name(want), article(jc_type_name(type)), jc_type_name(type));
        return JC_TYPE_ERROR;
    }
    return type;
}

/* The fields of a test's event, or of an expected track action: each a field of the
 * event, with a value of its type. Without an event (send, emit) any key goes. */
static void check_test_fields(resolver *r, jc_list *pairs, const jc_node *event)
{
    char what[160];
    for (jc_node *pair = pairs->first; pair; pair = pair->next) {
        check_duplicate_key(r, pairs, pair);
        jc_node *field = event ? field_of(event, pair->as.pair.key) : NULL;
        if (event && !field) unknown_field(r, event, pair->as.pair.key, pair->as.pair.key_span);
        snprintf(what, sizeof what, "field '%s' of event '%s'", pair->as.pair.key->text,
                 event ? event->as.event.name->text : "");
        check_test_value(r, pair->as.pair.value, field ? field->as.field.type : JC_TYPE_ERROR, what);
    }
}

/* The traits of an identify: each a declared attribute, with a value of its type. */
static void check_traits(resolver *r, jc_list *pairs)
{
    char what[160];
    for (jc_node *pair = pairs->first; pair; pair = pair->next) {
        check_duplicate_key(r, pairs, pair);
        jc_ref ref = { pair->as.pair.key, pair->as.pair.key_span, NULL };
        jc_node *attribute = resolve_ref(r, &ref, JC_NODE_ATTRIBUTE);
        snprintf(what, sizeof what, "attribute '%s'", pair->as.pair.key->text);
        check_test_value(r, pair->as.pair.value, attribute ? attribute->as.attribute.type : JC_TYPE_ERROR, what);
    }
}

static void check_contact_id(resolver *r, const jc_text *contact, jc_span span)
{
    if (contact->length == 0) jc_error(r->diagnostics, span, "a contact id cannot be empty");
}

/* Does some journey of the program produce the action a test expects? */
typedef struct action_search {
    const jc_node *expectation;
    bool found;
} action_search;

static bool produces_expected_action(const jc_node *statement, void *context)
{
    action_search *search = context;
    const jc_node *expectation = search->expectation;
    const jc_name *name = expectation->as.expect_action.name.name;
    switch (expectation->as.expect_action.kind) {
    case JC_EXPECT_SEND:
        search->found = statement->kind == JC_NODE_SEND && (!name || statement->as.send.message.name == name);
        break;
    case JC_EXPECT_EMIT:
        search->found = statement->kind == JC_NODE_EMIT && (!name || statement->as.emit.name == name);
        break;
    case JC_EXPECT_TRACK:
        search->found = statement->kind == JC_NODE_TRACK && (!name || statement->as.track.event.name == name);
        break;
    case JC_EXPECT_AUDIENCE: {
        search->found = statement->kind == JC_NODE_AUDIENCE &&
                        statement->as.audience.add == expectation->as.expect_action.add &&
                        strcmp(statement->as.audience.name.bytes, expectation->as.expect_action.audience.bytes) == 0;
        break;
    }
    }
    return search->found;
}

static bool program_produces(resolver *r, const jc_node *expectation)
{
    action_search search = { expectation, false };
    for (jc_node *decl = r->compiler->declarations.first; decl && !search.found; decl = decl->next)
        if (decl->kind == JC_NODE_JOURNEY) jc_visit_statements(&decl->as.journey.items, produces_expected_action, &search);
    return search.found;
}

static void check_expect_action(resolver *r, jc_node *step)
{
    jc_diagnostics *d = r->diagnostics;
    jc_ref *name = &step->as.expect_action.name;
    if (step->as.expect_action.has_contact)
        check_contact_id(r, &step->as.expect_action.contact, step->as.expect_action.contact_span);
    jc_node *event = NULL;
    bool resolved = true;
    switch (step->as.expect_action.kind) {
    case JC_EXPECT_SEND:
        if (name->name) resolved = resolve_ref(r, name, JC_NODE_MESSAGE) != NULL;
        break;
    case JC_EXPECT_TRACK:
        if (name->name) resolved = (event = resolve_ref(r, name, JC_NODE_EVENT)) != NULL;
        break;
    case JC_EXPECT_AUDIENCE:
        if (step->as.expect_action.audience.length == 0) {
            jc_error(d, step->as.expect_action.audience_span, "an audience needs a name");
            resolved = false;
        }
        break;
    case JC_EXPECT_EMIT: break;
    }
    check_test_fields(r, &step->as.expect_action.fields, event);
    if (!resolved || program_produces(r, step)) return;
    /* An action no journey can produce would make the expectation fail, or pass
     * without meaning anything (`expect no emit crm_tsk`): most likely a typo. */
    jc_span where = name->name                                        ? name->span
                    : step->as.expect_action.kind == JC_EXPECT_AUDIENCE ? step->as.expect_action.audience_span
                                                                        : step->span;
    switch (step->as.expect_action.kind) {
    case JC_EXPECT_SEND:
        if (name->name) jc_error(d, where, "no journey sends message '%s'", name->name->text);
        else jc_error(d, where, "no journey sends anything");
        break;
    case JC_EXPECT_EMIT:
        if (name->name) jc_error(d, where, "no journey emits '%s'", name->name->text);
        else jc_error(d, where, "no journey emits anything");
        break;
    case JC_EXPECT_TRACK:
        if (name->name) jc_error(d, where, "no journey tracks event '%s'", name->name->text);
        else jc_error(d, where, "no journey tracks events");
        break;
    case JC_EXPECT_AUDIENCE: {
        jc_error(d, where, "no journey %s audience \"%s\"",
                 step->as.expect_action.add ? "adds contacts to" : "removes contacts from",
                 step->as.expect_action.audience.bytes);
        break;
    }
    }
}

static bool is_comparison(jc_operator op)
{
    return op >= JC_OP_EQUAL && op <= JC_OP_GREATER_EQUAL;
}

static void check_expect_value(resolver *r, jc_node *step)
{
    jc_diagnostics *d = r->diagnostics;
    check_contact_id(r, &step->as.expect_value.contact, step->as.expect_value.contact_span);
    jc_node *comparison = step->as.expect_value.comparison;
    if (!comparison) return;
    if (comparison->kind != JC_NODE_BINARY || !is_comparison(comparison->as.binary.op) ||
        comparison->as.binary.left->kind != JC_NODE_NAME) {
        jc_error(d, comparison->span,
                 "an expectation compares an attribute or a score with a value, as in 'plan == \"pro\"' or "
                 "'engagement >= 60'");
        return;
    }
    jc_node *left = comparison->as.binary.left;
    jc_ref *ref = &left->as.name.ref;
    jc_node *decl = lookup_global(r, ref->name);
    jc_type type = JC_TYPE_ERROR;
    if (decl && decl->kind == JC_NODE_ATTRIBUTE) {
        left->as.name.meaning = JC_MEANING_ATTRIBUTE;
        type = decl->as.attribute.type;
    } else if (decl && decl->kind == JC_NODE_SCORE) {
        left->as.name.meaning = JC_MEANING_SCORE;
        type = JC_TYPE_NUMBER;
    } else if (decl && (decl->kind == JC_NODE_SEGMENT || decl->kind == JC_NODE_JOURNEY)) {
        jc_error(d, ref->span, "'%s' is %s %s: write 'expect \"%s\" in %s'", ref->name->text,
                 article(kind_word(decl->kind)), kind_word(decl->kind), step->as.expect_value.contact.bytes,
                 ref->name->text);
    } else if (decl) {
        const char *found = kind_word(decl->kind);
        jc_error(d, ref->span, "'%s' is %s %s, not an attribute or a score", ref->name->text, article(found), found);
        note_declared_here(r, decl);
    } else {
        jc_error(d, ref->span, "undeclared attribute or score '%s'", ref->name->text);
        suggestion s = suggestion_for(ref->name);
        consider_globals(r, &s, KIND_BIT(ATTRIBUTE) | KIND_BIT(SCORE));
        suggest(r, &s, ref->span);
    }
    if (type == JC_TYPE_ERROR) return;
    ref->decl = decl;
    left->type = type;
    comparison->type = JC_TYPE_BOOL;
    char what[160];
    snprintf(what, sizeof what, "%s '%s'", kind_word(decl->kind), ref->name->text);
    if (check_test_value(r, comparison->as.binary.right, type, what) == JC_TYPE_ERROR) return;
    jc_operator op = comparison->as.binary.op;
    if (type == JC_TYPE_BOOL && op != JC_OP_EQUAL && op != JC_OP_NOT_EQUAL)
        jc_error(d, comparison->as.binary.op_span, "'%s' does not order bool values", jc_operator_spelling(op));
}

typedef struct step_search {
    const char *label;
    jc_node *found;
    suggestion *near; /* filled with the labels seen, for a suggestion */
} step_search;

static bool finds_step(const jc_node *statement, void *context)
{
    step_search *search = context;
    if (statement->kind != JC_NODE_STEP) return false;
    if (strcmp(statement->as.step.label.bytes, search->label) == 0) {
        search->found = (jc_node *)statement;
        return true;
    }
    consider(search->near, statement->as.step.label.bytes, statement->as.step.label.length,
             &statement->as.step.label_span);
    return false;
}

typedef struct wait_search {
    const jc_name *event;
    bool found;
} wait_search;

/* A contact waits for an event at a `wait for E` or at a select with an arm `on E`. */
static bool waits_for(const jc_node *statement, void *context)
{
    wait_search *search = context;
    if (statement->kind == JC_NODE_WAIT_FOR) search->found = statement->as.wait_for.event.name == search->event;
    if (statement->kind == JC_NODE_SELECT_ON) search->found = statement->as.select_on.event.name == search->event;
    return search->found;
}

static bool has_holdout(const jc_node *journey)
{
    for (const jc_node *item = journey->as.journey.items.first; item; item = item->next)
        if (item->kind == JC_NODE_HOLDOUT) return true;
    return false;
}

static void check_expect_in(resolver *r, jc_node *step)
{
    jc_diagnostics *d = r->diagnostics;
    check_contact_id(r, &step->as.expect_in.contact, step->as.expect_in.contact_span);
    jc_ref *target = &step->as.expect_in.target;
    if (!target->name) return;
    jc_node *decl = lookup_global(r, target->name);
    if (!decl) {
        jc_error(d, target->span, "undeclared segment or journey '%s'", target->name->text);
        suggestion s = suggestion_for(target->name);
        consider_globals(r, &s, KIND_BIT(SEGMENT) | KIND_BIT(JOURNEY));
        suggest(r, &s, target->span);
        return;
    }
    if (decl->kind != JC_NODE_SEGMENT && decl->kind != JC_NODE_JOURNEY) {
        const char *found = kind_word(decl->kind);
        jc_error(d, target->span, "'%s' is %s %s, not a segment or a journey", target->name->text, article(found), found);
        note_declared_here(r, decl);
        return;
    }
    target->decl = decl;
    bool has_position = step->as.expect_in.has_step || step->as.expect_in.waiting_for.name || step->as.expect_in.holdout;
    if (decl->kind == JC_NODE_SEGMENT) {
        if (has_position)
            jc_error(d, target->span, "'%s' is a segment; a step, a wait or a holdout belongs to a journey",
                     target->name->text);
        return;
    }
    const char *journey = decl->as.journey.name->text;
    if (step->as.expect_in.has_step) {
        const char *label = step->as.expect_in.step.bytes;
        /* Labels are compared as names for the suggestion; interning one is harmless. */
        jc_name *wanted = jc_compiler_intern(r->compiler, label, step->as.expect_in.step.length);
        suggestion near = suggestion_for(wanted ? wanted : target->name);
        step_search search = { label, NULL, &near };
        jc_visit_statements(&decl->as.journey.items, finds_step, &search);
        if (!search.found) {
            jc_error(d, step->as.expect_in.step_span, "journey '%s' has no step \"%s\"", journey, label);
            if (wanted && near.best_text && near.has_span)
                jc_note(d, near.best_span, "did you mean \"%.*s\"?", (int)near.best_length, near.best_text);
        }
    }
    jc_ref *event = &step->as.expect_in.waiting_for;
    if (event->name && resolve_ref(r, event, JC_NODE_EVENT)) {
        wait_search search = { event->name, false };
        jc_visit_statements(&decl->as.journey.items, waits_for, &search);
        if (!search.found)
            jc_error(d, event->span, "journey '%s' never waits for '%s': it has no 'wait for %s' and no select arm 'on %s'",
                     journey, event->name->text, event->name->text, event->name->text);
    }
    if (step->as.expect_in.holdout && !has_holdout(decl))
        jc_error(d, step->span, "journey '%s' has no holdout", journey);
}

static void check_test_step(resolver *r, jc_node *step)
{
    switch (step->kind) {
    case JC_NODE_TEST_IDENTIFY:
        check_contact_id(r, &step->as.test_identify.contact, step->as.test_identify.contact_span);
        check_traits(r, &step->as.test_identify.fields);
        break;
    case JC_NODE_TEST_TRACK: {
        check_contact_id(r, &step->as.test_track.contact, step->as.test_track.contact_span);
        jc_node *event = resolve_ref(r, &step->as.test_track.event, JC_NODE_EVENT);
        if (event) check_test_fields(r, &step->as.test_track.fields, event);
        break;
    }
    case JC_NODE_TEST_WAIT:
        if (step->as.test_wait.is_until) {
            if (step->as.test_wait.until.length == 0)
                jc_error(r->diagnostics, step->as.test_wait.until_span,
                         "'wait until' needs a time, as in wait until \"2026-03-02T09:00:00Z\"");
        } else {
            check_duration_range(r, step->as.test_wait.duration, 1, WAIT_MAX_SECONDS, "a test's wait");
        }
        break;
    case JC_NODE_EXPECT_ACTION: check_expect_action(r, step); break;
    case JC_NODE_EXPECT_VALUE: check_expect_value(r, step); break;
    case JC_NODE_EXPECT_IN: check_expect_in(r, step); break;
    default: break;
    }
}

static void check_test(resolver *r, jc_node *test)
{
    jc_diagnostics *d = r->diagnostics;
    if (test->as.test.name.length == 0)
        jc_error(d, test->as.test.name_span, "a test needs a name: it is how failures are reported");
    for (jc_node *earlier = r->compiler->declarations.first; earlier && earlier != test; earlier = earlier->next)
        if (earlier->kind == JC_NODE_TEST && earlier->span.file == test->span.file && test->as.test.name.length &&
            strcmp(earlier->as.test.name.bytes, test->as.test.name.bytes) == 0) {
            jc_error(d, test->as.test.name_span, "duplicate test \"%s\"", test->as.test.name.bytes);
            jc_note(d, earlier->as.test.name_span, "the first test \"%s\" is here", test->as.test.name.bytes);
            break;
        }
    bool expects = false;
    for (jc_node *step = test->as.test.steps.first; step; step = step->next) {
        check_test_step(r, step);
        expects |= step->kind == JC_NODE_EXPECT_ACTION || step->kind == JC_NODE_EXPECT_VALUE ||
                   step->kind == JC_NODE_EXPECT_IN;
    }
    if (!expects && !has_syntax_error_in(r, test->span))
        jc_warning(d, test->as.test.name_span, "test \"%s\" expects nothing, so it cannot fail",
                   test->as.test.name.bytes);
}

/* ---- the pass -------------------------------------------------------------------- */

typedef struct external_name {
    const char *text; /* the event's external name, or its own name */
    jc_node *event;
    uint32_t order;   /* of declaration */
} external_name;

static int compare_external_names(const void *a, const void *b)
{
    const external_name *x = a, *y = b;
    int order = strcmp(x->text, y->text);
    if (order) return order;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Two events may not claim the same external name: sorted by name, so the time stays
 * n log n for the thousands of events a generated schema may declare. Each later claim
 * is reported, in declaration order, against the first one. */
static void check_external_names(resolver *r, jc_list *declarations)
{
    uint32_t count = 0;
    for (jc_node *decl = declarations->first; decl; decl = decl->next)
        if (decl->kind == JC_NODE_EVENT) count++;
    external_name *names = malloc(sizeof *names * (count ? count : 1));
    jc_node **clashes = calloc(count ? count : 1, sizeof *clashes); /* by order: the first claim */
    if (!names || !clashes) {
        free(names);
        free(clashes);
        r->out_of_memory = true;
        return;
    }
    count = 0;
    for (jc_node *decl = declarations->first; decl; decl = decl->next)
        if (decl->kind == JC_NODE_EVENT) {
            const char *text = decl->as.event.has_external ? decl->as.event.external.bytes : decl->as.event.name->text;
            names[count] = (external_name){ text, decl, count };
            count++;
        }
    qsort(names, count, sizeof *names, compare_external_names);
    jc_node **events = malloc(sizeof *events * (count ? count : 1));
    if (!events) {
        r->out_of_memory = true;
        count = 0;
    }
    for (uint32_t i = 0, first = 0; i < count; i++) {
        if (i > 0 && strcmp(names[i].text, names[first].text) != 0) first = i;
        events[names[i].order] = names[i].event;
        /* A redefinition of the same event is reported as such, not here. */
        if (i != first && names[first].event->as.event.name != names[i].event->as.event.name)
            clashes[names[i].order] = names[first].event;
    }
    for (uint32_t order = 0; order < count; order++) {
        jc_node *earlier = clashes[order];
        if (!earlier) continue;
        jc_node *decl = events[order];
        jc_error(r->diagnostics, decl->as.event.name_span, "events '%s' and '%s' both read \"%s\" events",
                 earlier->as.event.name->text, decl->as.event.name->text,
                 decl->as.event.has_external ? decl->as.event.external.bytes : decl->as.event.name->text);
        jc_note(r->diagnostics, earlier->as.event.name_span, "'%s' is declared here", earlier->as.event.name->text);
    }
    free(names);
    free(clashes);
    free(events);
}

static bool registers_name(const jc_node *decl)
{
    switch (decl->kind) {
    case JC_NODE_CHANNEL: case JC_NODE_ATTRIBUTE: case JC_NODE_EVENT: case JC_NODE_SCORE: case JC_NODE_SEGMENT:
    case JC_NODE_MESSAGE: case JC_NODE_JOURNEY: case JC_NODE_EXTERN:
        return true;
    default:
        return false;
    }
}

void jc_resolve(jc_compiler *compiler)
{
    resolver r = { 0 };
    r.compiler = compiler;
    r.diagnostics = &compiler->diagnostics;
    uint32_t count = 0;
    for (jc_node *decl = compiler->declarations.first; decl; decl = decl->next) count++;
    r.global_capacity = 64;
    while (r.global_capacity < count * 2) r.global_capacity *= 2;
    r.globals = calloc(r.global_capacity, sizeof *r.globals);
    if (!r.globals) {
        compiler->out_of_memory = true;
        return;
    }
    collect_syntax_errors(&r);

    /* Every global name first, so declarations may come in any order. */
    for (jc_node *decl = compiler->declarations.first; decl; decl = decl->next) {
        if (!registers_name(decl)) continue;
        jc_span span;
        jc_name *name = declared_name(decl, &span);
        if (!name) continue;
        jc_node *existing = lookup_global(&r, name);
        if (existing) {
            const char *word = kind_word(decl->kind);
            if (existing->kind == decl->kind)
                jc_error(r.diagnostics, span, "redefinition of %s '%s'", word, name->text);
            else
                jc_error(r.diagnostics, span, "'%s' is already declared as %s %s", name->text,
                         article(kind_word(existing->kind)), kind_word(existing->kind));
            jc_span first;
            declared_name(existing, &first);
            jc_note(r.diagnostics, first, "'%s' is first declared here", name->text);
            continue;
        }
        insert_global(&r, decl);
    }

    jc_node *global_quiet = NULL;
    for (jc_node *decl = compiler->declarations.first; decl; decl = decl->next) {
        switch (decl->kind) {
        case JC_NODE_ATTRIBUTE: check_attribute(&r, decl); break;
        case JC_NODE_EVENT: check_event(&r, decl); break;
        case JC_NODE_SCORE: check_score(&r, decl); break;
        case JC_NODE_SEGMENT: check_segment(&r, decl); break;
        case JC_NODE_LIMIT: check_limit(&r, decl); break;
        case JC_NODE_QUIET_HOURS: check_quiet_hours(&r, decl, &global_quiet); break;
        case JC_NODE_MESSAGE: check_message(&r, decl); break;
        case JC_NODE_JOURNEY: check_journey(&r, decl); break;
        case JC_NODE_EXTERN: check_extern(&r, decl); break;
        case JC_NODE_TEST: check_test(&r, decl); break;
        default: break;
        }
    }
    check_segment_cycles(&r, &compiler->declarations);

    check_external_names(&r, &compiler->declarations);

    /* The contact's time zone comes from an attribute named timezone. */
    jc_name *timezone = jc_intern(&compiler->names, "timezone", 8);
    jc_node *timezone_decl = timezone ? lookup_global(&r, timezone) : NULL;
    if (timezone_decl && timezone_decl->kind == JC_NODE_ATTRIBUTE && timezone_decl->as.attribute.type != JC_TYPE_STRING)
        jc_error(r.diagnostics, timezone_decl->as.attribute.type_span,
                 "attribute 'timezone' holds the contact's IANA time zone and must be a string");

    if (r.out_of_memory) compiler->out_of_memory = true;
    free(r.globals);
    free(r.syntax_errors);
    free(r.scope);
    free(r.ended);
    free(r.steps);
    free(r.edges);
}
