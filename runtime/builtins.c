/* builtins.c: the built-in functions of bytecode/builtins.h (spec/language.md 3.9.1).
 * Each takes its arguments from the top of the stack and leaves its result there; a
 * failure is a run-time error of the coroutine (the message is returned), never a
 * crash. Nothing here depends on the C locale or on libm functions whose last bits
 * vary between machines: text is handled as UTF-8 bytes with ASCII rules, numbers go
 * through numbers.c, zones through timezone.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "numbers.h"
#include "timezone.h"
#include "vm.h"

static const char *const parameter_lists[] = {
#define JR_BUILTIN(id, name, result, parameters, description) parameters,
#include "../bytecode/builtins.h"
#undef JR_BUILTIN
};

enum { DAY_MS = 86400000, HOUR_MS = 3600000, MINUTE_MS = 60000 };

/* The message of a failure that names a value; it lives until this thread's next one. */
static _Thread_local char failure_message[200];

static const char *string_of(jr_vm *vm, jr_value value, uint32_t *length)
{
    return jr_strings_get(&vm->strings, (uint32_t)value, length);
}

/* ---- the calendar ---------------------------------------------------------------------- */

/* add_days and add_months: the count must be whole; the rest is calendar.c's. */
static const char *add_calendar(const char *function, const jr_zone *zone, int64_t t, double months, double days,
                                jr_value *result)
{
    double count = months != 0 ? months : days;
    if (count != floor(count)) {
        snprintf(failure_message, sizeof failure_message, "%s: the number of %s must be a whole number", function,
                 months != 0 ? "months" : "days");
        return failure_message;
    }
    int64_t instant;
    /* Counts this large are out of range anyway; the bound keeps the conversion defined. */
    if (fabs(count) > 1e12 || !jr_calendar_add(zone, t, (int64_t)months, (int64_t)days, &instant)) {
        snprintf(failure_message, sizeof failure_message, "%s: the result is out of the range of times", function);
        return failure_message;
    }
    *result = (jr_value)instant;
    return NULL;
}

/* days, hours and minutes: the amount in milliseconds, rounded, halves away from zero. */
static bool duration_from(double amount, double unit, jr_value *out)
{
    double ms = amount * unit;
    if (!(fabs(ms) < 9.2e18)) return false;
    *out = (jr_value)(int64_t)llround(ms);
    return true;
}

/* Whether a built-in takes a zone name as its last argument. */
static bool takes_zone_name(jr_builtin builtin)
{
    switch (builtin) {
    case JR_BUILTIN_HOUR_IN: case JR_BUILTIN_MINUTE_IN: case JR_BUILTIN_WEEKDAY_IN: case JR_BUILTIN_DAY_IN:
    case JR_BUILTIN_MONTH_IN: case JR_BUILTIN_YEAR_IN: case JR_BUILTIN_DATE_IN: case JR_BUILTIN_START_OF_DAY_IN:
    case JR_BUILTIN_DAYS_BETWEEN_IN: case JR_BUILTIN_ADD_DAYS_IN: case JR_BUILTIN_ADD_MONTHS_IN: return true;
    default: return false;
    }
}

/* The zone named by a string value, or NULL. */
static const jr_zone *named_zone(jr_vm *vm, jr_value name_value)
{
    uint32_t length;
    const char *name = string_of(vm, name_value, &length);
    return vm->zones ? jr_zone_find(vm->zones, name, length) : NULL;
}

static const char *unknown_zone(uint32_t builtin, const char *name, uint32_t length)
{
    /* The name comes from data: show at most 64 bytes, and '?' for control characters. */
    char shown[65];
    uint32_t shown_length = length < 64 ? length : 64;
    for (uint32_t i = 0; i < shown_length; i++)
        shown[i] = (unsigned char)name[i] < 0x20 || name[i] == 0x7F ? '?' : name[i];
    shown[shown_length] = '\0';
    snprintf(failure_message, sizeof failure_message, "%s: unknown time zone \"%s%s\" (test names with is_time_zone)",
             jr_builtin_name(builtin), shown, length > shown_length ? "..." : "");
    return failure_message;
}

