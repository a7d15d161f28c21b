// json_reader.cpp: the simdjson adapter of the event readers: parses one line of JSON
// Lines with simdjson's DOM API and exposes, through the C interface of json_reader.h,
// the top-level members a Segment call is read from and the members of its
// "properties" or "traits" object. The only C++ file of the runtime.
//
// Why DOM and not On-Demand. Measured on one-object-per-line Segment data (about 330
// bytes a line; bench/read_events.c), parsing alone runs at about 6.5M lines/s with
// DOM and 9.4M lines/s walking the same lines with On-Demand. DOM is still well above
// the reader's 3M events/s target, and it buys what the reader needs:
//   - the whole line is validated (On-Demand never looks inside values it skips, so
//     `{"context": {"a" 1}, ...}` or a misspelled `tru` would pass unnoticed);
//   - members arrive in any order ("properties" may come before "event") and are
//     looked at after the whole line is known, with no second pass.
// One limit comes with it: simdjson 3.0 rejects an integer outside the 64-bit range
// anywhere in a line, so such a line is reported as bad ("number out of range").
//
// No exceptions cross the C interface: simdjson is used through error codes, and the
// only allocation here uses nothrow new.
#include "json_reader.h"

#include <simdjson.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <new>
#include <string_view>
#include <system_error>

static_assert(JR_JSON_PADDING == simdjson::SIMDJSON_PADDING, "JR_JSON_PADDING must match simdjson");

struct jr_json_parser {
    simdjson::dom::parser parser;
    simdjson::dom::element slot_elements[JR_SLOT_COUNT];
    simdjson::dom::object members;
    simdjson::dom::object::iterator member;
    simdjson::dom::object::iterator members_end;
};

static const char *const json_slot_names[JR_SLOT_COUNT] = {
    "type",   "event",   "userId",    "anonymousId", "timestamp",  "originalTimestamp",
    "sentAt", "receivedAt", "messageId", "name",        "properties", "traits",
};

extern "C" const char *jr_json_slot_name(jr_json_slot slot)
{
    return slot >= 0 && slot < JR_SLOT_COUNT ? json_slot_names[slot] : "?";
}

// The slot a top-level key names, or -1: a switch on the length keeps it to one
// comparison for the keys of a usual line.
static int json_slot_of_key(std::string_view key)
{
    auto is = [&key](jr_json_slot slot) {
        return std::memcmp(key.data(), json_slot_names[slot], key.size()) == 0 ? int(slot) : -1;
    };
    switch (key.size()) {
    case 4: return key[0] == 't' ? is(JR_SLOT_TYPE) : is(JR_SLOT_NAME);
    case 5: return is(JR_SLOT_EVENT);
    case 6: return key[0] == 'u' ? is(JR_SLOT_USER_ID) : key[0] == 's' ? is(JR_SLOT_SENT_AT) : is(JR_SLOT_TRAITS);
    case 9: return key[0] == 't' ? is(JR_SLOT_TIMESTAMP) : is(JR_SLOT_MESSAGE_ID);
    case 10: return key[0] == 'p' ? is(JR_SLOT_PROPERTIES) : is(JR_SLOT_RECEIVED_AT);
    case 11: return is(JR_SLOT_ANONYMOUS_ID);
    case 17: return is(JR_SLOT_ORIGINAL_TIMESTAMP);
    default: return -1;
    }
}

static void json_value_of(simdjson::dom::element element, jr_json_value *out)
{
    using simdjson::dom::element_type;
    switch (element.type()) {
    case element_type::STRING: {
        std::string_view text = element.get_string().value_unsafe();
        out->kind = JR_JSON_STRING;
        out->string = text.data();
        out->length = static_cast<uint32_t>(text.size()); // lines are at most 4 MiB
        break;
    }
    case element_type::INT64:
        out->kind = JR_JSON_NUMBER;
        out->integer_kind = JR_JSON_SIGNED;
        out->signed_integer = element.get_int64().value_unsafe();
        out->number = static_cast<double>(out->signed_integer);
        break;
    case element_type::UINT64:
        out->kind = JR_JSON_NUMBER;
        out->integer_kind = JR_JSON_UNSIGNED;
        out->unsigned_integer = element.get_uint64().value_unsafe();
        out->number = static_cast<double>(out->unsigned_integer);
        break;
    case element_type::DOUBLE:
        out->kind = JR_JSON_NUMBER;
        out->integer_kind = JR_JSON_NOT_INTEGER;
        out->number = element.get_double().value_unsafe();
        break;
    case element_type::BOOL:
        out->kind = JR_JSON_BOOL;
        out->boolean = element.get_bool().value_unsafe();
        break;
    case element_type::NULL_VALUE: out->kind = JR_JSON_NULL; break;
    case element_type::OBJECT: out->kind = JR_JSON_OBJECT; break;
    case element_type::ARRAY: out->kind = JR_JSON_ARRAY; break;
    }
}

