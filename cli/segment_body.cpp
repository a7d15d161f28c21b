// segment_body.cpp: the bodies of journey run's HTTP endpoint, read with simdjson's DOM
// API and written back as the lines the runtime reads (segment_body.h, spec/ingest.md).
//
// Why rewrite rather than splice. Each event is written anew from the parsed document:
// its "type" and final "timestamp" first, then its other members in their order, every
// string escaped by the writer below. Splicing the body's own text between new members
// would be cheaper, but its correctness would rest on byte positions that DOM does not
// keep, and a raw line break or a byte the reader refuses could slip through with it;
// written anew, every line is valid JSON on one line by construction. The cost (numbers
// are written in their shortest form, "1.50" becomes 1.5) changes no value.
//
// No exception crosses the C interface: simdjson is used through error codes, and the
// lines are built in a std::string whose std::bad_alloc is caught at the boundary.
#include "segment_body.h"

#include <simdjson.h>

#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <vector>

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Bytes of a user's text quoted in a message, at most (the message holds 256).
constexpr size_t quoted_text_limit = 40;

struct normalizer {
    segment_endpoint endpoint;
    int64_t received_at;
    char *message;
    size_t message_size;
    std::string lines;
    uint32_t event_count = 0;
    uint32_t skipped = 0;
    std::vector<uint32_t> call_indexes; // of a batch: the call each line comes from
};

// Records why the body is refused, with "batch[N]: " before it for an event of a batch.
__attribute__((format(printf, 3, 4))) bool refuse(normalizer &state, long batch_index, const char *format, ...)
{
    char reason[224];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(reason, sizeof reason, format, arguments);
    va_end(arguments);
    if (batch_index >= 0) std::snprintf(state.message, state.message_size, "batch[%ld]: %s", batch_index, reason);
    else std::snprintf(state.message, state.message_size, "%s", reason);
    return false;
}

// A user's text fit for a message: at most quoted_text_limit bytes, cut on a character
// boundary and marked "..." when cut, control characters shown as '?'.
std::string quoted(std::string_view text)
{
    std::string out;
    size_t end = text.size();
    bool cut = end > quoted_text_limit;
    if (cut) {
        end = quoted_text_limit;
        while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) end--;
    }
    out += '"';
    for (size_t i = 0; i < end; i++) out += static_cast<unsigned char>(text[i]) < 0x20 ? '?' : text[i];
    out += cut ? "...\"" : "\"";
    return out;
}

const char *json_error_text(simdjson::error_code error)
{
    switch (error) {
    case simdjson::UTF8_ERROR: return "invalid UTF-8";
    case simdjson::UNCLOSED_STRING: return "invalid JSON: unterminated string";
    case simdjson::UNESCAPED_CHARS: return "invalid JSON: control character not escaped in a string";
    case simdjson::STRING_ERROR: return "invalid JSON: bad escape sequence in a string";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR: return "invalid JSON: bad literal (true, false or null misspelt)";
    case simdjson::NUMBER_ERROR: return "invalid JSON: malformed number, or an integer out of the 64-bit range";
    case simdjson::DEPTH_ERROR: return "invalid JSON: nested too deeply";
    case simdjson::EMPTY: return "the body is empty";
    case simdjson::TAPE_ERROR:
        return "invalid JSON: bad structure (a missing or extra comma, colon, quote, brace or bracket, "
               "or text after the value)";
    default: return "invalid JSON";
    }
}

// ---- writing JSON ------------------------------------------------------------------

void write_string(std::string &out, std::string_view text)
{
    static const char hex[] = "0123456789abcdef";
    out += '"';
    for (char c : text) {
        unsigned char byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20) {
            out += "\\u00";
            out += hex[byte >> 4];
            out += hex[byte & 15];
        } else {
            out += c;
        }
    }
    out += '"';
}

