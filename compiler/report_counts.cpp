// report_counts.cpp: reads the figures the journey map shows (report_counts.h) from a
// simulation report with simdjson's DOM API. The only C++ file of the compiler. No
// exception crosses the C interface: simdjson is used through error codes and every
// allocation is malloc, so jc_report_counts_free is plain C underneath.
#include "report_counts.h"

#include <simdjson.h>

#include <cerrno>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

struct report_reader {
    char *error;
    size_t error_size;
    jc_report_status status;
};

// Records why the report is rejected; returns false so callers can `return fail(...)`.
__attribute__((format(printf, 3, 4))) bool fail(report_reader &reader, jc_report_status status,
                                                 const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(reader.error, reader.error_size, format, arguments);
    va_end(arguments);
    reader.status = status;
    return false;
}

bool out_of_memory(report_reader &reader)
{
    return fail(reader, JC_REPORT_NO_MEMORY, "out of memory");
}

const char *json_error_text(simdjson::error_code error)
{
    switch (error) {
    case simdjson::UTF8_ERROR: return "invalid UTF-8";
    case simdjson::UNCLOSED_STRING: return "unterminated string";
    case simdjson::UNESCAPED_CHARS: return "control character not escaped in a string";
    case simdjson::STRING_ERROR: return "bad escape sequence in a string";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR: return "bad literal (true, false or null misspelt)";
    case simdjson::NUMBER_ERROR: return "malformed number";
    case simdjson::DEPTH_ERROR: return "nested too deeply";
    case simdjson::EMPTY: return "the file is empty";
    default: return "bad structure (a missing or extra comma, colon, quote, brace or bracket)";
    }
}

// The member `key` of `owner`; false (and no error) when it is absent.
bool member(object owner, const char *key, element &value)
{
    return owner[key].get(value) == simdjson::SUCCESS;
}

bool copy_string(report_reader &reader, std::string_view text, const char **out)
{
    char *copy = static_cast<char *>(malloc(text.size() + 1));
    if (!copy) return out_of_memory(reader);
    memcpy(copy, text.data(), text.size());
    copy[text.size()] = '\0';
    *out = copy;
    return true;
}

// A string member; a nullable one may be null (then *out is NULL).
bool read_string(report_reader &reader, object owner, const char *where, const char *key, bool nullable,
                 const char **out)
{
    *out = nullptr;
    element value;
    if (!member(owner, key, value))
        return fail(reader, JC_REPORT_MALFORMED, "%s: \"%s\" is missing", where, key);
    if (nullable && value.is_null()) return true;
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS)
        return fail(reader, JC_REPORT_MALFORMED, "%s.%s: expected a string%s", where, key, nullable ? " or null" : "");
    return copy_string(reader, text, out);
}

// A count: a whole number of at least 0. Optional ones read as 0 when absent, so a
// report from a newer simulator with fewer figures of a kind still draws.
bool read_count(report_reader &reader, object owner, const char *where, const char *key, bool required,
                uint64_t *out)
{
    *out = 0;
    element value;
    if (!member(owner, key, value)) {
        if (!required) return true;
        return fail(reader, JC_REPORT_MALFORMED, "%s: \"%s\" is missing", where, key);
    }
    if (value.get_uint64().get(*out) != simdjson::SUCCESS)
        return fail(reader, JC_REPORT_MALFORMED, "%s.%s: expected a whole number of at least 0", where, key);
    return true;
}

// A line, column or node index (below JC_REPORT_NO_NODE); a nullable one may be null.
bool read_index(report_reader &reader, object owner, const char *where, const char *key, bool nullable,
                uint32_t *out)
{
    *out = JC_REPORT_NO_NODE;
    element value;
    if (!member(owner, key, value))
        return fail(reader, JC_REPORT_MALFORMED, "%s: \"%s\" is missing", where, key);
    if (nullable && value.is_null()) return true;
    uint64_t number;
    if (value.get_uint64().get(number) != simdjson::SUCCESS || number >= JC_REPORT_NO_NODE)
        return fail(reader, JC_REPORT_MALFORMED, "%s.%s: expected a whole number from 0 to %" PRIu32 "%s", where,
                    key, JC_REPORT_NO_NODE - 1, nullable ? ", or null" : "");
    *out = static_cast<uint32_t>(number);
    return true;
}