// A short, precise message for each way a line can fail to parse.
static const char *json_error_text(simdjson::error_code error)
{
    switch (error) {
    case simdjson::UTF8_ERROR: return "invalid UTF-8";
    case simdjson::UNCLOSED_STRING: return "invalid JSON: unterminated string";
    case simdjson::UNESCAPED_CHARS:
        return "invalid JSON: control character (such as a NUL byte or a tab) not escaped in a string";
    case simdjson::STRING_ERROR: return "invalid JSON: bad escape sequence in a string";
    case simdjson::T_ATOM_ERROR: return "invalid JSON: bad literal (expected true)";
    case simdjson::F_ATOM_ERROR: return "invalid JSON: bad literal (expected false)";
    case simdjson::N_ATOM_ERROR: return "invalid JSON: bad literal (expected null)";
    case simdjson::NUMBER_ERROR: return "invalid JSON: malformed number, or an integer out of the 64-bit range";
    case simdjson::DEPTH_ERROR: return "invalid JSON: nested too deeply";
    case simdjson::EMPTY: return "invalid JSON: no value";
    case simdjson::TAPE_ERROR:
        return "invalid JSON: bad structure (a missing or extra comma, colon, quote, brace or bracket, "
               "or text after the object)";
    default: return "invalid JSON";
    }
}

extern "C" jr_json_parser *jr_json_parser_new(void)
{
    return new (std::nothrow) jr_json_parser();
}

extern "C" void jr_json_parser_free(jr_json_parser *parser)
{
    delete parser;
}

extern "C" jr_json_status jr_json_parse_line(jr_json_parser *parser, const char *line, size_t length,
                                             jr_json_line *out, char *message, size_t message_size)
{
    out->present = 0;
    simdjson::dom::element root;
    simdjson::error_code error = parser->parser.parse(line, length, false).get(root);
    if (error == simdjson::MEMALLOC || error == simdjson::CAPACITY) return JR_JSON_NO_MEMORY;
    if (error) {
        std::snprintf(message, message_size, "%s", json_error_text(error));
        return JR_JSON_BAD;
    }
    simdjson::dom::object object;
    if (root.get_object().get(object)) {
        std::snprintf(message, message_size, "not a JSON object");
        return JR_JSON_BAD;
    }
    for (simdjson::dom::key_value_pair member : object) {
        int slot = json_slot_of_key(member.key);
        if (slot < 0) continue;
        uint32_t bit = 1u << slot;
        if (out->present & bit) {
            std::snprintf(message, message_size, "duplicate key \"%s\"", json_slot_names[slot]);
            return JR_JSON_BAD;
        }
        out->present |= bit;
        json_value_of(member.value, &out->slots[slot]);
        parser->slot_elements[slot] = member.value;
    }
    return JR_JSON_OK;
}

extern "C" void jr_json_members_begin(jr_json_parser *parser, jr_json_slot slot)
{
    parser->members = parser->slot_elements[slot].get_object().value_unsafe();
    parser->member = parser->members.begin();
    parser->members_end = parser->members.end();
}

extern "C" bool jr_json_members_next(jr_json_parser *parser, const char **key, uint32_t *key_length,
                                     jr_json_value *value)
{
    if (parser->member == parser->members_end) return false;
    std::string_view name = parser->member.key();
    *key = name.data();
    *key_length = static_cast<uint32_t>(name.size());
    json_value_of(parser->member.value(), value);
    ++parser->member;
    return true;
}

extern "C" bool jr_json_validate_utf8(const char *text, size_t length)
{
    return simdjson::validate_utf8(text, length);
}

extern "C" bool jr_json_parse_number_text(const char *text, size_t length, double *number)
{
    // The grammar first: std::from_chars would also take "inf", "nan" and hex digits.
    size_t at = 0;
    if (at < length && text[at] == '-') at++;
    size_t digits_from = at;
    while (at < length && text[at] >= '0' && text[at] <= '9') at++;
    if (at == digits_from) return false;
    if (at < length && text[at] == '.') {
        size_t fraction_from = ++at;
        while (at < length && text[at] >= '0' && text[at] <= '9') at++;
        if (at == fraction_from) return false;
    }
    if (at < length && (text[at] == 'e' || text[at] == 'E')) {
        at++;
        if (at < length && (text[at] == '+' || text[at] == '-')) at++;
        size_t exponent_from = at;
        while (at < length && text[at] >= '0' && text[at] <= '9') at++;
        if (at == exponent_from) return false;
    }
    if (at != length) return false;
    double value = 0;
    std::from_chars_result result = std::from_chars(text, text + length, value);
    if (result.ptr != text + length) return false;
    if (result.ec == std::errc::result_out_of_range) {
        // Too small to tell from zero (1e-400) reads as zero; too large is no number.
        const char *exponent = static_cast<const char *>(std::memchr(text, 'e', length));
        if (!exponent) exponent = static_cast<const char *>(std::memchr(text, 'E', length));
        if (!exponent || exponent[1] != '-') return false;
        value = text[0] == '-' ? -0.0 : 0.0;
    } else if (result.ec != std::errc()) {
        return false;
    }
    *number = value;
    return true;
}
