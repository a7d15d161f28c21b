/* scenario_state.h: a test being run, shared by scenario.c (the steps) and
 * scenario_expect.c (the expectations). Not used outside them. */
#ifndef JOURNEY_SCENARIO_STATE_H
#define JOURNEY_SCENARIO_STATE_H
#include <stdbool.h>
#include <stdint.h>

#include "scenario.h"

typedef struct scenario {
    const jr_program *program;
    const jr_schema *schema;
    const jc_compiler *compiler;
    jr_vm *vm;
    action_log *actions;
    int64_t clock;    /* the test's virtual time */
    bool started;     /* the VM's clock has been set: time only moves forward now */
    bool out_of_memory;
    scenario_failure *failure;
} scenario;

/* Records that step failed at the current clock, about contact (or NULL); the caller
 * then writes failure->expected and failure->actual. Returns false, for `return
 * scenario_fail(...)` in checks that return whether they passed. */
bool scenario_fail(scenario *s, const jc_node *step, const char *contact);

/* The line a node starts on, in its file. */
uint32_t scenario_line(const scenario *s, const jc_node *node);

/* Each checks one expectation; false when it failed (s->failure filled in). */
bool scenario_expect_action(scenario *s, const jc_node *step);
bool scenario_expect_value(scenario *s, const jc_node *step);
bool scenario_expect_in(scenario *s, const jc_node *step);

#endif