template <typename Number> void write_number(std::string &out, Number number)
{
    char digits[32];
    std::to_chars_result written = std::to_chars(digits, digits + sizeof digits, number);
    out.append(digits, written.ptr);
}

// Any value, as compact JSON. Recursion is bounded by simdjson's depth limit (1024).
void write_value(std::string &out, element value)
{
    switch (value.type()) {
    case element_type::STRING: write_string(out, value.get_string().value_unsafe()); break;
    case element_type::INT64: write_number(out, value.get_int64().value_unsafe()); break;
    case element_type::UINT64: write_number(out, value.get_uint64().value_unsafe()); break;
    case element_type::DOUBLE: write_number(out, value.get_double().value_unsafe()); break;
    case element_type::BOOL: out += value.get_bool().value_unsafe() ? "true" : "false"; break;
    case element_type::NULL_VALUE: out += "null"; break;
    case element_type::ARRAY: {
        out += '[';
        bool first = true;
        simdjson::dom::array items = value.get_array().value_unsafe();
        for (element item : items) {
            if (!first) out += ',';
            first = false;
            write_value(out, item);
        }
        out += ']';
        break;
    }
    case element_type::OBJECT: {
        out += '{';
        bool first = true;
        object members = value.get_object().value_unsafe();
        for (simdjson::dom::key_value_pair member : members) {
            if (!first) out += ',';
            first = false;
            write_string(out, member.key);
            out += ':';
            write_value(out, member.value);
        }
        out += '}';
        break;
    }
    }
}

// ---- reading a call -----------------------------------------------------------------

// The members of a call the normalizer itself reads; each may appear once.
enum call_member { MEMBER_TYPE, MEMBER_TIMESTAMP, MEMBER_ORIGINAL_TIMESTAMP, MEMBER_SENT_AT, MEMBER_RECEIVED_AT,
                   MEMBER_WRITE_KEY, MEMBER_COUNT };
const char *const call_member_names[MEMBER_COUNT] = { "type",   "timestamp",  "originalTimestamp",
                                                      "sentAt", "receivedAt", "writeKey" };

int call_member_of(std::string_view key)
{
    for (int member = 0; member < MEMBER_COUNT; member++)
        if (key == call_member_names[member]) return member;
    return -1;
}

struct call_members {
    bool present[MEMBER_COUNT] = {};
    element values[MEMBER_COUNT];

    // Present and not null: Segment treats a null member as an absent one.
    bool given(call_member member) const
    {
        return present[member] && values[member].type() != element_type::NULL_VALUE;
    }
};

// Collects the members the normalizer reads; false on a repeated one.
bool collect_members(normalizer &state, long batch_index, object call, call_members &members)
{
    for (simdjson::dom::key_value_pair member : call) {
        int which = call_member_of(member.key);
        if (which < 0) continue;
        if (members.present[which])
            return refuse(state, batch_index, "duplicate key \"%s\"", call_member_names[which]);
        members.present[which] = true;
        members.values[which] = member.value;
    }
    return true;
}

// A time member: a string holding an ISO-8601 timestamp.
bool read_time(normalizer &state, long batch_index, const char *name, element value, int64_t *milliseconds)
{
    std::string_view text;
    if (value.get_string().get(text))
        return refuse(state, batch_index, "\"%s\" is not a string (an ISO-8601 timestamp is expected)", name);
    if (!jr_parse_timestamp(text.data(), text.size(), milliseconds))
        return refuse(state, batch_index, "\"%s\" is not an ISO-8601 timestamp: %s", name, quoted(text).c_str());
    return true;
}