/* The functions that read the calendar, in the named zone (their last argument) or the
 * contact's. */
static const char *calendar(jr_vm *vm, uint32_t contact, jr_builtin builtin, const jr_value *argument, uint32_t arity,
                            jr_value *result)
{
    const jr_zone *zone;
    if (takes_zone_name(builtin)) {
        zone = named_zone(vm, argument[arity - 1]);
        if (!zone) {
            uint32_t length;
            const char *name = string_of(vm, argument[arity - 1], &length);
            return unknown_zone(builtin, name, length);
        }
    } else {
        zone = jr_vm_contact_zone(vm, contact);
    }
    int64_t t = (int64_t)argument[0];
    if (builtin == JR_BUILTIN_START_OF_DAY || builtin == JR_BUILTIN_START_OF_DAY_IN) {
        *result = (jr_value)jr_zone_start_of_day(zone, t);
        return NULL;
    }
    if (builtin == JR_BUILTIN_ADD_DAYS || builtin == JR_BUILTIN_ADD_DAYS_IN)
        return add_calendar("add_days", zone, t, 0, jr_as_number(argument[1]), result);
    if (builtin == JR_BUILTIN_ADD_MONTHS || builtin == JR_BUILTIN_ADD_MONTHS_IN)
        return add_calendar("add_months", zone, t, jr_as_number(argument[1]), 0, result);
    jr_civil civil = jr_zone_civil(zone, t);
    switch (builtin) {
    case JR_BUILTIN_HOUR: case JR_BUILTIN_HOUR_IN: *result = jr_from_number(civil.hour); break;
    case JR_BUILTIN_MINUTE: case JR_BUILTIN_MINUTE_IN: *result = jr_from_number(civil.minute); break;
    case JR_BUILTIN_WEEKDAY: case JR_BUILTIN_WEEKDAY_IN: *result = jr_from_number(civil.weekday); break;
    case JR_BUILTIN_DAY: case JR_BUILTIN_DAY_IN: *result = jr_from_number(civil.day); break;
    case JR_BUILTIN_MONTH: case JR_BUILTIN_MONTH_IN: *result = jr_from_number(civil.month); break;
    case JR_BUILTIN_YEAR: case JR_BUILTIN_YEAR_IN: *result = jr_from_number(civil.year); break;
    case JR_BUILTIN_DATE: case JR_BUILTIN_DATE_IN: {
        char text[32];
        int length = snprintf(text, sizeof text, "%04d-%02u-%02u", civil.year, civil.month, civil.day);
        *result = jr_strings_scratch(&vm->strings, text, (uint32_t)length);
        break;
    }
    default: /* days_between */
        *result = jr_from_number((double)jr_calendar_days_between(zone, t, (int64_t)argument[1]));
        break;
    }
    return NULL;
}

/* ---- strings ---------------------------------------------------------------------------- */

static bool is_ascii_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* The byte offset of the character (code point) at a position, or length past the end. */
static uint32_t offset_of_character(const char *text, uint32_t length, double position)
{
    uint32_t offset = 0;
    for (double seen = 0; offset < length; offset++) {
        if (((unsigned char)text[offset] & 0xC0) == 0x80) continue;
        if (seen++ == position) break;
    }
    return offset;
}

static const char *substring(jr_vm *vm, const jr_value *argument, double start, double count, jr_value *result)
{
    if (!(start >= 0 && start == floor(start))) return "substring: the position must be a whole number, 0 or more";
    if (!(count >= 0 && count == floor(count))) return "substring: the count must be a whole number, 0 or more";
    uint32_t length, handle;
    const char *text = string_of(vm, argument[0], &length);
    uint32_t from = offset_of_character(text, length, start);
    uint32_t to = from + offset_of_character(text + from, length - from, count);
    char *out = jr_strings_scratch_reserve(&vm->strings, to - from, &handle);
    if (!out) return "out of memory";
    text = string_of(vm, argument[0], &length); /* the reservation may have moved it */
    memcpy(out, text + from, to - from);
    *result = handle;
    return NULL;
}

