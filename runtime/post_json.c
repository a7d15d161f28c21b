/* post_json.c: jr_vm_post_json, one event handed over as a Segment JSON object (a
 * webhook body, a message from a queue). The object is read by the JSON Lines reader
 * (event_reader.c), so the rules of spec/events.md and their messages are those of a
 * log read by `journey sim`, then applied with jr_vm_post. */
#include <string.h>

#include "event.h"
#include "vm.h"

static bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Whether the first byte that is not white space opens an object. Anything else (an
 * array, a gzip stream, nothing at all) is refused before the reader, which would
 * otherwise take it for a log. */
static bool opens_object(const char *json, size_t length)
{
    size_t at = 0;
    while (at < length && is_json_space(json[at])) at++;
    return at < length && json[at] == '{';
}

/* The reader reads one line, and a pretty-printed object spans several. Outside
 * strings a line break is white space, so it becomes a space; inside one it is invalid
 * JSON, kept for the reader to refuse (the line it ends is then an unterminated string,
 * so one object never reads as two events). */
static void fold_line_breaks(char *text, size_t length)
{
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '\n' || c == '\r') {
            text[i] = ' ';
        }
    }
}

static bool has_line_break(const char *text, size_t length)
{
    return memchr(text, '\n', length) != NULL || memchr(text, '\r', length) != NULL;
}

jr_status jr_vm_post_json(jr_vm *vm, const char *json, size_t length, jr_error *error)
{
    if (!vm || (!json && length)) return jr_fail(error, JR_ERROR_ARGUMENT, "no VM or no JSON");
    if (!opens_object(json, length)) return jr_fail(error, JR_ERROR_EVENT, "not a JSON object");

    /* The copy comes from the host's allocator, not the VM's, so that it never counts
     * against jr_config.memory_limit while the event is applied. */
    jr_allocator host = vm->config.allocator;
    if (!host.realloc) host = (jr_allocator){ jr_default_realloc, NULL };
    char *folded = NULL;
    if (has_line_break(json, length)) {
        folded = host.realloc(host.user, NULL, length);
        if (!folded) return jr_fail(error, JR_ERROR_MEMORY, "out of memory");
        memcpy(folded, json, length);
        fold_line_breaks(folded, length);
    }
    /* One reader for the VM's life: opening one (its JSON parser, its index of the
     * schema) costs more than reading an event. */
    jr_read_error read_error = { 0 };
    const char *bytes = folded ? folded : json;
    if (vm->post_reader) jr_reader_reuse_memory(vm->post_reader, bytes, length);
    else vm->post_reader = jr_reader_open_memory(jr_program_schema(vm->program), bytes, length, JR_LOG_JSONL, &read_error);
    jr_event_reader *reader = vm->post_reader;
    jr_status status;
    if (!reader) {
        status = jr_fail(error, JR_ERROR_MEMORY, "%s", read_error.message);
    } else {
        jr_event event;
        switch (jr_reader_next(reader, &event, &read_error)) {
        case JR_READ_EVENT:
            event.line = 0; /* not from a file */
            status = jr_vm_post(vm, &event, error);
            break;
        case JR_READ_NO_MEMORY:
            status = jr_fail(error, JR_ERROR_MEMORY, "out of memory");
            break;
        case JR_READ_BAD_LINE:
            status = jr_fail(error, JR_ERROR_EVENT, "%s", read_error.message);
            break;
        case JR_READ_END:
        case JR_READ_IO_ERROR:
        default:
            /* memory cannot fail to read, and the input is not blank */
            status = jr_fail(error, JR_ERROR_EVENT, "no event in the JSON");
            break;
        }
        /* The event's strings live in the reader and in the memory given: let go of it. */
        jr_reader_reuse_memory(reader, NULL, 0);
    }
    if (folded) host.realloc(host.user, folded, 0);
    return status;
}
