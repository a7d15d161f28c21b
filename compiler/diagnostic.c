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

static void render_excerpt(const jc_diagnostic *diagnostic, const jc_source *source, bool color,
                           FILE *out)
{
    jc_position begin = jc_source_position(source, diagnostic->span.begin);
    uint32_t length;
    const char *line = jc_source_line(source, begin.line, &length);
    /* Show the line as it is, but replace control bytes so the terminal stays sane. */
    fprintf(out, "%5u | ", begin.line);
    for (uint32_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)line[i];
        fputc(c < 0x20 && c != '\t' ? ' ' : c == 0x7f ? ' ' : c, out);
    }
    fputs("\n      | ", out);
    uint32_t line_start = source->line_starts[begin.line - 1];
    uint32_t caret_from = diagnostic->span.begin - line_start;
    uint32_t caret_to = diagnostic->span.end > diagnostic->span.begin
                            ? diagnostic->span.end - line_start
                            : caret_from + 1;
    if (caret_to > length) caret_to = length > caret_from ? length : caret_from + 1;
    for (uint32_t i = 0; i < caret_from && i < length; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c & 0xC0) == 0x80) continue;
        fputc(c == '\t' ? '\t' : ' ', out);
    }
    if (color) fputs("\033[1;32m", out);
    fputc('^', out);
    for (uint32_t i = caret_from + 1; i < caret_to; i++) {
        unsigned char c = i < length ? (unsigned char)line[i] : ' ';
        if ((c & 0xC0) == 0x80) continue;
        fputc('~', out);
    }
    if (color) fputs(COLOR_RESET, out);
    fputc('\n', out);
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

static void json_string(FILE *out, const char *text)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
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
        if (diagnostic->span.end > diagnostic->span.begin + 1) {
            fputs(", \"finish\": ", out);
            json_position(out, source, diagnostic->span.end - 1);
        }
        fputc('}', out);
    }
    fputc(']', out);
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
}

void jc_diagnostics_render(const jc_diagnostics *diagnostics, const jc_sources *sources,
                           const jc_render_options *options, FILE *out)
{
    if (options->format == JC_RENDER_TEXT) {
        for (uint32_t i = 0; i < diagnostics->count; i++)
            render_text(&diagnostics->items[i], sources, options, out);
        return;
    }
    bool first = true;
    fputc('[', out);
    jc_diagnostics_render_json_items(diagnostics, sources, options, out, &first);
    fputs("]\n", out);
}