static double index_of(const char *text, uint32_t length, const char *part, uint32_t part_length)
{
    double characters = 0;
    for (uint32_t i = 0; i + part_length <= length; i++) {
        if (memcmp(text + i, part, part_length) == 0) return characters;
        if (((unsigned char)text[i] & 0xC0) != 0x80) characters++;
    }
    return -1;
}

static const char *replace(jr_vm *vm, const jr_value *argument, jr_value *result)
{
    uint32_t length, from_length, to_length;
    const char *text = string_of(vm, argument[0], &length);
    const char *from = string_of(vm, argument[1], &from_length);
    string_of(vm, argument[2], &to_length);
    if (from_length == 0) {
        *result = argument[0];
        return NULL;
    }
    uint64_t occurrences = 0;
    for (uint32_t i = 0; i + from_length <= length;)
        if (memcmp(text + i, from, from_length) == 0) {
            occurrences++;
            i += from_length;
        } else {
            i++;
        }
    uint64_t size = length + occurrences * to_length - occurrences * from_length;
    if (size > 16u * 1024 * 1024) return "replace: result longer than 16 MiB";
    uint32_t handle;
    char *out = jr_strings_scratch_reserve(&vm->strings, (uint32_t)size, &handle);
    if (!out) return "out of memory";
    /* The reservation may have moved the scratch strings: read them again. */
    text = string_of(vm, argument[0], &length);
    from = string_of(vm, argument[1], &from_length);
    const char *to = string_of(vm, argument[2], &to_length);
    uint32_t written = 0;
    for (uint32_t i = 0; i < length;) {
        if (i + from_length <= length && memcmp(text + i, from, from_length) == 0) {
            memcpy(out + written, to, to_length);
            written += to_length;
            i += from_length;
        } else {
            out[written++] = text[i++];
        }
    }
    *result = handle;
    return NULL;
}

