/* diagnostic.c: recording diagnostics and rendering them as gcc-style text or JSON. */
#include "diagnostic.h"

#include <stdlib.h>
#include <string.h>

void jc_diagnostics_free(jc_diagnostics *diagnostics)
{
    for (uint32_t i = 0; i < diagnostics->count; i++) free(diagnostics->items[i].message);
    free(diagnostics->items);
    memset(diagnostics, 0, sizeof *diagnostics);
}

void jc_diagnosticv(jc_diagnostics *diagnostics, jc_severity severity, jc_span span,
                    const char *format, va_list arguments)
{
    if (severity == JC_SEVERITY_NOTE) {
        if (diagnostics->last_primary_dropped || diagnostics->count == 0) return;
    } else {
        diagnostics->last_primary_dropped = true;
        if (severity == JC_SEVERITY_ERROR) diagnostics->error_count++;
        else diagnostics->warning_count++;
        if (diagnostics->error_count + diagnostics->warning_count > JC_MAX_DIAGNOSTICS) {
            diagnostics->unrecorded_count++;
            return;
        }
    }
    char *message = NULL;
    va_list copy;
    va_copy(copy, arguments);
    int length = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    if (length >= 0) message = malloc((size_t)length + 1);
    if (message) vsnprintf(message, (size_t)length + 1, format, arguments);
    if (message && diagnostics->count == diagnostics->capacity) {
        uint32_t capacity = diagnostics->capacity ? diagnostics->capacity * 2 : 16;
        jc_diagnostic *items = realloc(diagnostics->items, sizeof *items * capacity);
        if (items) {
            diagnostics->items = items;
            diagnostics->capacity = capacity;
        }
    }
    if (!message || diagnostics->count == diagnostics->capacity) {
        free(message);
        diagnostics->out_of_memory = true;
        return;
    }
    diagnostics->items[diagnostics->count++] = (jc_diagnostic){ severity, span, message };
    if (severity != JC_SEVERITY_NOTE) diagnostics->last_primary_dropped = false;
}

#define DEFINE_REPORTER(function, severity)                                                  \
    void function(jc_diagnostics *diagnostics, jc_span span, const char *format, ...)        \
    {                                                                                        \
        va_list arguments;                                                                   \
        va_start(arguments, format);                                                         \
        jc_diagnosticv(diagnostics, severity, span, format, arguments);                      \
        va_end(arguments);                                                                   \
    }
DEFINE_REPORTER(jc_error, JC_SEVERITY_ERROR)
DEFINE_REPORTER(jc_warning, JC_SEVERITY_WARNING)
DEFINE_REPORTER(jc_note, JC_SEVERITY_NOTE)

/* ---- text ---------------------------------------------------------------------- */

#define COLOR_BOLD "\033[1m"
#define COLOR_RESET "\033[0m"

static const char *severity_word(jc_severity severity, bool promote)
{
    switch (severity) {
    case JC_SEVERITY_ERROR: return "error";
    case JC_SEVERITY_WARNING: return promote ? "error" : "warning";
    case JC_SEVERITY_NOTE: return "note";
    }
    return "error";
}

static const char *severity_color(jc_severity severity, bool promote)
{
    switch (severity) {
    case JC_SEVERITY_ERROR: return "\033[1;31m";
    case JC_SEVERITY_WARNING: return promote ? "\033[1;31m" : "\033[1;35m";
    case JC_SEVERITY_NOTE: return "\033[1;36m";
    }
    return "";
}

/* The bytes of the character at p: its length when it is valid UTF-8, else 1 (a byte
 * that is not UTF-8 is shown as U+FFFD, one column, like a character). */
static uint32_t character_length(const unsigned char *p, const unsigned char *limit, bool *valid)
{
    unsigned char c = p[0];
    uint32_t length = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    *valid = length != 0 && (uint32_t)(limit - p) >= length;
    for (uint32_t i = 1; *valid && i < length; i++)
        if ((p[i] & 0xC0) != 0x80) *valid = false;
    /* Overlong forms and surrogates. */
    if (*valid && length == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F))) *valid = false;
    if (*valid && length == 4 && ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))) *valid = false;
    return *valid ? length : 1;
}

/* A growing text buffer, so an excerpt is written with one call: stderr is unbuffered,
 * and a character at a time would be a system call each. */
typedef struct text_buffer {
    char *bytes;
    size_t length, capacity;
    bool failed;
} text_buffer;

static void append(text_buffer *buffer, const void *bytes, size_t length)
{
    if (buffer->failed) return;
    if (buffer->length + length > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity : 256;
        while (capacity < buffer->length + length) capacity *= 2;
        char *grown = realloc(buffer->bytes, capacity);
        if (!grown) {
            buffer->failed = true;
            return;
        }
        buffer->bytes = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->bytes + buffer->length, bytes, length);
    buffer->length += length;
}

