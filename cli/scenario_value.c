/* scenario_value.c: test values: evaluation, comparison, text (scenario_value.h). */
#include "scenario_value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char scenario_type_letter(jc_type type)
{
    switch (type) {
    case JC_TYPE_NUMBER: return JR_TYPE_NUMBER;
    case JC_TYPE_STRING: return JR_TYPE_STRING;
    case JC_TYPE_BOOL: return JR_TYPE_BOOL;
    case JC_TYPE_TIME: return JR_TYPE_TIME;
    case JC_TYPE_DURATION: return JR_TYPE_DURATION;
    default: return 0;
    }
}

/* A duration literal, possibly negated, in milliseconds. */
static int64_t duration_of(const jc_node *expression)
{
    if (expression->kind == JC_NODE_UNARY) return -duration_of(expression->as.unary.operand);
    return expression->as.duration.seconds * 1000;
}

static double number_of(const jc_node *expression)
{
    switch (expression->kind) {
    case JC_NODE_UNARY: return -number_of(expression->as.unary.operand);
    case JC_NODE_PERCENT: return expression->as.percent.value / 100;
    default: return expression->as.number.value;
    }
}

bool scenario_value_of(const jc_node *expression, int64_t now, jr_field_value *value, char *message, size_t size)
{
    memset(value, 0, sizeof *value);
    value->type = scenario_type_letter(expression->type);
    switch (value->type) {
    case JR_TYPE_NUMBER: value->as.number = number_of(expression); break;
    case JR_TYPE_BOOL: value->as.boolean = expression->as.boolean.value; break;
    case JR_TYPE_DURATION: value->as.time = duration_of(expression); break;
    case JR_TYPE_STRING:
        value->as.string.bytes = expression->as.string.bytes;
        value->as.string.length = expression->as.string.length;
        break;
    case JR_TYPE_TIME:
        if (expression->kind == JC_NODE_STRING) {
            if (!jr_parse_timestamp(expression->as.string.bytes, expression->as.string.length, &value->as.time)) {
                snprintf(message, size,
                         "\"%s\" is not a time: write an ISO-8601 instant with its zone, as \"2026-03-02T09:00:00Z\" "
                         "or \"2026-03-02T10:00:00+01:00\"",
                         expression->as.string.bytes);
                return false;
            }
        } else if (expression->kind == JC_NODE_BINARY) {
            int64_t offset = duration_of(expression->as.binary.right);
            value->as.time = now + (expression->as.binary.op == JC_OP_SUBTRACT ? -offset : offset);
        } else {
            value->as.time = now;
        }
        break;
    default:
        snprintf(message, size, "this value has no type");
        return false;
    }
    return true;
}

/* -1, 0 or 1 as a is less than, equal to or greater than b. */
static int order(const jr_field_value *a, const jr_field_value *b)
{
    switch (a->type) {
    case JR_TYPE_NUMBER: {
        double x = a->as.number, y = b->as.number;
        double scale = fmax(1.0, fmax(fabs(x), fabs(y)));
        if (fabs(x - y) <= 1e-9 * scale) return 0;
        return x < y ? -1 : 1;
    }
    case JR_TYPE_BOOL: return a->as.boolean == b->as.boolean ? 0 : a->as.boolean ? 1 : -1;
    case JR_TYPE_STRING: {
        uint32_t shorter = a->as.string.length < b->as.string.length ? a->as.string.length : b->as.string.length;
        int compared = memcmp(a->as.string.bytes, b->as.string.bytes, shorter);
        if (compared) return compared < 0 ? -1 : 1;
        return a->as.string.length == b->as.string.length ? 0 : a->as.string.length < b->as.string.length ? -1 : 1;
    }
    default: return a->as.time == b->as.time ? 0 : a->as.time < b->as.time ? -1 : 1;
    }
}

bool scenario_value_compare(const jr_field_value *actual, jc_operator op, const jr_field_value *expected)
{
    if (actual->type != expected->type) return op == JC_OP_NOT_EQUAL;
    int compared = order(actual, expected);
    switch (op) {
    case JC_OP_EQUAL: return compared == 0;
    case JC_OP_NOT_EQUAL: return compared != 0;
    case JC_OP_LESS: return compared < 0;
    case JC_OP_LESS_EQUAL: return compared <= 0;
    case JC_OP_GREATER: return compared > 0;
    case JC_OP_GREATER_EQUAL: return compared >= 0;
    default: return false;
    }
}

void scenario_duration_format(int64_t milliseconds, char *out, size_t size)
{
    static const struct { int64_t ms; char unit; } units[] = { { 86400000, 'd' }, { 3600000, 'h' }, { 60000, 'm' } };
    if (milliseconds == 0) {
        snprintf(out, size, "0s");
        return;
    }
    uint64_t magnitude = milliseconds < 0 ? 0 - (uint64_t)milliseconds : (uint64_t)milliseconds;
    size_t used = 0;
    if (milliseconds < 0) used += (size_t)snprintf(out, size, "-");
    for (size_t i = 0; i < sizeof units / sizeof *units && used < size; i++)
        if (magnitude >= (uint64_t)units[i].ms) {
            used += (size_t)snprintf(out + used, size - used, "%llu%c",
                                     (unsigned long long)(magnitude / (uint64_t)units[i].ms), units[i].unit);
            magnitude %= (uint64_t)units[i].ms;
        }
    if (magnitude && used < size) {
        char fraction[5] = "";
        if (magnitude % 1000) {
            snprintf(fraction, sizeof fraction, ".%03u", (unsigned)(magnitude % 1000));
            for (int i = 3; fraction[i] == '0'; i--) fraction[i] = '\0';
        }
        snprintf(out + used, size - used, "%llu%ss", (unsigned long long)(magnitude / 1000), fraction);
    }
}

void scenario_value_format(const jr_field_value *value, char *out, size_t size)
{
    switch (value->type) {
    case JR_TYPE_NUMBER: {
        /* whole numbers as such; others in the shortest text that reads back the same */
        double number = value->as.number;
        if (number == floor(number) && fabs(number) < 1e15) {
            snprintf(out, size, "%.0f", number == 0 ? 0.0 : number);
            break;
        }
        for (int precision = 1; precision <= 17; precision++) {
            snprintf(out, size, "%.*g", precision, number);
            if (strtod(out, NULL) == number) break;
        }
        break;
    }
    case JR_TYPE_STRING: snprintf(out, size, "\"%.*s\"", (int)value->as.string.length, value->as.string.bytes); break;
    case JR_TYPE_BOOL: snprintf(out, size, "%s", value->as.boolean ? "true" : "false"); break;
    case JR_TYPE_TIME: {
        char stamp[25];
        jr_format_timestamp(value->as.time, stamp);
        snprintf(out, size, "%s", stamp);
        break;
    }
    case JR_TYPE_DURATION: scenario_duration_format(value->as.time, out, size); break;
    default: snprintf(out, size, "no value"); break;
    }
}