bool read_object(report_reader &reader, element value, const char *where, object &out)
{
    if (value.get_object().get(out) != simdjson::SUCCESS)
        return fail(reader, JC_REPORT_MALFORMED, "%s: expected an object", where);
    return true;
}

// The array member `key`; an optional one reads as empty when absent.
bool read_array(report_reader &reader, object owner, const char *where, const char *key, bool required,
                array &out, size_t &count)
{
    count = 0;
    element value;
    if (!member(owner, key, value)) {
        if (!required) return true;
        return fail(reader, JC_REPORT_MALFORMED, "%s: \"%s\" is missing", where, key);
    }
    if (value.get_array().get(out) != simdjson::SUCCESS)
        return fail(reader, JC_REPORT_MALFORMED, "%s.%s: expected an array", where, key);
    count = out.size();
    if (count >= UINT32_MAX) return fail(reader, JC_REPORT_MALFORMED, "%s.%s: too many items", where, key);
    return true;
}

bool read_node(report_reader &reader, element value, const char *where, jc_report_node *node)
{
    object fields;
    if (!read_object(reader, value, where, fields)) return false;
    element arm;
    if (!member(fields, "arm", arm))
        return fail(reader, JC_REPORT_MALFORMED, "%s: \"arm\" is missing", where);
    if (arm.get_bool().get(node->is_arm) != simdjson::SUCCESS)
        return fail(reader, JC_REPORT_MALFORMED, "%s.arm: expected true or false", where);
    return read_index(reader, fields, where, "index", false, &node->index) &&
           read_string(reader, fields, where, "kind", false, &node->kind) &&
           read_index(reader, fields, where, "parent", true, &node->parent) &&
           read_index(reader, fields, where, "line", false, &node->line) &&
           read_index(reader, fields, where, "column", false, &node->column) &&
           read_string(reader, fields, where, "label", true, &node->label) &&
           read_count(reader, fields, where, "entered", true, &node->entered) &&
           read_count(reader, fields, where, "waiting", false, &node->waiting) &&
           read_count(reader, fields, where, "passed", false, &node->passed) &&
           read_count(reader, fields, where, "exited", false, &node->exited) &&
           read_count(reader, fields, where, "errors", false, &node->errors) &&
           read_count(reader, fields, where, "goals", false, &node->goals) &&
           read_count(reader, fields, where, "sent", false, &node->sent) &&
           read_count(reader, fields, where, "deferred", false, &node->deferred) &&
           read_count(reader, fields, where, "suppressed", false, &node->suppressed);
}

bool read_exit(report_reader &reader, element value, const char *where, jc_report_exit *exit)
{
    object fields;
    return read_object(reader, value, where, fields) &&
           read_string(reader, fields, where, "event", false, &exit->event) &&
           read_index(reader, fields, where, "line", false, &exit->line) &&
           read_count(reader, fields, where, "exited", true, &exit->exited);
}

bool read_journey(report_reader &reader, element value, const char *where, jc_report_journey *journey)
{
    object fields;
    if (!read_object(reader, value, where, fields) ||
        !read_string(reader, fields, where, "name", false, &journey->name) ||
        !read_count(reader, fields, where, "entered", true, &journey->entered) ||
        !read_count(reader, fields, where, "holdout", false, &journey->holdout) ||
        !read_count(reader, fields, where, "completed", false, &journey->completed) ||
        !read_count(reader, fields, where, "exited", false, &journey->exited) ||
        !read_count(reader, fields, where, "goals_treated", false, &journey->goals_treated))
        return false;

    array nodes, exits;
    size_t node_count, exit_count;
    if (!read_array(reader, fields, where, "nodes", true, nodes, node_count) ||
        !read_array(reader, fields, where, "exits", false, exits, exit_count))
        return false;
    journey->nodes = static_cast<jc_report_node *>(calloc(node_count ? node_count : 1, sizeof *journey->nodes));
    journey->exits = static_cast<jc_report_exit *>(calloc(exit_count ? exit_count : 1, sizeof *journey->exits));
    if (!journey->nodes || !journey->exits) return out_of_memory(reader);
    char item_where[256];
    for (element node : nodes) {
        snprintf(item_where, sizeof item_where, "%s.nodes[%" PRIu32 "]", where, journey->node_count);
        if (!read_node(reader, node, item_where, &journey->nodes[journey->node_count++])) return false;
    }
    for (element exit : exits) {
        snprintf(item_where, sizeof item_where, "%s.exits[%" PRIu32 "]", where, journey->exit_count);
        if (!read_exit(reader, exit, item_where, &journey->exits[journey->exit_count++])) return false;
    }
    return true;
}