// The call's type: the endpoint's for /v1/track, /v1/identify and /v1/page (a "type"
// member, if any, must agree); its own for a call of a batch. *skip is set for a call
// of a batch whose type is Segment's but not read by journey (screen, group, alias):
// an SDK batches every call it makes, and its track calls must not be lost for them.
bool read_type(normalizer &state, long batch_index, const call_members &members, segment_endpoint *type, bool *skip)
{
    *skip = false;
    if (!members.given(MEMBER_TYPE)) {
        if (state.endpoint == SEGMENT_BATCH)
            return refuse(state, batch_index, "no \"type\" (each call of a batch says track, identify or page)");
        *type = state.endpoint;
        return true;
    }
    std::string_view text;
    if (members.values[MEMBER_TYPE].get_string().get(text)) return refuse(state, batch_index, "\"type\" is not a string");
    segment_endpoint named = SEGMENT_BATCH;
    for (segment_endpoint candidate : { SEGMENT_TRACK, SEGMENT_IDENTIFY, SEGMENT_PAGE })
        if (text == segment_endpoint_name(candidate)) named = candidate;
    if (named == SEGMENT_BATCH) {
        if (text == "screen" || text == "group" || text == "alias") {
            if (state.endpoint == SEGMENT_BATCH) {
                *skip = true;
                return true;
            }
            return refuse(state, batch_index, "\"type\" is \"%.*s\" but this is the %s endpoint (/v1/%s)",
                          static_cast<int>(text.size()), text.data(), segment_endpoint_name(state.endpoint),
                          segment_endpoint_name(state.endpoint));
        }
        return refuse(state, batch_index, "unknown type %s (expected track, identify or page)", quoted(text).c_str());
    }
    if (state.endpoint != SEGMENT_BATCH && named != state.endpoint)
        return refuse(state, batch_index, "\"type\" is \"%s\" but this is the %s endpoint (/v1/%s)",
                      segment_endpoint_name(named), segment_endpoint_name(state.endpoint),
                      segment_endpoint_name(state.endpoint));
    *type = named;
    return true;
}

// The event's time, by Segment's rules: its "timestamp" (else "originalTimestamp"),
// moved by the client's clock skew (received_at - sentAt) when "sentAt" is known (the
// call's own, else the batch's); with neither, the time the request was received.
// Never later than that time.
bool read_event_time(normalizer &state, long batch_index, const call_members &members, const int64_t *batch_sent_at,
                     int64_t *event_time)
{
    call_member source = members.given(MEMBER_TIMESTAMP) ? MEMBER_TIMESTAMP : MEMBER_ORIGINAL_TIMESTAMP;
    bool own_sent_at = members.given(MEMBER_SENT_AT);
    int64_t sent_at = 0;
    if (own_sent_at && !read_time(state, batch_index, "sentAt", members.values[MEMBER_SENT_AT], &sent_at)) return false;
    if (!own_sent_at && batch_sent_at) sent_at = *batch_sent_at;
    int64_t time = state.received_at;
    if (members.given(source)) {
        if (!read_time(state, batch_index, call_member_names[source], members.values[source], &time)) return false;
        if (own_sent_at || batch_sent_at) time += state.received_at - sent_at;
    }
    *event_time = time < state.received_at ? time : state.received_at;
    return true;
}

// One call, appended to the lines: {"type":..,"timestamp":..,"receivedAt":.., then its
// members but those three and "writeKey"}.
bool normalize_call(normalizer &state, long batch_index, element call, const int64_t *batch_sent_at)
{
    object members_object;
    if (call.get_object().get(members_object))
        return refuse(state, batch_index, batch_index >= 0 ? "not a JSON object" : "the body is not a JSON object");
    call_members members;
    if (!collect_members(state, batch_index, members_object, members)) return false;
    segment_endpoint type = SEGMENT_TRACK;
    bool skip = false;
    if (!read_type(state, batch_index, members, &type, &skip)) return false;
    if (skip) {
        state.skipped++;
        return true;
    }
    int64_t event_time;
    if (!read_event_time(state, batch_index, members, batch_sent_at, &event_time)) return false;

    char timestamp[25], received[25];
    jr_format_timestamp(event_time, timestamp);
    jr_format_timestamp(state.received_at, received);
    std::string &out = state.lines;
    out += "{\"type\":\"";
    out += segment_endpoint_name(type);
    out += "\",\"timestamp\":\"";
    out += timestamp;
    out += "\",\"receivedAt\":\"";
    out += received;
    out += '"';
    for (simdjson::dom::key_value_pair member : members_object) {
        int which = call_member_of(member.key);
        if (which == MEMBER_TYPE || which == MEMBER_TIMESTAMP || which == MEMBER_RECEIVED_AT ||
            which == MEMBER_WRITE_KEY)
            continue;
        out += ',';
        write_string(out, member.key);
        out += ':';
        write_value(out, member.value);
    }
    out += "}\n";
    state.event_count++;
    if (batch_index >= 0) state.call_indexes.push_back(static_cast<uint32_t>(batch_index));
    return true;
}