static void append_text(text_buffer *buffer, const char *text) { append(buffer, text, strlen(text)); }

/* A line longer than EXCERPT_LONG_LINE bytes is shown as a window of EXCERPT_WIDTH
 * characters starting EXCERPT_CONTEXT characters before the span, with "..." where it
 * is cut. */
enum { EXCERPT_LONG_LINE = 512, EXCERPT_CONTEXT = 40, EXCERPT_WIDTH = 160 };

/* The source line, then a caret under the first character of the span and '~' under
 * the rest of it on that line. Each character is one column; tabs are kept in both
 * lines so they line up; control characters show as spaces and bytes that are not
 * UTF-8 as U+FFFD. */
static void render_excerpt(const jc_diagnostic *diagnostic, const jc_source *source, bool color,
                           FILE *out)
{
    jc_position begin = jc_source_position(source, diagnostic->span.begin);
    uint32_t length;
    const unsigned char *line = (const unsigned char *)jc_source_line(source, begin.line, &length);
    const unsigned char *limit = line + length;
    uint32_t line_start = source->line_starts[begin.line - 1];
    uint32_t from = diagnostic->span.begin > line_start ? diagnostic->span.begin - line_start : 0;
    if (from > length) from = length;
    uint32_t to = diagnostic->span.end > diagnostic->span.begin ? diagnostic->span.end - line_start : from;
    if (to > length) to = length;
    bool valid;

    uint32_t window_begin = 0, window_end = length;
    if (length > EXCERPT_LONG_LINE) {
        window_begin = from;
        for (int n = 0; n < EXCERPT_CONTEXT && window_begin > 0; n++) {
            window_begin--;
            while (window_begin > 0 && (line[window_begin] & 0xC0) == 0x80) window_begin--;
        }
        window_end = window_begin;
        for (int n = 0; n < EXCERPT_WIDTH && window_end < length; n++)
            window_end += character_length(line + window_end, limit, &valid);
    }

    text_buffer buffer = { 0 };
    char number[32];
    snprintf(number, sizeof number, "%5u | ", begin.line);
    append_text(&buffer, number);
    if (window_begin > 0) append_text(&buffer, "...");
    for (uint32_t i = window_begin; i < window_end;) {
        uint32_t n = character_length(line + i, limit, &valid);
        unsigned char c = line[i];
        if (!valid) append_text(&buffer, "\xEF\xBF\xBD");
        else if ((c < 0x20 && c != '\t') || c == 0x7F) append_text(&buffer, " ");
        else append(&buffer, line + i, n);
        i += n;
    }
    if (window_end < length) append_text(&buffer, "...");
    append_text(&buffer, "\n      | ");
    if (window_begin > 0) append_text(&buffer, "   ");
    uint32_t i = window_begin;
    while (i < from) {
        append_text(&buffer, line[i] == '\t' ? "\t" : " ");
        i += character_length(line + i, limit, &valid);
    }
    if (color) append_text(&buffer, "\033[1;32m");
    append_text(&buffer, "^");
    if (i < length) i += character_length(line + i, limit, &valid);
    while (i < to && i < window_end) {
        append_text(&buffer, "~");
        i += character_length(line + i, limit, &valid);
    }
    if (color) append_text(&buffer, COLOR_RESET);
    append_text(&buffer, "\n");
    if (!buffer.failed) fwrite(buffer.bytes, 1, buffer.length, out);
    free(buffer.bytes);
}

static void render_text(const jc_diagnostic *diagnostic, const jc_sources *sources,
                        const jc_render_options *options, FILE *out)
{
    const jc_source *source =
        diagnostic->span.file < sources->count ? sources->items[diagnostic->span.file] : NULL;
    bool promote = options->warnings_are_errors;
    if (options->color) fputs(COLOR_BOLD, out);
    if (source) {
        jc_position position = jc_source_position(source, diagnostic->span.begin);
        fprintf(out, "%s:%u:%u: ", source->path, position.line, position.column);
    } else {
        fputs("journeyc: ", out);
    }
    if (options->color)
        fprintf(out, "%s%s:" COLOR_RESET " " COLOR_BOLD "%s" COLOR_RESET "\n",
                severity_color(diagnostic->severity, promote),
                severity_word(diagnostic->severity, promote), diagnostic->message);
    else
        fprintf(out, "%s: %s\n", severity_word(diagnostic->severity, promote), diagnostic->message);
    if (source) render_excerpt(diagnostic, source, options->color, out);
}

/* ---- JSON ---------------------------------------------------------------------- */