/* lower, upper and trim: a copy of the string, changed. */
static const char *ascii_transform(jr_vm *vm, jr_builtin builtin, jr_value value, jr_value *result)
{
    uint32_t length, start = 0;
    const char *text = string_of(vm, value, &length);
    uint32_t end = length;
    if (builtin == JR_BUILTIN_TRIM) {
        while (start < end && is_ascii_space((unsigned char)text[start])) start++;
        while (end > start && is_ascii_space((unsigned char)text[end - 1])) end--;
    }
    uint32_t handle;
    char *out = jr_strings_scratch_reserve(&vm->strings, end - start, &handle);
    if (!out) return "out of memory";
    text = string_of(vm, value, &length);
    for (uint32_t i = start; i < end; i++) {
        char c = text[i];
        if (builtin == JR_BUILTIN_LOWER && c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (builtin == JR_BUILTIN_UPPER && c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        out[i - start] = c;
    }
    *result = handle;
    return NULL;
}

/* ---- numbers ------------------------------------------------------------------------ */

static const char *number_result(const char *function, double value, jr_value *result)
{
    if (!isfinite(value)) {
        snprintf(failure_message, sizeof failure_message, "%s: the result is not a finite number", function);
        return failure_message;
    }
    *result = jr_from_number(value);
    return NULL;
}

static const char *power(double x, double y, jr_value *result)
{
    if (x < 0 && y != floor(y)) return "pow: a negative number to a fractional power has no real value";
    if (x == 0 && y < 0) return "pow: zero to a negative power has no finite value";
    return number_result("pow", jr_number_pow(x, y), result);
}

static const char *round_places(double x, double places, jr_value *result)
{
    if (places != floor(places)) return "round: the number of decimal places must be a whole number";
    /* Beyond +-400 places every double is either unchanged or rounded to 0. */
    double clamped = places < -400 ? -400 : places > 400 ? 400 : places;
    double value;
    if (!jr_number_round_places(x, (int)clamped, &value)) return "round: the result is not a finite number";
    *result = jr_from_number(value);
    return NULL;
}

static const char *format_number(jr_vm *vm, double x, double places, jr_value *result)
{
    if (!(places >= 0 && places <= 17) || places != floor(places))
        return "format_number: digits must be a whole number from 0 to 17";
    char text[400];
    int length = jr_number_format_fixed(x, (int)places, text, sizeof text);
    if (length < 0) return "format_number: number too large";
    *result = jr_strings_scratch(&vm->strings, text, (uint32_t)length);
    return NULL;
}

/* ---- the call -------------------------------------------------------------------------- */

const char *jr_call_builtin(jr_vm *vm, uint32_t contact, uint32_t builtin, jr_value *stack, uint32_t *depth)
{
    uint32_t arity = (uint32_t)strlen(parameter_lists[builtin]);
    jr_value *argument = stack + *depth - arity;
    jr_value result = 0;
    const char *problem = NULL;
    double x = arity >= 1 ? jr_as_number(argument[0]) : 0;
    double y = arity >= 2 ? jr_as_number(argument[1]) : 0;

    switch ((jr_builtin)builtin) {
    /* time */
    case JR_BUILTIN_HOUR: case JR_BUILTIN_HOUR_IN: case JR_BUILTIN_MINUTE: case JR_BUILTIN_MINUTE_IN:
    case JR_BUILTIN_WEEKDAY: case JR_BUILTIN_WEEKDAY_IN: case JR_BUILTIN_DAY: case JR_BUILTIN_DAY_IN:
    case JR_BUILTIN_MONTH: case JR_BUILTIN_MONTH_IN: case JR_BUILTIN_YEAR: case JR_BUILTIN_YEAR_IN:
    case JR_BUILTIN_DATE: case JR_BUILTIN_DATE_IN: case JR_BUILTIN_START_OF_DAY: case JR_BUILTIN_START_OF_DAY_IN:
    case JR_BUILTIN_DAYS_BETWEEN: case JR_BUILTIN_DAYS_BETWEEN_IN: case JR_BUILTIN_ADD_DAYS: case JR_BUILTIN_ADD_DAYS_IN:
    case JR_BUILTIN_ADD_MONTHS: case JR_BUILTIN_ADD_MONTHS_IN:
        problem = calendar(vm, contact, (jr_builtin)builtin, argument, arity, &result);
        break;
    case JR_BUILTIN_IS_TIME_ZONE: result = named_zone(vm, argument[0]) != NULL; break;
    case JR_BUILTIN_DAYS:
        if (!duration_from(x, DAY_MS, &result)) problem = "days: duration out of range";
        break;
    case JR_BUILTIN_HOURS:
        if (!duration_from(x, HOUR_MS, &result)) problem = "hours: duration out of range";
        break;
    case JR_BUILTIN_MINUTES:
        if (!duration_from(x, MINUTE_MS, &result)) problem = "minutes: duration out of range";
        break;
    case JR_BUILTIN_IN_DAYS: result = jr_from_number((double)(int64_t)argument[0] / DAY_MS); break;
    case JR_BUILTIN_IN_HOURS: result = jr_from_number((double)(int64_t)argument[0] / HOUR_MS); break;
    case JR_BUILTIN_PARSE_TIME: {
        uint32_t length;
        const char *text = string_of(vm, argument[0], &length);
        int64_t ms;
        if (jr_parse_timestamp(text, length, &ms)) result = (jr_value)ms;
        else problem = "parse_time: not an ISO-8601 timestamp";
        break;
    }
    /* strings */
    case JR_BUILTIN_LOWER: case JR_BUILTIN_UPPER: case JR_BUILTIN_TRIM:
        problem = ascii_transform(vm, (jr_builtin)builtin, argument[0], &result);
        break;
    case JR_BUILTIN_LENGTH: {
        uint32_t length;
        const char *text = string_of(vm, argument[0], &length);
        double characters = 0;
        for (uint32_t i = 0; i < length; i++) characters += ((unsigned char)text[i] & 0xC0) != 0x80;
        result = jr_from_number(characters);
        break;
    }
    case JR_BUILTIN_CONTAINS: case JR_BUILTIN_STARTS_WITH: case JR_BUILTIN_ENDS_WITH: {
        uint32_t length, part_length;
        const char *text = string_of(vm, argument[0], &length);
        const char *part = string_of(vm, argument[1], &part_length);
        bool holds = false;
        if (part_length <= length) {
            if (builtin == JR_BUILTIN_STARTS_WITH) holds = memcmp(text, part, part_length) == 0;
            else if (builtin == JR_BUILTIN_ENDS_WITH) holds = memcmp(text + length - part_length, part, part_length) == 0;
            else holds = index_of(text, length, part, part_length) >= 0;
        }
        result = holds;
        break;
    }
    case JR_BUILTIN_INDEX_OF: {
        uint32_t length, part_length;
        const char *text = string_of(vm, argument[0], &length);
        const char *part = string_of(vm, argument[1], &part_length);
        result = jr_from_number(index_of(text, length, part, part_length));
        break;
    }
    case JR_BUILTIN_SUBSTRING: problem = substring(vm, argument, y, INFINITY, &result); break;
    case JR_BUILTIN_SUBSTRING_COUNT: problem = substring(vm, argument, y, jr_as_number(argument[2]), &result); break;
    case JR_BUILTIN_REPLACE: problem = replace(vm, argument, &result); break;
    case JR_BUILTIN_FORMAT_NUMBER: problem = format_number(vm, x, y, &result); break;
    case JR_BUILTIN_TO_NUMBER: {
        uint32_t length;
        const char *text = string_of(vm, argument[0], &length);
        double value;
        if (jr_number_parse(text, length, &value)) result = jr_from_number(value);
        else problem = "to_number: the text is not a number";
        break;
    }
    /* math */
    case JR_BUILTIN_ABS: result = jr_from_number(fabs(x)); break;
    case JR_BUILTIN_ROUND: result = jr_from_number(round(x)); break;
    case JR_BUILTIN_ROUND_PLACES: problem = round_places(x, y, &result); break;
    case JR_BUILTIN_FLOOR: result = jr_from_number(floor(x)); break;
    case JR_BUILTIN_CEIL: result = jr_from_number(ceil(x)); break;
    case JR_BUILTIN_MIN: result = jr_from_number(x < y ? x : y); break;
    case JR_BUILTIN_MAX: result = jr_from_number(x > y ? x : y); break;
    case JR_BUILTIN_CLAMP: {
        double high = jr_as_number(argument[2]);
        if (y > high) problem = "clamp: the low bound is above the high bound";
        else result = jr_from_number(x < y ? y : x > high ? high : x);
        break;
    }
    case JR_BUILTIN_MOD:
        if (y == 0) problem = "mod: division by zero";
        else result = jr_from_number(x - y * floor(x / y));
        break;
    case JR_BUILTIN_POW: problem = power(x, y, &result); break;
    case JR_BUILTIN_SQRT:
        if (x < 0) problem = "sqrt: negative number";
        else result = jr_from_number(sqrt(x)); /* IEEE-754 rounds sqrt exactly: the same everywhere */
        break;
    case JR_BUILTIN_LOG:
        if (x <= 0) problem = "log: the number must be above zero";
        else result = jr_from_number(jr_number_log(x));
        break;
    case JR_BUILTIN_EXP: problem = number_result("exp", jr_number_exp(x), &result); break;
    default: problem = "unknown built-in function";
    }
    if (problem) return problem;
    *depth -= arity;
    stack[(*depth)++] = result;
    return NULL;
}
