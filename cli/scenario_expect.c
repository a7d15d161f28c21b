/* scenario_expect.c: the expectations of a test (spec/testing.md 6): actions, values,
 * segment and journey membership, and where a contact waits. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "payload_json.h"
#include "scenario_state.h"
#include "scenario_value.h"

/* Appends to a message buffer, keeping it NUL-terminated. */
static void append(char *out, size_t size, const char *format, ...) __attribute__((format(printf, 3, 4)));
static void append(char *out, size_t size, const char *format, ...)
{
    size_t used = strlen(out);
    if (used + 1 >= size) return;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(out + used, size - used, format, arguments);
    va_end(arguments);
}

/* ---- actions ------------------------------------------------------------------------ */

static const char *const kind_words[] = { "send", "emit", "track", "audience" };

static jr_action_kind action_kind_of(jc_expected_kind kind)
{
    switch (kind) {
    case JC_EXPECT_SEND: return JR_ACTION_SEND;
    case JC_EXPECT_EMIT: return JR_ACTION_EMIT;
    case JC_EXPECT_TRACK: return JR_ACTION_TRACK;
    default: return JR_ACTION_AUDIENCE;
    }
}

/* The name the VM gives the expected action: a track action names its event by its
 * external name ("Lead Qualified"), the others by the name in the program. */
static const char *expected_name(const jc_node *step)
{
    const jc_node *decl = step->as.expect_action.name.decl;
    if (step->as.expect_action.kind == JC_EXPECT_TRACK && decl && decl->kind == JC_NODE_EVENT &&
        decl->as.event.has_external)
        return decl->as.event.external.bytes;
    return step->as.expect_action.name.name->text;
}

/* Is the action of the kind, name and contact the expectation names? */
static bool is_the_action(const logged_action *action, const jc_node *step)
{
    if (action->kind != action_kind_of(step->as.expect_action.kind)) return false;
    if (step->as.expect_action.has_contact && strcmp(action->contact, step->as.expect_action.contact.bytes) != 0)
        return false;
    if (step->as.expect_action.name.name && strcmp(action->name, expected_name(step)) != 0) return false;
    if (step->as.expect_action.kind == JC_EXPECT_AUDIENCE) {
        if (action->add != step->as.expect_action.add) return false;
        if (strcmp(action->name, step->as.expect_action.audience.bytes) != 0) return false;
    }
    return true;
}

/* Has the action happened by the test's clock? A send counts once it takes effect; a
 * suppressed send never happens. */
static bool has_happened(const scenario *s, const logged_action *action)
{
    if (action->kind == JR_ACTION_SEND && action->outcome == JR_SEND_SUPPRESSED) return false;
    return action->at <= s->clock;
}

/* Does the payload hold every field the expectation gives? If not, why in why. */
static bool payload_matches(scenario *s, const logged_action *action, const jc_node *step, char *why, size_t size)
{
    for (const jc_node *pair = step->as.expect_action.fields.first; pair; pair = pair->next) {
        jr_field_value expected;
        char message[256], found[256];
        if (!scenario_value_of(pair->as.pair.value, s->clock, &expected, message, sizeof message)) {
            snprintf(why, size, "%s", message);
            return false;
        }
        payload_match match = payload_json_compare(action->payload_json, pair->as.pair.key->text, &expected, found,
                                                   sizeof found);
        if (match == PAYLOAD_ABSENT) {
            snprintf(why, size, "it has no %.64s", pair->as.pair.key->text);
            return false;
        }
        if (match == PAYLOAD_DIFFERENT) {
            char wanted[256];
            scenario_value_format(&expected, wanted, sizeof wanted);
            snprintf(why, size, "its %.64s is %.100s, not %.100s", pair->as.pair.key->text, found, wanted);
            return false;
        }
    }
    return true;
}

/* "a send of welcome to "alice" with total 15", for the expected line. */
static void describe_expected_action(const scenario *s, const jc_node *step, char *out, size_t size)
{
    jc_expected_kind kind = step->as.expect_action.kind;
    const jc_name *name = step->as.expect_action.name.name;
    out[0] = '\0';
    append(out, size, "%s", step->as.expect_action.negated ? "no " : "");
    if (kind == JC_EXPECT_AUDIENCE) {
        append(out, size, "audience %s \"%s\"", step->as.expect_action.add ? "add" : "remove",
               step->as.expect_action.audience.bytes);
    } else {
        if (!step->as.expect_action.negated) append(out, size, "%s ", kind == JC_EXPECT_EMIT ? "an" : "a");
        append(out, size, "%s", kind_words[kind]);
        if (name) append(out, size, " of %s", name->text);
    }
    if (step->as.expect_action.has_contact)
        append(out, size, " %s \"%s\"", kind == JC_EXPECT_SEND ? "to" : "for", step->as.expect_action.contact.bytes);
    const char *separator = " with ";
    for (const jc_node *pair = step->as.expect_action.fields.first; pair; pair = pair->next) {
        jr_field_value value;
        char message[256], text[256];
        if (!scenario_value_of(pair->as.pair.value, s->clock, &value, message, sizeof message)) continue;
        scenario_value_format(&value, text, sizeof text);
        append(out, size, "%s%s %s", separator, pair->as.pair.key->text, text);
        separator = ", ";
    }
}

