/* scenario.c: one test, step by step (scenario.h): the clock, the events, and the
 * run-time errors of the journeys; the expectations are in scenario_expect.c. */
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_state.h"
#include "scenario_value.h"

bool scenario_fail(scenario *s, const jc_node *step, const char *contact)
{
    scenario_failure *failure = s->failure;
    failure->step = step;
    failure->clock = s->clock;
    failure->expected[0] = '\0';
    failure->actual[0] = '\0';
    snprintf(failure->contact, sizeof failure->contact, "%s", contact ? contact : "");
    return false;
}

uint32_t scenario_line(const scenario *s, const jc_node *node)
{
    if (node->span.file >= s->compiler->sources.count) return 0;
    return jc_source_position(s->compiler->sources.items[node->span.file], node->span.begin).line;
}

/* The VM's clock starts with the test's first event or its first wait after one. */
static bool start_clock(scenario *s, const jc_node *step)
{
    if (s->started) return true;
    jr_error error;
    if (jr_vm_advance(s->vm, s->clock, &error) != JR_OK) {
        s->out_of_memory = error.status == JR_ERROR_MEMORY;
        scenario_fail(s, step, NULL);
        snprintf(s->failure->actual, sizeof s->failure->actual, "the VM could not start: %s", error.message);
        return false;
    }
    s->started = true;
    return true;
}

/* Values of an identify's traits or an event's fields, each placed by name among the
 * attributes or the event's fields. */
static bool fill_values(scenario *s, const jc_node *step, const jc_list *pairs, const jr_schema_field *fields,
                        uint32_t field_count, jr_field_value *values)
{
    uint32_t count = 0;
    for (const jc_node *pair = pairs->first; pair; pair = pair->next, count++) {
        char message[256];
        if (!scenario_value_of(pair->as.pair.value, s->clock, &values[count], message, sizeof message)) {
            scenario_fail(s, step, NULL);
            snprintf(s->failure->actual, sizeof s->failure->actual, "%s", message);
            return false;
        }
        uint32_t index = 0;
        while (index < field_count && strcmp(fields[index].name, pair->as.pair.key->text) != 0) index++;
        if (index == field_count) { /* the compiler checked the names: a program of another build? */
            scenario_fail(s, step, NULL);
            snprintf(s->failure->actual, sizeof s->failure->actual, "the program has no '%s' here",
                     pair->as.pair.key->text);
            return false;
        }
        values[count].index = index;
    }
    return true;
}

static bool post(scenario *s, const jc_node *step, const jr_event *event)
{
    if (!start_clock(s, step)) return false;
    jr_error error;
    if (jr_vm_post(s->vm, event, &error) == JR_OK) return true;
    s->out_of_memory = error.status == JR_ERROR_MEMORY;
    scenario_fail(s, step, NULL);
    snprintf(s->failure->actual, sizeof s->failure->actual, "the VM refused the event: %s", error.message);
    return false;
}

static bool run_event(scenario *s, const jc_node *step)
{
    bool is_identify = step->kind == JC_NODE_TEST_IDENTIFY;
    const jc_text *contact = is_identify ? &step->as.test_identify.contact : &step->as.test_track.contact;
    const jc_list *pairs = is_identify ? &step->as.test_identify.fields : &step->as.test_track.fields;
    jr_event event = {
        .kind = is_identify ? JR_EVENT_IDENTIFY : JR_EVENT_TRACK,
        .timestamp = s->clock,
        .contact_id = contact->bytes,
        .contact_id_length = contact->length,
        .message_id = "",
        .event_index = -1,
        .line = scenario_line(s, step),
    };
    const jr_schema_field *fields = s->schema->attributes;
    uint32_t field_count = s->schema->attribute_count;
    if (!is_identify) {
        const char *name = step->as.test_track.event.name->text;
        event.event_index = jr_program_find(s->program, JR_NAME_EVENT, name);
        if (event.event_index < 0) {
            scenario_fail(s, step, NULL);
            snprintf(s->failure->actual, sizeof s->failure->actual, "the program has no event '%s'", name);
            return false;
        }
        fields = s->schema->events[event.event_index].fields;
        field_count = s->schema->events[event.event_index].field_count;
    }
    jr_field_value *values = calloc(pairs->count ? pairs->count : 1, sizeof *values);
    if (!values) {
        s->out_of_memory = true;
        return false;
    }
    bool done = fill_values(s, step, pairs, fields, field_count, values);
    if (is_identify) {
        event.traits = values;
        event.trait_count = pairs->count;
    } else {
        event.properties = values;
        event.property_count = pairs->count;
    }
    done = done && post(s, step, &event);
    free(values);
    return done;
}

