/* test_output.h: how `journey test` shows a test's result: one line per test, and for
 * a failure the expectation with its source line, the virtual time, what was expected
 * against what happened, and the actions the contact got so far. */
#ifndef JOURNEY_TEST_OUTPUT_H
#define JOURNEY_TEST_OUTPUT_H
#include <stdbool.h>
#include <stdio.h>

#include "action_log.h"
#include "compiler.h"
#include "scenario.h"

void test_output_passed(FILE *out, const char *path, const char *name, bool color);
/* A file whose program does not compile: one failure (the diagnostics are on stderr). */
void test_output_not_compiled(FILE *out, const char *path, bool color);
void test_output_failed(FILE *out, const char *path, const char *name, bool color, const jc_compiler *compiler,
                        const scenario_failure *failure, const action_log *actions);

#endif
