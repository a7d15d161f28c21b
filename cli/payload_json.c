/* payload_json.c: fields of flat JSON payloads (payload_json.h). */
#include "payload_json.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_value.h"

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

static void append_utf8(char *out, size_t size, size_t *used, unsigned code)
{
    char bytes[4];
    size_t count;
    if (code < 0x80) {
        bytes[0] = (char)code;
        count = 1;
    } else if (code < 0x800) {
        bytes[0] = (char)(0xC0 | code >> 6);
        bytes[1] = (char)(0x80 | (code & 0x3F));
        count = 2;
    } else if (code < 0x10000) {
        bytes[0] = (char)(0xE0 | code >> 12);
        bytes[1] = (char)(0x80 | ((code >> 6) & 0x3F));
        bytes[2] = (char)(0x80 | (code & 0x3F));
        count = 3;
    } else {
        bytes[0] = (char)(0xF0 | code >> 18);
        bytes[1] = (char)(0x80 | ((code >> 12) & 0x3F));
        bytes[2] = (char)(0x80 | ((code >> 6) & 0x3F));
        bytes[3] = (char)(0x80 | (code & 0x3F));
        count = 4;
    }
    for (size_t i = 0; i < count && *used + 1 < size; i++) out[(*used)++] = bytes[i];
}

static bool hex4(const char *p, unsigned *code)
{
    *code = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        unsigned digit = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                         : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                         : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                                : 16u;
        if (digit == 16) return false;
        *code = *code * 16 + digit;
    }
    return true;
}

/* Decodes the JSON string starting at p (at its opening quote) into out; returns the
 * position after the closing quote, or NULL when it is malformed. */
static const char *read_string(const char *p, char *out, size_t size, size_t *length)
{
    size_t used = 0;
    for (p++; *p && *p != '"'; p++) {
        if (*p != '\\') {
            if (used + 1 < size) out[used++] = *p;
            continue;
        }
        p++;
        unsigned code;
        switch (*p) {
        case 'n': code = '\n'; break;
        case 't': code = '\t'; break;
        case 'r': code = '\r'; break;
        case 'b': code = '\b'; break;
        case 'f': code = '\f'; break;
        case 'u':
            if (!hex4(p + 1, &code)) return NULL;
            p += 4;
            if (code >= 0xD800 && code < 0xDC00 && p[1] == '\\' && p[2] == 'u') {
                unsigned low;
                if (hex4(p + 3, &low) && low >= 0xDC00 && low < 0xE000) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    p += 6;
                }
            }
            break;
        case '\0': return NULL;
        default: code = (unsigned char)*p; break; /* \" \\ \/ */
        }
        append_utf8(out, size, &used, code);
    }
    if (*p != '"') return NULL;
    out[used < size ? used : size - 1] = '\0';
    *length = used;
    return p + 1;
}

/* The end of the value at p: after a string's closing quote, or at the ',' or '}'
 * that ends a number or a literal. */
static const char *value_end(const char *p)
{
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++)
            if (*p == '\\' && p[1]) p++;
        return *p ? p + 1 : NULL;
    }
    while (*p && *p != ',' && *p != '}' && *p != ' ') p++;
    return p;
}

static payload_match compare_value(const char *value, const char *end, const jr_field_value *expected)
{
    char text[1024];
    size_t length = 0;
    bool is_string = *value == '"';
    if (is_string && !read_string(value, text, sizeof text, &length)) return PAYLOAD_DIFFERENT;
    if (!is_string) {
        length = (size_t)(end - value) < sizeof text - 1 ? (size_t)(end - value) : sizeof text - 1;
        memcpy(text, value, length);
        text[length] = '\0';
    }
    char wanted[64];
    switch (expected->type) {
    case JR_TYPE_NUMBER: {
        char *after;
        jr_field_value actual = { .type = JR_TYPE_NUMBER };
        actual.as.number = strtod(text, &after);
        if (is_string || after == text || *after) return PAYLOAD_DIFFERENT;
        return scenario_value_compare(&actual, JC_OP_EQUAL, expected) ? PAYLOAD_EQUAL : PAYLOAD_DIFFERENT;
    }
    case JR_TYPE_BOOL:
        return !is_string && strcmp(text, expected->as.boolean ? "true" : "false") == 0 ? PAYLOAD_EQUAL : PAYLOAD_DIFFERENT;
    case JR_TYPE_STRING: {
        if (!is_string) return PAYLOAD_DIFFERENT;
        if (length == expected->as.string.length && memcmp(text, expected->as.string.bytes, length) == 0)
            return PAYLOAD_EQUAL;
        /* The same instant spelled another way: "2026-06-12T16:00:00Z" for the VM's
         * "2026-06-12T16:00:00.000Z". */
        int64_t actual_time, expected_time;
        return jr_parse_timestamp(text, length, &actual_time) &&
                       jr_parse_timestamp(expected->as.string.bytes, expected->as.string.length, &expected_time) &&
                       actual_time == expected_time
                   ? PAYLOAD_EQUAL
                   : PAYLOAD_DIFFERENT;
    }
    case JR_TYPE_TIME:
        jr_format_timestamp(expected->as.time, wanted);
        return is_string && strcmp(text, wanted) == 0 ? PAYLOAD_EQUAL : PAYLOAD_DIFFERENT;
    case JR_TYPE_DURATION:
        scenario_duration_format(expected->as.time, wanted, sizeof wanted);
        return is_string && strcmp(text, wanted) == 0 ? PAYLOAD_EQUAL : PAYLOAD_DIFFERENT;
    default: return PAYLOAD_DIFFERENT;
    }
}

payload_match payload_json_compare(const char *json, const char *key, const jr_field_value *expected, char *found,
                                   size_t size)
{
    found[0] = '\0';
    const char *p = skip_space(json ? json : "");
    if (*p != '{') return PAYLOAD_ABSENT;
    p = skip_space(p + 1);
    while (*p == '"') {
        char name[256];
        size_t name_length;
        p = read_string(p, name, sizeof name, &name_length);
        if (!p) return PAYLOAD_ABSENT;
        p = skip_space(p);
        if (*p != ':') return PAYLOAD_ABSENT;
        const char *value = skip_space(p + 1);
        const char *end = value_end(value);
        if (!end) return PAYLOAD_ABSENT;
        if (strcmp(name, key) == 0) {
            snprintf(found, size, "%.*s", (int)(end - value), value);
            return compare_value(value, end, expected);
        }
        p = skip_space(end);
        if (*p != ',') break;
        p = skip_space(p + 1);
    }
    return PAYLOAD_ABSENT;
}