static bool run_wait(scenario *s, const jc_node *step)
{
    int64_t target;
    if (step->as.test_wait.is_until) {
        const jc_text *text = &step->as.test_wait.until;
        if (!jr_parse_timestamp(text->bytes, text->length, &target)) {
            scenario_fail(s, step, NULL);
            snprintf(s->failure->actual, sizeof s->failure->actual,
                     "\"%s\" is not a time: write an ISO-8601 instant with its zone, as \"2026-03-02T09:00:00Z\"",
                     text->bytes);
            return false;
        }
        if (s->started && target < s->clock) {
            char clock[25];
            jr_format_timestamp(s->clock, clock);
            scenario_fail(s, step, NULL);
            snprintf(s->failure->actual, sizeof s->failure->actual,
                     "\"%s\" is earlier than the test's clock, %s: time only moves forward", text->bytes, clock);
            return false;
        }
    } else {
        target = s->clock + step->as.test_wait.duration->as.duration.seconds * 1000;
    }
    s->clock = target;
    if (!s->started) return true; /* before the first event the clock may be set freely */
    jr_error error;
    if (jr_vm_advance(s->vm, target, &error) == JR_OK) return true;
    s->out_of_memory = error.status == JR_ERROR_MEMORY;
    scenario_fail(s, step, NULL);
    snprintf(s->failure->actual, sizeof s->failure->actual, "the VM could not advance: %s", error.message);
    return false;
}

/* A run-time error in a journey, a score, a segment or an aggregate fails the test at
 * the step that caused it: a test exercises the journeys, and errors are what it is
 * for finding. */
static bool check_runtime_errors(scenario *s, const jc_node *step, uint32_t *seen)
{
    uint32_t count = jr_vm_error_count(s->vm);
    if (count <= *seen) return true;
    jr_runtime_error error;
    jr_vm_error(s->vm, *seen, &error);
    *seen = count;
    char at[25];
    jr_format_timestamp(error.at, at);
    scenario_fail(s, step, error.contact_id);
    snprintf(s->failure->expected, sizeof s->failure->expected, "no run-time error");
    snprintf(s->failure->actual, sizeof s->failure->actual, "%s:%u: run-time error%s%s for \"%s\" at %s: %s",
             error.file ? error.file : "?", error.line, error.journey ? " in journey " : "",
             error.journey ? error.journey : "", error.contact_id ? error.contact_id : "?", at,
             error.message ? error.message : "");
    return false;
}

static bool run_step(scenario *s, const jc_node *step)
{
    switch (step->kind) {
    case JC_NODE_TEST_IDENTIFY:
    case JC_NODE_TEST_TRACK: return run_event(s, step);
    case JC_NODE_TEST_WAIT: return run_wait(s, step);
    case JC_NODE_EXPECT_ACTION: return scenario_expect_action(s, step);
    case JC_NODE_EXPECT_VALUE: return scenario_expect_value(s, step);
    case JC_NODE_EXPECT_IN: return scenario_expect_in(s, step);
    default: return true;
    }
}

scenario_outcome scenario_run(const jr_program *program, const jc_compiler *compiler, const jc_node *test,
                              action_log *actions, scenario_failure *failure)
{
    memset(failure, 0, sizeof *failure);
    scenario s = {
        .program = program,
        .schema = jr_program_schema(program),
        .compiler = compiler,
        .actions = actions,
        .clock = SCENARIO_DEFAULT_START,
        .failure = failure,
    };
    jr_config config = { .on_action = action_log_record, .action_user = actions };
    jr_error error;
    if (jr_vm_new(program, &config, &s.vm, &error) != JR_OK) {
        if (error.status == JR_ERROR_MEMORY) return SCENARIO_NO_MEMORY;
        scenario_fail(&s, test, NULL);
        snprintf(failure->actual, sizeof failure->actual, "the VM could not start: %s", error.message);
        return SCENARIO_FAILED;
    }
    actions->vm = s.vm;
    bool passed = true;
    uint32_t errors_seen = 0;
    for (const jc_node *step = test->as.test.steps.first; step && passed; step = step->next) {
        passed = run_step(&s, step);
        if (passed && s.started) passed = check_runtime_errors(&s, step, &errors_seen);
        if (actions->out_of_memory) s.out_of_memory = true;
        if (s.out_of_memory) break;
    }
    actions->vm = NULL; /* the VM goes; the log stays for the caller */
    jr_vm_free(s.vm);
    if (s.out_of_memory) return SCENARIO_NO_MEMORY;
    return passed ? SCENARIO_PASSED : SCENARIO_FAILED;
}