/* A JSON string: quotes, backslashes and control characters escaped, and any byte that
 * is not UTF-8 (a path may hold one) written as U+FFFD, so the output stays valid JSON. */
static void json_string(FILE *out, const char *text)
{
    fputc('"', out);
    const unsigned char *limit = (const unsigned char *)text + strlen(text);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p >= 0x80) {
            bool valid;
            uint32_t n = character_length(p, limit, &valid);
            if (valid) fwrite(p, 1, n, out);
            else fputs("\\ufffd", out);
            p += n - 1;
            continue;
        }
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\t': fputs("\\t", out); break;
        case '\r': fputs("\\r", out); break;
        default:
            if (*p < 0x20) fprintf(out, "\\u%04x", *p);
            else fputc(*p, out);
        }
    }
    fputc('"', out);
}

static void json_position(FILE *out, const jc_source *source, uint32_t offset)
{
    jc_position position = jc_source_position(source, offset);
    fputs("{\"file\": ", out);
    json_string(out, source->path);
    fprintf(out, ", \"line\": %u, \"column\": %u, \"byte-offset\": %u}", position.line,
            position.column, offset);
}

static void render_json_one(const jc_diagnostic *diagnostic, const jc_sources *sources,
                            const jc_render_options *options, FILE *out)
{
    const jc_source *source =
        diagnostic->span.file < sources->count ? sources->items[diagnostic->span.file] : NULL;
    fputs("{\"kind\": ", out);
    json_string(out, severity_word(diagnostic->severity, options->warnings_are_errors));
    fputs(", \"message\": ", out);
    json_string(out, diagnostic->message);
    fputs(", \"locations\": [", out);
    if (source) {
        fputs("{\"caret\": ", out);
        json_position(out, source, diagnostic->span.begin);
        /* finish is the last character, so its first byte. */
        uint32_t last = diagnostic->span.end > source->length ? source->length : diagnostic->span.end;
        if (last > diagnostic->span.begin) last--;
        while (last > diagnostic->span.begin && ((unsigned char)source->text[last] & 0xC0) == 0x80) last--;
        if (last > diagnostic->span.begin) {
            fputs(", \"finish\": ", out);
            json_position(out, source, last);
        }
        fputc('}', out);
    }
    fputc(']', out);
}

/* The closing note when errors or warnings went unrecorded. */
static void unrecorded_message(const jc_diagnostics *diagnostics, char *out, size_t size)
{
    snprintf(out, size, "%u more error%s and warning%s not shown: the first %d are", diagnostics->unrecorded_count,
             diagnostics->unrecorded_count == 1 ? "" : "s", diagnostics->unrecorded_count == 1 ? "" : "s",
             JC_MAX_DIAGNOSTICS);
}

void jc_diagnostics_render_json_items(const jc_diagnostics *diagnostics, const jc_sources *sources,
                                      const jc_render_options *options, FILE *out, bool *first)
{
    for (uint32_t i = 0; i < diagnostics->count;) {
        if (!*first) fputs(",\n ", out);
        *first = false;
        render_json_one(&diagnostics->items[i], sources, options, out);
        fputs(", \"children\": [", out);
        uint32_t j = i + 1;
        for (; j < diagnostics->count && diagnostics->items[j].severity == JC_SEVERITY_NOTE; j++) {
            if (j > i + 1) fputs(", ", out);
            render_json_one(&diagnostics->items[j], sources, options, out);
            fputs(", \"children\": []}", out);
        }
        fputs("]}", out);
        i = j;
    }
    if (diagnostics->unrecorded_count) {
        char message[128];
        unrecorded_message(diagnostics, message, sizeof message);
        jc_diagnostic note = { JC_SEVERITY_NOTE, { JC_NO_FILE, 0, 0 }, message };
        if (!*first) fputs(",\n ", out);
        *first = false;
        render_json_one(&note, sources, options, out);
        fputs(", \"children\": []}", out);
    }
}

void jc_diagnostics_render(const jc_diagnostics *diagnostics, const jc_sources *sources,
                           const jc_render_options *options, FILE *out)
{
    if (options->format == JC_RENDER_TEXT) {
        for (uint32_t i = 0; i < diagnostics->count; i++)
            render_text(&diagnostics->items[i], sources, options, out);
        if (diagnostics->unrecorded_count) {
            char message[128];
            unrecorded_message(diagnostics, message, sizeof message);
            jc_diagnostic note = { JC_SEVERITY_NOTE, { JC_NO_FILE, 0, 0 }, message };
            render_text(&note, sources, options, out);
        }
        return;
    }
    bool first = true;
    fputc('[', out);
    jc_diagnostics_render_json_items(diagnostics, sources, options, out, &first);
    fputs("]\n", out);
}