// The body's "writeKey", if it is a string, copied out for the caller's check.
bool copy_write_key(object body, segment_body *out)
{
    std::string_view key;
    if (body["writeKey"].get_string().get(key)) return true;
    out->write_key = static_cast<char *>(std::malloc(key.size() + 1));
    if (!out->write_key) return false;
    std::memcpy(out->write_key, key.data(), key.size());
    out->write_key[key.size()] = '\0';
    out->write_key_length = key.size();
    return true;
}

// {"batch": [call, ...], "sentAt": .., "writeKey": ..}: other top-level members
// ("context", "integrations") are not copied into the calls (spec/ingest.md says why).
bool normalize_batch(normalizer &state, object body)
{
    static const char *const read_here[] = { "batch", "sentAt", "writeKey" };
    element values[3];
    bool present[3] = {};
    for (simdjson::dom::key_value_pair member : body) {
        for (int which = 0; which < 3; which++) {
            if (member.key != read_here[which]) continue;
            if (present[which]) return refuse(state, -1, "duplicate key \"%s\"", read_here[which]);
            present[which] = true;
            values[which] = member.value;
        }
    }
    if (!present[0]) return refuse(state, -1, "no \"batch\" (the batch endpoint takes {\"batch\": [call, ...]})");
    simdjson::dom::array calls;
    if (values[0].get_array().get(calls)) return refuse(state, -1, "\"batch\" is not an array");
    int64_t sent_at;
    bool has_sent_at = present[1] && values[1].type() != element_type::NULL_VALUE;
    if (has_sent_at && !read_time(state, -1, "sentAt", values[1], &sent_at)) return false;
    long index = 0;
    for (element call : calls)
        if (!normalize_call(state, index++, call, has_sent_at ? &sent_at : nullptr)) return false;
    return true;
}

segment_body_status normalize(normalizer &state, const char *body, size_t length, segment_body *out)
{
    simdjson::dom::parser parser;
    element root;
    simdjson::error_code error = parser.parse(body, length, true).get(root);
    if (error == simdjson::MEMALLOC) return SEGMENT_BODY_FAILED;
    if (error) {
        refuse(state, -1, "%s", error == simdjson::CAPACITY ? "the body is too large to parse" : json_error_text(error));
        return SEGMENT_BODY_BAD;
    }
    object top;
    if (root.get_object().get(top)) {
        refuse(state, -1, "the body is not a JSON object%s",
               state.endpoint == SEGMENT_BATCH ? " (the batch endpoint takes {\"batch\": [call, ...]})" : "");
        return SEGMENT_BODY_BAD;
    }
    if (!copy_write_key(top, out)) return SEGMENT_BODY_FAILED;
    bool ok = state.endpoint == SEGMENT_BATCH ? normalize_batch(state, top) : normalize_call(state, -1, root, nullptr);
    if (!ok) return SEGMENT_BODY_BAD;
    out->skipped = state.skipped;
    if (state.lines.empty()) return SEGMENT_BODY_OK;
    if (!state.call_indexes.empty()) {
        out->call_indexes = static_cast<uint32_t *>(std::malloc(state.call_indexes.size() * sizeof(uint32_t)));
        if (!out->call_indexes) return SEGMENT_BODY_FAILED;
        std::memcpy(out->call_indexes, state.call_indexes.data(), state.call_indexes.size() * sizeof(uint32_t));
    }
    out->lines = static_cast<char *>(std::malloc(state.lines.size()));
    if (!out->lines) return SEGMENT_BODY_FAILED;
    std::memcpy(out->lines, state.lines.data(), state.lines.size());
    out->length = state.lines.size();
    out->event_count = state.event_count;
    return SEGMENT_BODY_OK;
}

} // namespace