/* Why an action of the expected kind, name and contact did not satisfy the
 * expectation, into why; false when nothing stood in its way. */
static bool why_not(scenario *s, const logged_action *action, const jc_node *step, char *why, size_t size)
{
    if (action->kind == JR_ACTION_SEND && action->outcome == JR_SEND_SUPPRESSED) {
        snprintf(why, size, "it was suppressed (%s)", action->reason ? action->reason : "no reason given");
        return true;
    }
    if (action->at > s->clock) {
        snprintf(why, size, "it takes effect only then%s%s%s", action->reason ? " (deferred: " : "",
                 action->reason ? action->reason : "", action->reason ? ")" : "");
        return true;
    }
    if (action->matched_line) {
        snprintf(why, size, "it was taken already, by the expectation on line %u", action->matched_line);
        return true;
    }
    return !payload_matches(s, action, step, why, size);
}

/* What happened instead of the expected action: the near misses and why each missed,
 * or that there was nothing of the kind. */
static void describe_near_misses(scenario *s, const jc_node *step, char *out, size_t size)
{
    uint32_t shown = 0;
    for (uint32_t i = 0; i < s->actions->count; i++) {
        const logged_action *action = &s->actions->items[i];
        char what[320], why[320], at[25];
        if (!is_the_action(action, step) || !why_not(s, action, step, why, sizeof why)) continue;
        action_log_describe(action, what, sizeof what);
        jr_format_timestamp(action->at, at);
        append(out, size, "%s%s at %s: %s", shown ? "; " : "", what, at, why);
        shown++;
    }
    if (shown) return;
    const jc_name *name = step->as.expect_action.name.name;
    const char *contact = step->as.expect_action.contact.bytes;
    switch (step->as.expect_action.kind) {
    case JC_EXPECT_SEND:
        append(out, size, "\"%s\" was sent %s%s", contact, name ? "no " : "nothing", name ? name->text : "");
        break;
    case JC_EXPECT_AUDIENCE:
        append(out, size, "\"%s\" was not %s audience \"%s\"", contact,
               step->as.expect_action.add ? "added to" : "removed from", step->as.expect_action.audience.bytes);
        break;
    default:
        append(out, size, "no %s%s%s for \"%s\"", kind_words[step->as.expect_action.kind], name ? " of " : "",
               name ? name->text : "", contact);
        break;
    }
}

bool scenario_expect_action(scenario *s, const jc_node *step)
{
    char why[320];
    for (uint32_t i = 0; i < s->actions->count; i++) {
        logged_action *action = &s->actions->items[i];
        if (action->matched_line || !is_the_action(action, step) || !has_happened(s, action)) continue;
        if (!payload_matches(s, action, step, why, sizeof why)) continue;
        if (!step->as.expect_action.negated) {
            action->matched_line = scenario_line(s, step);
            return true;
        }
        /* `expect no ...`: this one should not have happened */
        scenario_fail(s, step, action->contact);
        describe_expected_action(s, step, s->failure->expected, sizeof s->failure->expected);
        char what[320], at[25];
        action_log_describe(action, what, sizeof what);
        jr_format_timestamp(action->at, at);
        snprintf(s->failure->actual, sizeof s->failure->actual, "\"%s\" got %s at %s (journey %s%s%s%s)",
                 action->contact, what, at, action->journey ? action->journey : "?", action->step ? ", step \"" : "",
                 action->step ? action->step : "", action->step ? "\"" : "");
        return false;
    }
    if (step->as.expect_action.negated) return true;
    scenario_fail(s, step, step->as.expect_action.contact.bytes);
    describe_expected_action(s, step, s->failure->expected, sizeof s->failure->expected);
    describe_near_misses(s, step, s->failure->actual, sizeof s->failure->actual);
    return false;
}

/* ---- values ------------------------------------------------------------------------- */

static bool find_contact(scenario *s, const jc_text *contact, uint32_t *index)
{
    return jr_vm_contact_find(s->vm, contact->bytes, contact->length, index);
}

static void unknown_contact(scenario *s, const jc_node *step, const jc_text *contact)
{
    scenario_fail(s, step, contact->bytes);
    snprintf(s->failure->actual, sizeof s->failure->actual, "\"%s\" has had no events yet", contact->bytes);
}

