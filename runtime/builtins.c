/* builtins.c: the built-in functions of bytecode/builtins.h. Each takes its arguments
 * from the top of the stack and leaves its result there; a failure is a run-time error
 * of the coroutine (the message is returned), never a crash. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timezone.h"
#include "vm.h"

static const char *const parameter_lists[] = {
#define JR_BUILTIN(id, name, result, parameters, description) parameters,
#include "../bytecode/builtins.h"
#undef JR_BUILTIN
};

enum { DAY_MS = 86400000, HOUR_MS = 3600000, MINUTE_MS = 60000 };

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t year, unsigned month, unsigned day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    unsigned year_of_era = (unsigned)(year - era * 400);
    unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + (int64_t)day_of_era - 719468;
}

static const char *string_of(jr_vm *vm, jr_value value, uint32_t *length)
{
    return jr_strings_get(&vm->strings, (uint32_t)value, length);
}

static bool duration_from(double amount, double unit, jr_value *out)
{
    double ms = amount * unit;
    if (!(fabs(ms) < 9.2e18)) return false;
    *out = (jr_value)(int64_t)llround(ms);
    return true;
}

const char *jr_call_builtin(jr_vm *vm, uint32_t contact, uint32_t builtin, jr_value *stack, uint32_t *depth)
{
    uint32_t arity = (uint32_t)strlen(parameter_lists[builtin]);
    jr_value *argument = stack + *depth - arity;
    jr_value result = 0;
    double x = arity >= 1 ? jr_as_number(argument[0]) : 0;
    double y = arity >= 2 ? jr_as_number(argument[1]) : 0;
    switch ((jr_builtin)builtin) {
    case JR_BUILTIN_HOUR: case JR_BUILTIN_MINUTE: case JR_BUILTIN_WEEKDAY: case JR_BUILTIN_DAY: case JR_BUILTIN_MONTH:
    case JR_BUILTIN_YEAR: {
        jr_civil civil = jr_zone_civil(jr_vm_contact_zone(vm, contact), (int64_t)argument[0]);
        double value = builtin == JR_BUILTIN_HOUR      ? civil.hour
                       : builtin == JR_BUILTIN_MINUTE  ? civil.minute
                       : builtin == JR_BUILTIN_WEEKDAY ? civil.weekday
                       : builtin == JR_BUILTIN_DAY     ? civil.day
                       : builtin == JR_BUILTIN_MONTH   ? civil.month
                                                       : civil.year;
        result = jr_from_number(value);
        break;
    }
    case JR_BUILTIN_DATE: {
        jr_civil civil = jr_zone_civil(jr_vm_contact_zone(vm, contact), (int64_t)argument[0]);
        char text[32];
        int length = snprintf(text, sizeof text, "%04d-%02u-%02u", civil.year, civil.month, civil.day);
        result = jr_strings_scratch(&vm->strings, text, (uint32_t)length);
        break;
    }
    case JR_BUILTIN_START_OF_DAY:
        result = (jr_value)jr_zone_start_of_day(jr_vm_contact_zone(vm, contact), (int64_t)argument[0]);
        break;
    case JR_BUILTIN_DAYS_BETWEEN: {
        /* Calendar days between the two local dates in the contact's zone. */
        const struct jr_zone *zone = jr_vm_contact_zone(vm, contact);
        jr_civil from = jr_zone_civil(zone, (int64_t)argument[0]), to = jr_zone_civil(zone, (int64_t)argument[1]);
        result = jr_from_number((double)(days_from_civil(to.year, to.month, to.day) -
                                         days_from_civil(from.year, from.month, from.day)));
        break;
    }
    case JR_BUILTIN_DAYS:
        if (!duration_from(x, DAY_MS, &result)) return "days: duration out of range";
        break;
    case JR_BUILTIN_HOURS:
        if (!duration_from(x, HOUR_MS, &result)) return "hours: duration out of range";
        break;
    case JR_BUILTIN_MINUTES:
        if (!duration_from(x, MINUTE_MS, &result)) return "minutes: duration out of range";
        break;
    case JR_BUILTIN_IN_DAYS: result = jr_from_number((double)(int64_t)argument[0] / DAY_MS); break;
    case JR_BUILTIN_IN_HOURS: result = jr_from_number((double)(int64_t)argument[0] / HOUR_MS); break;
    case JR_BUILTIN_PARSE_TIME: {
        uint32_t length;
        const char *text = string_of(vm, argument[0], &length);
        int64_t ms;
        if (!jr_parse_timestamp(text, length, &ms)) return "parse_time: not an ISO-8601 timestamp";
        result = (jr_value)ms;
        break;
    }
    case JR_BUILTIN_LOWER: case JR_BUILTIN_UPPER: {
        uint32_t length, handle;
        string_of(vm, argument[0], &length);
        char *out = jr_strings_scratch_reserve(&vm->strings, length, &handle);
        if (!out) return "out of memory";
        const char *text = string_of(vm, argument[0], &length);
        for (uint32_t i = 0; i < length; i++) {
            unsigned char c = (unsigned char)text[i];
            out[i] = (char)(c < 0x80 ? (builtin == JR_BUILTIN_LOWER ? tolower(c) : toupper(c)) : c);
        }
        result = handle;
        break;
    }
    case JR_BUILTIN_TRIM: {
        uint32_t length;
        const char *text = string_of(vm, argument[0], &length);
        uint32_t start = 0, end = length;
        while (start < end && isspace((unsigned char)text[start])) start++;
        while (end > start && isspace((unsigned char)text[end - 1])) end--;
        uint32_t handle;
        char *out = jr_strings_scratch_reserve(&vm->strings, end - start, &handle);
        if (!out) return "out of memory";
        text = string_of(vm, argument[0], &length);
        memcpy(out, text + start, end - start);
        result = handle;
        break;
    }
    case JR_BUILTIN_LENGTH: {
        uint32_t length, characters = 0;
        const char *text = string_of(vm, argument[0], &length);
        for (uint32_t i = 0; i < length; i++)
            if (((unsigned char)text[i] & 0xC0) != 0x80) characters++;
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
            else
                for (uint32_t i = 0; i + part_length <= length && !holds; i++)
                    holds = memcmp(text + i, part, part_length) == 0;
        }
        result = holds;
        break;
    }
    case JR_BUILTIN_REPLACE: {
        uint32_t length, from_length, to_length;
        const char *text = string_of(vm, argument[0], &length);
        const char *from = string_of(vm, argument[1], &from_length);
        string_of(vm, argument[2], &to_length);
        if (from_length == 0) {
            result = argument[0];
            break;
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
        result = handle;
        break;
    }
    case JR_BUILTIN_FORMAT_NUMBER: {
        if (!(y >= 0 && y <= 17) || y != floor(y)) return "format_number: digits must be a whole number from 0 to 17";
        char text[400];
        int length = snprintf(text, sizeof text, "%.*f", (int)y, x);
        if (length < 0 || (size_t)length >= sizeof text) return "format_number: number too large";
        result = jr_strings_scratch(&vm->strings, text, (uint32_t)length);
        break;
    }
    case JR_BUILTIN_TO_NUMBER: {
        uint32_t length;
        const char *text = string_of(vm, argument[0], &length);
        char buffer[64];
        if (length == 0 || length >= sizeof buffer) return "to_number: the text is not a number";
        memcpy(buffer, text, length);
        buffer[length] = '\0';
        char *end;
        double value = strtod(buffer, &end);
        if (*end != '\0' || !isfinite(value) || isspace((unsigned char)buffer[0]))
            return "to_number: the text is not a number";
        result = jr_from_number(value);
        break;
    }
    case JR_BUILTIN_ABS: result = jr_from_number(fabs(x)); break;
    case JR_BUILTIN_ROUND: result = jr_from_number(round(x)); break;
    case JR_BUILTIN_FLOOR: result = jr_from_number(floor(x)); break;
    case JR_BUILTIN_CEIL: result = jr_from_number(ceil(x)); break;
    case JR_BUILTIN_MIN: result = jr_from_number(x < y ? x : y); break;
    case JR_BUILTIN_MAX: result = jr_from_number(x > y ? x : y); break;
    case JR_BUILTIN_CLAMP: {
        double high = jr_as_number(argument[2]);
        if (y > high) return "clamp: the low bound is above the high bound";
        result = jr_from_number(x < y ? y : x > high ? high : x);
        break;
    }
    case JR_BUILTIN_MOD:
        if (y == 0) return "mod: division by zero";
        result = jr_from_number(x - y * floor(x / y));
        break;
    case JR_BUILTIN_POW: {
        double value = pow(x, y);
        if (!isfinite(value)) return "pow: the result is not a finite number";
        result = jr_from_number(value);
        break;
    }
    case JR_BUILTIN_SQRT:
        if (x < 0) return "sqrt: negative number";
        result = jr_from_number(sqrt(x));
        break;
    default: return "unknown built-in function";
    }
    *depth -= arity;
    stack[(*depth)++] = result;
    return NULL;
}