bool read_report(report_reader &reader, element root, jc_report_counts *counts)
{
    object fields;
    if (root.get_object().get(fields) != simdjson::SUCCESS)
        return fail(reader, JC_REPORT_MALFORMED, "expected a report (a JSON object with \"journeys\")");
    array journeys;
    size_t journey_count;
    if (!read_array(reader, fields, "report", "journeys", true, journeys, journey_count)) return false;
    counts->journeys =
        static_cast<jc_report_journey *>(calloc(journey_count ? journey_count : 1, sizeof *counts->journeys));
    if (!counts->journeys) return out_of_memory(reader);
    char where[64];
    for (element journey : journeys) {
        snprintf(where, sizeof where, "journeys[%" PRIu32 "]", counts->journey_count);
        if (!read_journey(reader, journey, where, &counts->journeys[counts->journey_count++])) return false;
    }
    return true;
}

// The whole file, with simdjson's padding after it (malloc'ed); NULL with errno set
// when it cannot be read.
char *read_file(const char *path, size_t *length)
{
    FILE *file = fopen(path, "rb");
    if (!file) return nullptr;
    size_t capacity = 0;
    char *bytes = nullptr;
    *length = 0;
    for (;;) {
        if (capacity - *length < 65536) {
            capacity = capacity ? capacity * 2 : 65536;
            char *grown = static_cast<char *>(realloc(bytes, capacity + simdjson::SIMDJSON_PADDING));
            if (!grown) {
                free(bytes);
                fclose(file);
                errno = ENOMEM;
                return nullptr;
            }
            bytes = grown;
        }
        size_t got = fread(bytes + *length, 1, capacity - *length, file);
        *length += got;
        if (got == 0) break;
    }
    int read_error = ferror(file) ? errno : 0;
    fclose(file);
    if (read_error) {
        free(bytes);
        errno = read_error;
        return nullptr;
    }
    memset(bytes + *length, 0, simdjson::SIMDJSON_PADDING);
    return bytes;
}

} // namespace

extern "C" jc_report_status jc_report_counts_read(const char *path, jc_report_counts **counts, char *error,
                                                   size_t error_size)
{
    report_reader reader = { error, error_size, JC_REPORT_OK };
    *counts = nullptr;
    size_t length;
    char *bytes = read_file(path, &length);
    if (!bytes) {
        if (errno == ENOMEM) out_of_memory(reader);
        else fail(reader, JC_REPORT_UNREADABLE, "cannot read it: %s", strerror(errno));
        return reader.status;
    }
    simdjson::dom::parser *parser = new (std::nothrow) simdjson::dom::parser();
    jc_report_counts *result = static_cast<jc_report_counts *>(calloc(1, sizeof *result));
    element root;
    simdjson::error_code parsed = simdjson::SUCCESS;
    if (!parser || !result) {
        out_of_memory(reader);
    } else if ((parsed = parser->parse(bytes, length, false).get(root)) != simdjson::SUCCESS) {
        if (parsed == simdjson::MEMALLOC) out_of_memory(reader);
        else fail(reader, JC_REPORT_MALFORMED, "not valid JSON: %s", json_error_text(parsed));
    } else {
        read_report(reader, root, result);
    }
    delete parser;
    free(bytes);
    if (reader.status != JC_REPORT_OK) {
        jc_report_counts_free(result);
        return reader.status;
    }
    *counts = result;
    return JC_REPORT_OK;
}

extern "C" void jc_report_counts_free(jc_report_counts *counts)
{
    if (!counts) return;
    for (uint32_t j = 0; j < counts->journey_count; j++) {
        jc_report_journey *journey = &counts->journeys[j];
        free(const_cast<char *>(journey->name));
        for (uint32_t i = 0; i < journey->node_count; i++) {
            free(const_cast<char *>(journey->nodes[i].kind));
            free(const_cast<char *>(journey->nodes[i].label));
        }
        for (uint32_t i = 0; i < journey->exit_count; i++) free(const_cast<char *>(journey->exits[i].event));
        free(journey->nodes);
        free(journey->exits);
    }
    free(counts->journeys);
    free(counts);
}