bool scenario_expect_value(scenario *s, const jc_node *step)
{
    const jc_node *comparison = step->as.expect_value.comparison;
    const jc_node *left = comparison->as.binary.left;
    const char *name = left->as.name.ref.name->text;
    const jc_text *contact = &step->as.expect_value.contact;
    jc_operator op = comparison->as.binary.op;
    jr_field_value expected, actual;
    char message[256], expected_text[256], actual_text[256];
    if (!scenario_value_of(comparison->as.binary.right, s->clock, &expected, message, sizeof message)) {
        scenario_fail(s, step, NULL);
        snprintf(s->failure->actual, sizeof s->failure->actual, "%s", message);
        return false;
    }
    scenario_value_format(&expected, expected_text, sizeof expected_text);
    uint32_t index;
    bool known = find_contact(s, contact, &index);
    if (!known) {
        unknown_contact(s, step, contact);
    } else {
        bool is_score = left->as.name.meaning == JC_MEANING_SCORE;
        int32_t declared = jr_program_find(s->program, is_score ? JR_NAME_SCORE : JR_NAME_ATTRIBUTE, name);
        jr_error error = { 0 };
        jr_status status = JR_ERROR_ARGUMENT;
        if (declared >= 0 && is_score) {
            actual = (jr_field_value){ .type = JR_TYPE_NUMBER };
            status = jr_vm_contact_score(s->vm, index, (uint32_t)declared, &actual.as.number, &error);
        } else if (declared >= 0) {
            status = jr_vm_contact_attribute(s->vm, index, (uint32_t)declared, &actual, &error);
        }
        if (status != JR_OK) {
            scenario_fail(s, step, contact->bytes);
            snprintf(s->failure->actual, sizeof s->failure->actual, "cannot read %s: %s", name,
                     declared < 0 ? "the program has no such declaration" : error.message);
        } else if (actual.type != JR_TYPE_NULL && scenario_value_compare(&actual, op, &expected)) {
            return true;
        } else {
            scenario_fail(s, step, contact->bytes);
            scenario_value_format(&actual, actual_text, sizeof actual_text);
            snprintf(s->failure->actual, sizeof s->failure->actual, "%s of \"%s\" is %s", name, contact->bytes,
                     actual.type == JR_TYPE_NULL ? "not set (it has no default)" : actual_text);
        }
    }
    snprintf(s->failure->expected, sizeof s->failure->expected, "%s of \"%s\" %s %s", name, contact->bytes,
             jc_operator_spelling(op), expected_text);
    return false;
}

/* ---- segments and journeys -------------------------------------------------------------- */

/* Is the node (where a contact is) inside the step with this label, at any depth? */
static bool node_in_step(const scenario *s, uint32_t node, const char *label)
{
    uint32_t limit = jr_vm_node_count(s->vm);
    for (uint32_t hops = 0; node != JR_NO_NODE && hops <= limit; hops++) {
        jr_node_stats stats;
        jr_vm_node_stats(s->vm, node, &stats);
        if (strcmp(stats.kind, "step") == 0 && stats.label && strcmp(stats.label, label) == 0) return true;
        node = stats.parent;
    }
    return false;
}

typedef struct wait_place {
    const scenario *s;
    const jc_name *event;
    uint32_t line, column; /* of the node the contact is at */
    bool found;
} wait_place;

/* Is this the `wait for E` or the select with an arm `on E` that the node is? */
static bool is_waiting_statement(const jc_node *statement, void *context)
{
    wait_place *place = context;
    bool waits = false;
    if (statement->kind == JC_NODE_WAIT_FOR) waits = statement->as.wait_for.event.name == place->event;
    if (statement->kind == JC_NODE_SELECT)
        for (const jc_node *arm = statement->as.select.arms.first; arm; arm = arm->next)
            waits |= arm->kind == JC_NODE_SELECT_ON && arm->as.select_on.event.name == place->event;
    if (!waits || statement->span.file >= place->s->compiler->sources.count) return false;
    jc_position position = jc_source_position(place->s->compiler->sources.items[statement->span.file], statement->span.begin);
    place->found = position.line == place->line && position.column == place->column;
    return place->found;
}

static bool node_waits_for(const scenario *s, const jc_node *journey, const jr_node_stats *node, const jc_name *event)
{
    wait_place place = { s, event, node->line, node->column, false };
    jc_visit_statements(&journey->as.journey.items, is_waiting_statement, &place);
    return place.found;
}

