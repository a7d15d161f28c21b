/* scenario.h: running one test block (spec/testing.md). Each test gets a fresh VM on a
 * virtual clock; its events go through jr_vm_post and its waits through jr_vm_advance,
 * exactly as `journey sim` feeds a log, and each expectation is checked against the
 * actions the VM made and the state of the contacts. Nothing here prints:
 * journey_test.c shows the outcome. */
#ifndef JOURNEY_SCENARIO_H
#define JOURNEY_SCENARIO_H
#include <stdint.h>

#include "action_log.h"
#include "compiler.h"
#include "journey.h"

/* Where a test's clock starts unless a `wait until` before its first event says
 * otherwise: 2026-01-05T12:00:00Z, a Monday at noon UTC. */
#define SCENARIO_DEFAULT_START INT64_C(1767614400000)

typedef struct scenario_failure {
    const jc_node *step;  /* the step or expectation that failed */
    int64_t clock;        /* the test's clock then */
    char expected[640];   /* what the test expected; "" when a step could not be done */
    char actual[1536];    /* what happened instead */
    char contact[256];    /* whose actions explain it, or "" */
} scenario_failure;

typedef enum scenario_outcome {
    SCENARIO_PASSED,
    SCENARIO_FAILED,    /* failure says where and why; the test stopped there */
    SCENARIO_NO_MEMORY,
} scenario_outcome;

/* Runs test (a JC_NODE_TEST of the compilation that program was built from). actions
 * must be zeroed; it receives every action of the run, for the caller to show and
 * then free. */
scenario_outcome scenario_run(const jr_program *program, const jc_compiler *compiler, const jc_node *test,
                              action_log *actions, scenario_failure *failure);

#endif