extern "C" const char *segment_endpoint_name(segment_endpoint endpoint)
{
    switch (endpoint) {
    case SEGMENT_TRACK: return "track";
    case SEGMENT_IDENTIFY: return "identify";
    case SEGMENT_PAGE: return "page";
    case SEGMENT_BATCH: return "batch";
    }
    return "?";
}

extern "C" segment_body_status segment_body_normalize(segment_endpoint endpoint, const char *body, size_t length,
                                                      int64_t received_at, segment_body *out, char *message,
                                                      size_t message_size)
{
    *out = segment_body{};
    if (message_size) message[0] = '\0';
    segment_body_status status;
    try {
        normalizer state{ endpoint, received_at, message, message_size, {}, 0, 0, {} };
        status = normalize(state, body, length, out);
    } catch (const std::bad_alloc &) {
        status = SEGMENT_BODY_FAILED;
    }
    if (status != SEGMENT_BODY_OK) {
        std::free(out->lines);
        std::free(out->call_indexes);
        out->call_indexes = nullptr;
        out->lines = nullptr;
        out->length = 0;
        out->event_count = 0;
    }
    if (status == SEGMENT_BODY_FAILED) std::snprintf(message, message_size, "out of memory");
    return status;
}

extern "C" segment_body_status segment_body_check_events(const jr_schema *schema, segment_endpoint endpoint,
                                                         const segment_body *body, char *message,
                                                         size_t message_size)
{
    if (body->event_count == 0) return SEGMENT_BODY_OK;
    jr_read_error error;
    jr_event_reader *reader = jr_reader_open_memory(schema, body->lines, body->length, JR_LOG_JSONL, &error);
    if (!reader) {
        std::snprintf(message, message_size, "out of memory");
        return SEGMENT_BODY_FAILED;
    }
    segment_body_status status = SEGMENT_BODY_OK;
    uint32_t events = 0;
    for (;;) {
        jr_event event;
        jr_read_status read = jr_reader_next(reader, &event, &error);
        if (read == JR_READ_EVENT) {
            events++;
            continue;
        }
        if (read == JR_READ_END) break;
        status = read == JR_READ_BAD_LINE ? SEGMENT_BODY_BAD : SEGMENT_BODY_FAILED;
        if (read != JR_READ_BAD_LINE)
            std::snprintf(message, message_size, "%s", read == JR_READ_NO_MEMORY ? "out of memory" : error.message);
        else if (endpoint == SEGMENT_BATCH)
            std::snprintf(message, message_size, "batch[%llu]: %s",
                          static_cast<unsigned long long>(body->call_indexes && error.line - 1 < body->event_count
                                                              ? body->call_indexes[error.line - 1]
                                                              : error.line - 1),
                          error.message);
        else
            std::snprintf(message, message_size, "%s", error.message);
        break;
    }
    jr_reader_close(reader);
    // Each line is one event: anything else is a fault of the normalizer, not of the body.
    if (status == SEGMENT_BODY_OK && events != body->event_count) {
        std::snprintf(message, message_size, "internal error: %u lines read as %u events", body->event_count, events);
        status = SEGMENT_BODY_FAILED;
    }
    return status;
}

extern "C" void segment_body_free(segment_body *body)
{
    std::free(body->lines);
    std::free(body->write_key);
    std::free(body->call_indexes);
    *body = segment_body{};
}