/* Where the contact is in the journey, for a failure message. */
static void describe_journey_state(const scenario *s, const char *contact, const char *journey,
                                   const jr_contact_journey *state, char *out, size_t size)
{
    char at[25];
    jr_format_timestamp(state->entered_at, at);
    switch (state->status) {
    case JR_JOURNEY_NOT_ENTERED: snprintf(out, size, "\"%s\" never entered %s", contact, journey); break;
    case JR_JOURNEY_ENDED:
        snprintf(out, size, "\"%s\" has left %s (entered %u time%s, last at %s)", contact, journey, state->entries,
                 state->entries == 1 ? "" : "s", at);
        break;
    case JR_JOURNEY_HOLDOUT:
        snprintf(out, size, "\"%s\" is in the holdout of %s (the control group: nothing runs for it)", contact, journey);
        break;
    case JR_JOURNEY_ACTIVE: {
        snprintf(out, size, "\"%s\" is in %s", contact, journey);
        if (state->node == JR_NO_NODE) break;
        jr_node_stats node;
        jr_vm_node_stats(s->vm, state->node, &node);
        append(out, size, " at the '%s' on line %u", node.kind, node.line);
        if (node.step) append(out, size, " in step \"%s\"", node.step);
        if (state->waiting)
            append(out, size, ", waiting for %s", strcmp(state->waiting, "timer") == 0   ? "its timer"
                                                  : strcmp(state->waiting, "event") == 0 ? "an event"
                                                                                         : "an arm of the select");
        break;
    }
    }
}

static bool in_journey(scenario *s, const jc_node *step, uint32_t contact, const jc_node *journey, char *actual,
                       size_t size)
{
    const char *name = journey->as.journey.name->text;
    int32_t index = jr_program_find(s->program, JR_NAME_JOURNEY, name);
    jr_contact_journey state;
    jr_error error;
    if (index < 0 || jr_vm_contact_journey(s->vm, contact, (uint32_t)index, &state, &error) != JR_OK) {
        snprintf(actual, size, "cannot read journey %s of the contact", name);
        return false;
    }
    describe_journey_state(s, step->as.expect_in.contact.bytes, name, &state, actual, size);
    if (step->as.expect_in.holdout) return state.status == JR_JOURNEY_HOLDOUT;
    bool has_position = step->as.expect_in.has_step || step->as.expect_in.waiting_for.name;
    if (!has_position) return state.status == JR_JOURNEY_ACTIVE || state.status == JR_JOURNEY_HOLDOUT;
    if (state.status != JR_JOURNEY_ACTIVE || state.node == JR_NO_NODE) return false;
    if (step->as.expect_in.has_step && !node_in_step(s, state.node, step->as.expect_in.step.bytes)) return false;
    if (step->as.expect_in.waiting_for.name) {
        jr_node_stats node;
        jr_vm_node_stats(s->vm, state.node, &node);
        if (!state.waiting || !node_waits_for(s, journey, &node, step->as.expect_in.waiting_for.name)) return false;
    }
    return true;
}

bool scenario_expect_in(scenario *s, const jc_node *step)
{
    const jc_text *contact = &step->as.expect_in.contact;
    const jc_node *target = step->as.expect_in.target.decl;
    bool negated = step->as.expect_in.negated;
    const char *name = step->as.expect_in.target.name->text;
    char actual[sizeof s->failure->actual] = "";
    uint32_t index;
    bool member = false;
    if (!find_contact(s, contact, &index)) {
        snprintf(actual, sizeof actual, "\"%s\" has had no events yet", contact->bytes);
    } else if (target->kind == JC_NODE_SEGMENT) {
        int32_t segment = jr_program_find(s->program, JR_NAME_SEGMENT, name);
        jr_error error;
        if (segment < 0 || jr_vm_contact_segment(s->vm, index, (uint32_t)segment, &member, &error) != JR_OK)
            snprintf(actual, sizeof actual, "cannot read segment %s of the contact", name);
        else
            snprintf(actual, sizeof actual, "\"%s\" is %sin %s", contact->bytes, member ? "" : "not ", name);
    } else {
        member = in_journey(s, step, index, target, actual, sizeof actual);
    }
    if (member != negated) return true;
    scenario_fail(s, step, contact->bytes);
    char *expected = s->failure->expected;
    size_t size = sizeof s->failure->expected;
    snprintf(expected, size, "\"%s\" %sin %s%s", contact->bytes, negated ? "not " : "",
             step->as.expect_in.holdout ? "the holdout of " : "", name);
    if (step->as.expect_in.has_step) append(expected, size, " at step \"%s\"", step->as.expect_in.step.bytes);
    if (step->as.expect_in.waiting_for.name)
        append(expected, size, " waiting for %s", step->as.expect_in.waiting_for.name->text);
    snprintf(s->failure->actual, sizeof s->failure->actual, "%s", actual);
    return false;
}
