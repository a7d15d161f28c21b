/* scenario_value.h: the values of tests (spec/testing.md 4): literals and times relative
 * to the test's clock, held as jr_field_value, and how they compare and read. */
#ifndef JOURNEY_SCENARIO_VALUE_H
#define JOURNEY_SCENARIO_VALUE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "journey.h"

/* The JR_TYPE_* letter of a language type (0 for none). */
char scenario_type_letter(jc_type type);

/* Evaluates a value the compiler accepted in a test: a literal, `now`, `now ± D`, or a
 * string holding an ISO-8601 time where a time is due. `now` is the test's clock.
 * Strings point into the syntax tree. Returns false, with a message, when a time
 * string is not an ISO-8601 instant. */
bool scenario_value_of(const jc_node *expression, int64_t now, jr_field_value *value, char *message, size_t size);

/* actual OP expected, for two values of one type: == != < <= > >=. Numbers are equal
 * when they differ by at most 1e-9 of the larger (decayed scores are not exact);
 * strings order by bytes, which is the order of code points. */
bool scenario_value_compare(const jr_field_value *actual, jc_operator op, const jr_field_value *expected);

/* Writes a value as a program would: "pro", 5, true, 2026-03-02T09:00:00.000Z, 1d2h;
 * a value of type JR_TYPE_NULL reads "no value". */
void scenario_value_format(const jr_field_value *value, char *out, size_t size);

/* A duration as text (spec/language.md 3.8): 1d2h, 1m30s, 1.5s, -2h, 0s. */
void scenario_duration_format(int64_t milliseconds, char *out, size_t size);

#endif
